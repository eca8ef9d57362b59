-- 011_mcp_preview.sql: sessions of the editors' preview of an app's
-- draft (/mcp/{workspace}/{app}/preview) are their own: a preview
-- session does not serve the published endpoint, nor the other way
-- round.
-- SPDX-License-Identifier: MIT

ALTER TABLE mcp_sessions
    ADD COLUMN preview boolean NOT NULL DEFAULT false;
