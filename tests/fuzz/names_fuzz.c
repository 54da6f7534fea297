/* names_fuzz - media file paths (media/names.h): any bytes give strings
 * that are terminated, within their buffers and valid UTF-8, and episode
 * lists within their bounds. */
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "fuzz.h"
#include "media/names.h"

static void check_text(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n >= cap || !mq_utf8_valid(s, n)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192) return 0;
    static const enum mq_name_kind hints[] = {MQ_NAME_UNKNOWN, MQ_NAME_MOVIE, MQ_NAME_EPISODE};
    for (size_t h = 0; h < 3; h++) {
        struct mq_name nm;
        mq_name_parse((const char *)data, size, hints[h], &nm);
        check_text(nm.title, sizeof(nm.title));
        check_text(nm.episode_title, sizeof(nm.episode_title));
        check_text(nm.group, sizeof(nm.group));
        check_text(nm.edition, sizeof(nm.edition));
        check_text(nm.resolution, sizeof(nm.resolution));
        check_text(nm.source, sizeof(nm.source));
        check_text(nm.tmdb_id, sizeof(nm.tmdb_id));
        check_text(nm.imdb_id, sizeof(nm.imdb_id));
        check_text(nm.tvdb_id, sizeof(nm.tvdb_id));
        if (nm.nepisodes < 0 || nm.nepisodes > MQ_NAME_EPISODES_MAX) abort();
        if (nm.kind == MQ_NAME_UNKNOWN && nm.title[0]) abort();
    }
    return 0;
}
