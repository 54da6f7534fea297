#include "test.h"

#include <string.h>

#include "http/router.h"

static mq_err h_list(struct mq_req *r)
{
    (void)r;
    return MQ_OK;
}
static mq_err h_get(struct mq_req *r)
{
    (void)r;
    return MQ_OK;
}
static mq_err h_me(struct mq_req *r)
{
    (void)r;
    return MQ_OK;
}
static mq_err h_post(struct mq_req *r)
{
    (void)r;
    return MQ_OK;
}

static struct mq_router *build(void)
{
    struct mq_router *r = NULL;
    assert_int_equal(mq_router_new(&r), MQ_OK);
    assert_int_equal(mq_router_add(r, MQ_GET, "/api/v1/jobs", h_list), MQ_OK);
    assert_int_equal(mq_router_add(r, MQ_POST, "/api/v1/jobs", h_post), MQ_OK);
    assert_int_equal(mq_router_add(r, MQ_GET, "/api/v1/jobs/{id}", h_get), MQ_OK);
    assert_int_equal(mq_router_add(r, MQ_GET, "/api/v1/jobs/me", h_me), MQ_OK);
    return r;
}

static void test_match(void **state)
{
    (void)state;
    struct mq_router *r = build();
    struct mq_match m;
    const char *list[] = {"api", "v1", "jobs"};
    assert_int_equal(mq_router_match(r, MQ_GET, list, 3, &m), MQ_MATCH_OK);
    assert_ptr_equal(m.handler, h_list);
    assert_string_equal(m.pattern, "/api/v1/jobs");
    assert_int_equal(mq_router_match(r, MQ_POST, list, 3, &m), MQ_MATCH_OK);
    assert_ptr_equal(m.handler, h_post);
    assert_int_equal(mq_router_match(r, MQ_HEAD, list, 3, &m), MQ_MATCH_OK);
    assert_ptr_equal(m.handler, h_list);

    const char *one[] = {"api", "v1", "jobs", "0190"};
    assert_int_equal(mq_router_match(r, MQ_GET, one, 4, &m), MQ_MATCH_OK);
    assert_ptr_equal(m.handler, h_get);
    assert_int_equal(m.nparams, 1);
    assert_string_equal(m.param_names[0], "id");
    assert_string_equal(m.params[0], "0190");

    const char *me[] = {"api", "v1", "jobs", "me"};
    assert_int_equal(mq_router_match(r, MQ_GET, me, 4, &m), MQ_MATCH_OK);
    assert_ptr_equal(m.handler, h_me); /* literal beats parameter */
    mq_router_free(r);
}

static void test_not_found_and_not_allowed(void **state)
{
    (void)state;
    struct mq_router *r = build();
    struct mq_match m;
    const char *deep[] = {"api", "v1", "jobs", "x", "y"};
    assert_int_equal(mq_router_match(r, MQ_GET, deep, 5, &m), MQ_MATCH_NOT_FOUND);
    const char *empty[] = {"api", "v1", "jobs", ""};
    assert_int_equal(mq_router_match(r, MQ_GET, empty, 4, &m), MQ_MATCH_NOT_FOUND);
    const char *one[] = {"api", "v1", "jobs", "7"};
    assert_int_equal(mq_router_match(r, MQ_DELETE, one, 4, &m), MQ_MATCH_METHOD_NOT_ALLOWED);
    assert_int_equal(m.allowed, 1u << MQ_GET);
    char allow[64];
    mq_method_allow_list(m.allowed, allow, sizeof(allow));
    assert_string_equal(allow, "GET, HEAD, OPTIONS");
    assert_int_equal(mq_router_match(r, MQ_METHOD_OTHER, one, 4, &m), MQ_MATCH_METHOD_NOT_ALLOWED);
    mq_router_free(r);
}

static void test_registration_errors(void **state)
{
    (void)state;
    struct mq_router *r = build();
    assert_int_equal(mq_router_add(r, MQ_GET, "/api/v1/jobs", h_list), MQ_ECONFLICT);
    assert_int_equal(mq_router_add(r, MQ_PUT, "/api/v1/jobs/{job}", h_list), MQ_ECONFLICT);
    assert_int_equal(mq_router_add(r, MQ_GET, "no-slash", h_list), MQ_EINVAL);
    assert_int_equal(mq_router_add(r, MQ_GET, "/a//b", h_list), MQ_EINVAL);
    assert_int_equal(mq_router_add(r, MQ_GET, "/a/{}", h_list), MQ_EINVAL);
    assert_int_equal(mq_router_add(r, MQ_GET, "/a/x{y}", h_list), MQ_EINVAL);
    assert_int_equal(mq_router_count(r), 3);
    mq_router_free(r);
}

static void test_path_split(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(0);
    const char **segs;
    size_t n;
    const char *why;
    assert_int_equal(mq_path_split(a, "/", &segs, &n, &why), MQ_OK);
    assert_int_equal(n, 0);
    assert_int_equal(mq_path_split(a, "/a/b%20c/%2F", &segs, &n, &why), MQ_OK);
    assert_int_equal(n, 3);
    assert_string_equal(segs[1], "b c");
    assert_string_equal(segs[2], "/");
    assert_int_equal(mq_path_split(a, "/a/", &segs, &n, &why), MQ_OK);
    assert_int_equal(n, 2);
    assert_string_equal(segs[1], "");

    const char *bad[] = {"a",    "/a/../b", "/..",    "/a/%2e%2E/b", "/.",      "/a%00", "/a%zz",
                         "/a%2", "/a%ff",   "/a\x01", "/a b",        "/%c0%af", "/\x7f"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(mq_path_split(a, bad[i], &segs, &n, &why), MQ_EINVAL);

    char deep[256] = "";
    for (int i = 0; i < 40; i++) strncat(deep, "/x", sizeof(deep) - strlen(deep) - 1);
    assert_int_equal(mq_path_split(a, deep, &segs, &n, &why), MQ_EINVAL);
    mq_arena_free(a);
}

static void test_url_decode(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(0);
    char *out;
    assert_int_equal(mq_url_decode(a, "a+b%2Bc", 7, true, &out), MQ_OK);
    assert_string_equal(out, "a b+c");
    assert_int_equal(mq_url_decode(a, "a+b", 3, false, &out), MQ_OK);
    assert_string_equal(out, "a+b");
    assert_int_equal(mq_url_decode(a, "%", 1, true, &out), MQ_EINVAL);
    assert_int_equal(mq_url_decode(a, "%4", 2, true, &out), MQ_EINVAL);
    assert_int_equal(mq_url_decode(a, "%41", 3, true, &out), MQ_OK);
    assert_string_equal(out, "A");
    mq_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_not_found_and_not_allowed),
        cmocka_unit_test(test_registration_errors),
        cmocka_unit_test(test_path_split),
        cmocka_unit_test(test_url_decode),
    };
    return RUN(tests);
}
