#include "jobs/runner.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/deadline.h"
#include "core/events.h"
#include "core/uuid.h"
#include "jobs/schedule.h"
#include "jobs/conf.h"

#define MAX_KINDS     64
#define MAX_QUEUES    16
#define MAX_SCHEDULES 32

static const double bucket_bounds[] = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300};
#define NBUCKETS (sizeof(bucket_bounds) / sizeof(bucket_bounds[0]))

struct kind_stats {
    atomic_uint_fast64_t ok, failed;
    atomic_uint_fast64_t bucket[NBUCKETS + 1];
    atomic_uint_fast64_t sum_ns;
};

struct kind {
    char name[65];
    mq_job_handler handler;
    struct kind_stats stats;
};

struct worker {
    struct mq_jobs *jobs;
    struct queue *queue;
    pthread_t thread;
    bool started;
    atomic_int_fast64_t busy_since; /* Unix ms the current job started, 0 when idle */
    atomic_bool gone;               /* the thread returned while the runner was running */
};

struct queue {
    char name[33];
    int nworkers;
    struct worker *workers;
};

struct schedule {
    char name[65];
    char spec[64];
    struct mq_schedule parsed;
    char kind[65];
    char queue[33];
    char *payload;
};

struct mq_jobs {
    struct mq_ctx *ctx;
    char owner[37];
    struct kind kinds[MAX_KINDS];
    int nkinds;
    struct kind_stats unknown; /* jobs of kinds nobody registered */
    struct queue queues[MAX_QUEUES];
    int nqueues;
    struct schedule schedules[MAX_SCHEDULES];
    int nschedules;

    pthread_mutex_t lock;
    pthread_cond_t wake;     /* workers wait here */
    pthread_cond_t maintain; /* the maintenance thread waits here */
    unsigned wake_seq;
    bool stopping;
    bool running;
    pthread_t maintenance;
    int busy; /* handlers running now */
    atomic_uint_fast64_t rescued;
};

/* ---- time helpers ------------------------------------------------------- */

static int64_t now_ms(struct mq_jobs *j)
{
    return mq_clock_now_ms(j->ctx->clock);
}

/* ---- set-up ------------------------------------------------------------- */

static mq_err parse_queues(struct mq_jobs *j, const char *spec)
{
    const char *p = spec;
    while (*p && j->nqueues < MAX_QUEUES) {
        struct queue *q = &j->queues[j->nqueues];
        size_t n = strcspn(p, ":");
        if (n == 0 || n >= sizeof(q->name)) return MQ_EINVAL;
        memcpy(q->name, p, n);
        q->name[n] = '\0';
        p += n + 1;
        char *end;
        q->nworkers = (int)strtol(p, &end, 10);
        p = *end == ',' ? end + 1 : end;
        if (q->nworkers < 0) return MQ_EINVAL;
        q->workers = calloc((size_t)q->nworkers + 1, sizeof(*q->workers));
        if (!q->workers) return MQ_ENOMEM;
        j->nqueues++;
    }
    return MQ_OK;
}

static void wake(struct mq_jobs *j)
{
    pthread_mutex_lock(&j->lock);
    j->wake_seq++;
    pthread_cond_broadcast(&j->wake);
    pthread_mutex_unlock(&j->lock);
}

static void job_event(const struct mq_event *e, void *arg)
{
    (void)e;
    wake(arg);
}

mq_err mq_jobs_new(struct mq_ctx *ctx, struct mq_jobs **out)
{
    struct mq_jobs *j = calloc(1, sizeof(*j));
    if (!j) return MQ_ENOMEM;
    j->ctx = ctx;
    mq_uuid7_new(ctx->clock, ctx->rng, j->owner);
    pthread_mutex_init(&j->lock, NULL);
    mq_cond_init_monotonic(&j->wake);
    mq_cond_init_monotonic(&j->maintain);
    mq_err err = parse_queues(j, mq_jobs_conf(ctx->cfg)->queues);
    /* Idle workers wake when a job is enqueued or made runnable again
     * (jobs/queue.h publishes both); without a bus they find new jobs
     * within jobs_poll_interval. */
    if (!err && ctx->events) err = mq_events_subscribe(ctx->events, "job.*", job_event, j);
    if (err) {
        mq_jobs_free(j);
        return err;
    }
    *out = j;
    return MQ_OK;
}

void mq_jobs_free(struct mq_jobs *j)
{
    if (!j) return;
    mq_events_unsubscribe(j->ctx->events, job_event, j);
    for (int i = 0; i < j->nqueues; i++) free(j->queues[i].workers);
    for (int i = 0; i < j->nschedules; i++) free(j->schedules[i].payload);
    pthread_cond_destroy(&j->wake);
    pthread_cond_destroy(&j->maintain);
    pthread_mutex_destroy(&j->lock);
    free(j);
}

mq_err mq_jobs_register(struct mq_jobs *j, const char *kind, mq_job_handler handler)
{
    if (j->running || !mq_job_name_valid(kind, 64)) return MQ_EINVAL;
    if (j->nkinds == MAX_KINDS) return MQ_ETOOBIG;
    for (int i = 0; i < j->nkinds; i++)
        if (!strcmp(j->kinds[i].name, kind)) return MQ_ECONFLICT;
    snprintf(j->kinds[j->nkinds].name, sizeof(j->kinds[0].name), "%s", kind);
    j->kinds[j->nkinds].handler = handler;
    j->nkinds++;
    return MQ_OK;
}

mq_err mq_jobs_schedule(struct mq_jobs *j, const char *name, const char *spec,
                        const struct mq_job_spec *job)
{
    if (j->running || j->nschedules == MAX_SCHEDULES) return MQ_EINVAL;
    struct schedule *s = &j->schedules[j->nschedules];
    const char *queue = job->queue ? job->queue : MQ_JOB_DEFAULT_QUEUE;
    if (!mq_job_name_valid(name, 64) || !mq_job_name_valid(job->kind, 64) ||
        !mq_job_name_valid(queue, 32) || strlen(spec) >= sizeof(s->spec) ||
        mq_schedule_parse(spec, &s->parsed))
        return MQ_EINVAL;
    snprintf(s->name, sizeof(s->name), "%s", name);
    snprintf(s->spec, sizeof(s->spec), "%s", spec);
    snprintf(s->kind, sizeof(s->kind), "%s", job->kind);
    snprintf(s->queue, sizeof(s->queue), "%s", queue);
    s->payload = strdup(job->payload ? job->payload : "{}");
    if (!s->payload) return MQ_ENOMEM;
    j->nschedules++;
    return MQ_OK;
}

const char *mq_jobs_owner(const struct mq_jobs *j)
{
    return j->owner;
}

/* Sleeps until woken, told to stop, or `ms` pass. */
static void idle_wait(struct mq_jobs *j, pthread_cond_t *cond, int64_t ms)
{
    struct timespec until = mq_deadline_in(CLOCK_MONOTONIC, ms);
    pthread_mutex_lock(&j->lock);
    unsigned seq = j->wake_seq;
    while (!j->stopping && seq == j->wake_seq) {
        if (pthread_cond_timedwait(cond, &j->lock, &until)) break;
    }
    pthread_mutex_unlock(&j->lock);
}

static bool stopping(struct mq_jobs *j)
{
    pthread_mutex_lock(&j->lock);
    bool s = j->stopping;
    pthread_mutex_unlock(&j->lock);
    return s;
}

/* ---- running one job ------------------------------------------------------ */

struct outcome {
    bool ok;
    bool permanent; /* no point retrying */
    char error[512];
    char done_payload[512]; /* "" = keep the payload */
};

static struct kind *find_kind(struct mq_jobs *j, const char *name)
{
    for (int i = 0; i < j->nkinds; i++)
        if (!strcmp(j->kinds[i].name, name)) return &j->kinds[i];
    return NULL;
}

static void observe(struct kind_stats *st, bool ok, uint64_t ns)
{
    size_t b = 0;
    while (b < NBUCKETS && (double)ns / 1e9 > bucket_bounds[b]) b++;
    atomic_fetch_add_explicit(&st->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&st->sum_ns, ns, memory_order_relaxed);
    atomic_fetch_add_explicit(ok ? &st->ok : &st->failed, 1, memory_order_relaxed);
}

static void run_job(struct worker *w, const struct mq_job *job, struct outcome *o)
{
    struct mq_jobs *j = w->jobs;
    struct kind *k = find_kind(j, job->kind);
    memset(o, 0, sizeof(*o));
    if (!k) {
        /* Another instance (a newer version) may know the kind: retry. */
        snprintf(o->error, sizeof(o->error),
                 "unknown job kind \"%s\": no handler is registered for it in this marquee",
                 job->kind);
        observe(&j->unknown, false, 0);
        return;
    }
    json_error_t jerr;
    json_t *payload = json_loads(job->payload, JSON_REJECT_DUPLICATES, &jerr);
    if (!payload || !json_is_object(payload)) {
        o->permanent = true;
        if (payload)
            snprintf(o->error, sizeof(o->error), "payload is not a JSON object");
        else
            snprintf(o->error, sizeof(o->error),
                     "payload is not valid JSON (line %d, column %d: %s)", jerr.line, jerr.column,
                     jerr.text);
        json_decref(payload);
        observe(&k->stats, false, 0);
        return;
    }
    struct mq_arena *arena = mq_arena_new(4096);
    if (!arena) {
        json_decref(payload);
        snprintf(o->error, sizeof(o->error), "out of memory");
        return;
    }
    struct mq_job_run run = {.ctx = j->ctx, .job = job, .payload = payload, .arena = arena};
    atomic_store(&w->busy_since, now_ms(j));
    uint64_t t0 = mq_monotonic_ns();
    mq_err err = k->handler(&run);
    uint64_t ns = mq_monotonic_ns() - t0;
    atomic_store(&w->busy_since, 0);
    observe(&k->stats, err == MQ_OK, ns);
    if (err) {
        o->permanent = err == MQ_EINVAL || err == MQ_EPARSE;
        snprintf(o->error, sizeof(o->error), "%s", run.error[0] ? run.error : mq_err_name(err));
    }
    o->ok = err == MQ_OK;
    if (o->ok) memcpy(o->done_payload, run.done_payload, sizeof(o->done_payload));
    mq_arena_free(arena);
    json_decref(payload);
}

/* base * 2^(attempt-1), capped, then "equal jitter": half fixed, half random,
 * so that jobs failing together do not come back together. */
static int64_t backoff_ms(struct mq_jobs *j, int attempt)
{
    const struct mq_config *cfg = j->ctx->cfg;
    int64_t delay = mq_jobs_conf(cfg)->backoff_base;
    for (int i = 1; i < attempt && delay < mq_jobs_conf(cfg)->backoff_max; i++) delay *= 2;
    if (delay > mq_jobs_conf(cfg)->backoff_max) delay = mq_jobs_conf(cfg)->backoff_max;
    uint32_t r;
    mq_rng_fill(j->ctx->rng, &r, sizeof(r));
    return delay / 2 + (int64_t)(r % (uint64_t)(delay / 2 + 1));
}

/* Records how the job ended and, unless stopping, claims the next one in the
 * same transaction: one commit per job. */
static mq_err finish_and_claim(struct worker *w, struct mq_arena *a, const struct mq_job *done,
                               const struct outcome *o, struct mq_job *next, size_t *nnext)
{
    struct mq_jobs *j = w->jobs;
    struct mq_db *db = NULL;
    bool held = true;
    int64_t now = now_ms(j);
    *nnext = 0;
    mq_err err = mq_store_begin(j->ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    if (done) {
        if (o->ok) {
            err = mq_store_job_succeed(db, done->id, j->owner, now,
                                       o->done_payload[0] ? o->done_payload : NULL, &held);
        } else {
            bool last = o->permanent || done->attempt >= done->max_attempts;
            err =
                mq_store_job_fail(db, done->id, j->owner, now, last ? "discarded" : "retryable",
                                  last ? now : now + backoff_ms(j, done->attempt), o->error, &held);
        }
        if (!err && !held)
            mq_log_warn(j->ctx->log, "jobs",
                        "job %s (%s) finished after its lease ran out; another attempt owns it",
                        done->id, done->kind);
    }
    struct mq_job_row claimed;
    if (!err && !stopping(j))
        err = mq_store_job_claim(db, a, w->queue->name, j->owner, now,
                                 now + mq_jobs_conf(j->ctx->cfg)->lease, 1, &claimed, nnext);
    if (!err && *nnext) mq_job_of_row(&claimed, next);
    return mq_store_finish(db, err);
}

static void log_outcome(struct mq_jobs *j, const struct mq_job *job, const struct outcome *o)
{
    struct mq_log_line l;
    enum mq_log_level level = o->ok ? MQ_LOG_DEBUG : MQ_LOG_WARN;
    if (!mq_log_begin(&l, j->ctx->log, level, "jobs", o->ok ? "job completed" : "job failed"))
        return;
    mq_log_str(&l, "job_id", job->id);
    mq_log_str(&l, "kind", job->kind);
    mq_log_str(&l, "queue", job->queue);
    mq_log_int(&l, "attempt", job->attempt);
    mq_log_int(&l, "max_attempts", job->max_attempts);
    if (!o->ok) mq_log_str(&l, "error", o->error);
    mq_log_end(&l);
}

/* Background work yields the processor to requests: a worker runs at
 * this niceness (Linux gives each thread its own), so a monitor run over
 * a thousand members or a scan slows the API only where it waits on the
 * same rows, not for a processor. Helper processes a worker starts
 * (probes) inherit it. */
#define WORKER_NICE 10

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct mq_jobs *j = w->jobs;
    struct mq_job job;
    struct outcome o;
    bool have = false;
    struct mq_arena *cur = NULL; /* holds `job`'s strings until its outcome is stored */

    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WORKER_NICE))
        mq_log_debug(j->ctx->log, "jobs", "worker niceness not set: %s", strerror(errno));

    while (!stopping(j)) {
        struct mq_arena *a = mq_arena_new(4096);
        if (!a) {
            idle_wait(j, &j->wake, mq_jobs_conf(j->ctx->cfg)->poll_interval);
            continue;
        }
        struct mq_job next;
        size_t n = 0;
        mq_err err = finish_and_claim(w, a, have ? &job : NULL, &o, &next, &n);
        if (err) {
            /* Nothing was recorded (the database is away, or no connection
             * came free in time). Keep the outcome and record it on the next
             * turn: dropping it would leave the job running for as long as
             * this process lives, since the heartbeat renews every lease
             * this owner holds. */
            mq_log_warn(j->ctx->log, "jobs", "queue %s: %s", w->queue->name, mq_err_name(err));
            mq_arena_free(a);
            idle_wait(j, &j->wake, mq_jobs_conf(j->ctx->cfg)->poll_interval);
            continue;
        }
        mq_arena_free(cur);
        cur = a;
        have = n == 1;
        if (!have) {
            idle_wait(j, &j->wake, mq_jobs_conf(j->ctx->cfg)->poll_interval);
            continue;
        }
        job = next;
        pthread_mutex_lock(&j->lock);
        j->busy++;
        pthread_mutex_unlock(&j->lock);
        run_job(w, &job, &o);
        log_outcome(j, &job, &o);
        pthread_mutex_lock(&j->lock);
        if (--j->busy == 0) pthread_cond_broadcast(&j->maintain);
        pthread_mutex_unlock(&j->lock);
    }
    if (have) {
        struct mq_job ignored;
        size_t n;
        if (finish_and_claim(w, cur, &job, &o, &ignored, &n))
            mq_log_warn(j->ctx->log, "jobs", "could not record job %s; it will run again", job.id);
    }
    mq_arena_free(cur);
    return NULL;
}

/* ---- maintenance: leases and schedules ------------------------------------ */

static void heartbeat(struct mq_jobs *j)
{
    struct mq_db *db = NULL;
    int64_t n = 0;
    if (mq_store_begin(j->ctx->store, MQ_DB_WRITE, &db)) return;
    mq_err err =
        mq_store_job_heartbeat(db, j->owner, now_ms(j) + mq_jobs_conf(j->ctx->cfg)->lease, &n);
    if (mq_store_finish(db, err)) mq_log_warn(j->ctx->log, "jobs", "lease heartbeat failed");
}

static void rescue(struct mq_jobs *j)
{
    struct mq_db *db = NULL;
    int64_t n = 0;
    if (mq_store_begin(j->ctx->store, MQ_DB_WRITE, &db)) return;
    mq_err err = mq_store_job_rescue(db, now_ms(j), &n);
    if (mq_store_finish(db, err) || n == 0) return;
    atomic_fetch_add(&j->rescued, (uint64_t)n);
    mq_log_warn(j->ctx->log, "jobs", "%lld jobs had expired leases and return to the queue",
                (long long)n);
    wake(j);
}

static struct schedule *find_schedule(struct mq_jobs *j, const char *name)
{
    for (int i = 0; i < j->nschedules; i++)
        if (!strcmp(j->schedules[i].name, name)) return &j->schedules[i];
    return NULL;
}

/* Fires due schedules. Moving next_run_at from the due time to the next one
 * is a compare-and-set, so of several instances exactly one fires each
 * period; the enqueue happens in the same transaction. Missed periods (the
 * server was down) fire once, not once each. Returns the next due time. */
static int64_t fire_schedules(struct mq_jobs *j)
{
    struct mq_db *db = NULL;
    struct mq_schedule_row due[16];
    size_t n = 0;
    int64_t now = now_ms(j), next = 0;
    /* A read first: the write transaction is only worth taking when
     * something is due. */
    mq_err err = mq_store_begin(j->ctx->store, MQ_DB_READ, &db);
    if (!err) err = mq_store_finish(db, mq_store_schedule_next(db, &next));
    if (err) return now + mq_jobs_conf(j->ctx->cfg)->poll_interval;
    if (!next || next > now) return next ? next : now + mq_jobs_conf(j->ctx->cfg)->poll_interval;
    db = NULL;
    struct mq_arena *a = mq_arena_new(2048);
    if (!a) return now + 1000;
    err = mq_store_begin(j->ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_schedule_due(db, a, now, due, 16, &n);
    for (size_t i = 0; i < n && !err; i++) {
        struct schedule *s = find_schedule(j, due[i].name);
        struct mq_schedule parsed;
        bool won = false;
        if (!s && mq_schedule_parse(due[i].spec, &parsed)) {
            /* Written by a newer version, or by hand: park it for a day rather
             * than find it due again at once, for ever. */
            mq_log_error(j->ctx->log, "jobs", "schedule %s has a spec this marquee cannot read: %s",
                         due[i].name, due[i].spec);
            err = mq_store_schedule_advance(db, due[i].name, due[i].next_run_at, now + 86400000,
                                            now, &won);
            continue;
        }
        err = mq_store_schedule_advance(db, due[i].name, due[i].next_run_at,
                                        mq_schedule_next(s ? &s->parsed : &parsed, now), now, &won);
        if (err || !won) continue;
        char key[96], id[37];
        snprintf(key, sizeof(key), "schedule:%s", due[i].name);
        struct mq_job_spec spec = {.kind = due[i].kind,
                                   .queue = due[i].queue,
                                   .payload = due[i].payload,
                                   .unique_key = key};
        err = mq_jobs_enqueue(j->ctx, db, &spec, id, NULL);
        if (err == MQ_EINVAL) {
            mq_log_error(j->ctx->log, "jobs", "schedule %s holds an invalid job", due[i].name);
            err = MQ_OK;
        }
    }
    if (!err) err = mq_store_schedule_next(db, &next);
    err = mq_store_finish(db, err);
    mq_arena_free(a);
    if (err) return now + mq_jobs_conf(j->ctx->cfg)->poll_interval;
    if (n == 16) return now; /* more are due */
    return next ? next : now + mq_jobs_conf(j->ctx->cfg)->poll_interval;
}

static mq_err store_schedules(struct mq_jobs *j)
{
    struct mq_db *db = NULL;
    int64_t now = now_ms(j);
    mq_err err = mq_store_begin(j->ctx->store, MQ_DB_WRITE, &db);
    for (int i = 0; i < j->nschedules && !err; i++) {
        struct schedule *s = &j->schedules[i];
        struct mq_schedule_row row = {s->name,    s->kind, s->queue,
                                      s->payload, s->spec, mq_schedule_next(&s->parsed, now)};
        err = mq_store_schedule_put(db, &row, now);
    }
    return db ? mq_store_finish(db, err) : err;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static void *maintenance_main(void *arg)
{
    struct mq_jobs *j = arg;
    const struct mq_config *cfg = j->ctx->cfg;
    int64_t next_heartbeat = 0, next_rescue = 0, next_schedule = 0;
    while (!stopping(j)) {
        int64_t now = now_ms(j);
        if (now >= next_heartbeat) {
            heartbeat(j);
            next_heartbeat = now + mq_jobs_conf(cfg)->lease / 3;
        }
        if (now >= next_rescue) {
            rescue(j);
            next_rescue = now + mq_jobs_conf(cfg)->poll_interval;
        }
        /* Schedules added elsewhere (another instance) are seen within a
         * poll interval. */
        if (now >= next_schedule)
            next_schedule = min64(fire_schedules(j), now + mq_jobs_conf(cfg)->poll_interval);
        int64_t wait = min64(min64(next_heartbeat, next_rescue), next_schedule) - now_ms(j);
        if (wait > 0) idle_wait(j, &j->maintain, wait);
    }
    return NULL;
}

/* ---- start and stop -------------------------------------------------------- */

mq_err mq_jobs_start(struct mq_jobs *j)
{
    mq_err err = store_schedules(j);
    if (err) return err;
    for (int i = 0; i < j->nschedules; i++) {
        bool served = false;
        for (int q = 0; q < j->nqueues; q++)
            served |=
                !strcmp(j->queues[q].name, j->schedules[i].queue) && j->queues[q].nworkers > 0;
        if (!served)
            mq_log_warn(
                j->ctx->log, "jobs",
                "schedule %s puts jobs on queue %s, which has no workers here (jobs_queues)",
                j->schedules[i].name, j->schedules[i].queue);
    }
    j->running = true;
    for (int q = 0; q < j->nqueues; q++) {
        struct queue *queue = &j->queues[q];
        for (int i = 0; i < queue->nworkers; i++) {
            struct worker *w = &queue->workers[i];
            w->jobs = j;
            w->queue = queue;
            if (pthread_create(&w->thread, NULL, worker_main, w)) {
                mq_jobs_stop(j, 0);
                return MQ_EINTERNAL;
            }
            w->started = true;
        }
    }
    if (pthread_create(&j->maintenance, NULL, maintenance_main, j)) {
        mq_jobs_stop(j, 0);
        return MQ_EINTERNAL;
    }
    mq_log_info(j->ctx->log, "jobs", "job runner %s started: queues %s, %d kinds, %d schedules",
                j->owner, mq_jobs_conf(j->ctx->cfg)->queues, j->nkinds, j->nschedules);
    return MQ_OK;
}

int mq_jobs_stop(struct mq_jobs *j, int timeout_s)
{
    if (!j || !j->running) return 0;
    struct timespec until = mq_deadline_in(CLOCK_MONOTONIC, (int64_t)timeout_s * 1000);
    pthread_mutex_lock(&j->lock);
    j->stopping = true;
    pthread_cond_broadcast(&j->wake);
    pthread_cond_broadcast(&j->maintain);
    while (j->busy > 0)
        if (pthread_cond_timedwait(&j->maintain, &j->lock, &until)) break;
    int left = j->busy;
    pthread_mutex_unlock(&j->lock);
    if (left) return left; /* threads still in handlers are left to the exit */
    for (int q = 0; q < j->nqueues; q++)
        for (int i = 0; i < j->queues[q].nworkers; i++)
            if (j->queues[q].workers[i].started) pthread_join(j->queues[q].workers[i].thread, NULL);
    pthread_join(j->maintenance, NULL);
    j->running = false;
    return 0;
}

/* ---- health and metrics ----------------------------------------------------- */

bool mq_jobs_healthy(struct mq_jobs *j, char *why, size_t whylen)
{
    int64_t now = now_ms(j);
    for (int q = 0; q < j->nqueues; q++) {
        for (int i = 0; i < j->queues[q].nworkers; i++) {
            int64_t since = atomic_load(&j->queues[q].workers[i].busy_since);
            if (since && now - since > mq_jobs_conf(j->ctx->cfg)->stuck_after) {
                snprintf(why, whylen, "a worker of queue %s has been on one job for %lld s",
                         j->queues[q].name, (long long)((now - since) / 1000));
                return false;
            }
        }
    }
    return true;
}

struct count_ctx {
    struct mq_buf *out;
    mq_err err;
};

static void emit_count(void *arg, const char *queue, const char *state, int64_t count)
{
    struct count_ctx *c = arg;
    if (!c->err)
        c->err = mq_buf_printf(c->out, "marquee_jobs{queue=\"%s\",state=\"%s\"} %lld\n", queue,
                               state, (long long)count);
}

static mq_err render_kind(struct mq_buf *out, const char *name, const struct kind_stats *st)
{
    uint64_t cum = 0;
    mq_err err = MQ_OK;
    for (size_t b = 0; b <= NBUCKETS && !err; b++) {
        cum += atomic_load_explicit(&st->bucket[b], memory_order_relaxed);
        if (b < NBUCKETS)
            err = mq_buf_printf(out,
                                "marquee_job_duration_seconds_bucket{kind=\"%s\",le=\"%g\"} %llu\n",
                                name, bucket_bounds[b], (unsigned long long)cum);
        else
            err = mq_buf_printf(
                out, "marquee_job_duration_seconds_bucket{kind=\"%s\",le=\"+Inf\"} %llu\n", name,
                (unsigned long long)cum);
    }
    if (err) return err;
    return mq_buf_printf(out,
                         "marquee_job_duration_seconds_sum{kind=\"%s\"} %.6f\n"
                         "marquee_job_duration_seconds_count{kind=\"%s\"} %llu\n"
                         "marquee_job_runs_total{kind=\"%s\",result=\"ok\"} %llu\n"
                         "marquee_job_runs_total{kind=\"%s\",result=\"failed\"} %llu\n"
                         "marquee_job_failures_total{kind=\"%s\"} %llu\n",
                         name, (double)atomic_load(&st->sum_ns) / 1e9, name,
                         (unsigned long long)cum, name, (unsigned long long)atomic_load(&st->ok),
                         name, (unsigned long long)atomic_load(&st->failed), name,
                         (unsigned long long)atomic_load(&st->failed));
}

mq_err mq_jobs_render_metrics(struct mq_jobs *j, struct mq_buf *out)
{
    struct mq_db *db = NULL;
    mq_err err = mq_buf_adds(out, "# HELP marquee_jobs Jobs in the queue by queue and state.\n"
                                  "# TYPE marquee_jobs gauge\n");
    if (!err && !mq_store_begin(j->ctx->store, MQ_DB_READ, &db)) {
        struct count_ctx c = {out, MQ_OK};
        mq_err e = mq_store_job_counts(db, emit_count, &c);
        mq_store_rollback(db);
        err = c.err ? c.err : MQ_OK;
        (void)e; /* the database may be away: the gauge is then simply absent */
    }
    if (!err)
        err = mq_buf_adds(out, "# HELP marquee_job_duration_seconds Time a handler ran.\n"
                               "# TYPE marquee_job_duration_seconds histogram\n"
                               "# HELP marquee_job_runs_total Job attempts by kind and result.\n"
                               "# TYPE marquee_job_runs_total counter\n"
                               "# HELP marquee_job_failures_total Failed job attempts by kind.\n"
                               "# TYPE marquee_job_failures_total counter\n");
    for (int i = 0; i < j->nkinds && !err; i++)
        err = render_kind(out, j->kinds[i].name, &j->kinds[i].stats);
    if (!err) err = render_kind(out, "unknown", &j->unknown);
    if (!err)
        err = mq_buf_adds(out, "# HELP marquee_job_workers Workers by queue.\n"
                               "# TYPE marquee_job_workers gauge\n"
                               "# HELP marquee_job_workers_busy Workers running a job now.\n"
                               "# TYPE marquee_job_workers_busy gauge\n");
    for (int q = 0; q < j->nqueues && !err; q++) {
        int busy = 0;
        for (int i = 0; i < j->queues[q].nworkers; i++)
            busy += atomic_load(&j->queues[q].workers[i].busy_since) != 0;
        err = mq_buf_printf(out,
                            "marquee_job_workers{queue=\"%s\"} %d\n"
                            "marquee_job_workers_busy{queue=\"%s\"} %d\n",
                            j->queues[q].name, j->queues[q].nworkers, j->queues[q].name, busy);
    }
    if (!err)
        err = mq_buf_printf(out,
                            "# HELP marquee_jobs_rescued_total Jobs returned to the queue after "
                            "their lease expired.\n"
                            "# TYPE marquee_jobs_rescued_total counter\n"
                            "marquee_jobs_rescued_total %llu\n",
                            (unsigned long long)atomic_load(&j->rescued));
    return err;
}
