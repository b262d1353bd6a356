#!/usr/bin/env bash
# tests/stream/run.sh - the `tarn stream` suite (docs/streaming.md): a source
# table appended in several commits, `tarn stream run --once` in between,
# and after every run the target must equal the same aggregate computed in
# batch over the whole source with plain SQL (GROUP BY date_bin(...)):
#   tumble      count/sum/min/max per minute and source, NULL amounts and
#               event times, an empty run, OPTIMIZE of the source between runs
#   watermark   rows behind the watermark dropped and counted (late_rows)
#   hop         sliding windows (slide 20 s, size 1 min)
#   kill        SIGKILL of `tarn stream run` at random moments, rerun: no
#               row counted twice or lost (exactly once)
#   refusals    count(DISTINCT), percentile_cont, avg, HAVING, no TUMBLE,
#               duplicate names, an existing target
#   rewrite     a DELETE on the source stops the stream with a clear error
#   several     two streams in one `tarn stream run` (a thread each), SIGTERM
#   drop        tarn stream drop / list
# Environment: BUILD (default build), SAN=1.  Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
TARN=$PWD/$BUILD/tarn
if [ "${SAN:-}" = 1 ]; then
    make -s "$BUILD/tarn" BUILD="$BUILD" SAN=1 >/dev/null 2>&1
else
    make -s "$BUILD/tarn" BUILD="$BUILD" >/dev/null 2>&1
fi
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | head -20 | sed 's/^/    /'; }
if [ ! -x "$TARN" ]; then
    echo "stream: cannot build $TARN"; echo "0 passed, 1 failed"; exit 1
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
L=$TMP/lake
# sanitizer reports (SAN=1) go to files, checked at the end
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$TMP/san"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$TMP/san:print_stacktrace=1"

sql() { "$TARN" sql --lake "$L" --csv -c "$1" 2>&1; }
run_once() { "$TARN" stream run --lake "$L" --name "$1" --once 2>&1; }

# check NAME TARGET_QUERY BATCH_QUERY: both ordered the same way
check() {
    local got want
    got=$(sql "$2" | tail -n +2)
    want=$(sql "$3" | tail -n +2)
    if [ "$got" = "$want" ] && [ -n "$got" ]; then
        ok "$1"
    else
        bad "$1" "$(diff <(echo "$want") <(echo "$got") | head -20)"
    fi
}

# expect_err NAME OUTPUT FRAGMENT
expect_err() {
    if printf '%s' "$2" | grep -qF -- "$3"; then ok "$1"; else bad "$1" "$2"; fi
}

sql "CREATE SCHEMA bronze; CREATE TABLE bronze.events (ts timestamp, source text, amount int, tag text)" >/dev/null

# inserts batch number $1: 200 rows over ~7 minutes, some NULLs
insert_batch() {
    sql "INSERT INTO bronze.events SELECT TIMESTAMP '2024-01-01 00:00:00' + ((i * 37 + $1 * 11) % 420) * INTERVAL '1 second'
           + ($1 * 13 % 1000) * INTERVAL '1 millisecond',
         'src' || ((i + $1) % 3), CASE WHEN i % 17 = 0 THEN NULL ELSE i * $1 END, 'b$1'
         FROM generate_series(1, 200) AS g(i)" >/dev/null
}

# ---- tumble -----------------------------------------------------------------------------------------
TQ="SELECT window_start, window_end, source, count(*) AS events, count(amount) AS n_amount, sum(amount) AS total, min(amount) AS lo, max(amount) AS hi FROM TUMBLE(bronze.events, ts, INTERVAL '1 minute') GROUP BY window_start, window_end, source"
out=$("$TARN" stream create --lake "$L" --name per_min --target public.per_min --sql "$TQ;" 2>&1)
expect_err "create tumble stream" "$out" "CREATE STREAM per_min"
T_TARGET="SELECT * FROM per_min ORDER BY 1, 3"
T_BATCH="SELECT date_bin('1 minute', ts, TIMESTAMP '1970-01-01') AS ws, date_bin('1 minute', ts, TIMESTAMP '1970-01-01') + INTERVAL '1 minute', source, count(*), count(amount), sum(amount), min(amount), max(amount) FROM bronze.events WHERE ts IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 3"
out=$(run_once per_min)
expect_err "run on an empty source" "$out" "source versions"
got=$(sql "SELECT count(*) FROM per_min")
[ "$got" = $'count\n0' ] && ok "empty source: empty target" || bad "empty source: empty target" "$got"
for b in 1 2 3; do
    insert_batch $b
    [ $b = 2 ] && insert_batch 22
    out=$(run_once per_min)
    expect_err "tumble run $b" "$out" "groups written"
    check "tumble equals batch after run $b" "$T_TARGET" "$T_BATCH"
done
sql "INSERT INTO bronze.events VALUES (NULL, 'src0', 5, 'null-ts')" >/dev/null
run_once per_min >/dev/null
check "NULL event time: no window" "$T_TARGET" "$T_BATCH"
out=$(run_once per_min)
expect_err "nothing new: up to date" "$out" "up to date"
sql "SELECT * FROM delta_optimize('bronze.events')" >/dev/null
insert_batch 4
out=$(run_once per_min)
check "OPTIMIZE of the source is skipped, appends after it read" "$T_TARGET" "$T_BATCH"
got=$(sql "SELECT count(*) FROM delta_history('per_min') WHERE operation = 'STREAMING UPDATE'")
[ "$got" = $'count\n6' ] && ok "one target commit per run with new data" || bad "one target commit per run with new data" "$got"
got=$("$TARN" stream list --lake "$L" 2>&1)
expect_err "list shows progress" "$got" "null_time_rows=1"

# ---- watermark ------------------------------------------------------------------------------------------
sql "CREATE TABLE bronze.clicks (ts timestamptz, page text, tag text)" >/dev/null
"$TARN" stream create --lake "$L" --name clicks --target public.clicks_per_min --watermark '30 seconds' \
    --sql "SELECT window_start, window_end, page, count(*) AS n FROM TUMBLE(bronze.clicks, ts, INTERVAL '1 minute') GROUP BY window_start, window_end, page" >/dev/null 2>&1
W_TARGET="SELECT * FROM clicks_per_min ORDER BY 1, 3"
W_BATCH="SELECT date_bin('1 minute', ts, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS ws, date_bin('1 minute', ts, TIMESTAMPTZ '1970-01-01 00:00:00+00') + INTERVAL '1 minute', page, count(*) FROM bronze.clicks WHERE tag = 'ok' GROUP BY 1, 2, 3 ORDER BY 1, 3"
sql "INSERT INTO bronze.clicks VALUES ('2024-01-01 00:00:10+00', 'home', 'ok'), ('2024-01-01 00:01:40+00', 'home', 'ok')" >/dev/null
run_once clicks >/dev/null
# max event 00:01:40 -> watermark 00:01:10: the window ending 00:01 is closed
sql "INSERT INTO bronze.clicks VALUES ('2024-01-01 00:00:50+00', 'home', 'late'), ('2024-01-01 00:01:05+00', 'home', 'ok'), ('2024-01-01 00:00:59.999+00', 'cart', 'late')" >/dev/null
out=$(run_once clicks)
expect_err "late rows reported by the run" "$out" "(2 late"
check "late rows dropped, open window updated" "$W_TARGET" "$W_BATCH"
sql "INSERT INTO bronze.clicks VALUES ('2024-01-01 00:05:00+00', 'cart', 'ok'), ('2024-01-01 00:01:59+00', 'cart', 'ok')" >/dev/null
out=$(run_once clicks)
expect_err "a run's rows use the watermark from before it" "$out" "(0 late"
check "watermark: target equals batch without late rows" "$W_TARGET" "$W_BATCH"
# max event 00:05:30 -> watermark 00:05:00 = the end of the window [00:04, 00:05): closed
sql "INSERT INTO bronze.clicks VALUES ('2024-01-01 00:05:30+00', 'home', 'ok')" >/dev/null
run_once clicks >/dev/null
sql "INSERT INTO bronze.clicks VALUES ('2024-01-01 00:04:59.999999+00', 'cart', 'late'), ('2024-01-01 00:05:00+00', 'cart', 'ok')" >/dev/null
run_once clicks >/dev/null
check "watermark boundary: window_end = watermark is closed" "$W_TARGET" "$W_BATCH"
got=$("$TARN" stream list --lake "$L" 2>&1 | grep '^clicks')
expect_err "late rows counted in the stream's state" "$got" "late_rows=3"

# ---- hop ------------------------------------------------------------------------------------------------------
HQ="SELECT window_start, window_end, source, count(*) AS events, sum(amount) AS total FROM HOP(bronze.events, ts, INTERVAL '20 seconds', INTERVAL '1 minute') GROUP BY window_start, window_end, source"
"$TARN" stream create --lake "$L" --name hop --target public.hop_min --sql "$HQ" >/dev/null 2>&1
H_TARGET="SELECT * FROM hop_min ORDER BY 1, 3"
H_BATCH="SELECT s.ws, s.ws + INTERVAL '1 minute', e.source, count(*), sum(e.amount) FROM bronze.events e,
  LATERAL (SELECT date_bin('20 seconds', e.ts, TIMESTAMP '1970-01-01') - k * INTERVAL '20 seconds' AS ws FROM generate_series(0, 2) AS g(k)) s
  WHERE e.ts IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 3"
run_once hop >/dev/null
check "hop: first run over the existing source" "$H_TARGET" "$H_BATCH"
insert_batch 5
run_once hop >/dev/null
check "hop: after an append" "$H_TARGET" "$H_BATCH"

# ---- SIGKILL: exactly once ------------------------------------------------------------------------------
sql "CREATE TABLE bronze.k (ts timestamp, v int)" >/dev/null
"$TARN" stream create --lake "$L" --name k --target public.k_agg \
    --sql "SELECT window_start, window_end, count(*) AS n, sum(v) AS s FROM TUMBLE(bronze.k, ts, INTERVAL '10 seconds') GROUP BY window_start, window_end" >/dev/null 2>&1
for i in $(seq 1 12); do
    sql "INSERT INTO bronze.k SELECT TIMESTAMP '2024-01-01' + ((j * 7 + $i) % 300) * INTERVAL '1 second', j FROM generate_series(1, 50) AS g(j)" >/dev/null
    "$TARN" stream run --lake "$L" --name k --interval-ms 0 >/dev/null 2>&1 &
    pid=$!
    sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
done
run_once k >/dev/null
check "SIGKILL at random moments, then rerun: equals batch" "SELECT * FROM k_agg ORDER BY 1" \
    "SELECT date_bin('10 seconds', ts, TIMESTAMP '1970-01-01') AS ws, date_bin('10 seconds', ts, TIMESTAMP '1970-01-01') + INTERVAL '10 seconds', count(*), sum(v) FROM bronze.k GROUP BY 1, 2 ORDER BY 1"

# SIGTERM finishes cleanly
"$TARN" stream run --lake "$L" --name k --interval-ms 50 >/dev/null 2>&1 &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
rc=$?
[ $rc = 0 ] && ok "SIGTERM stops the run loop with status 0" || bad "SIGTERM stops the run loop with status 0" "exit $rc"

# several streams in one process (a thread each), appends while they run,
# SIGTERM: each makes a last run, so both end equal to the batch answers
"$TARN" stream run --lake "$L" --name per_min --name hop --interval-ms 100 >/dev/null 2>"$TMP/multi.err" &
pid=$!
insert_batch 6
sleep 1
insert_batch 7
kill -TERM $pid
wait $pid
rc=$?
[ $rc = 0 ] && ok "two streams in one process stop on SIGTERM" || bad "two streams in one process stop on SIGTERM" "exit $rc: $(cat "$TMP/multi.err")"
check "two streams in one process: tumble equals batch" "$T_TARGET" "$T_BATCH"
check "two streams in one process: hop equals batch" "$H_TARGET" "$H_BATCH"
out=$("$TARN" stream run --lake "$L" --name per_min --name nope --interval-ms 100 2>&1)
expect_err "an unknown stream among several" "$out" "stream \"nope\" does not exist"

# ---- refusals ---------------------------------------------------------------------------------------------------
create() { "$TARN" stream create --lake "$L" --name "$1" --target "public.$1" --sql "$2" 2>&1; }
out=$(create r1 "SELECT window_start, window_end, count(DISTINCT source) FROM TUMBLE(bronze.events, ts, INTERVAL '1 minute') GROUP BY 1, 2")
expect_err "count(DISTINCT) refused" "$out" "count(DISTINCT ...) or with ORDER BY cannot be maintained by a stream"
out=$(create r2 "SELECT window_start, window_end, percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) AS p FROM TUMBLE(bronze.events, ts, INTERVAL '1 minute') GROUP BY 1, 2")
expect_err "percentile refused" "$out" "stream output column \"p\" must be a GROUP BY column or count / sum / min / max"
out=$(create r3 "SELECT window_start, window_end, avg(amount) FROM TUMBLE(bronze.events, ts, INTERVAL '1 minute') GROUP BY 1, 2")
expect_err "avg refused with a hint" "$out" "For an average, output sum(x) and count(x)"
out=$(create r4 "SELECT window_start, window_end, count(*) FROM TUMBLE(bronze.events, ts, INTERVAL '1 minute') GROUP BY 1, 2 HAVING count(*) > 1")
expect_err "HAVING refused" "$out" "a stream query cannot have HAVING"
out=$(create r5 "SELECT date_bin('1 minute', ts, TIMESTAMP '1970-01-01') AS window_start, count(*) FROM bronze.events GROUP BY 1")
expect_err "no TUMBLE / HOP refused" "$out" "a stream query must read its source through TUMBLE or HOP"
out=$(create r6 "SELECT source, count(*) FROM TUMBLE(bronze.events, ts, INTERVAL '1 minute') GROUP BY source")
expect_err "no window column refused" "$out" "output and GROUP BY window_start or window_end"
out=$(create per_min "SELECT window_start, count(*) FROM TUMBLE(bronze.events, ts, INTERVAL '1 minute') GROUP BY 1")
expect_err "duplicate stream name" "$out" "stream \"per_min\" already exists"
out=$("$TARN" stream create --lake "$L" --name r7 --target public.per_min --sql "SELECT window_start, count(*) FROM TUMBLE(bronze.events, ts, INTERVAL '1 minute') GROUP BY 1" 2>&1)
expect_err "existing target refused" "$out" "already exists"
out=$(create r8 "SELECT window_start, sum(amount) / count(*) AS a FROM TUMBLE(bronze.events, ts, INTERVAL '1 minute') GROUP BY 1")
expect_err "expression over aggregates refused" "$out" "stream output column \"a\" must be"
out=$(create r9 "SELECT a.window_start, count(*) FROM TUMBLE(bronze.events, ts, INTERVAL '1 minute') a JOIN TUMBLE(bronze.clicks, ts, INTERVAL '1 minute') b ON a.window_start = b.window_start GROUP BY 1")
expect_err "two window functions refused" "$out" "a stream query reads exactly one TUMBLE or HOP"
got=$(sql "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'r_'" | tail -1)
[ "$got" = 0 ] && ok "refused streams create no table" || bad "refused streams create no table" "$got"

# ---- source rewrite ----------------------------------------------------------------------------------------------
sql "DELETE FROM bronze.k WHERE v = 1" >/dev/null
out=$(run_once k)
expect_err "DELETE on the source stops the stream" "$out" "the stream's source changed existing rows at version"

# ---- drop -----------------------------------------------------------------------------------------------------------
out=$("$TARN" stream drop --lake "$L" --name k 2>&1)
expect_err "drop" "$out" "DROP STREAM k"
got=$("$TARN" stream list --lake "$L" 2>&1 | cut -f1 | tr '\n' ' ')
[ "$got" = "clicks hop per_min " ] && ok "list after drop" || bad "list after drop" "$got"
out=$(run_once k)
expect_err "dropped stream is gone" "$out" "stream \"k\" does not exist"
got=$(sql "SELECT count(*) FROM k_agg" | tail -1)
[ "$got" != 0 ] && ok "drop keeps the target's rows" || bad "drop keeps the target's rows" "$got"

# ---- usage errors: exit status 2 ---------------------------------------------------------------------------------
usage() {
    local name=$1 frag=$2; shift 2
    local o rc
    o=$("$TARN" stream "$@" 2>&1)
    rc=$?
    if [ $rc = 2 ] && printf '%s' "$o" | grep -qF -- "$frag"; then ok "$name"; else bad "$name" "exit $rc: $o"; fi
}
usage "usage: no subcommand" "expected create, run, list or drop"
usage "usage: unknown subcommand" "unknown subcommand \"frob\"" frob --lake "$L"
usage "usage: run without --name" "run needs --name NAME" run --lake "$L"
usage "usage: create without --sql" "create needs --target" create --lake "$L" --name x --target public.x
usage "usage: bad --interval-ms" "--interval-ms needs a number" run --lake "$L" --name per_min --interval-ms soon
usage "usage: unknown option" "unknown argument \"--fast\"" list --lake "$L" --fast

if ls "$TMP"/san.* >/dev/null 2>&1; then
    bad "no sanitizer reports" "$(cat "$TMP"/san.* | head -40)"
else
    ok "no sanitizer reports"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
