#!/usr/bin/python3
"""psycopg2_test.py - drives `tarn serve` with psycopg2 (Debian's
python3-psycopg2, which links libpq): parameters of every adapted Python
type, typed results, executemany / execute_values, server-side (named)
cursors over DECLARE / FETCH / MOVE / CLOSE, COPY through copy_expert /
copy_from / copy_to, errors as psycopg2.errors classes with their SQLSTATE,
notices, autocommit on and off, rollback.

Usage: psycopg2_test.py DSN [--pg]
With --pg the checks that describe tarn's documented differences from
PostgreSQL (forward-only cursors) are skipped, so that the expectations
themselves can be verified against a real PostgreSQL 15 server.
Prints "ok N - what" / "not ok N - what: why"; exit status 1 on a failure.
"""
import datetime
import decimal
import io
import sys

import psycopg2
import psycopg2.errors
import psycopg2.extensions as ext
import psycopg2.extras

DSN = sys.argv[1]
TARN = "--pg" not in sys.argv[2:]
n_test = n_fail = 0


def check(ok, what, why=""):
    global n_test, n_fail
    n_test += 1
    if ok:
        print(f"ok {n_test} - {what}")
    else:
        n_fail += 1
        print(f"not ok {n_test} - {what}: {why}")


def expect_error(cur, sql, cls, code, what, args=None, message=None):
    """sql must fail with psycopg2.errors class cls and SQLSTATE code."""
    try:
        cur.execute(sql, args)
    except psycopg2.Error as e:
        ok = isinstance(e, cls) and e.pgcode == code and (message is None or e.pgerror.startswith("ERROR:  " + message))
        check(ok, what, f"{type(e).__name__} {e.pgcode} {e.pgerror!r}")
        return e
    check(False, what, "no error")
    return None


UTC = datetime.timezone.utc
conn = psycopg2.connect(DSN, application_name="psycopg2_test")
check(conn.server_version >= 150000 and conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE,
      "connect: server_version and an idle session", f"{conn.server_version} {conn.info.transaction_status}")
conn.autocommit = True
cur = conn.cursor()
for t in ("py_t", "py_copy", "py_big"):
    cur.execute(f"drop table if exists {t}")
cur.execute("drop view if exists pv")
cur.execute("drop schema if exists psch")
del conn.notices[:]

# ---- parameters: psycopg2 adapts Python values into literals (simple protocol) -----------------------
cur.execute("select %s, %s, %s, %s, %s, %s",
            (42, -2.5, decimal.Decimal("12345678901234567890.125"), "it's ünïcode", None, True))
row = cur.fetchone()
check(row == (42, decimal.Decimal("-2.5"), decimal.Decimal("12345678901234567890.125"), "it's ünïcode", None, True),
      "parameters: int, float, Decimal, str with a quote, None, bool", repr(row))
check([d.type_code for d in cur.description] == [23, 1700, 1700, 25, 25, 16],
      "parameters: result type OIDs (int4, numeric, numeric, text, text, bool)", repr(cur.description))
cur.execute("select %s, %s, %s, %s", (datetime.date(2026, 1, 31), datetime.datetime(2026, 1, 31, 12, 30, 15, 250000),
                                    datetime.datetime(2026, 1, 31, 12, 30, tzinfo=UTC), datetime.time(23, 59, 58)))
row = cur.fetchone()
check(row == (datetime.date(2026, 1, 31), datetime.datetime(2026, 1, 31, 12, 30, 15, 250000),
              datetime.datetime(2026, 1, 31, 12, 30, tzinfo=UTC), datetime.time(23, 59, 58)),
      "parameters: date, timestamp, timestamptz, time", repr(row))
check(row[2].tzinfo is not None and row[2].utcoffset() == datetime.timedelta(0),
      "timestamptz comes back with tzinfo", repr(row[2]))
cur.execute("select %s, %s::bytea, length(%s)", (psycopg2.Binary(b"\x00\x01\xffab"), b"raw", b"\x00\x00\x00"))
row = cur.fetchone()
check(isinstance(row[0], memoryview) and bytes(row[0]) == b"\x00\x01\xffab" and bytes(row[1]) == b"raw" and row[2] == 3,
      "parameters: bytes as bytea (memoryview back)", repr(row))
cur.execute("select %s, %s, %s, cardinality(%s)", ([1, 2, None], ["a", "b c", None], [1.5, 2.25], [7, 8, 9]))
row = cur.fetchone()
check(row == ([1, 2, None], ["a", "b c", None], [decimal.Decimal("1.5"), decimal.Decimal("2.25")], 3),
      "parameters: lists as arrays (int[], text[], numeric[] back as lists)", repr(row))
check([d.type_code for d in cur.description] == [1007, 1009, 1231, 23], "array type OIDs", repr(cur.description))
cur.execute("select %(a)s + %(b)s as s, %(a)s as a", {"a": 5, "b": 7})
check(cur.fetchone() == (12, 5) and cur.description[0].name == "s", "named parameters %(name)s")
cur.execute("select %s::interval, %s", (datetime.timedelta(days=1, seconds=3661), datetime.timedelta(hours=-2)))
row = cur.fetchone()
check(row == (datetime.timedelta(days=1, seconds=3661), datetime.timedelta(hours=-2)), "parameters: interval", repr(row))
check(cur.mogrify("select %s, %s", ("a'b", None)) == b"select 'a''b', NULL", "mogrify quotes like libpq")

# ---- typed results from a table ---------------------------------------------------------------------------
cur.execute("""create table py_t (i int not null, b bigint, s smallint, n numeric(10,2), f float8, r real, t text,
               v varchar(10), ok boolean, d date, ts timestamp, tz timestamptz, by bytea)""")
check(cur.statusmessage == "CREATE TABLE", "CREATE TABLE tag", cur.statusmessage)
rows = [(1, 2 ** 40, 7, decimal.Decimal("1.50"), 0.25, 1.5, "one", "v1", True, datetime.date(2024, 2, 29),
         datetime.datetime(2024, 2, 29, 1, 2, 3), datetime.datetime(2024, 2, 29, 1, 2, 3, tzinfo=UTC), b"\x01"),
        (2, -1, -7, decimal.Decimal("-99999999.99"), -1e300, -0.5, "", "", False, datetime.date(1999, 12, 31),
         datetime.datetime(1999, 12, 31, 23, 59, 59, 999999), datetime.datetime(2000, 1, 1, tzinfo=UTC), b""),
        (3, None, None, None, None, None, None, None, None, None, None, None, None)]
cur.executemany("insert into py_t values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
check(cur.rowcount == 3, "executemany: rowcount sums the INSERTs", repr(cur.rowcount))
cur.execute("set time zone 'UTC'")
cur.execute("select * from py_t order by i")
got = cur.fetchall()
got = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in got]
check(got == rows, "typed results: int, bigint, smallint, Decimal, float, real, str, bool, date, datetimes, bytes",
      f"{got!r}\n    want {rows!r}")
check([d.type_code for d in cur.description] == [23, 20, 21, 1700, 701, 700, 25, 1043, 16, 1082, 1114, 1184, 17],
      "typed results: column type OIDs", repr([d.type_code for d in cur.description]))
check(tuple(cur.description[3])[3:6] == (10, 10, 2) and cur.description[7].internal_size == 10,
      "description: numeric(10,2) and varchar(10) typmods", repr([tuple(d) for d in cur.description]))
cur.execute("set time zone 'Asia/Kolkata'")
cur.execute("select tz from py_t where i = 1")
v = cur.fetchone()[0]
check(v == rows[0][11] and v.utcoffset() == datetime.timedelta(hours=5, minutes=30),
      "timestamptz in the session TimeZone: +05:30 offset, same instant", repr(v))
cur.execute("set time zone 'UTC'")
psycopg2.extras.execute_values(cur, "insert into py_t (i, t) values %s", [(10, "x"), (11, "y"), (12, None)])
cur.execute("select count(*), count(t), max(i) from py_t where i >= 10")
check(cur.fetchone() == (3, 2, 12), "execute_values: one multi-row INSERT")
cur.execute("update py_t set t = %s where i > %s", ("upd", 10))
check(cur.rowcount == 2 and cur.statusmessage == "UPDATE 2", "UPDATE rowcount and tag", cur.statusmessage)
cur.execute("delete from py_t where i >= %s", (10,))
check(cur.rowcount == 3, "DELETE rowcount", repr(cur.rowcount))
dc = conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor)
dc.execute("select i, t from py_t where i = %s", (1,))
check(dc.fetchone() == {"i": 1, "t": "one"}, "RealDictCursor: column names")
cur.execute("select 1 as x where false")
check(cur.fetchall() == [] and cur.rowcount == 0 and cur.description[0].name == "x", "empty result keeps its description")

# ---- errors: psycopg2.errors classes by SQLSTATE ------------------------------------------------------------
expect_error(cur, "select * from nosuch", psycopg2.errors.UndefinedTable, "42P01", "42P01 UndefinedTable",
             message='relation "nosuch" does not exist')
e = expect_error(cur, "select nocol from py_t", psycopg2.errors.UndefinedColumn, "42703", "42703 UndefinedColumn",
                 message='column "nocol" does not exist')
check(e is not None and e.diag.statement_position == "8", "diag.statement_position",
      repr(e and e.diag.statement_position))
expect_error(cur, "select 1 / (i - i) from py_t", psycopg2.errors.DivisionByZero, "22012", "22012 DivisionByZero")
e = expect_error(cur, "insert into py_t (i) values (%s)", psycopg2.errors.NotNullViolation, "23502", "23502 NotNullViolation",
                 args=(None,), message='null value in column "i" of relation "py_t" violates not-null constraint')
check(e is not None and e.diag.sqlstate == "23502" and e.diag.severity == "ERROR", "diag fields",
      repr(e and (e.diag.sqlstate, e.diag.severity)))
expect_error(cur, "selec 1", psycopg2.errors.SyntaxError, "42601", "42601 SyntaxError",
             message='syntax error at or near "selec"')
expect_error(cur, "select 1; selec 2", psycopg2.errors.SyntaxError, "42601", "42601 in the second statement of a query")
expect_error(cur, "select 'x'::int", psycopg2.errors.InvalidTextRepresentation, "22P02", "22P02 InvalidTextRepresentation")
expect_error(cur, "select %s::date", psycopg2.errors.DatetimeFieldOverflow, "22008", "22008 for a bad date",
             args=("2024-02-30",))
import threading
timer = threading.Timer(0.3, conn.cancel)
timer.start()
expect_error(cur, "select count(*) from generate_series(1, 10000000000)", psycopg2.errors.QueryCanceled, "57014",
             "conn.cancel() from another thread: 57014 QueryCanceled",
             message="canceling statement due to user request")
timer.join()
cur.execute("select 1")
check(cur.fetchone() == (1,), "the session goes on after errors and a cancel (autocommit)")

# ---- notices ---------------------------------------------------------------------------------------------------
del conn.notices[:]
cur.execute("drop table if exists nosuch")
cur.execute("drop view if exists nosuch, nosuch2")
cur.execute("drop schema if exists nosuch")
cur.execute("drop table if exists nosch.t")
cur.execute("create table if not exists py_t (a int)")
cur.execute("create schema if not exists public")
check(conn.notices == ['NOTICE:  table "nosuch" does not exist, skipping\n',
                       'NOTICE:  view "nosuch" does not exist, skipping\n',
                       'NOTICE:  view "nosuch2" does not exist, skipping\n',
                       'NOTICE:  schema "nosuch" does not exist, skipping\n',
                       'NOTICE:  schema "nosch" does not exist, skipping\n',
                       'NOTICE:  relation "py_t" already exists, skipping\n',
                       'NOTICE:  schema "public" already exists, skipping\n'],
      "NOTICEs of IF [NOT] EXISTS, worded as PostgreSQL does", repr(conn.notices))
del conn.notices[:]
cur.execute("create table if not exists py_t as select 1 as a")
check(cur.statusmessage == "CREATE TABLE AS" and conn.notices == ['NOTICE:  relation "py_t" already exists, skipping\n'],
      "CREATE TABLE AS IF NOT EXISTS: notice and tag", f"{cur.statusmessage} {conn.notices!r}")
del conn.notices[:]
cur.execute("alter table if exists nosuch add column x int")
cur.execute("alter table py_t add column if not exists t text")
cur.execute("alter table py_t drop column if exists nocol")
check(conn.notices == ['NOTICE:  relation "nosuch" does not exist, skipping\n',
                       'NOTICE:  column "t" of relation "py_t" already exists, skipping\n',
                       'NOTICE:  column "nocol" of relation "py_t" does not exist, skipping\n'],
      "NOTICEs of ALTER TABLE IF [NOT] EXISTS", repr(conn.notices))
del conn.notices[:]
cur.execute("commit")
check(conn.notices == ["WARNING:  there is no transaction in progress\n"], "WARNING 25P01 for COMMIT outside a block",
      repr(conn.notices))
del conn.notices[:]
cur.execute("set client_min_messages = warning")
cur.execute("drop table if exists nosuch")
cur.execute("reset client_min_messages")
check(conn.notices == [], "client_min_messages = warning hides NOTICEs", repr(conn.notices))
cur.execute("create view pv as select 1 as one")
del conn.notices[:]
cur.execute("drop view if exists pv")
check(conn.notices == [] and cur.statusmessage == "DROP VIEW", "no notice when the object exists")

# ---- transactions: autocommit off ---------------------------------------------------------------------------
conn.autocommit = False
cur = conn.cursor()
cur.execute("select count(*) from py_t")
check(conn.info.transaction_status == ext.TRANSACTION_STATUS_INTRANS, "autocommit off: BEGIN sent, status INTRANS",
      repr(conn.info.transaction_status))
conn.commit()
check(conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE, "commit(): status IDLE")
try:
    cur.execute("select * from nosuch")
except psycopg2.errors.UndefinedTable:
    pass
check(conn.info.transaction_status == ext.TRANSACTION_STATUS_INERROR, "an error inside the block: INERROR",
      repr(conn.info.transaction_status))
expect_error(cur, "select 1", psycopg2.errors.InFailedSqlTransaction, "25P02", "25P02 InFailedSqlTransaction",
             message="current transaction is aborted, commands ignored until end of transaction block")
conn.rollback()
check(conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE, "rollback(): status IDLE")
cur.execute("select 2")
check(cur.fetchone() == (2,), "after rollback() the session works")
conn.commit()
with conn:
    with conn.cursor() as c2:
        c2.execute("select 3")
        check(c2.fetchone() == (3,), "connection as a context manager")
check(conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE, "the with-block committed")

# ---- server-side (named) cursors: DECLARE / FETCH / MOVE / CLOSE -----------------------------------------------
cur.execute("create table py_big as select g as id, 'r' || g as name from generate_series(1, 20000) g")
conn.commit()
nc = conn.cursor("walk")
nc.execute("select id, name from py_big where id <= %s order by id", (10,))
check(nc.fetchone() == (1, "r1"), "named cursor: fetchone (FETCH FORWARD 1)")
check(nc.fetchmany(3) == [(2, "r2"), (3, "r3"), (4, "r4")], "named cursor: fetchmany(3)")
nc.scroll(2)
check(nc.fetchone() == (7, "r7"), "named cursor: scroll(2) (MOVE 2)")
nc.scroll(9, mode="absolute")
check(nc.fetchone() == (10, "r10"), "named cursor: scroll(9, 'absolute') (MOVE ABSOLUTE 9)")
check(nc.fetchall() == [], "named cursor: fetchall at the end")
check(nc.description[0].name == "id" and nc.description[1].type_code == 25, "named cursor: description",
      repr(nc.description))
nc.close()
nc = conn.cursor("stream")
nc.itersize = 1000
nc.execute("select id from py_big")
total = count = 0
for (i,) in nc:
    total += i
    count += 1
check(count == 20000 and total == 20000 * 20001 // 2, "named cursor: iteration in itersize batches over 20000 rows",
      f"{count} {total}")
nc.close()
conn.commit()
hc = conn.cursor("held", withhold=True)
hc.execute("select id from py_big where id <= 5 order by id")
check(hc.fetchmany(2) == [(1,), (2,)], "WITH HOLD cursor: first rows")
conn.commit()
check(hc.fetchall() == [(3,), (4,), (5,)], "WITH HOLD cursor survives COMMIT")
hc.close()
conn.commit()

conn.autocommit = True
cur = conn.cursor()
expect_error(cur, "declare c cursor for select 1", psycopg2.errors.NoActiveSqlTransaction, "25P01",
             "DECLARE outside a transaction block: 25P01", message="DECLARE CURSOR can only be used in transaction blocks")
cur.execute("begin")
cur.execute("declare c cursor for select g, g * 2 as d from generate_series(1, 5) g")
check(cur.statusmessage == "DECLARE CURSOR", "DECLARE CURSOR tag", cur.statusmessage)
cur.execute("fetch 2 from c")
check(cur.fetchall() == [(1, 2), (2, 4)] and cur.statusmessage == "FETCH 2", "FETCH 2: rows and tag", cur.statusmessage)
cur.execute("move forward 1 in c")
check(cur.statusmessage == "MOVE 1" and cur.description is None, "MOVE 1: tag, no rows", cur.statusmessage)
cur.execute("fetch next from c")
check(cur.fetchall() == [(4, 8)], "FETCH NEXT")
cur.execute("fetch all in c")
check(cur.fetchall() == [(5, 10)] and cur.statusmessage == "FETCH 1", "FETCH ALL", cur.statusmessage)
cur.execute("fetch c")
check(cur.fetchall() == [] and cur.statusmessage == "FETCH 0" and cur.description[1].name == "d",
      "FETCH at the end: FETCH 0 with a description", cur.statusmessage)
expect_error(cur, "declare c cursor for select 1", psycopg2.errors.DuplicateCursor, "42P03", "42P03 DuplicateCursor",
             message='cursor "c" already exists')
cur.execute("rollback")
cur.execute("begin")
cur.execute("declare a no scroll cursor for select g from generate_series(1, 5) g")
cur.execute("fetch absolute 2 from a")
check(cur.fetchall() == [(2,)], "FETCH ABSOLUTE 2")
cur.execute("fetch relative 2 from a")
check(cur.fetchall() == [(4,)], "FETCH RELATIVE 2")
cur.execute("move absolute 9 in a")
check(cur.statusmessage == "MOVE 0", "MOVE ABSOLUTE past the end: MOVE 0", cur.statusmessage)
expect_error(cur, "fetch prior from a", psycopg2.errors.ObjectNotInPrerequisiteState, "55000",
             "FETCH PRIOR on a NO SCROLL cursor: 55000", message="cursor can only scan forward")
cur.execute("rollback")
cur.execute("begin")
cur.execute("declare x cursor for select 1 as one")
cur.execute("declare y cursor for select 2 as two")
cur.execute("close x")
check(cur.statusmessage == "CLOSE CURSOR", "CLOSE tag", cur.statusmessage)
expect_error(cur, "fetch x", psycopg2.errors.InvalidCursorName, "34000", "FETCH from a closed cursor: 34000",
             message='cursor "x" does not exist')
cur.execute("rollback")
cur.execute("begin")
cur.execute("declare y cursor for select 2 as two")
cur.execute("close all")
check(cur.statusmessage == "CLOSE CURSOR ALL", "CLOSE ALL tag", cur.statusmessage)
cur.execute("declare z cursor for select 3")
cur.execute("commit")
expect_error(cur, "fetch z", psycopg2.errors.InvalidCursorName, "34000", "COMMIT closes cursors without HOLD")
expect_error(cur, "close nope", psycopg2.errors.InvalidCursorName, "34000", "CLOSE of an unknown cursor: 34000")
cur.execute("declare h cursor with hold for select g from generate_series(1, 3) g")
cur.execute("fetch 2 from h")
check(cur.fetchall() == [(1,), (2,)], "WITH HOLD outside a block")
cur.execute("select 'between'")
cur.execute("fetch h")
check(cur.fetchall() == [(3,)], "WITH HOLD cursor survives other statements")
cur.execute("close h")
cur.execute("begin")
expect_error(cur, "declare q cursor for select * from nosuch", psycopg2.errors.UndefinedTable, "42P01",
             "DECLARE of a bad query fails at DECLARE")
cur.execute("rollback")
cur.execute("begin")
cur.execute("declare bc binary cursor for select 258::int4 as i, 'ab'::text as t")
ext.register_type(ext.new_type((23,), "INT4_RAW", lambda v, c: v), cur)  # the bytes as sent
cur.execute("fetch bc")
row = cur.fetchone()
check(row == ("\x00\x00\x01\x02", "ab"), "BINARY cursor: rows in binary format", repr(row))
cur.execute("rollback")
if TARN:  # tarn's cursors are forward-only (docs/server.md)
    cur.execute("begin")
    expect_error(cur, "declare s scroll cursor for select 1", psycopg2.errors.FeatureNotSupported, "0A000",
                 "SCROLL cursors are refused with 0A000")
    cur.execute("rollback")
    cur.execute("begin")
    cur.execute("declare d cursor for select 1")
    expect_error(cur, "fetch backward 1 from d", psycopg2.errors.ObjectNotInPrerequisiteState, "55000",
                 "FETCH BACKWARD: 55000 (forward-only)")
    cur.execute("rollback")

# ---- COPY ------------------------------------------------------------------------------------------------------
cur.execute("create table py_copy (id int, name text, amount numeric(8,2))")
buf = io.StringIO("1,alpha,1.50\n2,\"b,c\",\n3,\"\",-2\n")
cur.copy_expert("copy py_copy from stdin with (format csv)", buf)
check(cur.rowcount == 3, "copy_expert FROM STDIN csv: rowcount", repr(cur.rowcount))
cur.copy_from(io.StringIO("4\ttab\\there\t4.25\n5\t\\N\t\\N\n"), "py_copy", columns=("id", "name", "amount"))
check(cur.rowcount == 2, "copy_from (text format, escapes, NULL)", repr(cur.rowcount))
out = io.StringIO()
cur.copy_to(out, "py_copy", sep="|", null="<null>")
check(sorted(out.getvalue().splitlines()) == ["1|alpha|1.50", "2|b,c|<null>", "3||-2.00", "4|tab\\there|4.25",
                                              "5|<null>|<null>"], "copy_to with sep and null", repr(out.getvalue()))
out = io.StringIO()
cur.copy_expert("copy (select id, name from py_copy where id <= 3 order by id) to stdout with (format csv, header)", out)
check(out.getvalue() == 'id,name\n1,alpha\n2,"b,c"\n3,""\n', "copy_expert TO STDOUT csv header", repr(out.getvalue()))
try:
    cur.copy_expert("copy py_copy from stdin with (format csv)", io.StringIO("x,y,z\n"))
    check(False, "COPY of a bad value fails", "no error")
except psycopg2.errors.InvalidTextRepresentation as e:
    check(e.pgcode == "22P02", "COPY of a bad value: 22P02", e.pgcode)
cur.execute("select count(*) from py_copy")
check(cur.fetchone() == (5,), "a failed COPY inserts nothing")
expect_error(cur, "copy nosuch from stdin", psycopg2.errors.UndefinedTable, "42P01", "COPY FROM STDIN of a missing table")

for t in ("py_t", "py_copy", "py_big"):
    cur.execute(f"drop table {t}")
conn.close()
check(conn.closed, "close")
print(f"psycopg2_test: {n_test} tests, {n_fail} failed")
sys.exit(1 if n_fail else 0)
