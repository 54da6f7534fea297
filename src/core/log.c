#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LOG_VALUE_MAX 512

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void mq_log_init(struct mq_log *log, enum mq_log_level level, int fd, const struct mq_clock *clock)
{
    log->level = level;
    log->fd = fd;
    log->clock = clock;
}

mq_err mq_log_level_parse(const char *s, enum mq_log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum mq_log_level)i;
            return MQ_OK;
        }
    }
    if (strcmp(s, "warning") == 0) {
        *out = MQ_LOG_WARN;
        return MQ_OK;
    }
    return MQ_EINVAL;
}

const char *mq_log_level_name(enum mq_log_level level)
{
    return level_names[level];
}

bool mq_log_begin(struct mq_log_line *l, const struct mq_log *log, enum mq_log_level level,
                  const char *sub, const char *msg)
{
    if (!log || !mq_log_enabled(log, level)) return false;
    char when[32];
    mq_time_format_rfc3339(mq_clock_now_ms(log->clock), when, sizeof(when));
    l->log = log;
    mq_buf_init_fixed(&l->buf, l->storage, sizeof(l->storage));
    /* The fixed prefix always fits 4 KiB: msg is cut at LOG_VALUE_MAX bytes,
     * at most 6 bytes each when escaped. */
    mq_err err =
        mq_buf_printf(&l->buf, "{\"time\":\"%s\",\"level\":\"%s\",\"sub\":\"%s\",\"msg\":\"", when,
                      level_names[level], sub);
    if (!err) err = mq_buf_add_json_str(&l->buf, msg, strnlen(msg, LOG_VALUE_MAX));
    if (!err) err = mq_buf_add(&l->buf, "\"", 1);
    return err == MQ_OK;
}

static void log_field(struct mq_log_line *l, const char *key, const char *raw, size_t rawlen,
                      bool quoted, size_t n)
{
    size_t mark = l->buf.len;
    mq_err err = mq_buf_printf(&l->buf, ",\"%s\":", key);
    if (!err && quoted) err = mq_buf_add(&l->buf, "\"", 1);
    if (!err)
        err = quoted ? mq_buf_add_json_str(&l->buf, raw, n) : mq_buf_add(&l->buf, raw, rawlen);
    if (!err && quoted) err = mq_buf_add(&l->buf, "\"", 1);
    if (err) { /* drop the whole field rather than emit half of it */
        l->buf.len = mark;
        l->buf.data[mark] = '\0';
    }
}

void mq_log_strn(struct mq_log_line *l, const char *key, const char *value, size_t n)
{
    if (!value) {
        log_field(l, key, "null", 4, false, 0);
        return;
    }
    if (n > LOG_VALUE_MAX) n = LOG_VALUE_MAX;
    log_field(l, key, value, n, true, n);
}

void mq_log_str(struct mq_log_line *l, const char *key, const char *value)
{
    mq_log_strn(l, key, value, value ? strnlen(value, LOG_VALUE_MAX) : 0);
}

void mq_log_int(struct mq_log_line *l, const char *key, int64_t value)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%lld", (long long)value);
    log_field(l, key, num, (size_t)n, false, 0);
}

void mq_log_double(struct mq_log_line *l, const char *key, double value)
{
    char num[32];
    int n = snprintf(num, sizeof(num), "%.3f", value);
    log_field(l, key, num, (size_t)n, false, 0);
}

void mq_log_end(struct mq_log_line *l)
{
    /* Reserve room for the closing brace and newline even on a full line. */
    if (l->buf.len > sizeof(l->storage) - 3) l->buf.len = sizeof(l->storage) - 3;
    l->storage[l->buf.len++] = '}';
    l->storage[l->buf.len++] = '\n';
    const char *p = l->storage;
    size_t left = l->buf.len;
    while (left > 0) {
        ssize_t w = write(l->log->fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            return; /* nowhere left to report a logging failure */
        }
        p += w;
        left -= (size_t)w;
    }
}

void mq_log_msg(const struct mq_log *log, enum mq_log_level level, const char *sub, const char *fmt,
                ...)
{
    struct mq_log_line l;
    char msg[1024];
    if (!log || !mq_log_enabled(log, level)) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (mq_log_begin(&l, log, level, sub, msg)) mq_log_end(&l);
}
