-- 001_identity.sql: accounts, workspaces, members, API sessions and
-- member invitations: the identity half of drio.
-- SPDX-License-Identifier: MIT

-- RFC 3339 UTC text for a timestamp, the one time format of every API.
CREATE FUNCTION drio_rfc3339(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

CREATE TABLE workspaces (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    slug        text NOT NULL UNIQUE
                CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    status      text NOT NULL DEFAULT 'normal'
                CHECK (status IN ('normal', 'archived')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email                 text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    name                  text NOT NULL CHECK (length(name) <= 255),
    password_hash         text,
    status                text NOT NULL DEFAULT 'active'
                          CHECK (status IN ('active', 'pending')),
    current_workspace_id  uuid REFERENCES workspaces (id) ON DELETE SET NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
-- Email is unique case-insensitively; lookups go through lower(email).
CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email));

CREATE TABLE members (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    account_id    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role          text NOT NULL
                  CHECK (role IN ('owner', 'admin', 'manager', 'normal')),
    invited_by    uuid REFERENCES accounts (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, account_id)
);
-- A workspace has exactly one owner at most (the invariant the API keeps
-- is exactly one; the database refuses a second).
CREATE UNIQUE INDEX members_one_owner ON members (workspace_id)
    WHERE role = 'owner';
CREATE INDEX members_account ON members (account_id);
-- The member list pages in join order.
CREATE INDEX members_list_order ON members (workspace_id, created_at, account_id);

CREATE TABLE api_sessions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_sha256  text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
    prefix        text NOT NULL,
    client_id     text NOT NULL,
    device_label  text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_sessions_account ON api_sessions (account_id, created_at);

CREATE TABLE member_invites (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    account_id    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_sha256  text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
    invited_by    uuid REFERENCES accounts (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    accepted_at   timestamptz
);
CREATE INDEX member_invites_member ON member_invites (workspace_id, account_id);
