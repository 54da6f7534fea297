/* render.h - the API's JSON forms of records that the command line prints
 * the same way (`marquee jobs --json`), so that both show one shape. */
#ifndef MQ_API_RENDER_H
#define MQ_API_RENDER_H

#include <jansson.h>

#include "jobs/queue.h"

/* A job as the API shows it: a new reference. */
json_t *mq_api_job_json(const struct mq_job *j);

#endif
