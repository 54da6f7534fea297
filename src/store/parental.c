#include "store/parental.h"

#define COLS                                                                                       \
    "user_id, max_rating, max_level, unrated, windows, pin_hash, pin_failures, pin_locked_until, " \
    "updated_by, updated_at"

static const struct mq_sql SQL_GET = {
    "parental.get", "SELECT " COLS " FROM parental_controls WHERE user_id = $1", NULL};
static const struct mq_sql SQL_PUT = {
    "parental.put",
    "INSERT INTO parental_controls (" COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT (user_id) DO UPDATE SET max_rating = excluded.max_rating, max_level = "
    "excluded.max_level, unrated = excluded.unrated, windows = excluded.windows, pin_hash = "
    "excluded.pin_hash, pin_failures = excluded.pin_failures, pin_locked_until = "
    "excluded.pin_locked_until, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    NULL};
static const struct mq_sql SQL_PIN_RESULT = {
    "parental.pin_result",
    "UPDATE parental_controls SET pin_failures = $2, pin_locked_until = $3 WHERE user_id = $1",
    NULL};
static const struct mq_sql SQL_UNLOCK = {
    "parental.unlock",
    "INSERT INTO parental_unlocks (session_id, user_id, until) VALUES ($1, $2, $3) "
    "ON CONFLICT (session_id) DO UPDATE SET until = excluded.until",
    NULL};
static const struct mq_sql SQL_UNLOCKED = {
    "parental.unlocked", "SELECT until FROM parental_unlocks WHERE session_id = $1 AND until > $2",
    NULL};
static const struct mq_sql SQL_UNLOCKS_END = {
    "parental.unlocks_end", "DELETE FROM parental_unlocks WHERE user_id = $1", NULL};

static void read_row(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_parental_row *r = dst;
    r->user_id = mq_rows_dup(rows, 0, a, oom);
    r->max_rating = mq_rows_dup(rows, 1, a, oom);
    r->max_level = mq_rows_null(rows, 2) ? 0 : mq_rows_int(rows, 2);
    r->unrated = mq_rows_dup(rows, 3, a, oom);
    r->windows = mq_rows_dup(rows, 4, a, oom);
    r->pin_hash = mq_rows_dup(rows, 5, a, oom);
    r->pin_failures = mq_rows_int(rows, 6);
    r->pin_locked_until = mq_rows_null(rows, 7) ? 0 : mq_rows_int(rows, 7);
    r->updated_by = mq_rows_dup(rows, 8, a, oom);
    r->updated_at = mq_rows_int(rows, 9);
}

mq_err mq_store_parental_get(struct mq_db *db, struct mq_arena *a, const char *user_id,
                             struct mq_parental_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    return mq_db_query_one(db, &SQL_GET, p, 1, a, read_row, out);
}

#define TEXT_OR_NULL(s) ((s) ? MQ_P_TEXT(s) : MQ_P_NULL)

mq_err mq_store_parental_put(struct mq_db *db, const struct mq_parental_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->user_id),          TEXT_OR_NULL(r->max_rating),
                           MQ_P_INT_OR_NULL(r->max_level), MQ_P_TEXT(r->unrated),
                           MQ_P_TEXT(r->windows),          TEXT_OR_NULL(r->pin_hash),
                           MQ_P_INT(r->pin_failures),      MQ_P_INT_OR_NULL(r->pin_locked_until),
                           TEXT_OR_NULL(r->updated_by),    MQ_P_INT(r->updated_at)};
    return mq_db_exec(db, &SQL_PUT, p, 10, NULL);
}

mq_err mq_store_parental_pin_result(struct mq_db *db, const char *user_id, int64_t failures,
                                    int64_t locked_until)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_INT(failures), MQ_P_INT_OR_NULL(locked_until)};
    return mq_db_exec(db, &SQL_PIN_RESULT, p, 3, NULL);
}

mq_err mq_store_parental_unlock(struct mq_db *db, const char *session_id, const char *user_id,
                                int64_t until)
{
    struct mq_param p[] = {MQ_P_TEXT(session_id), MQ_P_TEXT(user_id), MQ_P_INT(until)};
    return mq_db_exec(db, &SQL_UNLOCK, p, 3, NULL);
}

mq_err mq_store_parental_unlocked(struct mq_db *db, const char *session_id, int64_t now,
                                  int64_t *until)
{
    struct mq_param p[] = {MQ_P_TEXT(session_id), MQ_P_INT(now)};
    return mq_db_query_int(db, &SQL_UNLOCKED, p, 2, until);
}

mq_err mq_store_parental_unlocks_end(struct mq_db *db, const char *user_id)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    return mq_db_exec(db, &SQL_UNLOCKS_END, p, 1, NULL);
}
