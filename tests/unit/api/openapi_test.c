/* The OpenAPI document and the route table must describe the same API: a
 * registered route missing from docs/openapi.yaml fails, and so does a
 * documented operation that no route serves. */
#include "test.h"

#include <ctype.h>
#include <jansson.h>
#include <string.h>

#include "api/api.h"

static const char *const methods[] = {"get", "head", "post", "put", "patch", "delete", "options"};

static void test_routes_match_document(void **state)
{
    (void)state;
    json_error_t err;
    json_t *doc = json_loadb(mq_openapi_json, mq_openapi_json_len, 0, &err);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
    json_t *paths = json_object_get(doc, "paths");
    assert_non_null(paths);

    struct mq_router *r = NULL;
    struct mq_config cfg;
    assert_int_equal(mq_config_init(&cfg), MQ_OK);
    assert_int_equal(mq_router_new(&r), MQ_OK);
    assert_int_equal(mq_api_register(r, &cfg), MQ_OK);

    size_t registered = 0;
    for (size_t id = 0; id < mq_router_count(r); id++) {
        const char *pattern = mq_router_pattern(r, (int)id);
        unsigned m = mq_router_methods(r, (int)id);
        json_t *item = json_object_get(paths, pattern);
        if (!item) fail_msg("route %s is not in docs/openapi.yaml", pattern);
        for (int i = 0; i < MQ_METHOD_OTHER; i++) {
            if (!(m & (1u << i))) continue;
            registered++;
            if (!json_object_get(item, methods[i]))
                fail_msg("%s %s is not in docs/openapi.yaml", mq_method_name((enum mq_method)i),
                         pattern);
        }
    }

    size_t documented = 0;
    const char *path;
    json_t *item;
    json_object_foreach(paths, path, item)
    {
        const char *op;
        json_t *v;
        json_object_foreach(item, op, v)
        {
            int i = 0;
            while (i < MQ_METHOD_OTHER && strcmp(methods[i], op)) i++;
            if (i == MQ_METHOD_OTHER) continue; /* parameters, summary, ... */
            documented++;
            bool found = false;
            for (size_t id = 0; id < mq_router_count(r); id++)
                if (!strcmp(mq_router_pattern(r, (int)id), path) &&
                    (mq_router_methods(r, (int)id) & (1u << i)))
                    found = true;
            if (!found) fail_msg("documented %s %s is not registered", op, path);
        }
    }
    assert_int_equal(registered, documented);
    mq_router_free(r);
    mq_config_cleanup(&cfg);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes_match_document),
    };
    return RUN(tests);
}
