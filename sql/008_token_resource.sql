-- 008_token_resource.sql: resource indicators (RFC 8707).  An
-- authorization (code or device request) may name the one resource its
-- tokens are for: drio's origin (the APIs) or one MCP endpoint,
-- <public_url>/mcp/{workspace_slug}/{app_slug}, always in its canonical
-- form (no trailing slash).  The grant keeps it, so every refresh token of
-- the family issues tokens for the same resource, and each access token
-- (an API session) carries it for the bearer check.  NULL: bound to
-- nothing, as before this migration.
-- SPDX-License-Identifier: MIT

ALTER TABLE oauth_codes
    ADD COLUMN resource text CHECK (length(resource) BETWEEN 1 AND 2048);

ALTER TABLE device_authorizations
    ADD COLUMN resource text CHECK (length(resource) BETWEEN 1 AND 2048);

-- The family: its refresh tokens issue access tokens for this resource.
ALTER TABLE oauth_grants
    ADD COLUMN resource text CHECK (length(resource) BETWEEN 1 AND 2048);

-- The access token itself: lib/auth compares it on every request.
ALTER TABLE api_sessions
    ADD COLUMN resource text CHECK (length(resource) BETWEEN 1 AND 2048);
