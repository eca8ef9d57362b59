#!/usr/bin/perl
# 31-oauth-register.t: dynamic client registration (RFC 7591): public and
# confidential clients, what a redirect URI may be, which metadata is
# refused, and that a client secret is shown once and stored only as its
# SHA-256.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Digest::SHA qw(sha256_hex);
use JSON::PP ();
use Test::More;
use DrioStack;
use DrioTest;
use DrioBrowser qw(base64url);

my $s = DrioStack->start;

my $CLIENT_ID_RE = qr/\Adc_[A-Za-z0-9_-]{22}\z/;

sub register {
    my ($meta, $path) = @_;
    return $s->request(POST => $path // '/oauth/register', { json => $meta });
}

# The row of oauth_clients that mentions $client_id, as JSON text (the
# test does not depend on the table's column names).
sub client_row {
    my ($client_id) = @_;
    return $s->sql(q{SELECT to_jsonb(c)::text FROM oauth_clients c
        WHERE strpos(to_jsonb(c)::text, :'p1') > 0}, $client_id);
}

# One test: $res is a 400 RFC 7591 error with that error code and an
# error_description.
sub is_registration_error {
    my ($res, $error, $desc) = @_;
    my $body = $res->{json};
    my @why;
    push @why, "status is $res->{status}, not 400" if $res->{status} != 400;
    if (ref $body ne 'HASH') {
        push @why, 'body is not a JSON object';
    } else {
        push @why, 'error is ' . json_text($body->{error})
            . ", not \"$error\""
            if !defined $body->{error} || $body->{error} ne $error;
        push @why, 'error_description is missing'
            if !defined $body->{error_description}
                || ref $body->{error_description}
                || $body->{error_description} eq '';
    }
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    ok(!@why, $desc) or diag(join "\n", @why, "body: $res->{content}");
}

# --- a public client --------------------------------------------------------

my $res = register({
    redirect_uris => ['http://127.0.0.1:53682/callback'],
    client_name   => 'Test CLI',
    scope         => 'api offline_access',
    software_id   => 'drio-tests',
    software_version => '1.2.3',
});
is($res->{status}, 201, 'registering a public client answers 201');
like($res->{headers}{'content-type'} // '', qr{\Aapplication/json\b}i,
    'the registration answer is JSON');
my $public = $res->{json} // {};
like($public->{client_id} // '', $CLIENT_ID_RE,
    'the client_id is dc_ and 22 base64url characters');
ok(!exists $public->{client_secret},
    'a public client gets no client_secret');
ok(!exists $public->{client_secret_expires_at},
    'a public client gets no client_secret_expires_at');
is_deeply([ @$public{qw(redirect_uris client_name token_endpoint_auth_method
        scope software_id software_version)} ],
    [ ['http://127.0.0.1:53682/callback'], 'Test CLI', 'none',
      'api offline_access', 'drio-tests', '1.2.3' ],
    'the registered metadata is echoed, auth method none by default');
is_deeply($public->{grant_types}, [ 'authorization_code', 'refresh_token' ],
    'the default grant types are authorization_code and refresh_token');
like($public->{client_id_issued_at} // '', qr/\A\d+\z/,
    'client_id_issued_at is an integer');
ok(abs(($public->{client_id_issued_at} // 0) - time) < 300,
    'client_id_issued_at is the registration time in Unix seconds');
isnt(client_row($public->{client_id} // 'none'), '',
    'the client is stored in oauth_clients');

$res = register({ redirect_uris => ['https://app.example/cb'] });
is(($res->{json} // {})->{client_name}, 'Unnamed client',
    'a client that gives no name is called "Unnamed client"');
my $other_id = ($res->{json} // {})->{client_id} // '';
isnt($other_id, $public->{client_id},
    'every registration gets a new client_id');

# --- confidential clients ---------------------------------------------------

for my $method (qw(client_secret_basic client_secret_post)) {
    $res = register({ redirect_uris => ['https://app.example/cb'],
        client_name => "Server $method",
        token_endpoint_auth_method => $method });
    is($res->{status}, 201, "registering a $method client answers 201");
    my $c = $res->{json} // {};
    is($c->{token_endpoint_auth_method}, $method,
        "the $method client's auth method is echoed");
    like($c->{client_secret} // '', qr/\A[\x21-\x7e]{20,}\z/,
        "a $method client gets a client_secret");
    is($c->{client_secret_expires_at}, 0,
        "a $method client's secret never expires "
        . '(client_secret_expires_at 0)');
    my $row = client_row($c->{client_id} // 'none');
    my $secret = $c->{client_secret} // 'no secret';
    ok(index($row, $secret) < 0,
        "the $method client's secret is not stored in oauth_clients");
    my $hex = sha256_hex($secret);
    my $b64 = base64url(Digest::SHA::sha256($secret));
    ok(index($row, $hex) >= 0 || index($row, $b64) >= 0,
        "oauth_clients holds the SHA-256 of the $method client's secret")
        or diag("row: $row");
}
my @columns = split /\n/, $s->sql(q{SELECT column_name
    FROM information_schema.columns WHERE table_name = 'oauth_clients'});
ok(!grep({ /\Aclient_secret\z|\Asecret\z/ } @columns),
    'oauth_clients has no column for a plain secret')
    or diag("columns: @columns");

# --- redirect URIs ----------------------------------------------------------

for my $uri ('http://127.0.0.1:53682/callback', 'http://127.0.0.1/cb',
    'http://[::1]:8000/cb', 'http://localhost:3000/cb',
    'https://app.example/cb?x=1', 'https://app.example:8443/oauth/callback') {
    is(register({ redirect_uris => [$uri] })->{status}, 201,
        "the redirect URI $uri is accepted");
}
is(register({ redirect_uris => [ map { "https://app.example/cb$_" } 1 .. 10 ]
    })->{status}, 201, 'ten redirect URIs are accepted');

for my $case (
    [ { redirect_uris => ['http://app.example/cb'] },
      'http on a host that is not loopback' ],
    [ { redirect_uris => ['http://192.168.1.10:8080/cb'] },
      'http on a private but not loopback address' ],
    [ { redirect_uris => ['https://app.example/cb#frag'] },
      'a redirect URI with a fragment' ],
    [ { redirect_uris => ['/callback'] }, 'a relative redirect URI' ],
    [ { redirect_uris => ['app.example/cb'] },
      'a redirect URI without a scheme' ],
    [ { client_name => 'no uris' }, 'a registration without redirect_uris' ],
    [ { redirect_uris => [] }, 'an empty redirect_uris list' ],
    [ { redirect_uris => [ map { "https://app.example/cb$_" } 1 .. 11 ] },
      'eleven redirect URIs' ],
    [ { redirect_uris => [ 'https://app.example/cb', 42 ] },
      'a redirect_uris entry that is not a string' ],
    [ { redirect_uris => ['javascript:alert(1)'] },
      'a javascript: redirect URI' ],
    [ { redirect_uris => [ 'https://app.example/' . ('a' x 2000) ] },
      'a redirect URI over 2000 characters' ],
) {
    my ($meta, $what) = @$case;
    is_registration_error(register($meta), 'invalid_redirect_uri',
        "$what is refused with 400 invalid_redirect_uri");
}

$res = register({ redirect_uris => 'https://app.example/cb' });
is_deeply([ $res->{status}, defined(($res->{json} // {})->{error}) ? 1 : 0 ],
    [ 400, 1 ], 'redirect_uris that is a string, not a list, is a 400');

# --- other metadata ---------------------------------------------------------

my @ok_uri = (redirect_uris => ['https://app.example/cb']);
for my $case (
    [ { token_endpoint_auth_method => 'private_key_jwt' },
      'an unknown token_endpoint_auth_method' ],
    [ { response_types => ['token'] }, 'response_types ["token"]' ],
    [ { response_types => [ 'code', 'token' ] },
      'response_types ["code", "token"]' ],
    [ { grant_types => ['password'] }, 'an unknown grant type' ],
    [ { grant_types => [ 'authorization_code', 'implicit' ] },
      'a grant type list with an unknown member' ],
    [ { scope => 'api admin' }, 'an unknown scope' ],
    [ { logo_uri => 'http://app.example/logo.png' },
      'a logo_uri that is not https' ],
    [ { client_uri => 'ftp://app.example/' },
      'a client_uri that is not https' ],
    [ { client_name => 'x' x 201 }, 'a client_name over 200 characters' ],
) {
    my ($meta, $what) = @$case;
    is_registration_error(register({ @ok_uri, %$meta }),
        'invalid_client_metadata',
        "$what is refused with 400 invalid_client_metadata");
}

$res = register({ @ok_uri, response_types => ['code'],
    grant_types => ['authorization_code'],
    logo_uri => 'https://app.example/logo.png',
    client_uri => 'https://app.example/',
    contacts => ['ops@app.example'], client_name => 'x' x 200 });
is($res->{status}, 201,
    'every documented field with allowed values is accepted');
is_deeply([ @{ $res->{json} // {} }{qw(grant_types response_types logo_uri
        client_uri contacts)} ],
    [ ['authorization_code'], ['code'], 'https://app.example/logo.png',
      'https://app.example/', ['ops@app.example'] ],
    'the registered grant types, response types, URLs and contacts are '
    . 'echoed');
$res = register({ @ok_uri, grant_types => [ 'authorization_code',
    'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code' ] });
is($res->{status}, 201, 'the device_code grant type may be registered');
is_deeply(($res->{json} // {})->{grant_types}, [ 'authorization_code',
        'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code' ],
    'all three grant types are echoed');

$res = register({ @ok_uri, client_name => 'Tolerant',
    tos_uri => 'https://app.example/tos', jwks_uri => 'https://x/',
    foo => [1] });
is($res->{status}, 201, 'unknown metadata fields are ignored');
ok(!exists(($res->{json} // {})->{foo}),
    'an ignored field is not echoed back');

$res = $s->request(POST => '/oauth/register',
    { body => 'redirect_uris=https://app.example/cb',
      content_type => 'application/x-www-form-urlencoded' });
is($res->{status}, 400, 'a body that is not JSON is a 400');
ok(defined(($res->{json} // {})->{error}),
    'the answer to a body that is not JSON names an error');
$res = $s->request(POST => '/oauth/register',
    { body => '{"redirect_uris": [', content_type => 'application/json' });
is_deeply([ $res->{status}, defined(($res->{json} // {})->{error}) ? 1 : 0 ],
    [ 400, 1 ], 'malformed JSON is a 400 that names an error');
$res = $s->request(POST => '/oauth/register',
    { body => '["https://app.example/cb"]',
      content_type => 'application/json' });
is($res->{status}, 400, 'a JSON body that is not an object is a 400');

my $before = $s->sql('SELECT count(*) FROM oauth_clients');
register({ redirect_uris => ['http://app.example/cb'] });
is($s->sql('SELECT count(*) FROM oauth_clients'), $before,
    'a refused registration stores no client');

# --- the archived path ------------------------------------------------------

$res = register({ redirect_uris => ['http://localhost:9999/cb'],
    client_name => 'Archived' }, '/api/v1/auth/register');
is($res->{status}, 201, 'the /api/v1/auth/register alias registers a client');
like(($res->{json} // {})->{client_id} // '', $CLIENT_ID_RE,
    'the alias answers a client_id');
is_registration_error(register({ redirect_uris => ['http://app.example/cb'] },
        '/api/v1/auth/register'), 'invalid_redirect_uri',
    'the alias refuses a bad redirect URI the same way');

$s->finish;

# --- registration restricted by an initial access token (RFC 7591 3) ------

my $r = DrioStack->start(env => {
    DRIO_OAUTH_REGISTRATION_TOKEN => 'initial-access-token-1' });
my $meta = { redirect_uris => ['https://app.example/cb'] };
$res = $r->request(POST => '/oauth/register', { json => $meta });
is($res->{status}, 401,
    'with an initial access token configured, registering without it is 401');
is(($res->{json} // {})->{error}, 'invalid_token',
    'and the error is invalid_token');
like($res->{headers}{'www-authenticate'} // '', qr/\ABearer\b/,
    'with a Bearer challenge');
$res = $r->request(POST => '/oauth/register', { json => $meta,
    headers => { Authorization => 'Bearer wrong-token' } });
is($res->{status}, 401, 'another token is refused');
$res = $r->request(POST => '/api/v1/auth/register', { json => $meta,
    headers => { Authorization => 'Bearer initial-access-token-1' } });
is($res->{status}, 201, 'the configured token lets a client register');
$r->finish;

done_testing;
