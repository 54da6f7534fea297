/* import.h - imports of what members watched elsewhere: an uploaded export
 * is checked (libmagic says text, UTF-8 or UTF-16, the format known, the
 * row limit), kept, and read by a job (track.import) that matches each row
 * (track/match.h) and records plays and library entries; what it cannot
 * match surely waits in the member's review queue with its candidates.
 *
 * A row's identity is its source, profile, title and time: importing the
 * same file again, or a later export that overlaps it, adds nothing
 * twice (its rows are duplicates). Every row keeps its raw text. A
 * resolution is remembered as an alias (kind and folded title -> work)
 * that everyone's later imports use. */
#ifndef MQ_TRACK_IMPORT_H
#define MQ_TRACK_IMPORT_H

#include <jansson.h>

#include "core/ctx.h"
#include "jobs/runner.h"
#include "media/libraries.h"
#include "store/imports.h"
#include "track/formats.h"

struct mq_import_request {
    const char *user_id;
    const char *format;   /* NULL = from the header */
    const char *filename; /* as uploaded, or NULL */
    const char *data;     /* the file */
    size_t len;
    const char *profile; /* Netflix ViewingActivity: only this profile's rows */
    json_t *profiles;    /* or each profile to a member's id (the caller may act for them) */
    json_t *mapping;     /* the generic format's columns */
};

/* Checks and queues an import; *out is its row (state queued).
 * Refusals (*why): MQ_EUNSUPPORTED not_text (libmagic, NUL bytes, bad
 * UTF-16); MQ_EINVAL unknown_format, invalid_mapping, invalid_json,
 * invalid_format, too_many_rows, unknown_profile, unknown_member; MQ_ETOOBIG too_large;
 * MQ_ECONFLICT too_many_imports (the hourly limit). */
MQ_MUST_CHECK mq_err mq_import_start(struct mq_ctx *ctx, struct mq_arena *a,
                                     const struct mq_import_request *r, struct mq_import_row *out,
                                     struct mq_refusal *why);

/* One of the member's imports; MQ_ENOTFOUND for anyone else's. */
MQ_MUST_CHECK mq_err mq_import_get(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                   const char *id, struct mq_import_row *out);
MQ_MUST_CHECK mq_err mq_import_list(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                    const struct mq_track_after *after, int limit,
                                    struct mq_import_row **out, size_t *n);
/* The rows of an import in one state (NULL = all; "review" is the review
 * queue), by line. */
MQ_MUST_CHECK mq_err mq_import_rows(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                    const char *id, const char *state, int64_t after_line,
                                    int limit, struct mq_import_line **out, size_t *n);

/* Resolves a row waiting for review: to a work the member may see (its
 * play and library entry recorded, an alias kept) or skipped (media_id
 * NULL). MQ_ENOTFOUND for a row or work they cannot see; MQ_ECONFLICT
 * (not_in_review) for a row already settled. */
MQ_MUST_CHECK mq_err mq_import_resolve(struct mq_ctx *ctx, struct mq_arena *a,
                                       const struct mq_visible *vis, const char *user_id,
                                       const char *id, int64_t line, const char *media_id,
                                       struct mq_import_line *out, struct mq_refusal *why);

/* A member's own entry ("I watched Dune on Netflix"): matched like an
 * imported row, at once; when nothing is sure it waits in the review
 * queue of a one-row import. *import and *line say which. */
struct mq_manual_entry {
    const char *title, *kind, *platform, *status;
    int year;
    int64_t consumed_at;
};
MQ_MUST_CHECK mq_err mq_import_manual(struct mq_ctx *ctx, struct mq_arena *a,
                                      const struct mq_visible *vis, const char *user_id,
                                      const struct mq_manual_entry *e, struct mq_import_row *import,
                                      struct mq_import_line *line, struct mq_refusal *why);

/* Records one entry already matched to item_id for a member, in a
 * transaction of its own: a play (its identity from `source`, the title
 * and the time, so a repeat adds nothing), or a position for a viewing
 * that stopped short, and the library entry. *state is matched or
 * duplicate. For scrobbles from other servers. */
MQ_MUST_CHECK mq_err mq_import_record_one(struct mq_ctx *ctx, struct mq_arena *a,
                                          const char *user_id, const char *source,
                                          const struct mq_import_entry *e, const char *item_id,
                                          const char **state);

/* Aliases, for admins. */
MQ_MUST_CHECK mq_err mq_alias_list(struct mq_ctx *ctx, struct mq_arena *a, const char *after,
                                   int limit, struct mq_alias_row **out, size_t *n);
MQ_MUST_CHECK mq_err mq_alias_delete(struct mq_ctx *ctx, const char *key);

MQ_MUST_CHECK mq_err mq_import_register(struct mq_jobs *jobs);

#endif
