#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const err_names[MQ_ERR_COUNT] = {
    [MQ_OK] = "ok",
    [MQ_ENOMEM] = "out_of_memory",
    [MQ_EINVAL] = "invalid",
    [MQ_ENOTFOUND] = "not_found",
    [MQ_ECONFLICT] = "conflict",
    [MQ_ETOOBIG] = "too_big",
    [MQ_EPARSE] = "parse_error",
    [MQ_EIO] = "io_error",
    [MQ_EDB] = "database_error",
    [MQ_EUNAVAILABLE] = "unavailable",
    [MQ_ETIMEOUT] = "timeout",
    [MQ_ESCHEMA] = "schema_mismatch",
    [MQ_EPERM] = "forbidden",
    [MQ_EUNSUPPORTED] = "unsupported",
    [MQ_EINTERNAL] = "internal_error",
};

const char *mq_err_name(mq_err err)
{
    if ((unsigned)err >= MQ_ERR_COUNT) return "unknown_error";
    return err_names[err];
}

mq_err mq_refuse(struct mq_refusal *r, mq_err err, const char *code, const char *field,
                 const char *fmt, ...)
{
    va_list ap;
    if (!r) return err;
    r->err = err;
    r->code = code;
    r->field = field;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
    va_end(ap);
    return err;
}
