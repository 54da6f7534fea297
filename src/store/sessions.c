#include "store/sessions.h"

#define SESSION_COLS                                                                               \
    "id, user_id, created_at, last_seen_at, idle_expires_at, expires_at, revoked_at, ip, "         \
    "user_agent, device_name, mfa_method, mfa_verified_at, auth_at, enrol_only, actor_id"

static const struct mq_sql SQL_INSERT = {
    "sessions.insert",
    "INSERT INTO sessions (" SESSION_COLS
    ") VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $10, $11, $12, $13, $14)",
    NULL};
static const struct mq_sql SQL_SEEN = {
    "sessions.seen",
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN ip = $2 THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN user_agent = $3 THEN 1 ELSE 0 END), 0) FROM sessions WHERE "
    "user_id = $1 AND actor_id IS NULL",
    NULL};
static const struct mq_sql SQL_GET = {"sessions.get",
                                      "SELECT " SESSION_COLS " FROM sessions WHERE id = $1", NULL};
static const struct mq_sql SQL_REVOKE = {
    "sessions.revoke",
    "UPDATE sessions SET revoked_at = $2, revoke_reason = $3 WHERE id = $1 AND revoked_at IS NULL",
    NULL};
static const struct mq_sql SQL_LIST = {
    "sessions.list",
    "SELECT " SESSION_COLS " FROM sessions WHERE user_id = $1 AND revoked_at IS NULL "
    "AND expires_at > $2 AND idle_expires_at > $2 AND id < $3 ORDER BY id DESC LIMIT $4",
    NULL};
static const struct mq_sql SQL_REVOKE_OTHERS = {
    "sessions.revoke_others",
    "UPDATE sessions SET revoked_at = $3, revoke_reason = $4 WHERE user_id = $1 AND id <> $2 "
    "AND revoked_at IS NULL",
    NULL};
static const struct mq_sql SQL_TOUCH = {
    "sessions.touch", "UPDATE sessions SET last_seen_at = $2, idle_expires_at = $3 WHERE id = $1",
    NULL};
static const struct mq_sql SQL_TRIM = {
    "sessions.trim",
    "UPDATE sessions SET revoked_at = $2, revoke_reason = 'session_limit' WHERE id IN "
    "(SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 "
    "ORDER BY created_at DESC, id DESC LIMIT 100000 OFFSET $3)",
    NULL};
static const struct mq_sql SQL_ACTIVE = {
    "sessions.active",
    "SELECT u.authz_version, s.mfa_method, s.auth_at, s.enrol_only, s.actor_id FROM sessions s "
    "JOIN users u ON u.id = "
    "s.user_id WHERE s.id = $1 "
    "AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3 "
    "AND s.idle_expires_at > $3 AND u.suspended_at IS NULL AND u.deleted_at IS NULL",
    NULL};
static const struct mq_sql SQL_REHASH = {
    "users.rehash", "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1", NULL};
static const struct mq_sql SQL_MFA = {
    "sessions.mfa",
    "UPDATE sessions SET mfa_method = $2, mfa_verified_at = $3, auth_at = $3, enrol_only = 0 "
    "WHERE id = $1",
    NULL};
static const struct mq_sql SQL_REAUTH = {"sessions.reauth",
                                         "UPDATE sessions SET auth_at = $2 WHERE id = $1", NULL};
static const struct mq_sql SQL_REFRESH_INSERT = {
    "refresh.insert",
    "INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)", NULL};
static const struct mq_sql SQL_REFRESH_GET = {
    "refresh.get", "SELECT session_id, rotated_at FROM refresh_tokens WHERE token_hash = $1", NULL};
static const struct mq_sql SQL_REFRESH_ROTATE = {
    "refresh.rotate",
    "UPDATE refresh_tokens SET rotated_at = $2 WHERE token_hash = $1 AND rotated_at IS NULL", NULL};
static const struct mq_sql SQL_LOGIN_FAILED = {
    "users.login_failed",
    "UPDATE users SET failed_logins = failed_logins + 1, updated_at = $4, locked_until = CASE "
    "WHEN failed_logins + 1 >= $2 THEN CAST($3 AS BIGINT) ELSE locked_until END WHERE id = $1",
    NULL};
static const struct mq_sql SQL_FAILURES = {
    "users.failures", "SELECT failed_logins, locked_until FROM users WHERE id = $1", NULL};
static const struct mq_sql SQL_LOGIN_OK = {
    "users.login_ok",
    "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $3, updated_at = $3, "
    "password_hash = COALESCE($2, password_hash) WHERE id = $1",
    NULL};

static void read_session(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_session_row *out = dst;
    out->id = mq_rows_dup(rows, 0, a, oom);
    out->user_id = mq_rows_dup(rows, 1, a, oom);
    out->created_at = mq_rows_int(rows, 2);
    out->last_seen_at = mq_rows_int(rows, 3);
    out->idle_expires_at = mq_rows_int(rows, 4);
    out->expires_at = mq_rows_int(rows, 5);
    out->revoked_at = mq_rows_int(rows, 6);
    out->ip = mq_rows_dup(rows, 7, a, oom);
    out->user_agent = mq_rows_dup(rows, 8, a, oom);
    out->device_name = mq_rows_dup(rows, 9, a, oom);
    out->mfa_method = mq_rows_dup(rows, 10, a, oom);
    out->mfa_verified_at = mq_rows_int(rows, 11);
    out->auth_at = mq_rows_int(rows, 12);
    out->enrol_only = mq_rows_int(rows, 13) != 0;
    out->actor_id = mq_rows_dup(rows, 14, a, oom);
}

static void read_seen(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_session_seen *s = dst;
    (void)a;
    (void)oom;
    s->any = mq_rows_int(rows, 0) > 0;
    s->address = mq_rows_int(rows, 1) > 0;
    s->device = mq_rows_int(rows, 2) > 0;
}

mq_err mq_store_sessions_seen(struct mq_db *db, const char *user_id, const char *ip,
                              const char *user_agent, struct mq_session_seen *out)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(ip ? ip : ""),
                           MQ_P_TEXT(user_agent ? user_agent : "")};
    *out = (struct mq_session_seen){0};
    mq_err err = mq_db_query_one(db, &SQL_SEEN, p, 3, NULL, read_seen, out);
    return err == MQ_ENOTFOUND ? MQ_OK : err;
}

mq_err mq_store_session_insert(struct mq_db *db, const struct mq_session_row *s)
{
    struct mq_param p[] = {MQ_P_TEXT(s->id),
                           MQ_P_TEXT(s->user_id),
                           MQ_P_INT(s->created_at),
                           MQ_P_INT(s->last_seen_at),
                           MQ_P_INT(s->idle_expires_at),
                           MQ_P_INT(s->expires_at),
                           MQ_P_TEXT(s->ip),
                           MQ_P_TEXT(s->user_agent),
                           MQ_P_TEXT(s->device_name),
                           s->mfa_method ? MQ_P_TEXT(s->mfa_method) : MQ_P_NULL,
                           s->mfa_verified_at ? MQ_P_INT(s->mfa_verified_at) : MQ_P_NULL,
                           MQ_P_INT(s->auth_at),
                           MQ_P_INT(s->enrol_only ? 1 : 0),
                           s->actor_id ? MQ_P_TEXT(s->actor_id) : MQ_P_NULL};
    return mq_db_exec(db, &SQL_INSERT, p, 14, NULL);
}

mq_err mq_store_session_get(struct mq_db *db, struct mq_arena *a, const char *id,
                            struct mq_session_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_query_one(db, &SQL_GET, p, 1, a, read_session, out);
}

mq_err mq_store_sessions_list(struct mq_db *db, struct mq_arena *a, const char *user_id,
                              int64_t now, const char *before_id, int limit,
                              struct mq_session_row **out, size_t *n)
{
    /* "g" sorts after every hex id: no cursor means from the newest. */
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_INT(now),
                           MQ_P_TEXT(before_id ? before_id : "g"), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_LIST, p, 4, a, read_session, sizeof(**out), (size_t)limit, out,
                            n);
}

mq_err mq_store_sessions_revoke_others(struct mq_db *db, const char *user_id, const char *keep,
                                       int64_t now, const char *reason, int64_t *ended)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(keep ? keep : ""), MQ_P_INT(now),
                           MQ_P_TEXT(reason)};
    return mq_db_exec(db, &SQL_REVOKE_OTHERS, p, 4, ended);
}

mq_err mq_store_session_revoke(struct mq_db *db, const char *id, int64_t now, const char *reason,
                               bool *ended)
{
    bool changed = false;
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_INT(now), MQ_P_TEXT(reason)};
    mq_err err = mq_db_exec_changed(db, &SQL_REVOKE, p, 3, &changed);
    if (ended) *ended = changed;
    return err;
}

mq_err mq_store_session_touch(struct mq_db *db, const char *id, int64_t now,
                              int64_t idle_expires_at)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_INT(now), MQ_P_INT(idle_expires_at)};
    return mq_db_exec(db, &SQL_TOUCH, p, 3, NULL);
}

mq_err mq_store_sessions_trim(struct mq_db *db, const char *user_id, int64_t now, int keep,
                              int64_t *ended)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_INT(now), MQ_P_INT(keep)};
    return mq_db_exec(db, &SQL_TRIM, p, 3, ended);
}

static void read_auth(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_session_auth *out = dst;
    out->authz_version = mq_rows_int(rows, 0);
    out->mfa_method = mq_rows_dup(rows, 1, a, oom);
    out->auth_at = mq_rows_int(rows, 2);
    out->enrol_only = mq_rows_int(rows, 3) != 0;
    out->actor_id = mq_rows_dup(rows, 4, a, oom);
}

mq_err mq_store_session_active(struct mq_db *db, struct mq_arena *a, const char *session_id,
                               const char *user_id, int64_t now, struct mq_session_auth *out)
{
    struct mq_param p[] = {MQ_P_TEXT(session_id), MQ_P_TEXT(user_id), MQ_P_INT(now)};
    return mq_db_query_one(db, &SQL_ACTIVE, p, 3, a, read_auth, out);
}

mq_err mq_store_refresh_insert(struct mq_db *db, const char *hash, const char *session_id,
                               int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(hash), MQ_P_TEXT(session_id), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_REFRESH_INSERT, p, 3, NULL);
}

struct refresh_row {
    const char *session_id;
    int64_t rotated_at;
};

static void read_refresh(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct refresh_row *out = dst;
    out->session_id = mq_rows_dup(rows, 0, a, oom);
    out->rotated_at = mq_rows_int(rows, 1);
}

mq_err mq_store_refresh_get(struct mq_db *db, struct mq_arena *a, const char *hash,
                            const char **session_id, int64_t *rotated_at)
{
    struct refresh_row r;
    struct mq_param p[] = {MQ_P_TEXT(hash)};
    mq_err err = mq_db_query_one(db, &SQL_REFRESH_GET, p, 1, a, read_refresh, &r);
    if (err) return err;
    *session_id = r.session_id;
    *rotated_at = r.rotated_at;
    return MQ_OK;
}

mq_err mq_store_refresh_rotate(struct mq_db *db, const char *hash, int64_t now, bool *won)
{
    struct mq_param p[] = {MQ_P_TEXT(hash), MQ_P_INT(now)};
    return mq_db_exec_changed(db, &SQL_REFRESH_ROTATE, p, 2, won);
}

mq_err mq_store_user_login_failed(struct mq_db *db, const char *user_id, int threshold,
                                  int64_t lock_until, int64_t now, int *failures, bool *locked)
{
    struct mq_rows *rows = NULL;
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_INT(threshold), MQ_P_INT(lock_until),
                           MQ_P_INT(now)};
    mq_err err = mq_db_exec(db, &SQL_LOGIN_FAILED, p, 4, NULL);
    if (err) return err;
    struct mq_param q[] = {MQ_P_TEXT(user_id)};
    err = mq_db_query(db, &SQL_FAILURES, q, 1, &rows);
    if (err) return err;
    *failures = 0;
    *locked = false;
    if (mq_rows_next(rows)) {
        *failures = (int)mq_rows_int(rows, 0);
        *locked = mq_rows_int(rows, 1) == lock_until && *failures == threshold;
    }
    return mq_rows_close(rows);
}

mq_err mq_store_user_login_ok(struct mq_db *db, const char *user_id, const char *new_hash,
                              int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(new_hash), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_LOGIN_OK, p, 3, NULL);
}

mq_err mq_store_session_mfa(struct mq_db *db, const char *id, const char *method, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_TEXT(method), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_MFA, p, 3, NULL);
}

mq_err mq_store_session_reauth(struct mq_db *db, const char *id, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_REAUTH, p, 2, NULL);
}

mq_err mq_store_user_rehash(struct mq_db *db, const char *user_id, const char *new_hash,
                            int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(new_hash), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_REHASH, p, 3, NULL);
}
