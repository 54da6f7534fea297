#include "crypto/totp.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_ready = -1;

static void oath_start(void)
{
    oath_ready = oath_init();
}

static bool ready(void)
{
    pthread_once(&oath_once, oath_start);
    return oath_ready == OATH_OK;
}

mq_err mq_totp_base32(struct mq_arena *a, const unsigned char *secret, size_t len, char **out)
{
    char *b32 = NULL;
    size_t n = 0;
    if (!ready()) return MQ_EINTERNAL;
    if (oath_base32_encode((const char *)secret, len, &b32, &n) != OATH_OK) return MQ_ENOMEM;
    while (n && b32[n - 1] == '=') n--; /* apps take it without padding */
    *out = mq_arena_strndup(a, b32, n);
    free(b32);
    return *out ? MQ_OK : MQ_ENOMEM;
}

/* Percent-encodes all but RFC 3986 unreserved characters. */
static mq_err escape(struct mq_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    mq_err err = MQ_OK;
    for (const unsigned char *p = (const unsigned char *)s; *p && !err; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            err = mq_buf_add(b, p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            err = mq_buf_add(b, e, 3);
        }
    }
    return err;
}

mq_err mq_totp_uri(struct mq_arena *a, const char *issuer, const char *account, const char *base32,
                   char **out)
{
    struct mq_buf b;
    mq_buf_init(&b, 4096);
    mq_err err = mq_buf_adds(&b, "otpauth://totp/");
    if (!err) err = escape(&b, issuer);
    if (!err) err = mq_buf_adds(&b, ":");
    if (!err) err = escape(&b, account);
    if (!err) err = mq_buf_printf(&b, "?secret=%s&issuer=", base32);
    if (!err) err = escape(&b, issuer);
    if (!err) err = mq_buf_adds(&b, "&algorithm=SHA1&digits=6&period=30");
    if (!err) *out = mq_arena_strndup(a, b.data, b.len);
    if (!err && !*out) err = MQ_ENOMEM;
    mq_buf_cleanup(&b);
    return err;
}

mq_err mq_totp_code(const unsigned char *secret, size_t len, int64_t now_s, unsigned digits,
                    char out[9])
{
    if (!ready() || digits < 6 || digits > 8) return MQ_EINVAL;
    return oath_totp_generate((const char *)secret, len, (time_t)now_s, MQ_TOTP_STEP, 0, digits,
                              out) == OATH_OK
               ? MQ_OK
               : MQ_EINTERNAL;
}

mq_err mq_totp_check(const unsigned char *secret, size_t len, int64_t now_s, const char *code,
                     int64_t *step)
{
    int pos = 0;
    uint64_t counter = 0;
    if (!ready()) return MQ_EINTERNAL;
    if (!code || strlen(code) != MQ_TOTP_DIGITS || strspn(code, "0123456789") != MQ_TOTP_DIGITS)
        return MQ_EPERM;
    int rc = oath_totp_validate3((const char *)secret, len, (time_t)now_s, MQ_TOTP_STEP, 0,
                                 MQ_TOTP_WINDOW, &pos, &counter, code);
    if (rc < 0) return MQ_EPERM;
    *step = (int64_t)counter;
    return MQ_OK;
}
