#!/usr/bin/env bash
# tests/tpch/run.sh - the `tarn tpch gen` suite, at scale factor 0.01 (seconds):
#   - the command writes the eight tables as Delta tables LAKE/tpch/<table>;
#   - DuckDB (tools/node, an independent reader) checks the data against the
#     TPC-H rules and runs Q1 and Q6 (tests/tpch/check.mjs), and validates
#     every table's Delta log, add.stats bounds included (tests/delta/check_log.mjs);
#   - the data files are byte-identical whatever the thread count;
#   - existing tables are refused without --force and replaced with it;
#   - usage errors exit 2, bad values exit 1, with a message;
#   - with TARN_TPCH_SF1=1 (slow tier), SF 1 is generated and Q1 and Q6 are
#     compared with the TPC-H answer set.
#
#   tests/tpch/run.sh [TEST_SUBSTRING]
#
# Uses $TARN_BIN (default build/tarn).  The DuckDB checks are skipped (and
# say so) when node or the pinned npm packages are missing.
# Last line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
TARN=${TARN_BIN:-build/tarn}
FILTER=${1:-}
WORK=$(mktemp -d /tmp/tarn-tpch.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
selected() { [ -z "$FILTER" ] || [[ "$1" == *"$FILTER"* ]]; }

if [ ! -x "$TARN" ]; then
    echo "tpch: $TARN is missing (make)"
    echo "0 passed, 1 failed"
    exit 1
fi
have_duckdb=0
if command -v node >/dev/null 2>&1 && [ -d tools/node/node_modules/@duckdb/node-api ]; then
    have_duckdb=1
fi

# run NAME ARGS...: runs tarn, keeping stdout/stderr/exit code in $WORK/NAME.*
run() {
    local name=$1
    shift
    "$TARN" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
    echo $? >"$WORK/$name.rc"
}
rc_of() { cat "$WORK/$1.rc"; }

# expect_fail NAME RC MESSAGE_FRAGMENT ARGS...
expect_fail() {
    local name=$1 want_rc=$2 frag=$3
    shift 3
    selected "$name" || return 0
    run "$name" "$@"
    local got
    got=$(rc_of "$name")
    if [ "$got" != "$want_rc" ]; then
        bad "$name" "exit $got, expected $want_rc ($(head -2 "$WORK/$name.err" | tr '\n' '|'))"
    elif ! grep -qF -- "$frag" "$WORK/$name.err"; then
        bad "$name" "stderr lacks \"$frag\": $(head -3 "$WORK/$name.err" | tr '\n' '|')"
    else
        ok "$name"
    fi
}

# duck NAME SCRIPT ARGS...: runs a DuckDB checker, counting its ok/FAIL lines
duck() {
    local name=$1
    shift
    if [ $have_duckdb = 0 ]; then
        echo "skip $name: node or tools/node packages missing (make deps)"
        return 0
    fi
    node "$@" >"$WORK/duck.out" 2>&1
    local rc=$?
    local p f
    p=$(grep -c '^ok ' "$WORK/duck.out")
    f=$(grep -c '^FAIL ' "$WORK/duck.out")
    sed -n -e 's/^FAIL /FAIL '"$name"': /p' -e 's/^# /# '"$name"': /p' "$WORK/duck.out"
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        bad "$name" "checker exited $rc: $(tail -3 "$WORK/duck.out" | tr '\n' '|')"
    else
        echo "ok   $name ($p checks)"
    fi
}

# data file checksums of a lake, table by table in file-number order (names carry a UUID)
file_sums() {
    local lake=$1 t
    for t in region nation supplier customer part partsupp orders lineitem; do
        for f in $(ls "$lake/tpch/$t"/part-*.parquet | sort); do
            echo "$t $(basename "$f" | cut -d- -f2) $(md5sum <"$f" | cut -d' ' -f1)"
        done
    done
}

LAKE=$WORK/lake
TABLES="region nation supplier customer part partsupp orders lineitem"

# ---- generation -------------------------------------------------------------------------
if selected gen; then
    run gen tpch gen --sf 0.01 --lake "$LAKE" --threads 2
    if [ "$(rc_of gen)" != 0 ]; then
        bad gen "exit $(rc_of gen): $(head -3 "$WORK/gen.err" | tr '\n' '|')"
    else
        ok gen
        cat "$WORK/gen.out" | sed 's/^/# /'
        want="region:5 nation:25 supplier:100 customer:1500 part:2000 partsupp:8000 orders:15000 lineitem:60175"
        got=$(awk 'NR > 2 && $1 != "total" && $1 != "time:" { printf "%s%s:%s", sep, $1, $2; sep=" " }' "$WORK/gen.out")
        if [ "$got" = "$want" ]; then ok "gen row counts"; else bad "gen row counts" "$got"; fi
        n_logs=0
        for t in $TABLES; do
            [ -f "$LAKE/tpch/$t/_delta_log/00000000000000000001.json" ] && n_logs=$((n_logs + 1))
        done
        if [ $n_logs = 8 ]; then ok "gen Delta tables at version 1"; else bad "gen Delta tables at version 1" "$n_logs of 8"; fi
        run describe table describe "$LAKE/tpch/lineitem"
        if grep -q "^rows: *60175" "$WORK/describe.out" && grep -q "l_extendedprice *decimal(15,2) not null" "$WORK/describe.out"; then
            ok "tarn reads its tables"
        else
            bad "tarn reads its tables" "$(head -30 "$WORK/describe.out" | tr '\n' '|')"
        fi

        # the SQL engine sees the tables as schema "tpch" (when this build has it)
        if "$TARN" help sql >/dev/null 2>&1; then
            run sql sql --lake "$LAKE" --csv -c "SELECT count(*) FROM tpch.lineitem"
            if [ "$(rc_of sql)" = 0 ] && grep -qx "60175" "$WORK/sql.out"; then
                ok "tarn sql reads tpch.lineitem"
            else
                bad "tarn sql reads tpch.lineitem" "exit $(rc_of sql): $(cat "$WORK/sql.out" "$WORK/sql.err" | head -3 | tr '\n' '|')"
            fi
        fi

        duck "duckdb checks" tests/tpch/check.mjs "$LAKE" 0.01 --lineitem 60175
        if [ $have_duckdb = 1 ]; then
            for t in $TABLES; do
                duck "delta log $t" tests/delta/check_log.mjs validate "$LAKE/tpch/$t"
            done
        fi
    fi
fi

# ---- determinism: one thread gives the same bytes ------------------------------------------
if selected determinism && [ -d "$LAKE/tpch" ]; then
    run gen1 tpch gen --sf 0.01 --lake "$WORK/lake1" --threads 1
    if [ "$(rc_of gen1)" != 0 ]; then
        bad determinism "exit $(rc_of gen1): $(head -3 "$WORK/gen1.err" | tr '\n' '|')"
    else
        file_sums "$LAKE" >"$WORK/sums2"
        file_sums "$WORK/lake1" >"$WORK/sums1"
        if cmp -s "$WORK/sums1" "$WORK/sums2" && [ "$(wc -l <"$WORK/sums1")" -ge 8 ]; then
            ok "determinism: data files identical with 1 and 2 threads"
        else
            bad determinism "$(diff "$WORK/sums1" "$WORK/sums2" | head -4 | tr '\n' '|')"
        fi
    fi
fi

# ---- existing tables --------------------------------------------------------------------------
if [ -d "$LAKE/tpch" ]; then
    expect_fail "refuse existing" 1 'table "tpch.region" already exists' tpch gen --sf 0.01 --lake "$LAKE"
    if selected "refuse existing" && ! grep -q "HINT:.*--force" "$WORK/refuse existing.err"; then
        bad "refuse existing hint" "$(cat "$WORK/refuse existing.err" | tr '\n' '|')"
    fi
    if selected force; then
        run force tpch gen --sf 0.01 --lake "$LAKE" --force
        if [ "$(rc_of force)" != 0 ]; then
            bad force "exit $(rc_of force): $(head -3 "$WORK/force.err" | tr '\n' '|')"
        elif [ "$(grep -c '(replaced)' "$WORK/force.out")" != 8 ] ||
            [ ! -f "$LAKE/tpch/lineitem/_delta_log/00000000000000000002.json" ]; then
            bad force "not every table replaced at version 2: $(tr '\n' '|' <"$WORK/force.out")"
        else
            ok force
            n_files=$(ls "$LAKE/tpch/lineitem"/part-*.parquet | wc -l)
            if [ "$n_files" = 2 ]; then ok "force keeps old files for time travel"; else bad "force keeps old files" "$n_files files"; fi
            duck "duckdb checks after --force" tests/tpch/check.mjs "$LAKE" 0.01 --lineitem 60175
        fi
    fi
fi

# ---- slow tier: SF 1 against the TPC-H answer set (TARN_TPCH_SF1=1, about 15 s) ---------------
if [ "${TARN_TPCH_SF1:-0}" = 1 ] && selected sf1; then
    run sf1 tpch gen --sf 1 --lake "$WORK/sf1"
    if [ "$(rc_of sf1)" != 0 ]; then
        bad sf1 "exit $(rc_of sf1): $(head -3 "$WORK/sf1.err" | tr '\n' '|')"
    else
        sed 's/^/# sf1: /' "$WORK/sf1.out"
        duck "duckdb checks SF 1 + answers" tests/tpch/check.mjs "$WORK/sf1" 1 --lineitem 6001215 --answers
    fi
    rm -rf "$WORK/sf1"
fi

# ---- usage ---------------------------------------------------------------------------------------
expect_fail "usage: no --sf" 2 "gen needs --sf N" tpch gen --lake "$WORK/x"
expect_fail "usage: no --lake" 2 "gen needs --lake DIR" tpch gen --sf 1
expect_fail "usage: bad --sf" 2 '--sf needs a number, not "abc"' tpch gen --sf abc --lake "$WORK/x"
expect_fail "usage: bad --threads" 2 "--threads needs an integer" tpch gen --sf 1 --threads 0 --lake "$WORK/x"
expect_fail "usage: subcommand" 2 'unknown subcommand "make"' tpch make
expect_fail "sf out of range" 1 "scale factor 0.001 is out of range" tpch gen --sf 0.001 --lake "$WORK/x"
if selected "sf out of range" && [ -e "$WORK/x" ]; then
    bad "sf out of range" "the lake directory was created"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
