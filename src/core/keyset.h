/* keyset.h - a bounded set of short keys shared between threads, for "one
 * at a time" rules (one avatar upload in flight per member).
 *
 * Holding a key is a claim: mq_keyset_claim() takes it if nobody holds it,
 * mq_keyset_release() gives it back. The set holds at most `max` keys, so a
 * crowd of claimants cannot grow it; past that, claims fail. */
#ifndef MQ_KEYSET_H
#define MQ_KEYSET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define MQ_KEYSET_KEY_MAX 63

struct mq_keyset;

MQ_MUST_CHECK mq_err mq_keyset_new(size_t max, struct mq_keyset **out);
void mq_keyset_free(struct mq_keyset *ks); /* accepts NULL */

/* True when the key was free and is now held; false when held already, the
 * set is full, or the key is longer than MQ_KEYSET_KEY_MAX. */
bool mq_keyset_claim(struct mq_keyset *ks, const char *key);
void mq_keyset_release(struct mq_keyset *ks, const char *key);

#endif
