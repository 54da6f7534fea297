#!/usr/bin/env python3
"""The import benchmark's driver (bench/import.sh says what it measures).

usage: bench/import.py BINARY BACKEND WORKDIR N [DATABASE_URL PSQL]

Generates a catalogue of N works: 60 series with 3 seasons of 10 episodes
and 400 films that a household's Netflix history holds, among look-alikes
(the same titles in other years, sequels), and the rest generated from
the words of real film titles. Writes it straight into the database of a
fresh server, waits for the search index, then:
  1. the API's latency idle: 400 searches and browse pages, p50/p99;
  2. a 10,000-row NetflixViewingHistory.csv (packed "Show: Season N:
     Episode" titles, films, rewatches, 2% titles the catalogue lacks)
     uploaded over HTTP and read by its job: seconds and rows per second;
  3. the same requests while the import runs, p50/p99 and the ratio to
     idle (target: p99 within 1.5x);
  4. the share of rows matched, and that of a plain exact-title lookup
     (lower-cased, whole title) over the same rows, as a reference.
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
from benchlib import Server as BaseServer, pct, probe, vocabulary  # noqa: E402

BINARY, BACKEND, WORK, N = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
DB_URL = sys.argv[5] if len(sys.argv) > 5 else ""
PSQL = sys.argv[6] if len(sys.argv) > 6 else "psql"
rng = random.Random(20261203)
ROWS = 10000


REAL, VOCAB = vocabulary()


def title():
    return " ".join(rng.choice(VOCAB) for _ in range(rng.choice([1, 2, 2, 3, 3, 4])))


def sort_title(t):
    low = t.lower()
    for art in ("the ", "a ", "an "):
        if low.startswith(art):
            return low[len(art):]
    return low


def catalogue():
    """(items, shows, films): items are rows for media_items."""
    items, shows, films = [], [], []
    now = int(time.time() * 1000)
    used = set()

    def item(kind, t, year, parent=None, position=None, runtime=None):
        i = str(uuid.uuid4())
        items.append((i, kind, t, sort_title(t), year, "%04d-06-01" % year if year else None, parent, position,
                      runtime, now, now))
        return i

    picks = rng.sample(REAL, 460)
    for t in picks[:60]:
        name = t + ": The Series" if rng.random() < 0.3 else t
        sid = item("series", name, rng.randint(2005, 2015))
        eps = {}
        for season in (1, 2, 3):
            se = item("season", "Season %d" % season, 0, sid, season)
            for e in range(1, 11):
                eps[(season, e)] = (item("episode", "%s %d" % (rng.choice(VOCAB).title(), e), 0, se, e, 45),
                                    None)
        shows.append((name, sid, eps))
        used.add(name.lower())
    for t in picks[60:]:
        # Out before the history's first viewing (2016), as what people watch is.
        year = rng.randint(1980, 2015)
        fid = item("movie", t, year, runtime=110)
        films.append((t, fid, year))
        used.add(t.lower())
        # Look-alikes: the same title years earlier, and a sequel.
        item("movie", t, year - rng.randint(10, 30), runtime=100)
        if rng.random() < 0.3:
            item("movie", t + " 2", year + 3, runtime=100)
    while len(items) < N:
        t = title()
        if t.lower() not in used:  # the household's titles keep only their look-alikes
            item("movie", t, rng.randint(1920, 2026), runtime=95)
    return items, shows, films


def history(shows, films):
    """10,000 Netflix rows, newest first, US dates; and what each is."""
    rows = []
    day = 20000  # days since 1970
    for i in range(ROWS):
        day -= rng.random() < 0.3
        date = time.strftime("%-m/%-d/%y", time.gmtime(day * 86400))
        r = rng.random()
        if r < 0.02:
            rows.append(('"%s: Season 1: %s"' % (title().title() + " Unknown", title()), date))
        elif r < 0.8:
            name, sid, eps = rng.choice(shows)
            season, e = rng.choice(list(eps))
            ep_title = [x for x in [eps[(season, e)]]][0]
            rows.append(('"%s: Season %d: Episode %d"' % (name, season, e), date))
        else:
            t, fid, year = rng.choice(films)
            rows.append(('"%s"' % t.replace('"', '""'), date))
    return "Title,Date\n" + "".join("%s,\"%s\"\n" % r for r in rows)


def load_sqlite(path, items):
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys = ON")
    with db:
        db.executemany("INSERT INTO media_items (id, kind, title, sort_title, year, release_date, parent_id, "
                       "position, runtime_min, added_at, updated_at, origin) VALUES "
                       "(?, ?, ?, ?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?, 'admin')", items)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def load_postgres(items):
    def esc(v):
        if v is None or v == 0:
            return "\\N"
        return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    script = ["COPY media_items (id, kind, title, sort_title, year, release_date, parent_id, position, "
              "runtime_min, added_at, updated_at) FROM STDIN;"]
    script.extend("\t".join(esc(v) for v in r) for r in items)
    script.append("\\.")
    subprocess.run([PSQL, "-q", "-v", "ON_ERROR_STOP=1", "-d", DB_URL], input="\n".join(script) + "\n",
                   text=True, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([PSQL, "-q", "-d", DB_URL, "-c", "UPDATE media_items SET origin = 'admin'"], check=True,
                   stdout=subprocess.DEVNULL)


def paths(n):
    """The API requests both phases replay, in the same order: a search
    of a real title or a browse page, in turn."""
    r = random.Random(7)
    return [("/api/v1/search?limit=20&q=" + urllib.parse.quote(r.choice(REAL)) if i % 2 else
             "/api/v1/media?limit=20&sort=added") for i in range(n)]


def Server(data):
    return BaseServer(BINARY, WORK, data, "import-" + BACKEND, DB_URL)


def main():
    data = os.path.join(WORK, "data-import-" + BACKEND)
    os.makedirs(data, exist_ok=True)
    items, shows, films = catalogue()
    csv = history(shows, films)
    s = Server(data)
    password = "bench horse battery staple 2931"
    r = s.cli(["user", "create", "--admin", "--email", "bench@example.org", "--password-stdin"], password + "\n")
    if r.returncode:
        raise SystemExit(r.stderr)
    s.stop()
    if BACKEND == "sqlite":
        load_sqlite(os.path.join(data, "marquee.db"), items)
    else:
        load_postgres(items)
    s = Server(data)
    s.login("bench@example.org", password)
    t0 = time.time()
    while json.loads(s.request("GET", "/api/v1/admin/search")[1])["pending"]:
        time.sleep(0.2)
    index_s = time.time() - t0
    if BACKEND == "postgres":
        # After the bulk load: statistics, so that idle is measured idle.
        subprocess.run([PSQL, "-q", "-d", DB_URL, "-c", "VACUUM ANALYZE"], check=True, stdout=subprocess.DEVNULL)
    todo = paths(400)
    probe(s, todo)  # warm
    idle = probe(s, todo) + probe(s, todo)

    stop = threading.Event()
    busy = []
    th = threading.Thread(target=lambda: busy.extend(probe(s, todo, stop)))
    t0 = time.time()
    status, body = s.request("POST", "/api/v1/import/csv", csv.encode(), "text/csv")
    if status != 202:
        raise SystemExit("import refused: %d %s" % (status, body))
    imp = json.loads(body)
    th.start()
    while True:
        st = json.loads(s.request("GET", "/api/v1/import/status/" + imp["id"])[1])
        if st["state"] in ("done", "failed"):
            break
        time.sleep(0.05)
    import_s = time.time() - t0
    stop.set()
    th.join()
    reasons = {}
    _, body = s.request("GET", "/api/v1/import/%s/unmatched?limit=200" % imp["id"])
    for r in json.loads(body)["items"]:
        reasons[r["reason"]] = reasons.get(r["reason"], 0) + 1
        if os.environ.get("MQ_BENCH_VERBOSE"):
            print("review: %s %s %s" % (r["raw"], r["reason"], r["candidates"][:2]), file=sys.stderr)
    s.stop()

    # The reference: a whole title, lower-cased, looked up as it is.
    exact = {}
    for it in items:
        exact.setdefault(it[2].lower(), it[0])
    plain = sum(1 for line in csv.splitlines()[1:] if line.rsplit(",", 1)[0].strip('"').lower() in exact)
    rows = st["rows"]
    print(json.dumps({
        "backend": BACKEND, "works": len(items), "rows": rows["total"], "index_build_s": round(index_s, 1),
        "import_s": round(import_s, 2), "rows_per_s": round(rows["total"] / import_s),
        "matched": rows["matched"] + rows["duplicates"], "needs_review": rows["needs_review"],
        "matched_share": round((rows["matched"] + rows["duplicates"]) / rows["total"], 3),
        "plain_exact_share": round(plain / rows["total"], 3),
        "idle_p50_ms": round(pct(idle, 50), 2), "idle_p99_ms": round(pct(idle, 99), 2),
        "busy_p50_ms": round(pct(busy, 50), 2), "busy_p99_ms": round(pct(busy, 99), 2),
        "busy_requests": len(busy), "review_reasons_first_200": reasons, "p99_ratio": round(pct(busy, 99) / pct(idle, 99), 2), "state": st["state"]}))


main()
