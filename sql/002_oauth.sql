-- 002_oauth.sql: drio's OAuth 2 authorization server: registered
-- clients, browser sign-in sessions, authorization codes, grants (one per
-- authorization, the family every access and refresh token descends
-- from), refresh tokens, and rate-limit counters.
-- SPDX-License-Identifier: MIT

CREATE TABLE oauth_clients (
    id                          text PRIMARY KEY CHECK (id ~ '^dc_[A-Za-z0-9_-]{22}$'),
    name                        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    redirect_uris               text[] NOT NULL
                                CHECK (cardinality(redirect_uris) BETWEEN 1 AND 10),
    token_endpoint_auth_method  text NOT NULL
                                CHECK (token_endpoint_auth_method IN
                                       ('none', 'client_secret_basic', 'client_secret_post')),
    -- Confidential clients only: the secret is shown once and kept hashed.
    secret_sha256               text CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
    grant_types                 text[] NOT NULL,
    scope                       text NOT NULL,
    client_uri                  text,
    logo_uri                    text,
    metadata                    jsonb NOT NULL DEFAULT '{}',
    created_at                  timestamptz NOT NULL DEFAULT now(),
    CHECK ((token_endpoint_auth_method = 'none') = (secret_sha256 IS NULL))
);

-- A browser that signed in: the cookie holds a random token, the row its
-- SHA-256.
CREATE TABLE browser_sessions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_sha256  text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz
);
CREATE INDEX browser_sessions_account ON browser_sessions (account_id);

-- One authorization given by an account to a client: the family of every
-- token issued from it.  Revoking the grant revokes the family.
CREATE TABLE oauth_grants (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id   text NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scope       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX oauth_grants_account ON oauth_grants (account_id);

ALTER TABLE api_sessions
    ADD COLUMN grant_id uuid REFERENCES oauth_grants (id) ON DELETE CASCADE;
CREATE INDEX api_sessions_grant ON api_sessions (grant_id)
    WHERE grant_id IS NOT NULL;

CREATE TABLE oauth_codes (
    code_sha256            text PRIMARY KEY CHECK (code_sha256 ~ '^[0-9a-f]{64}$'),
    client_id              text NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    account_id             uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    redirect_uri           text NOT NULL,
    scope                  text NOT NULL,
    code_challenge         text NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    expires_at             timestamptz NOT NULL,
    -- Set at the first exchange: a second one revokes this grant.
    used_at                timestamptz,
    grant_id               uuid REFERENCES oauth_grants (id) ON DELETE SET NULL
);

CREATE TABLE oauth_refresh_tokens (
    token_sha256  text PRIMARY KEY CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
    grant_id      uuid NOT NULL REFERENCES oauth_grants (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    -- Spent by rotation; presenting a spent token revokes the grant.
    used_at       timestamptz
);
CREATE INDEX oauth_refresh_tokens_grant ON oauth_refresh_tokens (grant_id);

-- Failed attempts per key ("signin-account:<id>", "signin-addr:<ip>", ...)
-- in fixed windows, shared by every instance.
CREATE TABLE rate_limits (
    key           text NOT NULL,
    window_start  timestamptz NOT NULL,
    hits          integer NOT NULL DEFAULT 0,
    PRIMARY KEY (key, window_start)
);
