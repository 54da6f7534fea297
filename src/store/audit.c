#include "store/audit.h"

#include <stdint.h>
#include <string.h>

#define AUDIT_COLS                                                                                 \
    "seq, id, at, action, actor_kind, actor_id, target_type, target_id, ip, user_agent, "          \
    "request_id, details, prev_hash, hash"

/* "audit" in ASCII: any constant distinct from the migrations' lock. */
static const struct mq_sql SQL_LOCK = {"audit.lock", "SELECT pg_advisory_xact_lock(418581981556)",
                                       NULL};

static const struct mq_sql SQL_HEAD = {
    "audit.head", "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", NULL};

static const struct mq_sql SQL_PURGE_POINT = {
    "audit.purge_point",
    "SELECT seq, hash FROM audit_log WHERE seq = (SELECT MAX(seq) FROM (SELECT seq FROM audit_log "
    "WHERE at < $1 AND seq < (SELECT MAX(seq) FROM audit_log) ORDER BY seq LIMIT $2) old)",
    NULL};

static const struct mq_sql SQL_DELETE_THROUGH = {"audit.delete_through",
                                                 "DELETE FROM audit_log WHERE seq <= $1", NULL};

static const struct mq_sql SQL_CHECKPOINT_INSERT = {
    "audit.checkpoint_insert",
    "INSERT INTO audit_checkpoints (seq, hash, at, purged, kid, signature) "
    "VALUES ($1, $2, $3, $4, $5, $6)",
    NULL};

static const struct mq_sql SQL_CHECKPOINT_LATEST = {
    "audit.checkpoint_latest",
    "SELECT seq, hash, at, purged, kid, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1",
    NULL};

static const struct mq_sql SQL_INSERT = {
    "audit.insert",
    "INSERT INTO audit_log (" AUDIT_COLS ") "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    NULL,
};

#define AUDIT_WHERE                                                                                \
    "at >= $2 AND at < $3 AND ($4 = '' OR action = $4) AND ($5 = '' OR actor_id = $5) "            \
    "AND ($6 = '' OR target_id = $6) AND ($8 = '' OR actor_id = $8 OR target_id = $8) "            \
    "AND ($9 = '' OR target_type = $9)"

static const struct mq_sql SQL_LIST_DESC = {"audit.list_desc",
                                            "SELECT " AUDIT_COLS
                                            " FROM audit_log WHERE seq < $1 AND " AUDIT_WHERE
                                            " ORDER BY seq DESC LIMIT $7",
                                            NULL};

static const struct mq_sql SQL_LIST_ASC = {
    "audit.list_asc",
    "SELECT " AUDIT_COLS " FROM audit_log WHERE seq > $1 AND " AUDIT_WHERE " ORDER BY seq LIMIT $7",
    NULL};

mq_err mq_store_audit_lock(struct mq_db *db)
{
    struct mq_rows *rows = NULL;
    if (mq_db_backend(db) != MQ_STORE_POSTGRES) return MQ_OK;
    mq_err err = mq_db_query(db, &SQL_LOCK, NULL, 0, &rows);
    return err ? err : mq_rows_close(rows);
}

struct position {
    int64_t seq;
    const char *hash;
};

static void read_position(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct position *out = dst;
    out->seq = mq_rows_int(rows, 0);
    out->hash = mq_rows_dup(rows, 1, a, oom);
}

/* The entry a query names, by sequence number and hash; 0 and NULL when it
 * names none (an empty log). */
static mq_err position(struct mq_db *db, const struct mq_sql *sql, const struct mq_param *p,
                       size_t n, struct mq_arena *a, int64_t *seq, const char **hash)
{
    struct position at = {0, NULL};
    mq_err err = mq_db_query_one(db, sql, p, n, a, read_position, &at);
    if (err && err != MQ_ENOTFOUND) return err;
    *seq = at.seq;
    *hash = at.hash;
    return MQ_OK;
}

mq_err mq_store_audit_head(struct mq_db *db, struct mq_arena *a, int64_t *seq, const char **hash)
{
    return position(db, &SQL_HEAD, NULL, 0, a, seq, hash);
}

mq_err mq_store_audit_insert(struct mq_db *db, const struct mq_audit_row *r)
{
    struct mq_param p[] = {
        MQ_P_INT(r->seq),          MQ_P_TEXT(r->id),         MQ_P_INT(r->at),
        MQ_P_TEXT(r->action),      MQ_P_TEXT(r->actor_kind), MQ_P_TEXT(r->actor_id),
        MQ_P_TEXT(r->target_type), MQ_P_TEXT(r->target_id),  MQ_P_TEXT(r->ip),
        MQ_P_TEXT(r->user_agent),  MQ_P_TEXT(r->request_id), MQ_P_TEXT(r->details),
        MQ_P_TEXT(r->prev_hash),   MQ_P_TEXT(r->hash),
    };
    return mq_db_exec(db, &SQL_INSERT, p, 14, NULL);
}

mq_err mq_store_audit_list(struct mq_db *db, struct mq_arena *a, const struct mq_audit_filter *f,
                           struct mq_audit_row *out, size_t *n)
{
    struct mq_rows *rows = NULL;
    bool oom = false;
    int64_t cursor = f->cursor ? f->cursor : (f->ascending ? 0 : INT64_MAX);
    struct mq_param p[] = {MQ_P_INT(cursor),
                           MQ_P_INT(f->from_ms),
                           MQ_P_INT(f->to_ms ? f->to_ms : INT64_MAX),
                           MQ_P_TEXT(f->action ? f->action : ""),
                           MQ_P_TEXT(f->actor_id ? f->actor_id : ""),
                           MQ_P_TEXT(f->target_id ? f->target_id : ""),
                           MQ_P_INT(f->limit),
                           MQ_P_TEXT(f->subject_id ? f->subject_id : ""),
                           MQ_P_TEXT(f->target_type ? f->target_type : "")};
    mq_err err = mq_db_query(db, f->ascending ? &SQL_LIST_ASC : &SQL_LIST_DESC, p, 9, &rows);
    if (err) return err;
    *n = 0;
    while (*n < (size_t)f->limit && mq_rows_next(rows)) {
        struct mq_audit_row *r = &out[(*n)++];
        r->seq = mq_rows_int(rows, 0);
        r->id = mq_rows_dup(rows, 1, a, &oom);
        r->at = mq_rows_int(rows, 2);
        r->action = mq_rows_dup(rows, 3, a, &oom);
        r->actor_kind = mq_rows_dup(rows, 4, a, &oom);
        r->actor_id = mq_rows_dup(rows, 5, a, &oom);
        r->target_type = mq_rows_dup(rows, 6, a, &oom);
        r->target_id = mq_rows_dup(rows, 7, a, &oom);
        r->ip = mq_rows_dup(rows, 8, a, &oom);
        r->user_agent = mq_rows_dup(rows, 9, a, &oom);
        r->request_id = mq_rows_dup(rows, 10, a, &oom);
        r->details = mq_rows_dup(rows, 11, a, &oom);
        r->prev_hash = mq_rows_dup(rows, 12, a, &oom);
        r->hash = mq_rows_dup(rows, 13, a, &oom);
    }
    err = mq_rows_close(rows);
    return err ? err : oom ? MQ_ENOMEM : MQ_OK;
}

mq_err mq_store_audit_purge_point(struct mq_db *db, struct mq_arena *a, int64_t before, int limit,
                                  int64_t *seq, const char **hash)
{
    struct mq_param p[] = {MQ_P_INT(before), MQ_P_INT(limit)};
    return position(db, &SQL_PURGE_POINT, p, 2, a, seq, hash);
}

mq_err mq_store_audit_delete_through(struct mq_db *db, int64_t seq, int64_t *deleted)
{
    struct mq_param p[] = {MQ_P_INT(seq)};
    return mq_db_exec(db, &SQL_DELETE_THROUGH, p, 1, deleted);
}

mq_err mq_store_audit_checkpoint_insert(struct mq_db *db, const struct mq_audit_checkpoint *c)
{
    struct mq_param p[] = {MQ_P_INT(c->seq),    MQ_P_TEXT(c->hash), MQ_P_INT(c->at),
                           MQ_P_INT(c->purged), MQ_P_TEXT(c->kid),  MQ_P_TEXT(c->signature)};
    return mq_db_exec(db, &SQL_CHECKPOINT_INSERT, p, 6, NULL);
}

static void read_checkpoint(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_audit_checkpoint *out = dst;
    out->seq = mq_rows_int(rows, 0);
    out->hash = mq_rows_dup(rows, 1, a, oom);
    out->at = mq_rows_int(rows, 2);
    out->purged = mq_rows_int(rows, 3);
    out->kid = mq_rows_dup(rows, 4, a, oom);
    out->signature = mq_rows_dup(rows, 5, a, oom);
}

mq_err mq_store_audit_checkpoint_latest(struct mq_db *db, struct mq_arena *a,
                                        struct mq_audit_checkpoint *out)
{
    return mq_db_query_one(db, &SQL_CHECKPOINT_LATEST, NULL, 0, a, read_checkpoint, out);
}
