/* guard.h - who may call a route.
 *
 * Users prove themselves with an access token (Authorization: Bearer, a JWT
 * from sign-in) or an API key (X-Api-Key, or Bearer mq_...; as ?api_key=
 * only on image and stream routes). The admin routes (/api/v1/admin/) also
 * take the bootstrap token from admin_token (MARQUEE_ADMIN_TOKEN), for
 * operators and for the time before the first account. Every route's
 * permission is declared in src/api/routes.c and checked here against the
 * caller's roles (auth/authz.h) and, for a key, its scopes. */
#ifndef MQ_API_GUARD_H
#define MQ_API_GUARD_H

#include "auth/sessions.h"
#include "http/http.h"

/* MQ_OK with *who filled (arena) when the request carries a valid access
 * token or API key whose user may do what the route needs (else 403
 * forbidden, naming the permission); otherwise answers 401 unauthorized
 * with WWW-Authenticate and returns MQ_EPERM. Routes flagged
 * MQ_ROUTE_OWN_SESSION refuse API keys and impersonations (403
 * own_session_required). An enrol-only session (see auth/mfa.h) gets 403
 * mfa_enrollment_required outside /api/v1/mfa/, /api/v1/auth/ and GET
 * /api/v1/users/me. Applies the per-user and per-key rate limits. Sets
 * req->actor_*. */
MQ_MUST_CHECK mq_err mq_api_require_user(struct mq_req *req, struct mq_principal *who);

/* As mq_api_require_user for an admin route, which also opens to the
 * bootstrap token (then *who holds every permission and no user) and never
 * for a route declared public. Refusals are audited. `who` may be NULL. */
MQ_MUST_CHECK mq_err mq_api_require_admin(struct mq_req *req, struct mq_principal *who);

#endif
