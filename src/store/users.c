#include "store/users.h"

#include <stdio.h>

#define USER_COLS                                                                                  \
    "id, email, email_key, display_name, password_hash, role, email_verified_at, "                 \
    "password_changed_at, created_at, updated_at, suspended_at, deleted_at, failed_logins, "       \
    "locked_until"

static const struct mq_sql SQL_INSERT = {
    "users.insert",
    "INSERT INTO users (" USER_COLS ") "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    NULL};

static const struct mq_sql SQL_BY_EMAIL = {
    "users.by_email", "SELECT " USER_COLS " FROM users WHERE email_key = $1", NULL};

static const struct mq_sql SQL_BY_ID = {"users.by_id",
                                        "SELECT " USER_COLS " FROM users WHERE id = $1", NULL};

static const struct mq_sql SQL_COUNT = {"users.count", "SELECT COUNT(*) FROM users", NULL};

static struct mq_param int_or_null(int64_t v)
{
    return v ? MQ_P_INT(v) : MQ_P_NULL;
}

mq_err mq_store_user_insert(struct mq_db *db, const struct mq_user_row *u)
{
    struct mq_param p[] = {MQ_P_TEXT(u->id),
                           MQ_P_TEXT(u->email),
                           MQ_P_TEXT(u->email_key),
                           MQ_P_TEXT(u->display_name),
                           MQ_P_TEXT(u->password_hash),
                           MQ_P_TEXT(u->role),
                           int_or_null(u->email_verified_at),
                           MQ_P_INT(u->password_changed_at),
                           MQ_P_INT(u->created_at),
                           MQ_P_INT(u->updated_at),
                           int_or_null(u->suspended_at),
                           int_or_null(u->deleted_at),
                           MQ_P_INT(u->failed_logins),
                           int_or_null(u->locked_until)};
    return mq_db_exec(db, &SQL_INSERT, p, 14, NULL);
}

static mq_err read_user(struct mq_db *db, struct mq_arena *a, const struct mq_sql *sql,
                        const char *arg, struct mq_user_row *out)
{
    struct mq_rows *rows = NULL;
    struct mq_param p[] = {MQ_P_TEXT(arg)};
    bool oom = false;
    mq_err err = mq_db_query(db, sql, p, 1, &rows);
    if (err) return err;
    err = MQ_ENOTFOUND;
    if (mq_rows_next(rows)) {
        snprintf(out->id, sizeof(out->id), "%s", mq_rows_text(rows, 0));
        out->email = mq_rows_dup(rows, 1, a, &oom);
        out->email_key = mq_rows_dup(rows, 2, a, &oom);
        out->display_name = mq_rows_dup(rows, 3, a, &oom);
        out->password_hash = mq_rows_dup(rows, 4, a, &oom);
        out->role = mq_rows_dup(rows, 5, a, &oom);
        out->email_verified_at = mq_rows_int(rows, 6);
        out->password_changed_at = mq_rows_int(rows, 7);
        out->created_at = mq_rows_int(rows, 8);
        out->updated_at = mq_rows_int(rows, 9);
        out->suspended_at = mq_rows_int(rows, 10);
        out->deleted_at = mq_rows_int(rows, 11);
        out->failed_logins = (int)mq_rows_int(rows, 12);
        out->locked_until = mq_rows_int(rows, 13);
        err = oom ? MQ_ENOMEM : MQ_OK;
    }
    mq_err cerr = mq_rows_close(rows);
    return cerr ? cerr : err;
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
    struct mq_rows *rows = NULL;
    mq_err err = mq_db_query(db, &SQL_COUNT, NULL, 0, &rows);
    if (err) return err;
    *n = mq_rows_next(rows) ? mq_rows_int(rows, 0) : 0;
    return mq_rows_close(rows);
}
