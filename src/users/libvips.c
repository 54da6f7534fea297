#include "users/libvips.h"

#include <stdio.h>
#include <string.h>

#include "core/dynlib.h"

#define SYM(name, field) MQ_DYNSYM(struct mq_libvips, name, field)

static const struct mq_dynsym symbols[] = {
    SYM("vips_init", init),
    SYM("vips_cache_set_max", cache_set_max),
    SYM("vips_concurrency_set", concurrency_set),
    SYM("vips_image_new_from_buffer", image_new_from_buffer),
    SYM("vips_image_get_width", image_get_width),
    SYM("vips_image_get_height", image_get_height),
    SYM("vips_image_get_bands", image_get_bands),
    SYM("vips_image_get_format", image_get_format),
    SYM("vips_thumbnail_buffer", thumbnail_buffer),
    SYM("vips_image_write_to_buffer", image_write_to_buffer),
    SYM("vips_error_clear", error_clear),
    SYM("g_object_unref", object_unref),
    SYM("g_free", free),
};

mq_err mq_libvips_load(struct mq_libvips *v, char *errbuf, size_t errlen)
{
    memset(v, 0, sizeof(*v));
    mq_err err =
        mq_dynlib_load(MQ_LIBVIPS_SONAME, "libvips42", symbols,
                       sizeof(symbols) / sizeof(symbols[0]), v, &v->handle, errbuf, errlen);
    if (err) return err;
    if (v->init("marquee")) {
        snprintf(errbuf, errlen, "libvips failed to initialise");
        return MQ_EUNSUPPORTED;
    }
    /* Every avatar is decoded once: nothing to cache. The CPU pool already
     * runs several calls at once. */
    v->cache_set_max(0);
    v->concurrency_set(1);
    return MQ_OK;
}
