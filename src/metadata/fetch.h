/* fetch.h - HTTP requests to metadata providers, and what guards them.
 *
 * Every request to a provider goes through mq_fetch, on a job worker
 * (never a connection thread), and meets in order:
 *
 *   - the response cache in the database (metadata_cache), by a key
 *     without credentials, for the kind's time to live;
 *   - the provider's circuit breaker: after metadata_breaker_failures
 *     failures in a row the provider is not called for
 *     metadata_breaker_cooldown, then one request tries it (half open);
 *     /readyz and /metrics say when it is open and why;
 *   - the provider's rate limiter, a token bucket shared by every thread of
 *     the process (TMDb: tmdb_rate_limit per tmdb_rate_window);
 *   - libcurl, with metadata_timeout, the optional metadata_proxy, http and
 *     https only, and no connection to a loopback, private or link-local
 *     address unless metadata_allow_private says so;
 *   - retries on 429, 5xx and network errors, with exponential backoff and
 *     full jitter, honouring Retry-After.
 *
 * The state (buckets, breakers, counters) is the process's: it lives in
 * struct mq_metadata, which the app context holds. */
#ifndef MQ_METADATA_FETCH_H
#define MQ_METADATA_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/ctx.h"

/* The picture servers (TMDb's CDN, Open Library's covers) are other hosts
 * than the APIs: a breaker and a bucket of their own, so that pictures
 * arriving never close the breaker of an API that fails. */
enum mq_provider_id {
    MQ_PROVIDER_TMDB,
    MQ_PROVIDER_OPENLIBRARY,
    MQ_PROVIDER_PICTURES,
    MQ_PROVIDER_COUNT
};

const char *mq_provider_name(enum mq_provider_id p);

struct mq_metadata;

MQ_MUST_CHECK mq_err mq_metadata_new(struct mq_metadata **out);
void mq_metadata_free(struct mq_metadata *m); /* accepts NULL */

struct mq_fetch {
    enum mq_provider_id provider;
    const char *url;       /* with its credentials, if they ride in the query */
    const char *cache_key; /* the request without credentials; NULL = not cached */
    int64_t ttl_ms;        /* how long a 200 (or 404) is kept; 0 = not cached */
    const char *bearer;    /* Authorization: Bearer ...; NULL = none */
    bool fresh;            /* ask again even when cached (a refresh) */
    bool follow;           /* follow up to 3 redirects (picture servers) */
    size_t max_bytes;      /* 0 = 8 MiB */
};

struct mq_fetched {
    long status;      /* 200, 404, 401 ... as the provider answered */
    const char *body; /* in the arena, NUL-terminated; len bytes */
    size_t len;
    bool cached;  /* from the cache: no request made */
    int requests; /* requests made (retries count) */
};

/* MQ_OK with whatever status the provider gave once it answered (a 404 is
 * an answer). MQ_EUNAVAILABLE (why) when the breaker is open or every try
 * failed (network, 429, 5xx); MQ_ETOOBIG past max_bytes; MQ_EPERM when
 * the address is refused. A 401 or 403 counts as a failure for the breaker
 * but is returned as an answer, so the caller can say the key is wrong. */
MQ_MUST_CHECK mq_err mq_fetch(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_fetch *f,
                              struct mq_fetched *out, char *why, size_t whylen);

/* A provider's breaker as /readyz shows it. */
struct mq_breaker_state {
    bool open;     /* not called until `until` */
    int failures;  /* in a row */
    int64_t until; /* Unix ms */
    char last_error[160];
};
void mq_metadata_breaker(struct mq_metadata *m, enum mq_provider_id p, int64_t now,
                         struct mq_breaker_state *out);

/* The providers' counters in Prometheus text. */
MQ_MUST_CHECK mq_err mq_metadata_render_metrics(struct mq_metadata *m, int64_t now,
                                                struct mq_buf *out);

/* Percent-encodes s for a query string, into the arena. */
char *mq_url_escape(struct mq_arena *a, const char *s);

#endif
