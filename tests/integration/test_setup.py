"""POST /api/v1/setup: the first admin, with the token the server logs."""
import json
import re
import threading
import time

from harness import check
from test_jobs import AUTH, TOKEN

FAST_HASH = ["--argon2-memory", "8MiB", "--argon2-iterations", "1"]
PASSWORD = "correct horse battery staple 8472"


def setup_token(s):
    line = s.wait_log("no account exists yet")
    m = re.search(r"token=([A-Za-z0-9_-]{43})\b", line)
    check(m, line)
    return m.group(1)


def post(s, body, **kw):
    return s.request("POST", "/api/v1/setup", body=json.dumps(body) if not isinstance(body, str) else body,
                     headers={"Content-Type": "application/json"}, **kw)


def test_first_admin(env):
    s = env.server(args=FAST_HASH, env={"MARQUEE_ADMIN_TOKEN": TOKEN}).start()
    try:
        token = setup_token(s)
        good = {"token": token, "email": "Ada@Example.org", "password": PASSWORD,
                "display_name": "Ada <i>Lovelace</i>"}
        post(s, dict(good, token="x" * 43)).problem(403, "invalid_setup_token")
        post(s, dict(good, token=None)).problem(400, "invalid_body")
        post(s, {k: v for k, v in good.items() if k != "email"}).problem(400, "invalid_body")
        post(s, dict(good, password="password123456")).problem(422, "weak_password")
        post(s, dict(good, email="no-at")).problem(422, "invalid_email")
        post(s, "{").problem(400, "malformed_json")
        r = post(s, good)
        check(r.status == 201, r.body)
        doc = r.json()
        check(doc["email"] == "Ada@Example.org" and doc["roles"] == ["admin"], doc)
        check(doc["display_name"] == "Ada <i>Lovelace</i>", doc)
        post(s, good).problem(409, "already_set_up")
        time.sleep(0.3)
        audit = s.request("GET", "/api/v1/admin/audit-logs?action=setup.failed", headers=AUTH).json()
        check(len(audit["items"]) >= 4, audit)
        check(all(PASSWORD not in json.dumps(e) for e in audit["items"]))
        done = s.request("GET", "/api/v1/admin/audit-logs?action=setup.completed", headers=AUTH).json()
        check(done["items"][0]["target"]["id"] == doc["id"], done)
        check(s.stop() == 0)
        check(PASSWORD not in "\n".join(s.lines))
        data_dir, db = s.data_dir, s.database_url
        s.own_dir = False
    finally:
        s.cleanup()
    again = env.server(args=FAST_HASH, data_dir=data_dir, database_url=db).start()
    try:
        time.sleep(0.3)
        check(not any("no account exists yet" in l for l in again.lines), "token offered again")
        post(again, {"token": token, "email": "b@example.org", "password": PASSWORD}).problem(409)
        check(again.stop() == 0)
    finally:
        again.own_dir = True
        again.cleanup()


def test_hashing_does_not_block_connections(env):
    # One connection thread and a deliberately slow hash: if hashing ran on
    # the connection thread, /healthz would wait for it.
    args = ["--http-threads", "1", "--argon2-memory", "512MiB", "--argon2-iterations", "4"]
    with env.server(args=args) as s:
        token = setup_token(s)
        result = {}

        def do_setup():
            result["r"] = post(s, {"token": token, "email": "a@example.org", "password": PASSWORD},
                               timeout=60)
            result["at"] = time.monotonic()

        t = threading.Thread(target=do_setup)
        t.start()
        time.sleep(0.2)  # the setup request is in, its hashing under way
        served = []
        for _ in range(10):
            check(s.request("GET", "/healthz").status == 200)
            served.append(time.monotonic())
        t.join()
        check(result["r"].status == 201, result["r"].body)
        check(all(at < result["at"] for at in served), "healthz waited for the hash")
