#!/usr/bin/perl
# 45-api-v1-apps.t: templates, apps, config and deploy through the
# management API v1, and `drio-admin load-templates`.  The loader checks
# every shipped template and refuses bad ones whole; the API lists the
# loaded ones without a token; an app is created with its draft at
# revision 1, from scratch or from a template (whose auth connections,
# integrations, operations, widgets and tools come with it); a PATCH is
# one draft write that makes a new revision only when it changes
# something; config is the resolved draft; deploy publishes as v3 does.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use File::Copy qw(copy);
use File::Temp ();
use JSON::PP ();
use Test::More;
use DrioStack;
use DrioTest;
use DrioApps;

my $s = DrioStack->start(responders => ['api-v1', 'api-v3']);

my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
my $max   = $s->seed_user(email => 'max@example.com', name => 'Max');
my $nora  = $s->seed_user(email => 'nora@example.com', name => 'Nora');
my $carol = $s->seed_user(email => 'carol@example.com', name => 'Carol');
my $acme   = $s->seed_workspace('Acme', $alice->{email});
my $hidden = $s->seed_workspace('Hidden', $carol->{email});
$s->seed_member($acme, $max->{id}, 'manager');
$s->seed_member($acme, $nora->{id}, 'normal');
my $JSON = JSON::PP->new->canonical;
my $shipped = DrioStack::srcdir() . '/templates';
my @shipped = qw(github-issues hacker-news notion-workspace
    open-meteo-weather);

sub req {
    my ($method, $path, %opt) = @_;
    my $who = exists $opt{as} ? $opt{as} : $alice;
    return $s->request($method => $path, {
        (defined $who ? (token => $who->{token}) : ()),
        (exists $opt{json} ? (json => $opt{json}) : ()),
        headers => $opt{headers} // {} });
}

sub load_templates {
    my ($dir) = @_;
    return $s->admin_env({ DRIO_TEMPLATES_DIR => $dir }, undef,
        'load-templates');
}

sub read_json {
    my ($path) = @_;
    open my $fh, '<:raw', $path or die "$path: $!";
    local $/;
    return JSON::PP->new->decode(<$fh>);
}

sub write_json {
    my ($path, $doc) = @_;
    open my $fh, '>:raw', $path or die "$path: $!";
    print {$fh} JSON::PP->new->canonical->encode($doc);
    close $fh or die "$path: $!";
}

# --- drio-admin load-templates -------------------------------------------

my ($code, $out, $err) = load_templates($shipped);
is($code, 0, 'load-templates loads the shipped templates')
    or diag("stdout: $out\nstderr: $err");
for my $id (@shipped) {
    like($out, qr/^loaded \Q$id\E \(version \d+\)$/m, "it says $id loaded");
}
is($s->sql('SELECT count(*) FROM templates'), 4, 'four rows are stored');
my $sha = $s->sql("SELECT sha256 FROM templates WHERE id = 'hacker-news'");
my $loaded_at = $s->sql(
    "SELECT loaded_at FROM templates WHERE id = 'hacker-news'");

($code, $out, $err) = load_templates($shipped);
is($code, 0, 'loading again succeeds');
is(scalar(() = $out =~ /^unchanged /mg), 4,
    'loading again leaves every template unchanged');
is($s->sql("SELECT loaded_at FROM templates WHERE id = 'hacker-news'"),
    $loaded_at, 'an unchanged template is not written again');

{
    my $dir = File::Temp->newdir('templates-XXXXXX', TMPDIR => 1);
    # Unchanged copy: still fine beside the bad ones.
    copy("$shipped/open-meteo-weather.json", "$dir/open-meteo-weather.json")
        or die $!;
    # Changed, same version.
    my $hn = read_json("$shipped/hacker-news.json");
    $hn->{description} .= ' Changed.';
    write_json("$dir/hacker-news.json", $hn);
    # An unknown field.
    my $extra = read_json("$shipped/hacker-news.json");
    $extra->{id} = 'extra-field';
    $extra->{colour} = 'red';
    write_json("$dir/extra-field.json", $extra);
    # A tool naming an operation the document does not have.
    my $op = read_json("$shipped/hacker-news.json");
    $op->{id} = 'bad-operation';
    $op->{tools}[1]{operation} = 'getNothing';
    write_json("$dir/bad-operation.json", $op);
    # An id that is not the file name.
    my $named = read_json("$shipped/hacker-news.json");
    $named->{id} = 'another-name';
    write_json("$dir/misnamed.json", $named);
    # A secret-bearing auth connection setting.
    my $gh = read_json("$shipped/github-issues.json");
    $gh->{id} = 'with-secret';
    $gh->{auth_connections}[0]{settings} = { token => 'ghp_example' };
    write_json("$dir/with-secret.json", $gh);
    # A document discovery refuses (Swagger 2.0).
    my $swagger = read_json("$shipped/hacker-news.json");
    $swagger->{id} = 'swagger';
    delete $swagger->{integrations}[0]{openapi}{openapi};
    $swagger->{integrations}[0]{openapi}{swagger} = '2.0';
    write_json("$dir/swagger.json", $swagger);
    # Not JSON at all.
    open my $fh, '>', "$dir/broken.json" or die $!;
    print {$fh} '{"id": "broken",';
    close $fh;

    ($code, $out, $err) = load_templates("$dir");
    is($code, 1, 'load-templates exits 1 when a file is refused');
    like($out, qr/^unchanged open-meteo-weather /m,
        'a good file beside bad ones is still handled');
    like($out, qr{^refused hacker-news\.json: /version: }m,
        'a changed file that keeps its version is refused at /version');
    like($out, qr{^refused extra-field\.json: /colour: }m,
        'an unknown field is refused with its pointer');
    like($out, qr{^refused bad-operation\.json: /tools/1/operation: }m,
        'a tool naming an unknown operation is refused');
    like($out, qr{^refused misnamed\.json: /id: }m,
        'an id that is not the file name is refused');
    like($out,
        qr{^refused with-secret\.json: /auth_connections/0/settings/token: }m,
        'a secret in settings is refused');
    like($out, qr{^refused swagger\.json: /integrations/0/openapi}m,
        'a document that is not OpenAPI 3 is refused');
    like($out, qr{^refused broken\.json: .*not JSON}m,
        'a file that is not JSON is refused');
    is($s->sql("SELECT sha256 FROM templates WHERE id = 'hacker-news'"),
        $sha, 'a refused file changes nothing stored');
    is($s->sql('SELECT count(*) FROM templates'), 4,
        'refused files are not stored');

    # A raised version loads, and an older one is refused.
    $hn->{version} = 2;
    write_json("$dir/hacker-news.json", $hn);
    unlink map { "$dir/$_.json" } qw(extra-field bad-operation misnamed
        with-secret swagger broken);
    ($code, $out, $err) = load_templates("$dir");
    is($code, 0, 'a changed file with a raised version loads')
        or diag($out);
    like($out, qr/^loaded hacker-news \(version 2\)$/m, 'it says so');
    ($code, $out, $err) = load_templates($shipped);
    is($code, 1, 'an older version than the loaded one is refused');
    like($out, qr{^refused hacker-news\.json: /version: }m,
        'at /version');
    $s->sql("DELETE FROM templates WHERE id = 'hacker-news'");
    ($code, $out, $err) = load_templates($shipped);
    is($code, 0, 'the shipped version loads again once removed');
}

# --- templates through the API -------------------------------------------

my $res = req(GET => '/api/v1/templates', as => undef);
is_list_envelope($res, 'GET templates needs no token');
is($res->{json}{total}, 4, 'it lists the four templates');
my %tpl = map { $_->{id} => $_ } @{ $res->{json}{data} };
is_deeply([ sort keys %tpl ], \@shipped, 'by id');
ok(!exists $tpl{'github-issues'}{integrations},
    'the list shows summaries only');
ok($tpl{'github-issues'}{needs_secrets}, 'github-issues needs secrets');
ok(!$tpl{'hacker-news'}{needs_secrets}, 'hacker-news does not');
is($tpl{'hacker-news'}{tool_count}, 9, 'tool_count counts its tools');

$res = req(GET => '/api/v1/templates?category=data', as => undef);
is_deeply([ sort map { $_->{id} } @{ $res->{json}{data} } ],
    [qw(hacker-news open-meteo-weather)], 'category filters');
$res = req(GET => '/api/v1/templates?tag=github&limit=1', as => undef);
is_deeply([ map { $_->{id} } @{ $res->{json}{data} } ], ['github-issues'],
    'tag filters');
$res = req(GET => '/api/v1/templates?category=games', as => undef);
is_validation_error($res, ['query', 'category'], 'enum',
    'an unknown category is a 422');

$res = req(GET => '/api/v1/templates/github-issues', as => undef);
is($res->{status}, 200, 'GET one template needs no token');
my $gh = $res->{json};
is_deeply($gh->{auth_connections}[0]{secret_fields}, ['token'],
    'it names the secret the user sets');
ok(!exists $gh->{auth_connections}[0]{secret}, 'and holds no secret');
ok((grep { $_ eq 'issues/list-for-repo' }
    @{ $gh->{integrations}[0]{operations} }),
    'integrations list their operation keys');
ok(!exists $gh->{integrations}[0]{openapi},
    'but not the whole document');
is(scalar @{ $gh->{tools} }, 7, 'the tools it makes');
$res = req(GET => '/api/v1/templates/open-meteo-weather', as => undef);
ok(!exists $res->{json}{widgets}[0]{template},
    'widgets are shown without their HTML');
is($res->{json}{widgets}[0]{name}, 'current_weather', 'by name');
is_error(req(GET => '/api/v1/templates/no-such-thing', as => undef), 404,
    'template_not_found', 'an unknown template is a 404');

# --- creating apps -------------------------------------------------------

$res = req(POST => '/api/v1/apps', json => { workspace_id => $acme,
    name => 'My App', description => 'Mine', tags => ['a', 'b'],
    branding => { primary_color => '#112233',
        website_url => 'https://example.com' },
    icon_background => '#AABBCC' });
is($res->{status}, 201, 'POST apps answers 201')
    or diag($res->{content});
my $app = $res->{json};
is_uuid($app->{id}, 'with the new id');
is($app->{slug}, 'my-app', 'the slug is made from the name');
is($app->{draft}{revision}, 1, 'the draft starts at revision 1');
is($app->{draft_revision}, 1, 'the reply says draft_revision 1');
is($res->{headers}{etag}, '"1"', 'ETag is the revision');
is($app->{mode}, 'workflow', 'mode defaults to workflow');
is_deeply($app->{tags}, ['a', 'b'], 'tags are stored');
is($app->{branding}{primary_color}, '#112233', 'branding is stored');
is($app->{created_by}, $alice->{id}, 'created_by is the caller');
is(draft_of($s, $app->{id})->{revision}, 1, 'the database agrees');

$res = req(POST => '/api/v1/apps', as => $max,
    json => { workspace_id => $acme, name => 'My  App!' });
is($res->{status}, 201, 'a manager may create apps');
is($res->{json}{slug}, 'my-app-2', 'a derived slug is made unique');
my $app2 = $res->{json};

is_error(req(POST => '/api/v1/apps', json => { workspace_id => $acme,
    name => 'Third', slug => 'my-app' }), 409, 'name_taken',
    'an explicit slug that is taken is a 409');
$res = req(POST => '/api/v1/apps', json => { workspace_id => $acme,
    name => 'Third', slug => 'my-app' });
is($res->{json}{details}[0]{loc}[1], 'slug', 'the 409 names the slug');

my %bad = (
    slug => [{ slug => '-Bad' }, 'string_pattern_mismatch'],
    icon_background => [{ icon_background => 'red' }, undef],
    branding => [{ branding => { colour => '#000000' } }, 'extra_forbidden'],
    tags => [{ tags => ['x', 'x'] }, 'duplicate'],
    mode => [{ mode => 'game' }, 'enum'],
    visibility => [{ visibility => 'secret' }, 'enum'],
);
for my $field (sort keys %bad) {
    my ($body, $type) = @{ $bad{$field} };
    is_validation_error(req(POST => '/api/v1/apps', json => {
        workspace_id => $acme, name => 'Bad', %$body }),
        ['body', $field], $type, "a bad $field is a 422");
}
is_validation_error(req(POST => '/api/v1/apps', json => {
    workspace_id => $acme, name => 'Bad',
    branding => { website_url => 'http://example.com' } }),
    ['body', 'branding'], 'url_parsing', 'branding URLs are https');
is_validation_error(req(POST => '/api/v1/apps', json => {
    workspace_id => $acme }), ['body', 'name'], 'missing',
    'name is required');
is_validation_error(req(POST => '/api/v1/apps', json => { name => 'X' }),
    ['body', 'workspace_id'], 'missing', 'workspace_id is required');
is_validation_error(req(POST => '/api/v1/apps', json => {
    workspace_id => $acme, name => 'X', owner => 'me' }),
    ['body', 'owner'], 'extra_forbidden', 'unknown fields are refused');
is_error(req(POST => '/api/v1/apps', as => $nora,
    json => { workspace_id => $acme, name => 'Nope' }), 403,
    'insufficient_role', 'a normal member may not create apps');
is_error(req(POST => '/api/v1/apps',
    json => { workspace_id => $hidden, name => 'Nope' }), 404,
    'workspace_not_found', 'nor anyone outside the workspace');
is_error(req(POST => '/api/v1/apps', json => { workspace_id => $acme,
    name => 'Nope', template_id => 'no-such-thing' }), 404,
    'template_not_found', 'an unknown template is a 404');
is($s->sql("SELECT count(*) FROM apps WHERE name IN ('Bad', 'Nope', 'X',"
    . " 'Third')"), 0, 'refused creates leave nothing behind');

# --- reading and changing apps -------------------------------------------

my $path = "/api/v1/apps/$app->{id}";
$res = req(GET => $path, as => $nora);
is($res->{status}, 200, 'a normal member may read an app');
is($res->{json}{name}, 'My App', 'GET app shows it');
is($res->{headers}{etag}, '"1"', 'with the revision as ETag');

my $secret_app = seed_app($s, $hidden, name => 'Secret');
is_error(req(GET => "/api/v1/apps/$secret_app"), 404, 'app_not_found',
    "another workspace's app is a 404");
is_error(req(PATCH => "/api/v1/apps/$secret_app", json => { name => 'x' }),
    404, 'app_not_found', 'also for PATCH');

$res = req(PATCH => $path, json => { name => 'Renamed', tags => ['c'],
    icon => '🚀' }, headers => { 'If-Match' => '"1"' });
is($res->{status}, 200, 'PATCH answers 200') or diag($res->{content});
is($res->{json}{name}, 'Renamed', 'it changes the name');
is_deeply($res->{json}{tags}, ['c'], 'and the tags');
is($res->{json}{draft_revision}, 2, 'and makes revision 2');
is($res->{headers}{etag}, '"2"', 'ETag says so');
is($res->{json}{slug}, 'my-app', 'the slug stays');

$res = req(PATCH => $path, json => { name => 'Renamed', tags => ['c'] });
is($res->{status}, 200, 'a PATCH that changes nothing answers 200');
is($res->{json}{draft_revision}, 2, 'and makes no revision');
$res = req(PATCH => $path, json => {});
is($res->{json}{draft_revision}, 2, 'an empty PATCH makes none either');
is(draft_of($s, $app->{id})->{revision}, 2, 'the database agrees');

is_error(req(PATCH => $path, json => { name => 'Late', draft_revision => 1 }),
    409, 'revision_conflict', 'a stale draft_revision is a 409');
is_error(req(PATCH => $path, json => { name => 'Late' },
    headers => { 'If-Match' => '"1"' }), 409, 'revision_conflict',
    'so is a stale If-Match');
is_error(req(PATCH => $path, json => { slug => 'my-app-2' }), 409,
    'name_taken', "another app's slug is a 409");
is_error(req(PATCH => $path, as => $nora, json => { name => 'Nope' }), 403,
    'insufficient_role', 'a normal member may not PATCH');
is_validation_error(req(PATCH => $path, json => { icon_background => '#12' }),
    ['body', 'icon_background'], undef, 'PATCH validates its fields');
is_validation_error(req(PATCH => $path, json => { workspace_id => $hidden }),
    ['body', 'workspace_id'], 'extra_forbidden',
    'workspace_id cannot be changed');
is(draft_of($s, $app->{id})->{revision}, 2,
    'refused writes make no revision');

$res = req(PATCH => $path, as => $max, json => { slug => 'renamed',
    icon_background => '', description => '', visibility => 'public',
    draft_revision => 2 });
is($res->{status}, 200, 'a manager may PATCH, slug included');
is($res->{json}{slug}, 'renamed', 'the slug changes');
is($res->{json}{draft_revision}, 3, 'revision 3');

$res = req(GET => "/api/v3/apps/$app->{id}");
is($res->{json}{name}, 'Renamed', 'v3 sees what v1 wrote');
is($res->{json}{draft}{revision}, 3, 'and the same revision');

$res = req(GET => "/api/v1/apps?workspace_id=$acme&tag=c");
is_list_envelope($res, 'GET apps lists');
is_deeply([ map { $_->{id} } @{ $res->{json}{data} } ], [ $app->{id} ],
    'filtered by workspace and tag');
is_error(req(GET => "/api/v1/apps?workspace_id=$hidden"), 404,
    'workspace_not_found', "another workspace's list is a 404");

# --- apps from templates -------------------------------------------------

my %from;
for my $id (@shipped) {
    my $def = read_json("$shipped/$id.json");
    $res = req(POST => '/api/v1/apps', json => { workspace_id => $acme,
        name => "From $id", template_id => $id });
    is($res->{status}, 201, "an app is created from $id")
        or do { diag($res->{content}); next };
    my $new = $res->{json};
    $from{$id} = $new;
    is($new->{template_id}, $id, 'it records its template');
    is($new->{icon}, $def->{icon}, "it takes the template's icon");
    is($new->{icon_type}, 'emoji', 'as an emoji');
    is_deeply($new->{tags}, $def->{tags}, 'and tags');
    is($new->{description}, $def->{app}{description},
        'and app description');
    is($new->{draft}{revision}, 1, 'its draft is at revision 1');
    my $state = req(GET => "/api/v3/apps/$new->{id}/authoring-state")->{json};
    is_deeply([ sort map { $_->{name} } @{ $state->{tools} } ],
        [ sort map { $_->{name} } @{ $def->{tools} } ],
        'v3 sees its tools');
    is_deeply([ sort map { $_->{name} } @{ $state->{integrations} } ],
        [ sort map { $_->{name} } @{ $def->{integrations} } ],
        'and its integrations');
    ok(!(grep { !$_->{operation} || $_->{operation}{status} ne 'active' }
        @{ $state->{tools} }), 'every tool has an active operation');
    is(app_rows($s, 'auth_connections', $new->{id}),
        scalar @{ $def->{auth_connections} }, 'its auth connections');
    is(app_rows($s, 'widgets', $new->{id}), scalar @{ $def->{widgets} },
        'its widgets');
    is($s->sql("SELECT count(*) FROM auth_connections WHERE app_id = :'p1'"
        . ' AND secret IS NOT NULL', $new->{id}), 0, 'and no secret');

    my $check = req(POST => "/api/v3/apps/$new->{id}/draft/validate")->{json};
    if (@{ $def->{auth_connections} }) {
        ok(!$check->{valid}, "$id does not validate before its secret");
        ok((grep { $_->{code} eq 'auth_secret_missing' }
            @{ $check->{errors} }), 'for auth_secret_missing')
            or diag($JSON->encode($check));
    } else {
        ok($check->{valid}, "$id validates at once")
            or diag($JSON->encode($check));
    }
}

$res = req(POST => '/api/v1/apps', json => { workspace_id => $acme,
    name => 'Weather 2', template_id => 'open-meteo-weather',
    description => 'Mine', tags => [], icon => 'https://x.example/i.png',
    icon_type => 'link' });
is($res->{status}, 201, 'request fields win over the template');
is($res->{json}{description}, 'Mine', 'description');
is_deeply($res->{json}{tags}, [], 'tags');
is($res->{json}{icon_type}, 'link', 'icon');

# --- config and deploy ---------------------------------------------------

my $weather = $from{'open-meteo-weather'}{id};
$res = req(GET => "/api/v1/apps/$weather/config", as => $nora);
is($res->{status}, 200, 'GET config answers 200');
is($res->{json}{draft_revision}, 1, 'with the draft revision');
is($res->{headers}{etag}, '"1"', 'and ETag');
is_deeply([ map { $_->{name} } @{ $res->{json}{config}{tools} } ],
    [qw(get_forecast search_locations)], 'the resolved tools');
is($res->{json}{config}{tools}[0]{widget}, 'current_weather',
    'with the widget');
my $preview = req(GET => "/api/v3/apps/$weather/draft/runtime-preview");
is_deeply($res->{json}{config}, $preview->{json}{config},
    'the same config v3 previews');

is_error(req(POST => "/api/v1/apps/$weather/deploy", as => $nora,
    json => {}), 403, 'insufficient_role', 'a normal member may not deploy');
is_error(req(POST => "/api/v1/apps/$weather/deploy",
    json => { draft_revision => 5 }), 409, 'revision_conflict',
    'deploy checks draft_revision');
$res = req(POST => "/api/v1/apps/$weather/deploy",
    json => { notes => 'First' });
is($res->{status}, 201, 'deploy answers 201') or diag($res->{content});
is($res->{json}{number}, 1, 'release 1');
$res = req(GET => "/api/v3/apps/$weather/releases");
is($res->{json}{total}, 1, 'v3 lists release 1');
is($res->{json}{data}[0]{number}, 1, 'numbered 1');
is_error(req(POST => "/api/v1/apps/$weather/deploy", json => {}), 409,
    'release_unchanged', 'deploying an unchanged draft is a 409');
is_error(req(POST => "/api/v1/apps/$from{'github-issues'}{id}/deploy",
    json => {}), 422, 'draft_invalid', 'an invalid draft is a 422');
is(app_rows($s, 'releases', $from{'github-issues'}{id}), 0,
    'and is not published');

done_testing();
