/* routes.c - every route of the API, the permission it needs (auth/rbac.h)
 * and its handler, in one table. A unit test checks that each names a
 * known permission and that docs/openapi.yaml shows the same one. */
#include "api/api.h"
#include "api/handlers.h"
#include "auth/rbac.h"

#define PUBLIC    MQ_PERM_PUBLIC
#define SIGNED_IN MQ_PERM_SIGNED_IN

struct route {
    struct mq_api_route r;
    mq_handler handler;
};

static const struct route routes[] = {
    {{MQ_GET, "/healthz", PUBLIC, false}, mq_api_healthz},
    {{MQ_GET, "/readyz", PUBLIC, false}, mq_api_readyz},
    {{MQ_GET, "/startupz", PUBLIC, false}, mq_api_startupz},
    {{MQ_GET, "/metrics", PUBLIC, false}, mq_api_metrics},
    {{MQ_GET, "/api/v1/openapi.json", PUBLIC, false}, mq_api_openapi},
    {{MQ_GET, "/.well-known/jwks.json", PUBLIC, false}, mq_api_jwks},
    {{MQ_GET, "/api/v1/system/info", PUBLIC, false}, mq_api_system_info},
    {{MQ_POST, "/api/v1/reports/csp", PUBLIC, false}, mq_api_csp_report},
    {{MQ_POST, "/api/v1/setup", PUBLIC, false}, mq_api_setup},
    {{MQ_POST, "/api/v1/auth/login", PUBLIC, false}, mq_api_auth_login},
    {{MQ_POST, "/api/v1/auth/refresh", PUBLIC, false}, mq_api_auth_refresh},
    {{MQ_POST, "/api/v1/auth/logout", PUBLIC, false}, mq_api_auth_logout},
    {{MQ_POST, "/api/v1/auth/register", PUBLIC, false}, mq_api_auth_register},
    {{MQ_POST, "/api/v1/auth/verify-email", PUBLIC, false}, mq_api_auth_verify_email},
    {{MQ_POST, "/api/v1/auth/resend-verification", PUBLIC, false}, mq_api_auth_resend_verification},
    {{MQ_POST, "/api/v1/auth/forgot-password", PUBLIC, false}, mq_api_auth_forgot_password},
    {{MQ_POST, "/api/v1/auth/reset-password", PUBLIC, false}, mq_api_auth_reset_password},
    {{MQ_POST, "/api/v1/auth/mfa/verify", PUBLIC, false}, mq_api_auth_mfa_verify},
    {{MQ_POST, "/api/v1/auth/passkey/begin", PUBLIC, false}, mq_api_auth_passkey_begin},
    {{MQ_POST, "/api/v1/auth/passkey/finish", PUBLIC, false}, mq_api_auth_passkey_finish},
    /* With an mfa_token and no account yet, or re-authenticating. */
    {{MQ_POST, "/api/v1/mfa/webauthn/login/begin", PUBLIC, false}, mq_api_webauthn_login_begin},
    {{MQ_POST, "/api/v1/mfa/webauthn/login/finish", PUBLIC, false}, mq_api_webauthn_login_finish},
    {{MQ_POST, "/api/v1/auth/reauthenticate", SIGNED_IN, false}, mq_api_auth_reauthenticate},
    /* Members see each other's pictures (a household's "who is watching"). */
    {{MQ_GET, "/api/v1/users/{id}/avatar", SIGNED_IN, false}, mq_api_users_avatar},

    {{MQ_GET, "/api/v1/users/me", "self:read", false}, mq_api_users_me},
    {{MQ_PATCH, "/api/v1/users/me", "self:write", false}, mq_api_users_me_update},
    {{MQ_DELETE, "/api/v1/users/me", "self:write", false}, mq_api_users_me_delete},
    {{MQ_POST, "/api/v1/users/me/change-password", "self:write", false},
     mq_api_users_me_change_password},
    {{MQ_GET, "/api/v1/users/me/preferences", "self:read", false}, mq_api_users_me_preferences},
    {{MQ_PATCH, "/api/v1/users/me/preferences", "self:write", false},
     mq_api_users_me_preferences_update},
    {{MQ_POST, "/api/v1/users/me/avatar", "self:write", true}, mq_api_users_me_avatar_set},
    {{MQ_DELETE, "/api/v1/users/me/avatar", "self:write", false}, mq_api_users_me_avatar_delete},
    {{MQ_GET, "/api/v1/users/me/activity", "self:read", false}, mq_api_users_me_activity},
    {{MQ_GET, "/api/v1/users/me/roles", "self:read", false}, mq_api_users_me_roles},
    {{MQ_GET, "/api/v1/sessions", "self:read", false}, mq_api_sessions_list},
    {{MQ_DELETE, "/api/v1/sessions", "self:write", false}, mq_api_sessions_delete_others},
    {{MQ_DELETE, "/api/v1/sessions/{id}", "self:write", false}, mq_api_sessions_delete},
    {{MQ_GET, "/api/v1/sessions/trusted-devices", "self:read", false}, mq_api_trusted_devices_list},
    {{MQ_DELETE, "/api/v1/sessions/trusted-devices/{id}", "self:write", false},
     mq_api_trusted_devices_delete},
    {{MQ_GET, "/api/v1/jobs/{id}", "self:read", false}, mq_api_jobs_get_own},
    {{MQ_GET, "/api/v1/mfa/status", "self:read", false}, mq_api_mfa_status},
    {{MQ_POST, "/api/v1/mfa/totp/setup", "self:write", false}, mq_api_mfa_totp_setup},
    {{MQ_POST, "/api/v1/mfa/totp/verify", "self:write", false}, mq_api_mfa_totp_verify},
    {{MQ_DELETE, "/api/v1/mfa/totp", "self:write", false}, mq_api_mfa_totp_delete},
    {{MQ_POST, "/api/v1/mfa/backup-codes/generate", "self:write", false},
     mq_api_mfa_backup_generate},
    {{MQ_POST, "/api/v1/mfa/backup-codes/regenerate", "self:write", false},
     mq_api_mfa_backup_regenerate},
    {{MQ_POST, "/api/v1/mfa/enable", "self:write", false}, mq_api_mfa_enable},
    {{MQ_POST, "/api/v1/mfa/disable", "self:write", false}, mq_api_mfa_disable},
    {{MQ_POST, "/api/v1/mfa/webauthn/register/begin", "self:write", false},
     mq_api_webauthn_register_begin},
    {{MQ_POST, "/api/v1/mfa/webauthn/register/finish", "self:write", false},
     mq_api_webauthn_register_finish},
    {{MQ_GET, "/api/v1/mfa/webauthn/credentials", "self:read", false},
     mq_api_webauthn_credentials_list},
    {{MQ_PATCH, "/api/v1/mfa/webauthn/credentials/{id}", "self:write", false},
     mq_api_webauthn_credential_rename},
    {{MQ_DELETE, "/api/v1/mfa/webauthn/credentials/{id}", "self:write", false},
     mq_api_webauthn_credential_delete},

    {{MQ_GET, "/api/v1/admin/jobs", "jobs:read", false}, mq_api_admin_jobs_list},
    {{MQ_GET, "/api/v1/admin/jobs/{id}", "jobs:read", false}, mq_api_admin_jobs_get},
    {{MQ_POST, "/api/v1/admin/jobs/{id}/retry", "jobs:manage", false}, mq_api_admin_jobs_retry},
    {{MQ_POST, "/api/v1/admin/jobs/{id}/cancel", "jobs:manage", false}, mq_api_admin_jobs_cancel},
    {{MQ_GET, "/api/v1/admin/audit-logs", "audit:read", false}, mq_api_admin_audit_list},
    {{MQ_GET, "/api/v1/admin/audit-logs/export", "audit:read", false}, mq_api_admin_audit_export},
    {{MQ_GET, "/api/v1/admin/mfa-policy", "settings:read", false}, mq_api_admin_mfa_policy_get},
    {{MQ_PUT, "/api/v1/admin/mfa-policy", "settings:update", false}, mq_api_admin_mfa_policy_put},
    {{MQ_POST, "/api/v1/admin/rotate-keys", "keys:rotate", false}, mq_api_admin_rotate_keys},
    {{MQ_GET, "/api/v1/admin/permissions", "roles:read", false}, mq_api_admin_permissions},
};

const struct mq_api_route *mq_api_route(size_t i)
{
    return i < sizeof(routes) / sizeof(routes[0]) ? &routes[i].r : NULL;
}

mq_err mq_api_register(struct mq_router *r, const struct mq_config *cfg)
{
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        const struct mq_api_route *a = &routes[i].r;
        struct mq_route_opts opts = {.max_body = a->upload ? cfg->avatar_max_size : 0,
                                     .permission = a->permission};
        mq_err err = mq_router_add_route(r, a->method, a->pattern, routes[i].handler, &opts);
        if (err) return err;
    }
    return MQ_OK;
}
