-- 015_uploads.sql: files uploaded to an app through the user-scoped API
-- (POST /openapi/v1/apps/{app_id}/files/upload), to be given to its runs
-- as file inputs.  Kept in PostgreSQL so every instance serves them; the
-- size is bounded by upload_max_bytes.
-- SPDX-License-Identifier: MIT

CREATE TABLE uploads (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    app_id       uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    created_by   uuid REFERENCES accounts (id) ON DELETE SET NULL,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    extension    text NOT NULL CHECK (length(extension) <= 32),
    mime_type    text NOT NULL CHECK (length(mime_type) <= 255),
    size         bigint NOT NULL CHECK (size >= 0),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    data         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX uploads_app ON uploads (app_id, created_at);
