#include "core/zone.h"

#include <string.h>
#include <time.h>

#include "core/libicu.h"

static void utc(int64_t ms, struct mq_local *out)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    out->weekday = (tm.tm_wday + 6) % 7;
    out->minute = tm.tm_hour * 60 + tm.tm_min;
}

bool mq_zone_local(const char *zone, int64_t unix_ms, struct mq_local *out)
{
    const struct mq_libicu *icu = mq_libicu();
    utc(unix_ms, out);
    if (!icu) return false;
    if (!zone || !*zone || strlen(zone) > 64) return true;
    UChar id[72];
    int32_t n = 0;
    UErrorCode st = U_ZERO_ERROR;
    icu->strFromUTF8(id, 72, &n, zone, -1, &st);
    if (U_FAILURE(st)) return true;
    /* An unknown name gives ICU's "Etc/Unknown", which is UTC. */
    UCalendar *cal = icu->calOpen(id, n, "en_US_POSIX", UCAL_GREGORIAN, &st);
    if (U_FAILURE(st) || !cal) return true;
    icu->calSetMillis(cal, (UDate)unix_ms, &st);
    int32_t dow = icu->calGet(cal, UCAL_DAY_OF_WEEK, &st); /* 1 = Sunday */
    int32_t h = icu->calGet(cal, UCAL_HOUR_OF_DAY, &st), m = icu->calGet(cal, UCAL_MINUTE, &st);
    icu->calClose(cal);
    if (U_FAILURE(st)) return true;
    out->weekday = (dow + 5) % 7;
    out->minute = h * 60 + m;
    return true;
}
