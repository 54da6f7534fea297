/* config.h - the configuration: keys that modules declare, four sources,
 * one snapshot.
 *
 * Each module that has settings declares them in a file of its own, as a
 * table (struct mq_config_module with its struct mq_setting rows, the way
 * nginx modules declare their command tables): name, type, where the value
 * lives in the module's own struct, default, range, flags, a rule of its own
 * and a description. The build gathers every such declaration in src/
 * (build/gen/config_modules.c), so adding a subsystem's settings touches no
 * file here. Core keeps what is common to all: parsing values by type, the
 * precedence, copies for the snapshot swap, and listings.
 *
 * Precedence: command-line flags > environment (MARQUEE_*) > config file >
 * defaults. Every key `foo_bar` is the flag `--foo-bar`, the variable
 * `MARQUEE_FOO_BAR` and the file line `foo_bar = value`. `--help`,
 * `marquee config`, the admin settings API and docs/configuration.md are
 * all made from the declarations.
 *
 * Keys marked live can also be changed while the server runs, from the admin
 * API (src/system/settings.h): a value stored there is a fifth source, below
 * the three an operator writes, so a key set in the file, the environment or
 * a flag stays as the operator set it. Each change makes a whole new config
 * (mq_config_copy, mq_config_set, mq_config_check) that replaces ctx->cfg.
 * A module may also declare live settings that are no configuration key at
 * all (struct mq_live_setting): only the admin API holds them. */
#ifndef MQ_CONFIG_H
#define MQ_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/netlist.h"
#include "core/ratepolicy.h"

struct mq_db;

enum mq_config_source { MQ_SRC_DEFAULT, MQ_SRC_FILE, MQ_SRC_ENV, MQ_SRC_FLAG, MQ_SRC_SETTINGS };

/* What a key is. */
#define MQ_CONFIG_SECRET     1u  /* never shown whole; sealed when stored as a setting */
#define MQ_CONFIG_LIVE       2u  /* may change while the server runs */
#define MQ_CONFIG_PUBLIC     4u  /* shown to anyone, signed in or not (a sign-in page's needs) */
#define MQ_CONFIG_REQUIRED   8u  /* a string that must not be empty */
#define MQ_CONFIG_TRIM_SLASH 16u /* a URL kept without trailing slashes */

/* The types of values, and what each stores in the module's struct. */
enum mq_setting_type {
    MQ_SETTING_STRING,   /* char *, NULL when unset */
    MQ_SETTING_URL,      /* char *, as STRING; shown as a url */
    MQ_SETTING_NAME,     /* char *: 1 to max bytes of UTF-8 without control characters */
    MQ_SETTING_INT,      /* int, min to max */
    MQ_SETTING_SIZE,     /* long bytes, min to max: 512, 64KiB, 1MiB, 1GiB, 10kB, 2MB */
    MQ_SETTING_DURATION, /* long ms, min to max: 500ms, 30s, 5m, 2h, 7d or a bare number of ms */
    MQ_SETTING_BOOL,     /* int 0 or 1: true/false, yes/no, 1/0 */
    MQ_SETTING_CHOICE,   /* int: the position of the value in choices */
    MQ_SETTING_ADDRESS,  /* struct mq_conf_address: ADDRESS:PORT, [IPv6]:PORT */
    MQ_SETTING_LIST,     /* struct mq_conf_list: comma-separated items */
    MQ_SETTING_NETS,     /* struct mq_conf_nets: IPs and CIDRs */
    MQ_SETTING_RATE,     /* struct mq_conf_rate: "10/min", "60/min,1000/h" or "off" */
};

struct mq_conf_address {
    char *text;
    struct sockaddr_storage addr;
    socklen_t len;
};

struct mq_conf_list {
    char *text;
    char **items; /* NULL-terminated; NULL when unset */
};

struct mq_conf_nets {
    char *text;
    struct mq_netlist nets;
};

struct mq_conf_rate {
    char *text;
    struct mq_rate_policy policy; /* named after the key without "rate_limit_" */
};

/* One key, as a module declares it. */
struct mq_setting {
    const char *name;
    enum mq_setting_type type;
    size_t offset;              /* of the value in the module's struct */
    const char *def;            /* the default, as the file would give it; NULL = unset */
    const char *def_doc;        /* the default in words when it follows from others; NULL = def */
    long min, max;              /* INT, SIZE, DURATION; NAME and STRING: max = longest in bytes */
    unsigned flags;             /* MQ_CONFIG_* */
    const char *const *choices; /* CHOICE: NULL-terminated */
    /* A rule of the key's own beyond its type (a URL's scheme): on the text
     * (n bytes), or on each item of a LIST. False with *why to refuse. */
    bool (*valid)(const char *text, size_t n, const char **why);
    const char *help;
};

struct mq_config;
struct mq_refusal;

/* A setting that is no configuration key: only the admin settings hold it,
 * and its module keeps it where its rules are (the MFA policy). */
struct mq_live_setting {
    const char *name;
    const char *type; /* as the settings API shows it ("roles") */
    const char *help;
    /* Its value, in the caller's transaction: a new reference. */
    MQ_MUST_CHECK mq_err (*read)(struct mq_db *db, struct mq_arena *a, json_t **value);
    /* Sets it in the caller's write transaction; MQ_EINVAL with *why for a
     * value it cannot take. */
    MQ_MUST_CHECK mq_err (*write)(struct mq_db *db, struct mq_arena *a, json_t *value,
                                  int64_t now_ms, struct mq_refusal *why);
};

/* The number of rows of a module's table, for nsettings and nlive. */
#define MQ_CONFIG_COUNT(table) (sizeof(table) / sizeof((table)[0]))

/* What a module declares. Define it as `const struct mq_config_module
 * mq_config_NAME = {` at the start of a line: the build finds it so. */
struct mq_config_module {
    const char *name;
    int rank;    /* where its keys come in every listing, lowest first */
    size_t size; /* of its values' struct */
    const struct mq_setting *settings;
    size_t nsettings;
    /* Rules across keys, on the whole configuration; writes "invalid KEY:
     * reason" to errbuf. NULL for none. */
    MQ_MUST_CHECK mq_err (*check)(const struct mq_config *cfg, char *errbuf, size_t errlen);
    /* Fills what follows from other keys when it was not given (public_url
     * from listen), once every source is read. NULL for none. */
    MQ_MUST_CHECK mq_err (*complete)(struct mq_config *cfg);
    const struct mq_live_setting *live;
    size_t nlive;
};

/* Every module's values and where each key's came from. Made by
 * mq_config_init, freed by mq_config_cleanup. */
struct mq_config {
    void **values;                  /* by module, in the order of the build's list */
    enum mq_config_source *sources; /* by key index */
    /* MARQUEE_* variables that name no key (usually typos), for the caller
     * to report through its logger. */
    char unknown_env[8][64];
    int nunknown_env;
};

/* The module's values in cfg. */
const void *mq_config_values(const struct mq_config *cfg, const struct mq_config_module *m);
void *mq_config_values_mut(struct mq_config *cfg, const struct mq_config_module *m);

/* Fills defaults. Never fails except on out of memory. */
MQ_MUST_CHECK mq_err mq_config_init(struct mq_config *cfg);
void mq_config_cleanup(struct mq_config *cfg);

/* Applies the config file (if --config / MARQUEE_CONFIG names one), the
 * environment and the flags in argv[0..argc), in precedence order, then
 * completes and checks the whole. Flags not in the table are an error
 * unless listed in `extra` (NULL-terminated, boolean flags such as
 * "--status"); those found are flagged in extra_seen[]. On failure writes
 * "KEY: reason" to errbuf and returns MQ_EINVAL. */
MQ_MUST_CHECK mq_err mq_config_load(struct mq_config *cfg, int argc, char **argv,
                                    const char *const *extra, bool *extra_seen, char *errbuf,
                                    size_t errlen);

/* The rules across keys of every module (mq_config_load runs them). On
 * failure writes "invalid KEY: reason" to errbuf and returns MQ_EINVAL. */
MQ_MUST_CHECK mq_err mq_config_check(const struct mq_config *cfg, char *errbuf, size_t errlen);

/* A deep copy; dst is cleaned up with mq_config_cleanup. */
MQ_MUST_CHECK mq_err mq_config_copy(struct mq_config *dst, const struct mq_config *src);

struct mq_config_key_info {
    const char *name;
    const char *module;
    const char *type; /* string, url, address, integer, size, duration, boolean, rate, choice */
    const char *help;
    const char *def; /* as given to the file, or in words; NULL when unset */
    unsigned flags;  /* MQ_CONFIG_* */
    long min, max;   /* integer, size (bytes), duration (ms); string: max = bytes; else 0 */
    const char *const *choices; /* choice: NULL-terminated; else NULL */
};

/* Keys, in listing order: the modules by rank, each module's as declared. */
size_t mq_config_key_count(void);
void mq_config_key_info(size_t i, struct mq_config_key_info *out);
/* The key's position, or -1 when there is no such key. */
int mq_config_key_index(const char *name);
const char *mq_config_source_name(enum mq_config_source src);

/* The live settings that are no configuration key, of every module. */
size_t mq_config_live_count(void);
const struct mq_live_setting *mq_config_live(size_t i);

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

/* Prints the key reference of docs/configuration.md (a Markdown table). */
void mq_config_print_markdown(FILE *out);

/* Masks the password in a URL ("postgres://u:****@h/db") into out. */
void mq_config_mask_url(const char *url, char *out, size_t outlen);

/* Checks a "scheme://host[:port]" origin of n bytes, with nothing after it. */
bool mq_config_origin_valid(const char *s, size_t n, const char **why);

/* An http:// or https:// URL with a host and no query or fragment. */
bool mq_config_http_url_valid(const char *s, size_t n, const char **why);

#endif
