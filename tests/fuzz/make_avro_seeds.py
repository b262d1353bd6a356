#!/usr/bin/env python3
"""tests/fuzz/make_avro_seeds.py - writes the seed corpus of fuzz_avro.c
(tests/fuzz/corpus/avro/): datums for each built-in schema, container files
in each codec, and schemas, encoded here from the Avro 1.11 spec."""
import json, os, struct, sys, zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "avro")

def zz(v):
    z = (v << 1) ^ (v >> 63)
    z &= (1 << 64) - 1
    out = bytearray()
    while z >= 0x80:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)

def bs(b):
    if isinstance(b, str):
        b = b.encode()
    return zz(len(b)) + b

def save(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)

os.makedirs(OUT, exist_ok=True)
# mode 0, schema 0: a long, nullable string, double, boolean, bytes
d0 = zz(-42) + zz(1) + bs("héllo") + struct.pack("<d", 2.5) + b"\x01" + bs(b"\x00\xff")
d0b = zz(7) + zz(0) + struct.pack("<d", -0.0) + b"\x00" + bs(b"")
save("datum-s0", b"\x00\x00" + d0 + d0b)
# schema 1: array of maps of union, enum, nested record with fixed and null
d1 = zz(2) + zz(1) + bs("k") + zz(0) + zz(5) + zz(-1) + zz(4) + zz(1) + bs("z") + zz(2) + zz(0) + zz(0) \
     + zz(2) + b"abc"
save("datum-s1", b"\x00\x01" + d1)
# schema 2: logical types
dec = (123456789).to_bytes(5, "big", signed=True)
d2 = zz(19000) + zz(1700000000123) + zz(3600000) + bs(dec) + struct.pack("<III", 1, 2, 3) \
     + bs("0e5d7a36-6c40-4c5f-9c3a-6b3f1b7e9d10") + struct.pack("<f", 1.5)
save("datum-s2", b"\x00\x02" + d2)
# schema 3: nested arrays of null (zero-byte items)
save("datum-s3", b"\x00\x03" + zz(3) + zz(2) + zz(0) + zz(0) + zz(1) + zz(0) + zz(0) + zz(0) + zz(0))

schema = {"type": "record", "name": "ev", "fields": [
    {"name": "id", "type": "long"}, {"name": "name", "type": ["null", "string"]},
    {"name": "tags", "type": {"type": "array", "items": "string"}}]}
sync = bytes(range(16))

def ocf(codec, rows):
    hdr = b"Obj\x01" + zz(2) + bs("avro.schema") + bs(json.dumps(schema)) + bs("avro.codec") + bs(codec) + zz(0) + sync
    blk = b""
    for i in range(rows):
        blk += zz(i) + (zz(0) if i % 2 else zz(1) + bs("n%d" % i)) + (zz(1) + bs("t") + zz(0) if i % 3 else zz(0))
    if codec == "deflate":
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        data = c.compress(blk) + c.flush()
    elif codec == "snappy":
        # a valid snappy stream of literals only: varint length, then literal chunks
        data = bytearray()
        n = len(blk)
        while True:
            b = n & 0x7F
            n >>= 7
            data.append(b | (0x80 if n else 0))
            if not n:
                break
        pos = 0
        while pos < len(blk):
            chunk = blk[pos:pos + 60]
            data.append((len(chunk) - 1) << 2)
            data += chunk
            pos += len(chunk)
        data = bytes(data) + struct.pack(">I", zlib.crc32(blk))
    else:
        data = blk
    return hdr + zz(rows) + zz(len(data)) + data + sync

for codec in ("null", "deflate", "snappy"):
    save("file-" + codec, b"\x01" + ocf(codec, 20))
save("schema-record", b"\x02" + json.dumps(schema).encode())
save("schema-union", b"\x02" + b'["null","int",{"type":"enum","name":"E","symbols":["A"]}]')
