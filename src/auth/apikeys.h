/* apikeys.h - API keys: long-lived credentials for scripts and players.
 *
 * A key reads "mq_" + its id's 32 hex digits + "_" + 43 base64url
 * characters (256 random bits). It is shown once; only its SHA-256 is kept.
 * It carries scopes, a subset of its owner's permissions when made and
 * checked against them again on every use (a key never outlives a
 * demotion), an optional expiry and rate limit, and its last use. Revoking
 * it, or suspending its owner, ends it at once: every use reads its row. */
#ifndef MQ_AUTH_APIKEYS_H
#define MQ_AUTH_APIKEYS_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/sessions.h"
#include "core/arena.h"
#include "core/ctx.h"
#include "store/apikeys.h"

#define MQ_APIKEY_LEN       79 /* "mq_" 32 "_" 43 */
#define MQ_APIKEYS_PER_USER 50

/* What a key is made or changed with. NULL leaves a field as it is on
 * update; `expires_at` 0 = never (on update, `set_expiry` says whether to
 * write it). */
struct mq_apikey_spec {
    const char *name;
    const json_t *scopes; /* array of permission strings */
    int64_t expires_at;   /* ms */
    bool set_expiry;
    const char *rate_limit; /* "60/min", or "" for the default */
};

/* A key as the services hand it out: never its hash. */
struct mq_apikey {
    char id[37];
    const char *name;
    const char *scopes;                           /* a JSON array of permissions */
    const char *rate_limit;                       /* a policy ("60/min"), or NULL */
    int64_t created_at, expires_at, last_used_at; /* 0 = unset */
    const char *last_used_ip;                     /* or NULL */
};

/* A new key of the principal's. The plain key goes to *key (arena), the
 * row to *out. MQ_EINVAL / MQ_ECONFLICT (too many keys) with *why filled. */
MQ_MUST_CHECK mq_err mq_apikey_create(struct mq_ctx *ctx, struct mq_arena *a,
                                      const struct mq_principal *owner,
                                      const struct mq_apikey_spec *spec, struct mq_apikey *out,
                                      char **key, struct mq_refusal *why);

MQ_MUST_CHECK mq_err mq_apikeys_list(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                     struct mq_apikey **out, size_t *n);

/* Changes a key of the principal's; *before and *out (arena) hold it before
 * and after. MQ_ENOTFOUND for no such live key of theirs. */
MQ_MUST_CHECK mq_err mq_apikey_update(struct mq_ctx *ctx, struct mq_arena *a,
                                      const struct mq_principal *owner, const char *id,
                                      const struct mq_apikey_spec *spec, struct mq_apikey *before,
                                      struct mq_apikey *out, struct mq_refusal *why);

/* MQ_ENOTFOUND for no such live key of the user's. */
MQ_MUST_CHECK mq_err mq_apikey_revoke(struct mq_ctx *ctx, const char *user_id, const char *id);

/* Whether the string has the shape of a key (checked before any lookup). */
bool mq_apikey_shaped(const char *key);

/* Authenticates a request by key: fills *out (arena) with its owner, their
 * permissions and the key's scopes, and records its use (at most once a
 * minute per key and address). MQ_EPERM with *why for a key that is
 * unknown, wrong, revoked, expired or whose owner is suspended. */
MQ_MUST_CHECK mq_err mq_apikey_authenticate(struct mq_ctx *ctx, struct mq_arena *a, const char *key,
                                            const char *ip, struct mq_principal *out,
                                            const char **why);

#endif
