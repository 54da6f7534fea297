/* main.c - the command-line front end: serve, migrate, config, version.
 *
 * Exit status: 0 success, 1 failure at run time, 2 bad usage or configuration. */
#include <errno.h>
#include <jansson.h>
#include <malloc.h>
#include <pwd.h>
#include <microhttpd.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "audit/audit.h"
#include "core/pool.h"
#include "auth/keys.h"
#include "auth/ratelimit.h"
#include "core/config.h"
#include "core/ctx.h"
#include "core/version.h"
#include "http/server.h"
#include "jobs/builtin.h"
#include "jobs/queue.h"
#include "jobs/runner.h"
#include "store/libpq.h"
#include "store/migrate.h"
#include "users/users.h"
#include "auth/password.h"
#include "store/store.h"
#include "system/system.h"

#define EXIT_USAGE 2

static void usage(FILE *out)
{
    fprintf(out, "usage: marquee COMMAND [OPTIONS]\n\n"
                 "commands:\n"
                 "  serve     run the server (default settings: 127.0.0.1:8096, SQLite in ./data)\n"
                 "  migrate   bring the database schema up to date, then exit\n"
                 "  config    print the effective configuration, secrets masked\n"
                 "  jobs      list, retry, cancel or enqueue background jobs\n"
                 "  user      create an account (the first admin, for instance)\n"
                 "  audit     verify the audit log's hash chain\n"
                 "  version   print the version and the libraries in use\n\n"
                 "Run 'marquee COMMAND --help' for a command's options.\n");
}

static void command_help(const char *cmd, const char *what, const char *extra)
{
    printf("usage: marquee %s [OPTIONS]\n\n%s\n\noptions (flags > environment > config file > "
           "defaults):\n",
           cmd, what);
    if (extra) printf("%s", extra);
    mq_config_print_flags(stdout);
    printf("  --help                           show this help\n");
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return true;
    return false;
}

/* Loads the configuration or exits with status 2 naming the bad key. */
static void load_config(struct mq_config *cfg, int argc, char **argv, const char *const *extra,
                        bool *extra_seen)
{
    char err[512];
    if (mq_config_init(cfg)) {
        fprintf(stderr, "marquee: out of memory\n");
        exit(1);
    }
    if (mq_config_load(cfg, argc, argv, extra, extra_seen, err, sizeof(err))) {
        fprintf(stderr, "marquee: %s\n", err);
        mq_config_cleanup(cfg);
        exit(EXIT_USAGE);
    }
}

static void warn_unknown_env(const struct mq_config *cfg, const struct mq_log *log)
{
    for (int i = 0; i < cfg->nunknown_env; i++)
        mq_log_warn(log, "config", "ignoring unknown environment variable %s", cfg->unknown_env[i]);
}

static int make_dirs(const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp)) return -1;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0700) && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0700) && errno != EEXIST) return -1;
    return 0;
}

static mq_err open_store(const struct mq_config *cfg, const struct mq_log *log,
                         struct mq_store **out)
{
    char path[4096];
    /* PostgreSQL keeps no database here, but the signing key lives here. */
    if (make_dirs(cfg->data_dir)) {
        mq_log_error(log, "main", "cannot create data_dir %s: %s", cfg->data_dir, strerror(errno));
        return MQ_EIO;
    }
    snprintf(path, sizeof(path), "%s/marquee.db", cfg->data_dir);
    struct mq_store_opts opts = {
        .database_url = cfg->database_url,
        .sqlite_path = path,
        .pool_size = cfg->db_pool_size,
        .acquire_timeout_ms = cfg->db_acquire_timeout,
        .log = log,
    };
    return mq_store_open(&opts, out);
}

/* With SQLite one process owns the database and its job queue: a second
 * `marquee serve` on the same data_dir is refused. The lock goes with the
 * process, however it ends. Returns the lock's fd, or -1. */
static int lock_data_dir(const struct mq_config *cfg, const struct mq_log *log)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/marquee.lock", cfg->data_dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        mq_log_error(log, "main", "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB)) {
        mq_log_error(log, "main", "another marquee is serving %s (SQLite allows one process)",
                     cfg->data_dir);
        close(fd);
        return -1;
    }
    return fd;
}

/* Creates and starts the job runner with the built-in jobs. */
static mq_err start_jobs(struct mq_ctx *ctx, struct mq_jobs **out)
{
    struct mq_jobs *jobs = NULL;
    mq_err err = mq_jobs_new(ctx, &jobs);
    if (!err) err = mq_jobs_register_builtin(jobs);
    if (!err) {
        ctx->jobs = jobs;
        err = mq_jobs_start(jobs);
    }
    if (err) {
        ctx->jobs = NULL;
        mq_jobs_free(jobs);
        mq_log_error(ctx->log, "main", "cannot start the job runner: %s", mq_err_name(err));
        return err;
    }
    *out = jobs;
    return MQ_OK;
}

/* On an empty database, logs how to create the first admin. The one-time
 * token is printed on purpose (the operator needs it; nothing else is ever
 * logged that grants access); it is replaced at each start until used. */
static void announce_setup(struct mq_ctx *ctx)
{
    char token[MQ_SETUP_TOKEN_LEN + 1];
    bool needed = false;
    if (mq_users_setup_token(ctx, token, &needed) || !needed) return;
    mq_log_warn(ctx->log, "main",
                "no account exists yet: create the first admin at %s/setup?token=%s (POST "
                "/api/v1/setup with this token), or with marquee user create --admin",
                ctx->cfg->public_url, token);
    sodium_memzero(token, sizeof(token));
}

/* Waits up to `seconds` for SIGTERM/SIGINT (blocked in every thread).
 * Returns the signal, or 0 on timeout. */
static int wait_signal(const sigset_t *set, int seconds)
{
    struct timespec ts = {seconds, 0};
    for (;;) {
        int sig = seconds < 0 ? sigwaitinfo(set, NULL) : sigtimedwait(set, NULL, &ts);
        if (sig > 0) return sig;
        if (errno == EAGAIN) return 0;
        /* EINTR: a signal outside the set; keep waiting. */
    }
}

/* Migrates and initialises; on a database that is not reachable yet, retries
 * with backoff until it is or a stop signal comes. Returns 0 when started,
 * a signal number when told to stop, -1 on a fatal error. */
static int start_services(struct mq_ctx *ctx, const sigset_t *stop, bool first_try_only)
{
    int delay = 1;
    for (;;) {
        int applied = 0;
        mq_err err = mq_migrate_up(ctx->store, ctx->clock, ctx->log, &applied);
        if (!err) err = mq_system_init(ctx);
        /* The keys are part of being started: /startupz must not say so
         * before tokens can be signed and the key set served. */
        if (!err && !ctx->keyring) err = mq_keyring_open(ctx, &ctx->keyring);
        if (!err) {
            atomic_store(&ctx->started, 1);
            return 0;
        }
        if (err == MQ_EINVAL || err == MQ_EIO) {
            mq_log_error(ctx->log, "main", "cannot load or publish the token-signing key");
            return -1;
        }
        if (err == MQ_ESCHEMA) return -1;
        if (err != MQ_EUNAVAILABLE && err != MQ_ETIMEOUT) {
            mq_log_error(ctx->log, "main", "start-up failed: %s", mq_err_name(err));
            return -1;
        }
        if (first_try_only) return 1;
        mq_log_warn(ctx->log, "main", "database not reachable (%s); retrying in %d s",
                    mq_err_name(err), delay);
        int sig = wait_signal(stop, delay);
        if (sig) return sig;
        if (delay < 30) delay *= 2;
    }
}

static int cmd_serve(int argc, char **argv)
{
    struct mq_config cfg;
    struct mq_log log;
    struct mq_ctx ctx = {0};
    struct mq_store *store = NULL;
    struct mq_router *router = NULL;
    struct mq_http_server *http = NULL;
    struct mq_jobs *jobs = NULL;
    int status = 1, lock_fd = -1;
    sigset_t stop;

    if (wants_help(argc, argv)) {
        command_help("serve", "Runs the HTTP server until SIGTERM or SIGINT.", NULL);
        return 0;
    }
    load_config(&cfg, argc, argv, NULL, NULL);
    mq_log_init(&log, cfg.log_level, STDERR_FILENO, &mq_clock_system);
    warn_unknown_env(&cfg, &log);

    /* Block the stop signals before any thread starts, so every thread
     * inherits the mask and only sigwait below sees them. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    ctx.cfg = &cfg;
    ctx.log = &log;
    ctx.clock = &mq_clock_system;
    ctx.rng = &mq_rng_system;
    ctx.boot_ms = mq_clock_now_ms(ctx.clock);

    if (open_store(&cfg, &log, &store)) goto out;
    ctx.store = store;
    /* In memory: each instance limits on its own until a shared store exists. */
    if (mq_ratelimiter_memory_new(100000, &ctx.ratelimiter)) goto out;
    /* Started before migrating: entries recorded meanwhile wait for the table. */
    if (mq_audit_start(&ctx, &ctx.audit)) goto out;
    int cpus = cfg.cpu_workers ? cfg.cpu_workers : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (mq_pool_new(cpus > 0 ? cpus : 1, 256, &ctx.cpu_pool)) goto out;
    if (!mq_config_uses_postgres(&cfg) && (lock_fd = lock_data_dir(&cfg, &log)) < 0) goto out;

    /* Migrate before listening when the database is there, so that a schema
     * newer than this binary stops us before we serve anything. */
    int started = start_services(&ctx, &stop, true);
    if (started < 0) goto out;

    if (mq_router_new(&router) || mq_api_register(router)) {
        mq_log_error(&log, "main", "cannot build the route table");
        goto out;
    }
    if (mq_http_start(&ctx, router, &http)) goto out;
    mq_log_info(&log, "main", "marquee %s listening on %s port %u (%s, %s)", MQ_VERSION, cfg.listen,
                mq_http_port(http), mq_store_backend_name(store),
                mq_config_tls_enabled(&cfg) ? "https" : "http");

    int sig = 0;
    if (started > 0) sig = start_services(&ctx, &stop, false);
    if (sig < 0) goto out;
    if (sig == 0) {
        if (start_jobs(&ctx, &jobs)) goto out;
        announce_setup(&ctx);
        mq_log_info(&log, "main", "ready");
        sig = wait_signal(&stop, -1);
    }

    atomic_store(&ctx.draining, 1);
    mq_log_info(&log, "main", "received %s: finishing in-flight requests (up to %d s)",
                sig == SIGINT ? "SIGINT" : "SIGTERM", cfg.shutdown_timeout);
    int64_t t0 = mq_clock_now_ms(ctx.clock);
    mq_http_quiesce(http);
    int left = mq_http_drain(http, cfg.shutdown_timeout);
    if (left) mq_log_warn(&log, "main", "%d requests still running at the deadline", left);
    int spent = (int)((mq_clock_now_ms(ctx.clock) - t0) / 1000);
    int jobs_left =
        mq_jobs_stop(jobs, spent < cfg.shutdown_timeout ? cfg.shutdown_timeout - spent : 0);
    if (jobs_left) {
        /* Their threads still use the context, the store and this stack
         * frame: end the process here rather than free what they hold. The
         * jobs' leases expire and they run again. */
        mq_log_warn(&log, "main", "%d jobs still running at the deadline; exiting anyway",
                    jobs_left);
        mq_http_stop(http);
        mq_audit_stop(ctx.audit, 5);
        mq_log_info(&log, "main", "stopped");
        exit(0);
    }
    status = 0;
out:
    /* Work still on the pool finishes and resumes its connections before
     * libmicrohttpd stops (it must not stop with suspended connections). */
    mq_pool_free(ctx.cpu_pool);
    ctx.cpu_pool = NULL;
    mq_http_stop(http);
    if (jobs) mq_jobs_stop(jobs, cfg.shutdown_timeout);
    mq_jobs_free(jobs);
    ctx.jobs = NULL;
    if (lock_fd >= 0) close(lock_fd);
    mq_router_free(router);
    /* Last: everything above may still have recorded events. */
    mq_audit_stop(ctx.audit, 5);
    ctx.audit = NULL;
    mq_keyring_free(ctx.keyring);
    mq_store_close(store);
    mq_ratelimiter_free(ctx.ratelimiter);
    if (status == 0) mq_log_info(&log, "main", "stopped");
    mq_config_cleanup(&cfg);
    return status;
}

static int cmd_migrate(int argc, char **argv)
{
    static const char *const extra[] = {"--status", NULL};
    bool seen[1] = {false};
    struct mq_config cfg;
    struct mq_log log;
    struct mq_store *store = NULL;
    int status = 1, version = 0, applied = 0;

    if (wants_help(argc, argv)) {
        command_help("migrate",
                     "Applies pending schema migrations and exits. The server also does this at "
                     "start-up.",
                     "  --status                         only report the schema version; exit 1 "
                     "if migrations are pending\n");
        return 0;
    }
    load_config(&cfg, argc, argv, extra, seen);
    mq_log_init(&log, cfg.log_level, STDERR_FILENO, &mq_clock_system);
    warn_unknown_env(&cfg, &log);
    if (open_store(&cfg, &log, &store)) goto out;
    int latest = mq_migrate_latest(store);
    if (seen[0]) {
        mq_err err = mq_migrate_current(store, &version);
        if (err) {
            fprintf(stderr, "marquee: cannot read the schema version: %s\n", mq_err_name(err));
            goto out;
        }
        printf("database: %s\nschema version: %d\nlatest known: %d\n", mq_store_backend_name(store),
               version, latest);
        status = version == latest ? 0 : 1;
        goto out;
    }
    mq_err err = mq_migrate_up(store, &mq_clock_system, &log, &applied);
    if (err) {
        fprintf(stderr, "marquee: migration failed: %s\n", mq_err_name(err));
        goto out;
    }
    printf("database: %s\napplied: %d\nschema version: %d\n", mq_store_backend_name(store), applied,
           latest);
    status = 0;
out:
    mq_store_close(store);
    mq_config_cleanup(&cfg);
    return status;
}

/* A command's own options, told apart from the configuration flags (which
 * all take a value) and from positional arguments. */
struct cli_opt {
    const char *flag;
    const char **value; /* for options with a value */
    bool *set;          /* for options without */
};

struct cli_args {
    const char *positional[4];
    int npositional;
    char *config_args[64];
    int nconfig;
};

static int split_args(int argc, char **argv, const struct cli_opt *opts, size_t nopts,
                      struct cli_args *out)
{
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < argc; i++) {
        const struct cli_opt *o = NULL;
        for (size_t k = 0; k < nopts && !o; k++)
            if (!strcmp(argv[i], opts[k].flag)) o = &opts[k];
        if (o && o->value) {
            if (i + 1 >= argc) return -1;
            *o->value = argv[++i];
        } else if (o) {
            *o->set = true;
        } else if (!strncmp(argv[i], "--", 2)) {
            if (out->nconfig >= 62) return -1;
            out->config_args[out->nconfig++] = argv[i];
            if (!strchr(argv[i], '=') && i + 1 < argc) out->config_args[out->nconfig++] = argv[++i];
        } else {
            if (out->npositional == 4) return -1;
            out->positional[out->npositional++] = argv[i];
        }
    }
    return 0;
}

struct jobs_opts {
    const char *state, *kind, *queue, *payload, *unique_key, *limit, *priority, *max_attempts,
        *delay;
    bool json;
    const char *positional[4];
    int npositional;
};

static const char *jobs_usage =
    "usage: marquee jobs list [--state S] [--kind K] [--queue Q] [--limit N] [--json]\n"
    "       marquee jobs retry ID\n"
    "       marquee jobs cancel ID\n"
    "       marquee jobs enqueue KIND [--payload JSON] [--queue Q] [--priority N]\n"
    "                                 [--max-attempts N] [--delay SECONDS] [--unique-key K]\n\n"
    "Reads and changes the job queue in the database directly; a running server picks\n"
    "up changes within jobs_poll_interval. Configuration options as for serve.\n";

static int split_jobs_args(int argc, char **argv, struct jobs_opts *o, struct cli_args *args)
{
    memset(o, 0, sizeof(*o));
    const struct cli_opt opts[] = {
        {"--state", &o->state, NULL},           {"--kind", &o->kind, NULL},
        {"--queue", &o->queue, NULL},           {"--payload", &o->payload, NULL},
        {"--unique-key", &o->unique_key, NULL}, {"--limit", &o->limit, NULL},
        {"--priority", &o->priority, NULL},     {"--max-attempts", &o->max_attempts, NULL},
        {"--delay", &o->delay, NULL},           {"--json", NULL, &o->json},
    };
    if (split_args(argc, argv, opts, sizeof(opts) / sizeof(opts[0]), args)) return -1;
    memcpy(o->positional, args->positional, sizeof(o->positional));
    o->npositional = args->npositional;
    return 0;
}

static bool parse_int_arg(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || errno || *end || end == s || v < lo || v > hi) return false;
    *out = v;
    return true;
}

static void print_job_line(const struct mq_job *j)
{
    char when[32];
    mq_time_format_rfc3339(j->run_at, when, sizeof(when));
    printf("%s  %-9s  %-24s  %-12s  %d/%d  %s  %s\n", j->id, j->state, j->kind, j->queue,
           j->attempt, j->max_attempts, when, j->last_error ? j->last_error : "");
}

static void print_job_json(const struct mq_job *j)
{
    json_t *doc = mq_job_json(j);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    printf("%s\n", text ? text : "{}");
    free(text);
    json_decref(doc);
}

static int jobs_run(struct mq_ctx *ctx, struct jobs_opts *o, const char *sub)
{
    struct mq_arena *a = mq_arena_new(8192);
    struct mq_job job;
    mq_err err = MQ_OK;
    int status = 1;
    if (!a) return 1;

    if (!strcmp(sub, "list")) {
        long limit = 50;
        if (o->limit && !parse_int_arg(o->limit, 1, 1000, &limit)) {
            fprintf(stderr, "marquee: --limit must be 1 to 1000\n");
            status = EXIT_USAGE;
            goto out;
        }
        if (o->state && !mq_job_state_valid(o->state)) {
            fprintf(stderr, "marquee: --state must be available, running, retryable, completed, "
                            "cancelled or discarded\n");
            status = EXIT_USAGE;
            goto out;
        }
        struct mq_job_filter f = {
            .state = o->state, .kind = o->kind, .queue = o->queue, .limit = (int)limit};
        struct mq_job *jobs = mq_arena_calloc(a, (size_t)limit, sizeof(*jobs));
        size_t n = 0;
        err = jobs ? mq_jobs_list(ctx, a, &f, jobs, &n) : MQ_ENOMEM;
        for (size_t i = 0; !err && i < n; i++) {
            if (o->json)
                print_job_json(&jobs[i]);
            else
                print_job_line(&jobs[i]);
        }
    } else if (!strcmp(sub, "retry") || !strcmp(sub, "cancel")) {
        if (o->npositional != 1) {
            fprintf(stderr, "%s", jobs_usage);
            status = EXIT_USAGE;
            goto out;
        }
        err = !strcmp(sub, "retry") ? mq_jobs_retry(ctx, a, o->positional[0], &job)
                                    : mq_jobs_cancel(ctx, a, o->positional[0], &job);
        if (!err) {
            print_job_json(&job);
            const struct passwd *pw = getpwuid(getuid());
            json_t *details = json_pack("{s:s,s:s}", "kind", job.kind, "state", job.state);
            struct mq_audit_event e = {.action = !strcmp(sub, "retry") ? "job.retry" : "job.cancel",
                                       .actor_kind = "cli",
                                       .actor_id = pw ? pw->pw_name : NULL,
                                       .target_type = "job",
                                       .target_id = job.id,
                                       .details = details};
            mq_audit_record(ctx->audit, &e);
            json_decref(details);
        }
        if (err == MQ_ECONFLICT)
            fprintf(stderr, "marquee: job %s cannot be %s now\n", o->positional[0],
                    !strcmp(sub, "retry") ? "retried (it is running, or its unique key is taken)"
                                          : "cancelled (it has ended)");
    } else if (!strcmp(sub, "enqueue")) {
        long priority = 0, max_attempts = 0, delay = 0;
        if (o->npositional != 1 ||
            (o->priority && !parse_int_arg(o->priority, -100, 100, &priority)) ||
            (o->max_attempts && !parse_int_arg(o->max_attempts, 1, 100, &max_attempts)) ||
            (o->delay && !parse_int_arg(o->delay, 0, 31536000, &delay))) {
            fprintf(stderr, "%s", jobs_usage);
            status = EXIT_USAGE;
            goto out;
        }
        struct mq_job_spec spec = {.kind = o->positional[0],
                                   .payload = o->payload,
                                   .queue = o->queue,
                                   .priority = (int)priority,
                                   .max_attempts = (int)max_attempts,
                                   .run_at = delay ? mq_clock_now_ms(ctx->clock) + delay * 1000 : 0,
                                   .unique_key = o->unique_key};
        struct mq_db *db = NULL;
        char id[37];
        bool created = false;
        err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
        if (!err) err = mq_store_finish(db, mq_jobs_enqueue(ctx, db, &spec, id, &created));
        if (err == MQ_EINVAL) {
            fprintf(stderr, "marquee: invalid job: the kind and queue are a-z 0-9 . _ -, the "
                            "payload a JSON object of at most 64 KiB\n");
            status = EXIT_USAGE;
            goto out;
        }
        if (!err) err = mq_jobs_get(ctx, a, id, &job);
        if (!err) print_job_json(&job);
        if (!err && !created) fprintf(stderr, "marquee: a pending job already holds that key\n");
    } else {
        fprintf(stderr, "%s", jobs_usage);
        status = EXIT_USAGE;
        goto out;
    }
    if (err == MQ_ENOTFOUND)
        fprintf(stderr, "marquee: no such job\n");
    else if (err && err != MQ_ECONFLICT)
        fprintf(stderr, "marquee: %s\n", mq_err_name(err));
    status = err ? 1 : 0;
out:
    mq_arena_free(a);
    return status;
}

static int cmd_jobs(int argc, char **argv)
{
    struct jobs_opts o;
    struct cli_args args;
    struct mq_config cfg;
    struct mq_log log;
    struct mq_store *store = NULL;
    if (argc < 1 || wants_help(argc, argv)) {
        printf("%s", jobs_usage);
        return argc < 1 ? EXIT_USAGE : 0;
    }
    if (split_jobs_args(argc - 1, argv + 1, &o, &args)) {
        fprintf(stderr, "%s", jobs_usage);
        return EXIT_USAGE;
    }
    load_config(&cfg, args.nconfig, args.config_args, NULL, NULL);
    mq_log_init(&log, cfg.log_level, STDERR_FILENO, &mq_clock_system);
    warn_unknown_env(&cfg, &log);
    int status = 1, version = 0;
    if (open_store(&cfg, &log, &store)) goto out;
    if (mq_migrate_current(store, &version) || version != mq_migrate_latest(store)) {
        fprintf(stderr, "marquee: the database schema is not current; run marquee migrate\n");
        goto out;
    }
    struct mq_ctx ctx = {
        .cfg = &cfg, .log = &log, .store = store, .clock = &mq_clock_system, .rng = &mq_rng_system};
    if (mq_audit_start(&ctx, &ctx.audit)) goto out;
    status = jobs_run(&ctx, &o, argv[0]);
    mq_audit_stop(ctx.audit, 10); /* writes what the command recorded */
out:
    mq_store_close(store);
    mq_config_cleanup(&cfg);
    return status;
}

static const char *user_usage =
    "usage: marquee user create --email ADDRESS --password-stdin [--name NAME]\n"
    "                           [--admin | --role admin|moderator|user|guest]\n\n"
    "Creates an account (e-mail marked verified), reading the password from the first\n"
    "line of standard input: never from an argument, which other users can see in ps.\n"
    "Configuration options as for serve.\n";

/* Reads one line; without echo when standard input is a terminal. */
static bool read_password(char *out, size_t outlen)
{
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fprintf(stderr, "Password: ");
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    bool ok = fgets(out, (int)outlen, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!ok) return false;
    out[strcspn(out, "\r\n")] = '\0';
    return true;
}

static int cmd_user(int argc, char **argv)
{
    const char *email = NULL, *name = NULL, *role = NULL;
    bool admin = false, password_stdin = false;
    const struct cli_opt opts[] = {
        {"--email", &email, NULL},
        {"--name", &name, NULL},
        {"--role", &role, NULL},
        {"--admin", NULL, &admin},
        {"--password-stdin", NULL, &password_stdin},
    };
    struct cli_args args;
    struct mq_config cfg;
    struct mq_log log;
    struct mq_store *store = NULL;
    char password[MQ_PASSWORD_MAX + 2], id[37];
    int status = 1, version = 0;

    if (argc < 1 || wants_help(argc, argv)) {
        printf("%s", user_usage);
        return argc < 1 ? EXIT_USAGE : 0;
    }
    if (strcmp(argv[0], "create") ||
        split_args(argc - 1, argv + 1, opts, sizeof(opts) / sizeof(opts[0]), &args) ||
        args.npositional || !email || (admin && role)) {
        fprintf(stderr, "%s", user_usage);
        return EXIT_USAGE;
    }
    if (!password_stdin) {
        fprintf(stderr, "marquee: give the password on standard input with --password-stdin\n");
        return EXIT_USAGE;
    }
    if (!read_password(password, sizeof(password))) {
        fprintf(stderr, "marquee: no password on standard input\n");
        return EXIT_USAGE;
    }
    load_config(&cfg, args.nconfig, args.config_args, NULL, NULL);
    mq_log_init(&log, cfg.log_level, STDERR_FILENO, &mq_clock_system);
    warn_unknown_env(&cfg, &log);
    if (open_store(&cfg, &log, &store)) goto out;
    if (mq_migrate_up(store, &mq_clock_system, &log, NULL) || mq_migrate_current(store, &version)) {
        fprintf(stderr, "marquee: the database schema cannot be brought up to date\n");
        goto out;
    }
    struct mq_ctx ctx = {
        .cfg = &cfg, .log = &log, .store = store, .clock = &mq_clock_system, .rng = &mq_rng_system};
    struct mq_user_new u = {.email = email,
                            .display_name = name,
                            .password = password,
                            .role = admin  ? "admin"
                                    : role ? role
                                           : "user",
                            .email_verified = true};
    const char *code = NULL, *why = NULL;
    mq_err err = mq_users_create(&ctx, &u, id, &code, &why);
    sodium_memzero(password, sizeof(password));
    if (err == MQ_EINVAL || err == MQ_ECONFLICT) {
        fprintf(stderr, "marquee: %s: %s\n", code, why);
        status = err == MQ_EINVAL ? EXIT_USAGE : 1;
        goto out;
    }
    if (err) {
        fprintf(stderr, "marquee: cannot create the account: %s\n", mq_err_name(err));
        goto out;
    }
    if (mq_audit_start(&ctx, &ctx.audit) == MQ_OK) {
        const struct passwd *pw = getpwuid(getuid());
        json_t *details = json_pack("{s:s,s:s}", "role", u.role, "via", "cli");
        struct mq_audit_event e = {.action = "user.created",
                                   .actor_kind = "cli",
                                   .actor_id = pw ? pw->pw_name : NULL,
                                   .target_type = "user",
                                   .target_id = id,
                                   .details = details};
        mq_audit_record(ctx.audit, &e);
        json_decref(details);
        mq_audit_stop(ctx.audit, 10);
    }
    printf("created %s %s (id %s)\n", u.role, email, id);
    status = 0;
out:
    mq_store_close(store);
    mq_config_cleanup(&cfg);
    return status;
}

static int cmd_audit(int argc, char **argv)
{
    struct mq_config cfg;
    struct mq_log log;
    struct mq_store *store = NULL;
    struct mq_audit_verdict v;
    int status = 1;
    if (argc < 1 || wants_help(argc, argv) || strcmp(argv[0], "verify")) {
        printf("usage: marquee audit verify [OPTIONS]\n\n"
               "Checks every link of the audit log's hash chain and reports the first broken one\n"
               "(exit 1). Configuration options as for serve.\n");
        return argc >= 1 && wants_help(argc, argv) ? 0 : EXIT_USAGE;
    }
    load_config(&cfg, argc - 1, argv + 1, NULL, NULL);
    mq_log_init(&log, cfg.log_level, STDERR_FILENO, &mq_clock_system);
    if (open_store(&cfg, &log, &store)) goto out;
    mq_err err = mq_audit_verify(store, &v);
    if (err) {
        fprintf(stderr, "marquee: cannot read the audit log: %s\n", mq_err_name(err));
        goto out;
    }
    if (v.broken_at) {
        printf("audit log BROKEN at entry %lld: %s (%lld entries before it are intact)\n",
               (long long)v.broken_at, v.why, (long long)v.entries);
        goto out;
    }
    printf("audit log intact: %lld entries\n", (long long)v.entries);
    status = 0;
out:
    mq_store_close(store);
    mq_config_cleanup(&cfg);
    return status;
}

static int cmd_config(int argc, char **argv)
{
    struct mq_config cfg;
    if (wants_help(argc, argv)) {
        command_help("config",
                     "Prints the effective configuration, one 'key = value  # source' line per "
                     "key, with secrets masked.",
                     NULL);
        return 0;
    }
    load_config(&cfg, argc, argv, NULL, NULL);
    for (int i = 0; i < cfg.nunknown_env; i++)
        fprintf(stderr, "marquee: warning: ignoring unknown environment variable %s\n",
                cfg.unknown_env[i]);
    mq_config_print(&cfg, stdout);
    mq_config_cleanup(&cfg);
    return 0;
}

static int cmd_version(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        printf("usage: marquee version\n\nPrints the version, the commit and the libraries in "
               "use.\n");
        return 0;
    }
    if (argc > 0) {
        fprintf(stderr, "marquee: version takes no options\n");
        return EXIT_USAGE;
    }
    struct mq_libpq pq;
    char why[256], libpq[64] = "libpq not installed";
    if (mq_libpq_load(&pq, why, sizeof(why)) == MQ_OK) {
        int v = pq.lib_version();
        snprintf(libpq, sizeof(libpq), "libpq %d.%d", v / 10000, v % 10000);
        mq_libpq_unload(&pq);
    }
    printf("marquee %s (commit %s)\n", MQ_VERSION, MQ_COMMIT);
    printf("libmicrohttpd %s, sqlite %s, %s, jansson %s, libsodium %s\n", MHD_get_version(),
           sqlite3_libversion(), libpq, JANSSON_VERSION, sodium_version_string());
    return 0;
}

int main(int argc, char **argv)
{
    /* glibc gives every thread that allocates an arena of its own; with HTTP
     * and job threads that is about 1.2 MB of idle memory for no gain on a
     * small machine (bench/README.md). Two arenas; MALLOC_ARENA_MAX wins. */
    if (!getenv("MALLOC_ARENA_MAX")) mallopt(M_ARENA_MAX, 2);
    if (sodium_init() < 0) {
        fprintf(stderr, "marquee: libsodium failed to initialise\n");
        return 1;
    }
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "serve")) return cmd_serve(argc - 2, argv + 2);
    if (!strcmp(cmd, "migrate")) return cmd_migrate(argc - 2, argv + 2);
    if (!strcmp(cmd, "config")) return cmd_config(argc - 2, argv + 2);
    if (!strcmp(cmd, "jobs")) return cmd_jobs(argc - 2, argv + 2);
    if (!strcmp(cmd, "audit")) return cmd_audit(argc - 2, argv + 2);
    if (!strcmp(cmd, "user")) return cmd_user(argc - 2, argv + 2);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version"))
        return cmd_version(argc - 2, argv + 2);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "marquee: unknown command \"%s\"\n\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
