#!/usr/bin/perl
# 01-docs-errors.t: docs/errors.md documents exactly the error codes drio
# answers with: every code in lib/error.c's table, with its HTTP status,
# and no code that neither the table nor the nginx site (which answers for
# the responders when none is reachable) can produce.  No stack needed.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Test::More;
use DrioStack;

my $src = DrioStack::srcdir();

sub slurp {
    my ($path) = @_;
    open my $fh, '<', $path or BAIL_OUT("cannot read $path: $!");
    local $/;
    my $text = <$fh>;
    close $fh;
    return $text;
}

# The table in lib/error.c: code string => HTTP status.  ERR_NONE is the
# absence of an error, not a code a client ever sees.
my %table;
my $error_c = slurp("$src/lib/error.c");
while ($error_c =~ /\[(ERR_[A-Z_]+)\]\s*=\s*\{\s*"([a-z_]+)",\s*(\d{3})/g) {
    next if $1 eq 'ERR_NONE';
    $table{$2} = $3;
}
cmp_ok(scalar keys %table, '>=', 20,
    'lib/error.c has a table of at least 20 error codes');

# The codes nginx answers with itself (its error_page bodies).
my %nginx;
my $site = slurp("$src/conf/nginx/drio.conf.in");
while ($site =~ /return\s+(\d{3})\s+'\{"code":"([a-z_]+)"/g) {
    $nginx{$2} = $1;
}

# The table rows of docs/errors.md: | `code` | status | ...
my %docs;
my @dups;
for my $line (split /\n/, slurp("$src/docs/errors.md")) {
    next unless $line =~ /^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|/;
    push @dups, $1 if exists $docs{$1};
    $docs{$1} = $2;
}

for my $code (sort { $table{$a} <=> $table{$b} || $a cmp $b } keys %table) {
    is($docs{$code}, $table{$code},
        "docs/errors.md documents $code with status $table{$code}");
}
my $docs_text = slurp("$src/docs/errors.md");
for my $code (sort keys %nginx) {
    next if exists $table{$code};
    ok(exists $docs{$code} || $docs_text =~ /`\Q$code\E`/,
        "docs/errors.md mentions $code, which nginx answers with itself");
}

my @unknown = grep { !exists $table{$_} && !exists $nginx{$_} }
    sort keys %docs;
is_deeply(\@unknown, [],
    'docs/errors.md lists no code that drio cannot answer with');
is_deeply(\@dups, [], 'docs/errors.md lists each code once');

done_testing;
