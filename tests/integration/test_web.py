"""The web app in headless Chromium: each test arranges accounts and media
through the API, then runs one scenario of web/e2e/ (playwright-core
driving Debian's chromium) against a real server; the scenario also scans
every page it visits with axe-core. run.py runs these with --browser."""
import json
import os
import re
import subprocess
import tempfile
import time
import shutil

from harness import SmtpSink, check, free_port
from test_auth import FAST, PASSWORD, bearer, login, make_user

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def web_server(env, extra_env=None, args=()):
    """A server reached at http://localhost:PORT: a passkey's relying party
    must be a name, not an address."""
    port = free_port()
    e = {"MARQUEE_LISTEN": "127.0.0.1:%d" % port, "MARQUEE_PUBLIC_URL": "http://localhost:%d" % port}
    e.update(extra_env or {})
    return env.server(args=FAST + list(args), env=e)


def base(s):
    return "http://localhost:%d" % s.port


def scenario(name, cfg, timeout=150):
    e = dict(os.environ)
    e["MQ_E2E"] = json.dumps(cfg)
    r = subprocess.run(["node", os.path.join(ROOT, "web/e2e/run.mjs"), name], env=e, cwd=ROOT,
                       capture_output=True, text=True, timeout=timeout)
    out = (r.stdout + r.stderr).strip()
    check(r.returncode == 0, out[-4000:])
    print("# " + out.splitlines()[-1])


def test_first_run(env):
    with web_server(env) as s:
        line = s.wait_log(r"create the first admin at")
        m = re.search(r"(http://\S+/setup\?token=[A-Za-z0-9_-]+)", line)
        check(m, line)
        scenario("first_run", {"base": base(s), "setup_url": m.group(1), "password": PASSWORD})


def member(env, s, email="ada@example.org", admin=False):
    make_user(env, s, email, admin=admin)
    return login(s, email).json()["access_token"]


def test_mfa(env):
    with web_server(env) as s:
        member(env, s)
        scenario("mfa", {"base": base(s), "email": "ada@example.org", "password": PASSWORD})


def test_passkey(env):
    with web_server(env) as s:
        member(env, s)
        scenario("passkey", {"base": base(s), "email": "ada@example.org", "password": PASSWORD})


def test_invitation_and_reset(env):
    with SmtpSink() as sink:
        e = {"MARQUEE_SMTP_URL": sink.url(), "MARQUEE_MAIL_FROM": "marquee@marquee.test"}
        with web_server(env, e, args=["--registration", "invite", "--require-verified-email", "true"]) as s:
            root = member(env, s, "root@example.org", admin=True)
            inv = s.request("POST", "/api/v1/admin/invites", json.dumps({}).encode(),
                            dict(bearer(root), **{"Content-Type": "application/json"})).json()
            check(inv["url"].startswith(base(s) + "/register?invite="), inv)
            scenario("accounts", {"base": base(s), "invite_url": inv["url"], "invite_code": inv["code"],
                                  "mail_dir": sink.dir, "password": PASSWORD,
                                  "new_password": "a brand new passphrase 5521"})


def jcall(s, method, path, token, body=None):
    return s.request(method, path, json.dumps(body if body is not None else {}).encode(),
                     dict(bearer(token), **{"Content-Type": "application/json"}))


def test_sessions_keys_and_a_disabled_member(env):
    with web_server(env) as s:
        root = member(env, s, "root@example.org", admin=True)
        make_user(env, s, "ada@example.org")  # no session of its own: the browsers hold the only two
        scenario("sessions", {"base": base(s), "email": "ada@example.org", "password": PASSWORD,
                              "admin_token": root})


def library(s, token, name, kind, path, restricted=False):
    from test_scanner import scan
    r = jcall(s, "POST", "/api/v1/admin/libraries", token,
              {"name": name, "type": kind, "paths": [path], "restricted": restricted})
    check(r.status == 201, r.body)
    lib = r.json()
    scan(s, token, lib["id"])
    return lib


def test_impersonation(env):
    import media
    root_dir = tempfile.mkdtemp(prefix="mq-web-")
    try:
        media.put(root_dir, "open/Heat (1995)/Heat (1995).mp4", "h264.mp4")
        media.put(root_dir, "private/Alien (1979)/Alien (1979).mp4", "h264.mp4")
        with web_server(env) as s:
            root = member(env, s, "root@example.org", admin=True)
            ada = member(env, s)
            ada_id = jcall(s, "GET", "/api/v1/users/me", ada).json()["id"]
            check(jcall(s, "PATCH", "/api/v1/admin/users/" + ada_id, root, {"display_name": "Ada"}).status == 200,
                  "renamed")
            library(s, root, "Open", "movies", root_dir + "/open")
            library(s, root, "Private", "movies", root_dir + "/private", restricted=True)
            scenario("impersonation", {"base": base(s), "admin_email": "root@example.org", "password": PASSWORD})
    finally:
        shutil.rmtree(root_dir)


def test_library_creation_and_scan(env):
    import media
    root_dir = tempfile.mkdtemp(prefix="mq-web-")
    try:
        media.put(root_dir, "films/Heat (1995)/Heat (1995).mp4", "h264.mp4")
        media.put(root_dir, "films/Nature (2019)/Nature (2019).webm", "vp9.webm")
        os.makedirs(root_dir + "/.secret")
        media.text(root_dir, "notes.txt", "not a folder")
        with web_server(env) as s:
            member(env, s, "root@example.org", admin=True)
            scenario("library", {"base": base(s), "admin_email": "root@example.org", "password": PASSWORD,
                                 "root": os.path.realpath(root_dir)})
    finally:
        shutil.rmtree(root_dir)


def test_identify_in_the_browser(env):
    import media
    from replay import Replay
    from test_scanner import scan
    root_dir = tempfile.mkdtemp(prefix="mq-web-")
    try:
        media.put(root_dir, "films/Hercules.mp4", "h264.mp4")
        media.put(root_dir, "films/Riddick (2013) {tmdb-87421}/Riddick (2013) {tmdb-87421}.mp4", "h264.mp4")
        with Replay() as rp, web_server(env, rp.settings()) as s:
            root = member(env, s, "root@example.org", admin=True)
            lib = jcall(s, "POST", "/api/v1/admin/libraries", root,
                        {"name": "Films", "type": "movies", "paths": [os.path.join(root_dir, "films")]}).json()
            scan(s, root, lib["id"])
            deadline = time.time() + 30
            while time.time() < deadline:
                st = s.request("GET", "/api/v1/admin/libraries/%s/scan" % lib["id"], headers=bearer(root)).json()
                if st["identification"]["pending"] == 0 and st["identification"]["review"] == 1:
                    break
                time.sleep(0.1)
            scenario("metadata", {"base": base(s), "admin_email": "root@example.org", "password": PASSWORD,
                                  "library_id": lib["id"]})
    finally:
        shutil.rmtree(root_dir)


def test_browse_and_play(env):
    import media
    root_dir = tempfile.mkdtemp(prefix="mq-web-")
    try:
        m = "films/The Matrix (1999)/"
        media.put(root_dir, m + "The Matrix (1999).mp4", "h264.mp4")
        media.text(root_dir, m + "The Matrix (1999).en.srt", media.SRT)
        media.put(root_dir, m + "poster.jpg", "cover.jpg")
        media.put(root_dir, "films/Heat (1995)/Heat (1995).avi", "mpeg4.avi")
        media.put(root_dir, "films/Cartoon (2001)/Cartoon (2001).mp4", "h264.mp4")
        media.put(root_dir, "films/Horror (2002)/Horror (2002).mp4", "h264.mp4")
        s1 = "tv/Breaking Bad (2008)/Season 01/"
        media.put(root_dir, s1 + "Breaking Bad - S01E01 - Pilot.mkv", "h264.mp4")
        media.put(root_dir, s1 + "Breaking Bad - S01E02.mkv", "h264.mp4")
        media.put(root_dir, "audio/The Long Book/The Long Book.m4b", "book.m4b")
        with web_server(env) as s:
            root = member(env, s, "root@example.org", admin=True)
            ada = member(env, s)
            films = library(s, root, "Films", "movies", root_dir + "/films")
            tv = library(s, root, "TV", "tv", root_dir + "/tv")
            audio = library(s, root, "Audiobooks", "audiobooks", root_dir + "/audio")

            def items(lib, kind):
                r = jcall(s, "GET", "/api/v1/media?limit=200&library=%s&type=%s" % (lib["id"], kind), root)
                return {i["title"]: i for i in r.json()["items"]}
            by = items(films, "movie")
            jcall(s, "PATCH", "/api/v1/admin/catalog/content/" + by["Cartoon"]["id"], root, {"content_rating": "G"})
            jcall(s, "PATCH", "/api/v1/admin/catalog/content/" + by["Horror"]["id"], root,
                  {"content_rating": {"system": "FSK", "value": "18"}})
            ada_id = jcall(s, "GET", "/api/v1/users/me", ada).json()["id"]
            r = jcall(s, "PATCH", "/api/v1/admin/users/%s/parental-controls" % ada_id, root,
                      {"max_rating": "PG-13", "unrated": "allow"})
            check(r.status == 200, r.body)
            avi = jcall(s, "GET", "/api/v1/media/%s/files" % by["Heat"]["id"], root).json()["items"][0]
            series = items(tv, "series")["Breaking Bad"]
            book = items(audio, "audiobook")["The Long Book"]
            scenario("play", {"base": base(s), "email": "ada@example.org", "password": PASSWORD,
                              "films": films["id"], "matrix": by["The Matrix"]["id"], "avi_item": by["Heat"]["id"],
                              "avi_file": avi["id"], "series": series["id"], "audiobook": book["id"]})
    finally:
        shutil.rmtree(root_dir)


def test_administration(env):
    import media
    root_dir = tempfile.mkdtemp(prefix="mq-web-")
    try:
        media.put(root_dir, "films/Heat (1995)/Heat (1995).mp4", "h264.mp4")
        # rate_limit_login set by flag: the operator's, locked in the app.
        with web_server(env, args=["--rate-limit-login", "100/min"]) as s:
            root = member(env, s, "root@example.org", admin=True)
            ada = member(env, s)
            ada_id = jcall(s, "GET", "/api/v1/users/me", ada).json()["id"]
            jcall(s, "PATCH", "/api/v1/admin/users/" + ada_id, root, {"display_name": "Ada"})
            library(s, root, "Films", "movies", root_dir + "/films")
            scenario("admin", {"base": base(s), "admin_email": "root@example.org", "password": PASSWORD})
            r = jcall(s, "GET", "/api/v1/admin/users/" + ada_id, root).json()
            check("moderator" in r["roles"], r)
    finally:
        shutil.rmtree(root_dir)


def test_reauthentication(env):
    with web_server(env, args=["--reauth-window", "2s"]) as s:
        make_user(env, s, "ada@example.org")
        scenario("reauth", {"base": base(s), "email": "ada@example.org", "password": PASSWORD, "window_ms": 2000})


def test_search_in_the_browser(env):
    from test_search import indexed
    with web_server(env) as s:
        root = member(env, s, "root@example.org", admin=True)
        member(env, s, "ada@example.org")
        for body in ({"type": "movie", "title": "Interstellar", "year": 2014},
                     {"type": "movie", "title": "The Matrix", "year": 1999},
                     {"type": "movie", "title": "The Matrix Reloaded", "year": 2003},
                     {"type": "series", "title": "Matrix Show", "year": 2001},
                     {"type": "movie", "title": "Volver", "year": 2006,
                      "cast": [{"name": "Pen\u00e9lope Cruz", "character": "Raimunda"}]}):
            r = jcall(s, "POST", "/api/v1/admin/catalog/content", root, body)
            check(r.status == 201, r.body)
        indexed(s, root)
        scenario("search", {"base": base(s), "member_email": "ada@example.org", "password": PASSWORD})


def test_tracking_in_the_browser(env):
    import media
    from test_catalog import create
    from test_search import indexed
    root_dir = tempfile.mkdtemp(prefix="mq-web-")
    try:
        media.put(root_dir, "films/The Matrix (1999)/The Matrix (1999).mp4", "h264.mp4")
        history = os.path.join(root_dir, "NetflixViewingHistory.csv")
        with open(history, "w") as f:
            f.write('Title,Date\n"Heat","3/1/24"\n"Arrival","2/1/24"\n"Glass Onion","1/1/24"\n"Zzyzx Qwv","1/1/24"\n')
        with web_server(env) as s:
            root = member(env, s, "root@example.org", admin=True)
            member(env, s)
            films = library(s, root, "Films", "movies", root_dir + "/films")
            matrix = jcall(s, "GET", "/api/v1/media?library=%s&type=movie" % films["id"], root).json()["items"][0]
            mfile = jcall(s, "GET", "/api/v1/media/%s/files" % matrix["id"], root).json()["items"][0]
            ids = {}
            for title, year in (("Heat", 1995), ("Arrival", 2016), ("Glass Onion: A Knives Out Mystery", 2022),
                                ("Heat", 1986)):
                ids[(title, year)] = create(s, root, {"type": "movie", "title": title, "year": year,
                                                      "release_date": "%d-06-01" % year, "runtime_min": 100})["id"]
            indexed(s, root)
            # The clip lasts a second: any position is worth resuming.
            r = jcall(s, "PATCH", "/api/v1/admin/settings", root,
                      {"track_resume_min_duration": "0", "track_resume_min_percent": 0})
            check(r.status == 200, r.body)
            scenario("tracking", {"base": base(s), "email": "ada@example.org", "password": PASSWORD,
                                  "netflix_file": history, "heat": ids[("Heat", 1995)],
                                  "old_heat": ids[("Heat", 1986)],
                                  "arrival": ids[("Arrival", 2016)], "matrix": matrix["id"],
                                  "matrix_file": mfile["id"]})
    finally:
        shutil.rmtree(root_dir)


def test_notifications_in_the_browser(env):
    """A member sets preferences, adds a channel and tests it, follows a
    series; the admin runs the monitor and sets a relation; the member's
    bell then counts the new season, the centre opens it, the upcoming
    page and its calendar link show what is next, and a mail's unsubscribe
    link opens the page that stops it."""
    import datetime
    from receivers import Receivers
    from test_catalog import create
    day = lambda n: (datetime.date.today() + datetime.timedelta(days=n)).isoformat()
    with Receivers() as rx, SmtpSink() as sink:
        e = {"MARQUEE_SMTP_URL": sink.url(), "MARQUEE_MAIL_FROM": "marquee@marquee.test",
             "MARQUEE_NOTIFY_ALLOWED_NETWORKS": "127.0.0.1", "MARQUEE_JOBS_POLL_INTERVAL": "100ms"}
        with web_server(env, e) as s:
            root = member(env, s, "root@example.org", admin=True)
            ada = member(env, s)
            r = jcall(s, "POST", "/api/v1/users/me/notification-channels", ada, {"kind": "email", "name": "Mail"})
            check(r.status == 201, r.body)
            show = create(s, root, {"type": "series", "title": "Severance", "year": 2022})
            seasons = {}
            for n, dates in ((1, ["2022-02-18", "2022-02-25"]), (2, [day(-1), day(7)])):
                seasons[n] = create(s, root, {"type": "season", "title": "Season %d" % n, "parent_id": show["id"],
                                              "index": n})
                for i, d in enumerate(dates, 1):
                    create(s, root, {"type": "episode", "title": "Episode %d" % i, "index": i,
                                     "parent_id": seasons[n]["id"], "release_date": d})
            r = jcall(s, "POST", "/api/v1/admin/catalog/content/%s/availability" % show["id"], root,
                      {"platform": "Apple TV Plus", "region": "US", "kind": "flatrate",
                       "url": "https://tv.apple.com/show/severance", "from": "2022-01-01T00:00:00Z"})
            check(r.status == 201, r.body)
            dune = create(s, root, {"type": "movie", "title": "Dune", "year": 2021, "release_date": "2021-10-22"})
            create(s, root, {"type": "movie", "title": "Dune: Part Two", "year": 2024, "release_date": "2024-03-01"})
            from test_search import indexed
            indexed(s, root)
            check(jcall(s, "POST", "/api/v1/media/%s/watched" % seasons[1]["id"], ada).status == 200, "watched")
            scenario("notifications", {"base": base(s), "email": "ada@example.org", "admin_email": "root@example.org",
                                       "password": PASSWORD, "hook": rx.url("/hooks/web"),
                                       "server_hook": rx.url("/hooks/server"), "series": show["id"],
                                       "season2": seasons[2]["id"], "dune": dune["id"], "mail_dir": sink.dir,
                                       "out": os.path.join(sink.dir, "browser.json")},
                     timeout=200)
            # What the browser's test buttons sent arrived, signed.
            check(len(rx.requests("/hooks/web")) >= 1 and len(rx.requests("/hooks/server")) >= 1,
                  [r["path"] for r in rx.requests()])
            from receivers import verify_standard_webhook
            with open(os.path.join(sink.dir, "browser.json")) as f:
                secret = json.load(f)["secret"]
            got = rx.requests("/hooks/web")[0]
            check(verify_standard_webhook(secret, got["headers"], got["body"]) is None, got)
            check(got["json"]["data"]["test"] is True, got["json"])
