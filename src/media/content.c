#include "media/content.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/clock.h"
#include "core/events.h"
#include "core/utf8.h"
#include "core/uuid.h"
#include "jobs/queue.h"
#include "media/names.h"
#include "media/parental.h"

#define TITLE_MAX    500
#define OVERVIEW_MAX 20000
#define GENRES_MAX   32
#define GENRE_MAX    64

static const char *const KINDS[] = {"movie", "series",    "season", "episode",
                                    "book",  "audiobook", NULL};
/* The fields an admin may set, which lock when set. */
static const char *const FIELDS[] = {
    "title",          "year",         "original_title", "sort_title",   "overview",    "genres",
    "content_rating", "release_date", "runtime_min",    "external_ids", "parent_id",   "index",
    "edition",        "rating",       "cast",           "crew",         "collections", NULL};

#define CREDITS_MAX     200
#define COLLECTIONS_MAX 8

/* What goes beside the row: genres, credits and collections, when given. */
struct pending {
    bool genres_given, cast_given, crew_given, collections_given;
    const char **genres;
    size_t ngenres;
    struct mq_credit_row *cast, *crew;
    size_t ncast, ncrew;
    struct {
        const char *name, *kind;
        int64_t index;
    } coll[COLLECTIONS_MAX];
    size_t ncoll;
};

static const char *const COLLECTION_KINDS[] = {"franchise", "series", "collection", NULL};

static bool in(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (!strcmp(s, *list)) return true;
    return false;
}

static bool text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max || !mq_utf8_valid(s, n)) return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t') return false;
    return true;
}

static bool date_ok(const char *s)
{
    int y, m, d;
    char tail;
    return strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && y >= 1800 &&
           y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static const char *dup_json(struct mq_arena *a, const json_t *v)
{
    char *t = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    const char *out = t ? mq_arena_strdup(a, t) : NULL;
    free(t);
    return out;
}

/* Applies doc's fields to row, locking each one set. genres (NULL when
 * not given) and *ngenres get the genres to store. */
/* A cast or crew list: [{"name", "character"}] or [{"name", "job",
 * "department"?}], in billing order. */
static mq_err read_credits(struct mq_arena *a, const json_t *v, const char *field, bool cast,
                           struct mq_credit_row **out, size_t *n, struct mq_refusal *why)
{
    *n = 0;
    if (json_is_null(v)) return MQ_OK;
    if (!json_is_array(v) || json_array_size(v) > CREDITS_MAX)
        return mq_refuse(why, MQ_EINVAL, "invalid_credits", field,
                         "%s is a list of at most %d people", field, CREDITS_MAX);
    *out = mq_arena_alloc(a, (json_array_size(v) + 1) * sizeof(**out));
    if (!*out) return MQ_ENOMEM;
    size_t i;
    json_t *c;
    json_array_foreach(v, i, c)
    {
        const char *name = json_string_value(json_object_get(c, "name"));
        const char *role = json_string_value(json_object_get(c, cast ? "character" : "job"));
        const char *dept = json_string_value(json_object_get(c, "department"));
        if (!name || !*name || !text_ok(name, 200) || strchr(name, '\n') ||
            (role && !text_ok(role, 200)) || (dept && !text_ok(dept, 100)) ||
            (!cast && (!role || !*role)))
            return mq_refuse(why, MQ_EINVAL, "invalid_credits", field,
                             cast ? "each of the cast has a name (and a character)"
                                  : "each of the crew has a name and a job");
        (*out)[(*n)++] =
            (struct mq_credit_row){.name = mq_arena_strdup(a, name),
                                   .kind = cast ? "cast" : "crew",
                                   .role = role ? mq_arena_strdup(a, role) : "",
                                   .department = dept ? mq_arena_strdup(a, dept) : NULL,
                                   .position = (int64_t)i};
    }
    return MQ_OK;
}

static mq_err apply(struct mq_db *db, struct mq_arena *a, const json_t *doc,
                    struct mq_item_row *row, json_t *locked, struct pending *pd,
                    struct mq_refusal *why)
{
    const char *key;
    json_t *v;
    const char ***genres = &pd->genres;
    size_t *ngenres = &pd->ngenres;
    bool *genres_given = &pd->genres_given;
    *genres_given = false;
    json_object_foreach((json_t *)doc, key, v)
    {
        if (!strcmp(key, "type") || !strcmp(key, "unlock")) continue;
        if (!in(key, FIELDS))
            return mq_refuse(why, MQ_EINVAL, "unknown_field", key, "%s is not a field of a work",
                             key);
        bool null = json_is_null(v);
        if (!strcmp(key, "title")) {
            if (!json_is_string(v) || !json_string_length(v) ||
                !text_ok(json_string_value(v), TITLE_MAX))
                return mq_refuse(why, MQ_EINVAL, "invalid_title", "title",
                                 "title is 1 to 500 bytes of text");
            row->title = mq_arena_strdup(a, json_string_value(v));
        } else if (!strcmp(key, "year")) {
            if (!null && (!json_is_integer(v) || json_integer_value(v) < 1800 ||
                          json_integer_value(v) > 2200))
                return mq_refuse(why, MQ_EINVAL, "invalid_year", "year",
                                 "year is a whole number from 1800 to 2200");
            row->year = null ? 0 : json_integer_value(v);
        } else if (!strcmp(key, "original_title") || !strcmp(key, "sort_title") ||
                   !strcmp(key, "overview") || !strcmp(key, "edition")) {
            size_t max = !strcmp(key, "overview") ? OVERVIEW_MAX : TITLE_MAX;
            if (!null && (!json_is_string(v) || !text_ok(json_string_value(v), max)))
                return mq_refuse(why, MQ_EINVAL, "invalid_text", key,
                                 "%s is text of at most %zu bytes, or null", key, max);
            const char *t = null ? NULL : mq_arena_strdup(a, json_string_value(v));
            if (!strcmp(key, "original_title"))
                row->original_title = t;
            else if (!strcmp(key, "overview"))
                row->overview = t;
            else if (!strcmp(key, "edition"))
                row->edition = t;
            else
                row->sort_title = t; /* NULL: made from the title below */
        } else if (!strcmp(key, "genres")) {
            if (!null && (!json_is_array(v) || json_array_size(v) > GENRES_MAX))
                return mq_refuse(why, MQ_EINVAL, "invalid_genres", "genres",
                                 "genres is a list of at most %d names", GENRES_MAX);
            *genres_given = true;
            *ngenres = 0;
            *genres = mq_arena_alloc(a, (json_array_size(v) + 1) * sizeof(**genres));
            if (!*genres) return MQ_ENOMEM;
            size_t i;
            json_t *g;
            json_array_foreach(v, i, g)
            {
                if (!json_is_string(g) || !json_string_length(g) ||
                    !text_ok(json_string_value(g), GENRE_MAX) || strchr(json_string_value(g), '\n'))
                    return mq_refuse(why, MQ_EINVAL, "invalid_genres", "genres",
                                     "each genre is 1 to %d bytes of text", GENRE_MAX);
                (*genres)[(*ngenres)++] = mq_arena_strdup(a, json_string_value(g));
            }
        } else if (!strcmp(key, "content_rating")) {
            const char *system = NULL, *value = NULL;
            if (json_is_string(v))
                value = json_string_value(v);
            else if (json_is_object(v)) {
                system = json_string_value(json_object_get(v, "system"));
                value = json_string_value(json_object_get(v, "value"));
            }
            if (!null &&
                (!value || !*value || strlen(value) > 32 || (system && strlen(system) > 32) ||
                 !text_ok(value, 32) || (system && !text_ok(system, 32))))
                return mq_refuse(why, MQ_EINVAL, "invalid_content_rating", "content_rating",
                                 "content_rating is a rating (\"PG-13\") or {\"system\", "
                                 "\"value\"}, or null");
            row->content_rating = value ? mq_arena_strdup(a, value) : NULL;
            row->content_rating_system = system ? mq_arena_strdup(a, system) : NULL;
            row->rating_level = value ? mq_rating_level(system, value) : 0;
        } else if (!strcmp(key, "release_date")) {
            if (!null && (!json_is_string(v) || !date_ok(json_string_value(v))))
                return mq_refuse(why, MQ_EINVAL, "invalid_date", "release_date",
                                 "release_date is YYYY-MM-DD");
            row->release_date = null ? NULL : mq_arena_strdup(a, json_string_value(v));
        } else if (!strcmp(key, "runtime_min")) {
            if (!null &&
                (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 10000))
                return mq_refuse(why, MQ_EINVAL, "invalid_runtime", "runtime_min",
                                 "runtime_min is minutes, from 1 to 10000");
            row->runtime_min = null ? 0 : json_integer_value(v);
        } else if (!strcmp(key, "rating")) {
            if (!null &&
                (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 10))
                return mq_refuse(why, MQ_EINVAL, "invalid_rating", "rating",
                                 "rating is a number from 0 to 10, or null");
            row->rating = null ? -1 : (int64_t)lround(json_number_value(v) * 10);
        } else if (!strcmp(key, "external_ids")) {
            if (!null && !json_is_object(v))
                return mq_refuse(why, MQ_EINVAL, "invalid_external_ids", "external_ids",
                                 "external_ids is an object of provider names to ids");
            const char *k2;
            json_t *id;
            json_object_foreach(v, k2, id)
            {
                size_t kl = strlen(k2);
                bool ok = kl && kl <= 32 && json_is_string(id) && json_string_length(id) &&
                          json_string_length(id) <= 64 && text_ok(json_string_value(id), 64);
                for (size_t c = 0; ok && c < kl; c++)
                    ok = islower((unsigned char)k2[c]) || isdigit((unsigned char)k2[c]) ||
                         k2[c] == '_';
                if (!ok)
                    return mq_refuse(why, MQ_EINVAL, "invalid_external_ids", "external_ids",
                                     "each provider ([a-z0-9_], at most 32) names an id of at "
                                     "most 64 bytes");
            }
            row->external_ids = null ? "{}" : dup_json(a, v);
        } else if (!strcmp(key, "parent_id")) {
            if (null) {
                row->parent_id = NULL;
            } else {
                const char *pid = json_string_value(v);
                struct mq_item_row parent;
                mq_err err = pid && mq_uuid_valid(pid, strlen(pid))
                                 ? mq_store_item_get(db, a, pid, &parent)
                                 : MQ_ENOTFOUND;
                if (err == MQ_ENOTFOUND)
                    return mq_refuse(why, MQ_EINVAL, "invalid_parent", "parent_id",
                                     "parent_id names no work");
                if (err) return err;
                row->parent_id = parent.id;
            }
        } else if (!strcmp(key, "cast") || !strcmp(key, "crew")) {
            bool cast = !strcmp(key, "cast");
            mq_err err = read_credits(a, v, key, cast, cast ? &pd->cast : &pd->crew,
                                      cast ? &pd->ncast : &pd->ncrew, why);
            if (err) return err;
            if (cast)
                pd->cast_given = true;
            else
                pd->crew_given = true;
        } else if (!strcmp(key, "collections")) {
            pd->collections_given = true;
            pd->ncoll = 0;
            if (!null && (!json_is_array(v) || json_array_size(v) > COLLECTIONS_MAX))
                return mq_refuse(why, MQ_EINVAL, "invalid_collections", key,
                                 "collections is a list of at most %d {\"name\", \"kind\", "
                                 "\"index\"}",
                                 COLLECTIONS_MAX);
            size_t i;
            json_t *c;
            json_array_foreach(v, i, c)
            {
                const char *name = json_string_value(json_object_get(c, "name"));
                const char *kind = json_string_value(json_object_get(c, "kind"));
                json_t *idx = json_object_get(c, "index");
                if (!name || !*name || !text_ok(name, 200) ||
                    !in(kind ? kind : "collection", COLLECTION_KINDS) ||
                    (idx && !json_is_integer(idx)))
                    return mq_refuse(why, MQ_EINVAL, "invalid_collections", key,
                                     "each collection has a name, a kind (franchise, series, "
                                     "collection) and an index");
                pd->coll[pd->ncoll].name = mq_arena_strdup(a, name);
                pd->coll[pd->ncoll].kind = kind ? kind : "collection";
                pd->coll[pd->ncoll].index = idx ? json_integer_value(idx) : 0;
                pd->ncoll++;
            }
        } else if (!strcmp(key, "index")) {
            if (!null && (!json_is_integer(v) || json_integer_value(v) < 0 ||
                          json_integer_value(v) > 100000))
                return mq_refuse(why, MQ_EINVAL, "invalid_index", "index",
                                 "index is a whole number from 0, or null");
            row->position = null ? -1 : json_integer_value(v);
        }
        /* Set by an admin: automatic updates leave it alone now. */
        size_t i;
        json_t *l;
        bool have = false;
        json_array_foreach(locked, i, l) have |= !strcmp(json_string_value(l), key);
        if (!have) json_array_append_new(locked, json_string(key));
    }
    json_t *unlock = json_object_get(doc, "unlock");
    if (unlock) {
        if (!json_is_array(unlock))
            return mq_refuse(why, MQ_EINVAL, "invalid_unlock", "unlock",
                             "unlock is a list of field names");
        size_t i;
        json_t *u;
        json_array_foreach(unlock, i, u)
        {
            if (!json_is_string(u) || !in(json_string_value(u), FIELDS))
                return mq_refuse(why, MQ_EINVAL, "invalid_unlock", "unlock",
                                 "unlock names fields of a work");
            for (size_t k = json_array_size(locked); k-- > 0;)
                if (!strcmp(json_string_value(json_array_get(locked, k)), json_string_value(u)))
                    json_array_remove(locked, k);
        }
    }
    if (!row->sort_title && row->title) {
        char st[TITLE_MAX + 1];
        mq_name_sort_key(row->title, st, sizeof(st));
        row->sort_title = mq_arena_strdup(a, st);
    }
    row->locked = dup_json(a, locked);
    return row->locked && row->sort_title ? MQ_OK : MQ_ENOMEM;
}

struct ids {
    struct mq_ctx *ctx;
    char buf[37];
};

static const char *next_id(void *arg)
{
    struct ids *i = arg;
    mq_uuid7_new(i->ctx->clock, i->ctx->rng, i->buf);
    return i->buf;
}

static mq_err write_pending(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                            const char *id, const struct pending *pd)
{
    struct ids ids = {.ctx = ctx};
    mq_err err = MQ_OK;
    if (pd->genres_given) err = mq_store_item_genres_set(db, id, pd->genres, pd->ngenres);
    if (!err && pd->cast_given)
        err = mq_store_credits_set(db, id, "cast", pd->cast, pd->ncast, next_id, &ids);
    if (!err && pd->crew_given)
        err = mq_store_credits_set(db, id, "crew", pd->crew, pd->ncrew, next_id, &ids);
    if (!err && pd->collections_given) err = mq_store_collection_clear_item(db, id);
    for (size_t i = 0; !err && pd->collections_given && i < pd->ncoll; i++) {
        char cid[37];
        mq_uuid7_new(ctx->clock, ctx->rng, cid);
        err = mq_store_collection_put_item(db, a, pd->coll[i].kind, pd->coll[i].name, cid, id,
                                           pd->coll[i].index, mq_clock_now_ms(ctx->clock), NULL);
    }
    return err;
}

/* Seasons belong to series, episodes to seasons; others to nothing. */
static mq_err check_parent(struct mq_db *db, struct mq_arena *a, const struct mq_item_row *row,
                           struct mq_refusal *why)
{
    const char *want = !strcmp(row->kind, "season")    ? "series"
                       : !strcmp(row->kind, "episode") ? "season"
                                                       : NULL;
    if (!row->parent_id)
        return want ? mq_refuse(why, MQ_EINVAL, "invalid_parent", "parent_id",
                                "a %s needs parent_id: its %s", row->kind, want)
                    : MQ_OK;
    struct mq_item_row parent;
    mq_err err = mq_store_item_get(db, a, row->parent_id, &parent);
    if (err) return err;
    if (!want || strcmp(parent.kind, want) || !strcmp(parent.id, row->id))
        return mq_refuse(why, MQ_EINVAL, "invalid_parent", "parent_id",
                         want ? "a %s's parent is a %s" : "a %s has no parent", row->kind,
                         want ? want : "");
    return MQ_OK;
}

/* The score again, in the change's transaction. */
static mq_err rescore(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a, const char *id,
                      struct mq_item_row *row)
{
    struct mq_quality_row q;
    mq_err err = mq_store_quality_of(db, a, id, &q);
    if (err) return err;
    row->quality = mq_quality_score(&q, mq_clock_now_ms(ctx->clock));
    return mq_store_item_set_quality(db, id, row->quality);
}

static mq_err changed(struct mq_ctx *ctx, struct mq_db *db, const char *id, const char *what)
{
    char detail[96];
    snprintf(detail, sizeof(detail), "{\"change\":\"%s\"}", what);
    struct mq_event e = {.kind = "media.changed", .subject = id, .detail = detail};
    return mq_db_publish(db, ctx->events, &e);
}

mq_err mq_content_create(struct mq_ctx *ctx, struct mq_arena *a, const json_t *doc,
                         struct mq_item_row *out, struct mq_refusal *why)
{
    const char *kind = json_string_value(json_object_get(doc, "type"));
    if (!json_is_string(json_object_get(doc, "title")))
        return mq_refuse(why, MQ_EINVAL, "invalid_title", "title", "a work needs a title");
    if (!in(kind, KINDS))
        return mq_refuse(why, MQ_EINVAL, "invalid_type", "type",
                         "type is movie, series, season, episode, book or audiobook");
    char id[37];
    mq_uuid7_new(ctx->clock, ctx->rng, id);
    int64_t now = mq_clock_now_ms(ctx->clock);
    struct mq_item_row row = {.id = mq_arena_strdup(a, id),
                              .kind = kind,
                              .origin = "admin",
                              .position = -1,
                              .position_end = -1,
                              .rating = -1,
                              .external_ids = "{}",
                              .added_at = now,
                              .updated_at = now};
    json_t *locked = json_array();
    struct pending pd = {0};
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = apply(db, a, doc, &row, locked, &pd, why);
    if (!err) err = check_parent(db, a, &row, why);
    if (!err) err = mq_store_item_insert(db, &row);
    if (!err) err = write_pending(ctx, db, a, row.id, &pd);
    if (!err) err = rescore(ctx, db, a, row.id, &row);
    if (!err) err = changed(ctx, db, row.id, "created");
    if (!err) *out = row;
    json_decref(locked);
    return db ? mq_store_finish(db, err) : err;
}

mq_err mq_content_update(struct mq_ctx *ctx, struct mq_arena *a, const char *id, const json_t *doc,
                         struct mq_item_row *out, struct mq_refusal *why)
{
    if (json_object_get(doc, "type"))
        return mq_refuse(why, MQ_EINVAL, "type_fixed", "type", "a work's type cannot change");
    if (json_is_null(json_object_get(doc, "title")))
        return mq_refuse(why, MQ_EINVAL, "invalid_title", "title", "a work needs a title");
    struct mq_db *db = NULL;
    struct mq_item_row row;
    struct pending pd = {0};
    json_t *locked = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_item_get(db, a, id, &row);
    if (!err) {
        locked = json_loads(row.locked ? row.locked : "[]", 0, NULL);
        if (!json_is_array(locked)) json_decref(locked), locked = json_array();
        if (json_object_get(doc, "sort_title") == NULL && json_object_get(doc, "title"))
            row.sort_title = NULL; /* a new title sorts by itself */
        err = apply(db, a, doc, &row, locked, &pd, why);
    }
    if (!err) err = check_parent(db, a, &row, why);
    if (!err) {
        row.updated_at = mq_clock_now_ms(ctx->clock);
        err = mq_store_item_update(db, &row);
    }
    if (!err) err = write_pending(ctx, db, a, row.id, &pd);
    if (!err) err = rescore(ctx, db, a, row.id, &row);
    if (!err) err = changed(ctx, db, row.id, "updated");
    if (!err) *out = row;
    json_decref(locked);
    return db ? mq_store_finish(db, err) : err;
}

mq_err mq_content_get(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                      struct mq_item_row *out, const char ***genres, size_t *ngenres,
                      struct mq_availability_row **avail, size_t *navail)
{
    struct mq_db *db = NULL;
    if (!id || !mq_uuid_valid(id, strlen(id))) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_item_get(db, a, id, out);
    if (!err) err = mq_store_item_genres(db, a, id, genres, ngenres);
    if (!err) err = mq_store_availability_of(db, a, id, avail, navail);
    mq_store_rollback(db);
    return err;
}

mq_err mq_content_delete(struct mq_ctx *ctx, const char *id)
{
    struct mq_db *db = NULL;
    struct mq_item_row row;
    struct mq_arena *a = mq_arena_new(0);
    if (!a) return MQ_ENOMEM;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_item_get(db, a, id, &row);
    if (!err && row.deleted_at) err = MQ_ENOTFOUND;
    if (!err) err = mq_store_item_set_deleted(db, id, mq_clock_now_ms(ctx->clock));
    if (!err) err = changed(ctx, db, id, "deleted");
    if (db) err = mq_store_finish(db, err);
    mq_arena_free(a);
    return err;
}

mq_err mq_content_restore(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                          struct mq_item_row *out, struct mq_refusal *why)
{
    struct mq_db *db = NULL;
    int64_t now = mq_clock_now_ms(ctx->clock);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_item_get(db, a, id, out);
    if (!err && !out->deleted_at)
        err = mq_refuse(why, MQ_ECONFLICT, "not_deleted", NULL, "the work is not deleted");
    if (!err && now - out->deleted_at > MQ_CONTENT_RESTORE_MS)
        err = mq_refuse(why, MQ_ECONFLICT, "too_late", NULL,
                        "the work was deleted more than 30 days ago");
    if (!err) err = mq_store_item_set_deleted(db, id, 0);
    if (!err) err = changed(ctx, db, id, "restored");
    if (!err) out->deleted_at = 0;
    return db ? mq_store_finish(db, err) : err;
}

static const char *const AVAIL_KINDS[] = {"flatrate", "free", "ads", "rent", "buy", NULL};

static bool instant(const json_t *v, int64_t *ms)
{
    const char *s = json_string_value(v);
    return s && mq_time_parse_rfc3339(s, ms) == MQ_OK;
}

mq_err mq_content_add_availability(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                                   const json_t *doc, struct mq_availability_row *out,
                                   struct mq_refusal *why)
{
    const char *platform = json_string_value(json_object_get(doc, "platform"));
    const char *region = json_string_value(json_object_get(doc, "region"));
    const char *kind = json_string_value(json_object_get(doc, "kind"));
    const char *url = json_string_value(json_object_get(doc, "url"));
    if (!platform || !*platform || !text_ok(platform, 64) || strchr(platform, '\n'))
        return mq_refuse(why, MQ_EINVAL, "invalid_platform", "platform",
                         "platform names the service (1 to 64 bytes)");
    if (!region || strlen(region) != 2 || !isupper((unsigned char)region[0]) ||
        !isupper((unsigned char)region[1]))
        return mq_refuse(why, MQ_EINVAL, "invalid_region", "region",
                         "region is an ISO 3166-1 alpha-2 code (\"US\", \"FR\")");
    if (!in(kind, AVAIL_KINDS))
        return mq_refuse(why, MQ_EINVAL, "invalid_kind", "kind",
                         "kind is flatrate, free, ads, rent or buy");
    if (json_object_get(doc, "url") &&
        (!url || strlen(url) > 2048 || (strncmp(url, "https://", 8) && strncmp(url, "http://", 7))))
        return mq_refuse(why, MQ_EINVAL, "invalid_url", "url", "url is an http(s) address");
    int64_t from = 0, until = 0;
    if (json_object_get(doc, "from") && !instant(json_object_get(doc, "from"), &from))
        return mq_refuse(why, MQ_EINVAL, "invalid_date", "from", "from is an RFC 3339 instant");
    if (json_object_get(doc, "until") && !instant(json_object_get(doc, "until"), &until))
        return mq_refuse(why, MQ_EINVAL, "invalid_date", "until", "until is an RFC 3339 instant");
    if (from && until && until <= from)
        return mq_refuse(why, MQ_EINVAL, "invalid_date", "until", "until comes after from");
    char aid[37];
    mq_uuid7_new(ctx->clock, ctx->rng, aid);
    *out = (struct mq_availability_row){mq_arena_strdup(a, aid),
                                        id,
                                        mq_arena_strdup(a, platform),
                                        mq_arena_strdup(a, region),
                                        mq_arena_strdup(a, kind),
                                        url ? mq_arena_strdup(a, url) : NULL,
                                        from,
                                        until,
                                        mq_clock_now_ms(ctx->clock)};
    struct mq_db *db = NULL;
    struct mq_item_row row;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_item_get(db, a, id, &row);
    if (!err) err = mq_store_availability_insert(db, out);
    if (!err) err = changed(ctx, db, id, "availability");
    return db ? mq_store_finish(db, err) : err;
}

/* ---- quality ------------------------------------------------------------ */

#define FRESH_HALF_LIFE_MS (180.0 * 86400 * 1000)

int64_t mq_quality_score(const struct mq_quality_row *r, int64_t now)
{
    /* Weights: what a page and a match need most count most. */
    double s = 0.20 * r->overview + 0.20 * r->poster + 0.10 * r->backdrop + 0.10 * r->year +
               0.10 * r->genres + 0.10 * r->credits + 0.10 * r->external_ids + 0.10 * r->rating;
    int64_t since = r->refreshed_at ? r->refreshed_at : r->added_at;
    double age = now > since ? (double)(now - since) : 0;
    double fresh = pow(0.5, age / FRESH_HALF_LIFE_MS);
    /* Freshness weighs a fifth: an old complete record still beats a new
     * empty one. */
    double q = s * (0.8 + 0.2 * fresh);
    return (int64_t)lround(q * 1000);
}

json_t *mq_quality_lacks(const struct mq_quality_row *r, int64_t now)
{
    json_t *a = json_array();
    const struct {
        bool have;
        const char *name;
    } parts[] = {{r->overview, "overview"},
                 {r->poster, "poster"},
                 {r->backdrop, "backdrop"},
                 {r->year, "year"},
                 {r->genres, "genres"},
                 {r->credits, "credits"},
                 {r->external_ids, "external_ids"},
                 {r->rating, "rating"}};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        if (!parts[i].have) json_array_append_new(a, json_string(parts[i].name));
    int64_t since = r->refreshed_at ? r->refreshed_at : r->added_at;
    if (now - since > (int64_t)FRESH_HALF_LIFE_MS) json_array_append_new(a, json_string("refresh"));
    return a;
}

mq_err mq_quality_report(struct mq_ctx *ctx, struct mq_arena *a, int64_t after_quality,
                         const char *after_id, int limit, struct mq_quality_row **out, size_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_quality_page(db, a, after_quality, after_id, limit, out, n);
    mq_store_rollback(db);
    return err;
}

/* Every score again, 500 works per transaction. */
static mq_err quality_job(struct mq_job_run *run)
{
    struct mq_ctx *ctx = run->ctx;
    char after[37] = "";
    int64_t now = mq_clock_now_ms(ctx->clock), total = 0;
    for (;;) {
        struct mq_arena *a = mq_arena_new(0);
        struct mq_quality_row *rows = NULL;
        size_t n = 0;
        struct mq_db *db = NULL;
        mq_err err = a ? mq_store_begin(ctx->store, MQ_DB_WRITE, &db) : MQ_ENOMEM;
        if (!err) err = mq_store_quality_batch(db, a, after, 500, &rows, &n);
        for (size_t i = 0; !err && i < n; i++) {
            int64_t q = mq_quality_score(&rows[i], now);
            if (q != rows[i].quality) err = mq_store_item_set_quality(db, rows[i].id, q);
        }
        if (db) err = mq_store_finish(db, err);
        if (!err && n) memcpy(after, rows[n - 1].id, 37);
        mq_arena_free(a);
        if (err) {
            snprintf(run->error, sizeof(run->error), "quality stopped after %lld works: %s",
                     (long long)total, mq_err_name(err));
            return err;
        }
        total += (int64_t)n;
        if (n < 500) break;
    }
    return MQ_OK;
}

static mq_err purge_job(struct mq_job_run *run)
{
    struct mq_db *db = NULL;
    int64_t n = 0;
    int64_t before = mq_clock_now_ms(run->ctx->clock) - MQ_CONTENT_RESTORE_MS;
    mq_err err = mq_store_begin(run->ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_finish(db, mq_store_items_purge(db, before, &n));
    if (!err && n) mq_log_info(run->ctx->log, "media", "purged %lld deleted works", (long long)n);
    return err;
}

mq_err mq_content_register(struct mq_jobs *jobs)
{
    mq_err err = mq_jobs_register(jobs, "media.quality", quality_job);
    if (!err) err = mq_jobs_register(jobs, "media.purge", purge_job);
    struct mq_job_spec q = {.kind = "media.quality", .queue = "maintenance", .max_attempts = 3};
    struct mq_job_spec p = {.kind = "media.purge", .queue = "maintenance", .max_attempts = 3};
    if (!err) err = mq_jobs_schedule(jobs, "media.quality", "daily at 04:00", &q);
    if (!err) err = mq_jobs_schedule(jobs, "media.purge", "daily at 04:30", &p);
    return err;
}
