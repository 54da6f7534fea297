#include "store/users.h"

#include <stdio.h>

#define INSERT_COLS                                                                                \
    "id, email, email_key, display_name, password_hash, email_verified_at, "                       \
    "password_changed_at, created_at, updated_at, suspended_at, deleted_at, failed_logins, "       \
    "locked_until"
#define USER_COLS INSERT_COLS ", preferences, avatar, last_login_at, authz_version"

static const struct mq_sql SQL_INSERT = {
    "users.insert",
    "INSERT INTO users (" INSERT_COLS ") "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    NULL};

static const struct mq_sql SQL_BY_EMAIL = {
    "users.by_email", "SELECT " USER_COLS " FROM users WHERE email_key = $1", NULL};

static const struct mq_sql SQL_BY_ID = {"users.by_id",
                                        "SELECT " USER_COLS " FROM users WHERE id = $1", NULL};

static const struct mq_sql SQL_COUNT = {"users.count", "SELECT COUNT(*) FROM users", NULL};

static const struct mq_sql SQL_ADMINS = {
    "users.admins",
    "SELECT COUNT(*) FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'admin' "
    "WHERE u.deleted_at IS NULL AND u.suspended_at IS NULL",
    NULL};

static const struct mq_sql SQL_SET_PASSWORD = {
    "users.set_password",
    "UPDATE users SET password_hash = $2, password_changed_at = $3, updated_at = $3, "
    "failed_logins = 0, locked_until = NULL WHERE id = $1",
    NULL};

static const struct mq_sql SQL_VERIFIED = {
    "users.verified",
    "UPDATE users SET email_verified_at = $3, updated_at = $3 WHERE id = $1 AND email = $2 AND "
    "email_verified_at IS NULL",
    NULL};

static const struct mq_sql SQL_PROFILE = {
    "users.profile",
    "UPDATE users SET display_name = COALESCE($2, display_name), email = COALESCE($3, email), "
    "email_key = COALESCE($4, email_key), email_verified_at = CASE WHEN $3 IS NULL THEN "
    "email_verified_at ELSE NULL END, updated_at = $5 WHERE id = $1",
    "UPDATE users SET display_name = COALESCE($2, display_name), email = COALESCE($3, email), "
    "email_key = COALESCE($4, email_key), email_verified_at = CASE WHEN $3::text IS NULL THEN "
    "email_verified_at ELSE NULL END, updated_at = $5 WHERE id = $1"};

static const struct mq_sql SQL_PREFERENCES = {
    "users.preferences", "UPDATE users SET preferences = $2, updated_at = $3 WHERE id = $1", NULL};

static const struct mq_sql SQL_AVATAR = {
    "users.avatar", "UPDATE users SET avatar = $2, updated_at = $3 WHERE id = $1", NULL};

static const struct mq_sql SQL_DELETE_SOFT = {
    "users.delete_soft",
    "UPDATE users SET deleted_at = $2, updated_at = $2 WHERE id = $1 AND deleted_at IS NULL", NULL};

static const struct mq_sql SQL_RESTORE = {
    "users.restore",
    "UPDATE users SET deleted_at = NULL, updated_at = $2 WHERE id = $1 AND deleted_at IS NOT NULL",
    NULL};

static const struct mq_sql SQL_DELETED_BEFORE = {
    "users.deleted_before",
    "SELECT id, avatar FROM users WHERE deleted_at IS NOT NULL AND deleted_at < $1 ORDER BY "
    "deleted_at LIMIT $2",
    NULL};

static const struct mq_sql SQL_ERASE = {
    "users.erase", "DELETE FROM users WHERE id = $1 AND deleted_at IS NOT NULL", NULL};

static const struct mq_sql SQL_TOKEN_INSERT = {
    "email_tokens.insert",
    "INSERT INTO email_tokens (token_hash, user_id, purpose, email, created_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5, $6)",
    NULL};

/* Single use: the first to mark it used wins. */
static const struct mq_sql SQL_TOKEN_CONSUME = {
    "email_tokens.consume",
    "UPDATE email_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS "
    "NULL AND expires_at > $3 RETURNING user_id, email",
    NULL};

static const struct mq_sql SQL_TOKEN_PEEK = {
    "email_tokens.peek",
    "SELECT user_id, email FROM email_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at "
    "IS NULL AND expires_at > $3",
    NULL};

static const struct mq_sql SQL_TOKEN_DROP = {
    "email_tokens.drop",
    "DELETE FROM email_tokens WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL", NULL};

static const struct mq_sql SQL_TOKEN_PURGE = {
    "email_tokens.purge", "DELETE FROM email_tokens WHERE expires_at < $1", NULL};

/* The admin list: one statement per order, so no SQL is ever assembled.
 * $1 role, $2 status, $3 q (a LIKE pattern), $4/$5 created range, $6 now,
 * $7 whether a cursor follows, $8 its sort key, $9 its id, $10 limit. */
#define LIST_WHERE                                                                                 \
    "(CAST($1 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id "      \
    "AND r.role = $1)) AND ($2 = 0 OR ($2 = 1 AND u.suspended_at IS NULL AND u.deleted_at IS "     \
    "NULL) OR ($2 = 2 AND u.suspended_at IS NOT NULL AND u.deleted_at IS NULL) OR ($2 = 3 AND "    \
    "u.deleted_at IS NOT NULL) OR ($2 = 4 AND u.locked_until > $6)) AND (CAST($3 AS TEXT) IS "     \
    "NULL OR u.email_key LIKE $3 ESCAPE '\\' OR LOWER(u.display_name) LIKE $3 ESCAPE '\\') AND "   \
    "u.created_at >= $4 AND u.created_at < $5"
#define LIST_SQL(name, key, type, cmp, dir)                                                        \
    {                                                                                              \
        name,                                                                                      \
            "SELECT " USER_COLS " FROM users u WHERE " LIST_WHERE " AND ($7 = 0 OR (" key          \
            ", u.id) " cmp " (CAST($8 AS " type "), CAST($9 AS TEXT))) ORDER BY " key " " dir      \
            ", u.id " dir " LIMIT $10",                                                            \
            NULL                                                                                   \
    }
static const struct mq_sql SQL_LIST[3][2] = {
    {LIST_SQL("users.list_created", "u.created_at", "BIGINT", ">", "ASC"),
     LIST_SQL("users.list_created_desc", "u.created_at", "BIGINT", "<", "DESC")},
    {LIST_SQL("users.list_login", "COALESCE(u.last_login_at, 0)", "BIGINT", ">", "ASC"),
     LIST_SQL("users.list_login_desc", "COALESCE(u.last_login_at, 0)", "BIGINT", "<", "DESC")},
    {LIST_SQL("users.list_name", "u.display_name", "TEXT", ">", "ASC"),
     LIST_SQL("users.list_name_desc", "u.display_name", "TEXT", "<", "DESC")},
};
static const struct mq_sql SQL_SUSPEND = {
    "users.suspend",
    "UPDATE users SET suspended_at = $2, updated_at = $3, authz_version = authz_version + 1 "
    "WHERE id = $1",
    NULL};
static const struct mq_sql SQL_DELETE_HARD = {"users.delete_hard",
                                              "DELETE FROM users WHERE id = $1", NULL};

mq_err mq_store_user_insert(struct mq_db *db, const struct mq_user_row *u)
{
    struct mq_param p[] = {MQ_P_TEXT(u->id),
                           MQ_P_TEXT(u->email),
                           MQ_P_TEXT(u->email_key),
                           MQ_P_TEXT(u->display_name),
                           MQ_P_TEXT(u->password_hash),
                           MQ_P_INT_OR_NULL(u->email_verified_at),
                           MQ_P_INT(u->password_changed_at),
                           MQ_P_INT(u->created_at),
                           MQ_P_INT(u->updated_at),
                           MQ_P_INT_OR_NULL(u->suspended_at),
                           MQ_P_INT_OR_NULL(u->deleted_at),
                           MQ_P_INT(u->failed_logins),
                           MQ_P_INT_OR_NULL(u->locked_until)};
    return mq_db_exec(db, &SQL_INSERT, p, 13, NULL);
}

static void read_row(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_user_row *out = dst;
    snprintf(out->id, sizeof(out->id), "%s", mq_rows_text(rows, 0));
    out->email = mq_rows_dup(rows, 1, a, oom);
    out->email_key = mq_rows_dup(rows, 2, a, oom);
    out->display_name = mq_rows_dup(rows, 3, a, oom);
    out->password_hash = mq_rows_dup(rows, 4, a, oom);
    out->email_verified_at = mq_rows_int(rows, 5);
    out->password_changed_at = mq_rows_int(rows, 6);
    out->created_at = mq_rows_int(rows, 7);
    out->updated_at = mq_rows_int(rows, 8);
    out->suspended_at = mq_rows_int(rows, 9);
    out->deleted_at = mq_rows_int(rows, 10);
    out->failed_logins = (int)mq_rows_int(rows, 11);
    out->locked_until = mq_rows_int(rows, 12);
    out->preferences = mq_rows_dup(rows, 13, a, oom);
    out->avatar = mq_rows_dup(rows, 14, a, oom);
    out->last_login_at = mq_rows_int(rows, 15);
    out->authz_version = mq_rows_int(rows, 16);
}

static mq_err read_user(struct mq_db *db, struct mq_arena *a, const struct mq_sql *sql,
                        const char *arg, struct mq_user_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(arg)};
    return mq_db_query_one(db, sql, p, 1, a, read_row, out);
}

static mq_err read_users(struct mq_rows *rows, struct mq_arena *a, struct mq_user_row *out,
                         size_t max, size_t *n)
{
    bool oom = false;
    *n = 0;
    while (*n < max && mq_rows_next(rows)) read_row(rows, a, &out[(*n)++], &oom);
    mq_err err = mq_rows_close(rows);
    return err ? err : oom ? MQ_ENOMEM : MQ_OK;
}

mq_err mq_store_users_list(struct mq_db *db, struct mq_arena *a, const struct mq_user_filter *f,
                           struct mq_user_row *out, size_t *n)
{
    struct mq_rows *rows = NULL;
    bool text_key = f->sort == MQ_SORT_NAME;
    struct mq_param p[] = {f->role ? MQ_P_TEXT(f->role) : MQ_P_NULL,
                           MQ_P_INT(f->status),
                           f->q ? MQ_P_TEXT(f->q) : MQ_P_NULL,
                           MQ_P_INT(f->created_from),
                           MQ_P_INT(f->created_to ? f->created_to : INT64_MAX),
                           MQ_P_INT(f->now),
                           MQ_P_INT(f->after_id ? 1 : 0),
                           text_key ? MQ_P_TEXT(f->after_text ? f->after_text : "")
                                    : MQ_P_INT(f->after_int),
                           MQ_P_TEXT(f->after_id ? f->after_id : ""),
                           MQ_P_INT(f->limit)};
    *n = 0;
    mq_err err = mq_db_query(db, &SQL_LIST[f->sort][f->descending], p, 10, &rows);
    return err ? err : read_users(rows, a, out, (size_t)f->limit, n);
}

mq_err mq_store_user_set_suspended(struct mq_db *db, const char *id, int64_t suspended_at,
                                   int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(id), suspended_at ? MQ_P_INT(suspended_at) : MQ_P_NULL,
                           MQ_P_INT(now)};
    return mq_db_exec_one(db, &SQL_SUSPEND, p, 3);
}

mq_err mq_store_user_delete_hard(struct mq_db *db, const char *id)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_exec_one(db, &SQL_DELETE_HARD, p, 1);
}

static const struct mq_sql SQL_KEYS = {"users.keys", "SELECT id, email_key FROM users", NULL};

mq_err mq_store_user_keys(struct mq_db *db, struct mq_arena *a, struct mq_text_pair **out,
                          size_t *n)
{
    return mq_db_query_list(db, &SQL_KEYS, NULL, 0, a, mq_read_text_pair, sizeof(**out), 0, out, n);
}

mq_err mq_store_user_by_email(struct mq_db *db, struct mq_arena *a, const char *email_key,
                              struct mq_user_row *out)
{
    return read_user(db, a, &SQL_BY_EMAIL, email_key, out);
}

mq_err mq_store_user_by_id(struct mq_db *db, struct mq_arena *a, const char *id,
                           struct mq_user_row *out)
{
    return read_user(db, a, &SQL_BY_ID, id, out);
}

mq_err mq_store_user_count(struct mq_db *db, int64_t *n)
{
    return mq_db_query_int(db, &SQL_COUNT, NULL, 0, n);
}

mq_err mq_store_user_admins(struct mq_db *db, int64_t *n)
{
    return mq_db_query_int(db, &SQL_ADMINS, NULL, 0, n);
}

mq_err mq_store_user_set_password(struct mq_db *db, const char *id, const char *hash, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_TEXT(hash), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_SET_PASSWORD, p, 3, NULL);
}

mq_err mq_store_user_verified(struct mq_db *db, const char *id, const char *email, int64_t now,
                              bool *changed)
{
    bool was_unverified = false;
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_TEXT(email), MQ_P_INT(now)};
    mq_err err = mq_db_exec_changed(db, &SQL_VERIFIED, p, 3, &was_unverified);
    if (changed) *changed = was_unverified;
    return err;
}

mq_err mq_store_user_profile(struct mq_db *db, const char *id, const char *display_name,
                             const char *email, const char *email_key, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(id), display_name ? MQ_P_TEXT(display_name) : MQ_P_NULL,
                           email ? MQ_P_TEXT(email) : MQ_P_NULL,
                           email_key ? MQ_P_TEXT(email_key) : MQ_P_NULL, MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_PROFILE, p, 5, NULL);
}

mq_err mq_store_user_preferences(struct mq_db *db, const char *id, const char *prefs, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_TEXT(prefs), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_PREFERENCES, p, 3, NULL);
}

mq_err mq_store_user_avatar(struct mq_db *db, const char *id, const char *avatar, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(id), avatar ? MQ_P_TEXT(avatar) : MQ_P_NULL, MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_AVATAR, p, 3, NULL);
}

mq_err mq_store_user_delete_soft(struct mq_db *db, const char *id, int64_t now, bool *deleted)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_INT(now)};
    return mq_db_exec_changed(db, &SQL_DELETE_SOFT, p, 2, deleted);
}

mq_err mq_store_user_restore(struct mq_db *db, const char *id, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_RESTORE, p, 2, NULL);
}

mq_err mq_store_users_deleted_before(struct mq_db *db, struct mq_arena *a, int64_t before,
                                     int limit, struct mq_deleted_user *out, size_t *n)
{
    struct mq_rows *rows = NULL;
    struct mq_param p[] = {MQ_P_INT(before), MQ_P_INT(limit)};
    bool oom = false;
    *n = 0;
    mq_err err = mq_db_query(db, &SQL_DELETED_BEFORE, p, 2, &rows);
    if (err) return err;
    while (*n < (size_t)limit && mq_rows_next(rows)) {
        snprintf(out[*n].id, sizeof(out[*n].id), "%s", mq_rows_text(rows, 0));
        out[*n].avatar = mq_rows_dup(rows, 1, a, &oom);
        (*n)++;
    }
    err = mq_rows_close(rows);
    return err ? err : oom ? MQ_ENOMEM : MQ_OK;
}

mq_err mq_store_user_erase(struct mq_db *db, const char *id)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_exec(db, &SQL_ERASE, p, 1, NULL);
}

mq_err mq_store_email_token_insert(struct mq_db *db, const struct mq_email_token *t)
{
    struct mq_param p[] = {MQ_P_TEXT(t->token_hash), MQ_P_TEXT(t->user_id),
                           MQ_P_TEXT(t->purpose),    MQ_P_TEXT(t->email),
                           MQ_P_INT(t->created_at),  MQ_P_INT(t->expires_at)};
    return mq_db_exec(db, &SQL_TOKEN_INSERT, p, 6, NULL);
}

static mq_err token_lookup(struct mq_db *db, struct mq_arena *a, const struct mq_sql *sql,
                           const char *token_hash, const char *purpose, int64_t now,
                           const char **user_id, const char **email)
{
    struct mq_text_pair t; /* user id, address */
    struct mq_param p[] = {MQ_P_TEXT(token_hash), MQ_P_TEXT(purpose), MQ_P_INT(now)};
    mq_err err = mq_db_query_one(db, sql, p, 3, a, mq_read_text_pair, &t);
    if (err) return err;
    *user_id = t.first;
    *email = t.second;
    return MQ_OK;
}

mq_err mq_store_email_token_consume(struct mq_db *db, struct mq_arena *a, const char *token_hash,
                                    const char *purpose, int64_t now, const char **user_id,
                                    const char **email)
{
    return token_lookup(db, a, &SQL_TOKEN_CONSUME, token_hash, purpose, now, user_id, email);
}

mq_err mq_store_email_token_peek(struct mq_db *db, struct mq_arena *a, const char *token_hash,
                                 const char *purpose, int64_t now, const char **user_id,
                                 const char **email)
{
    return token_lookup(db, a, &SQL_TOKEN_PEEK, token_hash, purpose, now, user_id, email);
}

mq_err mq_store_email_tokens_drop(struct mq_db *db, const char *user_id, const char *purpose)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(purpose)};
    return mq_db_exec(db, &SQL_TOKEN_DROP, p, 2, NULL);
}

mq_err mq_store_email_tokens_purge(struct mq_db *db, int64_t before, int64_t *deleted)
{
    struct mq_param p[] = {MQ_P_INT(before)};
    return mq_db_exec(db, &SQL_TOKEN_PURGE, p, 1, deleted);
}

static const struct mq_sql SQL_ACTIVE_IDS = {
    "users.active_ids",
    "SELECT id FROM users WHERE deleted_at IS NULL AND suspended_at IS NULL ORDER BY id", NULL};

mq_err mq_store_users_active_ids(struct mq_db *db, struct mq_arena *a, const char ***ids, size_t *n)
{
    return mq_db_query_list(db, &SQL_ACTIVE_IDS, NULL, 0, a, mq_read_text, sizeof(**ids), 0, ids,
                            n);
}
