#!/usr/bin/env bash
# tests/server/run.sh - the `tarn serve` suite: starts $BUILD/tarn serve on a
# free loopback port with a temporary lake and drives it with real clients:
#   psql          simple queries, several statements, errors (VERBOSITY verbose);
#                 tests/server/psql_meta.sh: \d, \dt, \dn, \du, \l ... print what
#                 they print against a throwaway PostgreSQL 15 (pg_catalog emulation)
#   libpq         tests/server/libpq_test.c: extended protocol, text and
#                 binary formats, pipelines, cancel, timeouts, transactions
#   raw protocol  tests/server/proto_test.py: row limits, skip-till-Sync,
#                 SSL/GSS refusal, hostile clients (garbage, truncated and
#                 oversized messages, wrong order, vanishing, floods);
#                 tests/server/session_test.py: COPY FROM STDIN staging in
#                 temp_directory, SET idle_session_timeout and
#                 idle_in_transaction_session_timeout
#   node-postgres tests/server/node_pg_test.mjs (pg from tools/node)
#   psycopg2      tests/server/psycopg2_test.py: parameters, typed results,
#                 named cursors (DECLARE/FETCH/MOVE/CLOSE), COPY, notices;
#                 tests/server/plan_cache_test.py: simple-protocol statements
#                 through the plan cache answer as with tarn.plan_cache = off
#   Grafana       tests/server/grafana_test.py: the data source's expanded
#                 macros; responses equal grafana_expected.txt (from PG 15)
#   JDBC          tests/server/JdbcTest.java (Debian's postgresql.jar):
#                 PreparedStatement, getObject types, batches, fetch size,
#                 errors, DatabaseMetaData
#   pgbench       a read-only custom script, simple/extended/prepared
#   TLS           tests/server/tls_test.sh (sourced): certificates made with
#                 openssl, sslmode require/verify-ca/verify-full/disable,
#                 SCRAM-SHA-256-PLUS, client certificates, hostile handshakes
# Then stops the server with SIGTERM and checks its log for sanitizer
# reports.  Environment: BUILD (default build), SAN=1.
# Last line: "N passed, N failed" (one per check).
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
if [ ! -x "$TARN" ]; then
    echo "server: cannot build $TARN"; echo "0 passed, 1 failed"; exit 1
fi

TMP=$(mktemp -d /tmp/tarn-server.XXXXXX)
SERVER_PID=
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# A free TCP port on the loopback address.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# start_server PORT CONFIG LOG: `tarn serve` on $TMP/lake in the background
# (its pid in STARTED_PID), then waits up to 10 s for it to accept connections.
start_server() {
    "$TARN" serve --lake "$TMP/lake" --listen "127.0.0.1:$1" --config "$2" 2>"$3" &
    STARTED_PID=$!
    for _ in $(seq 100); do
        pg_isready -q -h 127.0.0.1 -p "$1" && break
        sleep 0.1
    done
}

PORT=$(free_port)
MAXCONN=20
AUTH_TIMEOUT=3
mkdir -p "$TMP/lake"
cat >"$TMP/tarn.conf" <<EOF
# tests/server/run.sh
max_connections = $MAXCONN
authentication_timeout = ${AUTH_TIMEOUT}s
EOF
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
start_server "$PORT" "$TMP/tarn.conf" "$TMP/server.log"
SERVER_PID=$STARTED_PID
if ! pg_isready -q -h 127.0.0.1 -p "$PORT"; then
    bad "server starts" "$(cat "$TMP/server.log")"
    echo "$pass passed, $fail failed"
    exit 1
fi
ok "server starts and accepts connections"

export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=tester PGDATABASE=lake PGCONNECT_TIMEOUT=10
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

# expect NAME WANT CMD... : stdout+stderr of CMD must equal WANT
expect() {
    local name=$1 want=$2
    shift 2
    local got
    got=$("$@" 2>&1)
    if [ "$got" = "$want" ]; then ok "$name"; else bad "$name" "$(printf 'want:\n%s\ngot:\n%s' "$want" "$got")"; fi
}

# ---- psql ----------------------------------------------------------------------------------------
expect "psql: a query" "1|a" "${PSQL[@]}" -At -c "select 1, 'a'"
expect "psql: several statements in one -c" "$(printf '1\n2')" "${PSQL[@]}" -At -c "select 1; select 2"
expect "psql: DDL, INSERT, SELECT" "$(printf '1|one\n2|')" "${PSQL[@]}" -At \
    -c "create table t(a int, b text)" -c "insert into t values (1, 'one'), (2, null)" -c "select * from t order by a"
expect "psql: tags" "$(printf 'INSERT 0 1\nUPDATE 1\nDELETE 1')" psql -X -c "insert into t values (3, 'x')" \
    -c "update t set b = 'y' where a = 3" -c "delete from t where a = 3"
expect "psql: error with SQLSTATE (VERBOSITY verbose)" \
    "$(printf 'ERROR:  42P01: relation "nope" does not exist\nLINE 1: select * from nope\n                      ^')" \
    psql -X -c '\set VERBOSITY verbose' -c 'select * from nope'
expect "psql: division by zero is 22012" "ERROR:  22012: division by zero" psql -X -c '\set VERBOSITY verbose' \
    -c 'select 1/0'
expect "psql: a script" "$(printf '5\n6')" "${PSQL[@]}" -At <<'EOF'
begin;
create table s(x int);
insert into s values (1), (2);
commit;
select sum(x) + count(*) from s;
select sum(x * 2) from s;
EOF
# COPY: the same files and expected output as PostgreSQL 15 gives
printf '1\ta\\tb\n2\t\\N\n3\tx\\\\y\n4\t\\x41\\101\n\\.\n' >"$TMP/in.txt"
printf 'a,b\n5,"q,""x"""\n6,\n7,""\n' >"$TMP/in.csv"
expect "psql: \\copy FROM (text with escapes, CSV with header)" "$(printf 'CREATE TABLE\nCOPY 4\nCOPY 3')" psql -X \
    -c "create table ct(a int, b text)" -c "\\copy ct from '$TMP/in.txt'" -c "\\copy ct from '$TMP/in.csv' with (format csv, header)"
expect "psql: COPY TO STDOUT text" "$(printf '1\ta\\tb\n2\t\\N\n3\tx\\\\y\n4\tAA\n5\tq,"x"\n6\t\\N\n7\t')" \
    psql -X -q -c "copy (select a, b from ct order by a) to stdout"
expect "psql: COPY TO STDOUT csv header" "$(printf 'a,b\n5,"q,""x"""\n6,\n7,""')" \
    psql -X -q -c "copy (select a, b from ct where a > 4 order by a) to stdout with (format csv, header)"
expect "psql: COPY column TO STDOUT csv (quoting, NULL, empty)" "$(printf 'a\tb\n\nx\\y\nAA\n"q,""x"""\n\n""')" \
    psql -X -q -c "copy (select b from ct order by a) to stdout csv"
expect "psql: \\copy TO a file and back" "$(printf 'COPY 7\nCOPY 7\n14')" psql -X -At \
    -c "\\copy ct to '$TMP/out.txt'" -c "\\copy ct from '$TMP/out.txt'" -c "select count(*) from ct"
expect "psql: COPY FROM STDIN of a missing table" 'ERROR:  relation "nosuch" does not exist' psql -X -c "copy nosuch from stdin"
expect "psql: COPY BINARY is refused" "ERROR:  COPY BINARY is not supported by tarn serve yet" \
    psql -X -c "copy ct to stdout (format binary)"
expect "psql: version() names tarn" "1" "${PSQL[@]}" -At -c "select (version() like 'PostgreSQL 15%tarn%')::int"
expect "psql: SHOW after SET" "Asia/Tokyo" "${PSQL[@]}" -At -c "set timezone = 'Asia/Tokyo'" -c "show timezone"
expect "psql: empty query" "" "${PSQL[@]}" -At -c ""
expect "psql: SAVEPOINT / RELEASE / ROLLBACK TO (errors, recovering a failed block)" \
    "$(cat tests/server/savepoint_expected.txt)" psql -X -f tests/server/savepoint.sql
# RESET / RESET ALL / SET .. TO DEFAULT return to the startup packet's values (PostgreSQL 15's answers)
expect "psql: RESET ALL keeps the startup parameters (application_name, options -c)" \
    "$(printf 'myapp\nISO, DMY\n5s\n7\nmyapp\nmyapp\nUTC')" env PGAPPNAME=myapp \
    PGOPTIONS='-c DateStyle=ISO,DMY -c statement_timeout=5s -c myapp.x=7' "${PSQL[@]}" -At \
    -c "set application_name='x'" -c "set datestyle='ISO, MDY'" -c "set statement_timeout=0" -c "set myapp.x = 1" \
    -c "set timezone = 'Asia/Tokyo'" -c "reset all" -c "show application_name" -c "show datestyle" \
    -c "show statement_timeout" -c "show myapp.x" -c "set application_name='y'" -c "reset application_name" \
    -c "show application_name" -c "set application_name to 'z'" -c "set application_name to default" \
    -c "show application_name" -c "show timezone"
expect "psql: FETCH_COUNT (DECLARE / FETCH FORWARD 3 / CLOSE in a block)" "$(printf '1|x1\n2|x2\n3|x3\n4|x4\n5|x5\n6|x6\n7|x7')" \
    "${PSQL[@]}" -At -v FETCH_COUNT=3 -c "select g, 'x' || g from generate_series(1, 7) g"
expect "psql: NOTICE and WARNING" \
    "$(printf 'NOTICE:  00000: table "nosuch" does not exist, skipping\nDROP TABLE\nWARNING:  25P01: there is no transaction in progress\nCOMMIT')" \
    psql -X -c '\set VERBOSITY verbose' -c "drop table if exists nosuch" -c "commit"
expect "psql: a syntax error anywhere in a Query runs nothing (42601)" \
    "$(printf 'ERROR:  syntax error at or near "selec"\nLINE 1: select 1; selec 2\n                  ^')" psql -X -At -c "select 1; selec 2"

# ---- psql meta-commands against PostgreSQL's (catalog emulation) ----------------------------------
. tests/server/psql_meta.sh

# ---- libpq ---------------------------------------------------------------------------------------
LIBPQ_BIN=$BUILD/libpq_test
if gcc -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -I"$(pg_config --includedir)" \
    -o "$LIBPQ_BIN" tests/server/libpq_test.c -lpq -lm 2>"$TMP/cc.log"; then
    if out=$("$LIBPQ_BIN" "host=127.0.0.1 port=$PORT user=tester dbname=lake" 2>&1); then
        ok "libpq: $(echo "$out" | tail -1)"
    else
        bad "libpq" "$(echo "$out" | grep -v '^ok')"
    fi
else
    bad "libpq: compile tests/server/libpq_test.c" "$(cat "$TMP/cc.log")"
fi

# ---- raw protocol and hostile clients ------------------------------------------------------------------
if out=$(timeout 300 python3 tests/server/proto_test.py "$PORT" "$MAXCONN" "$AUTH_TIMEOUT" "$SERVER_PID" 2>&1); then
    ok "raw protocol: $(echo "$out" | tail -1)"
else
    bad "raw protocol" "$(echo "$out" | grep -v '^ok')"
fi

# ---- COPY staging and idle timeouts set with SQL ----------------------------------------------------
if out=$(timeout 120 python3 tests/server/session_test.py "$PORT" "$TMP/lake" "$TMP" 2>&1); then
    ok "sessions (COPY staging, SET idle timeouts): $(echo "$out" | tail -1)"
else
    bad "sessions (COPY staging, SET idle timeouts)" "$(echo "$out" | grep -v '^ok')"
fi

# ---- node-postgres -------------------------------------------------------------------------------
if [ -d tools/node/node_modules/pg ]; then
    if out=$(timeout 120 node tests/server/node_pg_test.mjs "$PORT" 2>&1); then
        ok "node-postgres: $(echo "$out" | tail -1)"
    else
        bad "node-postgres" "$(echo "$out" | grep -v '^ok')"
    fi
else
    bad "node-postgres" "tools/node/node_modules/pg is missing: run make deps"
fi

# ---- psycopg2 (Debian's python3-psycopg2: the system python, not a pyenv one) ----------------------
PY3=/usr/bin/python3
[ -x "$PY3" ] || PY3=python3
if "$PY3" -c 'import psycopg2' 2>/dev/null; then
    if out=$(timeout 120 "$PY3" tests/server/psycopg2_test.py "host=127.0.0.1 port=$PORT user=tester dbname=lake" 2>&1); then
        ok "psycopg2: $(echo "$out" | tail -1)"
    else
        bad "psycopg2" "$(echo "$out" | grep -v '^ok')"
    fi
    # Grafana's PostgreSQL data source: its expanded macros, compared with PostgreSQL 15's answers
    if out=$(timeout 60 "$PY3" tests/server/grafana_test.py "host=127.0.0.1 port=$PORT user=grafana dbname=lake" 2>&1); then
        ok "Grafana-style queries: $(echo "$out" | tail -1)"
    else
        bad "Grafana-style queries" "$(echo "$out" | grep -v '^ok')"
    fi
else
    bad "psycopg2" "python3-psycopg2 is missing: run tools/bootstrap.sh"
fi

# ---- PostgreSQL JDBC driver (compiled once per source and driver version, cached under $BUILD) ----
JDBC_JAR=/usr/share/java/postgresql.jar
if [ -f "$JDBC_JAR" ] && command -v javac >/dev/null && command -v java >/dev/null; then
    JDBC_DIR=$BUILD/jdbc_test/$(cat tests/server/JdbcTest.java "$JDBC_JAR" | sha256sum | cut -c1-16)
    if [ ! -f "$JDBC_DIR/JdbcTest.class" ]; then
        rm -rf "$BUILD/jdbc_test"
        mkdir -p "$BUILD/jdbc_test"
        JDBC_TMP=$(mktemp -d "$BUILD/jdbc_test/tmp.XXXXXX")
        javac -cp "$JDBC_JAR" -d "$JDBC_TMP" tests/server/JdbcTest.java >"$TMP/javac.log" 2>&1 && mv -T "$JDBC_TMP" "$JDBC_DIR"
        rm -rf "$JDBC_TMP"
    fi
    if [ -f "$JDBC_DIR/JdbcTest.class" ]; then
        out=$(timeout 120 java -cp "$JDBC_DIR:$JDBC_JAR" JdbcTest "jdbc:postgresql://127.0.0.1:$PORT/lake" tester 2>&1)
        # DatabaseMetaData runs the driver's pg_catalog / information_schema queries: a check of its own
        if echo "$out" | grep -q '^jdbc_test:' && ! echo "$out" | grep '^not ok' | grep -vq ' - metadata: '; then
            ok "JDBC: $(echo "$out" | grep '^ok' | grep -vc ' - metadata: ') checks besides metadata"
        else
            bad "JDBC" "$(echo "$out" | grep -v '^ok' | grep -v ' - metadata: ')"
        fi
        if echo "$out" | grep -q ' - metadata: ' && ! echo "$out" | grep -q '^not ok .* - metadata: '; then
            ok "JDBC DatabaseMetaData: $(echo "$out" | grep -c '^ok .* - metadata: ') checks"
        else
            bad "JDBC DatabaseMetaData (pg_catalog emulation)" "$(echo "$out" | grep '^not ok .* - metadata: ')"
        fi
    else
        bad "JDBC: compile tests/server/JdbcTest.java" "$(cat "$TMP/javac.log")"
    fi
else
    bad "JDBC" "$JDBC_JAR, javac or java is missing: run tools/bootstrap.sh"
fi

# ---- pgbench -------------------------------------------------------------------------------------
PGBENCH=/usr/lib/postgresql/15/bin/pgbench
if [ -x "$PGBENCH" ]; then
    "${PSQL[@]}" -c "create table bench(id int, name text)" \
        -c "insert into bench select i, 'n' || i from generate_series(1, 100) i" >/dev/null 2>&1
    printf '\\set id random(1, 100)\nselect name from bench where id = :id;\n' >"$TMP/bench.sql"
    for mode in simple extended prepared; do
        out=$(timeout 120 "$PGBENCH" -n -M "$mode" -f "$TMP/bench.sql" -c 4 -j 2 -t 50 2>&1)
        if echo "$out" | grep -q "actually processed: 200/200" && echo "$out" | grep -q "failed transactions: 0 "; then
            ok "pgbench -M $mode: 4 clients x 50 read-only transactions"
        else
            bad "pgbench -M $mode" "$out"
        fi
    done
else
    bad "pgbench" "$PGBENCH is missing"
fi

# ---- roles and SCRAM-SHA-256 -------------------------------------------------------------------------
# Roles are created through the trust server; a second server on the same
# lake asks loopback clients for SCRAM-SHA-256.
expect "CREATE ROLE / USER, ALTER ROLE, DROP ROLE IF EXISTS" \
    "$(printf 'CREATE ROLE\nCREATE ROLE\nCREATE ROLE\nALTER ROLE\nNOTICE:  role "ghost" does not exist, skipping\nDROP ROLE')" \
    psql -X -c "create role alice login password 'secret'" -c "create user bob password 'pw2'" \
    -c "create role nologin_r password 'x'" -c "alter user bob with password 'pw3'" -c "drop role if exists ghost"
expect "CREATE ROLE of an existing name is 42710" 'ERROR:  42710: role "alice" already exists' \
    psql -X -c '\set VERBOSITY verbose' -c "create role alice"
expect "DROP ROLE of a missing name is 42704" 'ERROR:  42704: role "ghost" does not exist' \
    psql -X -c '\set VERBOSITY verbose' -c "drop role ghost"
# a verifier computed by an independent implementation (Python's hashlib)
CAROL=$(python3 - <<'PY'
import base64, hashlib, hmac, os
pw, salt, it = b"pw-carol", os.urandom(16), 4096
sp = hashlib.pbkdf2_hmac("sha256", pw, salt, it)
ck = hmac.new(sp, b"Client Key", "sha256").digest()
sk = hmac.new(sp, b"Server Key", "sha256").digest()
b = lambda x: base64.b64encode(x).decode()
print(f"SCRAM-SHA-256${it}:{b(salt)}${b(hashlib.sha256(ck).digest())}:{b(sk)}")
PY
)
expect "CREATE ROLE with a SCRAM verifier" "CREATE ROLE" psql -X -c "create role carol login password '$CAROL'"
if grep -q '^alice	1	SCRAM-SHA-256[$]4096:' "$TMP/lake/.tarn_config/roles" && ! grep -q secret "$TMP/lake/.tarn_config/roles"; then
    ok "roles stored as salted SCRAM verifiers in LAKE/.tarn_config/roles"
else
    bad "role store" "$(cat "$TMP/lake/.tarn_config/roles")"
fi
PORT2=$(free_port)
printf 'auth_loopback = scram-sha-256\n' >"$TMP/scram.conf"
start_server "$PORT2" "$TMP/scram.conf" "$TMP/server2.log"
SERVER2_PID=$STARTED_PID
expect "SCRAM: right password" "alice in" env PGPASSWORD=secret psql -X -w -p "$PORT2" -U alice -Atc "select 'alice in'"
expect "SCRAM: changed password" "bob in" env PGPASSWORD=pw3 psql -X -w -p "$PORT2" -U bob -Atc "select 'bob in'"
expect "SCRAM: verifier from another implementation" "carol in" env PGPASSWORD=pw-carol psql -X -w -p "$PORT2" -U carol \
    -Atc "select 'carol in'"
expect "SCRAM: wrong password is 28P01" \
    'psql: error: connection to server at "127.0.0.1", port '"$PORT2"' failed: FATAL:  password authentication failed for user "alice"' \
    env PGPASSWORD=wrong psql -X -w -p "$PORT2" -U alice -Atc "select 1"
expect "SCRAM: old password no longer works" \
    'psql: error: connection to server at "127.0.0.1", port '"$PORT2"' failed: FATAL:  password authentication failed for user "bob"' \
    env PGPASSWORD=pw2 psql -X -w -p "$PORT2" -U bob -Atc "select 1"
expect "SCRAM: unknown role fails the same way" \
    'psql: error: connection to server at "127.0.0.1", port '"$PORT2"' failed: FATAL:  password authentication failed for user "nobody"' \
    env PGPASSWORD=x psql -X -w -p "$PORT2" -U nobody -Atc "select 1"
expect "SCRAM: NOLOGIN role refused" \
    'psql: error: connection to server at "127.0.0.1", port '"$PORT2"' failed: FATAL:  role "nologin_r" is not permitted to log in' \
    env PGPASSWORD=x psql -X -w -p "$PORT2" -U nologin_r -Atc "select 1"
if [ -d tools/node/node_modules/pg ]; then
    expect "SCRAM: node-postgres checks the server signature" "1" node -e '
const { createRequire } = require("node:module")
const pg = createRequire(process.cwd() + "/tools/node/package.json")("pg")
const c = new pg.Client({ host: "127.0.0.1", port: '"$PORT2"', user: "alice", password: "secret", database: "lake" })
c.connect().then(() => c.query("select 1 as x")).then(r => { console.log(r.rows[0].x); return c.end() })
  .catch(e => { console.log("error: " + e.message); process.exit(1) })'
fi
expect "DROP ROLE; the role can no longer log in" \
    "$(printf 'DROP ROLE\npsql: error: connection to server at "127.0.0.1", port %s failed: FATAL:  password authentication failed for user "carol"' "$PORT2")" \
    bash -c "psql -X -c 'drop role carol'; PGPASSWORD=pw-carol psql -X -w -p $PORT2 -U carol -Atc 'select 1'"
kill -TERM "$SERVER2_PID"
wait "$SERVER2_PID"
if grep -qE "AddressSanitizer|LeakSanitizer|runtime error" "$TMP/server2.log"; then
    bad "second server log has sanitizer reports" "$(grep -E -A12 'AddressSanitizer|LeakSanitizer|runtime error' "$TMP/server2.log")"
fi

# ---- idle_session_timeout and statement_timeout from the config file -------------------------------
PORT3=$(free_port)
printf 'idle_session_timeout = 1s\nstatement_timeout = 200ms\nmax_connections = 4\n' >"$TMP/timeouts.conf"
start_server "$PORT3" "$TMP/timeouts.conf" "$TMP/server3.log"
SERVER3_PID=$STARTED_PID
expect "statement_timeout from the config file" "ERROR:  canceling statement due to statement timeout" \
    psql -X -p "$PORT3" -Atc "select count(*) from generate_series(1, 10000000000)"
expect "idle_session_timeout closes an idle session with 57P05" "E 57P05 terminating connection due to idle-session timeout" \
    python3 - "$PORT3" <<'PY'
import socket, struct, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
body = struct.pack("!I", 196608) + b"user\0idle\0\0"
s.sendall(struct.pack("!I", len(body) + 4) + body)
buf = b""
while not buf.endswith(b"Z\0\0\0\x05I"):
    buf += s.recv(4096)
t0 = time.time()
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
f = dict((p[:1].decode(), p[1:].decode()) for p in data[5:].split(b"\0") if p)
print(data[:1].decode(), f.get("C"), f.get("M")) if 0.8 < time.time() - t0 < 5 else print("took", time.time() - t0)
PY
kill -TERM "$SERVER3_PID"
wait "$SERVER3_PID"

# ---- column cache, parse cache, inline runs; commits by another process ---------------------------
. tests/server/cache_test.sh

# ---- plan cache of simple-protocol statements (src/sql/plan_cache.c): cached = uncached ----------
if "$PY3" -c 'import psycopg2' 2>/dev/null; then
    if out=$(timeout 120 "$PY3" tests/server/plan_cache_test.py "host=127.0.0.1 port=$PORT user=tester dbname=lake" \
        "$TARN" "$TMP/lake" 2>&1); then
        ok "plan cache: $(echo "$out" | tail -1)"
    else
        bad "plan cache" "$(echo "$out" | grep -v '^ok')"
    fi
fi

# ---- TLS ------------------------------------------------------------------------------------------
. tests/server/tls_test.sh

# ---- shutdown ------------------------------------------------------------------------------------
kill -TERM "$SERVER_PID"
for _ in $(seq 100); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$SERVER_PID" 2>/dev/null; then
    bad "server stops on SIGTERM within 10 s"
else
    wait "$SERVER_PID"
    rc=$?
    SERVER_PID=
    if [ "$rc" = 0 ]; then ok "server stops on SIGTERM"; else bad "server exit status $rc" "$(tail -20 "$TMP/server.log")"; fi
fi
if grep -qE "AddressSanitizer|LeakSanitizer|runtime error" "$TMP/server.log"; then
    bad "server log has sanitizer reports" "$(grep -E -A12 'AddressSanitizer|LeakSanitizer|runtime error' "$TMP/server.log")"
else
    ok "no sanitizer report in the server log"
fi
if grep -q "protocol violation\|invalid startup packet" "$TMP/server.log"; then
    ok "protocol violations are logged"
else
    bad "protocol violations are logged" "$(tail -20 "$TMP/server.log")"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
