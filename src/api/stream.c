/* stream.c - a file's bytes by its id (GET and HEAD
 * /api/v1/files/{id}/stream): one byte range at a time (RFC 9110 section
 * 14), validators, and the file sent by the kernel. No request path ever
 * reaches the file system: the catalogue gives the path. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/body.h"
#include "api/handlers.h"
#include "core/uuid.h"
#include "http/range.h"
#include "media/catalog.h"
#include "media/libraries.h"
#include "media/paths.h"
#include "media/probe.h"
#include "media/subtitles.h"

static const char *const TYPES[][2] = {{"mkv", "video/x-matroska"},
                                       {"mk3d", "video/x-matroska"},
                                       {"mp4", "video/mp4"},
                                       {"m4v", "video/mp4"},
                                       {"mov", "video/quicktime"},
                                       {"webm", "video/webm"},
                                       {"avi", "video/x-msvideo"},
                                       {"ts", "video/mp2t"},
                                       {"m2ts", "video/mp2t"},
                                       {"mts", "video/mp2t"},
                                       {"mpg", "video/mpeg"},
                                       {"mpeg", "video/mpeg"},
                                       {"vob", "video/mpeg"},
                                       {"wmv", "video/x-ms-wmv"},
                                       {"asf", "video/x-ms-asf"},
                                       {"flv", "video/x-flv"},
                                       {"ogv", "video/ogg"},
                                       {"3gp", "video/3gpp"},
                                       {"m4b", "audio/mp4"},
                                       {"m4a", "audio/mp4"},
                                       {"mp3", "audio/mpeg"},
                                       {"flac", "audio/flac"},
                                       {"ogg", "audio/ogg"},
                                       {"opus", "audio/ogg"},
                                       {"aac", "audio/aac"},
                                       {"wma", "audio/x-ms-wma"},
                                       {"epub", "application/epub+zip"},
                                       {"pdf", "application/pdf"},
                                       {"cbz", "application/vnd.comicbook+zip"},
                                       {"cbr", "application/vnd.comicbook-rar"},
                                       {"srt", "application/x-subrip"},
                                       {"vtt", "text/vtt"},
                                       {"ass", "text/x-ssa"},
                                       {"ssa", "text/x-ssa"},
                                       {"jpg", "image/jpeg"},
                                       {"jpeg", "image/jpeg"},
                                       {"png", "image/png"},
                                       {"webp", "image/webp"}};

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/')) return "application/octet-stream";
    for (size_t i = 0; i < sizeof(TYPES) / sizeof(TYPES[0]); i++)
        if (!strcasecmp(dot + 1, TYPES[i][0])) return TYPES[i][1];
    return "application/octet-stream";
}

/* The file opened is the one the scan saw (device and inode): a file
 * swapped since for a link elsewhere is not served. */
static bool same_file(const struct stat *sb, const struct mq_file_row *f)
{
    return (int64_t)sb->st_dev == f->dev && (int64_t)sb->st_ino == f->ino;
}

static mq_err file_changed(struct mq_req *req)
{
    return mq_problem(req, 409, "file_changed", NULL,
                      "the file changed since the library was last scanned; it is served again "
                      "once the next scan has seen it");
}

static void http_date(time_t t, char out[40])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* GET and HEAD /api/v1/files/{id}/stream */
mq_err mq_api_files_stream(struct mq_req *req)
{
    struct mq_visible vis;
    struct mq_file_row f;
    mq_err err = mq_libraries_visible(req->ctx, req->arena, req->principal, &vis);
    if (!err) err = mq_catalog_file(req->ctx, req->arena, &vis, mq_req_param(req, "id"), &f);
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "file_not_found", NULL, "no file has that id");
    if (err) return err;
    if (vis.limits.closed)
        return mq_problem(req, 403, "outside_viewing_window",
                          json_pack("{s:o}", "opens_at", mq_api_time(vis.limits.opens_at)),
                          "viewing is closed at this time for this account%s",
                          vis.limits.opens_at ? "; opens_at says when it opens again" : "");
    size_t rawlen = 0;
    char *raw = mq_path_unescape(req->arena, f.path, &rawlen);
    if (!raw) return MQ_EINTERNAL;
    int fd = open(raw, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        if (fd >= 0) close(fd);
        return mq_problem(req, 410, "file_gone", NULL,
                          "the file is not on disk now (a disk unmounted?); it stays in the "
                          "catalogue until the missing grace period ends");
    }
    if (!same_file(&sb, &f)) {
        close(fd);
        return file_changed(req);
    }
    uint64_t size = (uint64_t)sb.st_size;
    char etag[64], modified[40], buf[96];
    snprintf(etag, sizeof(etag), "\"%" PRIx64 "-%" PRIx64 "\"",
             (uint64_t)sb.st_mtim.tv_sec * 1000000000u + (uint64_t)sb.st_mtim.tv_nsec, size);
    http_date(sb.st_mtim.tv_sec, modified);
    (void)mq_reply_header(req, "ETag", etag);
    (void)mq_reply_header(req, "Last-Modified", modified);
    (void)mq_reply_header(req, "Accept-Ranges", "bytes");
    (void)mq_reply_header(req, "Cache-Control", "private, max-age=0, must-revalidate");
    const char *type = content_type(raw);
    const char *inm = mq_req_header(req, "If-None-Match");
    if (inm && (strstr(inm, etag) || !strcmp(inm, "*"))) {
        close(fd);
        return mq_reply_empty(req, 304);
    }
    uint64_t from = 0, to = size ? size - 1 : 0;
    int r = mq_range_parse(mq_req_header(req, "Range"), size, &from, &to);
    /* If-Range: the range only if the file is still the one the client
     * has (its ETag, or its exact date); otherwise all of it. */
    const char *if_range = mq_req_header(req, "If-Range");
    if (r != 0 && if_range && strcmp(if_range, etag) && strcmp(if_range, modified)) r = 0;
    if (r < 0) {
        close(fd);
        snprintf(buf, sizeof(buf), "bytes */%" PRIu64, size);
        (void)mq_reply_header(req, "Content-Range", buf);
        return mq_problem(req, 416, "range_not_satisfiable", NULL,
                          "the range starts past the end of the file (%" PRIu64 " bytes)", size);
    }
    if (r == 0) return mq_reply_file(req, 200, type, fd, 0, size);
    snprintf(buf, sizeof(buf), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, from, to, size);
    (void)mq_reply_header(req, "Content-Range", buf);
    return mq_reply_file(req, 206, type, fd, from, to - from + 1);
}

/* ---- subtitles as WebVTT ------------------------------------------------ */

struct vtt_job {
    struct mq_file_row video, sidecar; /* sidecar.id NULL: an embedded stream */
    int stream;
};

static mq_err open_catalogued(struct mq_req *req, const struct mq_file_row *f, int *fd,
                              struct stat *sb)
{
    char *raw = mq_path_unescape(req->arena, f->path, NULL);
    if (!raw) return MQ_EINTERNAL;
    *fd = open(raw, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (*fd < 0 || fstat(*fd, sb) || !S_ISREG(sb->st_mode)) {
        if (*fd >= 0) close(*fd);
        *fd = -1;
        return mq_problem(req, 410, "file_gone", NULL, "the file is not on disk now");
    }
    if (!same_file(sb, f)) {
        close(*fd);
        *fd = -1;
        return file_changed(req);
    }
    return MQ_OK;
}

/* Runs on the CPU pool: a subtitle stream is read from the whole file. */
static mq_err vtt_work(struct mq_req *req, void *arg)
{
    struct vtt_job *j = arg;
    struct stat sb;
    int fd = -1;
    if (j->sidecar.id) {
        mq_err err = open_catalogued(req, &j->sidecar, &fd, &sb);
        if (err) return err;
        enum mq_subtitle_format f = mq_subtitle_format_of(j->sidecar.path);
        if (f == MQ_SUB_UNKNOWN || sb.st_size > MQ_SUBTITLE_MAX) {
            close(fd);
            return mq_problem(req, 415, "subtitle_not_text", NULL,
                              "these subtitles are pictures (or too large) and cannot be WebVTT");
        }
        char *data = mq_arena_alloc(req->arena, (size_t)sb.st_size + 1);
        ssize_t n = data ? pread(fd, data, (size_t)sb.st_size, 0) : -1;
        close(fd);
        if (n < 0) return MQ_EIO;
        struct mq_buf *out = mq_arena_alloc(req->arena, sizeof(*out));
        if (!out) return MQ_ENOMEM;
        mq_buf_init(out, MQ_SUBTITLE_MAX * 2);
        err = mq_subtitle_to_vtt(data, (size_t)n, f, out);
        char *text = !err ? mq_arena_strndup(req->arena, out->data, out->len) : NULL;
        size_t len = out->len;
        mq_buf_cleanup(out);
        if (err == MQ_EPARSE)
            return mq_problem(req, 422, "subtitle_unreadable", NULL,
                              "not one cue could be read from these subtitles");
        if (err) return err;
        if (!text) return MQ_ENOMEM;
        return mq_reply_bytes(req, 200, "text/vtt; charset=utf-8", text, len);
    }
    mq_err err = open_catalogued(req, &j->video, &fd, &sb);
    if (err) return err;
    if (!req->ctx->prober) {
        close(fd);
        return MQ_EUNAVAILABLE;
    }
    int out = memfd_create("marquee-vtt", MFD_CLOEXEC);
    char why[256] = "";
    err = out < 0 ? MQ_EIO
                  : mq_prober_extract(req->ctx->prober, MQ_EXTRACT_SUBTITLES, fd, j->video.path,
                                      j->stream, out, why, sizeof(why));
    close(fd);
    if (err) {
        if (out >= 0) close(out);
        if (err == MQ_EIO)
            return mq_problem(req, 415, "subtitle_not_text", NULL, "%s",
                              why[0] ? why : "the stream cannot be made WebVTT");
        return err;
    }
    struct stat ob;
    if (fstat(out, &ob)) {
        close(out);
        return MQ_EIO;
    }
    return mq_reply_file(req, 200, "text/vtt; charset=utf-8", out, 0, (uint64_t)ob.st_size);
}

/* GET /api/v1/files/{id}/subtitles/{track}: TRACK.vtt, where TRACK is the
 * index of a text subtitle stream inside the file, or the id of a
 * subtitle file beside it. */
mq_err mq_api_files_subtitles(struct mq_req *req)
{
    struct mq_visible vis;
    struct vtt_job *j = mq_arena_calloc(req->arena, 1, sizeof(*j));
    const char *track = mq_req_param(req, "track");
    size_t tl = track ? strlen(track) : 0;
    if (!j) return MQ_ENOMEM;
    mq_err err = mq_libraries_visible(req->ctx, req->arena, req->principal, &vis);
    if (!err) err = mq_catalog_file(req->ctx, req->arena, &vis, mq_req_param(req, "id"), &j->video);
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "file_not_found", NULL, "no file has that id");
    if (err) return err;
    if (tl < 5 || strcmp(track + tl - 4, ".vtt"))
        return mq_problem(req, 404, "subtitle_not_found", NULL,
                          "a subtitle track is named TRACK.vtt");
    char *stem = mq_arena_strndup(req->arena, track, tl - 4);
    if (!stem) return MQ_ENOMEM;
    if (mq_uuid_valid(stem, strlen(stem))) {
        err = mq_catalog_file(req->ctx, req->arena, &vis, stem, &j->sidecar);
        if (!err && (strcmp(j->sidecar.role, "subtitle") || !j->sidecar.video_id ||
                     strcmp(j->sidecar.video_id, j->video.id)))
            err = MQ_ENOTFOUND;
    } else {
        char *end;
        long idx = strtol(stem, &end, 10);
        json_t *streams = j->video.streams ? json_loads(j->video.streams, 0, NULL) : NULL;
        json_t *st = NULL;
        size_t i;
        json_t *v;
        json_array_foreach(streams, i,
                           v) if (json_integer_value(json_object_get(v, "index")) == idx) st = v;
        const char *type = json_string_value(json_object_get(st, "type"));
        err = *stem && !*end && type && !strcmp(type, "subtitle") ? MQ_OK : MQ_ENOTFOUND;
        json_decref(streams);
        j->stream = (int)idx;
    }
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "subtitle_not_found", NULL, "the file has no such subtitles");
    if (err) return err;
    (void)mq_reply_header(req, "Cache-Control", "private, max-age=3600");
    return mq_req_offload(req, req->ctx->cpu_pool, vtt_work, j);
}
