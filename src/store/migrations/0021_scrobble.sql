-- Scrobbling from other servers (src/track/scrobble.c): each member's
-- webhook tokens. Only the token's SHA-256 is kept (crypto/token.h).
CREATE TABLE scrobble_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX scrobble_tokens_user ON scrobble_tokens (user_id, created_at);
