/* authz.h - what a user may do: the union of the permissions of the roles
 * they hold (built-in ones from auth/rbac.h, custom ones from the roles
 * table).
 *
 * Working that out takes a query, so each instance caches it per user,
 * keyed by users.authz_version. Every change to a user's roles, or to a
 * role they hold, bumps that version in the database; authentication reads
 * the version with the session on every request, so a change takes effect
 * on the next request, on every instance, with nothing to broadcast. */
#ifndef MQ_AUTH_AUTHZ_H
#define MQ_AUTH_AUTHZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/ctx.h"
#include "store/store.h"

#define MQ_AUTHZ_MAX_ROLES 32
#define MQ_AUTHZ_MAX_PERMS 128

struct mq_authz {
    const char **roles; /* arena, by name */
    size_t nroles;
    const char **perms; /* arena, each once */
    size_t nperms;
};

struct mq_authz_cache;

MQ_MUST_CHECK mq_err mq_authz_cache_new(size_t entries, struct mq_authz_cache **out);
void mq_authz_cache_free(struct mq_authz_cache *c);

/* The user's roles and permissions as of `version` (their authz_version),
 * read in `db` unless the cache has them. */
MQ_MUST_CHECK mq_err mq_authz_get(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                                  const char *user_id, int64_t version, struct mq_authz *out);

/* The same read from the database, past the cache (inside a write
 * transaction, say, where the version may be changing). */
MQ_MUST_CHECK mq_err mq_authz_load(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                   struct mq_authz *out);

/* Whether the permissions cover `needed` (a permission, MQ_PERM_PUBLIC or
 * MQ_PERM_SIGNED_IN). */
bool mq_authz_allows(const struct mq_authz *z, const char *needed);

bool mq_authz_has_role(const struct mq_authz *z, const char *role);

/* Whether every permission of `z` is covered by `by`: acting as z gives
 * `by` nothing it did not have. */
bool mq_authz_within(const struct mq_authz *z, const struct mq_authz *by);

/* Whether `perms` (n strings) cover `needed`. */
bool mq_perms_cover(const char *const *perms, size_t n, const char *needed);

#endif
