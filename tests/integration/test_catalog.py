"""Catalogue administration (works no file backs, corrections that lock,
soft deletes, availability), the quality report, and parental controls
through every route that shows or streams a work."""
import json
import os
import shutil
import tempfile
import time

import media
from harness import check
from test_auth import FAST, bearer, login, make_user
from test_libraries import jreq
from test_scanner import items, scan, setup


def admin_and_member(env, s):
    make_user(env, s, "root@example.org", admin=True)
    make_user(env, s, "kid@example.org")
    tok = {w: login(s, w + "@example.org").json()["access_token"] for w in ("root", "kid")}
    users = s.request("GET", "/api/v1/admin/users", headers=bearer(tok["root"])).json()["items"]
    ids = {u["email"].split("@")[0]: u["id"] for u in users}
    return tok, ids


def create(s, t, body):
    r = jreq(s, "POST", "/api/v1/admin/catalog/content", body, t)
    check(r.status == 201, r.body)
    return r.json()


def test_catalogue_administration(env):
    with env.server(args=FAST) as s:
        tok, _ = admin_and_member(env, s)
        t = tok["root"]
        show = create(s, t, {"title": "The Expanse", "type": "series", "year": 2015,
                             "genres": ["Drama", "Science Fiction"], "content_rating": "TV-14",
                             "external_ids": {"tmdb": "63639", "imdb": "tt3230854"},
                             "overview": "Humanity has colonised the solar system."})
        check(show["sort_title"] == "expanse" and show["content_rating"] == {"system": None, "value": "TV-14"}, show)
        check(sorted(show["locked"]) == sorted(["title", "year", "genres", "content_rating", "external_ids",
                                                "overview"]), show["locked"])
        season = create(s, t, {"title": "Season 1", "type": "season", "parent_id": show["id"], "index": 1})
        ep = create(s, t, {"title": "Dulcinea", "type": "episode", "parent_id": season["id"], "index": 1})
        # Required fields and bad values name the field.
        for body, code, field in (({"type": "movie"}, "invalid_title", "title"),
                                  ({"title": "X"}, "invalid_type", "type"),
                                  ({"title": "X", "type": "film"}, "invalid_type", "type"),
                                  ({"title": "", "type": "movie"}, "invalid_title", "title"),
                                  ({"title": "X", "type": "movie", "year": 1500}, "invalid_year", "year"),
                                  ({"title": "X", "type": "movie", "release_date": "2020-13-01"}, "invalid_date", "release_date"),
                                  ({"title": "X", "type": "movie", "genres": "Drama"}, "invalid_genres", "genres"),
                                  ({"title": "X", "type": "movie", "external_ids": {"TMDB!": "1"}}, "invalid_external_ids", "external_ids"),
                                  ({"title": "X", "type": "episode"}, "invalid_parent", "parent_id"),
                                  ({"title": "X", "type": "episode", "parent_id": show["id"]}, "invalid_parent", "parent_id"),
                                  ({"title": "X", "type": "movie", "color": "red"}, "unknown_field", "color"),
                                  ({"title": "X\u0007", "type": "movie"}, "invalid_title", "title")):
            doc = jreq(s, "POST", "/api/v1/admin/catalog/content", body, t).problem(422, code)
            check(doc["field"] == field, (body, doc))
        jreq(s, "POST", "/api/v1/admin/catalog/content", '{"title": "X", "type": "movie"', t).problem(400, "malformed_json")
        jreq(s, "POST", "/api/v1/admin/catalog/content", '{"title": "X\\u0000", "type": "movie"}', t).problem(400, "malformed_json")
        # Members see it (no library: everyone with media:read).
        kid = tok["kid"]
        check("The Expanse" in [i["title"] for i in items(s, kid)], "visible")
        eps = s.request("GET", "/api/v1/seasons/%s/episodes" % season["id"], headers=bearer(kid)).json()["items"]
        check([e["title"] for e in eps] == ["Dulcinea"], eps)
        # Corrections lock; unlock frees a field.
        r = jreq(s, "PATCH", "/api/v1/admin/catalog/content/" + ep["id"], {"title": "Dulcinea (pilot)", "runtime_min": 44}, t)
        # (What creation set is locked too: an admin gave it.)
        check(r.status == 200 and sorted(r.json()["locked"]) == ["index", "parent_id", "runtime_min", "title"], r.body)
        r = jreq(s, "PATCH", "/api/v1/admin/catalog/content/" + ep["id"], {"unlock": ["runtime_min", "index"]}, t)
        check(sorted(r.json()["locked"]) == ["parent_id", "title"] and r.json()["runtime_min"] == 44, r.body)
        jreq(s, "PATCH", "/api/v1/admin/catalog/content/" + ep["id"], {"type": "movie"}, t).problem(422, "type_fixed")
        jreq(s, "PATCH", "/api/v1/admin/catalog/content/" + ep["id"], {"title": None}, t).problem(422, "invalid_title")
        # Availability.
        r = jreq(s, "POST", "/api/v1/admin/catalog/content/%s/availability" % show["id"],
                 {"platform": "Prime Video", "region": "US", "kind": "flatrate",
                  "url": "https://www.primevideo.com/detail/x", "from": "2022-01-01T00:00:00Z"}, t)
        check(r.status == 201 and r.json()["availability"][0]["platform"] == "Prime Video", r.body)
        for body, code in (({"region": "US", "kind": "buy"}, "invalid_platform"),
                           ({"platform": "X", "region": "usa", "kind": "buy"}, "invalid_region"),
                           ({"platform": "X", "region": "US", "kind": "steal"}, "invalid_kind"),
                           ({"platform": "X", "region": "US", "kind": "buy", "url": "javascript:alert(1)"}, "invalid_url")):
            jreq(s, "POST", "/api/v1/admin/catalog/content/%s/availability" % show["id"], body, t).problem(422, code)
        # Soft delete, restore.
        check(s.request("DELETE", "/api/v1/admin/catalog/content/" + show["id"], headers=bearer(t)).status == 204, "del")
        s.request("GET", "/api/v1/media/" + show["id"], headers=bearer(kid)).problem(404, "media_not_found")
        got = s.request("GET", "/api/v1/admin/catalog/content/" + show["id"], headers=bearer(t)).json()
        check(got["deleted_at"], got)
        r = s.request("POST", "/api/v1/admin/catalog/content/%s/restore" % show["id"], headers=bearer(t))
        check(r.status == 200 and r.json()["deleted_at"] is None, r.body)
        s.request("POST", "/api/v1/admin/catalog/content/%s/restore" % show["id"], headers=bearer(t)).problem(409, "not_deleted")
        # Members do not administer.
        jreq(s, "POST", "/api/v1/admin/catalog/content", {"title": "X", "type": "movie"}, kid).problem(403, "forbidden")
        # The quality report, weakest first, saying what each lacks.
        rep = s.request("GET", "/api/v1/admin/content/quality-report?limit=2", headers=bearer(t)).json()
        check(len(rep["items"]) == 2 and rep["next_cursor"], rep)
        check(rep["items"][0]["quality"] <= rep["items"][1]["quality"], rep)
        check("overview" in rep["items"][0]["lacks"], rep["items"][0])
        actions = [e["action"] for e in s.request("GET", "/api/v1/admin/audit-logs?target_type=media",
                                                  headers=bearer(t)).json()["items"]]
        for a in ("content.created", "content.updated", "content.deleted", "content.restored",
                  "content.availability_added"):
            check(a in actions, (a, actions))


def test_parental_controls(env):
    root = tempfile.mkdtemp(prefix="mq-pc-")
    try:
        media.put(root, "films/Cartoon (2001)/Cartoon (2001).mp4", "h264.mp4")
        media.put(root, "films/Horror (2002)/Horror (2002).mp4", "h264.mp4")
        with env.server(args=FAST) as s:
            tok, ids = admin_and_member(env, s)
            t, kid = tok["root"], tok["kid"]
            lib = jreq(s, "POST", "/api/v1/admin/libraries",
                       {"name": "Films", "type": "movies", "paths": [root + "/films"]}, t).json()
            scan(s, t, lib["id"])
            by = {i["title"]: i for i in items(s, t)}
            jreq(s, "PATCH", "/api/v1/admin/catalog/content/" + by["Cartoon"]["id"], {"content_rating": "G"}, t)
            jreq(s, "PATCH", "/api/v1/admin/catalog/content/" + by["Horror"]["id"],
                 {"content_rating": {"system": "FSK", "value": "18"}}, t)
            create(s, t, {"title": "Unrated Thing", "type": "movie"})
            horror_file = s.request("GET", "/api/v1/media/%s/files" % by["Horror"]["id"], headers=bearer(kid)).json()["items"][0]
            # No controls: everything.
            me = s.request("GET", "/api/v1/users/me/parental-controls", headers=bearer(kid)).json()
            check(me["active"] is False and me["pin_set"] is False, me)
            check(len(items(s, kid)) == 3, items(s, kid))
            # An admin sets them, with a PIN.
            r = jreq(s, "PATCH", "/api/v1/admin/users/%s/parental-controls" % ids["kid"],
                     {"max_rating": "PG-13", "unrated": "block", "pin": "4321"}, t)
            check(r.status == 200 and r.json()["active"] and r.json()["pin_set"], r.body)
            check([i["title"] for i in items(s, kid)] == ["Cartoon"], items(s, kid))
            for path in ("/api/v1/media/" + by["Horror"]["id"], "/api/v1/media/%s/files" % by["Horror"]["id"]):
                s.request("GET", path, headers=bearer(kid)).problem(404, "media_not_found")
            s.request("GET", "/api/v1/files/%s/stream" % horror_file["id"], headers=bearer(kid)).problem(404, "file_not_found")
            # The member cannot loosen them without the PIN...
            jreq(s, "PATCH", "/api/v1/users/me/parental-controls", {"max_rating": "R"}, kid).problem(403, "invalid_pin")
            jreq(s, "PATCH", "/api/v1/users/me/parental-controls", {"max_rating": None, "current_pin": "0000"},
                 kid).problem(403, "invalid_pin")
            # ...but may tighten them.
            r = jreq(s, "PATCH", "/api/v1/users/me/parental-controls", {"max_rating": "PG"}, kid)
            check(r.status == 200 and r.json()["max_rating"] == "PG", r.body)
            r = jreq(s, "PATCH", "/api/v1/users/me/parental-controls", {"max_rating": "PG-13", "current_pin": "4321"}, kid)
            check(r.status == 200 and r.json()["max_rating"] == "PG-13", r.body)
            # A new PIN with the old one; the old one then no longer opens anything.
            check(jreq(s, "PATCH", "/api/v1/users/me/parental-controls", {"pin": "5555", "current_pin": "4321"},
                       kid).status == 200, "pin changed")
            jreq(s, "PATCH", "/api/v1/users/me/parental-controls", {"pin": "4321", "current_pin": "4321"},
                 kid).problem(403, "invalid_pin")
            check(jreq(s, "PATCH", "/api/v1/users/me/parental-controls", {"pin": "4321", "current_pin": "5555"},
                       kid).status == 200, "pin changed back")
            jreq(s, "PATCH", "/api/v1/users/me/parental-controls", {"max_rating": "XYZ"}, kid).problem(422, "invalid_rating")
            jreq(s, "PATCH", "/api/v1/users/me/parental-controls", {"colour": 1}, kid).problem(422, "unknown_field")
            # The PIN lifts the rating limit on this session for five minutes.
            r = jreq(s, "POST", "/api/v1/users/me/parental-controls/verify-pin", {"pin": "4321"}, kid)
            check(r.status == 200 and r.json()["unlocked_until"], r.body)
            check(len(items(s, kid)) == 3, "unlocked")
            other = login(s, "kid@example.org").json()["access_token"]
            check([i["title"] for i in items(s, other)] == ["Cartoon"], "another session stays locked")
            # Wrong PINs lock it.
            for _ in range(4):
                jreq(s, "POST", "/api/v1/users/me/parental-controls/verify-pin", {"pin": "1111"}, other).problem(403, "invalid_pin")
            jreq(s, "POST", "/api/v1/users/me/parental-controls/verify-pin", {"pin": "1111"}, other).problem(403, "pin_locked")
            jreq(s, "POST", "/api/v1/users/me/parental-controls/verify-pin", {"pin": "4321"}, other).problem(403, "pin_locked")
            # Viewing windows: closed at every hour of the week but one a
            # day away, so streams say when they open.
            now = time.gmtime()
            days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            tomorrow = days[(now.tm_wday + 2) % 7]
            jreq(s, "PATCH", "/api/v1/admin/users/%s/parental-controls" % ids["kid"],
                 {"windows": [{"days": [tomorrow], "from": "07:00", "to": "20:00"}], "unrated": "allow",
                  "max_rating": None}, t)
            cart_file = s.request("GET", "/api/v1/media/%s/files" % by["Cartoon"]["id"], headers=bearer(other)).json()["items"][0]
            doc = s.request("GET", "/api/v1/files/%s/stream" % cart_file["id"], headers=bearer(other)).problem(403, "outside_viewing_window")
            check(doc["opens_at"], doc)
            mine = s.request("GET", "/api/v1/users/me/parental-controls", headers=bearer(other)).json()
            check(mine["viewing_open"] is False and mine["opens_at"] == doc["opens_at"], mine)
            jreq(s, "PATCH", "/api/v1/admin/users/%s/parental-controls" % ids["kid"],
                 {"windows": [{"days": ["mon"], "from": "25:00", "to": "20:00"}]}, t).problem(422, "invalid_windows")
            jreq(s, "PATCH", "/api/v1/admin/users/%s/parental-controls" % ids["kid"],
                 {"windows": None}, t)
            check(s.request("GET", "/api/v1/files/%s/stream" % cart_file["id"], headers=bearer(other)).status == 200, "open")
            # Controls without a PIN: the member cannot give themselves one.
            jreq(s, "PATCH", "/api/v1/admin/users/%s/parental-controls" % ids["kid"],
                 {"max_rating": "PG", "pin": None}, t)
            jreq(s, "PATCH", "/api/v1/users/me/parental-controls", {"pin": "1111"}, kid).problem(403, "pin_required")
            actions = [e["action"] for e in s.request("GET", "/api/v1/admin/audit-logs?target_type=user",
                                                      headers=bearer(t)).json()["items"]]
            check("parental.updated" in actions and "parental.pin_failed" in actions and "parental.unlocked" in actions, actions)
    finally:
        shutil.rmtree(root)


def test_people_similar_and_collections(env):
    with env.server(args=FAST) as s:
        tok, ids = admin_and_member(env, s)
        t, kid = tok["root"], tok["kid"]
        saga = [{"name": "Dune", "kind": "franchise", "index": 1}]
        one = create(s, t, {"title": "Dune", "type": "movie", "year": 2021, "genres": ["Science Fiction"],
                            "content_rating": "PG-13", "collections": saga,
                            "cast": [{"name": "Timothée Chalamet", "character": "Paul Atreides"},
                                     {"name": "Zendaya", "character": "Chani"}],
                            "crew": [{"name": "Denis Villeneuve", "job": "Director", "department": "Directing"}]})
        two = create(s, t, {"title": "Dune: Part Two", "type": "movie", "year": 2024, "content_rating": "PG-13",
                            "collections": [{"name": "Dune", "kind": "franchise", "index": 2}],
                            "cast": [{"name": "Zendaya", "character": "Chani"}]})
        other = create(s, t, {"title": "Arrival", "type": "movie", "genres": ["Science Fiction"], "content_rating": "PG-13",
                              "crew": [{"name": "Denis Villeneuve", "job": "Director"}]})
        grim = create(s, t, {"title": "Grim", "type": "movie", "genres": ["Science Fiction"], "content_rating": "R"})
        unrelated = create(s, t, {"title": "Paddington", "type": "movie", "genres": ["Family"], "content_rating": "G"})
        cast = s.request("GET", "/api/v1/media/%s/cast" % one["id"], headers=bearer(kid)).json()["items"]
        check([(c["name"], c["character"], c["order"]) for c in cast] ==
              [("Timothée Chalamet", "Paul Atreides", 0), ("Zendaya", "Chani", 1)], cast)
        crew = s.request("GET", "/api/v1/media/%s/crew" % one["id"], headers=bearer(kid)).json()["items"]
        check([(c["name"], c["job"], c["department"]) for c in crew] == [("Denis Villeneuve", "Director", "Directing")], crew)
        # The same person is one person across works.
        zc = s.request("GET", "/api/v1/media/%s/cast" % two["id"], headers=bearer(kid)).json()["items"]
        check(zc[0]["person_id"] == cast[1]["person_id"], (zc, cast))
        sim = [i["title"] for i in s.request("GET", "/api/v1/media/%s/similar" % one["id"], headers=bearer(kid)).json()["items"]]
        check(sim[:2] == ["Dune: Part Two", "Arrival"] and "Grim" in sim and "Paddington" not in sim, sim)
        detail = s.request("GET", "/api/v1/media/" + two["id"], headers=bearer(kid)).json()
        coll = detail["collections"][0]
        check(coll["name"] == "Dune" and coll["type"] == "franchise" and coll["index"] == 2, detail["collections"])
        c = s.request("GET", "/api/v1/collections/" + coll["id"], headers=bearer(kid)).json()
        check(c["name"] == "Dune" and c["items"] == 2, c)
        ci = s.request("GET", "/api/v1/collections/%s/items" % coll["id"], headers=bearer(kid)).json()["items"]
        check([i["title"] for i in ci] == ["Dune", "Dune: Part Two"], ci)
        jreq(s, "POST", "/api/v1/admin/catalog/content", {"title": "X", "type": "movie", "cast": [{"character": "no name"}]},
             t).problem(422, "invalid_credits")
        jreq(s, "POST", "/api/v1/admin/catalog/content", {"title": "X", "type": "movie", "collections": [{"name": "A", "kind": "box"}]},
             t).problem(422, "invalid_collections")
        # Parental limits reach similar works and collections too.
        jreq(s, "PATCH", "/api/v1/admin/users/%s/parental-controls" % ids["kid"], {"max_rating": "PG"}, t)
        sim = [i["title"] for i in s.request("GET", "/api/v1/media/%s/similar" % unrelated["id"], headers=bearer(kid)).json()["items"]]
        check(sim == [], sim)
        s.request("GET", "/api/v1/media/%s/similar" % one["id"], headers=bearer(kid)).problem(404, "media_not_found")
        s.request("GET", "/api/v1/collections/" + coll["id"], headers=bearer(kid)).problem(404, "collection_not_found")
        check(grim and other, "made")
