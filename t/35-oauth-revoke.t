#!/usr/bin/perl
# 35-oauth-revoke.t: token revocation (RFC 7009): an access token ends its
# session, a refresh token ends its whole family, an unknown token or
# another client's token is answered 200 and changes nothing, and a client
# that fails to authenticate is refused.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use MIME::Base64 qw(encode_base64);
use Test::More;
use DrioStack;
use DrioTest;
use DrioBrowser qw(:DEFAULT form_urlencode);

my $s = DrioStack->start;

my $email = 'revoker@example.com';
my $password = 'revoke-password-1';
my ($code, undef, $err) = $s->admin_stdin("$password\n", 'create-account',
    $email, '--password-stdin');
BAIL_OUT("create-account $email failed: $err") if $code != 0;

# POST form fields to $path; $opt{basic} is [id, secret] for HTTP Basic.
sub post {
    my ($path, $fields, %opt) = @_;
    my %headers;
    $headers{Authorization} = 'Basic '
        . encode_base64(join(':', @{ $opt{basic} }), '') if $opt{basic};
    return $s->request(POST => $path, {
        body => form_urlencode($fields), headers => \%headers,
        content_type => 'application/x-www-form-urlencoded' });
}

sub account_status {
    my ($token) = @_;
    return $s->request(GET => '/openapi/v1/account',
        { token => $token // 'none' })->{status};
}

# One test: $res is 200 with an empty JSON object.
sub is_revoked_answer {
    my ($res, $desc) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    ok($res->{status} == 200 && ref $res->{json} eq 'HASH'
            && !%{ $res->{json} }, $desc)
        or diag("status $res->{status}, body $res->{content}");
}

my $redirect = 'http://127.0.0.1:53682/callback';
my $public = $s->register_client({ redirect_uris => [$redirect],
    client_name => 'Revoke CLI' });
my $other = $s->register_client({ redirect_uris => [$redirect],
    client_name => 'Other CLI' });
my $confidential = $s->register_client({ redirect_uris => ['https://conf.example/cb'],
    client_name => 'Confidential',
    token_endpoint_auth_method => 'client_secret_basic' });

my $b = DrioBrowser->new($s);
my $signed = $b->sign_in($email, $password);
BAIL_OUT("signing in failed: $signed->{status}") if $signed->{status} != 303;

# Tokens for $client through the whole flow: {access_token, refresh_token}.
sub tokens_for {
    my ($client, %auth) = @_;
    my $r = $b->authorize(client_id => $client->{client_id},
        redirect_uri => $client->{redirect_uris}[0],
        scope => 'api offline_access');
    BAIL_OUT('no code from the authorization endpoint: '
        . ($r->{location} // '(no redirect)')) unless defined $r->{code};
    my $res = post('/oauth/token', { grant_type => 'authorization_code',
        code => $r->{code}, redirect_uri => $client->{redirect_uris}[0],
        code_verifier => $r->{verifier},
        $auth{basic} ? () : (client_id => $client->{client_id}) }, %auth);
    BAIL_OUT("the code exchange failed: $res->{status} $res->{content}")
        if $res->{status} != 200;
    return $res->{json};
}

sub refresh_status {
    my ($client, $refresh_token) = @_;
    return post('/oauth/token', { grant_type => 'refresh_token',
        refresh_token => $refresh_token,
        client_id => $client->{client_id} })->{status};
}

# --- an access token --------------------------------------------------------

my $t = tokens_for($public);
is(account_status($t->{access_token}), 200, 'a fresh access token works');
my $res = post('/oauth/revoke', { token => $t->{access_token},
    token_type_hint => 'access_token', client_id => $public->{client_id} });
is_revoked_answer($res, 'revoking an access token answers 200 {}');
like($res->{headers}{'content-type'} // '', qr{\Aapplication/json\b}i,
    'the revocation answer is JSON');
is(account_status($t->{access_token}), 401,
    'a revoked access token gets 401');
is_revoked_answer(post('/oauth/revoke', { token => $t->{access_token},
        client_id => $public->{client_id} }),
    'revoking it again still answers 200 {}');

$t = tokens_for($public);
is_revoked_answer(post('/oauth/revoke', { token => $t->{access_token},
        client_id => $public->{client_id} }),
    'revoking an access token without a hint answers 200 {}');
is(account_status($t->{access_token}), 401,
    'an access token revoked without a hint gets 401');

# --- a refresh token --------------------------------------------------------

$t = tokens_for($public);
my $refreshed = post('/oauth/token', { grant_type => 'refresh_token',
    refresh_token => $t->{refresh_token},
    client_id => $public->{client_id} })->{json} // {};
is(account_status($refreshed->{access_token}), 200,
    'the family\'s refreshed access token works before revocation');
is_revoked_answer(post('/oauth/revoke', {
        token => $refreshed->{refresh_token},
        token_type_hint => 'refresh_token',
        client_id => $public->{client_id} }),
    'revoking a refresh token answers 200 {}');
is(refresh_status($public, $refreshed->{refresh_token}), 400,
    'the revoked refresh token no longer refreshes');
is(account_status($refreshed->{access_token}), 401,
    'revoking a refresh token revokes the access token issued with it');
is(account_status($t->{access_token}), 401,
    'revoking a refresh token revokes the family\'s first access token');

$t = tokens_for($public);
is_revoked_answer(post('/oauth/revoke', { token => $t->{refresh_token},
        token_type_hint => 'access_token',
        client_id => $public->{client_id} }),
    'revoking a refresh token with the wrong hint answers 200 {}');
is(account_status($t->{access_token}), 401,
    'a wrong hint does not stop the family being revoked');

# --- tokens that are not the client's to revoke -----------------------------

is_revoked_answer(post('/oauth/revoke', { token => 'drio_' . ('x' x 43),
        client_id => $public->{client_id} }),
    'revoking an unknown token answers 200 {}');
is_revoked_answer(post('/oauth/revoke', { token => 'garbage',
        client_id => $public->{client_id} }),
    'revoking something that is not a token answers 200 {}');

$t = tokens_for($public);
is_revoked_answer(post('/oauth/revoke', { token => $t->{access_token},
        client_id => $other->{client_id} }),
    'revoking another client\'s access token answers 200 {}');
is(account_status($t->{access_token}), 200,
    'another client\'s access token still works after that');
is_revoked_answer(post('/oauth/revoke', { token => $t->{refresh_token},
        client_id => $other->{client_id} }),
    'revoking another client\'s refresh token answers 200 {}');
is(refresh_status($public, $t->{refresh_token}), 200,
    'another client\'s refresh token still refreshes after that');

my $api = $s->seed_user(email => 'plain@example.com');
is_revoked_answer(post('/oauth/revoke', { token => $api->{token},
        client_id => $public->{client_id} }),
    'revoking an API token drio-admin issued answers 200 {}');
is(account_status($api->{token}), 200,
    'a client cannot revoke a token that is not from OAuth');

# --- client authentication --------------------------------------------------

my $ct = tokens_for($confidential,
    basic => [ $confidential->{client_id}, $confidential->{client_secret} ]);
$res = post('/oauth/revoke', { token => $ct->{access_token} },
    basic => [ $confidential->{client_id}, 'wrong-secret' ]);
is($res->{status}, 401, 'a bad client secret at revocation is a 401');
is(($res->{json} // {})->{error}, 'invalid_client',
    'a bad client secret at revocation is invalid_client');
is(account_status($ct->{access_token}), 200,
    'a refused revocation leaves the token working');
$res = post('/oauth/revoke', { token => $ct->{access_token},
    client_id => $confidential->{client_id} });
is_deeply([ $res->{status}, ($res->{json} // {})->{error} ],
    [ 401, 'invalid_client' ],
    'a confidential client revoking without its secret is 401 invalid_client');
$res = post('/oauth/revoke', { token => $ct->{access_token} });
is_deeply([ $res->{status}, ($res->{json} // {})->{error} ],
    [ 401, 'invalid_client' ],
    'a revocation naming no client is 401 invalid_client');
is_revoked_answer(post('/oauth/revoke', { token => $ct->{access_token} },
        basic => [ $confidential->{client_id},
            $confidential->{client_secret} ]),
    'a confidential client with the right secret revokes its token');
is(account_status($ct->{access_token}), 401,
    'the confidential client\'s revoked token gets 401');

$s->finish;
done_testing;
