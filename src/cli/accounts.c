/* accounts.c - marquee user create. */
#include <jansson.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/roles.h"
#include "cli/cli.h"
#include "core/ctx.h"
#include "crypto/password.h"
#include "system/settings.h"
#include "users/users.h"
#include "system/conf.h"

static const char *user_usage =
    "usage: marquee user create --email ADDRESS --password-stdin [--name NAME]\n"
    "                           [--admin | --role ROLE[,ROLE...]]\n\n"
    "Creates an account (e-mail marked verified) holding the roles given (built in:\n"
    "admin, moderator, user, guest; or custom), by default user, reading the password\n"
    "from the first\n"
    "line of standard input: never from an argument, which other users can see in ps.\n"
    "Configuration options as for serve.\n";

/* Reads one line; without echo when standard input is a terminal. */
static bool read_password(char *out, size_t outlen)
{
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fprintf(stderr, "Password: ");
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    bool ok = fgets(out, (int)outlen, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!ok) return false;
    out[strcspn(out, "\r\n")] = '\0';
    return true;
}

int mq_cli_user(int argc, char **argv)
{
    const char *email = NULL, *name = NULL, *role = NULL;
    char role_buf[512];
    bool admin = false, password_stdin = false;
    const struct mq_cli_opt opts[] = {
        {"--email", &email, NULL},
        {"--name", &name, NULL},
        {"--role", &role, NULL},
        {"--admin", NULL, &admin},
        {"--password-stdin", NULL, &password_stdin},
    };
    struct mq_cli_args args;
    struct mq_config cfg;
    struct mq_log log;
    struct mq_store *store = NULL;
    struct mq_settings *settings = NULL;
    char password[MQ_PASSWORD_MAX + 2], id[37];
    int status = 1;

    if (argc < 1 || mq_cli_wants_help(argc, argv)) {
        printf("%s", user_usage);
        return argc < 1 ? MQ_EXIT_USAGE : 0;
    }
    if (strcmp(argv[0], "create") ||
        mq_cli_split_args(argc - 1, argv + 1, opts, sizeof(opts) / sizeof(opts[0]), &args) ||
        args.npositional || !email || (admin && role)) {
        fprintf(stderr, "%s", user_usage);
        return MQ_EXIT_USAGE;
    }
    if (!password_stdin) {
        fprintf(stderr, "marquee: give the password on standard input with --password-stdin\n");
        return MQ_EXIT_USAGE;
    }
    if (!read_password(password, sizeof(password))) {
        fprintf(stderr, "marquee: no password on standard input\n");
        return MQ_EXIT_USAGE;
    }
    if (role && strlen(role) >= sizeof(role_buf)) {
        fprintf(stderr, "%s", user_usage);
        return MQ_EXIT_USAGE;
    }
    if (role) snprintf(role_buf, sizeof(role_buf), "%s", role);
    mq_cli_load_config(&cfg, args.nconfig, args.config_args, NULL, NULL);
    mq_log_init(&log, mq_system_log_level(&cfg), STDERR_FILENO, &mq_clock_system);
    mq_cli_warn_unknown_env(&cfg, &log);
    if (mq_cli_open_current_store(&cfg, &log, &store)) goto out;
    struct mq_ctx ctx = {
        .cfg = &cfg, .log = &log, .store = store, .clock = &mq_clock_system, .rng = &mq_rng_system};
    /* The password policy is the admin's settings on top of the config. */
    if (mq_settings_open(&ctx, &cfg, &settings)) {
        fprintf(stderr, "marquee: cannot read the server settings\n");
        goto out;
    }
    /* The first role comes with the account, the others after it. */
    char first[MQ_ROLE_NAME_MAX + 1], *rest = NULL;
    snprintf(first, sizeof(first), "%.*s", (int)strcspn(role ? role : "", ","), role ? role : "");
    if (role && role[strlen(first)] == ',') rest = role_buf + strlen(first) + 1;
    struct mq_user_new u = {.email = email,
                            .display_name = name,
                            .password = password,
                            .role = admin  ? "admin"
                                    : role ? first
                                           : "user",
                            .email_verified = true};
    struct mq_refusal why = {0};
    mq_err err = mq_users_create(&ctx, &u, id, &why);
    static const char *const everything[] = {"*:*"};
    struct mq_authz operator= {.perms = (const char **)everything, .nperms = 1};
    struct mq_arena *a = mq_arena_new(0);
    for (char *r = rest, *save = NULL, *tok = r ? strtok_r(r, ",", &save) : NULL; !err && tok;
         tok = strtok_r(NULL, ",", &save)) {
        bool changed = false;
        err = a ? mq_roles_grant(&ctx, a, &operator, NULL, id, tok, &changed, &why) : MQ_ENOMEM;
    }
    mq_arena_free(a);
    sodium_memzero(password, sizeof(password));
    if (err && why.code) {
        fprintf(stderr, "marquee: %s: %s\n", why.code, why.detail);
        status = why.err == MQ_EINVAL ? MQ_EXIT_USAGE : 1;
        goto out;
    }
    if (err) {
        fprintf(stderr, "marquee: cannot create the account: %s\n", mq_err_name(err));
        goto out;
    }
    mq_cli_record(&ctx, "user.created", "user", id,
                  json_pack("{s:s,s:s}", "role", u.role, "via", "cli"));
    printf("created %s %s (id %s)\n", u.role, email, id);
    status = 0;
out:
    mq_settings_free(settings);
    mq_store_close(store);
    mq_config_cleanup(&cfg);
    return status;
}
