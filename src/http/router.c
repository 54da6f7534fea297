#include "http/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

struct node {
    char *literal;      /* segment text; NULL for the root */
    char *param;        /* parameter name when this node is "{name}" */
    struct node **kids; /* literal children */
    size_t nkids;
    struct node *param_kid;
    int id; /* pattern id, -1 if no route ends here */
    char *pattern;
    mq_handler handlers[MQ_METHOD_COUNT];
    long max_body[MQ_METHOD_COUNT]; /* 0 = the server's limit */
    const char *permission[MQ_METHOD_COUNT];
    unsigned flags[MQ_METHOD_COUNT];
};

struct mq_router {
    struct node root;
    struct node **by_id;
    size_t count;
};

static const char *const method_names[MQ_METHOD_COUNT] = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER",
};

enum mq_method mq_method_parse(const char *s)
{
    for (int i = 0; i < MQ_METHOD_OTHER; i++)
        if (!strcmp(s, method_names[i])) return (enum mq_method)i;
    return MQ_METHOD_OTHER;
}

const char *mq_method_name(enum mq_method m)
{
    return method_names[m];
}

void mq_method_allow_list(unsigned allowed, char *out, size_t outlen)
{
    size_t o = 0;
    out[0] = '\0';
    if (allowed & (1u << MQ_GET)) allowed |= 1u << MQ_HEAD;
    allowed |= 1u << MQ_OPTIONS;
    for (int i = 0; i < MQ_METHOD_OTHER; i++) {
        if (!(allowed & (1u << i))) continue;
        int n = snprintf(out + o, outlen - o, "%s%s", o ? ", " : "", method_names[i]);
        if (n < 0 || (size_t)n >= outlen - o) break;
        o += (size_t)n;
    }
}

mq_err mq_router_new(struct mq_router **out)
{
    struct mq_router *r = calloc(1, sizeof(*r));
    if (!r) return MQ_ENOMEM;
    r->root.id = -1;
    *out = r;
    return MQ_OK;
}

static void node_free(struct node *n)
{
    for (size_t i = 0; i < n->nkids; i++) {
        node_free(n->kids[i]);
        free(n->kids[i]);
    }
    if (n->param_kid) {
        node_free(n->param_kid);
        free(n->param_kid);
    }
    free(n->kids);
    free(n->literal);
    free(n->param);
    free(n->pattern);
}

void mq_router_free(struct mq_router *r)
{
    if (!r) return;
    node_free(&r->root);
    free(r->by_id);
    free(r);
}

static struct node *node_new(void)
{
    struct node *n = calloc(1, sizeof(*n));
    if (n) n->id = -1;
    return n;
}

static mq_err descend(struct node *at, const char *seg, size_t len, struct node **out)
{
    if (len >= 2 && seg[0] == '{' && seg[len - 1] == '}') {
        if (len == 2 || memchr(seg + 1, '{', len - 2) || memchr(seg + 1, '}', len - 2))
            return MQ_EINVAL;
        if (!at->param_kid) {
            at->param_kid = node_new();
            if (!at->param_kid) return MQ_ENOMEM;
            at->param_kid->param = strndup(seg + 1, len - 2);
            if (!at->param_kid->param) return MQ_ENOMEM;
        } else if (strlen(at->param_kid->param) != len - 2 ||
                   strncmp(at->param_kid->param, seg + 1, len - 2)) {
            return MQ_ECONFLICT;
        }
        *out = at->param_kid;
        return MQ_OK;
    }
    if (memchr(seg, '{', len) || memchr(seg, '}', len)) return MQ_EINVAL;
    for (size_t i = 0; i < at->nkids; i++) {
        if (strlen(at->kids[i]->literal) == len && !strncmp(at->kids[i]->literal, seg, len)) {
            *out = at->kids[i];
            return MQ_OK;
        }
    }
    struct node **kids = realloc(at->kids, (at->nkids + 1) * sizeof(*kids));
    if (!kids) return MQ_ENOMEM;
    at->kids = kids;
    struct node *n = node_new();
    if (!n) return MQ_ENOMEM;
    n->literal = strndup(seg, len);
    if (!n->literal) {
        free(n);
        return MQ_ENOMEM;
    }
    at->kids[at->nkids++] = n;
    *out = n;
    return MQ_OK;
}

mq_err mq_router_add(struct mq_router *r, enum mq_method method, const char *pattern,
                     mq_handler handler)
{
    return mq_router_add_route(r, method, pattern, handler, NULL);
}

mq_err mq_router_add_route(struct mq_router *r, enum mq_method method, const char *pattern,
                           mq_handler handler, const struct mq_route_opts *opts)
{
    if (pattern[0] != '/' || method == MQ_METHOD_OTHER || method == MQ_HEAD) return MQ_EINVAL;
    struct node *at = &r->root;
    const char *p = pattern + 1;
    size_t nparams = 0;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0) return MQ_EINVAL;
        if (p[0] == '{' && ++nparams > MQ_ROUTE_MAX_PARAMS) return MQ_EINVAL;
        mq_err err = descend(at, p, len, &at);
        if (err) return err;
        p += len;
        if (*p == '/') p++;
    }
    if (at->handlers[method]) return MQ_ECONFLICT;
    if (at->id < 0) {
        struct node **by_id = realloc(r->by_id, (r->count + 1) * sizeof(*by_id));
        if (!by_id) return MQ_ENOMEM;
        r->by_id = by_id;
        at->pattern = strdup(pattern);
        if (!at->pattern) return MQ_ENOMEM;
        at->id = (int)r->count;
        r->by_id[r->count++] = at;
    }
    at->handlers[method] = handler;
    at->max_body[method] = opts ? opts->max_body : 0;
    at->permission[method] = opts ? opts->permission : NULL;
    at->flags[method] = opts ? opts->flags : 0;
    return MQ_OK;
}

static unsigned node_methods(const struct node *n)
{
    unsigned m = 0;
    for (int i = 0; i < MQ_METHOD_OTHER; i++)
        if (n->handlers[i]) m |= 1u << i;
    return m;
}

enum mq_match_result mq_router_match(const struct mq_router *r, enum mq_method method,
                                     const char *const *segs, size_t nsegs, struct mq_match *out)
{
    const struct node *at = &r->root;
    memset(out, 0, sizeof(*out));
    out->route_id = -1;
    for (size_t s = 0; s < nsegs && at; s++) {
        const struct node *next = NULL;
        for (size_t i = 0; i < at->nkids; i++) {
            if (!strcmp(at->kids[i]->literal, segs[s])) {
                next = at->kids[i];
                break;
            }
        }
        if (!next && at->param_kid && segs[s][0]) {
            next = at->param_kid;
            out->param_names[out->nparams] = next->param;
            out->params[out->nparams++] = segs[s];
        }
        at = next;
    }
    if (!at || at->id < 0) {
        out->nparams = 0;
        return MQ_MATCH_NOT_FOUND;
    }
    out->route_id = at->id;
    out->pattern = at->pattern;
    out->allowed = node_methods(at);
    enum mq_method look = method == MQ_HEAD ? MQ_GET : method;
    if (method == MQ_METHOD_OTHER || !at->handlers[look]) return MQ_MATCH_METHOD_NOT_ALLOWED;
    out->handler = at->handlers[look];
    out->max_body = at->max_body[look];
    out->permission = at->permission[look];
    out->flags = at->flags[look];
    return MQ_MATCH_OK;
}

size_t mq_router_count(const struct mq_router *r)
{
    return r->count;
}

const char *mq_router_pattern(const struct mq_router *r, int id)
{
    return r->by_id[id]->pattern;
}

unsigned mq_router_methods(const struct mq_router *r, int id)
{
    return node_methods(r->by_id[id]);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

mq_err mq_url_decode(struct mq_arena *a, const char *s, size_t n, bool plus_is_space, char **out)
{
    char *d = mq_arena_alloc(a, n + 1);
    size_t o = 0;
    if (!d) return MQ_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            /* An escape needs two hex digits: s[i+1] and s[i+2]. */
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) return MQ_EINVAL;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0') return MQ_EINVAL;
        d[o++] = c;
    }
    d[o] = '\0';
    if (!mq_utf8_valid(d, o)) return MQ_EINVAL;
    *out = d;
    return MQ_OK;
}

mq_err mq_path_split(struct mq_arena *a, const char *raw, const char ***segs, size_t *nsegs,
                     const char **why)
{
    const char **list = NULL;
    size_t n = 0;

    if (raw[0] != '/') {
        *why = "the path must start with '/'";
        return MQ_EINVAL;
    }
    for (const char *p = raw; *p; p++) {
        if ((unsigned char)*p < 0x21 || *p == 0x7f) {
            *why = "the path contains a control character or space";
            return MQ_EINVAL;
        }
    }
    list = mq_arena_alloc(a, MQ_PATH_MAX_SEGMENTS * sizeof(*list));
    if (!list) return MQ_ENOMEM;
    const char *p = raw + 1;
    if (*p) {
        for (;;) {
            const char *end = strchr(p, '/');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            if (n == MQ_PATH_MAX_SEGMENTS) {
                *why = "the path has too many segments";
                return MQ_EINVAL;
            }
            char *seg = NULL;
            mq_err err = mq_url_decode(a, p, len, false, &seg);
            if (err == MQ_ENOMEM) return err;
            if (err) {
                *why = "the path has a malformed or NUL percent-escape, or is not UTF-8";
                return MQ_EINVAL;
            }
            if (!strcmp(seg, ".") || !strcmp(seg, "..")) {
                *why = "the path contains a '.' or '..' segment";
                return MQ_EINVAL;
            }
            list[n++] = seg;
            if (!end) break;
            p = end + 1;
        }
    }
    *segs = list;
    *nsegs = n;
    return MQ_OK;
}
