/* schedule.h - when a periodic job is due.
 *
 * Specs (UTC): "hourly" (at minute 0), "daily at HH:MM", "weekly" (Monday
 * 00:00) or "weekly on DAY at HH:MM" (DAY = mon..sun), and intervals
 * "every N" + s, m, h or d (at least 1 s). Intervals are aligned to the Unix
 * epoch, so every instance computes the same periods. */
#ifndef MQ_SCHEDULE_H
#define MQ_SCHEDULE_H

#include <stdint.h>

#include "core/err.h"

struct mq_schedule {
    enum { MQ_EVERY, MQ_HOURLY, MQ_DAILY, MQ_WEEKLY } kind;
    int64_t interval_ms; /* MQ_EVERY */
    int hour, minute;    /* MQ_DAILY, MQ_WEEKLY */
    int weekday;         /* MQ_WEEKLY: 0 = Monday */
};

/* MQ_EINVAL for a spec that is not one of the forms above. */
MQ_MUST_CHECK mq_err mq_schedule_parse(const char *spec, struct mq_schedule *out);

/* The first time strictly after `after_ms` (Unix ms) the schedule is due. */
int64_t mq_schedule_next(const struct mq_schedule *s, int64_t after_ms);

#endif
