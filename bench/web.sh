#!/usr/bin/env bash
# The web app's budgets, in headless Chromium, against a naive page in one run:
#  1. the app's initial JavaScript + CSS, gzipped (budget: under 100 KB);
#  2. a library of N items (default 10,000), each with a poster: the time
#     from navigation to the first poster shown, and the DOM elements on the
#     page (budgets: under 1 s, under 1,000 elements), for the app's grid
#     (only visible cards in the DOM) and for a reference page that renders
#     every card at once, as a plain list would; then the ratio.
# Both pages are served by the same server, read the same API and load the
# same pictures; the reference lives in a copy of the app's folder.
#
# usage: bench/web.sh [ITEMS]
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${1:-10000}
scripts/install-deps build run test bench
make -s -j"$(nproc)" all web

TMP=$(mktemp -d /tmp/mq-bench-web.XXXXXX)
MQ_PID=
cleanup() {
    [ -n "$MQ_PID" ] && kill "$MQ_PID" 2>/dev/null && wait "$MQ_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "== initial JavaScript + CSS (gzipped)" >&2
python3 - build/web <<'PY'
import os, re, sys
root = sys.argv[1]
html = open(os.path.join(root, "index.html")).read()
total = 0
for ref in re.findall(r'(?:src|href)="/(assets/[^"]+\.(?:js|css))"', html):
    gz = os.path.getsize(os.path.join(root, ref + ".gz"))
    raw = os.path.getsize(os.path.join(root, ref))
    total += gz
    print("  %-40s %7.1f KB (%.1f KB raw)" % (ref, gz / 1000, raw / 1000))
print("initial JS + CSS: %.1f KB gzipped (budget 100 KB): %s" % (total / 1000, "ok" if total < 100000 else "OVER"))
PY

echo "== a library of $ITEMS films with posters" >&2
python3 - "$TMP/films" "$ITEMS" <<'PY'
import os, struct, sys, zlib
root, n = sys.argv[1], int(sys.argv[2])
def png(seed):
    w, h = 20, 30
    rows = b"".join(b"\x00" + bytes([(seed * 37) % 256, (seed * 91) % 256, (y * 8) % 256]) * w for y in range(h))
    def chunk(k, d):
        return struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
for i in range(n):
    d = os.path.join(root, "Film %05d (%d)" % (i, 1950 + i % 70))
    os.makedirs(d)
    # Not a real video: the probe fails at once, the item and its poster stay.
    with open(os.path.join(d, os.path.basename(d) + ".mkv"), "wb") as f:
        f.write(b"not a video %d" % i)
    with open(os.path.join(d, "poster.png"), "wb") as f:
        f.write(png(i))
PY
find "$TMP/films" -exec touch -d '1 hour ago' {} +

# The reference page: every card at once, in a copy of the app's folder.
cp -r build/web "$TMP/web"
cp bench/web/naive.html bench/web/naive.js "$TMP/web/"

PASSWORD="bench horse battery staple 2931"
export MARQUEE_DATA_DIR=$TMP/data MARQUEE_RATE_LIMIT_DEFAULT=off MARQUEE_WEB_DIR=$TMP/web
PORT=$(free_port)
URL=http://localhost:$PORT
./build/marquee serve --listen 127.0.0.1:"$PORT" --public-url "$URL" 2>"$TMP/marquee.log" &
MQ_PID=$!
for _ in $(seq 100); do curl -fs "$URL/readyz" >/dev/null && break; sleep 0.1; done
printf '%s\n' "$PASSWORD" | ./build/marquee user create --admin --email bench@example.org --password-stdin >/dev/null
ACCESS=$(curl -fs -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench@example.org\",\"password\":\"$PASSWORD\"}" "$URL/api/v1/auth/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
LIB=$(curl -fs -H "Authorization: Bearer $ACCESS" -H 'Content-Type: application/json' \
    -d "{\"name\":\"Films\",\"type\":\"movies\",\"paths\":[\"$TMP/films\"],\"scan_interval\":0}" \
    "$URL/api/v1/admin/libraries" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
t0=$(date +%s)
curl -fs -X POST -H "Authorization: Bearer $ACCESS" -H 'Content-Type: application/json' -d '{}' \
    "$URL/api/v1/admin/libraries/$LIB/scan" >/dev/null
while :; do
    state=$(curl -fs -H "Authorization: Bearer $ACCESS" "$URL/api/v1/admin/libraries/$LIB/scan" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
    [ "$state" = completed ] && break
    [ "$state" = failed ] && { echo "scan failed" >&2; exit 1; }
    sleep 1
done
echo "scanned in $(($(date +%s) - t0)) s" >&2

(cd web && MQ_BENCH_URL=$URL MQ_BENCH_LIBRARY=$LIB MQ_BENCH_EMAIL=bench@example.org MQ_BENCH_PASSWORD=$PASSWORD \
    MQ_BENCH_ITEMS=$ITEMS node ../bench/web/measure.mjs)
