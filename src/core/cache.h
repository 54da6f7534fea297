/* cache.h - a fixed-size cache of small values, for what is read on every
 * request and costs a computation or a query to make (verified access
 * tokens, a user's effective permissions).
 *
 * Direct-mapped and sharded: a key (any bytes) is hashed with BLAKE2b;
 * the hash picks a shard, each under its own lock, and one slot in it.
 * Two keys on one slot evict each other, which costs the caller one
 * recomputation. A slot holds the key's hash, compared in constant time
 * (a value is never served for a different key), a tag the caller gives
 * meaning to (an expiry, a version), and a value of the size fixed when
 * the cache is made. Values are copied in and out under the shard's lock,
 * so a caller never holds a pointer into the cache. */
#ifndef MQ_CORE_CACHE_H
#define MQ_CORE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct mq_cache;

/* `entries` is rounded up to a power of two of slots, every one of
 * `value_size` bytes. The slots are one calloc, so pages no key lands on
 * stay out of resident memory. */
MQ_MUST_CHECK mq_err mq_cache_new(size_t entries, size_t value_size, struct mq_cache **out);
void mq_cache_free(struct mq_cache *c);

/* Copies the value stored under the key into `value` (value_size bytes)
 * and its tag into *tag; false on a miss. */
bool mq_cache_get(struct mq_cache *c, const void *key, size_t keylen, void *value, int64_t *tag);

/* Stores `len` bytes (at most value_size; the rest of the slot is zeroed)
 * under the key, with its tag, in place of whatever held the slot. */
void mq_cache_put(struct mq_cache *c, const void *key, size_t keylen, const void *value, size_t len,
                  int64_t tag);

#endif
