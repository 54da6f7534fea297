#include "http/page.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/uuid.h"

char *mq_cursor_encode(struct mq_arena *a, const char *position)
{
    size_t n = strlen(position);
    if (n > MQ_CURSOR_MAX) return NULL;
    size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = mq_arena_alloc(a, len);
    if (!out) return NULL;
    return sodium_bin2base64(out, len, (const unsigned char *)position, n,
                             sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

char *mq_cursor_decode(struct mq_arena *a, const char *cursor)
{
    size_t n = strlen(cursor), len = 0;
    if (n == 0 || n > (MQ_CURSOR_MAX * 4) / 3 + 4) return NULL;
    unsigned char *out = mq_arena_alloc(a, n + 1);
    if (!out) return NULL;
    const char *end = NULL;
    if (sodium_base642bin(out, n, cursor, n, NULL, &len, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        end != cursor + n)
        return NULL;
    out[len] = '\0';
    /* What we hand out is at most MQ_CURSOR_MAX bytes; base64's rounding
     * would let a few more through. */
    if (len > MQ_CURSOR_MAX || memchr(out, '\0', len) || !mq_utf8_valid((const char *)out, len))
        return NULL;
    return (char *)out;
}

mq_err mq_page_parse(struct mq_req *req, struct mq_page *out)
{
    const char *limit = NULL, *cursor = NULL;
    mq_err err = mq_req_query(req, "limit", &limit);
    if (!err) err = mq_req_query(req, "cursor", &cursor);
    if (err) return err;
    out->limit = MQ_PAGE_DEFAULT;
    out->fetch = MQ_PAGE_DEFAULT + 1;
    out->after = NULL;
    if (limit) {
        char *end;
        errno = 0;
        long v = strtol(limit, &end, 10);
        if (errno || *end || !*limit || v < 1 || v > MQ_PAGE_MAX)
            return mq_problem(req, 400, "invalid_limit", NULL,
                              "limit must be a whole number from 1 to %d", MQ_PAGE_MAX);
        out->limit = (int)v;
        out->fetch = (int)v + 1;
    }
    if (cursor) {
        out->after = mq_cursor_decode(req->arena, cursor);
        if (!out->after)
            return mq_problem(req, 400, "invalid_cursor", NULL,
                              "cursor is not one this server handed out");
    }
    return MQ_OK;
}

mq_err mq_page_parse_id(struct mq_req *req, struct mq_page *out)
{
    mq_err err = mq_page_parse(req, out);
    if (err) return err;
    if (out->after && !mq_uuid_valid(out->after, strlen(out->after)))
        return mq_problem(req, 400, "invalid_cursor", NULL,
                          "cursor is not one this server handed out");
    return MQ_OK;
}

mq_err mq_page_reply(struct mq_req *req, json_t *items, const char *next)
{
    json_t *next_json = json_null();
    if (next) {
        char *c = mq_cursor_encode(req->arena, next);
        if (!c) {
            json_decref(items);
            return MQ_ENOMEM;
        }
        next_json = json_string(c);
    }
    return mq_reply_json(req, 200,
                         json_pack("{s:o,s:o}", "items", items, "next_cursor", next_json));
}

void *mq_page_alloc(struct mq_req *req, const struct mq_page *page, size_t size)
{
    return mq_arena_calloc(req->arena, (size_t)page->fetch, size);
}

/* The first n rows as an array of items, or NULL when out of memory. */
static json_t *items_of(const struct mq_page_rows *r, size_t n)
{
    const char *rows = r->rows;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++) {
        json_t *item = r->item(rows + i * r->size, r->arg);
        if (!item || json_array_append_new(items, item)) {
            json_decref(items);
            return NULL;
        }
    }
    return items;
}

mq_err mq_page_answer_all(struct mq_req *req, const struct mq_page_rows *r)
{
    json_t *items = items_of(r, r->n);
    return items ? mq_reply_json(req, 200, json_pack("{s:o}", "items", items)) : MQ_ENOMEM;
}

mq_err mq_page_answer(struct mq_req *req, const struct mq_page *page, const struct mq_page_rows *r)
{
    size_t n = r->n < (size_t)page->limit ? r->n : (size_t)page->limit;
    const char *rows = r->rows;
    json_t *items = items_of(r, n);
    if (!items) return MQ_ENOMEM;
    const char *next = NULL;
    if (r->n > (size_t)page->limit && n) {
        next = r->position(req->arena, rows + (n - 1) * r->size, r->arg);
        if (!next) {
            json_decref(items);
            return MQ_ENOMEM;
        }
    }
    return mq_page_reply(req, items, next);
}
