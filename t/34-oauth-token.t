#!/usr/bin/perl
# 34-oauth-token.t: the token endpoint: a code with PKCE for an access
# token that is an ordinary API session, every way an exchange is refused,
# a code used twice revoking what it gave, refresh token rotation with
# reuse revoking the family, and client authentication for public and
# confidential clients.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Digest::SHA ();
use JSON::PP ();
use MIME::Base64 qw(encode_base64);
use Test::More;
use Time::Local qw(timegm);
use DrioStack;
use DrioTest;
use DrioBrowser qw(:DEFAULT form_urlencode);

my $s = DrioStack->start;

my $email = 'tokens@example.com';
my $password = 'token-password-1';
my ($code, undef, $err) = $s->admin_stdin("$password\n", 'create-account',
    $email, '--password-stdin');
BAIL_OUT("create-account $email failed: $err") if $code != 0;

# POST form fields to the token endpoint (or $opt{path}); $opt{basic} is
# [id, secret] for HTTP Basic.
sub token {
    my ($fields, %opt) = @_;
    my %headers;
    $headers{Authorization} = 'Basic '
        . encode_base64(join(':', @{ $opt{basic} }), '') if $opt{basic};
    return $s->request(POST => $opt{path} // '/oauth/token', {
        body => form_urlencode($fields), headers => \%headers,
        content_type => 'application/x-www-form-urlencoded' });
}

# The status GET /openapi/v1/account answers with $token.
sub account_status {
    my ($token) = @_;
    return $s->request(GET => '/openapi/v1/account',
        { token => $token // 'none' })->{status};
}

my $redirect = 'http://127.0.0.1:53682/callback';
my $public = $s->register_client({ redirect_uris => [$redirect],
    client_name => 'Token CLI' });
my $other = $s->register_client({ redirect_uris => [$redirect],
    client_name => 'Other CLI' });

my $b = DrioBrowser->new($s);
my $signed = $b->sign_in($email, $password);
BAIL_OUT("signing in failed: $signed->{status}") if $signed->{status} != 303;

# A fresh code for $client (default the public one): {code, verifier}.
sub new_code {
    my (%opt) = @_;
    my $client = delete $opt{client} // $public;
    my $r = $b->authorize(client_id => $client->{client_id},
        redirect_uri => $client->{redirect_uris}[0],
        scope => 'api offline_access', state => 's', %opt);
    BAIL_OUT('no code from the authorization endpoint: '
        . (($r->{answer} // $r->{consent})->{status} // '?') . ' '
        . ($r->{location} // ''))
        unless defined $r->{code};
    return $r;
}

# The fields of a code exchange for $r (from new_code) by $client.
sub exchange_fields {
    my ($r, $client, %change) = @_;
    $client //= $public;
    my %f = (grant_type => 'authorization_code', code => $r->{code},
        redirect_uri => $client->{redirect_uris}[0],
        code_verifier => $r->{verifier}, client_id => $client->{client_id},
        %change);
    delete $f{$_} for grep { !defined $f{$_} } keys %f;
    return \%f;
}

# --- the full flow ----------------------------------------------------------

my ($verifier, $challenge) = pkce_pair(64);
is(length $verifier, 64, 'the test verifier is 64 characters');
my $r = new_code(code_challenge => $challenge);
$r->{verifier} = $verifier;
my $res = token(exchange_fields($r));
is($res->{status}, 200, 'exchanging a code with its verifier answers 200');
like($res->{headers}{'content-type'} // '', qr{\Aapplication/json\b}i,
    'the token answer is JSON');
is($res->{headers}{'cache-control'}, 'no-store',
    'the token answer has Cache-Control: no-store');
is($res->{headers}{pragma}, 'no-cache',
    'the token answer has Pragma: no-cache');
my $t1 = $res->{json} // {};
like($t1->{access_token} // '', qr/\Adrio_[A-Za-z0-9_-]+\z/,
    'the access token starts with drio_');
is($t1->{token_type}, 'Bearer', 'the token type is Bearer');
is($t1->{expires_in}, 3600, 'the access token expires in 3600 seconds');
like(JSON::PP->new->allow_nonref->encode($t1->{expires_in}), qr/\A\d+\z/,
    'expires_in is a JSON number');
is(join(' ', sort split / /, $t1->{scope} // ''), 'api offline_access',
    'the scope granted is api offline_access');
like($t1->{refresh_token} // '', qr/\Adrt_[A-Za-z0-9_-]+\z/,
    'asking offline_access gives a refresh token starting with drt_');

is(account_status($t1->{access_token}), 200,
    'the access token works on GET /openapi/v1/account');
is($s->request(GET => '/openapi/v1/account',
        { token => $t1->{access_token} })->{json}{account}{email}, $email,
    'the access token acts as the account that signed in');
$res = $s->request(GET => '/openapi/v1/account/sessions?limit=200',
    { token => $t1->{access_token} });
my ($session) = grep { ($_->{client_id} // '') eq $public->{client_id} }
    @{ ($res->{json} // {})->{data} // [] };
ok($session, 'the access token is listed among the account\'s sessions '
    . 'under the client\'s client_id');
$session //= {};
is($session->{device_label}, 'Token CLI',
    'the session\'s device_label is the client_name');
my ($y, $mo, $d, $h, $mi, $se) = ($session->{expires_at} // '')
    =~ /\A(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z\z/;
my $left = defined $y ? timegm($se, $mi, $h, $d, $mo - 1, $y) - time : 0;
ok($left > 3500 && $left <= 3600,
    'the session expires after oauth_access_minutes (60)')
    or diag("expires_at $session->{expires_at}, $left s from now");

# --- refused exchanges ------------------------------------------------------

$r = new_code();
is_oauth_error(token(exchange_fields($r, undef,
        code_verifier => scalar((pkce_pair(64))[0]))),
    400, 'invalid_grant', 'a wrong code_verifier is invalid_grant');
$r = new_code();
is_oauth_error(token(exchange_fields($r, undef, code_verifier => undef)),
    400, 'invalid_request', 'a missing code_verifier is invalid_request');
$r = new_code();
is_oauth_error(token(exchange_fields($r, undef,
        redirect_uri => 'http://127.0.0.1:53682/other')),
    400, 'invalid_grant',
    'a redirect_uri unlike the request\'s is invalid_grant');
$r = new_code();
is_oauth_error(token(exchange_fields($r, $other,
        redirect_uri => $redirect)),
    400, 'invalid_grant', 'a code given to another client is invalid_grant');
$r = new_code();
is_oauth_error(token(exchange_fields($r, undef, code => 'x' . $r->{code})),
    400, 'invalid_grant', 'an unknown code is invalid_grant');
$r = new_code();
$s->sql(q{UPDATE oauth_codes SET expires_at = now() - interval '1 second'
    WHERE code_sha256 = :'p1'}, Digest::SHA::sha256_hex($r->{code}));
is_oauth_error(token(exchange_fields($r)), 400, 'invalid_grant',
    'an expired code is invalid_grant');

# A code used twice: the second use fails and revokes what the first gave.
$r = new_code();
$res = token(exchange_fields($r));
is($res->{status}, 200, 'a code\'s first use answers 200');
my $first = $res->{json} // {};
is(account_status($first->{access_token}), 200,
    'the first use\'s access token works');
is_oauth_error(token(exchange_fields($r)), 400, 'invalid_grant',
    'the same code a second time is invalid_grant');
is(account_status($first->{access_token}), 401,
    'after the code\'s reuse the first access token gets 401');
is_oauth_error(token({ grant_type => 'refresh_token',
        refresh_token => $first->{refresh_token},
        client_id => $public->{client_id} }), 400, 'invalid_grant',
    'after the code\'s reuse the first refresh token is refused');

# --- refresh ----------------------------------------------------------------

$r = new_code();
my $ta = token(exchange_fields($r))->{json} // {};
$res = token({ grant_type => 'refresh_token',
    refresh_token => $ta->{refresh_token},
    client_id => $public->{client_id} });
is($res->{status}, 200, 'a refresh answers 200');
is($res->{headers}{'cache-control'}, 'no-store',
    'the refresh answer has Cache-Control: no-store');
my $b2 = $res->{json} // {};
like($b2->{access_token} // '', qr/\Adrio_/,
    'a refresh gives an access token');
like($b2->{refresh_token} // '', qr/\Adrt_/,
    'a refresh gives a refresh token');
isnt($b2->{access_token}, $ta->{access_token},
    'the refreshed access token is new');
isnt($b2->{refresh_token}, $ta->{refresh_token},
    'the refresh token is rotated');
is(join(' ', sort split / /, $b2->{scope} // ''), 'api offline_access',
    'a refresh without scope keeps the granted scope');
is(account_status($b2->{access_token}), 200,
    'the refreshed access token works');

is_oauth_error(token({ grant_type => 'refresh_token',
        refresh_token => $ta->{refresh_token},
        client_id => $public->{client_id} }), 400, 'invalid_grant',
    'a spent refresh token is invalid_grant');
is(account_status($ta->{access_token}), 401,
    'reusing a spent refresh token revokes the first access token');
is(account_status($b2->{access_token}), 401,
    'reusing a spent refresh token revokes the refreshed access token');
is_oauth_error(token({ grant_type => 'refresh_token',
        refresh_token => $b2->{refresh_token},
        client_id => $public->{client_id} }), 400, 'invalid_grant',
    'reusing a spent refresh token revokes the newest refresh token');

$ta = token(exchange_fields(new_code()))->{json} // {};
$s->sql(q{UPDATE oauth_refresh_tokens
    SET expires_at = now() - interval '1 second' WHERE token_sha256 = :'p1'},
    Digest::SHA::sha256_hex($ta->{refresh_token} // ''));
is_oauth_error(token({ grant_type => 'refresh_token',
        refresh_token => $ta->{refresh_token},
        client_id => $public->{client_id} }), 400, 'invalid_grant',
    'an expired refresh token is invalid_grant');

$r = new_code();
$ta = token(exchange_fields($r))->{json} // {};
is_oauth_error(token({ grant_type => 'refresh_token',
        refresh_token => $ta->{refresh_token},
        client_id => $public->{client_id},
        scope => 'api offline_access admin' }), 400, 'invalid_scope',
    'a refresh asking for more than was granted is invalid_scope');
$ta = token(exchange_fields(new_code()))->{json} // {};
is_oauth_error(token({ grant_type => 'refresh_token',
        refresh_token => $ta->{refresh_token},
        client_id => $other->{client_id} }), 400, 'invalid_grant',
    'another client presenting a refresh token gets invalid_grant');
$ta = token(exchange_fields(new_code()))->{json} // {};
$res = token({ grant_type => 'refresh_token',
    refresh_token => $ta->{refresh_token}, client_id => $public->{client_id},
    scope => 'api' });
is_deeply([ $res->{status}, ($res->{json} // {})->{scope} ], [ 200, 'api' ],
    'a refresh may narrow the scope');

# --- grant types and request shape ------------------------------------------

is_oauth_error(token({ grant_type => 'password', username => $email,
        password => $password, client_id => $public->{client_id} }),
    400, 'unsupported_grant_type', 'an unknown grant_type is '
    . 'unsupported_grant_type');
is_oauth_error(token({ code => 'x', client_id => $public->{client_id} }),
    400, 'invalid_request', 'a missing grant_type is invalid_request');
$res = token({ grant_type => 'password', client_id => $public->{client_id} });
is_deeply([ $res->{headers}{'cache-control'}, $res->{headers}{pragma} ],
    [ 'no-store', 'no-cache' ],
    'an error answer also has Cache-Control: no-store and Pragma: no-cache');
$r = new_code();
$res = $s->request(POST => '/oauth/token',
    { json => exchange_fields($r) });
is($res->{status}, 400, 'a JSON token request is a 400');

# --- client authentication --------------------------------------------------

$r = new_code();
$res = token(exchange_fields($r, undef, client_id => undef));
is_oauth_error($res, 401, 'invalid_client',
    'a public client sending no client_id is 401 invalid_client');
like($res->{headers}{'www-authenticate'} // '', qr/\ABasic\b/,
    'the invalid_client answer asks for Basic authentication');
$r = new_code();
is_oauth_error(token(exchange_fields($r, undef,
        client_id => 'dc_AAAAAAAAAAAAAAAAAAAAAA')), 401, 'invalid_client',
    'an unknown client_id is 401 invalid_client');

my $basic = $s->register_client({ redirect_uris => ['https://basic.example/cb'],
    client_name => 'Basic Server',
    token_endpoint_auth_method => 'client_secret_basic' });
$r = new_code(client => $basic);
$res = token(exchange_fields($r, $basic, client_id => undef),
    basic => [ $basic->{client_id}, $basic->{client_secret} ]);
is($res->{status}, 200,
    'a client_secret_basic client with the right secret gets tokens');
$r = new_code(client => $basic);
$res = token(exchange_fields($r, $basic, client_id => undef),
    basic => [ $basic->{client_id}, 'wrong-secret' ]);
is_oauth_error($res, 401, 'invalid_client',
    'a wrong client secret is 401 invalid_client');
is($res->{headers}{'www-authenticate'}, 'Basic realm="drio"',
    'a wrong client secret answers WWW-Authenticate: Basic realm="drio"');
$res = token(exchange_fields($r, $basic));
is_oauth_error($res, 401, 'invalid_client',
    'a confidential client sending no secret is 401 invalid_client');
$res = token(exchange_fields($r, $basic,
    client_secret => $basic->{client_secret}));
is_oauth_error($res, 401, 'invalid_client',
    'a client_secret_basic client sending its secret in the form is 401');

my $post = $s->register_client({ redirect_uris => ['https://post.example/cb'],
    client_name => 'Post Server',
    token_endpoint_auth_method => 'client_secret_post' });
$r = new_code(client => $post);
$res = token(exchange_fields($r, $post,
    client_secret => $post->{client_secret}));
is($res->{status}, 200,
    'a client_secret_post client with its secret in the form gets tokens');
$r = new_code(client => $post);
is_oauth_error(token(exchange_fields($r, $post, client_secret => 'nope')),
    401, 'invalid_client',
    'a client_secret_post client with a wrong secret is 401');
my $refresh = ($res->{json} // {})->{refresh_token};
is_oauth_error(token({ grant_type => 'refresh_token',
        refresh_token => $refresh, client_id => $post->{client_id} }),
    401, 'invalid_client',
    'a confidential client refreshing without its secret is 401');

my $refresh_only = $s->register_client({ redirect_uris => [$redirect],
    grant_types => ['refresh_token'] });
is_oauth_error(token({ grant_type => 'authorization_code', code => 'x' x 43,
        redirect_uri => $redirect, code_verifier => 'v' x 43,
        client_id => $refresh_only->{client_id} }), 400,
    'unauthorized_client',
    'a client that did not register authorization_code is '
    . 'unauthorized_client');

# --- scope and the archived path --------------------------------------------

$r = new_code(scope => 'api');
$res = token(exchange_fields($r));
is($res->{status}, 200, 'a code for scope api alone is exchanged');
ok(!exists(($res->{json} // {})->{refresh_token}),
    'without offline_access there is no refresh token');
is(($res->{json} // {})->{scope}, 'api', 'the scope is api');
$r = new_code(scope => undef);
$res = token(exchange_fields($r));
is_deeply([ $res->{status}, ($res->{json} // {})->{scope},
        exists(($res->{json} // {})->{refresh_token}) ? 1 : 0 ],
    [ 200, 'api', 0 ], 'a request that names no scope gets api');

$r = new_code();
$res = token(exchange_fields($r), path => '/api/v1/auth/token');
is($res->{status}, 200, 'the /api/v1/auth/token alias exchanges a code');
is(account_status(($res->{json} // {})->{access_token}), 200,
    'the access token from the alias works');

$s->finish;
done_testing;
