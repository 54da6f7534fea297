/* log.h - levelled JSON-lines logging to a file descriptor (stderr).
 *
 * Each line is one write(2), so lines from different threads never interleave.
 * There is deliberately no way to log a request's headers, cookies or body:
 * callers log named fields they chose, and secrets are never among them. */
#ifndef MQ_LOG_H
#define MQ_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"

enum mq_log_level { MQ_LOG_DEBUG, MQ_LOG_INFO, MQ_LOG_WARN, MQ_LOG_ERROR };

struct mq_log {
    enum mq_log_level level;
    int fd;
    const struct mq_clock *clock;
};

void mq_log_init(struct mq_log *log, enum mq_log_level level, int fd, const struct mq_clock *clock);

/* Parses "debug", "info", "warn"/"warning", "error". */
MQ_MUST_CHECK mq_err mq_log_level_parse(const char *s, enum mq_log_level *out);
const char *mq_log_level_name(enum mq_log_level level);

static inline bool mq_log_enabled(const struct mq_log *log, enum mq_log_level level)
{
    return level >= log->level;
}

/* One line with a printf-style message: {"time","level","sub","msg"}. */
void mq_log_msg(const struct mq_log *log, enum mq_log_level level, const char *sub, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));

#define mq_log_debug(log, sub, ...) mq_log_msg((log), MQ_LOG_DEBUG, (sub), __VA_ARGS__)
#define mq_log_info(log, sub, ...)  mq_log_msg((log), MQ_LOG_INFO, (sub), __VA_ARGS__)
#define mq_log_warn(log, sub, ...)  mq_log_msg((log), MQ_LOG_WARN, (sub), __VA_ARGS__)
#define mq_log_error(log, sub, ...) mq_log_msg((log), MQ_LOG_ERROR, (sub), __VA_ARGS__)

/* A line with structured fields, built on the stack:
 *     struct mq_log_line l;
 *     if (mq_log_begin(&l, log, MQ_LOG_INFO, "http", "request")) {
 *         mq_log_str(&l, "route", route);
 *         mq_log_end(&l);
 *     }
 * mq_log_begin returns false when the level is disabled. Values longer than
 * 512 bytes are cut; a field that no longer fits the line is dropped. */
struct mq_log_line {
    const struct mq_log *log;
    struct mq_buf buf;
    char storage[4096];
};

bool mq_log_begin(struct mq_log_line *l, const struct mq_log *log, enum mq_log_level level,
                  const char *sub, const char *msg);
void mq_log_str(struct mq_log_line *l, const char *key, const char *value);
void mq_log_strn(struct mq_log_line *l, const char *key, const char *value, size_t n);
void mq_log_int(struct mq_log_line *l, const char *key, int64_t value);
void mq_log_double(struct mq_log_line *l, const char *key, double value);
void mq_log_end(struct mq_log_line *l);

#endif
