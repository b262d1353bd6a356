#!/usr/bin/env python3
"""session_test.py - raw-protocol checks of `tarn serve` sessions
(tests/server/run.sh): where COPY FROM STDIN stages its data, and the idle
timeouts set with SQL.

  session_test.py PORT LAKE_DIR SCRATCH_DIR

The server must run on LAKE_DIR with trust on loopback and no idle
timeouts in its config file.

COPY FROM STDIN stages the rows in the session's temp_directory (default
LAKE/.tarn_tmp), never in /tmp, and removes them after success, CopyFail,
and a client vanishing mid-COPY.  SET idle_session_timeout /
idle_in_transaction_session_timeout close the session with PostgreSQL's
FATAL 57P05 / 25P03, each only in its own state, only while waiting after
ReadyForQuery (not between Parse and Sync).  Prints "ok ..." / "FAIL ..."
lines, then "N passed, N failed"; exit 1 on a failure.
"""
import glob
import os
import socket
import struct
import sys
import time

from pgwire import fields, msg, read_msg, recv_exact  # noqa: F401

PORT = int(sys.argv[1])
LAKE = sys.argv[2]
SCRATCH = sys.argv[3]
passed = failed = 0


def check(cond, name, why=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name + (": " + why if why else ""))








def read_until(s, stops="Z"):
    got = []
    while True:
        t, body = read_msg(s)
        if t is None:
            return got
        got.append((t, body))
        if t in stops:
            return got




def session():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    body = struct.pack("!I", 196608) + b"user\0sess\0database\0lake\0\0"
    s.sendall(struct.pack("!I", len(body) + 4) + body)
    got = read_until(s)
    assert got and got[-1][0] == "Z", got
    return s


def query(s, sql):
    s.sendall(msg("Q", sql.encode() + b"\0"))
    return read_until(s, "ZG")


def error_of(got):
    errs = [fields(b) for t, b in got if t == "E"]
    return errs[0] if errs else {}


def staged(base):
    return glob.glob(os.path.join(base, "copy-stdin-*"))


def wait_gone(base, secs=5):
    t0 = time.time()
    while staged(base) and time.time() - t0 < secs:
        time.sleep(0.05)
    return not staged(base)


def test_copy_staging():
    s = session()
    query(s, "create table stage_t(a int, b text)")
    default_tmp = os.path.join(LAKE, ".tarn_tmp")
    before_tmp = set(glob.glob("/tmp/tarn-copy-*"))
    got = query(s, "copy stage_t from stdin")
    check(got and got[-1][0] == "G", "COPY FROM STDIN: CopyInResponse", repr(got[:1]))
    s.sendall(msg("d", b"1\tone\n2\t\\N\n"))
    time.sleep(0.3)
    files = staged(default_tmp)
    check(len(files) == 1 and os.path.exists(os.path.join(files[0], "data.csv")),
          "COPY data is staged in LAKE/.tarn_tmp by default", repr(files))
    check(set(glob.glob("/tmp/tarn-copy-*")) == before_tmp, "... and not in /tmp")
    s.sendall(msg("c"))
    got = read_until(s)
    tags = [b for t, b in got if t == "C"]
    check(tags == [b"COPY 2\0"], "CopyDone loads the rows", repr(got))
    check(wait_gone(default_tmp), "the staged file is removed after the load")

    mine = os.path.join(SCRATCH, "it's tmp")
    got = query(s, "set temp_directory = '%s'" % mine.replace("'", "''"))
    check(not error_of(got), "SET temp_directory", repr(error_of(got)))
    got = query(s, "copy stage_t from stdin with (format csv)")
    s.sendall(msg("d", b"3,three\n"))
    time.sleep(0.3)
    check(len(staged(mine)) == 1 and not staged(default_tmp),
          "COPY stages in the session's temp_directory (created if missing)", repr(staged(mine)))
    s.sendall(msg("c"))
    got = read_until(s)
    check([b for t, b in got if t == "C"] == [b"COPY 1\0"], "a temp_directory with a quote in its name works",
          repr(got))
    check(wait_gone(mine), "... and is cleaned")

    query(s, "copy stage_t from stdin")
    s.sendall(msg("d", b"4\tfour\n"))
    s.sendall(msg("f", b"changed my mind\0"))
    got = read_until(s)
    err = error_of(got)
    check(err.get("C") == "57014" and "changed my mind" in err.get("M", ""), "CopyFail: 57014", repr(err))
    check(wait_gone(mine), "CopyFail removes the staged file")
    got = query(s, "select count(*) from stage_t")
    check([b for t, b in got if t == "D"] == [struct.pack("!HI", 1, 1) + b"3"], "CopyFail inserts nothing", repr(got))
    s.close()

    s = session()
    query(s, "set temp_directory = '%s'" % mine.replace("'", "''"))
    query(s, "copy stage_t from stdin")
    s.sendall(msg("d", b"5\tfive\n" * 1000))
    time.sleep(0.3)
    check(len(staged(mine)) == 1, "a second COPY is staged", repr(staged(mine)))
    s.close()
    check(wait_gone(mine), "a client vanishing mid-COPY leaves no staged file behind")


def wait_fatal(s, secs=6):
    t0 = time.time()
    s.settimeout(secs)
    got = read_until(s, "E")
    return error_of(got), time.time() - t0, got


def test_idle_session():
    s = session()
    got = query(s, "set idle_session_timeout = '500ms'")
    check(not error_of(got), "SET idle_session_timeout = '500ms'", repr(got))
    err, took, got = wait_fatal(s)
    check(err.get("S") == "FATAL" and err.get("C") == "57P05" and
          err.get("M") == "terminating connection due to idle-session timeout" and 0.3 < took < 3,
          "SET idle_session_timeout closes an idle session with FATAL 57P05", "%r after %.1f s" % (err, took))
    check(recv_exact(s, 1) == b"", "... and the connection")
    s.close()


def test_idle_session_not_in_block():
    s = session()
    query(s, "set idle_session_timeout = '300ms'")
    got = query(s, "begin")
    check(got[-1] == ("Z", b"T"), "BEGIN", repr(got))
    time.sleep(0.9)
    got = query(s, "select 1")
    check([b for t, b in got if t == "D"] == [struct.pack("!HI", 1, 1) + b"1"],
          "idle_session_timeout does not apply inside a transaction block", repr(got))
    query(s, "commit")
    err, took, _ = wait_fatal(s)
    check(err.get("C") == "57P05" and took < 3, "... and applies again after COMMIT", repr(err))
    s.close()


def test_idle_in_transaction():
    s = session()
    got = query(s, "set idle_in_transaction_session_timeout = '400ms'")
    check(not error_of(got), "SET idle_in_transaction_session_timeout", repr(got))
    time.sleep(0.8)
    got = query(s, "begin")
    check(got and got[-1] == ("Z", b"T"), "idle_in_transaction_session_timeout does not apply outside a block",
          repr(got))
    err, took, _ = wait_fatal(s)
    check(err.get("S") == "FATAL" and err.get("C") == "25P03" and
          err.get("M") == "terminating connection due to idle-in-transaction timeout" and 0.2 < took < 3,
          "idle in a transaction block: FATAL 25P03", "%r after %.1f s" % (err, took))
    s.close()
    # a failed block ('E') is still a transaction block
    s = session()
    query(s, "set idle_in_transaction_session_timeout = '400ms'")
    query(s, "begin")
    got = query(s, "select 1/0")
    check(got and got[-1] == ("Z", b"E"), "an error inside the block: status E", repr(got[-1:]))
    err, took, _ = wait_fatal(s)
    check(err.get("C") == "25P03", "idle in a failed block: FATAL 25P03", repr(err))
    s.close()


def test_idle_extended_and_reset():
    s = session()
    query(s, "set idle_session_timeout = '300ms'")
    # between Parse and Sync the session is not idle
    s.sendall(msg("P", b"\0select 7\0\0\0"))
    time.sleep(0.9)
    s.sendall(msg("S"))
    got = read_until(s)
    check([t for t, _ in got] == ["1", "Z"], "no idle timeout between Parse and Sync", repr(got))
    err, took, _ = wait_fatal(s)
    check(err.get("C") == "57P05", "... but after ReadyForQuery", repr(err))
    s.close()
    s = session()
    query(s, "set idle_session_timeout = '300ms'")
    got = query(s, "reset idle_session_timeout")
    time.sleep(0.9)
    got = query(s, "show idle_session_timeout")
    check([b for t, b in got if t == "D"] == [struct.pack("!HI", 1, 1) + b"0"],
          "RESET idle_session_timeout: back to the server's (none)", repr(got))
    got = query(s, "set idle_session_timeout = 'soon'")
    err = error_of(got)
    check(err.get("C") == "22023" and err.get("M") == 'invalid value for parameter "idle_session_timeout": "soon"',
          "an invalid idle_session_timeout is 22023", repr(err))
    s.close()


for test in [test_copy_staging, test_idle_session, test_idle_session_not_in_block, test_idle_in_transaction,
             test_idle_extended_and_reset]:
    try:
        test()
    except Exception as e:  # a crash of one test is a failure, not the end
        check(False, test.__name__, repr(e))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
