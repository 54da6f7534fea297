#include "users/invites.h"

#include <string.h>

#include "auth/roles.h"
#include "core/address.h"
#include "core/uuid.h"
#include "crypto/token.h"
#include "users/users.h"

#define PREFIX "mqi_"

static void invite_of_row(const struct mq_invite_row *r, struct mq_invite *out)
{
    *out = (struct mq_invite){r->id,      r->email_key,  r->role,       r->created_by,
                              r->used_by, r->created_at, r->expires_at, r->used_at};
}

mq_err mq_invites_create(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_authz *actor,
                         const char *by, const struct mq_invite_new *in, struct mq_invite *made,
                         const char **secret, struct mq_refusal *why)
{
    char hash[65], id[37], key[MQ_EMAIL_MAX + 1];
    int64_t now = mq_clock_now_ms(ctx->clock);
    int64_t ttl = in->ttl_ms ? in->ttl_ms : MQ_INVITE_TTL_DEFAULT_MS;
    const char *rule = NULL;
    if (in->email && !mq_email_valid(in->email, &rule))
        return mq_refuse(why, MQ_EINVAL, "invalid_email", NULL, "%s", rule);
    if (ttl < MQ_INVITE_TTL_MIN_MS || ttl > MQ_INVITE_TTL_MAX_MS)
        return mq_refuse(why, MQ_EINVAL, "invalid_expiry", NULL,
                         "an invitation lasts from one hour to 30 days");
    if (in->email) mq_address_key(in->email, key);
    struct mq_invite_row row, *out = &row;
    *secret = mq_secret_token_new(ctx->rng, a, PREFIX, hash);
    if (!*secret) return MQ_ENOMEM;
    mq_uuid7_new(ctx->clock, ctx->rng, id);
    *out = (struct mq_invite_row){.id = mq_arena_strdup(a, id),
                                  .code_hash = NULL,
                                  .email_key = in->email ? mq_arena_strdup(a, key) : NULL,
                                  .role = in->role ? in->role : "user",
                                  .created_by = by,
                                  .created_at = now,
                                  .expires_at = now + ttl};
    if (!out->id || (in->email && !out->email_key)) return MQ_ENOMEM;

    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_roles_check_grantable(db, a, actor, out->role, why);
    row.code_hash = hash;
    if (!err) err = mq_store_invite_insert(db, &row);
    err = mq_store_finish(db, err);
    if (!err) invite_of_row(&row, made);
    return err;
}

mq_err mq_invites_list(struct mq_ctx *ctx, struct mq_arena *a, const char *before, int limit,
                       struct mq_invite *out, size_t *n)
{
    struct mq_invite_row *rows = mq_arena_calloc(a, limit > 0 ? (size_t)limit : 1, sizeof(*rows));
    struct mq_db *db = NULL;
    if (!rows) return MQ_ENOMEM;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_finish(db, mq_store_invites_list(db, a, before, limit, rows, n));
    for (size_t i = 0; !err && i < *n; i++) invite_of_row(&rows[i], &out[i]);
    return err;
}

mq_err mq_invites_delete(struct mq_ctx *ctx, const char *id)
{
    struct mq_db *db = NULL;
    bool removed = false;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_finish(db, mq_store_invite_delete(db, id, &removed));
    return err ? err : removed ? MQ_OK : MQ_ENOTFOUND;
}

mq_err mq_invites_find(struct mq_ctx *ctx, struct mq_arena *a, const char *secret,
                       const char *email, struct mq_invite *found)
{
    char hash[65], key[MQ_EMAIL_MAX + 1];
    struct mq_invite_row row, *out = &row;
    if (!secret || !mq_secret_token_shaped(secret, PREFIX)) return MQ_EPERM;
    mq_secret_token_hash(secret, hash);
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_finish(db, mq_store_invite_by_code(db, a, hash, out));
    if (err == MQ_ENOTFOUND) return MQ_EPERM;
    if (err) return err;
    mq_address_key(email, key);
    if (out->used_at || out->expires_at <= mq_clock_now_ms(ctx->clock) ||
        (out->email_key && strcmp(out->email_key, key)))
        return MQ_EPERM;
    invite_of_row(out, found);
    return MQ_OK;
}

mq_err mq_invites_use_in(struct mq_ctx *ctx, struct mq_db *db, const char *id, const char *user_id)
{
    bool used = false;
    mq_err err = mq_store_invite_use(db, id, user_id, mq_clock_now_ms(ctx->clock), &used);
    return err ? err : used ? MQ_OK : MQ_EPERM;
}
