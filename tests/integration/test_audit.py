"""The audit log through the real binary: events recorded, listed, exported,
and the chain verified (and found broken when tampered with)."""
import json
import time
import uuid

from harness import check
from test_jobs import AUTH, TOKEN, cli, enqueue, sql


def entries(s, query=""):
    r = s.request("GET", "/api/v1/admin/audit-logs" + query, headers=AUTH)
    check(r.status == 200, r.body)
    return r.json()


def wait_entries(s, query, n, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        items = entries(s, query)["items"]
        if len(items) >= n:
            return items
        time.sleep(0.05)
    raise AssertionError("fewer than %d entries for %s" % (n, query))


# Refusals anyone can cause fold into one entry per client and window
# (test_hostile.py); a short window lets these tests see them.
FOLD = {"MARQUEE_AUDIT_FOLD_WINDOW": "1s"}


def test_events_are_recorded(env):
    with env.server(env={"MARQUEE_ADMIN_TOKEN": TOKEN, **FOLD}) as s:
        s.request("GET", "/api/v1/admin/jobs", headers={"Authorization": "Bearer wrong-" + TOKEN,
                                                         "User-Agent": "probe/1.0",
                                                         "X-Request-Id": "audit-test-1"})
        [e] = wait_entries(s, "?action=admin.auth_failed", 1)
        check(e["actor"] == {"kind": "anonymous", "id": None}, e)
        check(e["ip"] == "127.0.0.1" and e["user_agent"] == "probe/1.0", e)
        check(e["request_id"] == "audit-test-1" and e["details"]["reason"] == "wrong token", e)
        check(e["details"]["count"] == 1 and e["details"]["first_at"] == e["details"]["last_at"], e)
        check(e["details"]["route"] == "/api/v1/admin/jobs" and e["seq"] == 1, e)
        check(TOKEN not in json.dumps(e), "token in the audit log")

        job = enqueue(env, s, "report.build", "--delay", "3600")
        s.request("POST", "/api/v1/admin/jobs/%s/cancel" % job["id"], headers=AUTH)
        s.request("POST", "/api/v1/admin/jobs/%s/retry" % job["id"], headers=AUTH)
        [r] = wait_entries(s, "?action=job.retry", 1)
        check(r["actor"]["kind"] == "admin_token" and r["target"] == {"type": "job", "id": job["id"]}, r)
        check(len(entries(s, "?target=" + job["id"])["items"]) == 2)
        later = enqueue(env, s, "report.build", "--delay", "3600")
        check(cli(env, s, "cancel", later["id"]).returncode == 0)
        [c] = wait_entries(s, "?action=job.cancel&target=" + later["id"], 1)
        check(c["actor"]["kind"] == "cli" and c["actor"]["id"], c)

        s.stop()
        r = env.run_cli(["audit", "verify"], env={"MARQUEE_DATA_DIR": s.data_dir,
                                                  **({"MARQUEE_DATABASE_URL": s.database_url}
                                                     if s.database_url else {})})
        check(r.returncode == 0 and "audit log intact" in r.stdout, r.stdout + r.stderr)


def test_rate_limit_refusals_are_recorded(env):
    # The flood comes from another client (behind our trusted proxy), so the
    # reader keeps its own allowance.
    with env.server(args=["--rate-limit-default", "30/min", "--trusted-proxies", "127.0.0.1"],
                    env={"MARQUEE_ADMIN_TOKEN": TOKEN, **FOLD}) as s:
        flood = {"X-Forwarded-For": "198.51.100.9"}
        codes = [s.request("GET", "/api/v1/system/info", headers=flood).status for _ in range(35)]
        check(codes.count(429) == 5, codes)
        # Counted, not each written: one entry per window, with the count.
        deadline, refused = time.time() + 10, []
        while time.time() < deadline and sum(e["details"]["count"] for e in refused) < 5:
            time.sleep(0.2)
            refused = entries(s, "?action=rate_limit.rejected&limit=50")["items"]
        check(sum(e["details"]["count"] for e in refused) == 5 and len(refused) <= 2, refused)
        check(all(e["ip"] == "198.51.100.9" for e in refused), refused[0])
        d = refused[0]["details"]
        check({k: d[k] for k in ("method", "path", "policy", "key")} ==
              {"method": "GET", "path": "/api/v1/system/info", "policy": "default",
               "key": "ip:198.51.100.9"}, d)
        check(d["first_at"] <= d["last_at"], d)


def test_list_export_and_tampering(env):
    with env.server(args=["--trusted-proxies", "127.0.0.1"], env={"MARQUEE_ADMIN_TOKEN": TOKEN, **FOLD}) as s:
        # Seven clients, so seven entries (one client's refusals would fold).
        for i in range(7):
            s.request("GET", "/api/v1/admin/jobs", headers={"Authorization": "Bearer no-%d" % i,
                                                             "X-Forwarded-For": "198.51.100.%d" % i})
        items = wait_entries(s, "", 7)
        seqs = [e["seq"] for e in items]
        check(seqs == sorted(seqs, reverse=True), seqs)
        # Pages of 3 cover everything exactly once.
        seen, cursor = [], None
        while True:
            doc = entries(s, "?limit=3" + ("&cursor=" + cursor if cursor else ""))
            seen += [e["seq"] for e in doc["items"]]
            cursor = doc["next_cursor"]
            if not cursor:
                break
        check(sorted(seen) == list(range(1, 8)), seen)
        # Time filters.
        future = "2099-01-01T00:00:00Z"
        check(entries(s, "?from=" + future)["items"] == [])
        check(len(entries(s, "?to=" + future)["items"]) == 7)
        for q in ["?from=yesterday", "?to=2026-11-22", "?action=%00", "?cursor=bm9wZQ"]:
            r = s.request("GET", "/api/v1/admin/audit-logs" + q, headers=AUTH)
            check(r.status == 400, (q, r.status))
        s.request("GET", "/api/v1/admin/audit-logs").problem(401)

        r = s.request("GET", "/api/v1/admin/audit-logs/export", headers=AUTH)
        check(r.status == 200 and r.header("content-type") == "application/x-ndjson", r.headers)
        lines = [json.loads(l) for l in r.body.decode().splitlines()]
        check([l["seq"] for l in lines] == list(range(1, len(lines) + 1)), lines[:3])
        check(all(lines[i]["prev_hash"] == lines[i - 1]["hash"] for i in range(1, len(lines))))
        r = s.request("GET", "/api/v1/admin/audit-logs/export?action=none.such", headers=AUTH)
        check(r.status == 200 and r.body == b"", r.body)

        sql(env, s, "UPDATE audit_log SET ip = '10.6.6.6' WHERE seq = 3")
        s.stop()
        r = env.run_cli(["audit", "verify"], env={"MARQUEE_DATA_DIR": s.data_dir,
                                                  **({"MARQUEE_DATABASE_URL": s.database_url}
                                                     if s.database_url else {})})
        check(r.returncode == 1 and "BROKEN at entry 3" in r.stdout, r.stdout + r.stderr)
