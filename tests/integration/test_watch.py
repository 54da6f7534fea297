"""Libraries kept current while the server runs: a file copied in, a new
folder, a file removed, all without asking for a scan; and a library that
cannot be watched says so everywhere and is polled instead."""
import os
import shutil
import tempfile
import time

import media
from harness import check
from test_auth import FAST, bearer, login, make_user
from test_libraries import jreq
from test_scanner import items

WATCH = FAST + ["--watch-debounce", "200ms", "--scan-settle", "0"]


def until(fn, timeout=20, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def metric(s, name):
    for line in s.request("GET", "/metrics").body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def start(env, s, root):
    make_user(env, s, "root@example.org", admin=True)
    t = login(s, "root@example.org").json()["access_token"]
    lib = jreq(s, "POST", "/api/v1/admin/libraries",
               {"name": "Films", "type": "movies", "paths": [root + "/films"], "scan_interval": 0}, t).json()
    return t, lib


def test_changes_are_picked_up(env):
    root = tempfile.mkdtemp(prefix="mq-watch-")
    try:
        media.put(root, "films/One (2001)/One (2001).mp4", "h264.mp4")
        with env.server(args=WATCH) as s:
            t, lib = start(env, s, root)
            until(lambda: s.request("GET", "/api/v1/libraries/" + lib["id"], headers=bearer(t)).json()["watch"]["state"]
                  == "watching", what="the watch")
            # Nothing was asked: the first file is found once something
            # changes, and every later one too.
            media.put(root, "films/Two (2002)/Two (2002).mkv", "hdr10.mkv")
            until(lambda: {"One", "Two"} <= {i["title"] for i in items(s, t)}, what="Two")
            media.put(root, "films/New Folder/Three (2003)/Three (2003).webm", "vp9.webm")
            until(lambda: "Three" in {i["title"] for i in items(s, t)}, what="Three in a new folder")
            os.remove(os.path.join(root, "films/Two (2002)/Two (2002).mkv"))
            until(lambda: [i["title"] for i in items(s, t, "missing=true")] == ["Two"], what="Two missing")
            check(metric(s, "mq_media_watch_scans_total") >= 3, metric(s, "mq_media_watch_scans_total"))
            check(metric(s, "mq_media_libraries_watched") == 1, "watched")
            check(s.request("GET", "/readyz").json()["libraries_polled"] == [], "none polled")
    finally:
        shutil.rmtree(root)


def test_a_library_past_the_watch_limit_is_polled_and_says_so(env):
    root = tempfile.mkdtemp(prefix="mq-watch-")
    try:
        for i in range(4):
            media.put(root, "films/F%d (200%d)/F%d (200%d).mp4" % (i, i, i, i), "h264.mp4")
        with env.server(args=WATCH + ["--watch-max-folders", "2"]) as s:
            t, lib = start(env, s, root)
            got = until(lambda: (lambda l: l if l["watch"]["state"] == "polling" else None)(
                s.request("GET", "/api/v1/libraries/" + lib["id"], headers=bearer(t)).json()), what="polling")
            check("watch_max_folders" in got["watch"]["error"], got)
            polled = s.request("GET", "/readyz").json()["libraries_polled"]
            check([p["library"] for p in polled] == ["Films"] and "watch_max_folders" in polled[0]["reason"], polled)
            check(metric(s, "mq_media_libraries_polled") == 1 and metric(s, "mq_media_watch_failures_total") >= 1,
                  "metrics")
            check(any("is not watched for changes" in r.get("msg", "") for r in s.log_records()), "logged")
    finally:
        shutil.rmtree(root)
