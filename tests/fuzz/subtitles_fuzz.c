/* subtitles_fuzz - subtitle files (media/subtitles.h): whatever comes in,
 * WebVTT comes out that is valid UTF-8 and whose every cue is one timing
 * line and text lines without "-->". The first byte picks the format. */
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "fuzz.h"
#include "media/subtitles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536) return 0;
    enum mq_subtitle_format f = (enum mq_subtitle_format)(data[0] % 3);
    struct mq_buf out;
    mq_buf_init(&out, 1 << 22);
    mq_err err = mq_subtitle_to_vtt((const char *)data + 1, size - 1, f, &out);
    if (!err) {
        if (!mq_utf8_valid(out.data, out.len) || out.len < 8 || memcmp(out.data, "WEBVTT\n\n", 8))
            abort();
        /* Blocks: a timing line with the one "-->", then text without it. */
        const char *p = out.data + 8, *end = out.data + out.len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            if (!nl) abort();
            const char *arrow = memmem(p, (size_t)(nl - p), "-->", 3);
            if (!arrow || memmem(arrow + 3, (size_t)(nl - arrow - 3), "-->", 3)) abort();
            p = nl + 1;
            while (p < end && *p != '\n') {
                nl = memchr(p, '\n', (size_t)(end - p));
                if (!nl || memmem(p, (size_t)(nl - p), "-->", 3)) abort();
                p = nl + 1;
            }
            p++; /* the blank line */
        }
    } else if (err != MQ_EPARSE && err != MQ_ETOOBIG && err != MQ_ENOMEM) {
        abort();
    }
    mq_buf_cleanup(&out);
    return 0;
}
