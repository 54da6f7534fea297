#!/usr/bin/env bash
# Authenticated requests, in one run against one server:
#  1. GET /api/v1/users/me with an access token (JWT check plus a session
#     lookup in the database) against GET /healthz: requests/s and the ratio
#     (target >= 0.30);
#  2. the latency of GET /api/v1/users/me while 20 clients hammer
#     POST /api/v1/auth/login (argon2id at the default 19 MiB, t=2): p50/p99
#     (target p99 < 10 ms), with the same measured on an idle server first.
# Rate limits are off so the logins really hash.
#
# usage: bench/auth.sh [DURATION_S] [CONNECTIONS]     (defaults 10, 64)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNS=${2:-64}
THREADS=$(nproc)
LOGIN_CLIENTS=20
PROBE_CONNS=4

scripts/install-deps build bench
make -s -j"$THREADS"

TMP=$(mktemp -d /tmp/mq-bench.XXXXXX)
MQ_PID=; HAMMER_PID=
cleanup() {
    [ -n "$HAMMER_PID" ] && kill "$HAMMER_PID" 2>/dev/null
    [ -n "$MQ_PID" ] && kill "$MQ_PID" 2>/dev/null && wait "$MQ_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

PASSWORD="bench horse battery staple 2931"
export MARQUEE_DATA_DIR=$TMP/data MARQUEE_RATE_LIMIT_DEFAULT=off MARQUEE_RATE_LIMIT_LOGIN=off
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
./build/marquee serve --listen 127.0.0.1:"$PORT" 2>"$TMP/marquee.log" &
MQ_PID=$!
for _ in $(seq 100); do curl -fs "$URL/readyz" >/dev/null && break; sleep 0.1; done
printf '%s\n' "$PASSWORD" | ./build/marquee user create --email bench@example.org --password-stdin >/dev/null
# The storm signs in as someone else: each sign-in opens a session, and past
# sessions_per_user the oldest ends, which would be the probe's own.
printf '%s\n' "$PASSWORD" | ./build/marquee user create --email storm@example.org --password-stdin >/dev/null
LOGIN_BODY="{\"email\":\"bench@example.org\",\"password\":\"$PASSWORD\",\"device_name\":\"bench\"}"
STORM_BODY="{\"email\":\"storm@example.org\",\"password\":\"$PASSWORD\",\"device_name\":\"storm\"}"
ACCESS=$(curl -fs -H 'Content-Type: application/json' -d "$LOGIN_BODY" "$URL/api/v1/auth/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
AUTH="Authorization: Bearer $ACCESS"
curl -fs -H "$AUTH" "$URL/api/v1/users/me" >/dev/null

cat >"$TMP/login.lua" <<LUA
wrk.method = "POST"
wrk.body = '$STORM_BODY'
wrk.headers["Content-Type"] = "application/json"
LUA

# wrk's "Requests/sec" and its 50%/99% latency in milliseconds.
run_wrk() { wrk --latency "$@" | tee "$TMP/wrk.out" >&2; }
rate() { awk '/Requests\/sec/ {print $2}' "$TMP/wrk.out"; }
pct() {
    awk -v p="$1%" '$1 == p { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        f = (u == "us") ? 0.001 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1; printf "%.2f", v * f }' "$TMP/wrk.out"
}

echo "== throughput: /healthz" >&2
run_wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" "$URL/healthz"
HZ=$(rate)
echo "== throughput: /api/v1/users/me" >&2
run_wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" -H "$AUTH" "$URL/api/v1/users/me"
ME=$(rate)
NON2XX=$(awk '/Non-2xx/ {print $NF}' "$TMP/wrk.out")

echo "== latency: /api/v1/users/me, idle server" >&2
run_wrk -t1 -c"$PROBE_CONNS" -d"${DURATION}s" -H "$AUTH" "$URL/api/v1/users/me"
IDLE_P50=$(pct 50); IDLE_P99=$(pct 99)

echo "== latency: /api/v1/users/me while $LOGIN_CLIENTS clients sign in" >&2
wrk -t1 -c"$LOGIN_CLIENTS" -d"$((DURATION + 4))s" -s "$TMP/login.lua" "$URL/api/v1/auth/login" >"$TMP/login.out" 2>&1 &
HAMMER_PID=$!
sleep 2
run_wrk -t1 -c"$PROBE_CONNS" -d"${DURATION}s" -H "$AUTH" "$URL/api/v1/users/me"
BUSY_P50=$(pct 50); BUSY_P99=$(pct 99)
BUSY_BAD=$(awk '/Non-2xx/ {print $NF}' "$TMP/wrk.out")
wait "$HAMMER_PID"; HAMMER_PID=
LOGINS=$(awk '/Requests\/sec/ {print $2}' "$TMP/login.out")
LOGIN_BAD=$(awk '/Non-2xx/ {print $NF}' "$TMP/login.out")

echo
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "wrk: $THREADS threads, $CONNS connections, ${DURATION}s, keep-alive; SQLite; access log on"
printf 'GET /healthz:          %10.0f req/s\n' "$HZ"
printf 'GET /api/v1/users/me:  %10.0f req/s  (non-2xx: %s)\n' "$ME" "${NON2XX:-0}"
awk -v m="$ME" -v h="$HZ" 'BEGIN { printf "ratio users/me / healthz: %.2f (target >= 0.30)\n", m / h }'
echo "users/me latency, $PROBE_CONNS connections: idle p50 $IDLE_P50 ms, p99 $IDLE_P99 ms"
echo "users/me latency while $LOGIN_CLIENTS clients sign in ($LOGINS logins/s, non-2xx: ${LOGIN_BAD:-0}): p50 $BUSY_P50 ms, p99 $BUSY_P99 ms (non-2xx: ${BUSY_BAD:-0}; target p99 < 10 ms)"
