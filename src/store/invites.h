/* invites.h - invitations to register (table invites). */
#ifndef MQ_STORE_INVITES_H
#define MQ_STORE_INVITES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct mq_invite_row {
    const char *id;
    const char *code_hash; /* hex SHA-256 of the code */
    const char *email_key; /* the lookup form of the one address it is for, or NULL */
    const char *role;
    const char *created_by, *used_by; /* user ids, or NULL */
    int64_t created_at, expires_at;
    int64_t used_at; /* 0 = not used */
};

MQ_MUST_CHECK mq_err mq_store_invite_insert(struct mq_db *db, const struct mq_invite_row *r);

/* MQ_ENOTFOUND when no invitation has this code. */
MQ_MUST_CHECK mq_err mq_store_invite_by_code(struct mq_db *db, struct mq_arena *a,
                                             const char *code_hash, struct mq_invite_row *out);

/* Marks it used by user_id (forgetting the address it was for) if it is
 * still unused and unexpired at now; *used says whether. */
MQ_MUST_CHECK mq_err mq_store_invite_use(struct mq_db *db, const char *id, const char *user_id,
                                         int64_t now, bool *used);

/* Newest first, those with an id below `before` ("" from the newest). */
MQ_MUST_CHECK mq_err mq_store_invites_list(struct mq_db *db, struct mq_arena *a, const char *before,
                                           int limit, struct mq_invite_row *out, size_t *n);

MQ_MUST_CHECK mq_err mq_store_invite_delete(struct mq_db *db, const char *id, bool *removed);

#endif
