/* How sure a search result is: titles compared after folding, years,
 * candidates against each other, runtimes, and the shorter titles tried
 * when a name carries words no title has. */
#include "test.h"

#include <string.h>

#include "metadata/score.h"

static void test_title_keys(void **state)
{
    (void)state;
    char k[MQ_TITLE_KEY_MAX];
    mq_title_key("Spider-Man: No Way Home", k);
    assert_string_equal(k, "spider man no way home");
    mq_title_key("Ocean's Eleven", k);
    assert_string_equal(k, "oceans eleven");
    mq_title_key("Ocean\xe2\x80\x99s Eleven", k); /* ’ */
    assert_string_equal(k, "oceans eleven");
    mq_title_key("Am\xc3\xa9lie", k);
    assert_string_equal(k, "amelie");
    mq_title_key("Fast & Furious", k);
    assert_string_equal(k, "fast and furious");
    mq_title_key("Die Stra\xc3\x9f"
                 "e",
                 k);
    assert_string_equal(k, "die strasse");
    mq_title_key("  ...  ", k);
    assert_string_equal(k, "");
    mq_title_key("\xe5\x8d\x83\xe3\x81\xa8\xe5\x8d\x83\xe5\xb0\x8b", k); /* kept whole */
    assert_string_equal(k, "\xe5\x8d\x83\xe3\x81\xa8\xe5\x8d\x83\xe5\xb0\x8b");
}

static void test_similarity(void **state)
{
    (void)state;
    assert_int_equal(mq_title_similarity("Spider-Man", "spider man"), 1000);
    assert_int_equal(mq_title_similarity("The Matrix", "Matrix"), 980);
    assert_true(mq_title_similarity("Alien", "Alien: Covenant") < 800);
    assert_true(mq_title_similarity("Alien", "Aliens") < 900);
    assert_true(mq_title_similarity("Star Wars Episode IV A New Hope",
                                    "Star Wars: Episode IV - A New Hope") == 1000);
    assert_int_equal(mq_title_similarity("", "X"), 0);
}

static void test_scoring_and_confidence(void **state)
{
    (void)state;
    /* A year tells two films of one title apart. */
    struct mq_candidate c[] = {
        {.id = "11970", .title = "Hercules", .year = 1997},
        {.id = "184315", .title = "Hercules", .year = 2014},
        {.id = "1", .title = "Hercules in New York", .year = 1970},
    };
    struct mq_md_query q = {.kind = "movie", .title = "Hercules", .year = 2014};
    mq_score_candidates(&q, c, 3);
    assert_string_equal(c[0].id, "184315");
    assert_int_equal(c[0].score, 950); /* fame unknown: neither for nor against */
    assert_true(mq_score_confidence(c, 3) >= 800);
    /* Without one, neither is sure. */
    struct mq_candidate d[] = {
        {.id = "11970", .title = "Hercules", .year = 1997},
        {.id = "184315", .title = "Hercules", .year = 2014},
    };
    struct mq_md_query nq = {.kind = "movie", .title = "Hercules"};
    mq_score_candidates(&nq, d, 2);
    assert_true(d[0].score >= 800 && d[1].score >= 800);
    assert_true(mq_score_confidence(d, 2) < 800);
    /* Fame decides when it is known. */
    d[0].popularity = 80, d[1].popularity = 5;
    mq_score_candidates(&nq, d, 2);
    assert_true(mq_score_confidence(d, 2) >= 800);
    /* The original title counts as much as the translated one. */
    struct mq_candidate e[] = {{.id = "8392",
                                .title = "My Neighbor Totoro",
                                .original_title = "Tonari no Totoro",
                                .year = 1988}};
    struct mq_md_query oq = {.kind = "movie", .title = "Tonari no Totoro", .year = 1988};
    mq_score_candidates(&oq, e, 1);
    assert_int_equal(e[0].score, 950);
    /* Another title is not rescued by the year. */
    struct mq_candidate f[] = {{.id = "935", .title = "Dr. Strangelove", .year = 2000}};
    struct mq_md_query bq = {.kind = "movie", .title = "Bomb", .year = 2000};
    mq_score_candidates(&bq, f, 1);
    assert_true(f[0].score < 300);
    assert_int_equal(mq_score_confidence(NULL, 0), 0);
}

static void test_runtime(void **state)
{
    (void)state;
    assert_int_equal(mq_score_runtime(900, 136, 131), 900); /* credits */
    assert_int_equal(mq_score_runtime(900, 136, 0), 900);   /* unknown */
    assert_int_equal(mq_score_runtime(900, 120, 90), 850);  /* a cut */
    assert_int_equal(mq_score_runtime(900, 120, 22), 750);  /* an episode */
    assert_int_equal(mq_score_runtime(100, 120, 22), 0);
}

static void test_variants(void **state)
{
    (void)state;
    char v[6][MQ_VARIANT_MAX];
    size_t n = mq_title_variants("Battle Royale (Batoru Rowaiaru)", v, 6);
    assert_true(n >= 1);
    assert_string_equal(v[0], "Battle Royale ");
    n = mq_title_variants("blow-how to be single", v, 6);
    assert_string_equal(v[0], "how to be single");
    n = mq_title_variants("08 03 09 The Doors", v, 6);
    assert_string_equal(v[0], "the doors");
    n = mq_title_variants("Alien DC", v, 6);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "alien");
    n = mq_title_variants("Alien", v, 6);
    assert_int_equal(n, 0);
    /* Bounded by max, each distinct. */
    n = mq_title_variants("a b c d e f g h i j", v, 3);
    assert_int_equal(n, 3);
    assert_string_not_equal(v[0], v[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_title_keys),
        cmocka_unit_test(test_similarity),
        cmocka_unit_test(test_scoring_and_confidence),
        cmocka_unit_test(test_runtime),
        cmocka_unit_test(test_variants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
