"""Optional TLS from certificate and key files; HSTS only with TLS."""
import http.client
import os
import subprocess
import tempfile

from harness import backends, check


@backends("sqlite")
def test_tls(env):
    d = tempfile.mkdtemp()
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1"],
                   check=True, capture_output=True)
    with env.server(args=["--tls-cert", cert, "--tls-key", key], tls_ca=cert) as s:
        r = s.request("GET", "/healthz")
        check(r.status == 200 and r.body == b'{"status":"ok"}\n')
        check(r.header("strict-transport-security") == "max-age=31536000; includeSubDomains")
        # Plain HTTP to the TLS port gets nothing useful.
        plain = http.client.HTTPConnection("127.0.0.1", s.port, timeout=5)
        try:
            plain.request("GET", "/healthz")
            status = plain.getresponse().status
        except (OSError, http.client.HTTPException):
            status = None
        check(status != 200, "plain HTTP answered 200 on the TLS port")
        s.wait_log("https")
    r = env.run_cli(["serve", "--tls-cert", cert, "--tls-key", os.path.join(d, "missing.pem"),
                     "--listen", "127.0.0.1:0", "--data-dir", d])
    check(r.returncode == 1 and "cannot read" in r.stderr, r.stderr)
