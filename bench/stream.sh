#!/usr/bin/env bash
# Streaming a file by its id against nginx serving the same file, in one run:
#  1. 50 random byte ranges (and a few edge cases) fetched from both: the
#     bodies and Content-Range headers must be identical;
#  2. throughput of whole-file downloads with wrk: MiB/s and the ratio
#     (target >= 0.80).
# Both send the file with sendfile; Marquee also authenticates every request
# (a bearer token) and checks the caller may see the file's library.
#
# usage: bench/stream.sh [SIZE_MIB] [DURATION_S] [CONNECTIONS]   (defaults 256, 10, 4)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-256}
DURATION=${2:-10}
CONNS=${3:-4}
THREADS=$(nproc)

scripts/install-deps build run bench
make -s -j"$THREADS"

TMP=$(mktemp -d /tmp/mq-bench.XXXXXX)
chmod 755 "$TMP" # nginx workers run as www-data
MQ_PID=; NGINX_PID=
cleanup() {
    [ -n "$MQ_PID" ] && kill "$MQ_PID" 2>/dev/null && wait "$MQ_PID" 2>/dev/null
    [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

mkdir -p "$TMP/www/films/Big (2020)"
FILE="$TMP/www/films/Big (2020)/Big (2020).mkv"
head -c "$((SIZE * 1024 * 1024))" /dev/urandom >"$FILE"
chmod 644 "$FILE"
chmod 755 "$TMP/www" "$TMP/www/films" "$TMP/www/films/Big (2020)"
touch -d '1 hour ago' "$FILE"

PASSWORD="bench horse battery staple 2931"
export MARQUEE_DATA_DIR=$TMP/data MARQUEE_RATE_LIMIT_DEFAULT=off
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
./build/marquee serve --listen 127.0.0.1:"$PORT" 2>"$TMP/marquee.log" &
MQ_PID=$!
for _ in $(seq 100); do curl -fs "$URL/readyz" >/dev/null && break; sleep 0.1; done
printf '%s\n' "$PASSWORD" | ./build/marquee user create --admin --email bench@example.org --password-stdin >/dev/null
ACCESS=$(curl -fs -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench@example.org\",\"password\":\"$PASSWORD\"}" "$URL/api/v1/auth/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
AUTH="Authorization: Bearer $ACCESS"
LIB=$(curl -fs -H "$AUTH" -H 'Content-Type: application/json' \
    -d "{\"name\":\"Films\",\"type\":\"movies\",\"paths\":[\"$TMP/www/films\"],\"scan_interval\":0}" \
    "$URL/api/v1/admin/libraries" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
./build/marquee scan --library Films >/dev/null 2>&1
ITEM=$(curl -fs -H "$AUTH" "$URL/api/v1/media" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
FID=$(curl -fs -H "$AUTH" "$URL/api/v1/media/$ITEM/files" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
MQ_URL="$URL/api/v1/files/$FID/stream"

NG_PORT=$(free_port)
cat >"$TMP/nginx.conf" <<CONF
worker_processes $THREADS;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log;
daemon off;
events { worker_connections 4096; }
http {
    access_log $TMP/nginx-access.log;
    sendfile on;
    tcp_nopush on;
    server {
        listen 127.0.0.1:$NG_PORT;
        root $TMP/www;
    }
}
CONF
nginx -c "$TMP/nginx.conf" &
NGINX_PID=$!
NG_URL="http://127.0.0.1:$NG_PORT/films/Big%20(2020)/Big%20(2020).mkv"
for _ in $(seq 100); do curl -fsI "$NG_URL" >/dev/null && break; sleep 0.1; done

echo "== 50 random ranges, and edge cases, from both" >&2
python3 - "$MQ_URL" "$NG_URL" "$ACCESS" "$((SIZE * 1024 * 1024))" <<'PY'
import hashlib, http.client, random, sys, urllib.parse
mq, ng, token, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def get(url, rng, auth):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    h = {"Range": rng}
    if auth:
        h["Authorization"] = "Bearer " + token
    c.request("GET", u.path + ("?" + u.query if u.query else ""), headers=h)
    r = c.getresponse()
    body = r.read()
    return r.status, r.getheader("Content-Range"), hashlib.sha256(body).hexdigest(), len(body)
random.seed(20261201)
ranges = []
for _ in range(50):
    a = random.randrange(size)
    b = min(size - 1, a + random.randrange(1, 8 << 20))
    ranges.append("bytes=%d-%d" % (a, b))
ranges += ["bytes=0-0", "bytes=-1", "bytes=%d-" % (size - 100), "bytes=0-%d" % (size * 2), "bytes=-%d" % (size + 5)]
same = 0
for rng in ranges:
    m, n = get(mq, rng, True), get(ng, rng, False)
    if m != n:
        print("DIFFERENT for %s: marquee %r, nginx %r" % (rng, m, n))
        sys.exit(1)
    same += 1
print("ranges identical: %d of %d (status, Content-Range, body)" % (same, len(ranges)))
PY

rate() { wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" "$@" | tee "$TMP/wrk.out" >&2; awk '/Transfer\/sec/ {v=$2; u=v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+$/, "", v); f = (u == "GB") ? 1024 : (u == "KB") ? 1/1024 : 1; printf "%.1f", v * f}' "$TMP/wrk.out"; }
echo "== nginx: whole file" >&2
NG_RATE=$(rate "$NG_URL")
echo "== marquee: whole file" >&2
MQ_RATE=$(rate -H "$AUTH" "$MQ_URL")

echo
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "file: $SIZE MiB; wrk: $THREADS threads, $CONNS connections, ${DURATION}s"
printf 'nginx   whole file: %8.1f MiB/s\n' "$NG_RATE"
printf 'marquee whole file: %8.1f MiB/s\n' "$MQ_RATE"
printf 'ratio             : %8.2f   (target >= 0.80)\n' "$(echo "$MQ_RATE / $NG_RATE" | bc -l)"
