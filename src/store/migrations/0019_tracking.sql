-- Tracking: progress, plays and members' own libraries (src/track/,
-- docs/internals/track.md).

-- Where a member is in a work: one row per (member, item), rewritten in
-- place as a device reports (every 10 s while playing). reported_at is the
-- device's clock when the position was true, so of two devices the later
-- report wins whatever order they arrive in. state: started (under the
-- resume thresholds: kept, not offered), in_progress (resumable: Continue
-- Watching), completed (its play is in track_plays; the row stays so that a
-- late report from another device cannot bring it back). progress is
-- 0-1000. locator is a book's or audiobook's place as its reader gave it
-- (JSON: {"cfi": ...}, {"page": 12, "pages": 300}, {"chapter": 3}).
CREATE TABLE track_progress (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id TEXT NOT NULL REFERENCES media_items (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    position_ms BIGINT NOT NULL,
    duration_ms BIGINT,
    progress INTEGER NOT NULL,
    locator TEXT,
    device TEXT,
    reported_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, item_id)
);
CREATE INDEX track_progress_recent ON track_progress (user_id, state, updated_at);

-- Plays: each time a member finished a work, here or elsewhere. work_id is
-- the work it belongs to (an episode's series, else the item itself), for
-- Next Up, genres and the personal library. item_id and work_id go NULL
-- when the work leaves the catalogue; kind and title stay so the history
-- keeps its meaning. source: how it was recorded (player, manual, an
-- import's format, plex, jellyfin); platform: where it was watched
-- (marquee, netflix, ...). dedup is a row's identity for imports and
-- scrobbles (source, profile, title and time), so the same file twice adds
-- nothing twice.
CREATE TABLE track_plays (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id TEXT REFERENCES media_items (id) ON DELETE SET NULL,
    work_id TEXT REFERENCES media_items (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    watched_at BIGINT NOT NULL,
    duration_ms BIGINT,
    source TEXT NOT NULL,
    platform TEXT NOT NULL,
    device TEXT,
    dedup TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX track_plays_user ON track_plays (user_id, watched_at, id);
CREATE INDEX track_plays_item ON track_plays (user_id, item_id);
CREATE INDEX track_plays_work ON track_plays (user_id, work_id, watched_at);
CREATE UNIQUE INDEX track_plays_dedup ON track_plays (user_id, dedup);

-- A member's own library: every work they watched, read or plan, here or
-- elsewhere (catalogue-only works too). status: planned, in_progress,
-- completed, dropped, paused; rating 5-100 (0.5-10 in tenths); source:
-- what set it (marquee, manual, an import). activity_at moves with every
-- play and progress report, for "last activity" order.
CREATE TABLE track_library (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id TEXT NOT NULL REFERENCES media_items (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    platform TEXT,
    rating INTEGER,
    notes TEXT,
    consumed_at BIGINT,
    source TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    activity_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, item_id)
);
CREATE INDEX track_library_activity ON track_library (user_id, activity_at, item_id);
