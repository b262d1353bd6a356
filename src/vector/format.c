/*
 * format.c - text input and output of single vector values (see format.h).
 *
 * Output is the hot path of CSV/NDJSON export and of the wire server's text
 * format, so scalars are printed with hand-written digit loops rather than
 * snprintf; only floating point goes through the C library, to find the
 * shortest digit string that reads back exactly.
 */
#include "vector/format.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "util/datetime.h"

/* ---- Small printers ------------------------------------------------------ */

/* Writes the decimal digits of v; returns the count. */
static size_t put_u64(char *p, uint64_t v)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < k; i++)
        p[i] = tmp[k - 1 - i];
    return (size_t)k;
}

static size_t put_i64(char *p, int64_t v)
{
    if (v < 0) {
        p[0] = '-';
        return 1 + put_u64(p + 1, (uint64_t)0 - (uint64_t)v);
    }
    return put_u64(p, (uint64_t)v);
}

/* Digits of an unsigned 128-bit value, most significant first; returns the
 * count (at most 39). */
static int u128_digits(unsigned __int128 v, char *out)
{
    char tmp[48];
    int k = 0;
    const uint64_t chunk = UINT64_C(10000000000000000000); /* 10^19 */
    while (v >= chunk) {
        uint64_t low = (uint64_t)(v % chunk);
        v /= chunk;
        for (int j = 0; j < 19; j++) {
            tmp[k++] = (char)('0' + low % 10);
            low /= 10;
        }
    }
    uint64_t rest = (uint64_t)v;
    do {
        tmp[k++] = (char)('0' + rest % 10);
        rest /= 10;
    } while (rest);
    for (int i = 0; i < k; i++)
        out[i] = tmp[k - 1 - i];
    return k;
}

size_t value_format_decimal(int128_t unscaled, int scale, char *buf)
{
    if (scale < 0)
        scale = 0;
    if (scale > DECIMAL_MAX_PRECISION)
        scale = DECIMAL_MAX_PRECISION;
    char digits[48];
    bool neg = unscaled < 0;
    unsigned __int128 mag = neg ? (unsigned __int128)0 - (unsigned __int128)unscaled
                                : (unsigned __int128)unscaled;
    int nd = u128_digits(mag, digits);
    size_t n = 0;
    if (neg)
        buf[n++] = '-';
    if (nd <= scale) {
        buf[n++] = '0';
        buf[n++] = '.';
        for (int i = nd; i < scale; i++)
            buf[n++] = '0';
        memcpy(buf + n, digits, (size_t)nd);
        n += (size_t)nd;
    } else {
        int int_digits = nd - scale;
        memcpy(buf + n, digits, (size_t)int_digits);
        n += (size_t)int_digits;
        if (scale > 0) {
            buf[n++] = '.';
            memcpy(buf + n, digits + int_digits, (size_t)scale);
            n += (size_t)scale;
        }
    }
    buf[n] = '\0';
    return n;
}

/* Formats the shortest digits of a finite value the way PostgreSQL's Ryu
 * output does: fixed notation when -4 <= exponent < sci_from, else
 * d.ddde+XX.  `sci` is "%.*e" text with the round-tripping precision. */
static size_t pg_float_layout(const char *sci, int sci_from, char *buf)
{
    const char *p = sci;
    size_t n = 0;
    if (*p == '-') {
        buf[n++] = '-';
        p++;
    }
    char digits[32];
    int nd = 0;
    while (*p && *p != 'e') {
        if (*p != '.' && nd < 30)
            digits[nd++] = *p;
        p++;
    }
    int exp10 = *p == 'e' ? atoi(p + 1) : 0;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (nd == 1 && digits[0] == '0')
        exp10 = 0;
    if (exp10 < -4 || exp10 >= sci_from) {
        buf[n++] = digits[0];
        if (nd > 1) {
            buf[n++] = '.';
            memcpy(buf + n, digits + 1, (size_t)(nd - 1));
            n += (size_t)(nd - 1);
        }
        buf[n++] = 'e';
        buf[n++] = exp10 < 0 ? '-' : '+';
        int e = exp10 < 0 ? -exp10 : exp10;
        if (e < 10)
            buf[n++] = '0';
        n += put_u64(buf + n, (uint64_t)e);
    } else if (exp10 < 0) {
        buf[n++] = '0';
        buf[n++] = '.';
        for (int i = 0; i < -exp10 - 1; i++)
            buf[n++] = '0';
        memcpy(buf + n, digits, (size_t)nd);
        n += (size_t)nd;
    } else {
        int int_digits = exp10 + 1;
        for (int i = 0; i < int_digits; i++)
            buf[n++] = i < nd ? digits[i] : '0';
        if (nd > int_digits) {
            buf[n++] = '.';
            memcpy(buf + n, digits + int_digits, (size_t)(nd - int_digits));
            n += (size_t)(nd - int_digits);
        }
    }
    buf[n] = '\0';
    return n;
}

static size_t put_special(double d, char *buf)
{
    const char *s = isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
    size_t n = strlen(s);
    memcpy(buf, s, n + 1);
    return n;
}

static const double pow10_table[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Fast path for the common "few decimals" doubles (prices, measurements):
 * the smallest k with m / 10^k == d for an integer m < 10^15 gives the
 * shortest digits, because m and 10^k are exact doubles and IEEE division
 * rounds correctly, exactly as reading the text "m e-k" would.  Below 10^15
 * a round-tripping digit string is unique (15-digit steps are wider than a
 * double's rounding interval) and a * 10^k is within 0.25 of it, so
 * rounding finds it.  Returns 0 when the value needs the general path. */
static size_t format_double_fast(double d, char *buf)
{
    double a = fabs(d);
    if (!(a >= 1e-4 && a < 1e15))
        return 0;
    for (int k = 0; k <= 17; k++) {
        double scaled = a * pow10_table[k];
        if (scaled >= 1e15)
            return 0;
        double m = nearbyint(scaled);
        if (m / pow10_table[k] != a)
            continue;
        char digits[24];
        size_t nd = put_u64(digits, (uint64_t)m);
        size_t n = 0;
        if (d < 0)
            buf[n++] = '-';
        if ((int)nd > k) {
            memcpy(buf + n, digits, nd - (size_t)k);
            n += nd - (size_t)k;
            if (k) {
                buf[n++] = '.';
                memcpy(buf + n, digits + nd - (size_t)k, (size_t)k);
                n += (size_t)k;
            }
        } else {
            buf[n++] = '0';
            buf[n++] = '.';
            for (int z = 0; z < k - (int)nd; z++)
                buf[n++] = '0';
            memcpy(buf + n, digits, nd);
            n += nd;
        }
        buf[n] = '\0';
        return n;
    }
    return 0;
}

size_t value_format_double(double d, char *buf)
{
    if (!isfinite(d))
        return put_special(d, buf);
    size_t fast = format_double_fast(d, buf);
    if (fast)
        return fast;
    /* Any value whose shortest form has <= 15 digits prints exactly that
     * form (zero-padded) at 15 digits, because 15-digit steps are wider
     * than a double's rounding interval; 16 and 17 digits pick the nearest
     * decimal, which round-trips whenever any of that length does. */
    char sci[40];
    /* Subnormals carry fewer bits, so their shortest form may be shorter
     * than 15 digits without 15-digit rounding finding it: search all. */
    int first = fabs(d) < DBL_MIN ? 1 : 15;
    for (int prec = first; prec <= 17; prec++) {
        snprintf(sci, sizeof sci, "%.*e", prec - 1, d);
        if (prec == 17 || strtod(sci, NULL) == d)
            break;
    }
    return pg_float_layout(sci, 15, buf);
}

/* Is the decimal text `sci` exactly halfway between f and a neighbour?
 * strtof rounds such a tie to the even mantissa, so it may read back as f,
 * but PostgreSQL's Ryu output (f2s) does not pick a boundary digit string:
 * 501006016 prints as 5.0100602e+08, not 5.01006e+08.  The tie points
 * f +- ulp/2 are exact doubles, and a decimal of <= 9 digits that equals
 * one reads back exactly, so comparing in double is exact. */
static bool float_text_is_tie(const char *sci, float f)
{
    double v = strtod(sci, NULL);
    double up = (double)nextafterf(f, INFINITY), down = (double)nextafterf(f, -INFINITY);
    return v == ((double)f + up) / 2 || v == ((double)f + down) / 2;
}

size_t value_format_float(float f, char *buf)
{
    if (!isfinite(f))
        return put_special(f, buf);
    char sci[40];
    int first = fabsf(f) < FLT_MIN ? 1 : 6;
    for (int prec = first; prec <= 9; prec++) {
        snprintf(sci, sizeof sci, "%.*e", prec - 1, (double)f);
        if (prec == 9 || (strtof(sci, NULL) == f && !float_text_is_tie(sci, f)))
            break;
    }
    return pg_float_layout(sci, 6, buf);
}

/* PostgreSQL's "postgres" IntervalStyle (EncodeInterval): year, mon and day
 * fields, then a signed hh:mm:ss[.ffffff]; once a negative field has been
 * printed, later positive fields carry an explicit '+'. */
static size_t add_interval_field(char *buf, size_t n, int64_t value, const char *unit,
                                 bool *is_zero, bool *is_before)
{
    if (value == 0)
        return n;
    if (!*is_zero)
        buf[n++] = ' ';
    if (*is_before && value > 0)
        buf[n++] = '+';
    n += put_i64(buf + n, value);
    buf[n++] = ' ';
    size_t ul = strlen(unit);
    memcpy(buf + n, unit, ul);
    n += ul;
    if (value != 1)
        buf[n++] = 's';
    *is_before = value < 0;
    *is_zero = false;
    return n;
}

size_t value_format_interval(Interval iv, char *buf)
{
    size_t n = 0;
    bool is_zero = true, is_before = false;
    int64_t years = iv.months / 12, mons = iv.months % 12;
    n = add_interval_field(buf, n, years, "year", &is_zero, &is_before);
    n = add_interval_field(buf, n, mons, "mon", &is_zero, &is_before);
    n = add_interval_field(buf, n, iv.days, "day", &is_zero, &is_before);
    int64_t us = iv.micros;
    if (is_zero || us != 0) {
        bool minus = us < 0;
        uint64_t mag = minus ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
        uint64_t hh = mag / (uint64_t)DT_USECS_PER_HOUR;
        mag -= hh * (uint64_t)DT_USECS_PER_HOUR;
        uint64_t mi = mag / (uint64_t)DT_USECS_PER_MIN;
        mag -= mi * (uint64_t)DT_USECS_PER_MIN;
        uint64_t ss = mag / (uint64_t)DT_USECS_PER_SEC;
        mag -= ss * (uint64_t)DT_USECS_PER_SEC;
        if (!is_zero)
            buf[n++] = ' ';
        if (minus)
            buf[n++] = '-';
        else if (is_before)
            buf[n++] = '+';
        if (hh < 10)
            buf[n++] = '0';
        n += put_u64(buf + n, hh);
        buf[n++] = ':';
        buf[n++] = (char)('0' + mi / 10);
        buf[n++] = (char)('0' + mi % 10);
        buf[n++] = ':';
        buf[n++] = (char)('0' + ss / 10);
        buf[n++] = (char)('0' + ss % 10);
        n += dt_format_fraction((int64_t)mag, buf + n);
    }
    buf[n] = '\0';
    return n;
}

static const char hex_digits[] = "0123456789abcdef";

static int put_uuid(const uint8_t *u, Buf *out)
{
    if (buf_reserve(out, 36))
        return TARN_ERR_NOMEM;
    char *p = (char *)out->data + out->len;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex_digits[u[i] >> 4];
        *p++ = hex_digits[u[i] & 15];
    }
    out->len += 36;
    return 0;
}

static int put_hex_bytes(const uint8_t *s, size_t n, Buf *out)
{
    if (n > (SIZE_MAX - 8) / 2 || buf_reserve(out, 2 * n + 2))
        return TARN_ERR_NOMEM;
    char *p = (char *)out->data + out->len;
    *p++ = '\\';
    *p++ = 'x';
    for (size_t i = 0; i < n; i++) {
        *p++ = hex_digits[s[i] >> 4];
        *p++ = hex_digits[s[i] & 15];
    }
    out->len += 2 * n + 2;
    return 0;
}

/* Prints a fixed-width scalar (everything but strings and nested types)
 * into buf; returns its length, or -1 for types it does not handle. */
static int scalar_text(const Vector *v, uint32_t i, char *buf)
{
    const LogicalType *t = v->type;
    const uint8_t *d = v->data;
    switch (t->id) {
    case TYPE_BOOL:
        buf[0] = d[i] ? 't' : 'f';
        return 1;
    case TYPE_INT8: return (int)put_i64(buf, ((const int8_t *)d)[i]);
    case TYPE_INT16: return (int)put_i64(buf, ((const int16_t *)d)[i]);
    case TYPE_INT32: return (int)put_i64(buf, ((const int32_t *)d)[i]);
    case TYPE_INT64: return (int)put_i64(buf, ((const int64_t *)d)[i]);
    case TYPE_UINT8: return (int)put_u64(buf, ((const uint8_t *)d)[i]);
    case TYPE_UINT16: return (int)put_u64(buf, ((const uint16_t *)d)[i]);
    case TYPE_UINT32: return (int)put_u64(buf, ((const uint32_t *)d)[i]);
    case TYPE_UINT64: return (int)put_u64(buf, ((const uint64_t *)d)[i]);
    case TYPE_FLOAT: return (int)value_format_float(((const float *)d)[i], buf);
    case TYPE_DOUBLE: return (int)value_format_double(((const double *)d)[i], buf);
    case TYPE_DECIMAL:
        if (t->precision <= DECIMAL64_MAX_PRECISION)
            return (int)value_format_decimal(((const int64_t *)d)[i], t->scale, buf);
        return (int)value_format_decimal(((const int128_t *)d)[i], t->scale, buf);
    case TYPE_DATE: return (int)dt_format_date(((const int32_t *)d)[i], buf);
    case TYPE_TIME: return (int)dt_format_time(((const int64_t *)d)[i], buf);
    case TYPE_TIMESTAMP: return (int)dt_format_timestamp(((const int64_t *)d)[i], false, buf);
    case TYPE_TIMESTAMPTZ: return (int)dt_format_timestamp(((const int64_t *)d)[i], true, buf);
    case TYPE_INTERVAL: return (int)value_format_interval(((const Interval *)d)[i], buf);
    default: return -1;
    }
}

/* ---- PostgreSQL text output ---------------------------------------------- */

static int format_text_rec(const Vector *v, uint32_t i, Buf *out, int depth);

/* PG array_out quoting: empty strings, "NULL" in any case, and elements
 * containing braces, quotes, backslashes, the delimiter or white space. */
static bool array_elem_needs_quotes(const uint8_t *s, size_t n)
{
    if (n == 0)
        return true;
    if (n == 4 && (s[0] | 32) == 'n' && (s[1] | 32) == 'u' && (s[2] | 32) == 'l' &&
        (s[3] | 32) == 'l')
        return true;
    for (size_t k = 0; k < n; k++) {
        switch (s[k]) {
        case '{': case '}': case ',': case '"': case '\\':
        case ' ': case '\t': case '\n': case '\r': case '\v': case '\f':
            return true;
        default:
            break;
        }
    }
    return false;
}

/* Nesting of values is bounded by the type tree, which tarn builds; the
 * guard only keeps a hostile file's type from exhausting the stack. */
#define MAX_FORMAT_DEPTH 512

static int format_list_text(const Vector *v, uint32_t i, Buf *out, int depth)
{
    const Vector *child = &v->children[0];
    bool child_is_list = child->type->id == TYPE_LIST;
    if (buf_append_byte(out, '{'))
        return TARN_ERR_NOMEM;
    for (uint32_t j = v->offsets[i]; j < v->offsets[i + 1]; j++) {
        if (j > v->offsets[i] && buf_append_byte(out, ','))
            return TARN_ERR_NOMEM;
        if (!vec_is_valid(child, j)) {
            if (buf_append(out, "NULL", 4))
                return TARN_ERR_NOMEM;
            continue;
        }
        size_t start = out->len;
        int rc = format_text_rec(child, j, out, depth + 1);
        if (rc)
            return rc;
        if (child_is_list)
            continue; /* sub-arrays are written bare, like PG's multi-dimensional arrays */
        size_t n = out->len - start;
        if (!array_elem_needs_quotes(out->data + start, n))
            continue;
        /* Re-write the element quoted, backslash-escaping '"' and '\'. */
        size_t extra = 2;
        for (size_t k = start; k < out->len; k++)
            extra += out->data[k] == '"' || out->data[k] == '\\';
        if (buf_reserve(out, extra))
            return TARN_ERR_NOMEM;
        uint8_t *d = out->data;
        size_t src = out->len, dst = out->len + extra;
        d[--dst] = '"';
        while (src > start) {
            uint8_t c = d[--src];
            d[--dst] = c;
            if (c == '"' || c == '\\')
                d[--dst] = '\\';
        }
        d[--dst] = '"';
        out->len += extra;
    }
    return buf_append_byte(out, '}') ? TARN_ERR_NOMEM : 0;
}

static int format_text_rec(const Vector *v, uint32_t i, Buf *out, int depth)
{
    if (depth > MAX_FORMAT_DEPTH)
        return TARN_ERR_UNSUPPORTED;
    if (!vec_is_valid(v, i))
        return 0;
    char tmp[VALUE_TEXT_MAX * 2];
    int n = scalar_text(v, i, tmp);
    if (n >= 0)
        return buf_append(out, tmp, (size_t)n) ? TARN_ERR_NOMEM : 0;
    switch (v->type->id) {
    case TYPE_STRING:
    case TYPE_JSON: {
        const StrView *s = &((const StrView *)v->data)[i];
        return buf_append(out, s->ptr, s->len) ? TARN_ERR_NOMEM : 0;
    }
    case TYPE_BLOB: {
        const StrView *s = &((const StrView *)v->data)[i];
        return put_hex_bytes((const uint8_t *)s->ptr, s->len, out);
    }
    case TYPE_UUID:
        return put_uuid(v->data + (size_t)i * 16, out);
    case TYPE_LIST:
        return format_list_text(v, i, out, depth);
    case TYPE_STRUCT:
    case TYPE_MAP:
        return value_format_json(v, i, out);
    default: /* TYPE_NULL and anything without a text form */
        return 0;
    }
}

int value_format_text(const Vector *v, uint32_t i, Buf *out)
{
    return format_text_rec(v, i, out, 0);
}

/* ---- JSON output ---------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 when the
 * bytes there are not one (overlong forms, surrogates and code points above
 * U+10FFFF are invalid). */
static size_t utf8_seq_len(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && s[1] >= 0xA0)
            return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90)
            return 0; /* overlong */
        if (c == 0xF4 && s[1] >= 0x90)
            return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

/* Bytes that need escaping inside a JSON string (or a closer look, for
 * bytes >= 0x80). */
static const uint8_t json_special[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x00 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x10 */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* '"' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* '\\' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x80.. */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

int value_append_json_string(Buf *out, const char *str, size_t n)
{
    const uint8_t *s = (const uint8_t *)str;
    /* Worst case: every byte becomes \ufffd (6 bytes). */
    if (n > (SIZE_MAX - 8) / 6 || buf_reserve(out, n + 2))
        return TARN_ERR_NOMEM;
    out->data[out->len++] = '"';
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && !json_special[s[run]])
            run++;
        if (run > i) {
            if (buf_append(out, s + i, run - i))
                return TARN_ERR_NOMEM;
            i = run;
            if (i == n)
                break;
        }
        uint8_t c = s[i];
        char esc[8];
        size_t elen = 0;
        if (c >= 0x80) {
            size_t k = utf8_seq_len(s + i, n - i);
            if (k) {
                if (buf_append(out, s + i, k))
                    return TARN_ERR_NOMEM;
                i += k;
                continue;
            }
            memcpy(esc, "\\ufffd", 6);
            elen = 6;
        } else {
            esc[0] = '\\';
            elen = 2;
            switch (c) {
            case '"': esc[1] = '"'; break;
            case '\\': esc[1] = '\\'; break;
            case '\b': esc[1] = 'b'; break;
            case '\f': esc[1] = 'f'; break;
            case '\n': esc[1] = 'n'; break;
            case '\r': esc[1] = 'r'; break;
            case '\t': esc[1] = 't'; break;
            default:
                memcpy(esc, "\\u00", 4);
                esc[4] = hex_digits[c >> 4];
                esc[5] = hex_digits[c & 15];
                elen = 6;
            }
        }
        if (buf_append(out, esc, elen))
            return TARN_ERR_NOMEM;
        i++;
    }
    return buf_append_byte(out, '"') ? TARN_ERR_NOMEM : 0;
}

/* ---- A JSON syntax checker (for embedding json-typed values) ------------- */

typedef struct {
    const uint8_t *p;
    const uint8_t *end;
} JsonScan;

static void js_ws(JsonScan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static bool js_hex4(JsonScan *s)
{
    if (s->end - s->p < 4)
        return false;
    for (int k = 0; k < 4; k++) {
        uint8_t c = s->p[k];
        if (!((c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'f')))
            return false;
    }
    s->p += 4;
    return true;
}

static bool js_string(JsonScan *s)
{
    s->p++; /* opening quote */
    while (s->p < s->end) {
        uint8_t c = *s->p;
        if (c == '"') {
            s->p++;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c == '\\') {
            s->p++;
            if (s->p >= s->end)
                return false;
            c = *s->p++;
            if (c == 'u') {
                if (!js_hex4(s))
                    return false;
            } else if (!strchr("\"\\/bfnrt", c) || c == 0) {
                return false;
            }
            continue;
        }
        size_t k = utf8_seq_len(s->p, (size_t)(s->end - s->p));
        if (!k)
            return false;
        s->p += k;
    }
    return false;
}

static bool js_digits(JsonScan *s)
{
    const uint8_t *start = s->p;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
        s->p++;
    return s->p > start;
}

static bool js_number(JsonScan *s)
{
    if (*s->p == '-')
        s->p++;
    if (s->p < s->end && *s->p == '0')
        s->p++;
    else if (!js_digits(s))
        return false;
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (!js_digits(s))
            return false;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (!js_digits(s))
            return false;
    }
    return true;
}

static bool js_word(JsonScan *s, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
        return false;
    s->p += n;
    return true;
}

static bool js_value(JsonScan *s, int depth)
{
    if (depth > 256)
        return false;
    js_ws(s);
    if (s->p >= s->end)
        return false;
    switch (*s->p) {
    case '"':
        return js_string(s);
    case 't': return js_word(s, "true");
    case 'f': return js_word(s, "false");
    case 'n': return js_word(s, "null");
    case '[':
    case '{': {
        bool obj = *s->p == '{';
        uint8_t close = obj ? '}' : ']';
        s->p++;
        js_ws(s);
        if (s->p < s->end && *s->p == close) {
            s->p++;
            return true;
        }
        for (;;) {
            if (obj) {
                js_ws(s);
                if (s->p >= s->end || *s->p != '"' || !js_string(s))
                    return false;
                js_ws(s);
                if (s->p >= s->end || *s->p++ != ':')
                    return false;
            }
            if (!js_value(s, depth + 1))
                return false;
            js_ws(s);
            if (s->p >= s->end)
                return false;
            uint8_t c = *s->p++;
            if (c == close)
                return true;
            if (c != ',')
                return false;
        }
    }
    default:
        if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
            return js_number(s);
        return false;
    }
}

bool value_json_valid(const char *str, size_t n)
{
    JsonScan s = {(const uint8_t *)str, (const uint8_t *)str + n};
    if (!js_value(&s, 0))
        return false;
    js_ws(&s);
    return s.p == s.end;
}

static int format_json_rec(const Vector *v, uint32_t i, Buf *out, int depth);

static int format_json_map(const Vector *v, uint32_t i, Buf *out, int depth)
{
    const Vector *keys = &v->children[0], *vals = &v->children[1];
    bool as_object = keys->type->id == TYPE_STRING;
    if (buf_append_byte(out, as_object ? '{' : '['))
        return TARN_ERR_NOMEM;
    for (uint32_t j = v->offsets[i]; j < v->offsets[i + 1]; j++) {
        if (j > v->offsets[i] && buf_append_byte(out, ','))
            return TARN_ERR_NOMEM;
        int rc;
        if (as_object) {
            if (vec_is_valid(keys, j)) {
                const StrView *k = &((const StrView *)keys->data)[j];
                rc = value_append_json_string(out, k->ptr, k->len);
            } else {
                rc = buf_append(out, "\"\"", 2);
            }
            if (rc || buf_append_byte(out, ':'))
                return TARN_ERR_NOMEM;
            rc = format_json_rec(vals, j, out, depth + 1);
        } else {
            if (buf_append(out, "{\"key\":", 7))
                return TARN_ERR_NOMEM;
            rc = format_json_rec(keys, j, out, depth + 1);
            if (rc)
                return rc;
            if (buf_append(out, ",\"value\":", 9))
                return TARN_ERR_NOMEM;
            rc = format_json_rec(vals, j, out, depth + 1);
            if (!rc && buf_append_byte(out, '}'))
                rc = TARN_ERR_NOMEM;
        }
        if (rc)
            return rc;
    }
    return buf_append_byte(out, as_object ? '}' : ']') ? TARN_ERR_NOMEM : 0;
}

static int format_json_rec(const Vector *v, uint32_t i, Buf *out, int depth)
{
    if (depth > MAX_FORMAT_DEPTH)
        return TARN_ERR_UNSUPPORTED;
    if (!vec_is_valid(v, i) || v->type->id == TYPE_NULL)
        return buf_append(out, "null", 4) ? TARN_ERR_NOMEM : 0;
    char tmp[VALUE_TEXT_MAX * 2];
    const LogicalType *t = v->type;
    switch (t->id) {
    case TYPE_BOOL:
        return (v->data[i] ? buf_append(out, "true", 4) : buf_append(out, "false", 5))
                   ? TARN_ERR_NOMEM
                   : 0;
    case TYPE_FLOAT:
    case TYPE_DOUBLE: {
        double d = t->id == TYPE_FLOAT ? (double)((const float *)v->data)[i]
                                       : ((const double *)v->data)[i];
        int n = scalar_text(v, i, tmp);
        if (!isfinite(d))
            return value_append_json_string(out, tmp, (size_t)n);
        return buf_append(out, tmp, (size_t)n) ? TARN_ERR_NOMEM : 0;
    }
    case TYPE_INT8: case TYPE_INT16: case TYPE_INT32: case TYPE_INT64:
    case TYPE_UINT8: case TYPE_UINT16: case TYPE_UINT32: case TYPE_UINT64:
    case TYPE_DECIMAL: {
        int n = scalar_text(v, i, tmp);
        return buf_append(out, tmp, (size_t)n) ? TARN_ERR_NOMEM : 0;
    }
    case TYPE_DATE: case TYPE_TIME: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ:
    case TYPE_INTERVAL: {
        int n = scalar_text(v, i, tmp);
        if (buf_reserve(out, (size_t)n + 2))
            return TARN_ERR_NOMEM;
        out->data[out->len++] = '"';
        memcpy(out->data + out->len, tmp, (size_t)n);
        out->len += (size_t)n;
        out->data[out->len++] = '"';
        return 0;
    }
    case TYPE_UUID:
        if (buf_append_byte(out, '"') || put_uuid(v->data + (size_t)i * 16, out) ||
            buf_append_byte(out, '"'))
            return TARN_ERR_NOMEM;
        return 0;
    case TYPE_STRING: {
        const StrView *s = &((const StrView *)v->data)[i];
        return value_append_json_string(out, s->ptr, s->len);
    }
    case TYPE_JSON: {
        const StrView *s = &((const StrView *)v->data)[i];
        if (value_json_valid(s->ptr, s->len))
            return buf_append(out, s->ptr, s->len) ? TARN_ERR_NOMEM : 0;
        return value_append_json_string(out, s->ptr, s->len);
    }
    case TYPE_BLOB: {
        /* "\\x0102": the text form, with its backslash escaped for JSON. */
        const StrView *s = &((const StrView *)v->data)[i];
        if (buf_append_byte(out, '"') || buf_append_byte(out, '\\') ||
            put_hex_bytes((const uint8_t *)s->ptr, s->len, out) || buf_append_byte(out, '"'))
            return TARN_ERR_NOMEM;
        return 0;
    }
    case TYPE_LIST: {
        const Vector *child = &v->children[0];
        if (buf_append_byte(out, '['))
            return TARN_ERR_NOMEM;
        for (uint32_t j = v->offsets[i]; j < v->offsets[i + 1]; j++) {
            if (j > v->offsets[i] && buf_append_byte(out, ','))
                return TARN_ERR_NOMEM;
            int rc = format_json_rec(child, j, out, depth + 1);
            if (rc)
                return rc;
        }
        return buf_append_byte(out, ']') ? TARN_ERR_NOMEM : 0;
    }
    case TYPE_STRUCT: {
        if (buf_append_byte(out, '{'))
            return TARN_ERR_NOMEM;
        for (uint32_t c = 0; c < v->n_children; c++) {
            const char *name = t->fields[c].name;
            if ((c && buf_append_byte(out, ',')) ||
                value_append_json_string(out, name, strlen(name)) || buf_append_byte(out, ':'))
                return TARN_ERR_NOMEM;
            int rc = format_json_rec(&v->children[c], i, out, depth + 1);
            if (rc)
                return rc;
        }
        return buf_append_byte(out, '}') ? TARN_ERR_NOMEM : 0;
    }
    case TYPE_MAP:
        return format_json_map(v, i, out, depth);
    default:
        return buf_append(out, "null", 4) ? TARN_ERR_NOMEM : 0;
    }
}

int value_format_json(const Vector *v, uint32_t i, Buf *out)
{
    return format_json_rec(v, i, out, 0);
}

/* ---- Input ------------------------------------------------------------------ */

static inline bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_blank(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_blank((*s)[*n - 1]))
        (*n)--;
}

static bool word_eq(const char *s, size_t n, const char *w)
{
    size_t wn = strlen(w);
    if (n != wn)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != w[i])
            return false;
    }
    return true;
}

bool value_parse_bool(const char *s, size_t n, bool *out)
{
    trim(&s, &n);
    if (word_eq(s, n, "t") || word_eq(s, n, "true") || word_eq(s, n, "yes") ||
        word_eq(s, n, "on") || word_eq(s, n, "1") || word_eq(s, n, "y")) {
        *out = true;
        return true;
    }
    if (word_eq(s, n, "f") || word_eq(s, n, "false") || word_eq(s, n, "no") ||
        word_eq(s, n, "off") || word_eq(s, n, "0") || word_eq(s, n, "n")) {
        *out = false;
        return true;
    }
    return false;
}

bool value_parse_u64(const char *s, size_t n, uint64_t *out)
{
    trim(&s, &n);
    if (n && *s == '+') {
        s++;
        n--;
    }
    if (n == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9)
            return false;
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool value_parse_i64(const char *s, size_t n, int64_t *out)
{
    trim(&s, &n);
    bool neg = false;
    if (n && (*s == '-' || *s == '+')) {
        neg = *s == '-';
        s++;
        n--;
    }
    if (n == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9)
            return false;
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return false;
        *out = (int64_t)((uint64_t)0 - v);
    } else {
        if (v > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)v;
    }
    return true;
}

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

bool value_parse_double(const char *s, size_t n, double *out)
{
    trim(&s, &n);
    if (n == 0)
        return false;
    /* Validate the grammar, collecting up to 19 significant digits. */
    size_t i = 0;
    bool neg = false;
    if (s[i] == '-' || s[i] == '+') {
        neg = s[i] == '-';
        i++;
    }
    const char *rest = s + i;
    size_t rest_n = n - i;
    if (word_eq(rest, rest_n, "nan")) {
        *out = NAN;
        return true;
    }
    if (word_eq(rest, rest_n, "inf") || word_eq(rest, rest_n, "infinity")) {
        *out = neg ? -INFINITY : INFINITY;
        return true;
    }
    uint64_t mant = 0;
    int sig = 0;          /* significant digits taken into mant */
    int dropped = 0;      /* integer digits beyond the 19 kept */
    int frac_taken = 0;   /* fraction digits taken into mant */
    bool truncated = false, any = false;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        any = true;
        if (sig < 19) {
            if (mant || s[i] != '0') {
                mant = mant * 10 + (uint64_t)(s[i] - '0');
                sig++;
            }
        } else {
            dropped++;
            truncated |= s[i] != '0';
        }
        i++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            any = true;
            if (sig < 19) {
                if (mant || s[i] != '0')
                    sig++;
                mant = mant * 10 + (uint64_t)(s[i] - '0');
                frac_taken++;
            } else {
                truncated |= s[i] != '0';
            }
            i++;
        }
    }
    if (!any)
        return false;
    int64_t exp10 = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '-' || s[i] == '+')) {
            eneg = s[i] == '-';
            i++;
        }
        if (i >= n || s[i] < '0' || s[i] > '9')
            return false;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (exp10 < 100000)
                exp10 = exp10 * 10 + (s[i] - '0');
            i++;
        }
        if (eneg)
            exp10 = -exp10;
    }
    if (i != n)
        return false;
    if (mant == 0) {
        *out = neg ? -0.0 : 0.0;
        return true;
    }
    int64_t e = exp10 + dropped - frac_taken;
    /* Clinger's fast path: both the mantissa and the power of ten are exact
     * doubles, so one IEEE operation rounds correctly. */
    if (!truncated && mant <= (UINT64_C(1) << 53) && e >= -22 && e <= 22) {
        double d = (double)mant;
        d = e < 0 ? d / pow10_exact[-e] : d * pow10_exact[e];
        *out = neg ? -d : d;
        return true;
    }
    char small[128];
    char *tmp = small;
    if (n >= sizeof small) {
        tmp = tarn_malloc(n + 1);
        if (!tmp)
            return false;
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    errno = 0;
    double d = strtod(tmp, NULL);
    bool range_err = errno == ERANGE && (d == 0 || isinf(d)); /* PG: out of range */
    if (tmp != small)
        tarn_free(tmp);
    if (range_err)
        return false;
    *out = d;
    return true;
}

bool value_parse_decimal(const char *s, size_t n, int precision, int scale, int128_t *out)
{
    trim(&s, &n);
    if (precision < 1 || precision > DECIMAL_MAX_PRECISION || scale < 0 || scale > precision)
        return false;
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        i++;
    }
    /* The digits D (leading zeros dropped, the first 80 kept), how many
     * there are in all, and how many came after the point. */
    char digits[80];
    int64_t n_digits = 0, frac_len = 0;
    bool any = false, seen_point = false;
    for (; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            any = true;
            if (seen_point)
                frac_len++;
            if (n_digits == 0 && c == '0')
                continue;
            if (n_digits < (int64_t)sizeof digits)
                digits[n_digits] = c;
            n_digits++;
        } else if (c == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
    }
    if (!any)
        return false;
    int64_t exp10 = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '-' || s[i] == '+')) {
            eneg = s[i] == '-';
            i++;
        }
        if (i >= n || s[i] < '0' || s[i] > '9')
            return false;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (exp10 < 100000)
                exp10 = exp10 * 10 + (s[i] - '0');
            i++;
        }
        if (eneg)
            exp10 = -exp10;
    }
    if (i != n)
        return false;
    /* value * 10^scale = D * 10^shift; its integer part has `kept` digits. */
    int64_t shift = exp10 - frac_len + scale;
    int64_t kept = n_digits + shift;
    int128_t v = 0;
    if (n_digits > 0) {
        if (kept > precision)
            return false;
        for (int64_t k = 0; k < kept; k++)
            v = v * 10 + (k < n_digits ? digits[k] - '0' : 0);
        if (kept >= 0 && kept < n_digits && digits[kept] >= '5') {
            v += 1;
            int128_t limit = 1;
            for (int k = 0; k < precision; k++)
                limit *= 10;
            if (v >= limit)
                return false;
        }
    }
    *out = neg ? -v : v;
    return true;
}

bool value_parse_uuid(const char *s, size_t n, uint8_t out[16])
{
    trim(&s, &n);
    if (n >= 2 && s[0] == '{' && s[n - 1] == '}') {
        s++;
        n -= 2;
    }
    int nib = 0;
    uint8_t tmp[16];
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '-') {
            if (nib == 0 || nib % 4 != 0 || nib >= 32 || i + 1 == n || s[i + 1] == '-')
                return false;
            continue;
        }
        int v;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if ((c | 32) >= 'a' && (c | 32) <= 'f')
            v = (c | 32) - 'a' + 10;
        else
            return false;
        if (nib >= 32)
            return false;
        if (nib % 2 == 0)
            tmp[nib / 2] = (uint8_t)(v << 4);
        else
            tmp[nib / 2] |= (uint8_t)v;
        nib++;
    }
    if (nib != 32)
        return false;
    memcpy(out, tmp, 16);
    return true;
}

/* ISO 8601 "format with designators": P[nY][nM][nW][nD][T[nH][nM][nS]],
 * numbers possibly fractional and signed (PostgreSQL's DecodeISO8601Interval,
 * fractions spread like the unit words above). */
static bool parse_iso8601_interval(const char *s, size_t n, Interval *out)
{
    double months = 0, days = 0, micros = 0;
    bool in_time = false, any = false;
    size_t i = 1;
    while (i < n) {
        if (s[i] == 'T' || s[i] == 't') {
            if (in_time)
                return false;
            in_time = true;
            i++;
            continue;
        }
        size_t st = i;
        if (s[i] == '+' || s[i] == '-')
            i++;
        while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
            i++;
        double num;
        if (i == st || i >= n || !value_parse_double(s + st, i - st, &num) || !isfinite(num))
            return false;
        double ip = trunc(num), fr = num - ip;
        char u = (char)(s[i] | 32);
        i++;
        if (!in_time && u == 'y') {
            months += ip * 12 + rint(fr * 12);
        } else if (!in_time && u == 'm') {
            months += ip;
            double fd = fr * 30;
            days += trunc(fd);
            micros += rint((fd - trunc(fd)) * (double)DT_USECS_PER_DAY);
        } else if (!in_time && u == 'w') {
            days += ip * 7;
            double fd = fr * 7;
            days += trunc(fd);
            micros += rint((fd - trunc(fd)) * (double)DT_USECS_PER_DAY);
        } else if (!in_time && u == 'd') {
            days += ip;
            micros += rint(fr * (double)DT_USECS_PER_DAY);
        } else if (in_time && u == 'h') {
            micros += num * (double)DT_USECS_PER_HOUR;
        } else if (in_time && u == 'm') {
            micros += num * (double)DT_USECS_PER_MIN;
        } else if (in_time && u == 's') {
            micros += num * (double)DT_USECS_PER_SEC;
        } else {
            return false;
        }
        any = true;
    }
    if (!any || fabs(months) > INT32_MAX || fabs(days) > INT32_MAX || !(fabs(micros) < 9.2e18))
        return false;
    out->months = (int32_t)months;
    out->days = (int32_t)days;
    out->micros = (int64_t)llround(micros);
    return true;
}

/* 0 parsed, 1 not an interval, 2 a field or the result out of range. */
static int parse_interval_impl(const char *s, size_t n, Interval *out)
{
    trim(&s, &n);
    if (n >= 2 && (s[0] == 'P' || s[0] == 'p') && s[1] != ' ')
        return parse_iso8601_interval(s, n, out) ? 0 : 1;
    if (n > 0 && s[0] == '@') { /* "@ 1 day" (postgres_verbose input) */
        s++;
        n--;
    }
    int64_t months = 0, days = 0;
    double micros = 0;
    size_t i = 0;
    bool any = false;
    while (i < n) {
        while (i < n && is_blank(s[i]))
            i++;
        if (i >= n)
            break;
        if (word_eq(s + i, n - i, "ago")) {
            months = -months;
            days = -days;
            micros = -micros;
            i = n;
            break;
        }
        size_t start = i;
        if (s[i] == '+' || s[i] == '-')
            i++;
        size_t digits_at = i;
        while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
            i++;
        if (i == digits_at)
            return 1;
        if (i < n && s[i] == ':') {
            /* [+-]hh:mm[:ss[.ffffff]] */
            bool neg = s[start] == '-';
            size_t tstart = s[start] == '+' || s[start] == '-' ? start + 1 : start;
            size_t tend = i;
            while (tend < n && !is_blank(s[tend]))
                tend++;
            int64_t hh = 0;
            size_t k = tstart;
            int hd = 0;
            while (k < tend && s[k] >= '0' && s[k] <= '9' && hd < 9) {
                hh = hh * 10 + (s[k] - '0');
                k++;
                hd++;
            }
            if (hd == 0 || k >= tend || s[k] != ':')
                return 1;
            int64_t t;
            /* Reuse the time-of-day parser for mm:ss.ffffff behind "00:". */
            char tbuf[64];
            size_t rest = tend - k;
            if (rest + 2 >= sizeof tbuf)
                return 1;
            tbuf[0] = '0';
            tbuf[1] = '0';
            memcpy(tbuf + 2, s + k, rest);
            if (!dt_parse_time(tbuf, rest + 2, &t))
                return 1;
            double v = (double)hh * (double)DT_USECS_PER_HOUR + (double)t;
            micros += neg ? -v : v;
            i = tend;
            any = true;
            continue;
        }
        double num;
        if (!value_parse_double(s + start, i - start, &num) || !isfinite(num))
            return 1;
        while (i < n && is_blank(s[i]))
            i++;
        size_t ustart = i;
        while (i < n && ((s[i] | 32) >= 'a' && (s[i] | 32) <= 'z'))
            i++;
        const char *u = s + ustart;
        size_t un = i - ustart;
        if (fabs(num) > 2147483647.0 * 1000)
            return 2;
        /* PostgreSQL (DecodeInterval): the integer part counts in its unit;
         * a fraction of years/decades... becomes whole months (rounded), of
         * months 30-day days, of weeks/days days, and what is left of a day
         * seconds (AdjustFractDays / AdjustFractSeconds). */
        double ipart = trunc(num), frac = num - ipart;
        int64_t yscale = 0;
        if (word_eq(u, un, "year") || word_eq(u, un, "years") || word_eq(u, un, "y") || word_eq(u, un, "yr") ||
            word_eq(u, un, "yrs"))
            yscale = 1;
        else if (word_eq(u, un, "decade") || word_eq(u, un, "decades") || word_eq(u, un, "dec") ||
                 word_eq(u, un, "decs"))
            yscale = 10;
        else if (word_eq(u, un, "century") || word_eq(u, un, "centuries") || word_eq(u, un, "c") ||
                 word_eq(u, un, "cent"))
            yscale = 100;
        else if (word_eq(u, un, "millennium") || word_eq(u, un, "millennia") || word_eq(u, un, "mil") ||
                 word_eq(u, un, "mils"))
            yscale = 1000;
        if (yscale) {
            if (fabs(num) * (double)yscale > 178956970)
                return 2;
            months += (int64_t)ipart * yscale * 12 + (int64_t)rint(frac * (double)(yscale * 12));
        } else if (word_eq(u, un, "mon") || word_eq(u, un, "mons") ||
                   word_eq(u, un, "month") || word_eq(u, un, "months")) {
            months += (int64_t)ipart;
            double fd = frac * 30;
            days += (int64_t)fd;
            micros += rint((fd - trunc(fd)) * (double)DT_USECS_PER_DAY);
        } else if (word_eq(u, un, "week") || word_eq(u, un, "weeks") || word_eq(u, un, "w")) {
            if (fabs(num) > 306783378.0)
                return 2;
            days += (int64_t)ipart * 7;
            double fd = frac * 7;
            days += (int64_t)fd;
            micros += rint((fd - trunc(fd)) * (double)DT_USECS_PER_DAY);
        } else if (word_eq(u, un, "day") || word_eq(u, un, "days") || word_eq(u, un, "d")) {
            days += (int64_t)ipart;
            micros += rint(frac * (double)DT_USECS_PER_DAY);
        } else if (word_eq(u, un, "hour") || word_eq(u, un, "hours") || word_eq(u, un, "h") ||
                   word_eq(u, un, "hr") || word_eq(u, un, "hrs")) {
            micros += num * (double)DT_USECS_PER_HOUR;
        } else if (word_eq(u, un, "min") || word_eq(u, un, "mins") ||
                   word_eq(u, un, "minute") || word_eq(u, un, "minutes") || word_eq(u, un, "m")) {
            micros += num * (double)DT_USECS_PER_MIN;
        } else if (word_eq(u, un, "sec") || word_eq(u, un, "secs") ||
                   word_eq(u, un, "second") || word_eq(u, un, "seconds") || word_eq(u, un, "s")) {
            micros += num * (double)DT_USECS_PER_SEC;
        } else if (word_eq(u, un, "ms") || word_eq(u, un, "millisecond") || word_eq(u, un, "msec") ||
                   word_eq(u, un, "msecs") || word_eq(u, un, "milliseconds")) {
            micros += num * 1000.0;
        } else if (word_eq(u, un, "us") || word_eq(u, un, "microsecond") || word_eq(u, un, "usec") ||
                   word_eq(u, un, "usecs") || word_eq(u, un, "microseconds")) {
            micros += num;
        } else {
            return 1;
        }
        any = true;
    }
    if (!any)
        return 1;
    if (months > INT32_MAX || months < INT32_MIN || days > INT32_MAX || days < INT32_MIN)
        return 2;
    if (!(fabs(micros) < 9.2e18))
        return 2;
    out->months = (int32_t)months;
    out->days = (int32_t)days;
    out->micros = (int64_t)llround(micros);
    return 0;
}

bool value_parse_interval(const char *s, size_t n, Interval *out)
{
    return parse_interval_impl(s, n, out) == 0;
}

bool value_interval_out_of_range(const char *s, size_t n)
{
    Interval tmp;
    return parse_interval_impl(s, n, &tmp) == 2;
}

/* bytea input: "\x" + hex digits, or the escape format (backslash-octal
 * and doubled backslashes, other bytes as they are).  Writes at most n
 * bytes to dst; returns the count or -1. */
static ssize_t parse_bytea(const char *s, size_t n, uint8_t *dst)
{
    if (n >= 2 && s[0] == '\\' && s[1] == 'x') {
        size_t k = 0;
        int hi = -1;
        for (size_t i = 2; i < n; i++) {
            char c = s[i];
            int v;
            if (c >= '0' && c <= '9')
                v = c - '0';
            else if ((c | 32) >= 'a' && (c | 32) <= 'f')
                v = (c | 32) - 'a' + 10;
            else if (is_blank(c) && hi < 0)
                continue;
            else
                return -1;
            if (hi < 0) {
                hi = v;
            } else {
                dst[k++] = (uint8_t)(hi << 4 | v);
                hi = -1;
            }
        }
        return hi < 0 ? (ssize_t)k : -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            dst[k++] = (uint8_t)s[i];
            continue;
        }
        if (i + 1 < n && s[i + 1] == '\\') {
            dst[k++] = '\\';
            i++;
        } else if (i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
                   s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
            dst[k++] = (uint8_t)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
            i += 3;
        } else {
            return -1;
        }
    }
    return (ssize_t)k;
}

int value_parse_append(Vector *v, const char *s, size_t n)
{
    const LogicalType *t = v->type;
    switch (t->id) {
    case TYPE_BOOL: {
        bool b;
        if (!value_parse_bool(s, n, &b))
            return TARN_ERR_TYPE;
        return vec_append_bool(v, b);
    }
    case TYPE_INT8: case TYPE_INT16: case TYPE_INT32: case TYPE_INT64: {
        int64_t x;
        if (!value_parse_i64(s, n, &x))
            return TARN_ERR_TYPE;
        int64_t lo = t->id == TYPE_INT8 ? INT8_MIN : t->id == TYPE_INT16 ? INT16_MIN
                   : t->id == TYPE_INT32 ? INT32_MIN : INT64_MIN;
        int64_t hi = t->id == TYPE_INT8 ? INT8_MAX : t->id == TYPE_INT16 ? INT16_MAX
                   : t->id == TYPE_INT32 ? INT32_MAX : INT64_MAX;
        if (x < lo || x > hi)
            return TARN_ERR_TYPE;
        return vec_append_i64(v, x);
    }
    case TYPE_UINT8: case TYPE_UINT16: case TYPE_UINT32: case TYPE_UINT64: {
        uint64_t x;
        if (!value_parse_u64(s, n, &x))
            return TARN_ERR_TYPE;
        uint64_t hi = t->id == TYPE_UINT8 ? UINT8_MAX : t->id == TYPE_UINT16 ? UINT16_MAX
                    : t->id == TYPE_UINT32 ? UINT32_MAX : UINT64_MAX;
        if (x > hi)
            return TARN_ERR_TYPE;
        return vec_append_u64(v, x);
    }
    case TYPE_FLOAT:
    case TYPE_DOUBLE: {
        double d;
        if (!value_parse_double(s, n, &d))
            return TARN_ERR_TYPE;
        return vec_append_double(v, d);
    }
    case TYPE_DECIMAL: {
        int128_t x;
        if (!value_parse_decimal(s, n, t->precision, t->scale, &x))
            return TARN_ERR_TYPE;
        return vec_append_i128(v, x);
    }
    case TYPE_DATE: {
        int32_t d;
        if (!dt_parse_date(s, n, &d))
            return TARN_ERR_TYPE;
        return vec_append_i64(v, d);
    }
    case TYPE_TIME: {
        int64_t x;
        if (!dt_parse_time(s, n, &x))
            return TARN_ERR_TYPE;
        return vec_append_i64(v, x);
    }
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ: {
        int64_t x;
        if (!dt_parse_timestamp(s, n, &x, NULL))
            return TARN_ERR_TYPE;
        return vec_append_i64(v, x);
    }
    case TYPE_INTERVAL: {
        Interval iv;
        if (!value_parse_interval(s, n, &iv))
            return TARN_ERR_TYPE;
        return vec_append_interval(v, iv);
    }
    case TYPE_UUID: {
        uint8_t u[16];
        if (!value_parse_uuid(s, n, u))
            return TARN_ERR_TYPE;
        return vec_append_str(v, (const char *)u, 16);
    }
    case TYPE_STRING:
    case TYPE_JSON:
        return vec_append_str(v, s, n);
    case TYPE_BLOB: {
        /* Decoded bytes are never longer than the text. */
        if (vec_reserve(v, v->len + 1))
            return TARN_ERR_NOMEM;
        uint8_t *dst = n ? arena_alloc(&v->heap, n) : NULL;
        if (n && !dst)
            return TARN_ERR_NOMEM;
        ssize_t k = n ? parse_bytea(s, n, dst) : 0;
        if (k < 0)
            return TARN_ERR_TYPE;
        StrView sv = {(uint32_t)k, 0, k ? (const char *)dst : ""};
        ((StrView *)v->data)[v->len++] = sv;
        return 0;
    }
    case TYPE_NULL:
        return vec_append_null(v);
    default:
        return TARN_ERR_UNSUPPORTED;
    }
}
