/* deadline.h - absolute instants to wait until, for the timed waits of
 * pthreads (condition variables, pthread_mutex_timedlock), and condition
 * variables that measure their timeouts on the monotonic clock, so that a
 * wall-clock step (NTP, a suspended laptop) neither cuts a wait short nor
 * stretches it. */
#ifndef MQ_CORE_DEADLINE_H
#define MQ_CORE_DEADLINE_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* `ms` from now on `clock`: CLOCK_MONOTONIC for condition variables made
 * with mq_cond_init_monotonic, CLOCK_REALTIME for the others and for
 * pthread_mutex_timedlock. */
struct timespec mq_deadline_in(clockid_t clock, int64_t ms);

/* Initialises a condition variable whose timed waits take CLOCK_MONOTONIC
 * deadlines. Returns pthread_cond_init's result. */
int mq_cond_init_monotonic(pthread_cond_t *cond);

#endif
