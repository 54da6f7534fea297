/* webapp.h - the browser app's files: `/` and every path outside /api/ that
 * names no route answers with the built app (web/), so that links into the
 * app's own routes (/media/…, /admin/users) load it (history mode).
 *
 * The folder is web_dir, or else `web` beside the binary (the build tree),
 * or `../share/marquee/web` from it (an installation). Hashed files under
 * /assets/ are cached for good; the rest is revalidated. A `.gz` twin made at
 * build time is sent to clients that take gzip. Pages get their own
 * Content-Security-Policy: scripts, styles and connections from this server
 * only; images and media from it and blob:. */
#ifndef MQ_HTTP_WEBAPP_H
#define MQ_HTTP_WEBAPP_H

#include <stdbool.h>

#include "core/err.h"

struct mq_config;
struct mq_log;
struct mq_req;
struct mq_webapp;

/* Opens the app's folder. *out is NULL (and the result MQ_OK) when there is
 * none: the API then runs alone, and `/` says how to build the app. */
MQ_MUST_CHECK mq_err mq_webapp_open(const struct mq_config *cfg, const struct mq_log *log,
                                    struct mq_webapp **out);
void mq_webapp_close(struct mq_webapp *w);

/* Whether a request that matched no route is the app's to answer: GET or
 * HEAD, outside /api/ and the probes. */
bool mq_webapp_claims(const struct mq_req *req);

/* Answers req with the file it names, index.html for an app route, or a 404
 * problem for a missing file. */
mq_err mq_webapp_serve(const struct mq_webapp *w, struct mq_req *req);

#endif
