#!/usr/bin/env bash
# Identifying N new films (default 2,000) against the TMDb replay
# (tests/integration/replay.py), its rate limit raised so it does not
# dominate, in one run:
#  1. TMDb requests per film: for a film with {tmdb-ID} in its name
#     (target 1), and for one found by title and year (target <= 3), read
#     from the replay's request log; the pictures fetched, apart;
#  2. films identified per second, from the first to the last;
#  3. the API's latency (GET /api/v1/media, the library's first page, 4
#     connections) on the same catalogue, first with identification held
#     back (its queue has no worker), then while it runs: p50, p99 and the
#     ratio of the two p99s (target <= 1.5).
# Half the films name their TMDb id; the other half are "Title (Year)" of
# real films the replay's search knows (tests/fixtures/metadata/).
#
# usage: bench/metadata.sh [FILMS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
scripts/install-deps build run test bench
make -s -j"$(nproc)"

TMP=$(mktemp -d /tmp/mq-bench-md.XXXXXX)
MQ_PID= RP_PID= WRK_PID=
cleanup() {
    for p in $WRK_PID $MQ_PID $RP_PID; do { kill "$p" && wait "$p"; } 2>/dev/null || true; done
    rm -rf "$TMP"
    return 0
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "== $N films" >&2
python3 - "$TMP" "$N" tests/fixtures/metadata/tmdb_films.tsv <<'PY'
import os, re, sys, time
tmp, n, tsv = sys.argv[1], int(sys.argv[2]), sys.argv[3]
films, seen = [], set()
for line in open(tsv, encoding="utf-8"):
    if line.startswith("#"):
        continue
    tid, year, title = line.rstrip("\n").split("\t")[:3]
    key = (title.lower(), year)
    # One of each title and year, and names a folder can hold.
    if key in seen or "/" in title or len(title) > 100:
        continue
    seen.add(key)
    films.append((tid, year, title))
films = (films * (n // len(films) + 1))[:n]
old = time.time() - 3600
with open(os.path.join(tmp, "ids"), "w") as ids, open(os.path.join(tmp, "searched"), "w") as searched:
    for i, (tid, year, title) in enumerate(films):
        by_id = i % 2 == 0
        name = "%s (%s)%s [%05d]" % (re.sub(r'[:?*"<>|\\]', " ", title), year, " {tmdb-%s}" % tid if by_id else "", i)
        d = os.path.join(tmp, "films", name)
        os.makedirs(d)
        # Not a real video: the probe fails at once, the work stays.
        p = os.path.join(d, name + ".mkv")
        with open(p, "wb") as f:
            f.write(b"not a video %d" % i)
        os.utime(p, (old, old))
        (ids if by_id else searched).write(tid + "\n")
PY

RP_PORT=$(free_port)
# The replay stands in for a provider across the internet, whose CPU is
# not this server's: it runs at the lowest priority.
nice -n 19 python3 tests/integration/replay.py "$RP_PORT" >"$TMP/replay.log" 2>&1 &
RP_PID=$!
RP=http://127.0.0.1:$RP_PORT
for _ in $(seq 100); do grep -q listening "$TMP/replay.log" && break; sleep 0.1; done

PASSWORD="bench horse battery staple 2931"
export MARQUEE_DATA_DIR=$TMP/data MARQUEE_WATCH_LIBRARIES=false MARQUEE_METADATA_ENABLED=true \
    MARQUEE_RATE_LIMIT_DEFAULT=off \
    MARQUEE_TMDB_API_KEY=marquee-test-key MARQUEE_TMDB_BASE_URL=$RP/3 \
    MARQUEE_TMDB_IMAGE_BASE_URL=$RP/t/p MARQUEE_METADATA_ALLOW_PRIVATE=true \
    MARQUEE_TMDB_RATE_LIMIT=100000 MARQUEE_TMDB_RATE_WINDOW=1s
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
start() {
    MARQUEE_JOBS_QUEUES=$1 ./build/marquee serve --listen 127.0.0.1:"$PORT" 2>>"$TMP/marquee.log" &
    MQ_PID=$!
    for _ in $(seq 100); do curl -fs "$URL/readyz" >/dev/null && break; sleep 0.1; done
}
# Identification held back: its queue runs nowhere.
start "default:2,maintenance:1,media:1,metadata:0"
printf '%s\n' "$PASSWORD" | ./build/marquee user create --admin --email bench@example.org --password-stdin >/dev/null
ACCESS=$(curl -fs -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench@example.org\",\"password\":\"$PASSWORD\"}" "$URL/api/v1/auth/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
AUTH="Authorization: Bearer $ACCESS"
LIB=$(curl -fs -H "$AUTH" -H 'Content-Type: application/json' \
    -d "{\"name\":\"Films\",\"type\":\"movies\",\"paths\":[\"$TMP/films\"],\"scan_interval\":0}" \
    "$URL/api/v1/admin/libraries" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -fs -X POST -H "$AUTH" "$URL/api/v1/admin/libraries/$LIB/scan" >/dev/null
for _ in $(seq 600); do
    curl -fs -H "$AUTH" "$URL/api/v1/admin/libraries/$LIB/scan" | grep -q '"state":"completed"' && break
    sleep 0.2
done

# Idle means idle: the scan's follow-up jobs (the quality scores) done;
# only identification waits.
for _ in $(seq 300); do
    curl -fs -H "$AUTH" "$URL/api/v1/admin/jobs?limit=200" | python3 -c '
import json, sys
busy = [j for j in json.load(sys.stdin)["items"]
        if j["state"] in ("available", "running", "retryable") and j["queue"] != "metadata"]
sys.exit(1 if busy else 0)' && break
    sleep 0.2
done
sleep 2
run_wrk() { wrk -t1 -c4 -d"$1" --latency -H "$AUTH" "$URL/api/v1/media?limit=50" | tee "$TMP/wrk.out" >&2; }
pct() {
    awk -v p="$1%" '$1 == p { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        f = (u == "us") ? 0.001 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1; printf "%.2f", v * f }' "$2"
}
echo "== API latency, identification held back" >&2
run_wrk 5s
cp "$TMP/wrk.out" "$TMP/idle.out"

kill "$MQ_PID"; wait "$MQ_PID" 2>/dev/null || true; MQ_PID=
curl -fs -X POST -H 'Content-Type: application/json' -d '{"reset": true}' "$RP/__control" >/dev/null
echo "== identifying" >&2
start "default:2,maintenance:1,media:1,metadata:2"
T0=$(date +%s.%N)
wrk -t1 -c4 -d4s --latency -H "$AUTH" "$URL/api/v1/media?limit=50" >"$TMP/busy.out" 2>&1 &
WRK_PID=$!
for _ in $(seq 12000); do
    P=$(curl -fs -H "$AUTH" "$URL/api/v1/admin/libraries/$LIB/scan" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["identification"]["pending"])')
    [ "$P" = 0 ] && break
    sleep 0.05
done
[ "$P" = 0 ] || { echo "identification did not finish: $P pending" >&2; exit 1; }
T1=$(date +%s.%N)
wait "$WRK_PID"; WRK_PID=
cat "$TMP/busy.out" >&2
COUNTS=$(curl -fs -H "$AUTH" "$URL/api/v1/admin/libraries/$LIB/scan" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["identification"])')
curl -fs "$RP/__log" >"$TMP/log.json"

echo
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); SQLite; 2 metadata workers"
python3 - "$TMP" "$N" "$T0" "$T1" "$COUNTS" <<'PY'
import json, re, sys
tmp, n, t0, t1, counts = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
log = json.load(open(tmp + "/log.json"))
ids = set(open(tmp + "/ids").read().split())
searched = set(open(tmp + "/searched").read().split())
api = [p for p in log if p.startswith("/3/")]
pics = [p for p in log if p.startswith("/t/p/")]
def details_of(p):
    m = re.match(r"/3/movie/(\d+)\?", p)
    return m.group(1) if m else None
by_id = sum(1 for p in api if details_of(p) in ids)
searches = sum(1 for p in api if p.startswith("/3/search/movie"))
found = sum(1 for p in api if details_of(p) in searched and details_of(p) not in ids)
other = len(api) - by_id - searches - found
n_id, n_search = (n + 1) // 2, n // 2
print("identification: %s" % counts)
print("TMDb requests: %d for %d films (%.2f per film); %d pictures fetched apart" % (len(api), n, len(api) / n, len(pics)))
print("  a film with its id in the name: %.2f requests (target 1)" % (by_id / n_id))
print("  a film found by title and year: %.2f requests (%.2f searches + %.2f details; target <= 3)"
      % ((searches + found) / n_search, searches / n_search, found / n_search))
print("  other requests (collections): %d" % other)
print("films identified per second: %.0f (%d in %.1f s)" % (n / (t1 - t0), n, t1 - t0))
PY
IDLE99=$(pct 99 "$TMP/idle.out"); BUSY99=$(pct 99 "$TMP/busy.out")
echo "GET /api/v1/media?limit=50 latency: idle p50 $(pct 50 "$TMP/idle.out") ms, p99 $IDLE99 ms; identifying p50 $(pct 50 "$TMP/busy.out") ms, p99 $BUSY99 ms"
awk -v b="$BUSY99" -v i="$IDLE99" 'BEGIN { printf "ratio p99 identifying / idle: %.2f (target <= 1.5)\n", b / i }'
