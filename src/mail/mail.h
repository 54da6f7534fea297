/* mail.h - Marquee's outgoing e-mail: an outbox on the job queue.
 *
 * A message is a "mail.send" job naming a template and its values, queued
 * in the same transaction as the change it tells about: it exists exactly
 * when the change commits, and waits in the queue (retried with backoff for
 * about a day) while the SMTP server is away. Once sent, the job keeps only
 * the recipient and template, so mailed links do not linger in the database.
 *
 * Without smtp_url, messages are written to the log instead (a warning at
 * start-up says so): enough to follow a link on a test machine. */
#ifndef MQ_MAIL_H
#define MQ_MAIL_H

#include <jansson.h>

#include "core/ctx.h"
#include "jobs/runner.h"
#include "store/store.h"

struct mq_mail {
    const char *to;       /* a valid address */
    const char *template; /* a name under share/mail */
    json_t *vars;         /* borrowed: string values; public_url is added */
    /* The one-click unsubscribe URL (RFC 8058) of a notification, or NULL. */
    const char *list_unsubscribe;
};

/* Queues `m` in the caller's write transaction. MQ_EINVAL for an unknown
 * template or a bad address. */
MQ_MUST_CHECK mq_err mq_mail_enqueue(struct mq_ctx *ctx, struct mq_db *db, const struct mq_mail *m);

/* Registers the "mail.send" handler. */
MQ_MUST_CHECK mq_err mq_mail_register(struct mq_jobs *jobs);

/* Logs, at start-up, where mail goes (a warning when nowhere). */
void mq_mail_announce(const struct mq_ctx *ctx);

#endif
