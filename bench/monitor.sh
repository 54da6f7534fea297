#!/usr/bin/env bash
# The monitor over MEMBERS members (default 1,000) who each finished 500
# works, against a catalogue of N works (default 200,000), on SQLite and
# then PostgreSQL in one run. Prints, per backend, one JSON line: the
# run's seconds (target on this machine: under 30 s), what it found and
# told, notifications per second, a second run's seconds (everything
# already told), and the API's p50/p99 idle and during the run with their
# ratio (target: p99 within 1.5x). bench/monitor.py has the details;
# bench/README.md the figures.
#
# usage: bench/monitor.sh [N] [MEMBERS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
MEMBERS=${2:-1000}
scripts/install-deps build run test bench
make -s -j"$(nproc)"
source tests/lib/pg.sh

TMP=$(mktemp -d /tmp/mq-bench-monitor.XXXXXX)
cleanup() {
    pg_stop
    rm -rf "$TMP"
    return 0
}
trap cleanup EXIT

echo "== SQLite, $N works, $MEMBERS members" >&2
python3 bench/monitor.py build/marquee sqlite "$TMP" "$N" "$MEMBERS"
pg_start durable
"$MQ_TEST_PG_BIN/psql" -q -d "$MQ_TEST_PG_ADMIN_URL" -c "CREATE DATABASE bench_monitor" >/dev/null
URL=${MQ_TEST_PG_ADMIN_URL%/*}/bench_monitor
echo "== PostgreSQL, $N works, $MEMBERS members" >&2
python3 bench/monitor.py build/marquee postgres "$TMP" "$N" "$MEMBERS" "$URL" "$MQ_TEST_PG_BIN/psql"
