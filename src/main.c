/* main.c - picks the command; the commands themselves live in src/cli/.
 *
 * Exit status: 0 success, 1 failure at run time, 2 bad usage or configuration. */
#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "media/probe.h"

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
                 "  keys      rotate the master key (re-sealing secrets) or the signing key\n"
                 "  routes    list the API's routes and the permission each needs\n"
                 "  scan      scan the libraries into the catalogue\n"
                 "  probe     print what media files contain, as the scanner reads them\n"
                 "  metadata  refresh works from the metadata providers now\n"
                 "  version   print the version and the libraries in use\n\n"
                 "Run 'marquee COMMAND --help' for a command's options.\n");
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
        return MQ_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    /* Started by the server itself (media/probe.h), never by people. */
    if (!strcmp(cmd, "probe-helper") && argc == 4)
        return mq_probe_helper_main(3, strtoull(argv[2], NULL, 10), strtoll(argv[3], NULL, 10));
    if (!strcmp(cmd, "serve")) return mq_cli_serve(argc - 2, argv + 2);
    if (!strcmp(cmd, "migrate")) return mq_cli_migrate(argc - 2, argv + 2);
    if (!strcmp(cmd, "config")) return mq_cli_config(argc - 2, argv + 2);
    if (!strcmp(cmd, "jobs")) return mq_cli_jobs(argc - 2, argv + 2);
    if (!strcmp(cmd, "audit")) return mq_cli_audit(argc - 2, argv + 2);
    if (!strcmp(cmd, "user")) return mq_cli_user(argc - 2, argv + 2);
    if (!strcmp(cmd, "keys")) return mq_cli_keys(argc - 2, argv + 2);
    if (!strcmp(cmd, "routes")) return mq_cli_routes(argc - 2, argv + 2);
    if (!strcmp(cmd, "probe")) return mq_cli_probe(argc - 2, argv + 2);
    if (!strcmp(cmd, "scan")) return mq_cli_scan(argc - 2, argv + 2);
    if (!strcmp(cmd, "metadata")) return mq_cli_metadata(argc - 2, argv + 2);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version"))
        return mq_cli_version(argc - 2, argv + 2);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "marquee: unknown command \"%s\"\n\n", cmd);
    usage(stderr);
    return MQ_EXIT_USAGE;
}
