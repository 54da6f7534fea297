"""Sign-in, refresh, sign-out and who-am-I through the real binary."""
import json
import time

from harness import check
from test_jobs import AUTH, TOKEN

FAST = ["--argon2-memory", "8MiB", "--argon2-iterations", "1"]
PASSWORD = "correct horse battery staple 8472"


def make_user(env, s, email, admin=False, role=None):
    extra = {"MARQUEE_DATA_DIR": s.data_dir, "MARQUEE_ARGON2_MEMORY": "8MiB",
             "MARQUEE_ARGON2_ITERATIONS": "1"}
    if s.database_url:
        extra["MARQUEE_DATABASE_URL"] = s.database_url
    args = ["user", "create", "--email", email, "--password-stdin"] + (["--admin"] if admin else [])
    args += ["--role", role] if role else []
    r = env.run_cli(args, env=extra, input=PASSWORD + "\n")
    check(r.returncode == 0, r.stderr)


def jpost(s, path, body, headers=None):
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    return s.request("POST", path, body=json.dumps(body), headers=h)


def login(s, email, password=PASSWORD):
    return jpost(s, "/api/v1/auth/login", {"email": email, "password": password})


def bearer(token):
    return {"Authorization": "Bearer " + token}


def test_sign_in_refresh_and_out(env):
    with env.server(args=FAST, env={"MARQUEE_ADMIN_TOKEN": TOKEN}) as s:
        make_user(env, s, "Ada@Example.org")
        r = login(s, "ada@example.org")
        check(r.status == 200, r.body)
        t = r.json()
        check(t["token_type"] == "Bearer" and t["expires_in"] == 900 and t["refresh_token"].startswith("mqr_"), t)
        me = s.request("GET", "/api/v1/users/me", headers=bearer(t["access_token"]))
        check(me.status == 200 and me.json()["email"] == "Ada@Example.org", me.body)
        check(me.json()["session_id"] == t["session_id"] and me.json()["roles"] == ["user"])
        s.request("GET", "/api/v1/users/me").problem(401, "unauthorized")
        r = s.request("GET", "/api/v1/users/me", headers=bearer("eyJhbGciOiJub25lIn0.e30."))
        r.problem(401, "unauthorized")
        check(r.header("www-authenticate").startswith("Bearer"), r.headers)

        r2 = jpost(s, "/api/v1/auth/refresh", {"refresh_token": t["refresh_token"]})
        check(r2.status == 200, r2.body)
        t2 = r2.json()
        check(t2["refresh_token"] != t["refresh_token"] and t2["session_id"] == t["session_id"])
        check(s.request("GET", "/api/v1/users/me", headers=bearer(t2["access_token"])).status == 200)
        # The spent token again: the session ends, for every token of it.
        jpost(s, "/api/v1/auth/refresh", {"refresh_token": t["refresh_token"]}).problem(401, "invalid_refresh_token")
        s.request("GET", "/api/v1/users/me", headers=bearer(t2["access_token"])).problem(401)
        jpost(s, "/api/v1/auth/refresh", {"refresh_token": t2["refresh_token"]}).problem(401)
        time.sleep(0.3)
        reuse = s.request("GET", "/api/v1/admin/audit-logs?action=token.reuse", headers=AUTH).json()
        check(len(reuse["items"]) == 1 and reuse["items"][0]["actor"]["kind"] == "user", reuse)

        # Sign-out with only the access token takes effect at once.
        t3 = login(s, "ada@example.org").json()
        check(s.request("POST", "/api/v1/auth/logout", headers=bearer(t3["access_token"])).status == 204)
        s.request("GET", "/api/v1/users/me", headers=bearer(t3["access_token"])).problem(401)
        # Or with the refresh token.
        t4 = login(s, "ada@example.org").json()
        check(jpost(s, "/api/v1/auth/logout", {"refresh_token": t4["refresh_token"]}).status == 204)
        jpost(s, "/api/v1/auth/refresh", {"refresh_token": t4["refresh_token"]}).problem(401)
        jpost(s, "/api/v1/auth/login", {"email": 5}).problem(400, "invalid_body")
        s.stop()
        text = "\n".join(s.lines)
        check(PASSWORD not in text and t["refresh_token"] not in text and t["access_token"] not in text)


def test_ended_sessions_are_told(env):
    """Every way a session ends publishes session.revoked after its
    transaction commits (counted on /metrics); a refused attempt, none."""
    from test_http import metric
    with env.server(args=FAST) as s:
        make_user(env, s, "ada@example.org")
        t = login(s, "ada@example.org").json()
        check(s.request("POST", "/api/v1/auth/logout", headers=bearer(t["access_token"])).status == 204)
        t = login(s, "ada@example.org").json()
        check(jpost(s, "/api/v1/auth/logout", {"refresh_token": t["refresh_token"]}).status == 204)
        jpost(s, "/api/v1/auth/logout", {"refresh_token": "mqr_" + "A" * 43}).problem(401)
        t = login(s, "ada@example.org").json()
        r = jpost(s, "/api/v1/auth/refresh", {"refresh_token": t["refresh_token"]})
        check(r.status == 200, r.body)
        jpost(s, "/api/v1/auth/refresh", {"refresh_token": t["refresh_token"]}).problem(401)
        text = s.request("GET", "/metrics").body.decode()
        check(metric(text, "marquee_events_total", kind="session.revoked") == 3, text)


def test_refusals_look_alike_and_lock(env):
    with env.server(args=FAST, env={"MARQUEE_ADMIN_TOKEN": TOKEN}) as s:
        make_user(env, s, "ada@example.org")
        unknown = login(s, "nobody@example.org").problem(401, "invalid_credentials")
        wrong = login(s, "ada@example.org", "not the password at all").problem(401, "invalid_credentials")
        check({k: v for k, v in unknown.items() if k != "request_id"} ==
              {k: v for k, v in wrong.items() if k != "request_id"}, (unknown, wrong))
        for _ in range(4):
            login(s, "ada@example.org", "not the password at all").problem(401)
        # Locked now: the right password is refused the same way.
        login(s, "ada@example.org").problem(401, "invalid_credentials")
        time.sleep(0.3)
        acts = [e["action"] for e in s.request("GET", "/api/v1/admin/audit-logs?limit=50",
                                                headers=AUTH).json()["items"]]
        check("login.lockout" in acts and "login.locked" in acts and acts.count("login.failed") >= 5, acts)
        s.wait_log("locked after repeated failed sign-ins")


def test_login_rate_limit(env):
    with env.server(args=FAST + ["--rate-limit-login", "3/min"]) as s:
        make_user(env, s, "ada@example.org")
        codes = [login(s, "ada@example.org", "wrong password, wrong").status for _ in range(4)]
        check(codes == [401, 401, 401, 429], codes)
        r = login(s, "ada@example.org")
        r.problem(429, "rate_limited")
        check(r.header("retry-after") and r.header("ratelimit-policy") == "3;w=60", r.headers)


def test_admin_session_opens_admin_routes(env):
    with env.server(args=FAST) as s:  # no bootstrap token at all
        make_user(env, s, "root@example.org", admin=True)
        make_user(env, s, "guest@example.org")
        admin = login(s, "root@example.org").json()["access_token"]
        user = login(s, "guest@example.org").json()["access_token"]
        r = s.request("GET", "/api/v1/admin/jobs", headers=bearer(admin))
        check(r.status == 200, r.body)
        s.request("GET", "/api/v1/admin/jobs", headers=bearer(user)).problem(403, "forbidden")
        s.request("GET", "/api/v1/admin/jobs", headers=bearer("no-such-token")).problem(403, "admin_api_closed")
        time.sleep(0.3)
        items = s.request("GET", "/api/v1/admin/audit-logs?action=authz.forbidden",
                          headers=bearer(admin)).json()["items"]
        check(len(items) == 1, items)


def test_sessions_list_and_revoke(env):
    with env.server(args=FAST, env={"MARQUEE_ADMIN_TOKEN": TOKEN}) as s:
        make_user(env, s, "ada@example.org")
        make_user(env, s, "bob@example.org")
        ada = {}
        for device in ["phone", "tv", "laptop"]:
            r = jpost(s, "/api/v1/auth/login", {"email": "ada@example.org", "password": PASSWORD,
                                                "device_name": device},
                      headers={"User-Agent": "Marquee-Test/1 (%s)" % device})
            check(r.status == 200, r.body)
            ada[device] = r.json()
        bob = login(s, "bob@example.org").json()
        me = bearer(ada["laptop"]["access_token"])

        seen, cursor = [], None
        while True:
            doc = s.request("GET", "/api/v1/sessions?limit=2" + ("&cursor=" + cursor if cursor else ""),
                            headers=me).json()
            seen += doc["items"]
            cursor = doc["next_cursor"]
            if not cursor:
                break
        check(sorted(x["device_name"] for x in seen) == ["laptop", "phone", "tv"], seen)
        check([x["device_name"] for x in seen if x["current"]] == ["laptop"], seen)
        laptop = [x for x in seen if x["current"]][0]
        check(laptop["ip"] == "127.0.0.1" and laptop["user_agent"] == "Marquee-Test/1 (laptop)", laptop)
        check(laptop["created_at"].endswith("Z") and laptop["last_seen_at"] and laptop["expires_at"], laptop)
        s.request("GET", "/api/v1/sessions?cursor=bm90LWEtdXVpZA", headers=me).problem(400, "invalid_cursor")
        s.request("GET", "/api/v1/sessions").problem(401, "unauthorized")

        # Someone else's session is as unknown as a made-up one.
        s.request("DELETE", "/api/v1/sessions/" + bob["session_id"], headers=me).problem(404, "session_not_found")
        s.request("DELETE", "/api/v1/sessions/x'%20OR%201=1--", headers=me).problem(404, "session_not_found")
        check(s.request("GET", "/api/v1/users/me", headers=bearer(bob["access_token"])).status == 200)

        check(s.request("DELETE", "/api/v1/sessions/" + ada["phone"]["session_id"], headers=me).status == 204)
        s.request("GET", "/api/v1/users/me", headers=bearer(ada["phone"]["access_token"])).problem(401)
        jpost(s, "/api/v1/auth/refresh", {"refresh_token": ada["phone"]["refresh_token"]}).problem(401)
        s.request("DELETE", "/api/v1/sessions/" + ada["phone"]["session_id"], headers=me).problem(404)

        check(s.request("DELETE", "/api/v1/sessions", headers=me).status == 204)
        s.request("GET", "/api/v1/users/me", headers=bearer(ada["tv"]["access_token"])).problem(401)
        check(s.request("GET", "/api/v1/users/me", headers=me).status == 200)
        check(s.request("GET", "/api/v1/users/me", headers=bearer(bob["access_token"])).status == 200)
        doc = s.request("GET", "/api/v1/sessions", headers=me).json()
        check([x["device_name"] for x in doc["items"]] == ["laptop"] and doc["next_cursor"] is None, doc)

        time.sleep(0.3)
        log = s.request("GET", "/api/v1/admin/audit-logs?action=session.revoke", headers=AUTH).json()
        check([e["target"]["id"] for e in log["items"]] == [ada["phone"]["session_id"]], log)
        log = s.request("GET", "/api/v1/admin/audit-logs?action=session.revoke_others", headers=AUTH).json()
        check(len(log["items"]) == 1 and log["items"][0]["details"] == {"ended": 1}, log)


def test_own_jobs(env):
    from test_jobs import cli
    with env.server(args=FAST, env={"MARQUEE_ADMIN_TOKEN": TOKEN}) as s:
        make_user(env, s, "ada@example.org")
        make_user(env, s, "bob@example.org")
        ada = login(s, "ada@example.org").json()
        bob = login(s, "bob@example.org").json()
        ada_id = s.request("GET", "/api/v1/users/me", headers=bearer(ada["access_token"])).json()["id"]

        def enqueue(*extra):
            r = cli(env, s, "enqueue", "report.build", "--delay", "3600", "--payload",
                    '{"path": "/srv/secret"}', *extra)
            check(r.returncode == 0, r.stderr)
            return json.loads(r.stdout)["id"]

        mine, nobodys = enqueue("--owner", ada_id), enqueue()
        r = s.request("GET", "/api/v1/jobs/" + mine, headers=bearer(ada["access_token"]))
        check(r.status == 200, r.body)
        doc = r.json()
        check(doc["id"] == mine and doc["state"] == "available" and doc["kind"] == "report.build", doc)
        check(not {"payload", "queue", "last_error", "leased_by", "owner_id"} & set(doc), doc)
        check(b"/srv/secret" not in (r.body if isinstance(r.body, bytes) else r.body.encode()))
        s.request("GET", "/api/v1/jobs/" + mine, headers=bearer(bob["access_token"])).problem(404, "job_not_found")
        s.request("GET", "/api/v1/jobs/" + nobodys, headers=bearer(ada["access_token"])).problem(404, "job_not_found")
        s.request("GET", "/api/v1/jobs/not-a-uuid", headers=bearer(ada["access_token"])).problem(404, "job_not_found")
        s.request("GET", "/api/v1/jobs/" + mine).problem(401, "unauthorized")
        r = cli(env, s, "enqueue", "report.build", "--owner", "'; DROP TABLE jobs; --")
        check(r.returncode == 2, (r.returncode, r.stderr))


def test_own_activity(env):
    with env.server(args=FAST, env={"MARQUEE_ADMIN_TOKEN": TOKEN}) as s:
        make_user(env, s, "ada@example.org")
        make_user(env, s, "bob@example.org")
        login(s, "ada@example.org", "not the password at all").problem(401, "invalid_credentials")
        ada = login(s, "ada@example.org").json()
        login(s, "bob@example.org").json()
        me = bearer(ada["access_token"])
        time.sleep(0.3)  # the audit writer works in batches
        seen, cursor = [], None
        while True:
            r = s.request("GET", "/api/v1/users/me/activity?limit=1" + ("&cursor=" + cursor if cursor else ""),
                          headers=me)
            check(r.status == 200, r.body)
            seen += r.json()["items"]
            cursor = r.json()["next_cursor"]
            if not cursor:
                break
        # Their own actions, and what was done to their account (made by the CLI).
        check([e["action"] for e in seen] == ["login.success", "login.failed", "user.created"], seen)
        check(all(e["ip"] == "127.0.0.1" for e in seen[:2]), seen)
        check(not {"hash", "prev_hash", "seq", "actor", "request_id"} & set(seen[0]), seen[0])
        doc = s.request("GET", "/api/v1/users/me/activity?action=login.failed", headers=me).json()
        check([e["action"] for e in doc["items"]] == ["login.failed"], doc)
        s.request("GET", "/api/v1/users/me/activity?from=yesterday", headers=me).problem(400, "invalid_filter")
        s.request("GET", "/api/v1/users/me/activity?cursor=LTE", headers=me).problem(400, "invalid_cursor")
        s.request("GET", "/api/v1/users/me/activity").problem(401, "unauthorized")
