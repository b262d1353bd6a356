#!/usr/bin/env bash
# bench/delta.sh - Delta table figures (called by bench/run.sh, or alone):
#
#   BENCH_DELTA_COMMITS=200 BENCH_DELTA_LOG_COMMITS=10000 bench/delta.sh
#   (BENCH_RECORD=0 for a trial run that does not touch BENCHMARKS.md)
#
# 1. commits: BENCH_DELTA_COMMITS one-row appends, one commit each (each
#    commit writes a Parquet file, fsyncs it, and put-if-absent's the log
#    entry; every 10th also writes a checkpoint).
# 2. snapshot load: a log of BENCH_DELTA_LOG_COMMITS commits of 10 fake add
#    actions each (100,000 files at the default), checkpoint every
#    BENCH_DELTA_CP_INTERVAL commits (default 10), built through the library
#    (the last 100 commits with delta_txn_add_file; see bench_snapshot in
#    bench/delta_bench.c for the rest); no data files.  Then the median of
#    BENCH_DELTA_LOADS cold loads of the latest snapshot (fresh DeltaTable
#    each time), and of the version just before the newest checkpoint
#    (checkpoint + 9 commits, the worst case of the interval).
# 3. data skipping: 100 files of 10,000 rows, file k holding keys
#    [k * 10000, (k+1) * 10000); predicate key = X; files read vs total and
#    the selective scan's time vs a full scan.
# Prints the figures; never asserts on them.  Figures go to the Delta
# section of BENCHMARKS.md (between its markers).
set -uo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD=${BUILD:-build}
BIN=$BUILD/bench_delta
COMMITS=${BENCH_DELTA_COMMITS:-200}
LOG_COMMITS=${BENCH_DELTA_LOG_COMMITS:-10000}
PER_COMMIT=${BENCH_DELTA_FILES_PER_COMMIT:-10}
CP_INTERVAL=${BENCH_DELTA_CP_INTERVAL:-10}
LOADS=${BENCH_DELTA_LOADS:-9}
WORK=${BENCH_DIR:-$BUILD/bench}/delta
[ -x "$BIN" ] || { echo "bench: $BIN is missing (make $BIN)"; exit 1; }
rm -rf "$WORK"
mkdir -p "$WORK"

run() {
    local name=$1; shift
    echo "bench: delta $name: $*" >&2
    if ! "$BIN" "$@" >"$WORK/$name.txt" 2>"$WORK/$name.err"; then
        echo "bench: delta $name failed:" >&2
        cat "$WORK/$name.err" >&2
        return 1
    fi
    cat "$WORK/$name.txt" >&2
}
get() { awk -v k="$2" '$1 == k {print $2}' "$WORK/$1.txt"; }
get3() { awk -v k="$2" '$1 == k {print $3}' "$WORK/$1.txt"; }

run commits commits "$WORK/commits" "$COMMITS" || exit 1
rm -rf "$WORK/commits"
run snapshot snapshot "$WORK/snapshot" "$LOG_COMMITS" "$PER_COMMIT" "$CP_INTERVAL" "$LOADS" || exit 1
log_bytes=$(du -sb "$WORK/snapshot/_delta_log" | cut -f1)
cp_file=$(ls "$WORK/snapshot/_delta_log/" | grep 'checkpoint.parquet$' | tail -1)
cp_bytes=$(stat -c %s "$WORK/snapshot/_delta_log/$cp_file" 2>/dev/null || echo 0)
rm -rf "$WORK/snapshot"
run skipping skipping "$WORK/skipping" 100 10000 "$LOADS" || exit 1
rm -rf "$WORK/skipping"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
fs=$(df -T "$WORK" | awk 'NR == 2 {print $2}')
TABLE=$WORK/table.md
{
    echo "Machine: $(nproc) cores, ${cpu:-unknown CPU}; $(uname -sr); table directory on $fs."
    echo "Program: bench/delta_bench.c through the library API (src/table/delta/delta.h), one thread."
    echo
    echo "| measure | figure |"
    echo "|---|---:|"
    echo "| one-row appends: commits per second ($(get commits commits) commits) | $(get commits commits_per_second) |"
    echo "| one-row append: median / p95 commit latency | $(get commits commit_median_ms) ms / $(get commits commit_p95_ms) ms |"
    echo "| snapshot load, latest of $(get snapshot snapshot_commits) commits / $(get snapshot snapshot_live_files) live files, checkpoint every $(get snapshot snapshot_checkpoint_interval): median of $LOADS cold loads (min, max) | $(get snapshot snapshot_load_median_ms) ms ($(get snapshot snapshot_load_min_ms), $(get snapshot snapshot_load_max_ms)) |"
    echo "| snapshot load, version $(get snapshot snapshot_worst_version) ($(get snapshot snapshot_worst_files) files: newest checkpoint + $((CP_INTERVAL - 1)) JSON commits, the interval's worst case): median | $(get snapshot snapshot_worst_median_ms) ms |"
    echo "| append commit on that table (commit of $PER_COMMIT adds, through delta_txn_*; includes the snapshot reload): median | $(get snapshot snapshot_tail_commit_median_ms) ms |"
    echo "| that log: size on disk / newest checkpoint file | $log_bytes bytes / $cp_bytes bytes |"
    echo "| data skipping, key = X on $(get skipping skipping_files_total) files of $(get skipping skipping_rows_per_file) rows: files read / total | $(get skipping skipping_files_read) / $(get skipping skipping_files_total) |"
    echo "| selective scan vs full scan ($(get skipping skipping_full_files_read) files): median | $(get skipping skipping_selective_median_ms) ms vs $(get skipping skipping_full_median_ms) ms |"
    echo
    echo "The snapshot log: its first $((LOG_COMMITS - 100)) commits are written with the library's action serialization and"
    echo "put-if-absent (no snapshot load per commit) plus one checkpoint, the last 100 through delta_txn_*, which write a"
    echo "checkpoint every $CP_INTERVAL commits themselves (bench/delta_bench.c explains why); loads read only the newest checkpoint."
    echo "Rows matching the predicate: $(get skipping skipping_matches) in the selective scan, $(get3 skipping skipping_matches) in the full scan (they must agree)."
    echo "Target for the snapshot load: under 100 ms."
} >"$TABLE"
echo
cat "$TABLE"

if [ "${BENCH_RECORD:-1}" = 0 ]; then
    exit 0
fi
bench_record_section delta "Delta tables: commits, snapshot loads, data skipping" "$TABLE" "$WORK"
echo "bench: Delta figures written to BENCHMARKS.md"
