/* webapp.c - serves the built browser app (see webapp.h). */
#include "http/webapp.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/log.h"
#include "http/conf.h"
#include "http/http.h"

#define FILE_PATH_MAX 256 /* the app's own names are short */

/* Scripts, styles, fonts and connections from this server only; pictures
 * and media also from blob: (previews of an upload); no plugins, no
 * framing, forms post only here. */
#define PAGE_CSP                                                                                   \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "        \
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "             \
    "worker-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "             \
    "report-uri /api/v1/reports/csp"

struct mq_webapp {
    int dir; /* O_PATH descriptor of the app's folder */
    char *path;
};

static const struct {
    const char *ext, *type;
} TYPES[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json"},
};

static const char *type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot) return NULL;
    for (size_t i = 0; i < sizeof(TYPES) / sizeof(TYPES[0]); i++)
        if (!strcmp(dot, TYPES[i].ext)) return TYPES[i].type;
    return NULL;
}

/* The folder beside the binary: build/web in the build tree, or
 * share/marquee/web of an installation. */
static char *default_dir(void)
{
    char exe[PATH_MAX], candidate[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0) return NULL;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash) return NULL;
    *slash = 0;
    static const char *const beside[] = {"/web", "/../share/marquee/web"};
    for (size_t i = 0; i < sizeof(beside) / sizeof(beside[0]); i++) {
        struct stat st;
        snprintf(candidate, sizeof(candidate), "%s%s/index.html", exe, beside[i]);
        if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode)) {
            candidate[strlen(candidate) - strlen("/index.html")] = 0;
            return strdup(candidate);
        }
    }
    return NULL;
}

mq_err mq_webapp_open(const struct mq_config *cfg, const struct mq_log *log, struct mq_webapp **out)
{
    const char *given = mq_http_conf(cfg)->web_dir;
    *out = NULL;
    char *path = given && *given ? strdup(given) : default_dir();
    if (!path) {
        if (given && *given) return MQ_ENOMEM;
        mq_log_info(log, "http", "no web app beside the binary (make web builds it): API only");
        return MQ_OK;
    }
    int dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (dir < 0 || fstatat(dir, "index.html", &st, 0) || !S_ISREG(st.st_mode)) {
        mq_log_error(log, "http", "web_dir %s holds no index.html: %s", path,
                     dir < 0 ? strerror(errno) : "not found");
        if (dir >= 0) close(dir);
        free(path);
        return MQ_EINVAL;
    }
    struct mq_webapp *w = calloc(1, sizeof(*w));
    if (!w) {
        close(dir);
        free(path);
        return MQ_ENOMEM;
    }
    w->dir = dir;
    w->path = path;
    mq_log_info(log, "http", "serving the web app from %s", path);
    *out = w;
    return MQ_OK;
}

void mq_webapp_close(struct mq_webapp *w)
{
    if (!w) return;
    close(w->dir);
    free(w->path);
    free(w);
}

bool mq_webapp_claims(const struct mq_req *req)
{
    return (req->method == MQ_GET || req->method == MQ_HEAD) && mq_webapp_path_ok(req->path);
}

bool mq_webapp_path_ok(const char *path)
{
    if (path[0] != '/') return false;
    /* The API's and the probes' names stay theirs, in any case and with any
     * tail: /api/v9/x, /HEALTHZ and /healthz/ are 404 problems, not pages. */
    static const char *const machine[] = {"api", "healthz", "readyz", "startupz", "metrics"};
    const char *first = path + 1;
    size_t flen = strcspn(first, "/");
    for (size_t i = 0; i < sizeof(machine) / sizeof(machine[0]); i++)
        if (flen == strlen(machine[i]) && !strncasecmp(first, machine[i], flen)) return false;
    /* The app's own routes are plain: ids, names, percent-escapes. */
    for (const char *p = path; *p; p++) {
        char c = *p;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_' || c == '.' || c == '~' || c == '%' || c == '/';
        if (!plain || (c == '/' && p[1] == '/')) return false;
    }
    return true;
}

/* The router refused ".." already; this is the second lock. */
const char *mq_webapp_file(struct mq_arena *a, const char *path, bool *page)
{
    *page = false;
    if (!strcmp(path, "/")) return "index.html";
    const char *rel = path + 1, *last = strrchr(path, '/') + 1;
    *page = !strchr(last, '.');
    size_t len = strlen(rel);
    if (!len || len > FILE_PATH_MAX) return NULL;
    for (size_t i = 0; i < len; i++) {
        char c = rel[i];
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_' || c == '.' || c == '/';
        if (!plain) return NULL;
        if (c == '.' && (i == 0 || rel[i - 1] == '/')) return NULL;
        if (c == '/' && (i == 0 || rel[i - 1] == '/')) return NULL;
    }
    return mq_arena_strdup(a, rel);
}

static bool takes_gzip(const struct mq_req *req)
{
    const char *ae = mq_req_header(req, "Accept-Encoding");
    return ae && strstr(ae, "gzip") && !strstr(ae, "gzip;q=0");
}

/* Opens name (or its .gz twin) as a regular file: fd >= 0, or -1. */
static int open_file(const struct mq_webapp *w, struct mq_req *req, const char *name, bool *gzipped,
                     struct stat *st)
{
    *gzipped = false;
    if (takes_gzip(req)) {
        const char *gz = mq_arena_printf(req->arena, "%s.gz", name);
        int fd = gz ? openat(w->dir, gz, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
        if (fd >= 0 && fstat(fd, st) == 0 && S_ISREG(st->st_mode)) {
            *gzipped = true;
            return fd;
        }
        if (fd >= 0) close(fd);
    }
    int fd = openat(w->dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0 && fstat(fd, st) == 0 && S_ISREG(st->st_mode)) return fd;
    if (fd >= 0) close(fd);
    return -1;
}

mq_err mq_webapp_serve(const struct mq_webapp *w, struct mq_req *req)
{
    bool page;
    const char *name = mq_webapp_file(req->arena, req->path, &page);
    bool looks_like_file = name && !page && strcmp(name, "index.html");
    if (!w)
        return mq_problem(req, 404, "web_app_missing", NULL,
                          "this server has no web app; build it with make web, or set web_dir");
    bool gzipped;
    struct stat st;
    int fd = looks_like_file ? open_file(w, req, name, &gzipped, &st) : -1;
    if (fd < 0 && (looks_like_file || (!name && !page)))
        return mq_problem(req, 404, "not_found", NULL, "no resource at this path");
    if (fd < 0) {
        /* An app route (/media/…, /setup): the app reads it itself. */
        name = "index.html";
        fd = open_file(w, req, name, &gzipped, &st);
        if (fd < 0) return MQ_EIO;
    }
    bool hashed = !strncmp(name, "assets/", 7);
    mq_err err = mq_reply_header(req, "Cache-Control",
                                 hashed ? "public, max-age=31536000, immutable" : "no-cache");
    if (!err) err = mq_reply_header(req, "Content-Security-Policy", PAGE_CSP);
    if (!err) err = mq_reply_header(req, "Vary", "Accept-Encoding");
    if (!err && gzipped) err = mq_reply_header(req, "Content-Encoding", "gzip");
    if (err) {
        close(fd);
        return err;
    }
    const char *type = type_of(name);
    return mq_reply_file(req, 200, type ? type : "application/octet-stream", fd, 0,
                         (uint64_t)st.st_size);
}
