/* webauthn.h - statements of webauthn_credentials, webauthn_challenges and
 * users.webauthn_handle. The rules live in src/auth/passkeys.c. */
#ifndef MQ_STORE_WEBAUTHN_H
#define MQ_STORE_WEBAUTHN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct mq_webauthn_credential {
    const char *id, *user_id, *credential_id, *public_key; /* ids, base64url key */
    int alg;
    int64_t sign_count;
    const char *aaguid, *transports, *name, *attestation_format, *attestation_type;
    bool backup_eligible, backed_up;
    int64_t created_at, last_used_at, flagged_at;
    const char *user_handle; /* the owner's, when read by credential id */
};

/* The user's handle, made from `fresh` if they have none yet. */
MQ_MUST_CHECK mq_err mq_store_webauthn_handle(struct mq_db *db, struct mq_arena *a,
                                              const char *user_id, const char *fresh,
                                              const char **handle);

/* MQ_ECONFLICT when the credential id is registered already. */
MQ_MUST_CHECK mq_err mq_store_webauthn_insert(struct mq_db *db,
                                              const struct mq_webauthn_credential *c);
/* By credential id (base64url), with its owner's handle; MQ_ENOTFOUND. */
MQ_MUST_CHECK mq_err mq_store_webauthn_by_credential(struct mq_db *db, struct mq_arena *a,
                                                     const char *credential_id,
                                                     struct mq_webauthn_credential *out);
/* The user's credentials, oldest first, at most `limit`. */
MQ_MUST_CHECK mq_err mq_store_webauthn_list(struct mq_db *db, struct mq_arena *a,
                                            const char *user_id, int limit,
                                            struct mq_webauthn_credential **out, size_t *n);
/* A signature was good: the new counter and when. */
MQ_MUST_CHECK mq_err mq_store_webauthn_used(struct mq_db *db, const char *id, int64_t sign_count,
                                            int64_t now);
/* The counter went backwards: refused from now on. */
MQ_MUST_CHECK mq_err mq_store_webauthn_flag(struct mq_db *db, const char *id, int64_t now);
/* *changed says whether the user had such a credential. */
MQ_MUST_CHECK mq_err mq_store_webauthn_rename(struct mq_db *db, const char *user_id, const char *id,
                                              const char *name, bool *changed);
MQ_MUST_CHECK mq_err mq_store_webauthn_delete(struct mq_db *db, const char *user_id, const char *id,
                                              bool *deleted);
/* Every credential of the user; *deleted (may be NULL) counts them. */
MQ_MUST_CHECK mq_err mq_store_webauthn_delete_all(struct mq_db *db, const char *user_id,
                                                  int64_t *deleted);

struct mq_webauthn_challenge {
    const char *challenge_hash, *purpose, *user_id, *mfa_token_hash;
    int64_t created_at, expires_at;
};

MQ_MUST_CHECK mq_err mq_store_webauthn_challenge_insert(struct mq_db *db,
                                                        const struct mq_webauthn_challenge *c);
/* Uses up a live challenge of that purpose; MQ_ENOTFOUND when there is none.
 * *user_id and *mfa_token_hash (arena, may be NULL) say whose it was. */
MQ_MUST_CHECK mq_err mq_store_webauthn_challenge_use(struct mq_db *db, struct mq_arena *a,
                                                     const char *challenge_hash,
                                                     const char *purpose, int64_t now,
                                                     const char **user_id,
                                                     const char **mfa_token_hash);
MQ_MUST_CHECK mq_err mq_store_webauthn_challenges_purge(struct mq_db *db, int64_t before,
                                                        int64_t *deleted);

#endif
