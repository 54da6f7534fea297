/* qr.h - QR codes (libqrencode) as SVG and PNG (libpng), for the
 * otpauth:// URI an authenticator app scans. */
#ifndef MQ_CRYPTO_QR_H
#define MQ_CRYPTO_QR_H

#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

/* An SVG document in the arena: one path of dark modules, a 4-module quiet
 * zone, scalable. */
MQ_MUST_CHECK mq_err mq_qr_svg(struct mq_arena *a, const char *text, char **svg);

/* A grayscale PNG in the arena, `scale` pixels per module. */
MQ_MUST_CHECK mq_err mq_qr_png(struct mq_arena *a, const char *text, int scale, unsigned char **png,
                               size_t *len);

#endif
