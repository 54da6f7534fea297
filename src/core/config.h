/* config.h - Marquee's configuration: one table of keys, four sources.
 *
 * Precedence: command-line flags > environment (MARQUEE_*) > config file >
 * defaults. Every key `foo_bar` is the flag `--foo-bar`, the variable
 * `MARQUEE_FOO_BAR` and the file line `foo_bar = value`. The full list with
 * meanings lives in docs/configuration.md and in `marquee config --help`.
 *
 * Keys marked live can also be changed while the server runs, from the admin
 * API (src/system/settings.h): a value stored there is a fifth source, below
 * the three an operator writes, so a key set in the file, the environment or
 * a flag stays as the operator set it. Each change makes a whole new config
 * (mq_config_copy, mq_config_set, mq_config_check) that replaces ctx->cfg. */
#ifndef MQ_CONFIG_H
#define MQ_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#include "core/err.h"
#include "core/log.h"
#include "core/netlist.h"
#include "core/ratepolicy.h"

enum mq_config_source { MQ_SRC_DEFAULT, MQ_SRC_FILE, MQ_SRC_ENV, MQ_SRC_FLAG, MQ_SRC_SETTINGS };

/* What a key is, for those that list them (the admin settings API). */
#define MQ_CONFIG_SECRET 1u /* never shown whole; sealed when stored as a setting */
#define MQ_CONFIG_LIVE   2u /* may change while the server runs */
#define MQ_CONFIG_PUBLIC 4u /* shown to anyone, signed in or not (a sign-in page's needs) */

enum mq_registration_mode { MQ_REGISTRATION_CLOSED, MQ_REGISTRATION_OPEN, MQ_REGISTRATION_INVITE };

struct mq_config {
    /* Strings are owned by the config (freed by mq_config_cleanup). */
    char *listen;
    char *data_dir;
    char *database_url; /* NULL or "" = SQLite under data_dir */
    char *server_name;  /* what people see this server called */
    char *public_url;   /* never ends with '/' */
    char *config_file;
    enum mq_log_level log_level;
    int http_threads;
    int http_max_connections;
    int http_max_connections_per_ip; /* 0 = no per-address limit */
    long http_max_body;              /* bytes */
    long http_max_header;            /* bytes, all header lines together */
    int http_idle_timeout;           /* seconds of silence before a connection is closed */
    int http_header_timeout;         /* seconds to deliver a complete request head */
    int shutdown_timeout;            /* seconds to let in-flight requests finish */
    char *tls_cert;
    char *tls_key;
    char *cors_origins; /* comma-separated list, as given */
    char **cors_list;   /* parsed, NULL-terminated */
    int db_pool_size;
    int db_acquire_timeout;   /* milliseconds */
    char *admin_token;        /* bootstrap token for the admin API; NULL = closed */
    char *master_key_file;    /* NULL = data_dir/master.key */
    long reauth_window;       /* ms a sign-in counts as recent for factor changes */
    long mfa_remember_device; /* ms a trusted device skips the second factor; 0 = off */
    char *webauthn_rp_id;     /* NULL = the host of public_url */
    char *webauthn_origins;   /* comma-separated; NULL = public_url's origin */
    int cpu_workers;          /* threads for password hashing; 0 = one per CPU */
    int password_min_length;
    int password_require_classes; /* 1 = lower, upper, digit and symbol each needed */
    long argon2_memory;           /* bytes */
    int argon2_iterations;
    long access_token_ttl; /* ms */
    long session_idle_ttl; /* ms without a refresh before a session ends */
    long session_max_ttl;  /* ms after which a session ends regardless */
    int sessions_per_user; /* the oldest is ended past this */
    int lockout_threshold; /* failed sign-ins in a row before a lock */
    long lockout_duration; /* ms */
    char *jwt_audience;
    char *rate_limit_login;               /* as given */
    struct mq_rate_policy rate_login;     /* per client address, on sign-in */
    char *rate_limit_register;            /* as given */
    struct mq_rate_policy rate_register;  /* per client address, on registration */
    char *rate_limit_forgot;              /* as given */
    struct mq_rate_policy rate_forgot;    /* per e-mail address, on reset/verify mail */
    char *rate_limit_default;             /* as given */
    struct mq_rate_policy rate_default;   /* per client address and per user, on /api/ */
    int registration;                     /* enum mq_registration_mode */
    int require_verified_email;           /* 1 = no sign-in before verification */
    long account_deletion_grace;          /* ms a deleted account can be restored */
    long avatar_max_size;                 /* bytes */
    long audit_retention;                 /* ms */
    char *smtp_url;                       /* NULL or "" = mail goes to the log */
    char *mail_from;                      /* required with smtp_url */
    long smtp_timeout;                    /* ms */
    char *trusted_proxies;                /* as given */
    struct mq_netlist trusted_proxy_nets; /* parsed: whose X-Forwarded-For counts */
    char *jobs_queues;                    /* "default:4,maintenance:1": worker pool per queue */
    long jobs_poll_interval; /* milliseconds between looks for jobs enqueued elsewhere */
    long jobs_lease;         /* milliseconds a claimed job is held without a heartbeat */
    long jobs_backoff_base;  /* milliseconds; retry n waits base * 2^(n-1), with jitter */
    long jobs_backoff_max;   /* milliseconds */
    long jobs_retention;     /* milliseconds completed and discarded jobs are kept */
    long jobs_stuck_after;   /* milliseconds one job may run before /readyz reports it */

    /* Parsed from `listen`. */
    struct sockaddr_storage listen_addr;
    socklen_t listen_addr_len;

    enum mq_config_source sources[96]; /* where each key's value came from */

    /* MARQUEE_* variables that name no key (usually typos), for the caller
     * to report through its logger. */
    char unknown_env[8][64];
    int nunknown_env;
};

/* Fills defaults. Never fails except on out of memory. */
MQ_MUST_CHECK mq_err mq_config_init(struct mq_config *cfg);
void mq_config_cleanup(struct mq_config *cfg);

/* Applies the config file (if --config / MARQUEE_CONFIG names one), the
 * environment and the flags in argv[0..argc), in precedence order, then
 * checks the whole. Flags not in the table are an error unless listed in
 * `extra` (NULL-terminated, boolean flags such as "--status"); those found are
 * flagged in extra_seen[]. On failure writes "KEY: reason" to errbuf and
 * returns MQ_EINVAL. */
MQ_MUST_CHECK mq_err mq_config_load(struct mq_config *cfg, int argc, char **argv,
                                    const char *const *extra, bool *extra_seen, char *errbuf,
                                    size_t errlen);

/* Checks what involves more than one key (mq_config_load does). On failure
 * writes "invalid KEY: reason" to errbuf and returns MQ_EINVAL. */
MQ_MUST_CHECK mq_err mq_config_check(const struct mq_config *cfg, char *errbuf, size_t errlen);

/* A deep copy; dst is cleaned up with mq_config_cleanup. */
MQ_MUST_CHECK mq_err mq_config_copy(struct mq_config *dst, const struct mq_config *src);

struct mq_config_key_info {
    const char *name;
    const char *type; /* string, url, address, integer, size, duration, boolean, rate, choice */
    const char *help;
    unsigned flags; /* MQ_CONFIG_* */
    long min, max;  /* integer, size (bytes), duration (ms); string: max = bytes; else 0 */
    const char *const *choices; /* choice: NULL-terminated; else NULL */
};

size_t mq_config_key_count(void);
void mq_config_key_info(size_t i, struct mq_config_key_info *out);
/* The key's position, or -1 when there is no such key. */
int mq_config_key_index(const char *name);
const char *mq_config_source_name(enum mq_config_source src);

/* A number, boolean (0/1) or choice (its position) key's value; false for
 * the others. */
bool mq_config_number(const struct mq_config *cfg, size_t i, long *out);

/* The value as the config file would give it; with mask, secrets hidden as
 * `marquee config` prints them. */
void mq_config_text(const struct mq_config *cfg, size_t i, bool mask, char *out, size_t outlen);

/* Validates and sets key i from text, as if from src. On failure writes
 * "invalid KEY (from SOURCE): reason" to errbuf and returns MQ_EINVAL. */
MQ_MUST_CHECK mq_err mq_config_set(struct mq_config *cfg, size_t i, const char *value,
                                   enum mq_config_source src, char *errbuf, size_t errlen);

/* Prints `key = value  # source` for every key, secrets masked. */
void mq_config_print(const struct mq_config *cfg, FILE *out);

/* Prints the flag list with defaults and descriptions. */
void mq_config_print_flags(FILE *out);

/* Masks the password in a database URL ("postgres://u:****@h/db") into out. */
void mq_config_mask_url(const char *url, char *out, size_t outlen);

bool mq_config_uses_postgres(const struct mq_config *cfg);

bool mq_config_tls_enabled(const struct mq_config *cfg);

#endif
