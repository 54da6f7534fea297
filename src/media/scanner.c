#include "media/scanner.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <assert.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/strmap.h"
#include "core/utf8.h"
#include "core/uuid.h"
#include "media/announce.h"
#include "media/conf.h"
#include "media/names.h"
#include "media/paths.h"
#include "media/probe.h"
#include "store/catalog.h"
#include "store/jobs.h"

#define WALK_DEPTH_MAX 48
#define PATH_BYTES_MAX 4096

enum ekind { K_VIDEO, K_AUDIO, K_BOOK, K_SUB, K_IMAGE, K_NFO };

/* Subtitles, pictures and NFO files: they belong to a main file's item. */
static bool is_sidecar(int kind)
{
    return kind == K_SUB || kind == K_IMAGE || kind == K_NFO;
}

enum action {
    A_UNCHANGED, /* nothing to write */
    A_FOUND,     /* unchanged, back after missing */
    A_MOVED,     /* an old file at a new path */
    A_NEW,
    A_CHANGED,
    A_SKIP, /* not catalogued (sample, still being written): counted only */
    A_ODD,  /* kept as a skipped row with its reason (a pipe, a dangling link) */
};

struct entry {
    char *raw;             /* the path's bytes */
    size_t rawlen, dirlen; /* dirlen: up to and with the last '/' */
    char *esc;             /* escaped, as stored */
    int64_t dev, ino, size, mtime;
    uint8_t kind, action;
    int32_t old;        /* index into the catalogue's rows, or -1 */
    const char *reason; /* A_SKIP, A_ODD, or a failed probe */
    const char *json;   /* the probe's answer */
    mq_err probe_err;
    char file_id[37], item_id[37];
    char group_id[37]; /* the item a folder's images belong to: the movie, the season */
    char top_id[37];   /* the series, for a show's folder */
};

struct old_file {
    struct mq_file_row row;
    bool seen;
};

struct scan {
    struct mq_ctx *ctx;
    struct mq_arena *a; /* lives as long as the scan */
    const struct mq_media_conf *conf;
    struct mq_prober *prober;
    struct mq_library_row lib;
    const char **roots; /* the library's folders (real paths) */
    size_t nroots;
    enum mq_name_kind hint;
    struct mq_library_scan_row row;
    const struct mq_scan_opts *opts;
    int64_t now;

    struct entry *e;
    size_t n, cap;
    struct old_file *old;
    size_t nold;
    struct mq_strmap *by_path, *by_identity, *items, *visited, *stems, *dir_items;
    const char *error;
    char person_id[37]; /* the last made, for mq_store_credits_set */
};

static const char *const AUDIO_EXT[] = {"m4b",  "m4a", "mp3", "flac", "ogg",
                                        "opus", "aac", "wma", NULL};
static const char *const BOOK_EXT[] = {"epub", "pdf", "cbz", "cbr", "mobi", "azw3", NULL};
static const char *const SUB_EXT[] = {"srt", "ass", "ssa", "vtt", "sub", "idx", "sup", NULL};
static const char *const IMAGE_EXT[] = {"jpg", "jpeg", "png", "webp", NULL};
static const char *const NFO_EXT[] = {"nfo", NULL};

/* Folders nobody means to catalogue: NAS thumbnails, Mac forks, lost
 * blocks, Windows' recycle bin. Hidden folders are skipped anyway. */
static const char *const JUNK_DIRS[] = {
    "@eadir",   "lost+found", "$recycle.bin", "system volume information",
    "#recycle", "#snapshot",  "@recycle",     "sample",
    "samples",  NULL};

static bool ext_in(const char *name, size_t n, const char *const *list)
{
    const char *dot = memrchr(name, '.', n);
    char low[8];
    if (!dot || dot == name) return false;
    size_t el = (size_t)(name + n - dot - 1);
    if (!el || el >= sizeof(low)) return false;
    for (size_t i = 0; i < el; i++) low[i] = (char)tolower((unsigned char)dot[1 + i]);
    low[el] = 0;
    for (; *list; list++)
        if (!strcmp(low, *list)) return true;
    return false;
}

/* What a file is to this library, or -1 when it is not one of its own. */
static int kind_of(const struct scan *s, const char *name, size_t n)
{
    bool av = !strcmp(s->lib.kind, "movies") || !strcmp(s->lib.kind, "tv");
    if (ext_in(name, n, IMAGE_EXT)) return K_IMAGE;
    if (av) {
        char ext[8] = "";
        const char *dot = memrchr(name, '.', n);
        if (dot && (size_t)(name + n - dot - 1) < sizeof(ext))
            memcpy(ext, dot + 1, (size_t)(name + n - dot - 1));
        if (mq_name_is_video_ext(ext)) return K_VIDEO;
        if (ext_in(name, n, SUB_EXT)) return K_SUB;
        if (ext_in(name, n, NFO_EXT)) return K_NFO;
        return -1;
    }
    if (!strcmp(s->lib.kind, "audiobooks")) return ext_in(name, n, AUDIO_EXT) ? K_AUDIO : -1;
    return ext_in(name, n, BOOK_EXT) ? K_BOOK : -1;
}

static bool junk_dir(const char *name)
{
    char low[32];
    size_t n = strlen(name);
    if (n >= sizeof(low)) return false;
    for (size_t i = 0; i <= n; i++) low[i] = (char)tolower((unsigned char)name[i]);
    for (int i = 0; JUNK_DIRS[i]; i++)
        if (!strcmp(low, JUNK_DIRS[i])) return true;
    return false;
}

static mq_err push(struct scan *s, const char *path, size_t len, size_t dirlen,
                   const struct stat *sb, int kind, enum action action, const char *reason)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        struct entry *e = realloc(s->e, cap * sizeof(*e));
        if (!e) return MQ_ENOMEM;
        s->e = e;
        s->cap = cap;
    }
    struct entry *e = &s->e[s->n];
    memset(e, 0, sizeof(*e));
    e->raw = mq_arena_strndup(s->a, path, len);
    e->esc = mq_path_escape(s->a, path, len);
    if (!e->raw || !e->esc) return MQ_ENOMEM;
    e->rawlen = len;
    e->dirlen = dirlen;
    if (sb) {
        e->dev = (int64_t)sb->st_dev;
        e->ino = (int64_t)sb->st_ino;
        e->size = (int64_t)sb->st_size;
        e->mtime = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
    }
    e->kind = (uint8_t)kind;
    e->action = (uint8_t)action;
    e->old = -1;
    e->reason = reason;
    s->n++;
    return MQ_OK;
}

static const char *odd_reason(mode_t m)
{
    if (S_ISFIFO(m)) return "not a regular file (a named pipe)";
    if (S_ISCHR(m) || S_ISBLK(m)) return "not a regular file (a device)";
    if (S_ISSOCK(m)) return "not a regular file (a socket)";
    return "not a regular file";
}

/* Whether path, if it is a link, leads inside one of the library's
 * folders (which are real paths). A path that is no link is inside. */
static bool link_inside(const struct scan *s, const char *path)
{
    struct stat ls;
    if (lstat(path, &ls) || !S_ISLNK(ls.st_mode)) return true;
    char real[PATH_MAX];
    if (!realpath(path, real)) return false;
    for (size_t i = 0; i < s->nroots; i++)
        if (mq_path_within(s->roots[i], real)) return true;
    return false;
}

/* Walks one folder, depth first. Symbolic links are followed; a folder
 * reached twice (a loop, or two links to one place) is read once. */
static mq_err walk(struct scan *s, int dirfd, char *path, size_t len, int depth)
{
    DIR *d = fdopendir(dirfd);
    if (!d) {
        close(dirfd);
        mq_log_warn(s->ctx->log, "media", "cannot read the folder %s: %s", path, strerror(errno));
        return MQ_OK;
    }
    mq_err err = MQ_OK;
    struct dirent *de;
    while (!err && (de = readdir(d))) {
        const char *name = de->d_name;
        size_t nl = strlen(name);
        if (name[0] == '.') continue; /* hidden, "." and ".." */
        if (len + 1 + nl >= PATH_BYTES_MAX) {
            mq_log_warn(s->ctx->log, "media", "skipped a path longer than %d bytes in %s",
                        PATH_BYTES_MAX, path);
            s->row.skipped++;
            continue;
        }
        path[len] = '/';
        memcpy(path + len + 1, name, nl + 1);
        size_t plen = len + 1 + nl;
        struct stat sb;
        int kind = kind_of(s, name, nl);
        if (fstatat(dirfd, name, &sb, 0)) {
            /* A dangling link or a loop of links (ELOOP). */
            if (kind >= 0)
                err = push(s, path, plen, len + 1, NULL, kind, A_ODD,
                           errno == ELOOP ? "a loop of symbolic links" : "a link to nothing");
            continue;
        }
        /* Links are followed, but only where they stay inside the
         * library's folders: one named film.mkv pointing at a file of the
         * system would otherwise be served to every member. */
        if ((de->d_type == DT_LNK || de->d_type == DT_UNKNOWN) && !link_inside(s, path)) {
            if (kind >= 0 && !S_ISDIR(sb.st_mode))
                err = push(s, path, plen, len + 1, &sb, kind, A_ODD,
                           "a link to outside the library's folders");
            else if (S_ISDIR(sb.st_mode))
                mq_log_warn(s->ctx->log, "media",
                            "not following %s: it leads outside the library's folders (add its "
                            "target as a folder of the library instead)",
                            path);
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            char key[48];
            int kl =
                snprintf(key, sizeof(key), "%lld:%lld", (long long)sb.st_dev, (long long)sb.st_ino);
            if (junk_dir(name) || depth >= WALK_DEPTH_MAX) continue;
            char *k = mq_arena_strndup(s->a, key, (size_t)kl);
            if (!k) return MQ_ENOMEM;
            if (mq_strmap_get(s->visited, k, (size_t)kl) >= 0) continue;
            err = mq_strmap_put(s->visited, k, (size_t)kl, 1);
            int sub = err ? -1 : openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (sub >= 0)
                err = walk(s, sub, path, plen, depth + 1);
            else if (!err)
                mq_log_warn(s->ctx->log, "media", "cannot open the folder %s: %s", path,
                            strerror(errno));
            continue;
        }
        if (kind < 0) continue;
        if (!S_ISREG(sb.st_mode)) {
            err = push(s, path, plen, len + 1, &sb, kind, A_ODD, odd_reason(sb.st_mode));
            continue;
        }
        err = push(s, path, plen, len + 1, &sb, kind, A_NEW, NULL);
    }
    closedir(d);
    path[len] = 0;
    return err;
}

/* ---- comparing with the catalogue ------------------------------------- */

static char *identity_key(struct mq_arena *a, int64_t dev, int64_t ino)
{
    return mq_arena_printf(a, "%lld:%lld", (long long)dev, (long long)ino);
}

static mq_err load_old(struct scan *s)
{
    struct mq_db *db = NULL;
    struct mq_file_row *rows = NULL;
    size_t n = 0;
    mq_err err = mq_store_begin(s->ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_files_identity(db, s->a, s->lib.id, &rows, &n);
    mq_store_rollback(db);
    if (err) return err;
    s->old = mq_arena_alloc(s->a, (n + 1) * sizeof(*s->old));
    if (!s->old) return MQ_ENOMEM;
    s->nold = n;
    for (size_t i = 0; !err && i < n; i++) {
        s->old[i].row = rows[i];
        s->old[i].seen = false;
        err = mq_strmap_put(s->by_path, rows[i].path, strlen(rows[i].path), (int64_t)i);
        char *k = identity_key(s->a, rows[i].dev, rows[i].ino);
        if (!err) err = k ? mq_strmap_put(s->by_identity, k, strlen(k), (int64_t)i) : MQ_ENOMEM;
    }
    return err;
}

static bool same_identity(const struct entry *e, const struct mq_file_row *r)
{
    return e->dev == r->dev && e->ino == r->ino && e->size == r->size && e->mtime == r->mtime;
}

static void classify(struct scan *s)
{
    int64_t settle_ns = s->conf->scan_settle * 1000000;
    int64_t now_ns = s->now * 1000000;
    /* Paths first: every old file still where it was is claimed, so that
     * only the others can be moves. */
    for (size_t i = 0; i < s->n; i++) {
        struct entry *e = &s->e[i];
        int64_t k = mq_strmap_get(s->by_path, e->esc, strlen(e->esc));
        if (k < 0) continue;
        struct old_file *o = &s->old[k];
        o->seen = true;
        e->old = (int32_t)k;
        if (e->action == A_ODD) continue;
        if (same_identity(e, &o->row) && !s->opts->full)
            e->action = o->row.missing_since ? A_FOUND : A_UNCHANGED;
        else
            e->action = A_CHANGED;
    }
    for (size_t i = 0; i < s->n; i++) {
        struct entry *e = &s->e[i];
        if (e->old < 0 && e->action == A_NEW) {
            char key[48];
            int kl = snprintf(key, sizeof(key), "%lld:%lld", (long long)e->dev, (long long)e->ino);
            int64_t k = mq_strmap_get(s->by_identity, key, (size_t)kl);
            if (k >= 0 && !s->old[k].seen && same_identity(e, &s->old[k].row)) {
                s->old[k].seen = true;
                e->old = (int32_t)k;
                e->action = A_MOVED;
            }
        }
        /* Still growing: the next scan or watch event takes it. */
        if ((e->action == A_NEW || e->action == A_CHANGED) && now_ns - e->mtime < settle_ns) {
            e->action = A_SKIP;
            e->reason = "still being written";
        }
    }
}

/* ---- items ------------------------------------------------------------ */

/* The item for match_key, made if new (or restored if pruned before). */
static mq_err item_for(struct scan *s, struct mq_db *db, const char *kind, const char *match_key,
                       const char *parent_id, int64_t position, int64_t position_end,
                       const char *title, int64_t year, const char *edition,
                       const char *external_ids, const char *release_date, char id[37])
{
    int64_t cached = mq_strmap_get(s->items, match_key, strlen(match_key));
    if (cached >= 0) {
        memcpy(id, (const char *)(intptr_t)cached, 37);
        return MQ_OK;
    }
    struct mq_item_row row;
    mq_err err = mq_store_item_by_match(db, s->a, s->lib.id, match_key, &row);
    if (!err) {
        memcpy(id, row.id, 37);
        if (row.deleted_at) err = mq_store_item_set_deleted(db, row.id, 0);
    } else if (err == MQ_ENOTFOUND) {
        char st[MQ_NAME_TEXT_MAX];
        mq_name_sort_key(title, st, sizeof(st));
        mq_uuid7_new(s->ctx->clock, s->ctx->rng, id);
        row = (struct mq_item_row){.id = id,
                                   .library_id = s->lib.id,
                                   .kind = kind,
                                   .parent_id = parent_id,
                                   .match_key = match_key,
                                   .position = position,
                                   .position_end = position_end,
                                   .title = title,
                                   .sort_title = st,
                                   .year = year,
                                   .release_date = release_date,
                                   .rating = -1,
                                   .edition = edition && *edition ? edition : NULL,
                                   .external_ids = external_ids,
                                   .added_at = s->now,
                                   .updated_at = s->now};
        err = mq_store_item_insert(db, &row);
    }
    if (err) return err;
    char *keep_key = mq_arena_strdup(s->a, match_key);
    char *keep_id = mq_arena_strndup(s->a, id, 36);
    if (!keep_key || !keep_id) return MQ_ENOMEM;
    return mq_strmap_put(s->items, keep_key, strlen(keep_key), (int64_t)(intptr_t)keep_id);
}

static void lower_into(const char *in, char *out, size_t cap)
{
    size_t i = 0;
    for (; in[i] && i + 1 < cap; i++) out[i] = (char)tolower((unsigned char)in[i]);
    out[i] = 0;
}

static const char *ids_json(struct mq_arena *a, const struct mq_name *nm)
{
    json_t *o = json_object();
    if (nm->tmdb_id[0]) json_object_set_new(o, "tmdb", json_string(nm->tmdb_id));
    if (nm->imdb_id[0]) json_object_set_new(o, "imdb", json_string(nm->imdb_id));
    if (nm->tvdb_id[0]) json_object_set_new(o, "tvdb", json_string(nm->tvdb_id));
    char *t = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    const char *out = t ? mq_arena_strdup(a, t) : NULL;
    free(t);
    return out;
}

/* A tag of the probe's answer, or NULL. */
static const char *tag(json_t *probe, const char *name)
{
    const char *v = json_string_value(json_object_get(json_object_get(probe, "tags"), name));
    return v && *v ? v : NULL;
}

/* The folder of a path, escaped, as a key ("audiobook|/books/Dune/"). */
static const char *dir_key(struct scan *s, const struct entry *e, const char *prefix)
{
    char *esc = mq_path_escape(s->a, e->raw, e->dirlen);
    return esc ? mq_arena_printf(s->a, "%s|%s", prefix, esc) : NULL;
}

static const char *new_person_id(void *arg)
{
    struct scan *s = arg;
    static_assert(sizeof(s->person_id) == 37, "a UUID");
    mq_uuid7_new(s->ctx->clock, s->ctx->rng, s->person_id);
    return s->person_id;
}

/* A book: what the EPUB says (title, date, ISBN, authors, series), else
 * its name. Authors and series are written only for a new book, so that
 * corrections an admin made stay. */
static mq_err book_item(struct scan *s, struct mq_db *db, struct entry *e, json_t *book,
                        const struct mq_name *nm)
{
    char key[3 * MQ_NAME_TEXT_MAX];
    const char *title = json_string_value(json_object_get(book, "title"));
    const char *date = json_string_value(json_object_get(book, "date"));
    const char *isbn = json_string_value(json_object_get(book, "isbn"));
    int year = date && strlen(date) >= 4 ? (int)strtol(date, NULL, 10) : nm->year;
    if (year < 1000 || year > 2200) year = 0;
    json_t *ids = json_object();
    if (isbn) json_object_set_new(ids, "isbn", json_string(isbn));
    char *ids_text = json_dumps(ids, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(ids);
    const char *idj = ids_text ? mq_arena_strdup(s->a, ids_text) : NULL;
    free(ids_text);
    if (!idj) return MQ_ENOMEM;
    snprintf(key, sizeof(key), "book|%s", e->esc);
    bool existed = mq_strmap_get(s->items, key, strlen(key)) >= 0;
    struct mq_item_row old;
    if (!existed) existed = !mq_store_item_by_match(db, s->a, s->lib.id, key, &old);
    mq_err err = item_for(s, db, "book", key, NULL, -1, -1, title && *title ? title : nm->title,
                          year, NULL, idj, NULL, e->item_id);
    if (err || existed || !book) return err;
    json_t *authors = json_object_get(book, "authors");
    size_t na = json_array_size(authors);
    if (na) {
        struct mq_credit_row *rows = mq_arena_alloc(s->a, na * sizeof(*rows));
        if (!rows) return MQ_ENOMEM;
        for (size_t i = 0; i < na; i++)
            rows[i] = (struct mq_credit_row){.name = json_string_value(json_array_get(authors, i)),
                                             .kind = "crew",
                                             .role = "Author",
                                             .department = "Writing",
                                             .position = (int64_t)i};
        err = mq_store_credits_set(db, e->item_id, "crew", rows, na, new_person_id, s);
    }
    const char *series = json_string_value(json_object_get(book, "series"));
    const char *index = json_string_value(json_object_get(book, "series_index"));
    if (!err && series && *series) {
        char cid[37];
        mq_uuid7_new(s->ctx->clock, s->ctx->rng, cid);
        err = mq_store_collection_put_item(db, s->a, "series", series, cid, e->item_id,
                                           index ? atoll(index) : 0, s->now, NULL);
    }
    return err;
}

/* A new audiobook's author (artist, album artist), narrator (composer or
 * narrator tags, as taggers write them) and series. */
static mq_err audiobook_people(struct scan *s, struct mq_db *db, struct entry *e, json_t *probe)
{
    struct mq_credit_row rows[2];
    size_t n = 0;
    const char *author = tag(probe, "album_artist");
    if (!author) author = tag(probe, "artist");
    const char *narrator = tag(probe, "narrator");
    if (!narrator) narrator = tag(probe, "composer");
    if (author)
        rows[n++] = (struct mq_credit_row){.name = author,
                                           .kind = "crew",
                                           .role = "Author",
                                           .department = "Writing",
                                           .position = 0};
    if (narrator) {
        rows[n] = (struct mq_credit_row){.name = narrator,
                                         .kind = "crew",
                                         .role = "Narrator",
                                         .department = "Sound",
                                         .position = (int64_t)n};
        n++;
    }
    mq_err err =
        n ? mq_store_credits_set(db, e->item_id, "crew", rows, n, new_person_id, s) : MQ_OK;
    const char *series = tag(probe, "series");
    if (!err && series) {
        char cid[37];
        const char *part = tag(probe, "series-part");
        mq_uuid7_new(s->ctx->clock, s->ctx->rng, cid);
        err = mq_store_collection_put_item(db, s->a, "series", series, cid, e->item_id,
                                           part ? strtol(part, NULL, 10) : 0, s->now, NULL);
    }
    return err;
}

/* Finds or makes the item a main file belongs to, and says what the file
 * is to it (role, detail). */
static mq_err resolve_item(struct scan *s, struct mq_db *db, struct entry *e, json_t *probe,
                           const char **role, const char **detail)
{
    struct mq_name nm;
    char key[3 * MQ_NAME_TEXT_MAX];
    const char *file_name = e->raw + e->dirlen;
    mq_name_parse(e->raw, e->rawlen, s->hint, &nm);
    *role = "main";
    *detail = NULL;
    if (!nm.title[0]) mq_utf8_repair(file_name, strlen(file_name), nm.title, sizeof(nm.title));
    char low[MQ_NAME_TEXT_MAX];
    lower_into(nm.title, low, sizeof(low));
    const char *ids = ids_json(s->a, &nm);
    if (!ids) return MQ_ENOMEM;
    if (nm.extra) {
        *role = nm.extra == MQ_EXTRA_TRAILER ? "trailer" : "extra";
        *detail = nm.episode_title[0] ? mq_arena_strdup(s->a, nm.episode_title) : NULL;
    }
    if (!strcmp(s->lib.kind, "movies")) {
        if (nm.tmdb_id[0])
            snprintf(key, sizeof(key), "movie|tmdb:%s", nm.tmdb_id);
        else if (nm.imdb_id[0])
            snprintf(key, sizeof(key), "movie|imdb:%s", nm.imdb_id);
        else
            snprintf(key, sizeof(key), "movie|%s|%d", low, nm.year);
        mq_err err = item_for(s, db, "movie", key, NULL, -1, -1, nm.title, nm.year, nm.edition, ids,
                              NULL, e->item_id);
        memcpy(e->group_id, e->item_id, 37);
        return err;
    }
    if (!strcmp(s->lib.kind, "tv")) {
        char series[37], season[37];
        snprintf(key, sizeof(key), "series|%s", low);
        mq_err err = item_for(s, db, "series", key, NULL, -1, -1, nm.title, nm.year, NULL, ids,
                              NULL, series);
        if (err) return err;
        bool episodic = nm.nepisodes || nm.air_year;
        if (nm.extra || !episodic) {
            /* Extras of the show, and files that name no episode. */
            if (!nm.extra) *role = "extra";
            memcpy(e->item_id, series, 37);
            memcpy(e->group_id, series, 37);
            memcpy(e->top_id, series, 37);
            return MQ_OK;
        }
        int sn = nm.air_year ? nm.air_year : nm.season >= 0 ? nm.season : 1;
        snprintf(key, sizeof(key), "season|%s|%d", series, sn);
        char stitle[32];
        snprintf(stitle, sizeof(stitle), sn ? "Season %d" : "Specials", sn);
        err = item_for(s, db, "season", key, series, sn, -1, stitle, 0, NULL, "{}", NULL, season);
        if (err) return err;
        memcpy(e->group_id, season, 37);
        memcpy(e->top_id, series, 37);
        int first = nm.air_year ? nm.air_month * 100 + nm.air_day : nm.episodes[0];
        int last = nm.nepisodes > 1 ? nm.episodes[nm.nepisodes - 1] : -1;
        char etitle[MQ_NAME_TEXT_MAX], date[16] = "";
        if (nm.air_year)
            snprintf(date, sizeof(date), "%04d-%02d-%02d", nm.air_year, nm.air_month, nm.air_day);
        if (nm.episode_title[0])
            snprintf(etitle, sizeof(etitle), "%s", nm.episode_title);
        else if (nm.air_year)
            snprintf(etitle, sizeof(etitle), "%s", date);
        else
            snprintf(etitle, sizeof(etitle), "Episode %d", first);
        snprintf(key, sizeof(key), "episode|%s|%d|%d", series, sn, first);
        return item_for(s, db, "episode", key, season, first, last, etitle, 0, NULL, "{}",
                        date[0] ? date : NULL, e->item_id);
    }
    if (!strcmp(s->lib.kind, "audiobooks")) {
        /* One folder per book, or one file at the top of the library. */
        const char *album = tag(probe, "album"), *t = tag(probe, "title");
        const char *title = album ? album : t ? t : nm.title;
        bool top = false;
        for (size_t i = 0; i < s->nroots; i++)
            top |=
                e->dirlen == strlen(s->roots[i]) + 1 && !memcmp(e->raw, s->roots[i], e->dirlen - 1);
        const char *k =
            top ? mq_arena_printf(s->a, "audiobook|%s", e->esc) : dir_key(s, e, "audiobook");
        if (!k) return MQ_ENOMEM;
        if (!album && !top) {
            /* A folder of parts without tags: the folder names the book. */
            struct mq_name folder;
            mq_name_parse(e->raw, e->dirlen - 1, s->hint, &folder);
            if (folder.title[0]) title = mq_arena_strdup(s->a, folder.title);
        }
        bool existed = mq_strmap_get(s->items, k, strlen(k)) >= 0;
        struct mq_item_row old;
        if (!existed) existed = !mq_store_item_by_match(db, s->a, s->lib.id, k, &old);
        mq_err err = item_for(s, db, "audiobook", k, NULL, -1, -1, title, nm.year, NULL, "{}", NULL,
                              e->item_id);
        return err || existed ? err : audiobook_people(s, db, e, probe);
    }
    return book_item(s, db, e, probe, &nm);
}

/* ---- probing ---------------------------------------------------------- */

struct chunk {
    struct scan *s;
    struct entry **wanted; /* the batch's entries that need probing */
    size_t n;
    atomic_size_t next;
};

/* EPUBs and comic archives are read by a helper too; other books (PDF,
 * MOBI, CBR) by their names only. */
static bool readable_book(const struct entry *e)
{
    const char *dot = memrchr(e->raw + e->dirlen, '.', e->rawlen - e->dirlen);
    return e->kind == K_BOOK && dot && (!strcasecmp(dot, ".epub") || !strcasecmp(dot, ".cbz"));
}

static bool needs_probe(const struct entry *e)
{
    return (e->action == A_NEW || e->action == A_CHANGED) &&
           (e->kind == K_VIDEO || e->kind == K_AUDIO || readable_book(e));
}

static void probe_one(struct scan *s, struct entry *e, struct mq_arena *a)
{
    char why[256] = "";
    if (!e->size) {
        /* Nothing to read: no helper needs to say so. */
        e->probe_err = MQ_EIO;
        e->reason = "the file is empty";
        return;
    }
    /* O_NONBLOCK: if the file was swapped for a pipe since the walk, the
     * open cannot hang; fstat then tells it is no longer the same file. */
    int fd = open(e->raw, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    struct stat sb;
    if (fd < 0) {
        e->probe_err = MQ_EIO;
        e->reason = mq_arena_printf(a, "cannot be opened: %s", strerror(errno));
        return;
    }
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || (int64_t)sb.st_ino != e->ino) {
        close(fd);
        e->action = A_SKIP;
        e->reason = "replaced while the scan ran";
        return;
    }
    const char *json = NULL;
    e->probe_err =
        e->kind == K_BOOK
            ? mq_prober_read_book(s->prober, fd, e->raw + e->dirlen, a, &json, why, sizeof(why))
            : mq_prober_probe(s->prober, fd, e->raw + e->dirlen, a, &json, why, sizeof(why));
    if (!fstat(fd, &sb) && (int64_t)sb.st_size != e->size) {
        e->action = A_SKIP;
        e->reason = "still being written";
    }
    close(fd);
    e->json = json;
    if (e->probe_err) e->reason = mq_arena_strdup(a, why[0] ? why : mq_err_name(e->probe_err));
}

static void *probe_worker(void *arg)
{
    struct chunk *c = arg;
    /* The answers live in this thread's arena, handed back when it ends:
     * the chunk's writer reads them, then frees it. */
    struct mq_arena *a = mq_arena_new(0);
    for (;;) {
        size_t i = atomic_fetch_add(&c->next, 1);
        if (i >= c->n) break;
        if (a) probe_one(c->s, c->wanted[i], a);
    }
    return a;
}

/* Probes the entries of [from, to) that need it, probe_workers at a time.
 * The answers' arenas go to arenas[] (at most 64), freed by the caller. */
static size_t probe_range(struct scan *s, size_t from, size_t to, struct mq_arena **arenas)
{
    struct chunk c = {.s = s};
    c.wanted = mq_arena_alloc(s->a, (to - from + 1) * sizeof(*c.wanted));
    if (!c.wanted) return 0;
    for (size_t i = from; i < to; i++)
        if (needs_probe(&s->e[i])) c.wanted[c.n++] = &s->e[i];
    if (!c.n) return 0;
    atomic_init(&c.next, 0);
    size_t nthreads = (size_t)s->conf->probe_workers;
    if (nthreads > c.n) nthreads = c.n;
    if (nthreads > 64) nthreads = 64;
    pthread_t t[64];
    size_t started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&t[started], NULL, probe_worker, &c)) break;
    if (!started) {
        arenas[0] = probe_worker(&c); /* no thread to be had: this one probes */
        return 1;
    }
    for (size_t i = 0; i < started; i++) {
        void *ret = NULL;
        pthread_join(t[i], &ret);
        arenas[i] = ret;
    }
    return started;
}

/* The probe's answer as the file row's columns. */
static void fill_from_probe(struct scan *s, json_t *probe, struct mq_file_row *f)
{
    json_t *streams = json_object_get(probe, "streams");
    /* Copied: the probe's document is gone before the row is written. */
    const char *container = json_string_value(json_object_get(probe, "container"));
    f->container = container ? mq_arena_strdup(s->a, container) : NULL;
    f->duration_ms = json_integer_value(json_object_get(probe, "duration_ms"));
    f->bit_rate = json_integer_value(json_object_get(probe, "bit_rate"));
    size_t i;
    json_t *st;
    json_array_foreach(streams, i, st)
    {
        const char *type = json_string_value(json_object_get(st, "type"));
        if (!type || strcmp(type, "video") || json_is_true(json_object_get(st, "cover"))) continue;
        f->width = json_integer_value(json_object_get(st, "width"));
        f->height = json_integer_value(json_object_get(st, "height"));
        const char *codec = json_string_value(json_object_get(st, "codec"));
        const char *hdr = json_string_value(json_object_get(st, "hdr"));
        f->video_codec = codec ? mq_arena_strdup(s->a, codec) : NULL;
        f->hdr = hdr ? mq_arena_strdup(s->a, hdr) : NULL;
        break;
    }
    char *t;
    if ((t = json_dumps(streams ? streams : json_array(), JSON_COMPACT)))
        f->streams = mq_arena_strdup(s->a, t), free(t);
    json_t *ch = json_object_get(probe, "chapters");
    if (ch && (t = json_dumps(ch, JSON_COMPACT))) f->chapters = mq_arena_strdup(s->a, t), free(t);
    json_t *tags = json_object_get(probe, "tags");
    if (tags && (t = json_dumps(tags, JSON_COMPACT))) f->tags = mq_arena_strdup(s->a, t), free(t);
}

static void new_id(struct scan *s, char out[37])
{
    mq_uuid7_new(s->ctx->clock, s->ctx->rng, out);
}

/* Writes one main file (video, audio, book) of the chunk. */
static mq_err write_main(struct scan *s, struct mq_db *db, struct entry *e)
{
    struct old_file *o = e->old >= 0 ? &s->old[e->old] : NULL;
    if (o) {
        memcpy(e->file_id, o->row.id, 37);
        if (o->row.item_id) memcpy(e->item_id, o->row.item_id, 37);
    }
    switch (e->action) {
    case A_UNCHANGED: s->row.unchanged++; return MQ_OK;
    case A_SKIP: s->row.skipped++; return MQ_OK;
    case A_FOUND: s->row.unchanged++; return mq_store_file_found(db, o->row.id, s->now);
    case A_MOVED: s->row.moved++; return mq_store_file_move(db, o->row.id, e->esc, s->now);
    default: break;
    }
    struct mq_file_row f = {.library_id = s->lib.id,
                            .role = "main",
                            .path = e->esc,
                            .dev = e->dev,
                            .ino = e->ino,
                            .size = e->size,
                            .mtime = e->mtime,
                            .state = "ok",
                            .seen_at = s->now,
                            .added_at = s->now,
                            .updated_at = s->now};
    if (!o) new_id(s, e->file_id);
    f.id = e->file_id;
    if (e->action == A_ODD) {
        f.state = "skipped";
        f.reason = e->reason;
        f.item_id = NULL;
        s->row.skipped++;
        return mq_store_file_upsert(db, &f);
    }
    if (e->action == A_NEW)
        s->row.new_files++;
    else
        s->row.changed++;
    json_t *probe = e->json ? json_loads(e->json, 0, NULL) : NULL;
    if (needs_probe(e)) {
        if (probe && e->kind == K_BOOK) {
            s->row.probed++;
            const char *format = json_string_value(json_object_get(probe, "format"));
            f.container = mq_arena_strdup(s->a, format ? format : "book");
            char *t = json_dumps(probe, JSON_COMPACT);
            f.tags = t ? mq_arena_strdup(s->a, t) : NULL;
            free(t);
            f.probed_at = s->now;
        } else if (probe) {
            s->row.probed++;
            fill_from_probe(s, probe, &f);
            f.probed_at = s->now;
        } else {
            s->row.failed++;
            f.state = "failed";
            f.reason = e->reason ? e->reason : "the probe gave no answer";
        }
    }
    const char *role = "main", *detail = NULL;
    mq_err err = resolve_item(s, db, e, probe, &role, &detail);
    json_decref(probe);
    if (err) return err;
    f.item_id = e->item_id;
    f.role = role;
    f.detail = detail;
    err = mq_store_file_upsert(db, &f);
    if (!err && f.duration_ms && !strcmp(role, "main"))
        err = mq_store_item_runtime_from_files(db, e->item_id);
    return err;
}

static void snapshot(struct scan *s, const char *phase)
{
    s->row.phase = phase;
    s->row.updated_at = mq_clock_now_ms(s->ctx->clock);
}

static mq_err save_progress(struct scan *s, struct mq_db *db)
{
    mq_err err = mq_store_scan_update(db, &s->row);
    return err;
}

static void told(struct scan *s)
{
    if (s->opts->progress) s->opts->progress(&s->row, s->opts->arg);
}

/* Main files, batch by batch: probe, then write in one transaction with
 * the counters. */
static mq_err main_pass(struct scan *s)
{
    size_t batch = (size_t)s->conf->scan_batch;
    for (size_t from = 0; from < s->n; from += batch) {
        size_t to = from + batch < s->n ? from + batch : s->n;
        /* Stopping: what is written stays; the job runs again and the
         * next scan finds it unchanged. */
        if (atomic_load(&s->ctx->draining)) {
            s->error = "the server stopped during the scan";
            return MQ_EUNAVAILABLE;
        }
        struct mq_arena *arenas[64] = {0};
        bool writes = false;
        for (size_t i = from; i < to && !writes; i++)
            writes = !is_sidecar(s->e[i].kind) && s->e[i].action != A_UNCHANGED &&
                     s->e[i].action != A_SKIP;
        size_t na = probe_range(s, from, to, arenas);
        struct mq_db *db = NULL;
        mq_err err = MQ_OK;
        for (size_t i = from; i < to && !err; i++) {
            struct entry *e = &s->e[i];
            if (is_sidecar(e->kind)) continue;
            s->row.seen++;
            if (!db && writes) err = mq_store_begin(s->ctx->store, MQ_DB_WRITE, &db);
            if (!err && db)
                err = write_main(s, db, e);
            else if (!err && e->action == A_UNCHANGED)
                s->row.unchanged++;
            else if (!err)
                s->row.skipped++;
        }
        snapshot(s, "probing");
        /* A batch of unchanged files writes nothing, not even counters:
         * a rescan of an unchanged library stays a read. */
        if (!err && db) err = save_progress(s, db);
        if (db) err = mq_store_finish(db, err);
        for (size_t k = 0; k < na; k++) mq_arena_free(arenas[k]);
        /* The answers and the reasons probing gave lived in those arenas. */
        for (size_t i = from; i < to; i++)
            if (needs_probe(&s->e[i]) || s->e[i].json) s->e[i].json = NULL, s->e[i].reason = NULL;
        if (err) return err;
        told(s);
    }
    return MQ_OK;
}

/* ---- what lies beside the media ---------------------------------------- */

/* The length of a path without its extension. */
static size_t stem_len(const struct entry *e)
{
    const char *base = e->raw + e->dirlen;
    const char *dot = memrchr(base, '.', e->rawlen - e->dirlen);
    return dot && dot > base ? (size_t)(dot - e->raw) : e->rawlen;
}

/* Indexes the main files by path without extension, and their folders. */
static mq_err index_main(struct scan *s)
{
    mq_err err = MQ_OK;
    for (size_t i = 0; i < s->n && !err; i++) {
        struct entry *e = &s->e[i];
        if (is_sidecar(e->kind) || !e->item_id[0]) continue;
        err = mq_strmap_put(s->stems, e->raw, stem_len(e), (int64_t)i);
        /* A folder of one item (a film's, a season's) gives that item its
         * posters; a folder of several, only by name (Name-poster.jpg). */
        int64_t k = err ? 0 : mq_strmap_get(s->dir_items, e->raw, e->dirlen);
        if (!err && k == -1)
            err = mq_strmap_put(s->dir_items, e->raw, e->dirlen, (int64_t)i);
        else if (!err && k >= 0 && k != INT64_MAX && strcmp(s->e[k].item_id, e->item_id) &&
                 (!s->e[k].group_id[0] || strcmp(s->e[k].group_id, e->group_id)))
            err = mq_strmap_put(s->dir_items, e->raw, e->dirlen, INT64_MAX);
    }
    return err;
}

/* Fills the entry's group and top items from the catalogue when the scan
 * did not write it (an unchanged episode: its season and series). */
static mq_err groups_of(struct scan *s, struct mq_db *db, struct entry *e)
{
    if (e->group_id[0]) return MQ_OK;
    struct mq_item_row it, parent;
    mq_err err = mq_store_item_get(db, s->a, e->item_id, &it);
    if (err) return err == MQ_ENOTFOUND ? MQ_OK : err;
    memcpy(e->group_id, it.id, 37);
    if (strcmp(it.kind, "episode") || !it.parent_id) return MQ_OK;
    memcpy(e->group_id, it.parent_id, 37);
    err = mq_store_item_get(db, s->a, it.parent_id, &parent);
    if (!err && parent.parent_id) memcpy(e->top_id, parent.parent_id, 37);
    return err == MQ_ENOTFOUND ? MQ_OK : err;
}

static const char *image_kind(const char *stem, size_t n)
{
    static const char *const kinds[][2] = {
        {"poster", "poster"},   {"folder", "poster"},     {"cover", "poster"},
        {"default", "poster"},  {"movie", "poster"},      {"show", "poster"},
        {"fanart", "backdrop"}, {"backdrop", "backdrop"}, {"background", "backdrop"},
        {"art", "backdrop"},    {"banner", "banner"},     {"logo", "logo"},
        {"clearlogo", "logo"},  {"thumb", "thumb"},       {"landscape", "thumb"},
        {"disc", "disc"},       {"clearart", "clearart"}};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strlen(kinds[i][0]) == n && !strncasecmp(stem, kinds[i][0], n)) return kinds[i][1];
    return NULL;
}

static mq_err show_of_folder(struct scan *s, struct mq_db *db, struct entry *e, const char **item);

/* tvshow.nfo: the series of its folder; season.nfo: the season; movie.nfo:
 * the folder's one work; Name.nfo: the video Name's work (a film or an
 * episode). *detail says which. */
static mq_err nfo_owner(struct scan *s, struct mq_db *db, struct entry *e, const char **item,
                        const char **detail)
{
    size_t n = stem_len(e);
    const char *base = e->raw + e->dirlen;
    size_t bl = n - e->dirlen;
    int64_t k = mq_strmap_get(s->stems, e->raw, n);
    if (k >= 0) {
        *item = s->e[k].item_id;
        *detail = "item";
        return MQ_OK;
    }
    bool show = bl == 6 && !strncasecmp(base, "tvshow", 6);
    bool season = bl == 6 && !strncasecmp(base, "season", 6);
    bool movie = bl == 5 && !strncasecmp(base, "movie", 5);
    if (!show && !season && !movie) return MQ_OK;
    *detail = show ? "tvshow" : season ? "season" : "movie";
    int64_t d = mq_strmap_get(s->dir_items, e->raw, e->dirlen);
    if (d >= 0 && d != INT64_MAX) {
        mq_err err = groups_of(s, db, &s->e[d]);
        if (err) return err;
        struct entry *v = &s->e[d];
        *item = show     ? (v->top_id[0] ? v->top_id : NULL)
                : season ? (v->top_id[0] && v->group_id[0] ? v->group_id : NULL)
                         : (v->top_id[0] ? NULL : v->item_id);
        return MQ_OK;
    }
    return show ? show_of_folder(s, db, e, item) : MQ_OK;
}

/* Finds what a subtitle, image or NFO file belongs to. For a subtitle,
 * *video is the video and *detail its language and flags ("en",
 * "eng,forced"). */
static mq_err sidecar_owner(struct scan *s, struct mq_db *db, struct entry *e, const char **item,
                            struct entry **video, const char **detail)
{
    *item = NULL;
    *video = NULL;
    *detail = NULL;
    if (e->kind == K_NFO) return nfo_owner(s, db, e, item, detail);
    size_t n = stem_len(e);
    const char *base = e->raw + e->dirlen;
    size_t bl = n - e->dirlen;
    if (e->kind == K_SUB) {
        /* "Name.eng.forced.srt": "Name.eng.forced", "Name.eng", "Name". */
        for (size_t cut = n; cut > e->dirlen;) {
            int64_t k = mq_strmap_get(s->stems, e->raw, cut);
            if (k >= 0) {
                *video = &s->e[k];
                *item = s->e[k].item_id;
                if (cut < n) {
                    char *d = mq_arena_strndup(s->a, e->raw + cut + 1, n - cut - 1);
                    if (!d) return MQ_ENOMEM;
                    for (char *p = d; *p; p++)
                        if (*p == '.') *p = ',';
                    char *clean = mq_arena_alloc(s->a, strlen(d) * 3 + 1);
                    if (!clean) return MQ_ENOMEM;
                    mq_utf8_repair(d, strlen(d), clean, strlen(d) * 3 + 1);
                    *detail = clean;
                }
                return MQ_OK;
            }
            const char *dot = memrchr(e->raw + e->dirlen, '.', cut - e->dirlen);
            if (!dot) break;
            cut = (size_t)(dot - e->raw);
        }
        return MQ_OK;
    }
    /* "Name-poster.jpg" belongs to the video "Name"; "season01-poster.jpg"
     * to a season; "poster.jpg" to the folder's one item. */
    const char *dash = memrchr(base, '-', bl);
    const char *kind =
        image_kind(dash ? dash + 1 : base, dash ? (size_t)(base + bl - dash - 1) : bl);
    if (!kind) return MQ_OK;
    *detail = kind;
    if (dash && dash > base) {
        int64_t k = mq_strmap_get(s->stems, e->raw, (size_t)(dash - e->raw));
        if (k >= 0) {
            *item = s->e[k].item_id;
            return MQ_OK;
        }
        if (!strncasecmp(base, "season", 6)) {
            int sn = !strncasecmp(base + 6, "-specials", 9) ? 0 : (int)strtol(base + 6, NULL, 10);
            int64_t d = mq_strmap_get(s->dir_items, e->raw, e->dirlen);
            (void)sn;
            if (d >= 0 && d != INT64_MAX) {
                mq_err err = groups_of(s, db, &s->e[d]);
                *item = err ? NULL : s->e[d].top_id[0] ? s->e[d].top_id : NULL;
                *detail = mq_arena_printf(s->a, "%s,season=%d", kind, sn);
                return err;
            }
        }
        return MQ_OK;
    }
    int64_t d = mq_strmap_get(s->dir_items, e->raw, e->dirlen);
    if (d >= 0 && d != INT64_MAX) {
        mq_err err = groups_of(s, db, &s->e[d]);
        if (!err) *item = s->e[d].group_id[0] ? s->e[d].group_id : s->e[d].item_id;
        return err;
    }
    return show_of_folder(s, db, e, item);
}

/* A show's own folder holds no video but its season folders do: the
 * series, through any episode below it. */
static mq_err show_of_folder(struct scan *s, struct mq_db *db, struct entry *e, const char **item)
{
    for (size_t i = 0; i < s->n; i++) {
        struct entry *v = &s->e[i];
        if (is_sidecar(v->kind) || !v->item_id[0]) continue;
        if (v->dirlen <= e->dirlen || memcmp(v->raw, e->raw, e->dirlen)) continue;
        if (memchr(v->raw + e->dirlen, '/', v->dirlen - e->dirlen - 1)) continue;
        mq_err err = groups_of(s, db, v);
        if (!err && v->top_id[0]) *item = v->top_id;
        return err;
    }
    return MQ_OK;
}

static mq_err sidecar_pass(struct scan *s)
{
    mq_err err = index_main(s);
    size_t batch = (size_t)s->conf->scan_batch, done = 0;
    struct mq_db *db = NULL;
    for (size_t i = 0; i < s->n && !err; i++) {
        struct entry *e = &s->e[i];
        if (!is_sidecar(e->kind)) continue;
        s->row.seen++;
        if (e->action == A_UNCHANGED || e->action == A_SKIP) {
            s->row.unchanged += e->action == A_UNCHANGED;
            s->row.skipped += e->action == A_SKIP;
            continue;
        }
        if (!db) err = mq_store_begin(s->ctx->store, MQ_DB_WRITE, &db);
        if (err) break;
        struct old_file *o = e->old >= 0 ? &s->old[e->old] : NULL;
        if (e->action == A_FOUND) {
            s->row.unchanged++;
            err = mq_store_file_found(db, o->row.id, s->now);
        } else if (e->action == A_MOVED) {
            s->row.moved++;
            err = mq_store_file_move(db, o->row.id, e->esc, s->now);
        } else {
            const char *item = NULL, *detail = NULL;
            struct entry *video = NULL;
            err = e->action == A_ODD ? MQ_OK : sidecar_owner(s, db, e, &item, &video, &detail);
            if (o)
                memcpy(e->file_id, o->row.id, 37);
            else
                new_id(s, e->file_id);
            struct mq_file_row f = {.id = e->file_id,
                                    .library_id = s->lib.id,
                                    .item_id = item,
                                    .video_id = video && video->file_id[0] ? video->file_id : NULL,
                                    .role = e->kind == K_SUB   ? "subtitle"
                                            : e->kind == K_NFO ? "nfo"
                                                               : "image",
                                    .detail = detail,
                                    .path = e->esc,
                                    .dev = e->dev,
                                    .ino = e->ino,
                                    .size = e->size,
                                    .mtime = e->mtime,
                                    .state = e->action == A_ODD ? "skipped" : "ok",
                                    .reason = e->action == A_ODD ? e->reason : NULL,
                                    .seen_at = s->now,
                                    .added_at = s->now,
                                    .updated_at = s->now};
            if (e->action == A_NEW)
                s->row.new_files++;
            else if (e->action == A_CHANGED)
                s->row.changed++;
            else
                s->row.skipped++;
            /* Nothing it belongs to: not catalogued (a stray image). */
            if (!err && (item || e->action == A_ODD)) err = mq_store_file_upsert(db, &f);
        }
        if (!err && ++done % batch == 0) {
            snapshot(s, "sidecars");
            err = mq_store_finish(db, save_progress(s, db));
            db = NULL;
            if (!err) told(s);
        }
    }
    if (db) {
        snapshot(s, "sidecars");
        if (!err) err = save_progress(s, db);
        err = mq_store_finish(db, err);
    }
    return err;
}

/* Files not found: missing now, removed after the grace period; then the
 * items that no file backs any more. */
static mq_err missing_pass(struct scan *s, bool *changed)
{
    struct mq_db *db = NULL;
    mq_err err = MQ_OK;
    size_t batch = (size_t)s->conf->scan_batch, done = 0;
    for (size_t i = 0; i < s->nold && !err; i++) {
        struct old_file *o = &s->old[i];
        if (o->seen) continue;
        if (!db) err = mq_store_begin(s->ctx->store, MQ_DB_WRITE, &db);
        if (err) break;
        if (!o->row.missing_since) {
            err = mq_store_file_set_missing(db, o->row.id, s->now);
            s->row.missing++;
        } else if (s->now - o->row.missing_since >= s->conf->scan_missing_grace) {
            err = mq_store_file_delete(db, o->row.id);
            if (err == MQ_ENOTFOUND) err = MQ_OK; /* went with its video */
            s->row.removed++;
        } else {
            s->row.missing++;
        }
        if (!err && ++done % batch == 0) {
            snapshot(s, "missing");
            err = mq_store_finish(db, save_progress(s, db));
            db = NULL;
        }
    }
    if (!err && !db) err = mq_store_begin(s->ctx->store, MQ_DB_WRITE, &db);
    int64_t pruned = 0;
    if (!err) err = mq_store_items_prune(db, s->lib.id, s->now, &pruned);
    *changed = pruned || s->row.removed || s->row.new_files || s->row.changed || s->row.moved ||
               s->row.missing;
    if (db) err = mq_store_finish(db, err);
    return err;
}

/* ---- the scan --------------------------------------------------------- */

/* Only a series library reads a bare number as an episode: "Saga 001"
 * is a comic's title, "Ocean's 11" a film's. */
static enum mq_name_kind hint_of(const char *kind)
{
    return !strcmp(kind, "tv") ? MQ_NAME_EPISODE : MQ_NAME_MOVIE;
}

static mq_err begin_scan(struct scan *s, const char *library_id)
{
    struct mq_db *db = NULL;
    struct mq_library_path_row *paths = NULL;
    size_t n = 0;
    mq_err err = mq_store_begin(s->ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_library_get(db, s->a, library_id, &s->lib);
    if (!err) err = mq_store_library_paths(db, s->a, library_id, &paths, &n);
    if (!err) {
        s->roots = mq_arena_alloc(s->a, (n + 1) * sizeof(*s->roots));
        if (!s->roots) err = MQ_ENOMEM;
        for (size_t i = 0; !err && i < n; i++) s->roots[s->nroots++] = paths[i].path;
    }
    char id[37];
    mq_uuid7_new(s->ctx->clock, s->ctx->rng, id);
    s->row = (struct mq_library_scan_row){.id = mq_arena_strdup(s->a, id),
                                          .library_id = s->lib.id,
                                          .job_id = s->opts->job_id,
                                          .state = "running",
                                          .phase = "walking",
                                          .full = s->opts->full,
                                          .started_at = s->now,
                                          .updated_at = s->now};
    if (!err) err = mq_store_scans_abandon(db, library_id, NULL, s->now);
    if (!err) err = mq_store_scan_insert(db, &s->row);
    return mq_store_finish(db, err);
}

static mq_err end_scan(struct scan *s, mq_err failure, bool changed)
{
    struct mq_db *db = NULL;
    s->row.state = failure ? "failed" : "completed";
    if (failure && !s->row.error) s->row.error = s->error ? s->error : mq_err_name(failure);
    s->row.finished_at = mq_clock_now_ms(s->ctx->clock);
    snapshot(s, "done");
    mq_err err = mq_store_begin(s->ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = save_progress(s, db);
    if (!err && changed) {
        char *detail = mq_arena_printf(
            s->a, "{\"library_id\":\"%s\",\"new\":%lld,\"changed\":%lld,\"removed\":%lld}",
            s->lib.id, (long long)s->row.new_files, (long long)s->row.changed,
            (long long)s->row.removed);
        struct mq_event ev = {.kind = "media.changed", .subject = s->lib.id, .detail = detail};
        err = detail ? mq_db_publish(db, s->ctx->events, &ev) : MQ_ENOMEM;
        /* New works are scored now rather than at the night's run. */
        struct mq_job_spec q = {.kind = "media.quality",
                                .queue = "maintenance",
                                .max_attempts = 3,
                                .unique_key = "media.quality"};
        char job[37];
        if (!err) err = mq_jobs_enqueue(s->ctx, db, &q, job, NULL);
        /* New works are identified off the scan, on the metadata queue, so
         * a scan never waits on the network (metadata/identify.h). */
        char payload[80], key[80];
        snprintf(payload, sizeof(payload), "{\"library_id\":\"%s\"}", s->lib.id);
        snprintf(key, sizeof(key), "metadata.identify:%s", s->lib.id);
        struct mq_job_spec idj = {.kind = "metadata.identify",
                                  .payload = payload,
                                  .queue = "metadata",
                                  .max_attempts = 5,
                                  .unique_key = key};
        if (!err) err = mq_jobs_enqueue(s->ctx, db, &idj, job, NULL);
        if (!err && !failure && (s->row.new_files || s->row.changed || s->row.removed))
            err = mq_announce_queue(s->ctx, db, &s->row);
    }
    return mq_store_finish(db, err);
}

mq_err mq_scan_library(struct mq_ctx *ctx, struct mq_arena *a, const char *library_id,
                       const struct mq_scan_opts *o, struct mq_library_scan_row *out)
{
    struct scan s = {.ctx = ctx, .opts = o, .conf = mq_media_conf(ctx->cfg)};
    s.a = mq_arena_new(0);
    s.prober = o->prober ? o->prober : ctx->prober;
    s.now = mq_clock_now_ms(ctx->clock);
    bool changed = false;
    if (!s.a) return MQ_ENOMEM;
    mq_err err = mq_strmap_new(1024, &s.by_path);
    if (!err) err = mq_strmap_new(1024, &s.by_identity);
    if (!err) err = mq_strmap_new(256, &s.items);
    if (!err) err = mq_strmap_new(256, &s.visited);
    if (!err) err = mq_strmap_new(1024, &s.stems);
    if (!err) err = mq_strmap_new(256, &s.dir_items);
    if (!err) err = begin_scan(&s, library_id);
    if (err) goto done;
    s.hint = hint_of(s.lib.kind);
    if (!s.prober) {
        err = end_scan(&s, MQ_EUNAVAILABLE, false);
        err = err ? err : MQ_EUNAVAILABLE;
        goto done;
    }
    err = load_old(&s);
    char path[PATH_BYTES_MAX + 1];
    for (size_t i = 0; !err && i < s.nroots; i++) {
        size_t len = strlen(s.roots[i]);
        int fd = open(s.roots[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || len >= sizeof(path)) {
            /* An unmounted disk: its files will be missing, and stay
             * through the grace period. */
            mq_log_warn(ctx->log, "media", "library %s: cannot open %s: %s", s.lib.name, s.roots[i],
                        strerror(errno));
            if (fd >= 0) close(fd);
            continue;
        }
        /* The folder itself counts as visited: a link back to it (a loop)
         * is not read again. */
        struct stat rs;
        char *key =
            !fstat(fd, &rs) ? identity_key(s.a, (int64_t)rs.st_dev, (int64_t)rs.st_ino) : NULL;
        if (key) err = mq_strmap_put(s.visited, key, strlen(key), 1);
        memcpy(path, s.roots[i], len + 1);
        if (len == 1) len = 0; /* "/" + name, not "//" + name */
        err = walk(&s, fd, path, len, 0);
    }
    if (!err) {
        classify(&s);
        s.row.total = (int64_t)s.n;
        snapshot(&s, "probing");
        err = main_pass(&s);
    }
    if (!err) err = sidecar_pass(&s);
    if (!err) err = missing_pass(&s, &changed);
    mq_err end = end_scan(&s, err, changed || err);
    if (!err) err = end;
    if (out) {
        *out = s.row;
        out->id = mq_arena_strdup(a, s.row.id);
        out->library_id = mq_arena_strdup(a, s.row.library_id);
        out->job_id = o->job_id ? mq_arena_strdup(a, o->job_id) : NULL;
        out->error = s.row.error ? mq_arena_strdup(a, s.row.error) : NULL;
    }
    if (!err)
        mq_log_info(ctx->log, "media",
                    "scanned %s: %lld files, %lld new, %lld changed, %lld moved, %lld probed, "
                    "%lld failed, %lld skipped, %lld missing, %lld removed",
                    s.lib.name, (long long)s.row.seen, (long long)s.row.new_files,
                    (long long)s.row.changed, (long long)s.row.moved, (long long)s.row.probed,
                    (long long)s.row.failed, (long long)s.row.skipped, (long long)s.row.missing,
                    (long long)s.row.removed);
done:
    mq_strmap_free(s.by_path);
    mq_strmap_free(s.by_identity);
    mq_strmap_free(s.items);
    mq_strmap_free(s.visited);
    mq_strmap_free(s.stems);
    mq_strmap_free(s.dir_items);
    free(s.e);
    mq_arena_free(s.a);
    return err;
}

/* ---- jobs ------------------------------------------------------------- */

static mq_err scan_job(struct mq_job_run *run)
{
    const char *id = json_string_value(json_object_get(run->payload, "library_id"));
    bool full = json_is_true(json_object_get(run->payload, "full"));
    if (!id) {
        snprintf(run->error, sizeof(run->error), "the payload names no library_id");
        return MQ_EINVAL;
    }
    struct mq_scan_opts o = {.full = full, .job_id = run->job->id};
    struct mq_library_scan_row row;
    mq_err err = mq_scan_library(run->ctx, run->arena, id, &o, &row);
    if (err == MQ_ENOTFOUND) return MQ_OK; /* the library went meanwhile */
    if (err) snprintf(run->error, sizeof(run->error), "scan failed: %s", mq_err_name(err));
    return err;
}

static mq_err enqueue_scan(struct mq_ctx *ctx, struct mq_db *db, const char *library_id, bool full,
                           const char *by, char job_id[37], bool *created)
{
    char payload[128], key[80];
    snprintf(payload, sizeof(payload), "{\"library_id\":\"%s\",\"full\":%s}", library_id,
             full ? "true" : "false");
    snprintf(key, sizeof(key), "media.scan:%s", library_id);
    struct mq_job_spec spec = {.kind = "media.scan",
                               .payload = payload,
                               .queue = "media",
                               .max_attempts = 3,
                               .owner_id = by,
                               .unique_key = key};
    return mq_jobs_enqueue(ctx, db, &spec, job_id, created);
}

/* Every library whose interval has passed since its last scan began. */
static mq_err scans_due(struct mq_job_run *run)
{
    struct mq_ctx *ctx = run->ctx;
    struct mq_db *db = NULL;
    struct mq_library_row *libs = NULL;
    size_t n = 0;
    int64_t now = mq_clock_now_ms(ctx->clock);
    long fallback = mq_media_conf(ctx->cfg)->scan_interval;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_libraries_all(db, run->arena, &libs, &n);
    for (size_t i = 0; !err && i < n; i++) {
        int64_t every = libs[i].scan_interval >= 0 ? libs[i].scan_interval : fallback;
        /* Not watched: scanned often enough to find changes anyway. */
        long poll = mq_media_conf(ctx->cfg)->watch_poll_interval;
        bool polled =
            !strcmp(libs[i].watch_state, "polling") || !strcmp(libs[i].watch_state, "failed");
        if (polled && (every <= 0 || every > poll)) every = poll;
        struct mq_library_scan_row last;
        if (every <= 0) continue;
        err = mq_store_scan_latest(db, run->arena, libs[i].id, &last);
        bool due = err == MQ_ENOTFOUND || (!err && now - last.started_at >= every);
        if (err == MQ_ENOTFOUND) err = MQ_OK;
        char job[37];
        if (!err && due) err = enqueue_scan(ctx, db, libs[i].id, false, NULL, job, NULL);
    }
    return mq_store_finish(db, err);
}

mq_err mq_scanner_register(struct mq_jobs *jobs)
{
    mq_err err = mq_jobs_register(jobs, "media.scan", scan_job);
    if (!err) err = mq_jobs_register(jobs, "media.scan_due", scans_due);
    struct mq_job_spec due = {.kind = "media.scan_due", .queue = "maintenance", .max_attempts = 1};
    if (!err) err = mq_jobs_schedule(jobs, "media.scan_due", "every 5m", &due);
    return err;
}

mq_err mq_scan_request(struct mq_ctx *ctx, struct mq_arena *a, const char *library_id, bool full,
                       const char *by, struct mq_job *out, struct mq_refusal *why)
{
    struct mq_db *db = NULL;
    struct mq_library_row lib;
    char job_id[37];
    bool created = false;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_library_get(db, a, library_id, &lib);
    if (!err) err = enqueue_scan(ctx, db, library_id, full, by, job_id, &created);
    if (!err && !created)
        err = mq_refuse(why, MQ_ECONFLICT, "scan_running", NULL,
                        "a scan of this library is already waiting or running");
    err = mq_store_finish(db, err);
    if (!err) err = mq_jobs_get(ctx, a, job_id, out);
    return err;
}

mq_err mq_scan_status(struct mq_ctx *ctx, struct mq_arena *a, const char *library_id,
                      struct mq_library_scan_row *out, bool *never)
{
    struct mq_db *db = NULL;
    struct mq_library_row lib = {0};
    *never = false;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_library_get(db, a, library_id, &lib);
    if (!err) err = mq_store_scan_latest(db, a, library_id, out);
    if (err == MQ_ENOTFOUND && lib.id) {
        *never = true;
        err = MQ_OK;
    }
    /* The scan row is completed a moment before its job ends; until the job
     * has ended a new scan is refused as running, so report it running. */
    if (!err && !*never && out->job_id && strcmp(out->state, "completed") == 0) {
        struct mq_job_row job = {0};
        mq_err jerr = mq_store_job_get(db, a, out->job_id, &job);
        if (!jerr && strcmp(job.state, "running") == 0) {
            out->state = "running";
            out->finished_at = 0;
        } else if (jerr && jerr != MQ_ENOTFOUND) {
            err = jerr;
        }
    }
    mq_store_rollback(db);
    return err;
}
