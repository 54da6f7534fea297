"""The server side of the web app: its files (history-mode fallback, cache
headers, gzip twins, its own CSP, path tricks), the browser's cookie-held
session (HttpOnly cookies, the X-Marquee-Session header and Origin as the
CSRF guard, rotation, sign-out) and the folder picker's API."""
import json
import os
import shutil
import tempfile

from harness import check, parse_raw
from test_account import png
from test_auth import FAST, PASSWORD, bearer, login, make_user

ORIGIN_HEADER = "X-Marquee-Session"


def app_dir():
    d = tempfile.mkdtemp(prefix="mq-webdir-")
    os.makedirs(d + "/assets")
    with open(d + "/index.html", "w") as f:
        f.write("<!doctype html><title>app</title>")
    with open(d + "/assets/app-abc123.js", "w") as f:
        f.write("console.log('plain');")
    with open(d + "/assets/app-abc123.js.gz", "wb") as f:
        import gzip
        f.write(gzip.compress(b"console.log('zipped');"))
    with open(d + "/favicon.svg", "w") as f:
        f.write("<svg/>")
    with open(d + "/.env", "w") as f:
        f.write("SECRET=hunter2")
    os.symlink("/etc/passwd", d + "/assets/passwd.js")
    return d


def get(s, path, **headers):
    return s.request("GET", path, headers=headers)


def test_the_app_is_served(env):
    d = app_dir()
    try:
        with env.server(env={"MARQUEE_WEB_DIR": d}) as s:
            r = get(s, "/")
            check(r.status == 200 and r.body.startswith(b"<!doctype html>"), r.body)
            check(r.header("content-type") == "text/html; charset=utf-8" and r.header("cache-control") == "no-cache",
                  r.headers)
            csp = r.header("content-security-policy")
            for part in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
                check(part in csp, csp)
            check("unsafe" not in csp, csp)
            # App routes are the app's page.
            for path in ("/setup", "/media/01a2b3c4-0000-7000-8000-000000000000", "/admin/users/", "/a%20b"):
                r = get(s, path)
                check(r.status == 200 and r.body.startswith(b"<!doctype html>"), (path, r.status))
            # Hashed assets are kept for good; the gzip twin goes to those who take it.
            r = get(s, "/assets/app-abc123.js")
            check(r.body == b"console.log('plain');" and r.header("content-encoding") is None, r.body)
            check(r.header("cache-control") == "public, max-age=31536000, immutable", r.headers)
            check(r.header("content-type") == "text/javascript; charset=utf-8", r.headers)
            r = get(s, "/assets/app-abc123.js", **{"Accept-Encoding": "gzip, br"})
            check(r.header("content-encoding") == "gzip" and r.header("vary") == "Accept-Encoding", r.headers)
            import gzip
            check(gzip.decompress(r.body) == b"console.log('zipped');", r.body)
            r = s.request("HEAD", "/favicon.svg")
            check(r.status == 200 and r.body == b"" and r.header("content-type") == "image/svg+xml", r.headers)
            # A missing file is a 404 problem, not the page; so are the API's and probes' names.
            get(s, "/assets/app-missing.js").problem(404, "not_found")
            for path in ("/api/v1/nothing", "/api", "/healthz/", "/HEALTHZ", "/Metrics/x"):
                r = get(s, path)
                r.problem(404)
                check("default-src 'none'" in r.header("content-security-policy"), r.headers)
            # Nothing outside the app's own files: links, hidden files, tricks.
            for path in ("/assets/passwd.js", "/.env", "/assets/../.env", "/%2e%2e/etc/passwd",
                         "/assets/%2e%2e/index.html", "/a\\..\\b", "/x;y", "//etc/passwd"):
                r = parse_raw(s.raw(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode()))
                check(b"root:" not in r.body and b"hunter2" not in r.body, (path, r.body[:100]))
                check(r.status in (200, 400, 404), (path, r.status))
                if r.status != 200:
                    r.problem(r.status)
            # Counted as the app's in the metrics.
            import re as _re
            m = _re.search(r'marquee_http_requests_total\{method="GET",route="\(web app\)",status="200"\} (\d+)',
                           get(s, "/metrics").body.decode())
            check(m and int(m.group(1)) >= 5, get(s, "/metrics").body.decode()[:2000])
            # Writes are the API's.
            r = s.request("POST", "/setup", body=b"x", headers={"Content-Type": "text/plain"})
            r.problem(404)
        # A web_dir without an app is a start-up error that says so.
        empty = tempfile.mkdtemp(prefix="mq-webdir-")
        try:
            r = env.run_cli(["serve"], env={"MARQUEE_WEB_DIR": empty, "MARQUEE_LISTEN": "127.0.0.1:0"}, timeout=20)
            check(r.returncode != 0 and "holds no index.html" in r.stderr, r.stderr[-500:])
        finally:
            shutil.rmtree(empty)
    finally:
        shutil.rmtree(d)


def web_login(s, origin, email="ada@example.org", **extra):
    h = {"Content-Type": "application/json", ORIGIN_HEADER: "cookie"}
    if origin:
        h["Origin"] = origin
    h.update(extra)
    return s.request("POST", "/api/v1/auth/login", json.dumps({"email": email, "password": PASSWORD}).encode(), h)


def cookies(r):
    """name -> (value, attributes) of every Set-Cookie."""
    out = {}
    for c in r.set_cookies:
        parts = [p.strip() for p in c.split(";")]
        name, _, value = parts[0].partition("=")
        out[name] = (value, [p.lower() for p in parts[1:]])
    return out


def with_cookie(origin, **jar):
    h = {ORIGIN_HEADER: "cookie", "Cookie": "; ".join("%s=%s" % kv for kv in jar.items())}
    if origin:
        h["Origin"] = origin
    return h


def test_the_browser_session_lives_in_cookies(env):
    public = "http://media.example:8096"
    with env.server(args=FAST, env={"MARQUEE_PUBLIC_URL": public}) as s:
        make_user(env, s, "ada@example.org")
        # Cookie mode: the refresh token never reaches a script.
        r = web_login(s, public)
        check(r.status == 200, r.body)
        doc = r.json()
        check("refresh_token" not in doc and doc["access_token"] and doc["expires_in"] > 0, doc)
        jar = cookies(r)
        refresh, attrs = jar["mq_refresh"]
        check(refresh.startswith("mqr_") and "httponly" in attrs and "samesite=strict" in attrs
              and "path=/api/v1/auth" in attrs and "secure" not in attrs, jar)
        media, mattrs = jar["mq_media"]
        check(media == doc["access_token"] and "path=/api/v1" in mattrs and "httponly" in mattrs, jar)
        # The Host the browser used is this server too.
        r = web_login(s, "http://127.0.0.1:%d" % s.port)
        check(r.status == 200, r.body)
        # Elsewhere, or saying nowhere: refused, no cookie set.
        for origin in ("http://evil.example", "http://media.example:8097", "null", None):
            r = web_login(s, origin)
            r.problem(403, "cross_origin_refused")
            check(not r.set_cookies, r.set_cookies)

        # The cookie renews the session, and rotates.
        r = s.request("POST", "/api/v1/auth/refresh", b"", with_cookie(public, mq_refresh=refresh))
        check(r.status == 200 and "refresh_token" not in r.json(), r.body)
        fresh = cookies(r)["mq_refresh"][0]
        check(fresh != refresh, "rotated")
        # A cross-site form post: no header, another Origin, a form body.
        r = s.request("POST", "/api/v1/auth/refresh", b"refresh_token=x",
                      {"Origin": "http://evil.example", "Content-Type": "application/x-www-form-urlencoded",
                       "Cookie": "mq_refresh=" + fresh})
        check(r.status in (400, 415) and not r.set_cookies, (r.status, r.body))
        # The header from a page elsewhere (a CORS preflight would refuse it anyway).
        r = s.request("POST", "/api/v1/auth/refresh", b"", with_cookie("http://evil.example", mq_refresh=fresh))
        r.problem(403, "cross_origin_refused")
        # A fetch without the header: the cookie alone does nothing.
        r = s.request("POST", "/api/v1/auth/refresh", b"", {"Origin": public, "Cookie": "mq_refresh=" + fresh})
        check(r.status in (400, 415) and not r.set_cookies, (r.status, r.body))
        # The cookie still works: nothing above used it.
        r = s.request("POST", "/api/v1/auth/refresh", b"", with_cookie(public, mq_refresh=fresh))
        check(r.status == 200, r.body)
        newest = cookies(r)["mq_refresh"][0]
        # The old one again is a theft: the session ends.
        s.request("POST", "/api/v1/auth/refresh", b"", with_cookie(public, mq_refresh=fresh)).problem(
            401, "invalid_refresh_token")
        s.request("POST", "/api/v1/auth/refresh", b"", with_cookie(public, mq_refresh=newest)).problem(
            401, "invalid_refresh_token")
        # No cookie: sign in.
        s.request("POST", "/api/v1/auth/refresh", b"", with_cookie(public)).problem(401, "invalid_refresh_token")

        # The media cookie opens pictures and streams, and nothing else.
        r = web_login(s, public)
        tok, jar = r.json()["access_token"], cookies(r)
        me = s.request("GET", "/api/v1/users/me", headers=bearer(tok)).json()
        up = s.request("POST", "/api/v1/users/me/avatar", body=png(),
                       headers=dict(bearer(tok), **{"Content-Type": "image/png"}))
        check(up.status == 200, up.body)
        url = up.json()["avatar_url"]
        media_only = {"Cookie": "mq_media=" + jar["mq_media"][0]}
        r = s.request("GET", url, headers=media_only)
        check(r.status == 200 and r.body.startswith(b"\x89PNG") or r.header("content-type").startswith("image/"),
              r.status)
        s.request("GET", "/api/v1/users/me", headers=media_only).problem(401)
        s.request("DELETE", "/api/v1/users/me/avatar", headers=media_only).problem(401)
        s.request("POST", "/api/v1/auth/logout", b"", media_only).problem(401)

        # Sign-out ends the session and clears the cookies.
        r = s.request("POST", "/api/v1/auth/logout", b"", with_cookie(public, mq_refresh=jar["mq_refresh"][0]))
        check(r.status == 204, r.body)
        cleared = cookies(r)
        check(cleared["mq_refresh"][0] == "" and "max-age=0" in cleared["mq_refresh"][1]
              and cleared["mq_media"][0] == "", cleared)
        s.request("POST", "/api/v1/auth/refresh", b"",
                  with_cookie(public, mq_refresh=jar["mq_refresh"][0])).problem(401, "invalid_refresh_token")
        s.request("GET", "/api/v1/users/me", headers=bearer(tok)).problem(401)
        check(me["email"] == "ada@example.org", me)
        # A stale cookie beside a live access token: the token's session ends.
        r = web_login(s, public)
        tok2 = r.json()["access_token"]
        h = with_cookie(public, mq_refresh="mqr_" + "x" * 43)
        h.update(bearer(tok2))
        check(s.request("POST", "/api/v1/auth/logout", b"", h).status == 204, "stale cookie")
        s.request("GET", "/api/v1/users/me", headers=bearer(tok2)).problem(401)
        # Sign-out from elsewhere is refused; with nothing to end, it is done.
        r = s.request("POST", "/api/v1/auth/logout", b"", with_cookie("http://evil.example", mq_refresh="x"))
        r.problem(403, "cross_origin_refused")
        check(s.request("POST", "/api/v1/auth/logout", b"", with_cookie(public)).status == 204, "idempotent")

    # Behind https, the cookies are Secure.
    with env.server(args=FAST, env={"MARQUEE_PUBLIC_URL": "https://media.example"}) as s:
        make_user(env, s, "ada@example.org")
        r = web_login(s, "https://media.example")
        check(r.status == 200, r.body)
        for name, (_, attrs) in cookies(r).items():
            check("secure" in attrs, (name, attrs))


def test_the_folder_picker(env):
    root = os.path.realpath(tempfile.mkdtemp(prefix="mq-fs-"))
    try:
        for d in ("films", "Books", "tv/Season 1", ".hidden", "zed"):
            os.makedirs(os.path.join(root, d))
        with open(os.path.join(root, "notes.txt"), "w") as f:
            f.write("x")
        os.symlink(root + "/films", root + "/link-to-films")
        with env.server(args=FAST) as s:
            make_user(env, s, "root@example.org", admin=True)
            make_user(env, s, "ada@example.org")
            t = login(s, "root@example.org").json()["access_token"]
            ada = login(s, "ada@example.org").json()["access_token"]

            def browse(path, token=t):
                from urllib.parse import quote
                return s.request("GET", "/api/v1/admin/filesystem?path=" + quote(path, safe="/%"),
                                 headers=bearer(token))
            r = browse(root + "/")
            check(r.status == 200, r.body)
            doc = r.json()
            check(doc["path"] == root and doc["parent"] == os.path.dirname(root) and doc["truncated"] is False, doc)
            check([i["name"] for i in doc["items"]] == ["Books", "films", "link-to-films", "tv", "zed"], doc)
            check(doc["items"][1]["path"] == root + "/films", doc["items"])
            check(browse(root + "/tv").json()["items"] == [{"name": "Season 1", "path": root + "/tv/Season 1"}], "tv")
            check(browse(root + "/link-to-films").json()["path"] == root + "/films", "real path")
            top = browse("/").json()
            names = [i["name"] for i in top["items"]]
            check(top["parent"] is None and "proc" not in names and "sys" not in names and "dev" not in names
                  and "tmp" in names, names)
            browse("/proc").problem(422, "path_forbidden")
            browse("/proc/self").problem(422, "path_forbidden")
            browse(root + "/notes.txt").problem(422, "path_not_directory")
            browse(root + "/nothing").problem(422, "path_not_found")
            browse("relative/path").problem(422, "invalid_path")
            browse(root + "/%FF").problem(400, "invalid_query")
            browse(root + "/../" + os.path.basename(root)).problem(422, "invalid_path")
            browse(root, ada).problem(403, "forbidden")
            s.request("GET", "/api/v1/admin/filesystem").problem(403, "admin_api_closed")
            log = s.request("GET", "/api/v1/admin/audit-logs?action=admin.filesystem_browse",
                            headers=bearer(t)).json()["items"]
            check(len(log) >= 4 and log[-1]["details"]["path"] == root, log[-1])
    finally:
        shutil.rmtree(root)
