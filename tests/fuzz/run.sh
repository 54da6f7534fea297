#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS [DRIVER...] - runs each libFuzzer driver of
# build-fuzz/fuzz/ (make FUZZ=1 fuzz-drivers) for SECONDS over its corpus,
# one TAP line each. New inputs go to a scratch directory, so the suite
# leaves the tree as it was; to keep what a long run found, merge it:
#   build-fuzz/fuzz/X_fuzz -merge=1 tests/fuzz/corpus/X SCRATCH
# A crash leaves its input in the scratch directory and is printed.
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:?usage: tests/fuzz/run.sh SECONDS [DRIVER...]}
shift
drivers=("$@")
[ ${#drivers[@]} -gt 0 ] || drivers=($(ls build-fuzz/fuzz/ 2>/dev/null))
[ ${#drivers[@]} -gt 0 ] || { echo "not ok - fuzz: no drivers in build-fuzz/fuzz (make FUZZ=1 fuzz-drivers)"; exit 1; }
scratch=$(mktemp -d /tmp/mq-fuzz-run.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
status=0
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
for d in "${drivers[@]}"; do
    name=${d%_fuzz}
    mkdir -p "$scratch/$name"
    log="$scratch/$name.log"
    if build-fuzz/fuzz/"$d" "$scratch/$name" "tests/fuzz/corpus/$name" -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$scratch/$name-" -print_final_stats=1 \
        >"$log" 2>&1; then
        runs=$(grep -m1 -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
        cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
        echo "ok - fuzz $d: ${runs:-?} inputs in ${seconds} s, ${cov:-cov: ?} edges"
    else
        status=1
        echo "not ok - fuzz $d"
        grep -E 'ERROR|SUMMARY|==[0-9]+==|#[0-9]+ 0x' "$log" | head -30 | sed 's/^/#   /'
        for crash in "$scratch/$name-"*; do
            [ -e "$crash" ] || continue
            echo "#   input: $(od -An -c "$crash" | head -4 | tr -s ' ')"
            mkdir -p build-fuzz/crashes && cp "$crash" build-fuzz/crashes/
            echo "#   kept as build-fuzz/crashes/$(basename "$crash")"
        done
    fi
done
exit $status
