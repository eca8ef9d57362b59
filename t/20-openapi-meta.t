#!/usr/bin/perl
# 20-openapi-meta.t: what every openapi request gets whatever its route:
# health and version, request ids, the JSON ErrorBody for unknown routes,
# wrong methods, oversized, malformed and mistyped input, 503 while the
# database is down, and the log line (which never carries a token).
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use JSON::PP ();
use Test::More;
use Time::HiRes qw(sleep time);
use DrioStack;
use DrioTest;

my $s = DrioStack->start(env => { DRIO_MAX_BODY_BYTES => 4096 });

my $user = $s->seed_user(email => 'meta@example.com', name => 'Meta');
my $ws = $s->seed_workspace('Meta Space', $user->{email});
my @responses;    # every response from a responder, for the X-Request-Id test

sub call {
    my $res = $s->request(@_);
    push @responses, [ "$_[0] $_[1]", $res ];
    return $res;
}

# --- health and version -----------------------------------------------------

my $res = call(GET => '/openapi/v1/_health');
is($res->{status}, 200, 'health answers 200 without credentials');
is_deeply($res->{json}, { ok => JSON::PP::true },
    'health answers {"ok":true}');
like($res->{headers}{'content-type'} // '', qr{\Aapplication/json\b},
    'health answers with Content-Type application/json');

my $version = $ENV{DRIO_VERSION};
if (!$version) {
    open my $fh, '<', DrioStack::srcdir() . '/configure.ac' or die $!;
    ($version) = join('', <$fh>) =~ /AC_INIT\(\[drio\],\s*\[([^\]]+)\]/;
}
$res = call(GET => '/openapi/v1/_version');
is($res->{status}, 200, 'version answers 200 without credentials');
is_deeply($res->{json}, { edition => 'SELF_HOSTED', version => $version },
    "version answers the edition SELF_HOSTED and version $version");

# --- request ids ------------------------------------------------------------

$res = call(GET => '/openapi/v1/_health',
    { headers => { 'X-Request-Id' => 'abc-123' } });
is($res->{headers}{'x-request-id'}, 'abc-123',
    'a client-sent X-Request-Id is echoed');

for my $case ([ 'x' x 200, 'a 200-character X-Request-Id' ],
              [ 'has spaces in it', 'an X-Request-Id with spaces' ],
              [ 'semi;colon"quote', 'an X-Request-Id with ; and "' ]) {
    my ($bad, $what) = @$case;
    $res = call(GET => '/openapi/v1/_health',
        { headers => { 'X-Request-Id' => $bad } });
    my $id = $res->{headers}{'x-request-id'} // '';
    ok($id ne '' && $id ne $bad && $id =~ /\A[A-Za-z0-9._-]{1,64}\z/,
        "$what is replaced by a fresh one")
        or diag("X-Request-Id answered: '$id'");
}

my %ids;
for (1 .. 5) {
    my $r = call(GET => '/openapi/v1/_health');
    $ids{ $r->{headers}{'x-request-id'} // '' }++;
}
ok(!exists $ids{''} && keys(%ids) == 5,
    'requests without an X-Request-Id each get a different one');

# --- unknown routes and methods ---------------------------------------------

$res = call(GET => '/openapi/v1/nope', { token => $user->{token} });
is_error($res, 404, 'not_found',
    'an unknown path under /openapi/v1 is a 404 not_found ErrorBody');

$res = $s->request(GET => '/nope');
is_error($res, 404, 'not_found',
    'a path outside every route group is a 404 JSON ErrorBody from nginx');

$res = call(PATCH => '/openapi/v1/account', { json => {} });
is_error($res, 405, 'method_not_allowed',
    'PATCH on a GET-only route is a 405 method_not_allowed');
is($res->{headers}{allow}, 'GET, HEAD',
    'the 405 names the allowed methods in Allow');

$res = call(HEAD => '/openapi/v1/_health');
is_deeply([ $res->{status}, $res->{content} ], [ 200, '' ],
    'HEAD on a GET route answers 200 with no body');
ok(($res->{headers}{'content-length'} // 0) > 0,
    'and the Content-Length the GET body would have');

$res = call(GET => '/openapi/v1/workspaces/not-a-uuid',
    { token => $user->{token} });
is_error($res, 404, 'not_found',
    'a malformed uuid in a path is a 404 like any unknown path');

$res = call(GET => "/openapi/v1/workspaces/\U$ws",
    { token => $user->{token} });
ok($res->{status} == 404 || $res->{status} == 200,
    'an upper-case uuid in a path is not an internal error')
    or diag("status $res->{status}: $res->{content}");

# --- bodies and queries -----------------------------------------------------

my $members = "/openapi/v1/workspaces/$ws/members";
my $big = JSON::PP->new->canonical->encode({ email => 'big@example.com',
    role => 'normal', pad => 'x' x 4950 });
cmp_ok(length $big, '>', 4096, 'the oversized body is over the 4096-byte cap');
$res = call(POST => $members, { token => $user->{token}, body => $big,
    content_type => 'application/json' });
is_error($res, 413, 'payload_too_large',
    'a body over DRIO_MAX_BODY_BYTES is a 413 payload_too_large');
is($s->sql(q{SELECT count(*) FROM accounts WHERE email = 'big@example.com'}),
    0, 'the oversized request changed nothing');

$res = call(GET => '/openapi/v1/account/sessions?limit=%ZZ',
    { token => $user->{token} });
is_error($res, 400, 'bad_request',
    'a malformed percent-escape in the query is a 400 bad_request');

$res = call(GET => '/openapi/v1/account/sessions?limit=1%00',
    { token => $user->{token} });
is_error($res, 400, 'bad_request',
    'a percent-escaped NUL in the query is a 400 bad_request');

$res = call(POST => $members, { token => $user->{token},
    body => 'email=x%40example.com&role=normal',
    content_type => 'application/x-www-form-urlencoded' });
is_error($res, 415, 'unsupported_media_type',
    'a form-encoded body on a JSON route is a 415 unsupported_media_type');

$res = call(POST => $members, { token => $user->{token},
    body => '{"email":"x@example.com"}', content_type => 'text/plain' });
is_error($res, 415, 'unsupported_media_type',
    'a text/plain body on a JSON route is a 415 unsupported_media_type');

$res = call(POST => $members, { token => $user->{token},
    body => '{"email":"x@example.com","role":"normal"}',
    content_type => 'application/octet-stream' });
is_error($res, 415, 'unsupported_media_type',
    'an application/octet-stream body on a JSON route is a 415');

$res = call(POST => $members, { token => $user->{token},
    body => '{"email": "x@example.com", "role": ',
    content_type => 'application/json' });
is_error($res, 400, 'invalid_json',
    'a truncated JSON body is a 400 invalid_json');

$res = call(POST => $members, { token => $user->{token},
    body => '["x@example.com", "normal"]',
    content_type => 'application/json' });
is_error($res, 400, 'invalid_json',
    'a JSON body that is not an object is a 400 invalid_json');

$res = call(POST => $members, { token => $user->{token}, body => '',
    content_type => 'application/json' });
is_error($res, 422, 'validation_error',
    'an empty JSON body counts as {}: a 422, not a parse error');
is_deeply([ sort map { $_->{type} . ':' . join('.', @{ $_->{loc} }) }
        @{ $res->{json}{details} || [] } ],
    [ 'missing:body.email', 'missing:body.role' ],
    'and its details name each required field as missing');

$res = call(POST => $members, { token => $user->{token},
    body => '{"email":"x@example.com","role":"normal"}',
    content_type => 'application/json; charset=utf-8' });
is($res->{status}, 201,
    'application/json with a charset parameter is accepted as JSON')
    or diag($res->{content});

# --- every responder answer carries a request id ----------------------------

my @without = grep { !defined $_->[1]{headers}{'x-request-id'}
    || $_->[1]{headers}{'x-request-id'} eq '' } @responses;
ok(!@without, 'every response from the responder carries an X-Request-Id')
    or diag('missing on: ' . join(', ', map { $_->[0] } @without));

# --- the database goes away and comes back ----------------------------------

$s->stop_postgres;
$res = $s->request(GET => '/openapi/v1/_health');
is_error($res, 503, 'database_unavailable',
    'health is a 503 database_unavailable while PostgreSQL is down');
my @codes = map { $s->request(GET => '/openapi/v1/_health')->{status} } 1 .. 6;
is_deeply(\@codes, [ (503) x 6 ],
    'every worker answers 503 while PostgreSQL is down');
$res = $s->request(GET => '/openapi/v1/account', { token => $user->{token} });
is_error($res, 503, 'database_unavailable',
    'an authenticated route is a 503 while PostgreSQL is down, not a 401');

$s->start_postgres;
my $ok_in_a_row = 0;
my $deadline = time + 10;
while ($ok_in_a_row < 8 && time < $deadline) {
    my $r = $s->request(GET => '/openapi/v1/_health');
    $ok_in_a_row = $r->{status} == 200 ? $ok_in_a_row + 1 : 0;
    sleep 0.2 if $r->{status} != 200;
}
is($ok_in_a_row, 8,
    'after PostgreSQL is back every worker answers health with 200 again');
$res = $s->request(GET => '/openapi/v1/account', { token => $user->{token} });
is($res->{status}, 200, 'authenticated routes work again after the outage');

# --- log lines --------------------------------------------------------------

my @lines = map { $s->log_lines('openapi', $_) } 1, 2;
my @health = grep { /method=GET path=\/openapi\/v1\/_health status=200/ }
    @lines;
ok(scalar @health, 'health requests are logged');
my $line_re = qr{\Atime=\S+\ request_id=\S+\ method=GET
    \ path=/openapi/v1/_health\ status=200\ us=\d+\z}x;
my @bad = grep { !/$line_re/ } @health;
ok(!@bad,
    'each request line reads time= request_id= method= path= status= us=')
    or diag(join "\n", @bad[0 .. ($#bad > 5 ? 5 : $#bad)]);
ok((grep { /request_id=abc-123 / } @lines),
    'the log line carries the client-sent request id');
my @with_query = grep { /\bpath=\S*\?/ } @lines;
ok(!@with_query, 'request lines never carry the query string')
    or diag(join "\n", @with_query);
my @logs_with_token;
for my $log ($s->all_logs) {
    open my $fh, '<', $log or next;
    while (my $line = <$fh>) {
        push @logs_with_token, $log if index($line, $user->{token}) >= 0
            || index($line, substr($user->{token}, 5)) >= 0;
    }
    close $fh;
}
ok(!@logs_with_token, 'no log holds a bearer token that was used')
    or diag(join "\n", @logs_with_token);

$s->finish;
done_testing;
