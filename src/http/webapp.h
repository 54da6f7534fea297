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
 * HEAD, and mq_webapp_path_ok. */
bool mq_webapp_claims(const struct mq_req *req);

/* Whether a (raw, still escaped) path may be the app's: not the API's or a
 * probe's name in any case, only plain characters, no empty segment. */
bool mq_webapp_path_ok(const char *path);

struct mq_arena;
/* The file a path the app claims names, relative to its folder: a name of
 * [A-Za-z0-9._/-] with no hidden or empty part, or "index.html" for "/".
 * *page says a missing file falls back to index.html (an app route: no dot
 * in the last part). NULL, with *page set, for a path no file can have.
 * Pure: tests/fuzz/webapp_fuzz.c holds it to these rules. */
const char *mq_webapp_file(struct mq_arena *a, const char *path, bool *page);

/* Answers req with the file it names, index.html for an app route, or a 404
 * problem for a missing file. */
mq_err mq_webapp_serve(const struct mq_webapp *w, struct mq_req *req);

#endif
