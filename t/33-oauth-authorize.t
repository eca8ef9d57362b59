#!/usr/bin/perl
# 33-oauth-authorize.t: the authorization endpoint: which mistakes are an
# error page (an unknown client, a redirect URI not registered) and which
# go back to the client by redirect, the detour through sign-in, the
# consent page, and Allow and Deny answering with code or error, state
# exactly as sent and iss (RFC 9207).
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Digest::SHA ();
use Test::More;
use DrioStack;
use DrioTest;
use DrioBrowser qw(:DEFAULT form_urlencode query_params uri_escape);

my $s = DrioStack->start;
my $issuer = $s->public_url;

my $email = 'consenter@example.com';
my $password = 'consent-password-1';
my ($code, undef, $err) = $s->admin_stdin("$password\n", 'create-account',
    $email, '--password-stdin');
BAIL_OUT("create-account $email failed: $err") if $code != 0;

my $redirect = 'http://127.0.0.1:53682/callback';
my $client_name = q{Tom & Jerry's <CLI>};
my $client = $s->register_client({ redirect_uris => [$redirect],
    client_name => $client_name });
my $two = $s->register_client({ redirect_uris => [ 'https://two.example/a',
    'https://two.example/b?app=1' ], client_name => 'Two URIs' });
# A client that did not register the authorization_code grant.
my $device_only = $s->request(POST => '/oauth/register', { json => {
    redirect_uris => ['https://dev.example/cb'],
    grant_types => ['refresh_token'] } });
$device_only = $device_only->{json} // {};

my (undef, $challenge) = pkce_pair();
my %good = (response_type => 'code', client_id => $client->{client_id},
    redirect_uri => $redirect, code_challenge => $challenge,
    code_challenge_method => 'S256', scope => 'api offline_access',
    state => 'st-1');

# The authorization path with %good changed by %change (undef drops a
# parameter); $pairs (an arrayref) instead gives the query exactly.
sub authorize_path {
    my (%change) = @_;
    my $path = delete $change{path} // '/oauth/authorize';
    my %p = (%good, %change);
    delete $p{$_} for grep { !defined $p{$_} } keys %p;
    return "$path?" . form_urlencode(\%p);
}

# One test: $res redirects to $base (the redirect URI, its own query
# kept) with an error $error, state $state (undef: none) and iss.
sub is_error_redirect {
    my ($res, $base, $error, $state, $desc) = @_;
    my @why;
    push @why, "status is $res->{status}, not 302" if $res->{status} != 302;
    my $loc = $res->{location} // '';
    push @why, "Location $loc does not start with $base"
        unless index($loc, $base) == 0
            && substr($loc, length $base, 1) =~ /\A[?&]\z/;
    my $p = query_params($loc);
    push @why, 'error is ' . ($p->{error} // '(none)') . ", not $error"
        if ($p->{error} // '') ne $error;
    push @why, 'state is ' . ($p->{state} // '(none)') . ', not '
        . ($state // '(none)')
        if ($p->{state} // "\0") ne ($state // "\0");
    push @why, 'iss is ' . ($p->{iss} // '(none)') . ", not $issuer"
        if ($p->{iss} // '') ne $issuer;
    push @why, 'a code came with the error' if exists $p->{code};
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    ok(!@why, $desc) or diag(join "\n", @why);
}

# One test: $res is a 400 HTML error page that does not redirect.
sub is_error_page {
    my ($res, $desc) = @_;
    my $ok = is_html_page($res, 400, $desc);
    diag("the error page has a Location: $res->{location}")
        if defined $res->{location};
    return $ok;
}

# --- errors shown, not redirected -------------------------------------------

my $b = DrioBrowser->new($s);
my $res = $b->get(authorize_path(client_id => 'dc_AAAAAAAAAAAAAAAAAAAAAA'));
is_error_page($res, 'an unknown client_id is a 400 error page');
ok(!defined $res->{location}, 'an unknown client_id is never redirected');
$res = $b->get(authorize_path(client_id => undef));
is_error_page($res, 'a missing client_id is a 400 error page');
ok(!defined $res->{location}, 'a missing client_id is never redirected');
for my $case (
    [ 'http://127.0.0.1:53682/elsewhere', 'an unregistered redirect_uri' ],
    [ "$redirect/", 'a redirect_uri differing by a trailing slash' ],
    [ "$redirect?x=1", 'a redirect_uri differing by a query' ],
    [ 'http://127.0.0.1:53683/callback', 'a redirect_uri on another port' ],
    [ 'HTTP://127.0.0.1:53682/callback', 'a redirect_uri in another case' ],
) {
    my ($uri, $what) = @$case;
    $res = $b->get(authorize_path(redirect_uri => $uri));
    is_error_page($res, "$what is a 400 error page");
    ok(!defined $res->{location}, "$what is never redirected");
}
$res = $b->get(authorize_path(client_id => $two->{client_id},
    redirect_uri => undef));
is_error_page($res, 'leaving out redirect_uri for a client with two '
    . 'registered is a 400 error page');
$res = $b->get(authorize_path(path => '/api/v1/auth/authorize',
    client_id => 'dc_AAAAAAAAAAAAAAAAAAAAAA'));
is_error_page($res,
    'the /api/v1/auth/authorize alias shows an unknown client the error page');

# --- not signed in ----------------------------------------------------------

my $path = authorize_path();
$res = $b->get($path);
is($res->{status}, 303, 'an authorization request not signed in is a 303');
my $to = $b->location_url($res) // '';
like($to, qr{\A\Q$issuer\E/signin\?},
    'the browser is sent to the sign-in page');
my $next = query_params($to)->{next} // '';
is($next, $path, 'next is the authorization request as made');
$res = $b->get(authorize_path(path => '/api/v1/auth/authorize'));
is_deeply([ $res->{status}, ($b->location_url($res) // '') =~ m{(/signin)\?} ],
    [ 303, '/signin' ],
    'the /api/v1/auth/authorize alias also sends to the sign-in page');

# --- signing in and the consent page ----------------------------------------

$res = $b->sign_in($email, $password, $next);
is($res->{status}, 303, 'signing in from the detour answers 303');
is($b->location_url($res), $s->url($path),
    'the sign-in sends the browser back to the authorization request');
my $consent = $b->follow($res);
is_html_page($consent, 200, 'the signed-in browser gets a consent page');
my $text = $consent->{content};
like($text, qr{Tom &amp; Jerry&#(?:39|x27);s &lt;CLI&gt;},
    'the consent page names the client, escaped');
unlike($text, qr{<CLI>}, 'the client name is never shown raw');
like($text, qr{127\.0\.0\.1}, 'the consent page shows the redirect host');
like($text, qr{\bapi\b}, 'the consent page names the api scope');
like($text, qr{offline_access|offline}i,
    'the consent page names the offline_access scope');
my $narrow = $b->get(authorize_path(scope => 'api'));
is_deeply([ $narrow->{status}, $narrow->{content} =~ /offline/i ? 1 : 0 ],
    [ 200, 0 ],
    'the consent page for scope api alone does not mention offline access');
my $form = $b->form($consent, qr{authorize});
ok($form, 'the consent page holds a form that posts to /oauth/authorize');
$form //= { fields => {}, buttons => [], method => '' };
is($form->{method}, 'POST', 'the consent form is sent with POST');
is_deeply([ sort map { $_->[1] } grep { $_->[0] eq 'decision' }
        @{ $form->{buttons} } ], [ 'allow', 'deny' ],
    'the consent form has Allow and Deny buttons named decision');
like($form->{fields}{csrf} // '', qr/\A[A-Za-z0-9_-]{16,}\z/,
    'the consent form carries a csrf field');

# --- problems the client hears about by redirect ----------------------------

$res = $b->get(authorize_path(redirect_uri => undef, code_challenge => undef));
is_error_redirect($res, $redirect, 'invalid_request', 'st-1',
    'a client with one redirect URI may leave redirect_uri out');

for my $case (
    [ { code_challenge => undef }, 'invalid_request',
      'a missing code_challenge' ],
    [ { code_challenge => 'a' x 42 }, 'invalid_request',
      'a code_challenge of 42 characters' ],
    [ { code_challenge => 'a' x 129 }, 'invalid_request',
      'a code_challenge of 129 characters' ],
    [ { code_challenge => ('a' x 42) . '+' }, 'invalid_request',
      'a code_challenge with a character outside [A-Za-z0-9._~-]' ],
    [ { code_challenge_method => 'plain' }, 'invalid_request',
      'code_challenge_method=plain' ],
    [ { code_challenge_method => undef }, 'invalid_request',
      'a missing code_challenge_method' ],
    [ { response_type => 'token' }, 'unsupported_response_type',
      'response_type=token' ],
    [ { scope => 'bogus' }, 'invalid_scope', 'scope=bogus' ],
    [ { scope => 'api bogus' }, 'invalid_scope',
      'a scope list with an unknown scope' ],
) {
    my ($change, $error, $what) = @$case;
    is_error_redirect($b->get(authorize_path(%$change)), $redirect, $error,
        'st-1', "$what is sent back as $error");
}
is_error_redirect($b->get(authorize_path(
        client_id => $device_only->{client_id},
        redirect_uri => 'https://dev.example/cb')),
    'https://dev.example/cb', 'unauthorized_client', 'st-1',
    'a client without the authorization_code grant gets unauthorized_client');
$res = $b->get(authorize_path() . '&state=again');
is_html_page($res, 422,
    'a repeated parameter is an error page: which value would be trusted?');
ok(!defined $res->{headers}{location},
    'and nothing is sent back to the redirect URI');
is_error_redirect($b->get(authorize_path(client_id => $two->{client_id},
        redirect_uri => 'https://two.example/b?app=1',
        code_challenge => undef)),
    'https://two.example/b?app=1', 'invalid_request', 'st-1',
    'an error redirect keeps the query of the redirect URI');
$res = $b->get(authorize_path(code_challenge => undef, state => undef));
my $p = query_params($res->{location} // '');
is_deeply([ $res->{status}, $p->{error}, exists $p->{state} ? 1 : 0 ],
    [ 302, 'invalid_request', 0 ],
    'an error redirect without state in the request carries no state');

# --- Deny and Allow ---------------------------------------------------------

my $r = $b->authorize(%good, decision => 'deny');
is_error_redirect($r->{answer} // {}, $redirect, 'access_denied', 'st-1',
    'Deny sends access_denied back with state and iss');

my $state = "a b&c=d/\x{e9}\x{2713}+%";
$r = $b->authorize(%good, state => $state);
$res = $r->{answer} // {};
is($res->{status}, 302, 'Allow answers 302');
like($res->{location} // '', qr{\A\Q$redirect\E\?},
    'Allow redirects to the registered redirect URI');
like($r->{code} // '', qr/\A[A-Za-z0-9_-]{20,}\z/,
    'Allow sends a code back');
is($r->{state}, $state, 'the state comes back exactly as sent');
is($r->{iss}, $issuer, 'iss is the issuer');
ok(!exists $r->{params}{error}, 'Allow sends no error');
is($s->sql(q{SELECT count(*) FROM oauth_codes WHERE client_id = :'p1'},
    $client->{client_id}), 1, 'Allow stores one authorization code');
is($s->sql(q{SELECT round(extract(epoch FROM expires_at - created_at))
    FROM oauth_codes WHERE client_id = :'p1'}, $client->{client_id}), 60,
    'the code lives oauth_code_seconds (60)');
is($s->sql(q{SELECT count(*) FROM oauth_codes WHERE code_sha256 = :'p1'},
    Digest::SHA::sha256_hex($r->{code} // '')), 1,
    'oauth_codes keeps the SHA-256 of the code');

$r = $b->authorize(%good, client_id => $two->{client_id},
    redirect_uri => 'https://two.example/b?app=1');
my $loc = $r->{location} // '';
ok(index($loc, 'https://two.example/b?app=1&') == 0 && defined $r->{code},
    'Allow keeps the query of the redirect URI and adds the code')
    or diag("Location: $loc");

$r = $b->authorize(%good, path => '/api/v1/auth/authorize',
    state => 'via-alias');
is_deeply([ ($r->{answer} // {})->{status}, $r->{state},
        defined $r->{code} ? 1 : 0 ], [ 302, 'via-alias', 1 ],
    'the /api/v1/auth/authorize alias gives a code too');

# --- the consent POST -------------------------------------------------------

$consent = $b->get(authorize_path());
$form = $b->form($consent, qr{authorize}) // { fields => {}, method => 'POST',
    action => '/oauth/authorize', url => $consent->{url} };
my $codes = $s->sql('SELECT count(*) FROM oauth_codes');
$res = $b->submit($form, { decision => 'allow', csrf => undef });
is_html_page($res, 403, 'a consent POST without csrf is a 403 page');
ok(!defined $res->{location}, 'a consent POST without csrf is not redirected');
$res = $b->submit($form, { decision => 'allow', csrf => 'B' x 43 });
is($res->{status}, 403, 'a consent POST with a wrong csrf is a 403');
$res = $b->submit($form, { decision => 'allow',
    redirect_uri => 'https://evil.example/cb' });
is_error_page($res,
    'a consent POST naming an unregistered redirect_uri is a 400 page');
ok(!defined $res->{location},
    'a consent POST naming an unregistered redirect_uri is not redirected');
$res = $b->submit($form, { decision => 'maybe' });
ok($res->{status} == 400 || (($res->{location} // '') !~ /[?&]code=/),
    'a consent POST with an unknown decision gives no code')
    or diag("status $res->{status}, Location " . ($res->{location} // ''));
is($s->sql('SELECT count(*) FROM oauth_codes'), $codes,
    'refused consent POSTs store no code');

my $stranger = DrioBrowser->new($s);
$stranger->set_cookie('drio_csrf', $form->{fields}{csrf} // 'x');
$res = $stranger->submit($form, { decision => 'allow' });
ok(!defined $res->{location} || $res->{location} !~ /[?&]code=/,
    'a consent POST from a browser not signed in gives no code')
    or diag("status $res->{status}, Location $res->{location}");

$s->finish;
done_testing;
