/* sessions.h - statements of sessions and refresh_tokens, and of the sign-in
 * bookkeeping on users. The rules live in src/auth/sessions.c. */
#ifndef MQ_STORE_SESSIONS_H
#define MQ_STORE_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct mq_session_row {
    const char *id, *user_id, *ip, *user_agent, *device_name;
    int64_t created_at, last_seen_at, idle_expires_at, expires_at, revoked_at;
    const char *mfa_method;  /* how a second factor was proven, or NULL */
    int64_t mfa_verified_at; /* 0 = none */
    int64_t auth_at;         /* last sign-in or re-authentication */
    bool enrol_only;         /* may only enrol a second factor */
    const char *actor_id;    /* an impersonation: the admin acting as the user; or NULL */
};

/* What a request's session allows, for authentication. */
struct mq_session_auth {
    int64_t authz_version;  /* the user's; see auth/authz.h */
    const char *mfa_method; /* arena, or NULL */
    const char *actor_id;   /* arena; an impersonating admin, or NULL */
    int64_t auth_at;
    bool enrol_only;
};

MQ_MUST_CHECK mq_err mq_store_session_insert(struct mq_db *db, const struct mq_session_row *s);
/* What the account's earlier sessions (not impersonations) say of a new
 * sign-in: whether there were any, and whether one came from this address
 * or this device. */
struct mq_session_seen {
    bool any, address, device;
};
MQ_MUST_CHECK mq_err mq_store_sessions_seen(struct mq_db *db, const char *user_id, const char *ip,
                                            const char *user_agent, struct mq_session_seen *out);
/* MQ_ENOTFOUND when there is no such session. */
MQ_MUST_CHECK mq_err mq_store_session_get(struct mq_db *db, struct mq_arena *a, const char *id,
                                          struct mq_session_row *out);
/* Ends a session (if still open); *ended says whether it was open. */
MQ_MUST_CHECK mq_err mq_store_session_revoke(struct mq_db *db, const char *id, int64_t now,
                                             const char *reason, bool *ended);
/* The user's open sessions at now, newest first, those with an id below
 * `before_id` (NULL: from the newest); at most `limit`, in the arena. */
MQ_MUST_CHECK mq_err mq_store_sessions_list(struct mq_db *db, struct mq_arena *a,
                                            const char *user_id, int64_t now, const char *before_id,
                                            int limit, struct mq_session_row **out, size_t *n);
/* Ends every open session of the user but `keep`; *ended counts them. */
MQ_MUST_CHECK mq_err mq_store_sessions_revoke_others(struct mq_db *db, const char *user_id,
                                                     const char *keep, int64_t now,
                                                     const char *reason, int64_t *ended);
MQ_MUST_CHECK mq_err mq_store_session_touch(struct mq_db *db, const char *id, int64_t now,
                                            int64_t idle_expires_at);
/* Ends the user's open sessions beyond the newest `keep`; *ended counts them. */
MQ_MUST_CHECK mq_err mq_store_sessions_trim(struct mq_db *db, const char *user_id, int64_t now,
                                            int keep, int64_t *ended);

/* For authenticating a request: the session is open and unexpired at now,
 * and its user neither suspended nor deleted. */
MQ_MUST_CHECK mq_err mq_store_session_active(struct mq_db *db, struct mq_arena *a,
                                             const char *session_id, const char *user_id,
                                             int64_t now, struct mq_session_auth *out);
/* A second factor proven in the session: it is no longer enrol-only. */
MQ_MUST_CHECK mq_err mq_store_session_mfa(struct mq_db *db, const char *id, const char *method,
                                          int64_t now);
/* The user proved who they are again. */
MQ_MUST_CHECK mq_err mq_store_session_reauth(struct mq_db *db, const char *id, int64_t now);

MQ_MUST_CHECK mq_err mq_store_refresh_insert(struct mq_db *db, const char *hash,
                                             const char *session_id, int64_t now);
/* MQ_ENOTFOUND for an unknown token. *rotated_at is 0 while it is current. */
MQ_MUST_CHECK mq_err mq_store_refresh_get(struct mq_db *db, struct mq_arena *a, const char *hash,
                                          const char **session_id, int64_t *rotated_at);
/* Marks a current token used; *won is false if another request did first. */
MQ_MUST_CHECK mq_err mq_store_refresh_rotate(struct mq_db *db, const char *hash, int64_t now,
                                             bool *won);

/* Sign-in bookkeeping: a failure counts, and locks at `threshold` until
 * `lock_until`; *failures and *locked tell what happened. */
MQ_MUST_CHECK mq_err mq_store_user_login_failed(struct mq_db *db, const char *user_id,
                                                int threshold, int64_t lock_until, int64_t now,
                                                int *failures, bool *locked);
MQ_MUST_CHECK mq_err mq_store_user_login_ok(struct mq_db *db, const char *user_id,
                                            const char *new_hash, int64_t now);
/* A stronger hash of the same password, failures left as they are. */
MQ_MUST_CHECK mq_err mq_store_user_rehash(struct mq_db *db, const char *user_id,
                                          const char *new_hash, int64_t now);

#endif
