-- 006_connectors.sql: the connector catalog, crews, and the integrations a
-- workspace installs from connectors (or adds as a custom MCP server).
--
-- A connector is a versioned manifest shipped in connectors/ and loaded by
-- `drio-admin load-connectors` (docs/connectors.md).  Installing one makes
-- a workspace integration: credentials sealed in the vault, bound to the
-- workspace and the row, usable by the apps of the whole workspace or,
-- when installed at crew scope, by the apps created by that crew's
-- members.  An app uses a workspace integration by attaching it: the app
-- integration then takes its operations from the installed one's catalog
-- and its credentials from the vault row here at call time.
-- SPDX-License-Identifier: MIT

CREATE TABLE connectors (
    id           text PRIMARY KEY
                 CHECK (id ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    version      integer NOT NULL CHECK (version >= 1),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    description  text NOT NULL DEFAULT '',
    category     text NOT NULL,
    auth_mode    text NOT NULL
                 CHECK (auth_mode IN ('pat', 'conn_string', 'mcp_oauth',
                     'byo_oauth', 'none')),
    brand_logo   text NOT NULL DEFAULT '',
    brand_color  text NOT NULL DEFAULT ''
                 CHECK (brand_color ~ '^(#[0-9A-Fa-f]{6})?$'),
    -- The whole manifest as loaded; the routes show it.
    manifest     jsonb NOT NULL CHECK (jsonb_typeof(manifest) = 'object'),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    loaded_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX connectors_category ON connectors (category, name);

-- Crews: teams inside a workspace.  A crew's members are members of its
-- workspace; leaving the workspace leaves its crews.
CREATE TABLE crews (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    description   text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    created_by    uuid REFERENCES accounts (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, name),
    UNIQUE (workspace_id, id)
);

CREATE TABLE crew_members (
    crew_id       uuid NOT NULL,
    workspace_id  uuid NOT NULL,
    account_id    uuid NOT NULL,
    added_by      uuid REFERENCES accounts (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (crew_id, account_id),
    FOREIGN KEY (workspace_id, crew_id) REFERENCES crews (workspace_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, account_id)
        REFERENCES members (workspace_id, account_id) ON DELETE CASCADE
);
CREATE INDEX crew_members_account ON crew_members (workspace_id, account_id);

-- An integration a workspace installed from a connector, or a custom MCP
-- server it added.  Its secret (the manifest's secret fields, OAuth
-- client secret and tokens, or a connection string) is vault ciphertext
-- whose associated data is
--     'workspace_integrations.secret:' || workspace_id || ':' || id
-- (lower case), so a ciphertext moved to another row fails to open.
CREATE TABLE workspace_integrations (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id   uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    -- NULL: workspace scope.  A crew with installs cannot be deleted.
    crew_id        uuid,
    connector_id   text REFERENCES connectors (id),
    connector_version integer,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    kind           text NOT NULL
                   CHECK (kind IN ('openapi', 'http', 'mcp_server')),
    auth_mode      text NOT NULL
                   CHECK (auth_mode IN ('pat', 'conn_string', 'mcp_oauth',
                       'byo_oauth', 'none')),
    -- The API's base URL, or the MCP server's URL.
    url            text CHECK (length(url) <= 2048),
    status         text NOT NULL DEFAULT 'connected'
                   CHECK (status IN ('connected', 'pending_oauth',
                       'pending_mcp_oauth', 'error', 'disabled')),
    status_message text,
    -- Form field values that are not secret, shown as they are.
    fields         jsonb NOT NULL DEFAULT '{}'
                   CHECK (jsonb_typeof(fields) = 'object'),
    secret         bytea,
    secret_fields  text[] NOT NULL DEFAULT '{}',
    -- What is known of the OAuth side that is not secret: authorization
    -- server metadata, client id, scopes, when the access token expires.
    oauth          jsonb NOT NULL DEFAULT '{}'
                   CHECK (jsonb_typeof(oauth) = 'object'),
    -- The operations it offers (lib/oas's discovery, or an MCP server's
    -- tools/list), which apps attaching it take as their own.
    catalog        jsonb NOT NULL DEFAULT '[]'
                   CHECK (jsonb_typeof(catalog) = 'array'),
    catalog_at     timestamptz,
    created_by     uuid REFERENCES accounts (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, name),
    FOREIGN KEY (workspace_id, crew_id) REFERENCES crews (workspace_id, id)
);
CREATE INDEX workspace_integrations_crew ON workspace_integrations (crew_id);

-- An OAuth authorization in progress (byo_oauth, mcp_oauth): found by the
-- hash of its state when the provider sends the browser back.  The PKCE
-- verifier is vault ciphertext bound to the same row's workspace and
-- integration.  Rows expire; a used one is deleted.
CREATE TABLE integration_oauth_states (
    state_hash      text PRIMARY KEY CHECK (state_hash ~ '^[0-9a-f]{64}$'),
    integration_id  uuid NOT NULL
                    REFERENCES workspace_integrations (id) ON DELETE CASCADE,
    account_id      uuid REFERENCES accounts (id) ON DELETE CASCADE,
    code_verifier   bytea NOT NULL,
    redirect_uri    text NOT NULL,
    expires_at      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX integration_oauth_states_expiry
    ON integration_oauth_states (expires_at);

-- An app integration may take its operations and credentials from a
-- workspace integration instead of an auth connection of its own.
ALTER TABLE integrations
    ADD COLUMN workspace_integration_id uuid
        REFERENCES workspace_integrations (id);
CREATE INDEX integrations_workspace_integration
    ON integrations (workspace_integration_id);
