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
        # Enabling it resumes it; a test that gets through clears its failures.
        r = jreq(s, "PATCH", "/api/v1/users/me/notification-channels/" + c["id"], {"enabled": True}, t)
        check(r.status == 200 and not r.json()["paused"] and r.json()["failures"] == 0, r.body)
        r = jreq(s, "PATCH", "/api/v1/users/me/notification-channels/" + c["id"], {"name": "Flaky again"}, t)
        check(r.status == 200 and r.json()["name"] == "Flaky again", r.body)
        time.sleep(1.5)  # the fourth delivery's own retries finish
        rx.fail("/hooks/flaky", None)
        s.request("POST", "/api/v1/users/me/notification-channels/%s/test" % c["id"], headers=bearer(t))
        deadline = time.time() + 10
        while time.time() < deadline:
            got = s.request("GET", "/api/v1/users/me/notification-channels", headers=bearer(t)).json()["items"][0]
            if got["last_success_at"]:
                break
            time.sleep(0.1)
        check(not got["paused"] and got["failures"] == 0 and got["last_success_at"], got)


def netflix(s, t, title):
    h = bearer(t)
    h["Content-Type"] = "text/csv"
    r = s.request("POST", "/api/v1/import/csv?format=netflix", body=('Title,Date\n"%s","1/2/23"\n' % title).encode(),
                  headers=h)
    check(r.status == 202, r.body)
    return r.json()


def prefs(s, t, doc=None, status=200):
    if doc is None:
        r = s.request("GET", "/api/v1/users/me/notification-preferences", headers=bearer(t))
    else:
        r = jreq(s, "PUT", "/api/v1/users/me/notification-preferences", doc, t)
    check(r.status == status, r.body)
    return r.json()


def inbox(s, t, query=""):
    r = s.request("GET", "/api/v1/users/me/notifications" + query, headers=bearer(t))
    check(r.status == 200, r.body)
    return r.json()["items"]


def wait_inbox(s, t, event, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = [n for n in inbox(s, t) if n["event"] == event]
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError("no %s notification in %r" % (event, inbox(s, t)))


def hhmm(ms):
    return time.strftime("%H:%M", time.gmtime(ms / 1000))


def test_centre_preferences_digests_quiet_hours_unsubscribe(env):
    with Receivers() as rx, SmtpSink() as sink, notify_server(env, sink, rx) as s:
        t = member(env, s)
        hook = channel(s, t, {"kind": "webhook", "name": "Hook", "config": {"url": rx.url("/hooks/a")}})
        rx.secret("/hooks/a", hook["secret"])
        mail = channel(s, t, {"kind": "email", "name": "Mail"})

        # By default an import's end is told everywhere, at once.
        netflix(s, t, "Some Film Nobody Has")
        got = rx.wait("/hooks/a")[0]
        check(got["problem"] is None and got["json"]["type"] == "import.done", got)
        check(got["json"]["data"]["notification"]["title"] == "Your netflix import is done", got["json"])
        msg = sink.wait(1)[-1]
        check(str(msg["subject"]) == "Your netflix import is done", msg)
        check(msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", dict(msg))
        unsub = msg["List-Unsubscribe"].strip("<>")
        check(unsub.startswith(PUBLIC + "/api/v1/notifications/unsubscribe?token="), unsub)
        text, html = mail_parts(msg)
        # The mail's own link opens the page that asks first, with the same token.
        page = PUBLIC + "/unsubscribe?token=" + unsub.partition("token=")[2]
        check(page in text and page in html and "No more mail about import.done" in text, text)
        items = wait_inbox(s, t, "import.done")
        check(items[0]["read"] is False and items[0]["link"].startswith("/import/"), items)
        check(s.request("GET", "/api/v1/users/me/notifications/unread-count", headers=bearer(t)).json()["unread"] == 1)

        # The centre: read, read all, delete; someone else's is not found.
        nid = items[0]["id"]
        check(s.request("POST", "/api/v1/users/me/notifications/%s/read" % nid, headers=bearer(t)).status == 204)
        check(inbox(s, t, "?unread=true") == [] and inbox(s, t)[0]["read"] is True, inbox(s, t))
        other = member(env, s, "bob@example.org")
        s.request("POST", "/api/v1/users/me/notifications/%s/read" % nid, headers=bearer(other)).problem(404, "notification_not_found")
        s.request("DELETE", "/api/v1/users/me/notifications/%s" % nid, headers=bearer(other)).problem(404)
        s.request("DELETE", "/api/v1/users/me/notifications/not-an-id", headers=bearer(t)).problem(404)
        check(s.request("DELETE", "/api/v1/users/me/notifications/%s" % nid, headers=bearer(t)).status == 204)
        check(inbox(s, t) == [], "deleted from the centre")
        r = s.request("POST", "/api/v1/users/me/notifications/read-all", headers=bearer(t))
        check(r.status == 200 and r.json() == {"marked": 0}, r.body)

        # One click unsubscribes from that event on that channel; a link
        # scanner's GET changes nothing; an altered token is refused.
        path = unsub[len(PUBLIC):]
        r = s.request("GET", path)
        check(r.status == 200 and r.json() == {"channel": "Mail", "event": "import.done", "unsubscribed": False}, r.body)
        check(prefs(s, t)["events"]["import.done"][mail["id"]] == "instant")
        bad = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
        s.request("POST", bad, body=b"List-Unsubscribe=One-Click",
                  headers={"Content-Type": "application/x-www-form-urlencoded"}).problem(400, "invalid_token")
        s.request("POST", "/api/v1/notifications/unsubscribe?token=x'%20OR%201=1").problem(400, "invalid_token")
        r = s.request("POST", path, body=b"List-Unsubscribe=One-Click",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        check(r.status == 200 and r.json()["unsubscribed"] is True, r.body)
        p = prefs(s, t)
        check(p["events"]["import.done"][mail["id"]] == "off" and p["events"]["import.done"][hook["id"]] == "instant", p)

        # Preferences refuse what they do not understand, and keep nothing of it.
        for doc, code in [({"events": {"import.done": {"in_app": "weekly"}}}, "invalid_mode"),
                          ({"events": {"nope.nope": {}}}, "unknown_event"),
                          ({"events": {"import.done": {"01a23c6b-c147-7392-b8ab-56e90c8d89be": "off"}}}, "unknown_channel"),
                          ({"quiet_hours": {"start": "7am", "end": "9am"}}, "invalid_quiet_hours"),
                          ({"region": "Narnia"}, "invalid_region"), ({"sound": "loud"}, "unknown_field")]:
            jreq(s, "PUT", "/api/v1/users/me/notification-preferences", doc, t).problem(422, code)
        jreq(s, "PUT", "/api/v1/users/me/notification-preferences", "[1, 2", t).problem(400)
        check(prefs(s, t) == p, "nothing kept")

        # A daily digest: nothing at once, nothing in-app; the notification
        # waits until the digest time of the member's day.
        p["events"]["import.done"] = {"in_app": "off", hook["id"]: "daily", mail["id"]: "off"}
        p["platforms"], p["region"] = ["netflix", "disney_plus"], "GB"
        back = prefs(s, t, p)
        check(back["events"]["import.done"] == p["events"]["import.done"] and back["platforms"] == p["platforms"], back)
        sent = len(rx.requests("/hooks/a"))
        before = time.time()
        netflix(s, t, "Another Film Nobody Has")
        time.sleep(1.5)
        check(len(rx.requests("/hooks/a")) == sent and inbox(s, t) == [], "held for the digest")
        due = []
        deadline = time.time() + 10
        while not due and time.time() < deadline:
            due = query(env, s, "SELECT due_at FROM notification_pending")
            time.sleep(0.1)
        check(len(due) == 1, due)
        # 08:00 UTC (no time zone set) after the import, to the minute.
        check(hhmm(due[0]) == "08:00" and 0 < due[0] / 1000 - before <= 86400, due)
        sql(env, s, "UPDATE notification_pending SET due_at = 0")
        enqueue_digest(env, s)
        got = rx.wait("/hooks/a", sent + 1)[-1]
        check(got["problem"] is None and got["json"]["type"] == "notify.digest", got["json"])
        titles = [n["title"] for n in got["json"]["data"]["notifications"]]
        check(titles == ["Your netflix import is done"], titles)
        check(query(env, s, "SELECT due_at FROM notification_pending") == [], "taken")

        # Quiet hours over now hold an instant delivery until they end;
        # a security notice is not held.
        now = time.time() * 1000
        p["events"]["import.done"] = {"in_app": "instant", hook["id"]: "instant", mail["id"]: "off"}
        p["quiet_hours"] = {"start": hhmm(now - 3600000), "end": hhmm(now + 3600000)}
        prefs(s, t, p)
        sent = len(rx.requests("/hooks/a"))
        netflix(s, t, "A Third Film Nobody Has")
        wait_inbox(s, t, "import.done")
        time.sleep(1)
        check(len(rx.requests("/hooks/a")) == sent, "held for the quiet hours")
        held = query(env, s, "SELECT run_at FROM jobs WHERE kind = 'notify.deliver' AND state = 'available'")
        check(len(held) == 1 and 3300000 < held[0] - now <= 3660000, (held, now))
        r = jreq(s, "POST", "/api/v1/users/me/change-password",
                 {"current_password": "correct horse battery staple 8472",
                  "new_password": "another horse battery staple 9931"}, t)
        check(r.status == 200, r.body)
        t = r.json()["access_token"]
        got = rx.wait("/hooks/a", sent + 1)[-1]
        check(got["json"]["type"] == "auth.password_changed", got["json"])
        check(wait_inbox(s, t, "auth.password_changed")[0]["link"] == "/settings/security")
        # The account mails the change itself; the e-mail channel does not again.
        time.sleep(0.5)
        subjects = [str(m["subject"]) for m in sink.messages()]
        check(subjects.count("Your Marquee password was changed") == 1, subjects)


def query(env, s, statement):
    if env.backend == "sqlite":
        import os
        import sqlite3
        db = sqlite3.connect(os.path.join(s.data_dir, "marquee.db"), timeout=10)
        rows = [r[0] for r in db.execute(statement)]
        db.close()
        return rows
    out = env.psql(s.database_url, statement)
    return [int(x) for x in out.split()] if out.strip() else []


def enqueue_digest(env, s):
    extra = {"MARQUEE_DATA_DIR": s.data_dir}
    if s.database_url:
        extra["MARQUEE_DATABASE_URL"] = s.database_url
    r = env.run_cli(["jobs", "enqueue", "notify.digest", "--queue", "notify"], env=extra)
    check(r.returncode == 0, r.stderr)


def test_server_channels_hear_server_events(env):
    with Receivers() as rx, notify_server(env, receivers=rx) as s:
        root = member(env, s, "root@example.org", admin=True)
        r = jreq(s, "POST", "/api/v1/admin/notification-channels",
                 {"kind": "webhook", "name": "Ops", "events": ["user.created"], "config": {"url": rx.url("/hooks/ops")}},
                 root)
        check(r.status == 201 and r.json()["events"] == ["user.created"], r.body)
        ops = r.json()
        rx.secret("/hooks/ops", ops["secret"])
        jreq(s, "POST", "/api/v1/admin/notification-channels",
             {"kind": "webhook", "name": "x", "events": ["channel.paused"], "config": {"url": rx.url("/hooks/x")}},
             root).problem(422, "unknown_event")
        t = member(env, s, "newcomer@example.org")
        got = rx.wait("/hooks/ops")[0]
        check(got["problem"] is None and got["json"]["type"] == "user.created", got)
        check("newcomer@example.org" in got["json"]["data"]["notification"]["title"], got["json"])
        # Members neither see nor reach the server's channels and log.
        s.request("GET", "/api/v1/admin/notification-channels", headers=bearer(t)).problem(403)
        s.request("GET", "/api/v1/admin/notification-deliveries", headers=bearer(t)).problem(403)
        check(deliveries(s, t) == [], "a member's log holds only their own")
        log = wait_deliveries(s, root, None, 1, path="/api/v1/admin/notification-deliveries")
        check(log[0]["event"] == "user.created" and log[0]["outcome"] == "sent", log)
        r = s.request("POST", "/api/v1/admin/notification-channels/%s/test" % ops["id"], headers=bearer(root))
        check(r.status == 202, r.body)
        check(rx.wait("/hooks/ops", 2)[-1]["json"]["type"] == "notify.test")
        check(jreq(s, "PATCH", "/api/v1/admin/notification-channels/" + ops["id"], {"enabled": False}, root).json()["enabled"] is False)
        check(s.request("DELETE", "/api/v1/admin/notification-channels/" + ops["id"], headers=bearer(root)).status == 204)
        check(len(deliveries(s, root, path="/api/v1/admin/notification-deliveries")) == 2, "the log outlives the channel")


def test_security_events_are_told(env):
    with notify_server(env) as s:
        make_user(env, s, "ada@example.org")

        def sign_in(agent):
            r = s.request("POST", "/api/v1/auth/login", body=json.dumps(
                {"email": "ada@example.org", "password": "correct horse battery staple 8472"}).encode(),
                headers={"Content-Type": "application/json", "User-Agent": agent})
            check(r.status == 200, r.body)
            return r.json()["access_token"]

        t = sign_in("Firefox/133.0")
        sign_in("Firefox/133.0")
        check(inbox(s, t) == [], "the first device, then the same one again: nothing")
        sign_in("curl/8.5.0 <script>")
        items = wait_inbox(s, t, "auth.new_login")
        check(len(items) == 1 and "curl/8.5.0 <script>" in items[0]["body"], items)
        # Wrong passwords up to the lockout tell the owner in the app too.
        for _ in range(12):
            r = s.request("POST", "/api/v1/auth/login", body=json.dumps(
                {"email": "ada@example.org", "password": "wrong, wrong, wrong"}).encode(),
                headers={"Content-Type": "application/json"})
            if r.status == 423 or b"locked" in r.body:
                break
        wait_inbox(s, t, "auth.lockout")


def announced(s, root, count, timeout=30):
    """Waits until `count` media.announce jobs are done."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        jobs = s.request("GET", "/api/v1/admin/jobs?kind=media.announce", headers=bearer(root)).json()["items"]
        if len([j for j in jobs if j["state"] == "completed"]) >= count:
            return
        time.sleep(0.1)
    raise AssertionError("the scan's announcement did not run")


def test_scan_news_for_those_who_asked(env):
    """media.added and library.scan_done are off until a member turns them
    on; then each scan that changed something tells them once, new works
    their parental controls allow, and nothing of a library they may not
    see."""
    import os
    import tempfile

    import media
    from test_scanner import scan

    root_dir = tempfile.mkdtemp(prefix="mq-announce-")
    for d in ("films", "private"):
        os.makedirs(os.path.join(root_dir, d))
    media.put(root_dir, "films/Arrival (2016)/Arrival (2016).mp4", "h264.mp4")
    media.put(root_dir, "films/Heat (1995)/Heat (1995).mp4", "h264.mp4")
    media.put(root_dir, "private/Home Video (2020)/Home Video (2020).mp4", "h264.mp4")
    with notify_server(env) as s:
        root = member(env, s, "root@example.org", admin=True)
        ada, bob, kid = (member(env, s, w + "@example.org") for w in ("ada", "bob", "kid"))
        on = {"events": {"media.added": {"in_app": "instant"}, "library.scan_done": {"in_app": "instant"}}}
        for t in (ada, kid):
            check(jreq(s, "PUT", "/api/v1/users/me/notification-preferences", on, t).status == 200)
        kid_id = s.request("GET", "/api/v1/users/me", headers=bearer(kid)).json()["id"]
        r = jreq(s, "PATCH", "/api/v1/admin/users/%s/parental-controls" % kid_id,
                 {"max_rating": "PG-13", "unrated": "block", "pin": "4321"}, root)
        check(r.status == 200, r.body)
        films = jreq(s, "POST", "/api/v1/admin/libraries",
                     {"name": "Films", "type": "movies", "paths": [os.path.join(root_dir, "films")]}, root).json()
        private = jreq(s, "POST", "/api/v1/admin/libraries",
                       {"name": "Private", "type": "movies", "restricted": True,
                        "paths": [os.path.join(root_dir, "private")]}, root).json()
        scan(s, root, films["id"])
        scan(s, root, private["id"])
        announced(s, root, 2)

        def news(t):
            return sorted((n["event"], n["title"]) for n in inbox(s, t)
                          if n["event"] in ("media.added", "library.scan_done"))

        check(news(ada) == [("library.scan_done", "Films scanned: 2 new"),
                            ("media.added", "New in Films: Arrival"),
                            ("media.added", "New in Films: Heat")], news(ada))
        added = [n for n in inbox(s, ada) if n["event"] == "media.added"]
        check(all(n["link"].startswith("/media/") and n["media_id"] for n in added), added)
        check(news(bob) == [], "off by default: %r" % news(bob))
        # Unrated films, and kid's controls block unrated ones: the summary only.
        check(news(kid) == [("library.scan_done", "Films scanned: 2 new")], news(kid))
        check(query(env, s, "SELECT COUNT(*) FROM notifications WHERE event = 'media.added' AND user_id <> "
                    "(SELECT id FROM users WHERE email = 'ada@example.org')") == [0],
              "a noisy notice nobody asked for is not kept")

        # Nothing new: nothing told. One more film: that one.
        scan(s, root, films["id"])
        media.put(root_dir, "films/Dune (2021)/Dune (2021).mp4", "h264.mp4")
        scan(s, root, films["id"])
        announced(s, root, 3)
        got = news(ada)
        check(got.count(("media.added", "New in Films: Dune")) == 1 and len(got) == 5, got)
        check(got.count(("library.scan_done", "Films scanned: 1 new")) == 1, got)
