/* content.h - administering the catalogue: works no file backs (what an
 * import or a streaming service knows of) and corrections to scanned ones,
 * availability on streaming platforms, and the quality score.
 *
 * A field an admin sets is locked: scans and metadata refreshes leave it
 * as it is until it is unlocked ("unlock": ["title"]). The scanner only
 * ever creates works, so it never overwrites one; metadata (issue 17)
 * reads `locked`. Deleting is soft: a work can be restored for 30 days,
 * then the daily purge removes it. Every change publishes media.changed
 * once its transaction commits. */
#ifndef MQ_MEDIA_CONTENT_H
#define MQ_MEDIA_CONTENT_H

#include <jansson.h>

#include "core/ctx.h"
#include "jobs/runner.h"
#include "store/catalog.h"

#define MQ_CONTENT_RESTORE_MS (30LL * 86400 * 1000)

/* The fields of a work from a JSON object: title, type (creation only),
 * year, original_title, sort_title, overview, genres, content_rating
 * ("PG-13" or {"system", "value"}), release_date (YYYY-MM-DD),
 * runtime_min, external_ids, parent_id and index, edition, rating (0-10).
 * On update a field set to null is cleared, and "unlock" lists fields to
 * unlock. MQ_EINVAL (why names the field) for a bad one. */
MQ_MUST_CHECK mq_err mq_content_create(struct mq_ctx *ctx, struct mq_arena *a, const json_t *doc,
                                       struct mq_item_row *out, struct mq_refusal *why);
MQ_MUST_CHECK mq_err mq_content_update(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                                       const json_t *doc, struct mq_item_row *out,
                                       struct mq_refusal *why);

/* Any work, deleted ones too, with its genres and availability. */
MQ_MUST_CHECK mq_err mq_content_get(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                                    struct mq_item_row *out, const char ***genres, size_t *ngenres,
                                    struct mq_availability_row **avail, size_t *navail);
MQ_MUST_CHECK mq_err mq_content_delete(struct mq_ctx *ctx, const char *id);
/* MQ_ECONFLICT (why) when it is not deleted or was deleted too long ago. */
MQ_MUST_CHECK mq_err mq_content_restore(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                                        struct mq_item_row *out, struct mq_refusal *why);

/* {"platform", "region", "kind", "url"?, "from"?, "until"?}: kind is
 * flatrate, free, ads, rent or buy; region ISO 3166-1 alpha-2; from and
 * until RFC 3339 instants. */
MQ_MUST_CHECK mq_err mq_content_add_availability(struct mq_ctx *ctx, struct mq_arena *a,
                                                 const char *id, const json_t *doc,
                                                 struct mq_availability_row *out,
                                                 struct mq_refusal *why);

/* The quality score (0-1000): the completeness of overview, poster,
 * backdrop, year, genres, credits, external ids and ratings, times a
 * freshness factor that halves every 180 days since the last refresh. */
int64_t mq_quality_score(const struct mq_quality_row *r, int64_t now);
/* What a work lacks, as a JSON array of the parts' names. */
json_t *mq_quality_lacks(const struct mq_quality_row *r, int64_t now);
MQ_MUST_CHECK mq_err mq_quality_report(struct mq_ctx *ctx, struct mq_arena *a,
                                       int64_t after_quality, const char *after_id, int limit,
                                       struct mq_quality_row **out, size_t *n);

/* media.quality (daily: every score again) and media.purge (daily: works
 * deleted more than 30 days ago). */
MQ_MUST_CHECK mq_err mq_content_register(struct mq_jobs *jobs);

#endif
