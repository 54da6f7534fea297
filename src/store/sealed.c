#include "store/sealed.h"

#include <string.h>

struct column {
    const char *context;
    struct mq_sql stale, replace, count;
};

/* Prefixes are "mqs1.<hex kid>.": no LIKE wildcard can be in them. */
static const struct column columns[MQ_SEALED_COLUMNS] = {
    [MQ_SEALED_TOTP] = {"totp:",
                        {"sealed.totp.stale",
                         "SELECT user_id, secret FROM mfa_totp WHERE secret NOT LIKE $1 || '%' "
                         "AND user_id > $2 ORDER BY user_id LIMIT $3",
                         NULL},
                        {"sealed.totp.replace",
                         "UPDATE mfa_totp SET secret = $3 WHERE user_id = $1 AND secret = $2",
                         NULL},
                        {"sealed.totp.count",
                         "SELECT COUNT(*) FROM mfa_totp WHERE secret LIKE $1 || '%'", NULL}},
    [MQ_SEALED_SETTING] = {"setting:",
                           {"sealed.setting.stale",
                            "SELECT key, value FROM server_settings WHERE secret = 1 AND value "
                            "NOT LIKE $1 || '%' AND key > $2 ORDER BY key LIMIT $3",
                            NULL},
                           {"sealed.setting.replace",
                            "UPDATE server_settings SET value = $3 WHERE key = $1 AND value = $2 "
                            "AND secret = 1",
                            NULL},
                           {"sealed.setting.count",
                            "SELECT COUNT(*) FROM server_settings WHERE secret = 1 AND value LIKE "
                            "$1 || '%'",
                            NULL}},
    [MQ_SEALED_CHANNEL] = {"channel:",
                           {"sealed.channel.stale",
                            "SELECT id, config FROM notification_channels WHERE config NOT LIKE "
                            "$1 || '%' AND id > $2 ORDER BY id LIMIT $3",
                            NULL},
                           {"sealed.channel.replace",
                            "UPDATE notification_channels SET config = $3 WHERE id = $1 AND "
                            "config = $2",
                            NULL},
                           {"sealed.channel.count",
                            "SELECT COUNT(*) FROM notification_channels WHERE config LIKE $1 || "
                            "'%'",
                            NULL}},
};

const char *mq_store_sealed_context(enum mq_sealed_column col)
{
    return columns[col].context;
}

mq_err mq_store_sealed_stale(struct mq_db *db, struct mq_arena *a, enum mq_sealed_column col,
                             const char *prefix, const char *after, int limit,
                             struct mq_sealed_value *out, size_t *n)
{
    struct mq_rows *rows = NULL;
    bool oom = false;
    struct mq_param p[] = {MQ_P_TEXT(prefix), MQ_P_TEXT(after), MQ_P_INT(limit)};
    *n = 0;
    mq_err err = mq_db_query(db, &columns[col].stale, p, 3, &rows);
    if (err) return err;
    while (*n < (size_t)limit && mq_rows_next(rows)) {
        out[*n].key = mq_rows_dup(rows, 0, a, &oom);
        out[*n].value = mq_rows_dup(rows, 1, a, &oom);
        (*n)++;
    }
    err = mq_rows_close(rows);
    return err ? err : oom ? MQ_ENOMEM : MQ_OK;
}

mq_err mq_store_sealed_replace(struct mq_db *db, enum mq_sealed_column col, const char *key,
                               const char *old, const char *value, bool *replaced)
{
    struct mq_param p[] = {MQ_P_TEXT(key), MQ_P_TEXT(old), MQ_P_TEXT(value)};
    return mq_db_exec_changed(db, &columns[col].replace, p, 3, replaced);
}

mq_err mq_store_sealed_count(struct mq_db *db, enum mq_sealed_column col, const char *prefix,
                             int64_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(prefix)};
    return mq_db_query_int(db, &columns[col].count, p, 1, n);
}
