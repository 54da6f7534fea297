/* handlers.h - handler entry points, private to src/api/. */
#ifndef MQ_API_HANDLERS_H
#define MQ_API_HANDLERS_H

#include "http/http.h"

mq_err mq_api_healthz(struct mq_req *req);
mq_err mq_api_readyz(struct mq_req *req);
mq_err mq_api_startupz(struct mq_req *req);
mq_err mq_api_metrics(struct mq_req *req);
mq_err mq_api_openapi(struct mq_req *req);
mq_err mq_api_system_info(struct mq_req *req);
mq_err mq_api_csp_report(struct mq_req *req);
mq_err mq_api_admin_jobs_list(struct mq_req *req);
mq_err mq_api_admin_jobs_get(struct mq_req *req);
mq_err mq_api_admin_jobs_retry(struct mq_req *req);
mq_err mq_api_admin_jobs_cancel(struct mq_req *req);
mq_err mq_api_jobs_get_own(struct mq_req *req);
mq_err mq_api_admin_audit_list(struct mq_req *req);
mq_err mq_api_admin_audit_export(struct mq_req *req);
mq_err mq_api_setup(struct mq_req *req);
mq_err mq_api_jwks(struct mq_req *req);
mq_err mq_api_auth_login(struct mq_req *req);
mq_err mq_api_auth_refresh(struct mq_req *req);
mq_err mq_api_auth_logout(struct mq_req *req);
mq_err mq_api_users_me(struct mq_req *req);
mq_err mq_api_users_me_activity(struct mq_req *req);
mq_err mq_api_users_me_update(struct mq_req *req);
mq_err mq_api_users_me_delete(struct mq_req *req);
mq_err mq_api_users_me_change_password(struct mq_req *req);
mq_err mq_api_users_me_preferences(struct mq_req *req);
mq_err mq_api_users_me_preferences_update(struct mq_req *req);
mq_err mq_api_users_me_avatar_set(struct mq_req *req);
mq_err mq_api_users_me_avatar_delete(struct mq_req *req);
mq_err mq_api_users_avatar(struct mq_req *req);
mq_err mq_api_auth_register(struct mq_req *req);
mq_err mq_api_auth_verify_email(struct mq_req *req);
mq_err mq_api_auth_resend_verification(struct mq_req *req);
mq_err mq_api_auth_forgot_password(struct mq_req *req);
mq_err mq_api_auth_reset_password(struct mq_req *req);
mq_err mq_api_sessions_list(struct mq_req *req);
mq_err mq_api_sessions_delete(struct mq_req *req);
mq_err mq_api_sessions_delete_others(struct mq_req *req);
mq_err mq_api_mfa_status(struct mq_req *req);
mq_err mq_api_mfa_totp_setup(struct mq_req *req);
mq_err mq_api_mfa_totp_verify(struct mq_req *req);
mq_err mq_api_mfa_totp_delete(struct mq_req *req);
mq_err mq_api_mfa_backup_generate(struct mq_req *req);
mq_err mq_api_mfa_backup_regenerate(struct mq_req *req);
mq_err mq_api_mfa_enable(struct mq_req *req);
mq_err mq_api_mfa_disable(struct mq_req *req);
mq_err mq_api_trusted_devices_list(struct mq_req *req);
mq_err mq_api_trusted_devices_delete(struct mq_req *req);
mq_err mq_api_auth_mfa_verify(struct mq_req *req);
mq_err mq_api_auth_reauthenticate(struct mq_req *req);
mq_err mq_api_admin_mfa_policy_get(struct mq_req *req);
mq_err mq_api_admin_mfa_policy_put(struct mq_req *req);
mq_err mq_api_admin_rotate_keys(struct mq_req *req);
mq_err mq_api_users_me_roles(struct mq_req *req);
mq_err mq_api_admin_permissions(struct mq_req *req);
mq_err mq_api_webauthn_register_begin(struct mq_req *req);
mq_err mq_api_webauthn_register_finish(struct mq_req *req);
mq_err mq_api_webauthn_credentials_list(struct mq_req *req);
mq_err mq_api_webauthn_credential_rename(struct mq_req *req);
mq_err mq_api_webauthn_credential_delete(struct mq_req *req);
mq_err mq_api_webauthn_login_begin(struct mq_req *req);
mq_err mq_api_webauthn_login_finish(struct mq_req *req);
mq_err mq_api_auth_passkey_begin(struct mq_req *req);
mq_err mq_api_auth_passkey_finish(struct mq_req *req);

#endif
