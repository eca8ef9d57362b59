#!/usr/bin/perl
# 51-api-v1-install.t: installing connectors and the workspace
# integrations they make (docs/api-v1/installs.md) over a real stack.
#
# - POST /api/v1/connectors/{id}/install: 401, 400 without workspace_id,
#   404 for a workspace the caller is not in, 403 for the normal role,
#   404 for an unknown connector, 400 for a missing or unknown field, 422
#   for a malformed body; each auth mode: pat (github: the token sealed,
#   not in the bytea), conn_string, none (open-meteo), byo_oauth (slack:
#   the oauth_url member by member, the state stored as its SHA-256, the
#   verifier sealed; a PKCE manifest: the S256 challenge), mcp_oauth
#   (linear); crew scope (404 crew_not_found for another workspace's
#   crew); the defaulted name made unique, a given name taken → 409.
# - GET /api/v1/integrations (400, 404, any member, filters, paging) and
#   GET /api/v1/integrations/{id} (404 for another workspace's).
# - PATCH: name, fields (re-checked, re-sealed), status (connected only
#   when that is true); 403 for the normal role; 409 name_taken.
# - DELETE: 409 in_use while an app integration uses it, then 200.
# - drio-admin vault-rotate re-encrypts the rows' secrets and verifiers,
#   and a secret copied to another row does not open there.
# - No secret in any reply or log.
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

my $s = DrioStack->start(responders => ['api-v1']);

my $alice = $s->seed_user(email => 'alice@example.com', name => 'Alice');
my $max   = $s->seed_user(email => 'max@example.com', name => 'Max');
my $nora  = $s->seed_user(email => 'nora@example.com', name => 'Nora');
my $carol = $s->seed_user(email => 'carol@example.com', name => 'Carol');
my $acme   = $s->seed_workspace('Acme', $alice->{email});
my $hidden = $s->seed_workspace('Hidden', $carol->{email});
$s->seed_member($acme, $max->{id}, 'manager');
$s->seed_member($acme, $nora->{id}, 'normal');
my $T = JSON::PP::true;
my $F = JSON::PP::false;
my $shipped = DrioStack::srcdir() . '/connectors';

my $gh_token = 'ghp_Zq9SecretToken0123456789abcdef';
my $gh_token2 = 'ghp_Zq9OtherToken9876543210fedcba';
my $slack_secret = 'sl-Zq9clientsecret';
my $pg_url = 'postgresql://u:pw-Zq9conn@db.example.com/app';
my @secrets = ($gh_token, $gh_token2, $slack_secret, 'pw-Zq9conn',
    'pk-Zq9secret');

sub spew {
    my ($path, $text) = @_;
    open my $fh, '>:raw', $path or die "$path: $!";
    print $fh $text;
    close $fh or die "$path: $!";
}

sub call {
    my ($method, $path, $json, %opt) = @_;
    return $s->request($method => $path, {
        (exists $opt{as} && !defined $opt{as} ? ()
            : (token => ($opt{as} // $alice)->{token})),
        (defined $json ? (json => $json) : ()) });
}

sub install {
    my ($id, $body, %opt) = @_;
    my $ws = exists $opt{workspace} ? $opt{workspace} : $acme;
    return call(POST => "/api/v1/connectors/$id/install"
        . (defined $ws ? "?workspace_id=$ws" : ''), $body // {}, %opt);
}

# Every reply body of the test, to check no secret was ever answered.
my @replies;
sub keep { push @replies, $_[0]{content}; return $_[0] }

# The query of a URL as a hash (values percent-decoded).
sub query_of {
    my ($url) = @_;
    my ($query) = $url =~ /\?(.*)\z/;
    my %q;
    for my $pair (split /&/, $query // '') {
        my ($k, $v) = split /=/, $pair, 2;
        $v //= '';
        $v =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
        $q{$k} = $v;
    }
    return \%q;
}

# --- the catalog, and a test-only PKCE manifest ------------------------------

my $dir = $s->tmpdir . '/connectors';
mkdir $dir or die "$dir: $!";
for my $f (glob "$shipped/*.json") {
    my ($name) = $f =~ m{([^/]+)\z};
    open my $in, '<:raw', $f or die "$f: $!";
    local $/;
    spew("$dir/$name", scalar <$in>);
}
spew("$dir/pkceauth.json", JSON::PP->new->canonical->encode({
    id => 'pkceauth', version => 1, name => 'PKCE Auth',
    description => 'A test provider with PKCE.', category => 'other',
    auth_mode => 'byo_oauth', brand_logo => 'https://example.com/l.png',
    brand_color => '#000000', docs_url => 'https://example.com/docs',
    fields => [
        { key => 'client_id', label => 'Client', type => 'text',
          secret => $F, required => $T },
        { key => 'client_secret', label => 'Secret', type => 'password',
          secret => $T, required => $T } ],
    oauth => { authorize_url => 'http://127.0.0.1:9/authorize?tenant=t1',
        token_url => 'http://127.0.0.1:9/token',
        scopes => ['read', 'write:all'], pkce => $T },
    openapi => { document => { openapi => '3.0.3',
        info => { title => 'T', version => '1' },
        servers => [{ url => 'https://api.example.com/v2' }],
        paths => {} } } }));
my ($code, $out, $err) = $s->admin_env({ DRIO_CONNECTORS_DIR => $dir },
    undef, 'load-connectors', '--allow-http');
is($code, 0, 'the catalog loads') or diag "$out\n$err";

# --- install: refusals ----------------------------------------------------------

my $res = install('github', { fields => { token => $gh_token } },
    as => undef);
is_error($res, 401, 'unauthorized', 'install needs a token');
$res = keep(install('github', { fields => { token => $gh_token } },
    workspace => undef));
is_error($res, 400, 'bad_request', 'install without workspace_id is a 400');
$res = keep(install('github', { fields => { token => $gh_token } },
    workspace => $hidden));
is_error($res, 404, 'workspace_not_found',
    'a workspace the caller is not in is a 404');
$res = keep(install('github', { fields => { token => $gh_token } },
    as => $nora));
is_error($res, 403, 'insufficient_role', 'a normal member may not install');
$res = keep(install('nope', { fields => {} }));
is_error($res, 404, 'connector_not_found', 'an unknown connector is a 404');
$res = keep(install('github', { fields => {} }));
is_error($res, 400, 'bad_request', 'a missing required field is a 400');
is_deeply([ map { $_->{loc} } @{ $res->{json}{details} // [] } ],
    [['body', 'fields.token']], '... naming the field');
$res = keep(install('github', { fields => { token => $gh_token,
    extra => 'x' } }));
is_error($res, 400, 'bad_request', 'an unknown field is a 400');
$res = keep(install('github', { fields => { token => $gh_token },
    colour => 'red' }));
is_validation_error($res, ['body', 'colour'], undef,
    'an unknown body member is a 422');
$res = keep(install('github', { fields => { token => $gh_token },
    crew_id => 'not-a-uuid' }));
is_validation_error($res, ['body', 'crew_id'], undef,
    'a malformed crew_id is a 422');
is($s->sql('SELECT count(*) FROM workspace_integrations'), 0,
    'no refused install left a row');

# --- install: pat ------------------------------------------------------------------

$res = keep(install('github', { fields => { token => $gh_token } },
    as => $max));
is($res->{status}, 201, 'a manager installs a pat connector');
is_deeply([ sort keys %{ $res->{json} // {} } ],
    ['integration_id', 'next_step'],
    'the answer has exactly integration_id and next_step');
is($res->{json}{next_step}, '', 'next_step is "" for pat');
my $gh = $res->{json}{integration_id};
is_uuid($gh, 'integration_id is a uuid');
is($s->sql("SELECT length(secret) > 28 AND get_byte(secret, 0) = 1"
        . " AND position(convert_to(:'p2', 'UTF8') in secret) = 0"
        . " FROM workspace_integrations WHERE id = :'p1'", $gh, $gh_token),
    't', 'the token is stored sealed: the bytea does not hold it');
is($s->sql("SELECT status || ' ' || kind || ' ' || auth_mode || ' '"
        . " || connector_version || ' ' || name || ' ' || fields::text"
        . " || ' ' || array_to_string(secret_fields, ',') || ' '"
        . " || created_by FROM workspace_integrations WHERE id = :'p1'",
        $gh),
    "connected openapi pat 1 GitHub {} token $max->{id}",
    'the row: connected, openapi, pat, the version, the manifest name,'
    . ' no plain fields, the secret field named, made by the installer');

# --- install: name defaulting and clashes ---------------------------------------

$res = keep(install('github', { fields => { token => $gh_token2 } }));
is($res->{status}, 201, 'installing the same connector again works');
my $gh2 = $res->{json}{integration_id};
is($s->sql("SELECT name FROM workspace_integrations WHERE id = :'p1'", $gh2),
    'GitHub 2', 'a defaulted name that is taken gets " 2"');
$res = keep(install('github', { fields => { token => $gh_token2 },
    name => 'GitHub' }));
is_error($res, 409, 'name_taken', 'a given name that is taken is a 409');

# --- install: conn_string, none, mcp_oauth ---------------------------------------

$res = keep(install('postgresql', { fields => { connection_string => $pg_url },
    name => 'Main DB' }));
is($res->{status}, 201, 'a conn_string connector installs')
    or diag explain $res->{json};
my $pg = $res->{json}{integration_id};
is($res->{json}{next_step}, '', '... with next_step ""');
is($s->sql("SELECT position(convert_to('pw-Zq9conn', 'UTF8') in secret)"
        . " FROM workspace_integrations WHERE id = :'p1'", $pg), 0,
    '... and the connection string sealed');

$res = keep(install('open-meteo', {}));
is($res->{status}, 201, 'a no-auth connector installs without fields');
my $meteo = $res->{json}{integration_id};
is($res->{json}{next_step}, '', '... next_step ""');
is($s->sql("SELECT status || ' ' || (secret IS NULL)::text"
        . " FROM workspace_integrations WHERE id = :'p1'", $meteo),
    'connected true', '... connected at once, with no secret');

$res = keep(install('linear', {}));
is($res->{status}, 201, 'an mcp_oauth connector installs');
my $linear = $res->{json}{integration_id};
is_deeply([ sort keys %{ $res->{json} } ], ['integration_id', 'next_step'],
    '... with no oauth_url');
is($res->{json}{next_step}, 'mcp_oauth', '... next_step "mcp_oauth"');
is($s->sql("SELECT status || ' ' || kind || ' ' || url"
        . " FROM workspace_integrations WHERE id = :'p1'", $linear),
    'pending_mcp_oauth mcp_server https://mcp.linear.app/mcp',
    '... pending, with the MCP server URL');

# --- install: byo_oauth ------------------------------------------------------------

$res = keep(install('slack', { fields => { client_id => '123.456',
    client_secret => $slack_secret } }));
is($res->{status}, 201, 'a byo_oauth connector installs');
my $slack = $res->{json}{integration_id};
is($res->{json}{next_step}, 'oauth', '... next_step "oauth"');
my $url = $res->{json}{oauth_url} // '';
like($url, qr{\Ahttps://slack\.com/oauth/v2/authorize\?[^?]+\z},
    '... oauth_url is the manifest\'s authorize_url with a query');
my $q = query_of($url);
is_deeply([ sort keys %$q ],
    [qw(client_id redirect_uri response_type scope state)],
    'the query has exactly the members of a non-PKCE authorization');
is($q->{response_type}, 'code', 'response_type=code');
is($q->{client_id}, '123.456', 'client_id is the submitted one');
is($q->{redirect_uri}, $s->public_url . '/api/v1/connectors/oauth/callback',
    'redirect_uri is drio\'s callback');
is($q->{scope}, 'channels:read,channels:history,chat:write,users:read',
    'scope joins the manifest\'s scopes with its separator');
like($url, qr/&scope=channels%3Aread%2Cchannels/, '... percent-encoded');
like($q->{state}, qr/\A[A-Za-z0-9_-]{43}\z/,
    'state is 32 random bytes, base64url');
is($s->sql("SELECT count(*) FROM integration_oauth_states"
        . " WHERE state_hash = :'p1' AND integration_id = :'p2'"
        . " AND account_id = :'p3' AND redirect_uri = :'p4'"
        . " AND expires_at BETWEEN now() + interval '9 minutes'"
        . " AND now() + interval '11 minutes'",
        sha256_hex($q->{state}), $slack, $alice->{id}, $q->{redirect_uri}),
    1, 'the state row holds the SHA-256 of the state, expiring in 10 min');
is($s->sql("SELECT count(*) FROM integration_oauth_states"
        . " WHERE state_hash = :'p1'", $q->{state}), 0,
    '... and not the state itself');
is($s->sql("SELECT (length(code_verifier) > 70"
        . " AND get_byte(code_verifier, 0) = 1)::text"
        . " FROM integration_oauth_states WHERE integration_id = :'p1'",
        $slack), 'true', 'the PKCE verifier is stored sealed');
is($s->sql("SELECT status || ' ' || fields::text || ' '"
        . " || array_to_string(secret_fields, ',') || ' '"
        . " || position(convert_to(:'p2', 'UTF8') in secret)"
        . " FROM workspace_integrations WHERE id = :'p1'",
        $slack, $slack_secret),
    'pending_oauth {"client_id": "123.456"} client_secret 0',
    'pending_oauth; client_id plain, client_secret sealed');

$res = keep(install('pkceauth', { fields => { client_id => 'c 1',
    client_secret => 'pk-Zq9secret' } }));
is($res->{status}, 201, 'a PKCE byo_oauth connector installs');
my $pkce = $res->{json}{integration_id};
$url = $res->{json}{oauth_url} // '';
like($url, qr{\Ahttp://127\.0\.0\.1:9/authorize\?tenant=t1&response_type=code&},
    'an authorize_url with a query is extended with &');
$q = query_of($url);
like($q->{code_challenge} // '', qr/\A[A-Za-z0-9_-]{43}\z/,
    'code_challenge is a base64url SHA-256');
is($q->{code_challenge_method}, 'S256', 'code_challenge_method=S256');
is($q->{scope}, 'read write:all', 'the default scope separator is a blank');
like($url, qr/client_id=c%201&/, 'values are percent-encoded');
is($s->sql("SELECT url FROM workspace_integrations WHERE id = :'p1'",
        $pkce), 'https://api.example.com/v2',
    'an inline OpenAPI document\'s server is the url');
isnt($s->sql("SELECT encode(code_verifier, 'hex') FROM"
        . " integration_oauth_states WHERE integration_id = :'p1'", $pkce),
    $s->sql("SELECT encode(code_verifier, 'hex') FROM"
        . " integration_oauth_states WHERE integration_id = :'p1'", $slack),
    'every install has its own verifier');

# --- crew scope --------------------------------------------------------------------

my $crew = $s->sql("INSERT INTO crews (workspace_id, name) VALUES"
    . " (:'p1', 'Data') RETURNING id", $acme);
my $other_crew = $s->sql("INSERT INTO crews (workspace_id, name) VALUES"
    . " (:'p1', 'Theirs') RETURNING id", $hidden);
$res = keep(install('open-meteo', { crew_id => $crew, name => 'Weather' },
    as => $max));
is($res->{status}, 201,
    'a manager installs for a crew without being in it');
my $crew_meteo = $res->{json}{integration_id};
is($s->sql("SELECT crew_id FROM workspace_integrations WHERE id = :'p1'",
        $crew_meteo), $crew, '... at crew scope');
$res = keep(install('open-meteo', { crew_id => $other_crew }));
is_error($res, 404, 'crew_not_found',
    'another workspace\'s crew is a 404');
$res = keep(install('open-meteo', { crew_id => $acme }));
is_error($res, 404, 'crew_not_found', 'an unknown crew is a 404');

# --- list and get ------------------------------------------------------------------

$res = keep(call(GET => "/api/v1/integrations?workspace_id=$acme", undef,
    as => $nora));
is_list_envelope($res, 'any member lists the workspace\'s integrations');
is($res->{json}{total}, 8, 'all of them, crew-scoped ones too');
is_deeply([ map { $_->{name} } @{ $res->{json}{data} } ],
    ['GitHub', 'GitHub 2', 'Linear', 'Main DB', 'Open-Meteo', 'PKCE Auth',
     'Slack', 'Weather'], 'by name');
my ($item) = grep { $_->{id} eq $gh } @{ $res->{json}{data} };
is_deeply([ sort keys %$item ],
    [qw(auth_mode catalog_size connector_id connector_version created_at
        created_by crew_id fields id kind name oauth secret_fields status
        status_message updated_at url workspace_id)],
    'an item has exactly the documented fields');
is_deeply({ map { $_ => $item->{$_} } qw(workspace_id crew_id connector_id
        connector_version name kind auth_mode status fields secret_fields
        oauth catalog_size) },
    { workspace_id => $acme, crew_id => undef, connector_id => 'github',
      connector_version => 1, name => 'GitHub', kind => 'openapi',
      auth_mode => 'pat', status => 'connected', fields => {},
      secret_fields => ['token'], oauth => {}, catalog_size => 0 },
    'the item shows the names of the secret fields, never their values');
$res = keep(call(GET => "/api/v1/integrations?workspace_id=$acme"
    . "&crew_id=$crew"));
is_deeply([ map { $_->{id} } @{ $res->{json}{data} } ], [$crew_meteo],
    'crew_id filters');
$res = keep(call(GET => "/api/v1/integrations?workspace_id=$acme"
    . "&connector_id=github&status=connected&limit=1&page=2"));
is_deeply([ map { $_->{id} } @{ $res->{json}{data} } ], [$gh2],
    'connector_id and status filter, the list pages');
is($res->{json}{total}, 2, '... and counts the filtered ones');
$res = keep(call(GET => "/api/v1/integrations?workspace_id=$acme"
    . "&status=pending_oauth"));
is_deeply([ sort map { $_->{id} } @{ $res->{json}{data} } ],
    [ sort $slack, $pkce ], 'pending_oauth ones are found by status');
$res = call(GET => '/api/v1/integrations');
is_error($res, 400, 'bad_request', 'the list needs workspace_id');
$res = call(GET => "/api/v1/integrations?workspace_id=$hidden");
is_error($res, 404, 'workspace_not_found',
    'another workspace\'s list is a 404');
$res = call(GET => "/api/v1/integrations?workspace_id=$acme&status=x");
is_validation_error($res, ['query', 'status'], undef,
    'an unknown status filter is a 422');
$res = call(GET => '/api/v1/integrations', undef, as => undef);
is_error($res, 401, 'unauthorized', 'the list needs a token');

$res = keep(call(GET => "/api/v1/integrations/$slack", undef, as => $nora));
is($res->{status}, 200, 'any member gets an integration');
is_deeply($res->{json}{catalog}, [], '... with its catalog');
is_deeply($res->{json}{secret_fields}, ['client_secret'],
    '... and its secret field names');
my $theirs = $s->sql("INSERT INTO workspace_integrations (workspace_id,"
    . " name, kind, auth_mode) VALUES (:'p1', 'X', 'http', 'none')"
    . " RETURNING id", $hidden);
$res = call(GET => "/api/v1/integrations/$theirs");
is_error($res, 404, 'integration_not_found',
    'another workspace\'s integration is a 404');
$res = call(GET => '/api/v1/integrations/00000000-0000-4000-8000-000000000000');
is_error($res, 404, 'integration_not_found', 'an unknown id is a 404');

# --- patch -------------------------------------------------------------------------

my $path = "/api/v1/integrations/$gh";
my $sealed = sub {
    return $s->sql("SELECT encode(secret, 'hex') FROM workspace_integrations"
        . " WHERE id = :'p1'", $_[0]);
};
my $updated = sub {
    return $s->sql("SELECT updated_at FROM workspace_integrations"
        . " WHERE id = :'p1'", $_[0]);
};
$res = keep(call(PATCH => $path, { name => 'GH' }, as => $nora));
is_error($res, 403, 'insufficient_role', 'a normal member may not patch');
$res = keep(call(PATCH => "/api/v1/integrations/$theirs", { name => 'Y' }));
is_error($res, 404, 'integration_not_found',
    'patching another workspace\'s integration is a 404');
my ($before_bytes, $before_at) = ($sealed->($gh), $updated->($gh));
$res = keep(call(PATCH => $path, {}));
is($res->{status}, 200, 'an empty patch answers 200');
is($res->{json}{name}, 'GitHub', '... with the integration');
is($updated->($gh), $before_at, '... and changes nothing');
$res = keep(call(PATCH => $path, { fields => { token => $gh_token } }));
is($res->{status}, 200, 'patching the same secret value answers 200');
is($sealed->($gh), $before_bytes, '... and does not reseal it');
$res = keep(call(PATCH => $path, { name => 'GH',
    fields => { token => $gh_token2 } }, as => $max));
is($res->{status}, 200, 'a manager renames and sets a new token');
is($res->{json}{name}, 'GH', '... the new name is answered');
isnt($sealed->($gh), $before_bytes, '... the secret is sealed again');
is($s->sql("SELECT position(convert_to(:'p2', 'UTF8') in secret)"
        . " FROM workspace_integrations WHERE id = :'p1'", $gh, $gh_token2),
    0, '... and still not in the clear');
$res = keep(call(PATCH => $path, { fields => { token => undef } }));
is_error($res, 400, 'bad_request', 'removing a required field is a 400');
$res = keep(call(PATCH => $path, { fields => { nope => 'x' } }));
is_error($res, 400, 'bad_request', 'an unknown field is a 400');
$res = keep(call(PATCH => $path, { name => 'GitHub 2' }));
is_error($res, 409, 'name_taken', 'a taken name is a 409');
$res = keep(call(PATCH => $path, { status => 'pending_oauth' }));
is_validation_error($res, ['body', 'status'], undef,
    'only connected and disabled can be set');
$res = keep(call(PATCH => $path, { status => 'disabled' }));
is($res->{json}{status}, 'disabled', 'an integration can be disabled');
$res = keep(call(PATCH => $path, { status => 'connected' }));
is($res->{json}{status}, 'connected', '... and enabled again');
$res = keep(call(PATCH => "/api/v1/integrations/$slack",
    { status => 'connected' }));
is_error($res, 409, 'conflict',
    'an OAuth integration is not connected before its sign-in');
$res = keep(call(PATCH => "/api/v1/integrations/$slack",
    { fields => { client_id => '999.1' } }));
is_deeply($res->{json}{fields}, { client_id => '999.1' },
    'a plain field is changed and shown');
is($s->sql("SELECT array_to_string(secret_fields, ',')"
        . " FROM workspace_integrations WHERE id = :'p1'", $slack),
    'client_secret', '... the secret it did not name is kept');

# --- delete ------------------------------------------------------------------------

my $app = seed_app($s, $acme, name => 'Reporter');
my $app_int = seed_integration($s, $app, name => 'Weather API');
$s->sql("UPDATE integrations SET workspace_integration_id = :'p1'"
    . " WHERE id = :'p2'", $meteo, $app_int);
$res = keep(call(DELETE => "/api/v1/integrations/$meteo", undef,
    as => $nora));
is_error($res, 403, 'insufficient_role', 'a normal member may not delete');
$res = keep(call(DELETE => "/api/v1/integrations/$meteo"));
is_error($res, 409, 'in_use', 'an integration an app uses is in use');
is_deeply([ map { $_->{loc} } @{ $res->{json}{details} // [] } ],
    [['apps', $app]], '... the details name the app');
$s->sql("UPDATE integrations SET workspace_integration_id = NULL"
    . " WHERE id = :'p1'", $app_int);
$res = keep(call(DELETE => "/api/v1/integrations/$meteo"));
is($res->{status}, 200, 'an unused integration is deleted');
is_deeply($res->{json}, { deleted => $T, id => $meteo },
    '... the answer says which');
is_error(call(GET => "/api/v1/integrations/$meteo"), 404,
    'integration_not_found', 'it is gone');
$res = keep(call(DELETE => "/api/v1/integrations/$pkce"));
is($s->sql("SELECT count(*) FROM integration_oauth_states"
        . " WHERE integration_id = :'p1'", $pkce), 0,
    'its OAuth state goes with it');
$res = call(DELETE => "/api/v1/integrations/$theirs");
is_error($res, 404, 'integration_not_found',
    'deleting another workspace\'s integration is a 404');

# --- the vault: rotation, and a secret moved to another row ------------------------

my $old = $sealed->($gh);
my $old_verifier = $s->sql("SELECT encode(code_verifier, 'hex') FROM"
    . " integration_oauth_states WHERE integration_id = :'p1'", $slack);
($code, $out, $err) = $s->admin('vault-rotate');
is($code, 0, 'vault-rotate opens and reseals every install secret')
    or diag "$out\n$err";
like($out, qr/^workspace_integrations\.secret: 4 re-encrypted, 0 already current, 0 could not be opened$/m,
    '... the four sealed secrets (github twice, postgresql, slack)');
like($out, qr/^integration_oauth_states\.code_verifier: 1 re-encrypted, 0 already current, 0 could not be opened$/m,
    '... and the OAuth verifier');
isnt($sealed->($gh), $old, 'the secret\'s ciphertext changed');
isnt($s->sql("SELECT encode(code_verifier, 'hex') FROM"
        . " integration_oauth_states WHERE integration_id = :'p1'", $slack),
    $old_verifier, 'the verifier\'s ciphertext changed');

my $gh2_bytes = $sealed->($gh2);
$s->sql("UPDATE workspace_integrations SET secret = (SELECT secret FROM"
    . " workspace_integrations WHERE id = :'p1') WHERE id = :'p2'",
    $gh, $gh2);
($code, $out, $err) = $s->admin('vault-rotate');
is($code, 1, 'a secret copied to another row does not open there');
like($out, qr/^workspace_integrations\.secret: 3 re-encrypted, 0 already current, 1 could not be opened$/m,
    '... only that one');
like($err, qr/workspace_integrations\.secret of row \Q$gh2\E/,
    '... and stderr names its row');
$res = keep(call(PATCH => "/api/v1/integrations/$gh2",
    { fields => { token => $gh_token } }));
is($res->{status}, 500, 'a write that must open the moved secret fails');
$s->sql("UPDATE workspace_integrations SET secret = decode(:'p1', 'hex')"
    . " WHERE id = :'p2'", $gh2_bytes, $gh2);
($code, $out, $err) = $s->admin('vault-rotate');
is($code, 0, 'put back, it opens again') or diag "$out\n$err";

$s->sql("UPDATE integration_oauth_states SET code_verifier ="
    . " overlay(code_verifier placing '\\xff'::bytea from 40)"
    . " WHERE integration_id = :'p1'", $slack);
($code, $out) = $s->admin('vault-rotate');
is($code, 1, 'an edited verifier does not open');
like($out, qr/^integration_oauth_states\.code_verifier: 0 re-encrypted, 0 already current, 1 could not be opened$/m,
    '... and is reported');

# --- no secret anywhere ------------------------------------------------------------

my @leaks = grep { my $r = $_; grep { index($r, $_) >= 0 } @secrets }
    @replies;
is(scalar @leaks, 0, 'no reply carried a secret value');
@leaks = ();
for my $log ($s->all_logs) {
    open my $fh, '<', $log or next;
    local $/;
    my $text = <$fh> // '';
    push @leaks, $log if grep { index($text, $_) >= 0 } @secrets;
}
is_deeply(\@leaks, [], 'no log of the stack holds a secret value');

$s->finish;
done_testing;
