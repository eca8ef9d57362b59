#!/usr/bin/perl
# 54-outbound-ssrf.t: the SSRF guard of lib/outbound (docs/outbound.md),
# proved end to end through the two routes that take a URL from a user:
# POST /api/v1/integrations with kind mcp_server (docs/api-v1/
# mcp-servers.md) and POST /api/v1/apps/{app_id}/integrations with a
# spec_url (docs/api-v1/integrations.md).
#
# - A stack that allows no network: every refused class of docs/outbound.md
#   (loopback, unspecified, RFC 1918, carrier-grade NAT, link-local,
#   site-local, unique-local, multicast, broadcast, reserved, the metadata
#   addresses and host names, IPv4-mapped, -compatible, -translated, NAT64
#   and 6to4 forms, the decimal, octal, hexadecimal and short spellings of
#   IPv4 that libcurl reads, a user name and password) is 422
#   destination_not_allowed on both routes, with a message that says why
#   and does not quote the URL, and nothing is stored.  A "trap" listens
#   on the URLs' port on every local address and must see no connection:
#   the refusal came before connecting, not because nothing listened.
#   The machine's own addresses in a refused class are tried too.
#   Schemes other than http(s) are 422 validation_error.
# - Host names that resolve to a refused address (localhost and its
#   spellings, *.localhost, names /etc/hosts maps to loopback): refused
#   at connect time, the trap sees nothing.
# - A stack that allows loopback, where the test's HTTP fixture is
#   reached: the same fixture URLs the first stack refused now work (an
#   MCP server, an OpenAPI document), so the allow list made the
#   difference; and a redirect (301, 302, 303, 307, 308) to the metadata
#   address, to a loopback trap or back to the fixture itself is never
#   followed: 502 upstream_unavailable naming the status, the Location
#   not quoted, the trap silent, the fixture asked exactly once.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use File::Temp ();
use IO::Select;
use IO::Socket::INET;
use IO::Socket::IP;
use JSON::PP ();
use POSIX ();
use Socket qw(AF_INET AF_INET6 inet_ntop getaddrinfo getnameinfo
    SOCK_STREAM NI_NUMERICHOST NIx_NOSERV);
use Test::More;
use DrioStack;
use DrioTest;
use DrioApps;

my $OWNER_PID = $$;
my $JSON = JSON::PP->new->canonical;

# Every URL below carries this in its path and query: an answer that
# contains it quoted the URL.
my $CANARY = 'ssrf-canary-7f3a';

# --- traps ------------------------------------------------------------------

# A trap: listening sockets on one port on every local address, IPv4
# (0.0.0.0) and, when the host has IPv6, IPv6 ([::], IPv6 only).  Nothing
# ever talks on them; trap_connections() takes and counts the
# connections the kernel completed meanwhile.  Returns {port, socks}.
sub open_trap {
    my $v4 = IO::Socket::IP->new(Family => AF_INET, LocalHost => '0.0.0.0',
        LocalPort => 0, Listen => 64, ReuseAddr => 1, Blocking => 0)
        or BAIL_OUT("cannot listen on 0.0.0.0: $@");
    my $port = $v4->sockport;
    my $v6 = IO::Socket::IP->new(Family => AF_INET6, LocalHost => '::',
        LocalPort => $port, Listen => 64, ReuseAddr => 1, V6Only => 1,
        Blocking => 0);
    return { port => $port, socks => [ grep { defined } $v4, $v6 ],
        v6 => defined $v6 };
}

# The connections trap has completed since the last call, taken and closed.
sub trap_connections {
    my ($trap) = @_;
    my $sel = IO::Select->new(@{ $trap->{socks} });
    my $n = 0;
    while (my @ready = $sel->can_read(0)) {
        my $took = 0;
        for my $sock (@ready) {
            while (my $c = $sock->accept) {
                $n++;
                $took++;
                close $c;
            }
        }
        last unless $took;
    }
    return $n;
}

# Connect to host (an address) at the trap's port; true when it worked.
sub touch_trap {
    my ($trap, $host) = @_;
    my $c = IO::Socket::IP->new(PeerHost => $host,
        PeerPort => $trap->{port}, Timeout => 2) or return 0;
    close $c;
    return 1;
}

my $trap = open_trap();      # the port of every refused URL
my $follow = open_trap();    # where redirects point
my $P = $trap->{port};
my $Q = $follow->{port};

# The host's own addresses in a class the guard refuses, as [host as in
# a URL, address, class, address to connect to (with its zone)]: a
# connection to one stays on this machine, where the trap would see it.
# From /proc/net/if_inet6 and `ip -o -4 addr`.
sub own_addresses {
    my @found;
    if (open my $fh, '<', '/proc/net/if_inet6') {
        while (my $line = <$fh>) {
            my ($hex, $dev) = $line =~ /^([0-9a-f]{32})\s.*\s(\S+)\s*$/
                or next;
            my $text = inet_ntop(AF_INET6, pack('H32', $hex));
            my $class = $hex =~ /^fe[89ab]/ ? 'link-local'
                : $hex =~ /^fe[c-f]/ ? 'site-local'
                : $hex =~ /^f[cd]/ ? 'unique-local' : undef;
            next unless $class;
            my $zoned = $class eq 'link-local';
            push @found, [ $zoned ? "[$text%25$dev]" : "[$text]", $text,
                $class, $zoned ? "$text%$dev" : $text ];
        }
        close $fh;
    }
    my ($ip) = grep { -x $_ } qw(/usr/sbin/ip /sbin/ip /usr/bin/ip /bin/ip);
    if ($ip && open my $fh, '-|', $ip, '-o', '-4', 'addr', 'show') {
        while (my $line = <$fh>) {
            my ($a, $b, $rest) = $line =~ /\binet (\d+)\.(\d+)\.(\S+?)\//
                or next;
            my $class = $a == 10 || ($a == 172 && $b >= 16 && $b <= 31)
                || ($a == 192 && $b == 168) ? 'private'
                : $a == 100 && $b >= 64 && $b <= 127 ? 'carrier-grade NAT'
                : $a == 169 && $b == 254 ? 'link-local' : undef;
            push @found, [ ("$a.$b.$rest") x 2, $class, "$a.$b.$rest" ]
                if $class;
        }
        close $fh;
    }
    return @found;
}
my @own = own_addresses();

# --- the HTTP fixture -------------------------------------------------------

# One forked server on 127.0.0.1 that logs "METHOD PATH" of every request
# to a file, then answers:
#   /redirect/CODE/metadata  CODE, Location: the metadata address
#   /redirect/CODE/trap      CODE, Location: the follow trap
#   /redirect/CODE/self      CODE, Location: /openapi.json (itself)
#   /openapi.json            the pet store OpenAPI document
#   POST /mcp                a minimal MCP server (initialize, the
#                            initialized notification, tools/list)
#   anything else            404
# Bounded: at most 400 connections and 300 seconds (more under valgrind),
# killed at the end.
my $tmp = File::Temp->newdir('drio-ssrf-XXXXXX', TMPDIR => 1);
my $fixture_log = "$tmp/fixture.log";
my $petstore = do {
    my $path = DrioStack::srcdir() . '/t/fixtures/openapi/petstore.json';
    open my $fh, '<:raw', $path or BAIL_OUT("$path: $!");
    local $/;
    scalar <$fh>;
};
my %LOCATION = (
    metadata => 'http://169.254.169.254/latest/meta-data/iam/'
        . 'security-credentials/',
    trap     => "http://127.0.0.1:$Q/followed-the-redirect",
    self     => '/openapi.json',
);

sub fixture_answer {
    my ($c, $status, $headers, $body) = @_;
    my %reason = (200 => 'OK', 202 => 'Accepted', 301 => 'Moved',
        302 => 'Found', 303 => 'See Other', 307 => 'Temporary Redirect',
        308 => 'Permanent Redirect', 404 => 'Not Found');
    print $c "HTTP/1.1 $status " . ($reason{$status} // 'X') . "\r\n"
        . join('', map { "$_\r\n" } @$headers)
        . 'Content-Length: ' . length($body) . "\r\n"
        . "Connection: close\r\n\r\n$body";
}

sub fixture_mcp {
    my ($c, $body) = @_;
    my $msg = eval { JSON::PP->new->decode($body) };
    my $type = 'Content-Type: application/json';
    if (ref $msg ne 'HASH' || !defined $msg->{method}) {
        return fixture_answer($c, 404, [], '');
    }
    if (!defined $msg->{id}) {    # a notification
        return fixture_answer($c, 202, [], '');
    }
    my $result;
    if ($msg->{method} eq 'initialize') {
        $result = { protocolVersion => '2025-06-18',
            capabilities => { tools => {} },
            serverInfo => { name => 'ssrf-fixture', version => '1.0' } };
    } elsif ($msg->{method} eq 'tools/list') {
        $result = { tools => [ { name => 'ping',
            description => 'Answers pong.',
            inputSchema => { type => 'object' } } ] };
    }
    my $answer = defined $result
        ? { jsonrpc => '2.0', id => $msg->{id}, result => $result }
        : { jsonrpc => '2.0', id => $msg->{id},
            error => { code => -32601, message => 'no such method' } };
    fixture_answer($c, 200, [ $type ], $JSON->encode($answer));
}

sub fixture_serve {
    my ($c, $log) = @_;
    my $line = <$c> // return;
    my ($method, $path) = $line =~ m{^([A-Z]+) (\S+) HTTP/1\.[01]\r?\n\z}
        or return;
    my %h;
    while (my $l = <$c>) {
        last if $l =~ /^\r?\n\z/;
        $h{lc $1} = $2 if $l =~ /^([^:]+):\s*(.*?)\s*\z/;
    }
    print $log "$method $path\n";
    print $c "HTTP/1.1 100 Continue\r\n\r\n"
        if lc($h{expect} // '') eq '100-continue';
    my $body = '';
    my $want = $h{'content-length'} // 0;
    while ($want =~ /\A\d+\z/ && length $body < $want) {
        read($c, $body, $want - length $body, length $body) or last;
    }
    if ($path =~ m{\A/redirect/(30[12378])/(\w+)\z} && $LOCATION{$2}) {
        fixture_answer($c, $1, [ "Location: $LOCATION{$2}" ], '');
    } elsif ($path eq '/openapi.json' && $method eq 'GET') {
        fixture_answer($c, 200, [ 'Content-Type: application/json' ],
            $petstore);
    } elsif ($path eq '/mcp' && $method eq 'POST') {
        fixture_mcp($c, $body);
    } else {
        fixture_answer($c, 404, [], '');
    }
}

my $fixture_sock = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
    LocalPort => 0, Listen => 16, ReuseAddr => 1)
    or BAIL_OUT("cannot listen on 127.0.0.1: $!");
my $fixture = 'http://127.0.0.1:' . $fixture_sock->sockport;
my $fixture_pid = fork // BAIL_OUT("fork: $!");
if ($fixture_pid == 0) {
    $SIG{PIPE} = 'IGNORE';
    $SIG{ALRM} = sub { POSIX::_exit(0) };
    alarm($ENV{DRIO_TEST_VALGRIND} ? 1800 : 300);
    open my $log, '>>', $fixture_log or POSIX::_exit(1);
    $log->autoflush(1);
    for (1 .. 400) {
        my $c = $fixture_sock->accept or next;
        fixture_serve($c, $log);
        close $c;
    }
    POSIX::_exit(0);
}
close $fixture_sock;

END {
    my $status = $?;
    if ($$ == $OWNER_PID && $fixture_pid) {
        kill 'KILL', $fixture_pid;
        waitpid $fixture_pid, 0;
    }
    $? = $status;
}

# The requests the fixture has logged, "METHOD PATH" each.
sub fixture_requests {
    open my $fh, '<', $fixture_log or return ();
    chomp(my @lines = <$fh>);
    return @lines;
}

# --- the traps see what they should -----------------------------------------

# Each trap must see a connection where the refused URLs below point, or
# its silence there would prove nothing.
trap_connections($trap);
ok(touch_trap($trap, '127.0.0.1') && trap_connections($trap) == 1,
    'the trap sees a connection to 127.0.0.1');
for my $host ('127.1.2.3', '0.0.0.0',
    ($trap->{v6} ? ('::1', '::ffff:127.0.0.1', '::') : ()),
    map { $_->[3] } @own) {
    SKIP: {
        skip "$host cannot be connected to here", 1
            unless touch_trap($trap, $host);
        is(trap_connections($trap), 1, "the trap sees a connection to $host");
    }
}
ok(touch_trap($follow, '127.0.0.1') && trap_connections($follow) == 1,
    'the follow trap sees a connection to 127.0.0.1');
is(trap_connections($trap) + trap_connections($follow), 0,
    'and then none until drio makes one');

# --- a stack that allows nothing --------------------------------------------

my $s = DrioStack->start(responders => ['api-v1'], outbound_allow => '',
    env => { DRIO_OUTBOUND_TIMEOUT_SECONDS => 5 });
my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
my $acme = $s->seed_workspace('Acme', $alice->{email});
my $app = seed_app($s, $acme, name => 'Pets');
my $revision = draft_of($s, $app)->{revision};
my $probe = 0;

# The two routes, each a sub taking (stack, user, workspace, app, url)
# and returning the response, and a sub counting what it stored.
my @ROUTES = (
    {   name  => 'MCP server',
        field => 'url',
        call  => sub {
            my ($st, $user, $ws, undef, $url) = @_;
            $probe++;
            return $st->request(POST => '/api/v1/integrations', {
                token => $user->{token},
                json => { workspace_id => $ws, kind => 'mcp_server',
                    name => "Probe $probe", url => $url } });
        },
        stored => sub {
            my ($st, $user, $ws) = @_;
            my $res = $st->request(GET =>
                "/api/v1/integrations?workspace_id=$ws",
                { token => $user->{token} });
            return $res->{status} == 200 ? $res->{json}{total} : -1;
        },
    },
    {   name  => 'spec_url',
        field => 'spec_url',
        call  => sub {
            my ($st, $user, undef, $app_id, $url) = @_;
            $probe++;
            return $st->request(POST => "/api/v1/apps/$app_id/integrations",
                { token => $user->{token},
                  json => { name => "Probe $probe", kind => 'openapi',
                      spec_url => $url } });
        },
        stored => sub {
            my ($st, $user, undef, $app_id) = @_;
            my $res = $st->request(GET => "/api/v1/apps/$app_id/integrations",
                { token => $user->{token} });
            return $res->{status} == 200 ? $res->{json}{total} : -1;
        },
    },
);

# Does the answer quote url, or its path and query?
sub quotes_url {
    my ($res, $url) = @_;
    return index($res->{content}, $url) >= 0
        || index($res->{content}, $CANARY) >= 0;
}

# url is refused on both routes: 422 destination_not_allowed, a message
# matching why, the URL not quoted, no connection to the trap, nothing
# stored.  Five tests per route.
sub refused {
    my ($url, $why, $what) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    trap_connections($trap);
    for my $route (@ROUTES) {
        my $d = "$what ($route->{name})";
        my $res = $route->{call}->($s, $alice, $acme, $app, $url);
        is_error($res, 422, 'destination_not_allowed',
            "$d: 422 destination_not_allowed");
        like(ref $res->{json} eq 'HASH' ? $res->{json}{message} // '' : '',
            $why, "$d: the message says why");
        ok(!quotes_url($res, $url), "$d: the answer does not quote the URL")
            or diag($res->{content});
        is(trap_connections($trap), 0, "$d: no connection was made");
        is($route->{stored}->($s, $alice, $acme, $app), 0,
            "$d: nothing is stored");
    }
}

# The URL of a host, at the trap's port, with a canary path and query.
sub at { return "http://$_[0]:$P/latest/meta-data/?token=$CANARY" }

# The message that says exactly text.
sub says { return qr/\A\Q$_[0]\E\z/ }

# Address literals, class by class: refused before anything is resolved.
my $loopback = says('127.0.0.1 is a loopback address.');
my @literals = (
    [ '127.0.0.1', '127.0.0.1 is a loopback address.', 'loopback' ],
    [ '127.1.2.3', '127.1.2.3 is a loopback address.', 'loopback' ],
    [ '[::1]', '::1 is a loopback address.', 'loopback' ],
    [ '10.0.0.1', '10.0.0.1 is a private address.', 'RFC 1918' ],
    [ '172.16.0.1', '172.16.0.1 is a private address.', 'RFC 1918' ],
    [ '172.31.255.254', '172.31.255.254 is a private address.',
      'RFC 1918' ],
    [ '192.168.1.1', '192.168.1.1 is a private address.', 'RFC 1918' ],
    [ '100.64.0.1', '100.64.0.1 is a carrier-grade NAT address.',
      'carrier-grade NAT' ],
    [ '169.254.1.1', '169.254.1.1 is a link-local address.',
      'link-local' ],
    [ '[fe80::1]', 'fe80::1 is a link-local address.', 'link-local' ],
    [ '[fe80::1%25lo]', 'fe80::1 is a link-local address.',
      'link-local, with a zone' ],
    [ '[fec0::1]', 'fec0::1 is a site-local address.', 'site-local' ],
    [ '[fc00::1]', 'fc00::1 is a unique-local address.', 'unique-local' ],
    [ '[fd12::1]', 'fd12::1 is a unique-local address.', 'unique-local' ],
    [ '[::ffff:127.0.0.1]', '::ffff:127.0.0.1 is a loopback address'
      . ' (IPv4-mapped form of 127.0.0.1).', 'IPv4-mapped' ],
    [ '[::ffff:7f00:1]', '::ffff:127.0.0.1 is a loopback address'
      . ' (IPv4-mapped form of 127.0.0.1).', 'IPv4-mapped, in hex' ],
    [ '[::ffff:10.0.0.1]', '::ffff:10.0.0.1 is a private address'
      . ' (IPv4-mapped form of 10.0.0.1).', 'IPv4-mapped' ],
    [ '[::127.0.0.1]', '::127.0.0.1 is a loopback address'
      . ' (IPv4-compatible form of 127.0.0.1).', 'IPv4-compatible' ],
    [ '[::8.8.8.8]', '::8.8.8.8 is a deprecated IPv4-compatible address.',
      'IPv4-compatible, of a public address' ],
    [ '[::ffff:0:127.0.0.1]', '::ffff:0:7f00:1 is a loopback address'
      . ' (IPv4-translated form of 127.0.0.1).', 'IPv4-translated' ],
    [ '[64:ff9b::169.254.169.254]', '64:ff9b::a9fe:a9fe is a cloud'
      . ' metadata address (NAT64 form of 169.254.169.254).', 'NAT64' ],
    [ '[64:ff9b:1::1]', '64:ff9b:1::1 is a local-use NAT64 address.',
      'local-use NAT64' ],
    [ '[2002:7f00:1::1]', '2002:7f00:1::1 is a loopback address'
      . ' (6to4 form of 127.0.0.1).', '6to4' ],
    [ '0.0.0.0', '0.0.0.0 is an unspecified address.', 'unspecified' ],
    [ '[::]', ':: is an unspecified address.', 'unspecified' ],
    [ '224.0.0.1', '224.0.0.1 is a multicast address.', 'multicast' ],
    [ '[ff02::1]', 'ff02::1 is a multicast address.', 'multicast' ],
    [ '255.255.255.255', '255.255.255.255 is the broadcast address.',
      'broadcast' ],
    [ '240.0.0.1', '240.0.0.1 is a reserved address.', 'reserved' ],
    [ '169.254.169.254', '169.254.169.254 is a cloud metadata address.',
      'metadata' ],
    [ '100.100.100.200', '100.100.100.200 is a cloud metadata address.',
      'metadata' ],
    [ '[fd00:ec2::254]', 'fd00:ec2::254 is a cloud metadata address.',
      'metadata' ],
);
refused(at($_->[0]), says($_->[1]), "$_->[2] $_->[0]") for @literals;
refused("https://127.0.0.1:$P/latest/meta-data/?token=$CANARY", $loopback,
    'loopback over https');

# The spellings of 127.0.0.1 libcurl reads as an address (it normalises
# them before drio sees the host).
for my $spelling (qw(2130706433 0x7f000001 0177.0.0.1 017700000001
    0x7f.0.0.1 0x7f.1 127.1 127.000.000.001 %31%32%37.0.0.1)) {
    refused(at($spelling), $loopback, "127.0.0.1 spelled $spelling");
}
refused(at('0'), says('0.0.0.0 is an unspecified address.'),
    '0.0.0.0 spelled 0');
refused(at('0xa9fea9fe'), says('169.254.169.254 is a cloud metadata'
    . ' address.'), '169.254.169.254 spelled 0xa9fea9fe');

# The machine's own addresses in refused classes, where a connection
# would stay on this host.
for my $own (@own) {
    my ($host, $text, $class) = @$own;
    refused(at($host), qr/\A\Q$text\E is an? \Q$class\E address\.\z/,
        "this host's own $class address $text");
}

# Cloud metadata host names, refused by name before any lookup.
for my $name (qw(metadata.google.internal metadata.goog metadata
    instance-data instance-data.ec2.internal)) {
    refused(at($name), says("$name is a cloud metadata host name."),
        "metadata host name $name");
}
refused(at('METADATA.Google.Internal.'),
    says('metadata.google.internal is a cloud metadata host name.'),
    'metadata host name in upper case with a trailing dot');
refused(at('metadata%2egoogle%2einternal'),
    says('metadata.google.internal is a cloud metadata host name.'),
    'metadata host name percent-encoded');

# A user name and password, and URLs that hide their host behind one.
refused("http://user:pass-$CANARY\@127.0.0.1:$P/", qr/user name or password/,
    'credentials in the URL');
refused("http://example.com\@127.0.0.1:$P/$CANARY", qr/user name or password/,
    'a host name before @');
refused("http://127.0.0.1:$P#\@example.com/", $loopback,
    'a host name after a fragment and @');

# Schemes other than http and https are refused as malformed input.
for my $url ('file:///etc/passwd', "gopher://127.0.0.1:$P/_$CANARY",
    "ftp://127.0.0.1:$P/$CANARY", "dict://127.0.0.1:$P/info:$CANARY",
    "ldap://127.0.0.1:$P/$CANARY") {
    my ($scheme) = $url =~ /\A(\w+):/;
    trap_connections($trap);
    for my $route (@ROUTES) {
        my $d = "scheme $scheme ($route->{name})";
        my $res = $route->{call}->($s, $alice, $acme, $app, $url);
        is_validation_error($res, [ 'body', $route->{field} ], 'url_parsing',
            "$d: 422 validation_error on $route->{field}");
        ok(!quotes_url($res, $url), "$d: the answer does not quote the URL")
            or diag($res->{content});
        is(trap_connections($trap), 0, "$d: no connection was made");
        is($route->{stored}->($s, $alice, $acme, $app), 0,
            "$d: nothing is stored");
    }
}

# --- host names that resolve to a refused address ---------------------------

my $either_loopback =
    qr/\A(?:127(?:\.\d+){3}|::1) is a loopback address\.\z/;

# libcurl (7.80 and later, which configure requires) resolves localhost
# and every name under .localhost to loopback itself (RFC 6761), whatever
# the system's resolver says.
refused(at($_), $either_loopback, "host name $_")
    for qw(localhost LocalHost ssrf.localhost);

# The addresses the system's resolver gives name: () when none.
sub resolve {
    my ($name) = @_;
    my ($err, @ai) = getaddrinfo($name, undef, { socktype => SOCK_STREAM });
    return () if $err;
    return map {
        my ($e, $host) = getnameinfo($_->{addr}, NI_NUMERICHOST, NIx_NOSERV);
        $e ? () : $host
    } @ai;
}

# Other names that may resolve to loopback: with a trailing dot (whether
# the resolver knows them varies), up to four names /etc/hosts gives a
# loopback address, and the usual IPv6 names.  Each is tried where it
# resolves to loopback only.
my @hosts_names;
if (open my $fh, '<', '/etc/hosts') {
    while (my $line = <$fh>) {
        $line =~ s/#.*//;
        my ($addr, @names) = split ' ', $line;
        push @hosts_names, grep { !/\Alocalhost\z/i } @names
            if defined $addr && $addr =~ /\A(?:127\.|::1\z)/;
    }
    close $fh;
}
my %seen_name;
@hosts_names = grep { !$seen_name{lc $_}++ } @hosts_names;
splice @hosts_names, 4 if @hosts_names > 4;
for my $name ('localhost.', '127.0.0.1.', @hosts_names, 'ip6-localhost',
    'ip6-loopback') {
    next if $seen_name{"tried $name"}++;
    my @addrs = resolve($name);
    SKIP: {
        skip "$name does not resolve here", 10 unless @addrs;
        skip "$name resolves to @addrs, not loopback only", 10
            if grep { !/\A(?:127\.|::1\z)/ } @addrs;
        refused(at($name), $either_loopback,
            "host name $name (resolves to @addrs)");
    }
}

# --- the fixture, refused here, reached by the next stack -------------------

my $asked = () = fixture_requests();
refused("$fixture/mcp", $loopback, 'the MCP fixture');
refused("$fixture/openapi.json", $loopback, 'the OpenAPI fixture');
refused("$fixture/redirect/302/trap", $loopback, 'the redirecting fixture');
is(scalar(() = fixture_requests()), $asked, 'the fixture was never asked');
is(draft_of($s, $app)->{revision}, $revision,
    'no refusal made a draft revision');
is($s->sql('SELECT count(*) FROM workspace_integrations')
    . '/' . $s->sql('SELECT count(*) FROM integrations'), '0/0',
    'and the database holds no integration of either kind');

my @warn = grep { /outbound .*refused/ }
    map { $s->log_lines('api-v1', $_) } 1 .. $s->{instances};
ok(@warn, 'the refusals are logged');
is(scalar(grep { /\Q$CANARY\E/ } @warn), 0,
    'without the path or query of the URL')
    or diag(join "\n", grep { /\Q$CANARY\E/ } @warn);
$s->finish;

# --- a stack that allows loopback -------------------------------------------

# DrioStack's default allow list: 127.0.0.0/8 and ::1/128.
my $t = DrioStack->start(responders => ['api-v1'],
    env => { DRIO_OUTBOUND_TIMEOUT_SECONDS => 5 });
my $bob = $t->seed_user(email => 'bob@example.com', name => 'Bob');
my $bws = $t->seed_workspace('Bob', $bob->{email});
my $bapp = seed_app($t, $bws, name => 'Pets');
my ($mcp_route, $spec_route) = @ROUTES;

# What the fixture was asked since $since requests, as one string.
sub asked_since {
    my ($since) = @_;
    my @all = fixture_requests();
    return join ', ', @all[$since .. $#all];
}

my $since = () = fixture_requests();
my $res = $mcp_route->{call}->($t, $bob, $bws, $bapp, "$fixture/mcp");
is($res->{status}, 201, 'with loopback allowed, the MCP fixture is added')
    or diag($res->{content});
is($res->{json}{catalog_size}, 1, 'with the tool it lists');
is(asked_since($since), 'POST /mcp, POST /mcp, POST /mcp',
    'the fixture was asked: initialize, initialized, tools/list');

$since = () = fixture_requests();
$res = $spec_route->{call}->($t, $bob, $bws, $bapp, "$fixture/openapi.json");
is($res->{status}, 201, 'with loopback allowed, the OpenAPI fixture is read')
    or diag($res->{content});
is($res->{json}{operations}{active}, 4, 'with its four operations');
is(asked_since($since), 'GET /openapi.json', 'the fixture was asked once');
is($mcp_route->{stored}->($t, $bob, $bws, $bapp) . '/'
    . $spec_route->{stored}->($t, $bob, $bws, $bapp), '1/1',
    'each route stored one integration');

# Redirects are answers, never followed, wherever they point.
my %TARGET = (metadata => 'the metadata address',
    trap => 'a loopback listener', self => 'the fixture itself');
trap_connections($follow);
for my $code (qw(301 302 303 307 308)) {
    for my $to (qw(metadata trap self)) {
        for my $route ($mcp_route, $spec_route) {
            my $d = "a $code to $TARGET{$to} ($route->{name})";
            my $path = "/redirect/$code/$to";
            $since = () = fixture_requests();
            my $res = $route->{call}->($t, $bob, $bws, $bapp,
                "$fixture$path");
            is_error($res, 502, 'upstream_unavailable',
                "$d: 502 upstream_unavailable");
            like($res->{json}{message} // '', qr/\bHTTP $code\b/,
                "$d: the message names the status");
            ok(index($res->{content}, $LOCATION{$to}) < 0
                && $res->{content} !~ /169\.254|meta-data|followed/,
                "$d: the answer does not quote the Location")
                or diag($res->{content});
            is(trap_connections($follow), 0,
                "$d: the loopback listener saw nothing");
            is(asked_since($since),
                ($route == $mcp_route ? 'POST' : 'GET') . " $path",
                "$d: the fixture was asked once, for the redirect");
        }
    }
}
is($mcp_route->{stored}->($t, $bob, $bws, $bapp) . '/'
    . $spec_route->{stored}->($t, $bob, $bws, $bapp), '1/1',
    'no redirect stored anything');

# The allow list is the only difference: the metadata address stays
# refused here, loopback or not.
trap_connections($trap);
$res = $spec_route->{call}->($t, $bob, $bws, $bapp, at('169.254.169.254'));
is_error($res, 422, 'destination_not_allowed',
    'with loopback allowed, the metadata address is still refused');
$res = $mcp_route->{call}->($t, $bob, $bws, $bapp, at('metadata'));
is_error($res, 422, 'destination_not_allowed',
    'and so is a metadata host name');
is(trap_connections($trap), 0, 'no connection was made');
$t->finish;

is(trap_connections($trap) + trap_connections($follow), 0,
    'at the end, the traps saw no connection from drio');
done_testing();
