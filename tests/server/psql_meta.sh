# tests/server/psql_meta.sh - sourced by tests/server/run.sh: psql's
# meta-commands (\d, \dt, \dv, \dn, \du, \l, \df) against `tarn serve`
# print exactly what they print against a throwaway PostgreSQL 15 holding
# the same objects (the catalog emulation, src/sql/syscat/).  Both are
# reached as user "postgres" and database "postgres", so owners and
# database names agree.  Uses expect / ok / bad, $TMP and $PORT of run.sh.

meta_pg_bin=${PGBIN:-/usr/lib/postgresql/15/bin}
# its own directory: $TMP is private to root, and initdb runs as postgres when we are root
meta_pgdir=$(mktemp -d /tmp/tarn-pgmeta.XXXXXX)
meta_as=()
meta_pg_port=
meta_pg_stop() {
    [ -f "$meta_pgdir/data/postmaster.pid" ] &&
        "${meta_as[@]}" "$meta_pg_bin/pg_ctl" -D "$meta_pgdir/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$meta_pgdir"
}
meta_objects="create schema meta_s;
create table meta_t (a int not null, b text, c date, d numeric(10,2), e varchar(20) not null, f double precision);
create table meta_s.w (id bigint not null, flag boolean, ts timestamp);
create view meta_v as select a, b, d from meta_t;"
if [ "$(id -u)" = 0 ]; then
    chown postgres "$meta_pgdir"
    meta_as=(runuser -u postgres --)
fi
if ! [ -x "$meta_pg_bin/initdb" ]; then
    bad "psql meta-commands: PostgreSQL 15 server binaries" "not found in $meta_pg_bin (tools/bootstrap.sh installs postgresql-15)"
elif ! "${meta_as[@]}" "$meta_pg_bin/initdb" -D "$meta_pgdir/data" -A trust -U postgres -E UTF8 --locale=C \
        >"$meta_pgdir/initdb.log" 2>&1; then
    bad "psql meta-commands: initdb" "$(cat "$meta_pgdir/initdb.log")"
else
    meta_pg_port=$(free_port)
    if ! "${meta_as[@]}" "$meta_pg_bin/pg_ctl" -D "$meta_pgdir/data" -l "$meta_pgdir/server.log" -w -t 30 \
            -o "-k $meta_pgdir -p $meta_pg_port -c listen_addresses='' -c fsync=off" start >/dev/null 2>&1; then
        bad "psql meta-commands: PostgreSQL starts" "$(cat "$meta_pgdir/server.log" 2>/dev/null)"
        meta_pg_port=
    fi
fi
if [ -n "$meta_pg_port" ]; then
    meta_pg() { psql -X -h "$meta_pgdir" -p "$meta_pg_port" -U postgres postgres "$@"; }
    meta_tarn() { psql -X -h 127.0.0.1 -p "$PORT" -U postgres postgres "$@"; }
    if ! meta_pg -q -v ON_ERROR_STOP=1 -c "$meta_objects" >/dev/null 2>&1 ||
        ! meta_tarn -q -v ON_ERROR_STOP=1 -c "$meta_objects" >"$TMP/meta.err" 2>&1; then
        bad "psql meta-commands: the same objects in both" "$(cat "$TMP/meta.err")"
    else
        for cmd in '\d meta_t' '\d meta_v' '\d meta_s.w' '\dt meta_*' '\dv meta_*' '\d meta_*' '\dt meta_s.*' \
            '\dn meta_s' '\du postgres' '\l postgres' '\df' '\dv nothing_here'; do
            want=$(meta_pg -c "$cmd" 2>&1)
            expect "psql meta-command $cmd equals PostgreSQL's" "$want" meta_tarn -c "$cmd"
        done
        # \dt+ runs too; its sizes are the table's real file sizes, not PostgreSQL's pages
        meta_dtplus() { meta_tarn -At -F '|' -c '\dt+ meta_t' | cut -d'|' -f1-6; }
        expect "psql \\dt+ meta_t" "public|meta_t|table|postgres|permanent|heap" meta_dtplus
    fi
fi
meta_pg_stop
