-- The rest of the accounts work (src/users/, src/mail/, src/audit/).
--
-- E-mail tokens: verification (24 h) and password reset (1 h) links, stored
-- only as SHA-256 hashes, single-use. `email` is the address the link was
-- sent to, so a link stops working when the account's address changes.
CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
    email TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);
CREATE INDEX email_tokens_expires ON email_tokens (expires_at);

-- Preferences: a validated JSON object (src/users/prefs.c). Avatar: the file
-- name under data_dir/avatars, NULL for none.
ALTER TABLE users ADD COLUMN preferences TEXT NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN avatar TEXT;
CREATE INDEX users_deleted ON users (deleted_at) WHERE deleted_at IS NOT NULL;

-- Where the audit chain starts after old entries were purged: the last
-- purged entry's sequence number and hash (the next entry's prev_hash),
-- signed with an instance key so that nobody can move the start quietly.
CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY,
    hash TEXT NOT NULL,
    at BIGINT NOT NULL,
    purged BIGINT NOT NULL,
    kid TEXT NOT NULL,
    signature TEXT NOT NULL
);
