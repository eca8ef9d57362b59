#!/usr/bin/perl
# 62-oauth-resource.t: resource indicators (RFC 8707) at drio's
# authorization server and the protected-resource documents (RFC 9728) of
# the MCP endpoints (docs/oauth.md "Resource indicators").
#
# - each MCP endpoint's document at the path-suffixed well-known URL: its
#   resource exactly the endpoint's URL (3.3), the issuer as its
#   authorization server, the app's name; 404 for an unknown app; the root
#   document unchanged;
# - a code asked for an MCP endpoint gives a token bound to it (a trailing
#   slash dropped), which the APIs refuse with 401 invalid_token; one
#   bound to the origin, or to nothing, works there;
# - invalid_target for a foreign URL, a longer host, a fragment, a query,
#   a relative URI, another path, an unknown app, two resources, a token
#   request naming another resource (the code is then spent), and a
#   refresh naming another resource;
# - a refresh keeps the binding;
# - the device flow with a resource: bound token, lookup naming it, a poll
#   naming another resource refused.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Digest::SHA qw(sha256_hex);
use Test::More;
use DrioStack;
use DrioTest;
use DrioApps;
use DrioBrowser qw(:DEFAULT form_urlencode query_params uri_escape);

my $s = DrioStack->start(responders => [qw(openapi oauth api-v3)]);
my $issuer = $s->public_url;

use constant DEVICE_GRANT => 'urn:ietf:params:oauth:grant-type:device_code';
use constant PRM => '/.well-known/oauth-protected-resource';

# --- an account, a workspace with two apps, a client ------------------------

my $email = 'resource@example.com';
my $password = 'resource-password-1';
my ($code, undef, $err) = $s->admin_stdin("$password\n", 'create-account',
    $email, '--password-stdin');
BAIL_OUT("create-account $email failed: $err") if $code != 0;
my $approver_token = $s->issue_token($email, label => 'approver');
my $workspace = $s->seed_workspace('Acme', $email);
my $ws = $s->sql("SELECT slug FROM workspaces WHERE id = :'p1'", $workspace);
BAIL_OUT('the workspace has no slug') if $ws eq '';
seed_app($s, $workspace, name => 'Customer CRM', slug => 'crm');
seed_app($s, $workspace, name => 'Billing', slug => 'billing',
    visibility => 'public');

my $endpoint = "$issuer/mcp/$ws/crm";
my $billing = "$issuer/mcp/$ws/billing";

my $redirect = 'http://127.0.0.1:53682/callback';
my $cli = $s->register_client({ redirect_uris => [$redirect],
    client_name => 'Resource CLI',
    grant_types => [ 'authorization_code', 'refresh_token', DEVICE_GRANT ] });

my $b = DrioBrowser->new($s);
my $signed = $b->sign_in($email, $password);
BAIL_OUT("signing in failed: $signed->{status}") if $signed->{status} != 303;

# --- helpers ----------------------------------------------------------------

# POST form fields to the token endpoint; \@pairs gives them in order
# (repeats allowed), a hash ref as a hash.
sub token {
    my ($fields) = @_;
    my $body = ref $fields eq 'ARRAY'
        ? join('&', map { uri_escape($fields->[2 * $_]) . '='
              . uri_escape($fields->[2 * $_ + 1]) } 0 .. $#$fields / 2)
        : form_urlencode($fields);
    return $s->request(POST => '/oauth/token', { body => $body,
        content_type => 'application/x-www-form-urlencoded' });
}

# A code for %p (resource => ... among them): {code, verifier, ...};
# BAIL_OUT when none comes.
sub new_code {
    my (%p) = @_;
    my $r = $b->authorize(client_id => $cli->{client_id},
        redirect_uri => $redirect, scope => 'api offline_access',
        state => 's', %p);
    BAIL_OUT('no code from the authorization endpoint: '
        . (($r->{answer} // $r->{consent})->{status} // '?') . ' '
        . ($r->{location} // ''))
        unless defined $r->{code};
    return $r;
}

# The exchange of code $r, with %more fields (resource => ...).
sub exchange {
    my ($r, %more) = @_;
    return token({ grant_type => 'authorization_code', code => $r->{code},
        redirect_uri => $redirect, code_verifier => $r->{verifier},
        client_id => $cli->{client_id}, %more });
}

# The resource an access token's session is bound to ('' for none).
sub session_resource {
    my ($token) = @_;
    return $s->sql(q{SELECT coalesce(resource, '') FROM api_sessions
        WHERE token_sha256 = :'p1'}, sha256_hex($token));
}

# The status GET /api/v3/me answers with $token, and the answer.
sub me {
    my ($token) = @_;
    return $s->request(GET => '/api/v3/me', { token => $token });
}

# GET /oauth/authorize with the query given exactly (a list of pairs, so
# a parameter may repeat).
sub authorize_raw {
    my (@pairs) = @_;
    my (undef, $challenge) = pkce_pair();
    unshift @pairs, response_type => 'code',
        client_id => $cli->{client_id}, redirect_uri => $redirect,
        code_challenge => $challenge, code_challenge_method => 'S256',
        state => 'st-9';
    return $b->get('/oauth/authorize?' . join('&',
        map { uri_escape($pairs[2 * $_]) . '=' . uri_escape($pairs[2 * $_ + 1]) }
        0 .. $#pairs / 2));
}

# One test: $res sends the client back with error=invalid_target, state
# and iss, and no code.
sub is_target_redirect {
    my ($res, $desc) = @_;
    my $p = query_params($res->{location} // '');
    my @why;
    push @why, "status is $res->{status}, not 302" if $res->{status} != 302;
    push @why, 'Location ' . ($res->{location} // '(none)')
        . " is not the redirect URI"
        unless index($res->{location} // '', "$redirect?") == 0;
    push @why, 'error is ' . ($p->{error} // '(none)')
        if ($p->{error} // '') ne 'invalid_target';
    push @why, 'state is ' . ($p->{state} // '(none)')
        if ($p->{state} // '') ne 'st-9';
    push @why, 'iss is ' . ($p->{iss} // '(none)')
        if ($p->{iss} // '') ne $issuer;
    push @why, 'a code came with the error' if exists $p->{code};
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    ok(!@why, $desc) or diag(join "\n", @why);
}

# --- the protected-resource documents (RFC 9728) ----------------------------

my $prm_path = PRM . "/mcp/$ws/crm";
my $res = $s->request(GET => $prm_path);
is($res->{status}, 200, 'an MCP endpoint\'s protected-resource document '
    . 'is served at the path-suffixed well-known URL');
like($res->{headers}{'content-type'} // '', qr{\Aapplication/json\b}i,
    'the document is JSON');
my $doc = $res->{json} // {};
is($doc->{resource}, $endpoint,
    'its resource is exactly the endpoint\'s URL');
(my $stripped = $s->url($prm_path)) =~ s{\Q@{[PRM]}\E}{};
is($doc->{resource}, $stripped, 'its resource is the document\'s URL with '
    . 'the well-known segment taken out (RFC 9728 3.3)');
is_deeply($doc->{authorization_servers}, [$issuer],
    'its authorization server is drio\'s issuer');
is_deeply($doc->{bearer_methods_supported}, ['header'],
    'bearer tokens go in the Authorization header');
is_deeply($doc->{scopes_supported}, [ 'api', 'offline_access' ],
    'it lists the scopes drio\'s authorization server has');
is($doc->{resource_name}, 'Customer CRM', 'its resource_name is the app\'s '
    . 'name');
is($s->request(GET => PRM . "/mcp/$ws/billing")->{json}{resource}, $billing,
    'a public app\'s endpoint has its own document too');
my $as = $s->request(GET => '/.well-known/oauth-authorization-server')->{json}
    // {};
is($as->{issuer}, $doc->{authorization_servers}[0],
    'the authorization server named is the one whose metadata says so');

is_error($s->request(GET => PRM . "/mcp/$ws/nope"), 404, 'app_not_found',
    'an unknown app has no document: 404 app_not_found');
is_error($s->request(GET => PRM . "/mcp/nowhere/crm"), 404, 'app_not_found',
    'an unknown workspace has no document: 404 app_not_found');
is_error($s->request(GET => PRM . "/mcp/$ws/CRM"), 404, 'app_not_found',
    'a slug that is not a slug has no document: 404 app_not_found');
is($s->request(GET => PRM . "/mcp/$ws")->{status}, 404,
    'a path naming no app is 404');

$doc = $s->request(GET => PRM)->{json} // {};
is($doc->{resource}, $issuer, 'the root document\'s resource is still the '
    . 'origin');
is($doc->{resource_name}, 'drio', 'the root document is still drio\'s');

# --- a token for an MCP endpoint --------------------------------------------

my $r = new_code(resource => $endpoint);
like($r->{consent}{content} // '', qr{\Q$endpoint\E},
    'the consent page names the endpoint the token will be for');
like($r->{consent}{content} // '', qr{Customer CRM},
    'the consent page names the app');
is($s->sql(q{SELECT resource FROM oauth_codes WHERE code_sha256 = :'p1'},
        sha256_hex($r->{code})), $endpoint,
    'the code remembers the resource');
$res = exchange($r, resource => $endpoint);
is($res->{status}, 200, 'the token request may name the same resource')
    or diag($res->{content});
my $mcp = $res->{json} // {};
is(session_resource($mcp->{access_token} // ''), $endpoint,
    'the access token is bound to the endpoint');
is($s->sql(q{SELECT g.resource FROM oauth_grants g
        JOIN api_sessions s ON s.grant_id = g.id
        WHERE s.token_sha256 = :'p1'}, sha256_hex($mcp->{access_token} // '')),
    $endpoint, 'so is its grant, which its refresh token belongs to');
$res = me($mcp->{access_token});
is_error($res, 401, 'invalid_token',
    'GET /api/v3/me refuses a token bound to an MCP endpoint');
like($res->{headers}{'www-authenticate'} // '', qr/error="invalid_token"/,
    'with a Bearer challenge saying invalid_token');
like(($res->{json} // {})->{message} // '', qr/another resource/,
    'saying the token was issued for another resource');
is($s->request(GET => '/openapi/v1/account',
        { token => $mcp->{access_token} })->{status}, 401,
    'the user-scoped API refuses it too');

$r = new_code(resource => "$endpoint/");
$res = exchange($r);
is($res->{status}, 200, 'a token request need not repeat the resource');
is(session_resource(($res->{json} // {})->{access_token} // ''), $endpoint,
    'the token is bound all the same, the trailing slash dropped');

$r = new_code(resource => uc($issuer) . "/mcp/$ws/crm");
is(session_resource((exchange($r, resource => $endpoint)->{json} // {})
        ->{access_token} // ''), $endpoint,
    'scheme and host compare without regard to case, and are stored as '
    . 'public_url spells them');

# --- tokens the APIs take ---------------------------------------------------

$r = new_code(resource => $issuer);
$res = exchange($r, resource => "$issuer/");
is($res->{status}, 200, 'a code for the origin is exchanged')
    or diag($res->{content});
my $origin_token = ($res->{json} // {})->{access_token} // '';
is(session_resource($origin_token), $issuer,
    'the token is bound to the origin');
$res = me($origin_token);
is($res->{status}, 200, 'GET /api/v3/me takes a token bound to the origin');
is((($res->{json} // {})->{account} // {})->{email}, $email,
    'and it acts as the account that signed in')
    or diag($res->{content});

$r = new_code();
$res = exchange($r);
my $plain = ($res->{json} // {})->{access_token} // '';
is(session_resource($plain), '', 'without a resource, the token is bound '
    . 'to nothing');
is(me($plain)->{status}, 200, 'GET /api/v3/me takes it, as before');

# --- invalid_target at the authorization endpoint ---------------------------

for my $case (
    [ "https://evil.example/mcp/$ws/crm", 'a foreign URL' ],
    [ "${issuer}0/mcp/$ws/crm", 'the origin with a longer port' ],
    [ "$issuer.evil.example/mcp/$ws/crm", 'the origin with a longer host' ],
    [ "$endpoint#frag", 'a resource with a fragment' ],
    [ "$endpoint?x=1", 'a resource with a query' ],
    [ "/mcp/$ws/crm", 'a relative URI' ],
    [ "$issuer/api/v3", 'another path of the origin' ],
    [ "$issuer/mcp/$ws/crm/tools", 'a path below an endpoint' ],
    [ "$issuer/mcp/$ws/nope", 'an endpoint of an unknown app' ],
    [ "$issuer/mcp/nowhere/crm", 'an endpoint in an unknown workspace' ],
    [ '', 'an empty resource' ],
) {
    my ($resource, $what) = @$case;
    is_target_redirect(authorize_raw(resource => $resource),
        "$what is sent back as invalid_target");
}
is_target_redirect(authorize_raw(resource => $endpoint,
        resource => $billing),
    'two resources are sent back as invalid_target');
is_target_redirect(authorize_raw(resource => $endpoint,
        resource => $endpoint),
    'the same resource twice is invalid_target too');

# --- invalid_target at the token endpoint -----------------------------------

$r = new_code(resource => $endpoint);
is_oauth_error(exchange($r, resource => $billing), 400, 'invalid_target',
    'a token request naming another endpoint is invalid_target');
is_oauth_error(exchange($r, resource => $endpoint), 400, 'invalid_grant',
    'after which the code is spent');
$r = new_code(resource => $endpoint);
is_oauth_error(exchange($r, resource => $issuer), 400, 'invalid_target',
    'a token request naming the origin for an endpoint\'s code is '
    . 'invalid_target');
$r = new_code();
is_oauth_error(exchange($r, resource => $endpoint), 400, 'invalid_target',
    'a token request naming a resource the code was not authorized for is '
    . 'invalid_target');
$r = new_code(resource => $endpoint);
is_oauth_error(token([ grant_type => 'authorization_code',
        code => $r->{code}, redirect_uri => $redirect,
        code_verifier => $r->{verifier}, client_id => $cli->{client_id},
        resource => $endpoint, resource => $endpoint ]),
    400, 'invalid_target', 'a token request naming two resources is '
    . 'invalid_target');
is_oauth_error(exchange($r, resource => "$endpoint#x"), 400,
    'invalid_target', 'a token request with a fragment is invalid_target');

# --- refresh ----------------------------------------------------------------

my $refresh = $mcp->{refresh_token} // '';
like($refresh, qr/\Adrt_/, 'the endpoint\'s token came with a refresh token');
$res = token({ grant_type => 'refresh_token', refresh_token => $refresh,
    client_id => $cli->{client_id} });
is($res->{status}, 200, 'the refresh token is refreshed')
    or diag($res->{content});
my $refreshed = $res->{json} // {};
is(session_resource($refreshed->{access_token} // ''), $endpoint,
    'a refresh keeps the binding');
is(me($refreshed->{access_token})->{status}, 401,
    'and the APIs still refuse the refreshed token');

is_oauth_error(token({ grant_type => 'refresh_token',
        refresh_token => $refreshed->{refresh_token} // '',
        client_id => $cli->{client_id}, resource => $issuer }),
    400, 'invalid_target', 'a refresh naming another resource is '
    . 'invalid_target');
is_oauth_error(token({ grant_type => 'refresh_token',
        refresh_token => $refreshed->{refresh_token} // '',
        client_id => $cli->{client_id}, resource => $billing }),
    400, 'invalid_target', 'so is one naming another endpoint');
$res = token({ grant_type => 'refresh_token',
    refresh_token => $refreshed->{refresh_token} // '',
    client_id => $cli->{client_id}, resource => "$endpoint/" });
is($res->{status}, 200, 'the refused refreshes did not spend the token, and '
    . 'a refresh may name the same resource')
    or diag($res->{content});
is(session_resource(($res->{json} // {})->{access_token} // ''), $endpoint,
    'the token it gives is bound to the endpoint');

$res = token({ grant_type => 'refresh_token',
    refresh_token => (exchange(new_code()) ->{json} // {})->{refresh_token}
        // '', client_id => $cli->{client_id}, resource => $endpoint });
is_oauth_error($res, 400, 'invalid_target',
    'a refresh of an unbound grant cannot bind it to a resource');

# --- the device flow --------------------------------------------------------

# POST /openapi/v1/oauth/device/code with JSON %fields.
sub device_code {
    my (%fields) = @_;
    return $s->request(POST => '/openapi/v1/oauth/device/code',
        { json => { client_id => $cli->{client_id},
            device_label => 'laptop (ssh)', %fields } });
}

$res = device_code(resource => $endpoint);
is($res->{status}, 200, 'a device may ask for a token for an endpoint')
    or diag($res->{content});
my $device = $res->{json} // {};
is($s->sql(q{SELECT resource FROM device_authorizations
        WHERE device_code_sha256 = :'p1'}, sha256_hex($device->{device_code}
        // '')), $endpoint, 'the device request remembers the resource');
$res = $s->request(GET => '/openapi/v1/oauth/device/lookup?user_code='
    . uri_escape($device->{user_code} // ''), { token => $approver_token });
is(($res->{json} // {})->{resource}, $endpoint,
    'the lookup names the resource the device asks for');
my $stranger = $s->seed_user(email => 'stranger@example.com');
$res = $s->request(POST => '/openapi/v1/oauth/device/approve',
    { token => $stranger->{token},
      json => { user_code => $device->{user_code} // '' } });
is($res->{status}, 403, 'someone outside the workspace cannot approve a'
    . ' device for its private app\'s endpoint');
is(($res->{json} // {})->{code}, 'forbidden', '... forbidden');
is($s->sql(q{SELECT status FROM device_authorizations
        WHERE device_code_sha256 = :'p1'}, sha256_hex($device->{device_code}
        // '')), 'pending', '... and the request stays pending');
is($s->request(POST => '/openapi/v1/oauth/device/approve',
        { token => $approver_token,
          json => { user_code => $device->{user_code} // '' } })->{status},
    200, 'the user approves');
is_oauth_error(token({ grant_type => DEVICE_GRANT,
        device_code => $device->{device_code} // '',
        client_id => $cli->{client_id}, resource => $billing }),
    400, 'invalid_target', 'a poll naming another resource is invalid_target');
$res = token({ grant_type => DEVICE_GRANT,
    device_code => $device->{device_code} // '',
    client_id => $cli->{client_id}, resource => $endpoint });
is($res->{status}, 200, 'a poll naming the same resource gets the token')
    or diag($res->{content});
my $device_token = ($res->{json} // {})->{access_token} // '';
is(session_resource($device_token), $endpoint,
    'the device\'s token is bound to the endpoint');
is(me($device_token)->{status}, 401, 'and the APIs refuse it');

$res = device_code(resource => $issuer);
is($res->{status}, 200, 'a device may ask for a token for the origin');
is_oauth_error(device_code(resource => "$issuer/mcp/$ws/nope"), 400,
    'invalid_target', 'a device asking for an unknown app\'s endpoint is '
    . 'invalid_target');
is_oauth_error(device_code(resource => 'https://evil.example/'), 400,
    'invalid_target', 'a device asking for a foreign resource is '
    . 'invalid_target');
is_oauth_error(device_code(resource => [ $endpoint, $billing ]), 400,
    'invalid_target', 'a device asking for two resources (JSON) is '
    . 'invalid_target');
is_oauth_error($s->request(POST => '/openapi/v1/oauth/device/code', {
        body => join('&', 'client_id=' . uri_escape($cli->{client_id}),
            map { 'resource=' . uri_escape($_) } $endpoint, $billing),
        content_type => 'application/x-www-form-urlencoded' }),
    400, 'invalid_target', 'a device asking for two resources (form) is '
    . 'invalid_target');
$res = device_code();
is($res->{status}, 200, 'a device asking for no resource is served as '
    . 'before');
is($s->sql(q{SELECT coalesce(resource, '-') FROM device_authorizations
        WHERE device_code_sha256 = :'p1'},
        sha256_hex(($res->{json} // {})->{device_code} // '')), '-',
    'and its request is bound to nothing');

$s->finish;
done_testing;
