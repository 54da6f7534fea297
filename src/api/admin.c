#include "api/admin.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

/* Compares digests, so the time taken says nothing about the token, not
 * even its length. */
static bool token_matches(const char *given, size_t n, const char *expected)
{
    unsigned char a[32], b[32];
    crypto_generichash(a, sizeof(a), (const unsigned char *)given, n, NULL, 0);
    crypto_generichash(b, sizeof(b), (const unsigned char *)expected, strlen(expected), NULL, 0);
    return sodium_memcmp(a, b, sizeof(a)) == 0;
}

mq_err mq_api_require_admin(struct mq_req *req)
{
    const char *token = req->ctx->cfg->admin_token;
    if (!token || !*token) {
        mq_problem(req, 403, "admin_api_closed", NULL,
                   "the admin API is closed: set MARQUEE_ADMIN_TOKEN to open it");
        return MQ_EPERM;
    }
    const char *auth = mq_req_header(req, "Authorization");
    if (auth && !strncasecmp(auth, "Bearer ", 7) &&
        token_matches(auth + 7, strlen(auth + 7), token))
        return MQ_OK;
    (void)mq_reply_header(req, "WWW-Authenticate", "Bearer realm=\"marquee admin\"");
    mq_req_audit(req, "admin.auth_failed", "anonymous", NULL, NULL,
                 json_pack("{s:s,s:s,s:s}", "method", req->method_name, "route", req->match.pattern,
                           "reason", auth ? "wrong token" : "no token"));
    mq_log_warn(req->ctx->log, "auth", "admin API refused %s %s from %s (request %s)",
                req->method_name, req->match.pattern, req->remote, req->request_id);
    mq_problem(req, 401, "unauthorized", NULL,
               auth ? "the bearer token is not the admin token" : "send the admin bearer token");
    return MQ_EPERM;
}
