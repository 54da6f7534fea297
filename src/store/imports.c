#include "store/imports.h"
#include "store/catalog_sql.h"

#define TEXT_OR_NULL(s) ((s) ? MQ_P_TEXT(s) : MQ_P_NULL)

#define ICOLS_IMPORT                                                                               \
    "id, user_id, job_id, format, filename, options, state, error, total, rows_read, skipped, "    \
    "matched, review, failed, duplicates, created_at, started_at, finished_at"

static const struct mq_sql SQL_INSERT = {"track_imports.insert",
                                         "INSERT INTO track_imports (" ICOLS_IMPORT
                                         ", body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                                         "$9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
                                         NULL};
static const struct mq_sql SQL_GET = {
    "track_imports.get", "SELECT " ICOLS_IMPORT " FROM track_imports WHERE id = $1 OR job_id = $1",
    NULL};
static const struct mq_sql SQL_BODY = {"track_imports.body",
                                       "SELECT body FROM track_imports WHERE id = $1", NULL};
static const struct mq_sql SQL_UPDATE = {
    "track_imports.update",
    "UPDATE track_imports SET state = $2, error = $3, total = $4, rows_read = $5, skipped = $6, "
    "matched = $7, review = $8, failed = $9, duplicates = $10, started_at = COALESCE($11, "
    "started_at), finished_at = COALESCE($12, finished_at), body = CASE WHEN $13 = 1 THEN NULL "
    "ELSE body END WHERE id = $1",
    NULL};
static const struct mq_sql SQL_JOB = {"track_imports.job",
                                      "UPDATE track_imports SET job_id = $2 WHERE id = $1", NULL};
static const struct mq_sql SQL_LIST = {
    "track_imports.list",
    "SELECT " ICOLS_IMPORT " FROM track_imports WHERE user_id = $1 AND ($2 = 0 OR (created_at, "
    "id) < ($3, $4)) ORDER BY created_at DESC, id DESC LIMIT $5",
    NULL};
static const struct mq_sql SQL_SINCE = {
    "track_imports.since",
    "SELECT COUNT(*) FROM track_imports WHERE user_id = $1 AND created_at >= $2 AND format <> "
    "'manual'",
    NULL};
static const struct mq_sql SQL_RECOUNT = {
    "track_imports.recount",
    "UPDATE track_imports SET matched = (SELECT COUNT(*) FROM track_import_rows r WHERE "
    "r.import_id = $1 AND r.state IN ('matched', 'resolved')), review = (SELECT COUNT(*) FROM "
    "track_import_rows r WHERE r.import_id = $1 AND r.state = 'review'), skipped = (SELECT "
    "COUNT(*) FROM track_import_rows r WHERE r.import_id = $1 AND r.state IN ('skipped', "
    "'dismissed')) WHERE id = $1",
    NULL};

static void read_import(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_import_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->user_id = mq_rows_dup(rows, 1, a, oom);
    r->job_id = mq_rows_dup(rows, 2, a, oom);
    r->format = mq_rows_dup(rows, 3, a, oom);
    r->filename = mq_rows_dup(rows, 4, a, oom);
    r->options = mq_rows_dup(rows, 5, a, oom);
    r->state = mq_rows_dup(rows, 6, a, oom);
    r->error = mq_rows_dup(rows, 7, a, oom);
    int64_t *c = &r->c.total;
    for (int i = 0; i < 7; i++) c[i] = mq_rows_int(rows, 8 + i);
    r->created_at = mq_rows_int(rows, 15);
    r->started_at = mq_rows_null(rows, 16) ? 0 : mq_rows_int(rows, 16);
    r->finished_at = mq_rows_null(rows, 17) ? 0 : mq_rows_int(rows, 17);
}

mq_err mq_store_import_insert(struct mq_db *db, const struct mq_import_row *r, const char *body)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id),
                           MQ_P_TEXT(r->user_id),
                           TEXT_OR_NULL(r->job_id),
                           MQ_P_TEXT(r->format),
                           TEXT_OR_NULL(r->filename),
                           MQ_P_TEXT(r->options ? r->options : "{}"),
                           MQ_P_TEXT(r->state),
                           TEXT_OR_NULL(r->error),
                           MQ_P_INT(r->c.total),
                           MQ_P_INT(r->c.rows_read),
                           MQ_P_INT(r->c.skipped),
                           MQ_P_INT(r->c.matched),
                           MQ_P_INT(r->c.review),
                           MQ_P_INT(r->c.failed),
                           MQ_P_INT(r->c.duplicates),
                           MQ_P_INT(r->created_at),
                           MQ_P_INT_OR_NULL(r->started_at),
                           MQ_P_INT_OR_NULL(r->finished_at),
                           TEXT_OR_NULL(body)};
    return mq_db_exec(db, &SQL_INSERT, p, 19, NULL);
}

mq_err mq_store_import_get(struct mq_db *db, struct mq_arena *a, const char *id,
                           struct mq_import_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_query_one(db, &SQL_GET, p, 1, a, read_import, out);
}

mq_err mq_store_import_body(struct mq_db *db, struct mq_arena *a, const char *id, const char **out)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    *out = NULL;
    return mq_db_query_one(db, &SQL_BODY, p, 1, a, mq_read_text, out);
}

mq_err mq_store_import_update(struct mq_db *db, const struct mq_import_row *r, bool drop_body)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id),
                           MQ_P_TEXT(r->state),
                           TEXT_OR_NULL(r->error),
                           MQ_P_INT(r->c.total),
                           MQ_P_INT(r->c.rows_read),
                           MQ_P_INT(r->c.skipped),
                           MQ_P_INT(r->c.matched),
                           MQ_P_INT(r->c.review),
                           MQ_P_INT(r->c.failed),
                           MQ_P_INT(r->c.duplicates),
                           MQ_P_INT_OR_NULL(r->started_at),
                           MQ_P_INT_OR_NULL(r->finished_at),
                           MQ_P_INT(drop_body)};
    return mq_db_exec(db, &SQL_UPDATE, p, 13, NULL);
}

mq_err mq_store_import_job(struct mq_db *db, const char *id, const char *job_id)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_TEXT(job_id)};
    return mq_db_exec(db, &SQL_JOB, p, 2, NULL);
}

mq_err mq_store_imports_list(struct mq_db *db, struct mq_arena *a, const char *user_id,
                             const struct mq_track_after *after, int limit,
                             struct mq_import_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_INT(after->has), MQ_P_INT(after->key),
                           MQ_P_TEXT(after->id ? after->id : ""), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_LIST, p, 5, a, read_import, sizeof(**out), (size_t)limit, out,
                            n);
}

mq_err mq_store_imports_since(struct mq_db *db, const char *user_id, int64_t since, int64_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_INT(since)};
    return mq_db_query_int(db, &SQL_SINCE, p, 2, n);
}

mq_err mq_store_import_recount(struct mq_db *db, const char *id)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_exec(db, &SQL_RECOUNT, p, 1, NULL);
}

/* ---- rows ---------------------------------------------------------------- */

#define LINE_COLS                                                                                  \
    "import_id, line, raw, entry, title, state, item_id, confidence, method, candidates, reason, " \
    "play_id"

static const struct mq_sql SQL_LINE_PUT = {
    "track_import_rows.put",
    "INSERT INTO track_import_rows (" LINE_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
    "$10, $11, $12) ON CONFLICT (import_id, line) DO UPDATE SET raw = excluded.raw, entry = "
    "excluded.entry, title = excluded.title, state = excluded.state, item_id = excluded.item_id, "
    "confidence = excluded.confidence, method = excluded.method, candidates = "
    "excluded.candidates, reason = excluded.reason, play_id = excluded.play_id",
    NULL};
static const struct mq_sql SQL_LINE_GET = {
    "track_import_rows.get",
    "SELECT " LINE_COLS " FROM track_import_rows WHERE import_id = $1 AND line = $2", NULL};
static const struct mq_sql SQL_LINES = {
    "track_import_rows.list",
    "SELECT " LINE_COLS " FROM track_import_rows WHERE import_id = $1 AND ($2 = '' OR state = "
    "$2) AND line > $3 ORDER BY line LIMIT $4",
    NULL};

static void read_line(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_import_line *r = dst;
    r->import_id = mq_rows_dup(rows, 0, a, oom);
    r->line = mq_rows_int(rows, 1);
    r->raw = mq_rows_dup(rows, 2, a, oom);
    r->entry = mq_rows_dup(rows, 3, a, oom);
    r->title = mq_rows_dup(rows, 4, a, oom);
    r->state = mq_rows_dup(rows, 5, a, oom);
    r->item_id = mq_rows_dup(rows, 6, a, oom);
    r->confidence = mq_rows_int(rows, 7);
    r->method = mq_rows_dup(rows, 8, a, oom);
    r->candidates = mq_rows_dup(rows, 9, a, oom);
    r->reason = mq_rows_dup(rows, 10, a, oom);
    r->play_id = mq_rows_dup(rows, 11, a, oom);
}

mq_err mq_store_import_line_put(struct mq_db *db, const struct mq_import_line *r)
{
    struct mq_param p[] = {
        MQ_P_TEXT(r->import_id),         MQ_P_INT(r->line),
        MQ_P_TEXT(r->raw ? r->raw : ""), MQ_P_TEXT(r->entry ? r->entry : "{}"),
        TEXT_OR_NULL(r->title),          MQ_P_TEXT(r->state),
        TEXT_OR_NULL(r->item_id),        MQ_P_INT(r->confidence),
        TEXT_OR_NULL(r->method),         MQ_P_TEXT(r->candidates ? r->candidates : "[]"),
        TEXT_OR_NULL(r->reason),         TEXT_OR_NULL(r->play_id)};
    return mq_db_exec(db, &SQL_LINE_PUT, p, 12, NULL);
}

mq_err mq_store_import_line_get(struct mq_db *db, struct mq_arena *a, const char *import_id,
                                int64_t line, struct mq_import_line *out)
{
    struct mq_param p[] = {MQ_P_TEXT(import_id), MQ_P_INT(line)};
    return mq_db_query_one(db, &SQL_LINE_GET, p, 2, a, read_line, out);
}

mq_err mq_store_import_lines(struct mq_db *db, struct mq_arena *a, const char *import_id,
                             const char *state, int64_t after_line, int limit,
                             struct mq_import_line **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(import_id), MQ_P_TEXT(state ? state : ""),
                           MQ_P_INT(after_line), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_LINES, p, 4, a, read_line, sizeof(**out), (size_t)limit, out,
                            n);
}

/* ---- aliases ------------------------------------------------------------ */

static const struct mq_sql SQL_ALIAS_GET = {
    "track_aliases.get",
    "SELECT key, title, item_id, created_by, created_at FROM track_aliases WHERE key = $1", NULL};
static const struct mq_sql SQL_ALIAS_PUT = {
    "track_aliases.put",
    "INSERT INTO track_aliases (key, title, item_id, created_by, created_at) VALUES ($1, $2, $3, "
    "$4, $5) ON CONFLICT (key) DO UPDATE SET title = excluded.title, item_id = excluded.item_id, "
    "created_by = excluded.created_by, created_at = excluded.created_at",
    NULL};
static const struct mq_sql SQL_ALIAS_DELETE = {"track_aliases.delete",
                                               "DELETE FROM track_aliases WHERE key = $1", NULL};
static const struct mq_sql SQL_ALIASES = {
    "track_aliases.list",
    "SELECT key, title, item_id, created_by, created_at FROM track_aliases WHERE key > $1 "
    "ORDER BY key LIMIT $2",
    NULL};

static void read_alias(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_alias_row *r = dst;
    r->key = mq_rows_dup(rows, 0, a, oom);
    r->title = mq_rows_dup(rows, 1, a, oom);
    r->item_id = mq_rows_dup(rows, 2, a, oom);
    r->created_by = mq_rows_dup(rows, 3, a, oom);
    r->created_at = mq_rows_int(rows, 4);
}

mq_err mq_store_alias_get(struct mq_db *db, struct mq_arena *a, const char *key,
                          struct mq_alias_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(key)};
    return mq_db_query_one(db, &SQL_ALIAS_GET, p, 1, a, read_alias, out);
}

mq_err mq_store_alias_put(struct mq_db *db, const struct mq_alias_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->key), MQ_P_TEXT(r->title), MQ_P_TEXT(r->item_id),
                           TEXT_OR_NULL(r->created_by), MQ_P_INT(r->created_at)};
    return mq_db_exec(db, &SQL_ALIAS_PUT, p, 5, NULL);
}

mq_err mq_store_alias_delete(struct mq_db *db, const char *key)
{
    struct mq_param p[] = {MQ_P_TEXT(key)};
    return mq_db_exec_one(db, &SQL_ALIAS_DELETE, p, 1);
}

mq_err mq_store_aliases(struct mq_db *db, struct mq_arena *a, const char *after, int limit,
                        struct mq_alias_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(after ? after : ""), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_ALIASES, p, 2, a, read_alias, sizeof(**out), (size_t)limit,
                            out, n);
}

static const struct mq_sql SQL_ALIASES_BY = {
    "track_aliases.by",
    "SELECT key, title, item_id, created_by, created_at FROM track_aliases WHERE created_by = $1 "
    "AND key > $2 ORDER BY key LIMIT $3",
    NULL};

mq_err mq_store_aliases_by(struct mq_db *db, struct mq_arena *a, const char *user_id,
                           const char *after, int limit, struct mq_alias_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(after ? after : ""), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_ALIASES_BY, p, 3, a, read_alias, sizeof(**out), (size_t)limit,
                            out, n);
}

/* ---- what matching looks up ---------------------------------------------- */

#define SEES(VIS) " AND i.deleted_at IS NULL AND " VIS " AND " STORE_LEVEL_OK("$3", "$4")
#define KIND_OK                                                                                    \
    " AND (i.kind = $6 OR ($6 = '' AND i.kind IN ('movie', 'series', 'book', 'audiobook')))"

/* $1 is unused (the view's user), so that every lookup takes the view's
 * four parameters first. */
#define BY_ID(EXPR, VIS)                                                                           \
    "SELECT " STORE_ICOLS " FROM media_items i WHERE $1 <> '' AND " EXPR " = $5" SEES(VIS) KIND_OK \
        " ORDER BY i.id LIMIT $7"
#define LITE_ID(K) "json_extract(i.external_ids, '$." K "')"
#define PG_ID(K)   "((i.external_ids::jsonb) ->> '" K "')"
#define BY_ID_SQL(K)                                                                               \
    {                                                                                              \
        "media_items.by_" K, BY_ID(LITE_ID(K), STORE_VIS_LITE("$2")),                              \
            BY_ID(PG_ID(K), STORE_VIS_PG("$2"))                                                    \
    }

/* In the order of enum mq_match_id. */
static const struct mq_sql SQL_BY_ID[] = {BY_ID_SQL("tmdb"), BY_ID_SQL("imdb"), BY_ID_SQL("tvdb"),
                                          BY_ID_SQL("isbn")};

#define BY_TITLE(VIS)                                                                              \
    "SELECT " STORE_ICOLS " FROM search_docs d JOIN media_items i ON i.id = d.item_id WHERE $1 "   \
    "<> '' AND (d.title_compact = $5 OR d.alt_compact = $5)" SEES(VIS) KIND_OK                     \
        " ORDER BY i.year, i.id LIMIT $7"

static const struct mq_sql SQL_BY_TITLE = {"search_docs.by_title", BY_TITLE(STORE_VIS_LITE("$2")),
                                           BY_TITLE(STORE_VIS_PG("$2"))};

static mq_err lookup(struct mq_db *db, struct mq_arena *a, const struct mq_sql *sql,
                     const struct mq_track_view *v, const char *value, const char *kind, int max,
                     struct mq_item_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(v->user_id ? v->user_id : "-"),
                           MQ_P_TEXT(v->visible_json),
                           MQ_P_INT(v->max_level),
                           MQ_P_INT(v->block_unrated),
                           MQ_P_TEXT(value),
                           MQ_P_TEXT(kind ? kind : ""),
                           MQ_P_INT(max)};
    return mq_db_query_list(db, sql, p, 7, a, mq_store_read_item, sizeof(**out), (size_t)max, out,
                            n);
}

mq_err mq_store_match_by_id(struct mq_db *db, struct mq_arena *a, const struct mq_track_view *v,
                            enum mq_match_id provider, const char *value, const char *kind, int max,
                            struct mq_item_row **out, size_t *n)
{
    return lookup(db, a, &SQL_BY_ID[provider], v, value, kind, max, out, n);
}

mq_err mq_store_match_by_title(struct mq_db *db, struct mq_arena *a, const struct mq_track_view *v,
                               const char *compact, const char *kind, int max,
                               struct mq_item_row **out, size_t *n)
{
    return lookup(db, a, &SQL_BY_TITLE, v, compact, kind, max, out, n);
}
