/* common.c - what the commands share. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/authz.h"
#include "auth/keyring.h"
#include "auth/masterkey.h"
#include "auth/tokencache.h"
#include "cli/cli.h"
#include "core/ctx.h"
#include "core/events.h"
#include "core/keyset.h"
#include "core/pool.h"
#include "crypto/secrets.h"
#include "http/ratelimit.h"
#include "media/conf.h"
#include "media/probe.h"
#include "metadata/fetch.h"
#include "store/conf.h"
#include "store/migrate.h"
#include "system/conf.h"
#include "system/settings.h"

void mq_cli_help(const char *cmd, const char *what, const char *extra)
{
    printf("usage: marquee %s [OPTIONS]\n\n%s\n\noptions (flags > environment > config file > "
           "defaults):\n",
           cmd, what);
    if (extra) printf("%s", extra);
    mq_config_print_flags(stdout);
    printf("  --help                           show this help\n");
}

bool mq_cli_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return true;
    return false;
}

/* Loads the configuration or exits with status 2 naming the bad key. */
void mq_cli_load_config(struct mq_config *cfg, int argc, char **argv, const char *const *extra,
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
        exit(MQ_EXIT_USAGE);
    }
}

void mq_cli_warn_unknown_env(const struct mq_config *cfg, const struct mq_log *log)
{
    for (int i = 0; i < cfg->nunknown_env; i++)
        mq_log_warn(log, "config", "ignoring unknown environment variable %s", cfg->unknown_env[i]);
}

int mq_cli_make_dirs(const char *path)
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

mq_err mq_cli_open_store(const struct mq_config *cfg, const struct mq_log *log,
                         struct mq_store **out)
{
    char path[4096];
    /* PostgreSQL keeps no database here, but the signing key lives here. */
    if (mq_cli_make_dirs(mq_system_conf(cfg)->data_dir)) {
        mq_log_error(log, "main", "cannot create data_dir %s: %s", mq_system_conf(cfg)->data_dir,
                     strerror(errno));
        return MQ_EIO;
    }
    snprintf(path, sizeof(path), "%s/marquee.db", mq_system_conf(cfg)->data_dir);
    struct mq_store_opts opts = {
        .database_url = mq_store_conf(cfg)->database_url,
        .sqlite_path = path,
        .pool_size = mq_store_conf(cfg)->pool_size,
        .acquire_timeout_ms = mq_store_conf(cfg)->acquire_timeout,
        .sqlite_mmap_bytes = mq_store_conf(cfg)->sqlite_mmap,
        .log = log,
    };
    return mq_store_open(&opts, out);
}

int mq_cli_split_args(int argc, char **argv, const struct mq_cli_opt *opts, size_t nopts,
                      struct mq_cli_args *out)
{
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < argc; i++) {
        const struct mq_cli_opt *o = NULL;
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

bool mq_cli_parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || errno || *end || end == s || v < lo || v > hi) return false;
    *out = v;
    return true;
}

void mq_cli_record(struct mq_ctx *ctx, const char *action, const char *target_type,
                   const char *target_id, json_t *details)
{
    if (mq_audit_start(ctx, &ctx->audit) == MQ_OK) {
        const struct passwd *pw = getpwuid(getuid());
        struct mq_audit_event e = {.action = action,
                                   .actor_kind = "cli",
                                   .actor_id = pw ? pw->pw_name : NULL,
                                   .target_type = target_type,
                                   .target_id = target_id,
                                   .details = details};
        mq_audit_record(ctx->audit, &e);
        mq_audit_stop(ctx->audit, 10);
        ctx->audit = NULL;
    }
    json_decref(details);
}

mq_err mq_cli_open_current_store(const struct mq_config *cfg, const struct mq_log *log,
                                 struct mq_store **out)
{
    int version = 0;
    mq_err err = mq_cli_open_store(cfg, log, out);
    if (err) return err;
    err = mq_migrate_up(*out, &mq_clock_system, log, NULL);
    if (!err) err = mq_migrate_current(*out, &version);
    if (err) fprintf(stderr, "marquee: the database schema cannot be brought up to date\n");
    return err;
}

/* The probe helpers start with the first file probed, not now. */
static mq_err open_prober(struct mq_ctx *ctx)
{
    char exe[PATH_MAX];
    const struct mq_media_conf *mc = mq_media_conf(ctx->cfg);
    struct mq_prober_opts o = {.exe = exe,
                               .workers = mc->probe_workers,
                               .timeout_ms = mc->probe_timeout,
                               .memory_limit = (uint64_t)mc->probe_memory_limit};
    if (!mq_cli_self_exe(exe, sizeof(exe))) return MQ_EUNAVAILABLE;
    return mq_prober_new(&o, &ctx->prober);
}

mq_err mq_cli_services_open(struct mq_ctx *ctx, const struct mq_config *cfg,
                            const struct mq_log *log)
{
    char key_file[4096];
    ctx->cfg = cfg;
    ctx->log = log;
    ctx->clock = &mq_clock_system;
    ctx->rng = &mq_rng_system;
    ctx->boot_ms = mq_clock_now_ms(ctx->clock);
    int cpus = mq_system_conf(cfg)->cpu_workers ? mq_system_conf(cfg)->cpu_workers
                                                : (int)sysconf(_SC_NPROCESSORS_ONLN);
    int images = mq_system_conf(cfg)->image_workers ? mq_system_conf(cfg)->image_workers
                                                    : (int)sysconf(_SC_NPROCESSORS_ONLN) / 2;
    if (images < 1) images = 1;
    mq_masterkey_path(cfg, key_file, sizeof(key_file));
    mq_err err = mq_cli_open_store(cfg, log, &ctx->store); /* logs why */
    if (err) return err;
    err = mq_events_new(&ctx->events);
    /* In memory: each instance limits on its own until a shared store exists. */
    if (!err) err = mq_ratelimiter_memory_new(100000, &ctx->ratelimiter);
    /* Started before migrating: entries recorded meanwhile wait for the table. */
    if (!err) err = mq_audit_start(ctx, &ctx->audit);
    if (!err) err = mq_pool_new(cpus > 0 ? cpus : 1, 256, &ctx->cpu_pool);
    if (!err) err = mq_pool_new(images, 32, &ctx->image_pool);
    if (!err) err = mq_pool_new(2, 16, &ctx->net_pool);
    if (!err) err = mq_metadata_new(&ctx->metadata);
    /* A member's uploads are decoded one at a time; the set is as large as
     * the pool's queue can ever hold, and then some. */
    if (!err) err = mq_keyset_new(256, &ctx->uploads);
    if (!err) err = mq_token_cache_new(4096, &ctx->token_cache);
    if (!err) err = mq_authz_cache_new(1024, &ctx->authz_cache);
    if (!err) err = mq_secrets_open(key_file, log, ctx->rng, &ctx->secrets);
    if (!err) err = open_prober(ctx);
    if (err) mq_log_error(log, "main", "cannot start: %s", mq_err_name(err));
    return err;
}

void mq_cli_pools_free(struct mq_ctx *ctx)
{
    mq_pool_free(ctx->cpu_pool);
    ctx->cpu_pool = NULL;
    mq_pool_free(ctx->image_pool);
    ctx->image_pool = NULL;
    mq_pool_free(ctx->net_pool);
    ctx->net_pool = NULL;
}

void mq_cli_services_close(struct mq_ctx *ctx)
{
    /* Work still on the pools finishes first; the audit writer goes next,
     * as everything before it may still have recorded events. */
    mq_cli_pools_free(ctx);
    mq_keyset_free(ctx->uploads);
    ctx->uploads = NULL;
    mq_prober_free(ctx->prober);
    ctx->prober = NULL;
    mq_metadata_free(ctx->metadata);
    ctx->metadata = NULL;
    mq_audit_stop(ctx->audit, 5);
    ctx->audit = NULL;
    mq_settings_free(ctx->settings);
    ctx->settings = NULL;
    mq_keyring_free(ctx->keyring);
    mq_token_cache_free(ctx->token_cache);
    mq_authz_cache_free(ctx->authz_cache);
    mq_secrets_free(ctx->secrets);
    mq_store_close(ctx->store);
    mq_events_free(ctx->events);
    mq_ratelimiter_free(ctx->ratelimiter);
    ctx->keyring = NULL;
    ctx->token_cache = NULL;
    ctx->authz_cache = NULL;
    ctx->secrets = NULL;
    ctx->store = NULL;
    ctx->events = NULL;
    ctx->ratelimiter = NULL;
}
