#!/usr/bin/perl
# 43-api-v3-releases.t: from draft to release through the management API
# v3.  Validation names each problem of a draft with a stable code and a
# JSON Pointer into the runtime configuration; the runtime preview is
# exactly the configuration a publish then freezes; publishing needs a
# valid, changed draft, the manager role and (when given) the current
# revision, numbers releases 1, 2, ... and replaces the draft by its
# successor; two publishes of one draft at the same time make one
# release; nothing changes or deletes a release except deleting its app.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use IO::Select;
use JSON::PP ();
use POSIX ();
use Test::More;
use Time::HiRes qw(time);
use DrioStack;
use DrioTest;
use DrioApps;

my $s = DrioStack->start(responders => ['api-v3']);

my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
my $nora  = $s->seed_user(email => 'nora@example.com', name => 'Nora');
my $carol = $s->seed_user(email => 'carol@example.com', name => 'Carol');
my $acme   = $s->seed_workspace('Acme', $alice->{email});
my $hidden = $s->seed_workspace('Hidden', $carol->{email});
$s->seed_member($acme, $nora->{id}, 'normal');
my $nowhere = '00000000-0000-4000-8000-000000000000';
my $T = JSON::PP::true;
my $F = JSON::PP::false;

my $pets = seed_petstore($s, $acme);
my $app = $pets->{app};
my $int = $pets->{integration};
my %op = %{ $pets->{ops} };
my $base = "/api/v3/apps/$app";

sub post {
    my ($path, $json, %opt) = @_;
    return $s->request(POST => $path, {
        token => ($opt{as} // $alice)->{token}, json => $json // {},
        headers => $opt{headers} // {} });
}

sub get {
    my ($path, $who) = @_;
    return $s->request(GET => $path, { token => ($who // $alice)->{token} });
}

# Validate the draft; returns the answer.
sub validate { return post("$base/draft/validate", undef, @_) }

# The [code, pointer] pairs of a list of problems, sorted.
sub problems {
    my ($list) = @_;
    return [ sort { "@$a" cmp "@$b" }
        map { [ $_->{code}, $_->{pointer} ] } @{ $list // [] } ];
}

# A validation answer as {valid, errors, warnings} with pairs.
sub verdict {
    my ($res) = @_;
    my $v = $res->{json} // {};
    return { valid => $v->{valid}, errors => problems($v->{errors}),
        warnings => problems($v->{warnings}) };
}

# The tool made from an operation.
sub tool_of {
    my ($operation_id) = @_;
    return $s->sql("SELECT id FROM tools WHERE operation_id = :'p1'",
        $operation_id);
}

# Give a tool a hand-written binding instead of its operation's.
sub set_binding {
    my ($tool_id, $binding) = @_;
    $s->sql("UPDATE tools SET binding = :'p2'::jsonb WHERE id = :'p1'",
        $tool_id, JSON::PP->new->encode($binding));
}

# --- validation -------------------------------------------------------------

my $res = validate();
is($res->{status}, 200, 'validating an empty draft answers 200');
is_deeply(verdict($res), { valid => $F, errors => [ [ 'no_tools', '/tools' ] ],
        warnings => [] },
    'an empty draft is invalid: no_tools, pointing at /tools');
is_deeply([ sort keys %{ $res->{json} // {} } ],
    [qw(draft_revision errors valid warnings)],
    'the answer has valid, errors, warnings and draft_revision');
ok(length(($res->{json}{errors}[0] // {})->{message} // ''),
    'each problem has a message');
is_deeply([ ($res->{json} // {})->{draft_revision}, $res->{headers}{etag},
        draft_of($s, $app)->{revision} ], [ 1, '"1"', 1 ],
    'validating reports revision 1 and does not move it');
is(validate(as => $nora)->{status}, 200, 'a normal member may validate');
is_error(validate(as => $carol), 404, 'app_not_found',
    'a non-member validating is a 404');
is_validation_error(post("$base/draft/validate", { strict => $T }),
    [ 'body', 'strict' ], 'extra_forbidden',
    'validate takes no body fields, and says so of an unknown one');

$res = post("$base/integrations/$int/operations/import-tools",
    { operation_ids => ['getPet'] });
is($res->{status}, 200, '(import getPet)');
is_deeply(verdict(validate()), { valid => $T, errors => [], warnings => [] },
    'with a tool from an operation the draft is valid');

my $auth = seed_auth_connection($s, $app, name => 'Pets token',
    type => 'bearer');
$s->sql("UPDATE integrations SET auth_connection_id = :'p1' WHERE id = :'p2'",
    $auth, $int);
is_deeply(verdict(validate()), { valid => $F, warnings => [],
        errors => [ [ 'auth_secret_missing',
            '/integrations/0/auth/secret_fields' ] ] },
    'a bearer connection without its token: auth_secret_missing');
$s->sql("UPDATE auth_connections SET type = 'basic', secret_fields = '{token}'"
    . " WHERE id = :'p1'", $auth);
is(verdict(validate())->{errors}[0][0], 'auth_secret_missing',
    'a basic connection needs a password, not a token');
$s->sql("UPDATE auth_connections SET type = 'bearer' WHERE id = :'p1'", $auth);
is_deeply(verdict(validate()), { valid => $T, errors => [], warnings => [] },
    'once the token is set the draft is valid again');

my $get_tool = tool_of($op{getPet});
set_binding($get_tool, {});
is_deeply(verdict(validate()), { valid => $F, warnings => [], errors => [
        [ 'binding_property_unbound', '/tools/0/inputSchema/properties/petId' ],
        [ 'path_parameter_unbound', '/tools/0/binding' ] ] },
    'an empty binding leaves petId unbound and the path parameter without '
    . 'a value');
set_binding($get_tool, { petId => { in => 'query', name => 'petId' } });
is_deeply(verdict(validate()), { valid => $F, warnings => [], errors => [
        [ 'path_parameter_unbound', '/tools/0/binding' ] ] },
    'petId sent as a query parameter: the {petId} of the path is unbound');
set_binding($get_tool, { petId => { in => 'path', name => 'petId' },
    color => { in => 'query', name => 'color' } });
is_deeply(verdict(validate())->{errors},
    [ [ 'binding_unknown_property', '/tools/0/binding/color' ] ],
    'binding a property the schema does not have: binding_unknown_property');
$s->sql("UPDATE tools SET binding = NULL WHERE id = :'p1'", $get_tool);

$s->sql("UPDATE operations SET status = 'removed', removed_at = now()"
    . " WHERE id = :'p1'", $op{getPet});
is_deeply(verdict(validate()), { valid => $F, warnings => [],
        errors => [ [ 'operation_removed', '/tools/0/operation' ] ] },
    'a tool whose operation was removed: operation_removed');
$s->sql("UPDATE operations SET status = 'active', removed_at = NULL"
    . " WHERE id = :'p1'", $op{getPet});

$s->sql("UPDATE apps SET description = '' WHERE id = :'p1'", $app);
$s->sql("UPDATE tools SET description = '' WHERE id = :'p1'", $get_tool);
is_deeply(verdict(validate()), { valid => $T, errors => [], warnings => [
        [ 'app_description_missing', '/app/description' ],
        [ 'tool_description_missing', '/tools/0/description' ] ] },
    'missing descriptions are warnings, which do not make a draft invalid');

# --- the runtime preview is what a publish freezes ------------------------

$res = get("$base/draft/runtime-preview");
is($res->{status}, 200, 'GET runtime-preview answers 200');
my $preview = $res->{json} // {};
my $draft = draft_of($s, $app);
is_deeply([ @$preview{qw(draft_id draft_revision)}, $res->{headers}{etag} ],
    [ $draft->{id}, $draft->{revision}, qq("$draft->{revision}") ],
    'the preview names the draft and its revision, also as the ETag');
my $config = $preview->{config} // {};
is_deeply([ sort keys %$config ],
    [qw(app format integrations tools widgets workflow)],
    'the configuration has format, app, integrations, tools, widgets and '
    . 'workflow');
is_deeply({ map { $_ => ($config->{tools}[0] // {})->{$_} } qw(id name
        inputSchema annotations binding operation) },
    { id => $get_tool, name => 'getPet',
      inputSchema => object_schema({ petId => 'string' }, ['petId']),
      annotations => { readOnlyHint => $T, destructiveHint => $F,
          idempotentHint => $T, openWorldHint => $T },
      binding => { petId => { in => 'path', name => 'petId' } },
      operation => { id => $op{getPet}, integration_id => $int,
          key => 'getPet', method => 'GET', path => '/pets/{petId}',
          body_content_type => undef, status => 'active',
          deprecated => $F } },
    'a tool in the configuration: schema, effective annotations, binding '
    . 'and its operation');
is_deeply(($config->{integrations}[0] // {})->{auth},
    { id => $auth, name => 'Pets token', type => 'bearer', settings => {},
      secret_fields => ['token'] },
    'an integration\'s auth names the secrets that are set, never their '
    . 'values');
is_deeply(get("$base/draft/runtime-preview", $nora)->{json}, $preview,
    'the preview is the same twice, and a normal member may read it');
is_error(get("/api/v3/apps/$nowhere/draft/runtime-preview"), 404,
    'app_not_found', 'the preview of no app is a 404');

# --- publishing -------------------------------------------------------------

is_error(post("$base/releases", { notes => 'no' }, as => $nora), 403,
    'insufficient_role', 'a normal member may not publish: 403');
is_error(post("$base/releases", { notes => 'no' }, as => $carol), 404,
    'app_not_found', 'a non-member publishing gets a 404');
is_validation_error(post("$base/releases", { notes => 'x' x 4001 }),
    [ 'body', 'notes' ], 'string_too_long', 'notes over 4000 characters: 422');
is_validation_error(post("$base/releases", { version => 2 }),
    [ 'body', 'version' ], 'extra_forbidden', 'an unknown member: 422');
my $stale = post("$base/releases", { draft_revision => $draft->{revision} - 1 });
is_error($stale, 409, 'revision_conflict',
    'publishing with a stale draft_revision is a 409 revision_conflict');
is_deeply(($stale->{json} // {})->{details},
    { expected_revision => $draft->{revision} - 1,
      current_revision => $draft->{revision} },
    '... whose details say what was expected and where the draft is');
is_error(post("$base/releases", {},
        headers => { 'If-Match' => '"' . ($draft->{revision} - 1) . '"' }),
    409, 'revision_conflict', 'a stale If-Match is a 409 too');
is_error(post("$base/releases", { draft_revision => $draft->{revision} },
        headers => { 'If-Match' => '"1"' }), 400, 'bad_request',
    'If-Match and draft_revision that disagree are a 400');
is_deeply([ app_rows($s, 'releases', $app), draft_of($s, $app) ], [ 0, $draft ],
    'refused publishes made no release and left the draft alone');

$res = post("$base/releases", { notes => 'first',
    draft_revision => $draft->{revision} });
is($res->{status}, 201, 'publishing a valid draft answers 201');
my $r1 = $res->{json} // {};
is_deeply([ sort keys %$r1 ], [ sort qw(id app_id number checksum draft_id
        draft_revision notes published_by published_at draft warnings) ],
    'the answer is the release, its successor draft and the warnings');
is_deeply({ map { $_ => $r1->{$_} } qw(app_id number draft_id
        draft_revision notes published_by) },
    { app_id => $app, number => 1, draft_id => $draft->{id},
      draft_revision => $draft->{revision}, notes => 'first',
      published_by => { id => $alice->{id}, email => 'alice@example.com' } },
    'release 1 froze the draft that was previewed, and says who published');
like($r1->{checksum} // '', qr/\A[0-9a-f]{64}\z/,
    'the checksum is 64 hex digits');
like($r1->{published_at} // '', $TIME_RE, 'published_at is RFC 3339 UTC');
is_deeply(problems($r1->{warnings}), [
        [ 'app_description_missing', '/app/description' ],
        [ 'tool_description_missing', '/tools/0/description' ] ],
    'the warnings of the published draft come with the release');
isnt(($r1->{draft} // {})->{id}, $draft->{id}, 'the successor draft has a '
    . 'new id');
is_deeply([ ($r1->{draft} // {})->{revision}, $res->{headers}{etag} ],
    [ $draft->{revision} + 1, '"' . ($draft->{revision} + 1) . '"' ],
    'the successor draft is one revision on, which is the ETag');
is_deeply(draft_of($s, $app), { id => ($r1->{draft} // {})->{id},
        revision => $draft->{revision} + 1, based_on_release => 1 },
    'the database holds the successor, based on release 1');

$res = get("$base/releases/1");
is($res->{status}, 200, 'GET releases/1 answers 200');
is_deeply($res->{json}{config}, $config,
    'the release\'s config is exactly the preview taken just before');
is_deeply({ map { $_ => $res->{json}{$_} } qw(id number checksum draft_id
        notes) }, { map { $_ => $r1->{$_} } qw(id number checksum draft_id
        notes) }, 'and the release is the one the publish answered');
is($s->sql("SELECT encode(sha256(convert_to(config::text, 'UTF8')), 'hex')"
        . " FROM releases WHERE app_id = :'p1' AND number = 1", $app),
    $r1->{checksum}, 'the checksum is the SHA-256 of the stored config');
is_deeply((get($base)->{json} // {})->{latest_release},
    { number => 1, checksum => $r1->{checksum},
      published_at => $r1->{published_at} }, 'the app\'s latest_release is 1');
my $lv = (get("$base/authoring-state")->{json} // {})->{last_validation};
is_deeply([ @{ $lv // {} }{qw(valid current draft_revision)} ],
    [ $T, $T, $draft->{revision} + 1 ],
    'the successor starts validated: what was published was valid');

my $again = post("$base/releases", { notes => 'again' });
is_error($again, 409, 'release_unchanged',
    'publishing with nothing changed is a 409 release_unchanged');
is_deeply([ app_rows($s, 'releases', $app), draft_of($s, $app)->{revision} ],
    [ 1, $draft->{revision} + 1 ],
    '... which makes no release and leaves the revision alone');

# A change, then release 2.
$res = post("$base/tools", { operation_id => $op{createPet} });
is($res->{status}, 201, '(a change: a tool from createPet)');
my $before2 = draft_of($s, $app);
$res = post("$base/releases", { notes => 'second' },
    headers => { 'If-Match' => qq("$before2->{revision}") });
is($res->{status}, 201, 'after a change, publishing answers 201');
my $r2 = $res->{json} // {};
is_deeply([ $r2->{number}, $r2->{draft_id}, $r2->{draft_revision} ],
    [ 2, $before2->{id}, $before2->{revision} ],
    'release 2 froze the draft as it was');
isnt($r2->{checksum}, $r1->{checksum}, 'its checksum differs from release 1\'s');
isnt(($r2->{draft} // {})->{id}, $before2->{id}, 'a new successor draft id');
is(($r2->{draft} // {})->{revision}, $before2->{revision} + 1,
    'and the revision moved by one');
my $app_now = get($base)->{json} // {};
is_deeply([ ($app_now->{latest_release} // {})->{number},
        ($app_now->{draft} // {})->{based_on_release},
        ($app_now->{draft} // {})->{id} ],
    [ 2, 2, ($r2->{draft} // {})->{id} ],
    'the app now names release 2 and a draft based on it');
is_deeply([ map { $_->{name} } @{ (get("$base/releases/2")->{json} // {})
        ->{config}{tools} // [] } ], [qw(createPet getPet)],
    'release 2 has both tools; release 1 keeps its one:');
is_deeply([ map { $_->{name} } @{ (get("$base/releases/1")->{json} // {})
        ->{config}{tools} // [] } ], ['getPet'], '... getPet');

# An invalid draft is not published.
$res = post("$base/tools", { operation_id => $op{deletePet} });
is($res->{status}, 201, '(a change: a tool from deletePet)');
$s->sql("UPDATE operations SET status = 'removed' WHERE id = :'p1'",
    $op{deletePet});
my $before3 = draft_of($s, $app);
my $invalid = post("$base/releases", { notes => 'broken' });
is_error($invalid, 422, 'draft_invalid',
    'publishing an invalid draft is a 422 draft_invalid');
is_deeply(problems((($invalid->{json} // {})->{details} // {})->{errors}),
    [ [ 'operation_removed', '/tools/1/operation' ] ],
    '... whose details list the errors, as validation does');
is_deeply([ app_rows($s, 'releases', $app), draft_of($s, $app) ],
    [ 2, $before3 ], '... and makes no release and leaves the draft alone');
$s->sql("UPDATE operations SET status = 'active' WHERE id = :'p1'",
    $op{deletePet});

# --- two publishes at once --------------------------------------------------

# POST $path as $token from $n child processes released at the same moment.
# Returns the [status, code] of each, in no particular order.  Every wait is
# bounded; a child still running at the deadline is killed.
sub race {
    my ($path, $token, $n) = @_;
    pipe(my $go_r, my $go_w) or die "pipe: $!";
    my @kids;
    for my $i (1 .. $n) {
        pipe(my $out_r, my $out_w) or die "pipe: $!";
        my $pid = fork // die "fork: $!";
        if ($pid == 0) {
            close $go_w;
            close $out_r;
            my $byte;
            sysread($go_r, $byte, 1);    # EOF: everyone starts now
            my $r = $s->request(POST => $path, { token => $token,
                json => { notes => "race $i" }, timeout => 20 });
            print {$out_w} JSON::PP->new->encode([ $r->{status},
                ($r->{json} // {})->{code} ]);
            close $out_w;
            POSIX::_exit(0);
        }
        close $out_w;
        push @kids, { pid => $pid, fh => $out_r, text => '' };
    }
    close $go_r;
    close $go_w;
    my $deadline = time + 30;
    my $sel = IO::Select->new(map { $_->{fh} } @kids);
    my %by_fh = map { fileno($_->{fh}) => $_ } @kids;
    while ($sel->count && time < $deadline) {
        for my $fh ($sel->can_read($deadline - time)) {
            my $got = sysread($fh, my $buf, 4096);
            if ($got) {
                $by_fh{ fileno $fh }{text} .= $buf;
            } else {
                $sel->remove($fh);
            }
        }
    }
    for my $kid (@kids) {
        my $reaped = 0;
        while (time < $deadline + 5) {
            $reaped = waitpid($kid->{pid}, POSIX::WNOHANG());
            last if $reaped;
            select(undef, undef, undef, 0.05);
        }
        if (!$reaped) {
            kill 'KILL', $kid->{pid};
            waitpid($kid->{pid}, 0);
        }
        close $kid->{fh};
    }
    return map { eval { JSON::PP->new->decode($_->{text}) }
        // [ 'no answer', undef ] } @kids;
}

for my $round (1 .. 3) {
    my $extra = seed_operation($s, $int, key => "race$round",
        method => 'GET', path => "/race/$round", summary => "Race $round");
    $res = post("$base/tools", { operation_id => $extra });
    is($res->{status}, 201, "round $round: (a change to publish)");
    my $count = app_rows($s, 'releases', $app);
    my @answers = sort { $a->[0] <=> $b->[0] }
        race("$base/releases", $alice->{token}, 2);
    is_deeply([ map { $_->[0] } @answers ], [ 201, 409 ],
        "round $round: two publishes of one draft at once: one 201, one 409")
        or diag explain \@answers;
    like($answers[1][1] // '', qr/\A(?:draft_already_published|release_unchanged)\z/,
        "round $round: the loser is told draft_already_published or "
        . 'release_unchanged');
    is(app_rows($s, 'releases', $app), $count + 1,
        "round $round: exactly one release was made");
}
my $total = app_rows($s, 'releases', $app);
is_deeply([ split /\n/, $s->sql("SELECT number FROM releases"
        . " WHERE app_id = :'p1' ORDER BY number", $app) ], [ 1 .. $total ],
    'release numbers have no gaps and no duplicates');

# --- the releases list ------------------------------------------------------

$res = get("$base/releases");
is_list_envelope($res, 'GET releases answers a list envelope');
is_deeply([ map { $_->{number} } @{ $res->{json}{data} // [] } ],
    [ reverse 1 .. $total ], 'releases are listed newest first');
is_deeply([ @{ $res->{json} }{qw(page limit total)} ], [ 1, 20, $total ],
    'page 1 of 20 by default, with the total');
ok(!grep({ exists $_->{config} } @{ $res->{json}{data} // [] }),
    'the list leaves the configs out');
is_deeply((grep { $_->{number} == 1 } @{ $res->{json}{data} // [] })[0],
    { map { $_ => $r1->{$_} } qw(id app_id number checksum draft_id
        draft_revision notes published_by published_at) },
    'a listed release has the fields the publish answered');
$res = get("$base/releases?limit=2");
is_deeply([ [ map { $_->{number} } @{ $res->{json}{data} // [] } ],
        $res->{json}{has_more} ? 1 : 0 ], [ [ $total, $total - 1 ], 1 ],
    'limit=2: the newest two, and has_more');
$res = get("$base/releases?limit=2&page=" . int(($total + 1) / 2));
is(scalar @{ $res->{json}{data} // [] }, $total % 2 ? 1 : 2,
    'the last page holds the rest');
is_deeply([ ($res->{json} // {})->{has_more} ? 1 : 0 ], [0],
    '... and has_more is false');
$res = get("$base/releases?limit=2&page=50");
is_deeply([ $res->{json}{data}, $res->{json}{total} ], [ [], $total ],
    'a page past the end is empty and keeps the total');
is(get("$base/releases", $nora)->{status}, 200,
    'a normal member may list releases');
is(get("$base/releases/1", $nora)->{status}, 200,
    'and read one');

is_error(get("$base/releases/999"), 404, 'release_not_found',
    'an unknown release number is a 404 release_not_found');
is_error(get("$base/releases/0"), 404, 'release_not_found',
    'release 0 is a 404 release_not_found');
is_error(get("$base/releases/one"), 404, 'release_not_found',
    'a release "number" that is not a number is a 404');
is_error(get("$base/releases/99999999999999999999"), 404, 'release_not_found',
    'a huge release number is a 404');

# Another workspace's app with a release of its own.
my $secret = seed_petstore($s, $hidden, name => 'Secret pets');
$res = $s->request(POST => "/api/v3/apps/$secret->{app}/integrations/"
    . "$secret->{integration}/operations/import-tools",
    { token => $carol->{token}, json => { all => $T } });
is($res->{status}, 200, '(carol imports her tools)');
$res = $s->request(POST => "/api/v3/apps/$secret->{app}/releases",
    { token => $carol->{token}, json => {} });
is($res->{status}, 201, '(carol publishes her release 1)');
my $foreign = get("/api/v3/apps/$secret->{app}/releases/1");
is_error($foreign, 404, 'app_not_found',
    'a release of another workspace\'s app is a 404 app_not_found');
is_deeply([ @{ $foreign->{json} // {} }{qw(code message)} ],
    [ @{ get("/api/v3/apps/$nowhere/releases/1")->{json} // {} }{qw(code
        message)} ], '... exactly as if there were no such app');
is_error(get("/api/v3/apps/$secret->{app}/releases/one"), 404,
    'app_not_found', 'even with a malformed number, the app is checked'
    . ' first');
is_error(get("/api/v3/apps/$secret->{app}/releases"), 404, 'app_not_found',
    'so is its releases list');
is_error(post("/api/v3/apps/$secret->{app}/releases", {}), 404,
    'app_not_found', 'and publishing it');

# --- releases are immutable -------------------------------------------------

my $frozen = $s->sql("SELECT string_agg(number || ':' || notes || ':'"
    . " || checksum, ',' ORDER BY number) FROM releases WHERE app_id = :'p1'",
    $app);
for my $case (
    [ "UPDATE releases SET notes = 'edited' WHERE app_id = :'p1'",
      'UPDATE of a release\'s notes' ],
    [ "UPDATE releases SET config = '{}' WHERE app_id = :'p1' AND number = 1",
      'UPDATE of a release\'s config' ],
    [ "DELETE FROM releases WHERE app_id = :'p1' AND number = 1",
      'DELETE of one release' ],
    [ "DELETE FROM releases WHERE app_id = :'p1'",
      'DELETE of every release of the app' ]) {
    my ($statement, $what) = @$case;
    my $ok = eval { $s->sql($statement, $app); 1 };
    ok(!$ok, "$what fails");
    like($@ // '', qr/releases are immutable/,
        '... saying "releases are immutable"');
}
is($s->sql("SELECT string_agg(number || ':' || notes || ':'"
        . " || checksum, ',' ORDER BY number) FROM releases"
        . " WHERE app_id = :'p1'", $app), $frozen,
    'every release is as it was');

$s->sql("DELETE FROM apps WHERE id = :'p1'", $app);
is_deeply([ map { app_rows($s, $_, $app) } qw(releases tools operations
        integrations auth_connections) ], [ 0, 0, 0, 0, 0 ],
    'deleting the app deletes its releases (and everything else of it)');
is(app_rows($s, 'releases', $secret->{app}), 1,
    'another app\'s release is untouched');
is_error(get("$base/releases"), 404, 'app_not_found',
    'the deleted app\'s releases are gone from the API');

$s->finish;
done_testing;
