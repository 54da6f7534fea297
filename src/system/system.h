/* system.h - facts about this Marquee instance: identity, readiness and its
 * metrics. */
#ifndef MQ_SYSTEM_H
#define MQ_SYSTEM_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/ctx.h"

/* Gives the instance a permanent id (UUIDv7) the first time it starts. */
MQ_MUST_CHECK mq_err mq_system_init(struct mq_ctx *ctx);

/* The instance id, copied into the arena. */
MQ_MUST_CHECK mq_err mq_system_instance_id(struct mq_ctx *ctx, struct mq_arena *a, char **id);

struct mq_readiness {
    bool ready;
    const char *reason;   /* stable code when not ready: starting, shutting_down,
                             database_unavailable, schema_not_migrated, jobs_stuck */
    char detail[160];     /* more words about the reason, or "" */
    int schema_version;   /* in the database */
    int schema_latest;    /* known to this binary */
    const char *database; /* the backend: "sqlite" or "postgres" */
};

/* Checks, without caching, that the database answers and is migrated. */
void mq_system_readiness(struct mq_ctx *ctx, struct mq_readiness *out);

/* Appends the instance's own Prometheus metrics: the job runner's, the
 * events', the database pool's and the process's (memory, files, start,
 * build). The HTTP server and the audit log add theirs. */
MQ_MUST_CHECK mq_err mq_system_render_metrics(struct mq_ctx *ctx, struct mq_buf *out);

#endif
