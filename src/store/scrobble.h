/* scrobble.h - members' webhook tokens for scrobbling (scrobble_tokens). */
#ifndef MQ_STORE_SCROBBLE_H
#define MQ_STORE_SCROBBLE_H

#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct mq_scrobble_token_row {
    const char *id, *user_id, *name, *token_hash;
    int64_t created_at, last_used_at; /* 0 = never */
};

MQ_MUST_CHECK mq_err mq_store_scrobble_token_insert(struct mq_db *db,
                                                    const struct mq_scrobble_token_row *r);
/* A member's tokens, newest first. */
MQ_MUST_CHECK mq_err mq_store_scrobble_tokens(struct mq_db *db, struct mq_arena *a,
                                              const char *user_id,
                                              struct mq_scrobble_token_row **out, size_t *n);
/* MQ_ENOTFOUND unless it is one of the member's. */
MQ_MUST_CHECK mq_err mq_store_scrobble_token_delete(struct mq_db *db, const char *user_id,
                                                    const char *id);
/* The token with that hash; MQ_ENOTFOUND. */
MQ_MUST_CHECK mq_err mq_store_scrobble_token_by_hash(struct mq_db *db, struct mq_arena *a,
                                                     const char *hash,
                                                     struct mq_scrobble_token_row *out);
MQ_MUST_CHECK mq_err mq_store_scrobble_token_used(struct mq_db *db, const char *id, int64_t now);

#endif
