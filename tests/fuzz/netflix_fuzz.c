/* netflix_fuzz - Netflix titles and dates (track/netflix.h): any title
 * splits into a show that begins the title, a season that is a label's
 * number or -1, an episode that is the title's tail; dates parse only to
 * days that exist (1900 on, so before 1970 too), at noon UTC. The first byte chooses whether a
 * made-up catalogue knows every prefix ending in a letter. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "track/netflix.h"

static bool known(void *arg, const char *title, size_t len)
{
    (void)arg;
    return len && ((title[len - 1] | 0x20) >= 'a' && (title[len - 1] | 0x20) <= 'z');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 2048) return 0;
    struct mq_arena *a = mq_arena_new(0);
    char *t = malloc(size);
    if (!a || !t) goto out;
    memcpy(t, data + 1, size - 1);
    t[size - 1] = '\0';
    struct mq_netflix_title s;
    mq_err err = mq_netflix_split(a, t, data[0] & 1 ? known : NULL, NULL, &s);
    if (err == MQ_OK) {
        if (!s.show || !strstr(t, s.show)) abort();
        if (s.season < -1 || s.season > 999 || s.episode_no < -1 || s.episode_no > 999) abort();
        if (s.episode && (!*s.episode || !strstr(t, s.episode))) abort();
        if (s.season_label && !strstr(t, s.season_label)) abort();
    } else if (err != MQ_ENOMEM) {
        abort();
    }
    int64_t ms = 0;
    for (int day_first = 0; day_first < 2; day_first++)
        if (mq_netflix_date(t, day_first, &ms) &&
            ((ms % 86400000) + 86400000) % 86400000 != 43200000)
            abort();
    struct mq_date_votes v = {0};
    mq_netflix_date_vote(t, &v);
    if (v.day_first + v.month_first > 1) abort();
    if (mq_netflix_hms(t, &ms) && (ms < 0 || ms > 100LL * 3600000)) abort();
    (void)mq_netflix_instant(t, &ms);
out:
    free(t);
    mq_arena_free(a);
    return 0;
}
