#include "track/upcoming.h"

#include <string.h>

#include "core/buf.h"
#include "crypto/token.h"
#include "metadata/conf.h"
#include "notify/notify.h"

#define PREFIX "mqc_"

mq_err mq_upcoming(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                   const char *user_id, const char *from, const char *after_date,
                   const char *after_id, int limit, struct mq_upcoming_item **out, size_t *n)
{
    struct mq_db *db = NULL;
    struct mq_upcoming_row *rows = NULL;
    struct mq_notify_prefs prefs;
    struct mq_upcoming_query q = {.user_id = user_id,
                                  .visible = vis->json,
                                  .from = from,
                                  .after_date = after_date,
                                  .after_id = after_id,
                                  .max_level = vis->limits.max_level,
                                  .block_unrated = vis->limits.block_unrated,
                                  .limit = limit};
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_upcoming(db, a, &q, &rows, n);
    if (!err) err = mq_notify_prefs_load(db, a, user_id, &prefs);
    const char *region =
        !err && prefs.region ? prefs.region : mq_metadata_conf(ctx->cfg)->metadata_region;
    *out = err ? NULL : mq_arena_calloc(a, *n + 1, sizeof(**out));
    if (!err && !*out) err = MQ_ENOMEM;
    for (size_t i = 0; !err && i < *n; i++) {
        struct mq_offer_row *offers = NULL;
        size_t k = 0;
        (*out)[i].row = rows[i];
        err = mq_store_monitor_offers(db, a, rows[i].id, region ? region : "US",
                                      mq_clock_now_ms(ctx->clock), &offers, &k);
        if (err || !k) continue;
        struct mq_buf b;
        mq_buf_init(&b, 4096);
        for (size_t j = 0; j < k && !err; j++) {
            if (j && !strcmp(offers[j].platform, offers[j - 1].platform)) continue;
            err = mq_buf_adds(&b, j ? ", " : "");
            if (!err) err = mq_buf_adds(&b, offers[j].platform);
        }
        (*out)[i].platforms = err ? NULL : mq_arena_strndup(a, b.data ? b.data : "", b.len);
        (*out)[i].url = offers[0].url;
        mq_buf_cleanup(&b);
    }
    mq_store_rollback(db);
    return err;
}

mq_err mq_calendar_token_rotate(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                const char **token)
{
    char hash[65];
    struct mq_db *db = NULL;
    *token = mq_secret_token_new(ctx->rng, a, PREFIX, hash);
    if (!*token) return MQ_ENOMEM;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_calendar_token_put(db, user_id, hash, mq_clock_now_ms(ctx->clock));
    return mq_store_finish(db, err);
}

mq_err mq_calendar_token_revoke(struct mq_ctx *ctx, const char *user_id)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_calendar_token_delete(db, user_id);
    return mq_store_finish(db, err);
}

mq_err mq_calendar_token_status(struct mq_ctx *ctx, const char *user_id, int64_t *created_at)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_calendar_token_of(db, user_id, created_at);
    mq_store_rollback(db);
    return err;
}

mq_err mq_calendar_owner(struct mq_ctx *ctx, struct mq_arena *a, const char *token,
                         const char **user_id)
{
    char hash[65];
    struct mq_db *db = NULL;
    if (!token || !mq_secret_token_shaped(token, PREFIX)) return MQ_EPERM;
    mq_secret_token_hash(token, hash);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_calendar_token_user(db, a, hash, user_id);
    mq_store_rollback(db);
    return err == MQ_ENOTFOUND ? MQ_EPERM : err;
}

mq_err mq_calendar_feed(struct mq_ctx *ctx, struct mq_arena *a, const char *token, const char *from,
                        int limit, struct mq_upcoming_item **out, size_t *n)
{
    const char *user_id = NULL;
    struct mq_visible vis;
    mq_err err = mq_calendar_owner(ctx, a, token, &user_id);
    if (!err) err = mq_libraries_visible_to(ctx, a, user_id, &vis);
    if (err == MQ_ENOTFOUND) err = MQ_EPERM; /* the account is gone */
    if (!err) err = mq_upcoming(ctx, a, &vis, user_id, from, NULL, NULL, limit, out, n);
    return err;
}
