/* ctx.h - the application context handed to services and handlers.
 *
 * It is the only home of process-wide mutable state: everything a service
 * needs (configuration, store, clock, randomness, logger) is reached through
 * it, so tests can build one around a temporary database and a fake clock. */
#ifndef MQ_CTX_H
#define MQ_CTX_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/rand.h"

struct mq_store;
struct mq_jobs;
struct mq_ratelimiter;
struct mq_audit;
struct mq_pool;
struct mq_keyset;
struct mq_keyring;
struct mq_token_cache;
struct mq_secrets;
struct mq_authz_cache;
struct mq_settings;
struct mq_events;
struct mq_prober;
struct mq_watch;
struct mq_metadata;
struct mq_search;

struct mq_ctx {
    /* The configuration in force: replaced whole, never changed in place, when
     * an admin changes a setting (src/system/settings.h). Read it where it is
     * used; a pointer kept across requests may be an old one. */
    const struct mq_config *_Atomic cfg;
    const struct mq_log *log;
    struct mq_store *store;
    const struct mq_clock *clock;
    const struct mq_rng *rng;
    struct mq_jobs *jobs;               /* the job runner, when this process runs jobs; else NULL */
    struct mq_ratelimiter *ratelimiter; /* NULL = no rate limits */
    struct mq_audit *audit;             /* NULL = events are not recorded */
    struct mq_pool *cpu_pool;           /* slow CPU work off the connection threads */
    struct mq_pool *image_pool;         /* decoding images: threads of their own, so that
                                           uploads never hold up password hashing */
    struct mq_keyset *uploads;          /* members with an upload being decoded */
    struct mq_keyring *keyring;         /* token-signing keys, once the schema is current */
    struct mq_token_cache *token_cache; /* access tokens already verified; NULL = none */
    struct mq_secrets *secrets;         /* the master keys that seal secrets at rest */
    struct mq_authz_cache *authz_cache; /* users' effective permissions; NULL = none */
    struct mq_settings *settings;       /* makes ctx->cfg from the stored settings; NULL = the
                                           config as loaded (CLI commands, tests) */
    struct mq_events *events;           /* domain events (core/events.h); NULL = none told */
    struct mq_prober *prober;           /* media probe helpers (media/probe.h); NULL = none */
    struct mq_metadata *metadata;       /* providers' limiters and breakers (metadata/fetch.h) */
    struct mq_pool *net_pool;           /* provider searches a person waits for (the picker):
                                           threads of their own, off the connection threads */
    /* Libraries watched for changes (media/watch.h), or NULL. Set once the
     * jobs run, after the server listens, so request threads load it. */
    struct mq_watch *_Atomic watch;
    /* The search indexer and query statistics (search/search.h), or NULL;
     * set with the watcher, for the same reason. */
    struct mq_search *_Atomic search;

    int64_t boot_ms;     /* when the process started, Unix ms */
    atomic_int started;  /* start-up finished: schema migrated, services ready */
    atomic_int draining; /* SIGTERM received: finishing in-flight work */
};

#endif
