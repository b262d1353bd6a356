#!/usr/bin/env bash
# bench/run.sh - `make bench`: tarn's Parquet writer and reader side by side
# with DuckDB, in the same run, on the same machine.
#
#   BENCH_ROWS=6000000 BENCH_ROUNDS=5 bench/run.sh
#   (BENCH_RECORD=0 for a trial run that does not touch BENCHMARKS.md)
#
# 1. Generates BENCH_ROWS lineitem-like rows (src/demo/datagen.h) once into
#    an uncompressed source file (written by tarn; DuckDB reads it too).
# 2. BENCH_ROUNDS rounds, each running every operation once, tarn and DuckDB
#    alternating so that the machine's speed drift (up to 1.7x within
#    minutes here) hits both alike:
#      write-snappy / write-zstd  read the source + write a new file with
#                                 the codec (tarn: pq_reader -> pq_writer;
#                                 DuckDB: COPY (FROM read_parquet(src)) TO dst)
#      scan                       decode every column of a file and take the
#                                 minimum of each (both tools scan the same
#                                 file: the one DuckDB wrote with snappy, and
#                                 the one tarn wrote with snappy)
#    DuckDB runs with threads=1 (tarn is single-threaded today); one extra
#    DuckDB threads=2 scan per round is shown for information.
# 3. Prints per operation the medians, the ratio tarn/DuckDB (below 1 means
#    tarn is faster), and the file sizes with their ratio; checks that both
#    tools found the same minimum for every column; and regenerates the
#    figures section of BENCHMARKS.md.  Each tool runs with its default
#    writer settings (row group size, page size, dictionary), as a user
#    would get them.
# 4. Runs bench/delta.sh (Delta table figures, its own BENCHMARKS.md section)
#    unless BENCH_DELTA=0, then bench/tpch_queries.sh (the 22 TPC-H queries
#    against DuckDB at TPCH_SF, default 1; its own section) unless BENCH_TPCH=0,
#    then bench/micro.sh (hash aggregation, join, sort, top-N, CSV ingest
#    against DuckDB; its own section) unless BENCH_MICRO=0, then
#    bench/server.sh (tarn serve vs PostgreSQL 15: pgbench point reads and
#    COPY TO STDOUT; its own section) unless BENCH_SERVER=0, then
#    bench/ingest.sh (tarn ingest kafka vs a plain librdkafka consumer,
#    latency; its own section) unless BENCH_INGEST=0, then
#    bench/ingest_files.sh (tarn ingest files vs DuckDB COPY from CSV and
#    NDJSON to Parquet; its own section) unless BENCH_INGEST_FILES=0.
set -uo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD=${BUILD:-build}
ROWS=${BENCH_ROWS:-6000000}
ROUNDS=${BENCH_ROUNDS:-5}
TARN_BENCH=$BUILD/bench_parquet
DUCK="node bench/duckdb.mjs"
WORK=${BENCH_DIR:-$BUILD/bench}
mkdir -p "$WORK"
RES=$WORK/results.tsv
: >"$RES"

for need in "$TARN_BENCH"; do
    [ -x "$need" ] || { echo "bench: $need is missing (make $need)"; exit 1; }
done
[ -d tools/node/node_modules/@duckdb/node-api ] || { echo "bench: run make deps first"; exit 1; }

SRC=$WORK/lineitem-$ROWS.parquet
echo "bench: generating $ROWS lineitem-like rows into $SRC (uncompressed)"
out=$("$TARN_BENCH" gen "$ROWS" "$SRC") || { echo "bench: generation failed"; exit 1; }
echo "bench: generated in $(echo "$out" | awk '/^seconds/{printf "%.2f", $2}') s, $(stat -c %s "$SRC") bytes"

# run TOOL OP ROUND CMD... : runs one measurement, records "op tool round seconds".
run() {
    local tool=$1 op=$2 round=$3; shift 3
    local out s
    if ! out=$("$@" 2>&1); then
        echo "bench: $tool $op failed:"; echo "$out" | head -20
        exit 1
    fi
    s=$(echo "$out" | awk '/^seconds/{print $2}')
    printf '%s\t%s\t%s\t%s\n' "$op" "$tool" "$round" "$s" >>"$RES"
    printf '  round %d  %-7s %-22s %8.3f s\n' "$round" "$tool" "$op" "$s"
    if [ "$round" = 1 ] && [[ "$op" == scan* ]]; then
        echo "$out" | grep -E '^(min|rows) ' >"$WORK/mins-$tool-${op// /_}.txt"
    fi
}

for ((r = 1; r <= ROUNDS; r++)); do
    echo "bench: round $r of $ROUNDS"
    run tarn "write-snappy" $r "$TARN_BENCH" write "$SRC" "$WORK/tarn-snappy.parquet" snappy
    run duckdb "write-snappy" $r $DUCK write "$SRC" "$WORK/duckdb-snappy.parquet" snappy 1
    run tarn "write-zstd" $r "$TARN_BENCH" write "$SRC" "$WORK/tarn-zstd.parquet" zstd
    run duckdb "write-zstd" $r $DUCK write "$SRC" "$WORK/duckdb-zstd.parquet" zstd 1
    run tarn "scan-duckdb-file" $r "$TARN_BENCH" scan "$WORK/duckdb-snappy.parquet"
    run duckdb "scan-duckdb-file" $r $DUCK scan "$WORK/duckdb-snappy.parquet" 1
    run duckdb "scan-duckdb-file-2thr" $r $DUCK scan "$WORK/duckdb-snappy.parquet" 2
    run tarn "scan-tarn-file" $r "$TARN_BENCH" scan "$WORK/tarn-snappy.parquet"
    run duckdb "scan-tarn-file" $r $DUCK scan "$WORK/tarn-snappy.parquet" 1
done

med() { awk -F'\t' -v op="$1" -v tool="$2" '$1==op && $2==tool {print $4}' "$RES" | median; }

# Correctness cross-check: both tools must agree on every column's minimum.
mins_ok=yes
for f in duckdb-file tarn-file; do
    if ! diff -q "$WORK/mins-tarn-scan-$f.txt" "$WORK/mins-duckdb-scan-$f.txt" >/dev/null; then
        mins_ok=no
        echo "bench: tarn and DuckDB disagree on the minimums of the $f scan:"
        diff "$WORK/mins-tarn-scan-$f.txt" "$WORK/mins-duckdb-scan-$f.txt" | head -20
    fi
done

size() { stat -c %s "$1"; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
duck_version=$($DUCK version 2>/dev/null || echo '?')
tarn_version="tarn $($BUILD/tarn version 2>/dev/null | awk '{print $2}')"
gcc_version=$(gcc -dumpfullversion 2>/dev/null || echo '?')

TABLE=$WORK/table.md
{
    echo "Machine: $(nproc) cores, ${cpu:-unknown CPU}, $(free -g | awk '/^Mem:/{print $2}') GiB; $(uname -sr)."
    echo "Versions: $tarn_version, gcc $gcc_version; DuckDB $duck_version (@duckdb/node-api)."
    echo "Data: $ROWS lineitem-like rows (16 columns: BIGINT, 3 INT, 4 DECIMAL(15,2), 3 DATE, 5 TEXT),"
    echo "source file $(size "$SRC") bytes uncompressed. $ROUNDS rounds, tarn and DuckDB interleaved;"
    echo "medians of wall seconds; DuckDB with threads=1 unless noted. Ratio = tarn / DuckDB (< 1: tarn faster)."
    echo
    echo "- write-snappy / write-zstd: read the source file and write all rows to a new file with that codec"
    echo "  (tarn: pq_reader -> pq_writer; DuckDB: COPY (FROM read_parquet(src)) TO dst (FORMAT parquet, COMPRESSION c))."
    echo "- scan-*: decode every column of a file and take each column's minimum; both tools scan the same file,"
    echo "  the snappy file written by DuckDB, then the one written by tarn."
    echo "- Each tool uses its default writer settings (row groups, pages, dictionary)."
    echo
    echo "| operation | tarn s | DuckDB s | ratio |"
    echo "|---|---:|---:|---:|"
    for op in write-snappy write-zstd scan-duckdb-file scan-tarn-file; do
        t=$(med "$op" tarn)
        d=$(med "$op" duckdb)
        awk -v op="$op" -v t="$t" -v d="$d" 'BEGIN {printf "| %s | %.3f | %.3f | %.2f |\n", op, t, d, (d > 0 ? t / d : 0)}'
    done
    d2=$(med scan-duckdb-file-2thr duckdb)
    awk -v d="$d2" 'BEGIN {printf "| scan-duckdb-file, DuckDB threads=2 (information) | - | %.3f | - |\n", d}'
    echo
    echo "| file | tarn bytes | DuckDB bytes | ratio |"
    echo "|---|---:|---:|---:|"
    for c in snappy zstd; do
        t=$(size "$WORK/tarn-$c.parquet")
        d=$(size "$WORK/duckdb-$c.parquet")
        awk -v c="$c" -v t="$t" -v d="$d" 'BEGIN {printf "| %s | %d | %d | %.3f |\n", c, t, d, t / d}'
    done
    echo
    echo "Both tools found the same minimum of every column in both scans: $mins_ok."
} >"$TABLE"

echo
cat "$TABLE"

# Then the Delta table figures (bench/delta.sh; BENCH_DELTA=0 skips them),
# which write their own section of BENCHMARKS.md.
run_delta() {
    [ "${BENCH_DELTA:-1}" = 0 ] && return 0
    [ -x bench/delta.sh ] || return 0
    echo
    BUILD=$BUILD bench/delta.sh
}

# Then the TPC-H queries against DuckDB (bench/tpch_queries.sh, SF from
# TPCH_SF, default 1; BENCH_TPCH=0 skips them), their own section too.
run_tpch() {
    [ "${BENCH_TPCH:-1}" = 0 ] && return 0
    echo
    BUILD=$BUILD bench/tpch_queries.sh
}

# And the engine micro-benchmarks (bench/micro.sh; BENCH_MICRO=0 skips them).
run_micro() {
    [ "${BENCH_MICRO:-1}" = 0 ] && return 0
    echo
    BUILD=$BUILD bench/micro.sh
}

# And tarn serve against PostgreSQL 15 (bench/server.sh; BENCH_SERVER=0 skips it).
run_server() {
    [ "${BENCH_SERVER:-1}" = 0 ] && return 0
    echo
    BUILD=$BUILD bench/server.sh
}

# And Kafka ingest (bench/ingest.sh; BENCH_INGEST=0 skips it).
run_ingest() {
    [ "${BENCH_INGEST:-1}" = 0 ] && return 0
    echo
    BUILD=$BUILD bench/ingest.sh
}

# And file ingestion (bench/ingest_files.sh; BENCH_INGEST_FILES=0 skips it).
run_ingest_files() {
    [ "${BENCH_INGEST_FILES:-1}" = 0 ] && return 0
    echo
    BUILD=$BUILD bench/ingest_files.sh
}

# Regenerate the section of BENCHMARKS.md between the markers
# (BENCH_RECORD=0: a trial run that leaves BENCHMARKS.md alone).
if [ "${BENCH_RECORD:-1}" = 0 ]; then
    run_delta || mins_ok=no
    run_tpch || mins_ok=no
    run_micro || mins_ok=no
    run_server || mins_ok=no
    run_ingest || mins_ok=no
    run_ingest_files || mins_ok=no
    [ "$mins_ok" = yes ]
    exit
fi
bench_record_section parquet "Parquet: write and scan, tarn vs DuckDB" "$TABLE" "$WORK"
echo
echo "bench: figures written to BENCHMARKS.md"
run_delta || mins_ok=no
run_tpch || mins_ok=no
run_micro || mins_ok=no
run_server || mins_ok=no
run_ingest || mins_ok=no
run_ingest_files || mins_ok=no
[ "$mins_ok" = yes ]
