#include "store/settings.h"

static const struct mq_sql SQL_GET = {"settings.get", "SELECT value FROM settings WHERE key = $1",
                                      NULL};

static const struct mq_sql SQL_ADD = {
    "settings.add",
    "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (key) DO NOTHING",
    NULL,
};

mq_err mq_store_setting_get(struct mq_db *db, const char *key, struct mq_arena *a, char **value)
{
    struct mq_rows *rows = NULL;
    struct mq_param p[] = {MQ_P_TEXT(key)};
    mq_err err = mq_db_query(db, &SQL_GET, p, 1, &rows);
    if (err) return err;
    if (mq_rows_next(rows)) {
        const char *v = mq_rows_text(rows, 0);
        *value = mq_arena_strdup(a, v ? v : "");
        if (!*value) err = MQ_ENOMEM;
    } else {
        err = MQ_ENOTFOUND;
    }
    mq_err cerr = mq_rows_close(rows);
    return cerr ? cerr : err;
}

mq_err mq_store_setting_add(struct mq_db *db, const char *key, const char *value, int64_t now_ms,
                            bool *inserted)
{
    int64_t changes = 0;
    struct mq_param p[] = {MQ_P_TEXT(key), MQ_P_TEXT(value), MQ_P_INT(now_ms)};
    mq_err err = mq_db_exec(db, &SQL_ADD, p, 3, &changes);
    if (!err && inserted) *inserted = changes > 0;
    return err;
}

static const struct mq_sql SQL_PUT = {
    "settings.put",
    "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    NULL,
};

static const struct mq_sql SQL_DELETE = {"settings.delete", "DELETE FROM settings WHERE key = $1",
                                         NULL};

mq_err mq_store_setting_put(struct mq_db *db, const char *key, const char *value, int64_t now_ms)
{
    struct mq_param p[] = {MQ_P_TEXT(key), MQ_P_TEXT(value), MQ_P_INT(now_ms)};
    return mq_db_exec(db, &SQL_PUT, p, 3, NULL);
}

mq_err mq_store_setting_delete(struct mq_db *db, const char *key, bool *removed)
{
    int64_t changes = 0;
    struct mq_param p[] = {MQ_P_TEXT(key)};
    mq_err err = mq_db_exec(db, &SQL_DELETE, p, 1, &changes);
    if (!err && removed) *removed = changes > 0;
    return err;
}
