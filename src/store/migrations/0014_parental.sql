-- Parental controls (src/media/parental.c).

-- A work's rating on the one ladder controls compare (1 = G ... 5 =
-- NC-17), from content_rating when it is written; NULL = unrated.
ALTER TABLE media_items ADD COLUMN rating_level INTEGER;

-- A member's controls: the highest rating they may see (its text as set,
-- and its level), what unrated works do, viewing windows in their time
-- zone (a JSON list of {"days": [...], "from": "HH:MM", "to": "HH:MM"}),
-- and the PIN that lifts the rating limit for a while, hashed like a
-- password and locked like one.
CREATE TABLE parental_controls (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    max_rating TEXT,
    max_level INTEGER,
    unrated TEXT NOT NULL DEFAULT 'allow',
    windows TEXT NOT NULL DEFAULT '[]',
    pin_hash TEXT,
    pin_failures INTEGER NOT NULL DEFAULT 0,
    pin_locked_until BIGINT,
    updated_by TEXT,
    updated_at BIGINT NOT NULL
);

-- A PIN given on a session lifts the rating limit on that session until.
CREATE TABLE parental_unlocks (
    session_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    until BIGINT NOT NULL
);
