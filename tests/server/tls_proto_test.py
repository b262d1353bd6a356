#!/usr/bin/env python3
"""tls_proto_test.py - raw-socket and Python-ssl checks of `tarn serve` with
TLS on (tests/server/tls_test.sh).  The server must have ssl = on,
ssl_required = on, trust authentication and the given
authentication_timeout.

  tls_proto_test.py PORT CA_FILE AUTH_TIMEOUT_S

Checks: a full session with Python's own TLS stack (a second, independent
client implementation); an SSLRequest inside TLS is refused like an unknown
protocol version; bytes pipelined behind the SSLRequest are refused;
garbage after 'S', a stalled handshake and a client vanishing mid-handshake
end only their own connection; GSSENCRequest is still answered 'N'.
Prints "ok ..." / "FAIL ..." lines, then "N passed, N failed"; exit 1 on a
failure.
"""
import socket
import ssl
import struct
import sys
import time

import pgwire
from pgwire import fields, read_msg, recv_exact  # noqa: F401

PORT = int(sys.argv[1])
CA = sys.argv[2]
AUTH_TIMEOUT = float(sys.argv[3])
SSL_REQUEST = struct.pack("!II", 8, 80877103)
GSSENC_REQUEST = struct.pack("!II", 8, 80877104)
passed = failed = 0


def check(cond, name, why=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name + (": " + why if why else ""))


def conn():
    return socket.create_connection(("127.0.0.1", PORT), timeout=10)


def startup_packet(params=None):
    return pgwire.startup_packet(params or {"user": "pytls", "database": "lake"})






def read_until(s, stop="Z"):
    got = []
    while True:
        t, body = read_msg(s)
        if t is None:
            return got
        got.append((t, body))
        if t == stop or t == "E" and body[:1] == b"S" and b"FATAL" in body[:7]:
            return got




def tls_wrap(s):
    ctx = ssl.create_default_context(cafile=CA)
    ctx.check_hostname = False
    return ctx.wrap_socket(s, server_hostname="localhost")


def alive():
    """A fresh TLS session still gets a query answered."""
    s = conn()
    s.sendall(SSL_REQUEST)
    if recv_exact(s, 1) != b"S":
        return False
    t = tls_wrap(s)
    t.sendall(startup_packet())
    got = read_until(t)
    if not got or got[-1][0] != "Z":
        return False
    q = b"select 41 + 1\0"
    t.sendall(b"Q" + struct.pack("!I", len(q) + 4) + q)
    got = read_until(t)
    t.close()
    rows = [b for ty, b in got if ty == "D"]
    return rows == [struct.pack("!HI", 1, 2) + b"42"]


def test_python_client():
    s = conn()
    s.sendall(SSL_REQUEST)
    check(recv_exact(s, 1) == b"S", "SSLRequest answered S when a certificate is configured")
    t = tls_wrap(s)
    check(t.version() in ("TLSv1.2", "TLSv1.3"), "Python's ssl module completes the handshake", str(t.version()))
    t.sendall(startup_packet())
    got = read_until(t)
    check(got and got[0][0] == "R" and got[-1][0] == "Z", "startup over TLS", repr(got[:2]))
    # a result larger than one TLS record, read back through SSL
    q = b"select repeat('x', 100000) || 'end'\0"
    t.sendall(b"Q" + struct.pack("!I", len(q) + 4) + q)
    got = read_until(t)
    rows = [b for ty, b in got if ty == "D"]
    check(len(rows) == 1 and rows[0].endswith(b"xend") and len(rows[0]) == 6 + 100003,
          "a 100 kB row over TLS", repr([ty for ty, _ in got]))
    # a message split across many small TLS records
    q = b"select length('" + b"y" * 50000 + b"')\0"
    frame = b"Q" + struct.pack("!I", len(q) + 4) + q
    for i in range(0, len(frame), 1000):
        t.sendall(frame[i:i + 1000])
    got = read_until(t)
    rows = [b for ty, b in got if ty == "D"]
    check(rows == [struct.pack("!HI", 1, 5) + b"50000"], "a query sent in 51 TLS records", repr(got[:3]))
    t.sendall(b"X\0\0\0\4")
    t.close()


def test_ssl_request_inside_tls():
    s = conn()
    s.sendall(SSL_REQUEST)
    recv_exact(s, 1)
    t = tls_wrap(s)
    t.sendall(SSL_REQUEST)
    got = read_until(t)
    err = fields(got[-1][1]) if got and got[-1][0] == "E" else {}
    check(err.get("C") == "0A000" and "1234.5679" in err.get("M", ""),
          "SSLRequest inside TLS: FATAL 0A000 unsupported frontend protocol", repr(err))
    t.close()


def test_pipelined_after_ssl_request():
    s = conn()
    s.sendall(SSL_REQUEST + startup_packet())
    got = read_until(s)
    err = fields(got[-1][1]) if got and got[-1][0] == "E" else {}
    check(err.get("C") == "08P01" and "unencrypted data after SSL request" in err.get("M", ""),
          "bytes pipelined behind an SSLRequest are refused before 'S'", repr(got[:1]))
    s.close()


def test_gssenc():
    s = conn()
    s.sendall(GSSENC_REQUEST)
    check(recv_exact(s, 1) == b"N", "GSSENCRequest still answered N")
    s.close()


def test_garbage_after_s():
    s = conn()
    s.sendall(SSL_REQUEST)
    recv_exact(s, 1)
    s.sendall(b"\x00\x00\x00\x08\x04\xd2\x16\x2f" + b"garbage, not a TLS ClientHello" * 10)
    t0 = time.time()
    try:
        rest = s.recv(4096)
        while rest and time.time() - t0 < 10:
            rest = s.recv(4096)  # a TLS alert, then the end
        closed = True
    except (ConnectionResetError, socket.timeout):
        closed = not isinstance(sys.exc_info()[1], socket.timeout)
    check(closed and time.time() - t0 < 5, "garbage after 'S': the connection is closed at once")
    s.close()
    check(alive(), "the server still serves after a garbage handshake")


def test_vanish_mid_handshake():
    s = conn()
    s.sendall(SSL_REQUEST)
    recv_exact(s, 1)
    # the first bytes of a TLS record header, then gone
    s.sendall(b"\x16\x03\x01\x02\x00\x01")
    s.close()
    check(alive(), "a client vanishing mid-handshake does not hurt the server")


def test_vanish_during_query():
    """The watchdog sees a TLS client hang up (POLLRDHUP on the raw socket)
    and cancels its statement; tls_test.sh checks the log line."""
    s = conn()
    s.sendall(SSL_REQUEST)
    recv_exact(s, 1)
    t = tls_wrap(s)
    t.sendall(startup_packet({"user": "vanisher", "database": "lake"}))
    read_until(t)
    q = b"select count(*) from generate_series(1, 100000000000)\0"
    t.sendall(b"Q" + struct.pack("!I", len(q) + 4) + q)
    time.sleep(0.3)
    t.close()
    time.sleep(0.5)
    check(alive(), "a TLS client vanishing during a query: the server goes on")


def test_stalled_handshake():
    s = conn()
    s.sendall(SSL_REQUEST)
    recv_exact(s, 1)
    stalled = conn()
    stalled.sendall(SSL_REQUEST)
    recv_exact(stalled, 1)
    check(alive(), "other clients are served while a handshake stalls")
    t0 = time.time()
    s.settimeout(AUTH_TIMEOUT + 10)
    try:
        data = s.recv(4096)
    except ConnectionResetError:
        data = b""
    took = time.time() - t0
    check(data == b"" and AUTH_TIMEOUT - 1 < took < AUTH_TIMEOUT + 5,
          "a stalled handshake is closed after authentication_timeout", "took %.1f s, got %r" % (took, data[:20]))
    s.close()
    stalled.close()


for test in [test_python_client, test_ssl_request_inside_tls, test_pipelined_after_ssl_request, test_gssenc,
             test_garbage_after_s, test_vanish_mid_handshake, test_vanish_during_query, test_stalled_handshake]:
    try:
        test()
    except Exception as e:  # a crash of one test is a failure, not the end
        check(False, test.__name__, repr(e))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
