/* libvips.h - libvips, loaded at run time by the avatar code.
 *
 * Linking libvips costs every process about 19 MB of resident memory (GLib
 * and the image libraries it loads at start; bench/README.md), for a feature
 * used once in a while. So the binary does not link it: the first avatar
 * upload loads it with dlopen (core/dynlib.h). Only types and constants come
 * from vips/vips.h. */
#ifndef MQ_LIBVIPS_H
#define MQ_LIBVIPS_H

#include <vips/vips.h>

#include "core/err.h"

#define MQ_LIBVIPS_SONAME "libvips.so.42"

struct mq_libvips {
    void *handle;
    int (*init)(const char *argv0);
    void (*cache_set_max)(int max);
    void (*concurrency_set)(int concurrency);
    VipsImage *(*image_new_from_buffer)(const void *buf, size_t len, const char *option_string,
                                        ...);
    int (*image_get_width)(const VipsImage *image);
    int (*image_get_height)(const VipsImage *image);
    int (*image_get_bands)(const VipsImage *image);
    VipsBandFormat (*image_get_format)(const VipsImage *image);
    int (*thumbnail_buffer)(void *buf, size_t len, VipsImage **out, int width, ...);
    int (*image_write_to_buffer)(VipsImage *in, const char *suffix, void **buf, size_t *size, ...);
    void (*error_clear)(void);
    void (*object_unref)(gpointer object);
    void (*free)(gpointer mem);
};

/* Loads libvips, resolves every function above and initialises the library
 * (cache off, one thread per call). MQ_EUNSUPPORTED with a message in errbuf
 * when it cannot. Never unloaded: libvips cannot be shut down and restarted. */
MQ_MUST_CHECK mq_err mq_libvips_load(struct mq_libvips *v, char *errbuf, size_t errlen);

#endif
