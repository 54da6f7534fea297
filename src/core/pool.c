#include "core/pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct task {
    struct task *next;
    void (*fn)(void *arg);
    void *arg;
};

struct mq_pool {
    pthread_mutex_t lock;
    pthread_cond_t work;
    struct task *head, *tail;
    size_t queued, queue_max, running;
    uint64_t done, refused;
    bool stopping;
    int nthreads;
    pthread_t threads[];
};

static void *worker(void *arg)
{
    struct mq_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->head && !p->stopping) pthread_cond_wait(&p->work, &p->lock);
        if (!p->head) break; /* stopping, and nothing left */
        struct task *t = p->head;
        p->head = t->next;
        if (!p->head) p->tail = NULL;
        p->queued--;
        p->running++;
        pthread_mutex_unlock(&p->lock);
        t->fn(t->arg);
        free(t);
        pthread_mutex_lock(&p->lock);
        p->running--;
        p->done++;
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

mq_err mq_pool_new(int threads, size_t queue_max, struct mq_pool **out)
{
    if (threads < 1) return MQ_EINVAL;
    struct mq_pool *p = calloc(1, sizeof(*p) + (size_t)threads * sizeof(pthread_t));
    if (!p) return MQ_ENOMEM;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    p->queue_max = queue_max;
    for (; p->nthreads < threads; p->nthreads++) {
        if (pthread_create(&p->threads[p->nthreads], NULL, worker, p)) {
            mq_pool_free(p);
            return MQ_EINTERNAL;
        }
    }
    *out = p;
    return MQ_OK;
}

void mq_pool_free(struct mq_pool *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

mq_err mq_pool_submit(struct mq_pool *p, void (*fn)(void *arg), void *arg)
{
    struct task *t = malloc(sizeof(*t));
    if (!t) return MQ_ENOMEM;
    t->next = NULL;
    t->fn = fn;
    t->arg = arg;
    pthread_mutex_lock(&p->lock);
    mq_err err = p->stopping ? MQ_EUNAVAILABLE : p->queued >= p->queue_max ? MQ_ETIMEOUT : MQ_OK;
    if (err) {
        p->refused++;
        pthread_mutex_unlock(&p->lock);
        free(t);
        return err;
    }
    if (p->tail)
        p->tail->next = t;
    else
        p->head = t;
    p->tail = t;
    p->queued++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
    return MQ_OK;
}

void mq_pool_stats(struct mq_pool *p, struct mq_pool_stats *out)
{
    pthread_mutex_lock(&p->lock);
    out->threads = p->nthreads;
    out->queued = p->queued;
    out->running = p->running;
    out->done = p->done;
    out->refused = p->refused;
    pthread_mutex_unlock(&p->lock);
}
