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
    const char *target_type;                   /* "library", "user", ...; NULL = any */
    const char *subject_id;                    /* the actor or the target; NULL = any */
    int64_t cursor; /* seq to continue after (ascending) or before (descending); 0 = start */
    bool ascending;
    int limit;
};

MQ_MUST_CHECK mq_err mq_store_audit_list(struct mq_db *db, struct mq_arena *a,
                                         const struct mq_audit_filter *f, struct mq_audit_row *out,
                                         size_t *n);

/* Where the chain starts after a purge: the last purged entry, signed. */
struct mq_audit_checkpoint {
    int64_t seq;                 /* the last purged entry */
    const char *hash;            /* its hash, which the next entry's prev_hash repeats */
    int64_t at;                  /* when the purge ran */
    int64_t purged;              /* entries removed by it */
    const char *kid, *signature; /* Ed25519 over mq_audit_checkpoint_message(), hex */
};

/* The newest entry of the first `limit` older than `before`, never the
 * head (appends need it); *seq is 0 when there is nothing to purge. */
MQ_MUST_CHECK mq_err mq_store_audit_purge_point(struct mq_db *db, struct mq_arena *a,
                                                int64_t before, int limit, int64_t *seq,
                                                const char **hash);
/* Deletes every entry up to and including seq. */
MQ_MUST_CHECK mq_err mq_store_audit_delete_through(struct mq_db *db, int64_t seq, int64_t *deleted);
MQ_MUST_CHECK mq_err mq_store_audit_checkpoint_insert(struct mq_db *db,
                                                      const struct mq_audit_checkpoint *c);
/* The newest checkpoint; MQ_ENOTFOUND when nothing was ever purged. */
MQ_MUST_CHECK mq_err mq_store_audit_checkpoint_latest(struct mq_db *db, struct mq_arena *a,
                                                      struct mq_audit_checkpoint *out);

#endif
