-- Second factors (src/auth/mfa.c) and the sealing of secrets
-- (src/auth/secrets.c).
--
-- TOTP: one authenticator per user. `secret` is sealed (never in clear);
-- `confirmed_at` stays NULL until a first right code; `last_step` is the
-- last 30-second step accepted, so a code works once only.
CREATE TABLE mfa_totp (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0
);

-- Backup codes, stored as SHA-256 of the user id and the normalised code,
-- each good once; when and from where it was used is kept.
CREATE TABLE mfa_backup_codes (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT,
    used_ip TEXT,
    PRIMARY KEY (user_id, code_hash)
);

-- A sign-in whose password was right and that waits for a second factor:
-- the mfa_token (SHA-256), good once, for 5 minutes and 5 attempts.
CREATE TABLE mfa_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    used_at BIGINT,
    restore INTEGER NOT NULL DEFAULT 0,
    ip TEXT,
    user_agent TEXT,
    device_name TEXT
);
CREATE INDEX mfa_challenges_expires ON mfa_challenges (expires_at);

-- "Remember this device": a device token (SHA-256) that skips the second
-- factor for its user until it expires or is revoked.
CREATE TABLE trusted_devices (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT,
    ip TEXT,
    user_agent TEXT,
    device_name TEXT
);
CREATE INDEX trusted_devices_user ON trusted_devices (user_id, created_at);

-- MFA switched on for the account (a confirmed factor is needed too).
ALTER TABLE users ADD COLUMN mfa_enabled_at BIGINT;
-- How and when the session's user proved a second factor; auth_at: when
-- they last proved who they are (sign-in or re-authentication), which
-- changing a factor asks to be recent; enrol_only: the session may only
-- enrol a factor (MFA is required for the user's role and none is set).
ALTER TABLE sessions ADD COLUMN mfa_verified_at BIGINT;
ALTER TABLE sessions ADD COLUMN mfa_method TEXT;
ALTER TABLE sessions ADD COLUMN auth_at BIGINT;
ALTER TABLE sessions ADD COLUMN enrol_only INTEGER NOT NULL DEFAULT 0;
