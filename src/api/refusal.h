/* refusal.h - a service's refusal (core/err.h) as the API answers it.
 *
 * The status follows from the kind of refusal: a rule broken (MQ_EINVAL)
 * is 422, a conflict 409, not allowed 403, not found 404, too large 413,
 * an unsupported kind of input 415; a bad or spent link (invalid_token) is
 * 400, as the request itself is what is wrong. The problem document
 * carries the refusal's code and detail, and its field when it names one. */
#ifndef MQ_API_REFUSAL_H
#define MQ_API_REFUSAL_H

#include "http/http.h"

/* Answers err as refused by r when r holds a refusal (r->code), and
 * returns what mq_problem returns; otherwise returns err untouched, for
 * the server to answer (a failure, not a refusal). */
mq_err mq_api_refused(struct mq_req *req, mq_err err, const struct mq_refusal *r);

/* As mq_api_refused, with the field under `member` ("setting") instead of
 * "field". */
mq_err mq_api_refused_as(struct mq_req *req, mq_err err, const struct mq_refusal *r,
                         const char *member);

#endif
