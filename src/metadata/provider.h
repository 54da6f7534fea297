/* provider.h - one interface for every metadata provider.
 *
 * A provider answers four questions: which works match a title and year
 * (search), what it knows of one of its works (details), which of its works
 * an outside id names (find), and which of its works changed since a time
 * (changed). Series providers also give a season's episodes. Every answer
 * is a provider-neutral document (below), so identification, the writing
 * into the catalogue and the web app never see a provider's own shapes,
 * and a provider added later touches neither them nor the scanner.
 *
 * The details document:
 *
 *   {"provider": "tmdb", "id": "603", "kind": "movie",
 *    "title", "original_title", "overview", "tagline", "year": 1999,
 *    "release_date": "1999-03-30", "runtime_min": 136,
 *    "genres": ["Action"], "rating": 82 (0-100), "votes": 24000,
 *    "status": "Released" | "Returning Series" | "Ended" | ...,
 *    "content_ratings": {"US": "R", "DE": "16"},
 *    "external_ids": {"tmdb": "603", "imdb": "tt0133093", "tvdb": "..."},
 *    "cast": [{"name", "role", "id", "photo"}],
 *    "crew": [{"name", "role" (the job), "department", "id", "photo"}],
 *    "collection": {"id", "name", "overview", "poster", "backdrop"},
 *    "images": {"poster": REMOTE, "backdrop": REMOTE, "logo": REMOTE},
 *    "availability": [{"platform", "region", "kind", "url"}],
 *    "link": "https://www.themoviedb.org/movie/603",
 *    "seasons": [{"number", "title", "overview", "air_date", "poster", "episodes": N}],
 *    "next_episode": {"season", "episode", "air_date", "title"},
 *    "recommendations": [{"id", "title", "year"}]}
 *
 * A season: {"number", "title", "overview", "air_date", "poster",
 * "episodes": [{"number", "title", "overview", "air_date", "runtime_min",
 * "still", "rating"}]}. A collection: {"id", "name", "overview", "poster",
 * "backdrop", "parts": [{"id", "title", "year", "release_date", "overview",
 * "poster"}]} in release order. REMOTE is the provider's own picture
 * reference, turned into a URL by image_url. Members a provider does not
 * know are absent. */
#ifndef MQ_METADATA_PROVIDER_H
#define MQ_METADATA_PROVIDER_H

#include <jansson.h>
#include <stdbool.h>

#include "core/ctx.h"
#include "store/catalog.h"

struct mq_md_query {
    const char *kind;   /* movie, series, book, audiobook */
    const char *title;  /* as parsed from the name or given */
    int year;           /* 0 = unknown */
    const char *author; /* books */
    bool year_only;     /* only works of that year: no second search without it */
};

struct mq_candidate {
    const char *provider, *id, *kind;
    const char *title, *original_title, *overview, *poster;
    int year;
    double popularity;
    int score; /* 0-1000, filled by identification */
};

#define MQ_CANDIDATES_MAX 20

struct mq_provider {
    const char *name;
    /* Whether it knows works of this kind (movie, series, book, audiobook). */
    bool (*handles)(const char *kind);
    /* Whether it can be asked now (a key is set); false with why. */
    bool (*ready)(struct mq_ctx *ctx, char *why, size_t whylen);
    MQ_MUST_CHECK mq_err (*search)(struct mq_ctx *ctx, struct mq_arena *a,
                                   const struct mq_md_query *q, bool fresh,
                                   struct mq_candidate **out, size_t *n, char *why, size_t whylen);
    /* MQ_ENOTFOUND when the provider has no such work. */
    MQ_MUST_CHECK mq_err (*details)(struct mq_ctx *ctx, struct mq_arena *a, const char *kind,
                                    const char *id, bool fresh, json_t **doc, char *why,
                                    size_t whylen);
    /* Its id for an outside one (key "imdb", "tvdb", "isbn"). MQ_ENOTFOUND. */
    MQ_MUST_CHECK mq_err (*find)(struct mq_ctx *ctx, struct mq_arena *a, const char *kind,
                                 const char *key, const char *value, const char **id, char *why,
                                 size_t whylen);
    /* A season of a series; NULL for providers without seasons. */
    MQ_MUST_CHECK mq_err (*season)(struct mq_ctx *ctx, struct mq_arena *a, const char *series_id,
                                   int number, bool fresh, json_t **doc, char *why, size_t whylen);
    /* A collection with its parts; NULL when it has none. */
    MQ_MUST_CHECK mq_err (*collection)(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                                       bool fresh, json_t **doc, char *why, size_t whylen);
    /* The ids of its works of `kind` that changed since `since` (Unix ms),
     * as a JSON array of strings; NULL when it cannot say. */
    MQ_MUST_CHECK mq_err (*changed)(struct mq_ctx *ctx, struct mq_arena *a, const char *kind,
                                    int64_t since, json_t **ids, char *why, size_t whylen);
    /* Works to know before anyone asks (upcoming films, series on the air):
     * a JSON array of {"kind", "id", "title", "year"}; NULL when none. */
    MQ_MUST_CHECK mq_err (*upcoming)(struct mq_ctx *ctx, struct mq_arena *a, json_t **out,
                                     char *why, size_t whylen);
    /* The URL of a picture reference, at the provider's largest size. */
    const char *(*image_url)(struct mq_ctx *ctx, struct mq_arena *a, const char *remote);
};

extern const struct mq_provider mq_provider_tmdb;
extern const struct mq_provider mq_provider_openlibrary;

/* By name ("tmdb", "openlibrary"); NULL for "local" and unknown names. */
const struct mq_provider *mq_provider_find(const char *name);

/* The default order for a library kind: local first, then the provider of
 * its kind. */
const char *mq_provider_default_order(const char *library_kind);

/* A JSON array of provider names, as a library's metadata_order: known
 * names only, each once. */
bool mq_provider_order_valid(const json_t *order, const char **why);

#endif
