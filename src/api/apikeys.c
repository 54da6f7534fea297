/* apikeys.c - a user's own API keys. */
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "api/refusal.h"
#include "auth/apikeys.h"
#include "auth/principal.h"
#include "core/clock.h"
#include "core/uuid.h"

static json_t *key_json(const struct mq_apikey *k)
{
    json_t *scopes = json_loads(k->scopes, 0, NULL);
    return json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "id", k->id, "name", k->name, "scopes",
                     scopes ? scopes : json_array(), "rate_limit", mq_api_nullable(k->rate_limit),
                     "created_at", mq_api_time(k->created_at), "expires_at",
                     mq_api_time(k->expires_at), "last_used_at", mq_api_time(k->last_used_at),
                     "last_used_ip", mq_api_nullable(k->last_used_ip));
}

/* Reads name, scopes, expires_at and rate_limit; each may be absent. */
static mq_err read_spec(struct mq_req *req, json_t *doc, struct mq_apikey_spec *s)
{
    *s = (struct mq_apikey_spec){0};
    mq_err err = mq_api_string_field(req, doc, "name", false, &s->name);
    if (!err) err = mq_api_string_field(req, doc, "rate_limit", false, &s->rate_limit);
    if (err) return err;
    s->scopes = json_object_get(doc, "scopes");
    json_t *exp = json_object_get(doc, "expires_at");
    if (json_is_null(json_object_get(doc, "rate_limit"))) s->rate_limit = "";
    if (!exp) return MQ_OK;
    s->set_expiry = true;
    if (json_is_null(exp)) return MQ_OK;
    if (!json_is_string(exp) || mq_time_parse_rfc3339(json_string_value(exp), &s->expires_at))
        return mq_problem(req, 400, "invalid_body", json_pack("{s:s}", "field", "expires_at"),
                          "expires_at must be an RFC 3339 instant or null");
    return MQ_OK;
}

/* GET /api/v1/users/me/api-keys */
mq_err mq_api_apikeys_list(struct mq_req *req)
{
    struct mq_apikey *rows = NULL;
    size_t n = 0;
    mq_err err = mq_apikeys_list(req->ctx, req->arena, req->principal->user_id, &rows, &n);
    if (err) return err;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++) json_array_append_new(items, key_json(&rows[i]));
    return mq_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

/* POST /api/v1/users/me/api-keys {"name", "scopes", "expires_at"?, "rate_limit"?} */
mq_err mq_api_apikeys_create(struct mq_req *req)
{
    const struct mq_principal *who = req->principal;
    struct mq_apikey_spec spec;
    struct mq_apikey row;
    struct mq_refusal why = {0};
    char *key = NULL;
    json_t *doc = NULL;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = read_spec(req, doc, &spec);
    if (err) return err;
    err = mq_apikey_create(req->ctx, req->arena, who, &spec, &row, &key, &why);
    if (err) return mq_api_refused(req, err, &why);
    json_t *doc_out = key_json(&row);
    mq_req_audit(req, "api_key.create", "user", "api_key", row.id,
                 json_pack("{s:s,s:O,s:o}", "name", row.name, "scopes",
                           json_object_get(doc_out, "scopes"), "expires_at",
                           mq_api_time(row.expires_at)));
    json_object_set_new(doc_out, "key", json_string(key));
    (void)mq_reply_header(req, "Cache-Control", "no-store");
    return mq_reply_json(req, 201, doc_out);
}

static mq_err key_not_found(struct mq_req *req)
{
    return mq_problem(req, 404, "api_key_not_found", NULL, "you have no live key with that id");
}

/* PATCH /api/v1/users/me/api-keys/{id} */
mq_err mq_api_apikeys_update(struct mq_req *req)
{
    const struct mq_principal *who = req->principal;
    struct mq_apikey_spec spec;
    struct mq_apikey before, after;
    struct mq_refusal why = {0};
    const char *id = mq_req_param(req, "id");
    json_t *doc = NULL;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = read_spec(req, doc, &spec);
    if (err) return err;
    if (!mq_uuid_valid(id, strlen(id))) return key_not_found(req);
    err = mq_apikey_update(req->ctx, req->arena, who, id, &spec, &before, &after, &why);
    if (err == MQ_ENOTFOUND) return key_not_found(req);
    if (err) return mq_api_refused(req, err, &why);
    json_t *doc_out = key_json(&after);
    mq_req_audit(req, "api_key.update", "user", "api_key", id,
                 json_pack("{s:o,s:O}", "before", key_json(&before), "after", doc_out));
    return mq_reply_json(req, 200, doc_out);
}

/* DELETE /api/v1/users/me/api-keys/{id} */
mq_err mq_api_apikeys_delete(struct mq_req *req)
{
    const char *id = mq_req_param(req, "id");
    mq_err err = mq_uuid_valid(id, strlen(id))
                     ? mq_apikey_revoke(req->ctx, req->principal->user_id, id)
                     : MQ_ENOTFOUND;
    if (err == MQ_ENOTFOUND) return key_not_found(req);
    if (err) return err;
    mq_req_audit(req, "api_key.revoke", "user", "api_key", id, NULL);
    return mq_reply_empty(req, 204);
}
