/* Open Library: books and audiobooks. A work ("/works/OL893414W") is what
 * the catalogue keeps; an edition (by ISBN) only leads to its work. Search
 * answers carry the authors' names, so a match costs the search and the
 * work; details by id add the first author's record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "metadata/conf.h"
#include "metadata/fetch.h"
#include "metadata/openlibrary.h"
#include "metadata/provider.h"

#define SEARCH_TTL_MS (24LL * 3600 * 1000)
#define TEXT_MAX      20000

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s && strlen(s) <= TEXT_MAX && mq_utf8_valid(s, strlen(s)) ? s : NULL;
}

/* "OL893414W" from "/works/OL893414W" (or as it is); kind 'W' works, 'A'
 * authors, 'M' editions. */
bool mq_openlibrary_key(const char *s, char kind, char out[24])
{
    if (!s) return false;
    const char *slash = strrchr(s, '/');
    const char *k = slash ? slash + 1 : s;
    size_t n = strlen(k);
    if (n < 4 || n > 20 || strncmp(k, "OL", 2) || k[n - 1] != kind) return false;
    for (size_t i = 2; i + 1 < n; i++)
        if (k[i] < '0' || k[i] > '9') return false;
    memcpy(out, k, n + 1);
    return true;
}

static int year_in(const char *s)
{
    /* "1965", "June 1965", "1965-08-01": the first run of four digits. */
    for (const char *p = s; p && *p; p++) {
        int y = 0, k = 0;
        while (k < 4 && p[k] >= '0' && p[k] <= '9') y = y * 10 + p[k++] - '0';
        if (k == 4 && !(p[4] >= '0' && p[4] <= '9') && y >= 1000 && y <= 2200) return y;
        if (k) p += k - 1;
    }
    return 0;
}

json_t *mq_openlibrary_results(const json_t *ol, const char *kind, size_t max)
{
    json_t *out = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(ol, "docs"), i, d)
    {
        char id[24];
        const char *title = str(d, "title");
        if (!mq_openlibrary_key(str(d, "key"), 'W', id) || !title || strlen(title) > 500 ||
            json_array_size(out) >= max)
            continue;
        json_t *o = json_pack("{s:s, s:s, s:s}", "id", id, "kind", kind, "title", title);
        const json_t *y = json_object_get(d, "first_publish_year");
        if (json_is_integer(y) && json_integer_value(y) > 0 && json_integer_value(y) < 2200)
            json_object_set_new(o, "year", json_integer(json_integer_value(y)));
        const char *author =
            json_string_value(json_array_get(json_object_get(d, "author_name"), 0));
        if (author && strlen(author) <= 200 && mq_utf8_valid(author, strlen(author)))
            json_object_set_new(o, "author", json_string(author));
        const json_t *cover = json_object_get(d, "cover_i");
        if (json_is_integer(cover) && json_integer_value(cover) > 0) {
            char ref[40];
            snprintf(ref, sizeof(ref), "id:%lld", (long long)json_integer_value(cover));
            json_object_set_new(o, "poster", json_string(ref));
        }
        /* Editions count as popularity: more of them, better known. */
        const json_t *ed = json_object_get(d, "edition_count");
        if (json_is_integer(ed) && json_integer_value(ed) >= 0)
            json_object_set_new(o, "popularity", json_real((double)json_integer_value(ed)));
        json_array_append_new(out, o);
    }
    return out;
}

json_t *mq_openlibrary_work_doc(const json_t *work, const char *kind, const json_t *author)
{
    char id[24];
    const char *title = str(work, "title");
    if (!json_is_object(work) || !mq_openlibrary_key(str(work, "key"), 'W', id) || !title ||
        strlen(title) > 500)
        return NULL;
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s}", "provider", "openlibrary", "id", id, "kind",
                            kind, "title", title);
    /* description: a string, or {"type": "/type/text", "value": "..."}. */
    const json_t *desc = json_object_get(work, "description");
    const char *overview = json_is_string(desc) ? str(work, "description") : str(desc, "value");
    if (overview) json_object_set_new(doc, "overview", json_string(overview));
    const char *sub = str(work, "subtitle");
    if (sub && strlen(sub) <= 500) json_object_set_new(doc, "tagline", json_string(sub));
    int y = year_in(str(work, "first_publish_date"));
    if (y) json_object_set_new(doc, "year", json_integer(y));
    json_t *genres = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(work, "subjects"), i, s)
    {
        const char *g = json_string_value(s);
        if (g && strlen(g) <= 64 && mq_utf8_valid(g, strlen(g)) && json_array_size(genres) < 8)
            json_array_append_new(genres, json_string(g));
    }
    json_object_set_new(doc, "genres", genres);
    json_object_set_new(doc, "external_ids", json_pack("{s:s}", "openlibrary", id));
    json_t *images = json_object();
    const json_t *cover = json_array_get(json_object_get(work, "covers"), 0);
    if (json_is_integer(cover) && json_integer_value(cover) > 0) {
        char ref[40];
        snprintf(ref, sizeof(ref), "id:%lld", (long long)json_integer_value(cover));
        json_object_set_new(images, "poster", json_string(ref));
    }
    json_object_set_new(doc, "images", images);
    json_t *crew = json_array();
    char aid[24];
    const char *name = str(author, "name");
    if (name && strlen(name) <= 200 && mq_openlibrary_key(str(author, "key"), 'A', aid)) {
        json_t *p = json_pack("{s:s, s:s, s:s}", "name", name, "id", aid, "role", "Author");
        const json_t *photo = json_array_get(json_object_get(author, "photos"), 0);
        if (json_is_integer(photo) && json_integer_value(photo) > 0) {
            char ref[40];
            snprintf(ref, sizeof(ref), "a:%lld", (long long)json_integer_value(photo));
            json_object_set_new(p, "photo", json_string(ref));
        }
        json_array_append_new(crew, p);
    }
    json_object_set_new(doc, "crew", crew);
    json_object_set_new(doc, "cast", json_array());
    char link[80];
    snprintf(link, sizeof(link), "https://openlibrary.org/works/%s", id);
    json_object_set_new(doc, "link", json_string(link));
    return doc;
}

/* ---- asking Open Library ---------------------------------------------------- */

static bool ol_handles(const char *kind)
{
    return kind && (!strcmp(kind, "book") || !strcmp(kind, "audiobook"));
}

static bool ol_ready(struct mq_ctx *ctx, char *why, size_t whylen)
{
    (void)ctx;
    (void)why;
    (void)whylen;
    return true; /* no key */
}

static mq_err get(struct mq_ctx *ctx, struct mq_arena *a, const char *path_query, int64_t ttl,
                  bool fresh, json_t **out, char *why, size_t whylen)
{
    const struct mq_metadata_conf *c = mq_metadata_conf(ctx->cfg);
    *out = NULL;
    char *url = mq_arena_printf(a, "%s%s", c->openlibrary_base_url, path_query);
    char *key = mq_arena_printf(a, "openlibrary GET %s", path_query);
    if (!url || !key) return MQ_ENOMEM;
    /* /isbn/ answers with a redirect to the edition. */
    struct mq_fetch f = {.provider = MQ_PROVIDER_OPENLIBRARY,
                         .url = url,
                         .cache_key = key,
                         .ttl_ms = ttl,
                         .fresh = fresh,
                         .follow = true};
    struct mq_fetched r;
    mq_err err = mq_fetch(ctx, a, &f, &r, why, whylen);
    if (err) return err;
    if (r.status == 404) return MQ_ENOTFOUND;
    if (r.status != 200) {
        snprintf(why, whylen, "Open Library answered HTTP %ld", r.status);
        return MQ_EUNAVAILABLE;
    }
    json_error_t jerr;
    *out = json_loadb(r.body, r.len, 0, &jerr);
    if (!*out) {
        snprintf(why, whylen, "Open Library's answer is not JSON: %s", jerr.text);
        return MQ_EPARSE;
    }
    return MQ_OK;
}

static mq_err ol_search(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_md_query *q,
                        bool fresh, struct mq_candidate **out, size_t *n, char *why, size_t whylen)
{
    *out = NULL;
    *n = 0;
    char *author = q->author && *q->author ? mq_url_escape(a, q->author) : NULL;
    char *pq = mq_arena_printf(
        a,
        "/search.json?title=%s%s%s&fields=key,title,author_name,first_publish_year,cover_i,"
        "edition_count&limit=%d",
        mq_url_escape(a, q->title), author ? "&author=" : "", author ? author : "",
        MQ_CANDIDATES_MAX);
    json_t *body = NULL;
    if (!pq) return MQ_ENOMEM;
    mq_err err = get(ctx, a, pq, SEARCH_TTL_MS, fresh, &body, why, whylen);
    if (err == MQ_ENOTFOUND) return MQ_OK;
    if (err) return err;
    json_t *rs = mq_openlibrary_results(body, q->kind, MQ_CANDIDATES_MAX);
    json_decref(body);
    size_t k = json_array_size(rs);
    struct mq_candidate *c = k ? mq_arena_calloc(a, k, sizeof(*c)) : NULL;
    if (k && !c) err = MQ_ENOMEM;
    for (size_t i = 0; !err && i < k; i++) {
        json_t *r = json_array_get(rs, i);
        const char *poster = json_string_value(json_object_get(r, "poster"));
        c[i] = (struct mq_candidate){
            .provider = "openlibrary",
            .id = mq_arena_strdup(a, json_string_value(json_object_get(r, "id"))),
            .kind = q->kind,
            .title = mq_arena_strdup(a, json_string_value(json_object_get(r, "title"))),
            .overview = json_string_value(json_object_get(r, "author"))
                            ? mq_arena_strdup(a, json_string_value(json_object_get(r, "author")))
                            : NULL,
            .poster = poster ? mq_arena_strdup(a, poster) : NULL,
            .year = (int)json_integer_value(json_object_get(r, "year")),
            .popularity = json_number_value(json_object_get(r, "popularity"))};
    }
    json_decref(rs);
    if (!err) *out = c, *n = k;
    return err;
}

static mq_err ol_details(struct mq_ctx *ctx, struct mq_arena *a, const char *kind, const char *id,
                         bool fresh, json_t **doc, char *why, size_t whylen)
{
    char key[24];
    *doc = NULL;
    if (!mq_openlibrary_key(id, 'W', key)) return MQ_ENOTFOUND;
    int64_t ttl = mq_metadata_conf(ctx->cfg)->metadata_cache_ttl;
    json_t *work = NULL, *author = NULL;
    mq_err err =
        get(ctx, a, mq_arena_printf(a, "/works/%s.json", key), ttl, fresh, &work, why, whylen);
    if (err) return err;
    char aid[24];
    const json_t *first = json_array_get(json_object_get(work, "authors"), 0);
    const char *akey = json_string_value(json_object_get(json_object_get(first, "author"), "key"));
    if (mq_openlibrary_key(akey, 'A', aid) &&
        get(ctx, a, mq_arena_printf(a, "/authors/%s.json", aid), ttl, fresh, &author, why,
            whylen) != MQ_OK)
        author = NULL; /* the work without its author's record */
    *doc = mq_openlibrary_work_doc(work, kind, author);
    json_decref(work);
    json_decref(author);
    return *doc ? MQ_OK : MQ_EPARSE;
}

static mq_err ol_find(struct mq_ctx *ctx, struct mq_arena *a, const char *kind, const char *key,
                      const char *value, const char **id, char *why, size_t whylen)
{
    (void)kind;
    *id = NULL;
    if (strcmp(key, "isbn")) return MQ_ENOTFOUND;
    size_t n = strlen(value);
    if (n != 10 && n != 13) return MQ_ENOTFOUND;
    for (size_t i = 0; i < n; i++)
        if (!(value[i] >= '0' && value[i] <= '9') && !(i == 9 && value[i] == 'X'))
            return MQ_ENOTFOUND;
    json_t *ed = NULL;
    mq_err err = get(ctx, a, mq_arena_printf(a, "/isbn/%s.json", value),
                     mq_metadata_conf(ctx->cfg)->metadata_cache_ttl, false, &ed, why, whylen);
    if (err) return err;
    char w[24];
    const char *wk =
        json_string_value(json_object_get(json_array_get(json_object_get(ed, "works"), 0), "key"));
    if (mq_openlibrary_key(wk, 'W', w))
        *id = mq_arena_strdup(a, w);
    else
        err = MQ_ENOTFOUND;
    json_decref(ed);
    return err;
}

/* "id:123" is a cover, "a:45" an author's photo. */
static const char *ol_image_url(struct mq_ctx *ctx, struct mq_arena *a, const char *remote)
{
    const char *base = mq_metadata_conf(ctx->cfg)->openlibrary_covers_base_url;
    long long n = 0;
    char tail;
    if (sscanf(remote, "id:%lld%c", &n, &tail) == 1 && n > 0)
        return mq_arena_printf(a, "%s/b/id/%lld-L.jpg", base, n);
    if (sscanf(remote, "a:%lld%c", &n, &tail) == 1 && n > 0)
        return mq_arena_printf(a, "%s/a/id/%lld-L.jpg", base, n);
    return NULL;
}

const struct mq_provider mq_provider_openlibrary = {.name = "openlibrary",
                                                    .handles = ol_handles,
                                                    .ready = ol_ready,
                                                    .search = ol_search,
                                                    .details = ol_details,
                                                    .find = ol_find,
                                                    .image_url = ol_image_url};
