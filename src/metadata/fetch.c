#include "metadata/fetch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/libcurl.h"
#include "core/netlist.h"
#include "metadata/conf.h"
#include "store/metadata.h"

#define BODY_DEFAULT_MAX (8u << 20)
#define BACKOFF_BASE_MS  500
#define BACKOFF_MAX_MS   30000
#define RETRY_AFTER_MAX  60000 /* longer than this: the provider rests that long */

struct provider_state {
    double tokens;
    int64_t refilled_at;
    int failures;
    int64_t open_until;
    bool probing; /* half open: one request is trying */
    char last_error[160];
    uint64_t requests, errors, retries, cache_hits, throttled, opened;
};

struct mq_metadata {
    pthread_mutex_t mu;
    struct provider_state p[MQ_PROVIDER_COUNT];
    struct mq_netlist internal;
};

const char *mq_provider_name(enum mq_provider_id p)
{
    return p == MQ_PROVIDER_TMDB          ? "tmdb"
           : p == MQ_PROVIDER_OPENLIBRARY ? "openlibrary"
           : p == MQ_PROVIDER_PICTURES    ? "pictures"
                                          : "?";
}

mq_err mq_metadata_new(struct mq_metadata **out)
{
    struct mq_metadata *m = calloc(1, sizeof(*m));
    if (!m) return MQ_ENOMEM;
    mq_netlist_internal(&m->internal);
    for (int i = 0; i < MQ_PROVIDER_COUNT; i++) m->p[i].tokens = -1; /* full at first use */
    pthread_mutex_init(&m->mu, NULL);
    *out = m;
    return MQ_OK;
}

void mq_metadata_free(struct mq_metadata *m)
{
    if (!m) return;
    pthread_mutex_destroy(&m->mu);
    free(m);
}

static void limits_of(const struct mq_metadata_conf *c, enum mq_provider_id p, double *limit,
                      double *window)
{
    /* Pictures at TMDb's pace: its CDN publishes no limit of its own. */
    bool ol = p == MQ_PROVIDER_OPENLIBRARY;
    *limit = ol ? c->openlibrary_rate_limit : c->tmdb_rate_limit;
    *window = (double)(ol ? c->openlibrary_rate_window : c->tmdb_rate_window);
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    while (ms > 0 && nanosleep(&ts, &ts) && errno == EINTR) {
    }
}

/* Takes a token, waiting for one. The bucket holds `limit` and refills
 * continuously, so a burst of `limit` is allowed, then the steady rate. */
static void take_token(struct mq_ctx *ctx, struct mq_metadata *m, enum mq_provider_id p)
{
    const struct mq_metadata_conf *c = mq_metadata_conf(ctx->cfg);
    double limit, window;
    limits_of(c, p, &limit, &window);
    for (;;) {
        int64_t now = mq_clock_now_ms(ctx->clock), wait;
        pthread_mutex_lock(&m->mu);
        struct provider_state *s = &m->p[p];
        if (s->tokens < 0) {
            s->tokens = limit;
            s->refilled_at = now;
        }
        s->tokens += (double)(now - s->refilled_at) * limit / window;
        if (s->tokens > limit) s->tokens = limit;
        s->refilled_at = now;
        if (s->tokens >= 1) {
            s->tokens -= 1;
            pthread_mutex_unlock(&m->mu);
            return;
        }
        wait = (int64_t)((1 - s->tokens) * window / limit) + 1;
        s->throttled++;
        pthread_mutex_unlock(&m->mu);
        sleep_ms(wait);
    }
}

/* Whether the breaker lets a request through now; when it is open, why. */
static bool breaker_admits(struct mq_metadata *m, enum mq_provider_id p, int64_t now, char *why,
                           size_t whylen)
{
    pthread_mutex_lock(&m->mu);
    struct provider_state *s = &m->p[p];
    bool ok = true;
    if (s->open_until > now || (s->open_until && s->probing)) {
        ok = false;
        snprintf(why, whylen,
                 "%s is not being called until %lld s from now after %d failures "
                 "(last: %s)",
                 mq_provider_name(p),
                 (long long)((s->open_until > now ? s->open_until - now : 1000) + 999) / 1000,
                 s->failures, s->last_error);
    } else if (s->open_until) {
        s->probing = true; /* half open: this request decides */
    }
    pthread_mutex_unlock(&m->mu);
    return ok;
}

static void breaker_record(struct mq_ctx *ctx, struct mq_metadata *m, enum mq_provider_id p,
                           bool ok, const char *error, int64_t rest_ms)
{
    const struct mq_metadata_conf *c = mq_metadata_conf(ctx->cfg);
    int64_t now = mq_clock_now_ms(ctx->clock), rest = 0;
    bool opened = false;
    int failures = 0;
    pthread_mutex_lock(&m->mu);
    struct provider_state *s = &m->p[p];
    s->probing = false;
    if (ok) {
        s->failures = 0;
        s->open_until = 0;
    } else {
        failures = ++s->failures;
        s->errors++;
        snprintf(s->last_error, sizeof(s->last_error), "%s", error);
        rest = rest_ms > c->breaker_cooldown ? rest_ms : c->breaker_cooldown;
        if (s->failures >= c->breaker_failures || s->open_until || rest_ms > 0) {
            opened = s->open_until <= now;
            s->open_until = now + rest;
            s->opened += opened;
        }
    }
    pthread_mutex_unlock(&m->mu);
    if (opened)
        mq_log_warn(ctx->log, "metadata", "%s: not called for %lld s after %d failures: %s",
                    mq_provider_name(p), (long long)(rest / 1000), failures, error);
}

void mq_metadata_breaker(struct mq_metadata *m, enum mq_provider_id p, int64_t now,
                         struct mq_breaker_state *out)
{
    pthread_mutex_lock(&m->mu);
    const struct provider_state *s = &m->p[p];
    out->open = s->open_until > now;
    out->failures = s->failures;
    out->until = s->open_until;
    snprintf(out->last_error, sizeof(out->last_error), "%s", s->last_error);
    pthread_mutex_unlock(&m->mu);
}

mq_err mq_metadata_render_metrics(struct mq_metadata *m, int64_t now, struct mq_buf *out)
{
    static const char *const help[][2] = {
        {"mq_metadata_requests_total", "Requests sent to a metadata provider (retries count)."},
        {"mq_metadata_errors_total",
         "Requests to a provider that failed (network, 401, 429, 5xx)."},
        {"mq_metadata_retries_total", "Requests to a provider that were tries again."},
        {"mq_metadata_cache_hits_total", "Provider responses answered from the cache."},
        {"mq_metadata_throttled_total", "Times a request waited for the provider's rate limit."},
        {"mq_metadata_breaker_opened_total", "Times a provider's circuit breaker opened."},
        {"mq_metadata_breaker_open", "1 while a provider is not called after failures."},
    };
    struct provider_state copy[MQ_PROVIDER_COUNT];
    pthread_mutex_lock(&m->mu);
    memcpy(copy, m->p, sizeof(copy));
    pthread_mutex_unlock(&m->mu);
    mq_err err = MQ_OK;
    for (size_t h = 0; !err && h < sizeof(help) / sizeof(help[0]); h++) {
        bool gauge = h == 6;
        err = mq_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", help[h][0], help[h][1], help[h][0],
                            gauge ? "gauge" : "counter");
        for (int p = 0; !err && p < MQ_PROVIDER_COUNT; p++) {
            const struct provider_state *s = &copy[p];
            uint64_t v = h == 0   ? s->requests
                         : h == 1 ? s->errors
                         : h == 2 ? s->retries
                         : h == 3 ? s->cache_hits
                         : h == 4 ? s->throttled
                         : h == 5 ? s->opened
                                  : (uint64_t)(s->open_until > now);
            err = mq_buf_printf(out, "%s{provider=\"%s\"} %llu\n", help[h][0],
                                mq_provider_name((enum mq_provider_id)p), (unsigned long long)v);
        }
    }
    return err;
}

/* One of the counters of m->p[], under the lock. */
static void count(struct mq_metadata *m, uint64_t *counter)
{
    pthread_mutex_lock(&m->mu);
    (*counter)++;
    pthread_mutex_unlock(&m->mu);
}

/* ---- one request ---------------------------------------------------------- */

struct response {
    struct mq_buf body;
    int64_t retry_after_ms; /* -1 = none */
    const struct mq_netlist *internal;
    bool allow_private;
    bool refused; /* the address was internal */
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct response *r = arg;
    return mq_buf_add(&r->body, p, size * n) ? 0 : size * n;
}

/* Retry-After: seconds, or an HTTP date. */
static int64_t retry_after(const char *v, size_t n, int64_t now_ms)
{
    char text[64];
    if (n >= sizeof(text)) return -1;
    memcpy(text, v, n);
    text[n] = 0;
    char *end;
    long secs = strtol(text, &end, 10);
    if (end != text && (*end == 0 || *end == '\r' || *end == '\n' || *end == ' '))
        return secs < 0 ? 0 : (int64_t)secs * 1000;
    struct tm tm = {0};
    if (!strptime(text, "%a, %d %b %Y %H:%M:%S GMT", &tm)) return -1;
    int64_t at = (int64_t)timegm(&tm) * 1000;
    return at > now_ms ? at - now_ms : 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct response *r = arg;
    size_t len = size * n;
    if (len > 12 && !strncasecmp(p, "retry-after:", 12)) {
        size_t k = 12;
        while (k < len && p[k] == ' ') k++;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        r->retry_after_ms =
            retry_after(p + k, len - k, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    }
    return len;
}

static bool internal_address(const struct mq_netlist *internal, const struct sockaddr *sa)
{
    struct mq_ip ip;
    return !mq_ip_of_sockaddr(sa, &ip) || mq_netlist_contains(internal, &ip);
}

/* Every connection libcurl opens passes here, after name resolution, so a
 * name that resolves to an internal address is caught as well as a
 * literal one, for the first request and for each redirect. */
static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct response *r = arg;
    (void)purpose;
    if (!r->allow_private && internal_address(r->internal, &addr->addr)) {
        r->refused = true;
        return CURL_SOCKET_BAD;
    }
    return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

struct attempt {
    long status;
    bool transport_failed;
    char error[CURL_ERROR_SIZE + 64];
};

static mq_err perform(struct mq_ctx *ctx, struct mq_metadata *m, const struct mq_fetch *f,
                      struct response *r, struct attempt *at)
{
    const struct mq_metadata_conf *c = mq_metadata_conf(ctx->cfg);
    char errbuf[CURL_ERROR_SIZE] = "";
    const struct mq_libcurl *lc = mq_libcurl_get(at->error, sizeof(at->error));
    if (!lc) return MQ_EUNAVAILABLE;
    CURL *curl = lc->easy_init();
    struct curl_slist *headers = NULL;
    if (!curl) return MQ_ENOMEM;
    char auth[1100];
    headers = lc->slist_append(headers, "Accept: application/json, image/*;q=0.9");
    if (f->bearer) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", f->bearer);
        struct curl_slist *h = lc->slist_append(headers, auth);
        if (h) headers = h;
    }
    lc->easy_setopt(curl, CURLOPT_URL, f->url);
    lc->easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    lc->easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    lc->easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    lc->easy_setopt(curl, CURLOPT_FOLLOWLOCATION, f->follow ? 1L : 0L);
    lc->easy_setopt(curl, CURLOPT_MAXREDIRS, 3L);
    lc->easy_setopt(curl, CURLOPT_TIMEOUT_MS, c->metadata_timeout);
    lc->easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                    c->metadata_timeout < 10000 ? c->metadata_timeout : 10000L);
    lc->easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    lc->easy_setopt(curl, CURLOPT_USERAGENT, "Marquee/" MQ_VERSION);
    lc->easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    lc->easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    lc->easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    lc->easy_setopt(curl, CURLOPT_WRITEDATA, r);
    lc->easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    lc->easy_setopt(curl, CURLOPT_HEADERDATA, r);
    lc->easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    lc->easy_setopt(curl, CURLOPT_OPENSOCKETDATA, r);
    if (c->metadata_proxy && *c->metadata_proxy)
        lc->easy_setopt(curl, CURLOPT_PROXY, c->metadata_proxy);
    else
        lc->easy_setopt(curl, CURLOPT_PROXY, ""); /* not the environment's */
    count(m, &m->p[f->provider].requests);
    CURLcode rc = lc->easy_perform(curl);
    long code = 0;
    lc->easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    lc->easy_cleanup(curl);
    lc->slist_free_all(headers);
    at->status = code;
    at->transport_failed = rc != CURLE_OK;
    if (r->refused) {
        snprintf(at->error, sizeof(at->error),
                 "refused to connect to an internal address (metadata_allow_private is off)");
        return MQ_EPERM;
    }
    if (rc == CURLE_WRITE_ERROR) {
        snprintf(at->error, sizeof(at->error), "the response is larger than %zu bytes",
                 r->body.cap);
        return MQ_ETOOBIG;
    }
    if (rc != CURLE_OK)
        snprintf(at->error, sizeof(at->error), "%s", errbuf[0] ? errbuf : lc->easy_strerror(rc));
    else if (code == 429 || code >= 500)
        snprintf(at->error, sizeof(at->error), "HTTP %ld", code);
    return MQ_OK;
}

static int64_t backoff(struct mq_ctx *ctx, int attempt)
{
    int64_t cap = (int64_t)BACKOFF_BASE_MS << (attempt < 6 ? attempt : 6);
    if (cap > BACKOFF_MAX_MS) cap = BACKOFF_MAX_MS;
    uint32_t r;
    mq_rng_fill(ctx->rng, &r, sizeof(r));
    return cap / 2 + (int64_t)(r % (uint32_t)(cap / 2 + 1)); /* half fixed, half jitter */
}

static mq_err cache_get(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_fetch *f,
                        struct mq_fetched *out)
{
    struct mq_db *db = NULL;
    struct mq_md_cache_row row;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_md_cache_get(db, a, f->cache_key, mq_clock_now_ms(ctx->clock), &row);
    mq_store_rollback(db);
    if (err) return err;
    out->status = row.status;
    out->body = row.body;
    out->len = strlen(row.body);
    out->cached = true;
    return MQ_OK;
}

static void cache_put(struct mq_ctx *ctx, const struct mq_fetch *f, const struct mq_fetched *r)
{
    struct mq_db *db = NULL;
    int64_t now = mq_clock_now_ms(ctx->clock);
    /* A 404 is kept a day at most: the title may appear. */
    int64_t ttl = r->status == 404 && f->ttl_ms > 86400000 ? 86400000 : f->ttl_ms;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err)
        err = mq_store_md_cache_put(db, f->cache_key, mq_provider_name(f->provider), r->status,
                                    r->body, now, now + ttl);
    err = mq_store_finish(db, err);
    if (err) mq_log_warn(ctx->log, "metadata", "cannot cache a response: %s", mq_err_name(err));
}

mq_err mq_fetch(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_fetch *f,
                struct mq_fetched *out, char *why, size_t whylen)
{
    struct mq_metadata *m = ctx->metadata;
    const struct mq_metadata_conf *c = mq_metadata_conf(ctx->cfg);
    memset(out, 0, sizeof(*out));
    why[0] = 0;
    if (!m) return MQ_EUNAVAILABLE;
    bool cacheable = f->cache_key && f->ttl_ms > 0;
    if (cacheable && !f->fresh) {
        mq_err err = cache_get(ctx, a, f, out);
        if (!err) {
            count(m, &m->p[f->provider].cache_hits);
            return MQ_OK;
        }
        if (err != MQ_ENOTFOUND) return err;
    }
    mq_err err = MQ_OK;
    for (int attempt = 0;; attempt++) {
        if (!breaker_admits(m, f->provider, mq_clock_now_ms(ctx->clock), why, whylen))
            return MQ_EUNAVAILABLE;
        take_token(ctx, m, f->provider);
        struct response r = {
            .retry_after_ms = -1, .internal = &m->internal, .allow_private = c->allow_private};
        struct attempt at = {0};
        mq_buf_init(&r.body, f->max_bytes ? f->max_bytes : BODY_DEFAULT_MAX);
        err = perform(ctx, m, f, &r, &at);
        out->requests++;
        bool retryable = !err && (at.transport_failed || at.status == 429 || at.status >= 500);
        bool auth = !err && (at.status == 401 || at.status == 403);
        if (err == MQ_EPERM || err == MQ_ETOOBIG) {
            /* The request itself is wrong, not the provider. */
            snprintf(why, whylen, "%s", at.error);
            mq_buf_cleanup(&r.body);
            return err;
        }
        if (!err && !retryable) {
            breaker_record(ctx, m, f->provider, !auth, auth ? "the API key was refused" : "", 0);
            out->status = at.status;
            out->len = r.body.len;
            out->body =
                r.body.len ? mq_arena_strndup(a, r.body.data, r.body.len) : mq_arena_strdup(a, "");
            mq_buf_cleanup(&r.body);
            if (!out->body) return MQ_ENOMEM;
            if (cacheable && (at.status == 200 || at.status == 404)) cache_put(ctx, f, out);
            return MQ_OK;
        }
        mq_buf_cleanup(&r.body);
        if (err) {
            snprintf(why, whylen, "%s: %s", mq_provider_name(f->provider), at.error);
            breaker_record(ctx, m, f->provider, false, at.error, 0);
            return err;
        }
        /* 429, 5xx or the network: wait and try again, unless the provider
         * asks for longer than we would wait, or the tries are spent. */
        int64_t rest = r.retry_after_ms > RETRY_AFTER_MAX ? r.retry_after_ms : 0;
        bool last = attempt >= c->metadata_retries || rest > 0;
        breaker_record(ctx, m, f->provider, false, at.error, last ? rest : 0);
        if (last) {
            snprintf(why, whylen, "%s: %s after %d tries", mq_provider_name(f->provider), at.error,
                     attempt + 1);
            return MQ_EUNAVAILABLE;
        }
        count(m, &m->p[f->provider].retries);
        int64_t wait = r.retry_after_ms >= 0 ? r.retry_after_ms : backoff(ctx, attempt);
        /* A minute's Retry-After must not hold up a shutdown: waited in
         * slices, given up when the server drains (the job comes back). */
        for (; wait > 0 && !atomic_load(&ctx->draining); wait -= 100)
            sleep_ms(wait < 100 ? wait : 100);
        if (atomic_load(&ctx->draining)) {
            snprintf(why, whylen, "%s: the server is shutting down", mq_provider_name(f->provider));
            return MQ_EUNAVAILABLE;
        }
    }
}

char *mq_url_escape(struct mq_arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = mq_arena_alloc(a, n * 3 + 1), *o = out;
    if (!out) return NULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = 0;
    return out;
}
