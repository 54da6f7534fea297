/* audit.c - the audit log over HTTP: for admins a paged list, newest first,
 * and an export as JSON lines, oldest first, streamed a page at a time; for
 * each user their own security events. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "audit/audit.h"
#include "auth/principal.h"
#include "core/utf8.h"
#include "http/page.h"

#define EXPORT_PAGE 500

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *row_json(const struct mq_audit_entry *r)
{
    char at[32];
    mq_time_format_rfc3339(r->at, at, sizeof(at));
    json_t *details = json_loads(r->details, 0, NULL);
    json_t *target = r->target_type || r->target_id
                         ? json_pack("{s:o,s:o}", "type", str_or_null(r->target_type), "id",
                                     str_or_null(r->target_id))
                         : json_null();
    return json_pack("{s:I,s:s,s:s,s:s,s:{s:s,s:o},s:o,s:o,s:o,s:o,s:o,s:s,s:s}", "seq",
                     (json_int_t)r->seq, "id", r->id, "at", at, "action", r->action, "actor",
                     "kind", r->actor_kind, "id", str_or_null(r->actor_id), "target", target, "ip",
                     str_or_null(r->ip), "user_agent", str_or_null(r->user_agent), "request_id",
                     str_or_null(r->request_id), "details", details ? details : json_object(),
                     "prev_hash", r->prev_hash, "hash", r->hash);
}

/* Text filters: printable, at most 128 bytes. */

static mq_err parse_filter(struct mq_req *req, struct mq_audit_filter *f)
{
    mq_err err = mq_api_query_time(req, "from", &f->from_ms);
    if (!err) err = mq_api_query_time(req, "to", &f->to_ms);
    if (!err) err = mq_api_query_text(req, "action", &f->action);
    if (!err) err = mq_api_query_text(req, "actor", &f->actor_id);
    if (!err) err = mq_api_query_text(req, "target", &f->target_id);
    if (!err) err = mq_api_query_text(req, "target_type", &f->target_type);
    return err;
}

/* How a list shows an entry (the admin's whole, a member's own part). */
struct entry_view {
    json_t *(*to_json)(const struct mq_audit_entry *);
};

static json_t *entry_item(const void *row, void *view)
{
    return ((const struct entry_view *)view)->to_json(row);
}

static const char *entry_position(struct mq_arena *a, const void *row, void *arg)
{
    (void)arg;
    return mq_arena_printf(a, "%lld", (long long)((const struct mq_audit_entry *)row)->seq);
}

/* One page of entries matching f, newest first, each shown by to_json. */
static mq_err reply_page(struct mq_req *req, struct mq_audit_filter *f, const struct mq_page *page,
                         json_t *(*to_json)(const struct mq_audit_entry *))
{
    size_t n = 0;
    if (page->after) {
        char *end;
        errno = 0;
        f->cursor = strtoll(page->after, &end, 10);
        if (errno || *end || f->cursor < 1)
            return mq_problem(req, 400, "invalid_cursor", NULL,
                              "cursor is not one this server handed out");
    }
    f->limit = page->fetch;
    struct mq_audit_entry *rows = mq_page_alloc(req, page, sizeof(*rows));
    if (!rows) return MQ_ENOMEM;
    mq_err err = mq_audit_list(req->ctx, req->arena, f, rows, &n);
    if (err) return err;
    struct entry_view view = {to_json};
    struct mq_page_rows r = {rows, n, sizeof(*rows), entry_item, entry_position, &view};
    return mq_page_answer(req, page, &r);
}

mq_err mq_api_admin_audit_list(struct mq_req *req)
{
    struct mq_page page;
    struct mq_audit_filter f = {0};
    mq_err err = mq_page_parse(req, &page);
    if (!err) err = parse_filter(req, &f);
    if (err) return err;
    return reply_page(req, &f, &page, row_json);
}

/* What a user sees of their own entries: no chain, actor or request id. */
static json_t *activity_json(const struct mq_audit_entry *r)
{
    json_t *doc = row_json(r);
    static const char *const internal[] = {"seq", "actor", "request_id", "prev_hash", "hash"};
    for (size_t i = 0; i < sizeof(internal) / sizeof(internal[0]); i++)
        json_object_del(doc, internal[i]);
    return doc;
}

/* The signed-in user's own security events (sign-ins, failures, lockouts,
 * sessions ended, ...) and what was done to their account (an admin
 * disabling it, changing its roles, impersonating them): the entries they
 * are the actor or the target of. */
mq_err mq_api_users_me_activity(struct mq_req *req)
{
    struct mq_page page;
    struct mq_audit_filter f = {0};
    mq_err err = mq_page_parse(req, &page);
    if (!err) err = mq_api_query_time(req, "from", &f.from_ms);
    if (!err) err = mq_api_query_time(req, "to", &f.to_ms);
    if (!err) err = mq_api_query_text(req, "action", &f.action);
    if (err) return err;
    f.subject_id = req->principal->user_id;
    return reply_page(req, &f, &page, activity_json);
}

/* The export's reader: fetches a page when its buffer runs dry. Owned by the
 * request (freed by export_done), with copies of the filter's strings. */
struct export
{
    struct mq_ctx *ctx;
    struct mq_audit_filter f;
    char *action, *actor, *target, *target_type;
    struct mq_buf buf;
    size_t sent;
    bool last_page;
};

static long export_read(void *state, char *out, size_t max)
{
    struct export *x = state;
    if (x->sent == x->buf.len) {
        if (x->last_page) return 0;
        struct mq_arena *a = mq_arena_new(64 * 1024);
        struct mq_audit_entry *rows = a ? mq_arena_calloc(a, EXPORT_PAGE, sizeof(*rows)) : NULL;
        size_t n = 0;
        mq_err err = rows ? mq_audit_list(x->ctx, a, &x->f, rows, &n) : MQ_ENOMEM;
        mq_buf_reset(&x->buf);
        x->sent = 0;
        for (size_t i = 0; !err && i < n; i++) {
            json_t *doc = row_json(&rows[i]);
            char *line = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
            err = line ? mq_buf_adds(&x->buf, line) : MQ_ENOMEM;
            if (!err) err = mq_buf_add(&x->buf, "\n", 1);
            free(line);
            json_decref(doc);
        }
        if (n) x->f.cursor = rows[n - 1].seq;
        x->last_page = n < EXPORT_PAGE;
        mq_arena_free(a);
        if (err) {
            mq_log_error(x->ctx->log, "audit", "export stopped: %s", mq_err_name(err));
            return -1;
        }
        if (x->buf.len == 0) return 0;
    }
    size_t n = x->buf.len - x->sent < max ? x->buf.len - x->sent : max;
    memcpy(out, x->buf.data + x->sent, n);
    x->sent += n;
    return (long)n;
}

static void export_done(void *state)
{
    struct export *x = state;
    mq_buf_cleanup(&x->buf);
    free(x->action);
    free(x->actor);
    free(x->target);
    free(x->target_type);
    free(x);
}

mq_err mq_api_admin_audit_export(struct mq_req *req)
{
    struct mq_audit_filter f = {0};
    mq_err err = parse_filter(req, &f);
    if (err) return err;
    struct export *x = calloc(1, sizeof(*x));
    if (!x) return MQ_ENOMEM;
    x->ctx = req->ctx;
    x->f = f;
    x->f.ascending = true;
    x->f.limit = EXPORT_PAGE;
    x->f.action = x->action = f.action ? strdup(f.action) : NULL;
    x->f.actor_id = x->actor = f.actor_id ? strdup(f.actor_id) : NULL;
    x->f.target_id = x->target = f.target_id ? strdup(f.target_id) : NULL;
    x->f.target_type = x->target_type = f.target_type ? strdup(f.target_type) : NULL;
    mq_buf_init(&x->buf, 64u << 20);
    (void)mq_reply_header(req, "Content-Disposition", "attachment; filename=\"audit-log.jsonl\"");
    return mq_reply_stream(req, 200, "application/x-ndjson", export_read, export_done, x);
}
