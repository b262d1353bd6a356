#!/usr/bin/env bash
# tools/fuzz.sh - builds the libFuzzer targets (tests/fuzz/fuzz_*.c) and runs
# each for a bounded time (`make fuzz FUZZ_SECONDS=N`).
#
#   tools/fuzz.sh [SECONDS] [TARGET...]      default 60 s, every target
#
# For each target NAME (fuzz_NAME.c):
#   1. replay: the committed seeds tests/fuzz/corpus/NAME/ and, for the
#      parquet target, tests/data/corrupt/ run once each (regression check);
#   2. fuzz: SECONDS of libFuzzer on a scratch corpus = the seeds plus, for
#      the parquet target, the third-party files of ../shared/testdata
#      (copied at run time, never committed).
# Targets run two at a time (the machine has 2 cores).  Any crash, sanitizer
# report, leak, timeout (> 20 s per input) or allocation over 2.5 GiB fails
# the run; the input is kept under build/fuzz/crashes/ with a line telling
# how to reproduce it.  Last line: "N passed, N failed" (one per target).
set -uo pipefail
cd "$(dirname "$0")/.."

SECS=${1:-60}
shift || true
OUT=build/fuzz
SHARED=${TARN_SHARED:-../shared}/testdata

if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz: clang is missing (run make deps)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

echo "fuzz: building targets (clang, -fsanitize=fuzzer,address,undefined) into $OUT/"
if ! make -s fuzz-build; then
    echo "fuzz: build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for f in tests/fuzz/fuzz_*.c; do
        n=$(basename "$f" .c)
        targets+=("${n#fuzz_}")
    done
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
FLAGS=(-timeout=20 -rss_limit_mb=4096 -malloc_limit_mb=2560 -max_len=262144
       -print_final_stats=1 -detect_leaks=1)

# Runs one target; writes its log to $OUT/work/NAME.log; returns non-zero on a finding.
run_target() {
    local name=$1 bin=$OUT/fuzz_$1 work=$OUT/work/$1
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts" "$OUT/crashes"
    local seeds=tests/fuzz/corpus/$name
    local replay=()
    if [ -d "$seeds" ]; then
        cp -r "$seeds/." "$work/corpus/" 2>/dev/null || true
        while IFS= read -r -d '' f; do replay+=("$f"); done < <(find "$seeds" -type f -print0)
    fi
    if [ "$name" = parquet ]; then
        if [ -d tests/data/corrupt ]; then
            while IFS= read -r -d '' f; do replay+=("$f"); done \
                < <(find tests/data/corrupt -type f -name '*.parquet' -print0)
        fi
        if [ -d "$SHARED" ]; then
            # Third-party files, by content hash so duplicates collapse.
            find "$SHARED" -type f -name '*.parquet' -size -256k -print0 |
                while IFS= read -r -d '' f; do
                    cp "$f" "$work/corpus/shared-$(sha1sum "$f" | cut -c1-16)"
                done
        fi
    fi
    {
        echo "--- replay: ${#replay[@]} committed inputs"
        if [ ${#replay[@]} -gt 0 ]; then
            "$bin" "${FLAGS[@]}" -artifact_prefix="$work/artifacts/" "${replay[@]}" || return 1
        fi
        echo "--- fuzz: $SECS s on $(find "$work/corpus" -type f | wc -l) inputs"
        "$bin" "${FLAGS[@]}" -max_total_time="$SECS" -artifact_prefix="$work/artifacts/" \
            "$work/corpus" || return 1
    } >"$OUT/work/$name.log" 2>&1
}

report() {
    local name=$1 rc=$2 work=$OUT/work/$1
    if [ "$rc" = 0 ]; then
        echo "ok   fuzz_$name: $(grep -E '^stat::number_of_executed_units' "$OUT/work/$name.log" |
            tail -1 | awk '{print $2}') runs, no finding"
        return 0
    fi
    echo "FAIL fuzz_$name: finding (log $OUT/work/$name.log)"
    grep -E 'ERROR: |SUMMARY: |runtime error|invariant broken|check failed|Test unit written' \
        "$OUT/work/$name.log" | head -20 | sed 's/^/    /'
    # A failure while replaying a committed input names that input.
    local last
    last=$(grep -E '^Running: ' "$OUT/work/$name.log" | tail -1 | cut -d' ' -f2-)
    if [ -n "$last" ] && ! grep -q "^Executed $last" "$OUT/work/$name.log"; then
        echo "    committed input fails: $last"
        echo "    reproduce:  $OUT/fuzz_$name $last"
    fi
    local a
    for a in "$work"/artifacts/*; do
        [ -f "$a" ] || continue
        local keep="$OUT/crashes/$name-$(sha1sum "$a" | cut -c1-16)"
        cp "$a" "$keep"
        echo "    input kept: $keep ($(stat -c %s "$keep") bytes)"
        echo "    reproduce:  $OUT/fuzz_$name $keep"
    done
    return 1
}

mkdir -p "$OUT/work"
passed=0
failed=0
pids=()
names=()
jobs_max=$(nproc 2>/dev/null || echo 2)
echo "fuzz: ${#targets[@]} target(s), $SECS s each, up to $jobs_max at a time"
i=0
while [ $i -lt ${#targets[@]} ]; do
    pids=()
    names=()
    for ((k = 0; k < jobs_max && i < ${#targets[@]}; k++, i++)); do
        t=${targets[$i]}
        if [ ! -x "$OUT/fuzz_$t" ]; then
            echo "FAIL fuzz_$t: no such target"
            failed=$((failed + 1))
            continue
        fi
        run_target "$t" &
        pids+=($!)
        names+=("$t")
    done
    for ((k = 0; k < ${#pids[@]}; k++)); do
        wait "${pids[$k]}"
        rc=$?
        if report "${names[$k]}" "$rc"; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
        fi
    done
done
if [ "$failed" != 0 ]; then
    echo "fuzz: turn each kept input into a regression test: see docs/testing.md (Fuzzing)"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
