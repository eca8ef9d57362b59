# DrioTest: assertions shared by drio's end-to-end tests.  Each is one test
# (one promise) that says everything it found wrong with diag.  Responses
# are the hashrefs DrioStack::request returns.
#
# SPDX-License-Identifier: MIT

package DrioTest;

use strict;
use warnings;

use Exporter 'import';
use JSON::PP ();
use Test::More ();

our @EXPORT = qw(is_error is_validation_error is_oauth_error
    is_list_envelope is_uuid json_text $UUID_RE $TIME_RE);

our $UUID_RE =
    qr/\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\z/;
our $TIME_RE = qr/\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\z/;

# A response shown for a diagnostic: status, content type and body.
sub _show {
    my ($res) = @_;
    my $body = $res->{content} // '';
    $body = substr($body, 0, 600) . '...' if length $body > 600;
    return sprintf("status %s, Content-Type %s, body: %s", $res->{status},
        $res->{headers}{'content-type'} // '(none)', $body);
}

sub _is_json_type {
    my ($res) = @_;
    return ($res->{headers}{'content-type'} // '')
        =~ m{\Aapplication/json\s*(?:;|\z)}i;
}

# Compact JSON text of a Perl value, for diagnostics.
sub json_text {
    return JSON::PP->new->canonical->allow_nonref->encode($_[0]);
}

# The problems with $res as an ErrorBody of $status and $code.
sub _error_problems {
    my ($res, $status, $code) = @_;
    my @why;
    push @why, "status is $res->{status}, not $status"
        if $res->{status} != $status;
    push @why, 'Content-Type is not application/json'
        unless _is_json_type($res);
    my $body = $res->{json};
    if (ref $body ne 'HASH') {
        push @why, 'body is not a JSON object';
        return @why;
    }
    push @why, 'code is ' . json_text($body->{code}) . ", not \"$code\""
        if !defined $body->{code} || $body->{code} ne $code;
    push @why, 'status field is ' . json_text($body->{status})
        . ", not $status"
        if !defined $body->{status} || ref $body->{status}
            || $body->{status} !~ /\A\d+\z/ || $body->{status} != $status;
    push @why, 'message is missing or empty'
        if !defined $body->{message} || ref $body->{message}
            || $body->{message} eq '';
    return @why;
}

# is_error($res, $status, $code, $desc): $res is an ErrorBody response:
# that HTTP status, Content-Type application/json, and a body
# {code, message, status} with that code, a non-empty message and status
# equal to the HTTP status.
sub is_error {
    my ($res, $status, $code, $desc) = @_;
    my $tb = Test::More->builder;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @why = _error_problems($res, $status, $code);
    $tb->ok(!@why, $desc)
        or $tb->diag(join("\n", @why, _show($res)));
    return !@why;
}

# is_validation_error($res, \@loc, $type, $desc): a 422 validation_error
# whose details hold an entry with exactly that loc (e.g. ['query','foo'])
# and type (undef: any type), and a non-empty msg.
sub is_validation_error {
    my ($res, $loc, $type, $desc) = @_;
    my $tb = Test::More->builder;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @why = _error_problems($res, 422, 'validation_error');
    my $details = ref $res->{json} eq 'HASH' ? $res->{json}{details} : undef;
    if (ref $details ne 'ARRAY') {
        push @why, 'details is not an array';
    } else {
        my $want = json_text($loc);
        my @match = grep {
            ref $_ eq 'HASH' && ref $_->{loc} eq 'ARRAY'
                && json_text($_->{loc}) eq $want
                && defined $_->{type} && !ref $_->{type}
                && (!defined $type || $_->{type} eq $type)
        } @$details;
        if (!@match) {
            push @why, "no detail with loc $want and type "
                . (defined $type ? "\"$type\"" : '(any)');
        } elsif (grep { !defined $_->{msg} || $_->{msg} eq '' } @match) {
            push @why, "the detail with loc $want has an empty msg";
        }
    }
    $tb->ok(!@why, $desc)
        or $tb->diag(join("\n", @why, _show($res)));
    return !@why;
}

# is_list_envelope($res, $desc): a 200 JSON body
# {data (array), page, limit, total (integers), has_more (boolean)}.
# One test: $res is an RFC 6749 5.2 error, {error, error_description?},
# with $status and $error, and carries no token.
sub is_oauth_error {
    my ($res, $status, $error, $desc) = @_;
    my $body = $res->{json};
    my @why;
    push @why, "status is $res->{status}, not $status"
        if $res->{status} != $status;
    if (ref $body ne 'HASH') {
        push @why, 'body is not a JSON object';
    } else {
        push @why, 'error is ' . json_text($body->{error})
            . ", not \"$error\""
            if !defined $body->{error} || $body->{error} ne $error;
        push @why, 'an access_token came with the error'
            if exists $body->{access_token};
    }
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    Test::More::ok(!@why, $desc)
        or Test::More::diag(join "\n", @why, "body: $res->{content}");
}

sub is_list_envelope {
    my ($res, $desc) = @_;
    my $tb = Test::More->builder;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @why;
    push @why, "status is $res->{status}, not 200" if $res->{status} != 200;
    push @why, 'Content-Type is not application/json'
        unless _is_json_type($res);
    my $body = $res->{json};
    if (ref $body ne 'HASH') {
        push @why, 'body is not a JSON object';
    } else {
        push @why, 'data is not an array' if ref $body->{data} ne 'ARRAY';
        for my $key (qw(page limit total)) {
            push @why, "$key is not an integer"
                if !defined $body->{$key} || ref $body->{$key}
                    || $body->{$key} !~ /\A\d+\z/;
        }
        push @why, 'has_more is not a boolean'
            unless JSON::PP::is_bool($body->{has_more});
        my @extra = grep { !/\A(?:data|page|limit|total|has_more)\z/ }
            keys %$body;
        push @why, "unexpected keys: @extra" if @extra;
    }
    $tb->ok(!@why, $desc)
        or $tb->diag(join("\n", @why, _show($res)));
    return !@why;
}

# is_uuid($value, $desc): a canonical lower-case UUID string.
sub is_uuid {
    my ($value, $desc) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    return Test::More::like($value // '', $UUID_RE, $desc);
}

1;
