#include "audit/audit.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/retention.h"
#include "core/deadline.h"
#include "core/uuid.h"
#include "store/keys.h"

#define QUEUE_MAX     100000 /* past this, events are dropped (and counted) */
#define BATCH_MAX     500
#define GATHER_MS     50   /* let a burst gather into one transaction */
#define LIST_FLUSH_MS 2000 /* how long a reader waits for queued entries */
#define RETRY_MS      1000 /* database away: try again after */
#define GENESIS       "0000000000000000000000000000000000000000000000000000000000000000"
#define FOLDS_MAX     1024 /* keys folding at once; beyond, events fold under "*" */

struct pending {
    struct pending *next;
    char id[37];
    int64_t at;
    /* Strings live in the same allocation; NULL fields stay NULL. */
    char *action, *actor_kind, *actor_id, *target_type, *target_id, *ip, *user_agent, *request_id,
        *details;
};

/* Events of one action and key within one window: the first one's fields,
 * and how many came. */
struct fold {
    struct fold *next;
    char *key; /* action, NUL, the caller's key */
    size_t key_len;
    struct mq_audit_event sample; /* strings and details owned by the fold */
    int64_t first_at, last_at, closes_at;
    int64_t count;
};

struct mq_audit {
    struct mq_ctx *ctx;
    struct fold *folds; /* open, oldest first */
    size_t nfolds;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake, idle;
    struct pending *head, *tail;
    size_t queued;
    bool writing; /* a batch is out of the queue, not yet committed */
    bool stopping;
    atomic_uint_fast64_t recorded, written, dropped, folded;
};

/* ---- hashing ---------------------------------------------------------------- */

static void feed(crypto_hash_sha256_state *st, const char *s)
{
    /* Length-prefixed, and NULL distinct from "": no two entries encode alike. */
    char len[24];
    int n = s ? snprintf(len, sizeof(len), "%zu:", strlen(s)) : snprintf(len, sizeof(len), "-;");
    crypto_hash_sha256_update(st, (const unsigned char *)len, (unsigned long long)n);
    if (s) crypto_hash_sha256_update(st, (const unsigned char *)s, strlen(s));
}

void mq_audit_hash(const struct mq_audit_row *r, char out[65])
{
    crypto_hash_sha256_state st;
    unsigned char digest[crypto_hash_sha256_BYTES];
    char num[24];
    crypto_hash_sha256_init(&st);
    feed(&st, r->prev_hash);
    snprintf(num, sizeof(num), "%" PRId64, r->seq);
    feed(&st, num);
    feed(&st, r->id);
    snprintf(num, sizeof(num), "%" PRId64, r->at);
    feed(&st, num);
    feed(&st, r->action);
    feed(&st, r->actor_kind);
    feed(&st, r->actor_id);
    feed(&st, r->target_type);
    feed(&st, r->target_id);
    feed(&st, r->ip);
    feed(&st, r->user_agent);
    feed(&st, r->request_id);
    feed(&st, r->details);
    crypto_hash_sha256_final(&st, digest);
    sodium_bin2hex(out, 65, digest, sizeof(digest));
}

/* ---- recording ---------------------------------------------------------------- */

static char *place(char **cursor, const char *s)
{
    if (!s) return NULL;
    char *at = *cursor;
    size_t n = strlen(s) + 1;
    memcpy(at, s, n);
    *cursor += n;
    return at;
}

/* A queue entry holding copies of the event's fields; NULL when out of
 * memory. */
static struct pending *make_pending(struct mq_audit *a, const struct mq_audit_event *e, int64_t at)
{
    char *details = e->details ? json_dumps(e->details, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    const char *d = details ? details : "{}";
    const char *fields[] = {e->action,      e->actor_kind, e->actor_id,
                            e->target_type, e->target_id,  e->ip,
                            e->user_agent,  e->request_id, d};
    size_t size = sizeof(struct pending);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (fields[i]) size += strlen(fields[i]) + 1;
    struct pending *p = calloc(1, size);
    if (!p) {
        free(details);
        return NULL;
    }
    char *cursor = (char *)(p + 1);
    p->action = place(&cursor, e->action);
    p->actor_kind = place(&cursor, e->actor_kind ? e->actor_kind : "system");
    p->actor_id = place(&cursor, e->actor_id);
    p->target_type = place(&cursor, e->target_type);
    p->target_id = place(&cursor, e->target_id);
    p->ip = place(&cursor, e->ip);
    p->user_agent = place(&cursor, e->user_agent);
    p->request_id = place(&cursor, e->request_id);
    p->details = place(&cursor, d);
    free(details);
    p->at = at;
    mq_uuid7_new(a->ctx->clock, a->ctx->rng, p->id);
    return p;
}

/* Under the lock. Takes p. */
static void enqueue_locked(struct mq_audit *a, struct pending *p)
{
    if (a->queued >= QUEUE_MAX) {
        atomic_fetch_add(&a->dropped, 1);
        mq_log_error(a->ctx->log, "audit", "audit queue full (database away?): dropped %s",
                     p->action);
        free(p);
        return;
    }
    if (a->tail)
        a->tail->next = p;
    else
        a->head = p;
    a->tail = p;
    a->queued++;
    atomic_fetch_add(&a->recorded, 1);
    pthread_cond_signal(&a->wake);
}

void mq_audit_record(struct mq_audit *a, const struct mq_audit_event *e)
{
    if (!a) return;
    struct pending *p = make_pending(a, e, mq_clock_now_ms(a->ctx->clock));
    if (!p) {
        atomic_fetch_add(&a->dropped, 1);
        return;
    }
    pthread_mutex_lock(&a->lock);
    enqueue_locked(a, p);
    pthread_mutex_unlock(&a->lock);
}

/* ---- folding ---------------------------------------------------------------- */

static void fold_free(struct fold *f)
{
    json_decref(f->sample.details);
    free(f);
}

static char *keep(char **cursor, const char *s)
{
    return s ? place(cursor, s) : NULL;
}

static struct fold *fold_new(const struct mq_audit_event *e, const char *key, size_t key_len)
{
    const char *fields[] = {e->action,    e->actor_kind, e->actor_id,   e->target_type,
                            e->target_id, e->ip,         e->user_agent, e->request_id};
    size_t size = sizeof(struct fold) + key_len + 1;
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (fields[i]) size += strlen(fields[i]) + 1;
    struct fold *f = calloc(1, size);
    if (!f) return NULL;
    char *cursor = (char *)(f + 1);
    f->key = cursor;
    memcpy(f->key, key, key_len);
    f->key[key_len] = 0;
    f->key_len = key_len;
    cursor += key_len + 1;
    f->sample.action = keep(&cursor, e->action);
    f->sample.actor_kind = keep(&cursor, e->actor_kind);
    f->sample.actor_id = keep(&cursor, e->actor_id);
    f->sample.target_type = keep(&cursor, e->target_type);
    f->sample.target_id = keep(&cursor, e->target_id);
    f->sample.ip = keep(&cursor, e->ip);
    f->sample.user_agent = keep(&cursor, e->user_agent);
    f->sample.request_id = keep(&cursor, e->request_id);
    f->sample.details = e->details ? json_deep_copy(e->details) : json_object();
    if (!f->sample.details) {
        free(f);
        return NULL;
    }
    return f;
}

/* Under the lock: queues the fold's entry, with its count, and frees it. */
static void close_fold_locked(struct mq_audit *a, struct fold *f)
{
    json_t *d = f->sample.details;
    json_object_set_new(d, "count", json_integer(f->count));
    json_object_set_new(d, "first_at", json_integer(f->first_at));
    json_object_set_new(d, "last_at", json_integer(f->last_at));
    struct pending *p = make_pending(a, &f->sample, f->first_at);
    if (p)
        enqueue_locked(a, p);
    else
        atomic_fetch_add(&a->dropped, 1);
    fold_free(f);
}

/* Under the lock: closes the folds whose window has passed (all of them
 * when `all`); returns ms until the next one closes, or -1 if none is open. */
static int64_t close_folds_locked(struct mq_audit *a, bool all)
{
    int64_t now = mq_clock_now_ms(a->ctx->clock), next = -1;
    struct fold **p = &a->folds;
    while (*p) {
        struct fold *f = *p;
        if (all || f->closes_at <= now) {
            *p = f->next;
            a->nfolds--;
            close_fold_locked(a, f);
            continue;
        }
        if (next < 0 || f->closes_at - now < next) next = f->closes_at - now;
        p = &f->next;
    }
    return next;
}

bool mq_audit_record_folded(struct mq_audit *a, const struct mq_audit_event *e, const char *key,
                            int64_t window_ms)
{
    if (!a) return true;
    char full[256];
    int n = snprintf(full, sizeof(full), "%s%c%s", e->action, 0, key);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof(full) ? (size_t)n : sizeof(full) - 1;
    int64_t now = mq_clock_now_ms(a->ctx->clock);
    pthread_mutex_lock(&a->lock);
    struct fold *f = a->folds, *last = NULL;
    for (; f; last = f, f = f->next)
        if (f->key_len == len && !memcmp(f->key, full, len) && f->closes_at > now) break;
    if (!f && a->nfolds >= FOLDS_MAX) {
        /* Too many keys at once: the rest count under one. */
        len = (size_t)snprintf(full, sizeof(full), "%s%c*", e->action, 0);
        for (f = a->folds, last = NULL; f; last = f, f = f->next)
            if (f->key_len == len && !memcmp(f->key, full, len) && f->closes_at > now) break;
    }
    if (!f) {
        f = fold_new(e, full, len);
        if (!f) {
            atomic_fetch_add(&a->dropped, 1);
            pthread_mutex_unlock(&a->lock);
            return true;
        }
        f->first_at = now;
        f->closes_at = now + (window_ms > 0 ? window_ms : 1000);
        if (last)
            last->next = f;
        else
            a->folds = f;
        a->nfolds++;
        pthread_cond_signal(&a->wake); /* the writer learns of the close time */
    }
    bool first = f->count++ == 0;
    f->last_at = now;
    atomic_fetch_add(&a->folded, 1);
    pthread_mutex_unlock(&a->lock);
    return first;
}

/* ---- writing ---------------------------------------------------------------- */

/* Appends a batch in one transaction. On failure nothing is written and the
 * caller puts the batch back. */
static mq_err append_batch(struct mq_audit *a, struct pending *batch)
{
    struct mq_db *db = NULL;
    struct mq_arena *arena = mq_arena_new(1024);
    int64_t seq = 0;
    const char *head = NULL;
    char hash[65], prev[65];
    if (!arena) return MQ_ENOMEM;
    mq_err err = mq_store_begin(a->ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_audit_lock(db);
    if (!err) err = mq_store_audit_head(db, arena, &seq, &head);
    snprintf(prev, sizeof(prev), "%s", head ? head : GENESIS);
    for (struct pending *p = batch; p && !err; p = p->next) {
        struct mq_audit_row r = {
            .seq = ++seq,
            .id = p->id,
            .at = p->at,
            .action = p->action,
            .actor_kind = p->actor_kind,
            .actor_id = p->actor_id,
            .target_type = p->target_type,
            .target_id = p->target_id,
            .ip = p->ip,
            .user_agent = p->user_agent,
            .request_id = p->request_id,
            .details = p->details,
            .prev_hash = prev,
        };
        mq_audit_hash(&r, hash);
        r.hash = hash;
        err = mq_store_audit_insert(db, &r);
        memcpy(prev, hash, sizeof(prev));
    }
    if (db) err = mq_store_finish(db, err);
    mq_arena_free(arena);
    return err;
}

static void sleep_on(struct mq_audit *a, int ms)
{
    struct timespec until = mq_deadline_in(CLOCK_MONOTONIC, ms);
    pthread_cond_timedwait(&a->wake, &a->lock, &until);
}

static void *writer_main(void *arg)
{
    struct mq_audit *a = arg;
    pthread_mutex_lock(&a->lock);
    for (;;) {
        for (;;) {
            int64_t next = close_folds_locked(a, a->stopping);
            if (a->head || a->stopping) break;
            if (next < 0)
                pthread_cond_wait(&a->wake, &a->lock);
            else
                sleep_on(a, (int)(next < 60000 ? next + 1 : 60000));
        }
        if (!a->head && a->stopping) break;
        if (!a->stopping && a->queued < BATCH_MAX) sleep_on(a, GATHER_MS);
        /* Take up to BATCH_MAX entries off the queue. */
        struct pending *batch = a->head, *last = a->head;
        size_t n = 1;
        while (last->next && n < BATCH_MAX) {
            last = last->next;
            n++;
        }
        a->head = last->next;
        if (!a->head) a->tail = NULL;
        last->next = NULL;
        a->queued -= n;
        a->writing = true;
        pthread_mutex_unlock(&a->lock);

        mq_err err = append_batch(a, batch);

        pthread_mutex_lock(&a->lock);
        a->writing = false;
        if (err) {
            /* Back to the front, in order, and try again shortly. */
            last->next = a->head;
            a->head = batch;
            if (!a->tail) a->tail = last;
            a->queued += n;
            mq_log_warn(a->ctx->log, "audit", "cannot write %zu audit entries yet: %s", n,
                        mq_err_name(err));
            if (a->stopping) break;
            sleep_on(a, RETRY_MS);
            continue;
        }
        atomic_fetch_add(&a->written, n);
        while (batch) {
            struct pending *next = batch->next;
            free(batch);
            batch = next;
        }
        pthread_cond_broadcast(&a->idle);
    }
    pthread_cond_broadcast(&a->idle);
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

mq_err mq_audit_start(struct mq_ctx *ctx, struct mq_audit **out)
{
    struct mq_audit *a = calloc(1, sizeof(*a));
    if (!a) return MQ_ENOMEM;
    a->ctx = ctx;
    pthread_mutex_init(&a->lock, NULL);
    mq_cond_init_monotonic(&a->wake);
    mq_cond_init_monotonic(&a->idle);
    if (pthread_create(&a->thread, NULL, writer_main, a)) {
        pthread_cond_destroy(&a->wake);
        pthread_cond_destroy(&a->idle);
        pthread_mutex_destroy(&a->lock);
        free(a);
        return MQ_EINTERNAL;
    }
    *out = a;
    return MQ_OK;
}

mq_err mq_audit_flush(struct mq_audit *a, int timeout_ms)
{
    struct timespec until = mq_deadline_in(CLOCK_MONOTONIC, timeout_ms);
    pthread_mutex_lock(&a->lock);
    (void)close_folds_locked(a, false); /* those whose window has passed */
    pthread_cond_signal(&a->wake);
    while ((a->head || a->writing) && !a->stopping)
        if (pthread_cond_timedwait(&a->idle, &a->lock, &until)) break;
    bool done = !a->head && !a->writing;
    pthread_mutex_unlock(&a->lock);
    return done ? MQ_OK : MQ_ETIMEOUT;
}

void mq_audit_stop(struct mq_audit *a, int timeout_s)
{
    if (!a) return;
    /* Give the writer its retries first, then make it leave. */
    if (mq_audit_flush(a, timeout_s * 1000)) {
        pthread_mutex_lock(&a->lock);
        size_t lost = a->queued;
        pthread_mutex_unlock(&a->lock);
        mq_log_error(a->ctx->log, "audit", "%zu audit entries could not be written", lost);
    }
    pthread_mutex_lock(&a->lock);
    a->stopping = true;
    pthread_cond_signal(&a->wake);
    pthread_mutex_unlock(&a->lock);
    pthread_join(a->thread, NULL);
    while (a->head) {
        struct pending *next = a->head->next;
        free(a->head);
        a->head = next;
    }
    pthread_cond_destroy(&a->wake);
    pthread_cond_destroy(&a->idle);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

/* ---- verifying ---------------------------------------------------------------- */

mq_err mq_audit_list(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_audit_filter *f,
                     struct mq_audit_entry *out, size_t *n)
{
    struct mq_audit_row *rows =
        mq_arena_calloc(a, f->limit > 0 ? (size_t)f->limit : 1, sizeof(*rows));
    struct mq_db *db = NULL;
    if (!rows) return MQ_ENOMEM;
    /* The writer gathers bursts before it commits them, so a reader would
     * otherwise miss what this instance was asked to record a moment ago:
     * an admin who deletes a library and opens the log finds the deletion
     * there. Bounded; past it the list is what the database holds. */
    if (ctx->audit && mq_audit_flush(ctx->audit, LIST_FLUSH_MS))
        mq_log_warn(ctx->log, "audit", "entries still queued after %d ms are not in this list",
                    LIST_FLUSH_MS);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_finish(db, mq_store_audit_list(db, a, f, rows, n));
    for (size_t i = 0; !err && i < *n; i++) {
        const struct mq_audit_row *r = &rows[i];
        out[i] = (struct mq_audit_entry){r->seq,        r->id,         r->at,          r->action,
                                         r->actor_kind, r->actor_id,   r->target_type, r->target_id,
                                         r->ip,         r->user_agent, r->request_id,  r->details,
                                         r->prev_hash,  r->hash};
    }
    return err;
}

struct key_search {
    const char *kid;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    bool found;
};

static void match_key(void *arg, const char *kid, const char *public_key)
{
    struct key_search *s = arg;
    size_t len = 0;
    if (s->found || strcmp(kid, s->kid)) return;
    s->found = !sodium_base642bin(s->pk, sizeof(s->pk), public_key, strlen(public_key), NULL, &len,
                                  NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) &&
               len == sizeof(s->pk);
}

/* The newest checkpoint, if its signature holds; *start_seq is where the
 * chain must go on (0 = no checkpoint: from the first entry). */
static mq_err read_checkpoint(struct mq_store *store, struct mq_audit_verdict *out,
                              int64_t *start_seq, char prev[65])
{
    struct mq_audit_checkpoint c;
    struct mq_db *db = NULL;
    struct mq_arena *a = mq_arena_new(4096);
    char message[256];
    unsigned char sig[crypto_sign_BYTES];
    if (!a) return MQ_ENOMEM;
    mq_err err = mq_store_begin(store, MQ_DB_READ, &db);
    if (!err) err = mq_store_audit_checkpoint_latest(db, a, &c);
    struct key_search s = {.kid = err ? "" : c.kid};
    if (!err) err = mq_store_key_list(db, match_key, &s);
    err = mq_store_finish(db, err);
    if (err == MQ_ENOTFOUND) {
        mq_arena_free(a);
        return MQ_OK;
    }
    if (!err) {
        mq_audit_checkpoint_message(&c, message, sizeof(message));
        bool ok =
            s.found && strlen(c.signature) == 2 * sizeof(sig) &&
            !sodium_hex2bin(sig, sizeof(sig), c.signature, strlen(c.signature), NULL, NULL, NULL) &&
            !crypto_sign_verify_detached(sig, (const unsigned char *)message, strlen(message),
                                         s.pk) &&
            strlen(c.hash) == 64;
        if (ok) {
            *start_seq = c.seq;
            snprintf(prev, 65, "%s", c.hash);
            out->checkpoint_seq = c.seq;
        } else {
            out->broken_at = c.seq;
            snprintf(out->why, sizeof(out->why),
                     "the checkpoint after entry %lld is not signed by a known key",
                     (long long)c.seq);
        }
    }
    mq_arena_free(a);
    return err;
}

mq_err mq_audit_verify(struct mq_store *store, struct mq_audit_verdict *out)
{
    char prev[65] = GENESIS, hash[65];
    int64_t start = 0;
    mq_err err = MQ_OK;
    memset(out, 0, sizeof(*out));
    err = read_checkpoint(store, out, &start, prev);
    if (err || out->broken_at) return err;
    int64_t expect = start + 1;
    struct mq_audit_filter f = {.ascending = true, .limit = 1000, .cursor = start};
    for (;;) {
        struct mq_db *db = NULL;
        struct mq_arena *a = mq_arena_new(64 * 1024);
        struct mq_audit_row rows[1000];
        size_t n = 0;
        if (!a) return MQ_ENOMEM;
        err = mq_store_begin(store, MQ_DB_READ, &db);
        if (!err) err = mq_store_finish(db, mq_store_audit_list(db, a, &f, rows, &n));
        for (size_t i = 0; !err && i < n && !out->broken_at; i++) {
            const struct mq_audit_row *r = &rows[i];
            if (r->seq != expect)
                snprintf(out->why, sizeof(out->why), "entry %" PRId64 " is missing", expect);
            else if (strcmp(r->prev_hash, prev))
                snprintf(out->why, sizeof(out->why), "does not link to the entry before it");
            else {
                mq_audit_hash(r, hash);
                if (strcmp(hash, r->hash))
                    snprintf(out->why, sizeof(out->why), "its content does not match its hash");
            }
            if (out->why[0]) {
                out->broken_at = r->seq != expect ? expect : r->seq;
                break;
            }
            memcpy(prev, r->hash, sizeof(prev));
            expect++;
            out->entries++;
        }
        if (n) f.cursor = rows[n - 1].seq;
        mq_arena_free(a);
        if (err || out->broken_at || n < 1000) break;
    }
    return err;
}

mq_err mq_audit_render_metrics(struct mq_audit *a, struct mq_buf *out)
{
    pthread_mutex_lock(&a->lock);
    size_t queued = a->queued;
    pthread_mutex_unlock(&a->lock);
    return mq_buf_printf(out,
                         "# HELP marquee_audit_events_total Audit events by what became of them.\n"
                         "# TYPE marquee_audit_events_total counter\n"
                         "marquee_audit_events_total{result=\"recorded\"} %llu\n"
                         "marquee_audit_events_total{result=\"written\"} %llu\n"
                         "marquee_audit_events_total{result=\"dropped\"} %llu\n"
                         "marquee_audit_events_total{result=\"folded\"} %llu\n"
                         "# HELP marquee_audit_queued Audit events waiting to be written.\n"
                         "# TYPE marquee_audit_queued gauge\n"
                         "marquee_audit_queued %zu\n",
                         (unsigned long long)atomic_load(&a->recorded),
                         (unsigned long long)atomic_load(&a->written),
                         (unsigned long long)atomic_load(&a->dropped),
                         (unsigned long long)atomic_load(&a->folded), queued);
}
