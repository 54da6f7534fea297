#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "core/netlist.h"
#include "http/clientip.h"

static struct sockaddr_in v4(const char *text)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    assert_int_equal(inet_pton(AF_INET, text, &sa.sin_addr), 1);
    return sa;
}

static void test_netlist(void **state)
{
    (void)state;
    struct mq_netlist list;
    const char *why = NULL;
    struct mq_ip ip;
    assert_int_equal(mq_netlist_parse("10.0.0.0/8, 192.168.1.10 ,fd00::/8,::1", &list, &why),
                     MQ_OK);
    assert_int_equal(list.n, 4);
    assert_true(mq_ip_parse("10.200.3.4", 10, &ip) && mq_netlist_contains(&list, &ip));
    assert_true(mq_ip_parse("::ffff:10.1.1.1", 15, &ip) && mq_netlist_contains(&list, &ip));
    assert_true(mq_ip_parse("192.168.1.10", 12, &ip) && mq_netlist_contains(&list, &ip));
    assert_false(mq_ip_parse("192.168.1.11", 12, &ip) && mq_netlist_contains(&list, &ip));
    assert_true(mq_ip_parse("fd12::5", 7, &ip) && mq_netlist_contains(&list, &ip));
    assert_false(mq_ip_parse("fe80::1", 7, &ip) && mq_netlist_contains(&list, &ip));
    assert_true(mq_ip_parse("11.0.0.1", 8, &ip));
    assert_false(mq_netlist_contains(&list, &ip));
    assert_int_equal(mq_netlist_parse("172.16.0.0/12", &list, &why), MQ_OK);
    assert_true(mq_ip_parse("172.31.255.255", 14, &ip) && mq_netlist_contains(&list, &ip));
    assert_false(mq_ip_parse("172.32.0.0", 10, &ip) && mq_netlist_contains(&list, &ip));
    const char *bad[] = {"10.0.0.0/33", "10.0.0.0/", "1.2.3", "::1/129", "x", "10.0.0.0/8x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(mq_netlist_parse(bad[i], &list, &why), MQ_EINVAL);
    assert_int_equal(mq_netlist_parse("", &list, &why), MQ_OK);
    assert_int_equal(list.n, 0);
}

static void test_client_ip(void **state)
{
    (void)state;
    struct mq_netlist trusted;
    const char *why;
    char out[MQ_IP_TEXT];
    assert_int_equal(mq_netlist_parse("10.0.0.0/8", &trusted, &why), MQ_OK);
    struct sockaddr_in proxy = v4("10.0.0.2"), stranger = v4("203.0.113.9");

    mq_client_ip(&trusted, (struct sockaddr *)&proxy, NULL, out);
    assert_string_equal(out, "10.0.0.2");
    mq_client_ip(&trusted, (struct sockaddr *)&proxy, "198.51.100.7", out);
    assert_string_equal(out, "198.51.100.7");
    /* Hops that are our own proxies are skipped, from the right. */
    mq_client_ip(&trusted, (struct sockaddr *)&proxy, "1.1.1.1, 198.51.100.7, 10.0.0.9", out);
    assert_string_equal(out, "198.51.100.7");
    /* A client cannot pick its address by adding entries on the left. */
    mq_client_ip(&trusted, (struct sockaddr *)&proxy, "6.6.6.6,198.51.100.7", out);
    assert_string_equal(out, "198.51.100.7");
    /* Anyone else's header changes nothing. */
    mq_client_ip(&trusted, (struct sockaddr *)&stranger, "198.51.100.7", out);
    assert_string_equal(out, "203.0.113.9");
    /* A malformed entry makes the header count for nothing. */
    mq_client_ip(&trusted, (struct sockaddr *)&proxy, "198.51.100.7, not-an-ip", out);
    assert_string_equal(out, "10.0.0.2");
    mq_client_ip(&trusted, (struct sockaddr *)&proxy, "", out);
    assert_string_equal(out, "10.0.0.2");
    /* All hops trusted: the leftmost is the best we know. */
    mq_client_ip(&trusted, (struct sockaddr *)&proxy, "10.9.9.9, 10.0.0.3", out);
    assert_string_equal(out, "10.9.9.9");
    /* Nothing trusted at all: the socket is the truth. */
    struct mq_netlist none = {0};
    mq_client_ip(&none, (struct sockaddr *)&proxy, "198.51.100.7", out);
    assert_string_equal(out, "10.0.0.2");
}

/* IPv6 clients are keyed by their network: one /64 is one client. */
static void test_client_keys(void **state)
{
    (void)state;
    char key[MQ_CLIENT_KEY];
    mq_client_key("192.0.2.7", 64, key);
    assert_string_equal(key, "192.0.2.7");
    mq_client_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64, key);
    assert_string_equal(key, "2001:db8:1:2::/64");
    mq_client_key("2001:db8:1:2:ffff::1", 64, key);
    assert_string_equal(key, "2001:db8:1:2::/64");
    mq_client_key("2001:db8:1:2:ffff::1", 48, key);
    assert_string_equal(key, "2001:db8:1::/48");
    mq_client_key("2001:db8:1:2:ffff::1", 72, key);
    assert_string_equal(key, "2001:db8:1:2:ff00::/72");
    mq_client_key("2001:db8::1", 128, key);
    assert_string_equal(key, "2001:db8::1");
    mq_client_key("::ffff:198.51.100.2", 64, key); /* mapped: IPv4 */
    assert_string_equal(key, "198.51.100.2");
    mq_client_key("-", 64, key);
    assert_string_equal(key, "-");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_netlist),
        cmocka_unit_test(test_client_ip),
        cmocka_unit_test(test_client_keys),
    };
    return RUN(tests);
}
