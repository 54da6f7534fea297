/* system.c - GET /api/v1/system/info: what a client needs to recognise the
 * server before logging in (like Jellyfin's /System/Info/Public). */
#include "api/handlers.h"
#include "core/version.h"
#include "system/system.h"

mq_err mq_api_system_info(struct mq_req *req)
{
    char *id = NULL;
    mq_err err = mq_system_instance_id(req->ctx, req->arena, &id);
    if (err) return err;
    return mq_reply_json(
        req, 200,
        json_pack("{s:s,s:s,s:s}", "name", "Marquee", "version", MQ_VERSION, "instance_id", id));
}
