/* retention.h - old audit entries go; the chain stays verifiable.
 *
 * "audit.purge" (daily, queue "maintenance") deletes entries older than
 * audit_retention, in batches, never the newest entry. Each batch first
 * writes a checkpoint: the last deleted entry's sequence number and hash,
 * signed with this instance's Ed25519 key (auth/keyring.h). `marquee audit
 * verify` then starts from the newest checkpoint after checking its
 * signature against the published public key, so deleting entries by hand,
 * or forging a checkpoint without the key, still shows as a broken chain. */
#ifndef MQ_AUDIT_RETENTION_H
#define MQ_AUDIT_RETENTION_H

#include <stddef.h>

#include "jobs/runner.h"
#include "store/audit.h"

/* The signed text of a checkpoint. */
void mq_audit_checkpoint_message(const struct mq_audit_checkpoint *c, char *out, size_t outlen);

/* Deletes entries older than `before` (Unix ms), in signed batches, keeping
 * the newest entry; *purged counts them. MQ_EUNAVAILABLE without a signing
 * key (ctx->keyring). */
MQ_MUST_CHECK mq_err mq_audit_purge(struct mq_ctx *ctx, int64_t before, int64_t *purged);

/* Registers "audit.purge" and schedules it daily at 03:30 UTC. */
MQ_MUST_CHECK mq_err mq_audit_register_jobs(struct mq_jobs *jobs);

#endif
