#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"

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
    assert_string_equal(cfg.listen, "127.0.0.1:8096");
    assert_string_equal(cfg.data_dir, "./data");
    assert_string_equal(cfg.public_url, "http://127.0.0.1:8096");
    assert_false(mq_config_uses_postgres(&cfg));
    assert_int_equal(cfg.http_max_body, 1024 * 1024);
    assert_int_equal(cfg.log_level, MQ_LOG_INFO);
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
    assert_string_equal(cfg.data_dir, "/from/flag");   /* flag > env */
    assert_string_equal(cfg.listen, "127.0.0.1:2222"); /* env > file */
    assert_int_equal(cfg.log_level, MQ_LOG_DEBUG);     /* file > default */
    assert_int_equal(cfg.http_max_body, 64 * 1024);
    assert_int_equal(cfg.sources[1], MQ_SRC_ENV);
    mq_config_cleanup(&cfg);
    clear_env();
    unlink(path);
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
    assert_int_equal(cfg.listen_addr.ss_family, AF_INET6);
    assert_string_equal(cfg.cors_list[0], "https://a.example");
    assert_string_equal(cfg.cors_list[1], "http://b:8080");
    assert_null(cfg.cors_list[2]);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_bad_values_name_the_key),
        cmocka_unit_test(test_listen_forms),
        cmocka_unit_test(test_mask),
    };
    return RUN(tests);
}
