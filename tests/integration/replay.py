"""A local stand-in for TMDb, Open Library and their picture servers,
replaying recorded, real responses (tests/fixtures/tmdb, openlibrary; where
they come from: tests/fixtures/SOURCES.md). No test reaches the internet.

- /3/...: TMDb API v3. A film or series with recorded details answers
  with them; append_to_response is put together from the sub-resources
  recorded for that id, as TMDb itself does. Searches with a recorded
  answer replay it; others are answered from tests/fixtures/metadata/
  tmdb_films.tsv, real titles with their real TMDb ids and years: every
  word of the query must start a word of the title, as TMDb's search
  does, and the year, when given, must be the film's. What no recording
  knows (a film's details beyond its title and year) is left out.
- /ol/...: Open Library; /covers/...: its cover server; /t/p/...: TMDb's
  pictures (a real JPEG made with ffmpeg).
- /__control (POST JSON) makes the provider misbehave: {"fail": [{"prefix":
  "/3/search", "status": 429, "times": 2, "retry_after": "1"}]} answers
  those requests so (times -1: until reset), {"key": "..."} changes the
  key it accepts, {"down": true} closes every connection, {"reset": true}.
  /__log (GET) lists the requests served, without their key.

Run alone (`python3 replay.py PORT`) for the benchmarks."""
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import unicodedata
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures")
KEY = "marquee-test-key"
TOKEN = "marquee-test-read-token"


def fixture(*parts):
    with open(os.path.join(FIX, *parts), encoding="utf-8") as f:
        return json.load(f)


def norm(s):
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    s = s.replace("'", "").replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


# Recorded details, and the sub-resources append_to_response adds.
MOVIES = {
    "550": "jdrouet_movie-details.json",
    "87421": "phptmdb_movie_87421_riddick_append_all.json",
    "49026": "jellyfin_movie_tt1345836_append_credits_images_keywords_TRIMMED.json",
    "47964": "assembled_movie_47964_details.json",
    "11": "assembled_movie_11_details.json",
}
MOVIE_PARTS = {
    ("550", "credits"): "jdrouet_movie-credits.json",
    ("47964", "release_dates"): "jellyfin_movie_47964_release_dates.json",
    ("47964", "watch/providers"): "jellyfin_movie_47964_watch_providers.json",
    ("47964", "recommendations"): "jellyfin_movie_47964_recommendations.json",
    ("335984", "external_ids"): "jellyfin_movie_335984_external_ids.json",
}
SERIES = {
    "1396": "phptmdb_tv_1396_breaking_bad_append_all.json",
    "1399": "jdrouet_tv-details.json",
    "84958": "keidsid_tv_84958_loki_next_episode_to_air.json",
}
SERIES_PARTS = {
    ("1396", "content_ratings"): "jellyfin_tv_1396_content_ratings.json",
    ("1396", "watch/providers"): "jellyfin_tv_1396_watch_providers.json",
    ("1399", "external_ids"): "jellyfin_tv_1399_external_ids.json",
}
SEASONS = {
    ("1396", "1"): "jellyfin_tv_1396_season_1.json",
    ("1396", "2"): "phptmdb_tv_1396_season_2_append_all.json",
    ("1399", "1"): "jdrouet_tv-season-details.json",
}
COLLECTIONS = {"10": "jdrouet_collection-details.json"}
FINDS = {
    "tt0088247": "jellyfin_find_tt0088247_imdb_movie.json",
    "tt0903747": "jellyfin_find_tt0903747_imdb_tv.json",
    "tt0959621": "jellyfin_find_tt0959621_imdb_episode.json",
}
SEARCHES = {
    ("movie", "rrrrrrr"): "jdrouet_search-movie.json",
    ("tv", "breaking bad"): "jellyfin_search_tv_breaking_bad.json",
    ("tv", "rick and morty"): "jdrouet_search-tv-rick-and-morty.json",
}
# Series whose searches no recording answers: the ids and first air years
# of the recorded series above.
TV_TITLES = [(1396, "Breaking Bad", 2008), (1399, "Game of Thrones", 2011), (84958, "Loki", 2021),
             (60625, "Rick and Morty", 2013)]


def load_films():
    films = []
    with open(os.path.join(FIX, "metadata", "tmdb_films.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            tid, year, title, aka = (line.rstrip("\n").split("\t") + [""])[:4]
            films.append((int(tid), int(year), title, aka))
    return films


def picture():
    """A real JPEG, 300x450, made once."""
    d = tempfile.mkdtemp(prefix="mq-replay-")
    out = os.path.join(d, "poster.jpg")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=300x450:rate=1",
                    "-frames:v", "1", out], check=True, capture_output=True, timeout=60)
    with open(out, "rb") as f:
        return f.read()


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []
        self.key = KEY
        self.down = False
        self.log = []
        self.films = load_films()
        self.jpeg = picture()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype="application/json;charset=utf-8", headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        st = self.server.state
        n = int(self.headers.get("Content-Length") or 0)
        doc = json.loads(self.rfile.read(n) or b"{}")
        if self.path != "/__control":
            return self.reply(404, {"status_code": 34, "status_message": "not found"})
        with st.lock:
            if doc.get("reset"):
                st.rules, st.key, st.down, st.log = [], KEY, False, []
            st.rules += doc.get("fail", [])
            st.key = doc.get("key", st.key)
            st.down = doc.get("down", st.down)
        self.reply(200, {"ok": True})

    def do_GET(self):
        st = self.server.state
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        path = url.path
        if path == "/__log":
            with st.lock:
                return self.reply(200, list(st.log))
        if st.down:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        shown = {k: v for k, v in q.items() if k != "api_key"}
        with st.lock:
            st.log.append(path + ("?" + urllib.parse.urlencode(sorted(shown.items())) if shown else ""))
            for rule in st.rules:
                if path.startswith(rule["prefix"]) and rule.get("times", 1) != 0:
                    if rule.get("times", 1) > 0:
                        rule["times"] -= 1
                    headers = [("Retry-After", rule["retry_after"])] if rule.get("retry_after") else []
                    body = {"status_code": 25, "status_message": "Your request count (41) is over the "
                            "allowed limit of (40)."} if rule["status"] == 429 else \
                        {"status_code": 11, "status_message": "Internal error: Something went wrong, "
                         "contact TMDb."}
                    return self.reply(rule["status"], body, headers=headers)
        if path.startswith("/3/"):
            return self.tmdb(path[2:], q)
        if path.startswith("/t/p/original/"):
            return self.reply(200, st.jpeg, "image/jpeg")
        if path.startswith("/covers/"):
            return self.reply(200, st.jpeg, "image/jpeg")
        if path.startswith("/ol/"):
            return self.openlibrary(path[3:], q)
        self.reply(404, {"status_code": 34, "status_message": "The resource you requested could not be found."})

    # ---- TMDb -------------------------------------------------------------

    def not_found(self):
        self.reply(404, fixture("tmdb", "jellyfin_error_404_movie_not_found.json"))

    def tmdb(self, path, q):
        st = self.server.state
        auth = self.headers.get("Authorization", "")
        if q.get("api_key") != st.key and auth != "Bearer " + TOKEN:
            return self.reply(401, fixture("tmdb", "jdrouet_error_401_invalid_api_key_status_code_7.json"))
        m = re.fullmatch(r"/search/(movie|tv)", path)
        if m:
            return self.search(m.group(1), q)
        m = re.fullmatch(r"/(movie|tv)/(\d+)", path)
        if m:
            return self.details(m.group(1), m.group(2), q)
        m = re.fullmatch(r"/tv/(\d+)/season/(\d+)", path)
        if m:
            name = SEASONS.get((m.group(1), m.group(2)))
            return self.reply(200, fixture("tmdb", name)) if name else self.not_found()
        m = re.fullmatch(r"/collection/(\d+)", path)
        if m:
            name = COLLECTIONS.get(m.group(1))
            return self.reply(200, fixture("tmdb", name)) if name else self.not_found()
        m = re.fullmatch(r"/find/(\w+)", path)
        if m:
            name = FINDS.get(m.group(1))
            return self.reply(200, fixture("tmdb", name) if name else
                              {"movie_results": [], "person_results": [], "tv_results": [],
                               "tv_episode_results": [], "tv_season_results": []})
        if path == "/movie/changes":
            return self.reply(200, fixture("tmdb", "jellyfin_movie_changes_page1.json"))
        if path == "/tv/changes":
            return self.reply(200, {"results": [], "page": 1, "total_pages": 1, "total_results": 0})
        if path == "/movie/upcoming" and q.get("page", "1") == "1":
            return self.reply(200, fixture("tmdb", "jellyfin_movie_upcoming_page1.json"))
        if path == "/tv/on_the_air" and q.get("page", "1") == "1":
            return self.reply(200, fixture("tmdb", "jellyfin_tv_on_the_air_page1.json"))
        if path == "/configuration":
            return self.reply(200, fixture("tmdb", "jellyfin_configuration.json"))
        self.not_found()

    def search(self, kind, q):
        query = norm(q.get("query", ""))
        if not query:
            return self.reply(422, fixture("tmdb", "jdrouet_error_422_validation_query_must_be_provided.json"))
        rec = SEARCHES.get((kind, query))
        if rec:
            return self.reply(200, fixture("tmdb", rec))
        year = q.get("year") or q.get("first_air_date_year")
        words = query.split()
        pool = self.server.state.films if kind == "movie" else [(i, y, t, "") for i, t, y in TV_TITLES]
        hits = []
        for tid, y, title, aka in pool:
            names = [norm(title)] + ([norm(aka)] if aka else [])
            if year and str(y) != year:
                continue
            if any(all(any(tw.startswith(w) for tw in n.split()) for w in words) for n in names):
                exact = any(n == query for n in names)
                hits.append((not exact, len(title), -y, tid, title, y))
        hits.sort()
        results = []
        for _, _, _, tid, title, y in hits[:20]:
            r = {"adult": False, "id": tid, "genre_ids": [], "overview": "", "popularity": 0.0,
                 "poster_path": "/%d.jpg" % tid, "backdrop_path": None, "vote_average": 0.0, "vote_count": 0}
            if kind == "movie":
                r.update({"title": title, "original_title": title, "release_date": "%d-01-01" % y,
                          "video": False})
            else:
                r.update({"name": title, "original_name": title, "first_air_date": "%d-01-01" % y})
            results.append(r)
        self.reply(200, {"page": 1, "results": results, "total_pages": 1, "total_results": len(results)})

    def details(self, kind, tid, q):
        st = self.server.state
        appended = [a for a in q.get("append_to_response", "").split(",") if a]
        if kind == "movie":
            name, parts = MOVIES.get(tid), MOVIE_PARTS
        else:
            name, parts = SERIES.get(tid), SERIES_PARTS
        if name:
            doc = fixture("tmdb", name)
        else:
            found = self.recorded_result(kind, tid)
            if found:
                return self.reply(200, found)
            film = [f for f in st.films if str(f[0]) == tid] if kind == "movie" else []
            if not film:
                return self.not_found()
            fid, y, title, _ = film[0]
            doc = {"adult": False, "id": fid, "title": title, "original_title": title,
                   "release_date": "%d-01-01" % y, "overview": "", "genres": [], "status": "Released",
                   "poster_path": "/%d.jpg" % fid, "backdrop_path": None, "vote_average": 0.0,
                   "vote_count": 0, "belongs_to_collection": None, "imdb_id": None, "runtime": None}
        for a in appended:
            part = parts.get((tid, a))
            if part and a not in doc:
                sub = fixture("tmdb", part)
                sub.pop("id", None)
                doc[a] = sub
        self.reply(200, doc)

    def recorded_result(self, kind, tid):
        """A work only a recorded search names: its details are what that
        search answered about it."""
        for (k, _), name in SEARCHES.items():
            if k != kind:
                continue
            for r in fixture("tmdb", name)["results"]:
                if str(r["id"]) == tid:
                    doc = dict(r)
                    doc.pop("genre_ids", None)
                    doc["genres"] = []
                    return doc
        return None

    # ---- Open Library -----------------------------------------------------

    def openlibrary(self, path, q):
        if path == "/search.json":
            title = norm(q.get("title", q.get("q", "")))
            doc = fixture("openlibrary", "ibraheemmawwal_search_json_dune_fields_upstream_trimmed.json")
            if "dune" not in title.split():
                doc = {"numFound": 0, "start": 0, "numFoundExact": True, "num_found": 0, "docs": []}
            return self.reply(200, doc)
        m = re.fullmatch(r"/works/(OL\d+W)\.json", path)
        if m and m.group(1) == "OL893414W":
            return self.reply(200, fixture("openlibrary", "assembled_works_OL893414W_dune.json"))
        m = re.fullmatch(r"/authors/(OL\d+A)\.json", path)
        if m and m.group(1) == "OL79034A":
            return self.reply(200, fixture("openlibrary", "assembled_authors_OL79034A_frank_herbert.json"))
        m = re.fullmatch(r"/isbn/(\d{9}[\dX]|\d{13})\.json", path)
        if m and m.group(1) == "9780743273565":
            return self.reply(200, fixture("openlibrary", "jayfajardo_books_OL23109860M_great_gatsby_2013.json"))
        self.reply(404, {"error": "notfound", "key": path})


class Replay:
    """The server on a free loopback port, in a thread."""

    def __init__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.state = State()
        self.port = self.httpd.server_address[1]
        self.base = "http://127.0.0.1:%d" % self.port

    def settings(self, key=KEY):
        """The server's environment pointing at this replay."""
        return {"MARQUEE_METADATA_ENABLED": "true", "MARQUEE_TMDB_API_KEY": key, "MARQUEE_TMDB_BASE_URL": self.base + "/3",
                "MARQUEE_TMDB_IMAGE_BASE_URL": self.base + "/t/p",
                "MARQUEE_OPENLIBRARY_BASE_URL": self.base + "/ol",
                "MARQUEE_OPENLIBRARY_COVERS_BASE_URL": self.base + "/covers",
                "MARQUEE_METADATA_ALLOW_PRIVATE": "true", "MARQUEE_TMDB_RATE_LIMIT": "1000",
                "MARQUEE_OPENLIBRARY_RATE_LIMIT": "1000"}

    def control(self, **doc):
        import urllib.request
        req = urllib.request.Request(self.base + "/__control", data=json.dumps(doc).encode(),
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=5).read()

    def log(self):
        import urllib.request
        return json.loads(urllib.request.urlopen(self.base + "/__log", timeout=5).read())

    def start(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    httpd.daemon_threads = True
    httpd.state = State()
    print("replay listening on %d" % httpd.server_address[1], flush=True)
    httpd.serve_forever()
