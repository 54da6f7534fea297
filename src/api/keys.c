/* keys.c - POST /api/v1/admin/rotate-keys: a new master key, every sealed
 * secret re-sealed with it (src/auth/masterkey.h). */
#include "api/handlers.h"
#include "auth/masterkey.h"

mq_err mq_api_admin_rotate_keys(struct mq_req *req)
{
    struct mq_masterkey_rotation r;
    mq_err err = mq_masterkey_rotate(req->ctx, &r);
    if (err) return err;
    json_t *detail =
        json_pack("{s:s,s:I,s:i,s:I}", "key_id", r.kid, "resealed", (json_int_t)r.resealed,
                  "retired", r.retired, "unreadable", (json_int_t)r.unreadable);
    mq_req_audit(req, "keys.rotated", req->actor_kind, "master_key", r.kid, json_incref(detail));
    return mq_reply_json(req, 200, detail);
}
