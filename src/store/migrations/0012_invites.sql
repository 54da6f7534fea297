-- Invitations to register (src/users/invites.c): single use, with an expiry,
-- optionally for one e-mail address, granting one role. Only the SHA-256 of
-- the code is kept. A used invitation stays, to show who came in by it.
CREATE TABLE invites (
    id TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    email_key TEXT,
    role TEXT NOT NULL,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    used_by TEXT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX invites_created ON invites (created_at, id);
