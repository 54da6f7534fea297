#include "store/keys.h"

static const struct mq_sql SQL_PUBLISH = {
    "keys.publish",
    "INSERT INTO signing_keys (kid, alg, public_key, created_at) VALUES ($1, 'EdDSA', $2, $3) "
    "ON CONFLICT (kid) DO NOTHING",
    NULL};

static const struct mq_sql SQL_LIST = {
    "keys.list", "SELECT kid, public_key FROM signing_keys ORDER BY created_at", NULL};

static const struct mq_sql SQL_LIST_LIVE = {
    "keys.list_live",
    "SELECT kid, public_key, retired_at FROM signing_keys WHERE retired_at IS NULL "
    "OR retired_at > $1 ORDER BY created_at",
    NULL};

static const struct mq_sql SQL_RETIRE = {
    "keys.retire", "UPDATE signing_keys SET retired_at = $2 WHERE kid = $1 AND retired_at IS NULL",
    NULL};

mq_err mq_store_key_publish(struct mq_db *db, const char *kid, const char *public_key,
                            int64_t now_ms)
{
    struct mq_param p[] = {MQ_P_TEXT(kid), MQ_P_TEXT(public_key), MQ_P_INT(now_ms)};
    return mq_db_exec(db, &SQL_PUBLISH, p, 3, NULL);
}

mq_err mq_store_key_list(struct mq_db *db,
                         void (*fn)(void *arg, const char *kid, const char *public_key), void *arg)
{
    struct mq_rows *rows = NULL;
    mq_err err = mq_db_query(db, &SQL_LIST, NULL, 0, &rows);
    if (err) return err;
    while (mq_rows_next(rows)) fn(arg, mq_rows_text(rows, 0), mq_rows_text(rows, 1));
    return mq_rows_close(rows);
}

mq_err mq_store_key_list_live(struct mq_db *db, int64_t now,
                              void (*fn)(void *arg, const char *kid, const char *public_key,
                                         int64_t retired_at),
                              void *arg)
{
    struct mq_rows *rows = NULL;
    struct mq_param p[] = {MQ_P_INT(now)};
    mq_err err = mq_db_query(db, &SQL_LIST_LIVE, p, 1, &rows);
    if (err) return err;
    while (mq_rows_next(rows))
        fn(arg, mq_rows_text(rows, 0), mq_rows_text(rows, 1), mq_rows_int(rows, 2));
    return mq_rows_close(rows);
}

mq_err mq_store_key_retire(struct mq_db *db, const char *kid, int64_t at)
{
    struct mq_param p[] = {MQ_P_TEXT(kid), MQ_P_INT(at)};
    return mq_db_exec(db, &SQL_RETIRE, p, 2, NULL);
}
