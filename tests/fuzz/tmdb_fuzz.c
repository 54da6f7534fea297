/* tmdb_fuzz - TMDb and Open Library answers (metadata/tmdb.h,
 * metadata/openlibrary.h): any JSON gives documents whose strings are
 * valid UTF-8, whose picture references cannot climb out of the picture
 * server, and whose lists stay within their bounds, or no document. */
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "fuzz.h"
#include "metadata/openlibrary.h"
#include "metadata/tmdb.h"

static void check(const char *key, json_t *v)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!mq_utf8_valid(s, json_string_length(v))) abort();
        bool picture =
            key && (!strcmp(key, "poster") || !strcmp(key, "backdrop") || !strcmp(key, "logo") ||
                    !strcmp(key, "still") || !strcmp(key, "photo"));
        if (picture && (strstr(s, "..") || strchr(s, '?') || strchr(s, '#'))) abort();
    } else if (json_is_array(v)) {
        if (json_array_size(v) > 2000) abort();
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) check(NULL, e);
    } else if (json_is_object(v)) {
        const char *k;
        json_t *e;
        json_object_foreach(v, k, e) check(k, e);
    }
}

static void run(json_t *d)
{
    if (!d) return;
    check(NULL, d);
    json_decref(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 262144) return 0;
    json_t *in = json_loadb((const char *)data, size, 0, NULL);
    if (!in) return 0;
    run(mq_tmdb_movie_doc(in, "US"));
    run(mq_tmdb_series_doc(in, NULL));
    run(mq_tmdb_season_doc(in));
    run(mq_tmdb_collection_doc(in));
    run(mq_tmdb_results(in, "movie", 20));
    run(mq_tmdb_results(in, "series", 20));
    run(mq_openlibrary_results(in, "book", 20));
    run(mq_openlibrary_work_doc(in, "book", in));
    json_decref(in);
    return 0;
}
