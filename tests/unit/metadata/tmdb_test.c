/* TMDb's and Open Library's recorded answers (tests/fixtures/) as the
 * provider-neutral documents identification writes. */
#include "test.h"

#include <jansson.h>
#include <string.h>

#include "metadata/openlibrary.h"
#include "metadata/tmdb.h"

static json_t *load(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "tests/fixtures/%s", name);
    json_t *j = json_load_file(path, 0, NULL);
    assert_non_null(j);
    return j;
}

static const char *s(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void test_film_with_everything_appended(void **state)
{
    (void)state;
    json_t *in = load("tmdb/phptmdb_movie_87421_riddick_append_all.json");
    json_t *d = mq_tmdb_movie_doc(in, "US");
    assert_non_null(d);
    assert_string_equal(s(d, "title"), "Riddick");
    assert_string_equal(s(d, "release_date"), "2013-09-06");
    assert_int_equal(json_integer_value(json_object_get(d, "year")), 2013);
    assert_int_equal(json_integer_value(json_object_get(d, "runtime_min")), 119);
    assert_string_equal(s(json_object_get(d, "content_ratings"), "US"), "R");
    assert_string_equal(s(json_object_get(d, "content_ratings"), "DE"), "16");
    assert_string_equal(s(json_object_get(d, "external_ids"), "imdb"), "tt1411250");
    const json_t *cast = json_object_get(d, "cast");
    assert_string_equal(s(json_array_get(cast, 0), "name"), "Vin Diesel");
    assert_string_equal(s(json_array_get(cast, 0), "role"), "Riddick");
    assert_true(json_array_size(cast) <= 30);
    assert_string_equal(s(json_array_get(json_object_get(d, "crew"), 0), "role"), "Director");
    assert_string_equal(s(json_object_get(d, "collection"), "id"), "2794");
    assert_non_null(s(json_object_get(d, "images"), "poster"));
    /* Only the region asked for is listed. */
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(d, "availability"), i, a)
        assert_string_equal(s(a, "region"), "US");
    json_decref(d);
    json_decref(in);
}

static void test_series_seasons_and_next_episode(void **state)
{
    (void)state;
    json_t *in = load("tmdb/phptmdb_tv_1396_breaking_bad_append_all.json");
    json_t *d = mq_tmdb_series_doc(in, "US");
    assert_string_equal(s(d, "title"), "Breaking Bad");
    assert_string_equal(s(d, "status"), "Ended");
    assert_int_equal(json_array_size(json_object_get(d, "seasons")), 6);
    assert_string_equal(s(json_object_get(d, "content_ratings"), "US"), "TV-MA");
    assert_string_equal(s(d, "link"), "https://www.themoviedb.org/tv/1396");
    json_decref(d);
    json_decref(in);
    in = load("tmdb/keidsid_tv_84958_loki_next_episode_to_air.json");
    d = mq_tmdb_series_doc(in, NULL);
    const json_t *next = json_object_get(d, "next_episode");
    assert_non_null(next);
    assert_true(json_integer_value(json_object_get(next, "season")) >= 1);
    assert_non_null(s(next, "air_date"));
    json_decref(d);
    json_decref(in);
    in = load("tmdb/jellyfin_tv_1396_season_1.json");
    d = mq_tmdb_season_doc(in);
    const json_t *eps = json_object_get(d, "episodes");
    assert_int_equal(json_array_size(eps), 7);
    assert_string_equal(s(json_array_get(eps, 0), "title"), "Pilot");
    assert_string_equal(s(json_array_get(eps, 0), "air_date"), "2008-01-20");
    json_decref(d);
    json_decref(in);
}

static void test_collection_in_release_order(void **state)
{
    (void)state;
    json_t *in = load("tmdb/jdrouet_collection-details.json");
    json_t *d = mq_tmdb_collection_doc(in);
    const json_t *parts = json_object_get(d, "parts");
    assert_int_equal(json_array_size(parts), 9);
    const char *prev = "";
    for (size_t i = 0; i < 9; i++) {
        const char *date = s(json_array_get(parts, i), "release_date");
        assert_true(strcmp(prev, date) <= 0);
        prev = date;
    }
    assert_string_equal(s(json_array_get(parts, 0), "title"), "Star Wars");
    /* The Last Jedi (2017) before The Rise of Skywalker (2019), whatever
     * TMDb's order. */
    assert_string_equal(s(json_array_get(parts, 7), "id"), "181808");
    json_decref(d);
    json_decref(in);
}

static void test_search_results(void **state)
{
    (void)state;
    json_t *in = load("tmdb/jellyfin_search_tv_breaking_bad.json");
    json_t *r = mq_tmdb_results(in, "series", 20);
    assert_true(json_array_size(r) >= 1);
    assert_string_equal(s(json_array_get(r, 0), "id"), "1396");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(r, 0), "year")), 2008);
    json_decref(r);
    r = mq_tmdb_results(in, "series", 0);
    assert_int_equal(json_array_size(r), 0);
    json_decref(r);
    json_decref(in);
}

static void test_hostile_answers(void **state)
{
    (void)state;
    json_t *j = json_loads("[1, 2]", 0, NULL);
    assert_null(mq_tmdb_movie_doc(j, "US"));
    assert_null(mq_tmdb_season_doc(j));
    json_decref(j);
    /* A picture path that climbs, a title that is no UTF-8, an id that is
     * no number: left out, the rest kept. */
    j = json_loads("{\"id\": 5, \"title\": \"T\", \"poster_path\": \"/../../etc/passwd\","
                   "\"backdrop_path\": \"/a.jpg?x=1\", \"genres\": [{\"name\": 5}, {}],"
                   "\"credits\": {\"cast\": [{\"id\": \"7\", \"name\": \"X\"}, {\"id\": 8}]},"
                   "\"release_date\": \"99999\", \"runtime\": -4, \"vote_average\": 99,"
                   "\"vote_count\": 5}",
                   0, NULL);
    json_t *d = mq_tmdb_movie_doc(j, "US");
    assert_non_null(d);
    assert_null(json_object_get(json_object_get(d, "images"), "poster"));
    assert_null(json_object_get(json_object_get(d, "images"), "backdrop"));
    assert_int_equal(json_array_size(json_object_get(d, "genres")), 0);
    assert_int_equal(json_array_size(json_object_get(d, "cast")), 0);
    assert_null(json_object_get(d, "release_date"));
    assert_null(json_object_get(d, "runtime_min"));
    assert_null(json_object_get(d, "rating"));
    json_decref(d);
    json_decref(j);
    j = json_loads("{\"id\": 0, \"title\": \"T\"}", 0, NULL);
    assert_null(mq_tmdb_movie_doc(j, NULL));
    json_decref(j);
}

static void test_open_library(void **state)
{
    (void)state;
    json_t *in = load("openlibrary/ibraheemmawwal_search_json_dune_fields_upstream_trimmed.json");
    json_t *r = mq_openlibrary_results(in, "book", 20);
    assert_string_equal(s(json_array_get(r, 0), "id"), "OL893414W");
    assert_string_equal(s(json_array_get(r, 0), "author"), "Frank Herbert");
    assert_string_equal(s(json_array_get(r, 0), "poster"), "id:11481354");
    json_decref(r);
    json_decref(in);
    json_t *w = load("openlibrary/assembled_works_OL893414W_dune.json");
    json_t *a = load("openlibrary/assembled_authors_OL79034A_frank_herbert.json");
    json_t *d = mq_openlibrary_work_doc(w, "book", a);
    assert_string_equal(s(d, "title"), "Dune");
    assert_int_equal(json_integer_value(json_object_get(d, "year")), 1965);
    assert_string_equal(s(json_array_get(json_object_get(d, "crew"), 0), "name"), "Frank Herbert");
    assert_non_null(s(d, "overview"));
    json_decref(d);
    json_decref(a);
    json_decref(w);
    char key[24];
    assert_true(mq_openlibrary_key("/works/OL893414W", 'W', key));
    assert_string_equal(key, "OL893414W");
    assert_false(mq_openlibrary_key("/works/OL89x414W", 'W', key));
    assert_false(mq_openlibrary_key("/authors/OL79034A", 'W', key));
    assert_false(mq_openlibrary_key("OL12345678901234567890W", 'W', key));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_film_with_everything_appended),
        cmocka_unit_test(test_series_seasons_and_next_episode),
        cmocka_unit_test(test_collection_in_release_order),
        cmocka_unit_test(test_search_results),
        cmocka_unit_test(test_hostile_answers),
        cmocka_unit_test(test_open_library),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
