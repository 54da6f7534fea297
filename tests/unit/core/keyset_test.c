/* The keyset: one holder per key, bounded, from many threads at once. */
#include "test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/keyset.h"

static void test_claims(void **state)
{
    (void)state;
    struct mq_keyset *ks = NULL;
    assert_int_equal(mq_keyset_new(2, &ks), MQ_OK);
    assert_true(mq_keyset_claim(ks, "ada"));
    assert_false(mq_keyset_claim(ks, "ada"));
    assert_true(mq_keyset_claim(ks, "bob"));
    assert_false(mq_keyset_claim(ks, "eve")); /* full */
    mq_keyset_release(ks, "ada");
    assert_true(mq_keyset_claim(ks, "eve"));
    assert_false(mq_keyset_claim(ks, "ada"));
    mq_keyset_release(ks, "bob");
    mq_keyset_release(ks, "nobody"); /* harmless */
    assert_true(mq_keyset_claim(ks, "ada"));
    char long_key[MQ_KEYSET_KEY_MAX + 2];
    memset(long_key, 'k', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = 0;
    assert_false(mq_keyset_claim(ks, long_key));
    mq_keyset_free(ks);
    mq_keyset_free(NULL);
}

static struct mq_keyset *shared;
static atomic_int holders, overlaps;

static void *contend(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20000; i++) {
        if (!mq_keyset_claim(shared, "one")) continue;
        if (atomic_fetch_add(&holders, 1) != 0) atomic_fetch_add(&overlaps, 1);
        atomic_fetch_sub(&holders, 1);
        mq_keyset_release(shared, "one");
    }
    return NULL;
}

static void test_one_holder_at_a_time(void **state)
{
    (void)state;
    pthread_t t[4];
    assert_int_equal(mq_keyset_new(8, &shared), MQ_OK);
    for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&t[i], NULL, contend, NULL), 0);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&overlaps), 0);
    assert_true(mq_keyset_claim(shared, "one"));
    mq_keyset_free(shared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_claims),
        cmocka_unit_test(test_one_holder_at_a_time),
    };
    return RUN(tests);
}
