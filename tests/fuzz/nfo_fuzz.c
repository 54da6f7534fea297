/* nfo_fuzz - NFO files (media/nfo.h): any bytes give a document whose
 * every string is valid UTF-8, or an error; entities are never expanded. */
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "fuzz.h"
#include "media/nfo.h"

static void check(json_t *v)
{
    if (json_is_string(v)) {
        if (!mq_utf8_valid(json_string_value(v), json_string_length(v))) abort();
        if (json_string_length(v) > 20000) abort(); /* no expansion past the cap */
    } else if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) check(e);
    } else if (json_is_object(v)) {
        const char *k;
        json_t *e;
        json_object_foreach(v, k, e) check(e);
    } else if (!json_is_integer(v)) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536) return 0;
    json_t *d = mq_nfo_parse((const char *)data, size);
    if (!d) abort();
    check(d);
    json_decref(d);
    return 0;
}
