/* users.h - accounts: creation, the first admin, reading one, preferences.
 * The rules for addresses and names are core/text.h. */
#ifndef MQ_USERS_H
#define MQ_USERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/ctx.h"
#include "core/text.h"
#include "store/users.h"

/* An account as the services hand it out: who it is and its state, never
 * its password hash, lookup key or failure count. Strings borrowed from the
 * row it was read from (the caller's arena). */
struct mq_user {
    char id[37];
    const char *email, *display_name;
    const char *avatar;      /* file name under data_dir/avatars, or NULL */
    const char *preferences; /* a JSON object */
    int64_t created_at, updated_at, last_login_at, email_verified_at; /* 0 = unset */
    int64_t suspended_at, deleted_at, locked_until;
};

/* The account a row holds. */
void mq_user_of_row(const struct mq_user_row *row, struct mq_user *out);

struct mq_user_new {
    const char *email;
    const char *display_name; /* NULL = the e-mail's local part */
    const char *password;
    const char *role; /* the first role: built in (auth/rbac.h) or custom */
    bool email_verified;
    /* Run in the transaction that inserts the account (to queue its
     * verification mail, say); NULL for nothing. It may refuse, in *why. */
    mq_err (*then)(struct mq_ctx *ctx, struct mq_db *db, const struct mq_user_row *row, void *arg,
                   struct mq_refusal *why);
    void *then_arg;
};

/* Validates everything, hashes the password (slow: not on a connection
 * thread) and inserts. On MQ_EINVAL or MQ_ECONFLICT (`email_taken`,
 * `email_confusable`), *why says what is wrong. The address is stored in its
 * normal form (core/address.h). */
MQ_MUST_CHECK mq_err mq_users_create(struct mq_ctx *ctx, const struct mq_user_new *u, char id[37],
                                     struct mq_refusal *why);

/* The account with that id (any state); MQ_ENOTFOUND if there is none. */
MQ_MUST_CHECK mq_err mq_users_get(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                                  struct mq_user *out);

/* Applies a JSON merge patch to the member's preferences (users/prefs.h)
 * in one write transaction; the result goes to *merged (arena). MQ_EINVAL
 * with *why filled when the result is not acceptable. */
MQ_MUST_CHECK mq_err mq_users_update_preferences(struct mq_ctx *ctx, struct mq_arena *a,
                                                 const char *id, const json_t *patch, char **merged,
                                                 struct mq_refusal *why);

#define MQ_SETUP_TOKEN_LEN 43 /* 32 random bytes, base64url without padding */

/* In db's transaction: MQ_ECONFLICT (email_confusable) when the address
 * with this key looks like another account's (`user_id` is the account
 * taking it, or NULL for a new one). The same key is not a look-alike: the
 * unique key says "email_taken" for it. */
MQ_MUST_CHECK mq_err mq_users_check_lookalike(struct mq_db *db, struct mq_arena *a, const char *key,
                                              const char *user_id, struct mq_refusal *why);

/* On an empty database (no accounts) makes a new one-time setup token,
 * stores its hash (replacing any earlier one, whose plain text is gone) and
 * gives it in `token`; *needed is false, and any old token is removed, once
 * an account exists. */
MQ_MUST_CHECK mq_err mq_users_setup_token(struct mq_ctx *ctx, char token[MQ_SETUP_TOKEN_LEN + 1],
                                          bool *needed);

/* Creates the first admin with the setup token, once. The token is checked
 * in constant time and deleted with the account's creation, in one
 * transaction that also checks no account exists. Refusals: invalid_setup_token
 * (MQ_EPERM), already_set_up (MQ_ECONFLICT), or a validation code
 * (MQ_EINVAL) as for mq_users_create. */
MQ_MUST_CHECK mq_err mq_users_setup(struct mq_ctx *ctx, const char *token,
                                    const struct mq_user_new *admin, char id[37],
                                    struct mq_refusal *why);

#endif
