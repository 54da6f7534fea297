#include "system/conf.h"

#include <stdio.h>

#include "core/log.h"

#define OFF(f) offsetof(struct mq_system_conf, f)

static bool level_valid(const char *s, size_t n, const char **why)
{
    enum mq_log_level level;
    char name[16];
    *why = "must be one of debug, info, warn, error";
    if (n >= sizeof(name)) return false;
    snprintf(name, sizeof(name), "%.*s", (int)n, s);
    return mq_log_level_parse(name, &level) == MQ_OK;
}

static bool url_valid(const char *s, size_t n, const char **why)
{
    return mq_config_http_url_valid(s, n, why);
}

static const struct mq_setting settings[] = {
    {"data_dir", MQ_SETTING_STRING, OFF(data_dir), "./data", NULL, 0, 4096, MQ_CONFIG_REQUIRED,
     NULL, NULL,
     "SQLite database (marquee.db) and other state: keys, avatars; created with mode 0700"},
    {"server_name", MQ_SETTING_NAME, OFF(server_name), "Marquee", NULL, 0, 64,
     MQ_CONFIG_LIVE | MQ_CONFIG_PUBLIC, NULL, NULL,
     "what people see the server called: sign-in page, e-mail sender name, authenticator apps, "
     "passkey prompts (1 to 64 bytes of UTF-8, no control characters)"},
    {"public_url", MQ_SETTING_URL, OFF(public_url), NULL, "http(s):// + listen", 0, 2048,
     MQ_CONFIG_LIVE | MQ_CONFIG_TRIM_SLASH, NULL, url_valid,
     "the URL users reach, used in links and as the tokens' iss; no trailing slash. Changing it "
     "while running makes clients refresh their tokens once, and, when webauthn_rp_id is unset, "
     "orphans every passkey"},
    {"log_level", MQ_SETTING_STRING, OFF(log_level), "info", NULL, 0, 16, MQ_CONFIG_REQUIRED, NULL,
     level_valid, "debug, info, warn or error"},
    {"cpu_workers", MQ_SETTING_INT, OFF(cpu_workers), "0", NULL, 0, 64, 0, NULL, NULL,
     "threads for password hashing and other slow CPU work (0 = one per CPU); 256 requests "
     "wait at most, then 503 busy"},
    {"image_workers", MQ_SETTING_INT, OFF(image_workers), "0", NULL, 0, 64, 0, NULL, NULL,
     "threads that decode uploaded images, apart from cpu_workers so that uploads never slow "
     "sign-ins (0 = half the CPUs, at least one); 32 uploads may wait, more are refused"},
    {"shutdown_timeout", MQ_SETTING_INT, OFF(shutdown_timeout), "30", NULL, 0, 3600, 0, NULL, NULL,
     "seconds in-flight requests and running jobs may take to finish after SIGTERM"},
};

static mq_err check(const struct mq_config *cfg, char *errbuf, size_t errlen)
{
    const struct mq_system_conf *c = mq_system_conf(cfg);
    if (!c->public_url || !*c->public_url) {
        snprintf(errbuf, errlen, "invalid public_url: must not be empty");
        return MQ_EINVAL;
    }
    return MQ_OK;
}

const struct mq_config_module mq_config_system = {.name = "system",
                                                  .rank = 10,
                                                  .size = sizeof(struct mq_system_conf),
                                                  .settings = settings,
                                                  .nsettings = MQ_CONFIG_COUNT(settings),
                                                  .check = check};
