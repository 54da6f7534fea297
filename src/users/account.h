/* account.h - what members do with their own account: register, verify
 * their address, reset or change a password, edit or delete the profile.
 *
 * E-mailed links carry 256-bit random tokens ("mqv_" verifies, "mqp_"
 * resets), stored only as SHA-256 hashes, single-use, and bound to the
 * address they were sent to. A new link of one kind voids the unused ones.
 * Every message is queued in the transaction of the change it tells about
 * (mail/mail.h).
 *
 * Functions marked slow compute argon2id: call them on the CPU pool. On
 * MQ_EINVAL, MQ_EPERM or MQ_ECONFLICT, *why says what is wrong. */
#ifndef MQ_USERS_ACCOUNT_H
#define MQ_USERS_ACCOUNT_H

#include "auth/sessions.h"
#include "core/ctx.h"

#define MQ_VERIFY_TTL_MS (24LL * 3600 * 1000)
#define MQ_RESET_TTL_MS  (3600LL * 1000)

struct mq_registration {
    const char *email, *password, *display_name; /* display_name NULL: from the address */
    const char *invite; /* an invitation's code (users/invites.h), or NULL */
    /* Asked before the owner of an address that has an account is mailed
     * about it; false skips the mail, and nothing else changes. NULL = yes. */
    bool (*may_mail_owner)(void *cls, const char *email);
    void *may_mail_cls;
};

/* Slow. Creates an account and mails it a verification link; when the
 * address already has an account, mails its owner instead and creates
 * nothing. The work and the answer are the same either way, so nobody learns
 * which addresses have accounts. id is "" when nothing was created. With an
 * invitation, the account gets its role, and the invitation is used up
 * either way; one that cannot bring this address in is MQ_EPERM,
 * invalid_invite. */
MQ_MUST_CHECK mq_err mq_account_register(struct mq_ctx *ctx, struct mq_arena *a,
                                         const struct mq_registration *r, char id[37],
                                         struct mq_refusal *why);

/* Mails a new verification link to the account with this address (email)
 * or id (user_id), if it exists, is active and is not verified yet. MQ_OK
 * whether or not anything was sent; *user_id_out names the account, if any. */
MQ_MUST_CHECK mq_err mq_account_resend_verification(struct mq_ctx *ctx, struct mq_arena *a,
                                                    const char *email, const char *user_id,
                                                    const char **user_id_out);

/* Uses a verification token: MQ_EPERM (invalid_token) when it is unknown,
 * used, expired or for an address the account no longer has. */
MQ_MUST_CHECK mq_err mq_account_verify_email(struct mq_ctx *ctx, struct mq_arena *a,
                                             const char *token, const char **user_id,
                                             struct mq_refusal *why);

/* Mails a reset link to the account with this address if there is one that
 * is not suspended. MQ_OK either way; *user_id (NULL if none) for the audit. */
MQ_MUST_CHECK mq_err mq_account_forgot_password(struct mq_ctx *ctx, struct mq_arena *a,
                                                const char *email, const char **user_id);

/* Slow. Sets a new password with a reset token, ends every session, clears
 * any lock, verifies the address the link went to, and mails a notice.
 * MQ_EPERM (invalid_token) or MQ_EINVAL (password policy). */
MQ_MUST_CHECK mq_err mq_account_reset_password(struct mq_ctx *ctx, struct mq_arena *a,
                                               const char *token, const char *new_password,
                                               const char *ip, const char **user_id,
                                               struct mq_refusal *why);

/* Slow. Checks the current password (a wrong one counts towards the lock),
 * sets the new one, ends every session, opens a new one for `device` into
 * *out (carrying over the second factor the old session proved), and
 * mails a notice. MQ_EPERM (wrong_password) or MQ_EINVAL. */
MQ_MUST_CHECK mq_err mq_account_change_password(struct mq_ctx *ctx, struct mq_arena *a,
                                                const char *user_id, const char *current,
                                                const char *new_password,
                                                const struct mq_device *device,
                                                const struct mq_session_factor *factor,
                                                struct mq_tokens *out, struct mq_refusal *why);

struct mq_profile_change {
    const char *display_name;     /* NULL = unchanged */
    const char *email;            /* NULL = unchanged; needs current_password */
    const char *current_password; /* only for an e-mail change */
    const char *ip;
};

/* Slow when the address changes. A new address is unverified: a link goes
 * to it, and a notice to the old one. MQ_EINVAL, MQ_EPERM (wrong_password,
 * password_required) or MQ_ECONFLICT (email_taken). */
MQ_MUST_CHECK mq_err mq_account_update(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                       const struct mq_profile_change *c, struct mq_refusal *why);

/* Slow. Checks the password, marks the account deleted, ends its sessions
 * and mails the owner; signing in before *purge_at (Unix ms) restores it.
 * MQ_EPERM (wrong_password) or MQ_ECONFLICT (last_admin). */
MQ_MUST_CHECK mq_err mq_account_delete(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                       const char *password, int64_t *purge_at,
                                       struct mq_refusal *why);

#endif
