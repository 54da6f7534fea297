#include "store/catalog.h"
#include "store/catalog_sql.h"

#include <stdio.h>
#include <string.h>

#define FILE_COLS                                                                                  \
    "id, library_id, item_id, video_id, role, detail, path, dev, ino, size, mtime, state, "        \
    "reason, container, duration_ms, bit_rate, width, height, video_codec, hdr, streams, "         \
    "chapters, tags, probed_at, seen_at, missing_since, added_at, updated_at"

#define ITEM_COLS                                                                                  \
    "id, library_id, kind, parent_id, match_key, position, position_end, title, sort_title, "      \
    "original_title, overview, year, release_date, runtime_min, content_rating_system, "           \
    "content_rating, rating, edition, external_ids, locked, quality, refreshed_at, added_at, "     \
    "updated_at, deleted_at, rating_level, origin, sources, details"

static const struct mq_sql SQL_FILES_IDENTITY = {
    "media_files.identity",
    "SELECT id, item_id, role, path, dev, ino, size, mtime, state, missing_since "
    "FROM media_files WHERE library_id = $1",
    NULL};
static const struct mq_sql SQL_FILE_UPSERT = {
    "media_files.upsert",
    "INSERT INTO media_files (" FILE_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
    "$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28) "
    "ON CONFLICT (path) DO UPDATE SET library_id = excluded.library_id, item_id = "
    "excluded.item_id, video_id = excluded.video_id, role = excluded.role, detail = "
    "excluded.detail, dev = excluded.dev, ino = excluded.ino, size = excluded.size, mtime = "
    "excluded.mtime, state = excluded.state, reason = excluded.reason, container = "
    "excluded.container, duration_ms = excluded.duration_ms, bit_rate = excluded.bit_rate, width "
    "= excluded.width, height = excluded.height, video_codec = excluded.video_codec, hdr = "
    "excluded.hdr, streams = excluded.streams, chapters = excluded.chapters, tags = "
    "excluded.tags, probed_at = excluded.probed_at, seen_at = excluded.seen_at, missing_since = "
    "NULL, updated_at = excluded.updated_at",
    NULL};
static const struct mq_sql SQL_FILE_MOVE = {
    "media_files.move",
    "UPDATE media_files SET path = $2, seen_at = $3, updated_at = $3, state = 'ok', "
    "missing_since = NULL WHERE id = $1",
    NULL};
static const struct mq_sql SQL_FILE_MISSING = {
    "media_files.missing",
    "UPDATE media_files SET state = 'missing', missing_since = $2, updated_at = $2 WHERE id = $1",
    NULL};
static const struct mq_sql SQL_FILE_FOUND = {
    "media_files.found",
    "UPDATE media_files SET state = CASE WHEN reason IS NULL THEN 'ok' ELSE 'failed' END, "
    "missing_since = NULL, seen_at = $2, updated_at = $2 WHERE id = $1",
    NULL};
static const struct mq_sql SQL_FILE_DELETE = {"media_files.delete",
                                              "DELETE FROM media_files WHERE id = $1", NULL};
static const struct mq_sql SQL_FILE_GET = {
    "media_files.get", "SELECT " FILE_COLS " FROM media_files WHERE id = $1", NULL};
static const struct mq_sql SQL_ITEM_FILES = {"media_files.of_item",
                                             "SELECT " FILE_COLS
                                             " FROM media_files WHERE item_id = $1 ORDER BY "
                                             "CASE role WHEN 'main' THEN 0 ELSE 1 END, role, path",
                                             NULL};

static const struct mq_sql SQL_ITEM_BY_MATCH = {
    "media_items.by_match",
    "SELECT " ITEM_COLS " FROM media_items WHERE library_id = $1 AND match_key = $2", NULL};
static const struct mq_sql SQL_ITEM_INSERT = {
    "media_items.insert",
    "INSERT INTO media_items (" ITEM_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
    "$12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)",
    NULL};
static const struct mq_sql SQL_ITEM_UPDATE = {
    "media_items.update",
    "UPDATE media_items SET kind = $2, parent_id = $3, position = $4, position_end = $5, title = "
    "$6, sort_title = $7, original_title = $8, overview = $9, year = $10, release_date = $11, "
    "runtime_min = $12, content_rating_system = $13, content_rating = $14, rating = $15, edition "
    "= $16, external_ids = $17, locked = $18, quality = $19, refreshed_at = $20, updated_at = "
    "$21, deleted_at = $22, rating_level = $23, sources = $24, details = $25 WHERE id = $1",
    NULL};
static const struct mq_sql SQL_ITEM_GET = {
    "media_items.get", "SELECT " ITEM_COLS " FROM media_items WHERE id = $1", NULL};
static const struct mq_sql SQL_ITEM_SET_DELETED = {
    "media_items.set_deleted", "UPDATE media_items SET deleted_at = $2 WHERE id = $1", NULL};
static const struct mq_sql SQL_ITEMS_PRUNE = {
    "media_items.prune",
    "UPDATE media_items SET deleted_at = $2, updated_at = $2 WHERE library_id = $1 "
    "AND match_key IS NOT NULL AND deleted_at IS NULL AND origin = 'scan' "
    "AND NOT EXISTS (SELECT 1 FROM media_files f WHERE f.item_id = media_items.id) "
    "AND NOT EXISTS (SELECT 1 FROM media_items c WHERE c.parent_id = media_items.id "
    "AND c.deleted_at IS NULL AND (c.origin = 'scan' OR EXISTS (SELECT 1 FROM media_files f "
    "WHERE f.item_id = c.id)))",
    NULL};
/* What a provider made (the seasons and episodes no file backs yet) goes
 * with the scanned parent it was made for. */
static const struct mq_sql SQL_ITEMS_PRUNE_MADE = {
    "media_items.prune_made",
    "UPDATE media_items SET deleted_at = $2, updated_at = $2 WHERE library_id = $1 "
    "AND deleted_at IS NULL AND origin = 'provider' "
    "AND NOT EXISTS (SELECT 1 FROM media_files f WHERE f.item_id = media_items.id) "
    "AND parent_id IN (SELECT id FROM media_items WHERE deleted_at IS NOT NULL)",
    NULL};

static const struct mq_sql SQL_STATS_ITEMS = {
    "media_items.stats",
    "SELECT kind, COUNT(*) FROM media_items WHERE library_id = $1 AND deleted_at IS NULL "
    "GROUP BY kind",
    NULL};
static const struct mq_sql SQL_STATS_FILES = {
    "media_files.stats",
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'missing' THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0), COALESCE(SUM(size), 0), "
    "COALESCE(SUM(duration_ms), 0) FROM media_files WHERE library_id = $1 AND role = 'main'",
    NULL};

static void read_identity(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_file_row *r = dst;
    memset(r, 0, sizeof(*r));
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->item_id = mq_rows_dup(rows, 1, a, oom);
    r->role = mq_rows_dup(rows, 2, a, oom);
    r->path = mq_rows_dup(rows, 3, a, oom);
    r->dev = mq_rows_int(rows, 4);
    r->ino = mq_rows_int(rows, 5);
    r->size = mq_rows_int(rows, 6);
    r->mtime = mq_rows_int(rows, 7);
    r->state = mq_rows_dup(rows, 8, a, oom);
    r->missing_since = mq_rows_null(rows, 9) ? 0 : mq_rows_int(rows, 9);
}

static int64_t int_or_zero(struct mq_rows *rows, int col)
{
    return mq_rows_null(rows, col) ? 0 : mq_rows_int(rows, col);
}

static void read_file(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_file_row *r = dst;
    const char **text[] = {&r->id,   &r->library_id, &r->item_id, &r->video_id,
                           &r->role, &r->detail,     &r->path};
    for (int i = 0; i < 7; i++) *text[i] = mq_rows_dup(rows, i, a, oom);
    r->dev = mq_rows_int(rows, 7);
    r->ino = mq_rows_int(rows, 8);
    r->size = mq_rows_int(rows, 9);
    r->mtime = mq_rows_int(rows, 10);
    r->state = mq_rows_dup(rows, 11, a, oom);
    r->reason = mq_rows_dup(rows, 12, a, oom);
    r->container = mq_rows_dup(rows, 13, a, oom);
    r->duration_ms = int_or_zero(rows, 14);
    r->bit_rate = int_or_zero(rows, 15);
    r->width = int_or_zero(rows, 16);
    r->height = int_or_zero(rows, 17);
    r->video_codec = mq_rows_dup(rows, 18, a, oom);
    r->hdr = mq_rows_dup(rows, 19, a, oom);
    r->streams = mq_rows_dup(rows, 20, a, oom);
    r->chapters = mq_rows_dup(rows, 21, a, oom);
    r->tags = mq_rows_dup(rows, 22, a, oom);
    r->probed_at = int_or_zero(rows, 23);
    r->seen_at = int_or_zero(rows, 24);
    r->missing_since = int_or_zero(rows, 25);
    r->added_at = int_or_zero(rows, 26);
    r->updated_at = int_or_zero(rows, 27);
}

mq_err mq_store_files_identity(struct mq_db *db, struct mq_arena *a, const char *library_id,
                               struct mq_file_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(library_id)};
    return mq_db_query_list(db, &SQL_FILES_IDENTITY, p, 1, a, read_identity, sizeof(**out), 0, out,
                            n);
}

#define P_TEXT_OR_NULL(s) ((s) ? MQ_P_TEXT(s) : MQ_P_NULL)

mq_err mq_store_file_upsert(struct mq_db *db, const struct mq_file_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id),
                           MQ_P_TEXT(r->library_id),
                           P_TEXT_OR_NULL(r->item_id),
                           P_TEXT_OR_NULL(r->video_id),
                           MQ_P_TEXT(r->role),
                           P_TEXT_OR_NULL(r->detail),
                           MQ_P_TEXT(r->path),
                           MQ_P_INT(r->dev),
                           MQ_P_INT(r->ino),
                           MQ_P_INT(r->size),
                           MQ_P_INT(r->mtime),
                           MQ_P_TEXT(r->state),
                           P_TEXT_OR_NULL(r->reason),
                           P_TEXT_OR_NULL(r->container),
                           MQ_P_INT_OR_NULL(r->duration_ms),
                           MQ_P_INT_OR_NULL(r->bit_rate),
                           MQ_P_INT_OR_NULL(r->width),
                           MQ_P_INT_OR_NULL(r->height),
                           P_TEXT_OR_NULL(r->video_codec),
                           P_TEXT_OR_NULL(r->hdr),
                           MQ_P_TEXT(r->streams ? r->streams : "[]"),
                           MQ_P_TEXT(r->chapters ? r->chapters : "[]"),
                           MQ_P_TEXT(r->tags ? r->tags : "{}"),
                           MQ_P_INT_OR_NULL(r->probed_at),
                           MQ_P_INT(r->seen_at),
                           MQ_P_INT_OR_NULL(r->missing_since),
                           MQ_P_INT(r->added_at),
                           MQ_P_INT(r->updated_at)};
    return mq_db_exec(db, &SQL_FILE_UPSERT, p, 28, NULL);
}

mq_err mq_store_file_move(struct mq_db *db, const char *id, const char *path, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_TEXT(path), MQ_P_INT(now)};
    return mq_db_exec_one(db, &SQL_FILE_MOVE, p, 3);
}

mq_err mq_store_file_set_missing(struct mq_db *db, const char *id, int64_t since)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_INT(since)};
    return mq_db_exec_one(db, &SQL_FILE_MISSING, p, 2);
}

mq_err mq_store_file_found(struct mq_db *db, const char *id, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_INT(now)};
    return mq_db_exec_one(db, &SQL_FILE_FOUND, p, 2);
}

mq_err mq_store_file_delete(struct mq_db *db, const char *id)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_exec_one(db, &SQL_FILE_DELETE, p, 1);
}

mq_err mq_store_file_get(struct mq_db *db, struct mq_arena *a, const char *id,
                         struct mq_file_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_query_one(db, &SQL_FILE_GET, p, 1, a, read_file, out);
}

mq_err mq_store_item_files(struct mq_db *db, struct mq_arena *a, const char *item_id,
                           struct mq_file_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(item_id)};
    return mq_db_query_list(db, &SQL_ITEM_FILES, p, 1, a, read_file, sizeof(**out), 0, out, n);
}

void mq_store_read_item(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_item_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->library_id = mq_rows_dup(rows, 1, a, oom);
    r->kind = mq_rows_dup(rows, 2, a, oom);
    r->parent_id = mq_rows_dup(rows, 3, a, oom);
    r->match_key = mq_rows_dup(rows, 4, a, oom);
    r->position = mq_rows_null(rows, 5) ? -1 : mq_rows_int(rows, 5);
    r->position_end = mq_rows_null(rows, 6) ? -1 : mq_rows_int(rows, 6);
    r->title = mq_rows_dup(rows, 7, a, oom);
    r->sort_title = mq_rows_dup(rows, 8, a, oom);
    r->original_title = mq_rows_dup(rows, 9, a, oom);
    r->overview = mq_rows_dup(rows, 10, a, oom);
    r->year = int_or_zero(rows, 11);
    r->release_date = mq_rows_dup(rows, 12, a, oom);
    r->runtime_min = int_or_zero(rows, 13);
    r->content_rating_system = mq_rows_dup(rows, 14, a, oom);
    r->content_rating = mq_rows_dup(rows, 15, a, oom);
    r->rating = mq_rows_null(rows, 16) ? -1 : mq_rows_int(rows, 16);
    r->edition = mq_rows_dup(rows, 17, a, oom);
    r->external_ids = mq_rows_dup(rows, 18, a, oom);
    r->locked = mq_rows_dup(rows, 19, a, oom);
    r->quality = mq_rows_int(rows, 20);
    r->refreshed_at = int_or_zero(rows, 21);
    r->added_at = int_or_zero(rows, 22);
    r->updated_at = int_or_zero(rows, 23);
    r->deleted_at = int_or_zero(rows, 24);
    r->rating_level = int_or_zero(rows, 25);
    r->origin = mq_rows_dup(rows, 26, a, oom);
    r->sources = mq_rows_dup(rows, 27, a, oom);
    r->details = mq_rows_dup(rows, 28, a, oom);
}

mq_err mq_store_item_by_match(struct mq_db *db, struct mq_arena *a, const char *library_id,
                              const char *match_key, struct mq_item_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(library_id), MQ_P_TEXT(match_key)};
    return mq_db_query_one(db, &SQL_ITEM_BY_MATCH, p, 2, a, mq_store_read_item, out);
}

#define P_POS(v) ((v) < 0 ? MQ_P_NULL : MQ_P_INT(v))

mq_err mq_store_item_insert(struct mq_db *db, const struct mq_item_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id),
                           P_TEXT_OR_NULL(r->library_id),
                           MQ_P_TEXT(r->kind),
                           P_TEXT_OR_NULL(r->parent_id),
                           P_TEXT_OR_NULL(r->match_key),
                           P_POS(r->position),
                           P_POS(r->position_end),
                           MQ_P_TEXT(r->title),
                           MQ_P_TEXT(r->sort_title),
                           P_TEXT_OR_NULL(r->original_title),
                           P_TEXT_OR_NULL(r->overview),
                           MQ_P_INT_OR_NULL(r->year),
                           P_TEXT_OR_NULL(r->release_date),
                           MQ_P_INT_OR_NULL(r->runtime_min),
                           P_TEXT_OR_NULL(r->content_rating_system),
                           P_TEXT_OR_NULL(r->content_rating),
                           P_POS(r->rating),
                           P_TEXT_OR_NULL(r->edition),
                           MQ_P_TEXT(r->external_ids ? r->external_ids : "{}"),
                           MQ_P_TEXT(r->locked ? r->locked : "[]"),
                           MQ_P_INT(r->quality),
                           MQ_P_INT_OR_NULL(r->refreshed_at),
                           MQ_P_INT(r->added_at),
                           MQ_P_INT(r->updated_at),
                           MQ_P_INT_OR_NULL(r->deleted_at),
                           MQ_P_INT_OR_NULL(r->rating_level),
                           MQ_P_TEXT(r->origin ? r->origin : "scan"),
                           MQ_P_TEXT(r->sources ? r->sources : "{}"),
                           MQ_P_TEXT(r->details ? r->details : "{}")};
    return mq_db_exec(db, &SQL_ITEM_INSERT, p, 29, NULL);
}

mq_err mq_store_item_update(struct mq_db *db, const struct mq_item_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id),
                           MQ_P_TEXT(r->kind),
                           P_TEXT_OR_NULL(r->parent_id),
                           P_POS(r->position),
                           P_POS(r->position_end),
                           MQ_P_TEXT(r->title),
                           MQ_P_TEXT(r->sort_title),
                           P_TEXT_OR_NULL(r->original_title),
                           P_TEXT_OR_NULL(r->overview),
                           MQ_P_INT_OR_NULL(r->year),
                           P_TEXT_OR_NULL(r->release_date),
                           MQ_P_INT_OR_NULL(r->runtime_min),
                           P_TEXT_OR_NULL(r->content_rating_system),
                           P_TEXT_OR_NULL(r->content_rating),
                           P_POS(r->rating),
                           P_TEXT_OR_NULL(r->edition),
                           MQ_P_TEXT(r->external_ids ? r->external_ids : "{}"),
                           MQ_P_TEXT(r->locked ? r->locked : "[]"),
                           MQ_P_INT(r->quality),
                           MQ_P_INT_OR_NULL(r->refreshed_at),
                           MQ_P_INT(r->updated_at),
                           MQ_P_INT_OR_NULL(r->deleted_at),
                           MQ_P_INT_OR_NULL(r->rating_level),
                           MQ_P_TEXT(r->sources ? r->sources : "{}"),
                           MQ_P_TEXT(r->details ? r->details : "{}")};
    return mq_db_exec_one(db, &SQL_ITEM_UPDATE, p, 25);
}

mq_err mq_store_item_get(struct mq_db *db, struct mq_arena *a, const char *id,
                         struct mq_item_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_query_one(db, &SQL_ITEM_GET, p, 1, a, mq_store_read_item, out);
}

mq_err mq_store_item_set_deleted(struct mq_db *db, const char *id, int64_t at)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_INT_OR_NULL(at)};
    return mq_db_exec_one(db, &SQL_ITEM_SET_DELETED, p, 2);
}

static const struct mq_sql SQL_WORKS_ADDED = {
    "catalog.works_added",
    "SELECT id, title, kind FROM media_items WHERE library_id = $1 AND parent_id IS NULL AND "
    "added_at >= $2 AND deleted_at IS NULL ORDER BY added_at, id",
    NULL};

static void read_added(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_added_work_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->title = mq_rows_dup(rows, 1, a, oom);
    r->kind = mq_rows_dup(rows, 2, a, oom);
}

mq_err mq_store_works_added_since(struct mq_db *db, struct mq_arena *a, const char *library_id,
                                  int64_t since, size_t max, struct mq_added_work_row **out,
                                  size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(library_id), MQ_P_INT(since)};
    return mq_db_query_list(db, &SQL_WORKS_ADDED, p, 2, a, read_added, sizeof(**out), max, out, n);
}

mq_err mq_store_items_prune(struct mq_db *db, const char *library_id, int64_t now, int64_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(library_id), MQ_P_INT(now)};
    int64_t changed = 0;
    *n = 0;
    /* Episodes, then their seasons, then their series. */
    for (int pass = 0; pass < 6; pass++) {
        int64_t made = 0;
        mq_err err = mq_db_exec(db, &SQL_ITEMS_PRUNE, p, 2, &changed);
        if (!err) err = mq_db_exec(db, &SQL_ITEMS_PRUNE_MADE, p, 2, &made);
        if (err) return err;
        *n += changed + made;
        if (!changed && !made) break;
    }
    return MQ_OK;
}

static const char *const STAT_KINDS[] = {"movie",   "series", "season",
                                         "episode", "book",   "audiobook"};

mq_err mq_store_library_stats(struct mq_db *db, const char *library_id,
                              struct mq_library_stats *out)
{
    struct mq_param p[] = {MQ_P_TEXT(library_id)};
    struct mq_rows *rows = NULL;
    memset(out, 0, sizeof(*out));
    mq_err err = mq_db_query(db, &SQL_STATS_ITEMS, p, 1, &rows);
    if (err) return err;
    while (mq_rows_next(rows))
        for (int k = 0; k < 6; k++)
            if (!strcmp(mq_rows_text(rows, 0), STAT_KINDS[k])) out->items[k] = mq_rows_int(rows, 1);
    err = mq_rows_close(rows);
    if (err) return err;
    err = mq_db_query(db, &SQL_STATS_FILES, p, 1, &rows);
    if (err) return err;
    if (mq_rows_next(rows)) {
        out->files = mq_rows_int(rows, 0);
        out->missing = mq_rows_int(rows, 1);
        out->failed = mq_rows_int(rows, 2);
        out->size = mq_rows_int(rows, 3);
        out->duration_ms = mq_rows_int(rows, 4);
    }
    return mq_rows_close(rows);
}

/* ---- browsing -------------------------------------------------------- */

#define VIS_LITE STORE_VIS_LITE("$1")
#define VIS_PG   STORE_VIS_PG("$1")

/* A file that plays: the item's own, or one of its children's or
 * grandchildren's (a series' episodes). */
#define HAS_FILE                                                                                   \
    "EXISTS (SELECT 1 FROM media_files f WHERE f.role = 'main' AND f.state = 'ok' AND "            \
    "f.item_id IN (SELECT i.id UNION SELECT c.id FROM media_items c WHERE c.parent_id = i.id "     \
    "UNION SELECT e.id FROM media_items c JOIN media_items e ON e.parent_id = c.id "               \
    "WHERE c.parent_id = i.id))"

#define LEVEL STORE_LEVEL

#define FILTERS                                                                                    \
    " AND i.deleted_at IS NULL"                                                                    \
    " AND (i.kind = $2 OR ($2 = '' AND ($10 <> '' OR i.kind IN ('movie', 'series', 'book', "       \
    "'audiobook'))))"                                                                              \
    " AND ($3 = '' OR EXISTS (SELECT 1 FROM media_genres g WHERE g.item_id = i.id AND g.genre = "  \
    "$3))"                                                                                         \
    " AND ($4 = '' OR i.library_id = $4)"                                                          \
    " AND ($5 = '' OR i.content_rating = $5)"                                                      \
    " AND ($6 = 0 OR i.year >= $6) AND ($7 = 0 OR i.year <= $7)"                                   \
    " AND ($8 < 0 OR ($8 = 1) = " HAS_FILE ")"                                                     \
    " AND ($9 = 0 OR (EXISTS (SELECT 1 FROM media_files f WHERE f.item_id = i.id AND f.role = "    \
    "'main') AND NOT EXISTS (SELECT 1 FROM media_files f WHERE f.item_id = i.id AND f.role = "     \
    "'main' AND f.state <> 'missing')))"                                                           \
    " AND ($10 = '' OR i.parent_id = $10)"                                                         \
    " AND (($15 = 0 OR " LEVEL " <= $15) AND ($16 = 0 OR " LEVEL " > 0))"

#define ICOLS STORE_ICOLS

#define LIST(VIS, KEY, DIR, CMP)                                                                   \
    "SELECT " ICOLS " FROM media_items i WHERE " VIS FILTERS " AND ($11 = 0 OR (" KEY              \
    ", i.id) " CMP " ($12, $13)) ORDER BY " KEY " " DIR ", i.id " DIR " LIMIT $14"

#define LIST_SQL(name, KEY, DIR, CMP)                                                              \
    {                                                                                              \
        name, LIST(VIS_LITE, KEY, DIR, CMP), LIST(VIS_PG, KEY, DIR, CMP)                           \
    }

/* In the order of enum mq_item_sort. */
static const struct mq_sql SQL_LIST[] = {
    LIST_SQL("media_items.list_title", "i.sort_title", "ASC", ">"),
    LIST_SQL("media_items.list_year", "COALESCE(i.year, 0)", "DESC", "<"),
    LIST_SQL("media_items.list_added", "i.added_at", "DESC", "<"),
    LIST_SQL("media_items.list_rating", "COALESCE(i.rating, -1)", "DESC", "<"),
    LIST_SQL("media_items.list_duration", "COALESCE(i.runtime_min, 0)", "DESC", "<"),
    LIST_SQL("media_items.list_position", "COALESCE(i.position, 0)", "ASC", ">"),
};

mq_err mq_store_items_list(struct mq_db *db, struct mq_arena *a, const struct mq_item_filter *f,
                           struct mq_item_row **out, size_t *n)
{
    bool text_key = f->sort == MQ_SORT_TITLE;
    struct mq_param p[] = {
        MQ_P_TEXT(f->visible_json),
        MQ_P_TEXT(f->kind ? f->kind : ""),
        MQ_P_TEXT(f->genre ? f->genre : ""),
        MQ_P_TEXT(f->library_id ? f->library_id : ""),
        MQ_P_TEXT(f->content_rating ? f->content_rating : ""),
        MQ_P_INT(f->year_from),
        MQ_P_INT(f->year_to),
        MQ_P_INT(f->has_file),
        MQ_P_INT(f->missing),
        MQ_P_TEXT(f->parent_id ? f->parent_id : ""),
        MQ_P_INT(f->has_after),
        text_key ? MQ_P_TEXT(f->has_after ? f->after_text : "") : MQ_P_INT(f->after_int),
        MQ_P_TEXT(f->has_after ? f->after_id : ""),
        MQ_P_INT(f->limit),
        MQ_P_INT(f->max_level),
        MQ_P_INT(f->block_unrated),
    };
    return mq_db_query_list(db, &SQL_LIST[f->sort], p, 16, a, mq_store_read_item, sizeof(**out),
                            (size_t)f->limit, out, n);
}

static const struct mq_sql SQL_ITEM_GENRES = {
    "media_genres.of_item", "SELECT genre FROM media_genres WHERE item_id = $1 ORDER BY genre",
    NULL};

mq_err mq_store_item_genres(struct mq_db *db, struct mq_arena *a, const char *item_id,
                            const char ***out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(item_id)};
    return mq_db_query_list(db, &SQL_ITEM_GENRES, p, 1, a, mq_read_text, sizeof(**out), 0, out, n);
}

static const struct mq_sql SQL_ITEM_LEVEL = {
    "media_items.level", "SELECT " LEVEL " FROM media_items i WHERE i.id = $1", NULL};

mq_err mq_store_item_level(struct mq_db *db, const char *id, int64_t *level)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_query_int(db, &SQL_ITEM_LEVEL, p, 1, level);
}

static const struct mq_sql SQL_GENRES = {
    "media_genres.all",
    "SELECT g.genre, COUNT(*) FROM media_genres g JOIN media_items i ON i.id = g.item_id "
    "WHERE i.deleted_at IS NULL AND " VIS_LITE " GROUP BY g.genre ORDER BY g.genre",
    "SELECT g.genre, COUNT(*) FROM media_genres g JOIN media_items i ON i.id = g.item_id "
    "WHERE i.deleted_at IS NULL AND " VIS_PG " GROUP BY g.genre ORDER BY g.genre"};

static void read_genre(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_genre_count *g = dst;
    g->genre = mq_rows_dup(rows, 0, a, oom);
    g->items = mq_rows_int(rows, 1);
}

mq_err mq_store_genres(struct mq_db *db, struct mq_arena *a, const char *visible_json,
                       struct mq_genre_count **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(visible_json)};
    return mq_db_query_list(db, &SQL_GENRES, p, 1, a, read_genre, sizeof(**out), 0, out, n);
}

/* ---- administration ----------------------------------------------- */

static const struct mq_sql SQL_GENRES_CLEAR = {"media_genres.clear",
                                               "DELETE FROM media_genres WHERE item_id = $1", NULL};
static const struct mq_sql SQL_GENRE_ADD = {
    "media_genres.add",
    "INSERT INTO media_genres (item_id, genre) VALUES ($1, $2) ON CONFLICT DO NOTHING", NULL};

mq_err mq_store_item_genres_set(struct mq_db *db, const char *item_id, const char *const *genres,
                                size_t n)
{
    struct mq_param p[] = {MQ_P_TEXT(item_id), MQ_P_NULL};
    mq_err err = mq_db_exec(db, &SQL_GENRES_CLEAR, p, 1, NULL);
    for (size_t i = 0; !err && i < n; i++) {
        p[1] = MQ_P_TEXT(genres[i]);
        err = mq_db_exec(db, &SQL_GENRE_ADD, p, 2, NULL);
    }
    return err;
}

static const struct mq_sql SQL_AVAIL_INSERT = {
    "media_availability.insert",
    "INSERT INTO media_availability (id, item_id, platform, region, kind, url, available_from, "
    "available_until, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    NULL};
static const struct mq_sql SQL_AVAIL_OF = {
    "media_availability.of_item",
    "SELECT id, item_id, platform, region, kind, url, available_from, available_until, "
    "created_at FROM media_availability WHERE item_id = $1 ORDER BY platform, region, kind",
    NULL};

mq_err mq_store_availability_insert(struct mq_db *db, const struct mq_availability_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id),
                           MQ_P_TEXT(r->item_id),
                           MQ_P_TEXT(r->platform),
                           MQ_P_TEXT(r->region),
                           MQ_P_TEXT(r->kind),
                           P_TEXT_OR_NULL(r->url),
                           MQ_P_INT_OR_NULL(r->available_from),
                           MQ_P_INT_OR_NULL(r->available_until),
                           MQ_P_INT(r->created_at)};
    return mq_db_exec(db, &SQL_AVAIL_INSERT, p, 9, NULL);
}

static void read_avail(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_availability_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->item_id = mq_rows_dup(rows, 1, a, oom);
    r->platform = mq_rows_dup(rows, 2, a, oom);
    r->region = mq_rows_dup(rows, 3, a, oom);
    r->kind = mq_rows_dup(rows, 4, a, oom);
    r->url = mq_rows_dup(rows, 5, a, oom);
    r->available_from = int_or_zero(rows, 6);
    r->available_until = int_or_zero(rows, 7);
    r->created_at = mq_rows_int(rows, 8);
}

mq_err mq_store_availability_of(struct mq_db *db, struct mq_arena *a, const char *item_id,
                                struct mq_availability_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(item_id)};
    return mq_db_query_list(db, &SQL_AVAIL_OF, p, 1, a, read_avail, sizeof(**out), 0, out, n);
}

static const struct mq_sql SQL_ITEMS_PURGE = {
    "media_items.purge", "DELETE FROM media_items WHERE deleted_at IS NOT NULL AND deleted_at < $1",
    NULL};

mq_err mq_store_items_purge(struct mq_db *db, int64_t before, int64_t *n)
{
    struct mq_param p[] = {MQ_P_INT(before)};
    return mq_db_exec(db, &SQL_ITEMS_PURGE, p, 1, n);
}

#define QUALITY_COLS                                                                               \
    "i.id, i.title, i.kind, i.quality, i.overview IS NOT NULL AND i.overview <> '', "              \
    "EXISTS (SELECT 1 FROM media_files f WHERE f.item_id = i.id AND f.role = 'image' AND "         \
    "f.detail = 'poster') OR EXISTS (SELECT 1 FROM media_files f WHERE f.item_id = i.id AND "      \
    "f.role = 'main' AND (f.streams LIKE '%\"cover\":true%' OR (f.container IN ('epub', "          \
    "'cbz') AND f.tags LIKE '%\"cover\":%'))) OR EXISTS (SELECT 1 FROM remote_images r WHERE "     \
    "r.owner_id = i.id AND r.kind = 'poster'), "                                                   \
    "EXISTS (SELECT 1 FROM media_files f WHERE f.item_id = i.id AND f.role = 'image' AND "         \
    "f.detail = 'backdrop') OR EXISTS (SELECT 1 FROM remote_images r WHERE r.owner_id = i.id AND " \
    "r.kind = 'backdrop'), i.year IS NOT NULL, "                                                   \
    "EXISTS (SELECT 1 FROM media_genres g WHERE g.item_id = i.id), "                               \
    "EXISTS (SELECT 1 FROM media_credits c WHERE c.item_id = i.id), "                              \
    "i.external_ids <> '{}', i.rating IS NOT NULL, i.refreshed_at, i.added_at"

static const struct mq_sql SQL_QUALITY_PAGE = {
    "media_items.quality_page",
    "SELECT " QUALITY_COLS " FROM media_items i WHERE i.deleted_at IS NULL "
    "AND ($1 < 0 OR (i.quality, i.id) > ($1, $2)) ORDER BY i.quality, i.id LIMIT $3",
    NULL};
static const struct mq_sql SQL_QUALITY_BATCH = {
    "media_items.quality_batch",
    "SELECT " QUALITY_COLS " FROM media_items i WHERE i.deleted_at IS NULL AND i.id > $1 "
    "ORDER BY i.id LIMIT $2",
    NULL};
static const struct mq_sql SQL_SET_QUALITY = {
    "media_items.set_quality", "UPDATE media_items SET quality = $2 WHERE id = $1", NULL};

static bool truth(struct mq_rows *rows, int col)
{
    const char *t = mq_rows_text(rows, col);
    return t && (t[0] == '1' || t[0] == 't');
}

static void read_quality(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_quality_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->title = mq_rows_dup(rows, 1, a, oom);
    r->kind = mq_rows_dup(rows, 2, a, oom);
    r->quality = mq_rows_int(rows, 3);
    bool *flags[] = {&r->overview, &r->poster,  &r->backdrop,     &r->year,
                     &r->genres,   &r->credits, &r->external_ids, &r->rating};
    for (int i = 0; i < 8; i++) *flags[i] = truth(rows, 4 + i);
    r->refreshed_at = int_or_zero(rows, 12);
    r->added_at = int_or_zero(rows, 13);
}

mq_err mq_store_quality_page(struct mq_db *db, struct mq_arena *a, int64_t after_quality,
                             const char *after_id, int limit, struct mq_quality_row **out,
                             size_t *n)
{
    struct mq_param p[] = {MQ_P_INT(after_quality), MQ_P_TEXT(after_id ? after_id : ""),
                           MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_QUALITY_PAGE, p, 3, a, read_quality, sizeof(**out),
                            (size_t)limit, out, n);
}

mq_err mq_store_quality_batch(struct mq_db *db, struct mq_arena *a, const char *after_id, int limit,
                              struct mq_quality_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(after_id ? after_id : ""), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_QUALITY_BATCH, p, 2, a, read_quality, sizeof(**out),
                            (size_t)limit, out, n);
}

mq_err mq_store_item_set_quality(struct mq_db *db, const char *id, int64_t q)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_INT(q)};
    return mq_db_exec(db, &SQL_SET_QUALITY, p, 2, NULL);
}

static const struct mq_sql SQL_QUALITY_OF = {
    "media_items.quality_of", "SELECT " QUALITY_COLS " FROM media_items i WHERE i.id = $1", NULL};

mq_err mq_store_quality_of(struct mq_db *db, struct mq_arena *a, const char *id,
                           struct mq_quality_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_query_one(db, &SQL_QUALITY_OF, p, 1, a, read_quality, out);
}

/* ---- people and collections ------------------------------------------ */

static const struct mq_sql SQL_PERSON_BY_NAME = {
    "people.by_name", "SELECT id FROM people WHERE name_key = $1 ORDER BY id LIMIT 1", NULL};
static const struct mq_sql SQL_PERSON_BY_PROVIDER = {
    "people.by_provider", "SELECT id FROM people WHERE provider_id = $1 ORDER BY id LIMIT 1", NULL};
/* A person found by name takes the provider's id only when it has none:
 * two people of one name stay two once a provider tells them apart. */
static const struct mq_sql SQL_PERSON_CLAIM = {
    "people.claim", "UPDATE people SET provider_id = $2 WHERE id = $1 AND provider_id IS NULL",
    NULL};
static const struct mq_sql SQL_PERSON_BY_NAME_FREE = {
    "people.by_name_free",
    "SELECT id FROM people WHERE name_key = $1 AND provider_id IS NULL ORDER BY id LIMIT 1", NULL};
static const struct mq_sql SQL_PERSON_INSERT = {
    "people.insert", "INSERT INTO people (id, name, name_key, provider_id) VALUES ($1, $2, $3, $4)",
    NULL};
static const struct mq_sql SQL_CREDITS_CLEAR = {
    "media_credits.clear", "DELETE FROM media_credits WHERE item_id = $1 AND kind = $2", NULL};
static const struct mq_sql SQL_CREDIT_ADD = {
    "media_credits.add",
    "INSERT INTO media_credits (item_id, person_id, kind, role, department, position) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    NULL};
static const struct mq_sql SQL_CREDITS_OF = {
    "media_credits.of_item",
    "SELECT c.person_id, p.name, c.kind, c.role, c.department, c.position FROM media_credits c "
    "JOIN people p ON p.id = c.person_id WHERE c.item_id = $1 AND c.kind = $2 "
    "ORDER BY c.position, p.name",
    NULL};

static void lower_key(const char *s, char *out, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
    out[i] = 0;
}

mq_err mq_store_credits_set(struct mq_db *db, const char *item_id, const char *kind,
                            const struct mq_credit_row *rows, size_t n,
                            const char *(*new_id)(void *arg), void *arg)
{
    struct mq_param p[6] = {MQ_P_TEXT(item_id), MQ_P_TEXT(kind)};
    mq_err err = mq_db_exec(db, &SQL_CREDITS_CLEAR, p, 2, NULL);
    for (size_t i = 0; !err && i < n; i++) {
        char key[256];
        lower_key(rows[i].name, key, sizeof(key));
        const char *prov = rows[i].provider_id;
        struct mq_param q[] = {MQ_P_TEXT(prov ? prov : key)};
        struct mq_rows *r = NULL;
        char pid[37] = "";
        err = mq_db_query(db, prov ? &SQL_PERSON_BY_PROVIDER : &SQL_PERSON_BY_NAME, q, 1, &r);
        if (!err && mq_rows_next(r)) snprintf(pid, sizeof(pid), "%s", mq_rows_text(r, 0));
        if (!err) err = mq_rows_close(r);
        if (!err && !pid[0] && prov) {
            /* Named before by a scan or an admin: the same person. */
            q[0] = MQ_P_TEXT(key);
            err = mq_db_query(db, &SQL_PERSON_BY_NAME_FREE, q, 1, &r);
            if (!err && mq_rows_next(r)) snprintf(pid, sizeof(pid), "%s", mq_rows_text(r, 0));
            if (!err) err = mq_rows_close(r);
            struct mq_param c[] = {MQ_P_TEXT(pid), MQ_P_TEXT(prov)};
            if (!err && pid[0]) err = mq_db_exec(db, &SQL_PERSON_CLAIM, c, 2, NULL);
        }
        if (!err && !pid[0]) {
            snprintf(pid, sizeof(pid), "%s", new_id(arg));
            struct mq_param ins[] = {MQ_P_TEXT(pid), MQ_P_TEXT(rows[i].name), MQ_P_TEXT(key),
                                     P_TEXT_OR_NULL(prov)};
            err = mq_db_exec(db, &SQL_PERSON_INSERT, ins, 4, NULL);
        }
        struct mq_param add[] = {MQ_P_TEXT(item_id),
                                 MQ_P_TEXT(pid),
                                 MQ_P_TEXT(kind),
                                 MQ_P_TEXT(rows[i].role ? rows[i].role : ""),
                                 P_TEXT_OR_NULL(rows[i].department),
                                 MQ_P_INT(rows[i].position)};
        if (!err) err = mq_db_exec(db, &SQL_CREDIT_ADD, add, 6, NULL);
    }
    return err;
}

static void read_credit(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_credit_row *r = dst;
    r->person_id = mq_rows_dup(rows, 0, a, oom);
    r->name = mq_rows_dup(rows, 1, a, oom);
    r->kind = mq_rows_dup(rows, 2, a, oom);
    r->role = mq_rows_dup(rows, 3, a, oom);
    r->department = mq_rows_dup(rows, 4, a, oom);
    r->position = mq_rows_int(rows, 5);
}

mq_err mq_store_credits_of(struct mq_db *db, struct mq_arena *a, const char *item_id,
                           const char *kind, struct mq_credit_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(item_id), MQ_P_TEXT(kind)};
    return mq_db_query_list(db, &SQL_CREDITS_OF, p, 2, a, read_credit, sizeof(**out), 0, out, n);
}

#define COLL_COLS "c.id, c.kind, c.name, c.overview, 0, c.created_at, c.updated_at"

static const struct mq_sql SQL_COLL_BY_NAME = {
    "collections.by_name", "SELECT id FROM collections WHERE kind = $1 AND name = $2", NULL};
static const struct mq_sql SQL_COLL_INSERT = {
    "collections.insert",
    "INSERT INTO collections (id, kind, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
    NULL};
static const struct mq_sql SQL_COLL_PUT = {
    "collection_items.put",
    "INSERT INTO collection_items (collection_id, item_id, position) VALUES ($1, $2, $3) "
    "ON CONFLICT (collection_id, item_id) DO UPDATE SET position = excluded.position",
    NULL};
static const struct mq_sql SQL_COLL_CLEAR = {
    "collection_items.clear", "DELETE FROM collection_items WHERE item_id = $1", NULL};
static const struct mq_sql SQL_COLL_GET = {
    "collections.get", "SELECT " COLL_COLS " FROM collections c WHERE c.id = $1", NULL};
static const struct mq_sql SQL_COLL_OF = {
    "collections.of_item",
    "SELECT c.id, c.kind, c.name, c.overview, ci.position, c.created_at, c.updated_at "
    "FROM collections c JOIN collection_items ci ON ci.collection_id = c.id "
    "WHERE ci.item_id = $1 ORDER BY c.name",
    NULL};

static void read_coll(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_collection_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->kind = mq_rows_dup(rows, 1, a, oom);
    r->name = mq_rows_dup(rows, 2, a, oom);
    r->overview = mq_rows_dup(rows, 3, a, oom);
    r->position = mq_rows_int(rows, 4);
    r->created_at = mq_rows_int(rows, 5);
    r->updated_at = mq_rows_int(rows, 6);
}

mq_err mq_store_collection_put_item(struct mq_db *db, struct mq_arena *a, const char *kind,
                                    const char *name, const char *new_id, const char *item_id,
                                    int64_t position, int64_t now, const char **collection_id)
{
    struct mq_param p[] = {MQ_P_TEXT(kind), MQ_P_TEXT(name)};
    const char *id = NULL;
    mq_err err = mq_db_query_one(db, &SQL_COLL_BY_NAME, p, 2, a, mq_read_text, &id);
    if (err == MQ_ENOTFOUND) {
        struct mq_param ins[] = {MQ_P_TEXT(new_id), MQ_P_TEXT(kind), MQ_P_TEXT(name),
                                 MQ_P_INT(now)};
        err = mq_db_exec(db, &SQL_COLL_INSERT, ins, 4, NULL);
        id = new_id;
    }
    struct mq_param put[] = {MQ_P_TEXT(id), MQ_P_TEXT(item_id), MQ_P_INT(position)};
    if (!err) err = mq_db_exec(db, &SQL_COLL_PUT, put, 3, NULL);
    if (!err && collection_id) *collection_id = id;
    return err;
}

mq_err mq_store_collection_clear_item(struct mq_db *db, const char *item_id)
{
    struct mq_param p[] = {MQ_P_TEXT(item_id)};
    return mq_db_exec(db, &SQL_COLL_CLEAR, p, 1, NULL);
}

mq_err mq_store_collection_get(struct mq_db *db, struct mq_arena *a, const char *id,
                               struct mq_collection_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_query_one(db, &SQL_COLL_GET, p, 1, a, read_coll, out);
}

mq_err mq_store_collections_of(struct mq_db *db, struct mq_arena *a, const char *item_id,
                               struct mq_collection_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(item_id)};
    return mq_db_query_list(db, &SQL_COLL_OF, p, 1, a, read_coll, sizeof(**out), 0, out, n);
}

/* Visibility and parental limits as in the lists: $1 the libraries,
 * $2 the highest level, $3 unrated blocked. */
#define SEEN(VIS)                                                                                  \
    " i.deleted_at IS NULL AND " VIS " AND (($2 = 0 OR " LEVEL " <= $2) AND ($3 = 0 OR " LEVEL     \
    " > 0))"

#define COLL_ITEMS(VIS)                                                                            \
    "SELECT " ICOLS " FROM media_items i JOIN collection_items ci ON ci.item_id = i.id "           \
    "WHERE ci.collection_id = $4 AND" SEEN(VIS) " ORDER BY ci.position, i.sort_title, i.id "       \
                                                "LIMIT $5"

static const struct mq_sql SQL_COLL_ITEMS = {"collection_items.list", COLL_ITEMS(VIS_LITE),
                                             COLL_ITEMS(VIS_PG)};

#define SIMILAR(VIS)                                                                               \
    "SELECT " ICOLS " FROM media_items i JOIN (SELECT item_id, SUM(score) AS score FROM ("         \
    "SELECT ci2.item_id, 3 AS score FROM collection_items ci1 JOIN collection_items ci2 ON "       \
    "ci2.collection_id = ci1.collection_id WHERE ci1.item_id = $4 "                                \
    "UNION ALL SELECT c2.item_id, 2 FROM media_credits c1 JOIN media_credits c2 ON "               \
    "c2.person_id = c1.person_id WHERE c1.item_id = $4 "                                           \
    "UNION ALL SELECT g2.item_id, 1 FROM media_genres g1 JOIN media_genres g2 ON g2.genre = "      \
    "g1.genre WHERE g1.item_id = $4) s WHERE item_id <> $4 GROUP BY item_id) sc ON sc.item_id = "  \
    "i.id WHERE" SEEN(VIS) " ORDER BY sc.score DESC, i.sort_title, i.id LIMIT $5"

static const struct mq_sql SQL_SIMILAR = {"media_items.similar", SIMILAR(VIS_LITE),
                                          SIMILAR(VIS_PG)};

static mq_err seen_list(struct mq_db *db, struct mq_arena *a, const struct mq_sql *sql,
                        const char *id, const struct mq_item_filter *f, struct mq_item_row **out,
                        size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(f->visible_json), MQ_P_INT(f->max_level),
                           MQ_P_INT(f->block_unrated), MQ_P_TEXT(id), MQ_P_INT(f->limit)};
    return mq_db_query_list(db, sql, p, 5, a, mq_store_read_item, sizeof(**out), (size_t)f->limit,
                            out, n);
}

mq_err mq_store_collection_items(struct mq_db *db, struct mq_arena *a, const char *collection_id,
                                 const struct mq_item_filter *f, struct mq_item_row **out,
                                 size_t *n)
{
    return seen_list(db, a, &SQL_COLL_ITEMS, collection_id, f, out, n);
}

mq_err mq_store_similar(struct mq_db *db, struct mq_arena *a, const char *item_id,
                        const struct mq_item_filter *f, struct mq_item_row **out, size_t *n)
{
    return seen_list(db, a, &SQL_SIMILAR, item_id, f, out, n);
}

static const struct mq_sql SQL_RUNTIME = {
    "media_items.runtime_from_files",
    "UPDATE media_items SET runtime_min = (SELECT CASE WHEN media_items.kind = 'audiobook' "
    "THEN (SUM(f.duration_ms) + 59999) / 60000 ELSE (MAX(f.duration_ms) + 59999) / 60000 END "
    "FROM media_files f WHERE f.item_id = media_items.id AND f.role = 'main' AND "
    "f.duration_ms IS NOT NULL) WHERE id = $1 AND locked NOT LIKE '%\"runtime_min\"%'",
    NULL};

mq_err mq_store_item_runtime_from_files(struct mq_db *db, const char *id)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_exec(db, &SQL_RUNTIME, p, 1, NULL);
}

/* ---- people ------------------------------------------------------------- */

static const struct mq_sql SQL_PERSON_GET = {
    "people.get", "SELECT id, name, external_ids FROM people WHERE id = $1", NULL};

static void read_person(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_person_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->name = mq_rows_dup(rows, 1, a, oom);
    r->external_ids = mq_rows_dup(rows, 2, a, oom);
}

mq_err mq_store_person_get(struct mq_db *db, struct mq_arena *a, const char *id,
                           struct mq_person_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_query_one(db, &SQL_PERSON_GET, p, 1, a, read_person, out);
}

#define PERSON_CREDITS(VIS)                                                                        \
    "SELECT " ICOLS ", c.kind, c.role FROM media_credits c JOIN media_items i ON i.id = "          \
    "c.item_id WHERE c.person_id = $1 AND i.deleted_at IS NULL AND " VIS " AND " STORE_LEVEL_OK(   \
        "$3", "$4") " ORDER BY COALESCE(i.year, 0) DESC, i.sort_title, i.id, c.kind, "             \
                    "c.position LIMIT $5"
static const struct mq_sql SQL_PERSON_CREDITS = {
    "people.credits", PERSON_CREDITS(STORE_VIS_LITE("$2")), PERSON_CREDITS(STORE_VIS_PG("$2"))};

static void read_person_credit(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_person_credit *r = dst;
    mq_store_read_item(rows, a, &r->item, oom);
    r->kind = mq_rows_dup(rows, STORE_ICOLS_N, a, oom);
    r->role = mq_rows_dup(rows, STORE_ICOLS_N + 1, a, oom);
}

mq_err mq_store_person_credits(struct mq_db *db, struct mq_arena *a, const char *person_id,
                               const struct mq_item_filter *f, struct mq_person_credit **out,
                               size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(person_id), MQ_P_TEXT(f->visible_json), MQ_P_INT(f->max_level),
                           MQ_P_INT(f->block_unrated), MQ_P_INT(f->limit)};
    return mq_db_query_list(db, &SQL_PERSON_CREDITS, p, 5, a, read_person_credit, sizeof(**out),
                            (size_t)f->limit, out, n);
}
