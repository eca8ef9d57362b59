# DrioBrowser: a small cookie-keeping browser over a DrioStack, for the
# tests of drio's HTML pages (sign-in, consent) and the OAuth flows that go
# through them.
#
#     my $b = DrioBrowser->new($s);
#     my $res = $b->get('/signin?next=/oauth/authorize%3F...');
#     my $form = $b->form($res, qr{^/signin\b});
#     $res = $b->submit($form, { email => $email, password => $pw });
#     is($res->{status}, 303, ...);
#     $res = $b->follow($res);          # one redirect, on request only
#
# It never follows a redirect by itself: every answer comes back as
# {status, reason, url, headers (lower-cased names), set_cookies (every
# Set-Cookie value, in order), location, content, json}.  Cookies from
# Set-Cookie are kept by name and Path (Max-Age=0 or an Expires in the
# past deletes one) and sent back on requests whose path they cover.
#
# Also here, because every OAuth test needs them: pkce_pair(),
# base64url() and the is_html_page() assertion (exported);
# form_urlencode(), uri_escape(), query_params(), cookie_attributes() and
# html_decode() (on request); and the sign_in() and authorize() methods.
#
# Core Perl only.
#
# SPDX-License-Identifier: MIT

package DrioBrowser;

use strict;
use warnings;

use Carp qw(croak);
use Digest::SHA ();
use Exporter 'import';
use HTTP::Tiny;
use JSON::PP ();
use MIME::Base64 ();
use Test::More ();
use Time::Local ();

# The Content-Security-Policy of every drio HTML page (docs/oauth.md).
our $PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; "
    . "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

our @EXPORT = qw(pkce_pair base64url is_html_page $PAGE_CSP);
our @EXPORT_OK = qw(form_urlencode query_params cookie_attributes uri_escape
    html_decode);

# --- encoding ---------------------------------------------------------------

# Percent-encode one value for a query string or form body (UTF-8 first
# when the string holds wide characters).
sub uri_escape {
    my ($text) = @_;
    $text //= '';
    utf8::encode($text) if utf8::is_utf8($text);
    $text =~ s/([^A-Za-z0-9\-._~])/sprintf('%%%02X', ord $1)/ge;
    return $text;
}

# The application/x-www-form-urlencoded text of \%fields (keys sorted) or
# of \@pairs (order and repeats kept: [name => value, name => value]).
sub form_urlencode {
    my ($fields) = @_;
    my @pairs = ref $fields eq 'ARRAY' ? @$fields
        : map { ($_ => $fields->{$_}) } sort keys %$fields;
    my @out;
    while (my ($name, $value) = splice @pairs, 0, 2) {
        push @out, uri_escape($name) . '=' . uri_escape($value);
    }
    return join '&', @out;
}

# Decode one percent-encoded query component ('+' is a space), UTF-8
# bytes to characters.
sub _unescape {
    my ($text) = @_;
    $text =~ tr/+/ /;
    $text =~ s/%([0-9A-Fa-f]{2})/chr(hex $1)/ge;
    utf8::decode($text);
    return $text;
}

# The query parameters of a URL (or of a bare query string) as a hashref
# name => value; a repeated name keeps its last value, and all of them are
# in the arrayref under the key '' (as [name, value] pairs, in order).
sub query_params {
    my ($url) = @_;
    my $query = $url // '';
    $query =~ s/#.*//s;
    if ($query =~ /\?(.*)\z/s) {
        $query = $1;
    } elsif ($query =~ m{\A(?:/|[A-Za-z][A-Za-z0-9+.-]*:)}) {
        $query = '';    # a URL without a query
    }
    my %params;
    my @pairs;
    for my $part (split /&/, $query) {
        next if $part eq '';
        my ($name, $value) = split /=/, $part, 2;
        $name = _unescape($name);
        $value = _unescape($value // '');
        $params{$name} = $value;
        push @pairs, [ $name, $value ];
    }
    $params{''} = \@pairs;
    return \%params;
}

# HTML text to characters: the named entities drio's pages use and any
# numeric reference.
my %ENTITY = (amp => '&', lt => '<', gt => '>', quot => '"', apos => "'",
    nbsp => "\x{a0}");
sub html_decode {
    my ($text) = @_;
    return undef unless defined $text;
    $text =~ s{&(?:#[xX]([0-9A-Fa-f]+)|#(\d+)|([A-Za-z]+));}{
        defined $1 ? chr(hex $1)
        : defined $2 ? chr($2)
        : exists $ENTITY{$3} ? $ENTITY{$3} : "&$3;"
    }ge;
    return $text;
}

# base64url without padding (RFC 7636 appendix A).
sub base64url {
    my ($bytes) = @_;
    my $text = MIME::Base64::encode_base64($bytes, '');
    $text =~ tr{+/}{-_};
    $text =~ s/=+\z//;
    return $text;
}

# A PKCE pair: a code_verifier of $length (default 64) characters from
# the unreserved set, and its S256 code_challenge.  Returns
# ($verifier, $challenge).
sub pkce_pair {
    my ($length) = @_;
    $length //= 64;
    my @chars = ('A' .. 'Z', 'a' .. 'z', '0' .. '9', '-', '.', '_', '~');
    my $verifier = join '', map { $chars[ int rand @chars ] } 1 .. $length;
    return ($verifier, base64url(Digest::SHA::sha256($verifier)));
}

# --- cookies ----------------------------------------------------------------

my %MONTH = (jan => 0, feb => 1, mar => 2, apr => 3, may => 4, jun => 5,
    jul => 6, aug => 7, sep => 8, oct => 9, nov => 10, dec => 11);

# An HTTP date (RFC 1123 or the RFC 850 and asctime forms) as epoch
# seconds, or undef.
sub _http_date {
    my ($text) = @_;
    my ($day, $mon, $year, $h, $m, $s);
    if ($text =~ /(\d{1,2})[\s-]+([A-Za-z]{3})[\s-]+(\d{2,4})\s+
                  (\d\d):(\d\d):(\d\d)/x) {
        ($day, $mon, $year, $h, $m, $s) = ($1, $2, $3, $4, $5, $6);
    } elsif ($text =~ /([A-Za-z]{3})\s+(\d{1,2})\s+(\d\d):(\d\d):(\d\d)\s+
                      (\d{4})/x) {
        ($mon, $day, $h, $m, $s, $year) = ($1, $2, $3, $4, $5, $6);
    } else {
        return undef;
    }
    $mon = $MONTH{ lc $mon } // return undef;
    $year += $year < 70 ? 2000 : 1900 if $year < 100;
    return eval { Time::Local::timegm($s, $m, $h, $day, $mon, $year) };
}

# One Set-Cookie value as {name, value, attributes => {lower-cased
# attribute name => value (1 for a flag such as HttpOnly)}}.
sub cookie_attributes {
    my ($set_cookie) = @_;
    my ($pair, @attrs) = split /\s*;\s*/, $set_cookie // '';
    my ($name, $value) = split /=/, $pair // '', 2;
    my %attrs;
    for my $attr (@attrs) {
        next if $attr eq '';
        my ($key, $val) = split /=/, $attr, 2;
        $attrs{ lc $key } = defined $val ? $val : 1;
    }
    $name //= '';
    $name =~ s/^\s+|\s+$//g;
    return { name => $name, value => $value // '', attributes => \%attrs };
}

# --- the browser ------------------------------------------------------------

# A browser with an empty cookie jar, talking to $stack's nginx.
sub new {
    my ($class, $stack, %opt) = @_;
    croak 'DrioBrowser->new needs a stack' unless $stack;
    return bless {
        stack   => $stack,
        jar     => {},    # "name\0path" => {name, value, path}
        timeout => $opt{timeout} // 10,
    }, $class;
}

sub stack { return $_[0]{stack} }

# An absolute URL for a path on the stack, or an absolute URL as is.
sub absolute {
    my ($self, $path_or_url) = @_;
    return $path_or_url if $path_or_url =~ m{\A[A-Za-z][A-Za-z0-9+.-]*://};
    $path_or_url = "/$path_or_url" unless $path_or_url =~ m{\A/};
    return $self->{stack}->url($path_or_url);
}

# The value of cookie $name in the jar (any path), or undef.
sub cookie {
    my ($self, $name) = @_;
    for my $c (values %{ $self->{jar} }) {
        return $c->{value} if $c->{name} eq $name;
    }
    return undef;
}

# Put a cookie in the jar by hand (Path /), e.g. to replay an old one.
sub set_cookie {
    my ($self, $name, $value, $path) = @_;
    $path //= '/';
    $self->{jar}{"$name\0$path"} =
        { name => $name, value => $value, path => $path };
}

# Remove one cookie (every path), or with no name every cookie.
sub clear_cookies {
    my ($self, $name) = @_;
    if (!defined $name) {
        $self->{jar} = {};
        return;
    }
    delete $self->{jar}{$_}
        for grep { $self->{jar}{$_}{name} eq $name } keys %{ $self->{jar} };
}

# Store what one Set-Cookie value says.
sub _store_cookie {
    my ($self, $set_cookie, $request_path) = @_;
    my $c = cookie_attributes($set_cookie);
    return if $c->{name} eq '';
    my $a = $c->{attributes};
    my $path = $a->{path};
    if (!defined $path || $path !~ m{\A/}) {
        # RFC 6265 5.1.4: the default path is the request path's directory.
        ($path = $request_path) =~ s{/[^/]*\z}{};
        $path = '/' if $path eq '';
    }
    my $key = "$c->{name}\0$path";
    my $expired = 0;
    if (defined $a->{'max-age'}) {
        $expired = 1 if $a->{'max-age'} =~ /\A\s*-?\d+\s*\z/
            && $a->{'max-age'} <= 0;
    } elsif (defined $a->{expires}) {
        my $when = _http_date($a->{expires});
        $expired = 1 if defined $when && $when <= time;
    }
    if ($expired) {
        delete $self->{jar}{$key};
    } else {
        $self->{jar}{$key} =
            { name => $c->{name}, value => $c->{value}, path => $path };
    }
}

# The Cookie header for a request path, or undef.
sub _cookie_header {
    my ($self, $path) = @_;
    my @send;
    for my $c (sort { length $b->{path} <=> length $a->{path} }
        values %{ $self->{jar} }) {
        my $p = $c->{path};
        next unless $path eq $p || index($path, $p eq '/' ? '/' : "$p/") == 0;
        push @send, "$c->{name}=$c->{value}";
    }
    return @send ? join('; ', @send) : undef;
}

# Send one request.  %$opt: headers, body (raw), content_type, form
# (fields sent form-encoded), json (sent as JSON).  Returns the answer
# hashref described at the top.
sub request {
    my ($self, $method, $path_or_url, $opt) = @_;
    $opt //= {};
    my $url = $self->absolute($path_or_url);
    my ($path) = $url =~ m{\A[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*([^?#]*)};
    $path = '/' if !defined $path || $path eq '';
    my %headers = %{ $opt->{headers} // {} };
    my $cookies = $self->_cookie_header($path);
    $headers{Cookie} = $cookies if defined $cookies;
    my $content;
    if (exists $opt->{form}) {
        $content = form_urlencode($opt->{form});
        $headers{'Content-Type'} = 'application/x-www-form-urlencoded';
    } elsif (exists $opt->{json}) {
        $content = JSON::PP->new->canonical->encode($opt->{json});
        $headers{'Content-Type'} = 'application/json';
    }
    $content = $opt->{body} if defined $opt->{body};
    $headers{'Content-Type'} = $opt->{content_type}
        if defined $opt->{content_type};

    my $http = HTTP::Tiny->new(timeout => $self->{timeout}, keep_alive => 0,
        max_redirect => 0, agent => 'drio-tests-browser');
    my %args = (headers => \%headers);
    $args{content} = $content if defined $content;
    my $res = $http->request($method, $url, \%args);

    my $set = $res->{headers}{'set-cookie'};
    my @set_cookies = !defined $set ? () : ref $set ? @$set : ($set);
    $self->_store_cookie($_, $path) for @set_cookies;

    my $json;
    my $type = $res->{headers}{'content-type'} // '';
    if ($type =~ m{^application/(?:[\w.+-]+\+)?json\b}i
        && length($res->{content} // '')) {
        $json = eval { JSON::PP->new->decode($res->{content}) };
    }
    my $location = $res->{headers}{location};
    $location = $location->[-1] if ref $location;
    return {
        status      => $res->{status},
        reason      => $res->{reason},
        url         => $url,
        headers     => $res->{headers},
        set_cookies => \@set_cookies,
        location    => $location,
        content     => $res->{content} // '',
        json        => $json,
    };
}

sub get {
    my ($self, $path_or_url, $opt) = @_;
    return $self->request(GET => $path_or_url, $opt);
}

# POST \%fields (or \@pairs) as application/x-www-form-urlencoded.
sub post_form {
    my ($self, $path_or_url, $fields, $opt) = @_;
    return $self->request(POST => $path_or_url,
        { %{ $opt // {} }, form => $fields });
}

# The Set-Cookie of $res for cookie $name (the last one), parsed as by
# cookie_attributes, or undef.
sub response_cookie {
    my ($self, $res, $name) = @_;
    my @mine = grep { $_->{name} eq $name }
        map { cookie_attributes($_) } @{ $res->{set_cookies} // [] };
    return $mine[-1];
}

# An absolute URL for $res's Location (resolved against its URL), or undef.
sub location_url {
    my ($self, $res) = @_;
    my $loc = $res->{location};
    return undef unless defined $loc;
    return $loc if $loc =~ m{\A[A-Za-z][A-Za-z0-9+.-]*://};
    my ($origin) = $res->{url} =~ m{\A([A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)};
    return "$origin$loc" if $loc =~ m{\A/};
    (my $base = $res->{url}) =~ s{[?#].*\z}{}s;
    $base =~ s{[^/]*\z}{};
    return "$base$loc";
}

# GET the Location of a redirect answer.
sub follow {
    my ($self, $res) = @_;
    my $url = $self->location_url($res)
        // croak "follow: the answer ($res->{status}) has no Location";
    return $self->get($url);
}

# --- forms ------------------------------------------------------------------

# The attributes of one HTML start tag's text (after the tag name) as
# lower-cased name => decoded value (1 for a bare attribute).
sub _tag_attributes {
    my ($text) = @_;
    my %attrs;
    while ($text =~ /([A-Za-z_:][-A-Za-z0-9_:.]*)
                     (?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/gx) {
        my $name = lc $1;
        my $value = defined $2 ? $2 : defined $3 ? $3 : defined $4 ? $4 : 1;
        $attrs{$name} = html_decode($value) unless exists $attrs{$name};
    }
    return \%attrs;
}

# The first <form> in $res whose action (entity-decoded, as written)
# matches $action_re (any form when undef), as {action, method, fields =>
# {name => value}, buttons => [[name, value], ...]}; undef when none.
# Fields are the hidden and pre-filled inputs, checked boxes, textareas,
# and the first submit button of each name; every named submit button is
# in buttons.
sub form {
    my ($self, $res, $action_re) = @_;
    my $html = ref $res ? $res->{content} : $res;
    while ($html =~ m{<form\b([^>]*)>(.*?)(?:</form\s*>|\z)}gis) {
        my ($attr_text, $body) = ($1, $2);
        my $attrs = _tag_attributes($attr_text);
        my $action = $attrs->{action} // '';
        next if defined $action_re && $action !~ $action_re;
        my (%fields, @buttons);
        while ($body =~ m{<(input|button)\b([^>]*)>
                          |<textarea\b([^>]*)>(.*?)</textarea\s*>}gisx) {
            if (defined $1) {
                my ($tag, $a) = (lc $1, _tag_attributes($2));
                my $type = lc($a->{type} // ($tag eq 'button' ? 'submit'
                    : 'text'));
                next unless defined $a->{name} && !$a->{disabled};
                if ($type eq 'submit' || $type eq 'image') {
                    push @buttons, [ $a->{name}, $a->{value} // '' ];
                    $fields{ $a->{name} } //= $a->{value} // '';
                } elsif ($type eq 'checkbox' || $type eq 'radio') {
                    $fields{ $a->{name} } = $a->{value} // 'on'
                        if $a->{checked};
                } elsif ($type ne 'button' && $type ne 'reset'
                    && $type ne 'file') {
                    $fields{ $a->{name} } = $a->{value} // '';
                }
            } else {
                my $a = _tag_attributes($3);
                $fields{ $a->{name} } = html_decode($4)
                    if defined $a->{name};
            }
        }
        return {
            action  => $action,
            method  => uc($attrs->{method} // 'GET'),
            fields  => \%fields,
            buttons => \@buttons,
            url     => ref $res ? $res->{url} : undef,
        };
    }
    return undef;
}

# Submit a form found by form(): its fields, then %$override on top (a
# value of undef removes a field).  POST forms are sent form-encoded, GET
# forms as a query.  The action is resolved against the page's URL.
sub submit {
    my ($self, $form, $override) = @_;
    croak 'submit: no form' unless $form;
    my %fields = %{ $form->{fields} };
    for my $name (keys %{ $override // {} }) {
        if (defined $override->{$name}) {
            $fields{$name} = $override->{$name};
        } else {
            delete $fields{$name};
        }
    }
    my $action = $form->{action};
    if ($action eq '') {
        $action = $form->{url} // croak 'submit: form has no action';
    } elsif (defined $form->{url}) {
        $action = $self->location_url(
            { location => $action, url => $form->{url} });
    }
    if ($form->{method} eq 'GET') {
        (my $base = $action) =~ s/\?.*\z//s;
        return $self->get($base . '?' . form_urlencode(\%fields));
    }
    return $self->post_form($action, \%fields);
}

# --- drio -------------------------------------------------------------------

# A header's value ('' when absent; repeated ones joined with ", ").
sub _header {
    my ($res, $name) = @_;
    my $v = $res->{headers}{ lc $name };
    return '' unless defined $v;
    return ref $v ? join(', ', @$v) : $v;
}

# is_html_page($res, $status, $desc): one test that $res is a drio HTML
# page: that status, Content-Type text/html, and the headers every page
# carries (the CSP, X-Frame-Options DENY, Referrer-Policy no-referrer,
# Cache-Control no-store).  Says everything it found wrong with diag.
sub is_html_page {
    my ($res, $status, $desc) = @_;
    my @why;
    push @why, "status is $res->{status}, not $status"
        if $res->{status} != $status;
    push @why, 'Content-Type is ' . _header($res, 'content-type')
        . ', not text/html'
        unless _header($res, 'content-type') =~ m{\Atext/html\s*(?:;|\z)}i;
    push @why, 'Content-Security-Policy is "'
        . _header($res, 'content-security-policy') . "\", not \"$PAGE_CSP\""
        if _header($res, 'content-security-policy') ne $PAGE_CSP;
    push @why, 'X-Frame-Options is "' . _header($res, 'x-frame-options')
        . '", not "DENY"'
        if _header($res, 'x-frame-options') ne 'DENY';
    push @why, 'Referrer-Policy is "' . _header($res, 'referrer-policy')
        . '", not "no-referrer"'
        if _header($res, 'referrer-policy') ne 'no-referrer';
    push @why, 'Cache-Control is "' . _header($res, 'cache-control')
        . '", not "no-store"'
        unless _header($res, 'cache-control')
            =~ /(?:\A|,)\s*no-store\s*(?:,|\z)/i;
    my $tb = Test::More->builder;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    $tb->ok(!@why, $desc) or $tb->diag(join "\n", @why,
        "body: " . substr($res->{content} // '', 0, 400));
    return !@why;
}

# Sign in through the sign-in form: GET /signin (with next when given),
# then POST it with $email and $password.  Returns the POST's answer (303
# on success).
sub sign_in {
    my ($self, $email, $password, $next) = @_;
    my $path = '/signin'
        . (defined $next ? '?next=' . uri_escape($next) : '');
    my $page = $self->get($path);
    my $form = $self->form($page, qr{(?:\A|/)signin(?:[?#]|\z)})
        // croak "sign_in: GET $path ($page->{status}) shows no sign-in form";
    return $self->submit($form, { email => $email, password => $password,
        defined $next ? (next => $next) : () });
}

# Drive an authorization request for a signed-in browser to the client's
# redirect.  %p are the query parameters of GET $p{path} (default
# /oauth/authorize): response_type defaults to code, code_challenge_method
# to S256, and without code_challenge a fresh PKCE pair is made; any other
# parameter given as undef is left out.  decision (allow, the default, or
# deny) picks the consent button.  Returns {consent (the GET's answer),
# answer (the POST's), location, params (of the Location's query), code,
# state, iss, error, verifier, challenge}; without a consent form, answer
# and location are undef.
sub authorize {
    my ($self, %p) = @_;
    my $decision = exists $p{decision} ? delete $p{decision} : 'allow';
    my $path = delete $p{path} // '/oauth/authorize';
    my ($verifier, $challenge);
    if (!defined $p{code_challenge}) {
        ($verifier, $challenge) = pkce_pair();
        $p{code_challenge} = $challenge;
    }
    $p{response_type} = 'code' unless exists $p{response_type};
    $p{code_challenge_method} = 'S256'
        unless exists $p{code_challenge_method};
    delete $p{$_} for grep { !defined $p{$_} } keys %p;
    my %out = (verifier => $verifier, challenge => $p{code_challenge});
    $out{consent} = $self->get("$path?" . form_urlencode(\%p));
    my $form = $self->form($out{consent}, qr{authorize});
    my $res = $out{consent};
    if ($form) {
        $res = $out{answer} = $self->submit($form, { decision => $decision });
    }
    $out{location} = $res->{location};
    my $params = query_params($res->{location} // '');
    $out{params} = $params;
    $out{$_} = $params->{$_} for qw(code state iss error);
    return \%out;
}

1;
