#!/usr/bin/python3
"""Writes the named seeds of every fuzz driver's corpus (tests/fuzz/corpus/
<driver>/), from real shapes: the public WebAuthn vectors of
tests/fixtures/webauthn/vectors.json, tokens signed the way the server signs
them, requests as clients send them. Files that libFuzzer found (named by
their SHA-1) are left alone. Deterministic: running it again changes nothing.

usage: tests/fuzz/seeds.py [BINARY]   (BINARY lists the configuration keys in
                                       their order; default build/marquee)"""
import base64
import hashlib
import io
import json
import os
import struct
import subprocess
import sys

import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fields(*parts):
    """The drivers' framing (tests/fuzz/fuzz.h): a 2-byte length, then bytes."""
    out = b""
    for p in parts:
        p = p.encode() if isinstance(p, str) else p
        out += struct.pack(">H", len(p)) + p
    return out


def write(driver, name, data):
    d = os.path.join(CORPUS, driver)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def cose_key_of(attestation_object):
    """The credential public key (COSE_Key CBOR) in an attestation object's
    authenticator data: rpIdHash, flags, count, AAGUID, id length, id, key."""
    auth = cbor2.loads(attestation_object)["authData"]
    n = struct.unpack(">H", auth[53:55])[0]
    rest = io.BytesIO(auth[55 + n:])
    cbor2.CBORDecoder(rest).decode()
    return auth[55 + n:55 + n + rest.tell()]


def webauthn():
    with open(os.path.join(ROOT, "tests", "fixtures", "webauthn", "vectors.json")) as f:
        vectors = json.load(f)
    keys = {}
    for r in vectors["registrations"]:
        att = unb64u(r["attestationObject"])
        write("attestation", r["name"], fields(r["rp_id"], r["origin"], unb64u(r["challenge"]),
                                               unb64u(r["clientDataJSON"]), att))
        keys[r["name"]] = cose_key_of(att)
        write("cose", r["name"], fields(keys[r["name"]]) + b"\x30\x06\x02\x01\x01\x02\x01\x01")
    for a in vectors["assertions"]:
        key = keys[a["public_key_from"]] if "public_key_from" in a else unb64u(a["public_key"])
        write("assertion", a["name"], fields(a["rp_id"], a["origin"], unb64u(a["challenge"]),
                                             unb64u(a["clientDataJSON"]),
                                             unb64u(a["authenticatorData"]),
                                             unb64u(a["signature"]), key))
        write("cose", "sig-" + a["name"], fields(key) + unb64u(a["signature"]))


def jwt():
    # The driver's key: Ed25519 from the seed 07 00 00 ... (tests/fuzz/jwt_fuzz.c).
    sk = Ed25519PrivateKey.from_private_bytes(bytes([7]) + bytes(31))
    pk = sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    canon = '{"crv":"Ed25519","kty":"OKP","x":"%s"}' % b64u(pk)
    kid = b64u(hashlib.sha256(canon.encode()).digest())
    header = json.dumps({"alg": "EdDSA", "kid": kid, "typ": "JWT"}, separators=(",", ":"))
    claims = {"iss": "https://media.example", "aud": "marquee",
              "sub": "01a200dd-4210-720d-8442-22d9c782802f",
              "sid": "01a200dd-4210-720d-8442-22d9c7828030", "jti": "j1",
              "iat": 1794999000, "exp": 1795000900}
    payload = json.dumps(claims, separators=(",", ":"))
    signing_input = b64u(header.encode()) + "." + b64u(payload.encode())
    token = signing_input + "." + b64u(sk.sign(signing_input.encode()))
    write("jwt", "valid", b"\x00" + token.encode())
    write("jwt", "alg-none", b"\x00" + (b64u(b'{"alg":"none"}') + "." + b64u(payload.encode()) + ".").encode())
    write("jwt", "signed-valid", b"\x01" + (header + "\n" + payload).encode())
    act = dict(claims, act={"sub": "01a200dd-4210-720d-8442-22d9c7828031"}, aud=["x", "marquee"])
    write("jwt", "signed-act", b"\x01" + (header + "\n" + json.dumps(act)).encode())
    write("jwt", "signed-crit", b"\x01" + (header[:-1] + ',"crit":["b64"]}\n' + payload).encode())
    write("jwt", "signed-nbf", b"\x01" + (header + "\n" + json.dumps(dict(claims, nbf="soon"))).encode())


def requests():
    def req(name, text):
        write("request", name, text.replace("\n", "\r\n"))

    def body(name, head, doc, content_type="application/json"):
        data = doc.encode() if isinstance(doc, str) else doc
        write("request", name, (head.replace("\n", "\r\n") + "Content-Type: %s\r\n"
                                "Content-Length: %d\r\n\r\n" % (content_type, len(data))).encode()
              + data)

    admin = "Authorization: Bearer fuzz-admin-token\n"
    req("get-healthz", "GET /healthz HTTP/1.1\nHost: x\n\n")
    req("head-readyz", "HEAD /readyz HTTP/1.1\nHost: x\nConnection: close\n\n")
    req("http10", "GET /api/v1/system/info HTTP/1.0\n\n")
    body("login", "POST /api/v1/auth/login HTTP/1.1\nHost: x\n",
         '{"email":"ada@example.org","password":"correct horse 8472"}')
    body("login-malformed", "POST /api/v1/auth/login HTTP/1.1\nHost: x\n", '{"email": [}')
    body("login-dup-keys", "POST /api/v1/auth/login HTTP/1.1\nHost: x\n",
         '{"email":"a","email":"b"}', "application/json; charset=utf-8")
    req("login-chunked", "POST /api/v1/auth/login HTTP/1.1\nHost: x\nContent-Type: "
        "application/json\nTransfer-Encoding: chunked\n\n6\n{\"a\":1\n1\n}\n0\n\n")
    body("setup", "POST /api/v1/setup HTTP/1.1\nHost: x\n",
         '{"token":"x","email":"root@example.org","display_name":"Root",'
         '"password":"p4ssw0rd-long-enough"}')
    body("register-utf8", "POST /api/v1/auth/register HTTP/1.1\nHost: x\n",
         b'{"email":"\xff\xfe@x","password":"a"}')
    body("admin-settings", "PATCH /api/v1/admin/settings HTTP/1.1\nHost: x\n" + admin,
         '{"server_name":"Fuzz","rate_limit_register":"1/s","smtp_url":null}')
    body("admin-roles", "POST /api/v1/admin/roles HTTP/1.1\nHost: x\n" + admin,
         '{"name":"fuzzers","permissions":["audit:read","jobs:*"],"description":"x"}')
    body("admin-invite", "POST /api/v1/admin/invites HTTP/1.1\nHost: x\n" + admin,
         '{"role":"user","email":"b@example.org","expires_in":3600}')
    req("admin-users-query", "GET /api/v1/admin/users?q=%27%20OR%201%3D1--&limit=2&sort=name "
        "HTTP/1.1\nHost: x\n" + admin + "\n")
    req("admin-audit", "GET /api/v1/admin/audit-logs?action=admin.*&from=2026-01-01T00:00:00Z "
        "HTTP/1.1\nHost: x\n" + admin + "\n")
    req("bearer-jwt", "GET /api/v1/users/me HTTP/1.1\nHost: x\nAuthorization: Bearer "
        "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln\n\n")
    req("api-key", "GET /api/v1/users/me HTTP/1.1\nHost: x\nX-Api-Key: mq_" + "A" * 43 + "\n\n")
    req("avatar-query-key", "GET /api/v1/users/01a200dd-4210-720d-8442-22d9c782802f/avatar?"
        "api_key=mq_x HTTP/1.1\nHost: x\n\n")
    req("xff", "GET /api/v1/settings HTTP/1.1\nHost: x\nX-Forwarded-For: 203.0.113.9, "
        "::ffff:10.0.0.1,127.0.0.1\nX-Request-Id: fuzz:1.2-3\n\n")
    req("options-cors", "OPTIONS /api/v1/auth/login HTTP/1.1\nHost: x\nOrigin: https://app.example"
        "\nAccess-Control-Request-Method: POST\n\n")
    req("path-tricks", "GET /api/v1/../%2e%2e/admin//users/%00 HTTP/1.1\nHost: x\n\n")
    req("pipelined", "GET /healthz HTTP/1.1\nHost: x\n\nGET /startupz HTTP/1.1\nHost: x\n\n")
    body("csp-report", "POST /api/v1/reports/csp HTTP/1.1\nHost: x\nExpect: 100-continue\n",
         '{"csp-report":{"document-uri":"https://x/","violated-directive":"script-src"}}',
         "application/csp-report")
    req("huge-length", "POST /api/v1/auth/login HTTP/1.1\nHost: x\nContent-Length: "
        "99999999999\n\n{}")
    req("method-other", "BREW /healthz HTTP/1.1\nHost: x\n\n")
    body("avatar-upload", "POST /api/v1/users/me/avatar HTTP/1.1\nHost: x\n",
         b"\x89PNG\r\n\x1a\n", "image/png")


def config_keys(binary):
    out = subprocess.run([binary, "config"], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin"}).stdout
    return [line.split(" = ")[0] for line in out.splitlines() if " = " in line]


def config(binary):
    keys = config_keys(binary)
    values = {
        "listen": ["[::1]:8096", "0.0.0.0:65536", "host:80"],
        "http_max_body": ["64KiB", "1.5MiB", "99999999999999999999"],
        "session_idle_ttl": ["30d", "-1s", "9223372036854775807ms"],
        "rate_limit_default": ["600/min,20000/h", "off", "0/s", "5/fortnight"],
        "trusted_proxies": ["10.0.0.0/8, ::1", "300.1.1.1"],
        "cors_origins": ["https://a.example, http://b:8080", "https://a.example/path"],
        "public_url": ["https://media.example/", "http://[::1]:8096", "ftp://x"],
        "registration": ["invite", "maybe"],
        "server_name": ["Maison Zoë", "bell\a"],
        "require_verified_email": ["yes", "2"],
        "jobs_queues": ["default:2,maintenance:0", "a:b"],
        "database_url": ["postgres://u:p@h:5432/db?sslmode=require", "mysql://x"],
    }
    for key, vals in values.items():
        i = keys.index(key)
        for n, v in enumerate(vals):
            write("config", "%s-%d" % (key, n), bytes([i]) + v.encode())


def small():
    write("address", "plain", "Ada.Lovelace+films@Example.org")
    write("address", "decomposed", "cafe\u0301@CAF\u00c9.example")
    write("address", "zero-width", "admin\u200b@example.test")
    write("address", "cyrillic", "\u0430dmin@example.test")
    write("address", "dotless", "adm\u0131n@example.test")
    write("address", "idn", "\u5c71\u7530@\u4f8b\u3048.jp")
    write("address", "punycode", "x@xn--caf-dma.example")
    write("netlist", "v4", "10.0.0.0/8, 192.168.1.1")
    write("netlist", "v6", "::1/128,fe80::/10,2001:db8::/32")
    write("netlist", "mapped", "::ffff:10.0.0.1, 0.0.0.0/0")
    write("netlist", "bad-prefix", "2001:db8::/129")
    write("xff", "chain", "127.0.0.1,10.0.0.0/8\n203.0.113.7, 10.1.2.3")
    write("xff", "untrusted", "192.168.0.0/16\n203.0.113.7")
    write("xff", "garbage", "10.1.2.3\n203.0.113.7,,unknown, [::1]:80")
    write("cursor", "uuid", b64u(b"01a200ef-4348-7d6d-90fc-6b59aabd5272"))
    names = {
        "movie-folder": "/films/The Matrix (1999) {tmdb-603}/The Matrix (1999) [imdbid-tt0133093].mkv",
        "scene": "Hercules.2014.EXTENDED.1080p.WEB-DL.DD5.1.H264-RARBG",
        "tv": "TV/Show/Season 01/Show - S01E01-E02 - Pilot.mkv",
        "kaamelott": "Kaamelott - 5x44x45x46x47x48x49x50.avi",
        "anime": "[ShinBunBu-Subs] Bleach - 02-03 (CX 1280x720 x264 AAC)",
        "date": "The.Daily.Show.2024.03.15.Guest.720p.WEB.mkv",
        "acronym": "Marvels.Agents.of.S.H.I.E.L.D.S01E06.720p.HDTV.X264-DIMENSION.mkv",
        "spanish": "Show.Name.-.Temporada.15.720p.HDTV.x264[Cap.1503]SPANISH.AUDIO-NEWPCT",
        "extras": "Movie (2010)/Featurettes/Band_of_Brothers-s03-x02-Gag_Reel.mkv",
    }
    for name, text in names.items():
        write("names", name, text)
    import struct
    for name, (size, header) in {"simple": (1000, "bytes=0-99"), "open": (1000, "bytes=100-"),
                                 "suffix": (1000, "bytes=-50"), "past-end": (10, "bytes=10-"),
                                 "several": (1000, "bytes=0-1,5-6"), "empty-file": (0, "bytes=-1"),
                                 "huge": (1 << 40, "bytes=18446744073709551615-")}.items():
        write("range", name, struct.pack("<Q", size) + header.encode())
    write("subtitles", "srt", b"\x00" + b"1\r\n00:00:01,000 --> 00:00:02,500\r\nHello <i>there</i>\r\n\r\n2\n00:01:02,003 --> 00:01:03,000\nSecond\n")
    write("subtitles", "vtt", b"\x01" + b"WEBVTT\n\nNOTE x\n\n00:01.000 --> 00:02.000 align:start\n<b>short</b> &amp;\n")
    write("subtitles", "ass", b"\x02" + b"[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:01.50,0:00:03.00,Default,,0,0,0,,{\\i1}Hi,\\Nthere\n")
    sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
    import media
    write("opf", "epub2", media.OPF)
    write("opf", "epub3", media.OPF.replace('<meta name="calibre:series" content="Dune Chronicles"/>',
                                            '<meta property="belongs-to-collection" id="c1">Dune</meta>'
                                            '<meta refines="#c1" property="group-position">2</meta>'))
    write("opf", "entities", '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
                             '<package><metadata><title>&b;&b;</title></metadata></package>')
    write("opf", "bad-bytes", b"<package><metadata><title>\xff\xfe</title></metadata></package>")
    def fields(*parts):
        out = b""
        for p in parts:
            p = p.encode() if isinstance(p, str) else p
            out += len(p).to_bytes(2, "big") + p
        return out
    write("parental", "window", fields('[{"days": ["mon", "sat"], "from": "07:00", "to": "20:00"}]', "MPAA", "PG-13"))
    write("parental", "midnight", fields('[{"days": ["fri"], "from": "22:00", "to": "02:00"}]', "FSK", "16"))
    write("parental", "bad", fields('[{"days": ["xyz"], "from": "25:00", "to": "20:00"}, 7]', "", "TV-MA"))
    write("paths", "plain", "/srv/media/Films/The Matrix (1999)/The Matrix (1999).mkv")
    write("paths", "percent", "/srv/100% Pure/a%20b")
    write("paths", "invalid", b"/srv/Bad\xff\xfeName/\x01\x7f.mkv")
    write("paths", "dots", "/srv/./a//b/../c/")
    write("names", "invalid-utf8", b"Bad\xff\xfeName (2001)\\Season 1\\\xc3.mkv")
    fix = os.path.join(ROOT, "tests", "fixtures")
    for name in ("phptmdb_movie_87421_riddick_append_all", "phptmdb_tv_1396_breaking_bad_append_all",
                 "jellyfin_tv_1396_season_1", "jdrouet_collection-details", "jellyfin_search_tv_breaking_bad",
                 "keidsid_tv_84958_loki_next_episode_to_air", "jdrouet_movie-credits"):
        with open(os.path.join(fix, "tmdb", name + ".json"), "rb") as f:
            write("tmdb", name, f.read())
    with open(os.path.join(fix, "openlibrary", "ibraheemmawwal_search_json_dune_fields_upstream_trimmed.json"), "rb") as f:
        write("tmdb", "openlibrary-search", f.read())
    write("tmdb", "hostile", '{"id": 5, "title": "T", "poster_path": "/../../etc/passwd", "parts": [{"id": 1, '
                             '"title": "A", "release_date": "2000-01-01"}, {"id": 2, "title": "B"}], '
                             '"seasons": [{"season_number": -1}, {"season_number": 2}]}')
    import test_metadata
    write("nfo", "movie", test_metadata.FIGHT_CLUB_NFO)
    write("nfo", "billion-laughs", test_metadata.BILLION_LAUGHS)
    write("nfo", "external-entity", test_metadata.EXTERNAL_ENTITY)
    write("nfo", "tvshow", '<?xml version="1.0"?><tvshow><title>Game of Thrones</title>'
                           '<uniqueid type="tvdb">121361</uniqueid><actor><name>A</name><role>B</role></actor></tvshow>')
    write("nfo", "episode", "<episodedetails><title>Pilot</title><season>1</season><episode>1</episode>"
                            "<aired>2008-01-20</aired><ratings><rating max=\"10\"><value>8.2</value></rating></ratings>"
                            "</episodedetails>")
    write("nfo", "link", "https://www.imdb.com/title/tt0133093/\n")
    write("nfo", "bad-bytes", b"<movie><title>\xff\xfe</title><genre>a/b|c</genre></movie>")
    write("csv", "netflix", b"Title,Date\n\"Stranger Things: Season 1: Chapter One\",\"9/14/24\"\n")
    write("csv", "quoted", b"\xef\xbb\xbfa,b\r\n\"x, \"\"y\"\"\",\"two\nlines\"\r\n\n,\r\n")
    write("csv", "unterminated", b"a,b\n\"open,c\nd,e\n")
    write("csv", "utf16", "Title,Date\n\"Am\u00e9lie\",\"1/2/24\"\n".encode("utf-16"))
    write("csv", "bad-bytes", b"a,\xff\xfe\n\"\x00\"\n")
    write("csv", "formula", b"Title,Date\n=HYPERLINK(\"http://x\"),\"+1\"\n")
    write("netflix", "episode", b"\x01Avatar: The Last Airbender: Book 1: Water: The Boy in the Iceberg")
    write("netflix", "labels", b"\x00Money Heist: Part ll: Episode 3")
    write("netflix", "empty-label", b"\x00Brooklyn Nine-Nine:  : Episode 19")
    write("netflix", "folge", b"\x00Dark: Staffel 1: Geheimnisse (Folge 1)")
    write("netflix", "own-name", b"\x01Stranger Things: Stranger Things 4: Chapter One")
    write("netflix", "date-us", b"\x009/14/24")
    write("netflix", "date-nl", b"\x0028-06-23")
    write("netflix", "instant", b"\x002023-06-28 21:15:09")
    write("netflix", "hms", b"\x0001:02:03")
    for name in ("netflix_us.csv", "netflix_activity.csv", "amazon.csv", "letterboxd_diary.csv", "trakt_history.json",
                 "imdb_ratings.csv", "goodreads_library.csv", "disney_generic.csv"):
        with open(os.path.join(ROOT, "tests", "fixtures", "imports", name), "rb") as f:
            write("import", name.split(".")[0], bytes([12]) + f.read()[:4000])
    write("import", "generic", bytes([11]) + b'Title,Date\n"Soul","12/25/2020"\n"=1+1","13/45/2020"\n')
    import zipfile
    for name, files in (("letterboxd", {"diary.csv": "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"
                                                     "2022-03-10,Dune,2021,https://boxd.it/b,4,,,2022-03-09\n",
                                        "watchlist.csv": "Date,Name,Year,Letterboxd URI\n"}),
                        ("bomb", {"diary.csv": "\0" * 200000})):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for fname in sorted(files):
                z.writestr(zipfile.ZipInfo(fname, date_time=(2024, 1, 1, 0, 0, 0)), files[fname])
        write("zip", name, buf.getvalue())
    write("title", "two", "Spider-Man: No Way Home\nspider man no way home")
    write("title", "variants", "08 03 09 The Doors (1991) [x]\nThe Doors")
    write("title", "group", "blow-how to be single\n")
    write("title", "accents", "Am\xc3\xa9lie & Stra\xc3\x9fe\xe2\x80\x99s\nAmelie")
    write("webapp", "root", "/")
    write("webapp", "asset", "/assets/index-CJBDPl7A.js")
    write("webapp", "route", "/media/01a232f4-fbad-7c0b-a2eb-bd55d5f35053")
    write("webapp", "hidden", "/assets/.env")
    write("webapp", "probe", "/HealthZ/x")
    write("webapp", "escaped", "/a%2e%2e/..%2fetc/passwd")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "marquee")
    webauthn()
    jwt()
    requests()
    config(binary)
    small()


if __name__ == "__main__":
    main()
