/* The numbers titles end with, as the relations derived from them read
 * them; and platforms named two ways. */
#include "test.h"

#include <string.h>

#include "track/monitor.h"
#include "track/relations.h"

static void test_title_sequence(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(0);
    static const struct {
        const char *title, *base;
        int n;
    } cases[] = {
        {"Rocky II", "rocky", 2},
        {"Rocky", "rocky", 1},
        {"Toy Story 3", "toy story", 3},
        {"Dune: Part Two", "dune", 2},
        {"Kill Bill: Vol. 2", "kill bill", 2},
        {"John Wick: Chapter 3", "john wick", 3},
        {"The Hunger Games Book 4", "the hunger games", 4},
        {"Ocean's Twelve", "ocean s twelve", 1},
        {"The Magnificent Seven", "the magnificent seven", 1},
        {"Blade Runner 2049", "blade runner 2049", 1},
        {"Part 2", "part 2", 1},
        {"Se7en", "se7en", 1},
        {"Apollo 13", "apollo", 13},
        {"", "", 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        const char *base = NULL;
        int n = mq_title_sequence(a, cases[i].title, &base);
        assert_int_equal(n, cases[i].n);
        assert_string_equal(base, cases[i].base);
    }
    mq_arena_free(a);
}

static void test_platforms(void **state)
{
    (void)state;
    assert_true(mq_platform_matches("Netflix", "netflix"));
    assert_true(mq_platform_matches("Amazon Prime Video", "amazon"));
    assert_true(mq_platform_matches("Disney Plus", "disney_plus"));
    assert_true(mq_platform_matches("Apple TV Plus", "apple_tv"));
    assert_false(mq_platform_matches("Max", "netflix"));
    assert_false(mq_platform_matches("", "netflix"));
    assert_false(mq_platform_matches("Paramount Plus", "max"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_title_sequence),
        cmocka_unit_test(test_platforms),
    };
    return RUN(tests);
}
