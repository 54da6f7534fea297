-- What comes next (src/track/relations.c, src/track/monitor.c,
-- docs/internals/track.md).

-- A relation an admin deleted stays deleted: derivation, which runs
-- again before every monitor run, finds the row and leaves it alone.
-- Kinds: season_of, episode_of, sequel_of, prequel_of, part_of,
-- next_in_series, spin_off, remake_of; a row reads "from_id KIND to_id"
-- (the sequel is from_id). source: provider, derived, admin.
ALTER TABLE media_relations ADD COLUMN deleted_at BIGINT;

-- What a member follows: a series, a collection, a person or a book
-- series (a collection of kind series), by id.
CREATE TABLE track_follows (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind, target_id)
);
CREATE INDEX track_follows_target ON track_follows (kind, target_id);

-- Each run of the monitor, with what it found.
CREATE TABLE monitor_runs (
    id TEXT PRIMARY KEY,
    job_id TEXT,
    state TEXT NOT NULL,
    members BIGINT NOT NULL DEFAULT 0,
    candidates BIGINT NOT NULL DEFAULT 0,
    notified BIGINT NOT NULL DEFAULT 0,
    relations_derived BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    started_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX monitor_runs_started ON monitor_runs (started_at);

-- A member's calendar feed token (only its SHA-256), for
-- /users/me/calendar.ics?token=: the one place a token rides in a URL.
CREATE TABLE calendar_tokens (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
