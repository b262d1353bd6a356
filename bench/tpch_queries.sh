#!/usr/bin/env bash
# bench/tpch_queries.sh - the 22 TPC-H queries, tarn vs DuckDB, side by side
# in the same run, on the same Parquet files, with the same thread count.
#
#   TPCH_SF=1 TPCH_ROUNDS=3 TPCH_THREADS=2 bench/tpch_queries.sh [QUERY_NUMBER...]
#   (BENCH_RECORD=0: a trial run that leaves BENCHMARKS.md alone;
#    TPCH_LAKE=DIR: use tables already generated there)
#
# 1. `tarn tpch gen --sf SF` into a lake (kept in $BUILD/bench-tpch-q/sfSF
#    and reused while the tarn binary is unchanged).  DuckDB reads the
#    Parquet files of those same Delta tables.
# 2. TPCH_ROUNDS rounds; in each, every query runs in a fresh process of
#    each engine (build/sql_bench: tarn_exec in C; bench/sql_duckdb.mjs:
#    @duckdb/node-api), which runs it once as a warm-up and then
#    TPCH_RUNS (default 1) timed times; the two engines alternate query by
#    query, and which goes first flips every round, so the machine's speed
#    drift hits both alike.  Times are wall seconds inside the process
#    (start-up excluded).
# 3. Every run's answer is checked: DuckDB's rows against tarn's
#    (tests/sql/tpch/compare.mjs: numbers within 1e-6 relative).
# 4. Prints per query the median seconds of each engine and the ratio
#    tarn / DuckDB (< 1: tarn faster), the totals, the geometric means,
#    and the peak resident memory of each engine (largest over its
#    processes; DuckDB's includes node's own, shown separately as the
#    baseline of a process that loads DuckDB and runs nothing).  Then
#    writes the "tpch" section of BENCHMARKS.md.
# Exit status: non-zero when a query failed or an answer differed.
set -uo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD=${BUILD:-build}
SF=${TPCH_SF:-1}
ROUNDS=${TPCH_ROUNDS:-3}
RUNS=${TPCH_RUNS:-1}
THREADS=${TPCH_THREADS:-2}
TARN=$BUILD/tarn
SQLB=$BUILD/sql_bench
QDIR=../shared/bench/tpch-queries
WORK=${BENCH_DIR:-$BUILD/bench-tpch-q}
LAKE=${TPCH_LAKE:-$WORK/sf$SF}
mkdir -p "$WORK/out"
RES=$WORK/results.tsv
: >"$RES"

for need in "$TARN" "$SQLB"; do
    [ -x "$need" ] || { echo "bench: $need is missing (make $need)"; exit 1; }
done
[ -d tools/node/node_modules/@duckdb/node-api ] || { echo "bench: run make deps first"; exit 1; }
[ -d "$QDIR" ] || { echo "bench: $QDIR is missing"; exit 1; }

queries=("$@")
[ ${#queries[@]} -gt 0 ] || queries=($(seq 1 22))

# The lake: regenerate unless it was made by this very tarn binary.
stamp=$(sha1sum "$TARN" | cut -c1-16)
if [ -z "${TPCH_LAKE:-}" ] && [ "$(cat "$LAKE/.bench-stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$LAKE"
    echo "bench: tarn tpch gen --sf $SF --lake $LAKE"
    t0=$(date +%s.%N)
    "$TARN" tpch gen --sf "$SF" --lake "$LAKE" >/dev/null || { echo "bench: generation failed"; exit 1; }
    awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "bench: generated in %.1f s\n", b - a}'
    echo "$stamp" >"$LAKE/.bench-stamp"
fi

fail=0
run_tarn() { bench_run_tarn "$1" "q$1" "$2" "$QDIR/q$1.sql" "$RUNS"; }
run_duck() { bench_run_duck "$1" "q$1" "$2" tpch "$QDIR/q$1.sql" "$RUNS"; }

rm -f "$WORK/mismatch" "$WORK"/out/*.csv
for ((r = 1; r <= ROUNDS; r++)); do
    echo "bench: round $r of $ROUNDS"
    for q0 in "${queries[@]}"; do
        q=$(printf '%02d' "$q0")
        rm -f "$WORK/out/q$q.csv"
        if [ $((r % 2)) = 1 ]; then
            run_tarn "$q" "$r"; run_duck "$q" "$r"
        else
            # DuckDB first this round; its answer is checked after tarn's run.
            run_duck "$q" "$r"; run_tarn "$q" "$r"
            out=$(node bench/sql_duckdb.mjs "$LAKE" tpch "$QDIR/q$q.sql" 0 "$THREADS" "$WORK/out/q$q.csv" 2>&1)
            if ! grep -q '^check ok' <<<"$out"; then
                echo "bench: q$q answers differ: $(echo "$out" | grep '^check' || echo "$out" | tail -1)"
                echo "$q" >>"$WORK/mismatch"; fail=1
            fi
        fi
    done
done
base_duck=$(node bench/sql_duckdb.mjs "$LAKE" tpch - 0 "$THREADS" | awk '/^maxrss_kb/ {print $2}')

med() { awk -F'\t' -v q="$1" -v tool="$2" '$1==q && $2==tool {print $4}' "$RES" | median; }
maxof() { awk -F'\t' -v tool="$1" '$2==tool && $4>m {m=$4} END {print m+0}' "$RES"; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
duck_version=$(node -e "const r=require('module').createRequire(process.cwd()+'/tools/node/package.json');console.log(r('@duckdb/node-api/package.json').version)" 2>/dev/null || echo '?')
TABLE=$WORK/table.md
{
    echo "Machine: $(nproc) cores, ${cpu:-unknown CPU}, $(free -g | awk '/^Mem:/{print $2}') GiB; $(uname -sr)."
    echo "Versions: tarn $($TARN version 2>/dev/null | awk '{print $2}'), gcc $(gcc -dumpfullversion); DuckDB $duck_version (@duckdb/node-api)."
    echo "Data: \`tarn tpch gen --sf $SF\` (Delta tables; DuckDB reads the same Parquet files). Queries: the 22 standard"
    echo "texts of ../shared/bench/tpch-queries, unmodified. threads=$THREADS for both. $ROUNDS rounds; per round each query runs"
    echo "in a fresh process of each engine (warm-up, then $RUNS timed run(s)), engines alternating query by query."
    echo "Medians of in-process wall seconds. Ratio = tarn / DuckDB (< 1: tarn faster). Every answer checked against DuckDB's."
    echo
    echo "| query | tarn s | DuckDB s | ratio |"
    echo "|---|---:|---:|---:|"
    for q0 in "${queries[@]}"; do
        q=$(printf '%02d' "$q0")
        t=$(med "$q" tarn); d=$(med "$q" duckdb)
        flag=""; grep -qx "$q" "$WORK/mismatch" 2>/dev/null && flag=" (answer differs)"
        [ -n "$t" ] && [ -n "$d" ] && printf '%s\t%s\t%s\n' "$q" "$t" "$d" >>"$WORK/medians.tsv.$$"
        awk -v q="$q" -v t="${t:-0}" -v d="${d:-0}" -v f="$flag" 'BEGIN {printf "| Q%s%s | %.3f | %.3f | %.2f |\n", q, f, t, d, (d > 0 ? t / d : 0)}'
    done
    awk -F'\t' '{t += $2; d += $3; lt += log($2); ld += log($3); lr += log($2 / $3); n++}
        END {if (n) {printf "| total | %.3f | %.3f | %.2f |\n", t, d, t / d;
                     printf "| geometric mean | %.4f | %.4f | %.2f |\n", exp(lt / n), exp(ld / n), exp(lr / n)}}' "$WORK/medians.tsv.$$"
    awk -F'\t' '{r = $2 / $3; if (r > m) {m = r; q = $1}} END {if (q) printf "\nWorst query: Q%s at %.2fx DuckDB'"'"'s time.\n", q, m}' "$WORK/medians.tsv.$$"
    echo
    echo "Peak resident memory over all queries: tarn $(( $(maxof tarn-rss) / 1024 )) MiB; DuckDB $(( $(maxof duckdb-rss) / 1024 )) MiB"
    echo "(the DuckDB process's baseline, node + DuckDB loaded and no query run, is $(( ${base_duck:-0} / 1024 )) MiB)."
    if [ -s "$WORK/mismatch" ]; then
        echo; echo "Answers differ from DuckDB's for: $(sort -u "$WORK/mismatch" | sed 's/^/Q/' | tr '\n' ' ')"
    else
        echo; echo "All answers equal DuckDB's."
    fi
} >"$TABLE"
rm -f "$WORK/medians.tsv.$$"
echo
cat "$TABLE"
if [ "${BENCH_RECORD:-1}" != 0 ] && [ ${#queries[@]} = 22 ]; then
    bench_record_section tpch "TPC-H SF$SF: 22 queries, tarn vs DuckDB" "$TABLE" "$WORK"
    echo "bench: TPC-H figures written to BENCHMARKS.md"
fi
exit $fail
