/* media.c - marquee probe (what a file contains, as the scanner sees it)
 * and marquee scan. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "media/conf.h"
#include "media/probe.h"

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
