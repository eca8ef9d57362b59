#!/usr/bin/perl
# 40-oauth-upstream-oidc.t: signing in through an upstream OpenID Connect
# provider (oidc_issuer, oidc_client_id, oidc_client_secret).  The provider
# is t/fixtures/oidc-provider.mjs, which logs its one user in without
# asking and can be told to misbehave.  The detour: /oauth/authorize sends
# the browser to /signin, /signin to the provider's authorization endpoint
# (code flow, S256 PKCE, state, nonce, and a drio_oidc cookie binding the
# state to the browser), the provider back to /api/v1/auth/callback, which
# exchanges the code (HTTP Basic client authentication), checks the ID
# token (HS256 with the client secret; iss, aud, exp, nonce, a verified
# email), maps the email to an account (an active one, a pending invited
# one activated, else a new one) and signs the browser in.  Everything
# wrong is an HTML error page and no sign-in; a state works once and only
# in the browser it was made for.  Without oidc_issuer, /signin is drio's
# own password form.
#
# The provider (POST /_control) also makes tokens the brief behind this
# test did not name, where OpenID Connect Core decides: an aud array
# holding the client id is accepted; alg "none", no nonce, no exp, no
# email_verified, and email_verified as the string "false" are refused; a
# name claim longer than an account name may be does not stop a sign-in.
#
# Needs node (20 or later); skipped without it.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Digest::SHA qw(sha256_hex);
use File::Spec;
use File::Temp ();
use HTTP::Tiny;
use IO::Select;
use JSON::PP ();
use POSIX qw(WNOHANG _exit setpgid);
use Test::More;
use Time::HiRes qw(sleep time);
use DrioStack;
use DrioBrowser qw(:DEFAULT form_urlencode query_params uri_escape);

# The process that starts the provider: a forked child must not stop it.
my $OWNER_PID = $$;

# --- prerequisites ----------------------------------------------------------

my $node = DrioStack::node_or_skip('the provider fixture');

# --- the provider -----------------------------------------------------------

my $client_id = 'drio-at-upstream';
my $client_secret = 'upstream-secret-0f3a9c27d1b84e65';
my $upstream_email = 'upstream.user@example.com';
my $upstream_name = 'Upstream User';

my $provider_js = File::Spec->catfile(DrioStack::srcdir(), 't', 'fixtures',
    'oidc-provider.mjs');
my $provider_log = File::Temp->new(TMPDIR => 1,
    TEMPLATE => 'drio-oidc-provider-XXXXXX', SUFFIX => '.log');
my ($provider_pid, $provider_out);

# Stop the provider: TERM its process group, wait (bounded), then KILL.
# Returns its wait status, or undef when it had to be killed.
sub stop_provider {
    my $pid = $provider_pid or return undef;
    undef $provider_pid;
    kill 'TERM', -$pid;
    my $deadline = time + 5;
    my $status;
    while (time < $deadline) {
        my $r = waitpid($pid, WNOHANG);
        if ($r == $pid) { $status = $?; last }
        last if $r == -1;
        sleep 0.02;
    }
    if (!defined $status) {
        kill 'KILL', -$pid;
        waitpid($pid, 0);
    }
    return $status;
}

END {
    my $exit = $?;
    stop_provider() if $$ == $OWNER_PID;
    $? = $exit;
}

# Interrupted before the stack is up (DrioStack installs its own handlers,
# which exit too): exit, so that the END block stops the provider.
my %SIGNUM = (HUP => 1, INT => 2, TERM => 15);
for my $sig (keys %SIGNUM) {
    $SIG{$sig} = sub { $SIG{$sig} = 'DEFAULT'; exit 128 + $SIGNUM{$sig} };
}

sub provider_log_tail {
    open my $fh, '<', $provider_log->filename or return '';
    my @lines = <$fh>;
    close $fh;
    @lines = @lines[-30 .. -1] if @lines > 30;
    return join '', @lines;
}

# Start the fixture on a port of its choosing and read its PORT=nnnn line
# within 10 seconds.  Returns the port.
sub start_provider {
    pipe(my $rd, my $wr) or BAIL_OUT("pipe: $!");
    my $pid = fork // BAIL_OUT("fork: $!");
    if ($pid == 0) {
        setpgid(0, 0);
        close $rd;
        open STDIN, '<', '/dev/null' or _exit(126);
        open STDOUT, '>&', $wr or _exit(126);
        open STDERR, '>>', $provider_log->filename or _exit(126);
        my @cmd = ($node, $provider_js, '0', '--client-id', $client_id,
            '--client-secret', $client_secret, '--email', $upstream_email,
            '--name', $upstream_name, '--exit-with-parent');
        { no warnings q(exec); exec { $cmd[0] } @cmd; }
        print STDERR "exec $node: $!\n";
        _exit(127);
    }
    setpgid($pid, $pid);
    close $wr;
    $provider_pid = $pid;
    $provider_out = $rd;    # kept open: the fixture's stdout stays a pipe
    my $sel = IO::Select->new($rd);
    my $buf = '';
    my $deadline = time + 10;
    while ($buf !~ /^PORT=\d+$/m) {
        my $left = $deadline - time;
        last if $left <= 0;
        next unless $sel->can_read($left);
        my $n = sysread($rd, $buf, 4096, length $buf);
        last unless $n;
    }
    my ($port) = $buf =~ /^PORT=(\d+)$/m;
    if (!$port) {
        my $status = stop_provider();
        diag("oidc-provider.mjs printed: $buf\n" . provider_log_tail());
        BAIL_OUT('the OpenID provider fixture did not start ('
            . (defined $status ? "wait status $status" : 'killed') . ')');
    }
    return $port;
}

my $provider_port = start_provider();
my $provider = "http://127.0.0.1:$provider_port";

# Talk to the provider's control endpoint: with %change POST it, without
# GET it.  Returns the settings it answers with.
sub control {
    my (%change) = @_;
    my $http = HTTP::Tiny->new(timeout => 10, keep_alive => 0);
    my $res = %change
        ? $http->request(POST => "$provider/_control", {
            headers => { 'Content-Type' => 'application/json' },
            content => JSON::PP->new->canonical->encode(\%change) })
        : $http->request(GET => "$provider/_control");
    if ($res->{status} != 200) {
        diag(provider_log_tail());
        BAIL_OUT("$provider/_control answered $res->{status}: "
            . "$res->{content}");
    }
    return JSON::PP->new->decode($res->{content});
}

sub token_requests { return control()->{counters}{token} }

# --- the stack --------------------------------------------------------------

my $s = DrioStack->start(env => {
    DRIO_OIDC_ISSUER        => $provider,
    DRIO_OIDC_CLIENT_ID     => $client_id,
    DRIO_OIDC_CLIENT_SECRET => $client_secret,
});
my $issuer = $s->public_url;
my $callback = "$issuer/api/v1/auth/callback";
control(redirect_uri => $callback);

# The words of a space-separated list.
sub words { return grep { $_ ne '' } split / /, $_[0] // '' }

# Sign in through the provider: GET /signin (with next when given), follow
# its redirect to the provider, and the provider's redirect back to drio.
# Stops early when an answer is not the expected redirect.  Returns
# {signin, provider_url, params (of provider_url), provider,
# callback_url, callback}.
sub upstream_login {
    my ($b, $next) = @_;
    my %r;
    $r{signin} = $b->get('/signin'
        . (defined $next ? '?next=' . uri_escape($next) : ''));
    $r{provider_url} = $b->location_url($r{signin}) // '';
    $r{params} = query_params($r{provider_url});
    return \%r unless $r{signin}{status} == 303
        && index($r{provider_url}, "$provider/authorize?") == 0;
    $r{provider} = $b->get($r{provider_url});
    $r{callback_url} = $b->location_url($r{provider});
    if ($r{provider}{status} != 302 || !defined $r{callback_url}) {
        diag("the provider answered $r{provider}{status}: "
            . $r{provider}{content});
        return \%r;
    }
    $r{callback} = $b->get($r{callback_url});
    return \%r;
}

sub live_sessions {
    return $s->sql('SELECT count(*) FROM browser_sessions
        WHERE revoked_at IS NULL');
}

sub sessions_of {
    my ($email) = @_;
    return $s->sql(q{SELECT count(*) FROM browser_sessions b
        JOIN accounts a ON a.id = b.account_id
        WHERE lower(a.email) = lower(:'p1')}, $email);
}

sub accounts_named {
    my ($email) = @_;
    return $s->sql(q{SELECT count(*) FROM accounts
        WHERE lower(email) = lower(:'p1')}, $email);
}

# The email /signin/done shows for $b, or undef when $b is not signed in.
sub signed_in_as {
    my ($b) = @_;
    my $res = $b->get('/signin/done');
    return undef unless $res->{status} == 200;
    my ($email) = $res->{content} =~ m{<strong>([^<]*)</strong>};
    return DrioBrowser::html_decode($email);
}

# Two tests: $res (what the callback answered) is a 4xx HTML page, and
# nobody was signed in: no drio_signin cookie set, none in $b's jar, no new
# browser session.  $sessions is the live session count before.
sub is_refused {
    my ($b, $res, $sessions, $desc) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    $res //= { status => 0, headers => {}, content => '(no answer: the '
        . 'flow stopped before the callback)' };
    my $status = $res->{status};
    is_html_page($res, ($status >= 400 && $status < 500) ? $status : 400,
        "$desc: a 4xx error page");
    my @why;
    push @why, "it redirects to $res->{location}" if defined $res->{location};
    push @why, 'it sets drio_signin'
        if $b->response_cookie($res, 'drio_signin');
    push @why, 'the browser holds a drio_signin cookie'
        if defined $b->cookie('drio_signin');
    my $now = live_sessions();
    push @why, "live browser sessions went from $sessions to $now"
        if $now != $sessions;
    ok(!@why, "$desc: nobody is signed in") or diag(join "\n", @why);
}

# --- discovery, and the detour from /oauth/authorize ------------------------

my $reg = $s->request(POST => '/oauth/register', { json => {
    redirect_uris => ['http://127.0.0.1:53682/callback'],
    client_name => 'Upstream Test CLI' } });
BAIL_OUT("registering a client failed: $reg->{status} $reg->{content}")
    if $reg->{status} != 201;
my $client = $reg->{json};
my ($verifier, $challenge) = pkce_pair();
my $authorize = '/oauth/authorize?' . form_urlencode([
    response_type => 'code', client_id => $client->{client_id},
    redirect_uri => 'http://127.0.0.1:53682/callback',
    code_challenge => $challenge, code_challenge_method => 'S256',
    scope => 'api', state => 'client-state-1' ]);

my $b = DrioBrowser->new($s);
my $res = $b->get($authorize);
is($res->{status}, 303, 'an authorization request not signed in is a 303');
my $to = $b->location_url($res) // '';
like($to, qr{\A\Q$issuer\E/signin\?}, '... to drio\'s /signin');
is(query_params($to)->{next}, $authorize,
    '... with the authorization request as next');

$res = $b->follow($res);
is($res->{status}, 303, 'with oidc_issuer set, /signin answers 303');
my $up = $b->location_url($res) // '';
like($up, qr{\A\Q$provider\E/authorize\?},
    '... to the authorization_endpoint of the provider\'s discovery '
    . 'document');
ok(control()->{counters}{discovery} >= 1,
    'drio fetched /.well-known/openid-configuration from the issuer');
my $q = query_params($up);
my %seen;
my @repeated = grep { $seen{$_}++ } map { $_->[0] } @{ $q->{''} };
is_deeply(\@repeated, [], 'no parameter is repeated');
is($q->{response_type}, 'code', 'response_type is code');
is($q->{client_id}, $client_id, 'client_id is oidc_client_id');
is($q->{redirect_uri}, $callback,
    'redirect_uri is public_url/api/v1/auth/callback');
my %scope = map { $_ => 1 } words($q->{scope});
ok($scope{openid} && $scope{email} && $scope{profile},
    'scope has openid, email and profile')
    or diag("scope: " . ($q->{scope} // '(none)'));
like($q->{state} // '', qr/\A[A-Za-z0-9_-]{22,}\z/,
    'state is at least 128 bits of base64url')
    or diag("state: " . ($q->{state} // '(none)'));
like($q->{nonce} // '', qr/\A[A-Za-z0-9_-]{22,}\z/,
    'nonce is at least 128 bits of base64url')
    or diag("nonce: " . ($q->{nonce} // '(none)'));
isnt($q->{nonce} // '', $q->{state} // '', 'nonce and state differ');
like($q->{code_challenge} // '', qr/\A[A-Za-z0-9_-]{43}\z/,
    'code_challenge is an S256 challenge (43 base64url characters)');
is($q->{code_challenge_method}, 'S256', 'code_challenge_method is S256');
my $oidc_cookie = $b->response_cookie($res, 'drio_oidc');
ok($oidc_cookie && $oidc_cookie->{value} ne '',
    '/signin sets the drio_oidc cookie');
$oidc_cookie //= { value => '', attributes => {} };
ok($oidc_cookie->{attributes}{httponly}, 'the drio_oidc cookie is HttpOnly');
is(lc($oidc_cookie->{attributes}{samesite} // ''), 'lax',
    'the drio_oidc cookie is SameSite=Lax (it must come back on the '
    . 'provider\'s redirect)');
ok(!$oidc_cookie->{attributes}{secure},
    'the drio_oidc cookie is not Secure on a loopback http public_url');
ok(!$b->response_cookie($res, 'drio_signin'), '/signin signs nobody in');
is($s->sql(q{SELECT count(*) FROM oidc_logins WHERE state_sha256 = :'p1'},
    sha256_hex($q->{state} // '')), 1,
    'drio keeps the SHA-256 of the state, not the state');
my $first_state = $q->{state} // '';
my $first_challenge = $q->{code_challenge} // '';

# The provider logs the user in and comes back.
$res = $b->get($up);
is($res->{status}, 302, 'the provider answers 302')
    or diag($res->{content});
my $back = $b->location_url($res) // '';
like($back, qr{\A\Q$callback\E\?}, '... to drio\'s callback');
my $bq = query_params($back);
ok(defined $bq->{code} && ($bq->{state} // '') eq $first_state,
    '... with a code and the state drio sent');

my $tokens_before = token_requests();
$res = $b->get($back);
is($res->{status}, 303, 'the callback answers 303')
    or diag(substr($res->{content}, 0, 600));
is($b->location_url($res), $s->url($authorize),
    '... to next, the authorization request');
my $signin_cookie = $b->response_cookie($res, 'drio_signin');
ok($signin_cookie && $signin_cookie->{value} ne '',
    'the callback sets the drio_signin cookie');
$signin_cookie //= { attributes => {} };
ok($signin_cookie->{attributes}{httponly}
        && lc($signin_cookie->{attributes}{samesite} // '') eq 'lax'
        && ($signin_cookie->{attributes}{path} // '') eq '/',
    'drio_signin is HttpOnly, SameSite=Lax, Path=/ as after a password '
    . 'sign-in');

my $ctl = control();
is($ctl->{counters}{token}, $tokens_before + 1,
    'drio called the token endpoint once');
my $tok = $ctl->{last_token} // {};
my $form = $tok->{form} // {};
is($tok->{auth_method}, 'client_secret_basic',
    'drio authenticated with HTTP Basic (client_secret_basic)');
ok(!exists $form->{client_secret},
    'the client secret is not also in the form');
is($form->{grant_type}, 'authorization_code',
    'grant_type is authorization_code');
is($form->{code}, $bq->{code}, 'drio sent the code it was given');
is($form->{redirect_uri}, $callback,
    'redirect_uri is the one of the authorization request');
is(base64url(Digest::SHA::sha256($form->{code_verifier} // '')),
    $first_challenge, 'the code_verifier matches the code_challenge');
is(($tok->{answer} // {})->{status}, 200,
    'the provider issued the ID token');

# Back at the authorization request, signed in.
my $consent = $b->follow($res);
is_html_page($consent, 200, 'the browser is now shown the consent page');
my $cform = $b->form($consent, qr{authorize});
ok($cform, 'the consent page has the authorize form')
    or BAIL_OUT('no consent form after the upstream sign-in');
$res = $b->submit($cform, { decision => 'allow' });
my $rq = query_params($res->{location} // '');
ok($res->{status} == 302 && defined $rq->{code}
        && ($rq->{state} // '') eq 'client-state-1',
    'Allow gives the OAuth client a code and its state');
$res = $s->request(POST => '/oauth/token', {
    content_type => 'application/x-www-form-urlencoded',
    body => form_urlencode({ grant_type => 'authorization_code',
        code => $rq->{code} // '', code_verifier => $verifier,
        redirect_uri => 'http://127.0.0.1:53682/callback',
        client_id => $client->{client_id} }) });
is($res->{status}, 200, 'the code is exchanged for an access token')
    or diag($res->{content});
my $access = ($res->{json} // {})->{access_token} // '';
$res = $s->request(GET => '/openapi/v1/account', { token => $access });
is($res->{status}, 200, 'the access token works on GET /openapi/v1/account');
my $account = ($res->{json} // {})->{account} // {};
is($account->{email}, $upstream_email,
    'the account is the upstream user\'s email');
is($account->{name}, $upstream_name,
    'a new account takes its name from the name claim');
is($s->sql(q{SELECT status FROM accounts WHERE email = :'p1'},
    $upstream_email), 'active', 'the new account is active');
is(accounts_named($upstream_email), 1, 'exactly one account has the email');
my $upstream_id = $account->{id} // '';

# --- the same user again ----------------------------------------------------

my $b2 = DrioBrowser->new($s);
my $r = upstream_login($b2);
is(($r->{callback} // {})->{status}, 303,
    'a second upstream sign-in answers 303');
is(($r->{callback} // {})->{location}, '/signin/done',
    '... to /signin/done when /signin had no next');
is(signed_in_as($b2), $upstream_email, '... and signs in the same email');
is(accounts_named($upstream_email), 1, '... with no second account');
is(sessions_of($upstream_email), 2,
    'the account now has two browser sessions');

# next leads only to this server, as after a password sign-in.
my $bn = DrioBrowser->new($s);
$r = upstream_login($bn, 'https://evil.example/steal');
is(($r->{callback} // {})->{location}, '/signin/done',
    'a next off this server becomes /signin/done');

# The provider spells the email differently.
control(email => 'Upstream.USER@Example.COM');
my $b3 = DrioBrowser->new($s);
$r = upstream_login($b3, '/signin/done');
is(($r->{callback} // {})->{status}, 303,
    'an upstream email in another case signs in');
is(signed_in_as($b3), $upstream_email,
    '... as the account with that email in any case');
is(accounts_named($upstream_email), 1, '... and creates no account');
is(sessions_of($upstream_email), 4, '... a fourth browser session');

# An account made with drio-admin in mixed case, the provider in lower.
my ($ac) = $s->admin('create-account', 'Mixed.Case@Example.org');
BAIL_OUT('create-account Mixed.Case@Example.org failed') if $ac != 0;
my $mixed_id = $s->sql(q{SELECT id FROM accounts
    WHERE lower(email) = 'mixed.case@example.org'});
BAIL_OUT('no account for Mixed.Case@Example.org') if $mixed_id eq '';
control(email => 'mixed.case@example.org', name => 'Someone Else');
my $b4 = DrioBrowser->new($s);
$r = upstream_login($b4);
is(($r->{callback} // {})->{status}, 303,
    'a lower-case upstream email signs in');
is($s->sql(q{SELECT count(*) FROM browser_sessions
    WHERE account_id = :'p1'}, $mixed_id), 1,
    '... the existing mixed-case account');
is(accounts_named('mixed.case@example.org'), 1,
    '... and creates no account');

# --- an invited (pending) account -------------------------------------------

my $owner = $s->seed_user(email => 'owner@example.com');
my $ws = $s->seed_workspace('Upstream Team', 'owner@example.com');
$res = $s->request(POST => "/openapi/v1/workspaces/$ws/members",
    { token => $owner->{token},
      json => { email => 'invitee@example.com', role => 'normal' } });
is($res->{status}, 201, 'the owner invites invitee@example.com');
my $invitee_id = $s->sql(q{SELECT id FROM accounts
    WHERE email = 'invitee@example.com'});
is($s->sql(q{SELECT status FROM accounts WHERE id = :'p1'}, $invitee_id),
    'pending', 'the invited account is pending');
control(email => 'invitee@example.com', name => 'Invited Person');
my $b5 = DrioBrowser->new($s);
$r = upstream_login($b5);
is(($r->{callback} // {})->{status}, 303,
    'the invited user signs in through the provider');
is(signed_in_as($b5), 'invitee@example.com', '... as the invited email');
is($s->sql(q{SELECT status FROM accounts WHERE id = :'p1'}, $invitee_id),
    'active', 'the pending account is activated');
is(accounts_named('invitee@example.com'), 1,
    '... not replaced by a new account');
is($s->sql(q{SELECT count(*) FROM browser_sessions WHERE account_id = :'p1'},
    $invitee_id), 1, 'the session belongs to the invited account');
is($s->sql(q{SELECT count(*) FROM members
    WHERE workspace_id = :'p1' AND account_id = :'p2'}, $ws, $invitee_id),
    1, 'the invited account is still a member of the workspace');

# --- a new account without a name claim -------------------------------------

control(email => 'no.name@example.net', name => undef);
my $b6 = DrioBrowser->new($s);
$r = upstream_login($b6);
is(($r->{callback} // {})->{status}, 303,
    'a user the provider gives no name signs in');
is($s->sql(q{SELECT name FROM accounts WHERE email = 'no.name@example.net'}),
    'no.name', 'the new account is named after the email\'s local part');

# A name claim longer than an account name may be.
control(email => 'long.name@example.com', name => "\x{e9}" x 300);
my $bl = DrioBrowser->new($s);
$r = upstream_login($bl);
is(($r->{callback} // {})->{status}, 303,
    'a name claim of 300 characters does not stop the sign-in')
    or diag(substr(($r->{callback} // {})->{content} // '', 0, 400));
my $long = $s->sql(q{SELECT length(name) FROM accounts
    WHERE email = 'long.name@example.com'});
ok($long ne '' && $long > 0 && $long <= 255,
    '... and the account\'s name is cut to at most 255 characters')
    or diag("length(name): '$long'");

# aud may be an array holding the client id (OpenID Connect Core §2).
control(email => $upstream_email, name => $upstream_name,
    mode => 'aud_array');
my $b7 = DrioBrowser->new($s);
$r = upstream_login($b7);
is(($r->{callback} // {})->{status}, 303,
    'an ID token whose aud is an array holding the client id is accepted');

# --- the other "sign in first" redirects ------------------------------------

# An invitation for an existing account: sign in at the provider, then
# back to the invitation.
control(email => $upstream_email, name => $upstream_name);
$res = $s->request(POST => "/openapi/v1/workspaces/$ws/members",
    { token => $owner->{token},
      json => { email => $upstream_email, role => 'normal' } });
is($res->{status}, 201, 'the owner invites the upstream user');
my ($invite) = (($res->{json} // {})->{invite_url} // '')
    =~ m{\Ahttps?://[^/]+(/.*)\z};
$invite //= '/signin/invite?token=missing';
my $bi = DrioBrowser->new($s);
$res = $bi->get($invite);
is($res->{status}, 303, 'the invitation sends a browser not signed in away');
$r = upstream_login($bi, query_params($bi->location_url($res) // '')->{next});
is(($r->{signin} // {})->{status}, 303,
    '... through /signin to the provider');
is($bi->location_url($r->{callback} // {}), $s->url($invite),
    'the upstream sign-in leads back to the invitation');
my $iform = $bi->form($bi->get($invite), qr{/signin/invite});
ok($iform && !exists $iform->{fields}{password},
    'the invitation page offers to join, asking no password');

my $bd = DrioBrowser->new($s);
$res = $bd->get('/device');
is($res->{status}, 303, '/device not signed in is a 303');
$res = $bd->follow($res);
ok($res->{status} == 303
        && index($bd->location_url($res) // '', "$provider/authorize?") == 0,
    '... through /signin to the provider')
    or diag("status $res->{status}, Location "
        . ($res->{location} // '(none)'));

# --- the provider misbehaves ------------------------------------------------

control(reset => JSON::PP::true);
for my $case (
    [ { mode => 'deny' },
      'the provider answering error=access_denied' ],
    [ { mode => 'token_error' }, 'the token endpoint answering an error' ],
    [ { mode => 'bad_signature' },
      'an ID token whose HMAC was made with another key' ],
    [ { mode => 'alg_none' }, 'an unsigned ID token (alg none)' ],
    [ { mode => 'wrong_iss' }, 'an ID token from another issuer' ],
    [ { mode => 'wrong_aud' }, 'an ID token for another client' ],
    [ { mode => 'wrong_nonce' }, 'an ID token with another nonce' ],
    [ { mode => 'no_nonce' }, 'an ID token without the nonce' ],
    [ { mode => 'expired' }, 'an expired ID token' ],
    [ { email => 'unverified@example.com', email_verified => JSON::PP::false },
      'an unverified email' ],
    [ { email => 'stringly@example.com', email_verified => 'false' },
      'email_verified as the string "false"' ],
    [ { email_verified => undef }, 'an ID token without email_verified' ],
    [ { email => undef }, 'an ID token without an email' ],
    [ { claims => { exp => undef } }, 'an ID token without exp' ],
    [ { claims => { aud => ['another-client'] } },
      'an ID token whose aud array lacks the client id' ],
) {
    my ($change, $what) = @$case;
    control(reset => JSON::PP::true, %$change);
    my $sessions = live_sessions();
    my $bx = DrioBrowser->new($s);
    my $rx = upstream_login($bx, '/signin/done');
    is_refused($bx, $rx->{callback}, $sessions, ucfirst $what);
    # The refusal is for the reason meant: drio got as far as the token
    # endpoint (but for a denial, which has no code).
    my $calls = control()->{counters}{token};
    is($calls, ($change->{mode} // '') eq 'deny' ? 0 : 1,
        ucfirst($what) . ': the token endpoint was called '
        . (($change->{mode} // '') eq 'deny' ? 'never' : 'once'));
}
is(accounts_named('unverified@example.com')
        + accounts_named('stringly@example.com'), 0,
    'an unverified email makes no account');
control(reset => JSON::PP::true);

# --- states: once, and only with their cookie -------------------------------

# Replayed after it worked, by a browser holding the same drio_oidc cookie.
my $b8 = DrioBrowser->new($s);
$r = upstream_login($b8);
is(($r->{callback} // {})->{status}, 303, 'a fresh sign-in works');
my $saved_cookie = ($b8->response_cookie($r->{signin}, 'drio_oidc')
    // {})->{value} // '';
my $replayer = DrioBrowser->new($s);
$replayer->set_cookie('drio_oidc', $saved_cookie);
my $sessions = live_sessions();
my $tokens = token_requests();
$res = $replayer->get($r->{callback_url} // "$callback?code=x&state=y");
is_refused($replayer, $res, $sessions,
    'The callback URL replayed with its cookie');
is(token_requests(), $tokens,
    '... refused before drio calls the token endpoint');
$res = $b8->get($r->{callback_url} // "$callback?code=x&state=y");
ok($res->{status} >= 400 && $res->{status} < 500
        && !$b8->response_cookie($res, 'drio_signin')
        && live_sessions() == $sessions,
    'the callback URL replayed by the browser that used it is refused too')
    or diag("status $res->{status}");

# A callback without the drio_oidc cookie the state was made for.
my $b9 = DrioBrowser->new($s);
my $started = $b9->get('/signin');
my $pres = $b9->get($b9->location_url($started) // "$provider/authorize");
my $stolen = $b9->location_url($pres) // "$callback?code=x&state=y";
like($stolen, qr{\A\Q$callback\E\?.*\bcode=}, 'a login reaches the callback URL');
$sessions = live_sessions();
$tokens = token_requests();
my $thief = DrioBrowser->new($s);
$res = $thief->get($stolen);
is_refused($thief, $res, $sessions, 'The callback without a drio_oidc cookie');
is(token_requests(), $tokens,
    '... refused before drio calls the token endpoint');

# ... nor with the cookie of another login.
my $other = DrioBrowser->new($s);
$other->get('/signin');    # its own state and drio_oidc cookie
ok(defined $other->cookie('drio_oidc'), 'another browser starts a login');
$res = $other->get($stolen);
is_refused($other, $res, $sessions,
    'The callback with the drio_oidc cookie of another login');
is(token_requests(), $tokens,
    '... refused before drio calls the token endpoint');

# A login older than its ten minutes.
my $b10 = DrioBrowser->new($s);
$started = $b10->get('/signin');
my $late_state = query_params($b10->location_url($started) // '')->{state}
    // '';
$pres = $b10->get($b10->location_url($started) // "$provider/authorize");
$s->sql(q{UPDATE oidc_logins SET expires_at = now() - interval '1 second'
    WHERE state_sha256 = :'p1'}, sha256_hex($late_state));
$res = $b10->get($b10->location_url($pres) // "$callback?code=x&state=y");
is_refused($b10, $res, $sessions, 'The callback after the login expired');
is(token_requests(), $tokens,
    '... refused before drio calls the token endpoint');

# Missing and unknown states.
$res = $other->get('/api/v1/auth/callback?code=abc');
is_refused($other, $res, $sessions, 'A callback without state');
$res = $other->get('/api/v1/auth/callback?code=abc&state='
    . ('A' x 43));
is_refused($other, $res, $sessions, 'A callback with an unknown state');
$res = DrioBrowser->new($s)->get('/api/v1/auth/callback');
ok($res->{status} >= 400 && $res->{status} < 500,
    'a bare GET /api/v1/auth/callback is a 4xx')
    or diag("status $res->{status}");
is(token_requests(), $tokens, 'none of these reached the token endpoint');

# With a provider, drio's own passwords are not a way in.
{
    my $pw = DrioBrowser->new($s);
    $pw->set_cookie(drio_csrf => 'c' x 43);
    $res = $pw->post_form('/signin', { email => 'anyone@example.com',
        password => 'whatever-123', csrf => 'c' x 43,
        next => '/signin/done' });
    is_html_page($res, 403,
        'with a provider configured, password sign-in is refused');
    ok(!$pw->response_cookie($res, 'drio_signin'), '... and signs nobody in');
}

$s->finish;

# --- a provider that cannot be reached --------------------------------------

{
    my $down = DrioStack->start(responders => ['oauth'], instances => 1,
        env => { DRIO_OIDC_ISSUER => 'http://127.0.0.1:1',
                 DRIO_OIDC_CLIENT_ID => 'drio',
                 DRIO_OIDC_CLIENT_SECRET => 'unused-secret' });
    my $res = DrioBrowser->new($down)->get('/signin?next=%2Fsignin%2Fdone');
    is_html_page($res, 502,
        'an identity provider that cannot be reached is a 502 page');
    $down->finish;
}

my $status = stop_provider();
is($status, 0, 'the provider fixture exits 0 on SIGTERM')
    or diag(provider_log_tail());

# --- without oidc_issuer ----------------------------------------------------

my $plain = DrioStack->start(responders => ['oauth'], instances => 1);
my $pb = DrioBrowser->new($plain);
$res = $pb->get('/signin?next=%2Fsignin%2Fdone');
is_html_page($res, 200, 'without oidc_issuer, /signin is a page');
my $pform = $pb->form($res, qr{(?:\A|/)signin(?:[?#]|\z)});
ok($pform && exists $pform->{fields}{email}
        && exists $pform->{fields}{password},
    '... drio\'s own email and password form');
ok(!$pb->response_cookie($res, 'drio_oidc'),
    '... and no drio_oidc cookie is set');
$plain->finish;

done_testing;
