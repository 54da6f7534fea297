"""The command line: marquee serve | migrate | config | version."""
import os
import tempfile

from harness import backends, check


@backends("sqlite")
def test_version_and_help(env):
    r = env.run_cli(["version"])
    check(r.returncode == 0 and r.stdout.startswith("marquee "), r.stdout + r.stderr)
    check("libmicrohttpd" in r.stdout and "sqlite" in r.stdout)
    for cmd in ("serve", "migrate", "config", "version"):
        r = env.run_cli([cmd, "--help"])
        check(r.returncode == 0, "%s --help exited %d" % (cmd, r.returncode))
        check("usage: marquee %s" % cmd in r.stdout, r.stdout)
    r = env.run_cli(["serve", "--help"])
    for flag in ("--listen", "--data-dir", "--database-url", "--public-url", "--log-level", "--config"):
        check(flag in r.stdout, "serve --help lacks " + flag)
    check("MARQUEE_LISTEN" in r.stdout and "MARQUEE_DATABASE_URL" in r.stdout)


@backends("sqlite")
def test_usage_errors_exit_2(env):
    check(env.run_cli([]).returncode == 2)
    r = env.run_cli(["frobnicate"])
    check(r.returncode == 2 and "unknown command" in r.stderr, r.stderr)
    r = env.run_cli(["config", "--no-such-flag"])
    check(r.returncode == 2 and "--no-such-flag" in r.stderr, r.stderr)
    r = env.run_cli(["version", "--listen", "x"])
    check(r.returncode == 2)


@backends("sqlite")
def test_bad_values_name_key_and_reason(env):
    cases = [
        (["config", "--listen", "localhost"], {}, "listen", "ADDRESS:PORT"),
        (["config"], {"MARQUEE_LISTEN": "127.0.0.1:99999"}, "listen", "port"),
        (["config"], {"MARQUEE_LOG_LEVEL": "loud"}, "log_level", "debug, info"),
        (["config"], {"MARQUEE_DATABASE_URL": "mysql://u@h/db"}, "database_url", "postgres://"),
        (["config"], {"MARQUEE_PUBLIC_URL": "ftp://x"}, "public_url", "http"),
        (["serve", "--http-max-body", "huge"], {}, "http_max_body", "size"),
        (["serve", "--shutdown-timeout", "-1"], {}, "shutdown_timeout", "between"),
        (["migrate", "--db-pool-size", "0"], {}, "db_pool_size", "between"),
    ]
    for args, extra, key, why in cases:
        r = env.run_cli(args, env=extra)
        check(r.returncode == 2, "%r %r exited %d" % (args, extra, r.returncode))
        check(key in r.stderr and why in r.stderr, "%r: %r" % (args, r.stderr))
    # The server refuses to start on a bad value too, before doing anything.
    d = tempfile.mkdtemp()
    r = env.run_cli(["serve", "--data-dir", d + "/x", "--listen", "nope"])
    check(r.returncode == 2 and not os.path.exists(d + "/x"), r.stderr)


@backends("sqlite")
def test_precedence_and_masking(env):
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write("# marquee.conf\nlisten = 127.0.0.1:1111\ndata_dir = /file/dir\n"
                "log_level = warn\npublic_url = https://media.example/\n"
                "database_url = postgres://u:filesecret@db/mq\n")
        path = f.name
    try:
        r = env.run_cli(["config", "--config", path, "--data-dir", "/flag/dir"],
                        env={"MARQUEE_LISTEN": "127.0.0.1:2222", "MARQUEE_DATA_DIR": "/env/dir"})
        check(r.returncode == 0, r.stderr)
        lines = dict(l.split(" = ", 1) for l in r.stdout.splitlines())
        check(lines["data_dir"] == "/flag/dir  # flag", lines["data_dir"])
        check(lines["listen"] == "127.0.0.1:2222  # environment", lines["listen"])
        check(lines["log_level"] == "warn  # file", lines["log_level"])
        check(lines["http_max_body"] == "1048576  # default", lines["http_max_body"])
        check(lines["public_url"] == "https://media.example  # file", lines["public_url"])
        check("filesecret" not in r.stdout and "u:****@db" in lines["database_url"], lines["database_url"])
        r = env.run_cli(["config"], env={"MARQUEE_CONFIG": path, "MARQUEE_DATABASE_URL":
                                          "postgres://db/mq?password=envsecret"})
        check("envsecret" not in r.stdout and "password=****" in r.stdout, r.stdout)
        r = env.run_cli(["config"], env={"MARQUEE_ADMIN_TOKEN": "tok-SECRET-1"})
        check("tok-SECRET-1" not in r.stdout and "admin_token = ****  # environment" in r.stdout, r.stdout)
        with open(path, "a") as f:
            f.write("no_such_key = 1\n")
        r = env.run_cli(["config", "--config", path])
        check(r.returncode == 2 and "no_such_key" in r.stderr, r.stderr)
        r = env.run_cli(["config"], env={"MARQUEE_LISTN": "127.0.0.1:1"})
        check(r.returncode == 0 and "MARQUEE_LISTN" in r.stderr, r.stderr)
        r = env.run_cli(["config", "--config", path + ".missing"])
        check(r.returncode == 2 and "cannot read" in r.stderr, r.stderr)
    finally:
        os.unlink(path)


def latest_migration():
    here = os.path.dirname(os.path.abspath(__file__))
    names = os.listdir(os.path.join(here, "..", "..", "src", "store", "migrations"))
    return max(int(n[:4]) for n in names if n.endswith(".sql"))


def test_migrate_command(env):
    latest = latest_migration()
    d = tempfile.mkdtemp()
    extra = {"MARQUEE_DATA_DIR": d}
    if env.backend == "postgres":
        extra["MARQUEE_DATABASE_URL"] = env.new_database()
    r = env.run_cli(["migrate", "--status"], env=extra)
    check(r.returncode == 1 and "schema version: 0" in r.stdout, r.stdout + r.stderr)
    r = env.run_cli(["migrate"], env=extra)
    check(r.returncode == 0 and "applied: %d" % latest in r.stdout, r.stdout + r.stderr)
    check(("database: " + env.backend) in r.stdout)
    r = env.run_cli(["migrate"], env=extra)
    check(r.returncode == 0 and "applied: 0" in r.stdout, r.stdout)
    r = env.run_cli(["migrate", "--status"], env=extra)
    check(r.returncode == 0 and "schema version: %d" % latest in r.stdout, r.stdout)
    if env.backend == "sqlite":
        check(os.path.exists(os.path.join(d, "marquee.db")))
