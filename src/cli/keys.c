/* keys.c - `marquee keys rotate` and `marquee keys rotate-signing`. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth/keyring.h"
#include "auth/masterkey.h"
#include "cli/cli.h"
#include "core/ctx.h"
#include "crypto/jwt.h"
#include "crypto/secrets.h"
#include "system/conf.h"

static const char keys_usage[] =
    "usage: marquee keys rotate [OPTIONS]\n"
    "       marquee keys rotate-signing [OPTIONS]\n\n"
    "rotate          makes a new master key (master_key_file), re-seals every secret in the\n"
    "                database with it and drops the old keys nothing uses any more.\n"
    "rotate-signing  gives this instance a new token-signing key; the old public key\n"
    "                stays in the JWKS until the tokens it signed have expired. A running\n"
    "                server signs with the new key within a second.\n\n"
    "Configuration options as for serve.\n";

int mq_cli_keys(int argc, char **argv)
{
    struct mq_config cfg;
    struct mq_log log;
    struct mq_store *store = NULL;
    struct mq_secrets *secrets = NULL;
    int status = 1;
    bool master = argc >= 1 && !strcmp(argv[0], "rotate");
    bool signing = argc >= 1 && !strcmp(argv[0], "rotate-signing");

    if (argc >= 1 && mq_cli_wants_help(argc, argv)) {
        printf("%s", keys_usage);
        return 0;
    }
    if (!master && !signing) {
        fprintf(stderr, "%s", keys_usage);
        return MQ_EXIT_USAGE;
    }
    mq_cli_load_config(&cfg, argc - 1, argv + 1, NULL, NULL);
    mq_log_init(&log, mq_system_log_level(&cfg), STDERR_FILENO, &mq_clock_system);
    mq_cli_warn_unknown_env(&cfg, &log);
    if (mq_cli_open_current_store(&cfg, &log, &store)) goto out;
    struct mq_ctx ctx = {
        .cfg = &cfg, .log = &log, .store = store, .clock = &mq_clock_system, .rng = &mq_rng_system};
    mq_err err;
    if (master) {
        struct mq_masterkey_rotation r;
        char path[4096];
        mq_masterkey_path(&cfg, path, sizeof(path));
        err = mq_secrets_open(path, &log, ctx.rng, &secrets);
        ctx.secrets = secrets;
        if (!err) err = mq_masterkey_rotate(&ctx, &r);
        if (err) {
            fprintf(stderr, "marquee: rotation failed: %s (run it again to finish)\n",
                    mq_err_name(err));
            goto out;
        }
        mq_cli_record(&ctx, "keys.rotated", "master_key", r.kid,
                      json_pack("{s:I,s:i,s:I}", "resealed", (json_int_t)r.resealed, "retired",
                                r.retired, "unreadable", (json_int_t)r.unreadable));
        printf("master key %s is current: %ld secrets re-sealed, %d old keys dropped\n", r.kid,
               r.resealed, r.retired);
        if (r.unreadable) {
            printf("warning: %ld secrets open with no key in the file; they stay as they are\n",
                   r.unreadable);
            goto out;
        }
    } else {
        char old_kid[MQ_KID_LEN + 1], new_kid[MQ_KID_LEN + 1];
        err = mq_keyring_rotate(&ctx, old_kid, new_kid);
        if (err) {
            fprintf(stderr, "marquee: rotation failed: %s\n", mq_err_name(err));
            goto out;
        }
        mq_cli_record(&ctx, "keys.signing_rotated", "signing_key", new_kid,
                      json_pack("{s:s}", "retired", old_kid));
        printf("signing key %s replaces %s, which retires once its tokens have expired\n", new_kid,
               old_kid);
    }
    status = 0;
out:
    mq_secrets_free(secrets);
    mq_store_close(store);
    mq_config_cleanup(&cfg);
    return status;
}
