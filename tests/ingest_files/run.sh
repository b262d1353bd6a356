#!/usr/bin/env bash
# tests/ingest_files/run.sh - `tarn ingest files` and the HTTP ingestion
# endpoint (`tarn ingest http`, `tarn serve --http`), end to end:
#   files   CSV, NDJSON, Parquet and Avro container files (written by
#           libavro-c through tests/ingest_files/avro_gen.c, in the null,
#           deflate and snappy codecs); a second run loads nothing; new
#           files only; schema evolution; bad files isolated (exit 1, the
#           error names the file, column and types, nothing of it
#           committed, the good files committed); a file changed after
#           ingestion is ignored and reported; SIGKILL at random moments
#           during ingestion, rerun -> every file's rows exactly once;
#           --watch picks up new files, skips *.tmp, stops on SIGTERM
#   http    NDJSON and CSV posts (rows and versions in the answer), chunked
#           bodies, keep-alive, errors (400 with the line, 404, 405, 411,
#           413, 415, 431), concurrent posts, hostile clients (garbage, a
#           slowloris, a vanishing client), then /health still answers;
#           the same endpoint from `tarn serve --http`
# Environment: BUILD (default build), SAN=1.  Last line "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
TARN=$BUILD/tarn
if [ "${SAN:-}" = 1 ]; then
    make -s "$TARN" BUILD="$BUILD" SAN=1 >/dev/null 2>&1
else
    make -s "$TARN" BUILD="$BUILD" >/dev/null 2>&1
fi
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | head -20 | sed 's/^/    /'; }
check() { # check NAME GOT WANT
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "got:  $2
want: $3"; fi
}
if [ ! -x "$TARN" ]; then
    echo "ingest_files: cannot build $TARN"; echo "0 passed, 1 failed"; exit 1
fi
for tool in curl python3 gcc; do
    if ! command -v $tool >/dev/null; then
        echo "ingest_files: $tool is missing (tools/bootstrap.sh installs it)"; echo "0 passed, 1 failed"; exit 1
    fi
done

TMP=$(mktemp -d /tmp/tarn-ingest-files.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
LAKE=$TMP/lake
IN=$TMP/in
mkdir -p "$IN"
q() { "$TARN" sql --lake "$1" --csv -c "$2" 2>&1 | tail -n +2; }
ingest() { "$TARN" ingest files --lake "$LAKE" "$@"; }

# ---- the libavro-c writer ------------------------------------------------------
AVRO_GEN=$TMP/avro_gen
if ! gcc -std=c11 -O1 -o "$AVRO_GEN" tests/ingest_files/avro_gen.c -lavro 2>"$TMP/gcc.log"; then
    bad "build avro_gen with libavro-c" "$(cat "$TMP/gcc.log")"
    AVRO_GEN=false
fi

# ---- mixed formats, first run ----------------------------------------------------
printf 'id,name,score\n1,ann,1.5\n2,bob,\n3,,2.5\n' >"$IN/a.csv"
printf '{"id":4,"name":"cy","score":4}\n{"id":5,"name":null}\n\n{"id":6,"score":-1.25}\n' >"$IN/b.json"
"$TARN" sql --lake "$TMP/scratch" -c "COPY (SELECT i::bigint AS id, 'p' || i AS name, (i * 0.5)::double precision AS score FROM generate_series(7, 1006) i) TO '$IN/c.parquet' (FORMAT parquet)" >/dev/null
"$AVRO_GEN" "$IN/d.avro" null 2000 3000
"$AVRO_GEN" "$IN/e.avro" deflate 5000 2000
"$AVRO_GEN" "$IN/f.avro" snappy 7000 1500
out=$(ingest --path "$IN/*" --table raw.events 2>&1); rc=$?
check "first run exit status" "$rc" 0
check "first run: one commit of 6 files" "$(echo "$out" | grep -c 'committed version 1: 6 files, 7506 rows')" 1
check "rows of every format" "$(q "$LAKE" 'select count(*), count(distinct id), sum(id) from raw.events')" \
    "7506,7506,$(( (1+2+3+4+5+6) + (7+1006)*1000/2 + (2000+4999)*3000/2 + (5000+6999)*2000/2 + (7000+8499)*1500/2 ))"
check "avro columns (nullable union, array) evolve the table" \
    "$(q "$LAKE" "select count(name), count(ts), sum(cardinality(tags)), max(score) from raw.events where id >= 2000")" \
    "$((6500 - 1300)),6500,6500,2124.75"
check "csv/json values" "$(q "$LAKE" "select id, coalesce(name, 'NULL'), coalesce(score::text, 'NULL') from raw.events where id <= 6 order by id" | tr '\n' ' ')" \
    "1,ann,1.5 2,bob,NULL 3,NULL,2.5 4,cy,4 5,NULL,NULL 6,NULL,-1.25 "
check "table schema" "$(q "$LAKE" "select column_name || ':' || data_type from information_schema.columns where table_schema = 'raw' and table_name = 'events' order by ordinal_position" | tr '\n' ' ')" \
    "id:bigint name:text score:double precision ts:bigint tags:ARRAY "

# Avro logical and complex types; those Delta cannot store become text
python3 tests/ingest_files/avro_logical.py "$TMP/logical.avro"
"$TARN" ingest files --lake "$TMP/llake" --path "$TMP/logical.avro" --table s.l >/dev/null 2>&1
check "avro logical types" "$(q "$TMP/llake" "select id, u, t, d, ts, dur, amt, color from s.l order by id" | tr '\n' ' ')" \
    "1,0e5d7a36-6c40-4c5f-9c3a-6b3f1b7e9d10,01:02:03.004,2022-01-08,2023-11-14 22:13:20.123+00,1 mon 2 days 00:00:03,-12.34,GREEN 2,00000000-0000-0000-0000-000000000001,00:00:00,1970-01-01,1970-01-01 00:00:00+00,00:00:00,0.99,RED "
check "avro union, map and record" "$(q "$TMP/llake" "select (opt).\"int\", (opt).string, attrs['k'], (\"inner\").x from s.l order by id" | tr '\n' ' ')" \
    "7,,1,0.5 ,s,2,1 "

# ---- second run: nothing new ---------------------------------------------------------
out=$(ingest --path "$IN/*" --table raw.events 2>&1); rc=$?
check "second run loads nothing" "$rc:$(echo "$out" | tail -1)" "0:0 files loaded in 0 commits (0 rows); 6 already ingested, 0 failed"
check "second run commits nothing" "$(q "$LAKE" 'select count(*) from raw.events')" 7506
check "one txn action per file, in the log" "$(cat "$LAKE"/raw/events/_delta_log/*.json | grep -o '"appId":"tarn-files:[0-9a-f]*"' | sort -u | wc -l)" 6

# ---- new files only; schema evolution; incompatible and broken files ------------------
printf 'id,name,score,country\n10001,zed,1,fr\n10002,yu,2,jp\n' >"$IN/g.csv"
printf 'id,name,score\n10003,x,not-a-number\n' >"$IN/h_badtype.csv"
printf 'id,name\n10004,"unterminated\n' >"$IN/i_broken.csv"
printf '{"id":10005,"score":"text here"}\n' >"$IN/j_badtype.json"
"$AVRO_GEN" "$IN/k.avro" null 20000 10 evolved
printf 'garbage' >"$IN/l.avro"
ingest --path "$IN/*" --table raw.events >"$TMP/out3" 2>"$TMP/err3"; rc=$?
check "bad files: exit status 1" "$rc" 1
check "bad files: good new files committed" "$(q "$LAKE" "select count(*), count(country), count(region) from raw.events where id > 10000")" "12,2,10"
check "bad files: nothing of them committed" "$(q "$LAKE" "select count(*) from raw.events where id in (10003, 10004, 10005)")" 0
check "error names file, column and types" \
    "$(grep -c "file \"$IN/h_badtype.csv\": column \"score\" has type text in the file but double precision in the table" "$TMP/err3")" 1
check "json type conflict named" "$(grep -c "j_badtype.json\": column \"score\" has type text in the file but double precision" "$TMP/err3")" 1
check "broken csv named" "$(grep "i_broken.csv" "$TMP/err3" | grep -c -i "quote")" 1
check "broken avro named" "$(grep "l.avro" "$TMP/err3" | grep -c "magic")" 1
check "summary line" "$(tail -1 "$TMP/out3")" "2 files loaded in 1 commit (12 rows); 6 already ingested, 4 failed"
ingest --path "$IN/*" --table raw.events >"$TMP/out4" 2>"$TMP/err4"; rc=$?
check "failed files are retried (not recorded)" "$rc:$(tail -1 "$TMP/out4")" "1:0 files loaded in 0 commits (0 rows); 8 already ingested, 4 failed"
rm -f "$IN"/h_badtype.csv "$IN"/i_broken.csv "$IN"/j_badtype.json "$IN"/l.avro

# a file changed after it was ingested: ignored, said once
printf '10006,new,1\n' >>"$IN/a.csv"
out=$(ingest --path "$IN/*.csv" --table raw.events 2>&1)
check "changed file ignored and reported" "$(echo "$out" | grep -c "ignored \"$IN/a.csv\": changed after it was ingested")" 1
check "changed file not reloaded" "$(q "$LAKE" "select count(*) from raw.events where id = 10006")" 0
check "unknown format without --format" \
    "$(touch "$IN/m.txt"; ingest --path "$IN/*.txt" --table raw.events 2>&1 | grep -c 'cannot tell its format')" 1
check "--format overrides the extension" \
    "$(printf 'id\n10007\n' >"$IN/n.txt"; ingest --path "$IN/n.txt" --table raw.events --format csv >/dev/null 2>&1; q "$LAKE" "select count(*) from raw.events where id = 10007")" 1
rm -f "$IN/m.txt"
printf 'id,name,score\n10008,123,7\n10009,,-2\n' >"$IN/o_widen.csv"
ingest --path "$IN/o_widen.csv" --table raw.events >/dev/null 2>&1
check "lossless conversions: bigint -> double, csv number -> text" \
    "$(q "$LAKE" "select id, name, score, pg_typeof(name)::text, pg_typeof(score)::text from raw.events where id between 10008 and 10009 order by id" | tr '\n' ' ')" \
    "10008,123,7,text,double precision 10009,,-2,text,double precision "

# ---- many small files: commits of at most 64 files --------------------------------
M=$TMP/many
mkdir -p "$M"
for i in $(seq 1 150); do printf 'id\n%d\n' "$i" >"$M/f$i.csv"; done
out=$("$TARN" ingest files --lake "$TMP/mlake" --path "$M/*.csv" --table s.m 2>&1)
check "150 files in commits of 64, 64, 22" "$(echo "$out" | grep -o '[0-9]* files, ' | tr -d '\n')" "64 files, 64 files, 22 files, "
check "150 files, each row once" "$(q "$TMP/mlake" 'select count(*), count(distinct id) from s.m')" "150,150"
check "150 files: second run loads nothing" \
    "$("$TARN" ingest files --lake "$TMP/mlake" --path "$M/*.csv" --table s.m 2>&1 | tail -1)" \
    "0 files loaded in 0 commits (0 rows); 150 already ingested, 0 failed"

# ---- SIGKILL during ingestion, then rerun: exactly once ---------------------------------
K=$TMP/kill
mkdir -p "$K"
python3 - "$K" <<'EOF2'
import sys
for i in range(1, 31):
    with open("%s/part-%d.csv" % (sys.argv[1], i), "w") as f:
        f.write("id,v,s\n" + "".join("%d,%d,s%d\n" % (i * 100000 + r, r, r % 7) for r in range(4000)))
EOF2
KL=$TMP/klake
kills=0
# one file per commit and kills 10-90 ms in, so that on a fast machine too the
# first runs die mid-way (a run with nothing left to load exits at once)
for attempt in 1 2 3 4 5; do
    "$TARN" ingest files --lake "$KL" --path "$K/*.csv" --table s.k --max-files-per-commit 1 >/dev/null 2>&1 &
    p=$!
    sleep "0.0$((RANDOM % 9 + 1))"
    if kill -9 "$p" 2>/dev/null; then kills=$((kills + 1)); fi
    wait "$p" 2>/dev/null
done
"$TARN" ingest files --lake "$KL" --path "$K/*.csv" --table s.k >"$TMP/kout" 2>&1; rc=$?
check "SIGKILLs landed during ingestion" "$([ "$kills" -ge 1 ] && echo yes)" yes
check "after $kills SIGKILLs, the last run succeeds" "$rc" 0
check "every file exactly once after SIGKILLs" "$(q "$KL" 'select count(*), count(distinct id) from s.k')" "120000,120000"
check "every file recorded once" "$(cat "$KL"/s/k/_delta_log/*.json | grep -o '"appId":"tarn-files:[0-9a-f]*"' | sort | uniq -d | wc -l)" 0

# two loaders racing on the same files: txn conflicts, retried without the
# files the other one committed
"$TARN" ingest files --lake "$TMP/rlake" --path "$K/*.csv" --table s.r --max-files-per-commit 2 >"$TMP/r1" 2>&1 &
ra=$!
"$TARN" ingest files --lake "$TMP/rlake" --path "$K/*.csv" --table s.r --max-files-per-commit 2 >"$TMP/r2" 2>&1 &
rb=$!
wait "$ra"; rca=$?
wait "$rb"; rcb=$?
check "two racing loaders both succeed" "$rca $rcb" "0 0"
check "two racing loaders: every file once" "$(q "$TMP/rlake" 'select count(*), count(distinct id) from s.r')" "120000,120000"
check "two racing loaders: 30 files between them" \
    "$(cat "$TMP/r1" "$TMP/r2" | grep -oE '^[0-9]+ files? loaded' | awk '{n += $1} END {print n}')" 30

# ---- --watch ---------------------------------------------------------------------------
W=$TMP/watch
mkdir -p "$W"
printf 'id\n1\n' >"$W/w1.csv"
"$TARN" ingest files --lake "$TMP/wlake" --path "$W/*.csv" --table public.w --watch --interval-ms 100 >"$TMP/wout" 2>&1 &
WP=$!
PIDS+=("$WP")
wait_count() { # wait_count WANT: polls the table up to 10 s
    for _ in $(seq 100); do
        [ "$(q "$TMP/wlake" 'select count(*) from w' 2>/dev/null)" = "$1" ] && return 0
        sleep 0.1
    done
    return 1
}
wait_count 1 && ok "--watch loads the files present" || bad "--watch loads the files present" "$(cat "$TMP/wout")"
printf 'id\n2\n3\n' >"$W/w2.csv.tmp"
sleep 0.5
check "--watch skips *.tmp" "$(q "$TMP/wlake" 'select count(*) from w')" 1
mv "$W/w2.csv.tmp" "$W/w2.csv"
wait_count 3 && ok "--watch picks up a new file" || bad "--watch picks up a new file" "$(cat "$TMP/wout")"
kill -TERM "$WP"
wait "$WP"; rc=$?
check "--watch stops on SIGTERM with status 0" "$rc" 0

# ---- HTTP ------------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HL=$TMP/hlake
PORT=$(free_port)
"$TARN" ingest http --lake "$HL" --listen "127.0.0.1:$PORT" --max-body-bytes 100000 --read-timeout-ms 1000 \
    >"$TMP/http.log" 2>&1 &
HP=$!
PIDS+=("$HP")
for _ in $(seq 100); do curl -s "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
U=http://127.0.0.1:$PORT
post() { # post CTYPE BODY PATH -> "code body"
    curl -s -o "$TMP/resp" -w '%{http_code}' -X POST -H "Content-Type: $1" --data-binary "$2" "$U$3"
    echo " $(cat "$TMP/resp")"
}
check "GET /health" "$(curl -s -w ' %{http_code}' "$U/health")" '{"status":"ok"}
 200'
check "NDJSON post creates the table" "$(post application/x-ndjson $'{"id":1,"msg":"a"}\n{"id":2,"msg":"b"}\n' /ingest/web.clicks)" \
    '200 {"table":"web.clicks","rows":2,"version":1}'
check "CSV post" "$(post 'text/csv; charset=utf-8' $'id,msg\n3,c\n4,d\n5,e\n' /ingest/web.clicks)" \
    '200 {"table":"web.clicks","rows":3,"version":2}'
check "chunked NDJSON post" \
    "$(curl -s -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/json' --data-binary $'{"id":6,"extra":1.5}\n' "$U/ingest/web.clicks")" \
    '{"table":"web.clicks","rows":1,"version":3}'
check "bad CSV: 400 with the line" "$(post text/csv $'id,msg\n7,x\n8,y,z\n' /ingest/web.clicks)" \
    '400 {"error":"line 3 has 3 fields, expected 2","sqlstate":"XX001"}'
check "bad NDJSON: 400 with the line" "$(post application/x-ndjson $'{"id":9}\n{"id":\n' /ingest/web.clicks | grep -o '^400 .*line 2' )" \
    '400 {"error":"invalid JSON at line 2'
check "incompatible type: 400 naming the column" "$(post application/x-ndjson '{"id":"ten"}' /ingest/web.clicks)" \
    '400 {"error":"file \"request body\": column \"id\" has type text in the file but bigint in the table","sqlstate":"42804"}'
check "CSV header only: nothing to commit" "$(post text/csv $'id,msg\n' /ingest/web.clicks)" \
    '200 {"table":"web.clicks","rows":0,"version":3}'
check "HTTP/1.0 post, connection closed after" \
    "$(curl -s -0 -i -H 'Content-Type: text/csv' --data-binary $'id\n7\n' "$U/ingest/web.h10" | tr -d '\r' | grep -c -i '^connection: close')" 1
check "nothing committed by failed posts" "$(q "$HL" 'select count(*), max(id) from web.clicks')" "6,6"
check "415 for another content type" "$(post text/plain 'x' /ingest/web.clicks | cut -c1-3)" 415
check "404 for another path" "$(post text/csv 'x' /nope | cut -c1-3)" 404
check "405 for GET on /ingest" "$(curl -s -o /dev/null -w '%{http_code}' "$U/ingest/web.clicks")" 405
check "400 for a bad table name" "$(post text/csv $'a\n1\n' /ingest/nodot | cut -c1-3)" 400
check "400 for an empty body" "$(post text/csv '' /ingest/web.clicks | cut -c1-3)" 400
big=$(python3 -c 'print("id\n" + "1\n" * 60000, end="")')
check "413 for a body over the limit" "$(post text/csv "$big" /ingest/web.clicks | cut -c1-3)" 413
check "413 for a chunked body over the limit" \
    "$(printf '%s' "$big" | curl -s -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' -H 'Content-Type: text/csv' --data-binary @- "$U/ingest/web.clicks")" 413
check "keep-alive: two posts on one connection" \
    "$(curl -sv -H 'Content-Type: text/csv' --data-binary $'id\n100\n' "$U/ingest/web.k" "$U/ingest/web.k" 2>&1 | grep -c -i 're-using existing connection\|reusing existing connection')" 1
for i in $(seq 1 12); do
    curl -s -H 'Content-Type: application/x-ndjson' --data-binary "$(for r in $(seq 1 50); do echo "{\"id\":$((i * 1000 + r)),\"c\":$i}"; done)" \
        "$U/ingest/web.conc" >"$TMP/conc.$i" 2>&1 &
done
wait $(jobs -p | grep -v "^$HP$" | grep -v "^${WP:-x}$") 2>/dev/null
n=$(cat "$TMP"/conc.* | grep -c '"rows":50')
if [ "$n" = 12 ]; then ok "12 concurrent posts all committed"; else
    bad "12 concurrent posts all committed" "$(grep -v '"rows":50' "$TMP"/conc.*)"; fi
check "concurrent posts: distinct versions" "$(cat "$TMP"/conc.* | grep -o '"version":[0-9]*' | sort -u | wc -l)" 12
check "concurrent posts: rows" "$(q "$HL" 'select count(*), count(distinct id) from web.conc')" "600,600"

# hostile clients
hostile=$(python3 - "$PORT" <<'EOF'
import socket, sys, time
port = int(sys.argv[1])
def conn():
    s = socket.create_connection(("127.0.0.1", port)); s.settimeout(5); return s
def status(s):
    data = b""
    try:
        while b"\r\n" not in data:
            d = s.recv(4096)
            if not d: break
            data += d
    except Exception: pass
    return data.split(b" ")[1].decode() if data.startswith(b"HTTP/1.1 ") else "closed"
out = []
s = conn(); s.sendall(b"\x00\xff garbage \r\n\r\n"); out.append("garbage:" + status(s)); s.close()
s = conn(); s.sendall(b"GET /health HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n"); out.append("bighead:" + status(s)); s.close()
s = conn(); s.sendall(b"POST /ingest/a.b HTTP/1.1\r\nContent-Type: text/csv\r\n\r\n"); out.append("nolength:" + status(s)); s.close()
s = conn(); s.sendall(b"POST /ingest/a.b HTTP/1.1\r\nContent-Type: text/csv\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"); out.append("smuggle:" + status(s)); s.close()
s = conn(); s.sendall(b"GET /health HTTP/2.0\r\n\r\n"); out.append("version:" + status(s)); s.close()
# slowloris: a head that never ends; the server drops it after its read timeout (1 s)
s = conn(); s.sendall(b"GET /health HTTP/1.1\r\n"); t = time.time()
try:
    for _ in range(30):
        time.sleep(0.2); s.sendall(b"X-a: b\r\n")
    out.append("slowloris:kept")
except Exception:
    out.append("slowloris:dropped")
s.close()
# a body trickling in (a byte every 0.3 s): dropped once the read timeout
# has passed and it runs under 1 KiB/s
s = conn(); s.sendall(b"POST /ingest/a.b HTTP/1.1\r\nContent-Type: text/csv\r\nContent-Length: 100000\r\n\r\nid\n")
try:
    for _ in range(40):
        time.sleep(0.3); s.sendall(b"1")
    out.append("trickle:kept")
except Exception:
    out.append("trickle:dropped")
s.close()
# vanishing client: half a body, then gone
s = conn(); s.sendall(b"POST /ingest/a.b HTTP/1.1\r\nContent-Type: text/csv\r\nContent-Length: 1000\r\n\r\nid\n1\n"); s.close()
print(" ".join(out))
EOF
)
check "hostile clients answered or dropped" "$hostile" \
    "garbage:400 bighead:431 nolength:411 smuggle:400 version:505 slowloris:dropped trickle:dropped"
check "server alive after hostile clients" "$(curl -s "$U/health")" '{"status":"ok"}'
check "vanished client committed nothing" "$(q "$HL" "select count(*) from information_schema.tables where table_schema = 'a'")" 0
kill -TERM "$HP"; wait "$HP"; rc=$?
check "ingest http stops on SIGTERM" "$rc" 0

# tarn serve --http: the same endpoint next to the PostgreSQL protocol
PORT2=$(free_port)
PGPORT=$(free_port)
"$TARN" serve --lake "$TMP/slake" --listen "127.0.0.1:$PGPORT" --http "127.0.0.1:$PORT2" >"$TMP/serve.log" 2>&1 &
SP=$!
PIDS+=("$SP")
for _ in $(seq 100); do curl -s "http://127.0.0.1:$PORT2/health" >/dev/null && break; sleep 0.1; done
check "serve --http: post" \
    "$(curl -s -H 'Content-Type: text/csv' --data-binary $'a,b\n1,x\n' "http://127.0.0.1:$PORT2/ingest/public.t")" \
    '{"table":"public.t","rows":1,"version":1}'
if command -v psql >/dev/null; then
    check "serve --http: rows visible over the PostgreSQL protocol" \
        "$(psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -Atc 'select a, b from t' 2>&1)" "1|x"
fi
kill -TERM "$SP"; wait "$SP"; rc=$?
check "serve --http stops on SIGTERM" "$rc" 0

if grep -l "ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer" "$TMP"/*.log "$TMP"/wout "$TMP"/err* >/dev/null 2>&1; then
    bad "sanitizer reports" "$(grep -h -A5 "AddressSanitizer\|runtime error:\|LeakSanitizer" "$TMP"/*.log "$TMP"/wout "$TMP"/err* | head -20)"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
