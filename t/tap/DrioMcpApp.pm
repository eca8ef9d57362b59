# DrioMcpApp: an app with tools behind a published MCP endpoint, built on
# a running DrioStack the way a builder builds it, for the tests of the
# MCP endpoint (docs/mcp.md).
#
# start() runs the upstream, a small JSON API on loopback (a forked Perl
# server, routes below), then, through the management APIs as the owner
# of a workspace: creates an app, an api_key auth connection (header
# X-API-Key), an integration discovered from an inline OpenAPI 3 document
# whose server is the upstream, tools made from some of its operations,
# sets the visibility, and publishes release 1.
#
#     my $s = DrioStack->start(responders => [ 'api-v1', 'api-v3', 'mcp' ]);
#     my $alice = $s->seed_user(email => 'alice@example.com');
#     my $ws = $s->seed_workspace('Acme', $alice->{email});
#     my $m = DrioMcpApp->start($s, owner => $alice, workspace_id => $ws);
#     my $url = $s->url($m->endpoint);     # .../mcp/{ws_slug}/items
#     my ($seen, $res) = $m->upstream_during(sub { ...call a tool... });
#
# The upstream's routes (every /items route needs X-API-Key: the key, else
# 401):
#   GET    /items?limit=N  {"items": [the first N of five], "limit": N}
#   GET    /items/{id}     {"id", "name"}; 404 for an unknown id, with a
#                          body that echoes the key it was sent and is
#                          longer than any message drio may pass on
#   POST   /items          201 {"id": 42, "created": <the JSON body>}
#   DELETE /items/{id}     200 {"deleted": "<id>"}
#   GET    /slow           never answers (the connection is held open)
# The oauth2 variant (auth => 'oauth2') has an oauth2 client_credentials
# auth connection instead, and its /items routes want "Authorization:
# Bearer" with a token its own token endpoint issued and refuse_tokens()
# has not refused:
#   POST   /oauth/token    Basic CLIENT_ID:api_key, grant_type
#                          client_credentials -> {"access_token": "tok-N",
#                          "expires_in": 3600}; tok-1, tok-2, ... in turn
# Every request is appended to a log as one JSON line {method, path, query,
# headers (lower-case names), body} before it is answered.  Bounded: at
# most 300 connections, 300 seconds, 5 s to read a request; killed by
# stop() or when the test process ends.
#
# Setup failures BAIL_OUT with the answer that failed.  start() adds no
# tests of its own unless told to report its four checks as tests
# (setup_tests => 1).
#
# SPDX-License-Identifier: MIT

package DrioMcpApp;

use strict;
use warnings;

use Carp qw(croak);
use IO::Select;
use IO::Socket::INET;
use JSON::PP ();
use MIME::Base64 ();
use POSIX ();
use Test::More ();
use Time::HiRes qw(time);

my $JSON = JSON::PP->new->canonical->allow_nonref;
my $T = JSON::PP::true;
my $OWNER_PID = $$;
my @upstreams;    # pids of running upstreams, for the END block

# The operations of the OpenAPI document, and the ones made tools unless
# start() is told otherwise.
use constant OPERATIONS => [qw(createItem deleteItem getItem listItems
    slowReport)];
use constant DEFAULT_TOOLS => [qw(listItems getItem createItem slowReport)];

# The oauth2 variant's client id (its secret is the api_key).
use constant CLIENT_ID => 'items-client';

END {
    local $?;    # keep the test's exit status
    if ($$ == $OWNER_PID) {
        for my $pid (grep { defined } @upstreams) {
            kill 'KILL', $pid;
            waitpid $pid, 0;
        }
    }
}

sub _slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or return '';
    local $/;
    return scalar <$fh>;
}

sub _bail {
    my ($what, @diag) = @_;
    Test::More::diag($_) for @diag;
    Test::More::BAIL_OUT("setup failed: $what");
}

# One of start()'s checks: $ok says whether $what holds.  With
# setup_tests, report it as the test "setup: $what"; either way bail out
# with @diag when it does not hold.
sub _check {
    my ($self, $ok, $what, @diag) = @_;
    if ($self->{setup_tests}) {
        local $Test::Builder::Level = $Test::Builder::Level + 2;
        Test::More::ok($ok, "setup: $what");
    }
    _bail($what, @diag) unless $ok;
}

# --- the upstream -----------------------------------------------------------

# Read one HTTP/1.x request from $c within 5 seconds.  Returns {method,
# path, query, headers, body}, or undef when none could be read.  Other
# tests' loopback upstreams use it too: DrioMcpApp::read_request($c).
sub read_request {
    my ($c) = @_;
    my $sel = IO::Select->new($c);
    my $deadline = time + 5;
    my $buf = '';
    until ($buf =~ /\r\n\r\n/) {
        return undef if time >= $deadline;
        next unless $sel->can_read(0.5);
        my $n = sysread($c, $buf, 65536, length $buf);
        return undef unless $n;
    }
    my ($head, $rest) = $buf =~ /\A(.*?)\r\n\r\n(.*)\z/s;
    my ($line, @lines) = split /\r\n/, $head;
    my ($method, $target) = $line =~ m{\A(\S+) (\S+) HTTP/1\.[01]\z}
        or return undef;
    my %h;
    for (@lines) {
        my ($k, $v) = /\A([^:]+):\s*(.*?)\s*\z/ or next;
        $h{lc $k} = $v;
    }
    my $want = $h{'content-length'} // 0;
    while (length($rest) < $want) {
        return undef if time >= $deadline;
        next unless $sel->can_read(0.5);
        my $n = sysread($c, $rest, $want - length $rest, length $rest);
        return undef unless $n;
    }
    my ($path, $query) = split /\?/, $target, 2;
    return { method => $method, path => $path, query => $query // '',
        headers => \%h, body => $rest };
}

# Answer $doc as JSON with $status, and say the connection closes.
sub _answer {
    my ($c, $status, $doc) = @_;
    my %reason = (200 => 'OK', 201 => 'Created', 401 => 'Unauthorized',
        404 => 'Not Found');
    my $body = $JSON->encode($doc);
    print {$c} "HTTP/1.1 $status " . ($reason{$status} // 'Status')
        . "\r\nContent-Type: application/json\r\nContent-Length: "
        . length($body) . "\r\nConnection: close\r\n\r\n$body";
}

# The status and JSON document request $r gets (the routes above), or
# nothing for one that is never answered.
sub _route {
    my ($self, $r) = @_;
    my ($m, $p) = @$r{qw(method path)};
    my @items = $self->items;
    return if $m eq 'GET' && $p eq '/slow';    # held: never answered
    return $self->_token($r) if $p eq '/oauth/token';
    return (404, { error => 'no such route' }) unless $p =~ m{\A/items\b};
    if ($self->{auth} eq 'oauth2') {
        my ($token) = ($r->{headers}{authorization} // '')
            =~ /\ABearer (\S+)\z/;
        return (401, { error => 'invalid_token' })
            unless defined $token && $self->{issued}{$token}
            && !grep { $_ eq $token || $_ eq '*' } $self->refused_tokens;
    } else {
        return (401, { error => 'missing or wrong API key' })
            unless ($r->{headers}{'x-api-key'} // '') eq $self->{api_key};
    }
    if ($m eq 'GET' && $p eq '/items') {
        my ($limit) = $r->{query} =~ /(?:\A|&)limit=(\d+)/;
        $limit //= 3;
        my @some = @items[0 .. ($limit > 5 ? 5 : $limit) - 1];
        return (200, { items => \@some, limit => $limit + 0 });
    }
    if ($m eq 'POST' && $p eq '/items') {
        my $doc = eval { JSON::PP->new->decode($r->{body}) };
        return (201, { id => 42, created => $doc });
    }
    if ($p =~ m{\A/items/([^/]+)\z}) {
        my $id = $1;
        return (200, { deleted => $id }) if $m eq 'DELETE';
        my ($item) = grep { $_->{id} eq $id } @items;
        return (200, $item) if $m eq 'GET' && $item;
        return (404, { error => "no item $id",
            key_seen => $r->{headers}{'x-api-key'},
            padding => 'x' x 6000 }) if $m eq 'GET';
    }
    return (404, { error => 'no such route' });
}

# The token endpoint of the oauth2 variant (RFC 6749 4.4): the client
# authenticates with Basic (CLIENT_ID, the api_key as secret); each grant
# is a new token, tok-1, tok-2, ..., for an hour.
sub _token {
    my ($self, $r) = @_;
    return (404, { error => 'no such route' })
        unless $self->{auth} eq 'oauth2' && $r->{method} eq 'POST';
    my ($basic) = ($r->{headers}{authorization} // '') =~ /\ABasic (\S+)\z/;
    my $want = MIME::Base64::encode_base64(CLIENT_ID . ":$self->{api_key}",
        '');
    return (401, { error => 'invalid_client' })
        unless defined $basic && $basic eq $want;
    return (400, { error => 'unsupported_grant_type' })
        unless $r->{body} =~ /(?:\A|&)grant_type=client_credentials(?:&|\z)/;
    my $token = 'tok-' . ++$self->{grants};
    $self->{issued}{$token} = 1;
    return (200, { access_token => $token, token_type => 'Bearer',
        expires_in => 3600 });
}

# Listen on loopback and fork the server.  Sets port, pid.
sub _start_upstream {
    my ($self) = @_;
    my $listener = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
        LocalPort => 0, Listen => 16, ReuseAddr => 1)
        or _bail('the upstream', "listen: $!");
    $self->{port} = $listener->sockport;
    my $pid = fork // _bail('the upstream', "fork: $!");
    if ($pid == 0) {
        $SIG{PIPE} = 'IGNORE';
        $SIG{$_} = 'DEFAULT' for qw(INT TERM HUP);
        $SIG{ALRM} = sub { POSIX::_exit(0) };
        alarm 300;
        my @held;
        for (1 .. 300) {
            my $c = $listener->accept or next;
            my $r = read_request($c);
            if (!$r) {
                close $c;
                next;
            }
            if (open my $log, '>>', $self->{log}) {
                print {$log} $JSON->encode($r), "\n";
                close $log;
            }
            my ($status, $doc) = $self->_route($r);
            if (!defined $status) {
                push @held, $c;
                next;
            }
            _answer($c, $status, $doc);
            close $c;
        }
        POSIX::_exit(0);
    }
    close $listener;
    $self->{pid} = $pid;
    push @upstreams, $pid;
}

# The OpenAPI 3 document of the upstream.
sub _openapi {
    my ($self) = @_;
    my $id_param = [ { name => 'id', in => 'path', required => $T,
        schema => { type => 'string' } } ];
    my $ok = { 200 => { description => 'OK' } };
    return {
        openapi => '3.0.3',
        info => { title => 'Item store API', version => '1.0.0' },
        servers => [ { url => $self->upstream_url } ],
        components => { securitySchemes => { key => { type => 'apiKey',
            in => 'header', name => 'X-API-Key' } } },
        security => [ { key => [] } ],
        paths => {
            '/items' => {
                get => { operationId => 'listItems',
                    summary => 'List items',
                    description => 'Lists the items in stock.',
                    parameters => [ { name => 'limit', in => 'query',
                        schema => { type => 'integer', minimum => 1,
                            maximum => 50 } } ],
                    responses => $ok },
                post => { operationId => 'createItem',
                    summary => 'Create an item',
                    requestBody => { required => $T, content => {
                        'application/json' => { schema => {
                            type => 'object', required => ['name'],
                            properties => {
                                name => { type => 'string',
                                    minLength => 1 },
                                qty => { type => 'integer' } } } } } },
                    responses => { 201 => { description => 'Created' } } },
            },
            '/items/{id}' => {
                get => { operationId => 'getItem', summary => 'Get an item',
                    parameters => $id_param, responses => $ok },
                delete => { operationId => 'deleteItem',
                    summary => 'Delete an item', parameters => $id_param,
                    responses => $ok },
            },
            '/slow' => {
                get => { operationId => 'slowReport',
                    summary => 'A report that takes its time',
                    responses => $ok },
            },
        },
    };
}

# --- building the app -------------------------------------------------------

# Start the upstream and build the app on stack $s.  Options: owner (a
# seed_user answer, required: every API call is made with its token),
# workspace_id (required), slug (default 'items'), name ('Item store'),
# description ('Items and their stock.'), tools (the operation keys made
# tools, default listItems getItem createItem slowReport), visibility
# ('public'), api_key (default a random one), auth ('api_key', or
# 'oauth2' for the variant above), setup_tests (report the
# four checks as tests: the integration's base_url is the upstream, the
# five operations were discovered, every tool asked for was made, release
# 1 was published).  Returns the object; bails out when a step fails.
sub start {
    my ($class, $s, %opt) = @_;
    my $self = bless {
        stack => $s,
        owner => $opt{owner} // croak('DrioMcpApp->start needs owner'),
        workspace_id => $opt{workspace_id}
            // croak('DrioMcpApp->start needs workspace_id'),
        slug => $opt{slug} // 'items',
        setup_tests => $opt{setup_tests},
        auth => $opt{auth} // 'api_key',
        api_key => $opt{api_key} // 'itm_'
            . join('', map { sprintf '%04x', int rand 65536 } 1 .. 8),
    }, $class;
    croak "DrioMcpApp->start: auth is api_key or oauth2"
        unless $self->{auth} =~ /\A(?:api_key|oauth2)\z/;
    $self->{log} = $s->tmpdir . "/upstream-$self->{slug}.jsonl";
    $self->{refused} = $s->tmpdir . "/upstream-$self->{slug}.refused";
    $self->_start_upstream;
    $self->{workspace_slug} = $s->sql(
        "SELECT slug FROM workspaces WHERE id = :'p1'", $self->{workspace_id});

    my $app = $self->api_ok(201, $self->api(POST => '/api/v1/apps', {
        workspace_id => $self->{workspace_id},
        name => $opt{name} // 'Item store', slug => $self->{slug},
        description => $opt{description} // 'Items and their stock.' }),
        'create the app');
    $self->{app} = $app;
    my $A = $self->app_path;
    my $auth = $self->{auth} eq 'oauth2'
        ? $self->api_ok(201, $self->api(POST => "$A/auth", {
            name => 'Item client', type => 'oauth2',
            settings => { grant => 'client_credentials',
                token_url => $self->upstream_url . '/oauth/token',
                client_id => CLIENT_ID, scopes => [ 'items:read' ] },
            secret => { client_secret => $self->{api_key} } }),
            'create the oauth2 connection')
        : $self->api_ok(201, $self->api(POST => "$A/auth", {
            name => 'Item key', type => 'api_key',
            settings => { in => 'header', name => 'X-API-Key' },
            secret => { value => $self->{api_key} } }),
            'create the api_key connection');
    $self->{auth_connection} = $auth;
    my $int = $self->api_ok(201, $self->api(POST => "$A/integrations", {
        name => 'Items', kind => 'openapi',
        auth_connection_id => $auth->{id}, spec => $self->_openapi }),
        'create the integration from the inline document');
    $self->_check(($int->{base_url} // '') eq $self->upstream_url,
        'the integration calls the upstream (servers[0].url)',
        'base_url is ' . ($int->{base_url} // 'missing') . ', not '
        . $self->upstream_url);
    $self->{integration} = $int;
    my $ops = $self->api_ok(200,
        $self->api(GET => "$A/integrations/$int->{id}/operations"),
        'list the operations');
    $self->{operations} = { map { $_->{key} => $_->{id} }
        @{ $ops->{data} // [] } };
    my @found = sort keys %{ $self->{operations} };
    $self->_check("@found" eq "@{ +OPERATIONS }",
        'five operations were discovered', "found: @found");
    my @tools = @{ $opt{tools} // DEFAULT_TOOLS };
    my $import = $self->api_ok(200, $self->api(POST => '/api/v3/apps/'
        . "$app->{id}/integrations/$int->{id}/operations/import-tools",
        { operation_ids => \@tools }), 'make tools from the operations');
    $self->_check(@{ $import->{created} // [] } == @tools,
        scalar(@tools) . ' tools were made', $JSON->encode($import));
    $self->{tools} = [ sort @tools ];
    $self->api_ok(200, $self->api(PATCH => $A,
        { visibility => $opt{visibility} // 'public' }),
        'set the visibility');
    my $number = $self->publish;
    $self->_check(($number // 0) == 1, 'release 1 is published',
        'release ' . ($number // 'missing'));
    return $self;
}

# Publish the draft as the next release.  Returns its number.
sub publish {
    my ($self) = @_;
    my $rel = $self->api_ok(201, $self->api(POST => '/api/v3/apps/'
        . "$self->{app}{id}/releases", {}), 'publish a release');
    return $rel->{number};
}

# Add a tool made from operation $key (one of OPERATIONS) to the draft.
# Returns the tool as the API answers it.
sub add_tool {
    my ($self, $key) = @_;
    my $id = $self->{operations}{$key}
        // croak "no operation $key in the document";
    return $self->api_ok(201, $self->api(POST => '/api/v3/apps/'
        . "$self->{app}{id}/tools", { operation_id => $id }),
        "add the tool $key to the draft");
}

# --- the management APIs ----------------------------------------------------

# A request to the stack with $opt{as}'s token (default the owner's) and
# $json as the body.  Returns the DrioStack answer.
sub api {
    my ($self, $method, $path, $json, %opt) = @_;
    return $self->{stack}->request($method => $path, {
        token => ($opt{as} // $self->{owner})->{token},
        (defined $json ? (json => $json) : ()) });
}

# The JSON of answer $res when its status is $want; else bail out, saying
# $what failed.
sub api_ok {
    my ($self, $want, $res, $what) = @_;
    return $res->{json} if $res->{status} == $want;
    _bail($what, "$what: $res->{status} $res->{content}");
}

# --- the MCP endpoint -------------------------------------------------------

# tools/call of $name with $arguments (default {}) through the endpoint
# (or $opt{path}), statelessly at 2026-07-28, with $opt{token}.  Returns
# the DrioStack answer.
sub call_tool {
    my ($self, $name, $arguments, %opt) = @_;
    my $v = '2026-07-28';
    my $meta = { 'io.modelcontextprotocol/protocolVersion' => $v,
        'io.modelcontextprotocol/clientCapabilities' => {},
        'io.modelcontextprotocol/clientInfo' => { name => 'drio-tests',
            version => '1.0' } };
    my $body = { jsonrpc => '2.0', id => ++$self->{rpc_id},
        method => 'tools/call', params => { name => $name,
            arguments => $arguments // {}, _meta => $meta } };
    return $self->{stack}->request(POST => $opt{path} // $self->endpoint, {
        body => $JSON->encode($body), content_type => 'application/json',
        headers => { Accept => 'application/json, text/event-stream',
            'MCP-Protocol-Version' => $v, 'Mcp-Method' => 'tools/call',
            'Mcp-Name' => $name },
        (defined $opt{token} ? (token => $opt{token}) : ()),
        timeout => 20 });
}

# --- what it made -----------------------------------------------------------

sub api_key        { return $_[0]{api_key} }
sub auth_connection { return $_[0]{auth_connection} }
sub app            { return $_[0]{app} }
sub app_path       { return "/api/v1/apps/$_[0]{app}{id}" }
sub integration    { return $_[0]{integration} }
sub operations     { return { %{ $_[0]{operations} } } }
sub workspace_slug { return $_[0]{workspace_slug} }
sub upstream_port  { return $_[0]{port} }
sub upstream_url   { return "http://127.0.0.1:$_[0]{port}" }

# The endpoint's path: /mcp/{workspace_slug}/{app_slug}.
sub endpoint { return "/mcp/$_[0]{workspace_slug}/$_[0]{slug}" }

# The names of release 1's tools, sorted.
sub tools { return @{ $_[0]{tools} } }

# The five items the upstream has: {id => 1..5, name => "item N"}.
sub items { return map { { id => $_, name => "item $_" } } 1 .. 5 }

# The requests the upstream has seen so far, oldest first.
sub upstream_requests {
    my ($self) = @_;
    return map { JSON::PP->new->decode($_) } grep { /\S/ } split /\n/,
        _slurp($self->{log});
}

# Run $code; returns ([the requests the upstream saw meanwhile], what
# $code returned).
sub upstream_during {
    my ($self, $code) = @_;
    my $before = () = $self->upstream_requests;
    my @r = $code->();
    my @all = $self->upstream_requests;
    return ([ @all[$before .. $#all] ], @r);
}

# The oauth2 variant's upstream refuses @tokens from now on (401), '*'
# every token; with no @tokens, none.
sub refuse_tokens {
    my ($self, @tokens) = @_;
    open my $fh, '>', $self->{refused}
        or croak "refuse_tokens: $self->{refused}: $!";
    print {$fh} map { "$_\n" } @tokens;
    close $fh;
}

# The tokens refused now (read by the upstream at each request).
sub refused_tokens {
    my ($self) = @_;
    return grep { length } split /\n/, _slurp($self->{refused});
}

# Stop the upstream.  Idempotent.
sub stop {
    my ($self) = @_;
    my $pid = delete $self->{pid} or return;
    kill 'KILL', $pid;
    waitpid $pid, 0;
    @upstreams = grep { $_ != $pid } @upstreams;
}

1;
