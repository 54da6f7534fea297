/* admin.h - who may use /api/v1/admin/ until accounts exist.
 *
 * The bootstrap token from admin_token (MARQUEE_ADMIN_TOKEN) as a bearer
 * token. Without one configured the admin API is closed. The accounts issue
 * adds admin sessions; the authorization issue replaces this with RBAC. */
#ifndef MQ_API_ADMIN_H
#define MQ_API_ADMIN_H

#include "http/http.h"

/* MQ_OK when the request carries the admin token; otherwise answers 403
 * admin_api_closed (no token configured) or 401 unauthorized and returns
 * MQ_EPERM. */
MQ_MUST_CHECK mq_err mq_api_require_admin(struct mq_req *req);

#endif
