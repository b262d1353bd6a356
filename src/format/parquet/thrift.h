/*
 * thrift.h - the Thrift compact protocol, as Parquet uses it for its
 * metadata (thrift doc/specs/thrift-compact-protocol.md).
 *
 * ThriftReader walks untrusted bytes [p, end).  Its error state is sticky:
 * the first violation (truncation, bad type, over-long varint, list count
 * larger than the bytes left, nesting deeper than max_depth) sets rc to
 * TARN_ERR_CORRUPT with a message naming what was being read (r->what and
 * the current field id), moves p to end, and every later read returns 0.
 * Callers therefore check r->rc once after a struct instead of after every
 * primitive.  Nothing here allocates.
 *
 * ThriftWriter appends to a caller-owned Buf; its NOMEM state is sticky the
 * same way.  It tracks the last field id per nesting level for the field-id
 * deltas.
 *
 * Wire summary: ints are zigzag varints (i8 is one raw byte); a field header
 * is one byte (delta << 4 | type) or, when the delta is not 1..15, a type
 * byte plus a zigzag i16 id; bool fields carry their value in the type
 * (1 true, 2 false); binary is varint length + bytes; list/set headers are
 * (size << 4 | elem type) with size 15 meaning a varint size follows; maps
 * are varint size then (key type << 4 | value type) when size > 0.
 */
#ifndef TARN_FORMAT_PARQUET_THRIFT_H
#define TARN_FORMAT_PARQUET_THRIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/mem.h"

/* Compact protocol type codes. */
enum {
    THRIFT_STOP = 0,
    THRIFT_TRUE = 1,   /* bool field whose value is true; also "bool" as element type */
    THRIFT_FALSE = 2,  /* bool field whose value is false; also "bool" as element type */
    THRIFT_I8 = 3,
    THRIFT_I16 = 4,
    THRIFT_I32 = 5,
    THRIFT_I64 = 6,
    THRIFT_DOUBLE = 7,
    THRIFT_BINARY = 8,
    THRIFT_LIST = 9,
    THRIFT_SET = 10,
    THRIFT_MAP = 11,
    THRIFT_STRUCT = 12
};

/* Default nesting limit (same as PQ_MAX_NESTING). */
#define THRIFT_MAX_DEPTH 64

typedef struct ThriftReader {
    const uint8_t *start;  /* first byte of the input (for offsets in messages) */
    const uint8_t *p;      /* next byte to read */
    const uint8_t *end;    /* one past the last byte */
    int rc;                /* 0, or the sticky error kind */
    int depth;             /* current struct/container nesting */
    int max_depth;         /* limit on depth */
    int16_t field;         /* id of the field being read (for messages) */
    const char *what;      /* name of the structure being read (for messages) */
    TarnError *err;        /* where the first error goes; may be NULL */
} ThriftReader;

/* Starts reading buf[0..len).  `what` names the top-level structure. */
void thrift_reader_init(ThriftReader *r, const uint8_t *buf, size_t len, const char *what,
                        TarnError *err);

/* Records a format violation (printf-style message, prefixed with r->what)
 * unless one is already recorded; returns r->rc. */
int thrift_fail(ThriftReader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Bytes left to read. */
static inline size_t thrift_remaining(const ThriftReader *r)
{
    return (size_t)(r->end - r->p);
}

/* Reads an unsigned varint of at most 10 bytes (the inline version takes
 * the one-byte fast path; the slow path handles the rest and all errors). */
uint64_t thrift_read_uvarint_slow(ThriftReader *r);
static inline uint64_t thrift_read_uvarint(ThriftReader *r)
{
    if (r->p < r->end && *r->p < 0x80)
        return *r->p++;
    return thrift_read_uvarint_slow(r);
}

static inline int64_t thrift_unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}
static inline uint64_t thrift_zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

/* Integer and double reads; i16/i32 fail when the decoded value is out of
 * range.  An i8 is one raw byte, a double 8 little-endian bytes. */
int8_t thrift_read_i8(ThriftReader *r);
int16_t thrift_read_i16(ThriftReader *r);
int32_t thrift_read_i32(ThriftReader *r);
static inline int64_t thrift_read_i64(ThriftReader *r)
{
    return thrift_unzigzag(thrift_read_uvarint(r));
}
double thrift_read_double(ThriftReader *r);

/* A bool: for a field its value is the field type (pass that type); for a
 * list element pass 0 and a byte is read (1 = true, anything else false). */
bool thrift_read_bool(ThriftReader *r, int field_type);

/* Reads a binary/string; *ptr_out points into the input (borrowed).  Fails
 * when the length exceeds the bytes left or 2^31-1. */
void thrift_read_binary(ThriftReader *r, const uint8_t **ptr_out, uint32_t *len_out);

/* Enters a struct (checks depth); pair with thrift_struct_end. */
bool thrift_struct_begin(ThriftReader *r);
static inline void thrift_struct_end(ThriftReader *r)
{
    r->depth--;
}

/* Reads the next field header of the current struct.  *last_id holds the
 * previous field id (start at 0).  Returns true with *id_out / *type_out
 * set, false at STOP or on error (check r->rc). */
bool thrift_read_field(ThriftReader *r, int16_t *last_id, int16_t *id_out, int *type_out);

/* Reads a list or set header.  The count is checked against the bytes left
 * (every element takes at least one byte) and `max_count`, so callers may
 * allocate count elements safely.  A bool element type reads as THRIFT_TRUE. */
bool thrift_read_list(ThriftReader *r, uint32_t max_count, int *elem_type_out, uint32_t *count_out);

/* Reads a map header (key/value types are 0 when the map is empty). */
bool thrift_read_map(ThriftReader *r, uint32_t max_count, int *key_type_out, int *val_type_out,
                     uint32_t *count_out);

/* Skips one value of the given type (a field's type, or a container's
 * element type), recursing into structs/lists/maps up to max_depth. */
void thrift_skip(ThriftReader *r, int type);

/* ---- Writer ------------------------------------------------------------ */

typedef struct ThriftWriter {
    Buf *out;                          /* appended to; owned by the caller */
    int rc;                            /* 0 or TARN_ERR_NOMEM (sticky) */
    int depth;                         /* struct nesting; 0 = top-level struct */
    int16_t last_id[THRIFT_MAX_DEPTH]; /* previous field id per nesting level */
} ThriftWriter;

/* Starts writing a top-level struct into out (the caller ends it with
 * thrift_write_stop). */
void thrift_writer_init(ThriftWriter *w, Buf *out);

/* Raw output: an unsigned varint, one byte, n bytes. */
void thrift_write_uvarint(ThriftWriter *w, uint64_t v);
void thrift_write_byte(ThriftWriter *w, uint8_t b);
void thrift_write_bytes(ThriftWriter *w, const void *p, size_t n);

/* A field header, short form when the id delta is 1..15, else long form
 * (type must not be a bool: use thrift_write_bool_field). */
void thrift_write_field(ThriftWriter *w, int type, int16_t id);

/* Whole fields: header plus value (a bool's value is its header type). */
void thrift_write_bool_field(ThriftWriter *w, int16_t id, bool v);
void thrift_write_i8_field(ThriftWriter *w, int16_t id, int8_t v);
void thrift_write_i16_field(ThriftWriter *w, int16_t id, int16_t v);
void thrift_write_i32_field(ThriftWriter *w, int16_t id, int32_t v);
void thrift_write_i64_field(ThriftWriter *w, int16_t id, int64_t v);
void thrift_write_double_field(ThriftWriter *w, int16_t id, double v);
void thrift_write_binary_field(ThriftWriter *w, int16_t id, const void *p, uint32_t len);
void thrift_write_string_field(ThriftWriter *w, int16_t id, const char *s);

/* Values without a field header (list elements). */
static inline void thrift_write_i32(ThriftWriter *w, int32_t v)
{
    thrift_write_uvarint(w, thrift_zigzag(v));
}
static inline void thrift_write_i64(ThriftWriter *w, int64_t v)
{
    thrift_write_uvarint(w, thrift_zigzag(v));
}
void thrift_write_binary(ThriftWriter *w, const void *p, uint32_t len);
/* A bool list element: 1 = true, 2 = false. */
static inline void thrift_write_bool(ThriftWriter *w, bool v)
{
    thrift_write_byte(w, v ? 1 : 2);
}

/* A list header; for bool elements pass THRIFT_TRUE. */
void thrift_write_list(ThriftWriter *w, int elem_type, uint32_t count);
/* A map header. */
void thrift_write_map(ThriftWriter *w, int key_type, int val_type, uint32_t count);

/* Opens a nested struct: as field `id` (thrift_write_struct_field) or as a
 * list element (thrift_write_struct_begin).  Close with thrift_write_struct_end,
 * which writes the STOP byte. */
void thrift_write_struct_field(ThriftWriter *w, int16_t id);
void thrift_write_struct_begin(ThriftWriter *w);
void thrift_write_struct_end(ThriftWriter *w);

/* Writes the STOP byte ending the top-level struct. */
void thrift_write_stop(ThriftWriter *w);

#endif
