#!/usr/bin/perl
# 50-api-v1-connectors.t: the connector catalog (docs/connectors.md,
# docs/api-v1/connectors.md) over a real stack.
#
# - drio-admin load-connectors loads the shipped manifests, is idempotent,
#   refuses a bad file whole (with its name and a JSON Pointer) while the
#   others still load, refuses a changed file that keeps its version, and
#   takes http verify URLs only with --allow-http.
# - GET /api/v1/connectors: 401 without a token; the list envelope with
#   exactly the spec's item fields; the category, auth_mode and q filters.
# - GET /api/v1/connectors/{id}: the full manifest; 404 connector_not_found.
# - POST /api/v1/connectors/{id}/verify: 401, 400 without workspace_id,
#   404 for another workspace, 403 for the normal role, 404 for an unknown
#   connector, 400 for a missing, unknown or malformed field; ok: true
#   without a call for mcp_oauth, none and a manifest without a probe;
#   against a loopback fixture: 200 → ok: true, 401 echoing the token →
#   ok: false with the token scrubbed, a slow answer → 502; and, on a
#   stack that allows only 10.0.0.0/8, a loopback URL → 422.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use File::Copy qw(copy);
use IO::Socket::INET;
use JSON::PP ();
use POSIX ();
use Test::More;
use DrioStack;
use DrioTest;

my $s = DrioStack->start(responders => ['api-v1'],
    env => { DRIO_OUTBOUND_TIMEOUT_SECONDS => 2 });

my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
my $max   = $s->seed_user(email => 'max@example.com', name => 'Max');
my $nora  = $s->seed_user(email => 'nora@example.com', name => 'Nora');
my $carol = $s->seed_user(email => 'carol@example.com', name => 'Carol');
my $acme   = $s->seed_workspace('Acme', $alice->{email});
my $hidden = $s->seed_workspace('Hidden', $carol->{email});
$s->seed_member($acme, $max->{id}, 'manager');
$s->seed_member($acme, $nora->{id}, 'normal');
my $T = JSON::PP::true;
my $F = JSON::PP::false;
my $shipped = DrioStack::srcdir() . '/connectors';
my $token = 'tk_Secret/Value+42';

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or die "$path: $!";
    local $/;
    return scalar <$fh>;
}

sub spew {
    my ($path, $text) = @_;
    open my $fh, '>:raw', $path or die "$path: $!";
    print $fh $text;
    close $fh or die "$path: $!";
}

sub call {
    my ($method, $path, $json, %opt) = @_;
    return $s->request($method => $path, {
        (exists $opt{as} && !defined $opt{as} ? ()
            : (token => ($opt{as} // $alice)->{token})),
        (defined $json ? (json => $json) : ()) });
}

# --- a loopback provider ------------------------------------------------------

# /ok answers 200; /deny answers 401 echoing the Authorization header (so
# the scrubbing is tested on a real echo); /slow answers after 5 seconds.
my $listener = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
    LocalPort => 0, Listen => 16, ReuseAddr => 1) or die "listen: $!";
my $port = $listener->sockport;
my $server = fork // die "fork: $!";
if ($server == 0) {
    for (1 .. 100) {
        my $c = $listener->accept or next;
        my $line = <$c> // '';
        my $auth = '';
        while (my $h = <$c>) {
            last if $h =~ /^\r?\n\z/;
            $auth = $1 if $h =~ /^Authorization:\s*(.*?)\r?\n\z/i;
        }
        my ($path) = $line =~ m{^\w+ /(\S*) HTTP};
        $path //= '';
        my ($status, $body) = (404, '');
        if ($path eq 'ok') {
            ($status, $body) = (200, '{"ok": true}');
        } elsif ($path eq 'deny') {
            ($status, $body) = (401, qq({"message": "Bad credentials:\n)
                . qq($auth\x01\x1b[0m"}));
        } elsif ($path eq 'slow') {
            sleep 5;
            ($status, $body) = (200, '{}');
        }
        print $c "HTTP/1.1 $status X\r\nContent-Type: application/json\r\n"
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

# A test-only manifest whose probe goes to the loopback provider.
sub loopback_manifest {
    my (%opt) = @_;
    return JSON::PP->new->canonical->pretty->encode({
        id => 'loopback', version => $opt{version} // 1,
        name => 'Loopback', description => 'The test provider.',
        category => 'other', auth_mode => 'pat',
        brand_logo => 'https://example.com/l.png', brand_color => '#000000',
        docs_url => 'https://example.com/docs',
        fields => [
            { key => 'path', label => 'Path', type => 'select',
              secret => $F, required => $T,
              options => ['ok', 'deny', 'slow'] },
            { key => 'token', label => 'Token', type => 'password',
              secret => $T, required => $T,
              pattern => 'tk_[A-Za-z0-9/+]+' } ],
        verify => { method => 'GET',
            url => "http://127.0.0.1:$port/{{path}}",
            headers => { Authorization => 'Bearer {{token}}' },
            ok_statuses => [200] },
        openapi => { url => "http://127.0.0.1:$port/openapi.json" },
        ($opt{description} ? (description => $opt{description}) : ()),
    });
}

# --- loading ------------------------------------------------------------------

my @files = sort glob("$shipped/*.json");
my ($code, $out, $err) = $s->admin_env({ DRIO_CONNECTORS_DIR => $shipped },
    undef, 'load-connectors');
is($code, 0, 'load-connectors loads the shipped manifests') or diag $err;
is(scalar(() = $out =~ /^loaded [a-z0-9-]+ \(version \d+\)$/mg),
    scalar @files, 'one "loaded" line per shipped file');
is($s->sql('SELECT count(*) FROM connectors'), scalar @files,
    'every shipped manifest is a row');
($code, $out) = $s->admin_env({ DRIO_CONNECTORS_DIR => $shipped }, undef,
    'load-connectors');
is($code, 0, 'loading again succeeds');
is(scalar(() = $out =~ /^unchanged /mg), scalar @files,
    'loading again changes nothing');

my $dir = $s->tmpdir . '/connectors';
mkdir $dir or die "$dir: $!";
copy("$shipped/github.json", "$dir/github.json") or die $!;
spew("$dir/loopback.json", loopback_manifest());
spew("$dir/broken.json", '{"id": "broken",');
spew("$dir/misnamed.json", slurp("$shipped/stripe.json"));
($code, $out, $err) = $s->admin_env({ DRIO_CONNECTORS_DIR => $dir }, undef,
    'load-connectors');
is($code, 1, 'a directory with bad files exits 1');
like($out, qr{^refused loopback\.json: /verify/url: }m,
    'an http verify URL is refused without --allow-http, with its pointer');
like($out, qr{^refused broken\.json: it is not JSON}m,
    'a file that is not JSON is refused');
like($out, qr{^refused misnamed\.json: /id: }m,
    'a manifest whose id is not its file name is refused');
like($out, qr{^unchanged github \(version 1\)$}m,
    'the good file beside them is still handled');
like($err, qr/3 of 4 connectors refused/, 'stderr counts the refusals');
is($s->sql(q{SELECT count(*) FROM connectors WHERE id = 'loopback'}), 0,
    'a refused manifest is not stored');
unlink "$dir/broken.json", "$dir/misnamed.json";

($code, $out, $err) = $s->admin_env({ DRIO_CONNECTORS_DIR => $dir }, undef,
    'load-connectors', '--allow-http');
is($code, 0, 'with --allow-http the loopback manifest loads') or diag $out;
like($out, qr{^loaded loopback \(version 1\)$}m, '... and says so');
($code) = $s->admin_env({ DRIO_CONNECTORS_DIR => $dir }, undef,
    'load-connectors', '--allow-anything');
is($code, 2, 'an unknown option is a usage error');

spew("$dir/loopback.json", loopback_manifest(description => 'Changed.'));
($code, $out) = $s->admin_env({ DRIO_CONNECTORS_DIR => $dir }, undef,
    'load-connectors', '--allow-http');
is($code, 1, 'a changed file that keeps its version is refused');
like($out, qr{^refused loopback\.json: /version: }m, '... at /version');
is($s->sql(q{SELECT manifest->>'description' FROM connectors}
    . q{ WHERE id = 'loopback'}), 'The test provider.',
    '... and the stored manifest is unchanged');
spew("$dir/loopback.json", loopback_manifest(version => 2));
($code, $out) = $s->admin_env({ DRIO_CONNECTORS_DIR => $dir }, undef,
    'load-connectors', '--allow-http');
like($out, qr{^loaded loopback \(version 2\)$}m,
    'a raised version loads');

# --- list and get ---------------------------------------------------------------

my $res = call(GET => '/api/v1/connectors', undef, as => undef);
is_error($res, 401, 'unauthorized', 'the list needs a token');
$res = call(GET => '/api/v1/connectors?limit=200', undef, as => $nora);
is_list_envelope($res, 'any member lists the catalog');
is($res->{json}{total}, @files + 1, 'the list counts every connector');
my %keys = map { join(',', sort keys %$_) => 1 } @{ $res->{json}{data} };
is_deeply([ keys %keys ],
    ['auth_mode,brand_color,brand_logo,category,description,id,name'],
    'list items have exactly the spec\'s fields');
my %modes = map { $_->{auth_mode} => 1 } @{ $res->{json}{data} };
is_deeply([ sort keys %modes ],
    [qw(byo_oauth conn_string mcp_oauth none pat)],
    'the catalog covers the five auth modes');
$res = call(GET => '/api/v1/connectors?category=payments');
is_deeply([ map { $_->{id} } @{ $res->{json}{data} } ], ['stripe'],
    'category filters');
$res = call(GET => '/api/v1/connectors?auth_mode=mcp_oauth');
is_deeply([ map { $_->{id} } @{ $res->{json}{data} } ], ['linear'],
    'auth_mode filters');
$res = call(GET => '/api/v1/connectors?q=JIRA');
is_deeply([ map { $_->{id} } @{ $res->{json}{data} } ], ['jira'],
    'q finds words in the name, case-insensitively');
$res = call(GET => '/api/v1/connectors?limit=2&page=2');
is(scalar @{ $res->{json}{data} }, 2, 'the list pages');
$res = call(GET => '/api/v1/connectors?category=games');
is_validation_error($res, ['query', 'category'], undef,
    'an unknown category is a 422');

$res = call(GET => '/api/v1/connectors/jira', undef, as => $nora);
is($res->{status}, 200, 'any member gets a connector');
is($res->{json}{verify}{url}, 'https://{{site}}.atlassian.net/rest/api/3/myself',
    'get answers the full manifest');
is_deeply($res->{json}, JSON::PP->new->decode(slurp("$shipped/jira.json")),
    'the manifest is the file\'s');
$res = call(GET => '/api/v1/connectors/jira', undef, as => undef);
is_error($res, 401, 'unauthorized', 'get needs a token');
$res = call(GET => '/api/v1/connectors/nope');
is_error($res, 404, 'connector_not_found', 'an unknown id is a 404');
$res = call(GET => '/api/v1/connectors/Bad_Id');
is_error($res, 404, 'connector_not_found', 'a malformed id is a 404 too');

# --- verify ---------------------------------------------------------------------

sub verify {
    my ($id, $fields, %opt) = @_;
    my $ws = exists $opt{workspace} ? $opt{workspace} : $acme;
    my $path = "/api/v1/connectors/$id/verify"
        . (defined $ws ? "?workspace_id=$ws" : '');
    return call(POST => $path, { (defined $fields ? (fields => $fields) : ()) },
        %opt);
}

$res = verify('github', { token => 'x' }, as => undef);
is_error($res, 401, 'unauthorized', 'verify needs a token');
$res = verify('github', { token => 'x' }, workspace => undef);
is_error($res, 400, 'bad_request', 'verify without workspace_id is a 400');
$res = verify('github', { token => 'x' }, workspace => $hidden);
is_error($res, 404, 'workspace_not_found',
    'verify for a workspace one is not a member of is a 404');
$res = verify('github', { token => 'x' }, as => $nora);
is_error($res, 403, 'insufficient_role', 'the normal role cannot verify');
$res = verify('nope', { token => 'x' });
is_error($res, 404, 'connector_not_found', 'verify of an unknown id is a 404');
$res = verify('github', {});
is_error($res, 400, 'bad_request', 'a missing required field is a 400');
is_deeply($res->{json}{details}[0]{loc}, ['body', 'fields.token'],
    '... naming the field');
$res = verify('github', { token => 'x', colour => 'red' });
is_error($res, 400, 'bad_request', 'an unknown field is a 400');
$res = verify('stripe', { api_key => 'not-a-key' });
is_error($res, 400, 'bad_request',
    'a value that does not match its pattern is a 400');
unlike($res->{content}, qr/not-a-key/, '... and the answer does not echo it');
$res = call(POST => "/api/v1/connectors/github/verify?workspace_id=$acme",
    { fields => 'x' });
is_validation_error($res, ['body', 'fields'], undef,
    'fields that are not an object are refused');

for my $case (['linear', undef, 'mcp_oauth'], ['open-meteo', {}, 'none'],
    ['slack', { client_id => '1.2', client_secret => 's' }, 'byo_oauth'],
    ['postgresql', { connection_string => 'postgresql://u:p@db.example/x' },
     'conn_string without a probe']) {
    $res = verify($case->[0], $case->[1], as => $max);
    is($res->{status}, 200, "verify of $case->[2] answers 200");
    is($res->{json}{ok}, $T, "... ok: true without a call");
}

$res = verify('loopback', { path => 'ok', token => $token });
is($res->{status}, 200, 'a probe the provider accepts answers 200');
is($res->{json}{ok}, $T, '... ok: true');
$res = verify('loopback', { path => 'deny', token => $token });
is($res->{status}, 200, 'a probe the provider refuses answers 200');
is($res->{json}{ok}, $F, '... ok: false');
like($res->{json}{message}, qr/HTTP 401/, '... the message names the status');
like($res->{json}{message}, qr/Bad credentials/,
    '... and quotes the provider');
unlike($res->{content}, qr/Secret|tk_/,
    '... but never the submitted token');
like($res->{json}{message}, qr/\[redacted\]/, '... which is redacted');
unlike($res->{json}{message}, qr/[\x00-\x1f\x7f]/,
    '... and control characters are stripped');
ok(length($res->{json}{message}) <= 300, '... within 300 characters');
my $logs = join '', map { slurp($_) } $s->drio_logs;
unlike($logs, qr/Secret\/Value/, 'no log holds the token');
$res = verify('loopback', { path => 'slow', token => $token });
is_error($res, 502, 'upstream_unavailable',
    'a provider that does not answer in time is a 502');

# --- the SSRF guard ---------------------------------------------------------------

my $guarded = DrioStack->start(responders => ['api-v1'],
    outbound_allow => '10.0.0.0/8');
my $g_alice = $guarded->seed_user(email => 'alice@example.com');
my $g_acme = $guarded->seed_workspace('Acme', $g_alice->{email});
($code, $out) = $guarded->admin_env({ DRIO_CONNECTORS_DIR => $dir }, undef,
    'load-connectors', '--allow-http');
is($code, 0, 'the guarded stack loads the loopback manifest') or diag $out;
$res = $guarded->request(POST =>
    "/api/v1/connectors/loopback/verify?workspace_id=$g_acme",
    { token => $g_alice->{token},
      json => { fields => { path => 'ok', token => $token } } });
is_error($res, 422, 'destination_not_allowed',
    'a probe to a refused address is a 422');
unlike($res->{content}, qr/Secret/, '... that does not echo the token');

$guarded->finish;
$s->finish;
done_testing;
