-- Sign-in hardening (owned by features/accounts; docs/adr/0002-authentication.md).

-- Devices that signed in successfully before ("device cookies"). Sign-in throttling never locks
-- them out of their account; their own wrong passwords are counted here. Only the SHA-256 of the
-- cookie value is stored.
CREATE TABLE known_devices (
    token_hash      text PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz NOT NULL DEFAULT now(),
    failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0)
);
CREATE INDEX known_devices_user_idx ON known_devices (user_id, last_used_at);

-- Refresh rotation grace: a spent token keeps the random salt its successor was derived from
-- (successor = HMAC(old token, salt)), so the same old token presented again within the grace
-- window gets the same successor without the successor ever being stored in clear.
ALTER TABLE refresh_tokens ADD COLUMN successor_salt text;

-- The per-account failure counter is replaced by the in-memory throttle (per account and source,
-- per source, per account only slowing down); nothing reads these columns any more.
ALTER TABLE local_credentials DROP COLUMN failed_attempts, DROP COLUMN last_failed_at;
