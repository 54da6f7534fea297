/* events.h - what Marquee notifies about: each event's name, whose it is
 * (a member's, or the server's for the admins' channels) and how a
 * member's channels take it unless they choose otherwise. Each event has
 * its template, share/mail/notify-EVENT.{txt,html} with the dots as
 * dashes (mail/template.h). */
#ifndef MQ_NOTIFY_EVENTS_H
#define MQ_NOTIFY_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

enum mq_notify_audience {
    MQ_NOTIFY_MEMBER, /* a member's: in-app and their channels */
    MQ_NOTIFY_SERVER, /* the server's: the admins' server channels */
    MQ_NOTIFY_SYSTEM, /* Marquee's own word to a member (a channel paused, a test):
                         never subject to preferences */
};

struct mq_notify_event {
    const char *name;     /* "season.available" */
    const char *template; /* "notify-season-available" */
    enum mq_notify_audience audience;
    bool quiet_by_default; /* off on channels and in-app until the member turns it on */
    bool security;         /* about the account's safety: never held for quiet hours or a
                              digest, and not mailed twice (the account mails it already) */
};

extern const struct mq_notify_event mq_notify_events[];
extern const size_t mq_notify_events_count;

/* NULL when there is no such event. */
const struct mq_notify_event *mq_notify_event_find(const char *name);

#endif
