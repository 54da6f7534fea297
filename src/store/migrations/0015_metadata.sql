-- Metadata from providers (src/metadata/, docs/internals/metadata.md).

-- Which providers a library asks, in order (a JSON array such as
-- ["local", "tmdb"]); NULL = the default for its kind.
ALTER TABLE libraries ADD COLUMN metadata_order TEXT;

-- Where an item came from: 'scan' (a file), 'provider' (a season, an
-- episode, a collection's other part that no file backs yet) or 'admin'.
-- Only scanned items are pruned when their files go; what a provider made
-- goes with its parent.
ALTER TABLE media_items ADD COLUMN origin TEXT NOT NULL DEFAULT 'scan';
-- Which provider gave each field: {"overview": "tmdb", "title": "local"}.
ALTER TABLE media_items ADD COLUMN sources TEXT NOT NULL DEFAULT '{}';
-- What the provider says beyond the columns: tagline, status, next episode
-- to air, ratings per country, the provider's own page.
ALTER TABLE media_items ADD COLUMN details TEXT NOT NULL DEFAULT '{}';

-- Identification, one row per top-level work a scan made (films, series,
-- books, audiobooks): pending, matched, review (below the threshold; its
-- candidates wait for an admin), unmatched (nothing found), failed (the
-- provider could not be asked; tried again later). confidence is 0-1000.
CREATE TABLE media_matches (
    item_id TEXT PRIMARY KEY REFERENCES media_items (id) ON DELETE CASCADE,
    library_id TEXT REFERENCES libraries (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    provider TEXT,
    provider_id TEXT,
    confidence INTEGER NOT NULL DEFAULT 0,
    method TEXT,
    candidates TEXT NOT NULL DEFAULT '[]',
    reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    matched_by TEXT,
    next_refresh_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX media_matches_state ON media_matches (state, updated_at, item_id);
CREATE INDEX media_matches_refresh ON media_matches (next_refresh_at);

-- Provider responses, kept for their kind's time to live. key is the
-- request without credentials ("tmdb GET /movie/603?append_to_response=...").
CREATE TABLE metadata_cache (
    key TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    fetched_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX metadata_cache_expires ON metadata_cache (expires_at);

-- Pictures fetched from a provider once, kept in data_dir/pictures and
-- resized there like the local ones. owner is an item or a person.
CREATE TABLE remote_images (
    owner_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    provider TEXT NOT NULL,
    remote TEXT NOT NULL,
    file TEXT,
    state TEXT NOT NULL DEFAULT 'pending',
    error TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (owner_id, kind)
);
CREATE INDEX remote_images_state ON remote_images (state);

-- A person's picture comes from remote_images; what a provider calls them.
ALTER TABLE people ADD COLUMN provider_id TEXT;
CREATE INDEX people_provider ON people (provider_id);

-- Each refresh or catalogue sync: what it looked at and what changed.
CREATE TABLE metadata_runs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    job_id TEXT,
    state TEXT NOT NULL,
    total BIGINT NOT NULL DEFAULT 0,
    done BIGINT NOT NULL DEFAULT 0,
    changed BIGINT NOT NULL DEFAULT 0,
    unchanged BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    details TEXT NOT NULL DEFAULT '[]',
    started_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX metadata_runs_started ON metadata_runs (started_at);
