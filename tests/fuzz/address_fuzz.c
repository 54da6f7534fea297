/* address_fuzz - e-mail addresses as Unicode (core/address.h): whatever the
 * bytes, normalising either refuses with a code or gives an address that is
 * valid, normalises to itself and keys as its own key; keys and skeletons
 * never fail to end. */
#include <stdlib.h>
#include <string.h>

#include "core/address.h"
#include "core/arena.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1024) return 0;
    struct mq_arena *a = mq_arena_new(0);
    char *s = mq_arena_strndup(a, (const char *)data, size);
    char out[MQ_EMAIL_MAX + 1], again[MQ_EMAIL_MAX + 1], key[MQ_EMAIL_MAX + 1];
    char key2[MQ_EMAIL_MAX + 1], skel[MQ_SKELETON_MAX + 1];
    struct mq_refusal why = {0};
    mq_address_key(s, key);
    if (strlen(key) > MQ_EMAIL_MAX) abort();
    if (mq_address_normalize(s, out, &why) == MQ_OK) {
        const char *rule = NULL;
        struct mq_refusal why2 = {0};
        if (!mq_email_valid(out, &rule)) abort();
        if (mq_address_normalize(out, again, &why2) != MQ_OK || strcmp(out, again)) abort();
        mq_address_key(out, key2);
        if (strcmp(key, key2)) abort();
    } else if (!why.code) {
        abort();
    }
    struct mq_skeletons *sk = NULL;
    if (mq_skeletons_open(&sk) == MQ_OK) {
        if (mq_skeleton(sk, key, skel) && strlen(skel) > MQ_SKELETON_MAX) abort();
        mq_skeletons_close(sk);
    }
    mq_arena_free(a);
    return 0;
}
