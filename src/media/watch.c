#include "media/watch.h"

#include <dirent.h>
#include <jansson.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/events.h"
#include "jobs/queue.h"
#include "media/conf.h"
#include "media/scanner.h"
#include "notify/notify.h"
#include "store/libraries.h"

#define WATCH_MASK                                                                                 \
    (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF |       \
     IN_MOVE_SELF | IN_ATTRIB | IN_ONLYDIR)
#define DEPTH_MAX 48

/* What a watch descriptor stands for: a folder of a library. */
struct wdir {
    int wd;
    int lib; /* index into libs, -1 when the slot is free */
    char *path;
};

struct wlib {
    char id[37];
    char *name;
    char state[16];   /* watching, polling, failed */
    char *error;      /* why, when not watching */
    int64_t dirty_at; /* monotonic ms of the last change not yet scanned, 0 = clean */
    int folders;
};

struct mq_watch {
    struct mq_ctx *ctx;
    pthread_t thread;
    int ifd, wake;
    atomic_int stop, reload;

    struct wlib *libs;
    size_t nlibs;
    struct wdir *dirs; /* open addressing by wd */
    size_t cap, ndirs;
    int64_t folders_total;

    pthread_mutex_t mu; /* guards the figures below, read by /metrics */
    struct mq_watch_stats st;
    json_t *polled; /* what mq_watch_polled answers, rebuilt at each reload */
};

/* The monotonic clock in ms, from core/clock.h. */
static int64_t monotonic_ms(void)
{
    return (int64_t)(mq_monotonic_ns() / 1000000);
}

/* ---- descriptors ------------------------------------------------------- */

static struct wdir *dir_slot(struct mq_watch *w, int wd)
{
    for (size_t i = (size_t)wd & (w->cap - 1);; i = (i + 1) & (w->cap - 1))
        if (w->dirs[i].lib < 0 || w->dirs[i].wd == wd) return &w->dirs[i];
}

static void dirs_reset(struct mq_watch *w)
{
    for (size_t i = 0; i < w->cap; i++) {
        if (w->dirs[i].lib >= 0) inotify_rm_watch(w->ifd, w->dirs[i].wd);
        free(w->dirs[i].path);
        w->dirs[i] = (struct wdir){.lib = -1};
    }
    w->ndirs = 0;
    w->folders_total = 0;
}

static int dirs_grow(struct mq_watch *w)
{
    size_t cap = w->cap ? w->cap * 2 : 1024;
    struct wdir *old = w->dirs;
    size_t oldcap = w->cap;
    w->dirs = calloc(cap, sizeof(*w->dirs));
    if (!w->dirs) {
        w->dirs = old;
        return -1;
    }
    w->cap = cap;
    for (size_t i = 0; i < cap; i++) w->dirs[i].lib = -1;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].lib >= 0) *dir_slot(w, old[i].wd) = old[i];
    free(old);
    return 0;
}

/* ---- the libraries ----------------------------------------------------- */

static void set_state(struct mq_watch *w, struct wlib *l, const char *state, const char *why)
{
    if (!strcmp(l->state, state) && (!why || (l->error && !strcmp(l->error, why)))) return;
    snprintf(l->state, sizeof(l->state), "%s", state);
    free(l->error);
    l->error = why ? strdup(why) : NULL;
    if (why)
        mq_log_warn(w->ctx->log, "media",
                    "library %s is not watched for changes: %s; it is scanned every "
                    "watch_poll_interval instead",
                    l->name, why);
    struct mq_db *db = NULL;
    struct mq_arena *a = why ? mq_arena_new(4096) : NULL;
    mq_err err = mq_store_begin(w->ctx->store, MQ_DB_WRITE, &db);
    if (!err)
        err = mq_store_library_set_watch(db, l->id, state, why, mq_clock_now_ms(w->ctx->clock));
    if (!err && why) {
        /* The admins hear of it once per library and reason, not at each
         * restart that finds the same NFS mount. */
        json_t *vars = json_pack("{s:s,s:s}", "library", l->name, "reason", why);
        struct mq_notice n = {
            .event = "watcher.degraded",
            .vars = vars,
            .dedupe_key = a ? mq_arena_printf(a, "watcher.degraded:%s:%.200s", l->id, why) : NULL,
            .link = a ? mq_arena_printf(a, "/admin/libraries/%s", l->id) : NULL};
        err = vars && n.dedupe_key ? mq_notify(w->ctx, db, a, &n, NULL) : MQ_ENOMEM;
        json_decref(vars);
    }
    err = mq_store_finish(db, err);
    mq_arena_free(a);
    if (err && err != MQ_ENOTFOUND)
        mq_log_warn(w->ctx->log, "media", "cannot record the watch state of %s: %s", l->name,
                    mq_err_name(err));
}

static const struct {
    long magic;
    const char *name;
} REMOTE[] = {
    {0x6969, "NFS"},      {0xFF534D42, "SMB (cifs)"}, {0xFE534D42, "SMB2"},   {0x517B, "SMB"},
    {0x65735546, "FUSE"}, {0x01021997, "9p"},         {0x73757245, "Coda"},   {0x564c, "NCP"},
    {0x6B414653, "AFS"},  {0x47504653, "GPFS"},       {0x0BD00BD0, "Lustre"}, {0x00C36400, "Ceph"}};

const char *mq_watch_remote_fs(const char *path)
{
    struct statfs sf;
    if (statfs(path, &sf)) return NULL;
    for (size_t i = 0; i < sizeof(REMOTE) / sizeof(REMOTE[0]); i++)
        if ((long)sf.f_type == REMOTE[i].magic) return REMOTE[i].name;
    return NULL;
}

/* Adds watches on path and every folder below it. -1 when the library
 * has to fall back to polling (*why says why). */
static int watch_tree(struct mq_watch *w, int lib, char *path, size_t len, int depth, char *why,
                      size_t whylen)
{
    long max = mq_media_conf(w->ctx->cfg)->watch_max_folders;
    if (w->folders_total >= max) {
        snprintf(why, whylen,
                 "watch_max_folders (%ld) is reached; raise it (and the kernel's "
                 "fs.inotify.max_user_watches) to watch more folders",
                 max);
        return -1;
    }
    int wd = inotify_add_watch(w->ifd, path, WATCH_MASK);
    if (wd < 0) {
        if (errno == ENOSPC)
            snprintf(why, whylen,
                     "the kernel's inotify watch limit is reached (raise "
                     "fs.inotify.max_user_watches)");
        else if (errno == ENOENT || errno == EACCES || errno == ENOTDIR)
            return 0; /* gone or unreadable meanwhile: the scan says more */
        else
            snprintf(why, whylen, "inotify_add_watch failed on %s: %s", path, strerror(errno));
        return -1;
    }
    if ((w->ndirs + 1) * 2 > w->cap && dirs_grow(w)) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    struct wdir *d = dir_slot(w, wd);
    if (d->lib < 0) {
        w->ndirs++;
        w->folders_total++;
        w->libs[lib].folders++;
    }
    free(d->path);
    *d = (struct wdir){.wd = wd, .lib = lib, .path = strdup(path)};
    if (depth >= DEPTH_MAX) return 0;
    DIR *dir = opendir(path);
    if (!dir) return 0;
    struct dirent *de;
    int rc = 0;
    while (!rc && (de = readdir(dir))) {
        if (de->d_name[0] == '.') continue;
        size_t nl = strlen(de->d_name);
        if (len + 1 + nl >= 4096) continue;
        bool is_dir = de->d_type == DT_DIR;
        if (de->d_type == DT_UNKNOWN || de->d_type == DT_LNK) {
            struct stat sb;
            path[len] = '/';
            memcpy(path + len + 1, de->d_name, nl + 1);
            /* Links to folders are followed by the scanner, not watched:
             * a loop would never end here. */
            is_dir = de->d_type == DT_UNKNOWN && !lstat(path, &sb) && S_ISDIR(sb.st_mode);
            path[len] = 0;
        }
        if (!is_dir) continue;
        path[len] = '/';
        memcpy(path + len + 1, de->d_name, nl + 1);
        rc = watch_tree(w, lib, path, len + 1 + nl, depth + 1, why, whylen);
        path[len] = 0;
    }
    closedir(dir);
    return rc;
}

static void free_libs(struct mq_watch *w)
{
    for (size_t i = 0; i < w->nlibs; i++) {
        free(w->libs[i].name);
        free(w->libs[i].error);
    }
    free(w->libs);
    w->libs = NULL;
    w->nlibs = 0;
}

/* Reads the libraries and sets every watch again. */
static void reload(struct mq_watch *w)
{
    struct mq_arena *a = mq_arena_new(0);
    struct mq_db *db = NULL;
    struct mq_library_row *rows = NULL;
    struct mq_library_path_row *paths = NULL;
    size_t n = 0, np = 0;
    mq_err err = a ? mq_store_begin(w->ctx->store, MQ_DB_READ, &db) : MQ_ENOMEM;
    if (!err) err = mq_store_libraries_all(db, a, &rows, &n);
    if (!err) err = mq_store_library_paths(db, a, NULL, &paths, &np);
    mq_store_rollback(db);
    if (err) {
        mq_log_warn(w->ctx->log, "media", "cannot read the libraries to watch: %s",
                    mq_err_name(err));
        mq_arena_free(a);
        return;
    }
    /* Dirty libraries stay dirty across the reload. */
    struct wlib *old = w->libs;
    size_t nold = w->nlibs;
    dirs_reset(w);
    w->libs = calloc(n ? n : 1, sizeof(*w->libs));
    w->nlibs = w->libs ? n : 0;
    for (size_t i = 0; i < w->nlibs; i++) {
        struct wlib *l = &w->libs[i];
        memcpy(l->id, rows[i].id, 37);
        l->name = strdup(rows[i].name);
        snprintf(l->state, sizeof(l->state), "%s", rows[i].watch_state);
        l->error = rows[i].watch_error ? strdup(rows[i].watch_error) : NULL;
        for (size_t k = 0; k < nold; k++)
            if (!strcmp(old[k].id, l->id)) l->dirty_at = old[k].dirty_at;
    }
    for (size_t k = 0; k < nold; k++) {
        free(old[k].name);
        free(old[k].error);
    }
    free(old);
    for (size_t i = 0; i < w->nlibs; i++) {
        struct wlib *l = &w->libs[i];
        char why[512] = "";
        int rc = 0;
        for (size_t k = 0; !rc && k < np; k++) {
            if (strcmp(paths[k].library_id, l->id)) continue;
            const char *remote = mq_watch_remote_fs(paths[k].path);
            if (remote) {
                snprintf(why, sizeof(why),
                         "%s is on a network file system (%s), which sends no events for "
                         "changes made elsewhere",
                         paths[k].path, remote);
                rc = -1;
                break;
            }
            char path[4096];
            size_t len = strlen(paths[k].path);
            if (len >= sizeof(path)) continue;
            memcpy(path, paths[k].path, len + 1);
            rc = watch_tree(w, (int)i, path, len, 0, why, sizeof(why));
        }
        set_state(w, l, rc ? "polling" : "watching", rc ? why : NULL);
        if (rc) {
            pthread_mutex_lock(&w->mu);
            w->st.watch_failures_total++;
            pthread_mutex_unlock(&w->mu);
        }
    }
    pthread_mutex_lock(&w->mu);
    w->st.libraries_watched = w->st.libraries_polled = 0;
    for (size_t i = 0; i < w->nlibs; i++) {
        if (!strcmp(w->libs[i].state, "watching"))
            w->st.libraries_watched++;
        else
            w->st.libraries_polled++;
    }
    w->st.folders_watched = (int64_t)w->ndirs;
    json_decref(w->polled);
    w->polled = json_array();
    for (size_t i = 0; i < w->nlibs; i++)
        if (strcmp(w->libs[i].state, "watching"))
            json_array_append_new(w->polled,
                                  json_pack("{s:s,s:s,s:s,s:s?}", "library", w->libs[i].name, "id",
                                            w->libs[i].id, "state", w->libs[i].state, "reason",
                                            w->libs[i].error));
    pthread_mutex_unlock(&w->mu);
    mq_arena_free(a);
}

/* ---- events ------------------------------------------------------------ */

static void mark(struct mq_watch *w, int lib)
{
    if (lib >= 0 && (size_t)lib < w->nlibs) w->libs[lib].dirty_at = monotonic_ms();
}

static void on_events(struct mq_watch *w)
{
    char buf[64 * 1024];
    for (;;) {
        ssize_t n = read(w->ifd, buf, sizeof(buf));
        if (n <= 0) return;
        for (char *p = buf; p + sizeof(struct inotify_event) <= buf + n;) {
            /* Copied out: the records are packed one after another. */
            struct inotify_event head, *ev = &head;
            memcpy(&head, p, sizeof(head));
            const char *name = p + sizeof(head);
            p += sizeof(head) + head.len;
            pthread_mutex_lock(&w->mu);
            w->st.events_total++;
            pthread_mutex_unlock(&w->mu);
            if (ev->mask & IN_Q_OVERFLOW) {
                /* Events were lost: every library may have changed. */
                pthread_mutex_lock(&w->mu);
                w->st.overflows_total++;
                pthread_mutex_unlock(&w->mu);
                for (size_t i = 0; i < w->nlibs; i++) mark(w, (int)i);
                continue;
            }
            struct wdir *d = w->cap ? dir_slot(w, ev->wd) : NULL;
            if (!d || d->lib < 0) continue;
            mark(w, d->lib);
            if (ev->mask & IN_IGNORED) {
                free(d->path);
                d->path = NULL;
                continue; /* its slot stays taken; the next reload clears it */
            }
            if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)) && ev->len &&
                name[0] != '.' && d->path) {
                /* A new folder: watched too, with what is in it already. */
                char path[4096], why[512];
                int k = snprintf(path, sizeof(path), "%s/%s", d->path, name);
                int lib = d->lib;
                if (k > 0 && (size_t)k < sizeof(path) &&
                    watch_tree(w, lib, path, (size_t)k, 0, why, sizeof(why)))
                    set_state(w, &w->libs[lib], "polling", why);
            }
        }
    }
}

/* Enqueues the scans that are due: quiet for the debounce time, and for
 * long enough that a file copied in has settled. */
static int64_t scan_due(struct mq_watch *w)
{
    const struct mq_media_conf *mc = mq_media_conf(w->ctx->cfg);
    int64_t quiet =
        mc->watch_debounce > mc->scan_settle ? mc->watch_debounce : mc->scan_settle + 500;
    int64_t now = monotonic_ms(), next = -1;
    for (size_t i = 0; i < w->nlibs; i++) {
        struct wlib *l = &w->libs[i];
        if (!l->dirty_at) continue;
        int64_t due = l->dirty_at + quiet;
        if (due > now) {
            if (next < 0 || due - now < next) next = due - now;
            continue;
        }
        struct mq_arena *a = mq_arena_new(0);
        struct mq_job job;
        struct mq_refusal why = {0};
        mq_err err = a ? mq_scan_request(w->ctx, a, l->id, false, NULL, &job, &why) : MQ_ENOMEM;
        mq_arena_free(a);
        if (!err) {
            l->dirty_at = 0;
            pthread_mutex_lock(&w->mu);
            w->st.scans_triggered_total++;
            pthread_mutex_unlock(&w->mu);
        } else if (err == MQ_ENOTFOUND) {
            l->dirty_at = 0;
        } else {
            /* One is waiting or running (it may have missed these changes),
             * or the database is away: try again after another wait. */
            l->dirty_at = now;
            if (next < 0 || quiet < next) next = quiet;
        }
    }
    return next;
}

static void *run(void *arg)
{
    struct mq_watch *w = arg;
    atomic_store(&w->reload, 1);
    while (!atomic_load(&w->stop)) {
        if (atomic_exchange(&w->reload, 0)) reload(w);
        int64_t next = scan_due(w);
        struct pollfd p[2] = {{.fd = w->ifd, .events = POLLIN}, {.fd = w->wake, .events = POLLIN}};
        int rc = poll(p, 2, next < 0 ? 60000 : (int)(next < 60000 ? next : 60000));
        if (rc < 0 && errno != EINTR) break;
        if (p[1].revents & POLLIN) {
            uint64_t v;
            if (read(w->wake, &v, sizeof(v)) < 0) { /* nothing to do */
            }
        }
        if (p[0].revents & POLLIN) on_events(w);
    }
    return NULL;
}

/* A library made, changed or removed: the thread sets its watches again. */
static void on_library_changed(const struct mq_event *e, void *arg)
{
    (void)e;
    struct mq_watch *w = arg;
    uint64_t one = 1;
    atomic_store(&w->reload, 1);
    if (write(w->wake, &one, sizeof(one)) < 0) { /* the thread wakes within a minute anyway */
    }
}

mq_err mq_watch_start(struct mq_ctx *ctx, struct mq_watch **out)
{
    *out = NULL;
    struct mq_watch *w = calloc(1, sizeof(*w));
    if (!w) return MQ_ENOMEM;
    w->ctx = ctx;
    w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    w->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    pthread_mutex_init(&w->mu, NULL);
    if (w->ifd < 0 || w->wake < 0 || dirs_grow(w)) {
        mq_log_warn(ctx->log, "media",
                    "cannot watch libraries for changes: %s; they are scanned "
                    "every watch_poll_interval",
                    strerror(errno));
        if (w->ifd >= 0) close(w->ifd);
        if (w->wake >= 0) close(w->wake);
        free(w->dirs);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return MQ_EUNAVAILABLE;
    }
    mq_err err = ctx->events
                     ? mq_events_subscribe(ctx->events, "library.changed", on_library_changed, w)
                     : MQ_OK;
    if (!err && pthread_create(&w->thread, NULL, run, w)) err = MQ_ENOMEM;
    if (err) {
        if (ctx->events) mq_events_unsubscribe(ctx->events, on_library_changed, w);
        close(w->ifd);
        close(w->wake);
        free(w->dirs);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return err;
    }
    *out = w;
    return MQ_OK;
}

void mq_watch_stop(struct mq_watch *w)
{
    if (!w) return;
    if (w->ctx->events) mq_events_unsubscribe(w->ctx->events, on_library_changed, w);
    atomic_store(&w->stop, 1);
    uint64_t one = 1;
    if (write(w->wake, &one, sizeof(one)) < 0) { /* join waits for the poll timeout then */
    }
    pthread_join(w->thread, NULL);
    dirs_reset(w);
    free(w->dirs);
    free_libs(w);
    close(w->ifd);
    close(w->wake);
    pthread_mutex_destroy(&w->mu);
    json_decref(w->polled);
    free(w);
}

json_t *mq_watch_polled(struct mq_watch *w)
{
    pthread_mutex_lock(&w->mu);
    json_t *out = w->polled ? json_deep_copy(w->polled) : json_array();
    pthread_mutex_unlock(&w->mu);
    return out;
}

void mq_watch_stats(struct mq_watch *w, struct mq_watch_stats *out)
{
    pthread_mutex_lock(&w->mu);
    *out = w->st;
    pthread_mutex_unlock(&w->mu);
}

mq_err mq_watch_render_metrics(struct mq_watch *w, struct mq_buf *out)
{
    struct mq_watch_stats s;
    if (!w) return MQ_OK;
    mq_watch_stats(w, &s);
    return mq_buf_printf(
        out,
        "# HELP mq_media_libraries_watched Libraries kept current by file system events.\n"
        "# TYPE mq_media_libraries_watched gauge\nmq_media_libraries_watched %lld\n"
        "# HELP mq_media_libraries_polled Libraries scanned periodically instead (watch limit, "
        "network file system, error).\n"
        "# TYPE mq_media_libraries_polled gauge\nmq_media_libraries_polled %lld\n"
        "# HELP mq_media_folders_watched Folders with an inotify watch.\n"
        "# TYPE mq_media_folders_watched gauge\nmq_media_folders_watched %lld\n"
        "# HELP mq_media_watch_events_total File system events received.\n"
        "# TYPE mq_media_watch_events_total counter\nmq_media_watch_events_total %lld\n"
        "# HELP mq_media_watch_scans_total Scans enqueued because files changed.\n"
        "# TYPE mq_media_watch_scans_total counter\nmq_media_watch_scans_total %lld\n"
        "# HELP mq_media_watch_failures_total Libraries that fell back to polling.\n"
        "# TYPE mq_media_watch_failures_total counter\nmq_media_watch_failures_total %lld\n"
        "# HELP mq_media_watch_overflows_total Times the kernel dropped events (a full "
        "rescan follows).\n"
        "# TYPE mq_media_watch_overflows_total counter\nmq_media_watch_overflows_total %lld\n",
        (long long)s.libraries_watched, (long long)s.libraries_polled, (long long)s.folders_watched,
        (long long)s.events_total, (long long)s.scans_triggered_total,
        (long long)s.watch_failures_total, (long long)s.overflows_total);
}
