#!/usr/bin/perl
# 53-api-v1-mcp-servers.t: the "Custom MCP server" escape hatch, POST
# /api/v1/integrations (docs/api-v1/mcp-servers.md), over a real stack,
# against t/fixtures/mcp-server.mjs, an MCP server built on the official
# TypeScript SDK.
#
# - 201 with the integration and the server's tools as its catalog, from
#   a server with sessions and JSON answers (two pages, nextCursor), one
#   answering with event streams, and one without sessions; the session
#   is ended with DELETE; the row is kind mcp_server, auth_mode none,
#   status connected, catalog_at set.
# - a token: sent as the bearer, sealed in the vault (not in the row's
#   bytes, not in the reply, not in any log), auth_mode pat,
#   secret_fields ["token"]; without it the server's 401 is a 502.
# - crew scope; another workspace's crew is 404 crew_not_found.
# - 422: other kinds (with a hint), a malformed url or token, missing
#   fields; 400 for a body that is not JSON; 401; 403 for the normal
#   role; 404 for another workspace; 409 for a name taken.
# - upstream failures, nothing stored: an unreachable URL, a server that
#   is not MCP, a 404, an unsupported protocol version, duplicate tool
#   names (502 upstream_unavailable), more than 1000 tools and endless
#   pages (502 upstream_too_large); on a stack that does not allow
#   loopback, 422 destination_not_allowed.
#
# Needs node (20 or later) and t/interop/node_modules, installed with
# `npm ci --prefix t/interop --no-audit --no-fund`; skipped without them.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use IO::Socket::INET;
use JSON::PP ();
use Test::More;
use DrioFixture;
use DrioStack;
use DrioTest;

my $node = DrioStack::node_or_skip('the MCP server fixture');
DrioFixture::skip_without_sdk();

my %SIGNUM = (HUP => 1, INT => 2, TERM => 15);
for my $sig (keys %SIGNUM) {
    $SIG{$sig} = sub { $SIG{$sig} = 'DEFAULT'; exit 128 + $SIGNUM{$sig} };
}

# --- the fixture ------------------------------------------------------------

my $fixture = DrioFixture->start($node, 'mcp-server.mjs');
my $base = $fixture->base;

sub stats { return $fixture->get_json('/_stats') }

# A port nothing listens on.
my $closed_port = do {
    my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
        Listen => 1) or die "listen: $!";
    my $p = $l->sockport;
    close $l;
    $p;
};

# --- the stack --------------------------------------------------------------

my $s = DrioStack->start(responders => ['api-v1'],
    env => { DRIO_OUTBOUND_TIMEOUT_SECONDS => 5 });

my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
my $nora  = $s->seed_user(email => 'nora@example.com', name => 'Nora');
my $carol = $s->seed_user(email => 'carol@example.com', name => 'Carol');
my $acme   = $s->seed_workspace('Acme', $alice->{email});
my $hidden = $s->seed_workspace('Hidden', $carol->{email});
$s->seed_member($acme, $nora->{id}, 'normal');
my $T = JSON::PP::true;
my $F = JSON::PP::false;
my $secret_token = 'tk-fixture-secret';

sub call {
    my ($json, %opt) = @_;
    return $s->request(POST => '/api/v1/integrations', {
        (exists $opt{as} && !defined $opt{as} ? ()
            : (token => ($opt{as} // $alice)->{token})),
        (defined $opt{raw} ? (body => $opt{raw},
            headers => { 'Content-Type' => 'application/json' })
            : (json => $json)) });
}

sub add {
    my ($name, $path, %extra) = @_;
    my $as = delete $extra{as};
    return call({ workspace_id => $acme, kind => 'mcp_server',
        name => $name, url => "$base/$path", %extra },
        ($as ? (as => $as) : ()));
}

sub rows { return $s->sql('SELECT count(*) FROM workspace_integrations') }

sub is_refused {
    my ($res, $status, $code, $what) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    is($res->{status}, $status, "$what: $status")
        or diag($res->{content});
    is($res->{json}{code}, $code, "$what: code $code");
}

# --- success ----------------------------------------------------------------

my $before = stats();
my $res = add('Fixture', 'mcp');
is($res->{status}, 201, 'a server with sessions and JSON answers: 201')
    or diag($res->{content});
my $i = $res->{json};
is_deeply([sort keys %$i], [sort qw(id workspace_id crew_id connector_id
    connector_version name kind auth_mode url status status_message fields
    secret_fields oauth catalog_size created_by created_at updated_at
    catalog)], 'the reply has exactly the integration fields and catalog');
like($i->{id}, qr/^[0-9a-f-]{36}$/, 'it has an id');
is($i->{workspace_id}, $acme, 'in the workspace');
is($i->{crew_id}, undef, 'at workspace scope');
is($i->{connector_id}, undef, 'from no connector');
is($i->{connector_version}, undef, 'so no connector version');
is($i->{kind}, 'mcp_server', 'kind mcp_server');
is($i->{auth_mode}, 'none', 'auth_mode none without a token');
is($i->{url}, "$base/mcp", 'the URL as given');
is($i->{status}, 'connected', 'connected');
is_deeply($i->{secret_fields}, [], 'no secret fields');
is_deeply($i->{fields}, {}, 'no fields');
is($i->{created_by}, $alice->{id}, 'created by the caller');
is($i->{catalog_size}, 3, 'three tools, listed on two pages');
is_deeply([map { $_->{key} } @{ $i->{catalog} }], [qw(add echo get_time)],
    'the catalog holds every tool in order');
is_deeply($i->{catalog}[0], {
    key => 'add', operation_id => 'add', method => undef, path => undef,
    summary => 'Add numbers', description => 'Adds a and b.',
    deprecated => $F,
    input_schema => { type => 'object',
        properties => { a => { type => 'number' }, b => { type => 'number' } },
        required => ['a', 'b'] },
    output_schema => { type => 'object',
        properties => { sum => { type => 'number' } } },
    annotations => { readOnlyHint => $T, idempotentHint => $T },
    source => 'mcp' }, 'a tool becomes an operation in the oas shape');
is($i->{catalog}[1]{summary}, 'Echo',
    'without a title, annotations.title is the summary');
is($i->{catalog}[2]{summary}, 'get_time', 'else the name is');
my $after = stats();
is($after->{initialized} - $before->{initialized}, 1, 'one initialize');
is($after->{list_calls} - $before->{list_calls}, 2,
    'tools/list followed nextCursor: two pages');
is($after->{deleted} - $before->{deleted}, 1,
    'the session was ended with DELETE');
is($s->sql(q{SELECT kind || ' ' || auth_mode || ' ' || status || ' '
    || (catalog_at IS NOT NULL) || ' ' || (secret IS NULL) || ' '
    || jsonb_array_length(catalog) FROM workspace_integrations
    WHERE id = :'p1'}, $i->{id}), 'mcp_server none connected true true 3',
    'the row: mcp_server, none, connected, catalog_at set, no secret');

$res = add('Streaming', 'sse');
is($res->{status}, 201, 'a server answering with event streams: 201')
    or diag($res->{content});
is($res->{json}{catalog_size}, 3, 'its tools are read from the stream');

$res = add('Stateless', 'stateless');
is($res->{status}, 201, 'a server without sessions: 201')
    or diag($res->{content});
is($res->{json}{catalog_size}, 3, 'its tools are listed');

# --- a token ----------------------------------------------------------------

my $count = rows();
$res = add('Locked', 'auth');
is_refused($res, 502, 'upstream_unavailable', 'a server that wants a token');
like($res->{json}{message} // '', qr/HTTP 401/, 'the message says 401');
is(rows(), $count, 'nothing is stored');

$res = add('Locked', 'auth', token => $secret_token);
is($res->{status}, 201, 'with the token: 201') or diag($res->{content});
my $locked = $res->{json};
is($locked->{auth_mode}, 'pat', 'auth_mode pat');
is_deeply($locked->{secret_fields}, ['token'], 'secret_fields names token');
is($locked->{catalog_size}, 3, 'the tools were listed with the token');
is((stats()->{auth_seen} // [])->[-1], "Bearer $secret_token",
    'the token went as the bearer');
unlike($res->{content}, qr/\Q$secret_token\E/, 'the reply has no token');
is($s->sql(q{SELECT position(convert_to(:'p2', 'UTF8') IN secret) = 0
    AND length(secret) > 0 FROM workspace_integrations WHERE id = :'p1'},
    $locked->{id}, $secret_token), 't',
    'the row holds the token sealed, not in the clear');

# --- crews ------------------------------------------------------------------

my $crew = $s->sql(q{INSERT INTO crews (workspace_id, name)
    VALUES (:'p1', 'Core') RETURNING id}, $acme);
my $other_crew = $s->sql(q{INSERT INTO crews (workspace_id, name)
    VALUES (:'p1', 'Theirs') RETURNING id}, $hidden);
$res = add('Crew server', 'mcp', crew_id => $crew);
is($res->{status}, 201, 'at crew scope: 201') or diag($res->{content});
is($res->{json}{crew_id}, $crew, 'the crew is recorded');
$count = rows();
$res = add('Other crew', 'mcp', crew_id => $other_crew);
is_refused($res, 404, 'crew_not_found', "another workspace's crew");
is(rows(), $count, 'nothing is stored');

# --- refusals ---------------------------------------------------------------

$res = call({ workspace_id => $acme, kind => 'mcp_server', name => 'x',
    url => "$base/mcp" }, as => undef);
is($res->{status}, 401, 'without a token: 401');

$res = call(undef, raw => '{"workspace_id": ');
is_refused($res, 400, 'invalid_json', 'a body that is not JSON');

for my $kind (qw(openapi http)) {
    $res = add("Kind $kind", 'mcp', kind => $kind);
    is_refused($res, 422, 'validation_error', "kind $kind");
    like($res->{json}{hint} // '', qr{/api/v1/apps/\{app_id\}/integrations},
        "kind $kind: the hint points to the app integrations");
    is($res->{json}{details}[0]{loc}[1], 'kind',
        "kind $kind: the detail names kind");
}

$res = call({});
is_refused($res, 422, 'validation_error', 'an empty body');
is_deeply([sort map { $_->{loc}[1] } @{ $res->{json}{details} }],
    [qw(kind name url workspace_id)], 'every required field is named');

$res = add('Bad URL', 'mcp', url => 'ftp://example.com/mcp');
is_refused($res, 422, 'validation_error', 'a URL that is not http(s)');
$res = add('Bad token', 'mcp', token => "a b\r\nX-Evil: 1");
is_refused($res, 422, 'validation_error', 'a token with blanks and CR LF');
$res = add('Extra', 'mcp', headers => { 'X-A' => 'b' });
is_refused($res, 422, 'validation_error', 'an unknown field');

$res = add('Normal', 'mcp', as => $nora);
is_refused($res, 403, 'insufficient_role', 'the normal role');

$res = call({ workspace_id => $hidden, kind => 'mcp_server', name => 'x',
    url => "$base/mcp" });
is_refused($res, 404, 'workspace_not_found', 'a workspace of others');

$before = stats();
$res = add('Fixture', 'mcp');
is_refused($res, 409, 'name_taken', 'a name already taken');
is($res->{json}{details}[0]{loc}[1], 'name', 'the detail names name');
is(stats()->{initialized}, $before->{initialized},
    'a taken name is refused before the server is asked');

# --- upstream failures ------------------------------------------------------

$count = rows();
$res = call({ workspace_id => $acme, kind => 'mcp_server',
    name => 'Closed', url => "http://127.0.0.1:$closed_port/mcp" });
is_refused($res, 502, 'upstream_unavailable', 'an unreachable server');

$res = add('Not MCP', 'notmcp');
is_refused($res, 502, 'upstream_unavailable', 'a server that is not MCP');
like($res->{json}{message} // '', qr/not answer as an MCP server/,
    'the message says it is not an MCP server');

$res = add('Missing', 'nothere');
is_refused($res, 502, 'upstream_unavailable', 'a 404 endpoint');

$res = add('Old', 'old');
is_refused($res, 502, 'upstream_unavailable', 'an unsupported version');
like($res->{json}{message} // '', qr/2024-11-05/,
    'the message names the version offered');

$res = add('Dupe', 'dupe');
is_refused($res, 502, 'upstream_unavailable', 'a tool name listed twice');

$res = add('Many', 'many');
is_refused($res, 502, 'upstream_too_large', 'more than 1000 tools');
like($res->{json}{message} // '', qr/1000 tools/, 'the message says so');

$res = add('Endless', 'endless');
is_refused($res, 502, 'upstream_too_large', 'pages without end');
like($res->{json}{message} // '', qr/20 pages/, 'bounded at 20 pages');
is(rows(), $count, 'no failure stored anything');

# --- no secret anywhere -----------------------------------------------------

my @leaks = grep { /\Q$secret_token\E/ }
    map { $s->log_lines('api-v1', $_) } 1 .. ($s->{instances} // 1);
is(scalar @leaks, 0, 'no responder log line holds the token')
    or diag(join "\n", @leaks[0 .. 4]);

# --- a stack that does not allow loopback -------------------------------------

my $guarded = DrioStack->start(responders => ['api-v1'],
    outbound_allow => '10.0.0.0/8');
my $bob = $guarded->seed_user(email => 'bob@example.com', name => 'Bob');
my $ws = $guarded->seed_workspace('Guarded', $bob->{email});
$res = $guarded->request(POST => '/api/v1/integrations', {
    token => $bob->{token},
    json => { workspace_id => $ws, kind => 'mcp_server', name => 'Local',
        url => "$base/mcp" } });
is($res->{status}, 422, 'a loopback server where loopback is not allowed:'
    . ' 422') or diag($res->{content});
is($res->{json}{code}, 'destination_not_allowed', 'destination_not_allowed');
is($guarded->sql('SELECT count(*) FROM workspace_integrations'), 0,
    'nothing is stored');
$guarded->finish;

$s->finish;
$fixture->stop;
done_testing;
