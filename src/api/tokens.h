/* tokens.h - how a sign-in answers with its tokens, and the session a
 * browser keeps in cookies.
 *
 * A client that sends `X-Marquee-Session: cookie` (the web app) gets its
 * refresh token, and a remembered device's token, as HttpOnly SameSite=Strict
 * cookies scoped to /api/v1/auth, never in the body, so no script can read
 * them. The access token stays in the body, for the app to hold in memory; a
 * copy (`mq_media`, scoped to /api/v1) lets <img> and <video> load pictures
 * and streams, and is honoured on those GET routes alone.
 *
 * That header is also the CSRF guard: a page elsewhere cannot send it
 * without a CORS preflight this server refuses, and every cookie-mode call
 * must carry an Origin naming this server too (mq_api_web_admit). */
#ifndef MQ_API_TOKENS_H
#define MQ_API_TOKENS_H

#include <stdbool.h>

#include "auth/sessions.h"
#include "core/err.h"

struct mq_req;

#define MQ_WEB_SESSION_HEADER "X-Marquee-Session"
#define MQ_MEDIA_COOKIE       "mq_media"

/* Whether the request asks for cookie mode. */
bool mq_api_web_session(const struct mq_req *req);

/* For a cookie-mode request: MQ_OK when its Origin is this server's, else
 * answers 403 cross_origin_refused and returns MQ_EPERM. */
MQ_MUST_CHECK mq_err mq_api_web_admit(struct mq_req *req);

/* The refresh or remembered-device token of a cookie-mode request, or NULL. */
const char *mq_api_web_refresh_token(const struct mq_req *req);
const char *mq_api_web_device_token(const struct mq_req *req);

/* Answers 200 with t: access_token, token_type, expires_in, session_id, and
 * refresh_token and device_token in the body or, in cookie mode, as cookies. */
mq_err mq_api_reply_tokens(struct mq_req *req, const struct mq_tokens *t);

/* Sets the media cookie alone (an impersonation's token, which has no
 * refresh token). */
mq_err mq_api_web_media_cookie(struct mq_req *req, const char *access_token, int64_t expires_in);

/* Expires every session cookie (sign-out). */
mq_err mq_api_web_clear(struct mq_req *req);

#endif
