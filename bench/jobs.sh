#!/usr/bin/env bash
# The job queue's figures (issue 3), each beside a reference in the same run:
#  1. 10,000 no-op jobs on SQLite and on PostgreSQL: jobs/s, next to the rate
#     of plain one-row UPDATE transactions on the same database and threads
#     (the floor a queue with one commit per job stands on);
#  2. two processes on one PostgreSQL database, 10,000 counting jobs: each
#     runs exactly once, never twice at the same time;
#  3. kill -9 during a run of 1,000 jobs, then a restart: all complete.
# PostgreSQL runs with its durable defaults (fsync on). Runs as root or as a
# user who may run PostgreSQL (as root it runs as the postgres user).
#
# usage: bench/jobs.sh [WORKERS]      (default 4)
set -euo pipefail
cd "$(dirname "$0")/.."
WORKERS=${1:-4}
scripts/install-deps build test
make -s -j"$(nproc)" build/bench/jobs_bench
B=./build/bench/jobs_bench
source tests/lib/pg.sh
TMP=$(mktemp -d /tmp/mq-jobs-bench.XXXXXX)
trap 'pg_stop; rm -rf "$TMP"' EXIT
export MARQUEE_JOBS_QUEUES="default:$WORKERS" MARQUEE_DB_POOL_SIZE=$((WORKERS + 4))
export MARQUEE_JOBS_POLL_INTERVAL=100ms MARQUEE_JOBS_LEASE=2s MARQUEE_LOG_LEVEL=warn
fail=0

pg_start durable
newdb() { pg_as "$MQ_TEST_PG_BIN/psql" -q -d "$MQ_TEST_PG_ADMIN_URL" -c "CREATE DATABASE $1" >/dev/null
          echo "${MQ_TEST_PG_ADMIN_URL%/*}/$1"; }

echo "== 1. throughput: 10,000 no-op jobs, $WORKERS workers"
for backend in sqlite postgres; do
    unset MARQUEE_DATABASE_URL
    export MARQUEE_DATA_DIR=$TMP/$backend-noop; mkdir -p "$MARQUEE_DATA_DIR"
    [ $backend = postgres ] && export MARQUEE_DATABASE_URL=$(newdb noop)
    $B enqueue 10000 bench.noop >/dev/null
    run=$($B run 120)
    ref=$($B commits 10000 "$WORKERS")
    jobs=$(echo "$run" | sed -E 's/.* ([0-9]+) jobs\/s.*/\1/')
    tx=$(echo "$ref" | sed -E 's/.* ([0-9]+) tx\/s/\1/')
    printf '%-8s %s\n%-8s %s\n' "$backend" "$run" "" "$ref"
    awk -v j="$jobs" -v t="$tx" -v b=$backend 'BEGIN { printf "%-8s jobs/s per reference tx/s: %.2f; target >= 2000 jobs/s: %s\n", b, j / t, (j >= 2000 ? "met" : "MISSED") }'
    [ "$jobs" -ge 2000 ] || fail=1
done

echo "== 2. two processes on one PostgreSQL database, 10,000 counting jobs"
unset MARQUEE_DATA_DIR
export MARQUEE_DATABASE_URL=$(newdb twoproc)
$B enqueue 10000 bench.count >/dev/null
$B run 300 >"$TMP/a.out" & A=$!
$B run 300 >"$TMP/b.out" & C=$!
wait $A $C || true
cat "$TMP/a.out" "$TMP/b.out"
$B check 10000 || fail=1

echo "== 3. kill -9 during a run of 1,000 jobs, then restart"
for backend in sqlite postgres; do
    unset MARQUEE_DATABASE_URL
    export MARQUEE_DATA_DIR=$TMP/$backend-kill; mkdir -p "$MARQUEE_DATA_DIR"
    [ $backend = postgres ] && export MARQUEE_DATABASE_URL=$(newdb kill9)
    $B enqueue 1000 bench.count '{"sleep_ms": 5}' >/dev/null
    $B run 300 >"$TMP/killed.out" & K=$!
    sleep 0.6
    kill -9 $K; wait $K 2>/dev/null || true
    echo "$backend: killed with $($B check 1000 | sed -E 's/.*distinct jobs run ([0-9]+).*/\1/') jobs run"
    $B run 300
    $B check 1000 || fail=1
done
exit $fail
