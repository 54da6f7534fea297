#include "metadata/apply.h"

#include <stdio.h>
#include <string.h>

#include "core/uuid.h"
#include "media/content.h"
#include "media/names.h"
#include "media/parental.h"
#include "metadata/conf.h"
#include "store/metadata.h"

#define YEAR_MIN 1870
#define YEAR_MAX 2200

/* ---- fields ----------------------------------------------------------------- */

static bool is_locked(const struct mq_item_row *item, const char *field)
{
    char quoted[40];
    snprintf(quoted, sizeof(quoted), "\"%s\"", field);
    return item->locked && strstr(item->locked, quoted);
}

/* The first document that has `key`, and which provider gave it. */
static const json_t *first(json_t *const *docs, size_t n, const char *key, const char **provider)
{
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_get(docs[i], key);
        if (v && !json_is_null(v)) {
            *provider = json_string_value(json_object_get(docs[i], "provider"));
            return v;
        }
    }
    return NULL;
}

struct fields {
    struct mq_apply *ap;
    struct mq_item_row *item;
    json_t *sources;
};

static void changed(struct fields *f, const char *field, const char *provider)
{
    json_array_append_new(f->ap->changed, json_string(field));
    if (provider) json_object_set_new(f->sources, field, json_string(provider));
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* A text column: set from the documents unless locked. */
static mq_err text_field(struct fields *f, json_t *const *docs, size_t n, const char *field,
                         const char *key, const char **column)
{
    const char *provider = NULL;
    const json_t *v = first(docs, n, key, &provider);
    if (!json_is_string(v) || is_locked(f->item, field)) return MQ_OK;
    if (same(*column, json_string_value(v))) {
        json_object_set_new(f->sources, field, json_string(provider ? provider : "?"));
        return MQ_OK;
    }
    *column = mq_arena_strdup(f->ap->a, json_string_value(v));
    if (!*column) return MQ_ENOMEM;
    changed(f, field, provider);
    return MQ_OK;
}

static void int_field(struct fields *f, json_t *const *docs, size_t n, const char *field,
                      const char *key, int64_t *column, int64_t lo, int64_t hi)
{
    const char *provider = NULL;
    const json_t *v = first(docs, n, key, &provider);
    if (!json_is_integer(v) || is_locked(f->item, field)) return;
    int64_t x = json_integer_value(v);
    if (x < lo || x > hi) return;
    if (*column != x) {
        *column = x;
        changed(f, field, provider);
    } else {
        json_object_set_new(f->sources, field, json_string(provider ? provider : "?"));
    }
}

/* The rating system of a country's certifications, as the parental ladder
 * reads them. */
static const char *system_of(const char *region, const char *kind)
{
    if (!region || !*region) return NULL;
    if (!strcmp(region, "US")) return !strcmp(kind, "movie") ? "MPAA" : "TV";
    if (!strcmp(region, "DE")) return "FSK";
    if (!strcmp(region, "FR")) return "CNC";
    if (!strcmp(region, "KR")) return "KMRB";
    if (!strcmp(region, "GB")) return "BBFC";
    return "age";
}

static mq_err content_rating(struct fields *f, json_t *const *docs, size_t n)
{
    if (is_locked(f->item, "content_rating")) return MQ_OK;
    const char *want = mq_metadata_conf(f->ap->ctx->cfg)->metadata_region;
    const char *tries[] = {want, "", "US"};
    for (size_t d = 0; d < n; d++) {
        const json_t *cr = json_object_get(docs[d], "content_ratings");
        for (int t = 0; t < 3; t++) {
            const char *v = json_string_value(json_object_get(cr, tries[t]));
            if (!v || !*v) continue;
            const char *system = system_of(*tries[t] ? tries[t] : want, f->item->kind);
            if (same(f->item->content_rating, v) && same(f->item->content_rating_system, system))
                return MQ_OK;
            f->item->content_rating = mq_arena_strdup(f->ap->a, v);
            f->item->content_rating_system = system ? mq_arena_strdup(f->ap->a, system) : NULL;
            f->item->rating_level = mq_rating_level(system, v);
            if (!f->item->content_rating) return MQ_ENOMEM;
            changed(f, "content_rating", json_string_value(json_object_get(docs[d], "provider")));
            return MQ_OK;
        }
    }
    return MQ_OK;
}

/* Known ids merged: what the documents say over what the name said. */
static mq_err external_ids(struct fields *f, json_t *const *docs, size_t n)
{
    if (is_locked(f->item, "external_ids")) return MQ_OK;
    json_t *ids = json_loads(f->item->external_ids ? f->item->external_ids : "{}", 0, NULL);
    if (!json_is_object(ids)) json_decref(ids), ids = json_object();
    for (size_t d = n; d-- > 0;) json_object_update(ids, json_object_get(docs[d], "external_ids"));
    char *text = json_dumps(ids, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(ids);
    if (!text) return MQ_ENOMEM;
    if (!same(text, f->item->external_ids)) {
        f->item->external_ids = mq_arena_strdup(f->ap->a, text);
        json_array_append_new(f->ap->changed, json_string("external_ids"));
    }
    free(text);
    return f->item->external_ids ? MQ_OK : MQ_ENOMEM;
}

static mq_err genres(struct fields *f, json_t *const *docs, size_t n)
{
    const char *provider = NULL;
    const json_t *g = first(docs, n, "genres", &provider);
    if (!json_is_array(g) || !json_array_size(g) || is_locked(f->item, "genres")) return MQ_OK;
    const char **old = NULL, *list[32];
    size_t nold = 0, k = 0;
    mq_err err = mq_store_item_genres(f->ap->db, f->ap->a, f->item->id, &old, &nold);
    if (err) return err;
    for (size_t i = 0; i < json_array_size(g) && k < 32; i++) {
        const char *name = json_string_value(json_array_get(g, i));
        bool dup = false;
        for (size_t j = 0; name && j < k; j++) dup |= !strcmp(list[j], name);
        if (name && !dup) list[k++] = name;
    }
    bool differ = k != nold;
    for (size_t i = 0; !differ && i < k; i++) {
        bool found = false;
        for (size_t j = 0; j < nold; j++) found |= !strcmp(list[i], old[j]);
        differ = !found;
    }
    if (!differ) return MQ_OK;
    changed(f, "genres", provider);
    return mq_store_item_genres_set(f->ap->db, f->item->id, list, k);
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

static mq_err credits(struct fields *f, json_t *const *docs, size_t n, const char *kind)
{
    const char *provider = NULL;
    const json_t *list = first(docs, n, kind, &provider);
    if (!json_is_array(list) || is_locked(f->item, kind)) return MQ_OK;
    size_t k = json_array_size(list);
    struct mq_credit_row *rows = k ? mq_arena_calloc(f->ap->a, k, sizeof(*rows)) : NULL;
    struct mq_credit_row *old = NULL;
    size_t nold = 0;
    if (k && !rows) return MQ_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        const json_t *p = json_array_get(list, i);
        const char *id = json_string_value(json_object_get(p, "id"));
        rows[i] = (struct mq_credit_row){
            .name = json_string_value(json_object_get(p, "name")),
            .kind = kind,
            .role = json_string_value(json_object_get(p, "role")),
            .department = json_string_value(json_object_get(p, "department")),
            .position = (int64_t)i,
            .provider_id =
                id && provider ? mq_arena_printf(f->ap->a, "%s:%s", provider, id) : NULL};
        if (!rows[i].name) return MQ_EINVAL;
    }
    mq_err err = mq_store_credits_of(f->ap->db, f->ap->a, f->item->id, kind, &old, &nold);
    bool differ = !err && nold != k;
    for (size_t i = 0; !err && !differ && i < k; i++)
        differ = strcmp(old[i].name, rows[i].name) ||
                 !same(old[i].role[0] ? old[i].role : NULL,
                       rows[i].role && *rows[i].role ? rows[i].role : NULL);
    if (err || !differ) return err;
    struct ids ids = {.ctx = f->ap->ctx};
    err = mq_store_credits_set(f->ap->db, f->item->id, kind, rows, k, next_id, &ids);
    if (err) return err;
    changed(f, kind, provider);
    /* People's photos, by the position each was written at. */
    err = mq_store_credits_of(f->ap->db, f->ap->a, f->item->id, kind, &old, &nold);
    for (size_t i = 0; !err && i < nold; i++) {
        if (old[i].position < 0 || (size_t)old[i].position >= k) continue;
        const char *photo = json_string_value(
            json_object_get(json_array_get(list, (size_t)old[i].position), "photo"));
        if (photo && provider)
            err = mq_store_remote_image_put(f->ap->db, old[i].person_id, "photo", provider, photo,
                                            f->ap->now);
    }
    return err;
}

static const char *const IMAGE_KINDS[] = {"poster", "backdrop", "logo", "thumb", NULL};

static mq_err images(struct fields *f, json_t *const *docs, size_t n)
{
    mq_err err = MQ_OK;
    for (int k = 0; !err && IMAGE_KINDS[k]; k++)
        for (size_t d = 0; d < n; d++) {
            const char *provider = json_string_value(json_object_get(docs[d], "provider"));
            const char *remote = json_string_value(
                json_object_get(json_object_get(docs[d], "images"), IMAGE_KINDS[k]));
            if (!remote || !provider || !strcmp(provider, "local")) continue;
            err = mq_store_remote_image_put(f->ap->db, f->item->id, IMAGE_KINDS[k], provider,
                                            remote, f->ap->now);
            break;
        }
    return err;
}

static mq_err availability(struct fields *f, json_t *const *docs, size_t n)
{
    for (size_t d = 0; d < n; d++) {
        const char *provider = json_string_value(json_object_get(docs[d], "provider"));
        const json_t *list = json_object_get(docs[d], "availability");
        if (!json_is_array(list) || !provider) continue;
        mq_err err = mq_store_availability_clear(f->ap->db, f->item->id, provider);
        size_t i;
        json_t *a;
        json_array_foreach(list, i, a)
        {
            char uuid[37];
            mq_uuid7_new(f->ap->ctx->clock, f->ap->ctx->rng, uuid);
            struct mq_availability_row row = {
                .id = mq_arena_printf(f->ap->a, "%s:%s", provider, uuid),
                .item_id = f->item->id,
                .platform = json_string_value(json_object_get(a, "platform")),
                .region = json_string_value(json_object_get(a, "region")),
                .kind = json_string_value(json_object_get(a, "kind")),
                .url = json_string_value(json_object_get(a, "url")),
                .created_at = f->ap->now};
            if (err) break;
            if (!row.id) return MQ_ENOMEM;
            if (row.platform && row.region && row.kind)
                err = mq_store_availability_insert(f->ap->db, &row);
        }
        return err;
    }
    return MQ_OK;
}

/* What the documents say beyond the columns. */
static mq_err details(struct fields *f, json_t *const *docs, size_t n)
{
    static const char *const KEYS[] = {"tagline", "status",          "next_episode",    "link",
                                       "votes",   "recommendations", "content_ratings", "seasons",
                                       NULL};
    json_t *old = json_loads(f->item->details ? f->item->details : "{}", 0, NULL);
    json_t *out = json_object();
    for (int k = 0; KEYS[k]; k++) {
        const char *provider = NULL;
        const json_t *v = first(docs, n, KEYS[k], &provider);
        if (!v) continue;
        if (!strcmp(KEYS[k], "seasons")) {
            /* The season list without its pictures: how many there are and
             * when each aired, for "season 5 is out". */
            json_t *brief = json_array();
            size_t i;
            json_t *s;
            json_array_foreach(v, i, s)
            {
                json_t *o = json_object();
                json_object_set(o, "number", json_object_get(s, "number"));
                if (json_object_get(s, "air_date"))
                    json_object_set(o, "air_date", json_object_get(s, "air_date"));
                if (json_object_get(s, "episodes"))
                    json_object_set(o, "episodes", json_object_get(s, "episodes"));
                json_array_append_new(brief, o);
            }
            json_object_set_new(out, KEYS[k], brief);
        } else {
            json_object_set(out, KEYS[k], (json_t *)v);
        }
    }
    char *text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
    bool differ = !json_equal(old, out);
    json_decref(old);
    json_decref(out);
    if (!text) return MQ_ENOMEM;
    f->item->details = mq_arena_strdup(f->ap->a, text);
    free(text);
    if (differ) json_array_append_new(f->ap->changed, json_string("details"));
    return f->item->details ? MQ_OK : MQ_ENOMEM;
}

mq_err mq_apply_item(struct mq_apply *ap, struct mq_item_row *item, json_t *const *docs, size_t n)
{
    struct fields f = {.ap = ap, .item = item};
    f.sources = json_loads(item->sources ? item->sources : "{}", 0, NULL);
    if (!json_is_object(f.sources)) json_decref(f.sources), f.sources = json_object();
    size_t before = json_array_size(ap->changed);
    mq_err err = text_field(&f, docs, n, "title", "title", &item->title);
    if (!err)
        err = text_field(&f, docs, n, "original_title", "original_title", &item->original_title);
    if (!err) err = text_field(&f, docs, n, "overview", "overview", &item->overview);
    if (!err) err = text_field(&f, docs, n, "release_date", "release_date", &item->release_date);
    if (!err) {
        int_field(&f, docs, n, "year", "year", &item->year, YEAR_MIN, YEAR_MAX);
        int_field(&f, docs, n, "runtime_min", "runtime_min", &item->runtime_min, 1, 6000);
        int_field(&f, docs, n, "rating", "rating", &item->rating, 0, 100);
        err = content_rating(&f, docs, n);
    }
    /* The sort title follows the title unless an admin or an NFO set one. */
    if (!err && !is_locked(item, "sort_title")) {
        const char *provider = NULL;
        const json_t *st = first(docs, n, "sort_title", &provider);
        char key[MQ_NAME_TEXT_MAX];
        mq_name_sort_key(json_is_string(st) ? json_string_value(st) : item->title, key,
                         sizeof(key));
        if (!same(key, item->sort_title)) {
            item->sort_title = mq_arena_strdup(ap->a, key);
            if (!item->sort_title) err = MQ_ENOMEM;
        }
    }
    if (!err) err = external_ids(&f, docs, n);
    if (!err) err = genres(&f, docs, n);
    if (!err) err = credits(&f, docs, n, "cast");
    if (!err) err = credits(&f, docs, n, "crew");
    if (!err) err = images(&f, docs, n);
    if (!err) err = availability(&f, docs, n);
    if (!err) err = details(&f, docs, n);
    char *src = err ? NULL : json_dumps(f.sources, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(f.sources);
    if (!err && !src) err = MQ_ENOMEM;
    if (!err) {
        item->sources = mq_arena_strdup(ap->a, src);
        item->refreshed_at = ap->now;
        if (json_array_size(ap->changed) > before) item->updated_at = ap->now;
        err = item->sources ? mq_store_item_update(ap->db, item) : MQ_ENOMEM;
    }
    free(src);
    struct mq_quality_row q;
    if (!err) err = mq_store_quality_of(ap->db, ap->a, item->id, &q);
    if (!err) {
        item->quality = mq_quality_score(&q, ap->now);
        err = mq_store_item_set_quality(ap->db, item->id, item->quality);
    }
    return err;
}

/* ---- catalogue-only works -------------------------------------------------- */

mq_err mq_apply_catalogue_item(struct mq_apply *ap, const char *provider, const json_t *part,
                               const char *kind, char id[37])
{
    const char *pid = json_string_value(json_object_get(part, "id"));
    const char *title = json_string_value(json_object_get(part, "title"));
    struct mq_item_row row;
    if (!pid || !title) return MQ_EINVAL;
    mq_err err = mq_store_item_by_external(ap->db, ap->a, kind, provider, pid, "*", &row);
    if (!err) {
        memcpy(id, row.id, 37);
        return MQ_OK;
    }
    if (err != MQ_ENOTFOUND) return err;
    char st[MQ_NAME_TEXT_MAX];
    mq_name_sort_key(title, st, sizeof(st));
    mq_uuid7_new(ap->ctx->clock, ap->ctx->rng, id);
    json_t *ids = json_pack("{s:s}", provider, pid);
    char *ids_text = json_dumps(ids, JSON_COMPACT);
    json_decref(ids);
    const json_t *y = json_object_get(part, "year");
    row = (struct mq_item_row){.id = id,
                               .kind = kind,
                               .position = -1,
                               .position_end = -1,
                               .title = title,
                               .sort_title = st,
                               .overview = json_string_value(json_object_get(part, "overview")),
                               .year = json_is_integer(y) ? json_integer_value(y) : 0,
                               .release_date =
                                   json_string_value(json_object_get(part, "release_date")),
                               .rating = -1,
                               .external_ids = ids_text,
                               .origin = "provider",
                               .sources = mq_arena_printf(ap->a, "{\"title\":\"%s\"}", provider),
                               .added_at = ap->now,
                               .updated_at = ap->now};
    err = ids_text ? mq_store_item_insert(ap->db, &row) : MQ_ENOMEM;
    free(ids_text);
    const char *poster = json_string_value(json_object_get(part, "poster"));
    if (!err && poster)
        err = mq_store_remote_image_put(ap->db, id, "poster", provider, poster, ap->now);
    /* Matched by its id and due at once: the next refresh brings what a
     * part of a list lacks (its age rating above all, which parental
     * controls need, its overview, cast). */
    struct mq_match_row m = {.item_id = id,
                             .state = "matched",
                             .provider = provider,
                             .provider_id = pid,
                             .confidence = 1000,
                             .method = "id",
                             .next_refresh_at = ap->now,
                             .updated_at = ap->now};
    if (!err) err = mq_store_match_put(ap->db, &m);
    return err;
}

mq_err mq_apply_collection(struct mq_apply *ap, const struct mq_item_row *film,
                           const char *provider, const json_t *coll)
{
    const char *name = json_string_value(json_object_get(coll, "name"));
    const json_t *parts = json_object_get(coll, "parts");
    const char *film_pid = NULL;
    json_t *fids = json_loads(film->external_ids ? film->external_ids : "{}", 0, NULL);
    film_pid = json_string_value(json_object_get(fids, provider));
    if (!name || !film_pid) {
        json_decref(fids);
        return MQ_OK;
    }
    char prev[37] = "", cid[37];
    mq_uuid7_new(ap->ctx->clock, ap->ctx->rng, cid);
    mq_err err = MQ_OK;
    size_t i;
    json_t *p;
    json_array_foreach(parts, i, p)
    {
        char id[37];
        const char *pid = json_string_value(json_object_get(p, "id"));
        if (pid && !strcmp(pid, film_pid))
            memcpy(id, film->id, 37);
        else
            err = mq_apply_catalogue_item(ap, provider, p, "movie", id);
        if (err == MQ_EINVAL) {
            err = MQ_OK;
            continue;
        }
        if (!err)
            err = mq_store_collection_put_item(ap->db, ap->a, "collection", name, cid, id,
                                               (int64_t)i + 1, ap->now, NULL);
        if (!err && prev[0])
            err = mq_store_relation_put(ap->db, id, prev, "sequel_of", "provider", 800, ap->now);
        if (err) break;
        memcpy(prev, id, 37);
    }
    json_decref(fids);
    return err;
}

/* ---- seasons and episodes ------------------------------------------------------ */

/* The child of `parent` made or found for a match key. */
static mq_err child_for(struct mq_apply *ap, const struct mq_item_row *series, const char *parent,
                        const char *kind, const char *key, int64_t position, const char *title,
                        struct mq_item_row *out)
{
    mq_err err = mq_store_item_by_match(ap->db, ap->a, series->library_id, key, out);
    if (err != MQ_ENOTFOUND) return err;
    char *id = mq_arena_alloc(ap->a, 37);
    char st[MQ_NAME_TEXT_MAX];
    if (!id) return MQ_ENOMEM;
    mq_uuid7_new(ap->ctx->clock, ap->ctx->rng, id);
    mq_name_sort_key(title, st, sizeof(st));
    *out = (struct mq_item_row){.id = id,
                                .library_id = series->library_id,
                                .kind = kind,
                                .parent_id = parent,
                                .match_key = mq_arena_strdup(ap->a, key),
                                .position = position,
                                .position_end = -1,
                                .title = title,
                                .sort_title = mq_arena_strdup(ap->a, st),
                                .rating = -1,
                                .external_ids = "{}",
                                .origin = "provider",
                                .added_at = ap->now,
                                .updated_at = ap->now};
    return out->match_key && out->sort_title ? mq_store_item_insert(ap->db, out) : MQ_ENOMEM;
}

static json_t *episode_doc(const char *provider, const json_t *e)
{
    json_t *d = json_pack("{s:s, s:s}", "provider", provider, "kind", "episode");
    static const char *const KEYS[] = {"title", "overview", "runtime_min", "rating", NULL};
    for (int k = 0; KEYS[k]; k++)
        if (json_object_get(e, KEYS[k])) json_object_set(d, KEYS[k], json_object_get(e, KEYS[k]));
    if (json_object_get(e, "air_date"))
        json_object_set(d, "release_date", json_object_get(e, "air_date"));
    const char *id = json_string_value(json_object_get(e, "id"));
    if (id) json_object_set_new(d, "external_ids", json_pack("{s:s}", provider, id));
    const char *still = json_string_value(json_object_get(e, "still"));
    if (still) json_object_set_new(d, "images", json_pack("{s:s}", "thumb", still));
    return d;
}

/* A scanned episode numbered by air date (a daily show: season = year)
 * or absolutely (anime: S01E15 where season 1 has 12) moves to the
 * provider's season and number; its match key stays, so the scan still
 * finds it. */
static mq_err renumber(struct mq_apply *ap, const struct mq_item_row *series,
                       json_t *const *seasons, size_t ns)
{
    struct mq_item_row *kids = NULL;
    size_t nk = 0;
    int64_t first_count = 0;
    for (size_t s = 0; s < ns; s++)
        if (json_integer_value(json_object_get(seasons[s], "number")) == 1)
            first_count = (int64_t)json_array_size(json_object_get(seasons[s], "episodes"));
    mq_err err = mq_store_item_children(ap->db, ap->a, series->id, &kids, &nk);
    for (size_t k = 0; !err && k < nk; k++) {
        bool by_date = kids[k].position >= 1900, absolute = kids[k].position == 1;
        if (!by_date && !absolute) continue;
        struct mq_item_row *eps = NULL;
        size_t ne = 0;
        err = mq_store_item_children(ap->db, ap->a, kids[k].id, &eps, &ne);
        for (size_t e = 0; !err && e < ne; e++) {
            if (absolute && (eps[e].position <= first_count || first_count == 0)) continue;
            int64_t left = eps[e].position;
            int64_t to_season = -1, to_episode = -1;
            for (size_t s = 0; s < ns && to_season < 0; s++) {
                int64_t num = json_integer_value(json_object_get(seasons[s], "number"));
                const json_t *list = json_object_get(seasons[s], "episodes");
                if (num < 1) continue;
                size_t i;
                json_t *ep;
                json_array_foreach(list, i, ep)
                {
                    const char *air = json_string_value(json_object_get(ep, "air_date"));
                    if (by_date ? (air && eps[e].release_date && !strcmp(air, eps[e].release_date))
                                : --left == 0) {
                        to_season = num;
                        to_episode = json_integer_value(json_object_get(ep, "number"));
                        break;
                    }
                }
            }
            if (to_season < 0) continue;
            char key[128];
            struct mq_item_row season;
            snprintf(key, sizeof(key), "season|%s|%lld", series->id, (long long)to_season);
            char *title = mq_arena_printf(ap->a, "Season %lld", (long long)to_season);
            err = title
                      ? child_for(ap, series, series->id, "season", key, to_season, title, &season)
                      : MQ_ENOMEM;
            if (err) break;
            eps[e].parent_id = season.id;
            eps[e].position = to_episode;
            eps[e].updated_at = ap->now;
            err = mq_store_item_update(ap->db, &eps[e]);
            if (!err) json_array_append_new(ap->changed, json_string("numbering"));
        }
    }
    return err;
}

/* The item's NFO first, then the provider's document. */
static mq_err apply_part(struct mq_apply *ap, struct mq_item_row *item, json_t *doc,
                         struct mq_part_doc *parts, size_t nparts)
{
    json_t *docs[2];
    size_t n = 0;
    for (size_t i = 0; i < nparts; i++)
        if (!parts[i].used && !strcmp(parts[i].item_id, item->id)) {
            docs[n++] = parts[i].doc;
            parts[i].used = true;
            break;
        }
    docs[n++] = doc;
    return mq_apply_item(ap, item, docs, n);
}

mq_err mq_apply_seasons(struct mq_apply *ap, const struct mq_item_row *series, const char *provider,
                        json_t *const *seasons, size_t ns, struct mq_part_doc *parts, size_t nparts)
{
    mq_err err = series->library_id ? renumber(ap, series, seasons, ns) : MQ_OK;
    for (size_t s = 0; !err && s < ns; s++) {
        const json_t *sd = seasons[s];
        int64_t num = json_integer_value(json_object_get(sd, "number"));
        char key[128];
        struct mq_item_row season;
        const char *stitle = json_string_value(json_object_get(sd, "title"));
        char fallback[32];
        snprintf(fallback, sizeof(fallback), num ? "Season %lld" : "Specials", (long long)num);
        snprintf(key, sizeof(key), "season|%s|%lld", series->id, (long long)num);
        err = child_for(ap, series, series->id, "season", key, num, stitle ? stitle : fallback,
                        &season);
        json_t *doc = err ? NULL : json_pack("{s:s, s:s}", "provider", provider, "kind", "season");
        if (doc) {
            if (stitle) json_object_set_new(doc, "title", json_string(stitle));
            if (json_object_get(sd, "overview"))
                json_object_set(doc, "overview", json_object_get(sd, "overview"));
            if (json_object_get(sd, "air_date"))
                json_object_set(doc, "release_date", json_object_get(sd, "air_date"));
            const char *poster = json_string_value(json_object_get(sd, "poster"));
            if (poster) json_object_set_new(doc, "images", json_pack("{s:s}", "poster", poster));
            err = apply_part(ap, &season, doc, parts, nparts);
            if (!err)
                err = mq_store_relation_put(ap->db, season.id, series->id, "season_of", "provider",
                                            1000, ap->now);
            json_decref(doc);
        }
        /* The season's episodes as they are, renumbered ones among them
         * (their match keys name the numbers of their files). */
        struct mq_item_row *have = NULL;
        size_t nhave = 0;
        if (!err) err = mq_store_item_children(ap->db, ap->a, season.id, &have, &nhave);
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(sd, "episodes"), i, e)
        {
            if (err) break;
            int64_t en = json_integer_value(json_object_get(e, "number"));
            struct mq_item_row ep;
            const char *etitle = json_string_value(json_object_get(e, "title"));
            char efallback[32];
            snprintf(efallback, sizeof(efallback), "Episode %lld", (long long)en);
            snprintf(key, sizeof(key), "episode|%s|%lld|%lld", series->id, (long long)num,
                     (long long)en);
            size_t h = 0;
            while (h < nhave && have[h].position != en) h++;
            if (h < nhave)
                ep = have[h];
            else
                err = child_for(ap, series, season.id, "episode", key, en,
                                etitle ? etitle : efallback, &ep);
            json_t *ed = err ? NULL : episode_doc(provider, e);
            if (ed) {
                err = apply_part(ap, &ep, ed, parts, nparts);
                if (!err)
                    err = mq_store_relation_put(ap->db, ep.id, season.id, "episode_of", "provider",
                                                1000, ap->now);
                json_decref(ed);
            }
        }
    }
    return err;
}
