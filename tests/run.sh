#!/usr/bin/env bash
# tests/run.sh - runs every test suite and prints the grand total last:
#   "N passed, N failed"
# Suites: the C unit/conformance runner, then every tests/*/run.sh suite
# script (each ends with its own "N passed, N failed" line).
# Environment: BUILD (default build), SAN=1 for a sanitizer build (suites
# that only make sense on the release build skip themselves).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD SAN=${SAN:-}
export TARN_BIN="$PWD/$BUILD/tarn"
total_pass=0
total_fail=0
failed_suites=()

run_suite() {
    local name=$1; shift
    echo "=== suite: $name"
    local out
    out=$(mktemp)
    "$@" 2>&1 | tee "$out"
    local rc=${PIPESTATUS[0]}
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
    rm -f "$out"
    if [ -z "$line" ]; then
        echo "suite $name printed no result line (exit $rc)"
        total_fail=$((total_fail + 1))
        failed_suites+=("$name")
        return
    fi
    local p f
    p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$f" != 0 ] || [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        if [ "$f" = 0 ]; then total_fail=$((total_fail + 1)); fi
        failed_suites+=("$name")
    fi
}

run_suite unit "$BUILD/unit_tests"
for s in tests/*/run.sh; do
    [ -x "$s" ] || continue
    run_suite "$(basename "$(dirname "$s")")" "$s"
done

echo
if [ ${#failed_suites[@]} -gt 0 ]; then
    echo "failing suites: ${failed_suites[*]}"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
