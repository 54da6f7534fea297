#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "core/netlist.h"

static bool internal(const char *text)
{
    struct mq_netlist internal;
    struct mq_ip ip;
    mq_netlist_internal(&internal);
    assert_true(mq_ip_parse(text, strlen(text), &ip));
    return mq_netlist_contains(&internal, &ip);
}

static void test_internal_networks(void **state)
{
    (void)state;
    struct mq_netlist list;
    mq_netlist_internal(&list);
    assert_true(list.n > 10);
    const char *inside[] = {"127.0.0.1",       "10.1.2.3",   "172.16.0.1", "192.168.1.10",
                            "169.254.1.1",     "100.64.0.1", "0.0.0.0",    "::1",
                            "fd00::1",         "fe80::1",    "::",         "224.0.0.1",
                            "::ffff:127.0.0.1"};
    for (size_t i = 0; i < sizeof(inside) / sizeof(*inside); i++) assert_true(internal(inside[i]));
    const char *outside[] = {"1.1.1.1", "8.8.8.8", "172.32.0.1", "2606:4700::1111",
                             "93.184.216.34"};
    for (size_t i = 0; i < sizeof(outside) / sizeof(*outside); i++)
        assert_false(internal(outside[i]));
}

static void test_socket_addresses(void **state)
{
    (void)state;
    struct sockaddr_in v4 = {.sin_family = AF_INET};
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
    struct mq_ip ip;
    char text[MQ_IP_TEXT];
    inet_pton(AF_INET, "192.0.2.7", &v4.sin_addr);
    assert_true(mq_ip_of_sockaddr((struct sockaddr *)&v4, &ip));
    mq_ip_text(&ip, text);
    assert_string_equal(text, "192.0.2.7");
    inet_pton(AF_INET6, "::ffff:10.0.0.1", &v6.sin6_addr);
    assert_true(mq_ip_of_sockaddr((struct sockaddr *)&v6, &ip));
    assert_int_equal(ip.family, AF_INET); /* mapped: counts as IPv4 */
    mq_ip_text(&ip, text);
    assert_string_equal(text, "10.0.0.1");
    struct sockaddr unix_like = {.sa_family = AF_UNIX};
    assert_false(mq_ip_of_sockaddr(&unix_like, &ip));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_internal_networks),
        cmocka_unit_test(test_socket_addresses),
    };
    return RUN(tests);
}
