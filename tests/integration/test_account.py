"""The account flows that go through e-mail, followed through a real SMTP
server (python3-aiosmtpd) on loopback, and the member's own profile."""
import json
import struct
import time
import zlib

from harness import SmtpSink, check, free_port, mail_link, mail_parts
from test_auth import FAST, PASSWORD, bearer, jpost, login, make_user
from test_jobs import AUTH, TOKEN

PUBLIC = "http://marquee.test:8096"
NEW_PASSWORD = "a brand new passphrase 5521"


def mail_server(env, sink, extra_args=(), extra_env=None):
    e = {"MARQUEE_SMTP_URL": sink.url(), "MARQUEE_MAIL_FROM": "marquee@marquee.test",
         "MARQUEE_PUBLIC_URL": PUBLIC, "MARQUEE_ADMIN_TOKEN": TOKEN,
         "MARQUEE_JOBS_BACKOFF_BASE": "100ms", "MARQUEE_JOBS_BACKOFF_MAX": "400ms",
         "MARQUEE_JOBS_POLL_INTERVAL": "100ms", "MARQUEE_AUDIT_FOLD_WINDOW": "1s"}
    e.update(extra_env or {})
    return env.server(args=FAST + list(extra_args), env=e)


def subject(msg):
    return str(msg["subject"])


def png(width=3, height=2):
    """A real, tiny RGB PNG made by hand (no imaging library needed)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_register_verify_login_refresh_logout(env):
    with SmtpSink() as sink, mail_server(env, sink, ["--registration", "open"]) as s:
        body = {"email": "Zoë.O'Brien@Example.org", "password": PASSWORD,
                "display_name": "Zoë <b>O'Brien</b>; DROP TABLE users;--"}
        r = jpost(s, "/api/v1/auth/register", body)
        check(r.status == 202 and r.json()["status"] == "pending_verification", r.body)
        msg = sink.wait(1)[0]
        check(msg["X-Envelope-To"] == "Zoë.O'Brien@Example.org" or "Example.org" in msg["To"], msg["To"])
        check(subject(msg) == "Confirm your e-mail address for Marquee", subject(msg))
        check(msg.get_content_type() == "multipart/mixed" or msg.is_multipart(), msg.get_content_type())
        text, html = mail_parts(msg)
        check(PUBLIC + "/verify-email?token=mqv_" in text, text)
        # The name is escaped in HTML and kept as it is in text.
        check("Zoë &lt;b&gt;O&#39;Brien&lt;/b&gt;" in html and "<b>O'Brien</b>" in text, html)
        token = mail_link(msg, "verify-email")

        # Signing in works before verification (not required by default).
        t = login(s, "zoë.o'brien@example.org").json()
        me = s.request("GET", "/api/v1/users/me", headers=bearer(t["access_token"])).json()
        check(me["email_verified"] is False and me["display_name"] == body["display_name"], me)

        jpost(s, "/api/v1/auth/verify-email", {"token": "mqv_" + "A" * 43}).problem(400, "invalid_token")
        jpost(s, "/api/v1/auth/verify-email", {"token": "'; DROP TABLE users;--"}).problem(400, "invalid_token")
        r = jpost(s, "/api/v1/auth/verify-email", {"token": token})
        check(r.status == 200 and r.json()["status"] == "verified", r.body)
        jpost(s, "/api/v1/auth/verify-email", {"token": token}).problem(400, "invalid_token")  # single use
        me = s.request("GET", "/api/v1/users/me", headers=bearer(t["access_token"])).json()
        check(me["email_verified"] is True, me)

        t2 = jpost(s, "/api/v1/auth/refresh", {"refresh_token": t["refresh_token"]}).json()
        check(set(t2) == {"access_token", "refresh_token", "token_type", "expires_in", "session_id"}, t2)
        check(s.request("POST", "/api/v1/auth/logout", headers=bearer(t2["access_token"])).status == 204)
        s.request("GET", "/api/v1/users/me", headers=bearer(t2["access_token"])).problem(401)

        # The same address again: the same answer, and its owner is told.
        r2 = jpost(s, "/api/v1/auth/register", dict(body, email="zoë.o'brien@example.org"))
        check(r2.status == 202 and r2.json() == r.json() or r2.json()["status"] == "pending_verification", r2.body)
        msgs = sink.wait(2)
        check(subject(msgs[1]) == "You already have a Marquee account", subject(msgs[1]))
        # Policy refusals are clear and specific.
        jpost(s, "/api/v1/auth/register", {"email": "x@example.org", "password": "short"}).problem(422, "password_too_short")
        jpost(s, "/api/v1/auth/register", {"email": "not an address", "password": PASSWORD}).problem(422, "invalid_email")
        # 5 per hour per address: this is the sixth.
        r = jpost(s, "/api/v1/auth/register", {"email": "y@example.org", "password": PASSWORD})
        check(r.status == 202, r.body)
        r = jpost(s, "/api/v1/auth/register", {"email": "z@example.org", "password": PASSWORD})
        r.problem(429, "rate_limited")
        check(r.header("retry-after") and r.header("ratelimit").startswith("limit=5"), r.headers)
        time.sleep(1.5)  # refusals are written when their fold window closes
        acts = [e["action"] for e in s.request("GET", "/api/v1/admin/audit-logs?limit=100", headers=AUTH).json()["items"]]
        for a in ("user.registered", "user.register_existing", "user.email_verified", "rate_limit.rejected"):
            check(a in acts, (a, acts))


def test_registration_closed_by_default(env):
    with env.server(args=FAST) as s:
        jpost(s, "/api/v1/auth/register", {"email": "a@example.org", "password": PASSWORD}).problem(403, "registration_closed")


def test_forgot_reset_ends_old_sessions(env):
    with SmtpSink() as sink, mail_server(env, sink) as s:
        make_user(env, s, "ada@example.org")
        a = login(s, "ada@example.org").json()
        b = login(s, "ada@example.org").json()
        r = jpost(s, "/api/v1/auth/forgot-password", {"email": "ADA@example.org"})
        check(r.status == 202, r.body)
        unknown = jpost(s, "/api/v1/auth/forgot-password", {"email": "nobody@example.org"})
        check(unknown.status == 202 and unknown.json() == r.json(), unknown.body)
        msg = sink.wait(1)[0]
        check(subject(msg) == "Reset your Marquee password" and msg["X-Envelope-To"] == "ada@example.org", msg)
        token = mail_link(msg, "reset-password")
        check(token.startswith("mqp_"), token)

        # A password the policy refuses does not spend the link.
        jpost(s, "/api/v1/auth/reset-password", {"token": token, "new_password": "password"}).problem(422)
        jpost(s, "/api/v1/auth/reset-password", {"token": token, "new_password": "ada@example.org"}).problem(422)
        r = jpost(s, "/api/v1/auth/reset-password", {"token": token, "new_password": NEW_PASSWORD})
        check(r.status == 200, r.body)
        jpost(s, "/api/v1/auth/reset-password", {"token": token, "new_password": NEW_PASSWORD}).problem(400, "invalid_token")

        for t in (a, b):
            s.request("GET", "/api/v1/users/me", headers=bearer(t["access_token"])).problem(401)
            jpost(s, "/api/v1/auth/refresh", {"refresh_token": t["refresh_token"]}).problem(401)
        login(s, "ada@example.org").problem(401, "invalid_credentials")
        check(login(s, "ada@example.org", NEW_PASSWORD).status == 200)
        msgs = sink.wait(2)
        check(subject(msgs[1]) == "Your Marquee password was reset", subject(msgs[1]))

        # 3 per hour per address asked for, whatever its case.
        jpost(s, "/api/v1/auth/forgot-password", {"email": "ada@EXAMPLE.org"})
        jpost(s, "/api/v1/auth/forgot-password", {"email": "ada@example.org"})
        r = jpost(s, "/api/v1/auth/forgot-password", {"email": "Ada@example.org"})
        r.problem(429, "rate_limited")
        check(r.header("retry-after"), r.headers)
        time.sleep(0.3)
        acts = [e["action"] for e in s.request("GET", "/api/v1/admin/audit-logs?limit=100", headers=AUTH).json()["items"]]
        check("password.reset_requested" in acts and "password.reset" in acts, acts)


def test_outbox_waits_for_the_smtp_server(env):
    port = free_port()
    sink = SmtpSink(port=port)
    with mail_server(env, sink) as s:
        make_user(env, s, "ada@example.org")
        check(jpost(s, "/api/v1/auth/forgot-password", {"email": "ada@example.org"}).status == 202)
        deadline = time.time() + 20
        job = None
        while time.time() < deadline:
            items = s.request("GET", "/api/v1/admin/jobs?kind=mail.send", headers=AUTH).json()["items"]
            if items and items[0]["attempt"] >= 2:
                job = items[0]
                break
            time.sleep(0.1)
        check(job and job["state"] in ("retryable", "running") and job["last_error"], job)
        with sink:
            msg = sink.wait(1, timeout=30)[0]
            check(subject(msg) == "Reset your Marquee password")
            deadline = time.time() + 10
            while time.time() < deadline:
                job = s.request("GET", "/api/v1/admin/jobs/" + job["id"], headers=AUTH).json()
                if job["state"] == "completed":
                    break
                time.sleep(0.1)
            check(job["state"] == "completed", job)
            # Once sent, the link is no longer in the database.
            check(job["payload"] == {"to": "ada@example.org", "template": "reset-password"}, job["payload"])


def test_smtp_credentials(env):
    with SmtpSink(auth="marquee:s3cret-pass") as sink:
        with mail_server(env, sink) as s:
            make_user(env, s, "ada@example.org")
            jpost(s, "/api/v1/auth/forgot-password", {"email": "ada@example.org"})
            sink.wait(1)
            r = env.run_cli(["config"], env={"MARQUEE_SMTP_URL": sink.url(), "MARQUEE_MAIL_FROM": "m@example.org"})
            check("s3cret-pass" not in r.stdout and "marquee:****@" in r.stdout, r.stdout)
            s.stop()
            check(not any("s3cret-pass" in l for l in s.lines))
        with mail_server(env, sink, extra_env={"MARQUEE_SMTP_URL": sink.url("marquee:wrong")}) as s:
            make_user(env, s, "bob@example.org")
            jpost(s, "/api/v1/auth/forgot-password", {"email": "bob@example.org"})
            deadline = time.time() + 15
            items = []
            while time.time() < deadline:
                items = s.request("GET", "/api/v1/admin/jobs?kind=mail.send", headers=AUTH).json()["items"]
                if items and items[0]["last_error"]:
                    break
                time.sleep(0.1)
            check(items and "SMTP" in items[0]["last_error"] and items[0]["state"] != "discarded", items)
            check(len(sink.messages()) == 1)


def test_lockout_mails_the_owner(env):
    with SmtpSink() as sink, mail_server(env, sink) as s:
        make_user(env, s, "ada@example.org")
        for _ in range(5):
            login(s, "ada@example.org", "not the password at all").problem(401)
        msg = sink.wait(1)[0]
        check(subject(msg) == "Your Marquee account was locked", subject(msg))
        text, _ = mail_parts(msg)
        check("15 minutes" in text and "127.0.0.1" in text, text)


def test_unverified_sign_in_blocked_when_configured(env):
    with SmtpSink() as sink, mail_server(env, sink, ["--registration", "open",
                                                     "--require-verified-email", "true"]) as s:
        check(jpost(s, "/api/v1/auth/register", {"email": "ada@example.org", "password": PASSWORD}).status == 202)
        sink.wait(1)
        login(s, "ada@example.org").problem(403, "email_not_verified")
        login(s, "ada@example.org", "wrong password entirely").problem(401, "invalid_credentials")
        check(jpost(s, "/api/v1/auth/resend-verification", {"email": "ada@example.org"}).status == 202)
        check(jpost(s, "/api/v1/auth/resend-verification", {"email": "nobody@example.org"}).status == 202)
        msgs = sink.wait(2)
        # The new link replaces the old one.
        jpost(s, "/api/v1/auth/verify-email", {"token": mail_link(msgs[0], "verify-email")}).problem(400, "invalid_token")
        check(jpost(s, "/api/v1/auth/verify-email", {"token": mail_link(msgs[1], "verify-email")}).status == 200)
        check(login(s, "ada@example.org").status == 200)


def test_change_password(env):
    with SmtpSink() as sink, mail_server(env, sink) as s:
        make_user(env, s, "ada@example.org")
        old = login(s, "ada@example.org").json()
        other = login(s, "ada@example.org").json()
        h = bearer(old["access_token"])
        jpost(s, "/api/v1/users/me/change-password", {"current_password": "wrong one, surely",
                                                      "new_password": NEW_PASSWORD}, h).problem(403, "wrong_password")
        jpost(s, "/api/v1/users/me/change-password", {"current_password": PASSWORD,
                                                      "new_password": "password1234"}, h).problem(422, "weak_password")
        r = jpost(s, "/api/v1/users/me/change-password", {"current_password": PASSWORD,
                                                          "new_password": NEW_PASSWORD}, h)
        check(r.status == 200 and r.json()["session_id"] not in (old["session_id"], other["session_id"]), r.body)
        for t in (old, other):
            s.request("GET", "/api/v1/users/me", headers=bearer(t["access_token"])).problem(401)
        check(s.request("GET", "/api/v1/users/me", headers=bearer(r.json()["access_token"])).status == 200)
        check(subject(sink.wait(1)[0]) == "Your Marquee password was changed")


def test_profile_preferences_avatar_and_delete(env):
    with SmtpSink() as sink, mail_server(env, sink) as s:
        make_user(env, s, "ada@example.org")
        make_user(env, s, "bob@example.org")
        t = login(s, "ada@example.org").json()
        h = bearer(t["access_token"])
        name = "Ada <script>alert(1)</script> '; DELETE FROM users; -- 🎬"
        r = s.request("PATCH", "/api/v1/users/me", body=json.dumps({"display_name": name}),
                      headers=dict(h, **{"Content-Type": "application/json"}))
        check(r.status == 200 and r.json()["display_name"] == name, r.body)
        patch = lambda body: s.request("PATCH", "/api/v1/users/me", body=json.dumps(body),
                                       headers=dict(h, **{"Content-Type": "application/json"}))
        patch({"display_name": "x\u0001y"}).problem(422, "invalid_name")
        patch({"role": "admin"}).problem(400, "invalid_body")
        patch({"email": "ada2@example.org"}).problem(403, "password_required")
        patch({"email": "bob@example.org", "current_password": PASSWORD}).problem(409, "email_taken")
        r = patch({"email": "ada2@example.org", "current_password": PASSWORD})
        check(r.status == 200 and r.json()["email"] == "ada2@example.org" and not r.json()["email_verified"], r.body)
        msgs = sink.wait(2)
        by_subject = {subject(m): m for m in msgs}
        check(by_subject["Your Marquee e-mail address was changed"]["X-Envelope-To"] == "ada@example.org", msgs)
        check(by_subject["Confirm your e-mail address for Marquee"]["X-Envelope-To"] == "ada2@example.org", msgs)

        pp = lambda body: s.request("PATCH", "/api/v1/users/me/preferences", body=json.dumps(body),
                                    headers=dict(h, **{"Content-Type": "application/json"}))
        check(s.request("GET", "/api/v1/users/me/preferences", headers=h).json() == {})
        r = pp({"language": "pt-BR", "theme": "dark", "client": {"web": {"grid": True}}})
        check(r.status == 200 and r.json()["theme"] == "dark", r.body)
        r = pp({"theme": None, "items_per_page": 50})
        check(r.json() == {"language": "pt-BR", "items_per_page": 50, "client": {"web": {"grid": True}}}, r.body)
        pp({"theme": "neon"}).problem(422, "invalid_preferences")
        pp({"favourite_colour": "red"}).problem(422, "unknown_preference")
        pp({"client": {"x": "y" * 9000}}).problem(422, "invalid_preferences")
        check(s.request("GET", "/api/v1/users/me/preferences", headers=h).json()["language"] == "pt-BR")

        r = s.request("POST", "/api/v1/users/me/avatar", body=png(), headers=dict(h, **{"Content-Type": "image/png"}))
        check(r.status == 200 and r.json()["avatar_url"].startswith("/api/v1/users/"), r.body)
        img = s.request("GET", r.json()["avatar_url"], headers=h)
        check(img.status == 200 and img.header("content-type") == "image/webp" and img.body[:4] == b"RIFF"
              and img.body[8:12] == b"WEBP", img.headers)
        s.request("GET", r.json()["avatar_url"]).problem(401)
        # A new picture is a new URL, so caches never show the old one.
        r2 = s.request("POST", "/api/v1/users/me/avatar", body=png(5, 4), headers=dict(h, **{"Content-Type": "image/png"}))
        check(r2.status == 200 and r2.json()["avatar_url"] != r.json()["avatar_url"], (r.body, r2.body))
        s.request("POST", "/api/v1/users/me/avatar", body=b"GIF89a but really <?php echo 1; ?>",
                  headers=dict(h, **{"Content-Type": "image/gif"})).problem(422)
        s.request("POST", "/api/v1/users/me/avatar", body=b"#!/bin/sh\necho hi\n",
                  headers=dict(h, **{"Content-Type": "image/png"})).problem(415, "unsupported_image")
        check(s.request("DELETE", "/api/v1/users/me/avatar", headers=h).status == 204)
        check("avatar_url" not in s.request("GET", "/api/v1/users/me", headers=h).json())

        dl = lambda body: s.request("DELETE", "/api/v1/users/me", body=json.dumps(body),
                                    headers=dict(h, **{"Content-Type": "application/json"}))
        dl({}).problem(400, "invalid_body")
        dl({"current_password": "not it at all, no"}).problem(403, "wrong_password")
        r = dl({"current_password": PASSWORD})
        check(r.status == 202 and r.json()["purge_at"], r.body)
        s.request("GET", "/api/v1/users/me", headers=h).problem(401)
        login(s, "ada2@example.org").problem(403, "account_deleted")
        login(s, "ada2@example.org", "wrong password for this").problem(401, "invalid_credentials")
        r = jpost(s, "/api/v1/auth/login", {"email": "ada2@example.org", "password": PASSWORD, "restore": True})
        check(r.status == 200, r.body)
        check(login(s, "ada2@example.org").status == 200)
        check("Your Marquee account will be deleted" in [subject(m) for m in sink.wait(3)])
        time.sleep(0.3)
        acts = [e["action"] for e in s.request("GET", "/api/v1/admin/audit-logs?limit=100", headers=AUTH).json()["items"]]
        for a in ("user.profile_changed", "user.preferences_changed", "user.avatar_changed", "user.deleted", "user.restored"):
            check(a in acts, (a, acts))
