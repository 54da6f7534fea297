#include "store/libraries.h"

#include <string.h>

#define LIB_COLS                                                                                   \
    "id, name, name_key, kind, restricted, scan_interval, watch_state, watch_error, created_at, "  \
    "updated_at, metadata_order"

static const struct mq_sql SQL_INSERT = {"libraries.insert",
                                         "INSERT INTO libraries (" LIB_COLS
                                         ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                                         NULL};
static const struct mq_sql SQL_UPDATE = {
    "libraries.update",
    "UPDATE libraries SET name = $2, name_key = $3, restricted = $4, scan_interval = $5, "
    "updated_at = $6, metadata_order = $7 WHERE id = $1",
    NULL};
static const struct mq_sql SQL_SET_WATCH = {
    "libraries.set_watch",
    "UPDATE libraries SET watch_state = $2, watch_error = $3, updated_at = $4 WHERE id = $1", NULL};
static const struct mq_sql SQL_DELETE = {"libraries.delete", "DELETE FROM libraries WHERE id = $1",
                                         NULL};
static const struct mq_sql SQL_GET = {"libraries.get",
                                      "SELECT " LIB_COLS " FROM libraries WHERE id = $1", NULL};
static const struct mq_sql SQL_ALL = {"libraries.all",
                                      "SELECT " LIB_COLS " FROM libraries ORDER BY name_key", NULL};

static const struct mq_sql SQL_PATH_INSERT = {
    "library_paths.insert",
    "INSERT INTO library_paths (id, library_id, path, created_at) VALUES ($1, $2, $3, $4)", NULL};
static const struct mq_sql SQL_PATH_DELETE = {
    "library_paths.delete", "DELETE FROM library_paths WHERE id = $2 AND library_id = $1", NULL};
static const struct mq_sql SQL_PATHS = {
    "library_paths.list",
    "SELECT id, library_id, path, created_at FROM library_paths "
    "WHERE ($1 = '' OR library_id = $1) ORDER BY path",
    NULL};

static const struct mq_sql SQL_GRANT_INSERT = {
    "library_grants.insert",
    "INSERT INTO library_grants (library_id, user_id, role, created_by, created_at) "
    "VALUES ($1, $2, $3, $4, $5)",
    NULL};
static const struct mq_sql SQL_GRANT_DELETE_USER = {
    "library_grants.delete_user",
    "DELETE FROM library_grants WHERE library_id = $1 AND user_id = $2", NULL};
static const struct mq_sql SQL_GRANT_DELETE_ROLE = {
    "library_grants.delete_role", "DELETE FROM library_grants WHERE library_id = $1 AND role = $2",
    NULL};
static const struct mq_sql SQL_GRANTS = {
    "library_grants.list",
    "SELECT library_id, user_id, role, created_by, created_at FROM library_grants "
    "WHERE library_id = $1 ORDER BY created_at",
    NULL};
static const struct mq_sql SQL_GRANTED_TO = {
    "library_grants.granted_to",
    "SELECT DISTINCT library_id FROM library_grants WHERE user_id = $1 "
    "OR role IN (SELECT value FROM json_each($2))",
    "SELECT DISTINCT library_id FROM library_grants WHERE user_id = $1 "
    "OR role IN (SELECT jsonb_array_elements_text($2::jsonb))"};

#define SCAN_COLS                                                                                  \
    "id, library_id, job_id, state, phase, error, full_scan, total, seen, new_files, changed, "    \
    "unchanged, moved, probed, skipped, failed, missing, removed, started_at, updated_at, "        \
    "finished_at"

static const struct mq_sql SQL_SCAN_INSERT = {
    "library_scans.insert",
    "INSERT INTO library_scans (" SCAN_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
    "$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
    NULL};
static const struct mq_sql SQL_SCAN_UPDATE = {
    "library_scans.update",
    "UPDATE library_scans SET state = $2, phase = $3, error = $4, total = $5, seen = $6, "
    "new_files = $7, changed = $8, unchanged = $9, moved = $10, probed = $11, skipped = $12, "
    "failed = $13, missing = $14, removed = $15, updated_at = $16, finished_at = $17 "
    "WHERE id = $1",
    NULL};
static const struct mq_sql SQL_SCAN_LATEST = {"library_scans.latest",
                                              "SELECT " SCAN_COLS
                                              " FROM library_scans WHERE library_id = $1 "
                                              "ORDER BY started_at DESC, id DESC LIMIT 1",
                                              NULL};
static const struct mq_sql SQL_SCANS_ABANDON = {
    "library_scans.abandon",
    "UPDATE library_scans SET state = 'failed', error = 'the scan stopped (its process ended)', "
    "updated_at = $3, finished_at = $3 WHERE library_id = $1 AND state = 'running' AND id <> $2",
    NULL};

static void read_library(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_library_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->name = mq_rows_dup(rows, 1, a, oom);
    r->name_key = mq_rows_dup(rows, 2, a, oom);
    r->kind = mq_rows_dup(rows, 3, a, oom);
    r->restricted = mq_rows_int(rows, 4) != 0;
    r->scan_interval = mq_rows_null(rows, 5) ? -1 : mq_rows_int(rows, 5);
    r->watch_state = mq_rows_dup(rows, 6, a, oom);
    r->watch_error = mq_rows_dup(rows, 7, a, oom);
    r->created_at = mq_rows_int(rows, 8);
    r->updated_at = mq_rows_int(rows, 9);
    r->metadata_order = mq_rows_dup(rows, 10, a, oom);
}

mq_err mq_store_library_insert(struct mq_db *db, const struct mq_library_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id),
                           MQ_P_TEXT(r->name),
                           MQ_P_TEXT(r->name_key),
                           MQ_P_TEXT(r->kind),
                           MQ_P_INT(r->restricted),
                           r->scan_interval < 0 ? MQ_P_NULL : MQ_P_INT(r->scan_interval),
                           MQ_P_TEXT(r->watch_state ? r->watch_state : "off"),
                           MQ_P_TEXT(r->watch_error),
                           MQ_P_INT(r->created_at),
                           MQ_P_INT(r->updated_at),
                           r->metadata_order ? MQ_P_TEXT(r->metadata_order) : MQ_P_NULL};
    return mq_db_exec(db, &SQL_INSERT, p, 11, NULL);
}

mq_err mq_store_library_update(struct mq_db *db, const struct mq_library_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id),
                           MQ_P_TEXT(r->name),
                           MQ_P_TEXT(r->name_key),
                           MQ_P_INT(r->restricted),
                           r->scan_interval < 0 ? MQ_P_NULL : MQ_P_INT(r->scan_interval),
                           MQ_P_INT(r->updated_at),
                           r->metadata_order ? MQ_P_TEXT(r->metadata_order) : MQ_P_NULL};
    return mq_db_exec_one(db, &SQL_UPDATE, p, 7);
}

mq_err mq_store_library_set_watch(struct mq_db *db, const char *id, const char *state,
                                  const char *error, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_TEXT(state), MQ_P_TEXT(error), MQ_P_INT(now)};
    return mq_db_exec_one(db, &SQL_SET_WATCH, p, 4);
}

mq_err mq_store_library_delete(struct mq_db *db, const char *id)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_exec_one(db, &SQL_DELETE, p, 1);
}

mq_err mq_store_library_get(struct mq_db *db, struct mq_arena *a, const char *id,
                            struct mq_library_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_query_one(db, &SQL_GET, p, 1, a, read_library, out);
}

mq_err mq_store_libraries_all(struct mq_db *db, struct mq_arena *a, struct mq_library_row **out,
                              size_t *n)
{
    return mq_db_query_list(db, &SQL_ALL, NULL, 0, a, read_library, sizeof(**out), 0, out, n);
}

static void read_path(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_library_path_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->library_id = mq_rows_dup(rows, 1, a, oom);
    r->path = mq_rows_dup(rows, 2, a, oom);
    r->created_at = mq_rows_int(rows, 3);
}

mq_err mq_store_library_path_insert(struct mq_db *db, const struct mq_library_path_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id), MQ_P_TEXT(r->library_id), MQ_P_TEXT(r->path),
                           MQ_P_INT(r->created_at)};
    return mq_db_exec(db, &SQL_PATH_INSERT, p, 4, NULL);
}

mq_err mq_store_library_path_delete(struct mq_db *db, const char *library_id, const char *path_id)
{
    struct mq_param p[] = {MQ_P_TEXT(library_id), MQ_P_TEXT(path_id)};
    return mq_db_exec_one(db, &SQL_PATH_DELETE, p, 2);
}

mq_err mq_store_library_paths(struct mq_db *db, struct mq_arena *a, const char *library_id,
                              struct mq_library_path_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(library_id ? library_id : "")};
    return mq_db_query_list(db, &SQL_PATHS, p, 1, a, read_path, sizeof(**out), 0, out, n);
}

static void read_grant(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_library_grant_row *r = dst;
    r->library_id = mq_rows_dup(rows, 0, a, oom);
    r->user_id = mq_rows_dup(rows, 1, a, oom);
    r->role = mq_rows_dup(rows, 2, a, oom);
    r->created_by = mq_rows_dup(rows, 3, a, oom);
    r->created_at = mq_rows_int(rows, 4);
}

mq_err mq_store_library_grant_insert(struct mq_db *db, const struct mq_library_grant_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->library_id), MQ_P_TEXT(r->user_id), MQ_P_TEXT(r->role),
                           MQ_P_TEXT(r->created_by), MQ_P_INT(r->created_at)};
    return mq_db_exec(db, &SQL_GRANT_INSERT, p, 5, NULL);
}

mq_err mq_store_library_grant_delete(struct mq_db *db, const char *library_id, const char *user_id,
                                     const char *role)
{
    struct mq_param p[] = {MQ_P_TEXT(library_id), MQ_P_TEXT(user_id ? user_id : role)};
    return mq_db_exec_one(db, user_id ? &SQL_GRANT_DELETE_USER : &SQL_GRANT_DELETE_ROLE, p, 2);
}

mq_err mq_store_library_grants(struct mq_db *db, struct mq_arena *a, const char *library_id,
                               struct mq_library_grant_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(library_id)};
    return mq_db_query_list(db, &SQL_GRANTS, p, 1, a, read_grant, sizeof(**out), 0, out, n);
}

mq_err mq_store_library_granted_to(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                   const char *roles_json, const char ***ids, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id ? user_id : ""), MQ_P_TEXT(roles_json)};
    return mq_db_query_list(db, &SQL_GRANTED_TO, p, 2, a, mq_read_text, sizeof(**ids), 0, ids, n);
}

static void read_scan(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_library_scan_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->library_id = mq_rows_dup(rows, 1, a, oom);
    r->job_id = mq_rows_dup(rows, 2, a, oom);
    r->state = mq_rows_dup(rows, 3, a, oom);
    r->phase = mq_rows_dup(rows, 4, a, oom);
    r->error = mq_rows_dup(rows, 5, a, oom);
    r->full = mq_rows_int(rows, 6) != 0;
    int64_t *counts[] = {&r->total,     &r->seen,    &r->new_files, &r->changed,
                         &r->unchanged, &r->moved,   &r->probed,    &r->skipped,
                         &r->failed,    &r->missing, &r->removed};
    for (int i = 0; i < 11; i++) *counts[i] = mq_rows_int(rows, 7 + i);
    r->started_at = mq_rows_int(rows, 18);
    r->updated_at = mq_rows_int(rows, 19);
    r->finished_at = mq_rows_null(rows, 20) ? 0 : mq_rows_int(rows, 20);
}

mq_err mq_store_scan_insert(struct mq_db *db, const struct mq_library_scan_row *r)
{
    struct mq_param p[] = {
        MQ_P_TEXT(r->id),        MQ_P_TEXT(r->library_id), MQ_P_TEXT(r->job_id),
        MQ_P_TEXT(r->state),     MQ_P_TEXT(r->phase),      MQ_P_TEXT(r->error),
        MQ_P_INT(r->full),       MQ_P_INT(r->total),       MQ_P_INT(r->seen),
        MQ_P_INT(r->new_files),  MQ_P_INT(r->changed),     MQ_P_INT(r->unchanged),
        MQ_P_INT(r->moved),      MQ_P_INT(r->probed),      MQ_P_INT(r->skipped),
        MQ_P_INT(r->failed),     MQ_P_INT(r->missing),     MQ_P_INT(r->removed),
        MQ_P_INT(r->started_at), MQ_P_INT(r->updated_at),  MQ_P_INT_OR_NULL(r->finished_at)};
    return mq_db_exec(db, &SQL_SCAN_INSERT, p, 21, NULL);
}

mq_err mq_store_scan_update(struct mq_db *db, const struct mq_library_scan_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id),
                           MQ_P_TEXT(r->state),
                           MQ_P_TEXT(r->phase),
                           MQ_P_TEXT(r->error),
                           MQ_P_INT(r->total),
                           MQ_P_INT(r->seen),
                           MQ_P_INT(r->new_files),
                           MQ_P_INT(r->changed),
                           MQ_P_INT(r->unchanged),
                           MQ_P_INT(r->moved),
                           MQ_P_INT(r->probed),
                           MQ_P_INT(r->skipped),
                           MQ_P_INT(r->failed),
                           MQ_P_INT(r->missing),
                           MQ_P_INT(r->removed),
                           MQ_P_INT(r->updated_at),
                           MQ_P_INT_OR_NULL(r->finished_at)};
    return mq_db_exec_one(db, &SQL_SCAN_UPDATE, p, 17);
}

mq_err mq_store_scan_latest(struct mq_db *db, struct mq_arena *a, const char *library_id,
                            struct mq_library_scan_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(library_id)};
    return mq_db_query_one(db, &SQL_SCAN_LATEST, p, 1, a, read_scan, out);
}

mq_err mq_store_scans_abandon(struct mq_db *db, const char *library_id, const char *except_id,
                              int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(library_id), MQ_P_TEXT(except_id ? except_id : ""),
                           MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_SCANS_ABANDON, p, 3, NULL);
}
