#!/usr/bin/perl
# 66-mcp-interop-oauth.t: a private app's MCP endpoint (docs/mcp.md,
# "Private apps"; docs/oauth.md) reached, through nginx, by the official
# TypeScript SDK's v1 client, @modelcontextprotocol/sdk, doing the whole
# OAuth flow on its own (t/interop/mcp-client-oauth.mjs: a
# StreamableHTTPClientTransport with an authProvider; the script only
# keeps the provider's state in a file).  This test is the browser in
# between (t/tap/DrioBrowser.pm: sign in, consent).
#
# - start: the SDK meets the 401, follows its resource_metadata to the
#   endpoint's protected-resource document (RFC 9728), reads drio's
#   authorization server metadata (RFC 8414), registers itself (RFC
#   7591) and builds the authorization URL: PKCE S256, state, the scope
#   the document lists, resource = the endpoint (RFC 8707).  The wire is
#   checked exchange by exchange.
# - a member of the workspace signs in and allows; the redirect carries
#   the code, the state and iss (RFC 9207).
# - finish: the SDK discovers again from the endpoint's URL alone (the
#   path-suffixed well-known URL), exchanges the code with resource = the
#   endpoint, connects with the Bearer token, lists and calls tools; the
#   upstream sees the calls with the integration's key; the token is
#   bound to the endpoint and the member in the database; the calls are
#   recorded with the member's account.
# - the token again from a new process: no OAuth exchange at all.
# - audience: the endpoint's tokens at another private endpoint of the
#   same workspace are refused (401 invalid_token), and the SDK's refresh
#   naming that endpoint is invalid_target; the same flow for the other
#   endpoint gets tokens that work there and are refused at the first.
# - an expired access token: the SDK refreshes on its own, naming the
#   endpoint, and goes on; the new token is bound to it too.
# - someone outside the workspace who signs in is not shown the consent
#   page (nor the app's name): the client gets access_denied and no token
#   is issued.
# - no token, code, verifier or integration key in anything the client
#   printed.
#
# Not covered: the SDK's client ID metadata document path
# (clientMetadataUrl).  The SDK takes only an https URL there, and the
# test stack has no TLS a fixture could serve such a document with that
# drio's outbound client would trust; t/64-oauth-cimd.t covers drio's
# side of it with plain http on loopback.
#
# Needs node (20 or later) and t/interop/node_modules, installed with
# `npm ci --prefix t/interop --no-audit --no-fund`; skipped without them.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use File::Copy qw(copy);
use File::Spec;
use JSON::PP ();
use Test::More;
use DrioBrowser qw(:DEFAULT query_params);
use DrioMcpApp;
use DrioStack;

# --- prerequisites ----------------------------------------------------------

my $node = DrioStack::node_or_skip('the MCP SDK client');
my $interop = File::Spec->catdir(DrioStack::srcdir(), 't', 'interop');
my $script = "$interop/mcp-client-oauth.mjs";
plan skip_all => '@modelcontextprotocol/sdk is not installed in '
    . 't/interop/node_modules; run: npm ci --prefix t/interop --no-audit '
    . '--no-fund'
    unless -e "$interop/node_modules/\@modelcontextprotocol/sdk/package.json";

my $s = DrioStack->start(env => { DRIO_OUTBOUND_TIMEOUT_SECONDS => 2 });
my $issuer = $s->public_url;
my $JSON = JSON::PP->new->canonical->allow_nonref;
my $VERSION = '2025-11-25';
use constant PRM => '/.well-known/oauth-protected-resource';
use constant AS_METADATA => '/.well-known/oauth-authorization-server';

# --- accounts, the workspace, two private apps ------------------------------

# An account that can sign in with a password.  Returns {id, email,
# password}.
sub account {
    my ($email) = @_;
    my $password = "password of $email";
    my ($code, undef, $err) = $s->admin_stdin("$password\n",
        'create-account', $email, '--password-stdin');
    BAIL_OUT("create-account $email failed: $err") if $code != 0;
    my $id = $s->sql("SELECT id FROM accounts WHERE email = :'p1'", $email);
    return { id => $id, email => $email, password => $password };
}

my $alice = account('alice@example.com');
$alice->{token} = $s->issue_token($alice->{email}, label => 'builder');
my $bob = account('bob@example.com');
my $carol = account('carol@example.com');
my $acme = $s->seed_workspace('Acme', $alice->{email});
$s->seed_member($acme, $bob->{id}, 'normal');
$s->seed_workspace('Elsewhere', $carol->{email});

my $items = DrioMcpApp->start($s, owner => $alice, workspace_id => $acme,
    visibility => 'private');
my $stock = DrioMcpApp->start($s, owner => $alice, workspace_id => $acme,
    slug => 'stock', name => 'Stock room', visibility => 'private');
my $items_url = $s->url($items->endpoint);
my $stock_url = $s->url($stock->endpoint);
my $items_prm = $s->url(PRM . $items->endpoint);
my $stock_prm = $s->url(PRM . $stock->endpoint);
my @ITEMS = $items->items;

my @CALLS = (
    { label => 'ok', name => 'listItems', arguments => { limit => 2 } },
    { label => 'created', name => 'createItem',
      arguments => { name => 'bolt', qty => 7 } },
);
my @ONE_CALL = ({ label => 'ok', name => 'listItems',
    arguments => { limit => 1 } });

# --- running the client -----------------------------------------------------

my @outputs;    # every run's stdout and stderr, for the secret check

# Run `mcp-client-oauth.mjs @args` (bounded) while watching the upstream
# of $app.  Returns (the findings, the upstream requests made meanwhile).
# One test: the run got to its end and printed its findings.  Its output
# is kept in the stack's directory as client-$what.out ($what with _ for
# anything but a-z; for a post-mortem with DRIO_TEST_KEEP=1).
sub client {
    my ($app, $what, @args) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my ($seen, $code, $out, $err) = $app->upstream_during(sub {
        DrioStack::run_command([ $node, $script, @args ],
            dir => $s->tmpdir, timeout => 90) });
    push @outputs, $out, $err;
    (my $name = $what) =~ tr/a-z/_/c;
    if (open my $fh, '>', $s->tmpdir . "/client-$name.out") {
        print {$fh} $out // '', $err // '';
        close $fh;
    }
    my ($line) = grep { /\A\{/ } split /\n/, $out // '';
    my $f = eval { JSON::PP->new->decode($line // '') } // {};
    ok($code == 0 && $f->{done}, "$what: the client runs to its end")
        or diag("exit $code\nstdout: " . substr($out // '', 0, 6000)
            . "\nstderr: " . substr($err // '', 0, 4000));
    return ($f, $seen);
}

# A JSON plan of @calls.
sub plan_of { return $JSON->encode({ calls => [@_] }) }

# The value of step $name of findings $f; one test that it succeeded.
sub step_ok {
    my ($f, $name, $what) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $st = $f->{$name} // {};
    ok($st->{ok}, $what)
        or diag("$name: " . $JSON->encode($st->{error} // 'not run'));
    return $st->{value} // {};
}

# The error step $name of findings $f failed with; one test that it did.
sub step_error {
    my ($f, $name, $what) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $st = $f->{$name} // {};
    ok(exists $st->{ok} && !$st->{ok}, $what)
        or diag("$name: " . $JSON->encode($st));
    return $st->{error} // {};
}

# The HTTP exchanges of findings $f as "METHOD path status".
sub wire {
    my ($f) = @_;
    return [ map { "$_->{method} $_->{path} " . ($_->{status} // 'failed') }
        @{ $f->{http} // [] } ];
}

# The exchanges of $f whose path is $path (the query ignored).
sub to_path {
    my ($f, $path) = @_;
    return grep { ($_->{path} =~ s/\?.*//sr) eq $path } @{ $f->{http} // [] };
}

# The bearer token's SHA-256 a recorded request carried ('' without one).
sub bearer_of {
    my ($x) = @_;
    my $a = $x->{request}{authorization} // {};
    return ($a->{scheme} // '') =~ /\ABearer\z/i ? $a->{sha256} // '' : '';
}

# The access token of a state file's saved tokens.
sub access_token_in {
    my ($path) = @_;
    open my $fh, '<', $path or return '';
    local $/;
    my $st = eval { JSON::PP->new->decode(<$fh> // '') } // {};
    return ($st->{tokens} // {})->{access_token} // '';
}

# The API session of an access token's SHA-256 as "account resource
# client_id" ('' when there is none).
sub session_of {
    my ($sha) = @_;
    return $s->sql(<<'SQL', $sha);
SELECT account_id || ' ' || coalesce(resource, '-') || ' ' || client_id
  FROM api_sessions WHERE token_sha256 = :'p1';
SQL
}

# Every upstream request as [method, path, query].
sub upstream_lines {
    return [ map { [ @$_{qw(method path query)} ] } @{ $_[0] } ];
}

# The browser's part for $user and the authorization URL $url: sign in,
# allow.  Returns the redirect (the Location of the allow answer), or ''.
# Tests each step when $detail, else one test in all.
sub consent {
    my ($user, $url, $who, $detail) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $b = DrioBrowser->new($s);
    my $res = $b->get($url);
    my $signin = $b->location_url($res) // '';
    my $next = query_params($signin)->{next};
    my $signed = $b->sign_in($user->{email}, $user->{password}, $next);
    my $page = $signed->{status} == 303 ? $b->follow($signed) : $signed;
    my $form = $b->form($page, qr{authorize});
    my $allow = $form ? $b->submit($form, { decision => 'allow' }) : $page;
    my $location = $allow->{location} // '';
    if ($detail) {
        is($res->{status}, 303, "$who: the authorization URL sends a browser "
            . 'that is not signed in away');
        like($signin, qr{\A\Q$issuer\E/signin\?next=},
            "$who: ... to the sign-in page");
        is_deeply([ $signed->{status}, $b->location_url($signed) ],
            [ 303, $url ], "$who: signing in leads back to the SDK's "
            . 'authorization URL');
        is_html_page($page, 200, "$who: the consent page is shown");
        like($page->{content}, qr/MCP SDK interop/,
            "$who: it names the client the SDK registered");
        like($page->{content}, qr{\Q$items_url\E},
            "$who: and the endpoint the token will be for");
        is($allow->{status}, 302, "$who: allowing answers 302");
    } else {
        ok($allow->{status} == 302 && $location ne '',
            "$who: signs in and allows") or diag("sign-in: "
            . "$signed->{status}, consent: $page->{status}, allow: "
            . "$allow->{status} $location");
    }
    return $location;
}

# --- start: 401, discovery, registration, the authorization URL -------------

my $bob_state = $s->tmpdir . '/bob-items.json';
my ($f) = client($items, 'start', 'start', $bob_state, $items_url);
my $e = step_error($f, 'connect', 'start: connect fails (the SDK needs the '
    . 'user to authorize)');
is($e->{class}, 'UnauthorizedError', 'start: with the SDK\'s '
    . 'UnauthorizedError');
is_deeply(wire($f), [ 'POST ' . $items->endpoint . ' 401',
        'GET ' . PRM . $items->endpoint . ' 200',
        'GET ' . AS_METADATA . ' 200',
        'POST /oauth/register 201' ],
    'start: the wire: initialize 401, the endpoint\'s protected-resource '
    . 'document, the authorization server metadata, registration; in that '
    . 'order, nothing else')
    or diag($JSON->encode($f->{http}));
my @http = @{ $f->{http} // [] };
is(bearer_of($http[0] // {}), '', 'start: the first POST carries no token');
is((($http[0] // {})->{request}{body} // {})->{method}, 'initialize',
    'start: and is initialize');
like((($http[0] // {})->{response}{headers} // {})->{'www-authenticate'}
        // '', qr/\ABearer resource_metadata="\Q$items_prm\E"/,
    'start: the 401 names the endpoint\'s protected-resource document');
my ($disc) = @{ $f->{discovery} // [] };
is_deeply([ @{ $disc // {} }{qw(resource authorization_servers issuer)} ],
    [ $items_url, [$issuer], $issuer ],
    'start: the SDK found the endpoint as the resource and drio as its '
    . 'authorization server');
my $registration = ($http[3] // {})->{request}{document} // {};
my $redirect = $f->{redirect_uri} // '';
like($redirect, qr{\Ahttp://127\.0\.0\.1:\d+/callback\z},
    'start: the redirect URI is a loopback URL');
is_deeply($registration, { client_name => 'MCP SDK interop',
        redirect_uris => [$redirect],
        grant_types => [ 'authorization_code', 'refresh_token' ],
        response_types => ['code'], token_endpoint_auth_method => 'none',
        scope => 'api offline_access' },
    'start: the registration is a public client for the code flow, with '
    . 'the scope the document lists');
my $client_id = ($f->{client} // {})->{client_id} // '';
like($client_id, qr/\Adc_[A-Za-z0-9_-]{22}\z/,
    'start: drio gave it a client_id');
is($s->sql(q{SELECT name || ' ' || array_to_string(redirect_uris, ',')
        FROM oauth_clients WHERE id = :'p1'}, $client_id),
    "MCP SDK interop $redirect", 'start: the client is registered in drio');
ok(!($f->{client} // {})->{has_client_secret}, 'start: without a secret');

my $auth_url = $f->{authorization_url} // '';
like($auth_url, qr{\A\Q$issuer\E/oauth/authorize\?},
    'start: the SDK asks to send the user to drio\'s authorization endpoint');
my $q = query_params($auth_url);
is_deeply([ @$q{qw(response_type client_id redirect_uri
        code_challenge_method resource scope)} ],
    [ 'code', $client_id, $redirect, 'S256', $items_url,
      'api offline_access' ],
    'start: for a code, as the registered client, with S256 PKCE, the '
    . 'endpoint as resource and the document\'s scopes');
like($q->{code_challenge} // '', qr/\A[A-Za-z0-9_-]{43}\z/,
    'start: the code challenge is a SHA-256 in base64url');
like($q->{state} // '', qr/\A\S{16,}\z/, 'start: with a state');

# --- the browser: a member signs in and allows ------------------------------

my $callback = consent($bob, $auth_url, 'bob', 1);
my $cbq = query_params($callback);
like($callback, qr{\A\Q$redirect\E\?}, 'the redirect goes to the SDK\'s '
    . 'redirect URI');
is_deeply([ $cbq->{state}, $cbq->{iss} ], [ $q->{state}, $issuer ],
    'with the state sent and drio as iss');
like($cbq->{code} // '', qr/\A\S{20,}\z/, 'and a code');

# --- finish: the code exchanged, the endpoint called ------------------------

my ($fin, $seen) = client($items, 'finish', 'finish', $bob_state, $callback,
    plan_of(@CALLS));
step_ok($fin, 'callback', 'finish: the redirect is accepted (state checked)');
my $tok = step_ok($fin, 'exchange', 'finish: transport.finishAuth '
    . 'exchanges the code');
like($tok->{token_type} // '', qr/\ABearer\z/i, 'finish: a Bearer token');
is_deeply([ @$tok{qw(scope expires_in has_refresh_token)} ],
    [ 'api offline_access', 3600, JSON::PP::true ],
    'finish: with the scope asked for, an hour, and a refresh token');
my $items_sha = $tok->{access_token_sha256} // '';
my @w = @{ wire($fin) };
is_deeply([ @w[0 .. 2] ], [ 'GET ' . PRM . $items->endpoint . ' 200',
        'GET ' . AS_METADATA . ' 200', 'POST /oauth/token 200' ],
    'finish: in a new process the SDK discovers from the endpoint\'s URL '
    . 'alone (the path-suffixed document), then exchanges the code')
    or diag($JSON->encode(\@w));
my ($token_req) = to_path($fin, '/oauth/token');
my $form = ($token_req // {})->{request}{form} // {};
is_deeply([ @$form{qw(grant_type client_id redirect_uri resource)} ],
    [ 'authorization_code', $client_id, $redirect, $items_url ],
    'finish: the token request names the client, the redirect URI and the '
    . 'endpoint as resource');
ok(($form->{code_verifier} // {})->{length}
        && ($form->{code} // {})->{length},
    'finish: with the code and the PKCE verifier');
my @mcp = to_path($fin, $items->endpoint);
ok(@mcp >= 4 && !grep({ bearer_of($_) ne $items_sha } @mcp),
    'finish: every request to the endpoint carries the new token as '
    . 'Bearer')
    or diag($JSON->encode([ map { $_->{request} } @mcp ]));
ok(!grep({ ($_->{status} // 0) == 401 } @mcp),
    'finish: and none is refused');

my $c = step_ok($fin, 'connect', 'finish: connect (initialize) succeeds');
is($c->{protocolVersion}, $VERSION, "finish: at $VERSION");
is_deeply($c->{serverVersion}, { name => 'items', title => 'Item store',
        version => '1' }, 'finish: serverInfo is the private app');
my $list = step_ok($fin, 'listTools', 'finish: tools/list succeeds');
is_deeply([ sort map { $_->{name} } @{ $list->{tools} // [] } ],
    [ $items->tools ], 'finish: with the app\'s tools');
my $ok = step_ok($fin, 'call:ok', 'finish: tools/call listItems succeeds');
is_deeply($ok->{structuredContent}, { items => [ @ITEMS[0, 1] ],
        limit => 2 }, 'finish: with the upstream\'s answer');
my $created = step_ok($fin, 'call:created',
    'finish: tools/call createItem succeeds');
is_deeply($created->{structuredContent}, { id => 42,
        created => { name => 'bolt', qty => 7 } },
    'finish: with the created item');
is_deeply(upstream_lines($seen), [ [ 'GET', '/items', 'limit=2' ],
        [ 'POST', '/items', '' ] ],
    'the upstream got the two calls and nothing else');
ok(@$seen && !grep({ ($_->{headers}{'x-api-key'} // '') ne $items->api_key }
        @$seen), 'each with the integration\'s key');
is(session_of($items_sha), "$bob->{id} $items_url $client_id",
    'the access token is bob\'s, bound to the endpoint, for the SDK\'s '
    . 'client');
is($s->sql(<<'SQL', $items->app->{id}), "$bob->{id} listItems ok\n"
SELECT account_id || ' ' || tool || ' ' || status FROM tool_calls
 WHERE app_id = :'p1' AND client_name = 'drio-interop-sdk-oauth' ORDER BY id;
SQL
    . "$bob->{id} createItem ok", 'the calls are recorded with bob\'s '
    . 'account and the SDK client\'s name');
my $items_token = access_token_in($bob_state);

# --- the token again, from a new process ------------------------------------

($f, $seen) = client($items, 'again', 'call', $bob_state, $items_url,
    plan_of(@ONE_CALL));
step_ok($f, 'connect', 'again: the saved token connects at once');
ok(!grep({ $_->{path} !~ m{\A\Q@{[ $items->endpoint ]}\E\z} }
        @{ $f->{http} // [] }),
    'again: without any OAuth exchange')
    or diag($JSON->encode(wire($f)));
step_ok($f, 'call:ok', 'again: the call succeeds');
is(scalar @$seen, 1, 'again: the upstream got it');

# --- audience: another private endpoint -------------------------------------

# A copy of bob's state: the SDK may save what it gets there.
my $cross = $s->tmpdir . '/bob-items-at-stock.json';
copy($bob_state, $cross) or BAIL_OUT("copy $bob_state: $!");
($f, $seen) = client($stock, 'items token at stock', 'call', $cross,
    $stock_url, plan_of(@ONE_CALL));
$e = step_error($f, 'connect', 'the items endpoint\'s token does not '
    . 'connect to the stock endpoint');
@http = @{ $f->{http} // [] };
is_deeply([ ($http[0] // {})->{status}, bearer_of($http[0] // {}) ],
    [ 401, $items_sha ], 'the stock endpoint refuses it with 401');
like((($http[0] // {})->{response}{headers} // {})->{'www-authenticate'}
        // '', qr/\bresource_metadata="\Q$stock_prm\E"/,
    'naming its own protected-resource document');
like((($http[0] // {})->{response}{headers} // {})->{'www-authenticate'}
        // '', qr/\berror="invalid_token"/, 'as an invalid token');
my ($refresh) = to_path($f, '/oauth/token');
is_deeply([ (($refresh // {})->{request}{form} // {})->{grant_type},
        (($refresh // {})->{request}{form} // {})->{resource},
        ($refresh // {})->{status},
        (($refresh // {})->{response}{body} // {})->{error} ],
    [ 'refresh_token', $stock_url, 400, 'invalid_target' ],
    'the SDK\'s refresh naming the stock endpoint is invalid_target')
    or diag($JSON->encode(wire($f)));
ok(!grep({ ($_->{status} // 0) < 300 } to_path($f, $stock->endpoint)),
    'no request to the stock endpoint succeeded');
is(scalar @$seen, 0, 'the stock upstream got nothing');

my $bob_stock = $s->tmpdir . '/bob-stock.json';
($f) = client($stock, 'stock start', 'start', $bob_stock, $stock_url);
my $stock_auth = $f->{authorization_url} // '';
is(query_params($stock_auth)->{resource}, $stock_url,
    'stock: the same flow asks for a token for the stock endpoint');
$callback = consent($bob, $stock_auth, 'stock: bob');
($f, $seen) = client($stock, 'stock finish', 'finish', $bob_stock, $callback,
    plan_of(@ONE_CALL));
my $stock_sha = (step_ok($f, 'exchange', 'stock: the code is exchanged')
    // {})->{access_token_sha256} // '';
is(((to_path($f, '/oauth/token'))[0] // {})->{request}{form}{resource},
    $stock_url, 'stock: naming the stock endpoint');
step_ok($f, 'call:ok', 'stock: the call on the stock endpoint succeeds');
is_deeply(upstream_lines($seen), [ [ 'GET', '/items', 'limit=1' ] ],
    'stock: its upstream got it');
is(session_of($stock_sha), "$bob->{id} $stock_url " . $f->{client}{client_id},
    'stock: the token is bound to the stock endpoint');
isnt($f->{client}{client_id}, $client_id,
    'stock: (a state of its own, so a registration of its own)');

$cross = $s->tmpdir . '/bob-stock-at-items.json';
copy($bob_stock, $cross) or BAIL_OUT("copy $bob_stock: $!");
($f, $seen) = client($items, 'stock token at items', 'call', $cross,
    $items_url, plan_of(@ONE_CALL));
step_error($f, 'connect', 'the stock endpoint\'s token does not connect to '
    . 'the items endpoint');
is_deeply([ map { [ $_->{status}, bearer_of($_) ] }
        (to_path($f, $items->endpoint))[0] ], [ [ 401, $stock_sha ] ],
    'the items endpoint refused it with 401');
is(scalar @$seen, 0, 'the items upstream got nothing');

# --- refresh: an expired access token ---------------------------------------

$s->sql(<<'SQL', $items_sha);
UPDATE api_sessions SET expires_at = now() - interval '1 minute'
 WHERE token_sha256 = :'p1';
SQL
($f, $seen) = client($items, 'expired', 'call', $bob_state, $items_url,
    plan_of(@ONE_CALL));
step_ok($f, 'connect', 'expired: the SDK connects after all');
@w = @{ wire($f) };
is_deeply([ @w[0 .. 4] ], [ 'POST ' . $items->endpoint . ' 401',
        'GET ' . PRM . $items->endpoint . ' 200',
        'GET ' . AS_METADATA . ' 200', 'POST /oauth/token 200',
        'POST ' . $items->endpoint . ' 200' ],
    'expired: 401, discovery, a token request, then initialize is served')
    or diag($JSON->encode(\@w));
($refresh) = to_path($f, '/oauth/token');
is_deeply([ @{ (($refresh // {})->{request}{form} // {}) }{qw(grant_type
        resource client_id)} ], [ 'refresh_token', $items_url, $client_id ],
    'expired: it is a refresh naming the endpoint');
my $new_sha = ($f->{tokens} // {})->{access_token_sha256} // '';
ok($new_sha ne '' && $new_sha ne $items_sha,
    'expired: the SDK saved a new access token');
is(bearer_of((to_path($f, $items->endpoint))[1] // {}), $new_sha,
    'expired: and used it');
is(session_of($new_sha), "$bob->{id} $items_url $client_id",
    'expired: the new token is bound to the endpoint as well');
step_ok($f, 'call:ok', 'expired: the call succeeds');
is(scalar @$seen, 1, 'expired: the upstream got it');

# --- someone outside the workspace ------------------------------------------

my $carol_state = $s->tmpdir . '/carol-items.json';
($f) = client($items, 'carol start', 'start', $carol_state, $items_url);
{
    my $b = DrioBrowser->new($s);
    my $url = $f->{authorization_url} // '';
    my $signin = $b->location_url($b->get($url)) // '';
    my $signed = $b->sign_in($carol->{email}, $carol->{password},
        query_params($signin)->{next});
    my $back = $signed->{status} == 303 ? $b->follow($signed) : $signed;
    my $location = $back->{location} // '';
    is($back->{status}, 302, 'carol: once she is signed in, the'
        . ' authorization answers with a redirect, not a consent page');
    unlike($back->{content} // '', qr/Item store/,
        'carol: nothing shows her the app\'s name');
    my $q = query_params($location);
    is($q->{error}, 'access_denied', 'carol: the client is told'
        . ' access_denied') or diag $location;
    ok(!exists $q->{code}, 'carol: with no code');
    is($q->{iss}, $issuer, 'carol: with iss (RFC 9207)');
    ($f, $seen) = client($items, 'carol finish', 'finish', $carol_state,
        $location, plan_of(@ONE_CALL));
}
$e = step_error($f, 'callback', 'carol: the SDK sees the authorization'
    . ' fail');
like($e->{message} // '', qr/access_denied/, 'carol: access_denied');
is($s->sql("SELECT count(*) FROM api_sessions WHERE account_id = :'p1'",
    $carol->{id}), 0, 'carol: no token was issued to her');
is(scalar @$seen, 0, 'carol: the upstream got nothing');

# --- nothing secret ---------------------------------------------------------

my @secrets = ([ 'the integration\'s key', $items->api_key ],
    [ 'an access token', $items_token ],
    [ 'an access token (refreshed)', access_token_in($bob_state) ],
    [ 'a code', $cbq->{code} ]);
for my $x (@secrets) {
    my ($what, $secret) = @$x;
    ok(length($secret // '') >= 16
            && !grep({ index($_ // '', $secret) >= 0 } @outputs),
        "no client output holds $what");
}

$items->stop;
$stock->stop;
$s->finish;
done_testing;
