"""The job queue through the real binary: admin API, CLI, workers."""
import json
import os
import sqlite3
import time
import uuid

from harness import backends, check

TOKEN = "adm-" + uuid.uuid4().hex
AUTH = {"Authorization": "Bearer " + TOKEN}
FAST = ["--jobs-poll-interval", "100ms", "--jobs-backoff-base", "50ms", "--jobs-backoff-max", "100ms"]


def jobs_server(env, **kw):
    return env.server(args=FAST, env={"MARQUEE_ADMIN_TOKEN": TOKEN}, **kw)


def cli(env, s, *args):
    extra = {"MARQUEE_DATA_DIR": s.data_dir}
    if s.database_url:
        extra["MARQUEE_DATABASE_URL"] = s.database_url
    return env.run_cli(["jobs"] + list(args), env=extra)


def enqueue(env, s, *args):
    r = cli(env, s, "enqueue", *args)
    check(r.returncode == 0, r.stderr)
    return json.loads(r.stdout)


def get(s, job_id):
    return s.request("GET", "/api/v1/admin/jobs/" + job_id, headers=AUTH)


def wait_state(s, job_id, states, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = get(s, job_id)
        if r.status == 200 and r.json()["state"] in states:
            return r.json()
        time.sleep(0.05)
    raise AssertionError("job %s never reached %s: %s" % (job_id, states, get(s, job_id).body))


def sql(env, s, statement):
    if env.backend == "sqlite":
        db = sqlite3.connect(os.path.join(s.data_dir, "marquee.db"), timeout=10)
        db.execute(statement)
        db.commit()
        db.close()
    else:
        env.psql(s.database_url, statement)


def test_admin_token(env):
    with env.server() as s:  # no token configured: closed
        s.request("GET", "/api/v1/admin/jobs", headers=AUTH).problem(403, "admin_api_closed")
    with jobs_server(env) as s:
        r = s.request("GET", "/api/v1/admin/jobs")
        r.problem(401, "unauthorized")
        check(r.header("www-authenticate").startswith("Bearer"), r.headers)
        s.request("GET", "/api/v1/admin/jobs", headers={"Authorization": "Bearer nope"}).problem(401)
        s.request("GET", "/api/v1/admin/jobs", headers={"Authorization": "Basic " + TOKEN}).problem(401)
        s.request("POST", "/api/v1/admin/jobs/%s/retry" % uuid.uuid4()).problem(401)
        r = s.request("GET", "/api/v1/admin/jobs", headers={"Authorization": "bearer " + TOKEN})
        check(r.status == 200, r.body)
        s.stop()
        check(TOKEN not in "\n".join(s.lines), "token logged")


def test_unknown_kind_and_retry(env):
    with jobs_server(env) as s:
        job = enqueue(env, s, "no.such.kind", "--max-attempts", "1", "--payload", '{"file": "x"}')
        done = wait_state(s, job["id"], ["discarded"])
        check(done["attempt"] == 1 and "unknown job kind" in done["last_error"], done)
        check(done["payload"] == {"file": "x"} and done["finished_at"], done)
        r = s.request("POST", "/api/v1/admin/jobs/%s/retry" % job["id"], headers=AUTH)
        check(r.status == 200 and r.json()["state"] in ("available", "running", "discarded"), r.body)
        check(r.json()["max_attempts"] == 2)
        again = wait_state(s, job["id"], ["discarded"])
        check(again["attempt"] == 2, again)


def test_bad_payload_is_discarded_with_reason(env):
    with jobs_server(env) as s:
        job_id = str(uuid.uuid4())
        now = int(time.time() * 1000)
        sql(env, s, "INSERT INTO jobs (id, kind, queue, state, payload, max_attempts, run_at, "
                    "created_at, updated_at) VALUES ('%s', 'jobs.purge', 'maintenance', "
                    "'available', '{\"broken\": ', 5, %d, %d, %d)" % (job_id, now, now, now))
        done = wait_state(s, job_id, ["discarded"])
        check(done["attempt"] == 1 and "payload is not valid JSON" in done["last_error"], done)
        check(done["payload"] == '{"broken": ', done)  # shown as stored
        check(s.request("GET", "/readyz").status == 200)


def test_cancel_retry_and_purge(env):
    with jobs_server(env) as s:
        later = enqueue(env, s, "jobs.purge", "--queue", "maintenance", "--delay", "3600")
        check(later["state"] == "available")
        r = s.request("POST", "/api/v1/admin/jobs/%s/cancel" % later["id"], headers=AUTH)
        check(r.status == 200 and r.json()["state"] == "cancelled", r.body)
        s.request("POST", "/api/v1/admin/jobs/%s/cancel" % later["id"], headers=AUTH).problem(409, "job_finished")
        r = s.request("POST", "/api/v1/admin/jobs/%s/retry" % later["id"], headers=AUTH)
        check(r.status == 200, r.body)
        wait_state(s, later["id"], ["completed"])
        # An old finished job goes when the purge runs; a fresh one stays.
        old = str(uuid.uuid4())
        long_ago = int(time.time() * 1000) - 30 * 86400 * 1000
        sql(env, s, "INSERT INTO jobs (id, kind, queue, state, payload, attempt, max_attempts, "
                    "run_at, created_at, updated_at, finished_at) VALUES ('%s', 'x', 'default', "
                    "'completed', '{}', 1, 1, %d, %d, %d, %d)" % (old, long_ago, long_ago, long_ago, long_ago))
        check(get(s, old).status == 200)
        purge = enqueue(env, s, "jobs.purge", "--queue", "maintenance")
        wait_state(s, purge["id"], ["completed"])
        get(s, old).problem(404, "job_not_found")
        check(get(s, later["id"]).status == 200)


def test_list_filters_and_pages(env):
    with jobs_server(env) as s:
        ids = [enqueue(env, s, "report.build", "--delay", "3600", "--queue", "reports")["id"]
               for _ in range(5)]
        seen, cursor, pages = [], None, 0
        while True:
            path = "/api/v1/admin/jobs?limit=2&kind=report.build" + ("&cursor=" + cursor if cursor else "")
            doc = s.request("GET", path, headers=AUTH).json()
            seen += [j["id"] for j in doc["items"]]
            pages += 1
            cursor = doc["next_cursor"]
            if not cursor:
                break
        check(pages == 3 and sorted(seen) == sorted(ids) and len(set(seen)) == 5, (pages, seen))
        check(seen == sorted(seen, reverse=True), "not newest first")
        doc = s.request("GET", "/api/v1/admin/jobs?state=available&queue=reports", headers=AUTH).json()
        check(len(doc["items"]) == 5 and doc["next_cursor"] is None)
        doc = s.request("GET", "/api/v1/admin/jobs?state=completed&queue=reports", headers=AUTH).json()
        check(doc == {"items": [], "next_cursor": None}, doc)
        for q, code in [("state=done", "invalid_filter"), ("kind=DROP%20TABLE", "invalid_filter"),
                        ("limit=0", "invalid_limit"), ("limit=500", "invalid_limit"),
                        ("limit=x", "invalid_limit"), ("cursor=!!", "invalid_cursor"),
                        ("cursor=bm90LWEtdXVpZA", "invalid_cursor"), ("state=%ff", "invalid_query")]:
            s.request("GET", "/api/v1/admin/jobs?" + q, headers=AUTH).problem(400, code)
        get(s, str(uuid.uuid4())).problem(404, "job_not_found")
        get(s, "not-a-uuid").problem(404, "job_not_found")
        s.request("POST", "/api/v1/admin/jobs/%s/retry" % uuid.uuid4(), headers=AUTH).problem(404)


def test_metrics_and_cli(env):
    with jobs_server(env) as s:
        job = enqueue(env, s, "jobs.purge", "--queue", "maintenance")
        wait_state(s, job["id"], ["completed"])
        m = s.request("GET", "/metrics").body.decode()
        check('marquee_jobs{queue="maintenance",state="completed"}' in m, m[-2000:])
        check('marquee_job_duration_seconds_count{kind="jobs.purge"}' in m)
        check('marquee_job_failures_total{kind="jobs.purge"} 0' in m)
        check('marquee_job_workers{queue="default"} 2' in m)
        r = cli(env, s, "list", "--kind", "jobs.purge")
        check(r.returncode == 0 and job["id"] in r.stdout and "completed" in r.stdout, r.stdout + r.stderr)
        r = cli(env, s, "list", "--json", "--state", "completed")
        check(r.returncode == 0 and json.loads(r.stdout.splitlines()[0])["state"] == "completed")
        r = cli(env, s, "retry", str(uuid.uuid4()))
        check(r.returncode == 1 and "no such job" in r.stderr, r.stderr)
        r = cli(env, s, "cancel", job["id"])
        check(r.returncode == 1 and "cannot be cancelled" in r.stderr, r.stderr)
        r = cli(env, s, "enqueue", "Bad Kind")
        check(r.returncode == 2, r.stderr)
        r = cli(env, s, "enqueue", "x", "--payload", "[]")
        check(r.returncode == 2, r.stderr)
        r = cli(env, s, "frobnicate")
        check(r.returncode == 2)
        first = enqueue(env, s, "x.once", "--unique-key", "k1", "--delay", "600")
        r = cli(env, s, "enqueue", "x.once", "--unique-key", "k1")
        check(r.returncode == 0 and json.loads(r.stdout)["id"] == first["id"], r.stdout)
        check("already holds" in r.stderr)


@backends("sqlite")
def test_sqlite_has_one_owner(env):
    with jobs_server(env) as s:
        r = env.run_cli(["serve", "--listen", "127.0.0.1:0"], env={"MARQUEE_DATA_DIR": s.data_dir},
                        timeout=20)
        check(r.returncode == 1 and "another marquee is serving" in r.stderr, r.stderr)
        check(s.request("GET", "/readyz").status == 200)


def test_unreadable_schedule_is_parked(env):
    s = jobs_server(env).start()
    try:
        now = int(time.time() * 1000)
        sql(env, s, "INSERT INTO job_schedules (name, kind, queue, payload, spec, next_run_at, "
                    "updated_at) VALUES ('from.the.future', 'x', 'default', '{}', 'fortnightly', "
                    "%d, %d)" % (now, now))
        line = s.wait_log("cannot read: fortnightly")
        check("from.the.future" in line, line)
        check(s.request("GET", "/readyz").status == 200)
        time.sleep(0.3)
        check(sum("cannot read" in l for l in s.lines) == 1, "fired again and again")
        check(s.stop() == 0)
    finally:
        s.cleanup()
