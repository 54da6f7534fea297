"""Imports: every format's realistic sample (tests/fixtures/imports/, quirks
included) against a catalogue that holds their titles among look-alikes
(remakes, same-name films of other years, sequels), the matching figure,
importing twice adding nothing, the review queue with its candidates and
resolutions becoming aliases, manual entries, profiles, and hostile files
(a binary renamed .csv, too large, too many rows, invalid UTF-8, UTF-16,
formula cells)."""
import json
import os
import time
import urllib.parse

from harness import check, parse_raw
from test_auth import FAST, bearer
from test_catalog import admin_and_member, create
from test_libraries import jreq
from test_search import indexed

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, "..", "fixtures", "imports")

# (type, title, year, release date, more): the works, look-alikes among them.
MOVIES = [
    ("Dune", 1984, "1984-12-14", {}), ("Dune", 2021, "2021-10-22", {}), ("Dune: Part Two", 2024, "2024-03-01", {}),
    ("Mission: Impossible", 1996, "1996-05-22", {}),
    ("Mission: Impossible \u2013 Fallout", 2018, "2018-07-27", {}),
    ("Spider-Man", 2002, "2002-05-03", {}), ("Spider-Man: Into the Spider-Verse", 2018, "2018-12-14", {}),
    ("Sleeping Beauty", 1959, "1959-01-29", {}), ("Sleeping Beauty", 2011, "2011-06-23", {}),
    ("The Irishman", 2019, "2019-11-27", {"runtime_min": 209}), ("Arrival", 2016, "2016-11-11", {"runtime_min": 116}),
    ("Am\u00e9lie", 2001, "2001-04-25", {}), ("Rocky", 1976, "1976-12-03", {}), ("Rocky II", 1979, "1979-06-15", {}),
    ("Rocky III", 1982, "1982-05-28", {}), ("Knives Out", 2019, "2019-11-27", {}),
    ("Glass Onion: A Knives Out Mystery", 2022, "2022-12-23", {}),
    ("Heat", 1986, "1986-03-14", {}), ("Heat", 1995, "1995-12-15", {"runtime_min": 170}),
    ("The Vanishing", 1988, "1988-10-27", {"original_title": "Spoorloos"}),
    ("The Vanishing", 1993, "1993-02-05", {}),
    ("Everything Everywhere All at Once", 2022, "2022-03-25", {}), ("Soylent Green", 1973, "1973-04-19", {}),
    ("Brick", 2005, "2005-04-08", {}), ("Crouching Tiger, Hidden Dragon", 2000, "2000-07-07", {}),
    ("L\u00e9on: The Professional", 1994, "1994-09-14", {}),
    ("The Dark Knight", 2008, "2008-07-18", {"external_ids": {"imdb": "tt0468569", "tmdb": "155"}}),
    ("The Dark Knight Rises", 2012, "2012-07-20", {}),
    ("Batman Begins", 2005, "2005-06-15", {"external_ids": {"imdb": "tt0372784"}}),
    ("The Matrix", 1999, "1999-03-31", {"external_ids": {"imdb": "tt0133093"}}),
    ("Black Caesar", 1973, "1973-02-07", {}), ("Encanto", 2021, "2021-11-24", {}), ("Soul", 2020, "2020-12-25", {}),
]
# Series: {season: [(number, title)]}.
SERIES = [
    ("Stranger Things", 2016, {1: [(1, "Chapter One: The Vanishing of Will Byers"),
                                   (2, "Chapter Two: The Weirdo on Maple Street")],
                               4: [(1, "Chapter One: The Hellfire Club")]}, {}),
    ("Avatar: The Last Airbender", 2005, {1: [(1, "The Boy in the Iceberg"), (2, "The Avatar Returns")]}, {}),
    ("Avatar", 2009, None, {}),  # the film, a look-alike of the show's prefix
    ("Money Heist", 2017, {1: [(1, "Episode 1"), (2, "Episode 2")], 2: [(1, "Episode 1")]},
     {"original_title": "La casa de papel"}),
    ("Brooklyn Nine-Nine", 2013, {1: [(18, "Operation: Broken Feather"), (19, "Sabotage")]}, {}),
    ("Downton Abbey", 2010, {1: [(1, "Episode 1"), (2, "Episode 2")]}, {}),
    ("The Queen's Gambit", 2020, {1: [(1, "Openings"), (2, "Exchanges")]}, {}),
    ("The IT Crowd", 2006, {1: [(2, "Calamity Jen"), (3, "The Red Door")]}, {}),
    ("Mr. Robot", 2015, {1: [(4, "eps1.3_da3m0ns.mp4")]}, {}),
    ("Star Trek: The Next Generation", 1987, {3: [(26, "The Best of Both Worlds: Part 1")]}, {}),
    ("Star Trek", 1966, {1: [(1, "The Man Trap")]}, {}),
    ("Black Mirror", 2011, {3: [(1, "Nosedive"), (4, "San Junipero")]}, {}),
    ("The Crown", 2016, {2: [(8, "Dear Mrs Kennedy")]}, {}),
    ("Dark", 2017, {1: [(1, "Secrets"), (2, "Lies")], 2: [(1, "Beginnings and Endings")]}, {}),
    ("Unorthodox", 2020, {1: [(1, "Part 1")]}, {}),
    ("Lupin", 2021, {1: [(1, "Chapter 1")]}, {}),
    ("The Terminal List: Dark Wolf", 2025, {1: [(1, "Inherent Resolve")]}, {}),
    ("The Terminal List", 2022, {1: [(1, "Transience")]}, {}),
    ("The Boys", 2019, {4: [(1, "Department of Dirty Tricks"), (2, "Life Among the Septics")]}, {}),
    ("Breaking Bad", 2008, {2: [(1, "Seven Thirty-Seven")]}, {"external_ids": {"imdb": "tt0903747", "tmdb": "1396"}}),
    ("The Mandalorian", 2019, {1: [(1, "Chapter 1: The Mandalorian")]}, {}),
]


def build_catalogue(s, t):
    ids = {}
    for title, year, date, more in MOVIES:
        body = {"type": "movie", "title": title, "year": year, "release_date": date}
        body.update(more)
        ids[(title, year)] = create(s, t, body)["id"]
    for title, year, seasons, more in SERIES:
        if seasons is None:
            ids[(title, year)] = create(s, t, {"type": "movie", "title": title, "year": year})["id"]
            continue
        body = {"type": "series", "title": title, "year": year}
        body.update(more)
        show = create(s, t, body)["id"]
        ids[(title, year)] = show
        for n, episodes in seasons.items():
            season = create(s, t, {"type": "season", "title": "Season %d" % n, "parent_id": show, "index": n})["id"]
            for idx, name in episodes:
                ids[(title, n, idx)] = create(s, t, {"type": "episode", "title": name, "parent_id": season,
                                                    "index": idx, "runtime_min": 50})["id"]
    ids[("Dune", "book")] = create(s, t, {"type": "book", "title": "Dune", "year": 1965,
                                          "external_ids": {"isbn": "9780441172719"}})["id"]
    ids[("Old Man's War", "book")] = create(s, t, {"type": "book", "title": "Old Man's War", "year": 2005})["id"]
    indexed(s, t)
    return ids


def sample(name):
    with open(os.path.join(SAMPLES, name), "rb") as f:
        return f.read()


def upload(s, t, body, content_type="text/csv", **query):
    path = "/api/v1/import/csv" + ("?" + urllib.parse.urlencode(query) if query else "")
    h = bearer(t)
    h["Content-Type"] = content_type
    return s.request("POST", path, body=body, headers=h)


def finished(s, t, imp, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        st = s.request("GET", "/api/v1/import/status/" + imp["id"], headers=bearer(t)).json()
        if st["state"] in ("done", "failed"):
            return st
        time.sleep(0.1)
    raise AssertionError("the import did not finish: %r" % st)


def run(s, t, name, content_type="text/csv", **query):
    r = upload(s, t, sample(name), content_type, **query)
    check(r.status == 202, (name, r.status, r.body))
    st = finished(s, t, r.json())
    check(st["state"] == "done", st)
    return st


def rows_of(s, t, imp_id, what="unmatched"):
    """Every row of an import's review queue (or of the import)."""
    out, cursor = [], None
    while True:
        q = "?limit=200" + ("&cursor=" + cursor if cursor else "")
        page = s.request("GET", "/api/v1/import/%s/%s%s" % (imp_id, what, q), headers=bearer(t)).json()
        out += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return out


def all_rows(s, t, imp_id):
    return rows_of(s, t, imp_id, "rows")


def history(s, t):
    out, cursor = [], None
    while True:
        q = "?limit=200" + ("&cursor=" + cursor if cursor else "")
        page = s.request("GET", "/api/v1/users/me/history" + q, headers=bearer(t)).json()
        out += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return out


def test_matching_across_formats(env):
    with env.server(args=FAST) as s:
        tok, users = admin_and_member(env, s)
        root, kid = tok["root"], tok["kid"]
        ids = build_catalogue(s, root)
        M = lambda title, year: ids[(title, year)]
        E = lambda show, year, season, ep: ids[(show, season, ep)]
        # What each sample's viewing rows are, in file order (None: not in
        # the catalogue, so it must wait for review and never be matched).
        expected = {
            "netflix_us.csv": [
                E("Stranger Things", 2016, 4, 1), E("Stranger Things", 2016, 1, 2), E("Stranger Things", 2016, 1, 1),
                E("Avatar: The Last Airbender", 2005, 1, 1), E("Money Heist", 2017, 2, 1),
                E("Money Heist", 2017, 1, 2), E("Money Heist", 2017, 1, 1), E("Brooklyn Nine-Nine", 2013, 1, 19),
                M("Downton Abbey", 2010), E("Downton Abbey", 2010, 1, 1), E("The Queen's Gambit", 2020, 1, 1),
                M("Dune", 2021), M("Dune: Part Two", 2024), M("Mission: Impossible \u2013 Fallout", 2018),
                E("The IT Crowd", 2006, 1, 3), E("Mr. Robot", 2015, 1, 4),
                M("Spider-Man: Into the Spider-Verse", 2018), E("Star Trek: The Next Generation", 1987, 3, 26),
                M("Sleeping Beauty", 2011), M("The Irishman", 2019), M("Arrival", 2016), M("Arrival", 2016),
                M("Am\u00e9lie", 2001), E("Black Mirror", 2011, 3, 1), E("Black Mirror", 2011, 3, 4),
                E("The Crown", 2016, 2, 8), M("Rocky II", 1979), M("Glass Onion: A Knives Out Mystery", 2022),
                None],
            "netflix_nl.csv": [
                E("Dark", 2017, 1, 1), E("Money Heist", 2017, 1, 2), E("Money Heist", 2017, 2, 1),
                E("Unorthodox", 2020, 1, 1),
                E("Lupin", 2021, 1, 1), M("The Vanishing", 1988), M("Dune", 2021)],
            "amazon.csv": [
                E("The Terminal List: Dark Wolf", 2025, 1, 1), E("The Boys", 2019, 4, 2), E("The Boys", 2019, 4, 1),
                M("Everything Everywhere All at Once", 2022), M("Dune", 2021), M("The Irishman", 2019)],
            "letterboxd_diary.csv": [
                M("Soylent Green", 1973), M("Brick", 2005), M("Dune", 1984), M("Dune", 2021),
                M("Sleeping Beauty", 1959), M("Crouching Tiger, Hidden Dragon", 2000), M("Am\u00e9lie", 2001),
                M("Arrival", 2016), M("L\u00e9on: The Professional", 1994), M("Rocky II", 1979)],
            "trakt_history.json": [M("The Dark Knight", 2008), E("Breaking Bad", 2008, 2, 1),
                                   M("Batman Begins", 2005)],
        }
        right = wrong = missed = total = 0
        report = []
        for name, want in expected.items():
            ctype = "application/json" if name.endswith(".json") else "text/csv"
            st = run(s, kid, name, ctype)
            check(st["rows"]["total"] == len(want) + (1 if name == "netflix_us.csv" else 0), (name, st))
            waiting = {r["row"]: r for r in rows_of(s, kid, st["id"])}
            # Matched rows carry their item in the import's rows; the
            # review queue lists the rest. Read both through the rows API.
            ordered = all_rows(s, kid, st["id"])
            ordered = [r for r in ordered if r["state"] not in ("failed", "skipped")]
            check(len(ordered) == len(want), (name, len(ordered), len(want), ordered))
            for row, item in zip(ordered, want):
                total += 1
                if item is None:
                    ok = row["state"] == "review"
                    wrong += row["state"] == "matched"
                else:
                    ok = row["state"] in ("matched", "duplicate") and row["item_id"] == item
                    wrong += row["state"] in ("matched", "duplicate") and row["item_id"] != item
                    missed += row["state"] == "review"
                right += ok
                if not ok:
                    report.append((name, row["raw"], row["state"], row.get("reason"), row["item_id"]))
            check(set(waiting) == {r["row"] for r in ordered if r["state"] == "review"}, (name, waiting))
        share = right / total
        print("# matching: %d of %d rows right (%.1f%%), %d wrong above the threshold, %d left for review"
              % (right, total, 100 * share, wrong, missed))
        for line in report:
            print("#   %r" % (line,))
        check(share >= 0.95, (share, report))
        check(wrong == 0, report)


def test_twice_review_aliases_and_manual(env):
    with env.server(args=FAST) as s:
        tok, users = admin_and_member(env, s)
        root, kid = tok["root"], tok["kid"]
        ids = build_catalogue(s, root)
        st = run(s, kid, "netflix_us.csv")
        plays = len(history(s, kid))
        check(plays == st["rows"]["matched"] - 1, (plays, st))  # the show-level row makes no play
        check(st["rows"]["failed"] == 1 and st["rows"]["needs_review"] == 1, st)
        # The same file again, and an overlapping later export: nothing twice.
        again = run(s, kid, "netflix_us.csv")
        check(again["rows"]["matched"] == 1 and again["rows"]["duplicates"] == st["rows"]["matched"] - 1, again)
        check(len(history(s, kid)) == plays, "no play twice")
        overlap = b'Title,Date\n"Arrival","10/14/23"\n"Heat","1/3/24"\n'
        r = upload(s, kid, overlap)
        check(r.status == 202, r.body)
        st2 = finished(s, kid, r.json())
        check(st2["rows"]["duplicates"] == 1 and st2["rows"]["matched"] == 1, st2)
        check(len(history(s, kid)) == plays + 1, "only the new row")
        # The import history, newest first; the raw rows are kept.
        hist = s.request("GET", "/api/v1/import/history", headers=bearer(kid)).json()["items"]
        check([h["id"] for h in hist][:3] == [st2["id"], again["id"], st["id"]], hist)
        raws = [r["raw"] for r in all_rows(s, kid, st["id"])]
        check('"Money Heist: Part ll: Episode 1","8/2/24"' in raws, raws)
        # Someone else's import is not there for another member.
        r = s.request("GET", "/api/v1/import/status/" + st["id"], headers=bearer(root))
        check(r.status == 404 and r.json()["code"] == "import_not_found", r.body)
        r = s.request("GET", "/api/v1/import/%s/unmatched" % st["id"], headers=bearer(root))
        check(r.status == 404, r.body)
        # The job's id works as well as the import's.
        check(s.request("GET", "/api/v1/import/status/" + st["job_id"], headers=bearer(kid)).json()["id"] == st["id"],
              "by job id")

        # The review queue: a title the catalogue lacks, with candidates.
        r = upload(s, kid, b'Title,Date\n"Glass Onion","6/2/24"\n"Spider Man","5/5/24"\n"Zzyzx Qwv","5/5/24"\n')
        imp = finished(s, kid, r.json())
        queue = rows_of(s, kid, imp["id"])
        by_raw = {q["raw"]: q for q in queue}
        check(imp["rows"]["needs_review"] == len(queue), (imp, queue))
        # A title that is only the start of one: not sure, so it waits with
        # that work as its first candidate.
        onion = by_raw['"Glass Onion","6/2/24"']
        check(onion["reason"] == "below_threshold" and
              onion["candidates"][0]["item_id"] == ids[("Glass Onion: A Knives Out Mystery", 2022)], onion)
        nothing = by_raw['"Zzyzx Qwv","5/5/24"']
        check(nothing["reason"] == "no_candidates" and nothing["candidates"] == [], nothing)
        # Resolve it to a work: the play is recorded and the title becomes an alias.
        line = nothing["row"]
        r = jreq(s, "POST", "/api/v1/import/%s/unmatched/%d/resolve" % (imp["id"], line),
                 {"media_id": ids[("Soul", 2020)]}, kid)
        check(r.status == 200 and r.json()["state"] == "resolved", r.body)
        check(any(h["item_id"] == ids[("Soul", 2020)] for h in history(s, kid)), "resolved into history")
        r = jreq(s, "POST", "/api/v1/import/%s/unmatched/%d/resolve" % (imp["id"], line), {"skip": True}, kid)
        check(r.status == 409 and r.json()["code"] == "not_in_review", r.body)
        for body in ({}, {"media_id": ids[("Soul", 2020)], "skip": True}):
            r = jreq(s, "POST", "/api/v1/import/%s/unmatched/%d/resolve" % (imp["id"], line), body, kid)
            check(r.status in (409, 422), (body, r.body))
        aliases = s.request("GET", "/api/v1/admin/aliases", headers=bearer(root)).json()["items"]
        check([a["item_id"] for a in aliases] == [ids[("Soul", 2020)]] and aliases[0]["title"] == "Zzyzx Qwv", aliases)
        # Everyone's later imports use it.
        r = upload(s, root, b'Title,Date\n"Zzyzx Qwv","7/7/24"\n')
        later = finished(s, root, r.json())
        row = all_rows(s, root, later["id"])[0]
        check(row["state"] == "matched" and row["method"] == "alias" and row["item_id"] == ids[("Soul", 2020)], row)
        # Admins may delete an alias; members may not list them.
        check(s.request("GET", "/api/v1/admin/aliases", headers=bearer(kid)).status == 403, "members")
        key = urllib.parse.quote(aliases[0]["key"], safe="")
        check(s.request("DELETE", "/api/v1/admin/aliases/" + key, headers=bearer(root)).status == 204, "deleted")
        check(s.request("DELETE", "/api/v1/admin/aliases/" + key, headers=bearer(root)).status == 404, "gone")
        # Skipping a row.
        spider = by_raw.get('"Spider Man","5/5/24"')
        if spider:
            r = jreq(s, "POST", "/api/v1/import/%s/unmatched/%d/resolve" % (imp["id"], spider["row"]), {"skip": True}, kid)
            check(r.status == 200 and r.json()["state"] == "dismissed", r.body)

        # Manual entries: matched like a row, or waiting for review; never a new work.
        r = jreq(s, "POST", "/api/v1/import/manual", {"title": "dune", "type": "movie", "platform": "Netflix",
                                                      "consumed_at": "2022-03-01T20:00:00Z"}, kid)
        check(r.status == 201 and r.json()["state"] == "matched" and r.json()["item_id"] == ids[("Dune", 2021)], r.body)
        r = jreq(s, "POST", "/api/v1/import/manual", {"title": "<b>Not a real film</b>", "type": "movie"}, kid)
        check(r.status == 201 and r.json()["state"] == "review" and r.json()["title"] == "<b>Not a real film</b>", r.body)
        media = s.request("GET", "/api/v1/search?q=" + urllib.parse.quote("Not a real film"), headers=bearer(kid)).json()
        check(all(i.get("title") != "<b>Not a real film</b>" for i in media["items"]), "nothing invented")
        for body, code in (({"title": "", "type": "movie"}, "invalid_body"), ({"title": "x" * 600, "type": "movie"}, "invalid_title"),
                           ({"title": "X", "type": "film"}, "invalid_type"), ({"title": "X", "type": "movie", "year": 3000}, "invalid_year"),
                           ({"title": "X", "type": "movie", "consumed_at": "2999-01-01T00:00:00Z"}, "invalid_consumed_at"),
                           ({"title": "X", "type": "movie", "colour": 1}, "unknown_field")):
            r = jreq(s, "POST", "/api/v1/import/manual", body, kid)
            check(r.status in (400, 422) and r.json()["code"] in (code, "invalid_title"), (body, r.body))


def test_other_formats_and_profiles(env):
    with env.server(args=FAST) as s:
        tok, users = admin_and_member(env, s)
        root, kid = tok["root"], tok["kid"]
        ids = build_catalogue(s, root)
        r = jreq(s, "PATCH", "/api/v1/admin/settings", {"track_imports_per_hour": 50}, root)
        check(r.status == 200, r.body)
        # ViewingActivity: one profile; trailers, hooks and recaps skipped;
        # a viewing split in two rows is one play; one that stopped early
        # is a position.
        r = upload(s, kid, sample("netflix_activity.csv"), profile="Ada")
        check(r.status == 202 and r.json()["format"] == "netflix_activity", r.body)
        st = finished(s, kid, r.json())
        rows = all_rows(s, kid, st["id"])
        reasons = sorted(r["reason"] for r in rows if r["state"] == "skipped")
        check(reasons == ["hook", "merged", "other_profile", "other_profile", "recap", "trailer"], reasons)
        h = history(s, kid)
        heat = [x for x in h if x["item_id"] == ids[("Heat", 1995)]]
        check(len(heat) == 1 and heat[0]["duration_ms"] == 165 * 60000 and heat[0]["platform"] == "netflix", heat)
        check(not any(x["item_id"] == ids[("Arrival", 2016)] for x in h), "25 minutes is no play")
        check(any(x["item_id"] == ids[("Dark", 1, 1)] for x in h), "47 of 50 minutes is")
        cw = s.request("GET", "/api/v1/users/me/continue-watching", headers=bearer(kid)).json()["items"]
        check([c["item"]["id"] for c in cw] == [ids[("Arrival", 2016)]], cw)
        r = upload(s, kid, sample("netflix_activity.csv"), profile="Nobody")
        check(r.status == 422 and r.json()["code"] == "unknown_profile", r.body)
        # Mapping profiles to other members needs users:update.
        r = upload(s, kid, sample("netflix_activity.csv"), profiles=json.dumps({"Kid": users["root"]}))
        check(r.status == 403, r.body)
        r = upload(s, root, sample("netflix_activity.csv"), profiles=json.dumps({"Kid": "00000000-0000-7000-8000-000000000000"}))
        check(r.status == 422 and r.json()["code"] == "unknown_member", r.body)
        r = upload(s, root, sample("netflix_activity.csv"), profiles=json.dumps({"Kid": users["kid"]}))
        check(r.status == 202, r.body)
        finished(s, root, r.json())
        check(any(x["item_id"] == ids[("Spider-Man: Into the Spider-Verse", 2018)] for x in history(s, kid)),
              "the Kid profile went to the kid")
        check(not history(s, root), "and nothing to the admin")

        # A multipart form, as the import page sends it.
        boundary = "----mqtest"
        body = ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"watchlist.csv\"\r\n"
                "Content-Type: text/csv\r\n\r\n" % boundary).encode() + sample("letterboxd_watchlist.csv") + \
               ("\r\n--%s\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\nletterboxd_watchlist\r\n--%s--\r\n"
                % (boundary, boundary)).encode()
        r = upload(s, kid, body, "multipart/form-data; boundary=" + boundary)
        check(r.status == 202 and r.json()["format"] == "letterboxd_watchlist" and r.json()["filename"] == "watchlist.csv", r.body)
        finished(s, kid, r.json())
        lib = {e["item"]["id"]: e for e in s.request("GET", "/api/v1/users/me/library?limit=200", headers=bearer(kid)).json()["items"]}
        check(lib[ids[("Black Caesar", 1973)]]["status"] == "planned", lib.get(ids[("Black Caesar", 1973)]))

        # Letterboxd's whole export, as its zip: the diary's plays, the
        # watchlist planned, its other files left alone.
        import io
        import zipfile
        export = io.BytesIO()
        with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("diary.csv", sample("letterboxd_diary.csv"))
            z.writestr("watchlist.csv", sample("letterboxd_watchlist.csv"))
            z.writestr("profile.csv", "Date Joined,Username,Email Address\n2019-01-01,someone,a@example.org\n")
            z.writestr("lists/zatoichi.csv", "Letterboxd list export v7\n")
        r = upload(s, kid, export.getvalue(), "application/zip")
        check(r.status == 202 and r.json()["format"] == "letterboxd" and r.json()["rows"]["total"] == 12, r.body)
        st = finished(s, kid, r.json())
        check(st["rows"]["matched"] + st["rows"]["duplicates"] == 12, st)
        check(any(x["item_id"] == ids[("Brick", 2005)] and x["platform"] == "letterboxd" for x in history(s, kid)),
              "the diary's plays")

        # IMDb ratings: ids first, ratings kept, no plays.
        st = run(s, kid, "imdb_ratings.csv")
        check(st["format"] == "imdb" and st["rows"]["matched"] == 2, st)
        lib = {e["item"]["id"]: e for e in s.request("GET", "/api/v1/users/me/library?limit=200", headers=bearer(kid)).json()["items"]}
        check(lib[ids[("The Matrix", 1999)]]["rating"] == 9 and lib[ids[("Breaking Bad", 2008)]]["rating"] == 10, lib)
        # Goodreads: the ISBN written as a formula, books only.
        st = run(s, kid, "goodreads_library.csv")
        check(st["format"] == "goodreads" and st["rows"]["matched"] == 2, st)
        lib = {e["item"]["id"]: e for e in s.request("GET", "/api/v1/users/me/library?limit=200", headers=bearer(kid)).json()["items"]}
        check(lib[ids[("Dune", "book")]]["status"] == "completed" and lib[ids[("Dune", "book")]]["rating"] == 10, lib)
        check(lib[ids[("Old Man's War", "book")]]["status"] == "planned", lib)
        # Generic, with a mapping: Disney+; the formula cell is kept as text.
        mapping = {"title": "Name", "date": "Watched On", "date_format": "%d/%m/%Y", "type": "Kind",
                   "rating": "Score", "rating_scale": "5", "platform": "disney+"}
        r = upload(s, kid, sample("disney_generic.csv"), mapping=json.dumps(mapping))
        check(r.status == 202 and r.json()["format"] == "generic", r.body)
        st = finished(s, kid, r.json())
        rows = all_rows(s, kid, st["id"])
        check(rows[0]["state"] == "matched" and rows[0]["item_id"] == ids[("Encanto", 2021)], rows[0])
        check(rows[2]["title"].startswith("=HYPERLINK") and rows[2]["state"] == "review", rows[2])
        enc = [x for x in history(s, kid) if x["item_id"] == ids[("Encanto", 2021)]]
        check(enc and enc[0]["platform"] == "disney+" and enc[0]["watched_at"].startswith("2021-12-25"), enc)
        for bad in ({"date": "Watched On"}, {"title": "Nope"}, {"title": "Name", "colour": "x"}):
            r = upload(s, kid, sample("disney_generic.csv"), mapping=json.dumps(bad))
            check(r.status == 422 and r.json()["code"] == "invalid_mapping", (bad, r.body))
        r = upload(s, kid, sample("disney_generic.csv"), mapping="[1")
        check(r.status == 422 and r.json()["code"] == "invalid_mapping", r.body)


def test_hostile_files(env):
    with env.server(args=FAST + ["--track-import-max-size", "1MiB"]) as s:
        tok, users = admin_and_member(env, s)
        root, kid = tok["root"], tok["kid"]
        build_catalogue(s, root)
        # A binary renamed .csv, and a zip (Letterboxd's whole export).
        with open("/proc/self/exe", "rb") as f:
            elf = f.read(8192)
        for data in (elf, b"\x00\x01\x02" * 100):
            r = upload(s, kid, data)
            check(r.status == 415 and r.json()["code"] == "not_text", r.body)
        # Zips: what is no zip, one without Letterboxd's files, a bomb
        # (20 MB of zeros in 20 KB) past the size limit whatever it claims.
        import io
        import zipfile
        r = upload(s, kid, b"PK\x03\x04" + os.urandom(2000), "application/zip")
        check(r.status == 422 and r.json()["code"] == "unknown_format", r.body)
        other = io.BytesIO()
        with zipfile.ZipFile(other, "w") as z:
            z.writestr("profile.csv", "Date Joined,Username\n2019-01-01,someone\n")
        r = upload(s, kid, other.getvalue(), "application/zip")
        check(r.status == 422 and r.json()["code"] == "unknown_format", r.body)
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("diary.csv", b"Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n" + b"\0" * (20 << 20))
        check(len(bomb.getvalue()) < 100000, len(bomb.getvalue()))
        r = upload(s, kid, bomb.getvalue(), "application/zip")
        check(r.status == 413 and r.json()["code"] == "too_large", r.body)
        # Past the size limit: 413 naming it, before or after reading.
        big = b"Title,Date\n" + b'"x","1/1/24"\n' * ((1 << 20) // 13 + 300)
        r = upload(s, kid, big)
        check(r.status == 413 and r.json()["code"] == "too_large" and "1048576" in r.json()["detail"], r.body)
        r = parse_raw(s.raw(("POST /api/v1/import/csv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                             "Content-Type: text/csv\r\nContent-Length: 20000000\r\n\r\n" % kid).encode(),
                            read_all=False))
        r.problem(413, "payload_too_large")
        # Past the row limit: 422 naming it; the default's 10,000 first.
        rows = b"Title,Date\n" + b'"Arrival","1/1/24"\n' * 10001
        r = upload(s, kid, rows)
        check(r.status == 422 and r.json()["code"] == "too_many_rows" and "10000" in r.json()["detail"], r.body)
        r = jreq(s, "PATCH", "/api/v1/admin/settings", {"track_import_max_rows": 100}, root)
        check(r.status == 200, r.body)
        r = upload(s, kid, b"Title,Date\n" + b'"Arrival","1/1/24"\n' * 101)
        check(r.status == 422 and r.json()["code"] == "too_many_rows" and "100" in r.json()["detail"], r.body)
        # UTF-16 with its mark is read; invalid UTF-8 fails its row alone.
        text = 'Title,Date\n"Am\u00e9lie","9/2/23"\n"Arrival","9/3/23"\n'
        r = upload(s, kid, text.encode("utf-16"))
        check(r.status == 202 and r.json()["rows"]["total"] == 2, r.body)
        st = finished(s, kid, r.json())
        check(st["rows"]["matched"] == 2, st)
        r = upload(s, kid, b'Title,Date\n"Arr\xffival","9/3/23"\n"Brick","9/4/23"\n"stray"quote,"9/5/23"\n'
                           b'"Rocky II","9/6/23"\n"never closed,9/7/23\n')
        check(r.status == 202, r.body)
        st = finished(s, kid, r.json())
        rows = all_rows(s, kid, st["id"])
        check([x["row"] for x in rows] == [2, 3, 4, 5, 6] and rows[0]["reason"] == "invalid_utf8", rows)
        check(rows[0]["raw"] == '"Arr\ufffdival","9/3/23"' and rows[-1]["reason"] == "unterminated_quote" and
              [x["state"] for x in rows if x["row"] in (3, 5)] == ["matched", "matched"], rows)
        # No header anything reads; malformed JSON for Trakt; SQL in titles is text.
        r = upload(s, kid, b"foo;bar\n1;2\n")
        check(r.status == 422 and r.json()["code"] == "unknown_format", r.body)
        r = upload(s, kid, b"[{\"movie\": ", "application/json")
        check(r.status == 422 and r.json()["code"] == "invalid_json", r.body)
        r = upload(s, kid, b'Title,Date\n"x\'); DROP TABLE track_plays; --","1/1/24"\n')
        st = finished(s, kid, r.json())
        check(st["rows"]["needs_review"] == 1 and s.request("GET", "/api/v1/users/me/history", headers=bearer(kid)).status == 200, st)
        r = upload(s, kid, b"Title,Date\n", format="films")
        check(r.status == 422 and r.json()["code"] == "invalid_format", r.body)
        r = upload(s, kid, b"")
        check(r.status == 400, r.body)
        # Five imports an hour, then 429.
        r = jreq(s, "PATCH", "/api/v1/admin/settings", {"track_imports_per_hour": 2}, root)
        check(r.status == 200, r.body)
        codes = [upload(s, root, b'Title,Date\n"Arrival","1/1/24"\n').status for _ in range(3)]
        check(codes == [202, 202, 429], codes)
        # Entries by hand are no file imports: they do not count.
        r = jreq(s, "POST", "/api/v1/import/manual", {"title": "Arrival", "type": "movie"}, root)
        check(r.status == 201, r.body)


def test_export(env):
    import csv
    import io
    import zipfile
    with env.server(args=FAST) as s:
        tok, users = admin_and_member(env, s)
        root, kid = tok["root"], tok["kid"]
        ids = build_catalogue(s, root)
        st = run(s, kid, "netflix_us.csv")
        mapping = {"title": "Name", "date": "Watched On", "date_format": "%d/%m/%Y", "platform": "disney+"}
        r = upload(s, kid, sample("disney_generic.csv"), mapping=json.dumps(mapping))
        finished(s, kid, r.json())
        r = jreq(s, "PUT", "/api/v1/users/me/library/" + ids[("Heat", 1995)],
                 {"status": "planned", "notes": "=cmd|' /C calc'!A0 and \"quotes\", commas"}, kid)
        check(r.status == 201, r.body)
        jreq(s, "PUT", "/api/v1/media/%s/progress" % ids[("Soul", 2020)], {"position_ms": 30 * 60000, "duration_ms": 100 * 60000}, kid)

        r = s.request("GET", "/api/v1/users/me/export", headers=bearer(kid))
        check(r.status == 200 and r.header("Content-Type").startswith("application/json"), r.status)
        doc = json.loads(r.body)
        check(doc["format"] == "marquee-export" and doc["profile"]["email"] == "kid@example.org", doc["profile"])
        for key in ("preferences", "library", "progress", "history", "imports", "aliases", "sessions", "activity"):
            check(key in doc, key)
        check(len(doc["history"]) == len(history(s, kid)), (len(doc["history"]), len(history(s, kid))))
        check([i["id"] for i in doc["imports"]][::-1][0] == st["id"], doc["imports"])
        raws = [row["raw"] for imp in doc["imports"] for row in imp["rows"]]
        check('"Money Heist: Part ll: Episode 1","8/2/24"' in raws, raws[:5])
        check(any(e["item_id"] == ids[("Heat", 1995)] and e["notes"].startswith("=cmd") for e in doc["library"]),
              "notes as written")
        check(any(p["item_id"] == ids[("Soul", 2020)] for p in doc["progress"]), doc["progress"])
        check(any(a["action"] == "import.started" for a in doc["activity"]), doc["activity"][:3])
        check(len(doc["sessions"]) >= 1, doc["sessions"])
        # Nothing of another member.
        other = json.loads(s.request("GET", "/api/v1/users/me/export", headers=bearer(root)).body)
        check(other["history"] == [] and other["imports"] == [] and other["library"] == [], other)

        r = s.request("GET", "/api/v1/users/me/export?format=zip", headers=bearer(kid))
        check(r.status == 200 and r.header("Content-Type") == "application/zip", r.status)
        z = zipfile.ZipFile(io.BytesIO(r.body))
        check(sorted(z.namelist()) == ["history.csv", "import_rows.csv", "library.csv", "progress.csv"], z.namelist())
        lib = list(csv.reader(io.StringIO(z.read("library.csv").decode())))
        heat = [row for row in lib if row[0] == ids[("Heat", 1995)]][0]
        check(heat[6] == "'=cmd|' /C calc'!A0 and \"quotes\", commas", heat)
        rows = list(csv.reader(io.StringIO(z.read("import_rows.csv").decode())))
        formula = [row for row in rows if "HYPERLINK" in row[5]]
        check(formula and formula[0][5].startswith("'=HYPERLINK"), formula)
        check(len(list(csv.reader(io.StringIO(z.read("history.csv").decode())))) == len(doc["history"]) + 1, "history")
        r = s.request("GET", "/api/v1/users/me/export?format=xml", headers=bearer(kid))
        check(r.status == 400, r.body)


WEBHOOKS = os.path.join(HERE, "..", "fixtures", "webhooks")


def webhook(name):
    with open(os.path.join(WEBHOOKS, name), "rb") as f:
        return f.read()


def test_scrobbling_from_plex_and_jellyfin(env):
    with env.server(args=FAST) as s:
        tok, users = admin_and_member(env, s)
        root, kid = tok["root"], tok["kid"]
        ids = build_catalogue(s, root)
        ids[("Heat", 1995, "imdb")] = ids[("Heat", 1995)]
        r = jreq(s, "PATCH", "/api/v1/admin/catalog/content/" + ids[("Heat", 1995)],
                 {"external_ids": {"imdb": "tt0113277"}}, root)
        check(r.status == 200, r.body)
        bb = ids[("Breaking Bad", 2008)]
        s1 = create(s, root, {"type": "season", "title": "Season 1", "parent_id": bb, "index": 1})
        pilot = create(s, root, {"type": "episode", "title": "Pilot", "parent_id": s1["id"], "index": 1, "runtime_min": 58})
        cat = create(s, root, {"type": "episode", "title": "Cat's in the Bag...", "parent_id": s1["id"], "index": 2,
                               "runtime_min": 48})
        indexed(s, root)

        # Tokens: made (shown once), listed without the secret, revoked.
        r = jreq(s, "POST", "/api/v1/users/me/scrobble-tokens", {"name": "Plex in the living room"}, kid)
        check(r.status == 201 and r.json()["token"].startswith("mqs_") and r.json()["path"].endswith(r.json()["token"]), r.body)
        plex_path = r.json()["path"]
        r = jreq(s, "POST", "/api/v1/users/me/scrobble-tokens", {"name": "Jellyfin"}, kid)
        jf_path, jf_id = r.json()["path"], r.json()["id"]
        listed = s.request("GET", "/api/v1/users/me/scrobble-tokens", headers=bearer(kid)).json()["items"]
        check(len(listed) == 2 and all("token" not in t for t in listed), listed)
        check(s.request("GET", "/api/v1/users/me/scrobble-tokens", headers=bearer(root)).json()["items"] == [], "own")
        r = jreq(s, "POST", "/api/v1/users/me/scrobble-tokens", {"name": ""}, kid)
        check(r.status in (400, 422), r.body)

        def plex(name, path=plex_path):
            boundary = "----plex"
            body = ("--%s\r\nContent-Disposition: form-data; name=\"payload\"\r\nContent-Type: application/json\r\n\r\n"
                    % boundary).encode() + webhook(name) + ("\r\n--%s\r\nContent-Disposition: form-data; name=\"thumb\"; "
                    "filename=\"thumb.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n" % boundary).encode() + os.urandom(3000) + \
                   ("\r\n--%s--\r\n" % boundary).encode()
            return s.request("POST", path, body=body, headers={"Content-Type": "multipart/form-data; boundary=" + boundary})

        # Plex: a film scrobbled (its ids), twice adds nothing; a music track is ignored.
        r = plex("plex_media_scrobble_movie_ASSEMBLED.json")
        check(r.status == 200 and r.json() == {"source": "plex", "action": "played", "plays": 1,
                                               "item_id": ids[("The Matrix", 1999)], "reason": None}, r.body)
        r = plex("plex_media_scrobble_movie_ASSEMBLED.json")
        check(r.status == 200 and r.json()["plays"] == 0, r.body)
        r = plex("plex_media_play_track_DOCEXAMPLE.json")
        check(r.status == 200 and r.json()["action"] == "ignored", r.body)
        # An episode stopped part-way: a position, in Continue Watching.
        r = plex("plex_media_stop_episode_ASSEMBLED.json")
        check(r.status == 200 and r.json()["action"] == "position" and r.json()["item_id"] == pilot["id"], r.body)
        cw = s.request("GET", "/api/v1/users/me/continue-watching", headers=bearer(kid)).json()["items"]
        check([c["item"]["id"] for c in cw] == [pilot["id"]] and cw[0]["progress"]["device"] == "plex", cw)

        # Jellyfin: a film played to the end; "mark played" on a two-episode file.
        h = {"Content-Type": "application/json"}
        r = s.request("POST", jf_path, body=webhook("jellyfin_playback_stop_movie_ASSEMBLED.json"), headers=h)
        check(r.status == 200 and r.json()["source"] == "jellyfin" and r.json()["item_id"] == ids[("Heat", 1995)], r.body)
        r = s.request("POST", jf_path, body=webhook("jellyfin_multi_episode_user_data_saved_ASSEMBLED.json"), headers=h)
        check(r.status == 200 and r.json()["plays"] == 2, r.body)
        h_ = history(s, kid)
        got = {(x["item_id"], x["source"], x["platform"]) for x in h_}
        check({(ids[("The Matrix", 1999)], "plex", "plex"), (ids[("Heat", 1995)], "jellyfin", "jellyfin"),
               (pilot["id"], "jellyfin", "jellyfin"), (cat["id"], "jellyfin", "jellyfin")} <= got, got)
        check(not history(s, root), "the token's member only")

        # Bad input: a revoked or made-up token, a body of neither kind, malformed JSON.
        check(s.request("DELETE", "/api/v1/users/me/scrobble-tokens/" + jf_id, headers=bearer(kid)).status == 204, "revoked")
        r = s.request("POST", jf_path, body=webhook("jellyfin_playback_stop_movie_ASSEMBLED.json"), headers=h)
        check(r.status == 401 and r.json()["code"] == "invalid_token", r.body)
        for path in ("/api/v1/scrobble/mqs_" + "A" * 43, "/api/v1/scrobble/nonsense", "/api/v1/scrobble/%27%20OR%201%3D1"):
            r = s.request("POST", path, body=b"{}", headers=h)
            check(r.status == 401, (path, r.status))
        r = s.request("POST", plex_path, body=b'{"hello": "world"}', headers=h)
        check(r.status == 422 and r.json()["code"] == "unknown_payload", r.body)
        r = s.request("POST", plex_path, body=b'{"event": ', headers=h)
        check(r.status == 400, r.body)


def test_titles_the_catalogue_lacks_through_the_provider(env):
    from replay import Replay
    with Replay() as rp:
        e = rp.settings()
        e["MARQUEE_WATCH_LIBRARIES"] = "false"
        e["MARQUEE_METADATA_RETRIES"] = "0"
        with env.server(args=FAST, env=e) as s:
            tok, users = admin_and_member(env, s)
            root, kid = tok["root"], tok["kid"]
            # Nothing in the catalogue: the provider finds the film, which
            # becomes a catalogue-only work by its TMDb id; a title it does
            # not know waits for review; the same title again finds the
            # work made the first time.
            diary = b"Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"
            r = upload(s, kid, diary + b"2020-01-02,American Beauty,1999,https://boxd.it/ab,4,,,2020-01-01\n"
                                      b"2020-01-02,Zzyzx Qwv Unknowable,2001,https://boxd.it/zz,,,,2020-01-01\n")
            check(r.status == 202, r.body)
            st = finished(s, kid, r.json())
            rows = all_rows(s, kid, st["id"])
            check(rows[0]["state"] == "matched" and rows[0]["method"] == "provider" and rows[0]["item_id"],
                  (rows[0], rp.log()))
            check(rows[1]["state"] == "review", rows[1])
            work = s.request("GET", "/api/v1/media/" + rows[0]["item_id"], headers=bearer(kid)).json()
            check(work["title"] == "American Beauty" and work["external_ids"].get("tmdb") == "14" and
                  work["origin"] == "provider" and work["library_id"] is None, work)
            check(any(h["item_id"] == work["id"] for h in history(s, kid)), "the play is recorded")
            indexed(s, root)
            r = upload(s, kid, diary + b"2020-02-02,American Beauty,1999,https://boxd.it/ab,4,Yes,,2020-02-01\n")
            again = all_rows(s, kid, finished(s, kid, r.json())["id"])[0]
            check(again["item_id"] == rows[0]["item_id"] and again["method"] in ("exact", "normalised"), again)
            # Offline: needs review, not a failed import.
            rp.control(down=True)
            r = upload(s, kid, diary + b"2020-01-02,Alien,1979,https://boxd.it/al,4,,,2020-01-01\n")
            st = finished(s, kid, r.json())
            row = all_rows(s, kid, st["id"])[0]
            check(st["state"] == "done" and row["state"] == "review" and row["reason"] == "provider_unavailable", (st, row))
