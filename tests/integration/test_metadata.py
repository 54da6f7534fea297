"""Metadata: works identified from NFO files, ids in names and searches
against a replay of TMDb and Open Library (replay.py); series with their
seasons and episodes, collections, pictures; review and manual identify;
a provider that throttles, fails, refuses the key or is gone; XML bombs;
and the matching test set of real names."""
import json
import os
import re
import shutil
import tempfile
import time

import media
from harness import check
from replay import KEY, Replay
from test_auth import FAST, bearer
from test_libraries import jreq
from test_scanner import cli_env, scan, setup

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE movie [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<movie><title>&e;</title><plot>&e;</plot></movie>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE movie [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<movie><title>&xxe;</title></movie>
"""

FIGHT_CLUB_NFO = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<movie>
  <title>Fight Club</title>
  <plot>A plot the household wrote.</plot>
  <uniqueid type="tmdb" default="true">550</uniqueid>
  <uniqueid type="imdb">tt0137523</uniqueid>
  <genre>Drama</genre>
</movie>
"""


def server(env, rp, extra=None):
    # Scans come when the test asks: a watcher's would race them (409).
    e = rp.settings()
    e["MARQUEE_WATCH_LIBRARIES"] = "false"
    e.update(extra or {})
    return env.server(args=FAST, env=e)


def wait_identified(s, t, lib_id, total, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = s.request("GET", "/api/v1/admin/libraries/%s/scan" % lib_id, headers=bearer(t)).json()
        ident = r.get("identification", {})
        done = sum(v for k, v in ident.items() if k != "pending")
        if r.get("state") == "completed" and ident.get("pending", 0) == 0 and done >= total:
            return ident
        time.sleep(0.1)
    errors = [l for l in s.lines if '"level":"error"' in l or '"level":"warn"' in l][-8:]
    raise AssertionError("identification did not finish: %r\n%s" % (r, "\n".join(errors)))


def wait_job(s, t, job_id, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        j = s.request("GET", "/api/v1/admin/jobs/" + job_id, headers=bearer(t)).json()
        if j["state"] in ("completed", "discarded", "cancelled") or (j["state"] == "retryable" and j["attempt"] >= 1):
            return j
        time.sleep(0.1)
    raise AssertionError("job did not finish: %r" % j)


def rescan(s, t, lib_id):
    """A scan right after another: the last one's job may still be closing
    (409 scan_running) for a moment."""
    deadline = time.time() + 10
    while True:
        r = jreq(s, "POST", "/api/v1/admin/libraries/%s/scan" % lib_id, {"full": False}, t)
        if r.status != 409 or time.time() > deadline:
            break
        time.sleep(0.1)
    check(r.status == 202, r.body)
    from test_scanner import wait_scan
    return wait_scan(s, t, lib_id, r.json()["job_id"])


def refresh_until(s, t, item_id, state, reason=None, timeout=30):
    """Asks for a refresh and waits for the work's identification to reach
    `state` (a failed refresh's job is retried on its own meanwhile)."""
    before = ident(s, t, item_id)["updated_at"]
    r = jreq(s, "POST", "/api/v1/media/%s/refresh" % item_id, {}, t)
    check(r.status == 202, r.body)
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = ident(s, t, item_id)
        if m["updated_at"] != before and m["state"] == state and (not reason or reason in (m["reason"] or "")):
            return m
        time.sleep(0.1)
    raise AssertionError("%s never became %s: %r" % (item_id, state, m))


def by_title(s, t, query="type=movie"):
    out, cursor = {}, None
    while True:
        r = s.request("GET", "/api/v1/media?limit=200&" + query + ("&cursor=" + cursor if cursor else ""),
                      headers=bearer(t)).json()
        for i in r["items"]:
            out.setdefault(i["title"], i)
        cursor = r["next_cursor"]
        if not cursor:
            return out


def item(s, t, item_id):
    r = s.request("GET", "/api/v1/media/" + item_id, headers=bearer(t))
    check(r.status == 200, r.body)
    return r.json()


def ident(s, t, item_id):
    r = s.request("GET", "/api/v1/media/%s/identification" % item_id, headers=bearer(t))
    check(r.status == 200, r.body)
    return r.json()


def wait_image(s, t, item_id, kind="poster", timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        it = item(s, t, item_id)
        if kind in it["images"]:
            return it["images"][kind]
        time.sleep(0.1)
    raise AssertionError("no %s for %s" % (kind, item_id))


def test_films_identified_by_id_nfo_and_search(env):
    root = tempfile.mkdtemp(prefix="mq-md-")
    try:
        f = "films/"
        media.put(root, f + "Riddick (2013) {tmdb-87421}/Riddick (2013) {tmdb-87421}.mkv", "h264.mp4")
        media.put(root, f + "Fight Club (1999)/Fight Club (1999).mkv", "h264.mp4")
        media.text(root, f + "Fight Club (1999)/movie.nfo", FIGHT_CLUB_NFO)
        media.put(root, f + "RRRrrrr!!! (2004)/RRRrrrr!!! (2004).avi", "mpeg4.avi")
        media.put(root, f + "Star Wars Episode IV - A New Hope (1977)/Star.Wars.Episode.IV.A.New.Hope.1977.1080p.mkv", "h264.mp4")
        media.put(root, f + "Hercules.mkv", "h264.mp4")
        media.put(root, f + "Bomb (2000)/Bomb (2000).mkv", "h264.mp4")
        media.text(root, f + "Bomb (2000)/Bomb (2000).nfo", BILLION_LAUGHS)
        media.put(root, f + "Leak (2001)/Leak (2001).mkv", "h264.mp4")
        media.text(root, f + "Leak (2001)/movie.nfo", EXTERNAL_ENTITY)
        with Replay() as rp, server(env, rp) as s:
            tok, lib = setup(env, s, root)
            t = tok["root"]
            scan(s, t, lib["id"])
            counts = wait_identified(s, t, lib["id"], 7)
            films = by_title(s, t)
            # An id in the name: one request for the film (and one for its
            # collection, which the replay has not recorded).
            rid = films["Riddick"]
            r = item(s, t, rid["id"])
            check(r["external_ids"]["tmdb"] == "87421" and r["external_ids"]["imdb"] == "tt1411250", r)
            check(r["overview"] and r["sources"]["overview"] == "tmdb" and r["runtime_min"] == 119, r)
            check(r["content_rating"] == {"system": "MPAA", "value": "R"}, r["content_rating"])
            check(r["details"]["tagline"] and r["details"]["link"] == "https://www.themoviedb.org/movie/87421", r["details"])
            m = ident(s, t, rid["id"])
            check(m["state"] == "matched" and m["method"] == "id" and m["confidence"] == 1.0, m)
            log = rp.log()
            check(len([p for p in log if p.startswith("/3/movie/87421")]) == 1, log)
            check(not any(p.startswith("/3/search") and "Riddick" in p for p in log), log)
            cast = s.request("GET", "/api/v1/media/%s/cast" % rid["id"], headers=bearer(t)).json()["items"]
            check(cast[0]["name"] == "Vin Diesel" and cast[0]["character"] == "Riddick", cast[:2])
            crew = s.request("GET", "/api/v1/media/%s/crew" % rid["id"], headers=bearer(t)).json()["items"]
            check(any(c["job"] == "Director" and c["name"] == "David Twohy" for c in crew), crew)
            genres = s.request("GET", "/api/v1/media/%s/genres" % rid["id"], headers=bearer(t)).json()["items"]
            check("Science Fiction" in [g if isinstance(g, str) else g.get("name") for g in genres], genres)
            # The NFO first: its plot stays, TMDb fills what it lacks.
            fc = item(s, t, films["Fight Club"]["id"])
            check(fc["overview"] == "A plot the household wrote." and fc["sources"]["overview"] == "local", fc)
            check(fc["sources"].get("year") == "tmdb" and fc["year"] == 1999, fc["sources"])
            fcast = s.request("GET", "/api/v1/media/%s/cast" % fc["id"], headers=bearer(t)).json()["items"]
            check("Brad Pitt" in [c["name"] for c in fcast], fcast[:3])
            check(ident(s, t, fc["id"])["method"] == "id", "by the NFO's id")
            # A search: the recorded answer, one exact title and year.
            rr = ident(s, t, films["RRRrrrr!!!"]["id"])
            check(rr["state"] == "matched" and rr["method"] == "search" and rr["provider_id"] == "21778", rr)
            # A film of a collection brings the other parts, in release order.
            sw = item(s, t, films["Star Wars"]["id"])
            check(sw["external_ids"]["tmdb"] == "11" and sw["collections"], sw)
            coll = sw["collections"][0]
            check(coll["name"] == "Star Wars Collection" and coll["index"] == 1, coll)
            parts = s.request("GET", "/api/v1/collections/%s/items?limit=50" % coll["id"], headers=bearer(t)).json()["items"]
            titles = [p["title"] for p in parts]
            check(len(parts) == 9 and titles[:3] == ["Star Wars", "The Empire Strikes Back", "Return of the Jedi"], titles)
            empire = [p for p in parts if p["title"] == "The Empire Strikes Back"][0]
            check(empire["library_id"] is None and empire["origin"] == "provider" and empire["year"] == 1980, empire)
            # The part's file arrives: one TMDb id is one work, so the
            # catalogue-only one becomes the library's, in its place.
            media.put(root, f + "Empire (1980) {tmdb-1891}/Empire (1980) {tmdb-1891}.mkv", "h264.mp4")
            rescan(s, t, lib["id"])
            wait_identified(s, t, lib["id"], 8)
            parts = s.request("GET", "/api/v1/collections/%s/items?limit=50" % coll["id"], headers=bearer(t)).json()["items"]
            check(len(parts) == 9 and parts[1]["library_id"] == lib["id"] and parts[1]["id"] != empire["id"], parts[1])
            s.request("GET", "/api/v1/media/" + empire["id"], headers=bearer(t)).problem(404)
            # Several films called Hercules and no year: waits for review.
            h = ident(s, t, films["Hercules"]["id"])
            check(h["state"] == "review" and len(h["candidates"]) >= 2 and h["confidence"] < 0.8, h)
            queue = s.request("GET", "/api/v1/admin/media/unidentified", headers=bearer(t)).json()["items"]
            check("Hercules" in [q["title"] for q in queue if q["state"] == "review"], queue)
            check(all(c["confidence"] >= 0.8 for c in h["candidates"][:2]), "each alone would do")
            # The XML bomb and the external entity are refused; the names stand.
            check(films["Bomb"]["overview"] is None and films["Leak"]["title"] == "Leak", films["Leak"])
            s.wait_log("declares entities")
            check(not any("root:" in json.dumps(x) for x in films.values()), "no /etc/passwd")
            check(counts["matched"] >= 4, counts)
            # Manual identify: a job; the pick stays through refreshes.
            r = jreq(s, "POST", "/api/v1/media/%s/identify" % films["Hercules"]["id"],
                     {"provider": "tmdb", "id": "184315"}, t)
            check(r.status == 202, r.body)
            check(wait_job(s, t, r.json()["job_id"])["state"] == "completed", "identify job")
            h = ident(s, t, films["Hercules"]["id"])
            check(h["state"] == "matched" and h["method"] == "manual" and h["provider_id"] == "184315" and h["matched_by"], h)
            check(item(s, t, films["Hercules"]["id"])["year"] == 2014, "the pick's year")
            r = jreq(s, "POST", "/api/v1/media/%s/refresh" % films["Hercules"]["id"], {}, t)
            check(wait_job(s, t, r.json()["job_id"])["state"] == "completed", "refresh job")
            check(ident(s, t, films["Hercules"]["id"])["provider_id"] == "184315", "kept")
            # Pictures: fetched once, served like local ones.
            url = wait_image(s, t, rid["id"])
            img = s.request("GET", url + "&w=160", headers=bearer(t))
            check(img.status == 200 and img.header("Content-Type") == "image/jpeg", img.status)
            check("immutable" in img.header("Cache-Control") and img.header("ETag"), img.header("Cache-Control"))
            n = len([p for p in rp.log() if p.startswith("/t/p/")])
            check(s.request("GET", url + "&w=320", headers=bearer(t)).status == 200, "another width")
            check(len([p for p in rp.log() if p.startswith("/t/p/")]) == n, "not fetched again")
            photo = [c for c in s.request("GET", "/api/v1/media/%s/cast" % rid["id"], headers=bearer(t)).json()["items"]
                     if c["photo"]]
            check(photo and s.request("GET", photo[0]["photo"], headers=bearer(t)).status == 200, "a photo")
            # A member sees the same, and may not identify.
            ada = tok["ada"]
            check(item(s, ada, rid["id"])["overview"] == r_overview(s, t, rid["id"]), "member")
            jreq(s, "POST", "/api/v1/media/%s/identify" % rid["id"], {"provider": "tmdb", "id": "1"}, ada).problem(403)
            s.request("GET", "/api/v1/admin/media/unidentified", headers=bearer(ada)).problem(403)
    finally:
        shutil.rmtree(root)


def r_overview(s, t, item_id):
    return item(s, t, item_id)["overview"]


def test_series_seasons_episodes_and_air_dates(env):
    root = tempfile.mkdtemp(prefix="mq-md-")
    try:
        media.put(root, "tv/Breaking Bad/Season 01/Breaking.Bad.S01E01.mkv", "h264.mp4")
        media.put(root, "tv/Breaking Bad/Season 01/Breaking.Bad.S01E02.mkv", "h264.mp4")
        media.text(root, "tv/Breaking Bad/Season 01/Breaking.Bad.S01E02.nfo",
                   "<episodedetails><title>The Bag, as we call it</title><season>1</season>"
                   "<episode>2</episode></episodedetails>")
        media.put(root, "tv/Breaking Bad/Season 02/Breaking.Bad.S02E01.mkv", "h264.mp4")
        # Numbered absolutely: season 1 has 7 episodes, so this is S02E02.
        media.put(root, "tv/Breaking Bad/Breaking.Bad.S01E09.mkv", "h264.mp4")
        media.put(root, "tv/Game of Thrones/Season 1/Game.of.Thrones.S01E01.mkv", "h264.mp4")
        media.text(root, "tv/Game of Thrones/tvshow.nfo",
                   '<?xml version="1.0"?><tvshow><title>Game of Thrones</title>'
                   '<uniqueid type="tvdb">121361</uniqueid><uniqueid type="tmdb">1399</uniqueid></tvshow>')
        with Replay() as rp, server(env, rp, {"MARQUEE_SCAN_MISSING_GRACE": "0"}) as s:
            tok, lib = setup(env, s, root, kind="tv", folder="tv")
            t = tok["root"]
            scan(s, t, lib["id"])
            wait_identified(s, t, lib["id"], 2)
            shows = by_title(s, t, "type=series")
            bb = item(s, t, shows["Breaking Bad"]["id"])
            check(bb["external_ids"]["tmdb"] == "1396" and bb["details"]["status"] == "Ended", bb)
            check(bb["content_rating"]["value"] == "TV-MA", bb["content_rating"])
            check(ident(s, t, bb["id"])["method"] == "search", "searched")
            seasons = s.request("GET", "/api/v1/series/%s/seasons" % bb["id"], headers=bearer(t)).json()["items"]
            check([x["index"] for x in seasons] == [0, 1, 2, 3, 4, 5], [x["index"] for x in seasons])
            s1 = s.request("GET", "/api/v1/seasons/%s/episodes?limit=50" % seasons[1]["id"], headers=bearer(t)).json()["items"]
            check(len(s1) == 7 and s1[0]["title"] == "Pilot" and s1[0]["release_date"] == "2008-01-20", s1[:2])
            files = s.request("GET", "/api/v1/media/%s/files" % s1[0]["id"], headers=bearer(t)).json()["items"]
            check(len([f for f in files if f["role"] == "main"]) == 1, "the scanned episode was filled, not doubled")
            check(s1[2]["origin"] == "provider" and s1[2]["library_id"] == lib["id"], s1[2])
            # An episode's own NFO speaks over the provider for it.
            check(s1[1]["title"] == "The Bag, as we call it" and s1[1]["sources"]["title"] == "local", s1[1])
            check(s1[1]["release_date"] == "2008-01-27" and s1[1]["sources"]["release_date"] == "tmdb", s1[1])
            s2 = s.request("GET", "/api/v1/seasons/%s/episodes?limit=50" % seasons[2]["id"], headers=bearer(t)).json()["items"]
            check(len(s2) == 13 and s2[0]["title"] == "Seven Thirty-Seven", [e["title"] for e in s2][:2])
            check(s2[1]["title"] == "Grilled" and s2[1]["index"] == 2 and s2[1]["origin"] == "scan", s2[1])
            files = s.request("GET", "/api/v1/media/%s/files" % s2[1]["id"], headers=bearer(t)).json()["items"]
            check([f["path"].split("/")[-1] for f in files if f["role"] == "main"] == ["Breaking.Bad.S01E09.mkv"], files)
            # A season no recording holds: there, without episodes.
            s5 = s.request("GET", "/api/v1/seasons/%s/episodes" % seasons[5]["id"], headers=bearer(t)).json()["items"]
            check(s5 == [], s5)
            # The NFO's TMDb id; the next episode to air is known.
            got = item(s, t, shows["Game of Thrones"]["id"])
            check(got["external_ids"]["tmdb"] == "1399" and got["external_ids"]["tvdb"] == "121361", got["external_ids"])
            check(ident(s, t, got["id"])["method"] == "id", "by the NFO")
            check("next_episode" in got["details"] or got["details"]["status"], got["details"])
            # The command line refreshes with the server's settings, a progress line each.
            e = cli_env(s)
            e.update(rp.settings())
            before = len(rp.log())
            r = env.run_cli(["metadata", "refresh", "--library", "tv"], env=e, timeout=60)
            check(r.returncode == 0 and "refreshed 2 works: " in r.stdout, (r.stdout, r.stderr[-500:]))
            check("refresh: 2/2 works" in r.stderr, r.stderr[-300:])
            check(any(p.startswith("/3/tv/1396?") for p in rp.log()[before:]), "asked again, not cached")
            r = env.run_cli(["metadata", "refresh", "--item", "0190f0e0-0000-7000-8000-000000000000"], env=e)
            check(r.returncode == 1 and "no work has the id" in r.stderr, r.stderr[-300:])
            r = env.run_cli(["metadata", "refresh"], env=e)
            check(r.returncode == 2 and "usage" in r.stderr, r.stderr)
            # A rescan keeps what the provider made; the scan's episode files stay attached.
            r = rescan(s, t, lib["id"])
            check(r["state"] == "completed", r)
            again = s.request("GET", "/api/v1/seasons/%s/episodes?limit=50" % seasons[1]["id"], headers=bearer(t)).json()["items"]
            check(len(again) == 7, len(again))
            # Removing the show's files removes what the provider made for it.
            shutil.rmtree(os.path.join(root, "tv", "Breaking Bad"))
            rescan(s, t, lib["id"])  # missing now
            rescan(s, t, lib["id"])  # removed: no grace
            check("Breaking Bad" not in by_title(s, t, "type=series"), "gone")
    finally:
        shutil.rmtree(root)


def test_provider_throttles_fails_and_recovers(env):
    root = tempfile.mkdtemp(prefix="mq-md-")
    try:
        media.put(root, "films/RRRrrrr!!! (2004)/RRRrrrr!!! (2004).avi", "mpeg4.avi")
        media.put(root, "films/Alien (1979)/Alien (1979).mkv", "h264.mp4")
        extra = {"MARQUEE_METADATA_BREAKER_FAILURES": "3", "MARQUEE_METADATA_BREAKER_COOLDOWN": "2s",
                 "MARQUEE_METADATA_RETRIES": "2"}
        with Replay() as rp, server(env, rp, extra) as s:
            tok, lib = setup(env, s, root)
            t = tok["root"]
            # 429 twice with Retry-After, then the answer: three tries.
            rp.control(fail=[{"prefix": "/3/search/movie", "status": 429, "times": 2, "retry_after": "1"}])
            scan(s, t, lib["id"])
            wait_identified(s, t, lib["id"], 2)
            films = by_title(s, t)
            check(ident(s, t, films["RRRrrrr!!!"]["id"])["state"] == "matched", "after 429s")
            tries = [p for p in rp.log() if p.startswith("/3/search/movie")]
            check(len(tries) >= 3, tries)
            # 5xx every time: the tries are spent, the breaker opens, /readyz says so.
            rp.control(reset=True, fail=[{"prefix": "/3/", "status": 503, "times": -1}])
            alien = films["Alien"]["id"]
            m = refresh_until(s, t, alien, "failed", "503")
            ready = s.request("GET", "/readyz").json()
            check(ready["metadata_breakers"]["tmdb"] == "open", ready)
            metrics = s.request("GET", "/metrics", headers=bearer(t)).body.decode()
            check('mq_metadata_breaker_open{provider="tmdb"} 1' in metrics, "metric")
            check(re.search(r'mq_metadata_retries_total\{provider="tmdb"\} [1-9]', metrics), "retries counted")
            status = s.request("GET", "/api/v1/admin/metadata", headers=bearer(t)).json()
            check(status["providers"]["tmdb"]["breaker"]["state"] == "open", status["providers"])
            # While open, nothing is sent.
            before = len(rp.log())
            refresh_until(s, t, alien, "failed", "not being called")
            check(len(rp.log()) == before, "not called while open")
            # Healthy again: after the cooldown one request closes it.
            rp.control(reset=True)
            time.sleep(2.2)
            refresh_until(s, t, alien, "matched")
            check(s.request("GET", "/readyz").json()["metadata_breakers"]["tmdb"] == "closed", "closed")
            # The key expires: 401, said so, nothing else lost.
            rp.control(key="another-key")
            m = refresh_until(s, t, alien, "failed", "key")
            check(item(s, t, alien)["year"] == 1979, "the work stays")
            test = jreq(s, "POST", "/api/v1/admin/metadata/test", {"provider": "tmdb"}, t).json()
            check(test["ok"] is False and "key" in test["error"], test)
            rp.control(key=KEY)
            time.sleep(2.2)
            test = jreq(s, "POST", "/api/v1/admin/metadata/test", {"provider": "tmdb"}, t).json()
            check(test["ok"] is True, test)
            # Bad input to the metadata routes.
            jreq(s, "POST", "/api/v1/media/%s/identify" % films["Alien"]["id"], {"provider": "imdb", "id": "1"}, t).problem(422, "invalid_provider")
            jreq(s, "POST", "/api/v1/media/%s/identify" % films["Alien"]["id"], {"provider": "tmdb"}, t).problem(400, "invalid_body")
            jreq(s, "POST", "/api/v1/media/%s/identify" % films["Alien"]["id"], '{"provider": ', t).problem(400, "malformed_json")
            jreq(s, "POST", "/api/v1/media/0190f0e0-0000-7000-8000-000000000000/identify", {"provider": "tmdb", "id": "1"}, t).problem(404, "item_not_found")
            s.request("GET", "/api/v1/metadata/search?type=movie", headers=bearer(t)).problem(400, "invalid_query")
            s.request("GET", "/api/v1/metadata/search?type=film&q=x", headers=bearer(t)).problem(400, "invalid_type")
            s.request("GET", "/api/v1/metadata/search?type=movie&q=x&year=12", headers=bearer(t)).problem(400, "invalid_year")
            r = s.request("GET", "/api/v1/metadata/search?type=movie&q=%27%3B%20DROP%20TABLE%20media_items%3B--",
                          headers=bearer(t))
            check(r.status == 200 and r.json()["items"] == [], r.body)
            r = s.request("GET", "/api/v1/metadata/search?type=movie&q=Alien&year=1979", headers=bearer(t))
            check(r.status == 200 and r.json()["items"][0]["id"] == "348", r.body[:300])
            jreq(s, "PATCH", "/api/v1/admin/libraries/" + lib["id"], {"metadata_order": ["tmdb", "imdb"]}, t).problem(422, "invalid_metadata_order")
            r = jreq(s, "PATCH", "/api/v1/admin/libraries/" + lib["id"], {"metadata_order": ["tmdb"]}, t)
            check(r.json()["metadata_order"] == ["tmdb"] and not r.json()["metadata_order_default"], r.body)
    finally:
        shutil.rmtree(root)


def test_offline_provider_and_names_alone(env):
    root = tempfile.mkdtemp(prefix="mq-md-")
    try:
        media.put(root, "films/Fight Club (1999)/Fight Club (1999).mkv", "h264.mp4")
        media.text(root, "films/Fight Club (1999)/movie.nfo", FIGHT_CLUB_NFO)
        media.put(root, "films/Alien (1979)/Alien (1979).mkv", "h264.mp4")
        with Replay() as rp:
            e = rp.settings()
            e["MARQUEE_TMDB_BASE_URL"] = "http://127.0.0.1:9/3"  # nothing listens
            e["MARQUEE_METADATA_RETRIES"] = "0"
            with env.server(args=FAST, env=e) as s:
                tok, lib = setup(env, s, root)
                t = tok["root"]
                r = scan(s, t, lib["id"])
                check(r["state"] == "completed", r)
                wait_identified(s, t, lib["id"], 2)
                films = by_title(s, t)
                check(set(films) == {"Fight Club", "Alien"}, films)
                fc = ident(s, t, films["Fight Club"]["id"])
                check(fc["state"] == "failed" and fc["reason"], fc)
                check(films["Fight Club"]["overview"] == "A plot the household wrote.", "the NFO applied offline")
                al = ident(s, t, films["Alien"]["id"])
                check(al["state"] == "failed" and al["next_refresh_at"], al)
                check(s.request("GET", "/api/v1/media/%s/files" % films["Alien"]["id"], headers=bearer(t)).status == 200, "browse")
        # With providers off, nothing is sent anywhere.
        with Replay() as rp:
            e = rp.settings()
            e["MARQUEE_METADATA_ENABLED"] = "false"
            with env.server(args=FAST, env=e) as s:
                tok, lib = setup(env, s, root)
                scan(s, tok["root"], lib["id"])
                wait_identified(s, tok["root"], lib["id"], 2)
                check(rp.log() == [], rp.log())
    finally:
        shutil.rmtree(root)


def test_catalogue_sync(env):
    with Replay() as rp, server(env, rp, {"MARQUEE_METADATA_CATALOG_SYNC": "true"}) as s:
        from test_auth import login, make_user
        make_user(env, s, "root@example.org", admin=True)
        t = login(s, "root@example.org").json()["access_token"]
        e = cli_env(s)
        r = env.run_cli(["jobs", "enqueue", "metadata.sync", "--queue", "metadata"], env=e)
        check(r.returncode == 0, r.stderr)
        deadline = time.time() + 30
        while time.time() < deadline:
            got = by_title(s, t, "type=movie")
            if "The Odyssey" in got:
                break
            time.sleep(0.2)
        check("The Odyssey" in got and got["The Odyssey"]["library_id"] is None, sorted(got)[:5])
        check(got["The Odyssey"]["origin"] == "provider", got["The Odyssey"])
        check("House of the Dragon" in by_title(s, t, "type=series"), "series on the air")
        m = ident(s, t, got["The Odyssey"]["id"])
        check(m["state"] == "matched" and m["method"] == "sync" and m["next_refresh_at"], m)
        # Once more: nothing twice.
        n = len(by_title(s, t, "type=movie"))
        r = env.run_cli(["jobs", "enqueue", "metadata.sync", "--queue", "metadata"], env=e)
        time.sleep(1.5)
        check(len(by_title(s, t, "type=movie")) == n, "one work per TMDb id")


def test_books_from_open_library(env):
    root = tempfile.mkdtemp(prefix="mq-md-")
    try:
        media.epub(root, "books/Frank Herbert/Dune.epub")
        with Replay() as rp, server(env, rp) as s:
            tok, lib = setup(env, s, root, kind="books", folder="books")
            t = tok["root"]
            scan(s, t, lib["id"])
            wait_identified(s, t, lib["id"], 1)
            books = by_title(s, t, "type=book")
            m = ident(s, t, books["Dune"]["id"])
            check(m["state"] == "matched" and m["provider"] == "openlibrary" and m["provider_id"] == "OL893414W", m)
            b = item(s, t, books["Dune"]["id"])
            check(b["external_ids"]["openlibrary"] == "OL893414W" and b["overview"], b)
            check(b["external_ids"].get("isbn"), "the EPUB's ISBN kept")
            check(any(p.startswith("/ol/search.json") for p in rp.log()), rp.log())
            crew = s.request("GET", "/api/v1/media/%s/crew" % b["id"], headers=bearer(t)).json()["items"]
            check("Frank Herbert" in [c["name"] for c in crew], crew)
            wait_image(s, t, b["id"])
    finally:
        shutil.rmtree(root)


def matching_cases():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "fixtures", "metadata", "matching.tsv"), encoding="utf-8") as f:
        rows = [l.rstrip("\n").split("\t") for l in f if l.strip() and not l.startswith("#")]
    return rows


VIDEO_EXT = (".mkv", ".avi", ".mp4", ".m4v", ".ts", ".mov", ".wmv", ".mpg")


def test_matching_set_of_real_names(env):
    """Every name a file of one library, its folders as the name gives them."""
    root = tempfile.mkdtemp(prefix="mq-md-")
    try:
        cases = matching_cases()
        want = {}
        for name, kind, tmdb in cases:
            # " / " inside a release name is text, not a folder.
            rel = name.replace(" / ", " - ").lstrip("/")
            if not rel.lower().endswith(VIDEO_EXT):
                rel += ".mkv"
            media.put(root, "films/" + rel, "mpeg4.avi")
            want[os.path.join(root, "films", rel)] = (name, tmdb)
        with Replay() as rp, server(env, rp) as s:
            tok, lib = setup(env, s, root)
            t = tok["root"]
            scan(s, t, lib["id"])
            wait_identified(s, t, lib["id"], 1, timeout=180)
            right = wrong = unsure = 0
            report = []
            works, cursor = [], None
            while True:
                r = s.request("GET", "/api/v1/media?type=movie&limit=200" + ("&cursor=" + cursor if cursor else ""),
                              headers=bearer(t)).json()
                works += r["items"]
                cursor = r["next_cursor"]
                if not cursor:
                    break
            for it in works:
                if it["library_id"] != lib["id"]:
                    continue  # a collection's other parts
                files = s.request("GET", "/api/v1/media/%s/files" % it["id"], headers=bearer(t)).json()["items"]
                m = ident(s, t, it["id"])
                for f in files:
                    if f["role"] != "main":
                        continue
                    name, expect = want.pop(f["path"])
                    got = m["provider_id"] if m["state"] == "matched" else None
                    if expect == "-":
                        ok = got is None
                    else:
                        ok = got == expect
                    right += ok
                    if got and not ok:
                        wrong += 1
                    if not got and expect != "-":
                        unsure += 1
                    if not ok:
                        report.append("%s: want %s, got %s (%s %.2f)" % (name, expect, got, m["state"], m["confidence"]))
            # Names that made one work together (two releases of a film in
            # one folder would) count against the share.
            total = len(cases)
            share = 100.0 * right / total
            print("matching set: %d/%d right (%.1f%%), %d matched wrongly, %d left for review" %
                  (right, total, share, wrong, unsure))
            for line in report:
                print("  " + line)
            check(not want or all(v[1] == "-" for v in want.values()), "every case seen: %r" % want)
            check(wrong == 0, "a name matched above the threshold to the wrong film")
            check(share >= 95.0, "share right %.1f%% below 95%%" % share)
    finally:
        shutil.rmtree(root)
