#!/usr/bin/perl
# 46-api-v1-auth-widgets.t: the auth connections and widgets of the
# management API v1.  Auth connections: settings checked per type, the
# secret write-only (sealed by the vault, bound to its row, never shown:
# secret_set and secret_fields instead), cleared by null or by a change of
# type, rotated by drio-admin vault-rotate, and judged by draft
# validation (auth_secret_missing); a connection an integration uses
# cannot be deleted.  Widgets: name, template, csp and actions checked;
# lists without the template; actions replaced as a whole; a dangling
# action tool is caught by validation; deleting a widget detaches its
# tools.  Every write needs the manager role, takes an expected revision,
# moves the draft's revision by exactly one (a write that changes nothing
# by none) and answers it as the ETag.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Digest::SHA qw(sha256_hex);
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
my $nowhere = '00000000-0000-4000-8000-000000000000';
my $T = JSON::PP::true;
my $F = JSON::PP::false;

my $pets = seed_petstore($s, $acme);
my $app = $pets->{app};
my $int = $pets->{integration};
my $other = seed_app($s, $acme, name => 'Other');
my $other_auth = seed_auth_connection($s, $other, name => 'Theirs');
my $secret_app = seed_app($s, $hidden, name => 'Secret');

my $auth_path = "/api/v1/apps/$app/auth";
my $widgets_path = "/api/v1/apps/$app/widgets";

sub req {
    my ($method, $path, $json, %opt) = @_;
    return $s->request($method => $path, {
        token => ($opt{as} // $alice)->{token},
        (defined $json ? (json => $json) : ()),
        headers => $opt{headers} // {} });
}
sub get { my ($path, $who) = @_; return req(GET => $path, undef, as => $who) }
sub rev { return draft_of($s, $_[0] // $app)->{revision} }
sub validate {
    my $res = req(POST => "/api/v3/apps/$app/draft/validate", {});
    return $res->{json} // {};
}
sub codes {
    my ($list) = @_;
    return [ sort map { $_->{code} } @{ $list // [] } ];
}

# --- auth connections: create and read ---------------------------------------

my $before = rev();
my $token = 'tok-' . ('s3cr3t' x 4);
my $res = req(POST => $auth_path, { name => 'Pets token', type => 'bearer',
    secret => { token => $token } });
is($res->{status}, 201, 'POST auth with a bearer secret answers 201');
my $bearer = $res->{json} // {};
is_deeply([ sort keys %$bearer ], [ sort qw(id name type settings secret_set
        secret_fields used_by created_at updated_at draft_revision) ],
    'a connection has exactly its fields, and no secret');
is_uuid($bearer->{id}, 'the connection has an id');
is_deeply({ map { $_ => $bearer->{$_} } qw(name type settings secret_set
        secret_fields used_by) },
    { name => 'Pets token', type => 'bearer', settings => {},
      secret_set => $T, secret_fields => ['token'], used_by => [] },
    'settings default to {}, the secret shows as set with its field names');
unlike($res->{content}, qr/s3cr3t/, 'the reply does not carry the secret');
is($bearer->{draft_revision}, $before + 1, 'the create moved the revision by one');
is($res->{headers}{etag}, '"' . ($before + 1) . '"', 'the ETag is the new revision');
is(rev(), $before + 1, 'the database agrees on the revision');
is($s->sql("SELECT length(secret) > 28 AND get_byte(secret, 0) = 1"
        . " AND position(convert_to(:'p2', 'UTF8') in secret) = 0"
        . " AND position(convert_to('s3cr3t', 'UTF8') in secret) = 0"
        . " FROM auth_connections WHERE id = :'p1'", $bearer->{id}, $token),
    't', 'the stored secret is sealed vault bytes, not the plain text');
is($s->sql("SELECT array_to_string(secret_fields, ',') FROM auth_connections"
        . " WHERE id = :'p1'", $bearer->{id}), 'token',
    'secret_fields names the stored field');

$res = get($auth_path);
is_list_envelope($res, 'GET auth answers a list envelope');
my %listed = %$bearer;
delete $listed{draft_revision};
is_deeply(($res->{json} // {})->{data}, [ \%listed ],
    'the list shows the connection (without draft_revision)');
is_deeply(get("$auth_path/$bearer->{id}")->{json}, \%listed,
    'GET one shows the same connection');
is(get("$auth_path/$bearer->{id}", $nora)->{status}, 200,
    'a normal member reads a connection');

$res = req(POST => $auth_path, { name => 'Pets key', type => 'api_key',
    settings => { in => 'header', name => 'X-Api-Key' } });
is($res->{status}, 201, 'POST auth api_key without a secret answers 201');
my $key = $res->{json} // {};
is_deeply([ @$key{qw(settings secret_set secret_fields)} ],
    [ { in => 'header', name => 'X-Api-Key' }, $F, [] ],
    'the settings are kept; no secret is set');

$res = req(POST => $auth_path, { name => 'Basic', type => 'basic',
    settings => { username => 'bot' },
    secret => { password => 'pw-Zq9basic' } });
is($res->{status}, 201, 'POST auth basic with user name and password');
my $basic = $res->{json} // {};
is_deeply($basic->{secret_fields}, ['password'], 'basic: password set');
$res = req(POST => $auth_path, { name => 'Basic 2', type => 'basic',
    secret => { password => 'pw-2', username => 'bot2' } });
is_deeply(($res->{json} // {})->{secret_fields}, [ 'password', 'username' ],
    'basic without a user name in settings takes it in the secret');
my $basic2 = $res->{json} // {};

$res = req(POST => $auth_path, { name => 'OAuth', type => 'oauth2',
    settings => { grant => 'authorization_code',
        authorize_url => 'https://auth.example.com/authorize',
        token_url => 'https://auth.example.com/token',
        client_id => 'drio', scopes => [ 'read', 'write' ] },
    secret => { client_secret => 'cs-Zq9oauth' } });
is($res->{status}, 201, 'POST auth oauth2 with every setting');
my $oauth = $res->{json} // {};
$res = req(POST => $auth_path, { name => 'None', type => 'none' });
is($res->{status}, 201, 'POST auth none answers 201');
my $none = $res->{json} // {};

# --- auth connections: refused writes change nothing -------------------------

my $snap = [ rev(), app_rows($s, 'auth_connections', $app) ];
is_validation_error(req(POST => $auth_path, { name => 'K', type => 'api_key' }),
    [ 'body', 'settings', 'in' ], 'missing',
    'api_key without settings: settings.in is missing');
is_validation_error(req(POST => $auth_path, { name => 'K', type => 'api_key',
        settings => { in => 'cookie', name => 'k' } }),
    [ 'body', 'settings', 'in' ], 'enum', 'api_key in must be header or query');
is_validation_error(req(POST => $auth_path, { name => 'K', type => 'api_key',
        settings => { in => 'query', name => 'a key' } }),
    [ 'body', 'settings', 'name' ], 'string_pattern_mismatch',
    'an api_key parameter name is a token');
is_validation_error(req(POST => $auth_path, { name => 'K', type => 'bearer',
        settings => { header => 'X-Token' } }),
    [ 'body', 'settings', 'header' ], 'extra_forbidden',
    'an unknown settings key is refused');
my $wrong = req(POST => $auth_path, { name => 'K', type => 'bearer',
        secret => { value => 'v' } });
is_validation_error($wrong, [ 'body', 'secret', 'value' ], 'extra_forbidden',
    'a secret field of another type is refused');
is_validation_error($wrong, [ 'body', 'secret', 'token' ], 'missing',
    '... and the type\'s own is missing');
unlike($wrong->{content}, qr/"v"/, 'the refusal does not echo the secret');
is_validation_error(req(POST => $auth_path, { name => 'K', type => 'none',
        secret => { token => 't' } }), [ 'body', 'secret' ], 'extra_forbidden',
    'type none takes no secret');
is_validation_error(req(POST => $auth_path, { name => 'K', type => 'bearer',
        secret => { token => '' } }), [ 'body', 'secret', 'token' ],
    'string_too_short', 'an empty secret value is refused');
is_validation_error(req(POST => $auth_path, { name => 'K', type => 'oauth2',
        settings => { grant => 'client_credentials' } }),
    [ 'body', 'settings', 'token_url' ], 'missing',
    'oauth2 needs a token_url');
is_validation_error(req(POST => $auth_path, { name => 'K', type => 'oauth2',
        settings => { grant => 'client_credentials',
            token_url => 'ftp://x.example.com/token',
            authorize_url => 'https://x.example.com/a' } }),
    [ 'body', 'settings', 'token_url' ], 'url_parsing',
    'the token_url is an http(s) URL');
is_validation_error(req(POST => $auth_path, { name => 'K', type => 'oauth2',
        settings => { grant => 'client_credentials',
            token_url => 'https://x.example.com/token',
            authorize_url => 'https://x.example.com/a' } }),
    [ 'body', 'settings', 'authorize_url' ], 'extra_forbidden',
    'client_credentials has no authorize_url');
is_validation_error(req(POST => $auth_path, { name => 'K', type => 'oauth2',
        settings => { grant => 'authorization_code',
            token_url => 'https://x.example.com/token' } }),
    [ 'body', 'settings', 'authorize_url' ], 'missing',
    'authorization_code needs an authorize_url');
is_validation_error(req(POST => $auth_path, { name => 'K', type => 'oauth2',
        settings => { grant => 'client_credentials',
            token_url => 'https://x.example.com/token',
            scopes => [ 'a b' ] } }),
    [ 'body', 'settings', 'scopes' ], 'string_pattern_mismatch',
    'a scope has no spaces');
is_validation_error(req(POST => $auth_path, { name => 'K', type => 'basic',
        settings => { username => 'u' }, secret => { password => 'p',
            username => 'v' } }),
    [ 'body', 'secret', 'username' ], 'extra_forbidden',
    'basic: the user name is in settings or in the secret, not both');
is_validation_error(req(POST => $auth_path, { name => 'K', type => 'jwt' }),
    [ 'body', 'type' ], 'enum', 'an unknown type is refused');
is_validation_error(req(POST => $auth_path, { type => 'none' }),
    [ 'body', 'name' ], 'missing', 'name is required');
is_validation_error(req(POST => $auth_path, { name => 'x' x 256,
        type => 'none' }), [ 'body', 'name' ], 'string_too_long',
    'a name has at most 255 characters');
is_validation_error(req(POST => $auth_path, { name => 'K', type => 'none',
        colour => 'red' }), [ 'body', 'colour' ], 'extra_forbidden',
    'an unknown member is refused');
$res = req(POST => $auth_path, { name => 'Pets token', type => 'none' });
is_error($res, 409, 'name_taken', 'a taken name is a 409 name_taken');
is_deeply([ map { $_->{loc} } @{ ($res->{json} // {})->{details} // [] } ],
    [ [ 'body', 'name' ] ], '... whose details name the field');
is_error(req(POST => $auth_path, { name => 'K', type => 'none' }, as => $nora),
    403, 'insufficient_role', 'a normal member may not create one');
is_error(req(POST => "/api/v1/apps/$secret_app/auth",
        { name => 'K', type => 'none' }), 404, 'app_not_found',
    'another workspace\'s app is a 404');
is_error(req(POST => $auth_path, { name => 'K', type => 'none',
        draft_revision => $snap->[0] - 1 }), 409, 'revision_conflict',
    'a stale draft_revision is a 409');
is_error(req(POST => $auth_path, { name => 'K', type => 'none' },
        headers => { 'If-Match' => '"1"' }), 409, 'revision_conflict',
    'a stale If-Match is a 409');
is_error(get("$auth_path/$other_auth"), 404, 'auth_connection_not_found',
    'a connection of another app is a 404');
is_error(req(PATCH => "$auth_path/$other_auth", { name => 'Mine' }), 404,
    'auth_connection_not_found', 'PATCH of another app\'s connection is a 404');
is_error(req(DELETE => "$auth_path/$other_auth"), 404,
    'auth_connection_not_found', 'DELETE of another app\'s connection is a 404');
is_error(get("/api/v1/apps/$secret_app/auth"), 404, 'app_not_found',
    'listing another workspace\'s connections is a 404');
is_deeply([ rev(), app_rows($s, 'auth_connections', $app) ], $snap,
    'refused writes changed neither the revision nor the connections');
is($s->sql("SELECT name FROM auth_connections WHERE id = :'p1'", $other_auth),
    'Theirs', 'the other app\'s connection is untouched');

# --- auth connections: validation judges secrets -----------------------------

$s->sql("UPDATE integrations SET auth_connection_id = :'p1' WHERE id = :'p2'",
    $key->{id}, $int);
my $v = validate();
ok((grep { $_->{code} eq 'auth_secret_missing' } @{ $v->{errors} // [] }),
    'an integration whose api_key connection has no value: auth_secret_missing');
is_deeply(get("$auth_path/$key->{id}")->{json}{used_by}, [ $int ],
    'used_by names the integration');

$before = rev();
$res = req(PATCH => "$auth_path/$key->{id}",
    { secret => { value => 'k-123456' }, draft_revision => $before });
is($res->{status}, 200, 'PATCH sets the secret');
is_deeply([ @{ $res->{json} // {} }{qw(secret_set secret_fields
        draft_revision)} ], [ $T, ['value'], $before + 1 ],
    'the secret is set, by one revision');
$v = validate();
ok(!(grep { $_->{code} eq 'auth_secret_missing' } @{ $v->{errors} // [] }),
    'validation no longer reports auth_secret_missing');
$res = req(GET => "/api/v3/apps/$app/draft/runtime-preview");
is_deeply($res->{json}{config}{integrations}[0]{auth},
    { id => $key->{id}, name => 'Pets key', type => 'api_key',
      settings => { in => 'header', name => 'X-Api-Key' },
      secret_fields => ['value'] },
    'v3 sees the connection in the runtime preview');
unlike($res->{content}, qr/k-123456/, 'the preview has no secret value');

is_error(req(DELETE => "$auth_path/$key->{id}"), 409, 'in_use',
    'deleting a connection in use is a 409');
$res = req(DELETE => "$auth_path/$key->{id}");
is_deeply([ map { $_->{integration_id} }
        @{ ($res->{json} // {})->{details} // [] } ], [ $int ],
    '... whose details name the integration');
is(rev(), $before + 1, 'the refused delete did not change the revision');

# --- auth connections: changes -----------------------------------------------

$before = rev();
$res = req(PATCH => "$auth_path/$key->{id}", {});
is($res->{status}, 200, 'an empty PATCH answers 200');
is(($res->{json} // {})->{draft_revision}, $before, '... with no new revision');
$res = req(PATCH => "$auth_path/$key->{id}", { name => 'Pets key',
    settings => { name => 'X-Api-Key', in => 'header' } });
is(($res->{json} // {})->{draft_revision}, $before,
    'a PATCH to the same values makes no new revision');
is(rev(), $before, 'the database agrees');
is_error(req(PATCH => "$auth_path/$key->{id}", { name => 'Pets token' }), 409,
    'name_taken', 'renaming to a taken name is a 409');
is_error(req(PATCH => "$auth_path/$key->{id}", { name => 'K' }, as => $nora),
    403, 'insufficient_role', 'a normal member may not change one');
is_error(req(PATCH => "$auth_path/$key->{id}", { name => 'K',
        draft_revision => $before - 1 }), 409, 'revision_conflict',
    'PATCH with a stale revision is a 409');
is_validation_error(req(PATCH => "$auth_path/$key->{id}",
        { settings => { in => 'body' } }),
    [ 'body', 'settings', 'in' ], 'enum', 'PATCH checks settings by type');
is(rev(), $before, 'refused PATCHes changed nothing');

$res = req(PATCH => "$auth_path/$key->{id}", { name => 'Pets key 2' });
is_deeply([ @{ $res->{json} // {} }{qw(name secret_set draft_revision)} ],
    [ 'Pets key 2', $T, $before + 1 ], 'a rename keeps the secret');

$res = req(PATCH => "$auth_path/$key->{id}", { type => 'bearer' });
is($res->{status}, 200, 'PATCH type to bearer');
is_deeply([ @{ $res->{json} // {} }{qw(type settings secret_set
        secret_fields draft_revision)} ],
    [ 'bearer', {}, $F, [], $before + 2 ],
    'a new type starts from settings {} and drops the old secret');
is($s->sql("SELECT secret IS NULL FROM auth_connections WHERE id = :'p1'",
        $key->{id}), 't', 'the old ciphertext is gone');
ok((grep { $_->{code} eq 'auth_secret_missing' }
        @{ validate()->{errors} // [] }),
    'validation reports the missing token');
$res = req(PATCH => "$auth_path/$key->{id}", { type => 'api_key',
    settings => { in => 'query', name => 'key' },
    secret => { value => 'k-2' } });
is_deeply([ @{ $res->{json} // {} }{qw(type settings secret_fields)} ],
    [ 'api_key', { in => 'query', name => 'key' }, ['value'] ],
    'a new type with settings and secret in one PATCH');
is_validation_error(req(PATCH => "$auth_path/$key->{id}", { type => 'api_key',
        secret => { token => 't' } }), [ 'body', 'secret', 'token' ],
    'extra_forbidden', 'PATCH checks the secret against the type');

$before = rev();
$res = req(PATCH => "$auth_path/$basic->{id}", { secret => undef });
is_deeply([ @{ $res->{json} // {} }{qw(secret_set secret_fields
        draft_revision)} ], [ $F, [], $before + 1 ],
    'secret: null clears the secret');
$res = req(PATCH => "$auth_path/$basic->{id}", { secret => undef });
is(($res->{json} // {})->{draft_revision}, $before + 1,
    'clearing an absent secret changes nothing');
$res = req(PATCH => "$auth_path/$basic->{id}",
    { secret => { password => 'pw-3' } });
is_deeply(($res->{json} // {})->{secret_fields}, ['password'],
    'and a new one can be set');

# --- the vault: rotation opens what was sealed --------------------------------

my $sealed = sub {
    return $s->sql("SELECT encode(secret, 'hex') FROM auth_connections"
        . " WHERE id = :'p1'", $_[0]);
};
my $old_bytes = $sealed->($bearer->{id});
my ($code, $out, $err) = $s->admin('vault-rotate');
is($code, 0, 'drio-admin vault-rotate opens and reseals every secret written')
    or diag("$out\n$err");
like($out, qr/auth_connections\.secret: 5 re-encrypted, 0 already current, 0 could not be opened/,
    '... all five of this app\'s sealed secrets');
isnt($sealed->($bearer->{id}), $old_bytes, 'the ciphertext changed');
is_deeply(get("$auth_path/$bearer->{id}")->{json}{secret_fields}, ['token'],
    'the connection still shows its secret');

# A sealed value copied to another row does not open there.
my $basic2_bytes = $sealed->($basic2->{id});
$s->sql("UPDATE auth_connections SET secret = (SELECT secret FROM"
    . " auth_connections WHERE id = :'p1') WHERE id = :'p2'",
    $bearer->{id}, $basic2->{id});
($code, $out, $err) = $s->admin('vault-rotate');
is($code, 1, 'a secret moved to another row fails to open (bound to its row)');
like($out, qr/4 re-encrypted, 0 already current, 1 could not be opened/,
    '... only that one');
$s->sql("UPDATE auth_connections SET secret = decode(:'p1', 'hex')"
    . " WHERE id = :'p2'", $basic2_bytes, $basic2->{id});
($code, $out, $err) = $s->admin('vault-rotate');
is($code, 0, 'put back, it opens again') or diag("$out\n$err");

# --- auth connections: delete ------------------------------------------------

$before = rev();
$res = req(DELETE => "$auth_path/$none->{id}", undef, as => $nora);
is_error($res, 403, 'insufficient_role', 'a normal member may not delete');
$res = req(DELETE => "$auth_path/$none->{id}", undef, as => $max);
is($res->{status}, 200, 'a manager deletes an unused connection');
is_deeply($res->{json}, { deleted => $T, id => $none->{id},
        draft_revision => $before + 1 }, 'the reply says what was deleted');
is($res->{headers}{etag}, '"' . ($before + 1) . '"', 'with the ETag');
is_error(get("$auth_path/$none->{id}"), 404, 'auth_connection_not_found',
    'it is gone');
is_error(req(DELETE => "$auth_path/$none->{id}"), 404,
    'auth_connection_not_found', 'deleting it again is a 404');
is(rev(), $before + 1, 'the second delete made no revision');

# --- widgets: create and read ------------------------------------------------

my $html = "<!doctype html><html><body><p>Pet</p></body></html>\n";
$before = rev();
$res = req(POST => $widgets_path, { name => 'pet_card', title => 'Pet card',
    description => 'One pet', template => $html,
    csp => { connect_domains => [ 'https://api.example.com',
            'wss://live.example.com:8443' ],
        resource_domains => [ 'https://*.cdn.example.com' ] },
    prefers_border => $T,
    actions => [ { name => 'refresh', label => 'Refresh', tool => 'getPet',
        arguments => { petId => '1' } } ] });
is($res->{status}, 201, 'POST widgets answers 201');
my $w = $res->{json} // {};
is_deeply([ sort keys %$w ], [ sort qw(id name uri title description template
        template_length template_sha256 csp prefers_border actions used_by
        created_at updated_at draft_revision) ],
    'a widget has exactly its fields');
is_deeply({ map { $_ => $w->{$_} } qw(name uri title description template
        template_length template_sha256 prefers_border actions used_by) },
    { name => 'pet_card', uri => 'ui://widget/pet_card.html',
      title => 'Pet card', description => 'One pet', template => $html,
      template_length => length($html), template_sha256 => sha256_hex($html),
      prefers_border => $T, used_by => [],
      actions => [ { name => 'refresh', label => 'Refresh',
          type => 'tool_call', tool => 'getPet',
          arguments => { petId => '1' } } ] },
    'the fields are kept; the action is a tool_call');
is($w->{draft_revision}, $before + 1, 'the create moved the revision by one');
is($res->{headers}{etag}, '"' . ($before + 1) . '"', 'the ETag is the new revision');

$res = get($widgets_path, $nora);
is_list_envelope($res, 'GET widgets answers a list envelope');
my %wl = %$w;
delete @wl{qw(draft_revision template)};
is_deeply(($res->{json} // {})->{data}, [ \%wl ],
    'the list leaves the template out (its length and SHA-256 stay)');
my %wone = %$w;
delete $wone{draft_revision};
is_deeply(get("$widgets_path/$w->{id}")->{json}, \%wone,
    'GET one shows the template');

$res = req(POST => $widgets_path, { name => 'plain', template => '<p>x</p>' });
is($res->{status}, 201, 'a widget with only name and template');
my $plain = $res->{json} // {};
is_deeply([ @$plain{qw(title description csp prefers_border actions)} ],
    [ '', '', {}, $F, [] ], '... gets the defaults');

# --- widgets: refused writes -------------------------------------------------

$snap = [ rev(), app_rows($s, 'widgets', $app) ];
is_validation_error(req(POST => $widgets_path, { name => 'pet card',
        template => 'x' }), [ 'body', 'name' ], 'string_pattern_mismatch',
    'a widget name has no spaces');
is_validation_error(req(POST => $widgets_path, { name => 'w' }),
    [ 'body', 'template' ], 'missing', 'the template is required');
is_validation_error(req(POST => $widgets_path, { name => 'w',
        template => 'x' x 524289 }), [ 'body', 'template' ],
    'string_too_long', 'a template has at most 512 KiB');
is_validation_error(req(POST => $widgets_path, { name => 'w', template => 'x',
        csp => { script_domains => [] } }),
    [ 'body', 'csp', 'script_domains' ], 'extra_forbidden',
    'csp takes only connect, resource and frame domains');
for my $bad ('http://api.example.com', 'https://api.example.com/v1',
        'https://API.example.com', 'api.example.com', 'https://a..b',
        'https://x.example.com:99999', 'wss://x.example.com') {
    is_validation_error(req(POST => $widgets_path, { name => 'w',
            template => 'x', csp => { resource_domains => [ $bad ] } }),
        [ 'body', 'csp', 'resource_domains' ], 'string_pattern_mismatch',
        "csp refuses $bad as an origin");
}
is_validation_error(req(POST => $widgets_path, { name => 'w', template => 'x',
        csp => { frame_domains => [ 'https://a.example.com',
            'https://a.example.com' ] } }),
    [ 'body', 'csp', 'frame_domains' ], 'value_error',
    'csp origins are unique');
is_validation_error(req(POST => $widgets_path, { name => 'w', template => 'x',
        actions => [ { name => 'a', label => 'A', tool => 't' },
            { name => 'a', label => 'B', tool => 't' } ] }),
    [ 'body', 'actions', '1', 'name' ], 'value_error',
    'action names are unique in the widget');
is_validation_error(req(POST => $widgets_path, { name => 'w', template => 'x',
        actions => [ { name => 'a', label => 'A', tool => 't',
            type => 'link' } ] }),
    [ 'body', 'actions', '0', 'type' ], 'enum', 'an action is a tool_call');
is_validation_error(req(POST => $widgets_path, { name => 'w', template => 'x',
        actions => [ { name => 'a', label => 'A' } ] }),
    [ 'body', 'actions', '0', 'tool' ], 'missing', 'an action names its tool');
is_validation_error(req(POST => $widgets_path, { name => 'w', template => 'x',
        actions => [ { name => 'a', label => 'A', tool => 't',
            url => 'https://x' } ] }),
    [ 'body', 'actions', '0', 'url' ], 'extra_forbidden',
    'an action has no unknown members');
is_error(req(POST => $widgets_path, { name => 'plain', template => 'x' }),
    409, 'name_taken', 'a taken widget name is a 409');
is_error(req(POST => $widgets_path, { name => 'w', template => 'x' },
        as => $nora), 403, 'insufficient_role',
    'a normal member may not create a widget');
is_error(req(POST => "/api/v1/apps/$secret_app/widgets",
        { name => 'w', template => 'x' }), 404, 'app_not_found',
    'another workspace\'s app is a 404');
is_error(req(POST => $widgets_path, { name => 'w', template => 'x',
        draft_revision => $snap->[0] - 1 }), 409, 'revision_conflict',
    'a stale draft_revision is a 409');
is_deeply([ rev(), app_rows($s, 'widgets', $app) ], $snap,
    'refused widget writes changed nothing');

my $other_widget = $s->sql("INSERT INTO widgets (app_id, name, template)"
    . " VALUES (:'p1', 'theirs', 'x') RETURNING id", $other);
is_error(get("$widgets_path/$other_widget"), 404, 'widget_not_found',
    'a widget of another app is a 404');
is_error(req(PATCH => "$widgets_path/$other_widget", { title => 'x' }), 404,
    'widget_not_found', 'PATCH of another app\'s widget is a 404');
is_error(req(PUT => "$widgets_path/$other_widget/actions", { actions => [] }),
    404, 'widget_not_found', 'PUT actions of another app\'s widget is a 404');
is_error(req(DELETE => "$widgets_path/$other_widget"), 404,
    'widget_not_found', 'DELETE of another app\'s widget is a 404');
is(rev(), $snap->[0], 'still no new revision');

# --- widgets: changes --------------------------------------------------------

$before = rev();
$res = req(PATCH => "$widgets_path/$plain->{id}", { title => 'Plain' });
is_deeply([ @{ $res->{json} // {} }{qw(title draft_revision)} ],
    [ 'Plain', $before + 1 ], 'PATCH title, one revision');
$res = req(PATCH => "$widgets_path/$plain->{id}", { title => 'Plain',
    template => '<p>x</p>' });
is(($res->{json} // {})->{draft_revision}, $before + 1,
    'a PATCH to the same values makes no new revision');
$res = req(PATCH => "$widgets_path/$plain->{id}", {});
is($res->{status}, 200, 'an empty PATCH answers 200');
is(rev(), $before + 1, '... with no new revision');
is_error(req(PATCH => "$widgets_path/$plain->{id}", { name => 'pet_card' }),
    409, 'name_taken', 'renaming to a taken name is a 409');
is_validation_error(req(PATCH => "$widgets_path/$plain->{id}",
        { actions => [] }), [ 'body', 'actions' ], 'extra_forbidden',
    'PATCH does not take actions (PUT actions does)');
is_error(req(PATCH => "$widgets_path/$plain->{id}", { title => 'Q' },
        as => $nora), 403, 'insufficient_role',
    'a normal member may not change a widget');
$res = req(PATCH => "$widgets_path/$plain->{id}", { prefers_border => $T,
    csp => { frame_domains => [ 'https://embed.example.com' ] } });
is_deeply([ @{ $res->{json} // {} }{qw(prefers_border csp draft_revision)} ],
    [ $T, { frame_domains => [ 'https://embed.example.com' ] }, $before + 2 ],
    'PATCH csp and prefers_border');

$before = rev();
my $actions = [ { name => 'more', label => 'More', tool => 'nope' } ];
$res = req(PUT => "$widgets_path/$plain->{id}/actions",
    { actions => $actions, draft_revision => $before });
is($res->{status}, 200, 'PUT actions answers 200');
is_deeply([ @{ $res->{json} // {} }{qw(actions draft_revision)} ],
    [ [ { name => 'more', label => 'More', tool => 'nope',
          type => 'tool_call' } ], $before + 1 ],
    'the list is replaced, by one revision');
$res = req(PUT => "$widgets_path/$plain->{id}/actions", { actions => $actions });
is(($res->{json} // {})->{draft_revision}, $before + 1,
    'the same list again makes no new revision');
is_validation_error(req(PUT => "$widgets_path/$plain->{id}/actions", {}),
    [ 'body', 'actions' ], 'missing', 'PUT actions needs the list');
is_error(req(PUT => "$widgets_path/$plain->{id}/actions", { actions => [] },
        as => $nora), 403, 'insufficient_role',
    'a normal member may not replace actions');
$v = validate();
my @dangling = grep { $_->{code} eq 'widget_action_tool_unknown' }
    @{ $v->{errors} // [] };
is_deeply([ map { $_->{pointer} } @dangling ],
    [ '/widgets/0/actions/0/tool', '/widgets/1/actions/0/tool' ],
    'validation catches both actions whose tool the draft lacks');
$res = req(POST => "/api/v3/apps/$app/tools",
    { operation_id => $pets->{ops}{getPet} });
is($res->{status}, 201, 'v3 makes tool getPet');
my $tool = ($res->{json} // {})->{id};
$v = validate();
is_deeply([ map { $_->{pointer} } grep { $_->{code} eq
        'widget_action_tool_unknown' } @{ $v->{errors} // [] } ],
    [ '/widgets/1/actions/0/tool' ],
    'the action calling getPet is fine now; "nope" still dangles');
$res = req(PUT => "$widgets_path/$plain->{id}/actions", { actions => [] });
is_deeply(($res->{json} // {})->{actions}, [], 'PUT [] removes every action');
$res = req(GET => "/api/v3/apps/$app/draft/runtime-preview");
my ($seen) = grep { $_->{name} eq 'pet_card' }
    @{ $res->{json}{config}{widgets} // [] };
is_deeply([ @{ $seen // {} }{qw(id uri template csp prefers_border)} ],
    [ $w->{id}, 'ui://widget/pet_card.html', $html, $w->{csp}, $T ],
    'v3 sees the widget in the runtime preview');

# --- widgets: delete detaches tools ------------------------------------------

$s->sql("UPDATE tools SET widget_id = :'p1' WHERE id = :'p2'", $w->{id}, $tool);
is_deeply(get("$widgets_path/$w->{id}")->{json}{used_by}, [ $tool ],
    'used_by names the tool that renders with the widget');
$before = rev();
is_error(req(DELETE => "$widgets_path/$w->{id}", undef, as => $nora), 403,
    'insufficient_role', 'a normal member may not delete a widget');
is_error(req(DELETE => "$widgets_path/$w->{id}",
        { draft_revision => $before - 1 }), 409, 'revision_conflict',
    'DELETE with a stale revision is a 409');
$res = req(DELETE => "$widgets_path/$w->{id}", { draft_revision => $before });
is($res->{status}, 200, 'DELETE widget answers 200');
is_deeply($res->{json}, { deleted => $T, id => $w->{id},
        detached_tools => [ $tool ], draft_revision => $before + 1 },
    'the reply names the tools that lost the widget');
is(($s->sql("SELECT coalesce(widget_id::text, 'none') FROM tools"
        . " WHERE id = :'p1'", $tool)), 'none', 'the tool has no widget now');
my ($v3tool) = grep { $_->{id} eq $tool }
    @{ get("/api/v3/apps/$app/tools")->{json}{data} // [] };
ok($v3tool && !defined $v3tool->{widget},
    'v3 shows the tool without a widget');
is_error(get("$widgets_path/$w->{id}"), 404, 'widget_not_found',
    'the widget is gone');
is(rev(), $before + 1, 'one revision for the delete');

# --- secrets stay out of the logs --------------------------------------------

my @leaks;
for my $log ($s->all_logs) {
    open my $fh, '<', $log or next;
    local $/;
    my $text = <$fh> // '';
    close $fh;
    push @leaks, $log if $text =~ /s3cr3t|k-123456|pw-Zq9basic|cs-Zq9oauth/;
}
is_deeply(\@leaks, [], 'no log of the stack holds a secret value');

done_testing();
