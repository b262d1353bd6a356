#!/usr/bin/python3
"""plan_cache_test.py - the simple-protocol plan cache (src/sql/plan_cache.c).

psycopg2 sends execute() as a simple Query with the literals in the text.
Every statement below runs on two sessions: one with the plan cache (the
default) and one with SET tarn.plan_cache = off.  Column names, type OIDs,
rows, SQLSTATEs, messages and error positions must be the same.  Each
shape runs with several literal sets, so the cached session serves the
later ones from the cache (checked with SHOW tarn.plan_cache_hits).  Some
answers are also compared with PostgreSQL 15's (literal positions in ORDER
BY / GROUP BY / DISTINCT ON, 0x10, negative literals).  Then: statements
that must not be cached, and tables changed by another process or by DDL
in the session (the cached entry must not serve the old description).

Usage: plan_cache_test.py DSN TARN_BIN LAKE
Prints "ok N - what" / "not ok N - what: why"; exit status 1 on a failure.
"""
import subprocess
import sys

import psycopg2

DSN, TARN, LAKE = sys.argv[1], sys.argv[2], sys.argv[3]
n_test = n_fail = 0


def check(ok, what, why=""):
    global n_test, n_fail
    n_test += 1
    if ok:
        print(f"ok {n_test} - {what}")
    else:
        n_fail += 1
        print(f"not ok {n_test} - {what}: {why}")


def connect(cache):
    c = psycopg2.connect(DSN)
    c.autocommit = True
    if not cache:
        c.cursor().execute("SET tarn.plan_cache = off")
    return c


def run(conn, sql):
    cur = conn.cursor()
    try:
        cur.execute(sql)
        desc = [(d.name, d.type_code) for d in cur.description] if cur.description else None
        rows = cur.fetchall() if cur.description else None
        return ("rows", desc, rows, cur.statusmessage)
    except psycopg2.Error as e:
        return ("error", e.pgcode, e.pgerror)


def hits(conn):
    cur = conn.cursor()
    cur.execute("SHOW tarn.plan_cache_hits")
    return int(cur.fetchone()[0])


def sh(sql):
    subprocess.run([TARN, "sql", "--lake", LAKE, "-c", sql], check=True, capture_output=True)


on, off = connect(True), connect(False)
setup = on.cursor()
for s in [
    "CREATE TABLE pc (id int, name text, amount numeric(12,2), big bigint, c char(4), v varchar(5), d date, f float8)",
    "INSERT INTO pc SELECT i, 'name ' || i, i * 1.25, i * 3000000000, 'c' || (i % 3), 'v' || i, "
    "date '2024-01-01' + i, i / 4.0 FROM generate_series(1, 300) i",
    "INSERT INTO pc VALUES (0, NULL, NULL, NULL, NULL, NULL, NULL, NULL), (-5, 'it''s', -1.50, -7, 'x', 'é€', NULL, -0.5)",
    "CREATE TABLE pc2 (id int, tag text)",
    "INSERT INTO pc2 VALUES (1, 'one'), (2, 'two'), (3, 'three'), (4, NULL)",
]:
    setup.execute(s)

# (shape, [literal sets]); the shape's {} are filled with the literals as written
SHAPES = [
    ("SELECT name, amount FROM pc WHERE id = {}", ["1", "42", "300", "301", "0", "2147483647"]),
    ("SELECT name, amount FROM pc WHERE id = {}", ["-5", "- 5", "+7"]),
    ("SELECT id FROM pc WHERE big = {}", ["3000000000", "9000000000", "123", "9223372036854775807", "9223372036854775808"]),
    ("SELECT id, name FROM pc WHERE name = {} ORDER BY id", ["'name 7'", "'it''s'", "''", "'nope'", "'name 1'"]),
    ("SELECT id FROM pc WHERE c = {} AND id < {} ORDER BY id", ["'c1', 10", "'c1  ', 10", "'x', 100", "'c2', 5"]),
    ("SELECT id FROM pc WHERE v = {}", ["'v7'", "'é€'", "'v7  '"]),
    ("SELECT id FROM pc WHERE d = {}", ["'2024-01-08'", "'2024-13-01'", "'Jan 9, 2024'", "'nonsense'"]),
    ("SELECT count(*) FROM pc WHERE id > {} AND id <= {}", ["10, 20", "0, 300", "200, 100", "-10, 0"]),
    ("SELECT id, amount * {} AS x FROM pc WHERE id IN ({}, {}, {}) ORDER BY id", ["2, 1, 2, 3", "-1, 5, 6, 700", "0, 0, 0, 0"]),
    ("SELECT {} AS a, {} AS b", ["1, 'x'", "2147483648, 'y'", "0, ''", "7, 'it''s'"]),
    ("SELECT {} + {} AS s", ["1, 2", "2147483647, 1", "2147483647, 2147483648"]),
    ("SELECT {}::int AS n", ["'12'", "' 13 '", "'1x'", "'99999999999'"]),
    ("SELECT id FROM pc ORDER BY {} LIMIT {}", ["1, 3", "2, 3", "id, 2"]),
    ("SELECT id, name FROM pc WHERE id < {} ORDER BY {} DESC LIMIT 3", ["5, 1", "5, 2", "5, 3"]),
    ("SELECT c, count(*) FROM pc WHERE id > {} GROUP BY {} ORDER BY 1", ["0, 1", "100, 1", "0, c"]),
    ("SELECT DISTINCT ON ({}) c, id FROM pc WHERE id > 0 ORDER BY c, id", ["1", "c"]),
    ("SELECT id FROM pc LIMIT {} OFFSET {}", ["2, 1", "0, 0", "3, 299", "-1, 0"]),
    ("SELECT name::varchar({}) AS n FROM pc WHERE id = 10", ["3", "20"]),
    ("SELECT {} AS x FROM pc2 WHERE id = 1", ["0x10", "1e3", ".5", "1.50", "12.", "1e-2"]),
    ("SELECT {} AS x", ["E'a\\\\b'", "E'it\\'s'", "$$dollar$$", "$t$in 'quotes' 1$t$", "U&'\\0041'", "B'101'", "X'1F'", "N'nat'"]),
    ("SELECT id /* 1 /* nested 2 */ 3 */ FROM pc WHERE id = {} -- 4\n", ["1", "2"]),
    ("SELECT \"id\" AS \"1\" FROM pc WHERE id = {}", ["3", "4"]),
    ("SELECT name FROM pc WHERE name LIKE {} ORDER BY id LIMIT 3", ["'name 1%'", "'%9'", "'it%'"]),
    ("SELECT t.tag, p.name FROM pc2 t JOIN pc p ON p.id = t.id WHERE t.id >= {} ORDER BY 1", ["1", "3", "5"]),
    ("SELECT id FROM pc WHERE id = (SELECT max(id) - {} FROM pc2)", ["0", "1"]),
    ("SELECT id / {} AS q FROM pc WHERE id = {}", ["2, 10", "0, 10", "0, 1000"]),
    ("SELECT nosuch FROM pc WHERE id = {}", ["1", "2"]),
    ("SELECT name FROM pc WHERE id = {} AND name = {} AND nosuch_{} = 1", ["1, 'é€€', 2", "2, 'x', 3"]),
    ("SELECT 'é€' AS u, {} AS x, 1/{} AS y", ["1, 1", "'€€', 0"]),
    ("SELECT array[{}, {}] AS a, row({}, {}) AS r", ["1, 2, 3, 'x'", "4, 5, 6, 'y'"]),
    ("SELECT CASE WHEN {} > 5 THEN 'big' ELSE 'small' END AS s, coalesce(NULL, {}) AS c", ["3, 4", "9, 10"]),
    ("SELECT {} = {} AS eq", ["'a', 'a'", "1, '1'"]),
    ("SELECT length({}) AS l, upper({}) AS u", ["'abc', 'x'", "'é€', 'y'"]),
    ("VALUES ({}, {}), ({}, {})", ["1, 'a', 2, 'b'", "3, 'c', 4, 'd'"]),
    ("SELECT x FROM generate_series({}, {}) x", ["1, 3", "5, 4"]),
    ("SELECT interval '1 day' * {} AS i, date '2024-01-01' + {} AS d", ["2, 3", "0, -1"]),
    ("SELECT $1", [""]),
    ("SELECT count(*), sum(id) FROM pc /* no literal */", ["", "", ""]),
    # one statement per message skips the split when its shape is cached; a ';' or a second statement
    ("SELECT id FROM pc WHERE id = {}", ["1", "2;", "3 ; ", "4; SELEC 1", "5; SELECT 6 AS six", "7;;", "8 -- c", "9; -- c"]),
]

for shape, sets in SHAPES:
    for lits in sets:
        n = shape.count("{}")
        args = [lits] if n == 1 else [x.strip() for x in lits.split(",")] if n else []
        sql = shape.format(*args) if n else shape
        a, b = run(on, sql), run(off, sql)
        check(a == b, f"same answer cached and uncached: {sql!r}", f"cached {a!r} vs uncached {b!r}")

# the cache served statements
h0 = hits(on)
for i in range(1, 6):
    run(on, f"SELECT name, amount FROM pc WHERE id = {i}")
check(hits(on) - h0 >= 4, "point reads with different literals are served by the cache", f"{hits(on) - h0} hits")
check(hits(off) == 0, "tarn.plan_cache = off serves nothing from the cache", f"{hits(off)} hits")

# answers PostgreSQL 15 gives (positions stay positions)
r = run(on, "SELECT id, name FROM pc WHERE id < 5 ORDER BY 2 DESC LIMIT 2")
check(r[2] == [(0, None), (4, "name 4")], "ORDER BY 2 orders by the second column", repr(r))
r = run(on, "SELECT id, name FROM pc WHERE id < 5 ORDER BY 1 DESC LIMIT 2")
check(r[2] == [(4, "name 4"), (3, "name 3")], "ORDER BY 1 after ORDER BY 2 (not a cached constant)", repr(r))
r = run(on, "SELECT id % 3 AS m, count(*) FROM pc WHERE id > 0 GROUP BY 1 ORDER BY 1")
check(r[2] == [(0, 100), (1, 100), (2, 100)], "GROUP BY 1 groups by the first column", repr(r))
r = run(on, "SELECT id % 4 AS m, count(*) FROM pc WHERE id > 0 GROUP BY 2 ORDER BY 1")
check(r[0] == "error" and r[1] == "42803", "GROUP BY 2 (an aggregate's position) after GROUP BY 1", repr(r))
r = run(on, "SELECT DISTINCT ON (1) id % 2 AS m, id FROM pc WHERE id > 0 ORDER BY 1, 2")
check(r[2] == [(0, 2), (1, 1)], "DISTINCT ON (1)", repr(r))
r = run(on, "SELECT -2147483648 AS m")
check(r[1] == [("m", 23)], "-2147483648 is an int4 constant", repr(r))
r = run(on, "SELECT 2147483648 AS m")
check(r[1] == [("m", 20)], "2147483648 is an int8 constant", repr(r))

# error positions point into the text as sent
r = run(on, "SELECT 'é€' AS u, 12345 AS x, nosuch FROM pc WHERE id = 1")
r2 = run(on, "SELECT 'é€' AS u, 123456789 AS x, nosuch FROM pc WHERE id = 1")
check(r[0] == "error" and r2[0] == "error" and r2 == run(off, "SELECT 'é€' AS u, 123456789 AS x, nosuch FROM pc WHERE id = 1"),
      "an error position after literals of another length", repr(r2))

# another process changes the table: the next statement sees the new description
def both(sql):
    a, b = run(on, sql), run(off, sql)
    check(a == b, f"same answer cached and uncached: {sql!r}", f"cached {a!r} vs uncached {b!r}")
    return a


both("SELECT * FROM pc2 WHERE id = 1")
both("SELECT * FROM pc2 WHERE id = 2")
sh("ALTER TABLE pc2 ADD COLUMN extra int")
r = both("SELECT * FROM pc2 WHERE id = 3")
check(r[1] == [("id", 23), ("tag", 25), ("extra", 23)] and r[2] == [(3, "three", None)],
      "a column added by another process shows up", repr(r))
both("SELECT * FROM pc2 WHERE id = 1")
both("SELECT * FROM pc2 WHERE id = 2")
sh("ALTER TABLE pc2 RENAME COLUMN tag TO label")
r = both("SELECT * FROM pc2 WHERE id = 3")
check(r[1] == [("id", 23), ("label", 25), ("extra", 23)] and r[2] == [(3, "three", None)],
      "a column renamed by another process", repr(r))
both("SELECT label FROM pc2 WHERE id = 1 AND extra IS NULL")
sh("ALTER TABLE pc2 DROP COLUMN extra")
r = both("SELECT label FROM pc2 WHERE id = 2 AND extra IS NULL")
check(r[0] == "error" and r[1] == "42703", "a column dropped by another process", repr(r))

# DDL and SET in the session
both("SELECT * FROM pc2 WHERE id = 1")
run(on, "CREATE SCHEMA pcs")
run(on, "CREATE TABLE pcs.pc2 (id int, z text)")
run(on, "INSERT INTO pcs.pc2 VALUES (1, 'shadow')")
run(on, "SET search_path = pcs, public")
r = run(on, "SELECT * FROM pc2 WHERE id = 1")
check(r[1] == [("id", 23), ("z", 25)] and r[2] == [(1, "shadow")], "search_path changed by SET", repr(r))
run(on, "RESET search_path")
r = both("SELECT * FROM pc2 WHERE id = 1")
check(r[1] == [("id", 23), ("label", 25)] and r[2] == [(1, "one")], "search_path reset", repr(r))
run(on, "CREATE VIEW pcv AS SELECT id, name FROM pc")
both("SELECT * FROM pcv WHERE id = 1")
both("SELECT * FROM pcv WHERE id = 2")
run(on, "CREATE OR REPLACE VIEW pcv AS SELECT id, name, amount FROM pc")
r = both("SELECT * FROM pcv WHERE id = 3")
check(r[1] == [("id", 23), ("name", 25), ("amount", 1700)], "a view replaced in the session", repr(r))

# more than the cache holds: still right
for i in range(80):
    r = run(on, f"SELECT {i} AS k{i} FROM pc WHERE id = {i}")
    if r[2] != [(i,)]:
        check(False, "80 shapes through a 64-entry cache", repr(r))
        break
else:
    check(True, "80 shapes through a 64-entry cache")

# ---- extended protocol: Parse reuses the parsed text (the description is made again each time) ----
import socket
import struct

from pgwire import cstr, msg, read_msg, startup_packet

dsn = dict(kv.split("=", 1) for kv in DSN.split())


def ext_connect():
    sock = socket.create_connection((dsn["host"], int(dsn["port"])))
    sock.sendall(startup_packet({"user": dsn["user"], "database": dsn["dbname"]}))
    while read_msg(sock)[0] not in ("Z", None):
        pass
    return sock


def ext_run(sock, sql, name="", params=(), describe=True, execute=True):
    """Parse (+ Describe statement) (+ Bind / Execute), Sync: (column names, rows, error)."""
    out = msg("P", cstr(name) + cstr(sql) + struct.pack("!H", 0))
    if describe:
        out += msg("D", b"S" + cstr(name))
    if execute:
        body = cstr("") + cstr(name) + struct.pack("!H", 0) + struct.pack("!H", len(params))
        for p in params:
            body += struct.pack("!i", len(p)) + p.encode()
        out += msg("B", body + struct.pack("!H", 0)) + msg("E", cstr("") + struct.pack("!I", 0))
    sock.sendall(out + msg("S"))
    cols, rows, err = None, [], None
    while True:
        t, body = read_msg(sock)
        if t in ("Z", None):
            return cols, rows, err
        if t == "T":
            n = struct.unpack("!H", body[:2])[0]
            pos, cols = 2, []
            for _ in range(n):
                e = body.index(b"\0", pos)
                cols.append(body[pos:e].decode())
                pos = e + 1 + 18
        elif t == "D":
            n = struct.unpack("!H", body[:2])[0]
            pos, row = 2, []
            for _ in range(n):
                ln = struct.unpack("!i", body[pos:pos + 4])[0]
                pos += 4
                row.append(None if ln < 0 else body[pos:pos + ln].decode())
                pos += max(ln, 0)
            rows.append(tuple(row))
        elif t == "E":
            err = dict((f[:1].decode(), f[1:].decode()) for f in body.split(b"\0") if f)


setup.execute("CREATE TABLE pce (id int, v text)")
setup.execute("INSERT INTO pce VALUES (1, 'a'), (2, 'b')")
sock = ext_connect()
q = "SELECT * FROM pce WHERE id = $1"
r1 = ext_run(sock, q, params=("1",))
r2 = ext_run(sock, q, params=("2",))
check(r1[:2] == (["id", "v"], [("1", "a")]) and r2[:2] == (["id", "v"], [("2", "b")]), "extended: Parse of the same text twice", repr((r1, r2)))
sh("ALTER TABLE pce ADD COLUMN w int")
r3 = ext_run(sock, q, params=("2",))
check(r3[:2] == (["id", "v", "w"], [("2", "b", None)]), "extended: a column added by another process, same text", repr(r3))
r4 = ext_run(sock, "SELECT v FROM pce WHERE id = $1 AND nosuch = 1", params=("1",))
r5 = ext_run(sock, "SELECT v FROM pce WHERE id = $1 AND nosuch = 1", params=("1",))
check(r4[2] and r4[2].get("C") == "42703" and r4[2] == r5[2], "extended: the same bind error (and position) twice", repr((r4, r5)))
r6 = ext_run(sock, "SELECT 1; SELECT 2")
r7 = ext_run(sock, "SELECT 1; SELECT 2")
check(r6[2] and r6[2].get("C") == "42601" and r6 == r7, "extended: two commands are refused each time", repr(r6))
# named statements outlive their texts' cache entries (64): still run after 80 other texts
ext_run(sock, "SELECT v FROM pce WHERE id = $1", name="keep", execute=False)
for i in range(80):
    ext_run(sock, f"SELECT v, {i} AS k FROM pce WHERE id = $1", params=("1",))
body = cstr("") + cstr("keep") + struct.pack("!HH", 0, 1) + struct.pack("!i", 1) + b"2" + struct.pack("!H", 0)
sock.sendall(msg("B", body) + msg("E", cstr("") + struct.pack("!I", 0)) + msg("S"))
got = []
while True:
    t, b = read_msg(sock)
    if t in ("Z", None):
        break
    got.append(t)
check(got == ["2", "D", "C"], "extended: a named statement after its text left the cache", repr(got))
sock.close()

print(f"{n_test - n_fail} of {n_test} plan cache checks passed")
sys.exit(1 if n_fail else 0)
