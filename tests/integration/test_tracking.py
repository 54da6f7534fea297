"""Tracking: positions reported by players (thresholds, the device's clock
deciding between two devices, rewatches), watched and unwatched for works,
seasons and series, Continue Watching, Next Up with catalogue-only
episodes, history with its filters and cursor, statistics in the member's
time zone, the member's own library, and bad input on every route."""
import datetime
import urllib.parse

from harness import check, parse_raw
from test_auth import FAST, bearer
from test_catalog import admin_and_member, create
from test_libraries import jreq

MIN = 60000


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def ago(seconds):
    return iso(datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=seconds))


def report(s, t, mid, body, method="PUT"):
    return jreq(s, method, "/api/v1/media/%s/progress" % mid, body, t)


def get(s, t, path):
    r = s.request("GET", path, headers=bearer(t))
    check(r.status == 200, (path, r.status, r.body))
    return r.json()


def series(s, t, title, seasons, year=2016, **more):
    """A series with seasons of episodes: seasons is {number: [(index, title, runtime)]}."""
    body = {"type": "series", "title": title, "year": year}
    body.update(more)
    show = create(s, t, body)
    eps = {}
    for n, episodes in seasons.items():
        season = create(s, t, {"type": "season", "title": "Season %d" % n, "parent_id": show["id"], "index": n})
        for idx, name, runtime in episodes:
            eps[(n, idx)] = create(s, t, {"type": "episode", "title": name, "parent_id": season["id"],
                                          "index": idx, "runtime_min": runtime})["id"]
    return show["id"], eps


def test_progress_thresholds_and_continue_watching(env):
    with env.server(args=FAST) as s:
        tok, _ = admin_and_member(env, s)
        root, kid = tok["root"], tok["kid"]
        film = create(s, root, {"type": "movie", "title": "Arrival", "year": 2016, "runtime_min": 100,
                                "genres": ["Science Fiction"]})["id"]
        other = create(s, root, {"type": "movie", "title": "Sicario", "year": 2015, "runtime_min": 120})["id"]

        # Nothing recorded yet.
        p = get(s, kid, "/api/v1/media/%s/progress" % film)
        check(p["state"] is None and p["plays"] == 0 and not p["resumable"], p)

        # Under a minute: kept, not resumable, not in Continue Watching.
        r = report(s, kid, film, {"position_ms": 30000, "device": "Living room TV"})
        check(r.status == 200, r.body)
        p = r.json()
        check(p["state"] == "started" and not p["resumable"] and p["resume_ms"] == 0 and p["applied"], p)
        check(p["duration_ms"] == 100 * MIN, p)
        check(get(s, kid, "/api/v1/users/me/continue-watching")["items"] == [], "started is not offered")
        # Over a minute but under 5%: still not.
        p = report(s, kid, film, {"position_ms": 4 * MIN}).json()
        check(p["state"] == "started", p)

        # Half-way: resumable, first in Continue Watching.
        p = report(s, kid, film, {"position_ms": 50 * MIN, "device": "Phone"}).json()
        check(p["state"] == "in_progress" and p["resumable"] and p["resume_ms"] == 50 * MIN, p)
        check(abs(p["progress"] - 0.5) < 0.001 and p["device"] == "Phone", p)
        report(s, kid, other, {"position_ms": 30 * MIN})
        cw = get(s, kid, "/api/v1/users/me/continue-watching")["items"]
        check([c["item"]["id"] for c in cw] == [other, film], cw)
        check(cw[1]["progress"]["position_ms"] == 50 * MIN and cw[1]["item"]["title"] == "Arrival", cw[1])
        # Paging: one at a time.
        page = get(s, kid, "/api/v1/users/me/continue-watching?limit=1")
        check(len(page["items"]) == 1 and page["next_cursor"], page)
        page2 = get(s, kid, "/api/v1/users/me/continue-watching?limit=1&cursor=" + page["next_cursor"])
        check([c["item"]["id"] for c in page2["items"]] == [film] and page2["next_cursor"] is None, page2)
        # The POST form (navigator.sendBeacon) says the same.
        p = report(s, kid, film, {"position_ms": 51 * MIN}, method="POST").json()
        check(p["position_ms"] == 51 * MIN, p)

        # Another member sees none of it.
        theirs = get(s, root, "/api/v1/users/me/continue-watching")["items"]
        check(theirs == [], theirs)
        check(get(s, root, "/api/v1/media/%s/progress" % film)["state"] is None, "the admin's own")

        # In the library, in progress.
        lib = get(s, kid, "/api/v1/users/me/library")["items"]
        check({(e["item"]["id"], e["status"]) for e in lib} == {(film, "in_progress"), (other, "in_progress")}, lib)

        # 90%: finished. A play, out of Continue Watching, completed in the library.
        p = report(s, kid, film, {"position_ms": 91 * MIN}).json()
        check(p["state"] == "completed" and p["plays"] == 1 and not p["resumable"], p)
        check([c["item"]["id"] for c in get(s, kid, "/api/v1/users/me/continue-watching")["items"]] == [other],
              "a finished work leaves Continue Watching")
        # Reports past the threshold while the credits roll add no play.
        p = report(s, kid, film, {"position_ms": 97 * MIN}).json()
        check(p["plays"] == 1 and p["state"] == "completed", p)
        h = get(s, kid, "/api/v1/users/me/history")["items"]
        check(len(h) == 1 and h[0]["item_id"] == film and h[0]["source"] == "marquee" and
              h[0]["platform"] == "marquee" and h[0]["type"] == "movie" and h[0]["title"] == "Arrival", h)
        entry = [e for e in get(s, kid, "/api/v1/users/me/library")["items"] if e["item"]["id"] == film][0]
        check(entry["status"] == "completed" and entry["consumed_at"], entry)

        # A rewatch: back in progress, then a second play.
        p = report(s, kid, film, {"position_ms": 20 * MIN}).json()
        check(p["state"] == "in_progress" and p["plays"] == 1, p)
        p = report(s, kid, film, {"position_ms": 95 * MIN}).json()
        check(p["plays"] == 2, p)

        # The end-credits rule: a 10-minute short with 1 minute left is done.
        short = create(s, root, {"type": "movie", "title": "Bao", "year": 2018, "runtime_min": 10})["id"]
        p = report(s, kid, short, {"position_ms": int(8.6 * MIN)}).json()
        check(p["state"] == "completed", p)
        # The threshold is a setting.
        r = jreq(s, "PATCH", "/api/v1/admin/settings", {"track_complete_percent": 60}, root)
        check(r.status == 200, r.body)
        p = report(s, kid, other, {"position_ms": 75 * MIN}).json()
        check(p["state"] == "completed", p)

        # Forgetting a position keeps the plays.
        report(s, kid, other, {"position_ms": 10 * MIN})
        r = s.request("DELETE", "/api/v1/media/%s/progress" % other, headers=bearer(kid))
        check(r.status == 204, r.body)
        p = get(s, kid, "/api/v1/media/%s/progress" % other)
        check(p["state"] is None and p["plays"] == 1, p)


def test_the_device_clock_decides(env):
    with env.server(args=FAST) as s:
        tok, _ = admin_and_member(env, s)
        root, kid = tok["root"], tok["kid"]
        film = create(s, root, {"type": "movie", "title": "Heat", "year": 1995, "runtime_min": 170})["id"]
        # The TV reported 40 minutes at a time after the phone's 10 minutes;
        # the phone's report arrives last and changes nothing.
        p = report(s, kid, film, {"position_ms": 40 * MIN, "device": "TV", "reported_at": ago(5)}).json()
        check(p["applied"], p)
        p = report(s, kid, film, {"position_ms": 10 * MIN, "device": "Phone", "reported_at": ago(60)}).json()
        check(not p["applied"] and p["position_ms"] == 40 * MIN and p["device"] == "TV", p)
        check(get(s, kid, "/api/v1/media/%s/progress" % film)["position_ms"] == 40 * MIN, "the later report stands")
        # A clock far ahead counts as now: the next real report still wins.
        future = iso(datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=365))
        p = report(s, kid, film, {"position_ms": 41 * MIN, "device": "Broken clock", "reported_at": future}).json()
        check(p["applied"] and p["reported_at"] < future, p)
        p = report(s, kid, film, {"position_ms": 42 * MIN, "device": "TV"}).json()
        check(p["applied"] and p["position_ms"] == 42 * MIN, p)
        # Marking watched is later than any report the phone still sends.
        r = jreq(s, "POST", "/api/v1/media/%s/watched" % film, {}, kid)
        check(r.status == 200 and r.json()["marked"] == 1, r.body)
        p = report(s, kid, film, {"position_ms": 43 * MIN, "reported_at": ago(30)}).json()
        check(not p["applied"] and p["state"] == "completed", p)
        check(get(s, kid, "/api/v1/users/me/continue-watching")["items"] == [], "a late report does not bring it back")


def test_watched_series_next_up_and_unwatch(env):
    with env.server(args=FAST) as s:
        tok, _ = admin_and_member(env, s)
        root, kid = tok["root"], tok["kid"]
        show, eps = series(s, root, "Halt and Catch Fire", {
            0: [(1, "Making Of", 20)],
            1: [(1, "I/O", 50), (2, "FUD", 50), (3, "High Plains Hardware", 50)],
            2: [(1, "SETI", 50), (2, "New Coke", 50)]})
        other, oeps = series(s, root, "Dark", {1: [(1, "Secrets", 50), (2, "Lies", 50)]}, year=2017)

        check(get(s, kid, "/api/v1/users/me/next-up")["items"] == [], "nothing played yet")
        # Playing S1E1 to the end: next up is S1E2.
        p = report(s, kid, eps[(1, 1)], {"position_ms": 49 * MIN}).json()
        check(p["state"] == "completed", p)
        nu = get(s, kid, "/api/v1/users/me/next-up")["items"]
        check(len(nu) == 1 and nu[0]["series"]["id"] == show and nu[0]["episode"]["id"] == eps[(1, 2)], nu)
        check(nu[0]["episode"]["season"] == 1 and nu[0]["episode"]["episode"] == 2 and
              nu[0]["episode"]["series_title"] == "Halt and Catch Fire", nu[0])
        # Only the catalogue knows these episodes (no file backs them).
        check(nu[0]["episode"]["in_library"] is False, nu[0]["episode"])
        # The series is in progress in the library.
        lib = {e["item"]["id"]: e["status"] for e in get(s, kid, "/api/v1/users/me/library")["items"]}
        check(lib == {show: "in_progress"}, lib)

        # Marking season 1 watched gives its two unplayed episodes a play each.
        season1 = get(s, root, "/api/v1/series/%s/seasons" % show)["items"]
        s1 = [x for x in season1 if x["index"] == 1][0]["id"]
        r = jreq(s, "POST", "/api/v1/media/%s/watched" % s1, {"watched_at": ago(3600)}, kid)
        check(r.status == 200 and r.json()["marked"] == 2, r.body)
        nu = get(s, kid, "/api/v1/users/me/next-up")["items"]
        check(nu[0]["episode"]["id"] == eps[(2, 1)], nu)
        # A rewatch of S1E1 later does not take Next Up back to S1E2.
        jreq(s, "POST", "/api/v1/media/%s/watched" % eps[(1, 1)], {}, kid)
        nu = get(s, kid, "/api/v1/users/me/next-up")["items"]
        check(nu[0]["episode"]["id"] == eps[(2, 1)], nu)
        check(get(s, kid, "/api/v1/media/%s/progress" % eps[(1, 1)])["plays"] == 2, "rewatches count")

        # A second series played later comes first.
        jreq(s, "POST", "/api/v1/media/%s/watched" % oeps[(1, 1)], {}, kid)
        nu = get(s, kid, "/api/v1/users/me/next-up")["items"]
        check([u["series"]["id"] for u in nu] == [other, show], nu)
        page = get(s, kid, "/api/v1/users/me/next-up?limit=1")
        check(len(page["items"]) == 1 and page["next_cursor"], page)
        page = get(s, kid, "/api/v1/users/me/next-up?limit=1&cursor=" + page["next_cursor"])
        check([u["series"]["id"] for u in page["items"]] == [show], page)

        # Dropping a series takes it out of Next Up.
        r = jreq(s, "PUT", "/api/v1/users/me/library/" + other, {"status": "dropped"}, kid)
        check(r.status == 200, r.body)
        check([u["series"]["id"] for u in get(s, kid, "/api/v1/users/me/next-up")["items"]] == [show], "dropped")

        # Marking the whole series watched: every numbered episode played,
        # caught up, completed in the library. Specials get their play too.
        r = jreq(s, "POST", "/api/v1/media/%s/watched" % show, {}, kid)
        check(r.status == 200 and r.json()["marked"] == 3, r.body)
        check(get(s, kid, "/api/v1/users/me/next-up")["items"] == [], "caught up")
        lib = {e["item"]["id"]: e["status"] for e in get(s, kid, "/api/v1/users/me/library")["items"]}
        check(lib[show] == "completed", lib)
        # Watching a series has no position of its own.
        r = report(s, kid, show, {"position_ms": 1000})
        check(r.status == 422 and r.json()["code"] == "not_playable", r.body)

        # Unwatching season 2: its plays go, Next Up comes back to it, the
        # series is in progress again.
        s2 = [x for x in season1 if x["index"] == 2][0]["id"]
        r = s.request("DELETE", "/api/v1/media/%s/watched" % s2, headers=bearer(kid))
        check(r.status == 200 and r.json()["forgotten"] == 2, r.body)
        nu = get(s, kid, "/api/v1/users/me/next-up")["items"]
        check(nu and nu[0]["episode"]["id"] == eps[(2, 1)], nu)
        lib = {e["item"]["id"]: e["status"] for e in get(s, kid, "/api/v1/users/me/library")["items"]}
        check(lib[show] == "in_progress", lib)
        # Unwatching the whole series forgets everything and its entry.
        r = s.request("DELETE", "/api/v1/media/%s/watched" % show, headers=bearer(kid))
        check(r.status == 200 and r.json()["forgotten"] == 5, r.body)
        lib = {e["item"]["id"]: e["status"] for e in get(s, kid, "/api/v1/users/me/library")["items"]}
        check(show not in lib, lib)


def test_history_and_stats(env):
    with env.server(args=FAST) as s:
        tok, ids = admin_and_member(env, s)
        root, kid = tok["root"], tok["kid"]
        films = [create(s, root, {"type": "movie", "title": t, "year": 2000 + i, "runtime_min": 90,
                                  "genres": g})["id"]
                 for i, (t, g) in enumerate([("Alpha", ["Drama"]), ("Beta", ["Drama", "Comedy"]),
                                             ("Gamma", ["Comedy"]), ("Delta", ["Drama"])])]
        book = create(s, root, {"type": "book", "title": "Piranesi", "year": 2020})["id"]
        r = jreq(s, "PATCH", "/api/v1/users/me/preferences", {"time_zone": "Europe/Paris"}, kid)
        check(r.status == 200, r.body)
        # 23:30 UTC on 31 January is 1 February in Paris.
        marks = [(films[0], "2026-01-31T23:30:00Z", "netflix"), (films[1], "2026-03-01T12:00:00Z", None),
                 (films[2], "2026-03-02T12:00:00Z", None), (films[3], "2026-03-03T12:00:00Z", None),
                 (films[0], "2026-03-10T12:00:00Z", None)]
        for mid, at, platform in marks:
            body = {"watched_at": at}
            if platform:
                body["platform"] = platform
            r = jreq(s, "POST", "/api/v1/media/%s/watched" % mid, body, kid)
            check(r.status == 200, r.body)
        # A book read to the end through its reader's share.
        p = report(s, kid, book, {"progress": 0.4, "locator": {"cfi": "epubcfi(/6/4!/4/2/1:0)"}}).json()
        check(p["state"] == "in_progress" and p["locator"] == {"cfi": "epubcfi(/6/4!/4/2/1:0)"} and
              p["resume_ms"] == 0, p)
        p = report(s, kid, book, {"progress": 0.95}).json()
        check(p["state"] == "completed" and p["plays"] == 1, p)

        h = get(s, kid, "/api/v1/users/me/history")["items"]
        check(len(h) == 6 and h[0]["item_id"] == book, h)
        check([x["watched_at"][:10] for x in h[1:]] == ["2026-03-10", "2026-03-03", "2026-03-02", "2026-03-01",
                                                         "2026-01-31"], h)
        # Filters.
        check([x["item_id"] for x in get(s, kid, "/api/v1/users/me/history?platform=netflix")["items"]] == [films[0]],
              "platform")
        check([x["item_id"] for x in get(s, kid, "/api/v1/users/me/history?type=book")["items"]] == [book], "type")
        check(len(get(s, kid, "/api/v1/users/me/history?source=manual")["items"]) == 5, "source")
        got = get(s, kid, "/api/v1/users/me/history?from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z")["items"]
        check([x["item_id"] for x in got] == [films[2], films[1]], got)
        # Cursor through every entry, two at a time.
        seen, cursor = [], None
        while True:
            page = get(s, kid, "/api/v1/users/me/history?limit=2" + ("&cursor=" + cursor if cursor else ""))
            seen += [x["id"] for x in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        check(seen == [x["id"] for x in h], (seen, h))

        st = get(s, kid, "/api/v1/users/me/stats")
        check(st["plays"] == 6, st)
        months = {m["month"]: m["plays"] for m in st["by_month"]}
        check(months == {"2026-02": 1, "2026-03": 4, h[0]["watched_at"][:7]: 1}, months)
        check({t["type"]: t["plays"] for t in st["by_type"]} == {"movie": 5, "book": 1}, st["by_type"])
        check({p["platform"]: p["plays"] for p in st["by_platform"]} == {"netflix": 1, "marquee": 5}, st)
        check(st["longest_streak"] == {"days": 3, "from": "2026-03-01", "to": "2026-03-03"}, st["longest_streak"])
        check(st["top_genres"][0] == {"genre": "Drama", "plays": 4}, st["top_genres"])
        movie_hours = [t["hours"] for t in st["by_type"] if t["type"] == "movie"][0]
        check(movie_hours == 7.5, st["by_type"])
        check(st["completion"]["completed"] == 5 and st["completion"]["share"] == 1.0, st["completion"])

        # A member with no plays and no time zone.
        st = get(s, root, "/api/v1/users/me/stats")
        check(st["plays"] == 0 and st["by_month"] == [] and st["longest_streak"]["days"] == 0 and
              st["completion"]["share"] is None, st)

        # Deleting one entry; another member's entry is not theirs to delete.
        r = s.request("DELETE", "/api/v1/users/me/history/" + h[-1]["id"], headers=bearer(root))
        check(r.status == 404 and r.json()["code"] == "history_entry_not_found", r.body)
        r = s.request("DELETE", "/api/v1/users/me/history/" + h[-1]["id"], headers=bearer(kid))
        check(r.status == 204, r.body)
        check(len(get(s, kid, "/api/v1/users/me/history")["items"]) == 5, "deleted")
        r = s.request("DELETE", "/api/v1/users/me/history/not-an-id", headers=bearer(kid))
        check(r.status == 404, r.body)
        # Bad filters.
        for q, field in (("type=film", "type"), ("from=yesterday", "from"), ("cursor=xyz", None)):
            r = s.request("GET", "/api/v1/users/me/history?" + q, headers=bearer(kid))
            check(r.status == 400, (q, r.body))


def test_my_library(env):
    with env.server(args=FAST) as s:
        tok, _ = admin_and_member(env, s)
        root, kid = tok["root"], tok["kid"]
        a = create(s, root, {"type": "movie", "title": "Amour", "year": 2012})["id"]
        b = create(s, root, {"type": "book", "title": "Beloved", "year": 1987})["id"]
        c = create(s, root, {"type": "series", "title": "Columbo", "year": 1971})["id"]
        r = jreq(s, "PUT", "/api/v1/users/me/library/" + a,
                 {"status": "completed", "platform": "Netflix", "rating": 8.5, "consumed_at": "2025-05-01T20:00:00Z",
                  "notes": "<script>alert(1)</script> & =HYPERLINK(\"x\")"}, kid)
        check(r.status == 201, r.body)
        e = r.json()
        check(e["status"] == "completed" and e["rating"] == 8.5 and e["platform"] == "Netflix" and
              e["notes"] == "<script>alert(1)</script> & =HYPERLINK(\"x\")" and e["source"] == "manual" and
              e["item"]["title"] == "Amour", e)
        r = jreq(s, "PUT", "/api/v1/users/me/library/" + a, {"status": "completed", "rating": 9}, kid)
        check(r.status == 200 and r.json()["rating"] == 9 and r.json()["platform"] is None, r.body)
        check(jreq(s, "PUT", "/api/v1/users/me/library/" + b, {"status": "planned"}, kid).status == 201, "b")
        check(jreq(s, "PUT", "/api/v1/users/me/library/" + c, {"status": "paused", "rating": 6}, kid).status == 201, "c")

        def ids(q=""):
            return [x["item"]["id"] for x in get(s, kid, "/api/v1/users/me/library" + q)["items"]]
        check(ids() == [c, b, a], ids())
        check(ids("?sort=title") == [a, b, c], ids("?sort=title"))
        check(ids("?sort=rating") == [a, c, b], ids("?sort=rating"))
        check(ids("?status=planned") == [b], "status")
        check(ids("?type=series") == [c], "type")
        check(ids("?rating=7") == [a], "rating")
        page = get(s, kid, "/api/v1/users/me/library?sort=title&limit=2")
        check(len(page["items"]) == 2 and page["next_cursor"], page)
        page = get(s, kid, "/api/v1/users/me/library?sort=title&limit=2&cursor=" + page["next_cursor"])
        check([x["item"]["id"] for x in page["items"]] == [c], page)
        check(get(s, root, "/api/v1/users/me/library")["items"] == [], "one's own")

        # Bad input names the field and changes nothing.
        for body, code, field in (({"status": "watching"}, "invalid_status", "status"),
                                  ({"status": "planned", "rating": 11}, "invalid_body", "rating"),
                                  ({"status": "planned", "rating": 0.1}, "invalid_body", "rating"),
                                  ({"status": "planned", "notes": "x" * 4001}, "invalid_notes", "notes"),
                                  ({"status": "planned", "platform": "a\u0007b"}, "invalid_platform", "platform"),
                                  ({"status": "planned", "consumed_at": "2999-01-01T00:00:00Z"},
                                   "invalid_consumed_at", "consumed_at"),
                                  ({"status": "planned", "colour": "red"}, "unknown_field", "colour"),
                                  ({}, "invalid_body", "status")):
            r = jreq(s, "PUT", "/api/v1/users/me/library/" + a, body, kid)
            check(r.status in (400, 422) and r.json()["code"] == code and r.json().get("field") == field,
                  (body, r.status, r.body))
        check([x for x in get(s, kid, "/api/v1/users/me/library")["items"] if x["item"]["id"] == a][0]["rating"] == 9,
              "nothing lost")
        r = jreq(s, "PUT", "/api/v1/users/me/library/" + a, "{\"status\": ", kid)
        check(r.status == 400 and r.json()["code"] == "malformed_json", r.body)
        r = jreq(s, "PUT", "/api/v1/users/me/library/00000000-0000-7000-8000-000000000000", {"status": "planned"}, kid)
        check(r.status == 404 and r.json()["code"] == "media_not_found", r.body)
        r = s.request("GET", "/api/v1/users/me/library?status=nope", headers=bearer(kid))
        check(r.status == 400, r.body)
        r = s.request("GET", "/api/v1/users/me/library?sort=nope", headers=bearer(kid))
        check(r.status == 400, r.body)

        r = s.request("DELETE", "/api/v1/users/me/library/" + b, headers=bearer(kid))
        check(r.status == 204, r.body)
        r = s.request("DELETE", "/api/v1/users/me/library/" + b, headers=bearer(kid))
        check(r.status == 404 and r.json()["code"] == "library_entry_not_found", r.body)
        check(ids() == [c, a], ids())


def test_bad_reports_and_hidden_works(env):
    with env.server(args=FAST) as s:
        tok, ids = admin_and_member(env, s)
        root, kid = tok["root"], tok["kid"]
        film = create(s, root, {"type": "movie", "title": "Up", "year": 2009, "runtime_min": 96,
                                "content_rating": "PG"})["id"]
        adult = create(s, root, {"type": "movie", "title": "Sicario", "year": 2015, "runtime_min": 121,
                                 "content_rating": "R"})["id"]
        for body, code, field in (({"position_ms": -1}, "invalid_body", "position_ms"),
                                  ({"position_ms": 10 ** 15}, "invalid_body", "position_ms"),
                                  ({"position_ms": "12"}, "invalid_body", "position_ms"),
                                  ({"device": "TV"}, "invalid_body", "position_ms"),
                                  ({"position_ms": 1, "duration_ms": 0}, "invalid_body", "duration_ms"),
                                  ({"position_ms": 1, "progress": 1.5}, "invalid_body", "progress"),
                                  ({"position_ms": 1, "locator": "page 3"}, "invalid_body", "locator"),
                                  ({"position_ms": 1, "locator": {"cfi": "x" * 2000}}, "invalid_body", "locator"),
                                  ({"position_ms": 1, "device": "x" * 65}, "invalid_body", "device"),
                                  ({"position_ms": 1, "device": "tv\u0007"}, "invalid_body", "device"),
                                  ({"position_ms": 1, "reported_at": "last tuesday"}, "invalid_body", "reported_at"),
                                  ({"position_ms": 1, "speed": 2}, "unknown_field", "speed")):
            r = report(s, kid, film, body)
            check(r.status in (400, 422) and r.json()["code"] == code and r.json().get("field") == field,
                  (body, r.status, r.body))
        check(get(s, kid, "/api/v1/media/%s/progress" % film)["state"] is None, "nothing was recorded")
        for raw in ("{", "[1, 2]", "\"x\"", b"{\"position_ms\": 1, \"device\": \"\xff\"}",
                    "{\"position_ms\": 1, \"device\": \"tv\\u0000\"}"):
            h = bearer(kid)
            h["Content-Type"] = "application/json"
            r = s.request("PUT", "/api/v1/media/%s/progress" % film, body=raw, headers=h)
            check(r.status == 400, (raw, r.status, r.body))
        # Declared too large: refused from the head alone.
        r = parse_raw(s.raw(("PUT /api/v1/media/%s/progress HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                             "Content-Type: application/json\r\nContent-Length: 20000000\r\n\r\n"
                             % (film, kid)).encode(), read_all=False))
        r.problem(413, "payload_too_large")
        for mid in ("00000000-0000-7000-8000-000000000000", "../../etc/passwd", "1' OR '1'='1"):
            r = report(s, kid, urllib.parse.quote(mid, safe=""), {"position_ms": 1})
            check(r.status == 404, (mid, r.status, r.body))
        r = jreq(s, "POST", "/api/v1/media/%s/watched" % film, {"watched_at": "2999-01-01T00:00:00Z"}, kid)
        check(r.status == 422 and r.json()["code"] == "invalid_watched_at", r.body)
        r = jreq(s, "POST", "/api/v1/media/%s/watched" % film, {"platform": ""}, kid)
        check(r.status == 422 and r.json()["field"] == "platform", r.body)

        # Parental controls: a work above the member's limit is not there.
        r = jreq(s, "PATCH", "/api/v1/admin/users/%s/parental-controls" % ids["kid"], {"max_rating": "PG-13"}, root)
        check(r.status == 200, r.body)
        for method, path, body in (("PUT", "progress", {"position_ms": 60000}), ("GET", "progress", None),
                                   ("POST", "watched", {}), ("DELETE", "watched", None)):
            r = jreq(s, method, "/api/v1/media/%s/%s" % (adult, path), body, kid) if body is not None else \
                s.request(method, "/api/v1/media/%s/%s" % (adult, path), headers=bearer(kid))
            check(r.status == 404, (method, path, r.status, r.body))
        r = jreq(s, "PUT", "/api/v1/users/me/library/" + adult, {"status": "planned"}, kid)
        check(r.status == 404, r.body)
        # What they watched before the limit stays theirs in history, and
        # out of the lists that show the catalogue.
        check(report(s, kid, film, {"position_ms": 30 * MIN}).status == 200, "allowed work")
        jreq(s, "PATCH", "/api/v1/admin/users/%s/parental-controls" % ids["kid"], {"max_rating": "G"}, root)
        check(get(s, kid, "/api/v1/users/me/continue-watching")["items"] == [], "hidden from lists")
