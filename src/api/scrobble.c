/* scrobble.c - webhooks from Plex, Jellyfin and Emby (/api/v1/scrobble/
 * {token}: the token in the URL is the credential, as those servers can
 * only be given a URL) and the member's tokens for them
 * (/api/v1/users/me/scrobble-tokens) (src/track/scrobble.h). */
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "api/refusal.h"
#include "auth/principal.h"
#include "http/form.h"
#include "http/page.h"
#include "track/scrobble.h"

static json_t *token_json(const struct mq_scrobble_token_row *r)
{
    json_t *o = json_pack("{s:s,s:s}", "id", r->id, "name", r->name);
    json_object_set_new(o, "created_at", mq_api_time(r->created_at));
    json_object_set_new(o, "last_used_at", mq_api_time(r->last_used_at));
    return o;
}

static json_t *token_item(const void *row, void *arg)
{
    (void)arg;
    return token_json(row);
}

/* GET /api/v1/users/me/scrobble-tokens */
mq_err mq_api_scrobble_tokens(struct mq_req *req)
{
    struct mq_scrobble_token_row *rows = NULL;
    size_t n = 0;
    mq_err err = mq_scrobble_tokens(req->ctx, req->arena, req->principal->user_id, &rows, &n);
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), token_item, NULL, NULL};
    return mq_page_answer_all(req, &r);
}

/* POST /api/v1/users/me/scrobble-tokens {"name"} */
mq_err mq_api_scrobble_token_create(struct mq_req *req)
{
    json_t *doc = NULL;
    const char *name = NULL, *secret = NULL;
    struct mq_scrobble_token_row row;
    struct mq_refusal why = {0};
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "name", true, &name);
    if (err) return err;
    err = mq_scrobble_token_create(req->ctx, req->arena, req->principal->user_id, name, &row,
                                   &secret, &why);
    if (err) return mq_api_refused(req, err, &why);
    mq_req_audit(req, "scrobble_token.created", req->actor_kind, "scrobble_token", row.id,
                 json_pack("{s:s}", "name", row.name));
    json_t *o = token_json(&row);
    json_object_set_new(o, "token", json_string(secret));
    json_object_set_new(o, "path", json_sprintf("/api/v1/scrobble/%s", secret));
    return mq_reply_json(req, 201, o);
}

/* DELETE /api/v1/users/me/scrobble-tokens/{id} */
mq_err mq_api_scrobble_token_delete(struct mq_req *req)
{
    const char *id = mq_req_param(req, "id");
    mq_err err = mq_scrobble_token_revoke(req->ctx, req->principal->user_id, id);
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "scrobble_token_not_found", NULL,
                          "you have no scrobble token with that id");
    if (err) return err;
    mq_req_audit(req, "scrobble_token.revoked", req->actor_kind, "scrobble_token", id, NULL);
    return mq_reply_empty(req, 204);
}

/* POST /api/v1/scrobble/{token}: Plex's form (its `payload` field), or
 * Jellyfin's and Emby's JSON. */
mq_err mq_api_scrobble(struct mq_req *req)
{
    json_t *payload = NULL;
    struct mq_scrobble_result out;
    struct mq_refusal why = {0};
    mq_err err;
    if (mq_req_is_form(req)) {
        struct mq_form form;
        err = mq_req_form(req, &form);
        if (err == MQ_EPARSE)
            return mq_problem(req, 400, "malformed_form", NULL, "the form could not be read");
        if (err) return err;
        const struct mq_form_field *f = mq_form_get(&form, "payload");
        json_error_t jerr;
        payload = f ? mq_req_keep(req, json_loadb(f->data, f->len, 0, &jerr)) : NULL;
        if (!payload)
            return mq_problem(req, 400, "malformed_json", json_pack("{s:s}", "field", "payload"),
                              "the form's payload field is not JSON");
    } else {
        err = mq_req_json(req, &payload);
        if (err) return err;
    }
    err =
        mq_scrobble_receive(req->ctx, req->arena, mq_req_param(req, "token"), payload, &out, &why);
    if (err == MQ_EPERM)
        return mq_problem(req, 401, "invalid_token", NULL,
                          "that scrobble URL is not, or no longer, valid");
    if (err) return mq_api_refused(req, err, &why);
    json_t *o = json_pack("{s:s,s:s,s:I}", "source", out.source, "action", out.action, "plays",
                          (json_int_t)out.plays);
    json_object_set_new(o, "item_id", mq_api_nullable(out.item_id));
    json_object_set_new(o, "reason", mq_api_nullable(out.reason));
    return mq_reply_json(req, 200, o);
}
