#!/usr/bin/env bash
# tools/demo.sh - `make demo`: what tarn does today, end to end, on this machine.
#   1. Parquet: generate lineitem-like rows, write them with tarn's writer,
#      read them back, summarise (tarn demo).
#   2. A lake: the eight TPC-H tables as Delta tables (tarn tpch gen).
#   3. SQL over the lake: TPC-H Q1 and Q6 (tarn sql, PostgreSQL dialect).
#   4. Delta transactions: a table created and filled from SQL (INSERT,
#      COPY FROM a CSV file), a Parquet append from the CLI, history and time
#      travel (tarn table ...).
#   5. Analytics SQL: window functions, ROLLUP, a LATERAL "latest row at or
#      before" lookup (an as-of join), UPDATE ... RETURNING, MERGE.
#   6. The lake served over PostgreSQL's wire protocol (tarn serve on a
#      loopback port) and queried with psql: psql's catalog commands (\dt,
#      \d TABLE), a query, a prepared statement.
#   7. Ingestion and streaming: NDJSON event files loaded incrementally
#      (tarn ingest files, run twice: the second run loads only the new
#      file), events posted over HTTP (tarn serve --http, answered once
#      committed), and a windowed streaming aggregate (tarn stream: events
#      per minute by source, exactly once) checked against the same query
#      in batch SQL.
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

step "5. Analytics SQL: window functions, ROLLUP, an as-of join (LATERAL), UPDATE ... RETURNING, MERGE"
"$TARN" sql --lake "$LAKE" -c "SET search_path = tpch;
SELECT n_name, o_year, revenue,
       rank() OVER (PARTITION BY o_year ORDER BY revenue DESC) AS rank_in_year,
       round(100 * revenue / sum(revenue) OVER (PARTITION BY o_year), 1) AS pct_of_year
FROM (SELECT n_name, extract(year FROM o_orderdate) AS o_year, sum(o_totalprice) AS revenue
      FROM orders JOIN customer ON o_custkey = c_custkey JOIN nation ON c_nationkey = n_nationkey
      WHERE n_regionkey = 1 GROUP BY n_name, extract(year FROM o_orderdate)) r
WHERE o_year IN (1995, 1996) ORDER BY o_year, rank_in_year"
"$TARN" sql --lake "$LAKE" -c "SET search_path = tpch;
SELECT r_name, o_orderpriority, count(*) AS orders, grouping(r_name, o_orderpriority) AS level
FROM orders JOIN customer ON o_custkey = c_custkey JOIN nation ON c_nationkey = n_nationkey
     JOIN region ON n_regionkey = r_regionkey
WHERE o_orderdate >= date '1998-07-01'
GROUP BY ROLLUP (r_name, o_orderpriority) ORDER BY r_name NULLS LAST, o_orderpriority NULLS LAST LIMIT 8"
"$TARN" sql --lake "$LAKE" -c "CREATE TABLE public.prices (sym text, ts timestamp, px numeric(10,2));
INSERT INTO public.prices VALUES ('ACME', '2024-01-01 09:00', 10.00), ('ACME', '2024-01-01 09:05', 10.40),
  ('ACME', '2024-01-01 09:10', 10.10), ('INIT', '2024-01-01 09:02', 55.00), ('INIT', '2024-01-01 09:09', 54.20);
CREATE TABLE public.trades (id int, sym text, ts timestamp, qty int);
INSERT INTO public.trades VALUES (1, 'ACME', '2024-01-01 09:04', 100), (2, 'INIT', '2024-01-01 09:09', 5),
  (3, 'ACME', '2024-01-01 09:12', 40), (4, 'INIT', '2024-01-01 09:01', 7);
-- the price in force at each trade: the latest quote at or before it
SELECT t.id, t.sym, t.ts, p.px, t.qty * p.px AS value
FROM public.trades t LEFT JOIN LATERAL (
  SELECT px FROM public.prices q WHERE q.sym = t.sym AND q.ts <= t.ts ORDER BY q.ts DESC LIMIT 1) p ON true
ORDER BY t.id"
"$TARN" sql --lake "$LAKE" -c "UPDATE public.events SET amount = amount * 2 WHERE kind = 'click' RETURNING id, kind, amount"
"$TARN" sql --lake "$LAKE" -c "MERGE INTO public.events e
USING (VALUES (2, 'buy', 21.99), (9, 'buy', 3.00)) AS s(id, kind, amount) ON e.id = s.id
WHEN MATCHED THEN UPDATE SET amount = s.amount
WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.kind, s.amount);
SELECT * FROM public.events ORDER BY id"

step "6. The lake over PostgreSQL's wire protocol: tarn serve + psql"
if command -v psql >/dev/null 2>&1; then
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$TARN" serve --lake "$LAKE" --listen "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
    SERVE_PID=$!
    trap 'kill $SERVE_PID 2>/dev/null || true' EXIT
    for _ in $(seq 50); do
        psql -h 127.0.0.1 -p "$PORT" -U demo -d lake -Atc 'SELECT 1' >/dev/null 2>&1 && break
        sleep 0.1
    done
    echo "-- psql -h 127.0.0.1 -p $PORT -U demo -d lake"
    echo "-- psql's catalog commands (pg_catalog and information_schema are emulated):"
    psql -h 127.0.0.1 -p "$PORT" -U demo -d lake -X -c '\dt tpch.*' -c '\d tpch.nation'
    psql -h 127.0.0.1 -p "$PORT" -U demo -d lake -X -c "SELECT version()" \
        -c "SELECT l_returnflag, l_linestatus, count(*) AS orders, sum(l_extendedprice) AS revenue FROM tpch.lineitem GROUP BY 1, 2 ORDER BY 1, 2"
    echo "-- a prepared statement with a parameter:"
    psql -h 127.0.0.1 -p "$PORT" -U demo -d lake -X \
        -c "PREPARE by_region(int) AS SELECT n_name FROM tpch.nation WHERE n_regionkey = \$1 ORDER BY n_name" \
        -c "EXECUTE by_region(3)"
    kill $SERVE_PID 2>/dev/null || true
    wait $SERVE_PID 2>/dev/null || true
    trap - EXIT
else
    echo "(psql is not installed: make deps installs it)"
fi

step "7. Ingestion and streaming: files and HTTP into Delta, exactly once; a windowed aggregate kept up to date"
EV=$OUT/events
rm -rf "$EV"
mkdir -p "$EV"
# Three files of click events, one event per second from 12:00:00 UTC.
gen_events() { # FILE FIRST COUNT
    python3 - "$@" <<'PY'
import json, sys
path, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sources = ["web", "ios", "android"]
with open(path, "w") as f:
    for i in range(first, first + count):
        f.write(json.dumps({"id": i, "source": sources[i % 3], "amount": (i * 7) % 100,
                            "ts": "2026-11-21T12:%02d:%02dZ" % (i // 60 % 60, i % 60)}) + "\n")
PY
}
gen_events "$EV/part-1.json" 0 300
gen_events "$EV/part-2.json" 300 300
echo "-- tarn ingest files --path '$EV/*.json' --table bronze.events"
"$TARN" ingest files --lake "$LAKE" --path "$EV/*.json" --table bronze.events
gen_events "$EV/part-3.json" 600 300
echo "-- a new file arrived; the same command loads only that one (the ingested files are recorded in the table's commits):"
"$TARN" ingest files --lake "$LAKE" --path "$EV/*.json" --table bronze.events
echo "-- a streaming aggregate: events and amount per minute and source, with a 30-second watermark"
"$TARN" sql --lake "$LAKE" -c "CREATE SCHEMA IF NOT EXISTS gold" >/dev/null
"$TARN" stream create --lake "$LAKE" --name per_min --target gold.events_per_min --watermark '30 seconds' \
    --sql "SELECT window_start, source, count(*) AS events, sum(amount) AS amount
           FROM TUMBLE(bronze.events, ts, INTERVAL '1 minute') GROUP BY window_start, source"
"$TARN" stream run --lake "$LAKE" --name per_min --once
if command -v curl >/dev/null 2>&1; then
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    HPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$TARN" serve --lake "$LAKE" --listen "127.0.0.1:$PORT" --http "127.0.0.1:$HPORT" >"$OUT/serve-http.log" 2>&1 &
    SERVE_PID=$!
    trap 'kill $SERVE_PID 2>/dev/null || true' EXIT
    for _ in $(seq 50); do
        curl -sf "http://127.0.0.1:$HPORT/health" >/dev/null 2>&1 && break
        sleep 0.1
    done
    gen_events "$EV/posted.ndjson" 900 120
    echo "-- curl -X POST http://127.0.0.1:$HPORT/ingest/bronze.events (120 NDJSON events; the answer comes after the commit):"
    curl -s -X POST -H 'Content-Type: application/x-ndjson' --data-binary "@$EV/posted.ndjson" \
        "http://127.0.0.1:$HPORT/ingest/bronze.events"
    echo
    kill $SERVE_PID 2>/dev/null || true
    wait $SERVE_PID 2>/dev/null || true
    trap - EXIT
    echo "-- the stream's next run picks up the posted events:"
    "$TARN" stream run --lake "$LAKE" --name per_min --once
fi
"$TARN" sql --lake "$LAKE" -c "SELECT window_start, source, events, amount FROM gold.events_per_min ORDER BY 1, 2 LIMIT 6"
echo "-- the stream's table equals the same aggregate computed in batch over all of bronze.events:"
"$TARN" sql --lake "$LAKE" -c "SELECT count(*) AS differing_rows FROM (
    (SELECT window_start, source, events, amount FROM gold.events_per_min
     EXCEPT SELECT date_bin(INTERVAL '1 minute', ts, TIMESTAMPTZ '1970-01-01 00:00:00+00'), source, count(*), sum(amount)
            FROM bronze.events GROUP BY 1, 2)
    UNION ALL
    (SELECT date_bin(INTERVAL '1 minute', ts, TIMESTAMPTZ '1970-01-01 00:00:00+00'), source, count(*), sum(amount)
            FROM bronze.events GROUP BY 1, 2
     EXCEPT SELECT window_start, source, events, amount FROM gold.events_per_min)) d"

echo
echo "The lake stays in $LAKE: try  $TARN sql --lake $LAKE  or  $TARN serve --lake $LAKE  (then psql -h 127.0.0.1 -U you)"
