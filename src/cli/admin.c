/* admin.c - marquee migrate, audit, config, routes and version. */
#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "audit/audit.h"
#include "cli/cli.h"
#include "core/version.h"
#include "store/libpq.h"
#include "store/migrate.h"
#include "system/conf.h"

int mq_cli_migrate(int argc, char **argv)
{
    static const char *const extra[] = {"--status", NULL};
    bool seen[1] = {false};
    struct mq_config cfg;
    struct mq_log log;
    struct mq_store *store = NULL;
    int status = 1, version = 0, applied = 0;

    if (mq_cli_wants_help(argc, argv)) {
        mq_cli_help("migrate",
                    "Applies pending schema migrations and exits. The server also does this at "
                    "start-up.",
                    "  --status                         only report the schema version; exit 1 "
                    "if migrations are pending\n");
        return 0;
    }
    mq_cli_load_config(&cfg, argc, argv, extra, seen);
    mq_log_init(&log, mq_system_log_level(&cfg), STDERR_FILENO, &mq_clock_system);
    mq_cli_warn_unknown_env(&cfg, &log);
    if (mq_cli_open_store(&cfg, &log, &store)) goto out;
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

int mq_cli_audit(int argc, char **argv)
{
    struct mq_config cfg;
    struct mq_log log;
    struct mq_store *store = NULL;
    struct mq_audit_verdict v;
    int status = 1;
    if (argc < 1 || mq_cli_wants_help(argc, argv) || strcmp(argv[0], "verify")) {
        printf("usage: marquee audit verify [OPTIONS]\n\n"
               "Checks every link of the audit log's hash chain and reports the first broken one\n"
               "(exit 1). Configuration options as for serve.\n");
        return argc >= 1 && mq_cli_wants_help(argc, argv) ? 0 : MQ_EXIT_USAGE;
    }
    mq_cli_load_config(&cfg, argc - 1, argv + 1, NULL, NULL);
    mq_log_init(&log, mq_system_log_level(&cfg), STDERR_FILENO, &mq_clock_system);
    if (mq_cli_open_store(&cfg, &log, &store)) goto out;
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
    if (v.checkpoint_seq)
        printf("audit log intact: %lld entries after entry %lld (older ones purged under a "
               "signed checkpoint)\n",
               (long long)v.entries, (long long)v.checkpoint_seq);
    else
        printf("audit log intact: %lld entries\n", (long long)v.entries);
    status = 0;
out:
    mq_store_close(store);
    mq_config_cleanup(&cfg);
    return status;
}

int mq_cli_config(int argc, char **argv)
{
    static const char *const extra[] = {"--markdown", NULL};
    bool markdown = false;
    struct mq_config cfg;
    if (mq_cli_wants_help(argc, argv)) {
        mq_cli_help("config",
                    "Prints the effective configuration, one 'key = value  # source' line per "
                    "key, with secrets masked.",
                    "  --markdown                       print the table of every key instead (the "
                    "one in docs/configuration.md)\n");
        return 0;
    }
    mq_cli_load_config(&cfg, argc, argv, extra, &markdown);
    if (markdown) {
        mq_config_print_markdown(stdout);
        mq_config_cleanup(&cfg);
        return 0;
    }
    for (int i = 0; i < cfg.nunknown_env; i++)
        fprintf(stderr, "marquee: warning: ignoring unknown environment variable %s\n",
                cfg.unknown_env[i]);
    mq_config_print(&cfg, stdout);
    mq_config_cleanup(&cfg);
    return 0;
}

int mq_cli_routes(int argc, char **argv)
{
    static const struct {
        unsigned flag;
        const char *name;
    } names[] = {{MQ_ROUTE_UPLOAD, "upload"},
                 {MQ_ROUTE_QUERY_KEY, "query-key"},
                 {MQ_ROUTE_OWN_SESSION, "own-session"},
                 {MQ_ROUTE_ADMIN, "admin"},
                 {MQ_ROUTE_CALLER_OPTIONAL, "caller-optional"},
                 {MQ_ROUTE_IMPORT, "import"}};
    if (mq_cli_wants_help(argc, argv)) {
        printf("usage: marquee routes\n\nPrints every route of the API, one 'METHOD PATTERN "
               "PERMISSION FLAGS' line each, tab-separated: what the server checks before a "
               "handler runs (docs/internals/http.md).\n");
        return 0;
    }
    if (argc > 0) {
        fprintf(stderr, "marquee: routes takes no options\n");
        return MQ_EXIT_USAGE;
    }
    const struct mq_api_route *r;
    for (size_t i = 0; (r = mq_api_route(i)); i++) {
        unsigned flags = mq_api_route_flags(r);
        printf("%s\t%s\t%s\t", mq_method_name(r->method), r->pattern, r->permission);
        bool any = false;
        for (size_t f = 0; f < sizeof(names) / sizeof(names[0]); f++) {
            if (!(flags & names[f].flag)) continue;
            printf("%s%s", any ? "," : "", names[f].name);
            any = true;
        }
        printf("%s\n", any ? "" : "-");
    }
    return 0;
}

int mq_cli_version(int argc, char **argv)
{
    if (mq_cli_wants_help(argc, argv)) {
        printf("usage: marquee version\n\nPrints the version, the commit and the libraries in "
               "use.\n");
        return 0;
    }
    if (argc > 0) {
        fprintf(stderr, "marquee: version takes no options\n");
        return MQ_EXIT_USAGE;
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
