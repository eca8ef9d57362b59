#!/usr/bin/perl
# 44-api-v3-openapi.t: docs/openapi/api-v3.json, the OpenAPI 3.1 document
# of the management API v3, tells the truth.
#
# - GET /api/v3/openapi.json serves exactly that file, without a token.
# - Every route of the responder's table (fcgi/api_v3.c, v3_routes[]) is
#   documented with its method, its authentication and exactly the query
#   and body fields its valid_field tables declare (types, bounds,
#   defaults, enums); every documented operation is a route.
# - Every documented operation is served: each is requested on a real
#   stack, with a token and ids seeded through SQL, and answers neither
#   404 not_found nor 405; its status is one the document lists, its body
#   matches the schema documented for that status (a small JSON Schema
#   check, t/tap/DrioOpenAPI.pm), and ETag is sent exactly where
#   documented.  Every GET is asked again with each documented query
#   parameter set to its example.
# - @readme/openapi-parser, a validator drio did not write, accepts the
#   document (t/interop/validate-openapi.mjs; needs node 20 or later and
#   `npm ci --prefix t/interop`, else that part is skipped).
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use File::Spec;
use JSON::PP ();
use Test::More;
use DrioOpenAPI;
use DrioStack;
use DrioTest;

my $src = DrioStack::srcdir();
my $doc_file = "$src/docs/openapi/api-v3.json";

sub slurp {
    my ($path) = @_;
    open my $fh, '<', $path or BAIL_OUT("cannot read $path: $!");
    local $/;
    my $text = <$fh>;
    close $fh;
    return $text;
}

my $doc = eval { JSON::PP->new->decode(slurp($doc_file)) }
    or BAIL_OUT("$doc_file is not JSON: $@");
use_document($doc);

# Started first: without PostgreSQL or nginx the whole file is skipped.
my $stack = DrioStack->start(responders => ['api-v3']);

is($doc->{openapi}, '3.1.0', 'the document is OpenAPI 3.1.0');

# The operations of a path item, in this order; "*" routes serve them all
# (TRACE never reaches a responder: nginx refuses it).
my @METHODS = qw(get put post delete options head patch);

# --- the document -----------------------------------------------------------

# Every documented operation: {path, method, op, params (path-level and
# operation-level, dereferenced, by "in/name")}.
my @operations;
for my $path (sort keys %{ $doc->{paths} }) {
    my $item = $doc->{paths}{$path};
    for my $method (@METHODS, 'trace') {
        my $op = $item->{$method} or next;
        my %params;
        for my $p (@{ $item->{parameters} // [] },
            @{ $op->{parameters} // [] }) {
            my $param = deref($p);
            $params{"$param->{in}/$param->{name}"} = $param;
        }
        push @operations, { path => $path, method => $method, op => $op,
            params => \%params, id => $op->{operationId} // "$method $path" };
    }
}
cmp_ok(scalar @operations, '>=', 16, 'the document has operations');

# --- the route table --------------------------------------------------------

# fcgi/api_v3.c and lib/page.h, read by DrioOpenAPI::c_tables.
my $tables = eval { c_tables(sources => [ slurp("$src/fcgi/api_v3.c"),
    slurp("$src/lib/page.h") ], table => 'v3_routes') }
    or BAIL_OUT("fcgi/api_v3.c has no v3_routes[] table: $@");
my @routes = @{ $tables->{routes} };
my %fields = %{ $tables->{fields} };
my $nentries = $tables->{nentries};
is(scalar @routes, $nentries,
    "every entry of v3_routes[] was read ($nentries)");
cmp_ok(scalar @routes, '>=', 16, 'v3_routes[] has the v3 routes');

# Does the documented $path (with its {params}) belong to route $r?  A
# final {name*} covers the prefix itself and everything under it.
sub route_covers {
    my ($r, $path) = @_;
    if ($r->{path} =~ /\A(.*)\{\w+\*\}\z/) {
        my $prefix = $1;
        return $path eq $prefix || index($path, "$prefix/") == 0;
    }
    return $path eq $r->{path};
}

sub route_serves {
    my ($r, $method) = @_;
    return $r->{method} eq '*' || lc $r->{method} eq $method
        || ($method eq 'head' && $r->{method} eq 'GET');
}

# --- routes against the document --------------------------------------------

for my $r (@routes) {
    my $name = "$r->{method} $r->{pattern}";
    my @docd = grep { route_covers($r, $_->{path}) } @operations;
    my @methods = $r->{method} eq '*' ? @METHODS : (lc $r->{method});
    if ($r->{path} =~ /\{\w+\*\}\z/) {
        my %paths = map { $_->{path} => 1 } @docd;
        cmp_ok(scalar keys %paths, '>=', 2,
            "$name: documented for its prefix and for a path under it");
        for my $path (sort keys %paths) {
            my @missing = grep { my $m = $_;
                !grep { $_->{path} eq $path && $_->{method} eq $m } @docd }
                @methods;
            ok(!@missing, "$name: $path is documented with every method")
                or diag("missing: @missing");
        }
    } else {
        ok(scalar(grep { $_->{method} eq $methods[0] } @docd),
            "$name is documented");
    }
    for my $o (grep { my $d = $_; grep { $d->{method} eq $_ } @methods }
        @docd) {
        my $security = exists $o->{op}{security} ? $o->{op}{security}
            : $doc->{security};
        if ($r->{auth} eq 'ROUTE_PUBLIC') {
            is_deeply($security, [], "$o->{id} is documented as public");
        } else {
            ok(ref $security eq 'ARRAY' && @$security
                && exists $doc->{components}{securitySchemes}{bearer}
                && scalar(grep { exists $_->{bearer} } @$security),
                "$o->{id} is documented as needing the bearer token");
        }
        # Path parameters: the route's, by name; a :uuid one is a uuid.
        my @names = $r->{pattern} =~ /\{(\w+)(?::uuid)?\}/g;
        for my $n (@names) {
            my $p = $o->{params}{"path/$n"};
            ok($p && $p->{required}, "$o->{id}: path parameter $n is"
                . ' documented and required');
            if ($r->{pattern} =~ /\{\Q$n\E:uuid\}/) {
                my $s = deref($p->{schema} // {});
                ok(($s->{type} // '') eq 'string'
                    && ($s->{format} // '') eq 'uuid',
                    "$o->{id}: path parameter $n is a uuid");
            }
        }
    }
}
{
    my %number = map { $_->{id} => $_->{params}{'path/number'} }
        grep { $_->{params}{'path/number'} } @operations;
    ok(%number && !grep({ (deref($_->{schema})->{type} // '') ne 'integer' }
        values %number), 'a release number is documented as an integer');
}

for my $o (@operations) {
    ok(scalar(grep { route_serves($_, $o->{method})
            && route_covers($_, $o->{path}) } @routes),
        "$o->{id} ($o->{method} $o->{path}) is a route of v3_routes[]");
}

# --- declared fields against documented parameters and bodies ---------------

# flat_schema() and field_problems() are DrioOpenAPI's.

for my $r (grep { $_->{path} =~ m{\A/api/v3} } @routes) {
    my ($o) = grep { lc $r->{method} eq $_->{method}
        && $_->{path} eq $r->{path} } @operations;
    next unless $o;    # reported above
    my @declared = $r->{query} ? @{ $fields{ $r->{query} } // [] } : ();
    my @query = map { $_->{name} } grep { $_->{in} eq 'query' }
        values %{ $o->{params} };
    is_deeply([ sort @query ], [ sort map { $_->{name} } @declared ],
        "$o->{id}: the documented query parameters are the declared ones");
    for my $f (@declared) {
        my $p = $o->{params}{"query/$f->{name}"} or next;
        my ($s) = flat_schema($p->{schema} // {});
        my @why = field_problems($f, $s);
        push @why, 'required is ' . ($p->{required} ? 'true' : 'false')
            if !!$p->{required} != !!$f->{required};
        ok(!@why, "$o->{id}: query parameter $f->{name} is documented as"
            . ' declared') or diag(join "\n", @why);
    }

    my $rb = deref($o->{op}{requestBody} // {});
    if (!$r->{body}) {
        ok(!$o->{op}{requestBody}, "$o->{id} documents no request body,"
            . ' as it reads none');
        next;
    }
    my ($body) = flat_schema(
        $rb->{content}{'application/json'}{schema} // {});
    my @declared_body = @{ $fields{ $r->{body} } // [] };
    is_deeply([ sort keys %{ $body->{properties} // {} } ],
        [ sort map { $_->{name} } @declared_body ],
        "$o->{id}: the documented body fields are the declared ones");
    ok(JSON::PP::is_bool($body->{additionalProperties})
        && !$body->{additionalProperties},
        "$o->{id}: the body refuses unknown fields (additionalProperties"
        . ' false)');
    is_deeply([ sort @{ $body->{required} // [] } ],
        [ sort map { $_->{name} } grep { $_->{required} } @declared_body ],
        "$o->{id}: the documented required body fields are the declared"
        . ' ones');
    ok($rb->{required} || !grep({ $_->{required} } @declared_body),
        "$o->{id}: the request body is required when a field of it is");
    for my $f (@declared_body) {
        my $prop = $body->{properties}{ $f->{name} } or next;
        my ($s, $nullable) = flat_schema($prop);
        my @why = field_problems($f, $s);
        push @why, 'optional but does not admit null (null is absent)'
            if !$f->{required} && !$nullable;
        ok(!@why, "$o->{id}: body field $f->{name} is documented as"
            . ' declared') or diag(join "\n", @why);
    }
}

# schema_errors(), the JSON Schema check of the replies, is DrioOpenAPI's.

# --- the stack and what it serves -------------------------------------------

my $res = $stack->request(GET => '/api/v3/openapi.json');
is($res->{status}, 200,
    'GET /api/v3/openapi.json answers 200 without a token');
like($res->{headers}{'content-type'} // '', qr{\Aapplication/json\b},
    '... as application/json');
is_deeply($res->{json}, $doc,
    '... with exactly docs/openapi/api-v3.json (parsed JSON compared)');

# One app with everything a response can show: tags, an auth connection,
# an integration with a finished discovery, active and removed operations,
# a widget and a chain tool that uses it.  The walk below makes the
# operation-backed tools, validates, and publishes release 1.
my $alice = $stack->seed_user(email => 'alice@example.com', name => 'Alice');
my $ws = $stack->seed_workspace('Acme', $alice->{email});
my $bob = $stack->seed_user(email => 'bob@example.com', name => 'Bob');
$stack->seed_member($ws, $bob->{id}, 'normal');
my $app = $stack->sql(<<'SQL', $ws, $alice->{id});
WITH a AS (
  INSERT INTO apps (workspace_id, slug, name, description, tags, created_by)
  VALUES (:'p1', 'petstore', 'Pet store', 'Pets and their owners',
          '{pets}', :'p2')
  RETURNING id),
d AS (INSERT INTO drafts (app_id) SELECT id FROM a)
SELECT id FROM a;
SQL
my $auth = $stack->sql(<<'SQL', $app);
INSERT INTO auth_connections (app_id, name, type, settings, secret_fields)
VALUES (:'p1', 'Pets token', 'bearer', '{}', '{token}') RETURNING id;
SQL
my $integration = $stack->sql(<<'SQL', $app, $auth);
INSERT INTO integrations (app_id, name, kind, base_url, auth_connection_id,
    spec_url, spec_title, spec_version, spec_sha256, discovered_at)
VALUES (:'p1', 'Pets', 'openapi', 'https://petstore.example.com/v1', :'p2',
    'https://petstore.example.com/openapi.json', 'Pet store', '1.0.0',
    repeat('ab', 32), now())
RETURNING id;
SQL
$stack->sql(<<'SQL', $app, $integration);
INSERT INTO operations (integration_id, app_id, key, operation_id, method,
    path, summary, input_schema, parameters, source, status, removed_at)
VALUES
 (:'p2', :'p1', 'getPet', 'getPet', 'GET', '/pets/{id}', 'Get a pet',
  '{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}',
  '{"id":{"in":"path","name":"id"}}', 'discovered', 'active', NULL),
 (:'p2', :'p1', 'createPet', 'createPet', 'POST', '/pets', 'Create a pet',
  '{"type":"object","properties":{"name":{"type":"string"}},
    "required":["name"]}',
  '{"name":{"in":"body","name":"name"}}', 'discovered', 'active', NULL),
 (:'p2', :'p1', 'deletePet', 'deletePet', 'DELETE', '/pets/{id}',
  'Delete a pet',
  '{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}',
  '{"id":{"in":"path","name":"id"}}', 'discovered', 'removed', now());
SQL
my $get_pet = $stack->sql(q{SELECT id FROM operations WHERE key = 'getPet'});
my $widget = $stack->sql(<<'SQL', $app);
INSERT INTO widgets (app_id, name, title, template)
VALUES (:'p1', 'pet_card', 'Pet card', '<div>{{name}}</div>') RETURNING id;
SQL
$stack->sql(<<'SQL', $app, $get_pet, $widget);
INSERT INTO tools (app_id, name, title, description, input_schema, chain,
    widget_id)
VALUES (:'p1', 'pet_report', 'Pet report', 'Looks a pet up and shows it.',
  '{"type":"object","properties":{"pet":{"type":"string"}},
    "required":["pet"]}',
  jsonb_build_array(jsonb_build_object('name', 'look',
      'operation_id', :'p2'::text,
      'arguments', jsonb_build_object('id', '{{input.pet}}'))),
  :'p3');
SQL
# Two recorded tool calls: one with every field and its arguments kept,
# one with every field that may be null left null.
$stack->sql(<<'SQL', $app, $bob->{id});
INSERT INTO tool_calls (app_id, release_number, tool, account_id, client_id,
    client_name, era, protocol_version, status, upstream_status,
    duration_ms, arguments)
VALUES
 (:'p1', 1, 'pet_report', :'p2', 'drio_client_1', 'Claude', 'legacy',
  '2025-06-18', 'ok', 200, 42, '{"pet":"rex"}'),
 (:'p1', NULL, 'pet_report', NULL, NULL, NULL, 'modern', '2026-07-28',
  'invalid', NULL, 0, NULL);
SQL

# The values of documented path parameters.
my $other_ws = $stack->seed_workspace('Elsewhere', $alice->{email});
my %path_value = (app_id => $app, integration_id => $integration,
    number => 1, path => 'apps', workspace_id => $other_ws);
# Query examples that name seeded objects.
my %query_value = (workspace_id => $ws);
# The body each write is sent with; the walk runs in this order (reads
# first, then these, then getRelease, which needs the release).
my %body = (
    importTools => { all => JSON::PP::true },
    createTool => { operation_id => $get_pet, name => 'get_pet_again',
        annotations => { readOnlyHint => JSON::PP::true } },
    publishRelease => { notes => 'The first release.' },
);
my %rank = (shareApp => 0.5, unshareApp => 0.6, importTools => 1,
    createTool => 2, validateDraft => 3, publishRelease => 4,
    getRelease => 5);

my %seen;        # operationId => { status => count }
my $last_etag;   # the latest draft revision an answer named
my @app_bodies;  # App objects served, for the check's own test below

# Send one documented operation and check the answer: served, with a
# documented status, a body matching that status's schema, and ETag
# exactly where documented.  %opt: query (without '?'), values (path
# parameters instead of %path_value), token (undef: none), if_match
# (undef: none; default the latest ETag, on operations that take it), body
# and content_type (sent instead of the operation's JSON body).
sub exercise {
    my ($o, %opt) = @_;
    my %values = (%path_value, %{ $opt{values} // {} });
    (my $path = $o->{path}) =~ s/\{(\w+)\}/$values{$1} \/\/ "unknown-$1"/ge;
    $path .= "?$opt{query}" if defined $opt{query};
    my %req = (token => exists $opt{token} ? $opt{token} : $alice->{token});
    if (exists $opt{body}) {
        @req{qw(body content_type)} = @opt{qw(body content_type)};
    } elsif (exists $body{ $o->{id} }) {
        $req{json} = $body{ $o->{id} };
    }
    my $if_match = exists $opt{if_match} ? $opt{if_match} : $last_etag;
    $req{headers} = { 'If-Match' => $if_match }
        if $o->{params}{'header/If-Match'} && defined $if_match;
    my $r = $stack->request(uc $o->{method} => $path, \%req);
    my $name = "$o->{id}: " . uc($o->{method}) . " $path";
    $seen{ $o->{id} }{ $r->{status} }++;

    my $code = ref $r->{json} eq 'HASH' ? $r->{json}{code} // '' : '';
    ok(!(($r->{status} == 404 && $code eq 'not_found')
            || $r->{status} == 405),
        "$name is served (neither 404 not_found nor 405)")
        or diag("status $r->{status}: $r->{content}");

    my $response = $o->{op}{responses}{ $r->{status} };
    ok($response, "$name: status $r->{status} is documented")
        or do { diag($r->{content}); return $r };
    $response = deref($response);

    my $media = $response->{content}{'application/json'};
    if ($media && uc $o->{method} ne 'HEAD') {
        my @why;
        push @why, 'Content-Type is ' . ($r->{headers}{'content-type'}
            // 'absent') unless ($r->{headers}{'content-type'} // '')
                =~ m{\Aapplication/json\b};
        push @why, 'body is not JSON' unless defined $r->{json};
        push @why, schema_errors($media->{schema}, $r->{json})
            if defined $r->{json};
        ok(!@why, "$name: the $r->{status} body matches its documented"
            . ' schema') or diag(join("\n", @why), "\nbody: ",
                substr($r->{content}, 0, 2000));
    }
    if ($r->{status} =~ /\A2/) {
        my $etag = $r->{headers}{etag};
        if ($response->{headers}{ETag}) {
            my $pattern = deref($response->{headers}{ETag})->{schema}{pattern};
            ok(defined $etag && $etag =~ /$pattern/,
                "$name: the documented ETag is sent") or diag("ETag: "
                . ($etag // 'absent'));
            $last_etag = $etag if defined $etag;
        } else {
            ok(!defined $etag, "$name: no ETag is sent, as documented")
                or diag("ETag: $etag");
        }
    }
    push @app_bodies, $r->{json} if $o->{id} eq 'getApp'
        && $r->{status} == 200;
    return $r;
}

for my $o (sort { ($rank{ $a->{id} } // 0) <=> ($rank{ $b->{id} } // 0)
        || $a->{path} cmp $b->{path} || $a->{method} cmp $b->{method} }
    @operations) {
    exercise($o);
}

# Again, now that the app has tools, a validation and a release: every GET
# with each documented query parameter set to its example.
for my $o (grep { $_->{method} eq 'get' } @operations) {
    my @query = grep { $_->{in} eq 'query' } values %{ $o->{params} };
    my $query = join '&', map {
        my $p = $_;
        my $value = $query_value{ $p->{name} } // $p->{example}
            // deref($p->{schema})->{default};
        "$p->{name}=$value";
    } sort { $a->{name} cmp $b->{name} } @query;
    my $r = exercise($o, @query ? (query => $query) : ());
    next unless $o->{path} =~ m{\A/api/v3/};
    like($r->{status}, qr/\A2\d\d\z/, "$o->{id} answers 2xx"
        . (@query ? ' with every query parameter set to its example' : '')
        . ' the second time') or diag($r->{content});
}

# The errors the document promises, each asked for on every operation it
# applies to: the answer is that status, documented, with its body.
sub expect_status {
    my ($o, $status, $what, %opt) = @_;
    my $r = exercise($o, %opt);
    is($r->{status}, $status, "$o->{id} $what answers $status")
        or diag($r->{content});
}

my @v3 = grep { $_->{path} =~ m{\A/api/v3/} } @operations;
for my $o (@v3) {
    expect_status($o, 422, 'with an unknown query parameter',
        query => 'unknown_parameter=1');
    expect_status($o, 401, 'without a token', token => undef)
        unless ref $o->{op}{security} eq 'ARRAY' && !@{ $o->{op}{security} };
    expect_status($o, 404, 'for an app that does not exist',
        values => { app_id => '00000000-0000-4000-8000-000000000000' })
        if $o->{params}{'path/app_id'};
}
for my $o (grep { $_->{params}{'header/If-Match'} } @v3) {
    expect_status($o, 403, 'for a member with the normal role',
        token => $bob->{token});
    expect_status($o, 400, 'with a malformed If-Match', if_match => 'junk');
    expect_status($o, 409, 'with a stale If-Match', if_match => '"1"');
    next unless $o->{op}{requestBody};
    expect_status($o, 415, 'with a body that is not JSON',
        body => 'notes=x', content_type => 'text/plain');
    expect_status($o, 400, 'with a body that is not a JSON object',
        body => '[1]', content_type => 'application/json');
}
for my $o (grep { $_->{params}{'path/number'} } @v3) {
    expect_status($o, 404, 'for a release that does not exist',
        values => { number => 999 });
}

# Shares: again is 200; the app's own workspace, a workspace that does not
# exist and a share that does not exist are refused as documented.
{
    my %op = map { $_->{id} => $_ } @operations;
    expect_status($op{shareApp}, 201, 'for a workspace it is not shared'
        . ' with');
    expect_status($op{shareApp}, 200, 'for a workspace it is shared with');
    expect_status($op{shareApp}, 422, 'for the app\'s own workspace',
        values => { workspace_id => $ws });
    expect_status($op{shareApp}, 404, 'for a workspace that does not exist',
        values => { workspace_id => '00000000-0000-4000-8000-000000000001' });
    expect_status($op{shareApp}, 403, 'for a member with the normal role',
        token => $bob->{token});
    expect_status($op{unshareApp}, 200, 'for a shared workspace');
    expect_status($op{unshareApp}, 404, 'for a workspace it is not shared'
        . ' with');
}

# Each success the document promises was seen, so its schema was checked.
for my $o (grep { $_->{path} =~ m{\A/api/v3/} } @operations) {
    for my $status (grep { /\A2\d\d\z/ } keys %{ $o->{op}{responses} }) {
        ok($seen{ $o->{id} }{$status},
            "$o->{id}: its documented $status answer was seen and checked")
            or diag('seen: ' . json_text($seen{ $o->{id} } // {}));
    }
}

# --- the check itself can fail ----------------------------------------------

my $app_schema = { '$ref' => '#/components/schemas/App' };
my $sample = $app_bodies[-1] // {};
my $copy = sub { JSON::PP->new->decode(JSON::PP->new->encode($sample)) };
is_deeply([ schema_errors($app_schema, $copy->()) ], [],
    'the check passes an app as served');
{
    my $v = $copy->();
    delete $v->{slug};
    ok(scalar(grep { /slug: required but missing/ }
            schema_errors($app_schema, $v)),
        'the check fails an app without a documented required field');
    $v = $copy->();
    $v->{draft}{surprise} = 1;
    ok(scalar(grep { m{/draft/surprise: not documented} }
            schema_errors($app_schema, $v)),
        'the check fails an undocumented field where additionalProperties'
        . ' is false');
    $v = $copy->();
    $v->{draft}{revision} = '4';
    ok(scalar(grep { m{/draft/revision: is string, not integer} }
            schema_errors($app_schema, $v)),
        'the check fails a number sent as a string');
    $v = $copy->();
    $v->{name} = undef;
    ok(scalar(grep { m{/name: is null} }
            schema_errors($app_schema, $v)),
        'the check fails null where the type does not admit it');
    $v = $copy->();
    $v->{latest_release} = { number => 1 };
    ok(scalar(grep { m{/latest_release: matches no anyOf branch} }
            schema_errors($app_schema, $v)),
        'the check fails a nullable object that is neither null nor valid');
    $v = $copy->();
    $v->{mode} = 'spreadsheet';
    ok(scalar(grep { m{/mode: is not one of} }
            schema_errors($app_schema, $v)),
        'the check fails a value outside its enum');
}

# --- an independent validator -----------------------------------------------

subtest '@readme/openapi-parser accepts the document' => sub {
    my $node = DrioStack::node_or_skip('@readme/openapi-parser');
    my $interop = File::Spec->catdir($src, 't', 'interop');
    plan skip_all => '@readme/openapi-parser is not installed in '
        . 't/interop/node_modules; run: npm ci --prefix t/interop --no-audit'
        . ' --no-fund'
        unless -e "$interop/node_modules/\@readme/openapi-parser/package.json";
    my $script = "$interop/validate-openapi.mjs";

    my ($code, $out, $err) = DrioStack::run_command(
        [ $node, $script, $doc_file ], dir => $stack->tmpdir, timeout => 60);
    is($code, 0, 'the validator exits 0 on docs/openapi/api-v3.json')
        or diag("stdout: $out\nstderr: $err");
    my ($line) = grep { /\A\{/ } split /\n/, $out // '';
    my $result = eval { JSON::PP->new->decode($line // '') } // {};
    ok($result->{ok}, 'it says the document is valid');
    is($result->{openapi}, '3.1.0', 'it read an OpenAPI 3.1.0 document');
    is($result->{operations}, scalar @operations,
        'it saw every operation this test exercised');
    is_deeply($result->{warnings}, [], 'it has no warnings');

    # The same validator refuses a document with a mistake in it.
    my $broken = JSON::PP->new->decode(slurp($doc_file));
    $broken->{paths}{'/api/v3/me'}{get}{operationId} = 'getApp';
    delete $broken->{paths}{'/api/v3/apps/{app_id}'}{parameters};
    my $broken_file = $stack->tmpdir . '/api-v3-broken.json';
    open my $fh, '>', $broken_file or die "$broken_file: $!";
    print {$fh} JSON::PP->new->encode($broken);
    close $fh;
    ($code, $out, $err) = DrioStack::run_command(
        [ $node, $script, $broken_file ], dir => $stack->tmpdir,
        timeout => 60);
    is($code, 1, 'it refuses a document with a duplicate operationId and an'
        . ' undeclared path parameter');
    like($err, qr/duplicated|path parameter/i, '... and says why')
        or diag("stderr: $err");
};

$stack->finish;
done_testing;
