#!/usr/bin/env bash
# GET /healthz on Marquee against nginx serving the same bytes as a static
# file, side by side in one run, with the same wrk settings and access logging
# on for both (each to a file). Prints requests/s for both, the ratio, and
# Marquee's resident memory when idle and after the load.
#
# usage: bench/healthz.sh [DURATION_S] [CONNECTIONS]     (defaults 10, 64)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNS=${2:-64}
THREADS=$(nproc)

scripts/install-deps build bench
make -s -j"$THREADS"

TMP=$(mktemp -d /tmp/mq-bench.XXXXXX)
chmod 755 "$TMP" # nginx workers run as www-data
MQ_PID=; NGINX_PID=
cleanup() {
    [ -n "$MQ_PID" ] && kill "$MQ_PID" 2>/dev/null && wait "$MQ_PID" 2>/dev/null
    [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Marquee: defaults (SQLite, info-level access log), one HTTP thread per CPU.
MQ_PORT=$(free_port)
./build/marquee serve --listen 127.0.0.1:"$MQ_PORT" --data-dir "$TMP/data" 2>"$TMP/marquee.log" &
MQ_PID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$MQ_PORT/readyz" >/dev/null && break; sleep 0.1; done
BODY=$(curl -fs "http://127.0.0.1:$MQ_PORT/healthz")
sleep 1
RSS_IDLE=$(awk '/VmRSS/ {print $2}' /proc/$MQ_PID/status)

# nginx: the same bytes from a file, one worker per CPU, access log on.
NG_PORT=$(free_port)
mkdir -p "$TMP/www"
printf '%s\n' "$BODY" >"$TMP/www/healthz"
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
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$NG_PORT;
        root $TMP/www;
        location = /healthz { default_type application/json; }
    }
}
CONF
nginx -c "$TMP/nginx.conf" &
NGINX_PID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$NG_PORT/healthz" >/dev/null && break; sleep 0.1; done
[ "$(curl -fs "http://127.0.0.1:$NG_PORT/healthz")" = "$BODY" ] || { echo "nginx serves different bytes" >&2; exit 1; }

rate() { wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$1" | tee "$TMP/wrk.out" >&2; awk '/Requests\/sec/ {print $2}' "$TMP/wrk.out"; }
echo "== nginx $(nginx -v 2>&1 | cut -d/ -f2)" >&2
NG_RATE=$(rate "http://127.0.0.1:$NG_PORT/healthz")
echo "== marquee $(./build/marquee version | head -1 | cut -d' ' -f2)" >&2
MQ_RATE=$(rate "http://127.0.0.1:$MQ_PORT/healthz")
RSS_LOADED=$(awk '/VmRSS/ {print $2}' /proc/$MQ_PID/status)
LOGGED=$(grep -c '"route":"/healthz"' "$TMP/marquee.log" || true)

echo
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "wrk: $THREADS threads, $CONNS connections, ${DURATION}s, keep-alive; body ${#BODY}+1 bytes"
printf 'nginx   GET /healthz: %10.0f req/s\n' "$NG_RATE"
printf 'marquee GET /healthz: %10.0f req/s  (%s access log lines written)\n' "$MQ_RATE" "$LOGGED"
awk -v m="$MQ_RATE" -v n="$NG_RATE" 'BEGIN { printf "ratio marquee/nginx: %.2f (target >= 0.80)\n", m / n }'
echo "marquee RSS: idle $((RSS_IDLE / 1024)) MiB ($RSS_IDLE KiB, target <= 10 MiB), after load $((RSS_LOADED / 1024)) MiB"
