#!/usr/bin/perl
# 22-openapi-account.t: the caller's own account: who the token speaks
# for, its workspaces, and its API sessions (listed, paged, validated and
# revoked, but only its own).
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Digest::SHA qw(sha256_hex);
use JSON::PP ();
use Test::More;
use DrioStack;
use DrioTest;

my $s = DrioStack->start;

my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
my $bob   = $s->seed_user(email => 'bob@example.com', name => 'Bob');
my $carol = $s->seed_user(email => 'carol@example.com', name => 'Carol');
my $home  = $s->seed_workspace('Alice Home', $alice->{email});
my $shared = $s->seed_workspace('Bob Shared', $bob->{email});
$s->seed_member($shared, $alice->{id}, 'admin');

sub session_of {
    my ($token) = @_;
    return $s->sql(q{SELECT id FROM api_sessions WHERE token_sha256 = :'p1'},
        sha256_hex($token));
}

# --- GET /account -----------------------------------------------------------

my $res = $s->request(GET => '/openapi/v1/account',
    { token => $alice->{token} });
is($res->{status}, 200, 'GET /account answers 200');
my $body = $res->{json} // {};
my @workspaces = sort { $a->{name} cmp $b->{name} }
    @{ ref $body->{workspaces} eq 'ARRAY' ? $body->{workspaces} : [] };
is_deeply({ %$body, workspaces => \@workspaces }, {
    subject_type => 'account',
    subject_email => 'alice@example.com',
    account => { id => $alice->{id}, email => 'alice@example.com',
        name => 'Alice' },
    default_workspace_id => $home,
    workspaces => [
        { id => $home, name => 'Alice Home', role => 'owner' },
        { id => $shared, name => 'Bob Shared', role => 'admin' },
    ],
}, 'GET /account describes the account, its current workspace and its '
    . 'memberships with roles');

$res = $s->request(GET => '/openapi/v1/account', { token => $carol->{token} });
is_deeply([ @{ $res->{json} // {} }{qw(default_workspace_id workspaces)} ],
    [ undef, [] ],
    'an account with no workspace has default_workspace_id null and no '
    . 'workspaces');

# --- GET /account/sessions --------------------------------------------------

my $phone  = $s->issue_token($alice->{email}, label => 'phone');
my $tablet = $s->issue_token($alice->{email}, label => 'tablet');
my $old    = $s->issue_token($alice->{email}, label => 'old');
my $gone   = $s->issue_token($alice->{email}, label => 'gone');
$s->sql(q{UPDATE api_sessions SET expires_at = now() - interval '1 hour'
    WHERE id = :'p1'}, session_of($old));
$s->sql(q{UPDATE api_sessions SET revoked_at = now() WHERE id = :'p1'},
    session_of($gone));

my $sessions = '/openapi/v1/account/sessions';
$res = $s->request(GET => $sessions, { token => $alice->{token} });
is_list_envelope($res, 'GET /account/sessions answers a list envelope');
$body = $res->{json} // {};
my @rows = @{ ref $body->{data} eq 'ARRAY' ? $body->{data} : [] };
is_deeply([ sort map { $_->{device_label} // '' } @rows ],
    [ 'phone', 'tablet', 'tests' ],
    'the list holds only the caller\'s own unrevoked, unexpired sessions');
is($body->{total}, 3, 'total counts those sessions');
is($body->{has_more}, JSON::PP::false, 'has_more is false when all fit');
my ($row) = grep { ($_->{device_label} // '') eq 'phone' } @rows;
$row //= {};
is_deeply([ sort keys %$row ],
    [ sort qw(id prefix client_id device_label created_at expires_at
        last_used_at) ],
    'a session row has id, prefix, client_id, device_label, created_at, '
    . 'expires_at and last_used_at');
is($row->{id}, session_of($phone), 'a session row\'s id is the session id');
is($row->{prefix}, substr($phone, 0, 12),
    'a session row shows the token\'s first 12 characters');
is($row->{client_id}, 'drio-admin',
    'a session drio-admin issued has client_id drio-admin');
like($row->{created_at} // '', $TIME_RE, 'created_at is RFC 3339 UTC');
ok(!defined $row->{expires_at} || $row->{expires_at} =~ $TIME_RE,
    'expires_at is RFC 3339 UTC or null');
ok(!defined $row->{last_used_at},
    'last_used_at is null for a session never used');
my $listed = $res->{content};
ok(!grep({ index($listed, $_) >= 0 } $alice->{token}, $phone, $tablet),
    'the session list carries no token');

my %seen;
my @pages;
for my $page (1 .. 3) {
    my $r = $s->request(GET => "$sessions?limit=1&page=$page",
        { token => $alice->{token} });
    push @pages, $r->{json} // {};
    $seen{ $_->{id} // '' }++ for @{ $r->{json}{data} // [] };
}
is_deeply([ map { scalar @{ $_->{data} // [] } } @pages ], [ 1, 1, 1 ],
    'limit=1 answers one session per page');
is_deeply([ map { [ $_->{page}, $_->{limit}, $_->{total} ] } @pages ],
    [ [ 1, 1, 3 ], [ 2, 1, 3 ], [ 3, 1, 3 ] ],
    'each page echoes its page and limit and the same total');
is_deeply([ map { $_->{has_more} ? 1 : 0 } @pages ], [ 1, 1, 0 ],
    'has_more is true until the last page');
is(scalar(grep { $_ ne '' } keys %seen), 3,
    'the pages together list every session exactly once');
$res = $s->request(GET => "$sessions?limit=1&page=4",
    { token => $alice->{token} });
is_deeply([ $res->{status}, scalar @{ $res->{json}{data} // [1] },
    $res->{json}{total} ], [ 200, 0, 3 ],
    'a page past the end is empty, with the total');

is_validation_error($s->request(GET => "$sessions?foo=1",
        { token => $alice->{token} }), [ 'query', 'foo' ], 'extra_forbidden',
    'an unknown query parameter is a 422 extra_forbidden');
is_validation_error($s->request(GET => "$sessions?limit=0",
        { token => $alice->{token} }), [ 'query', 'limit' ],
    'greater_than_equal', 'limit=0 is a 422 greater_than_equal');
is_validation_error($s->request(GET => "$sessions?limit=201",
        { token => $alice->{token} }), [ 'query', 'limit' ],
    'less_than_equal', 'limit=201 is a 422 less_than_equal');
is_validation_error($s->request(GET => "$sessions?limit=abc",
        { token => $alice->{token} }), [ 'query', 'limit' ], 'int_parsing',
    'limit=abc is a 422 int_parsing');
is_validation_error($s->request(GET => "$sessions?page=0",
        { token => $alice->{token} }), [ 'query', 'page' ],
    'greater_than_equal', 'page=0 is a 422 greater_than_equal');
is_validation_error($s->request(GET => "$sessions?limit=5&limit=6",
        { token => $alice->{token} }), [ 'query', 'limit' ], 'duplicate',
    'a repeated query parameter is a 422 duplicate');
$res = $s->request(GET => "$sessions?limit=200", { token => $alice->{token} });
is($res->{status}, 200, 'limit=200 is accepted');
$res = $s->request(GET => "$sessions?foo=1&limit=0",
    { token => $alice->{token} });
my $details = ($res->{json} // {})->{details};
is(ref $details eq 'ARRAY' ? scalar @$details : 0, 2,
    'a 422 lists every bad query parameter at once');

# --- DELETE /account/sessions/{id} ------------------------------------------

$res = $s->request(DELETE => "$sessions/" . session_of($phone),
    { token => $alice->{token} });
is($res->{status}, 200, 'revoking another of my sessions answers 200');
is_deeply($res->{json}, { status => 'revoked' },
    'revoking a session answers {"status":"revoked"}');
is_error($s->request(GET => '/openapi/v1/account', { token => $phone }), 401,
    'invalid_token', 'the revoked session\'s token is then refused');
is($s->request(GET => '/openapi/v1/account', { token => $alice->{token} })
    ->{status}, 200, 'the revoking session still works');

my $bob_session = session_of($bob->{token});
is_error($s->request(DELETE => "$sessions/$bob_session",
        { token => $alice->{token} }), 404, 'session_not_found',
    'revoking another account\'s session is a 404 session_not_found');
is($s->request(GET => '/openapi/v1/account', { token => $bob->{token} })
    ->{status}, 200, 'that other account\'s session still works');
is($s->sql(q{SELECT revoked_at IS NULL FROM api_sessions WHERE id = :'p1'},
    $bob_session), 't', 'that other account\'s session is not revoked');

my $nowhere = '00000000-0000-4000-8000-000000000000';
is_error($s->request(DELETE => "$sessions/$nowhere",
        { token => $alice->{token} }), 404, 'session_not_found',
    'revoking a session that does not exist is a 404 session_not_found');
is_error($s->request(DELETE => "$sessions/" . session_of($phone),
        { token => $alice->{token} }), 404, 'session_not_found',
    'revoking an already revoked session is a 404 session_not_found');
is_error($s->request(DELETE => "$sessions/" . session_of($old),
        { token => $alice->{token} }), 404, 'session_not_found',
    'revoking an expired session is a 404 session_not_found');
is($s->request(DELETE => "$sessions/not-a-uuid",
        { token => $alice->{token} })->{status}, 404,
    'revoking a malformed session id is a 404');
is_error($s->request(DELETE => "$sessions/" . session_of($tablet)), 401,
    'unauthorized', 'revoking a session needs a token');

$res = $s->request(DELETE => "$sessions/self", { token => $tablet });
is($res->{status}, 200, 'revoking the calling session (self) answers 200');
is_deeply($res->{json}, { status => 'revoked' },
    'revoking self answers {"status":"revoked"}');
is_error($s->request(GET => '/openapi/v1/account', { token => $tablet }), 401,
    'invalid_token', 'a token that revoked itself is then refused');
$res = $s->request(GET => $sessions, { token => $alice->{token} });
is_deeply([ map { $_->{device_label} } @{ $res->{json}{data} // [] } ],
    [ 'tests' ], 'revoked sessions drop out of the list');

$s->finish;
done_testing;
