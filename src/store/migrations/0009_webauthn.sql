-- WebAuthn credentials and ceremonies (src/auth/passkeys.c). Public keys
-- are not secrets: they are kept as the authenticator sent them (COSE_Key,
-- base64url). `flagged_at`: the signature counter went backwards, so the
-- authenticator may have been cloned; the credential is refused from then.
CREATE TABLE webauthn_credentials (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL UNIQUE,
    public_key TEXT NOT NULL,
    alg INTEGER NOT NULL,
    sign_count BIGINT NOT NULL,
    aaguid TEXT NOT NULL,
    transports TEXT NOT NULL DEFAULT '[]',
    name TEXT NOT NULL,
    attestation_format TEXT NOT NULL,
    attestation_type TEXT NOT NULL,
    backup_eligible INTEGER NOT NULL DEFAULT 0,
    backed_up INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    flagged_at BIGINT
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id, created_at);

-- A ceremony waiting for its answer: the challenge (SHA-256), what it is
-- for, whose (NULL for a passkey sign-in, where nobody is named yet) and,
-- for a second factor at sign-in, which sign-in (the mfa_token's hash).
-- Good once, for 5 minutes.
CREATE TABLE webauthn_challenges (
    challenge_hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('register', 'mfa', 'reauth', 'passkey')),
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    mfa_token_hash TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX webauthn_challenges_expires ON webauthn_challenges (expires_at);

-- The user handle authenticators keep (32 random bytes, base64url): not
-- the account id, so a passkey says nothing about the account.
ALTER TABLE users ADD COLUMN webauthn_handle TEXT;
CREATE UNIQUE INDEX users_webauthn_handle ON users (webauthn_handle);
