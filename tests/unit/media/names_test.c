/* The file-name parser against 1,037 real release names
 * (tests/fixtures/filenames/), field by field, and against names the
 * scanner meets in libraries. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "media/names.h"

#define CASES "tests/fixtures/filenames/filename_parser_cases.tsv"

/* The shares right at the last recorded run (bench/README.md). Raise them
 * when the parser gets better; the test fails if one falls. */
#define FLOOR_TITLE   0.801
#define FLOOR_YEAR    0.954
#define FLOOR_SEASON  0.905
#define FLOOR_EPISODE 0.816

struct tally {
    int asked, right;
};

static const char *field(char **p)
{
    char *s = *p, *tab = s ? strchr(s, '\t') : NULL;
    if (!s) return "";
    if (tab)
        *tab = 0, *p = tab + 1;
    else
        *p = NULL;
    return s;
}

/* "1|2|3" against a list of numbers. */
static bool same_list(const char *want, const int *have, int n)
{
    int i = 0;
    for (const char *p = want; *p;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || i >= n || have[i] != v) return false;
        i++;
        p = *end == '|' ? end + 1 : end;
        if (*end && *end != '|') return false;
    }
    return i == n;
}

static double share(const struct tally *t)
{
    return t->asked ? (double)t->right / t->asked : 1.0;
}

static void test_release_names(void **state)
{
    (void)state;
    FILE *f = fopen(CASES, "r");
    assert_non_null(f);
    char line[4096];
    struct tally title = {0}, year = {0}, season = {0}, episode = {0};
    bool verbose = getenv("MQ_NAMES_VERBOSE") != NULL;
    assert_non_null(fgets(line, sizeof(line), f)); /* header */
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *p = line;
        (void)field(&p);
        const char *input = field(&p), *w_title = field(&p), *w_year = field(&p);
        const char *w_season = field(&p), *w_episode = field(&p);
        struct mq_name nm;
        mq_name_parse(input, strlen(input), MQ_NAME_UNKNOWN, &nm);
        if (*w_title) {
            title.asked++;
            bool ok = !strcmp(nm.title, w_title);
            title.right += ok;
            if (!ok && verbose) printf("title\t%s\t[%s]\t[%s]\n", input, w_title, nm.title);
        }
        if (*w_year) {
            year.asked++;
            bool ok = !strcmp(w_year, "NONE") ? nm.year == 0 : nm.year == strtol(w_year, NULL, 10);
            year.right += ok;
            if (!ok && verbose) printf("year\t%s\t[%s]\t[%d]\n", input, w_year, nm.year);
        }
        if (*w_season) {
            season.asked++;
            bool ok = nm.season >= 0 && same_list(w_season, &nm.season, 1);
            season.right += ok;
            if (!ok && verbose) printf("season\t%s\t[%s]\t[%d]\n", input, w_season, nm.season);
        }
        if (*w_episode) {
            episode.asked++;
            bool ok = same_list(w_episode, nm.episodes, nm.nepisodes);
            episode.right += ok;
            if (!ok && verbose)
                printf("episode\t%s\t[%s]\t[%d n=%d]\n", input, w_episode,
                       nm.nepisodes ? nm.episodes[0] : -1, nm.nepisodes);
        }
    }
    fclose(f);
    printf("names: title %d/%d (%.1f%%), year %d/%d (%.1f%%), season %d/%d (%.1f%%), "
           "episode %d/%d (%.1f%%)\n",
           title.right, title.asked, 100 * share(&title), year.right, year.asked,
           100 * share(&year), season.right, season.asked, 100 * share(&season), episode.right,
           episode.asked, 100 * share(&episode));
    assert_true(share(&title) >= FLOOR_TITLE);
    assert_true(share(&year) >= FLOOR_YEAR);
    assert_true(share(&season) >= FLOOR_SEASON);
    assert_true(share(&episode) >= FLOOR_EPISODE);
}

static struct mq_name parse(const char *path, enum mq_name_kind hint)
{
    struct mq_name nm;
    mq_name_parse(path, strlen(path), hint, &nm);
    return nm;
}

/* The conventions docs/naming.md tells people to follow. */
static void test_library_conventions(void **state)
{
    (void)state;
    struct mq_name nm = parse("/films/The Matrix (1999)/The Matrix (1999).mkv", MQ_NAME_MOVIE);
    assert_string_equal(nm.title, "The Matrix");
    assert_int_equal(nm.year, 1999);
    assert_int_equal(nm.kind, MQ_NAME_MOVIE);
    assert_int_equal(nm.nepisodes, 0);

    nm = parse("The.Matrix.1999.1080p.BluRay.x264-GRP.mkv", MQ_NAME_MOVIE);
    assert_string_equal(nm.title, "The Matrix");
    assert_int_equal(nm.year, 1999);
    assert_string_equal(nm.resolution, "1080p");
    assert_string_equal(nm.source, "bluray");
    assert_string_equal(nm.group, "GRP");

    nm = parse("The Matrix (1999) {tmdb-603}/The Matrix (1999) [imdbid-tt0133093].mkv",
               MQ_NAME_MOVIE);
    assert_string_equal(nm.title, "The Matrix");
    assert_string_equal(nm.tmdb_id, "603");
    assert_string_equal(nm.imdb_id, "tt0133093");

    /* A codec is no extra's number ("-x02-"), and one space in a dotted
     * name does not make its dots part of the title. */
    nm = parse("Interstellar (2014) CAM ENG x264 AAC-CPG.mkv", MQ_NAME_MOVIE);
    assert_string_equal(nm.title, "Interstellar");
    assert_int_equal(nm.extra, MQ_EXTRA_NONE);
    nm = parse("Movies/2001.A.Space.Odyssey.1968.HDDVD.1080p.DTS.x264.dxva EuReKA.mkv",
               MQ_NAME_MOVIE);
    assert_string_equal(nm.title, "2001 A Space Odyssey");
    assert_int_equal(nm.year, 1968);
    nm = parse("Blade Runner 2049 (2017).mkv", MQ_NAME_MOVIE);
    assert_string_equal(nm.title, "Blade Runner 2049");
    assert_int_equal(nm.year, 2017);
    nm = parse("1917 (2019)/1917.2019.2160p.mkv", MQ_NAME_MOVIE);
    assert_string_equal(nm.title, "1917");
    assert_int_equal(nm.year, 2019);
    nm = parse("Ocean's 11.mkv", MQ_NAME_MOVIE);
    assert_string_equal(nm.title, "Ocean's 11");
    nm = parse("Aliens (1986)/Aliens (1986) Director's Cut.mkv", MQ_NAME_MOVIE);
    assert_string_equal(nm.edition, "Director's Cut");

    nm = parse("TV/Breaking Bad/Season 01/Breaking Bad - S01E02 - Cat's in the Bag.mkv",
               MQ_NAME_EPISODE);
    assert_string_equal(nm.title, "Breaking Bad");
    assert_int_equal(nm.season, 1);
    assert_int_equal(nm.nepisodes, 1);
    assert_int_equal(nm.episodes[0], 2);
    assert_string_equal(nm.episode_title, "Cat's in the Bag");
    assert_int_equal(nm.kind, MQ_NAME_EPISODE);

    nm = parse("Show.S01E02.mkv", MQ_NAME_EPISODE);
    assert_string_equal(nm.title, "Show");
    assert_int_equal(nm.season, 1);
    assert_int_equal(nm.episodes[0], 2);
    nm = parse("Show - 1x02.mkv", MQ_NAME_EPISODE);
    assert_int_equal(nm.season, 1);
    assert_int_equal(nm.episodes[0], 2);
    const char *multi[] = {"Show.S01E01-E02.mkv", "Show.S01E01E02.mkv", "Show.S01E01-02.mkv"};
    for (size_t i = 0; i < 3; i++) {
        nm = parse(multi[i], MQ_NAME_EPISODE);
        assert_int_equal(nm.season, 1);
        assert_int_equal(nm.nepisodes, 2);
        assert_int_equal(nm.episodes[0], 1);
        assert_int_equal(nm.episodes[1], 2);
    }
    nm = parse("Show/Season 00/Show - S00E01 - Pilot Special.mkv", MQ_NAME_EPISODE);
    assert_int_equal(nm.season, 0);
    assert_int_equal(nm.episodes[0], 1);
    nm = parse("Show/Specials/Show - Christmas.mkv", MQ_NAME_EPISODE);
    assert_int_equal(nm.season, 0);
    assert_string_equal(nm.title, "Show");
    nm = parse("Show/Season 2/05 - The Long Night.mkv", MQ_NAME_EPISODE);
    assert_string_equal(nm.title, "Show");
    assert_int_equal(nm.season, 2);
    assert_int_equal(nm.episodes[0], 5);
    assert_string_equal(nm.episode_title, "The Long Night");
    nm = parse("[SubGroup] One Piece - 1071 [1080p].mkv", MQ_NAME_EPISODE);
    assert_string_equal(nm.title, "One Piece");
    assert_int_equal(nm.absolute, 1071);
    assert_string_equal(nm.group, "SubGroup");
    nm = parse("The.Daily.Show.2024.03.15.Guest.Name.720p.WEB.mkv", MQ_NAME_EPISODE);
    assert_string_equal(nm.title, "The Daily Show");
    assert_int_equal(nm.air_year, 2024);
    assert_int_equal(nm.air_month, 3);
    assert_int_equal(nm.air_day, 15);
    assert_int_equal(nm.kind, MQ_NAME_EPISODE);

    nm = parse("Movie (2010)/Movie (2010)-trailer.mp4", MQ_NAME_MOVIE);
    assert_int_equal(nm.extra, MQ_EXTRA_TRAILER);
    assert_string_equal(nm.title, "Movie");
    nm = parse("Movie (2010)/Featurettes/Making Of.mkv", MQ_NAME_MOVIE);
    assert_int_equal(nm.extra, MQ_EXTRA_FEATURETTE);
    assert_string_equal(nm.title, "Movie");
    assert_string_equal(nm.episode_title, "Making Of");
    nm = parse("Movie (2010)/Sample/movie-sample.mkv", MQ_NAME_MOVIE);
    assert_int_equal(nm.extra, MQ_EXTRA_SAMPLE);
    assert_true(mq_name_is_video_ext("MKV"));
    assert_false(mq_name_is_video_ext("txt"));
}

/* Names from outside are any bytes: what comes back is valid UTF-8, cut to
 * its buffers, whatever the name. */
static void test_hostile_names(void **state)
{
    (void)state;
    struct mq_name nm = parse("Bad\xff\xfeName (2001).mkv", MQ_NAME_MOVIE);
    assert_true(mq_utf8_valid(nm.title, strlen(nm.title)));
    assert_int_equal(nm.year, 2001);
    assert_non_null(strstr(nm.title, "\xEF\xBF\xBD"));
    char huge[8192];
    memset(huge, 'a', sizeof(huge));
    for (size_t i = 7; i < sizeof(huge); i += 8) huge[i] = '.';
    mq_name_parse(huge, sizeof(huge), MQ_NAME_UNKNOWN, &nm);
    assert_true(strlen(nm.title) < MQ_NAME_TEXT_MAX);
    assert_true(mq_utf8_valid(nm.title, strlen(nm.title)));
    /* A multi-byte character is never cut in half at the limit. */
    char wide[2048];
    for (int i = 0; i < 300; i++) memcpy(wide + 2 * i, "\xc3\xa9", 2);
    wide[600] = 0;
    mq_name_parse(wide, strlen(wide), MQ_NAME_UNKNOWN, &nm);
    assert_true(mq_utf8_valid(nm.title, strlen(nm.title)));
    mq_name_parse("", 0, MQ_NAME_UNKNOWN, &nm);
    assert_string_equal(nm.title, "");
    assert_int_equal(nm.kind, MQ_NAME_UNKNOWN);
    mq_name_parse("////", 4, MQ_NAME_UNKNOWN, &nm);
    assert_int_equal(nm.kind, MQ_NAME_UNKNOWN);
    nm = parse("S99999E99999999.mkv", MQ_NAME_EPISODE);
    assert_true(nm.nepisodes <= MQ_NAME_EPISODES_MAX);
    nm = parse("Show.S01E01-E99.mkv", MQ_NAME_EPISODE);
    assert_true(nm.nepisodes <= MQ_NAME_EPISODES_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_release_names),
        cmocka_unit_test(test_library_conventions),
        cmocka_unit_test(test_hostile_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
