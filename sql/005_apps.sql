-- 005_apps.sql: the app model.  An app is the stable container; its
-- content (auth connections, integrations with their operations, tools,
-- widgets) is the app's one mutable draft, whose revision every write
-- increments; a release is an immutable, numbered snapshot of the fully
-- resolved runtime configuration.  Templates are the starters an app can
-- be created from, loaded by drio-admin.
-- SPDX-License-Identifier: MIT

CREATE TABLE apps (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id     uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    slug             text NOT NULL
                     CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    -- Dify's closed set of app modes (see the user-scoped API).
    mode             text NOT NULL DEFAULT 'workflow'
                     CHECK (mode IN ('advanced-chat', 'agent', 'agent-chat',
                         'channel', 'chat', 'completion', 'rag-pipeline',
                         'workflow')),
    description      text NOT NULL DEFAULT ''
                     CHECK (length(description) <= 4000),
    icon_type        text NOT NULL DEFAULT 'emoji'
                     CHECK (icon_type IN ('emoji', 'image', 'link')),
    icon             text NOT NULL DEFAULT '' CHECK (length(icon) <= 2048),
    icon_background  text NOT NULL DEFAULT ''
                     CHECK (icon_background ~ '^(#[0-9A-Fa-f]{6})?$'),
    -- Branding shown by clients: primary_color, logo_url, website_url,
    -- privacy_policy_url, terms_of_service_url.
    branding         jsonb NOT NULL DEFAULT '{}'
                     CHECK (jsonb_typeof(branding) = 'object'),
    tags             text[] NOT NULL DEFAULT '{}'
                     CHECK (cardinality(tags) <= 32),
    visibility       text NOT NULL DEFAULT 'private'
                     CHECK (visibility IN ('private', 'public')),
    template_id      text,
    created_by       uuid REFERENCES accounts (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, slug)
);
-- Lists page newest first within a workspace; tags are filtered with @>.
CREATE INDEX apps_workspace_list ON apps (workspace_id, updated_at DESC, id);
CREATE INDEX apps_tags ON apps USING gin (tags);

-- The app's current draft: one row per app, always.  Its id changes when
-- a release is made (the successor draft); its revision only ever grows,
-- so an expected revision can never match a different draft.
CREATE TABLE drafts (
    app_id              uuid PRIMARY KEY REFERENCES apps (id) ON DELETE CASCADE,
    id                  uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    revision            bigint NOT NULL DEFAULT 1 CHECK (revision >= 1),
    based_on_release    integer,
    -- The workflow graph of a workflow app (Dify's nodes and edges).
    workflow            jsonb CHECK (jsonb_typeof(workflow) = 'object'),
    -- The last validation's result and the revision it was made at.
    validation          jsonb,
    validated_revision  bigint,
    validated_at        timestamptz,
    updated_by          uuid REFERENCES accounts (id) ON DELETE SET NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE releases (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    app_id            uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    number            integer NOT NULL CHECK (number >= 1),
    draft_id          uuid NOT NULL,
    draft_revision    bigint NOT NULL,
    -- The resolved runtime configuration the MCP endpoint serves, and the
    -- SHA-256 (hex) of its jsonb text, which is canonical.
    config            jsonb NOT NULL CHECK (jsonb_typeof(config) = 'object'),
    checksum          text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    notes             text NOT NULL DEFAULT '' CHECK (length(notes) <= 4000),
    -- Who published, kept as written: no foreign key may rewrite a release.
    published_by      uuid,
    published_by_email text,
    published_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (app_id, number)
);

-- Nothing changes a release.  Deleting one is allowed only as part of
-- deleting its app (the cascade runs after the app row is gone).
CREATE FUNCTION drio_release_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT 1 FROM apps WHERE id = OLD.app_id) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'releases are immutable'
        USING ERRCODE = 'object_not_in_prerequisite_state';
END
$$;
CREATE TRIGGER releases_immutable BEFORE UPDATE OR DELETE ON releases
    FOR EACH ROW EXECUTE FUNCTION drio_release_immutable();

-- How calls to an integration authenticate.  settings holds what may be
-- shown (header or parameter names, user names, OAuth endpoints and client
-- id); secret holds vault ciphertext of the secret values, which no API
-- ever returns, and secret_fields names the ones that are set.
CREATE TABLE auth_connections (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    app_id         uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    type           text NOT NULL
                   CHECK (type IN ('none', 'api_key', 'bearer', 'basic',
                       'oauth2')),
    settings       jsonb NOT NULL DEFAULT '{}'
                   CHECK (jsonb_typeof(settings) = 'object'),
    secret         bytea,
    secret_fields  text[] NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (app_id, name)
);

CREATE TABLE integrations (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    app_id              uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    description         text NOT NULL DEFAULT ''
                        CHECK (length(description) <= 4000),
    kind                text NOT NULL
                        CHECK (kind IN ('openapi', 'http', 'mcp_server')),
    base_url            text CHECK (length(base_url) <= 2048),
    auth_connection_id  uuid REFERENCES auth_connections (id),
    status              text NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'error', 'disabled')),
    -- Where operations were last discovered from, and what was found.
    spec_url            text CHECK (length(spec_url) <= 2048),
    spec_title          text,
    spec_version        text,
    spec_sha256         text CHECK (spec_sha256 ~ '^[0-9a-f]{64}$'),
    discovered_at       timestamptz,
    discovery_error     text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (app_id, name)
);
CREATE INDEX integrations_auth ON integrations (auth_connection_id);

-- An operation of an integration: discovered from an OpenAPI document or
-- written by hand.  A discovered operation that a later discovery no
-- longer finds is marked removed, never deleted, so the tools that use it
-- keep their reference and validation can name them.
CREATE TABLE operations (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    integration_id     uuid NOT NULL REFERENCES integrations (id)
                       ON DELETE CASCADE,
    app_id             uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    -- operationId, or a key derived from method and path; stable.
    key                text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    operation_id       text,
    method             text CHECK (method IN ('GET', 'POST', 'PUT', 'PATCH',
                           'DELETE', 'HEAD', 'OPTIONS')),
    path               text CHECK (length(path) <= 2048),
    summary            text NOT NULL DEFAULT '',
    description        text NOT NULL DEFAULT '',
    -- The JSON Schema of the operation's input, and where each of its
    -- properties goes: {"prop": {"in": "path"|"query"|"header"|"body",
    -- "name": "..."}}.
    input_schema       jsonb NOT NULL
                       CHECK (jsonb_typeof(input_schema) = 'object'),
    parameters         jsonb NOT NULL DEFAULT '{}'
                       CHECK (jsonb_typeof(parameters) = 'object'),
    body_content_type  text,
    deprecated         boolean NOT NULL DEFAULT false,
    source             text NOT NULL CHECK (source IN ('discovered', 'manual')),
    status             text NOT NULL DEFAULT 'active'
                       CHECK (status IN ('active', 'removed')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    removed_at         timestamptz,
    UNIQUE (integration_id, key),
    CHECK ((method IS NULL) = (path IS NULL))
);
CREATE INDEX operations_app ON operations (app_id);

-- An HTML template a tool's result can be rendered with, and the actions
-- it offers ([{name, label, type, ...}]).
CREATE TABLE widgets (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    app_id       uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (name ~ '^[A-Za-z0-9_-]{1,64}$'),
    title        text NOT NULL DEFAULT '' CHECK (length(title) <= 255),
    description  text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    template     text NOT NULL CHECK (length(template) <= 524288),
    -- Content-security settings clients apply: connect and resource
    -- domains, and whether the frame prefers a border.
    csp          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(csp) = 'object'),
    prefers_border boolean NOT NULL DEFAULT false,
    actions      jsonb NOT NULL DEFAULT '[]'
                 CHECK (jsonb_typeof(actions) = 'array'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (app_id, name)
);

-- A tool in the draft.  An operation-backed tool names its operation and
-- may override the derived binding; a chain tool has steps instead.  The
-- annotations column holds only the hints set explicitly; the others are
-- derived from the HTTP method when the config is resolved.
CREATE TABLE tools (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    app_id        uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (name ~ '^[A-Za-z0-9_-]{1,64}$'),
    title         text NOT NULL DEFAULT '' CHECK (length(title) <= 255),
    description   text NOT NULL DEFAULT '' CHECK (length(description) <= 8000),
    input_schema  jsonb NOT NULL CHECK (jsonb_typeof(input_schema) = 'object'),
    annotations   jsonb NOT NULL DEFAULT '{}'
                  CHECK (jsonb_typeof(annotations) = 'object'),
    operation_id  uuid REFERENCES operations (id),
    binding       jsonb CHECK (jsonb_typeof(binding) = 'object'),
    chain         jsonb CHECK (jsonb_typeof(chain) = 'array'),
    widget_id     uuid REFERENCES widgets (id) ON DELETE SET NULL,
    enabled       boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (app_id, name)
);
CREATE INDEX tools_operation ON tools (operation_id);
CREATE INDEX tools_widget ON tools (widget_id);
CREATE INDEX tools_app_created ON tools (app_id, created_at, id);

-- Starters an app can be created from, loaded from the templates
-- directory by drio-admin load-templates.  definition holds the app
-- fields, auth connections, integrations (with their OpenAPI documents),
-- tools and widgets.
CREATE TABLE templates (
    id           text PRIMARY KEY CHECK (id ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    description  text NOT NULL DEFAULT '',
    category     text NOT NULL DEFAULT '',
    mode         text NOT NULL,
    icon         text NOT NULL DEFAULT '',
    tags         text[] NOT NULL DEFAULT '{}',
    version      integer NOT NULL CHECK (version >= 1),
    definition   jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    loaded_at    timestamptz NOT NULL DEFAULT now()
);
