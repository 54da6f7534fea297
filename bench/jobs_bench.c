/* jobs_bench - drives the real job queue (libmarquee.a) for bench/jobs.sh.
 *
 *   jobs_bench enqueue N KIND     add N jobs (1,000 per transaction)
 *   jobs_bench run [SECONDS]      run workers until the queue is empty (or
 *                                 SECONDS pass); prints jobs/s
 *   jobs_bench commits N THREADS  reference: N one-row UPDATE transactions
 *                                 on THREADS threads (as many as workers); prints tx/s
 *   jobs_bench check N            every bench.count job completed, each run
 *                                 counted; prints runs, duplicates, overlaps
 *
 * Configuration comes from MARQUEE_* as for marquee itself. Kinds:
 * bench.noop does nothing; bench.count records each run (job id, process,
 * start and end) in bench_runs, a table of this tool's own. */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/uuid.h"
#include "jobs/queue.h"
#include "jobs/runner.h"
#include "store/migrate.h"
#include "store/conf.h"
#include "system/conf.h"

static const struct mq_sql SQL_RUNS_TABLE = {
    "bench.runs_table",
    "CREATE TABLE IF NOT EXISTS bench_runs (job_id TEXT NOT NULL, pid BIGINT NOT NULL, "
    "started BIGINT NOT NULL, finished BIGINT NOT NULL)",
    NULL};
static const struct mq_sql SQL_RUN = {
    "bench.run", "INSERT INTO bench_runs (job_id, pid, started, finished) VALUES ($1, $2, $3, $4)",
    NULL};
static const struct mq_sql SQL_PENDING = {
    "bench.pending",
    "SELECT COUNT(*) FROM jobs WHERE state IN ('available', 'running', 'retryable')", NULL};
static const struct mq_sql SQL_CHECK = {
    "bench.check",
    "SELECT (SELECT COUNT(*) FROM jobs WHERE kind = 'bench.count'), "
    "(SELECT COUNT(*) FROM jobs WHERE kind = 'bench.count' AND state = 'completed'), "
    "(SELECT COUNT(*) FROM bench_runs), "
    "(SELECT COUNT(DISTINCT job_id) FROM bench_runs), "
    "(SELECT COUNT(*) FROM bench_runs a JOIN bench_runs b ON a.job_id = b.job_id AND "
    "a.started < b.started AND b.started < a.finished), "
    "(SELECT COUNT(DISTINCT pid) FROM bench_runs)",
    NULL};
static const struct mq_sql SQL_REF_SETUP = {
    "bench.ref_setup",
    "CREATE TABLE IF NOT EXISTS bench_ref (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)", NULL};
static const struct mq_sql SQL_REF_ROW = {
    "bench.ref_row", "INSERT INTO bench_ref (id, n) VALUES ($1, 0) ON CONFLICT DO NOTHING", NULL};
static const struct mq_sql SQL_REF_UPDATE = {"bench.ref_update",
                                             "UPDATE bench_ref SET n = n + 1 WHERE id = $1", NULL};

static struct mq_ctx ctx;
static atomic_long handled; /* jobs this process's handlers ran */

static double seconds_since(uint64_t t0)
{
    return (double)(mq_monotonic_ns() - t0) / 1e9;
}

static void die(const char *what, mq_err err)
{
    fprintf(stderr, "jobs_bench: %s: %s\n", what, mq_err_name(err));
    exit(1);
}

static mq_err noop(struct mq_job_run *run)
{
    (void)run;
    atomic_fetch_add(&handled, 1);
    return MQ_OK;
}

static mq_err count(struct mq_job_run *run)
{
    int64_t started = mq_clock_now_ms(&mq_clock_system);
    int ms = (int)json_integer_value(json_object_get(run->payload, "sleep_ms"));
    if (ms > 0) {
        struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(run->ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    struct mq_param p[] = {MQ_P_TEXT(run->job->id), MQ_P_INT(getpid()), MQ_P_INT(started),
                           MQ_P_INT(mq_clock_now_ms(&mq_clock_system))};
    err = mq_store_finish(db, mq_db_exec(db, &SQL_RUN, p, 4, NULL));
    if (!err) atomic_fetch_add(&handled, 1);
    return err;
}

static int64_t scalar(const struct mq_sql *sql)
{
    struct mq_db *db = NULL;
    struct mq_rows *rows = NULL;
    int64_t v = -1;
    mq_err err = mq_store_begin(ctx.store, MQ_DB_READ, &db);
    if (!err) err = mq_db_query(db, sql, NULL, 0, &rows);
    if (!err && mq_rows_next(rows)) v = mq_rows_int(rows, 0);
    if (!err) err = mq_rows_close(rows);
    err = mq_store_finish(db, err);
    if (err) die(sql->name, err);
    return v;
}

static void exec_write(const struct mq_sql *sql, const struct mq_param *p, size_t n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx.store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_finish(db, mq_db_exec(db, sql, p, n, NULL));
    if (err) die(sql->name, err);
}

static int cmd_enqueue(long n, const char *kind, const char *payload)
{
    uint64_t t0 = mq_monotonic_ns();
    for (long done = 0; done < n;) {
        struct mq_db *db = NULL;
        mq_err err = mq_store_begin(ctx.store, MQ_DB_WRITE, &db);
        for (long i = 0; !err && i < 1000 && done < n; i++, done++) {
            char id[37];
            struct mq_job_spec spec = {.kind = kind, .payload = payload};
            err = mq_jobs_enqueue(&ctx, db, &spec, id, NULL);
        }
        err = mq_store_finish(db, err);
        if (err) die("enqueue", err);
    }
    printf("enqueued %ld %s jobs in %.2f s\n", n, kind, seconds_since(t0));
    return 0;
}

static int cmd_run(double limit_s)
{
    struct mq_jobs *jobs = NULL;
    mq_err err = mq_jobs_new(&ctx, &jobs);
    if (!err) err = mq_jobs_register(jobs, "bench.noop", noop);
    if (!err) err = mq_jobs_register(jobs, "bench.count", count);
    if (err) die("runner", err);
    ctx.jobs = jobs;
    int64_t before = scalar(&SQL_PENDING);
    uint64_t t0 = mq_monotonic_ns();
    if ((err = mq_jobs_start(jobs))) die("start", err);
    int64_t left = before;
    while (left > 0 && (limit_s <= 0 || seconds_since(t0) < limit_s)) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
        left = scalar(&SQL_PENDING);
    }
    double secs = seconds_since(t0);
    mq_jobs_stop(jobs, 30);
    mq_jobs_free(jobs);
    printf("queue of %lld drained in %.3f s: %.0f jobs/s; this process (pid %d) ran %ld; %lld "
           "left\n",
           (long long)before, secs, (double)(before - left) / secs, (int)getpid(),
           atomic_load(&handled), (long long)left);
    return left == 0 ? 0 : 1;
}

struct ref_thread {
    long n;
    int id;
};

static void *ref_main(void *arg)
{
    struct ref_thread *t = arg;
    struct mq_param p[] = {MQ_P_INT(t->id)};
    for (long i = 0; i < t->n; i++) exec_write(&SQL_REF_UPDATE, p, 1);
    return NULL;
}

static int cmd_commits(long n, int threads)
{
    pthread_t th[64];
    struct ref_thread args[64];
    exec_write(&SQL_REF_SETUP, NULL, 0);
    for (int i = 0; i < threads; i++) {
        struct mq_param p[] = {MQ_P_INT(i)};
        exec_write(&SQL_REF_ROW, p, 1);
    }
    uint64_t t0 = mq_monotonic_ns();
    for (int i = 0; i < threads; i++) {
        args[i] = (struct ref_thread){n / threads, i};
        pthread_create(&th[i], NULL, ref_main, &args[i]);
    }
    for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
    double secs = seconds_since(t0);
    printf("reference: %ld one-row UPDATE transactions on %d threads in %.3f s: %.0f tx/s\n",
           n / threads * threads, threads, secs, (double)(n / threads * threads) / secs);
    return 0;
}

static int cmd_check(long expected)
{
    struct mq_db *db = NULL;
    struct mq_rows *rows = NULL;
    int64_t v[6] = {0};
    mq_err err = mq_store_begin(ctx.store, MQ_DB_READ, &db);
    if (!err) err = mq_db_query(db, &SQL_CHECK, NULL, 0, &rows);
    if (!err && mq_rows_next(rows))
        for (int i = 0; i < 6; i++) v[i] = mq_rows_int(rows, i);
    if (!err) err = mq_rows_close(rows);
    if ((err = mq_store_finish(db, err))) die("check", err);
    printf("jobs %lld, completed %lld, runs %lld, distinct jobs run %lld, run twice %lld, "
           "overlapping runs %lld, processes %lld\n",
           (long long)v[0], (long long)v[1], (long long)v[2], (long long)v[3],
           (long long)(v[2] - v[3]), (long long)v[4], (long long)v[5]);
    return v[0] == expected && v[1] == expected && v[3] == expected && v[4] == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    static struct mq_config cfg;
    static struct mq_log log;
    char err[256];
    if (argc < 2) {
        fprintf(
            stderr,
            "usage: jobs_bench enqueue N KIND [PAYLOAD] | run [S] | commits N THREADS | check N\n");
        return 2;
    }
    if (mq_config_init(&cfg) || mq_config_load(&cfg, 0, NULL, NULL, NULL, err, sizeof(err))) {
        fprintf(stderr, "jobs_bench: %s\n", err);
        return 2;
    }
    mq_log_init(&log, MQ_LOG_WARN, STDERR_FILENO, &mq_clock_system);
    char path[4096];
    snprintf(path, sizeof(path), "%s/marquee.db", mq_system_conf(&cfg)->data_dir);
    struct mq_store_opts opts = {.database_url = mq_store_conf(&cfg)->database_url,
                                 .sqlite_path = path,
                                 .pool_size = mq_store_conf(&cfg)->pool_size,
                                 .acquire_timeout_ms = mq_store_conf(&cfg)->acquire_timeout,
                                 .log = &log};
    struct mq_store *store = NULL;
    if (mq_store_open(&opts, &store)) return 1;
    ctx = (struct mq_ctx){
        .cfg = &cfg, .log = &log, .store = store, .clock = &mq_clock_system, .rng = &mq_rng_system};
    mq_err e = mq_migrate_up(store, &mq_clock_system, &log, NULL);
    if (e) die("migrate", e);
    exec_write(&SQL_RUNS_TABLE, NULL, 0);
    int rc = 2;
    const char *cmd = argv[1];
    long n = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
    if (!strcmp(cmd, "enqueue") && argc >= 4)
        rc = cmd_enqueue(n, argv[3], argc > 4 ? argv[4] : NULL);
    else if (!strcmp(cmd, "run"))
        rc = cmd_run(argc > 2 ? strtod(argv[2], NULL) : 0);
    else if (!strcmp(cmd, "commits") && n > 0 && argc > 3)
        rc = cmd_commits(n, (int)strtol(argv[3], NULL, 10) > 0 && strtol(argv[3], NULL, 10) <= 64
                                ? (int)strtol(argv[3], NULL, 10)
                                : 1);
    else if (!strcmp(cmd, "check"))
        rc = cmd_check(n);
    mq_store_close(store);
    mq_config_cleanup(&cfg);
    return rc;
}
