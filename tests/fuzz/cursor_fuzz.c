/* cursor_fuzz - list cursors from clients (http/page.h): whatever decodes
 * encodes back to the same position. */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "fuzz.h"
#include "http/page.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536) return 0;
    struct mq_arena *a = mq_arena_new(0);
    char *s = mq_arena_strndup(a, (const char *)data, size);
    char *pos = mq_cursor_decode(a, s);
    if (pos) {
        char *again = mq_cursor_encode(a, pos);
        if (!again || strcmp(mq_cursor_decode(a, again), pos)) abort();
    }
    mq_arena_free(a);
    return 0;
}
