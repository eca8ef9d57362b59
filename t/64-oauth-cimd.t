#!/usr/bin/perl
# 64-oauth-cimd.t: clients named by a Client ID Metadata Document
# (draft-ietf-oauth-client-id-metadata-document; MCP 2025-11-25 on).  A
# fixture on 127.0.0.1 (allowed by the stack's outbound_allow_networks,
# which is what lets plain http through) serves documents: a good one,
# one naming another client_id, one without the redirect URI in use,
# text that is not JSON, a good document served as text/plain, a 404,
# one too large, one too slow, one with private_key_jwt and one with a
# client_secret.  Covered: the discovery flag; the whole flow authorize
# -> consent -> code -> token with PKCE and resource for such a client,
# the consent page naming the client, its document's host and the
# redirect's host (with a warning for a loopback redirect), and the
# tokens recording client_id = the URL; the cache (a second
# authorization within max-age fetches nothing, an expired row is
# fetched again, by the token endpoint too); drio-admin prune
# client-metadata keeping a stale client while its tokens live and
# deleting it once they are revoked, after which it comes back by
# fetching again; and every bad document, URL
# or SSRF refusal being an error page at authorize and invalid_client at
# the token endpoint, without the redirect URI hearing anything.
# Dynamic registration still works beside it.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Digest::SHA qw(sha256_hex);
use File::Temp ();
use IO::Socket::INET;
use JSON::PP ();
use POSIX ();
use Test::More;
use DrioStack;
use DrioTest;
use DrioBrowser qw(:DEFAULT form_urlencode query_params uri_escape);

my $OWNER_PID = $$;
my $JSON = JSON::PP->new->canonical;

# --- the document server ----------------------------------------------------

my $tmp = File::Temp->newdir('drio-cimd-XXXXXX', TMPDIR => 1);
my $fixture_log = "$tmp/fixture.log";
my $sock = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
    Listen => 16, ReuseAddr => 1)
    or BAIL_OUT("cannot listen on 127.0.0.1: $!");
my $fixture = 'http://127.0.0.1:' . $sock->sockport;
my $redirect = 'http://127.0.0.1:53682/callback';

# The document at $path, naming itself unless %change says otherwise
# (undef drops a member).
sub document {
    my ($path, %change) = @_;
    my %doc = (client_id => "$fixture$path", client_name => 'Meta CLI',
        redirect_uris => [ $redirect, 'https://meta.example/cb' ],
        grant_types => [ 'authorization_code', 'refresh_token' ],
        response_types => ['code'], token_endpoint_auth_method => 'none',
        %change);
    delete $doc{$_} for grep { !defined $doc{$_} } keys %doc;
    return $JSON->encode(\%doc);
}

my $json_type = 'Content-Type: application/json';
my %ANSWER = (
    '/clients/good.json' => [ 200, [ $json_type, 'Cache-Control: max-age=600' ],
        document('/clients/good.json') ],
    '/clients/other.json' => [ 200, [ $json_type ],
        document('/clients/other.json',
            client_id => "$fixture/clients/good.json") ],
    '/clients/noredirect.json' => [ 200, [ $json_type ],
        document('/clients/noredirect.json',
            redirect_uris => ['https://meta.example/cb']) ],
    '/clients/text.json' => [ 200, [ $json_type ], 'hello, I am not JSON' ],
    '/clients/plain.json' => [ 200, [ 'Content-Type: text/plain' ],
        document('/clients/plain.json') ],
    '/clients/huge.json' => [ 200, [ $json_type ],
        document('/clients/huge.json', client_uri => 'https://meta.example/'
            . ('x' x 8000)) ],
    '/clients/jwt.json' => [ 200, [ $json_type ],
        document('/clients/jwt.json',
            token_endpoint_auth_method => 'private_key_jwt') ],
    '/clients/secret.json' => [ 200, [ $json_type ],
        document('/clients/secret.json', client_secret => 'sh') ],
);

sub answer {
    my ($c, $status, $headers, $body) = @_;
    my %reason = (200 => 'OK', 404 => 'Not Found');
    print $c "HTTP/1.1 $status " . ($reason{$status} // 'X') . "\r\n"
        . join('', map { "$_\r\n" } @$headers)
        . 'Content-Length: ' . length($body) . "\r\n"
        . "Connection: close\r\n\r\n$body";
}

# Serve one connection: log "METHOD PATH", answer from %ANSWER; /slow/
# waits 8 seconds (drio gives up after 5) before answering.
sub serve {
    my ($c) = @_;
    my $line = <$c> // return;
    my ($method, $path) = $line =~ m{^([A-Z]+) (\S+) HTTP/1\.[01]\r?\n\z}
        or return;
    while (my $l = <$c>) { last if $l =~ /^\r?\n\z/ }
    if (open my $log, '>>', $fixture_log) {
        print $log "$method $path\n";
        close $log;
    }
    if ($path eq '/clients/slow.json') {
        sleep 8;
        return answer($c, 200, [ $json_type ], document($path));
    }
    my $a = $ANSWER{$path} // [ 404, [], '' ];
    answer($c, @$a);
}

my $fixture_pid = fork // BAIL_OUT("fork: $!");
if ($fixture_pid == 0) {
    $SIG{PIPE} = 'IGNORE';
    $SIG{CHLD} = 'IGNORE';
    $SIG{ALRM} = sub { POSIX::_exit(0) };
    alarm($ENV{DRIO_TEST_VALGRIND} ? 1800 : 300);
    for (1 .. 200) {
        my $c = $sock->accept or next;
        my $pid = fork;
        if (defined $pid && $pid == 0) {
            $SIG{ALRM} = 'DEFAULT';
            serve($c);
            close $c;
            POSIX::_exit(0);
        }
        close $c;
    }
    POSIX::_exit(0);
}
close $sock;

END {
    my $status = $?;
    if ($$ == $OWNER_PID && $fixture_pid) {
        kill 'KILL', $fixture_pid;
        waitpid $fixture_pid, 0;
    }
    $? = $status;
}

# How many times the fixture was asked for $path.
sub fetches {
    my ($path) = @_;
    open my $fh, '<', $fixture_log or return 0;
    return scalar grep { $_ eq "GET $path\n" } <$fh>;
}

# --- the stack --------------------------------------------------------------

my $s = DrioStack->start;
my $issuer = $s->public_url;
my $good = "$fixture/clients/good.json";

my $email = 'cimd@example.com';
my $password = 'cimd-password-1';
my ($code, undef, $err) = $s->admin_stdin("$password\n", 'create-account',
    $email, '--password-stdin');
BAIL_OUT("create-account $email failed: $err") if $code != 0;

my $b = DrioBrowser->new($s);
my $signed = $b->sign_in($email, $password);
BAIL_OUT("signing in failed: $signed->{status}") if $signed->{status} != 303;

# POST form fields to the token endpoint.
sub token {
    my ($fields) = @_;
    return $s->request(POST => '/oauth/token', { body =>
        form_urlencode($fields),
        content_type => 'application/x-www-form-urlencoded' });
}

# GET the authorization endpoint for client $id (%change to the query).
sub authorize_get {
    my ($id, %change) = @_;
    my (undef, $challenge) = pkce_pair();
    my %p = (response_type => 'code', client_id => $id,
        redirect_uri => $redirect, code_challenge => $challenge,
        code_challenge_method => 'S256', scope => 'api offline_access',
        state => 'st-c', %change);
    delete $p{$_} for grep { !defined $p{$_} } keys %p;
    return $b->get('/oauth/authorize?' . form_urlencode(\%p));
}

# One test: $res is a 400 error page, not a redirect, saying $why.
sub is_refused_page {
    my ($res, $why, $desc) = @_;
    my @why;
    push @why, "status is $res->{status}, not 400" if $res->{status} != 400;
    push @why, "it redirects to $res->{location}" if defined $res->{location};
    push @why, "the page does not say /$why/"
        unless ($res->{content} // '') =~ $why;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    ok(!@why, $desc) or diag(join "\n", @why,
        'body: ' . substr($res->{content} // '', 0, 600));
}

# --- discovery --------------------------------------------------------------

my $meta = $s->request(GET => '/.well-known/oauth-authorization-server');
my $flag = ($meta->{json} // {})->{client_id_metadata_document_supported};
ok(JSON::PP::is_bool($flag) && $flag,
    'the metadata advertises client_id_metadata_document_supported: true');
ok(defined $meta->{json}{registration_endpoint},
    'and still advertises dynamic registration');
my $dcr = $s->register_client({ redirect_uris => [$redirect],
    client_name => 'Registered CLI' });
like($dcr->{client_id} // '', qr/\Adc_/,
    'dynamic registration still gives a dc_ client');

# --- the whole flow ---------------------------------------------------------

is(fetches('/clients/good.json'), 0, 'nothing was fetched before it is used');
my $consent = authorize_get($good, resource => $issuer);
is_html_page($consent, 200,
    'an authorization request naming a document URL gets a consent page');
is(fetches('/clients/good.json'), 1, 'the document was fetched once');
like($consent->{content}, qr{<strong>Meta CLI</strong>},
    'the consent page names the client by its document\'s client_name');
my $fixture_host = $fixture =~ s{\Ahttp://}{}r;
like($consent->{content}, qr{described by <code>\Q$fixture_host\E</code>},
    'the consent page shows the host of the client_id');
like($consent->{content}, qr{returning to <code>127\.0\.0\.1:53682</code>},
    'and the host of the redirect URI');
like($consent->{content}, qr{program on this computer},
    'a redirect to loopback comes with a warning');
unlike(authorize_get($good, redirect_uri => 'https://meta.example/cb')
        ->{content}, qr{program on this computer},
    'a redirect elsewhere does not');
is($s->sql(q{SELECT name || ' ' || array_to_string(redirect_uris, ',')
        FROM oauth_clients WHERE id = :'p1'}, $good),
    "Meta CLI $redirect,https://meta.example/cb",
    'the document is kept as the client\'s row, keyed by its URL');
my $lifetime = $s->sql(q{SELECT round(extract(epoch FROM
    metadata_expires_at - now())) FROM oauth_clients WHERE id = :'p1'}, $good);
ok($lifetime > 590 && $lifetime <= 600,
    'it is kept as long as Cache-Control: max-age=600 says')
    or diag("kept $lifetime seconds");

my $r = $b->authorize(client_id => $good, redirect_uri => $redirect,
    scope => 'api offline_access', state => 'st-flow', resource => $issuer);
is(($r->{answer} // {})->{status}, 302, 'Allow answers 302');
like($r->{location} // '', qr{\A\Q$redirect\E\?}, 'back to the redirect URI');
ok(defined $r->{code} && $r->{state} eq 'st-flow' && $r->{iss} eq $issuer,
    'with a code, the state and iss');
is(fetches('/clients/good.json'), 1,
    'a second authorization within max-age fetches nothing');
is($s->sql(q{SELECT client_id FROM oauth_codes WHERE code_sha256 = :'p1'},
    sha256_hex($r->{code} // '')), $good,
    'the code records client_id = the URL');

my $t = token({ grant_type => 'authorization_code', code => $r->{code},
    redirect_uri => $redirect, code_verifier => $r->{verifier},
    client_id => $good, resource => $issuer });
is($t->{status}, 200, 'the code is exchanged for tokens')
    or diag($t->{content});
my $access = $t->{json}{access_token} // '';
ok($access ne '' && ($t->{json}{refresh_token} // '') ne '',
    'an access token and a refresh token come back');
is($s->sql(q{SELECT client_id || ' ' || coalesce(resource, '-')
        FROM api_sessions WHERE token_sha256 = :'p1'}, sha256_hex($access)),
    "$good $issuer",
    'the session records client_id = the URL and the resource');
is($s->request(GET => '/api/v3/me', { token => $access })->{status}, 200,
    'the access token works');
my $wrong = token({ grant_type => 'authorization_code', code => $r->{code},
    redirect_uri => $redirect, code_verifier => $r->{verifier},
    client_id => "$fixture/clients/other.json" });
is($wrong->{json}{error} // '', 'invalid_client',
    'another document URL cannot spend the code either');

# --- the cache expires ------------------------------------------------------

$s->sql(q{UPDATE oauth_clients SET metadata_expires_at = now()
    - interval '1 second' WHERE id = :'p1'}, $good);
my $refresh = token({ grant_type => 'refresh_token',
    refresh_token => $t->{json}{refresh_token}, client_id => $good });
is($refresh->{status}, 200, 'a refresh after expiry works')
    or diag($refresh->{content});
is(fetches('/clients/good.json'), 2,
    'and the token endpoint fetched the expired document again');
$consent = authorize_get($good);
is_html_page($consent, 200, 'the next authorization gets a consent page');
is(fetches('/clients/good.json'), 2,
    'without fetching again: the refetched row is fresh');
$s->sql(q{UPDATE oauth_clients SET metadata_expires_at = now()
    - interval '1 second' WHERE id = :'p1'}, $good);
$consent = authorize_get($good);
is_html_page($consent, 200, 'an authorization after expiry works');
is(fetches('/clients/good.json'), 3, 'and fetched the document again');

# --- stale clients are pruned -----------------------------------------------

# drio-admin prune client-metadata deletes the row of a client whose
# document expired long ago, but only once it holds no live token.
my $expire_long_ago = sub {
    $s->sql(q{UPDATE oauth_clients SET metadata_expires_at = now()
        - interval '40 days' WHERE id = :'p1'}, $good);
};
my $kept = sub {
    return $s->sql(q{SELECT count(*) FROM oauth_clients WHERE id = :'p1'},
        $good);
};
$expire_long_ago->();
my ($pcode, $pout, $perr) = $s->admin('prune', 'client-metadata');
is($pcode, 0, 'prune client-metadata exits 0') or diag($perr);
like($pout, qr/\Adeleted 0 .*; kept 1 /,
    'a client whose document expired 40 days ago but whose tokens live is'
    . ' kept') or diag($pout);
is($kept->(), 1, '... its row is still there');
is($s->request(GET => '/api/v3/me', { token => $access })->{status}, 200,
    '... and its access token still works');

my $revoked = $s->request(POST => '/oauth/revoke', { body => form_urlencode({
        token => $refresh->{json}{refresh_token} // '', client_id => $good }),
    content_type => 'application/x-www-form-urlencoded' });
is($revoked->{status}, 200, 'revoking its refresh token (and so its family)'
    . ' answers 200') or diag($revoked->{content});
$expire_long_ago->();
($pcode, $pout, $perr) = $s->admin('prune', 'client-metadata');
like($pout, qr/\Adeleted 1 .*; kept 0 /,
    'once nothing it holds lives, the stale client is pruned')
    or diag($pout . $perr);
is($kept->(), 0, '... its row is gone');
my $fetched = fetches('/clients/good.json');
$consent = authorize_get($good);
is_html_page($consent, 200, 'a pruned client can still come back: its next'
    . ' authorization gets a consent page');
is_deeply([ fetches('/clients/good.json') - $fetched, $kept->() ], [ 1, 1 ],
    '... after fetching its document again and keeping it anew');

# --- documents that are refused ---------------------------------------------

for my $case (
    [ 'other.json', qr/client_id is not the URL/,
      'a document naming another client_id' ],
    [ 'text.json', qr/not a JSON object/, 'a document that is not JSON' ],
    [ 'plain.json', qr{not served as application/json},
      'a document served as text/plain' ],
    [ 'missing.json', qr/answered HTTP 404/, 'a document that is a 404' ],
    [ 'huge.json', qr/larger than/, 'a document over 5 KiB' ],
    [ 'slow.json', qr/no answer came in time/,
      'a document that takes too long' ],
    [ 'jwt.json', qr/only token_endpoint_auth_method/,
      'a document asking for private_key_jwt' ],
    [ 'secret.json', qr/client_secret/, 'a document with a client_secret' ],
) {
    my ($file, $why, $what) = @$case;
    my $url = "$fixture/clients/$file";
    is_refused_page(authorize_get($url), $why,
        "$what is an error page at authorize");
    is($s->sql(q{SELECT count(*) FROM oauth_clients WHERE id = :'p1'}, $url),
        0, "$what is not kept");
}
my $tk = token({ grant_type => 'authorization_code', code => 'x' x 43,
    redirect_uri => $redirect, code_verifier => 'v' x 43,
    client_id => "$fixture/clients/other.json" });
is_deeply([ $tk->{status}, $tk->{json}{error} // '' ], [ 401,
    'invalid_client' ], 'a bad document at the token endpoint is '
    . 'invalid_client') or diag($tk->{content});
like($tk->{json}{error_description} // '', qr/client_id is not the URL/,
    'whose description says why');

is_refused_page(authorize_get("$fixture/clients/noredirect.json"),
    qr/redirect URI is not one/,
    'a redirect URI the document does not list is an error page');
is_refused_page(authorize_get($good, redirect_uri => "$redirect/"),
    qr/redirect URI is not one/,
    'the redirect URI must be exactly one the document lists');

# --- URLs that are refused before any fetch ---------------------------------

my $before = -s $fixture_log;
my ($port) = $fixture =~ /:(\d+)\z/;
for my $case (
    [ "http://localhost:$port/clients/good.json", qr/must use https/,
      'plain http to a host name' ],
    [ "$fixture/clients/../clients/good.json", qr/segment/,
      'a URL with a dot segment' ],
    [ "$fixture/", qr/has a path/, 'a URL without a path' ],
    [ "http://u:p\@127.0.0.1:$port/clients/good.json", qr/user name/,
      'a URL with credentials' ],
    [ 'https://169.254.169.254/latest/meta-data/client.json',
      qr/could not be fetched/, 'a URL the SSRF guard refuses' ],
) {
    my ($url, $why, $what) = @$case;
    is_refused_page(authorize_get($url), $why, "$what is an error page");
}
is(-s $fixture_log, $before, 'and none of them reached the fixture');

# --- how often one address makes drio fetch ---------------------------------

# At most 30 fetches a minute from one address (this test's earlier
# fetches count too): documents that are not there still cost a fetch.
my ($limited, $tries);
for my $i (1 .. 40) {
    my $res = authorize_get("$fixture/clients/absent-$i.json");
    $tries = $i;
    if ($res->{status} == 429) {
        $limited = $res;
        last;
    }
}
ok($limited, "one address is refused fetches after at most 30 ($tries"
    . ' tries here)');
ok($tries <= 30, '... no later than the 30th');
like(($limited // {})->{headers}{'retry-after'} // '', qr/\A[1-9]\d*\z/,
    '... with Retry-After');
is(fetches("/clients/absent-$tries.json"), 0,
    '... and the refused one reached nothing');

$s->finish;
done_testing;
