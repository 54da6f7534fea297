#include "store/invites.h"

#define COLS "id, code_hash, email_key, role, created_by, used_by, created_at, expires_at, used_at"

static const struct mq_sql SQL_INSERT = {
    "invites.insert",
    "INSERT INTO invites (id, code_hash, email_key, role, created_by, created_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)",
    NULL};

static const struct mq_sql SQL_BY_CODE = {
    "invites.by_code", "SELECT " COLS " FROM invites WHERE code_hash = $1", NULL};

static const struct mq_sql SQL_USE = {
    "invites.use",
    "UPDATE invites SET used_at = $3, used_by = $2, email_key = NULL "
    "WHERE id = $1 AND used_at IS NULL AND expires_at > $3",
    NULL};

static const struct mq_sql SQL_LIST = {
    "invites.list",
    "SELECT " COLS " FROM invites WHERE ($1 = '' OR id < $1) ORDER BY id DESC LIMIT $2", NULL};

static const struct mq_sql SQL_DELETE = {"invites.delete", "DELETE FROM invites WHERE id = $1",
                                         NULL};

static void read_row(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_invite_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->code_hash = mq_rows_dup(rows, 1, a, oom);
    r->email_key = mq_rows_null(rows, 2) ? NULL : mq_rows_dup(rows, 2, a, oom);
    r->role = mq_rows_dup(rows, 3, a, oom);
    r->created_by = mq_rows_null(rows, 4) ? NULL : mq_rows_dup(rows, 4, a, oom);
    r->used_by = mq_rows_null(rows, 5) ? NULL : mq_rows_dup(rows, 5, a, oom);
    r->created_at = mq_rows_int(rows, 6);
    r->expires_at = mq_rows_int(rows, 7);
    r->used_at = mq_rows_null(rows, 8) ? 0 : mq_rows_int(rows, 8);
}

mq_err mq_store_invite_insert(struct mq_db *db, const struct mq_invite_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id),         MQ_P_TEXT(r->code_hash),
                           MQ_P_TEXT(r->email_key),  MQ_P_TEXT(r->role),
                           MQ_P_TEXT(r->created_by), MQ_P_INT(r->created_at),
                           MQ_P_INT(r->expires_at)};
    return mq_db_exec(db, &SQL_INSERT, p, 7, NULL);
}

mq_err mq_store_invite_by_code(struct mq_db *db, struct mq_arena *a, const char *code_hash,
                               struct mq_invite_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(code_hash)};
    return mq_db_query_one(db, &SQL_BY_CODE, p, 1, a, read_row, out);
}

mq_err mq_store_invite_use(struct mq_db *db, const char *id, const char *user_id, int64_t now,
                           bool *used)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_TEXT(user_id), MQ_P_INT(now)};
    return mq_db_exec_changed(db, &SQL_USE, p, 3, used);
}

mq_err mq_store_invites_list(struct mq_db *db, struct mq_arena *a, const char *before, int limit,
                             struct mq_invite_row *out, size_t *n)
{
    struct mq_rows *rows = NULL;
    bool oom = false;
    struct mq_param p[] = {MQ_P_TEXT(before), MQ_P_INT(limit)};
    *n = 0;
    mq_err err = mq_db_query(db, &SQL_LIST, p, 2, &rows);
    if (err) return err;
    while (*n < (size_t)limit && mq_rows_next(rows)) read_row(rows, a, &out[(*n)++], &oom);
    err = mq_rows_close(rows);
    return err ? err : oom ? MQ_ENOMEM : MQ_OK;
}

mq_err mq_store_invite_delete(struct mq_db *db, const char *id, bool *removed)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_exec_changed(db, &SQL_DELETE, p, 1, removed);
}
