/* page.h - the one list convention of the API.
 *
 * Every list endpoint takes `limit` (1..MQ_PAGE_MAX, default
 * MQ_PAGE_DEFAULT) and an opaque `cursor`, and answers
 *     {"items": [...], "next_cursor": "..." | null}
 * Cursors are keyset positions chosen by the store (for example the sort key
 * and id of the last item), base64url-encoded so clients treat them as
 * opaque. A cursor that does not decode answers 400 invalid_cursor. */
#ifndef MQ_PAGE_H
#define MQ_PAGE_H

#include <jansson.h>

#include "http/http.h"

#define MQ_PAGE_DEFAULT 50
#define MQ_PAGE_MAX     200
#define MQ_CURSOR_MAX   512 /* bytes of decoded position */

struct mq_page {
    int limit;
    const char *after; /* decoded cursor (arena), NULL for the first page */
};

/* Reads limit and cursor; answers 400 invalid_limit / invalid_cursor. */
MQ_MUST_CHECK mq_err mq_page_parse(struct mq_req *req, struct mq_page *out);

/* As mq_page_parse for lists ordered by id, whose cursor is the last id
 * (a UUID): anything else answers 400 invalid_cursor. */
MQ_MUST_CHECK mq_err mq_page_parse_id(struct mq_req *req, struct mq_page *out);

/* Answers 200 with {"items": items, "next_cursor": ...}; steals items.
 * `next` is the position after the last item, or NULL on the last page. */
mq_err mq_page_reply(struct mq_req *req, json_t *items, const char *next);

/* Cursor encoding, exposed for tests: arena strings, NULL on failure. */
char *mq_cursor_encode(struct mq_arena *a, const char *position);
char *mq_cursor_decode(struct mq_arena *a, const char *cursor);

#endif
