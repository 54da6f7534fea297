"""What the Python benchmark drivers share: a Marquee server on a free
loopback port, requests, percentiles and a probe that replays API
requests one after another (bench/import.py, bench/monitor.py)."""
import http.client
import json
import os
import signal
import socket
import subprocess
import time


def vocabulary():
    """Real film titles (tests/fixtures/metadata/tmdb_films.tsv) and their
    words, to make titles from."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "metadata",
                        "tmdb_films.tsv")
    real, vocab = [], []
    for line in open(path, encoding="utf-8"):
        if not line.startswith("#"):
            t = line.rstrip("\n").split("\t")[2]
            real.append(t)
            vocab += t.split()
    return real, vocab


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Server:
    def __init__(self, binary, work, data, name, db_url="", extra=None):
        self.binary = binary
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("MARQUEE_")}
        env.update({"MARQUEE_DATA_DIR": data, "MARQUEE_WATCH_LIBRARIES": "false",
                    "MARQUEE_METADATA_ENABLED": "false", "MARQUEE_RATE_LIMIT_DEFAULT": "off",
                    "MARQUEE_ARGON2_MEMORY": "8MiB", "MARQUEE_ARGON2_ITERATIONS": "1"})
        env.update(extra or {})
        if db_url:
            env["MARQUEE_DATABASE_URL"] = db_url
        self.env = env
        self.log = open(os.path.join(work, "marquee-%s.log" % name), "a")
        self.p = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:%d" % self.port], env=env,
                                  stdout=self.log, stderr=self.log)
        for _ in range(1200):
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        self.token = None

    def request(self, method, path, body=None, ctype=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        h = {"Authorization": "Bearer " + self.token} if self.token else {}
        if ctype:
            h["Content-Type"] = ctype
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        out = r.status, r.read()
        c.close()
        return out

    def cli(self, args, stdin=None):
        return subprocess.run([self.binary] + args, env=self.env, input=stdin, text=True, capture_output=True)

    def login(self, email, password):
        _, body = self.request("POST", "/api/v1/auth/login", json.dumps({"email": email, "password": password}),
                               "application/json")
        self.token = json.loads(body)["access_token"]

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        self.p.wait(timeout=120)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))] if xs else 0.0


def probe(server, todo, stop=None):
    """The requests one after another: once through, or round and round
    until stop is set. Milliseconds each."""
    times = []
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    h = {"Authorization": "Bearer " + server.token}
    i = 0
    while (stop is None and i < len(todo)) or (stop is not None and not stop.is_set()):
        path = todo[i % len(todo)]
        t0 = time.perf_counter()
        c.request("GET", path, headers=h)
        c.getresponse().read()
        times.append((time.perf_counter() - t0) * 1000)
        i += 1
    c.close()
    return times
