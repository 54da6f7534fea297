/* guard.h - who may call a route.
 *
 * Users prove themselves with an access token (Authorization: Bearer, a JWT
 * from sign-in). The admin routes (/api/v1/admin/) also take the bootstrap
 * token from admin_token (MARQUEE_ADMIN_TOKEN), for operators and for the
 * time before the first account; without one configured, only an access
 * token whose role holds the route's permission opens them. Every route's
 * permission is declared in src/api/routes.c and checked here (auth/rbac.h). */
#ifndef MQ_API_GUARD_H
#define MQ_API_GUARD_H

#include "auth/sessions.h"
#include "http/http.h"

/* MQ_OK with *who filled (arena) when the request carries a valid access
 * token whose session is open and whose role holds the route's permission
 * (else 403 forbidden); otherwise answers 401 unauthorized with
 * WWW-Authenticate and returns MQ_EPERM. An enrol-only session (see
 * auth/mfa.h) gets 403 mfa_enrollment_required outside /api/v1/mfa/,
 * /api/v1/auth/ and GET /api/v1/users/me. Sets req->actor_*. */
MQ_MUST_CHECK mq_err mq_api_require_user(struct mq_req *req, struct mq_principal *who);

/* MQ_OK for an admin's access token or the bootstrap token; otherwise 401
 * unauthorized, 403 forbidden (a user who is not an admin) or 403
 * admin_api_closed, and MQ_EPERM. Refusals are audited. Sets req->actor_*. */
MQ_MUST_CHECK mq_err mq_api_require_admin(struct mq_req *req);

#endif
