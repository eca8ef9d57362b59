#!/usr/bin/perl
# t/36-oauth-signin-limits.t: failed sign-ins are rate-limited per account
# and per client address, in PostgreSQL, so the limit holds whichever
# instance a request lands on; a limited sign-in answers 429 with
# Retry-After and does not check the password.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use HTTP::Tiny;
use Test::More;

use DrioStack;

my $s = DrioStack->start;
my $http = HTTP::Tiny->new(max_redirect => 0, timeout => 10);

$s->admin_stdin("right-password\n", 'create-account', 'limited@example.com',
    '--password-stdin');
$s->admin_stdin("right-password\n", 'create-account', 'other@example.com',
    '--password-stdin');

# A CSRF token and its cookie, as a browser holds them.
my $page = $http->get($s->url('/signin'));
my ($csrf) = ($page->{content} // '') =~ /name="csrf" value="([^"]+)"/;
ok(defined $csrf, 'the sign-in page carries a CSRF token');
$csrf //= '';

sub sign_in {
    my ($email, $password) = @_;
    return $http->post_form($s->url('/signin'),
        { email => $email, password => $password, csrf => $csrf,
          next => '/signin/done' },
        { headers => { Cookie => "drio_csrf=$csrf" } });
}

my @statuses = map { sign_in('limited@example.com', "wrong-$_")->{status} }
    1 .. 10;
is_deeply(\@statuses, [ (401) x 10 ],
    'ten wrong passwords for one account each answer 401');

my $res = sign_in('limited@example.com', 'wrong-11');
is($res->{status}, 429, 'the eleventh failure in the window answers 429');
like($res->{headers}{'retry-after'} // '', qr/\A[1-9][0-9]*\z/,
    'and says in Retry-After how many seconds to wait');
ok(($res->{headers}{'retry-after'} // 0) <= 900,
    'no longer than the 15-minute window');
like($res->{headers}{'content-type'} // '', qr{\Atext/html},
    'the 429 is the sign-in page, for a person to read');

$res = sign_in('LIMITED@example.com', 'right-password');
is($res->{status}, 429,
    'while limited even the right password is refused (email in any case)');
ok(!grep({ /drio_signin=[^;]/ } @{ _cookies($res) }),
    'and no sign-in cookie is set');

$res = sign_in('other@example.com', 'right-password');
is($res->{status}, 303,
    'another account from the same address can still sign in');

is($s->sql(q{SELECT count(*) FROM rate_limits
    WHERE key LIKE 'signin-account:%'}), 1,
    'the counter lives in PostgreSQL, shared by every instance');

# The address limit: 50 failures from one address across many accounts.
for my $i (1 .. 40) {   # 10 + 40 = 50 counted failures
    sign_in("nobody$i\@example.com", 'wrong');
}
$res = sign_in('other@example.com', 'right-password');
is($res->{status}, 429,
    'after 50 failures from one address, every account is refused there');

# A new window forgives: age the counters out of the current window.
$s->sql(q{UPDATE rate_limits SET window_start = window_start
    - interval '1 hour'});
$res = sign_in('limited@example.com', 'right-password');
is($res->{status}, 303, 'once the window has passed, signing in works again');

$s->finish;
done_testing;

sub _cookies {
    my ($r) = @_;
    my $c = $r->{headers}{'set-cookie'};
    return ref $c ? $c : defined $c ? [$c] : [];
}
