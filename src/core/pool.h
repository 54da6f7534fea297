/* pool.h - a bounded pool of worker threads for slow CPU work (password
 * hashing) that must never run on a connection thread.
 *
 * Bounded both ways: `threads` run at once, at most `queue_max` wait. A full
 * queue refuses new work at once (MQ_ETIMEOUT, answered 503 busy) rather
 * than letting a login storm pile up memory and latency. */
#ifndef MQ_POOL_H
#define MQ_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct mq_pool;

MQ_MUST_CHECK mq_err mq_pool_new(int threads, size_t queue_max, struct mq_pool **out);

/* Runs every task already submitted, then stops the threads. Accepts NULL. */
void mq_pool_free(struct mq_pool *p);

/* Queues fn(arg). MQ_ETIMEOUT when the queue is full, MQ_EUNAVAILABLE after
 * the pool began to stop. */
MQ_MUST_CHECK mq_err mq_pool_submit(struct mq_pool *p, void (*fn)(void *arg), void *arg);

struct mq_pool_stats {
    int threads;
    size_t queued, running;
    uint64_t done, refused;
};
void mq_pool_stats(struct mq_pool *p, struct mq_pool_stats *out);

#endif
