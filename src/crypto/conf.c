#include "crypto/conf.h"

#define OFF(f) offsetof(struct mq_crypto_conf, f)

static const struct mq_setting settings[] = {
    {"argon2_memory", MQ_SETTING_SIZE, OFF(argon2_memory), "19MiB", NULL, 8L << 20, 1L << 30, 0,
     NULL, NULL, "memory argon2id uses per password hash (OWASP minimum: 19MiB)"},
    {"argon2_iterations", MQ_SETTING_INT, OFF(argon2_iterations), "2", NULL, 1, 10, 0, NULL, NULL,
     "argon2id passes (OWASP minimum with 19MiB: 2)"},
    {"master_key_file", MQ_SETTING_STRING, OFF(master_key_file), NULL, "data_dir/master.key", 0,
     4096, 0, NULL, NULL,
     "the keys that seal secrets in the database (TOTP seeds, the SMTP password); made with one "
     "key on first start, mode 0600. Instances sharing a database must share this file. Back it "
     "up apart from the database: without it sealed secrets are lost, with it a stolen dump "
     "opens"},
};

const struct mq_config_module mq_config_crypto = {.name = "crypto",
                                                  .rank = 40,
                                                  .size = sizeof(struct mq_crypto_conf),
                                                  .settings = settings,
                                                  .nsettings = MQ_CONFIG_COUNT(settings)};
