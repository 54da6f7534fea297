"""Logs are JSON lines with the request fields, and never hold a secret."""
import json

from harness import check


def test_access_log_fields(env):
    with env.server(env={"MARQUEE_TYPO_SETTING": "1"}) as s:
        r = s.request("GET", "/readyz", headers={"X-Request-Id": "log-check-1"})
        check(r.status == 200)
        s.stop()
        recs = [x for x in s.log_records() if x.get("request_id") == "log-check-1"]
        check(len(recs) == 1, recs)
        rec = recs[0]
        for k in ("time", "level", "msg", "request_id", "method", "route", "status", "duration_ms"):
            check(k in rec, "missing %s in %r" % (k, rec))
        check(rec["route"] == "/readyz" and rec["status"] == 200 and rec["method"] == "GET", rec)
        check(rec["time"].endswith("Z") and "T" in rec["time"])
        for line in s.lines:  # every line is one JSON object
            json.loads(line)
        check(any("MARQUEE_TYPO_SETTING" in l for l in s.lines), "unknown variable not reported")


def test_secrets_never_logged(env):
    secrets = ["Bearer-SECRET-A1", "cookie-SECRET-B2", "pass-SECRET-C3", "query-SECRET-D4",
               "basic-SECRET-E5", "path-SECRET-F6"]
    with env.server(args=["--log-level", "debug"]) as s:
        hdrs = {"Authorization": "Bearer " + secrets[0], "Cookie": "session=" + secrets[1],
                "Proxy-Authorization": "Basic " + secrets[4], "Content-Type": "application/json"}
        body = json.dumps({"csp-report": {"password": secrets[2], "document-uri": "https://x/?t=" + secrets[2]}})
        s.request("POST", "/api/v1/reports/csp?token=" + secrets[3], body=body, headers=hdrs)
        s.request("POST", "/api/v1/reports/csp?token=" + secrets[3], body='{"password": "%s",' % secrets[2],
                  headers=hdrs)
        s.request("GET", "/healthz?access_token=" + secrets[3], headers=hdrs)
        s.request("GET", "/api/v1/system/info/" + secrets[5] + "?token=" + secrets[3], headers=hdrs)
        s.request("GET", "/nowhere?password=" + secrets[3], headers=hdrs)
        s.stop()
        text = "\n".join(s.lines)
        check(len(s.lines) >= 6, text)
        for secret in secrets[:5]:
            check(secret not in text, "%s leaked into the log:\n%s" % (secret, text))
        # Matched routes log their pattern, not the path that may hold an id or token.
        check(secrets[5] not in text or '"route":"unmatched"' in text)


def test_client_address_and_trusted_proxies(env):
    def remote_of(s, rid):
        s.stop()
        return [r for r in s.log_records() if r.get("request_id") == rid][0]["remote"]

    spoof = {"X-Forwarded-For": "198.51.100.7", "X-Request-Id": "xff-1"}
    with env.server() as s:  # nobody trusted: the header changes nothing
        s.request("GET", "/healthz", headers=spoof)
        check(remote_of(s, "xff-1") == "127.0.0.1")
    with env.server(args=["--trusted-proxies", "127.0.0.0/8"]) as s:
        s.request("GET", "/healthz", headers=spoof)
        check(remote_of(s, "xff-1") == "198.51.100.7")
    with env.server(args=["--trusted-proxies", "10.0.0.0/8"]) as s:  # we are not that proxy
        s.request("GET", "/healthz", headers=spoof)
        check(remote_of(s, "xff-1") == "127.0.0.1")
