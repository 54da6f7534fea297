/* settings.c - server settings: the public few a sign-in page needs, and
 * the admin routes that read and change them (src/system/settings.h). */
#include "api/body.h"
#include "api/guard.h"
#include "api/handlers.h"
#include "api/refusal.h"
#include "system/settings.h"

/* GET /api/v1/settings */
mq_err mq_api_settings_public(struct mq_req *req)
{
    json_t *o = NULL;
    mq_err err = mq_settings_public(req->ctx, &o);
    if (err) return err;
    return mq_reply_json(req, 200, o);
}

/* GET /api/v1/admin/settings */
mq_err mq_api_admin_settings_get(struct mq_req *req)
{
    json_t *o = NULL;
    mq_err err = mq_api_require_admin(req, NULL);
    if (!err) err = mq_settings_describe(req->ctx, req->arena, &o);
    if (err) return err;
    return mq_reply_json(req, 200, o);
}

/* PATCH /api/v1/admin/settings */
mq_err mq_api_admin_settings_update(struct mq_req *req)
{
    struct mq_principal who;
    struct mq_refusal why = {0};
    json_t *doc = NULL, *changes = NULL, *o = NULL;
    mq_err err = mq_api_require_admin(req, &who);
    if (!err) err = mq_api_body_object(req, &doc);
    if (err) return err;
    err = mq_settings_update(req->ctx, req->arena, doc, who.user_id, &why, &changes);
    if (err) return mq_api_refused_as(req, err, &why, "setting");
    if (changes)
        mq_req_audit(req, "settings.updated", req->actor_kind, "settings", NULL,
                     json_pack("{s:o}", "changes", changes));
    err = mq_settings_describe(req->ctx, req->arena, &o);
    if (err) return err;
    return mq_reply_json(req, 200, o);
}
