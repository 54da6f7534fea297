/* tokens.c - sign-in answers and the browser's cookie-held session
 * (see tokens.h). */
#include "api/tokens.h"

#include <string.h>

#include "auth/conf.h"
#include "core/arena.h"
#include "http/http.h"

#define REFRESH_COOKIE "mq_refresh"
#define DEVICE_COOKIE  "mq_device"
#define AUTH_PATH      "/api/v1/auth"
#define MEDIA_PATH     "/api/v1"

bool mq_api_web_session(const struct mq_req *req)
{
    const char *v = mq_req_header(req, MQ_WEB_SESSION_HEADER);
    return v && !strcmp(v, "cookie");
}

mq_err mq_api_web_admit(struct mq_req *req)
{
    if (mq_req_same_origin(req)) return MQ_OK;
    mq_problem(req, 403, "cross_origin_refused", NULL,
               "a cookie session is only used from this server's own pages (Origin)");
    return MQ_EPERM;
}

const char *mq_api_web_refresh_token(const struct mq_req *req)
{
    return mq_api_web_session(req) ? mq_req_cookie(req, REFRESH_COOKIE) : NULL;
}

const char *mq_api_web_device_token(const struct mq_req *req)
{
    return mq_api_web_session(req) ? mq_req_cookie(req, DEVICE_COOKIE) : NULL;
}

/* Tokens are base64url or JWT text: nothing a cookie value cannot hold. */
static mq_err set_cookie(struct mq_req *req, const char *name, const char *value, const char *path,
                         long long max_age)
{
    const char *c =
        mq_arena_printf(req->arena, "%s=%s; Path=%s; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
                        name, value, path, max_age, mq_req_secure(req) ? "; Secure" : "");
    return c ? mq_reply_header(req, "Set-Cookie", c) : MQ_ENOMEM;
}

mq_err mq_api_web_media_cookie(struct mq_req *req, const char *access_token, int64_t expires_in)
{
    return set_cookie(req, MQ_MEDIA_COOKIE, access_token, MEDIA_PATH, (long long)expires_in);
}

mq_err mq_api_web_clear(struct mq_req *req)
{
    mq_err err = set_cookie(req, REFRESH_COOKIE, "", AUTH_PATH, 0);
    if (!err) err = set_cookie(req, MQ_MEDIA_COOKIE, "", MEDIA_PATH, 0);
    return err;
}

mq_err mq_api_reply_tokens(struct mq_req *req, const struct mq_tokens *t)
{
    bool web = mq_api_web_session(req);
    if (web && mq_api_web_admit(req)) return MQ_EPERM; /* answered */
    json_t *doc =
        json_pack("{s:s,s:s,s:I,s:s}", "access_token", t->access_token, "token_type", "Bearer",
                  "expires_in", (json_int_t)t->expires_in, "session_id", t->session_id);
    if (!doc) return MQ_ENOMEM;
    /* Every request but enrolling a factor gets 403 until one is set up. */
    if (t->enrol_only) json_object_set_new(doc, "mfa_enrollment_required", json_true());
    mq_err err = MQ_OK;
    if (!web) {
        if (t->refresh_token)
            json_object_set_new(doc, "refresh_token", json_string(t->refresh_token));
        if (t->device_token) json_object_set_new(doc, "device_token", json_string(t->device_token));
        return mq_reply_json(req, 200, doc);
    }
    const struct mq_auth_conf *ac = mq_auth_conf(req->ctx->cfg);
    if (t->refresh_token)
        err = set_cookie(req, REFRESH_COOKIE, t->refresh_token, AUTH_PATH,
                         ac->session_max_ttl / 1000);
    if (!err && t->device_token)
        err = set_cookie(req, DEVICE_COOKIE, t->device_token, AUTH_PATH,
                         ac->mfa_remember_device / 1000);
    if (!err) err = mq_api_web_media_cookie(req, t->access_token, t->expires_in);
    if (err) {
        json_decref(doc);
        return err;
    }
    return mq_reply_json(req, 200, doc);
}
