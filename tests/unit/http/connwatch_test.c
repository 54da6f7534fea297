/* The connection watch: caps per address with a reserve, and the head,
 * request and body-rate deadlines, on real sockets (socketpair). */
#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/connwatch.h"

static struct sockaddr_storage addr(const char *text)
{
    struct sockaddr_storage ss = {0};
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
    } else {
        assert_int_equal(inet_pton(AF_INET6, text, &v6->sin6_addr), 1);
        v6->sin6_family = AF_INET6;
    }
    return ss;
}

#define SA(ss) ((const struct sockaddr *)&(ss))

static void test_caps_and_reserve(void **state)
{
    (void)state;
    struct mq_netlist trusted;
    const char *why;
    assert_int_equal(mq_netlist_parse("10.0.0.1", &trusted, &why), MQ_OK);
    struct mq_connwatch_limits l = {.header_timeout_s = 60,
                                    .request_timeout_s = 60,
                                    .upload_timeout_s = 60,
                                    .body_grace_s = 10,
                                    .max_connections = 10,
                                    .per_address = 3,
                                    .reserve = 4,
                                    .ipv6_prefix = 64,
                                    .trusted = &trusted};
    struct mq_connwatch *cw = NULL;
    assert_int_equal(mq_connwatch_start(&l, &cw), MQ_OK);
    struct mq_connwatch_entry *e[16];
    int n = 0;
    struct sockaddr_storage a = addr("192.0.2.1"), b = addr("192.0.2.2"),
                            c = addr("2001:db8:1:2::1"), c2 = addr("2001:db8:1:2::ffff"),
                            proxy = addr("10.0.0.1");
    /* One address: three, not four. */
    for (int i = 0; i < 3; i++) {
        assert_true(mq_connwatch_admit(cw, SA(a)));
        e[n++] = mq_connwatch_add(cw, -1, SA(a));
    }
    assert_false(mq_connwatch_admit(cw, SA(a)));
    /* Addresses of one /64 are one client. */
    assert_true(mq_connwatch_admit(cw, SA(c)));
    e[n++] = mq_connwatch_add(cw, -1, SA(c));
    assert_true(mq_connwatch_admit(cw, SA(c2)));
    e[n++] = mq_connwatch_add(cw, -1, SA(c2));
    assert_true(mq_connwatch_admit(cw, SA(c2)));
    e[n++] = mq_connwatch_add(cw, -1, SA(c2));
    assert_false(mq_connwatch_admit(cw, SA(c)));
    /* Six of ten open, four free = the reserve: b holds none and gets one,
     * then holds one and gets no more. */
    assert_true(mq_connwatch_admit(cw, SA(b)));
    e[n++] = mq_connwatch_add(cw, -1, SA(b));
    assert_false(mq_connwatch_admit(cw, SA(b)));
    /* A trusted proxy is neither capped nor held to the reserve. */
    for (int i = 0; i < 3; i++) {
        assert_true(mq_connwatch_admit(cw, SA(proxy)));
        e[n++] = mq_connwatch_add(cw, -1, SA(proxy));
    }
    assert_true(mq_connwatch_admit(cw, SA(proxy)));
    /* Closing frees the address's share. */
    mq_connwatch_remove(cw, e[0]);
    e[0] = NULL;
    mq_connwatch_remove(cw, e[6]);
    e[6] = NULL;
    assert_false(mq_connwatch_admit(cw, SA(a))); /* a holds 2, and only the reserve is left */
    for (int i = 7; i < n; i++) {
        mq_connwatch_remove(cw, e[i]);
        e[i] = NULL;
    }
    assert_true(mq_connwatch_admit(cw, SA(a)));
    struct mq_connwatch_stats st;
    mq_connwatch_stats(cw, &st);
    assert_int_equal(st.refused_address, 2);
    assert_int_equal(st.refused_reserve, 2);
    for (int i = 0; i < n; i++) mq_connwatch_remove(cw, e[i]);
    mq_connwatch_stop(cw);
}

/* Whether the peer of fd was shut down within `ms`. */
static bool cut_within(int peer, int ms)
{
    struct pollfd p = {.fd = peer, .events = POLLIN};
    if (poll(&p, 1, ms) != 1) return false;
    char c;
    return read(peer, &c, 1) == 0;
}

static void test_deadlines(void **state)
{
    (void)state;
    struct mq_connwatch_limits l = {.header_timeout_s = 1,
                                    .request_timeout_s = 2,
                                    .upload_timeout_s = 30,
                                    .body_grace_s = 1,
                                    .min_body_rate = 1000,
                                    .max_connections = 100,
                                    .ipv6_prefix = 64};
    struct mq_connwatch *cw = NULL;
    assert_int_equal(mq_connwatch_start(&l, &cw), MQ_OK);
    struct sockaddr_storage a = addr("192.0.2.1");
    int head[2], slow[2], steady[2], upload[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, head), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, slow), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, steady), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, upload), 0);

    /* A head that never completes. */
    struct mq_connwatch_entry *eh = mq_connwatch_add(cw, head[0], SA(a));
    /* A body at 10 bytes a second, a tenth of the minimum. */
    struct mq_connwatch_entry *es = mq_connwatch_add(cw, slow[0], SA(a));
    mq_connwatch_body(cw, es, false);
    /* A body that keeps the rate, but not the request's 2 s deadline. */
    struct mq_connwatch_entry *et = mq_connwatch_add(cw, steady[0], SA(a));
    mq_connwatch_body(cw, et, false);
    mq_connwatch_received(et, 1000000);
    /* An upload keeping the rate has 30 s. */
    struct mq_connwatch_entry *eu = mq_connwatch_add(cw, upload[0], SA(a));
    mq_connwatch_body(cw, eu, true);
    mq_connwatch_received(eu, 1000000);

    assert_true(cut_within(head[1], 10000));
    assert_true(cut_within(slow[1], 10000));
    assert_true(cut_within(steady[1], 10000));
    assert_false(cut_within(upload[1], 500));
    /* Handled requests are not the client's to be slow about. */
    mq_connwatch_handling(cw, eu);
    struct mq_connwatch_stats st;
    mq_connwatch_stats(cw, &st);
    assert_int_equal(st.header_timeouts, 1);
    assert_int_equal(st.too_slow, 1);
    assert_int_equal(st.request_timeouts, 1);
    /* Ready again: the next head is due. */
    mq_connwatch_ready(cw, eu);
    assert_true(cut_within(upload[1], 10000));

    mq_connwatch_remove(cw, eh);
    mq_connwatch_remove(cw, es);
    mq_connwatch_remove(cw, et);
    mq_connwatch_remove(cw, eu);
    mq_connwatch_stop(cw);
    for (int i = 0; i < 2; i++) {
        close(head[i]);
        close(slow[i]);
        close(steady[i]);
        close(upload[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_caps_and_reserve),
        cmocka_unit_test(test_deadlines),
    };
    return RUN(tests);
}
