#!/usr/bin/env python3
"""make_pgproto_seeds.py - writes the seed corpus of fuzz_pgproto
(tests/fuzz/corpus/pgproto/): startup-phase packets and frontend message
sequences as psql, libpq's extended protocol and pipelines send them.
The first byte of each seed is the target's selector byte (bit 0: starts
in the startup phase; bit 1: chunked delivery; bits 2-3: size limit).

    tests/fuzz/make_pgproto_seeds.py && git add tests/fuzz/corpus/pgproto
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "pgproto")


def cstr(s):
    return (s.encode() if isinstance(s, str) else s) + b"\0"


def msg(t, body=b""):
    return t.encode() + struct.pack("!I", len(body) + 4) + body


def startup(params, version=196608):
    body = struct.pack("!I", version) + b"".join(cstr(k) + cstr(v) for k, v in params.items()) + b"\0"
    return struct.pack("!I", len(body) + 4) + body


def parse(name, sql, oids=()):
    return msg("P", cstr(name) + cstr(sql) + struct.pack("!h", len(oids)) + b"".join(struct.pack("!I", o) for o in oids))


def bind(portal, stmt, values, pformats=(), rformats=()):
    body = cstr(portal) + cstr(stmt) + struct.pack("!h", len(pformats)) + b"".join(struct.pack("!h", f) for f in pformats)
    body += struct.pack("!h", len(values))
    for v in values:
        body += struct.pack("!i", -1) if v is None else struct.pack("!i", len(v)) + v
    return msg("B", body + struct.pack("!h", len(rformats)) + b"".join(struct.pack("!h", f) for f in rformats))


def execute(portal, n=0):
    return msg("E", cstr(portal) + struct.pack("!i", n))


S = msg("S")
seeds = {
    "startup_psql": b"\x01" + startup({"user": "u", "database": "lake", "application_name": "psql",
                                       "client_encoding": "UTF8"}),
    "startup_options": b"\x03" + startup({"user": "u", "options": "-c search_path=a --DateStyle=ISO"}),
    "ssl_request": b"\x01" + struct.pack("!II", 8, 80877103),
    "gss_request": b"\x01" + struct.pack("!II", 8, 80877104),
    "cancel": b"\x01" + struct.pack("!IIII", 16, 80877102, 1234, 5678),
    "proto_31": b"\x01" + startup({"user": "u", "_pq_.x": "1"}, 196609),
    "simple": b"\x00" + msg("Q", cstr("select 1; select 'a', 2.50::numeric")) + msg("X"),
    "numeric_query": b"\x00" + msg("Q", cstr("-123456.000100")),
    "extended": b"\x02" + parse("s1", "select $1::int + $2", (23, 0)) + msg("D", b"S" + cstr("s1")) +
                bind("", "s1", [b"41", None], (), (1,)) + msg("D", b"P\0") + execute("", 2) + msg("H") + S +
                msg("C", b"S" + cstr("s1")) + S,
    "binary_params": b"\x00" + parse("", "select $1, $2, $3, $4, $5, $6") +
                     bind("", "", [struct.pack("!i", 1), b"\x17" + b"\0" * 7, b"\x01", b"\x02\x00\x01\x00\x40\x00\x00\x01\x00\x0c\x13\x88",
                                   b"\x06\x00\x00\x22\x79", os.urandom(0) + b"\x0e" + b"\x11" * 15], (1,), (1, 0)) +
                     execute("") + S,
    "pipeline": b"\x02" + b"".join(parse("", "select $1::int") + bind("", "", [str(i).encode()]) + execute("")
                                    for i in range(3)) + S,
    "bad_lengths": b"\x08" + msg("Q", cstr("select 1")) + b"Q\x00\x00\x00\x02",
    "huge_claim": b"\x00" + b"Q" + struct.pack("!I", 0x40000000) + b"select",
    "copy_msgs": b"\x00" + msg("d", b"1\t2\n") + msg("c") + msg("f", cstr("oops")),
    "copy_text": b"\x00" + msg("d", b"\x00\x011\ta\\tb\\101\\x41\n2\t\\N\n3\tq\"x\\\\y\r\n\\.\n"),
}
os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print(f"wrote {len(seeds)} seeds to {OUT}")
