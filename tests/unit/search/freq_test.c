/* Word counts remembered between queries: a hit only for the same word
 * and kind of match, while young, and never across a change of the index
 * (not even one made while the store was being asked). */
#include "test.h"

#include <string.h>

#include "search/freq.h"

#define SEC 1000000000ull

static void test_hits_and_misses(void **state)
{
    (void)state;
    static struct mq_freq_cache c;
    int64_t docs = -1, total = -1;
    uint64_t gen = 0;
    mq_freq_init(&c);
    assert_false(mq_freq_get(&c, "the", false, 10 * SEC, &docs, &total, &gen));
    mq_freq_put(&c, "the", false, 10 * SEC, 54801, 220000, gen);
    assert_true(mq_freq_get(&c, "the", false, 11 * SEC, &docs, &total, &gen));
    assert_int_equal(docs, 54801);
    assert_int_equal(total, 220000);
    /* The prefix's count is another count. */
    assert_false(mq_freq_get(&c, "the", true, 11 * SEC, &docs, &total, &gen));
    assert_false(mq_freq_get(&c, "them", false, 11 * SEC, &docs, &total, &gen));
    /* Old counts are asked again. */
    assert_false(mq_freq_get(&c, "the", false, 10 * SEC + MQ_FREQ_TTL_NS, &docs, &total, &gen));
    mq_freq_cleanup(&c);
}

static void test_index_changes(void **state)
{
    (void)state;
    static struct mq_freq_cache c;
    int64_t docs = 0, total = 0;
    uint64_t gen = 0, before = 0;
    mq_freq_init(&c);
    mq_freq_put(&c, "dark", false, SEC, 3310, 220000, gen);
    assert_true(mq_freq_get(&c, "dark", false, SEC, &docs, &total, &gen));
    mq_freq_forget(&c);
    assert_false(mq_freq_get(&c, "dark", false, SEC, &docs, &total, &gen));
    /* A count read before a change is not kept after it. */
    assert_false(mq_freq_get(&c, "city", false, SEC, &docs, &total, &before));
    mq_freq_forget(&c);
    mq_freq_put(&c, "city", false, SEC, 1, 2, before);
    assert_false(mq_freq_get(&c, "city", false, SEC, &docs, &total, &gen));
    /* Words too long for a slot are never kept. */
    char longword[MQ_FREQ_WORD_MAX + 8];
    memset(longword, 'x', sizeof(longword) - 1);
    longword[sizeof(longword) - 1] = 0;
    assert_false(mq_freq_get(&c, longword, false, SEC, &docs, &total, &gen));
    mq_freq_put(&c, longword, false, SEC, 1, 2, gen);
    assert_false(mq_freq_get(&c, longword, false, SEC, &docs, &total, &gen));
    mq_freq_cleanup(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hits_and_misses),
        cmocka_unit_test(test_index_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
