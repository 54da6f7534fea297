-- Public halves of the token-signing keys (src/auth/keys.c). Each instance
-- keeps its private key in its own data directory; the database holds no
-- signing secret.
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);
