#include "track/libzip.h"

#include <pthread.h>
#include <string.h>

#include "core/dynlib.h"

#define ZSYM(name, field) MQ_DYNSYM(struct mq_libzip, name, field)

static const struct mq_dynsym SYMBOLS[] = {
    ZSYM("zip_source_buffer_create", buffer_create),
    ZSYM("zip_open_from_source", open_from_source),
    ZSYM("zip_source_keep", keep),
    ZSYM("zip_source_buffer", buffer),
    ZSYM("zip_file_add", file_add),
    ZSYM("zip_close", close),
    ZSYM("zip_discard", discard),
    ZSYM("zip_source_open", open),
    ZSYM("zip_source_read", read),
    ZSYM("zip_source_close", src_close),
    ZSYM("zip_source_free", src_free),
    ZSYM("zip_source_stat", stat),
    ZSYM("zip_error_init", error_init),
    ZSYM("zip_error_fini", error_fini),
    ZSYM("zip_get_num_entries", num_entries),
    ZSYM("zip_get_name", get_name),
    ZSYM("zip_fopen_index", fopen_index),
    ZSYM("zip_fread", fread),
    ZSYM("zip_fclose", fclose),
};

/* Filled once, then only read. */
static struct mq_libzip table;
static bool loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    char why[256];
    loaded =
        !mq_dynlib_load("libzip.so.4", "libzip4", SYMBOLS, sizeof(SYMBOLS) / sizeof(SYMBOLS[0]),
                        &table, &table.handle, why, sizeof(why));
}

const struct mq_libzip *mq_libzip(void)
{
    pthread_once(&once, load);
    return loaded ? &table : NULL;
}

bool mq_is_zip(const char *data, size_t len)
{
    return len >= 4 && !memcmp(data, "PK\x03\x04", 4);
}

mq_err mq_unzip(struct mq_arena *a, const char *data, size_t len, size_t max,
                bool (*want)(const char *name), struct mq_unzipped *out, size_t *n)
{
    const struct mq_libzip *z = mq_libzip();
    *n = 0;
    if (!z) return MQ_EUNSUPPORTED;
    zip_error_t ze;
    z->error_init(&ze);
    zip_source_t *src = z->buffer_create(data, len, 0, &ze);
    zip_t *zip = src ? z->open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
    mq_err err = zip ? MQ_OK : MQ_EPARSE;
    if (!zip && src) z->src_free(src);
    zip_int64_t entries = zip ? z->num_entries(zip, 0) : 0;
    size_t total = 0;
    for (zip_int64_t i = 0; !err && i < entries && i < MQ_UNZIP_FILES * 4; i++) {
        const char *name = z->get_name(zip, (zip_uint64_t)i, ZIP_FL_ENC_GUESS);
        if (!name || (want && !want(name))) continue;
        if (*n == MQ_UNZIP_FILES) break;
        zip_file_t *f = z->fopen_index(zip, (zip_uint64_t)i, 0);
        if (!f) {
            err = MQ_EPARSE;
            break;
        }
        /* Read to the limit and one byte more, whatever the header says
         * (a bomb's claimed sizes are lies too), in a buffer that grows
         * as the file does. */
        size_t room = max - total + 1, got = 0, cap = room < 65536 ? room : 65536;
        char *buf = mq_arena_alloc(a, cap + 1);
        if (!buf) err = MQ_ENOMEM;
        while (!err && got < room) {
            if (got == cap) {
                size_t ncap = cap * 2 < room ? cap * 2 : room;
                char *nb = mq_arena_alloc(a, ncap + 1);
                if (!nb) {
                    err = MQ_ENOMEM;
                    break;
                }
                memcpy(nb, buf, got);
                buf = nb;
                cap = ncap;
            }
            zip_int64_t r = z->fread(f, buf + got, cap - got);
            if (r < 0) err = MQ_EPARSE;
            if (r <= 0) break;
            got += (size_t)r;
        }
        z->fclose(f);
        if (!err && got == room) err = MQ_ETOOBIG;
        if (err) break;
        buf[got] = '\0';
        total += got;
        out[(*n)++] = (struct mq_unzipped){mq_arena_strdup(a, name), buf, got};
    }
    if (zip) z->discard(zip);
    z->error_fini(&ze);
    return err;
}
