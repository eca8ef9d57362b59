#!/usr/bin/perl
# 30-oauth-discovery.t: the two discovery documents drio publishes as an
# OAuth authorization server (RFC 8414) and protected resource (RFC 9728),
# exactly as docs/oauth.md lists them, and how closing registration
# changes the first.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use JSON::PP ();
use Test::More;
use DrioStack;
use DrioTest;

my $s = DrioStack->start;
my $base = $s->public_url;

# --- the authorization server metadata --------------------------------------

my $res = $s->request(GET => '/.well-known/oauth-authorization-server');
is($res->{status}, 200, 'the authorization server metadata answers 200');
like($res->{headers}{'content-type'} // '', qr{\Aapplication/json\b}i,
    'the authorization server metadata is JSON');
is($res->{headers}{'cache-control'}, 'public, max-age=3600',
    'the authorization server metadata may be cached for an hour');
my $meta = $res->{json} // {};
is($meta->{issuer}, $base, 'the issuer is the public URL');
is_deeply([ @$meta{qw(authorization_endpoint token_endpoint
        registration_endpoint revocation_endpoint
        device_authorization_endpoint)} ],
    [ "$base/oauth/authorize", "$base/oauth/token", "$base/oauth/register",
      "$base/oauth/revoke", "$base/openapi/v1/oauth/device/code" ],
    'every endpoint URL starts with the public URL and names its path');
is_deeply($meta->{code_challenge_methods_supported}, ['S256'],
    'S256 is the only PKCE method offered');
is($meta->{authorization_response_iss_parameter_supported}, JSON::PP::true,
    'the metadata says authorization responses carry iss (RFC 9207)');
is_deeply($meta, {
    issuer                 => $base,
    authorization_endpoint => "$base/oauth/authorize",
    token_endpoint         => "$base/oauth/token",
    registration_endpoint  => "$base/oauth/register",
    revocation_endpoint    => "$base/oauth/revoke",
    device_authorization_endpoint =>
        "$base/openapi/v1/oauth/device/code",
    response_types_supported => ['code'],
    response_modes_supported => ['query'],
    grant_types_supported    => [ 'authorization_code', 'refresh_token',
        'urn:ietf:params:oauth:grant-type:device_code' ],
    token_endpoint_auth_methods_supported =>
        [ 'none', 'client_secret_basic', 'client_secret_post' ],
    revocation_endpoint_auth_methods_supported =>
        [ 'none', 'client_secret_basic', 'client_secret_post' ],
    code_challenge_methods_supported => ['S256'],
    scopes_supported                 => [ 'api', 'offline_access' ],
    authorization_response_iss_parameter_supported => JSON::PP::true,
    client_id_metadata_document_supported => JSON::PP::true,
}, 'the authorization server metadata is exactly the documented one');

# --- the protected resource metadata ----------------------------------------

$res = $s->request(GET => '/.well-known/oauth-protected-resource');
is($res->{status}, 200, 'the protected resource metadata answers 200');
like($res->{headers}{'content-type'} // '', qr{\Aapplication/json\b}i,
    'the protected resource metadata is JSON');
is($res->{headers}{'cache-control'}, 'public, max-age=3600',
    'the protected resource metadata may be cached for an hour');
is_deeply($res->{json}, {
    resource                 => $base,
    authorization_servers    => [$base],
    scopes_supported         => [ 'api', 'offline_access' ],
    bearer_methods_supported => ['header'],
    resource_name            => 'drio',
}, 'the protected resource metadata is exactly the documented one');

$res = $s->request(POST => '/oauth/register',
    { json => { redirect_uris => ['https://app.example/cb'] } });
is($res->{status}, 201, 'registration is open by default');

$s->finish;

# --- registration closed ----------------------------------------------------

my $closed = DrioStack->start(
    env => { DRIO_OAUTH_REGISTRATION => 'closed' });
$base = $closed->public_url;
$res = $closed->request(GET => '/.well-known/oauth-authorization-server');
is($res->{status}, 200,
    'the metadata answers 200 when registration is closed');
$meta = $res->{json} // {};
ok(!exists $meta->{registration_endpoint},
    'closed registration leaves registration_endpoint out of the metadata');
is_deeply([ @$meta{qw(issuer token_endpoint)} ],
    [ $base, "$base/oauth/token" ],
    'closed registration keeps the rest of the metadata');

$res = $closed->request(POST => '/oauth/register',
    { json => { redirect_uris => ['https://app.example/cb'] } });
is($res->{status}, 403, 'registering when registration is closed is a 403');
is(($res->{json} // {})->{error}, 'access_denied',
    'the closed registration answer is {"error":"access_denied"}');
$res = $closed->request(POST => '/api/v1/auth/register',
    { json => { redirect_uris => ['https://app.example/cb'] } });
is_deeply([ $res->{status}, ($res->{json} // {})->{error} ],
    [ 403, 'access_denied' ],
    'the archived /api/v1/auth/register path is closed too');
is($closed->sql('SELECT count(*) FROM oauth_clients'), 0,
    'a refused registration stores no client');

$closed->finish;
done_testing;
