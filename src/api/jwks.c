/* jwks.c - GET /.well-known/jwks.json: the public keys that verify access
 * tokens (RFC 7517), for clients and other services. */
#include <stdatomic.h>

#include "api/handlers.h"
#include "auth/keyring.h"

mq_err mq_api_jwks(struct mq_req *req)
{
    json_t *doc = NULL;
    /* The keyring is set before `started`, which is read with acquire. */
    if (!atomic_load(&req->ctx->started) || !req->ctx->keyring)
        return mq_problem(req, 503, "starting", NULL, "start-up has not finished");
    mq_err err = mq_keyring_jwks(req->ctx->keyring, &doc);
    if (err) return err;
    (void)mq_reply_header(req, "Cache-Control", "public, max-age=300");
    err = mq_reply_json(req, 200, doc);
    if (!err) req->content_type = "application/jwk-set+json";
    return err;
}
