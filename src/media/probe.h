/* probe.h - what a media file contains, read by libavformat in helper
 * processes.
 *
 * A demuxer that crashes or loops on a crafted file must cost that file,
 * never the server. So the server never loads libav*: it keeps a few
 * long-lived helper processes (`marquee probe-helper`, the same binary)
 * and hands each file over as an open descriptor on a socket, so the helper
 * needs no path and opens nothing itself. A helper that does not answer
 * within the time limit is killed; one that dies is restarted for the next
 * file. Its address space is capped, so a memory bomb ends the helper, not
 * the machine.
 *
 * The answer is a JSON document:
 *
 *   {"container": "matroska,webm", "duration_ms": 5000, "bit_rate": 812345,
 *    "tags": {"title": "…", "artist": "…", …},
 *    "streams": [{"index": 0, "type": "video", "codec": "hevc",
 *                 "profile": "Main 10", "width": 3840, "height": 2160,
 *                 "fps": 23.976, "bit_depth": 10, "hdr": "HDR10",
 *                 "default": true, "forced": false, "language": "eng",
 *                 "title": "…"},
 *                {"type": "audio", "codec": "eac3", "channels": 6,
 *                 "layout": "5.1(side)", …},
 *                {"type": "subtitle", "codec": "subrip", …},
 *                {"type": "video", "codec": "mjpeg", "cover": true}],
 *    "chapters": [{"start_ms": 0, "end_ms": 60000, "title": "…"}]} */
#ifndef MQ_MEDIA_PROBE_H
#define MQ_MEDIA_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

#define MQ_PROBE_ANSWER_MAX (256 * 1024) /* bytes of JSON; streams past it are left out */

struct mq_prober;

struct mq_prober_opts {
    const char *exe;       /* the marquee binary, run as `exe probe-helper` */
    int workers;           /* helper processes, 1..64 */
    int64_t timeout_ms;    /* per file */
    uint64_t memory_limit; /* each helper's address space, bytes; 0 = no limit */
};

MQ_MUST_CHECK mq_err mq_prober_new(const struct mq_prober_opts *o, struct mq_prober **out);

/* Stops every helper (closing its socket ends it; SIGKILL after a second). */
void mq_prober_free(struct mq_prober *p);

/* Probes the open regular file `fd` (its name only hints the format).
 * Blocks while every helper is busy. On MQ_OK *json is the document, in the
 * arena. MQ_ETIMEOUT when the helper took too long (it was killed), MQ_EIO
 * when it died on the file or no demuxer could read it, MQ_EUNAVAILABLE
 * when no helper can be started; why (whylen bytes) says what happened. */
MQ_MUST_CHECK mq_err mq_prober_probe(struct mq_prober *p, int fd, const char *name,
                                     struct mq_arena *a, const char **json, char *why,
                                     size_t whylen);

/* An e-book's description (media/books.h), read by a helper the same way:
 * MQ_OK with *json, or MQ_EIO (why) for a file that is no EPUB or CBZ. */
MQ_MUST_CHECK mq_err mq_prober_read_book(struct mq_prober *p, int fd, const char *name,
                                         struct mq_arena *a, const char **json, char *why,
                                         size_t whylen);

/* An NFO file's details (media/nfo.h), read by a helper: MQ_OK with
 * *json (which may be {"error": ...}: the file is refused, not the helper). */
MQ_MUST_CHECK mq_err mq_prober_read_nfo(struct mq_prober *p, int fd, const char *name,
                                        struct mq_arena *a, const char **json, char *why,
                                        size_t whylen);

/* What a helper can make from a file, into a descriptor of the caller's:
 * a text subtitle stream as WebVTT, the cover picture the container
 * carries, or a picture resized (a JPEG at most `stream` pixels wide,
 * decoded there too: libvips, like libavformat, stays out of the server). */
enum mq_extract { MQ_EXTRACT_SUBTITLES, MQ_EXTRACT_COVER, MQ_EXTRACT_RESIZED };

#define MQ_IMAGE_SOURCE_MAX (64L << 20) /* bytes of a picture to resize */

/* Writes what `what` names from the open file `fd` into out_fd (stream:
 * the subtitle stream's index, or the width). Errors as for mq_prober_probe; MQ_EIO
 * also when the stream is not text or the file has no cover (why). */
MQ_MUST_CHECK mq_err mq_prober_extract(struct mq_prober *p, enum mq_extract what, int fd,
                                       const char *name, int stream, int out_fd, char *why,
                                       size_t whylen);

/* How many helpers were restarted after a crash or a time-out. */
uint64_t mq_prober_restarts(const struct mq_prober *p);

/* The helper's side (`marquee probe-helper LIMIT TIMEOUT`): answers
 * requests on the socket `sock` until it closes, within memory_limit bytes
 * of address space (0 = none) and timeout_ms per file. Returns the
 * process's exit status. */
int mq_probe_helper_main(int sock, uint64_t memory_limit, int64_t timeout_ms);

#endif
