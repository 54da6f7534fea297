/* conf.h - the identity settings: tokens and sessions, lockout, the
 * sign-in rate and who may sign in (verified addresses, accounts deleted
 * within their grace), re-authentication, remembered devices and WebAuthn. The MFA
 * policy is a setting of this module too, one only the admin API holds
 * (auth/mfa_policy.h keeps it). */
#ifndef MQ_AUTH_CONF_H
#define MQ_AUTH_CONF_H

#include "core/config.h"

struct mq_auth_conf {
    long access_token_ttl; /* ms */
    long session_idle_ttl; /* ms without a refresh before a session ends */
    long session_max_ttl;  /* ms after which a session ends regardless */
    int sessions_per_user; /* the oldest is ended past this */
    int lockout_threshold; /* failed sign-ins in a row before a lock */
    long lockout_duration; /* ms */
    char *jwt_audience;
    struct mq_conf_rate rate_login; /* per client address, on sign-in */
    int require_verified_email;     /* 1 = no sign-in before verification */
    long account_deletion_grace;    /* ms a deleted account can be restored by signing in */
    long reauth_window;             /* ms a sign-in counts as recent for factor changes */
    long mfa_remember_device;       /* ms a trusted device skips the second factor; 0 = off */
    char *webauthn_rp_id;           /* NULL = the host of public_url */
    char *webauthn_origins;         /* comma-separated; NULL = public_url's origin */
};

extern const struct mq_config_module mq_config_auth;

static inline const struct mq_auth_conf *mq_auth_conf(const struct mq_config *cfg)
{
    return mq_config_values(cfg, &mq_config_auth);
}

#endif
