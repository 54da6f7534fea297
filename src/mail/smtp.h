/* smtp.h - delivering one message over SMTP with libcurl.
 *
 * smtp:// uses STARTTLS when the server offers it, and insists on it when
 * the URL carries credentials for a host that is not on this machine, so a
 * password never crosses a network in clear. smtps:// is TLS from the first
 * byte. Certificates are verified. The message is multipart/alternative:
 * the plain text first, the HTML last (the one mail clients prefer). */
#ifndef MQ_MAIL_SMTP_H
#define MQ_MAIL_SMTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct mq_smtp_message {
    const char *from, *to;        /* bare addresses, already checked */
    const char *from_name;        /* UTF-8 display name of the sender, or NULL */
    const char *subject;          /* UTF-8 without control characters */
    const char *text, *html;      /* UTF-8 */
    const char *message_id;       /* "<...@...>" */
    int64_t date_ms;              /* Unix ms, for the Date header */
    const char *list_unsubscribe; /* an https URL without '>' or spaces, or NULL */
};

/* Sends `m` through `url`. MQ_EINVAL when the server refused it for good
 * (a 5xx answer other than to authentication: retrying cannot help);
 * MQ_EUNAVAILABLE for anything worth another try. `why` says what. */
MQ_MUST_CHECK mq_err mq_smtp_send(const char *url, long timeout_ms, const struct mq_smtp_message *m,
                                  char *why, size_t whylen);

#endif
