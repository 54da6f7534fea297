#include "test.h"

#include <stdalign.h>
#include <string.h>

#include "core/arena.h"

static void test_alignment_and_growth(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(64);
    assert_non_null(a);
    for (int i = 0; i < 1000; i++) {
        char *p = mq_arena_alloc(a, (size_t)(i % 37) + 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
        memset(p, 0xab, (size_t)(i % 37) + 1);
    }
    void *big = mq_arena_alloc(a, 1 << 20);
    assert_non_null(big);
    memset(big, 1, 1 << 20);
    assert_true(mq_arena_used(a) >= (1 << 20));
    mq_arena_free(a);
}

static void test_strings(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(0);
    assert_string_equal(mq_arena_strdup(a, "hello"), "hello");
    assert_string_equal(mq_arena_strndup(a, "hello world", 5), "hello");
    assert_string_equal(mq_arena_printf(a, "%d-%s", 42, "x"), "42-x");
    char *p = mq_arena_calloc(a, 10, 10);
    for (int i = 0; i < 100; i++) assert_int_equal(p[i], 0);
    assert_null(mq_arena_calloc(a, SIZE_MAX / 2, 4));
    mq_arena_free(a);
}

static int order[4];
static int norder;
static void record(void *p)
{
    order[norder++] = *(int *)p;
}

static void test_defer_runs_newest_first(void **state)
{
    (void)state;
    static int one = 1, two = 2, three = 3;
    norder = 0;
    struct mq_arena *a = mq_arena_new(0);
    assert_int_equal(mq_arena_defer(a, record, &one), MQ_OK);
    assert_int_equal(mq_arena_defer(a, record, &two), MQ_OK);
    assert_int_equal(mq_arena_defer(a, record, &three), MQ_OK);
    assert_int_equal(norder, 0);
    mq_arena_free(a);
    assert_int_equal(norder, 3);
    assert_int_equal(order[0], 3);
    assert_int_equal(order[2], 1);
    mq_arena_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment_and_growth),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_defer_runs_newest_first),
    };
    return RUN(tests);
}
