/* strmap.h - a map from byte strings to numbers, for indexing what a job
 * holds in memory (a scan's files by path, its items by match key).
 *
 * Open addressing with linear probing, grown at half full. Keys are hashed
 * with SipHash under a key drawn at creation, so names chosen to collide
 * (file names are anyone's) cannot turn lookups quadratic. Keys are
 * borrowed: they must outlive the map. Not for concurrent use. */
#ifndef MQ_CORE_STRMAP_H
#define MQ_CORE_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct mq_strmap;

MQ_MUST_CHECK mq_err mq_strmap_new(size_t hint, struct mq_strmap **out);
void mq_strmap_free(struct mq_strmap *m);

/* The value stored under the key, or -1. */
int64_t mq_strmap_get(const struct mq_strmap *m, const char *key, size_t len);

/* Stores value (>= 0) under the key, replacing what was there. */
MQ_MUST_CHECK mq_err mq_strmap_put(struct mq_strmap *m, const char *key, size_t len, int64_t value);

size_t mq_strmap_count(const struct mq_strmap *m);

#endif
