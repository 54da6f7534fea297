#include "auth/conf.h"

#include "auth/mfa_policy.h"

#define OFF(f) offsetof(struct mq_auth_conf, f)

static const struct mq_setting settings[] = {
    {"access_token_ttl", MQ_SETTING_DURATION, OFF(access_token_ttl), "15m", NULL, 60000, 86400000L,
     MQ_CONFIG_LIVE, NULL, NULL, "lifetime of an access token"},
    {"session_idle_ttl", MQ_SETTING_DURATION, OFF(session_idle_ttl), "30d", NULL, 60000,
     31536000000L, MQ_CONFIG_LIVE, NULL, NULL, "a session not refreshed this long ends"},
    {"session_max_ttl", MQ_SETTING_DURATION, OFF(session_max_ttl), "90d", NULL, 60000, 31536000000L,
     MQ_CONFIG_LIVE, NULL, NULL, "a session ends this long after sign-in, used or not"},
    {"sessions_per_user", MQ_SETTING_INT, OFF(sessions_per_user), "20", NULL, 1, 1000,
     MQ_CONFIG_LIVE, NULL, NULL, "signing in past this ends the user's oldest session"},
    {"lockout_threshold", MQ_SETTING_INT, OFF(lockout_threshold), "5", NULL, 1, 100, MQ_CONFIG_LIVE,
     NULL, NULL, "failed sign-ins in a row that lock an account"},
    {"lockout_duration", MQ_SETTING_DURATION, OFF(lockout_duration), "15m", NULL, 1000, 86400000L,
     MQ_CONFIG_LIVE, NULL, NULL, "how long a locked account stays locked"},
    {"jwt_audience", MQ_SETTING_STRING, OFF(jwt_audience), "marquee", NULL, 0, 256,
     MQ_CONFIG_REQUIRED, NULL, NULL, "aud of access tokens (iss is public_url)"},
    {"rate_limit_login", MQ_SETTING_RATE, OFF(rate_login), "10/min", NULL, 0, 0, MQ_CONFIG_LIVE,
     NULL, NULL, "sign-in attempts per client address"},
    {"require_verified_email", MQ_SETTING_BOOL, OFF(require_verified_email), "false", NULL, 0, 0,
     MQ_CONFIG_LIVE | MQ_CONFIG_PUBLIC, NULL, NULL,
     "refuse sign-in (403 email_not_verified, only after a right password) until the account's "
     "e-mail address is verified"},
    {"account_deletion_grace", MQ_SETTING_DURATION, OFF(account_deletion_grace), "30d", NULL, 60000,
     31536000000L, MQ_CONFIG_LIVE, NULL, NULL,
     "a deleted account can be restored by signing in with \"restore\": true for this long; then "
     "users.purge erases it"},
    {"reauth_window", MQ_SETTING_DURATION, OFF(reauth_window), "10m", NULL, 1000, 86400000L,
     MQ_CONFIG_LIVE, NULL, NULL,
     "changing a second factor needs a sign-in or POST /api/v1/auth/reauthenticate this recent"},
    {"mfa_remember_device", MQ_SETTING_DURATION, OFF(mfa_remember_device), "30d", NULL, 0,
     31536000000L, MQ_CONFIG_LIVE, NULL, NULL,
     "how long \"remember this device\" skips the second factor (0 = never offered)"},
    {"webauthn_rp_id", MQ_SETTING_STRING, OFF(webauthn_rp_id), NULL, "host of public_url", 0, 253,
     0, NULL, NULL,
     "the WebAuthn relying party id: a domain that is the site's or a parent of it; credentials "
     "are bound to it, so changing it orphans every security key"},
    {"webauthn_origins", MQ_SETTING_STRING, OFF(webauthn_origins), NULL, "origin of public_url", 0,
     2048, 0, NULL, NULL,
     "origins WebAuthn ceremonies may come from, comma-separated, compared exactly"},
};

static const struct mq_live_setting live[] = {
    {"mfa_required_roles", "roles",
     "roles whose holders must have a second factor (the MFA policy; the roles are those of the "
     "admin roles list)",
     mq_mfa_policy_get_in, mq_mfa_policy_write},
};

const struct mq_config_module mq_config_auth = {.name = "auth",
                                                .rank = 50,
                                                .size = sizeof(struct mq_auth_conf),
                                                .settings = settings,
                                                .nsettings = MQ_CONFIG_COUNT(settings),
                                                .live = live,
                                                .nlive = MQ_CONFIG_COUNT(live)};
