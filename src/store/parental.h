/* parental.h - members' parental controls and PIN unlocks (tables
 * parental_controls, parental_unlocks, media_items.rating_level). */
#ifndef MQ_STORE_PARENTAL_H
#define MQ_STORE_PARENTAL_H

#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct mq_parental_row {
    const char *user_id, *max_rating; /* max_rating NULL = no limit */
    int64_t max_level;                /* 0 = no limit */
    const char *unrated, *windows, *pin_hash, *updated_by;
    int64_t pin_failures, pin_locked_until, updated_at;
};

/* MQ_ENOTFOUND when the member has none. */
MQ_MUST_CHECK mq_err mq_store_parental_get(struct mq_db *db, struct mq_arena *a,
                                           const char *user_id, struct mq_parental_row *out);
MQ_MUST_CHECK mq_err mq_store_parental_put(struct mq_db *db, const struct mq_parental_row *r);
MQ_MUST_CHECK mq_err mq_store_parental_pin_result(struct mq_db *db, const char *user_id,
                                                  int64_t failures, int64_t locked_until);
MQ_MUST_CHECK mq_err mq_store_parental_unlock(struct mq_db *db, const char *session_id,
                                              const char *user_id, int64_t until);
/* Until when the session is unlocked (0 = not). */
MQ_MUST_CHECK mq_err mq_store_parental_unlocked(struct mq_db *db, const char *session_id,
                                                int64_t now, int64_t *until);
MQ_MUST_CHECK mq_err mq_store_parental_unlocks_end(struct mq_db *db, const char *user_id);

#endif
