#include "core/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/text.h"
#include "core/utf8.h"

extern char **environ;

enum key_kind {
    K_STRING,   /* free text, non-empty */
    K_OPTIONAL, /* free text, may be empty */
    K_LISTEN,
    K_DB_URL,
    K_SMTP_URL,
    K_PUBLIC_URL,
    K_LEVEL,
    K_INT,
    K_SIZE,
    K_DURATION, /* stored as long milliseconds */
    K_ORIGINS,
    K_QUEUES,
    K_NETS,
    K_RATE,
    K_BOOL,   /* stored as int 0/1 */
    K_NAME,   /* a short display name: UTF-8, no control characters */
    K_CHOICE, /* one of the key's choices, stored as int: its position */
};

struct config_key {
    const char *name;
    enum key_kind kind;
    size_t offset;
    const char *def; /* NULL = unset */
    long min, max;   /* K_INT, K_SIZE, K_DURATION; K_NAME: max = longest in bytes */
    unsigned flags;  /* MQ_CONFIG_SECRET, MQ_CONFIG_LIVE, MQ_CONFIG_PUBLIC */
    const char *help;
};

#define SECRET MQ_CONFIG_SECRET
#define LIVE   MQ_CONFIG_LIVE
#define PUBLIC MQ_CONFIG_PUBLIC

#define OFF(field) offsetof(struct mq_config, field)

/* The values of each K_CHOICE key, in the order of their numbers. */
static const char *const registration_modes[] = {"closed", "open", "invite", NULL};

static const struct {
    size_t offset;
    const char *const *values;
} choice_lists[] = {{OFF(registration), registration_modes}};

/* Order is the order `marquee config` prints. Index = position in sources[]. */
static const struct config_key keys[] = {
    {"config", K_OPTIONAL, OFF(config_file), NULL, 0, 0, 0,
     "configuration file (key = value lines)"},
    {"listen", K_LISTEN, OFF(listen), "127.0.0.1:8096", 0, 0, 0,
     "address and port to listen on (IPv6 as [::1]:8096; port 0 picks a free one)"},
    {"data_dir", K_STRING, OFF(data_dir), "./data", 0, 0, 0,
     "directory for the SQLite database and other state"},
    {"database_url", K_DB_URL, OFF(database_url), NULL, 0, 0, SECRET,
     "postgres://... to use PostgreSQL; unset for SQLite in data_dir"},
    {"server_name", K_NAME, OFF(server_name), "Marquee", 0, 64, LIVE | PUBLIC,
     "the name people see for this server: sign-in page, e-mail sender, authenticator apps"},
    {"public_url", K_PUBLIC_URL, OFF(public_url), NULL, 0, 0, LIVE,
     "URL users reach the server at, used in links (default: from listen)"},
    {"log_level", K_LEVEL, OFF(log_level), "info", 0, 0, 0, "debug, info, warn or error"},
    {"http_threads", K_INT, OFF(http_threads), "0", 0, 256, 0,
     "HTTP worker threads (0 = one per CPU)"},
    {"http_max_connections", K_INT, OFF(http_max_connections), "1024", 1, 65536, 0,
     "open connections accepted at once"},
    {"http_max_connections_per_ip", K_INT, OFF(http_max_connections_per_ip), "0", 0, 65536, 0,
     "open connections per client address (0 = no limit)"},
    {"http_max_body", K_SIZE, OFF(http_max_body), "1MiB", 1024, 1L << 30, 0,
     "largest request body accepted (413 above)"},
    {"http_max_header", K_SIZE, OFF(http_max_header), "16KiB", 1024, 1L << 20, 0,
     "largest request head accepted, all header lines together (431 above)"},
    {"http_idle_timeout", K_INT, OFF(http_idle_timeout), "30", 1, 3600, 0,
     "seconds a connection may stay silent before it is closed"},
    {"http_header_timeout", K_INT, OFF(http_header_timeout), "10", 1, 3600, 0,
     "seconds a client has to send a complete request head"},
    {"shutdown_timeout", K_INT, OFF(shutdown_timeout), "30", 0, 3600, 0,
     "seconds in-flight requests may take to finish on SIGTERM"},
    {"tls_cert", K_OPTIONAL, OFF(tls_cert), NULL, 0, 0, 0,
     "PEM certificate chain; with tls_key, serve HTTPS"},
    {"tls_key", K_OPTIONAL, OFF(tls_key), NULL, 0, 0, 0, "PEM private key for tls_cert"},
    {"cors_origins", K_ORIGINS, OFF(cors_origins), NULL, 0, 0, 0,
     "comma-separated origins allowed to call the API from a browser"},
    {"db_pool_size", K_INT, OFF(db_pool_size), "8", 1, 256, 0,
     "database connections (readers on SQLite, all on PostgreSQL)"},
    {"db_acquire_timeout", K_INT, OFF(db_acquire_timeout), "5000", 1, 600000, 0,
     "milliseconds to wait for a free database connection"},
    {"trusted_proxies", K_NETS, OFF(trusted_proxies), NULL, 0, 0, 0,
     "proxies (IPs or CIDRs) whose X-Forwarded-For names the client; none by default"},
    {"cpu_workers", K_INT, OFF(cpu_workers), "0", 0, 64, 0,
     "threads for password hashing (0 = one per CPU); at most 256 waiting, then 503"},
    {"password_min_length", K_INT, OFF(password_min_length), "12", 8, 128, LIVE | PUBLIC,
     "shortest password accepted"},
    {"password_require_classes", K_BOOL, OFF(password_require_classes), "false", 0, 0,
     LIVE | PUBLIC, "require lower case, upper case, a digit and a symbol in passwords"},
    {"argon2_memory", K_SIZE, OFF(argon2_memory), "19MiB", 8L << 20, 1L << 30, 0,
     "memory argon2id uses per password hash (OWASP minimum: 19MiB)"},
    {"argon2_iterations", K_INT, OFF(argon2_iterations), "2", 1, 10, 0,
     "argon2id passes (OWASP minimum with 19MiB: 2)"},
    {"access_token_ttl", K_DURATION, OFF(access_token_ttl), "15m", 60000, 86400000L, LIVE,
     "lifetime of an access token"},
    {"session_idle_ttl", K_DURATION, OFF(session_idle_ttl), "30d", 60000, 31536000000L, LIVE,
     "a session unused (not refreshed) this long ends"},
    {"session_max_ttl", K_DURATION, OFF(session_max_ttl), "90d", 60000, 31536000000L, LIVE,
     "a session ends this long after sign-in, used or not"},
    {"sessions_per_user", K_INT, OFF(sessions_per_user), "20", 1, 1000, LIVE,
     "sessions a user may hold; signing in past this ends the oldest"},
    {"lockout_threshold", K_INT, OFF(lockout_threshold), "5", 1, 100, LIVE,
     "failed sign-ins in a row that lock an account"},
    {"lockout_duration", K_DURATION, OFF(lockout_duration), "15m", 1000, 86400000L, LIVE,
     "how long a locked account stays locked"},
    {"jwt_audience", K_STRING, OFF(jwt_audience), "marquee", 0, 0, 0, "aud of access tokens"},
    {"rate_limit_login", K_RATE, OFF(rate_limit_login), "10/min", 0, 0, LIVE,
     "sign-in attempts per client address"},
    {"rate_limit_register", K_RATE, OFF(rate_limit_register), "5/h", 0, 0, LIVE,
     "registrations per client address"},
    {"rate_limit_forgot", K_RATE, OFF(rate_limit_forgot), "3/h", 0, 0, LIVE,
     "password-reset and verification e-mails per address asked for"},
    {"rate_limit_default", K_RATE, OFF(rate_limit_default), "1200/min", 0, 0, LIVE,
     "requests per client address, and per signed-in user, to /api/ (such as 600/min,20000/h, "
     "or off)"},
    {"registration", K_CHOICE, OFF(registration), "closed", 0, 0, LIVE | PUBLIC,
     "who may create an account with POST /api/v1/auth/register: closed (no one), open "
     "(anyone) or invite (holders of an invitation)"},
    {"require_verified_email", K_BOOL, OFF(require_verified_email), "false", 0, 0, LIVE | PUBLIC,
     "refuse sign-in until the account's e-mail address is verified"},
    {"account_deletion_grace", K_DURATION, OFF(account_deletion_grace), "30d", 60000, 31536000000L,
     LIVE, "a deleted account can be restored by signing in for this long"},
    {"avatar_max_size", K_SIZE, OFF(avatar_max_size), "5MiB", 1024, 64L << 20, 0,
     "largest avatar image accepted"},
    {"audit_retention", K_DURATION, OFF(audit_retention), "90d", 3600000L, 3650L * 86400000L, LIVE,
     "audit entries older than this are purged (the chain stays verifiable)"},
    {"smtp_url", K_SMTP_URL, OFF(smtp_url), NULL, 0, 0, SECRET | LIVE,
     "smtp://[user:pass@]host:port (STARTTLS when offered) or smtps://...; unset = mail is "
     "logged"},
    {"mail_from", K_OPTIONAL, OFF(mail_from), NULL, 0, 0, LIVE,
     "sender address of Marquee's e-mail, such as marquee@example.org"},
    {"smtp_timeout", K_DURATION, OFF(smtp_timeout), "30s", 1000, 600000L, LIVE,
     "how long one SMTP delivery may take"},
    {"master_key_file", K_OPTIONAL, OFF(master_key_file), NULL, 0, 0, 0,
     "file of the keys that seal secrets in the database (default data_dir/master.key); "
     "instances sharing a database must share it"},
    {"reauth_window", K_DURATION, OFF(reauth_window), "10m", 1000, 86400000L, LIVE,
     "changing a second factor needs a sign-in or re-authentication this recent"},
    {"mfa_remember_device", K_DURATION, OFF(mfa_remember_device), "30d", 0, 31536000000L, LIVE,
     "how long \"remember this device\" skips the second factor (0 = never offered)"},
    {"webauthn_rp_id", K_OPTIONAL, OFF(webauthn_rp_id), NULL, 0, 0, 0,
     "WebAuthn relying party id, a domain (default: the host of public_url)"},
    {"webauthn_origins", K_OPTIONAL, OFF(webauthn_origins), NULL, 0, 0, 0,
     "origins WebAuthn ceremonies may come from, comma-separated (default: public_url's)"},
    {"admin_token", K_OPTIONAL, OFF(admin_token), NULL, 0, 0, SECRET,
     "bearer token for the admin API until accounts exist (unset = admin API closed)"},
    {"jobs_queues", K_QUEUES, OFF(jobs_queues), "default:2,maintenance:1", 0, 0, 0,
     "background job queues and their worker counts, as name:workers,..."},
    {"jobs_poll_interval", K_DURATION, OFF(jobs_poll_interval), "1s", 10, 3600000L, 0,
     "how often workers look for jobs enqueued by other processes or due later"},
    {"jobs_lease", K_DURATION, OFF(jobs_lease), "60s", 1000, 86400000L, 0,
     "how long a claimed job is held; renewed while it runs, so a dead process's jobs return"},
    {"jobs_backoff_base", K_DURATION, OFF(jobs_backoff_base), "1s", 1, 86400000L, 0,
     "first retry delay; doubles per attempt, with jitter"},
    {"jobs_backoff_max", K_DURATION, OFF(jobs_backoff_max), "1h", 1, 604800000L, 0,
     "longest retry delay"},
    {"jobs_retention", K_DURATION, OFF(jobs_retention), "7d", 60000, 31536000000L, 0,
     "how long completed and discarded jobs are kept before the purge job removes them"},
    {"jobs_stuck_after", K_DURATION, OFF(jobs_stuck_after), "15m", 1000, 604800000L, 0,
     "a job running longer than this makes /readyz report the queue as stuck"},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))
_Static_assert(NKEYS <= sizeof(((struct mq_config *)0)->sources) /
                            sizeof(((struct mq_config *)0)->sources[0]),
               "grow mq_config.sources");

static const char *const source_names[] = {"default", "file", "environment", "flag", "settings"};

static void set_error(char *errbuf, size_t errlen, const struct config_key *k,
                      enum mq_config_source src, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void set_error(char *errbuf, size_t errlen, const struct config_key *k,
                      enum mq_config_source src, const char *fmt, ...)
{
    char reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    snprintf(errbuf, errlen, "invalid %s (from %s): %s", k->name, source_names[src], reason);
}

/* The field a key describes; callers know its type from k->kind. */
static void *field(struct mq_config *cfg, const struct config_key *k)
{
    return (char *)cfg + k->offset;
}

static const void *cfield(const struct mq_config *cfg, const struct config_key *k)
{
    return (const char *)cfg + k->offset;
}

static char **str_field(struct mq_config *cfg, const struct config_key *k)
{
    return field(cfg, k);
}

static bool parse_long(const char *s, long *out)
{
    char *end;
    if (!*s) return false;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end) return false;
    *out = v;
    return true;
}

/* Accepts a byte count with an optional unit: 512, 64KiB, 1MiB, 1GiB, 10kB, 2MB. */
static bool parse_size(const char *s, long *out)
{
    char *end;
    if (!isdigit((unsigned char)*s)) return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) return false;
    unsigned long long mul = 1;
    if (!*end || !strcmp(end, "B"))
        mul = 1;
    else if (!strcmp(end, "KiB") || !strcmp(end, "K"))
        mul = 1024;
    else if (!strcmp(end, "MiB") || !strcmp(end, "M"))
        mul = 1024 * 1024;
    else if (!strcmp(end, "GiB") || !strcmp(end, "G"))
        mul = 1024 * 1024 * 1024;
    else if (!strcmp(end, "kB"))
        mul = 1000;
    else if (!strcmp(end, "MB"))
        mul = 1000 * 1000;
    else if (!strcmp(end, "GB"))
        mul = 1000 * 1000 * 1000;
    else
        return false;
    if (v > (unsigned long long)LONG_MAX / mul) return false;
    *out = (long)(v * mul);
    return true;
}

/* Accepts 500ms, 30s, 5m, 2h, 7d, or a bare number of milliseconds. */
static bool parse_duration(const char *s, long *out)
{
    char *end;
    if (!isdigit((unsigned char)*s)) return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) return false;
    unsigned long long mul;
    if (!*end || !strcmp(end, "ms"))
        mul = 1;
    else if (!strcmp(end, "s"))
        mul = 1000;
    else if (!strcmp(end, "m"))
        mul = 60 * 1000;
    else if (!strcmp(end, "h"))
        mul = 3600 * 1000;
    else if (!strcmp(end, "d"))
        mul = 86400 * 1000;
    else
        return false;
    if (v > (unsigned long long)LONG_MAX / mul) return false;
    *out = (long)(v * mul);
    return true;
}

/* name:workers[,name:workers...]: names are [a-z0-9_-]{1,32}, workers 0..64. */
static bool valid_queues(const char *s, const char **why)
{
    const char *p = s;
    int count = 0;
    while (*p) {
        const char *name = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-') p++;
        size_t n = (size_t)(p - name);
        if (n == 0 || n > 32 || *p != ':') {
            *why = "expected name:workers,... with names of a-z 0-9 _ - (at most 32)";
            return false;
        }
        p++;
        char *end;
        long w = strtol(p, &end, 10);
        if (end == p || w < 0 || w > 64) {
            *why = "each queue needs 0 to 64 workers";
            return false;
        }
        p = end;
        if (++count > 16) {
            *why = "at most 16 queues";
            return false;
        }
        if (*p == ',')
            p++;
        else if (*p) {
            *why = "expected name:workers,... separated by commas";
            return false;
        }
    }
    return true;
}

static bool parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
                         const char **why)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    if (!colon) {
        *why = "expected ADDRESS:PORT, for example 127.0.0.1:8096 or [::1]:8096";
        return false;
    }
    size_t hlen = (size_t)(colon - s);
    if (hlen >= sizeof(host)) {
        *why = "address too long";
        return false;
    }
    memcpy(host, s, hlen);
    host[hlen] = '\0';
    long port;
    if (!parse_long(colon + 1, &port) || port < 0 || port > 65535) {
        *why = "port must be a number from 0 to 65535";
        return false;
    }
    memset(ss, 0, sizeof(*ss));
    if (host[0] == '[') {
        if (hlen < 3 || host[hlen - 1] != ']') {
            *why = "IPv6 address must be written in brackets, like [::1]:8096";
            return false;
        }
        host[hlen - 1] = '\0';
        struct sockaddr_in6 *sa6 = (struct sockaddr_in6 *)ss;
        if (inet_pton(AF_INET6, host + 1, &sa6->sin6_addr) != 1) {
            *why = "not an IPv6 address";
            return false;
        }
        sa6->sin6_family = AF_INET6;
        sa6->sin6_port = htons((uint16_t)port);
        *len = sizeof(*sa6);
        return true;
    }
    struct sockaddr_in *sa = (struct sockaddr_in *)ss;
    if (!strcmp(host, "localhost")) {
        snprintf(host, sizeof(host), "127.0.0.1");
    } else if (!strcmp(host, "") || !strcmp(host, "*")) {
        snprintf(host, sizeof(host), "0.0.0.0");
    }
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
        *why = "not an IPv4 address (use a numeric address, localhost, or [IPv6])";
        return false;
    }
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    *len = sizeof(*sa);
    return true;
}

/* scheme://host[:port] with nothing after it. */
static bool valid_origin(const char *s, size_t n)
{
    const char *rest;
    if (n > 7 && !strncmp(s, "http://", 7))
        rest = s + 7;
    else if (n > 8 && !strncmp(s, "https://", 8))
        rest = s + 8;
    else
        return false;
    for (const char *p = rest; p < s + n; p++) {
        if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == ':' || *p == '[' ||
              *p == ']'))
            return false;
    }
    return rest < s + n;
}

static void free_list(char **list)
{
    if (!list) return;
    for (char **p = list; *p; p++) free(*p);
    free(list);
}

static mq_err parse_origins(const char *s, char ***out, const char **why)
{
    size_t count = 1;
    for (const char *p = s; *p; p++) count += *p == ',';
    char **list = calloc(count + 1, sizeof(*list));
    if (!list) return MQ_ENOMEM;
    size_t n = 0;
    const char *p = s;
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        const char *start = p;
        while (*p && *p != ',') p++;
        const char *end = p;
        while (end > start && end[-1] == ' ') end--;
        if (end == start) continue;
        if (!valid_origin(start, (size_t)(end - start))) {
            *why = "each origin must look like https://host[:port], with no path";
            free_list(list);
            return MQ_EINVAL;
        }
        list[n] = strndup(start, (size_t)(end - start));
        if (!list[n]) {
            free_list(list);
            return MQ_ENOMEM;
        }
        n++;
    }
    *out = list;
    return MQ_OK;
}

static bool valid_http_url(const char *s)
{
    const char *rest;
    if (!strncmp(s, "http://", 7))
        rest = s + 7;
    else if (!strncmp(s, "https://", 8))
        rest = s + 8;
    else
        return false;
    if (!*rest || *rest == '/') return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '?' || *p == '#' || *p == '"' || *p == '\\')
            return false;
    return true;
}

static const char *const *choices_of(const struct config_key *k)
{
    for (size_t i = 0; i < sizeof(choice_lists) / sizeof(choice_lists[0]); i++)
        if (choice_lists[i].offset == k->offset) return choice_lists[i].values;
    return NULL;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < ' ' || *s == 0x7f) return true;
    return false;
}

/* The numeric kinds differ only in how they read and what they say. */
struct numeric_kind {
    bool (*parse)(const char *s, long *out);
    const char *expected;
    const char *unit;
};

static const struct numeric_kind numeric_kinds[] = {
    [K_INT] = {parse_long, "must be a whole number", ""},
    [K_SIZE] = {parse_size, "must be a size such as 65536, 64KiB or 1MiB", " bytes"},
    [K_DURATION] = {parse_duration, "must be a duration such as 500ms, 30s, 5m, 2h or 7d", " ms"},
};

/* Validates `value` for key k and stores it. */
static mq_err apply(struct mq_config *cfg, size_t idx, const char *value, enum mq_config_source src,
                    char *errbuf, size_t errlen)
{
    const struct config_key *k = &keys[idx];
    const char *why = NULL;
    long num = 0;

    switch (k->kind) {
    case K_STRING:
        if (!*value) why = "must not be empty";
        break;
    case K_OPTIONAL: break;
    case K_LISTEN:
        if (!parse_listen(value, &cfg->listen_addr, &cfg->listen_addr_len, &why)) break;
        break;
    case K_DB_URL:
        if (*value && strncmp(value, "postgres://", 11) && strncmp(value, "postgresql://", 13))
            why = "must be a postgres:// or postgresql:// URL (leave unset for SQLite)";
        break;
    case K_SMTP_URL:
        if (*value && strncmp(value, "smtp://", 7) && strncmp(value, "smtps://", 8))
            why = "must be an smtp:// or smtps:// URL (leave unset to log mail instead)";
        for (const char *p = value; !why && *p; p++)
            if ((unsigned char)*p <= ' ') why = "must not contain spaces or control characters";
        break;
    case K_PUBLIC_URL:
        if (*value && !valid_http_url(value))
            why = "must be an http:// or https:// URL with a host and no query or fragment";
        break;
    case K_LEVEL: {
        enum mq_log_level level;
        if (mq_log_level_parse(value, &level)) {
            why = "must be one of debug, info, warn, error";
            break;
        }
        *(enum mq_log_level *)field(cfg, k) = level;
        cfg->sources[idx] = src;
        return MQ_OK;
    }
    case K_INT:
    case K_SIZE:
    case K_DURATION: {
        const struct numeric_kind *nk = &numeric_kinds[k->kind];
        if (!nk->parse(value, &num)) {
            why = nk->expected;
            break;
        }
        if (num < k->min || num > k->max) {
            set_error(errbuf, errlen, k, src, "must be between %ld and %ld%s, got %ld", k->min,
                      k->max, nk->unit, num);
            return MQ_EINVAL;
        }
        if (k->kind == K_INT)
            *(int *)field(cfg, k) = (int)num;
        else
            *(long *)field(cfg, k) = num;
        cfg->sources[idx] = src;
        return MQ_OK;
    }
    case K_QUEUES: valid_queues(value, &why); break;
    case K_NETS:
        if (mq_netlist_parse(value, &cfg->trusted_proxy_nets, &why)) break;
        break;
    case K_NAME: {
        size_t n = strlen(value);
        if (!n || n > (size_t)k->max)
            set_error(errbuf, errlen, k, src, "must be 1 to %ld bytes long", k->max);
        else if (!mq_utf8_valid(value, n))
            set_error(errbuf, errlen, k, src, "must be UTF-8 text");
        else if (has_control(value))
            set_error(errbuf, errlen, k, src, "must not contain control characters");
        else
            break;
        return MQ_EINVAL;
    }
    case K_CHOICE: {
        for (int c = 0; choices_of(k)[c]; c++) {
            if (strcmp(value, choices_of(k)[c])) continue;
            *(int *)field(cfg, k) = c;
            cfg->sources[idx] = src;
            return MQ_OK;
        }
        char list[128] = "";
        for (int c = 0; choices_of(k)[c]; c++)
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", c ? ", " : "",
                     choices_of(k)[c]);
        set_error(errbuf, errlen, k, src, "must be one of %s", list);
        return MQ_EINVAL;
    }
    case K_BOOL: {
        int v = !strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "1")   ? 1
                : !strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "0") ? 0
                                                                                         : -1;
        if (v < 0) {
            why = "must be true or false";
            break;
        }
        *(int *)field(cfg, k) = v;
        cfg->sources[idx] = src;
        return MQ_OK;
    }
    case K_RATE: {
        /* The key names the policy: rate_limit_login -> "login". */
        const char *policy = k->name + strlen("rate_limit_");
        struct mq_rate_policy *target = !strcmp(policy, "login")      ? &cfg->rate_login
                                        : !strcmp(policy, "register") ? &cfg->rate_register
                                        : !strcmp(policy, "forgot")   ? &cfg->rate_forgot
                                                                      : &cfg->rate_default;
        if (mq_rate_policy_parse(policy, value, target, &why)) break;
        break;
    }
    case K_ORIGINS: {
        char **list = NULL;
        mq_err err = parse_origins(value, &list, &why);
        if (err == MQ_ENOMEM) return err;
        if (err) break;
        free_list(cfg->cors_list);
        cfg->cors_list = list;
        break;
    }
    }
    if (why) {
        set_error(errbuf, errlen, k, src, "%s", why);
        return MQ_EINVAL;
    }
    char **field = str_field(cfg, k);
    char *copy = strdup(value);
    if (!copy) return MQ_ENOMEM;
    if (k->kind == K_PUBLIC_URL) {
        size_t n = strlen(copy);
        while (n > 0 && copy[n - 1] == '/') copy[--n] = '\0';
    }
    free(*field);
    *field = copy;
    cfg->sources[idx] = src;
    return MQ_OK;
}

static int find_key(const char *name, size_t n)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strlen(keys[i].name) == n && !strncmp(keys[i].name, name, n)) return (int)i;
    return -1;
}

mq_err mq_config_init(struct mq_config *cfg)
{
    char err[256];
    memset(cfg, 0, sizeof(*cfg));
    for (size_t i = 0; i < NKEYS; i++) {
        if (!keys[i].def) continue;
        mq_err e = apply(cfg, i, keys[i].def, MQ_SRC_DEFAULT, err, sizeof(err));
        if (e) return e == MQ_ENOMEM ? e : MQ_EINTERNAL;
    }
    return MQ_OK;
}

void mq_config_cleanup(struct mq_config *cfg)
{
    for (size_t i = 0; i < NKEYS; i++) {
        switch (keys[i].kind) {
        case K_LEVEL:
        case K_INT:
        case K_SIZE:
        case K_DURATION:
        case K_BOOL:
        case K_CHOICE: break;
        default: free(*str_field(cfg, &keys[i])); *str_field(cfg, &keys[i]) = NULL;
        }
    }
    free_list(cfg->cors_list);
    cfg->cors_list = NULL;
}

struct file_state {
    struct mq_config *cfg;
    char *errbuf;
    size_t errlen;
    mq_err err;
};

static int file_entry(void *user, const char *section, const char *name, const char *value)
{
    struct file_state *st = user;
    if (st->err) return 0;
    if (section && *section) {
        snprintf(st->errbuf, st->errlen, "config file: sections are not used; found [%s]", section);
        st->err = MQ_EINVAL;
        return 0;
    }
    int idx = find_key(name, strlen(name));
    if (idx < 0 || idx == 0) {
        snprintf(st->errbuf, st->errlen, "config file: unknown key \"%s\"", name);
        st->err = MQ_EINVAL;
        return 0;
    }
    char unquoted[4096];
    size_t n = strlen(value);
    if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
        if (n - 2 >= sizeof(unquoted)) n = sizeof(unquoted) + 1;
        snprintf(unquoted, sizeof(unquoted), "%.*s", (int)(n - 2), value + 1);
        value = unquoted;
    }
    st->err = apply(st->cfg, (size_t)idx, value, MQ_SRC_FILE, st->errbuf, st->errlen);
    return st->err ? 0 : 1;
}

static void env_name(const struct config_key *k, char *out, size_t outlen)
{
    size_t o = (size_t)snprintf(out, outlen, "MARQUEE_");
    for (const char *p = k->name; *p && o + 1 < outlen; p++)
        out[o++] = (char)toupper((unsigned char)*p);
    out[o] = '\0';
}

static void flag_name(const struct config_key *k, char *out, size_t outlen)
{
    size_t o = (size_t)snprintf(out, outlen, "--");
    for (const char *p = k->name; *p && o + 1 < outlen; p++) out[o++] = *p == '_' ? '-' : *p;
    out[o] = '\0';
}

/* Matches argv[i] against the flag table. Returns the key index, or -1. Sets
 * *value to the text after '=' or to argv[i+1] (and advances *i). */
static int match_flag(int argc, char **argv, int *i, const char **value, bool *missing)
{
    const char *arg = argv[*i];
    *missing = false;
    if (strncmp(arg, "--", 2)) return -1;
    const char *eq = strchr(arg, '=');
    size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
    for (size_t k = 0; k < NKEYS; k++) {
        char flag[64];
        flag_name(&keys[k], flag, sizeof(flag));
        if (strlen(flag) != n || strncmp(flag, arg, n)) continue;
        if (eq) {
            *value = eq + 1;
        } else if (*i + 1 < argc) {
            *value = argv[++*i];
        } else {
            *missing = true;
        }
        return (int)k;
    }
    return -1;
}

mq_err mq_config_check(const struct mq_config *cfg, char *errbuf, size_t errlen)
{
    bool has_cert = cfg->tls_cert && *cfg->tls_cert, has_key = cfg->tls_key && *cfg->tls_key;
    if (has_cert != has_key) {
        snprintf(errbuf, errlen, "invalid %s: tls_cert and tls_key must be given together",
                 has_cert ? "tls_key" : "tls_cert");
        return MQ_EINVAL;
    }
    if (cfg->smtp_url && *cfg->smtp_url && !mq_mail_address_valid(cfg->mail_from)) {
        snprintf(errbuf, errlen,
                 "invalid mail_from: with smtp_url set, give the sender address, such as "
                 "marquee@example.org");
        return MQ_EINVAL;
    }
    if (cfg->mail_from && *cfg->mail_from && !mq_mail_address_valid(cfg->mail_from)) {
        snprintf(errbuf, errlen, "invalid mail_from: not an e-mail address");
        return MQ_EINVAL;
    }
    if (!cfg->public_url || !*cfg->public_url) {
        snprintf(errbuf, errlen, "invalid public_url: must not be empty");
        return MQ_EINVAL;
    }
    return MQ_OK;
}

mq_err mq_config_load(struct mq_config *cfg, int argc, char **argv, const char *const *extra,
                      bool *extra_seen, char *errbuf, size_t errlen)
{
    mq_err err = MQ_OK;
    char name[64];

    /* The file comes first in precedence order but is named by a flag or the
     * environment, so find its path before reading anything else. */
    const char *file = getenv("MARQUEE_CONFIG");
    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        bool missing;
        int idx = match_flag(argc, argv, &i, &v, &missing);
        if (idx == 0 && v) file = v;
    }
    if (file && *file) {
        struct file_state st = {.cfg = cfg, .errbuf = errbuf, .errlen = errlen};
        int rc = ini_parse(file, file_entry, &st);
        if (st.err) return st.err == MQ_ENOMEM ? MQ_ENOMEM : MQ_EINVAL;
        if (rc < 0) {
            snprintf(errbuf, errlen, "invalid config (from %s): cannot read %s",
                     getenv("MARQUEE_CONFIG") == file ? "environment" : "flag", file);
            return MQ_EINVAL;
        }
        if (rc > 0) {
            snprintf(errbuf, errlen, "config file %s: syntax error on line %d", file, rc);
            return MQ_EINVAL;
        }
    }

    for (size_t k = 0; k < NKEYS; k++) {
        env_name(&keys[k], name, sizeof(name));
        const char *v = getenv(name);
        if (!v) continue;
        err = apply(cfg, k, v, MQ_SRC_ENV, errbuf, errlen);
        if (err) return err;
    }

    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        bool missing;
        int idx = match_flag(argc, argv, &i, &v, &missing);
        if (idx >= 0) {
            if (missing) {
                snprintf(errbuf, errlen, "invalid %s (from flag): %s needs a value", keys[idx].name,
                         argv[i]);
                return MQ_EINVAL;
            }
            err = apply(cfg, (size_t)idx, v, MQ_SRC_FLAG, errbuf, errlen);
            if (err) return err;
            continue;
        }
        bool known = false;
        for (size_t e = 0; extra && extra[e]; e++) {
            if (!strcmp(argv[i], extra[e])) {
                extra_seen[e] = true;
                known = true;
            }
        }
        if (!known) {
            snprintf(errbuf, errlen, "unknown option \"%s\" (see --help)", argv[i]);
            return MQ_EINVAL;
        }
    }

    if (!cfg->public_url || !*cfg->public_url) {
        char url[128];
        snprintf(url, sizeof(url), "%s://%s", mq_config_tls_enabled(cfg) ? "https" : "http",
                 cfg->listen);
        free(cfg->public_url);
        cfg->public_url = strdup(url);
        if (!cfg->public_url) return MQ_ENOMEM;
    }
    err = mq_config_check(cfg, errbuf, errlen);
    if (err) return err;

    /* Unknown MARQUEE_* variables are most often typos: keep them to report. */
    cfg->nunknown_env = 0;
    for (char **e = environ; e && *e; e++) {
        if (strncmp(*e, "MARQUEE_", 8)) continue;
        const char *eq = strchr(*e, '=');
        size_t n = eq ? (size_t)(eq - *e) - 8 : strlen(*e) - 8;
        char lower[64];
        if (n >= sizeof(lower)) n = sizeof(lower) - 1;
        for (size_t j = 0; j < n; j++) lower[j] = (char)tolower((unsigned char)(*e)[8 + j]);
        lower[n] = '\0';
        if (find_key(lower, n) >= 0 || cfg->nunknown_env == 8) continue;
        snprintf(cfg->unknown_env[cfg->nunknown_env++], sizeof(cfg->unknown_env[0]), "%.*s",
                 (int)(n + 8), *e);
    }
    return MQ_OK;
}

void mq_config_mask_url(const char *url, char *out, size_t outlen)
{
    /* userinfo password: scheme://user:PASSWORD@host */
    const char *scheme_end = strstr(url, "://");
    const char *at = scheme_end ? strchr(scheme_end + 3, '@') : NULL;
    const char *slash = scheme_end ? strchr(scheme_end + 3, '/') : NULL;
    if (at && slash && slash < at) at = NULL;
    const char *colon = NULL;
    if (at) {
        colon = memchr(scheme_end + 3, ':', (size_t)(at - (scheme_end + 3)));
    }
    size_t o = 0;
    const char *p = url;
    while (*p && o + 1 < outlen) {
        if (colon && p == colon + 1) {
            o += (size_t)snprintf(out + o, outlen - o, "****");
            p = at;
            continue;
        }
        /* password=... in the query string */
        if (!strncmp(p, "password=", 9) && (p == url || p[-1] == '?' || p[-1] == '&')) {
            o += (size_t)snprintf(out + o, outlen - o, "password=****");
            p += 9;
            while (*p && *p != '&') p++;
            continue;
        }
        out[o++] = *p++;
    }
    if (o >= outlen) o = outlen - 1;
    out[o] = '\0';
}

/* A key holding text rather than a number. */
static bool is_text(const struct config_key *k)
{
    switch (k->kind) {
    case K_LEVEL:
    case K_INT:
    case K_SIZE:
    case K_DURATION:
    case K_BOOL:
    case K_CHOICE: return false;
    default: return true;
    }
}

static void format_value(const struct mq_config *cfg, const struct config_key *k, bool mask,
                         char *value, size_t len)
{
    switch (k->kind) {
    case K_LEVEL:
        snprintf(value, len, "%s", mq_log_level_name(*(const enum mq_log_level *)cfield(cfg, k)));
        break;
    case K_INT: snprintf(value, len, "%d", *(const int *)cfield(cfg, k)); break;
    case K_SIZE: snprintf(value, len, "%ld", *(const long *)cfield(cfg, k)); break;
    case K_DURATION: snprintf(value, len, "%ldms", *(const long *)cfield(cfg, k)); break;
    case K_BOOL: snprintf(value, len, "%s", *(const int *)cfield(cfg, k) ? "true" : "false"); break;
    case K_CHOICE: snprintf(value, len, "%s", choices_of(k)[*(const int *)cfield(cfg, k)]); break;
    default: {
        const char *s = *(char *const *)cfield(cfg, k);
        if (!s) s = "";
        if (mask && (k->flags & SECRET) && *s && (k->kind == K_DB_URL || k->kind == K_SMTP_URL))
            mq_config_mask_url(s, value, len);
        else if (mask && (k->flags & SECRET) && *s)
            snprintf(value, len, "****");
        else
            snprintf(value, len, "%s", s);
    }
    }
}

void mq_config_print(const struct mq_config *cfg, FILE *out)
{
    for (size_t i = 0; i < NKEYS; i++) {
        char value[512];
        format_value(cfg, &keys[i], true, value, sizeof(value));
        fprintf(out, "%s = %s  # %s\n", keys[i].name, value, source_names[cfg->sources[i]]);
    }
}

static const char *const type_names[] = {
    [K_STRING] = "string", [K_OPTIONAL] = "string",   [K_LISTEN] = "address", [K_DB_URL] = "url",
    [K_SMTP_URL] = "url",  [K_PUBLIC_URL] = "url",    [K_LEVEL] = "choice",   [K_INT] = "integer",
    [K_SIZE] = "size",     [K_DURATION] = "duration", [K_ORIGINS] = "string", [K_QUEUES] = "string",
    [K_NETS] = "string",   [K_RATE] = "rate",         [K_BOOL] = "boolean",   [K_NAME] = "string",
    [K_CHOICE] = "choice",
};

size_t mq_config_key_count(void)
{
    return NKEYS;
}

int mq_config_key_index(const char *name)
{
    return find_key(name, strlen(name));
}

void mq_config_key_info(size_t i, struct mq_config_key_info *out)
{
    const struct config_key *k = &keys[i];
    *out = (struct mq_config_key_info){.name = k->name,
                                       .type = type_names[k->kind],
                                       .help = k->help,
                                       .flags = k->flags,
                                       .choices = choices_of(k)};
    if (k->kind == K_INT || k->kind == K_SIZE || k->kind == K_DURATION || k->kind == K_NAME) {
        out->min = k->min;
        out->max = k->max;
    }
}

const char *mq_config_source_name(enum mq_config_source src)
{
    return source_names[src];
}

bool mq_config_number(const struct mq_config *cfg, size_t i, long *out)
{
    const struct config_key *k = &keys[i];
    switch (k->kind) {
    case K_INT:
    case K_BOOL:
    case K_CHOICE: *out = *(const int *)cfield(cfg, k); return true;
    case K_SIZE:
    case K_DURATION: *out = *(const long *)cfield(cfg, k); return true;
    default: return false;
    }
}

void mq_config_text(const struct mq_config *cfg, size_t i, bool mask, char *out, size_t outlen)
{
    format_value(cfg, &keys[i], mask, out, outlen);
}

mq_err mq_config_set(struct mq_config *cfg, size_t i, const char *value, enum mq_config_source src,
                     char *errbuf, size_t errlen)
{
    return apply(cfg, i, value, src, errbuf, errlen);
}

mq_err mq_config_copy(struct mq_config *dst, const struct mq_config *src)
{
    char err[256];
    *dst = *src;
    for (size_t i = 0; i < NKEYS; i++)
        if (is_text(&keys[i])) *str_field(dst, &keys[i]) = NULL;
    dst->cors_list = NULL;
    /* Each text key again, through the same parsing, so that what it
     * derives (cors_list) is the destination's own. */
    for (size_t i = 0; i < NKEYS; i++) {
        if (!is_text(&keys[i])) continue;
        const char *s = *(char *const *)cfield(src, &keys[i]);
        if (!s) continue;
        mq_err e = apply(dst, i, s, src->sources[i], err, sizeof(err));
        if (e) {
            mq_config_cleanup(dst);
            return e == MQ_ENOMEM ? e : MQ_EINTERNAL;
        }
    }
    return MQ_OK;
}

void mq_config_print_flags(FILE *out)
{
    for (size_t i = 0; i < NKEYS; i++) {
        char flag[64], env[64];
        flag_name(&keys[i], flag, sizeof(flag));
        env_name(&keys[i], env, sizeof(env));
        fprintf(out, "  %-32s %s\n  %-32s env %s", flag, keys[i].help, "", env);
        if (keys[i].def) fprintf(out, ", default %s", keys[i].def);
        fputc('\n', out);
    }
}

bool mq_config_uses_postgres(const struct mq_config *cfg)
{
    return cfg->database_url && *cfg->database_url;
}

bool mq_config_tls_enabled(const struct mq_config *cfg)
{
    return cfg->tls_cert && *cfg->tls_cert;
}
