-- 010_client_metadata.sql: clients named by a Client ID Metadata
-- Document (draft-ietf-oauth-client-id-metadata-document, MCP 2025-11-25
-- on).  Such a client's id is the https URL of its document; drio keeps
-- it in oauth_clients like a registered client, so codes, grants and
-- sessions refer to it the same way, with the fetched document in
-- metadata and the time it must be fetched again in
-- metadata_expires_at.  Every instance shares the row, so one fetch
-- serves them all until it expires.
-- SPDX-License-Identifier: MIT

ALTER TABLE oauth_clients DROP CONSTRAINT oauth_clients_id_check;
ALTER TABLE oauth_clients ADD CONSTRAINT oauth_clients_id_check
    CHECK (id ~ '^dc_[A-Za-z0-9_-]{22}$'
           OR (id ~* '^https?://' AND length(id) <= 2000));

-- NULL for a registered client; for a metadata document client, when the
-- cached document goes stale.
ALTER TABLE oauth_clients ADD COLUMN metadata_expires_at timestamptz;
ALTER TABLE oauth_clients ADD CONSTRAINT oauth_clients_metadata_document
    CHECK ((id ~ '^dc_') = (metadata_expires_at IS NULL));
