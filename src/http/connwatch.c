#include "http/connwatch.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/deadline.h"
#include "core/clock.h"
#include "http/clientip.h"

enum phase { PHASE_HANDLING, PHASE_HEAD, PHASE_BODY };

struct addr_count {
    struct addr_count *next;
    struct mq_ip net;
    int open;
};

struct mq_connwatch_entry {
    struct mq_connwatch_entry *prev, *next;
    enum phase phase;
    int fd;
    struct addr_count *addr; /* NULL when exempt */
    int64_t ready_ms;        /* the current request's budget starts here */
    int64_t head_due_ms, body_due_ms, body_start_ms;
    atomic_llong received;
};

struct list {
    struct mq_connwatch_entry *head, *tail;
};

struct mq_connwatch {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool stopping;
    struct mq_connwatch_limits limits;
    struct list heads;  /* in order of deadline: every one is "ready + header_timeout" */
    struct list bodies; /* looked over once a second */
    struct addr_count **buckets;
    size_t nbuckets; /* a power of two */
    int open;
    struct mq_connwatch_stats stats;
};

static int64_t now_ms(void)
{
    return (int64_t)(mq_monotonic_ns() / 1000000u);
}

static void list_unlink(struct list *l, struct mq_connwatch_entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        l->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        l->tail = e->prev;
    e->prev = e->next = NULL;
}

static void list_append(struct list *l, struct mq_connwatch_entry *e)
{
    e->prev = l->tail;
    e->next = NULL;
    if (l->tail)
        l->tail->next = e;
    else
        l->head = e;
    l->tail = e;
}

static void set_phase(struct mq_connwatch *cw, struct mq_connwatch_entry *e, enum phase p)
{
    if (e->phase == PHASE_HEAD) list_unlink(&cw->heads, e);
    if (e->phase == PHASE_BODY) list_unlink(&cw->bodies, e);
    e->phase = p;
    if (p == PHASE_HEAD) list_append(&cw->heads, e);
    if (p == PHASE_BODY) list_append(&cw->bodies, e);
}

static void cut(struct mq_connwatch *cw, struct mq_connwatch_entry *e, uint64_t *counter)
{
    set_phase(cw, e, PHASE_HANDLING);
    shutdown(e->fd, SHUT_RDWR);
    (*counter)++;
}

static void look_over_bodies(struct mq_connwatch *cw, int64_t now)
{
    const struct mq_connwatch_limits *l = &cw->limits;
    struct mq_connwatch_entry *e = cw->bodies.head, *next;
    for (; e; e = next) {
        next = e->next;
        int64_t took = now - e->body_start_ms;
        if (now >= e->body_due_ms)
            cut(cw, e, &cw->stats.request_timeouts);
        else if (l->min_body_rate > 0 && took >= (int64_t)l->body_grace_s * 1000 &&
                 atomic_load(&e->received) * 1000 < (long long)l->min_body_rate * took)
            cut(cw, e, &cw->stats.too_slow);
    }
}

static void *watch_main(void *arg)
{
    struct mq_connwatch *cw = arg;
    pthread_mutex_lock(&cw->lock);
    while (!cw->stopping) {
        int64_t now = now_ms();
        while (cw->heads.head && cw->heads.head->head_due_ms <= now)
            cut(cw, cw->heads.head, &cw->stats.header_timeouts);
        look_over_bodies(cw, now);
        /* Sleep until the oldest head is due, and never more than a second:
         * bodies are looked over that often. Nothing wakes the thread early
         * (a signal for every request would cost a context switch each): a
         * head added meanwhile is due no earlier than the oldest. */
        int64_t until = now + 1000;
        if (cw->heads.head && cw->heads.head->head_due_ms < until)
            until = cw->heads.head->head_due_ms;
        struct timespec ts = mq_deadline_in(CLOCK_MONOTONIC, until - now);
        pthread_cond_timedwait(&cw->wake, &cw->lock, &ts);
    }
    pthread_mutex_unlock(&cw->lock);
    return NULL;
}

mq_err mq_connwatch_start(const struct mq_connwatch_limits *limits, struct mq_connwatch **out)
{
    struct mq_connwatch *cw = calloc(1, sizeof(*cw));
    if (!cw) return MQ_ENOMEM;
    cw->limits = *limits;
    cw->nbuckets = 64;
    while (cw->nbuckets < (size_t)limits->max_connections * 2) cw->nbuckets <<= 1;
    cw->buckets = calloc(cw->nbuckets, sizeof(*cw->buckets));
    if (!cw->buckets) {
        free(cw);
        return MQ_ENOMEM;
    }
    mq_cond_init_monotonic(&cw->wake);
    pthread_mutex_init(&cw->lock, NULL);
    if (pthread_create(&cw->thread, NULL, watch_main, cw)) {
        pthread_cond_destroy(&cw->wake);
        pthread_mutex_destroy(&cw->lock);
        free(cw->buckets);
        free(cw);
        return MQ_EINTERNAL;
    }
    *out = cw;
    return MQ_OK;
}

void mq_connwatch_stop(struct mq_connwatch *cw)
{
    if (!cw) return;
    pthread_mutex_lock(&cw->lock);
    cw->stopping = true;
    pthread_cond_signal(&cw->wake);
    pthread_mutex_unlock(&cw->lock);
    pthread_join(cw->thread, NULL);
    pthread_cond_destroy(&cw->wake);
    pthread_mutex_destroy(&cw->lock);
    for (size_t i = 0; i < cw->nbuckets; i++) {
        struct addr_count *a = cw->buckets[i], *next;
        for (; a; a = next) {
            next = a->next;
            free(a);
        }
    }
    free(cw->buckets);
    free(cw);
}

/* FNV-1a over the address bytes. */
static size_t bucket_of(const struct mq_connwatch *cw, const struct mq_ip *net)
{
    uint64_t h = 1469598103934665603u ^ (uint64_t)net->family;
    for (size_t i = 0; i < sizeof(net->addr); i++) h = (h ^ net->addr[i]) * 1099511628211u;
    return (size_t)h & (cw->nbuckets - 1);
}

static struct addr_count **find(struct mq_connwatch *cw, const struct mq_ip *net)
{
    struct addr_count **p = &cw->buckets[bucket_of(cw, net)];
    while (*p && ((*p)->net.family != net->family || memcmp((*p)->net.addr, net->addr, 16)))
        p = &(*p)->next;
    return p;
}

/* The counted network of a peer; false when exempt or unreadable. */
static bool counted(const struct mq_connwatch *cw, const struct sockaddr *peer, struct mq_ip *net)
{
    struct mq_ip ip;
    if (!mq_peer_ip(peer, &ip)) return false;
    if (cw->limits.trusted && mq_netlist_contains(cw->limits.trusted, &ip)) return false;
    mq_client_net(&ip, cw->limits.ipv6_prefix, net);
    return true;
}

/* Under the lock: whether an address holding `holds` connections may have
 * one more, counting the refusal when not. */
static bool within_share(struct mq_connwatch *cw, int holds)
{
    if (cw->limits.per_address > 0 && holds >= cw->limits.per_address) {
        cw->stats.refused_address++;
        return false;
    }
    if (holds > 0 && cw->limits.max_connections - cw->open <= cw->limits.reserve) {
        cw->stats.refused_reserve++;
        return false;
    }
    return true;
}

bool mq_connwatch_admit(struct mq_connwatch *cw, const struct sockaddr *peer)
{
    struct mq_ip net;
    if (!counted(cw, peer, &net)) return true;
    pthread_mutex_lock(&cw->lock);
    struct addr_count *a = *find(cw, &net);
    bool ok = within_share(cw, a ? a->open : 0);
    pthread_mutex_unlock(&cw->lock);
    return ok;
}

struct mq_connwatch_entry *mq_connwatch_add(struct mq_connwatch *cw, int fd,
                                            const struct sockaddr *peer)
{
    struct mq_connwatch_entry *e = calloc(1, sizeof(*e));
    if (!e) return NULL;
    e->fd = fd;
    struct mq_ip net;
    bool count = counted(cw, peer, &net), over = false;
    pthread_mutex_lock(&cw->lock);
    if (count) {
        struct addr_count **p = find(cw, &net);
        /* Checked again here, where the count changes: accepting threads
         * run the policy check side by side, so a burst could pass it
         * together. The one over its share is cut at once. */
        over = !within_share(cw, *p ? (*p)->open : 0);
        if (!*p && (*p = calloc(1, sizeof(**p)))) (*p)->net = net;
        if (*p) (*p)->open++;
        e->addr = *p;
    }
    cw->open++;
    e->ready_ms = now_ms();
    e->head_due_ms = e->ready_ms + (int64_t)cw->limits.header_timeout_s * 1000;
    set_phase(cw, e, over ? PHASE_HANDLING : PHASE_HEAD);
    if (over) shutdown(fd, SHUT_RDWR);
    pthread_mutex_unlock(&cw->lock);
    return e;
}

void mq_connwatch_body(struct mq_connwatch *cw, struct mq_connwatch_entry *e, bool upload)
{
    if (!e) return;
    pthread_mutex_lock(&cw->lock);
    if (e->phase == PHASE_HEAD) {
        int budget = upload ? cw->limits.upload_timeout_s : cw->limits.request_timeout_s;
        e->body_start_ms = now_ms();
        e->body_due_ms = e->ready_ms + (int64_t)budget * 1000;
        atomic_store(&e->received, 0);
        set_phase(cw, e, PHASE_BODY);
    }
    pthread_mutex_unlock(&cw->lock);
}

void mq_connwatch_received(struct mq_connwatch_entry *e, size_t n)
{
    if (e) atomic_fetch_add(&e->received, (long long)n);
}

void mq_connwatch_handling(struct mq_connwatch *cw, struct mq_connwatch_entry *e)
{
    if (!e) return;
    pthread_mutex_lock(&cw->lock);
    set_phase(cw, e, PHASE_HANDLING);
    pthread_mutex_unlock(&cw->lock);
}

void mq_connwatch_ready(struct mq_connwatch *cw, struct mq_connwatch_entry *e)
{
    if (!e) return;
    pthread_mutex_lock(&cw->lock);
    set_phase(cw, e, PHASE_HANDLING);
    e->ready_ms = now_ms();
    e->head_due_ms = e->ready_ms + (int64_t)cw->limits.header_timeout_s * 1000;
    set_phase(cw, e, PHASE_HEAD);
    pthread_mutex_unlock(&cw->lock);
}

void mq_connwatch_remove(struct mq_connwatch *cw, struct mq_connwatch_entry *e)
{
    if (!e) return;
    pthread_mutex_lock(&cw->lock);
    set_phase(cw, e, PHASE_HANDLING);
    cw->open--;
    if (e->addr && --e->addr->open == 0) {
        struct addr_count **p = find(cw, &e->addr->net);
        *p = e->addr->next;
        free(e->addr);
    }
    pthread_mutex_unlock(&cw->lock);
    free(e);
}

void mq_connwatch_stats(struct mq_connwatch *cw, struct mq_connwatch_stats *out)
{
    pthread_mutex_lock(&cw->lock);
    *out = cw->stats;
    pthread_mutex_unlock(&cw->lock);
}
