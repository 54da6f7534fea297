#include "test.h"

#include "core/zone.h"

#define DAY 86400000LL

/* 2026-01-31T23:30:00Z and 2026-03-29T00:30:00Z (the night Paris moves
 * to summer time, at 01:00 UTC). */
#define JAN31_2330 1769902200000LL
#define MAR29_0030 1774744200000LL

static void test_days_in_a_zone(void **state)
{
    (void)state;
    int64_t ms[] = {JAN31_2330, MAR29_0030, MAR29_0030 + 2 * 3600000, -1};
    int64_t day[4];
    assert_true(mq_zone_days("Europe/Paris", ms, day, 4));
    assert_int_equal(day[0], JAN31_2330 / DAY + 1); /* already 1 February there */
    assert_int_equal(day[1], MAR29_0030 / DAY);     /* 01:30, still the 29th */
    assert_int_equal(day[2], MAR29_0030 / DAY);     /* 04:30 in summer time */
    assert_int_equal(day[3], 0);                    /* 00:59:59.999 on 1 January 1970 */
    /* UTC without a zone, or with one ICU does not know. */
    assert_true(mq_zone_days(NULL, ms, day, 4));
    assert_int_equal(day[0], JAN31_2330 / DAY);
    assert_int_equal(day[3], -1); /* the day before the epoch */
    assert_true(mq_zone_days("Nowhere/Atlantis", ms, day, 1));
    assert_int_equal(day[0], JAN31_2330 / DAY);
    assert_true(mq_zone_days("America/Los_Angeles", ms, day, 1));
    assert_int_equal(day[0], JAN31_2330 / DAY); /* 15:30 on the 31st */
}

static void test_local_time(void **state)
{
    (void)state;
    struct mq_local t;
    assert_true(mq_zone_local("Europe/Paris", JAN31_2330, &t));
    assert_int_equal(t.weekday, 6); /* Sunday 1 February */
    assert_int_equal(t.minute, 30);
    assert_true(mq_zone_local(NULL, JAN31_2330, &t));
    assert_int_equal(t.weekday, 5); /* Saturday in UTC */
    assert_int_equal(t.minute, 23 * 60 + 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_in_a_zone),
        cmocka_unit_test(test_local_time),
    };
    return RUN(tests);
}
