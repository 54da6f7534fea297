#include "test.h"

#include <string.h>

#include "core/uuid.h"

static int64_t fixed_ms(void *cls)
{
    return *(int64_t *)cls;
}

static void counting_fill(void *cls, void *buf, size_t n)
{
    unsigned char *b = buf;
    unsigned *next = cls;
    for (size_t i = 0; i < n; i++) b[i] = (unsigned char)(*next)++;
}

static void test_layout(void **state)
{
    (void)state;
    int64_t ms = 0x017F22E279B0; /* the RFC 9562 example time */
    unsigned seed = 0xff;
    struct mq_clock clock = {fixed_ms, &ms};
    struct mq_rng rng = {counting_fill, &seed};
    char id[37];
    mq_uuid7_new(&clock, &rng, id);
    assert_int_equal(strlen(id), 36);
    assert_memory_equal(id, "017f22e2-79b0-7", 15); /* time, then version 7 */
    assert_true(strchr("89ab", id[19]) != NULL);    /* variant 10xx */
    assert_true(mq_uuid_valid(id, strlen(id)));
}

static void test_sorts_by_time(void **state)
{
    (void)state;
    int64_t ms = 1000;
    unsigned seed = 0;
    struct mq_clock clock = {fixed_ms, &ms};
    struct mq_rng rng = {counting_fill, &seed};
    char a[37], b[37];
    mq_uuid7_new(&clock, &rng, a);
    ms = 1001;
    mq_uuid7_new(&clock, &rng, b);
    assert_true(strcmp(a, b) < 0);
}

static void test_valid(void **state)
{
    (void)state;
    assert_true(mq_uuid_valid("01a200dd-4210-720d-8442-22d9c782802f", 36));
    assert_false(mq_uuid_valid("01a200dd-4210-720d-8442-22d9c782802", 35));
    assert_false(mq_uuid_valid("01a200dd+4210-720d-8442-22d9c782802f", 36));
    assert_false(mq_uuid_valid("01a200dg-4210-720d-8442-22d9c782802f", 36));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_sorts_by_time),
        cmocka_unit_test(test_valid),
    };
    return RUN(tests);
}
