/*
 * thrift.c - Thrift compact protocol reader and writer (see thrift.h).
 *
 * The reader never trusts its input: every read checks the bytes left, and
 * the first violation is recorded once (sticky), after which reads return
 * zeros so decoders can test r->rc at the end of a struct.
 */
#include "format/parquet/thrift.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- Reader ------------------------------------------------------------ */

void thrift_reader_init(ThriftReader *r, const uint8_t *buf, size_t len, const char *what,
                        TarnError *err)
{
    r->start = buf;
    r->p = buf;
    r->end = buf + len;
    r->rc = 0;
    r->depth = 0;
    r->max_depth = THRIFT_MAX_DEPTH;
    r->field = 0;
    r->what = what ? what : "thrift";
    r->err = err;
}

int thrift_fail(ThriftReader *r, const char *fmt, ...)
{
    if (r->rc)
        return r->rc;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t off = (size_t)(r->p - r->start);
    if (r->field > 0)
        r->rc = err_set(r->err, TARN_ERR_CORRUPT, "%s: %s (field %d, byte offset %zu)", r->what,
                        msg, (int)r->field, off);
    else
        r->rc = err_set(r->err, TARN_ERR_CORRUPT, "%s: %s (byte offset %zu)", r->what, msg, off);
    if (!r->rc)
        r->rc = TARN_ERR_CORRUPT;
    r->p = r->end;
    return r->rc;
}

static void fail_truncated(ThriftReader *r, const char *reading)
{
    thrift_fail(r, "truncated input reading %s", reading);
}

uint64_t thrift_read_uvarint_slow(ThriftReader *r)
{
    uint64_t v = 0;
    const uint8_t *p = r->p;
    for (int shift = 0; shift < 70; shift += 7) {
        if (p >= r->end) {
            fail_truncated(r, "varint");
            return 0;
        }
        uint8_t b = *p++;
        /* The tenth byte may only contribute the top bit of a 64-bit value. */
        if (shift == 63 && b > 1) {
            thrift_fail(r, "varint overflows 64 bits");
            return 0;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            r->p = p;
            return v;
        }
    }
    thrift_fail(r, "varint longer than 10 bytes");
    return 0;
}

int8_t thrift_read_i8(ThriftReader *r)
{
    if (r->p >= r->end) {
        fail_truncated(r, "i8");
        return 0;
    }
    return (int8_t)*r->p++;
}

int16_t thrift_read_i16(ThriftReader *r)
{
    int64_t v = thrift_read_i64(r);
    if (v < INT16_MIN || v > INT16_MAX) {
        thrift_fail(r, "i16 value %lld out of range", (long long)v);
        return 0;
    }
    return (int16_t)v;
}

int32_t thrift_read_i32(ThriftReader *r)
{
    int64_t v = thrift_read_i64(r);
    if (v < INT32_MIN || v > INT32_MAX) {
        thrift_fail(r, "i32 value %lld out of range", (long long)v);
        return 0;
    }
    return (int32_t)v;
}

double thrift_read_double(ThriftReader *r)
{
    if (thrift_remaining(r) < 8) {
        fail_truncated(r, "double");
        return 0;
    }
    uint64_t bits = load_le64(r->p);
    r->p += 8;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

bool thrift_read_bool(ThriftReader *r, int field_type)
{
    if (field_type == THRIFT_TRUE)
        return true;
    if (field_type == THRIFT_FALSE)
        return false;
    if (r->p >= r->end) {
        fail_truncated(r, "bool");
        return false;
    }
    return *r->p++ == 1;
}

void thrift_read_binary(ThriftReader *r, const uint8_t **ptr_out, uint32_t *len_out)
{
    uint64_t n = thrift_read_uvarint(r);
    if (r->rc) {
        *ptr_out = NULL;
        *len_out = 0;
        return;
    }
    if (n > thrift_remaining(r) || n > INT32_MAX) {
        thrift_fail(r, "binary length %llu exceeds the %zu bytes left", (unsigned long long)n,
                    thrift_remaining(r));
        *ptr_out = NULL;
        *len_out = 0;
        return;
    }
    *ptr_out = r->p;
    *len_out = (uint32_t)n;
    r->p += n;
}

bool thrift_struct_begin(ThriftReader *r)
{
    if (r->rc)
        return false;
    if (r->depth >= r->max_depth) {
        thrift_fail(r, "nesting deeper than %d levels", r->max_depth);
        return false;
    }
    r->depth++;
    return true;
}

bool thrift_read_field(ThriftReader *r, int16_t *last_id, int16_t *id_out, int *type_out)
{
    if (r->p >= r->end) {
        if (!r->rc)
            fail_truncated(r, "field header");
        return false;
    }
    uint8_t b = *r->p++;
    int type = b & 0x0f;
    if (type == THRIFT_STOP) {
        if (b != 0)
            thrift_fail(r, "stop byte 0x%02x has a field delta", b);
        return false;
    }
    if (type > THRIFT_STRUCT) {
        thrift_fail(r, "unknown field type %d", type);
        return false;
    }
    int delta = b >> 4;
    int16_t id;
    if (delta) {
        int nid = *last_id + delta;
        if (nid > INT16_MAX) {
            thrift_fail(r, "field id overflows i16");
            return false;
        }
        id = (int16_t)nid;
    } else {
        id = thrift_read_i16(r);
        if (r->rc)
            return false;
    }
    *last_id = id;
    *id_out = id;
    *type_out = type;
    r->field = id;
    return true;
}

/* Checks a container count against the limit and the bytes left: each
 * element takes at least one byte on the wire (even an empty struct has
 * its STOP byte), so a larger count cannot be honest. */
static bool check_count(ThriftReader *r, uint64_t n, uint64_t per_elem, uint32_t max_count,
                        const char *kind)
{
    if (n > max_count) {
        thrift_fail(r, "%s of %llu elements exceeds the limit of %u", kind, (unsigned long long)n,
                    max_count);
        return false;
    }
    if (n * per_elem > thrift_remaining(r)) {
        thrift_fail(r, "%s of %llu elements exceeds the %zu bytes left", kind,
                    (unsigned long long)n, thrift_remaining(r));
        return false;
    }
    return true;
}

bool thrift_read_list(ThriftReader *r, uint32_t max_count, int *elem_type_out, uint32_t *count_out)
{
    *elem_type_out = 0;
    *count_out = 0;
    if (r->p >= r->end) {
        if (!r->rc)
            fail_truncated(r, "list header");
        return false;
    }
    uint8_t b = *r->p++;
    uint64_t n = b >> 4;
    int type = b & 0x0f;
    if (n == 15) {
        n = thrift_read_uvarint(r);
        if (r->rc)
            return false;
    }
    if (type == THRIFT_FALSE)
        type = THRIFT_TRUE;
    if (type == THRIFT_STOP || type > THRIFT_STRUCT) {
        /* An empty list with element type 0 is harmless; accept it. */
        if (n == 0 && type == THRIFT_STOP) {
            *elem_type_out = type;
            return true;
        }
        thrift_fail(r, "unknown list element type %d", type);
        return false;
    }
    if (!check_count(r, n, 1, max_count, "list"))
        return false;
    *elem_type_out = type;
    *count_out = (uint32_t)n;
    return true;
}

bool thrift_read_map(ThriftReader *r, uint32_t max_count, int *key_type_out, int *val_type_out,
                     uint32_t *count_out)
{
    *key_type_out = 0;
    *val_type_out = 0;
    *count_out = 0;
    uint64_t n = thrift_read_uvarint(r);
    if (r->rc)
        return false;
    if (n == 0)
        return true;
    if (r->p >= r->end) {
        fail_truncated(r, "map header");
        return false;
    }
    uint8_t b = *r->p++;
    int kt = b >> 4, vt = b & 0x0f;
    if (kt == THRIFT_FALSE)
        kt = THRIFT_TRUE;
    if (vt == THRIFT_FALSE)
        vt = THRIFT_TRUE;
    if (kt == THRIFT_STOP || kt > THRIFT_STRUCT || vt == THRIFT_STOP || vt > THRIFT_STRUCT) {
        thrift_fail(r, "unknown map key/value types %d/%d", kt, vt);
        return false;
    }
    if (!check_count(r, n, 2, max_count, "map"))
        return false;
    *key_type_out = kt;
    *val_type_out = vt;
    *count_out = (uint32_t)n;
    return true;
}

void thrift_skip(ThriftReader *r, int type)
{
    if (r->rc)
        return;
    switch (type) {
    case THRIFT_TRUE:
    case THRIFT_FALSE:
        /* A bool field has no payload (its value is the type); bool
         * container elements are read by the list/map cases below. */
        return;
    case THRIFT_I8:
        thrift_read_i8(r);
        return;
    case THRIFT_I16:
    case THRIFT_I32:
    case THRIFT_I64:
        thrift_read_uvarint(r);
        return;
    case THRIFT_DOUBLE:
        thrift_read_double(r);
        return;
    case THRIFT_BINARY: {
        const uint8_t *p;
        uint32_t n;
        thrift_read_binary(r, &p, &n);
        return;
    }
    case THRIFT_LIST:
    case THRIFT_SET: {
        int et;
        uint32_t n;
        if (!thrift_read_list(r, UINT32_MAX, &et, &n))
            return;
        if (!thrift_struct_begin(r))
            return;
        for (uint32_t i = 0; i < n && !r->rc; i++) {
            if (et == THRIFT_TRUE)
                thrift_read_bool(r, 0);
            else
                thrift_skip(r, et);
        }
        thrift_struct_end(r);
        return;
    }
    case THRIFT_MAP: {
        int kt, vt;
        uint32_t n;
        if (!thrift_read_map(r, UINT32_MAX, &kt, &vt, &n))
            return;
        if (!thrift_struct_begin(r))
            return;
        for (uint32_t i = 0; i < n && !r->rc; i++) {
            if (kt == THRIFT_TRUE)
                thrift_read_bool(r, 0);
            else
                thrift_skip(r, kt);
            if (vt == THRIFT_TRUE)
                thrift_read_bool(r, 0);
            else
                thrift_skip(r, vt);
        }
        thrift_struct_end(r);
        return;
    }
    case THRIFT_STRUCT: {
        if (!thrift_struct_begin(r))
            return;
        int16_t last = 0, id, saved = r->field;
        int ft;
        while (thrift_read_field(r, &last, &id, &ft))
            thrift_skip(r, ft);
        r->field = saved;
        thrift_struct_end(r);
        return;
    }
    default:
        thrift_fail(r, "cannot skip unknown type %d", type);
        return;
    }
}

/* ---- Writer ------------------------------------------------------------ */

void thrift_writer_init(ThriftWriter *w, Buf *out)
{
    w->out = out;
    w->rc = 0;
    w->depth = 0;
    w->last_id[0] = 0;
}

void thrift_write_bytes(ThriftWriter *w, const void *p, size_t n)
{
    if (w->rc || n == 0)
        return;
    if (buf_append(w->out, p, n))
        w->rc = TARN_ERR_NOMEM;
}

void thrift_write_byte(ThriftWriter *w, uint8_t b)
{
    if (w->rc)
        return;
    if (buf_append_byte(w->out, b))
        w->rc = TARN_ERR_NOMEM;
}

void thrift_write_uvarint(ThriftWriter *w, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    thrift_write_bytes(w, tmp, n);
}

/* Writes a field header with the given compact type code. */
static void write_header(ThriftWriter *w, int type, int16_t id)
{
    int16_t last = w->last_id[w->depth];
    int delta = (int)id - (int)last;
    if (delta > 0 && delta <= 15) {
        thrift_write_byte(w, (uint8_t)(delta << 4 | type));
    } else {
        thrift_write_byte(w, (uint8_t)type);
        thrift_write_uvarint(w, thrift_zigzag(id));
    }
    w->last_id[w->depth] = id;
}

void thrift_write_field(ThriftWriter *w, int type, int16_t id)
{
    write_header(w, type, id);
}

void thrift_write_bool_field(ThriftWriter *w, int16_t id, bool v)
{
    write_header(w, v ? THRIFT_TRUE : THRIFT_FALSE, id);
}

void thrift_write_i8_field(ThriftWriter *w, int16_t id, int8_t v)
{
    write_header(w, THRIFT_I8, id);
    thrift_write_byte(w, (uint8_t)v);
}

void thrift_write_i16_field(ThriftWriter *w, int16_t id, int16_t v)
{
    write_header(w, THRIFT_I16, id);
    thrift_write_uvarint(w, thrift_zigzag(v));
}

void thrift_write_i32_field(ThriftWriter *w, int16_t id, int32_t v)
{
    write_header(w, THRIFT_I32, id);
    thrift_write_uvarint(w, thrift_zigzag(v));
}

void thrift_write_i64_field(ThriftWriter *w, int16_t id, int64_t v)
{
    write_header(w, THRIFT_I64, id);
    thrift_write_uvarint(w, thrift_zigzag(v));
}

void thrift_write_double_field(ThriftWriter *w, int16_t id, double v)
{
    write_header(w, THRIFT_DOUBLE, id);
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    uint8_t tmp[8];
    store_le64(tmp, bits);
    thrift_write_bytes(w, tmp, 8);
}

void thrift_write_binary(ThriftWriter *w, const void *p, uint32_t len)
{
    thrift_write_uvarint(w, len);
    thrift_write_bytes(w, p, len);
}

void thrift_write_binary_field(ThriftWriter *w, int16_t id, const void *p, uint32_t len)
{
    write_header(w, THRIFT_BINARY, id);
    thrift_write_binary(w, p, len);
}

void thrift_write_string_field(ThriftWriter *w, int16_t id, const char *s)
{
    size_t n = strlen(s);
    thrift_write_binary_field(w, id, s, (uint32_t)n);
}

void thrift_write_list(ThriftWriter *w, int elem_type, uint32_t count)
{
    if (count < 15) {
        thrift_write_byte(w, (uint8_t)(count << 4 | (uint32_t)elem_type));
    } else {
        thrift_write_byte(w, (uint8_t)(0xf0 | elem_type));
        thrift_write_uvarint(w, count);
    }
}

void thrift_write_map(ThriftWriter *w, int key_type, int val_type, uint32_t count)
{
    thrift_write_uvarint(w, count);
    if (count)
        thrift_write_byte(w, (uint8_t)(key_type << 4 | val_type));
}

void thrift_write_struct_begin(ThriftWriter *w)
{
    if (w->depth + 1 >= THRIFT_MAX_DEPTH) {
        if (!w->rc)
            w->rc = TARN_ERR_INTERNAL;
        return;
    }
    w->depth++;
    w->last_id[w->depth] = 0;
}

void thrift_write_struct_field(ThriftWriter *w, int16_t id)
{
    write_header(w, THRIFT_STRUCT, id);
    thrift_write_struct_begin(w);
}

void thrift_write_struct_end(ThriftWriter *w)
{
    thrift_write_byte(w, THRIFT_STOP);
    if (w->depth > 0)
        w->depth--;
}

void thrift_write_stop(ThriftWriter *w)
{
    thrift_write_byte(w, THRIFT_STOP);
}
