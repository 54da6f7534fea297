/* jobs.c - marquee jobs list|retry|cancel|enqueue. */
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/render.h"
#include "audit/audit.h"
#include "cli/cli.h"
#include "core/ctx.h"
#include "core/uuid.h"
#include "jobs/queue.h"
#include "store/migrate.h"
#include "system/conf.h"

struct jobs_opts {
    const char *state, *kind, *queue, *payload, *unique_key, *limit, *priority, *max_attempts,
        *delay, *owner;
    bool json;
    const char *positional[4];
    int npositional;
};

static const char *jobs_usage =
    "usage: marquee jobs list [--state S] [--kind K] [--queue Q] [--limit N] [--json]\n"
    "       marquee jobs retry ID\n"
    "       marquee jobs cancel ID\n"
    "       marquee jobs enqueue KIND [--payload JSON] [--queue Q] [--priority N]\n"
    "                                 [--max-attempts N] [--delay SECONDS] [--unique-key K]\n"
    "                                 [--owner USER_ID]\n\n"
    "Reads and changes the job queue in the database directly; a running server picks\n"
    "up changes within jobs_poll_interval. Configuration options as for serve.\n";

static int split_jobs_args(int argc, char **argv, struct jobs_opts *o, struct mq_cli_args *args)
{
    memset(o, 0, sizeof(*o));
    const struct mq_cli_opt opts[] = {
        {"--state", &o->state, NULL},
        {"--kind", &o->kind, NULL},
        {"--queue", &o->queue, NULL},
        {"--payload", &o->payload, NULL},
        {"--unique-key", &o->unique_key, NULL},
        {"--limit", &o->limit, NULL},
        {"--priority", &o->priority, NULL},
        {"--max-attempts", &o->max_attempts, NULL},
        {"--delay", &o->delay, NULL},
        {"--owner", &o->owner, NULL},
        {"--json", NULL, &o->json},
    };
    if (mq_cli_split_args(argc, argv, opts, sizeof(opts) / sizeof(opts[0]), args)) return -1;
    memcpy(o->positional, args->positional, sizeof(o->positional));
    o->npositional = args->npositional;
    return 0;
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
    json_t *doc = mq_api_job_json(j);
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
        if (o->limit && !mq_cli_parse_int(o->limit, 1, 1000, &limit)) {
            fprintf(stderr, "marquee: --limit must be 1 to 1000\n");
            status = MQ_EXIT_USAGE;
            goto out;
        }
        if (o->state && !mq_job_state_valid(o->state)) {
            fprintf(stderr, "marquee: --state must be available, running, retryable, completed, "
                            "cancelled or discarded\n");
            status = MQ_EXIT_USAGE;
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
            status = MQ_EXIT_USAGE;
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
            (o->priority && !mq_cli_parse_int(o->priority, -100, 100, &priority)) ||
            (o->max_attempts && !mq_cli_parse_int(o->max_attempts, 1, 100, &max_attempts)) ||
            (o->delay && !mq_cli_parse_int(o->delay, 0, 31536000, &delay)) ||
            (o->owner && !mq_uuid_valid(o->owner, strlen(o->owner)))) {
            fprintf(stderr, "%s", jobs_usage);
            status = MQ_EXIT_USAGE;
            goto out;
        }
        struct mq_job_spec spec = {.kind = o->positional[0],
                                   .payload = o->payload,
                                   .queue = o->queue,
                                   .priority = (int)priority,
                                   .max_attempts = (int)max_attempts,
                                   .run_at = delay ? mq_clock_now_ms(ctx->clock) + delay * 1000 : 0,
                                   .unique_key = o->unique_key,
                                   .owner_id = o->owner};
        struct mq_db *db = NULL;
        char id[37];
        bool created = false;
        err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
        if (!err) err = mq_store_finish(db, mq_jobs_enqueue(ctx, db, &spec, id, &created));
        if (err == MQ_EINVAL) {
            fprintf(stderr, "marquee: invalid job: the kind and queue are a-z 0-9 . _ -, the "
                            "payload a JSON object of at most 64 KiB\n");
            status = MQ_EXIT_USAGE;
            goto out;
        }
        if (!err) err = mq_jobs_get(ctx, a, id, &job);
        if (!err) print_job_json(&job);
        if (!err && !created) fprintf(stderr, "marquee: a pending job already holds that key\n");
    } else {
        fprintf(stderr, "%s", jobs_usage);
        status = MQ_EXIT_USAGE;
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

int mq_cli_jobs(int argc, char **argv)
{
    struct jobs_opts o;
    struct mq_cli_args args;
    struct mq_config cfg;
    struct mq_log log;
    struct mq_store *store = NULL;
    if (argc < 1 || mq_cli_wants_help(argc, argv)) {
        printf("%s", jobs_usage);
        return argc < 1 ? MQ_EXIT_USAGE : 0;
    }
    if (split_jobs_args(argc - 1, argv + 1, &o, &args)) {
        fprintf(stderr, "%s", jobs_usage);
        return MQ_EXIT_USAGE;
    }
    mq_cli_load_config(&cfg, args.nconfig, args.config_args, NULL, NULL);
    mq_log_init(&log, mq_system_log_level(&cfg), STDERR_FILENO, &mq_clock_system);
    mq_cli_warn_unknown_env(&cfg, &log);
    int status = 1, version = 0;
    if (mq_cli_open_store(&cfg, &log, &store)) goto out;
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
