/* users.h - statements of the users table. */
#ifndef MQ_STORE_USERS_H
#define MQ_STORE_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct mq_user_row {
    char id[37];
    const char *email, *email_key, *display_name, *password_hash;           /* arena strings */
    int64_t email_verified_at, password_changed_at, created_at, updated_at; /* 0 = unset */
    int64_t suspended_at, deleted_at, locked_until, last_login_at;
    int64_t authz_version; /* bumped by every change to what the user may do */
    int failed_logins;
    const char *preferences; /* a JSON object */
    const char *avatar;      /* file name under data_dir/avatars, or NULL */
};

struct mq_email_token {
    const char *token_hash, *user_id, *purpose, *email; /* purpose: verify or reset */
    int64_t created_at, expires_at;
};

struct mq_deleted_user {
    char id[37];
    const char *avatar; /* arena, or NULL */
};

/* MQ_ECONFLICT when the e-mail key is taken. */
MQ_MUST_CHECK mq_err mq_store_user_insert(struct mq_db *db, const struct mq_user_row *u);
/* MQ_ENOTFOUND when no user has the key. */
MQ_MUST_CHECK mq_err mq_store_user_by_email(struct mq_db *db, struct mq_arena *a,
                                            const char *email_key, struct mq_user_row *out);
MQ_MUST_CHECK mq_err mq_store_user_count(struct mq_db *db, int64_t *n);
/* Every account's id (first) and e-mail key (second), deleted ones too:
 * look-alike addresses are looked for among them all. */
MQ_MUST_CHECK mq_err mq_store_user_keys(struct mq_db *db, struct mq_arena *a,
                                        struct mq_text_pair **out, size_t *n);
/* MQ_ENOTFOUND when there is no such user. */
MQ_MUST_CHECK mq_err mq_store_user_by_id(struct mq_db *db, struct mq_arena *a, const char *id,
                                         struct mq_user_row *out);
/* Admins neither deleted nor suspended. */
MQ_MUST_CHECK mq_err mq_store_user_admins(struct mq_db *db, int64_t *n);
/* Also clears failed sign-ins and any lock. */
MQ_MUST_CHECK mq_err mq_store_user_set_password(struct mq_db *db, const char *id, const char *hash,
                                                int64_t now);
/* Marks the address verified if it is still `email`; *changed (may be NULL)
 * says whether it was unverified before. */
MQ_MUST_CHECK mq_err mq_store_user_verified(struct mq_db *db, const char *id, const char *email,
                                            int64_t now, bool *changed);
/* NULL leaves a field as it is; a new e-mail is unverified. MQ_ECONFLICT
 * when the e-mail key is taken. */
MQ_MUST_CHECK mq_err mq_store_user_profile(struct mq_db *db, const char *id,
                                           const char *display_name, const char *email,
                                           const char *email_key, int64_t now);
MQ_MUST_CHECK mq_err mq_store_user_preferences(struct mq_db *db, const char *id, const char *prefs,
                                               int64_t now);
MQ_MUST_CHECK mq_err mq_store_user_avatar(struct mq_db *db, const char *id, const char *avatar,
                                          int64_t now);
MQ_MUST_CHECK mq_err mq_store_user_delete_soft(struct mq_db *db, const char *id, int64_t now,
                                               bool *deleted);
MQ_MUST_CHECK mq_err mq_store_user_restore(struct mq_db *db, const char *id, int64_t now);
/* Accounts deleted before `before`, oldest first, at most `limit`. */
MQ_MUST_CHECK mq_err mq_store_users_deleted_before(struct mq_db *db, struct mq_arena *a,
                                                   int64_t before, int limit,
                                                   struct mq_deleted_user *out, size_t *n);
/* Removes a deleted account and (by cascade) its sessions and tokens. */
MQ_MUST_CHECK mq_err mq_store_user_erase(struct mq_db *db, const char *id);

enum mq_user_sort { MQ_SORT_CREATED, MQ_SORT_LAST_LOGIN, MQ_SORT_NAME };
enum mq_user_status {
    MQ_STATUS_ANY,
    MQ_STATUS_ACTIVE,   /* neither suspended nor deleted */
    MQ_STATUS_DISABLED, /* suspended, not deleted */
    MQ_STATUS_DELETED,  /* deleted, within the grace period */
    MQ_STATUS_LOCKED,   /* locked out by failed sign-ins, now */
};

struct mq_user_filter {
    const char *role; /* holds it; NULL = any */
    enum mq_user_status status;
    const char *q;                    /* substring of the e-mail or name, any case; NULL = any */
    int64_t created_from, created_to; /* [from, to); 0 = open */
    int64_t now;                      /* for MQ_STATUS_LOCKED */
    enum mq_user_sort sort;
    bool descending;
    /* Keyset: continue after this (sort key, id); after_id NULL = from the start. */
    int64_t after_int;
    const char *after_text, *after_id;
    int limit;
};

/* The ids of the accounts that may be told things (the monitor's and
 * the announcer's members): neither deleted nor suspended; by id. */
MQ_MUST_CHECK mq_err mq_store_users_active_ids(struct mq_db *db, struct mq_arena *a,
                                               const char ***ids, size_t *n);

/* Accounts matching the filter, in its order; at most f->limit. */
MQ_MUST_CHECK mq_err mq_store_users_list(struct mq_db *db, struct mq_arena *a,
                                         const struct mq_user_filter *f, struct mq_user_row *out,
                                         size_t *n);
/* Suspends (at `suspended_at`) or, with 0, reinstates; bumps authz_version.
 * MQ_ENOTFOUND for no such account. */
MQ_MUST_CHECK mq_err mq_store_user_set_suspended(struct mq_db *db, const char *id,
                                                 int64_t suspended_at, int64_t now);
/* Removes an account whatever its state, with everything that cascades. */
MQ_MUST_CHECK mq_err mq_store_user_delete_hard(struct mq_db *db, const char *id);

MQ_MUST_CHECK mq_err mq_store_email_token_insert(struct mq_db *db, const struct mq_email_token *t);
/* Marks an unused, unexpired token used; MQ_ENOTFOUND otherwise. */
MQ_MUST_CHECK mq_err mq_store_email_token_consume(struct mq_db *db, struct mq_arena *a,
                                                  const char *token_hash, const char *purpose,
                                                  int64_t now, const char **user_id,
                                                  const char **email);
/* As consume, without using it up. */
MQ_MUST_CHECK mq_err mq_store_email_token_peek(struct mq_db *db, struct mq_arena *a,
                                               const char *token_hash, const char *purpose,
                                               int64_t now, const char **user_id,
                                               const char **email);
/* Deletes a user's unused tokens of one purpose. */
MQ_MUST_CHECK mq_err mq_store_email_tokens_drop(struct mq_db *db, const char *user_id,
                                                const char *purpose);
MQ_MUST_CHECK mq_err mq_store_email_tokens_purge(struct mq_db *db, int64_t before,
                                                 int64_t *deleted);

#endif
