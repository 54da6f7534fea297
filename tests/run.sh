#!/usr/bin/env bash
# The whole suite: builds plain and with AddressSanitizer + UBSan, and the
# web app; starts a throwaway PostgreSQL, then runs for each build the
# banned-function check, the unit tests (store tests on SQLite and
# PostgreSQL), every fuzz corpus and the integration tests against the real
# binary on both backends; the web app's own checks and, on the plain build,
# its browser tests in headless Chromium on both backends; then gives each
# libFuzzer driver a few seconds (clang's build, build-fuzz/).
# Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
source tests/lib/pg.sh

OUT=$(mktemp -d /tmp/mq-test.XXXXXX)
RESULTS=$OUT/results
: >"$RESULTS"
cleanup() { pg_stop; rm -rf "$OUT"; }
trap cleanup EXIT

record() { tee -a "$RESULTS"; }
summary() {
    local pass fail skip
    pass=$(grep -cE '^ok ' "$RESULTS" | head -1)
    fail=$(grep -E '^not ok ' "$RESULTS" | grep -vc '# SKIP')
    skip=$(grep -E '^not ok .*# SKIP' "$RESULTS" | wc -l)
    echo
    echo "$pass passed, $fail failed, $skip skipped"
    [ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
}

JOBS=$(nproc)
for variant in plain asan; do
    flags=""
    [ $variant = asan ] && flags="SANITIZE=1"
    echo "== build ($variant)"
    # The benchmark drivers are built too, so they cannot rot unseen.
    if make -s -j"$JOBS" $flags all unit bench-drivers fuzz-replay >"$OUT/build-$variant.log" 2>&1 &&
        ! grep -E 'warning:' "$OUT/build-$variant.log"; then
        echo "ok - build $variant, no warnings" | record
    else
        cat "$OUT/build-$variant.log"
        echo "not ok - build $variant" | record
        summary
        exit 1
    fi
done

echo "== web app"
if make -s web >"$OUT/build-web.log" 2>&1; then
    echo "ok - build web app" | record
else
    cat "$OUT/build-web.log"
    echo "not ok - build web app" | record
fi
# Types (svelte-check) and the app's unit tests (vitest).
if make -s web-test >"$OUT/web-test.log" 2>&1; then
    echo "ok - web app: types and unit tests ($(grep -oE 'Tests +[0-9]+ passed' "$OUT/web-test.log" | grep -oE '[0-9]+') tests)" | record
else
    sed 's/^/#   /' "$OUT/web-test.log"
    echo "not ok - web app: types and unit tests" | record
fi

if scripts/check-banned; then echo "ok - no banned string functions" | record
else echo "not ok - banned string functions" | record; fi
# The module map holds: no include cycles, nothing including upwards.
if tools/module-map --cycles >"$OUT/map.log" && tools/module-map --upward >>"$OUT/map.log"; then
    echo "ok - module map: no cycles, no upward includes" | record
else
    sed 's/^/#   /' "$OUT/map.log"
    echo "not ok - module map" | record
fi

pg_start || { echo "not ok - start PostgreSQL" | record; summary; exit 1; }
echo "ok - PostgreSQL started for the tests" | record

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=86"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for variant in plain asan; do
    dir=build
    [ $variant = asan ] && dir=build-asan
    echo "== unit tests ($variant)"
    for t in $(find "$dir/tests" -type f -name '*_test' | sort); do
        name=${t#"$dir"/tests/}
        CMOCKA_MESSAGE_OUTPUT=TAP MQ_TEST_DATABASE_URL=$MQ_TEST_PG_URL "$t" 2>"$OUT/unit.err" |
            sed -E "s|^(not ok\|ok) [0-9]+ (- )?|\1 - [$variant] $name: |" | record
        rc=${PIPESTATUS[0]}
        if [ "$rc" -ne 0 ]; then
            cat "$OUT/unit.err"
            echo "not ok - [$variant] $name exited $rc" | record
        fi
    done
    for f in "$dir"/fuzz-replay/*; do
        name=$(basename "$f")
        "$f" "tests/fuzz/corpus/${name%_fuzz}" | sed -E "s/^(not ok|ok) - /\1 - [$variant] $name: /" | record
    done
    for backend in sqlite postgres; do
        echo "== integration tests ($variant, $backend)"
        /usr/bin/python3 tests/integration/run.py --binary "$dir/marquee" --backend $backend --label "[$variant]" | record
    done
done

for backend in sqlite postgres; do
    echo "== browser tests (plain, $backend)"
    /usr/bin/python3 tests/integration/run.py --binary build/marquee --backend $backend --label "[web]" --browser | record
done

echo "== fuzzing (libFuzzer, ${MQ_FUZZ_SECONDS:=3} s a driver)"
if make -s -j"$JOBS" FUZZ=1 fuzz-drivers >"$OUT/build-fuzz.log" 2>&1 &&
    ! grep -E 'warning:' "$OUT/build-fuzz.log"; then
    echo "ok - build fuzz drivers (clang), no warnings" | record
    tests/fuzz/run.sh "$MQ_FUZZ_SECONDS" | record
else
    cat "$OUT/build-fuzz.log"
    echo "not ok - build fuzz drivers" | record
fi

summary
