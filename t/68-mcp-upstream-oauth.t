#!/usr/bin/perl
# 68-mcp-upstream-oauth.t: tool calls against an upstream that wants an
# OAuth 2 access token got with the client_credentials grant (docs/mcp.md,
# "Tools"; docs/api-v1/auth.md), through nginx and drio-mcp, with the
# oauth2 variant of t/tap/DrioMcpApp.pm's upstream:
#
# - the first call gets a token from the connection's token endpoint
#   (Basic client authentication, grant_type, scope) and sends it as
#   Bearer; the token is kept sealed in auth_connection_tokens (not in
#   plain text), due when the answer said;
# - later calls reuse it, with no token request;
# - a token due within the margin is not used: a new one is got;
# - a token the upstream refuses (401) is dropped, a new one got and the
#   call made once more; when the new one is refused too, the call is an
#   isError result with the 401, and no third request is made;
# - a new secret for the connection drops the kept token; a token
#   endpoint that refuses the client makes the call an isError result and
#   keeps nothing;
# - drio-admin vault-rotate re-seals the kept token;
# - no token, and not the client secret, in any answer.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use JSON::PP ();
use MIME::Base64 ();
use Test::More;
use DrioMcpApp;
use DrioStack;

my $s = DrioStack->start(responders => [ 'api-v1', 'api-v3', 'mcp' ]);
my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
my $acme = $s->seed_workspace('Acme', $alice->{email});
my $m = DrioMcpApp->start($s, owner => $alice, workspace_id => $acme,
    auth => 'oauth2', setup_tests => 1);
my $auth_id = $m->auth_connection->{id};
my $secret = $m->api_key;
my @answers;

# Call listItems; returns (the CallToolResult, the upstream requests made
# meanwhile as "METHOD path Authorization").
sub call {
    my ($what) = @_;
    my ($seen, $res) = $m->upstream_during(sub { $m->call_tool('listItems',
        { limit => 2 }) });
    push @answers, $res->{content};
    is($res->{status}, 200, "$what: the call is answered");
    my $result = (($res->{json} // {})->{result}) // {};
    return ($result, [ map { "$_->{method} $_->{path} "
        . ($_->{headers}{authorization} // '-') } @$seen ]);
}

# The kept token's row: {token (hex), due (seconds from now), sha}.
sub kept {
    my $row = $s->sql("SELECT encode(token, 'hex') || ' ' ||"
        . " round(extract(epoch FROM expires_at - now())) || ' ' ||"
        . " settings_sha256 FROM auth_connection_tokens"
        . " WHERE auth_connection_id = :'p1'", $auth_id);
    return undef unless defined $row && length $row;
    my ($hex, $due, $sha) = split / /, $row;
    return { token => $hex, due => $due, sha => $sha };
}

my $basic = 'Basic ' . MIME::Base64::encode_base64(
    DrioMcpApp::CLIENT_ID . ":$secret", '');

# --- the first call gets a token; the next ones reuse it ---------------------

my ($r, $seen) = call('first call');
ok(!$r->{isError}, 'the call succeeded');
is_deeply(($r->{structuredContent} // {})->{items},
    [ map { { id => $_, name => "item $_" } } 1 .. 2 ],
    'with the upstream\'s answer');
is_deeply($seen, [ "POST /oauth/token $basic",
    'GET /items Bearer tok-1' ],
    'a token was got with Basic client authentication, then sent');
my ($grant) = grep { $_->{path} eq '/oauth/token' } $m->upstream_requests;
like($grant->{body}, qr/(?:\A|&)grant_type=client_credentials(?:&|\z)/,
    'the grant is client_credentials');
like($grant->{body}, qr/(?:\A|&)scope=items%3Aread(?:&|\z)/,
    '... with the connection\'s scope');
my $k = kept();
ok($k, 'the token is kept');
ok($k && $k->{due} > 3500 && $k->{due} <= 3600,
    'due when the answer said (3600 s)') or diag explain $k;
unlike($k->{token} // '', qr/\Q${\ unpack('H*', 'tok-1')}\E/,
    'sealed: its text is not in the row');

($r, $seen) = call('second call');
ok(!$r->{isError}, 'the second call succeeded');
is_deeply($seen, [ 'GET /items Bearer tok-1' ],
    '... with the kept token and no token request');
($r, $seen) = call('third call');
is_deeply($seen, [ 'GET /items Bearer tok-1' ], 'and again');

# --- a token due within the margin is not used -------------------------------

$s->sql("UPDATE auth_connection_tokens SET expires_at = now() + interval"
    . " '30 seconds' WHERE auth_connection_id = :'p1'", $auth_id);
($r, $seen) = call('token due in 30 s');
ok(!$r->{isError}, 'the call succeeded');
is_deeply($seen, [ "POST /oauth/token $basic", 'GET /items Bearer tok-2' ],
    'a token due within a minute is replaced before the call');
ok((kept() // {})->{due} > 3500, 'the new one is kept, due in an hour');

# --- a refused token: dropped, renewed, one more try -------------------------

$m->refuse_tokens('tok-2');
($r, $seen) = call('refused token');
ok(!$r->{isError}, 'the call succeeded on the second try');
is_deeply($seen, [ 'GET /items Bearer tok-2', "POST /oauth/token $basic",
    'GET /items Bearer tok-3' ],
    'the 401 dropped the token; a new one was got and the call made again');
($r, $seen) = call('after the renewal');
is_deeply($seen, [ 'GET /items Bearer tok-3' ], 'the new token is kept');

$m->refuse_tokens('*');
($r, $seen) = call('every token refused');
ok($r->{isError}, 'a refused renewed token is an isError result');
like(($r->{content} // [ {} ])->[0]{text} // '', qr/401/,
    '... naming the 401');
is_deeply($seen, [ 'GET /items Bearer tok-3', "POST /oauth/token $basic",
    'GET /items Bearer tok-4' ], '... after one renewal, no more');
$m->refuse_tokens();

# --- a new secret drops the kept token ---------------------------------------

my $A = $m->app_path;
$m->api_ok(200, $m->api(PATCH => "$A/auth/$auth_id",
    { secret => { client_secret => $secret } }), 'set the secret again');
ok(!kept(), 'a new secret drops the kept token');
($r, $seen) = call('after the new secret');
ok(!$r->{isError}, 'the call succeeded');
is_deeply($seen, [ "POST /oauth/token $basic", 'GET /items Bearer tok-5' ],
    '... with a token got with it');

$m->api_ok(200, $m->api(PATCH => "$A/auth/$auth_id",
    { secret => { client_secret => 'not-the-secret' } }),
    'set a wrong secret');
($r, $seen) = call('a refused client');
ok($r->{isError}, 'a token endpoint refusing the client is an isError'
    . ' result');
like(($r->{content} // [ {} ])->[0]{text} // '', qr/access token/i,
    '... saying no access token could be had');
is(scalar(grep { m{^GET /items} } @$seen), 0, 'the API was not called');
ok(!kept(), 'nothing is kept');
$m->api_ok(200, $m->api(PATCH => "$A/auth/$auth_id",
    { secret => { client_secret => $secret } }), 'the right secret again');
($r, $seen) = call('the right secret again');
ok(!$r->{isError}, 'calls work again');

# --- the vault -----------------------------------------------------------------

my $before = (kept() // {})->{token};
my ($code, $out, $err) = $s->admin('vault-rotate');
is($code, 0, 'vault-rotate runs') or diag "$out\n$err";
like($out, qr/^auth_connection_tokens\.token: (?:1 re-encrypted, 0 already current|0 re-encrypted, 1 already current), 0 could not be opened$/m,
    '... over the kept token too');
($r, $seen) = call('after vault-rotate');
is_deeply($seen, [ 'GET /items Bearer tok-6' ],
    'the kept token still opens after rotation');

# --- nothing secret shown ------------------------------------------------------

ok(!grep({ /tok-\d|\Q$secret\E/ } @answers),
    'no token and not the client secret in any answer');

$m->stop;
$s->finish;
done_testing;
