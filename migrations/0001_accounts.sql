-- Accounts, profiles and local sessions (owned by features/accounts).

CREATE TABLE users (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email              text,
    username           text,
    display_name       text NOT NULL,
    bio                text,
    city               text,
    country            text CHECK (country ~ '^[A-Z]{2}$'),
    sex                text CHECK (sex IN ('male', 'female', 'other')),
    birthdate          date,
    weight_kg          double precision CHECK (weight_kg BETWEEN 20 AND 400),
    height_cm          double precision CHECK (height_cm BETWEEN 50 AND 272),
    max_hr_bpm         integer CHECK (max_hr_bpm BETWEEN 100 AND 250),
    resting_hr_bpm     integer CHECK (resting_hr_bpm BETWEEN 25 AND 120),
    ftp_w              integer CHECK (ftp_w BETWEEN 30 AND 2000),
    units              text NOT NULL DEFAULT 'metric' CHECK (units IN ('metric', 'imperial')),
    time_zone          text NOT NULL DEFAULT 'UTC',
    default_visibility text NOT NULL DEFAULT 'everyone' CHECK (default_visibility IN ('everyone', 'followers', 'only_me')),
    message_policy     text NOT NULL DEFAULT 'everyone' CHECK (message_policy IN ('everyone', 'followers', 'nobody')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
-- Case-insensitive uniqueness; Firebase users may have no email.
CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX users_username_key ON users (lower(username)) WHERE username IS NOT NULL;

-- External identities (Firebase uid ↔ user). Local accounts use local_credentials instead.
CREATE TABLE auth_identities (
    provider   text NOT NULL,
    subject    text NOT NULL,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, subject)
);
CREATE INDEX auth_identities_user_idx ON auth_identities (user_id);

CREATE TABLE local_credentials (
    user_id             bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    password_hash       text NOT NULL,
    failed_attempts     integer NOT NULL DEFAULT 0,
    last_failed_at      timestamptz,
    password_changed_at timestamptz NOT NULL DEFAULT now()
);

-- One row per signed-in device. A refresh-token family belongs to exactly one session.
CREATE TABLE auth_sessions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    auth_time    timestamptz NOT NULL DEFAULT now(),
    user_agent   text,
    revoked_at   timestamptz,
    revoke_reason text
);
CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id) WHERE revoked_at IS NULL;

-- Refresh tokens are stored as SHA-256 hashes. A spent token presented again revokes its session.
CREATE TABLE refresh_tokens (
    token_hash  text PRIMARY KEY,
    session_id  bigint NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    spent_at    timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
