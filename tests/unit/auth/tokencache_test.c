/* tokencache_test.c - verified tokens are remembered exactly, and only
 * until they expire. */
#include "test.h"

#include <stdio.h>
#include <string.h>

#include "auth/tokencache.h"

#define ADA  "0190a6d2-7c1e-7000-8000-000000000001"
#define SID1 "0190a6d2-7c1e-7000-8000-0000000000a1"

static void test_hit_miss_and_expiry(void **state)
{
    (void)state;
    struct mq_token_cache *c = NULL;
    struct mq_arena *a = mq_arena_new(0);
    const char *sub = NULL, *sid = NULL;
    assert_int_equal(mq_token_cache_new(16, &c), MQ_OK);
    const char *token = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhIn0.c2ln";
    assert_false(mq_token_cache_get(c, a, token, 1000, &sub, &sid));
    mq_token_cache_put(c, token, ADA, SID1, 5000);
    assert_true(mq_token_cache_get(c, a, token, 4999, &sub, &sid));
    assert_string_equal(sub, ADA);
    assert_string_equal(sid, SID1);
    /* One byte different, a prefix, or past good_until: a miss. */
    assert_false(
        mq_token_cache_get(c, a, "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhIn0.c2lm", 1000, &sub, &sid));
    assert_false(
        mq_token_cache_get(c, a, "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhIn0.c2", 1000, &sub, &sid));
    assert_false(mq_token_cache_get(c, a, token, 5000, &sub, &sid));
    /* Oversized identities are not cached. */
    mq_token_cache_put(c, "other", ADA "-and-more", SID1, 5000);
    assert_false(mq_token_cache_get(c, a, "other", 1000, &sub, &sid));
    mq_token_cache_free(c);
    mq_arena_free(a);
}

static void test_many_tokens_evict_not_confuse(void **state)
{
    (void)state;
    struct mq_token_cache *c = NULL;
    struct mq_arena *a = mq_arena_new(0);
    char token[64], sid[40];
    int hits = 0;
    assert_int_equal(mq_token_cache_new(32, &c), MQ_OK);
    for (int i = 0; i < 1000; i++) {
        snprintf(token, sizeof(token), "token-%d", i);
        snprintf(sid, sizeof(sid), "0190a6d2-7c1e-7000-8000-%012d", i);
        mq_token_cache_put(c, token, ADA, sid, 10000);
    }
    for (int i = 0; i < 1000; i++) {
        const char *sub = NULL, *got = NULL;
        snprintf(token, sizeof(token), "token-%d", i);
        snprintf(sid, sizeof(sid), "0190a6d2-7c1e-7000-8000-%012d", i);
        if (mq_token_cache_get(c, a, token, 0, &sub, &got)) {
            assert_string_equal(got, sid); /* a hit is always the right one */
            hits++;
        }
    }
    assert_true(hits > 0 && hits <= 32);
    mq_token_cache_free(c);
    mq_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hit_miss_and_expiry),
        cmocka_unit_test(test_many_tokens_evict_not_confuse),
    };
    return RUN(tests);
}
