#!/usr/bin/perl
# 11-admin-prune.t: drio-admin prune, the operator's retention command.
# `prune tool-calls --older-than DAYS` deletes the MCP tool call records
# older than DAYS, oldest first, in batches of --batch; `prune
# client-metadata` deletes the clients named by a Client ID Metadata
# Document whose document expired more than --older-than DAYS (default
# 30) ago and that hold nothing alive: a live access token, refresh
# token, authorization code or device authorization keeps its client, and
# so keeps working.  Registered clients are never pruned.  Usage errors
# exit 2 and delete nothing.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Digest::SHA qw(sha256_hex);
use Test::More;
use DrioStack;
use DrioTest;
use DrioApps;

my $s = DrioStack->start(responders => ['api-v3']);

my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
my $acme = $s->seed_workspace('Acme', $alice->{email});
my $pets = seed_app($s, $acme, name => 'Pet store');
my $weather = seed_app($s, $acme, name => 'Weather desk');

# The printed cutoff (RFC 3339) is $days days before the database's now,
# give or take a minute.
sub cutoff_is_days_ago {
    my ($cutoff, $days) = @_;
    return $s->sql(q{SELECT abs(extract(epoch FROM :'p1'::timestamptz
        - (now() - make_interval(days => :'p2'::integer)))) < 60},
        $cutoff, $days) eq 't';
}

# --- tool calls -------------------------------------------------------------

# seed_calls($app_id, $n, $age): $n calls of $app_id recorded $age ago
# (an interval), one second apart, oldest first.
sub seed_calls {
    my ($app_id, $n, $age) = @_;
    $s->sql(<<'SQL', $app_id, $n, $age);
INSERT INTO tool_calls (app_id, release_number, tool, era, protocol_version,
    status, duration_ms, created_at)
SELECT :'p1'::uuid, 1, 'get_pet', 'legacy', '2025-06-18', 'ok', 1,
    now() - :'p3'::interval + g * interval '1 second'
  FROM generate_series(1, :'p2'::integer) g
SQL
}

# As the MCP endpoint records them: oldest first.
seed_calls($pets, 20, '40 days');
seed_calls($weather, 5, '35 days');
seed_calls($pets, 4, '10 days');
seed_calls($weather, 3, '1 minute');
my $calls = sub {
    return $s->sql(q{SELECT count(*) FROM tool_calls WHERE created_at
        < now() - make_interval(days => :'p1'::integer)}, $_[0]);
};
is_deeply([ map { $calls->($_) } 30, 5, 0 ], [ 25, 29, 32 ],
    'seeded: 25 calls older than 30 days, 4 older than 5, 3 recent');

my ($code, $out, $err) = $s->admin('prune', 'tool-calls', '--older-than',
    '30', '--batch', '10');
is($code, 0, 'prune tool-calls --older-than 30 --batch 10 exits 0')
    or diag($err);
like($out, qr/\Adeleted 25 tool calls recorded before (\S+) \(3 batches\)\n\z/,
    'it says it deleted the 25 older calls, in 3 batches of at most 10');
my ($cutoff) = $out =~ /before (\S+)/;
ok(defined $cutoff && cutoff_is_days_ago($cutoff, 30),
    'the cutoff it names is 30 days ago, as RFC 3339');
is_deeply([ map { $calls->($_) } 30, 5, 0 ], [ 0, 4, 7 ],
    'no call older than 30 days is left; every younger one is');
is($s->sql(q{SELECT count(*) FROM tool_calls WHERE app_id = :'p1'}, $weather),
    3, 'calls of every app are pruned (weather kept its 3 recent ones)');

($code, $out, $err) = $s->admin('prune', 'tool-calls', '--older-than', '30');
is($code, 0, 'a second prune exits 0') or diag($err);
like($out, qr/\Adeleted 0 tool calls .* \(0 batches\)\n\z/,
    '... and deletes nothing');

($code, $out, $err) = $s->admin('prune', 'tool-calls', '--older-than', '5');
like($out, qr/\Adeleted 4 tool calls .* \(1 batch\)\n\z/,
    '--older-than 5 with the default batch deletes the 4 calls of 10 days'
    . ' ago in one batch');
is_deeply([ map { $calls->($_) } 5, 0 ], [ 0, 3 ],
    '... and leaves the 3 recent ones');

# The API lists what is left.
my $res = $s->request(GET => "/api/v3/apps/$weather/tool-calls",
    { token => $alice->{token} });
is_deeply([ $res->{status}, ($res->{json} // {})->{total} ], [ 200, 3 ],
    'the tool call list shows only what is left');

# --- client metadata documents ----------------------------------------------

# seed_client($name, $expired): a metadata document client whose id is
# https://$name.example/client.json and whose document expired $expired
# ago (an interval; negative: it is fresh).  Returns its id.
sub seed_client {
    my ($name, $expired) = @_;
    my $id = "https://$name.example/client.json";
    $s->sql(<<'SQL', $id, $name, $expired);
INSERT INTO oauth_clients (id, name, redirect_uris, token_endpoint_auth_method,
    grant_types, scope, metadata, metadata_expires_at)
VALUES (:'p1', :'p2', ARRAY['https://' || :'p2' || '.example/callback'],
    'none', ARRAY['authorization_code', 'refresh_token'],
    'api offline_access', jsonb_build_object('client_id', :'p1'),
    now() - :'p3'::interval)
SQL
    return $id;
}

# A grant of $client to alice.  Returns its id.
sub seed_grant {
    my ($client) = @_;
    return $s->sql(q{INSERT INTO oauth_grants (client_id, account_id, scope)
        VALUES (:'p1', :'p2', 'api offline_access') RETURNING id},
        $client, $alice->{id});
}

# An access token of $grant (and $client) expiring at now + $expires (an
# interval), revoked when $revoked.  Returns the token.
my $token_serial = 0;
sub seed_access_token {
    my ($client, $grant, $expires, $revoked) = @_;
    my $token = sprintf('drio_%043d', ++$token_serial);
    $s->sql(<<'SQL', $alice->{id}, sha256_hex($token), substr($token, 0, 12),
INSERT INTO api_sessions (account_id, token_sha256, prefix, client_id,
    device_label, expires_at, grant_id, revoked_at)
VALUES (:'p1', :'p2', :'p3', :'p4', 'tests', now() + :'p5'::interval,
    :'p6', CASE WHEN :'p7' = '1' THEN now() END)
SQL
        $client, $expires, $grant, $revoked ? 1 : 0);
    return $token;
}

# A refresh token of $grant expiring at now + $expires, spent when $used.
sub seed_refresh_token {
    my ($grant, $expires, $used) = @_;
    $s->sql(<<'SQL', $grant, $expires, $used ? 1 : 0);
INSERT INTO oauth_refresh_tokens (token_sha256, grant_id, expires_at, used_at)
VALUES (encode(sha256(gen_random_uuid()::text::bytea), 'hex'), :'p1',
    now() + :'p2'::interval, CASE WHEN :'p3' = '1' THEN now() END)
SQL
}

# An authorization code of $client expiring at now + $expires, used when
# $used.
sub seed_code {
    my ($client, $expires, $used) = @_;
    $s->sql(<<'SQL', $client, $alice->{id}, $expires, $used ? 1 : 0);
INSERT INTO oauth_codes (code_sha256, client_id, account_id, redirect_uri,
    scope, code_challenge, expires_at, used_at)
VALUES (encode(sha256(gen_random_uuid()::text::bytea), 'hex'), :'p1', :'p2',
    'https://x.example/callback', 'api', 'challenge',
    now() + :'p3'::interval, CASE WHEN :'p4' = '1' THEN now() END)
SQL
}

# A device authorization of $client expiring at now + $expires.
sub seed_device {
    my ($client, $expires) = @_;
    $s->sql(<<'SQL', $client, $expires);
INSERT INTO device_authorizations (device_code_sha256, user_code_sha256,
    client_id, device_label, scope, expires_at)
VALUES (encode(sha256(gen_random_uuid()::text::bytea), 'hex'),
    encode(sha256(gen_random_uuid()::text::bytea), 'hex'), :'p1', 'tv',
    'api', now() + :'p2'::interval)
SQL
}

# Expired 40 days ago and holding nothing: pruned.
my $idle = seed_client('idle', '40 days');
# Expired 40 days ago but holding something alive: each kept.
my $with_token = seed_client('token', '40 days');
my $live_token = seed_access_token($with_token, seed_grant($with_token),
    '1 hour', 0);
my $with_refresh = seed_client('refresh', '40 days');
{
    my $grant = seed_grant($with_refresh);
    seed_access_token($with_refresh, $grant, '-1 hour', 0);
    seed_refresh_token($grant, '20 days', 0);
}
my $with_code = seed_client('code', '40 days');
seed_code($with_code, '5 minutes', 0);
my $with_device = seed_client('device', '40 days');
seed_device($with_device, '5 minutes');
# Expired 40 days ago, and all it holds is dead: pruned, with what it holds.
my $spent = seed_client('spent', '40 days');
my $spent_grant = seed_grant($spent);
seed_access_token($spent, $spent_grant, '-1 hour', 0);
seed_access_token($spent, $spent_grant, '1 hour', 1);    # revoked
seed_refresh_token($spent_grant, '20 days', 1);          # spent
seed_refresh_token($spent_grant, '-1 day', 0);           # expired
seed_code($spent, '5 minutes', 1);                       # used
seed_code($spent, '-5 minutes', 0);                      # expired
seed_device($spent, '-5 minutes');                       # expired
# Expired more recently, or not at all: kept.
my $recent = seed_client('recent', '10 days');
my $fresh = seed_client('fresh', '-1 hour');
# A registered client that never did anything: not a document's.
my $registered = $s->sql(q{INSERT INTO oauth_clients (id, name,
    redirect_uris, token_endpoint_auth_method, grant_types, scope)
    VALUES ('dc_' || repeat('A', 22), 'Registered',
        ARRAY['https://registered.example/callback'], 'none',
        ARRAY['authorization_code'], 'api') RETURNING id});

my $clients = sub {
    return [ split /\n/, $s->sql(q{SELECT id FROM oauth_clients
        ORDER BY id}) ];
};
my @all = sort($idle, $with_token, $with_refresh, $with_code, $with_device,
    $spent, $recent, $fresh, $registered);
is_deeply($clients->(), \@all, 'seeded: nine clients');
is($s->request(GET => '/api/v3/me', { token => $live_token })->{status}, 200,
    'the live token of an expired document\'s client works before the prune');

($code, $out, $err) = $s->admin('prune', 'client-metadata', '--batch', '2');
is($code, 0, 'prune client-metadata --batch 2 exits 0') or diag($err);
my $said = "(1 batch); kept 4 that hold live tokens, codes or device "
    . "authorizations\n";
like($out,
    qr/\Adeleted 2 metadata document clients expired before \S+ \Q$said\E\z/,
    'it deletes the 2 clients expired over 30 days ago that hold nothing'
    . ' alive, and says it kept the 4 that do')
    or diag($out);
($cutoff) = $out =~ /before (\S+)/;
ok(defined $cutoff && cutoff_is_days_ago($cutoff, 30),
    'by default the cutoff is 30 days ago');
is_deeply($clients->(), [ sort grep { $_ ne $idle && $_ ne $spent } @all ],
    'gone: the idle client and the one whose tokens, codes and device'
    . ' authorizations are all spent, expired or revoked; kept: the rest');
is($s->sql(q{SELECT (SELECT count(*) FROM oauth_grants WHERE id = :'p1')
    + (SELECT count(*) FROM oauth_codes WHERE client_id = :'p2')
    + (SELECT count(*) FROM device_authorizations WHERE client_id = :'p2')
    + (SELECT count(*) FROM api_sessions WHERE grant_id = :'p1')
    + (SELECT count(*) FROM oauth_refresh_tokens WHERE grant_id = :'p1')},
    $spent_grant, $spent), 0,
    'what the pruned client held went with it');
is($s->sql(q{SELECT count(*) FROM oauth_grants g
    JOIN api_sessions s ON s.grant_id = g.id
    JOIN oauth_refresh_tokens r ON r.grant_id = g.id
    WHERE g.client_id IN (:'p1', :'p2')}, $with_token, $with_refresh), 1,
    'the kept clients keep their grants and tokens');
is($s->request(GET => '/api/v3/me', { token => $live_token })->{status}, 200,
    '... and the live token still works after the prune');

# More than one batch: three clients expired 40 days ago, batches of 2.
my @more = map { seed_client("more$_", '40 days') } 1 .. 3;
($code, $out, $err) = $s->admin('prune', 'client-metadata', '--batch', '2');
like($out, qr/\Adeleted 3 metadata document clients .* \(2 batches\); kept 4 /,
    'three prunable clients in batches of 2: deleted in 2 batches');
is_deeply($clients->(), [ sort grep { $_ ne $idle && $_ ne $spent } @all ],
    '... and they are gone');

($code, $out, $err) = $s->admin('prune', 'client-metadata', '--older-than',
    '5');
is($code, 0, 'prune client-metadata --older-than 5 exits 0') or diag($err);
like($out, qr/\Adeleted 1 metadata document clients .* \(1 batch\); kept 4 /,
    'it deletes the client expired 10 days ago too');
is_deeply($clients->(), [ sort($with_token, $with_refresh, $with_code,
        $with_device, $fresh, $registered) ],
    'a fresh document\'s client and a registered client are never pruned');

# --- usage ------------------------------------------------------------------

seed_calls($pets, 2, '400 days');
my $before = $s->sql('SELECT count(*) FROM tool_calls')
    . '/' . $s->sql('SELECT count(*) FROM oauth_clients');
my @usage = (
    [ ['prune'], 'prune without what to prune' ],
    [ ['prune', 'everything'], 'prune of an unknown kind' ],
    [ ['prune', 'tool-calls'], 'prune tool-calls without --older-than' ],
    [ ['prune', 'tool-calls', '--older-than', '0'],
      'prune tool-calls --older-than 0' ],
    [ ['prune', 'tool-calls', '--older-than', 'a month'],
      'prune tool-calls with a non-numeric --older-than' ],
    [ ['prune', 'tool-calls', '--older-than', '36501'],
      'prune tool-calls --older-than more than a hundred years' ],
    [ ['prune', 'tool-calls', '--older-than', '30', '--batch', '0'],
      'prune tool-calls --batch 0' ],
    [ ['prune', 'tool-calls', '--older-than', '30', 'now'],
      'prune tool-calls with an extra argument' ],
    [ ['prune', 'client-metadata', '--older-than', '-1'],
      'prune client-metadata --older-than -1' ],
    [ ['prune', 'client-metadata', '--bogus'],
      'prune client-metadata with an unknown option' ],
);
for my $case (@usage) {
    my ($args, $what) = @$case;
    ($code, $out, $err) = $s->admin(@$args);
    is($code, 2, "$what is a usage error (exit 2)");
}
like(($s->admin('prune'))[2], qr/usage: .*prune tool-calls/,
    'a usage error of prune prints its usage on stderr');
is($s->sql('SELECT count(*) FROM tool_calls')
    . '/' . $s->sql('SELECT count(*) FROM oauth_clients'), $before,
    'a usage error deletes nothing');

$s->stop_postgres;
($code, $out, $err) = $s->admin('prune', 'tool-calls', '--older-than', '30');
is($code, 1, 'prune when PostgreSQL is down exits 1');
like($err, qr/\S/, '... and says why');
$s->start_postgres;

$s->finish;
done_testing;
