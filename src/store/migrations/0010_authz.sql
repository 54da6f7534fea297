-- Authorization (src/auth/roles.c, src/auth/apikeys.c). The built-in roles
-- (admin, moderator, user, guest) are defined in src/auth/rbac.c, not here;
-- `roles` holds the custom ones. A user holds any number of roles; what
-- they hold together is cached per instance, keyed by `authz_version`,
-- which every change to a user's roles (or to a role they hold) bumps.
CREATE TABLE roles (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL DEFAULT '',
    permissions TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    granted_by TEXT,
    PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_role ON user_roles (role, user_id);

INSERT INTO user_roles (user_id, role, granted_at) SELECT id, role, created_at FROM users;
-- A moderator was a member too: they keep reading their own account.
INSERT INTO user_roles (user_id, role, granted_at)
    SELECT id, 'user', created_at FROM users WHERE role = 'moderator';
DROP INDEX users_role;
ALTER TABLE users DROP COLUMN role;
ALTER TABLE users ADD COLUMN authz_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_login_at BIGINT;

-- An impersonation session: the admin acting as the user. It has no
-- refresh token and ends with its one access token.
ALTER TABLE sessions ADD COLUMN actor_id TEXT;

-- API keys: "mq_" + the id's 32 hex digits + "_" + a 256-bit secret, of
-- which only the SHA-256 is kept. `scopes` is a JSON array of permissions;
-- `rate_limit` a policy such as "60/min" (NULL: the default).
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    rate_limit TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    last_used_at BIGINT,
    last_used_ip TEXT,
    revoked_at BIGINT
);
CREATE INDEX api_keys_user ON api_keys (user_id, created_at);
