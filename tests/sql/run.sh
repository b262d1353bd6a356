#!/usr/bin/env bash
# tests/sql/run.sh - the SQL logic test suite: every tests/sql/**/*.test
# through build/sql_runner (tests/sql/runner.c).  Ends with
# "N passed, N failed" (records, plus the 22 TPC-H queries checked
# against DuckDB at SF 0.01 - tests/sql/tpch/).  Slow files (*.test_slow)
# run when SQL_SLOW=1.
#   tests/sql/run.sh [FILE.test ...]
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
RUNNER=$BUILD/sql_runner
# keep the runner in step with the library (a no-op when up to date)
if [ "${SAN:-}" = 1 ]; then
    make -s "$RUNNER" BUILD="$BUILD" SAN=1 >/dev/null 2>&1
else
    make -s "$RUNNER" BUILD="$BUILD" >/dev/null 2>&1
fi
if [ ! -x "$RUNNER" ]; then
    echo "sql: cannot build $RUNNER"; echo "0 passed, 1 failed"; exit 1
fi
if [ $# -gt 0 ]; then
    files=("$@")
else
    mapfile -t files < <(find tests/sql -name '*.test' | sort)
    if [ "${SQL_SLOW:-0}" = 1 ]; then
        mapfile -t -O "${#files[@]}" files < <(find tests/sql -name '*.test_slow' | sort)
    fi
fi
pass=0
fail=0
if [ ${#files[@]} -gt 0 ]; then
    out=$(mktemp)
    "$RUNNER" "${files[@]}" | tee "$out"
    line=$(tail -1 "$out")
    rm -f "$out"
    pass=$(echo "$line" | sed -nE 's/^([0-9]+) passed.*/\1/p')
    fail=$(echo "$line" | sed -nE 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/p')
    pass=${pass:-0}
    fail=${fail:-1}
fi
# The 22 TPC-H queries against DuckDB at SF 0.01 (when the tools are there
# and no file list was given; SQL_TPCH=0 skips it).
TARN=${TARN_BIN:-$BUILD/tarn}
if [ $# -eq 0 ] && [ "${SQL_TPCH:-1}" = 1 ] && [ -x "$TARN" ] && command -v node >/dev/null &&
    [ -d tools/node/node_modules/@duckdb/node-api ]; then
    work=$(mktemp -d /tmp/tarn-sql-tpch.XXXXXX)
    if "$TARN" tpch gen --sf 0.01 --lake "$work/lake" >/dev/null 2>&1; then
        out=$(mktemp)
        node tests/sql/tpch/check.mjs "$TARN" "$work/lake" | tee "$out"
        line=$(tail -1 "$out")
        rm -f "$out"
        p=$(echo "$line" | sed -nE 's/^([0-9]+) passed.*/\1/p')
        f=$(echo "$line" | sed -nE 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/p')
        pass=$((pass + ${p:-0}))
        fail=$((fail + ${f:-1}))
    else
        echo "FAIL tpch: cannot generate the SF 0.01 tables"
        fail=$((fail + 1))
    fi
    rm -rf "$work"
else
    echo "skip tpch (no DuckDB tools, a file list, or SQL_TPCH=0)"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
