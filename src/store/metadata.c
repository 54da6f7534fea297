#include "store/metadata.h"

#include <string.h>

#define P_TEXT_OR_NULL(s) ((s) ? MQ_P_TEXT(s) : MQ_P_NULL)

const char *const mq_match_states[5] = {"pending", "matched", "review", "unmatched", "failed"};

/* ---- the response cache --------------------------------------------------- */

static const struct mq_sql SQL_CACHE_GET = {
    "metadata_cache.get",
    "SELECT body, status, fetched_at, expires_at FROM metadata_cache WHERE key = $1 AND "
    "expires_at > $2",
    NULL};
static const struct mq_sql SQL_CACHE_PUT = {
    "metadata_cache.put",
    "INSERT INTO metadata_cache (key, provider, status, body, fetched_at, expires_at) VALUES ($1, "
    "$2, $3, $4, $5, $6) ON CONFLICT (key) DO UPDATE SET status = excluded.status, body = "
    "excluded.body, fetched_at = excluded.fetched_at, expires_at = excluded.expires_at",
    NULL};
static const struct mq_sql SQL_CACHE_PRUNE = {
    "metadata_cache.prune", "DELETE FROM metadata_cache WHERE expires_at <= $1", NULL};

static void read_cache(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_md_cache_row *r = dst;
    r->body = mq_rows_dup(rows, 0, a, oom);
    r->status = mq_rows_int(rows, 1);
    r->fetched_at = mq_rows_int(rows, 2);
    r->expires_at = mq_rows_int(rows, 3);
}

mq_err mq_store_md_cache_get(struct mq_db *db, struct mq_arena *a, const char *key, int64_t now,
                             struct mq_md_cache_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(key), MQ_P_INT(now)};
    return mq_db_query_one(db, &SQL_CACHE_GET, p, 2, a, read_cache, out);
}

mq_err mq_store_md_cache_put(struct mq_db *db, const char *key, const char *provider,
                             int64_t status, const char *body, int64_t now, int64_t expires_at)
{
    struct mq_param p[] = {MQ_P_TEXT(key),  MQ_P_TEXT(provider), MQ_P_INT(status),
                           MQ_P_TEXT(body), MQ_P_INT(now),       MQ_P_INT(expires_at)};
    return mq_db_exec(db, &SQL_CACHE_PUT, p, 6, NULL);
}

mq_err mq_store_md_cache_prune(struct mq_db *db, int64_t now, int64_t *n)
{
    struct mq_param p[] = {MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_CACHE_PRUNE, p, 1, n);
}

/* ---- identification -------------------------------------------------------- */

#define MATCH_COLS                                                                                 \
    "m.item_id, m.library_id, m.state, m.provider, m.provider_id, m.confidence, m.method, "        \
    "m.candidates, m.reason, m.matched_by, m.attempts, m.next_refresh_at, m.updated_at, i.kind, "  \
    "i.title, i.year"

static const struct mq_sql SQL_MATCH_PUT = {
    "media_matches.put",
    "INSERT INTO media_matches (item_id, library_id, state, provider, provider_id, confidence, "
    "method, candidates, reason, matched_by, attempts, next_refresh_at, updated_at) VALUES ($1, "
    "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (item_id) DO UPDATE SET "
    "library_id = excluded.library_id, state = excluded.state, provider = excluded.provider, "
    "provider_id = excluded.provider_id, confidence = excluded.confidence, method = "
    "excluded.method, candidates = excluded.candidates, reason = excluded.reason, matched_by = "
    "excluded.matched_by, attempts = excluded.attempts, next_refresh_at = "
    "excluded.next_refresh_at, updated_at = excluded.updated_at",
    NULL};
static const struct mq_sql SQL_MATCH_GET = {
    "media_matches.get",
    "SELECT " MATCH_COLS " FROM media_matches m JOIN media_items i ON i.id = m.item_id WHERE "
    "m.item_id = $1",
    NULL};
static const struct mq_sql SQL_MATCHES_NEW = {
    "media_matches.new",
    "SELECT i.id FROM media_items i LEFT JOIN media_matches m ON m.item_id = i.id WHERE "
    "i.library_id = $1 AND i.deleted_at IS NULL AND i.kind IN ('movie', 'series', 'book', "
    "'audiobook') AND (m.item_id IS NULL OR m.state = 'pending') AND i.id > $3 ORDER BY i.id "
    "LIMIT $2",
    NULL};
static const struct mq_sql SQL_MATCHES_WAITING = {
    "media_matches.waiting",
    "SELECT " MATCH_COLS " FROM media_matches m JOIN media_items i ON i.id = m.item_id WHERE "
    "m.state IN ('review', 'unmatched', 'failed') AND m.library_id IS NOT NULL AND i.deleted_at IS "
    "NULL AND m.item_id > $1 "
    "ORDER BY m.item_id LIMIT $2",
    NULL};
static const struct mq_sql SQL_MATCHES_DUE = {
    "media_matches.due",
    "SELECT " MATCH_COLS " FROM media_matches m JOIN media_items i ON i.id = m.item_id WHERE "
    "m.state IN ('matched', 'failed') AND m.next_refresh_at IS NOT NULL AND m.next_refresh_at <= "
    "$1 AND i.deleted_at IS NULL ORDER BY m.next_refresh_at, m.item_id LIMIT $2",
    NULL};
static const struct mq_sql SQL_MATCHES_OF = {
    "media_matches.of",
    "SELECT " MATCH_COLS " FROM media_matches m JOIN media_items i ON i.id = m.item_id WHERE "
    "m.state = 'matched' AND ($1 = '' OR m.library_id = $1) AND i.deleted_at IS NULL AND "
    "m.item_id > $2 ORDER BY m.item_id LIMIT $3",
    NULL};
static const struct mq_sql SQL_MATCH_COUNTS = {
    "media_matches.counts",
    "SELECT m.state, COUNT(*) FROM media_matches m JOIN media_items i ON i.id = m.item_id WHERE "
    "($1 = '' OR m.library_id = $1) AND i.deleted_at IS NULL GROUP BY m.state",
    NULL};

/* Works a scan made that identification has not reached yet. */
static const struct mq_sql SQL_MATCH_UNSEEN = {
    "media_matches.unseen",
    "SELECT COUNT(*) FROM media_items i WHERE ($1 = '' OR i.library_id = $1) AND i.library_id IS "
    "NOT NULL AND i.deleted_at IS NULL AND i.kind IN ('movie', 'series', 'book', 'audiobook') AND "
    "NOT EXISTS (SELECT 1 FROM media_matches m WHERE m.item_id = i.id)",
    NULL};

/* Rows found by a statement that selects ids, then read whole: works and
 * files have readers of their own (store/catalog.h). */
static mq_err items_of_ids(struct mq_db *db, struct mq_arena *a, const struct mq_sql *sql,
                           const struct mq_param *p, size_t np, size_t max,
                           struct mq_item_row **out, size_t *n)
{
    const char **ids = NULL;
    size_t k = 0;
    *out = NULL;
    *n = 0;
    mq_err err = mq_db_query_list(db, sql, p, np, a, mq_read_text, sizeof(*ids), max, &ids, &k);
    if (err || !k) return err;
    struct mq_item_row *rows = mq_arena_calloc(a, k, sizeof(*rows));
    if (!rows) return MQ_ENOMEM;
    for (size_t i = 0; i < k && !err; i++) err = mq_store_item_get(db, a, ids[i], &rows[i]);
    if (!err) *out = rows, *n = k;
    return err;
}

static mq_err files_of_ids(struct mq_db *db, struct mq_arena *a, const struct mq_sql *sql,
                           const struct mq_param *p, size_t np, size_t max,
                           struct mq_file_row **out, size_t *n)
{
    const char **ids = NULL;
    size_t k = 0;
    *out = NULL;
    *n = 0;
    mq_err err = mq_db_query_list(db, sql, p, np, a, mq_read_text, sizeof(*ids), max, &ids, &k);
    if (err || !k) return err;
    struct mq_file_row *rows = mq_arena_calloc(a, k, sizeof(*rows));
    if (!rows) return MQ_ENOMEM;
    for (size_t i = 0; i < k && !err; i++) err = mq_store_file_get(db, a, ids[i], &rows[i]);
    if (!err) *out = rows, *n = k;
    return err;
}

static void read_match(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_match_row *r = dst;
    r->item_id = mq_rows_dup(rows, 0, a, oom);
    r->library_id = mq_rows_dup(rows, 1, a, oom);
    r->state = mq_rows_dup(rows, 2, a, oom);
    r->provider = mq_rows_dup(rows, 3, a, oom);
    r->provider_id = mq_rows_dup(rows, 4, a, oom);
    r->confidence = mq_rows_int(rows, 5);
    r->method = mq_rows_dup(rows, 6, a, oom);
    r->candidates = mq_rows_dup(rows, 7, a, oom);
    r->reason = mq_rows_dup(rows, 8, a, oom);
    r->matched_by = mq_rows_dup(rows, 9, a, oom);
    r->attempts = mq_rows_int(rows, 10);
    r->next_refresh_at = mq_rows_null(rows, 11) ? 0 : mq_rows_int(rows, 11);
    r->updated_at = mq_rows_int(rows, 12);
    r->kind = mq_rows_dup(rows, 13, a, oom);
    r->title = mq_rows_dup(rows, 14, a, oom);
    r->year = mq_rows_null(rows, 15) ? 0 : mq_rows_int(rows, 15);
}

mq_err mq_store_match_put(struct mq_db *db, const struct mq_match_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->item_id),
                           P_TEXT_OR_NULL(r->library_id),
                           MQ_P_TEXT(r->state),
                           P_TEXT_OR_NULL(r->provider),
                           P_TEXT_OR_NULL(r->provider_id),
                           MQ_P_INT(r->confidence),
                           P_TEXT_OR_NULL(r->method),
                           MQ_P_TEXT(r->candidates ? r->candidates : "[]"),
                           P_TEXT_OR_NULL(r->reason),
                           P_TEXT_OR_NULL(r->matched_by),
                           MQ_P_INT(r->attempts),
                           MQ_P_INT_OR_NULL(r->next_refresh_at),
                           MQ_P_INT(r->updated_at)};
    return mq_db_exec(db, &SQL_MATCH_PUT, p, 13, NULL);
}

mq_err mq_store_match_get(struct mq_db *db, struct mq_arena *a, const char *item_id,
                          struct mq_match_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(item_id)};
    return mq_db_query_one(db, &SQL_MATCH_GET, p, 1, a, read_match, out);
}

mq_err mq_store_matches_new(struct mq_db *db, struct mq_arena *a, const char *library_id,
                            const char *after, int limit, struct mq_item_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(library_id), MQ_P_INT(limit), MQ_P_TEXT(after ? after : "")};
    return items_of_ids(db, a, &SQL_MATCHES_NEW, p, 3, (size_t)limit, out, n);
}

mq_err mq_store_matches_waiting(struct mq_db *db, struct mq_arena *a, const char *after, int limit,
                                struct mq_match_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(after ? after : ""), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_MATCHES_WAITING, p, 2, a, read_match, sizeof(**out),
                            (size_t)limit, out, n);
}

mq_err mq_store_matches_due(struct mq_db *db, struct mq_arena *a, int64_t now, int limit,
                            struct mq_match_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_INT(now), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_MATCHES_DUE, p, 2, a, read_match, sizeof(**out), (size_t)limit,
                            out, n);
}

mq_err mq_store_matches_of(struct mq_db *db, struct mq_arena *a, const char *library_id,
                           const char *after, int limit, struct mq_match_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(library_id ? library_id : ""), MQ_P_TEXT(after ? after : ""),
                           MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_MATCHES_OF, p, 3, a, read_match, sizeof(**out), (size_t)limit,
                            out, n);
}

mq_err mq_store_match_counts(struct mq_db *db, const char *library_id, int64_t counts[5])
{
    struct mq_param p[] = {MQ_P_TEXT(library_id ? library_id : "")};
    struct mq_rows *rows = NULL;
    memset(counts, 0, 5 * sizeof(*counts));
    mq_err err = mq_db_query(db, &SQL_MATCH_COUNTS, p, 1, &rows);
    if (err) return err;
    while (mq_rows_next(rows))
        for (int k = 0; k < 5; k++)
            if (!strcmp(mq_rows_text(rows, 0), mq_match_states[k]))
                counts[k] = mq_rows_int(rows, 1);
    err = mq_rows_close(rows);
    int64_t unseen = 0;
    if (!err) err = mq_db_query_int(db, &SQL_MATCH_UNSEEN, p, 1, &unseen);
    counts[0] += unseen;
    return err;
}

/* ---- the catalogue, as identification reads it ---------------------------- */

/* One statement per indexed key (media_items_tmdb, _imdb, _tvdb, _isbn
 * are expression indexes, which only a literal path can use), and one for
 * the others. */
#define BY_EXTERNAL(KEY)                                                                           \
    {                                                                                              \
        "media_items.by_external_" KEY,                                                            \
            "SELECT id FROM media_items WHERE kind = $1 AND json_extract(external_ids, '$." KEY    \
            "') = "                                                                                \
            "$3 AND $2 = '" KEY                                                                    \
            "' AND deleted_at IS NULL AND ($4 = '*' OR library_id = $4 OR ($4 = '' AND "           \
            "library_id IS NULL)) ORDER BY library_id IS NULL, id LIMIT 1",                        \
            "SELECT id FROM media_items WHERE kind = $1 AND ((external_ids::jsonb) ->> '" KEY      \
            "') = $3 "                                                                             \
            "AND $2 = '" KEY                                                                       \
            "' AND deleted_at IS NULL AND ($4 = '*' OR library_id = $4 OR ($4 = '' AND "           \
            "library_id IS NULL)) ORDER BY library_id IS NULL, id LIMIT 1"                         \
    }
static const char *const INDEXED_KEYS[] = {"tmdb", "imdb", "tvdb", "isbn"};
static const struct mq_sql SQL_ITEM_BY_EXTERNAL[] = {
    BY_EXTERNAL("tmdb"),
    BY_EXTERNAL("imdb"),
    BY_EXTERNAL("tvdb"),
    BY_EXTERNAL("isbn"),
    {"media_items.by_external",
     "SELECT id FROM media_items WHERE kind = $1 AND json_extract(external_ids, '$.' || $2) = $3 "
     "AND deleted_at IS NULL AND ($4 = '*' OR library_id = $4 OR ($4 = '' AND library_id IS "
     "NULL)) ORDER BY library_id IS NULL, id LIMIT 1",
     "SELECT id FROM media_items WHERE kind = $1 AND (external_ids::jsonb) ->> $2 = $3 AND "
     "deleted_at IS NULL AND ($4 = '*' OR library_id = $4 OR ($4 = '' AND library_id IS NULL)) "
     "ORDER BY library_id IS NULL, id LIMIT 1"},
};
static const struct mq_sql SQL_ITEM_CHILDREN = {
    "media_items.children",
    "SELECT id FROM media_items WHERE parent_id = $1 AND deleted_at IS NULL ORDER BY position, id",
    NULL};
static const struct mq_sql SQL_FILES_ROLE = {
    "media_files.of_item_role",
    "SELECT id FROM media_files WHERE item_id = $1 AND role = $2 AND state <> 'missing' ORDER BY "
    "path",
    NULL};
static const struct mq_sql SQL_DESCENDANT_NFOS = {
    "media_files.descendant_nfos",
    "SELECT f.id FROM media_files f JOIN media_items e ON e.id = f.item_id WHERE f.role = 'nfo' "
    "AND f.state <> 'missing' AND e.deleted_at IS NULL AND (e.parent_id = $1 OR e.parent_id IN "
    "(SELECT id FROM media_items WHERE parent_id = $1)) ORDER BY f.path LIMIT $2",
    NULL};
static const struct mq_sql SQL_ITEM_DURATION = {
    "media_files.item_duration",
    "SELECT COALESCE(MAX(duration_ms), 0) FROM media_files WHERE item_id = $1 AND role = 'main'",
    NULL};
static const struct mq_sql SQL_RELATION_PUT = {
    "media_relations.put",
    "INSERT INTO media_relations (from_id, to_id, kind, source, confidence, created_at) VALUES "
    "($1, $2, $3, $4, $5, $6) ON CONFLICT (from_id, to_id, kind) DO UPDATE SET source = "
    "excluded.source, confidence = excluded.confidence WHERE media_relations.source <> 'admin'",
    NULL};

mq_err mq_store_item_by_external(struct mq_db *db, struct mq_arena *a, const char *kind,
                                 const char *key, const char *value, const char *library_id,
                                 struct mq_item_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(kind), MQ_P_TEXT(key), MQ_P_TEXT(value),
                           MQ_P_TEXT(library_id ? library_id : "")};
    const char *id = NULL;
    size_t k = 0;
    while (k < 4 && strcmp(key, INDEXED_KEYS[k])) k++;
    mq_err err = mq_db_query_one(db, &SQL_ITEM_BY_EXTERNAL[k], p, 4, a, mq_read_text, &id);
    return err ? err : mq_store_item_get(db, a, id, out);
}

mq_err mq_store_item_children(struct mq_db *db, struct mq_arena *a, const char *parent_id,
                              struct mq_item_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(parent_id)};
    return items_of_ids(db, a, &SQL_ITEM_CHILDREN, p, 1, 0, out, n);
}

mq_err mq_store_item_files_role(struct mq_db *db, struct mq_arena *a, const char *item_id,
                                const char *role, struct mq_file_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(item_id), MQ_P_TEXT(role)};
    return files_of_ids(db, a, &SQL_FILES_ROLE, p, 2, 16, out, n);
}

mq_err mq_store_descendant_nfos(struct mq_db *db, struct mq_arena *a, const char *item_id,
                                int limit, struct mq_file_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(item_id), MQ_P_INT(limit)};
    return files_of_ids(db, a, &SQL_DESCENDANT_NFOS, p, 2, (size_t)limit, out, n);
}

mq_err mq_store_item_duration(struct mq_db *db, const char *item_id, int64_t *ms)
{
    struct mq_param p[] = {MQ_P_TEXT(item_id)};
    return mq_db_query_int(db, &SQL_ITEM_DURATION, p, 1, ms);
}

mq_err mq_store_relation_put(struct mq_db *db, const char *from_id, const char *to_id,
                             const char *kind, const char *source, int64_t confidence, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(from_id), MQ_P_TEXT(to_id),     MQ_P_TEXT(kind),
                           MQ_P_TEXT(source),  MQ_P_INT(confidence), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_RELATION_PUT, p, 6, NULL);
}

/* Rows of `from` that `into` already has are dropped, the rest move. */
static const struct mq_sql SQL_MERGE[] = {
    {"merge.collections_dup",
     "DELETE FROM collection_items WHERE item_id = $1 AND collection_id IN (SELECT collection_id "
     "FROM collection_items WHERE item_id = $2)",
     NULL},
    {"merge.collections", "UPDATE collection_items SET item_id = $2 WHERE item_id = $1", NULL},
    {"merge.relations_from_dup",
     "DELETE FROM media_relations WHERE from_id = $1 AND EXISTS (SELECT 1 FROM media_relations r "
     "WHERE r.from_id = $2 AND r.to_id = media_relations.to_id AND r.kind = media_relations.kind)",
     NULL},
    {"merge.relations_from",
     "UPDATE media_relations SET from_id = $2 WHERE from_id = $1 AND to_id <> $2", NULL},
    {"merge.relations_to_dup",
     "DELETE FROM media_relations WHERE to_id = $1 AND EXISTS (SELECT 1 FROM media_relations r "
     "WHERE r.to_id = $2 AND r.from_id = media_relations.from_id AND r.kind = "
     "media_relations.kind)",
     NULL},
    {"merge.relations_to",
     "UPDATE media_relations SET to_id = $2 WHERE to_id = $1 AND from_id <> $2", NULL},
    {"merge.availability", "UPDATE media_availability SET item_id = $2 WHERE item_id = $1", NULL},
};
static const struct mq_sql SQL_MERGE_DELETE = {"merge.delete",
                                               "DELETE FROM media_items WHERE id = $1", NULL};

mq_err mq_store_item_merge(struct mq_db *db, const char *from_id, const char *into_id)
{
    struct mq_param p[] = {MQ_P_TEXT(from_id), MQ_P_TEXT(into_id)};
    mq_err err = MQ_OK;
    for (size_t i = 0; !err && i < sizeof(SQL_MERGE) / sizeof(SQL_MERGE[0]); i++)
        err = mq_db_exec(db, &SQL_MERGE[i], p, 2, NULL);
    return err ? err : mq_db_exec(db, &SQL_MERGE_DELETE, p, 1, NULL);
}

static const struct mq_sql SQL_AVAIL_CLEAR = {
    "media_availability.clear_source",
    "DELETE FROM media_availability WHERE item_id = $1 AND id LIKE $2 || ':%'", NULL};

mq_err mq_store_availability_clear(struct mq_db *db, const char *item_id, const char *source)
{
    struct mq_param p[] = {MQ_P_TEXT(item_id), MQ_P_TEXT(source)};
    return mq_db_exec(db, &SQL_AVAIL_CLEAR, p, 2, NULL);
}

/* ---- pictures from providers -------------------------------------------- */

static const struct mq_sql SQL_IMAGE_PUT = {
    "remote_images.put",
    "INSERT INTO remote_images (owner_id, kind, provider, remote, state, updated_at) VALUES ($1, "
    "$2, $3, $4, 'pending', $5) ON CONFLICT (owner_id, kind) DO UPDATE SET provider = "
    "excluded.provider, remote = excluded.remote, state = CASE WHEN remote_images.remote = "
    "excluded.remote AND remote_images.state = 'ok' THEN 'ok' ELSE 'pending' END, updated_at = "
    "excluded.updated_at",
    NULL};
static const struct mq_sql SQL_IMAGES_PENDING = {
    "remote_images.pending",
    "SELECT owner_id, kind, provider, remote, file, state, error, updated_at FROM remote_images "
    "WHERE state = 'pending' ORDER BY updated_at, owner_id, kind LIMIT $1",
    NULL};
static const struct mq_sql SQL_IMAGE_DONE = {
    "remote_images.done",
    "UPDATE remote_images SET file = COALESCE($4, file), state = CASE WHEN $5 = '' THEN 'ok' ELSE "
    "'failed' END, error = NULLIF($5, ''), updated_at = $6 WHERE owner_id = $1 AND kind = $2 AND "
    "remote = $3",
    NULL};
static const struct mq_sql SQL_IMAGES_OF = {
    "remote_images.of",
    "SELECT owner_id, kind, provider, remote, file, state, error, updated_at FROM remote_images "
    "WHERE owner_id = $1 AND state = 'ok' AND file IS NOT NULL ORDER BY kind",
    NULL};

static void read_image(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_remote_image_row *r = dst;
    r->owner_id = mq_rows_dup(rows, 0, a, oom);
    r->kind = mq_rows_dup(rows, 1, a, oom);
    r->provider = mq_rows_dup(rows, 2, a, oom);
    r->remote = mq_rows_dup(rows, 3, a, oom);
    r->file = mq_rows_dup(rows, 4, a, oom);
    r->state = mq_rows_dup(rows, 5, a, oom);
    r->error = mq_rows_dup(rows, 6, a, oom);
    r->updated_at = mq_rows_int(rows, 7);
}

mq_err mq_store_remote_image_put(struct mq_db *db, const char *owner_id, const char *kind,
                                 const char *provider, const char *remote, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(owner_id), MQ_P_TEXT(kind), MQ_P_TEXT(provider),
                           MQ_P_TEXT(remote), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_IMAGE_PUT, p, 5, NULL);
}

mq_err mq_store_remote_images_pending(struct mq_db *db, struct mq_arena *a, int limit,
                                      struct mq_remote_image_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_IMAGES_PENDING, p, 1, a, read_image, sizeof(**out),
                            (size_t)limit, out, n);
}

mq_err mq_store_remote_image_done(struct mq_db *db, const char *owner_id, const char *kind,
                                  const char *remote, const char *file, const char *error,
                                  int64_t now)
{
    struct mq_param p[] = {
        MQ_P_TEXT(owner_id),           MQ_P_TEXT(kind), MQ_P_TEXT(remote), P_TEXT_OR_NULL(file),
        MQ_P_TEXT(error ? error : ""), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_IMAGE_DONE, p, 6, NULL);
}

mq_err mq_store_remote_images_of(struct mq_db *db, struct mq_arena *a, const char *owner_id,
                                 struct mq_remote_image_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(owner_id)};
    return mq_db_query_list(db, &SQL_IMAGES_OF, p, 1, a, read_image, sizeof(**out), 0, out, n);
}

/* ---- runs ----------------------------------------------------------------- */

static const struct mq_sql SQL_RUN_PUT = {
    "metadata_runs.put",
    "INSERT INTO metadata_runs (id, kind, job_id, state, total, done, changed, unchanged, failed, "
    "details, started_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
    "ON CONFLICT (id) DO UPDATE SET state = excluded.state, total = excluded.total, done = "
    "excluded.done, changed = excluded.changed, unchanged = excluded.unchanged, failed = "
    "excluded.failed, details = excluded.details, finished_at = excluded.finished_at",
    NULL};
static const struct mq_sql SQL_RUNS_RECENT = {
    "metadata_runs.recent",
    "SELECT id, kind, job_id, state, total, done, changed, unchanged, failed, details, "
    "started_at, finished_at FROM metadata_runs ORDER BY started_at DESC, id DESC LIMIT $1",
    NULL};

static void read_run(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_md_run_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->kind = mq_rows_dup(rows, 1, a, oom);
    r->job_id = mq_rows_dup(rows, 2, a, oom);
    r->state = mq_rows_dup(rows, 3, a, oom);
    r->total = mq_rows_int(rows, 4);
    r->done = mq_rows_int(rows, 5);
    r->changed = mq_rows_int(rows, 6);
    r->unchanged = mq_rows_int(rows, 7);
    r->failed = mq_rows_int(rows, 8);
    r->details = mq_rows_dup(rows, 9, a, oom);
    r->started_at = mq_rows_int(rows, 10);
    r->finished_at = mq_rows_null(rows, 11) ? 0 : mq_rows_int(rows, 11);
}

mq_err mq_store_md_run_put(struct mq_db *db, const struct mq_md_run_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id),          MQ_P_TEXT(r->kind),
                           P_TEXT_OR_NULL(r->job_id), MQ_P_TEXT(r->state),
                           MQ_P_INT(r->total),        MQ_P_INT(r->done),
                           MQ_P_INT(r->changed),      MQ_P_INT(r->unchanged),
                           MQ_P_INT(r->failed),       MQ_P_TEXT(r->details ? r->details : "[]"),
                           MQ_P_INT(r->started_at),   MQ_P_INT_OR_NULL(r->finished_at)};
    return mq_db_exec(db, &SQL_RUN_PUT, p, 12, NULL);
}

mq_err mq_store_md_runs_recent(struct mq_db *db, struct mq_arena *a, int limit,
                               struct mq_md_run_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_RUNS_RECENT, p, 1, a, read_run, sizeof(**out), (size_t)limit,
                            out, n);
}
