#include "notify/events.h"

#include <string.h>

#define MEMBER(n, t)                                                                               \
    {                                                                                              \
        n, "notify-" t, MQ_NOTIFY_MEMBER, false, false                                             \
    }
#define NOISY(n, t)                                                                                \
    {                                                                                              \
        n, "notify-" t, MQ_NOTIFY_MEMBER, true, false                                              \
    }
#define SECURITY(n, t)                                                                             \
    {                                                                                              \
        n, "notify-" t, MQ_NOTIFY_MEMBER, false, true                                              \
    }
#define SERVER(n, t)                                                                               \
    {                                                                                              \
        n, "notify-" t, MQ_NOTIFY_SERVER, false, false                                             \
    }
#define SYSTEM(n, t)                                                                               \
    {                                                                                              \
        n, "notify-" t, MQ_NOTIFY_SYSTEM, false, false                                             \
    }

const struct mq_notify_event mq_notify_events[] = {
    MEMBER("sequel.available", "sequel-available"),
    MEMBER("season.available", "season-available"),
    MEMBER("season.complete", "season-complete"),
    MEMBER("episode.available", "episode-available"),
    MEMBER("collection.next_available", "collection-next-available"),
    MEMBER("book.next_available", "book-next-available"),
    MEMBER("person.new_work", "person-new-work"),
    NOISY("media.added", "media-added"),
    NOISY("library.scan_done", "library-scan-done"),
    MEMBER("import.done", "import-done"),
    SECURITY("auth.new_login", "auth-new-login"),
    SECURITY("auth.password_changed", "auth-password-changed"),
    SECURITY("auth.mfa_changed", "auth-mfa-changed"),
    SECURITY("auth.lockout", "auth-lockout"),
    SERVER("user.created", "user-created"),
    SERVER("job.failed", "job-failed"),
    SERVER("watcher.degraded", "watcher-degraded"),
    SYSTEM("channel.paused", "channel-paused"),
    SYSTEM("notify.test", "test"),
};
const size_t mq_notify_events_count = sizeof(mq_notify_events) / sizeof(*mq_notify_events);

const struct mq_notify_event *mq_notify_event_find(const char *name)
{
    for (size_t i = 0; name && i < mq_notify_events_count; i++)
        if (!strcmp(mq_notify_events[i].name, name)) return &mq_notify_events[i];
    return NULL;
}
