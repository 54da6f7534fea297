/* openapi.c - GET /api/v1/openapi.json: docs/openapi.yaml, converted to JSON
 * at build time and compiled into the binary. */
#include "api/api.h"
#include "api/handlers.h"

mq_err mq_api_openapi(struct mq_req *req)
{
    (void)mq_reply_header(req, "Cache-Control", "public, max-age=3600");
    return mq_reply_bytes(req, 200, "application/json", mq_openapi_json, mq_openapi_json_len);
}
