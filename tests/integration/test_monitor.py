"""What comes next: relations between works (derived from the catalogue's
shape and from titles, set and deleted by admins), follows, and the
monitor finding, for each member, the next season or sequel after what
they finished, once it is out and within their reach (a library they may
see, or a platform they use), told once however often it runs, with
whole-season mode and works finished elsewhere."""
import datetime
import os
import tempfile
import threading
import time

import media
from harness import backends, check
from test_auth import FAST, bearer, login, make_user
from test_catalog import create
from test_libraries import jreq
from test_scanner import scan

DAY = datetime.timedelta(days=1)


def day(offset):
    return (datetime.date.today() + offset).isoformat()


def members(env, s, names):
    make_user(env, s, "root@example.org", admin=True)
    for n in names:
        make_user(env, s, n + "@example.org")
    return {n: login(s, n + "@example.org").json()["access_token"] for n in ["root"] + names}


def run_monitor(s, root):
    before = {r["id"] for r in s.request("GET", "/api/v1/admin/monitor/runs", headers=bearer(root)).json()["items"]}
    r = s.request("POST", "/api/v1/admin/monitor/run", headers=bearer(root))
    check(r.status == 202, r.body)
    deadline = time.time() + 30
    while time.time() < deadline:
        runs = s.request("GET", "/api/v1/admin/monitor/runs", headers=bearer(root)).json()["items"]
        new = [x for x in runs if x["id"] not in before and x["state"] != "running"]
        if new:
            check(new[0]["state"] == "done", new[0])
            return new[0]
        time.sleep(0.1)
    raise AssertionError("the monitor did not finish")


def told(s, t, events=None):
    items = s.request("GET", "/api/v1/users/me/notifications", headers=bearer(t)).json()["items"]
    return [(n["event"], n["title"]) for n in items if not events or n["event"] in events]


MONITOR = {"sequel.available", "season.available", "season.complete", "collection.next_available",
           "book.next_available", "person.new_work"}


def watched(s, t, mid):
    r = jreq(s, "POST", "/api/v1/media/%s/watched" % mid, {}, t)
    check(r.status == 200, r.body)


def test_next_season_and_sequel_once_and_only_within_reach(env):
    root_dir = tempfile.mkdtemp(prefix="mq-monitor-")
    os.makedirs(os.path.join(root_dir, "films"))
    with env.server(args=FAST) as s:
        tok = members(env, s, ["ada", "bob", "cleo", "dave"])
        root = tok["root"]
        apple = {"platforms": ["netflix", "apple_tv"], "region": "US"}
        for who in ("ada", "cleo", "dave"):
            doc = dict(apple, whole_season=(who == "cleo"))
            check(jreq(s, "PUT", "/api/v1/users/me/notification-preferences", doc, tok[who]).status == 200)

        # A series: season 1 out long ago, season 2's first episode out
        # yesterday, its second next week; streaming on Apple TV+ in the US.
        show = create(s, root, {"type": "series", "title": "Severance", "year": 2022})
        seasons, eps = {}, {}
        for n, dates in ((1, ["2022-02-18", "2022-02-25"]), (2, [day(-DAY), day(7 * DAY)])):
            seasons[n] = create(s, root, {"type": "season", "title": "Season %d" % n, "parent_id": show["id"], "index": n})
            for i, d in enumerate(dates, 1):
                eps[(n, i)] = create(s, root, {"type": "episode", "title": "Episode %d" % i, "index": i,
                                               "parent_id": seasons[n]["id"], "release_date": d})
        r = jreq(s, "POST", "/api/v1/admin/catalog/content/%s/availability" % show["id"],
                 {"platform": "Apple TV Plus", "region": "US", "kind": "flatrate",
                  "url": "https://tv.apple.com/show/severance", "from": "2022-01-01T00:00:00Z"}, root)
        check(r.status == 201, r.body)
        # Films: Dune, and its sequel known to the catalogue, streaming only
        # on a platform nobody here uses.
        dune = create(s, root, {"type": "movie", "title": "Dune", "year": 2021, "release_date": "2021-10-22"})
        part2 = create(s, root, {"type": "movie", "title": "Dune: Part Two", "year": 2024, "release_date": "2024-03-01"})
        jreq(s, "POST", "/api/v1/admin/catalog/content/%s/availability" % part2["id"],
             {"platform": "Max", "region": "US", "kind": "flatrate"}, root)

        watched(s, tok["ada"], seasons[1]["id"])
        watched(s, tok["cleo"], seasons[1]["id"])
        watched(s, tok["bob"], eps[(1, 1)]["id"])  # not the whole season
        for who in ("ada", "bob", "dave"):
            watched(s, tok[who], dune["id"])

        run = run_monitor(s, root)
        check(run["members"] == 5 and run["relations_derived"] >= 5, run)
        check(told(s, tok["ada"], MONITOR) == [("season.available", "Severance: Season 2 is available")],
              told(s, tok["ada"]))
        n = s.request("GET", "/api/v1/users/me/notifications", headers=bearer(tok["ada"])).json()["items"][0]
        check(n["link"] == "/media/" + seasons[2]["id"] and n["external_url"] == "https://tv.apple.com/show/severance", n)
        check("on Apple TV Plus" in n["body"], n)
        check(told(s, tok["bob"], MONITOR) == [], "bob did not finish season 1")
        check(told(s, tok["cleo"], MONITOR) == [], "whole-season mode: not until all of it is out")

        # Run again: nothing new, nothing twice.
        again = run_monitor(s, root)
        check(again["notified"] == 0 and len(told(s, tok["ada"], MONITOR)) == 1, again)

        # The whole season is out: told to both who finished the first.
        jreq(s, "PATCH", "/api/v1/admin/catalog/content/" + eps[(2, 2)]["id"], {"release_date": day(-DAY)}, root)
        run_monitor(s, root)
        check(("season.complete", "Severance: all of Season 2 is out") in told(s, tok["cleo"]), told(s, tok["cleo"]))
        check(len(told(s, tok["cleo"], MONITOR)) == 1 and len(told(s, tok["ada"], MONITOR)) == 2, told(s, tok["ada"]))

        # The sequel arrives in a library: now it can be had. Dave finished
        # it elsewhere (his own library says so) and hears nothing.
        lib = jreq(s, "POST", "/api/v1/admin/libraries",
                   {"name": "Films", "type": "movies", "paths": [os.path.join(root_dir, "films")]}, root).json()
        media.put(root_dir, "films/Dune Part Two (2024)/Dune Part Two (2024).mkv", "h264.mp4")
        scan(s, root, lib["id"])
        local = [i for i in s.request("GET", "/api/v1/media?type=movie", headers=bearer(root)).json()["items"]
                 if i.get("library_id") == lib["id"]]
        check(len(local) == 1, local)
        r = jreq(s, "PUT", "/api/v1/users/me/library/" + local[0]["id"], {"status": "completed"}, tok["dave"])
        check(r.status in (200, 201), r.body)
        run_monitor(s, root)
        check(("sequel.available", "Dune Part Two is available") in told(s, tok["ada"]), told(s, tok["ada"]))
        check(told(s, tok["bob"], MONITOR) == [("sequel.available", "Dune Part Two is available")], told(s, tok["bob"]))
        check(told(s, tok["dave"], MONITOR) == [], told(s, tok["dave"]))

        # The relation the title gave, with its low confidence; an admin's
        # overrides it, and a deleted one stays deleted.
        rel = s.request("GET", "/api/v1/media/%s/relations" % dune["id"], headers=bearer(tok["ada"])).json()["items"]
        derived = [x for x in rel if x["to_id"] == local[0]["id"]]
        check(derived and derived[0]["kind"] == "sequel_of" and derived[0]["source"] == "derived"
              and derived[0]["confidence"] == 0.4 and derived[0]["follows"] is True, rel)
        body = {"from_id": dune["id"], "to_id": part2["id"], "kind": "sequel_of"}
        check(jreq(s, "POST", "/api/v1/admin/relations", body, root).status == 201)
        rel = s.request("GET", "/api/v1/media/%s/relations" % dune["id"], headers=bearer(tok["ada"])).json()["items"]
        check([(x["to_id"], x["source"]) for x in rel if x["kind"] == "sequel_of"] == [(part2["id"], "admin")], rel)
        check(s.request("DELETE", "/api/v1/admin/relations", body=__import__("json").dumps(body).encode(),
                        headers=dict(bearer(root), **{"Content-Type": "application/json"})).status == 204)
        gone = {"from_id": dune["id"], "to_id": local[0]["id"], "kind": "sequel_of"}
        check(s.request("DELETE", "/api/v1/admin/relations", body=__import__("json").dumps(gone).encode(),
                        headers=dict(bearer(root), **{"Content-Type": "application/json"})).status == 204)
        run_monitor(s, root)
        rel = s.request("GET", "/api/v1/media/%s/relations" % dune["id"], headers=bearer(tok["ada"])).json()["items"]
        check([x for x in rel if x["kind"] == "sequel_of"] == [], rel)

        # Bad input.
        for b, code in [({"from_id": dune["id"], "to_id": dune["id"], "kind": "sequel_of"}, "same_item"),
                        ({"from_id": dune["id"], "to_id": part2["id"], "kind": "cousin_of"}, "invalid_kind"),
                        ({"from_id": "x' OR 1=1 --", "to_id": part2["id"], "kind": "sequel_of"}, "item_not_found")]:
            jreq(s, "POST", "/api/v1/admin/relations", b, root).problem(422, code)
        jreq(s, "POST", "/api/v1/admin/relations", body, tok["ada"]).problem(403)
        s.request("GET", "/api/v1/media/nope/relations", headers=bearer(tok["ada"])).problem(404)


def test_next_episode_of_a_season_begun(env):
    """Part way through a season that is airing, each next episode is told
    once it is out; not for a series being caught up on long after it
    aired, nor in whole-season mode."""
    with env.server(args=FAST) as s:
        tok = members(env, s, ["ada", "eve"])
        root = tok["root"]
        for who in ("ada", "eve"):
            doc = {"platforms": ["disney_plus"], "region": "US", "whole_season": who == "eve"}
            check(jreq(s, "PUT", "/api/v1/users/me/notification-preferences", doc, tok[who]).status == 200)
        eps = {}
        for title, dates in (("Andor", [day(-10 * DAY), day(-DAY), day(7 * DAY)]),
                             ("The Wire", ["2002-06-02", "2002-06-09"])):
            show = create(s, root, {"type": "series", "title": title})
            season = create(s, root, {"type": "season", "title": "Season 1", "parent_id": show["id"], "index": 1})
            for i, d in enumerate(dates, 1):
                eps[(title, i)] = create(s, root, {"type": "episode", "title": "Chapter %d" % i, "index": i,
                                                   "parent_id": season["id"], "release_date": d})
            r = jreq(s, "POST", "/api/v1/admin/catalog/content/%s/availability" % show["id"],
                     {"platform": "Disney Plus", "region": "US", "kind": "flatrate"}, root)
            check(r.status == 201, r.body)
        for who in ("ada", "eve"):
            watched(s, tok[who], eps[("Andor", 1)]["id"])
        watched(s, tok["ada"], eps[("The Wire", 1)]["id"])

        run_monitor(s, root)
        want = [("episode.available", "Andor: S1 E2, Chapter 2 is available")]
        check(told(s, tok["ada"], {"episode.available"}) == want, told(s, tok["ada"]))
        check(told(s, tok["eve"], {"episode.available"}) == [], told(s, tok["eve"]))
        n = s.request("GET", "/api/v1/users/me/notifications", headers=bearer(tok["ada"])).json()["items"][0]
        check(n["link"] == "/media/" + eps[("Andor", 2)]["id"] and "on Disney Plus" in n["body"], n)
        run_monitor(s, root)
        check(told(s, tok["ada"], {"episode.available"}) == want, "told once")

        # The next week's episode comes out after ada caught up.
        watched(s, tok["ada"], eps[("Andor", 2)]["id"])
        jreq(s, "PATCH", "/api/v1/admin/catalog/content/" + eps[("Andor", 3)]["id"], {"release_date": day(-DAY)}, root)
        run_monitor(s, root)
        check(told(s, tok["ada"], {"episode.available"})[0] ==
              ("episode.available", "Andor: S1 E3, Chapter 3 is available"), told(s, tok["ada"]))
        check(len(told(s, tok["ada"], {"episode.available"})) == 2, told(s, tok["ada"]))


def nfo(title, year, actors):
    cast = "".join("<actor><name>%s</name><role>%s</role></actor>" % (a, r) for a, r in actors)
    return ('<?xml version="1.0" encoding="UTF-8"?><movie><title>%s</title><year>%d</year>%s</movie>'
            % (title, year, cast))


def test_a_followed_persons_new_work(env):
    """Following a person: a work of theirs that reaches the catalogue
    afterwards (here credited by its NFO) and is within reach is told,
    once; their earlier works are not news."""
    from test_metadata import wait_identified

    root_dir = tempfile.mkdtemp(prefix="mq-person-")
    media.put(root_dir, "films/Heat (1995)/Heat (1995).mkv", "h264.mp4")
    media.text(root_dir, "films/Heat (1995)/movie.nfo",
               nfo("Heat", 1995, [("Al Pacino", "Vincent Hanna"), ("Robert De Niro", "Neil McCauley")]))
    e = {"MARQUEE_METADATA_ENABLED": "false", "MARQUEE_WATCH_LIBRARIES": "false"}
    with env.server(args=FAST, env=e) as s:
        tok = members(env, s, ["ada"])
        root, ada = tok["root"], tok["ada"]
        lib = jreq(s, "POST", "/api/v1/admin/libraries",
                   {"name": "Films", "type": "movies", "paths": [os.path.join(root_dir, "films")]}, root).json()
        scan(s, root, lib["id"])
        wait_identified(s, root, lib["id"], 1)
        heat = [i for i in s.request("GET", "/api/v1/media?type=movie", headers=bearer(ada)).json()["items"]][0]
        cast = s.request("GET", "/api/v1/media/%s/cast" % heat["id"], headers=bearer(ada)).json()["items"]
        pacino = [c for c in cast if c["name"] == "Al Pacino"][0]["person_id"]
        check(s.request("PUT", "/api/v1/users/me/follows/person/" + pacino, headers=bearer(ada)).status == 204)
        run_monitor(s, root)
        check(told(s, ada, MONITOR) == [], "Heat was there before the follow: %r" % told(s, ada))

        media.put(root_dir, "films/The Irishman (2019)/The Irishman (2019).mkv", "h264.mp4")
        media.text(root_dir, "films/The Irishman (2019)/movie.nfo",
                   nfo("The Irishman", 2019, [("Robert De Niro", "Frank Sheeran"), ("Al Pacino", "Jimmy Hoffa")]))
        media.put(root_dir, "films/Alien (1979)/Alien (1979).mkv", "h264.mp4")
        media.text(root_dir, "films/Alien (1979)/movie.nfo", nfo("Alien", 1979, [("Sigourney Weaver", "Ripley")]))
        scan(s, root, lib["id"])
        wait_identified(s, root, lib["id"], 3)
        run_monitor(s, root)
        run_monitor(s, root)
        check(told(s, ada, MONITOR) == [("person.new_work", "Al Pacino: The Irishman")], told(s, ada))
        n = s.request("GET", "/api/v1/users/me/notifications", headers=bearer(ada)).json()["items"][0]
        check("a new work by Al Pacino, is available in your library" in n["body"], n)


def test_follows(env):
    with env.server(args=FAST) as s:
        tok = members(env, s, ["ada"])
        show = create(s, tok["root"], {"type": "series", "title": "Slow Horses", "year": 2022})
        t = tok["ada"]
        check(s.request("PUT", "/api/v1/users/me/follows/series/" + show["id"], headers=bearer(t)).status == 204)
        check(s.request("PUT", "/api/v1/users/me/follows/series/" + show["id"], headers=bearer(t)).status == 204)
        got = s.request("GET", "/api/v1/users/me/follows", headers=bearer(t)).json()["items"]
        check([(f["kind"], f["id"], f["name"]) for f in got] == [("series", show["id"], "Slow Horses")], got)
        s.request("PUT", "/api/v1/users/me/follows/person/" + show["id"], headers=bearer(t)).problem(404, "follow_target_not_found")
        s.request("PUT", "/api/v1/users/me/follows/planet/" + show["id"], headers=bearer(t)).problem(404)
        s.request("PUT", "/api/v1/users/me/follows/series/%27%20OR%201=1", headers=bearer(t)).problem(404)
        check(s.request("DELETE", "/api/v1/users/me/follows/series/" + show["id"], headers=bearer(t)).status == 204)
        s.request("DELETE", "/api/v1/users/me/follows/series/" + show["id"], headers=bearer(t)).problem(404)
        check(s.request("GET", "/api/v1/users/me/follows", headers=bearer(t)).json()["items"] == [])


@backends("postgres")
def test_two_instances_at_once_tell_once(env):
    with env.server(args=FAST) as a:
        tok = members(env, a, ["ada", "bob"])
        root = tok["root"]
        key_file = os.path.join(a.data_dir, "master.key")
        show = create(a, root, {"type": "series", "title": "Andor", "year": 2022})
        seasons = {}
        for n in (1, 2):
            seasons[n] = create(a, root, {"type": "season", "title": "Season %d" % n, "parent_id": show["id"], "index": n})
            create(a, root, {"type": "episode", "title": "One", "index": 1, "parent_id": seasons[n]["id"],
                             "release_date": "2022-09-21" if n == 1 else day(-DAY)})
        jreq(a, "POST", "/api/v1/admin/catalog/content/%s/availability" % show["id"],
             {"platform": "Disney Plus", "region": "US", "kind": "flatrate"}, root)
        for who in ("ada", "bob"):
            jreq(a, "PUT", "/api/v1/users/me/notification-preferences",
                 {"platforms": ["disney_plus"], "region": "US"}, tok[who])
            watched(a, tok[who], seasons[1]["id"])
        with env.server(args=FAST, database_url=a.database_url, env={"MARQUEE_MASTER_KEY_FILE": key_file}) as b:
            extra = {"MARQUEE_DATA_DIR": a.data_dir, "MARQUEE_DATABASE_URL": a.database_url}
            # Runs without the unique key, so that several run at once, on
            # either instance.
            procs = [threading.Thread(target=env.run_cli, args=(["jobs", "enqueue", "track.monitor"],),
                                      kwargs={"env": extra}) for _ in range(4)]
            for p in procs:
                p.start()
            for p in procs:
                p.join()
            deadline = time.time() + 30
            while time.time() < deadline:
                runs = a.request("GET", "/api/v1/admin/monitor/runs", headers=bearer(root)).json()["items"]
                if len(runs) >= 4 and all(r["state"] != "running" for r in runs):
                    break
                time.sleep(0.2)
            check(len(runs) == 4 and all(r["state"] == "done" for r in runs), runs)
            check(sum(r["notified"] for r in runs) == 2, runs)  # one each: all of it is out
            for who in ("ada", "bob"):
                got = told(b, tok[who], MONITOR)
                check(got == [("season.complete", "Andor: all of Season 2 is out")], got)


def test_upcoming_and_its_calendar_feed(env):
    import icalendar
    with env.server(args=FAST, env={"MARQUEE_PUBLIC_URL": "https://marquee.test"}) as s:
        tok = members(env, s, ["ada", "bob"])
        root, t = tok["root"], tok["ada"]
        show = create(s, root, {"type": "series", "title": "Severance", "year": 2022})
        s1 = create(s, root, {"type": "season", "title": "Season 1", "parent_id": show["id"], "index": 1})
        create(s, root, {"type": "episode", "title": "Good News About Hell", "index": 1, "parent_id": s1["id"],
                         "release_date": "2022-02-18"})
        s2 = create(s, root, {"type": "season", "title": "Season 2", "parent_id": show["id"], "index": 2})
        e1 = create(s, root, {"type": "episode", "title": "Hello, Ms. Cobel; again", "index": 1,
                              "parent_id": s2["id"], "release_date": day(3 * DAY)})
        e2 = create(s, root, {"type": "episode", "title": "Goodbye, Mrs. Selvig \u00e9t\u00e9 \U0001f3ac " + "long " * 20,
                              "index": 2, "parent_id": s2["id"], "release_date": day(10 * DAY)})
        jreq(s, "POST", "/api/v1/admin/catalog/content/%s/availability" % show["id"],
             {"platform": "Apple TV Plus", "region": "US", "kind": "flatrate"}, root)
        dune = create(s, root, {"type": "movie", "title": "Dune", "year": 2021, "release_date": "2021-10-22"})
        three = create(s, root, {"type": "movie", "title": "Dune: Part Three", "year": 2026,
                                 "release_date": day(100 * DAY)})
        check(jreq(s, "POST", "/api/v1/admin/relations",
                   {"from_id": dune["id"], "to_id": three["id"], "kind": "sequel_of"}, root).status == 201)
        watched(s, t, s1["id"])
        watched(s, t, dune["id"])

        r = s.request("GET", "/api/v1/users/me/upcoming?limit=2", headers=bearer(t))
        check(r.status == 200, r.body)
        page = r.json()
        check([i["id"] for i in page["items"]] == [e1["id"], e2["id"]] and page["next_cursor"], page)
        check(page["items"][0]["series"] == "Severance" and page["items"][0]["season"] == 2
              and page["items"][0]["platforms"] == "Apple TV Plus", page["items"][0])
        more = s.request("GET", "/api/v1/users/me/upcoming?limit=2&cursor=" + page["next_cursor"], headers=bearer(t)).json()
        check([i["id"] for i in more["items"]] == [three["id"]] and more["next_cursor"] is None, more)
        check(s.request("GET", "/api/v1/users/me/upcoming", headers=bearer(tok["bob"])).json()["items"] == [],
              "bob watches none of it")
        s.request("GET", "/api/v1/users/me/upcoming?from=yesterday", headers=bearer(t)).problem(400, "invalid_filter")

        # The feed: a token shown once, valid iCalendar that a real parser reads.
        check(s.request("GET", "/api/v1/users/me/calendar-token", headers=bearer(t)).json()["exists"] is False)
        r = s.request("POST", "/api/v1/users/me/calendar-token", headers=bearer(t))
        check(r.status == 201 and r.json()["token"].startswith("mqc_"), r.body)
        path = r.json()["path"]
        feed = s.request("GET", path)
        check(feed.status == 200 and feed.header("content-type").startswith("text/calendar"), feed.headers)
        check("no-store" in feed.header("cache-control"), feed.headers)
        raw = feed.body
        for ln in raw.split(b"\r\n")[:-1]:
            check(len(ln) <= 75 and b"\n" not in ln, ln)
        cal = icalendar.Calendar.from_ical(raw)
        check(str(cal["VERSION"]) == "2.0" and "Marquee" in str(cal["PRODID"]), cal)
        events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
        check(len(events) == 3, list(events))
        ev = events[e1["id"] + "@marquee.test"]
        check(str(ev["SUMMARY"]) == "Severance S02E01: Hello, Ms. Cobel; again", str(ev["SUMMARY"]))
        check(ev.decoded("DTSTART") == datetime.date.today() + 3 * DAY, ev.decoded("DTSTART"))
        check(ev.decoded("DTEND") == datetime.date.today() + 4 * DAY and "LAST-MODIFIED" in ev, ev)
        check(str(ev["URL"]) == "https://marquee.test/media/" + e1["id"], ev)
        long = events[e2["id"] + "@marquee.test"]
        check("\U0001f3ac" in str(long["SUMMARY"]) and str(long["SUMMARY"]).rstrip().endswith("long long"), str(long["SUMMARY"]))
        again = icalendar.Calendar.from_ical(s.request("GET", path).body)
        check({str(e["UID"]) for e in again.walk("VEVENT")} == set(events), "stable UIDs")

        # Wrong, rotated and revoked tokens are refused.
        s.request("GET", "/api/v1/users/me/calendar.ics?token=mqc_nope").problem(401, "invalid_token")
        s.request("GET", "/api/v1/users/me/calendar.ics").problem(401, "invalid_token")
        r = s.request("POST", "/api/v1/users/me/calendar-token", headers=bearer(t))
        s.request("GET", path).problem(401, "invalid_token")
        check(s.request("GET", r.json()["path"]).status == 200)
        check(s.request("DELETE", "/api/v1/users/me/calendar-token", headers=bearer(t)).status == 204)
        s.request("GET", r.json()["path"]).problem(401)
        s.request("DELETE", "/api/v1/users/me/calendar-token", headers=bearer(t)).problem(404)
