/* media.c - marquee probe (what a file contains, as the scanner sees it)
 * and marquee scan. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/ctx.h"
#include "system/conf.h"
#include "media/conf.h"
#include "media/libraries.h"
#include "media/probe.h"
#include "media/scanner.h"

bool mq_cli_self_exe(char *out, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", out, cap - 1);
    if (n <= 0 || (size_t)n >= cap - 1) return false;
    out[n] = 0;
    return true;
}

int mq_cli_probe(int argc, char **argv)
{
    struct mq_config cfg;
    struct mq_prober *prober = NULL;
    char exe[PATH_MAX];
    int status = 0, nfiles = 0;
    if (mq_cli_wants_help(argc, argv) || argc < 1) {
        mq_cli_help("probe FILE...",
                    "Prints what each file contains as the scanner reads it (container, streams, "
                    "chapters, tags), one JSON document per line, probed in a helper process as "
                    "the server does. Exit 1 if any file could not be read.",
                    NULL);
        return argc < 1 ? MQ_EXIT_USAGE : 0;
    }
    /* Files are the arguments that are not options. */
    char *opts[64];
    int nopts = 0;
    for (int i = 0; i < argc && nopts < 64; i++)
        if (!strncmp(argv[i], "--", 2)) opts[nopts++] = argv[i];
    mq_cli_load_config(&cfg, nopts, opts, NULL, NULL);
    const struct mq_media_conf *mc = mq_media_conf(&cfg);
    struct mq_prober_opts po = {.exe = exe,
                                .workers = 1,
                                .timeout_ms = mc->probe_timeout,
                                .memory_limit = (uint64_t)mc->probe_memory_limit};
    if (!mq_cli_self_exe(exe, sizeof(exe)) || mq_prober_new(&po, &prober)) {
        fprintf(stderr, "marquee: cannot set up the probe helper\n");
        mq_config_cleanup(&cfg);
        return 1;
    }
    for (int i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "--", 2)) continue;
        nfiles++;
        struct mq_arena *a = mq_arena_new(0);
        char why[256] = "";
        const char *json = NULL;
        int fd = open(argv[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        mq_err err =
            fd < 0 ? MQ_EIO : mq_prober_probe(prober, fd, argv[i], a, &json, why, sizeof(why));
        if (fd < 0) snprintf(why, sizeof(why), "%s", strerror(errno));
        if (fd >= 0) close(fd);
        if (err) {
            fprintf(stderr, "marquee: %s: %s\n", argv[i], why[0] ? why : mq_err_name(err));
            status = 1;
        } else {
            printf("%s\n", json);
        }
        mq_arena_free(a);
    }
    mq_prober_free(prober);
    mq_config_cleanup(&cfg);
    return nfiles ? status : MQ_EXIT_USAGE;
}

struct bar {
    bool tty;
    const char *name;
    int64_t started_ms;
    int64_t last_line; /* seen at the last plain line */
};

/* On a terminal, one line redrawn; otherwise a line per thousand files. */
static void show_progress(const struct mq_library_scan_row *r, void *arg)
{
    struct bar *b = arg;
    int64_t done = r->seen, total = r->total ? r->total : 1;
    double secs = (double)(mq_clock_now_ms(&mq_clock_system) - b->started_ms) / 1000;
    double rate = secs > 0 ? (double)done / secs : 0;
    long eta = rate > 0 ? (long)((double)(total - done) / rate) : 0;
    if (b->tty) {
        char bar[31];
        int filled = (int)(30 * done / total);
        for (int i = 0; i < 30; i++) bar[i] = i < filled ? '#' : '.';
        bar[30] = 0;
        fprintf(stderr, "\r%s [%s] %lld/%lld files, %.0f/s, ETA %ldm%02lds   ", b->name, bar,
                (long long)done, (long long)r->total, rate, eta / 60, eta % 60);
        fflush(stderr);
    } else if (done - b->last_line >= 1000 || done == r->total) {
        b->last_line = done;
        fprintf(stderr, "%s: %lld/%lld files, %lld new, %lld changed, %lld failed, %.0f/s\n",
                b->name, (long long)done, (long long)r->total, (long long)r->new_files,
                (long long)r->changed, (long long)r->failed, rate);
    }
}

int mq_cli_scan(int argc, char **argv)
{
    const char *which = NULL;
    bool full = false;
    const struct mq_cli_opt opts[] = {{"--library", &which, NULL}, {"--full", NULL, &full}};
    struct mq_cli_args args;
    struct mq_config cfg;
    struct mq_log log;
    struct mq_store *store = NULL;
    struct mq_prober *prober = NULL;
    struct mq_arena *a = NULL;
    char exe[PATH_MAX];
    int status = 1, scanned = 0;
    if (mq_cli_wants_help(argc, argv)) {
        mq_cli_help("scan",
                    "Scans every library, or the one --library names (by id or name), into the "
                    "catalogue and exits; exit 1 if a scan failed. A running server is not "
                    "needed, and may run at the same time.",
                    "  --library ID|NAME                only this library\n"
                    "  --full                           probe every file again, changed or not\n");
        return 0;
    }
    if (mq_cli_split_args(argc, argv, opts, sizeof(opts) / sizeof(opts[0]), &args) ||
        args.npositional) {
        fprintf(stderr, "usage: marquee scan [--library ID|NAME] [--full] [OPTIONS]\n");
        return MQ_EXIT_USAGE;
    }
    mq_cli_load_config(&cfg, args.nconfig, args.config_args, NULL, NULL);
    mq_log_init(&log, mq_system_log_level(&cfg), STDERR_FILENO, &mq_clock_system);
    mq_cli_warn_unknown_env(&cfg, &log);
    if (mq_cli_open_current_store(&cfg, &log, &store)) goto out;
    const struct mq_media_conf *mc = mq_media_conf(&cfg);
    struct mq_prober_opts po = {.exe = exe,
                                .workers = mc->probe_workers,
                                .timeout_ms = mc->probe_timeout,
                                .memory_limit = (uint64_t)mc->probe_memory_limit};
    if (!mq_cli_self_exe(exe, sizeof(exe)) || mq_prober_new(&po, &prober)) {
        fprintf(stderr, "marquee: cannot set up the probe helpers\n");
        goto out;
    }
    struct mq_ctx ctx = {.cfg = &cfg,
                         .log = &log,
                         .store = store,
                         .clock = &mq_clock_system,
                         .rng = &mq_rng_system,
                         .prober = prober};
    a = mq_arena_new(0);
    struct mq_library *libs = NULL;
    size_t n = 0;
    if (!a || mq_libraries_list(&ctx, a, NULL, &libs, &n)) {
        fprintf(stderr, "marquee: cannot read the libraries\n");
        goto out;
    }
    status = 0;
    for (size_t i = 0; i < n; i++) {
        if (which && strcmp(which, libs[i].row.id) && strcasecmp(which, libs[i].row.name)) continue;
        scanned++;
        struct bar b = {.tty = isatty(STDERR_FILENO),
                        .name = libs[i].row.name,
                        .started_ms = mq_clock_now_ms(&mq_clock_system)};
        struct mq_scan_opts so = {.full = full, .progress = show_progress, .arg = &b};
        struct mq_library_scan_row row;
        mq_err err = mq_scan_library(&ctx, a, libs[i].row.id, &so, &row);
        if (b.tty) fputc('\n', stderr);
        if (err) {
            fprintf(stderr, "marquee: scanning %s failed: %s\n", libs[i].row.name,
                    row.error ? row.error : mq_err_name(err));
            status = 1;
            continue;
        }
        printf("%s: %lld files: %lld new, %lld changed, %lld unchanged, %lld moved, %lld probed, "
               "%lld failed, %lld skipped, %lld missing, %lld removed\n",
               libs[i].row.name, (long long)row.seen, (long long)row.new_files,
               (long long)row.changed, (long long)row.unchanged, (long long)row.moved,
               (long long)row.probed, (long long)row.failed, (long long)row.skipped,
               (long long)row.missing, (long long)row.removed);
    }
    if (which && !scanned) {
        fprintf(stderr, "marquee: no library is called or has the id %s\n", which);
        status = 1;
    }
out:
    mq_arena_free(a);
    mq_prober_free(prober);
    mq_store_close(store);
    mq_config_cleanup(&cfg);
    return status;
}
