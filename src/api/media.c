/* media.c - the catalogue for members: works, their files, seasons and
 * episodes, genres, and streaming a file by its id (src/media/catalog.h).
 * Everything filters through the libraries the caller may see. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "api/body.h"
#include "api/handlers.h"
#include "auth/principal.h"
#include "core/uuid.h"
#include "http/page.h"
#include "media/catalog.h"
#include "media/images.h"
#include "media/libraries.h"
#include "media/paths.h"
#include "media/scanner.h"

static mq_err item_not_found(struct mq_req *req)
{
    return mq_problem(req, 404, "media_not_found", NULL, "no media item has that id");
}

static mq_err visible(struct mq_req *req, struct mq_visible *vis)
{
    return mq_libraries_visible(req->ctx, req->arena, req->principal, vis);
}

static json_t *parsed_or(const char *text, json_t *fallback)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    if (!v) return fallback;
    json_decref(fallback);
    return v;
}

json_t *mq_api_item_json(const struct mq_item_row *r)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "id", r->id, "type", r->kind, "title", r->title,
                          "sort_title", r->sort_title);
    json_object_set_new(o, "original_title", mq_api_nullable(r->original_title));
    json_object_set_new(o, "overview", mq_api_nullable(r->overview));
    json_object_set_new(o, "year", r->year ? json_integer(r->year) : json_null());
    json_object_set_new(o, "release_date", mq_api_nullable(r->release_date));
    json_object_set_new(o, "runtime_min",
                        r->runtime_min ? json_integer(r->runtime_min) : json_null());
    json_object_set_new(o, "content_rating",
                        r->content_rating ? json_pack("{s:o,s:s}", "system",
                                                      mq_api_nullable(r->content_rating_system),
                                                      "value", r->content_rating)
                                          : json_null());
    json_object_set_new(o, "rating",
                        r->rating >= 0 ? json_real((double)r->rating / 10) : json_null());
    json_object_set_new(o, "edition", mq_api_nullable(r->edition));
    json_object_set_new(o, "external_ids", parsed_or(r->external_ids, json_object()));
    json_object_set_new(o, "locked", parsed_or(r->locked, json_array()));
    json_object_set_new(o, "quality", json_real((double)r->quality / 1000));
    json_object_set_new(o, "parent_id", mq_api_nullable(r->parent_id));
    json_object_set_new(o, "index", r->position >= 0 ? json_integer(r->position) : json_null());
    json_object_set_new(o, "index_end",
                        r->position_end >= 0 ? json_integer(r->position_end) : json_null());
    json_object_set_new(o, "library_id", mq_api_nullable(r->library_id));
    json_object_set_new(o, "added_at", mq_api_time(r->added_at));
    json_object_set_new(o, "updated_at", mq_api_time(r->updated_at));
    json_object_set_new(o, "origin", json_string(r->origin ? r->origin : "scan"));
    json_object_set_new(o, "sources", parsed_or(r->sources, json_object()));
    json_object_set_new(o, "details", parsed_or(r->details, json_object()));
    return o;
}

static json_t *file_json(const struct mq_file_row *f, bool with_path)
{
    json_t *o = json_pack("{s:s,s:s,s:o,s:s,s:o,s:I}", "id", f->id, "role", f->role, "detail",
                          mq_api_nullable(f->detail), "state", f->state, "reason",
                          mq_api_nullable(f->reason), "size", (json_int_t)f->size);
    json_object_set_new(o, "container", mq_api_nullable(f->container));
    json_object_set_new(o, "duration_ms",
                        f->duration_ms ? json_integer(f->duration_ms) : json_null());
    json_object_set_new(o, "bit_rate", f->bit_rate ? json_integer(f->bit_rate) : json_null());
    json_object_set_new(o, "width", f->width ? json_integer(f->width) : json_null());
    json_object_set_new(o, "height", f->height ? json_integer(f->height) : json_null());
    json_object_set_new(o, "video_codec", mq_api_nullable(f->video_codec));
    json_object_set_new(o, "hdr", mq_api_nullable(f->hdr));
    json_t *streams = parsed_or(f->streams, json_array());
    size_t i;
    json_t *st;
    json_array_foreach(streams, i, st)
    {
        /* Text subtitles play in a browser as WebVTT. */
        static const char *const text[] = {"subrip", "ass",  "ssa", "mov_text",
                                           "webvtt", "text", NULL};
        const char *type = json_string_value(json_object_get(st, "type"));
        const char *codec = json_string_value(json_object_get(st, "codec"));
        if (!type || strcmp(type, "subtitle") || !codec) continue;
        for (int k = 0; text[k]; k++)
            if (!strcmp(codec, text[k]))
                json_object_set_new(
                    st, "vtt_url",
                    json_sprintf("/api/v1/files/%s/subtitles/%lld.vtt", f->id,
                                 (long long)json_integer_value(json_object_get(st, "index"))));
    }
    json_object_set_new(o, "streams", streams);
    if (!strcmp(f->role, "subtitle") && f->video_id)
        json_object_set_new(o, "vtt_url",
                            json_sprintf("/api/v1/files/%s/subtitles/%s.vtt", f->video_id, f->id));
    json_object_set_new(o, "chapters", parsed_or(f->chapters, json_array()));
    json_object_set_new(o, "video_id", mq_api_nullable(f->video_id));
    json_object_set_new(o, "stream_url", json_sprintf("/api/v1/files/%s/stream", f->id));
    json_object_set_new(o, "added_at", mq_api_time(f->added_at));
    json_object_set_new(o, "missing_since", mq_api_time(f->missing_since));
    if (with_path) json_object_set_new(o, "path", json_string(f->path));
    return o;
}

static bool manager(const struct mq_req *req)
{
    return req->principal && mq_principal_allows(req->principal, "libraries:manage");
}

/* ---- lists ------------------------------------------------------------ */

static const char *const SORTS[] = {"title", "year", "added", "rating", "duration", "index", NULL};

static json_t *item_item(const void *row, void *arg)
{
    (void)arg;
    return mq_api_item_json(row);
}

/* The cursor: the sort value and the id, separated by a unit separator. */
static const char *item_position(struct mq_arena *a, const void *row, void *arg)
{
    const struct mq_item_row *r = row;
    enum mq_item_sort sort = *(const enum mq_item_sort *)arg;
    switch (sort) {
    case MQ_SORT_TITLE: return mq_arena_printf(a, "%s\x1f%s", r->sort_title, r->id);
    case MQ_SORT_YEAR: return mq_arena_printf(a, "%lld\x1f%s", (long long)r->year, r->id);
    case MQ_SORT_ADDED: return mq_arena_printf(a, "%lld\x1f%s", (long long)r->added_at, r->id);
    case MQ_SORT_RATING: return mq_arena_printf(a, "%lld\x1f%s", (long long)r->rating, r->id);
    case MQ_SORT_DURATION:
        return mq_arena_printf(a, "%lld\x1f%s", (long long)r->runtime_min, r->id);
    case MQ_SORT_POSITION:
        return mq_arena_printf(a, "%lld\x1f%s", (long long)(r->position < 0 ? 0 : r->position),
                               r->id);
    }
    return NULL;
}

static mq_err parse_cursor(struct mq_req *req, const struct mq_page *page, struct mq_item_filter *f)
{
    if (!page->after) return MQ_OK;
    const char *sep = strchr(page->after, '\x1f');
    if (!sep || !mq_uuid_valid(sep + 1, strlen(sep + 1)))
        return mq_problem(req, 400, "invalid_cursor", NULL,
                          "cursor is not one this server handed out");
    f->has_after = true;
    f->after_id = sep + 1;
    f->after_text = mq_arena_strndup(req->arena, page->after, (size_t)(sep - page->after));
    if (!f->after_text) return MQ_ENOMEM;
    if (f->sort != MQ_SORT_TITLE) {
        char *end;
        f->after_int = strtoll(f->after_text, &end, 10);
        if (*end || end == f->after_text)
            return mq_problem(req, 400, "invalid_cursor", NULL,
                              "cursor is not one this server handed out");
    }
    return MQ_OK;
}

/* A page of items: `f` holds what the route fixes; the query the rest. */
static mq_err answer_items(struct mq_req *req, struct mq_item_filter *f, bool filters)
{
    struct mq_page page;
    struct mq_visible vis;
    const char *sort = NULL;
    mq_err err = mq_page_parse(req, &page);
    if (!err && filters) {
        err = mq_req_query(req, "type", &f->kind);
        if (!err) err = mq_api_query_text(req, "genre", &f->genre);
        if (!err) err = mq_api_query_text(req, "library", &f->library_id);
        if (!err) err = mq_api_query_text(req, "content_rating", &f->content_rating);
        if (!err) err = mq_api_query_int(req, "year_from", 1800, 2200, &f->year_from);
        if (!err) err = mq_api_query_int(req, "year_to", 1800, 2200, &f->year_to);
        if (!err) err = mq_api_query_bool(req, "has_file", &f->has_file);
        int missing = 0;
        if (!err) err = mq_api_query_bool(req, "missing", &missing);
        f->missing = missing;
        if (!err) err = mq_req_query(req, "sort", &sort);
    }
    if (err) return err;
    if (f->kind && strcmp(f->kind, "movie") && strcmp(f->kind, "series") &&
        strcmp(f->kind, "season") && strcmp(f->kind, "episode") && strcmp(f->kind, "book") &&
        strcmp(f->kind, "audiobook"))
        return mq_api_bad_filter(req, "type",
                                 "is one of movie, series, season, episode, book, audiobook");
    if (sort) {
        int k = 0;
        while (SORTS[k] && strcmp(SORTS[k], sort)) k++;
        if (!SORTS[k])
            return mq_api_bad_filter(req, "sort",
                                     "is one of title, year, added, rating, duration, index");
        f->sort = (enum mq_item_sort)k;
    }
    err = parse_cursor(req, &page, f);
    if (err) return err;
    f->limit = page.fetch;
    struct mq_item_row *rows = NULL;
    size_t n = 0;
    err = visible(req, &vis);
    if (!err) err = mq_catalog_list(req->ctx, req->arena, &vis, f, &rows, &n);
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), item_item, item_position, &f->sort};
    return mq_page_answer(req, &page, &r);
}

/* GET /api/v1/media */
mq_err mq_api_media_list(struct mq_req *req)
{
    struct mq_item_filter f = {.has_file = -1};
    return answer_items(req, &f, true);
}

/* GET /api/v1/media/recently-added: what a library holds (works only the
 * catalogue knows, a collection's other parts, are not "added"). */
mq_err mq_api_media_recent(struct mq_req *req)
{
    struct mq_item_filter f = {.has_file = 1, .sort = MQ_SORT_ADDED};
    return answer_items(req, &f, false);
}

/* GET /api/v1/media/top-rated: of what a library holds. */
mq_err mq_api_media_top_rated(struct mq_req *req)
{
    struct mq_item_filter f = {.has_file = 1, .sort = MQ_SORT_RATING};
    return answer_items(req, &f, false);
}

/* The item named by the path, of the kind wanted (NULL = any). */
static mq_err load_item(struct mq_req *req, const char *kind, struct mq_visible *vis,
                        struct mq_item_row *item, const char ***genres, size_t *ngenres)
{
    mq_err err = visible(req, vis);
    if (!err)
        err = mq_catalog_get(req->ctx, req->arena, vis, mq_req_param(req, "id"), item, genres,
                             ngenres);
    if (!err && kind && strcmp(item->kind, kind)) err = MQ_ENOTFOUND;
    if (err == MQ_ENOTFOUND) return item_not_found(req);
    return err;
}

static mq_err children(struct mq_req *req, const char *parent_kind, const char *child_kind)
{
    struct mq_visible vis;
    struct mq_item_row item;
    mq_err err = load_item(req, parent_kind, &vis, &item, NULL, NULL);
    if (err) return err;
    struct mq_item_filter f = {
        .has_file = -1, .kind = child_kind, .parent_id = item.id, .sort = MQ_SORT_POSITION};
    return answer_items(req, &f, false);
}

/* GET /api/v1/series/{id}/seasons */
mq_err mq_api_series_seasons(struct mq_req *req)
{
    return children(req, "series", "season");
}

/* GET /api/v1/seasons/{id}/episodes */
mq_err mq_api_season_episodes(struct mq_req *req)
{
    return children(req, "season", "episode");
}

/* ---- one item ---------------------------------------------------------- */

/* A strong validator of a JSON answer: a hash of its bytes. */
static const char *etag_of(struct mq_req *req, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    unsigned char h[16];
    char hex[33];
    if (!text) return NULL;
    crypto_generichash(h, sizeof(h), (const unsigned char *)text, strlen(text), NULL, 0);
    free(text);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    return mq_arena_printf(req->arena, "\"%s\"", hex);
}

static bool etag_matches(const char *header, const char *etag)
{
    if (!header) return false;
    if (!strcmp(header, "*")) return true;
    /* A list of tags, strong or weak (W/"..."): weak comparison. */
    const char *bare = etag;
    size_t n = strlen(bare);
    for (const char *p = header; (p = strstr(p, bare)); p += n)
        if ((p == header || p[-1] == ' ' || p[-1] == ',' || p[-1] == '/') &&
            (p[n] == 0 || p[n] == ',' || p[n] == ' '))
            return true;
    return false;
}

/* GET /api/v1/media/{id} */
mq_err mq_api_media_get(struct mq_req *req)
{
    struct mq_visible vis;
    struct mq_item_row item;
    const char **genres = NULL;
    size_t ngenres = 0;
    mq_err err = load_item(req, NULL, &vis, &item, &genres, &ngenres);
    if (err) return err;
    json_t *o = mq_api_item_json(&item);
    json_t *g = json_array();
    for (size_t i = 0; i < ngenres; i++) json_array_append_new(g, json_string(genres[i]));
    json_object_set_new(o, "genres", g);
    json_t *versions = NULL;
    err = mq_images_available(req->ctx, req->arena, &vis, item.id, &versions);
    if (err) {
        json_decref(o);
        return err;
    }
    json_t *images = json_object();
    const char *kind;
    json_t *v;
    json_object_foreach(versions, kind, v)
    {
        json_object_set_new(
            images, kind,
            json_sprintf("/api/v1/media/%s/images/%s?v=%s", item.id, kind, json_string_value(v)));
    }
    json_decref(versions);
    json_object_set_new(o, "images", images);
    struct mq_collection_row *colls = NULL;
    size_t nc = 0;
    err = mq_catalog_collections_of(req->ctx, req->arena, item.id, &colls, &nc);
    if (err) {
        json_decref(o);
        return err;
    }
    json_t *cj = json_array();
    for (size_t i = 0; i < nc; i++)
        json_array_append_new(cj, json_pack("{s:s,s:s,s:s,s:I}", "id", colls[i].id, "name",
                                            colls[i].name, "type", colls[i].kind, "index",
                                            (json_int_t)colls[i].position));
    json_object_set_new(o, "collections", cj);
    /* Where it streams, by the region the server is set to first. */
    struct mq_availability_row *av = NULL;
    size_t na = 0;
    err = mq_catalog_availability(req->ctx, req->arena, item.id, &av, &na);
    if (err) {
        json_decref(o);
        return err;
    }
    json_t *aj = json_array();
    for (size_t i = 0; i < na; i++) {
        json_t *x = json_pack("{s:s,s:s,s:s}", "platform", av[i].platform, "region", av[i].region,
                              "kind", av[i].kind);
        json_object_set_new(x, "url", mq_api_nullable(av[i].url));
        json_array_append_new(aj, x);
    }
    json_object_set_new(o, "availability", aj);
    const char *etag = etag_of(req, o);
    if (!etag) {
        json_decref(o);
        return MQ_ENOMEM;
    }
    (void)mq_reply_header(req, "ETag", etag);
    (void)mq_reply_header(req, "Cache-Control", "private, no-cache");
    if (etag_matches(mq_req_header(req, "If-None-Match"), etag)) {
        json_decref(o);
        return mq_reply_empty(req, 304);
    }
    return mq_reply_json(req, 200, o);
}

/* GET /api/v1/media/{id}/files */
mq_err mq_api_media_files(struct mq_req *req)
{
    struct mq_visible vis;
    struct mq_file_row *rows = NULL;
    size_t n = 0;
    mq_err err = visible(req, &vis);
    if (!err)
        err = mq_catalog_files(req->ctx, req->arena, &vis, mq_req_param(req, "id"), &rows, &n);
    if (err == MQ_ENOTFOUND) return item_not_found(req);
    if (err) return err;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(items, file_json(&rows[i], manager(req)));
    return mq_reply_json(req, 200, json_pack("{s:o,s:n}", "items", items, "next_cursor"));
}

/* GET /api/v1/media/{id}/genres */
mq_err mq_api_media_genres(struct mq_req *req)
{
    struct mq_visible vis;
    struct mq_item_row item;
    const char **genres = NULL;
    size_t n = 0;
    mq_err err = load_item(req, NULL, &vis, &item, &genres, &n);
    if (err) return err;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(items, json_string(genres[i]));
    return mq_reply_json(req, 200, json_pack("{s:o,s:n}", "items", items, "next_cursor"));
}

/* GET /api/v1/genres */
mq_err mq_api_genres(struct mq_req *req)
{
    struct mq_visible vis;
    struct mq_genre_count *rows = NULL;
    size_t n = 0;
    mq_err err = visible(req, &vis);
    if (!err) err = mq_catalog_genres(req->ctx, req->arena, &vis, &rows, &n);
    if (err) return err;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:s,s:I}", "name", rows[i].genre, "items",
                                               (json_int_t)rows[i].items));
    return mq_reply_json(req, 200, json_pack("{s:o,s:n}", "items", items, "next_cursor"));
}

/* GET /api/v1/libraries/{id}/stats */
mq_err mq_api_libraries_stats(struct mq_req *req)
{
    struct mq_visible vis;
    struct mq_library lib;
    struct mq_library_stats st;
    const char *id = mq_req_param(req, "id");
    mq_err err = visible(req, &vis);
    if (!err)
        err = mq_uuid_valid(id, strlen(id)) ? mq_libraries_get(req->ctx, req->arena, &vis, id, &lib)
                                            : MQ_ENOTFOUND;
    if (!err) err = mq_catalog_stats(req->ctx, &vis, id, &st);
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "library_not_found", NULL, "no library has that id");
    if (err) return err;
    struct mq_library_scan_row scan;
    bool never = true;
    err = mq_scan_status(req->ctx, req->arena, id, &scan, &never);
    if (err) return err;
    json_t *o = json_pack("{s:{s:I,s:I,s:I,s:I,s:I,s:I},s:I,s:I,s:I,s:I,s:I}", "items", "movie",
                          (json_int_t)st.items[0], "series", (json_int_t)st.items[1], "season",
                          (json_int_t)st.items[2], "episode", (json_int_t)st.items[3], "book",
                          (json_int_t)st.items[4], "audiobook", (json_int_t)st.items[5], "files",
                          (json_int_t)st.files, "missing_files", (json_int_t)st.missing,
                          "failed_files", (json_int_t)st.failed, "total_size", (json_int_t)st.size,
                          "total_duration_ms", (json_int_t)st.duration_ms);
    json_object_set_new(o, "last_scan",
                        never ? json_null()
                              : json_pack("{s:s,s:o,s:o}", "state", scan.state, "started_at",
                                          mq_api_time(scan.started_at), "finished_at",
                                          mq_api_time(scan.finished_at)));
    return mq_reply_json(req, 200, o);
}

/* ---- pictures ---------------------------------------------------------- */

/* Sends a picture made at its width: ETag by version and width, cached
 * for ever when the URL named that version. */
mq_err mq_api_reply_image(struct mq_req *req, const struct mq_image *img, const char *want)
{
    int fd = open(img->path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb)) {
        if (fd >= 0) close(fd);
        return MQ_EIO;
    }
    char *etag = mq_arena_printf(req->arena, "\"%s-%d\"", img->version, img->width);
    if (!etag) {
        close(fd);
        return MQ_ENOMEM;
    }
    (void)mq_reply_header(req, "ETag", etag);
    /* A URL naming the version always shows the same picture. */
    (void)mq_reply_header(req, "Cache-Control",
                          want && !strcmp(want, img->version)
                              ? "private, max-age=31536000, immutable"
                              : "private, max-age=300");
    const char *inm = mq_req_header(req, "If-None-Match");
    if (inm && strstr(inm, etag)) {
        close(fd);
        return mq_reply_empty(req, 304);
    }
    return mq_reply_file(req, 200, "image/jpeg", fd, 0, (uint64_t)sb.st_size);
}

struct image_job {
    struct mq_visible vis;
    const char *id, *kind, *version;
    int width;
    bool person; /* a person's photo, not a work's picture */
};

static mq_err image_work(struct mq_req *req, void *arg)
{
    struct image_job *j = arg;
    struct mq_image img;
    char why[256];
    mq_err err =
        j->person ? mq_images_person(req->ctx, req->arena, j->id, j->width, &img, why, sizeof(why))
                  : mq_images_get(req->ctx, req->arena, &j->vis, j->id, j->kind, j->width, &img,
                                  why, sizeof(why));
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "image_not_found", NULL, "%s has no %s picture",
                          j->person ? "the person" : "the item", j->kind);
    if (err == MQ_EIO)
        return mq_problem(req, 422, "image_unreadable", NULL, "%s",
                          why[0] ? why : "the picture cannot be decoded");
    if (err) return err;
    return mq_api_reply_image(req, &img, j->version);
}

/* GET /api/v1/media/{id}/images/{kind}?w=WIDTH&v=VERSION */
mq_err mq_api_media_image(struct mq_req *req)
{
    struct image_job *j = mq_arena_calloc(req->arena, 1, sizeof(*j));
    if (!j) return MQ_ENOMEM;
    j->id = mq_req_param(req, "id");
    j->kind = mq_req_param(req, "kind");
    j->width = MQ_IMAGE_DEFAULT_WIDTH;
    if (!mq_image_kind_valid(j->kind))
        return mq_problem(req, 404, "image_not_found", NULL,
                          "pictures are poster, backdrop, banner, logo, thumb, disc, clearart");
    mq_err err = mq_api_query_int(req, "w", 1, 100000, &j->width);
    if (!err) err = mq_req_query(req, "v", &j->version);
    if (err) return err;
    if (!mq_image_width_valid(j->width))
        return mq_problem(req, 400, "invalid_width", json_pack("{s:s}", "field", "w"),
                          "w is one of 160, 320, 480, 780, 1280, 1920");
    err = visible(req, &j->vis);
    if (err) return err;
    return mq_req_offload(req, req->ctx->cpu_pool, image_work, j);
}

/* GET /api/v1/people/{id}/photo?w=WIDTH&v=VERSION */
mq_err mq_api_people_photo(struct mq_req *req)
{
    struct image_job *j = mq_arena_calloc(req->arena, 1, sizeof(*j));
    if (!j) return MQ_ENOMEM;
    j->id = mq_req_param(req, "id");
    j->kind = "photo";
    j->person = true;
    j->width = 320;
    mq_err err = mq_api_query_int(req, "w", 1, 100000, &j->width);
    if (!err) err = mq_req_query(req, "v", &j->version);
    if (err) return err;
    if (!mq_image_width_valid(j->width))
        return mq_problem(req, 400, "invalid_width", json_pack("{s:s}", "field", "w"),
                          "w is one of 160, 320, 480, 780, 1280, 1920");
    return mq_req_offload(req, req->ctx->cpu_pool, image_work, j);
}

/* ---- people, similar works, collections --------------------------------- */

static mq_err credits(struct mq_req *req, const char *kind)
{
    struct mq_visible vis;
    struct mq_credit_row *rows = NULL;
    size_t n = 0;
    mq_err err = visible(req, &vis);
    if (!err)
        err = mq_catalog_credits(req->ctx, req->arena, &vis, mq_req_param(req, "id"), kind, &rows,
                                 &n);
    if (err == MQ_ENOTFOUND) return item_not_found(req);
    if (err) return err;
    json_t *items = json_array();
    bool cast = !strcmp(kind, "cast");
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s,s:s,s:I}", "person_id", rows[i].person_id, "name", rows[i].name,
                              "order", (json_int_t)rows[i].position);
        json_object_set_new(o, cast ? "character" : "job",
                            rows[i].role && *rows[i].role ? json_string(rows[i].role)
                                                          : json_null());
        if (!cast) json_object_set_new(o, "department", mq_api_nullable(rows[i].department));
        char v[17];
        bool photo = !mq_images_person_version(req->ctx, req->arena, rows[i].person_id, v);
        json_object_set_new(o, "photo",
                            photo
                                ? json_sprintf("/api/v1/people/%s/photo?v=%s", rows[i].person_id, v)
                                : json_null());
        json_array_append_new(items, o);
    }
    return mq_reply_json(req, 200, json_pack("{s:o,s:n}", "items", items, "next_cursor"));
}

/* GET /api/v1/media/{id}/cast */
mq_err mq_api_media_cast(struct mq_req *req)
{
    return credits(req, "cast");
}

/* GET /api/v1/media/{id}/crew */
mq_err mq_api_media_crew(struct mq_req *req)
{
    return credits(req, "crew");
}

static json_t *items_json(const struct mq_item_row *rows, size_t n)
{
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(items, mq_api_item_json(&rows[i]));
    return items;
}

/* GET /api/v1/media/{id}/similar */
mq_err mq_api_media_similar(struct mq_req *req)
{
    struct mq_visible vis;
    struct mq_item_row *rows = NULL;
    size_t n = 0;
    int limit = 20;
    mq_err err = mq_api_query_int(req, "limit", 1, 100, &limit);
    if (!err) err = visible(req, &vis);
    if (!err)
        err = mq_catalog_similar(req->ctx, req->arena, &vis, mq_req_param(req, "id"), limit, &rows,
                                 &n);
    if (err == MQ_ENOTFOUND) return item_not_found(req);
    if (err) return err;
    return mq_reply_json(req, 200,
                         json_pack("{s:o,s:n}", "items", items_json(rows, n), "next_cursor"));
}

static mq_err collection(struct mq_req *req, bool with_items)
{
    struct mq_visible vis;
    struct mq_collection_row c;
    struct mq_item_row *rows = NULL;
    size_t n = 0;
    mq_err err = visible(req, &vis);
    if (!err)
        err = mq_catalog_collection(req->ctx, req->arena, &vis, mq_req_param(req, "id"), 200, &c,
                                    &rows, &n);
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "collection_not_found", NULL, "no collection has that id");
    if (err) return err;
    if (with_items)
        return mq_reply_json(req, 200,
                             json_pack("{s:o,s:n}", "items", items_json(rows, n), "next_cursor"));
    return mq_reply_json(req, 200,
                         json_pack("{s:s,s:s,s:s,s:o,s:I}", "id", c.id, "name", c.name, "type",
                                   c.kind, "overview", mq_api_nullable(c.overview), "items",
                                   (json_int_t)n));
}

/* GET /api/v1/collections/{id} */
mq_err mq_api_collections_get(struct mq_req *req)
{
    return collection(req, false);
}

/* GET /api/v1/collections/{id}/items */
mq_err mq_api_collections_items(struct mq_req *req)
{
    return collection(req, true);
}
