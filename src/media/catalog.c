#include "media/catalog.h"

#include <string.h>

#include "core/uuid.h"

static bool valid_id(const char *id)
{
    return id && mq_uuid_valid(id, strlen(id));
}

static bool sees(const struct mq_visible *vis, const char *library_id)
{
    return !library_id || mq_visible_has(vis, library_id);
}

/* Parental controls: a work above the member's limit is not there for
 * them. */
static mq_err allowed(struct mq_db *db, const struct mq_visible *vis, const char *item_id)
{
    if (!vis || (!vis->limits.max_level && !vis->limits.block_unrated)) return MQ_OK;
    int64_t level = 0;
    mq_err err = mq_store_item_level(db, item_id, &level);
    if (err) return err;
    return mq_restriction_allows(&vis->limits, (int)level) ? MQ_OK : MQ_ENOTFOUND;
}

mq_err mq_catalog_list(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                       struct mq_item_filter *f, struct mq_item_row **out, size_t *n)
{
    struct mq_db *db = NULL;
    f->visible_json = vis->json;
    f->max_level = vis->limits.max_level;
    f->block_unrated = vis->limits.block_unrated;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_items_list(db, a, f, out, n);
    mq_store_rollback(db);
    return err;
}

mq_err mq_catalog_get(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                      const char *id, struct mq_item_row *out, const char ***genres,
                      size_t *ngenres)
{
    struct mq_db *db = NULL;
    if (!valid_id(id)) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_item_get(db, a, id, out);
    if (!err && (out->deleted_at || !sees(vis, out->library_id))) err = MQ_ENOTFOUND;
    if (!err) err = allowed(db, vis, id);
    if (!err && genres) err = mq_store_item_genres(db, a, id, genres, ngenres);
    mq_store_rollback(db);
    return err;
}

mq_err mq_catalog_files(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                        const char *item_id, struct mq_file_row **out, size_t *n)
{
    struct mq_item_row item;
    mq_err err = mq_catalog_get(ctx, a, vis, item_id, &item, NULL, NULL);
    struct mq_db *db = NULL;
    if (!err) err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_item_files(db, a, item_id, out, n);
    mq_store_rollback(db);
    return err;
}

mq_err mq_catalog_file(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                       const char *id, struct mq_file_row *out)
{
    struct mq_db *db = NULL;
    if (!valid_id(id)) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_file_get(db, a, id, out);
    if (!err && !sees(vis, out->library_id)) err = MQ_ENOTFOUND;
    if (!err && out->item_id) err = allowed(db, vis, out->item_id);
    mq_store_rollback(db);
    return err;
}

mq_err mq_catalog_genres(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                         struct mq_genre_count **out, size_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_genres(db, a, vis->json, out, n);
    mq_store_rollback(db);
    return err;
}

mq_err mq_catalog_stats(struct mq_ctx *ctx, const struct mq_visible *vis, const char *library_id,
                        struct mq_library_stats *out)
{
    struct mq_db *db = NULL;
    if (!valid_id(library_id) || !mq_visible_has(vis, library_id)) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_library_stats(db, library_id, out);
    mq_store_rollback(db);
    return err;
}

mq_err mq_catalog_credits(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                          const char *item_id, const char *kind, struct mq_credit_row **out,
                          size_t *n)
{
    struct mq_item_row item;
    mq_err err = mq_catalog_get(ctx, a, vis, item_id, &item, NULL, NULL);
    struct mq_db *db = NULL;
    if (!err) err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_credits_of(db, a, item_id, kind, out, n);
    mq_store_rollback(db);
    return err;
}

static void limits_of(const struct mq_visible *vis, int limit, struct mq_item_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->visible_json = vis->json;
    f->max_level = vis->limits.max_level;
    f->block_unrated = vis->limits.block_unrated;
    f->limit = limit;
}

mq_err mq_catalog_similar(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                          const char *item_id, int limit, struct mq_item_row **out, size_t *n)
{
    struct mq_item_row item;
    struct mq_item_filter f;
    mq_err err = mq_catalog_get(ctx, a, vis, item_id, &item, NULL, NULL);
    struct mq_db *db = NULL;
    if (!err) err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    limits_of(vis, limit, &f);
    err = mq_store_similar(db, a, item_id, &f, out, n);
    mq_store_rollback(db);
    return err;
}

mq_err mq_catalog_collections_of(struct mq_ctx *ctx, struct mq_arena *a, const char *item_id,
                                 struct mq_collection_row **out, size_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_collections_of(db, a, item_id, out, n);
    mq_store_rollback(db);
    return err;
}

mq_err mq_catalog_availability(struct mq_ctx *ctx, struct mq_arena *a, const char *item_id,
                               struct mq_availability_row **out, size_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_availability_of(db, a, item_id, out, n);
    mq_store_rollback(db);
    return err;
}

mq_err mq_catalog_collection(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                             const char *id, int limit, struct mq_collection_row *out,
                             struct mq_item_row **items, size_t *n)
{
    struct mq_db *db = NULL;
    struct mq_item_filter f;
    if (!valid_id(id)) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    limits_of(vis, limit, &f);
    err = mq_store_collection_get(db, a, id, out);
    if (!err) err = mq_store_collection_items(db, a, id, &f, items, n);
    /* A collection of nothing one may see is none of theirs. */
    if (!err && !*n) err = MQ_ENOTFOUND;
    mq_store_rollback(db);
    return err;
}

mq_err mq_catalog_person(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                         const char *id, int limit, struct mq_person_row *out,
                         struct mq_person_credit **credits, size_t *n)
{
    struct mq_item_filter f;
    struct mq_db *db = NULL;
    if (!valid_id(id)) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    limits_of(vis, limit, &f);
    err = mq_store_person_get(db, a, id, out);
    if (!err) err = mq_store_person_credits(db, a, id, &f, credits, n);
    if (!err && !*n) err = MQ_ENOTFOUND;
    mq_store_rollback(db);
    return err;
}
