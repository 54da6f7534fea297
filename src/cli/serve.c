/* serve.c - marquee serve: the server, from start-up to a graceful stop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "audit/audit.h"
#include "audit/retention.h"
#include "auth/keyring.h"
#include "cli/cli.h"
#include "media/announce.h"
#include "media/conf.h"
#include "media/content.h"
#include "media/scanner.h"
#include "media/watch.h"
#include "metadata/identify.h"
#include "search/search.h"
#include "track/import.h"
#include "track/monitor.h"
#include "notify/notify.h"
#include "core/ctx.h"
#include "core/pool.h"
#include "core/version.h"
#include "http/conf.h"
#include "http/server.h"
#include "jobs/builtin.h"
#include "jobs/runner.h"
#include "mail/mail.h"
#include "store/conf.h"
#include "store/migrate.h"
#include "system/conf.h"
#include "system/settings.h"
#include "system/system.h"
#include "users/purge.h"
#include "users/users.h"

/* With SQLite one process owns the database and its job queue: a second
 * `marquee serve` on the same data_dir is refused. The lock goes with the
 * process, however it ends. Returns the lock's fd, or -1. */
static int lock_data_dir(const struct mq_config *cfg, const struct mq_log *log)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/marquee.lock", mq_system_conf(cfg)->data_dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        mq_log_error(log, "main", "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB)) {
        mq_log_error(log, "main", "another marquee is serving %s (SQLite allows one process)",
                     mq_system_conf(cfg)->data_dir);
        close(fd);
        return -1;
    }
    return fd;
}

/* Every secret in the data directory is created 0600, but a directory
 * others may enter still shows them what is there and lets a file made by
 * hand, or by an older version, be read. Said at every start. */
static void warn_open_data_dir(const struct mq_config *cfg, const struct mq_log *log)
{
    struct stat st;
    const char *dir = mq_system_conf(cfg)->data_dir;
    if (stat(dir, &st) || !(st.st_mode & 007)) return;
    mq_log_warn(log, "main",
                "the data directory %s is open to others (mode %04o): it holds the database and "
                "keys; chmod 700 it",
                dir, (unsigned)(st.st_mode & 07777));
}

/* Creates and starts the job runner with the built-in jobs. */
static mq_err start_jobs(struct mq_ctx *ctx, struct mq_jobs **out)
{
    struct mq_jobs *jobs = NULL;
    mq_err err = mq_jobs_new(ctx, &jobs);
    if (!err) err = mq_jobs_register_builtin(jobs);
    if (!err) err = mq_mail_register(jobs);
    if (!err) err = mq_users_register_jobs(jobs);
    if (!err) err = mq_audit_register_jobs(jobs);
    if (!err) err = mq_scanner_register(jobs);
    if (!err) err = mq_announce_register(jobs);
    if (!err) err = mq_content_register(jobs);
    if (!err) err = mq_metadata_register(jobs);
    if (!err) err = mq_search_register(jobs);
    if (!err) err = mq_import_register(jobs);
    if (!err) err = mq_notify_register(jobs);
    if (!err) err = mq_monitor_register(jobs, ctx->cfg);
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
    /* Scans are enqueued by the watcher: it starts with the jobs. */
    struct mq_watch *watch = NULL;
    if (mq_media_conf(ctx->cfg)->watch && mq_watch_start(ctx, &watch))
        mq_log_warn(ctx->log, "main", "libraries are not watched; scheduled scans only");
    ctx->watch = watch;
    /* The index follows the catalogue where jobs run (on PostgreSQL one
     * instance at a time takes each batch). */
    struct mq_search *search = NULL;
    if (mq_search_start(ctx, &search))
        mq_log_warn(ctx->log, "search", "the search index is not kept current");
    ctx->search = search;
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
                mq_system_conf(ctx->cfg)->public_url, token);
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
        /* From here on, ctx->cfg is what the admin's settings make of the
         * operator's configuration. */
        if (!err && !ctx->settings) {
            err = mq_settings_open(ctx, ctx->cfg, &ctx->settings);
            if (!err) err = mq_settings_watch(ctx->settings);
        }
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

int mq_cli_serve(int argc, char **argv)
{
    struct mq_config cfg;
    struct mq_log log;
    struct mq_ctx ctx = {.boot_ms = 0}; /* zeroed ({0} would set the atomic cfg from an int) */
    struct mq_router *router = NULL;
    struct mq_http_server *http = NULL;
    struct mq_jobs *jobs = NULL;
    int status = 1, lock_fd = -1;
    sigset_t stop;

    if (mq_cli_wants_help(argc, argv)) {
        mq_cli_help("serve", "Runs the HTTP server until SIGTERM or SIGINT.", NULL);
        return 0;
    }
    mq_cli_load_config(&cfg, argc, argv, NULL, NULL);
    mq_log_init(&log, mq_system_log_level(&cfg), STDERR_FILENO, &mq_clock_system);
    mq_cli_warn_unknown_env(&cfg, &log);

    /* Block the stop signals before any thread starts, so every thread
     * inherits the mask and only sigwait below sees them. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    warn_open_data_dir(&cfg, &log);
    if (mq_cli_services_open(&ctx, &cfg, &log)) goto out;
    if (!mq_store_uses_postgres(&cfg) && (lock_fd = lock_data_dir(&cfg, &log)) < 0) goto out;

    /* Migrate before listening when the database is there, so that a schema
     * newer than this binary stops us before we serve anything. */
    int started = start_services(&ctx, &stop, true);
    if (started < 0) goto out;

    if (mq_router_new(&router) || mq_api_register(router, &cfg)) {
        mq_log_error(&log, "main", "cannot build the route table");
        goto out;
    }
    if (mq_http_start(&ctx, router, &http)) goto out;
    mq_log_info(&log, "main", "marquee %s listening on %s port %u (%s, %s)", MQ_VERSION,
                mq_http_conf(&cfg)->listen.text, mq_http_port(http),
                mq_store_backend_name(ctx.store), mq_http_tls(&cfg) ? "https" : "http");

    int sig = 0;
    if (started > 0) sig = start_services(&ctx, &stop, false);
    if (sig < 0) goto out;
    if (sig == 0) {
        if (start_jobs(&ctx, &jobs)) goto out;
        announce_setup(&ctx);
        mq_mail_announce(&ctx);
        mq_log_info(&log, "main", "ready");
        sig = wait_signal(&stop, -1);
    }

    atomic_store(&ctx.draining, 1);
    mq_log_info(&log, "main", "received %s: finishing in-flight requests (up to %d s)",
                sig == SIGINT ? "SIGINT" : "SIGTERM", mq_system_conf(&cfg)->shutdown_timeout);
    int64_t t0 = mq_clock_now_ms(ctx.clock);
    mq_http_quiesce(http);
    int left = mq_http_drain(http, mq_system_conf(&cfg)->shutdown_timeout);
    if (left) mq_log_warn(&log, "main", "%d requests still running at the deadline", left);
    int spent = (int)((mq_clock_now_ms(ctx.clock) - t0) / 1000);
    /* The watcher stops after the server (below, at out): a request on a
     * connection kept alive may still read it until then. */
    int jobs_left = mq_jobs_stop(jobs, spent < mq_system_conf(&cfg)->shutdown_timeout
                                           ? mq_system_conf(&cfg)->shutdown_timeout - spent
                                           : 0);
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
    /* Work still on the pools finishes and resumes its connections before
     * libmicrohttpd stops (it must not stop with suspended connections). */
    mq_cli_pools_free(&ctx);
    mq_http_stop(http);
    mq_watch_stop(atomic_exchange(&ctx.watch, NULL));
    mq_search_stop(atomic_exchange(&ctx.search, NULL));
    if (jobs) mq_jobs_stop(jobs, mq_system_conf(&cfg)->shutdown_timeout);
    mq_jobs_free(jobs);
    ctx.jobs = NULL;
    if (lock_fd >= 0) close(lock_fd);
    mq_router_free(router);
    mq_cli_services_close(&ctx);
    if (status == 0) mq_log_info(&log, "main", "stopped");
    mq_config_cleanup(&cfg);
    return status;
}
