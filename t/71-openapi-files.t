#!/usr/bin/perl
# 71-openapi-files.t: POST /openapi/v1/apps/{app_id}/files/upload
# (docs/openapi-apps.md, "Files"), through nginx:
#
# - a file sent as curl sends it (multipart/form-data, the part "file")
#   is stored in PostgreSQL (name, extension, type, size, SHA-256, bytes)
#   and answered as FileResponse with 201; binary content survives;
# - a member of a workspace the app is shared with may upload; anyone
#   else gets 404, without a token 401;
# - 400 without a file, with two, with a file without a name, for a body
#   that is not well-formed multipart;
# - 413 over upload_max_bytes (set low here), while the other routes keep
#   their own max_body_bytes;
# - 415 for a blocked extension, a blocked declared type, a program named
#   as something else, and a body that is not multipart/form-data;
# - nothing is stored by a refused upload.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Digest::SHA qw(sha256_hex);
use Test::More;
use DrioApps qw(seed_app);
use DrioStack;
use DrioTest;

my $MAX = 65536;
my $s = DrioStack->start(responders => [ 'openapi', 'api-v3' ],
    env => { DRIO_UPLOAD_MAX_BYTES => $MAX });

my $olga = $s->seed_user(email => 'olga@example.com', name => 'Olga');
my $otto = $s->seed_user(email => 'otto@example.com', name => 'Otto');
my $carl = $s->seed_user(email => 'carl@example.com', name => 'Carl');
my $acme = $s->seed_workspace('Acme', $olga->{email});
my $other = $s->seed_workspace('Other', $otto->{email});
$s->seed_workspace('Carl Co', $carl->{email});
my $app = seed_app($s, $acme, name => 'Reader', created_by => $olga->{id});
my $path = "/openapi/v1/apps/$app/files/upload";

my $BOUNDARY = '------------------------d74496d66958873e';

# A multipart/form-data body of @parts, each [name, filename (undef:
# none), content type (undef: none), data], as curl writes it.
sub form {
    my (@parts) = @_;
    my $body = '';
    for my $p (@parts) {
        my ($name, $filename, $type, $data) = @$p;
        $body .= "--$BOUNDARY\r\nContent-Disposition: form-data;"
            . " name=\"$name\"" . (defined $filename
                ? "; filename=\"$filename\"" : '') . "\r\n"
            . (defined $type ? "Content-Type: $type\r\n" : '') . "\r\n"
            . $data . "\r\n";
    }
    return $body . "--$BOUNDARY--\r\n";
}

# POST body as $who (undef: no token) with the multipart Content-Type
# (or $type).
sub upload {
    my ($who, $body, %opt) = @_;
    return $s->request(POST => $opt{path} // $path, {
        (defined $who ? (token => $who->{token}) : ()), body => $body,
        content_type => $opt{type}
            // "multipart/form-data; boundary=$BOUNDARY" });
}

sub stored { return $s->sql("SELECT count(*) FROM uploads") }

# --- a file ------------------------------------------------------------------

my $pdf = "%PDF-1.7\n" . join('', map { chr } 0 .. 255) x 8 . "\r\n--"
    . substr($BOUNDARY, 0, 30) . "\n%%EOF\n";
my $res = upload($olga, form([ 'user', undef, undef, 'olga' ],
    [ 'file', 'C:\\Users\\olga\\report 2026.pdf', 'application/pdf', $pdf ]));
is($res->{status}, 201, 'a file is uploaded') or diag $res->{content};
my $f = $res->{json} // {};
is_deeply([ @$f{qw(name size extension mime_type created_by)} ],
    [ 'report 2026.pdf', length($pdf), 'pdf', 'application/pdf',
      $olga->{id} ], 'FileResponse: the name without its path, size,'
    . ' extension, type, who');
like($f->{id} // '', qr/\A[0-9a-f-]{36}\z/, '... an id');
ok(($f->{created_at} // 0) > 1_700_000_000 && $f->{created_at} <= time + 5,
    '... created_at in Unix seconds');
is($s->sql("SELECT name || ' ' || size || ' ' || sha256 || ' ' || app_id"
        . " FROM uploads WHERE id = :'p1'", $f->{id} // ''),
    "report 2026.pdf " . length($pdf) . ' ' . sha256_hex($pdf) . " $app",
    'stored with its SHA-256, for the app');
is($s->sql("SELECT encode(data, 'hex') FROM uploads WHERE id = :'p1'",
        $f->{id} // ''), unpack('H*', $pdf),
    'the bytes are stored exactly (NULs, CRLFs, a line like the boundary)');

$res = upload($olga, form([ 'file', 'notes.txt', undef, "hello\n" ]));
is($res->{status}, 201, 'a file without a declared type');
is($res->{json}{mime_type}, 'text/plain', '... gets one from its extension');
$res = upload($olga, form([ 'file', 'empty.csv', 'text/csv', '' ]));
is($res->{status}, 201, 'an empty file is a file');
is($res->{json}{size}, 0, '... of size 0');

# --- who ---------------------------------------------------------------------

my $small = form([ 'file', 'a.txt', 'text/plain', 'a' ]);
is_error(upload($otto, $small), 404, 'app_not_found',
    'a stranger to the app gets 404');
is(upload(undef, $small)->{status}, 401, 'without a token: 401');
$s->sql("INSERT INTO app_shares (app_id, workspace_id) VALUES (:'p1',"
    . " :'p2')", $app, $other);
is(upload($otto, $small)->{status}, 201, 'a member of a workspace the app'
    . ' is shared with may upload');
is_error(upload($carl, $small), 404, 'app_not_found',
    '... nobody else');
is_validation_error(upload($olga, $small, path => "$path?x=1"),
    [ 'query', 'x' ], 'extra_forbidden', 'an unknown query parameter is'
    . ' 422');

# --- refused -----------------------------------------------------------------

my $before = stored();
is_error(upload($olga, form([ 'user', undef, undef, 'olga' ])), 400,
    'bad_request', 'no file is 400');
is_error(upload($olga, form([ 'file', 'a.txt', undef, 'a' ],
    [ 'other', 'b.txt', undef, 'b' ])), 400, 'bad_request',
    'two files are 400');
is_error(upload($olga, form([ 'file', '', undef, 'a' ])), 400,
    'bad_request', 'a file without a name is 400');
is_error(upload($olga, "--$BOUNDARY\r\nContent-Disposition: form-data;"
    . " name=\"file\"; filename=\"a.txt\"\r\n\r\nno end"), 400,
    'bad_request', 'a body without its closing delimiter is 400');
is_error(upload($olga, form([ 'file', 'a.txt', undef, 'x' x ($MAX + 1) ])),
    413, 'payload_too_large', 'over upload_max_bytes is 413');
is_error(upload($olga, form([ 'file', 'setup.exe', undef, 'x' ])), 415,
    'unsupported_media_type', 'a blocked extension is 415');
is_error(upload($olga, form([ 'file', 'x.txt', 'application/x-msdownload',
    'x' ])), 415, 'unsupported_media_type', 'a blocked type is 415');
is_error(upload($olga, form([ 'file', 'cv.pdf', 'application/pdf',
    "MZ\x90\x00\x03" ])), 415, 'unsupported_media_type',
    'a Windows program named as a PDF is 415');
is_error(upload($olga, '{"file": "a"}', type => 'application/json'), 415,
    'unsupported_media_type', 'a body that is not multipart is 415');
is(stored(), $before, 'nothing refused was stored');

# The JSON routes keep their own, smaller cap.
is_error($s->request(GET => '/openapi/v1/account', { token => $olga->{token},
    body => 'x' x 2_000_000, content_type => 'application/json' }), 413,
    'payload_too_large', 'other routes keep max_body_bytes');

$s->finish;
done_testing;
