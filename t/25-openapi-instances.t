#!/usr/bin/perl
# 25-openapi-instances.t: the responder runs as two instances behind one
# nginx upstream: requests are spread over both, and when one instance
# dies nginx sends everything to the other without the client noticing.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(sleep time);
use DrioStack;
use DrioTest;

my $s = DrioStack->start(instances => 2);
my $user = $s->seed_user(email => 'spread@example.com', name => 'Spread');
my $ws = $s->seed_workspace('Spread', $user->{email});

sub request_lines {
    my ($i) = @_;
    return scalar grep { /\bmethod=\S+ path=\S+ status=\d+/ }
        $s->log_lines('openapi', $i);
}

my @before = map { request_lines($_) } 1, 2;
my @statuses = map { $s->request(GET => '/openapi/v1/_health')->{status} }
    1 .. 40;
is_deeply(\@statuses, [ (200) x 40 ], '40 health requests all answer 200');
my @served = map { request_lines($_) - $before[$_ - 1] } 1, 2;
cmp_ok($served[0], '>', 0, 'instance 1 served some of the 40 requests')
    or diag("served: @served");
cmp_ok($served[1], '>', 0, 'instance 2 served some of the 40 requests')
    or diag("served: @served");
is($served[0] + $served[1], 40, 'each request was served exactly once');

# Kill instance 1 (its whole process group, workers included).
my $pid = $s->responder_pid('openapi', 1);
ok(defined $pid && kill(0, $pid), 'instance 1 is running');
$s->kill_responder('openapi', 1, 'TERM');
ok(!kill(0, $pid), 'instance 1 has stopped');

my $start = time;
@statuses = map { $s->request(GET => '/openapi/v1/_health',
    { timeout => 5 })->{status} } 1 .. 20;
is_deeply(\@statuses, [ (200) x 20 ],
    'with instance 1 gone every request still answers 200');
cmp_ok(time - $start, '<', 15, 'the failover costs no timeouts');

my $after = request_lines(2);
my $res = $s->request(GET => '/openapi/v1/account',
    { token => $user->{token} });
is($res->{status}, 200, 'the remaining instance serves authenticated routes');
is($res->{json}{account}{email}, 'spread@example.com',
    'the remaining instance answers for the right account');
$res = $s->request(GET => "/openapi/v1/workspaces/$ws/members",
    { token => $user->{token} });
is_list_envelope($res, 'the remaining instance lists members');
$res = $s->request(POST => "/openapi/v1/workspaces/$ws/members",
    { token => $user->{token},
      json => { email => 'failover@example.com', role => 'normal' } });
is($res->{status}, 201, 'the remaining instance accepts writes');
cmp_ok(request_lines(2) - $after, '>=', 3,
    'those requests were served by instance 2');

# Both instances back, then instance 2 dies hard: its socket file stays
# behind and refuses connections.
$s->restart_responders;
is(scalar(grep { kill 0, $_ } $s->responder_pids('openapi')), 2,
    'both instances run again after a restart');
my $pid2 = $s->responder_pid('openapi', 2);
kill 'KILL', -$pid2;
$s->kill_responder('openapi', 2, 'KILL');
ok(-S $s->tmpdir . '/run/openapi-2.sock',
    'a responder killed with SIGKILL leaves its socket file behind');
@statuses = map { $s->request(GET => '/openapi/v1/_health',
    { timeout => 5 })->{status} } 1 .. 20;
is_deeply(\@statuses, [ (200) x 20 ],
    'with instance 2 killed every request still answers 200');

$s->finish;
done_testing;
