"""Accounts from the command line: marquee user create."""
import os
import subprocess
import tempfile

from harness import check

PASSWORD = "correct horse battery staple 8472"


def run(env, d, db, args, password=PASSWORD):
    extra = {"MARQUEE_DATA_DIR": d, "MARQUEE_ARGON2_MEMORY": "8MiB", "MARQUEE_ARGON2_ITERATIONS": "1"}
    if db:
        extra["MARQUEE_DATABASE_URL"] = db
    return env.run_cli(["user", "create"] + args, env=extra,
                       input=None if password is None else password + "\n")


def test_user_create(env):
    d = tempfile.mkdtemp()
    db = env.new_database() if env.backend == "postgres" else None
    name = "Ada <b>Lovelace</b> ✨ '; DROP TABLE users;--"
    r = run(env, d, db, ["--admin", "--email", "Ada.Lovelace@Example.org", "--name", name,
                         "--password-stdin"])
    check(r.returncode == 0 and "created admin Ada.Lovelace@Example.org" in r.stdout, r.stdout + r.stderr)
    check(PASSWORD not in r.stdout + r.stderr)
    r = run(env, d, db, ["--email", "ada.lovelace@EXAMPLE.org", "--password-stdin"])
    check(r.returncode == 1 and "email_taken" in r.stderr, r.stderr)
    for args, pw, code in [
        (["--email", "x@example.org", "--password-stdin"], "password12345", "weak_password"),
        (["--email", "x@example.org", "--password-stdin"], "short", "password_too_short"),
        (["--email", "not an address", "--password-stdin"], PASSWORD, "invalid_email"),
        (["--email", "x@example.org", "--role", "root", "--password-stdin"], PASSWORD, "invalid_role"),
    ]:
        r = run(env, d, db, args, pw)
        check(r.returncode == 2 and code in r.stderr, (args, r.stderr))
    r = run(env, d, db, ["--email", "x@example.org"], None)
    check(r.returncode == 2 and "--password-stdin" in r.stderr, r.stderr)
    r = run(env, d, db, ["--email", "x@example.org", "--password-stdin"], "")
    check(r.returncode == 2, r.stderr)

    # The password is nowhere in the database, only its argon2id hash.
    if env.backend == "sqlite":
        raw = open(os.path.join(d, "marquee.db"), "rb").read()
        for extra in ("-wal",):
            p = os.path.join(d, "marquee.db" + extra)
            if os.path.exists(p):
                raw += open(p, "rb").read()
        check(PASSWORD.encode() not in raw and b"$argon2id$" in raw)
        check(name.encode() in raw)
    else:
        dump = env.psql(db, "SELECT email, display_name, password_hash FROM users")
        check(PASSWORD not in dump and "$argon2id$" in dump and name in dump, dump)
    extra = {"MARQUEE_DATA_DIR": d, **({"MARQUEE_DATABASE_URL": db} if db else {})}
    r = env.run_cli(["audit", "verify"], env=extra)
    check(r.returncode == 0 and "intact: 1 entries" in r.stdout, r.stdout)
