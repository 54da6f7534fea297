-- Imports of watch history from elsewhere (src/track/import.c,
-- docs/internals/track.md).

-- One uploaded file, read by a job. body is the file (base64, since a
-- Letterboxd export is a zip) until the job has read it; options are the
-- member's choices (the Netflix profile, a generic file's columns). The
-- counters follow the job: rows read, skipped (trailers, hooks, recaps,
-- unreadable rows), matched, waiting for review, failed, and duplicates
-- (already imported).
CREATE TABLE track_imports (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    job_id TEXT,
    format TEXT NOT NULL,
    filename TEXT,
    options TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL,
    total BIGINT NOT NULL DEFAULT 0,
    rows_read BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    matched BIGINT NOT NULL DEFAULT 0,
    review BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    duplicates BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    body TEXT,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT
);
CREATE INDEX track_imports_user ON track_imports (user_id, created_at);

-- Each row read, with the raw text it came from and what became of it:
-- state matched, review (its candidates wait for the member), resolved,
-- skipped, failed, duplicate. entry is the row as understood (JSON: kind,
-- title, year, season, episode, when, ids, ...); item_id the work it was
-- matched to, play_id the play it made.
CREATE TABLE track_import_rows (
    import_id TEXT NOT NULL REFERENCES track_imports (id) ON DELETE CASCADE,
    line BIGINT NOT NULL,
    raw TEXT NOT NULL,
    entry TEXT NOT NULL DEFAULT '{}',
    title TEXT,
    state TEXT NOT NULL,
    item_id TEXT REFERENCES media_items (id) ON DELETE SET NULL,
    confidence INTEGER NOT NULL DEFAULT 0,
    method TEXT,
    candidates TEXT NOT NULL DEFAULT '[]',
    reason TEXT,
    play_id TEXT,
    PRIMARY KEY (import_id, line)
);
CREATE INDEX track_import_rows_state ON track_import_rows (import_id, state, line);

-- What a member's resolution taught: a title as sources write it (kind and
-- folded title) is this work, for everyone's later imports.
CREATE TABLE track_aliases (
    key TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    item_id TEXT NOT NULL REFERENCES media_items (id) ON DELETE CASCADE,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX track_aliases_item ON track_aliases (item_id);
