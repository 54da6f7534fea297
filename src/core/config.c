#include "core/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

extern char **environ;

/* The build's list of every module that declares settings (generated from
 * src/ by the Makefile), NULL-terminated. */
extern const struct mq_config_module *const mq_config_modules[];

#define MAX_MODULES 32

/* ---- core's own key: where the file is ------------------------------------ */

struct core_values {
    char *config_file;
};

static const struct mq_setting core_settings[] = {
    {"config", MQ_SETTING_STRING, offsetof(struct core_values, config_file), NULL, NULL, 0, 4096, 0,
     NULL, NULL, "configuration file to read (key = value lines)"},
};

static const struct mq_config_module core_module = {
    "core", 0, sizeof(struct core_values), core_settings, 1, NULL, NULL, NULL, 0};

/* ---- the modules and their keys -------------------------------------------- */

/* Module number m: 0 is core's, then the build's list, in its order. */
static const struct mq_config_module *module_at(size_t m)
{
    return m == 0 ? &core_module : mq_config_modules[m - 1];
}

static size_t module_count(void)
{
    size_t n = 1;
    while (mq_config_modules[n - 1] && n < MAX_MODULES) n++;
    return n;
}

/* The module numbers in listing order: by rank, then by name. */
static size_t modules_by_rank(size_t order[MAX_MODULES])
{
    size_t n = module_count();
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0) {
            const struct mq_config_module *a = module_at(order[j - 1]), *b = module_at(i);
            if (a->rank < b->rank || (a->rank == b->rank && strcmp(a->name, b->name) <= 0)) break;
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    return n;
}

/* Key i in listing order: its module's number and its row. */
struct key {
    size_t module;
    const struct mq_setting *s;
};

static bool key_at(size_t i, struct key *out)
{
    size_t order[MAX_MODULES], n = modules_by_rank(order);
    for (size_t k = 0; k < n; k++) {
        const struct mq_config_module *m = module_at(order[k]);
        if (i < m->nsettings) {
            *out = (struct key){order[k], &m->settings[i]};
            return true;
        }
        i -= m->nsettings;
    }
    return false;
}

size_t mq_config_key_count(void)
{
    size_t total = 0, n = module_count();
    for (size_t m = 0; m < n; m++) total += module_at(m)->nsettings;
    return total;
}

static int find_key(const char *name, size_t len)
{
    struct key k;
    for (size_t i = 0; key_at(i, &k); i++)
        if (strlen(k.s->name) == len && !strncmp(k.s->name, name, len)) return (int)i;
    return -1;
}

int mq_config_key_index(const char *name)
{
    return find_key(name, strlen(name));
}

size_t mq_config_live_count(void)
{
    size_t total = 0, n = module_count();
    for (size_t m = 0; m < n; m++) total += module_at(m)->nlive;
    return total;
}

const struct mq_live_setting *mq_config_live(size_t i)
{
    size_t order[MAX_MODULES], n = modules_by_rank(order);
    for (size_t k = 0; k < n; k++) {
        const struct mq_config_module *m = module_at(order[k]);
        if (i < m->nlive) return &m->live[i];
        i -= m->nlive;
    }
    return NULL;
}

static size_t module_index(const struct mq_config_module *m)
{
    size_t n = module_count();
    for (size_t i = 0; i < n; i++)
        if (module_at(i) == m) return i;
    /* A module the build's list missed (its declaration does not start a
     * line): reading another module's values instead would be worse. */
    abort();
}

const void *mq_config_values(const struct mq_config *cfg, const struct mq_config_module *m)
{
    return cfg->values[module_index(m)];
}

void *mq_config_values_mut(struct mq_config *cfg, const struct mq_config_module *m)
{
    return cfg->values[module_index(m)];
}

static void *field(struct mq_config *cfg, const struct key *k)
{
    return (char *)cfg->values[k->module] + k->s->offset;
}

static const void *cfield(const struct mq_config *cfg, const struct key *k)
{
    return (const char *)cfg->values[k->module] + k->s->offset;
}

static const char *const source_names[] = {"default", "file", "environment", "flag", "settings"};

const char *mq_config_source_name(enum mq_config_source src)
{
    return source_names[src];
}

static void set_error(char *errbuf, size_t errlen, const struct mq_setting *s,
                      enum mq_config_source src, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void set_error(char *errbuf, size_t errlen, const struct mq_setting *s,
                      enum mq_config_source src, const char *fmt, ...)
{
    char reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    snprintf(errbuf, errlen, "invalid %s (from %s): %s", s->name, source_names[src], reason);
}

/* ---- value parsers ---------------------------------------------------------- */

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

/* A count with a unit from `units` (suffix, multiplier), "" for none. */
struct unit {
    const char *suffix;
    unsigned long long mul;
};

static bool parse_with_unit(const char *s, const struct unit *units, long *out)
{
    char *end;
    if (!isdigit((unsigned char)*s)) return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) return false;
    for (const struct unit *u = units; u->suffix; u++) {
        if (strcmp(end, u->suffix)) continue;
        if (v > (unsigned long long)LONG_MAX / u->mul) return false;
        *out = (long)(v * u->mul);
        return true;
    }
    return false;
}

static const struct unit size_units[] = {
    {"", 1},          {"B", 1},        {"KiB", 1024},         {"K", 1024},
    {"MiB", 1 << 20}, {"M", 1 << 20},  {"GiB", 1 << 30},      {"G", 1 << 30},
    {"kB", 1000},     {"MB", 1000000}, {"GB", 1000000000ULL}, {NULL, 0}};

static const struct unit duration_units[] = {
    {"", 1}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}, {NULL, 0}};

static bool parse_address(const char *s, struct mq_conf_address *out, const char **why)
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
    struct sockaddr_storage *ss = &out->addr;
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
        out->len = sizeof(*sa6);
        return true;
    }
    struct sockaddr_in *sa = (struct sockaddr_in *)ss;
    if (!strcmp(host, "localhost"))
        snprintf(host, sizeof(host), "127.0.0.1");
    else if (!strcmp(host, "") || !strcmp(host, "*"))
        snprintf(host, sizeof(host), "0.0.0.0");
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
        *why = "not an IPv4 address (use a numeric address, localhost, or [IPv6])";
        return false;
    }
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    out->len = sizeof(*sa);
    return true;
}

/* What follows "http://" or "https://" in the n bytes at s, or NULL. */
static const char *after_http_scheme(const char *s, size_t n)
{
    if (n > 7 && !strncmp(s, "http://", 7)) return s + 7;
    if (n > 8 && !strncmp(s, "https://", 8)) return s + 8;
    return NULL;
}

bool mq_config_origin_valid(const char *s, size_t n, const char **why)
{
    const char *rest = after_http_scheme(s, n);
    *why = "each origin must look like https://host[:port], with no path";
    if (!rest) return false;
    for (const char *p = rest; p < s + n; p++)
        if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == ':' || *p == '[' ||
              *p == ']'))
            return false;
    return rest < s + n;
}

bool mq_config_http_url_valid(const char *s, size_t n, const char **why)
{
    const char *rest = after_http_scheme(s, n);
    *why = "must be an http:// or https:// URL with a host and no query or fragment";
    if (!rest) return false;
    if (rest == s + n || *rest == '/') return false;
    for (const char *p = s; p < s + n; p++)
        if ((unsigned char)*p <= ' ' || *p == '?' || *p == '#' || *p == '"' || *p == '\\')
            return false;
    return true;
}

static void free_list(char **list)
{
    if (!list) return;
    for (char **p = list; *p; p++) free(*p);
    free(list);
}

/* Comma-separated items, spaces around them dropped, each checked by the
 * key's own rule. */
static mq_err parse_list(const struct mq_setting *s, const char *text, char ***out,
                         const char **why)
{
    size_t count = 1;
    for (const char *p = text; *p; p++) count += *p == ',';
    char **list = calloc(count + 1, sizeof(*list));
    if (!list) return MQ_ENOMEM;
    size_t n = 0;
    for (const char *p = text; *p;) {
        while (*p == ' ' || *p == ',') p++;
        const char *start = p;
        while (*p && *p != ',') p++;
        const char *end = p;
        while (end > start && end[-1] == ' ') end--;
        if (end == start) continue;
        const char *rule = NULL; /* a validator may name its rule before it is broken */
        if (s->valid && !s->valid(start, (size_t)(end - start), &rule)) {
            *why = rule ? rule : "is not valid";
            free_list(list);
            return MQ_EINVAL;
        }
        if (!(list[n++] = strndup(start, (size_t)(end - start)))) {
            free_list(list);
            return MQ_ENOMEM;
        }
    }
    *out = list;
    return MQ_OK;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < ' ' || *s == 0x7f) return true;
    return false;
}

static const char *type_name(enum mq_setting_type t)
{
    static const char *const names[] = {
        [MQ_SETTING_STRING] = "string",   [MQ_SETTING_URL] = "url",
        [MQ_SETTING_NAME] = "string",     [MQ_SETTING_INT] = "integer",
        [MQ_SETTING_SIZE] = "size",       [MQ_SETTING_DURATION] = "duration",
        [MQ_SETTING_BOOL] = "boolean",    [MQ_SETTING_CHOICE] = "choice",
        [MQ_SETTING_ADDRESS] = "address", [MQ_SETTING_LIST] = "string",
        [MQ_SETTING_NETS] = "string",     [MQ_SETTING_RATE] = "rate",
    };
    return names[t];
}

/* The field's text, for the types that keep one. */
static char **text_of(void *f, enum mq_setting_type t)
{
    switch (t) {
    case MQ_SETTING_STRING:
    case MQ_SETTING_URL:
    case MQ_SETTING_NAME: return f;
    case MQ_SETTING_ADDRESS: return &((struct mq_conf_address *)f)->text;
    case MQ_SETTING_LIST: return &((struct mq_conf_list *)f)->text;
    case MQ_SETTING_NETS: return &((struct mq_conf_nets *)f)->text;
    case MQ_SETTING_RATE: return &((struct mq_conf_rate *)f)->text;
    default: return NULL;
    }
}

static void clear_field(void *f, enum mq_setting_type t)
{
    char **text = text_of(f, t);
    if (t == MQ_SETTING_LIST) {
        free_list(((struct mq_conf_list *)f)->items);
        ((struct mq_conf_list *)f)->items = NULL;
    }
    if (text) {
        free(*text);
        *text = NULL;
    }
}

/* A number of the three numeric types, within the key's range. */
static bool read_number(const struct mq_setting *s, const char *value, long *num, char *errbuf,
                        size_t errlen, enum mq_config_source src)
{
    static const char *const expected[] = {
        [MQ_SETTING_INT] = "must be a whole number",
        [MQ_SETTING_SIZE] = "must be a size such as 65536, 64KiB or 1MiB",
        [MQ_SETTING_DURATION] = "must be a duration such as 500ms, 30s, 5m, 2h or 7d"};
    static const char *const units[] = {
        [MQ_SETTING_INT] = "", [MQ_SETTING_SIZE] = " bytes", [MQ_SETTING_DURATION] = " ms"};
    bool ok = s->type == MQ_SETTING_INT    ? parse_long(value, num)
              : s->type == MQ_SETTING_SIZE ? parse_with_unit(value, size_units, num)
                                           : parse_with_unit(value, duration_units, num);
    if (!ok) {
        set_error(errbuf, errlen, s, src, "%s", expected[s->type]);
        return false;
    }
    if (*num < s->min || *num > s->max) {
        set_error(errbuf, errlen, s, src, "must be between %ld and %ld%s, got %ld", s->min, s->max,
                  units[s->type], *num);
        return false;
    }
    return true;
}

/* Validates `value` for key k and stores it; the key's source becomes src. */
static mq_err apply(struct mq_config *cfg, size_t idx, const struct key *k, const char *value,
                    enum mq_config_source src, char *errbuf, size_t errlen)
{
    const struct mq_setting *s = k->s;
    void *f = field(cfg, k);
    const char *why = NULL;
    size_t n = strlen(value);
    long num = 0;

    switch (s->type) {
    case MQ_SETTING_INT:
    case MQ_SETTING_SIZE:
    case MQ_SETTING_DURATION:
        if (!read_number(s, value, &num, errbuf, errlen, src)) return MQ_EINVAL;
        if (s->type == MQ_SETTING_INT)
            *(int *)f = (int)num;
        else
            *(long *)f = num;
        cfg->sources[idx] = src;
        return MQ_OK;
    case MQ_SETTING_BOOL: {
        int v = !strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "1")   ? 1
                : !strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "0") ? 0
                                                                                         : -1;
        if (v < 0) {
            set_error(errbuf, errlen, s, src, "must be true or false");
            return MQ_EINVAL;
        }
        *(int *)f = v;
        cfg->sources[idx] = src;
        return MQ_OK;
    }
    case MQ_SETTING_CHOICE: {
        char list[160] = "";
        for (int c = 0; s->choices[c]; c++) {
            if (!strcmp(value, s->choices[c])) {
                *(int *)f = c;
                cfg->sources[idx] = src;
                return MQ_OK;
            }
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", c ? ", " : "",
                     s->choices[c]);
        }
        set_error(errbuf, errlen, s, src, "must be one of %s", list);
        return MQ_EINVAL;
    }
    case MQ_SETTING_NAME:
        if (!n || n > (size_t)s->max)
            set_error(errbuf, errlen, s, src, "must be 1 to %ld bytes long", s->max);
        else if (!mq_utf8_valid(value, n))
            set_error(errbuf, errlen, s, src, "must be UTF-8 text");
        else if (has_control(value))
            set_error(errbuf, errlen, s, src, "must not contain control characters");
        else
            break;
        return MQ_EINVAL;
    case MQ_SETTING_STRING:
    case MQ_SETTING_URL:
        if (!n && s->flags & MQ_CONFIG_REQUIRED) why = "must not be empty";
        if (!why && s->max && n > (size_t)s->max) why = "is too long";
        if (!why && n && s->valid) {
            const char *rule = NULL;
            if (!s->valid(value, n, &rule)) why = rule ? rule : "is not valid";
        }
        break;
    case MQ_SETTING_ADDRESS: {
        struct mq_conf_address parsed;
        if (!parse_address(value, &parsed, &why)) break;
        ((struct mq_conf_address *)f)->addr = parsed.addr;
        ((struct mq_conf_address *)f)->len = parsed.len;
        break;
    }
    case MQ_SETTING_NETS: {
        struct mq_netlist nets;
        if (mq_netlist_parse(value, &nets, &why)) break;
        ((struct mq_conf_nets *)f)->nets = nets;
        break;
    }
    case MQ_SETTING_RATE: {
        struct mq_rate_policy policy;
        const char *name = strncmp(s->name, "rate_limit_", 11) ? s->name : s->name + 11;
        if (mq_rate_policy_parse(name, value, &policy, &why)) break;
        ((struct mq_conf_rate *)f)->policy = policy;
        break;
    }
    case MQ_SETTING_LIST: {
        char **items = NULL;
        mq_err err = parse_list(s, value, &items, &why);
        if (err == MQ_ENOMEM) return err;
        if (err) break;
        free_list(((struct mq_conf_list *)f)->items);
        ((struct mq_conf_list *)f)->items = items;
        break;
    }
    }
    if (why) {
        set_error(errbuf, errlen, s, src, "%s", why);
        return MQ_EINVAL;
    }
    char *copy = strdup(value);
    if (!copy) return MQ_ENOMEM;
    if (s->flags & MQ_CONFIG_TRIM_SLASH)
        while (n > 0 && copy[n - 1] == '/') copy[--n] = '\0';
    char **text = text_of(f, s->type);
    if (!text) { /* every type that reaches here keeps its text */
        free(copy);
        return MQ_EINTERNAL;
    }
    free(*text);
    *text = copy;
    cfg->sources[idx] = src;
    return MQ_OK;
}

/* ---- building and copying ------------------------------------------------- */

void mq_config_cleanup(struct mq_config *cfg)
{
    if (!cfg->values) return;
    struct key k;
    for (size_t i = 0; key_at(i, &k); i++)
        if (cfg->values[k.module]) clear_field(field(cfg, &k), k.s->type);
    size_t n = module_count();
    for (size_t m = 0; m < n; m++) free(cfg->values[m]);
    free(cfg->values);
    free(cfg->sources);
    cfg->values = NULL;
    cfg->sources = NULL;
}

/* Room for every module's values and every key's source, zeroed. */
static mq_err allocate(struct mq_config *cfg)
{
    size_t n = module_count();
    memset(cfg, 0, sizeof(*cfg));
    cfg->values = calloc(n, sizeof(*cfg->values));
    cfg->sources = calloc(mq_config_key_count() + 1, sizeof(*cfg->sources));
    if (!cfg->values || !cfg->sources) {
        mq_config_cleanup(cfg);
        return MQ_ENOMEM;
    }
    for (size_t m = 0; m < n; m++) {
        if (!(cfg->values[m] = calloc(1, module_at(m)->size ? module_at(m)->size : 1))) {
            mq_config_cleanup(cfg);
            return MQ_ENOMEM;
        }
    }
    return MQ_OK;
}

mq_err mq_config_init(struct mq_config *cfg)
{
    char err[256];
    mq_err e = allocate(cfg);
    if (e) return e;
    struct key k;
    for (size_t i = 0; key_at(i, &k); i++) {
        if (!k.s->def) continue;
        e = apply(cfg, i, &k, k.s->def, MQ_SRC_DEFAULT, err, sizeof(err));
        if (e) {
            mq_config_cleanup(cfg);
            return e == MQ_ENOMEM ? e : MQ_EINTERNAL; /* a default its own rules refuse */
        }
    }
    return MQ_OK;
}

mq_err mq_config_copy(struct mq_config *dst, const struct mq_config *src)
{
    char err[256];
    mq_err e = allocate(dst);
    if (e) return e;
    size_t n = module_count();
    for (size_t m = 0; m < n; m++) memcpy(dst->values[m], src->values[m], module_at(m)->size);
    memcpy(dst->sources, src->sources, mq_config_key_count() * sizeof(*dst->sources));
    memcpy(dst->unknown_env, src->unknown_env, sizeof(dst->unknown_env));
    dst->nunknown_env = src->nunknown_env;
    /* What points outside the struct is the destination's own: each text
     * key again, through the same parsing. */
    struct key k;
    for (size_t i = 0; key_at(i, &k); i++) {
        char **text = text_of(field(dst, &k), k.s->type);
        if (!text) continue;
        *text = NULL;
        if (k.s->type == MQ_SETTING_LIST) ((struct mq_conf_list *)field(dst, &k))->items = NULL;
    }
    for (size_t i = 0; key_at(i, &k); i++) {
        char *const *text = text_of((void *)cfield(src, &k), k.s->type);
        if (!text || !*text) continue;
        e = apply(dst, i, &k, *text, src->sources[i], err, sizeof(err));
        if (e) {
            mq_config_cleanup(dst);
            return e == MQ_ENOMEM ? e : MQ_EINTERNAL;
        }
    }
    return MQ_OK;
}

mq_err mq_config_set(struct mq_config *cfg, size_t i, const char *value, enum mq_config_source src,
                     char *errbuf, size_t errlen)
{
    struct key k;
    if (!key_at(i, &k)) return MQ_EINVAL;
    return apply(cfg, i, &k, value, src, errbuf, errlen);
}

/* ---- the four sources ------------------------------------------------------- */

struct file_state {
    struct mq_config *cfg;
    char *errbuf;
    size_t errlen;
    mq_err err;
};

static int file_entry(void *user, const char *section, const char *name, const char *value)
{
    struct file_state *st = user;
    struct key k;
    if (st->err) return 0;
    if (section && *section) {
        snprintf(st->errbuf, st->errlen, "config file: sections are not used; found [%s]", section);
        st->err = MQ_EINVAL;
        return 0;
    }
    int idx = find_key(name, strlen(name));
    if (idx <= 0) { /* 0 is `config` itself */
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
    (void)key_at((size_t)idx, &k);
    st->err = apply(st->cfg, (size_t)idx, &k, value, MQ_SRC_FILE, st->errbuf, st->errlen);
    return st->err ? 0 : 1;
}

static void env_name(const char *key, char *out, size_t outlen)
{
    size_t o = (size_t)snprintf(out, outlen, "MARQUEE_");
    for (const char *p = key; *p && o + 1 < outlen; p++)
        out[o++] = (char)toupper((unsigned char)*p);
    out[o] = '\0';
}

static void flag_name(const char *key, char *out, size_t outlen)
{
    size_t o = (size_t)snprintf(out, outlen, "--");
    for (const char *p = key; *p && o + 1 < outlen; p++) out[o++] = *p == '_' ? '-' : *p;
    out[o] = '\0';
}

/* Matches argv[i] against the keys. Returns the key index, or -1. Sets
 * *value to the text after '=' or to argv[i+1] (and advances *i). */
static int match_flag(int argc, char **argv, int *i, const char **value, bool *missing)
{
    const char *arg = argv[*i];
    struct key k;
    *missing = false;
    if (strncmp(arg, "--", 2)) return -1;
    const char *eq = strchr(arg, '=');
    size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
    for (size_t idx = 0; key_at(idx, &k); idx++) {
        char flag[64];
        flag_name(k.s->name, flag, sizeof(flag));
        if (strlen(flag) != n || strncmp(flag, arg, n)) continue;
        if (eq)
            *value = eq + 1;
        else if (*i + 1 < argc)
            *value = argv[++*i];
        else
            *missing = true;
        return (int)idx;
    }
    return -1;
}

mq_err mq_config_check(const struct mq_config *cfg, char *errbuf, size_t errlen)
{
    size_t order[MAX_MODULES], n = modules_by_rank(order);
    for (size_t k = 0; k < n; k++) {
        const struct mq_config_module *m = module_at(order[k]);
        mq_err err = m->check ? m->check(cfg, errbuf, errlen) : MQ_OK;
        if (err) return err;
    }
    return MQ_OK;
}

static void note_unknown_env(struct mq_config *cfg)
{
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
}

mq_err mq_config_load(struct mq_config *cfg, int argc, char **argv, const char *const *extra,
                      bool *extra_seen, char *errbuf, size_t errlen)
{
    mq_err err = MQ_OK;
    char name[64];
    struct key k;

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

    for (size_t i = 0; key_at(i, &k); i++) {
        env_name(k.s->name, name, sizeof(name));
        const char *v = getenv(name);
        if (!v) continue;
        err = apply(cfg, i, &k, v, MQ_SRC_ENV, errbuf, errlen);
        if (err) return err;
    }

    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        bool missing;
        int idx = match_flag(argc, argv, &i, &v, &missing);
        if (idx >= 0) {
            (void)key_at((size_t)idx, &k);
            if (missing) {
                snprintf(errbuf, errlen, "invalid %s (from flag): %s needs a value", k.s->name,
                         argv[i]);
                return MQ_EINVAL;
            }
            err = apply(cfg, (size_t)idx, &k, v, MQ_SRC_FLAG, errbuf, errlen);
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

    size_t order[MAX_MODULES], n = modules_by_rank(order);
    for (size_t m = 0; !err && m < n; m++)
        if (module_at(order[m])->complete) err = module_at(order[m])->complete(cfg);
    if (!err) err = mq_config_check(cfg, errbuf, errlen);
    if (err) return err;
    note_unknown_env(cfg);
    return MQ_OK;
}

/* ---- listings ------------------------------------------------------------------ */

void mq_config_mask_url(const char *url, char *out, size_t outlen)
{
    /* userinfo password: scheme://user:PASSWORD@host */
    const char *scheme_end = strstr(url, "://");
    const char *at = scheme_end ? strchr(scheme_end + 3, '@') : NULL;
    const char *slash = scheme_end ? strchr(scheme_end + 3, '/') : NULL;
    if (at && slash && slash < at) at = NULL;
    const char *colon = at ? memchr(scheme_end + 3, ':', (size_t)(at - (scheme_end + 3))) : NULL;
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

static void format_value(const struct mq_config *cfg, const struct key *k, bool mask, char *value,
                         size_t len)
{
    const struct mq_setting *s = k->s;
    const void *f = cfield(cfg, k);
    switch (s->type) {
    case MQ_SETTING_INT: snprintf(value, len, "%d", *(const int *)f); return;
    case MQ_SETTING_SIZE: snprintf(value, len, "%ld", *(const long *)f); return;
    case MQ_SETTING_DURATION: snprintf(value, len, "%ldms", *(const long *)f); return;
    case MQ_SETTING_BOOL: snprintf(value, len, "%s", *(const int *)f ? "true" : "false"); return;
    case MQ_SETTING_CHOICE: snprintf(value, len, "%s", s->choices[*(const int *)f]); return;
    default: break;
    }
    char *const *text = text_of((void *)f, s->type);
    const char *t = text && *text ? *text : "";
    if (mask && (s->flags & MQ_CONFIG_SECRET) && *t && strstr(t, "://"))
        mq_config_mask_url(t, value, len);
    else if (mask && (s->flags & MQ_CONFIG_SECRET) && *t)
        snprintf(value, len, "****");
    else
        snprintf(value, len, "%s", t);
}

void mq_config_text(const struct mq_config *cfg, size_t i, bool mask, char *out, size_t outlen)
{
    struct key k;
    if (!key_at(i, &k)) {
        out[0] = '\0';
        return;
    }
    format_value(cfg, &k, mask, out, outlen);
}

bool mq_config_number(const struct mq_config *cfg, size_t i, long *out)
{
    struct key k;
    if (!key_at(i, &k)) return false;
    switch (k.s->type) {
    case MQ_SETTING_INT:
    case MQ_SETTING_BOOL:
    case MQ_SETTING_CHOICE: *out = *(const int *)cfield(cfg, &k); return true;
    case MQ_SETTING_SIZE:
    case MQ_SETTING_DURATION: *out = *(const long *)cfield(cfg, &k); return true;
    default: return false;
    }
}

void mq_config_key_info(size_t i, struct mq_config_key_info *out)
{
    struct key k;
    memset(out, 0, sizeof(*out));
    if (!key_at(i, &k)) return;
    const struct mq_setting *s = k.s;
    *out = (struct mq_config_key_info){.name = s->name,
                                       .module = module_at(k.module)->name,
                                       .type = type_name(s->type),
                                       .help = s->help,
                                       .def = s->def_doc ? s->def_doc : s->def,
                                       .flags = s->flags,
                                       .choices = s->type == MQ_SETTING_CHOICE ? s->choices : NULL};
    if (s->type == MQ_SETTING_INT || s->type == MQ_SETTING_SIZE || s->type == MQ_SETTING_DURATION ||
        s->type == MQ_SETTING_NAME) {
        out->min = s->min;
        out->max = s->max;
    }
}

void mq_config_print(const struct mq_config *cfg, FILE *out)
{
    struct key k;
    for (size_t i = 0; key_at(i, &k); i++) {
        char value[512];
        format_value(cfg, &k, true, value, sizeof(value));
        fprintf(out, "%s = %s  # %s\n", k.s->name, value, source_names[cfg->sources[i]]);
    }
}

void mq_config_print_flags(FILE *out)
{
    struct key k;
    for (size_t i = 0; key_at(i, &k); i++) {
        char flag[64], env[64];
        flag_name(k.s->name, flag, sizeof(flag));
        env_name(k.s->name, env, sizeof(env));
        fprintf(out, "  %-32s %s\n  %-32s env %s", flag, k.s->help, "", env);
        if (k.s->def_doc || k.s->def)
            fprintf(out, ", default %s", k.s->def_doc ? k.s->def_doc : k.s->def);
        fputc('\n', out);
    }
}

/* v in the largest of the units (listed smallest first) that divides it,
 * for people: 31536000000 ms is 365d. */
static void format_with_unit(long v, const struct unit *units, const char *const *names, char *out,
                             size_t len)
{
    const struct unit *best = NULL;
    if (v == 0) {
        snprintf(out, len, "0");
        return;
    }
    for (const struct unit *u = units; u->suffix; u++)
        for (size_t i = 0; names[i]; i++)
            if (!strcmp(u->suffix, names[i]) && v % (long)u->mul == 0) best = u;
    if (best)
        snprintf(out, len, "%ld%s", v / (long)best->mul, best->suffix);
    else
        snprintf(out, len, "%ld", v);
}

static void format_bound(const struct mq_setting *s, long v, char *out, size_t len)
{
    static const char *const sizes[] = {"B", "KiB", "MiB", "GiB", NULL};
    static const char *const durations[] = {"ms", "s", "m", "h", "d", NULL};
    if (s->type == MQ_SETTING_SIZE)
        format_with_unit(v, size_units, sizes, out, len);
    else if (s->type == MQ_SETTING_DURATION)
        format_with_unit(v, duration_units, durations, out, len);
    else
        snprintf(out, len, "%ld", v);
}

void mq_config_print_markdown(FILE *out)
{
    struct key k;
    fprintf(out, "| key | module | default | meaning |\n|---|---|---|---|\n");
    for (size_t i = 0; key_at(i, &k); i++) {
        const struct mq_setting *s = k.s;
        const char *def = s->def_doc ? s->def_doc : s->def;
        fprintf(out, "| `%s`%s | %s | %s%s%s | %s", s->name,
                s->flags & MQ_CONFIG_LIVE ? " (live)" : "", module_at(k.module)->name,
                def && !s->def_doc ? "`" : "", def ? def : "–", def && !s->def_doc ? "`" : "",
                s->help);
        if (s->type == MQ_SETTING_INT || s->type == MQ_SETTING_SIZE ||
            s->type == MQ_SETTING_DURATION) {
            char lo[32], hi[32];
            format_bound(s, s->min, lo, sizeof(lo));
            format_bound(s, s->max, hi, sizeof(hi));
            fprintf(out, "; %s to %s", lo, hi);
        }
        fprintf(out, " |\n");
    }
    size_t nlive = mq_config_live_count();
    for (size_t i = 0; i < nlive; i++) {
        const struct mq_live_setting *l = mq_config_live(i);
        fprintf(out, "| `%s` (setting only) | – | – | %s |\n", l->name, l->help);
    }
}
