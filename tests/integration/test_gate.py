"""The gate (src/http/gate.c): every route's declared permission holds
before its handler runs. The cases are drawn from the route table itself
(`marquee routes`), so a route added later is covered without an edit
here: each non-public route refuses a caller without a credential, or with
a forged one, with 401, and a signed-in member whose roles hold every
permission but the route's with 403 naming it."""
import re
import uuid

from harness import check
from test_auth import FAST, bearer, jpost, login, make_user
from test_jobs import AUTH, TOKEN

ID = str(uuid.uuid4())
# Thousands of requests from one address and one user: the limits are
# tested elsewhere (test_ratelimit.py).
UNLIMITED = FAST + ["--rate-limit-default", "off", "--rate-limit-login", "off"]
# Shaped like an access token and an API key, signed by no one.
FORGED_JWT = "eyJhbGciOiJFZERTQSIsImtpZCI6IngifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
FORGED_KEY = "mq_" + "A" * 43


def routes(env):
    r = env.run_cli(["routes"])
    check(r.returncode == 0, r.stderr)
    table = []
    for line in r.stdout.splitlines():
        method, pattern, permission, flags = line.split("\t")
        table.append((method, pattern, permission, set() if flags == "-" else set(flags.split(","))))
    check(len(table) > 80, len(table))
    return table


def concrete(pattern):
    return re.sub(r"\{([a-z_]+)\}", lambda m: ID if m.group(1) == "id" else "x", pattern)


def call(s, method, pattern, headers=None):
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    return s.request(method, concrete(pattern), body=None if method == "GET" else "{}", headers=h)


def test_strangers_get_401_on_every_route_that_is_not_public(env):
    with env.server(args=UNLIMITED, env={"MARQUEE_ADMIN_TOKEN": TOKEN}) as s:
        guarded = [r for r in routes(env) if r[2] != "public"]
        check(len(guarded) > 60, len(guarded))
        for method, pattern, _, flags in guarded:
            for headers in ({}, bearer(FORGED_JWT), {"X-Api-Key": FORGED_KEY},
                            bearer("not-the-admin-token")):
                r = call(s, method, pattern, headers)
                r.problem(401, "unauthorized")
                check(r.header("WWW-Authenticate"), (method, pattern))
            if "query-key" in flags:
                r = s.request(method, concrete(pattern) + "?api_key=" + FORGED_KEY)
                r.problem(401, "unauthorized")
        # Public routes take no credential, so a forged one does not stop them.
        check(s.request("GET", "/api/v1/settings", headers=bearer(FORGED_JWT)).status == 200,
              "public route")


def test_the_admin_api_is_closed_without_a_token(env):
    with env.server(args=UNLIMITED) as s:
        for method, pattern, _, flags in routes(env):
            if "admin" in flags:
                call(s, method, pattern).problem(403, "admin_api_closed")


def test_a_member_lacking_the_route_permission_gets_403(env):
    with env.server(args=UNLIMITED, env={"MARQUEE_ADMIN_TOKEN": TOKEN}) as s:
        table = routes(env)
        known = [p["name"] for p in
                 s.request("GET", "/api/v1/admin/permissions", headers=AUTH).json()["items"]
                 if "*" not in p["name"]]
        needed = sorted({r[2] for r in table if ":" in r[2]})
        check(len(needed) >= 10 and set(needed) <= set(known), (needed, known))
        refused = 0
        for n, permission in enumerate(needed):
            role = "lacks-" + permission.replace(":", "-")
            r = jpost(s, "/api/v1/admin/roles",
                      {"name": role, "permissions": [p for p in known if p != permission]},
                      headers=AUTH)
            check(r.status == 201, (role, r.status, r.body))
            email = "member%d@example.org" % n
            make_user(env, s, email, role=role)
            t = login(s, email).json()["access_token"]
            for method, pattern, need, _ in table:
                if need == permission:
                    doc = call(s, method, pattern, bearer(t)).problem(403, "forbidden")
                    check(doc["permission"] == permission, (method, pattern, doc))
                    refused += 1
                elif ":" in need and method == "GET":
                    # The role holds everything else: what it may read, it reads.
                    r = call(s, method, pattern, bearer(t))
                    check(not (r.status == 403 and r.json().get("code") == "forbidden"),
                          (role, method, pattern, r.status))
        check(refused == len([r for r in table if ":" in r[2]]), refused)
