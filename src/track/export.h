/* export.h - everything Marquee holds about a member, for them to take
 * away: profile, preferences, their library, positions, history, imports
 * with their raw rows, the aliases their resolutions made, sessions and
 * their own audit events.
 *
 * As one JSON document, produced a page at a time so that a long history
 * never sits whole in memory; or as a zip of CSV files (library, history,
 * progress, import rows), each cell a spreadsheet would read as a formula
 * (csv.h's mq_csv_formula) written with a leading apostrophe. */
#ifndef MQ_TRACK_EXPORT_H
#define MQ_TRACK_EXPORT_H

#include "core/ctx.h"

struct mq_export;

MQ_MUST_CHECK mq_err mq_export_new(struct mq_ctx *ctx, const char *user_id, struct mq_export **out);
/* The next bytes of the document: how many, 0 at its end, -1 on error. */
long mq_export_read(struct mq_export *x, char *buf, size_t max);
void mq_export_free(struct mq_export *x);

/* The zip of CSV files, whole (*data is the caller's to free).
 * MQ_EUNSUPPORTED without libzip. */
MQ_MUST_CHECK mq_err mq_export_zip(struct mq_ctx *ctx, const char *user_id, char **data,
                                   size_t *len);

#endif
