#!/usr/bin/env bash
# Search over a generated catalogue of N works (default 200,000: titles
# drawn from the words of 1,881 real film titles by their frequency, with
# accents, punctuation, numbers and CJK; 20,000 people, three credits and
# one or two genres each), on SQLite and then PostgreSQL, in one run:
#  1. the index build: the works written straight into the database
#     (their triggers mark them as any writer's rows are), then the time
#     until nothing waits to be indexed, and the index's size on disk;
#  2. 1,000 mixed searches over HTTP (titles as written, lower-cased,
#     without accents, with a typo, the first words and part of the next,
#     people, title and year, CJK, real titles, a few single common words):
#     p50 and p99 (targets on SQLite: p99 < 10 ms);
#  3. 1,000 keystrokes of autocomplete (every prefix of random titles
#     from two characters): p50 and p99 (target on SQLite: p99 < 3 ms);
#  4. the same 1,000 searches as a plain LIKE '%term%' scan of the titles
#     (the way Jellyfin searches), in-process on the same SQLite file, and
#     the ratio.
# Each backend prints one JSON line; bench/README.md has the figures.
#
# usage: bench/search.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
scripts/install-deps build run test bench
make -s -j"$(nproc)"
source tests/lib/pg.sh

TMP=$(mktemp -d /tmp/mq-bench-search.XXXXXX)
cleanup() {
    pg_stop
    rm -rf "$TMP"
    return 0
}
trap cleanup EXIT

echo "== SQLite, $N works" >&2
python3 bench/search.py build/marquee sqlite "$TMP" "$N"
pg_start durable
"$MQ_TEST_PG_BIN/psql" -q -d "$MQ_TEST_PG_ADMIN_URL" -c "CREATE DATABASE bench_search" >/dev/null
URL=${MQ_TEST_PG_ADMIN_URL%/*}/bench_search
echo "== PostgreSQL, $N works" >&2
python3 bench/search.py build/marquee postgres "$TMP" "$N" "$URL" "$MQ_TEST_PG_BIN/psql"
