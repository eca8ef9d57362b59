#!/usr/bin/perl
# 38-oauth-interop.t: drio's OAuth 2 authorization server (docs/oauth.md)
# against a client library drio did not write: oauth4webapi (npm, by
# panva; a certified, spec-strict OAuth 2 / OpenID Connect client), run by
# t/interop/oauth-client.mjs.  The client discovers the server (RFC 8414),
# registers itself (RFC 7591), sends the authorization request with PKCE;
# this test is the browser (sign in, consent) and hands the redirect back;
# the client checks it (state, iss per RFC 9207), exchanges the code, uses
# the access token on the API, refreshes, revokes (RFC 7009) and checks
# the revoked refresh token is refused.  Then the device flow (RFC 8628):
# the client asks for a user code and polls; this test approves the code
# with the account's bearer token.
#
# Needs node (20 or later) and t/interop/node_modules, installed with
# `npm ci --prefix t/interop --no-audit --no-fund`; skipped without them.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use File::Spec;
use JSON::PP ();
use Test::More;
use Time::HiRes qw(sleep time);
use DrioStack;
use DrioBrowser qw(:DEFAULT query_params);

# --- prerequisites ----------------------------------------------------------

my $node = DrioStack::node_or_skip('oauth4webapi');

my $interop = File::Spec->catdir(DrioStack::srcdir(), 't', 'interop');
my $client_js = "$interop/oauth-client.mjs";
plan skip_all => 'oauth4webapi is not installed in t/interop/node_modules; '
    . 'run: npm ci --prefix t/interop --no-audit --no-fund'
    unless -e "$interop/node_modules/oauth4webapi/package.json";

my $s = DrioStack->start;
my $issuer = $s->public_url;
my $state_file = $s->tmpdir . '/oauth-client-state.json';

# --- running the client -----------------------------------------------------

# Run one subcommand of the client to completion (bounded).  Returns
# {code, stdout, stderr, lines (every JSON line of stdout, decoded),
# result (the last one)}.
sub client {
    my (@args) = @_;
    my ($code, $out, $err) = DrioStack::run_command(
        [ $node, $client_js, @args ], env => {%ENV}, dir => $s->tmpdir,
        timeout => 60);
    my @lines = json_lines($out);
    return { code => $code, stdout => $out, stderr => $err,
        lines => \@lines, result => $lines[-1] // {} };
}

# The JSON objects among the lines of $text.
sub json_lines {
    my ($text) = @_;
    my @objects;
    for my $line (split /\n/, $text // '') {
        next unless $line =~ /\A\{/;
        my $obj = eval { JSON::PP->new->decode($line) };
        push @objects, $obj if ref $obj eq 'HASH';
    }
    return @objects;
}

# One test: the client run $r succeeded (exit 0, a final "ok": true).
sub client_ok {
    my ($r, $desc) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    return ok($r->{code} == 0 && $r->{result}{ok}, $desc)
        || diag("exit $r->{code}\nstdout: $r->{stdout}\n"
            . "stderr: $r->{stderr}");
}

# --- the account ------------------------------------------------------------

my $email = 'interop@example.com';
my $password = 'interop password 38';
my ($code, undef, $err) = $s->admin_stdin("$password\n", 'create-account',
    $email, '--password-stdin');
BAIL_OUT("create-account $email failed: $err") if $code != 0;
my $bearer = $s->issue_token($email, label => 'interop approver');

# --- authorization code, refresh, revocation --------------------------------

my $r = client('start', $state_file, $issuer);
client_ok($r, 'start: oauth4webapi discovers drio and registers a client')
    or BAIL_OUT('the client could not start; see above');
my $started = $r->{result};
like($started->{client_id} // '', qr/\Adc_[A-Za-z0-9_-]{22}\z/,
    'start: the registered client_id is dc_ and 22 base64url characters');
is($started->{issuer}, $issuer, 'start: the discovered issuer is drio\'s');
my $auth_url = $started->{authorization_url} // '';
like($auth_url, qr{\A\Q$issuer\E/oauth/authorize\?},
    'start: the authorization URL is drio\'s authorization endpoint');
my $q = query_params($auth_url);
is_deeply([ @$q{qw(response_type code_challenge_method scope)} ],
    [ 'code', 'S256', 'api offline_access' ],
    'start: the client asks for a code, with S256 PKCE and offline_access');

my $b = DrioBrowser->new($s);
my $res = $b->get($auth_url);
is($res->{status}, 303,
    'the authorization URL sends a browser that is not signed in away');
my $next = query_params($b->location_url($res) // '')->{next};
like($b->location_url($res) // '', qr{\A\Q$issuer\E/signin\?next=},
    '... to the sign-in page, with the request as next');
$res = $b->sign_in($email, $password, $next);
is($res->{status}, 303, 'signing in answers 303');
is($b->location_url($res), $auth_url,
    'signing in leads back to the client\'s authorization URL');
my $consent = $b->follow($res);
is_html_page($consent, 200, 'the consent page is shown');
like($consent->{content}, qr/oauth4webapi interop/,
    'the consent page names the client');
my $form = $b->form($consent, qr{authorize});
ok($form, 'the consent page has the authorize form')
    or BAIL_OUT('no consent form; cannot go on');
$res = $b->submit($form, { decision => 'allow' });
is($res->{status}, 302, 'allowing answers 302');
my $callback = $res->{location} // '';
like($callback, qr{\A\Q$started->{redirect_uri}\E\?},
    'the redirect goes to the client\'s registered redirect URI');

$r = client('finish', $state_file, $callback);
client_ok($r, 'finish: oauth4webapi accepts the redirect, exchanges the '
    . 'code, refreshes and revokes');
my $done = $r->{result};
is($done->{token_type}, 'bearer', 'finish: the token type is Bearer');
is($done->{expires_in}, 3600, 'finish: the access token lasts an hour');
is($done->{scope}, 'api offline_access',
    'finish: the granted scope is api offline_access');
is($done->{account_status}, 200,
    'finish: the access token works on GET /openapi/v1/account');
is($done->{account_email}, $email,
    'finish: the access token acts as the account that signed in');
ok($done->{refresh_rotated}, 'finish: refreshing rotates the refresh token');
is($done->{refreshed_account_status}, 200,
    'finish: the refreshed access token works');
ok($done->{revoked}, 'finish: the revocation endpoint accepts the revocation');
is($done->{refresh_after_revoke_error}, 'invalid_grant',
    'finish: the revoked refresh token is refused with invalid_grant');
is($done->{refresh_after_revoke_status}, 400,
    'finish: ... and status 400');
is($done->{account_status_after_revoke}, 401,
    'finish: revoking the refresh token revoked its access token too');

# --- the device flow --------------------------------------------------------

SKIP: {
    $r = client('device-start', $state_file);
    client_ok($r, 'device-start: oauth4webapi gets a device code from '
        . 'the device authorization endpoint')
        or skip 'no device code; the rest of the device flow cannot run', 10;
    my $dev = $r->{result};
    like($dev->{user_code} // '',
        qr/\A[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}\z/,
        'device-start: the user code is XXXX-XXXX from the consonants');
    is($dev->{verification_uri}, "$issuer/device",
        'device-start: the verification URI is /device');
    is($dev->{interval}, 5, 'device-start: the interval is 5 seconds');

    # The client polls in the background; the code is approved once it has
    # seen authorization_pending, so every run takes the same path.
    my $log = $s->tmpdir . '/oauth-client-device.log';
    my $pid = $s->spawn($log,
        [ $node, $client_js, 'device-finish', $state_file ], env => {%ENV});
    my $deadline = time + 15;
    my (@lines, $status);
    until (grep { ($_->{error} // '') eq 'authorization_pending' } @lines) {
        last if time > $deadline
            || defined($status = $s->wait_exit($pid, 0));
        sleep 0.1;
        @lines = json_lines(slurp($log));
    }
    ok((grep { ($_->{error} // '') eq 'authorization_pending' } @lines),
        'device-finish: the first poll is authorization_pending')
        or diag(slurp($log));

    $res = $s->request(POST => '/openapi/v1/oauth/device/approve',
        { token => $bearer, json => { user_code => $dev->{user_code} } });
    is_deeply([ $res->{status}, ($res->{json} // {})->{status} ],
        [ 200, 'approved' ], 'the account approves the user code');

    $status //= $s->wait_exit($pid, 45);
    ok(defined $status && $status == 0,
        'device-finish: the client gets its token and exits 0')
        or diag(defined $status ? "wait status $status" : 'still running '
            . 'after 45 s (stopped with the stack)', "\n", slurp($log));
    my $result = (json_lines(slurp($log)))[-1] // {};
    ok($result->{ok}, 'device-finish: the client reports success')
        or diag(slurp($log));
    is($result->{token_type}, 'bearer', 'device-finish: a Bearer token');
    is($result->{account_email}, $email,
        'device-finish: the device\'s token acts as the approving account');
    ok($result->{has_refresh_token},
        'device-finish: offline_access gave the device a refresh token');
}

$s->finish;
done_testing;

sub slurp {
    my ($path) = @_;
    open my $fh, '<', $path or return '';
    local $/;
    my $text = <$fh> // '';
    close $fh;
    return $text;
}
