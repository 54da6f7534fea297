"""GET /.well-known/jwks.json and the signing key file."""
import base64
import hashlib
import json
import os
import stat

from harness import check


def test_jwks(env):
    s = env.server().start()
    try:
        r = s.request("GET", "/.well-known/jwks.json")
        check(r.status == 200 and r.header("content-type") == "application/jwk-set+json", r.headers)
        check(r.header("cache-control") == "public, max-age=300")
        keys = r.json()["keys"]
        check(len(keys) == 1, keys)
        k = keys[0]
        check({k["kty"], k["crv"], k["alg"], k["use"]} == {"OKP", "Ed25519", "EdDSA", "sig"}, k)
        check("d" not in k, "private key published")
        # kid is the RFC 7638 thumbprint of the key.
        canon = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": k["x"]}, separators=(",", ":"),
                           sort_keys=True)
        thumb = base64.urlsafe_b64encode(hashlib.sha256(canon.encode()).digest()).rstrip(b"=")
        check(k["kid"] == thumb.decode(), (k["kid"], thumb))
        path = os.path.join(s.data_dir, "signing-key.ed25519")
        check(stat.S_IMODE(os.stat(path).st_mode) == 0o600)
        seed = open(path).read().strip()
        check(seed not in r.body.decode() and seed not in "\n".join(s.lines))
        check(s.stop() == 0)
        s.own_dir = False
        again = env.server(data_dir=s.data_dir, database_url=s.database_url).start()
        try:
            check(again.request("GET", "/.well-known/jwks.json").json()["keys"] == keys)
            check(again.stop() == 0)
        finally:
            again.cleanup()
    finally:
        s.own_dir = True
        s.cleanup()
