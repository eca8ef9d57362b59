# DrioFixture.pm: a Node.js fixture server of the test suite
# (t/fixtures/*.mjs) as a child process: started in its own process
# group, its "PORT=nnnn" line read from its standard output, its standard
# error kept in a temporary log, and stopped (TERM, then KILL) by stop()
# or when the test process ends.  Each fixture prints PORT=nnnn once it
# listens on 127.0.0.1 and exits with its parent (--exit-with-parent).
#
#     my $node = DrioStack::node_or_skip('the MCP server fixture');
#     DrioFixture::skip_without_sdk();
#     my $fx = DrioFixture->start($node, 'mcp-oauth-server.mjs');
#     my $base = $fx->base;            # http://127.0.0.1:PORT
#     my $stats = $fx->get_json('/_stats');
#
# SPDX-License-Identifier: MIT
package DrioFixture;

use strict;
use warnings;

use File::Spec;
use File::Temp ();
use HTTP::Tiny;
use IO::Select;
use JSON::PP ();
use POSIX qw(:sys_wait_h _exit setpgid);
use Test::More ();
use Time::HiRes ();

use DrioStack;

my $OWNER_PID = $$;
my @running;

END {
    my $exit = $?;
    if ($$ == $OWNER_PID) { $_->stop for grep { defined } @running }
    $? = $exit;
}

# Skip the test unless t/interop has the MCP SDK the fixtures are built
# on.
sub skip_without_sdk {
    my $interop = File::Spec->catdir(DrioStack::srcdir(), 't', 'interop');
    Test::More::plan(skip_all => '@modelcontextprotocol/sdk is not'
        . ' installed in t/interop/node_modules; run: npm ci --prefix'
        . ' t/interop --no-audit --no-fund')
        unless -e "$interop/node_modules/\@modelcontextprotocol/sdk/"
            . 'package.json';
}

# Start t/fixtures/$script with node; bails out when it does not print
# its port within 15 seconds.
sub start {
    my ($class, $node, $script) = @_;
    my $js = File::Spec->catfile(DrioStack::srcdir(), 't', 'fixtures',
        $script);
    my $log = File::Temp->new(TMPDIR => 1, TEMPLATE => 'drio-fixture-XXXXXX',
        SUFFIX => '.log');
    pipe(my $rd, my $wr) or Test::More::BAIL_OUT("pipe: $!");
    my $pid = fork // Test::More::BAIL_OUT("fork: $!");
    if ($pid == 0) {
        setpgid(0, 0);
        close $rd;
        open STDIN, '<', '/dev/null' or _exit(126);
        open STDOUT, '>&', $wr or _exit(126);
        open STDERR, '>>', $log->filename or _exit(126);
        my @cmd = ($node, $js, '0', '--exit-with-parent');
        { no warnings q(exec); exec { $cmd[0] } @cmd; }
        _exit(127);
    }
    setpgid($pid, $pid);
    close $wr;
    my $self = bless { pid => $pid, out => $rd, log => $log,
        script => $script }, $class;
    push @running, $self;
    my $sel = IO::Select->new($rd);
    my $buf = '';
    my $deadline = time + 15;
    while ($buf !~ /^PORT=\d+$/m) {
        my $left = $deadline - time;
        last if $left <= 0;
        next unless $sel->can_read($left);
        sysread($rd, $buf, 4096, length $buf) or last;
    }
    ($self->{port}) = $buf =~ /^PORT=(\d+)$/m;
    if (!$self->{port}) {
        $self->stop;
        Test::More::diag("$script printed: $buf\n" . $self->log_tail);
        Test::More::BAIL_OUT("the fixture $script did not start");
    }
    return $self;
}

sub port { return $_[0]{port} }
sub base { return "http://127.0.0.1:$_[0]{port}" }

# The last lines of the fixture's standard error.
sub log_tail {
    my ($self) = @_;
    open my $fh, '<', $self->{log}->filename or return '';
    my @lines = <$fh>;
    @lines = @lines[-30 .. -1] if @lines > 30;
    return join '', @lines;
}

# GET (or, with $json, POST as JSON) $path of the fixture; returns the
# decoded answer, bailing out unless it is a 200.
sub get_json {
    my ($self, $path, $json) = @_;
    my $http = HTTP::Tiny->new(timeout => 10);
    my $res = defined $json
        ? $http->post($self->base . $path, {
            headers => { 'Content-Type' => 'application/json' },
            content => JSON::PP->new->encode($json) })
        : $http->get($self->base . $path);
    Test::More::BAIL_OUT("$self->{script} $path answered $res->{status}:"
        . " $res->{content}") unless $res->{status} == 200;
    return JSON::PP->new->decode($res->{content});
}

# Stop the fixture: TERM its process group, KILL it after 5 seconds.
sub stop {
    my ($self) = @_;
    my $pid = delete $self->{pid} or return;
    kill 'TERM', -$pid;
    my $deadline = time + 5;
    while (time < $deadline) {
        my $r = waitpid($pid, WNOHANG);
        return if $r == $pid || $r == -1;
        Time::HiRes::sleep(0.02);
    }
    kill 'KILL', -$pid;
    waitpid($pid, 0);
}

1;
