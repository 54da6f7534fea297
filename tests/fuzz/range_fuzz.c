/* range_fuzz - Range headers (http/range.h): a range given back lies
 * within the file and is in order; an empty file has no range. */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "fuzz.h"
#include "http/range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8 || size > 4096) return 0;
    uint64_t file_size;
    memcpy(&file_size, data, 8);
    file_size %= 1ULL << 62;
    struct mq_arena *a = mq_arena_new(0);
    char *h = mq_arena_strndup(a, (const char *)data + 8, size - 8);
    uint64_t from = 0, to = 0;
    enum mq_range_result r = mq_range_parse(h, file_size, &from, &to);
    if (r == MQ_RANGE_ONE && (!file_size || from > to || to >= file_size)) abort();
    if (r != MQ_RANGE_ONE && r != MQ_RANGE_ALL && r != MQ_RANGE_UNSATISFIABLE) abort();
    mq_arena_free(a);
    return 0;
}
