#include "test.h"

#include <stdio.h>
#include <string.h>

#include "http/ratelimit.h"

static struct mq_rate_policy policy(const char *spec)
{
    struct mq_rate_policy p;
    const char *why = NULL;
    assert_int_equal(mq_rate_policy_parse("test", spec, &p, &why), MQ_OK);
    return p;
}

static void test_parse(void **state)
{
    (void)state;
    struct mq_rate_policy p = policy("60/min, 1000/h");
    assert_int_equal(p.nrules, 2);
    assert_int_equal(p.rules[0].limit, 60);
    assert_int_equal(p.rules[0].window_ms, 60000);
    assert_int_equal(p.rules[1].window_ms, 3600000);
    assert_int_equal(policy("5/hour").rules[0].window_ms, 3600000);
    assert_int_equal(policy("off").nrules, 0);
    const char *bad[] = {"",       "10",     "10/",   "10/week",
                         "0/min",  "-1/min", "x/min", "1/min,2/h,3/d,4/s,5/min",
                         "10/min;"};
    const char *why;
    struct mq_rate_policy q;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(mq_rate_policy_parse("t", bad[i], &q, &why), MQ_EINVAL);
}

static void test_burst_then_steady_pace(void **state)
{
    (void)state;
    struct mq_ratelimiter *rl = NULL;
    struct mq_rate_result r;
    struct mq_rate_policy p = policy("10/min");
    int64_t now = 1000000;
    assert_int_equal(mq_ratelimiter_memory_new(1000, &rl), MQ_OK);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(mq_rate_hit(rl, &p, "1.2.3.4", now, &r), MQ_OK);
        assert_true(r.allowed);
        assert_int_equal(r.remaining, 9 - i);
        assert_int_equal(r.limit, 10);
    }
    assert_int_equal(mq_rate_hit(rl, &p, "1.2.3.4", now, &r), MQ_OK);
    assert_false(r.allowed);
    assert_int_equal(r.remaining, 0);
    assert_int_equal(r.retry_after_ms, 6000); /* one request comes back every 6 s */
    assert_int_equal(mq_rate_hit(rl, &p, "5.6.7.8", now, &r), MQ_OK);
    assert_true(r.allowed); /* keys are separate */
    now += 5999;
    assert_int_equal(mq_rate_hit(rl, &p, "1.2.3.4", now, &r), MQ_OK);
    assert_false(r.allowed); /* refusals are not counted, so this is still too early */
    now += 1;
    assert_int_equal(mq_rate_hit(rl, &p, "1.2.3.4", now, &r), MQ_OK);
    assert_true(r.allowed);
    assert_int_equal(mq_rate_hit(rl, &p, "1.2.3.4", now, &r), MQ_OK);
    assert_false(r.allowed);
    now += 60000; /* a full window later the whole burst is back */
    for (int i = 0; i < 10; i++) {
        assert_int_equal(mq_rate_hit(rl, &p, "1.2.3.4", now, &r), MQ_OK);
        assert_true(r.allowed);
    }
    /* Policies count separately for the same key. */
    struct mq_rate_policy other = policy("1/min");
    snprintf(other.name, sizeof(other.name), "other");
    assert_int_equal(mq_rate_hit(rl, &other, "1.2.3.4", now, &r), MQ_OK);
    assert_true(r.allowed);
    mq_ratelimiter_free(rl);
}

static void test_every_rule_must_allow(void **state)
{
    (void)state;
    struct mq_ratelimiter *rl = NULL;
    struct mq_rate_result r;
    struct mq_rate_policy p = policy("3/s,5/min");
    int64_t now = 0;
    assert_int_equal(mq_ratelimiter_memory_new(1000, &rl), MQ_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(mq_rate_hit(rl, &p, "k", now, &r), MQ_OK);
        assert_true(r.allowed);
    }
    assert_int_equal(mq_rate_hit(rl, &p, "k", now, &r), MQ_OK);
    assert_false(r.allowed); /* the per-second rule */
    assert_int_equal(r.limit, 3);
    now += 2000;
    assert_int_equal(mq_rate_hit(rl, &p, "k", now, &r), MQ_OK);
    assert_true(r.allowed);
    assert_int_equal(r.limit, 5); /* now the per-minute rule is the tighter */
    assert_int_equal(r.remaining, 1);
    assert_int_equal(mq_rate_hit(rl, &p, "k", now, &r), MQ_OK);
    assert_true(r.allowed);
    assert_int_equal(mq_rate_hit(rl, &p, "k", now, &r), MQ_OK);
    assert_false(r.allowed);
    assert_int_equal(r.limit, 5);
    assert_true(r.retry_after_ms > 1000);
    mq_ratelimiter_free(rl);
}

static void test_memory_stays_bounded(void **state)
{
    (void)state;
    struct mq_ratelimiter *rl = NULL;
    struct mq_rate_result r;
    struct mq_rate_policy p = policy("2/min");
    assert_int_equal(mq_ratelimiter_memory_new(64, &rl), MQ_OK);
    char key[32];
    /* Far more addresses than room: old ones are evicted, nothing fails. */
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof(key), "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
        assert_int_equal(mq_rate_hit(rl, &p, key, i, &r), MQ_OK);
        assert_true(r.allowed);
    }
    /* A key that is being limited right now is still limited. */
    assert_int_equal(mq_rate_hit(rl, &p, "hot", 30000, &r), MQ_OK);
    assert_int_equal(mq_rate_hit(rl, &p, "hot", 30000, &r), MQ_OK);
    assert_int_equal(mq_rate_hit(rl, &p, "hot", 30000, &r), MQ_OK);
    assert_false(r.allowed);
    mq_ratelimiter_free(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_burst_then_steady_pace),
        cmocka_unit_test(test_every_rule_must_allow),
        cmocka_unit_test(test_memory_stays_bounded),
    };
    return RUN(tests);
}
