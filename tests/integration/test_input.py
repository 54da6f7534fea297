"""Bad input: every malformed request gets a 4xx problem document and the
server stays up (the harness also fails the test on any sanitizer report)."""
import json
import random
import socket
import time

from harness import check, parse_raw

CSP = "/api/v1/reports/csp"
VALID = json.dumps({"csp-report": {"document-uri": "https://m.example/", "violated-directive":
                                   "img-src", "blocked-uri": "data", "disposition": "enforce"}})


def post(s, body, ctype="application/json", path=CSP):
    return s.request("POST", path, body=body, headers={"Content-Type": ctype})


def test_malformed_json_says_where(env):
    with env.server() as s:
        doc = post(s, '{"csp-report": {"a": 1,}}').problem(400, "malformed_json")
        check(doc["line"] == 1 and doc["column"] == 24, doc)
        check("line 1, column 24" in doc["detail"], doc["detail"])
        doc = post(s, '{\n  "a": 1\n  "b": 2\n}').problem(400, "malformed_json")
        check(doc["line"] == 3, doc)
        post(s, '{"a": 1, "a": 2}').problem(400, "malformed_json")   # duplicate keys
        post(s, '{"a": 1} trailing').problem(400, "malformed_json")
        post(s, '{"a": "\\u0000"}').problem(400, "malformed_json")   # NUL in a string
        post(s, "[" * 5000 + "]" * 5000).problem(400, "malformed_json")  # nesting bomb
        post(s, b'{"a": "caf\xe9"}').problem(400, "invalid_utf8")
        post(s, b'{"a": "\xed\xa0\x80"}').problem(400, "invalid_utf8")  # UTF-16 surrogate
        post(s, "").problem(400, "empty_body")
        post(s, VALID, ctype="text/plain").problem(415, "unsupported_media_type")
        r = s.request("POST", CSP, body=VALID)
        r.problem(415)
        # A JSON-looking injection is still only data.
        post(s, json.dumps({"csp-report": {"document-uri": "'; DROP TABLE settings; --"}}))
        check(s.request("GET", "/readyz").status == 200)


def test_body_limit(env):
    with env.server(args=["--http-max-body", "4KiB"]) as s:
        ok = json.dumps([{"type": "csp-violation", "body": {"blockedURL": "x" * 3000}}])
        check(post(s, ok).status == 204)
        big = json.dumps([{"type": "csp-violation", "body": {"blockedURL": "x" * 5000}}])
        post(s, big).problem(413, "payload_too_large")
        # Declared too large: refused from the head alone, body never read.
        r = parse_raw(s.raw(b"POST " + CSP.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                            b"Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n",
                            read_all=False))
        r.problem(413, "payload_too_large")
        # Chunked, so the size is only known while reading.
        # Chunked, so the size is only known while reading: the rest is read
        # and dropped, then refused.
        chunk = b"x" * 1000
        body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(10)) + b"0\r\n\r\n"
        r = parse_raw(s.raw(b"POST " + CSP.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + body,
                            read_all=False))
        r.problem(413, "payload_too_large")
        # One that never stops is cut off.
        endless = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        endless.sendall(b"POST " + CSP.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        big = b"%x\r\n%s\r\n" % (65536, b"y" * 65536)
        cut = False
        try:
            for _ in range(400):  # 25 MiB, well past the 8 MiB the server drops
                endless.sendall(big)
        except OSError:
            cut = True
        check(cut, "server kept reading an endless body")
        endless.close()
        check(s.request("GET", "/healthz").status == 200)


def test_header_limit(env):
    with env.server() as s:  # default 16 KiB
        r = s.request("GET", "/healthz", headers={"X-Filler": "a" * 20000})
        r.problem(431, "headers_too_large")
        r = s.request("GET", "/healthz", headers={"X-A%d" % i: "b" * 100 for i in range(200)})
        r.problem(431)
        check(s.request("GET", "/healthz", headers={"X-Filler": "a" * 8000}).status == 200)
        # Far beyond the connection's memory, libmicrohttpd itself refuses it.
        r = parse_raw(s.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 300000 +
                            b"\r\n\r\n"))
        check(r is None or 400 <= r.status < 500, r and r.status)
        check(s.request("GET", "/healthz").status == 200)


PATH_TRICKS = [
    "/../etc/passwd", "/api/v1/../../healthz", "/%2e%2e/healthz", "/api/%2E%2e/x", "/./healthz",
    "/healthz%00", "/healthz%00.json", "/%00", "/a%zz", "/a%2", "/%ff", "/%c0%af", "/%ed%a0%80",
    "/%e2%82",
]


def test_path_tricks(env):
    with env.server() as s:
        for p in PATH_TRICKS:
            r = parse_raw(s.raw(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % p).encode()))
            r.problem(400, "invalid_path")
        for p in ["//healthz", "/healthz/.", "/HEALTHZ", "/healthz;x", "/a\\..\\b"]:
            r = parse_raw(s.raw(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % p).encode()))
            check(400 <= r.status < 500, "%s -> %d" % (p, r.status))
            r.problem(r.status)
        long_path = "/" + "a" * 5000
        r = parse_raw(s.raw(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % long_path).encode()))
        r.problem(414, "uri_too_long")


def malformed_requests(rng, n):
    """Yields (bytes, expect_problem) pairs of many kinds of bad requests."""
    good = VALID.encode()
    for i in range(n):
        kind = i % 8
        if kind == 0:  # broken JSON: a valid document cut or mangled
            cut = good[: rng.randrange(1, len(good) - 1)]
            body = cut if rng.random() < 0.5 else cut + bytes([rng.choice(b"{}[],:\"\\")]) + good[len(cut):]
            try:
                json.loads(body)
                body = body + b"}"
            except ValueError:
                pass
            yield post_bytes(body), True
        elif kind == 1:  # invalid UTF-8 inside a string
            bad = rng.choice([b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"])
            yield post_bytes(b'{"csp-report": {"document-uri": "' + bad + b'"}}'), True
        elif kind == 2:  # huge headers
            size = rng.randrange(17000, 60000)
            yield (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Junk: " + b"j" * size +
                   b"\r\nConnection: close\r\n\r\n"), True
        elif kind == 3:  # oversized bodies, declared
            yield (b"POST " + CSP.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"Content-Length: " + str(rng.randrange(2 << 20, 1 << 30)).encode() +
                   b"\r\nConnection: close\r\n\r\n{\"a\":"), True
        elif kind == 4:  # unknown methods
            m = rng.choice([b"BREW", b"PROPFIND", b"TRACE", b"CONNECTX", b"M-SEARCH", b"FOO"])
            yield m + b" /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", True
        elif kind == 5:  # path tricks
            p = rng.choice(PATH_TRICKS).encode()
            yield b"GET " + p + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", True
        elif kind == 6:  # wrong or missing content type, empty body
            ct = rng.choice([b"text/plain", b"application/x-www-form-urlencoded", b"multipart/form-data"])
            yield (b"POST " + CSP.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: " + ct +
                   b"\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"), True
        else:  # JSON of the wrong shape
            body = rng.choice([b"null", b"1", b'"x"', b"{}", b"[1,2]", b'{"csp-report": 5}', b"[" + b"{}," * 40 + b"{}]"])
            yield post_bytes(body), True


def post_bytes(body):
    return (b"POST " + CSP.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)


def test_thousand_malformed_requests(env):
    rng = random.Random(20261122)
    with env.server() as s:
        counts = {}
        for i, (req, want_problem) in enumerate(malformed_requests(rng, 1000)):
            r = parse_raw(s.raw(req, read_all=False))
            check(r is not None, "request %d got no answer: %r" % (i, req[:120]))
            check(400 <= r.status < 500, "request %d -> %d: %r" % (i, r.status, req[:120]))
            if want_problem:
                r.problem(r.status)
            counts[r.status] = counts.get(r.status, 0) + 1
        check(s.request("GET", "/readyz").status == 200)
        check(len(counts) >= 5, counts)


def test_garbage_on_the_wire(env):
    """Bytes that are not HTTP at all are refused by libmicrohttpd before any
    handler runs; all we ask is a 4xx or a closed connection, and a live server."""
    rng = random.Random(7)
    with env.server() as s:
        for _ in range(50):
            junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))) + b"\r\n\r\n"
            out = s.raw(junk, timeout=5)
            if out:
                check(out.startswith(b"HTTP/1.1 4"), out[:60])
        conn = socket.create_connection(("127.0.0.1", s.port))
        conn.close()  # connect and hang up at once
        check(s.request("GET", "/healthz").status == 200)


def test_libmicrohttpds_own_answers(env):
    """A head libmicrohttpd refuses itself is answered by it, not by us: with
    0.9.75 (Debian 12) the status line and headers come twice and none of our
    headers are there (docs/internals/http.md). Pinned, so that a fixed
    libmicrohttpd shows up here and the workaround notes can go."""
    with env.server() as s:
        out = s.raw(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", timeout=5)
        check(out.startswith(b"HTTP/1.1 400 "), out[:80])
        check(out.count(b"HTTP/1.1 400 ") == 2, out[:300])  # once, when libmicrohttpd is fixed
        check(b"X-Request-Id" not in out and b"<html>" in out, out[:300])
        check(s.request("GET", "/healthz").status == 200)
