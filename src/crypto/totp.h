/* totp.h - time-based one-time passwords (RFC 6238): HMAC-SHA-1, 6 digits,
 * 30-second steps, computed by liboath; and the otpauth:// URI that
 * authenticator apps scan (Key Uri Format, as Google Authenticator reads
 * it). */
#ifndef MQ_CRYPTO_TOTP_H
#define MQ_CRYPTO_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

#define MQ_TOTP_SECRET_BYTES 20 /* 160 bits, as RFC 4226 recommends */
#define MQ_TOTP_STEP         30
#define MQ_TOTP_DIGITS       6
#define MQ_TOTP_WINDOW       1 /* steps either side of now still accepted */

/* Base32 (RFC 4648) without padding, in the arena. */
MQ_MUST_CHECK mq_err mq_totp_base32(struct mq_arena *a, const unsigned char *secret, size_t len,
                                    char **out);

/* otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30 */
MQ_MUST_CHECK mq_err mq_totp_uri(struct mq_arena *a, const char *issuer, const char *account,
                                 const char *base32, char **out);

/* The code for a moment (Unix seconds), with `digits` digits (6 to 8). */
MQ_MUST_CHECK mq_err mq_totp_code(const unsigned char *secret, size_t len, int64_t now_s,
                                  unsigned digits, char out[9]);

/* Checks a 6-digit code against the steps around now_s; *step is the step it
 * belongs to. MQ_EPERM when it matches none (or is not six digits). */
MQ_MUST_CHECK mq_err mq_totp_check(const unsigned char *secret, size_t len, int64_t now_s,
                                   const char *code, int64_t *step);

#endif
