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
    int fetch;         /* rows to ask the store for: limit and one more, which
                          comes back only when another page follows */
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

/* Room in the arena for page->fetch rows of `size` bytes, zeroed. */
void *mq_page_alloc(struct mq_req *req, const struct mq_page *page, size_t size);

/* What a store gave for a page, and how to show it. */
struct mq_page_rows {
    const void *rows; /* n rows of `size` bytes, at most page->fetch */
    size_t n, size;
    json_t *(*item)(const void *row, void *arg); /* a row as an item: a new reference */
    /* The position after a row, for the cursor (arena or the row's own). */
    const char *(*position)(struct mq_arena *a, const void *row, void *arg);
    void *arg;
};

/* Answers the page: the first page->limit rows as items, and a cursor
 * after the last of them when the store gave one row more. */
mq_err mq_page_answer(struct mq_req *req, const struct mq_page *page, const struct mq_page_rows *r);

/* Answers 200 with {"items": [...]}, every row an item (position unused):
 * the short lists that are not paged (a member's devices and passkeys). */
mq_err mq_page_answer_all(struct mq_req *req, const struct mq_page_rows *r);

/* Cursor encoding, exposed for tests: arena strings, NULL on failure. */
char *mq_cursor_encode(struct mq_arena *a, const char *position);
char *mq_cursor_decode(struct mq_arena *a, const char *cursor);

#endif
