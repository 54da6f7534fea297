/* main.c - the command-line front end: serve, migrate, config, version.
 *
 * Exit status: 0 success, 1 failure at run time, 2 bad usage or configuration. */
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "core/config.h"
#include "core/ctx.h"
#include "core/version.h"
#include "http/server.h"
#include "store/libpq.h"
#include "store/migrate.h"
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
    if (!mq_config_uses_postgres(cfg)) {
        if (make_dirs(cfg->data_dir)) {
            mq_log_error(log, "main", "cannot create data_dir %s: %s", cfg->data_dir,
                         strerror(errno));
            return MQ_EIO;
        }
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
        if (!err) {
            atomic_store(&ctx->started, 1);
            return 0;
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
    int status = 1;
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
        mq_log_info(&log, "main", "ready");
        sig = wait_signal(&stop, -1);
    }

    atomic_store(&ctx.draining, 1);
    mq_log_info(&log, "main", "received %s: finishing in-flight requests (up to %d s)",
                sig == SIGINT ? "SIGINT" : "SIGTERM", cfg.shutdown_timeout);
    mq_http_quiesce(http);
    int left = mq_http_drain(http, cfg.shutdown_timeout);
    if (left) mq_log_warn(&log, "main", "%d requests still running at the deadline", left);
    status = 0;
out:
    mq_http_stop(http);
    mq_router_free(router);
    mq_store_close(store);
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
