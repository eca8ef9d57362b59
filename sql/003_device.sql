-- 003_device.sql: device authorization grants (RFC 8628).  A device asks
-- for a code pair; a signed-in user approves or denies the short user
-- code; the device polls with the long device code until then.
-- SPDX-License-Identifier: MIT

CREATE TABLE device_authorizations (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    device_code_sha256  text NOT NULL UNIQUE CHECK (device_code_sha256 ~ '^[0-9a-f]{64}$'),
    -- Of the normalised user code (8 letters, no dash).
    user_code_sha256    text NOT NULL UNIQUE CHECK (user_code_sha256 ~ '^[0-9a-f]{64}$'),
    client_id           text NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    device_label        text NOT NULL CHECK (length(device_label) BETWEEN 1 AND 100),
    scope               text NOT NULL,
    -- The polling interval; each slow_down adds 5 seconds.
    interval_seconds    integer NOT NULL DEFAULT 5 CHECK (interval_seconds > 0),
    status              text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'approved', 'denied', 'consumed')),
    account_id          uuid REFERENCES accounts (id) ON DELETE CASCADE,
    created_at          timestamptz NOT NULL DEFAULT now(),
    expires_at          timestamptz NOT NULL,
    last_polled_at      timestamptz,
    decided_at          timestamptz,
    CHECK ((status IN ('approved', 'consumed')) = (account_id IS NOT NULL)
           OR status = 'denied')
);
CREATE INDEX device_authorizations_expiry ON device_authorizations (expires_at);

-- The device a grant was given to, so refreshed sessions keep its name.
ALTER TABLE oauth_grants ADD COLUMN device_label text;
