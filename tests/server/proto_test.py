#!/usr/bin/env python3
"""proto_test.py - raw protocol 3.0 tests of `tarn serve` (tests/server/run.sh).

Speaks the wire protocol byte by byte over a socket: Execute row limits
and PortalSuspended, skip-till-Sync, Describe, Close, SSLRequest and
GSSENCRequest, NegotiateProtocolVersion, and hostile clients (garbage,
truncated and oversized messages, wrong order, unknown types, vanishing
mid-query, connection floods, slow startups).  After every hostile case
a normal session must still work.

    proto_test.py PORT MAX_CONNECTIONS AUTH_TIMEOUT_S SERVER_PID

Prints "ok N - what" / "not ok N - what: why"; exit 1 on a failure.
"""
import os
import socket
import struct
import sys
import time

PORT = int(sys.argv[1])
MAXCONN = int(sys.argv[2])
AUTH_TIMEOUT = float(sys.argv[3])
SERVER_PID = int(sys.argv[4])
n_test = 0
n_fail = 0


def check(ok, what, why=""):
    global n_test, n_fail
    n_test += 1
    if ok:
        print(f"ok {n_test} - {what}")
    else:
        n_fail += 1
        print(f"not ok {n_test} - {what}: {why}")
    sys.stdout.flush()


def conn(timeout=10):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=timeout)
    return s


def cstr(x):
    return x.encode() + b"\0"


def startup_packet(params=None, version=196608):
    params = params or {"user": "proto", "database": "lake"}
    body = struct.pack("!I", version) + b"".join(cstr(k) + cstr(v) for k, v in params.items()) + b"\0"
    return struct.pack("!I", len(body) + 4) + body


def msg(t, body=b""):
    return t.encode() + struct.pack("!I", len(body) + 4) + body


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed")
        buf += chunk
    return buf


def read_msg(s):
    hdr = recv_exact(s, 5)
    t = chr(hdr[0])
    n = struct.unpack("!I", hdr[1:])[0]
    return t, recv_exact(s, n - 4)


def fields(body):
    """ErrorResponse / NoticeResponse fields as a dict."""
    out = {}
    for part in body.split(b"\0"):
        if part:
            out[chr(part[0])] = part[1:].decode()
    return out


def read_until(s, stop="Z"):
    got = []
    while True:
        t, b = read_msg(s)
        got.append((t, b))
        if t == stop:
            return got


def login(params=None):
    s = conn()
    s.sendall(startup_packet(params))
    got = read_until(s)
    types = [t for t, _ in got]
    assert types[0] == "R" and "K" in types, f"bad login: {got}"
    return s, got


def closed_after_error(s):
    """Reads until close; returns the ErrorResponse fields seen (or {})."""
    err = {}
    try:
        while True:
            t, b = read_msg(s)
            if t == "E":
                err = fields(b)
    except (EOFError, ConnectionResetError, socket.timeout):
        pass
    return err


def simple(s, sql):
    s.sendall(msg("Q", cstr(sql)))
    return read_until(s)


def still_serving(what):
    try:
        s, _ = login()
        got = simple(s, "select 40 + 2")
        rows = [b for t, b in got if t == "D"]
        ok = len(rows) == 1 and rows[0].endswith(b"42")
        s.sendall(msg("X"))
        s.close()
        check(ok, f"server still serves after {what}", repr(got))
    except Exception as e:  # noqa: BLE001
        check(False, f"server still serves after {what}", repr(e))


def parse(name, sql, oids=()):
    return msg("P", cstr(name) + cstr(sql) + struct.pack("!h", len(oids)) + b"".join(struct.pack("!I", o) for o in oids))


def bind(portal, stmt, values=(), rformats=()):
    body = cstr(portal) + cstr(stmt) + struct.pack("!h", 0) + struct.pack("!h", len(values))
    for v in values:
        if v is None:
            body += struct.pack("!i", -1)
        else:
            body += struct.pack("!i", len(v)) + v
    body += struct.pack("!h", len(rformats)) + b"".join(struct.pack("!h", f) for f in rformats)
    return msg("B", body)


def execute(portal, max_rows=0):
    return msg("E", cstr(portal) + struct.pack("!i", max_rows))


def describe(kind, name):
    return msg("D", kind.encode() + cstr(name))


SYNC = msg("S")


# ---- normal protocol -----------------------------------------------------------------------

def test_row_limits():
    s, _ = login()
    s.sendall(parse("", "select i from generate_series(1, 5) i") + bind("p1", "") + execute("p1", 2) + msg("H"))
    got = [read_msg(s) for _ in range(5)]
    types = "".join(t for t, _ in got)
    check(types == "12DDs", "Execute with max_rows 2: two DataRows then PortalSuspended", types)
    s.sendall(execute("p1", 2) + execute("p1", 2) + SYNC)
    got = read_until(s)
    types = "".join(t for t, _ in got)
    tags = [b for t, b in got if t == "C"]
    check(types == "DDsDCZ" and tags == [b"SELECT 1\0"], "resumed portal: rest of the rows, tag counts this Execute",
          f"{types} {tags}")
    rows = [b for t, b in got if t == "D"]
    check(rows[-1].endswith(b"5"), "rows arrive in order", repr(rows))
    # Describe statement and portal
    s.sendall(parse("st", "select $1::int as n, 'x'::text as t") + describe("S", "st") +
              bind("", "st", [b"7"], [1, 0]) + describe("P", "") + execute("") + SYNC)
    got = read_until(s)
    types = "".join(t for t, _ in got)
    check(types == "1tT2TDCZ", "Parse/Describe S/Bind/Describe P/Execute/Sync sequence", types)
    pdesc = [b for t, b in got if t == "t"][0]
    check(pdesc == struct.pack("!hI", 1, 23), "ParameterDescription: int4", repr(pdesc))
    rowdesc = [b for t, b in got if t == "T"][1]
    # second field's format code is text (0), first binary (1)
    n = struct.unpack("!h", rowdesc[:2])[0]
    p = 2
    fmts, oids = [], []
    for _ in range(n):
        e = rowdesc.index(b"\0", p)
        p = e + 1
        _tbl, _att, oid, _len, _mod, fmt = struct.unpack("!IhIhih", rowdesc[p:p + 18])
        p += 18
        fmts.append(fmt)
        oids.append(oid)
    check(fmts == [1, 0] and oids == [23, 25], "portal RowDescription carries the result formats", f"{fmts} {oids}")
    drow = [b for t, b in got if t == "D"][0]
    check(drow == struct.pack("!hi", 2, 4) + struct.pack("!i", 7) + struct.pack("!i", 1) + b"x",
          "DataRow: binary int4 and text", repr(drow))
    # Close statement, then Bind to it fails with 26000; skip till Sync
    s.sendall(msg("C", b"S" + cstr("st")) + bind("", "st") + execute("") + msg("Q", cstr("select 1")) + SYNC)
    got = read_until(s)
    types = "".join(t for t, _ in got)
    err = fields([b for t, b in got if t == "E"][0]) if "E" in types else {}
    check(types == "3EZ" and err.get("C") == "26000", "after an error everything until Sync is skipped",
          f"{types} {err}")
    # empty query through the extended protocol
    s.sendall(parse("", "") + bind("", "") + execute("") + SYNC)
    got = read_until(s)
    types = "".join(t for t, _ in got)
    check(types == "12IZ", "empty query in Parse: EmptyQueryResponse", types)
    # notice-free simple query with three statements
    got = simple(s, "select 1; select 2; select 3")
    types = "".join(t for t, _ in got)
    check(types == "TDCTDCTDCZ", "three statements in one Query", types)
    got = simple(s, "select 1; select 1/0; select 3")
    types = "".join(t for t, _ in got)
    check(types == "TDCEZ", "an error stops the rest of the Query", types)
    got = simple(s, "  ;  ")
    check("".join(t for t, _ in got) == "IZ", "Query of only ';' is empty", repr(got))
    got = simple(s, "select $1")
    err = fields([b for t, b in got if t == "E"][0]) if any(t == "E" for t, _ in got) else {}
    check(err.get("C") == "42P02", "parameter in a simple Query is 42P02", repr(err))
    s.sendall(msg("X"))
    s.close()


def test_ssl_gss():
    s = conn()
    s.sendall(struct.pack("!II", 8, 80877103))
    check(recv_exact(s, 1) == b"N", "SSLRequest answered N")
    s.sendall(startup_packet())
    got = read_until(s)
    check(got[0][0] == "R" and got[-1][0] == "Z", "startup after a refused SSLRequest", repr(got[:1]))
    s.close()
    s = conn()
    s.sendall(struct.pack("!II", 8, 80877104))
    check(recv_exact(s, 1) == b"N", "GSSENCRequest answered N")
    s.close()
    # data sent right behind the SSLRequest is refused (CVE-2021-23214)
    s = conn()
    s.sendall(struct.pack("!II", 8, 80877103) + startup_packet())
    err = closed_after_error(s)
    check(err.get("C") == "08P01", "bytes buffered after SSLRequest are refused", repr(err))


def test_negotiate():
    s = conn()
    s.sendall(startup_packet({"user": "u", "_pq_.unknown": "1"}, version=196609))
    got = read_until(s)
    v = [b for t, b in got if t == "v"]
    check(v and v[0] == struct.pack("!II", 196608, 1) + cstr("_pq_.unknown"),
          "protocol 3.1 and an unknown _pq_ option: NegotiateProtocolVersion", repr(got[:2]))
    s.close()
    s = conn()
    s.sendall(startup_packet({"user": "u"}, version=2 << 16))
    err = closed_after_error(s)
    check(err.get("C") == "0A000" and err.get("S") == "FATAL", "protocol 2.0 refused", repr(err))
    s = conn()
    s.sendall(startup_packet({"database": "x"}))
    err = closed_after_error(s)
    check(err.get("C") == "28000", "no user name: 28000", repr(err))
    s = conn()
    s.sendall(startup_packet({"user": "u", "client_encoding": "LATIN1"}))
    err = closed_after_error(s)
    check(err.get("C") == "22023", "unsupported client_encoding refused", repr(err))
    s = conn()
    s.sendall(startup_packet({"user": "u", "options": "-c search_path=myschema --application-name=optapp"}))
    got = read_until(s)
    ps = [b for t, b in got if t == "S"]
    check(cstr("application_name") + cstr("optapp") in ps, "options --application-name reported in ParameterStatus",
          repr(ps))
    got = simple(s, "show search_path")
    rows = [b for t, b in got if t == "D"]
    check(rows and b"myschema" in rows[0], "options -c search_path applied", repr(got))
    s.close()


# ---- hostile clients ---------------------------------------------------------------------------

def test_garbage():
    s = conn()
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    err = closed_after_error(s)
    check(err.get("C") == "08P01", "HTTP request instead of a startup packet: FATAL 08P01, closed", repr(err))
    still_serving("garbage")


def test_truncated():
    s = conn()
    s.sendall(struct.pack("!I", 100) + b"\0\3\0\0user\0")
    s.close()
    s, _ = login()
    s.sendall(b"Q" + struct.pack("!I", 50) + b"select")
    s.close()
    still_serving("truncated startup and Query messages")


def test_huge_length():
    s, _ = login()
    s.sendall(b"Q" + struct.pack("!I", 0x40000000) + b"select 1")
    err = closed_after_error(s)
    check(err.get("C") == "08P01" and err.get("M") == "invalid message length", "1 GB length claim: 08P01, closed",
          repr(err))
    s = conn()
    s.sendall(struct.pack("!I", 0x7fffffff) + b"\0\3\0\0")
    err = closed_after_error(s)
    check(err.get("C") == "08P01", "2 GB startup packet claim refused", repr(err))
    s, _ = login()
    s.sendall(b"Q" + struct.pack("!I", 2) + b"")
    err = closed_after_error(s)
    check(err.get("C") == "08P01", "length below 4 refused", repr(err))
    with open(f"/proc/{SERVER_PID}/status") as f:
        rss = [int(line.split()[1]) for line in f if line.startswith("VmRSS")][0]
    # AddressSanitizer's shadow memory and quarantine triple a process's RSS
    limit_kb = (1200 if os.environ.get("SAN") else 400) * 1024
    check(rss < limit_kb, "memory stays bounded after huge claims", f"VmRSS {rss} kB, limit {limit_kb} kB")
    still_serving("oversized length claims")


def test_wrong_order():
    s, _ = login()
    s.sendall(execute("nope") + SYNC)
    got = read_until(s)
    err = fields([b for t, b in got if t == "E"][0])
    check(err.get("C") == "34000", "Execute of an unknown portal: 34000", repr(err))
    s.sendall(describe("S", "nope") + SYNC)
    got = read_until(s)
    err = fields([b for t, b in got if t == "E"][0])
    check(err.get("C") == "26000", "Describe of an unknown statement: 26000", repr(err))
    s.sendall(parse("", "select $1::int") + bind("", "", []) + SYNC)
    got = read_until(s)
    err = fields([b for t, b in got if t == "E"][0])
    check(err.get("C") == "08P01" and "requires 1" in err.get("M", ""), "Bind with too few parameters: 08P01", repr(err))
    # malformed Bind body: claims 3 parameters, has none
    s.sendall(msg("B", b"\0\0\0\0\0\3") + SYNC)
    got = read_until(s)
    err = fields([b for t, b in got if t == "E"][0])
    check(err.get("C") == "08P01", "malformed Bind: 08P01 and the session lives", repr(err))
    got = simple(s, "select 'alive'")
    check(any(t == "D" for t, _ in got), "same session still answers", repr(got))
    s.sendall(msg("p", b"password\0"))
    err = closed_after_error(s)
    check(err.get("C") == "08P01", "unexpected message type: FATAL 08P01", repr(err))
    s, _ = login()
    s.sendall(b"z" + struct.pack("!I", 4))
    err = closed_after_error(s)
    check(err.get("C") == "08P01", "unknown message type: FATAL 08P01", repr(err))
    still_serving("messages in the wrong order")


def test_vanish():
    s, _ = login()
    s.sendall(msg("Q", cstr("select count(*) from generate_series(1, 10000000000)")))
    time.sleep(0.3)
    s.close()
    s, _ = login()
    s.sendall(parse("", "select i, repeat('y', 200) from generate_series(1, 3000000) i") + bind("", "") + execute(""))
    time.sleep(0.2)
    s.close()
    t0 = time.time()
    still_serving("clients vanishing mid-query")
    # the abandoned statements stop: the server goes back to idle CPU
    time.sleep(1.0)
    with open(f"/proc/{SERVER_PID}/stat") as f:
        a = f.read().split()
    time.sleep(1.0)
    with open(f"/proc/{SERVER_PID}/stat") as f:
        b = f.read().split()
    ticks = (int(b[13]) + int(b[14])) - (int(a[13]) + int(a[14]))
    check(ticks < 50, "abandoned statements stop (server CPU idle)", f"{ticks} ticks in 1 s, {time.time() - t0:.1f} s")


def test_flood():
    socks = []
    refused = 0
    for _ in range(MAXCONN + 5):
        s = conn()
        socks.append(s)
    time.sleep(0.3)
    errs = []
    for s in socks:
        s.settimeout(0.05)
        try:
            t, b = read_msg(s)
            if t == "E":
                errs.append(fields(b))
        except (socket.timeout, EOFError, ConnectionResetError):
            pass
    refused = sum(1 for e in errs if e.get("C") == "53300" and e.get("M") == "sorry, too many clients already")
    check(refused >= 5, "connection flood: extra connections get 53300", f"{refused} refused, {errs[:2]}")
    for s in socks:
        s.close()
    time.sleep(0.3)
    still_serving("a connection flood")


def test_slow_startup():
    s = conn(timeout=AUTH_TIMEOUT + 10)
    s.sendall(struct.pack("!I", 40))  # starts a startup packet, then stalls
    t0 = time.time()
    try:
        data = s.recv(100)
    except (ConnectionResetError, socket.timeout):
        data = b""
    took = time.time() - t0
    check(data == b"" and took < AUTH_TIMEOUT + 5, "stalled startup closed after authentication_timeout",
          f"{took:.1f} s, {data!r}")
    still_serving("a stalled startup")


def test_bad_cancel():
    s = conn()
    s.sendall(struct.pack("!IIII", 16, 80877102, 12345, 678))
    try:
        data = s.recv(10)
    except ConnectionResetError:
        data = b""
    check(data == b"", "CancelRequest with an unknown key: closed without an answer", repr(data))
    still_serving("a bogus CancelRequest")


def test_copy():
    s, _ = login()
    simple(s, "create table cp(a int, b text)")
    s.sendall(msg("Q", cstr("copy cp from stdin")))
    t, b = read_msg(s)
    check(t == "G" and b[:3] == b"\0\0\2", "COPY FROM STDIN: CopyInResponse with 2 text columns", repr((t, b)))
    # rows split across CopyData messages in the middle of a line
    s.sendall(msg("d", b"1\tone\n2\tt") + msg("d", b"wo\n3\t\\N\n") + msg("c"))
    got = read_until(s)
    tags = [b for t, b in got if t == "C"]
    check(tags == [b"COPY 3\0"], "COPY FROM STDIN: rows split across messages", repr(got))
    s.sendall(msg("Q", cstr("copy cp from stdin")))
    read_msg(s)
    s.sendall(msg("d", b"4\tfour\n") + msg("f", cstr("client gave up")))
    got = read_until(s)
    err = fields([b for t, b in got if t == "E"][0]) if any(t == "E" for t, _ in got) else {}
    check(err.get("C") == "57014" and err.get("M") == "COPY from stdin failed: client gave up",
          "CopyFail: 57014 and nothing inserted", repr(err))
    got = simple(s, "select count(*) from cp")
    check([b for t, b in got if t == "D"][0].endswith(b"3"), "CopyFail left the table as it was", repr(got))
    # extended protocol: COPY TO STDOUT through Execute
    s.sendall(parse("", "copy (select a, b from cp order by a) to stdout with (format csv)") + bind("", "") +
              execute("", 1) + SYNC)
    got = read_until(s)
    types = "".join(t for t, _ in got)
    rows = [b for t, b in got if t == "d"]
    check(types == "12HdddcCZ" and rows == [b"1,one\n", b"2,two\n", b"3,\n"],
          "extended COPY TO STDOUT: one CopyData per row, row limit ignored", f"{types} {rows}")
    # a bad row: the error names it, the session continues
    s.sendall(msg("Q", cstr("copy cp from stdin")))
    read_msg(s)
    s.sendall(msg("d", b"x\ty\n") + msg("c"))
    got = read_until(s)
    check(any(t == "E" for t, _ in got) and got[-1][0] == "Z", "COPY FROM with a bad value: ErrorResponse", repr(got))
    got = simple(s, "select count(*) from cp")
    check([b for t, b in got if t == "D"][0].endswith(b"3"), "a failed COPY inserts nothing", repr(got))
    s.close()
    # vanishing mid-COPY leaves no temporary files and the server serves on
    import glob
    before = set(glob.glob("/tmp/tarn-copy-*"))
    s, _ = login()
    s.sendall(msg("Q", cstr("copy cp from stdin")))
    read_msg(s)
    s.sendall(msg("d", b"5\tfive\n6\tsi"))
    time.sleep(0.2)
    s.close()
    time.sleep(0.5)
    left = set(glob.glob("/tmp/tarn-copy-*")) - before
    check(not left, "client vanishing mid-COPY: temporary files removed", repr(left))
    still_serving("a client vanishing mid-COPY")


for t in [test_copy, test_row_limits, test_ssl_gss, test_negotiate, test_garbage, test_truncated, test_huge_length,
          test_wrong_order, test_vanish, test_bad_cancel, test_flood, test_slow_startup]:
    try:
        t()
    except Exception as e:  # noqa: BLE001
        check(False, t.__name__, repr(e))

print(f"proto_test: {n_test} tests, {n_fail} failed")
sys.exit(1 if n_fail else 0)
