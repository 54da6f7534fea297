#include "core/events.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KINDS 64 /* kinds counted for /metrics; more share one "other" line */

struct subscriber {
    char pattern[MQ_EVENT_KIND_MAX + 1];
    size_t prefix; /* bytes to compare: all of it, or before ".*"; 0 for "*" */
    mq_event_fn fn;
    void *arg;
};

struct counter {
    char kind[MQ_EVENT_KIND_MAX + 1];
    atomic_uint_fast64_t n;
};

struct mq_events {
    pthread_rwlock_t lock; /* writers: subscribe, a new kind counted */
    struct subscriber subs[MQ_EVENTS_MAX_SUBSCRIBERS];
    int nsubs;
    struct counter counts[MAX_KINDS];
    int nkinds;
    atomic_uint_fast64_t other;
};

mq_err mq_events_new(struct mq_events **out)
{
    struct mq_events *bus = calloc(1, sizeof(*bus));
    if (!bus) return MQ_ENOMEM;
    pthread_rwlock_init(&bus->lock, NULL);
    *out = bus;
    return MQ_OK;
}

void mq_events_free(struct mq_events *bus)
{
    if (!bus) return;
    pthread_rwlock_destroy(&bus->lock);
    free(bus);
}

static bool kind_valid(const char *kind)
{
    size_t n = 0;
    if (!kind) return false;
    for (; kind[n]; n++) {
        char c = kind[n];
        if (n >= MQ_EVENT_KIND_MAX ||
            !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
            return false;
    }
    return n > 0;
}

bool mq_event_valid(const struct mq_event *e)
{
    return kind_valid(e->kind) && (!e->subject || strlen(e->subject) <= MQ_EVENT_FIELD_MAX) &&
           (!e->user_id || strlen(e->user_id) <= MQ_EVENT_FIELD_MAX) &&
           (!e->detail || strlen(e->detail) <= MQ_EVENT_DETAIL_MAX);
}

mq_err mq_events_subscribe(struct mq_events *bus, const char *pattern, mq_event_fn fn, void *arg)
{
    size_t n = strlen(pattern);
    bool all = !strcmp(pattern, "*");
    bool wild = n > 2 && !strcmp(pattern + n - 2, ".*");
    char kind[MQ_EVENT_KIND_MAX + 1];
    if (n > MQ_EVENT_KIND_MAX) return MQ_EINVAL;
    memcpy(kind, pattern, n + 1);
    if (wild) kind[n - 2] = '\0';
    if (!all && !kind_valid(kind)) return MQ_EINVAL;
    mq_err err = MQ_OK;
    pthread_rwlock_wrlock(&bus->lock);
    if (bus->nsubs == MQ_EVENTS_MAX_SUBSCRIBERS) {
        err = MQ_ETOOBIG;
    } else {
        struct subscriber *s = &bus->subs[bus->nsubs++];
        memcpy(s->pattern, pattern, n + 1);
        s->prefix = all ? 0 : wild ? n - 1 : n + 1; /* "job." / the whole kind and its NUL */
        s->fn = fn;
        s->arg = arg;
    }
    pthread_rwlock_unlock(&bus->lock);
    return err;
}

static bool matches(const struct subscriber *s, const char *kind)
{
    return !strncmp(s->pattern, kind, s->prefix);
}

/* Counts a delivery; a kind seen for the first time takes the write lock
 * once, which is rare: kinds are a fixed set. */
static void count(struct mq_events *bus, const char *kind)
{
    pthread_rwlock_rdlock(&bus->lock);
    for (int i = 0; i < bus->nkinds; i++)
        if (!strcmp(bus->counts[i].kind, kind)) {
            atomic_fetch_add(&bus->counts[i].n, 1);
            pthread_rwlock_unlock(&bus->lock);
            return;
        }
    pthread_rwlock_unlock(&bus->lock);
    pthread_rwlock_wrlock(&bus->lock);
    int i = 0;
    while (i < bus->nkinds && strcmp(bus->counts[i].kind, kind)) i++;
    if (i == bus->nkinds && i < MAX_KINDS) {
        memcpy(bus->counts[i].kind, kind, strlen(kind) + 1);
        bus->nkinds++;
    }
    if (i < bus->nkinds)
        atomic_fetch_add(&bus->counts[i].n, 1);
    else
        atomic_fetch_add(&bus->other, 1);
    pthread_rwlock_unlock(&bus->lock);
}

void mq_events_emit(struct mq_events *bus, const struct mq_event *e)
{
    if (!bus || !mq_event_valid(e)) return;
    count(bus, e->kind);
    /* Delivered under the read lock, so that mq_events_unsubscribe, which
     * takes the write lock, returns only once no delivery to the
     * subscriber it removes is under way. */
    pthread_rwlock_rdlock(&bus->lock);
    for (int i = 0; i < bus->nsubs; i++)
        if (matches(&bus->subs[i], e->kind)) bus->subs[i].fn(e, bus->subs[i].arg);
    pthread_rwlock_unlock(&bus->lock);
}

void mq_events_unsubscribe(struct mq_events *bus, mq_event_fn fn, void *arg)
{
    if (!bus) return;
    pthread_rwlock_wrlock(&bus->lock);
    for (int i = 0; i < bus->nsubs;) {
        if (bus->subs[i].fn == fn && bus->subs[i].arg == arg)
            bus->subs[i] = bus->subs[--bus->nsubs];
        else
            i++;
    }
    pthread_rwlock_unlock(&bus->lock);
}

mq_err mq_events_render_metrics(struct mq_events *bus, struct mq_buf *out)
{
    mq_err err =
        mq_buf_printf(out, "# HELP marquee_events_total Domain events delivered, by kind.\n"
                           "# TYPE marquee_events_total counter\n");
    pthread_rwlock_rdlock(&bus->lock);
    for (int i = 0; !err && i < bus->nkinds; i++)
        err = mq_buf_printf(out, "marquee_events_total{kind=\"%s\"} %llu\n", bus->counts[i].kind,
                            (unsigned long long)atomic_load(&bus->counts[i].n));
    pthread_rwlock_unlock(&bus->lock);
    if (!err && atomic_load(&bus->other))
        err = mq_buf_printf(out, "marquee_events_total{kind=\"other\"} %llu\n",
                            (unsigned long long)atomic_load(&bus->other));
    return err;
}
