"""Notifications: channels of every kind against local receivers shaped
like the real services (tests/integration/receivers.py), e-mail against
the SMTP test server with its one-click unsubscribe, the test button
going the way of every delivery, the delivery log with its retries and
a failing channel's pause, outbound URLs that would reach loopback
refused, the in-app centre, preferences, quiet hours and digests."""
import json
import time
import urllib.parse

from harness import SmtpSink, check, mail_parts
from receivers import Receivers, verify_standard_webhook
from test_auth import FAST, bearer, login, make_user
from test_jobs import sql
from test_libraries import jreq

PUBLIC = "https://marquee.test"
NTFY_TOKEN = "tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2"


def notify_server(env, sink=None, receivers=None, extra=None):
    e = {"MARQUEE_PUBLIC_URL": PUBLIC, "MARQUEE_JOBS_BACKOFF_BASE": "100ms",
         "MARQUEE_JOBS_BACKOFF_MAX": "300ms", "MARQUEE_JOBS_POLL_INTERVAL": "100ms",
         "MARQUEE_ADMIN_TOKEN": "mq-admin-token-for-notify-tests-0123456789"}
    if sink:
        e.update({"MARQUEE_SMTP_URL": sink.url(), "MARQUEE_MAIL_FROM": "marquee@marquee.test"})
    if receivers:
        e.update({"MARQUEE_NOTIFY_ALLOWED_NETWORKS": "127.0.0.1",
                  "MARQUEE_NOTIFY_TELEGRAM_API": receivers.url("/telegram")})
    e.update(extra or {})
    return env.server(args=FAST, env=e)


def member(env, s, email="ada@example.org", admin=False):
    make_user(env, s, email, admin=admin)
    return login(s, email).json()["access_token"]


def channel(s, t, body, status=201):
    r = jreq(s, "POST", "/api/v1/users/me/notification-channels", body, t)
    check(r.status == status, r.body)
    return r.json()


def deliveries(s, t, channel_id=None, path="/api/v1/users/me/notification-deliveries"):
    q = "?channel=" + channel_id if channel_id else ""
    r = s.request("GET", path + q, headers=bearer(t))
    check(r.status == 200, r.body)
    return r.json()["items"]


def wait_deliveries(s, t, channel_id, count, timeout=20, path="/api/v1/users/me/notification-deliveries"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = deliveries(s, t, channel_id, path)
        if len(got) >= count:
            return got
        time.sleep(0.1)
    raise AssertionError("expected %d deliveries, got %r" % (count, deliveries(s, t, channel_id, path)))


def test_every_channel_and_the_test_button(env):
    with Receivers() as rx, SmtpSink() as sink, notify_server(env, sink, rx) as s:
        rx.state.ntfy_token = NTFY_TOKEN
        t = member(env, s)
        hook = channel(s, t, {"kind": "webhook", "name": "Home Assistant", "config": {"url": rx.url("/hooks/ha")}})
        check(hook["secret"].startswith("whsec_") and hook["target"] == "127.0.0.1:%d" % rx.port, hook)
        rx.secret("/hooks/ha", hook["secret"])
        made = {"webhook": hook}
        made["discord"] = channel(s, t, {"kind": "discord", "name": "Family server", "config": {
            "url": rx.url("/api/webhooks/223704706495545344/3d89bb7572e0fb30d8128367b3b1b44fecd1726de135cbe2")}})
        made["ntfy"] = channel(s, t, {"kind": "ntfy", "name": "Phone", "priority": 4,
                                      "config": {"url": rx.url("/ntfy/marquee_ada"), "token": NTFY_TOKEN}})
        made["gotify"] = channel(s, t, {"kind": "gotify", "name": "Gotify", "priority": 7, "config": {
            "url": rx.url("/gotify/"), "token": rx.state.gotify_token}})
        made["telegram"] = channel(s, t, {"kind": "telegram", "name": "Telegram", "config": {
            "bot_token": rx.state.telegram_token, "chat_id": "-1001234567890"}})
        made["email"] = channel(s, t, {"kind": "email", "name": "Mail"})
        check(made["email"]["target"] == "ada@example.org" and "secret" not in made["discord"], made)

        # Nothing secret comes back: not the tokens, not the URLs' paths.
        listed = s.request("GET", "/api/v1/users/me/notification-channels", headers=bearer(t)).body.decode()
        for secret in (NTFY_TOKEN, rx.state.gotify_token, rx.state.telegram_token, hook["secret"][6:],
                       "3d89bb7572e0fb30", "/hooks/ha", "marquee_ada"):
            check(secret not in listed, (secret, listed))
        check(len(json.loads(listed)["items"]) == 6, listed)

        for kind, c in made.items():
            r = s.request("POST", "/api/v1/users/me/notification-channels/%s/test" % c["id"], headers=bearer(t))
            check(r.status == 202 and r.json()["delivery_id"], r.body)

        got = rx.wait("/hooks/ha")[0]
        check(got["problem"] is None, got)  # the Standard Webhooks signature verifies
        check(verify_standard_webhook(hook["secret"], got["headers"], got["body"] + b" ") == "bad signature")
        body = got["json"]
        check(body["type"] == "notify.test" and body["data"]["test"] is True, body)
        check(body["data"]["notification"]["title"] == "Test notification from Marquee", body)
        check(body["data"]["notification"]["url"] == PUBLIC + "/settings/notifications", body)

        d = rx.wait("/api/webhooks/")[0]
        check(d["answer"] == 204 and d["json"]["allowed_mentions"] == {"parse": []}, d)
        check(d["json"]["embeds"][0]["title"] == "Test notification from Marquee", d["json"])
        check("Family server" in d["json"]["embeds"][0]["description"], d["json"])

        n = rx.wait("/ntfy/")[0]
        check(n["answer"] == 200 and n["json"]["topic"] == "marquee_ada" and n["json"]["priority"] == 4, n)
        check(n["json"]["click"] == PUBLIC + "/settings/notifications" and "Phone" in n["json"]["message"], n)

        g = rx.wait("/gotify/")[0]
        check(g["answer"] == 200 and g["json"]["priority"] == 7, g)
        check(g["json"]["extras"]["client::display"]["contentType"] == "text/markdown", g)

        tg = rx.wait("/telegram/")[0]
        check(tg["answer"] == 200 and tg["json"]["parse_mode"] == "HTML", tg)
        check(tg["json"]["chat_id"] == "-1001234567890" and tg["json"]["text"].startswith("<b>Test"), tg)

        msg = sink.wait(1)[-1]
        check(str(msg["subject"]) == "Test notification from Marquee" and msg["to"] == "ada@example.org", msg)
        text, html = mail_parts(msg)
        check("Mail" in text and "<strong>Mail</strong>" in html, text)

        # Every attempt is in the log, sent, once.
        for kind, c in made.items():
            log = wait_deliveries(s, t, c["id"], 1)
            check(len(log) == 1 and log[0]["outcome"] == "sent" and log[0]["attempt"] == 1, (kind, log))
            check(log[0]["test"] is True and log[0]["channel_kind"] == kind, log)

        # A wrong token is the receiver's refusal, shown as it came: not retried.
        bad = channel(s, t, {"kind": "gotify", "name": "Wrong", "config": {"url": rx.url("/gotify"), "token": "nope"}})
        s.request("POST", "/api/v1/users/me/notification-channels/%s/test" % bad["id"], headers=bearer(t))
        log = wait_deliveries(s, t, bad["id"], 1)
        check(log[0]["outcome"] == "failed" and log[0]["status"] == 401 and "Unauthorized" in log[0]["error"], log)
        time.sleep(0.8)
        check(len(deliveries(s, t, bad["id"])) == 1, "a 401 is not retried")

        # Bad input: problems with stable codes, nothing kept.
        for body, code in [({"kind": "pigeon", "name": "x"}, "invalid_kind"),
                           ({"kind": "webhook", "name": "x", "config": {"url": "ftp://example.org/"}}, "invalid_url"),
                           ({"kind": "webhook", "name": "x", "config": {"url": "https://example.org/#frag"}}, "invalid_url"),
                           ({"kind": "webhook", "name": "x", "config": {}}, "invalid_config"),
                           ({"kind": "ntfy", "name": "x", "config": {"url": "https://ntfy.sh/a/b?x=1"}}, "invalid_config"),
                           ({"kind": "telegram", "name": "x", "config": {"bot_token": "x", "chat_id": "1"}}, "invalid_config"),
                           ({"kind": "webhook", "name": "\u0007", "config": {"url": "https://example.org/"}}, "invalid_name")]:
            jreq(s, "POST", "/api/v1/users/me/notification-channels", body, t).problem(422, code)
        jreq(s, "POST", "/api/v1/users/me/notification-channels", "{not json", t).problem(400)
        check(len(s.request("GET", "/api/v1/users/me/notification-channels", headers=bearer(t)).json()["items"]) == 7)

        # Others cannot see or use a member's channel.
        other = member(env, s, "bob@example.org")
        s.request("POST", "/api/v1/users/me/notification-channels/%s/test" % hook["id"],
                  headers=bearer(other)).problem(404, "channel_not_found")
        jreq(s, "PATCH", "/api/v1/users/me/notification-channels/" + hook["id"], {"name": "x"}, other).problem(404)


def test_internal_addresses_are_refused(env):
    with Receivers() as rx, notify_server(env) as s:
        t = member(env, s)
        for url in (rx.url("/hooks/a"), "http://localhost:%d/hooks/a" % rx.port, "http://[::1]/x",
                    "http://10.0.0.7/x", "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0/x",
                    "http://[::ffff:127.0.0.1]/x"):
            r = jreq(s, "POST", "/api/v1/users/me/notification-channels",
                     {"kind": "webhook", "name": "x", "config": {"url": url}}, t)
            r.problem(422, "url_not_allowed")
        check(rx.requests() == [], "nothing was sent")
    # Allowed networks that do not hold the address: a name that resolves
    # to loopback passes the form's check and is refused at connection.
    with Receivers() as rx, notify_server(env, extra={"MARQUEE_NOTIFY_ALLOWED_NETWORKS": "10.0.0.0/8"}) as s:
        t = member(env, s)
        c = channel(s, t, {"kind": "webhook", "name": "x", "config": {"url": "http://localhost:%d/hooks/a" % rx.port}})
        s.request("POST", "/api/v1/users/me/notification-channels/%s/test" % c["id"], headers=bearer(t))
        log = wait_deliveries(s, t, c["id"], 1)
        check(log[0]["outcome"] == "refused" and "internal address" in log[0]["error"], log)
        time.sleep(0.5)
        check(rx.requests() == [] and len(deliveries(s, t, c["id"])) == 1, "refused, not retried")


def test_failing_channel_retries_then_pauses(env):
    extra = {"MARQUEE_NOTIFY_MAX_ATTEMPTS": "3", "MARQUEE_NOTIFY_PAUSE_AFTER": "4"}
    with Receivers() as rx, notify_server(env, receivers=rx, extra=extra) as s:
        t = member(env, s)
        c = channel(s, t, {"kind": "webhook", "name": "Flaky", "config": {"url": rx.url("/hooks/flaky")}})
        rx.fail("/hooks/flaky", 503)
        s.request("POST", "/api/v1/users/me/notification-channels/%s/test" % c["id"], headers=bearer(t))
        log = wait_deliveries(s, t, c["id"], 3)
        check([d["attempt"] for d in log] == [3, 2, 1] and all(d["outcome"] == "failed" for d in log), log)
        check(len({d["delivery_id"] for d in log}) == 1 and log[0]["status"] == 503, log)
        ids = {r["headers"]["webhook-id"] for r in rx.requests("/hooks/flaky")}
        check(len(ids) == 1, "the same webhook-id on every attempt")
        got = s.request("GET", "/api/v1/users/me/notification-channels", headers=bearer(t)).json()["items"][0]
        check(got["failures"] == 3 and not got["paused"], got)
        # The fourth failure in a row pauses it, and the member is told.
        s.request("POST", "/api/v1/users/me/notification-channels/%s/test" % c["id"], headers=bearer(t))
        wait_deliveries(s, t, c["id"], 4)
        deadline = time.time() + 10
        while time.time() < deadline:
            got = s.request("GET", "/api/v1/users/me/notification-channels", headers=bearer(t)).json()["items"][0]
            if got["paused"]:
                break
            time.sleep(0.1)
        check(got["paused"] and "503" in got["pause_reason"], got)
        inbox = s.request("GET", "/api/v1/users/me/notifications", headers=bearer(t)).json()["items"]
        check(inbox and inbox[0]["event"] == "channel.paused" and "Flaky" in inbox[0]["title"], inbox)
        check(s.request("GET", "/api/v1/users/me/notifications/unread-count", headers=bearer(t)).json() == {"unread": 1})
        # Once it works again a test resumes it.
        time.sleep(1.5)  # the fourth delivery's own retries finish
        rx.fail("/hooks/flaky", None)
        s.request("POST", "/api/v1/users/me/notification-channels/%s/test" % c["id"], headers=bearer(t))
        deadline = time.time() + 10
        while time.time() < deadline:
            got = s.request("GET", "/api/v1/users/me/notification-channels", headers=bearer(t)).json()["items"][0]
            if not got["paused"]:
                break
            time.sleep(0.1)
        check(not got["paused"] and got["failures"] == 0 and got["last_success_at"], got)
