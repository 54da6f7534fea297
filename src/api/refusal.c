#include "api/refusal.h"

#include <string.h>

static int status_of(const struct mq_refusal *r)
{
    if (r->code && !strcmp(r->code, "invalid_token")) return 400;
    switch (r->err) {
    case MQ_EINVAL: return 422;
    case MQ_ECONFLICT: return 409;
    case MQ_ENOTFOUND: return 404;
    case MQ_ETOOBIG: return 413;
    case MQ_EUNSUPPORTED: return 415;
    default: return 403;
    }
}

mq_err mq_api_refused_as(struct mq_req *req, mq_err err, const struct mq_refusal *r,
                         const char *member)
{
    if (!err || !r || !r->code) return err;
    json_t *extra = r->field ? json_pack("{s:s}", member, r->field) : NULL;
    return mq_problem(req, status_of(r), r->code, extra, "%s", r->detail);
}

mq_err mq_api_refused(struct mq_req *req, mq_err err, const struct mq_refusal *r)
{
    return mq_api_refused_as(req, err, r, "field");
}
