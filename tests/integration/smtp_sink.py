"""A real SMTP server (Debian's python3-aiosmtpd) on loopback that keeps what it receives.

usage: smtp_sink.py --port P --dir D [--auth USER:PASSWORD]
Each message accepted is written to D as NNNN.eml (the DATA as received, with
an X-Envelope-To line first). With --auth the server requires AUTH (PLAIN or
LOGIN) with those credentials; TLS is not offered, as the server is on
loopback. Prints "ready" once listening; stops on SIGTERM.
"""
import argparse
import os
import signal
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Keep:
    def __init__(self, directory):
        self.dir = directory
        self.n = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            path = os.path.join(self.dir, "%04d.eml" % self.n)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(b"X-Envelope-From: " + envelope.mail_from.encode() + b"\r\n")
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, path)
        return "250 OK"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--auth", default="")
    a = ap.parse_args()
    kw = {}
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok)
        kw = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    c = Controller(Keep(a.dir), hostname="127.0.0.1", port=a.port, enable_SMTPUTF8=True, **kw)
    c.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    c.stop()


if __name__ == "__main__":
    main()
