#!/usr/bin/perl
# 23-openapi-workspaces.t: the caller's workspaces: the list of its
# memberships, one workspace's detail, and switching the current one;
# a workspace the caller does not belong to looks exactly like one that
# does not exist.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use JSON::PP ();
use Test::More;
use DrioStack;
use DrioTest;

my $s = DrioStack->start;

my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
my $bob   = $s->seed_user(email => 'bob@example.com', name => 'Bob');
my $carol = $s->seed_user(email => 'carol@example.com', name => 'Carol');
my $zeta  = $s->seed_workspace('Zeta', $alice->{email});
my $alpha = $s->seed_workspace('Alpha', $bob->{email});
my $mid   = $s->seed_workspace('Mid', $carol->{email});
$s->seed_member($alpha, $alice->{id}, 'normal');
my $nowhere = '00000000-0000-4000-8000-000000000000';
my $T = JSON::PP::true;
my $F = JSON::PP::false;

sub get_json {
    my ($path, $token) = @_;
    return $s->request(GET => $path, { token => $token // $alice->{token} });
}

# --- GET /workspaces --------------------------------------------------------

my $res = get_json('/openapi/v1/workspaces');
is($res->{status}, 200, 'GET /workspaces answers 200');
is_deeply($res->{json}, { workspaces => [
        { id => $alpha, name => 'Alpha', role => 'normal', status => 'normal',
          current => $F },
        { id => $zeta, name => 'Zeta', role => 'owner', status => 'normal',
          current => $T },
    ] },
    'GET /workspaces lists the caller\'s memberships only, by name, with '
    . 'role, status and which one is current');
is_error($s->request(GET => '/openapi/v1/workspaces'), 401, 'unauthorized',
    'GET /workspaces needs a token');

# --- GET /workspaces/{id} ---------------------------------------------------

$res = get_json("/openapi/v1/workspaces/$zeta");
is($res->{status}, 200, 'GET /workspaces/{id} of my workspace answers 200');
my $detail = $res->{json} // {};
is_deeply([ sort keys %$detail ],
    [ sort qw(id name role status current created_at) ],
    'a workspace detail has id, name, role, status, current and created_at');
is_deeply({ map { $_ => $detail->{$_} } qw(id name role status current) },
    { id => $zeta, name => 'Zeta', role => 'owner', status => 'normal',
      current => $T },
    'the detail describes the workspace and my role in it');
like($detail->{created_at} // '', $TIME_RE,
    'created_at is RFC 3339 UTC with seconds');

$res = get_json("/openapi/v1/workspaces/$alpha");
is_deeply([ @{ $res->{json} // {} }{qw(role current)} ], [ 'normal', $F ],
    'the detail of a workspace I joined shows my role and that it is not '
    . 'current');

my $other = get_json("/openapi/v1/workspaces/$mid");
is_error($other, 404, 'workspace_not_found',
    'a workspace I am not a member of is a 404 workspace_not_found');
my $absent = get_json("/openapi/v1/workspaces/$nowhere");
is_error($absent, 404, 'workspace_not_found',
    'a workspace that does not exist is a 404 workspace_not_found');
is_deeply([ @{ $other->{json} // {} }{qw(status code message)} ],
    [ @{ $absent->{json} // {} }{qw(status code message)} ],
    'a workspace I cannot see and one that does not exist answer the same');

# --- POST /workspaces/{id}/switch -------------------------------------------

$res = $s->request(POST => "/openapi/v1/workspaces/$alpha/switch",
    { token => $alice->{token} });
is($res->{status}, 200, 'switching to a workspace I belong to answers 200');
is_deeply({ map { $_ => ($res->{json} // {})->{$_} }
        qw(id name role status current) },
    { id => $alpha, name => 'Alpha', role => 'normal', status => 'normal',
      current => $T },
    'the switch answers the workspace detail, now current');
like(($res->{json} // {})->{created_at} // '', $TIME_RE,
    'the switch answer has created_at like the detail');
is(get_json('/openapi/v1/account')->{json}{default_workspace_id}, $alpha,
    'GET /account then names the new current workspace');
is_deeply([ map { [ $_->{name}, $_->{current} ] }
        @{ get_json('/openapi/v1/workspaces')->{json}{workspaces} // [] } ],
    [ [ 'Alpha', $T ], [ 'Zeta', $F ] ],
    'GET /workspaces then marks only the new one current');
is(get_json("/openapi/v1/workspaces/$zeta")->{json}{current}, $F,
    'the previous workspace\'s detail is no longer current');
is(get_json('/openapi/v1/account', $bob->{token})->{json}
    {default_workspace_id}, $alpha,
    'switching changes nobody else\'s current workspace');

is_error($s->request(POST => "/openapi/v1/workspaces/$mid/switch",
        { token => $alice->{token} }), 404, 'workspace_not_found',
    'switching to a workspace I am not a member of is a 404');
is_error($s->request(POST => "/openapi/v1/workspaces/$nowhere/switch",
        { token => $alice->{token} }), 404, 'workspace_not_found',
    'switching to a workspace that does not exist is a 404');
is(get_json('/openapi/v1/account')->{json}{default_workspace_id}, $alpha,
    'a refused switch leaves the current workspace as it was');
is_error($s->request(POST => "/openapi/v1/workspaces/$zeta/switch"), 401,
    'unauthorized', 'switching needs a token');
$res = $s->request(GET => "/openapi/v1/workspaces/$zeta/switch",
    { token => $alice->{token} });
is_error($res, 405, 'method_not_allowed', 'GET on switch is a 405');
is($res->{headers}{allow}, 'POST', 'the 405 on switch allows POST');

$s->finish;
done_testing;
