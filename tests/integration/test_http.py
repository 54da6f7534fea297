"""Routing, problem documents, headers, CORS, OpenAPI, system info, metrics."""
import json
import re
import uuid

from harness import check, parse_raw

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


def check_security_headers(r):
    for k, v in SECURITY_HEADERS.items():
        check(r.header(k) == v, "%s: %r" % (k, r.header(k)))
    csp = r.header("content-security-policy") or ""
    check("default-src 'none'" in csp and "frame-ancestors 'none'" in csp, csp)
    check(r.header("strict-transport-security") is None, "HSTS without TLS")


def test_healthz_and_headers(env):
    with env.server() as s:
        r = s.request("GET", "/healthz")
        check(r.status == 200 and r.json() == {"status": "ok"}, r.body)
        check(r.header("content-type") == "application/json")
        check(r.header("cache-control") == "no-store")
        check_security_headers(r)
        rid = r.header("x-request-id")
        check(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", rid), rid)


def test_request_id_echo(env):
    with env.server() as s:
        r = s.request("GET", "/healthz", headers={"X-Request-Id": "trace-abc.123:x"})
        check(r.header("x-request-id") == "trace-abc.123:x")
        for bad in ("has space", "x" * 129, "quote\"", "<script>"):
            r = s.request("GET", "/api/v1/nope", headers={"X-Request-Id": bad})
            rid = r.header("x-request-id")
            check(rid != bad and len(rid) == 36, rid)
            check(r.json()["request_id"] == rid)


def test_not_found_and_method_not_allowed(env):
    with env.server() as s:
        s.request("GET", "/api/v1/nothing").problem(404, "not_found")
        s.request("GET", "/healthz/").problem(404, "not_found")
        r = s.request("DELETE", "/healthz")
        r.problem(405, "method_not_allowed")
        check(r.header("allow") == "GET, HEAD, OPTIONS", r.header("allow"))
        r = s.request("GET", "/api/v1/reports/csp")
        r.problem(405)
        check(r.header("allow") == "POST, OPTIONS", r.header("allow"))
        # A method no one registers: 405 on a known path, 404 elsewhere.
        raw = parse_raw(s.raw(b"BREW /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        raw.problem(405, "method_not_allowed")
        raw = parse_raw(s.raw(b"BREW /coffee HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        raw.problem(404)


def test_head_and_options(env):
    with env.server() as s:
        g = s.request("GET", "/readyz")
        h = s.request("HEAD", "/readyz")
        check(h.status == 200 and h.body == b"", h.body)
        check(h.header("content-length") == g.header("content-length"))
        r = s.request("OPTIONS", "/api/v1/system/info")
        check(r.status == 204 and r.header("allow") == "GET, HEAD, OPTIONS", r.header("allow"))
        s.request("OPTIONS", "/nowhere").problem(404)


def test_cors(env):
    ok, evil = "https://app.example", "https://evil.example"
    with env.server(args=["--cors-origins", ok + ", http://localhost:5173"]) as s:
        r = s.request("OPTIONS", "/api/v1/reports/csp",
                      headers={"Origin": ok, "Access-Control-Request-Method": "POST",
                               "Access-Control-Request-Headers": "content-type"})
        check(r.status == 204, r.status)
        check(r.header("access-control-allow-origin") == ok)
        check("POST" in r.header("access-control-allow-methods"))
        check("Content-Type" in r.header("access-control-allow-headers"))
        check(r.header("vary") == "Origin")
        r = s.request("OPTIONS", "/api/v1/reports/csp",
                      headers={"Origin": evil, "Access-Control-Request-Method": "POST"})
        r.problem(403, "cors_origin_denied")
        check(r.header("access-control-allow-origin") is None)
        r = s.request("GET", "/healthz", headers={"Origin": ok})
        check(r.header("access-control-allow-origin") == ok)
        check(r.header("access-control-expose-headers") == "X-Request-Id")
        r = s.request("GET", "/healthz", headers={"Origin": evil})
        check(r.status == 200 and r.header("access-control-allow-origin") is None)
    with env.server() as s:  # no allow-list: no CORS at all
        r = s.request("GET", "/healthz", headers={"Origin": ok})
        check(r.header("access-control-allow-origin") is None and r.header("vary") is None)


def test_openapi_document(env):
    with env.server() as s:
        r = s.request("GET", "/api/v1/openapi.json")
        check(r.status == 200 and r.header("content-type") == "application/json")
        doc = r.json()
        check(doc["openapi"] == "3.1.0")
        for p in ("/healthz", "/readyz", "/startupz", "/metrics", "/api/v1/openapi.json",
                  "/api/v1/system/info"):
            check(p in doc["paths"], p)
        check(doc["paths"]["/readyz"]["get"]["responses"]["503"]["$ref"] ==
              "#/components/responses/Unavailable")


def test_system_info_is_stable(env):
    with env.server() as s:
        first = s.request("GET", "/api/v1/system/info").json()
        check(first["name"] == "Marquee")
        uuid.UUID(first["instance_id"])
        data_dir, db = s.data_dir, s.database_url
        s.own_dir = False
    with env.server(data_dir=data_dir, database_url=db) as s:
        s.own_dir = True
        again = s.request("GET", "/api/v1/system/info").json()
        check(again["instance_id"] == first["instance_id"], (first, again))


def metric(text, name, **labels):
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        m = re.fullmatch(r"([a-z_]+)(\{(.*)\})? (\S+)", line)
        if not m or m.group(1) != name:
            continue
        have = dict(re.findall(r'(\w+)="([^"]*)"', m.group(3) or ""))
        if all(have.get(k) == v for k, v in labels.items()):
            return float(m.group(4))
    return None


def test_metrics(env):
    with env.server() as s:
        for _ in range(3):
            s.request("GET", "/healthz")
        s.request("GET", "/api/no/such/thing/" + uuid.uuid4().hex)
        s.request("GET", "/readyz")
        r = s.request("GET", "/metrics")
        check(r.status == 200 and r.header("content-type").startswith("text/plain; version=0.0.4"))
        t = r.body.decode()
        check(metric(t, "marquee_http_requests_total", method="GET", route="/healthz", status="200") == 3, t)
        check(metric(t, "marquee_http_requests_total", route="unmatched", status="404") == 1)
        check(metric(t, "marquee_http_request_duration_seconds_count", route="/healthz") == 3)
        check(metric(t, "marquee_http_request_duration_seconds_bucket", route="/healthz", le="+Inf") == 3)
        size = metric(t, "marquee_db_pool_connections", backend=env.backend)
        check(size > 0)
        # Job workers hold connections for moments of their own.
        check(0 <= metric(t, "marquee_db_pool_in_use", backend=env.backend) <= size)
        check(metric(t, "marquee_db_pool_acquired_total", backend=env.backend) >= 1)
        check(metric(t, "process_resident_memory_bytes") > 1e6)
        check(metric(t, "process_open_fds") > 3)
        check(metric(t, "marquee_build_info") == 1)
        check(metric(t, "marquee_http_connections") >= 1)
        # Random paths share one label: the label set stays bounded.
        check("/no/such" not in t)


def test_csp_reports(env):
    legacy = {"csp-report": {"document-uri": "https://m.example/page?token=SECRETQ",
                             "violated-directive": "script-src-elem",
                             "blocked-uri": "https://cdn.evil/x.js?k=1", "disposition": "enforce"}}
    modern = [{"type": "csp-violation", "url": "https://m.example/",
               "body": {"documentURL": "https://m.example/", "effectiveDirective": "img-src",
                        "blockedURL": "data", "disposition": "enforce"}}]
    with env.server() as s:
        r = s.request("POST", "/api/v1/reports/csp", body=json.dumps(legacy),
                      headers={"Content-Type": "application/csp-report"})
        check(r.status == 204 and r.body == b"", r.body)
        r = s.request("POST", "/api/v1/reports/csp", body=json.dumps(modern),
                      headers={"Content-Type": "application/reports+json"})
        check(r.status == 204)
        s.request("POST", "/api/v1/reports/csp", body="[]",
                  headers={"Content-Type": "application/json"}).problem(400, "invalid_report")
        s.request("POST", "/api/v1/reports/csp", body='[{"type":"other"}]',
                  headers={"Content-Type": "application/json"}).problem(400, "invalid_report")
        line = s.wait_log("script-src-elem")
        check("SECRETQ" not in line and "cdn.evil/x.js" in line and "k=1" not in line, line)
        s.wait_log('"directive":"img-src"')
