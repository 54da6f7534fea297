"""Start-up, readiness, shutdown and slow clients."""
import os
import signal
import socket
import sqlite3
import subprocess
import time

from harness import backends, check, parse_raw, read_socket


def test_sigterm_lets_slow_request_finish(env):
    s = env.server(args=["--shutdown-timeout", "20"]).start()
    try:
        body = b'{"csp-report": {"document-uri": "https://m.example/", "violated-directive": "img-src"}}'
        conn = socket.create_connection(("127.0.0.1", s.port), timeout=20)
        conn.sendall(b"POST /api/v1/reports/csp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body) + body[:20])
        time.sleep(0.3)  # the request is in flight: head read, body pending
        s.proc.send_signal(signal.SIGTERM)
        s.wait_log("finishing in-flight requests")
        time.sleep(0.5)
        check(s.proc.poll() is None, "server exited with a request in flight")
        try:  # no new connections once draining
            socket.create_connection(("127.0.0.1", s.port), timeout=2).close()
            refused = False
        except OSError:
            refused = True
        check(refused, "accepted a connection while draining")
        conn.sendall(body[20:])
        data = read_socket(conn, read_all=False)
        r = parse_raw(data)
        check(r is not None and r.status == 204, data[:200])
        check(r.header("connection") == "close", r.headers)
        conn.close()
        check(s.stop() == 0, "exit status %r" % s.returncode)
        s.wait_log('"msg":"stopped"')
    finally:
        s.cleanup()


@backends("sqlite")
def test_sigint_and_idle_exit(env):
    s = env.server().start()
    try:
        check(s.stop(signal.SIGINT) == 0)
    finally:
        s.cleanup()


def test_slow_client_cannot_hold_connection(env):
    with env.server(args=["--http-header-timeout", "2", "--http-idle-timeout", "30"]) as s:
        slow = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        t0 = time.time()
        closed_after = None
        head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
        for i in range(len(head)):
            try:
                slow.sendall(head[i:i + 1])
            except OSError:
                closed_after = time.time() - t0
                break
            slow.settimeout(0.25)
            try:
                if slow.recv(1) == b"":
                    closed_after = time.time() - t0
                    break
            except socket.timeout:
                pass
            except OSError:
                closed_after = time.time() - t0
                break
            # Others are served while the slow client dribbles.
            if i == 3:
                check(s.request("GET", "/healthz").status == 200)
        check(closed_after is not None, "slow client held the connection")
        check(1.5 <= closed_after <= 6, "closed after %.1f s" % closed_after)
        slow.close()
        # An idle keep-alive connection is closed too.
        idle = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        t0 = time.time()
        check(parse_raw(read_socket(idle)).status == 200)
        check(1.5 <= time.time() - t0 <= 6, "idle connection lived %.1f s" % (time.time() - t0))
        m = s.request("GET", "/metrics").body.decode()
        check("marquee_http_header_timeouts_total 2" in m, [l for l in m.splitlines() if "timeouts" in l])


@backends("postgres")
def test_readyz_follows_postgres(env):
    with env.server() as s:
        check(s.request("GET", "/readyz").status == 200)
        env.pg_stop()
        try:
            r = s.request("GET", "/readyz", timeout=20)
            r.problem(503, "database_unavailable")
            check(r.header("retry-after") == "5")
            check(s.request("GET", "/healthz").status == 200)
            s.request("GET", "/api/v1/system/info", timeout=20).problem(503, "database_unavailable")
        finally:
            env.pg_start()
        s.wait_status("/readyz", 200, timeout=30)
        check(s.request("GET", "/api/v1/system/info").status == 200)


@backends("postgres")
def test_starts_while_postgres_is_down(env):
    url = env.new_database()
    env.pg_stop()
    s = env.server(database_url=url)
    try:
        try:
            s.start(wait_ready=False)
            check(s.request("GET", "/healthz").status == 200)
            s.request("GET", "/startupz").problem(503, "starting")
            s.request("GET", "/readyz").problem(503, "starting")
        finally:
            env.pg_start()
        s.wait_status("/startupz", 200, timeout=60)
        s.wait_status("/readyz", 200, timeout=10)
        check(s.stop() == 0)
    finally:
        s.cleanup()


def test_refuses_newer_database(env):
    s = env.server().start()
    s.stop()
    if env.backend == "sqlite":
        db = sqlite3.connect(os.path.join(s.data_dir, "marquee.db"))
        db.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x', 0)")
        db.commit()
        db.close()
    else:
        env.psql(s.database_url, "INSERT INTO schema_migrations VALUES (999, 'future', 'x', 0)")
    again = env.server(data_dir=s.data_dir, database_url=s.database_url)
    try:
        again.start(wait_ready=False, timeout=10)
        raise AssertionError("server started on a newer database")
    except AssertionError as e:
        if "newer database" in str(e):
            raise
    again.proc.wait(10)
    check(again.proc.returncode == 1, again.proc.returncode)
    check(any("newer than this marquee" in l for l in again.lines), again.lines)
    check(not any("listening" in l for l in again.lines), "it listened first")
    r = env.run_cli(["migrate"], env={"MARQUEE_DATA_DIR": s.data_dir,
                                      **({"MARQUEE_DATABASE_URL": s.database_url} if s.database_url else {})})
    check(r.returncode == 1 and "schema_mismatch" in r.stderr, r.stderr)
    again.cleanup()
    s.cleanup()
