#include "auth/apikeys.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/rbac.h"
#include "core/ratepolicy.h"
#include "core/text.h"
#include "core/uuid.h"
#include "crypto/token.h"

#define USE_RECORD_EVERY_MS 60000 /* last_used_at is kept to the minute, not to the request */

bool mq_apikey_shaped(const char *key)
{
    if (!key || strlen(key) != MQ_APIKEY_LEN || strncmp(key, "mq_", 3) || key[35] != '_')
        return false;
    for (int i = 3; i < 35; i++)
        if (!((key[i] >= '0' && key[i] <= '9') || (key[i] >= 'a' && key[i] <= 'f'))) return false;
    for (const char *p = key + 36; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

/* The key's id ("0190…-…") from its 32 hex digits. */
static void id_of(const char *key, char id[37])
{
    static const int dash[] = {8, 12, 16, 20};
    int o = 0;
    for (int i = 0, d = 0; i < 32; i++) {
        if (d < 4 && i == dash[d]) {
            id[o++] = '-';
            d++;
        }
        id[o++] = key[3 + i];
    }
    id[o] = '\0';
}

/* Scopes: a non-empty array of grants the owner holds; *text is the array
 * as stored (arena). */
static mq_err check_scopes(struct mq_arena *a, const struct mq_principal *owner,
                           const json_t *scopes, const char **text, struct mq_refusal *why)
{
    json_t *v;
    size_t i;
    if (!json_is_array(scopes) || json_array_size(scopes) == 0 ||
        json_array_size(scopes) > MQ_AUTHZ_MAX_PERMS)
        return mq_refuse(why, MQ_EINVAL, "invalid_scopes", NULL,
                         "scopes must be a non-empty array");
    json_array_foreach(scopes, i, v)
    {
        const char *s = json_string_value(v);
        if (!s || !mq_rbac_grant_valid(s))
            return mq_refuse(why, MQ_EINVAL, "invalid_scopes", NULL,
                             "every scope must be one of the permissions you hold");
        if (!mq_authz_allows(&owner->authz, s))
            return mq_refuse(why, MQ_EINVAL, "scope_not_held", NULL,
                             "you do not hold %.128s, so no key of yours can", s);
    }
    char *dump = json_dumps(scopes, JSON_COMPACT);
    *text = dump ? mq_arena_strdup(a, dump) : NULL;
    free(dump);
    return *text ? MQ_OK : MQ_ENOMEM;
}

static mq_err check_spec(struct mq_ctx *ctx, const struct mq_apikey_spec *s, struct mq_refusal *why)
{
    struct mq_rate_policy policy;
    const char *rule = NULL;
    if (s->name && !mq_display_name_valid(s->name, &rule))
        return mq_refuse(why, MQ_EINVAL, "invalid_name", NULL, "%s", rule);
    if (s->set_expiry && s->expires_at && s->expires_at <= mq_clock_now_ms(ctx->clock))
        return mq_refuse(why, MQ_EINVAL, "invalid_expiry", NULL,
                         "expires_at must be in the future");
    if (s->rate_limit && *s->rate_limit &&
        mq_rate_policy_parse("api_key", s->rate_limit, &policy, &rule))
        return mq_refuse(why, MQ_EINVAL, "invalid_rate_limit", NULL, "%s", rule);
    return MQ_OK;
}

static void key_of_row(const struct mq_apikey_row *row, struct mq_apikey *out)
{
    *out = (struct mq_apikey){.name = row->name,
                              .scopes = row->scopes,
                              .rate_limit = row->rate_limit,
                              .created_at = row->created_at,
                              .expires_at = row->expires_at,
                              .last_used_at = row->last_used_at,
                              .last_used_ip = row->last_used_ip};
    memcpy(out->id, row->id, sizeof(out->id));
}

mq_err mq_apikey_create(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_principal *owner,
                        const struct mq_apikey_spec *spec, struct mq_apikey *made, char **key,
                        struct mq_refusal *why)
{
    char hex[33], hash[65];
    struct mq_db *db = NULL;
    int64_t count = 0, now = mq_clock_now_ms(ctx->clock);
    struct mq_apikey_row row = {0}, *out = &row;
    if (!spec->name) return mq_refuse(why, MQ_EINVAL, "invalid_name", NULL, "name the key");
    mq_err err = check_spec(ctx, spec, why);
    if (!err) err = check_scopes(a, owner, spec->scopes, &out->scopes, why);
    if (err) return err;

    mq_uuid7_new(ctx->clock, ctx->rng, out->id);
    for (int i = 0, o = 0; out->id[i]; i++)
        if (out->id[i] != '-') hex[o++] = out->id[i], hex[o] = '\0';
    char *secret = mq_secret_token_new(ctx->rng, a, "mqk_", hash);
    *key = secret ? mq_arena_printf(a, "mq_%s_%s", hex, secret + 4) : NULL;
    if (secret) sodium_memzero(secret, strlen(secret));
    if (!*key) return MQ_ENOMEM;
    mq_secret_token_hash(*key, hash);
    out->user_id = owner->user_id;
    out->name = spec->name;
    out->secret_hash = mq_arena_strdup(a, hash);
    out->rate_limit = spec->rate_limit && *spec->rate_limit ? spec->rate_limit : NULL;
    out->created_at = now;
    out->expires_at = spec->expires_at;
    if (!out->secret_hash) return MQ_ENOMEM;

    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_apikeys_count(db, owner->user_id, &count);
    if (!err && count >= MQ_APIKEYS_PER_USER)
        err = mq_refuse(why, MQ_ECONFLICT, "too_many_keys", NULL,
                        "revoke a key first: 50 is the most one account may hold");
    if (!err) err = mq_store_apikey_insert(db, out);
    err = mq_store_finish(db, err);
    if (!err) key_of_row(out, made);
    return err;
}

mq_err mq_apikeys_list(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                       struct mq_apikey **out, size_t *n)
{
    struct mq_apikey_row *rows = NULL;
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_finish(db, mq_store_apikeys_list(db, a, user_id, &rows, n));
    if (err) return err;
    *out = mq_arena_calloc(a, *n ? *n : 1, sizeof(**out));
    if (!*out) return MQ_ENOMEM;
    for (size_t i = 0; i < *n; i++) key_of_row(&rows[i], &(*out)[i]);
    return MQ_OK;
}

mq_err mq_apikey_update(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_principal *owner,
                        const char *id, const struct mq_apikey_spec *spec, struct mq_apikey *was,
                        struct mq_apikey *is, struct mq_refusal *why)
{
    struct mq_apikey_row row_before, row_after, *before = &row_before, *out = &row_after;
    struct mq_db *db = NULL;
    mq_err err = check_spec(ctx, spec, why);
    if (err) return err;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_apikey_get(db, a, owner->user_id, id, before);
    if (!err) {
        *out = *before;
        if (spec->name) out->name = spec->name;
        if (spec->set_expiry) out->expires_at = spec->expires_at;
        if (spec->rate_limit) out->rate_limit = *spec->rate_limit ? spec->rate_limit : NULL;
        if (spec->scopes) err = check_scopes(a, owner, spec->scopes, &out->scopes, why);
    }
    if (!err) err = mq_store_apikey_update(db, out);
    err = mq_store_finish(db, err);
    if (!err) {
        key_of_row(before, was);
        key_of_row(out, is);
    }
    return err;
}

mq_err mq_apikey_revoke(struct mq_ctx *ctx, const char *user_id, const char *id)
{
    struct mq_db *db = NULL;
    bool revoked = false;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_finish(
        db, mq_store_apikey_revoke(db, user_id, id, mq_clock_now_ms(ctx->clock), &revoked));
    return !err && !revoked ? MQ_ENOTFOUND : err;
}

/* The scopes as an array of strings in the arena. */
static mq_err scopes_of(struct mq_arena *a, const char *text, const char ***out, size_t *n)
{
    json_t *list = json_loads(text, 0, NULL), *v;
    size_t i;
    *n = 0;
    *out = mq_arena_alloc(a, (json_array_size(list) + 1) * sizeof(**out));
    if (!*out) {
        json_decref(list);
        return MQ_ENOMEM;
    }
    json_array_foreach(list, i, v)
    {
        const char *s = json_string_value(v);
        char *copy = s ? mq_arena_strdup(a, s) : NULL;
        if (copy) (*out)[(*n)++] = copy;
    }
    json_decref(list);
    return MQ_OK;
}

mq_err mq_apikey_authenticate(struct mq_ctx *ctx, struct mq_arena *a, const char *key,
                              const char *ip, struct mq_principal *out, const char **why)
{
    char id[37], hash[65];
    struct mq_apikey_auth k;
    struct mq_db *db = NULL;
    int64_t now = mq_clock_now_ms(ctx->clock);
    *out = (struct mq_principal){0};
    *why = "the API key is not valid";
    if (!mq_apikey_shaped(key)) return MQ_EPERM;
    id_of(key, id);
    mq_secret_token_hash(key, hash);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_apikey_auth(db, a, id, &k);
    bool good = !err && sodium_memcmp(k.key.secret_hash, hash, 64) == 0;
    if (good && k.key.revoked_at) {
        *why = "the API key was revoked";
        good = false;
    } else if (good && k.key.expires_at && k.key.expires_at <= now) {
        *why = "the API key has expired";
        good = false;
    } else if (good && !k.owner_active) {
        *why = "the API key's account is suspended";
        good = false;
    }
    if (good) err = mq_authz_get(ctx, db, a, k.key.user_id, k.authz_version, &out->authz);
    if (good && !err) err = scopes_of(a, k.key.scopes, &out->scopes, &out->nscopes);
    err = mq_store_finish(db, err);
    if (err == MQ_ENOTFOUND || (!err && !good)) return MQ_EPERM;
    if (err) return err;
    out->user_id = k.key.user_id;
    out->api_key_id = mq_arena_strdup(a, id);
    out->key_rate_limit = k.key.rate_limit;
    out->auth_at = k.key.created_at;
    if (!out->api_key_id) return MQ_ENOMEM;

    bool moved = !k.key.last_used_ip || !ip || strcmp(k.key.last_used_ip, ip);
    if (now - k.key.last_used_at >= USE_RECORD_EVERY_MS || moved) {
        /* Bookkeeping: failing to record the use does not fail the request. */
        if (mq_store_begin(ctx->store, MQ_DB_WRITE, &db) == MQ_OK &&
            mq_store_finish(db, mq_store_apikey_used(db, id, now, ip)) != MQ_OK)
            mq_log_warn(ctx->log, "auth", "could not record the use of API key %s", id);
    }
    return MQ_OK;
}
