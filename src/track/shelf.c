#include "track/shelf.h"

#include <string.h>

#include "core/text.h"
#include "core/uuid.h"
#include "media/parental.h"

static const char *const STATUSES[] = {"planned", "in_progress", "completed",
                                       "dropped", "paused",      NULL};

bool mq_shelf_status_valid(const char *status)
{
    for (int i = 0; status && STATUSES[i]; i++)
        if (!strcmp(STATUSES[i], status)) return true;
    return false;
}

static mq_err check(const struct mq_shelf_change *c, int64_t now, struct mq_refusal *why)
{
    if (!mq_shelf_status_valid(c->status))
        return mq_refuse(why, MQ_EINVAL, "invalid_status", "status",
                         "status is one of planned, in_progress, completed, dropped, paused");
    const char *bad = NULL;
    if (c->platform &&
        (strlen(c->platform) > MQ_SHELF_PLATFORM_MAX || !mq_display_name_valid(c->platform, &bad)))
        return mq_refuse(why, MQ_EINVAL, "invalid_platform", "platform",
                         "platform is 1 to %d bytes without control characters",
                         MQ_SHELF_PLATFORM_MAX);
    if (c->rating && (c->rating < 5 || c->rating > 100))
        return mq_refuse(why, MQ_EINVAL, "invalid_rating", "rating", "rating is from 0.5 to 10");
    if (c->consumed_at > now + 60000)
        return mq_refuse(why, MQ_EINVAL, "invalid_consumed_at", "consumed_at",
                         "consumed_at is in the future");
    if (c->notes && strlen(c->notes) > MQ_SHELF_NOTES_MAX)
        return mq_refuse(why, MQ_EINVAL, "invalid_notes", "notes", "notes are at most %d bytes",
                         MQ_SHELF_NOTES_MAX);
    return MQ_OK;
}

mq_err mq_shelf_put(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                    const char *user_id, const char *item_id, const struct mq_shelf_change *c,
                    struct mq_shelf_item *out, bool *created, struct mq_refusal *why)
{
    int64_t now = mq_clock_now_ms(ctx->clock);
    struct mq_db *db = NULL;
    struct mq_shelf_row old;
    *created = false;
    if (!item_id || !mq_uuid_valid(item_id, strlen(item_id))) return MQ_ENOTFOUND;
    mq_err err = check(c, now, why);
    if (err) return err;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_item_get(db, a, item_id, &out->item);
    int64_t level = 0;
    if (!err) err = mq_store_item_level(db, item_id, &level);
    if (!err && (out->item.deleted_at ||
                 (out->item.library_id && !mq_visible_has(vis, out->item.library_id)) ||
                 !mq_restriction_allows(&vis->limits, (int)level)))
        err = MQ_ENOTFOUND;
    if (err) goto done;
    err = mq_store_shelf_get(db, a, user_id, item_id, &old);
    if (err == MQ_ENOTFOUND) {
        *created = true;
        err = MQ_OK;
    }
    if (!err) {
        out->e = (struct mq_shelf_row){.user_id = user_id,
                                       .item_id = item_id,
                                       .status = c->status,
                                       .platform = c->platform,
                                       .rating = c->rating,
                                       .notes = c->notes,
                                       .consumed_at = c->consumed_at,
                                       .source = *created ? "manual" : old.source,
                                       .added_at = *created ? now : old.added_at,
                                       .updated_at = now,
                                       .activity_at = now};
        err = mq_store_shelf_put(db, &out->e);
    }
done:
    return mq_store_finish(db, err);
}

mq_err mq_shelf_get(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                    const char *item_id, struct mq_shelf_item *out)
{
    struct mq_db *db = NULL;
    if (!item_id || !mq_uuid_valid(item_id, strlen(item_id))) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_shelf_get(db, a, user_id, item_id, &out->e);
    if (!err) err = mq_store_item_get(db, a, item_id, &out->item);
    mq_store_rollback(db);
    return err;
}

mq_err mq_shelf_delete(struct mq_ctx *ctx, const char *user_id, const char *item_id)
{
    struct mq_db *db = NULL;
    if (!item_id || !mq_uuid_valid(item_id, strlen(item_id))) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_shelf_delete(db, user_id, item_id);
    return mq_store_finish(db, err);
}

mq_err mq_shelf_list(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                     const char *user_id, struct mq_shelf_filter *f, struct mq_shelf_item **out,
                     size_t *n)
{
    struct mq_db *db = NULL;
    f->view = (struct mq_track_view){user_id, vis->json, vis->limits.max_level,
                                     vis->limits.block_unrated};
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_shelf_list(db, a, f, out, n);
    mq_store_rollback(db);
    return err;
}
