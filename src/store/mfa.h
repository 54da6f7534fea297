/* mfa.h - statements of second factors: mfa_totp, mfa_backup_codes,
 * mfa_challenges, trusted_devices and users.mfa_enabled_at. The rules live
 * in src/auth/mfa.c. */
#ifndef MQ_STORE_MFA_H
#define MQ_STORE_MFA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct mq_mfa_factors {
    int64_t enabled_at;        /* users.mfa_enabled_at; 0 = off */
    const char *totp_secret;   /* sealed; NULL = no authenticator */
    int64_t totp_confirmed_at; /* 0 = waiting for a first code */
    int64_t totp_last_step;
    int backup_left, backup_total;
    int trusted_devices; /* unexpired, unrevoked */
    int webauthn;        /* credentials, flagged as possibly cloned or not */
    int webauthn_usable; /* those not flagged */
};

/* MQ_ENOTFOUND for an unknown user. */
MQ_MUST_CHECK mq_err mq_store_mfa_factors(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                          int64_t now, struct mq_mfa_factors *out);
/* Sets (now) or clears (0) users.mfa_enabled_at. */
MQ_MUST_CHECK mq_err mq_store_mfa_enabled(struct mq_db *db, const char *user_id, int64_t at);

/* A new unconfirmed authenticator; MQ_ECONFLICT when a confirmed one exists. */
MQ_MUST_CHECK mq_err mq_store_totp_pending(struct mq_db *db, const char *user_id,
                                           const char *sealed, int64_t now);
/* Accepts a code's step: only above the last one accepted, and (confirm)
 * only while unconfirmed, or (!confirm) only once confirmed. *accepted says
 * whether; false means the code was used already (or the state changed). */
MQ_MUST_CHECK mq_err mq_store_totp_accept(struct mq_db *db, const char *user_id, int64_t step,
                                          bool confirm, int64_t now, bool *accepted);
MQ_MUST_CHECK mq_err mq_store_totp_delete(struct mq_db *db, const char *user_id, bool *deleted);

MQ_MUST_CHECK mq_err mq_store_backup_codes_clear(struct mq_db *db, const char *user_id);
MQ_MUST_CHECK mq_err mq_store_backup_code_insert(struct mq_db *db, const char *user_id,
                                                 const char *hash, int64_t now);
/* Uses an unused code; *used says whether one matched. */
MQ_MUST_CHECK mq_err mq_store_backup_code_use(struct mq_db *db, const char *user_id,
                                              const char *hash, int64_t now, const char *ip,
                                              bool *used);

struct mq_mfa_challenge {
    const char *token_hash, *user_id, *ip, *user_agent, *device_name;
    int64_t created_at, expires_at;
    int attempts;
    bool restore;
};

MQ_MUST_CHECK mq_err mq_store_challenge_insert(struct mq_db *db, const struct mq_mfa_challenge *c);
/* Counts one attempt on a live challenge (unused, unexpired, attempts left)
 * and reads it; MQ_ENOTFOUND when there is none. */
MQ_MUST_CHECK mq_err mq_store_challenge_attempt(struct mq_db *db, struct mq_arena *a,
                                                const char *token_hash, int64_t now,
                                                int max_attempts, struct mq_mfa_challenge *out);
/* Whose live challenge this is, without counting an attempt. */
MQ_MUST_CHECK mq_err mq_store_challenge_peek(struct mq_db *db, struct mq_arena *a,
                                             const char *token_hash, int64_t now, int max_attempts,
                                             const char **user_id);
/* Uses it up; *won is false if another request did first. */
MQ_MUST_CHECK mq_err mq_store_challenge_use(struct mq_db *db, const char *token_hash, int64_t now,
                                            bool *won);
MQ_MUST_CHECK mq_err mq_store_challenges_purge(struct mq_db *db, int64_t before, int64_t *deleted);

struct mq_trusted_device {
    const char *id, *user_id, *token_hash, *ip, *user_agent, *device_name;
    int64_t created_at, expires_at, last_used_at;
};

MQ_MUST_CHECK mq_err mq_store_device_insert(struct mq_db *db, const struct mq_trusted_device *d);
/* Finds the user's live device with the token and marks it used;
 * MQ_ENOTFOUND when there is none. */
MQ_MUST_CHECK mq_err mq_store_device_use(struct mq_db *db, const char *user_id,
                                         const char *token_hash, int64_t now);
/* The user's live devices, newest first, at most `limit`. */
MQ_MUST_CHECK mq_err mq_store_devices_list(struct mq_db *db, struct mq_arena *a,
                                           const char *user_id, int64_t now, int limit,
                                           struct mq_trusted_device **out, size_t *n);
/* id NULL: all of the user's devices. *revoked counts them. */
MQ_MUST_CHECK mq_err mq_store_devices_revoke(struct mq_db *db, const char *user_id, const char *id,
                                             int64_t now, int64_t *revoked);

#endif
