/* roles.c - what roles and permissions exist, and which the caller holds. */
#include "api/guard.h"
#include "api/handlers.h"
#include "auth/rbac.h"

static json_t *permissions_of(const char *role)
{
    json_t *list = json_array();
    const char *const *p = mq_rbac_role_permissions(role);
    for (; list && p && *p; p++) json_array_append_new(list, json_string(*p));
    return list;
}

/* GET /api/v1/users/me/roles */
mq_err mq_api_users_me_roles(struct mq_req *req)
{
    struct mq_principal who;
    mq_err err = mq_api_require_user(req, &who);
    if (err) return err;
    return mq_reply_json(req, 200,
                         json_pack("{s:[{s:s,s:o,s:b}]}", "items", "name", who.role, "permissions",
                                   permissions_of(who.role), "builtin", 1));
}

/* GET /api/v1/admin/permissions */
mq_err mq_api_admin_permissions(struct mq_req *req)
{
    size_t n = 0;
    mq_err err = mq_api_require_admin(req);
    if (err) return err;
    const struct mq_permission *all = mq_rbac_permissions(&n);
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(
            items, json_pack("{s:s,s:s}", "name", all[i].name, "description", all[i].description));
    return mq_reply_json(req, 200, json_pack("{s:o}", "items", items));
}
