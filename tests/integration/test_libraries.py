"""Libraries: folders checked before they are kept, grants that decide who
sees a restricted library (one it cannot see answers 404 like one that does
not exist), and every change audited."""
import json
import os
import shutil
import tempfile
import uuid

from harness import check
from test_auth import FAST, bearer, jpost, login, make_user


def jreq(s, method, path, body, token):
    h = bearer(token)
    h["Content-Type"] = "application/json"
    return s.request(method, path, body=json.dumps(body) if not isinstance(body, str) else body, headers=h)


def tree():
    root = tempfile.mkdtemp(prefix="mq-lib-")
    for d in ("films", "films/sub", "tv", "books"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    with open(os.path.join(root, "file.mkv"), "w") as f:
        f.write("x")
    return root


def people(env, s):
    make_user(env, s, "root@example.org", admin=True)
    make_user(env, s, "ada@example.org")
    make_user(env, s, "bob@example.org")
    tok = {who: login(s, who + "@example.org").json()["access_token"] for who in ("root", "ada", "bob")}
    users = s.request("GET", "/api/v1/admin/users", headers=bearer(tok["root"])).json()["items"]
    ids = {u["email"].split("@")[0]: u["id"] for u in users}
    return tok, ids


def test_create_list_and_see(env):
    root = tree()
    try:
        with env.server(args=FAST) as s:
            tok, ids = people(env, s)
            r = jreq(s, "POST", "/api/v1/admin/libraries",
                     {"name": "Films", "type": "movies", "paths": [root + "//films/./"]}, tok["root"])
            check(r.status == 201, r.body)
            lib = r.json()
            check(lib["type"] == "movies" and lib["restricted"] is False and lib["scan_interval"] is None, lib)
            check([p["path"] for p in lib["paths"]] == [os.path.realpath(root + "/films")], lib["paths"])
            check(lib["watch"]["state"] in ("off", "watching", "polling"), lib)
            # A member sees it, without the server's folders.
            mine = s.request("GET", "/api/v1/libraries", headers=bearer(tok["ada"])).json()
            check([l["name"] for l in mine["items"]] == ["Films"] and "paths" not in mine["items"][0], mine)
            one = s.request("GET", "/api/v1/libraries/" + lib["id"], headers=bearer(tok["ada"]))
            check(one.status == 200 and one.json()["id"] == lib["id"], one.body)
            # The same name in another case is taken.
            jreq(s, "POST", "/api/v1/admin/libraries",
                 {"name": "FILMS", "type": "movies", "paths": [root + "/tv"]}, tok["root"]).problem(409, "library_name_taken")
            # Rename, restrict, scan interval.
            r = jreq(s, "PATCH", "/api/v1/admin/libraries/" + lib["id"],
                     {"name": "Movies", "scan_interval": 3600}, tok["root"])
            check(r.status == 200 and r.json()["name"] == "Movies" and r.json()["scan_interval"] == 3600, r.body)
            jreq(s, "PATCH", "/api/v1/admin/libraries/" + lib["id"], {"scan_interval": 5}, tok["root"]).problem(
                422, "invalid_scan_interval")
            jreq(s, "PATCH", "/api/v1/admin/libraries/" + lib["id"], {"type": "tv"}, tok["root"]).problem(422, "type_fixed")
            r = jreq(s, "PATCH", "/api/v1/admin/libraries/" + lib["id"], {"scan_interval": None}, tok["root"])
            check(r.json()["scan_interval"] is None, r.body)
            # Members do not administer.
            jreq(s, "DELETE", "/api/v1/admin/libraries/" + lib["id"], {}, tok["ada"]).problem(403, "forbidden")
            check(jreq(s, "DELETE", "/api/v1/admin/libraries/" + lib["id"], {}, tok["root"]).status == 204, "delete")
            s.request("GET", "/api/v1/libraries/" + lib["id"], headers=bearer(tok["ada"])).problem(404, "library_not_found")
            s.request("GET", "/api/v1/libraries/not-an-id", headers=bearer(tok["ada"])).problem(404, "library_not_found")
            actions = [e["action"] for e in s.request("GET", "/api/v1/admin/audit-logs?target_type=library",
                                                      headers=bearer(tok["root"])).json()["items"]]
            for a in ("library.created", "library.updated", "library.deleted"):
                check(a in actions, (a, actions))
            check(all(a.startswith("library.") for a in actions), actions)
    finally:
        shutil.rmtree(root)


def test_folders_are_checked(env):
    root = tree()
    try:
        os.symlink(root + "/films", root + "/link-to-films")
        with env.server(args=FAST) as s:
            tok, _ = people(env, s)
            t = tok["root"]

            def make(paths, name="L", kind="movies"):
                return jreq(s, "POST", "/api/v1/admin/libraries", {"name": name, "type": kind, "paths": paths}, t)

            make([root + "/nope"]).problem(422, "path_not_found")
            make([root + "/file.mkv"]).problem(422, "path_not_directory")
            make(["films"]).problem(422, "invalid_path")
            make([root + "/films/../../.."]).problem(422, "invalid_path")
            make(["/proc"]).problem(422, "path_forbidden")
            make(["/"]).problem(422, "path_forbidden")
            make([]).problem(422, "invalid_path")
            make([7]).problem(422, "invalid_path")
            make([root + "/films"], kind="music").problem(422, "invalid_kind")
            make([root + "/films"], name="").problem(422, "invalid_name")
            make([root + "/films"], name="x" * 300).problem(422, "invalid_name")
            make([root + "/films"], name="bad\u0007name").problem(422, "invalid_name")
            jreq(s, "POST", "/api/v1/admin/libraries", '{"name": "L", "paths": [', t).problem(400, "malformed_json")
            if os.geteuid() != 0:
                os.mkdir(root + "/closed", 0)
                make([root + "/closed"]).problem(422, "path_unreadable")
            lib = make([root + "/films"]).json()
            # Inside, around, or the same folder by another name: one file
            # would be two items.
            for p in (root + "/films/sub", root, root + "/link-to-films"):
                doc = make([p], name="Other").problem(409, "path_overlaps")
                check(doc["field"] == "paths", doc)
            make([root + "/tv", root + "/tv/"], name="Twice").problem(409, "path_overlaps")
            # Folders of their own are added and removed.
            r = jreq(s, "POST", "/api/v1/admin/libraries/%s/paths" % lib["id"], {"path": root + "/books"}, t)
            check(r.status == 201, r.body)
            added = r.json()
            jreq(s, "POST", "/api/v1/admin/libraries/%s/paths" % lib["id"], {"path": root + "/books"}, t).problem(
                409, "path_overlaps")
            jreq(s, "POST", "/api/v1/admin/libraries/%s/paths" % lib["id"], {"path": "rel"}, t).problem(422, "invalid_path")
            got = s.request("GET", "/api/v1/libraries/" + lib["id"], headers=bearer(t)).json()
            check(len(got["paths"]) == 2, got)
            check(s.request("DELETE", "/api/v1/admin/libraries/%s/paths/%s" % (lib["id"], added["id"]),
                            headers=bearer(t)).status == 204, "remove path")
            only = got["paths"][0]["id"] if got["paths"][0]["id"] != added["id"] else got["paths"][1]["id"]
            s.request("DELETE", "/api/v1/admin/libraries/%s/paths/%s" % (lib["id"], only),
                      headers=bearer(t)).problem(409, "last_path")
            s.request("DELETE", "/api/v1/admin/libraries/%s/paths/%s" % (lib["id"], uuid.uuid4()),
                      headers=bearer(t)).problem(404, "path_not_found")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_restricted_libraries_and_grants(env):
    root = tree()
    try:
        with env.server(args=FAST) as s:
            tok, ids = people(env, s)
            t = tok["root"]
            open_lib = jreq(s, "POST", "/api/v1/admin/libraries",
                            {"name": "Family", "type": "movies", "paths": [root + "/films"]}, t).json()
            kids = jreq(s, "POST", "/api/v1/admin/libraries",
                        {"name": "Private", "type": "tv", "paths": [root + "/tv"], "restricted": True}, t).json()

            def visible(who):
                return sorted(l["name"] for l in s.request("GET", "/api/v1/libraries", headers=bearer(tok[who])).json()["items"])

            check(visible("root") == ["Family", "Private"], visible("root"))
            check(visible("ada") == ["Family"], visible("ada"))
            # Exactly like a library that does not exist.
            hidden = s.request("GET", "/api/v1/libraries/" + kids["id"], headers=bearer(tok["ada"])).problem(404)
            absent = s.request("GET", "/api/v1/libraries/" + str(uuid.uuid4()), headers=bearer(tok["ada"])).problem(404)
            check({k: v for k, v in hidden.items() if k != "request_id"} ==
                  {k: v for k, v in absent.items() if k != "request_id"}, (hidden, absent))
            # Granted to one user...
            r = jreq(s, "POST", "/api/v1/admin/libraries/%s/access" % kids["id"], {"user_id": ids["ada"]}, t)
            check(r.status == 201 and r.json()["user_id"] == ids["ada"], r.body)
            jreq(s, "POST", "/api/v1/admin/libraries/%s/access" % kids["id"], {"user_id": ids["ada"]}, t).problem(
                409, "already_granted")
            check(visible("ada") == ["Family", "Private"] and visible("bob") == ["Family"], (visible("ada"), visible("bob")))
            # ...and to a role.
            jreq(s, "POST", "/api/v1/admin/libraries/%s/access" % kids["id"], {"role": "user"}, t)
            check(visible("bob") == ["Family", "Private"], visible("bob"))
            grants = s.request("GET", "/api/v1/admin/libraries/%s/access" % kids["id"], headers=bearer(t)).json()["items"]
            check(sorted((g["user_id"] or "", g["role"] or "") for g in grants) ==
                  sorted([(ids["ada"], ""), ("", "user")]), grants)
            for bad, code in (({"user_id": str(uuid.uuid4())}, "user_not_found"), ({"role": "nope"}, "role_not_found")):
                jreq(s, "POST", "/api/v1/admin/libraries/%s/access" % kids["id"], bad, t).problem(404, code)
            jreq(s, "POST", "/api/v1/admin/libraries/%s/access" % kids["id"], {}, t).problem(422, "invalid_grant")
            jreq(s, "POST", "/api/v1/admin/libraries/%s/access" % kids["id"],
                 {"user_id": ids["ada"], "role": "user"}, t).problem(422, "invalid_grant")
            # Revoked.
            check(s.request("DELETE", "/api/v1/admin/libraries/%s/access/roles/user" % kids["id"],
                            headers=bearer(t)).status == 204, "revoke role")
            check(visible("bob") == ["Family"], visible("bob"))
            check(s.request("DELETE", "/api/v1/admin/libraries/%s/access/%s" % (kids["id"], ids["ada"]),
                            headers=bearer(t)).status == 204, "revoke user")
            check(visible("ada") == ["Family"], visible("ada"))
            s.request("DELETE", "/api/v1/admin/libraries/%s/access/%s" % (kids["id"], ids["ada"]),
                      headers=bearer(t)).problem(404, "grant_not_found")
            # Unrestricting opens it to every member.
            jreq(s, "PATCH", "/api/v1/admin/libraries/" + kids["id"], {"restricted": False}, t)
            check(visible("bob") == ["Family", "Private"], visible("bob"))
            actions = [e["action"] for e in s.request("GET", "/api/v1/admin/audit-logs?target_type=library",
                                                      headers=bearer(t)).json()["items"]]
            check(actions.count("library.access_granted") == 2 and actions.count("library.access_revoked") == 2, actions)
            check(open_lib["id"], open_lib)
    finally:
        shutil.rmtree(root)
