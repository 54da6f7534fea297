#include "api/api.h"
#include "api/handlers.h"

struct route {
    enum mq_method method;
    const char *pattern;
    mq_handler handler;
};

static const struct route routes[] = {
    {MQ_GET, "/healthz", mq_api_healthz},
    {MQ_GET, "/readyz", mq_api_readyz},
    {MQ_GET, "/startupz", mq_api_startupz},
    {MQ_GET, "/metrics", mq_api_metrics},
    {MQ_GET, "/api/v1/openapi.json", mq_api_openapi},
    {MQ_GET, "/.well-known/jwks.json", mq_api_jwks},
    {MQ_GET, "/api/v1/system/info", mq_api_system_info},
    {MQ_POST, "/api/v1/reports/csp", mq_api_csp_report},
    {MQ_POST, "/api/v1/setup", mq_api_setup},
    {MQ_POST, "/api/v1/auth/login", mq_api_auth_login},
    {MQ_POST, "/api/v1/auth/refresh", mq_api_auth_refresh},
    {MQ_POST, "/api/v1/auth/logout", mq_api_auth_logout},
    {MQ_POST, "/api/v1/auth/register", mq_api_auth_register},
    {MQ_POST, "/api/v1/auth/verify-email", mq_api_auth_verify_email},
    {MQ_POST, "/api/v1/auth/resend-verification", mq_api_auth_resend_verification},
    {MQ_POST, "/api/v1/auth/forgot-password", mq_api_auth_forgot_password},
    {MQ_POST, "/api/v1/auth/reset-password", mq_api_auth_reset_password},
    {MQ_GET, "/api/v1/users/me", mq_api_users_me},
    {MQ_PATCH, "/api/v1/users/me", mq_api_users_me_update},
    {MQ_DELETE, "/api/v1/users/me", mq_api_users_me_delete},
    {MQ_POST, "/api/v1/users/me/change-password", mq_api_users_me_change_password},
    {MQ_GET, "/api/v1/users/me/preferences", mq_api_users_me_preferences},
    {MQ_PATCH, "/api/v1/users/me/preferences", mq_api_users_me_preferences_update},
    {MQ_DELETE, "/api/v1/users/me/avatar", mq_api_users_me_avatar_delete},
    {MQ_GET, "/api/v1/users/{id}/avatar", mq_api_users_avatar},
    {MQ_GET, "/api/v1/users/me/activity", mq_api_users_me_activity},
    {MQ_GET, "/api/v1/sessions", mq_api_sessions_list},
    {MQ_GET, "/api/v1/jobs/{id}", mq_api_jobs_get_own},
    {MQ_DELETE, "/api/v1/sessions", mq_api_sessions_delete_others},
    {MQ_DELETE, "/api/v1/sessions/{id}", mq_api_sessions_delete},
    {MQ_GET, "/api/v1/sessions/trusted-devices", mq_api_trusted_devices_list},
    {MQ_DELETE, "/api/v1/sessions/trusted-devices/{id}", mq_api_trusted_devices_delete},
    {MQ_POST, "/api/v1/auth/mfa/verify", mq_api_auth_mfa_verify},
    {MQ_POST, "/api/v1/auth/reauthenticate", mq_api_auth_reauthenticate},
    {MQ_GET, "/api/v1/mfa/status", mq_api_mfa_status},
    {MQ_POST, "/api/v1/mfa/totp/setup", mq_api_mfa_totp_setup},
    {MQ_POST, "/api/v1/mfa/totp/verify", mq_api_mfa_totp_verify},
    {MQ_DELETE, "/api/v1/mfa/totp", mq_api_mfa_totp_delete},
    {MQ_POST, "/api/v1/mfa/backup-codes/generate", mq_api_mfa_backup_generate},
    {MQ_POST, "/api/v1/mfa/backup-codes/regenerate", mq_api_mfa_backup_regenerate},
    {MQ_POST, "/api/v1/mfa/enable", mq_api_mfa_enable},
    {MQ_POST, "/api/v1/mfa/disable", mq_api_mfa_disable},
    {MQ_GET, "/api/v1/admin/mfa-policy", mq_api_admin_mfa_policy_get},
    {MQ_PUT, "/api/v1/admin/mfa-policy", mq_api_admin_mfa_policy_put},
    {MQ_POST, "/api/v1/admin/rotate-keys", mq_api_admin_rotate_keys},
    {MQ_POST, "/api/v1/mfa/webauthn/register/begin", mq_api_webauthn_register_begin},
    {MQ_POST, "/api/v1/mfa/webauthn/register/finish", mq_api_webauthn_register_finish},
    {MQ_POST, "/api/v1/mfa/webauthn/login/begin", mq_api_webauthn_login_begin},
    {MQ_POST, "/api/v1/mfa/webauthn/login/finish", mq_api_webauthn_login_finish},
    {MQ_GET, "/api/v1/mfa/webauthn/credentials", mq_api_webauthn_credentials_list},
    {MQ_PATCH, "/api/v1/mfa/webauthn/credentials/{id}", mq_api_webauthn_credential_rename},
    {MQ_DELETE, "/api/v1/mfa/webauthn/credentials/{id}", mq_api_webauthn_credential_delete},
    {MQ_POST, "/api/v1/auth/passkey/begin", mq_api_auth_passkey_begin},
    {MQ_POST, "/api/v1/auth/passkey/finish", mq_api_auth_passkey_finish},
    {MQ_GET, "/api/v1/admin/jobs", mq_api_admin_jobs_list},
    {MQ_GET, "/api/v1/admin/jobs/{id}", mq_api_admin_jobs_get},
    {MQ_POST, "/api/v1/admin/jobs/{id}/retry", mq_api_admin_jobs_retry},
    {MQ_POST, "/api/v1/admin/jobs/{id}/cancel", mq_api_admin_jobs_cancel},
    {MQ_GET, "/api/v1/admin/audit-logs", mq_api_admin_audit_list},
    {MQ_GET, "/api/v1/admin/audit-logs/export", mq_api_admin_audit_export},
};

mq_err mq_api_register(struct mq_router *r, const struct mq_config *cfg)
{
    mq_err err = mq_router_add_sized(r, MQ_POST, "/api/v1/users/me/avatar",
                                     mq_api_users_me_avatar_set, cfg->avatar_max_size);
    if (err) return err;
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        err = mq_router_add(r, routes[i].method, routes[i].pattern, routes[i].handler);
        if (err) return err;
    }
    return MQ_OK;
}
