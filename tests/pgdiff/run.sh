#!/usr/bin/env bash
# tests/pgdiff/run.sh - differential tests against a real PostgreSQL 15:
# a throwaway cluster (initdb in a temp dir, a unix socket there only,
# TimeZone UTC, lc_messages C) and build/pgdiff_driver (driver.c), which
# runs setup.sql (generated tables) and every statement of queries/*.sql
# through tarn and through the server and compares the answers.  The
# cluster is stopped and deleted on exit, failure or interrupt.  PostgreSQL
# missing or not starting is a failure, never a skip.  Ends with
# "N passed, N failed".
#   tests/pgdiff/run.sh [-v] [queries/FILE.sql ...]
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
DRIVER=$BUILD/pgdiff_driver
VERBOSE=()
if [ "${1:-}" = "-v" ]; then VERBOSE=(-v); shift; fi

fail() { echo "FAIL pgdiff: $*"; echo "0 passed, 1 failed"; exit 1; }

if [ "${SAN:-}" = 1 ]; then
    make -s "$DRIVER" BUILD="$BUILD" SAN=1 >/dev/null 2>&1
else
    make -s "$DRIVER" BUILD="$BUILD" >/dev/null 2>&1
fi
[ -x "$DRIVER" ] || fail "cannot build $DRIVER (libpq-dev installed? tools/bootstrap.sh)"

PGBIN=${PGBIN:-$(pg_config --bindir 2>/dev/null)}
[ -x "${PGBIN:-}/initdb" ] || PGBIN=/usr/lib/postgresql/15/bin
[ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] ||
    fail "PostgreSQL 15 server binaries not found (tools/bootstrap.sh installs postgresql-15)"

work=$(mktemp -d /tmp/tarn-pgdiff.XXXXXX)
# initdb and postgres refuse to run as root: run them as the postgres user.
AS=()
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || fail "running as root and there is no postgres user"
    chown postgres "$work"
    AS=(runuser -u postgres --)
fi
pgdata=$work/data
cleanup() {
    if [ -f "$pgdata/postmaster.pid" ]; then
        "${AS[@]}" "$PGBIN/pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null 2>&1
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

"${AS[@]}" "$PGBIN/initdb" -D "$pgdata" -A trust -U postgres -E UTF8 --lc-collate=C --lc-ctype=C.UTF-8 >"$work/initdb.log" 2>&1 ||
    { cat "$work/initdb.log"; fail "initdb failed"; }

# A free port number: the socket lives in $work, so only the lock file name
# in $work matters; still pick one no other local server is using.
port=
for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 30000))
    if [ ! -e "/tmp/.s.PGSQL.$p" ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        port=$p
        break
    fi
done
[ -n "$port" ] || fail "no free port"

"${AS[@]}" "$PGBIN/pg_ctl" -D "$pgdata" -l "$work/server.log" -w -t 30 \
    -o "-k $work -p $port -c listen_addresses='' -c TimeZone=UTC -c lc_messages=C -c fsync=off" \
    start >/dev/null 2>&1 || { cat "$work/server.log" 2>/dev/null; fail "PostgreSQL did not start"; }

if [ $# -gt 0 ]; then
    files=("$@")
else
    mapfile -t files < <(find tests/pgdiff/queries -name '*.sql' | sort)
fi
"$DRIVER" "${VERBOSE[@]}" --pg "host=$work port=$port user=postgres dbname=postgres" \
    --lake "$work/lake" tests/pgdiff/setup.sql "${files[@]}"
