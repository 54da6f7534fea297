/* cli.h - the command line: one entry point per command, and what they
 * share (configuration, the store, option parsing).
 *
 * Exit status: 0 success, 1 failure at run time, MQ_EXIT_USAGE (2) bad usage
 * or configuration. main.c only picks the command. */
#ifndef MQ_CLI_H
#define MQ_CLI_H

#include <stdbool.h>
#include <jansson.h>
#include <stddef.h>

#include "core/config.h"
#include "core/log.h"
#include "store/store.h"

#define MQ_EXIT_USAGE 2

struct mq_ctx;

/* Commands: argv holds what follows the command's name. */
int mq_cli_serve(int argc, char **argv);
int mq_cli_migrate(int argc, char **argv);
int mq_cli_config(int argc, char **argv);
int mq_cli_version(int argc, char **argv);
int mq_cli_jobs(int argc, char **argv);
int mq_cli_user(int argc, char **argv);
int mq_cli_audit(int argc, char **argv);
int mq_cli_keys(int argc, char **argv);
int mq_cli_routes(int argc, char **argv);
int mq_cli_probe(int argc, char **argv);
int mq_cli_scan(int argc, char **argv);
int mq_cli_metadata(int argc, char **argv);

/* The running binary's path (for the probe helpers it starts). */
bool mq_cli_self_exe(char *out, size_t cap);

/* Prints "usage: marquee CMD [OPTIONS]", what, extra lines and every
 * configuration flag. */
void mq_cli_help(const char *cmd, const char *what, const char *extra);
bool mq_cli_wants_help(int argc, char **argv);

/* Loads the configuration, or exits with status 2 naming the bad key. */
void mq_cli_load_config(struct mq_config *cfg, int argc, char **argv, const char *const *extra,
                        bool *extra_seen);
void mq_cli_warn_unknown_env(const struct mq_config *cfg, const struct mq_log *log);

/* The context `serve` runs on, over cfg and log: the system clock and
 * randomness, the store, the event bus, the rate limiter, the audit writer,
 * the CPU pool, the token and permission caches, the master keys. MQ_OK or
 * an error, logged. The schema, the signing keys and the settings come
 * after, once the database is reachable (ctx->keyring, ctx->settings). */
MQ_MUST_CHECK mq_err mq_cli_services_open(struct mq_ctx *ctx, const struct mq_config *cfg,
                                          const struct mq_log *log);
/* Runs the work queued on the CPU and image pools to its end, then stops
 * them (their work resumes suspended connections: before the HTTP server
 * stops). */
void mq_cli_pools_free(struct mq_ctx *ctx);

/* Frees what mq_cli_services_open and the start-up after it made, also of
 * a context opened in part. Stop the HTTP server and the jobs first. */
void mq_cli_services_close(struct mq_ctx *ctx);

/* mkdir -p with mode 0700; 0 or -1 (errno set). */
int mq_cli_make_dirs(const char *path);

/* Creates data_dir and opens the configured store. */
MQ_MUST_CHECK mq_err mq_cli_open_store(const struct mq_config *cfg, const struct mq_log *log,
                                       struct mq_store **out);

/* The same, with the schema brought up to date (for commands that work on
 * accounts and keys); says so on stderr when it cannot. */
MQ_MUST_CHECK mq_err mq_cli_open_current_store(const struct mq_config *cfg,
                                               const struct mq_log *log, struct mq_store **out);

/* A command's own options, told apart from the configuration flags (which
 * all take a value) and from positional arguments. */
struct mq_cli_opt {
    const char *flag;
    const char **value; /* for options with a value */
    bool *set;          /* for options without */
};

struct mq_cli_args {
    const char *positional[4];
    int npositional;
    char *config_args[64];
    int nconfig;
};

/* Splits argv into the command's options (opts), configuration flags (all
 * of which take a value) and positional arguments. -1 on a malformed line. */
int mq_cli_split_args(int argc, char **argv, const struct mq_cli_opt *opts, size_t nopts,
                      struct mq_cli_args *out);

/* Records an audit event done from the command line by the invoking OS
 * user; takes `details`. Best effort: the change itself is done. */
void mq_cli_record(struct mq_ctx *ctx, const char *action, const char *target_type,
                   const char *target_id, json_t *details);

/* A whole number in [lo, hi]. */
bool mq_cli_parse_int(const char *s, long lo, long hi, long *out);

#endif
