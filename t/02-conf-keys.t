#!/usr/bin/perl
# 02-conf-keys.t: conf/drio.conf.example documents exactly the settings drio
# reads.  The keys of the table in lib/config.c (its CONFIG_KEY("name", ...)
# lines) and the keys of the example (its `#key = value` or `key = value`
# lines) must be the same set; the example must name each key's DRIO_*
# environment variable; and where the table's default is a plain string,
# the example must show that default.  No stack needed.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Spec;
use Test::More;

# The source tree: DRIO_SRCDIR (set by `make check`), else the directory
# above this script's.
my $src = $ENV{DRIO_SRCDIR}
    || abs_path(File::Spec->catdir(dirname(abs_path($0) // $0), '..'));

# Read a whole file, or return undef with the reason in $!.
sub slurp {
    my ($path) = @_;
    open my $fh, '<', $path or return undef;
    local $/;
    my $text = <$fh>;
    close $fh;
    return $text;
}

# The key table in lib/config.c: name => default (the default is undef
# when it is not a plain string literal, e.g. PKGDATADIR "/sql").
my $config_c = "$src/lib/config.c";
my $table_text = slurp($config_c);
ok(defined $table_text, "lib/config.c exists and is readable")
    or diag("cannot read $config_c: $!");
$table_text //= '';

my (%table, @table_dups);
while ($table_text =~ /CONFIG_KEY\("([a-z_]+)"([^\n]*)/g) {
    my ($name, $rest) = ($1, $2);
    push @table_dups, $name if exists $table{$name};
    # CONFIG_KEY("name", KIND, field, "default", min, max)
    $table{$name} = $rest =~ /^\s*,\s*\w+\s*,\s*\w+\s*,\s*"([^"]*)"\s*,/
        ? $1 : undef;
}
cmp_ok(scalar keys %table, '>', 0,
    'lib/config.c declares its keys with CONFIG_KEY("name", ...)');
is("@table_dups", '', 'lib/config.c declares no key twice');

# The example: every `#key = value` / `key = value` line at line start.
# Prose comments start with "# " (a space), so they never match.
my $example_path = "$src/conf/drio.conf.example";
my $example = slurp($example_path);
ok(defined $example, 'conf/drio.conf.example exists and is readable')
    or diag("cannot read $example_path: $!");
$example //= '';

my (%documented, @example_dups);
for my $line (split /\n/, $example) {
    next unless $line =~ /^#?([a-z_]+)\s*=\s*(.*?)\s*$/;
    push @example_dups, $1 if exists $documented{$1};
    $documented{$1} = $2;
}
is("@example_dups", '', 'conf/drio.conf.example shows no key twice');

# The two sets are equal: one promise per key, whichever side has it.
my %all = (%table, %documented);
for my $key (sort keys %all) {
    if (exists $table{$key}) {
        ok(exists $documented{$key},
            "conf/drio.conf.example documents the key $key");
    } else {
        ok(0, "conf/drio.conf.example documents only keys drio reads "
            . "($key is not in lib/config.c)");
    }
}

# Each key's environment variable is named in the example.
for my $key (sort keys %table) {
    my $env = 'DRIO_' . uc $key;
    like($example, qr/\b\Q$env\E\b/,
        "conf/drio.conf.example names $env, the variable that overrides "
        . $key);
}

# Where the table has a plain default, the example shows the same one.
for my $key (sort grep { defined $table{$_} && exists $documented{$_} }
    keys %table) {
    is($documented{$key}, $table{$key},
        "conf/drio.conf.example shows the default of $key, $table{$key}");
}

done_testing();
