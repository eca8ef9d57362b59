#!/usr/bin/perl
# 27-openapi-crews.t: crews, the teams inside a workspace: the paged
# list, create, show, patch and delete, adding and removing members, and
# who may do which (any member reads; owner, admin and manager write; a
# member may leave a crew; non-members cannot tell the workspace exists;
# a crew of another workspace is not found).  Refused writes change
# nothing, a crew with installs cannot be deleted, and leaving the
# workspace leaves its crews.
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
my $leaver   = user('leaver', 'Lea Leaver');
my $outsider = user('outsider', 'Otto');
my $ws = $s->seed_workspace('Team', $owner->{email});
$s->seed_member($ws, $admin->{id}, 'admin');
$s->seed_member($ws, $manager->{id}, 'manager');
$s->seed_member($ws, $normal->{id}, 'normal');
$s->seed_member($ws, $leaver->{id}, 'normal');
# The outsider has a workspace of their own, with a crew in it.
my $other = $s->seed_workspace('Elsewhere', $outsider->{email});
my $nowhere = '00000000-0000-4000-8000-000000000000';
my $crews = "/openapi/v1/workspaces/$ws/crews";
my $other_crews = "/openapi/v1/workspaces/$other/crews";

sub as {
    my ($who, $method, $path, $json) = @_;
    return $s->request($method, $path,
        { token => $who->{token}, defined $json ? (json => $json) : () });
}

sub crew_count {
    return $s->sql(q{SELECT count(*) FROM crews WHERE workspace_id = :'p1'},
        $_[0] // $ws);
}

sub crew_row {
    my ($id) = @_;
    return $s->sql(q{SELECT name || '|' || description || '|'
        || updated_at::text FROM crews WHERE id = :'p1'}, $id);
}

sub crew_members_of {
    my ($id) = @_;
    return $s->sql(q{SELECT coalesce(string_agg(a.email, ',' ORDER BY
        a.email), '') FROM crew_members cm JOIN accounts a
        ON a.id = cm.account_id WHERE cm.crew_id = :'p1'}, $id);
}

# --- GET crews (empty) ------------------------------------------------------

my $res = as($normal, GET => $crews);
is_list_envelope($res, 'GET crews answers a list envelope');
is_deeply([ ($res->{json} // {})->{data}, ($res->{json} // {})->{total} ],
    [ [], 0 ], 'a workspace without crews lists none');
is_error($s->request(GET => $crews), 401, 'unauthorized',
    'listing crews needs a token');
is_error(as($outsider, GET => $crews), 404, 'workspace_not_found',
    'a non-member listing crews gets 404 workspace_not_found');
is_error(as($owner, GET => "/openapi/v1/workspaces/$nowhere/crews"), 404,
    'workspace_not_found',
    'listing the crews of a workspace that does not exist is a 404');
is_validation_error(as($owner, GET => "$crews?sort=name"),
    [ 'query', 'sort' ], 'extra_forbidden',
    'an undeclared query parameter on crews is a 422 extra_forbidden');

# --- POST crews -------------------------------------------------------------

$res = as($manager, POST => $crews,
    { name => 'Platform', description => 'Keeps the lights on' });
is($res->{status}, 201, 'a manager creating a crew answers 201');
my $platform = $res->{json} // {};
is_uuid($platform->{id}, 'the new crew has a uuid id');
is_deeply({ map { $_ => $platform->{$_} }
        qw(name description member_count created_by members) },
    { name => 'Platform', description => 'Keeps the lights on',
      member_count => 0, created_by => $manager->{id}, members => [] },
    'the new crew answers its name, description, no members and its '
    . 'creator');
like($platform->{created_at} // '', qr/\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\z/,
    'created_at is an RFC 3339 UTC time');
is($platform->{updated_at}, $platform->{created_at},
    'a new crew was updated when it was created');
is($s->sql(q{SELECT workspace_id FROM crews WHERE id = :'p1'},
        $platform->{id} // $nowhere), $ws,
    'the crew is stored in the workspace');
my $crew = "$crews/" . ($platform->{id} // $nowhere);

$res = as($owner, POST => $crews, { name => 'Design' });
is($res->{status}, 201, 'the owner may create a crew');
is(($res->{json} // {})->{description}, '',
    'a crew created without a description has an empty one');
my $design = ($res->{json} // {})->{id} // $nowhere;
is(as($admin, POST => $crews, { name => 'Apex', description => '' })
    ->{status}, 201, 'an admin may create a crew with an empty description');
my $in_other = as($outsider, POST => $other_crews, { name => 'Platform' });
is($in_other->{status}, 201,
    'another workspace may have a crew of the same name');
my $foreign = ($in_other->{json} // {})->{id} // $nowhere;

my $before = crew_count();
is_error(as($admin, POST => $crews, { name => 'Platform' }), 409,
    'name_taken', 'a second crew named Platform is a 409 name_taken');
$res = as($admin, POST => $crews, { name => 'Platform' });
is_deeply([ map { $_->{loc} } @{ ($res->{json} // {})->{details} // [] } ],
    [ [ 'body', 'name' ] ], 'the name_taken answer points at body.name');
is_error(as($normal, POST => $crews, { name => 'Normals' }), 403,
    'insufficient_role', 'a normal member creating a crew is a 403');
is_error(as($outsider, POST => $crews, { name => 'Intruders' }), 404,
    'workspace_not_found', 'a non-member creating a crew is a 404');
is_error($s->request(POST => $crews, { json => { name => 'Anon' } }), 401,
    'unauthorized', 'creating a crew needs a token');
is_validation_error(as($manager, POST => $crews, {}), [ 'body', 'name' ],
    'missing', 'a crew without a name is a 422 missing');
is_validation_error(as($manager, POST => $crews, { name => '' }),
    [ 'body', 'name' ], 'string_too_short', 'an empty name is a 422');
is_validation_error(as($manager, POST => $crews, { name => 'x' x 256 }),
    [ 'body', 'name' ], 'string_too_long',
    'a name of 256 characters is a 422');
is_validation_error(as($manager, POST => $crews,
        { name => 'Long', description => 'd' x 4001 }),
    [ 'body', 'description' ], 'string_too_long',
    'a description of 4001 characters is a 422');
is_validation_error(as($manager, POST => $crews, { name => [ 'A' ] }),
    [ 'body', 'name' ], 'string_type', 'a name that is not a string is a 422');
is_validation_error(as($manager, POST => $crews,
        { name => 'Extra', colour => 'red' }), [ 'body', 'colour' ],
    'extra_forbidden', 'an unknown body field is a 422 extra_forbidden');
is(crew_count(), $before, 'refused creations create no crew');
is(as($manager, POST => $crews, { name => 'y' x 255 })->{status}, 201,
    'a name of 255 characters is accepted');

# --- GET crews (list) -------------------------------------------------------

$res = as($normal, GET => $crews);
is_list_envelope($res, 'a normal member may list the crews');
my @rows = @{ ($res->{json} // {})->{data} // [] };
is_deeply([ map { $_->{name} } @rows ],
    [ 'Apex', 'Design', 'Platform', 'y' x 255 ],
    'crews are listed by name');
is_deeply([ sort keys %{ $rows[0] // {} } ],
    [ sort qw(id name description member_count created_by created_at
        updated_at) ],
    'a crew row has id, name, description, member_count, created_by and '
    . 'the times');
ok(!grep({ ($_->{id} // '') eq $foreign } @rows),
    'another workspace\'s crew is not listed');
$res = as($owner, GET => "$crews?limit=2&page=2");
is_deeply([ (map { $_->{name} } @{ ($res->{json} // {})->{data} // [] }),
        @{ $res->{json} // {} }{qw(page limit total)} ],
    [ 'Platform', 'y' x 255, 2, 2, 4 ],
    'page 2 of 2 holds the next two crews and counts all four');
$res = as($owner, GET => "$crews?page=9");
is_deeply([ scalar @{ ($res->{json} // {})->{data} // [1] },
        ($res->{json} // {})->{total} ], [ 0, 4 ],
    'a page past the end is empty but still counts every crew');

# --- GET crews/{id} ---------------------------------------------------------

$res = as($normal, GET => $crew);
is($res->{status}, 200, 'a normal member may read a crew');
is_deeply({ map { $_ => ($res->{json} // {})->{$_} }
        qw(id name members member_count) },
    { id => $platform->{id}, name => 'Platform', members => [],
      member_count => 0 }, 'the crew answers its id, name and members');
is_error(as($owner, GET => "$crews/$nowhere"), 404, 'crew_not_found',
    'an unknown crew id is a 404 crew_not_found');
is_error(as($owner, GET => "$crews/$foreign"), 404, 'crew_not_found',
    'another workspace\'s crew id is a 404 crew_not_found');
is_error(as($outsider, GET => "$other_crews/$platform->{id}"), 404,
    'crew_not_found',
    'this crew through the other workspace\'s path is a 404 too');
is_error(as($outsider, GET => $crew), 404, 'workspace_not_found',
    'a non-member reading a crew is a 404 workspace_not_found');
is_error($s->request(GET => $crew), 401, 'unauthorized',
    'reading a crew needs a token');

# --- PATCH crews/{id} -------------------------------------------------------

$s->sql(q{UPDATE crews SET updated_at = now() - interval '1 day'
    WHERE workspace_id = :'p1'}, $ws);
my $stored = crew_row($platform->{id});
$res = as($manager, PATCH => $crew, {});
is($res->{status}, 200, 'an empty patch answers 200');
is(($res->{json} // {})->{name}, 'Platform',
    'an empty patch answers the crew as it is');
is(crew_row($platform->{id}), $stored,
    'an empty patch changes nothing, not even updated_at');
$res = as($manager, PATCH => $crew,
    { name => 'Platform', description => 'Keeps the lights on' });
is($res->{status}, 200, 'a patch with the current values answers 200');
is(crew_row($platform->{id}), $stored,
    'a patch with the current values leaves updated_at alone');

$res = as($manager, PATCH => $crew, { description => 'Runs the platform' });
is($res->{status}, 200, 'a manager changing the description answers 200');
is_deeply([ @{ $res->{json} // {} }{qw(name description)} ],
    [ 'Platform', 'Runs the platform' ],
    'the patch answers the crew with the new description and the old name');
isnt(crew_row($platform->{id}), $stored, 'a real change moves updated_at');
$res = as($admin, PATCH => $crew, { name => 'Infra' });
is(($res->{json} // {})->{name}, 'Infra', 'an admin may rename a crew');
is(as($owner, GET => $crew)->{json}{name}, 'Infra',
    'the new name is stored');
is(as($owner, PATCH => $crew, { description => '' })->{json}{description},
    '', 'a description can be emptied');

$stored = crew_row($platform->{id});
is_error(as($manager, PATCH => $crew, { name => 'Design' }), 409,
    'name_taken', 'renaming a crew to a taken name is a 409 name_taken');
is_error(as($normal, PATCH => $crew, { name => 'Mine' }), 403,
    'insufficient_role', 'a normal member patching a crew is a 403');
is_error(as($outsider, PATCH => $crew, { name => 'Theirs' }), 404,
    'workspace_not_found', 'a non-member patching a crew is a 404');
is_error(as($owner, PATCH => "$crews/$foreign", { name => 'Stolen' }), 404,
    'crew_not_found', 'patching another workspace\'s crew is a 404');
is_error(as($owner, PATCH => "$crews/$nowhere", { name => 'Ghost' }), 404,
    'crew_not_found', 'patching an unknown crew is a 404');
is_validation_error(as($owner, PATCH => $crew, { name => '' }),
    [ 'body', 'name' ], 'string_too_short',
    'patching the name to an empty one is a 422');
is_validation_error(as($owner, PATCH => $crew, { id => $nowhere }),
    [ 'body', 'id' ], 'extra_forbidden', 'a patch of the id is a 422');
is(crew_row($platform->{id}), $stored, 'refused patches change nothing');
is($s->sql(q{SELECT name FROM crews WHERE id = :'p1'}, $foreign),
    'Platform', 'the other workspace\'s crew kept its name');

# --- POST crews/{id}/members ------------------------------------------------

my $join = "$crew/members";
$res = as($manager, POST => $join, { account_id => $normal->{id} });
is($res->{status}, 201, 'a manager adding a member answers 201');
like(delete(($res->{json} // {})->{added_at}) // '', qr/\A\d{4}-.*Z\z/,
    'the added member has an added_at time');
is_deeply($res->{json}, { account_id => $normal->{id},
        email => 'normal@example.com', name => 'Nils Normal',
        role => 'normal' },
    'the added member answers account id, email, name and workspace role');
$res = as($admin, POST => $join, { account_id => $normal->{id} });
is($res->{status}, 200, 'adding a member again answers 200 (idempotent)');
is(($res->{json} // {})->{account_id}, $normal->{id},
    'adding a member again answers the same member');
is(crew_members_of($platform->{id}), 'normal@example.com',
    'adding a member twice keeps one membership');
is(as($owner, POST => $join, { account_id => uc $leaver->{id} })->{status},
    201, 'an account id in upper case is accepted');
as($owner, POST => $join, { account_id => $manager->{id} });

is_validation_error(as($owner, POST => $join,
        { account_id => $outsider->{id} }), [ 'body', 'account_id' ],
    'not_a_member',
    'adding a member of another workspace only is a 422 on account_id');
is_validation_error(as($owner, POST => $join, { account_id => $nowhere }),
    [ 'body', 'account_id' ], 'not_a_member',
    'adding an unknown account is a 422 on account_id');
is_validation_error(as($owner, POST => $join, { account_id => 'nobody' }),
    [ 'body', 'account_id' ], 'uuid_parsing',
    'adding a malformed account id is a 422 uuid_parsing');
is_validation_error(as($owner, POST => $join, {}),
    [ 'body', 'account_id' ], 'missing', 'adding nobody is a 422 missing');
is_error(as($normal, POST => $join, { account_id => $admin->{id} }), 403,
    'insufficient_role', 'a normal member adding a member is a 403');
is_error(as($normal, POST => $join, { account_id => $normal->{id} }), 403,
    'insufficient_role', 'a normal member cannot add even themselves');
is_error(as($outsider, POST => $join, { account_id => $outsider->{id} }),
    404, 'workspace_not_found', 'a non-member adding a member is a 404');
is_error(as($owner, POST => "$crews/$foreign/members",
        { account_id => $admin->{id} }), 404, 'crew_not_found',
    'adding to another workspace\'s crew is a 404 crew_not_found');
is_error(as($owner, POST => "$crews/$nowhere/members",
        { account_id => $admin->{id} }), 404, 'crew_not_found',
    'adding to an unknown crew is a 404 crew_not_found');
is(crew_members_of($platform->{id}),
    'leaver@example.com,manager@example.com,normal@example.com',
    'refused additions add nobody');
is(crew_members_of($foreign), '', 'the other workspace\'s crew is empty');

$res = as($normal, GET => $crew);
is_deeply([ map { [ @$_{qw(account_id email name role)} ] }
        @{ ($res->{json} // {})->{members} // [] } ], [
    [ $normal->{id}, 'normal@example.com', 'Nils Normal', 'normal' ],
    [ $leaver->{id}, 'leaver@example.com', 'Lea Leaver', 'normal' ],
    [ $manager->{id}, 'manager@example.com', 'Mia Manager', 'manager' ],
], 'the crew lists its members in the order they were added, with roles');
is(($res->{json} // {})->{member_count}, 3, 'member_count counts them');
my ($listed) = grep { ($_->{id} // '') eq $platform->{id} }
    @{ (as($owner, GET => $crews)->{json} // {})->{data} // [] };
is(($listed // {})->{member_count}, 3,
    'the crew list shows the member count too');

# --- DELETE crews/{id}/members/{account_id} ---------------------------------

is_error(as($normal, DELETE => "$join/$manager->{id}"), 403,
    'insufficient_role', 'a normal member removing someone else is a 403');
is_error(as($outsider, DELETE => "$join/$normal->{id}"), 404,
    'workspace_not_found', 'a non-member removing a crew member is a 404');
is_error(as($owner, DELETE => "$join/$admin->{id}"), 404,
    'member_not_found', 'removing a workspace member not in the crew is a 404');
is_error(as($owner, DELETE => "$join/$nowhere"), 404, 'member_not_found',
    'removing an unknown account from the crew is a 404');
is_error(as($owner, DELETE => "$crews/$foreign/members/$normal->{id}"),
    404, 'crew_not_found',
    'removing from another workspace\'s crew is a 404 crew_not_found');
is_error($s->request(DELETE => "$join/$normal->{id}"), 401, 'unauthorized',
    'removing a crew member needs a token');
is(crew_members_of($platform->{id}),
    'leaver@example.com,manager@example.com,normal@example.com',
    'refused removals remove nobody');

$res = as($normal, DELETE => "$join/$normal->{id}");
is($res->{status}, 200, 'a normal member may leave a crew');
is_deeply($res->{json}, { result => 'success' },
    'leaving answers {"result":"success"}');
is_error(as($normal, DELETE => "$join/$normal->{id}"), 404,
    'member_not_found', 'leaving a crew twice is a 404');
$res = as($manager, DELETE => "$join/$manager->{id}");
is($res->{status}, 200, 'a manager may remove a member');
is(crew_members_of($platform->{id}), 'leaver@example.com',
    'removed members are gone from the crew');

# --- leaving the workspace leaves its crews ---------------------------------

as($owner, POST => "$crews/$design/members", { account_id => $leaver->{id} });
is(crew_members_of($design), 'leaver@example.com',
    'the leaver is in two crews');
is(as($owner, DELETE => "/openapi/v1/workspaces/$ws/members/$leaver->{id}")
    ->{status}, 200, 'the owner removes the leaver from the workspace');
is(crew_members_of($platform->{id}) . '/' . crew_members_of($design), '/',
    'a member removed from the workspace is gone from all its crews');
is_deeply((as($owner, GET => $crew)->{json} // {})->{members}, [],
    'the crew no longer lists the removed member');
is_error(as($leaver, GET => $crews), 404, 'workspace_not_found',
    'the removed member can no longer list the crews');

# --- DELETE crews/{id} ------------------------------------------------------

as($owner, POST => $join, { account_id => $normal->{id} });
my $install = $s->sql(<<'SQL', $ws, $platform->{id});
INSERT INTO workspace_integrations
    (workspace_id, crew_id, name, kind, auth_mode, url)
VALUES (:'p1', :'p2', 'Team GitHub', 'mcp_server', 'none',
        'https://mcp.example.com/')
RETURNING id;
SQL
$res = as($owner, DELETE => $crew);
is_error($res, 409, 'in_use',
    'deleting a crew with a crew-scoped install is a 409 in_use');
is_deeply([ map { [ $_->{loc}, $_->{type} ] }
        @{ ($res->{json} // {})->{details} // [] } ],
    [ [ [ 'integrations', $install ], 'in_use' ] ],
    'the in_use answer names the install');
is_error(as($normal, DELETE => $crew), 403, 'insufficient_role',
    'a normal member deleting a crew is a 403');
is_error(as($outsider, DELETE => $crew), 404, 'workspace_not_found',
    'a non-member deleting a crew is a 404');
is_error(as($owner, DELETE => "$crews/$foreign"), 404, 'crew_not_found',
    'deleting another workspace\'s crew is a 404 crew_not_found');
is_error($s->request(DELETE => $crew), 401, 'unauthorized',
    'deleting a crew needs a token');
is($s->sql(q{SELECT count(*) FROM crews WHERE id IN (:'p1', :'p2')},
        $platform->{id}, $foreign), 2, 'refused deletions delete no crew');
is(crew_members_of($platform->{id}), 'normal@example.com',
    'refused deletions keep the crew\'s members');

$s->sql(q{DELETE FROM workspace_integrations WHERE id = :'p1'}, $install);
$res = as($manager, DELETE => $crew);
is($res->{status}, 200, 'a manager deleting an unused crew answers 200');
is_deeply($res->{json}, { result => 'success' },
    'a deletion answers {"result":"success"}');
is_error(as($owner, GET => $crew), 404, 'crew_not_found',
    'the deleted crew is gone');
is($s->sql(q{SELECT count(*) FROM crew_members WHERE crew_id = :'p1'},
        $platform->{id}), 0, 'its memberships went with it');
is_error(as($owner, DELETE => $crew), 404, 'crew_not_found',
    'deleting a crew twice is a 404');
is(crew_count($other), 1, 'the other workspace still has its crew');

$s->finish;
done_testing;
