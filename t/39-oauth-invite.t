#!/usr/bin/perl
# t/39-oauth-invite.t: the invite_url that inviting a member returns.  A
# new (pending) account chooses its password there and is signed in; an
# existing account accepts while signed in as itself; an invitation works
# once, and not after it expired or its member was removed.
#
# SPDX-License-Identifier: MIT

use strict;
use warnings;

use Test::More;

use DrioBrowser;
use DrioStack;

my $s = DrioStack->start;
my $owner = $s->seed_user(email => 'owner@example.com');
my $ws = $s->seed_workspace('Team', 'owner@example.com');
my $members = "/openapi/v1/workspaces/$ws/members";

sub invite {
    my ($email) = @_;
    my $res = $s->request(POST => $members, { token => $owner->{token},
        json => { email => $email, role => 'normal' } });
    is($res->{status}, 201, "inviting $email answers 201");
    my ($path) = ($res->{json}{invite_url} // '') =~ m{\Ahttps?://[^/]+(/.*)\z};
    return $path // '/signin/invite?token=missing';
}

# --- a new account ----------------------------------------------------------

my $path = invite('newcomer@example.com');
like($path, qr{\A/signin/invite\?token=[A-Za-z0-9_-]{43}\z},
    'the invite_url leads to the invitation page with a token');
my $b = DrioBrowser->new($s);
my $page = $b->get($path);
is_html_page($page, 200, 'the invitation page is a page');
like($page->{content}, qr/Team/, 'it names the workspace');
my $form = $b->form($page, qr{/signin/invite});
ok($form && exists $form->{fields}{password},
    'a pending account is asked to choose a password');

my $res = $b->submit($form, { password => 'short' });
is($res->{status}, 422, 'a password under 8 characters is refused');
is($s->sql(q{SELECT status FROM accounts
    WHERE email = 'newcomer@example.com'}), 'pending',
    'and the account stays pending');

$res = $b->submit($form, { password => 'a-good-password' });
is($res->{status}, 303, 'choosing a password accepts the invitation');
is($res->{location}, '/signin/done', 'and shows the signed-in page');
ok($b->response_cookie($res, 'drio_signin'),
    'the new account is signed in at once');
is($s->sql(q{SELECT status FROM accounts
    WHERE email = 'newcomer@example.com'}), 'active',
    'the account is active');
like($s->sql(q{SELECT password_hash FROM accounts
    WHERE email = 'newcomer@example.com'}), qr/\Ascrypt\$/,
    'with its password stored as a scrypt hash');
is($s->sql(qq{SELECT current_workspace_id FROM accounts
    WHERE email = 'newcomer\@example.com'}), $ws,
    'and the workspace is its current one');
is($b->get('/signin/done')->{status}, 200,
    'the browser is signed in');

my $again = DrioBrowser->new($s);
$res = $again->get($path);
is($res->{status}, 404, 'an invitation works only once');

my $fresh = DrioBrowser->new($s);
$res = $fresh->sign_in('newcomer@example.com', 'a-good-password',
    '/signin/done');
is($res->{status}, 303, 'the chosen password signs in later');

$res = $b->submit($form, { password => 'another-password' });
is($res->{status}, 404, 'posting the used invitation again is refused');

# --- an existing account ----------------------------------------------------

$s->admin_stdin("existing-password\n", 'create-account',
    'existing@example.com', '--password-stdin');
$path = invite('existing@example.com');
my $e = DrioBrowser->new($s);
$res = $e->get($path);
is($res->{status}, 303, 'an existing account is sent to sign in first');
like($res->{location} // '', qr{\A/signin\?next=%2Fsignin%2Finvite},
    'and comes back to the invitation afterwards');
$res = $e->sign_in('existing@example.com', 'existing-password', $path);
is($res->{location}, $path, 'signing in returns to the invitation');
$page = $e->get($path);
$form = $e->form($page, qr{/signin/invite});
ok($form && !exists $form->{fields}{password},
    'an existing account is not asked for a password');
$res = $e->submit($form);
is($res->{status}, 303, 'joining as the invited account accepts');
is($s->sql(q{SELECT count(*) FROM member_invites i
    JOIN accounts a ON a.id = i.account_id
    WHERE a.email = 'existing@example.com' AND i.accepted_at IS NOT NULL}),
    1, 'the invitation is marked accepted');

# Signed in as someone else, the invitation is not theirs to accept.
$s->admin_stdin("fourth-password\n", 'create-account', 'fourth@example.com',
    '--password-stdin');
my $p2 = invite('fourth@example.com');
$res = $fresh->get($p2);
is($res->{status}, 303,
    'another signed-in account is sent to sign in as the invited one');

# --- dead invitations -------------------------------------------------------

$path = invite('late@example.com');
$s->sql(q{UPDATE member_invites SET expires_at = now() - interval '1 second'
    WHERE account_id = (SELECT id FROM accounts
                         WHERE email = 'late@example.com')});
$res = DrioBrowser->new($s)->get($path);
is($res->{status}, 404, 'an expired invitation is refused');

$path = invite('removed@example.com');
my $removed = $s->sql(q{SELECT id FROM accounts
    WHERE email = 'removed@example.com'});
$res = $s->request(DELETE => "$members/$removed",
    { token => $owner->{token} });
is($res->{status}, 200, 'the owner removes the invited member');
$res = DrioBrowser->new($s)->get($path);
is($res->{status}, 404, 'the removed member\'s invitation no longer works');

$res = DrioBrowser->new($s)->get('/signin/invite?token=nonsense');
is($res->{status}, 404, 'a malformed token is refused');

$res = $b->post_form('/signin/invite', { token => 'x' x 43,
    password => 'whatever-123' });
is($res->{status}, 403, 'a post without the CSRF token is refused');

$s->finish;
done_testing;
