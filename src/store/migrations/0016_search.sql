-- Search (src/search/, docs/internals/search.md).

-- What changed and must be indexed again: items and people, marked by the
-- triggers below in the transaction that changes them, so no writer can
-- forget. The indexer takes a batch, writes the documents and removes the
-- marks it read (seq at most the one it saw): a mark made meanwhile stays.
-- Marks are only ever added, so writers never wait on one another here.
-- @sqlite
CREATE TABLE search_dirty (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL
);
-- @postgres
CREATE TABLE search_dirty (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL
);
-- @both
CREATE INDEX search_dirty_id ON search_dirty (id, seq);

-- One document per work (movie, series, episode, book, audiobook) and per
-- person. Text columns hold folded tokens (search/fold.h), made in C for
-- both backends: titles (title, original and alternative titles, sort
-- title, with joined and number forms), people (cast and crew names),
-- extra (genres, collections, the series of an episode), overview.
-- genres are the work's genres as they are, each followed by U+001F, for
-- the facet counts. title_compact and alt_compact are the titles without
-- spaces, for the
-- exact and prefix tiers of the ranking; the rest copies what filters,
-- facets, sorting and the visibility check need (library_id, parent_id and
-- rating_level, as media_items has them, so that browsing's check runs on
-- the document), so that ranking touches one table.
-- @sqlite
CREATE TABLE search_docs (
    doc_id INTEGER PRIMARY KEY,
    item_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    library_id TEXT,
    parent_id TEXT,
    rating_level INTEGER,
    title TEXT NOT NULL,
    sort_title TEXT NOT NULL,
    title_compact TEXT NOT NULL,
    alt_compact TEXT NOT NULL DEFAULT '',
    p2 TEXT NOT NULL DEFAULT '',
    p3 TEXT NOT NULL DEFAULT '',
    p4 TEXT NOT NULL DEFAULT '',
    p6 TEXT NOT NULL DEFAULT '',
    titles TEXT NOT NULL,
    people TEXT NOT NULL,
    extra TEXT NOT NULL,
    overview TEXT NOT NULL,
    genres TEXT NOT NULL DEFAULT '',
    year INTEGER,
    release_date TEXT,
    popularity BIGINT NOT NULL DEFAULT 0,
    rating INTEGER,
    quality INTEGER NOT NULL DEFAULT 0,
    has_file INTEGER NOT NULL DEFAULT 0,
    resolution TEXT,
    hdr INTEGER NOT NULL DEFAULT 0,
    audio TEXT NOT NULL DEFAULT ' ',
    content_rating TEXT,
    status TEXT,
    added_at BIGINT NOT NULL,
    indexed_at BIGINT NOT NULL
);
-- The folded text is already tokens separated by spaces: the ascii
-- tokenizer splits on them and leaves every other byte alone.
CREATE VIRTUAL TABLE search_fts USING fts5(
    titles, people, extra, overview,
    content = 'search_docs', content_rowid = 'doc_id',
    tokenize = 'ascii', prefix = '2 3'
);
CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
    INSERT INTO search_fts (rowid, titles, people, extra, overview)
        VALUES (NEW.doc_id, NEW.titles, NEW.people, NEW.extra, NEW.overview);
END;
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
    INSERT INTO search_fts (search_fts, rowid, titles, people, extra, overview)
        VALUES ('delete', OLD.doc_id, OLD.titles, OLD.people, OLD.extra, OLD.overview);
END;
CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN
    INSERT INTO search_fts (search_fts, rowid, titles, people, extra, overview)
        VALUES ('delete', OLD.doc_id, OLD.titles, OLD.people, OLD.extra, OLD.overview);
    INSERT INTO search_fts (rowid, titles, people, extra, overview)
        VALUES (NEW.doc_id, NEW.titles, NEW.people, NEW.extra, NEW.overview);
END;

-- How many documents hold each word, read from the index itself: words in
-- more than one document in fifty are not required when rarer ones are
-- typed with them (search/search.h).
CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, row);

-- The words of titles and names, for "did you mean": a trigram index over
-- each word written ^word$, so that beginnings and ends weigh as in
-- pg_trgm's padding. gen is when a document last used the word; a reindex
-- removes the words no document used since it began.
CREATE TABLE search_terms (
    id INTEGER PRIMARY KEY,
    term TEXT NOT NULL UNIQUE,
    gen BIGINT NOT NULL
);
CREATE VIRTUAL TABLE search_terms_tri USING fts5(term, content = '', tokenize = 'trigram');
CREATE TRIGGER search_terms_ai AFTER INSERT ON search_terms BEGIN
    INSERT INTO search_terms_tri (rowid, term) VALUES (NEW.id, '^' || NEW.term || '$');
END;
CREATE TRIGGER search_terms_ad AFTER DELETE ON search_terms BEGIN
    INSERT INTO search_terms_tri (search_terms_tri, rowid, term)
        VALUES ('delete', OLD.id, '^' || OLD.term || '$');
END;

-- What marks a document dirty. Updates count only when a column the
-- document is made of changes (a rescan touches seen_at on every file).
CREATE TRIGGER search_items_ai AFTER INSERT ON media_items BEGIN
    INSERT INTO search_dirty (id) VALUES (NEW.id);
END;
CREATE TRIGGER search_items_ad AFTER DELETE ON media_items BEGIN
    INSERT INTO search_dirty (id) VALUES (OLD.id);
END;
CREATE TRIGGER search_items_au AFTER UPDATE ON media_items
WHEN OLD.title IS NOT NEW.title OR OLD.sort_title IS NOT NEW.sort_title
    OR OLD.original_title IS NOT NEW.original_title OR OLD.overview IS NOT NEW.overview
    OR OLD.year IS NOT NEW.year OR OLD.release_date IS NOT NEW.release_date
    OR OLD.content_rating IS NOT NEW.content_rating OR OLD.rating IS NOT NEW.rating
    OR OLD.quality IS NOT NEW.quality OR OLD.deleted_at IS NOT NEW.deleted_at
    OR OLD.details IS NOT NEW.details OR OLD.library_id IS NOT NEW.library_id
    OR OLD.parent_id IS NOT NEW.parent_id OR OLD.kind IS NOT NEW.kind
    OR OLD.rating_level IS NOT NEW.rating_level
BEGIN
    INSERT INTO search_dirty (id) VALUES (NEW.id);
    -- A series' title is in its episodes' documents.
    INSERT INTO search_dirty (id)
        SELECT e.id FROM media_items s JOIN media_items e ON e.parent_id = s.id
        WHERE s.parent_id = NEW.id AND OLD.title IS NOT NEW.title;
END;
-- A file counts for its item, its season and its series (has_file,
-- resolution, HDR, audio languages).
CREATE TRIGGER search_files_ai AFTER INSERT ON media_files WHEN NEW.item_id IS NOT NULL BEGIN
    INSERT INTO search_dirty (id)
        SELECT x.id FROM media_items e, media_items x
        WHERE e.id = NEW.item_id AND x.id IN (e.id, e.parent_id,
            (SELECT p.parent_id FROM media_items p WHERE p.id = e.parent_id));
END;
CREATE TRIGGER search_files_ad AFTER DELETE ON media_files WHEN OLD.item_id IS NOT NULL BEGIN
    INSERT INTO search_dirty (id)
        SELECT x.id FROM media_items e, media_items x
        WHERE e.id = OLD.item_id AND x.id IN (e.id, e.parent_id,
            (SELECT p.parent_id FROM media_items p WHERE p.id = e.parent_id));
END;
CREATE TRIGGER search_files_au AFTER UPDATE ON media_files
WHEN OLD.item_id IS NOT NEW.item_id OR OLD.state IS NOT NEW.state OR OLD.role IS NOT NEW.role
    OR OLD.width IS NOT NEW.width OR OLD.height IS NOT NEW.height OR OLD.hdr IS NOT NEW.hdr
    OR OLD.streams IS NOT NEW.streams
BEGIN
    INSERT INTO search_dirty (id)
        SELECT x.id FROM media_items e, media_items x
        WHERE e.id IN (OLD.item_id, NEW.item_id) AND x.id IN (e.id, e.parent_id,
            (SELECT p.parent_id FROM media_items p WHERE p.id = e.parent_id));
END;
CREATE TRIGGER search_genres_ai AFTER INSERT ON media_genres BEGIN
    INSERT INTO search_dirty (id) VALUES (NEW.item_id);
END;
CREATE TRIGGER search_genres_ad AFTER DELETE ON media_genres BEGIN
    INSERT INTO search_dirty (id) VALUES (OLD.item_id);
END;
CREATE TRIGGER search_credits_ai AFTER INSERT ON media_credits BEGIN
    INSERT INTO search_dirty (id) VALUES (NEW.item_id), (NEW.person_id);
END;
CREATE TRIGGER search_credits_ad AFTER DELETE ON media_credits BEGIN
    INSERT INTO search_dirty (id) VALUES (OLD.item_id), (OLD.person_id);
END;
CREATE TRIGGER search_people_au AFTER UPDATE ON people WHEN OLD.name IS NOT NEW.name BEGIN
    INSERT INTO search_dirty (id) VALUES (NEW.id);
    INSERT INTO search_dirty (id) SELECT item_id FROM media_credits WHERE person_id = NEW.id;
END;
CREATE TRIGGER search_people_ad AFTER DELETE ON people BEGIN
    INSERT INTO search_dirty (id) VALUES (OLD.id);
END;
CREATE TRIGGER search_collection_items_ai AFTER INSERT ON collection_items BEGIN
    INSERT INTO search_dirty (id) VALUES (NEW.item_id);
END;
CREATE TRIGGER search_collection_items_ad AFTER DELETE ON collection_items BEGIN
    INSERT INTO search_dirty (id) VALUES (OLD.item_id);
END;
CREATE TRIGGER search_collections_au AFTER UPDATE ON collections WHEN OLD.name IS NOT NEW.name
BEGIN
    INSERT INTO search_dirty (id) SELECT item_id FROM collection_items WHERE collection_id = NEW.id;
END;
-- @postgres
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE search_docs (
    doc_id BIGSERIAL PRIMARY KEY,
    item_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    library_id TEXT,
    parent_id TEXT,
    rating_level INTEGER,
    title TEXT NOT NULL,
    sort_title TEXT NOT NULL,
    title_compact TEXT COLLATE "C" NOT NULL,
    alt_compact TEXT COLLATE "C" NOT NULL DEFAULT '',
    p2 TEXT COLLATE "C" NOT NULL DEFAULT '',
    p3 TEXT COLLATE "C" NOT NULL DEFAULT '',
    p4 TEXT COLLATE "C" NOT NULL DEFAULT '',
    p6 TEXT COLLATE "C" NOT NULL DEFAULT '',
    titles TEXT NOT NULL,
    people TEXT NOT NULL,
    extra TEXT NOT NULL,
    overview TEXT NOT NULL,
    genres TEXT NOT NULL DEFAULT '',
    -- The four columns' tokens with their positions and weights (A
    -- titles, B people, C extra, D overview), written by us, not parsed
    -- by a text search configuration: both backends see the same tokens.
    doc TSVECTOR NOT NULL,
    year INTEGER,
    release_date TEXT,
    popularity BIGINT NOT NULL DEFAULT 0,
    rating INTEGER,
    quality INTEGER NOT NULL DEFAULT 0,
    has_file INTEGER NOT NULL DEFAULT 0,
    resolution TEXT,
    hdr INTEGER NOT NULL DEFAULT 0,
    audio TEXT NOT NULL DEFAULT ' ',
    content_rating TEXT,
    status TEXT,
    added_at BIGINT NOT NULL,
    indexed_at BIGINT NOT NULL
);
CREATE INDEX search_docs_doc ON search_docs USING GIN (doc);
CREATE TABLE search_terms (
    id BIGSERIAL PRIMARY KEY,
    term TEXT COLLATE "C" NOT NULL UNIQUE,
    gen BIGINT NOT NULL
);
CREATE INDEX search_terms_trgm ON search_terms USING GIN (term gin_trgm_ops);

CREATE FUNCTION search_mark(ids TEXT[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO search_dirty (id) SELECT x FROM unnest(ids) x WHERE x IS NOT NULL
$$;
CREATE FUNCTION search_items_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM search_mark(ARRAY[OLD.id]);
        RETURN NULL;
    END IF;
    PERFORM search_mark(ARRAY[NEW.id]);
    IF TG_OP = 'UPDATE' AND OLD.title IS DISTINCT FROM NEW.title THEN
        PERFORM search_mark(ARRAY(SELECT e.id FROM media_items s JOIN media_items e
            ON e.parent_id = s.id WHERE s.parent_id = NEW.id));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER search_items_aid AFTER INSERT OR DELETE ON media_items
    FOR EACH ROW EXECUTE FUNCTION search_items_changed();
CREATE TRIGGER search_items_au AFTER UPDATE ON media_items FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.sort_title IS DISTINCT FROM NEW.sort_title
        OR OLD.original_title IS DISTINCT FROM NEW.original_title
        OR OLD.overview IS DISTINCT FROM NEW.overview OR OLD.year IS DISTINCT FROM NEW.year
        OR OLD.release_date IS DISTINCT FROM NEW.release_date
        OR OLD.content_rating IS DISTINCT FROM NEW.content_rating
        OR OLD.rating IS DISTINCT FROM NEW.rating OR OLD.quality IS DISTINCT FROM NEW.quality
        OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at
        OR OLD.details IS DISTINCT FROM NEW.details
        OR OLD.library_id IS DISTINCT FROM NEW.library_id
        OR OLD.parent_id IS DISTINCT FROM NEW.parent_id OR OLD.kind IS DISTINCT FROM NEW.kind
        OR OLD.rating_level IS DISTINCT FROM NEW.rating_level)
    EXECUTE FUNCTION search_items_changed();

CREATE FUNCTION search_files_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids TEXT[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY[NEW.item_id];
    ELSIF TG_OP = 'DELETE' THEN
        ids := ARRAY[OLD.item_id];
    ELSE
        ids := ARRAY[OLD.item_id, NEW.item_id];
    END IF;
    PERFORM search_mark(ARRAY(SELECT x.id FROM media_items e, media_items x
        WHERE e.id = ANY (ids) AND x.id IN (e.id, e.parent_id,
            (SELECT p.parent_id FROM media_items p WHERE p.id = e.parent_id))));
    RETURN NULL;
END
$$;
CREATE TRIGGER search_files_aid AFTER INSERT OR DELETE ON media_files
    FOR EACH ROW EXECUTE FUNCTION search_files_changed();
CREATE TRIGGER search_files_au AFTER UPDATE ON media_files FOR EACH ROW
    WHEN (OLD.item_id IS DISTINCT FROM NEW.item_id OR OLD.state IS DISTINCT FROM NEW.state
        OR OLD.role IS DISTINCT FROM NEW.role OR OLD.width IS DISTINCT FROM NEW.width
        OR OLD.height IS DISTINCT FROM NEW.height OR OLD.hdr IS DISTINCT FROM NEW.hdr
        OR OLD.streams IS DISTINCT FROM NEW.streams)
    EXECUTE FUNCTION search_files_changed();

CREATE FUNCTION search_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'media_credits' THEN
        IF TG_OP = 'DELETE' THEN
            PERFORM search_mark(ARRAY[OLD.item_id, OLD.person_id]);
        ELSE
            PERFORM search_mark(ARRAY[NEW.item_id, NEW.person_id]);
        END IF;
    ELSIF TG_TABLE_NAME = 'people' THEN
        IF TG_OP = 'DELETE' THEN
            PERFORM search_mark(ARRAY[OLD.id]);
        ELSE
            PERFORM search_mark(ARRAY[NEW.id] || ARRAY(SELECT item_id FROM media_credits
                WHERE person_id = NEW.id));
        END IF;
    ELSIF TG_TABLE_NAME = 'collections' THEN
        PERFORM search_mark(ARRAY(SELECT item_id FROM collection_items
            WHERE collection_id = NEW.id));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM search_mark(ARRAY[OLD.item_id]);
    ELSE
        PERFORM search_mark(ARRAY[NEW.item_id]);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER search_genres AFTER INSERT OR DELETE ON media_genres
    FOR EACH ROW EXECUTE FUNCTION search_rows_changed();
CREATE TRIGGER search_credits AFTER INSERT OR DELETE ON media_credits
    FOR EACH ROW EXECUTE FUNCTION search_rows_changed();
CREATE TRIGGER search_people_au AFTER UPDATE ON people FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION search_rows_changed();
CREATE TRIGGER search_people_ad AFTER DELETE ON people
    FOR EACH ROW EXECUTE FUNCTION search_rows_changed();
CREATE TRIGGER search_collection_items AFTER INSERT OR DELETE ON collection_items
    FOR EACH ROW EXECUTE FUNCTION search_rows_changed();
CREATE TRIGGER search_collections_au AFTER UPDATE ON collections FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION search_rows_changed();
-- @both
CREATE INDEX search_docs_kind ON search_docs (kind, popularity);
CREATE INDEX search_docs_title ON search_docs (title_compact);
CREATE INDEX search_docs_alt ON search_docs (alt_compact);
-- A title's first 2, 3, 4 and 6 characters, by popularity: what a
-- keystroke's first letters look up, walking the most popular titles that
-- start with them and stopping at the tenth, without reading every title
-- that starts with "the".
CREATE INDEX search_docs_p2 ON search_docs (p2, popularity);
CREATE INDEX search_docs_p3 ON search_docs (p3, popularity);
CREATE INDEX search_docs_p4 ON search_docs (p4, popularity);
CREATE INDEX search_docs_p6 ON search_docs (p6, popularity);

-- What was searched, for the admin's statistics: the folded query and how
-- often, never who. Written in batches by the instance that answered.
CREATE TABLE search_queries (
    query TEXT PRIMARY KEY,
    searches BIGINT NOT NULL,
    zero_results BIGINT NOT NULL,
    last_at BIGINT NOT NULL
);
CREATE INDEX search_queries_searches ON search_queries (searches);

-- Rebuilds of the index (POST /api/v1/admin/search/reindex): how many
-- documents were marked and how many are done, for the progress shown.
CREATE TABLE search_reindexes (
    id TEXT PRIMARY KEY,
    job_id TEXT,
    state TEXT NOT NULL,
    total BIGINT NOT NULL DEFAULT 0,
    done BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    started_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX search_reindexes_started ON search_reindexes (started_at);

-- Everything already in the catalogue is indexed once.
INSERT INTO search_dirty (id) SELECT id FROM media_items;
INSERT INTO search_dirty (id) SELECT id FROM people;
