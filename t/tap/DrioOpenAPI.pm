# DrioOpenAPI: what the tests of drio's OpenAPI documents share
# (t/44-api-v3-openapi.t, t/49-api-v1-openapi.t): reading a responder's
# route table and valid_field tables out of its C source, comparing a
# declared field with the schema a document gives it, and a small JSON
# Schema check of the replies.
#
#     use_document($doc);                 # pointer(), deref() and
#                                         # schema_errors() read it
#     my $c = c_tables(sources => [ $text, ... ], table => 'v3_routes');
#     # $c->{routes}: [{method, pattern, path, auth, query, body}, ...]
#     # $c->{fields}: {table => [{name, type, required, min, max,
#     #                           choices, has_default, default_int}]}
#     # $c->{nentries}: how many entries the route table has
#     my @why = field_problems($field, flat_schema($schema));
#     my @errors = schema_errors($schema, $value);
#
# The C is read with a small preprocessor: comments are dropped, lines
# joined at backslashes, and object-like and function-like #define
# macros (from every text given) expanded in the tables, so a table may
# be built from macros in other files (PAGE_QUERY_FIELDS(20),
# DRAFT_REVISION_FIELD, V1_APPS_ROUTES, "/api/v1" "/apps").  Constants
# may be simple integer arithmetic ((8 * 1024 * 1024)).
#
# SPDX-License-Identifier: MIT

package DrioOpenAPI;

use strict;
use warnings;

use B ();
use Carp qw(croak);
use Exporter 'import';
use JSON::PP ();
use DrioTest qw(json_text);

our @EXPORT = qw(use_document pointer deref c_tables flat_schema
    field_problems json_type json_equal schema_errors);

my $doc;    # the document pointer() reads

# Make $d the document local references point into.
sub use_document {
    ($doc) = @_;
    return;
}

# --- the document -----------------------------------------------------------

# The node a local $ref ("#/a/b") points at.
sub pointer {
    my ($ref) = @_;
    my $node = $doc;
    die "not a local reference: $ref\n" unless $ref =~ s{\A#/}{};
    for my $token (split m{/}, $ref) {
        $token =~ s/~1/\//g;
        $token =~ s/~0/~/g;
        die "dangling reference #/$ref\n"
            unless ref $node eq 'HASH' && exists $node->{$token};
        $node = $node->{$token};
    }
    return $node;
}

# $node with its $refs followed.
sub deref {
    my ($node) = @_;
    $node = pointer($node->{'$ref'})
        while ref $node eq 'HASH' && defined $node->{'$ref'};
    return $node;
}

# --- the C tables -----------------------------------------------------------

my $STRING = qr/"(?:[^"\\]|\\.)*"/;

# $text without comments, its continued lines joined.
sub _c_clean {
    my ($text) = @_;
    $text =~ s{($STRING)|/\*.*?\*/}{defined $1 ? $1 : ' '}gse;
    $text =~ s/\\\n/ /g;
    return $text;
}

# The #define macros of $text: name => {params (array ref, or undef for
# an object-like macro), body}.
sub _c_macros {
    my ($text, $macro) = @_;
    while ($text =~ /^[ \t]*\#[ \t]*define[ \t]+(\w+)(\(([^)]*)\))?
            [ \t]*([^\n]*?)[ \t]*$/mgx) {
        my ($name, $params, $body) = ($1, $3, $4);
        $macro->{$name} = { body => $body, params => defined $2
            ? [ grep { $_ ne '' } map { s/\A\s+|\s+\z//gr }
                split /,/, $params ] : undef };
    }
    return;
}

# $text with the macros of %$macro expanded (a macro is not expanded
# inside its own expansion, as cpp does).
sub _c_expand {
    my ($text, $macro, $active) = @_;
    $active //= {};
    my $out = '';
    pos($text) = 0;
    while (pos($text) < length $text) {
        if ($text =~ /\G($STRING)/gc) {
            $out .= $1;
        } elsif ($text =~ /\G(\w+)/gc) {
            my $name = $1;
            my $m = $macro->{$name};
            if (!$m || $active->{$name} || $name =~ /\A\d/) {
                $out .= $name;
                next;
            }
            my $body = $m->{body};
            if ($m->{params}) {
                my $at = pos($text);
                unless ($text =~ /\G\s*\(/gc) {
                    pos($text) = $at;
                    $out .= $name;
                    next;
                }
                my @args = ('');
                my $depth = 0;
                while (1) {
                    croak "unbalanced arguments of $name"
                        if pos($text) >= length $text;
                    if ($text =~ /\G($STRING)/gc) {
                        $args[-1] .= $1;
                    } elsif ($text =~ /\G([()])/gc) {
                        last if $1 eq ')' && $depth == 0;
                        $depth += $1 eq '(' ? 1 : -1;
                        $args[-1] .= $1;
                    } elsif ($depth == 0 && $text =~ /\G,/gc) {
                        push @args, '';
                    } else {
                        $text =~ /\G(.)/gcs;
                        $args[-1] .= $1;
                    }
                }
                my %arg;
                @arg{ @{ $m->{params} } } = map { s/\A\s+|\s+\z//gr } @args;
                $body =~ s{($STRING)|\b(\w+)\b}{
                    defined $1 ? $1 : exists $arg{$2} ? $arg{$2} : $2 }ge;
            }
            $out .= _c_expand($body, $macro, { %$active, $name => 1 });
        } else {
            $text =~ /\G(.)/gcs;
            $out .= $1;
        }
    }
    return $out;
}

# The text of a C string expression: "a" "b" (macros already expanded).
sub _c_string {
    my ($expr) = @_;
    my $out = '';
    for my $token ($expr =~ /("[^"]*"|\w+)/g) {
        $token =~ /\A"(.*)"\z/s or die "not a string: $token\n";
        $out .= $1;
    }
    return $out;
}

# A C constant: 20, (20), 1000000000000LL, (8 * 1024 * 1024), true.
sub _c_value {
    my ($text) = @_;
    $text =~ s/\A\s*\(?\s*|\s*\)?\s*\z//g;
    return 1 if $text eq 'true';
    return 0 if $text eq 'false';
    $text =~ s/(?<=\d)[LlUu]+\b//g;
    if ($text =~ /\A[\d\s()*+-]+\z/ && $text =~ /[*+-]/) {
        my $value = 0;
        my @terms = split /\s*\+\s*/, $text =~ s/[()]//gr;
        for my $term (@terms) {
            my $product = 1;
            $product *= $_ for split /\s*\*\s*/, $term;
            $value += $product;
        }
        return $value;
    }
    return $text;
}

# Read the route table named table (and the valid_field tables and enum
# choices it uses) from the C texts of %opt{sources}.
sub c_tables {
    my (%opt) = @_;
    my $text = join "\n", map { _c_clean($_) } @{ $opt{sources} };
    my %macro;
    _c_macros($text, \%macro);

    # NULL-terminated string arrays: the enum choices.
    my %choices;
    while ($text =~ /(?:static\s+)?const\s+char\s+\*const\s+(\w+)\[\]
            \s*=\s*\{(.*?)\};/sgx) {
        my ($name, $body) = ($1, $2);
        $choices{$name} = [ $body =~ /"([^"]*)"/g ];
    }

    # The valid_field tables: name => [ {name, type, required, min, max,
    # choices, default}, ... ] in table order.
    my %fields;
    while ($text =~ /static\s+const\s+struct\s+valid_field\s+(\w+)\[\]\s*=
            \s*\{(.*?)\n\};/sgx) {
        my ($table, $body) = ($1, _c_expand($2, \%macro));
        for my $entry ($body =~ /\{([^{}]*)\}/g) {
            my %f;
            while ($entry =~ /\.(\w+)\s*=\s*("[^"]*"|[^,]+?)\s*(?:,|\z)/g) {
                my ($key, $value) = ($1, $2);
                $f{$key} = $value =~ /\A"(.*)"\z/ ? $1 : _c_value($value);
            }
            $f{choices} = $choices{ $f{choices} }
                // die "no choices $f{choices}\n" if defined $f{choices};
            push @{ $fields{$table} }, \%f;
        }
    }

    # The routes: {method, pattern (as written), path (as documented),
    # auth, query (table name or undef), body (table name or undef)}.
    my ($table) = $text =~ /static\s+const\s+struct\s+route\s+\Q$opt{table}\E\[\]
            \s*=\s*\{(.*?)\n\};/sx
        or croak "no route table $opt{table}";
    $table = _c_expand($table, \%macro);
    my @routes;
    while ($table =~ /\{ \s* "(?<method>[A-Z]+|\*)", \s*
            (?<pattern>.*?), \s* \w+, \s*
            (?<auth>ROUTE_PUBLIC|ROUTE_BEARER), \s*
            (?:ROUTE_NO_FIELDS|ROUTE_FIELDS\((?<query>\w+)\)), \s*
            (?:ROUTE_NO_FIELDS|ROUTE_FIELDS\((?<body>\w+)\)), \s*
            ROUTE_\w+ \s* \}/sgx) {
        my %route = (method => $+{method}, auth => $+{auth},
            query => $+{query}, body => $+{body});
        $route{pattern} = _c_string($+{pattern});
        ($route{path} = $route{pattern}) =~ s/\{(\w+):uuid\}/{$1}/g;
        push @routes, \%route;
    }
    my $nentries = () = $table =~ /\{\s*"/g;
    return { routes => \@routes, fields => \%fields, nentries => $nentries,
        choices => \%choices };
}

# --- declared fields against documented schemas -----------------------------

# A schema without $refs, and whether it also admits null (type arrays
# with "null", or anyOf [X, {type: null}]).
sub flat_schema {
    my ($s) = @_;
    $s = deref($s);
    my $nullable = 0;
    if (ref $s->{anyOf} eq 'ARRAY') {
        my @rest = grep { (deref($_)->{type} // '') ne 'null' }
            @{ $s->{anyOf} };
        $nullable = @rest < @{ $s->{anyOf} };
        $s = deref($rest[0]) if @rest == 1;
    }
    my %s = %$s;
    if (ref $s{type} eq 'ARRAY') {
        my @types = grep { $_ ne 'null' } @{ $s{type} };
        $nullable ||= @types < @{ $s{type} };
        $s{type} = @types == 1 ? $types[0] : [@types];
    }
    $s{enum} = [ grep { defined } @{ $s{enum} } ] if $s{enum};
    return (\%s, $nullable);
}

my %JSON_TYPE = (VALID_STRING => 'string', VALID_INT => 'integer',
    VALID_BOOL => 'boolean', VALID_ENUM => 'string', VALID_UUID => 'string',
    VALID_EMAIL => 'string', VALID_URL => 'string',
    VALID_STRING_ARRAY => 'array', VALID_OBJECT => 'object',
    VALID_ARRAY => 'array');

# What is wrong with documented schema $s for declared field $f.
sub field_problems {
    my ($f, $s) = @_;
    my @why;
    my $type = $JSON_TYPE{ $f->{type} } // return "unknown type $f->{type}";
    push @why, "type is " . json_text($s->{type}) . ", not $type"
        if ($s->{type} // '') ne $type;
    my %want;
    if ($f->{type} eq 'VALID_INT') {
        %want = (minimum => $f->{min}, maximum => $f->{max});
        $want{default} = $f->{default_int} if $f->{has_default};
    } elsif ($f->{type} eq 'VALID_STRING') {
        %want = (minLength => ($f->{min} // 0) > 0 ? $f->{min} : undef,
            maxLength => ($f->{max} // 0) > 0 ? $f->{max} : 1024);
    } elsif ($f->{type} eq 'VALID_URL') {
        %want = (maxLength => ($f->{max} // 0) > 0 ? $f->{max} : 2048);
        push @why, 'format is not uri' if ($s->{format} // '') ne 'uri';
    } elsif ($f->{type} eq 'VALID_ARRAY') {
        %want = (minItems => ($f->{min} // 0) > 0 ? $f->{min} : undef,
            maxItems => ($f->{max} // 0) > 0 ? $f->{max} : undef);
    } elsif ($f->{type} eq 'VALID_STRING_ARRAY') {
        %want = (minItems => $f->{min}, maxItems => $f->{max});
        push @why, 'items are not strings of at most 2000 characters'
            unless (deref($s->{items} // {})->{type} // '') eq 'string'
                && (deref($s->{items})->{maxLength} // 0) == 2000;
    } elsif ($f->{type} eq 'VALID_UUID') {
        push @why, 'format is not uuid' if ($s->{format} // '') ne 'uuid';
    } elsif ($f->{type} eq 'VALID_ENUM') {
        push @why, 'enum is ' . json_text($s->{enum}) . ', not '
            . json_text($f->{choices})
            unless json_text([ sort @{ $s->{enum} // [] } ])
                eq json_text([ sort @{ $f->{choices} } ]);
    }
    for my $key (sort keys %want) {
        my ($w, $got) = ($want{$key}, $s->{$key});
        next if !defined $w && !defined $got;
        push @why, "$key is " . ($got // 'absent') . ', not '
            . ($w // 'absent')
            if !defined $w || !defined $got || $got != $w;
    }
    return @why;
}

# --- a JSON Schema check ----------------------------------------------------
#
# The subset the documents use: $ref, anyOf, type (arrays for null),
# const, enum, required, properties, additionalProperties (false or a
# schema), items, minItems, maxItems, pattern, format (uuid, date-time),
# minLength, maxLength, minimum, maximum.  Values come straight from
# JSON::PP; a number is told from a string by its flags, so nothing here
# ever uses a value as a string before asking its type.

my $UUID = qr/\A[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}\z/i;
my $DATE_TIME = qr/\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?
    (?:Z|[+-]\d\d:\d\d)\z/ix;

sub json_type {
    my ($v) = @_;
    return 'null' unless defined $v;
    return 'boolean' if JSON::PP::is_bool($v);
    return 'object' if ref $v eq 'HASH';
    return 'array' if ref $v eq 'ARRAY';
    return 'unknown' if ref $v;
    my $flags = B::svref_2object(\$v)->FLAGS;
    return 'string' unless $flags & (B::SVp_IOK | B::SVp_NOK);
    return ($flags & B::SVp_NOK) && $v != int $v ? 'number' : 'integer';
}

sub json_equal {
    my ($x, $y) = @_;
    my ($tx, $ty) = (json_type($x), json_type($y));
    $tx = 'number' if $tx eq 'integer';
    $ty = 'number' if $ty eq 'integer';
    return 0 if $tx ne $ty;
    return 1 if $tx eq 'null';
    return !!$x == !!$y if $tx eq 'boolean';
    return $x == $y if $tx eq 'number';
    return $x eq $y if $tx eq 'string';
    if ($tx eq 'array') {
        return 0 if @$x != @$y;
        return !grep { !json_equal($x->[$_], $y->[$_]) } 0 .. $#$x;
    }
    return 0 if join("\0", sort keys %$x) ne join("\0", sort keys %$y);
    return !grep { !json_equal($x->{$_}, $y->{$_}) } keys %$x;
}

# Every way $v fails schema $s; $at says where ("" is the top).
sub schema_errors {
    my ($s, $v, $at) = @_;
    $at //= '';
    my $where = $at eq '' ? '/' : $at;
    return ("$where: schema is not an object") if ref $s ne 'HASH';
    my @e;
    push @e, schema_errors(pointer($s->{'$ref'}), $v, $at)
        if defined $s->{'$ref'};
    if (ref $s->{anyOf} eq 'ARRAY') {
        my @why = map { [ schema_errors($_, $v, $at) ] } @{ $s->{anyOf} };
        push @e, "$where: matches no anyOf branch ("
            . join('; ', map { @$_ ? $_->[0] : () } @why) . ')'
            unless grep { !@$_ } @why;
    }
    my $t = json_type($v);
    if (defined $s->{type}) {
        my @types = ref $s->{type} ? @{ $s->{type} } : ($s->{type});
        return (@e, "$where: is $t, not " . join('|', @types))
            unless grep { $_ eq $t || ($_ eq 'number' && $t eq 'integer') }
                @types;
    }
    push @e, "$where: is not the constant " . json_text($s->{const})
        if exists $s->{const} && !json_equal($v, $s->{const});
    push @e, "$where: is not one of " . json_text($s->{enum})
        if ref $s->{enum} eq 'ARRAY'
            && !grep { json_equal($v, $_) } @{ $s->{enum} };
    if ($t eq 'object') {
        for my $key (@{ $s->{required} // [] }) {
            push @e, "$at/$key: required but missing" unless exists $v->{$key};
        }
        my $props = $s->{properties} // {};
        my $extra = $s->{additionalProperties};
        for my $key (sort keys %$v) {
            if (exists $props->{$key}) {
                push @e, schema_errors($props->{$key}, $v->{$key}, "$at/$key");
            } elsif (JSON::PP::is_bool($extra) && !$extra) {
                push @e, "$at/$key: not documented (additionalProperties"
                    . ' is false)';
            } elsif (ref $extra eq 'HASH') {
                push @e, schema_errors($extra, $v->{$key}, "$at/$key");
            }
        }
    } elsif ($t eq 'array') {
        push @e, "$where: fewer than $s->{minItems} items"
            if defined $s->{minItems} && @$v < $s->{minItems};
        push @e, "$where: more than $s->{maxItems} items"
            if defined $s->{maxItems} && @$v > $s->{maxItems};
        if (ref $s->{items} eq 'HASH') {
            push @e, schema_errors($s->{items}, $v->[$_], "$at/$_")
                for 0 .. $#$v;
        }
    } elsif ($t eq 'string') {
        my $len = length $v;
        push @e, "$where: shorter than $s->{minLength}"
            if defined $s->{minLength} && $len < $s->{minLength};
        push @e, "$where: longer than $s->{maxLength}"
            if defined $s->{maxLength} && $len > $s->{maxLength};
        push @e, "$where: does not match $s->{pattern}"
            if defined $s->{pattern} && $v !~ /$s->{pattern}/;
        my $format = $s->{format} // '';
        push @e, "$where: is not a uuid" if $format eq 'uuid' && $v !~ $UUID;
        push @e, "$where: is not an RFC 3339 date-time"
            if $format eq 'date-time' && $v !~ $DATE_TIME;
    } elsif ($t eq 'integer' || $t eq 'number') {
        push @e, "$where: less than $s->{minimum}"
            if defined $s->{minimum} && $v < $s->{minimum};
        push @e, "$where: more than $s->{maximum}"
            if defined $s->{maximum} && $v > $s->{maximum};
    }
    return @e;
}

1;
