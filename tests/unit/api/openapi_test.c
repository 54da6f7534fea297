/* The OpenAPI document and the route table must describe the same API: a
 * registered route missing from docs/openapi.yaml fails, and so does a
 * documented operation that no route serves, or a route without a known
 * permission, or one the document shows with another. */
#include "test.h"

#include <ctype.h>
#include <jansson.h>
#include <string.h>

#include "api/api.h"
#include "auth/authz.h"
#include "auth/rbac.h"

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

/* Every route declares a permission the RBAC knows, and the document
 * shows the same one (x-permission) on its operation. */
static void test_every_route_declares_its_permission(void **state)
{
    (void)state;
    json_error_t err;
    json_t *doc = json_loadb(mq_openapi_json, mq_openapi_json_len, 0, &err);
    json_t *paths = json_object_get(doc, "paths");
    size_t n = 0;
    for (const struct mq_api_route *r; (r = mq_api_route(n)); n++) {
        if (!r->permission || !mq_rbac_known(r->permission))
            fail_msg("%s %s declares no known permission", mq_method_name(r->method), r->pattern);
        char op[16];
        size_t i = 0;
        for (const char *m = mq_method_name(r->method); *m && i < sizeof(op) - 1; m++)
            op[i++] = (char)tolower((unsigned char)*m);
        op[i] = '\0';
        json_t *o = json_object_get(json_object_get(paths, r->pattern), op);
        const char *shown = json_string_value(json_object_get(o, "x-permission"));
        if (!shown || strcmp(shown, r->permission))
            fail_msg("%s %s needs %s but docs/openapi.yaml shows %s", op, r->pattern, r->permission,
                     shown ? shown : "nothing");
    }
    assert_true(n > 50);
    json_decref(doc);
}

static bool role_allows(const char *role, const char *needed)
{
    const char *const *p = mq_rbac_role_permissions(role);
    size_t n = 0;
    while (p && p[n]) n++;
    return p && mq_perms_cover(p, n, needed);
}

static void test_wildcards(void **state)
{
    (void)state;
    assert_true(mq_rbac_covers("*:*", "users:update"));
    assert_true(mq_rbac_covers("users:*", "users:update"));
    assert_true(mq_rbac_covers("*:read", "audit:read"));
    assert_true(mq_rbac_covers("users:update", "users:update"));
    assert_false(mq_rbac_covers("users:read", "users:update"));
    assert_false(mq_rbac_covers("user:*", "users:read"));
    assert_false(mq_rbac_covers("users", "users:read"));
    assert_false(mq_rbac_covers("users:*", "users"));
    assert_true(role_allows("admin", "keys:rotate"));
    assert_true(role_allows("user", "self:write"));
    assert_false(role_allows("user", "audit:read"));
    assert_true(role_allows("moderator", "audit:read"));
    assert_false(role_allows("moderator", "jobs:manage"));
    assert_false(role_allows("guest", "self:write"));
    assert_true(role_allows("guest", "media:read"));
    assert_true(role_allows("guest", MQ_PERM_SIGNED_IN));
    assert_false(role_allows("wizard", MQ_PERM_SIGNED_IN));
    assert_false(role_allows("moderator", "self:read")); /* the five, no more */
    assert_true(mq_rbac_grant_valid("users:*"));
    assert_true(mq_rbac_grant_valid("*:read"));
    assert_true(mq_rbac_grant_valid("*:*"));
    assert_false(mq_rbac_grant_valid("nothing:*"));
    assert_false(mq_rbac_grant_valid("users:read:extra"));
    assert_false(mq_rbac_grant_valid(":read"));
    assert_false(mq_rbac_grant_valid("users:"));
    assert_false(mq_rbac_grant_valid(MQ_PERM_PUBLIC));
    size_t n = 0;
    const struct mq_permission *all = mq_rbac_permissions(&n);
    for (size_t i = 0; i < n; i++) assert_true(strlen(all[i].description) > 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes_match_document),
        cmocka_unit_test(test_every_route_declares_its_permission),
        cmocka_unit_test(test_wildcards),
    };
    return RUN(tests);
}
