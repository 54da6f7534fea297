/* apikeys.h - statements of api_keys. The rules live in src/auth/apikeys.c. */
#ifndef MQ_STORE_APIKEYS_H
#define MQ_STORE_APIKEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct mq_apikey_row {
    char id[37];
    const char *user_id, *name, *secret_hash;                 /* arena */
    const char *scopes;                                       /* a JSON array of permissions */
    const char *rate_limit;                                   /* a policy ("60/min"), or NULL */
    int64_t created_at, expires_at, last_used_at, revoked_at; /* 0 = unset */
    const char *last_used_ip;                                 /* or NULL */
};

/* A key with what its owner's state allows, for authentication. */
struct mq_apikey_auth {
    struct mq_apikey_row key;
    int64_t authz_version; /* the owner's */
    bool owner_active;     /* neither suspended nor deleted */
};

MQ_MUST_CHECK mq_err mq_store_apikey_insert(struct mq_db *db, const struct mq_apikey_row *k);
/* The user's keys not revoked, newest first. */
MQ_MUST_CHECK mq_err mq_store_apikeys_list(struct mq_db *db, struct mq_arena *a,
                                           const char *user_id, struct mq_apikey_row **out,
                                           size_t *n);
/* The user's key not revoked; MQ_ENOTFOUND otherwise. */
MQ_MUST_CHECK mq_err mq_store_apikey_get(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                         const char *id, struct mq_apikey_row *out);
/* MQ_ENOTFOUND when there is no such key (of any owner). */
MQ_MUST_CHECK mq_err mq_store_apikey_auth(struct mq_db *db, struct mq_arena *a, const char *id,
                                          struct mq_apikey_auth *out);
/* Writes name, scopes, expires_at (0 = never) and rate_limit as given. */
MQ_MUST_CHECK mq_err mq_store_apikey_update(struct mq_db *db, const struct mq_apikey_row *k);
/* *revoked says whether the user had such a live key. */
MQ_MUST_CHECK mq_err mq_store_apikey_revoke(struct mq_db *db, const char *user_id, const char *id,
                                            int64_t now, bool *revoked);
/* Every live key of the user; *n (may be NULL) counts them. */
MQ_MUST_CHECK mq_err mq_store_apikeys_revoke_all(struct mq_db *db, const char *user_id, int64_t now,
                                                 int64_t *n);
MQ_MUST_CHECK mq_err mq_store_apikey_used(struct mq_db *db, const char *id, int64_t now,
                                          const char *ip);
MQ_MUST_CHECK mq_err mq_store_apikeys_count(struct mq_db *db, const char *user_id, int64_t *n);

#endif
