#include "jobs/schedule.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MINUTE_MS 60000LL
#define HOUR_MS   (60 * MINUTE_MS)
#define DAY_MS    (24 * HOUR_MS)
#define WEEK_MS   (7 * DAY_MS)
/* 1970-01-01 was a Thursday: Monday 00:00 UTC falls 4 days after each week start. */
#define EPOCH_TO_MONDAY_MS (4 * DAY_MS)

static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* Parses "HH:MM" exactly. */
static bool parse_hhmm(const char *s, int *h, int *m)
{
    if (strlen(s) != 5 || s[2] != ':') return false;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9')) return false;
    *h = (s[0] - '0') * 10 + (s[1] - '0');
    *m = (s[3] - '0') * 10 + (s[4] - '0');
    return *h < 24 && *m < 60;
}

mq_err mq_schedule_parse(const char *spec, struct mq_schedule *out)
{
    memset(out, 0, sizeof(*out));
    if (!strcmp(spec, "hourly")) {
        out->kind = MQ_HOURLY;
        return MQ_OK;
    }
    if (!strcmp(spec, "weekly")) {
        out->kind = MQ_WEEKLY;
        return MQ_OK;
    }
    if (!strncmp(spec, "daily at ", 9)) {
        out->kind = MQ_DAILY;
        return parse_hhmm(spec + 9, &out->hour, &out->minute) ? MQ_OK : MQ_EINVAL;
    }
    if (!strncmp(spec, "weekly on ", 10)) {
        out->kind = MQ_WEEKLY;
        const char *d = spec + 10;
        for (int i = 0; i < 7; i++) {
            if (!strncmp(d, days[i], 3) && !strncmp(d + 3, " at ", 4)) {
                out->weekday = i;
                return parse_hhmm(d + 7, &out->hour, &out->minute) ? MQ_OK : MQ_EINVAL;
            }
        }
        return MQ_EINVAL;
    }
    if (!strncmp(spec, "every ", 6)) {
        const char *num = spec + 6;
        char *end;
        if (*num < '1' || *num > '9') return MQ_EINVAL;
        errno = 0;
        long long n = strtoll(num, &end, 10);
        long long unit;
        if (!strcmp(end, "s"))
            unit = 1000;
        else if (!strcmp(end, "m"))
            unit = MINUTE_MS;
        else if (!strcmp(end, "h"))
            unit = HOUR_MS;
        else if (!strcmp(end, "d"))
            unit = DAY_MS;
        else
            return MQ_EINVAL;
        if (errno || n > 366LL * DAY_MS / unit) return MQ_EINVAL;
        out->kind = MQ_EVERY;
        out->interval_ms = n * unit;
        return MQ_OK;
    }
    return MQ_EINVAL;
}

/* The first point of the lattice `offset + k * period` strictly after t. */
static int64_t next_on_lattice(int64_t t, int64_t period, int64_t offset)
{
    int64_t k = (t - offset) / period;
    if (t - offset < 0 && (t - offset) % period) k--;
    int64_t next = offset + k * period;
    while (next <= t) next += period;
    return next;
}

int64_t mq_schedule_next(const struct mq_schedule *s, int64_t after_ms)
{
    switch (s->kind) {
    case MQ_EVERY: return next_on_lattice(after_ms, s->interval_ms, 0);
    case MQ_HOURLY: return next_on_lattice(after_ms, HOUR_MS, 0);
    case MQ_DAILY:
        return next_on_lattice(after_ms, DAY_MS, s->hour * HOUR_MS + s->minute * MINUTE_MS);
    case MQ_WEEKLY:
        return next_on_lattice(after_ms, WEEK_MS,
                               EPOCH_TO_MONDAY_MS + s->weekday * DAY_MS + s->hour * HOUR_MS +
                                   s->minute * MINUTE_MS);
    }
    return after_ms + DAY_MS;
}
