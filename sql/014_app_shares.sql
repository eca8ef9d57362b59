-- 014_app_shares.sql: an app shared with other workspaces, whose members
-- then find it among their permitted external apps and may describe and
-- run it (the user-scoped API).  Managed by the app's managers through
-- /api/v3/apps/{app_id}/shares.
-- SPDX-License-Identifier: MIT

CREATE TABLE app_shares (
    app_id        uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    created_by    uuid REFERENCES accounts (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, workspace_id)
);
CREATE INDEX app_shares_workspace ON app_shares (workspace_id, app_id);
