-- 007_mcp.sql: what the MCP endpoint keeps.  Legacy-era sessions (the
-- 2025 revisions' Mcp-Session-Id) are rows, so any instance serves any
-- session; the modern era (2026-07-28) keeps nothing between requests.
-- Every tool call is recorded for the builders to see what agents do.
-- SPDX-License-Identifier: MIT

-- A session from initialize to DELETE (or expiry).  The id the client
-- holds is 32 random bytes; only its SHA-256 is stored.
CREATE TABLE mcp_sessions (
    id_hash             text PRIMARY KEY CHECK (id_hash ~ '^[0-9a-f]{64}$'),
    app_id              uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    -- The release pinned with ?release=N at initialize; NULL follows the
    -- latest release.
    release_number      integer CHECK (release_number >= 1),
    protocol_version    text NOT NULL,
    client_info         jsonb NOT NULL DEFAULT '{}'
                        CHECK (jsonb_typeof(client_info) = 'object'),
    client_capabilities jsonb NOT NULL DEFAULT '{}'
                        CHECK (jsonb_typeof(client_capabilities) = 'object'),
    -- Who opened it, for a private app; NULL for a public one.
    account_id          uuid REFERENCES accounts (id) ON DELETE CASCADE,
    created_at          timestamptz NOT NULL DEFAULT now(),
    last_used_at        timestamptz NOT NULL DEFAULT now(),
    ended_at            timestamptz
);
CREATE INDEX mcp_sessions_idle ON mcp_sessions (last_used_at);

-- Whether a workspace records tool call arguments (off: never).
ALTER TABLE workspaces
    ADD COLUMN mcp_log_arguments boolean NOT NULL DEFAULT false;

-- One tools/call, whatever its outcome.  Arguments only when the app's
-- workspace asked for them; never a secret or an upstream answer.
CREATE TABLE tool_calls (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app_id              uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    release_number      integer,
    tool                text NOT NULL,
    -- The caller: an account for a private app, and the OAuth client it
    -- came through; the MCP client's own name as it says it.
    account_id          uuid REFERENCES accounts (id) ON DELETE SET NULL,
    client_id           text,
    client_name         text,
    era                 text NOT NULL CHECK (era IN ('legacy', 'modern')),
    protocol_version    text NOT NULL,
    -- ok: the upstream answered 2xx; error: the tool ran and failed
    -- (isError); invalid: the arguments did not match the schema.
    status              text NOT NULL
                        CHECK (status IN ('ok', 'error', 'invalid')),
    upstream_status     integer,
    duration_ms         integer NOT NULL CHECK (duration_ms >= 0),
    arguments           jsonb,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tool_calls_app_list ON tool_calls (app_id, id DESC);
