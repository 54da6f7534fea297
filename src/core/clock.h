/* clock.h - injectable time source. Services read the time through the
 * context's clock so tests can run them with a fake one. */
#ifndef MQ_CLOCK_H
#define MQ_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct mq_clock {
    /* Wall-clock time in Unix milliseconds (UTC). */
    int64_t (*now_ms)(void *cls);
    void *cls;
};

/* The real clock (CLOCK_REALTIME). */
extern const struct mq_clock mq_clock_system;

static inline int64_t mq_clock_now_ms(const struct mq_clock *c)
{
    return c->now_ms(c->cls);
}

/* Monotonic nanoseconds, for durations only. */
uint64_t mq_monotonic_ns(void);

/* Formats Unix milliseconds as RFC 3339 UTC with milliseconds
 * ("2026-11-22T01:02:03.456Z") into out (at least 25 bytes). */
void mq_time_format_rfc3339(int64_t unix_ms, char *out, size_t outlen);

/* Parses RFC 3339 ("2026-11-22T01:02:03Z", with optional fractional seconds
 * and a Z or +hh:mm / -hh:mm offset) into Unix ms. MQ_EINVAL otherwise. */
MQ_MUST_CHECK mq_err mq_time_parse_rfc3339(const char *s, int64_t *out_ms);

#endif
