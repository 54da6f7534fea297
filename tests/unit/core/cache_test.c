/* cache_test.c - a value comes back only for its own key, with its tag;
 * slots evict, never confuse. */
#include "test.h"

#include <stdio.h>
#include <string.h>

#include "core/cache.h"

static void test_get_put_and_tag(void **state)
{
    (void)state;
    struct mq_cache *c = NULL;
    char v[16];
    int64_t tag = 0;
    assert_int_equal(mq_cache_new(8, sizeof(v), &c), MQ_OK);
    assert_false(mq_cache_get(c, "ada", 3, v, &tag));
    mq_cache_put(c, "ada", 3, "lovelace", 9, 42);
    assert_true(mq_cache_get(c, "ada", 3, v, &tag));
    assert_string_equal(v, "lovelace");
    assert_int_equal(tag, 42);
    /* A prefix or a longer key is another key. */
    assert_false(mq_cache_get(c, "ad", 2, v, &tag));
    assert_false(mq_cache_get(c, "ada!", 4, v, &tag));
    /* Replacing shortens cleanly: the rest of the slot is zeroed. */
    mq_cache_put(c, "ada", 3, "al", 3, 43);
    assert_true(mq_cache_get(c, "ada", 3, v, &tag));
    assert_string_equal(v, "al");
    assert_int_equal(v[8], 0);
    assert_int_equal(tag, 43);
    /* Too large a value is not stored. */
    mq_cache_put(c, "big", 3, "0123456789abcdefX", 17, 1);
    assert_false(mq_cache_get(c, "big", 3, v, &tag));
    mq_cache_free(c);
    mq_cache_free(NULL);
}

static void test_many_keys_evict_not_confuse(void **state)
{
    (void)state;
    struct mq_cache *c = NULL;
    char key[32], v[32];
    int64_t tag;
    int hits = 0;
    assert_int_equal(mq_cache_new(32, sizeof(v), &c), MQ_OK);
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(key, sizeof(key), "key-%d", i);
        mq_cache_put(c, key, (size_t)n, key, (size_t)n + 1, i);
    }
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(key, sizeof(key), "key-%d", i);
        if (!mq_cache_get(c, key, (size_t)n, v, &tag)) continue;
        assert_string_equal(v, key);
        assert_int_equal(tag, i);
        hits++;
    }
    assert_true(hits > 0 && hits <= 32);
    mq_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_put_and_tag),
        cmocka_unit_test(test_many_keys_evict_not_confuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
