#!/usr/bin/env bash
# Importing a household's Netflix history: a 10,000-row
# NetflixViewingHistory.csv matched against a catalogue of N works
# (default 200,000), no provider lookups, on SQLite and then PostgreSQL in
# one run. Prints, per backend, one JSON line: the import's seconds and
# rows per second (target on this machine: under 5 s), the API's p50/p99
# idle and while the import runs with their ratio (target: p99 within
# 1.5x), and the share of rows matched beside a plain exact-title lookup
# of the same rows (the reference). bench/import.py has the details;
# bench/README.md the figures.
#
# usage: bench/import.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
scripts/install-deps build run test bench
make -s -j"$(nproc)"
source tests/lib/pg.sh

TMP=$(mktemp -d /tmp/mq-bench-import.XXXXXX)
cleanup() {
    pg_stop
    rm -rf "$TMP"
    return 0
}
trap cleanup EXIT

echo "== SQLite, $N works" >&2
python3 bench/import.py build/marquee sqlite "$TMP" "$N"
pg_start durable
"$MQ_TEST_PG_BIN/psql" -q -d "$MQ_TEST_PG_ADMIN_URL" -c "CREATE DATABASE bench_import" >/dev/null
URL=${MQ_TEST_PG_ADMIN_URL%/*}/bench_import
echo "== PostgreSQL, $N works" >&2
python3 bench/import.py build/marquee postgres "$TMP" "$N" "$URL" "$MQ_TEST_PG_BIN/psql"
