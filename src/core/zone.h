/* zone.h - the local day and time in an IANA time zone ("Europe/Paris"),
 * for rules people set in their own time (viewing windows) and the days
 * of their statistics. ICU's zone data (core/libicu.h) answers, so no
 * process-wide TZ is ever changed. */
#ifndef MQ_CORE_ZONE_H
#define MQ_CORE_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mq_local {
    int weekday; /* 0 = Monday ... 6 = Sunday */
    int minute;  /* of the day, 0 to 1439 */
};

/* The local time at unix_ms in `zone` (NULL or unknown: UTC). False when
 * ICU cannot be loaded; *out is then UTC. */
bool mq_zone_local(const char *zone, int64_t unix_ms, struct mq_local *out);

/* The local day of each instant in `zone` (NULL or unknown: UTC), as days
 * since 1970-01-01 there: day[i] for ms[i]. One calendar serves them all,
 * so a member's whole history costs one ICU lookup. False when ICU cannot
 * be loaded; the days are then UTC's. */
bool mq_zone_days(const char *zone, const int64_t *ms, int64_t *day, size_t n);

#endif
