#include "mail/conf.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"

#define OFF(f) offsetof(struct mq_mail_conf, f)

static bool smtp_url_valid(const char *s, size_t n, const char **why)
{
    if (strncmp(s, "smtp://", 7) && strncmp(s, "smtps://", 8)) {
        *why = "must be an smtp:// or smtps:// URL (leave unset to log mail instead)";
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ') {
            *why = "must not contain spaces or control characters";
            return false;
        }
    return true;
}

static const struct mq_setting settings[] = {
    {"smtp_url", MQ_SETTING_URL, OFF(smtp_url), NULL, NULL, 0, 2048,
     MQ_CONFIG_SECRET | MQ_CONFIG_LIVE, NULL, smtp_url_valid,
     "smtp://[user:pass@]host:port (STARTTLS when offered; required when the URL carries "
     "credentials for a host other than this one) or smtps://... (TLS from the start); "
     "certificates are verified; unset = mail is written to the log, with a warning at "
     "start-up; masked by marquee config"},
    {"mail_from", MQ_SETTING_STRING, OFF(mail_from), NULL, NULL, 0, 0, MQ_CONFIG_LIVE, NULL, NULL,
     "sender address of Marquee's e-mail, such as marquee@example.org; required with "
     "smtp_url"},
    {"smtp_timeout", MQ_SETTING_DURATION, OFF(smtp_timeout), "30s", NULL, 1000, 600000L,
     MQ_CONFIG_LIVE, NULL, NULL, "how long one delivery may take before it is retried"},
};

static mq_err check(const struct mq_config *cfg, char *errbuf, size_t errlen)
{
    const struct mq_mail_conf *c = mq_mail_conf(cfg);
    if (c->smtp_url && *c->smtp_url && !mq_mail_address_valid(c->mail_from)) {
        snprintf(errbuf, errlen,
                 "invalid mail_from: with smtp_url set, give the sender address, such as "
                 "marquee@example.org");
        return MQ_EINVAL;
    }
    if (c->mail_from && *c->mail_from && !mq_mail_address_valid(c->mail_from)) {
        snprintf(errbuf, errlen, "invalid mail_from: not an e-mail address");
        return MQ_EINVAL;
    }
    return MQ_OK;
}

const struct mq_config_module mq_config_mail = {.name = "mail",
                                                .rank = 80,
                                                .size = sizeof(struct mq_mail_conf),
                                                .settings = settings,
                                                .nsettings = MQ_CONFIG_COUNT(settings),
                                                .check = check};
