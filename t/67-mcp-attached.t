#!/usr/bin/perl
# 67-mcp-attached.t: apps attaching workspace integrations
# (docs/api-v1/integrations.md, "Attaching a workspace integration"), end
# to end over a real stack (drio-api-v1, drio-api-v3 and drio-mcp behind
# nginx, PostgreSQL), with upstreams on loopback that record what they
# are sent: a Perl "service" this test forks (an HTTP API under /pat,
# /basic and /oauth, and an OAuth authorization server's /token), the MCP
# server t/fixtures/mcp-tools-server.mjs, and the MCP server with its own
# OAuth t/fixtures/mcp-oauth-server.mjs.
#
# - pat: a connector whose manifest has an inline OpenAPI document (the
#   service's /pat) and a verify request with headers made of the form's
#   fields (Authorization: Bearer {{token}}, X-Api-Version, X-Account):
#   install, attach (kind, name, base_url, no auth connection,
#   workspace_integration, the discovery_report of the catalog; v1, v3
#   and the runtime preview show it; attaching it again under the same
#   name: 409), import the tools, publish; an MCP tools/call sends
#   exactly those headers with the values; an upstream error that echoes
#   the token is redacted; a second connector's basic_auth becomes
#   Authorization: Basic.
# - byo_oauth: install, the callback against the fake authorization
#   server, attach, call: Bearer with the first access token; the token
#   made due: refreshed first (one refresh), the new token sent, and not
#   refreshed again while fresh; the upstream refusing a token (401): one
#   refresh and one retry; refusing the new one too: no third try; the
#   authorization server refusing the refresh: an isError result, the
#   integration marked error, the draft no longer validates, later calls
#   fail without asking anyone.
# - rules: a crew-scoped install attached by an app whose creator is not
#   in the crew: 403 forbidden (crew_scope), by one whose creator is:
#   201; another workspace's integration, an unknown one: 404; kind
#   mismatch, auth_connection_id, spec/spec_text/spec_url beside
#   workspace_integration_id: 422; PATCH kind, auth_connection_id,
#   rediscover with spec_url of an attached one: 422, the draft unchanged;
#   DELETE of the workspace integration while attached: 409 in_use naming
#   the app, then after the app's integration is deleted: 200; an
#   integration of the app's own shows workspace_integration null; an
#   install without a url yet: integration_base_url_missing; pending
#   byo_oauth and mcp_oauth installs attached: integration_not_connected
#   for each.
# - MCP servers (a subtest): a custom MCP server with a token, attached
#   (kind mcp_server), its tools made, published, called through drio's
#   MCP endpoint: the result passes through (content, structuredContent,
#   isError), the server saw the Bearer token; a result that shows the
#   token is withheld, also a token with a "/"; a sync that changes the
#   server's tools, then PATCH {"rediscover": true}: added and removed
#   operations reported; a pat connector whose operations are an MCP
#   server's tools, called with its verify request's Authorization; an
#   mcp_oauth install (the SDK's OAuth MCP server) connected, attached,
#   called with its access token, and after a 401 for a token drio
#   thinks fresh, one refresh and one retry (docs/api-v1/integrations.md
#   says so for byo_oauth and mcp_oauth alike).
# - no token, client secret or refresh token in any answer, MCP result
#   or responder log line.
#
# The parts that need node 20 and t/interop's MCP SDK (the two MCP
# servers) are skipped without them; the rest runs.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP ();
use MIME::Base64 qw(encode_base64);
use POSIX ();
use Test::More;
use Time::HiRes qw(time sleep);
use DrioFixture;
use DrioMcpApp;
use DrioStack;
use DrioTest;

my %SIGNUM = (HUP => 1, INT => 2, TERM => 15);
for my $sig (keys %SIGNUM) {
    $SIG{$sig} = sub { $SIG{$sig} = 'DEFAULT'; exit 128 + $SIGNUM{$sig} };
}

my $s = DrioStack->start(responders => [ 'api-v1', 'api-v3', 'mcp' ],
    env => { DRIO_OUTBOUND_TIMEOUT_SECONDS => 5 });

my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
my $max   = $s->seed_user(email => 'max@example.com', name => 'Max');
my $carol = $s->seed_user(email => 'carol@example.com', name => 'Carol');
my $acme   = $s->seed_workspace('Acme', $alice->{email});
my $hidden = $s->seed_workspace('Hidden', $carol->{email});
$s->seed_member($acme, $max->{id}, 'manager');
my $ws_slug = $s->sql("SELECT slug FROM workspaces WHERE id = :'p1'", $acme);

my $T = JSON::PP::true;
my $F = JSON::PP::false;
my $JSON = JSON::PP->new->canonical->allow_nonref;
my $tmp = $s->tmpdir;

my $PAT = 'pat-Zq9SecretToken-4711';
my $ACCOUNT = 'acct-7';
my $API_VERSION = '2024-06-01';
my $BASIC_EMAIL = 'ops@example.com';
my $BASIC_TOKEN = 'basic-Zq9SecretToken-0815';
my $CLIENT_ID = 'cid-1';
my $CLIENT_SECRET = 'cs-Zq9SecretClient';
my $MCP_TOKEN = 'tk-tools-secret';    # t/fixtures/mcp-tools-server.mjs's
my $CAROL_PAT = 'pat-Zq9CarolToken-1';
# Also taken by mcp-tools-server.mjs: a token JSON text would escape.
my $SLASH_TOKEN = 'tk/tools+secret=';

# Every answer of the test (API and MCP), to check no secret was shown.
my @answers;

sub spew {
    my ($path, $text) = @_;
    open my $fh, '>:raw', $path or die "$path: $!";
    print $fh $text;
    close $fh or die "$path: $!";
}

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or return '';
    local $/;
    return scalar <$fh>;
}

sub unescape {
    my ($v) = @_;
    $v =~ tr/+/ /;
    $v =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
    return $v;
}

sub escape {
    my ($v) = @_;
    $v =~ s/([^A-Za-z0-9\-._~])/sprintf '%%%02X', ord $1/ge;
    return $v;
}

sub query_of {
    my ($url) = @_;
    my ($q) = ($url // '') =~ /\?(.*)\z/ or return {};
    return { map { my ($k, $v) = split /=/, $_, 2; unescape($k) =>
        unescape($v // '') } split /&/, $q };
}

# --- the service: an API and an authorization server on loopback ---------------

# One forked Perl server, answering one request at a time, appending each
# (method, path, query, headers with lower-case names, body) as a JSON
# line to $svc_log before answering:
#   POST /token          authorization_code (code "good-code") and
#                        refresh_token (a refresh token it issued and has
#                        not rotated away); client authentication by
#                        Basic with the install's client; access tokens
#                        "at-N-Zq9SECRETACCESS", refresh tokens
#                        "rt-N-Zq9SECRETREFRESH", expires_in 3600;
#                        refuses every refresh (400 invalid_grant) while
#                        $as_mode holds "refuse"
#   GET /pat/things      200 {"things": [...], "limit": N}
#   GET /pat/things/ID   404 echoing the Authorization it was sent
#   GET /basic/me        200 {"me": "basic"}
#   GET /oauth/me        401 when the bearer token is a line of $reject,
#                        else 200 {"me": "oauth"}
# Bounded: at most 400 connections, 300 seconds, 5 s to read a request.
my $svc_log = "$tmp/service.jsonl";
my $as_mode = "$tmp/as-mode";
my $reject = "$tmp/reject";
spew($as_mode, 'ok');
spew($reject, '');

my $listener = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
    LocalPort => 0, Listen => 32, ReuseAddr => 1) or die "listen: $!";
my $port = $listener->sockport;
my $svc = "http://127.0.0.1:$port";
my $server = fork // die "fork: $!";
if ($server == 0) {
    $SIG{PIPE} = 'IGNORE';
    $SIG{$_} = 'DEFAULT' for qw(INT TERM HUP);
    $SIG{ALRM} = sub { POSIX::_exit(0) };
    alarm 300;
    my $n = 0;
    my %refresh;    # refresh tokens that are still good
    my $basic = 'Basic ' . encode_base64(escape($CLIENT_ID) . ':'
        . escape($CLIENT_SECRET), '');
    for (1 .. 400) {
        my $c = $listener->accept or next;
        my $r = DrioMcpApp::read_request($c);
        if (!$r) { close $c; next }
        if (open my $log, '>>', $svc_log) {
            print {$log} $JSON->encode($r), "\n";
            close $log;
        }
        my ($status, $doc) = (404, { error => 'no such route' });
        my ($m, $p) = @$r{qw(method path)};
        my $auth = $r->{headers}{authorization} // '';
        if ($m eq 'POST' && $p eq '/token') {
            my %form = map { my ($k, $v) = split /=/, $_, 2;
                unescape($k) => unescape($v // '') } split /&/, $r->{body};
            my $grant = $form{grant_type} // '';
            my $issue = 0;
            if ($auth ne $basic) {
                ($status, $doc) = (401, { error => 'invalid_client' });
            } elsif ($grant eq 'authorization_code') {
                $issue = ($form{code} // '') eq 'good-code';
            } elsif ($grant eq 'refresh_token') {
                $issue = slurp($as_mode) ne 'refuse'
                    && delete $refresh{ $form{refresh_token} // '' };
            }
            if ($issue) {
                $n++;
                $refresh{"rt-$n-Zq9SECRETREFRESH"} = 1;
                ($status, $doc) = (200, {
                    access_token => "at-$n-Zq9SECRETACCESS",
                    refresh_token => "rt-$n-Zq9SECRETREFRESH",
                    token_type => 'Bearer', expires_in => 3600,
                    scope => 'read' });
            } elsif ($status != 401) {
                ($status, $doc) = (400, { error => 'invalid_grant',
                    error_description => 'The grant is not valid.' });
            }
        } elsif ($m eq 'GET' && $p eq '/pat/things') {
            my ($limit) = $r->{query} =~ /(?:\A|&)limit=(\d+)/;
            $limit //= 3;
            ($status, $doc) = (200, { things => [ map { { id => $_,
                name => "thing $_" } } 1 .. $limit ], limit => $limit + 0 });
        } elsif ($m eq 'GET' && $p =~ m{\A/pat/things/([^/]+)\z}) {
            ($status, $doc) = (404, { error => "no thing $1",
                auth_seen => $auth });
        } elsif ($m eq 'GET' && $p eq '/basic/me') {
            ($status, $doc) = (200, { me => 'basic' });
        } elsif ($m eq 'GET' && $p eq '/oauth/me') {
            my %bad = map { ("Bearer $_" => 1) } grep { /\S/ } split /\n/,
                slurp($reject);
            ($status, $doc) = $bad{$auth}
                ? (401, { error => 'invalid_token' })
                : (200, { me => 'oauth' });
        }
        my $body = $JSON->encode($doc);
        print {$c} "HTTP/1.1 $status X\r\nContent-Type: application/json\r\n"
            . 'Content-Length: ' . length($body)
            . "\r\nConnection: close\r\n\r\n$body";
        close $c;
    }
    POSIX::_exit(0);
}
close $listener;
END {
    local $?;
    if ($server) { kill 'KILL', $server; waitpid $server, 0 }
}

# The requests the service has seen so far.
sub service_requests {
    return map { $JSON->decode($_) } grep { /\S/ } split /\n/,
        slurp($svc_log);
}

# Run $code; returns ([the requests the service saw meanwhile], what
# $code returned).
sub service_during {
    my ($code) = @_;
    my $before = () = service_requests();
    my @r = $code->();
    my @all = service_requests();
    return ([ @all[$before .. $#all] ], @r);
}

sub token_calls { return grep { $_->{path} eq '/token' } @{ $_[0] } }
sub api_calls { return grep { $_->{path} ne '/token' } @{ $_[0] } }
sub grant_of {
    my ($r) = @_;
    my ($g) = $r->{body} =~ /(?:\A|&)grant_type=([^&]*)/;
    return $g // '';
}

# --- the connectors -----------------------------------------------------------

sub doc {
    my ($base, %paths) = @_;
    return { openapi => '3.0.3', info => { title => 'Service',
        version => '1' }, servers => [{ url => $base }], paths => \%paths };
}

my %common = (version => 1, description => 'A test service.',
    category => 'other', brand_logo => 'https://example.com/l.png',
    brand_color => '#000000', docs_url => 'https://example.com/docs');
my $ok = { 200 => { description => 'OK' } };
my %manifests = (
    'svc-pat' => { name => 'Service PAT', auth_mode => 'pat',
        fields => [
            { key => 'token', label => 'Token', type => 'password',
              secret => $T, required => $T },
            { key => 'account', label => 'Account', type => 'text',
              secret => $F, required => $T } ],
        verify => { method => 'GET', url => "$svc/pat/verify",
            headers => { Authorization => 'Bearer {{token}}',
                'X-Api-Version' => $API_VERSION,
                'X-Account' => '{{account}}' },
            ok_statuses => [200] },
        openapi => { document => doc("$svc/pat",
            '/things' => { get => { operationId => 'listThings',
                summary => 'List things', description => 'Lists things.',
                parameters => [{ name => 'limit', in => 'query',
                    schema => { type => 'integer' } }],
                responses => $ok } },
            '/things/{id}' => { get => { operationId => 'getThing',
                summary => 'Get a thing', description => 'One thing.',
                parameters => [{ name => 'id', in => 'path',
                    required => $T, schema => { type => 'string' } }],
                responses => $ok } }) } },
    'svc-basic' => { name => 'Service Basic', auth_mode => 'pat',
        fields => [
            { key => 'email', label => 'Email', type => 'text',
              secret => $F, required => $T },
            { key => 'api_token', label => 'API token', type => 'password',
              secret => $T, required => $T } ],
        verify => { method => 'GET', url => "$svc/basic/verify",
            basic_auth => { username => '{{email}}',
                password => '{{api_token}}' },
            ok_statuses => [200] },
        openapi => { document => doc("$svc/basic",
            '/me' => { get => { operationId => 'basicMe',
                summary => 'Who am I', description => 'The user.',
                responses => $ok } }) } },
    'svc-oauth' => { name => 'Service OAuth', auth_mode => 'byo_oauth',
        fields => [
            { key => 'client_id', label => 'Client', type => 'text',
              secret => $F, required => $T },
            { key => 'client_secret', label => 'Secret',
              type => 'password', secret => $T, required => $T } ],
        oauth => { authorize_url => "$svc/authorize",
            token_url => "$svc/token", scopes => ['read'], pkce => $F },
        openapi => { document => doc("$svc/oauth",
            '/me' => { get => { operationId => 'oauthMe',
                summary => 'Who am I (OAuth)', description => 'The user.',
                responses => $ok } }) } },
    'svc-mcp-pending' => { name => 'Pending MCP', auth_mode => 'mcp_oauth',
        fields => [], mcp => { server_url => "$svc/mcp" } },
    'svc-url' => { name => 'Service by URL', auth_mode => 'none',
        fields => [], openapi => { url => "$svc/openapi.json" } },
);
my $dir = "$tmp/connectors";
mkdir $dir or die "$dir: $!";
for my $id (sort keys %manifests) {
    spew("$dir/$id.json", JSON::PP->new->canonical->pretty->encode({
        %common, id => $id, %{ $manifests{$id} } }));
}
my ($code, $out, $err) = $s->admin_env({ DRIO_CONNECTORS_DIR => $dir },
    undef, 'load-connectors', '--allow-http');
is($code, 0, 'the test connectors load') or diag "$out\n$err";

# --- API helpers ------------------------------------------------------------------

sub call {
    my ($method, $path, $json, %opt) = @_;
    my $res = $s->request($method => $path, {
        token => ($opt{as} // $alice)->{token},
        (defined $json ? (json => $json) : ()) });
    push @answers, $res->{content};
    return $res;
}

sub install {
    my ($connector, $body, %opt) = @_;
    my $ws = $opt{workspace} // $acme;
    my $res = call(POST => "/api/v1/connectors/$connector/install"
        . "?workspace_id=$ws", $body // {}, %opt);
    is($res->{status}, 201, "install $connector: 201")
        or diag $res->{content};
    return $res->{json} // {};
}

sub new_app {
    my ($name, $slug, %opt) = @_;
    my $res = call(POST => '/api/v1/apps', { workspace_id => $acme,
        name => $name, slug => $slug,
        description => "The $name app." }, %opt);
    is($res->{status}, 201, "app $name: 201") or diag $res->{content};
    return $res->{json}{id};
}

sub attach {
    my ($app, $wi, %extra) = @_;
    my $as = delete $extra{as};
    return call(POST => "/api/v1/apps/$app/integrations",
        { workspace_integration_id => $wi, %extra }, ($as ? (as => $as) : ()));
}

sub is_refused {
    my ($res, $status, $code, $what) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    is($res->{status}, $status, "$what: $status") or diag $res->{content};
    is($res->{json}{code}, $code, "$what: code $code");
}

# The detail of a refusal: [loc joined by '.', type] of each.
sub details {
    my ($res) = @_;
    return [ map { [ join('.', @{ $_->{loc} // [] }), $_->{type} // '' ] }
        @{ $res->{json}{details} // [] } ];
}

# Make tools of every operation of each integration, make the app
# public and publish it.  Returns the release number.
sub publish {
    my ($app, @integrations) = @_;
    for my $int (@integrations) {
        my $res = call(POST => "/api/v3/apps/$app/integrations/$int"
            . '/operations/import-tools', { all => $T });
        is($res->{status}, 200, 'import the tools of the operations')
            or diag $res->{content};
    }
    return release($app);
}

# Make the app public and publish it.  Returns the release number.
sub release {
    my ($app) = @_;
    my $res = call(PATCH => "/api/v1/apps/$app", { visibility => 'public' });
    is($res->{status}, 200, 'the app is made public') or diag $res->{content};
    $res = call(POST => "/api/v3/apps/$app/releases", {});
    is($res->{status}, 201, 'the app is published') or diag $res->{content};
    return $res->{json}{number};
}

# Make tools of every operation of MCP server integration $int, through
# import-tools.
sub import_mcp_tools {
    my ($app, $int) = @_;
    my $res = call(POST => "/api/v3/apps/$app/integrations/$int"
        . '/operations/import-tools', { all => $T });
    is($res->{status}, 200, 'import-tools makes tools of an MCP'
        . ' server\'s operations') or diag $res->{content};
}

sub validate {
    my ($app) = @_;
    my $res = call(POST => "/api/v3/apps/$app/draft/validate");
    is($res->{status}, 200, 'the draft is validated') or diag $res->{content};
    return $res->{json} // {};
}

sub op_keys {
    my ($app, $int, $status) = @_;
    my $res = call(GET => "/api/v1/apps/$app/integrations/$int/operations"
        . '?limit=100' . ($status ? "&status=$status" : ''));
    return [ sort map { $_->{key} } @{ $res->{json}{data} // [] } ];
}

# --- MCP helpers ------------------------------------------------------------------

my $next_id = 1;

sub post_mcp {
    my ($path, $body, %h) = @_;
    my $res = $s->request(POST => $path, {
        body => $JSON->encode($body), content_type => 'application/json',
        headers => { Accept => 'application/json, text/event-stream', %h },
        timeout => 30 });
    push @answers, $res->{content};
    return $res;
}

# Open a session at 2025-06-18 on the endpoint of app $slug.  Returns
# [path, session id].
sub mcp_open {
    my ($slug) = @_;
    my $path = "/mcp/$ws_slug/$slug";
    my $res = post_mcp($path, { jsonrpc => '2.0', id => $next_id++,
        method => 'initialize', params => { protocolVersion => '2025-06-18',
            capabilities => {}, clientInfo => { name => 'drio-tests',
                version => '1' } } });
    my $sid = $res->{headers}{'mcp-session-id'};
    ok($res->{status} == 200 && defined $sid, "an MCP session on $slug")
        or diag "$res->{status} $res->{content}";
    post_mcp($path, { jsonrpc => '2.0', method => 'notifications/initialized' },
        'Mcp-Session-Id' => $sid // '', 'MCP-Protocol-Version' => '2025-06-18');
    return [ $path, $sid ];
}

sub mcp {
    my ($session, $method, $params) = @_;
    my $res = post_mcp($session->[0], { jsonrpc => '2.0', id => $next_id++,
        method => $method, (defined $params ? (params => $params) : ()) },
        'Mcp-Session-Id' => $session->[1] // '',
        'MCP-Protocol-Version' => '2025-06-18');
    return ref $res->{json} eq 'HASH' && ref $res->{json}{result} eq 'HASH'
        ? $res->{json}{result} : { _answer => "$res->{status} $res->{content}" };
}

# tools/call $name with $args; returns the result.
sub tool {
    my ($session, $name, $args) = @_;
    my $r = mcp($session, 'tools/call', { name => $name,
        arguments => $args // {} });
    diag "tools/call $name: $r->{_answer}" if exists $r->{_answer};
    return $r;
}

sub text_of { return (($_[0]{content} // [])->[0] // {})->{text} // '' }

# The headers of a request that are not the transport's own.
my %TRANSPORT = map { $_ => 1 } qw(host user-agent accept accept-encoding
    content-length content-type connection expect);
sub own_headers {
    my ($r) = @_;
    my %h = %{ $r->{headers} // {} };
    delete @h{ keys %TRANSPORT };
    return \%h;
}

# =================================================================================
# 1. pat: the verify request's headers, with the form's values
# =================================================================================

my $pat = install('svc-pat', { fields => { token => $PAT,
    account => $ACCOUNT } })->{integration_id};
my $res = call(GET => "/api/v1/integrations/$pat");
is($res->{json}{status}, 'connected', 'the pat install is connected');
is($res->{json}{url}, "$svc/pat", '... its url the document\'s server');
is($res->{json}{catalog_size}, 2, '... its catalog the two operations');
my $basic = install('svc-basic', { fields => { email => $BASIC_EMAIL,
    api_token => $BASIC_TOKEN } })->{integration_id};

my $things = new_app('Things', 'things');
$res = attach($things, $pat);
is($res->{status}, 201, 'attach the pat install: 201') or diag $res->{content};
my $pat_int = $res->{json} // {};
is($pat_int->{name}, 'Service PAT', 'its name is the install\'s');
is($pat_int->{kind}, 'openapi', 'its kind is the install\'s');
is($pat_int->{base_url}, "$svc/pat", 'its base_url is the install\'s url');
is($pat_int->{auth_connection}, undef, 'it has no auth connection');
is_deeply($pat_int->{workspace_integration}, { id => $pat,
    name => 'Service PAT', auth_mode => 'pat', status => 'connected' },
    'workspace_integration: id, name, auth_mode, status');
is_deeply([ sort @{ $pat_int->{discovery_report}{added} // [] } ],
    [qw(getThing listThings)], 'the discovery_report adds the catalog');
is_deeply([ @{ $pat_int->{discovery_report}{removed} // ['?'] } ], [],
    '... and removes nothing');
is($pat_int->{discovery}{title}, 'Service PAT',
    'discovery.title is the workspace integration\'s name');
like($pat_int->{discovery}{sha256} // '', qr/\A[0-9a-f]{64}\z/,
    'discovery.sha256 is a SHA-256');
is_deeply(op_keys($things, $pat_int->{id}), [qw(getThing listThings)],
    'the app has the two operations');
$res = call(GET => "/api/v1/apps/$things/integrations/$pat_int->{id}");
is_deeply($res->{json}{workspace_integration},
    $pat_int->{workspace_integration}, 'GET (v1) shows the attachment');
$res = call(GET => "/api/v3/apps/$things/integrations");
my ($v3) = grep { $_->{id} eq ($pat_int->{id} // '') }
    @{ $res->{json}{data} // [] };
is_deeply(($v3 // {})->{workspace_integration},
    $pat_int->{workspace_integration}, 'the v3 list shows it too');

$res = attach($things, $basic);
is($res->{status}, 201, 'attach the basic_auth install: 201')
    or diag $res->{content};
my $basic_int = $res->{json}{id};
$res = attach($things, $pat);
is_refused($res, 409, 'name_taken', 'attaching it again under the same name');
is_deeply(details($res), [[ 'body.name', 'name_taken' ]],
    '... the detail names name');

is(publish($things, $pat_int->{id}, $basic_int), 1, 'release 1');
$res = call(GET => "/api/v3/apps/$things/draft/runtime-preview");
my ($rt) = grep { ($_->{id} // '') eq ($pat_int->{id} // '') }
    @{ $res->{json}{config}{integrations} // [] };
is_deeply(($rt // {})->{workspace_integration}, { id => $pat,
    workspace_id => $acme, name => 'Service PAT', kind => 'openapi',
    auth_mode => 'pat', connector_id => 'svc-pat', status => 'connected' },
    'the runtime configuration carries the attachment');
is(($rt // {})->{auth}, undef, '... and no auth connection');

my $sx = mcp_open('things');
my $list = mcp($sx, 'tools/list');
is_deeply([ sort map { $_->{name} } @{ $list->{tools} // [] } ],
    [qw(basicMe getThing listThings)], 'tools/list has the three tools');

my ($seen, $call) = service_during(sub { tool($sx, 'listThings',
    { limit => 2 }) });
is($call->{isError}, $F, 'tools/call listThings succeeds')
    or diag explain $call;
is_deeply($call->{structuredContent}, { things => [ { id => 1,
    name => 'thing 1' }, { id => 2, name => 'thing 2' } ], limit => 2 },
    'its structuredContent is the service\'s answer');
is(scalar @$seen, 1, 'the service got one request');
my $u = $seen->[0] // {};
is_deeply([ @$u{qw(method path query)} ], [ 'GET', '/pat/things', 'limit=2' ],
    '... GET /pat/things?limit=2');
is_deeply(own_headers($u), { authorization => "Bearer $PAT",
    'x-api-version' => $API_VERSION, 'x-account' => $ACCOUNT },
    '... carrying exactly the verify request\'s headers, the form\'s values'
    . ' put in') or diag explain $u->{headers};

($seen, $call) = service_during(sub { tool($sx, 'getThing',
    { id => 'nope' }) });
is($call->{isError}, $T, 'an upstream 404 is an isError result');
like(text_of($call), qr/404/, '... naming the status');
is(($seen->[0] // {})->{headers}{authorization}, "Bearer $PAT",
    '(the service was sent the token, and echoed it)');
unlike(text_of($call), qr/\Q$PAT\E/, '... without the token it echoed');

($seen, $call) = service_during(sub { tool($sx, 'basicMe') });
is($call->{isError}, $F, 'tools/call basicMe succeeds') or diag explain $call;
is_deeply(own_headers($seen->[0] // {}), { authorization => 'Basic '
    . encode_base64("$BASIC_EMAIL:$BASIC_TOKEN", '') },
    'basic_auth of the verify request: Authorization: Basic, nothing else');

# =================================================================================
# 2. byo_oauth: the access token, refreshed when due and after a 401
# =================================================================================

my $made = install('svc-oauth', { fields => { client_id => $CLIENT_ID,
    client_secret => $CLIENT_SECRET } });
my $oauth = $made->{integration_id};
my $q = query_of($made->{oauth_url});
($seen, $res) = service_during(sub {
    $s->request(GET => '/api/v1/connectors/oauth/callback?state='
        . escape($q->{state} // '') . '&code=good-code') });
is($res->{status}, 200, 'the OAuth callback: 200') or diag $res->{content};
push @answers, $res->{content};
is_deeply([ map { grant_of($_) } token_calls($seen) ],
    ['authorization_code'], '... after one code exchange');
is(call(GET => "/api/v1/integrations/$oauth")->{json}{status}, 'connected',
    'the byo_oauth install is connected');

my $inbox = new_app('Inbox', 'inbox');
$res = attach($inbox, $oauth);
is($res->{status}, 201, 'attach the byo_oauth install: 201')
    or diag $res->{content};
my $oauth_int = $res->{json}{id};
is($res->{json}{workspace_integration}{auth_mode}, 'byo_oauth',
    '... workspace_integration says byo_oauth');
is(publish($inbox, $oauth_int), 1, 'release 1');
my $si = mcp_open('inbox');

sub due {
    $s->sql("UPDATE workspace_integrations SET oauth = oauth ||"
        . " jsonb_build_object('expires_at', drio_rfc3339(now()))"
        . " WHERE id = :'p1'", $oauth);
}

($seen, $call) = service_during(sub { tool($si, 'oauthMe') });
is($call->{isError}, $F, 'tools/call oauthMe succeeds') or diag explain $call;
is_deeply($call->{structuredContent}, { me => 'oauth' },
    '... with the service\'s answer');
is_deeply([ token_calls($seen) ], [], 'a fresh token is not refreshed');
is_deeply([ map { $_->{headers}{authorization} } api_calls($seen) ],
    ['Bearer at-1-Zq9SECRETACCESS'], 'the service got Bearer T1');

due();
($seen, $call) = service_during(sub { tool($si, 'oauthMe') });
is($call->{isError}, $F, 'a call with the token due succeeds')
    or diag explain $call;
is_deeply([ map { grant_of($_) } token_calls($seen) ], ['refresh_token'],
    '... after one refresh');
like(($seen->[0] // {})->{body} // '', qr/refresh_token=rt-1-/,
    '... with the refresh token issued first');
is(($seen->[0] // {})->{path}, '/token', '... made before the call');
is_deeply([ map { $_->{headers}{authorization} } api_calls($seen) ],
    ['Bearer at-2-Zq9SECRETACCESS'], 'the service got Bearer T2');

($seen, $call) = service_during(sub { tool($si, 'oauthMe') });
is_deeply([ map { $_->{headers}{authorization} // '' } @$seen ],
    ['Bearer at-2-Zq9SECRETACCESS'],
    'the next call uses T2 as it is, with no refresh');

spew($reject, "at-2-Zq9SECRETACCESS\n");
($seen, $call) = service_during(sub { tool($si, 'oauthMe') });
is($call->{isError}, $F, 'the upstream refusing T2 (401): the call succeeds')
    or diag explain $call;
is_deeply([ map { $_->{path} eq '/token' ? 'refresh:' . grant_of($_)
        : $_->{headers}{authorization} } @$seen ],
    [ 'Bearer at-2-Zq9SECRETACCESS', 'refresh:refresh_token',
      'Bearer at-3-Zq9SECRETACCESS' ],
    '... T2 refused, one refresh, the call again with T3');

spew($reject, "at-3-Zq9SECRETACCESS\nat-4-Zq9SECRETACCESS\n");
($seen, $call) = service_during(sub { tool($si, 'oauthMe') });
is($call->{isError}, $T, 'the new token refused too: an isError result');
like(text_of($call), qr/401/, '... naming the 401');
is_deeply([ map { $_->{path} eq '/token' ? 'refresh' : 'call' } @$seen ],
    [qw(call refresh call)], '... after one refresh and one retry only');
spew($reject, '');

spew($as_mode, 'refuse');
due();
($seen, $call) = service_during(sub { tool($si, 'oauthMe') });
is($call->{isError}, $T,
    'the authorization server refusing the refresh: an isError result');
like(text_of($call), qr/\ANo credentials for the upstream: /,
    '... saying there are no credentials');
is_deeply([ map { $_->{path} } @$seen ], ['/token'],
    '... after the refresh, with no call to the upstream');
is($s->sql("SELECT status FROM workspace_integrations WHERE id = :'p1'",
    $oauth), 'error', 'the workspace integration is marked error');
my $v = validate($inbox);
is_deeply([ map { "$_->{code} $_->{pointer}" } @{ $v->{errors} // [] } ],
    ['integration_not_connected /integrations/0/workspace_integration/status'],
    'the draft no longer validates: integration_not_connected');
is(call(GET => "/api/v1/apps/$inbox/integrations/$oauth_int")
    ->{json}{workspace_integration}{status}, 'error',
    'the integration shows the workspace integration\'s status');
($seen, $call) = service_during(sub { tool($si, 'oauthMe') });
is($call->{isError}, $T, 'a later call: an isError result');
like(text_of($call), qr/not connected/, '... it is not connected');
is(scalar @$seen, 0, '... and nothing was asked of anyone');
spew($as_mode, 'ok');

# =================================================================================
# 3. rules
# =================================================================================

# A crew-scoped install: only an app a crew member created attaches it.
my $crew = $s->sql("INSERT INTO crews (workspace_id, name)"
    . " VALUES (:'p1', 'Data') RETURNING id", $acme);
$s->sql("INSERT INTO crew_members (crew_id, workspace_id, account_id)"
    . " VALUES (:'p1', :'p2', :'p3')", $crew, $acme, $max->{id});
my $crew_pat = install('svc-pat', { name => 'Crew PAT', crew_id => $crew,
    fields => { token => $PAT, account => $ACCOUNT } })->{integration_id};
my $rules = new_app('Rules', 'rules');
$res = attach($rules, $crew_pat);
is_refused($res, 403, 'forbidden',
    'a crew install attached by an app of a non-member');
is_deeply(details($res), [[ 'body.workspace_integration_id', 'crew_scope' ]],
    '... the detail says crew_scope');
my $maxapp = new_app('Max tools', 'max-tools', as => $max);
$res = attach($maxapp, $crew_pat, as => $max);
is($res->{status}, 201, '... by an app a crew member created: 201')
    or diag $res->{content};
my $max_int = $res->{json}{id};

# Another workspace's integration, an unknown one.
my $theirs = install('svc-pat', { fields => { token => $CAROL_PAT,
    account => 'c' } }, as => $carol, workspace => $hidden)->{integration_id};
$res = attach($rules, $theirs);
is_refused($res, 404, 'integration_not_found',
    'another workspace\'s integration');
is_deeply(details($res), [[ 'body.workspace_integration_id', 'not_found' ]],
    '... the detail names workspace_integration_id');
$res = attach($rules, '00000000-0000-4000-8000-000000000000');
is_refused($res, 404, 'integration_not_found', 'an unknown integration');

# What an attachment does not take.
$res = attach($rules, $pat, kind => 'http');
is_refused($res, 422, 'validation_error', 'a kind that is not the install\'s');
is_deeply(details($res), [[ 'body.kind', 'kind_mismatch' ]],
    '... kind_mismatch');
$res = attach($rules, $pat, kind => 'openapi', name => 'Same kind');
is($res->{status}, 201, 'the same kind repeated: 201') or diag $res->{content};
my $rules_int = $res->{json}{id};
is($res->{json}{name}, 'Same kind', '... a name given is kept');
my $authc = call(POST => "/api/v1/apps/$rules/auth", { name => 'Key',
    type => 'bearer', secret => { token => 'x-Zq9bearer' } })->{json}{id};
ok($authc, 'the app has an auth connection of its own');
$res = attach($rules, $pat, name => 'With auth', auth_connection_id => $authc);
is_refused($res, 422, 'validation_error', 'auth_connection_id beside it');
is_deeply(details($res), [[ 'body.auth_connection_id', 'conflict' ]],
    '... on auth_connection_id');
for my $spec ([ spec => doc("$svc/x", '/a' => { get => {
        operationId => 'a', responses => $ok } }) ],
    [ spec_text => '{"openapi": "3.0.3"}' ],
    [ spec_url => "$svc/openapi.json" ]) {
    $res = attach($rules, $pat, name => "With $spec->[0]", @$spec);
    is_refused($res, 422, 'validation_error', "$spec->[0] beside it");
    is_deeply(details($res), [[ 'body.spec', 'conflict' ]],
        "... $spec->[0]: the detail on spec");
}
# How many integrations the app has, and its draft's revision.
sub app_state {
    return $s->sql("SELECT count(*) || ' ' || (SELECT revision FROM drafts"
        . " WHERE app_id = :'p1') FROM integrations WHERE app_id = :'p1'",
        $_[0]);
}
my $before = app_state($rules);
$res = call(PATCH => "/api/v1/apps/$rules/integrations/$rules_int",
    { kind => 'http' });
is_refused($res, 422, 'validation_error', 'PATCH kind of an attached one');
is_deeply(details($res), [[ 'body.kind', 'kind_mismatch' ]],
    '... kind_mismatch');
$res = call(PATCH => "/api/v1/apps/$rules/integrations/$rules_int",
    { auth_connection_id => $authc });
is_refused($res, 422, 'validation_error',
    'PATCH auth_connection_id of an attached one');
$res = call(PATCH => "/api/v1/apps/$rules/integrations/$rules_int",
    { rediscover => $T, spec_url => "$svc/openapi.json" });
is_refused($res, 422, 'validation_error',
    'PATCH rediscover with spec_url of an attached one');
is(app_state($rules), $before, 'no refusal changed the draft');
$res = call(PATCH => "/api/v1/apps/$rules/integrations/$rules_int",
    { rediscover => $T });
is($res->{status}, 200, 'PATCH rediscover of an unchanged catalog: 200')
    or diag $res->{content};
is_deeply([ map { scalar @{ $res->{json}{discovery_report}{$_} // [] } }
    qw(added removed updated) ], [0, 0, 0], '... nothing added, removed'
    . ' or updated');

# DELETE of the workspace integration while attached, and after.
$res = call(DELETE => "/api/v1/integrations/$crew_pat");
is_refused($res, 409, 'in_use', 'deleting an attached install');
is_deeply([ map { $_->{loc} } @{ $res->{json}{details} // [] } ],
    [[ 'apps', $maxapp ]], '... the detail names the app');
$res = call(DELETE => "/api/v1/apps/$maxapp/integrations/$max_int", undef,
    as => $max);
is($res->{status}, 200, 'the app\'s integration is deleted')
    or diag $res->{content};
$res = call(DELETE => "/api/v1/integrations/$crew_pat");
is($res->{status}, 200, 'then the install is deleted: 200')
    or diag $res->{content};

# An integration of the app's own is attached to nothing.
$res = call(POST => "/api/v1/apps/$rules/integrations", { name => 'Own',
    kind => 'http', base_url => "$svc/own" });
is($res->{status}, 201, 'an integration of the app\'s own: 201')
    or diag $res->{content};
ok(exists $res->{json}{workspace_integration}
    && !defined $res->{json}{workspace_integration},
    '... its workspace_integration is null');

# An install whose document was never read has no url yet.
my $by_url = install('svc-url', {})->{integration_id};
my $no_url = new_app('No URL', 'no-url');
$res = attach($no_url, $by_url);
is($res->{status}, 201, 'an install without a url is attached: 201')
    or diag $res->{content};
is($res->{json}{base_url}, undef, '... base_url null');
$v = validate($no_url);
is_deeply([ map { "$_->{code} $_->{pointer}" } grep { $_->{code}
        =~ /^integration_/ } @{ $v->{errors} // [] } ],
    ['integration_base_url_missing /integrations/0/base_url'],
    '... the draft reports integration_base_url_missing');

# Installs not connected yet.
my $pending_oauth = install('svc-oauth', { name => 'Pending OAuth',
    fields => { client_id => $CLIENT_ID, client_secret => $CLIENT_SECRET } })
    ->{integration_id};
my $pending_mcp = install('svc-mcp-pending', {})->{integration_id};
my $pending = new_app('Pending', 'pending');
$res = attach($pending, $pending_oauth);
is($res->{status}, 201, 'a pending_oauth install is attached: 201')
    or diag $res->{content};
is($res->{json}{workspace_integration}{status}, 'pending_oauth',
    '... showing its status');
$res = attach($pending, $pending_mcp);
is($res->{status}, 201, 'a pending_mcp_oauth install is attached: 201')
    or diag $res->{content};
is($res->{json}{kind}, 'mcp_server', '... kind mcp_server');
is($res->{json}{base_url}, "$svc/mcp", '... base_url the server\'s');
is_deeply($res->{json}{discovery_report}{added}, [],
    '... no operations from an empty catalog');
$v = validate($pending);
is_deeply([ sort map { $_->{code} } grep { $_->{pointer}
        =~ m{/workspace_integration/status\z} } @{ $v->{errors} // [] } ],
    [ 'integration_not_connected', 'integration_not_connected' ],
    'the draft reports integration_not_connected for each');
my $messages = join "\n", map { $_->{message} } @{ $v->{errors} // [] };
like($messages, qr/'Pending OAuth', which is pending_oauth,/,
    '... one saying the byo_oauth one is pending_oauth');
like($messages, qr/'Pending MCP', which is pending_mcp_oauth,/,
    '... the other that the mcp_oauth one is pending_mcp_oauth');

# =================================================================================
# 4. MCP servers (node and the SDK)
# =================================================================================

sub mcp_node {
    my $node = $ENV{DRIO_NODE} && -x $ENV{DRIO_NODE} ? $ENV{DRIO_NODE}
        : (grep { -x $_ } map { "$_/node" } split /:/, $ENV{PATH} // '')[0];
    return undef unless $node && -e DrioStack::srcdir() . '/t/interop/'
        . 'node_modules/@modelcontextprotocol/sdk/package.json';
    my ($rc, $version) = DrioStack::run_command([ $node, '--version' ],
        timeout => 10);
    my ($major) = ($version // '') =~ /\Av(\d+)\./;
    return $rc == 0 && defined $major && $major >= 20 ? $node : undef;
}
my $node = mcp_node();

subtest 'MCP servers' => sub {
    plan skip_all => 'the MCP servers need node 20 or later and'
        . ' t/interop\'s SDK (npm ci --prefix t/interop --no-audit'
        . ' --no-fund)' unless $node;
    my $fx = DrioFixture->start($node, 'mcp-tools-server.mjs');
    my $base = $fx->base;
    $res = call(POST => '/api/v1/integrations', { workspace_id => $acme,
        kind => 'mcp_server', name => 'Tools', url => "$base/mcp",
        token => $MCP_TOKEN });
    is($res->{status}, 201, 'a custom MCP server with a token is added')
        or diag $res->{content};
    my $tools_wi = $res->{json}{id};

    my $box = new_app('Toolbox', 'toolbox');
    $res = attach($box, $tools_wi, kind => 'mcp_server');
    is($res->{status}, 201, 'attach it: 201') or diag $res->{content};
    my $mcp_int = $res->{json} // {};
    is($mcp_int->{kind}, 'mcp_server', '... kind mcp_server');
    is($mcp_int->{base_url}, "$base/mcp", '... base_url the server\'s URL');
    is_deeply($mcp_int->{workspace_integration}, { id => $tools_wi,
        name => 'Tools', auth_mode => 'pat', status => 'connected' },
        '... workspace_integration');
    is_deeply([ sort @{ $mcp_int->{discovery_report}{added} // [] } ],
        [qw(add echo fail leak)], '... its tools are the operations');
    import_mcp_tools($box, $mcp_int->{id});
    is(release($box), 1, 'release 1');

    my $sb = mcp_open('toolbox');
    my $calls0 = scalar @{ $fx->get_json('/_stats')->{calls} };
    $call = tool($sb, 'add', { a => 2, b => 3 });
    is_deeply([ @$call{qw(isError structuredContent content)} ],
        [ $F, { sum => 5 }, [{ type => 'text', text => '{"sum":5}' }] ],
        'add: the server\'s content and structuredContent pass through')
        or diag explain $call;
    my $stats = $fx->get_json('/_stats');
    is_deeply([ @{ $stats->{calls} }[ $calls0 .. $#{ $stats->{calls} } ] ],
        [{ name => 'add', arguments => { a => 2, b => 3 },
           authorization => "Bearer $MCP_TOKEN" }],
        '... the server got one tools/call add, the arguments as given,'
        . ' with the Bearer token');
    is_deeply([ grep { ($_ // '') ne "Bearer $MCP_TOKEN" }
        @{ $stats->{auth_seen} } ], [], '... every request with it');

    $call = tool($sb, 'echo', { text => 'hi' });
    is(text_of($call), '{"text":"hi"}', 'echo: the text passes through');
    ok(!exists $call->{structuredContent},
        '... and no structuredContent the server did not give');
    is($call->{isError}, $F, '... isError false');

    $call = tool($sb, 'fail');
    is($call->{isError}, $T, 'fail: isError passes through');
    is(text_of($call), 'the tool failed on purpose', '... with its content');

    $call = tool($sb, 'leak');
    is($call->{isError}, $T, 'a result showing the token is withheld');
    like(text_of($call), qr/withheld/, '... saying so');
    unlike($JSON->encode($call), qr/\Q$MCP_TOKEN\E/, '... without the token');

    # A token with a character JSON text may escape ("/" as "\/").
    $res = call(POST => '/api/v1/integrations', { workspace_id => $acme,
        kind => 'mcp_server', name => 'Slash tools', url => "$base/mcp",
        token => $SLASH_TOKEN });
    is($res->{status}, 201, 'a server whose token has a "/" is added')
        or diag $res->{content};
    my $slash_box = new_app('Slash box', 'slash-box');
    $res = attach($slash_box, $res->{json}{id});
    is($res->{status}, 201, '... attached: 201') or diag $res->{content};
    import_mcp_tools($slash_box, $res->{json}{id});
    is(release($slash_box), 1, 'release 1');
    my $sl = mcp_open('slash-box');
    $call = tool($sl, 'add', { a => 1, b => 1 });
    is_deeply($call->{structuredContent}, { sum => 2 },
        'a call with that token succeeds');
    my $n = @answers;
    $call = tool($sl, 'leak');
    my $shown = grep { index($_, $SLASH_TOKEN) >= 0 }
        map { my $a = $_; my $d = eval { $JSON->decode($a) };
            defined $d ? $JSON->encode($d) : $a } @answers[ $n .. $#answers ];
    is($call->{isError}, $T, 'a result showing it is withheld')
        or diag explain $call;
    is($shown, 0, '... the MCP answer does not carry it');

    # The server's tools change; a sync, then rediscover.
    $fx->get_json('/_control', { changed => $T });
    $res = call(POST => "/api/v1/integrations/$tools_wi/sync");
    is($res->{status}, 200, 'a sync reads the changed tools')
        or diag $res->{content};
    is_deeply([ map { $_->{key} } @{ $res->{json}{catalog} // [] } ],
        [qw(add fail leak multiply)], '... echo gone, multiply new');
    is_deeply(op_keys($box, $mcp_int->{id}), [qw(add echo fail leak)],
        'the app keeps its operations until it rediscovers');
    $res = call(PATCH => "/api/v1/apps/$box/integrations/$mcp_int->{id}",
        { rediscover => $T });
    is($res->{status}, 200, 'PATCH rediscover: 200') or diag $res->{content};
    my $report = $res->{json}{discovery_report} // {};
    is_deeply($report->{added}, ['multiply'], '... multiply added');
    is_deeply($report->{removed}, ['echo'], '... echo removed');
    is_deeply([ map { "$_->{operation_key} $_->{reason}" }
        @{ $report->{tools_needing_attention} // [] } ],
        ['echo operation_removed'], '... the echo tool needs attention');
    is_deeply(op_keys($box, $mcp_int->{id}), [qw(add fail leak multiply)],
        'the active operations are the new catalog');
    is_deeply(op_keys($box, $mcp_int->{id}, 'removed'), ['echo'],
        '... echo removed');
    $res = call(PATCH => "/api/v1/apps/$box/integrations/$mcp_int->{id}",
        { rediscover => $T });
    is_deeply([ map { scalar @{ $res->{json}{discovery_report}{$_} // [] } }
        qw(added removed) ], [0, 0], 'rediscover again: no change');

    # A pat connector whose operations are an MCP server's tools: the
    # verify request says how the server takes the token.
    my $pdir = "$tmp/connectors-mcp-pat";
    mkdir $pdir or die "$pdir: $!";
    spew("$pdir/mcp-pat.json", JSON::PP->new->canonical->encode({ %common,
        id => 'mcp-pat', name => 'MCP PAT', auth_mode => 'pat',
        fields => [{ key => 'token', label => 'Token', type => 'password',
            secret => $T, required => $T }],
        verify => { method => 'GET', url => "$base/verify",
            headers => { Authorization => 'Bearer {{token}}' },
            ok_statuses => [200] },
        mcp => { server_url => "$base/mcp" } }));
    ($code, $out, $err) = $s->admin_env({ DRIO_CONNECTORS_DIR => $pdir },
        undef, 'load-connectors', '--allow-http');
    is($code, 0, 'a pat connector with an MCP server loads')
        or diag "$out\n$err";
    my $mcp_pat = install('mcp-pat', { fields => { token => $MCP_TOKEN } })
        ->{integration_id};
    $fx->get_json('/_control', { changed => $F });
    $res = call(POST => "/api/v1/integrations/$mcp_pat/sync");
    is($res->{json}{catalog_size}, 4, '... its sync lists the tools')
        or diag $res->{content};
    my $pat_box = new_app('PAT box', 'pat-box');
    $res = attach($pat_box, $mcp_pat);
    is($res->{status}, 201, '... it is attached: 201') or diag $res->{content};
    is($res->{json}{kind}, 'mcp_server', '... kind mcp_server');
    import_mcp_tools($pat_box, $res->{json}{id});
    is(release($pat_box), 1, 'release 1');
    my $sp = mcp_open('pat-box');
    my $auth0 = scalar @{ $fx->get_json('/_stats')->{auth_seen} };
    $call = tool($sp, 'add', { a => 4, b => 5 });
    $stats = $fx->get_json('/_stats');
    my @auth = @{ $stats->{auth_seen} }[ $auth0 .. $#{ $stats->{auth_seen} } ];
    is_deeply($call->{structuredContent}, { sum => 9 },
        'tools/call add succeeds') or diag explain $call;
    ok(@auth && !grep({ ($_ // '') ne "Bearer $MCP_TOKEN" } @auth),
        '... the server was sent the verify request\'s Authorization')
        or diag explain \@auth;
    unlike($JSON->encode($call), qr/\Q$MCP_TOKEN\E/, '... no token shown');
    $fx->stop;

    # mcp_oauth: the SDK's OAuth MCP server.
    my $ox = DrioFixture->start($node, 'mcp-oauth-server.mjs');
    my $odir = "$tmp/connectors-oauth";
    mkdir $odir or die "$odir: $!";
    spew("$odir/fx-mcp.json", JSON::PP->new->canonical->encode({ %common,
        id => 'fx-mcp', name => 'Tracker', auth_mode => 'mcp_oauth',
        fields => [], mcp => { server_url => $ox->base . '/mcp' } }));
    ($code, $out, $err) = $s->admin_env({ DRIO_CONNECTORS_DIR => $odir },
        undef, 'load-connectors', '--allow-http');
    is($code, 0, 'the mcp_oauth connector loads') or diag "$out\n$err";
    my $tracker = install('fx-mcp', {})->{integration_id};
    $res = call(POST => "/api/v1/integrations/$tracker/connect");
    is($res->{status}, 200, 'connect: 200') or diag $res->{content};
    my $authz = HTTP::Tiny->new(max_redirect => 0, timeout => 10)
        ->get($res->{json}{oauth_url} // '');
    (my $back = $authz->{headers}{location} // '') =~ s/\A\Q${\ $s->public_url}\E//;
    $res = $s->request(GET => $back);
    is($res->{status}, 200, 'the authorization comes back: 200')
        or diag $res->{content};
    is(call(GET => "/api/v1/integrations/$tracker")->{json}{status},
        'connected', 'the mcp_oauth install is connected');

    my $trk = new_app('Tracker app', 'tracker');
    $res = attach($trk, $tracker);
    is($res->{status}, 201, 'attach the mcp_oauth install: 201')
        or diag $res->{content};
    my $trk_int = $res->{json}{id};
    is_deeply([ sort @{ $res->{json}{discovery_report}{added} // [] } ],
        [qw(add whoami)], '... its tools are the operations');
    import_mcp_tools($trk, $trk_int);
    is(release($trk), 1, 'release 1');
    my $st = mcp_open('tracker');
    $call = tool($st, 'add', { a => 1, b => 2 });
    is($call->{isError}, $F, 'tools/call add with the access token')
        or diag explain $call;

    # An access token the server has forgotten, which drio thinks fresh.
    $ox->get_json('/_control', { access_expires_in => 1 });
    $res = call(POST => "/api/v1/integrations/$tracker/connect");
    $authz = HTTP::Tiny->new(max_redirect => 0, timeout => 10)
        ->get($res->{json}{oauth_url} // '');
    ($back = $authz->{headers}{location} // '') =~ s/\A\Q${\ $s->public_url}\E//;
    is($s->request(GET => $back)->{status}, 200,
        'a new authorization with a short-lived access token');
    $ox->get_json('/_control', { access_expires_in => 3600 });
    $s->sql("UPDATE workspace_integrations SET oauth = oauth ||"
        . " jsonb_build_object('expires_at', drio_rfc3339(now()"
        . " + interval '1 hour')) WHERE id = :'p1'", $tracker);
    sleep 2.5;
    my $o0 = $ox->get_json('/_stats');
    $call = tool($st, 'add', { a => 1, b => 2 });
    my $o1 = $ox->get_json('/_stats');
    is($call->{isError}, $F, 'a 401 from the MCP server: refreshed,'
        . ' the call made again, and it succeeds') or diag explain $call;
    is($o1->{token_calls}{refresh_token}
        - $o0->{token_calls}{refresh_token}, 1, '... after one refresh');
    unlike($JSON->encode($call), qr/\bat-|\brt-/, '... no token shown');
    $ox->stop;
};

# =================================================================================
# nothing secret shown
# =================================================================================

my @secrets = ($PAT, $BASIC_TOKEN, $CLIENT_SECRET, $MCP_TOKEN, $CAROL_PAT,
    $SLASH_TOKEN,
    'Zq9SECRETACCESS', 'Zq9SECRETREFRESH',
    encode_base64("$BASIC_EMAIL:$BASIC_TOKEN", ''));
my @leaks = grep { my $a = $_; grep { index($a, $_) >= 0 } @secrets }
    @answers;
is(scalar @leaks, 0, 'no answer (API or MCP) showed a secret')
    or diag $leaks[0];
my @bad;
for my $name (qw(api-v1 api-v3 mcp)) {
    for my $i (1, 2) {
        push @bad, grep { my $l = $_; grep { index($l, $_) >= 0 } @secrets }
            $s->log_lines($name, $i);
    }
}
is(scalar @bad, 0, 'no responder log line holds a secret')
    or diag join "\n", @bad[0 .. ($#bad < 4 ? $#bad : 4)];

$s->finish;
kill 'KILL', $server;
waitpid $server, 0;
$server = 0;
done_testing;
