/* problem.h - RFC 9457 problem documents and the mapping from mq_err. */
#ifndef MQ_PROBLEM_H
#define MQ_PROBLEM_H

#include "core/err.h"

/* Status and stable problem code for an error that no handler explained. */
void mq_problem_for_err(mq_err err, int *status, const char **code);

/* Reason phrase for a status ("Not Found"), "Error" if unknown. */
const char *mq_http_reason(int status);

#endif
