#!/usr/bin/perl
# 56-api-v1-sync.t: POST /api/v1/integrations/{id}/sync
# (docs/api-v1/installs.md, "Sync"; lib/installsync.h) over a real stack
# that lets outbound calls reach loopback, against a document server this
# test forks on 127.0.0.1 and t/fixtures/mcp-server.mjs.
#
# - OpenAPI by URL: a pat connector whose openapi.url is Twilio's Verify
#   document (t/fixtures/openapi, JSON) with a marker in its query:
#   install leaves catalog_size 0 and url null; sync answers 200 with the
#   integration as GET shows it, one catalog entry per operation of the
#   document (keys, methods and paths counted and read here from the
#   file), url from its servers; a second sync stores the same catalog
#   and moves updated_at and catalog_at.  The same for petstore.yaml
#   served as application/yaml.
# - An inline document: sync without any outbound call.
# - A document whose only server is relative: 200, url stays null,
#   status_message says there is no base URL.
# - Failures keep the old catalog and record status_message: 404 and
#   500 (502 upstream_unavailable), an HTML page (422
#   invalid_openapi_document); the same failure again does not move
#   updated_at; neither the answer, the row nor the log holds the URL's
#   query; the server fixed, sync clears status_message.
# - MCP: a custom server with a token; sync lists its tools again, with
#   the token as the bearer (the fixture's /_stats).  Skipped without node
#   20 and t/interop's MCP SDK.
# - 409 conflict, with no outbound call: a byo_oauth integration
#   pending_oauth, a disabled one, a conn_string connector with no
#   source of operations.
# - 401 without a token, 403 for the normal role, 404 for an unknown id
#   and another workspace's integration, 422 for a body member.
# - No secret (the PAT, the OAuth client secret, the connection string's
#   password, the MCP token) in any answer or the responder log.
#
# Not covered: a document over INSTALLSYNC_OPENAPI_MAX_BYTES (16 MiB) is
# too much to serve in a test; the cap is outbound's, tested in
# t/lib/outbound-t.c and t/54-outbound-ssrf.t.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use IO::Select;
use IO::Socket::INET;
use JSON::PP ();
use POSIX ();
use Test::More;
use DrioFixture;
use DrioStack;
use DrioTest;

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
my $fixtures = DrioStack::srcdir() . '/t/fixtures/openapi';

my $pat = 'ghp_Zq9SyncSecretToken0123456789abcd';
my $client_secret = 'cs-Zq9SyncClientSecret';
my $db_password = 'pw-Zq9SyncDatabase';
my $mcp_token = 'tk-fixture-secret';
my @secrets = ($pat, $client_secret, $db_password, $mcp_token);
my $marker = 'Zq9QueryMarker';

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or return '';
    local $/;
    return scalar <$fh>;
}

sub spew {
    my ($path, $text, $mode) = @_;
    open my $fh, $mode // '>:raw', $path or die "$path: $!";
    print $fh $text;
    close $fh or die "$path: $!";
}

# --- the documents, and what the tests expect of them ----------------------------

my %METHODS = map { $_ => 1 } qw(get put post delete patch head options);

# Each operation of a parsed OpenAPI document as key => "METHOD path",
# the key being its operationId (every operation here has one).
sub operations_of {
    my ($doc) = @_;
    my %ops;
    for my $path (keys %{ $doc->{paths} }) {
        for my $method (grep { $METHODS{$_} } keys %{ $doc->{paths}{$path} }) {
            my $id = $doc->{paths}{$path}{$method}{operationId}
                // die "no operationId at $method $path";
            $ops{$id} = uc($method) . " $path";
        }
    }
    return \%ops;
}

my $twilio_text = slurp("$fixtures/twilio_verify_v2.json");
my $twilio = JSON::PP->new->decode($twilio_text);
my $twilio_ops = operations_of($twilio);
my $twilio_server = $twilio->{servers}[0]{url};
my $petstore = JSON::PP->new->decode(slurp("$fixtures/petstore.json"));
my $petstore_ops = operations_of($petstore);
my $petstore_server = $petstore->{servers}[0]{url};
my $yaml_text = slurp("$fixtures/petstore.yaml");
# The YAML's operations are the method keys under its paths (indented by
# four blanks); petstore.yaml is petstore.json in YAML.
my $yaml_count = () = $yaml_text =~ /^    (?:get|put|post|delete|patch|head|options):/mg;
ok(keys %$twilio_ops > 50, 'Twilio Verify\'s document has its operations')
    or diag scalar keys %$twilio_ops;
is($yaml_count, scalar keys %$petstore_ops,
    'petstore.yaml has as many operations as petstore.json');
like($twilio_server, qr{\Ahttps://}, 'its first server is absolute');
my $relative = { %$petstore, servers => [{ url => '/v1' }] };

# --- the document server ------------------------------------------------------------

# It serves, on 127.0.0.1:
#   /twilio.json   as $mode_file says: "ok" (the document), "404", "500"
#                  or "html" (a sign-in page, 200 text/html)
#   /petstore.yaml the YAML document, as application/yaml
#   /relative.json the pet store with only a relative server
# and 404 otherwise; every request line goes to $seen_file.  It stops
# when the test process goes, after two minutes at the latest, and is
# killed at the end.
my $mode_file = $s->tmpdir . '/mode';
my $seen_file = $s->tmpdir . '/seen';
spew($mode_file, 'ok');
spew($seen_file, '');
my $relative_text = JSON::PP->new->encode($relative);
my $html = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n"
    . "<body><p>Please sign in to see the API reference</p></body></html>\n";

my $listener = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
    LocalPort => 0, Listen => 16, ReuseAddr => 1) or die "listen: $!";
my $port = $listener->sockport;
my $parent = $$;
my $server = fork // die "fork: $!";
if ($server == 0) {
    my $sel = IO::Select->new($listener);
    my $deadline = time + 120;
    while (time < $deadline && getppid() == $parent) {
        next unless $sel->can_read(0.5);
        my $c = $listener->accept or next;
        eval {
            local $SIG{ALRM} = sub { die "timeout\n" };
            alarm 5;
            my $line = <$c> // '';
            while (my $h = <$c>) { last if $h =~ /^\r?\n\z/ }
            my ($method, $target) = $line =~ /^(\S+) (\S+)/;
            $target //= '';
            spew($seen_file, ($method // '') . " $target\n", '>>');
            my ($path) = $target =~ /\A([^?]*)/;
            my ($status, $type, $body) = (404, 'text/plain', "not here\n");
            if ($path eq '/twilio.json') {
                my $mode = slurp($mode_file);
                ($status, $type, $body) =
                    $mode eq 'ok' ? (200, 'application/json', $twilio_text)
                    : $mode eq 'html' ? (200, 'text/html', $html)
                    : ($mode, 'text/plain', "failed $mode\n");
            } elsif ($path eq '/petstore.yaml') {
                ($status, $type, $body) = (200, 'application/yaml',
                    $yaml_text);
            } elsif ($path eq '/relative.json') {
                ($status, $type, $body) = (200, 'application/json',
                    $relative_text);
            }
            print $c "HTTP/1.1 $status X\r\nContent-Type: $type\r\n"
                . 'Content-Length: ' . length($body)
                . "\r\nConnection: close\r\n\r\n$body";
            alarm 0;
        };
        close $c;
    }
    POSIX::_exit(0);
}
close $listener;
END {
    local $?;
    if ($server && $$ == $parent) { kill 'KILL', $server; waitpid $server, 0 }
}

# How many requests the document server has had.
sub seen { return scalar(() = slurp($seen_file) =~ /\n/g) }

# --- the connectors -------------------------------------------------------------------

my $docs = "http://127.0.0.1:$port";
my %base = (version => 1, description => 'A test connector.',
    category => 'other', brand_logo => 'https://example.com/l.png',
    brand_color => '#000000', docs_url => 'https://example.com/docs');
my $token_field = { key => 'token', label => 'Token', type => 'password',
    secret => $T, required => $T };
my %manifests = (
    'sync-url' => { name => 'By URL', auth_mode => 'pat',
        fields => [$token_field],
        openapi => { url => "$docs/twilio.json?sig=$marker" } },
    'sync-yaml' => { name => 'By YAML', auth_mode => 'pat',
        fields => [$token_field],
        openapi => { url => "$docs/petstore.yaml" } },
    'sync-inline' => { name => 'Inline', auth_mode => 'none', fields => [],
        openapi => { document => $petstore } },
    'sync-relative' => { name => 'Relative', auth_mode => 'pat',
        fields => [$token_field],
        openapi => { url => "$docs/relative.json" } },
    'sync-oauth' => { name => 'OAuth', auth_mode => 'byo_oauth',
        fields => [
            { key => 'client_id', label => 'Client', type => 'text',
              secret => $F, required => $T },
            { key => 'client_secret', label => 'Secret', type => 'password',
              secret => $T, required => $T } ],
        oauth => { authorize_url => "$docs/authorize",
            token_url => "$docs/token", scopes => ['read'], pkce => $F },
        openapi => { url => "$docs/twilio.json?sig=$marker" } },
    'sync-db' => { name => 'Database', auth_mode => 'conn_string',
        category => 'database',
        fields => [{ key => 'connection_string', label => 'URI',
            type => 'password', secret => $T, required => $T }] },
);
my $dir = $s->tmpdir . '/connectors';
mkdir $dir or die "$dir: $!";
for my $id (sort keys %manifests) {
    spew("$dir/$id.json", JSON::PP->new->canonical->pretty->encode({
        %base, id => $id, %{ $manifests{$id} } }));
}
my ($code, $out, $err) = $s->admin_env({ DRIO_CONNECTORS_DIR => $dir },
    undef, 'load-connectors', '--allow-http');
is($code, 0, 'the test connectors load, sync-db without openapi or mcp')
    or diag "$out\n$err";
like($out, qr/^loaded sync-db \(version 1\)$/m,
    '... the conn_string one without a source of operations included');

# --- helpers ----------------------------------------------------------------------------

# Every answer of the test, to check that none carried a secret.
my @replies;

sub call {
    my ($method, $path, %opt) = @_;
    my $res = $s->request($method => $path, {
        (exists $opt{as} && !defined $opt{as} ? ()
            : (token => ($opt{as} // $alice)->{token})),
        (exists $opt{json} ? (json => $opt{json}) : ()) });
    push @replies, $res->{content};
    return $res;
}

sub sync { return call(POST => "/api/v1/integrations/$_[0]/sync", @_[1 .. $#_]) }
sub get { return call(GET => "/api/v1/integrations/$_[0]") }

sub install {
    my ($connector, $fields) = @_;
    my $res = call(POST =>
        "/api/v1/connectors/$connector/install?workspace_id=$acme",
        json => { fields => $fields // {} });
    is($res->{status}, 201, "$connector installs") or diag $res->{content};
    return $res->{json}{integration_id};
}

sub row {
    my ($id, $column) = @_;
    return $s->sql("SELECT $column FROM workspace_integrations"
        . " WHERE id = :'p1'", $id);
}

# The catalog of an answer as key => "METHOD path".
sub catalog_ops {
    my ($integration) = @_;
    return { map { $_->{key} => ($_->{method} // '') . ' '
        . ($_->{path} // '') } @{ $integration->{catalog} // [] } };
}

sub is_synced {
    my ($res, $what) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    is($res->{status}, 200, "$what: 200") or diag $res->{content};
}

# --- OpenAPI by URL -----------------------------------------------------------------

my $url_id = install('sync-url', { token => $pat });
my $res = get($url_id);
is($res->{json}{catalog_size}, 0, 'installed by URL: catalog_size 0');
is_deeply($res->{json}{catalog}, [], '... an empty catalog');
is($res->{json}{url}, undef, '... and url null until the document is read');
is($res->{json}{kind}, 'openapi', '... kind openapi');

my $seen = seen();
$res = sync($url_id);
is_synced($res, 'sync of the document by URL');
is(seen(), $seen + 1, 'the document was fetched once');
like(slurp($seen_file), qr{^GET /twilio\.json\?sig=\Q$marker\E$}m,
    '... at its URL, query and all');
my $first = $res->{json};
is_deeply($first, get($url_id)->{json},
    'the answer is the integration as GET shows it');
is($first->{catalog_size}, scalar keys %$twilio_ops,
    'catalog_size is the document\'s operation count');
is(scalar @{ $first->{catalog} }, $first->{catalog_size},
    '... and the catalog has that many entries');
is_deeply(catalog_ops($first), $twilio_ops,
    'one entry per operation, keyed by its operationId, with its method'
    . ' and path');
is($first->{url}, $twilio_server,
    'url is the document\'s first absolute server');
is($first->{status}, 'connected', 'the status stays connected');
is($first->{status_message}, undef, 'no status_message');
is(row($url_id, 'catalog_at IS NOT NULL'), 't', 'catalog_at is set');

my $updated = row($url_id, 'updated_at::text');
my $catalog_at = row($url_id, 'catalog_at::text');
my $catalog_md5 = row($url_id, 'md5(catalog::text)');
$res = sync($url_id);
is_synced($res, 'a second sync');
is_deeply($res->{json}{catalog}, $first->{catalog},
    'it answers the same catalog');
is(row($url_id, 'md5(catalog::text)'), $catalog_md5,
    '... and stores the same catalog');
is($res->{json}{url}, $twilio_server, '... the same url');
is($s->sql("SELECT updated_at > :'p2'::timestamptz AND catalog_at >"
        . " :'p3'::timestamptz FROM workspace_integrations"
        . " WHERE id = :'p1'", $url_id, $updated, $catalog_at), 't',
    'a sync that changes nothing still moves updated_at and catalog_at');

# The same document as YAML, served as application/yaml.
my $yaml_id = install('sync-yaml', { token => $pat });
$res = sync($yaml_id);
is_synced($res, 'sync of a YAML document');
is($res->{json}{catalog_size}, $yaml_count,
    'its catalog has the YAML\'s operations');
is_deeply(catalog_ops($res->{json}), $petstore_ops,
    '... the pet store\'s, by operationId');
is($res->{json}{url}, $petstore_server, '... and url its server');

# --- an inline document -----------------------------------------------------------------

my $inline_id = install('sync-inline');
$res = get($inline_id);
is_deeply(catalog_ops($res->{json}), $petstore_ops,
    'installed inline: the catalog is there at once');
is(row($inline_id, 'catalog_at IS NOT NULL'), 't', '... and its catalog_at');
is($res->{json}{url}, $petstore_server,
    '... url the inline document\'s server already');
$seen = seen();
$res = sync($inline_id);
is_synced($res, 'sync of an inline document');
is_deeply(catalog_ops($res->{json}), $petstore_ops,
    'its catalog is the inline document\'s operations');
is(seen(), $seen, 'no outbound call was made');

# --- relative servers -------------------------------------------------------------------

my $rel_id = install('sync-relative', { token => $pat });
$res = sync($rel_id);
is_synced($res, 'sync of a document with only a relative server');
is($res->{json}{catalog_size}, scalar keys %$petstore_ops,
    'its operations are the catalog');
is($res->{json}{url}, undef, 'url stays null');
like($res->{json}{status_message} // '',
    qr/names no absolute server URL.*no base URL/,
    'status_message says there is no base URL');
is($res->{json}{status}, 'connected', 'the status stays connected');

# --- failures keep the old catalog ----------------------------------------------------

for my $case (['404', 502, 'upstream_unavailable', qr/HTTP 404/],
    ['500', 502, 'upstream_unavailable', qr/HTTP 500/],
    ['html', 422, 'invalid_openapi_document', qr/JSON (?:or|nor) YAML/]) {
    my ($mode, $status, $want, $message) = @$case;
    my $what = $mode eq 'html' ? 'an HTML page' : "a $mode";
    spew($mode_file, $mode);
    $updated = row($url_id, 'updated_at::text');
    $catalog_at = row($url_id, 'catalog_at::text');
    $res = sync($url_id);
    is_error($res, $status, $want, "$what: $status $want");
    like($res->{json}{message} // '', $message, "$what: the message says why");
    unlike($res->{content}, qr/\Q$marker\E/,
        "$what: the answer does not hold the URL's query");
    my $stored = row($url_id, 'status_message');
    like($stored, qr/\ARefreshing the catalog failed: /,
        "$what: status_message records the failure");
    like($stored, $message, "$what: ... and why");
    unlike($stored, qr/\Q$marker\E|twilio\.json/,
        "$what: ... without the URL or its query");
    is(row($url_id, 'md5(catalog::text)') . ' '
        . row($url_id, 'catalog_at::text'), "$catalog_md5 $catalog_at",
        "$what: the catalog is kept, catalog_at too");
    is(row($url_id, "status || ' ' || jsonb_array_length(catalog)"),
        'connected ' . scalar(keys %$twilio_ops),
        "$what: all its operations, and the status stays connected");
    is($s->sql("SELECT updated_at > :'p2'::timestamptz FROM"
            . " workspace_integrations WHERE id = :'p1'", $url_id, $updated),
        't', "$what: updated_at moves with the new status_message");
    is(get($url_id)->{json}{status_message}, $stored,
        "$what: GET shows the status_message");
}
$catalog_at = row($url_id, 'catalog_at::text');
$updated = row($url_id, 'updated_at::text');
$res = sync($url_id);
is_error($res, 422, 'invalid_openapi_document', 'the same failure again');
is(row($url_id, 'updated_at::text') . ' ' . row($url_id, 'catalog_at::text'),
    "$updated $catalog_at",
    '... changes nothing: the same status_message does not move updated_at');

spew($mode_file, 'ok');
$res = sync($url_id);
is_synced($res, 'the server fixed, sync');
is($res->{json}{status_message}, undef, 'status_message is cleared');
is(row($url_id, 'status_message IS NULL'), 't', '... in the row too');
is_deeply($res->{json}{catalog}, $first->{catalog},
    'the catalog is the document\'s');

# --- an MCP server ------------------------------------------------------------------------

# Node 20 or later and t/interop's SDK, or undef (DrioStack::node_or_skip
# would skip the whole test).
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

SKIP: {
    my $node = mcp_node();
    skip 'the MCP source needs node 20 or later and t/interop\'s SDK'
        . ' (npm ci --prefix t/interop --no-audit --no-fund)', 8
        unless $node;
    my $fx = DrioFixture->start($node, 'mcp-server.mjs');
    $res = call(POST => '/api/v1/integrations', json => {
        workspace_id => $acme, kind => 'mcp_server', name => 'Tools',
        url => $fx->base . '/auth', token => $mcp_token });
    is($res->{status}, 201, 'a custom MCP server with a token is added')
        or diag $res->{content};
    my $mcp_id = $res->{json}{id} // '';
    $s->sql("UPDATE workspace_integrations SET catalog = '[]'"
        . " WHERE id = :'p1'", $mcp_id);
    my $before = $fx->get_json('/_stats');
    $res = sync($mcp_id);
    is_synced($res, 'sync of an MCP server');
    is($res->{json}{catalog_size}, 3, 'its three tools are the catalog again');
    is_deeply([ map { $_->{key} } @{ $res->{json}{catalog} // [] } ],
        [qw(add echo get_time)], '... add, echo and get_time');
    is_deeply($res->{json}, get($mcp_id)->{json},
        'the answer is the integration as GET shows it');
    my $after = $fx->get_json('/_stats');
    is($after->{list_calls} - $before->{list_calls}, 2,
        'tools/list was called for both pages');
    my @auth = @{ $after->{auth_seen} };
    splice @auth, 0, scalar @{ $before->{auth_seen} };
    ok(@auth >= 3, 'the sync called the server (initialize, two pages)')
        or diag explain \@auth;
    is_deeply([ grep { ($_ // '') ne "Bearer $mcp_token" } @auth ], [],
        '... every time with the token as the bearer');
    $fx->stop;
}

# --- conflicts, with no outbound call ----------------------------------------------------

my $oauth_id = install('sync-oauth', { client_id => 'c1',
    client_secret => $client_secret });
is(row($oauth_id, 'status'), 'pending_oauth', 'a byo_oauth install waits');
$seen = seen();
$res = sync($oauth_id);
is_error($res, 409, 'conflict', 'sync of a pending_oauth integration: 409');
like($res->{json}{message} // '', qr/authorization/,
    '... its authorization is not finished');
is(seen(), $seen, '... and nothing was fetched');

$res = call(PATCH => "/api/v1/integrations/$url_id",
    json => { status => 'disabled' });
is($res->{json}{status}, 'disabled', 'an integration is disabled');
$res = sync($url_id);
is_error($res, 409, 'conflict', 'sync of a disabled integration: 409');
like($res->{json}{message} // '', qr/disabled/, '... it is disabled');
is(seen(), $seen, '... and nothing was fetched');
$res = call(PATCH => "/api/v1/integrations/$url_id",
    json => { status => 'connected' });
is($res->{json}{status}, 'connected', 'enabled again');

my $db_id = install('sync-db', { connection_string =>
    "postgresql://u:$db_password\@db.example.com/app" });
$res = sync($db_id);
is_error($res, 409, 'conflict',
    'sync of a connector with no source of operations: 409');
like($res->{json}{message} // '', qr/no source of operations/,
    '... it has none');
is(seen(), $seen, '... and nothing was fetched');

# --- access -------------------------------------------------------------------------------

$res = sync($url_id, as => undef);
is_error($res, 401, 'unauthorized', 'sync without a token: 401');
$res = sync($url_id, as => $nora);
is_error($res, 403, 'insufficient_role',
    'a normal member may not sync: 403');
$res = sync('00000000-0000-4000-8000-000000000000');
is_error($res, 404, 'integration_not_found', 'an unknown id: 404');
my $theirs = $s->sql("INSERT INTO workspace_integrations (workspace_id,"
    . " name, kind, auth_mode) VALUES (:'p1', 'X', 'http', 'none')"
    . " RETURNING id", $hidden);
$res = sync($theirs);
is_error($res, 404, 'integration_not_found',
    'another workspace\'s integration: 404');
$res = sync($url_id, json => { force => $T });
is_validation_error($res, ['body', 'force'], undef,
    'a body member: 422 validation_error');
is(seen(), $seen, 'no refused sync fetched anything');

# --- nothing secret ------------------------------------------------------------------------

my @leaks = grep { my $r = $_; grep { index($r, $_) >= 0 } @secrets }
    @replies;
is(scalar @leaks, 0, 'no answer carried a secret') or diag $leaks[0];
my @log = map { $s->log_lines('api-v1', $_) } 1, 2;
like(join("\n", @log), qr/catalog refreshed/, 'the responder log is read');
my @bad = grep { my $l = $_; grep { index($l, $_) >= 0 } @secrets, $marker }
    @log;
is(scalar @bad, 0, 'no responder log line holds a secret or the URL\'s'
    . ' query') or diag join "\n", @bad[0 .. ($#bad < 4 ? $#bad : 4)];

SKIP: {
    skip 'a document over the 16 MiB cap (INSTALLSYNC_OPENAPI_MAX_BYTES)'
        . ' is too much to serve in a test', 1;
}

$s->finish;
kill 'KILL', $server;
waitpid $server, 0;
$server = 0;
done_testing;
