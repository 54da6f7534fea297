/* tmdb.h - The Movie Database (API v3): films, series, seasons and
 * episodes, collections, people, pictures, certifications per country and
 * where each title streams (provider.h has the interface).
 *
 * One request per film and per series: details with append_to_response
 * (credits, images, release dates or content ratings, external ids, watch
 * providers, recommendations); one more per season of a series. The key
 * rides as api_key, or the v4 read token as a bearer token, and is never
 * part of a cache key or a log line.
 *
 * The mapping from TMDb's JSON to the provider-neutral documents is pure
 * (JSON in, document out), so its fuzz driver (tests/fuzz/tmdb_fuzz.c) can
 * hold it to any input. */
#ifndef MQ_METADATA_TMDB_H
#define MQ_METADATA_TMDB_H

#include <jansson.h>

/* Region ("US") picks the certification kept first and the watch
 * providers listed; NULL = every region. Each returns a new document, or
 * NULL for a response that is not a TMDb object. */
json_t *mq_tmdb_movie_doc(const json_t *tmdb, const char *region);
json_t *mq_tmdb_series_doc(const json_t *tmdb, const char *region);
json_t *mq_tmdb_season_doc(const json_t *tmdb);
json_t *mq_tmdb_collection_doc(const json_t *tmdb);
/* A search response's results as {"id", "kind", "title", "original_title",
 * "year", "popularity", "poster", "overview"}, at most `max`. */
json_t *mq_tmdb_results(const json_t *tmdb, const char *kind, size_t max);

#endif
