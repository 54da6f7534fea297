/* index.c - keeping the search index current (search.h).
 *
 * Triggers mark what changed in the writer's own transaction (migration
 * 0016); this file turns marks into documents. A batch is one write
 * transaction: read the marks, read what the documents are made of for
 * all of them at once, fold, write, remove the marks read. On PostgreSQL
 * an advisory lock keeps it to one instance at a time. */
#include "search/search.h"

#include <jansson.h>
#include <stddef.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/deadline.h"
#include "core/events.h"
#include "core/log.h"
#include "core/uuid.h"
#include "jobs/queue.h"
#include "jobs/runner.h"
#include "search/fold.h"
#include "search/freq.h"

#define BATCH         256
#define CREDITS_MAX   30 /* names of a work indexed, in billing order */
#define FLUSH_EVERY   10000
#define POLL_MS       1000
#define ANALYZE_AFTER 5000 /* documents indexed before PostgreSQL's statistics are renewed */

/* ---- documents ---------------------------------------------------------- */

/* A batch's rows of one kind (genres, credits, files), which the store
 * gives grouped by the id they belong to: where each id's rows start, so
 * that a document finds its own without reading the others'. */
struct spans {
    json_t *start; /* id -> index of its first row */
    const char *rows;
    size_t n, size, id_at; /* rows, their size, where the id pointer is in one */
};

static const char *span_id(const struct spans *sp, size_t i)
{
    const char *id;
    memcpy(&id, sp->rows + i * sp->size + sp->id_at, sizeof(id));
    return id;
}

static void spans_init(struct spans *sp, const void *rows, size_t n, size_t size, size_t id_at)
{
    *sp = (struct spans){json_object(), rows, n, size, id_at};
    for (size_t i = 0; i < n; i++)
        if (!i || strcmp(span_id(sp, i), span_id(sp, i - 1)))
            json_object_set_new(sp->start, span_id(sp, i), json_integer((json_int_t)i));
}

/* The rows of id: from (inclusive) to (exclusive); none: from == to. */
static void span_of(const struct spans *sp, const char *id, size_t *from, size_t *to)
{
    json_t *at = json_object_get(sp->start, id);
    size_t i = at ? (size_t)json_integer_value(at) : sp->n;
    *from = i;
    while (i < sp->n && !strcmp(span_id(sp, i), id)) i++;
    *to = i;
}

static mq_err append(struct mq_arena *a, struct mq_buf *b, const char *text, unsigned flags,
                     json_t *terms)
{
    struct mq_folded f;
    if (!text || !*text) return MQ_OK;
    mq_err err = mq_search_fold(a, text, strlen(text), flags, &f);
    if (err || !f.len) return err;
    if (b->len) err = mq_buf_adds(b, " ");
    if (!err) err = mq_buf_add(b, f.tokens, f.len);
    if (!err && terms) {
        /* Only the words themselves go to the vocabulary. */
        const char *s = f.tokens;
        for (int w = 0; w < f.words && *s; w++) {
            const char *sp = strchr(s, ' ');
            size_t len = sp ? (size_t)(sp - s) : strlen(s);
            json_object_setn_new(terms, s, len, json_true());
            s += len + (sp ? 1 : 0);
        }
    }
    return err;
}

static const char *text_of(struct mq_arena *a, struct mq_buf *b)
{
    const char *s = mq_arena_strndup(a, b->data ? b->data : "", b->len);
    mq_buf_reset(b);
    return s;
}

static const char *compact_of(struct mq_arena *a, const char *text)
{
    struct mq_folded f;
    if (!text) return "";
    return mq_search_fold(a, text, strlen(text), 0, &f) ? NULL : f.compact;
}

static bool indexed_kind(const char *kind)
{
    return !strcmp(kind, "movie") || !strcmp(kind, "series") || !strcmp(kind, "episode") ||
           !strcmp(kind, "book") || !strcmp(kind, "audiobook");
}

/* What the files say: whether one plays, the best resolution, HDR, the
 * audio languages (" eng fre "). */
static mq_err file_fields(struct mq_arena *a, const struct mq_search_file *files,
                          const struct spans *sp, const char *id, struct mq_search_doc *d)
{
    int64_t w = 0, h = 0;
    size_t from, to;
    struct mq_buf langs;
    mq_buf_init(&langs, 1024);
    mq_err err = mq_buf_adds(&langs, " ");
    span_of(sp, id, &from, &to);
    for (size_t i = from; !err && i < to; i++) {
        d->has_file = true;
        if (files[i].hdr && *files[i].hdr) d->hdr = true;
        if (files[i].width > w) w = files[i].width;
        if (files[i].height > h) h = files[i].height;
        json_t *streams = json_loads(files[i].streams ? files[i].streams : "[]", 0, NULL);
        size_t k;
        json_t *st;
        json_array_foreach(streams, k, st)
        {
            const char *type = json_string_value(json_object_get(st, "type"));
            const char *lang = json_string_value(json_object_get(st, "language"));
            if (!type || strcmp(type, "audio") || !lang) continue;
            char key[8];
            size_t len = strlen(lang);
            bool letters = len >= 2 && len <= 3;
            for (size_t c = 0; letters && c < len; c++)
                letters = (lang[c] >= 'a' && lang[c] <= 'z') || (lang[c] >= 'A' && lang[c] <= 'Z');
            /* A file's tags are anyone's: only ISO 639 codes are kept. */
            if (!letters) continue;
            key[0] = ' ';
            for (size_t c = 0; c < len; c++)
                key[c + 1] = (char)(lang[c] >= 'A' && lang[c] <= 'Z' ? lang[c] + 32 : lang[c]);
            key[len + 1] = ' ';
            key[len + 2] = 0;
            if (!strstr(langs.data, key) && langs.len < 200) err = mq_buf_adds(&langs, key + 1);
        }
        json_decref(streams);
    }
    if (!err) {
        d->resolution = !d->has_file             ? NULL
                        : w >= 3200 || h >= 1600 ? "4k"
                        : w >= 1700 || h >= 900  ? "1080p"
                        : w >= 1200 || h >= 650  ? "720p"
                        : w || h                 ? "sd"
                                                 : NULL;
        d->audio = mq_arena_strndup(a, langs.data, langs.len);
        if (!d->audio) err = MQ_ENOMEM;
    }
    mq_buf_cleanup(&langs);
    return err;
}

struct batch {
    struct mq_arena *a;
    struct mq_search_source *src;
    size_t nsrc;
    struct mq_text_pair *genres, *credits, *colls;
    size_t ng, nc, ncol;
    struct mq_search_file *files;
    size_t nf;
    struct spans genre_rows, credit_rows, coll_rows, file_rows;
    json_t *terms; /* the batch's vocabulary, as object keys */
    json_t *index; /* id -> its source's place in src */
    int64_t now;
};

static mq_err item_doc(struct batch *b, const struct mq_search_source *s, struct mq_search_doc *d)
{
    const struct mq_item_row *it = &s->item;
    struct mq_buf t;
    mq_buf_init(&t, 1 << 20);
    memset(d, 0, sizeof(*d));
    d->item_id = it->id;
    d->kind = it->kind;
    d->library_id = it->library_id;
    d->parent_id = it->parent_id;
    d->rating_level = it->rating_level;
    d->title = it->title;
    d->sort_title = it->sort_title;
    d->year = it->year;
    d->release_date = it->release_date;
    d->rating = it->rating;
    d->quality = it->quality;
    d->content_rating = it->content_rating;
    d->added_at = it->added_at;
    d->indexed_at = b->now;
    d->hdr = false;

    json_t *details = json_loads(it->details ? it->details : "{}", 0, NULL);
    const char *status = json_string_value(json_object_get(details, "status"));
    d->status = status ? mq_arena_strdup(b->a, status) : NULL;
    d->popularity = json_integer_value(json_object_get(details, "votes"));

    /* Titles: the title, the original, the sort title and what else a
     * provider calls it, each with its joined and number forms. */
    mq_err err = append(b->a, &t, it->title, MQ_FOLD_FORMS, b->terms);
    if (!err) err = append(b->a, &t, it->original_title, MQ_FOLD_FORMS, b->terms);
    if (!err && it->sort_title && strcmp(it->sort_title, it->title))
        err = append(b->a, &t, it->sort_title, MQ_FOLD_FORMS, b->terms);
    size_t k;
    json_t *alt;
    json_array_foreach(json_object_get(details, "alternative_titles"), k, alt)
    {
        if (!err && k < 20) err = append(b->a, &t, json_string_value(alt), MQ_FOLD_FORMS, b->terms);
    }
    if (!err) d->titles = text_of(b->a, &t);

    size_t from, to;
    span_of(&b->credit_rows, it->id, &from, &to);
    for (size_t i = from; !err && i < to && i - from < CREDITS_MAX; i++)
        err = append(b->a, &t, b->credits[i].second, MQ_FOLD_FORMS, b->terms);
    if (!err) d->people = text_of(b->a, &t);

    span_of(&b->genre_rows, it->id, &from, &to);
    struct mq_buf g;
    mq_buf_init(&g, 8192);
    for (size_t i = from; !err && i < to; i++) {
        err = append(b->a, &t, b->genres[i].second, 0, NULL);
        if (!err) err = mq_buf_printf(&g, "%s\x1f", b->genres[i].second);
    }
    d->genres = err ? NULL : mq_arena_strndup(b->a, g.data ? g.data : "", g.len);
    mq_buf_cleanup(&g);
    if (!err && !d->genres) err = MQ_ENOMEM;
    span_of(&b->coll_rows, it->id, &from, &to);
    for (size_t i = from; !err && i < to; i++)
        err = append(b->a, &t, b->colls[i].second, MQ_FOLD_FORMS, NULL);
    /* An episode is found by its series' name too. */
    if (!err && !strcmp(it->kind, "episode")) {
        err = append(b->a, &t, s->grandparent_title, MQ_FOLD_FORMS, NULL);
        if (!err && !s->grandparent_title)
            err = append(b->a, &t, s->parent_title, MQ_FOLD_FORMS, NULL);
    }
    if (!err) d->extra = text_of(b->a, &t);
    if (!err) err = append(b->a, &t, it->overview, 0, NULL);
    if (!err) d->overview = text_of(b->a, &t);
    if (!err) {
        d->title_compact = compact_of(b->a, it->title);
        d->alt_compact = compact_of(b->a, it->original_title);
        if (!d->title_compact || !d->alt_compact || !d->titles || !d->people || !d->extra ||
            !d->overview)
            err = MQ_ENOMEM;
    }
    if (!err) err = file_fields(b->a, b->files, &b->file_rows, it->id, d);
    json_decref(details);
    mq_buf_cleanup(&t);
    return err;
}

static mq_err person_doc(struct batch *b, const struct mq_search_source *s, struct mq_search_doc *d)
{
    struct mq_buf t;
    mq_buf_init(&t, 65536);
    memset(d, 0, sizeof(*d));
    d->item_id = s->person_id;
    d->kind = "person";
    d->title = d->sort_title = s->person_name;
    d->popularity = s->credits;
    d->rating = -1;
    d->indexed_at = b->now;
    d->people = d->extra = d->overview = "";
    mq_err err = append(b->a, &t, s->person_name, MQ_FOLD_FORMS, b->terms);
    if (!err) d->titles = text_of(b->a, &t);
    if (!err) d->title_compact = compact_of(b->a, s->person_name);
    d->alt_compact = "";
    if (!err && (!d->titles || !d->title_compact)) err = MQ_ENOMEM;
    mq_buf_cleanup(&t);
    return err;
}

static const struct mq_search_source *source_of(const struct batch *b, const char *id)
{
    json_t *at = json_object_get(b->index, id);
    return at ? &b->src[json_integer_value(at)] : NULL;
}

static mq_err index_marks(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                          const char **marks, size_t n, const char *seqs)
{
    json_t *ids = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(ids, json_string(marks[i]));
    char *ids_json = json_dumps(ids, JSON_COMPACT);
    json_decref(ids);
    if (!ids_json) return MQ_ENOMEM;
    struct batch b = {.a = a, .terms = json_object(), .now = mq_clock_now_ms(ctx->clock)};
    mq_err err = mq_store_search_sources(db, a, ids_json, &b.src, &b.nsrc);
    if (!err) err = mq_store_search_genres(db, a, ids_json, &b.genres, &b.ng);
    if (!err) err = mq_store_search_credits(db, a, ids_json, &b.credits, &b.nc);
    if (!err) err = mq_store_search_collections(db, a, ids_json, &b.colls, &b.ncol);
    if (!err) err = mq_store_search_files(db, a, ids_json, &b.files, &b.nf);
    free(ids_json);
    spans_init(&b.genre_rows, b.genres, b.ng, sizeof(*b.genres),
               offsetof(struct mq_text_pair, first));
    spans_init(&b.credit_rows, b.credits, b.nc, sizeof(*b.credits),
               offsetof(struct mq_text_pair, first));
    spans_init(&b.coll_rows, b.colls, b.ncol, sizeof(*b.colls),
               offsetof(struct mq_text_pair, first));
    spans_init(&b.file_rows, b.files, b.nf, sizeof(*b.files),
               offsetof(struct mq_search_file, item_id));
    b.index = json_object();
    for (size_t i = 0; !err && i < b.nsrc; i++) {
        const char *sid = b.src[i].item.id ? b.src[i].item.id : b.src[i].person_id;
        if (sid) json_object_set_new(b.index, sid, json_integer((json_int_t)i));
    }
    for (size_t i = 0; !err && i < n; i++) {
        const struct mq_search_source *s = source_of(&b, marks[i]);
        struct mq_search_doc d;
        bool keep = s && (s->person_id || (!s->item.deleted_at && indexed_kind(s->item.kind)));
        if (keep) {
            err = s->person_id ? person_doc(&b, s, &d) : item_doc(&b, s, &d);
            if (!err) err = mq_store_search_put(db, &d);
        } else {
            err = mq_store_search_remove(db, marks[i]);
        }
    }
    if (!err) err = mq_store_search_unmark(db, seqs);
    if (!err && json_object_size(b.terms)) {
        json_t *list = json_array();
        const char *key;
        json_t *v;
        json_object_foreach(b.terms, key, v) json_array_append_new(list, json_string(key));
        char *text = json_dumps(list, JSON_COMPACT);
        json_decref(list);
        err = text ? mq_store_search_terms_add(db, text, b.now) : MQ_ENOMEM;
        free(text);
    }
    json_decref(b.terms);
    json_decref(b.index);
    json_decref(b.genre_rows.start);
    json_decref(b.credit_rows.start);
    json_decref(b.coll_rows.start);
    json_decref(b.file_rows.start);
    return err;
}

mq_err mq_search_index_batch(struct mq_ctx *ctx, int max, int *done)
{
    struct mq_arena *a = mq_arena_new(1 << 20);
    struct mq_db *db = NULL;
    const char **marks = NULL, *seqs = NULL;
    size_t n = 0;
    bool got = false;
    *done = 0;
    if (!a) return MQ_ENOMEM;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_search_lock(db, &got);
    if (!err && got) err = mq_store_search_marked(db, a, max, &marks, &n, &seqs);
    if (!err && n) err = index_marks(ctx, db, a, marks, n, seqs);
    if (!err && n) {
        err = mq_store_commit(db);
        if (!err) *done = (int)n;
        struct mq_search *s = atomic_load(&ctx->search);
        if (!err && s) mq_freq_forget(mq_search_freq(s));
    } else {
        mq_store_rollback(db);
    }
    mq_arena_free(a);
    return err;
}

/* ---- the indexer ---------------------------------------------------------- */

struct pending_query {
    char *query;
    int64_t searches, zero;
};

struct mq_search {
    struct mq_ctx *ctx;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool stop, kicked;
    /* Statistics, under mu: queries not yet written, latencies. */
    struct pending_query *queries;
    size_t nqueries, cap;
    int64_t latencies[MQ_SEARCH_LATENCIES];
    size_t nlat, lat_at;
    int64_t searches;
    struct mq_freq_cache freq; /* forgotten at each batch indexed */
};

struct mq_freq_cache *mq_search_freq(struct mq_search *s)
{
    return &s->freq;
}

#define QUERIES_MAX 2048 /* distinct queries kept between two writes */

void mq_search_note(struct mq_search *s, const char *query, bool zero, int64_t micros)
{
    if (!s || !query || !*query) return;
    pthread_mutex_lock(&s->mu);
    s->searches++;
    s->latencies[s->lat_at] = micros;
    s->lat_at = (s->lat_at + 1) % MQ_SEARCH_LATENCIES;
    if (s->nlat < MQ_SEARCH_LATENCIES) s->nlat++;
    size_t i = 0;
    while (i < s->nqueries && strcmp(s->queries[i].query, query)) i++;
    if (i == s->nqueries && s->nqueries < QUERIES_MAX) {
        if (s->nqueries == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 64;
            struct pending_query *q = realloc(s->queries, cap * sizeof(*q));
            if (q) s->queries = q, s->cap = cap;
        }
        char *copy = s->nqueries < s->cap ? strdup(query) : NULL;
        if (copy) s->queries[s->nqueries++] = (struct pending_query){copy, 0, 0};
    }
    if (i < s->nqueries) {
        s->queries[i].searches++;
        if (zero) s->queries[i].zero++;
    }
    pthread_mutex_unlock(&s->mu);
}

static void flush_queries(struct mq_search *s)
{
    pthread_mutex_lock(&s->mu);
    struct pending_query *q = s->queries;
    size_t n = s->nqueries;
    s->queries = NULL;
    s->nqueries = s->cap = 0;
    pthread_mutex_unlock(&s->mu);
    if (!n) return;
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(s->ctx->store, MQ_DB_WRITE, &db);
    int64_t now = mq_clock_now_ms(s->ctx->clock);
    for (size_t i = 0; !err && i < n; i++)
        err = mq_store_search_query_add(db, q[i].query, q[i].searches, q[i].zero, now);
    if (db) err = mq_store_finish(db, err);
    if (err)
        mq_log_warn(s->ctx->log, "search", "search statistics not written: %s", mq_err_name(err));
    for (size_t i = 0; i < n; i++) free(q[i].query);
    free(q);
}

static void kick(const struct mq_event *e, void *arg)
{
    (void)e;
    struct mq_search *s = arg;
    pthread_mutex_lock(&s->mu);
    s->kicked = true;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->mu);
}

static void *indexer(void *arg)
{
    struct mq_search *s = arg;
    uint64_t flushed = mq_monotonic_ns();
    bool quiet = false;
    int64_t since_analyze = 0;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        if (!s->kicked && !s->stop) {
            struct timespec until = mq_deadline_in(CLOCK_MONOTONIC, POLL_MS);
            pthread_cond_timedwait(&s->cond, &s->mu, &until);
        }
        bool stop = s->stop;
        s->kicked = false;
        pthread_mutex_unlock(&s->mu);
        if (stop) break;
        int done = 0;
        do {
            mq_err err = mq_search_index_batch(s->ctx, BATCH, &done);
            if (!err) since_analyze += done;
            if (err && err != MQ_ECONFLICT) {
                /* Said once until indexing works again. */
                if (!quiet)
                    mq_log_warn(s->ctx->log, "search", "indexing failed: %s", mq_err_name(err));
                quiet = true;
                break;
            }
            if (!err) quiet = false;
        } while (done > 0 && !atomic_load(&s->ctx->draining));
        /* After a large batch, the word shares the queries read are stale. */
        if (since_analyze >= ANALYZE_AFTER && !done) {
            struct mq_db *db = NULL;
            mq_err err = mq_store_begin(s->ctx->store, MQ_DB_WRITE, &db);
            if (!err) err = mq_store_finish(db, mq_store_search_analyze(db));
            if (err)
                mq_log_warn(s->ctx->log, "search", "statistics not renewed: %s", mq_err_name(err));
            since_analyze = 0;
        }
        if ((mq_monotonic_ns() - flushed) / 1000000 >= FLUSH_EVERY) {
            flush_queries(s);
            flushed = mq_monotonic_ns();
        }
    }
    flush_queries(s);
    return NULL;
}

mq_err mq_search_start(struct mq_ctx *ctx, struct mq_search **out)
{
    struct mq_search *s = calloc(1, sizeof(*s));
    *out = NULL;
    if (!s) return MQ_ENOMEM;
    s->ctx = ctx;
    pthread_mutex_init(&s->mu, NULL);
    mq_freq_init(&s->freq);
    mq_cond_init_monotonic(&s->cond);
    mq_err err = MQ_OK;
    if (ctx->events) err = mq_events_subscribe(ctx->events, "media.*", kick, s);
    if (!err && ctx->events) err = mq_events_subscribe(ctx->events, "library.*", kick, s);
    if (!err && pthread_create(&s->thread, NULL, indexer, s)) err = MQ_ENOMEM;
    if (err) {
        mq_events_unsubscribe(ctx->events, kick, s);
        pthread_cond_destroy(&s->cond);
        pthread_mutex_destroy(&s->mu);
        mq_freq_cleanup(&s->freq);
        free(s);
        return err;
    }
    *out = s;
    return MQ_OK;
}

void mq_search_stop(struct mq_search *s)
{
    if (!s) return;
    mq_events_unsubscribe(s->ctx->events, kick, s);
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    for (size_t i = 0; i < s->nqueries; i++) free(s->queries[i].query);
    free(s->queries);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->mu);
    mq_freq_cleanup(&s->freq);
    free(s);
}

/* ---- statistics ---------------------------------------------------------- */

static int cmp_int64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

mq_err mq_search_stats(struct mq_ctx *ctx, struct mq_arena *a, struct mq_search_stats *out)
{
    memset(out, 0, sizeof(*out));
    struct mq_search *s = atomic_load(&ctx->search);
    if (s) {
        /* What this instance has not written yet counts now. */
        flush_queries(s);
        int64_t *lat = mq_arena_alloc(a, sizeof(int64_t) * MQ_SEARCH_LATENCIES);
        if (!lat) return MQ_ENOMEM;
        pthread_mutex_lock(&s->mu);
        size_t n = s->nlat;
        memcpy(lat, s->latencies, n * sizeof(*lat));
        out->searches = s->searches;
        pthread_mutex_unlock(&s->mu);
        if (n) {
            qsort(lat, n, sizeof(*lat), cmp_int64);
            out->p50_us = lat[(n - 1) / 2];
            out->p99_us = lat[(n - 1) * 99 / 100];
        }
    }
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_search_queries_top(db, a, false, 20, &out->top, &out->ntop);
    if (!err) err = mq_store_search_queries_top(db, a, true, 20, &out->zero, &out->nzero);
    mq_store_rollback(db);
    return err;
}

/* ---- rebuilds --------------------------------------------------------------- */

mq_err mq_search_reindex(struct mq_ctx *ctx, struct mq_arena *a, struct mq_search_reindex_row *out)
{
    char id[37], job[37];
    mq_uuid7_new(ctx->clock, ctx->rng, id);
    char *payload = mq_arena_printf(a, "{\"reindex\":\"%s\"}", id);
    if (!payload) return MQ_ENOMEM;
    struct mq_job_spec spec = {.kind = "search.reindex",
                               .queue = "maintenance",
                               .payload = payload,
                               .max_attempts = 3,
                               .unique_key = "search.reindex"};
    struct mq_db *db = NULL;
    bool created = false;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_jobs_enqueue(ctx, db, &spec, job, &created);
    if (!err && !created) {
        /* One is waiting or running already: that one is the answer. */
        err = mq_store_search_reindex_last(db, a, out);
        return mq_store_finish(db, err);
    }
    struct mq_search_reindex_row r = {.id = mq_arena_strdup(a, id),
                                      .job_id = mq_arena_strdup(a, job),
                                      .state = "queued",
                                      .started_at = mq_clock_now_ms(ctx->clock)};
    if (!err && (!r.id || !r.job_id)) err = MQ_ENOMEM;
    if (!err) err = mq_store_search_reindex_insert(db, &r);
    err = mq_store_finish(db, err);
    if (!err) *out = r;
    return err;
}

static mq_err reindex_job(struct mq_job_run *run)
{
    struct mq_ctx *ctx = run->ctx;
    const char *id = json_string_value(json_object_get(run->payload, "reindex"));
    if (!id) return MQ_EINVAL;
    struct mq_search_reindex_row r;
    struct mq_db *db = NULL;
    int64_t gen = mq_clock_now_ms(ctx->clock), total = 0;
    /* Every document marked at once: until each is written again, the
     * old one keeps answering. */
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_search_reindex_get(db, run->arena, id, &r);
    if (!err) err = mq_store_search_mark_all(db, &total);
    if (!err) {
        r.state = "running";
        r.total = total;
        r.done = 0;
        err = mq_store_search_reindex_update(db, &r);
    }
    err = mq_store_finish(db, err);
    if (err == MQ_ENOTFOUND) return MQ_EINVAL;
    int64_t left = total;
    while (!err && left > 0 && !atomic_load(&ctx->draining)) {
        int done = 0;
        err = mq_search_index_batch(ctx, BATCH, &done);
        if (err == MQ_ECONFLICT) err = MQ_OK;
        if (err) break;
        if (!(err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db))) {
            err = mq_store_search_pending(db, &left);
            r.done = total - left < 0 ? 0 : total - left;
            if (!err) err = mq_store_search_reindex_update(db, &r);
            err = mq_store_finish(db, err);
        }
        if (!err && !done && left > 0) {
            /* Another instance or this one's indexer holds the batch. */
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    if (!err && left > 0) err = MQ_EUNAVAILABLE; /* draining: run again later */
    if (!(mq_store_begin(ctx->store, MQ_DB_WRITE, &db))) {
        int64_t pruned = 0;
        mq_err e = MQ_OK;
        if (!err) e = mq_store_search_terms_prune(db, gen, &pruned);
        r.state = err ? "failed" : "done";
        r.error = err ? mq_err_name(err) : NULL;
        r.done = err ? r.done : total;
        r.finished_at = mq_clock_now_ms(ctx->clock);
        if (!e) e = mq_store_search_reindex_update(db, &r);
        e = mq_store_finish(db, e);
        if (!err) err = e;
    }
    if (err) snprintf(run->error, sizeof(run->error), "reindex: %s", mq_err_name(err));
    return err;
}

mq_err mq_search_register(struct mq_jobs *jobs)
{
    return mq_jobs_register(jobs, "search.reindex", reindex_job);
}

mq_err mq_search_status(struct mq_ctx *ctx, struct mq_arena *a, struct mq_search_status *out)
{
    struct mq_db *db = NULL;
    memset(out, 0, sizeof(*out));
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_search_documents(db, &out->documents);
    if (!err) err = mq_store_search_pending(db, &out->pending);
    if (!err) {
        err = mq_store_search_reindex_last(db, a, &out->reindex);
        out->has_reindex = !err;
        if (err == MQ_ENOTFOUND) err = MQ_OK;
    }
    mq_store_rollback(db);
    return err;
}
