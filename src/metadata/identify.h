/* identify.h - which work a file is, and everything providers know of it.
 *
 * After a scan that changed anything, a metadata.identify job (queue
 * "metadata", one per library) takes the library's new top-level works
 * (films, series, books, audiobooks) one by one:
 *
 *   1. the local provider: NFO files beside the media, read by a probe
 *      helper (media/nfo.h);
 *   2. an id the name or the NFO gives ({tmdb-603}, [imdbid-tt0133093],
 *      <uniqueid type="tmdb">) wins: details by id, or found by id;
 *   3. otherwise a search by the parsed title and year, scored
 *      (metadata/score.h) into a confidence 0-1000. At or above
 *      metadata_match_threshold the best is taken; below, the work waits
 *      in the unidentified queue with its candidates;
 *   4. the documents are written in the library's provider order
 *      (metadata/apply.h): a series brings its seasons and episodes, a
 *      film its collection's other parts, pictures are queued for the
 *      metadata.images job.
 *
 * A provider that cannot be asked (no key, offline, breaker open) leaves
 * the work as the name and NFO made it, state "failed" with the reason,
 * tried again later; a scan never waits on the network.
 *
 * Works are refreshed by metadata.refresh_due (hourly): each has its own
 * due time, soon for a returning series or an unreleased film, rarely for
 * an ended or old one, and TMDb's changes list skips what did not change. */
#ifndef MQ_METADATA_IDENTIFY_H
#define MQ_METADATA_IDENTIFY_H

#include <jansson.h>

#include "core/ctx.h"
#include "jobs/queue.h"
#include "jobs/runner.h"
#include "metadata/provider.h"
#include "store/metadata.h"

struct mq_identify_opts {
    bool fresh;              /* ask the providers again (a refresh) */
    const char *provider;    /* a pick (manual identify): this provider's ... */
    const char *provider_id; /* ... work, confidence 1000 */
    const char *by;          /* who picked, or NULL */
};

struct mq_identify_result {
    const char *state; /* matched, review, unmatched, failed */
    int confidence;    /* 0-1000 */
    const char *reason;
    json_t *changed; /* field names written (a new reference; may be empty) */
};

/* Identifies (or refreshes) one item: MQ_ENOTFOUND when it is gone. The
 * outcome is recorded in media_matches either way. */
MQ_MUST_CHECK mq_err mq_identify_item(struct mq_ctx *ctx, struct mq_arena *a, const char *item_id,
                                      const struct mq_identify_opts *o,
                                      struct mq_identify_result *out);

/* Queues a manual identify, or a refresh (provider NULL), of one item as a
 * metadata.item job. MQ_ENOTFOUND; MQ_EINVAL (why) for a provider that
 * does not know works of the item's kind. */
MQ_MUST_CHECK mq_err mq_metadata_request(struct mq_ctx *ctx, struct mq_arena *a,
                                         const char *item_id, const char *provider,
                                         const char *provider_id, const char *by,
                                         struct mq_job *out, struct mq_refusal *why);

/* A search for the picker: candidates scored against the query. */
MQ_MUST_CHECK mq_err mq_metadata_search(struct mq_ctx *ctx, struct mq_arena *a,
                                        const struct mq_md_query *q, struct mq_candidate **out,
                                        size_t *n, char *why, size_t whylen);

/* The works waiting for review, oldest first. */
MQ_MUST_CHECK mq_err mq_metadata_unidentified(struct mq_ctx *ctx, struct mq_arena *a,
                                              const char *after, int limit,
                                              struct mq_match_row **out, size_t *n);
/* One item's identification; MQ_ENOTFOUND when it has none yet. */
MQ_MUST_CHECK mq_err mq_metadata_match(struct mq_ctx *ctx, struct mq_arena *a, const char *item_id,
                                       struct mq_match_row *out);
/* The latest refresh runs, newest first. */
MQ_MUST_CHECK mq_err mq_metadata_runs(struct mq_ctx *ctx, struct mq_arena *a, int limit,
                                      struct mq_md_run_row **out, size_t *n);
/* A library's (or every library's, NULL) counts by state (the order of
 * mq_match_states). */
MQ_MUST_CHECK mq_err mq_metadata_counts(struct mq_ctx *ctx, const char *library_id,
                                        int64_t counts[5]);

/* Each provider: ready or why not, its breaker; for /readyz and the
 * settings page. {"tmdb": {"ready", "reason", "breaker": {...}}, ...} */
json_t *mq_metadata_providers_json(struct mq_ctx *ctx);
/* Asks the provider something small now (TMDb: the configuration; Open
 * Library: a search). MQ_OK or an error with why. */
MQ_MUST_CHECK mq_err mq_metadata_test(struct mq_ctx *ctx, struct mq_arena *a, const char *provider,
                                      char *why, size_t whylen);

/* Refreshes the works in scope now (the CLI): an item, a library, or
 * everything matched (both NULL). progress(arg, done, total) after each. */
struct mq_md_run_row;
MQ_MUST_CHECK mq_err mq_metadata_refresh(struct mq_ctx *ctx, struct mq_arena *a,
                                         const char *item_id, const char *library_id,
                                         void (*progress)(void *arg, int64_t done, int64_t total),
                                         void *arg, struct mq_md_run_row *out);
/* Fetches the pictures providers named that are not here yet. */
MQ_MUST_CHECK mq_err mq_metadata_fetch_images(struct mq_ctx *ctx, struct mq_arena *a,
                                              int64_t *fetched, int64_t *failed);
/* A candidate's picture for the identify picker (an admin's request):
 * fetched from the provider once, kept, resized to `width`. MQ_ENOTFOUND
 * for a reference no provider answer could hold. */
struct mq_image;
MQ_MUST_CHECK mq_err mq_metadata_picture(struct mq_ctx *ctx, struct mq_arena *a,
                                         const char *provider, const char *remote, int width,
                                         struct mq_image *out, char *why, size_t whylen);
/* The catalogue sync: the providers' upcoming works as catalogue-only ones. */
MQ_MUST_CHECK mq_err mq_metadata_sync(struct mq_ctx *ctx, struct mq_arena *a, int64_t *added);

/* metadata.identify, metadata.item, metadata.images, metadata.refresh_due
 * (hourly), metadata.sync (weekly, when enabled), metadata.cache_prune
 * (daily). */
MQ_MUST_CHECK mq_err mq_metadata_register(struct mq_jobs *jobs);

#endif
