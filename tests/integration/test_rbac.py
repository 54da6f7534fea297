"""Authorization: every route's permission (x-permission in the served
OpenAPI document) is enforced for the built-in roles. A user reaches no
admin route, a guest writes nothing, a moderator reads the audit log but
runs no jobs."""
import json
import uuid

from harness import check
from test_auth import FAST, bearer, jpost, login, make_user

ID = str(uuid.uuid4())


def operations(s):
    doc = s.request("GET", "/api/v1/openapi.json").json()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method.upper(), path.replace("{id}", ID).replace("{name}", "x").replace("{role}", "x"), op


def test_every_operation_names_its_permission(env):
    with env.server(args=FAST) as s:
        ops = list(operations(s))
        check(len(ops) > 50, len(ops))
        for method, path, op in ops:
            check(op.get("x-permission"), "%s %s shows no permission" % (method, path))


def test_a_user_reaches_no_admin_route(env):
    with env.server(args=FAST) as s:
        make_user(env, s, "ada@example.org")
        t = login(s, "ada@example.org").json()["access_token"]
        seen = 0
        for method, path, op in operations(s):
            if not path.startswith("/api/v1/admin/"):
                continue
            h = bearer(t)
            h["Content-Type"] = "application/json"
            r = s.request(method, path, body="{}" if method != "GET" else None, headers=h)
            doc = r.problem(403, "forbidden")
            check(doc["permission"] == op["x-permission"], (path, doc))
            seen += 1
        check(seen >= 9, seen)


def test_a_guest_writes_nothing(env):
    with env.server(args=FAST) as s:
        make_user(env, s, "guest@example.org", role="guest")
        t = login(s, "guest@example.org").json()["access_token"]
        writes = 0
        for method, path, op in operations(s):
            need = op["x-permission"]
            if method == "GET" or need in ("public", "signed-in"):
                continue
            h = bearer(t)
            h["Content-Type"] = "application/json"
            r = s.request(method, path, body="{}", headers=h)
            r.problem(403, "forbidden")
            writes += 1
        check(writes >= 20, writes)
        # Nor does it read what it was not given.
        s.request("GET", "/api/v1/users/me/preferences", headers=bearer(t)).problem(403, "forbidden")
        # Signing out needs no permission.
        check(s.request("POST", "/api/v1/auth/logout", headers=bearer(t)).status == 204, "logout")


def test_a_moderator_reads_the_audit_log_and_runs_no_jobs(env):
    with env.server(args=FAST) as s:
        make_user(env, s, "mod@example.org", role="moderator")
        t = login(s, "mod@example.org").json()["access_token"]
        check(s.request("GET", "/api/v1/admin/audit-logs", headers=bearer(t)).status == 200, "audit:read")
        s.request("GET", "/api/v1/admin/jobs", headers=bearer(t)).problem(403, "forbidden")
        s.request("POST", "/api/v1/admin/rotate-keys", headers=bearer(t)).problem(403, "forbidden")
        # The five permissions and no more: not even its own profile...
        s.request("GET", "/api/v1/users/me", headers=bearer(t)).problem(403, "forbidden")
        # ...until it is a member too, which the next request sees.
        make_user(env, s, "root@example.org", admin=True)
        admin = login(s, "root@example.org").json()["access_token"]
        me_id = [u for u in s.request("GET", "/api/v1/admin/users?q=mod@", headers=bearer(admin)).json()["items"]][0]["id"]
        r = jpost(s, "/api/v1/admin/users/%s/roles" % me_id, {"role": "user"}, headers=bearer(admin))
        check(r.status == 201, r.body)
        me = s.request("GET", "/api/v1/users/me", headers=bearer(t))
        check(me.status == 200 and json.loads(me.body)["roles"] == ["moderator", "user"], me.body)


def test_roles_and_permissions_are_listed(env):
    with env.server(args=FAST) as s:
        make_user(env, s, "root@example.org", admin=True)
        make_user(env, s, "ada@example.org")
        admin = login(s, "root@example.org").json()["access_token"]
        user = login(s, "ada@example.org").json()["access_token"]
        mine = s.request("GET", "/api/v1/users/me/roles", headers=bearer(user)).json()["items"]
        check(mine == [{"name": "user", "builtin": True,
                        "permissions": ["media:read", "libraries:read", "requests:create", "self:*"]}], mine)
        perms = s.request("GET", "/api/v1/admin/permissions", headers=bearer(admin)).json()["items"]
        names = [p["name"] for p in perms]
        check("*:*" in names and "self:read" in names and "audit:read" in names
              and all(p["description"] for p in perms), names)
        # Every permission a route needs is in the catalogue.
        doc = s.request("GET", "/api/v1/openapi.json").json()
        needed = {op["x-permission"] for item in doc["paths"].values() for m, op in item.items()
                  if isinstance(op, dict) and "x-permission" in op}
        check(needed - {"public", "signed-in"} <= set(names), needed - set(names))
        s.request("GET", "/api/v1/admin/permissions", headers=bearer(user)).problem(403, "forbidden")
