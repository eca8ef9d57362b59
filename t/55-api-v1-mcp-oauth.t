#!/usr/bin/perl
# 55-api-v1-mcp-oauth.t: connecting an mcp_oauth integration
# (docs/api-v1/installs.md, "Connect (mcp_oauth)") over a real stack,
# against t/fixtures/mcp-oauth-server.mjs: an MCP server and its
# authorization server built on the official MCP TypeScript SDK, whose
# own handlers check the registration, PKCE, the redirect URI and the
# resource (RFC 8707), and whose MCP endpoint takes only tokens issued
# for it.  The test acts as the browser: it opens the oauth_url drio
# answered, follows the authorization server's redirect to drio's
# callback, and checks what drio stored.
#
# - connect: discovery from the 401 challenge (RFC 9728), RFC 8414
#   metadata, dynamic registration (RFC 7591) as a public client, the
#   authorization URL (PKCE S256, resource, scope); the callback's code
#   exchange names the resource; tokens sealed; the tools listed into
#   the catalog with the new token; a second connect reuses the client;
# - the well-known fallback when the challenge names no metadata;
# - refresh when used: sync with an access token about to expire
#   refreshes it first (grant refresh_token, with the resource), once;
#   a refused refresh marks the integration error;
# - refusals: no registration endpoint, no S256, a resource that is not
#   the server's, an unreachable server (502, nothing stored); roles,
#   unknown ids, other auth modes and disabled integrations;
# - the user refusing at the authorization server;
# - nothing secret in replies or the responder log.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP ();
use Test::More;
use DrioFixture;
use DrioStack;
use DrioTest;

my $node = DrioStack::node_or_skip('the MCP OAuth fixture');
DrioFixture::skip_without_sdk();

my %SIGNUM = (HUP => 1, INT => 2, TERM => 15);
for my $sig (keys %SIGNUM) {
    $SIG{$sig} = sub { $SIG{$sig} = 'DEFAULT'; exit 128 + $SIGNUM{$sig} };
}

my $fx = DrioFixture->start($node, 'mcp-oauth-server.mjs');
my $base = $fx->base;

my $s = DrioStack->start(responders => ['api-v1'],
    env => { DRIO_OUTBOUND_TIMEOUT_SECONDS => 5 });
my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
my $nora  = $s->seed_user(email => 'nora@example.com', name => 'Nora');
my $acme = $s->seed_workspace('Acme', $alice->{email});
$s->seed_member($acme, $nora->{id}, 'normal');
my $redirect_uri = $s->public_url . '/api/v1/connectors/oauth/callback';

# A port nothing listens on.
my $closed_port = do {
    my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
        Listen => 1) or die "listen: $!";
    my $p = $l->sockport;
    close $l;
    $p;
};

sub spew {
    my ($path, $text) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print $fh $text;
    close $fh or die "$path: $!";
}

sub unescape {
    my ($v) = @_;
    $v =~ tr/+/ /;
    $v =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
    return $v;
}

sub query_of {
    my ($url) = @_;
    my ($q) = $url =~ /\?(.*)\z/ or return {};
    return { map { my ($k, $v) = split /=/, $_, 2; unescape($k) =>
        unescape($v // '') } split /&/, $q };
}

# --- the connectors -----------------------------------------------------------

my $dir = $s->tmpdir . '/connectors';
mkdir $dir or die "$dir: $!";
my %servers = (
    'fx-mcp' => "$base/mcp",
    'fx-nochallenge' => "$base/nochallenge/mcp",
    'fx-nodcr' => "$base/nodcr/mcp",
    'fx-nos256' => "$base/nos256/mcp",
    'fx-liar' => "$base/liar/mcp",
    'fx-down' => "http://127.0.0.1:$closed_port/mcp",
);
for my $id (sort keys %servers) {
    spew("$dir/$id.json", JSON::PP->new->canonical->pretty->encode({
        id => $id, version => 1, name => "MCP $id",
        description => 'A test MCP server with OAuth.', category => 'other',
        auth_mode => 'mcp_oauth', brand_logo => 'https://example.com/l.png',
        brand_color => '#000000', docs_url => 'https://example.com/docs',
        fields => [], mcp => { server_url => $servers{$id} } }));
}
spew("$dir/fx-none.json", JSON::PP->new->canonical->pretty->encode({
    id => 'fx-none', version => 1, name => 'No auth',
    description => 'A test connector without auth.', category => 'other',
    auth_mode => 'none', brand_logo => 'https://example.com/l.png',
    brand_color => '#000000', docs_url => 'https://example.com/docs',
    fields => [], openapi => { document => { openapi => '3.0.0',
        info => { title => 'T', version => '1' }, paths => {} } } }));
my ($code, $out, $err) = $s->admin_env({ DRIO_CONNECTORS_DIR => $dir },
    undef, 'load-connectors', '--allow-http');
is($code, 0, 'the test connectors load') or diag "$out\n$err";

sub install {
    my ($connector, $name) = @_;
    my $res = $s->request(POST =>
        "/api/v1/connectors/$connector/install?workspace_id=$acme",
        { token => $alice->{token}, json => { name => $name } });
    is($res->{status}, 201, "install $name: 201") or diag $res->{content};
    return $res->{json};
}

sub connect_ {
    my ($id, $as) = @_;
    return $s->request(POST => "/api/v1/integrations/$id/connect",
        { token => ($as // $alice)->{token} });
}

sub integration {
    my ($id) = @_;
    my $res = $s->request(GET => "/api/v1/integrations/$id",
        { token => $alice->{token} });
    is($res->{status}, 200, 'the integration can be read')
        or diag $res->{content};
    return $res->{json};
}

sub is_refused {
    my ($res, $status, $code, $what) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    is($res->{status}, $status, "$what: $status") or diag $res->{content};
    is($res->{json}{code}, $code, "$what: code $code");
}

# Act as the browser: open the authorization URL (the fixture answers a
# redirect at once), then follow the redirect to drio's callback.
# Returns (the authorization server's Location, drio's answer).
sub browse {
    my ($oauth_url) = @_;
    my $res = HTTP::Tiny->new(max_redirect => 0, timeout => 10)
        ->get($oauth_url);
    is($res->{status}, 302, 'the authorization server redirects at once')
        or diag $res->{content};
    my $location = $res->{headers}{location} // '';
    my $prefix = $s->public_url;
    like($location, qr/\A\Q$redirect_uri\E\?/,
        'it sends the browser to drio\'s callback');
    (my $path = $location) =~ s/\A\Q$prefix\E//;
    return ($location, $s->request(GET => $path));
}

sub row {
    my ($id, $column) = @_;
    return $s->sql("SELECT $column FROM workspace_integrations"
        . " WHERE id = '$id'");
}

# --- connect: the whole flow -------------------------------------------------------

my $made = install('fx-mcp', 'Tracker');
is($made->{next_step}, 'mcp_oauth', 'install answers next_step mcp_oauth');
my $id = $made->{integration_id};
is(row($id, 'status'), 'pending_mcp_oauth', 'the integration waits');

my $res = connect_($id, $nora);
is_refused($res, 403, 'insufficient_role', 'a normal member connects');
$res = connect_('00000000-0000-4000-8000-000000000000');
is_refused($res, 404, 'integration_not_found', 'an unknown integration');
$res = $s->request(POST => "/api/v1/integrations/$id/connect");
is($res->{status}, 401, 'connect without a token: 401');
my $none = install('fx-none', 'Plain')->{integration_id};
$res = connect_($none);
is_refused($res, 409, 'conflict', 'connecting an integration without OAuth');
$res = $s->request(POST => "/api/v1/integrations/$id/connect",
    { token => $alice->{token}, json => { extra => 1 } });
is_refused($res, 422, 'validation_error', 'connect with a body member');

my $stats0 = $fx->get_json('/_stats');
$res = connect_($id);
is($res->{status}, 200, 'connect: 200') or diag $res->{content};
is_deeply([sort keys %{ $res->{json} }],
    [qw(integration_id next_step oauth_url)], 'the answer\'s members');
is($res->{json}{integration_id}, $id, '... for this integration');
is($res->{json}{next_step}, 'oauth', '... next_step oauth');
my $oauth_url = $res->{json}{oauth_url};
like($oauth_url, qr{\A\Q$base\E/authorize\?}, 'the URL is the discovered'
    . ' authorization endpoint');
my $q = query_of($oauth_url);
is($q->{response_type}, 'code', 'it asks for a code');
is($q->{redirect_uri}, $redirect_uri, 'it names drio\'s callback');
is($q->{code_challenge_method}, 'S256', 'with PKCE S256');
like($q->{code_challenge}, qr/\A[A-Za-z0-9_-]{43}\z/, 'a S256 challenge');
is($q->{resource}, "$base/mcp", 'the resource is the MCP server (RFC 8707)');
is($q->{scope}, 'mcp:tools', 'the scope is the one the challenge named');
like($q->{state}, qr/\A[A-Za-z0-9_-]{43}\z/, 'a random state');

my $stats = $fx->get_json('/_stats');
is($stats->{registrations} - $stats0->{registrations}, 1,
    'drio registered once');
my ($client) = grep { $_->{client_id} eq $q->{client_id} }
    @{ $stats->{registered_clients} };
ok($client, 'the URL names the registered client');
is_deeply($client->{redirect_uris}, [$redirect_uri],
    'registered with the callback as its only redirect URI');
is($client->{token_endpoint_auth_method}, 'none', 'as a public client');
is($client->{client_name}, 'drio', 'named drio');

my $i = integration($id);
is($i->{status}, 'pending_mcp_oauth', 'still pending until the callback');
is_deeply($i->{oauth}, { issuer => "$base/",
    authorization_endpoint => "$base/authorize",
    token_endpoint => "$base/token", registration_endpoint => "$base/register",
    resource => "$base/mcp", client_id => $q->{client_id},
    redirect_uri => $redirect_uri },
    'oauth holds what discovery and registration found');
is($s->sql("SELECT count(*) FROM integration_oauth_states"
    . " WHERE integration_id = '$id'"), 1, 'one state is stored');

my ($location, $page) = browse($oauth_url);
is($page->{status}, 200, 'the callback: 200') or diag $page->{content};
like($page->{content}, qr/<strong>Tracker<\/strong> is connected/,
    'the page says the integration is connected');
$stats = $fx->get_json('/_stats');
is($stats->{token_calls}{authorization_code}
    - $stats0->{token_calls}{authorization_code}, 1,
    'the code was exchanged once');
is($stats->{token_resources}[-1], "$base/mcp",
    'the token request named the resource');
ok($stats->{mcp_calls} > $stats0->{mcp_calls},
    'drio called the MCP server with the token');
is($stats->{last_bearer_client_id}, $q->{client_id},
    '... as the client it registered');
$i = integration($id);
is($i->{status}, 'connected', 'the integration is connected');
is($i->{status_message}, undef, 'with no status message');
is_deeply([sort @{ $i->{secret_fields} }], [qw(access_token refresh_token)],
    'the tokens are sealed; a public client has no secret');
is($i->{oauth}{token_type}, 'Bearer', 'oauth records the token type');
is($i->{oauth}{scope}, 'mcp:tools', '... the scope granted');
ok($i->{oauth}{expires_at}, '... the expiry');
is($i->{oauth}{client_id}, $q->{client_id}, '... and keeps the client');
is($i->{catalog_size}, 2, 'the server\'s two tools are the catalog');
is_deeply([sort map { $_->{key} } @{ $i->{catalog} }], [qw(add whoami)],
    '... add and whoami');
unlike(JSON::PP->new->encode($i), qr/\bat-|\brt-/,
    'no token in the integration');
is($s->sql("SELECT count(*) FROM integration_oauth_states"
    . " WHERE integration_id = '$id'"), 0, 'the state is used up');
my $sealed = row($id, "encode(secret, 'hex')");
unlike($sealed, qr/\Q${\ unpack('H*', 'at-')}\E/,
    'the sealed secret does not hold the token in clear');

# A second connect reuses the registered client; the integration stays
# connected until the new tokens come.
$stats0 = $fx->get_json('/_stats');
$res = connect_($id);
is($res->{status}, 200, 'connecting again: 200') or diag $res->{content};
$stats = $fx->get_json('/_stats');
is($stats->{registrations}, $stats0->{registrations},
    'the registered client is used again');
is(query_of($res->{json}{oauth_url})->{client_id}, $q->{client_id},
    '... the same client id');
is(row($id, 'status'), 'connected', 'a connected integration stays so');

# --- refresh when used -----------------------------------------------------------

# Tokens that expire within drio's refresh margin (a minute).
$fx->get_json('/_control', { access_expires_in => 30 });
(undef, $page) = browse($res->{json}{oauth_url});
is($page->{status}, 200, 'a new authorization: 200') or diag $page->{content};
$fx->get_json('/_control', { access_expires_in => 3600 });
$stats0 = $fx->get_json('/_stats');
$res = $s->request(POST => "/api/v1/integrations/$id/sync",
    { token => $alice->{token} });
is($res->{status}, 200, 'sync with a token about to expire: 200')
    or diag $res->{content};
is($res->{json}{catalog_size}, 2, 'the tools are listed again');
$stats = $fx->get_json('/_stats');
is($stats->{token_calls}{refresh_token}
    - $stats0->{token_calls}{refresh_token}, 1,
    'the access token was refreshed first');
is($stats->{token_resources}[-1], "$base/mcp",
    'the refresh named the resource');
ok($stats->{mcp_unauthorized} == $stats0->{mcp_unauthorized},
    'the server never saw an expired token');
$res = $s->request(POST => "/api/v1/integrations/$id/sync",
    { token => $alice->{token} });
is($res->{status}, 200, 'sync again: 200') or diag $res->{content};
is($fx->get_json('/_stats')->{token_calls}{refresh_token},
    $stats->{token_calls}{refresh_token},
    'a fresh token is used as it is: no second refresh');

# A refresh token the authorization server no longer knows.
$fx->get_json('/_control', { revoke_tokens => JSON::PP::true });
$s->sql("UPDATE workspace_integrations SET oauth = oauth ||"
    . " jsonb_build_object('expires_at', drio_rfc3339(now()))"
    . " WHERE id = '$id'");
$res = $s->request(POST => "/api/v1/integrations/$id/sync",
    { token => $alice->{token} });
is_refused($res, 502, 'upstream_unavailable',
    'sync with a refresh token the provider refuses');
like($res->{json}{message}, qr/invalid_grant/, '... naming its answer');
is(row($id, 'status'), 'error', 'the integration is marked error');
like(row($id, 'status_message'), qr/refused the refresh token/,
    '... saying the refresh token was refused');

# --- the well-known fallback ------------------------------------------------------

my $nc = install('fx-nochallenge', 'No challenge')->{integration_id};
$res = connect_($nc);
is($res->{status}, 200, 'a 401 without resource_metadata: the well-known'
    . ' URI is used') or diag $res->{content};
is(query_of($res->{json}{oauth_url})->{resource}, "$base/nochallenge/mcp",
    'the resource is that server');
(undef, $page) = browse($res->{json}{oauth_url});
is($page->{status}, 200, 'its callback: 200') or diag $page->{content};
$i = integration($nc);
is($i->{status}, 'connected', 'it is connected');
is($i->{catalog_size}, 2, 'its tools are listed with its token');

# --- refusals ---------------------------------------------------------------------

for my $case (['fx-nodcr', qr/dynamic client registration/i,
        'an authorization server without registration'],
    ['fx-nos256', qr/S256/, 'an authorization server without PKCE S256'],
    ['fx-liar', qr/resource/i, 'metadata naming another resource'],
    ['fx-down', qr/./, 'an unreachable server']) {
    my ($connector, $message, $what) = @$case;
    my $bad = install($connector, $what)->{integration_id};
    $stats0 = $fx->get_json('/_stats');
    $res = connect_($bad);
    is_refused($res, 502, 'upstream_unavailable', $what);
    like($res->{json}{message}, $message, "$what: the message says why");
    is(row($bad, 'oauth::text'), '{}', "$what: nothing is stored");
    is(row($bad, 'status'), 'pending_mcp_oauth', "$what: still pending");
    is($s->sql("SELECT count(*) FROM integration_oauth_states"
        . " WHERE integration_id = '$bad'"), 0, "$what: no state");
    is($fx->get_json('/_stats')->{registrations},
        $stats0->{registrations}, "$what: no registration");
}

# A disabled integration does not connect.
$res = $s->request(PATCH => "/api/v1/integrations/$nc",
    { token => $alice->{token}, json => { status => 'disabled' } });
is($res->{status}, 200, 'disabling an integration') or diag $res->{content};
is_refused(connect_($nc), 409, 'conflict', 'connecting a disabled one');

# --- the user refuses ----------------------------------------------------------------

my $denied = install('fx-mcp', 'Denied')->{integration_id};
$res = connect_($denied);
is($res->{status}, 200, 'connect before a refusal: 200')
    or diag $res->{content};
$fx->get_json('/_control', { deny => JSON::PP::true });
($location, $page) = browse($res->{json}{oauth_url});
$fx->get_json('/_control', { reset => JSON::PP::true });
like($location, qr/[?&]error=access_denied/, 'the server says access_denied');
is($page->{status}, 403, 'the callback: 403');
like($page->{headers}{'content-type'} // '', qr{\Atext/html},
    '... an HTML page');
is(row($denied, 'status'), 'error', 'the integration is marked error');

# --- nothing secret in the log ------------------------------------------------------

my $log = join "\n", map { $s->log_lines('api-v1', $_) } 1, 2;
like($log, qr{/connect}, 'the responder log is read');
unlike($log, qr/\b(?:at|rt|code)-[A-Za-z0-9_-]{32}/,
    'no token or code reaches the responder log');

done_testing();
