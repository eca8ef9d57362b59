#!/usr/bin/perl
# 10-admin.t: drio-admin, the operator's tool: migrations, the readiness
# check, accounts, workspaces and bearer tokens, and its exit codes
# (0 done, 1 failed, 2 usage).
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Digest::SHA qw(sha256_hex);
use Test::More;
use DrioStack;
use DrioTest;

my $s = DrioStack->start(nginx => 0);

# --- migrate ----------------------------------------------------------------

my $applied = $s->sql('SELECT count(*) FROM schema_migrations');
cmp_ok($applied, '>=', 1, 'the first migrate recorded its migrations');
my ($code, $out, $err) = $s->admin('migrate');
is($code, 0, 'a second migrate exits 0') or diag($err);
is($s->sql('SELECT count(*) FROM schema_migrations'), $applied,
    'a second migrate applies nothing');

# --- check ------------------------------------------------------------------

($code, $out, $err) = $s->admin('check');
is($code, 0, 'check exits 0 on a migrated database') or diag($err);

$s->sql('CREATE DATABASE drio_empty');
my $empty = $s->dsn_for('drio_empty');
($code, $out, $err) = $s->admin_env({ DRIO_DATABASE_URL => $empty }, undef,
    'check');
isnt($code, 0, 'check fails on a database that was never migrated');
like($err, qr/\S/, 'check says why it fails on an unmigrated database');

$s->stop_postgres;
($code, $out, $err) = $s->admin('check');
isnt($code, 0, 'check fails when PostgreSQL is down');
like($err, qr/\S/, 'check says why it fails when PostgreSQL is down');
$s->start_postgres;

($code) = $s->admin('-c', $s->tmpdir . '/no-such.conf', 'check');
isnt($code, 0, 'an explicit -c path that does not exist is an error');

# --- create-account ---------------------------------------------------------

($code, $out, $err) = $s->admin('create-account', 'Admin@Example.com',
    '--name', 'Ada Admin');
is($code, 0, 'create-account exits 0') or diag($err);
(my $admin_id = $out) =~ s/\s+\z//;
is_uuid($admin_id, 'create-account prints the new account id');
is($s->sql(q{SELECT email || '|' || name || '|' || status FROM accounts
    WHERE id = :'p1'}, $admin_id),
    'Admin@Example.com|Ada Admin|active',
    'create-account stores the email as given, the name, and status active');

($code, $out, $err) = $s->admin('create-account', 'admin@example.com');
is($code, 1, 'create-account of an email that differs only in case fails');
like($err, qr/\S/, 'create-account of a taken email says why');
is($s->sql(q{SELECT count(*) FROM accounts
    WHERE lower(email) = 'admin@example.com'}), 1,
    'the refused duplicate account was not stored');

my $password = 'correct horse battery staple';
($code, $out, $err) = $s->admin_stdin("$password\n", 'create-account',
    'pw@example.com', '--password-stdin');
is($code, 0, 'create-account --password-stdin exits 0') or diag($err);
my $hash = $s->sql(q{SELECT password_hash FROM accounts
    WHERE email = 'pw@example.com'});
like($hash, qr/\Ascrypt\$/, 'the password is stored as an scrypt hash');
unlike($hash, qr/\Q$password\E|correct/,
    'the stored hash does not contain the password');
unlike($out . $err, qr/correct horse/,
    'create-account does not echo the password');

is($s->sql(q{SELECT count(*) FROM accounts
    WHERE email = 'admin@example.com' AND password_hash IS NOT NULL}), 0,
    'an account created without --password-stdin has no password');

# --- create-workspace -------------------------------------------------------

($code, $out, $err) = $s->admin('create-workspace', 'Acme Corp', '--owner',
    'admin@example.com');
is($code, 0, 'create-workspace exits 0') or diag($err);
(my $ws_id = $out) =~ s/\s+\z//;
is_uuid($ws_id, 'create-workspace prints the new workspace id');
is($s->sql(q{SELECT name FROM workspaces WHERE id = :'p1'}, $ws_id),
    'Acme Corp', 'create-workspace stores the name');
is($s->sql(q{SELECT account_id || '|' || role FROM members
    WHERE workspace_id = :'p1'}, $ws_id), "$admin_id|owner",
    'the --owner account (found case-insensitively) is the only member, '
    . 'as owner');
is($s->sql(q{SELECT current_workspace_id FROM accounts WHERE id = :'p1'},
    $admin_id), $ws_id,
    'create-workspace makes the workspace current for an owner that had none');

($code, $out, $err) = $s->admin('create-workspace', 'Other', '--owner',
    'nobody@example.com');
is($code, 1, 'create-workspace with an unknown owner fails');
like($err, qr/\S/, 'create-workspace with an unknown owner says why');
is($s->sql(q{SELECT count(*) FROM workspaces WHERE name = 'Other'}), 0,
    'the refused workspace was not stored');

# --- issue-token ------------------------------------------------------------

($code, $out, $err) = $s->admin('issue-token', 'admin@example.com',
    '--label', 'laptop');
is($code, 0, 'issue-token exits 0') or diag($err);
(my $token = $out) =~ s/\s+\z//;
like($token, qr/\Adrio_[A-Za-z0-9_-]{43}\z/,
    'issue-token prints a token of drio_ and 43 base64url characters');
my $session = $s->sql(q{SELECT id FROM api_sessions WHERE account_id = :'p1'
    ORDER BY created_at DESC LIMIT 1}, $admin_id);
is($s->sql(q{SELECT token_sha256 FROM api_sessions WHERE id = :'p1'},
    $session), sha256_hex($token),
    'the session stores the SHA-256 of the token');
is($s->sql(q{SELECT count(*) FROM api_sessions s
    WHERE strpos(s::text, :'p1') > 0}, $token), 0,
    'no column of any session holds the token itself');
is($s->sql(q{SELECT prefix FROM api_sessions WHERE id = :'p1'}, $session),
    substr($token, 0, 12), 'the prefix is the first 12 characters');
is($s->sql(q{SELECT client_id || '|' || device_label FROM api_sessions
    WHERE id = :'p1'}, $session), 'drio-admin|laptop',
    'the session records client drio-admin and the --label');
is($s->sql(q{SELECT last_used_at IS NULL AND revoked_at IS NULL
    FROM api_sessions WHERE id = :'p1'}, $session), 't',
    'a new session is unused and not revoked');
unlike(join("\n", $s->sql('SELECT * FROM accounts'),
    $s->sql('SELECT * FROM api_sessions')), qr/\Q$token\E/,
    'the token appears nowhere in accounts or sessions');

($code, $out, $err) = $s->admin('issue-token', 'Admin@EXAMPLE.com',
    '--label', 'one day', '--expires-days', '1');
is($code, 0, 'issue-token --expires-days 1 exits 0') or diag($err);
(my $day_token = $out) =~ s/\s+\z//;
is($s->sql(q{SELECT abs(extract(epoch FROM
        expires_at - (now() + interval '1 day'))) < 120
    FROM api_sessions WHERE token_sha256 = :'p1'}, sha256_hex($day_token)),
    't', '--expires-days 1 makes the session expire a day from now');

($code, $out, $err) = $s->admin('issue-token', 'nobody@example.com',
    '--label', 'x');
is($code, 1, 'issue-token for an unknown account fails');
unlike($out, qr/drio_/, 'issue-token for an unknown account prints no token');

# --- usage ------------------------------------------------------------------

my @usage = (
    [ [], 'no command' ],
    [ ['frobnicate'], 'an unknown command' ],
    [ ['create-account'], 'create-account without an email' ],
    [ ['create-account', 'u@example.com', '--bogus'],
      'create-account with an unknown option' ],
    [ ['create-workspace', 'Nameless'], 'create-workspace without --owner' ],
    [ ['create-workspace'], 'create-workspace without a name' ],
    [ ['issue-token'], 'issue-token without an email' ],
    [ ['issue-token', 'admin@example.com', '--label', 'x', '--expires-days',
       'soon'], 'issue-token with a non-numeric --expires-days' ],
    [ ['migrate', 'extra'], 'migrate with an extra argument' ],
);
for my $case (@usage) {
    my ($args, $what) = @$case;
    ($code, $out, $err) = $s->admin(@$args);
    is($code, 2, "$what is a usage error (exit 2)");
}
($code, $out, $err) = $s->admin('frobnicate');
like($err, qr/usage/i, 'a usage error prints the usage on stderr');
is($s->sql(q{SELECT count(*) FROM accounts
    WHERE email = 'u@example.com'}), 0,
    'a usage error changes nothing');

$s->finish;
done_testing;
