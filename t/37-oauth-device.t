#!/usr/bin/perl
# 37-oauth-device.t: the device authorization grant (RFC 8628,
# docs/oauth.md "Device authorization"): device codes and user codes, the
# device's polling (authorization_pending, slow_down, access_denied,
# expired_token, invalid_grant) on both token endpoints, the signed-in
# user's lookup, approval and denial with a bearer token and through the
# /device page, the token the device gets as an ordinary API session
# labelled with its device_label, and the limit on wrong user codes.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Digest::SHA qw(sha256_hex);
use JSON::PP ();
use HTTP::Tiny;
use Test::More;
use DrioStack;
use DrioTest;
use DrioBrowser qw(:DEFAULT form_urlencode query_params uri_escape
    html_decode);

my $s = DrioStack->start;
my $issuer = $s->public_url;

use constant DEVICE_GRANT => 'urn:ietf:params:oauth:grant-type:device_code';
my $USER_CODE_RE =
    qr/\A[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}\z/;

# --- accounts and clients ---------------------------------------------------

# An account with a password (for the /device page) and a bearer token
# (for the JSON routes).  Returns {email, password, token}.
sub account {
    my ($email) = @_;
    my $password = "pw-$email";
    my ($code, undef, $err) = $s->admin_stdin("$password\n",
        'create-account', $email, '--password-stdin');
    BAIL_OUT("create-account $email failed: $err") if $code != 0;
    return { email => $email, password => $password,
        token => $s->issue_token($email, label => 'approver') };
}

my $alice = account('alice@example.com');    # approves with a bearer token
my $bob = account('bob@example.com');        # approves in a browser
my $carol = account('carol@example.com');    # types wrong user codes

my $redirect = 'http://127.0.0.1:53682/callback';
my $cli = $s->register_client({ redirect_uris => [$redirect],
    client_name => 'Device CLI',
    grant_types => [ DEVICE_GRANT, 'refresh_token' ] });
my $other = $s->register_client({ redirect_uris => [$redirect],
    client_name => 'Other Device CLI', grant_types => [DEVICE_GRANT] });
my $web = $s->register_client({ redirect_uris => [$redirect],
    client_name => 'Web Only' });

# --- helpers ----------------------------------------------------------------

# POST /openapi/v1/oauth/device/code with JSON \%fields.
sub device_code {
    my ($fields) = @_;
    return $s->request(POST => '/openapi/v1/oauth/device/code',
        { json => $fields });
}

# A fresh device authorization for $client (default the CLI) with
# %fields on top of client_id and device_label; BAIL_OUT unless 200.
# Returns the answer's JSON.
sub new_device {
    my (%opt) = @_;
    my $client = delete $opt{client} // $cli;
    my $res = device_code({ client_id => $client->{client_id},
        device_label => 'laptop (ssh)', %opt });
    BAIL_OUT("device/code failed: $res->{status} $res->{content}")
        if $res->{status} != 200 || ref $res->{json} ne 'HASH';
    return $res->{json};
}

# Make the device authorization of $device_code look as if it was last
# polled a minute ago, so the next poll is not too soon.
sub age_poll {
    my ($device_code) = @_;
    $s->sql(q{UPDATE device_authorizations
        SET last_polled_at = now() - interval '1 minute'
        WHERE device_code_sha256 = :'p1'}, sha256_hex($device_code));
}

# Poll for $device_code as $client (default the CLI) through the JSON
# route; unless $opt{now}, the previous poll is aged first.
sub poll_json {
    my ($device_code, %opt) = @_;
    my $client = $opt{client} // $cli;
    age_poll($device_code) unless $opt{now};
    return $s->request(POST => '/openapi/v1/oauth/device/token',
        { json => { client_id => $client->{client_id},
            device_code => $device_code } });
}

# The same through POST /oauth/token, form-encoded.
sub poll_form {
    my ($device_code, %opt) = @_;
    my $client = $opt{client} // $cli;
    age_poll($device_code) unless $opt{now};
    return $s->request(POST => '/oauth/token', {
        body => form_urlencode({ grant_type => DEVICE_GRANT,
            device_code => $device_code,
            client_id => $client->{client_id} }),
        content_type => 'application/x-www-form-urlencoded' });
}

# GET /openapi/v1/oauth/device/lookup for $user_code with $token.
sub lookup {
    my ($token, $user_code) = @_;
    return $s->request(GET => '/openapi/v1/oauth/device/lookup?user_code='
        . uri_escape($user_code), { token => $token });
}

# POST /openapi/v1/oauth/device/$decision (approve or deny) with $token.
sub decide {
    my ($token, $decision, $user_code) = @_;
    return $s->request(POST => "/openapi/v1/oauth/device/$decision",
        { token => $token, json => { user_code => $user_code } });
}

# The stored poll interval of $device_code.
sub stored_interval {
    my ($device_code) = @_;
    return $s->sql(q{SELECT interval_seconds FROM device_authorizations
        WHERE device_code_sha256 = :'p1'}, sha256_hex($device_code));
}

# The API session $token (an access token) is, from the sessions list of
# its own account: {client_id, device_label, ...} or undef.
sub session_of {
    my ($token) = @_;
    my $res = $s->request(GET => '/openapi/v1/account/sessions?limit=200',
        { token => $token });
    my $id = $s->sql(q{SELECT id FROM api_sessions
        WHERE token_sha256 = :'p1'}, sha256_hex($token // ''));
    my ($row) = grep { ($_->{id} // '') eq $id }
        @{ ($res->{json} // {})->{data} // [] };
    return $row;
}

# The email GET /openapi/v1/account answers for $token, or the status.
sub account_email {
    my ($token) = @_;
    my $res = $s->request(GET => '/openapi/v1/account',
        { token => $token // 'none' });
    return $res->{status} == 200
        ? (($res->{json} // {})->{account} // {})->{email}
        : $res->{status};
}

# --- discovery --------------------------------------------------------------

my $meta = $s->request(GET => '/.well-known/oauth-authorization-server')
    ->{json} // {};
is($meta->{device_authorization_endpoint},
    "$issuer/openapi/v1/oauth/device/code",
    'the metadata names the device authorization endpoint');
ok((grep { $_ eq DEVICE_GRANT } @{ $meta->{grant_types_supported} // [] }),
    'the metadata lists the device_code grant type');

# --- device/code ------------------------------------------------------------

my $res = device_code({ client_id => $cli->{client_id},
    device_label => 'laptop (ssh)', scope => 'api offline_access' });
is($res->{status}, 200, 'a device authorization request answers 200');
like($res->{headers}{'content-type'} // '', qr{\Aapplication/json\b}i,
    'the device authorization answer is JSON');
my $first = $res->{json} // {};
like($first->{device_code} // '', qr/\A[A-Za-z0-9_-]{43}\z/,
    'the device code is 43 base64url characters');
like($first->{user_code} // '', $USER_CODE_RE,
    'the user code is two groups of four consonants joined by a dash');
is($first->{verification_uri}, "$issuer/device",
    'verification_uri is the /device page under public_url');
is($first->{verification_uri_complete},
    "$issuer/device?user_code=" . ($first->{user_code} // ''),
    'verification_uri_complete is the /device page with the user code');
is($first->{expires_in}, 600, 'the codes expire in 600 seconds');
is($first->{interval}, 5, 'the device is told to poll every 5 seconds');
like(JSON::PP->new->allow_nonref->encode($first->{expires_in}), qr/\A\d+\z/,
    'expires_in is a JSON number');

my $second = new_device();
isnt($second->{device_code}, $first->{device_code},
    'a second request gets another device code');
isnt($second->{user_code}, $first->{user_code},
    'a second request gets another user code');
is($s->sql(q{SELECT count(*) FROM device_authorizations d
    WHERE strpos(d::text, :'p1') > 0}, $first->{device_code}), 0,
    'the device code is not stored in the clear');
(my $bare = $first->{user_code} // '') =~ s/-//;
is($s->sql(q{SELECT count(*) FROM device_authorizations d
    WHERE strpos(d::text, :'p1') > 0}, $bare), 0,
    'the user code is not stored in the clear');

is_oauth_error(device_code({ client_id => 'dc_AAAAAAAAAAAAAAAAAAAAAA',
        device_label => 'laptop' }), 401, 'invalid_client',
    'an unknown client_id is 401 invalid_client');
is_oauth_error(device_code({ device_label => 'laptop' }), 401,
    'invalid_client', 'a request without client_id is 401 invalid_client');
is_oauth_error(device_code({ client_id => $web->{client_id},
        device_label => 'laptop' }), 400, 'unauthorized_client',
    'a client without the device grant is 400 unauthorized_client');
{
    my $res = device_code({ client_id => $cli->{client_id} });
    is($res->{status}, 200,
        'a request without device_label, as generic RFC 8628 clients send, '
        . 'is answered');
    my $label = $s->sql(q{SELECT d.device_label = c.name
        FROM device_authorizations d JOIN oauth_clients c
          ON c.id = d.client_id ORDER BY d.created_at DESC LIMIT 1});
    is($label, 't', 'and the device is labelled with the client\'s name');
}
is_oauth_error(device_code({ client_id => $cli->{client_id},
        device_label => '' }), 400, 'invalid_request',
    'an empty device_label is 400 invalid_request');
is_oauth_error(device_code({ client_id => $cli->{client_id},
        device_label => 'x' x 101 }), 400, 'invalid_request',
    'a device_label of 101 characters is 400 invalid_request');
is(device_code({ client_id => $cli->{client_id},
        device_label => 'x' x 100 })->{status}, 200,
    'a device_label of 100 characters is accepted');
is_oauth_error(device_code({ client_id => $cli->{client_id},
        device_label => 'laptop', scope => 'api admin' }), 400,
    'invalid_scope', 'an unknown scope is 400 invalid_scope');

# --- polling before the user acts -------------------------------------------

my $pending = new_device(scope => 'api offline_access');
my $dc = $pending->{device_code};
is_oauth_error(poll_json($dc, now => 1), 400, 'authorization_pending',
    'the first poll is 400 authorization_pending');
is(stored_interval($dc), 5, 'the stored interval starts at 5 seconds');
is_oauth_error(poll_json($dc, now => 1), 400, 'slow_down',
    'a poll right after the last one is 400 slow_down');
is(stored_interval($dc), 10,
    'after slow_down the stored interval has grown by 5 seconds');
is_oauth_error(poll_json($dc), 400, 'authorization_pending',
    'a poll after the interval has passed is authorization_pending again');
is_oauth_error(poll_form($dc), 400, 'authorization_pending',
    'POST /oauth/token with the device grant is authorization_pending too');
is_oauth_error(poll_form($dc, now => 1), 400, 'slow_down',
    'POST /oauth/token polled too soon is slow_down too');
$res = poll_form($dc);
is_deeply([ $res->{headers}{'cache-control'}, $res->{headers}{pragma} ],
    [ 'no-store', 'no-cache' ],
    'a pending answer has Cache-Control: no-store and Pragma: no-cache');
is_oauth_error(poll_json('A' x 43), 400, 'invalid_grant',
    'an unknown device code is invalid_grant');
is_oauth_error(poll_json($dc, client => $other), 400, 'invalid_grant',
    'another client polling with the CLI\'s device code gets invalid_grant');
is_oauth_error(poll_form($dc, client => $other), 400, 'invalid_grant',
    'the same through /oauth/token is invalid_grant');
is_oauth_error(poll_form($dc, client => $web), 400, 'unauthorized_client',
    'a client without the device grant polling /oauth/token is '
    . 'unauthorized_client');
is_oauth_error(poll_json($dc, client => { client_id =>
        'dc_AAAAAAAAAAAAAAAAAAAAAA' }), 401, 'invalid_client',
    'an unknown client polling is 401 invalid_client');

# --- lookup -----------------------------------------------------------------

my $uc = $pending->{user_code};
$res = lookup($alice->{token}, $uc);
is($res->{status}, 200, 'looking a live user code up answers 200');
my $found = $res->{json} // {};
is($found->{valid}, JSON::PP::true, 'a live pending code is valid');
is($found->{client_id}, $cli->{client_id},
    'the lookup names the client\'s client_id');
is($found->{client_name}, 'Device CLI', 'the lookup names the client');
is($found->{device_label}, 'laptop (ssh)',
    'the lookup names the device_label the device gave');
my $remaining = $found->{expires_in_remaining} // -1;
ok($remaining > 0 && $remaining <= 600,
    'expires_in_remaining is between 0 and 600 seconds')
    or diag('expires_in_remaining: '
        . json_text($found->{expires_in_remaining}));
(my $loose = lc $uc) =~ s/-//;
is(lookup($alice->{token}, $loose)->{json}{valid}, JSON::PP::true,
    'the user code is found in lower case and without its dash');
(my $spaced = $uc) =~ s/-/ /;
is(lookup($alice->{token}, " $spaced ")->{json}{valid}, JSON::PP::true,
    'the user code is found with a space instead of the dash');
$res = lookup($alice->{token},
    $uc eq 'BCDF-GHJK' ? 'BCDF-GHJL' : 'BCDF-GHJK');
is_deeply([ $res->{status}, $res->{json} ],
    [ 200, { valid => JSON::PP::false } ],
    'an unknown user code is {"valid": false} and nothing more');
$res = $s->request(GET => '/openapi/v1/oauth/device/lookup?user_code='
    . uri_escape($uc));
is_error($res, 401, 'unauthorized', 'a lookup without a token is 401');
like($res->{headers}{'www-authenticate'} // '', qr/\ABearer realm="drio"/,
    'the 401 asks for a bearer token');
is_error(decide(undef, 'approve', $uc), 401, 'unauthorized',
    'approving without a token is 401');

# --- approve ----------------------------------------------------------------

$res = decide($alice->{token}, 'approve', $loose);
is($res->{status}, 200, 'approving a live code answers 200');
is_deeply($res->{json}, { status => 'approved' },
    'approving answers {"status": "approved"}');
is(lookup($alice->{token}, $uc)->{json}{valid}, JSON::PP::false,
    'an approved code is no longer valid for a lookup');
$res = poll_json($dc);
is($res->{status}, 200, 'the first poll after approval answers 200');
is_deeply([ $res->{headers}{'cache-control'}, $res->{headers}{pragma} ],
    [ 'no-store', 'no-cache' ],
    'the token answer has Cache-Control: no-store and Pragma: no-cache');
my $tok = $res->{json} // {};
like($tok->{access_token} // '', qr/\Adrio_[A-Za-z0-9_-]+\z/,
    'the device gets an access token starting with drio_');
is($tok->{token_type}, 'Bearer', 'the token type is Bearer');
is($tok->{expires_in}, 3600, 'the access token expires in 3600 seconds');
is(join(' ', sort split / /, $tok->{scope} // ''), 'api offline_access',
    'the scope granted is the one the device asked for');
like($tok->{refresh_token} // '', qr/\Adrt_[A-Za-z0-9_-]+\z/,
    'asking offline_access gives a refresh token starting with drt_');
is(account_email($tok->{access_token}), $alice->{email},
    'the access token acts as the account that approved');
my $session = session_of($tok->{access_token});
ok($session, 'the access token is listed among the account\'s sessions');
$session //= {};
is($session->{client_id}, $cli->{client_id},
    'the session carries the client\'s client_id');
is($session->{device_label}, 'laptop (ssh)',
    'the session\'s device_label is the one the device gave');
is_oauth_error(poll_json($dc), 400, 'invalid_grant',
    'polling again after the token was issued is invalid_grant');
is_oauth_error(poll_form($dc), 400, 'invalid_grant',
    'the spent device code is invalid_grant at /oauth/token too');
is_error(decide($alice->{token}, 'approve', $uc), 404,
    'device_code_not_found', 'approving a decided code again is 404');
is_error(decide($alice->{token}, 'deny', $uc), 404,
    'device_code_not_found', 'denying an approved code is 404');
$res = $s->request(POST => '/oauth/token', {
    body => form_urlencode({ grant_type => 'refresh_token',
        refresh_token => $tok->{refresh_token} // '',
        client_id => $cli->{client_id} }),
    content_type => 'application/x-www-form-urlencoded' });
is($res->{status}, 200, 'the device\'s refresh token can be used');
is((session_of(($res->{json} // {})->{access_token}) // {})->{device_label},
    'laptop (ssh)', 'a refreshed session keeps the device_label');

my $narrow = new_device(scope => 'api');
decide($alice->{token}, 'approve', $narrow->{user_code});
$res = poll_form($narrow->{device_code});
is($res->{status}, 200,
    'a device approved in the meantime gets its token from /oauth/token');
ok(!exists(($res->{json} // {})->{refresh_token}),
    'without offline_access there is no refresh token');
is(account_email(($res->{json} // {})->{access_token}), $alice->{email},
    'the token from /oauth/token acts as the account that approved');

my $both = new_device(client => $other, scope => 'api offline_access');
decide($alice->{token}, 'approve', $both->{user_code});
is_oauth_error(poll_json($both->{device_code}), 400, 'invalid_grant',
    'polling with another client\'s approved device code is invalid_grant');
$res = poll_json($both->{device_code}, client => $other);
is($res->{status}, 200,
    'the client the code was issued to still gets its token');
ok(!exists(($res->{json} // {})->{refresh_token}),
    'a client without the refresh grant gets no refresh token');

# --- deny -------------------------------------------------------------------

my $denied = new_device();
$res = decide($alice->{token}, 'deny', $denied->{user_code});
is($res->{status}, 200, 'denying a live code answers 200');
is_deeply($res->{json}, { status => 'denied' },
    'denying answers {"status": "denied"}');
is_oauth_error(poll_json($denied->{device_code}), 400, 'access_denied',
    'the device polling after a deny gets access_denied');
is_error(decide($alice->{token}, 'approve', $denied->{user_code}), 404,
    'device_code_not_found', 'approving a denied code is 404');

# --- expiry -----------------------------------------------------------------

my $late = new_device();
$s->sql(q{UPDATE device_authorizations
    SET expires_at = now() - interval '1 second'
    WHERE device_code_sha256 = :'p1'}, sha256_hex($late->{device_code}));
is_oauth_error(poll_json($late->{device_code}), 400, 'expired_token',
    'polling after the codes expired is expired_token');
is(lookup($alice->{token}, $late->{user_code})->{json}{valid},
    JSON::PP::false, 'an expired code is not valid for a lookup');
is_error(decide($alice->{token}, 'approve', $late->{user_code}), 404,
    'device_code_not_found', 'approving an expired code is 404');

# --- labels and names beyond ASCII ------------------------------------------

# device_label and client_name are limited in characters, not bytes: the
# longest ones, in three-byte characters, must come through whole.  (The
# strings here are UTF-8 bytes, as requests send and answers decode them.)
my $euro_label = "\xe2\x82\xac" x 100;
my $wide_name = "\xc3\xa9\xe2\x82\xac" x 100;
my $wide = $s->register_client({ redirect_uris => [$redirect],
    client_name => $wide_name, grant_types => [DEVICE_GRANT] });
$res = device_code({ client_id => $wide->{client_id},
    device_label => $euro_label });
is($res->{status}, 200,
    'a device_label of 100 three-byte characters is accepted');
my $euro = $res->{json} // {};
$res = lookup($alice->{token}, $euro->{user_code} // '');
is(($res->{json} // {})->{device_label}, $euro_label,
    'the lookup shows a long non-ASCII device_label whole');
is(($res->{json} // {})->{client_name}, $wide_name,
    'the lookup shows a long non-ASCII client_name whole');
decide($alice->{token}, 'approve', $euro->{user_code} // '');
$res = poll_json($euro->{device_code} // '', client => $wide);
is($res->{status}, 200,
    'the device with a long non-ASCII label gets its token');
is((session_of(($res->{json} // {})->{access_token}) // {})->{device_label},
    $euro_label, 'its session keeps the long non-ASCII device_label whole');

# --- the /device page -------------------------------------------------------

my $b = DrioBrowser->new($s);
my $page_device = new_device(device_label => '<b>x</b>',
    scope => 'api offline_access');
my $page_uc = $page_device->{user_code};

$res = $b->get('/device');
is($res->{status}, 303, 'GET /device not signed in is a 303');
my $to = $b->location_url($res) // '';
like($to, qr{\A\Q$issuer\E/signin\?}, 'the browser is sent to sign in');
is(query_params($to)->{next}, '/device',
    'with next pointing back at /device');
$res = $b->get("/device?user_code=$page_uc");
my $next = query_params($b->location_url($res) // '')->{next} // '';
is($next, "/device?user_code=$page_uc",
    'a code in the link survives the detour through sign-in');

$res = $b->sign_in($bob->{email}, $bob->{password}, '/device');
is($res->{status}, 303, 'signing in from the detour answers 303');
is($b->location_url($res), $s->url('/device'),
    'the sign-in sends the browser back to /device');
my $page = $b->follow($res);
is_html_page($page, 200, 'the signed-in browser gets the /device page');
my $entry = $b->form($page, qr{device});
ok($entry && exists $entry->{fields}{user_code},
    'the /device page has a form with a user_code field');
$entry //= { fields => {}, buttons => [], method => 'GET', action => '' };
ok(defined $b->cookie('drio_csrf'),
    'the /device page sets the csrf cookie its decision form will need');
$page = $b->submit($entry, { user_code => lc $page_uc });
is_html_page($page, 200,
    'entering the code in the form, in lower case, shows the request');
like($page->{content}, qr/Device CLI/,
    'the request entered in the form names the client');

$page = $b->get('/device?user_code=' . uri_escape($page_uc));
is_html_page($page, 200, 'GET /device?user_code= shows the request');
like($page->{content}, qr/Device CLI/, 'the page names the client');
like($page->{content}, qr{&lt;b&gt;x&lt;/b&gt;},
    'the page shows the device_label, escaped');
unlike($page->{content}, qr{<b>x</b>},
    'the device_label is never shown raw');
my $confirm = $b->form($page, qr{device});
ok($confirm, 'the page holds a form that posts to /device');
$confirm //= { fields => {}, buttons => [], method => '', action => '' };
is($confirm->{method}, 'POST', 'the decision form is sent with POST');
my @decisions = sort map { $_->[1] } grep { $_->[0] eq 'decision' }
    @{ $confirm->{buttons} };
is(scalar @decisions, 2, 'the page has two decision buttons')
    or diag('buttons: ' . json_text($confirm->{buttons}));
my ($approve) = grep { /approve|allow/i } @decisions;
my ($deny) = grep { /deny/i } @decisions;
$approve //= 'approve';
$deny //= 'deny';
like($confirm->{fields}{csrf} // '', qr/\A[A-Za-z0-9_-]{16,}\z/,
    'the decision form carries a csrf field');

$res = $b->submit($confirm, { decision => $approve, csrf => undef });
is_html_page($res, 403, 'a decision POST without csrf is a 403 page');
$res = $b->submit($confirm, { decision => $approve, csrf => 'B' x 43 });
is($res->{status}, 403, 'a decision POST with a wrong csrf is a 403');
is_oauth_error(poll_form($page_device->{device_code}), 400,
    'authorization_pending', 'a refused POST approved nothing');

$res = $b->submit($confirm, { decision => $approve });
is_html_page($res, 200, 'approving on the page shows a page');
like($res->{content}, qr/approved|allowed|signed in|done|success/i,
    'the page says the device was approved');
$res = poll_form($page_device->{device_code});
is($res->{status}, 200, 'the device approved on the page gets its token');
is(account_email(($res->{json} // {})->{access_token}), $bob->{email},
    'the token acts as the account signed in to the page');
is((session_of(($res->{json} // {})->{access_token}) // {})->{device_label},
    '<b>x</b>', 'the session keeps the device_label as given');

my $page_denied = new_device();
$page = $b->get('/device?user_code=' . uri_escape($page_denied->{user_code}));
$res = $b->submit($b->form($page, qr{device}) // $confirm,
    { decision => $deny });
is_html_page($res, 200, 'denying on the page shows a page');
is_oauth_error(poll_json($page_denied->{device_code}), 400, 'access_denied',
    'the device denied on the page gets access_denied');

$page = $b->get('/device?user_code=BCDF-GHJK');
ok($page->{status} >= 400 && $page->{status} < 500,
    'a wrong user code on the page is a 4xx')
    or diag("status $page->{status}");
like($page->{headers}{'content-type'} // '', qr{\Atext/html}i,
    'a wrong user code on the page is an HTML page');
like($page->{content}, qr/not valid|expired|wrong|unknown/i,
    'the page says the code is not valid');
$page = $b->get('/device?user_code=' . uri_escape('<i>x</i>'));
ok($page->{status} >= 400 && $page->{status} < 500
        && ($page->{headers}{'content-type'} // '') =~ m{\Atext/html}i,
    'a user code with markup in it is a 4xx page');
unlike($page->{content}, qr{<i>x</i>}, 'the typed code is never shown raw');
$res = $b->post_form('/device', { user_code => 'BCDF-GHJK',
    decision => $approve, csrf => $confirm->{fields}{csrf} // '' });
ok($res->{status} >= 400 && $res->{status} < 500,
    'approving a wrong user code on the page is a 4xx')
    or diag("status $res->{status}");

# A decision needs a signed-in browser, not just a csrf pair.
my $stranger = DrioBrowser->new($s);
$stranger->get('/signin');
my $unsigned = new_device();
$res = $stranger->post_form('/device', { user_code => $unsigned->{user_code},
    decision => $approve, csrf => $stranger->cookie('drio_csrf') // '' });
is_deeply([ $res->{status}, ($b->location_url($res) // '') =~ m{(/signin)\?} ],
    [ 303, '/signin' ],
    'a decision POST from a browser not signed in is sent to sign in');
is_oauth_error(poll_json($unsigned->{device_code}), 400,
    'authorization_pending', 'and it approved nothing');

# --- too many wrong user codes ----------------------------------------------

# Start from clean counters, whatever wrong codes came before.
$s->sql(q{DELETE FROM rate_limits WHERE key NOT LIKE 'signin%'});
my $target = new_device();
# Twenty well-formed user codes that no device asked for.
my @letters = split //, 'BCDFGHJKLMNPQRSTVWXZ';
my @wrong = grep { $_ ne $target->{user_code} }
    map { 'ZZZZ-ZZ' . $letters[ $_ / 20 ] . $letters[ $_ % 20 ] } 0 .. 21;
my @statuses = map { lookup($carol->{token}, $_)->{status} } @wrong[0 .. 19];
is_deeply(\@statuses, [ (200) x 20 ],
    'twenty wrong user codes are each answered');
$res = lookup($carol->{token}, $wrong[20]);
is_error($res, 429, 'too_many_requests',
    'the twenty-first wrong user code in the window answers 429');
like($res->{headers}{'retry-after'} // '', qr/\A[1-9][0-9]*\z/,
    'the 429 says in Retry-After how many seconds to wait');
ok(($res->{headers}{'retry-after'} // 0) <= 900,
    'no longer than the 15-minute window');
is(lookup($carol->{token}, $target->{user_code})->{status}, 429,
    'while limited even a right user code is refused');
$res = decide($carol->{token}, 'approve', $target->{user_code});
is_error($res, 429, 'too_many_requests',
    'while limited an approval answers 429');
is(lookup($alice->{token}, $target->{user_code})->{status}, 429,
    'the limit per client address holds for another account there too');
is_oauth_error(poll_json($target->{device_code}), 400,
    'authorization_pending', 'the refused approval approved nothing');
$s->sql(q{UPDATE rate_limits SET window_start = window_start
    - interval '1 hour'});
is(lookup($carol->{token}, $target->{user_code})->{json}{valid},
    JSON::PP::true, 'once the window has passed, lookups work again');

# RFC 8628 3.1 clients send the device request as a form.
{
    my $http = HTTP::Tiny->new(max_redirect => 0, timeout => 10);
    my $res = $http->post_form($s->url('/openapi/v1/oauth/device/code'),
        { client_id => $cli->{client_id}, device_label => 'form client' });
    is($res->{status}, 200,
        'a form-encoded device authorization request is answered too');
    like($res->{content} // '', qr/"user_code":"[A-Z]{4}-[A-Z]{4}"/,
        'with a user code');
}

$s->finish;
done_testing;
