/* audit.h - statements of the audit log (table audit_log). The chain rules
 * live in src/audit/. */
#ifndef MQ_STORE_AUDIT_H
#define MQ_STORE_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct mq_audit_row {
    int64_t seq;
    const char *id;
    int64_t at;
    const char *action, *actor_kind;
    const char *actor_id, *target_type, *target_id, *ip, *user_agent, *request_id; /* or NULL */
    const char *details;                                                           /* JSON */
    const char *prev_hash, *hash;
};

/* Serialises appenders across instances (PostgreSQL advisory lock; SQLite's
 * single writer already does). Call first in the write transaction. */
MQ_MUST_CHECK mq_err mq_store_audit_lock(struct mq_db *db);
/* The last entry's seq and hash; 0 and NULL when the log is empty. */
MQ_MUST_CHECK mq_err mq_store_audit_head(struct mq_db *db, struct mq_arena *a, int64_t *seq,
                                         const char **hash);
MQ_MUST_CHECK mq_err mq_store_audit_insert(struct mq_db *db, const struct mq_audit_row *r);

struct mq_audit_filter {
    int64_t from_ms, to_ms;                    /* at in [from, to); 0 = open */
    const char *action, *actor_id, *target_id; /* NULL = any */
    int64_t cursor; /* seq to continue after (ascending) or before (descending); 0 = start */
    bool ascending;
    int limit;
};

MQ_MUST_CHECK mq_err mq_store_audit_list(struct mq_db *db, struct mq_arena *a,
                                         const struct mq_audit_filter *f, struct mq_audit_row *out,
                                         size_t *n);

#endif
