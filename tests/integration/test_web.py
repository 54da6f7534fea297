"""The web app in headless Chromium: each test arranges accounts and media
through the API, then runs one scenario of web/e2e/ (playwright-core
driving Debian's chromium) against a real server; the scenario also scans
every page it visits with axe-core. run.py runs these with --browser."""
import json
import os
import re
import subprocess
import tempfile
import shutil

from harness import SmtpSink, check, free_port
from test_auth import FAST, PASSWORD, bearer, login, make_user

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def web_server(env, extra_env=None, args=()):
    """A server reached at http://localhost:PORT: a passkey's relying party
    must be a name, not an address."""
    port = free_port()
    e = {"MARQUEE_LISTEN": "127.0.0.1:%d" % port, "MARQUEE_PUBLIC_URL": "http://localhost:%d" % port}
    e.update(extra_env or {})
    return env.server(args=FAST + list(args), env=e)


def base(s):
    return "http://localhost:%d" % s.port


def scenario(name, cfg, timeout=150):
    e = dict(os.environ)
    e["MQ_E2E"] = json.dumps(cfg)
    r = subprocess.run(["node", os.path.join(ROOT, "web/e2e/run.mjs"), name], env=e, cwd=ROOT,
                       capture_output=True, text=True, timeout=timeout)
    out = (r.stdout + r.stderr).strip()
    check(r.returncode == 0, out[-4000:])
    print("# " + out.splitlines()[-1])


def test_first_run(env):
    with web_server(env) as s:
        line = s.wait_log(r"create the first admin at")
        m = re.search(r"(http://\S+/setup\?token=[A-Za-z0-9_-]+)", line)
        check(m, line)
        scenario("first_run", {"base": base(s), "setup_url": m.group(1), "password": PASSWORD})


def member(env, s, email="ada@example.org", admin=False):
    make_user(env, s, email, admin=admin)
    return login(s, email).json()["access_token"]


def test_mfa(env):
    with web_server(env) as s:
        member(env, s)
        scenario("mfa", {"base": base(s), "email": "ada@example.org", "password": PASSWORD})


def test_passkey(env):
    with web_server(env) as s:
        member(env, s)
        scenario("passkey", {"base": base(s), "email": "ada@example.org", "password": PASSWORD})


def test_invitation_and_reset(env):
    with SmtpSink() as sink:
        e = {"MARQUEE_SMTP_URL": sink.url(), "MARQUEE_MAIL_FROM": "marquee@marquee.test"}
        with web_server(env, e, args=["--registration", "invite"]) as s:
            root = member(env, s, "root@example.org", admin=True)
            inv = s.request("POST", "/api/v1/admin/invites", json.dumps({}).encode(),
                            dict(bearer(root), **{"Content-Type": "application/json"})).json()
            check(inv["url"].startswith(base(s) + "/register?invite="), inv)
            scenario("accounts", {"base": base(s), "invite_url": inv["url"], "invite_code": inv["code"],
                                  "mail_dir": sink.dir, "password": PASSWORD,
                                  "new_password": "a brand new passphrase 5521"})
