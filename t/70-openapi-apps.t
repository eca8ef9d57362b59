#!/usr/bin/perl
# 70-openapi-apps.t: finding apps in the user-scoped API (docs/openapi-apps.md;
# ../shared/spec/user-scoped-openapi.compact.txt), and sharing them with
# other workspaces through v3 (docs/openapi/api-v3.json, "Shares"):
#
# - GET /openapi/v1/apps?workspace_id=: a member's view of the workspace's
#   apps, newest change first, as AppListRow; the mode, name and tag
#   filters; pages; a workspace the caller is not in is 404; the query is
#   checked (workspace_id required and a uuid, mode a closed enum, nothing
#   unknown).
# - PUT/GET/DELETE /api/v3/apps/{app_id}/shares/{workspace_id}: managers
#   share, members read, normal members cannot share; sharing again is 200;
#   the app's own workspace is 422; unknown ones 404.
# - GET /openapi/v1/apps/{app_id}/describe: info, parameters (Dify's
#   user_input_form) and input_schema from the start node of the workflow
#   it runs; the fields allow-list; members of the app's workspace and of
#   workspaces it is shared with, 404 for anyone else.
# - GET /openapi/v1/permitted-external-apps: the apps shared with one of
#   the caller's workspaces and in none of them, with their filters; gone
#   again once unshared.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Test::More;
use DrioApps qw(seed_app);
use DrioStack;
use DrioTest;

my $s = DrioStack->start(responders => [ 'openapi', 'api-v3' ]);

sub user { $s->seed_user(email => "$_[0]\@example.com", name => $_[1]) }
my $olga  = user('olga', 'Olga Owner');
my $nils  = user('nils', 'Nils Normal');
my $mia   = user('mia', 'Mia Manager');
my $otto  = user('otto', 'Otto Outsider');
my $acme  = $s->seed_workspace('Acme', $olga->{email});
$s->seed_member($acme, $nils->{id}, 'normal');
$s->seed_member($acme, $mia->{id}, 'manager');
my $other = $s->seed_workspace('Other', $otto->{email});
my $third = $s->seed_workspace('Third', $otto->{email});
my $nowhere = '00000000-0000-4000-8000-000000000000';

sub as {
    my ($who, $method, $path, $json) = @_;
    return $s->request($method, $path,
        { token => $who->{token}, defined $json ? (json => $json) : () });
}

my %app;
my $minute = 0;
for my $a ([ 'Weather bot', 'workflow', [ 'ops', 'weather' ] ],
    [ 'Sales chat', 'chat', [ 'sales' ] ],
    [ 'Ops runbook', 'workflow', [ 'ops' ] ],
    [ 'Agent Smith', 'agent-chat', [] ]) {
    my ($name, $mode, $tags) = @$a;
    $app{$name} = seed_app($s, $acme, name => $name, mode => $mode,
        tags => $tags, created_by => $olga->{id}, description => "About $name",
        updated_at => sprintf('2026-01-01 00:%02d:00+00', $minute++));
}
my $otto_app = seed_app($s, $other, name => 'Otto tool', mode => 'workflow',
    created_by => $otto->{id}, tags => [ 'ops' ]);

# --- GET /apps ---------------------------------------------------------------

my $res = as($nils, GET => "/openapi/v1/apps?workspace_id=$acme");
is($res->{status}, 200, 'a normal member lists the workspace\'s apps')
    or diag $res->{content};
my $body = $res->{json} // {};
is_deeply([ @$body{qw(page limit total has_more)} ],
    [ 1, 20, 4, JSON::PP::false ], 'page 1 of 20 by default, all four');
is_deeply([ map { $_->{name} } @{ $body->{data} // [] } ],
    [ 'Agent Smith', 'Ops runbook', 'Sales chat', 'Weather bot' ],
    'newest change first');
my ($row) = grep { $_->{name} eq 'Weather bot' } @{ $body->{data} // [] };
is_deeply([ sort keys %{ $row // {} } ],
    [ sort qw(id name description mode tags updated_at workspace_id
        workspace_name created_by_name) ], 'a row has AppListRow\'s fields');
is_deeply([ @{ $row // {} }{qw(id mode description workspace_id
        workspace_name created_by_name)} ],
    [ $app{'Weather bot'}, 'workflow', 'About Weather bot', $acme, 'Acme',
      'Olga Owner' ], '... with the app\'s values');
is_deeply($row->{tags}, [ { name => 'ops' }, { name => 'weather' } ],
    '... tags as TagItems');
like($row->{updated_at} // '', qr/\A2026-01-01T00:00:00Z\z/,
    '... updated_at in RFC 3339');

sub names_of {
    my ($query) = @_;
    my $r = as($nils, GET => "/openapi/v1/apps?workspace_id=$acme&$query");
    return [ map { $_->{name} } @{ ($r->{json} // {})->{data} // [] } ];
}
is_deeply(names_of('mode=workflow'), [ 'Ops runbook', 'Weather bot' ],
    'mode filters');
is_deeply(names_of('name=OPS'), [ 'Ops runbook' ],
    'name is a case-insensitive substring');
is_deeply(names_of('tag=ops'), [ 'Ops runbook', 'Weather bot' ],
    'tag filters by one tag');
is_deeply(names_of('tag=ops&mode=workflow&name=weather'), [ 'Weather bot' ],
    'filters combine');
$res = as($nils, GET => "/openapi/v1/apps?workspace_id=$acme&limit=3&page=2");
is_deeply([ map { $_->{name} } @{ $res->{json}{data} // [] } ],
    [ 'Weather bot' ], 'page 2 of 3');
is_deeply([ @{ $res->{json} // {} }{qw(total has_more)} ],
    [ 4, JSON::PP::false ], '... the last');

is_error(as($otto, GET => "/openapi/v1/apps?workspace_id=$acme"), 404,
    'workspace_not_found', 'a workspace the caller is not in is 404');
is_error(as($nils, GET => "/openapi/v1/apps?workspace_id=$nowhere"), 404,
    'workspace_not_found', 'so is one that does not exist');
is_validation_error(as($nils, GET => '/openapi/v1/apps'),
    [ 'query', 'workspace_id' ], 'missing', 'workspace_id is required');
is_validation_error(as($nils, GET => '/openapi/v1/apps?workspace_id=acme'),
    [ 'query', 'workspace_id' ], 'uuid_parsing', 'workspace_id is a uuid');
is_validation_error(as($nils, GET => "/openapi/v1/apps?workspace_id=$acme"
    . '&mode=robot'), [ 'query', 'mode' ], 'enum', 'mode is a closed enum');
is_validation_error(as($nils, GET => "/openapi/v1/apps?workspace_id=$acme"
    . '&colour=red'), [ 'query', 'colour' ], 'extra_forbidden',
    'an unknown parameter is refused');
is($s->request(GET => "/openapi/v1/apps?workspace_id=$acme")->{status}, 401,
    'without a token: 401');

# --- sharing through v3 ------------------------------------------------------

my $shares = "/api/v3/apps/$app{'Weather bot'}/shares";
is_error(as($nils, PUT => "$shares/$other"), 403, 'insufficient_role',
    'a normal member cannot share');
$res = as($mia, PUT => "$shares/$other");
is($res->{status}, 201, 'a manager shares the app with another workspace')
    or diag $res->{content};
is_deeply([ @{ $res->{json} // {} }{qw(workspace_id workspace_name
        created_by)} ], [ $other, 'Other', $mia->{id} ],
    '... answering the share');
is(as($mia, PUT => "$shares/$other")->{status}, 200, 'sharing again is 200');
is(as($olga, PUT => "/api/v3/apps/$app{'Sales chat'}/shares/$third")
    ->{status}, 201, 'the owner shares another app with a third workspace');
is(as($olga, PUT => "/api/v3/apps/$app{'Ops runbook'}/shares/$other")
    ->{status}, 201, '... and a third app with the other one');
is_error(as($mia, PUT => "$shares/$acme"), 422, 'validation_error',
    'the app\'s own workspace is refused');
is_error(as($mia, PUT => "$shares/$nowhere"), 404, 'workspace_not_found',
    'a workspace that does not exist is 404');
is_error(as($otto, PUT => "$shares/$other"), 404, 'app_not_found',
    'someone outside the app\'s workspace cannot share it');
$res = as($nils, GET => $shares);
is($res->{status}, 200, 'a normal member reads the shares');
is_deeply([ map { $_->{workspace_name} } @{ $res->{json}{data} // [] } ],
    [ 'Other' ], '... one');

# --- GET /permitted-external-apps --------------------------------------------

$res = as($otto, GET => '/openapi/v1/permitted-external-apps');
is($res->{status}, 200, 'the permitted external apps') or diag $res->{content};
is_deeply([ map { $_->{name} } @{ $res->{json}{data} // [] } ],
    [ 'Ops runbook', 'Sales chat', 'Weather bot' ],
    'the apps shared with any of the caller\'s workspaces, newest first;'
    . ' not the caller\'s own');
($row) = grep { $_->{name} eq 'Weather bot' } @{ $res->{json}{data} // [] };
is_deeply([ @{ $row // {} }{qw(workspace_id workspace_name)} ],
    [ $acme, 'Acme' ], '... naming the workspace the app is in');
is_deeply([ @{ $res->{json} // {} }{qw(page limit total)} ], [ 1, 20, 3 ],
    '... a page of 20');
$res = as($otto, GET => '/openapi/v1/permitted-external-apps?mode=chat');
is_deeply([ map { $_->{name} } @{ $res->{json}{data} // [] } ],
    [ 'Sales chat' ], 'mode filters');
$res = as($otto, GET => '/openapi/v1/permitted-external-apps?name=RUN');
is_deeply([ map { $_->{name} } @{ $res->{json}{data} // [] } ],
    [ 'Ops runbook' ], 'name filters');
is_validation_error(as($otto, GET => '/openapi/v1/permitted-external-apps'
    . '?tag=ops'), [ 'query', 'tag' ], 'extra_forbidden',
    'tag is not one of its parameters');
$res = as($olga, GET => '/openapi/v1/permitted-external-apps');
is_deeply($res->{json}{data}, [], 'the sharing workspace\'s members see none'
    . ' of their own apps there');

# Olga joins Other: the apps Acme shares with Other are her own workspace's.
$s->seed_member($other, $olga->{id}, 'normal');
$res = as($olga, GET => '/openapi/v1/permitted-external-apps');
is_deeply($res->{json}{data}, [], '... even when she is also in the'
    . ' workspace they are shared with');
is(as($otto, PUT => "/api/v3/apps/$otto_app/shares/$acme")->{status}, 201,
    'Otto shares his app with Acme');
$res = as($nils, GET => '/openapi/v1/permitted-external-apps');
is_deeply([ map { $_->{name} } @{ $res->{json}{data} // [] } ],
    [ 'Otto tool' ], 'Acme\'s members see it');
$res = as($olga, GET => '/openapi/v1/permitted-external-apps');
is_deeply($res->{json}{data}, [], 'not Olga, who is in Otto\'s workspace');

# --- unsharing ---------------------------------------------------------------

$res = as($mia, DELETE => "$shares/$other");
is($res->{status}, 200, 'a manager stops sharing') or diag $res->{content};
is_deeply($res->{json}, { deleted => JSON::PP::true, workspace_id => $other },
    '... answering what was unshared');
is_error(as($mia, DELETE => "$shares/$other"), 404, 'share_not_found',
    'unsharing again is 404');
$res = as($otto, GET => '/openapi/v1/permitted-external-apps');
is_deeply([ map { $_->{name} } @{ $res->{json}{data} // [] } ],
    [ 'Ops runbook', 'Sales chat' ], 'the unshared app is gone from the list');
is($s->sql("SELECT count(*) FROM app_shares"), 3, 'three shares remain');

# --- GET /apps/{app_id}/describe ---------------------------------------------

my $start = { id => 'start', type => 'custom', data => { type => 'start',
    title => 'Start', variables => [
        { variable => 'city', label => 'City', type => 'text-input',
          required => JSON::PP::true, max_length => 48 },
        { variable => 'units', label => 'Units', type => 'select',
          required => JSON::PP::false, options => [ 'metric', 'imperial' ] },
        { variable => 'days', label => 'Days', type => 'number',
          required => JSON::PP::false } ] } };
my $end = { id => 'end', type => 'custom', data => { type => 'end',
    title => 'End', outputs => [] } };
$s->sql("UPDATE drafts SET workflow = :'p1' WHERE app_id = :'p2'",
    JSON::PP->new->canonical->encode({ graph => { nodes => [ $start, $end ],
        edges => [ { id => 'e1', source => 'start', target => 'end',
            sourceHandle => 'source', targetHandle => 'target' } ] },
        features => {} }), $app{'Weather bot'});
my $describe = "/openapi/v1/apps/$app{'Weather bot'}/describe";
$res = as($nils, GET => $describe);
is($res->{status}, 200, 'a member describes an app') or diag $res->{content};
is_deeply([ sort keys %{ $res->{json} // {} } ],
    [ qw(info input_schema parameters) ], 'every block without fields');
is_deeply([ @{ $res->{json}{info} // {} }{qw(id name mode author
        service_api_enabled is_agent)} ],
    [ $app{'Weather bot'}, 'Weather bot', 'workflow', 'Olga Owner',
      JSON::PP::false, JSON::PP::false ],
    'info: the app, its author; not yet runnable (no release)');
is_deeply($res->{json}{info}{tags}, [ { name => 'ops' },
    { name => 'weather' } ], 'info: its tags');
is_deeply([ map { (keys %$_)[0] } @{ $res->{json}{parameters}
        {user_input_form} // [] } ], [ qw(text-input select number) ],
    'parameters: the start node\'s variables as Dify\'s user_input_form');
my $schema = $res->{json}{input_schema} // {};
is_deeply([ $schema->{type}, [ sort keys %{ $schema->{properties} // {} } ],
        $schema->{required} ], [ 'object', [ qw(city days units) ],
        [ 'city' ] ], 'input_schema: an object of the three inputs, city'
    . ' required');
is($schema->{properties}{city}{maxLength}, 48, '... city at most 48');
is_deeply($schema->{properties}{units}{enum}, [ 'metric', 'imperial' ],
    '... units one of its options');
$res = as($nils, GET => "$describe?fields=info");
is_deeply([ sort keys %{ $res->{json} // {} } ], [ 'info' ],
    'fields=info: only info');
$res = as($nils, GET => "$describe?fields=input_schema,parameters");
is_deeply([ sort keys %{ $res->{json} // {} } ],
    [ qw(input_schema parameters) ], 'fields lists blocks, any order');
is_validation_error(as($nils, GET => "$describe?fields=info,secrets"),
    [ 'query', 'fields' ], 'enum', 'an unknown member of fields is 422');
is_error(as($otto, GET => "/openapi/v1/apps/$app{'Agent Smith'}/describe"),
    404, 'app_not_found', 'an app neither in nor shared with the caller\'s'
    . ' workspaces is 404');
$res = as($otto, GET => "/openapi/v1/apps/$app{'Sales chat'}/describe");
is($res->{status}, 200, 'an app shared with the caller\'s workspace is'
    . ' described') or diag $res->{content};
is($res->{json}{info}{is_agent}, JSON::PP::false, '... a chat app');
is_deeply($res->{json}{parameters}{user_input_form}, [],
    '... without a workflow it takes no inputs');
$res = as($nils, GET => "/openapi/v1/apps/$app{'Agent Smith'}/describe"
    . '?fields=info');
is($res->{json}{info}{is_agent}, JSON::PP::true, 'agent-chat is an agent');
is_error(as($nils, GET => "/openapi/v1/apps/$nowhere/describe"), 404,
    'app_not_found', 'an app that does not exist is 404');

$s->finish;
done_testing;
