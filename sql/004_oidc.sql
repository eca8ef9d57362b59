-- 004_oidc.sql: sign-ins through an upstream OpenID Connect provider
-- that are under way: one row per redirect to the provider, claimed once
-- by the callback.
-- SPDX-License-Identifier: MIT

CREATE TABLE oidc_logins (
    state_sha256   text PRIMARY KEY CHECK (state_sha256 ~ '^[0-9a-f]{64}$'),
    nonce          text NOT NULL,
    -- PKCE verifier for the provider's token endpoint; lives ten minutes.
    code_verifier  text NOT NULL,
    next           text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz
);
CREATE INDEX oidc_logins_expiry ON oidc_logins (expires_at);
