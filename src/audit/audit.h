/* audit.h - the audit log: who did what to whom, from where, when.
 *
 * Append-only and tamper-evident: entry n carries hash(n) =
 * SHA-256(hash(n-1) ‖ entry n), over an unambiguous length-prefixed
 * encoding, so that editing, removing or reordering an entry breaks every
 * link after it; `marquee audit verify` finds the first broken one.
 *
 * Recording never waits for the database: events go to a bounded queue
 * that a writer thread appends in batches (one transaction each, holding the
 * chain head, so several instances interleave correctly). A database that
 * is away delays entries, it does not lose them; mq_audit_stop() writes what
 * is queued. Details never hold secrets: callers pass only what they chose. */
#ifndef MQ_AUDIT_H
#define MQ_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/ctx.h"
#include "store/audit.h"

struct mq_audit;

struct mq_audit_event {
    const char *action;     /* "admin.auth_failed", "job.retry", ... */
    const char *actor_kind; /* "anonymous", "admin_token", "cli", "user", "system" */
    const char *actor_id;   /* or NULL */
    const char *target_type, *target_id;
    const char *ip, *user_agent, *request_id;
    json_t *details; /* an object, borrowed; NULL = {} */
};

MQ_MUST_CHECK mq_err mq_audit_start(struct mq_ctx *ctx, struct mq_audit **out);
/* Writes what is queued (trying for up to timeout_s), then stops. */
void mq_audit_stop(struct mq_audit *a, int timeout_s);

/* Queues an event; copies everything. Accepts a NULL writer (no audit). */
void mq_audit_record(struct mq_audit *a, const struct mq_audit_event *e);

/* Records an event anyone can cause at will (a refused request, a wrong
 * admin token) folded with its like, so that a flood of them cannot fill
 * the disk or drown the real entries: the first of an action and `key` in a
 * window opens an entry, the rest of the window only counts, and the entry
 * is written when the window closes (or at stop) with "count", "first_at"
 * and "last_at" added to its details. At most 1,024 keys fold at once;
 * beyond, events fold under the key "*". True for the event that opened
 * its fold (the one worth a log line), and when nothing is recorded. */
bool mq_audit_record_folded(struct mq_audit *a, const struct mq_audit_event *e, const char *key,
                            int64_t window_ms);

/* Waits until everything recorded so far is written (tests, CLI), folds
 * whose window has passed included; events still folding are not yet
 * recorded. */
MQ_MUST_CHECK mq_err mq_audit_flush(struct mq_audit *a, int timeout_ms);

/* The chain hash of an entry (hex, 64 characters and NUL). */
void mq_audit_hash(const struct mq_audit_row *r, char out[65]);

struct mq_audit_verdict {
    int64_t entries;        /* checked */
    int64_t broken_at;      /* first bad seq, 0 if intact */
    int64_t checkpoint_seq; /* entries up to this were purged under a valid checkpoint */
    char why[128];
};

/* Reads the whole chain in order and checks every link. */
MQ_MUST_CHECK mq_err mq_audit_verify(struct mq_store *store, struct mq_audit_verdict *out);

/* An entry as the log hands it out (strings in the caller's arena). */
struct mq_audit_entry {
    int64_t seq;
    const char *id;
    int64_t at;
    const char *action, *actor_kind;
    const char *actor_id, *target_type, *target_id, *ip, *user_agent, *request_id; /* or NULL */
    const char *details;                                                           /* JSON */
    const char *prev_hash, *hash;
};

/* Entries matching the filter, in its order; at most f->limit into `out`. */
MQ_MUST_CHECK mq_err mq_audit_list(struct mq_ctx *ctx, struct mq_arena *a,
                                   const struct mq_audit_filter *f, struct mq_audit_entry *out,
                                   size_t *n);

/* Appends Prometheus metrics: recorded, written, dropped, folded, queued. */
MQ_MUST_CHECK mq_err mq_audit_render_metrics(struct mq_audit *a, struct mq_buf *out);

#endif
