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

from harness import check
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
