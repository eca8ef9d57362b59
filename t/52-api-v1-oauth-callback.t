#!/usr/bin/perl
# 52-api-v1-oauth-callback.t: the byo_oauth callback
# (docs/api-v1/oauth-callback.md) over a real stack, against a fake OAuth
# authorization server this test runs on loopback.
#
# The test installs a byo_oauth connector whose token endpoint is the fake
# server, then acts as the browser: it reads state and code_challenge from
# the oauth_url install answered, tells the fake server which code goes
# with which challenge, and calls the callback.  The fake server's /token
# checks the code (once), redirect_uri, client_id, the HTTP Basic client
# credentials and the PKCE S256 verifier against the challenge.
#
# - happy path: 200 page, status connected, tokens sealed (the bytea does
#   not hold them), oauth metadata, GET /api/v1/integrations/{id} shows no
#   token, the state row is gone, no secret in the responder log;
# - a replayed state: 400 page, nothing changes;
# - an expired state: 400 page, nothing changes; an unknown state and a
#   missing state: 400;
# - error=access_denied from the provider: 403 page, status error with a
#   sanitised status_message, the state row deleted;
# - the token endpoint answering 400 invalid_grant (echoing the code):
#   502 page, status error, the code redacted;
# - the token endpoint unreachable: 502 page, status error.
#
# Refreshing is covered by t/55-api-v1-mcp-oauth.t (a sync refreshes an
# access token about to expire; a refused refresh marks the integration
# error); request building and answer parsing by t/lib/oauthclient-t.c.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Digest::SHA qw(sha256);
use IO::Socket::INET;
use JSON::PP ();
use MIME::Base64 qw(encode_base64 decode_base64);
use POSIX ();
use Test::More;
use DrioStack;
use DrioTest;

my $s = DrioStack->start(responders => ['api-v1'],
    env => { DRIO_OUTBOUND_TIMEOUT_SECONDS => 3 });

my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
my $acme = $s->seed_workspace('Acme', $alice->{email});
my $T = JSON::PP::true;
my $F = JSON::PP::false;
my $client_id = 'client-1';
my $client_secret = 's3cret/client+';
my $redirect_uri = $s->public_url . '/api/v1/connectors/oauth/callback';
my $codes_file = $s->tmpdir . '/codes';
my $seen_file = $s->tmpdir . '/seen';

sub spew {
    my ($path, $text, $mode) = @_;
    open my $fh, $mode // '>', $path or die "$path: $!";
    print $fh $text;
    close $fh or die "$path: $!";
}

sub slurp {
    my ($path) = @_;
    open my $fh, '<', $path or return '';
    local $/;
    return scalar <$fh>;
}

sub b64url {
    my ($bytes) = @_;
    (my $b = encode_base64($bytes, '')) =~ tr{+/}{-_};
    $b =~ s/=+\z//;
    return $b;
}

sub unescape {
    my ($v) = @_;
    $v =~ tr/+/ /;
    $v =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
    return $v;
}

sub escape {
    my ($v) = @_;
    $v =~ s/([^A-Za-z0-9\-._~])/sprintf '%%%02X', ord $1/ge;
    return $v;
}

sub query_of {
    my ($url) = @_;
    my ($q) = $url =~ /\?(.*)\z/ or return {};
    return { map { my ($k, $v) = split /=/, $_, 2; unescape($k) =>
        unescape($v // '') } split /&/, $q };
}

# --- the fake authorization server ---------------------------------------------

# /token takes authorization_code only.  The codes it accepts, with the
# PKCE challenge each was issued for, are lines "code challenge" of
# $codes_file (the test writes them, acting as the authorization page);
# each code serves once.  A rejected code is echoed in error_description,
# so the test sees that drio redacts it.  Every request's form and
# Authorization header are appended to $seen_file.
my $listener = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
    LocalPort => 0, Listen => 16, ReuseAddr => 1) or die "listen: $!";
my $port = $listener->sockport;
my $server = fork // die "fork: $!";
if ($server == 0) {
    my %used;
    my $n = 0;
    for (1 .. 50) {
        my $c = $listener->accept or next;
        my $line = <$c> // '';
        my ($auth, $length) = ('', 0);
        while (my $h = <$c>) {
            last if $h =~ /^\r?\n\z/;
            $auth = $1 if $h =~ /^Authorization:\s*(.*?)\r?\n\z/i;
            $length = $1 if $h =~ /^Content-Length:\s*(\d+)/i;
        }
        my $body = '';
        read($c, $body, $length) if $length;
        spew($seen_file, "$auth\n$body\n", '>>');
        my %form = map { my ($k, $v) = split /=/, $_, 2;
            unescape($k) => unescape($v // '') } split /&/, $body;
        my %codes = map { split / / } split /\n/, slurp($codes_file);
        my $want = 'Basic ' . encode_base64(escape($client_id) . ':'
            . escape($client_secret), '');
        my ($status, $answer);
        my $code = $form{code} // '';
        if ($line !~ m{^POST /token }) {
            ($status, $answer) = (404, '{"error": "not_found"}');
        } elsif ($auth ne $want) {
            ($status, $answer) = (401, '{"error": "invalid_client"}');
        } elsif (($form{grant_type} // '') ne 'authorization_code') {
            ($status, $answer) = (400, '{"error": "unsupported_grant_type"}');
        } elsif (!exists $codes{$code} || $used{$code}++
            || ($form{redirect_uri} // '') ne $redirect_uri
            || ($form{client_id} // '') ne $client_id
            || b64url(sha256($form{code_verifier} // '')) ne $codes{$code}) {
            ($status, $answer) = (400, JSON::PP->new->encode({
                error => 'invalid_grant',
                error_description => "The code $code is not valid." }));
        } else {
            $n++;
            ($status, $answer) = (200, JSON::PP->new->encode({
                access_token => "at-$n-SECRETTOKEN",
                refresh_token => "rt-$n-SECRETREFRESH",
                token_type => 'Bearer', expires_in => 3600,
                scope => 'read' }));
        }
        print $c "HTTP/1.1 $status X\r\nContent-Type: application/json\r\n"
            . 'Content-Length: ' . length($answer)
            . "\r\nConnection: close\r\n\r\n$answer";
        close $c;
    }
    POSIX::_exit(0);
}
close $listener;
END {
    local $?;
    if ($server) { kill 'KILL', $server; waitpid $server, 0 }
}

# A port nothing listens on, for the unreachable token endpoint.
my $closed = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
    LocalPort => 0, Listen => 1) or die "listen: $!";
my $closed_port = $closed->sockport;
close $closed;

# --- the connectors -------------------------------------------------------------

sub manifest {
    my ($id, $token_url) = @_;
    return JSON::PP->new->canonical->pretty->encode({
        id => $id, version => 1, name => "OAuth $id",
        description => 'A test provider.', category => 'other',
        auth_mode => 'byo_oauth',
        brand_logo => 'https://example.com/l.png', brand_color => '#000000',
        docs_url => 'https://example.com/docs',
        fields => [
            { key => 'client_id', label => 'Client ID', type => 'text',
              secret => $F, required => $T },
            { key => 'client_secret', label => 'Client secret',
              type => 'password', secret => $T, required => $T } ],
        oauth => { authorize_url => "http://127.0.0.1:$port/authorize",
            token_url => $token_url, scopes => ['read', 'write'],
            pkce => $T },
        openapi => { document => { openapi => '3.0.0',
            info => { title => 'T', version => '1' },
            servers => [{ url => "http://127.0.0.1:$port/api" }],
            paths => {} } },
    });
}

my $dir = $s->tmpdir . '/connectors';
mkdir $dir or die "$dir: $!";
spew("$dir/fake-oauth.json", manifest('fake-oauth',
    "http://127.0.0.1:$port/token"));
spew("$dir/down-oauth.json", manifest('down-oauth',
    "http://127.0.0.1:$closed_port/token"));
my ($code, $out, $err) = $s->admin_env({ DRIO_CONNECTORS_DIR => $dir },
    undef, 'load-connectors', '--allow-http');
is($code, 0, 'the test connectors load') or diag "$out\n$err";

# Install connector $id as $name; returns (integration id, state,
# challenge) read from the oauth_url, as the browser would see them.
sub install {
    my ($id, $name) = @_;
    my $res = $s->request(POST =>
        "/api/v1/connectors/$id/install?workspace_id=$acme",
        { token => $alice->{token}, json => { name => $name,
            fields => { client_id => $client_id,
                        client_secret => $client_secret } } });
    is($res->{status}, 201, "install $name answers 201")
        or diag $res->{content};
    my $url = $res->{json}{oauth_url} // '';
    my $q = query_of($url);
    return ($res->{json}{integration_id}, $q->{state},
        $q->{code_challenge}, $q);
}

sub callback {
    my (%q) = @_;
    my $query = join '&', map { escape($_) . '=' . escape($q{$_}) }
        sort keys %q;
    return $s->request(GET => '/api/v1/connectors/oauth/callback'
        . ($query ne '' ? "?$query" : ''));
}

sub row {
    my ($id) = @_;
    my $line = $s->sql(q{SELECT status || '|' || coalesce(status_message, '')}
        . q{ || '|' || coalesce(encode(secret, 'hex'), '') || '|'}
        . q{ || updated_at || '|' || oauth::text}
        . qq{ FROM workspace_integrations WHERE id = '$id'});
    my %r;
    @r{qw(status message secret updated oauth)} = split /\|/, $line, 5;
    return \%r;
}

sub states {
    my ($id) = @_;
    return $s->sql(q{SELECT count(*) FROM integration_oauth_states}
        . qq{ WHERE integration_id = '$id'});
}

sub is_page {
    my ($res, $status, $like, $desc) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    is($res->{status}, $status, "$desc: status $status")
        or diag $res->{content};
    like($res->{headers}{'content-type'} // '', qr{^text/html},
        "$desc: an HTML page");
    like($res->{content}, $like, "$desc: the page says so");
}

# --- happy path -------------------------------------------------------------------

my ($id, $state, $challenge, $q) = install('fake-oauth', 'Fake');
is($q->{redirect_uri}, $redirect_uri, 'the oauth_url names the callback');
is($q->{code_challenge_method}, 'S256', 'the oauth_url asks for S256 PKCE');
is(row($id)->{status}, 'pending_oauth', 'the integration waits for OAuth');
is(states($id), 1, 'one state is stored');

spew($codes_file, "good-code-1 $challenge\n");
my $res = callback(state => $state, code => 'good-code-1',
    iss => 'http://ignored.example');
is_page($res, 200, qr/is connected \x{e2}\x{80}\x{94} you can close this window/,
    'the callback with a good code');
like($res->{content}, qr/<strong>Fake<\/strong>/, 'the page names the integration');
is($res->{headers}{'cache-control'}, 'no-store', 'the page is not cached');
my $r = row($id);
is($r->{status}, 'connected', 'the integration is connected');
is($r->{message}, '', 'with no status message');
like($r->{secret}, qr/^[0-9a-f]{64,}\z/, 'a sealed secret is stored');
for my $secret ('at-1-SECRETTOKEN', 'rt-1-SECRETREFRESH', $client_secret) {
    my $hex = unpack 'H*', $secret;
    unlike($r->{secret}, qr/$hex/, "the sealed secret does not hold $secret"
        =~ s/SECRET\w+|s3cret\S+/.../r);
}
my $oauth = JSON::PP->new->decode($r->{oauth});
is($oauth->{token_type}, 'Bearer', 'oauth records the token type');
is($oauth->{scope}, 'read', 'oauth records the granted scope');
ok(defined $oauth->{expires_at}, 'oauth records when the token expires');
is($s->sql(q{SELECT round(extract(epoch FROM (oauth->>'expires_at')::timestamptz}
    . q{ - now()) / 60) FROM workspace_integrations WHERE id = '} . $id . q{'}),
    60, '... an hour from now');
is($s->sql(q{SELECT array_to_string(secret_fields, ',')}
    . qq{ FROM workspace_integrations WHERE id = '$id'}),
    'access_token,client_secret,refresh_token',
    'secret_fields names the tokens beside the client secret');
is(states($id), 0, 'the state is used up');
my $seen = slurp($seen_file);
like($seen, qr/code_verifier=/, 'the token request sent the PKCE verifier');
unlike($seen, qr/client_secret|s3cret/,
    'the client secret travelled only in the Basic header');
$res = $s->request(GET => "/api/v1/integrations/$id",
    { token => $alice->{token} });
is($res->{status}, 200, 'the integration can be read');
is($res->{json}{status}, 'connected', '... connected');
unlike($res->{content}, qr/SECRETTOKEN|SECRETREFRESH|s3cret/,
    '... and shows no token or secret');

# --- a replayed state ----------------------------------------------------------

spew($codes_file, "good-code-2 $challenge\n", '>>');
my $before = row($id);
$res = callback(state => $state, code => 'good-code-2');
is_page($res, 400, qr/unknown, used or expired/, 'a replayed state');
is_deeply(row($id), $before, 'a replayed state changes nothing');

# --- an expired, an unknown and a missing state -----------------------------------

my ($id2, $state2, $challenge2) = install('fake-oauth', 'Expiring');
$s->sql(q{UPDATE integration_oauth_states}
    . q{ SET expires_at = now() - interval '1 minute'}
    . qq{ WHERE integration_id = '$id2'});
spew($codes_file, "good-code-3 $challenge2\n", '>>');
$before = row($id2);
$res = callback(state => $state2, code => 'good-code-3');
is_page($res, 400, qr/unknown, used or expired/, 'an expired state');
is_deeply(row($id2), $before, 'an expired state changes nothing');
is(states($id2), 1, '... not even its state row');

$res = callback(state => 'no-such-state-' . ('x' x 30), code => 'good-code-3');
is_page($res, 400, qr/unknown, used or expired/, 'an unknown state');
$res = callback(code => 'good-code-3');
is_page($res, 400, qr/unknown, used or expired/, 'a missing state');
$res = $s->request(POST => '/api/v1/connectors/oauth/callback');
is($res->{status}, 405, 'the callback takes GET only');

# --- the provider refuses ----------------------------------------------------------

my ($id3, $state3) = install('fake-oauth', 'Denied');
$res = callback(state => $state3, error => 'access_denied',
    error_description => "The user said\nno <b>");
is_page($res, 403, qr/did not authorize drio: access_denied/,
    'error=access_denied from the provider');
like($res->{content}, qr/The user said no &lt;b&gt;/,
    'the provider\'s description is shown sanitised and escaped');
$r = row($id3);
is($r->{status}, 'error', 'the integration is marked error');
like($r->{message}, qr/^The provider did not authorize drio: access_denied/,
    'with a status message saying why');
unlike($r->{message}, qr/[\x00-\x1f]/, 'without control characters');
is(states($id3), 0, 'the state is deleted');
is($r->{secret} =~ /\S/ ? 1 : 0, 1, 'the client secret is still stored');

# --- the token endpoint refuses the code ---------------------------------------------

my ($id4, $state4) = install('fake-oauth', 'Bad code');
$res = callback(state => $state4, code => 'unknown-code-XYZ987');
is_page($res, 502, qr/refused the token request: invalid_grant/,
    'a code the token endpoint refuses');
unlike($res->{content}, qr/XYZ987/, 'the page never repeats the code');
like($res->{content}, qr/\[redacted\]/, '... it is redacted');
$r = row($id4);
is($r->{status}, 'error', 'the integration is marked error');
like($r->{message}, qr/invalid_grant/, 'the status message names the error');
unlike($r->{message}, qr/XYZ987/, 'the status message never holds the code');
is(states($id4), 0, 'the state is used up');

# --- the token endpoint cannot be reached --------------------------------------------

my ($id5, $state5, $challenge5) = install('down-oauth', 'Down');
$res = callback(state => $state5, code => 'any-code');
is_page($res, 502, qr/.+/, 'an unreachable token endpoint');
$r = row($id5);
is($r->{status}, 'error', 'the integration is marked error');
isnt($r->{message}, '', 'with a status message');
is(states($id5), 0, 'the state is used up');

# --- nothing secret in the log ---------------------------------------------------------

my $log = join "\n", map { $s->log_lines('api-v1', $_) } 1, 2;
like($log, qr{/api/v1/connectors/oauth/callback}, 'the responder log is read');
unlike($log, qr/SECRETTOKEN|SECRETREFRESH|s3cret|good-code|XYZ987/,
    'no token, secret or code reaches the responder log');

$s->finish;
done_testing;
