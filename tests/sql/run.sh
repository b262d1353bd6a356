#!/usr/bin/env bash
# tests/sql/run.sh - the SQL logic test suite: every tests/sql/**/*.test
# through build/sql_runner (tests/sql/runner.c).  Ends with
# "N passed, N failed" (records).  Slow files (*.test_slow) run when
# SQL_SLOW=1.
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
if [ ${#files[@]} -eq 0 ]; then
    echo "0 passed, 0 failed"
    exit 0
fi
exec "$RUNNER" "${files[@]}"
