/* zip_fuzz - uploaded zips as the import opens them (track/libzip.h, a
 * Letterboxd export): any bytes are a zip or refused; what is read of one
 * keeps to the limit however its headers lie, and each file is
 * NUL-terminated at its length. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "track/libzip.h"

#define LIMIT 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 17) return 0;
    struct mq_arena *a = mq_arena_new(0);
    if (!a) return 0;
    struct mq_unzipped files[MQ_UNZIP_FILES];
    size_t n = 0, total = 0;
    mq_err err = mq_unzip(a, (const char *)data, size, LIMIT, NULL, files, &n);
    if (err == MQ_OK) {
        if (n > MQ_UNZIP_FILES) abort();
        for (size_t i = 0; i < n; i++) {
            if (!files[i].name || !files[i].data || files[i].data[files[i].len]) abort();
            total += files[i].len;
        }
        if (total > LIMIT) abort();
    } else if (err != MQ_EPARSE && err != MQ_ETOOBIG && err != MQ_ENOMEM &&
               err != MQ_EUNSUPPORTED) {
        abort();
    }
    mq_arena_free(a);
    return 0;
}
