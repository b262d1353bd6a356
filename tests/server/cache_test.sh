# tests/server/cache_test.sh - sourced by tests/server/run.sh (uses its
# server on $PORT, expect/ok/bad, PSQL, TARN, TMP).
#
# tarn serve keeps decoded columns of small Delta data files in memory
# (table/delta/col_cache.h), caches libpg_query's parse results by text
# (sql/parse/parse_cache.h) and runs small queries on the session's own
# thread (sql_cursor.c).  These checks read cached files with every kind
# of pushed-down predicate, then let another process (`tarn sql` on the same
# lake) commit inserts, updates, deletes and a new column: the server's next
# statement must see each commit.

"${PSQL[@]}" -c "create table cc (id int, name text, d date, ts timestamp, n numeric(10,2), big bigint)" \
    -c "insert into cc select i, case when i % 7 = 0 then null else 'n' || i end, date '2024-01-01' + i,
               timestamp '2024-01-01 00:00:00' + i * interval '1 hour', i * 1.5, i * 1000000000::bigint
        from generate_series(1, 5000) i" >/dev/null 2>&1
# twice each: the first reads the file, the second the cache
for round in 1 2; do
    expect "column cache ($round): point read" "n43|64.50" "${PSQL[@]}" -At -c "select name, n from cc where id = 43"
    expect "column cache ($round): no match, out-of-range constants" "0|0|0" "${PSQL[@]}" -At \
        -c "select (select count(*) from cc where id = 0), (select count(*) from cc where id = 5000000000),
                   (select count(*) from cc where big < -5)"
    expect "column cache ($round): ranges" "100|4951|1000" "${PSQL[@]}" -At \
        -c "select (select count(*) from cc where id > 4900), (select count(*) from cc where id >= 50),
                   (select count(*) from cc where id <= 1000 and id > 0)"
    expect "column cache ($round): IS NULL / IS NOT NULL / text equality" "714|4286|1|0" "${PSQL[@]}" -At \
        -c "select (select count(*) from cc where name is null), (select count(*) from cc where name is not null),
                   (select count(*) from cc where name = 'n43'), (select count(*) from cc where name = 'n42x')"
    expect "column cache ($round): date, timestamp, bigint" "2024-01-11|2024-01-01 10:00:00|7" "${PSQL[@]}" -At \
        -c "select (select d from cc where d = date '2024-01-11'), (select ts from cc where ts = timestamp '2024-01-01 10:00:00'),
                   (select id from cc where big = 7000000000)"
    expect "column cache ($round): scattered matches (every 7th row)" "700|1786050" "${PSQL[@]}" -At \
        -c "select count(*), sum(id) from cc where name is null and id > 100"
done

# zone maps (min / max per 1024 cached rows): rows 1025-2048 are one zone
# whose smallint is all NULL; constants on zone edges, negatives, bigint, date
"${PSQL[@]}" -c "create table zm (id int, s smallint, b bigint, d date)" \
    -c "insert into zm select i, case when i between 1025 and 2048 then null else (i % 1000) - 500 end,
               -i::bigint * 1000, date '2020-01-01' + i from generate_series(1, 3000) i" >/dev/null 2>&1
for round in 1 2; do
    expect "column cache ($round): zone maps with an all-NULL zone and zone edges" "2|1024|2|1|952|2049|1|2" "${PSQL[@]}" -At \
        -c "select (select count(*) from zm where s = 0), (select count(*) from zm where s is null),
                   (select count(*) from zm where s < -499), (select count(*) from zm where b = -1024000),
                   (select count(*) from zm where b < -2048000), (select sum(id) from zm where id >= 1024 and id <= 1025),
                   (select count(*) from zm where d = date '2020-01-01' + 2049), (select count(*) from zm where s > 498)"
done

# char(n) compares without trailing spaces, varchar / text with them (as in PostgreSQL)
"${PSQL[@]}" -c "create table cch (id int, c char(5), v varchar(5))" \
    -c "insert into cch values (1, 'ab', 'ab'), (2, 'abc', 'abc  ')" >/dev/null 2>&1
for round in 1 2; do
    expect "column cache ($round): char(n) and varchar equality" "1|1|0|1" "${PSQL[@]}" -At \
        -c "select (select count(*) from cch where c = 'ab'), (select count(*) from cch where c = 'ab   '),
                   (select count(*) from cch where v = 'abc'), (select count(*) from cch where v = 'abc  ')"
done

# a table wider than the cache takes (64 columns) is read the ordinary way
"${PSQL[@]}" -c "create table wide ($(seq -s, -f 'c%g int' 1 70))" \
    -c "insert into wide select $(seq -s, -f 'i + %g' 1 70) from generate_series(1, 100) i" >/dev/null 2>&1
for round in 1 2; do
    expect "column cache ($round): 70 columns" "51|120" "${PSQL[@]}" -At -c "select c1, c70 from wide where c1 = 51"
done

# another process commits; the server's next statement sees it
"$TARN" sql --lake "$TMP/lake" -c "insert into cc (id, name) values (5001, 'from the cli')" >/dev/null 2>&1
expect "column cache: an INSERT by another process is visible" "from the cli|5001" \
    "${PSQL[@]}" -At -c "select name, (select count(*) from cc) from cc where id = 5001"
"$TARN" sql --lake "$TMP/lake" -c "update cc set name = 'updated' where id = 42" >/dev/null 2>&1
expect "column cache: an UPDATE by another process is visible" "updated|713" \
    "${PSQL[@]}" -At -c "select name, (select count(*) from cc where name is null) from cc where id = 42"
"$TARN" sql --lake "$TMP/lake" -c "delete from cc where id between 10 and 19" >/dev/null 2>&1
expect "column cache: a DELETE by another process is visible" "0|4991" \
    "${PSQL[@]}" -At -c "select (select count(*) from cc where id = 15), (select count(*) from cc)"
"$TARN" sql --lake "$TMP/lake" -c "alter table cc add column extra int; update cc set extra = id * 2 where id = 43" \
    >/dev/null 2>&1
expect "column cache: a new column from another process" "86|4990" \
    "${PSQL[@]}" -At -c "select (select extra from cc where id = 43), (select count(*) from cc where extra is null)"

# A session's catalog skips the stat of a cached table's _delta_log while
# its schema folder is unchanged (catalog.c, once that folder's timestamps
# are 2 s old): one session (one psql connection) reads tables, another
# process drops, re-creates and shadows them in between.
"${PSQL[@]}" -c "create table fr (id int)" -c "insert into fr values (1), (2)" \
    -c "create table fr2 (id int)" -c "insert into fr2 values (7)" >/dev/null 2>&1
sleep 3
expect "catalog: drop, re-create and shadowing by another process, seen by a warm session" \
    "$(printf '2\n7\nERROR:  relation "fr" does not exist\nLINE 1: select count(*) from fr\n                             ^\n0\n1\n3\nERROR:  relation "fr2" does not exist\nLINE 1: select * from fr2\n                      ^')" \
    psql -X -q -At -c "select count(*) from fr" -c "select * from fr2" \
    -c "\\! $TARN sql --lake $TMP/lake -c 'drop table fr' >/dev/null 2>&1" \
    -c "select count(*) from fr" \
    -c "\\! $TARN sql --lake $TMP/lake -c 'create table fr (id int)' >/dev/null 2>&1" \
    -c "select count(*) from fr" \
    -c "\\! $TARN sql --lake $TMP/lake -c 'create schema sh; create table sh.fr (x int); insert into sh.fr values (1)' >/dev/null 2>&1" \
    -c "set search_path = sh, public" -c "select count(*) from fr" \
    -c "\\! $TARN sql --lake $TMP/lake -c 'insert into sh.fr values (2), (3)' >/dev/null 2>&1" \
    -c "select count(*) from fr" \
    -c "\\! $TARN sql --lake $TMP/lake -c 'alter table public.fr2 rename to fr3' >/dev/null 2>&1" \
    -c "select * from fr2"
# dropped and created again between two statements of a warm session
# (this session's handle of the old table must not be used)
"${PSQL[@]}" -c "create table dr (id int)" -c "insert into dr values (1), (2), (3)" >/dev/null 2>&1
expect "catalog: a table dropped and re-created by another process between two statements" "$(printf '3\n1|42\n1|42')" \
    psql -X -q -At -c "select count(*) from dr" \
    -c "\\! $TARN sql --lake $TMP/lake -c 'drop table dr; create table dr (id int); insert into dr values (42)' >/dev/null 2>&1" \
    -c "select count(*), max(id) from dr" -c "select count(*), max(id) from dr"
# re-created with a longer log (the old snapshot must not be extended with
# the new log's commits), other columns, then a shorter log, then dropped
# (a _delta_log folder made right after one is deleted may reuse its inode)
"${PSQL[@]}" -c "create table rc (id int)" -c "insert into rc values (1)" -c "insert into rc values (2)" \
    -c "insert into rc values (3)" >/dev/null 2>&1
expect "catalog: re-created by another process with a longer log, other columns, a shorter log, dropped" \
    "$(printf '3|6\nx|5|15\n1|42\nERROR:  relation "rc" does not exist\nLINE 1: select count(*), sum(id) from rc\n                                      ^')" \
    psql -X -q -At -c "select count(*), sum(id) from rc" \
    -c "\\! $TARN sql --lake $TMP/lake -c \"drop table rc; create table rc (t text, n int); insert into rc values ('x', 1); insert into rc values ('x', 2); insert into rc values ('x', 3); insert into rc values ('x', 4); insert into rc values ('x', 5)\" >/dev/null 2>&1" \
    -c "select t, count(*), sum(n) from rc group by t" \
    -c "\\! $TARN sql --lake $TMP/lake -c 'drop table rc; create table rc (id int); insert into rc values (42)' >/dev/null 2>&1" \
    -c "select count(*), sum(id) from rc" \
    -c "\\! $TARN sql --lake $TMP/lake -c 'drop table rc' >/dev/null 2>&1" \
    -c "select count(*), sum(id) from rc"

# a small estimate but a large result: the inline run overflows and the
# query runs again, streaming; every row arrives once
"${PSQL[@]}" -c "create table ov (id int, v text)" \
    -c "insert into ov select i, 'v' || i from generate_series(1, 100000) i" >/dev/null 2>&1
expect "inline run: a result larger than the estimate" "100000|5000050000" \
    bash -c "psql -X -At -c 'select id from ov where id = id' | sort -n | uniq | awk '{n++; s += \$1} END {printf \"%d|%.0f\\n\", n, s}'"

# a budget too small for a file's strings: the file is read the ordinary way
PORT_CC=$(free_port)
printf 'column_cache = 1MB\nlog_connections = off\n' >"$TMP/cc.conf"
start_server "$PORT_CC" "$TMP/cc.conf" "$TMP/server_cc.log"
CC_PID=$STARTED_PID
"${PSQL[@]}" -c "create table ccs (id int, t text)" \
    -c "insert into ccs select i, repeat('x', 100) || i from generate_series(1, 10000) i" >/dev/null 2>&1
expect "column cache: a file over a quarter of the budget is not cached" "$(printf '5000|520001\n5000|520001')" \
    psql -X -At -p "$PORT_CC" -c "select count(*), sum(length(t)) from ccs where id > 5000" \
    -c "select count(*), sum(length(t)) from ccs where id > 5000"
kill -TERM "$CC_PID"
wait "$CC_PID"
if grep -qE "AddressSanitizer|LeakSanitizer|runtime error" "$TMP/server_cc.log"; then
    bad "column cache: server log has sanitizer reports" "$(grep -E -A12 'AddressSanitizer|LeakSanitizer|runtime error' "$TMP/server_cc.log")"
fi
