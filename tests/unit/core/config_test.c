#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "http/conf.h"
#include "store/conf.h"
#include "system/conf.h"
#include "users/conf.h"

static char errbuf[512];

/* Command lines are arrays of string literals; the loader takes main's argv. */
#define ARGS(...)      ((char **)(const char *[]){__VA_ARGS__})
#define NARGS(...)     ((int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)))
#define LOAD(cfg, ...) load((cfg), NARGS(__VA_ARGS__), ARGS(__VA_ARGS__))

static void clear_env(void)
{
    unsetenv("MARQUEE_LISTEN");
    unsetenv("MARQUEE_DATA_DIR");
    unsetenv("MARQUEE_CONFIG");
    unsetenv("MARQUEE_LOG_LEVEL");
    unsetenv("MARQUEE_HTTP_MAX_BODY");
}

static mq_err load(struct mq_config *cfg, int argc, char **argv)
{
    assert_int_equal(mq_config_init(cfg), MQ_OK);
    errbuf[0] = '\0';
    return mq_config_load(cfg, argc, argv, NULL, NULL, errbuf, sizeof(errbuf));
}

static void test_defaults(void **state)
{
    (void)state;
    struct mq_config cfg;
    clear_env();
    assert_int_equal(load(&cfg, 0, NULL), MQ_OK);
    assert_string_equal(mq_http_conf(&cfg)->listen.text, "127.0.0.1:8096");
    assert_string_equal(mq_system_conf(&cfg)->data_dir, "./data");
    assert_string_equal(mq_system_conf(&cfg)->public_url, "http://127.0.0.1:8096");
    assert_false(mq_store_uses_postgres(&cfg));
    assert_int_equal(mq_http_conf(&cfg)->max_body, 1024 * 1024);
    assert_int_equal(mq_system_log_level(&cfg), MQ_LOG_INFO);
    mq_config_cleanup(&cfg);
}

static void test_precedence(void **state)
{
    (void)state;
    struct mq_config cfg;
    char path[] = "/tmp/mq-config-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char text[] = "# comment\nlisten = 127.0.0.1:1111\ndata_dir = \"/from/file\"\n"
                        "log_level = debug\nhttp_max_body = 64KiB\n";
    assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
    close(fd);

    clear_env();
    setenv("MARQUEE_CONFIG", path, 1);
    setenv("MARQUEE_LISTEN", "127.0.0.1:2222", 1);
    setenv("MARQUEE_DATA_DIR", "/from/env", 1);
    assert_int_equal(LOAD(&cfg, "--data-dir", "/from/flag"), MQ_OK);
    assert_string_equal(mq_system_conf(&cfg)->data_dir, "/from/flag");      /* flag > env */
    assert_string_equal(mq_http_conf(&cfg)->listen.text, "127.0.0.1:2222"); /* env > file */
    assert_int_equal(mq_system_log_level(&cfg), MQ_LOG_DEBUG);              /* file > default */
    assert_int_equal(mq_http_conf(&cfg)->max_body, 64 * 1024);
    assert_int_equal(cfg.sources[mq_config_key_index("listen")], MQ_SRC_ENV);
    mq_config_cleanup(&cfg);
    clear_env();
    unlink(path);
}

/* What the settings service builds on: a deep copy it changes key by key,
 * typed values, and the checks across keys. */
static void test_copy_set_and_check(void **state)
{
    (void)state;
    struct mq_config cfg, copy;
    char text[256];
    long n;
    clear_env();
    assert_int_equal(LOAD(&cfg, "--cors-origins", "https://a.example, https://b.example",
                          "--trusted-proxies", "10.0.0.0/8"),
                     MQ_OK);
    assert_int_equal(mq_config_copy(&copy, &cfg), MQ_OK);
    int name = mq_config_key_index("server_name"), reg = mq_config_key_index("registration");
    int smtp = mq_config_key_index("smtp_url"), port = mq_config_key_index("listen");
    assert_true(name >= 0 && reg >= 0 && smtp >= 0 && port >= 0);
    assert_int_equal(mq_config_key_index("no_such_key"), -1);

    assert_int_equal(
        mq_config_set(&copy, (size_t)name, "Maison Zoë", MQ_SRC_SETTINGS, errbuf, sizeof(errbuf)),
        MQ_OK);
    assert_int_equal(
        mq_config_set(&copy, (size_t)reg, "open", MQ_SRC_SETTINGS, errbuf, sizeof(errbuf)), MQ_OK);
    /* The copy owns its strings and lists: the original does not change and
     * may go first. */
    assert_string_equal(mq_system_conf(&cfg)->server_name, "Marquee");
    assert_int_equal(mq_users_conf(&cfg)->registration, MQ_REGISTRATION_CLOSED);
    assert_ptr_not_equal(mq_http_conf(&copy)->cors_origins.items,
                         mq_http_conf(&cfg)->cors_origins.items);
    mq_config_cleanup(&cfg);
    assert_string_equal(mq_http_conf(&copy)->cors_origins.items[1], "https://b.example");
    assert_string_equal(mq_system_conf(&copy)->server_name, "Maison Zoë");
    assert_int_equal(mq_users_conf(&copy)->registration, MQ_REGISTRATION_OPEN);
    assert_int_equal(copy.sources[name], MQ_SRC_SETTINGS);
    assert_true(mq_config_number(&copy, (size_t)reg, &n) && n == MQ_REGISTRATION_OPEN);
    mq_config_text(&copy, (size_t)reg, true, text, sizeof(text));
    assert_string_equal(text, "open");

    struct mq_config_key_info info;
    mq_config_key_info((size_t)reg, &info);
    assert_string_equal(info.type, "choice");
    assert_true(info.flags & MQ_CONFIG_LIVE && info.flags & MQ_CONFIG_PUBLIC);
    assert_string_equal(info.choices[0], "closed");
    mq_config_key_info((size_t)port, &info);
    assert_false(info.flags & MQ_CONFIG_LIVE);

    assert_int_equal(
        mq_config_set(&copy, (size_t)reg, "maybe", MQ_SRC_SETTINGS, errbuf, sizeof(errbuf)),
        MQ_EINVAL);
    assert_non_null(strstr(errbuf, "must be one of closed, open, invite"));
    assert_int_equal(
        mq_config_set(&copy, (size_t)name, "bell\a", MQ_SRC_SETTINGS, errbuf, sizeof(errbuf)),
        MQ_EINVAL);
    assert_int_equal(
        mq_config_set(&copy, (size_t)name, "\xff\xfe", MQ_SRC_SETTINGS, errbuf, sizeof(errbuf)),
        MQ_EINVAL);
    assert_string_equal(mq_system_conf(&copy)->server_name, "Maison Zoë");

    assert_int_equal(mq_config_check(&copy, errbuf, sizeof(errbuf)), MQ_OK);
    /* A mail server needs a sender. */
    assert_int_equal(mq_config_set(&copy, (size_t)smtp, "smtp://127.0.0.1:25", MQ_SRC_SETTINGS,
                                   errbuf, sizeof(errbuf)),
                     MQ_OK);
    assert_int_equal(mq_config_check(&copy, errbuf, sizeof(errbuf)), MQ_EINVAL);
    assert_non_null(strstr(errbuf, "mail_from"));
    mq_config_cleanup(&copy);
}

static void test_bad_values_name_the_key(void **state)
{
    (void)state;
    struct mq_config cfg;
    clear_env();
    assert_int_equal(LOAD(&cfg, "--listen", "nonsense"), MQ_EINVAL);
    assert_non_null(strstr(errbuf, "listen"));
    assert_non_null(strstr(errbuf, "flag"));
    mq_config_cleanup(&cfg);

    setenv("MARQUEE_HTTP_MAX_BODY", "lots", 1);
    assert_int_equal(load(&cfg, 0, NULL), MQ_EINVAL);
    assert_non_null(strstr(errbuf, "http_max_body"));
    assert_non_null(strstr(errbuf, "environment"));
    mq_config_cleanup(&cfg);
    clear_env();

    assert_int_equal(LOAD(&cfg, "--listen=127.0.0.1:70000"), MQ_EINVAL);
    mq_config_cleanup(&cfg);
    assert_int_equal(LOAD(&cfg, "--database-url", "mysql://x"), MQ_EINVAL);
    assert_non_null(strstr(errbuf, "database_url"));
    mq_config_cleanup(&cfg);
    assert_int_equal(LOAD(&cfg, "--tls-cert", "/x.pem"), MQ_EINVAL);
    assert_non_null(strstr(errbuf, "tls_key"));
    mq_config_cleanup(&cfg);
    assert_int_equal(LOAD(&cfg, "--no-such-flag"), MQ_EINVAL);
    mq_config_cleanup(&cfg);
    assert_int_equal(LOAD(&cfg, "--cors-origins", "https://ok.example, javascript:alert(1)"),
                     MQ_EINVAL);
    mq_config_cleanup(&cfg);
    assert_int_equal(LOAD(&cfg, "--http-threads", "9999"), MQ_EINVAL);
    assert_non_null(strstr(errbuf, "between 0 and 256"));
    mq_config_cleanup(&cfg);
    assert_int_equal(LOAD(&cfg, "--listen"), MQ_EINVAL);
    mq_config_cleanup(&cfg);
}

static void test_listen_forms(void **state)
{
    (void)state;
    struct mq_config cfg;
    clear_env();
    assert_int_equal(
        LOAD(&cfg, "--listen", "[::1]:0", "--cors-origins", "https://a.example,http://b:8080"),
        MQ_OK);
    assert_int_equal(mq_http_conf(&cfg)->listen.addr.ss_family, AF_INET6);
    assert_string_equal(mq_http_conf(&cfg)->cors_origins.items[0], "https://a.example");
    assert_string_equal(mq_http_conf(&cfg)->cors_origins.items[1], "http://b:8080");
    assert_null(mq_http_conf(&cfg)->cors_origins.items[2]);
    mq_config_cleanup(&cfg);
}

static void test_mask(void **state)
{
    (void)state;
    char out[256];
    mq_config_mask_url("postgres://user:s3cret@db:5432/mq", out, sizeof(out));
    assert_string_equal(out, "postgres://user:****@db:5432/mq");
    mq_config_mask_url("postgres://db/mq?sslmode=require&password=s3cret&x=1", out, sizeof(out));
    assert_string_equal(out, "postgres://db/mq?sslmode=require&password=****&x=1");
    mq_config_mask_url("postgres://user@db/mq", out, sizeof(out));
    assert_string_equal(out, "postgres://user@db/mq");
}

/* The modules' declarations together: one name per key across modules
 * (settings included), each documented, each found by its name, every
 * module of src/ present, and each default one its own parser takes
 * (mq_config_init refuses otherwise). */
static void test_declarations(void **state)
{
    (void)state;
    struct mq_config cfg;
    struct mq_config_key_info a, b;
    size_t n = mq_config_key_count();
    assert_true(n > 50);
    assert_int_equal(mq_config_init(&cfg), MQ_OK);
    mq_config_cleanup(&cfg);
    for (size_t i = 0; i < n; i++) {
        mq_config_key_info(i, &a);
        assert_non_null(a.name);
        assert_true(a.help && strlen(a.help) > 10);
        assert_int_equal(mq_config_key_index(a.name), (int)i);
        for (size_t j = i + 1; j < n; j++) {
            mq_config_key_info(j, &b);
            assert_string_not_equal(a.name, b.name);
        }
        for (size_t l = 0; l < mq_config_live_count(); l++)
            assert_string_not_equal(a.name, mq_config_live(l)->name);
    }
    static const char *const modules[] = {"core", "system", "http",  "store", "crypto",
                                          "auth", "users",  "audit", "mail",  "jobs"};
    for (size_t m = 0; m < sizeof(modules) / sizeof(*modules); m++) {
        bool found = false;
        for (size_t i = 0; i < n && !found; i++) {
            mq_config_key_info(i, &a);
            found = !strcmp(a.module, modules[m]);
        }
        assert_true(found);
    }
    /* A live setting that is no configuration key has both hooks. */
    assert_true(mq_config_live_count() >= 1);
    for (size_t l = 0; l < mq_config_live_count(); l++)
        assert_true(mq_config_live(l)->read && mq_config_live(l)->write && mq_config_live(l)->help);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_bad_values_name_the_key),
        cmocka_unit_test(test_copy_set_and_check),
        cmocka_unit_test(test_listen_forms),
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_declarations),
    };
    return RUN(tests);
}
