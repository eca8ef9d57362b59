#!/usr/bin/perl
# 47-api-v1-integrations.t: integrations and their operations through the
# management API v1: create, read, change and delete integrations;
# discover operations from an OpenAPI document given inline (JSON object,
# JSON or YAML text) or fetched from a URL (through the SSRF guard, size
# capped), and discover again: changed operations are updated, removed
# ones marked, reappearing ones restored, and tools derived from them
# follow while hand-edited ones are reported; operations written by hand.
# Every write needs the manager role, moves the draft revision by exactly
# one (none when nothing changes), and v3 sees what v1 wrote.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use File::Copy qw(copy);
use IO::Socket::INET;
use JSON::PP ();
use POSIX ();
use Test::More;
use DrioStack;
use DrioTest;
use DrioApps;

my $s = DrioStack->start(responders => ['api-v1', 'api-v3'],
    env => { DRIO_OUTBOUND_MAX_BYTES => 1048576 });

my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
my $nora  = $s->seed_user(email => 'nora@example.com', name => 'Nora');
my $carol = $s->seed_user(email => 'carol@example.com', name => 'Carol');
my $acme   = $s->seed_workspace('Acme', $alice->{email});
my $hidden = $s->seed_workspace('Hidden', $carol->{email});
$s->seed_member($acme, $nora->{id}, 'normal');
my $nowhere = '00000000-0000-4000-8000-000000000000';
my $T = JSON::PP::true;
my $F = JSON::PP::false;
my $fixtures = DrioStack::srcdir() . '/t/fixtures/openapi';

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or die "$path: $!";
    local $/;
    return scalar <$fh>;
}

# --- a small HTTP server for spec_url ---------------------------------------

# Serves the files of $docroot by name, read at each request (so the test
# can change what a URL answers), 404 otherwise.  Bounded: it stops after
# 200 connections and is killed at the end.
my $docroot = $s->tmpdir . '/docroot';
mkdir $docroot or die "$docroot: $!";
my $listener = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
    LocalPort => 0, Listen => 16, ReuseAddr => 1) or die "listen: $!";
my $port = $listener->sockport;
my $server = fork // die "fork: $!";
if ($server == 0) {
    $SIG{PIPE} = 'IGNORE';   # drio hangs up on an answer over its cap
    for (1 .. 200) {
        my $c = $listener->accept or next;
        my $line = <$c> // '';
        while (my $h = <$c>) { last if $h =~ /^\r?\n\z/ }
        my ($name) = $line =~ m{^GET /(\S*) HTTP};
        my $file = defined $name && $name =~ /\A[\w.-]+\z/
            ? "$docroot/$name" : undef;
        if (defined $file && -f $file) {
            my $body = slurp($file);
            print $c "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                . 'Content-Length: ' . length($body)
                . "\r\nConnection: close\r\n\r\n$body";
        } else {
            print $c "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                . "Connection: close\r\n\r\n";
        }
        close $c;
    }
    POSIX::_exit(0);
}
close $listener;
END {
    local $?;    # keep the test's exit status
    if ($server) { kill 'KILL', $server; waitpid $server, 0 }
}

copy("$fixtures/petstore.json", "$docroot/pets.json") or die $!;
copy("$fixtures/petstore.yaml", "$docroot/pets.yaml") or die $!;
copy("$fixtures/twilio_verify_v2.json", "$docroot/twilio.json") or die $!;
{
    open my $fh, '>', "$docroot/big.json" or die $!;
    print $fh '{"openapi": "3.0.3", "x": "' . ('a' x 1_200_000) . '"}';
    close $fh;
    open $fh, '>', "$docroot/hello.json" or die $!;
    print $fh '{"hello": "world"}';
    close $fh;
}
my $base = "http://127.0.0.1:$port";

# --- helpers ----------------------------------------------------------------

sub call {
    my ($method, $path, $json, %opt) = @_;
    return $s->request($method => $path, {
        token => ($opt{as} // $alice)->{token},
        (defined $json ? (json => $json) : ()),
        headers => $opt{headers} // {} });
}
sub get { my ($path, $who) = @_; return call(GET => $path, undef, as => $who) }

sub rev { return draft_of($s, $_[0])->{revision} }

my $app = seed_app($s, $acme, name => 'Pets', description => 'Pets');
my $other = seed_app($s, $acme, name => 'Other');
my $secret = seed_app($s, $hidden, name => 'Secret');
my $A = "/api/v1/apps/$app";
my $petstore = JSON::PP->new->decode(slurp("$fixtures/petstore.json"));

# --- create, inline JSON object ---------------------------------------------

my $r0 = rev($app);
my $res = call(POST => "$A/integrations", { name => 'Pets', kind => 'openapi',
    description => 'The pet store', spec => $petstore });
is($res->{status}, 201, 'POST integrations with an inline spec answers 201')
    or diag explain $res->{json};
my $int = $res->{json} // {};
is_uuid($int->{id}, 'the integration has an id');
is($int->{draft_revision}, $r0 + 1, 'creating and discovering is one revision');
is($res->{headers}{etag}, '"' . ($r0 + 1) . '"', 'the ETag is the revision');
is($int->{base_url}, 'https://petstore.example.com/v1',
    'without a base_url, servers[0].url is the base URL');
is_deeply([ @{ $int->{discovery} // {} }{qw(title version url)} ],
    [ 'Pet store', '1.0.0', undef ], 'the document is recorded');
like($int->{discovery}{sha256} // '', qr/\A[0-9a-f]{64}\z/,
    'with its SHA-256');
is_deeply([ sort @{ $int->{discovery_report}{added} // [] } ],
    [ qw(createPet deletePet getPet listPets) ],
    'the report lists the four operations added');
is_deeply($int->{operations}, { active => 4, removed => 0 },
    'four active operations');
my $I = "$A/integrations/$int->{id}";

$res = get("$I/operations");
is_list_envelope($res, 'GET operations is a list');
my %op = map { $_->{key} => $_ } @{ $res->{json}{data} // [] };
is($op{getPet}{path}, '/pets/{petId}', 'getPet has its path');
is($op{getPet}{source}, 'discovered', 'discovered operations say so');
is_deeply($op{getPet}{parameters}, { petId => { in => 'path',
    name => 'petId' } }, 'getPet binds petId to the path');

$res = get("/api/v3/apps/$app/integrations");
is(scalar @{ $res->{json}{data} // [] }, 1, 'v3 sees the integration');
is(($res->{json}{data}[0] // {})->{name}, 'Pets', 'by its name');

# --- reads, lists, access ---------------------------------------------------

$res = get("$A/integrations");
is_list_envelope($res, 'GET integrations is a list envelope');
is($res->{json}{total}, 1, 'one integration');
$res = get($I, $nora);
is($res->{status}, 200, 'a normal member reads an integration');
is_error(get("/api/v1/apps/$other/integrations/$int->{id}"), 404,
    'integration_not_found', 'an integration of another app is 404');
is_error(get("/api/v1/apps/$secret/integrations"), 404, 'app_not_found',
    'an app of another workspace is 404');
is_error(call(POST => "$A/integrations", { name => 'X', kind => 'http' },
    as => $nora), 403, 'insufficient_role', 'a normal member cannot write');
is_error(call(PATCH => $I, { name => 'X' }, as => $nora), 403,
    'insufficient_role', 'nor change an integration');

# --- validation -------------------------------------------------------------

my $r1 = rev($app);
is_validation_error(call(POST => "$A/integrations", { kind => 'openapi' }),
    [ 'body', 'name' ], 'missing', 'name is required');
is_validation_error(call(POST => "$A/integrations", { name => 'X',
    kind => 'soap' }), [ 'body', 'kind' ], undef, 'kind is closed');
is_validation_error(call(POST => "$A/integrations", { name => 'X',
    kind => 'http', base_url => 'ftp://x' }), [ 'body', 'base_url' ],
    'url_parsing', 'base_url is an http(s) URL');
is_validation_error(call(POST => "$A/integrations", { name => 'X',
    kind => 'http', status => 'error' }), [ 'body', 'status' ], undef,
    'status error is not written by clients');
is_validation_error(call(POST => "$A/integrations", { name => 'X',
    kind => 'openapi', spec => $petstore, spec_url => "$base/pets.json" }),
    [ 'body', 'spec' ], 'conflict', 'one document source at a time');
is_validation_error(call(POST => "$A/integrations", { name => 'X',
    kind => 'http', spec => $petstore }), [ 'body', 'kind' ],
    'kind_mismatch', 'only openapi integrations discover');
is_validation_error(call(POST => "$A/integrations", { name => 'X',
    kind => 'http', colour => 'red' }), [ 'body', 'colour' ],
    'extra_forbidden', 'unknown fields are refused');
my $other_auth = seed_auth_connection($s, $other, name => 'Theirs');
is_error(call(POST => "$A/integrations", { name => 'X', kind => 'http',
    auth_connection_id => $other_auth }), 404, 'auth_connection_not_found',
    "another app's auth connection is 404");
is_error(call(POST => "$A/integrations", { name => 'Pets', kind => 'http' }),
    409, 'name_taken', 'a taken name is 409');
is_error(call(POST => "$A/integrations", { name => 'X', kind => 'openapi',
    spec => { hello => 'world' } }), 422, 'invalid_openapi_document',
    'a document that is not OpenAPI is 422');
is_error(call(POST => "$A/integrations", { name => 'X', kind => 'openapi',
    spec_text => "openapi: [unclosed" }), 422, 'invalid_openapi_document',
    'text that is neither JSON nor YAML is 422');
is(rev($app), $r1, 'refused writes change no revision');
is(app_rows($s, 'integrations', $app), 1, 'and make no integration');

# --- inline YAML text, and spec_url -----------------------------------------

$res = call(POST => "$A/integrations", { name => 'Pets YAML',
    kind => 'openapi', base_url => 'https://yaml.example.com',
    spec_text => slurp("$fixtures/petstore.yaml") });
is($res->{status}, 201, 'POST with YAML text answers 201')
    or diag explain $res->{json};
is(scalar @{ $res->{json}{discovery_report}{added} // [] }, 4,
    'YAML finds the same four operations (aliases included)');
is($res->{json}{base_url}, 'https://yaml.example.com',
    'a given base_url wins over servers[0].url');
my $yaml_int = $res->{json}{id};

$res = call(POST => "$A/integrations", { name => 'Pets URL',
    kind => 'openapi', spec_url => "$base/pets.yaml" });
is($res->{status}, 201, 'POST with spec_url answers 201')
    or diag explain $res->{json};
is($res->{json}{discovery}{url}, "$base/pets.yaml", 'the URL is recorded');
is($res->{json}{discovery}{sha256}, do {
        require Digest::SHA; Digest::SHA::sha256_hex(slurp("$docroot/pets.yaml"))
    }, 'the SHA-256 is of the bytes fetched');

$res = call(POST => "$A/integrations", { name => 'Twilio',
    kind => 'openapi', spec_url => "$base/twilio.json" });
is($res->{status}, 201, 'the Twilio Verify document is discovered');
is($res->{json}{operations}{active}, 57, 'with its 57 operations');
my $twilio = $res->{json}{id};

$r1 = rev($app);
is_error(call(POST => "$A/integrations", { name => 'Big', kind => 'openapi',
    spec_url => "$base/big.json" }), 502, 'upstream_too_large',
    'an answer over the cap is 502 upstream_too_large');
is_error(call(POST => "$A/integrations", { name => 'Hello',
    kind => 'openapi', spec_url => "$base/hello.json" }), 422,
    'invalid_openapi_document', 'a fetched non-OpenAPI document is 422');
is_error(call(POST => "$A/integrations", { name => 'Gone',
    kind => 'openapi', spec_url => "$base/missing.json" }), 502,
    'upstream_unavailable', 'a 404 from the spec URL is 502');
is_error(call(POST => "$A/integrations", { name => 'Meta',
    kind => 'openapi', spec_url => 'http://169.254.169.254/x' }), 422,
    'destination_not_allowed', 'a metadata address is refused');
is(rev($app), $r1, 'failed fetches change nothing');

# --- PATCH ------------------------------------------------------------------

$r1 = rev($app);
$res = call(PATCH => $I, {});
is($res->{status}, 200, 'an empty PATCH answers 200');
is($res->{json}{draft_revision}, $r1, 'and makes no revision');
$res = call(PATCH => $I, { description => 'The pet store' });
is($res->{json}{draft_revision}, $r1, 'a PATCH to the same value neither');
my $auth = seed_auth_connection($s, $app, name => 'Key');
$res = call(PATCH => $I, { description => 'Pets', auth_connection_id => $auth });
is($res->{status}, 200, 'PATCH description and auth connection');
is($res->{json}{draft_revision}, $r1 + 1, 'one revision');
is(($res->{json}{auth_connection} // {})->{id}, $auth, 'auth connection set');
$res = call(PATCH => $I, { auth_connection_id => undef });
is($res->{json}{auth_connection}, undef, 'null clears the auth connection');
is($res->{json}{draft_revision}, $r1 + 2, 'one more revision');
is_error(call(PATCH => $I, { name => 'Pets YAML' }), 409, 'name_taken',
    'renaming onto a taken name is 409');
is_error(call(PATCH => $I, { description => 'x', draft_revision => 1 }),
    409, 'revision_conflict', 'a stale draft_revision is 409');
is_error(call(PATCH => $I, { description => 'x' },
    headers => { 'If-Match' => '"1"' }), 409, 'revision_conflict',
    'a stale If-Match is 409');
is_validation_error(call(PATCH => $I, { rediscover => $T }),
    [ 'body', 'rediscover' ], 'spec_url_missing',
    'rediscover needs a stored spec_url');
is(rev($app), $r1 + 2, 'refused PATCHes change nothing');

# --- re-discovery -----------------------------------------------------------

# Tools: one derived from getPet (follows), one hand-edited (reported),
# one on deletePet (which goes away), one chain using listPets.
my %tool;
for my $spec ([ getPet => undef ], [ getPet => 'get_pet_custom' ],
    [ deletePet => undef ]) {
    my ($key, $name) = @$spec;
    $res = call(POST => "/api/v3/apps/$app/tools", {
        operation_id => $op{$key}{id}, (defined $name ? (name => $name) : ()) });
    is($res->{status}, 201, "v3 makes a tool from $key") or diag explain $res;
    $tool{$name // $key} = $res->{json}{id};
}
$s->sql("UPDATE tools SET input_schema = jsonb_set(input_schema,"
    . " '{description}', '\"edited\"') WHERE id = :'p1'",
    $tool{get_pet_custom});

copy("$fixtures/petstore-v2.json", "$docroot/pets.json") or die $!;
$r1 = rev($app);
$res = call(PATCH => $I, { spec_url => "$base/pets.json" });
is($res->{status}, 200, 'PATCH with a changed document answers 200')
    or diag explain $res->{json};
my $rep = $res->{json}{discovery_report} // {};
is_deeply($rep->{added}, [ 'updatePet' ], 'a new operation is added');
is_deeply([ sort @{ $rep->{updated} // [] } ], [ qw(getPet listPets) ],
    'changed operations are updated');
is($rep->{unchanged}, 1, 'one is unchanged');
is_deeply($rep->{removed}, [ 'deletePet' ], 'a missing one is removed');
is_deeply($rep->{restored}, [], 'none restored');
is_deeply($rep->{tools_updated}, [ $tool{getPet} ],
    'the derived tool follows the new input schema');
is_deeply([ sort map { "$_->{tool_id} $_->{reason}" }
        @{ $rep->{tools_needing_attention} // [] } ],
    [ sort "$tool{get_pet_custom} input_schema_edited",
        "$tool{deletePet} operation_removed" ],
    'the hand-edited tool and the tool of the removed operation are listed');
is($res->{json}{draft_revision}, $r1 + 1, 're-discovery is one revision');
is($res->{json}{discovery}{version}, '2.0.0', 'the new version is recorded');
is($res->{json}{base_url}, 'https://petstore.example.com/v1',
    'an existing base URL is kept');
$res = get("/api/v3/apps/$app/tools/$tool{getPet}");
$res = get("/api/v1/apps/$app/operations/$op{getPet}{id}");
ok(exists(($res->{json}{input_schema}{properties} // {})->{fields}),
    'the operation has the new input');
is($res->{json}{id}, $op{getPet}{id}, 'and kept its id');
$res = get("/api/v1/apps/$app/operations/$op{deletePet}{id}");
is($res->{json}{status}, 'removed', 'the removed operation is kept, marked');
ok(defined $res->{json}{removed_at}, 'with removed_at');
is($s->sql("SELECT input_schema->'properties' ? 'fields' FROM tools"
    . " WHERE id = :'p1'", $tool{getPet}), 't',
    'the derived tool has the new property');
is($s->sql("SELECT input_schema->'properties' ? 'fields' FROM tools"
    . " WHERE id = :'p1'", $tool{get_pet_custom}), 'f',
    'the hand-edited tool is left alone');

$res = call(POST => "/api/v3/apps/$app/draft/validate");
my @removed = grep { $_->{code} eq 'operation_removed' }
    @{ $res->{json}{errors} // [] };
is(scalar @removed, 1, 'v3 validate reports the tool of the removed '
    . 'operation as operation_removed');

$r1 = rev($app);
$res = call(PATCH => $I, { rediscover => $T });
is($res->{status}, 200, 'rediscover with the same document answers 200');
is($res->{json}{draft_revision}, $r1, 'and makes no revision');
is($res->{json}{discovery_report}{unchanged}, 4, 'all four are unchanged');

copy("$fixtures/petstore.json", "$docroot/pets.json") or die $!;
$res = call(PATCH => $I, { rediscover => $T });
$rep = $res->{json}{discovery_report} // {};
is_deeply($rep->{restored}, [ 'deletePet' ], 'a reappearing operation is '
    . 'restored');
is_deeply($rep->{removed}, [ 'updatePet' ], 'the one added is removed again');
is($res->{json}{draft_revision}, $r1 + 1, 'one revision');
$res = get("/api/v1/apps/$app/operations/$op{deletePet}{id}");
is($res->{json}{status}, 'active', 'the restored operation is active');
$res = call(POST => "/api/v3/apps/$app/draft/validate");
is(scalar(grep { $_->{code} eq 'operation_removed' }
    @{ $res->{json}{errors} // [] }), 0, 'validate no longer complains');

$r1 = rev($app);
is_error(call(PATCH => $I, { spec => { openapi => '3.0.3' } }), 422,
    'invalid_openapi_document', 'rediscovery from a bad document is 422');
is(rev($app), $r1, 'and changes nothing');

# --- operations by hand -----------------------------------------------------

my $O = "$I/operations";
$r1 = rev($app);
my $manual = { key => 'searchPets', method => 'GET', path => '/search/{kind}',
    summary => 'Search', input_schema => object_schema({ kind => 'string',
        q => 'string' }, ['kind']),
    parameters => { kind => { in => 'path', name => 'kind' },
        q => { in => 'query', name => 'q' } } };
$res = call(POST => $O, $manual);
is($res->{status}, 201, 'POST operations answers 201') or diag explain $res;
my $mop = $res->{json} // {};
is($mop->{source}, 'manual', 'a hand-written operation is manual');
is($mop->{draft_revision}, $r1 + 1, 'one revision');
is_error(call(POST => $O, $manual), 409, 'name_taken', 'a taken key is 409');
is_validation_error(call(POST => $O, { %$manual, key => 'a',
    parameters => { q => { in => 'query', name => 'q' } } }),
    [ 'body', 'parameters' ], 'path_parameter_unbound',
    'a path variable must be bound');
is_validation_error(call(POST => $O, { %$manual, key => 'b',
    parameters => { %{ $manual->{parameters} },
        zz => { in => 'query', name => 'zz' } } }),
    [ 'body', 'parameters' ], 'binding_unknown_property',
    'a parameter must name an input property');
is_validation_error(call(POST => $O, { %$manual, key => 'b2',
    parameters => { %{ $manual->{parameters} },
        q => { in => 'query', name => 'q', explode => 'yes' } } }),
    [ 'body', 'parameters' ], 'binding_location_invalid',
    'explode is a boolean');
is_validation_error(call(POST => $O, { %$manual, key => 'b3',
    parameters => { %{ $manual->{parameters} },
        q => { in => 'query', name => 'q', required => 1 } } }),
    [ 'body', 'parameters' ], 'binding_location_invalid',
    'a parameter has no members but in, name, style and explode');
is_validation_error(call(POST => $O, { %$manual, key => 'c',
    input_schema => { type => 'array' } }), [ 'body', 'input_schema' ],
    'input_schema_invalid', 'the input schema is of type object');
is_validation_error(call(POST => $O, { key => 'd', method => 'GET',
    input_schema => object_schema() }), [ 'body', 'path' ], 'missing',
    'method without path is refused');
is_validation_error(call(POST => $O, { %$manual, key => 'e',
    path => 'search' }), [ 'body', 'path' ], 'path_template',
    'a path starts with /');
is(rev($app), $r1 + 1, 'refused operations change nothing');

my $M = "$A/operations/$mop->{id}";
$res = call(PATCH => $M, { summary => 'Search pets', deprecated => $T });
is($res->{status}, 200, 'PATCH a manual operation');
is_deeply([ @{ $res->{json} // {} }{qw(summary deprecated draft_revision)} ],
    [ 'Search pets', $T, $r1 + 2 ], 'changed, one revision');
$res = call(PATCH => $M, { summary => 'Search pets' });
is($res->{json}{draft_revision}, $r1 + 2, 'an unchanged PATCH: no revision');
$res = call(PATCH => "$A/operations/$op{getPet}{id}",
    { summary => 'Fetch a pet' });
is($res->{json}{summary}, 'Fetch a pet',
    'the summary of a discovered operation can change');
is_validation_error(call(PATCH => "$A/operations/$op{getPet}{id}",
    { path => '/x' }), [ 'body', 'path' ], 'discovered_read_only',
    'its path cannot');
is_error(get("/api/v1/apps/$other/operations/$mop->{id}"), 404,
    'operation_not_found', 'an operation of another app is 404');

$res = call(PATCH => $I, { rediscover => $T });
is_deeply($res->{json}{discovery_report}{updated}, [ 'getPet' ],
    're-discovery puts the document\'s summary back');

# --- DELETE -----------------------------------------------------------------

is_error(call(DELETE => "$A/operations/$op{getPet}{id}"), 409, 'in_use',
    'an operation a tool uses cannot be deleted');
$res = call(DELETE => $I);
is_error($res, 409, 'in_use', 'nor can its integration');
is(scalar @{ $res->{json}{details} // [] }, 3, 'the details list the tools');
$r1 = rev($app);
$res = call(DELETE => $M);
is_deeply($res->{json}, { deleted => $T, id => $mop->{id},
    draft_revision => $r1 + 1 }, 'DELETE an unused operation');
is_error(get($M), 404, 'operation_not_found', 'it is gone');
$res = call(DELETE => "$A/integrations/$yaml_int");
is($res->{status}, 200, 'DELETE an unused integration');
is($s->sql("SELECT count(*) FROM operations WHERE integration_id = :'p1'",
    $yaml_int), 0, 'its operations went with it');
is_error(call(DELETE => "$A/integrations/$nowhere"), 404,
    'integration_not_found', 'DELETE of an unknown integration is 404');
is_error(call(DELETE => "$A/integrations/$twilio", undef, as => $nora), 403,
    'insufficient_role', 'a normal member cannot delete');

# --- the SSRF guard ---------------------------------------------------------

my $s2 = DrioStack->start(responders => ['api-v1'],
    outbound_allow => '10.0.0.0/8');
my $dave = $s2->seed_user(email => 'dave@example.com', name => 'Dave');
my $ws2 = $s2->seed_workspace('Dave', $dave->{email});
my $app2 = seed_app($s2, $ws2, name => 'Guarded');
$res = $s2->request(POST => "/api/v1/apps/$app2/integrations", {
    token => $dave->{token}, json => { name => 'Local', kind => 'openapi',
        spec_url => "$base/pets.json" } });
is_error($res, 422, 'destination_not_allowed',
    'loopback outside the allow list is refused');
is(app_rows($s2, 'integrations', $app2), 0, 'and nothing is made');
$s2->finish;

$s->finish;
done_testing();
