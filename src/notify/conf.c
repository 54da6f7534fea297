#include "notify/conf.h"

#include <string.h>

#define OFF(f) offsetof(struct mq_notify_conf, f)

static bool hhmm_valid(const char *s, size_t n, const char **why)
{
    if (n != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' ||
        s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9' || (s[0] == '2' && s[1] > '3')) {
        *why = "a time of day as HH:MM, 00:00 to 23:59";
        return false;
    }
    return true;
}

static bool base_url_valid(const char *s, size_t n, const char **why)
{
    /* A host after the scheme: "http:///" would be kept as "http://". */
    size_t k = n > 8 && !strncmp(s, "https://", 8) ? 8 : n > 7 && !strncmp(s, "http://", 7) ? 7 : 0;
    if (k && s[k] != '/') return true;
    *why = "an http or https URL";
    return false;
}

static const struct mq_setting settings[] = {
    {"notify_allowed_networks", MQ_SETTING_NETS, OFF(allowed_networks), NULL, NULL, 0, 0,
     MQ_CONFIG_LIVE, NULL, NULL,
     "IPs or CIDRs of loopback, private or link-local addresses that notification channels may "
     "reach (a self-hosted ntfy or Gotify on the home network); every other such address is "
     "refused, at connection time, whatever the name resolves to"},
    {"notify_timeout", MQ_SETTING_DURATION, OFF(timeout), "10s", NULL, 1000, 120000, MQ_CONFIG_LIVE,
     NULL, NULL, "how long one request to a notification channel may take"},
    {"notify_max_attempts", MQ_SETTING_INT, OFF(max_attempts), "5", NULL, 1, 30, MQ_CONFIG_LIVE,
     NULL, NULL,
     "attempts at one delivery, with the job queue's backoff between them, before it is given "
     "up"},
    {"notify_pause_after", MQ_SETTING_INT, OFF(pause_after), "5", NULL, 1, 100, MQ_CONFIG_LIVE,
     NULL, NULL,
     "failed attempts in a row that pause a channel; its owner is told in the app and resumes "
     "it by enabling it again"},
    {"notify_channels_max", MQ_SETTING_INT, OFF(channels_max), "10", NULL, 1, 100, MQ_CONFIG_LIVE,
     NULL, NULL, "notification channels a member may have"},
    {"notify_digest_time", MQ_SETTING_STRING, OFF(digest_time), "08:00", NULL, 0, 5, MQ_CONFIG_LIVE,
     NULL, hhmm_valid,
     "when daily and weekly digests go, in each member's own time zone (weekly ones on Monday)"},
    {"notify_retention", MQ_SETTING_DURATION, OFF(retention), "90d", NULL, 86400000L,
     3650L * 86400000L, MQ_CONFIG_LIVE, NULL, NULL,
     "how long notifications and the delivery log are kept (a deleted notification still stops "
     "the same thing being told twice until then)"},
    {"notify_telegram_api", MQ_SETTING_URL, OFF(telegram_api), "https://api.telegram.org", NULL, 0,
     0, MQ_CONFIG_LIVE | MQ_CONFIG_TRIM_SLASH, NULL, base_url_valid,
     "the Telegram Bot API's base URL (a self-hosted telegram-bot-api server, say)"},
};

const struct mq_config_module mq_config_notify = {.name = "notify",
                                                  .rank = 85,
                                                  .size = sizeof(struct mq_notify_conf),
                                                  .settings = settings,
                                                  .nsettings = MQ_CONFIG_COUNT(settings)};
