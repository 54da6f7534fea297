"""A software WebAuthn authenticator, for tests: it makes real key pairs
(python3-cryptography), real CBOR (python3-cbor2) and real signatures, and
answers the options Marquee sends as a browser with a security key would,
in the JSON forms of WebAuthn Level 3 (RegistrationResponseJSON,
AuthenticationResponseJSON). Knobs let a test send what a broken or hostile
authenticator would."""
import base64
import hashlib
import json
import os
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

UP, UV, AT = 0x01, 0x04, 0x40


def b64(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftKey:
    def __init__(self, origin, alg=-7):
        self.origin = origin
        self.alg = alg
        self.cred_id = os.urandom(32)
        self.counter = 0
        self.user_handle = None
        self.rp_id = None
        if alg == -7:
            self.key = ec.generate_private_key(ec.SECP256R1())
        elif alg == -8:
            self.key = ed25519.Ed25519PrivateKey.generate()
        elif alg == -257:
            self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            raise ValueError(alg)

    def cose_key(self):
        pub = self.key.public_key()
        if self.alg == -7:
            n = pub.public_numbers()
            return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: n.x.to_bytes(32, "big"),
                                -3: n.y.to_bytes(32, "big")})
        if self.alg == -8:
            return cbor2.dumps({1: 1, 3: -8, -1: 6, -2: pub.public_bytes(Encoding.Raw, PublicFormat.Raw)})
        n = pub.public_numbers()
        return cbor2.dumps({1: 3, 3: -257, -1: n.n.to_bytes(256, "big"), -2: n.e.to_bytes(3, "big")})

    def sign(self, data):
        if self.alg == -7:
            return self.key.sign(data, ec.ECDSA(hashes.SHA256()))
        if self.alg == -8:
            return self.key.sign(data)
        return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def client_data(self, kind, challenge, origin=None, **extra):
        doc = {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        doc.update(extra)
        return json.dumps(doc).encode()

    def create(self, options, fmt="none", flags=UP | UV, origin=None, rp_id=None):
        """navigator.credentials.create(), answered."""
        self.rp_id = options["rp"]["id"]
        self.user_handle = unb64(options["user"]["id"])
        cdj = self.client_data("webauthn.create", options["challenge"], origin)
        auth = (hashlib.sha256((rp_id or self.rp_id).encode()).digest() + bytes([flags | AT]) +
                struct.pack(">I", self.counter) + b"\x00" * 16 +
                struct.pack(">H", len(self.cred_id)) + self.cred_id + self.cose_key())
        if fmt == "none":
            stmt = {}
        elif fmt == "packed-self":
            fmt = "packed"
            stmt = {"alg": self.alg, "sig": self.sign(auth + hashlib.sha256(cdj).digest())}
        else:
            raise ValueError(fmt)
        att = cbor2.dumps({"fmt": fmt, "attStmt": stmt, "authData": auth})
        return {"id": b64(self.cred_id), "rawId": b64(self.cred_id), "type": "public-key",
                "response": {"clientDataJSON": b64(cdj), "attestationObject": b64(att),
                             "transports": ["usb", "made-up"]},
                "clientExtensionResults": {}}

    def get(self, options, flags=UP | UV, origin=None, step=1, challenge=None, tamper=False,
            user_handle=None, rp_id=None):
        """navigator.credentials.get(), answered."""
        self.counter += step
        cdj = self.client_data("webauthn.get", challenge or options["challenge"], origin)
        auth = (hashlib.sha256((rp_id or self.rp_id).encode()).digest() + bytes([flags]) +
                struct.pack(">I", self.counter))
        sig = bytearray(self.sign(auth + hashlib.sha256(cdj).digest()))
        if tamper:
            sig[-1] ^= 1
        return {"id": b64(self.cred_id), "rawId": b64(self.cred_id), "type": "public-key",
                "response": {"clientDataJSON": b64(cdj), "authenticatorData": b64(auth),
                             "signature": b64(bytes(sig)),
                             "userHandle": b64(user_handle if user_handle is not None else self.user_handle)},
                "clientExtensionResults": {}}
