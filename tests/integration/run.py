"""Runs the integration tests against one binary and one backend.

usage: run.py --binary PATH --backend sqlite|postgres [--label L] [-k SUBSTRING] [--browser]
--browser runs the web app's tests in headless Chromium (BROWSER_MODULES)
instead of the API's.
Prints one TAP-style line per test ("ok - ..." / "not ok - ...").
"""
import argparse
import importlib
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

MODULES = ["test_cli", "test_http", "test_input", "test_logs", "test_lifecycle", "test_tls", "test_jobs", "test_ratelimit", "test_audit", "test_users", "test_setup", "test_keys", "test_auth", "test_account", "test_mfa", "test_webauthn", "test_rbac", "test_gate", "test_admin", "test_settings", "test_hostile", "test_libraries", "test_scanner", "test_watch", "test_catalog", "test_metadata", "test_search", "test_tracking", "test_imports", "test_notify", "test_monitor", "test_webapp"]

# The web app's, in Chromium: slower, so run on the plain build only.
BROWSER_MODULES = ["test_web"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--backend", required=True, choices=["sqlite", "postgres"])
    ap.add_argument("--label", default="")
    ap.add_argument("-k", default="")
    ap.add_argument("--browser", action="store_true")
    a = ap.parse_args()
    env = harness.Env(a.binary, a.backend)
    failed = 0
    for modname in BROWSER_MODULES if a.browser else MODULES:
        mod = importlib.import_module(modname)
        for name in sorted(n for n in dir(mod) if n.startswith("test_")):
            fn = getattr(mod, name)
            if a.backend not in getattr(fn, "backends", ("sqlite", "postgres")):
                continue
            full = "%s.%s" % (modname, name)
            if a.k and a.k not in full:
                continue
            t0 = time.time()
            try:
                fn(env)
                print("ok - %s %s [%s] (%.1fs)" % (a.label, full, a.backend, time.time() - t0), flush=True)
            except Exception as e:  # a test failure or a crash of the test itself
                failed += 1
                print("not ok - %s %s [%s]" % (a.label, full, a.backend), flush=True)
                for line in traceback.format_exception(type(e), e, e.__traceback__)[-6:]:
                    for l in line.rstrip().splitlines():
                        print("#   " + l)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
