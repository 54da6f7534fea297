/* Search folding: what the index and the query both become, so that
 * accents, case, dashes, apostrophes, ligatures, "&" and CJK meet. */
#include "test.h"

#include <string.h>

#include "search/fold.h"

static const char *fold(struct mq_arena *a, const char *s, unsigned flags)
{
    struct mq_folded f;
    assert_int_equal(mq_search_fold(a, s, strlen(s), flags, &f), MQ_OK);
    return f.tokens;
}

static const char *compact(struct mq_arena *a, const char *s)
{
    struct mq_folded f;
    assert_int_equal(mq_search_fold(a, s, strlen(s), 0, &f), MQ_OK);
    return f.compact;
}

static void test_words(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(0);
    assert_string_equal(fold(a, "Spider-Man", 0), "spider man");
    assert_string_equal(fold(a, "Spider\xe2\x80\x93Man", 0), "spider man"); /* en dash */
    assert_string_equal(fold(a, "Mr. Robot", 0), "mr robot");
    assert_string_equal(fold(a, "L\xc3\xa9on", 0), "leon");
    assert_string_equal(fold(a, "LE\xcc\x81ON", 0), "leon"); /* E + combining acute */
    assert_string_equal(fold(a, "Sh\xc5\x8dgun", 0), "shogun");
    assert_string_equal(fold(a, "C\xc5\x93ur", 0), "coeur");         /* œ */
    assert_string_equal(fold(a, "\xc3\x86on Flux", 0), "aeon flux"); /* Æ */
    assert_string_equal(fold(a,
                             "Stra\xc3\x9f"
                             "e",
                             0),
                        "strasse"); /* ß */
    assert_string_equal(fold(a, "Old Man's War", 0), "old mans war");
    assert_string_equal(fold(a, "Old Man\xe2\x80\x99s War", 0), "old mans war"); /* ’ */
    assert_string_equal(fold(a, "Fast & Furious", 0), "fast and furious");
    assert_string_equal(fold(a, "Fast&Furious", 0), "fast and furious");
    assert_string_equal(fold(a, "\xef\xbc\xa6\xef\xbd\x95\xef\xbd\x8c\xef\xbd\x8c", 0), "full");
    assert_string_equal(fold(a, "2001: A Space Odyssey", 0), "2001 a space odyssey");
    assert_string_equal(fold(a, "  ...  ", 0), "");
    assert_string_equal(fold(a, "\"NEAR(a b)\" OR x*", 0), "near a b or x");
    assert_string_equal(fold(a, "bad \xff bytes", 0), "bad bytes");
    assert_string_equal(compact(a, "Spider-Man: Homecoming"), "spidermanhomecoming");
    mq_arena_free(a);
}

static void test_forms(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(0);
    /* Pairs of neighbours, then the longer joined runs, then numbers. */
    assert_string_equal(fold(a, "Spider-Man", MQ_FOLD_FORMS), "spider man spiderman");
    assert_string_equal(fold(a, "S.H.I.E.L.D.", MQ_FOLD_FORMS),
                        "s h i e l d shield sh hi ie el ld");
    assert_string_equal(fold(a, "Rocky II", MQ_FOLD_FORMS), "rocky ii rockyii 2");
    assert_string_equal(fold(a, "Toy Story 3", MQ_FOLD_FORMS), "toy story 3 toystory story3 iii");
    assert_string_equal(fold(a, "Her", MQ_FOLD_FORMS), "her");
    mq_arena_free(a);
}

static void test_cjk(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(0);
    /* 千と千尋の神隠し: pairs of neighbours. */
    assert_string_equal(fold(a, "\xe5\x8d\x83\xe3\x81\xa8\xe5\x8d\x83\xe5\xb0\x8b", 0),
                        "\xe5\x8d\x83\xe3\x81\xa8 \xe3\x81\xa8\xe5\x8d\x83 "
                        "\xe5\x8d\x83\xe5\xb0\x8b");
    /* One character stays itself; Hangul comes back composed (기생충). */
    assert_string_equal(fold(a, "\xe5\x8d\x83", 0), "\xe5\x8d\x83");
    assert_string_equal(fold(a, "\xea\xb8\xb0\xec\x83\x9d\xec\xb6\xa9", 0),
                        "\xea\xb8\xb0\xec\x83\x9d \xec\x83\x9d\xec\xb6\xa9");
    /* Mixed with Latin: a break between scripts. */
    assert_string_equal(fold(a, "ONE PIECE \xe3\x83\xaf\xe3\x83\xb3", 0),
                        "one piece \xe3\x83\xaf\xe3\x83\xb3");
    assert_string_equal(compact(a, "\xe5\x8d\x83\xe3\x81\xa8\xe5\x8d\x83"),
                        "\xe5\x8d\x83\xe3\x81\xa8\xe5\x8d\x83");
    mq_arena_free(a);
}

static void test_long(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(0);
    char big[MQ_FOLD_INPUT_MAX * 2];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    big[100] = ' ';
    struct mq_folded f;
    assert_int_equal(mq_search_fold(a, big, strlen(big), MQ_FOLD_FORMS, &f), MQ_OK);
    /* Tokens are cut at MQ_FOLD_TOKEN_MAX. */
    assert_int_equal(strlen(f.tokens), 64 + 1 + 64 + 1 + 128);
    mq_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_cjk),
        cmocka_unit_test(test_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
