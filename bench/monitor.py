#!/usr/bin/env python3
"""The monitor benchmark's driver (bench/monitor.sh says what it measures).

usage: bench/monitor.py BINARY BACKEND WORKDIR N MEMBERS [DATABASE_URL PSQL]

Writes straight into a fresh server's database a catalogue of N works:
500 series of 4 seasons of 10 episodes (season 2 half out yesterday,
streaming on Netflix in the US), 50,000 films with a sequel each ("Title"
and "Title 2", a tenth of the sequels on Netflix, the rest nowhere a
member can have them), and films generated from the words of real titles
for the rest; and MEMBERS members who each finished 500 works (450 of the
films with sequels, the first season of 5 series) on Netflix. Then:
  1. the API's latency idle: 400 searches and browse pages, p50/p99;
  2. a monitor run over every member, from an admin's POST: its seconds,
     what it found and told, notifications per second;
  3. the same requests while it runs, p50/p99 and the ratio to idle
     (target: p99 within 1.5x);
  4. a second run, which finds everything already told.
Prints one JSON line of figures on stdout."""
import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import Server, pct, probe, vocabulary  # noqa: E402

BINARY, BACKEND, WORK, N, MEMBERS = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
DB_URL = sys.argv[6] if len(sys.argv) > 6 else ""
PSQL = sys.argv[7] if len(sys.argv) > 7 else "psql"
rng = random.Random(20261203)
SERIES, FILMS_EACH, SERIES_EACH = 500, 450, 5
PAIRS = min(50000, N // 4)


REAL, VOCAB = vocabulary()


def title():
    return " ".join(rng.choice(VOCAB) for _ in range(rng.choice([2, 3, 3, 4])))


def day(offset):
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + offset * 86400))


def data():
    now = int(time.time() * 1000)
    items, avail, users, roles, plays = [], [], [], [], []

    def item(kind, t, year, date, parent=None, position=None):
        i = str(uuid.uuid4())
        items.append((i, kind, t, t.lower(), year, date, parent, position, 100, now, now))
        return i

    seasons_one = []
    for s in range(SERIES):
        sid = item("series", "%s %d" % (title(), s), 2015, "2015-01-01")
        avail.append((str(uuid.uuid4()), sid, "Netflix", "US", "flatrate", None, None, None, now))
        eps = []
        for n in range(1, 5):
            se = item("season", "Season %d" % n, 2015 + n, None, sid, n)
            for e in range(1, 11):
                date = ("%04d-03-%02d" % (2014 + n, e)) if n != 2 else day(-1 if e <= 5 else 7)
                eid = item("episode", "Episode %d" % e, 2015 + n, date if n <= 2 else day(30), se, e)
                if n == 1:
                    eps.append((eid, sid))
        seasons_one.append(eps)
    firsts = []
    for p in range(PAIRS):
        t = "%s %d" % (title(), p)  # unique, and it ends with no small number
        t = t + " Story"
        year = rng.randint(1990, 2015)
        firsts.append(item("movie", t, year, "%04d-05-01" % year))
        sequel = item("movie", t + " 2", year + 3, "%04d-05-01" % (year + 3))
        if rng.random() < 0.1:
            avail.append((str(uuid.uuid4()), sequel, "Netflix", "US", "flatrate", None, None, None, now))
    while len(items) < N:
        y = rng.randint(1920, 2025)
        item("movie", title(), y, "%04d-01-01" % y)
    for m in range(MEMBERS):
        uid = str(uuid.uuid4())
        email = "m%05d@bench.test" % m
        users.append((uid, email, email, "Member %d" % m, "not-a-hash", now, now, now))
        roles.append((uid, "user", now))
        done = rng.sample(firsts, FILMS_EACH)
        for fid in done:
            plays.append((str(uuid.uuid4()), uid, fid, fid, "movie", "x", now - 86400000, "netflix_activity",
                          "netflix", now))
        for eps in rng.sample(seasons_one, SERIES_EACH):
            for eid, sid in eps:
                plays.append((str(uuid.uuid4()), uid, eid, sid, "episode", "x", now - 86400000,
                              "netflix_activity", "netflix", now))
    return {
        "media_items": ("id, kind, title, sort_title, year, release_date, parent_id, position, runtime_min, "
                        "added_at, updated_at", items),
        "media_availability": ("id, item_id, platform, region, kind, url, available_from, available_until, "
                               "created_at", avail),
        "users": ("id, email, email_key, display_name, password_hash, password_changed_at, created_at, "
                  "updated_at", users),
        "user_roles": ("user_id, role, granted_at", roles),
        "track_plays": ("id, user_id, item_id, work_id, kind, title, watched_at, source, platform, created_at",
                        plays),
    }


def load_sqlite(path, tables):
    db = sqlite3.connect(path)
    with db:
        for name, (cols, rows) in tables.items():
            marks = ", ".join("?" for _ in cols.split(","))
            db.executemany("INSERT INTO %s (%s) VALUES (%s)" % (name, cols, marks), rows)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def load_postgres(tables):
    def esc(v):
        if v is None:
            return "\\N"
        return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    script = []
    for name, (cols, rows) in tables.items():
        script.append("COPY %s (%s) FROM STDIN;" % (name, cols))
        script.extend("\t".join(esc(v) for v in r) for r in rows)
        script.append("\\.")
    subprocess.run([PSQL, "-q", "-v", "ON_ERROR_STOP=1", "-d", DB_URL], input="\n".join(script) + "\n",
                   text=True, check=True, stdout=subprocess.DEVNULL)


def paths(n):
    r = random.Random(7)
    return [("/api/v1/search?limit=20&q=" + urllib.parse.quote(r.choice(REAL)) if i % 2 else
             "/api/v1/media?limit=20&sort=added") for i in range(n)]


def monitor_run(s):
    before = {r["id"] for r in json.loads(s.request("GET", "/api/v1/admin/monitor/runs")[1])["items"]}
    status, body = s.request("POST", "/api/v1/admin/monitor/run")
    if status != 202:
        raise SystemExit("monitor refused: %d %s" % (status, body))
    while True:
        runs = json.loads(s.request("GET", "/api/v1/admin/monitor/runs")[1])["items"]
        new = [r for r in runs if r["id"] not in before and r["state"] != "running"]
        if new:
            return new[0]
        time.sleep(0.1)


def main():
    data_dir = os.path.join(WORK, "data-monitor-" + BACKEND)
    os.makedirs(data_dir, exist_ok=True)
    tables = data()
    name = "monitor-" + BACKEND
    s = Server(BINARY, WORK, data_dir, name, DB_URL)
    password = "bench horse battery staple 2931"
    r = s.cli(["user", "create", "--admin", "--email", "bench@example.org", "--password-stdin"], password + "\n")
    if r.returncode:
        raise SystemExit(r.stderr)
    s.stop()
    if BACKEND == "sqlite":
        load_sqlite(os.path.join(data_dir, "marquee.db"), tables)
    else:
        load_postgres(tables)
    s = Server(BINARY, WORK, data_dir, name, DB_URL)
    s.login("bench@example.org", password)
    while json.loads(s.request("GET", "/api/v1/admin/search")[1])["pending"]:
        time.sleep(0.2)
    if BACKEND == "postgres":
        subprocess.run([PSQL, "-q", "-d", DB_URL, "-c", "VACUUM ANALYZE"], check=True, stdout=subprocess.DEVNULL)
    todo = paths(400)
    probe(s, todo)  # warm
    idle = probe(s, todo) + probe(s, todo)

    stop = threading.Event()
    busy = []
    th = threading.Thread(target=lambda: busy.extend(probe(s, todo, stop)))
    th.start()
    first = monitor_run(s)
    stop.set()
    th.join()
    second = monitor_run(s)
    s.stop()
    run_s = first["duration_ms"] / 1000
    print(json.dumps({
        "backend": BACKEND, "works": len(tables["media_items"][1]), "members": first["members"],
        "plays": len(tables["track_plays"][1]), "state": first["state"], "run_s": round(run_s, 1),
        "found": first["found"], "notified": first["notified"],
        "notifications_per_s": round(first["notified"] / run_s) if run_s else None,
        "relations_derived": first["relations_derived"], "second_run_s": round(second["duration_ms"] / 1000, 1),
        "second_notified": second["notified"],
        "idle_p50_ms": round(pct(idle, 50), 2), "idle_p99_ms": round(pct(idle, 99), 2),
        "busy_p50_ms": round(pct(busy, 50), 2), "busy_p99_ms": round(pct(busy, 99), 2),
        "busy_requests": len(busy), "p99_ratio": round(pct(busy, 99) / pct(idle, 99), 2)}))


main()
