"""Roles, API keys and the admin routes over accounts, with the hostile
cases of issue 6: user A cannot touch user B's objects by id, a read-scoped
key cannot write, a revoked or expired key and a suspended user's tokens
fail at once, impersonation cannot escalate, privilege changes apply on the
next request, the last admin stays, a moderator cannot make itself admin."""
import json
import time
import uuid

from harness import check
from test_auth import FAST, PASSWORD, bearer, jpost, login, make_user


def call(s, method, path, token, body=None, headers=None):
    h = bearer(token) if token else {}
    h.update(headers or {})
    if body is not None:
        h["Content-Type"] = "application/json"
        return s.request(method, path, body=json.dumps(body), headers=h)
    return s.request(method, path, headers=h)


def user_id(s, admin, email):
    items = call(s, "GET", "/api/v1/admin/users?q=" + email, admin).json()["items"]
    check(len(items) == 1, items)
    return items[0]["id"]


def setup(env, s, *members):
    make_user(env, s, "root@example.org", admin=True)
    for m in members:
        make_user(env, s, m)
    admin = login(s, "root@example.org").json()["access_token"]
    return admin, [login(s, m).json()["access_token"] for m in members]


def test_custom_roles_and_several_per_user(env):
    with env.server(args=FAST) as s:
        admin, (ada,) = setup(env, s, "ada@example.org")
        ada_id = user_id(s, admin, "ada@example.org")
        # Bad roles are refused with stable codes; built-in ones stay as they are.
        call(s, "POST", "/api/v1/admin/roles", admin, {"name": "Bad Name", "permissions": []}).problem(422, "invalid_role_name")
        call(s, "POST", "/api/v1/admin/roles", admin, {"name": "x1", "permissions": ["nothing:*"]}).problem(422, "invalid_permissions")
        call(s, "POST", "/api/v1/admin/roles", admin, {"name": "x1", "permissions": "audit:read"}).problem(422, "invalid_permissions")
        call(s, "POST", "/api/v1/admin/roles", admin, {"name": "admin", "permissions": []}).problem(409, "role_exists")
        call(s, "PATCH", "/api/v1/admin/roles/user", admin, {"permissions": ["*:*"]}).problem(409, "builtin_role")
        call(s, "DELETE", "/api/v1/admin/roles/guest", admin).problem(409, "builtin_role")
        call(s, "PATCH", "/api/v1/admin/roles/nope", admin, {"permissions": []}).problem(404, "role_not_found")

        r = call(s, "POST", "/api/v1/admin/roles", admin,
                 {"name": "auditor", "description": "reads the log", "permissions": ["audit:read", "audit:read"]})
        check(r.status == 201 and r.json()["permissions"] == ["audit:read"] and not r.json()["builtin"], r.body)
        call(s, "POST", "/api/v1/admin/roles", admin, {"name": "auditor", "permissions": []}).problem(409, "role_exists")
        names = [x["name"] for x in call(s, "GET", "/api/v1/admin/roles", admin).json()["items"]]
        check(names == ["admin", "moderator", "user", "guest", "auditor"], names)

        call(s, "GET", "/api/v1/admin/audit-logs", ada).problem(403, "forbidden")
        r = call(s, "POST", "/api/v1/admin/users/%s/roles" % ada_id, admin, {"role": "auditor"})
        check(r.status == 201, r.body)
        # The next request sees it; the member holds both roles.
        check(call(s, "GET", "/api/v1/admin/audit-logs", ada).status == 200, "granted")
        mine = call(s, "GET", "/api/v1/users/me/roles", ada).json()
        check([x["name"] for x in mine["items"]] == ["auditor", "user"] and "audit:read" in mine["permissions"], mine)
        holders = call(s, "GET", "/api/v1/admin/roles/auditor/users", admin).json()["items"]
        check([h["id"] for h in holders] == [ada_id], holders)

        # Changing the role changes what its holders may do, at once.
        r = call(s, "PATCH", "/api/v1/admin/roles/auditor", admin, {"permissions": ["jobs:read"]})
        check(r.status == 200 and r.json()["members"] == 1, r.body)
        call(s, "GET", "/api/v1/admin/audit-logs", ada).problem(403, "forbidden")
        check(call(s, "GET", "/api/v1/admin/jobs", ada).status == 200, "jobs:read")
        # Deleting it takes it from everyone.
        check(call(s, "DELETE", "/api/v1/admin/roles/auditor", admin).status == 204, "deleted")
        call(s, "GET", "/api/v1/admin/jobs", ada).problem(403, "forbidden")
        call(s, "POST", "/api/v1/admin/users/%s/roles" % ada_id, admin, {"role": "auditor"}).problem(422, "unknown_role")
        call(s, "DELETE", "/api/v1/admin/users/%s/roles/auditor" % ada_id, admin).problem(404, "role_not_held")
        time.sleep(0.3)
        acts = [e["action"] for e in call(s, "GET", "/api/v1/admin/audit-logs?target=auditor", admin).json()["items"]]
        check({"role.create", "role.update", "role.delete"} <= set(acts), acts)


def test_the_last_admin_stays_and_a_moderator_cannot_climb(env):
    with env.server(args=FAST) as s:
        admin, (ada,) = setup(env, s, "ada@example.org")
        root_id = user_id(s, admin, "root@example.org")
        ada_id = user_id(s, admin, "ada@example.org")
        call(s, "DELETE", "/api/v1/admin/users/%s/roles/admin" % root_id, admin).problem(409, "last_admin")
        call(s, "PATCH", "/api/v1/admin/users/%s" % root_id, admin, {"roles": ["user"]}).problem(409, "last_admin")
        call(s, "POST", "/api/v1/admin/users/%s/disable" % root_id, admin).problem(409, "not_yourself")

        # A moderator (users:update) cannot make itself admin, nor touch an admin.
        check(call(s, "PATCH", "/api/v1/admin/users/%s" % ada_id, admin, {"roles": ["user", "moderator"]}).status == 200, "mod")
        call(s, "POST", "/api/v1/admin/users/%s/roles" % ada_id, ada, {"role": "admin"}).problem(403, "not_within_yours")
        call(s, "POST", "/api/v1/admin/users/%s/disable" % root_id, ada).problem(403, "not_within_yours")
        call(s, "DELETE", "/api/v1/admin/users/%s/roles/admin" % root_id, ada).problem(403, "not_within_yours")
        call(s, "POST", "/api/v1/admin/roles", ada, {"name": "climb", "permissions": ["*:*"]}).problem(403, "forbidden")
        # Demoted: the next request knows.
        check(call(s, "DELETE", "/api/v1/admin/users/%s/roles/moderator" % ada_id, admin).status == 204, "demote")
        call(s, "GET", "/api/v1/admin/users", ada).problem(403, "forbidden")


def test_api_keys(env):
    with env.server(args=FAST) as s:
        admin, (ada, bob) = setup(env, s, "ada@example.org", "bob@example.org")
        ada_id = user_id(s, admin, "ada@example.org")
        call(s, "POST", "/api/v1/users/me/api-keys", ada, {"name": "x", "scopes": ["audit:read"]}).problem(422, "scope_not_held")
        call(s, "POST", "/api/v1/users/me/api-keys", ada, {"name": "x", "scopes": []}).problem(422, "invalid_scopes")
        call(s, "POST", "/api/v1/users/me/api-keys", ada, {"name": "x", "scopes": ["self:read"],
             "expires_at": "2001-01-01T00:00:00Z"}).problem(422, "invalid_expiry")
        call(s, "POST", "/api/v1/users/me/api-keys", ada, {"name": "x", "scopes": ["self:read"], "rate_limit": "lots"}).problem(422, "invalid_rate_limit")
        r = call(s, "POST", "/api/v1/users/me/api-keys", ada, {"name": "script", "scopes": ["self:read"]})
        check(r.status == 201 and r.header("Cache-Control") == "no-store", r.body)
        key = r.json()
        check(key["key"].startswith("mq_") and len(key["key"]) == 79 and key["scopes"] == ["self:read"], key)
        listed = call(s, "GET", "/api/v1/users/me/api-keys", ada).json()["items"]
        check(len(listed) == 1 and "key" not in listed[0], listed)

        # Bearer and X-Api-Key both work; a read-scoped key cannot write.
        me = s.request("GET", "/api/v1/users/me", headers=bearer(key["key"]))
        check(me.status == 200 and me.json()["id"] == ada_id and me.json()["session_id"] is None, me.body)
        check(s.request("GET", "/api/v1/users/me/preferences", headers={"X-Api-Key": key["key"]}).status == 200, "x-api-key")
        call(s, "PATCH", "/api/v1/users/me/preferences", key["key"], {"theme": "dark"}).problem(403, "forbidden")
        # Not from the query string of an ordinary route.
        s.request("GET", "/api/v1/users/me?api_key=" + key["key"]).problem(401, "unauthorized")
        # A key cannot make keys, change the password or the factors.
        call(s, "POST", "/api/v1/users/me/api-keys", key["key"], {"name": "y", "scopes": ["self:read"]}).problem(403, "own_session_required")
        # A wrong secret with a real id fails like junk.
        wrong = key["key"][:-4] + ("AAAA" if not key["key"].endswith("AAAA") else "BBBB")
        s.request("GET", "/api/v1/users/me", headers=bearer(wrong)).problem(401, "unauthorized")
        s.request("GET", "/api/v1/users/me", headers={"X-Api-Key": "mq_' OR 1=1 --"}).problem(401, "unauthorized")
        time.sleep(0.2)
        used = call(s, "GET", "/api/v1/users/me/api-keys", ada).json()["items"][0]
        check(used["last_used_at"] and used["last_used_ip"] == "127.0.0.1", used)

        # Bob cannot see, change or revoke Ada's key: 404 as for no key at all.
        call(s, "PATCH", "/api/v1/users/me/api-keys/" + key["id"], bob, {"name": "mine"}).problem(404, "api_key_not_found")
        call(s, "DELETE", "/api/v1/users/me/api-keys/" + key["id"], bob).problem(404, "api_key_not_found")
        check(call(s, "GET", "/api/v1/users/me/api-keys", bob).json()["items"] == [], "bob sees none")
        ada_sessions = call(s, "GET", "/api/v1/sessions", ada).json()["items"]
        call(s, "DELETE", "/api/v1/sessions/" + ada_sessions[0]["id"], bob).problem(404, "session_not_found")

        # Revocation is immediate.
        r = call(s, "PATCH", "/api/v1/users/me/api-keys/" + key["id"], ada, {"name": "renamed", "rate_limit": "2/min"})
        check(r.status == 200 and r.json()["name"] == "renamed" and r.json()["rate_limit"] == "2/min", r.body)
        check(call(s, "DELETE", "/api/v1/users/me/api-keys/" + key["id"], ada).status == 204, "revoked")
        s.request("GET", "/api/v1/users/me", headers=bearer(key["key"])).problem(401, "unauthorized")

        # Its own rate limit.
        k2 = call(s, "POST", "/api/v1/users/me/api-keys", ada, {"name": "slow", "scopes": ["self:read"], "rate_limit": "2/min"}).json()["key"]
        codes = [s.request("GET", "/api/v1/users/me", headers=bearer(k2)).status for _ in range(3)]
        check(codes == [200, 200, 429], codes)

        # Scopes are checked again at use: demoted below them, the key stops.
        mod_key = None
        check(call(s, "POST", "/api/v1/admin/users/%s/roles" % ada_id, admin, {"role": "moderator"}).status == 201, "mod")
        mod_key = call(s, "POST", "/api/v1/users/me/api-keys", ada, {"name": "m", "scopes": ["users:read"]}).json()["key"]
        check(s.request("GET", "/api/v1/admin/users", headers=bearer(mod_key)).status == 200, "users:read")
        call(s, "DELETE", "/api/v1/admin/users/%s/roles/moderator" % ada_id, admin)
        s.request("GET", "/api/v1/admin/users", headers=bearer(mod_key)).problem(403, "forbidden")


def test_an_expired_key_fails(env):
    with env.server(args=FAST) as s:
        admin, (ada,) = setup(env, s, "ada@example.org")
        soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))
        k = call(s, "POST", "/api/v1/users/me/api-keys", ada, {"name": "short", "scopes": ["self:read"], "expires_at": soon}).json()
        check(s.request("GET", "/api/v1/users/me", headers=bearer(k["key"])).status == 200, "live")
        time.sleep(2.5)
        doc = s.request("GET", "/api/v1/users/me", headers=bearer(k["key"])).problem(401, "unauthorized")
        check("expired" in doc["detail"], doc)


def test_a_key_from_the_query_only_on_images(env):
    with env.server(args=FAST) as s:
        admin, (ada,) = setup(env, s, "ada@example.org")
        ada_id = user_id(s, admin, "ada@example.org")
        k = call(s, "POST", "/api/v1/users/me/api-keys", ada, {"name": "player", "scopes": ["media:read"]}).json()["key"]
        # The avatar route takes ?api_key= (no picture yet: 404, but not 401).
        r = s.request("GET", "/api/v1/users/%s/avatar?api_key=%s" % (ada_id, k))
        check(r.status == 404, r.body)
        s.request("GET", "/api/v1/users/%s/avatar" % ada_id).problem(401, "unauthorized")


def test_disabling_kills_sessions_and_keys_at_once(env):
    with env.server(args=FAST) as s:
        admin, (ada,) = setup(env, s, "ada@example.org")
        ada_id = user_id(s, admin, "ada@example.org")
        k = call(s, "POST", "/api/v1/users/me/api-keys", ada, {"name": "k", "scopes": ["self:read"]}).json()["key"]
        r = call(s, "POST", "/api/v1/admin/users/%s/disable" % ada_id, admin)
        check(r.status == 200 and r.json()["status"] == "disabled", r.body)
        s.request("GET", "/api/v1/users/me", headers=bearer(ada)).problem(401, "unauthorized")
        s.request("GET", "/api/v1/users/me", headers=bearer(k)).problem(401, "unauthorized")
        login(s, "ada@example.org").problem(401)
        r = call(s, "POST", "/api/v1/admin/users/%s/enable" % ada_id, admin)
        check(r.status == 200 and r.json()["status"] == "active", r.body)
        # The keys stay dead: suspension killed them, reinstating does not revive them.
        s.request("GET", "/api/v1/users/me", headers=bearer(k)).problem(401, "unauthorized")
        check(login(s, "ada@example.org").status == 200, "signs in again")
        time.sleep(0.3)
        acts = call(s, "GET", "/api/v1/admin/audit-logs?target=" + ada_id, admin).json()["items"]
        d = [e for e in acts if e["action"] == "admin.user_disable"][0]["details"]
        check(d["before"]["status"] == "active" and d["after"]["status"] == "disabled"
              and "example.org" not in json.dumps(d), d)


def test_admin_lists_reads_changes_and_erases(env):
    with env.server(args=FAST) as s:
        admin, toks = setup(env, s, "ada@example.org", "bob@example.org", "cy@example.org")
        ids = {m: user_id(s, admin, m) for m in ("ada@example.org", "bob@example.org", "cy@example.org")}
        page1 = call(s, "GET", "/api/v1/admin/users?limit=2&sort=created", admin).json()
        check(len(page1["items"]) == 2 and page1["next_cursor"], page1)
        page2 = call(s, "GET", "/api/v1/admin/users?limit=2&sort=created&cursor=" + page1["next_cursor"], admin).json()
        emails = [u["email"] for u in page1["items"] + page2["items"]]
        check(emails == ["root@example.org", "ada@example.org", "bob@example.org", "cy@example.org"] and not page2["next_cursor"], emails)
        by_name = [u["display_name"] for u in call(s, "GET", "/api/v1/admin/users?sort=-name", admin).json()["items"]]
        check(by_name == sorted(by_name, reverse=True), by_name)
        check([u["email"] for u in call(s, "GET", "/api/v1/admin/users?role=admin", admin).json()["items"]] == ["root@example.org"], "role")
        check(call(s, "GET", "/api/v1/admin/users?q=%25", admin).json()["items"] == [], "q is literal")
        check(len(call(s, "GET", "/api/v1/admin/users?q=EXAMPLE.ORG&sort=last_login", admin).json()["items"]) == 4, "q any case")
        call(s, "GET", "/api/v1/admin/users?sort=password", admin).problem(400, "invalid_filter")
        call(s, "GET", "/api/v1/admin/users?status=weird", admin).problem(400, "invalid_filter")
        call(s, "GET", "/api/v1/admin/users?cursor=bm9wZQ", admin).problem(400, "invalid_cursor")
        call(s, "GET", "/api/v1/admin/users/" + str(uuid.uuid4()), admin).problem(404, "user_not_found")
        call(s, "GET", "/api/v1/admin/users/not-an-id", admin).problem(404, "user_not_found")

        one = call(s, "GET", "/api/v1/admin/users/" + ids["ada@example.org"], admin).json()
        check(one["roles"] == ["user"] and len(one["sessions"]) == 1 and "self:*" in one["permissions"], one)
        r = call(s, "PATCH", "/api/v1/admin/users/" + ids["ada@example.org"], admin,
                 {"display_name": "Ada L.", "roles": ["user", "moderator"]})
        check(r.status == 200 and r.json()["display_name"] == "Ada L." and r.json()["roles"] == ["moderator", "user"], r.body)
        call(s, "PATCH", "/api/v1/admin/users/" + ids["ada@example.org"], admin, {"email": "bob@example.org"}).problem(409, "email_taken")
        call(s, "PATCH", "/api/v1/admin/users/" + ids["ada@example.org"], admin, {"password": "x"}).problem(400, "invalid_body")
        call(s, "PATCH", "/api/v1/admin/users/" + ids["ada@example.org"], admin, {"roles": ["wizard"]}).problem(422, "unknown_role")
        check(call(s, "GET", "/api/v1/admin/users?status=active", admin).status == 200, "status")

        # Erasure: the account is gone, the audit log keeps only its id.
        check(call(s, "DELETE", "/api/v1/admin/users/" + ids["cy@example.org"], admin).status == 204, "erased")
        call(s, "GET", "/api/v1/admin/users/" + ids["cy@example.org"], admin).problem(404, "user_not_found")
        s.request("GET", "/api/v1/users/me", headers=bearer(toks[2])).problem(401, "unauthorized")
        login(s, "cy@example.org").problem(401)
        time.sleep(0.3)
        export = s.request("GET", "/api/v1/admin/audit-logs/export", headers=bearer(admin)).body.decode()
        check("cy@example.org" not in export and ids["cy@example.org"] in export, "pseudonymous")


def test_impersonation(env):
    with env.server(args=FAST) as s:
        admin, (ada,) = setup(env, s, "ada@example.org")
        make_user(env, s, "root2@example.org", admin=True)
        ada_id = user_id(s, admin, "ada@example.org")
        root2 = user_id(s, admin, "root2@example.org")
        root_id = user_id(s, admin, "root@example.org")
        call(s, "POST", "/api/v1/admin/users/%s/impersonate" % root2, admin).problem(403, "target_is_admin")
        call(s, "POST", "/api/v1/admin/users/%s/impersonate" % ada_id, ada).problem(403, "forbidden")
        r = call(s, "POST", "/api/v1/admin/users/%s/impersonate" % ada_id, admin)
        check(r.status == 200 and r.json()["expires_in"] > 0, r.body)
        tok = r.json()["access_token"]
        import base64
        claims = json.loads(base64.urlsafe_b64decode(tok.split(".")[1] + "=="))
        check(claims["sub"] == ada_id and claims["act"] == {"sub": root_id}, claims)
        me = call(s, "GET", "/api/v1/users/me", tok).json()
        check(me["id"] == ada_id and me["act"] == {"sub": root_id}, me)
        # It acts as Ada, no more: no admin route, no credentials, no keys.
        call(s, "GET", "/api/v1/admin/users", tok).problem(403, "forbidden")
        call(s, "POST", "/api/v1/users/me/api-keys", tok, {"name": "k", "scopes": ["self:read"]}).problem(403, "own_session_required")
        call(s, "POST", "/api/v1/users/me/change-password", tok, {"current_password": PASSWORD, "new_password": "another long passphrase"}).problem(403, "own_session_required")
        call(s, "POST", "/api/v1/mfa/totp/setup", tok, {}).problem(403, "own_session_required")
        call(s, "POST", "/api/v1/admin/users/%s/impersonate" % ada_id, tok).problem(403, "own_session_required")
        # Ada sees it in her activity.
        time.sleep(0.3)
        acts = call(s, "GET", "/api/v1/users/me/activity", ada).json()["items"]
        check(any(e["action"] == "admin.user_impersonate" for e in acts), acts)
        # A moderator with a custom impersonate right still cannot act as someone above it.
        call(s, "POST", "/api/v1/admin/roles", admin, {"name": "helper", "permissions": ["users:impersonate", "users:read"]})
        make_user(env, s, "mod@example.org", role="moderator,user,helper")
        mod = login(s, "mod@example.org").json()["access_token"]
        make_user(env, s, "boss@example.org", role="user,moderator")
        boss = user_id(s, admin, "boss@example.org")
        check(call(s, "POST", "/api/v1/admin/users/%s/impersonate" % ada_id, mod).status == 200, "within")
        check(call(s, "POST", "/api/v1/admin/users/%s/impersonate" % boss, mod).status == 200, "equal")
        call(s, "POST", "/api/v1/admin/users/%s/roles" % boss, admin, {"role": "auditor-x"}).problem(422, "unknown_role")
        call(s, "POST", "/api/v1/admin/roles", admin, {"name": "extra", "permissions": ["jobs:read"]})
        call(s, "POST", "/api/v1/admin/users/%s/roles" % boss, admin, {"role": "extra"})
        call(s, "POST", "/api/v1/admin/users/%s/impersonate" % boss, mod).problem(403, "not_within_yours")
