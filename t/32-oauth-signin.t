#!/usr/bin/perl
# 32-oauth-signin.t: the browser sign-in that OAuth consent rests on: the
# form and its double-submit CSRF cookie, the headers every page carries,
# the session cookie and the hash-only row behind it, one answer for a
# wrong email or password, where `next` may lead, escaping, and signing
# out.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Digest::SHA qw(sha256_hex);
use Test::More;
use DrioStack;
use DrioTest;
use DrioBrowser qw(:DEFAULT form_urlencode query_params uri_escape);

my $s = DrioStack->start;

my $email = 'signer@example.com';
my $password = 'correct horse battery staple';
my ($code, undef, $err) = $s->admin_stdin("$password\n", 'create-account',
    $email, '--password-stdin');
BAIL_OUT("create-account $email failed: $err") if $code != 0;
($code, undef, $err) = $s->admin('create-account', 'nopass@example.com');
BAIL_OUT("create-account nopass\@example.com failed: $err") if $code != 0;

# A public client and an authorization request for it, for the "is this
# browser signed in" checks.
my $client = $s->request(POST => '/oauth/register', { json => {
    redirect_uris => ['http://127.0.0.1:53682/callback'],
    client_name => 'Signin Test' } })->{json} // {};
my (undef, $challenge) = pkce_pair();
my $authorize = '/oauth/authorize?' . form_urlencode([
    response_type => 'code', client_id => $client->{client_id} // '',
    redirect_uri => 'http://127.0.0.1:53682/callback',
    code_challenge => $challenge, code_challenge_method => 'S256',
    state => 'xyz' ]);

# The visible text of a page: tags dropped, whitespace collapsed.
sub page_text {
    my ($html) = @_;
    $html =~ s{<(script|style)\b.*?</\1\s*>}{}gis;
    $html =~ s{<[^>]*>}{ }g;
    $html = DrioBrowser::html_decode($html);
    $html =~ s/\s+/ /g;
    $html =~ s/^ | $//g;
    return $html;
}

sub live_sessions {
    return $s->sql(q{SELECT count(*) FROM browser_sessions
        WHERE revoked_at IS NULL});
}

# --- the form ---------------------------------------------------------------

my $b = DrioBrowser->new($s);
my $page = $b->get('/signin?next=' . uri_escape($authorize));
is_html_page($page, 200, 'GET /signin is a page with the security headers');
my $form = $b->form($page, qr{(?:\A|/)signin(?:[?#]|\z)});
ok($form, 'the sign-in page holds a form that posts to /signin');
$form //= { fields => {}, method => '', action => '' };
is($form->{method}, 'POST', 'the sign-in form is sent with POST');
ok(exists $form->{fields}{email} && exists $form->{fields}{password},
    'the sign-in form asks for email and password');
like($form->{fields}{csrf} // '', qr/\A[A-Za-z0-9_-]{16,}\z/,
    'the sign-in form carries a csrf hidden field');
is($form->{fields}{next}, $authorize,
    'the sign-in form carries next as given');
my $csrf_cookie = $b->response_cookie($page, 'drio_csrf');
ok($csrf_cookie, 'GET /signin sets the drio_csrf cookie');
$csrf_cookie //= { value => '', attributes => {} };
is($csrf_cookie->{value}, $form->{fields}{csrf},
    'the drio_csrf cookie equals the form\'s csrf field');
ok($csrf_cookie->{attributes}{httponly}, 'the drio_csrf cookie is HttpOnly');
is(lc($csrf_cookie->{attributes}{samesite} // ''), 'strict',
    'the drio_csrf cookie is SameSite=Strict');
ok(!$csrf_cookie->{attributes}{secure},
    'the drio_csrf cookie is not Secure on a plain-http loopback stack');
unlike($page->{content}, qr{<script\b}i, 'the sign-in page has no script');

# A next that could break out of its attribute is escaped.
my $tricky = '/oauth/authorize?x="><script>alert(1)</script>';
$page = $b->get('/signin?next=' . uri_escape($tricky));
unlike($page->{content}, qr{<script>alert}i,
    'a next with markup is escaped in the sign-in page');
is(($b->form($page, qr{signin}) // { fields => {} })->{fields}{next},
    $tricky, 'the escaped next still reads back as given');

# --- signing in -------------------------------------------------------------

my $res = $b->submit($form, { email => $email, password => $password });
is($res->{status}, 303, 'the right password answers 303');
is($b->location_url($res), $s->url($authorize),
    'the sign-in redirects to next');
my $signin = $b->response_cookie($res, 'drio_signin');
ok($signin, 'a successful sign-in sets the drio_signin cookie');
$signin //= { value => '', attributes => {} };
ok($signin->{attributes}{httponly}, 'the drio_signin cookie is HttpOnly');
is(lc($signin->{attributes}{samesite} // ''), 'lax',
    'the drio_signin cookie is SameSite=Lax');
is($signin->{attributes}{path}, '/', 'the drio_signin cookie has Path=/');
ok(!$signin->{attributes}{secure},
    'the drio_signin cookie is not Secure on a plain-http loopback stack');
like($signin->{value}, qr/\A[A-Za-z0-9_-]{32,}\z/,
    'the drio_signin cookie holds a long random token');
is($s->sql('SELECT count(*) FROM browser_sessions'), 1,
    'the sign-in made one browser_sessions row');
my $rows = $s->sql(q{SELECT to_jsonb(b)::text FROM browser_sessions b});
ok(index($rows, $signin->{value}) < 0,
    'no browser_sessions column holds the cookie value');
is($s->sql('SELECT token_sha256 FROM browser_sessions'),
    sha256_hex($signin->{value}),
    'browser_sessions holds the SHA-256 of the cookie value');
my $hours = $s->sql(q{SELECT round(extract(epoch FROM expires_at - now())
    / 3600) FROM browser_sessions});
is($hours, 12, 'a browser session lasts signin_session_hours (12)');

$res = $b->get($authorize);
is_html_page($res, 200, 'the signed-in browser gets the consent page');
is_html_page($b->get('/signin/done'), 200,
    'the /signin/done page carries the security headers');

# next left out, or pointing anywhere but this server, ends at /signin/done.
for my $case ([ undef, 'no next' ],
    [ 'https://evil.example/', 'next on another site' ],
    [ '//evil.example/x', 'a protocol-relative next' ],
    [ '/\\evil', 'a next of /\\evil' ],
    [ '/\\\\evil.example', 'a next of /\\\\evil.example' ],
    [ 'javascript:alert(1)', 'a javascript: next' ],
    [ "/\t/evil.example", 'a next with a tab after the slash' ]) {
    my ($next, $what) = @$case;
    my $other = DrioBrowser->new($s);
    my $page = $other->get('/signin');
    my $f = $other->form($page, qr{signin}) // { fields => {} };
    $res = $other->submit($f, { email => $email, password => $password,
        next => $next });
    is_deeply([ $res->{status}, $other->location_url($res) ],
        [ 303, $s->url('/signin/done') ],
        "$what is replaced by /signin/done");
}

# --- wrong credentials ------------------------------------------------------

my $before = $s->sql('SELECT count(*) FROM browser_sessions');
my $c = DrioBrowser->new($s);
$form = $c->form($c->get('/signin'), qr{signin}) // { fields => {} };
my $wrong = $c->submit($form, { email => $email, password => 'wrong' });
is_html_page($wrong, 401, 'a wrong password is a 401 page');
ok(!$c->response_cookie($wrong, 'drio_signin'),
    'a wrong password sets no drio_signin cookie');
ok($c->form($wrong, qr{signin}), 'a wrong password shows the form again');
my $unknown = $c->submit($form,
    { email => 'nobody@example.com', password => 'wrong' });
is_html_page($unknown, 401, 'an unknown email is a 401 page');
ok(!$c->response_cookie($unknown, 'drio_signin'),
    'an unknown email sets no drio_signin cookie');
is(page_text($unknown->{content}), page_text($wrong->{content}),
    'a wrong password and an unknown email read the same');
$res = $c->submit($form,
    { email => 'nopass@example.com', password => 'anything' });
is($res->{status}, 401, 'an account without a password cannot sign in');
is(page_text($res->{content}), page_text($wrong->{content}),
    'an account without a password reads like a wrong password');
$res = $c->submit($form, { email => $email, password => '' });
is($res->{status}, 401, 'an empty password is refused');
is($s->sql('SELECT count(*) FROM browser_sessions'), $before,
    'failed sign-ins make no browser session');

my $evil = '<script>@x.io';
$res = $c->submit($form, { email => $evil, password => 'wrong' });
unlike($res->{content}, qr{<script}i,
    'an email with markup is not shown raw');
like($res->{content}, qr{&lt;script&gt;\@x\.io},
    'an email with markup is shown escaped');
is(($c->form($res, qr{signin}) // { fields => {} })->{fields}{email}, $evil,
    'the form shown again is filled in with the email as typed');

# --- CSRF -------------------------------------------------------------------

$c = DrioBrowser->new($s);
$form = $c->form($c->get('/signin'), qr{signin}) // { fields => {} };
$res = $c->submit($form, { email => $email, password => $password,
    csrf => undef });
is_html_page($res, 403, 'a sign-in without a csrf field is a 403 page');
ok(!$c->response_cookie($res, 'drio_signin'),
    'a sign-in without csrf sets no drio_signin cookie');
$res = $c->submit($form, { email => $email, password => $password,
    csrf => 'A' x 43 });
is($res->{status}, 403, 'a sign-in with a wrong csrf is a 403');
$c->clear_cookies('drio_csrf');
$res = $c->submit($form, { email => $email, password => $password });
is($res->{status}, 403,
    'a sign-in whose csrf has no cookie to match is a 403');
$res = $c->post_form('/signin', { email => $email, password => $password,
    csrf => '' });
is($res->{status}, 403, 'an empty csrf with no cookie is a 403');
is($s->sql('SELECT count(*) FROM browser_sessions'), $before,
    'refused sign-ins make no browser session');

# --- signing out ------------------------------------------------------------

my $old = $b->cookie('drio_signin');
my $csrf = $b->cookie('drio_csrf');
$res = $b->post_form('/signout', { csrf => 'wrong' });
is($res->{status}, 403, 'a sign-out with a wrong csrf is a 403');
is($b->get($authorize)->{status}, 200,
    'a refused sign-out leaves the browser signed in');

$res = $b->post_form('/signout', { csrf => $csrf });
ok($res->{status} == 200 || $res->{status} == 303,
    'a sign-out with the csrf answers 200 or 303')
    or diag("status $res->{status}");
my $cleared = $b->response_cookie($res, 'drio_signin')
    // { attributes => {} };
is($cleared->{attributes}{'max-age'}, '0',
    'the sign-out clears the drio_signin cookie with Max-Age=0');
ok(!defined $b->cookie('drio_signin'), 'the browser forgot the cookie');
isnt($s->sql(q{SELECT revoked_at FROM browser_sessions
    WHERE token_sha256 = :'p1'}, sha256_hex($old)), '',
    'the sign-out revoked the session row');

$b->set_cookie('drio_signin', $old);
$res = $b->get($authorize);
is($res->{status}, 303, 'the old cookie no longer counts as signed in');
my $to = $b->location_url($res) // '';
is(($to =~ m{\A\Q${\ $s->public_url }\E(/signin)(?:\?|\z)})[0], '/signin',
    'the old cookie is sent to the sign-in page');

$s->finish;

# --- Secure cookies ---------------------------------------------------------

# A public URL that is plain http on a host that is not loopback still
# gets Secure cookies: only loopback is exempt.
my $remote = DrioStack->start(
    env => { DRIO_PUBLIC_URL => 'http://drio.example:8080' });
($code, undef, $err) = $remote->admin_stdin("$password\n", 'create-account',
    $email, '--password-stdin');
BAIL_OUT("create-account $email failed: $err") if $code != 0;
$b = DrioBrowser->new($remote);
$page = $b->get('/signin');
ok((($b->response_cookie($page, 'drio_csrf') // {})->{attributes} // {})
        ->{secure},
    'the drio_csrf cookie is Secure when public_url is not loopback');
$res = $b->sign_in($email, $password);
is($res->{status}, 303, 'signing in works behind a non-loopback public_url');
ok((($b->response_cookie($res, 'drio_signin') // {})->{attributes} // {})
        ->{secure},
    'the drio_signin cookie is Secure when public_url is not loopback');
$remote->finish;
done_testing;
