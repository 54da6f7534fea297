/* events.h - domain events: "something changed", told to whoever cares.
 *
 * A service publishes an event in the transaction that makes the change
 * (mq_db_publish, store/store.h); the store hands it to the bus once that
 * transaction has committed, and never when it rolls back, so a subscriber
 * never hears of a change it cannot yet read, or of one that did not
 * happen. Subscribers (the job runner now; the search index, notifications
 * and the WebSocket hub later) register for the kinds they need. No
 * service tells another of a change by calling into it.
 *
 * An event is a kind and three strings, so it can cross a process
 * boundary as it is: the bus delivers in-process now; a bridge subscribed
 * to "*" can forward events to other instances (PostgreSQL NOTIFY or Redis)
 * and emit theirs here, without any publisher or subscriber changing.
 *
 * Kinds are "noun.verb" in the past tense: job.enqueued, job.changed,
 * session.revoked, user.disabled, user.enabled, user.deleted, user.erased,
 * authz.changed, settings.changed. docs/internals/core.md lists what each
 * carries. */
#ifndef MQ_CORE_EVENTS_H
#define MQ_CORE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

#define MQ_EVENT_KIND_MAX   48  /* bytes of a kind */
#define MQ_EVENT_FIELD_MAX  64  /* bytes of the subject and user id */
#define MQ_EVENT_DETAIL_MAX 512 /* bytes of the detail */

struct mq_event {
    const char *kind;    /* "session.revoked" */
    const char *subject; /* what it is about (a session, a queue, a user); may be NULL */
    const char *user_id; /* whose it is, for per-user delivery; may be NULL */
    const char *detail;  /* a JSON object as text, or NULL */
};

/* Called on the thread that committed, after the commit: it must be quick
 * (wake a thread, note something), must not begin a transaction on the
 * store, and must not subscribe, unsubscribe or emit. The event and its
 * strings are the caller's; copy what is kept. */
typedef void (*mq_event_fn)(const struct mq_event *e, void *arg);

struct mq_events;

MQ_MUST_CHECK mq_err mq_events_new(struct mq_events **out);
void mq_events_free(struct mq_events *bus);

/* Calls fn for every event whose kind is `pattern`, starts with what comes
 * before a trailing ".*" ("job.*"), or is anything ("*"). At most
 * MQ_EVENTS_MAX_SUBSCRIBERS, usually made at start-up. MQ_ETOOBIG past it. */
#define MQ_EVENTS_MAX_SUBSCRIBERS 32
MQ_MUST_CHECK mq_err mq_events_subscribe(struct mq_events *bus, const char *pattern, mq_event_fn fn,
                                         void *arg);

/* Removes every subscription of fn with arg; once it returns, fn is not
 * running for them and will not be called again. Accepts a NULL bus. */
void mq_events_unsubscribe(struct mq_events *bus, mq_event_fn fn, void *arg);

/* Delivers an event to its subscribers now. The store calls it after a
 * commit; others call it only for what no transaction is about. */
void mq_events_emit(struct mq_events *bus, const struct mq_event *e);

/* Whether an event is well formed: a kind of [a-z0-9_.] within
 * MQ_EVENT_KIND_MAX, fields within their bounds. */
bool mq_event_valid(const struct mq_event *e);

/* Appends Prometheus lines: events delivered, by kind. */
MQ_MUST_CHECK mq_err mq_events_render_metrics(struct mq_events *bus, struct mq_buf *out);

#endif
