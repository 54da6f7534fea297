"""Second factors: TOTP checked against Debian's oathtool, backup codes,
remembered devices, the MFA policy, re-authentication, and secrets sealed at
rest (a database dump is searched for them)."""
import base64
import json
import os
import re
import sqlite3
import subprocess
import time

from harness import SmtpSink, check, mail_parts
from test_account import mail_server, subject
from test_auth import FAST, PASSWORD, bearer, jpost, login, make_user
from test_jobs import TOKEN

CODE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


def oathtool(secret, offset=0):
    """The code Debian's oathtool computes, `offset` steps from now."""
    args = ["oathtool", "--totp", "-b", secret]
    if offset:
        args += ["-N", "%+d seconds" % (30 * offset)]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()


def call(s, method, path, token, body=None):
    h = bearer(token)
    if body is not None:
        h["Content-Type"] = "application/json"
        body = json.dumps(body)
    return s.request(method, path, body=body, headers=h)


def enrol_totp(s, token):
    """Sets up and confirms an authenticator; returns its base32 secret."""
    r = call(s, "POST", "/api/v1/mfa/totp/setup", token)
    check(r.status == 200, r.body)
    secret = r.json()["secret"]
    r = call(s, "POST", "/api/v1/mfa/totp/verify", token, {"code": oathtool(secret)})
    check(r.status == 200 and r.json()["enabled"] is True, r.body)
    return secret


def mfa_login(s, email, method, code, **extra):
    r = login(s, email)
    check(r.status == 200 and r.json().get("mfa_required") is True, r.body)
    body = {"mfa_token": r.json()["mfa_token"], "method": method, "code": code}
    body.update(extra)
    return jpost(s, "/api/v1/auth/mfa/verify", body)


def dump(env, s):
    """Everything the database holds, as text: what a backup would leak."""
    if s.database_url:
        pg_dump = os.path.join(env.pg_bin, "pg_dump")
        return env._pg(pg_dump, "-d", s.database_url).stdout
    db = sqlite3.connect(os.path.join(s.data_dir, "marquee.db"))
    try:
        return "\n".join(db.iterdump())
    finally:
        db.close()


def test_totp_sign_in_with_oathtool(env):
    with env.server(args=FAST + ["--lockout-threshold", "20", "--rate-limit-login", "100/min"]) as s:
        make_user(env, s, "ada@example.org")
        t = login(s, "ada@example.org").json()["access_token"]
        st = call(s, "GET", "/api/v1/mfa/status", t).json()
        check(st["enabled"] is False and st["totp"] == {"enabled": False, "pending": False}, st)

        r = call(s, "POST", "/api/v1/mfa/totp/setup", t)
        check(r.status == 200 and r.header("Cache-Control") == "no-store", r.body)
        setup = r.json()
        secret = setup["secret"]
        # 160 bits in base32 without padding: 32 characters.
        check(re.fullmatch(r"[A-Z2-7]{32}", secret), secret)
        check(setup["otpauth_uri"] == "otpauth://totp/Marquee:ada%40example.org?secret=" + secret +
              "&issuer=Marquee&algorithm=SHA1&digits=6&period=30", setup["otpauth_uri"])
        check(setup["qr_svg"].startswith("<svg ") and setup["qr_svg"].endswith("</svg>"), setup["qr_svg"][:80])
        png = base64.b64decode(setup["qr_png"])
        check(png.startswith(b"\x89PNG\r\n\x1a\n"), png[:8])
        # Not on until a first right code.
        check(login(s, "ada@example.org").json().get("access_token"), "a pending factor must not be asked for")
        st = call(s, "GET", "/api/v1/mfa/status", t).json()
        check(st["totp"] == {"enabled": False, "pending": True} and st["enabled"] is False, st)
        call(s, "POST", "/api/v1/mfa/totp/verify", t, {"code": "000000" if oathtool(secret) != "000000" else "111111"}).problem(422, "invalid_code")
        call(s, "POST", "/api/v1/mfa/totp/verify", t, {"code": "12345"}).problem(422, "invalid_code")
        now = oathtool(secret)
        r = call(s, "POST", "/api/v1/mfa/totp/verify", t, {"code": now})
        check(r.status == 200 and r.json()["enabled"] is True and r.json()["totp"]["enabled"], r.body)
        call(s, "POST", "/api/v1/mfa/totp/setup", t).problem(409, "totp_already_enabled")

        # A right password now yields an mfa_token and no tokens.
        r = login(s, "ada@example.org")
        body = r.json()
        check(r.status == 200 and body["mfa_required"] is True and body["methods"] == ["totp"]
              and body["mfa_token"].startswith("mqm_") and body["expires_in"] == 300
              and "access_token" not in body, body)
        # The code used to confirm works once only, even inside its window.
        v = {"mfa_token": body["mfa_token"], "method": "totp", "code": now}
        jpost(s, "/api/v1/auth/mfa/verify", v).problem(401, "invalid_code")
        jpost(s, "/api/v1/auth/mfa/verify", dict(v, method="sms")).problem(422, "unsupported_method")
        jpost(s, "/api/v1/auth/mfa/verify", dict(v, method="backup_code", code="AAAA-AAAA-AAAA-AAAA")).problem(422, "method_not_available")
        r = jpost(s, "/api/v1/auth/mfa/verify", dict(v, code=oathtool(secret, +1)))
        check(r.status == 200 and r.json()["access_token"] and "device_token" not in r.json(), r.body)
        t2 = r.json()["access_token"]
        # The mfa_token was single use.
        jpost(s, "/api/v1/auth/mfa/verify", dict(v, code=oathtool(secret, +1))).problem(401, "invalid_mfa_token")
        sessions = call(s, "GET", "/api/v1/sessions", t2).json()["items"]
        mine = [x for x in sessions if x["current"]][0]
        check(mine["mfa"] == "totp" and mine["mfa_verified_at"], mine)

        # Five attempts per mfa_token, then it is dead, right code or not.
        body = login(s, "ada@example.org").json()
        for _ in range(5):
            jpost(s, "/api/v1/auth/mfa/verify", {"mfa_token": body["mfa_token"], "method": "totp",
                                                 "code": "999999"}).problem(401)
        jpost(s, "/api/v1/auth/mfa/verify", {"mfa_token": body["mfa_token"], "method": "totp",
                                             "code": oathtool(secret)}).problem(401, "invalid_mfa_token")
        # Garbage tokens are refused the same way, before any lookup.
        for junk in ["", "mqm_x", "'; DROP TABLE mfa_challenges;--", "mqm_" + "A" * 43]:
            jpost(s, "/api/v1/auth/mfa/verify", {"mfa_token": junk, "method": "totp",
                                                 "code": "123456"}).problem(401, "invalid_mfa_token")
        jpost(s, "/api/v1/auth/mfa/verify", {"method": "totp"}).problem(400)


def test_backup_codes(env):
    with env.server(args=FAST) as s:
        make_user(env, s, "ada@example.org")
        t = login(s, "ada@example.org").json()["access_token"]
        secret = enrol_totp(s, t)
        r = call(s, "POST", "/api/v1/mfa/backup-codes/generate", t)
        check(r.status == 200 and r.header("Cache-Control") == "no-store", r.body)
        codes = r.json()["codes"]
        check(len(codes) == 10 and len(set(codes)) == 10 and all(CODE_RE.match(c) for c in codes), codes)
        call(s, "POST", "/api/v1/mfa/backup-codes/generate", t).problem(409, "backup_codes_exist")
        check(login(s, "ada@example.org").json()["methods"] == ["totp", "backup_code"], "methods")

        # Case and dashes do not matter; each works once.
        typed = codes[0].replace("-", "").lower()
        r = mfa_login(s, "ada@example.org", "backup_code", typed)
        check(r.status == 200 and r.json()["access_token"], r.body)
        mfa_login(s, "ada@example.org", "backup_code", codes[0]).problem(401, "invalid_code")
        st = call(s, "GET", "/api/v1/mfa/status", t).json()
        check(st["backup_codes"] == {"remaining": 9, "total": 10}, st)
        if not s.database_url:
            db = sqlite3.connect(os.path.join(s.data_dir, "marquee.db"))
            used = db.execute("SELECT used_at, used_ip FROM mfa_backup_codes WHERE used_at IS NOT NULL").fetchall()
            db.close()
            check(len(used) == 1 and used[0][1] == "127.0.0.1", used)

        # Regenerated: the old ones die.
        new = call(s, "POST", "/api/v1/mfa/backup-codes/regenerate", t).json()["codes"]
        check(not set(new) & set(codes), "fresh codes")
        mfa_login(s, "ada@example.org", "backup_code", codes[1]).problem(401, "invalid_code")
        check(mfa_login(s, "ada@example.org", "backup_code", " " + new[3] + " ").status == 200, "new code")
        check(oathtool(secret), "oathtool still runs")


def test_wrong_codes_lock_the_account(env):
    with env.server(args=FAST + ["--lockout-threshold", "3"]) as s:
        make_user(env, s, "ada@example.org")
        t = login(s, "ada@example.org").json()["access_token"]
        secret = enrol_totp(s, t)
        wrong = "000000" if oathtool(secret) != "000000" else "111111"
        # A right password does not reset the count while a factor is pending.
        for _ in range(3):
            mfa_login(s, "ada@example.org", "totp", wrong).problem(401, "invalid_code")
        login(s, "ada@example.org").problem(401, "invalid_credentials")


def test_remembered_device(env):
    with env.server(args=FAST) as s:
        make_user(env, s, "ada@example.org")
        t = login(s, "ada@example.org").json()["access_token"]
        secret = enrol_totp(s, t)
        r = mfa_login(s, "ada@example.org", "totp", oathtool(secret, +1), remember_device=True)
        check(r.status == 200 and r.json()["device_token"].startswith("mqd_"), r.body)
        device = r.json()["device_token"]
        r = jpost(s, "/api/v1/auth/login", {"email": "ada@example.org", "password": PASSWORD,
                                            "device_token": device})
        check(r.status == 200 and r.json()["access_token"], r.body)
        t2 = r.json()["access_token"]
        mine = [x for x in call(s, "GET", "/api/v1/sessions", t2).json()["items"] if x["current"]][0]
        check(mine["mfa"] == "trusted_device", mine)
        devices = call(s, "GET", "/api/v1/sessions/trusted-devices", t2).json()["items"]
        check(len(devices) == 1 and devices[0]["last_used_at"], devices)
        # A device token does not stand in for the password.
        jpost(s, "/api/v1/auth/login", {"email": "ada@example.org", "password": "wrong password here",
                                        "device_token": device}).problem(401, "invalid_credentials")
        call(s, "DELETE", "/api/v1/sessions/trusted-devices/" + devices[0]["id"], t2)
        call(s, "DELETE", "/api/v1/sessions/trusted-devices/" + devices[0]["id"], t2).problem(404)
        r = jpost(s, "/api/v1/auth/login", {"email": "ada@example.org", "password": PASSWORD,
                                            "device_token": device})
        check(r.json().get("mfa_required") is True, r.body)


def test_changes_need_recent_proof_and_are_mailed(env):
    with SmtpSink() as sink, mail_server(env, sink, ["--reauth-window", "2s"]) as s:
        make_user(env, s, "ada@example.org")
        t = login(s, "ada@example.org").json()["access_token"]
        other = login(s, "ada@example.org").json()["access_token"]
        secret = enrol_totp(s, t)
        msg = sink.wait(1)[0]
        check(subject(msg) == "Your Marquee sign-in protection changed", subject(msg))
        text, _ = mail_parts(msg)
        check("authenticator app was added" in text, text)

        time.sleep(2.5)
        call(s, "DELETE", "/api/v1/mfa/totp", t).problem(403, "reauthentication_required")
        call(s, "POST", "/api/v1/mfa/disable", t).problem(403, "reauthentication_required")
        call(s, "POST", "/api/v1/auth/reauthenticate", t, {"password": "not my password"}).problem(403, "wrong_password")
        call(s, "POST", "/api/v1/auth/reauthenticate", t, {}).problem(422, "invalid_body")
        r = call(s, "POST", "/api/v1/auth/reauthenticate", t, {"method": "totp", "code": oathtool(secret, +1)})
        check(r.status == 200 and r.json()["valid_until"], r.body)
        r = call(s, "POST", "/api/v1/mfa/disable", t, {"end_other_sessions": True})
        check(r.status == 200 and r.json()["enabled"] is False and r.json()["other_sessions_ended"] == 1, r.body)
        call(s, "GET", "/api/v1/users/me", other).problem(401)
        check("turned off" in mail_parts(sink.wait(2)[1])[0], "disable notice")
        check(login(s, "ada@example.org").json().get("access_token"), "MFA off: password only")
        r = call(s, "POST", "/api/v1/mfa/enable", t)
        check(r.status == 200 and r.json()["enabled"] is True, r.body)
        time.sleep(2.5)
        call(s, "POST", "/api/v1/mfa/enable", t).problem(403, "reauthentication_required")
        r = call(s, "POST", "/api/v1/auth/reauthenticate", t, {"password": PASSWORD})
        check(r.status == 200, r.body)
        r = call(s, "DELETE", "/api/v1/mfa/totp", t)
        check(r.status == 200 and r.json()["enabled"] is False and r.json()["totp"]["enabled"] is False, r.body)
        call(s, "DELETE", "/api/v1/mfa/totp", t).problem(404)
        call(s, "POST", "/api/v1/mfa/enable", t).problem(422, "mfa_no_factor")
        # Every change is in the audit log.
        r = s.request("GET", "/api/v1/admin/audit-logs?limit=200", headers=bearer(TOKEN))
        actions = {e["action"] for e in r.json()["items"]}
        for a in ["mfa.totp_setup", "mfa.totp_enabled", "mfa.disabled", "mfa.enabled",
                  "mfa.totp_removed", "reauthenticated", "reauthentication_failed"]:
            check(a in actions, (a, sorted(actions)))


def test_policy_makes_a_role_enrol(env):
    with env.server(args=FAST, env={"MARQUEE_ADMIN_TOKEN": TOKEN}) as s:
        make_user(env, s, "root@example.org", admin=True)
        make_user(env, s, "ada@example.org")
        admin = login(s, "root@example.org").json()["access_token"]
        call(s, "PUT", "/api/v1/admin/mfa-policy", admin, {"required_roles": ["wizard"]}).problem(422, "unknown_role")
        call(s, "PUT", "/api/v1/admin/mfa-policy", admin, {"required_roles": "admin"}).problem(400)
        user = login(s, "ada@example.org").json()["access_token"]
        call(s, "PUT", "/api/v1/admin/mfa-policy", user, {"required_roles": []}).problem(403)
        r = call(s, "PUT", "/api/v1/admin/mfa-policy", admin, {"required_roles": ["admin", "admin"]})
        check(r.status == 200 and r.json() == {"required_roles": ["admin"]}, r.body)
        check(call(s, "GET", "/api/v1/admin/mfa-policy", admin).json() == {"required_roles": ["admin"]}, "policy")

        # An admin without a factor gets an enrol-only session.
        r = login(s, "root@example.org")
        check(r.status == 200 and r.json()["mfa_enrollment_required"] is True, r.body)
        t = r.json()["access_token"]
        call(s, "GET", "/api/v1/sessions", t).problem(403, "mfa_enrollment_required")
        call(s, "GET", "/api/v1/admin/jobs", t).problem(403, "mfa_enrollment_required")
        check(call(s, "GET", "/api/v1/users/me", t).status == 200, "me")
        check(call(s, "GET", "/api/v1/mfa/status", t).json()["required"] is True, "required")
        secret = enrol_totp(s, t)
        # Enrolled: the same session is a full one now.
        check(call(s, "GET", "/api/v1/sessions", t).status == 200, "full session")
        call(s, "POST", "/api/v1/mfa/disable", t).problem(403, "mfa_required_by_policy")
        call(s, "DELETE", "/api/v1/mfa/totp", t).problem(403, "mfa_required_by_policy")
        check(mfa_login(s, "root@example.org", "totp", oathtool(secret, +1)).status == 200, "admin MFA")
        # Users are not concerned.
        check(login(s, "ada@example.org").json().get("access_token"), "user")


def test_secrets_are_sealed_and_keys_rotate(env):
    with env.server(args=FAST, env={"MARQUEE_ADMIN_TOKEN": TOKEN}) as s:
        make_user(env, s, "ada@example.org")
        key_file = os.path.join(s.data_dir, "master.key")
        check(os.stat(key_file).st_mode & 0o777 == 0o600, oct(os.stat(key_file).st_mode))
        t = login(s, "ada@example.org").json()["access_token"]
        secret = call(s, "POST", "/api/v1/mfa/totp/setup", t).json()["secret"]
        raw = base64.b32decode(secret + "=" * (-len(secret) % 8))

        # The CLI rotates while the server runs; the pending secret moves to the new key.
        extra = {"MARQUEE_DATA_DIR": s.data_dir}
        if s.database_url:
            extra["MARQUEE_DATABASE_URL"] = s.database_url
        r = env.run_cli(["keys", "rotate"], env=extra)
        check(r.returncode == 0 and "1 secrets re-sealed, 1 old keys dropped" in r.stdout, r.stdout + r.stderr)
        with open(key_file) as f:
            check(len(f.read().split("\n")) == 2, "one key left")
        r = call(s, "POST", "/api/v1/mfa/totp/verify", t, {"code": oathtool(secret)})
        check(r.status == 200, r.body)
        codes = call(s, "POST", "/api/v1/mfa/backup-codes/generate", t).json()["codes"]

        text = dump(env, s)
        check("mfa_totp" in text and "mqs1." in text, "the dump holds the sealed secret")
        for needle in [secret, secret.lower(), raw.hex(), base64.b64encode(raw).decode(),
                       base64.urlsafe_b64encode(raw).decode().rstrip("=")] + codes + \
                      [c.replace("-", "") for c in codes]:
            check(needle not in text, "a secret in clear in the dump: " + needle)

        r = s.request("POST", "/api/v1/admin/rotate-keys", headers=bearer(TOKEN))
        check(r.status == 200 and r.json()["resealed"] == 1 and r.json()["retired"] == 1
              and r.json()["unreadable"] == 0, r.body)
        check(mfa_login(s, "ada@example.org", "totp", oathtool(secret, +1)).status == 200, "after rotation")
        call(s, "POST", "/api/v1/admin/rotate-keys", t).problem(403)


def test_signing_key_rotation(env):
    with env.server(args=FAST) as s:
        make_user(env, s, "ada@example.org")
        old = login(s, "ada@example.org").json()["access_token"]
        kids = [k["kid"] for k in s.request("GET", "/.well-known/jwks.json").json()["keys"]]
        check(len(kids) == 1, kids)
        extra = {"MARQUEE_DATA_DIR": s.data_dir}
        if s.database_url:
            extra["MARQUEE_DATABASE_URL"] = s.database_url
        r = env.run_cli(["keys", "rotate-signing"], env=extra)
        check(r.returncode == 0 and "replaces " + kids[0] in r.stdout, r.stdout + r.stderr)
        time.sleep(1.2)
        new = login(s, "ada@example.org").json()["access_token"]

        def kid(token):
            head = token.split(".")[0]
            return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))["kid"]
        check(kid(old) == kids[0] and kid(new) != kids[0], (kid(old), kid(new)))
        now = [k["kid"] for k in s.request("GET", "/.well-known/jwks.json").json()["keys"]]
        check(set(now) == {kids[0], kid(new)}, now)
        for token in [old, new]:
            check(s.request("GET", "/api/v1/users/me", headers=bearer(token)).status == 200, "both verify")


def test_admin_resets_lost_factors(env):
    with SmtpSink() as sink, mail_server(env, sink) as s:
        make_user(env, s, "root@example.org", admin=True)
        make_user(env, s, "ada@example.org")
        make_user(env, s, "mod@example.org", role="moderator")
        admin = login(s, "root@example.org").json()["access_token"]
        ada = login(s, "ada@example.org").json()["access_token"]
        enrol_totp(s, ada)
        r = call(s, "POST", "/api/v1/mfa/backup-codes/generate", ada)
        check(r.status in (200, 201), r.body)
        check(login(s, "ada@example.org").json().get("mfa_required") is True, "asks for a factor")
        users = call(s, "GET", "/api/v1/admin/users", admin).json()["items"]
        ids = {u["email"]: u["id"] for u in users}

        # Not for members, not for a moderator over an admin, not by guessing ids.
        call(s, "DELETE", "/api/v1/admin/users/%s/mfa" % ids["root@example.org"], ada).problem(403, "forbidden")
        mod = login(s, "mod@example.org").json()["access_token"]
        call(s, "DELETE", "/api/v1/admin/users/%s/mfa" % ids["root@example.org"], mod).problem(403)
        call(s, "DELETE", "/api/v1/admin/users/nope/mfa", admin).problem(404, "user_not_found")
        call(s, "DELETE", "/api/v1/admin/users/%s/mfa" % "01a20000-0000-7000-8000-000000000000", admin).problem(404)

        r = call(s, "DELETE", "/api/v1/admin/users/%s/mfa" % ids["ada@example.org"], admin)
        check(r.status == 200 and r.json() == {"factors_removed": 1}, r.body)
        # Signing in no longer asks; the member is told, and the log says who did it.
        t = login(s, "ada@example.org").json()
        check(t.get("access_token") and not t.get("mfa_required"), t)
        status = call(s, "GET", "/api/v1/mfa/status", t["access_token"]).json()
        check(not status["enabled"] and not status["totp"]["enabled"] and status["backup_codes"]["remaining"] == 0, status)
        sink.wait_for(lambda m: "administrator removed your second factors" in mail_parts(m)[0])
        time.sleep(0.3)
        items = call(s, "GET", "/api/v1/admin/audit-logs?action=admin.user_mfa_reset", admin).json()["items"]
        check(len(items) == 1 and items[0]["target"]["id"] == ids["ada@example.org"], items)
