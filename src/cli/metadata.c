/* marquee metadata refresh: the providers asked again now, from the
 * command line, with the server's stored settings (keys included). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "media/libraries.h"
#include "metadata/identify.h"
#include "store/metadata.h"
#include "system/conf.h"
#include "system/settings.h"

struct bar {
    bool tty;
    int64_t started_ms, last_line;
};

/* On a terminal, one line redrawn; otherwise a line per hundred works. */
static void progress(void *arg, int64_t done, int64_t total)
{
    struct bar *b = arg;
    double secs = (double)(mq_clock_now_ms(&mq_clock_system) - b->started_ms) / 1000;
    double rate = secs > 0 ? (double)done / secs : 0;
    long eta = rate > 0 ? (long)((double)(total - done) / rate) : 0;
    if (b->tty) {
        char bar[31];
        int filled = total ? (int)(30 * done / total) : 30;
        for (int i = 0; i < 30; i++) bar[i] = i < filled ? '#' : '.';
        bar[30] = 0;
        fprintf(stderr, "\rrefresh [%s] %lld/%lld works, %.1f/s, ETA %ldm%02lds   ", bar,
                (long long)done, (long long)total, rate, eta / 60, eta % 60);
        fflush(stderr);
    } else if (done - b->last_line >= 100 || done == total) {
        b->last_line = done;
        fprintf(stderr, "refresh: %lld/%lld works, %.1f/s\n", (long long)done, (long long)total,
                rate);
    }
}

static const char usage[] =
    "usage: marquee metadata refresh (--item ID | --library ID|NAME | --all) [OPTIONS]\n";

int mq_cli_metadata(int argc, char **argv)
{
    const char *item = NULL, *library = NULL;
    bool all = false;
    const struct mq_cli_opt opts[] = {
        {"--item", &item, NULL}, {"--library", &library, NULL}, {"--all", NULL, &all}};
    struct mq_cli_args args;
    struct mq_config cfg;
    struct mq_log log;
    struct mq_ctx ctx = {.cfg = NULL};
    struct mq_arena *a = NULL;
    int status = 1;
    if (mq_cli_wants_help(argc, argv)) {
        mq_cli_help("metadata refresh",
                    "Asks the metadata providers again, skipping their cache, for one work "
                    "(--item), the matched works of a library (--library, by id or name) or "
                    "every matched work (--all), writes what changed and exits; exit 1 when a "
                    "work could not be refreshed. Uses the server's settings, the stored ones "
                    "(provider keys) included; a running server is not needed.",
                    "  --item ID                        one work (a film, series, book)\n"
                    "  --library ID|NAME                a library's matched works\n"
                    "  --all                            every matched work\n");
        return 0;
    }
    if (argc < 1 || strcmp(argv[0], "refresh") ||
        mq_cli_split_args(argc - 1, argv + 1, opts, sizeof(opts) / sizeof(opts[0]), &args) ||
        args.npositional || (!!item + !!library + all) != 1) {
        fprintf(stderr, "%s", usage);
        return MQ_EXIT_USAGE;
    }
    mq_cli_load_config(&cfg, args.nconfig, args.config_args, NULL, NULL);
    mq_log_init(&log, mq_system_log_level(&cfg), STDERR_FILENO, &mq_clock_system);
    mq_cli_warn_unknown_env(&cfg, &log);
    if (mq_cli_services_open(&ctx, &cfg, &log)) goto out;
    if (mq_settings_open(&ctx, &cfg, &ctx.settings)) {
        fprintf(stderr, "marquee: cannot read the server settings\n");
        goto out;
    }
    a = mq_arena_new(0);
    if (!a) goto out;
    const char *lib_id = NULL;
    if (library) {
        struct mq_library *libs = NULL;
        size_t n = 0;
        if (mq_libraries_list(&ctx, a, NULL, &libs, &n)) {
            fprintf(stderr, "marquee: cannot read the libraries\n");
            goto out;
        }
        for (size_t i = 0; i < n && !lib_id; i++)
            if (!strcmp(library, libs[i].row.id) || !strcasecmp(library, libs[i].row.name))
                lib_id = libs[i].row.id;
        if (!lib_id) {
            fprintf(stderr, "marquee: no library is called or has the id %s\n", library);
            goto out;
        }
    }
    struct bar b = {.tty = isatty(STDERR_FILENO), .started_ms = mq_clock_now_ms(&mq_clock_system)};
    struct mq_md_run_row run;
    mq_err err = mq_metadata_refresh(&ctx, a, item, lib_id, progress, &b, &run);
    if (b.tty) fputc('\n', stderr);
    if (err == MQ_ENOTFOUND) {
        fprintf(stderr, "marquee: no work has the id %s\n", item);
        goto out;
    }
    if (err) {
        fprintf(stderr, "marquee: the refresh failed: %s\n", mq_err_name(err));
        goto out;
    }
    printf("refreshed %lld works: %lld changed, %lld unchanged, %lld failed (run %s)\n",
           (long long)run.done, (long long)run.changed, (long long)run.unchanged,
           (long long)run.failed, run.id);
    status = run.failed ? 1 : 0;
out:
    mq_arena_free(a);
    mq_cli_services_close(&ctx);
    mq_config_cleanup(&cfg);
    return status;
}
