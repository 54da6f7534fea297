#include "auth/authz.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "auth/rbac.h"
#include "core/cache.h"
#include "store/roles.h"

#define BLOB_SIZE 1536 /* "role role\nperm perm": larger sets are not cached */

/* The cache's values are blobs; its tag is the user's authz_version. */
struct mq_authz_cache {
    struct mq_cache *cache;
};

mq_err mq_authz_cache_new(size_t entries, struct mq_authz_cache **out)
{
    struct mq_authz_cache *c = calloc(1, sizeof(*c));
    if (!c) return MQ_ENOMEM;
    mq_err err = mq_cache_new(entries, BLOB_SIZE, &c->cache);
    if (err) {
        free(c);
        return err;
    }
    *out = c;
    return MQ_OK;
}

void mq_authz_cache_free(struct mq_authz_cache *c)
{
    if (!c) return;
    mq_cache_free(c->cache);
    free(c);
}

static bool push(const char **list, size_t *n, size_t max, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(list[i], s)) return true;
    if (*n == max) return false;
    list[(*n)++] = s;
    return true;
}

/* "a b\nc d" -> roles a, b and permissions c, d (in the arena). */
static mq_err from_blob(struct mq_arena *a, const char *blob, struct mq_authz *out)
{
    char *copy = mq_arena_strdup(a, blob), *save = NULL;
    if (!copy) return MQ_ENOMEM;
    char *nl = strchr(copy, '\n');
    if (!nl) return MQ_EINVAL;
    *nl = '\0';
    for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
        out->roles[out->nroles++] = t;
    for (char *t = strtok_r(nl + 1, " ", &save); t; t = strtok_r(NULL, " ", &save))
        out->perms[out->nperms++] = t;
    return MQ_OK;
}

/* The inverse; false when it does not fit. */
static bool to_blob(const struct mq_authz *z, char blob[BLOB_SIZE])
{
    size_t off = 0;
    for (size_t k = 0; k < 2; k++) {
        const char **list = k ? z->perms : z->roles;
        size_t n = k ? z->nperms : z->nroles;
        for (size_t i = 0; i < n; i++) {
            size_t len = strlen(list[i]);
            if (off + len + 2 > BLOB_SIZE) return false;
            if (i) blob[off++] = ' ';
            memcpy(blob + off, list[i], len);
            off += len;
        }
        if (!k) blob[off++] = '\n';
    }
    blob[off] = '\0';
    return true;
}

static mq_err load(struct mq_db *db, struct mq_arena *a, const char *user_id, struct mq_authz *out)
{
    struct mq_role_grant grants[MQ_AUTHZ_MAX_ROLES];
    size_t n = 0;
    mq_err err = mq_store_user_roles(db, a, user_id, grants, MQ_AUTHZ_MAX_ROLES, &n);
    if (err) return err;
    for (size_t i = 0; i < n; i++) {
        const char *const *builtin = mq_rbac_role_permissions(grants[i].role);
        if (!builtin && !grants[i].permissions) continue; /* a role no longer defined */
        out->roles[out->nroles++] = grants[i].role;
        for (; builtin && *builtin; builtin++)
            (void)push(out->perms, &out->nperms, MQ_AUTHZ_MAX_PERMS, *builtin);
        if (builtin) continue;
        json_t *list = json_loads(grants[i].permissions, 0, NULL), *v;
        size_t k;
        json_array_foreach(list, k, v)
        {
            const char *s = json_string_value(v);
            char *copy = s && mq_rbac_grant_valid(s) ? mq_arena_strdup(a, s) : NULL;
            if (copy) (void)push(out->perms, &out->nperms, MQ_AUTHZ_MAX_PERMS, copy);
        }
        json_decref(list);
    }
    return MQ_OK;
}

mq_err mq_authz_load(struct mq_db *db, struct mq_arena *a, const char *user_id,
                     struct mq_authz *out)
{
    out->roles = mq_arena_alloc(a, MQ_AUTHZ_MAX_ROLES * sizeof(*out->roles));
    out->perms = mq_arena_alloc(a, MQ_AUTHZ_MAX_PERMS * sizeof(*out->perms));
    out->nroles = out->nperms = 0;
    if (!out->roles || !out->perms) return MQ_ENOMEM;
    return load(db, a, user_id, out);
}

mq_err mq_authz_get(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a, const char *user_id,
                    int64_t version, struct mq_authz *out)
{
    struct mq_authz_cache *c = ctx->authz_cache;
    char blob[BLOB_SIZE];
    int64_t cached = 0;
    out->roles = mq_arena_alloc(a, MQ_AUTHZ_MAX_ROLES * sizeof(*out->roles));
    out->perms = mq_arena_alloc(a, MQ_AUTHZ_MAX_PERMS * sizeof(*out->perms));
    out->nroles = out->nperms = 0;
    if (!out->roles || !out->perms) return MQ_ENOMEM;
    if (c && mq_cache_get(c->cache, user_id, strlen(user_id), blob, &cached) && cached == version)
        return from_blob(a, blob, out);
    mq_err err = load(db, a, user_id, out);
    if (err || !c || !to_blob(out, blob)) return err;
    mq_cache_put(c->cache, user_id, strlen(user_id), blob, strlen(blob) + 1, version);
    return MQ_OK;
}

bool mq_perms_cover(const char *const *perms, size_t n, const char *needed)
{
    if (!needed || !strcmp(needed, MQ_PERM_PUBLIC) || !strcmp(needed, MQ_PERM_SIGNED_IN))
        return true;
    for (size_t i = 0; i < n; i++)
        if (mq_rbac_covers(perms[i], needed)) return true;
    return false;
}

bool mq_authz_allows(const struct mq_authz *z, const char *needed)
{
    return mq_perms_cover(z->perms, z->nperms, needed);
}

bool mq_authz_has_role(const struct mq_authz *z, const char *role)
{
    for (size_t i = 0; i < z->nroles; i++)
        if (!strcmp(z->roles[i], role)) return true;
    return false;
}

bool mq_authz_within(const struct mq_authz *z, const struct mq_authz *by)
{
    for (size_t i = 0; i < z->nperms; i++)
        if (!mq_authz_allows(by, z->perms[i])) return false;
    return true;
}
