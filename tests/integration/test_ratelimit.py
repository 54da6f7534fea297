"""Per-address rate limits on /api/: headers on every answer, 429 past the limit."""
import re

from harness import check


def test_default_limit(env):
    with env.server(args=["--rate-limit-default", "5/min", "--trusted-proxies", "127.0.0.1"]) as s:
        for i in range(5):
            r = s.request("GET", "/api/v1/system/info")
            check(r.status == 200, r.body)
            check(r.header("ratelimit-policy") == "5;w=60", r.headers)
            m = re.fullmatch(r"limit=5, remaining=(\d+), reset=(\d+)", r.header("ratelimit"))
            check(m and int(m.group(1)) == 4 - i, r.header("ratelimit"))
        r = s.request("GET", "/api/v1/system/info")
        doc = r.problem(429, "rate_limited")
        check(r.header("retry-after") == "12" and doc["retry_after"] == 12, (r.headers, doc))
        check("remaining=0" in r.header("ratelimit"))
        # Every /api/ path counts, found or not, and the refusal comes first.
        s.request("GET", "/api/v1/nothing-here").problem(429)
        # Probes and metrics are never limited.
        for _ in range(10):
            check(s.request("GET", "/healthz").status == 200)
            check(s.request("GET", "/readyz").header("ratelimit") is None)
        check(s.request("GET", "/metrics").status == 200)
        # Behind a trusted proxy each client has its own allowance.
        r = s.request("GET", "/api/v1/system/info", headers={"X-Forwarded-For": "198.51.100.7"})
        check(r.status == 200 and "remaining=4" in r.header("ratelimit"), r.headers)
        s.wait_log("rate limit default refused GET /api/v1/system/info from 127.0.0.1")


def test_limit_off(env):
    with env.server(args=["--rate-limit-default", "off"]) as s:
        for _ in range(30):
            r = s.request("GET", "/api/v1/system/info")
            check(r.status == 200 and r.header("ratelimit") is None)


def test_an_ipv6_client_is_its_slash_64(env):
    # Behind a trusted proxy, so that the client addresses can vary.
    with env.server(args=["--rate-limit-default", "3/min", "--trusted-proxies", "127.0.0.1"]) as s:
        get = lambda ip: s.request("GET", "/api/v1/system/info", headers={"X-Forwarded-For": ip})
        for host in ("2001:db8:1:2::1", "2001:db8:1:2::ffff", "2001:db8:1:2:abcd::7"):
            check(get(host).status == 200)
        # Another address of the same /64 is the same client: out of allowance.
        get("2001:db8:1:2:ffff:ffff:ffff:ffff").problem(429, "rate_limited")
        # The next /64 is another client.
        check(get("2001:db8:1:3::1").status == 200)
    with env.server(args=["--rate-limit-default", "1/min", "--trusted-proxies", "127.0.0.1",
                          "--rate-limit-ipv6-prefix", "128"]) as s:
        get = lambda ip: s.request("GET", "/api/v1/system/info", headers={"X-Forwarded-For": ip})
        check(get("2001:db8:1:2::1").status == 200 and get("2001:db8:1:2::2").status == 200)
