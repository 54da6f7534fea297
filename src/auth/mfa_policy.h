/* mfa_policy.h - the MFA policy, and the rules every second factor keeps
 * under it.
 *
 * The policy is the list of roles whose holders must have a second factor
 * (an admin's setting, stored as "mfa.required_roles"). Under it, whatever
 * the factor (authenticator app, security key, passkey):
 *  - confirming the first one turns MFA on, and the session that confirmed
 *    it counts as having proven it;
 *  - removing the last one turns MFA off and ends the remembered devices
 *    and backup codes, unless a role of the user's requires MFA: then the
 *    last factor stays;
 *  - the owner is mailed about every change, in the transaction that makes
 *    it.
 * auth/mfa.h (the authenticator app, backup codes) and auth/passkeys.h
 * (security keys and passkeys) both call these; neither calls the other
 * for them. */
#ifndef MQ_AUTH_MFA_POLICY_H
#define MQ_AUTH_MFA_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/ctx.h"
#include "store/mfa.h"
#include "store/store.h"

/* Who asks, for the factor changes: the user, their session (the one that
 * proves a factor or re-authenticates; may be NULL), the roles they hold,
 * and where from (for the notice mailed to them). */
struct mq_mfa_who {
    const char *user_id, *session_id;
    const char *const *roles;
    size_t nroles;
    const char *ip;
};

/* The roles that must have MFA: a new JSON array. */
MQ_MUST_CHECK mq_err mq_mfa_policy_get(struct mq_ctx *ctx, struct mq_arena *a, json_t **roles);
/* MQ_EINVAL when an entry is not a known role. */
MQ_MUST_CHECK mq_err mq_mfa_policy_set(struct mq_ctx *ctx, json_t *roles);

/* The same inside the caller's transaction (the settings change several
 * things at once). _set_in answers MQ_EINVAL when an entry names no role. */
MQ_MUST_CHECK mq_err mq_mfa_policy_get_in(struct mq_db *db, struct mq_arena *a, json_t **roles);
MQ_MUST_CHECK mq_err mq_mfa_policy_set_in(struct mq_db *db, struct mq_arena *a, json_t *roles,
                                          int64_t now_ms);

/* The policy as the settings write it (struct mq_live_setting): the
 * value must be an array of role names; MQ_EINVAL (unknown_role, or
 * invalid_value for anything but an array) with *why otherwise. */
MQ_MUST_CHECK mq_err mq_mfa_policy_write(struct mq_db *db, struct mq_arena *a, json_t *roles,
                                         int64_t now_ms, struct mq_refusal *why);

/* Whether any of `held` (n role names) must have a second factor. */
MQ_MUST_CHECK mq_err mq_mfa_policy_requires(struct mq_db *db, struct mq_arena *a,
                                            const char *const *held, size_t n, bool *required);

/* The same for a user, by the roles stored for them. */
MQ_MUST_CHECK mq_err mq_mfa_policy_requires_user(struct mq_db *db, struct mq_arena *a,
                                                 const char *user_id, bool *required);

/* A change to the factors of `who`, made with their factors `f` as read in
 * the change's transaction. */
typedef mq_err (*mq_mfa_change_fn)(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                                   const struct mq_mfa_who *who, const struct mq_mfa_factors *f,
                                   void *arg);

/* The shape of every factor change: one write transaction, the user's
 * factors read in it, `change`, then commit, or roll back on any error
 * (a refusal included). */
MQ_MUST_CHECK mq_err mq_mfa_policy_change(struct mq_ctx *ctx, struct mq_arena *a,
                                          const struct mq_mfa_who *who, mq_mfa_change_fn change,
                                          void *arg);

/* A confirmed authenticator or a security key or passkey. */
bool mq_mfa_policy_has_factor(const struct mq_mfa_factors *f);

/* Mails the owner about a change to their factors (template mfa-changed),
 * in the transaction that makes it. */
MQ_MUST_CHECK mq_err mq_mfa_policy_notify(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                                          const struct mq_mfa_who *who, const char *change);

/* In the caller's transaction, once a factor (`method`: "totp" or
 * "webauthn") is confirmed: MFA goes on if it was off (`f` as read before
 * the change), the session counts as having proven the factor, and the
 * owner is told `change`. */
MQ_MUST_CHECK mq_err mq_mfa_policy_factor_added(struct mq_ctx *ctx, struct mq_db *db,
                                                struct mq_arena *a, const struct mq_mfa_who *who,
                                                const struct mq_mfa_factors *f, const char *method,
                                                const char *change);

/* In the caller's transaction, once a confirmed factor (`what`, such as
 * "The authenticator app") is gone: MQ_EPERM when it was the last and the
 * role must have one (roll back); when it was the last, MFA goes off and
 * remembered devices and backup codes end. The owner is mailed. */
MQ_MUST_CHECK mq_err mq_mfa_policy_factor_removed(struct mq_ctx *ctx, struct mq_db *db,
                                                  struct mq_arena *a, const struct mq_mfa_who *who,
                                                  bool last, const char *what);

#endif
