# DrioApps: the app model seeded straight into a DrioStack's database, for
# the tests of the APIs that read and change apps.  Until an API creates
# apps and integrations, this is how a test gets them: every function takes
# the stack first, writes rows with one SQL statement and returns what it
# made.  Options map onto the columns of sql/005_apps.sql; what is left out
# takes the column's default (or a stated one).
#
#     my $app = seed_app($s, $workspace_id, name => 'Pet store',
#         created_by => $alice->{id});
#     my $int = seed_integration($s, $app, name => 'Pets');
#     my $get = seed_operation($s, $int, key => 'getPet', method => 'GET',
#         path => '/pets/{petId}', summary => 'Get a pet',
#         input_schema => object_schema({ petId => 'string' }, ['petId']),
#         parameters => { petId => { in => 'path', name => 'petId' } });
#     is(draft_of($s, $app)->{revision}, 1, ...);
#
# Values go to psql as one JSON document (DrioStack::sql binds it as a
# quoted literal), so undef becomes NULL and nothing is interpolated into
# SQL text.  Every function dies (croaks) when the database refuses.
#
# SPDX-License-Identifier: MIT

package DrioApps;

use strict;
use warnings;

use Carp qw(croak);
use Exporter 'import';
use JSON::PP ();

our @EXPORT = qw(seed_app seed_integration seed_operation
    seed_auth_connection seed_petstore object_schema draft_of app_rows);

my $JSON = JSON::PP->new->canonical->allow_nonref;

# The options in %$opt that are also in @keys, as one JSON object text,
# with %$base underneath.  A key present with undef becomes JSON null.
sub _doc {
    my ($base, $opt, @keys) = @_;
    my %doc = %$base;
    for my $key (@keys) {
        $doc{$key} = $opt->{$key} if exists $opt->{$key};
    }
    if (my @unknown = grep { my $k = $_; !grep { $_ eq $k } @keys }
        keys %$opt) {
        croak "unknown option(s): @unknown";
    }
    return $JSON->encode(\%doc);
}

# A slug for a name: lower case, runs of anything else as one '-'.
sub _slug {
    my ($name) = @_;
    (my $slug = lc $name) =~ s/[^a-z0-9]+/-/g;
    $slug =~ s/^-+|-+$//g;
    return substr($slug eq '' ? 'app' : $slug, 0, 63) =~ s/-+$//r;
}

# seed_app($s, $workspace_id, %opt): an app and its draft (revision 1).
# %opt: name (default 'App'), slug (default from the name), description
# (default ''), mode (default 'workflow'), tags (array ref), icon,
# visibility, template_id, created_by (an account id), created_at and
# updated_at (timestamptz text; default now()).  Returns the app's id.
sub seed_app {
    my ($s, $workspace_id, %opt) = @_;
    my $name = $opt{name} // 'App';
    my $doc = _doc({ workspace_id => $workspace_id, name => $name,
            slug => _slug($name) }, \%opt,
        qw(name slug description mode tags icon visibility template_id
           created_by created_at updated_at));
    return $s->sql(<<'SQL', $doc);
WITH o AS (SELECT :'p1'::jsonb AS j),
a AS (
    INSERT INTO apps (workspace_id, slug, name, description, mode, tags,
        icon, visibility, template_id, created_by, created_at, updated_at)
    SELECT (j->>'workspace_id')::uuid, j->>'slug', j->>'name',
        coalesce(j->>'description', ''), coalesce(j->>'mode', 'workflow'),
        ARRAY(SELECT jsonb_array_elements_text(coalesce(j->'tags', '[]'))),
        coalesce(j->>'icon', ''), coalesce(j->>'visibility', 'private'),
        j->>'template_id', (j->>'created_by')::uuid,
        coalesce((j->>'created_at')::timestamptz, now()),
        coalesce((j->>'updated_at')::timestamptz, now())
      FROM o
    RETURNING id, updated_at),
d AS (INSERT INTO drafts (app_id, created_at, updated_at)
      SELECT id, updated_at, updated_at FROM a)
SELECT id FROM a;
SQL
}

# seed_auth_connection($s, $app_id, %opt): an auth connection.  %opt:
# name (default 'Auth'), type (default 'bearer'), settings (hash ref),
# secret_fields (array ref of the secret names that are set; default
# none: the secret is missing).  Returns its id.
sub seed_auth_connection {
    my ($s, $app_id, %opt) = @_;
    my $doc = _doc({ app_id => $app_id, name => 'Auth', type => 'bearer' },
        \%opt, qw(name type settings secret_fields));
    return $s->sql(<<'SQL', $doc);
WITH o AS (SELECT :'p1'::jsonb AS j)
INSERT INTO auth_connections (app_id, name, type, settings, secret_fields)
SELECT (j->>'app_id')::uuid, j->>'name', j->>'type',
    coalesce(j->'settings', '{}'),
    ARRAY(SELECT jsonb_array_elements_text(
        coalesce(j->'secret_fields', '[]')))
  FROM o
RETURNING id;
SQL
}

# seed_integration($s, $app_id, %opt): an integration.  %opt: name
# (default 'API'), description, kind (default 'openapi'), base_url
# (default 'https://api.example.com/v1'; undef for none), status,
# auth_connection_id, discovery_error.  Returns its id.
sub seed_integration {
    my ($s, $app_id, %opt) = @_;
    my $doc = _doc({ app_id => $app_id, name => 'API', kind => 'openapi',
            base_url => 'https://api.example.com/v1' }, \%opt,
        qw(name description kind base_url status auth_connection_id
           discovery_error));
    return $s->sql(<<'SQL', $doc);
WITH o AS (SELECT :'p1'::jsonb AS j)
INSERT INTO integrations (app_id, name, description, kind, base_url,
    status, auth_connection_id, discovery_error)
SELECT (j->>'app_id')::uuid, j->>'name', coalesce(j->>'description', ''),
    j->>'kind', j->>'base_url', coalesce(j->>'status', 'active'),
    (j->>'auth_connection_id')::uuid, j->>'discovery_error'
  FROM o
RETURNING id;
SQL
}

# object_schema(\%properties, \@required): a JSON Schema of type object
# whose properties have the types given ({petId => 'string'}), with
# additionalProperties false.  Can't fail.
sub object_schema {
    my ($props, $required) = @_;
    return {
        type => 'object',
        properties => { map { $_ => { type => $props->{$_} } }
            keys %{ $props // {} } },
        required => [ @{ $required // [] } ],
        additionalProperties => JSON::PP::false,
    };
}

# seed_operation($s, $integration_id, %opt): an operation of an
# integration (and of its app).  %opt: key (required), operation_id
# (default the key), method (default 'GET') and path (default '/' . key),
# summary, description, input_schema (default an empty object schema),
# parameters (default {}), body_content_type, deprecated, source (default
# 'discovered'), status (default 'active').  Returns its id.
sub seed_operation {
    my ($s, $integration_id, %opt) = @_;
    my $key = $opt{key} // croak 'seed_operation needs a key';
    my $doc = _doc({ integration_id => $integration_id, key => $key,
            operation_id => $key, method => 'GET', path => "/$key",
            input_schema => object_schema(), parameters => {} }, \%opt,
        qw(key operation_id method path summary description input_schema
           parameters body_content_type deprecated source status));
    return $s->sql(<<'SQL', $doc);
WITH o AS (SELECT :'p1'::jsonb AS j)
INSERT INTO operations (integration_id, app_id, key, operation_id, method,
    path, summary, description, input_schema, parameters,
    body_content_type, deprecated, source, status, removed_at)
SELECT i.id, i.app_id, j->>'key', j->>'operation_id', j->>'method',
    j->>'path', coalesce(j->>'summary', ''), coalesce(j->>'description', ''),
    j->'input_schema', j->'parameters', j->>'body_content_type',
    coalesce((j->>'deprecated')::boolean, false),
    coalesce(j->>'source', 'discovered'), coalesce(j->>'status', 'active'),
    CASE WHEN j->>'status' = 'removed' THEN now() END
  FROM o JOIN integrations i ON i.id = (j->>'integration_id')::uuid
RETURNING id;
SQL
}

# seed_petstore($s, $workspace_id, %opt): an app (options as seed_app;
# name default 'Pet store', description default 'Pets and their owners')
# with one integration 'Pets' and four active operations:
#     getPet     GET    /pets/{petId}   petId (path, required)
#     listPets   GET    /pets           limit (query)
#     createPet  POST   /pets           name (body, required)
#     deletePet  DELETE /pets/{petId}   petId (path, required)
# Returns {app => id, integration => id, ops => {key => id}}.
sub seed_petstore {
    my ($s, $workspace_id, %opt) = @_;
    my $app = seed_app($s, $workspace_id, name => 'Pet store',
        description => 'Pets and their owners', %opt);
    my $int = seed_integration($s, $app, name => 'Pets',
        base_url => 'https://petstore.example.com/v1');
    my $pet_id = object_schema({ petId => 'string' }, ['petId']);
    my $in_path = { petId => { in => 'path', name => 'petId' } };
    my %ops = (
        getPet => seed_operation($s, $int, key => 'getPet',
            method => 'GET', path => '/pets/{petId}',
            summary => 'Get a pet', description => 'Returns one pet.',
            input_schema => $pet_id, parameters => $in_path),
        listPets => seed_operation($s, $int, key => 'listPets',
            method => 'GET', path => '/pets', summary => 'List pets',
            input_schema => object_schema({ limit => 'integer' }),
            parameters => { limit => { in => 'query', name => 'limit' } }),
        createPet => seed_operation($s, $int, key => 'createPet',
            method => 'POST', path => '/pets', summary => 'Create a pet',
            input_schema => object_schema({ name => 'string' }, ['name']),
            parameters => { name => { in => 'body', name => 'name' } },
            body_content_type => 'application/json'),
        deletePet => seed_operation($s, $int, key => 'deletePet',
            method => 'DELETE', path => '/pets/{petId}',
            summary => 'Delete a pet', input_schema => $pet_id,
            parameters => $in_path),
    );
    return { app => $app, integration => $int, ops => \%ops };
}

# draft_of($s, $app_id): the app's draft as the database has it,
# {id, revision, based_on_release}; undef when the app has none.
sub draft_of {
    my ($s, $app_id) = @_;
    my $row = $s->sql(<<'SQL', $app_id);
SELECT id, revision, coalesce(based_on_release::text, '')
  FROM drafts WHERE app_id = :'p1';
SQL
    return undef if $row eq '';
    my ($id, $revision, $based) = split /\|/, $row, 3;
    return { id => $id, revision => $revision + 0,
        based_on_release => $based eq '' ? undef : $based + 0 };
}

# app_rows($s, $table, $app_id): how many rows of one of the app model's
# tables (tools, releases, operations, integrations, auth_connections,
# widgets) belong to the app.
my %COUNT_ROWS = map {
    $_ => "SELECT count(*) FROM $_ WHERE app_id = :'p1';"
} qw(tools releases operations integrations auth_connections widgets);
sub app_rows {
    my ($s, $table, $app_id) = @_;
    my $statement = $COUNT_ROWS{$table}
        // croak "app_rows: not a table of the app model: $table";
    return 0 + $s->sql($statement, $app_id);
}

1;
