/* The runner with real threads, on SQLite and PostgreSQL: every job runs
 * exactly once and never twice at the same time; failures retry, then end
 * with their error kept; bad payloads and unknown kinds end cleanly. */
#include "test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/uuid.h"
#include "db_fixture.h"
#include "jobs/runner.h"
#include "jobs/conf.h"

#define NCOUNT    300
#define SCHEDULED 999

static atomic_int runs[1000];
static atomic_int inside[1000];
static atomic_int overlaps;
static atomic_int flaky_attempts;

static mq_err count_job(struct mq_job_run *run)
{
    int n = (int)json_integer_value(json_object_get(run->payload, "n"));
    if (n < 0 || n >= 1000) return MQ_EINVAL;
    if (atomic_fetch_add(&inside[n], 1) != 0) atomic_fetch_add(&overlaps, 1);
    atomic_fetch_add(&runs[n], 1);
    struct timespec ts = {0, 200000};
    nanosleep(&ts, NULL);
    atomic_fetch_sub(&inside[n], 1);
    return MQ_OK;
}

static mq_err flaky_job(struct mq_job_run *run)
{
    atomic_fetch_add(&flaky_attempts, 1);
    if (run->job->attempt < 3) {
        snprintf(run->error, sizeof(run->error), "upstream said 503 (attempt %d)",
                 run->job->attempt);
        return MQ_EIO;
    }
    return MQ_OK;
}

static mq_err slow_job(struct mq_job_run *run)
{
    (void)run;
    struct timespec ts = {1, 600000000}; /* longer than jobs_stuck_after below */
    nanosleep(&ts, NULL);
    return MQ_OK;
}

static mq_err hopeless_job(struct mq_job_run *run)
{
    snprintf(run->error, sizeof(run->error), "the file named in the payload does not exist");
    return MQ_EINVAL;
}

/* Starves the store while a job's outcome waits to be recorded: a helper
 * takes every write connection it can get and keeps them for a second, so
 * the worker's first attempts to record the outcome time out. */
struct starver {
    struct mq_store *store;
    atomic_int holding;
    atomic_int held;
};
static struct starver starver;

static void *starve(void *arg)
{
    struct starver *s = arg;
    struct mq_db *dbs[16];
    int n = 0;
    while (n < 16 && mq_store_begin(s->store, MQ_DB_WRITE, &dbs[n]) == MQ_OK) n++;
    atomic_store(&s->held, n);
    atomic_store(&s->holding, 1);
    struct timespec ts = {1, 0};
    nanosleep(&ts, NULL);
    while (n > 0) assert_int_equal(mq_store_finish(dbs[--n], MQ_OK), MQ_OK);
    return NULL;
}

static mq_err starving_job(struct mq_job_run *run)
{
    pthread_t t;
    atomic_store(&starver.holding, 0);
    assert_int_equal(pthread_create(&t, NULL, starve, &starver), 0);
    pthread_detach(t);
    while (!atomic_load(&starver.holding)) {
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    atomic_fetch_add(&runs[(int)json_integer_value(json_object_get(run->payload, "n"))], 1);
    return MQ_OK;
}

struct env {
    struct fixture_env f;
    struct mq_jobs *jobs;
};

static int setup(void **state, bool postgres)
{
    struct env *e = fixture_env_open(postgres, 6, sizeof(*e), 0);
    *state = e;
    if (!e) return 0;
    const char *argv[] = {"--jobs-queues=default:4,maintenance:1",
                          "--jobs-poll-interval=50ms",
                          "--jobs-backoff-base=10ms",
                          "--jobs-backoff-max=40ms",
                          "--jobs-lease=5s",
                          "--jobs-stuck-after=1s"};
    char err[256];
    assert_int_equal(mq_config_load(&e->f.cfg, 6, (char **)argv, NULL, NULL, err, sizeof(err)),
                     MQ_OK);
    assert_int_equal(mq_jobs_conf(&e->f.cfg)->stuck_after, 1000);
    memset(runs, 0, sizeof(runs));
    atomic_store(&overlaps, 0);
    atomic_store(&flaky_attempts, 0);
    return 0;
}

FIXTURE_SETUPS(setup)

static int teardown(void **state)
{
    struct env *e = *state;
    if (!e) return 0;
    mq_jobs_stop(e->jobs, 10);
    mq_jobs_free(e->jobs);
    fixture_env_close(e);
    return 0;
}

static void enqueue(struct env *e, const struct mq_job_spec *spec, char id[37])
{
    struct mq_db *db = NULL;
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_finish(db, mq_jobs_enqueue(&e->f.ctx, db, spec, id, NULL)), MQ_OK);
}

static int pending(struct env *e)
{
    struct mq_arena *a = mq_arena_new(0);
    struct mq_job page[50];
    size_t total = 0, n = 0;
    const char *states[] = {"available", "running", "retryable"};
    mq_err err = MQ_OK;
    for (int i = 0; i < 3 && !err; i++) {
        struct mq_job_filter f = {.state = states[i], .limit = 50};
        err = mq_jobs_list(&e->f.ctx, a, &f, page, &n);
        total += n;
    }
    mq_arena_free(a);
    /* A store starved on purpose may not answer: not known to be drained. */
    if (err == MQ_ETIMEOUT) return -1;
    assert_int_equal(err, MQ_OK);
    return (int)total;
}

static void wait_until(bool (*cond)(struct env *), struct env *e, int seconds, const char *what)
{
    for (int i = 0; i < seconds * 20 && !cond(e); i++) {
        struct timespec ts = {0, 50000000};
        nanosleep(&ts, NULL);
    }
    /* Which wait, and how far it got: a rare failure under load says so. */
    if (!cond(e))
        fprintf(stderr, "not %s within %d s: %d jobs pending, the schedule ran %d times\n", what,
                seconds, pending(e), atomic_load(&runs[SCHEDULED]));
    assert_true(cond(e));
}

static bool drained(struct env *e)
{
    return pending(e) == 0;
}
static bool scheduled_ran(struct env *e)
{
    (void)e;
    return atomic_load(&runs[SCHEDULED]) >= 1;
}

static void test_runs_everything_once(void **state)
{
    struct env *e = *state;
    if (!e) skip();
    char id[37], flaky[37], hopeless[37], unknown[37], garbled[37];
    assert_int_equal(mq_jobs_new(&e->f.ctx, &e->jobs), MQ_OK);
    e->f.ctx.jobs = e->jobs;
    assert_int_equal(mq_jobs_register(e->jobs, "t.count", count_job), MQ_OK);
    assert_int_equal(mq_jobs_register(e->jobs, "t.count", count_job), MQ_ECONFLICT);
    assert_int_equal(mq_jobs_register(e->jobs, "t.flaky", flaky_job), MQ_OK);
    assert_int_equal(mq_jobs_register(e->jobs, "t.hopeless", hopeless_job), MQ_OK);
    assert_int_equal(
        mq_jobs_schedule(e->jobs, "tick", "every 1s",
                         &(struct mq_job_spec){.kind = "t.count", .payload = "{\"n\": 999}"}),
        MQ_OK);

    for (int i = 0; i < NCOUNT; i++) {
        char payload[32];
        snprintf(payload, sizeof(payload), "{\"n\": %d}", i);
        enqueue(e, &(struct mq_job_spec){.kind = "t.count", .payload = payload}, id);
    }
    enqueue(e, &(struct mq_job_spec){.kind = "t.flaky", .max_attempts = 5}, flaky);
    enqueue(e, &(struct mq_job_spec){.kind = "t.hopeless"}, hopeless);
    enqueue(e, &(struct mq_job_spec){.kind = "t.nobody", .max_attempts = 2}, unknown);
    /* A payload that does not parse can only come from outside the API. */
    struct mq_db *db = NULL;
    bool inserted = false;
    mq_uuid7_new(&mq_clock_system, &mq_rng_system, garbled);
    struct mq_job_insert raw = {.id = garbled,
                                .kind = "t.count",
                                .queue = "default",
                                .payload = "{\"n\": 1,,}",
                                .max_attempts = 5,
                                .run_at = mq_clock_now_ms(&mq_clock_system),
                                .now = mq_clock_now_ms(&mq_clock_system)};
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_finish(db, mq_store_job_insert(db, &raw, &inserted)), MQ_OK);

    assert_int_equal(mq_jobs_start(e->jobs), MQ_OK);
    wait_until(drained, e, 60, "drained");
    wait_until(scheduled_ran, e, 30, "scheduled");
    char why[160];
    assert_true(mq_jobs_healthy(e->jobs, why, sizeof(why)));
    assert_int_equal(mq_jobs_stop(e->jobs, 10), 0);

    for (int i = 0; i < NCOUNT; i++) assert_int_equal(atomic_load(&runs[i]), 1);
    assert_int_equal(atomic_load(&overlaps), 0);

    struct mq_arena *a = mq_arena_new(0);
    struct mq_job j;
    assert_int_equal(mq_jobs_get(&e->f.ctx, a, flaky, &j), MQ_OK);
    assert_string_equal(j.state, "completed");
    assert_int_equal(j.attempt, 3);
    assert_int_equal(atomic_load(&flaky_attempts), 3);
    assert_string_equal(j.last_error, "upstream said 503 (attempt 2)");

    assert_int_equal(mq_jobs_get(&e->f.ctx, a, hopeless, &j), MQ_OK);
    assert_string_equal(j.state, "discarded");
    assert_int_equal(j.attempt, 1); /* a permanent error is not retried */
    assert_string_equal(j.last_error, "the file named in the payload does not exist");

    assert_int_equal(mq_jobs_get(&e->f.ctx, a, unknown, &j), MQ_OK);
    assert_string_equal(j.state, "discarded");
    assert_int_equal(j.attempt, 2);
    assert_non_null(strstr(j.last_error, "unknown job kind \"t.nobody\""));

    assert_int_equal(mq_jobs_get(&e->f.ctx, a, garbled, &j), MQ_OK);
    assert_string_equal(j.state, "discarded");
    assert_int_equal(j.attempt, 1);
    assert_non_null(strstr(j.last_error, "payload is not valid JSON"));

    struct mq_buf m;
    mq_buf_init(&m, 1 << 20);
    assert_int_equal(mq_jobs_render_metrics(e->jobs, &m), MQ_OK);
    assert_non_null(strstr(m.data, "marquee_job_failures_total{kind=\"t.flaky\"} 2"));
    assert_non_null(strstr(m.data, "marquee_job_failures_total{kind=\"unknown\"} 2"));
    assert_non_null(strstr(m.data, "marquee_jobs{queue=\"default\",state=\"discarded\"} 3"));
    mq_buf_cleanup(&m);
    mq_arena_free(a);
}

static bool stuck(struct env *e)
{
    char why[160];
    return !mq_jobs_healthy(e->jobs, why, sizeof(why));
}

static void test_stuck_worker_is_reported(void **state)
{
    struct env *e = *state;
    if (!e) skip();
    char id[37], why[160];
    assert_int_equal(mq_jobs_new(&e->f.ctx, &e->jobs), MQ_OK);
    e->f.ctx.jobs = e->jobs;
    assert_int_equal(mq_jobs_register(e->jobs, "t.slow", slow_job), MQ_OK);
    assert_int_equal(mq_jobs_start(e->jobs), MQ_OK);
    assert_true(mq_jobs_healthy(e->jobs, why, sizeof(why)));
    enqueue(e, &(struct mq_job_spec){.kind = "t.slow"}, id);
    wait_until(stuck, e, 5, "stuck");
    assert_false(mq_jobs_healthy(e->jobs, why, sizeof(why)));
    assert_non_null(strstr(why, "queue default has been on one job"));
    wait_until(drained, e, 10, "drained");
    assert_true(mq_jobs_healthy(e->jobs, why, sizeof(why)));
}

/* Idle workers hear of a new job from the job.enqueued event once its
 * transaction commits, not from polling: with an hour between looks, the
 * job still runs at once. */
static void test_an_enqueue_wakes_idle_workers(void **state)
{
    struct env *e = *state;
    if (!e) skip();
    char id[37], err[256];
    int poll = mq_config_key_index("jobs_poll_interval");
    assert_int_equal(mq_config_set(&e->f.cfg, (size_t)poll, "1h", MQ_SRC_FLAG, err, sizeof(err)),
                     MQ_OK);
    assert_int_equal(mq_jobs_new(&e->f.ctx, &e->jobs), MQ_OK);
    e->f.ctx.jobs = e->jobs;
    assert_int_equal(mq_jobs_register(e->jobs, "t.count", count_job), MQ_OK);
    assert_int_equal(mq_jobs_start(e->jobs), MQ_OK);
    struct timespec idle = {0, 300000000}; /* the workers look once, then wait */
    nanosleep(&idle, NULL);
    enqueue(e, &(struct mq_job_spec){.kind = "t.count", .payload = "{\"n\": 7}"}, id);
    wait_until(drained, e, 5, "drained");
    assert_int_equal(atomic_load(&runs[7]), 1);
}

/* An outcome that cannot be recorded at once is kept and recorded later:
 * the job ends completed, having run once, and does not stay "running"
 * under leases the heartbeat keeps renewing. */
static void test_an_outcome_waits_for_the_database(void **state)
{
    struct env *e = *state;
    if (!e) skip();
    char id[37];
    starver.store = e->f.db->store;
    assert_int_equal(mq_jobs_new(&e->f.ctx, &e->jobs), MQ_OK);
    e->f.ctx.jobs = e->jobs;
    assert_int_equal(mq_jobs_register(e->jobs, "t.starving", starving_job), MQ_OK);
    assert_int_equal(mq_jobs_start(e->jobs), MQ_OK);
    enqueue(e, &(struct mq_job_spec){.kind = "t.starving", .payload = "{\"n\": 5}"}, id);
    wait_until(drained, e, 10, "drained");
    assert_true(atomic_load(&starver.held) >= 1);
    assert_int_equal(atomic_load(&runs[5]), 1);
    struct mq_arena *a = mq_arena_new(0);
    struct mq_job j;
    assert_int_equal(mq_jobs_get(&e->f.ctx, a, id, &j), MQ_OK);
    assert_string_equal(j.state, "completed");
    assert_int_equal(j.attempt, 1);
    mq_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_runs_everything_once),
        BOTH(test_stuck_worker_is_reported),
        BOTH(test_an_enqueue_wakes_idle_workers),
        BOTH(test_an_outcome_waits_for_the_database),
    };
    return RUN(tests);
}
