"""pgwire.py - PostgreSQL frontend/backend protocol 3.0 framing for the
raw-protocol tests session_test.py and tls_proto_test.py: building frontend
messages and reading backend ones from a socket (at EOF read_msg returns
(None, b"")).  proto_test.py keeps its own readers, which raise EOFError."""
import struct


def cstr(x):
    return x.encode() + b"\0"


def startup_packet(params, version=196608):
    """A StartupMessage (version 3.0 unless told) with the given parameters."""
    body = struct.pack("!I", version) + b"".join(cstr(k) + cstr(v) for k, v in params.items()) + b"\0"
    return struct.pack("!I", len(body) + 4) + body


def msg(t, body=b""):
    """A typed frontend message: type byte, length, body."""
    return t.encode() + struct.pack("!I", len(body) + 4) + body


def recv_exact(s, n):
    """n bytes from s, or fewer when the peer closed the connection."""
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            break
        buf += chunk
    return buf


def read_msg(s):
    """The next backend message as (type, body), or (None, b"") at EOF."""
    head = recv_exact(s, 5)
    if len(head) < 5:
        return None, b""
    n = struct.unpack("!I", head[1:])[0]
    return head[:1].decode(), recv_exact(s, n - 4)


def fields(body):
    """ErrorResponse / NoticeResponse fields as a dict (code letter -> text)."""
    return dict((chr(p[0]), p[1:].decode()) for p in body.split(b"\0") if p)
