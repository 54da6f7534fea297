"""Server settings (issue 6): the public few a sign-in page reads, the typed
admin view, changes that apply at once without a restart, on this instance
and on another one sharing the database, all or nothing, audited, secrets
sealed at rest and never shown, and the operator's own values locked."""
import json
import os
import sqlite3
import time

from harness import SmtpSink, backends, check
from test_admin import call, setup
from test_auth import FAST, PASSWORD, jpost, login, make_user

PUBLIC_KEYS = {"server_name", "registration", "require_verified_email", "password_min_length",
               "password_require_classes"}


def stored_rows(s, env):
    """What the database holds in server_settings, read with the real client."""
    if s.database_url:
        out = env.psql(s.database_url, "SELECT key || '=' || value FROM server_settings ORDER BY key")
        return [l for l in out.splitlines() if "=" in l]
    db = sqlite3.connect(os.path.join(s.data_dir, "marquee.db"))
    try:
        return ["%s=%s" % r for r in db.execute("SELECT key, value FROM server_settings ORDER BY key")]
    finally:
        db.close()


def test_public_settings_and_who_may_read_the_rest(env):
    with env.server(args=FAST) as s:
        r = s.request("GET", "/api/v1/settings")
        check(r.status == 200, r.body)
        pub = r.json()
        check(set(pub) == PUBLIC_KEYS, pub)
        check(pub["server_name"] == "Marquee" and pub["registration"] == "closed"
              and pub["password_min_length"] == 12 and pub["password_require_classes"] is False
              and pub["require_verified_email"] is False, pub)

        admin, (ada,) = setup(env, s, "ada@example.org")
        s.request("GET", "/api/v1/admin/settings").problem(403, "admin_api_closed")
        call(s, "GET", "/api/v1/admin/settings", ada).problem(403, "forbidden")
        call(s, "PATCH", "/api/v1/admin/settings", ada, {"server_name": "Mine"}).problem(403, "forbidden")
        make_user(env, s, "mod@example.org", role="moderator")
        mod = login(s, "mod@example.org").json()["access_token"]
        call(s, "GET", "/api/v1/admin/settings", mod).problem(403, "forbidden")

        doc = call(s, "GET", "/api/v1/admin/settings", admin).json()
        st = doc["settings"]
        check(isinstance(doc["version"], int), doc)
        ttl = st["access_token_ttl"]
        check(ttl == {"type": "duration", "unit": "ms", "value": 900000, "default": 900000,
                      "min": 60000, "max": 86400000, "source": "default", "locked": False,
                      "secret": False, "public": False, "description": ttl["description"]}, ttl)
        check(st["registration"]["choices"] == ["closed", "open", "invite"], st["registration"])
        check(st["smtp_url"]["secret"] and st["smtp_url"]["value"] is None, st["smtp_url"])
        check(st["mfa_required_roles"]["value"] == [], st["mfa_required_roles"])
        # What takes a restart is not a setting.
        for boot_only in ("listen", "database_url", "admin_token", "data_dir", "http_threads"):
            check(boot_only not in st, boot_only)


def test_changes_apply_at_once_all_or_nothing_and_audited(env):
    with env.server(args=FAST) as s:
        admin, _ = setup(env, s)
        before = call(s, "GET", "/api/v1/admin/settings", admin).json()

        def refused(body, status, code):
            r = call(s, "PATCH", "/api/v1/admin/settings", admin, body)
            r.problem(status, code)
            return r.json()

        s.request("PATCH", "/api/v1/admin/settings", body="{nope",
                  headers={"Authorization": "Bearer " + admin, "Content-Type": "application/json"}).problem(400)
        call(s, "PATCH", "/api/v1/admin/settings", admin, ["server_name"]).problem(400)
        check(refused({"no_such_thing": 1}, 422, "unknown_setting")["setting"] == "no_such_thing")
        refused({"listen": "0.0.0.0:1"}, 422, "setting_not_live")
        refused({"admin_token": "x" * 40}, 422, "setting_not_live")
        refused({"password_min_length": 3}, 422, "invalid_setting")
        refused({"password_min_length": "16"}, 422, "invalid_setting")
        refused({"password_min_length": 12.5}, 422, "invalid_setting")
        refused({"password_require_classes": "yes"}, 422, "invalid_setting")
        refused({"access_token_ttl": "forever"}, 422, "invalid_setting")
        refused({"access_token_ttl": 1}, 422, "invalid_setting")
        refused({"registration": "maybe"}, 422, "invalid_setting")
        refused({"server_name": ""}, 422, "invalid_setting")
        refused({"server_name": "a" * 65}, 422, "invalid_setting")
        refused({"server_name": "bell\u0007"}, 422, "invalid_setting")
        refused({"server_name": "nul\u0000byte"}, 400, "malformed_json")
        refused({"rate_limit_login": "'; DROP TABLE server_settings;--"}, 422, "invalid_setting")
        refused({"public_url": "javascript:alert(1)"}, 422, "invalid_setting")
        refused({"public_url": ""}, 422, "invalid_setting")
        refused({"mail_from": "not an address"}, 422, "invalid_setting")
        refused({"mfa_required_roles": ["nope"]}, 422, "invalid_setting")
        refused({"mfa_required_roles": "admin"}, 422, "invalid_setting")
        # Keys checked together: a mail server needs a sender.
        p = refused({"smtp_url": "smtp://127.0.0.1:25", "mail_from": None}, 422, "invalid_setting")
        check("mail_from" in p["detail"], p)
        # All or nothing: a good change next to a bad one is not kept.
        refused({"server_name": "Half", "password_min_length": 3}, 422, "invalid_setting")
        refused({"server_name": "Half", "mfa_required_roles": ["nope"]}, 422, "invalid_setting")
        after = call(s, "GET", "/api/v1/admin/settings", admin).json()
        check(after["settings"] == before["settings"], "nothing changed")
        check(stored_rows(s, env) == [], stored_rows(s, env))

        r = call(s, "PATCH", "/api/v1/admin/settings", admin,
                 {"server_name": "Maison Zoë", "registration": "open", "password_min_length": 16,
                  "access_token_ttl": "10m", "rate_limit_register": "2/h",
                  "mfa_required_roles": ["admin"]})
        check(r.status == 200, r.body)
        st = r.json()["settings"]
        check(st["server_name"]["value"] == "Maison Zoë" and st["server_name"]["source"] == "settings"
              and st["access_token_ttl"]["value"] == 600000 and st["registration"]["value"] == "open"
              and st["rate_limit_register"]["value"] == "2/h"
              and st["mfa_required_roles"]["value"] == ["admin"], st)
        check(r.json()["version"] > before["version"], r.json()["version"])

        # Applied without a restart: the sign-in page, registration, tokens.
        pub = s.request("GET", "/api/v1/settings").json()
        check(pub["server_name"] == "Maison Zoë" and pub["registration"] == "open"
              and pub["password_min_length"] == 16, pub)
        jpost(s, "/api/v1/auth/register", {"email": "short@example.org",
                                          "password": "fifteen chars!!"}).problem(422)
        r = jpost(s, "/api/v1/auth/register", {"email": "new@example.org", "password": PASSWORD})
        check(r.status == 202, r.body)
        make_user(env, s, "member@example.org")
        t = login(s, "member@example.org").json()
        check(t["expires_in"] == 600, t)
        # The MFA policy set through settings is the one /admin/mfa-policy shows.
        check(call(s, "GET", "/api/v1/admin/mfa-policy", admin).json()["required_roles"] == ["admin"])

        # The audit log has each change with before and after.
        time.sleep(0.3)
        items = call(s, "GET", "/api/v1/admin/audit-logs?action=settings.updated", admin).json()["items"]
        check(len(items) == 1, items)
        ch = items[0]["details"]["changes"]
        check(ch["server_name"] == {"before": "Marquee", "after": "Maison Zoë"}
              and ch["access_token_ttl"] == {"before": 900000, "after": 600000}
              and ch["mfa_required_roles"] == {"before": [], "after": ["admin"]}, ch)

        # null takes a key back to its default.
        r = call(s, "PATCH", "/api/v1/admin/settings", admin, {"registration": None})
        check(r.json()["settings"]["registration"]["source"] == "default", r.body)
        jpost(s, "/api/v1/auth/register", {"email": "late@example.org",
                                          "password": PASSWORD}).problem(403, "registration_closed")

        # Stored, so a restart keeps them.
        s.stop()
        s.start()
        pub = s.request("GET", "/api/v1/settings").json()
        check(pub["server_name"] == "Maison Zoë" and pub["registration"] == "closed", pub)


def test_the_operators_values_are_locked(env):
    with env.server(args=FAST + ["--password-min-length", "20"],
                    env={"MARQUEE_REGISTRATION": "open"}) as s:
        admin, _ = setup(env, s)
        st = call(s, "GET", "/api/v1/admin/settings", admin).json()["settings"]
        check(st["password_min_length"]["locked"] and st["password_min_length"]["source"] == "flag"
              and st["password_min_length"]["value"] == 20, st["password_min_length"])
        check(st["registration"]["locked"] and st["registration"]["source"] == "environment", st["registration"])
        r = call(s, "PATCH", "/api/v1/admin/settings", admin, {"password_min_length": 12})
        r.problem(409, "setting_locked")
        check(r.json()["setting"] == "password_min_length", r.body)
        call(s, "PATCH", "/api/v1/admin/settings", admin, {"registration": None}).problem(409, "setting_locked")
        check(s.request("GET", "/api/v1/settings").json()["password_min_length"] == 20)


def test_secret_settings_are_sealed_and_used(env):
    with SmtpSink(auth="marquee:s3cret-pass") as sink, env.server(args=FAST) as s:
        admin, _ = setup(env, s)
        make_user(env, s, "ada@example.org")
        r = call(s, "PATCH", "/api/v1/admin/settings", admin,
                 {"smtp_url": sink.url(), "mail_from": "hub@marquee.test", "server_name": "Zoë's \"Hub\""})
        check(r.status == 200, r.body)
        shown = r.json()["settings"]["smtp_url"]
        check(shown["value"] == "smtp://marquee:****@127.0.0.1:%d" % sink.port, shown)
        rows = stored_rows(s, env)
        check(any(l.startswith("smtp_url=mqs1.") for l in rows) and "s3cret" not in "".join(rows), rows)

        # The job runner mails through the new server at once, as the new name.
        jpost(s, "/api/v1/auth/forgot-password", {"email": "ada@example.org"})
        msg = sink.wait(1)[0]
        check(msg["From"].addresses[0].display_name == "Zoë's \"Hub\""
              and msg["From"].addresses[0].addr_spec == "hub@marquee.test", str(msg["From"]))

        # Rotating the master key re-seals it; it still opens after a restart.
        r = call(s, "POST", "/api/v1/admin/rotate-keys", admin)
        check(r.status == 200 and r.json()["resealed"] >= 1, r.body)
        check(stored_rows(s, env) != rows, "re-sealed")
        s.stop()
        s.start()
        admin = login(s, "root@example.org").json()["access_token"]
        shown = call(s, "GET", "/api/v1/admin/settings", admin).json()["settings"]["smtp_url"]
        check(shown["value"].endswith(":****@127.0.0.1:%d" % sink.port), shown)
        jpost(s, "/api/v1/auth/forgot-password", {"email": "ada@example.org"})
        sink.wait(2)
        time.sleep(0.3)
        log = json.dumps(call(s, "GET", "/api/v1/admin/audit-logs?action=settings.updated", admin).json())
        check("s3cret" not in log and "****" in log, log)
        s.stop()
        check(not any("s3cret" in l for l in s.lines))


@backends("postgres")
def test_another_instance_takes_the_change_up(env):
    with env.server(args=FAST) as a:
        admin, _ = setup(env, a)
        key_file = os.path.join(a.data_dir, "master.key")
        with env.server(args=FAST, database_url=a.database_url,
                        env={"MARQUEE_MASTER_KEY_FILE": key_file}) as b:
            check(b.request("GET", "/api/v1/settings").json()["server_name"] == "Marquee")
            r = call(a, "PATCH", "/api/v1/admin/settings", admin,
                     {"server_name": "Shared", "password_require_classes": True})
            check(r.status == 200, r.body)
            # The other instance looks every second.
            deadline, pub = time.time() + 5, {}
            while time.time() < deadline:
                pub = b.request("GET", "/api/v1/settings").json()
                if pub["server_name"] == "Shared":
                    break
                time.sleep(0.1)
            check(pub["server_name"] == "Shared" and pub["password_require_classes"] is True, pub)


def test_invite_only_registration(env):
    with env.server(args=FAST) as s:
        admin, (ada,) = setup(env, s, "ada@example.org")
        check(call(s, "PATCH", "/api/v1/admin/settings", admin,
                   {"registration": "invite", "rate_limit_register": "off"}).status == 200)
        check(s.request("GET", "/api/v1/settings").json()["registration"] == "invite")
        reg = lambda body: jpost(s, "/api/v1/auth/register", dict({"password": PASSWORD}, **body))
        reg({"email": "zed@example.org"}).problem(403, "invite_required")
        for junk in ("mqi_" + "A" * 43, "nope", "'; DROP TABLE invites;--", "mqi_" + "é" * 43):
            reg({"email": "zed@example.org", "invite": junk}).problem(403, "invalid_invite")

        # Who may invite, and to what: never to more than one holds.
        call(s, "POST", "/api/v1/admin/invites", ada, {}).problem(403, "forbidden")
        call(s, "POST", "/api/v1/admin/roles", admin, {"name": "greeter", "permissions": ["users:invite"]})
        ada_id = call(s, "GET", "/api/v1/admin/users?q=ada@", admin).json()["items"][0]["id"]
        call(s, "POST", "/api/v1/admin/users/%s/roles" % ada_id, admin, {"role": "greeter"})
        call(s, "POST", "/api/v1/admin/invites", ada, {"role": "admin"}).problem(403, "not_within_yours")
        r = call(s, "POST", "/api/v1/admin/invites", ada, {})
        check(r.status == 201 and r.json()["role"] == "user", r.body)
        adas = r.json()

        call(s, "POST", "/api/v1/admin/invites", admin, {"expires_in": 10}).problem(422, "invalid_expiry")
        call(s, "POST", "/api/v1/admin/invites", admin, {"expires_in": "1h"}).problem(422, "invalid_expiry")
        call(s, "POST", "/api/v1/admin/invites", admin, {"role": "nope"}).problem(422, "unknown_role")
        call(s, "POST", "/api/v1/admin/invites", admin, {"email": "not-an-address"}).problem(422, "invalid_email")
        r = call(s, "POST", "/api/v1/admin/invites", admin,
                 {"email": "Zed@Example.org", "role": "moderator", "expires_in": 3600})
        check(r.status == 201 and r.header("Cache-Control") == "no-store", r.body)
        inv = r.json()
        check(inv["code"].startswith("mqi_") and inv["url"].endswith("/register?invite=" + inv["code"])
              and inv["state"] == "pending" and inv["role"] == "moderator", inv)

        # For one address only, then used up.
        reg({"email": "other@example.org", "invite": inv["code"]}).problem(403, "invalid_invite")
        r = reg({"email": "zed@EXAMPLE.org", "invite": inv["code"]})
        check(r.status == 202, r.body)
        check(login(s, "zed@example.org").status == 200)
        zed = call(s, "GET", "/api/v1/admin/users?q=zed@", admin).json()["items"][0]
        check(zed["roles"] == ["moderator"], zed)
        reg({"email": "zed2@example.org", "invite": inv["code"]}).problem(403, "invalid_invite")

        items = call(s, "GET", "/api/v1/admin/invites", admin).json()["items"]
        used = [i for i in items if i["id"] == inv["id"]][0]
        check(used["state"] == "used" and used["email"] is None and used["used_by"], used)
        check("code" not in used and all("code" not in i for i in items), items)

        # Revoked: gone at once.
        check(call(s, "DELETE", "/api/v1/admin/invites/" + adas["id"], admin).status == 204)
        reg({"email": "late@example.org", "invite": adas["code"]}).problem(403, "invalid_invite")
        call(s, "DELETE", "/api/v1/admin/invites/" + adas["id"], admin).problem(404, "invite_not_found")
        call(s, "DELETE", "/api/v1/admin/invites/../../x", admin).problem(400, "invalid_path")
        call(s, "DELETE", "/api/v1/admin/invites/x%27%20OR%201=1", admin).problem(404, "invite_not_found")

        # An address that has an account gets the same answer, and the
        # invitation is used up all the same.
        inv2 = call(s, "POST", "/api/v1/admin/invites", admin, {}).json()
        check(reg({"email": "root@example.org", "invite": inv2["code"]}).status == 202)
        reg({"email": "fresh@example.org", "invite": inv2["code"]}).problem(403, "invalid_invite")

        # Closed means closed, invitation or not.
        inv3 = call(s, "POST", "/api/v1/admin/invites", admin, {}).json()
        call(s, "PATCH", "/api/v1/admin/settings", admin, {"registration": "closed"})
        reg({"email": "new@example.org", "invite": inv3["code"]}).problem(403, "registration_closed")
        # Open: anyone, and an invitation still gives its role.
        call(s, "PATCH", "/api/v1/admin/settings", admin, {"registration": "open"})
        check(reg({"email": "walkin@example.org"}).status == 202)
        reg({"email": "new@example.org", "invite": "mqi_" + "B" * 43}).problem(403, "invalid_invite")

        time.sleep(0.3)
        log = call(s, "GET", "/api/v1/admin/audit-logs?action=invite.created", admin).json()["items"]
        check(len(log) == 4 and "zed" not in json.dumps(log).lower(), log)
