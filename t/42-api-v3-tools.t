#!/usr/bin/perl
# 42-api-v3-tools.t: making tools from operations through the management
# API v3: one tool at a time (POST tools: the name, title, description,
# input schema, binding and annotations derived from the operation, and
# what may be overridden), many at once (import-tools: idempotent, with a
# report of what was created, skipped and failed), and listing them.
# Every write needs the manager role, takes an expected revision (If-Match
# or draft_revision), moves the draft's revision by exactly one and
# answers it as the ETag; a write that fails changes nothing.
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
my $max   = $s->seed_user(email => 'max@example.com', name => 'Max');
my $nora  = $s->seed_user(email => 'nora@example.com', name => 'Nora');
my $carol = $s->seed_user(email => 'carol@example.com', name => 'Carol');
my $acme   = $s->seed_workspace('Acme', $alice->{email});
my $hidden = $s->seed_workspace('Hidden', $carol->{email});
$s->seed_member($acme, $max->{id}, 'manager');
$s->seed_member($acme, $nora->{id}, 'normal');
my $nowhere = '00000000-0000-4000-8000-000000000000';
my $T = JSON::PP::true;
my $F = JSON::PP::false;

my $pets = seed_petstore($s, $acme);
my $app = $pets->{app};
my %op = %{ $pets->{ops} };
my $int = $pets->{integration};
$op{plain} = seed_operation($s, $int, key => 'list_all-pets__v2',
    method => 'GET', path => '/v2/pets');
$op{adopt} = seed_operation($s, $int, key => 'adoptPet', method => 'POST',
    path => '/adoptions', summary => 'Adopt a pet', status => 'removed');

# Another app in the same workspace, and one in a workspace I am not in.
my $other = seed_app($s, $acme, name => 'Other');
my $other_int = seed_integration($s, $other, name => 'Other API');
my $other_op = seed_operation($s, $other_int, key => 'otherThing');
my $secret = seed_app($s, $hidden, name => 'Secret');
my $secret_int = seed_integration($s, $secret, name => 'Secret API');
my $secret_op = seed_operation($s, $secret_int, key => 'secretThing');

my $tools_path = "/api/v3/apps/$app/tools";

# POST $path with $json as $who (default alice) and extra headers.
sub post {
    my ($path, $json, %opt) = @_;
    return $s->request(POST => $path, {
        token => ($opt{as} // $alice)->{token}, json => $json,
        headers => $opt{headers} // {} });
}

sub get {
    my ($path, $who) = @_;
    return $s->request(GET => $path, { token => ($who // $alice)->{token} });
}

# The app's revision and tool rows, for "nothing changed" checks.
sub snapshot {
    my ($app_id) = @_;
    return [ draft_of($s, $app_id)->{revision}, app_rows($s, 'tools', $app_id),
        $s->sql("SELECT coalesce(string_agg(name, ',' ORDER BY name), '')"
            . " FROM tools WHERE app_id = :'p1'", $app_id) ];
}

# --- one tool from an operation ---------------------------------------------

my $before = draft_of($s, $app)->{revision};
my $res = post($tools_path, { operation_id => $op{getPet} });
is($res->{status}, 201, 'POST tools from a GET operation answers 201');
my $tool = $res->{json} // {};
is_deeply([ sort keys %$tool ], [ sort qw(id name title description
        input_schema annotations explicit_annotations enabled operation
        binding binding_derived chain widget created_at updated_at
        draft_revision) ], 'a created tool has exactly the fields of a tool');
is_uuid($tool->{id}, 'the tool has an id');
is_deeply({ map { $_ => $tool->{$_} } qw(name title description
        input_schema binding binding_derived explicit_annotations enabled
        chain widget) },
    { name => 'getPet', title => 'Get a pet',
      description => 'Returns one pet.',
      input_schema => object_schema({ petId => 'string' }, ['petId']),
      binding => { petId => { in => 'path', name => 'petId' } },
      binding_derived => $T, explicit_annotations => {}, enabled => $T,
      chain => undef, widget => undef },
    'name from the key, title from the summary, description, input schema '
    . 'and binding from the operation');
is_deeply($tool->{annotations}, { readOnlyHint => $T, destructiveHint => $F,
        idempotentHint => $T, openWorldHint => $T },
    'a GET operation makes a read-only, idempotent tool');
is_deeply($tool->{operation}, { id => $op{getPet}, key => 'getPet',
        integration_id => $int, method => 'GET', path => '/pets/{petId}',
        status => 'active' }, 'the tool names its operation');
is($tool->{draft_revision}, $before + 1, 'the write moved the revision by one');
is($res->{headers}{etag}, '"' . ($before + 1) . '"',
    'the ETag is the new revision');
is(draft_of($s, $app)->{revision}, $before + 1,
    'the database agrees on the revision');

$res = get("$tools_path?limit=1");
my %listed = %$tool;
delete $listed{draft_revision};
is_deeply(($res->{json} // {})->{data}, [ \%listed ],
    'GET tools shows the same tool (without draft_revision)');

$res = post($tools_path, { operation_id => $op{createPet} });
is($res->{status}, 201, 'POST tools from a POST operation answers 201');
is_deeply(($res->{json} // {})->{annotations}, { readOnlyHint => $F,
        destructiveHint => $F, idempotentHint => $F, openWorldHint => $T },
    'a POST operation makes a tool that writes but does not destroy');
is_deeply([ @{ $res->{json} // {} }{qw(name title description)} ],
    [ 'createPet', 'Create a pet', 'Create a pet' ],
    'without a description, the summary describes the tool');
is(($res->{json} // {})->{draft_revision}, $before + 2, 'revision +1 again');

$res = post($tools_path, { operation_id => $op{deletePet} });
is($res->{status}, 201, 'POST tools from a DELETE operation answers 201');
is_deeply(($res->{json} // {})->{annotations}, { readOnlyHint => $F,
        destructiveHint => $T, idempotentHint => $T, openWorldHint => $T },
    'a DELETE operation makes a destructive, idempotent tool');

$res = post($tools_path, { operation_id => $op{plain} });
is($res->{status}, 201, 'POST tools from an operation with no summary');
is_deeply([ @{ $res->{json} // {} }{qw(name title description)} ],
    [ 'list_all-pets_v2', 'List all pets v2', 'GET /v2/pets' ],
    'the name is the key made valid, the title the key made readable, the '
    . 'description method and path');

$res = post($tools_path, { operation_id => $op{createPet},
    name => 'create_pet_gently', title => 'Create gently',
    description => 'Makes a pet, safely.', enabled => JSON::PP::false,
    annotations => { idempotentHint => $T, openWorldHint => $F } });
is($res->{status}, 201, 'POST tools with explicit fields answers 201');
my $custom = $res->{json} // {};
is_deeply({ map { $_ => $custom->{$_} } qw(name title description enabled
        annotations explicit_annotations) },
    { name => 'create_pet_gently', title => 'Create gently',
      description => 'Makes a pet, safely.', enabled => $F,
      annotations => { readOnlyHint => $F, destructiveHint => $F,
          idempotentHint => $T, openWorldHint => $F },
      explicit_annotations => { idempotentHint => $T, openWorldHint => $F } },
    'given name, title, description and enabled are kept; explicit hints '
    . 'override the derived ones and are shown apart');
is_deeply(($res->{json} // {})->{operation}{id}, $op{createPet},
    'two tools may use one operation');

# --- bad requests change nothing --------------------------------------------

my $snap = snapshot($app);
is_validation_error(post($tools_path, { operation_id => $op{listPets},
        annotations => { sideEffectHint => $T } }),
    [ 'body', 'annotations' ], 'extra_forbidden',
    'an unknown annotation is a 422 on body.annotations');
is_validation_error(post($tools_path, { operation_id => $op{listPets},
        annotations => { readOnlyHint => 'yes' } }),
    [ 'body', 'annotations' ], 'bool_type',
    'a hint that is not a boolean is a 422 bool_type');
is_validation_error(post($tools_path, { operation_id => $op{listPets},
        annotations => [ 'readOnlyHint' ] }),
    [ 'body', 'annotations' ], undef, 'annotations that are not an object: 422');
is_validation_error(post($tools_path, { operation_id => $op{listPets},
        name => 'list pets' }), [ 'body', 'name' ], undef,
    'a name with a space is a 422 on body.name');
is_validation_error(post($tools_path, { operation_id => $op{listPets},
        name => 'x' x 65 }), [ 'body', 'name' ], undef,
    'a name of 65 characters is a 422 on body.name');
is_validation_error(post($tools_path, { operation_id => $op{listPets},
        name => 'pets.list' }), [ 'body', 'name' ], undef,
    'a name with a dot is a 422 on body.name');
is_validation_error(post($tools_path, {}), [ 'body', 'operation_id' ],
    'missing', 'operation_id is required');
is_validation_error(post($tools_path, { operation_id => 'getPet' }),
    [ 'body', 'operation_id' ], 'uuid_parsing',
    'operation_id must be an id (keys are for import-tools)');
is_validation_error(post($tools_path, { operation_id => $op{listPets},
        colour => 'red' }), [ 'body', 'colour' ], 'extra_forbidden',
    'an unknown member is a 422');
is_deeply(snapshot($app), $snap, 'requests refused by validation change '
    . 'neither the revision nor the tools');

my $clash = post($tools_path, { operation_id => $op{getPet} });
is_error($clash, 409, 'name_taken',
    'a derived name that is taken is a 409 name_taken');
is_error(post($tools_path, { operation_id => $op{listPets},
        name => 'createPet' }), 409, 'name_taken',
    'a given name that is taken is a 409 name_taken');
is_deeply(snapshot($app), $snap,
    'a name clash leaves the revision and the tools as they were');
is_error(post($tools_path, { operation_id => $nowhere }), 404,
    'operation_not_found', 'an unknown operation is a 404');
is_error(post($tools_path, { operation_id => $other_op }), 404,
    'operation_not_found',
    'an operation of another app of the same workspace is a 404');
is_error(post($tools_path, { operation_id => $secret_op }), 404,
    'operation_not_found', 'an operation of another workspace\'s app is a 404');
is_validation_error(post($tools_path, { operation_id => $op{adopt} }),
    [ 'body', 'operation_id' ], 'operation_removed',
    'a removed operation is a 422 operation_removed on body.operation_id');
is_deeply(snapshot($app), $snap, 'failed writes left nothing half-written: '
    . 'same revision, same tools');
is_error(post("/api/v3/apps/$secret/tools", { operation_id => $secret_op }),
    404, 'app_not_found', 'POST tools to another workspace\'s app is a 404');
is_error(post("/api/v3/apps/$nowhere/tools", { operation_id => $secret_op }),
    404, 'app_not_found', 'POST tools to no app is a 404');
is_error($s->request(POST => $tools_path,
        { json => { operation_id => $op{listPets} } }),
    401, 'unauthorized', 'POST tools without a token is a 401');
is_error($s->request(POST => $tools_path, { token => $alice->{token},
        body => 'operation_id=x', content_type => 'text/plain' }),
    415, 'unsupported_media_type', 'a body that is not JSON is a 415');
is_error($s->request(POST => $tools_path, { token => $alice->{token},
        body => '{"operation_id":', content_type => 'application/json' }),
    400, 'invalid_json', 'broken JSON is a 400 invalid_json');
is_deeply(snapshot($app), $snap, 'still nothing changed');

# --- roles ------------------------------------------------------------------

is(get($tools_path, $nora)->{status}, 200, 'a normal member reads the tools');
is(get("/api/v3/apps/$app", $nora)->{status}, 200,
    'a normal member reads the app');
my $denied = post($tools_path, { operation_id => $op{listPets} }, as => $nora);
is_error($denied, 403, 'insufficient_role',
    'a normal member may not create a tool: 403 insufficient_role');
is_error(post("/api/v3/apps/$app/integrations/$int/operations/import-tools",
        { all => $T }, as => $nora), 403, 'insufficient_role',
    'a normal member may not import tools');
is_error(post($tools_path, { operation_id => $op{listPets} }, as => $carol),
    404, 'app_not_found', 'a non-member gets the app\'s 404, not a 403');
is_deeply(snapshot($app), $snap, 'refused writes changed nothing');
$res = post($tools_path, { operation_id => $op{listPets} }, as => $max);
is($res->{status}, 201, 'a manager creates a tool');
is(($res->{json} // {})->{draft_revision}, $snap->[0] + 1,
    '... at the next revision');
is($s->sql("SELECT updated_by FROM drafts WHERE app_id = :'p1'", $app),
    $max->{id}, 'the draft records who changed it last');

# --- expected revisions -----------------------------------------------------

# Each case: a fresh operation to make a tool from, so only the revision
# decides.
my $n = 0;
sub fresh_op {
    $n++;
    return seed_operation($s, $int, key => "extra$n", method => 'GET',
        path => "/extra/$n", summary => "Extra $n");
}

my $rev = draft_of($s, $app)->{revision};
$res = post($tools_path, { operation_id => fresh_op() },
    headers => { 'If-Match' => qq("$rev") });
is($res->{status}, 201, 'If-Match with the current revision is honoured');
is_deeply([ ($res->{json} // {})->{draft_revision}, $res->{headers}{etag} ],
    [ $rev + 1, '"' . ($rev + 1) . '"' ], '... and moves it by one');
$rev++;

$snap = snapshot($app);
my $stale = post($tools_path, { operation_id => fresh_op() },
    headers => { 'If-Match' => '"' . ($rev - 1) . '"' });
is_error($stale, 409, 'revision_conflict',
    'a stale If-Match is a 409 revision_conflict');
is_deeply(($stale->{json} // {})->{details},
    { expected_revision => $rev - 1, current_revision => $rev },
    '... whose details say what was expected and where the draft is');
$stale = post($tools_path, { operation_id => fresh_op(),
    draft_revision => $rev - 1 });
is_error($stale, 409, 'revision_conflict',
    'a stale draft_revision is a 409 revision_conflict');
is_deeply(($stale->{json} // {})->{details},
    { expected_revision => $rev - 1, current_revision => $rev },
    '... with the same details');
is_deeply(snapshot($app), $snap, 'stale writes changed nothing');

$res = post($tools_path, { operation_id => fresh_op(), draft_revision => $rev });
is($res->{status}, 201, 'draft_revision with the current revision is honoured');
is(($res->{json} // {})->{draft_revision}, $rev + 1, '... and moves it by one');
$rev++;
$res = post($tools_path, { operation_id => fresh_op(), draft_revision => $rev },
    headers => { 'If-Match' => qq("$rev") });
is($res->{status}, 201, 'If-Match and draft_revision that agree are honoured');
$rev++;
$res = post($tools_path, { operation_id => fresh_op() },
    headers => { 'If-Match' => qq(W/"$rev") });
is($res->{status}, 201, 'a weak If-Match, W/"N", is honoured');
$rev++;
$res = post($tools_path, { operation_id => fresh_op() },
    headers => { 'If-Match' => '*' });
is($res->{status}, 201, 'If-Match: * accepts any revision');
$rev++;

$snap = snapshot($app);
is_error(post($tools_path, { operation_id => fresh_op(),
        draft_revision => $rev }, headers => { 'If-Match' => '"1"' }),
    400, 'bad_request',
    'If-Match and draft_revision that disagree are a 400 bad_request');
is_error(post($tools_path, { operation_id => fresh_op(),
        draft_revision => $rev - 1 }, headers => { 'If-Match' => qq("$rev") }),
    400, 'bad_request', '... whichever of them is stale');
for my $bad ('abc', '"7x"', '"-1"', '"0"', '"1", "2"', '""') {
    is_error(post($tools_path, { operation_id => fresh_op() },
            headers => { 'If-Match' => $bad }),
        400, 'bad_request', "a malformed If-Match ($bad) is a 400 bad_request");
}
is_validation_error(post($tools_path, { operation_id => fresh_op(),
        draft_revision => 0 }), [ 'body', 'draft_revision' ],
    'greater_than_equal', 'draft_revision 0 is a 422');
is_validation_error(post($tools_path, { operation_id => fresh_op(),
        draft_revision => '3' }), [ 'body', 'draft_revision' ], undef,
    'a draft_revision that is a string is a 422');
is_deeply(snapshot($app), $snap, 'bad revisions changed nothing');

# --- import-tools -----------------------------------------------------------

my $zoo = seed_app($s, $acme, name => 'Zoo', description => 'Animals');
my $zoo_int = seed_integration($s, $zoo, name => 'Zoo API');
my %zop;
for my $key (qw(alpha beta gamma delta)) {
    $zop{$key} = seed_operation($s, $zoo_int, key => $key, method => 'GET',
        path => "/$key", summary => ucfirst $key);
}
$zop{removed} = seed_operation($s, $zoo_int, key => 'omega', method => 'GET',
    path => '/omega', status => 'removed');
my $import = "/api/v3/apps/$zoo/integrations/$zoo_int/operations/import-tools";

# The names of a report's created tools, the keys and reasons of its
# skipped ones, and the refs and codes of its failures.
sub report_of {
    my ($res) = @_;
    my $r = $res->{json} // {};
    return {
        created => [ sort map { $_->{name} } @{ $r->{created} // [] } ],
        skipped => [ sort map { "$_->{key}:$_->{reason}" }
            @{ $r->{skipped} // [] } ],
        failed  => [ sort map { ($_->{ref} // '(all)') . ":$_->{code}" }
            @{ $r->{failed} // [] } ],
    };
}

$rev = draft_of($s, $zoo)->{revision};
$res = post($import, { all => $T });
is($res->{status}, 200, 'import-tools with all: true answers 200');
is_deeply(report_of($res), { created => [qw(alpha beta delta gamma)],
        skipped => [], failed => [] },
    'all: true imports every active operation, and not the removed one');
is_deeply([ sort keys %{ $res->{json} // {} } ],
    [qw(created draft_revision failed skipped)],
    'the report has created, skipped, failed and draft_revision');
is_deeply([ ($res->{json} // {})->{draft_revision}, $res->{headers}{etag} ],
    [ $rev + 1, '"' . ($rev + 1) . '"' ],
    'one import is one write: the revision moves by exactly one');
is_deeply({ map { $_->{name} => $_->{operation}{id} }
        @{ ($res->{json} // {})->{created} // [] } },
    { map { $_ => $zop{$_} } qw(alpha beta gamma delta) },
    'each created tool is a full tool naming its operation');
is(app_rows($s, 'tools', $zoo), 4, 'four tool rows exist');
my %zoo_tool = map { $_->{operation}{id} => $_->{id} }
    @{ ($res->{json} // {})->{created} // [] };

$res = post($import, { all => $T });
is($res->{status}, 200, 'importing everything again answers 200');
is_deeply(report_of($res), { created => [], failed => [],
        skipped => [ map { "$_:already_imported" } qw(alpha beta delta gamma) ] },
    'the second import creates nothing and skips each as already_imported');
is_deeply({ map { $_->{operation_id} => $_->{tool_id} }
        @{ ($res->{json} // {})->{skipped} // [] } }, \%zoo_tool,
    'each skipped operation names the tool that already exists');
is_deeply([ ($res->{json} // {})->{draft_revision}, $res->{headers}{etag},
        draft_of($s, $zoo)->{revision} ],
    [ $rev + 1, '"' . ($rev + 1) . '"', $rev + 1 ],
    'an import that creates nothing does not move the revision');
is(app_rows($s, 'tools', $zoo), 4, 'and makes no rows');
$res = post($import, { all => $T, draft_revision => $rev });
is_error($res, 409, 'revision_conflict',
    'an import that would create nothing still checks a stale draft_revision');
is_deeply(($res->{json} // {})->{details},
    { expected_revision => $rev, current_revision => $rev + 1 },
    '... and says where the draft is, as every revision_conflict does');
$res = post($import, { all => $T, draft_revision => $rev + 1 });
is($res->{status}, 200, 'and accepts the current one');

# Mixed references, on a second app: ids and keys, one clashing name, one
# unknown, one removed, one already imported.
my $farm = seed_app($s, $acme, name => 'Farm', description => 'Animals');
my $farm_int = seed_integration($s, $farm, name => 'Farm API');
my %fop;
for my $key (qw(cows hens pigs goats)) {
    $fop{$key} = seed_operation($s, $farm_int, key => $key, method => 'POST',
        path => "/$key", summary => ucfirst $key);
}
$fop{sheep} = seed_operation($s, $farm_int, key => 'sheep', method => 'GET',
    path => '/sheep', status => 'removed');
my $farm_import =
    "/api/v3/apps/$farm/integrations/$farm_int/operations/import-tools";
$res = post("/api/v3/apps/$farm/tools", { operation_id => $fop{cows},
    name => 'pigs' });
is($res->{status}, 201, '(a tool from cows named "pigs" takes the name)');
my $pigs_tool = ($res->{json} // {})->{id};
$rev = draft_of($s, $farm)->{revision};

$res = post($farm_import, { operation_ids => [ $fop{hens}, 'goats', 'pigs',
    'llamas', 'sheep', uc $fop{cows} ] });
is($res->{status}, 200, 'import-tools with a list of refs answers 200');
is_deeply(report_of($res), {
        created => [qw(goats hens)],
        skipped => ['cows:already_imported'],
        failed  => [ 'llamas:operation_not_found', 'pigs:name_taken',
            'sheep:operation_removed' ] },
    'ids and keys both name operations; a clash, an unknown ref and a '
    . 'removed operation fail one by one while the others are created');
my %failed = map { $_->{ref} => $_ } @{ ($res->{json} // {})->{failed} // [] };
is_deeply({ map { $_ => ($failed{pigs} // {})->{$_} } qw(operation_id key
        code) }, { operation_id => $fop{pigs}, key => 'pigs',
        code => 'name_taken' },
    'the clash names its operation and the code name_taken');
ok(length(($failed{pigs} // {})->{message} // ''),
    '... with a message');
is_deeply({ map { $_ => ($failed{llamas} // {})->{$_} } qw(operation_id key
        code) }, { operation_id => undef, key => undef,
        code => 'operation_not_found' },
    'an unknown ref names no operation');
is(($failed{sheep} // {})->{operation_id}, $fop{sheep},
    'the removed operation is named');
is_deeply([ map { $_->{tool_id} } @{ ($res->{json} // {})->{skipped} // [] } ],
    [ ($s->sql("SELECT id FROM tools WHERE operation_id = :'p1'",
        $fop{cows})) ], 'the skipped one names its tool');
is(($res->{json} // {})->{draft_revision}, $rev + 1,
    'the import moved the revision by one');
is_deeply(snapshot($farm), [ $rev + 1, 3, 'goats,hens,pigs' ],
    'exactly the created tools were written');

$snap = snapshot($farm);
$res = post($farm_import, { operation_ids => [ 'hens', 'goats' ] });
is_deeply(report_of($res), { created => [], failed => [],
        skipped => [qw(goats:already_imported hens:already_imported)] },
    'importing the same refs again creates nothing');
is_deeply(snapshot($farm), $snap, '... and leaves the revision alone');
$res = post($farm_import, { operation_ids => [ 'hens', 'pigs' ] });
is_deeply(report_of($res), { created => [], failed => ['pigs:name_taken'],
        skipped => ['hens:already_imported'] },
    'an import whose only candidate clashes creates nothing');
is_deeply(snapshot($farm), $snap,
    '... and so does not move the revision either');
is(($res->{json} // {})->{draft_revision}, $snap->[0],
    '... and reports the revision it left alone');

$res = post($farm_import, { operation_ids => [ 'hens', 'hens' ],
    all => $F });
is_deeply([ $res->{status}, report_of($res) ], [ 200, { created => [],
        failed => [], skipped => [ ('hens:already_imported') x 2 ] } ],
    'all: false with a list is the list; a ref named twice is reported twice');
$snap = snapshot($farm);
is_validation_error(post($farm_import, {}), [ 'body', 'operation_ids' ],
    undef, 'neither operation_ids nor all is a 422');
is_validation_error(post($farm_import, { all => $F }),
    [ 'body', 'operation_ids' ], undef, 'all: false alone is a 422');
is_validation_error(post($farm_import, { all => $T,
        operation_ids => ['hens'] }), [ 'body', 'operation_ids' ], undef,
    'both operation_ids and all is a 422');
is_validation_error(post($farm_import, { operation_ids => [] }),
    [ 'body', 'operation_ids' ], undef, 'an empty operation_ids is a 422');
is_validation_error(post($farm_import, { operation_ids => 'hens' }),
    [ 'body', 'operation_ids' ], undef, 'operation_ids must be a list');
is_validation_error(post($farm_import, { operation_ids => [ 1, 2 ] }),
    [ 'body', 'operation_ids' ], undef, '... of strings');
is_error(post($farm_import, { all => $T }, headers => { 'If-Match' => 'x' }),
    400, 'bad_request', 'an import with a malformed If-Match is a 400');
is_error(post($farm_import, { all => $T, draft_revision => $snap->[0] },
        headers => { 'If-Match' => '"1"' }), 400, 'bad_request',
    'an import whose If-Match and draft_revision disagree is a 400');
is_error(post("/api/v3/apps/$farm/integrations/$zoo_int/operations/"
        . 'import-tools', { all => $T }), 404, 'integration_not_found',
    'an integration of another app is a 404 integration_not_found');
is_error(post("/api/v3/apps/$farm/integrations/$secret_int/operations/"
        . 'import-tools', { all => $T }), 404, 'integration_not_found',
    'an integration of another workspace\'s app is a 404');
is_error(post("/api/v3/apps/$farm/integrations/$nowhere/operations/"
        . 'import-tools', { operation_ids => ['hens'] }), 404,
    'integration_not_found', 'an unknown integration is a 404');
is_error(post("/api/v3/apps/$secret/integrations/$secret_int/operations/"
        . 'import-tools', { all => $T }), 404, 'app_not_found',
    'importing into another workspace\'s app is a 404 app_not_found');
is_deeply(snapshot($farm), $snap, 'refused imports changed nothing');

# A stale import that would create something writes nothing.
my $calf = seed_operation($s, $farm_int, key => 'calves', method => 'GET',
    path => '/calves');
$res = post($farm_import, { operation_ids => ['calves'] },
    headers => { 'If-Match' => '"' . ($snap->[0] - 1) . '"' });
is_error($res, 409, 'revision_conflict', 'a stale import is a 409');
is_deeply(($res->{json} // {})->{details},
    { expected_revision => $snap->[0] - 1, current_revision => $snap->[0] },
    '... with expected and current revisions');
is_deeply(snapshot($farm), $snap, '... and creates nothing');
$res = post($farm_import, { operation_ids => [$calf] },
    headers => { 'If-Match' => qq("$snap->[0]") });
is_deeply([ $res->{status}, report_of($res)->{created},
        ($res->{json} // {})->{draft_revision} ],
    [ 200, ['calves'], $snap->[0] + 1 ],
    'with the current revision it creates the tool, revision +1');

# --- GET tools --------------------------------------------------------------

$res = get("/api/v3/apps/$zoo/tools");
is_list_envelope($res, 'GET tools answers a list envelope');
is_deeply([ map { $_->{name} } @{ ($res->{json} // {})->{data} // [] } ],
    [qw(alpha beta delta gamma)], 'the tools, by name');
is_deeply([ @{ $res->{json} // {} }{qw(page limit total)} ], [ 1, 100, 4 ],
    'tools page 100 by default');
$res = get("/api/v3/apps/$zoo/tools?limit=3");
is_deeply([ [ map { $_->{name} } @{ $res->{json}{data} // [] } ],
        $res->{json}{total}, $res->{json}{has_more} ? 1 : 0 ],
    [ [qw(alpha beta delta)], 4, 1 ], 'limit=3: three, and has_more');
$res = get("/api/v3/apps/$zoo/tools?limit=3&page=2");
is_deeply([ [ map { $_->{name} } @{ $res->{json}{data} // [] } ],
        $res->{json}{total}, $res->{json}{has_more} ? 1 : 0 ],
    [ ['gamma'], 4, 0 ], 'page 2: the last one');
$res = get("/api/v3/apps/$zoo/tools?limit=3&page=3");
is_deeply([ $res->{json}{data}, $res->{json}{total} ], [ [], 4 ],
    'past the end: empty, with the total');
is_validation_error(get("/api/v3/apps/$zoo/tools?limit=500"),
    [ 'query', 'limit' ], 'less_than_equal', 'limit=500 is a 422');
is_deeply(get("/api/v3/apps/$other/tools")->{json}{data}, [],
    'an app without tools lists none');
is_error(get("/api/v3/apps/$secret/tools"), 404, 'app_not_found',
    'the tools of another workspace\'s app are a 404');

# --- a chain tool's annotations ----------------------------------------------

# v3 makes no chains, but v1 does, and v3 lists them: the annotations it
# shows must be those the runtime config derives (from the most
# dangerous step), not those of a tool without an operation.
my $chain_app = seed_petstore($s, $acme, name => 'Chains');
my %cop = %{ $chain_app->{ops} };
$s->sql("INSERT INTO tools (app_id, name, input_schema, chain)"
    . " VALUES (:'p1', 'look_then_delete', :'p2', :'p3')",
    $chain_app->{app}, '{"type":"object","properties":{"petId":'
    . '{"type":"string"}},"required":["petId"]}',
    '[{"name":"look","operation_id":"' . $cop{getPet} . '","arguments":'
    . '{"petId":"{{input.petId}}"}},{"name":"remove","operation_id":"'
    . $cop{deletePet} . '","arguments":{"petId":"{{input.petId}}"}}]');
$res = get("/api/v3/apps/$chain_app->{app}/tools");
my ($listed_chain) = @{ ($res->{json} // {})->{data} // [] };
is_deeply(($listed_chain // {})->{annotations}, { readOnlyHint => $F,
        destructiveHint => $T, idempotentHint => $T, openWorldHint => $T },
    'a chain with a DELETE step lists as destructive');
$res = get("/api/v3/apps/$chain_app->{app}/draft/runtime-preview");
my ($preview_chain) = @{ ((($res->{json} // {})->{config}) // {})->{tools}
    // [] };
is_deeply(($preview_chain // {})->{annotations},
    ($listed_chain // {})->{annotations},
    '... exactly as the runtime config has it');

$s->finish;
done_testing;
