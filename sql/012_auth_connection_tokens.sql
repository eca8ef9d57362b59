-- 012_auth_connection_tokens.sql: access tokens drio got with the
-- client_credentials grant for an app's oauth2 auth connections, reused
-- by every instance until they are due instead of asking the provider
-- at every tool call.  token is vault ciphertext of {"access_token": ...}
-- whose associated data is
--     'auth_connection_tokens.token:' || app_id || ':' || auth_connection_id
-- (lower case).  settings_sha256 is the SHA-256 of the connection
-- settings the token was got with (token URL, client id, scopes): a
-- release resolved with other settings does not use it.  Changing the
-- connection's secret deletes the row.
-- SPDX-License-Identifier: MIT

CREATE TABLE auth_connection_tokens (
    auth_connection_id uuid PRIMARY KEY
                       REFERENCES auth_connections (id) ON DELETE CASCADE,
    app_id             uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    settings_sha256    text NOT NULL CHECK (settings_sha256 ~ '^[0-9a-f]{64}$'),
    token              bytea NOT NULL,
    expires_at         timestamptz NOT NULL,
    fetched_at         timestamptz NOT NULL DEFAULT now()
);
