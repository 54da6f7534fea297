/* parental.c - parental controls: a member's own
 * (/api/v1/users/me/parental-controls), an admin's for any member, and
 * the PIN that lifts the rating limit for a while (src/media/parental.h). */
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "api/refusal.h"
#include "auth/principal.h"
#include "core/uuid.h"
#include "media/parental.h"

struct change_job {
    const char *user_id, *by, *current_pin;
    bool as_admin;
    struct mq_parental_change c;
};

static json_t *controls_json(struct mq_req *req, const struct mq_parental *p, bool mine)
{
    json_t *o = mq_parental_json(p);
    if (mine) {
        struct mq_restriction r;
        if (!mq_parental_restriction(req->ctx, req->arena, req->principal, &r)) {
            json_object_set_new(o, "unlocked_until", mq_api_time(r.unlocked_until));
            json_object_set_new(o, "viewing_open", json_boolean(!r.closed));
            json_object_set_new(o, "opens_at", mq_api_time(r.closed ? r.opens_at : 0));
        }
    }
    return o;
}

/* GET /api/v1/users/me/parental-controls */
mq_err mq_api_parental_get(struct mq_req *req)
{
    struct mq_parental p;
    mq_err err = mq_parental_get(req->ctx, req->arena, req->principal->user_id, &p);
    if (err) return err;
    return mq_reply_json(req, 200, controls_json(req, &p, true));
}

/* The body: each part present is changed; null clears it. */
static mq_err read_change(struct mq_req *req, struct change_job *j)
{
    json_t *doc = NULL;
    mq_err err = mq_api_body_object(req, &doc);
    if (err) return err;
    static const char *const known[] = {"max_rating", "unrated",     "windows",
                                        "pin",        "current_pin", NULL};
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v)
    {
        int k = 0;
        while (known[k] && strcmp(known[k], key)) k++;
        if (!known[k])
            return mq_problem(req, 422, "unknown_field", json_pack("{s:s}", "field", key),
                              "%s is not a part of parental controls", key);
    }
    struct {
        const char *name;
        bool *has;
        const char **value;
    } strs[] = {{"max_rating", &j->c.has_max_rating, &j->c.max_rating},
                {"unrated", &j->c.has_unrated, &j->c.unrated},
                {"pin", &j->c.has_pin, &j->c.pin}};
    for (size_t i = 0; i < 3; i++) {
        v = json_object_get(doc, strs[i].name);
        if (!v) continue;
        if (!json_is_null(v) && (!json_is_string(v) || json_string_length(v) > 64))
            return mq_problem(req, 422, "invalid_body", json_pack("{s:s}", "field", strs[i].name),
                              "%s is a string or null", strs[i].name);
        *strs[i].has = true;
        *strs[i].value = json_string_value(v);
    }
    v = json_object_get(doc, "windows");
    if (v) {
        j->c.has_windows = true;
        j->c.windows = json_is_null(v) ? NULL : v;
    }
    v = json_object_get(doc, "current_pin");
    if (v && !json_is_string(v))
        return mq_problem(req, 422, "invalid_body", json_pack("{s:s}", "field", "current_pin"),
                          "current_pin is a string");
    j->current_pin = json_string_value(v);
    return MQ_OK;
}

static mq_err change_work(struct mq_req *req, void *arg)
{
    struct change_job *j = arg;
    struct mq_parental out;
    struct mq_refusal why = {0};
    mq_err err = mq_parental_update(req->ctx, req->arena, j->user_id, &j->c, j->as_admin,
                                    j->current_pin, j->by, &out, &why);
    if (err == MQ_EPERM && why.code && strcmp(why.code, "pin_required"))
        mq_req_audit(req, "parental.pin_failed", req->actor_kind, "user", j->user_id,
                     json_pack("{s:s}", "code", why.code));
    if (err) return mq_api_refused(req, err, &why);
    mq_req_audit(req, "parental.updated", req->actor_kind, "user", j->user_id,
                 json_pack("{s:o,s:b,s:b}", "max_rating", mq_api_nullable(out.max_rating),
                           "unrated_blocked", out.block_unrated, "pin_set", out.pin_set));
    return mq_reply_json(req, 200, controls_json(req, &out, !j->as_admin));
}

/* PATCH /api/v1/users/me/parental-controls */
mq_err mq_api_parental_update(struct mq_req *req)
{
    struct change_job *j = mq_arena_calloc(req->arena, 1, sizeof(*j));
    if (!j) return MQ_ENOMEM;
    mq_err err = read_change(req, j);
    if (err) return err;
    j->user_id = j->by = req->principal->user_id;
    return mq_req_offload(req, req->ctx->cpu_pool, change_work, j);
}

/* PATCH /api/v1/admin/users/{id}/parental-controls */
mq_err mq_api_admin_parental_update(struct mq_req *req)
{
    struct change_job *j = mq_arena_calloc(req->arena, 1, sizeof(*j));
    if (!j) return MQ_ENOMEM;
    const char *id = mq_req_param(req, "id");
    if (!mq_uuid_valid(id, strlen(id)))
        return mq_problem(req, 404, "user_not_found", NULL, "no account has that id");
    mq_err err = read_change(req, j);
    if (err) return err;
    j->user_id = id;
    j->by = req->principal ? req->principal->user_id : NULL;
    j->as_admin = true;
    return mq_req_offload(req, req->ctx->cpu_pool, change_work, j);
}

struct pin_job {
    const char *pin;
};

static mq_err pin_work(struct mq_req *req, void *arg)
{
    struct pin_job *j = arg;
    struct mq_refusal why = {0};
    int64_t until = 0;
    mq_err err = mq_parental_verify_pin(req->ctx, req->principal->user_id,
                                        req->principal->session_id, j->pin, &until, &why);
    if (err == MQ_EPERM && why.code &&
        (!strcmp(why.code, "invalid_pin") || !strcmp(why.code, "pin_locked")))
        mq_req_audit(req, "parental.pin_failed", req->actor_kind, "user", req->principal->user_id,
                     json_pack("{s:s}", "code", why.code));
    if (err) return mq_api_refused(req, err, &why);
    mq_req_audit(req, "parental.unlocked", req->actor_kind, "user", req->principal->user_id, NULL);
    return mq_reply_json(req, 200, json_pack("{s:o}", "unlocked_until", mq_api_time(until)));
}

/* POST /api/v1/users/me/parental-controls/verify-pin {"pin"} */
mq_err mq_api_parental_verify_pin(struct mq_req *req)
{
    struct pin_job *j = mq_arena_calloc(req->arena, 1, sizeof(*j));
    json_t *doc = NULL;
    if (!j) return MQ_ENOMEM;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "pin", true, &j->pin);
    if (err) return err;
    return mq_req_offload(req, req->ctx->cpu_pool, pin_work, j);
}
