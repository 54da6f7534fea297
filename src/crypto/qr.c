#include "crypto/qr.h"

#include <png.h>
#include <pthread.h>
#include <qrencode.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/dynlib.h"

#define QUIET 4 /* modules of white around the code, as ISO/IEC 18004 asks */

/* libpng is loaded when the first PNG is asked for: linked, it and zlib
 * cost every process 0.6 MB of resident memory for a picture made once per
 * enrolment (bench/README.md). Process-wide like the library. */
struct libpng {
    void *handle;
    __typeof__(png_image_write_to_memory) *write_to_memory;
    __typeof__(png_image_free) *image_free;
};

static const struct mq_dynsym png_symbols[] = {
    MQ_DYNSYM(struct libpng, "png_image_write_to_memory", write_to_memory),
    MQ_DYNSYM(struct libpng, "png_image_free", image_free),
};
static struct libpng libpng;
static bool png_loaded;
static pthread_once_t png_once = PTHREAD_ONCE_INIT;

static void png_load(void)
{
    char why[256];
    png_loaded = mq_dynlib_load("libpng16.so.16", "libpng16-16", png_symbols,
                                sizeof(png_symbols) / sizeof(png_symbols[0]), &libpng,
                                &libpng.handle, why, sizeof(why)) == MQ_OK;
    if (!png_loaded) fprintf(stderr, "marquee: QR codes as PNG are unavailable: %s\n", why);
}

/* Medium error correction: the code stays readable from a photographed
 * screen; 8-bit mode keeps the URI exactly as given. */
static QRcode *encode(const char *text)
{
    return QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
}

static int dark(const QRcode *qr, int x, int y)
{
    return qr->data[y * qr->width + x] & 1;
}

mq_err mq_qr_svg(struct mq_arena *a, const char *text, char **svg)
{
    QRcode *qr = encode(text);
    if (!qr) return MQ_EINVAL;
    int size = qr->width + 2 * QUIET;
    struct mq_buf b;
    mq_buf_init(&b, 1 << 20);
    mq_err err = mq_buf_printf(&b,
                               "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                               "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
                               "fill=\"#fff\"/><path fill=\"#000\" d=\"",
                               size, size, size, size);
    for (int y = 0; !err && y < qr->width; y++)
        for (int x = 0; !err && x < qr->width; x++) {
            if (!dark(qr, x, y)) continue;
            /* A run of dark modules is one rectangle. */
            int run = 1;
            while (x + run < qr->width && dark(qr, x + run, y)) run++;
            err = mq_buf_printf(&b, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run, run);
            x += run - 1;
        }
    if (!err) err = mq_buf_adds(&b, "\"/></svg>");
    QRcode_free(qr);
    if (!err) *svg = mq_arena_strndup(a, b.data, b.len);
    if (!err && !*svg) err = MQ_ENOMEM;
    mq_buf_cleanup(&b);
    return err;
}

mq_err mq_qr_png(struct mq_arena *a, const char *text, int scale, unsigned char **png, size_t *len)
{
    pthread_once(&png_once, png_load);
    if (!png_loaded) return MQ_EUNSUPPORTED;
    QRcode *qr = encode(text);
    if (!qr) return MQ_EINVAL;
    int side = (qr->width + 2 * QUIET) * scale;
    unsigned char *pixels = malloc((size_t)side * (size_t)side);
    mq_err err = pixels ? MQ_OK : MQ_ENOMEM;
    for (int y = 0; !err && y < side; y++)
        for (int x = 0; x < side; x++) {
            int mx = x / scale - QUIET, my = y / scale - QUIET;
            bool inside = mx >= 0 && my >= 0 && mx < qr->width && my < qr->width;
            pixels[(size_t)y * (size_t)side + (size_t)x] = inside && dark(qr, mx, my) ? 0 : 255;
        }
    QRcode_free(qr);

    png_image image;
    memset(&image, 0, sizeof(image));
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)side;
    image.height = (png_uint_32)side;
    image.format = PNG_FORMAT_GRAY;
    png_alloc_size_t size = 0;
    /* The first call measures, the second writes. */
    if (!err && !libpng.write_to_memory(&image, NULL, &size, 0, pixels, 0, NULL))
        err = MQ_EINTERNAL;
    unsigned char *out = err ? NULL : mq_arena_alloc(a, size);
    if (!err && !out) err = MQ_ENOMEM;
    if (!err && !libpng.write_to_memory(&image, out, &size, 0, pixels, 0, NULL)) err = MQ_EINTERNAL;
    libpng.image_free(&image);
    free(pixels);
    if (err) return err;
    *png = out;
    *len = size;
    return MQ_OK;
}
