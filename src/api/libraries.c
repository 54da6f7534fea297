/* libraries.c - libraries for members (/api/v1/libraries) and their
 * administration (/api/v1/admin/libraries): src/media/libraries.h. */
#include <string.h>

#include "api/body.h"
#include "metadata/identify.h"
#include "metadata/provider.h"
#include "api/handlers.h"
#include "api/refusal.h"
#include "auth/principal.h"
#include "core/uuid.h"
#include "http/page.h"
#include "media/conf.h"
#include "media/libraries.h"
#include "media/scanner.h"

#define SCAN_INTERVAL_MAX_S (30LL * 86400)

static json_t *path_json(const struct mq_library_path_row *p)
{
    return json_pack("{s:s,s:s,s:o}", "id", p->id, "path", p->path, "added_at",
                     mq_api_time(p->created_at));
}

/* Folders are the server's file system layout: only for those who manage
 * libraries. */
static json_t *mq_api_library_json(const struct mq_library *l, bool with_paths)
{
    const struct mq_library_row *r = &l->row;
    json_t *o = json_pack("{s:s,s:s,s:s,s:b,s:o,s:o}", "id", r->id, "name", r->name, "type",
                          r->kind, "restricted", r->restricted, "created_at",
                          mq_api_time(r->created_at), "updated_at", mq_api_time(r->updated_at));
    json_object_set_new(o, "scan_interval",
                        r->scan_interval < 0 ? json_null() : json_integer(r->scan_interval / 1000));
    json_object_set_new(
        o, "watch",
        json_pack("{s:s,s:o}", "state", r->watch_state, "error", mq_api_nullable(r->watch_error)));
    if (with_paths) {
        /* The providers asked, in order; "default" tells whether it is the
         * kind's own. */
        const char *order =
            r->metadata_order ? r->metadata_order : mq_provider_default_order(r->kind);
        json_t *mo = json_loads(order, 0, NULL);
        json_object_set_new(o, "metadata_order", json_is_array(mo) ? mo : json_array());
        json_object_set_new(o, "metadata_order_default", json_boolean(!r->metadata_order));
        json_t *paths = json_array();
        for (size_t i = 0; i < l->npaths; i++)
            json_array_append_new(paths, path_json(&l->paths[i]));
        json_object_set_new(o, "paths", paths);
    }
    return o;
}

static bool manager(const struct mq_req *req)
{
    return req->principal ? mq_principal_allows(req->principal, "libraries:manage")
                          : req->actor_kind && !strcmp(req->actor_kind, "admin_token");
}

static mq_err not_found(struct mq_req *req)
{
    return mq_problem(req, 404, "library_not_found", NULL, "no library has that id");
}

/* A library id from the path: anything but a UUID is no library. */
static const char *library_id(struct mq_req *req)
{
    const char *id = mq_req_param(req, "id");
    return id && mq_uuid_valid(id, strlen(id)) ? id : NULL;
}

/* GET /api/v1/libraries */
mq_err mq_api_libraries_list(struct mq_req *req)
{
    struct mq_visible vis;
    struct mq_library *libs = NULL;
    size_t n = 0;
    mq_err err = mq_libraries_visible(req->ctx, req->arena, req->principal, &vis);
    if (!err) err = mq_libraries_list(req->ctx, req->arena, &vis, &libs, &n);
    if (err) return err;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, mq_api_library_json(&libs[i], manager(req)));
    return mq_reply_json(req, 200, json_pack("{s:o,s:n}", "items", items, "next_cursor"));
}

/* GET /api/v1/libraries/{id} */
mq_err mq_api_libraries_get(struct mq_req *req)
{
    struct mq_visible vis;
    struct mq_library lib;
    const char *id = library_id(req);
    if (!id) return not_found(req);
    mq_err err = mq_libraries_visible(req->ctx, req->arena, req->principal, &vis);
    if (!err) err = mq_libraries_get(req->ctx, req->arena, &vis, id, &lib);
    if (err == MQ_ENOTFOUND) return not_found(req);
    if (err) return err;
    return mq_reply_json(req, 200, mq_api_library_json(&lib, manager(req)));
}

/* scan_interval: seconds, 0 = never, null = the server's; *ms is
 * MQ_LIBRARY_KEEP when absent. */
static mq_err scan_interval_field(struct mq_req *req, json_t *doc, int64_t *ms)
{
    json_t *v = json_object_get(doc, "scan_interval");
    *ms = MQ_LIBRARY_KEEP;
    if (!v) return MQ_OK;
    if (json_is_null(v)) {
        *ms = -1;
        return MQ_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > SCAN_INTERVAL_MAX_S ||
        (json_integer_value(v) > 0 && json_integer_value(v) < 60))
        return mq_problem(req, 422, "invalid_scan_interval",
                          json_pack("{s:s}", "field", "scan_interval"),
                          "scan_interval is a number of seconds from 60 to 2592000, 0 for never, "
                          "or null for the server's setting");
    *ms = json_integer_value(v) * 1000;
    return MQ_OK;
}

static void audit_library(struct mq_req *req, const char *action, const char *id, json_t *details)
{
    mq_req_audit(req, action, req->actor_kind, "library", id, details);
}

/* POST /api/v1/admin/libraries */
mq_err mq_api_admin_libraries_create(struct mq_req *req)
{
    json_t *doc = NULL;
    struct mq_library_new in = {.scan_interval = -1};
    struct mq_library lib;
    struct mq_refusal why = {0};
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "name", true, &in.name);
    if (!err) err = mq_api_string_field(req, doc, "type", true, &in.kind);
    if (!err) err = mq_api_bool_field(req, doc, "restricted", &in.restricted);
    int64_t interval;
    if (!err) err = scan_interval_field(req, doc, &interval);
    if (err) return err;
    if (interval != MQ_LIBRARY_KEEP) in.scan_interval = interval;
    json_t *paths = json_object_get(doc, "paths");
    if (!json_is_array(paths) || !json_array_size(paths) ||
        json_array_size(paths) > MQ_LIBRARY_PATHS_MAX)
        return mq_problem(req, 422, "invalid_path", json_pack("{s:s}", "field", "paths"),
                          "paths is a list of 1 to %d absolute folder paths", MQ_LIBRARY_PATHS_MAX);
    const char **list = mq_arena_alloc(req->arena, json_array_size(paths) * sizeof(*list));
    if (!list) return MQ_ENOMEM;
    for (size_t i = 0; i < json_array_size(paths); i++) {
        list[i] = json_string_value(json_array_get(paths, i));
        if (!list[i] || strlen(list[i]) > MQ_API_STRING_MAX)
            return mq_problem(req, 422, "invalid_path", json_pack("{s:s}", "field", "paths"),
                              "each path is a string of at most %d bytes", MQ_API_STRING_MAX);
    }
    in.paths = list;
    in.npaths = json_array_size(paths);
    err = mq_libraries_create(req->ctx, req->arena, &in, &lib, &why);
    if (err) return mq_api_refused(req, err, &why);
    audit_library(req, "library.created", lib.row.id,
                  json_pack("{s:s,s:s,s:b}", "name", lib.row.name, "type", lib.row.kind,
                            "restricted", lib.row.restricted));
    return mq_reply_json(req, 201, mq_api_library_json(&lib, true));
}

/* GET /api/v1/admin/filesystem?path=: the folders in one folder of the
 * server, for the picker of library folders. Audited: it shows an admin
 * what the server can read. */
mq_err mq_api_admin_filesystem(struct mq_req *req)
{
    const char *path = NULL;
    struct mq_folder_listing l;
    struct mq_refusal why = {0};
    mq_err err = mq_req_query(req, "path", &path);
    if (err) return err;
    err = mq_libraries_browse(req->arena, path, &l, &why);
    if (err) return mq_api_refused(req, err, &why);
    mq_req_audit(req, "admin.filesystem_browse", req->actor_kind, "folder", NULL,
                 json_pack("{s:s}", "path", l.path));
    json_t *items = json_array();
    for (size_t i = 0; items && i < l.n; i++)
        json_array_append_new(
            items, json_pack("{s:s,s:s}", "name", l.names[i], "path",
                             mq_arena_printf(req->arena, "%s/%s", strcmp(l.path, "/") ? l.path : "",
                                             l.names[i])));
    return mq_reply_json(req, 200,
                         json_pack("{s:s,s:o,s:o,s:b}", "path", l.path, "parent",
                                   l.parent ? json_string(l.parent) : json_null(), "items", items,
                                   "truncated", l.truncated));
}

/* PATCH /api/v1/admin/libraries/{id} */
mq_err mq_api_admin_libraries_update(struct mq_req *req)
{
    json_t *doc = NULL;
    struct mq_library_patch p = {.restricted = -1};
    struct mq_library lib;
    struct mq_refusal why = {0};
    const char *id = library_id(req);
    if (!id) return not_found(req);
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "name", false, &p.name);
    bool restricted;
    json_t *r = doc ? json_object_get(doc, "restricted") : NULL;
    if (!err) err = mq_api_bool_field(req, doc, "restricted", &restricted);
    if (!err) err = scan_interval_field(req, doc, &p.scan_interval);
    if (err) return err;
    if (r) p.restricted = restricted;
    json_t *mo = json_object_get(doc, "metadata_order");
    const char *rule = NULL;
    if (json_is_null(mo)) {
        p.metadata_order = ""; /* back to the kind's default */
    } else if (mo) {
        if (!mq_provider_order_valid(mo, &rule))
            return mq_problem(req, 422, "invalid_metadata_order",
                              json_pack("{s:s}", "field", "metadata_order"), "%s", rule);
        char *text = json_dumps(mo, JSON_COMPACT);
        p.metadata_order = text ? mq_arena_strdup(req->arena, text) : NULL;
        free(text);
        if (!p.metadata_order) return MQ_ENOMEM;
    }
    if (json_object_get(doc, "type"))
        return mq_problem(req, 422, "type_fixed", json_pack("{s:s}", "field", "type"),
                          "a library's type cannot change; make a new library");
    err = mq_libraries_update(req->ctx, req->arena, id, &p, &lib, &why);
    if (err == MQ_ENOTFOUND) return not_found(req);
    if (err) return mq_api_refused(req, err, &why);
    audit_library(req, "library.updated", id,
                  json_pack("{s:s,s:b}", "name", lib.row.name, "restricted", lib.row.restricted));
    return mq_reply_json(req, 200, mq_api_library_json(&lib, true));
}

/* DELETE /api/v1/admin/libraries/{id} */
mq_err mq_api_admin_libraries_delete(struct mq_req *req)
{
    const char *id = library_id(req);
    mq_err err = id ? mq_libraries_delete(req->ctx, id) : MQ_ENOTFOUND;
    if (err == MQ_ENOTFOUND) return not_found(req);
    if (err) return err;
    audit_library(req, "library.deleted", id, NULL);
    return mq_reply_empty(req, 204);
}

/* POST /api/v1/admin/libraries/{id}/paths */
mq_err mq_api_admin_libraries_path_add(struct mq_req *req)
{
    json_t *doc = NULL;
    const char *path = NULL;
    struct mq_library_path_row row;
    struct mq_refusal why = {0};
    const char *id = library_id(req);
    if (!id) return not_found(req);
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "path", true, &path);
    if (err) return err;
    err = mq_libraries_add_path(req->ctx, req->arena, id, path, &row, &why);
    if (err == MQ_ENOTFOUND) return not_found(req);
    if (why.code && !strcmp(why.field, "paths")) why.field = "path";
    if (err) return mq_api_refused(req, err, &why);
    audit_library(req, "library.path_added", id, json_pack("{s:s}", "path", row.path));
    return mq_reply_json(req, 201, path_json(&row));
}

/* DELETE /api/v1/admin/libraries/{id}/paths/{pathId} */
mq_err mq_api_admin_libraries_path_remove(struct mq_req *req)
{
    struct mq_refusal why = {0};
    const char *id = library_id(req), *pid = mq_req_param(req, "pathId");
    mq_err err = id && mq_uuid_valid(pid, strlen(pid))
                     ? mq_libraries_remove_path(req->ctx, id, pid, &why)
                     : MQ_ENOTFOUND;
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "path_not_found", NULL, "the library has no such folder");
    if (err) return mq_api_refused(req, err, &why);
    audit_library(req, "library.path_removed", id, json_pack("{s:s}", "path_id", pid));
    return mq_reply_empty(req, 204);
}

static json_t *grant_json(const struct mq_library_grant_row *g)
{
    return json_pack("{s:o,s:o,s:o,s:o}", "user_id", mq_api_nullable(g->user_id), "role",
                     mq_api_nullable(g->role), "granted_by", mq_api_nullable(g->created_by),
                     "granted_at", mq_api_time(g->created_at));
}

/* GET /api/v1/admin/libraries/{id}/access */
mq_err mq_api_admin_libraries_access_list(struct mq_req *req)
{
    struct mq_library_grant_row *rows = NULL;
    size_t n = 0;
    const char *id = library_id(req);
    mq_err err = id ? mq_libraries_grants(req->ctx, req->arena, id, &rows, &n) : MQ_ENOTFOUND;
    if (err == MQ_ENOTFOUND) return not_found(req);
    if (err) return err;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(items, grant_json(&rows[i]));
    return mq_reply_json(req, 200, json_pack("{s:o,s:n}", "items", items, "next_cursor"));
}

/* POST /api/v1/admin/libraries/{id}/access {"user_id"} or {"role"} */
mq_err mq_api_admin_libraries_access_grant(struct mq_req *req)
{
    json_t *doc = NULL;
    const char *user_id = NULL, *role = NULL;
    struct mq_refusal why = {0};
    const char *id = library_id(req);
    if (!id) return not_found(req);
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "user_id", false, &user_id);
    if (!err) err = mq_api_string_field(req, doc, "role", false, &role);
    if (err) return err;
    if (!user_id == !role)
        return mq_problem(req, 422, "invalid_grant", json_pack("{s:s}", "field", "user_id"),
                          "give either user_id or role");
    const char *by = req->principal ? req->principal->user_id : NULL;
    err = mq_libraries_grant(req->ctx, id, user_id, role, by, &why);
    if (err) return mq_api_refused(req, err, &why);
    audit_library(
        req, "library.access_granted", id,
        json_pack("{s:o,s:o}", "user_id", mq_api_nullable(user_id), "role", mq_api_nullable(role)));
    struct mq_library_grant_row g = {id, user_id, role, by, mq_clock_now_ms(req->ctx->clock)};
    return mq_reply_json(req, 201, grant_json(&g));
}

static mq_err revoke(struct mq_req *req, const char *user_id, const char *role)
{
    const char *id = library_id(req);
    mq_err err = id ? mq_libraries_revoke(req->ctx, id, user_id, role) : MQ_ENOTFOUND;
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "grant_not_found", NULL, "the library is not granted so");
    if (err) return err;
    audit_library(
        req, "library.access_revoked", id,
        json_pack("{s:o,s:o}", "user_id", mq_api_nullable(user_id), "role", mq_api_nullable(role)));
    return mq_reply_empty(req, 204);
}

/* DELETE /api/v1/admin/libraries/{id}/access/{userId} */
mq_err mq_api_admin_libraries_access_revoke_user(struct mq_req *req)
{
    return revoke(req, mq_req_param(req, "userId"), NULL);
}

/* DELETE /api/v1/admin/libraries/{id}/access/roles/{role} */
mq_err mq_api_admin_libraries_access_revoke_role(struct mq_req *req)
{
    return revoke(req, NULL, mq_req_param(req, "role"));
}

static json_t *scan_json(const struct mq_library_scan_row *r, int64_t now)
{
    int64_t done = r->seen;
    int64_t end = r->finished_at ? r->finished_at : now;
    double secs = (double)(end - r->started_at) / 1000;
    double rate = secs > 0 ? (double)done / secs : 0;
    json_t *eta = !strcmp(r->state, "running") && rate > 0 && r->total >= done
                      ? json_integer((json_int_t)((double)(r->total - done) / rate))
                      : json_null();
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:b,s:o,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:f,s:o,s:o,s:o,s:o,"
        "s:o}",
        "id", r->id, "state", r->state, "phase", r->phase, "full", r->full, "job_id",
        mq_api_nullable(r->job_id), "files", "total", (json_int_t)r->total, "seen",
        (json_int_t)r->seen, "new", (json_int_t)r->new_files, "changed", (json_int_t)r->changed,
        "unchanged", (json_int_t)r->unchanged, "moved", (json_int_t)r->moved, "probed",
        (json_int_t)r->probed, "skipped", (json_int_t)r->skipped, "failed", (json_int_t)r->failed,
        "missing", (json_int_t)r->missing, "removed", (json_int_t)r->removed, "files_per_second",
        (double)(int64_t)(rate * 10) / 10, "eta_seconds", eta, "error", mq_api_nullable(r->error),
        "started_at", mq_api_time(r->started_at), "updated_at", mq_api_time(r->updated_at),
        "finished_at", mq_api_time(r->finished_at));
    return o;
}

/* POST /api/v1/admin/libraries/{id}/scan {"full"?: bool} */
mq_err mq_api_admin_libraries_scan(struct mq_req *req)
{
    const char *id = library_id(req);
    json_t *doc = NULL;
    bool full = false;
    struct mq_job job;
    struct mq_refusal why = {0};
    if (!id) return not_found(req);
    if (req->body_len) {
        mq_err err = mq_api_body_object(req, &doc);
        if (!err) err = mq_api_bool_field(req, doc, "full", &full);
        if (err) return err;
    }
    const char *by = req->principal ? req->principal->user_id : NULL;
    mq_err err = mq_scan_request(req->ctx, req->arena, id, full, by, &job, &why);
    if (err == MQ_ENOTFOUND) return not_found(req);
    if (err) return mq_api_refused(req, err, &why);
    audit_library(req, "library.scan_requested", id,
                  json_pack("{s:b,s:s}", "full", full, "job_id", job.id));
    return mq_reply_json(
        req, 202, json_pack("{s:s,s:s,s:b}", "job_id", job.id, "state", "queued", "full", full));
}

/* GET /api/v1/admin/libraries/{id}/scan */
mq_err mq_api_admin_libraries_scan_status(struct mq_req *req)
{
    const char *id = library_id(req);
    struct mq_library_scan_row row;
    bool never = false;
    mq_err err = id ? mq_scan_status(req->ctx, req->arena, id, &row, &never) : MQ_ENOTFOUND;
    if (err == MQ_ENOTFOUND) return not_found(req);
    if (err) return err;
    /* Identification follows the scan: its progress beside the scan's. */
    int64_t counts[5];
    err = mq_metadata_counts(req->ctx, id, counts);
    if (err) return err;
    json_t *ident = json_object();
    for (int k = 0; k < 5; k++)
        json_object_set_new(ident, mq_match_states[k], json_integer(counts[k]));
    json_t *o = never ? json_pack("{s:s,s:n}", "state", "idle", "files")
                      : scan_json(&row, mq_clock_now_ms(req->ctx->clock));
    json_object_set_new(o, "identification", ident);
    return mq_reply_json(req, 200, o);
}
