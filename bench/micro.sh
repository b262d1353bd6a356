#!/usr/bin/env bash
# bench/micro.sh - engine micro-benchmarks, tarn vs DuckDB, side by side in
# the same run, on the same Parquet files, with the same thread count.
#
#   MICRO_ROWS=10000000 MICRO_ROUNDS=3 MICRO_THREADS=2 bench/micro.sh [OP...]
#   (BENCH_RECORD=0: a trial run that leaves BENCHMARKS.md alone)
#
# Data (made by tarn with SQL, once per tarn binary; DuckDB reads the same
# Parquet files through views):
#   micro.facts  MICRO_ROWS rows: id bigint (1..N), k bigint (a multiplicative
#                hash of id mod N/2: high cardinality, ~N/2 distinct), g int
#                (1000 values), c text (5000 values), v double
#   micro.dim    N/10 rows: k bigint 0..N/10-1 (unique), name text
#   facts.csv    micro.facts written as CSV with a header (by tarn's COPY)
# Operations (the SQL is below; answers are compared between the engines):
#   agg-high-card   GROUP BY k (~N/2 groups), then count and sum the groups
#   agg-text-key    GROUP BY c (5000 text groups)
#   join            facts JOIN dim ON k (build N/10 unique keys, probe N rows)
#   sort            ORDER BY v, id over all N rows (the last row by OFFSET)
#   top-n           ORDER BY v DESC, id LIMIT 10
#   csv-ingest      read facts.csv with type inference and write it as
#                   Parquet (tarn: CREATE TABLE AS, a Delta table; DuckDB:
#                   COPY (FROM read_csv) TO a Parquet file), then count rows
# Each operation runs in a fresh process of each engine (build/sql_bench,
# bench/sql_duckdb.mjs): a warm-up, then one timed run; engines alternate
# operation by operation and the order flips every round.  Medians of
# in-process wall seconds, ratio tarn / DuckDB (< 1: tarn faster), and the
# "micro" section of BENCHMARKS.md.
set -uo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD=${BUILD:-build}
N=${MICRO_ROWS:-10000000}
ROUNDS=${MICRO_ROUNDS:-3}
THREADS=${MICRO_THREADS:-2}
TARN=$BUILD/tarn
SQLB=$BUILD/sql_bench
WORK=$(realpath -m "${BENCH_DIR:-$BUILD/bench-micro}")
LAKE=$WORK/lake
mkdir -p "$WORK/q" "$WORK/out"
RES=$WORK/results.tsv
: >"$RES"
for need in "$TARN" "$SQLB"; do
    [ -x "$need" ] || { echo "bench: $need is missing (make $need)"; exit 1; }
done
[ -d tools/node/node_modules/@duckdb/node-api ] || { echo "bench: run make deps first"; exit 1; }

stamp="$(sha1sum "$TARN" | cut -c1-16) $N"
if [ "$(cat "$LAKE/.bench-stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$LAKE" "$WORK/facts.csv"
    echo "bench: generating micro.facts ($N rows), micro.dim and facts.csv"
    "$TARN" sql --lake "$LAKE" -c "
        CREATE SCHEMA micro;
        CREATE TABLE micro.facts AS
            SELECT i AS id, (i * 2654435761) % ($N / 2) AS k, (i % 1000)::int AS g,
                   'c' || ((i * 31) % 5000) AS c, ((i * 7919) % 1000003) / 100.0::double precision AS v
            FROM generate_series(1::bigint, $N) AS t(i);
        CREATE TABLE micro.dim AS
            SELECT i AS k, 'name' || i AS name FROM generate_series(0::bigint, $N / 10 - 1) AS t(i);
        COPY micro.facts TO '$WORK/facts.csv' (FORMAT csv, HEADER)" >/dev/null ||
        { echo "bench: data generation failed"; exit 1; }
    echo "$stamp" >"$LAKE/.bench-stamp"
fi

OPS=(agg-high-card agg-text-key join sort top-n csv-ingest)
[ $# -gt 0 ] && OPS=("$@")
# q OP ENGINE: writes the query file of OP for ENGINE (tarn | duckdb).
q() {
    local f=$WORK/q/$1.$2.sql
    case $1 in
    agg-high-card) echo "SELECT count(*), sum(s) FROM (SELECT k, sum(v) AS s FROM facts GROUP BY k) x" ;;
    agg-text-key) echo "SELECT count(*), sum(n), min(c), max(c) FROM (SELECT c, count(*) AS n, avg(v) AS a FROM facts GROUP BY c) x" ;;
    join) echo "SELECT count(*), sum(f.v), max(d.name) FROM facts f JOIN dim d ON f.k = d.k" ;;
    sort) echo "SELECT id, v FROM facts ORDER BY v, id LIMIT 1 OFFSET $((N - 1))" ;;
    top-n) echo "SELECT id, v FROM facts ORDER BY v DESC, id LIMIT 10" ;;
    csv-ingest)
        if [ "$2" = tarn ]; then
            echo "DROP TABLE IF EXISTS ingest; CREATE TABLE ingest AS SELECT * FROM read_csv('$WORK/facts.csv'); SELECT count(*) FROM ingest"
        else
            echo "COPY (SELECT * FROM read_csv('$WORK/facts.csv')) TO '$WORK/duckdb-ingest.parquet' (FORMAT parquet); SELECT count(*) FROM read_parquet('$WORK/duckdb-ingest.parquet')"
        fi ;;
    *) echo "bench: unknown operation $1" >&2; return 1 ;;
    esac >"$f"
    echo "$f"
}

fail=0
run_tarn() { bench_run_tarn "$1" "$1" "$2" "$(q "$1" tarn)" 1 micro; }
run_duck() { bench_run_duck "$1" "$1" "$2" micro "$(q "$1" duckdb)" "$3"; }
rm -f "$WORK/mismatch"
for ((r = 1; r <= ROUNDS; r++)); do
    echo "bench: micro round $r of $ROUNDS"
    for op in "${OPS[@]}"; do
        rm -f "$WORK/out/$op.csv"
        if [ $((r % 2)) = 1 ]; then
            run_tarn "$op" "$r"; run_duck "$op" "$r" 1
        else
            run_duck "$op" "$r" 1; run_tarn "$op" "$r"
            run_duck "$op" "$r" 0    # checks tarn's answer
        fi
    done
done

med() { awk -F'\t' -v op="$1" -v tool="$2" '$1==op && $2==tool {print $4}' "$RES" | median; }
TABLE=$WORK/table.md
{
    echo "Data: micro.facts, $N rows (id, k: ~$((N / 2)) distinct bigint keys, g, c: 5000 text values, v double),"
    echo "micro.dim $((N / 10)) unique keys; both made by tarn, DuckDB reads the same Parquet files. threads=$THREADS for both."
    echo "$ROUNDS rounds, a fresh process per engine and operation (warm-up, then one timed run), engines alternating."
    echo "Medians of in-process wall seconds; ratio = tarn / DuckDB (< 1: tarn faster); peak RSS of the process (DuckDB's"
    echo "includes node's ~85 MiB). Every answer checked against DuckDB's. The SQL of each operation: bench/micro.sh."
    echo
    echo "| operation | tarn s | DuckDB s | ratio | tarn peak MiB | DuckDB peak MiB |"
    echo "|---|---:|---:|---:|---:|---:|"
    for op in "${OPS[@]}"; do
        t=$(med "$op" tarn); d=$(med "$op" duckdb)
        tm=$(med "$op" tarn-rss); dm=$(med "$op" duckdb-rss)
        flag=""; grep -qx "$op" "$WORK/mismatch" 2>/dev/null && flag=" (answer differs)"
        awk -v op="$op$flag" -v t="${t:-0}" -v d="${d:-0}" -v tm="${tm:-0}" -v dm="${dm:-0}" \
            'BEGIN {printf "| %s | %.3f | %.3f | %.2f | %d | %d |\n", op, t, d, (d > 0 ? t / d : 0), tm / 1024, dm / 1024}'
    done
} >"$TABLE"
echo
cat "$TABLE"
if [ "${BENCH_RECORD:-1}" != 0 ] && [ $# = 0 ]; then
    bench_record_section micro "Engine micro-benchmarks, tarn vs DuckDB" "$TABLE" "$WORK"
    echo "bench: micro-benchmark figures written to BENCHMARKS.md"
fi
exit $fail
