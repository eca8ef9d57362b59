#!/usr/bin/perl
# 26-responder-lifecycle.t: the life of a responder process, spoken to in
# FastCGI directly (no nginx): SIGTERM lets the request in flight finish
# before the process exits 0; --workers N keeps N workers, replacing one
# that dies; and a listening socket handed over as fd 0 (spawn-fcgi style)
# is served like one made with --listen.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use IO::Select;
use IO::Socket::UNIX;
use JSON::PP ();
use Socket qw(SOCK_STREAM);
use Test::More;
use Time::HiRes qw(sleep time);
use DrioStack;
use DrioTest;

$SIG{PIPE} = 'IGNORE';

my $s = DrioStack->start(nginx => 0);
my $tmp = $s->tmpdir;
my $bin = $s->bin('drio-openapi');
BAIL_OUT("$bin is missing or not executable; build it first") unless -x $bin;
my %env = %{ $s->env(DRIO_PUBLIC_URL => 'http://127.0.0.1:8080') };

# --- a minimal FastCGI client -----------------------------------------------

use constant {
    FCGI_BEGIN_REQUEST => 1,
    FCGI_END_REQUEST   => 3,
    FCGI_PARAMS        => 4,
    FCGI_STDIN         => 5,
    FCGI_STDOUT        => 6,
    FCGI_STDERR        => 7,
    FCGI_RESPONDER     => 1,
};

sub fcgi_record {
    my ($type, $content) = @_;
    my $len = length $content;
    my $pad = (8 - $len % 8) % 8;
    return pack('CCnnCC', 1, $type, 1, $len, $pad, 0) . $content
        . ("\0" x $pad);
}

sub fcgi_length {
    my ($n) = @_;
    return $n < 128 ? pack('C', $n) : pack('N', $n | 0x80000000);
}

sub fcgi_params {
    my (%params) = @_;
    my $content = join '', map {
        fcgi_length(length $_) . fcgi_length(length $params{$_}) . $_
            . $params{$_}
    } sort keys %params;
    return fcgi_record(FCGI_PARAMS, $content) . fcgi_record(FCGI_PARAMS, '');
}

sub fcgi_begin {
    return fcgi_record(FCGI_BEGIN_REQUEST, pack('nCx5', FCGI_RESPONDER, 0));
}

sub request_params {
    my ($method, $uri, %more) = @_;
    return (REQUEST_METHOD => $method, REQUEST_URI => $uri,
        DOCUMENT_URI => $uri, SCRIPT_NAME => $uri, QUERY_STRING => '',
        SERVER_PROTOCOL => 'HTTP/1.1', GATEWAY_INTERFACE => 'CGI/1.1',
        REMOTE_ADDR => '127.0.0.1', SERVER_NAME => 'localhost',
        SERVER_PORT => '80', CONTENT_TYPE => '', CONTENT_LENGTH => '',
        %more);
}

sub send_bytes {
    my ($sock, $bytes) = @_;
    my $ok = eval {
        while (length $bytes) {
            my $n = syswrite($sock, $bytes);
            return 0 unless defined $n;
            substr($bytes, 0, $n, '');
        }
        1;
    };
    return $ok;
}

# Read response records until FCGI_END_REQUEST, EOF or $timeout seconds.
# Returns {stdout, stderr, ended, app_status, status, headers, body}.
sub read_response {
    my ($sock, $timeout) = @_;
    my $res = { stdout => '', stderr => '', ended => 0 };
    my $buf = '';
    my $sel = IO::Select->new($sock);
    my $deadline = time + $timeout;
    while (!$res->{ended}) {
        my $left = $deadline - time;
        last if $left <= 0 || !$sel->can_read($left);
        my $n = sysread($sock, $buf, 65536, length $buf);
        last unless $n;
        while (length $buf >= 8) {
            my (undef, $type, undef, $len, $pad) = unpack('CCnnC', $buf);
            last if length $buf < 8 + $len + $pad;
            my $content = substr($buf, 8, $len);
            substr($buf, 0, 8 + $len + $pad, '');
            if ($type == FCGI_STDOUT) {
                $res->{stdout} .= $content;
            } elsif ($type == FCGI_STDERR) {
                $res->{stderr} .= $content;
            } elsif ($type == FCGI_END_REQUEST) {
                $res->{ended} = 1;
                $res->{app_status} = unpack('N', $content);
            }
        }
    }
    my ($head, $body) = split /\r?\n\r?\n/, $res->{stdout}, 2;
    $res->{headers} = {};
    for (split /\r?\n/, $head // '') {
        $res->{headers}{ lc $1 } = $2 if /^([^:]+):\s*(.*)$/;
    }
    ($res->{status}) = ($res->{headers}{status} // '200') =~ /^(\d{3})/;
    $res->{body} = $body // '';
    $res->{json} = eval { JSON::PP->new->decode($res->{body}) };
    return $res;
}

sub connect_to {
    my ($path) = @_;
    return IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $path);
}

# One whole GET through the socket at $path.
sub fcgi_get {
    my ($path, $uri) = @_;
    my $sock = connect_to($path) or return { status => 0, error => "$!" };
    send_bytes($sock, fcgi_begin() . fcgi_params(request_params(GET => $uri))
        . fcgi_record(FCGI_STDIN, ''));
    my $res = read_response($sock, 5);
    close $sock;
    return $res;
}

sub wait_for_socket {
    my ($path) = @_;
    my $deadline = time + 10;
    sleep 0.02 while !-S $path && time < $deadline;
    return -S $path;
}

# The live (not zombie) children of $pid, from /proc.
sub children_of {
    my ($pid) = @_;
    my @kids;
    for my $stat (glob '/proc/[0-9]*/stat') {
        open my $fh, '<', $stat or next;
        my $line = <$fh> // '';
        close $fh;
        # pid (comm) state ppid ...; comm may hold spaces and parens.
        next unless $line =~ /^(\d+) \(.*\) (\S) (\d+) /;
        push @kids, $1 if $3 == $pid && $2 ne 'Z';
    }
    @kids = sort { $a <=> $b } @kids;
    return @kids;
}

sub alive {
    my ($pid) = @_;
    open my $fh, '<', "/proc/$pid/stat" or return 0;
    my $line = <$fh> // '';
    close $fh;
    return $line =~ /^\d+ \(.*\) (\S) / && $1 ne 'Z';
}

sub wait_until {
    my ($timeout, $cond) = @_;
    my $deadline = time + $timeout;
    while (time < $deadline) {
        return 1 if $cond->();
        sleep 0.05;
    }
    return $cond->();
}

# --- SIGTERM lets the request in flight finish ------------------------------

my $xsock = "$tmp/x.sock";
my $pid = $s->spawn("$tmp/log/drio-openapi-x.log",
    [ $bin, '--listen', $xsock, '--workers', '1' ], env => \%env);
ok(wait_for_socket($xsock), '--listen makes the socket');
my $res = fcgi_get($xsock, '/openapi/v1/_health');
is($res->{status}, 200, 'a FastCGI GET of health answers 200');

my $sock = connect_to($xsock);
ok($sock, 'a client connects for a slow request');
my $body = '{"ab":123}';
send_bytes($sock, fcgi_begin()
    . fcgi_params(request_params(POST => '/openapi/v1/_health',
        CONTENT_TYPE => 'application/json', CONTENT_LENGTH => length $body))
    . fcgi_record(FCGI_STDIN, substr($body, 0, 5)));
sleep 0.3;    # the worker has accepted and is reading the body
kill 'TERM', $pid;
sleep 0.3;
send_bytes($sock, fcgi_record(FCGI_STDIN, substr($body, 5))
    . fcgi_record(FCGI_STDIN, ''));
$res = read_response($sock, 5);
close $sock;
ok($res->{ended}, 'the request in flight at SIGTERM is answered to the end')
    or diag("stdout: $res->{stdout}\nstderr: $res->{stderr}");
is($res->{status}, 405, 'the answer in flight is the route\'s 405');
is($res->{headers}{allow}, 'GET, HEAD',
    'the answer in flight carries Allow: GET, HEAD');
is(ref $res->{json} eq 'HASH' ? $res->{json}{code} : undef,
    'method_not_allowed', 'the answer in flight has its JSON ErrorBody');
my $status = $s->wait_exit($pid, 5);
ok(defined $status, 'the responder exits within 5 s of SIGTERM');
is($status, 0, 'the responder exits with status 0 after SIGTERM');
ok(!connect_to($xsock), 'the socket accepts no more connections');

# --- --workers N ------------------------------------------------------------

my $wsock = "$tmp/w.sock";
$pid = $s->spawn("$tmp/log/drio-openapi-w.log",
    [ $bin, '--listen', $wsock, '--workers', '3' ], env => \%env);
ok(wait_for_socket($wsock), 'the three-worker responder makes its socket');
ok(wait_until(5, sub { children_of($pid) == 3 }),
    '--workers 3 starts three worker processes')
    or diag('children: ' . join(' ', children_of($pid)));
my @workers = children_of($pid);
my $victim = $workers[0];
kill 'KILL', $victim if $victim;
ok(wait_until(5, sub {
        my @now = children_of($pid);
        @now == 3 && !grep { $_ == ($victim // 0) } @now;
    }), 'a worker killed with SIGKILL is replaced within 5 s')
    or diag('children: ' . join(' ', children_of($pid)));
my @codes = map { fcgi_get($wsock, '/openapi/v1/_health')->{status} } 1 .. 6;
is_deeply(\@codes, [ (200) x 6 ], 'the workers, replacement included, answer');
@workers = children_of($pid);
kill 'TERM', $pid;
$status = $s->wait_exit($pid, 10);
ok(defined $status, 'SIGTERM to the parent stops the responder');
ok(wait_until(5, sub { !grep { alive($_) } @workers }),
    'SIGTERM to the parent stops every worker')
    or diag('still alive: ' . join(' ', grep { alive($_) } @workers));

# --- the listening socket as fd 0 -------------------------------------------

my $fd0 = "$tmp/fd0.sock";
my $listener = IO::Socket::UNIX->new(Type => SOCK_STREAM, Local => $fd0,
    Listen => 16) or BAIL_OUT("cannot listen on $fd0: $!");
$pid = $s->spawn("$tmp/log/drio-openapi-fd0.log", [ $bin ], env => \%env,
    stdin_fh => $listener);
close $listener;
$res = fcgi_get($fd0, '/openapi/v1/_health');
is($res->{status}, 200,
    'a responder given its listening socket as fd 0 answers health with 200');
is_deeply($res->{json}, { ok => JSON::PP::true },
    'the fd-0 responder answers {"ok":true}');
$res = fcgi_get($fd0, '/openapi/v1/nope');
is(ref $res->{json} eq 'HASH' ? $res->{json}{code} : undef, 'not_found',
    'the fd-0 responder routes like any other');
kill 'TERM', $pid;
is($s->wait_exit($pid, 10), 0, 'the fd-0 responder exits 0 on SIGTERM');

$s->finish;
done_testing;
