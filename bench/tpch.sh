#!/usr/bin/env bash
# bench/tpch.sh - `tarn tpch gen` timed, with DuckDB beside it in the same run.
#
#   TPCH_SF=1 TPCH_ROUNDS=3 bench/tpch.sh
#
# Per round, alternating the tools so that the machine's speed drift hits
# both alike:
#   tarn-2t / tarn-1t   tarn tpch gen --sf SF into a fresh lake, 2 threads / 1 thread
#                       (text pool + generation + Parquet + Delta commits)
#   duckdb-dbgen        CALL dbgen(sf=SF) + COPY every table TO parquet (snappy),
#                       when DuckDB's tpch extension can be loaded (it needs a
#                       download; offline it is reported as unavailable)
#   duckdb-copy         DuckDB rewriting tarn's tables to Parquet (snappy), 2 threads:
#                       the COPY half alone, on the same rows
# Prints the median seconds of each, and the bytes of each tool's files.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
TARN=${TARN_BIN:-$BUILD/tarn}
SF=${TPCH_SF:-1}
ROUNDS=${TPCH_ROUNDS:-3}
WORK=${BENCH_DIR:-$BUILD/bench-tpch}
rm -rf "$WORK"
mkdir -p "$WORK"
RES=$WORK/results.tsv
: >"$RES"

secs() { date +%s.%N; }
have_duck=0
command -v node >/dev/null && [ -d tools/node/node_modules/@duckdb/node-api ] && have_duck=1
dbgen_note=""

for r in $(seq 1 "$ROUNDS"); do
    for threads in 2 1; do
        rm -rf "$WORK/lake"
        t0=$(secs)
        "$TARN" tpch gen --sf "$SF" --lake "$WORK/lake" --threads "$threads" >"$WORK/gen.out" || exit 1
        t1=$(secs)
        echo -e "tarn-${threads}t\t$(awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }')" >>"$RES"
    done
    if [ $have_duck = 1 ]; then
        rm -rf "$WORK/duck"
        out=$(node bench/tpch_duckdb.mjs dbgen "$SF" "$WORK/duck" 2)
        if [ $? = 0 ]; then
            echo -e "duckdb-dbgen\t$(echo "$out" | awk '{print $2 + $4}')" >>"$RES"
        else
            dbgen_note=$out
        fi
        rm -rf "$WORK/duckcopy"
        out=$(node bench/tpch_duckdb.mjs copy "$WORK/lake" "$WORK/duckcopy" 2) || exit 1
        echo -e "duckdb-copy\t$(echo "$out" | awk '{print $2}')" >>"$RES"
    fi
done

echo "TPC-H SF $SF, $ROUNDS rounds, median wall seconds ($(nproc) cores)"
for op in tarn-2t tarn-1t duckdb-dbgen duckdb-copy; do
    vals=$(awk -v op="$op" '$1 == op { print $2 }' "$RES" | sort -n)
    [ -z "$vals" ] && continue
    n=$(echo "$vals" | wc -l)
    med=$(echo "$vals" | sed -n "$(((n + 1) / 2))p")
    printf "  %-13s %8.2f   (all: %s)\n" "$op" "$med" "$(echo $vals)"
done
[ -n "$dbgen_note" ] && echo "  duckdb-dbgen  $dbgen_note"
echo "bytes: tarn $(cat "$WORK"/lake/tpch/*/part-*.parquet | wc -c)" \
    "$([ -d "$WORK/duckcopy" ] && echo ", DuckDB rewrite $(cat "$WORK"/duckcopy/*.parquet | wc -c)")"
