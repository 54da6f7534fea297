#include "http/gate.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/apikeys.h"
#include "auth/rbac.h"
#include "auth/sessions.h"
#include "http/conf.h"
#include "http/http.h"

/* Compares digests, so the time taken says nothing about the token, not
 * even its length. */
static bool token_matches(const char *given, size_t n, const char *expected)
{
    unsigned char a[32], b[32];
    crypto_generichash(a, sizeof(a), (const unsigned char *)given, n, NULL, 0);
    crypto_generichash(b, sizeof(b), (const unsigned char *)expected, strlen(expected), NULL, 0);
    return sodium_memcmp(a, b, sizeof(a)) == 0;
}

/* "Bearer X" -> X, or NULL. */
static const char *bearer(struct mq_req *req)
{
    const char *auth = mq_req_header(req, "Authorization");
    return auth && !strncasecmp(auth, "Bearer ", 7) ? auth + 7 : NULL;
}

/* An access token has three dot-separated parts; the bootstrap token has none. */
static bool looks_like_jwt(const char *s)
{
    const char *dot = strchr(s, '.');
    return dot && strchr(dot + 1, '.');
}

static mq_err unauthorized(struct mq_req *req, const char *why)
{
    (void)mq_reply_header(req, "WWW-Authenticate", "Bearer realm=\"marquee\"");
    mq_problem(req, 401, "unauthorized", NULL, "%s", why);
    return MQ_EPERM;
}

mq_err mq_gate_unauthorized(struct mq_req *req)
{
    return unauthorized(req, req->credential_refused ? req->credential_refused
                                                     : "sign in and send the access token");
}

/* The default limit counts per user too, not only per address: one member
 * behind a shared address, or one token used from many, is held alike. */
static bool user_rate_limited(struct mq_req *req, const char *user_id)
{
    char key[64];
    snprintf(key, sizeof(key), "user:%s", user_id);
    return mq_req_rate_limit(req, &mq_http_conf(req->ctx->cfg)->rate_default.policy, key);
}

/* An enrol-only session (MFA required for the role, no factor yet) may
 * enrol a factor, see who it is, and sign out: nothing else. */
static bool enrol_route(const struct mq_req *req)
{
    const char *p = req->match.pattern;
    return !strncmp(p, "/api/v1/mfa/", 12) || !strncmp(p, "/api/v1/auth/", 13) ||
           (!strcmp(p, "/api/v1/users/me") && !strcmp(req->method_name, "GET"));
}

/* The permission the matched route declares; a route that declares none
 * a user can hold (or none at all) needs everything, and so does an admin
 * route, which opens to no one for less. */
static const char *needed(const struct mq_req *req)
{
    const char *p = req->match.permission;
    if (!p) return "*:*";
    if (strchr(p, ':')) return p;
    if (req->match.flags & MQ_ROUTE_ADMIN) return "*:*";
    return !strcmp(p, MQ_PERM_PUBLIC) || !strcmp(p, MQ_PERM_SIGNED_IN) ? p : "*:*";
}

static mq_err forbidden(struct mq_req *req, const struct mq_principal *who, const char *need)
{
    mq_req_audit(req, "authz.forbidden", "user", NULL, NULL,
                 json_pack("{s:s,s:s,s:s,s:s?}", "method", req->method_name, "route",
                           req->match.pattern, "permission", need, "api_key", who->api_key_id));
    mq_problem(req, 403, "forbidden", json_pack("{s:s}", "permission", need),
               "this needs the permission %s", need);
    return MQ_EPERM;
}

static mq_err enrol_first(struct mq_req *req)
{
    mq_problem(req, 403, "mfa_enrollment_required", NULL,
               "your role must use a second factor: set one up under /api/v1/mfa/ first");
    return MQ_EPERM;
}

/* The API key the request carries, or NULL: X-Api-Key, a bearer token
 * shaped like one, or (on image and stream routes, for players that can
 * only follow a URL) ?api_key=. */
static const char *api_key_of(struct mq_req *req)
{
    const char *key = mq_req_header(req, "X-Api-Key"), *token = bearer(req);
    if (key) return key;
    if (token && !strncmp(token, "mq_", 3)) return token;
    if (req->match.flags & MQ_ROUTE_QUERY_KEY && mq_req_query(req, "api_key", &key) == MQ_OK)
        return key;
    return NULL;
}

/* Establishes who calls from an access token or an API key. MQ_ENOTFOUND when
 * the request carries neither; MQ_EPERM with *why for a bad one. */
static mq_err authenticate(struct mq_req *req, struct mq_principal *who, const char **why)
{
    const char *key = api_key_of(req), *token = bearer(req);
    if (key) return mq_apikey_authenticate(req->ctx, req->arena, key, req->remote, who, why);
    /* The web app's <img> and <video> carry its access token as a cookie;
     * only these read-only routes take it, so a page elsewhere cannot make
     * it do anything (and SameSite=Strict keeps it from being sent there). */
    if (!token && req->match.flags & MQ_ROUTE_QUERY_KEY &&
        (req->method == MQ_GET || req->method == MQ_HEAD))
        token = mq_req_cookie(req, "mq_media");
    if (!token || !looks_like_jwt(token)) return MQ_ENOTFOUND;
    return mq_session_authenticate(req->ctx, req->arena, token, who, why);
}

/* Rate limits, the enrol-only and own-session rules, and the route's
 * permission, for an authenticated principal. */
static mq_err admit(struct mq_req *req, const struct mq_principal *who)
{
    const char *need = needed(req);
    req->actor_kind = "user";
    req->actor_id = who->user_id;
    if (who->enrol_only && req->match.flags & MQ_ROUTE_ADMIN) return enrol_first(req);
    if (user_rate_limited(req, who->user_id)) return MQ_EPERM;
    if (who->api_key_id) {
        struct mq_rate_policy own;
        const char *why = NULL;
        char key[64];
        snprintf(key, sizeof(key), "apikey:%s", who->api_key_id);
        if (who->key_rate_limit &&
            mq_rate_policy_parse("api_key", who->key_rate_limit, &own, &why) == MQ_OK &&
            mq_req_rate_limit(req, &own, key))
            return MQ_EPERM;
    }
    if (who->enrol_only && !enrol_route(req)) return enrol_first(req);
    /* Enrolling a factor is what an enrol-only session is for. */
    if (who->enrol_only && !strncmp(req->match.pattern, "/api/v1/mfa/", 12)) return MQ_OK;
    if (req->match.flags & MQ_ROUTE_OWN_SESSION && (who->api_key_id || who->actor_id)) {
        mq_problem(req, 403, "own_session_required", NULL, "%s",
                   who->api_key_id ? "API keys cannot change credentials or the account: sign in"
                                   : "an impersonation cannot change credentials or the account");
        return MQ_EPERM;
    }
    return mq_principal_allows(who, need) ? MQ_OK : forbidden(req, who, need);
}

/* Every permission: what the bootstrap token stands for. */
static void everything(struct mq_req *req, struct mq_principal *who)
{
    static const char *const all[] = {"*:*"};
    *who = (struct mq_principal){.authz = {.perms = (const char **)all, .nperms = 1}};
    req->actor_kind = "admin_token";
    req->actor_id = NULL;
}

/* An admin route without a user who may call it: the bootstrap token, or
 * a refusal that is logged and audited. err is what authenticating the
 * request's credential gave (MQ_ENOTFOUND or MQ_EPERM with why). */
static mq_err admit_operator(struct mq_req *req, struct mq_principal *who, mq_err err,
                             const char *why)
{
    const char *configured = mq_http_conf(req->ctx->cfg)->admin_token;
    const char *token = bearer(req), *refusal = "no token";
    if (err == MQ_EPERM) {
        refusal = "invalid credential";
    } else if (token && configured && *configured &&
               token_matches(token, strlen(token), configured)) {
        everything(req, who);
        return MQ_OK;
    } else if (token) {
        refusal = "wrong token";
    }
    /* Anyone can knock, as often as the rate limit lets them: one entry and
     * one log line per address and reason in audit_fold_window. */
    char fold[96];
    snprintf(fold, sizeof(fold), "%s %s", req->remote_key, refusal);
    if (mq_req_audit_folded(req, "admin.auth_failed", fold,
                            json_pack("{s:s,s:s,s:s}", "method", req->method_name, "route",
                                      req->match.pattern, "reason", refusal)))
        mq_log_warn(req->ctx->log, "auth",
                    "admin API refused %s %s from %s (request %s; more from this client are "
                    "counted in the audit log, not logged)",
                    req->method_name, req->match.pattern, req->remote, req->request_id);
    if ((!configured || !*configured) && err == MQ_ENOTFOUND) {
        mq_problem(req, 403, "admin_api_closed", NULL,
                   "sign in as an admin, or set MARQUEE_ADMIN_TOKEN for the bootstrap token");
        return MQ_EPERM;
    }
    return unauthorized(req, why     ? why
                             : token ? "the bearer token is not the admin token"
                                     : "send an admin's access token or the admin token");
}

mq_err mq_gate_admit(struct mq_req *req)
{
    const char *permission = req->match.permission, *why = NULL;
    unsigned flags = req->match.flags;
    bool public = permission && !strcmp(permission, MQ_PERM_PUBLIC) && !(flags & MQ_ROUTE_ADMIN);
    if (public && !(flags & MQ_ROUTE_CALLER_OPTIONAL)) return MQ_OK;

    struct mq_principal *who = mq_arena_calloc(req->arena, 1, sizeof(*who));
    if (!who) return MQ_ENOMEM;
    mq_err err = authenticate(req, who, &why);
    if (err && err != MQ_EPERM && err != MQ_ENOTFOUND) return err;
    if (err && public) { /* a caller who may also prove themselves otherwise */
        req->credential_refused = err == MQ_EPERM ? why : NULL;
        return MQ_OK;
    }
    if (err && flags & MQ_ROUTE_ADMIN)
        err = admit_operator(req, who, err, why);
    else if (err == MQ_ENOTFOUND)
        return mq_gate_unauthorized(req);
    else if (err)
        return unauthorized(req, why);
    else
        err = admit(req, who);
    if (!err) req->principal = who;
    return err;
}
