#!/usr/bin/perl
# 61-mcp-interop.t: drio's MCP endpoint (docs/mcp.md) against MCP clients
# drio did not write, the official TypeScript SDK's, through nginx:
#
# - @modelcontextprotocol/sdk 1.x (t/interop/mcp-client.mjs), Client and
#   StreamableHTTPClientTransport, legacy era only: it asks for its latest
#   revision, 2025-11-25, and drio answers with it; session id; serverInfo;
#   tools/list; tools/call with structuredContent, an upstream error and
#   invalid arguments as isError results, an unknown tool as -32602; ping;
#   requests in flight together in one session; the SDK's reconnect path
#   (a new transport given the session id); DELETE ends the session, after
#   which the SDK sees 404.  Against the latest release and ?release=1.
# - @modelcontextprotocol/client 2.x (t/interop/mcp-client-v2.mjs) in its
#   'auto' version negotiation mode: the server/discover probe settles on
#   2026-07-28, no session, every request stateless with the _meta version
#   and the mirrored headers; tools/list (its ttlMs honoured by the
#   client's cache) and the same calls.  Against the latest release and
#   ?release=1.
# - a URL with no endpoint: both fail the connect with drio's 404; the v2
#   client falls back to initialize first, as the spec lets it.
# - every call recorded in tool_calls with the client's name, era and
#   version; the integration's key in nothing the clients saw.
#
# The app is DrioMcpApp's (t/tap/DrioMcpApp.pm): four tools in release 1,
# a fifth (deleteItem) added in release 2, over a loopback upstream.
# Private apps (the SDK's own OAuth flow) are t/66-mcp-interop-oauth.t's.
#
# Needs node (20 or later) and t/interop/node_modules, installed with
# `npm ci --prefix t/interop --no-audit --no-fund`; skipped without them.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use File::Spec;
use JSON::PP ();
use Test::More;
use DrioMcpApp;
use DrioStack;
use DrioTest;

# --- prerequisites ----------------------------------------------------------

my $node = DrioStack::node_or_skip('the MCP interop clients');
my $interop = File::Spec->catdir(DrioStack::srcdir(), 't', 'interop');
my %installed = map { $_ => -e "$interop/node_modules/$_/package.json" }
    '@modelcontextprotocol/sdk', '@modelcontextprotocol/client';
plan skip_all => 'neither @modelcontextprotocol/sdk nor '
    . '@modelcontextprotocol/client is installed in t/interop/node_modules; '
    . 'run: npm ci --prefix t/interop --no-audit --no-fund'
    unless grep { $_ } values %installed;

my $s = DrioStack->start(responders => [ 'api-v1', 'api-v3', 'mcp' ],
    env => { DRIO_OUTBOUND_TIMEOUT_SECONDS => 2 });
my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
my $acme = $s->seed_workspace('Acme', $alice->{email});
my $m = DrioMcpApp->start($s, owner => $alice, workspace_id => $acme);
$m->add_tool('deleteItem');
is($m->publish, 2, 'setup: release 2 adds deleteItem to release 1\'s tools');

my $T = JSON::PP::true;
my $F = JSON::PP::false;
my $JSON = JSON::PP->new->canonical->allow_nonref;
my $MODERN = '2026-07-28';
my $META_VERSION = 'io.modelcontextprotocol/protocolVersion';
my $META_SERVER = 'io.modelcontextprotocol/serverInfo';
my @ITEMS = $m->items;
my @tools_r1 = $m->tools;
my @tools_r2 = sort @tools_r1, 'deleteItem';
my $latest_url = $s->url($m->endpoint);
my $pinned_url = "$latest_url?release=1";
my $endpoint_path = $m->endpoint;

# The calls each client makes against the latest release, and what the
# upstream must see for them (nothing for the ones drio refuses).
my @CALLS = (
    { label => 'ok', name => 'listItems', arguments => { limit => 2 } },
    { label => 'created', name => 'createItem',
      arguments => { name => 'bolt', qty => 7 } },
    { label => 'upstream404', name => 'getItem', arguments => { id => '99' } },
    { label => 'invalid', name => 'listItems', arguments => { limit => 500 } },
    { label => 'missing', name => 'getItem', arguments => {} },
    { label => 'unknown', name => 'noSuchTool', arguments => {} },
);
my @UPSTREAM_SEES = ([ 'GET', '/items', 'limit=2' ], [ 'POST', '/items', '' ],
    [ 'GET', '/items/99', '' ]);
# ... and against ?release=1: deleteItem is release 2's.
my @PINNED_CALLS = (
    { label => 'ok', name => 'listItems', arguments => { limit => 1 } },
    { label => 'notInRelease', name => 'deleteItem',
      arguments => { id => '4' } },
);

# --- running a client -------------------------------------------------------

my @outputs;    # every client's stdout and stderr, for the secret check

# Run t/interop/$script against $url with @calls, bounded.  Returns (the
# findings, the upstream requests made meanwhile).  One test: the client
# ran to its end and printed its findings.
sub run_client {
    my ($script, $url, @calls) = @_;
    my $plan = $JSON->encode({ calls => \@calls });
    my ($seen, $code, $out, $err) = $m->upstream_during(sub {
        DrioStack::run_command([ $node, "$interop/$script", $url, $plan ],
            dir => $s->tmpdir, timeout => 90) });
    push @outputs, $out, $err;
    my ($line) = grep { /\A\{/ } split /\n/, $out // '';
    my $f = eval { JSON::PP->new->decode($line // '') } // {};
    ok($code == 0 && $f->{done}, "$script against $url runs to its end")
        or diag("exit $code\nstdout: " . substr($out // '', 0, 4000)
            . "\nstderr: " . substr($err // '', 0, 4000));
    diag("$script: transport errors: " . $JSON->encode($f->{transportErrors}))
        if @{ $f->{transportErrors} // [] } && $ENV{TEST_VERBOSE};
    return ($f, $seen);
}

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

# The text of the first content item of a CallToolResult.
sub text_of { return (($_[0]{content} // [])->[0] // {})->{text} // '' }

# The HTTP exchanges of findings $f whose request is JSON-RPC $method.
sub exchanges {
    my ($f, $method) = @_;
    return grep { (($_->{request}{body} // {})->{method} // '') eq $method }
        @{ $f->{http} // [] };
}

# Every upstream request as [method, path, query].
sub upstream_lines {
    return [ map { [ @$_{qw(method path query)} ] } @{ $_[0] } ];
}

# The calls of @CALLS, as both clients must see them against the latest
# release (2025-11-25 and 2026-07-28 both make invalid arguments an isError
# result).
sub check_calls {
    my ($f, $seen, $who) = @_;
    my $ok = step_ok($f, 'call:ok', "$who: tools/call listItems succeeds");
    is($ok->{isError}, $F, "$who: isError is false");
    is_deeply($ok->{structuredContent}, { items => [ @ITEMS[0, 1] ],
            limit => 2 },
        "$who: structuredContent is the upstream's JSON answer");
    is_deeply(eval { JSON::PP->new->decode(text_of($ok)) },
        $ok->{structuredContent}, "$who: and so is the text content");
    my $created = step_ok($f, 'call:created',
        "$who: tools/call createItem (upstream 201) succeeds");
    is_deeply($created->{structuredContent}, { id => 42,
            created => { name => 'bolt', qty => 7 } },
        "$who: the created item comes back");

    my $up = step_ok($f, 'call:upstream404',
        "$who: an upstream 404 is a CallToolResult, not a thrown error");
    is($up->{isError}, $T, "$who: with isError true");
    like(text_of($up), qr/404/, "$who: saying 404");
    cmp_ok(length text_of($up), '<=', 2048,
        "$who: bounded (the upstream sent over 6000 bytes)");
    ok(!exists $up->{structuredContent},
        "$who: and without structuredContent");

    my $bad = step_ok($f, 'call:invalid',
        "$who: invalid arguments are a CallToolResult (tools: Error "
        . 'Handling, 2025-11-25 on)');
    is($bad->{isError}, $T, "$who: with isError true");
    like(text_of($bad), qr/limit.*50/, "$who: naming the argument and bound");
    my $missing = step_ok($f, 'call:missing',
        "$who: a missing required argument is a result too");
    is($missing->{isError}, $T, "$who: with isError true");

    my $e = step_error($f, 'call:unknown',
        "$who: an unknown tool makes the SDK raise");
    is($e->{code}, -32602, "$who: a JSON-RPC -32602 (Invalid params)")
        or diag($JSON->encode($e));

    is_deeply(upstream_lines($seen), \@UPSTREAM_SEES,
        "$who: the upstream got the three valid calls, in order, and "
        . 'nothing else');
    ok(!grep({ ($_->{headers}{'x-api-key'} // '') ne $m->api_key } @$seen),
        "$who: each with the integration's key");
}

# The tool_calls rows of client $name: [tool, era, version, status].
sub recorded {
    my ($name) = @_;
    return [ map { [ split /\|/, $_, -1 ] } split /\n/, $s->sql(<<'SQL',
SELECT tool, era, protocol_version, status, release_number
  FROM tool_calls WHERE app_id = :'p1' AND client_name = :'p2' ORDER BY id;
SQL
        $m->app->{id}, $name) ];
}

# --- @modelcontextprotocol/sdk 1.x: the legacy era --------------------------

SKIP: {
    skip '@modelcontextprotocol/sdk is not installed in t/interop', 1
        unless $installed{'@modelcontextprotocol/sdk'};
    my $who = 'sdk 1.x';
    my ($f, $seen) = run_client('mcp-client.mjs', $latest_url, @CALLS);
    like($f->{sdk}{version} // '', qr/\A1\./,
        "$who: the client is \@modelcontextprotocol/sdk 1.x")
        or diag($JSON->encode($f->{sdk}));

    my $c = step_ok($f, 'connect', "$who: connect (initialize) succeeds");
    my ($init) = exchanges($f, 'initialize');
    is(($init->{request}{body} // {})->{protocolVersion}, '2025-11-25',
        "$who: asks for its latest revision, 2025-11-25");
    is($c->{protocolVersion}, '2025-11-25',
        "$who: and drio negotiates 2025-11-25, which the SDK accepts");
    like($c->{sessionId} // '', qr/\A[\x21-\x7e]{16,}\z/,
        "$who: the transport holds the Mcp-Session-Id drio issued");
    is_deeply($c->{serverVersion}, { name => 'items', title => 'Item store',
            version => '2' },
        "$who: serverInfo is the app at its latest release");
    is(ref(($c->{serverCapabilities} // {})->{tools}), 'HASH',
        "$who: the capabilities name tools");
    is($c->{instructions}, 'Items and their stock.',
        "$who: the instructions are the app's description");
    my $sid = $c->{sessionId} // '';

    my $list = step_ok($f, 'listTools', "$who: tools/list succeeds");
    is_deeply([ sort map { $_->{name} } @{ $list->{tools} // [] } ],
        \@tools_r2, "$who: it lists release 2's five tools");
    ok(!grep({ ref $_->{inputSchema} ne 'HASH'
            || ($_->{inputSchema}{type} // '') ne 'object'
            || ($_->{title} // '') eq '' } @{ $list->{tools} // [] }),
        "$who: each with a title and an object inputSchema");

    check_calls($f, $seen, $who);

    step_ok($f, 'ping', "$who: ping succeeds");
    my $par = step_ok($f, 'parallel',
        "$who: six tools/list in flight at once in the session succeed");
    is_deeply($par->{answered}, [ (5) x 6 ], "$who: each with the tools");

    my $resume = step_ok($f, 'resume', "$who: the SDK's reconnect path "
        . '(a new transport given the session id) is served');
    is_deeply([ sort @{ $resume->{tools} // [] } ], \@tools_r2,
        "$who: with the tools");
    my $del = step_ok($f, 'terminate',
        "$who: terminateSession() succeeds");
    is($del->{sessionIdAfter}, undef, "$who: and forgets the session");
    my ($delete) = grep { $_->{method} eq 'DELETE' } @{ $f->{http} // [] };
    is_deeply([ ($delete // {})->{status},
            (($delete // {})->{request}{headers} // {})->{'mcp-session-id'} ],
        [ 204, $sid ], "$who: it sent DELETE with the session id: 204");
    my $e = step_error($f, 'afterEnd',
        "$who: a request in the ended session fails");
    is($e->{code}, 404, "$who: with HTTP 404 (start again with initialize)")
        or diag($JSON->encode($e));
    step_ok($f, 'close', "$who: the clients close");

    my @posts = grep { $_->{method} eq 'POST' } @{ $f->{http} // [] };
    my @after = grep { (($_->{request}{body} // {})->{method} // '')
        ne 'initialize' } @posts;
    ok(@after && !grep({ ($_->{request}{headers}{'mcp-session-id'} // '')
            ne $sid
            || ($_->{request}{headers}{'mcp-protocol-version'} // '')
            ne '2025-11-25' } @after),
        "$who: every POST after initialize carried the session id and "
        . 'MCP-Protocol-Version: 2025-11-25');
    ok(!grep({ defined $_->{request}{body}{id}
            && ($_->{response}{headers}{'content-type'} // '')
            !~ m{\Aapplication/json\b} } @posts),
        "$who: every request was answered with application/json");
    ok(!grep({ $_->{status} != 202 } grep { !defined $_->{request}{body}{id} }
            @posts),
        "$who: notifications/initialized was accepted with 202");
    ok(!grep({ $_->{status} != 405 } grep { $_->{method} eq 'GET' }
            @{ $f->{http} // [] }),
        "$who: its optional GET stream, if it asked, was 405 (drio sends "
        . 'none)');

    is_deeply(recorded('drio-interop-sdk-v1'), [
            [ 'listItems',  'legacy', '2025-11-25', 'ok',      2 ],
            [ 'createItem', 'legacy', '2025-11-25', 'ok',      2 ],
            [ 'getItem',    'legacy', '2025-11-25', 'error',   2 ],
            [ 'listItems',  'legacy', '2025-11-25', 'invalid', 2 ],
            [ 'getItem',    'legacy', '2025-11-25', 'invalid', 2 ] ],
        "$who: the calls are recorded with the client's name, the legacy "
        . 'era and 2025-11-25');
}

SKIP: {
    skip '@modelcontextprotocol/sdk is not installed in t/interop', 1
        unless $installed{'@modelcontextprotocol/sdk'};
    my $who = 'sdk 1.x, ?release=1';
    my ($f, $seen) = run_client('mcp-client.mjs', $pinned_url,
        @PINNED_CALLS);
    my $c = step_ok($f, 'connect', "$who: connect succeeds");
    is(($c->{serverVersion} // {})->{version}, '1',
        "$who: serverInfo says release 1");
    my $list = step_ok($f, 'listTools', "$who: tools/list succeeds");
    is_deeply([ sort map { $_->{name} } @{ $list->{tools} // [] } ],
        \@tools_r1, "$who: it lists release 1's four tools");
    my $ok = step_ok($f, 'call:ok', "$who: tools/call listItems succeeds");
    is_deeply($ok->{structuredContent}, { items => [ $ITEMS[0] ],
            limit => 1 }, "$who: with the upstream's answer");
    my $e = step_error($f, 'call:notInRelease',
        "$who: release 2's deleteItem cannot be called");
    is($e->{code}, -32602, "$who: it is an unknown tool there (-32602)");
    is_deeply(upstream_lines($seen), [ [ 'GET', '/items', 'limit=1' ] ],
        "$who: the upstream got the one call");
    step_ok($f, 'resume', "$who: the reconnect path keeps the pinned "
        . 'session');
    is_deeply([ sort @{ ($f->{resume}{value} // {})->{tools} // [] } ],
        \@tools_r1, "$who: on release 1");
    step_ok($f, 'terminate', "$who: terminateSession() succeeds");
    my ($delete) = grep { $_->{method} eq 'DELETE' } @{ $f->{http} // [] };
    is_deeply([ @{ $delete // {} }{qw(path status)} ],
        [ "$endpoint_path?release=1", 204 ],
        "$who: DELETE on the pinned URL is 204");
    is(step_error($f, 'afterEnd', "$who: the ended session fails")->{code},
        404, "$who: with 404");
}

# --- @modelcontextprotocol/client 2.x, 'auto': the modern era ---------------

SKIP: {
    skip '@modelcontextprotocol/client is not installed in t/interop', 1
        unless $installed{'@modelcontextprotocol/client'};
    my $who = 'client 2.x auto';
    my ($f, $seen) = run_client('mcp-client-v2.mjs', $latest_url, @CALLS);
    like($f->{sdk}{version} // '', qr/\A2\./,
        "$who: the client is \@modelcontextprotocol/client 2.x")
        or diag($JSON->encode($f->{sdk}));

    my $c = step_ok($f, 'connect', "$who: connect succeeds");
    is($c->{era}, 'modern', "$who: the probe settles on the modern era");
    is($c->{protocolVersion}, $MODERN, "$who: at $MODERN");
    is($c->{sessionId}, undef, "$who: without a session");
    is_deeply($c->{serverVersion}, { name => 'items', title => 'Item store',
            version => '2' },
        "$who: serverInfo (from the discover result's _meta) is the app at "
        . 'release 2');
    is($c->{instructions}, 'Items and their stock.',
        "$who: the instructions are the app's description");
    ok((grep { $_ eq $MODERN } @{ ($c->{discover} // {})->{supportedVersions}
            // [] }), "$who: the DiscoverResult lists $MODERN");

    my @http = @{ $f->{http} // [] };
    my $first = $http[0] // {};
    is((($first->{request} // {})->{body} // {})->{method}, 'server/discover',
        "$who: its first request is the server/discover probe");
    is($first->{status}, 200, "$who: answered 200");
    ok(!exchanges($f, 'initialize'), "$who: it never sends initialize");
    ok(@http && !grep({ $_->{method} ne 'POST' } @http),
        "$who: it only POSTs (no GET stream, no DELETE)");
    ok(!grep({ exists $_->{request}{headers}{'mcp-session-id'}
            || exists(($_->{response} // {})->{headers}{'mcp-session-id'}) }
            @http),
        "$who: no Mcp-Session-Id either way");
    my @wrong = grep {
        my $b = $_->{request}{body} // {};
        my $h = $_->{request}{headers};
        ($h->{'mcp-protocol-version'} // '') ne $MODERN
            || (($b->{meta} // {})->{$META_VERSION} // '') ne $MODERN
            || ($h->{'mcp-method'} // '') ne ($b->{method} // '')
            || ($b->{method} eq 'tools/call'
                && ($h->{'mcp-name'} // '') ne ($b->{name} // ''))
    } @http;
    ok(!@wrong, "$who: every request carries the $MODERN _meta version, "
        . 'MCP-Protocol-Version, Mcp-Method and (tools/call) Mcp-Name')
        or diag($JSON->encode(\@wrong));
    my @answers = grep { $_->{response}{body}{resultKeys} } @http;
    ok(@answers && !grep({ ($_->{response}{body}{resultType} // '')
            ne 'complete'
            || ((($_->{response}{body}{resultMeta} // {})->{$META_SERVER}
                // {})->{version} // '') ne '2' } @answers),
        "$who: every result has resultType complete and serverInfo in _meta");

    my $list = step_ok($f, 'listTools', "$who: tools/list succeeds");
    is_deeply([ sort map { $_->{name} } @{ $list->{tools} // [] } ],
        \@tools_r2, "$who: it lists release 2's five tools");
    my ($wire) = exchanges($f, 'tools/list');
    my $wb = (($wire // {})->{response} // {})->{body} // {};
    like($wb->{ttlMs} // '', qr/\A[1-9]\d*\z/, "$who: with a ttlMs");
    is($wb->{cacheScope}, 'public', "$who: and cacheScope public");
    my $again = step_ok($f, 'listAgain', "$who: a second tools/list succeeds");
    is($again->{exchanges}, 0,
        "$who: from the client's cache, as drio's ttlMs allows");

    check_calls($f, $seen, $who);
    step_ok($f, 'close', "$who: the client closes");

    is_deeply(recorded('drio-interop-sdk-v2'), [
            [ 'listItems',  'modern', $MODERN, 'ok',      2 ],
            [ 'createItem', 'modern', $MODERN, 'ok',      2 ],
            [ 'getItem',    'modern', $MODERN, 'error',   2 ],
            [ 'listItems',  'modern', $MODERN, 'invalid', 2 ],
            [ 'getItem',    'modern', $MODERN, 'invalid', 2 ] ],
        "$who: the calls are recorded with the client's name (from _meta), "
        . "the modern era and $MODERN");
}

SKIP: {
    skip '@modelcontextprotocol/client is not installed in t/interop', 1
        unless $installed{'@modelcontextprotocol/client'};
    my $who = 'client 2.x auto, ?release=1';
    my ($f, $seen) = run_client('mcp-client-v2.mjs', $pinned_url,
        @PINNED_CALLS);
    my $c = step_ok($f, 'connect', "$who: connect succeeds");
    is_deeply([ $c->{era}, $c->{protocolVersion} ], [ 'modern', $MODERN ],
        "$who: in the modern era, at $MODERN");
    is(($c->{serverVersion} // {})->{version}, '1',
        "$who: serverInfo says release 1");
    my $list = step_ok($f, 'listTools', "$who: tools/list succeeds");
    is_deeply([ sort map { $_->{name} } @{ $list->{tools} // [] } ],
        \@tools_r1, "$who: it lists release 1's four tools");
    my $ok = step_ok($f, 'call:ok', "$who: tools/call listItems succeeds");
    is_deeply($ok->{structuredContent}, { items => [ $ITEMS[0] ],
            limit => 1 }, "$who: with the upstream's answer");
    is(step_error($f, 'call:notInRelease',
        "$who: release 2's deleteItem cannot be called")->{code}, -32602,
        "$who: it is an unknown tool there (-32602)");
    is_deeply(upstream_lines($seen), [ [ 'GET', '/items', 'limit=1' ] ],
        "$who: the upstream got the one call");
}

# --- a URL with no endpoint -------------------------------------------------

# A wrong URL fails the connect at once, with drio's 404 and its message;
# the v2 client's probe gets a 404 that is not a modern JSON-RPC error, so
# it falls back to initialize before giving up (2026-07-28 streamable-http,
# "Backward Compatibility").
my $nowhere = $s->url('/mcp/' . $m->workspace_slug . '/nothing');
SKIP: {
    skip '@modelcontextprotocol/sdk is not installed in t/interop', 1
        unless $installed{'@modelcontextprotocol/sdk'};
    my ($f) = run_client('mcp-client.mjs', $nowhere);
    my $e = step_error($f, 'connect',
        'sdk 1.x, no such app: connect fails');
    is($e->{code}, 404, 'sdk 1.x, no such app: with 404');
    like($e->{message} // '', qr/No MCP endpoint here/,
        'sdk 1.x, no such app: and drio\'s message');
}
SKIP: {
    skip '@modelcontextprotocol/client is not installed in t/interop', 1
        unless $installed{'@modelcontextprotocol/client'};
    my ($f) = run_client('mcp-client-v2.mjs', $nowhere);
    my $e = step_error($f, 'connect',
        'client 2.x auto, no such app: connect fails');
    is(($e->{data} // {})->{status}, 404,
        'client 2.x auto, no such app: with 404')
        or diag($JSON->encode($e));
    is_deeply([ map { [ $_->{request}{body}{method}, $_->{status} ] }
            @{ $f->{http} // [] } ],
        [ [ 'server/discover', 404 ], [ 'initialize', 404 ] ],
        'client 2.x auto, no such app: the probe\'s 404 is no modern error, '
        . 'so it tried initialize before giving up');
}

# --- nothing secret ---------------------------------------------------------

my $key = $m->api_key;
ok(!grep({ index($_ // '', $key) >= 0 } @outputs),
    'the integration\'s key is in nothing any client printed');

$m->stop;
$s->finish;
done_testing;
