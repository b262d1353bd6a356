#!/usr/bin/env python3
"""tests/ingest_files/avro_logical.py OUT.avro - a deflate container file of
Avro logical types and complex types (uuid, time-millis, date,
timestamp-millis, duration, decimal, enum, a 3-branch union, map, record),
encoded here from the Avro 1.11 spec (libavro-c drops logical types)."""
import json, struct, sys, zlib
def zz(v):
    z = ((v << 1) ^ (v >> 63)) & ((1 << 64) - 1); out = bytearray()
    while z >= 0x80: out.append((z & 0x7F) | 0x80); z >>= 7
    out.append(z); return bytes(out)
def bs(b):
    b = b.encode() if isinstance(b, str) else b
    return zz(len(b)) + b
schema = {"type": "record", "name": "r", "fields": [
    {"name": "id", "type": "long"},
    {"name": "u", "type": {"type": "string", "logicalType": "uuid"}},
    {"name": "t", "type": {"type": "int", "logicalType": "time-millis"}},
    {"name": "d", "type": {"type": "int", "logicalType": "date"}},
    {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "dur", "type": {"type": "fixed", "name": "dur12", "size": 12, "logicalType": "duration"}},
    {"name": "amt", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
    {"name": "color", "type": {"type": "enum", "name": "C", "symbols": ["RED", "GREEN"]}},
    {"name": "opt", "type": ["null", "int", "string"]},
    {"name": "attrs", "type": {"type": "map", "values": "long"}},
    {"name": "inner", "type": {"type": "record", "name": "In", "fields": [{"name": "x", "type": "double"}]}}]}
sync = bytes(range(16))
blk = b""
rows = [(1, "0e5d7a36-6c40-4c5f-9c3a-6b3f1b7e9d10", 3723004, 19000, 1700000000123, (1, 2, 3000), -1234, 1, (1, 7)),
        (2, "00000000-0000-0000-0000-000000000001", 0, 0, 0, (0, 0, 0), 99, 0, (2, "s"))]
for (i, u, t, d, ts, dur, amt, col, opt) in rows:
    blk += zz(i) + bs(u) + zz(t) + zz(d) + zz(ts) + struct.pack("<III", *dur) + bs(amt.to_bytes(4, "big", signed=True)) + zz(col)
    blk += zz(opt[0]) + (zz(opt[1]) if opt[0] == 1 else bs(opt[1]))
    blk += (zz(1) + bs("k") + zz(i) + zz(0)) + struct.pack("<d", i / 2)
c = zlib.compressobj(6, zlib.DEFLATED, -15); data = c.compress(blk) + c.flush()
out = b"Obj\x01" + zz(2) + bs("avro.schema") + bs(json.dumps(schema)) + bs("avro.codec") + bs("deflate") + zz(0) + sync
out += zz(len(rows)) + zz(len(data)) + data + sync
open(sys.argv[1], "wb").write(out)
