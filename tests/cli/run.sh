#!/usr/bin/env bash
# tests/cli/run.sh - the CLI suite for `tarn convert`: round trips between
# CSV, NDJSON and Parquet must give back exactly the text that went in, the
# options must take effect, and every failure must exit with the right code,
# say what went wrong, and leave no partial output behind.
#
#   tests/cli/run.sh [TEST_SUBSTRING]
#
# Uses $TARN_BIN (default build/tarn).  When node and the pinned npm packages
# (tools/node) are present, DuckDB also rewrites tarn's Parquet files and tarn
# reads DuckDB's files back.  Last line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
TARN=${TARN_BIN:-build/tarn}
FILTER=${1:-}
WORK=$(mktemp -d /tmp/tarn-cli.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
selected() { [ -z "$FILTER" ] || [[ "$1" == *"$FILTER"* ]]; }

if [ ! -x "$TARN" ]; then
    echo "cli: $TARN is missing (make)"
    echo "0 passed, 1 failed"
    exit 1
fi

# run NAME CMD... : runs tarn, keeping stdout/stderr/exit code in $WORK/NAME.*
run() {
    local name=$1
    shift
    "$TARN" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
    echo $? >"$WORK/$name.rc"
}
rc_of() { cat "$WORK/$1.rc"; }

# same NAME EXPECTED_FILE GOT_FILE
same() {
    if cmp -s "$2" "$3"; then
        ok "$1"
    else
        bad "$1" "$(basename "$3") differs from $(basename "$2"): $(diff "$2" "$3" | head -5 | tr '\n' '|')"
    fi
}

# convert_ok NAME IN OUT [OPTIONS...]: conversion must succeed
convert_ok() {
    local name=$1
    shift
    run "$name" convert "$@"
    if [ "$(rc_of "$name")" != 0 ]; then
        bad "$name" "tarn convert $* exited $(rc_of "$name"): $(head -3 "$WORK/$name.err" | tr '\n' '|')"
        return 1
    fi
    return 0
}

# expect_fail NAME RC MESSAGE_FRAGMENT ARGS...: tarn must exit RC and print the fragment
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

# no_leftovers NAME: no temporary files remain in $WORK
no_leftovers() {
    local left
    left=$(find "$WORK" -name '*.tmp-*' | head -3)
    if [ -n "$left" ]; then
        bad "$1" "temporary files left behind: $left"
    else
        ok "$1"
    fi
}

# ---- Fixtures: text exactly as tarn prints it ---------------------------------

cat >"$WORK/types.csv" <<'EOF'
id,name,amount,day,ts,tz,flag,t
1,alice,0.1,2024-02-29,2024-02-29 12:34:56.123456,2024-02-29 12:34:56+00,t,04:05:06
2,"bob, jr",1e+20,0044-03-15 BC,1970-01-01 00:00:00,1969-12-31 23:59:59.999999+00,f,00:00:00
3,"",-0,1999-12-31,1999-12-31 23:59:59.5,2000-01-01 00:00:00+00,,23:59:59.999999
4,"say ""hi""",NaN,10000-01-01,2262-04-11 23:47:16.854775,,t,
5,"multi
line",-1.5e-07,,,1900-01-01 00:00:00+00,f,12:00:00
6,,Infinity,2024-01-01,2024-01-01 00:00:00,2024-01-01 00:00:00+00,t,13:14:15
7," padded ",-Infinity,0001-01-01,0001-01-01 00:00:00 BC,,f,00:00:00.5
EOF

cat >"$WORK/nested.json" <<'EOF'
{"id":1,"user":{"name":"a\"b","tags":["x","y"],"age":null},"pts":[1,2.5],"at":"2024-01-02 03:04:05","ok":true}
{"id":2,"user":{"name":null,"tags":null,"age":30},"pts":[],"at":null,"ok":false}
{"id":3,"user":null,"pts":null,"at":"1999-12-31 00:00:00.5","ok":null}
{"id":4,"user":{"name":"\u0001\n\t\\é😀","tags":[null],"age":-5},"pts":[-0.25,1e+20],"at":"2024-01-02 03:04:05","ok":true}
EOF

# 100,000 rows, several batches and row groups.
awk 'BEGIN {
    print "id,name,v,day,at"
    split("2024-01-01 1999-12-31 0044-03-15 BC", d, " ")
    fr[0] = ""; fr[1] = ".25"; fr[2] = ".5"; fr[3] = ".75"
    for (i = 0; i < 100000; i++) {
        name = (i % 7 == 0) ? "\"n," i "\"" : "n" i
        if (i % 11 == 0) name = ""
        day = (i % 3 == 2) ? "0044-03-15 BC" : d[i % 3 + 1]
        printf "%d,%s,%d%s,%s,2024-01-01 00:%02d:%02d\n", i, name, i - 50000, fr[i % 4], day, (i / 60) % 60, i % 60
    }
}' >"$WORK/big.csv"
awk 'BEGIN {
    for (i = 0; i < 100000; i++)
        printf "{\"id\":%d,\"name\":\"n\\\"%d\",\"v\":%d.5,\"tags\":[\"a\",null,\"t%d\"],\"s\":{\"k\":%d}}\n", i, i, i, i % 5, i % 3
}' >"$WORK/big.json"

printf 'a,b,c\n' >"$WORK/header_only.csv"
: >"$WORK/empty.csv"

# ---- Round trips ------------------------------------------------------------------

if selected csv_to_csv; then
    convert_ok csv_to_csv "$WORK/types.csv" "$WORK/types.out.csv" && same csv_to_csv "$WORK/types.csv" "$WORK/types.out.csv"
fi
if selected csv_parquet_csv; then
    convert_ok csv_parquet_csv "$WORK/types.csv" "$WORK/types.parquet" &&
        convert_ok csv_parquet_csv "$WORK/types.parquet" "$WORK/types.back.csv" &&
        same csv_parquet_csv "$WORK/types.csv" "$WORK/types.back.csv"
fi
for codec in none snappy gzip zstd lz4; do
    name=csv_parquet_csv_$codec
    selected "$name" || continue
    convert_ok "$name" "$WORK/big.csv" "$WORK/big.$codec.parquet" --compression "$codec" &&
        convert_ok "$name" "$WORK/big.$codec.parquet" "$WORK/big.$codec.csv" &&
        same "$name" "$WORK/big.csv" "$WORK/big.$codec.csv"
done
if selected codec_recorded; then
    if convert_ok codec_recorded "$WORK/types.csv" "$WORK/z.parquet" --compression=zstd; then
        "$TARN" parquet meta "$WORK/z.parquet" >"$WORK/z.meta" 2>&1
        if grep -q 'codec ZSTD' "$WORK/z.meta"; then
            ok codec_recorded
        else
            bad codec_recorded "tarn parquet meta does not show codec ZSTD"
        fi
    fi
fi
if selected row_group_rows; then
    if convert_ok row_group_rows "$WORK/big.csv" "$WORK/rg.parquet" --row-group-rows 30000; then
        "$TARN" parquet meta "$WORK/rg.parquet" >"$WORK/rg.meta" 2>&1
        if grep -Eq '^row groups: +4$' "$WORK/rg.meta"; then
            convert_ok row_group_rows "$WORK/rg.parquet" "$WORK/rg.csv" && same row_group_rows "$WORK/big.csv" "$WORK/rg.csv"
        else
            bad row_group_rows "expected 4 row groups: $(grep 'row groups' "$WORK/rg.meta")"
        fi
    fi
fi
if selected json_to_json; then
    convert_ok json_to_json "$WORK/nested.json" "$WORK/nested.out.json" && same json_to_json "$WORK/nested.json" "$WORK/nested.out.json"
fi
if selected json_parquet_json; then
    convert_ok json_parquet_json "$WORK/nested.json" "$WORK/nested.parquet" &&
        convert_ok json_parquet_json "$WORK/nested.parquet" "$WORK/nested.back.ndjson" &&
        same json_parquet_json "$WORK/nested.json" "$WORK/nested.back.ndjson"
fi
if selected big_json_parquet_json; then
    convert_ok big_json_parquet_json "$WORK/big.json" "$WORK/bigj.parquet" --compression zstd &&
        convert_ok big_json_parquet_json "$WORK/bigj.parquet" "$WORK/bigj.jsonl" &&
        same big_json_parquet_json "$WORK/big.json" "$WORK/bigj.jsonl"
fi
if selected csv_json_csv; then
    # Across formats: CSV -> NDJSON -> Parquet -> CSV keeps every value.
    convert_ok csv_json_csv "$WORK/big.csv" "$WORK/x.json" &&
        convert_ok csv_json_csv "$WORK/x.json" "$WORK/x.parquet" &&
        convert_ok csv_json_csv "$WORK/x.parquet" "$WORK/x.csv" &&
        same csv_json_csv "$WORK/big.csv" "$WORK/x.csv"
fi
if selected parquet_parquet; then
    convert_ok parquet_parquet "$WORK/types.csv" "$WORK/p1.parquet" &&
        convert_ok parquet_parquet "$WORK/p1.parquet" "$WORK/p2.parquet" --compression gzip &&
        convert_ok parquet_parquet "$WORK/p2.parquet" "$WORK/p2.csv" &&
        same parquet_parquet "$WORK/types.csv" "$WORK/p2.csv"
fi
if selected header_only; then
    convert_ok header_only "$WORK/header_only.csv" "$WORK/ho.parquet" &&
        convert_ok header_only "$WORK/ho.parquet" "$WORK/ho.csv" &&
        same header_only "$WORK/header_only.csv" "$WORK/ho.csv"
fi
if selected empty_csv; then
    convert_ok empty_csv "$WORK/empty.csv" "$WORK/empty.out.csv" && same empty_csv "$WORK/empty.csv" "$WORK/empty.out.csv"
fi
if selected overwrite; then
    echo old >"$WORK/ow.csv"
    convert_ok overwrite "$WORK/types.csv" "$WORK/ow.csv" && same overwrite "$WORK/types.csv" "$WORK/ow.csv"
fi
if selected in_place; then
    cp "$WORK/types.csv" "$WORK/same.csv"
    convert_ok in_place "$WORK/same.csv" "$WORK/same.csv" && same in_place "$WORK/types.csv" "$WORK/same.csv"
fi

# ---- Independent reader/writer: DuckDB --------------------------------------------

have_duckdb=0
if command -v node >/dev/null && [ -d tools/node/node_modules/@duckdb/node-api ]; then
    have_duckdb=1
fi
duckdb_trip() { # NAME SOURCE EXT: tarn -> parquet -> DuckDB rewrite -> tarn -> same text
    local name=$1 src=$2 ext=$3
    selected "$name" || return 0
    if [ $have_duckdb = 0 ]; then
        echo "skip $name: node or @duckdb/node-api missing"
        return 0
    fi
    convert_ok "$name" "$src" "$WORK/$name.parquet" || return 0
    if ! node tests/cli/duckdb_copy.mjs "$WORK/$name.parquet" "$WORK/$name.duck.parquet" 2>"$WORK/$name.node.err"; then
        bad "$name" "DuckDB could not read tarn's file: $(head -3 "$WORK/$name.node.err" | tr '\n' '|')"
        return 0
    fi
    convert_ok "$name" "$WORK/$name.duck.parquet" "$WORK/$name.back.$ext" && same "$name" "$src" "$WORK/$name.back.$ext"
}
duckdb_trip duckdb_csv "$WORK/types.csv" csv
duckdb_trip duckdb_nested "$WORK/nested.json" json
duckdb_trip duckdb_big "$WORK/big.csv" csv

# ---- Failures: exit codes, messages, nothing left behind ----------------------------

expect_fail usage_no_args 2 "needs an input and an output file" convert
expect_fail usage_one_arg 2 "needs an input and an output file" convert "$WORK/types.csv"
expect_fail usage_three_args 2 "unexpected argument" convert a.csv b.csv c.csv
expect_fail usage_bad_option 2 "unknown or incomplete option \"--fast\"" convert --fast a.csv b.parquet
expect_fail usage_rg_not_number 2 "--row-group-rows needs a positive number" convert "$WORK/types.csv" "$WORK/u.parquet" --row-group-rows ten
expect_fail usage_rg_zero 2 "--row-group-rows needs a positive number" convert "$WORK/types.csv" "$WORK/u.parquet" --row-group-rows 0
expect_fail usage_missing_value 2 "unknown or incomplete option \"--compression\"" convert "$WORK/types.csv" "$WORK/u.parquet" --compression
expect_fail bad_codec 1 'unknown compression codec "brotli"' convert "$WORK/types.csv" "$WORK/u.parquet" --compression brotli
expect_fail codec_for_csv 1 "compression applies only to Parquet output" convert "$WORK/types.parquet" "$WORK/u.csv" --compression zstd
expect_fail unknown_in_ext 1 'cannot tell the file format of "data.txt"' convert data.txt out.csv
expect_fail unknown_out_ext 1 "HINT:  Use a file name ending in .csv, .json, .ndjson, .jsonl or .parquet." convert "$WORK/types.csv" "$WORK/out.xlsx"
expect_fail missing_input 1 "could not open file" convert "$WORK/nope.csv" "$WORK/nope.parquet"
expect_fail missing_out_dir 1 "could not create file" convert "$WORK/types.csv" "$WORK/no/such/dir/x.parquet"
expect_fail empty_to_parquet 1 "has no columns" convert "$WORK/empty.csv" "$WORK/empty.parquet"
expect_fail not_parquet 1 "ERROR:" convert "$WORK/types.csv.parquet" "$WORK/np.csv"

# A type error past the inference sample: clear message, and the existing
# output file is left untouched.
{
    echo "id,amount"
    seq 1 30000 | awk '{ print $1 "," $1 * 2 }'
    echo "30001,twelve"
} >"$WORK/late.csv"
echo keep >"$WORK/late.parquet"
expect_fail late_type_error 1 'line 30002, column "amount": "twelve" is not a valid bigint' convert "$WORK/late.csv" "$WORK/late.parquet"
if selected late_type_error; then
    if [ "$(cat "$WORK/late.parquet")" = keep ]; then ok late_type_error_keeps_out; else bad late_type_error_keeps_out "OUT was modified"; fi
fi
expect_fail late_type_hint 1 "HINT:" convert "$WORK/late.csv" "$WORK/late2.parquet"
if selected late_type_hint; then
    if [ -e "$WORK/late2.parquet" ]; then bad late_type_no_out "a failed conversion created OUT"; else ok late_type_no_out; fi
fi
printf 'a,b\n1,2\n3\n' >"$WORK/ragged.csv"
expect_fail ragged_csv 1 "line 3 has 1 field, expected 2" convert "$WORK/ragged.csv" "$WORK/ragged.json"
printf '{"a":1}\n{"a":\n' >"$WORK/broken.json"
expect_fail broken_json 1 "invalid JSON at line 2, column 6" convert "$WORK/broken.json" "$WORK/broken.csv"
printf 'PAR1 this is not parquet PAR1' >"$WORK/fake.parquet"
expect_fail fake_parquet 1 "ERROR:" convert "$WORK/fake.parquet" "$WORK/fake.csv"
if selected leftovers; then no_leftovers leftovers; fi

# `tarn sql` with several statements: only the last result goes to stdout
# (each line ends with a newline); on an error nothing of the earlier
# statements is printed, the error goes to stderr and the exit status is 1
if selected sql_script; then
    run sql_script_err sql --lake "$WORK/sqllake" -c "CREATE TABLE t (a int); INSERT INTO t VALUES (1); SELECT * FROM nope"
    if [ "$(rc_of sql_script_err)" = 1 ] && [ ! -s "$WORK/sql_script_err.out" ] &&
        head -1 "$WORK/sql_script_err.err" | grep -qx 'ERROR:  relation "nope" does not exist'; then
        ok sql_script_error
    else
        bad sql_script_error "rc $(rc_of sql_script_err), stdout [$(head -c 80 "$WORK/sql_script_err.out")], stderr [$(head -1 "$WORK/sql_script_err.err")]"
    fi
    run sql_script_ok sql --lake "$WORK/sqllake" -c "INSERT INTO t VALUES (2); INSERT INTO t VALUES (3)"
    if [ "$(rc_of sql_script_ok)" = 0 ] && [ "$(cat "$WORK/sql_script_ok.out")" = "INSERT 0 1" ] &&
        [ "$(tail -c 1 "$WORK/sql_script_ok.out" | od -An -c | tr -d ' ')" = '\n' ] && [ ! -s "$WORK/sql_script_ok.err" ]; then
        ok sql_script_last_tag
    else
        bad sql_script_last_tag "rc $(rc_of sql_script_ok), stdout [$(od -c "$WORK/sql_script_ok.out" | head -2 | tr '\n' ' ')]"
    fi
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
