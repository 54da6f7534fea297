/* purge.h - the periodic clean-up of accounts: deleted accounts past their
 * grace period are erased (with their sessions, tokens and picture), and
 * spent or expired e-mail tokens are removed. */
#ifndef MQ_USERS_PURGE_H
#define MQ_USERS_PURGE_H

#include "jobs/runner.h"

/* Registers "users.purge" and schedules it hourly on queue "maintenance". */
MQ_MUST_CHECK mq_err mq_users_register_jobs(struct mq_jobs *jobs);

#endif
