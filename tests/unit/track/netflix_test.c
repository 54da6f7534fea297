#include "test.h"

#include <string.h>

#include "track/netflix.h"

/* The catalogue the splits below know: shows with colons of their own. */
static bool known(void *arg, const char *title, size_t len)
{
    (void)arg;
    static const char *const shows[] = {"Avatar: The Last Airbender",
                                        "Star Trek: The Next Generation",
                                        "Stranger Things",
                                        "Brooklyn Nine-Nine",
                                        "Money Heist",
                                        "Downton Abbey",
                                        NULL};
    for (int i = 0; shows[i]; i++)
        if (strlen(shows[i]) == len && !memcmp(shows[i], title, len)) return true;
    return false;
}

struct want {
    const char *title, *show, *label;
    int season;
    const char *episode;
    int episode_no;
    bool with_catalogue;
};

static void test_split(void **state)
{
    (void)state;
    static const struct want cases[] = {
        {"Stranger Things: Season 1: Chapter One: The Vanishing of Will Byers", "Stranger Things",
         "Season 1", 1, "Chapter One: The Vanishing of Will Byers", -1, true},
        {"Stranger Things: Stranger Things 4: Chapter One: The Hellfire Club", "Stranger Things",
         "Stranger Things 4", 4, "Chapter One: The Hellfire Club", -1, true},
        {"Avatar: The Last Airbender: Book 1: Water: The Boy in the Iceberg",
         "Avatar: The Last Airbender", "Book 1", 1, "Water: The Boy in the Iceberg", -1, true},
        {"Star Trek: The Next Generation: Season 3: The Best of Both Worlds",
         "Star Trek: The Next Generation", "Season 3", 3, "The Best of Both Worlds", -1, true},
        {"Money Heist: Part ll: Episode 3", "Money Heist", "Part ll", 2, "Episode 3", 3, true},
        {"Brooklyn Nine-Nine:  : Episode 19", "Brooklyn Nine-Nine", NULL, -1, "Episode 19", 19,
         true},
        {"Downton Abbey", "Downton Abbey", NULL, -1, NULL, -1, true},
        /* Without the catalogue: the label ends the show. */
        {"Avatar: The Last Airbender: Book 1: Water: The Boy in the Iceberg",
         "Avatar: The Last Airbender", "Book 1", 1, "Water: The Boy in the Iceberg", -1, false},
        {"The Crown: Series 2: Dear Mrs Kennedy", "The Crown", "Series 2", 2, "Dear Mrs Kennedy",
         -1, false},
        {"Dark: Staffel 1: Geheimnisse (Folge 1)", "Dark", "Staffel 1", 1, "Geheimnisse", 1, false},
        {"La casa de papel: Parte 1: Capítulo 5", "La casa de papel", "Parte 1", 1, "Capítulo 5", 5,
         false},
        {"Hollands Hoop: Seizoen 2: Aflevering 4", "Hollands Hoop", "Seizoen 2", 2, "Aflevering 4",
         4, false},
        {"The Queen's Gambit: Limited Series: Openings", "The Queen's Gambit", "Limited Series", 1,
         "Openings", -1, false},
        {"Unorthodox: Miniserie: Folge 1", "Unorthodox", "Miniserie", 1, "Folge 1", 1, false},
        {"The IT Crowd: The Red Door", "The IT Crowd", NULL, -1, "The Red Door", -1, false},
        {"Mr. Robot: Season_1: eps1.3_da3m0ns.mp4", "Mr. Robot", NULL, -1,
         "Season_1: eps1.3_da3m0ns.mp4", -1, false},
        {"Inception", "Inception", NULL, -1, NULL, -1, false},
        {" ", "", NULL, -1, NULL, -1, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct want *w = &cases[i];
        struct mq_arena *a = mq_arena_new(0);
        struct mq_netflix_title t;
        assert_int_equal(mq_netflix_split(a, w->title, w->with_catalogue ? known : NULL, NULL, &t),
                         MQ_OK);
        assert_string_equal(t.show, w->show);
        if (w->label)
            assert_string_equal(t.season_label, w->label);
        else
            assert_null(t.season_label);
        assert_int_equal(t.season, w->season);
        if (w->episode)
            assert_string_equal(t.episode, w->episode);
        else
            assert_null(t.episode);
        assert_int_equal(t.episode_no, w->episode_no);
        mq_arena_free(a);
    }
}

static void test_dates(void **state)
{
    (void)state;
    struct mq_date_votes us = {0}, nl = {0}, none = {0};
    const char *const us_dates[] = {"9/14/24", "1/2/24", "12/31/23"};
    const char *const nl_dates[] = {"01-02-23", "28-06-23", "03-04-23"};
    for (int i = 0; i < 3; i++) {
        mq_netflix_date_vote(us_dates[i], &us);
        mq_netflix_date_vote(nl_dates[i], &nl);
    }
    mq_netflix_date_vote("1/2/24", &none);
    assert_false(mq_netflix_day_first(&us));
    assert_true(mq_netflix_day_first(&nl));
    assert_false(mq_netflix_day_first(&none)); /* the US export's order */
    int64_t ms;
    assert_true(mq_netflix_date("9/14/24", false, &ms));
    assert_int_equal(ms, 1726315200000LL); /* 2024-09-14T12:00:00Z */
    assert_true(mq_netflix_date("28-06-23", true, &ms));
    assert_int_equal(ms, 1687953600000LL); /* 2023-06-28T12:00:00Z */
    assert_true(mq_netflix_date("21/11/2024", true, &ms));
    assert_int_equal(ms, 1732190400000LL);
    assert_true(mq_netflix_date("2024-02-29", false, &ms));
    assert_false(mq_netflix_date("2023-02-29", false, &ms));
    assert_false(mq_netflix_date("14/9/24", false, &ms)); /* no 14th month */
    assert_false(mq_netflix_date("yesterday", false, &ms));
    assert_false(mq_netflix_date("1/2/3/4", false, &ms));
    assert_true(mq_netflix_hms("01:02:03", &ms));
    assert_int_equal(ms, 3723000);
    assert_false(mq_netflix_hms("Not latest view", &ms));
    assert_true(mq_netflix_instant("2023-06-28 21:15:09", &ms));
    assert_int_equal(ms, 1687986909000LL);
    assert_false(mq_netflix_instant("2023-06-28T21:15:09", &ms));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_dates),
    };
    return RUN(tests);
}
