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

/* A Gregorian calendar in the zone, or NULL for UTC (no name, too long,
 * not UTF-8). An unknown name gives ICU's "Etc/Unknown", which is UTC. */
static UCalendar *calendar(const struct mq_libicu *icu, const char *zone)
{
    if (!zone || !*zone || strlen(zone) > 64) return NULL;
    UChar id[72];
    int32_t n = 0;
    UErrorCode st = U_ZERO_ERROR;
    icu->strFromUTF8(id, 72, &n, zone, -1, &st);
    if (U_FAILURE(st)) return NULL;
    UCalendar *cal = icu->calOpen(id, n, "en_US_POSIX", UCAL_GREGORIAN, &st);
    if (U_FAILURE(st) && cal) icu->calClose(cal);
    return U_FAILURE(st) ? NULL : cal;
}

bool mq_zone_local(const char *zone, int64_t unix_ms, struct mq_local *out)
{
    const struct mq_libicu *icu = mq_libicu();
    utc(unix_ms, out);
    if (!icu) return false;
    UCalendar *cal = calendar(icu, zone);
    if (!cal) return true;
    UErrorCode st = U_ZERO_ERROR;
    icu->calSetMillis(cal, (UDate)unix_ms, &st);
    int32_t dow = icu->calGet(cal, UCAL_DAY_OF_WEEK, &st); /* 1 = Sunday */
    int32_t h = icu->calGet(cal, UCAL_HOUR_OF_DAY, &st), m = icu->calGet(cal, UCAL_MINUTE, &st);
    icu->calClose(cal);
    if (U_FAILURE(st)) return true;
    out->weekday = (dow + 5) % 7;
    out->minute = h * 60 + m;
    return true;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b < 0);
}

bool mq_zone_days(const char *zone, const int64_t *ms, int64_t *day, size_t n)
{
    const struct mq_libicu *icu = mq_libicu();
    for (size_t i = 0; i < n; i++) day[i] = floor_div(ms[i], 86400000);
    if (!icu) return false;
    UCalendar *cal = n ? calendar(icu, zone) : NULL;
    if (!cal) return true;
    UErrorCode st = U_ZERO_ERROR;
    for (size_t i = 0; i < n && U_SUCCESS(st); i++) {
        icu->calSetMillis(cal, (UDate)ms[i], &st);
        int64_t off = (int64_t)icu->calGet(cal, UCAL_ZONE_OFFSET, &st) +
                      icu->calGet(cal, UCAL_DST_OFFSET, &st);
        if (U_SUCCESS(st)) day[i] = floor_div(ms[i] + off, 86400000);
    }
    icu->calClose(cal);
    return true;
}
