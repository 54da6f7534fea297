-- Accounts (src/users/). The e-mail is kept as given and, lower-cased, as
-- the key that logins and uniqueness use.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'moderator', 'user', 'guest')),
    email_verified_at BIGINT,
    password_changed_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    suspended_at BIGINT,
    deleted_at BIGINT,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT
);
CREATE INDEX users_role ON users (role);
