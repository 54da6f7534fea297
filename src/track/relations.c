#include "track/relations.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/uuid.h"
#include "store/catalog.h"

#define PATTERN_CONFIDENCE 400

static const char *const KINDS[] = {"season_of",  "episode_of", "sequel_of",
                                    "prequel_of", "part_of",    "next_in_series",
                                    "spin_off",   "remake_of",  NULL};
static const char *const FOLLOWS[] = {"series", "collection", "person", "book_series", NULL};

static bool one_of(const char *const *list, const char *s)
{
    for (int i = 0; s && list[i]; i++)
        if (!strcmp(list[i], s)) return true;
    return false;
}

bool mq_relation_kind_valid(const char *kind)
{
    return one_of(KINDS, kind);
}

bool mq_follow_kind_valid(const char *kind)
{
    return one_of(FOLLOWS, kind);
}

static bool valid_id(const char *id)
{
    return id && mq_uuid_valid(id, strlen(id));
}

mq_err mq_relations_of(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                       const char *item_id, struct mq_relation_row **out, size_t *n)
{
    struct mq_db *db = NULL;
    struct mq_item_row item;
    struct mq_relation_row *rows = NULL;
    size_t all = 0;
    if (!valid_id(item_id)) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_item_get(db, a, item_id, &item);
    if (!err && (item.deleted_at || (item.library_id && !mq_visible_has(vis, item.library_id))))
        err = MQ_ENOTFOUND;
    if (!err) err = mq_store_relations_of(db, a, item_id, &rows, &all);
    mq_store_rollback(db);
    if (err) return err;
    /* A work in a library the member may not see is not theirs to know of. */
    *n = 0;
    for (size_t i = 0; i < all; i++)
        if (!rows[i].other_library_id || mq_visible_has(vis, rows[i].other_library_id))
            rows[(*n)++] = rows[i];
    *out = rows;
    return MQ_OK;
}

mq_err mq_relations_list(struct mq_ctx *ctx, struct mq_arena *a, const char *item_id,
                         const char *source, const char *after, int limit,
                         struct mq_relation_row **out, size_t *n)
{
    struct mq_db *db = NULL;
    const char *from = "", *to = "", *kind = "";
    if (after) {
        /* "from|to|kind", as the cursor was made */
        char *copy = mq_arena_strdup(a, after), *bar1 = copy ? strchr(copy, '|') : NULL;
        char *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
        if (!bar2) return MQ_EINVAL;
        *bar1 = *bar2 = 0;
        from = copy;
        to = bar1 + 1;
        kind = bar2 + 1;
    }
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_relations_list(db, a, item_id, source, from, to, kind, limit, out, n);
    mq_store_rollback(db);
    return err;
}

mq_err mq_relation_put(struct mq_ctx *ctx, struct mq_arena *a, const char *from_id,
                       const char *to_id, const char *kind, struct mq_refusal *why)
{
    struct mq_db *db = NULL;
    struct mq_item_row item;
    if (!mq_relation_kind_valid(kind))
        return mq_refuse(why, MQ_EINVAL, "invalid_kind", "kind",
                         "kind is season_of, episode_of, sequel_of, prequel_of, part_of, "
                         "next_in_series, spin_off or remake_of");
    if (!valid_id(from_id))
        return mq_refuse(why, MQ_EINVAL, "item_not_found", "from_id", "from_id is no work's id");
    if (!valid_id(to_id))
        return mq_refuse(why, MQ_EINVAL, "item_not_found", "to_id", "to_id is no work's id");
    if (!strcmp(from_id, to_id))
        return mq_refuse(why, MQ_EINVAL, "same_item", "to_id", "a work cannot follow itself");
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    const char *ends[] = {from_id, to_id}, *fields[] = {"from_id", "to_id"};
    for (int i = 0; !err && i < 2; i++) {
        err = mq_store_item_get(db, a, ends[i], &item);
        if (err == MQ_ENOTFOUND || (!err && item.deleted_at))
            err = mq_refuse(why, MQ_EINVAL, "item_not_found", fields[i], "%s is no work's id",
                            fields[i]);
    }
    /* to_id follows from_id: stored as "to_id KIND from_id". */
    if (!err)
        err = mq_store_relation_admin_put(db, to_id, from_id, kind, mq_clock_now_ms(ctx->clock));
    return mq_store_finish(db, err);
}

mq_err mq_relation_delete(struct mq_ctx *ctx, const char *from_id, const char *to_id,
                          const char *kind)
{
    struct mq_db *db = NULL;
    if (!valid_id(from_id) || !valid_id(to_id) || !mq_relation_kind_valid(kind))
        return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_relation_delete(db, to_id, from_id, kind, mq_clock_now_ms(ctx->clock));
    return mq_store_finish(db, err);
}

/* ---- title patterns ------------------------------------------------------------ */

static int roman(const char *s, size_t n)
{
    static const char *const R[] = {"i",    "ii", "iii", "iv", "v",   "vi",   "vii",
                                    "viii", "ix", "x",   "xi", "xii", "xiii", NULL};
    for (int i = 0; R[i]; i++)
        if (strlen(R[i]) == n && !strncmp(R[i], s, n)) return i + 1;
    return 0;
}

static int word_number(const char *s, size_t n)
{
    static const char *const W[] = {"one",   "two",   "three", "four", "five", "six",
                                    "seven", "eight", "nine",  "ten",  NULL};
    for (int i = 0; W[i]; i++)
        if (strlen(W[i]) == n && !strncmp(W[i], s, n)) return i + 1;
    return 0;
}

/* Lower-case ASCII letters and digits, words one space apart: enough to
 * tell "Rocky II" and "ROCKY: II" are one title's parts. */
static char *fold(struct mq_arena *a, const char *s, size_t n)
{
    char *out = mq_arena_alloc(a, n + 1);
    size_t o = 0;
    if (!out) return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c >= 0x80)
            out[o++] = (char)tolower(c);
        else if (o && out[o - 1] != ' ')
            out[o++] = ' ';
    }
    while (o && out[o - 1] == ' ') o--;
    out[o] = 0;
    return out;
}

int mq_title_sequence(struct mq_arena *a, const char *title, const char **base)
{
    char *f = fold(a, title, strlen(title));
    *base = f;
    if (!f) return 1;
    size_t n = strlen(f);
    char *last = strrchr(f, ' ');
    if (!last) return 1;
    const char *w = last + 1;
    size_t wn = n - (size_t)(w - f);
    int num = 0;
    if (wn <= 2 && isdigit((unsigned char)w[0]) && (wn == 1 || isdigit((unsigned char)w[1])))
        num = (int)strtol(w, NULL, 10);
    else if (!(num = roman(w, wn)))
        num = word_number(w, wn);
    if (num < 1 || num > 30) return 1;
    *last = 0;
    /* "Part Two", "Chapter 3", "Book 4", "Volume 2": the word goes too. */
    char *prev = strrchr(f, ' ');
    const char *pw = prev ? prev + 1 : f;
    if (!strcmp(pw, "part") || !strcmp(pw, "chapter") || !strcmp(pw, "book") ||
        !strcmp(pw, "volume") || !strcmp(pw, "vol")) {
        if (!prev) {
            *last = ' '; /* "Part 2" alone is no sequel of anything */
            return 1;
        }
        *prev = 0;
    } else if (word_number(w, wn)) {
        *last = ' '; /* "Ocean's Eleven" is a title, not a number */
        return 1;
    }
    return num;
}

struct numbered {
    const char *base, *id;
    int n;
    int64_t year;
};

static int by_base(const void *x, const void *y)
{
    const struct numbered *a = x, *b = y;
    int c = strcmp(a->base, b->base);
    if (c) return c;
    if (a->n != b->n) return a->n - b->n;
    return a->year < b->year ? -1 : a->year > b->year;
}

#define DERIVE_BATCH 1000

static mq_err derive_batch(struct mq_db *db, json_t *pairs, const char *kind, int64_t now,
                           int64_t *made)
{
    char *text = json_dumps(pairs, JSON_COMPACT);
    int64_t fresh = 0;
    mq_err err = text ? mq_store_relations_derive(
                            db, text, strcmp(kind, "book") ? "sequel_of" : "next_in_series",
                            PATTERN_CONFIDENCE, now, &fresh)
                      : MQ_ENOMEM;
    free(text);
    *made += fresh;
    json_array_clear(pairs);
    return err;
}

static mq_err derive_titles(struct mq_db *db, struct mq_arena *a, const char *kind, int64_t now,
                            int64_t *made)
{
    struct mq_titled_row *rows = NULL;
    size_t n = 0, k = 0;
    mq_err err = mq_store_titles(db, a, kind, &rows, &n);
    if (err || !n) return err;
    struct numbered *list = mq_arena_calloc(a, n, sizeof(*list));
    if (!list) return MQ_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        list[k] = (struct numbered){.id = rows[i].id, .year = rows[i].year};
        list[k].n = mq_title_sequence(a, rows[i].title, &list[k].base);
        if (list[k].base && *list[k].base) k++;
    }
    qsort(list, k, sizeof(*list), by_base);
    json_t *pairs = json_array();
    if (!pairs) return MQ_ENOMEM;
    for (size_t i = 0; !err && i < k; i++) {
        if (list[i].n < 2) continue;
        /* The work numbered one less of the same title: of several (a film
         * and its remake), the latest before this one. */
        const struct numbered *prev = NULL;
        for (size_t j = i; j-- > 0 && !strcmp(list[j].base, list[i].base);) {
            if (list[j].n != list[i].n - 1) continue;
            if (list[i].year && list[j].year && list[j].year > list[i].year) continue;
            if (!prev || list[j].year > prev->year) prev = &list[j];
        }
        if (!prev) continue;
        if (json_array_append_new(pairs, json_pack("[s,s]", list[i].id, prev->id))) err = MQ_ENOMEM;
        /* Sent in batches: one statement, not one per pair. */
        if (!err && json_array_size(pairs) == DERIVE_BATCH)
            err = derive_batch(db, pairs, kind, now, made);
    }
    if (!err && json_array_size(pairs)) err = derive_batch(db, pairs, kind, now, made);
    json_decref(pairs);
    return err;
}

mq_err mq_relations_derive(struct mq_ctx *ctx, struct mq_arena *a, int64_t *made)
{
    struct mq_db *db = NULL;
    int64_t now = mq_clock_now_ms(ctx->clock);
    *made = 0;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_relations_derive_shape(db, now, made);
    if (!err) err = derive_titles(db, a, "movie", now, made);
    if (!err) err = derive_titles(db, a, "book", now, made);
    return mq_store_finish(db, err);
}

/* ---- follows -------------------------------------------------------------- */

mq_err mq_follow(struct mq_ctx *ctx, const char *user_id, const char *kind, const char *target_id)
{
    struct mq_db *db = NULL;
    bool exists = false;
    if (!mq_follow_kind_valid(kind) || !valid_id(target_id)) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_follow_target(db, kind, target_id, &exists);
    if (!err && !exists) err = MQ_ENOTFOUND;
    if (!err) err = mq_store_follow_put(db, user_id, kind, target_id, mq_clock_now_ms(ctx->clock));
    return mq_store_finish(db, err);
}

mq_err mq_unfollow(struct mq_ctx *ctx, const char *user_id, const char *kind, const char *target_id)
{
    struct mq_db *db = NULL;
    if (!mq_follow_kind_valid(kind) || !valid_id(target_id)) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_follow_delete(db, user_id, kind, target_id);
    return mq_store_finish(db, err);
}

mq_err mq_follows(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                  struct mq_follow_row **out, size_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_follows(db, a, user_id, out, n);
    mq_store_rollback(db);
    return err;
}
