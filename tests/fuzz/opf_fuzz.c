/* opf_fuzz - EPUB package documents (media/books.h): any bytes give a
 * description whose every string is valid UTF-8, or an error. */
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "fuzz.h"
#include "media/books.h"

static void check(json_t *v)
{
    if (json_is_string(v)) {
        if (!mq_utf8_valid(json_string_value(v), json_string_length(v))) abort();
    } else if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) check(e);
    } else if (json_is_object(v)) {
        const char *k;
        json_t *e;
        json_object_foreach(v, k, e) check(e);
    } else {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536) return 0;
    json_t *d = mq_book_parse_opf((const char *)data, size);
    if (!d) return 0; /* libxml2 absent */
    check(d);
    json_decref(d);
    return 0;
}
