#!/usr/bin/perl
# 65-mcp-limits.t: the MCP endpoint's limits (docs/mcp.md, "Limits"),
# which hold across instances because they live in PostgreSQL:
#
# - requests per minute per caller (a private app's token, a public
#   app's client address) and per app: 429 with Retry-After and an
#   ErrorBody saying which limit, the other callers unaffected by one
#   caller's limit;
# - calls waiting on one integration's upstream at once: a call beyond
#   the bound is answered at once as a tool error, and the slot comes
#   back when the call in flight ends.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Digest::SHA ();
use JSON::PP ();
use POSIX ();
use Test::More;
use Time::HiRes qw(time sleep);
use DrioMcpApp;
use DrioStack;
use DrioTest;

my $JSON = JSON::PP->new->canonical;
my $META = {
    'io.modelcontextprotocol/protocolVersion' => '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities' => {},
    'io.modelcontextprotocol/clientInfo' => { name => 't65', version => '1' },
};

# A modern tools/list or tools/call to $m's endpoint with $token.
sub call {
    my ($s, $m, $method, $params, $token) = @_;
    my %h = ('MCP-Protocol-Version' => '2026-07-28', 'Mcp-Method' => $method,
        Accept => 'application/json, text/event-stream');
    $h{'Mcp-Name'} = $params->{name} if $method eq 'tools/call';
    return $s->request(POST => $m->endpoint, {
        body => $JSON->encode({ jsonrpc => '2.0', id => 1, method => $method,
            params => { %{ $params // {} }, _meta => $META } }),
        content_type => 'application/json', headers => \%h,
        (defined $token ? (token => $token) : ()), timeout => 20 });
}

# --- requests per minute -------------------------------------------------------

{
    my $s = DrioStack->start(responders => ['api-v1', 'api-v3', 'mcp'],
        env => { DRIO_MCP_CALLER_REQUESTS_PER_MINUTE => 4,
                 DRIO_MCP_APP_REQUESTS_PER_MINUTE => 7 });
    my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
    my $ws = $s->seed_workspace('Acme', $alice->{email});
    my $m = DrioMcpApp->start($s, owner => $alice, workspace_id => $ws,
        visibility => 'private');
    my $endpoint = $s->public_url . $m->endpoint;
    # Three tokens of Alice's, each a caller, bound to the endpoint (as
    # drio's authorization server binds them when asked, t/62).
    my @tokens = map { $s->issue_token($alice->{email}, label => "t$_") } 1 .. 3;
    for my $t (@tokens) {
        $s->sql(<<'SQL', Digest::SHA::sha256_hex($t), $endpoint);
UPDATE api_sessions SET resource = :'p2' WHERE token_sha256 = :'p1';
SQL
    }

    for my $n (1 .. 4) {
        is(call($s, $m, 'tools/list', undef, $tokens[0])->{status}, 200,
            "caller 1, request $n: served");
    }
    my $res = call($s, $m, 'tools/list', undef, $tokens[0]);
    is($res->{status}, 429, 'caller 1, request 5: 429');
    is(($res->{json} // {})->{code}, 'too_many_requests', '... an ErrorBody');
    like(($res->{json} // {})->{hint} // '', qr/One caller may send 4/,
        '... saying the caller\'s limit');
    like($res->{headers}{'retry-after'} // '', qr/\A[1-9]\d*\z/,
        '... with Retry-After');
    ok(($res->{headers}{'retry-after'} // 99) <= 60,
        '... within the minute');

    # The app has had 5 of its 7: caller 2 gets two more, then the app's
    # limit answers.
    for my $n (1 .. 2) {
        is(call($s, $m, 'tools/list', undef, $tokens[1])->{status}, 200,
            "caller 2, request $n: served (another caller)");
    }
    $res = call($s, $m, 'tools/list', undef, $tokens[2]);
    is($res->{status}, 429, 'the app\'s eighth request in the minute: 429');
    like(($res->{json} // {})->{hint} // '',
        qr/This app's MCP endpoint takes 7/, '... saying the app\'s limit');
    is($s->sql(<<'SQL'), 3, 'the counts are rows in PostgreSQL: the app'
SELECT count(DISTINCT split_part(key, '#', 1)) FROM rate_limits
 WHERE key LIKE 'mcp:%';
SQL
        . '\'s and two callers\' (the refused third went no further)');
    is($s->sql(<<'SQL'), 8, '... whose shards add up to every request');
SELECT sum(hits) FROM rate_limits WHERE key LIKE 'mcp:app:%';
SQL
    $m->stop;
    $s->finish;
}

# --- upstream concurrency -----------------------------------------------------

{
    my $s = DrioStack->start(responders => ['api-v1', 'api-v3', 'mcp'],
        env => { DRIO_MCP_UPSTREAM_CONCURRENCY => 1,
                 DRIO_OUTBOUND_TIMEOUT_SECONDS => 3 });
    my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
    my $ws = $s->seed_workspace('Acme', $alice->{email});
    my $m = DrioMcpApp->start($s, owner => $alice, workspace_id => $ws);

    # One call holds the only slot: the upstream never answers /slow.
    pipe(my $rd, my $wr) or die "pipe: $!";
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        close $rd;
        my $r = call($s, $m, 'tools/call', { name => 'slowReport',
            arguments => {} });
        print {$wr} $JSON->encode({ status => $r->{status},
            json => $r->{json} });
        close $wr;
        POSIX::_exit(0);
    }
    close $wr;
    my $deadline = time + 10;
    sleep 0.1 until time > $deadline
        || grep { $_->{path} eq '/slow' } $m->upstream_requests;
    ok((grep { $_->{path} eq '/slow' } $m->upstream_requests),
        'the first call is waiting on the upstream');

    my $started = time;
    my $res = call($s, $m, 'tools/call', { name => 'getItem',
        arguments => { id => '1' } });
    my $result = ($res->{json} // {})->{result} // {};
    is($res->{status}, 200, 'a second call meanwhile is answered');
    ok($result->{isError}, '... as a tool error');
    like((($result->{content} // [])->[0] // {})->{text} // '',
        qr/1 calls to this upstream are under way/, '... saying why');
    ok(time - $started < 2, '... at once, without waiting for the slot');
    ok(!(grep { $_->{path} eq '/items/1' } $m->upstream_requests),
        '... and the upstream never saw it');

    local $/;
    my $first = $JSON->decode(<$rd> // '{}');
    waitpid $pid, 0;
    ok(($first->{json}{result} // {})->{isError},
        'the first call ends (the upstream did not answer in time)');
    $res = call($s, $m, 'tools/call', { name => 'getItem',
        arguments => { id => '1' } });
    ok(!(($res->{json} // {})->{result} // {})->{isError},
        'then the slot is free again: a call runs');
    $m->stop;
    $s->finish;
}

done_testing;
