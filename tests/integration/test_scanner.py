"""The scanner against real media made with ffmpeg: what it reads from
names and containers, what it skips and why, what a rescan touches, moves,
missing files, hostile files and trees, and streaming by id."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import media
from harness import check
from test_auth import FAST, bearer, jpost, login, make_user
from test_libraries import jreq


def films_tree(root):
    m = "films/The Matrix (1999)/"
    media.put(root, m + "The Matrix (1999).mkv", "hdr10.mkv")
    media.put(root, m + "The Matrix (1999)-trailer.mp4", "h264.mp4")
    media.text(root, m + "The Matrix (1999).en.srt", media.SRT)
    media.put(root, m + "poster.jpg", "cover.jpg")
    media.put(root, "films/Blade.Runner.1982.1080p.BluRay.x264-GRP.mp4", "h264.mp4")
    media.put(root, "films/Heat (1995) {tmdb-949}/Heat.avi", "mpeg4.avi")
    media.put(root, "films/Nature (2019)/Nature (2019).webm", "vp9.webm")
    media.put(root, "films/Sky (2020)/Sky (2020).mkv", "hlg.mkv")
    # Junk and hostile things.
    media.put(root, "films/@eaDir/thumb.mkv", "h264.mp4")
    media.put(root, "films/.hidden/secret.mkv", "h264.mp4")
    media.put(root, "films/Sample/sample.mkv", "h264.mp4")
    media.text(root, "films/broken.mkv", "\x00\x01garbage" * 500)
    media.text(root, "films/empty.mp4", "")
    os.mkfifo(os.path.join(root, "films/pipe.mkv"))
    os.symlink(os.path.join(root, "films"), os.path.join(root, "films/loop"))
    os.symlink(os.path.join(root, "nowhere.mkv"), os.path.join(root, "films/dangling.mkv"))
    bad = os.path.join(root.encode(), b"films/Bad\xffName (2001).mkv")
    shutil.copyfile(os.path.join(media.cache(), "h264.mp4"), bad)
    t = time.time() - 60
    os.utime(bad, (t, t))
    media.put(root, "films/Fresh (2024).mkv", "h264.mp4", old=False)
    long_dir = "films/" + "d" * 200 + "/" + "e" * 200 + "/"
    media.put(root, long_dir + "Long (2000).mkv", "h264.mp4")


def tv_tree(root):
    s = "tv/Breaking Bad (2008)/Season 01/"
    media.put(root, s + "Breaking Bad - S01E01 - Pilot.mkv", "h264.mp4")
    media.put(root, s + "Breaking Bad - S01E02.ts", "mpeg2.ts")
    media.put(root, s + "Breaking Bad - S01E03-E04.mkv", "h264.mp4")
    media.put(root, "tv/Breaking Bad (2008)/Specials/Breaking Bad - S00E01 - Minisode.mkv", "h264.mp4")
    media.put(root, "tv/Breaking Bad (2008)/poster.jpg", "cover.jpg")


def wait_scan(s, token, lib_id, job_id=None, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = s.request("GET", "/api/v1/admin/libraries/%s/scan" % lib_id, headers=bearer(token)).json()
        if r["state"] in ("completed", "failed") and (not job_id or r.get("job_id") == job_id):
            return r
        time.sleep(0.1)
    raise AssertionError("scan did not finish: %r" % r)


def scan(s, token, lib_id, full=False):
    r = jreq(s, "POST", "/api/v1/admin/libraries/%s/scan" % lib_id, {"full": full}, token)
    check(r.status == 202, r.body)
    return wait_scan(s, token, lib_id, r.json()["job_id"])


def items(s, token, query=""):
    out, cursor = [], None
    while True:
        q = query + ("&" if query else "") + "limit=2" + ("&cursor=" + cursor if cursor else "")
        r = s.request("GET", "/api/v1/media?" + q, headers=bearer(token))
        check(r.status == 200, r.body)
        page = r.json()
        out += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return out


def setup(env, s, root, kind="movies", folder="films", restricted=False):
    make_user(env, s, "root@example.org", admin=True)
    make_user(env, s, "ada@example.org")
    tok = {w: login(s, w + "@example.org").json()["access_token"] for w in ("root", "ada")}
    lib = jreq(s, "POST", "/api/v1/admin/libraries",
               {"name": folder, "type": kind, "paths": [os.path.join(root, folder)], "restricted": restricted},
               tok["root"]).json()
    return tok, lib


def test_scan_reads_the_films(env):
    root = tempfile.mkdtemp(prefix="mq-scan-")
    try:
        films_tree(root)
        with env.server(args=FAST) as s:
            tok, lib = setup(env, s, root)
            t = tok["root"]
            idle = s.request("GET", "/api/v1/admin/libraries/%s/scan" % lib["id"], headers=bearer(t)).json()
            check(idle["state"] == "idle", idle)
            r = scan(s, t, lib["id"])
            check(r["state"] == "completed", r)
            f = r["files"]
            # 5 films + trailer + long + bad name probed, 1 subtitle, 1
            # poster; 2 failed (broken, empty); skipped: the pipe, the
            # dangling link, the fresh file. Junk folders, hidden ones and
            # samples are not even looked at; the loop is read once.
            check(f["probed"] == 8 and f["failed"] == 2, f)
            check(f["skipped"] == 3 and f["new"] == 12 and f["total"] == 15, f)
            titles = sorted((i["title"], i["year"]) for i in items(s, tok["ada"]))
            check(("The Matrix", 1999) in titles and ("Blade Runner", 1982) in titles and
                  ("Heat", 1995) in titles and ("Long", 2000) in titles, titles)
            check(not any(t_[0] in ("thumb", "secret", "sample", "Fresh") for t_ in titles), titles)
            bad = [i for i in titles if i[0].startswith("Bad")]
            check(bad and "\ufffd" in bad[0][0], titles)
            heat = [i for i in items(s, tok["ada"]) if i["title"] == "Heat"][0]
            check(heat["external_ids"] == {"tmdb": "949"}, heat)
            matrix = [i for i in items(s, tok["ada"]) if i["title"] == "The Matrix"][0]
            files = s.request("GET", "/api/v1/media/%s/files" % matrix["id"], headers=bearer(tok["ada"])).json()["items"]
            roles = sorted((x["role"], x["detail"] or "") for x in files)
            check(roles == [("image", "poster"), ("main", ""), ("subtitle", "en"), ("trailer", "")], roles)
            main = [x for x in files if x["role"] == "main"][0]
            check(main["video_codec"] == "hevc" and main["hdr"] == "HDR10" and main["width"] == 160, main)
            check("path" not in main, "members do not see paths")
            audio = [x for x in main["streams"] if x["type"] == "audio"]
            check([(a["codec"], a["channels"], a.get("language")) for a in audio] ==
                  [("ac3", 6, "eng"), ("aac", 1, "fre")], audio)
            sub = [x for x in main["streams"] if x["type"] == "subtitle"][0]
            check(sub["codec"] == "subrip" and sub["forced"] is True and sub["language"] == "eng", sub)
            sky = [i for i in items(s, tok["ada"]) if i["title"] == "Sky"][0]
            sky_main = s.request("GET", "/api/v1/media/%s/files" % sky["id"], headers=bearer(t)).json()["items"][0]
            check(sky_main["hdr"] == "HLG" and sky_main["path"].endswith("Sky (2020).mkv"), sky_main)
            blade = [i for i in items(s, tok["ada"]) if i["title"] == "Blade Runner"][0]
            bf = s.request("GET", "/api/v1/media/%s/files" % blade["id"], headers=bearer(t)).json()["items"][0]
            check([c["title"] for c in bf["chapters"]] == ["Opening", "Closing"], bf["chapters"])
            # Failed and skipped files say why (admins see them through the database; the
            # counters above), and the whole catalogue is valid UTF-8 JSON.
            check(s.request("GET", "/api/v1/media?limit=200", headers=bearer(t)).body.decode("utf-8"), "utf-8")
            # The detail, with its validator.
            r = s.request("GET", "/api/v1/media/" + matrix["id"], headers=bearer(tok["ada"]))
            check(r.status == 200 and r.header("etag"), r.headers)
            r2 = s.request("GET", "/api/v1/media/" + matrix["id"],
                           headers=dict(bearer(tok["ada"]), **{"If-None-Match": r.header("etag")}))
            check(r2.status == 304, r2.status)
            # Stats.
            st = s.request("GET", "/api/v1/libraries/%s/stats" % lib["id"], headers=bearer(tok["ada"])).json()
            check(st["items"]["movie"] == len(titles) and st["last_scan"]["state"] == "completed", st)
            check(st["total_duration_ms"] > 5000 and st["failed_files"] == 2, st)
    finally:
        shutil.rmtree(root)


def test_rescans_moves_and_missing_files(env):
    root = tempfile.mkdtemp(prefix="mq-scan-")
    data_dir = tempfile.mkdtemp(prefix="mq-it-")
    url = env.new_database() if env.backend == "postgres" else None
    try:
        films_tree(root)
        with env.server(args=FAST, data_dir=data_dir, database_url=url) as s:
            tok, lib = setup(env, s, root)
            t = tok["root"]
            first = scan(s, t, lib["id"])
            # Unchanged: nothing probed again (not even the broken files).
            again = scan(s, t, lib["id"])
            check(again["files"]["probed"] == 0 and again["files"]["new"] == 0 and
                  again["files"]["failed"] == 0 and again["files"]["changed"] == 0, again)
            check(again["files"]["unchanged"] == first["files"]["new"], (first, again))
            blade = [i for i in items(s, t) if i["title"] == "Blade Runner"][0]
            before = s.request("GET", "/api/v1/media/%s/files" % blade["id"], headers=bearer(t)).json()["items"][0]
            # Moved (renamed into a folder): same file, same item.
            os.makedirs(os.path.join(root, "films/Moved"))
            os.rename(os.path.join(root, "films/Blade.Runner.1982.1080p.BluRay.x264-GRP.mp4"),
                      os.path.join(root, "films/Moved/Blade.Runner.1982.1080p.BluRay.x264-GRP.mp4"))
            moved = scan(s, t, lib["id"])
            check(moved["files"]["moved"] == 1 and moved["files"]["new"] == 0, moved)
            after = s.request("GET", "/api/v1/media/%s/files" % blade["id"], headers=bearer(t)).json()["items"][0]
            check(after["id"] == before["id"] and after["path"].endswith("Moved/Blade.Runner.1982.1080p.BluRay.x264-GRP.mp4"),
                  (before, after))
            # Changed: probed again, same id.
            media.put(root, "films/Moved/Blade.Runner.1982.1080p.BluRay.x264-GRP.mp4", "vp9.webm")
            changed = scan(s, t, lib["id"])
            check(changed["files"]["changed"] == 1 and changed["files"]["probed"] == 1, changed)
            now = s.request("GET", "/api/v1/media/%s/files" % blade["id"], headers=bearer(t)).json()["items"][0]
            check(now["id"] == before["id"] and now["video_codec"] == "vp9", now)
            # Missing: kept, marked, through the grace period.
            shutil.rmtree(os.path.join(root, "films/Heat (1995) {tmdb-949}"))
            gone = scan(s, t, lib["id"])
            check(gone["files"]["missing"] == 1 and gone["files"]["removed"] == 0, gone)
            missing = items(s, t, "missing=true")
            check([i["title"] for i in missing] == ["Heat"], missing)
            heat_files = s.request("GET", "/api/v1/media/%s/files" % missing[0]["id"], headers=bearer(t)).json()["items"]
            check(heat_files[0]["state"] == "missing" and heat_files[0]["missing_since"], heat_files)
            s.request("GET", "/api/v1/files/%s/stream" % heat_files[0]["id"], headers=bearer(t)).problem(410, "file_gone")
        # After the grace period (0 here), the file and its item go.
        with env.server(args=FAST + ["--scan-missing-grace", "0"], data_dir=data_dir, database_url=url) as s:
            t = login(s, "root@example.org").json()["access_token"]
            removed = scan(s, t, lib["id"])
            check(removed["files"]["removed"] == 1, removed)
            check("Heat" not in [i["title"] for i in items(s, t)], "Heat removed")
            # Back on disk: a new file, and its item again.
            media.put(root, "films/Heat (1995) {tmdb-949}/Heat.avi", "mpeg4.avi")
            back = scan(s, t, lib["id"])
            check(back["files"]["new"] == 1 and "Heat" in [i["title"] for i in items(s, t)], back)
    finally:
        shutil.rmtree(root)
        shutil.rmtree(data_dir, ignore_errors=True)


def test_series_seasons_and_episodes(env):
    root = tempfile.mkdtemp(prefix="mq-scan-")
    try:
        tv_tree(root)
        with env.server(args=FAST) as s:
            tok, lib = setup(env, s, root, kind="tv", folder="tv")
            t = tok["ada"]
            r = scan(s, tok["root"], lib["id"])
            check(r["state"] == "completed" and r["files"]["probed"] == 4, r)
            series = items(s, t)
            check([(i["type"], i["title"]) for i in series] == [("series", "Breaking Bad")], series)
            seasons = s.request("GET", "/api/v1/series/%s/seasons" % series[0]["id"], headers=bearer(t)).json()["items"]
            check([(x["index"], x["title"]) for x in seasons] == [(0, "Specials"), (1, "Season 1")], seasons)
            eps = s.request("GET", "/api/v1/seasons/%s/episodes" % seasons[1]["id"], headers=bearer(t)).json()["items"]
            check([(e["index"], e["index_end"], e["title"]) for e in eps] ==
                  [(1, None, "Pilot"), (2, None, "Episode 2"), (3, 4, "Episode 3")], eps)
            s.request("GET", "/api/v1/seasons/%s/episodes" % series[0]["id"], headers=bearer(t)).problem(404, "media_not_found")
            files = s.request("GET", "/api/v1/media/%s/files" % series[0]["id"], headers=bearer(t)).json()["items"]
            check([(f["role"], f["detail"]) for f in files] == [("image", "poster")], files)
            eps_all = items(s, t, "type=episode&sort=index")
            check(len(eps_all) == 4, eps_all)
            s.request("GET", "/api/v1/media?type=show", headers=bearer(t)).problem(400, "invalid_filter")
            s.request("GET", "/api/v1/media?sort=random", headers=bearer(t)).problem(400, "invalid_filter")
            s.request("GET", "/api/v1/media?year_from=abc", headers=bearer(t)).problem(400, "invalid_filter")
            s.request("GET", "/api/v1/media?cursor=AAAA", headers=bearer(t)).problem(400, "invalid_cursor")
            # A restricted library's works, files and streams are not there for those not granted.
            fid = s.request("GET", "/api/v1/media/%s/files" % eps[0]["id"], headers=bearer(t)).json()["items"][0]["id"]
            jreq(s, "PATCH", "/api/v1/admin/libraries/" + lib["id"], {"restricted": True}, tok["root"])
            check(items(s, t) == [], "hidden")
            for path in ("/api/v1/media/" + series[0]["id"], "/api/v1/media/%s/files" % eps[0]["id"],
                         "/api/v1/series/%s/seasons" % series[0]["id"]):
                s.request("GET", path, headers=bearer(t)).problem(404, "media_not_found")
            s.request("GET", "/api/v1/files/%s/stream" % fid, headers=bearer(t)).problem(404, "file_not_found")
            check(s.request("GET", "/api/v1/files/%s/stream" % fid, headers=bearer(tok["root"])).status == 200, "admin")
    finally:
        shutil.rmtree(root)


def test_streaming_ranges(env):
    root = tempfile.mkdtemp(prefix="mq-scan-")
    try:
        path = media.put(root, "films/Clip (2010)/Clip (2010).mkv", "hdr10.mkv")
        data = open(path, "rb").read()
        with env.server(args=FAST) as s:
            tok, lib = setup(env, s, root)
            t = tok["ada"]
            scan(s, tok["root"], lib["id"])
            item = items(s, t)[0]
            fid = s.request("GET", "/api/v1/media/%s/files" % item["id"], headers=bearer(t)).json()["items"][0]["id"]
            url = "/api/v1/files/%s/stream" % fid
            whole = s.request("GET", url, headers=bearer(t))
            check(whole.status == 200 and whole.body == data, (whole.status, len(whole.body)))
            check(whole.header("content-type") == "video/x-matroska" and whole.header("accept-ranges") == "bytes", whole.headers)
            etag, modified = whole.header("etag"), whole.header("last-modified")
            n = len(data)
            for rng, want, cr in (("bytes=0-99", data[:100], "bytes 0-99/%d" % n),
                                  ("bytes=100-", data[100:], "bytes 100-%d/%d" % (n - 1, n)),
                                  ("bytes=-50", data[-50:], "bytes %d-%d/%d" % (n - 50, n - 1, n)),
                                  ("bytes=%d-%d" % (n - 10, n + 1000), data[-10:], "bytes %d-%d/%d" % (n - 10, n - 1, n))):
                r = s.request("GET", url, headers=dict(bearer(t), Range=rng))
                check(r.status == 206 and r.body == want and r.header("content-range") == cr,
                      (rng, r.status, r.header("content-range"), len(r.body)))
            r = s.request("GET", url, headers=dict(bearer(t), Range="bytes=%d-" % n))
            r.problem(416, "range_not_satisfiable")
            check(r.header("content-range") == "bytes */%d" % n, r.headers)
            # Several ranges, or nonsense: the whole file.
            for rng in ("bytes=0-1,5-6", "items=0-1", "bytes=abc"):
                r = s.request("GET", url, headers=dict(bearer(t), Range=rng))
                check(r.status == 200 and len(r.body) == n, (rng, r.status))
            # If-Range: the range only while the file is the same.
            r = s.request("GET", url, headers=dict(bearer(t), Range="bytes=0-9", **{"If-Range": etag}))
            check(r.status == 206 and r.body == data[:10], r.status)
            r = s.request("GET", url, headers=dict(bearer(t), Range="bytes=0-9", **{"If-Range": modified}))
            check(r.status == 206, r.status)
            r = s.request("GET", url, headers=dict(bearer(t), Range="bytes=0-9", **{"If-Range": '"other"'}))
            check(r.status == 200 and len(r.body) == n, r.status)
            r = s.request("GET", url, headers=dict(bearer(t), **{"If-None-Match": etag}))
            check(r.status == 304, r.status)
            head = s.request("HEAD", url, headers=bearer(t))
            check(head.status == 200 and head.body == b"" and head.header("content-length") == str(n), head.headers)
            s.request("GET", "/api/v1/files/not-a-file/stream", headers=bearer(t)).problem(404, "file_not_found")
            s.request("GET", "/api/v1/files/../../etc/passwd/stream", headers=bearer(t)).problem(400, "invalid_path")
            s.request("GET", "/api/v1/files/%2e%2e%2f%2e%2e%2fetc%2fpasswd/stream", headers=bearer(t)).problem(404)
            s.request("GET", url).problem(401)
    finally:
        shutil.rmtree(root)


def cli_env(s):
    e = {"MARQUEE_DATA_DIR": s.data_dir}
    if s.database_url:
        e["MARQUEE_DATABASE_URL"] = s.database_url
    return e


def test_cli_scan_killed_and_resumed(env):
    """kill -9 in the middle leaves a consistent catalogue; the next scan
    goes on from where it stopped."""
    root = tempfile.mkdtemp(prefix="mq-scan-")
    try:
        for i in range(120):
            media.put(root, "films/Film %03d (2001)/Film %03d (2001).mp4" % (i, i), "h264.mp4")
        with env.server(args=FAST) as s:
            tok, lib = setup(env, s, root)
            e = dict(os.environ)
            e.update(cli_env(s))
            e["MARQUEE_SCAN_BATCH"] = "10"
            p = subprocess.Popen([env.binary, "scan", "--library", "films"], env=e,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            deadline = time.time() + 30
            while time.time() < deadline:
                st = s.request("GET", "/api/v1/libraries/%s/stats" % lib["id"], headers=bearer(tok["root"])).json()
                if st["files"] >= 20:
                    break
                time.sleep(0.02)
            p.send_signal(signal.SIGKILL)
            p.wait()
            partial = s.request("GET", "/api/v1/libraries/%s/stats" % lib["id"], headers=bearer(tok["root"])).json()
            check(20 <= partial["files"] <= 120 and partial["items"]["movie"] == partial["files"], partial)
            r = env.run_cli(["scan", "--library", lib["id"]], env=cli_env(s), timeout=120)
            check(r.returncode == 0, r.stderr)
            check("new, " in r.stdout, r.stdout)
            final = s.request("GET", "/api/v1/libraries/%s/stats" % lib["id"], headers=bearer(tok["root"])).json()
            check(final["files"] == 120 and final["items"]["movie"] == 120, final)
            status = s.request("GET", "/api/v1/admin/libraries/%s/scan" % lib["id"], headers=bearer(tok["root"])).json()
            check(status["state"] == "completed" and status["files"]["unchanged"] == partial["files"], (status, partial))
            r = env.run_cli(["scan", "--library", "no such library"], env=cli_env(s))
            check(r.returncode == 1 and "no library" in r.stderr, r.stderr)
    finally:
        shutil.rmtree(root)


def test_a_crashing_probe_costs_one_file(env):
    """A helper killed while it probes (as a demuxer crash would) costs
    that file; the scan goes on with a new helper."""
    root = tempfile.mkdtemp(prefix="mq-scan-")
    try:
        for i in range(40):
            media.put(root, "films/F%02d (2002)/F%02d (2002).mkv" % (i, i), "hdr10.mkv")
        with env.server(args=FAST + ["--probe-workers", "1"]) as s:
            tok, lib = setup(env, s, root)
            t = tok["root"]
            job = jreq(s, "POST", "/api/v1/admin/libraries/%s/scan" % lib["id"], {}, t).json()["job_id"]
            killed = 0
            deadline = time.time() + 20
            while time.time() < deadline and killed < 3:
                out = subprocess.run(["pgrep", "-f", "probe-helper"], capture_output=True, text=True).stdout.split()
                for pid in out:
                    try:
                        os.kill(int(pid), signal.SIGSEGV)
                        killed += 1
                    except ProcessLookupError:
                        pass
                time.sleep(0.05)
            r = wait_scan(s, t, lib["id"], job)
            check(r["state"] == "completed" and r["files"]["probed"] + r["files"]["failed"] == 40, r)
            check(killed >= 1 and r["files"]["failed"] <= killed, (killed, r))
            check(s.request("GET", "/healthz").status == 200, "server alive")
    finally:
        shutil.rmtree(root)


def test_subtitles_as_webvtt(env):
    root = tempfile.mkdtemp(prefix="mq-scan-")
    try:
        m = "films/Clip (2010)/"
        media.put(root, m + "Clip (2010).mkv", "hdr10.mkv")
        media.text(root, m + "Clip (2010).en.srt", media.SRT)
        media.text(root, m + "Clip (2010).fr.forced.ass",
                   "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
                   "Dialogue: 0,0:00:00.10,0:00:00.80,Default,,0,0,0,,{\\i1}Bonjour\\Nà tous\n")
        media.text(root, m + "Clip (2010).de.srt", "nothing that looks like a cue\n")
        with env.server(args=FAST) as s:
            tok, lib = setup(env, s, root)
            t = tok["ada"]
            scan(s, tok["root"], lib["id"])
            item = items(s, t)[0]
            files = s.request("GET", "/api/v1/media/%s/files" % item["id"], headers=bearer(t)).json()["items"]
            main = [f for f in files if f["role"] == "main"][0]
            subs = {f["detail"]: f for f in files if f["role"] == "subtitle"}
            check(sorted(subs) == ["de", "en", "fr,forced"], subs)
            r = s.request("GET", subs["en"]["vtt_url"], headers=bearer(t))
            check(r.status == 200 and r.header("content-type").startswith("text/vtt"), r.status)
            check(r.body.decode() == "WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nHello <b>there</b>\n\n"
                  "00:00:00.900 --> 00:00:01.000\nBye\n\n", r.body)
            r = s.request("GET", subs["fr,forced"]["vtt_url"], headers=bearer(t))
            check(r.status == 200 and "Bonjour\nà tous" in r.body.decode(), r.body)
            s.request("GET", subs["de"]["vtt_url"], headers=bearer(t)).problem(422, "subtitle_unreadable")
            # The stream inside the Matroska file, read by a probe helper.
            emb = [x for x in main["streams"] if x["type"] == "subtitle"][0]
            r = s.request("GET", emb["vtt_url"], headers=bearer(t))
            check(r.status == 200 and r.body.startswith(b"WEBVTT") and b"Hello" in r.body, r.body)
            base = "/api/v1/files/%s/subtitles/" % main["id"]
            for bad in ("0.vtt", "99.vtt", "3.srt", "x.vtt", subs["en"]["id"] + ".srt"):
                s.request("GET", base + bad, headers=bearer(t)).problem(404, "subtitle_not_found")
            # A sidecar of another video is not this one's.
            s.request("GET", "/api/v1/files/%s/subtitles/%s.vtt" % (subs["de"]["id"], subs["en"]["id"]),
                      headers=bearer(t)).problem(404, "subtitle_not_found")
    finally:
        shutil.rmtree(root)


def jpeg_size(data):
    """(width, height) from a JPEG's SOF marker."""
    check(data[:2] == b"\xff\xd8", "not a JPEG")
    i = 2
    while i < len(data):
        marker, length = data[i + 1], int.from_bytes(data[i + 2:i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            return int.from_bytes(data[i + 7:i + 9], "big"), int.from_bytes(data[i + 5:i + 7], "big")
        i += 2 + length
    raise AssertionError("no SOF")


def test_pictures_beside_and_inside(env):
    root = tempfile.mkdtemp(prefix="mq-scan-")
    try:
        m = "films/Big (1988)/"
        media.put(root, m + "Big (1988).mp4", "h264.mp4")
        poster = os.path.join(root, m, "poster.jpg")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=800x1200:d=1",
                        "-frames:v", "1", poster], check=True)
        t0 = time.time() - 60
        os.utime(poster, (t0, t0))
        media.text(root, m + "fanart.jpg", "\xff\xd8 not really a picture" * 10)
        media.put(root, "books/Dune/Dune.m4b", "book.m4b")
        with env.server(args=FAST) as s:
            tok, lib = setup(env, s, root)
            t = tok["ada"]
            books = jreq(s, "POST", "/api/v1/admin/libraries",
                         {"name": "Books", "type": "audiobooks", "paths": [root + "/books"]}, tok["root"]).json()
            scan(s, tok["root"], lib["id"])
            scan(s, tok["root"], books["id"])
            big = [i for i in items(s, t) if i["title"] == "Big"][0]
            detail = s.request("GET", "/api/v1/media/" + big["id"], headers=bearer(t)).json()
            check(sorted(detail["images"]) == ["backdrop", "poster"], detail["images"])
            url = detail["images"]["poster"]
            r = s.request("GET", url + "&w=320", headers=bearer(t))
            check(r.status == 200 and r.header("content-type") == "image/jpeg", (r.status, r.body[:200]))
            check(jpeg_size(r.body) == (320, 480), jpeg_size(r.body))
            check("immutable" in r.header("cache-control"), r.header("cache-control"))
            again = s.request("GET", url + "&w=320", headers=dict(bearer(t), **{"If-None-Match": r.header("etag")}))
            check(again.status == 304, again.status)
            plain = s.request("GET", "/api/v1/media/%s/images/poster?w=160" % big["id"], headers=bearer(t))
            check(plain.status == 200 and "immutable" not in plain.header("cache-control") and
                  jpeg_size(plain.body) == (160, 240), plain.status)
            s.request("GET", "/api/v1/media/%s/images/poster?w=333" % big["id"], headers=bearer(t)).problem(400, "invalid_width")
            s.request("GET", "/api/v1/media/%s/images/banner" % big["id"], headers=bearer(t)).problem(404, "image_not_found")
            s.request("GET", "/api/v1/media/%s/images/../../x" % big["id"], headers=bearer(t)).problem(400)
            s.request("GET", "/api/v1/media/%s/images/backdrop" % big["id"], headers=bearer(t)).problem(422, "image_unreadable")
            check(s.request("GET", "/healthz").status == 200, "alive")
            # The cover inside an M4B, and the book's chapters and tags.
            book = items(s, t, "type=audiobook")[0]
            check(book["title"] == "The Long Book", book)
            r = s.request("GET", "/api/v1/media/%s/images/poster?w=160" % book["id"], headers=bearer(t))
            check(r.status == 200 and jpeg_size(r.body) == (64, 64), (r.status, r.body[:100]))
            f = s.request("GET", "/api/v1/media/%s/files" % book["id"], headers=bearer(t)).json()["items"][0]
            check([c["title"] for c in f["chapters"]] == ["Opening", "Closing"], f["chapters"])
            crew = s.request("GET", "/api/v1/media/%s/crew" % book["id"], headers=bearer(t)).json()["items"]
            check([(c["name"], c["job"]) for c in crew] == [("Ada Author", "Author"), ("Nora Narrator", "Narrator")], crew)
            check(book["runtime_min"] == 1 and big["runtime_min"] == 1, (book, big))
    finally:
        shutil.rmtree(root)


def test_books(env):
    root = tempfile.mkdtemp(prefix="mq-scan-")
    try:
        media.epub(root, "books/Frank Herbert/Dune.epub")
        media.cbz(root, "books/Comics/Saga 001.cbz")
        media.text(root, "books/Papers/A Report (2019).pdf", "%PDF-1.4 not much")
        media.text(root, "books/broken.epub", "PK\x03\x04 not really a zip")
        bomb = media.OPF.replace("<dc:title>Dune</dc:title>", "<dc:title>" + "x" * (5 << 20) + "</dc:title>")
        media.epub(root, "books/Huge.epub", opf=bomb)
        with env.server(args=FAST) as s:
            tok, lib = setup(env, s, root, kind="books", folder="books")
            t = tok["ada"]
            r = scan(s, tok["root"], lib["id"])
            check(r["state"] == "completed" and r["files"]["probed"] == 2 and r["files"]["failed"] == 2, r)
            by = {i["title"]: i for i in items(s, t)}
            check({"Dune", "Saga 001", "A Report", "broken", "Huge"} <= set(by), sorted(by))
            dune = by["Dune"]
            check(dune["year"] == 1965 and dune["external_ids"] == {"isbn": "9780441013593"} and dune["type"] == "book", dune)
            crew = s.request("GET", "/api/v1/media/%s/crew" % dune["id"], headers=bearer(t)).json()["items"]
            check([(c["name"], c["job"]) for c in crew] == [("Frank Herbert", "Author")], crew)
            detail = s.request("GET", "/api/v1/media/" + dune["id"], headers=bearer(t)).json()
            check([(c["name"], c["type"], c["index"]) for c in detail["collections"]] == [("Dune Chronicles", "series", 1)],
                  detail["collections"])
            check("poster" in detail["images"], detail)
            img = s.request("GET", detail["images"]["poster"] + "&w=160", headers=bearer(t))
            check(img.status == 200 and jpeg_size(img.body) == (64, 64), img.status)
            saga = s.request("GET", "/api/v1/media/%s/images/poster?w=160" % by["Saga 001"]["id"], headers=bearer(t))
            check(saga.status == 200 and jpeg_size(saga.body) == (64, 64), saga.status)
            f = s.request("GET", "/api/v1/media/%s/files" % dune["id"], headers=bearer(t)).json()["items"][0]
            check(f["container"] == "epub" and f["state"] == "ok", f)
            s.request("GET", "/api/v1/media/%s/images/poster" % by["A Report"]["id"], headers=bearer(t)).problem(404, "image_not_found")
    finally:
        shutil.rmtree(root)


def test_a_folder_of_twenty_thousand_files(env):
    """20,000 files in one folder (empty ones, each recorded with its
    reason) and one real film: the scan goes through all of them in
    batches, and the catalogue pages through them."""
    root = tempfile.mkdtemp(prefix="mq-scan-")
    try:
        d = os.path.join(root, "films/Dump")
        os.makedirs(d)
        t0 = time.time() - 60
        for i in range(20000):
            p = os.path.join(d, "clip %05d.mkv" % i)
            open(p, "w").close()
            os.utime(p, (t0, t0))
        media.put(root, "films/Real (2000)/Real (2000).mp4", "h264.mp4")
        with env.server(args=FAST) as s:
            tok, lib = setup(env, s, root)
            r = scan(s, tok["root"], lib["id"])
            check(r["state"] == "completed" and r["files"]["total"] == 20001 and r["files"]["failed"] == 20000 and
                  r["files"]["probed"] == 1, r)
            st = s.request("GET", "/api/v1/libraries/%s/stats" % lib["id"], headers=bearer(tok["root"])).json()
            check(st["failed_files"] == 20000 and st["files"] == 20001, st)
            page = s.request("GET", "/api/v1/media?limit=200", headers=bearer(tok["ada"])).json()
            check(len(page["items"]) == 200 and page["next_cursor"], len(page["items"]))
            again = scan(s, tok["root"], lib["id"])
            check(again["files"]["unchanged"] == 20001 and again["files"]["failed"] == 0, again)
    finally:
        shutil.rmtree(root)


def test_devices_and_unreadable_files(env):
    """A device node and (when not root) an unreadable file in a library
    are recorded with their reasons; the scan goes on."""
    import stat
    root = tempfile.mkdtemp(prefix="mq-scan-")
    try:
        media.put(root, "films/Fine (2000)/Fine (2000).mp4", "h264.mp4")
        expected = {}
        if os.geteuid() == 0:
            os.mknod(os.path.join(root, "films/device.mkv"), stat.S_IFCHR | 0o600, os.makedev(1, 3))
            expected["device.mkv"] = "not a regular file (a device)"
        else:
            p = media.put(root, "films/Locked (2001)/Locked (2001).mkv", "h264.mp4")
            os.chmod(p, 0)
            expected["Locked (2001).mkv"] = "cannot be opened"
        # A link named like a film, to a file of the system: not followed.
        os.symlink("/etc/passwd", os.path.join(root, "films/leak.mkv"))
        outside = tempfile.mkdtemp(prefix="mq-outside-")
        media.put(outside, "Other (1999).mp4", "h264.mp4")
        os.symlink(outside, os.path.join(root, "films/elsewhere"))
        with env.server(args=FAST) as s:
            tok, lib = setup(env, s, root)
            r = scan(s, tok["root"], lib["id"])
            check(r["state"] == "completed" and r["files"]["probed"] == 1, r)
            check(r["files"]["skipped"] + r["files"]["failed"] == 2, r)
            check([i["title"] for i in items(s, tok["ada"])] == ["Fine"], items(s, tok["ada"]))
            check(any("leads outside the library" in x.get("msg", "") for x in s.log_records()), "logged")
            # A file swapped for a link after the scan is not served.
            fine = items(s, tok["ada"])[0]
            fid = s.request("GET", "/api/v1/media/%s/files" % fine["id"], headers=bearer(tok["ada"])).json()["items"][0]["id"]
            real = os.path.join(root, "films/Fine (2000)/Fine (2000).mp4")
            os.rename(real, real + ".bak")
            os.symlink("/etc/passwd", real)
            s.request("GET", "/api/v1/files/%s/stream" % fid, headers=bearer(tok["ada"])).problem(409, "file_changed")
        shutil.rmtree(outside)
    finally:
        shutil.rmtree(root)
