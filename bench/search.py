#!/usr/bin/env python3
"""The search benchmark's driver (bench/search.sh says what it measures).

usage: bench/search.py BINARY BACKEND WORKDIR N [DATABASE_URL PSQL]

Generates N works (films, series, books, audiobooks) with titles that have
accents, punctuation, numbers, CJK, and people credited in them; writes
them straight into the database of a fresh server (the triggers mark them
for the index as any writer's rows are); starts the server and times the
index build; then replays 1,000 mixed searches and 1,000 keystrokes over
HTTP, and the same searches as a plain LIKE '%term%' scan of the titles
(the way Jellyfin searches) on the same SQLite file. Prints one JSON line
of figures on stdout."""
import http.client
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import uuid

BINARY, BACKEND, WORK, N = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
DB_URL = sys.argv[5] if len(sys.argv) > 5 else ""
PSQL = sys.argv[6] if len(sys.argv) > 6 else "psql"
rng = random.Random(20261202)

ADJ = ["Dark", "Silent", "Last", "Lost", "Hidden", "Golden", "Broken", "Eternal", "Crimson", "Wild",
       "Little", "Great", "Secret", "Frozen", "Burning", "Endless", "Fallen", "Brave", "Quiet", "Strange"]
NOUN = ["Night", "River", "Empire", "Garden", "Knight", "Storm", "Dream", "Kingdom", "Shadow", "Ocean",
        "Mountain", "City", "Heart", "Road", "Island", "Machine", "Star", "Winter", "Forest", "Mirror",
        "Station", "Letter", "Tower", "Circus", "Harbor", "Planet", "Witness", "Signal", "Voyage", "Legacy"]
ACCENTED = ["Amélie", "Léon", "Cœur", "Æther", "Straße", "Shōgun", "Niño", "Façade", "Björn", "Zoë",
            "Crème", "Señorita", "Mañana", "Ça", "Über", "Déjà", "Café", "Jalapeño", "Fiancée", "Naïve"]
NAMES_FIRST = ["Ana", "José", "Zoë", "Björk", "Renée", "François", "Søren", "Łukasz", "Chloé", "Noël",
               "John", "Mary", "Akira", "Min-jun", "Priya", "Olamide", "Sean", "Siobhán", "Ólafur", "Hélène"]
NAMES_LAST = ["García", "Müller", "Dubois", "Nakamura", "Kravitz", "O'Brien", "Jørgensen", "Nowak",
              "Smith", "Núñez", "Kim", "Rossi", "Öztürk", "Silva", "Andrés", "Lefèvre", "Ivanov", "Chen"]
CJK = "千と千尋の神隠し君の名は天気の子風立ちぬ紅の豚もののけ姫기생충올드보이살인의추억花樣年華霸王別姬"
GENRES = ["Action", "Drama", "Comedy", "Science Fiction", "Horror", "Romance", "Thriller", "Animation",
          "Documentary", "Fantasy", "Mystery", "Crime"]
ROMAN = ["II", "III", "IV", "2", "3", "Part Two"]


def vocabulary():
    """Words of 1,881 real film titles (tests/fixtures/metadata/), with how
    often each occurs: generated titles draw from it by frequency, so that
    "the" is as common in them as in a real catalogue and most words rare."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "metadata",
                        "tmdb_films.tsv")
    counts, real = {}, []
    for line in open(path, encoding="utf-8"):
        if line.startswith("#"):
            continue
        t = line.rstrip("\n").split("\t")[2]
        real.append(t)
        for w in t.split():
            counts[w] = counts.get(w, 0) + 1
    words = sorted(counts)
    return real, words, [counts[w] for w in words]


REAL, WORDS, WEIGHTS = vocabulary()
# Titles are never only articles and prepositions ("The", "Of The"), which
# real catalogues do not have but drawing words by frequency would make.
TOP = set(w for _, w in sorted(zip(WEIGHTS, WORDS), reverse=True)[:30])


def title():
    r = rng.random()
    if r < 0.05:
        n = rng.randint(3, 7)
        s = rng.randrange(len(CJK) - n)
        return CJK[s:s + n]
    if r < 0.25:
        return rng.choice(REAL)
    ws = rng.choices(WORDS, WEIGHTS, k=rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5]))
    while all(w in TOP for w in ws):
        ws = rng.choices(WORDS, WEIGHTS, k=len(ws))
    if rng.random() < 0.15:
        ws[rng.randrange(len(ws))] = rng.choice(ACCENTED)
    t = " ".join(ws)
    r = rng.random()
    if r < 0.1:
        t = "%s: %s" % (t, " ".join(rng.choices(WORDS, WEIGHTS, k=2)))
    elif r < 0.15:
        t = "%s %s" % (t, rng.choice(ROMAN))
    elif r < 0.2:
        t = "%s-%s" % (rng.choice(WORDS), t)
    elif r < 0.23:
        t = "%s & %s" % (t, rng.choice(WORDS))
    return t


def person():
    return "%s %s" % (rng.choice(NAMES_FIRST), rng.choice(NAMES_LAST))


def catalogue():
    kinds = ["movie"] * 12 + ["series"] * 3 + ["book"] * 3 + ["audiobook"]
    people = {}
    while len(people) < max(2000, N // 10):
        people.setdefault(person() + (" %d" % len(people) if len(people) > 300 else ""), str(uuid.uuid4()))
    names = list(people)
    works = []
    for i in range(N):
        t = title()
        works.append({"id": str(uuid.uuid4()), "kind": rng.choice(kinds), "title": t,
                      "year": rng.randint(1920, 2026), "votes": int(rng.paretovariate(1.2) * 10),
                      "genres": rng.sample(GENRES, rng.randint(1, 2)),
                      "cast": rng.sample(names, 3)})
    return works, people


def sort_title(t):
    low = t.lower()
    for art in ("the ", "a ", "an "):
        if low.startswith(art):
            return low[len(art):]
    return low


def rows(works, people, now):
    items = [(w["id"], w["kind"], w["title"], sort_title(w["title"]), w["year"], now, now,
              json.dumps({"votes": w["votes"]})) for w in works]
    ppl = [(pid, name, name.lower()) for name, pid in people.items()]
    credits = [(w["id"], people[n], "cast", "Role", k) for w in works for k, n in enumerate(w["cast"])]
    genres = [(w["id"], g) for w in works for g in w["genres"]]
    return items, ppl, credits, genres


def load_sqlite(path, works, people):
    now = int(time.time() * 1000)
    items, ppl, credits, genres = rows(works, people, now)
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys = ON")
    with db:
        db.executemany("INSERT INTO media_items (id, kind, title, sort_title, year, added_at, updated_at, "
                       "details, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'admin')", items)
        db.executemany("INSERT INTO people (id, name, name_key) VALUES (?, ?, ?)", ppl)
        db.executemany("INSERT INTO media_credits (item_id, person_id, kind, role, position) "
                       "VALUES (?, ?, ?, ?, ?)", credits)
        db.executemany("INSERT INTO media_genres (item_id, genre) VALUES (?, ?)", genres)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def load_postgres(works, people):
    now = int(time.time() * 1000)
    items, ppl, credits, genres = rows(works, people, now)

    def esc(v):
        if v is None:
            return "\\N"
        return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    script = []
    for table, cols, data in (
            ("media_items", "id, kind, title, sort_title, year, added_at, updated_at, details", items),
            ("people", "id, name, name_key", ppl),
            ("media_credits", "item_id, person_id, kind, role, position", credits),
            ("media_genres", "item_id, genre", genres)):
        script.append("COPY %s (%s) FROM STDIN;" % (table, cols))
        script.extend("\t".join(esc(v) for v in r) for r in data)
        script.append("\\.")
    subprocess.run([PSQL, "-q", "-v", "ON_ERROR_STOP=1", "-d", DB_URL], input="\n".join(script) + "\n",
                   text=True, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([PSQL, "-q", "-d", DB_URL, "-c", "UPDATE media_items SET origin = 'admin'"], check=True,
                   stdout=subprocess.DEVNULL)


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Server:
    def __init__(self, data):
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("MARQUEE_")}
        env.update({"MARQUEE_DATA_DIR": data, "MARQUEE_WATCH_LIBRARIES": "false",
                    "MARQUEE_METADATA_ENABLED": "false", "MARQUEE_RATE_LIMIT_DEFAULT": "off",
                    "MARQUEE_ARGON2_MEMORY": "8MiB", "MARQUEE_ARGON2_ITERATIONS": "1"})
        if DB_URL:
            env["MARQUEE_DATABASE_URL"] = DB_URL
        self.env = env
        self.log = open(os.path.join(WORK, "marquee-%s.log" % BACKEND), "a")
        self.p = subprocess.Popen([BINARY, "serve", "--listen", "127.0.0.1:%d" % self.port], env=env,
                                  stdout=self.log, stderr=self.log)
        for _ in range(600):
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.token = None

    def cli(self, args, stdin=None):
        return subprocess.run([BINARY] + args, env=self.env, input=stdin, text=True, capture_output=True)

    def get(self, path):
        h = {"Authorization": "Bearer " + self.token} if self.token else {}
        self.conn.request("GET", path, headers=h)
        r = self.conn.getresponse()
        return r.status, r.read()

    def login(self, email, password):
        body = json.dumps({"email": email, "password": password})
        self.conn.request("POST", "/api/v1/auth/login", body=body, headers={"Content-Type": "application/json"})
        r = self.conn.getresponse()
        self.token = json.loads(r.read())["access_token"]

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        self.p.wait(timeout=60)


def rss_kb(pid, field="RssAnon"):
    """The server's own memory (RssAnon); RssFile is the database's pages
    mapped into it, the kernel's page cache, shared and reclaimable."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def strip_accents(s):
    import unicodedata
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def typo(word):
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def queries(works, people):
    out = []
    names = list(people)
    for _ in range(1000):
        w = rng.choice(works)
        t = w["title"]
        r = rng.random()
        if r < 0.25:
            q = t
        elif r < 0.40:
            q = "".join(c if c.isalnum() else " " for c in t).lower()
        elif r < 0.50:
            q = strip_accents(t)
        elif r < 0.60:
            words = t.split()
            k = max(range(len(words)), key=lambda j: len(words[j]))
            words[k] = typo(words[k])
            q = " ".join(words)
        elif r < 0.70:
            words = t.split()
            q = " ".join(words[:2]) + (" " + words[2][:3] if len(words) > 2 else "")
        elif r < 0.80:
            q = rng.choice(names)
        elif r < 0.85:
            q = "%s %d" % (t, w["year"])
        elif r < 0.88:
            n = rng.randint(2, 3)
            s = rng.randrange(len(CJK) - n)
            q = CJK[s:s + n]
        elif r < 0.97:
            q = rng.choice(REAL)
        else:
            q = rng.choice(["the", "night", "love", "star", "dark", "city", "road", "heart"])
        out.append(q.strip() or "night")
    return out


def keystrokes(works):
    out = []
    while len(out) < 1000:
        t = rng.choice(works)["title"]
        for k in range(2, len(t) + 1):
            out.append(t[:k])
    rng.shuffle(out)
    return out[:1000]


def pct(xs, p):
    s = sorted(xs)
    return s[min(len(s) - 1, int(round((len(s) - 1) * p / 100.0)))]


def replay(server, path, qs):
    times, empty = [], 0
    for q in qs:
        t0 = time.perf_counter()
        status, body = server.get(path + urllib.parse.quote(q))
        times.append((time.perf_counter() - t0) * 1000)
        if status != 200:
            raise SystemExit("%s %r: %d %s" % (path, q, status, body[:200]))
        if not json.loads(body)["items"]:
            empty += 1
    return times, empty


def like_scan(path, qs):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    times = []
    for q in qs:
        t0 = time.perf_counter()
        db.execute("SELECT id, title FROM media_items WHERE title LIKE ? LIMIT 20", ("%" + q + "%",)).fetchall()
        times.append((time.perf_counter() - t0) * 1000)
    db.close()
    return times


def replay_only(data, works, people):
    s = Server(data)
    s.login("bench@example.org", "bench horse battery staple 2931")
    qs, ks = queries(works, people), keystrokes(works)
    replay(s, "/api/v1/search?limit=20&q=", qs[:100])
    st_times, _ = replay(s, "/api/v1/search?limit=20&q=", qs)
    ac_times, _ = replay(s, "/api/v1/search/autocomplete?q=", ks)
    for name, xs, q in (("search", st_times, qs), ("autocomplete", ac_times, ks)):
        slow = sorted(zip(xs, q), reverse=True)[:8]
        print("slowest %s: %s" % (name, ", ".join("%r %.1f ms" % (b, a) for a, b in slow)), file=sys.stderr)
    s.stop()
    print(json.dumps({"search_p50_ms": round(pct(st_times, 50), 2), "search_p99_ms": round(pct(st_times, 99), 2),
                      "complete_p50_ms": round(pct(ac_times, 50), 2),
                      "complete_p99_ms": round(pct(ac_times, 99), 2)}))


def main():
    data = os.path.join(WORK, "data-" + BACKEND)
    os.makedirs(data, exist_ok=True)
    works, people = catalogue()
    if os.environ.get("MQ_BENCH_REUSE"):
        # The catalogue of an earlier run (the same seed), only queried again.
        return replay_only(data, works, people)
    s = Server(data)  # migrates
    password = "bench horse battery staple 2931"
    r = s.cli(["user", "create", "--admin", "--email", "bench@example.org", "--password-stdin"], password + "\n")
    if r.returncode:
        raise SystemExit(r.stderr)
    s.stop()
    db_path = os.path.join(data, "marquee.db")
    t0 = time.time()
    if BACKEND == "sqlite":
        load_sqlite(db_path, works, people)
        size_before = os.path.getsize(db_path)
    else:
        load_postgres(works, people)
    load_s = time.time() - t0

    t0 = time.time()
    s = Server(data)
    s.login("bench@example.org", password)
    while True:
        status, body = s.get("/api/v1/admin/search")
        st = json.loads(body)
        if st["pending"] == 0:
            break
        time.sleep(0.2)
    build_s = time.time() - t0
    if BACKEND == "sqlite":
        db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
        try:
            index_bytes = db.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search%' "
                                     "OR name LIKE 'sqlite_autoindex_search%'").fetchone()[0]
        except sqlite3.OperationalError:
            index_bytes = os.path.getsize(db_path) - size_before
        db.close()
    else:
        out = subprocess.run([PSQL, "-qAt", "-d", DB_URL, "-c",
                              "SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                              "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' AND "
                              "c.relname LIKE 'search%'"], capture_output=True, text=True, check=True)
        index_bytes = int(out.stdout.strip() or 0)

    qs, ks = queries(works, people), keystrokes(works)
    replay(s, "/api/v1/search?limit=20&q=", qs[:100])  # warm the caches
    st_times, st_empty = replay(s, "/api/v1/search?limit=20&q=", qs)
    ac_times, ac_empty = replay(s, "/api/v1/search/autocomplete?q=", ks)
    for name, xs, q in (("search", st_times, qs), ("autocomplete", ac_times, ks)):
        slow = sorted(zip(xs, q), reverse=True)[:8]
        print("slowest %s: %s" % (name, ", ".join("%r %.1f ms" % (b, a) for a, b in slow)), file=sys.stderr)
    rss, mapped = rss_kb(s.p.pid), rss_kb(s.p.pid, "RssFile")
    s.stop()
    res = {"backend": BACKEND, "works": N, "people": len(people), "documents": st["documents"],
           "load_s": round(load_s, 1), "index_build_s": round(build_s, 1),
           "index_mb": round(index_bytes / 1e6, 1), "rss_mb": round(rss / 1024, 1),
           "mapped_mb": round(mapped / 1024, 1),
           "search_p50_ms": round(pct(st_times, 50), 2), "search_p99_ms": round(pct(st_times, 99), 2),
           "search_empty": st_empty,
           "complete_p50_ms": round(pct(ac_times, 50), 2), "complete_p99_ms": round(pct(ac_times, 99), 2),
           "complete_empty": ac_empty}
    if BACKEND == "sqlite":
        lk = like_scan(db_path, qs)
        res.update({"like_p50_ms": round(pct(lk, 50), 2), "like_p99_ms": round(pct(lk, 99), 2),
                    "ratio_p50": round(pct(lk, 50) / pct(st_times, 50), 1),
                    "ratio_p99": round(pct(lk, 99) / pct(st_times, 99), 1)})
    print(json.dumps(res))


main()
