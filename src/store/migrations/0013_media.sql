-- Libraries and the catalogue (src/media/, docs/internals/media.md).

-- A library: folders of one kind of media. name_key is the name's lookup
-- form, so "Films" and "films" cannot both exist.
CREATE TABLE libraries (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    restricted INTEGER NOT NULL DEFAULT 0,
    scan_interval BIGINT,
    watch_state TEXT NOT NULL DEFAULT 'off',
    watch_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Its folders: absolute, normalised, never inside one another (the service
-- checks; UNIQUE only catches the same folder twice).
CREATE TABLE library_paths (
    id TEXT PRIMARY KEY,
    library_id TEXT NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
    path TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE INDEX library_paths_library ON library_paths (library_id);

-- Who may see a restricted library besides libraries:manage holders: a
-- user, or everyone holding a role.
CREATE TABLE library_grants (
    library_id TEXT NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    role TEXT,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    CHECK ((user_id IS NULL) <> (role IS NULL))
);
CREATE UNIQUE INDEX library_grants_user ON library_grants (library_id, user_id)
    WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX library_grants_role ON library_grants (library_id, role)
    WHERE role IS NOT NULL;

-- One row per scan, its counters updated as it goes (the progress API
-- reads them; a scan killed mid-way stays 'running' until the next one
-- finds its job gone).
CREATE TABLE library_scans (
    id TEXT PRIMARY KEY,
    library_id TEXT NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
    job_id TEXT,
    state TEXT NOT NULL,
    full_scan INTEGER NOT NULL DEFAULT 0,
    phase TEXT NOT NULL DEFAULT 'walking',
    total BIGINT NOT NULL DEFAULT 0,
    seen BIGINT NOT NULL DEFAULT 0,
    new_files BIGINT NOT NULL DEFAULT 0,
    changed BIGINT NOT NULL DEFAULT 0,
    unchanged BIGINT NOT NULL DEFAULT 0,
    moved BIGINT NOT NULL DEFAULT 0,
    probed BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    missing BIGINT NOT NULL DEFAULT 0,
    removed BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    started_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX library_scans_library ON library_scans (library_id, started_at);

-- Works: movie, series, season, episode, book, audiobook. library_id is
-- NULL for what only the catalogue knows (an import, a streaming service).
-- match_key is how a scan finds its item again ("movie|the matrix|1999");
-- locked lists the fields an admin set, which scans and metadata leave
-- alone; rating is 0-100, quality 0-1000; external_ids a JSON object
-- ({"tmdb": "603", "imdb": "tt0133093"}), indexed per provider below.
CREATE TABLE media_items (
    id TEXT PRIMARY KEY,
    library_id TEXT REFERENCES libraries (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    parent_id TEXT REFERENCES media_items (id) ON DELETE CASCADE,
    position INTEGER,
    position_end INTEGER,
    match_key TEXT,
    title TEXT NOT NULL,
    sort_title TEXT NOT NULL,
    original_title TEXT,
    overview TEXT,
    year INTEGER,
    release_date TEXT,
    runtime_min INTEGER,
    content_rating_system TEXT,
    content_rating TEXT,
    rating INTEGER,
    edition TEXT,
    external_ids TEXT NOT NULL DEFAULT '{}',
    locked TEXT NOT NULL DEFAULT '[]',
    quality INTEGER NOT NULL DEFAULT 0,
    refreshed_at BIGINT,
    added_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE UNIQUE INDEX media_items_match ON media_items (library_id, match_key)
    WHERE match_key IS NOT NULL;
CREATE INDEX media_items_parent ON media_items (parent_id, position);
CREATE INDEX media_items_browse ON media_items (kind, sort_title, id);
CREATE INDEX media_items_added ON media_items (added_at, id);
-- @sqlite
CREATE INDEX media_items_tmdb ON media_items (json_extract(external_ids, '$.tmdb'));
CREATE INDEX media_items_imdb ON media_items (json_extract(external_ids, '$.imdb'));
CREATE INDEX media_items_tvdb ON media_items (json_extract(external_ids, '$.tvdb'));
CREATE INDEX media_items_isbn ON media_items (json_extract(external_ids, '$.isbn'));
-- @postgres
CREATE INDEX media_items_tmdb ON media_items (((external_ids::jsonb) ->> 'tmdb'));
CREATE INDEX media_items_imdb ON media_items (((external_ids::jsonb) ->> 'imdb'));
CREATE INDEX media_items_tvdb ON media_items (((external_ids::jsonb) ->> 'tvdb'));
CREATE INDEX media_items_isbn ON media_items (((external_ids::jsonb) ->> 'isbn'));
-- @both

CREATE TABLE media_genres (
    item_id TEXT NOT NULL REFERENCES media_items (id) ON DELETE CASCADE,
    genre TEXT NOT NULL,
    PRIMARY KEY (item_id, genre)
);
CREATE INDEX media_genres_genre ON media_genres (genre);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    external_ids TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX people_name ON people (name_key);

-- Cast (role = the character) and crew (role = the job), in billing order.
CREATE TABLE media_credits (
    item_id TEXT NOT NULL REFERENCES media_items (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT '',
    department TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (item_id, person_id, kind, role)
);
CREATE INDEX media_credits_person ON media_credits (person_id);

-- Ordered groups: franchises, book series, boxed sets.
CREATE TABLE collections (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    overview TEXT,
    external_ids TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE collection_items (
    collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    item_id TEXT NOT NULL REFERENCES media_items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (collection_id, item_id)
);
CREATE INDEX collection_items_item ON collection_items (item_id);

-- sequel_of, season_of, episode_of, part_of, spin_off; where it came from
-- and how sure (0-1000).
CREATE TABLE media_relations (
    from_id TEXT NOT NULL REFERENCES media_items (id) ON DELETE CASCADE,
    to_id TEXT NOT NULL REFERENCES media_items (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    confidence INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (from_id, to_id, kind)
);
CREATE INDEX media_relations_to ON media_relations (to_id);

-- Where a work can be watched: platform, region (ISO 3166), kind
-- (flatrate, rent, buy, free, ads), from and until (Unix ms, NULL = open).
CREATE TABLE media_availability (
    id TEXT PRIMARY KEY,
    item_id TEXT NOT NULL REFERENCES media_items (id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    region TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT,
    available_from BIGINT,
    available_until BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX media_availability_item ON media_availability (item_id);

-- Files: videos, and what lies beside them (role: main, extra, trailer,
-- sample, subtitle, image; detail: the extra's kind, the subtitle's
-- language and flags, the image's kind). path is the file's absolute path,
-- escaped where it is not UTF-8 (media/paths.h). (dev, ino, size, mtime)
-- is its identity: unchanged, it is not opened again; the same identity
-- at a new path is a move. state: ok, failed (reason says why), missing
-- (since missing_since). streams, chapters and tags are the probe's JSON.
CREATE TABLE media_files (
    id TEXT PRIMARY KEY,
    library_id TEXT NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
    item_id TEXT REFERENCES media_items (id) ON DELETE SET NULL,
    video_id TEXT REFERENCES media_files (id) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT 'main',
    detail TEXT,
    path TEXT NOT NULL UNIQUE,
    dev BIGINT NOT NULL,
    ino BIGINT NOT NULL,
    size BIGINT NOT NULL,
    mtime BIGINT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    container TEXT,
    duration_ms BIGINT,
    bit_rate BIGINT,
    width INTEGER,
    height INTEGER,
    video_codec TEXT,
    hdr TEXT,
    streams TEXT NOT NULL DEFAULT '[]',
    chapters TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '{}',
    probed_at BIGINT,
    seen_at BIGINT NOT NULL,
    missing_since BIGINT,
    added_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX media_files_library ON media_files (library_id, path);
CREATE INDEX media_files_identity ON media_files (dev, ino);
CREATE INDEX media_files_item ON media_files (item_id);
CREATE INDEX media_files_video ON media_files (video_id);
