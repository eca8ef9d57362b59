#!/usr/bin/perl
# 21-openapi-auth.t: bearer authentication on the openapi routes: missing,
# malformed, unknown, expired and revoked tokens are refused with 401 and
# a WWW-Authenticate challenge; authenticated answers are not cached; and
# last_used_at is written at most once a minute.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Digest::SHA qw(sha256_hex);
use Test::More;
use DrioStack;
use DrioTest;

my $s = DrioStack->start;
my $user = $s->seed_user(email => 'auth@example.com', name => 'Auth');
$s->seed_workspace('Auth Space', $user->{email});
my $account = '/openapi/v1/account';

sub session_of {
    my ($token) = @_;
    return $s->sql(q{SELECT id FROM api_sessions WHERE token_sha256 = :'p1'},
        sha256_hex($token));
}

# --- refused credentials ----------------------------------------------------

my $res = $s->request(GET => $account);
is_error($res, 401, 'unauthorized',
    'a protected route without Authorization is a 401 unauthorized');
like($res->{headers}{'www-authenticate'} // '', qr/\ABearer\b/,
    'the 401 challenges with WWW-Authenticate: Bearer');
like($res->{headers}{'cache-control'} // '', qr/\bno-store\b/,
    'the 401 of a protected route carries Cache-Control: no-store');

$res = $s->request(GET => $account,
    { headers => { Authorization => 'Bearer garbage' } });
is_error($res, 401, 'invalid_token',
    'a malformed bearer token is a 401 invalid_token');
like($res->{headers}{'www-authenticate'} // '',
    qr/\ABearer\b.*\berror="invalid_token"/,
    'the challenge for a bad token says error="invalid_token"');
like($res->{headers}{'cache-control'} // '', qr/\bno-store\b/,
    'the 401 for a bad token carries Cache-Control: no-store');

$res = $s->request(GET => $account,
    { headers => { Authorization => 'Basic YWxpY2U6c2VjcmV0' } });
is_error($res, 401, 'unauthorized',
    'Basic credentials are a 401 unauthorized');
like($res->{headers}{'www-authenticate'} // '', qr/\ABearer\b/,
    'the 401 for Basic credentials challenges with Bearer');

$res = $s->request(GET => $account,
    { headers => { Authorization => 'Bearer' } });
is($res->{status}, 401, 'a Bearer scheme without a token is a 401');

$res = $s->request(GET => $account,
    { headers => { Authorization => 'Bearer ' . $user->{token} . 'x' } });
is_error($res, 401, 'invalid_token',
    'a valid token with a character appended is a 401 invalid_token');

$res = $s->request(GET => $account,
    { headers => { Authorization =>
        'Bearer ' . substr($user->{token}, 0, 30) } });
is_error($res, 401, 'invalid_token',
    'a truncated token is a 401 invalid_token');

my $unknown = 'drio_' . ('A' x 43);
$res = $s->request(GET => $account, { token => $unknown });
is_error($res, 401, 'invalid_token',
    'a well-formed token that was never issued is a 401 invalid_token');

$res = $s->request(GET => $account,
    { headers => { Authorization => "bearer $user->{token}" } });
is($res->{status}, 200, 'the Bearer scheme is matched case-insensitively');

my $expired = $s->issue_token($user->{email}, label => 'expired');
is($s->request(GET => $account, { token => $expired })->{status}, 200,
    'a fresh token is accepted before it expires');
$s->sql(q{UPDATE api_sessions SET expires_at = now() - interval '1 minute'
    WHERE id = :'p1'}, session_of($expired));
$res = $s->request(GET => $account, { token => $expired });
is_error($res, 401, 'invalid_token',
    'an expired token is a 401 invalid_token');

my $revoked = $s->issue_token($user->{email}, label => 'revoked');
$s->sql(q{UPDATE api_sessions SET revoked_at = now() WHERE id = :'p1'},
    session_of($revoked));
$res = $s->request(GET => $account, { token => $revoked });
is_error($res, 401, 'invalid_token', 'a revoked token is a 401 invalid_token');

# --- answers to authenticated requests --------------------------------------

$res = $s->request(GET => $account, { token => $user->{token} });
is($res->{status}, 200, 'a valid token is accepted');
like($res->{headers}{'cache-control'} // '', qr/\bno-store\b/,
    'an authenticated answer carries Cache-Control: no-store');
$res = $s->request(GET =>
    '/openapi/v1/workspaces/00000000-0000-4000-8000-000000000000',
    { token => $user->{token} });
like($res->{headers}{'cache-control'} // '', qr/\bno-store\b/,
    'an error answer to an authenticated request is not cached either');
$res = $s->request(GET => '/openapi/v1/_health');
unlike($res->{headers}{'cache-control'} // '', qr/\bno-store\b/,
    'an unauthenticated public answer is not marked no-store');

# --- last_used_at -----------------------------------------------------------

my $fresh = $s->issue_token($user->{email}, label => 'usage');
my $session = session_of($fresh);
is($s->sql(q{SELECT last_used_at IS NULL FROM api_sessions WHERE id = :'p1'},
    $session), 't', 'last_used_at is empty before the first use');
$s->request(GET => $account, { token => $fresh });
is($s->sql(q{SELECT abs(extract(epoch FROM now() - last_used_at)) < 30
    FROM api_sessions WHERE id = :'p1'}, $session), 't',
    'the first use sets last_used_at to now');

$s->sql(q{UPDATE api_sessions SET last_used_at = now() - interval '30 seconds'
    WHERE id = :'p1'}, $session);
my $before = $s->sql(q{SELECT last_used_at FROM api_sessions
    WHERE id = :'p1'}, $session);
$s->request(GET => $account, { token => $fresh });
is($s->sql(q{SELECT last_used_at FROM api_sessions WHERE id = :'p1'},
    $session), $before,
    'a use within a minute of the last one does not write last_used_at');

$s->sql(q{UPDATE api_sessions SET last_used_at = now() - interval '2 minutes'
    WHERE id = :'p1'}, $session);
$s->request(GET => $account, { token => $fresh });
is($s->sql(q{SELECT abs(extract(epoch FROM now() - last_used_at)) < 30
    FROM api_sessions WHERE id = :'p1'}, $session), 't',
    'a use more than a minute after the last one updates last_used_at');

# --- accounts that may not sign in ------------------------------------------

my $pending = $s->seed_user(email => 'pending@example.com');
is($s->request(GET => $account, { token => $pending->{token} })->{status},
    200, 'an active account\'s token is accepted');
$s->sql(q{UPDATE accounts SET status = 'pending' WHERE id = :'p1'},
    $pending->{id});
$res = $s->request(GET => $account, { token => $pending->{token} });
is($res->{status}, 401, 'a pending account\'s token is refused with 401')
    or diag($res->{content});

$s->finish;
done_testing;
