#!/usr/bin/perl
# 48-api-v1-tools.t: tools through the low-level management API v1: made
# from an operation with everything derived, or with a hand-set input
# schema and binding, or as a chain of operations (POST tools); read
# (GET tools, GET tools/{id}); changed (PATCH), with a binding (PUT
# binding) or a chain (PUT chain) replaced; deleted (DELETE).  Every write
# needs the manager role, takes an expected revision, moves the draft's
# revision by exactly one, or by none when it changes nothing; refused
# writes change nothing.  v3 sees what v1 wrote, and v3's draft/validate
# judges the hand-made rows: what depends on other rows (an unbound path
# parameter, a reference to a later step, a tool left with nothing to run,
# a widget action calling a deleted tool) is caught there.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use JSON::PP ();
use Test::More;
use DrioStack;
use DrioTest;
use DrioApps;

my $s = DrioStack->start(responders => [ 'api-v1', 'api-v3' ]);

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
$op{gone} = seed_operation($s, $int, key => 'adoptPet', method => 'POST',
    path => '/adoptions', status => 'removed');

my $other = seed_app($s, $acme, name => 'Other');
my $other_int = seed_integration($s, $other, name => 'Other API');
my $other_op = seed_operation($s, $other_int, key => 'otherThing');
my $secret = seed_app($s, $hidden, name => 'Secret');
my $secret_int = seed_integration($s, $secret, name => 'Secret API');
my $secret_op = seed_operation($s, $secret_int, key => 'secretThing');

# A widget of the app (whose action calls the tool 'doomed'), and one of
# the other app.  No API of this test makes widgets.
sub seed_widget {
    my ($app_id, $name, $actions) = @_;
    return $s->sql(<<'SQL', $app_id, $name, JSON::PP->new->encode($actions));
INSERT INTO widgets (app_id, name, template, actions)
VALUES (:'p1', :'p2', '<div></div>', :'p3'::jsonb) RETURNING id;
SQL
}
my $card = seed_widget($app, 'card', [ { name => 'remove', label => 'Remove',
        type => 'tool_call', tool => 'doomed' } ]);
my $other_card = seed_widget($other, 'card', []);

my $v1 = "/api/v1/apps/$app/tools";

sub call {
    my ($method, $path, $json, %opt) = @_;
    return $s->request($method => $path, {
        token => ($opt{as} // $alice)->{token},
        (defined $json ? (json => $json) : ()),
        headers => $opt{headers} // {} });
}
sub post  { return call(POST => @_) }
sub patch { return call(PATCH => @_) }
sub put   { return call(PUT => @_) }
sub get   { my ($path, $who) = @_; return call(GET => $path, undef, as => $who) }
sub del   { my ($path, %opt) = @_; return call(DELETE => $path, undef, %opt) }

sub rev { return draft_of($s, $app)->{revision} }

# The revision and every tool row of the app, for "nothing changed".
sub snapshot {
    return [ rev(), $s->sql(<<'SQL', $app) ];
SELECT coalesce(string_agg(concat_ws('|', id, name, title, description,
    input_schema::text, annotations::text, operation_id, binding::text,
    chain::text, widget_id, enabled), E'\n' ORDER BY name), '')
  FROM tools WHERE app_id = :'p1';
SQL
}

# The codes of v3's validation errors at or under tool $name's pointer.
sub tool_errors {
    my ($name) = @_;
    my $tools = get("/api/v3/apps/$app/draft/runtime-preview")
        ->{json}{config}{tools} // [];
    my ($i) = grep { $tools->[$_]{name} eq $name } 0 .. $#$tools;
    return ['(not in the runtime config)'] unless defined $i;
    my $res = post("/api/v3/apps/$app/draft/validate", undef);
    return [ sort map { $_->{code} } grep { $_->{pointer} =~ m{^/tools/$i(/|$)} }
        @{ $res->{json}{errors} // [] } ];
}

# The tool named $name in v3's runtime preview.
sub preview_tool {
    my ($name) = @_;
    my $tools = get("/api/v3/apps/$app/draft/runtime-preview")
        ->{json}{config}{tools} // [];
    my ($tool) = grep { $_->{name} eq $name } @$tools;
    return $tool;
}

my $pet_id = object_schema({ petId => 'string' }, ['petId']);

# --- POST: an operation tool, everything derived ----------------------------

my $r0 = rev();
my $res = post($v1, { operation_id => $op{getPet} });
is($res->{status}, 201, 'POST tools from an operation answers 201');
my $get_pet = $res->{json} // {};
is_deeply([ sort keys %$get_pet ], [ sort qw(id name title description
        input_schema annotations explicit_annotations enabled operation
        binding binding_derived chain widget created_at updated_at
        draft_revision) ], 'the reply is a tool with draft_revision');
is_deeply({ map { $_ => $get_pet->{$_} } qw(name title input_schema binding
        binding_derived chain) },
    { name => 'getPet', title => 'Get a pet', input_schema => $pet_id,
      binding => { petId => { in => 'path', name => 'petId' } },
      binding_derived => $T, chain => undef },
    'name, title, schema and binding are derived from the operation');
is($get_pet->{draft_revision}, $r0 + 1, 'the write moved the revision by one');
is($res->{headers}{etag}, '"' . ($r0 + 1) . '"', 'the ETag is the new revision');
is_deeply(tool_errors('getPet'), [], 'validation finds nothing wrong with it');

# --- POST: an operation tool with a hand-set schema and binding -------------

$res = post($v1, { operation_id => $op{listPets}, name => 'list_some',
    title => 'Some pets', description => 'Lists a few pets.',
    input_schema => object_schema({ count => 'integer' }),
    binding => { count => { in => 'query', name => 'limit' } } });
is($res->{status}, 201, 'POST tools with input_schema and binding answers 201');
my $list_some = $res->{json} // {};
is_deeply({ map { $_ => $list_some->{$_} } qw(name title description
        input_schema binding binding_derived) },
    { name => 'list_some', title => 'Some pets',
      description => 'Lists a few pets.',
      input_schema => object_schema({ count => 'integer' }),
      binding => { count => { in => 'query', name => 'limit' } },
      binding_derived => $F }, 'the hand-set schema and binding are kept');
is($list_some->{operation}{id}, $op{listPets}, '... on its operation');
is($list_some->{draft_revision}, $r0 + 2, 'one write, one revision');
is_deeply(preview_tool('list_some')->{binding},
    { count => { in => 'query', name => 'limit' } },
    'the runtime preview binds count to the query parameter limit');
is_deeply(tool_errors('list_some'), [], 'validation accepts the tool');

$res = post($v1, { operation_id => $op{deletePet}, name => 'remove_pet',
    binding => { petId => { in => 'path', name => 'petId' } } });
is($res->{status}, 201,
    'a binding alone is checked against the derived input schema');
my $remove_pet = $res->{json} // {};
is($remove_pet->{binding_derived}, $F, '... and kept as set');

# --- POST: a chain tool -----------------------------------------------------

my $chain = [
    { name => 'look', operation_id => $op{getPet},
      arguments => { petId => '{{input.petId}}' } },
    { name => 'drop', operation_id => $op{deletePet},
      arguments => { petId => '{{steps.look.id}}' } },
];
$res = post($v1, { name => 'look_then_drop', description => 'Two steps.',
    input_schema => $pet_id, chain => $chain });
is($res->{status}, 201, 'POST tools with a chain answers 201');
my $look_drop = $res->{json} // {};
is_deeply([ @$look_drop{qw(name operation chain)} ],
    [ 'look_then_drop', undef, $chain ],
    'a chain tool has no operation, and its steps as given');
my $pv = preview_tool('look_then_drop') // {};
is_deeply([ map { [ $_->{name}, $_->{operation}{key} ] } @{ $pv->{chain} // [] } ],
    [ [ 'look', 'getPet' ], [ 'drop', 'deletePet' ] ],
    'the runtime preview resolves each step to its operation');
is_deeply($pv->{annotations}{destructiveHint}, $T,
    'a chain with a DELETE step is destructive in the runtime config');
is_deeply(tool_errors('look_then_drop'), [], 'validation accepts the chain');

# --- refused creates change nothing ------------------------------------------

my $snap = snapshot();
my @bad_creates = (
    [ {}, [ 'body', 'operation_id' ], 'missing',
      'neither operation_id nor chain is a 422' ],
    [ { operation_id => $op{getPet}, name => 'x1', chain => $chain },
      [ 'body', 'chain' ], 'operation_and_chain',
      'an operation and a chain is a 422 on chain' ],
    [ { chain => $chain }, [ 'body', 'name' ], 'missing',
      'a chain tool needs a name' ],
    [ { chain => $chain, name => 'c1' }, [ 'body', 'input_schema' ],
      'missing', 'a chain tool needs an input schema' ],
    [ { chain => $chain, name => 'c1', input_schema => $pet_id,
        binding => {} }, [ 'body', 'binding' ], 'binding_without_operation',
      'a chain tool has no binding' ],
    [ { chain => [], name => 'c1', input_schema => $pet_id },
      [ 'body', 'chain' ], 'too_short', 'an empty chain is a 422' ],
    [ { chain => [ { name => 'a', operation_id => $op{getPet} } ],
        name => 'c1', input_schema => $pet_id, binding => undef,
        annotations => { sideEffectHint => $T } },
      [ 'body', 'annotations' ], 'extra_forbidden',
      'an unknown annotation is a 422' ],
    [ { operation_id => $op{getPet}, name => 'get pet' }, [ 'body', 'name' ],
      'string_pattern_mismatch', 'a name with a space is a 422' ],
    [ { operation_id => $op{getPet}, name => 'x2',
        input_schema => { type => 'array' } },
      [ 'body', 'input_schema', 'type' ], 'schema_type',
      'an input schema that is not of type object is a 422' ],
    [ { operation_id => $op{getPet}, name => 'x2',
        input_schema => { type => 'object', properties => [] } },
      [ 'body', 'input_schema', 'properties' ], 'dict_type',
      'properties that are not an object are a 422' ],
    [ { operation_id => $op{getPet}, name => 'x2',
        input_schema => { type => 'object', required => 'petId' } },
      [ 'body', 'input_schema', 'required' ], 'list_type',
      'required that is not a list is a 422' ],
    [ { operation_id => $op{getPet}, name => 'x2',
        binding => { petId => { in => 'cookie', name => 'p' } } },
      [ 'body', 'binding', 'petId', 'in' ], 'enum',
      'a binding to a cookie is a 422 on binding/petId/in' ],
    [ { operation_id => $op{getPet}, name => 'x2',
        binding => { petId => { in => 'path', name => 'petId', x => 1 } } },
      [ 'body', 'binding', 'petId', 'x' ], 'extra_forbidden',
      'an unknown member of a binding entry is a 422' ],
    [ { operation_id => $op{getPet}, name => 'x2',
        binding => { petId => { in => 'query' } } },
      [ 'body', 'binding', 'petId', 'name' ], 'missing',
      'a query binding without a name is a 422' ],
    [ { operation_id => $op{getPet}, name => 'x2',
        binding => { petId => 'path' } },
      [ 'body', 'binding', 'petId' ], 'dict_type',
      'a binding entry that is not an object is a 422' ],
    [ { operation_id => $op{getPet}, name => 'x2',
        binding => { owner => { in => 'query', name => 'owner' } } },
      [ 'body', 'binding', 'owner' ], 'binding_unknown_property',
      'binding a property the derived schema lacks is a 422' ],
    [ { operation_id => $op{listPets}, name => 'x2',
        input_schema => object_schema({ n => 'integer' }),
        binding => { limit => { in => 'query', name => 'limit' } } },
      [ 'body', 'binding', 'limit' ], 'binding_unknown_property',
      'binding a property the given schema lacks is a 422' ],
    [ { name => 'c1', input_schema => $pet_id, chain => [ $chain->[0],
          { %{ $chain->[1] }, name => 'look' } ] },
      [ 'body', 'chain', '1', 'name' ], 'duplicate',
      'two steps of one name are a 422 on the second' ],
    [ { name => 'c1', input_schema => $pet_id,
        chain => [ { name => 'a.b', operation_id => $op{getPet} } ] },
      [ 'body', 'chain', '0', 'name' ], 'string_pattern_mismatch',
      'a step name with a dot is a 422' ],
    [ { name => 'c1', input_schema => $pet_id,
        chain => [ { name => 'a', operation_id => 'getPet' } ] },
      [ 'body', 'chain', '0', 'operation_id' ], 'uuid_parsing',
      'a step operation_id that is not an id is a 422' ],
    [ { name => 'c1', input_schema => $pet_id,
        chain => [ { name => 'a' } ] },
      [ 'body', 'chain', '0', 'operation_id' ], 'missing',
      'a step without operation_id is a 422' ],
    [ { name => 'c1', input_schema => $pet_id,
        chain => [ { name => 'a', operation_id => $op{getPet},
            arguments => [] } ] },
      [ 'body', 'chain', '0', 'arguments' ], 'dict_type',
      'step arguments that are not an object are a 422' ],
    [ { name => 'c1', input_schema => $pet_id,
        chain => [ { name => 'a', operation_id => $op{getPet}, then => 1 } ] },
      [ 'body', 'chain', '0', 'then' ], 'extra_forbidden',
      'an unknown member of a step is a 422' ],
    [ { name => 'c1', input_schema => $pet_id,
        chain => [ $chain->[0], { name => 'b', operation_id => $other_op } ] },
      [ 'body', 'chain', '1', 'operation_id' ], 'operation_not_found',
      'a step calling another app\'s operation is a 422 operation_not_found' ],
    [ { name => 'c1', input_schema => $pet_id,
        chain => [ { name => 'a', operation_id => $op{gone} } ] },
      [ 'body', 'chain', '0', 'operation_id' ], 'operation_removed',
      'a step calling a removed operation is a 422 operation_removed' ],
    [ { operation_id => $op{gone}, name => 'x3' },
      [ 'body', 'operation_id' ], 'operation_removed',
      'a tool of a removed operation is a 422 operation_removed' ],
    [ { operation_id => $op{getPet}, colour => 'red' },
      [ 'body', 'colour' ], 'extra_forbidden', 'an unknown member is a 422' ],
);
for my $case (@bad_creates) {
    my ($body, $loc, $type, $desc) = @$case;
    is_validation_error(post($v1, $body), $loc, $type, $desc);
}
$res = post($v1, { operation_id => $op{getPet}, name => 'x2',
    input_schema => { type => 'array', properties => 7 },
    binding => { q => { in => 'nowhere' } } });
is(scalar @{ ($res->{json} // {})->{details} // [] }, 5,
    'every problem of one body is reported at once');
is_deeply(snapshot(), $snap, 'refused creates changed nothing');

is_error(post($v1, { operation_id => $nowhere }), 404,
    'operation_not_found', 'an unknown operation is a 404');
is_error(post($v1, { operation_id => $other_op }), 404,
    'operation_not_found', 'an operation of another app is a 404');
is_error(post($v1, { operation_id => $secret_op }), 404,
    'operation_not_found', 'an operation of another workspace is a 404');
is_error(post($v1, { operation_id => $op{listPets}, widget_id => $other_card }),
    404, 'widget_not_found', 'a widget of another app is a 404');
is_error(post($v1, { name => 'c2', input_schema => $pet_id,
        chain => $chain, widget_id => $other_card }),
    404, 'widget_not_found', '... for a chain tool too');
$res = post($v1, { operation_id => $op{getPet} });
is_error($res, 409, 'name_taken', 'a derived name that is taken is a 409');
is_deeply([ map { $_->{loc} } @{ ($res->{json} // {})->{details} // [] } ],
    [ [ 'body', 'name' ] ], '... whose details name the field');
$res = post($v1, { name => 'list_some', input_schema => $pet_id,
    chain => $chain });
is_error($res, 409, 'name_taken', 'a chain tool\'s taken name is a 409');
is_deeply([ map { $_->{loc} } @{ ($res->{json} // {})->{details} // [] } ],
    [ [ 'body', 'name' ] ], '... naming the field');
is_deeply(snapshot(), $snap, 'failed creates changed nothing');

is_error(post($v1, { operation_id => $op{listPets} }, as => $nora), 403,
    'insufficient_role', 'a normal member may not create a tool');
is_error(post($v1, { operation_id => $op{listPets} }, as => $carol), 404,
    'app_not_found', 'a non-member gets a 404');
is_error(post("/api/v1/apps/$secret/tools", { operation_id => $secret_op }),
    404, 'app_not_found', 'another workspace\'s app is a 404');
is_error($s->request(POST => $v1, { json => { operation_id => $op{listPets} } }),
    401, 'unauthorized', 'no token is a 401');
my $r = rev();
$res = post($v1, { operation_id => $op{listPets}, draft_revision => $r - 1 });
is_error($res, 409, 'revision_conflict', 'a stale draft_revision is a 409');
is_deeply(($res->{json} // {})->{details},
    { expected_revision => $r - 1, current_revision => $r },
    '... with the expected and current revisions');
is_error(post($v1, { operation_id => $op{listPets} },
        headers => { 'If-Match' => '"' . ($r - 1) . '"' }),
    409, 'revision_conflict', 'a stale If-Match is a 409');
is_deeply(snapshot(), $snap, 'refused writes changed nothing');
$res = post($v1, { operation_id => $op{listPets}, draft_revision => $r },
    as => $max);
is_deeply([ $res->{status}, ($res->{json} // {})->{draft_revision} ],
    [ 201, $r + 1 ], 'a manager with the current revision creates a tool');
my $list_pets = $res->{json} // {};

# --- GET --------------------------------------------------------------------

$res = get($v1, $nora);
is_list_envelope($res, 'GET tools answers a list envelope (to a normal member)');
is_deeply([ map { $_->{name} } @{ ($res->{json} // {})->{data} // [] } ],
    [qw(getPet listPets list_some look_then_drop remove_pet)],
    'the tools, by name');
is_deeply(get("/api/v3/apps/$app/tools")->{json}{data},
    $res->{json}{data}, 'v3 lists the same tools');
$res = get("$v1?limit=2&page=2");
is_deeply([ [ map { $_->{name} } @{ $res->{json}{data} // [] } ],
        $res->{json}{total} ], [ [qw(list_some look_then_drop)], 5 ],
    'GET tools pages');
$res = get("$v1/$list_some->{id}", $nora);
my %expect = %$list_some;
delete $expect{draft_revision};
is_deeply([ $res->{status}, $res->{json} ], [ 200, \%expect ],
    'GET tools/{id} answers the tool as created');
is_error(get("/api/v1/apps/$other/tools/$list_some->{id}"), 404,
    'tool_not_found', 'a tool through another app is a 404');
is_error(get("$v1/$nowhere"), 404, 'tool_not_found', 'no such tool is a 404');
is_error(get("/api/v1/apps/$secret/tools"), 404, 'app_not_found',
    'another workspace\'s tools are a 404');
is_validation_error(get("$v1?limit=0"), [ 'query', 'limit' ], undef,
    'limit=0 is a 422');

# --- PATCH ------------------------------------------------------------------

my $lp = "$v1/$list_pets->{id}";
$r = rev();
$res = patch($lp, { title => 'All pets', description => 'Every pet.' });
is_deeply([ $res->{status}, @{ $res->{json} // {} }{qw(title description
        draft_revision)}, $res->{headers}{etag} ],
    [ 200, 'All pets', 'Every pet.', $r + 1, '"' . ($r + 1) . '"' ],
    'PATCH changes title and description at the next revision');
$res = patch($lp, {});
is_deeply([ $res->{status}, ($res->{json} // {})->{draft_revision},
        $res->{headers}{etag}, rev() ], [ 200, $r + 1, '"' . ($r + 1) . '"',
        $r + 1 ], 'an empty PATCH answers the tool and makes no revision');
$res = patch($lp, { title => 'All pets', enabled => $T });
is_deeply([ $res->{status}, rev() ], [ 200, $r + 1 ],
    'a PATCH that sets what is already there makes no revision');

$res = patch($lp, { annotations => { readOnlyHint => $F } });
is_deeply([ @{ $res->{json} // {} }{qw(explicit_annotations draft_revision)} ],
    [ { readOnlyHint => $F }, $r + 2 ], 'PATCH sets explicit annotations');
is($res->{json}{annotations}{readOnlyHint}, $F, '... which override');
$res = patch($lp, { annotations => undef });
is_deeply([ @{ $res->{json} // {} }{qw(explicit_annotations draft_revision)} ],
    [ {}, $r + 3 ], 'annotations: null goes back to the derived ones');
is($res->{json}{annotations}{readOnlyHint}, $T, '... read-only again');

$res = patch($lp, { widget_id => $card });
is_deeply([ ($res->{json} // {})->{widget}, $res->{json}{draft_revision} ],
    [ { id => $card, name => 'card' }, $r + 4 ], 'PATCH attaches a widget');
is(preview_tool('listPets')->{widget}, 'card',
    'the runtime preview names the widget');
$res = patch($lp, { widget_id => undef });
is_deeply([ ($res->{json} // {})->{widget}, $res->{json}{draft_revision} ],
    [ undef, $r + 5 ], 'widget_id: null detaches it');

$res = patch($lp, { name => 'all_pets', enabled => $F,
    input_schema => object_schema({ limit => 'integer' }, ['limit']) });
is_deeply([ @{ $res->{json} // {} }{qw(name enabled draft_revision)},
        $res->{json}{input_schema}{required} ],
    [ 'all_pets', $F, $r + 6, ['limit'] ],
    'PATCH renames, disables and changes the input schema in one revision');
is(preview_tool('all_pets'), undef,
    'a disabled tool is not in the runtime config');
$res = patch("$v1/$remove_pet->{id}", { operation_id => $op{getPet} });
is_deeply([ ($res->{json} // {})->{operation}{key},
        $res->{json}{binding}, $res->{json}{draft_revision} ],
    [ 'getPet', { petId => { in => 'path', name => 'petId' } }, $r + 7 ],
    'PATCH operation_id re-points a tool, keeping its binding');

$snap = snapshot();
$res = patch($lp, { name => 'getPet' });
is_error($res, 409, 'name_taken',
    'renaming onto another tool\'s name is a 409');
is_deeply([ map { $_->{loc} } @{ ($res->{json} // {})->{details} // [] } ],
    [ [ 'body', 'name' ] ], '... whose details name the field');
is_validation_error(patch($lp, { name => 'all pets' }), [ 'body', 'name' ],
    'string_pattern_mismatch', 'an invalid name is a 422');
is_validation_error(patch($lp, { input_schema => { type => 'string' } }),
    [ 'body', 'input_schema', 'type' ], 'schema_type',
    'an input schema of another type is a 422');
is_validation_error(patch($lp, { annotations => { readOnlyHint => 1 } }),
    [ 'body', 'annotations' ], 'bool_type', 'a hint that is not a boolean');
is_validation_error(patch($lp, { binding => {} }), [ 'body', 'binding' ],
    'extra_forbidden', 'PATCH does not take a binding (PUT binding does)');
is_validation_error(patch($lp, { operation_id => undef }),
    [ 'body', 'operation_id' ], 'none_forbidden',
    'operation_id: null is a 422');
is_validation_error(patch("$v1/$look_drop->{id}",
        { operation_id => $op{getPet} }), [ 'body', 'operation_id' ],
    'operation_and_chain', 'a chain tool cannot be given an operation');
is_error(patch($lp, { operation_id => $other_op }), 404,
    'operation_not_found', 're-pointing to another app\'s operation is a 404');
is_validation_error(patch($lp, { operation_id => $op{gone} }),
    [ 'body', 'operation_id' ], 'operation_removed',
    're-pointing to a removed operation is a 422');
is_error(patch($lp, { widget_id => $other_card }), 404, 'widget_not_found',
    'another app\'s widget is a 404');
is_error(patch("/api/v1/apps/$other/tools/$list_pets->{id}", { title => 'x' }),
    404, 'tool_not_found', 'a tool through another app is a 404');
is_error(patch("$v1/$nowhere", {}), 404, 'tool_not_found',
    'no such tool is a 404, even for an empty PATCH');
is_error(patch($lp, { title => 'x' }, as => $nora), 403, 'insufficient_role',
    'a normal member may not change a tool');
is_error(patch("/api/v1/apps/$secret/tools/$list_pets->{id}",
        { title => 'x' }), 404, 'app_not_found',
    'another workspace\'s app is a 404');
is_error(patch($lp, { title => 'x', draft_revision => rev() - 1 }), 409,
    'revision_conflict', 'a stale draft_revision is a 409');
is_error(patch($lp, {}, headers => { 'If-Match' => '"1"' }), 409,
    'revision_conflict', '... also for a PATCH that would change nothing');
is_deeply(snapshot(), $snap, 'refused PATCHes changed nothing');

# --- PUT binding ------------------------------------------------------------

my $gp = "$v1/$get_pet->{id}";
$r = rev();
my $bad_binding = { petId => { in => 'query', name => 'petId' } };
$res = put("$gp/binding", { binding => $bad_binding });
is_deeply([ $res->{status}, @{ $res->{json} // {} }{qw(binding binding_derived
        draft_revision)} ], [ 200, $bad_binding, $F, $r + 1 ],
    'PUT binding replaces the derived binding');
is_deeply(preview_tool('getPet')->{binding}, $bad_binding,
    'the runtime preview shows the new binding');
is_deeply(tool_errors('getPet'), ['path_parameter_unbound'],
    'validation finds the path parameter the binding leaves without a value');
$res = put("$gp/binding", { binding => $bad_binding });
is_deeply([ $res->{status}, ($res->{json} // {})->{draft_revision}, rev() ],
    [ 200, $r + 1, $r + 1 ], 'the same binding again makes no revision');
$res = put("$gp/binding", { binding => undef, draft_revision => $r + 1 });
is_deeply([ $res->{status}, @{ $res->{json} // {} }{qw(binding binding_derived
        draft_revision)} ], [ 200, { petId => { in => 'path',
            name => 'petId' } }, $T, $r + 2 ],
    'binding: null goes back to the operation\'s binding');
is_deeply(tool_errors('getPet'), [], '... which validates again');
$res = put("$gp/binding", { binding => undef });
is_deeply([ $res->{status}, rev() ], [ 200, $r + 2 ],
    'clearing a binding twice makes no revision');

$snap = snapshot();
is_validation_error(put("$gp/binding", {}), [ 'body', 'binding' ], 'missing',
    'PUT binding without a binding is a 422');
is_validation_error(put("$gp/binding", { binding => [] }),
    [ 'body', 'binding' ], 'dict_type', 'a binding that is a list is a 422');
is_validation_error(put("$gp/binding",
        { binding => { owner => { in => 'query', name => 'owner' } } }),
    [ 'body', 'binding', 'owner' ], 'binding_unknown_property',
    'binding a property the tool does not take is a 422');
is_validation_error(put("$gp/binding",
        { binding => { petId => { in => 'path', name => '' } } }),
    [ 'body', 'binding', 'petId', 'name' ], 'string_type',
    'an empty parameter name is a 422');
is_validation_error(put("$v1/$look_drop->{id}/binding", { binding => {} }),
    [ 'body', 'binding' ], 'binding_without_operation',
    'a chain tool takes no binding');
is_error(put("$v1/$nowhere/binding", { binding => undef }), 404,
    'tool_not_found', 'PUT binding of no such tool is a 404');
is_error(put("/api/v1/apps/$other/tools/$get_pet->{id}/binding",
        { binding => undef }), 404, 'tool_not_found',
    'PUT binding of a tool through another app is a 404');
is_error(put("$gp/binding", { binding => $bad_binding }, as => $nora), 403,
    'insufficient_role', 'a normal member may not set a binding');
is_error(put("$gp/binding", { binding => $bad_binding },
        headers => { 'If-Match' => '"1"' }), 409, 'revision_conflict',
    'a stale If-Match is a 409');
is_deeply(snapshot(), $snap, 'refused PUT bindings changed nothing');

# --- PUT chain --------------------------------------------------------------

my $ld = "$v1/$look_drop->{id}";
$r = rev();
my $backwards = [
    { name => 'look', operation_id => $op{getPet},
      arguments => { petId => '{{steps.drop.id}}' } },
    { name => 'drop', operation_id => $op{deletePet},
      arguments => { petId => '{{input.petId}}' } },
];
$res = put("$ld/chain", { chain => $backwards });
is_deeply([ $res->{status}, @{ $res->{json} // {} }{qw(chain draft_revision)} ],
    [ 200, $backwards, $r + 1 ], 'PUT chain replaces the steps');
is_deeply([ map { $_->{arguments}{petId} }
        @{ (preview_tool('look_then_drop') // {})->{chain} // [] } ],
    [ '{{steps.drop.id}}', '{{input.petId}}' ],
    'the runtime preview shows the new steps');
is_deeply(tool_errors('look_then_drop'), ['chain_reference_invalid'],
    'validation finds the step that refers to a later one');
$res = put("$ld/chain", { chain => $backwards });
is_deeply([ $res->{status}, rev() ], [ 200, $r + 1 ],
    'the same chain again makes no revision');

$snap = snapshot();
is_validation_error(put("$ld/chain", {}), [ 'body', 'chain' ], 'missing',
    'PUT chain without a chain is a 422');
is_validation_error(put("$ld/chain", { chain => [] }), [ 'body', 'chain' ],
    'too_short', 'an empty chain is a 422');
is_validation_error(put("$ld/chain", { chain => [ $chain->[0], $chain->[0] ] }),
    [ 'body', 'chain', '1', 'name' ], 'duplicate',
    'duplicate step names are a 422');
is_validation_error(put("$ld/chain",
        { chain => [ { name => 'a', operation_id => $secret_op } ] }),
    [ 'body', 'chain', '0', 'operation_id' ], 'operation_not_found',
    'a step calling another workspace\'s operation is a 422');
is_validation_error(put("$gp/chain", { chain => $chain }),
    [ 'body', 'chain' ], 'operation_and_chain',
    'an operation tool cannot be given a chain');
is_error(put("$v1/$nowhere/chain", { chain => undef }), 404,
    'tool_not_found', 'PUT chain of no such tool is a 404');
is_error(put("$ld/chain", { chain => $chain }, as => $nora), 403,
    'insufficient_role', 'a normal member may not set a chain');
is_error(put("$ld/chain", { chain => $chain, draft_revision => $r }), 409,
    'revision_conflict', 'a stale draft_revision is a 409');
is_deeply(snapshot(), $snap, 'refused PUT chains changed nothing');

$res = put("$ld/chain", { chain => undef });
is_deeply([ $res->{status}, @{ $res->{json} // {} }{qw(chain draft_revision)} ],
    [ 200, undef, $r + 2 ], 'chain: null removes the chain');
is_deeply(tool_errors('look_then_drop'), ['tool_operation_missing'],
    'validation finds the tool with nothing to run');
$res = patch($ld, { operation_id => $op{getPet} });
is_deeply([ $res->{status}, ($res->{json} // {})->{operation}{key},
        $res->{json}{draft_revision} ], [ 200, 'getPet', $r + 3 ],
    'a tool without a chain can be pointed at an operation');
is_deeply(tool_errors('look_then_drop'), [], '... and validates');

# --- DELETE -----------------------------------------------------------------

$res = post($v1, { operation_id => $op{deletePet}, name => 'doomed' });
my $doomed = ($res->{json} // {})->{id};
$r = rev();
is_error(del("$v1/$doomed", as => $nora), 403, 'insufficient_role',
    'a normal member may not delete a tool');
is_error(del("/api/v1/apps/$other/tools/$doomed"), 404, 'tool_not_found',
    'deleting a tool through another app is a 404');
is_error(del("$v1/$doomed", headers => { 'If-Match' => '"1"' }), 409,
    'revision_conflict', 'a stale If-Match is a 409');
is(rev(), $r, 'refused deletes changed nothing');
is_deeply([ grep { $_->{pointer} =~ m{^/widgets/} }
        @{ post("/api/v3/apps/$app/draft/validate", undef)->{json}{errors} } ],
    [], 'the widget action that calls doomed validates');
$res = del("$v1/$doomed");
is_deeply([ $res->{status}, $res->{json}, $res->{headers}{etag} ],
    [ 200, { deleted => $T, id => $doomed, draft_revision => $r + 1 },
      '"' . ($r + 1) . '"' ], 'DELETE answers deleted, id and the revision');
is($s->sql("SELECT count(*) FROM tools WHERE id = :'p1'", $doomed), 0,
    'the tool is gone');
is_deeply([ map { $_->{code} } grep { $_->{pointer} =~ m{^/widgets/} }
        @{ post("/api/v3/apps/$app/draft/validate", undef)->{json}{errors} } ],
    ['widget_action_tool_unknown'],
    'validation finds the widget action calling the deleted tool');
is_error(del("$v1/$doomed"), 404, 'tool_not_found',
    'deleting it again is a 404');
is(rev(), $r + 1, 'one delete, one revision');

# --- v3 sees v1 -------------------------------------------------------------

$res = get("/api/v3/apps/$app/authoring-state");
is($res->{json}{draft}{revision}, rev(),
    'v3\'s authoring state is at the revision v1 wrote');
is_deeply([ sort map { $_->{name} } @{ $res->{json}{tools} // [] } ],
    [ sort map { $_->{name} } @{ get($v1)->{json}{data} // [] } ],
    '... with the tools v1 shows');

$s->finish;
done_testing;
