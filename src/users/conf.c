#include "users/conf.h"

#define OFF(f) offsetof(struct mq_users_conf, f)

/* In the order of enum mq_registration_mode. */
static const char *const registration_modes[] = {"closed", "open", "invite", NULL};

static const struct mq_setting settings[] = {
    {"password_min_length", MQ_SETTING_INT, OFF(password_min_length), "12", NULL, 8, 128,
     MQ_CONFIG_LIVE | MQ_CONFIG_PUBLIC, NULL, NULL, "shortest password accepted"},
    {"password_require_classes", MQ_SETTING_BOOL, OFF(password_require_classes), "false", NULL, 0,
     0, MQ_CONFIG_LIVE | MQ_CONFIG_PUBLIC, NULL, NULL,
     "require lower case, upper case, a digit and a symbol in passwords"},
    {"rate_limit_register", MQ_SETTING_RATE, OFF(rate_register), "5/h", NULL, 0, 0, MQ_CONFIG_LIVE,
     NULL, NULL, "registrations per client address"},
    {"rate_limit_forgot", MQ_SETTING_RATE, OFF(rate_forgot), "3/h", NULL, 0, 0, MQ_CONFIG_LIVE,
     NULL, NULL,
     "password-reset, verification and \"you already have an account\" e-mails per address (by "
     "its lookup form, so case does not help)"},
    {"registration", MQ_SETTING_CHOICE, OFF(registration), "closed", NULL, 0, 0,
     MQ_CONFIG_LIVE | MQ_CONFIG_PUBLIC, registration_modes, NULL,
     "who may create an account with POST /api/v1/auth/register: closed (no one; admins create "
     "accounts), open (anyone) or invite (holders of an invitation, single use, giving its "
     "role); closed by default, as a household server should not take strangers"},
    {"avatar_max_megapixels", MQ_SETTING_INT, OFF(avatar_max_megapixels), "40", NULL, 1, 1000,
     MQ_CONFIG_LIVE, NULL, NULL,
     "largest picture a member may upload, in millions of 8-bit RGBA pixels once decoded (a "
     "16-bit image counts twice); bigger ones are refused before decoding"},
    {"avatar_max_size", MQ_SETTING_SIZE, OFF(avatar_max_size), "5MiB", NULL, 1024, 64L << 20, 0,
     NULL, NULL, "largest avatar image accepted (the avatar route's own body limit, 413 above)"},
};

const struct mq_config_module mq_config_users = {.name = "users",
                                                 .rank = 60,
                                                 .size = sizeof(struct mq_users_conf),
                                                 .settings = settings,
                                                 .nsettings = MQ_CONFIG_COUNT(settings)};
