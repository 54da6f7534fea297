#include "store/notify.h"

/* ---- notifications -------------------------------------------------------- */

#define NCOLS                                                                                      \
    "id, user_id, event, dedupe_key, title, body, vars, link, external_url, image_url, media_id, " \
    "in_app, created_at, read_at"

static const struct mq_sql SQL_N_INSERT = {
    "notifications.insert",
    "INSERT INTO notifications (" NCOLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
    "$12, $13, NULL) ON CONFLICT DO NOTHING",
    NULL};
static const struct mq_sql SQL_N_KNOWN = {
    "notifications.known",
    "SELECT COUNT(*) FROM notifications WHERE COALESCE(user_id, '') = $1 AND dedupe_key = $2",
    NULL};
static const struct mq_sql SQL_N_GET = {"notifications.get",
                                        "SELECT " NCOLS " FROM notifications WHERE id = $1", NULL};
static const struct mq_sql SQL_N_LIST = {
    "notifications.list",
    "SELECT " NCOLS " FROM notifications WHERE user_id = $1 AND in_app = 1 AND ($2 = 0 OR "
    "read_at IS NULL) AND ($3 = '' OR id < $3) ORDER BY id DESC LIMIT $4",
    NULL};
static const struct mq_sql SQL_N_UNREAD = {
    "notifications.unread",
    "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND in_app = 1 AND read_at IS NULL",
    NULL};
static const struct mq_sql SQL_N_READ = {
    "notifications.read",
    "UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE user_id = $1 AND id = $2 "
    "AND in_app = 1",
    NULL};
static const struct mq_sql SQL_N_READ_ALL = {
    "notifications.read_all",
    "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND in_app = 1 AND read_at IS NULL",
    NULL};
/* Deleting from the centre keeps the row, out of sight: it is what stops
 * the same thing being notified again. */
static const struct mq_sql SQL_N_DELETE = {
    "notifications.delete",
    "UPDATE notifications SET in_app = 0, read_at = COALESCE(read_at, 0) WHERE user_id = $1 AND "
    "id = $2 AND in_app = 1",
    NULL};
static const struct mq_sql SQL_N_PURGE = {"notifications.purge",
                                          "DELETE FROM notifications WHERE created_at < $1", NULL};

static void read_notification(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_notification_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->user_id = mq_rows_dup(rows, 1, a, oom);
    r->event = mq_rows_dup(rows, 2, a, oom);
    r->dedupe_key = mq_rows_dup(rows, 3, a, oom);
    r->title = mq_rows_dup(rows, 4, a, oom);
    r->body = mq_rows_dup(rows, 5, a, oom);
    r->vars = mq_rows_dup(rows, 6, a, oom);
    r->link = mq_rows_dup(rows, 7, a, oom);
    r->external_url = mq_rows_dup(rows, 8, a, oom);
    r->image_url = mq_rows_dup(rows, 9, a, oom);
    r->media_id = mq_rows_dup(rows, 10, a, oom);
    r->in_app = mq_rows_int(rows, 11) != 0;
    r->created_at = mq_rows_int(rows, 12);
    r->read_at = mq_rows_null(rows, 13) ? 0 : mq_rows_int(rows, 13);
}

static struct mq_param text_or_null(const char *s)
{
    return s ? MQ_P_TEXT(s) : MQ_P_NULL;
}

mq_err mq_store_notification_insert(struct mq_db *db, const struct mq_notification_row *r,
                                    bool *inserted)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id),
                           text_or_null(r->user_id),
                           MQ_P_TEXT(r->event),
                           text_or_null(r->dedupe_key),
                           MQ_P_TEXT(r->title),
                           MQ_P_TEXT(r->body),
                           MQ_P_TEXT(r->vars),
                           text_or_null(r->link),
                           text_or_null(r->external_url),
                           text_or_null(r->image_url),
                           text_or_null(r->media_id),
                           MQ_P_INT(r->in_app ? 1 : 0),
                           MQ_P_INT(r->created_at)};
    int64_t changes = 0;
    mq_err err = mq_db_exec(db, &SQL_N_INSERT, p, 13, &changes);
    *inserted = !err && changes > 0;
    return err;
}

mq_err mq_store_notification_known(struct mq_db *db, const char *user_id, const char *dedupe_key,
                                   bool *known)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id ? user_id : ""), MQ_P_TEXT(dedupe_key)};
    int64_t n = 0;
    mq_err err = mq_db_query_int(db, &SQL_N_KNOWN, p, 2, &n);
    *known = !err && n > 0;
    return err;
}

static const struct mq_sql SQL_N_KNOWN_MANY = {
    "notifications.known_many",
    "SELECT n.dedupe_key FROM json_each($2) j CROSS JOIN notifications n WHERE "
    "COALESCE(n.user_id, '') = $1 AND n.dedupe_key = j.value",
    "SELECT n.dedupe_key FROM jsonb_array_elements_text($2::jsonb) AS j(value) CROSS JOIN "
    "notifications n WHERE COALESCE(n.user_id, '') = $1 AND n.dedupe_key = j.value"};

mq_err mq_store_notifications_known(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                    const char *keys, const char ***out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id ? user_id : ""), MQ_P_TEXT(keys)};
    return mq_db_query_list(db, &SQL_N_KNOWN_MANY, p, 2, a, mq_read_text, sizeof(**out), 0, out, n);
}

mq_err mq_store_notification_get(struct mq_db *db, struct mq_arena *a, const char *id,
                                 struct mq_notification_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_query_one(db, &SQL_N_GET, p, 1, a, read_notification, out);
}

mq_err mq_store_notifications(struct mq_db *db, struct mq_arena *a, const char *user_id,
                              bool unread_only, const char *before, int limit,
                              struct mq_notification_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_INT(unread_only ? 1 : 0),
                           MQ_P_TEXT(before ? before : ""), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_N_LIST, p, 4, a, read_notification, sizeof(**out), 0, out, n);
}

mq_err mq_store_notifications_unread(struct mq_db *db, const char *user_id, int64_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    return mq_db_query_int(db, &SQL_N_UNREAD, p, 1, n);
}

mq_err mq_store_notification_read(struct mq_db *db, const char *user_id, const char *id,
                                  int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(id), MQ_P_INT(now)};
    return mq_db_exec_one(db, &SQL_N_READ, p, 3);
}

mq_err mq_store_notifications_read_all(struct mq_db *db, const char *user_id, int64_t now,
                                       int64_t *changed)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_N_READ_ALL, p, 2, changed);
}

mq_err mq_store_notification_delete(struct mq_db *db, const char *user_id, const char *id)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(id)};
    return mq_db_exec_one(db, &SQL_N_DELETE, p, 2);
}

mq_err mq_store_notifications_purge(struct mq_db *db, int64_t before, int64_t *deleted)
{
    struct mq_param p[] = {MQ_P_INT(before)};
    return mq_db_exec(db, &SQL_N_PURGE, p, 1, deleted);
}

/* ---- settings --------------------------------------------------------------- */

static const struct mq_sql SQL_S_GET = {
    "notification_settings.get", "SELECT doc FROM notification_settings WHERE user_id = $1", NULL};
static const struct mq_sql SQL_S_PUT = {
    "notification_settings.put",
    "INSERT INTO notification_settings (user_id, doc, updated_at) VALUES ($1, $2, $3) ON "
    "CONFLICT (user_id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at",
    NULL};

mq_err mq_store_notify_settings_get(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                    const char **doc)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    return mq_db_query_one(db, &SQL_S_GET, p, 1, a, mq_read_text, doc);
}

mq_err mq_store_notify_settings_put(struct mq_db *db, const char *user_id, const char *doc,
                                    int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(doc), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_S_PUT, p, 3, NULL);
}

/* ---- channels ------------------------------------------------------------- */

#define CCOLS                                                                                      \
    "id, user_id, kind, name, target, config, options, enabled, failures, paused_at, "             \
    "pause_reason, last_success_at, last_failure_at, created_at, updated_at"

static const struct mq_sql SQL_C_INSERT = {"notification_channels.insert",
                                           "INSERT INTO notification_channels (" CCOLS
                                           ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, "
                                           "NULL, NULL, NULL, NULL, $9, $9)",
                                           NULL};
static const struct mq_sql SQL_C_UPDATE = {
    "notification_channels.update",
    "UPDATE notification_channels SET name = $2, target = $3, config = $4, options = $5, "
    "enabled = $6, updated_at = $7, failures = CASE WHEN $8 = 1 THEN 0 ELSE failures END, "
    "paused_at = CASE WHEN $8 = 1 THEN NULL ELSE paused_at END, pause_reason = CASE WHEN $8 = 1 "
    "THEN NULL ELSE pause_reason END WHERE id = $1",
    NULL};
static const struct mq_sql SQL_C_GET = {"notification_channels.get",
                                        "SELECT " CCOLS " FROM notification_channels WHERE id = "
                                        "$2 AND COALESCE(user_id, '') = $1",
                                        NULL};
static const struct mq_sql SQL_C_BY_ID = {
    "notification_channels.by_id", "SELECT " CCOLS " FROM notification_channels WHERE id = $1",
    NULL};
static const struct mq_sql SQL_C_LIST = {
    "notification_channels.list",
    "SELECT " CCOLS " FROM notification_channels WHERE COALESCE(user_id, '') = $1 ORDER BY "
    "created_at, id LIMIT 100",
    NULL};
static const struct mq_sql SQL_C_DELETE = {
    "notification_channels.delete",
    "DELETE FROM notification_channels WHERE id = $2 AND COALESCE(user_id, '') = $1", NULL};
static const struct mq_sql SQL_C_COUNT = {
    "notification_channels.count",
    "SELECT COUNT(*) FROM notification_channels WHERE COALESCE(user_id, '') = $1", NULL};
static const struct mq_sql SQL_C_OK = {
    "notification_channels.ok",
    "UPDATE notification_channels SET failures = 0, last_success_at = $2, paused_at = NULL, "
    "pause_reason = NULL WHERE id = $1",
    NULL};
static const struct mq_sql SQL_C_FAILED = {
    "notification_channels.failed",
    "UPDATE notification_channels SET failures = failures + 1, last_failure_at = $2, paused_at "
    "= CASE WHEN paused_at IS NULL AND failures + 1 >= $3 THEN $2 ELSE paused_at END, "
    "pause_reason = CASE WHEN paused_at IS NULL AND failures + 1 >= $3 THEN $4 ELSE "
    "pause_reason END WHERE id = $1",
    NULL};
static const struct mq_sql SQL_C_PAUSED_AT = {
    "notification_channels.paused_at",
    "SELECT COALESCE(paused_at, 0) FROM notification_channels WHERE id = $1", NULL};

static void read_channel(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_notify_channel_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->user_id = mq_rows_dup(rows, 1, a, oom);
    r->kind = mq_rows_dup(rows, 2, a, oom);
    r->name = mq_rows_dup(rows, 3, a, oom);
    r->target = mq_rows_dup(rows, 4, a, oom);
    r->config = mq_rows_dup(rows, 5, a, oom);
    r->options = mq_rows_dup(rows, 6, a, oom);
    r->enabled = mq_rows_int(rows, 7) != 0;
    r->failures = (int)mq_rows_int(rows, 8);
    r->paused_at = mq_rows_null(rows, 9) ? 0 : mq_rows_int(rows, 9);
    r->pause_reason = mq_rows_dup(rows, 10, a, oom);
    r->last_success_at = mq_rows_null(rows, 11) ? 0 : mq_rows_int(rows, 11);
    r->last_failure_at = mq_rows_null(rows, 12) ? 0 : mq_rows_int(rows, 12);
    r->created_at = mq_rows_int(rows, 13);
    r->updated_at = mq_rows_int(rows, 14);
}

mq_err mq_store_notify_channel_insert(struct mq_db *db, const struct mq_notify_channel_row *r)
{
    struct mq_param p[] = {
        MQ_P_TEXT(r->id),      text_or_null(r->user_id),     MQ_P_TEXT(r->kind),
        MQ_P_TEXT(r->name),    MQ_P_TEXT(r->target),         MQ_P_TEXT(r->config),
        MQ_P_TEXT(r->options), MQ_P_INT(r->enabled ? 1 : 0), MQ_P_INT(r->created_at)};
    return mq_db_exec(db, &SQL_C_INSERT, p, 9, NULL);
}

mq_err mq_store_notify_channel_update(struct mq_db *db, const struct mq_notify_channel_row *r,
                                      bool resume)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id),        MQ_P_TEXT(r->name),
                           MQ_P_TEXT(r->target),    MQ_P_TEXT(r->config),
                           MQ_P_TEXT(r->options),   MQ_P_INT(r->enabled ? 1 : 0),
                           MQ_P_INT(r->updated_at), MQ_P_INT(resume ? 1 : 0)};
    return mq_db_exec_one(db, &SQL_C_UPDATE, p, 8);
}

mq_err mq_store_notify_channel_get(struct mq_db *db, struct mq_arena *a, const char *owner,
                                   const char *id, struct mq_notify_channel_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(owner), MQ_P_TEXT(id)};
    return mq_db_query_one(db, &SQL_C_GET, p, 2, a, read_channel, out);
}

mq_err mq_store_notify_channel_by_id(struct mq_db *db, struct mq_arena *a, const char *id,
                                     struct mq_notify_channel_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_query_one(db, &SQL_C_BY_ID, p, 1, a, read_channel, out);
}

mq_err mq_store_notify_channels(struct mq_db *db, struct mq_arena *a, const char *owner,
                                struct mq_notify_channel_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(owner)};
    return mq_db_query_list(db, &SQL_C_LIST, p, 1, a, read_channel, sizeof(**out), 0, out, n);
}

mq_err mq_store_notify_channel_delete(struct mq_db *db, const char *owner, const char *id)
{
    struct mq_param p[] = {MQ_P_TEXT(owner), MQ_P_TEXT(id)};
    return mq_db_exec_one(db, &SQL_C_DELETE, p, 2);
}

mq_err mq_store_notify_channel_count(struct mq_db *db, const char *owner, int64_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(owner)};
    return mq_db_query_int(db, &SQL_C_COUNT, p, 1, n);
}

mq_err mq_store_notify_channel_succeeded(struct mq_db *db, const char *id, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_C_OK, p, 2, NULL);
}

mq_err mq_store_notify_channel_failed(struct mq_db *db, const char *id, int64_t now,
                                      int pause_after, const char *reason, bool *paused)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_INT(now), MQ_P_INT(pause_after), MQ_P_TEXT(reason)};
    int64_t at = 0;
    mq_err err = mq_db_exec(db, &SQL_C_FAILED, p, 4, NULL);
    if (!err) err = mq_db_query_int(db, &SQL_C_PAUSED_AT, p, 1, &at);
    *paused = !err && at == now;
    return err;
}

/* ---- digests waiting ------------------------------------------------------ */

static const struct mq_sql SQL_P_ADD = {
    "notification_pending.add",
    "INSERT INTO notification_pending (channel_id, notification_id, digest, due_at) VALUES ($1, "
    "$2, $3, $4) ON CONFLICT DO NOTHING",
    NULL};
static const struct mq_sql SQL_P_DUE = {
    "notification_pending.due",
    "SELECT DISTINCT channel_id FROM notification_pending WHERE due_at <= $1 ORDER BY "
    "channel_id LIMIT $2",
    NULL};
static const struct mq_sql SQL_P_TAKE = {
    "notification_pending.take",
    "DELETE FROM notification_pending WHERE channel_id = $1 AND notification_id IN (SELECT "
    "notification_id FROM notification_pending WHERE channel_id = $1 AND due_at <= $2 ORDER BY "
    "notification_id LIMIT $3) RETURNING notification_id",
    NULL};

mq_err mq_store_notify_pending_add(struct mq_db *db, const char *channel_id,
                                   const char *notification_id, const char *digest, int64_t due_at)
{
    struct mq_param p[] = {MQ_P_TEXT(channel_id), MQ_P_TEXT(notification_id), MQ_P_TEXT(digest),
                           MQ_P_INT(due_at)};
    return mq_db_exec(db, &SQL_P_ADD, p, 4, NULL);
}

mq_err mq_store_notify_pending_due(struct mq_db *db, struct mq_arena *a, int64_t now, int limit,
                                   const char ***out, size_t *n)
{
    struct mq_param p[] = {MQ_P_INT(now), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_P_DUE, p, 2, a, mq_read_text, sizeof(**out), 0, out, n);
}

mq_err mq_store_notify_pending_take(struct mq_db *db, struct mq_arena *a, const char *channel_id,
                                    int64_t now, int limit, const char ***out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(channel_id), MQ_P_INT(now), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_P_TAKE, p, 3, a, mq_read_text, sizeof(**out), 0, out, n);
}

/* ---- the delivery log ----------------------------------------------------- */

#define DCOLS                                                                                      \
    "id, message_id, channel_id, user_id, channel_kind, channel_name, event, summary, "            \
    "notifications, attempt, outcome, status, error, duration_ms, test, created_at"

static const struct mq_sql SQL_D_INSERT = {"notification_deliveries.insert",
                                           "INSERT INTO notification_deliveries (" DCOLS
                                           ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
                                           "$10, $11, $12, $13, $14, $15, $16)",
                                           NULL};
static const struct mq_sql SQL_D_LIST = {
    "notification_deliveries.list",
    "SELECT " DCOLS " FROM notification_deliveries WHERE COALESCE(user_id, '') = $1 AND ($2 = '' "
    "OR channel_id = $2) AND ($3 = '' OR id < $3) ORDER BY id DESC LIMIT $4",
    NULL};
static const struct mq_sql SQL_D_PURGE = {
    "notification_deliveries.purge", "DELETE FROM notification_deliveries WHERE created_at < $1",
    NULL};

static void read_delivery(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_notify_delivery_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->message_id = mq_rows_dup(rows, 1, a, oom);
    r->channel_id = mq_rows_dup(rows, 2, a, oom);
    r->user_id = mq_rows_dup(rows, 3, a, oom);
    r->channel_kind = mq_rows_dup(rows, 4, a, oom);
    r->channel_name = mq_rows_dup(rows, 5, a, oom);
    r->event = mq_rows_dup(rows, 6, a, oom);
    r->summary = mq_rows_dup(rows, 7, a, oom);
    r->notifications = (int)mq_rows_int(rows, 8);
    r->attempt = (int)mq_rows_int(rows, 9);
    r->outcome = mq_rows_dup(rows, 10, a, oom);
    r->status = mq_rows_null(rows, 11) ? 0 : (int)mq_rows_int(rows, 11);
    r->error = mq_rows_dup(rows, 12, a, oom);
    r->duration_ms = mq_rows_int(rows, 13);
    r->test = mq_rows_int(rows, 14) != 0;
    r->created_at = mq_rows_int(rows, 15);
}

mq_err mq_store_notify_delivery_insert(struct mq_db *db, const struct mq_notify_delivery_row *r)
{
    struct mq_param p[] = {
        MQ_P_TEXT(r->id),         MQ_P_TEXT(r->message_id),   text_or_null(r->channel_id),
        text_or_null(r->user_id), MQ_P_TEXT(r->channel_kind), MQ_P_TEXT(r->channel_name),
        MQ_P_TEXT(r->event),      MQ_P_TEXT(r->summary),      MQ_P_INT(r->notifications),
        MQ_P_INT(r->attempt),     MQ_P_TEXT(r->outcome),      MQ_P_INT_OR_NULL(r->status),
        text_or_null(r->error),   MQ_P_INT(r->duration_ms),   MQ_P_INT(r->test ? 1 : 0),
        MQ_P_INT(r->created_at)};
    return mq_db_exec(db, &SQL_D_INSERT, p, 16, NULL);
}

mq_err mq_store_notify_deliveries(struct mq_db *db, struct mq_arena *a, const char *owner,
                                  const char *channel_id, const char *before, int limit,
                                  struct mq_notify_delivery_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(owner), MQ_P_TEXT(channel_id ? channel_id : ""),
                           MQ_P_TEXT(before ? before : ""), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_D_LIST, p, 4, a, read_delivery, sizeof(**out), 0, out, n);
}

mq_err mq_store_notify_deliveries_purge(struct mq_db *db, int64_t before, int64_t *deleted)
{
    struct mq_param p[] = {MQ_P_INT(before)};
    return mq_db_exec(db, &SQL_D_PURGE, p, 1, deleted);
}
