#!/usr/bin/perl
# 24-openapi-members.t: a workspace's members: the paged list in join
# order, invitations, role changes and removals, and who may do which
# (owner and admin manage; nobody changes their own role; the owner is
# protected; non-members cannot tell the workspace exists).
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use JSON::PP ();
use Test::More;
use DrioStack;
use DrioTest;

my $s = DrioStack->start;

sub user { $s->seed_user(email => "$_[0]\@example.com", name => $_[1]) }
my $owner    = user('owner', 'Olga Owner');
my $admin    = user('admin', 'Adam Admin');
my $manager  = user('manager', 'Mia Manager');
my $normal   = user('normal', 'Nils Normal');
my $outsider = user('outsider', 'Otto');
my $existing = user('existing', 'Eve');
my $ws = $s->seed_workspace('Team', $owner->{email});
$s->seed_member($ws, $admin->{id}, 'admin');
$s->seed_member($ws, $manager->{id}, 'manager');
$s->seed_member($ws, $normal->{id}, 'normal');
my $nowhere = '00000000-0000-4000-8000-000000000000';
my $members = "/openapi/v1/workspaces/$ws/members";

sub as {
    my ($who, $method, $path, $json) = @_;
    return $s->request($method, $path,
        { token => $who->{token}, defined $json ? (json => $json) : () });
}

sub member_rows {
    my $res = as($owner, GET => "$members?limit=200");
    return @{ ($res->{json} // {})->{data} // [] };
}

sub role_of {
    my ($id) = @_;
    my ($row) = grep { ($_->{id} // '') eq $id } member_rows();
    return $row ? $row->{role} : undef;
}

# --- GET members ------------------------------------------------------------

my $res = as($owner, GET => $members);
is_list_envelope($res, 'GET members answers a list envelope');
my @rows = @{ ($res->{json} // {})->{data} // [] };
is_deeply([ map { [ @$_{qw(id email name role status)} ] } @rows ], [
    [ $owner->{id}, 'owner@example.com', 'Olga Owner', 'owner', 'active' ],
    [ $admin->{id}, 'admin@example.com', 'Adam Admin', 'admin', 'active' ],
    [ $manager->{id}, 'manager@example.com', 'Mia Manager', 'manager',
      'active' ],
    [ $normal->{id}, 'normal@example.com', 'Nils Normal', 'normal',
      'active' ],
], 'members are listed in join order with account id, email, name, role '
    . 'and status');
is_deeply([ sort keys %{ $rows[0] // {} } ],
    [ sort qw(id email name role status avatar) ],
    'a member row has id, email, name, role, status and avatar');
is_deeply([ @{ $res->{json} // {} }{qw(page limit total)} ], [ 1, 20, 4 ],
    'the default page is 1 with a limit of 20');
is(as($normal, GET => $members)->{status}, 200,
    'a normal member may list the members');
is_error(as($outsider, GET => $members), 404, 'workspace_not_found',
    'a non-member listing members gets 404 workspace_not_found');
is_error(as($owner, GET => "/openapi/v1/workspaces/$nowhere/members"), 404,
    'workspace_not_found',
    'listing the members of a workspace that does not exist is a 404');
is_error($s->request(GET => $members), 401, 'unauthorized',
    'listing members needs a token');
is_validation_error(as($owner, GET => "$members?role=owner"),
    [ 'query', 'role' ], 'extra_forbidden',
    'an undeclared query parameter on members is a 422 extra_forbidden');

# 25 members in a second workspace, joined a second apart.
my $big = $s->seed_workspace('Big', $owner->{email});
$s->sql(<<'SQL', $big);
INSERT INTO accounts (email, name)
SELECT 'bulk' || n || '@example.com', 'Bulk ' || n
FROM generate_series(1, 24) AS n;
INSERT INTO members (workspace_id, account_id, role, created_at)
SELECT :'p1', a.id, 'normal',
       now() + substring(a.email from 'bulk(\d+)@')::int
               * interval '1 second'
FROM accounts a WHERE a.email LIKE 'bulk%';
SQL
$res = as($owner, GET => "/openapi/v1/workspaces/$big/members");
is_deeply([ scalar @{ $res->{json}{data} // [] },
    @{ $res->{json} // {} }{qw(total limit)}, $res->{json}{has_more} ? 1 : 0 ],
    [ 20, 25, 20, 1 ],
    'a workspace of 25 members shows 20 on the first page, total 25, more '
    . 'to come');
my @first = @{ $res->{json}{data} // [] };
is_deeply([ map { $_->{email} } @first[0 .. 2] ],
    [ 'owner@example.com', 'bulk1@example.com', 'bulk2@example.com' ],
    'the first page starts with the earliest members');
$res = as($owner, GET => "/openapi/v1/workspaces/$big/members?page=2");
is_deeply([ map { $_->{email} } @{ $res->{json}{data} // [] } ],
    [ map { "bulk$_\@example.com" } 20 .. 24 ],
    'page 2 holds the remaining 5 members in join order');
is($res->{json}{has_more}, JSON::PP::false, 'the last page has no more');
$res = as($owner, GET => "/openapi/v1/workspaces/$big/members?page=9");
is_deeply([ $res->{status}, scalar @{ $res->{json}{data} // [1] },
        @{ $res->{json} // {} }{qw(page total)} ],
    [ 200, 0, 9, 25 ],
    'a page past the end is empty but still counts every member');

# --- POST members (invite) --------------------------------------------------

$res = as($owner, POST => $members,
    { email => 'newbie@example.com', role => 'normal' });
is($res->{status}, 201, 'the owner inviting an unknown email answers 201');
my $invite = $res->{json} // {};
my $newbie = $s->sql(q{SELECT id FROM accounts
    WHERE email = 'newbie@example.com'});
is_deeply({ map { $_ => $invite->{$_} }
        qw(result member_id email role tenant_id) },
    { result => 'success', member_id => $newbie, email => 'newbie@example.com',
      role => 'normal', tenant_id => $ws },
    'the invite answers success, the new member\'s id, email, role and the '
    . 'workspace id as tenant_id');
like($invite->{invite_url} // '', qr/\A\Q${\ $s->public_url }\E\//,
    'the invite_url starts with the public URL');
is($s->sql(q{SELECT status FROM accounts WHERE id = :'p1'}, $newbie),
    'pending', 'inviting an unknown email creates a pending account');
my ($row) = grep { ($_->{id} // '') eq $newbie } member_rows();
is_deeply([ @{ $row // {} }{qw(email role status)} ],
    [ 'newbie@example.com', 'normal', 'pending' ],
    'the member list shows the invited account as pending');

$res = as($owner, POST => $members,
    { email => 'existing@example.com', role => 'admin' });
is($res->{status}, 201, 'inviting an existing account answers 201');
is(($res->{json} // {})->{member_id}, $existing->{id},
    'the invite of an existing account answers that account\'s id');
($row) = grep { ($_->{id} // '') eq $existing->{id} } member_rows();
is_deeply([ @{ $row // {} }{qw(role status)} ], [ 'admin', 'active' ],
    'an existing account joins as an active member with the invited role');
is($s->sql(q{SELECT count(*) FROM accounts
    WHERE lower(email) = 'existing@example.com'}), 1,
    'inviting an existing account creates no second account');

is_error(as($owner, POST => $members,
        { email => 'normal@example.com', role => 'normal' }), 409,
    'member_exists', 'inviting a member again is a 409 member_exists');
is_error(as($owner, POST => $members,
        { email => 'NewBie@Example.COM', role => 'normal' }), 409,
    'member_exists',
    'inviting a member again with the email in another case is a 409');
is_error(as($owner, POST => $members,
        { email => 'owner@example.com', role => 'admin' }), 409,
    'member_exists', 'inviting the owner is a 409 member_exists');

is_validation_error(as($owner, POST => $members,
        { email => 'x1@example.com', role => 'owner' }), [ 'body', 'role' ],
    'enum', 'inviting as owner is a 422 on role');
is_validation_error(as($owner, POST => $members,
        { email => 'x2@example.com', role => 'manager' }), [ 'body', 'role' ],
    'enum', 'inviting as manager is a 422 on role (admin or normal only)');
is_validation_error(as($owner, POST => $members,
        { email => 'not an email', role => 'normal' }), [ 'body', 'email' ],
    'value_error', 'a malformed email is a 422 on email');
is_validation_error(as($owner, POST => $members,
        { email => 'x3@example.com' }), [ 'body', 'role' ], 'missing',
    'a missing role is a 422 of type missing');
is_validation_error(as($owner, POST => $members,
        { role => 'normal' }), [ 'body', 'email' ], 'missing',
    'a missing email is a 422 of type missing');
is_validation_error(as($owner, POST => $members,
        { email => 'x4@example.com', role => 'normal', nickname => 'x' }),
    [ 'body', 'nickname' ], 'extra_forbidden',
    'an unknown body field is a 422 extra_forbidden');
is_validation_error(as($owner, POST => $members,
        { email => [ 'x5@example.com' ], role => 'normal' }),
    [ 'body', 'email' ], 'string_type',
    'an email that is not a string is a 422 string_type');
is($s->sql(q{SELECT count(*) FROM accounts WHERE email ~ '^x[0-9]@'}), 0,
    'refused invitations create no account');

is_error(as($normal, POST => $members,
        { email => 'fromnormal@example.com', role => 'normal' }), 403,
    'insufficient_role',
    'a normal member inviting is a 403 insufficient_role');
is_error(as($manager, POST => $members,
        { email => 'frommanager@example.com', role => 'normal' }), 403,
    'insufficient_role', 'a manager inviting is a 403 insufficient_role');
$res = as($admin, POST => $members,
    { email => 'fromadmin@example.com', role => 'normal' });
is($res->{status}, 201, 'an admin may invite');
is_error(as($outsider, POST => $members,
        { email => 'fromoutsider@example.com', role => 'normal' }), 404,
    'workspace_not_found',
    'a non-member inviting is a 404 workspace_not_found');
is($s->sql(q{SELECT count(*) FROM accounts
    WHERE email IN ('fromnormal@example.com', 'frommanager@example.com',
                    'fromoutsider@example.com')}), 0,
    'refused invitations by role create no account');

# --- PUT members/{id}/role --------------------------------------------------

my $role_of = sub { "$members/$_[0]{id}/role" };
$res = as($owner, PUT => $role_of->($admin), { role => 'normal' });
is($res->{status}, 200, 'the owner demoting an admin answers 200');
is_deeply($res->{json}, { result => 'success' },
    'a role change answers {"result":"success"}');
is(role_of($admin->{id}), 'normal', 'the member list shows the new role');
as($owner, PUT => $role_of->($admin), { role => 'admin' });
is(role_of($admin->{id}), 'admin', 'the owner can make a member admin again');

$res = as($owner, PUT => $role_of->($normal), { role => 'manager' });
is($res->{status}, 200, 'manager is a role a member can be given');
is(role_of($normal->{id}), 'manager', 'the list shows the member as manager');
$res = as($admin, PUT => $role_of->($normal), { role => 'normal' });
is($res->{status}, 200, 'an admin may change a member\'s role');
is(role_of($normal->{id}), 'normal', 'the admin\'s change is stored');

is_validation_error(
    as($owner, PUT => $role_of->($normal), { role => 'owner' }),
    [ 'body', 'role' ], 'enum', 'making someone owner is a 422 on role');
is_validation_error(as($owner, PUT => $role_of->($normal), { role => 'boss' }),
    [ 'body', 'role' ], 'enum', 'an unknown role is a 422 on role');
is_validation_error(as($owner, PUT => $role_of->($normal), {}),
    [ 'body', 'role' ], 'missing', 'a role change without a role is a 422');
is_error(as($owner, PUT => $role_of->($owner), { role => 'admin' }), 403,
    'cannot_change_own_role',
    'the owner changing their own role is a 403 cannot_change_own_role');
is_error(as($admin, PUT => $role_of->($admin), { role => 'normal' }), 403,
    'cannot_change_own_role',
    'an admin changing their own role is a 403 cannot_change_own_role');
is_error(as($admin, PUT => $role_of->($owner), { role => 'normal' }), 403,
    'owner_protected', 'an admin demoting the owner is a 403 owner_protected');
is(role_of($owner->{id}), 'owner', 'the owner is still owner');
is_error(as($owner, PUT => "$members/$nowhere/role", { role => 'normal' }),
    404, 'member_not_found',
    'changing the role of an unknown member id is a 404 member_not_found');
is_error(as($owner, PUT => $role_of->($outsider), { role => 'normal' }),
    404, 'member_not_found',
    'changing the role of an account that is not a member is a 404');
is_error(as($normal, PUT => $role_of->($manager), { role => 'normal' }), 403,
    'insufficient_role', 'a normal member changing roles is a 403');
is_error(as($manager, PUT => $role_of->($normal), { role => 'manager' }), 403,
    'insufficient_role', 'a manager changing roles is a 403');
is_error(as($outsider, PUT => $role_of->($normal), { role => 'admin' }), 404,
    'workspace_not_found', 'a non-member changing roles is a 404');
is(role_of($normal->{id}), 'normal', 'refused role changes change nothing');

# --- DELETE members/{id} ----------------------------------------------------

is_error(as($admin, DELETE => "$members/$owner->{id}"), 403,
    'owner_protected', 'an admin removing the owner is a 403 owner_protected');
is_error(as($normal, DELETE => "$members/$manager->{id}"), 403,
    'insufficient_role', 'a normal member removing someone is a 403');
is_error(as($manager, DELETE => "$members/$normal->{id}"), 403,
    'insufficient_role', 'a manager removing someone is a 403');
is_error(as($owner, DELETE => "$members/$nowhere"), 404, 'member_not_found',
    'removing an unknown member id is a 404 member_not_found');
is_error(as($owner, DELETE => "$members/$outsider->{id}"), 404,
    'member_not_found', 'removing an account that is not a member is a 404');
is_error(as($outsider, DELETE => "$members/$normal->{id}"), 404,
    'workspace_not_found', 'a non-member removing someone is a 404');
is(scalar(grep { ($_->{id} // '') eq $normal->{id} } member_rows()), 1,
    'refused removals remove nobody');

is(as($normal, GET => "/openapi/v1/workspaces/$ws")->{status}, 200,
    'a member sees the workspace before removal');
$res = as($owner, DELETE => "$members/$normal->{id}");
is($res->{status}, 200, 'the owner removing a normal member answers 200');
is_deeply($res->{json}, { result => 'success' },
    'a removal answers {"result":"success"}');
is(scalar(grep { ($_->{id} // '') eq $normal->{id} } member_rows()), 0,
    'the removed member is gone from the list');
is_error(as($normal, GET => "/openapi/v1/workspaces/$ws"), 404,
    'workspace_not_found',
    'the removed member then gets 404 for the workspace');
is_error(as($normal, GET => $members), 404, 'workspace_not_found',
    'the removed member can no longer list the members');
is_error(as($owner, DELETE => "$members/$normal->{id}"), 404,
    'member_not_found', 'removing the same member twice is a 404');
$res = as($admin, DELETE => "$members/$existing->{id}");
is($res->{status}, 200, 'an admin may remove another admin');

$s->finish;
done_testing;
