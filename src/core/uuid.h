/* uuid.h - UUIDv7 (RFC 9562 section 5.7): 48-bit Unix millisecond timestamp,
 * then random bits, so ids sort by creation time and index well. */
#ifndef MQ_UUID_H
#define MQ_UUID_H

#include <stdbool.h>
#include <stddef.h>

#include "core/clock.h"
#include "core/rand.h"

#define MQ_UUID_STR_LEN 36 /* without the terminating NUL */

/* Writes a new UUIDv7 in canonical lower-case form into out[37]. */
void mq_uuid7_new(const struct mq_clock *clock, const struct mq_rng *rng, char out[37]);

/* True when s is a canonical UUID string (any version, lower or upper case). */
bool mq_uuid_valid(const char *s, size_t n);

#endif
