#!/usr/bin/env bash
# tools/demo.sh - `make demo`: what tarn does today, end to end, on this machine.
#   1. Parquet: generate lineitem-like rows, write them with tarn's writer,
#      read them back, summarise (tarn demo).
#   2. A lake: the eight TPC-H tables as Delta tables (tarn tpch gen).
#   3. SQL over the lake: TPC-H Q1 and Q6 (tarn sql, PostgreSQL dialect).
#   4. Delta transactions: a table created and filled from SQL (INSERT,
#      COPY FROM a CSV file), a Parquet append from the CLI, history and time
#      travel (tarn table ...).
# Usage: tools/demo.sh TARN_BIN OUT_DIR ROWS SF
set -euo pipefail
TARN=${1:-build/tarn}
OUT=${2:-build/demo-out}
ROWS=${3:-1000000}
SF=${4:-0.1}
QUERIES=$(cd "$(dirname "$0")/.." && pwd)/../shared/bench/tpch-queries
LAKE=$OUT/lake
rm -rf "$LAKE"
mkdir -p "$OUT"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. Parquet: $ROWS rows written and read back by tarn's own codec"
"$TARN" demo --rows "$ROWS" --dir "$OUT"

step "2. A lake: TPC-H scale factor $SF as Delta tables in $LAKE/tpch/"
"$TARN" tpch gen --sf "$SF" --lake "$LAKE"

step "3. SQL over the lake (PostgreSQL dialect): TPC-H Q1 and Q6"
for q in 01 06; do
    if [ -f "$QUERIES/q$q.sql" ]; then
        echo "-- q$q"
        start=$(date +%s.%N)
        { echo "SET search_path = tpch;"; cat "$QUERIES/q$q.sql"; } | "$TARN" sql --lake "$LAKE" -f /dev/stdin
        echo "($(awk "BEGIN{printf \"%.3f\", $(date +%s.%N) - $start}") s)"
    fi
done

step "4. Delta transactions: SQL DDL and DML, COPY, a Parquet append, history, time travel"
"$TARN" sql --lake "$LAKE" -c "CREATE TABLE public.events (id bigint, kind text, amount numeric(10,2));
INSERT INTO public.events VALUES (1, 'click', 0.50), (2, 'buy', 19.99), (3, 'click', 0.25);"
printf 'id,kind,amount\n4,buy,5.00\n5,refund,-19.99\n' > "$OUT/more-events.csv"
"$TARN" sql --lake "$LAKE" -c "COPY public.events FROM '$OUT/more-events.csv' (FORMAT csv, HEADER true)"
"$TARN" sql --lake "$LAKE" -c "COPY (SELECT id + 100 AS id, kind, amount FROM public.events WHERE kind = 'buy') TO '$OUT/buys.parquet' (FORMAT parquet)"
"$TARN" table append "$LAKE/public/events" --from "$OUT/buys.parquet"
"$TARN" sql --lake "$LAKE" -c "SELECT kind, count(*) AS n, sum(amount) AS total FROM public.events GROUP BY kind ORDER BY kind"
"$TARN" table history "$LAKE/public/events"
echo "-- the table as of version 1 (before COPY and the append):"
"$TARN" table cat "$LAKE/public/events" --version 1
echo
echo "The lake stays in $LAKE: try  $TARN sql --lake $LAKE  or  $TARN table describe $LAKE/tpch/lineitem"
