/* NFO files as the local provider reads them: Kodi's and Jellyfin's
 * movie, tvshow and episode documents, a bare link, and what must be
 * refused (entities, external entities, documents too large). */
#include "test.h"

#include <stdlib.h>
#include <string.h>

#include "media/nfo.h"

static json_t *parse(const char *text)
{
    return mq_nfo_parse(text, strlen(text));
}

static const char *s(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void test_movie(void **state)
{
    (void)state;
    json_t *d =
        parse("\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<movie><title>The Matrix</title><originaltitle>The Matrix</originaltitle>"
              "<sorttitle>Matrix 1</sorttitle><year>1999</year>"
              "<plot>  A  hacker\n learns the truth. </plot><runtime>136</runtime>"
              "<mpaa>Rated R</mpaa><genre>Action / Science Fiction</genre>"
              "<uniqueid type=\"tmdb\" default=\"true\">603</uniqueid>"
              "<uniqueid type=\"imdb\">tt0133093</uniqueid><uniqueid type=\"imdb\">x</uniqueid>"
              "<ratings><rating name=\"imdb\" max=\"10\"><value>8.7</value></rating>"
              "<rating name=\"themoviedb\" max=\"10\" "
              "default=\"true\"><value>8.2</value></rating></ratings>"
              "<actor><name>Keanu Reeves</name><role>Neo</role><order>0</order></actor>"
              "<director>Lana Wachowski</director>"
              "<set><name>The Matrix Collection</name><overview>x</overview></set></movie>");
    assert_string_equal(s(d, "provider"), "local");
    assert_string_equal(s(d, "kind"), "movie");
    assert_string_equal(s(d, "title"), "The Matrix");
    assert_string_equal(s(d, "sort_title"), "Matrix 1");
    assert_string_equal(s(d, "overview"), "A hacker learns the truth.");
    assert_int_equal(json_integer_value(json_object_get(d, "year")), 1999);
    assert_int_equal(json_integer_value(json_object_get(d, "runtime_min")), 136);
    assert_int_equal(json_integer_value(json_object_get(d, "rating")), 82);
    assert_string_equal(s(json_object_get(d, "content_ratings"), ""), "R");
    assert_string_equal(s(json_object_get(d, "external_ids"), "tmdb"), "603");
    assert_string_equal(s(json_object_get(d, "external_ids"), "imdb"), "tt0133093");
    const json_t *g = json_object_get(d, "genres");
    assert_int_equal(json_array_size(g), 2);
    assert_string_equal(json_string_value(json_array_get(g, 1)), "Science Fiction");
    assert_string_equal(s(json_array_get(json_object_get(d, "cast"), 0), "role"), "Neo");
    assert_string_equal(s(json_array_get(json_object_get(d, "crew"), 0), "role"), "Director");
    assert_string_equal(s(json_object_get(d, "collection"), "name"), "The Matrix Collection");
    json_decref(d);
    /* The old <set>Name</set> and <rating>7.3</rating>. */
    d = parse("<movie><title>X</title><set>Old Style</set><rating>7.3</rating>"
              "<premiered>2001-02-03</premiered></movie>");
    assert_string_equal(s(json_object_get(d, "collection"), "name"), "Old Style");
    assert_int_equal(json_integer_value(json_object_get(d, "rating")), 73);
    assert_string_equal(s(d, "release_date"), "2001-02-03");
    assert_int_equal(json_integer_value(json_object_get(d, "year")), 2001);
    json_decref(d);
}

static void test_series_and_episodes(void **state)
{
    (void)state;
    json_t *d = parse("<tvshow><title>Game of Thrones</title><status>Ended</status>"
                      "<uniqueid type=\"tvdb\">121361</uniqueid><tvdbid>1</tvdbid></tvshow>");
    assert_string_equal(s(d, "kind"), "series");
    assert_string_equal(s(json_object_get(d, "external_ids"), "tvdb"), "121361");
    assert_string_equal(s(d, "status"), "Ended");
    json_decref(d);
    d = parse("<episodedetails><title>Pilot</title><season>1</season><episode>1</episode>"
              "<aired>2008-01-20</aired></episodedetails>");
    assert_string_equal(s(d, "kind"), "episode");
    assert_int_equal(json_integer_value(json_object_get(d, "season")), 1);
    assert_int_equal(json_integer_value(json_object_get(d, "episode")), 1);
    assert_string_equal(s(d, "release_date"), "2008-01-20");
    json_decref(d);
}

static void test_links(void **state)
{
    (void)state;
    json_t *d = parse("https://www.imdb.com/title/tt0133093/\n");
    assert_string_equal(s(json_object_get(d, "external_ids"), "imdb"), "tt0133093");
    json_decref(d);
    d = parse("see https://www.themoviedb.org/movie/603-the-matrix");
    assert_string_equal(s(json_object_get(d, "external_ids"), "tmdb"), "603");
    json_decref(d);
    d = parse("nothing useful here, attack of the 50 ft woman");
    assert_non_null(s(d, "error"));
    json_decref(d);
}

static void test_refused(void **state)
{
    (void)state;
    const char *bomb =
        "<?xml version=\"1.0\"?><!DOCTYPE movie [<!ENTITY a \"aaaa\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><movie><title>&b;</title></movie>";
    json_t *d = parse(bomb);
    assert_non_null(strstr(s(d, "error"), "entities"));
    json_decref(d);
    d = parse(
        "<?xml version=\"1.0\"?><!DOCTYPE movie [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
        "<movie><title>&xxe;</title></movie>");
    assert_non_null(strstr(s(d, "error"), "entities"));
    json_decref(d);
    /* A parameter entity, spelt in lower case to slip past a naive check. */
    d = parse("<?xml version=\"1.0\"?><!DOCTYPE movie [<!entity % p SYSTEM \"http://x/\"> %p;]>"
              "<movie><title>x</title></movie>");
    assert_non_null(s(d, "error"));
    json_decref(d);
    d = parse("<movie><title>unclosed</movie>");
    assert_non_null(s(d, "error"));
    json_decref(d);
    d = parse("<html><title>no</title></html>");
    assert_non_null(s(d, "error"));
    json_decref(d);
    size_t n = MQ_NFO_MAX + 10;
    char *big = malloc(n);
    memset(big, ' ', n);
    memcpy(big, "<movie>", 7);
    d = mq_nfo_parse(big, n);
    assert_non_null(strstr(s(d, "error"), "1 MiB"));
    json_decref(d);
    free(big);
    /* Invalid UTF-8 in a title comes out valid. */
    d = parse("<movie><title>Caf\xe9</title></movie>");
    const char *t = s(d, "title");
    if (t) assert_null(strchr(t, '\xe9'));
    json_decref(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_movie),
        cmocka_unit_test(test_series_and_episodes),
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
