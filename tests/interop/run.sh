#!/usr/bin/env bash
# tests/interop/run.sh - the interop suite: Parquet files written by tarn are
# read by two independent readers, DuckDB (@duckdb/node-api) and hyparquet
# (+ hyparquet-compressors), and every value is compared with the values that
# went in; DuckDB's own rewrite of each file is then read back by tarn.
#
#   tests/interop/run.sh [CASE_SUBSTRING]
#
# Checks (one test each, per case file):
#   NAME duckdb        DuckDB reads tarn's file: values, codec, forced encoding
#   NAME hyparquet     hyparquet reads tarn's file: values
#   NAME tarn          tarn reads its own file back: values
#   NAME tarn<-duckdb  tarn reads DuckDB's rewrite of the file: values
#   demo_checksum      `tarn demo` reads back exactly what it wrote
#   demo_q1 duckdb     the demo's pricing summary equals DuckDB's TPC-H Q1
# Cases are written by build/interop_write_cases (tests/interop/write_cases.c)
# into a temporary folder.  Last line: "N passed, N failed" (skips noted).
# Under SAN=1 the suite skips itself (the readers it compares with are not
# sanitizer builds, and the release run covers it).
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}

if [ "${SAN:-}" = 1 ]; then
    echo "interop: skipped under SAN=1"
    echo "0 passed, 0 failed"
    exit 0
fi

WRITER=$BUILD/interop_write_cases
if [ ! -x "$WRITER" ]; then
    echo "interop: $WRITER is missing (make $WRITER)"
    echo "0 passed, 1 failed"
    exit 1
fi
if [ ! -d tools/node/node_modules/@duckdb/node-api ] || [ ! -d tools/node/node_modules/hyparquet ]; then
    echo "interop: npm packages missing (run make deps)"
    echo "0 passed, 1 failed"
    exit 1
fi

FILTER=${1:-}
WORK=$(mktemp -d /tmp/tarn-interop.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

if ! "$WRITER" write "$WORK" >"$WORK/write.log" 2>&1; then
    cat "$WORK/write.log"
    echo "interop: writing the cases failed"
    echo "0 passed, 1 failed"
    exit 1
fi
if [ -n "$FILTER" ]; then
    grep -F -- "$FILTER" "$WORK/cases.txt" >"$WORK/cases.sel" || true
    mv "$WORK/cases.sel" "$WORK/cases.txt"
fi
echo "interop: $(wc -l <"$WORK/cases.txt") cases written by tarn into $WORK"

passed=0
failed=0
skipped=0
tally() {
    # Reads result lines on stdin, echoes them, counts them.
    local line
    while IFS= read -r line; do
        echo "$line"
        case "$line" in
            "ok "*) passed=$((passed + 1)) ;;
            FAIL*) failed=$((failed + 1)) ;;
            skip*) skipped=$((skipped + 1)) ;;
        esac
    done
}

# Runs one node checker; counts its result lines; a checker that dies
# without reporting a failure counts as one.
run_checker() {
    local reader=$1; shift
    local log="$WORK/check-$reader.log" rc
    node tests/interop/check.mjs "$reader" "$WORK" "$@" >"$log" 2>&1
    rc=$?
    local before=$failed
    tally <"$log"
    if [ "$rc" != 0 ] && [ "$failed" = "$before" ]; then
        echo "FAIL $reader checker exited with status $rc"
        failed=$((failed + 1))
    fi
}

# 1. DuckDB reads every file (and rewrites each for step 3).
run_checker duckdb --rewrite
# 2. hyparquet reads every file.
run_checker hyparquet
# 3. tarn reads its own files and DuckDB's rewrites.
while IFS= read -r name; do
    out=$("$WRITER" verify "$WORK/$name.parquet" "$WORK/$name.json" 2>&1)
    if [ "$out" = ok ]; then
        tally <<<"ok   $name tarn"
    else
        tally <<<"FAIL $name tarn: $(echo "$out" | head -5 | tr '\n' ' ')"
    fi
    if [ -f "$WORK/$name.duckdb.parquet" ]; then
        out=$("$WRITER" verify "$WORK/$name.duckdb.parquet" "$WORK/$name.json" 2>&1)
        if [ "$out" = ok ]; then
            tally <<<"ok   $name tarn<-duckdb"
        else
            tally <<<"FAIL $name tarn<-duckdb: $(echo "$out" | head -5 | tr '\n' ' ')"
        fi
    fi
done <"$WORK/cases.txt"

# 4. The demo (the README's main job): its checksum holds and its pricing
#    summary equals TPC-H Q1 run by DuckDB on the file it wrote.
TARN_BIN=${TARN_BIN:-$BUILD/tarn}
if [ -z "$FILTER" ] || [[ demo == *"$FILTER"* ]]; then
    if "$TARN_BIN" demo --rows 200000 --dir "$WORK/demo" >"$WORK/demo.txt" 2>&1; then
        tally <<<"ok   demo_checksum tarn"
        node tests/interop/check_demo.mjs "$WORK/demo.txt" "$WORK/demo/lineitem.parquet" >"$WORK/demo-check.txt" 2>&1
        rc=$?
        tally <"$WORK/demo-check.txt"
        if [ "$rc" != 0 ] && ! grep -q '^FAIL' "$WORK/demo-check.txt"; then
            tally <<<"FAIL demo_q1 duckdb: checker exited with status $rc"
        fi
    else
        tally <<<"FAIL demo_checksum tarn: $(tail -3 "$WORK/demo.txt" | tr '\n' ' ')"
    fi
fi

[ "$skipped" != 0 ] && echo "($skipped skipped: a reader lacks the feature)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
