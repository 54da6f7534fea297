"""WebAuthn end to end, with a software authenticator (softkey.py) making
fresh registrations and assertions: security keys as a second factor,
passkey sign-in, re-authentication, the credential list, and the hostile
cases (other origin, tampered signature, replayed or misused challenge,
a counter that goes backwards)."""
from harness import check
from softkey import UP, SoftKey
from test_auth import FAST, PASSWORD, jpost, login, make_user
from test_jobs import TOKEN
from test_mfa import call, enrol_totp, oathtool

PUBLIC = "https://marquee.test"
ENV = {"MARQUEE_PUBLIC_URL": PUBLIC, "MARQUEE_ADMIN_TOKEN": TOKEN}


def register(s, token, key, fmt="none", name=None, **kw):
    options = call(s, "POST", "/api/v1/mfa/webauthn/register/begin", token)
    check(options.status == 200, options.body)
    body = {"credential": key.create(options.json(), fmt=fmt, **kw)}
    if name is not None:
        body["name"] = name
    return call(s, "POST", "/api/v1/mfa/webauthn/register/finish", token, body)


def second_factor(s, email, key, **kw):
    r = login(s, email)
    check(r.status == 200 and "webauthn" in r.json()["methods"], r.body)
    mfa = r.json()["mfa_token"]
    options = jpost(s, "/api/v1/mfa/webauthn/login/begin", {"mfa_token": mfa})
    check(options.status == 200, options.body)
    return mfa, options.json(), key.get(options.json(), **kw)


def test_security_key_as_second_factor(env):
    with env.server(args=FAST + ["--rate-limit-login", "200/min", "--lockout-threshold", "50"], env=ENV) as s:
        make_user(env, s, "ada@example.org")
        t = login(s, "ada@example.org").json()["access_token"]
        key = SoftKey(PUBLIC)
        options = call(s, "POST", "/api/v1/mfa/webauthn/register/begin", t).json()
        check(options["rp"] == {"id": "marquee.test", "name": "Marquee"}
              and [p["alg"] for p in options["pubKeyCredParams"]] == [-8, -7, -257]
              and options["authenticatorSelection"]["residentKey"] == "preferred"
              and options["attestation"] == "none"
              and options["excludeCredentials"] == [] and len(options["user"]["id"]) == 43, options)
        # From another origin, or for another relying party: refused.
        bad = key.create(options, origin="https://evil.example")
        call(s, "POST", "/api/v1/mfa/webauthn/register/finish", t, {"credential": bad}).problem(422, "invalid_credential")
        r = register(s, t, key, rp_id="evil.example")
        r.problem(422, "invalid_credential")
        r = register(s, t, key, name="YubiKey 5")
        check(r.status == 201 and r.json()["name"] == "YubiKey 5" and r.json()["transports"] == ["usb"]
              and r.json()["attestation_format"] == "none" and r.json()["alg"] == -7, r.body)
        cred = r.json()["id"]
        # The same authenticator again: listed in excludeCredentials, refused.
        options = call(s, "POST", "/api/v1/mfa/webauthn/register/begin", t).json()
        check([c["id"] for c in options["excludeCredentials"]] == [key.create(options)["id"]], options)
        call(s, "POST", "/api/v1/mfa/webauthn/register/finish", t,
             {"credential": key.create(options)}).problem(409, "credential_exists")
        st = call(s, "GET", "/api/v1/mfa/status", t).json()
        check(st["enabled"] is True and st["webauthn"] == {"credentials": 1}, st)

        # Sign-in: password, then the key.
        mfa, options, answer = second_factor(s, "ada@example.org", key)
        check(options["rpId"] == "marquee.test" and [c["id"] for c in options["allowCredentials"]] == [answer["id"]], options)
        r = jpost(s, "/api/v1/auth/mfa/verify", {"mfa_token": mfa, "method": "webauthn", "assertion": answer})
        check(r.status == 200 and r.json()["access_token"], r.body)
        t2 = r.json()["access_token"]
        mine = [x for x in call(s, "GET", "/api/v1/sessions", t2).json()["items"] if x["current"]][0]
        check(mine["mfa"] == "webauthn", mine)
        # The same answer again: its challenge is used up.
        mfa2, options2, _ = second_factor(s, "ada@example.org", key)
        jpost(s, "/api/v1/auth/mfa/verify", {"mfa_token": mfa2, "method": "webauthn", "assertion": answer}).problem(401, "invalid_code")

        # Hostile answers, each refused: tampered signature, other origin,
        # other relying party, a challenge of another sign-in, no user presence.
        for kw in [{"tamper": True}, {"origin": "https://evil.example"}, {"rp_id": "evil.example"},
                   {"flags": 0x04}]:
            mfa, options, answer = second_factor(s, "ada@example.org", key, **kw)
            r = jpost(s, "/api/v1/mfa/webauthn/login/finish", {"mfa_token": mfa, "assertion": answer})
            r.problem(401, "invalid_code")
        mfa_a, options_a, _ = second_factor(s, "ada@example.org", key)
        mfa_b, options_b, _ = second_factor(s, "ada@example.org", key)
        stolen = key.get(options_a)
        jpost(s, "/api/v1/mfa/webauthn/login/finish", {"mfa_token": mfa_b, "assertion": stolen}).problem(401, "invalid_code")
        # That burnt the challenge; sign-in A asks for a new one and goes on.
        jpost(s, "/api/v1/mfa/webauthn/login/finish", {"mfa_token": mfa_a, "assertion": key.get(options_a)}).problem(401, "invalid_code")
        options_a = jpost(s, "/api/v1/mfa/webauthn/login/begin", {"mfa_token": mfa_a}).json()
        r = jpost(s, "/api/v1/mfa/webauthn/login/finish", {"mfa_token": mfa_a, "assertion": key.get(options_a)})
        check(r.status == 200, r.body)

        # A counter that goes backwards: refused, flagged, audited; then refused for good.
        mfa, options, answer = second_factor(s, "ada@example.org", key, step=-5)
        jpost(s, "/api/v1/auth/mfa/verify", {"mfa_token": mfa, "method": "webauthn", "assertion": answer}).problem(401, "credential_cloned")
        # MFA stays required, but the flagged key is no way in any more.
        r = login(s, "ada@example.org")
        check(r.json()["mfa_required"] is True and r.json()["methods"] == [], r.body)
        jpost(s, "/api/v1/mfa/webauthn/login/begin", {"mfa_token": r.json()["mfa_token"]}).problem(422, "method_not_available")
        key.counter += 100
        jpost(s, "/api/v1/auth/mfa/verify", {"mfa_token": r.json()["mfa_token"], "method": "webauthn",
                                             "assertion": key.get(options)}).problem(422, "method_not_available")
        creds = call(s, "GET", "/api/v1/mfa/webauthn/credentials", t).json()["items"]
        check(len(creds) == 1 and creds[0]["flagged"] is True and creds[0]["id"] == cred, creds)
        events = s.request("GET", "/api/v1/admin/audit-logs?action=webauthn.clone_suspected",
                           headers={"Authorization": "Bearer " + TOKEN}).json()["items"]
        check(len(events) == 1, events)


def test_passkey_sign_in(env):
    with env.server(args=FAST + ["--rate-limit-login", "200/min"], env=ENV) as s:
        make_user(env, s, "ada@example.org")
        make_user(env, s, "bob@example.org")
        t = login(s, "ada@example.org").json()["access_token"]
        key = SoftKey(PUBLIC, alg=-8)
        r = register(s, t, key, fmt="packed-self", name="Laptop")
        check(r.status == 201 and r.json()["attestation_format"] == "packed"
              and r.json()["attestation_type"] == "self" and r.json()["alg"] == -8, r.body)
        rsa_key = SoftKey(PUBLIC, alg=-257)
        check(register(s, t, rsa_key, fmt="packed-self").status == 201, "RS256 too")

        options = jpost(s, "/api/v1/auth/passkey/begin", {}).json()
        check(options["allowCredentials"] == [] and options["userVerification"] == "required", options)
        r = jpost(s, "/api/v1/auth/passkey/finish", {"assertion": key.get(options), "device_name": "laptop"})
        check(r.status == 200 and r.json()["access_token"], r.body)
        t2 = r.json()["access_token"]
        me = call(s, "GET", "/api/v1/users/me", t2).json()
        check(me["email"] == "ada@example.org", me)
        # A passkey is both factors: user verification is required.
        options = jpost(s, "/api/v1/auth/passkey/begin", {}).json()
        jpost(s, "/api/v1/auth/passkey/finish", {"assertion": key.get(options, flags=UP)}).problem(401, "invalid_credentials")
        # The user handle must be the owner's.
        options = jpost(s, "/api/v1/auth/passkey/begin", {}).json()
        jpost(s, "/api/v1/auth/passkey/finish", {"assertion": key.get(options, user_handle=b"x" * 32)}).problem(401, "invalid_credentials")
        # A challenge made for registration is no good for signing in.
        reg_options = call(s, "POST", "/api/v1/mfa/webauthn/register/begin", t).json()
        jpost(s, "/api/v1/auth/passkey/finish", {"assertion": key.get(reg_options)}).problem(401, "invalid_credentials")
        # Garbage.
        for junk in [{}, {"id": "x"}, {"id": key.get(options)["id"], "response": {"clientDataJSON": "!!"}}]:
            jpost(s, "/api/v1/auth/passkey/finish", {"assertion": junk}).problem(401, "invalid_credentials")
        jpost(s, "/api/v1/auth/passkey/finish", {"assertion": "nope"}).problem(400)

        # Rename, list, delete (needs a recent sign-in, like any factor change).
        creds = call(s, "GET", "/api/v1/mfa/webauthn/credentials", t).json()["items"]
        check([c["name"] for c in creds] == ["Laptop", "Passkey"], creds)
        r = call(s, "PATCH", "/api/v1/mfa/webauthn/credentials/" + creds[1]["id"], t, {"name": "Phone 📱"})
        check(r.status == 200 and r.json()["items"][1]["name"] == "Phone 📱", r.body)
        call(s, "PATCH", "/api/v1/mfa/webauthn/credentials/" + creds[1]["id"], t, {"name": "a\nb"}).problem(422, "invalid_name")
        bob = login(s, "bob@example.org").json()["access_token"]
        call(s, "PATCH", "/api/v1/mfa/webauthn/credentials/" + creds[1]["id"], bob, {"name": "mine"}).problem(404)
        call(s, "DELETE", "/api/v1/mfa/webauthn/credentials/" + creds[1]["id"], bob).problem(404)
        r = call(s, "DELETE", "/api/v1/mfa/webauthn/credentials/" + creds[1]["id"], t)
        check(r.status == 200 and r.json()["webauthn"] == {"credentials": 1} and r.json()["enabled"], r.body)
        r = call(s, "DELETE", "/api/v1/mfa/webauthn/credentials/" + creds[0]["id"], t)
        check(r.status == 200 and r.json()["enabled"] is False, r.body)
        options = jpost(s, "/api/v1/auth/passkey/begin", {}).json()
        jpost(s, "/api/v1/auth/passkey/finish", {"assertion": key.get(options)}).problem(401, "invalid_credentials")


def test_reauthenticate_with_a_key(env):
    with env.server(args=FAST + ["--reauth-window", "2s"], env=ENV) as s:
        make_user(env, s, "ada@example.org")
        t = login(s, "ada@example.org").json()["access_token"]
        secret = enrol_totp(s, t)
        key = SoftKey(PUBLIC)
        check(register(s, t, key).status == 201, "registered")
        import time
        time.sleep(2.5)
        call(s, "POST", "/api/v1/mfa/webauthn/register/begin", t).problem(403, "reauthentication_required")
        options = call(s, "POST", "/api/v1/mfa/webauthn/login/begin", t).json()
        r = call(s, "POST", "/api/v1/mfa/webauthn/login/finish", t, {"assertion": key.get(options, tamper=True)})
        r.problem(403, "invalid_assertion")
        options = call(s, "POST", "/api/v1/mfa/webauthn/login/begin", t).json()
        r = call(s, "POST", "/api/v1/mfa/webauthn/login/finish", t, {"assertion": key.get(options)})
        check(r.status == 200 and r.json()["valid_until"], r.body)
        check(call(s, "POST", "/api/v1/mfa/webauthn/register/begin", t).status == 200, "recent again")
        # A counter going backwards here too: refused, flagged, audited.
        options = call(s, "POST", "/api/v1/mfa/webauthn/login/begin", t).json()
        call(s, "POST", "/api/v1/auth/reauthenticate", t,
             {"method": "webauthn", "assertion": key.get(options, step=0)}).problem(403, "credential_cloned")
        check(call(s, "GET", "/api/v1/mfa/webauthn/credentials", t).json()["items"][0]["flagged"], "flagged")
        # With the TOTP authenticator gone the flagged key remains: MFA stays
        # on, with no way in but backup codes (none here) until an admin helps.
        r = call(s, "DELETE", "/api/v1/mfa/totp", t)
        check(r.status == 200 and r.json()["enabled"] is True, r.body)
        check(login(s, "ada@example.org").json()["methods"] == [], "no usable factor")
        check(oathtool(secret), "oathtool")
        check(PASSWORD, "password")
