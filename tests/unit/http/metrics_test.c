/* Request counters: one series per status label, codes outside the known
 * set counted under their class ("4xx"), never under a real code. */
#include "test.h"

#include <string.h>

#include "http/metrics.h"

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

static mq_err nothing(struct mq_req *req)
{
    (void)req;
    return MQ_OK;
}

static void test_status_labels(void **state)
{
    (void)state;
    struct mq_router *r = NULL;
    struct mq_http_metrics *m = NULL;
    assert_int_equal(mq_router_new(&r), MQ_OK);
    assert_int_equal(mq_router_add(r, MQ_POST, "/api/v1/auth/login", nothing), MQ_OK);
    assert_int_equal(mq_http_metrics_new(mq_router_count(r), &m), MQ_OK);
    int statuses[] = {400, 400, 499, 418, 423, 451, 200};
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        mq_http_metrics_observe(m, 0, MQ_POST, statuses[i], 1000);
    struct mq_buf b;
    mq_buf_init(&b, 1 << 20);
    assert_int_equal(mq_http_metrics_render(m, r, &b), MQ_OK);
    assert_int_equal(count(b.data, "status=\"400\""), 1);
    assert_non_null(strstr(b.data, "route=\"/api/v1/auth/login\",status=\"400\"} 2\n"));
    assert_non_null(strstr(b.data, "status=\"499\"} 1\n"));
    assert_non_null(strstr(b.data, "status=\"423\"} 1\n"));
    assert_non_null(strstr(b.data, "status=\"4xx\"} 2\n"));
    mq_buf_cleanup(&b);
    mq_http_metrics_free(m);
    mq_router_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_labels),
    };
    return RUN(tests);
}
