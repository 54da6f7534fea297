#include "store/scrobble.h"

#define COLS "id, user_id, name, token_hash, created_at, last_used_at"

static const struct mq_sql SQL_INSERT = {
    "scrobble_tokens.insert",
    "INSERT INTO scrobble_tokens (" COLS ") VALUES ($1, $2, $3, $4, $5, NULL)", NULL};
static const struct mq_sql SQL_LIST = {"scrobble_tokens.list",
                                       "SELECT " COLS " FROM scrobble_tokens WHERE user_id = $1 "
                                       "ORDER BY created_at DESC, id DESC LIMIT 100",
                                       NULL};
static const struct mq_sql SQL_DELETE = {
    "scrobble_tokens.delete", "DELETE FROM scrobble_tokens WHERE user_id = $1 AND id = $2", NULL};
static const struct mq_sql SQL_BY_HASH = {
    "scrobble_tokens.by_hash", "SELECT " COLS " FROM scrobble_tokens WHERE token_hash = $1", NULL};
static const struct mq_sql SQL_USED = {
    "scrobble_tokens.used", "UPDATE scrobble_tokens SET last_used_at = $2 WHERE id = $1", NULL};

static void read_row(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_scrobble_token_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->user_id = mq_rows_dup(rows, 1, a, oom);
    r->name = mq_rows_dup(rows, 2, a, oom);
    r->token_hash = mq_rows_dup(rows, 3, a, oom);
    r->created_at = mq_rows_int(rows, 4);
    r->last_used_at = mq_rows_null(rows, 5) ? 0 : mq_rows_int(rows, 5);
}

mq_err mq_store_scrobble_token_insert(struct mq_db *db, const struct mq_scrobble_token_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id), MQ_P_TEXT(r->user_id), MQ_P_TEXT(r->name),
                           MQ_P_TEXT(r->token_hash), MQ_P_INT(r->created_at)};
    return mq_db_exec(db, &SQL_INSERT, p, 5, NULL);
}

mq_err mq_store_scrobble_tokens(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                struct mq_scrobble_token_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    return mq_db_query_list(db, &SQL_LIST, p, 1, a, read_row, sizeof(**out), 0, out, n);
}

mq_err mq_store_scrobble_token_delete(struct mq_db *db, const char *user_id, const char *id)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(id)};
    return mq_db_exec_one(db, &SQL_DELETE, p, 2);
}

mq_err mq_store_scrobble_token_by_hash(struct mq_db *db, struct mq_arena *a, const char *hash,
                                       struct mq_scrobble_token_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(hash)};
    return mq_db_query_one(db, &SQL_BY_HASH, p, 1, a, read_row, out);
}

mq_err mq_store_scrobble_token_used(struct mq_db *db, const char *id, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_USED, p, 2, NULL);
}
