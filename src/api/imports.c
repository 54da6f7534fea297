/* imports.c - importing what members watched elsewhere (/api/v1/import/),
 * the review queue of rows nothing matched surely, and the aliases
 * resolutions taught (/api/v1/admin/aliases) (src/track/import.h). */
#include <stdlib.h>
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "api/refusal.h"
#include "auth/principal.h"
#include "core/uuid.h"
#include "http/form.h"
#include "http/page.h"
#include "track/import.h"

static mq_err import_not_found(struct mq_req *req)
{
    return mq_problem(req, 404, "import_not_found", NULL, "you have no import with that id");
}

static json_t *import_json(const struct mq_import_row *r)
{
    const struct mq_import_counts *c = &r->c;
    double progress = !strcmp(r->state, "done") ? 1.0
                      : c->total                ? (double)c->rows_read / (double)c->total
                                                : 0.0;
    json_t *o = json_pack("{s:s,s:o,s:s,s:o,s:s,s:f}", "id", r->id, "job_id",
                          mq_api_nullable(r->job_id), "format", r->format, "filename",
                          mq_api_nullable(r->filename), "state", r->state, "progress", progress);
    json_object_set_new(o, "rows",
                        json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "total", (json_int_t)c->total,
                                  "read", (json_int_t)c->rows_read, "skipped",
                                  (json_int_t)c->skipped, "matched", (json_int_t)c->matched,
                                  "needs_review", (json_int_t)c->review, "failed",
                                  (json_int_t)c->failed, "duplicates", (json_int_t)c->duplicates));
    json_object_set_new(o, "error", mq_api_nullable(r->error));
    json_object_set_new(o, "created_at", mq_api_time(r->created_at));
    json_object_set_new(o, "started_at", mq_api_time(r->started_at));
    json_object_set_new(o, "finished_at", mq_api_time(r->finished_at));
    return o;
}

static json_t *parsed(const char *text, json_t *fallback)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    if (!v) return fallback;
    json_decref(fallback);
    return v;
}

static json_t *line_json(const struct mq_import_line *l)
{
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:o,s:o,s:f}", "row", (json_int_t)l->line, "state", l->state, "raw",
                  l->raw ? l->raw : "", "title", mq_api_nullable(l->title), "item_id",
                  mq_api_nullable(l->item_id), "confidence", (double)l->confidence / 1000);
    json_object_set_new(o, "method", mq_api_nullable(l->method));
    json_object_set_new(o, "reason", mq_api_nullable(l->reason));
    json_object_set_new(o, "entry", parsed(l->entry, json_object()));
    json_object_set_new(o, "candidates", parsed(l->candidates, json_array()));
    return o;
}

/* The import's refusals: 413 too large, 415 not text, 429 the hourly
 * limit, 422 for the rest. */
static mq_err refused(struct mq_req *req, mq_err err, const struct mq_refusal *why)
{
    if (err == MQ_ECONFLICT && why->code && !strcmp(why->code, "too_many_imports"))
        return mq_problem(req, 429, why->code, NULL, "%s", why->detail);
    if (err == MQ_EUNSUPPORTED && why->code)
        return mq_problem(req, 415, why->code, NULL, "%s", why->detail);
    return mq_api_refused(req, err, why);
}

/* The options a member gives beside the file: in the query, or as form
 * fields. */
static mq_err option(struct mq_req *req, const struct mq_form *form, const char *name,
                     const char **out)
{
    const struct mq_form_field *f = form ? mq_form_get(form, name) : NULL;
    if (f) {
        *out = f->len && f->len <= 4096 && strlen(f->data) == f->len ? f->data : NULL;
        if (f->len && !*out)
            return mq_problem(req, 400, "invalid_body", json_pack("{s:s}", "field", name),
                              "%s is at most 4096 bytes of text", name);
        return MQ_OK;
    }
    return mq_req_query(req, name, out);
}

/* POST /api/v1/import/csv: the file as the body (text/csv, application/
 * json) or as the "file" field of a form; format, profile, profiles and
 * mapping in the query or the form. */
mq_err mq_api_import_csv(struct mq_req *req)
{
    struct mq_import_request r = {.user_id = req->principal->user_id};
    struct mq_form form;
    bool is_form = mq_req_is_form(req);
    const char *profiles = NULL, *mapping = NULL;
    struct mq_refusal why = {0};
    struct mq_import_row out;
    mq_err err = MQ_OK;
    if (is_form) {
        err = mq_req_form(req, &form);
        if (err == MQ_EPARSE)
            return mq_problem(req, 400, "malformed_form", NULL, "the form could not be read");
        if (err) return err;
        const struct mq_form_field *f = mq_form_get(&form, "file");
        if (!f)
            return mq_problem(req, 400, "invalid_body", json_pack("{s:s}", "field", "file"),
                              "the form has no \"file\" field");
        r.data = f->data;
        r.len = f->len;
        r.filename = f->filename;
    } else {
        r.data = req->body;
        r.len = req->body_len;
        if (!r.len) return mq_problem(req, 400, "empty_body", NULL, "the export is missing");
    }
    const struct mq_form *fp = is_form ? &form : NULL;
    err = option(req, fp, "format", &r.format);
    if (!err) err = option(req, fp, "profile", &r.profile);
    if (!err) err = option(req, fp, "profiles", &profiles);
    if (!err) err = option(req, fp, "mapping", &mapping);
    if (!err && !r.filename) err = option(req, fp, "filename", &r.filename);
    if (err) return err;
    if (mapping && !json_is_object(r.mapping = mq_req_keep(req, json_loads(mapping, 0, NULL))))
        return mq_problem(req, 422, "invalid_mapping", json_pack("{s:s}", "field", "mapping"),
                          "mapping is a JSON object of fields to column names");
    if (profiles) {
        r.profiles = mq_req_keep(req, json_loads(profiles, 0, NULL));
        if (!json_is_object(r.profiles))
            return mq_problem(req, 422, "invalid_profiles", json_pack("{s:s}", "field", "profiles"),
                              "profiles is a JSON object of Netflix profiles to members' ids");
        /* Another member's history is theirs: only those who may change
         * accounts write into it. */
        const char *key;
        json_t *v;
        json_object_foreach(r.profiles, key, v)
        {
            const char *uid = json_string_value(v);
            if (!uid || !mq_uuid_valid(uid, strlen(uid)))
                return mq_problem(req, 422, "invalid_profiles",
                                  json_pack("{s:s}", "field", "profiles"),
                                  "each profile maps to a member's id");
            if (strcmp(uid, req->principal->user_id) &&
                !mq_principal_allows(req->principal, "users:update"))
                return mq_problem(req, 403, "forbidden", NULL,
                                  "mapping profiles to other members needs users:update");
        }
    }
    if (r.filename && strlen(r.filename) > 255) r.filename = NULL;
    err = mq_import_start(req->ctx, req->arena, &r, &out, &why);
    if (err) return refused(req, err, &why);
    mq_req_audit(req, "import.started", req->actor_kind, "import", out.id,
                 json_pack("{s:s,s:I}", "format", out.format, "rows", (json_int_t)out.c.total));
    return mq_reply_json(req, 202, import_json(&out));
}

/* GET /api/v1/import/status/{jobId} (the import's id or its job's) */
mq_err mq_api_import_status(struct mq_req *req)
{
    struct mq_import_row r;
    mq_err err = mq_import_get(req->ctx, req->arena, req->principal->user_id,
                               mq_req_param(req, "jobId"), &r);
    if (err == MQ_ENOTFOUND) return import_not_found(req);
    if (err) return err;
    return mq_reply_json(req, 200, import_json(&r));
}

static json_t *import_item(const void *row, void *arg)
{
    (void)arg;
    return import_json(row);
}

static const char *import_position(struct mq_arena *a, const void *row, void *arg)
{
    const struct mq_import_row *r = row;
    (void)arg;
    return mq_arena_printf(a, "%lld\x1f%s", (long long)r->created_at, r->id);
}

/* GET /api/v1/import/history */
mq_err mq_api_import_history(struct mq_req *req)
{
    struct mq_page page;
    struct mq_track_after after = {0};
    struct mq_import_row *rows = NULL;
    size_t n = 0;
    mq_err err = mq_page_parse(req, &page);
    if (err) return err;
    if (page.after) {
        const char *sep = strchr(page.after, '\x1f');
        char *end = NULL;
        after.key = strtoll(page.after, &end, 10);
        if (!sep || end != sep || !mq_uuid_valid(sep + 1, strlen(sep + 1)))
            return mq_problem(req, 400, "invalid_cursor", NULL,
                              "cursor is not one this server handed out");
        after.has = true;
        after.id = sep + 1;
    }
    err = mq_import_list(req->ctx, req->arena, req->principal->user_id, &after, page.fetch, &rows,
                         &n);
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), import_item, import_position, NULL};
    return mq_page_answer(req, &page, &r);
}

static json_t *line_item(const void *row, void *arg)
{
    (void)arg;
    return line_json(row);
}

static const char *line_position(struct mq_arena *a, const void *row, void *arg)
{
    const struct mq_import_line *l = row;
    (void)arg;
    return mq_arena_printf(a, "%lld", (long long)l->line);
}

static mq_err answer_rows(struct mq_req *req, const char *state)
{
    struct mq_page page;
    struct mq_import_line *rows = NULL;
    size_t n = 0;
    int64_t after = 0;
    mq_err err = mq_page_parse(req, &page);
    if (err) return err;
    if (page.after) {
        char *end;
        after = strtoll(page.after, &end, 10);
        if (*end || after < 0)
            return mq_problem(req, 400, "invalid_cursor", NULL,
                              "cursor is not one this server handed out");
    }
    err = mq_import_rows(req->ctx, req->arena, req->principal->user_id, mq_req_param(req, "jobId"),
                         state, after, page.fetch, &rows, &n);
    if (err == MQ_ENOTFOUND) return import_not_found(req);
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), line_item, line_position, NULL};
    return mq_page_answer(req, &page, &r);
}

/* GET /api/v1/import/{jobId}/unmatched: the review queue */
mq_err mq_api_import_unmatched(struct mq_req *req)
{
    return answer_rows(req, "review");
}

static const char *const ROW_STATES[] = {"matched", "review", "resolved",  "dismissed",
                                         "skipped", "failed", "duplicate", NULL};

/* GET /api/v1/import/{jobId}/rows?state= */
mq_err mq_api_import_rows(struct mq_req *req)
{
    const char *state = NULL;
    mq_err err = mq_api_query_text(req, "state", &state);
    if (err) return err;
    int k = 0;
    while (state && ROW_STATES[k] && strcmp(ROW_STATES[k], state)) k++;
    if (state && !ROW_STATES[k])
        return mq_api_bad_filter(req, "state",
                                 "is one of matched, review, resolved, dismissed, skipped, failed, "
                                 "duplicate");
    return answer_rows(req, state);
}

/* POST /api/v1/import/{jobId}/unmatched/{row}/resolve {"media_id"} or {"skip": true} */
mq_err mq_api_import_resolve(struct mq_req *req)
{
    json_t *doc = NULL;
    const char *media_id = NULL;
    bool skip = false;
    struct mq_visible vis;
    struct mq_import_line out;
    struct mq_refusal why = {0};
    char *end;
    const char *row = mq_req_param(req, "row");
    long long line = strtoll(row, &end, 10);
    if (*end || end == row || line < 1) return import_not_found(req);
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "media_id", false, &media_id);
    if (!err) err = mq_api_bool_field(req, doc, "skip", &skip);
    if (err) return err;
    if (!media_id == !skip)
        return mq_problem(req, 422, "invalid_body", json_pack("{s:s}", "field", "media_id"),
                          "give media_id, or skip: true");
    err = mq_libraries_visible(req->ctx, req->arena, req->principal, &vis);
    if (!err)
        err =
            mq_import_resolve(req->ctx, req->arena, &vis, req->principal->user_id,
                              mq_req_param(req, "jobId"), line, skip ? NULL : media_id, &out, &why);
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "not_found", NULL, "no such import row, or no such work");
    if (err) return mq_api_refused(req, err, &why);
    return mq_reply_json(req, 200, line_json(&out));
}

/* POST /api/v1/import/manual {"title", "type", "year"?, "platform"?, "consumed_at"?, "status"?} */
mq_err mq_api_import_manual(struct mq_req *req)
{
    static const char *const known[] = {"title",       "type",   "year", "platform",
                                        "consumed_at", "status", NULL};
    json_t *doc = NULL, *v;
    const char *key, *consumed = NULL;
    struct mq_manual_entry e = {0};
    struct mq_visible vis;
    struct mq_import_row imp;
    struct mq_import_line line;
    struct mq_refusal why = {0};
    mq_err err = mq_api_body_object(req, &doc);
    if (err) return err;
    json_object_foreach(doc, key, v)
    {
        int k = 0;
        while (known[k] && strcmp(known[k], key)) k++;
        if (!known[k])
            return mq_problem(req, 422, "unknown_field", json_pack("{s:s}", "field", key),
                              "%s is not a part of an entry", key);
    }
    err = mq_api_string_field(req, doc, "title", true, &e.title);
    if (!err) err = mq_api_string_field(req, doc, "type", true, &e.kind);
    if (!err) err = mq_api_string_field(req, doc, "platform", false, &e.platform);
    if (!err) err = mq_api_string_field(req, doc, "status", false, &e.status);
    if (!err) err = mq_api_string_field(req, doc, "consumed_at", false, &consumed);
    if (err) return err;
    v = json_object_get(doc, "year");
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v))
            return mq_problem(req, 422, "invalid_year", json_pack("{s:s}", "field", "year"),
                              "year is a whole number");
        e.year = (int)json_integer_value(v);
    }
    if (consumed && (mq_time_parse_rfc3339(consumed, &e.consumed_at) || e.consumed_at <= 0))
        return mq_problem(req, 422, "invalid_consumed_at",
                          json_pack("{s:s}", "field", "consumed_at"),
                          "consumed_at is an RFC 3339 instant");
    if (e.platform && (!*e.platform || strlen(e.platform) > 64))
        return mq_problem(req, 422, "invalid_platform", json_pack("{s:s}", "field", "platform"),
                          "platform is 1 to 64 bytes");
    err = mq_libraries_visible(req->ctx, req->arena, req->principal, &vis);
    if (!err)
        err = mq_import_manual(req->ctx, req->arena, &vis, req->principal->user_id, &e, &imp, &line,
                               &why);
    if (err) return mq_api_refused(req, err, &why);
    json_t *o = line_json(&line);
    json_object_set_new(o, "import", import_json(&imp));
    return mq_reply_json(req, 201, o);
}

static json_t *alias_item(const void *row, void *arg)
{
    const struct mq_alias_row *r = row;
    (void)arg;
    json_t *o = json_pack("{s:s,s:s,s:s}", "key", r->key, "title", r->title, "item_id", r->item_id);
    json_object_set_new(o, "created_by", mq_api_nullable(r->created_by));
    json_object_set_new(o, "created_at", mq_api_time(r->created_at));
    return o;
}

static const char *alias_position(struct mq_arena *a, const void *row, void *arg)
{
    (void)a;
    (void)arg;
    return ((const struct mq_alias_row *)row)->key;
}

/* GET /api/v1/admin/aliases */
mq_err mq_api_admin_aliases(struct mq_req *req)
{
    struct mq_page page;
    struct mq_alias_row *rows = NULL;
    size_t n = 0;
    mq_err err = mq_page_parse(req, &page);
    if (!err) err = mq_alias_list(req->ctx, req->arena, page.after, page.fetch, &rows, &n);
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), alias_item, alias_position, NULL};
    return mq_page_answer(req, &page, &r);
}

/* DELETE /api/v1/admin/aliases/{key} */
mq_err mq_api_admin_alias_delete(struct mq_req *req)
{
    const char *key = mq_req_param(req, "key");
    mq_err err = key && strlen(key) < 600 ? mq_alias_delete(req->ctx, key) : MQ_ENOTFOUND;
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "alias_not_found", NULL, "no alias has that key");
    if (err) return err;
    mq_req_audit(req, "alias.deleted", req->actor_kind, "alias", key, NULL);
    return mq_reply_empty(req, 204);
}
