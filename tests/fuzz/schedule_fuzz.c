/* schedule_fuzz - job schedule specs ("every 15m", "weekly on wed at
 * 12:00", jobs/schedule.h): an accepted one always has a next run later
 * than now. */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "fuzz.h"
#include "jobs/schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    struct mq_arena *a = mq_arena_new(0);
    char *s = mq_arena_strndup(a, (const char *)data, size);
    struct mq_schedule sched;
    if (mq_schedule_parse(s, &sched) == MQ_OK) {
        int64_t t = 1794821400000;
        if (mq_schedule_next(&sched, t) <= t) abort();
    }
    mq_arena_free(a);
    return 0;
}
