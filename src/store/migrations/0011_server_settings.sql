-- Server settings changed from the admin API: each row overrides the
-- default of one live configuration key (src/core/config.c). The value is
-- in config-file syntax, or sealed text (src/auth/secrets.h) when secret = 1.
CREATE TABLE server_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    secret INTEGER NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    updated_by TEXT
);

-- Raised by every change in the same transaction: each instance looks at it
-- every second and rebuilds its configuration when it moved. Updating the
-- one row also queues concurrent changes behind each other.
CREATE TABLE server_settings_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO server_settings_version (id, version) VALUES (1, 0);
