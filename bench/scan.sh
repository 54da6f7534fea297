#!/usr/bin/env bash
# Library scans, in one run on the same files:
#  1. a full scan of N generated media files (walk, parse, probe, write)
#     with `marquee scan`, against `ffprobe -show_format -show_streams`
#     run once per file: seconds and the ratio (target >= 30x);
#  2. a rescan of the unchanged library (target < 1 s for 10,000 files);
#  3. peak resident memory of the scanning process, and of one probe
#     helper, during the full scan (target < 64 MB for the scanner).
# The files are copies of one short clip (H.264 and AAC in MP4, with a
# chapter list), each in its own "Title (Year)" folder, with its own inode.
#
# usage: bench/scan.sh [FILES] [PROBE_WORKERS]     (defaults 2000, 2)
#        NO_REFERENCE=1 bench/scan.sh 10000   (skips ffprobe: 10,000 runs of it
#        take twenty minutes here; for the rescan and memory figures)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
WORKERS=${2:-2}

scripts/install-deps build run bench
make -s -j"$(nproc)"

TMP=$(mktemp -d /tmp/mq-bench.XXXXXX)
MQ_PID=
cleanup() {
    [ -n "$MQ_PID" ] && kill "$MQ_PID" 2>/dev/null && wait "$MQ_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "== making $N files" >&2
ffmpeg -v error -y -f lavfi -i testsrc=size=320x240:rate=24:duration=1 \
    -f lavfi -i sine=f=440:d=1 -c:v libx264 -pix_fmt yuv420p -c:a aac "$TMP/clip.mp4"
mkdir -p "$TMP/films"
python3 - "$TMP" "$N" <<'PY'
import os, shutil, sys, time
tmp, n = sys.argv[1], int(sys.argv[2])
old = time.time() - 3600
for i in range(n):
    d = os.path.join(tmp, "films", "Film %05d (%d)" % (i, 1950 + i % 70))
    os.mkdir(d)
    p = os.path.join(d, os.path.basename(d) + ".mp4")
    shutil.copyfile(os.path.join(tmp, "clip.mp4"), p)
    os.utime(p, (old, old))
PY

PASSWORD="bench horse battery staple 2931"
export MARQUEE_DATA_DIR=$TMP/data MARQUEE_PROBE_WORKERS=$WORKERS
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
./build/marquee serve --listen 127.0.0.1:"$PORT" 2>"$TMP/marquee.log" &
MQ_PID=$!
for _ in $(seq 100); do curl -fs "$URL/readyz" >/dev/null && break; sleep 0.1; done
printf '%s\n' "$PASSWORD" | ./build/marquee user create --admin --email bench@example.org --password-stdin >/dev/null
ACCESS=$(curl -fs -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench@example.org\",\"password\":\"$PASSWORD\"}" "$URL/api/v1/auth/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
curl -fs -H "Authorization: Bearer $ACCESS" -H 'Content-Type: application/json' \
    -d "{\"name\":\"Films\",\"type\":\"movies\",\"paths\":[\"$TMP/films\"],\"scan_interval\":0}" \
    "$URL/api/v1/admin/libraries" >/dev/null
kill "$MQ_PID"; wait "$MQ_PID" 2>/dev/null || true; MQ_PID=

# Runs a command, sampling the resident memory of it and of its children
# (the probe helpers) every 20 ms; prints seconds, peak scanner RSS and peak
# helper RSS (KiB).
measure() {
    python3 - "$@" <<'PY'
import os, subprocess, sys, time
def rss(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
def children(pid):
    out = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out
t0 = time.time()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
top = helper = 0
while p.poll() is None:
    top = max(top, rss(p.pid))
    for c in children(p.pid):
        helper = max(helper, rss(c))
    time.sleep(0.02)
print("%.3f %d %d" % (time.time() - t0, top, helper))
PY
}

sync
echo "== marquee scan (full, $WORKERS probe helpers)" >&2
read -r MQ_S MQ_RSS HELPER_RSS < <(measure ./build/marquee scan --library Films)
echo "== marquee scan (unchanged)" >&2
read -r RESCAN_S _ _ < <(measure ./build/marquee scan --library Films)
echo "== ffprobe -show_format -show_streams, once per file" >&2
FF_S=0
[ -n "${NO_REFERENCE:-}" ] || FF_S=$(python3 - "$TMP/films" <<'PY'
import os, subprocess, sys, time
files = sorted(os.path.join(r, f) for r, _, fs in os.walk(sys.argv[1]) for f in fs)
t0 = time.time()
for f in files:
    subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams", f],
                   stdout=subprocess.DEVNULL, check=True)
print("%.3f" % (time.time() - t0))
PY
)
ITEMS=$(./build/marquee scan --library Films | grep -o '[0-9]* files' | head -1)

printf '\nfiles                  %s (%s in the catalogue)\n' "$N" "$ITEMS"
printf 'marquee scan (full)    %8.2f s   %6.0f files/s   peak RSS %5.1f MiB (scanner), %5.1f MiB (a probe helper)\n' \
    "$MQ_S" "$(echo "$N / $MQ_S" | bc -l)" "$(echo "$MQ_RSS / 1024" | bc -l)" "$(echo "$HELPER_RSS / 1024" | bc -l)"
if [ "$FF_S" != 0 ]; then
    printf 'ffprobe per file       %8.2f s   %6.0f files/s\n' "$FF_S" "$(echo "$N / $FF_S" | bc -l)"
    printf 'ratio                  %8.1fx   (target >= 30x)\n' "$(echo "$FF_S / $MQ_S" | bc -l)"
fi
printf 'rescan (unchanged)     %8.3f s   (target < 1 s at 10,000 files)\n' "$RESCAN_S"
