#!/usr/bin/perl
# 63-api-v3-tool-calls.t: GET /api/v3/apps/{app_id}/tool-calls lists what
# agents did with an app: every recorded tools/call, newest first, in the
# list envelope, paged with page and limit and filtered by tool (exactly)
# and status; each call shows its release, tool, status, upstream status,
# duration, era, protocol version, caller, client and time, and its
# arguments only when they were recorded.  Past 10,000 matching calls the
# total stops counting and says "more than" instead.  Any member of the app's
# workspace may read it; an app of a workspace the caller is not in looks
# exactly like one that does not exist; another app's calls never show.
# The calls are seeded with SQL (t/60-mcp-endpoint.t makes real ones
# through the MCP endpoint and checks what it records).
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use JSON::PP ();
use Test::More;
use DrioStack;
use DrioTest;
use DrioApps;

my $s = DrioStack->start(responders => ['api-v3']);

my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
my $nora  = $s->seed_user(email => 'nora@example.com', name => 'Nora');
my $carol = $s->seed_user(email => 'carol@example.com', name => 'Carol');
my $acme   = $s->seed_workspace('Acme', $alice->{email});
my $hidden = $s->seed_workspace('Hidden', $carol->{email});
$s->seed_member($acme, $nora->{id}, 'normal');
my $nowhere = '00000000-0000-4000-8000-000000000000';

my $pets    = seed_app($s, $acme, name => 'Pet store');
my $weather = seed_app($s, $acme, name => 'Weather desk');
my $secret  = seed_app($s, $hidden, name => 'Hidden pets');

my $JSON = JSON::PP->new->canonical;

# seed_call($app_id, %opt): one tool_calls row, as the MCP endpoint
# records it; %opt maps onto the columns (arguments: a hash ref, or
# absent for none kept).  Returns its id.
sub seed_call {
    my ($app_id, %opt) = @_;
    my %doc = (app_id => $app_id, tool => 'get_pet', era => 'legacy',
        protocol_version => '2025-06-18', status => 'ok',
        duration_ms => 1, %opt);
    return $s->sql(<<'SQL', $JSON->encode(\%doc));
WITH o AS (SELECT :'p1'::jsonb AS j)
INSERT INTO tool_calls (app_id, release_number, tool, account_id, client_id,
    client_name, era, protocol_version, status, upstream_status,
    duration_ms, arguments, created_at)
SELECT (j->>'app_id')::uuid, (j->>'release')::integer, j->>'tool',
    (j->>'account_id')::uuid, j->>'client_id', j->>'client_name', j->>'era',
    j->>'protocol_version', j->>'status',
    (j->>'upstream_status')::integer, (j->>'duration_ms')::integer,
    j->'arguments', coalesce((j->>'created_at')::timestamptz, now())
  FROM o
RETURNING id;
SQL
}

# Six calls of the pet store, oldest first; one of each other app.
my @call;
$call[1] = seed_call($pets, release => 1, tool => 'get_pet',
    account_id => $alice->{id}, client_id => 'drio_client_abc',
    client_name => 'Claude', status => 'ok', upstream_status => 200,
    duration_ms => 12, arguments => { petId => '1' },
    created_at => '2024-05-01T10:00:00Z');
$call[2] = seed_call($pets, release => 1, tool => 'get_pet',
    account_id => $nora->{id}, client_name => 'Cursor', status => 'error',
    upstream_status => 500, duration_ms => 250,
    created_at => '2024-05-01T10:01:00Z');
$call[3] = seed_call($pets, release => 2, tool => 'create_pet',
    status => 'invalid', duration_ms => 0, arguments => { name => 7 },
    created_at => '2024-05-01T10:02:00Z');
$call[4] = seed_call($pets, release => 2, tool => 'get_pet', era => 'modern',
    protocol_version => '2026-07-28', status => 'ok', upstream_status => 200,
    duration_ms => 30, created_at => '2024-05-01T10:03:00Z');
$call[5] = seed_call($pets, release => 2, tool => 'create_pet',
    status => 'ok', upstream_status => 201, duration_ms => 45,
    arguments => { name => 'Rex', tags => [ 'dog', 'good' ] },
    created_at => '2024-05-01T10:04:00Z');
$call[6] = seed_call($pets, release => 2, tool => 'list_pets',
    status => 'error', duration_ms => 3,
    created_at => '2024-05-01T10:05:00Z');
my $weather_call = seed_call($weather, tool => 'get_pet', release => 1);
my $secret_call = seed_call($secret, tool => 'get_pet', release => 1);

my $base = "/api/v3/apps/$pets/tool-calls";

sub get {
    my ($path, $who) = @_;
    return $s->request(GET => $path, { token => ($who // $alice)->{token} });
}

# The call ids of a list answer, in order.
sub ids_of {
    my ($res) = @_;
    return [ map { $_->{id} } @{ ($res->{json} // {})->{data} // [] } ];
}

# The paging fields of a list answer.
sub paging {
    my ($res) = @_;
    my $b = $res->{json} // {};
    return [ $b->{page}, $b->{limit}, $b->{total},
        JSON::PP::is_bool($b->{has_more}) ? ($b->{has_more} ? 1 : 0)
            : 'not a boolean' ];
}

# --- the list ---------------------------------------------------------------

my $res = get($base);
is_list_envelope($res, 'GET .../tool-calls answers a list envelope');
is_deeply(ids_of($res), [ @call[ reverse 1 .. 6 ] ],
    'it holds every call of the app, newest first, and no other app\'s');
is_deeply(paging($res), [ 1, 50, 6, 0 ],
    'by default page 1 of 50, total 6, nothing more');

my %listed = map { $_->{id} => $_ } @{ ($res->{json} // {})->{data} // [] };
is_deeply($listed{ $call[1] }, {
        id => $call[1], tool => 'get_pet', release => 1, status => 'ok',
        upstream_status => 200, duration_ms => 12, era => 'legacy',
        protocol_version => '2025-06-18', account_id => $alice->{id},
        client_id => 'drio_client_abc', client_name => 'Claude',
        arguments => { petId => '1' },
        created_at => '2024-05-01T10:00:00Z' },
    'a call with everything recorded shows exactly its row, arguments'
    . ' included');
is_deeply($listed{ $call[4] }, {
        id => $call[4], tool => 'get_pet', release => 2, status => 'ok',
        upstream_status => 200, duration_ms => 30, era => 'modern',
        protocol_version => '2026-07-28', account_id => undef,
        client_id => undef, client_name => undef,
        created_at => '2024-05-01T10:03:00Z' },
    'a call of a public app without kept arguments: no caller (null), and'
    . ' no arguments field at all');
is_deeply($listed{ $call[3] }{arguments}, { name => 7 },
    'arguments are shown as recorded, even ones that did not fit the'
    . ' schema (status invalid)');
is_deeply($listed{ $call[5] }{arguments},
    { name => 'Rex', tags => [ 'dog', 'good' ] },
    'nested arguments come back as JSON, not as text');
is_deeply([ map { exists $listed{ $call[$_] }{arguments} ? $_ : () } 1 .. 6 ],
    [ 1, 3, 5 ], 'arguments appear on exactly the calls that kept them');
is_deeply([ map { $listed{ $call[$_] }{upstream_status} } 2, 3, 6 ],
    [ 500, undef, undef ],
    'upstream_status is the upstream\'s status, null when nothing was asked'
    . ' upstream');
is_deeply([ map { $listed{ $call[$_] }{status} } 1 .. 6 ],
    [qw(ok error invalid ok ok error)], 'each call carries its status');
my ($first_id) = ($res->{content} // '') =~ /"id"\s*:\s*("?\d+"?)/;
is($first_id, qq{"$call[6]"},
    'the id is the bigint written as a JSON string');

# --- filters ----------------------------------------------------------------

is_deeply(ids_of(get("$base?tool=get_pet")), [ @call[4, 2, 1] ],
    'tool= keeps the calls of that tool, newest first');
is_deeply(paging(get("$base?tool=get_pet")), [ 1, 50, 3, 0 ],
    '... and the total counts only them');
is_deeply([ map { ids_of(get("$base?tool=$_")) } qw(get_pe GET_PET get_pets) ],
    [ [], [], [] ], 'tool= is an exact match: no prefix, no other case');
is_deeply(ids_of(get("$base?status=ok")), [ @call[5, 4, 1] ],
    'status=ok keeps the calls that ended ok');
is_deeply(ids_of(get("$base?status=error")), [ @call[6, 2] ],
    'status=error keeps the calls that failed');
is_deeply(ids_of(get("$base?status=invalid")), [ $call[3] ],
    'status=invalid keeps the calls refused for their arguments');
is_deeply(ids_of(get("$base?tool=get_pet&status=ok")), [ @call[4, 1] ],
    'tool= and status= combine');
$res = get("$base?tool=delete_pet");
is_deeply([ ids_of($res), paging($res) ], [ [], [ 1, 50, 0, 0 ] ],
    'a tool never called gives an empty list with total 0');

# --- paging -----------------------------------------------------------------

$res = get("$base?limit=2");
is_deeply([ ids_of($res), paging($res) ], [ [ @call[6, 5] ], [ 1, 2, 6, 1 ] ],
    'limit=2: the two newest, and has_more');
$res = get("$base?limit=2&page=2");
is_deeply([ ids_of($res), paging($res) ], [ [ @call[4, 3] ], [ 2, 2, 6, 1 ] ],
    'page 2 holds the next two');
$res = get("$base?limit=2&page=3");
is_deeply([ ids_of($res), paging($res) ], [ [ @call[2, 1] ], [ 3, 2, 6, 0 ] ],
    'page 3 holds the oldest two, and has_more is false');
$res = get("$base?limit=2&page=9");
is_list_envelope($res, 'a page past the end is still an envelope');
is_deeply([ ids_of($res), paging($res) ], [ [], [ 9, 2, 6, 0 ] ],
    'a page past the end is empty but still tells the total');
$res = get("$base?tool=get_pet&limit=2&page=2");
is_deeply([ ids_of($res), paging($res) ], [ [ $call[1] ], [ 2, 2, 3, 0 ] ],
    'paging applies to the filtered list');
$res = get("$base?status=ok&limit=1&page=7");
is_deeply(paging($res), [ 7, 1, 3, 0 ],
    'past the end of a filtered list the total is still the filtered one');

# --- many calls: the total is counted up to a bound -------------------------

# 10,050 calls of one app, oldest first: 30 of tool "other" (the first 30),
# the rest "bulk"; 40 errors (the first 40), the rest ok.  Past 10,000
# matching calls the total stops counting: it is the bound (10,000, or the
# end of the page asked for when that is further) plus one.
my $busy = seed_app($s, $acme, name => 'Busy desk');
$s->sql(<<'SQL', $busy);
INSERT INTO tool_calls (app_id, release_number, tool, era, protocol_version,
    status, duration_ms, created_at)
SELECT :'p1'::uuid, 1, CASE WHEN g <= 30 THEN 'other' ELSE 'bulk' END,
    'legacy', '2025-06-18', CASE WHEN g <= 40 THEN 'error' ELSE 'ok' END, 1,
    timestamptz '2024-06-01T00:00:00Z' + g * interval '1 second'
  FROM generate_series(1, 10050) g
SQL
my ($oldest, $newest) = split /\|/, $s->sql(q{SELECT min(id) || '|' || max(id)
    FROM tool_calls WHERE app_id = :'p1'}, $busy);
my $busy_base = "/api/v3/apps/$busy/tool-calls";

$res = get($busy_base);
is_deeply([ paging($res), ids_of($res)->[0] ], [ [ 1, 50, 10001, 1 ], $newest ],
    'an app with 10,050 calls: page 1 starts at the newest and says total'
    . ' 10,001 (more than 10,000) and has_more');
is_deeply(paging(get("$busy_base?limit=50&page=200")), [ 200, 50, 10001, 1 ],
    'the page that ends at call 10,000 still says more than 10,000, and'
    . ' has_more');
$res = get("$busy_base?limit=50&page=201");
is_deeply([ paging($res), scalar @{ ids_of($res) }, ids_of($res)->[-1] ],
    [ [ 201, 50, 10050, 0 ], 50, $oldest ],
    'the full last page (ending past 10,000) counts to its end: the exact'
    . ' total 10,050, no more, and the oldest call last');
$res = get("$busy_base?limit=200&page=51");
is_deeply([ paging($res), scalar @{ ids_of($res) } ], [ [ 51, 200, 10050, 0 ],
        50 ], 'a last page that is not full gives the exact total too');
is_deeply(paging(get("$busy_base?limit=200&page=60")), [ 60, 200, 10050, 0 ],
    'a page past the end of many calls gives the exact total');
is_deeply(paging(get("$busy_base?limit=20&page=501")), [ 501, 20, 10021, 1 ],
    'a full page ending at call 10,020 with more after it: total 10,021'
    . ' (more than the end of the page), has_more');
is_deeply(paging(get("$busy_base?tool=bulk")), [ 1, 50, 10001, 1 ],
    'tool= with 10,020 matching calls: total 10,001, has_more');
is_deeply(paging(get("$busy_base?tool=other")), [ 1, 50, 30, 0 ],
    'tool= with 30 matching calls: the exact total');
is_deeply(paging(get("$busy_base?status=ok")), [ 1, 50, 10001, 1 ],
    'status= with 10,010 matching calls: total 10,001, has_more');
is_deeply(paging(get("$busy_base?status=error&limit=10&page=2")),
    [ 2, 10, 40, 1 ], 'status= with 40 matching calls: the exact total');
is_deeply(paging(get("$busy_base?tool=bulk&status=ok&limit=200&page=2")),
    [ 2, 200, 10001, 1 ],
    'tool= and status= with 10,010 matching calls: total 10,001, has_more');
is_deeply(paging(get("$busy_base?tool=other&status=error")), [ 1, 50, 30, 0 ],
    'tool= and status= with 30 matching calls: the exact total');
is_deeply(paging(get("$busy_base?tool=other&status=ok&page=3")),
    [ 3, 50, 0, 0 ], 'tool= and status= matching nothing: total 0 on any page');

# --- what is refused --------------------------------------------------------

is_validation_error(get("$base?status=done"), [ 'query', 'status' ], 'enum',
    'an unknown status is a 422 enum on query.status');
is_validation_error(get("$base?tool="), [ 'query', 'tool' ], undef,
    'an empty tool= is a 422 on query.tool');
is_validation_error(get("$base?tool=" . ('t' x 65)), [ 'query', 'tool' ],
    undef, 'a tool= longer than a tool name can be is a 422 on query.tool');
is_validation_error(get("$base?limit=201"), [ 'query', 'limit' ],
    'less_than_equal', 'limit=201 is a 422 on query.limit');
is_validation_error(get("$base?page=0"), [ 'query', 'page' ],
    'greater_than_equal', 'page=0 is a 422 on query.page');
is_validation_error(get("$base?since=2024-05-01T00:00:00Z"),
    [ 'query', 'since' ], 'extra_forbidden',
    'an undeclared query parameter (since=) is a 422');
is_validation_error(get("$base?tool=a&tool=b"), [ 'query', 'tool' ], undef,
    'a repeated tool= is a 422');

# --- who may read -----------------------------------------------------------

$res = get($base, $nora);
is($res->{status}, 200,
    'a member with the normal role may read the calls (reading needs no'
    . ' higher role, so there is no 403)');
is_deeply(ids_of($res), [ @call[ reverse 1 .. 6 ] ],
    '... and sees the same list as the owner');
is_deeply(ids_of(get("/api/v3/apps/$weather/tool-calls")), [$weather_call],
    'another app of the same workspace lists only its own calls');
is_deeply(ids_of(get("/api/v3/apps/$secret/tool-calls", $carol)),
    [$secret_call], 'the hidden workspace\'s owner sees its app\'s calls');
my $stranger = get($base, $carol);
is_error($stranger, 404, 'app_not_found',
    'the calls of an app in a workspace the caller is not in: 404'
    . ' app_not_found');
is_error(get("/api/v3/apps/$secret/tool-calls"), 404, 'app_not_found',
    'the calls of another workspace\'s app: 404 app_not_found');
my $absent = get("/api/v3/apps/$nowhere/tool-calls");
is_error($absent, 404, 'app_not_found',
    'the calls of an app that does not exist: 404 app_not_found');
is_deeply([ @{ $stranger->{json} // {} }{qw(status code message)} ],
    [ @{ $absent->{json} // {} }{qw(status code message)} ],
    'an app I may not see and none at all answer the same');
is_error(get('/api/v3/apps/not-a-uuid/tool-calls'), 404, 'not_found',
    'an app id that is not a UUID is a plain 404 not_found');
is_error($s->request(GET => $base), 401, 'unauthorized',
    'without a token: 401 unauthorized');
is_error($s->request(GET => $base, { token => 'drio_nosuchtoken' }), 401,
    'invalid_token', 'with an unknown token: 401 invalid_token');
is_error($s->request(POST => $base, { token => $alice->{token},
        json => {} }), 405, 'method_not_allowed',
    'tool calls are read only: POST is a 405');

# --- deleting ---------------------------------------------------------------

sub callers_of_errors {
    my $res = get("$base?status=error");
    return [ map { [ $_->{id}, $_->{account_id} ] }
        @{ ($res->{json} // {})->{data} // [] } ];
}
is_deeply(callers_of_errors(), [ [ $call[6], undef ],
        [ $call[2], $nora->{id} ] ],
    'the failed calls name their callers (none for the public one)');
$s->sql("DELETE FROM accounts WHERE id = :'p1'", $nora->{id});
is_deeply(callers_of_errors(), [ [ $call[6], undef ], [ $call[2], undef ] ],
    'a call whose caller\'s account is gone stays, with account_id null');

$s->finish;
done_testing;
