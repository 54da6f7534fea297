"""Black-box harness: starts the real marquee binary and talks HTTP to it.

Each Server gets its own data directory and, on PostgreSQL, its own database,
listens on a port the kernel picks (listen port 0; the port is read from the
log), and is checked for sanitizer reports when it stops.
"""
import http.client
import email
import email.policy
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import uuid

SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "UndefinedBehaviorSanitizer")


class TestFailure(AssertionError):
    pass


def check(cond, msg="check failed"):
    if not cond:
        raise TestFailure(msg)


class Env:
    """What a test needs to know about the run: binary, backend, PostgreSQL."""

    def __init__(self, binary, backend):
        self.binary = os.path.abspath(binary)
        self.backend = backend
        self.pg_admin_url = os.environ.get("MQ_TEST_PG_ADMIN_URL")
        self.pg_bin = os.environ.get("MQ_TEST_PG_BIN")
        self.pg_data = os.environ.get("MQ_TEST_PG_DATA")
        self.pg_runas = os.environ.get("MQ_TEST_PG_RUNAS") or None

    # -- PostgreSQL helpers -------------------------------------------------
    def _pg(self, *args, check_rc=True):
        cmd = list(args)
        if self.pg_runas:
            cmd = ["runuser", "-u", self.pg_runas, "--"] + cmd
        r = subprocess.run(cmd, capture_output=True, text=True)
        if check_rc and r.returncode != 0:
            raise TestFailure("postgres command failed: %s\n%s" % (" ".join(args), r.stderr))
        return r

    def psql(self, url, sql):
        return self._pg(os.path.join(self.pg_bin, "psql"), "-qAt", "-v", "ON_ERROR_STOP=1",
                        "-d", url, "-c", sql).stdout

    def new_database(self):
        name = "t_" + uuid.uuid4().hex[:12]
        self.psql(self.pg_admin_url, "CREATE DATABASE %s" % name)
        return self.pg_admin_url.rsplit("/", 1)[0] + "/" + name

    def pg_stop(self):
        self._pg(os.path.join(self.pg_bin, "pg_ctl"), "-D", self.pg_data, "-m", "fast", "-w", "stop")

    def pg_start(self):
        self._pg(os.path.join(self.pg_bin, "pg_ctl"), "-D", self.pg_data, "-l",
                 os.path.join(os.path.dirname(self.pg_data), "server.log"), "-w", "start")

    # -- servers --------------------------------------------------------------
    def server(self, args=(), env=None, data_dir=None, database_url=None, tls_ca=None):
        return Server(self, args, env or {}, data_dir, database_url, tls_ca)

    def run_cli(self, args, env=None, timeout=30, input=None):
        e = base_env()
        e.update(env or {})
        return subprocess.run([self.binary] + list(args), capture_output=True, text=True,
                              env=e, timeout=timeout, input=input)


def base_env():
    """The environment for a marquee process: no stray MARQUEE_* settings."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("MARQUEE_")}
    # No test reaches the internet: metadata providers are asked only where
    # a test points them at the replay (replay.py turns them on).
    e["MARQUEE_METADATA_ENABLED"] = "false"
    e.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=86")
    e.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    return e


class Response:
    def __init__(self, status, headers, body, set_cookies=()):
        self.status = status
        self.headers = headers  # lower-case names
        self.body = body
        self.set_cookies = list(set_cookies)  # every Set-Cookie, which headers folds into one

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        return self.headers.get(name.lower())

    def problem(self, status, code=None):
        check(self.status == status, "expected %d, got %d: %r" % (status, self.status, self.body[:300]))
        check(self.header("content-type") == "application/problem+json",
              "content-type %r" % self.header("content-type"))
        doc = self.json()
        for k in ("type", "title", "status", "code", "detail", "request_id"):
            check(k in doc, "problem lacks %s: %r" % (k, doc))
        check(doc["status"] == status, "status member %r" % doc["status"])
        check(doc["type"] == "urn:marquee:problem:" + doc["code"], "type %r" % doc["type"])
        check(doc["request_id"] == self.header("x-request-id"), "request id differs")
        if code:
            check(doc["code"] == code, "expected code %s, got %s" % (code, doc["code"]))
        return doc


class Server:
    def __init__(self, env, args, extra_env, data_dir, database_url, tls_ca=None):
        self.env = env
        self.tls_ca = tls_ca
        self.args = list(args)
        self.extra_env = extra_env
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="mq-it-")
        self.database_url = database_url
        if env.backend == "postgres" and database_url is None:
            self.database_url = env.new_database()
        self.proc = None
        self.lines = []
        self.port = None
        self._port_seen = threading.Event()
        self.returncode = None

    def start(self, wait_ready=True, timeout=30):
        # Again after stop(): the same data and database, a new port.
        self.port = None
        self._port_seen.clear()
        e = base_env()
        e.update({"MARQUEE_DATA_DIR": self.data_dir, "MARQUEE_LISTEN": "127.0.0.1:0"})
        if self.database_url:
            e["MARQUEE_DATABASE_URL"] = self.database_url
        e.update(self.extra_env)
        self.proc = subprocess.Popen([self.env.binary, "serve"] + self.args, env=e,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.time() + timeout
        while not self._port_seen.wait(0.05):
            if self.proc.poll() is not None or time.time() > deadline:
                raise TestFailure("server did not start: %s" % "\n".join(self.lines[-20:]))
        if wait_ready:
            self.wait_status("/startupz", 200, timeout)
        return self

    def _read(self):
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append(line)
            m = re.search(r"listening on \S+ port (\d+)", line)
            if m and not self.port:
                self.port = int(m.group(1))
                self._port_seen.set()

    def wait_status(self, path, status, timeout=30):
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            try:
                last = self.request("GET", path).status
                if last == status:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise TestFailure("%s never answered %d (last %r)" % (path, status, last))

    def wait_log(self, pattern, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for l in self.lines:
                if re.search(pattern, l):
                    return l
            time.sleep(0.05)
        raise TestFailure("log never showed %r" % pattern)

    def log_records(self):
        out = []
        for l in self.lines:
            if l.startswith("{"):
                out.append(json.loads(l))
        return out

    def connection(self, timeout=10):
        if self.tls_ca:
            ctx = ssl.create_default_context(cafile=self.tls_ca)
            ctx.check_hostname = False
            return http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=timeout)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=10):
        c = self.connection(timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data,
                            r.msg.get_all("Set-Cookie") or [])
        finally:
            c.close()

    def raw(self, data, timeout=10, read_all=True):
        """Sends bytes as they are and returns everything the server answers."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            s.sendall(data)
            return read_socket(s, read_all)
        finally:
            s.close()

    def stop(self, sig=signal.SIGTERM, timeout=40):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise TestFailure("server did not stop within %d s" % timeout)
        self.returncode = self.proc.returncode if self.proc else None
        time.sleep(0.05)
        bad = [l for l in self.lines if any(m in l for m in SANITIZER_MARKERS)]
        if bad:
            raise TestFailure("sanitizer report:\n" + "\n".join(self.lines[-60:]))
        return self.returncode

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        try:
            if exc[0] is None:
                rc = self.stop()
                check(rc == 0, "server exited with %r; last lines:\n%s" % (rc, "\n".join(self.lines[-15:])))
        finally:
            self.cleanup()


def read_socket(s, read_all=True):
    """Reads until the peer closes or, unless read_all, one response is complete."""
    data = b""
    while True:
        try:
            b = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not b:
            break
        data += b
        if not read_all and parse_raw(data):
            break
    return data


def parse_raw(data):
    """Splits one HTTP/1.1 response: (status, headers, body) or None if incomplete."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1])
    headers = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    if len(rest) < n:
        return None
    return Response(status, headers, rest[:n])


# Tests declare which backends they run on; default is both.
def backends(*names):
    def mark(fn):
        fn.backends = names
        return fn
    return mark


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class SmtpSink:
    """A real SMTP server (tests/integration/smtp_sink.py) on loopback."""

    def __init__(self, port=None, auth=None):
        self.port = port or free_port()
        self.auth = auth
        self.dir = tempfile.mkdtemp(prefix="mq-smtp-")
        self.proc = None

    def url(self, credentials=None):
        cred = credentials or self.auth
        return "smtp://%s127.0.0.1:%d" % (cred + "@" if cred else "", self.port)

    def start(self):
        args = ["/usr/bin/python3",
                os.path.join(os.path.dirname(os.path.abspath(__file__)), "smtp_sink.py"),
                "--port", str(self.port), "--dir", self.dir]
        if self.auth:
            args += ["--auth", self.auth]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            raise TestFailure("SMTP sink did not start: %s" % self.proc.stderr.read())
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def messages(self):
        out = []
        for name in sorted(os.listdir(self.dir)):
            if name.endswith(".eml"):
                with open(os.path.join(self.dir, name), "rb") as f:
                    out.append(email.message_from_bytes(f.read(), policy=email.policy.default))
        return out

    def wait(self, count, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            msgs = self.messages()
            if len(msgs) >= count:
                return msgs
            time.sleep(0.05)
        raise TestFailure("expected %d messages, got %d" % (count, len(self.messages())))

    def wait_for(self, predicate, timeout=20):
        """The messages once one satisfies predicate. Mail goes out through
        the outbox in the background, so counting messages taken earlier
        races with mail still on its way from a previous step."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            msgs = self.messages()
            if any(predicate(m) for m in msgs):
                return msgs
            time.sleep(0.05)
        raise TestFailure("no matching message among %r" % [m["Subject"] for m in self.messages()])

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def mail_parts(msg):
    """The text and HTML bodies of a multipart/alternative message."""
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    return text, html


def mail_link(msg, path):
    """The token of the first PUBLIC_URL/path?token=... link in the text part."""
    text, _ = mail_parts(msg)
    m = re.search(r"https?://\S+/%s\?token=([A-Za-z0-9_-]+)" % re.escape(path), text)
    check(m, "no %s link in:\n%s" % (path, text))
    return m.group(1)
