#include "http/headwatch.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "core/deadline.h"

struct mq_headwatch_entry {
    struct mq_headwatch_entry *prev, *next;
    int fd;
    bool armed; /* on the list */
    struct timespec deadline;
};

struct mq_headwatch {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool stopping;
    int timeout_s;
    struct mq_headwatch_entry *head, *tail; /* oldest deadline first */
    uint64_t expired;
};

static void list_unlink(struct mq_headwatch *hw, struct mq_headwatch_entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        hw->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        hw->tail = e->prev;
    e->prev = e->next = NULL;
    e->armed = false;
}

static void list_append(struct mq_headwatch *hw, struct mq_headwatch_entry *e)
{
    clock_gettime(CLOCK_MONOTONIC, &e->deadline);
    e->deadline.tv_sec += hw->timeout_s;
    e->prev = hw->tail;
    e->next = NULL;
    if (hw->tail)
        hw->tail->next = e;
    else
        hw->head = e;
    hw->tail = e;
    e->armed = true;
}

static bool due(const struct timespec *deadline, const struct timespec *now)
{
    return now->tv_sec > deadline->tv_sec ||
           (now->tv_sec == deadline->tv_sec && now->tv_nsec >= deadline->tv_nsec);
}

static void *watch_main(void *arg)
{
    struct mq_headwatch *hw = arg;
    pthread_mutex_lock(&hw->lock);
    while (!hw->stopping) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        while (hw->head && due(&hw->head->deadline, &now)) {
            struct mq_headwatch_entry *e = hw->head;
            list_unlink(hw, e);
            shutdown(e->fd, SHUT_RDWR);
            hw->expired++;
        }
        /* Sleep until the oldest deadline. With an empty list, sleep one
         * timeout: anything added meanwhile is due no earlier than that, so
         * adding never needs to wake this thread. */
        struct timespec until = now;
        if (hw->head)
            until = hw->head->deadline;
        else
            until.tv_sec += hw->timeout_s;
        pthread_cond_timedwait(&hw->wake, &hw->lock, &until);
    }
    pthread_mutex_unlock(&hw->lock);
    return NULL;
}

mq_err mq_headwatch_start(int timeout_s, struct mq_headwatch **out)
{
    struct mq_headwatch *hw = calloc(1, sizeof(*hw));
    if (!hw) return MQ_ENOMEM;
    mq_cond_init_monotonic(&hw->wake);
    pthread_mutex_init(&hw->lock, NULL);
    hw->timeout_s = timeout_s;
    if (pthread_create(&hw->thread, NULL, watch_main, hw)) {
        pthread_cond_destroy(&hw->wake);
        pthread_mutex_destroy(&hw->lock);
        free(hw);
        return MQ_EINTERNAL;
    }
    *out = hw;
    return MQ_OK;
}

void mq_headwatch_stop(struct mq_headwatch *hw)
{
    if (!hw) return;
    pthread_mutex_lock(&hw->lock);
    hw->stopping = true;
    pthread_cond_signal(&hw->wake);
    pthread_mutex_unlock(&hw->lock);
    pthread_join(hw->thread, NULL);
    pthread_cond_destroy(&hw->wake);
    pthread_mutex_destroy(&hw->lock);
    free(hw);
}

struct mq_headwatch_entry *mq_headwatch_add(struct mq_headwatch *hw, int fd)
{
    struct mq_headwatch_entry *e = calloc(1, sizeof(*e));
    if (!e) return NULL;
    e->fd = fd;
    pthread_mutex_lock(&hw->lock);
    list_append(hw, e);
    pthread_mutex_unlock(&hw->lock);
    return e;
}

void mq_headwatch_disarm(struct mq_headwatch *hw, struct mq_headwatch_entry *e)
{
    if (!e) return;
    pthread_mutex_lock(&hw->lock);
    if (e->armed) list_unlink(hw, e);
    pthread_mutex_unlock(&hw->lock);
}

void mq_headwatch_arm(struct mq_headwatch *hw, struct mq_headwatch_entry *e)
{
    if (!e) return;
    pthread_mutex_lock(&hw->lock);
    if (e->armed) list_unlink(hw, e);
    list_append(hw, e);
    pthread_mutex_unlock(&hw->lock);
}

void mq_headwatch_remove(struct mq_headwatch *hw, struct mq_headwatch_entry *e)
{
    if (!e) return;
    pthread_mutex_lock(&hw->lock);
    if (e->armed) list_unlink(hw, e);
    pthread_mutex_unlock(&hw->lock);
    free(e);
}

uint64_t mq_headwatch_expired(struct mq_headwatch *hw)
{
    pthread_mutex_lock(&hw->lock);
    uint64_t n = hw->expired;
    pthread_mutex_unlock(&hw->lock);
    return n;
}
