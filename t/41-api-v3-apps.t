#!/usr/bin/perl
# 41-api-v3-apps.t: the read side of the management API v3: the caller
# (/api/v3/me), the apps list with its filters and paging, one app with its
# draft, latest release and ETag, the authoring state, integrations and
# their operations; an app of a workspace the caller is not in looks
# exactly like one that does not exist.  Also: API v2 answers 410 for
# every path and method, and /api/v3/openapi.json is an OpenAPI 3.1
# document.  Apps, integrations and operations are seeded with SQL
# (t/tap/DrioApps.pm) until an API creates them.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use JSON::PP ();
use Test::More;
use DrioStack;
use DrioTest;
use DrioApps;

my $s = DrioStack->start(responders => ['api-v3']);

my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
my $bob   = $s->seed_user(email => 'bob@example.com', name => 'Bob');
my $carol = $s->seed_user(email => 'carol@example.com', name => 'Carol');
my $acme   = $s->seed_workspace('Acme', $alice->{email});
my $beta   = $s->seed_workspace('Beta', $bob->{email});
my $hidden = $s->seed_workspace('Hidden', $carol->{email});
$s->seed_member($beta, $alice->{id}, 'manager');
my $nowhere = '00000000-0000-4000-8000-000000000000';
my $T = JSON::PP::true;
my $F = JSON::PP::false;

# Apps with known ages, so "newest change first" has one right order.
my $pets = seed_petstore($s, $acme, tags => [ 'pets', 'demo' ],
    created_by => $alice->{id}, updated_at => '2024-01-03T00:00:00Z');
my $pet_app = $pets->{app};
my $weather = seed_app($s, $acme, name => 'Weather Desk', mode => 'chat',
    tags => ['weather'], updated_at => '2024-01-02T00:00:00Z');
my $grooming = seed_app($s, $acme, name => 'PET grooming', mode => 'agent',
    tags => ['pets'], updated_at => '2024-01-01T00:00:00Z');
my $notes = seed_app($s, $beta, name => 'Beta Notes', mode => 'completion',
    updated_at => '2024-01-04T00:00:00Z');
my $secret = seed_app($s, $hidden, name => 'Hidden pets', tags => ['pets'],
    updated_at => '2024-01-05T00:00:00Z');
my $secret_int = seed_integration($s, $secret, name => 'Secret');

sub get {
    my ($path, $token) = @_;
    return $s->request(GET => $path, { token => $token // $alice->{token} });
}

sub post {
    my ($path, $json, $token) = @_;
    return $s->request(POST => $path, { token => $token // $alice->{token},
        json => $json // {} });
}

# The app ids of a list answer, in order.
sub ids_of {
    my ($res) = @_;
    return [ map { $_->{id} } @{ ($res->{json} // {})->{data} // [] } ];
}

# The paging fields of a list answer.
sub paging {
    my ($res) = @_;
    my $b = $res->{json} // {};
    return [ $b->{page}, $b->{limit}, $b->{total},
        JSON::PP::is_bool($b->{has_more}) ? ($b->{has_more} ? 1 : 0)
            : 'not a boolean' ];
}

# --- GET /api/v3/me ---------------------------------------------------------

my $res = get('/api/v3/me');
is($res->{status}, 200, 'GET /api/v3/me answers 200');
is_deeply($res->{json}, {
        account => { id => $alice->{id}, email => 'alice@example.com',
            name => 'Alice' },
        workspaces => [
            { id => $acme, name => 'Acme', slug => 'acme', role => 'owner',
              app_count => 3 },
            { id => $beta, name => 'Beta', slug => 'beta',
              role => 'manager', app_count => 1 },
        ],
        api_version => 'v3',
    },
    '/me names the account and, by name, each of its workspaces with the '
    . 'role held there and how many apps it has; no other workspace');
is_error($s->request(GET => '/api/v3/me'), 401, 'unauthorized',
    '/me without a token is a 401 unauthorized');
is_error(get('/api/v3/me', 'drio_nosuchtoken'), 401, 'invalid_token',
    '/me with an unknown token is a 401 invalid_token');

# --- GET /api/v3/apps -------------------------------------------------------

$res = get('/api/v3/apps');
is_list_envelope($res, 'GET /api/v3/apps answers a list envelope');
is_deeply(ids_of($res), [ $notes, $pet_app, $weather, $grooming ],
    'the list holds the apps of my workspaces only, newest change first');
is_deeply(paging($res), [ 1, 20, 4, 0 ],
    'by default page 1 of 20, total 4, nothing more');

my %listed = map { $_->{id} => $_ } @{ $res->{json}{data} // [] };
my $item = $listed{$pet_app} // {};
is_deeply([ sort keys %$item ], [ sort qw(id workspace_id workspace_slug
        slug name mode description icon_type icon icon_background branding
        tags visibility template_id created_by created_at updated_at draft
        latest_release) ],
    'a listed app has exactly the fields of an app');
is_deeply({ map { $_ => $item->{$_} } qw(workspace_id workspace_slug slug
        name mode description tags visibility created_by updated_at
        latest_release) },
    { workspace_id => $acme, workspace_slug => 'acme', slug => 'pet-store',
      name => 'Pet store', mode => 'workflow',
      description => 'Pets and their owners', tags => [ 'pets', 'demo' ],
      visibility => 'private', created_by => $alice->{id},
      updated_at => '2024-01-03T00:00:00Z', latest_release => undef },
    'a listed app carries its row as seeded, and no release yet');

is_deeply(ids_of(get('/api/v3/apps?name=pet')), [ $pet_app, $grooming ],
    'name= is a case-insensitive substring match ("pet" finds "PET '
    . 'grooming"), never reaching into other workspaces');
is_deeply(ids_of(get('/api/v3/apps?name=PET%20G')), [$grooming],
    'name= with upper case and a space matches the same way');
is_deeply(ids_of(get('/api/v3/apps?name=nothing-like-this')), [],
    'name= that matches nothing gives an empty list');
is_deeply([ ids_of(get('/api/v3/apps?name=%25')),
        ids_of(get('/api/v3/apps?name=_')) ], [ [], [] ],
    'name= takes % and _ literally, not as patterns');
is_deeply(ids_of(get('/api/v3/apps?mode=chat')), [$weather],
    'mode= keeps the apps of that mode');
is_deeply(ids_of(get('/api/v3/apps?tag=pets')), [ $pet_app, $grooming ],
    'tag= keeps the apps carrying that tag');
is_deeply(ids_of(get('/api/v3/apps?tag=pets&mode=agent')), [$grooming],
    'filters combine');
is_deeply(ids_of(get("/api/v3/apps?workspace_id=$beta")), [$notes],
    'workspace_id= keeps one of my workspaces');
is_deeply(ids_of(get("/api/v3/apps?workspace_id=$beta", $bob->{token})),
    [$notes], 'another member sees the same workspace\'s apps');
is_deeply(ids_of(get('/api/v3/apps', $carol->{token})), [$secret],
    'the owner of the hidden workspace sees only its app');

my $not_member = get("/api/v3/apps?workspace_id=$hidden");
is_error($not_member, 404, 'workspace_not_found',
    'workspace_id= of a workspace I am not in is a 404 workspace_not_found');
my $no_ws = get("/api/v3/apps?workspace_id=$nowhere");
is_error($no_ws, 404, 'workspace_not_found',
    'workspace_id= of no workspace is a 404 workspace_not_found');
is_deeply([ @{ $not_member->{json} // {} }{qw(status code message)} ],
    [ @{ $no_ws->{json} // {} }{qw(status code message)} ],
    'a workspace I am not in and none at all answer the same');
is_validation_error(get('/api/v3/apps?workspace_id=acme'),
    [ 'query', 'workspace_id' ], 'uuid_parsing',
    'workspace_id= that is not a uuid is a 422 on query.workspace_id');
is_validation_error(get('/api/v3/apps?mode=spreadsheet'),
    [ 'query', 'mode' ], 'enum', 'an unknown mode is a 422 enum on query.mode');
is_validation_error(get('/api/v3/apps?limit=0'), [ 'query', 'limit' ],
    'greater_than_equal', 'limit=0 is a 422 on query.limit');
is_validation_error(get('/api/v3/apps?limit=201'), [ 'query', 'limit' ],
    'less_than_equal', 'limit=201 is a 422 on query.limit');
is_validation_error(get('/api/v3/apps?limit=ten'), [ 'query', 'limit' ],
    'int_parsing', 'limit=ten is a 422 int_parsing on query.limit');
is_validation_error(get('/api/v3/apps?page=0'), [ 'query', 'page' ],
    'greater_than_equal', 'page=0 is a 422 on query.page');
is_validation_error(get('/api/v3/apps?colour=red'), [ 'query', 'colour' ],
    'extra_forbidden', 'an unknown query parameter is a 422');
is_error($s->request(GET => '/api/v3/apps'), 401, 'unauthorized',
    'the apps list needs a token');

$res = get('/api/v3/apps?limit=3');
is_deeply([ ids_of($res), paging($res) ],
    [ [ $notes, $pet_app, $weather ], [ 1, 3, 4, 1 ] ],
    'limit=3: the first three, and has_more');
$res = get('/api/v3/apps?limit=3&page=2');
is_deeply([ ids_of($res), paging($res) ], [ [$grooming], [ 2, 3, 4, 0 ] ],
    'page 2 holds the rest, and has_more is false');
$res = get('/api/v3/apps?limit=3&page=5');
is_list_envelope($res, 'a page past the end is still an envelope');
is_deeply([ ids_of($res), paging($res) ], [ [], [ 5, 3, 4, 0 ] ],
    'a page past the end is empty but still tells the total');

# --- GET /api/v3/apps/{id} --------------------------------------------------

my $draft0 = draft_of($s, $pet_app);
$res = get("/api/v3/apps/$pet_app");
is($res->{status}, 200, 'GET one app of mine answers 200');
my $app = $res->{json} // {};
is_deeply([ sort keys %$app ], [ sort keys %$item ],
    'one app has the same fields as a listed one');
is_deeply($app->{draft}, { id => $draft0->{id}, revision => 1,
        based_on_release => undef, updated_at => '2024-01-03T00:00:00Z' },
    'draft: its id, revision 1, based on no release, and when it changed');
is($app->{latest_release}, undef, 'latest_release is null before a publish');
is($res->{headers}{etag}, '"1"', 'the ETag is the draft revision, quoted');
like($app->{created_at} // '', $TIME_RE, 'created_at is RFC 3339 UTC');
is_deeply($app->{branding}, {}, 'branding is an object');

my $unknown = get("/api/v3/apps/$nowhere");
is_error($unknown, 404, 'app_not_found', 'an unknown app is a 404 app_not_found');
my $foreign = get("/api/v3/apps/$secret");
is_error($foreign, 404, 'app_not_found',
    'an app of a workspace I am not in is a 404 app_not_found');
is_deeply([ @{ $foreign->{json} // {} }{qw(status code message hint)} ],
    [ @{ $unknown->{json} // {} }{qw(status code message hint)} ],
    'another workspace\'s app and no app at all answer identically');
is($foreign->{headers}{etag}, undef, 'a 404 carries no ETag');
is_error(get('/api/v3/apps/not-a-uuid'), 404, 'not_found',
    'a malformed app id is a 404 not_found');
is_error(get('/api/v3/apps/' . $nowhere . 'x'), 404, 'not_found',
    'an app id with a trailing character is a 404 not_found');
is_error($s->request(GET => "/api/v3/apps/$pet_app"), 401, 'unauthorized',
    'one app without a token is a 401');
is(get('/api/v3/apps/' . uc $pet_app)->{json}{id}, $pet_app,
    'an upper-case app id finds the same app');

# --- integrations and operations --------------------------------------------

my $int = $pets->{integration};
my $auth = seed_auth_connection($s, $pet_app, name => 'Pets token',
    type => 'bearer', secret_fields => ['token']);
$s->sql("UPDATE integrations SET auth_connection_id = :'p1' WHERE id = :'p2'",
    $auth, $int);
my $int2 = seed_integration($s, $pet_app, name => 'Vets', kind => 'http',
    base_url => 'https://vets.example.com');
my $gone_op = seed_operation($s, $int, key => 'adoptPet', method => 'POST',
    path => '/adoptions', summary => 'Adopt a pet', status => 'removed');
my $vet_op = seed_operation($s, $int2, key => 'findVet', method => 'GET',
    path => '/vets', summary => 'Find a vet');

$res = get("/api/v3/apps/$pet_app/integrations");
is_list_envelope($res, 'GET integrations answers a list envelope');
is_deeply([ @{ $res->{json} // {} }{qw(page limit total)} ], [ 1, 50, 2 ],
    'integrations page 50 by default');
my $ints = ($res->{json} // {})->{data} // [];
is_deeply([ map { $_->{name} } @$ints ], [ 'Pets', 'Vets' ],
    'the app\'s integrations, by name');
is_deeply([ sort keys %{ $ints->[0] // {} } ],
    [ sort qw(id name description kind base_url status auth_connection
        discovery operations created_at updated_at workspace_integration) ],
    'an integration has exactly its fields');
is_deeply({ map { $_ => $ints->[0]{$_} } qw(id kind base_url status
        auth_connection operations) },
    { id => $int, kind => 'openapi',
      base_url => 'https://petstore.example.com/v1', status => 'active',
      auth_connection => { id => $auth, name => 'Pets token',
          type => 'bearer', secret_fields => ['token'] },
      operations => { active => 4, removed => 1 } },
    'Pets: its auth connection (names of set secrets only) and its '
    . 'operation counts, active and removed');
is_deeply([ @{ $ints->[1] // {} }{qw(kind auth_connection operations)} ],
    [ 'http', undef, { active => 1, removed => 0 } ],
    'Vets: no auth connection, one active operation');
$res = get("/api/v3/apps/$pet_app/integrations?limit=1&page=2");
is_deeply([ [ map { $_->{name} } @{ ($res->{json} // {})->{data} // [] } ],
        $res->{json}{total}, $res->{json}{has_more} ? 1 : 0 ],
    [ ['Vets'], 2, 0 ], 'limit=1, page 2: the second, and no more');
is_deeply(get("/api/v3/apps/$grooming/integrations")->{json},
    { data => [], page => 1, limit => 50, total => 0, has_more => $F },
    'an app without integrations lists none');
is_error(get("/api/v3/apps/$secret/integrations"), 404, 'app_not_found',
    'the integrations of another workspace\'s app are a 404');

my $ops_path = "/api/v3/apps/$pet_app/integrations/$int/operations";
$res = get($ops_path);
is_list_envelope($res, 'GET operations answers a list envelope');
is_deeply([ map { $_->{key} } @{ $res->{json}{data} // [] } ],
    [qw(listPets createPet deletePet getPet)],
    'by default only active operations, by path then method');
is_deeply(paging($res), [ 1, 50, 4, 0 ], 'operations page 50 by default');
my ($listed_op) = grep { $_->{key} eq 'getPet' } @{ $res->{json}{data} // [] };
is_deeply({ map { $_ => ($listed_op // {})->{$_} } qw(id integration_id
        method path summary description status source deprecated
        input_schema parameters tool_ids removed_at) },
    { id => $pets->{ops}{getPet}, integration_id => $int, method => 'GET',
      path => '/pets/{petId}', summary => 'Get a pet',
      description => 'Returns one pet.', status => 'active',
      source => 'discovered', deprecated => $F,
      input_schema => object_schema({ petId => 'string' }, ['petId']),
      parameters => { petId => { in => 'path', name => 'petId' } },
      tool_ids => [], removed_at => undef },
    'an operation carries its method, path, schema, parameters and no tools');

$res = get("$ops_path?status=removed");
is_deeply([ map { [ $_->{key}, $_->{status} ] } @{ $res->{json}{data} // [] } ],
    [ [ 'adoptPet', 'removed' ] ], 'status=removed lists the removed one');
like($res->{json}{data}[0]{removed_at} // '', $TIME_RE,
    'a removed operation says when it was removed');
$res = get("$ops_path?status=all");
is_deeply([ [ map { $_->{key} } @{ $res->{json}{data} // [] } ],
        $res->{json}{total} ],
    [ [qw(adoptPet listPets createPet deletePet getPet)], 5 ],
    'status=all lists active and removed together');
is_deeply([ map { $_->{key} } @{ get("$ops_path?status=active")->{json}{data}
        // [] } ], [qw(listPets createPet deletePet getPet)],
    'status=active is the default made explicit');
is_validation_error(get("$ops_path?status=deleted"), [ 'query', 'status' ],
    'enum', 'an unknown status is a 422 enum');

is_deeply([ sort map { $_->{key} } @{ get("$ops_path?q=DELETE%20a")->{json}{data}
        // [] } ], ['deletePet'], 'q= matches the summary, ignoring case');
is_deeply([ sort map { $_->{key} } @{ get("$ops_path?q=PETID")->{json}{data}
        // [] } ], [qw(deletePet getPet)], 'q= matches the path');
is_deeply([ sort map { $_->{key} } @{ get("$ops_path?q=listp")->{json}{data}
        // [] } ], ['listPets'], 'q= matches the key');
is_deeply([ map { $_->{key} } @{ get("$ops_path?q=adopt&status=all")->{json}{data}
        // [] } ], ['adoptPet'], 'q= and status= combine');
is_deeply(get("$ops_path?q=adopt")->{json}{data}, [],
    'q= alone does not find a removed operation');

$res = get("$ops_path?limit=3");
is_deeply([ [ map { $_->{key} } @{ $res->{json}{data} // [] } ], paging($res) ],
    [ [qw(listPets createPet deletePet)], [ 1, 3, 4, 1 ] ],
    'operations page: limit=3 gives three and has_more');
$res = get("$ops_path?limit=3&page=2");
is_deeply([ [ map { $_->{key} } @{ $res->{json}{data} // [] } ], paging($res) ],
    [ ['getPet'], [ 2, 3, 4, 0 ] ], 'page 2 holds the last one');
$res = get("$ops_path?limit=3&page=9");
is_deeply([ $res->{json}{data}, paging($res) ], [ [], [ 9, 3, 4, 0 ] ],
    'a page past the end is empty and keeps the total');

is_deeply([ map { $_->{id} } @{ get("/api/v3/apps/$pet_app/integrations/"
        . "$int2/operations")->{json}{data} // [] } ], [$vet_op],
    'each integration lists its own operations');
is_error(get("/api/v3/apps/$pet_app/integrations/$secret_int/operations"),
    404, 'integration_not_found',
    'an integration of another app, named under this one, is a 404 '
    . 'integration_not_found');
is_error(get("/api/v3/apps/$pet_app/integrations/$nowhere/operations"),
    404, 'integration_not_found', 'an unknown integration is a 404');
is_error(get("/api/v3/apps/$secret/integrations/$secret_int/operations"),
    404, 'app_not_found',
    'the operations of another workspace\'s app are a 404 app_not_found');

# --- authoring state --------------------------------------------------------

my $state_path = "/api/v3/apps/$pet_app/authoring-state";
$res = get($state_path);
is($res->{status}, 200, 'GET authoring-state answers 200');
my $st = $res->{json} // {};
is_deeply([ sort keys %$st ],
    [ sort qw(app draft integrations tools last_validation latest_release) ],
    'the authoring state has app, draft, integrations, tools, '
    . 'last_validation and latest_release');
is_deeply($st->{app}, { id => $pet_app, name => 'Pet store',
        slug => 'pet-store', mode => 'workflow' }, 'app: who it is');
is_deeply({ map { $_ => $st->{draft}{$_} } qw(id revision based_on_release
        tool_count widget_count) },
    { id => $draft0->{id}, revision => 1, based_on_release => undef,
      tool_count => 0, widget_count => 0 },
    'draft: id, revision, no release, no tools and no widgets');
is_deeply([ map { [ $_->{name}, $_->{operations} ] }
        @{ $st->{integrations} // [] } ],
    [ [ 'Pets', { active => 4, removed => 1 } ],
      [ 'Vets', { active => 1, removed => 0 } ] ],
    'integrations with their operation counts');
is_deeply([ $st->{tools}, $st->{last_validation}, $st->{latest_release} ],
    [ [], undef, undef ],
    'no tools, no validation yet and no release');
is($res->{headers}{etag}, '"1"', 'the authoring state\'s ETag is the revision');

# Two tools, one write: the revision goes to 2.
$res = post("/api/v3/apps/$pet_app/integrations/$int/operations/import-tools",
    { operation_ids => [qw(getPet deletePet)] });
is($res->{status}, 200, 'importing two tools (setup) succeeds')
    or diag explain $res->{json};
$st = get($state_path)->{json} // {};
is_deeply($st->{tools}, [
        { id => $st->{tools}[0]{id}, name => 'deletePet', enabled => $T,
          operation => { id => $pets->{ops}{deletePet}, key => 'deletePet',
              integration_id => $int, method => 'DELETE',
              path => '/pets/{petId}', status => 'active' } },
        { id => $st->{tools}[1]{id}, name => 'getPet', enabled => $T,
          operation => { id => $pets->{ops}{getPet}, key => 'getPet',
              integration_id => $int, method => 'GET',
              path => '/pets/{petId}', status => 'active' } },
    ],
    'tools, by name, each with a reference to its operation');
is_deeply([ @{ $st->{draft} // {} }{qw(revision tool_count updated_by)} ],
    [ 2, 2, $alice->{id} ],
    'the draft is at revision 2, has two tools and says who changed it');
is($st->{last_validation}, undef, 'still no validation');
is_deeply([ map { $_->{id} } @{ get("$ops_path?q=getPet")->{json}{data}
        // [] } ], [ $pets->{ops}{getPet} ], '(getPet found by q)');
is_deeply(get("$ops_path?q=getPet")->{json}{data}[0]{tool_ids},
    [ $st->{tools}[1]{id} ], 'an operation lists the tool made from it');

$res = post("/api/v3/apps/$pet_app/draft/validate");
is($res->{status}, 200, 'validating the draft answers 200');
my $validated = get($state_path);
my $lv = ($validated->{json} // {})->{last_validation};
is_deeply({ map { $_ => ($lv // {})->{$_} } qw(valid errors warnings
        draft_revision current) },
    { valid => $T, errors => [], warnings => [], draft_revision => 2,
      current => $T },
    'after validating, last_validation holds the result, at revision 2, '
    . 'current');
like(($lv // {})->{validated_at} // '', $TIME_RE,
    'last_validation says when it was made');
is($validated->{headers}{etag}, '"2"', 'validating does not move the revision');

$res = post("/api/v3/apps/$pet_app/tools",
    { operation_id => $pets->{ops}{listPets} });
is($res->{status}, 201, 'creating a tool (a later write) succeeds');
$lv = (get($state_path)->{json} // {})->{last_validation} // {};
is_deeply([ $lv->{draft_revision}, $lv->{current}, $lv->{valid} ],
    [ 2, $F, $T ],
    'after a later write, last_validation is kept but no longer current');

is_error(get("/api/v3/apps/$secret/authoring-state"), 404, 'app_not_found',
    'the authoring state of another workspace\'s app is a 404');
is_error(get("/api/v3/apps/$nowhere/authoring-state"), 404, 'app_not_found',
    'the authoring state of no app is a 404');

# --- ordering follows changes; latest_release follows publishing ------------

is(ids_of(get('/api/v3/apps'))->[0], $pet_app,
    'the app just written to is now first in the list');

$res = post("/api/v3/apps/$pet_app/releases", { notes => 'first' });
is($res->{status}, 201, 'publishing (setup) succeeds')
    or diag explain $res->{json};
my $published = $res->{json} // {};
$res = get("/api/v3/apps/$pet_app");
$app = $res->{json} // {};
is_deeply($app->{latest_release}, { number => 1,
        checksum => $published->{checksum},
        published_at => $published->{published_at} },
    'after a publish, latest_release names release 1 with its checksum and '
    . 'time');
like($published->{checksum} // '', qr/\A[0-9a-f]{64}\z/,
    '(the checksum is 64 hex digits)');
is_deeply([ @{ $app->{draft} // {} }{qw(id revision based_on_release)} ],
    [ $published->{draft}{id}, 4, 1 ],
    'the app\'s draft is the successor, at revision 4, based on release 1');
isnt($app->{draft}{id}, $draft0->{id}, 'the successor draft has a new id');
is($res->{headers}{etag}, '"4"', 'the ETag follows the successor draft');
my ($again) = grep { $_->{id} eq $pet_app } @{ get('/api/v3/apps')->{json}{data}
    // [] };
is(($again // {})->{latest_release}{number}, 1,
    'the list shows the latest release too');
is_deeply((get($state_path)->{json} // {})->{latest_release},
    $app->{latest_release}, 'so does the authoring state');

# --- API v2 is gone ---------------------------------------------------------

for my $case ([ GET => '/api/v2' ], [ GET => '/api/v2/' ],
    [ GET => '/api/v2/anything' ], [ GET => '/api/v2/apps/123/tools?x=1' ],
    [ POST => '/api/v2/apps', { name => 'x' } ],
    [ POST => '/api/v2' ], [ DELETE => '/api/v2/apps/123' ],
    [ PUT => '/api/v2/anything/else' ]) {
    my ($method, $path, $json) = @$case;
    my %opt = (token => $alice->{token});
    $opt{json} = $json if $json;
    $res = $s->request($method => $path, \%opt);
    is_error($res, 410, 'gone', "$method $path is a 410 gone");
    like(($res->{json} // {})->{hint} // '', qr{/api/v3},
        "... whose hint points at /api/v3");
}
is_error($s->request(GET => '/api/v2/anything'), 410, 'gone',
    'v2 is gone with or without a token');
is_error($s->request(GET => '/api/v20/apps'), 404, 'not_found',
    '/api/v20 is not v2: a plain 404');

# --- the OpenAPI document ---------------------------------------------------

$res = $s->request(GET => '/api/v3/openapi.json');
is($res->{status}, 200, 'GET /api/v3/openapi.json answers 200 without a token');
like($res->{headers}{'content-type'} // '', qr{\Aapplication/json\b},
    '... as application/json');
like(($res->{json} // {})->{openapi} // '', qr/\A3\.1(?:\.|\z)/,
    '... an OpenAPI 3.1 document');

$s->finish;
done_testing;
