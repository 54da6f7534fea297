/* probe.c - the probe helpers: the server's pool of them, and the helper's
 * own loop (probe.h says why they are processes). */
#include "media/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/utf8.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "media/books.h"
#include "media/nfo.h"
#include "media/libav.h"
#include "media/subtitles.h"
#include "users/libvips.h"

#define HELPERS_MAX   64
#define NAME_MAX_SENT 1024
#define HELPER_FD     3
#define REQUEST_HEAD  5 /* the operation and a 32-bit stream index */

extern char **environ;

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

struct helper {
    pid_t pid; /* 0 = not running */
    int sock;
    bool busy;
};

struct mq_prober {
    pthread_mutex_t mu;
    pthread_cond_t freed;
    struct helper helpers[HELPERS_MAX];
    int n;
    char *exe;
    int64_t timeout_ms;
    uint64_t memory_limit;
    atomic_uint_fast64_t restarts;
};

/* The monotonic clock in ms, from core/clock.h. */
static int64_t monotonic_ms(void)
{
    return (int64_t)(mq_monotonic_ns() / 1000000);
}

/* ---- the server's side ------------------------------------------------ */

mq_err mq_prober_new(const struct mq_prober_opts *o, struct mq_prober **out)
{
    *out = NULL;
    if (!o->exe || o->workers < 1 || o->workers > HELPERS_MAX || o->timeout_ms <= 0)
        return MQ_EINVAL;
    struct mq_prober *p = calloc(1, sizeof(*p));
    if (!p) return MQ_ENOMEM;
    p->exe = strdup(o->exe);
    if (!p->exe) {
        free(p);
        return MQ_ENOMEM;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->freed, NULL);
    p->n = o->workers;
    p->timeout_ms = o->timeout_ms;
    p->memory_limit = o->memory_limit;
    for (int i = 0; i < p->n; i++) p->helpers[i].sock = -1;
    *out = p;
    return MQ_OK;
}

/* Ends a helper: closing its socket ends its loop; one that does not
 * leave within `grace_ms` is killed. */
static void helper_stop(struct helper *h, int64_t grace_ms)
{
    if (h->sock >= 0) close(h->sock);
    h->sock = -1;
    if (h->pid <= 0) return;
    int status;
    int64_t until = monotonic_ms() + grace_ms;
    while (waitpid(h->pid, &status, WNOHANG) == 0) {
        if (monotonic_ms() >= until) {
            kill(h->pid, SIGKILL);
            (void)waitpid(h->pid, &status, 0);
            break;
        }
        usleep(2000);
    }
    h->pid = 0;
}

void mq_prober_free(struct mq_prober *p)
{
    if (!p) return;
    for (int i = 0; i < p->n; i++) helper_stop(&p->helpers[i], 1000);
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->mu);
    free(p->exe);
    free(p);
}

uint64_t mq_prober_restarts(const struct mq_prober *p)
{
    return atomic_load(&((struct mq_prober *)p)->restarts);
}

static mq_err helper_start(struct mq_prober *p, struct helper *h, char *why, size_t whylen)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
        snprintf(why, whylen, "socketpair: %s", strerror(errno));
        return MQ_EUNAVAILABLE;
    }
    char limit[32], timeout[32];
    snprintf(limit, sizeof(limit), "%llu", (unsigned long long)p->memory_limit);
    snprintf(timeout, sizeof(timeout), "%lld", (long long)p->timeout_ms);
    char arg0[] = "marquee", arg1[] = "probe-helper";
    char *argv[] = {arg0, arg1, limit, timeout, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sv[1], HELPER_FD);
    /* Nothing of the server's (listening sockets, database files) leaks
     * into the helper. */
    posix_spawn_file_actions_addclosefrom_np(&fa, HELPER_FD + 1);
    pid_t pid;
    char **envp = environ;
#ifdef UNDER_ASAN
    /* A sanitizer build: the helpers crash on purpose in the tests, and
     * LeakSanitizer's tracer itself crashes on libvips' threads at exit;
     * memory errors are still reported. */
    char *env_copy[512], asan[512];
    size_t ne = 0;
    const char *old = getenv("ASAN_OPTIONS");
    snprintf(asan, sizeof(asan), "ASAN_OPTIONS=%s%sdetect_leaks=0:handle_segv=0:handle_sigbus=0",
             old ? old : "", old ? ":" : "");
    for (char **e = environ; *e && ne < 510; e++)
        if (strncmp(*e, "ASAN_OPTIONS=", 13)) env_copy[ne++] = *e;
    env_copy[ne++] = asan;
    env_copy[ne] = NULL;
    envp = env_copy;
#endif
    int rc = posix_spawn(&pid, p->exe, &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    close(sv[1]);
    if (rc) {
        close(sv[0]);
        snprintf(why, whylen, "cannot start the probe helper %s: %s", p->exe, strerror(rc));
        return MQ_EUNAVAILABLE;
    }
    h->pid = pid;
    h->sock = sv[0];
    return MQ_OK;
}

/* Why a helper ended, for the file's record. */
static void helper_reap(struct helper *h, char *why, size_t whylen)
{
    int status = 0;
    if (h->sock >= 0) close(h->sock);
    h->sock = -1;
    if (h->pid > 0 && waitpid(h->pid, &status, 0) == h->pid) {
        if (WIFSIGNALED(status))
            snprintf(why, whylen, "the probe helper died on this file (signal %d, %s)",
                     WTERMSIG(status), strsignal(WTERMSIG(status)));
        else
            snprintf(why, whylen, "the probe helper exited on this file (status %d)",
                     WEXITSTATUS(status));
    }
    h->pid = 0;
}

/* A request: the operation, a stream index, the name; the file, and for
 * extractions the descriptor the answer's bytes go to. */
static mq_err ask(struct mq_prober *p, struct helper *h, char op, int32_t index, int fd, int out_fd,
                  const char *name, struct mq_arena *a, const char **json, char *why, size_t whylen)
{
    char ctrl[CMSG_SPACE(2 * sizeof(int))];
    memset(ctrl, 0, sizeof(ctrl));
    /* The name only hints the format; a nameless file is sent as "?". */
    char sent[REQUEST_HEAD + NAME_MAX_SENT];
    size_t nlen = strnlen(name, NAME_MAX_SENT);
    sent[0] = op;
    memcpy(sent + 1, &index, sizeof(index));
    if (!nlen)
        sent[REQUEST_HEAD] = '?', nlen = 1;
    else
        memcpy(sent + REQUEST_HEAD, name, nlen);
    struct iovec iov = {.iov_base = sent, .iov_len = REQUEST_HEAD + nlen};
    int fds[2] = {fd, out_fd};
    size_t nfds = out_fd >= 0 ? 2 : 1;
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = ctrl,
                         .msg_controllen = CMSG_SPACE(nfds * sizeof(int))};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
    memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
    if (sendmsg(h->sock, &msg, MSG_NOSIGNAL) < 0) {
        /* The helper ended before this file (killed from outside, or by
         * the previous file's aftermath): not this file's fault. A fresh
         * helper gets it. */
        helper_reap(h, why, whylen);
        atomic_fetch_add(&p->restarts, 1);
        mq_err err = helper_start(p, h, why, whylen);
        if (err) return err;
        if (sendmsg(h->sock, &msg, MSG_NOSIGNAL) < 0) {
            helper_reap(h, why, whylen);
            return MQ_EIO;
        }
    }
    struct pollfd pfd = {.fd = h->sock, .events = POLLIN};
    int64_t until = monotonic_ms() + p->timeout_ms;
    for (;;) {
        int64_t left = until - monotonic_ms();
        int rc = left > 0 ? poll(&pfd, 1, (int)left) : 0;
        if (rc > 0) break;
        if (rc < 0 && errno == EINTR) continue;
        /* A demuxer looping on a crafted file: the helper goes, the scan
         * goes on with the next one. */
        kill(h->pid, SIGKILL);
        helper_reap(h, why, whylen);
        snprintf(why, whylen, "probing took longer than %lld ms", (long long)p->timeout_ms);
        atomic_fetch_add(&p->restarts, 1);
        return MQ_ETIMEOUT;
    }
    char *buf = mq_arena_alloc(a, MQ_PROBE_ANSWER_MAX + 1);
    if (!buf) return MQ_ENOMEM;
    ssize_t n = recv(h->sock, buf, MQ_PROBE_ANSWER_MAX, 0);
    if (n <= 0) {
        helper_reap(h, why, whylen);
        atomic_fetch_add(&p->restarts, 1);
        return MQ_EIO;
    }
    buf[n] = 0;
    if (!strncmp(buf, "{\"error\":", 9)) {
        json_t *doc = json_loadb(buf, (size_t)n, 0, NULL);
        const char *e = json_string_value(json_object_get(doc, "error"));
        snprintf(why, whylen, "%s", e ? e : "unreadable");
        json_decref(doc);
        return MQ_EIO;
    }
    *json = buf;
    return MQ_OK;
}

static mq_err request(struct mq_prober *p, char op, int32_t index, int fd, int out_fd,
                      const char *name, struct mq_arena *a, const char **json, char *why,
                      size_t whylen)
{
    *json = NULL;
    why[0] = 0;
    pthread_mutex_lock(&p->mu);
    struct helper *h = NULL;
    while (!h) {
        for (int i = 0; i < p->n && !h; i++)
            if (!p->helpers[i].busy) h = &p->helpers[i];
        if (!h) pthread_cond_wait(&p->freed, &p->mu);
    }
    h->busy = true;
    pthread_mutex_unlock(&p->mu);
    mq_err err = h->pid ? MQ_OK : helper_start(p, h, why, whylen);
    if (!err) err = ask(p, h, op, index, fd, out_fd, name, a, json, why, whylen);
    pthread_mutex_lock(&p->mu);
    h->busy = false;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->mu);
    return err;
}

mq_err mq_prober_probe(struct mq_prober *p, int fd, const char *name, struct mq_arena *a,
                       const char **json, char *why, size_t whylen)
{
    return request(p, 'P', 0, fd, -1, name, a, json, why, whylen);
}

mq_err mq_prober_read_book(struct mq_prober *p, int fd, const char *name, struct mq_arena *a,
                           const char **json, char *why, size_t whylen)
{
    return request(p, 'B', 0, fd, -1, name, a, json, why, whylen);
}

mq_err mq_prober_read_nfo(struct mq_prober *p, int fd, const char *name, struct mq_arena *a,
                          const char **json, char *why, size_t whylen)
{
    return request(p, 'N', 0, fd, -1, name, a, json, why, whylen);
}

mq_err mq_prober_extract(struct mq_prober *p, enum mq_extract what, int fd, const char *name,
                         int stream, int out_fd, char *why, size_t whylen)
{
    struct mq_arena *a = mq_arena_new(0);
    const char *json = NULL;
    if (!a) return MQ_ENOMEM;
    char op = what == MQ_EXTRACT_SUBTITLES ? 'S' : what == MQ_EXTRACT_COVER ? 'C' : 'R';
    mq_err err = request(p, op, stream, fd, out_fd, name, a, &json, why, whylen);
    mq_arena_free(a);
    return err;
}

/* ---- the helper's side ------------------------------------------------ */

struct source {
    int fd;
    int64_t pos, size;
    int64_t deadline; /* monotonic ms */
};

static int source_read(void *opaque, uint8_t *buf, int len)
{
    struct source *s = opaque;
    ssize_t n;
    do n = pread(s->fd, buf, (size_t)len, s->pos);
    while (n < 0 && errno == EINTR);
    if (n < 0) return AVERROR(errno);
    if (n == 0) return AVERROR_EOF;
    s->pos += n;
    return (int)n;
}

static int64_t source_seek(void *opaque, int64_t offset, int whence)
{
    struct source *s = opaque;
    int64_t to;
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE: return s->size;
    case SEEK_SET: to = offset; break;
    case SEEK_CUR: to = s->pos + offset; break;
    case SEEK_END: to = s->size + offset; break;
    default: return AVERROR(EINVAL);
    }
    if (to < 0) return AVERROR(EINVAL);
    s->pos = to;
    return to;
}

static int past_deadline(void *opaque)
{
    return monotonic_ms() > ((struct source *)opaque)->deadline;
}

static void set_text(json_t *o, const char *key, const char *value)
{
    char clean[1024];
    if (!value || !*value) return;
    mq_utf8_repair(value, strlen(value), clean, sizeof(clean));
    json_object_set_new(o, key, json_string(clean));
}

static const char *dict_text(const struct mq_libav *av, const AVDictionary *d, const char *key)
{
    const AVDictionaryEntry *e = av->dict_get(d, key, NULL, 0);
    return e ? e->value : NULL;
}

/* HDR10+ lives in the frames (SEI), not in the container: decode the
 * first video frame and look for its dynamic metadata. */
static bool first_frame_has_hdr10plus(const struct mq_libav *av, AVFormatContext *fc, int index)
{
    const AVCodec *dec = av->codec_find_decoder(fc->streams[index]->codecpar->codec_id);
    AVCodecContext *cc = dec ? av->codec_alloc_context3(dec) : NULL;
    AVPacket *pkt = av->packet_alloc();
    AVFrame *frame = av->frame_alloc();
    bool found = false;
    if (!cc || !pkt || !frame ||
        av->codec_parameters_to_context(cc, fc->streams[index]->codecpar) < 0 ||
        av->codec_open2(cc, dec, NULL) < 0)
        goto done;
    for (int packets = 0; packets < 64 && av->read_frame(fc, pkt) >= 0; packets++) {
        bool mine = pkt->stream_index == index;
        if (mine && av->codec_send_packet(cc, pkt) >= 0 &&
            av->codec_receive_frame(cc, frame) >= 0) {
            found = av->frame_get_side_data(frame, AV_FRAME_DATA_DYNAMIC_HDR_PLUS) != NULL;
            av->packet_unref(pkt);
            break;
        }
        av->packet_unref(pkt);
    }
done:
    av->frame_free(&frame);
    av->packet_free(&pkt);
    av->codec_free_context(&cc);
    return found;
}

static const char *hdr_kind(const struct mq_libav *av, AVFormatContext *fc, int index,
                            bool *pq_stream)
{
    const AVStream *st = fc->streams[index];
    size_t size = 0;
    *pq_stream = false;
    if (av->stream_get_side_data(st, AV_PKT_DATA_DOVI_CONF, &size)) return "Dolby Vision";
    switch (st->codecpar->color_trc) {
    case AVCOL_TRC_SMPTE2084: *pq_stream = true; return "HDR10";
    case AVCOL_TRC_ARIB_STD_B67: return "HLG";
    default: return "SDR";
    }
}

static json_t *stream_json(const struct mq_libav *av, AVFormatContext *fc, int i, int *pq_index)
{
    const AVStream *st = fc->streams[i];
    const AVCodecParameters *cp = st->codecpar;
    json_t *o = json_object();
    const char *type = cp->codec_type == AVMEDIA_TYPE_VIDEO        ? "video"
                       : cp->codec_type == AVMEDIA_TYPE_AUDIO      ? "audio"
                       : cp->codec_type == AVMEDIA_TYPE_SUBTITLE   ? "subtitle"
                       : cp->codec_type == AVMEDIA_TYPE_ATTACHMENT ? "attachment"
                                                                   : "data";
    json_object_set_new(o, "index", json_integer(i));
    json_object_set_new(o, "type", json_string(type));
    set_text(o, "codec", av->codec_get_name(cp->codec_id));
    set_text(o, "profile", av->codec_profile_name(cp->codec_id, cp->profile));
    set_text(o, "language", dict_text(av, st->metadata, "language"));
    set_text(o, "title", dict_text(av, st->metadata, "title"));
    json_object_set_new(o, "default", json_boolean(st->disposition & AV_DISPOSITION_DEFAULT));
    json_object_set_new(o, "forced", json_boolean(st->disposition & AV_DISPOSITION_FORCED));
    if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) {
        json_object_set_new(o, "cover", json_true());
        return o;
    }
    if (cp->codec_type == AVMEDIA_TYPE_ATTACHMENT) {
        set_text(o, "filename", dict_text(av, st->metadata, "filename"));
        set_text(o, "mimetype", dict_text(av, st->metadata, "mimetype"));
        return o;
    }
    if (cp->codec_type == AVMEDIA_TYPE_VIDEO) {
        json_object_set_new(o, "width", json_integer(cp->width));
        json_object_set_new(o, "height", json_integer(cp->height));
        AVRational r = st->avg_frame_rate.num ? st->avg_frame_rate : st->r_frame_rate;
        if (r.num > 0 && r.den > 0)
            json_object_set_new(o, "fps", json_real((double)(int)(r.num * 1000.0 / r.den) / 1000));
        const AVPixFmtDescriptor *d = av->pix_fmt_desc_get(cp->format);
        if (d) {
            json_object_set_new(o, "bit_depth", json_integer(d->comp[0].depth));
            set_text(o, "pix_fmt", d->name);
        }
        bool pq;
        json_object_set_new(o, "hdr", json_string(hdr_kind(av, fc, i, &pq)));
        if (pq && *pq_index < 0) *pq_index = i;
    } else if (cp->codec_type == AVMEDIA_TYPE_AUDIO) {
        char layout[64] = "";
        json_object_set_new(o, "channels", json_integer(cp->ch_layout.nb_channels));
        if (av->channel_layout_describe(&cp->ch_layout, layout, sizeof(layout)) > 0)
            set_text(o, "layout", layout);
        if (cp->sample_rate) json_object_set_new(o, "sample_rate", json_integer(cp->sample_rate));
    }
    if (cp->bit_rate > 0) json_object_set_new(o, "bit_rate", json_integer(cp->bit_rate));
    return o;
}

/* An input opened on a descriptor, read through our own I/O callbacks
 * (the helper opens no path). */
struct input {
    AVFormatContext *fc;
    AVIOContext *io;
    struct source src;
};

static void close_input(const struct mq_libav *av, struct input *in)
{
    if (in->fc) av->format_close_input(&in->fc);
    if (in->io) {
        av->freep(&in->io->buffer);
        av->io_context_free(&in->io);
    }
}

static const char *open_input(const struct mq_libav *av, int fd, const char *name,
                              int64_t timeout_ms, struct input *in)
{
    struct stat sb;
    memset(in, 0, sizeof(*in));
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) return "not a regular file";
    in->src = (struct source){fd, 0, sb.st_size, monotonic_ms() + timeout_ms};
    unsigned char *buf = av->malloc(64 * 1024);
    in->io = buf ? av->io_alloc_context(buf, 64 * 1024, 0, &in->src, source_read, NULL, source_seek)
                 : NULL;
    in->fc = in->io ? av->format_alloc_context() : NULL;
    if (!in->fc) {
        if (!in->io) av->freep(&buf);
        return "out of memory";
    }
    in->fc->pb = in->io;
    in->fc->flags |= AVFMT_FLAG_CUSTOM_IO;
    in->fc->interrupt_callback.callback = past_deadline;
    in->fc->interrupt_callback.opaque = &in->src;
    if (av->format_open_input(&in->fc, name, NULL, NULL) < 0) {
        in->fc = NULL; /* freed by the failed open */
        return "no demuxer recognises this file";
    }
    if (av->format_find_stream_info(in->fc, NULL) < 0)
        return "the container's streams could not be read";
    return NULL;
}

static json_t *probe_fd(const struct mq_libav *av, int fd, const char *name, int64_t timeout_ms)
{
    json_t *doc = NULL;
    struct input in;
    const char *err = open_input(av, fd, name, timeout_ms, &in);
    AVFormatContext *fc = in.fc;
    if (err) goto done;
    doc = json_object();
    set_text(doc, "container", fc->iformat->name);
    if (fc->duration > 0)
        json_object_set_new(doc, "duration_ms", json_integer(fc->duration / 1000));
    if (fc->bit_rate > 0) json_object_set_new(doc, "bit_rate", json_integer(fc->bit_rate));
    json_t *tags = json_object();
    static const char *const keys[] = {"title",    "artist",        "album_artist", "album",
                                       "composer", "genre",         "date",         "comment",
                                       "show",     "season_number", "episode_id",   "narrator",
                                       "series",   "series-part",   "language",     NULL};
    for (int k = 0; keys[k]; k++) set_text(tags, keys[k], dict_text(av, fc->metadata, keys[k]));
    json_object_set_new(doc, "tags", tags);
    json_t *streams = json_array();
    int pq_index = -1;
    for (unsigned i = 0; i < fc->nb_streams && i < 256; i++)
        json_array_append_new(streams, stream_json(av, fc, (int)i, &pq_index));
    json_object_set_new(doc, "streams", streams);
    json_t *chapters = json_array();
    for (unsigned i = 0; i < fc->nb_chapters && i < 1000; i++) {
        const AVChapter *ch = fc->chapters[i];
        double tb = av_q2d(ch->time_base) * 1000;
        json_t *c = json_pack("{s:I,s:I}", "start_ms", (json_int_t)(ch->start * tb), "end_ms",
                              (json_int_t)(ch->end * tb));
        set_text(c, "title", dict_text(av, ch->metadata, "title"));
        json_array_append_new(chapters, c);
    }
    json_object_set_new(doc, "chapters", chapters);
    if (pq_index >= 0 && first_frame_has_hdr10plus(av, fc, pq_index))
        json_object_set_new(json_array_get(streams, (size_t)pq_index), "hdr",
                            json_string("HDR10+"));
done:
    close_input(av, &in);
    if (!doc) doc = json_pack("{s:s}", "error", err ? err : "unreadable");
    return doc;
}

static mq_err write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return MQ_EIO;
        p += k;
        n -= (size_t)k;
    }
    return MQ_OK;
}

/* The cues of a text subtitle stream, as WebVTT, into out. */
static json_t *subtitles_fd(const struct mq_libav *av, int fd, const char *name, int index, int out,
                            int64_t timeout_ms)
{
    struct input in;
    struct mq_buf vtt;
    json_t *doc = NULL;
    AVPacket *pkt = NULL;
    mq_buf_init(&vtt, MQ_SUBTITLE_MAX);
    const char *err = open_input(av, fd, name, timeout_ms, &in);
    if (!err && (index < 0 || (unsigned)index >= in.fc->nb_streams ||
                 in.fc->streams[index]->codecpar->codec_type != AVMEDIA_TYPE_SUBTITLE))
        err = "no subtitle stream has that index";
    enum AVCodecID id = err ? AV_CODEC_ID_NONE : in.fc->streams[index]->codecpar->codec_id;
    if (!err && id != AV_CODEC_ID_SUBRIP && id != AV_CODEC_ID_TEXT && id != AV_CODEC_ID_ASS &&
        id != AV_CODEC_ID_SSA && id != AV_CODEC_ID_MOV_TEXT && id != AV_CODEC_ID_WEBVTT)
        err = "the stream's subtitles are pictures, not text";
    if (!err && (!(pkt = av->packet_alloc()) || mq_vtt_begin(&vtt))) err = "out of memory";
    AVRational tb = err ? (AVRational){1, 1000} : in.fc->streams[index]->time_base;
    while (!err && av->read_frame(in.fc, pkt) >= 0) {
        if (pkt->stream_index == index && pkt->size > 0 && pkt->pts != AV_NOPTS_VALUE) {
            int64_t start = (int64_t)(pkt->pts * av_q2d(tb) * 1000);
            int64_t end = start + (int64_t)(pkt->duration * av_q2d(tb) * 1000);
            const char *text = (const char *)pkt->data;
            size_t n = (size_t)pkt->size;
            if (id == AV_CODEC_ID_MOV_TEXT) {
                /* A 16-bit length, the text, then style boxes. */
                size_t len = n >= 2 ? (size_t)(pkt->data[0] << 8 | pkt->data[1]) : 0;
                text += 2;
                n = len <= n - 2 ? len : 0;
            }
            enum mq_cue_kind kind =
                id == AV_CODEC_ID_ASS || id == AV_CODEC_ID_SSA ? MQ_CUE_ASS_EVENT : MQ_CUE_PLAIN;
            if (mq_vtt_cue(&vtt, start, end, text, n, kind)) err = "the subtitles are too large";
        }
        av->packet_unref(pkt);
    }
    if (!err && write_all(out, vtt.data, vtt.len)) err = "cannot write the subtitles";
    if (!err) doc = json_pack("{s:b,s:I}", "ok", 1, "bytes", (json_int_t)vtt.len);
    av->packet_free(&pkt);
    close_input(av, &in);
    mq_buf_cleanup(&vtt);
    return doc ? doc : json_pack("{s:s}", "error", err ? err : "unreadable");
}

/* EPUBs and comic archives are ZIP files: their covers are in the ZIP. */
static bool is_zip(int fd)
{
    unsigned char m[4];
    return pread(fd, m, 4, 0) == 4 && !memcmp(m, "PK\x03\x04", 4);
}

/* The picture a container carries as its cover (attached_pic), into out. */
static json_t *cover_fd(const struct mq_libav *av, int fd, const char *name, int out,
                        int64_t timeout_ms)
{
    struct input in;
    json_t *doc = NULL;
    const char *err = open_input(av, fd, name, timeout_ms, &in);
    for (unsigned i = 0; !err && !doc && i < in.fc->nb_streams; i++) {
        const AVStream *st = in.fc->streams[i];
        if (!(st->disposition & AV_DISPOSITION_ATTACHED_PIC) || st->attached_pic.size <= 0)
            continue;
        if (write_all(out, (const char *)st->attached_pic.data, (size_t)st->attached_pic.size))
            err = "cannot write the cover";
        else
            doc = json_pack("{s:b,s:I,s:s}", "ok", 1, "bytes", (json_int_t)st->attached_pic.size,
                            "codec", av->codec_get_name(st->codecpar->codec_id));
    }
    close_input(av, &in);
    return doc ? doc : json_pack("{s:s}", "error", err ? err : "the file carries no cover");
}

/* The answer, within MQ_PROBE_ANSWER_MAX: streams and chapters past what
 * fits are dropped, last first. */
static char *answer_text(json_t *doc)
{
    for (;;) {
        char *text = json_dumps(doc, JSON_COMPACT);
        if (!text || strlen(text) <= MQ_PROBE_ANSWER_MAX) return text;
        free(text);
        json_t *ch = json_object_get(doc, "chapters"), *st = json_object_get(doc, "streams");
        if (json_array_size(ch))
            json_array_remove(ch, json_array_size(ch) - 1);
        else if (json_array_size(st))
            json_array_remove(st, json_array_size(st) - 1);
        else
            return NULL;
    }
}

/* A picture made smaller: JPEG of at most `width` pixels across (never
 * larger than it was), without metadata. libvips is loaded the first time
 * (it costs the helper memory only once it resizes). */
static json_t *resize_fd(struct mq_libvips *vips, bool *vips_loaded, int fd, int width, int out)
{
    struct stat sb;
    char errbuf[256];
    if (!*vips_loaded) {
        if (mq_libvips_load(vips, errbuf, sizeof(errbuf)))
            return json_pack("{s:s}", "error", "libvips cannot be loaded");
        *vips_loaded = true;
    }
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size <= 0 ||
        sb.st_size > MQ_IMAGE_SOURCE_MAX || width < 16 || width > 4096)
        return json_pack("{s:s}", "error", "not a picture this server resizes");
    char *data = malloc((size_t)sb.st_size);
    json_t *doc = NULL;
    if (!data || pread(fd, data, (size_t)sb.st_size, 0) != sb.st_size) {
        free(data);
        return json_pack("{s:s}", "error", "cannot read the picture");
    }
    /* The header first: a picture that decodes to more than 100
     * megapixels is refused before it is decoded. */
    VipsImage *head = vips->image_new_from_buffer(data, (size_t)sb.st_size, "", "access",
                                                  VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!head) {
        vips->error_clear();
        free(data);
        return json_pack("{s:s}", "error", "the picture cannot be decoded");
    }
    double mp = (double)vips->image_get_width(head) * vips->image_get_height(head) / 1e6;
    vips->object_unref(head);
    VipsImage *thumb = NULL;
    void *jpeg = NULL;
    size_t len = 0;
    if (mp > 100) doc = json_pack("{s:s}", "error", "the picture is larger than 100 megapixels");
    /* The width is the bound; the height follows (a tall poster stays tall). */
    else if (vips->thumbnail_buffer(data, (size_t)sb.st_size, &thumb, width, "height", width * 16,
                                    "size", VIPS_SIZE_DOWN, NULL) ||
             vips->image_write_to_buffer(thumb, ".jpg", &jpeg, &len, "Q", 85, "strip", TRUE, NULL))
        doc = json_pack("{s:s}", "error", "the picture cannot be decoded");
    else if (write_all(out, jpeg, len))
        doc = json_pack("{s:s}", "error", "cannot write the picture");
    else
        doc = json_pack("{s:b,s:I,s:i}", "ok", 1, "bytes", (json_int_t)len, "width",
                        vips->image_get_width(thumb));
    if (thumb) vips->object_unref(thumb);
    if (jpeg) vips->free(jpeg);
    vips->error_clear();
    free(data);
    return doc;
}

int mq_probe_helper_main(int sock, uint64_t memory_limit, int64_t timeout_ms)
{
    /* The helper dumps no core and cannot grow past its limit (ASan's
     * shadow memory needs the whole address space, so a sanitizer build
     * goes without the cap). It ends when the server closes the socket
     * or dies; a file that hangs it past the time limit ends it by alarm
     * even if no server is left to kill it. (Not PR_SET_PDEATHSIG: that
     * follows the thread that started the helper, not the server.) */
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
#ifndef UNDER_ASAN
    if (memory_limit) {
        struct rlimit as = {memory_limit, memory_limit};
        setrlimit(RLIMIT_AS, &as);
    }
#else
    (void)memory_limit;
#endif
    struct mq_libav av;
    struct mq_libvips vips;
    bool vips_loaded = false;
    char errbuf[256];
    if (mq_libav_load(&av, errbuf, sizeof(errbuf))) {
        /* Its stderr is the server's: a JSON line like the server's own. */
        struct mq_log log;
        mq_log_init(&log, MQ_LOG_INFO, STDERR_FILENO, &mq_clock_system);
        mq_log_error(&log, "media", "the probe helper cannot start: %s", errbuf);
        return 1;
    }
    for (;;) {
        char req[REQUEST_HEAD + NAME_MAX_SENT + 1];
        char ctrl[CMSG_SPACE(2 * sizeof(int))];
        struct iovec iov = {.iov_base = req, .iov_len = REQUEST_HEAD + NAME_MAX_SENT};
        struct msghdr msg = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof(ctrl)};
        ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0; /* the server closed the socket: done */
        req[n] = 0;
        int fds[2] = {-1, -1};
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len >= CMSG_LEN(sizeof(int)) && c->cmsg_len <= CMSG_LEN(2 * sizeof(int)))
            memcpy(fds, CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0));
        int32_t index = 0;
        if (n >= REQUEST_HEAD) memcpy(&index, req + 1, sizeof(index));
        const char *name = n > REQUEST_HEAD ? req + REQUEST_HEAD : "?";
        alarm((unsigned)(timeout_ms / 1000) + 2);
        json_t *doc;
        if (n < REQUEST_HEAD || fds[0] < 0)
            doc = json_pack("{s:s}", "error", "no file was passed");
        else if (req[0] == 'P')
            doc = probe_fd(&av, fds[0], name, timeout_ms);
        else if (req[0] == 'S' && fds[1] >= 0)
            doc = subtitles_fd(&av, fds[0], name, index, fds[1], timeout_ms);
        else if (req[0] == 'B')
            doc = mq_book_read(fds[0]);
        else if (req[0] == 'N')
            doc = mq_nfo_read(fds[0]);
        else if (req[0] == 'C' && fds[1] >= 0)
            doc = is_zip(fds[0]) ? mq_book_cover(fds[0], fds[1])
                                 : cover_fd(&av, fds[0], name, fds[1], timeout_ms);
        else if (req[0] == 'R' && fds[1] >= 0)
            doc = resize_fd(&vips, &vips_loaded, fds[0], index, fds[1]);
        else
            doc = json_pack("{s:s}", "error", "unknown request");
        for (int k = 0; k < 2; k++)
            if (fds[k] >= 0) close(fds[k]);
        char *text = answer_text(doc);
        json_decref(doc);
        if (!text) text = strdup("{\"error\":\"out of memory\"}");
        if (!text || send(sock, text, strlen(text), MSG_NOSIGNAL) < 0) {
            free(text);
            return 1;
        }
        free(text);
        alarm(0);
    }
}
