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
    bool added = false;
    struct mq_param p[] = {MQ_P_TEXT(key), MQ_P_TEXT(value), MQ_P_INT(now_ms)};
    mq_err err = mq_db_exec_changed(db, &SQL_ADD, p, 3, &added);
    if (inserted) *inserted = added;
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
    bool gone = false;
    struct mq_param p[] = {MQ_P_TEXT(key)};
    mq_err err = mq_db_exec_changed(db, &SQL_DELETE, p, 1, &gone);
    if (removed) *removed = gone;
    return err;
}

static const struct mq_sql SQL_SERVER_LIST = {
    "server_settings.list",
    "SELECT key, value, secret, updated_at, updated_by FROM server_settings ORDER BY key", NULL};

static const struct mq_sql SQL_SERVER_VERSION = {
    "server_settings.version", "SELECT version FROM server_settings_version WHERE id = 1", NULL};

static const struct mq_sql SQL_SERVER_BUMP = {
    "server_settings.bump",
    "UPDATE server_settings_version SET version = version + 1 WHERE id = 1 RETURNING version",
    NULL};

static const struct mq_sql SQL_SERVER_PUT = {
    "server_settings.put",
    "INSERT INTO server_settings (key, value, secret, updated_at, updated_by) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
    "secret = excluded.secret, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    NULL};

static const struct mq_sql SQL_SERVER_DELETE = {"server_settings.delete",
                                                "DELETE FROM server_settings WHERE key = $1", NULL};

static mq_err one_number(struct mq_db *db, const struct mq_sql *sql, int64_t *out)
{
    struct mq_rows *rows = NULL;
    mq_err err = mq_db_query(db, sql, NULL, 0, &rows);
    if (err) return err;
    if (mq_rows_next(rows))
        *out = mq_rows_int(rows, 0);
    else
        err = MQ_ENOTFOUND;
    mq_err cerr = mq_rows_close(rows);
    return cerr ? cerr : err;
}

mq_err mq_store_server_settings_version(struct mq_db *db, int64_t *version)
{
    return one_number(db, &SQL_SERVER_VERSION, version);
}

mq_err mq_store_server_settings_bump(struct mq_db *db, int64_t *version)
{
    return one_number(db, &SQL_SERVER_BUMP, version);
}

static void read_server_setting(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_server_setting *s = dst;
    s->key = mq_rows_dup(rows, 0, a, oom);
    s->value = mq_rows_dup(rows, 1, a, oom);
    s->secret = mq_rows_int(rows, 2) != 0;
    s->updated_at = mq_rows_int(rows, 3);
    s->updated_by = mq_rows_null(rows, 4) ? NULL : mq_rows_dup(rows, 4, a, oom);
}

mq_err mq_store_server_settings_list(struct mq_db *db, struct mq_arena *a,
                                     struct mq_server_setting **out, size_t *n, int64_t *version)
{
    *n = 0;
    *out = NULL;
    mq_err err = mq_store_server_settings_version(db, version);
    if (err) return err;
    return mq_db_query_list(db, &SQL_SERVER_LIST, NULL, 0, a, read_server_setting, sizeof(**out), 0,
                            out, n);
}

mq_err mq_store_server_setting_put(struct mq_db *db, const struct mq_server_setting *s)
{
    struct mq_param p[] = {MQ_P_TEXT(s->key), MQ_P_TEXT(s->value), MQ_P_INT(s->secret ? 1 : 0),
                           MQ_P_INT(s->updated_at), MQ_P_TEXT(s->updated_by)};
    return mq_db_exec(db, &SQL_SERVER_PUT, p, 5, NULL);
}

mq_err mq_store_server_setting_delete(struct mq_db *db, const char *key)
{
    struct mq_param p[] = {MQ_P_TEXT(key)};
    return mq_db_exec(db, &SQL_SERVER_DELETE, p, 1, NULL);
}
