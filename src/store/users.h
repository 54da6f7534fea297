/* users.h - statements of the users table. */
#ifndef MQ_STORE_USERS_H
#define MQ_STORE_USERS_H

#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct mq_user_row {
    char id[37];
    const char *email, *email_key, *display_name, *password_hash, *role;    /* arena strings */
    int64_t email_verified_at, password_changed_at, created_at, updated_at; /* 0 = unset */
    int64_t suspended_at, deleted_at, locked_until;
    int failed_logins;
};

/* MQ_ECONFLICT when the e-mail key is taken. */
MQ_MUST_CHECK mq_err mq_store_user_insert(struct mq_db *db, const struct mq_user_row *u);
/* MQ_ENOTFOUND when no user has the key. */
MQ_MUST_CHECK mq_err mq_store_user_by_email(struct mq_db *db, struct mq_arena *a,
                                            const char *email_key, struct mq_user_row *out);
MQ_MUST_CHECK mq_err mq_store_user_count(struct mq_db *db, int64_t *n);
/* MQ_ENOTFOUND when there is no such user. */
MQ_MUST_CHECK mq_err mq_store_user_by_id(struct mq_db *db, struct mq_arena *a, const char *id,
                                         struct mq_user_row *out);

#endif
