#!/usr/bin/env bash
# bench/server.sh - `tarn serve` against a real PostgreSQL 15 on the same
# machine, in the same run (issue #5).
#
#   BENCH_SERVER_SECONDS=10 BENCH_SERVER_ROUNDS=3 bench/server.sh
#   (BENCH_RECORD=0: a trial run that leaves BENCHMARKS.md alone;
#    BENCH_SERVER_ROWS=10000000: rows of the transfer table;
#    BENCH_SERVER_CLIENTS="1 8 32", BENCH_SERVER_MODES="simple extended prepared")
#
# 1. Starts a throwaway PostgreSQL 15 cluster (initdb in a temp dir, as the
#    postgres user when run as root; defaults except shared_buffers=128MB:
#    fsync, WAL and checkpoints as shipped) on 127.0.0.1 and a unix socket,
#    and `tarn serve` on 127.0.0.1 with a fresh lake; both on free ports.
# 2. Point reads: the same 10,000-row table in both (PostgreSQL:
#    id int PRIMARY KEY; tarn: a plain Delta table, one Parquet file),
#    columns id int, name text, amount numeric(12,2).  pgbench -n with the
#    script
#        \set id random(1, 10000)
#        SELECT name, amount FROM pt WHERE id = :id;
#    for each client count (-c 1, 8, 32; -j 2) and protocol (-M simple,
#    extended, prepared), -T BENCH_SERVER_SECONDS each, both engines over
#    TCP on 127.0.0.1.  The engines alternate run by run and the order
#    flips every round (the machine's speed drifts); a run with failed
#    transactions counts as a failure of the benchmark.
# 3. Transfer: BENCH_SERVER_ROWS rows (id bigint, f double precision,
#    t text of 5-9 bytes) in both engines, read with
#        psql -c "COPY (SELECT id, f, t FROM big) TO STDOUT" > /dev/null
#        psql -c "COPY big TO STDOUT" > /dev/null
#    timed in wall seconds (client included), interleaved the same way;
#    the outputs of the first round are compared between the engines
#    (byte count and checksum of the sorted lines).
# 4. Prints medians over the rounds: tps per engine and the ratio
#    tarn / PostgreSQL (ABOVE 1 MEANS TARN IS FASTER for both tps and
#    rows/s), the peak RSS (VmHWM) of the tarn process and of the largest
#    PostgreSQL process, and writes the "server" section of BENCHMARKS.md.
set -uo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD=${BUILD:-build}
TARN=$(realpath -m "${TARN_BIN:-$BUILD/tarn}")
SECS=${BENCH_SERVER_SECONDS:-10}
ROUNDS=${BENCH_SERVER_ROUNDS:-3}
BIG=${BENCH_SERVER_ROWS:-10000000}
CLIENTS=${BENCH_SERVER_CLIENTS:-1 8 32}
MODES=${BENCH_SERVER_MODES:-simple extended prepared}
PGBIN=/usr/lib/postgresql/15/bin
WORK=$(realpath -m "${BENCH_DIR:-$BUILD/bench-server}")

[ -x "$TARN" ] || { echo "bench: $TARN is missing (make $TARN)"; exit 1; }
for b in initdb pg_ctl pgbench psql; do
    [ -x "$PGBIN/$b" ] || { echo "bench: $PGBIN/$b is missing (tools/bootstrap.sh installs postgresql-15)"; exit 1; }
done

rm -rf "$WORK"
mkdir -p "$WORK"
RES=$WORK/results.tsv
: >"$RES"
AS=()
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "bench: running as root and there is no postgres user"; exit 1; }
    mkdir -p "$WORK/pg"
    chown postgres "$WORK/pg"
    AS=(runuser -u postgres --)
fi
PGDATA=$WORK/pg/data
TARN_PID=
cleanup() {
    [ -n "$TARN_PID" ] && kill "$TARN_PID" 2>/dev/null && wait "$TARN_PID" 2>/dev/null
    [ -f "$PGDATA/postmaster.pid" ] && "${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---- the two servers ---------------------------------------------------------------------------------
echo "bench: starting PostgreSQL 15 and tarn serve"
"${AS[@]}" "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres -E UTF8 --lc-collate=C --lc-ctype=C.UTF-8 \
    >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log"; exit 1; }
PG_PORT=$(free_port)
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$WORK/pg/server.log" -w -t 60 \
    -o "-k $WORK/pg -p $PG_PORT -c listen_addresses=127.0.0.1 -c shared_buffers=128MB" \
    start >/dev/null 2>&1 || { cat "$WORK/pg/server.log"; echo "bench: PostgreSQL did not start"; exit 1; }
PG_PID=$(head -1 "$PGDATA/postmaster.pid")

T_PORT=$(free_port)
mkdir -p "$WORK/lake"
printf 'max_connections = 100\nlog_connections = off\n' >"$WORK/tarn.conf"
"$TARN" serve --lake "$WORK/lake" --listen "127.0.0.1:$T_PORT" --config "$WORK/tarn.conf" 2>"$WORK/tarn.log" &
TARN_PID=$!
for _ in $(seq 100); do
    pg_isready -q -h 127.0.0.1 -p "$T_PORT" && break
    sleep 0.1
done
pg_isready -q -h 127.0.0.1 -p "$T_PORT" || { cat "$WORK/tarn.log"; echo "bench: tarn serve did not start"; exit 1; }

# sql ENGINE ARGS...: psql against one engine (dbname postgres / lake).
sql() {
    local e=$1; shift
    if [ "$e" = pg ]; then
        psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"
    else
        psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$T_PORT" -U postgres -d lake "$@"
    fi
}
port_of() { [ "$1" = pg ] && echo "$PG_PORT" || echo "$T_PORT"; }
name_of() { [ "$1" = pg ] && echo PostgreSQL || echo tarn; }

echo "bench: loading pt (10,000 rows) and big ($BIG rows) into both"
sql pg -c "CREATE TABLE pt (id int PRIMARY KEY, name text, amount numeric(12,2))" \
    -c "INSERT INTO pt SELECT i, 'name ' || i, i * 1.25 FROM generate_series(1, 10000) i" \
    -c "CREATE TABLE big (id bigint, f double precision, t text)" \
    -c "INSERT INTO big SELECT i, i * 0.5, 'row ' || (i % 10000) FROM generate_series(1, $BIG) i" \
    -c "VACUUM ANALYZE" || exit 1
sql tarn -c "CREATE TABLE pt (id int, name text, amount numeric(12,2))" \
    -c "INSERT INTO pt SELECT i, 'name ' || i, i * 1.25 FROM generate_series(1, 10000) i" \
    -c "CREATE TABLE big (id bigint, f double precision, t text)" \
    -c "INSERT INTO big SELECT i, i * 0.5, 'row ' || (i % 10000) FROM generate_series(1::bigint, $BIG) i" || exit 1
for e in pg tarn; do
    got=$(sql "$e" -At -c "SELECT count(*), sum(id), max(name), sum(amount) FROM pt")
    echo "$got" >"$WORK/check-$e.txt"
done
if ! diff -q "$WORK/check-pg.txt" "$WORK/check-tarn.txt" >/dev/null; then
    echo "bench: the engines disagree on pt: $(cat "$WORK/check-pg.txt") vs $(cat "$WORK/check-tarn.txt")"
    exit 1
fi

printf '\\set id random(1, 10000)\nSELECT name, amount FROM pt WHERE id = :id;\n' >"$WORK/point.sql"
fail=0

# point ENGINE ROUND CLIENTS MODE: one pgbench run; records "point-MODE-cC ENGINE ROUND tps".
point() {
    local e=$1 r=$2 c=$3 m=$4 out tps
    local j=2
    [ "$c" -lt 2 ] && j=1
    out=$("$PGBIN/pgbench" -n -h 127.0.0.1 -p "$(port_of "$e")" -U postgres -M "$m" -c "$c" -j "$j" -T "$SECS" \
        -f "$WORK/point.sql" "$([ "$e" = pg ] && echo postgres || echo lake)" 2>&1)
    tps=$(echo "$out" | awk '/^tps = / {print $3; exit}')
    if [ -z "$tps" ] || ! grep -q '^number of failed transactions: 0 ' <<<"$out"; then
        echo "bench: pgbench against $(name_of "$e") (-M $m -c $c) failed:"
        echo "$out" | tail -5
        fail=1
        return
    fi
    printf 'point-%s-c%s\t%s\t%s\t%s\n' "$m" "$c" "$e" "$r" "$tps" >>"$RES"
    printf '  round %d  %-10s -M %-8s -c %-3s %10.0f tps\n' "$r" "$(name_of "$e")" "$m" "$c" "$tps"
}

# transfer ENGINE ROUND KIND: one COPY ... TO STDOUT through psql; records
# "copy-KIND ENGINE ROUND seconds".
transfer() {
    local e=$1 r=$2 k=$3 q t0 t1 s
    if [ "$k" = query ]; then q="COPY (SELECT id, f, t FROM big) TO STDOUT"; else q="COPY big TO STDOUT"; fi
    local dst=/dev/null
    [ "$r" = 1 ] && dst=$WORK/copy-$k-$e.txt
    t0=$(date +%s.%N)
    if ! sql "$e" -c "$q" >"$dst" 2>"$WORK/copy.err"; then
        echo "bench: $q against $(name_of "$e") failed: $(head -3 "$WORK/copy.err")"
        fail=1
        return
    fi
    t1=$(date +%s.%N)
    s=$(awk -v a="$t1" -v b="$t0" 'BEGIN {print a - b}')
    printf 'copy-%s\t%s\t%s\t%s\n' "$k" "$e" "$r" "$s" >>"$RES"
    printf '  round %d  %-10s %-40s %8.2f s\n' "$r" "$(name_of "$e")" "$q" "$s"
}

for ((r = 1; r <= ROUNDS; r++)); do
    echo "bench: round $r of $ROUNDS (pgbench -T $SECS)"
    if [ $((r % 2)) = 1 ]; then order="pg tarn"; else order="tarn pg"; fi
    for c in $CLIENTS; do
        for m in $MODES; do
            for e in $order; do point "$e" "$r" "$c" "$m"; done
        done
    done
    for k in query table; do
        for e in $order; do transfer "$e" "$r" "$k"; done
    done
done

# Both engines must have sent the same rows (order may differ).
same=yes
for k in query table; do
    for e in pg tarn; do
        [ -f "$WORK/copy-$k-$e.txt" ] || { same=no; continue; }
        LC_ALL=C sort -S 25% "$WORK/copy-$k-$e.txt" | md5sum | cut -c1-32 >"$WORK/sum-$k-$e"
        wc -c <"$WORK/copy-$k-$e.txt" >>"$WORK/sum-$k-$e"
    done
    if ! diff -q "$WORK/sum-$k-pg" "$WORK/sum-$k-tarn" >/dev/null 2>&1; then
        same=no
        echo "bench: COPY $k outputs differ: $(cat "$WORK/sum-$k-pg" | tr '\n' ' ') vs $(cat "$WORK/sum-$k-tarn" | tr '\n' ' ')"
    fi
    rm -f "$WORK/copy-$k-pg.txt" "$WORK/copy-$k-tarn.txt"
done
[ "$same" = yes ] || fail=1

hwm() { awk '/^VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
tarn_hwm=$(hwm "$TARN_PID")
pg_hwm=0
for p in $(pgrep -P "$PG_PID") "$PG_PID"; do
    v=$(hwm "$p")
    [ "${v:-0}" -gt "$pg_hwm" ] && pg_hwm=$v
done

med() { awk -F'\t' -v k="$1" -v e="$2" '$1==k && $2==e {print $4}' "$RES" | median; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
tarn_version="tarn $("$TARN" version 2>/dev/null | awk '{print $2}')"
pg_version=$("$PGBIN/postgres" --version | awk '{print $3}')

TABLE=$WORK/table.md
{
    echo "Machine: $(nproc) cores, ${cpu:-unknown CPU}, $(free -g | awk '/^Mem:/{print $2}') GiB; $(uname -sr)."
    echo "Versions: $tarn_version (tarn serve); PostgreSQL $pg_version (defaults, shared_buffers=128MB); pgbench and psql 15."
    echo "Method: bench/server.sh. Both servers and the clients on this machine, TCP over 127.0.0.1; $ROUNDS rounds,"
    echo "the engines alternating run by run, the order flipped every round; medians. Ratio = tarn / PostgreSQL:"
    echo "**above 1 means tarn is faster** (tps and rows/s)."
    echo
    echo "Point reads: pgbench -n -j 2 -T $SECS, script \`\\set id random(1, 10000)\` +"
    echo "\`SELECT name, amount FROM pt WHERE id = :id\` on 10,000 rows (PostgreSQL: int primary key, an index"
    echo "scan; tarn: a Delta table of one Parquet file, no index)."
    echo
    echo "| protocol | clients | tarn tps | PostgreSQL tps | ratio |"
    echo "|---|---:|---:|---:|---:|"
    for m in $MODES; do
        for c in $CLIENTS; do
            t=$(med "point-$m-c$c" tarn)
            p=$(med "point-$m-c$c" pg)
            [ -z "$t" ] || [ -z "$p" ] && continue
            awk -v m="$m" -v c="$c" -v t="$t" -v p="$p" \
                'BEGIN {printf "| %s | %d | %.0f | %.0f | %.2f |\n", m, c, t, p, (p > 0 ? t / p : 0)}'
        done
    done
    echo
    echo "Transfer: $BIG rows (id bigint, f double precision, t text), \`psql -c \"COPY ... TO STDOUT\" > /dev/null\`,"
    echo "wall seconds including psql. Both engines sent the same rows: $same."
    echo
    echo "| statement | tarn s | PostgreSQL s | tarn rows/s | PostgreSQL rows/s | ratio |"
    echo "|---|---:|---:|---:|---:|---:|"
    for k in query table; do
        t=$(med "copy-$k" tarn)
        p=$(med "copy-$k" pg)
        [ -z "$t" ] || [ -z "$p" ] && continue
        if [ "$k" = query ]; then q="COPY (SELECT id, f, t FROM big) TO STDOUT"; else q="COPY big TO STDOUT"; fi
        awk -v q="$q" -v t="$t" -v p="$p" -v n="$BIG" \
            'BEGIN {printf "| %s | %.2f | %.2f | %.0f | %.0f | %.2f |\n", q, t, p, n / t, n / p, (t > 0 ? p / t : 0)}'
    done
    echo
    echo "Peak RSS (VmHWM) at the end: tarn serve $((tarn_hwm / 1024)) MiB (one process);"
    echo "PostgreSQL's largest process $((pg_hwm / 1024)) MiB (one backend; shared_buffers counted as touched)."
} >"$TABLE"

echo
cat "$TABLE"
if [ "${BENCH_RECORD:-1}" != 0 ] && [ "$fail" = 0 ]; then
    bench_record_section server "tarn serve vs PostgreSQL 15" "$TABLE" "$WORK"
    echo
    echo "bench: figures written to BENCHMARKS.md (section server)"
fi
[ "$fail" = 0 ]
