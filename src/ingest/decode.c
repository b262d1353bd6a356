/*
 * decode.c - record decoders (see decode.h).  The JSON decoder scans the
 * object once, straight into the sink's vectors: no tree, no allocation
 * per value (strings without escapes are copied once, into the vector's
 * heap; escaped ones are unescaped into a reused scratch buffer).
 */
#include "ingest/decode.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format/avro/avro.h"
#include "format/json/json_parse.h"
#include "util/datetime.h"
#include "vector/format.h"

#define MAX_HINTS 256

struct IngestDecoder {
    IngestSink *s;
    IngestFormat format;
    const char *const *reserved;
    int n_reserved;
    Buf key_buf, str_buf;      /* unescaped key / string value scratch */
    Arena scratch;             /* nested value validation */
    int hint[MAX_HINTS];       /* JSON: column of the i-th key last time */
    uint32_t hint_len[MAX_HINTS]; /* ... and its name's length */
    bool hint_plain[MAX_HINTS];   /* ... which is its own JSON text (no '"', '\\', control bytes) */
    const IngestSink *hint_sink; /* the sink and epoch the hints are for */
    uint64_t hint_epoch;
    /* CSV: column index of c<i+1>, -1 unknown */
    int csv_cols[MAX_HINTS];
    /* Avro */
    AvroDecoder *avro;
    bool confluent;
    int *avro_cols;
    Vector *avro_tmp;
    uint32_t avro_n;
};

/* ---- Helpers ---------------------------------------------------------------- */

static bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        uint32_t cp;
        if ((c & 0xE0) == 0xC0) { k = 1; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { k = 2; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { k = 3; cp = c & 0x07; }
        else return false;
        if (i + k >= n)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += k + 1;
    }
    return true;
}

static int bad(char *eb, size_t ecap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(char *eb, size_t ecap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(eb, ecap, fmt, ap);
    va_end(ap);
    return 1;
}

static bool is_reserved(const IngestDecoder *d, const char *k, size_t n)
{
    for (int i = 0; i < d->n_reserved; i++)
        if (strncasecmp(d->reserved[i], k, n) == 0 && d->reserved[i][n] == '\0')
            return true;
    return false;
}

/* ---- JSON ---------------------------------------------------------------------- */

typedef enum { V_NULL, V_BOOL, V_INT, V_DOUBLE, V_STR, V_NESTED } VKind;

typedef struct JVal {
    VKind kind;
    bool b;
    int64_t i;
    double d;
    const char *str;   /* V_STR: unescaped bytes; others: raw text */
    size_t len;
    const char *raw;   /* the value's JSON text */
    size_t raw_len;
} JVal;

static inline const char *skip_ws(const char *p, const char *end)
{
    if (p < end && (unsigned char)*p > ' ')   /* the usual case: no blank */
        return p;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int read_hex4(const char *p, const char *end, uint32_t *out)
{
    if (end - p < 4)
        return -1;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        v = v << 4 | (uint32_t)h;
    }
    *out = v;
    return 0;
}

/* memcmp(a, b, n) == 0 for the short names of fields, without a call */
static inline bool bytes_eq(const char *a, const char *b, size_t n)
{
    uint64_t x, y;
    uint32_t x4, y4, x4e, y4e;
    uint16_t x2, y2, x2e, y2e;
    if (n >= 8) {
        for (; n > 8; a += 8, b += 8, n -= 8) {
            memcpy(&x, a, 8);
            memcpy(&y, b, 8);
            if (x != y)
                return false;
        }
        /* the last 8 bytes (overlapping the ones compared) */
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    if (n >= 4) {
        memcpy(&x4, a, 4);
        memcpy(&y4, b, 4);
        memcpy(&x4e, a + n - 4, 4);
        memcpy(&y4e, b + n - 4, 4);
        return x4 == y4 && x4e == y4e;
    }
    if (n >= 2) {
        memcpy(&x2, a, 2);
        memcpy(&y2, b, 2);
        memcpy(&x2e, a + n - 2, 2);
        memcpy(&y2e, b + n - 2, 2);
        return x2 == y2 && x2e == y2e;
    }
    return n == 0 || *a == *b;
}

#define SWAR_ONES 0x0101010101010101ull
#define SWAR_HIGHS 0x8080808080808080ull

/* Parses the string at *pp (at its opening quote).  Without escapes *out
 * points into the input; else into buf.  Returns 0 or 1 (bad, eb set). */
static int parse_string(const char **pp, const char *end, const char *base, Buf *buf, const char **out,
                        size_t *len_out, char *eb, size_t ecap)
{
    const char *p = *pp + 1, *start = p;
    bool high = false;
    for (;;) {
        /* 8 bytes at a time while none is '"', '\\', a control byte or
         * non-ASCII; then on to the first such byte (the lowest flag of
         * each test is exact, false alarms come only above a true one) for
         * the byte step */
        while (end - p >= 8) {
            uint64_t w, q, b;
            memcpy(&w, p, 8);
            q = w ^ (SWAR_ONES * '"');
            b = w ^ (SWAR_ONES * '\\');
            uint64_t m = (((q - SWAR_ONES) & ~q) | ((b - SWAR_ONES) & ~b) | ((w - SWAR_ONES * 0x20) & ~w) | w) &
                         SWAR_HIGHS;
            if (m) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                p += __builtin_ctzll(m) >> 3;
#endif
                break;
            }
            p += 8;
        }
        if (p >= end || *p == '"' || *p == '\\')
            break;
        if ((unsigned char)*p < 0x20)
            return bad(eb, ecap, "invalid JSON at byte %zu: control character in a string", (size_t)(p - base));
        high |= (unsigned char)*p >= 0x80;
        p++;
    }
    if (p >= end)
        return bad(eb, ecap, "invalid JSON at byte %zu: unterminated string", (size_t)(start - 1 - base));
    if (*p == '"') {
        if (high && !utf8_valid((const uint8_t *)start, (size_t)(p - start)))
            return bad(eb, ecap, "invalid JSON at byte %zu: invalid UTF-8 in a string", (size_t)(start - base));
        *out = start;
        *len_out = (size_t)(p - start);
        *pp = p + 1;
        return 0;
    }
    /* escapes: unescape into buf */
    buf_clear(buf);
    if (buf_append(buf, start, (size_t)(p - start)))
        return bad(eb, ecap, "out of memory");
    while (p < end && *p != '"') {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20)
            return bad(eb, ecap, "invalid JSON at byte %zu: control character in a string", (size_t)(p - base));
        if (c != '\\') {
            high |= c >= 0x80;
            if (buf_append_byte(buf, c))
                return bad(eb, ecap, "out of memory");
            p++;
            continue;
        }
        if (p + 1 >= end)
            break;
        char e = p[1];
        char o;
        p += 2;
        switch (e) {
        case '"': o = '"'; break;
        case '\\': o = '\\'; break;
        case '/': o = '/'; break;
        case 'b': o = '\b'; break;
        case 'f': o = '\f'; break;
        case 'n': o = '\n'; break;
        case 'r': o = '\r'; break;
        case 't': o = '\t'; break;
        case 'u': {
            uint32_t cp;
            if (read_hex4(p, end, &cp))
                return bad(eb, ecap, "invalid JSON at byte %zu: bad \\u escape", (size_t)(p - 2 - base));
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo;
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || read_hex4(p + 2, end, &lo) || lo < 0xDC00 ||
                    lo > 0xDFFF)
                    return bad(eb, ecap, "invalid JSON at byte %zu: unpaired surrogate", (size_t)(p - 6 - base));
                p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF)
                return bad(eb, ecap, "invalid JSON at byte %zu: unpaired surrogate", (size_t)(p - 6 - base));
            uint8_t u[4];
            size_t k;
            if (cp < 0x80) { u[0] = (uint8_t)cp; k = 1; }
            else if (cp < 0x800) { u[0] = (uint8_t)(0xC0 | cp >> 6); u[1] = (uint8_t)(0x80 | (cp & 0x3F)); k = 2; }
            else if (cp < 0x10000) {
                u[0] = (uint8_t)(0xE0 | cp >> 12); u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
                u[2] = (uint8_t)(0x80 | (cp & 0x3F)); k = 3;
            } else {
                u[0] = (uint8_t)(0xF0 | cp >> 18); u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
                u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (uint8_t)(0x80 | (cp & 0x3F)); k = 4;
            }
            if (buf_append(buf, u, k))
                return bad(eb, ecap, "out of memory");
            continue;
        }
        default:
            return bad(eb, ecap, "invalid JSON at byte %zu: bad escape \\%c", (size_t)(p - 2 - base), e);
        }
        if (buf_append_byte(buf, (uint8_t)o))
            return bad(eb, ecap, "out of memory");
    }
    if (p >= end)
        return bad(eb, ecap, "invalid JSON at byte %zu: unterminated string", (size_t)(start - 1 - base));
    if (high && !utf8_valid(buf->data, buf->len))
        return bad(eb, ecap, "invalid JSON at byte %zu: invalid UTF-8 in a string", (size_t)(start - base));
    *out = buf->len ? (const char *)buf->data : "";
    *len_out = buf->len;
    *pp = p + 1;
    return 0;
}

/* Parses a number per the JSON grammar. */
static int parse_number(const char **pp, const char *end, const char *base, JVal *v, char *eb, size_t ecap)
{
    const char *p = *pp, *start = p;
    bool neg = false, is_int = true;
    if (p < end && *p == '-') {
        neg = true;
        p++;
    }
    if (p >= end || *p < '0' || *p > '9')
        return bad(eb, ecap, "invalid JSON at byte %zu: bad number", (size_t)(start - base));
    uint64_t acc = 0;
    bool overflow = false;
    if (*p == '0')
        p++;
    else {
        /* 19 digits cannot overflow (10^19 - 1 < 2^64): no check for them */
        const char *lim = end - p > 19 ? p + 19 : end;
        while (p < lim && *p >= '0' && *p <= '9')
            acc = acc * 10 + (unsigned)(*p++ - '0');
        while (p < end && *p >= '0' && *p <= '9') {
            unsigned dgt = (unsigned)(*p - '0');
            if (acc > (UINT64_MAX - dgt) / 10)
                overflow = true;
            else
                acc = acc * 10 + dgt;
            p++;
        }
    }
    if (p < end && *p == '.') {
        is_int = false;
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return bad(eb, ecap, "invalid JSON at byte %zu: bad number", (size_t)(start - base));
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        is_int = false;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9')
            return bad(eb, ecap, "invalid JSON at byte %zu: bad number", (size_t)(start - base));
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    v->raw = start;
    v->raw_len = (size_t)(p - start);
    *pp = p;
    if (is_int && !overflow && acc <= (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX)) {
        v->kind = V_INT;
        v->i = neg ? (int64_t)(0 - acc) : (int64_t)acc;
        return 0;
    }
    /* fast path: at most 15 significant digits and a small power of ten
     * are exact doubles, so one multiplication or division rounds
     * correctly (the classic Clinger fast path) */
    {
        const char *q = start + neg;
        uint64_t m = 0;
        int digits = 0, exp10 = 0;
        bool ok = true;
        for (; q < p && *q >= '0' && *q <= '9'; q++)
            if (m || *q != '0') {
                m = m * 10 + (uint64_t)(*q - '0');
                digits++;
            }
        if (q < p && *q == '.')
            for (q++; q < p && *q >= '0' && *q <= '9'; q++) {
                if (m || *q != '0') {
                    m = m * 10 + (uint64_t)(*q - '0');
                    digits++;
                }
                exp10--;
            }
        if (q < p)
            ok = false;     /* an exponent: the general path */
        if (ok && digits <= 15 && exp10 >= -22) {
            static const double P10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                         1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
            double d = (double)m / P10[-exp10];
            v->kind = V_DOUBLE;
            v->d = neg ? -d : d;
            return 0;
        }
    }
    char tmp[128];
    size_t n = v->raw_len < sizeof tmp - 1 ? v->raw_len : sizeof tmp - 1;
    memcpy(tmp, start, n);
    tmp[n] = '\0';
    v->kind = V_DOUBLE;
    v->d = strtod(tmp, NULL);
    return 0;
}

/* Skips a nested object/array (checked with the full parser). */
static int parse_nested(IngestDecoder *d, const char **pp, const char *end, const char *base, JVal *v,
                        char *eb, size_t ecap)
{
    const char *p = *pp;
    int depth = 0;
    while (p < end) {
        char c = *p;
        if (c == '"') {
            p++;
            while (p < end && *p != '"') {
                if (*p == '\\' && p + 1 < end)
                    p++;
                p++;
            }
            if (p >= end)
                break;
            p++;
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']') {
            if (--depth == 0) {
                p++;
                break;
            }
        }
        p++;
    }
    if (depth != 0)
        return bad(eb, ecap, "invalid JSON at byte %zu: unterminated %s", (size_t)(*pp - base),
                   **pp == '{' ? "object" : "array");
    arena_reset(&d->scratch);
    JsonNode *node;
    TarnError e;
    err_clear(&e);
    if (json_parse(&d->scratch, *pp, (size_t)(p - *pp), &node, &e))
        return bad(eb, ecap, "%s (in the value at byte %zu)", e.message, (size_t)(*pp - base));
    v->kind = V_NESTED;
    v->raw = *pp;
    v->raw_len = (size_t)(p - *pp);
    *pp = p;
    return 0;
}

static const char *kind_name(VKind k)
{
    switch (k) {
    case V_NULL: return "null";
    case V_BOOL: return "boolean";
    case V_INT: return "integer";
    case V_DOUBLE: return "number";
    case V_STR: return "string";
    default: return "object or array";
    }
}

static TypeId kind_type(VKind k)
{
    switch (k) {
    case V_NULL: return TYPE_NULL;
    case V_BOOL: return TYPE_BOOL;
    case V_INT: return TYPE_INT64;
    case V_DOUBLE: return TYPE_DOUBLE;
    case V_STR: return TYPE_STRING;
    default: return TYPE_STRING;   /* Delta has no json type: the JSON text */
    }
}

static int mismatch(const Field *f, const JVal *v, char *eb, size_t ecap)
{
    char tn[64];
    return bad(eb, ecap, "field \"%s\": %s %.*s%s does not fit column type %s", f->name, kind_name(v->kind),
               (int)(v->raw_len > 40 ? 40 : v->raw_len), v->raw, v->raw_len > 40 ? "..." : "",
               type_name(&f->type, tn, sizeof tn));
}

static bool int_fits(TypeId t, int64_t x)
{
    switch (t) {
    case TYPE_INT8: return x >= INT8_MIN && x <= INT8_MAX;
    case TYPE_INT16: return x >= INT16_MIN && x <= INT16_MAX;
    case TYPE_INT32: return x >= INT32_MIN && x <= INT32_MAX;
    case TYPE_INT64: return true;
    case TYPE_UINT8: return x >= 0 && x <= UINT8_MAX;
    case TYPE_UINT16: return x >= 0 && x <= UINT16_MAX;
    case TYPE_UINT32: return x >= 0 && x <= UINT32_MAX;
    case TYPE_UINT64: return x >= 0;
    default: return false;
    }
}

static inline int digits2(const char *p)
{
    unsigned a = (unsigned)(p[0] - '0'), b = (unsigned)(p[1] - '0');
    return a <= 9 && b <= 9 ? (int)(a * 10 + b) : -1;
}

bool ingest_parse_iso_timestamp(const char *s, size_t n, int64_t *micros_out)
{
    if (n < 19 || n > 27 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
        s[16] != ':')
        return false;
    int y1 = digits2(s), y2 = digits2(s + 2), mo = digits2(s + 5), d = digits2(s + 8);
    int h = digits2(s + 11), mi = digits2(s + 14), sec = digits2(s + 17);
    if (y1 < 0 || y2 < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 ||
        sec > 59)
        return false;
    int64_t y = y1 * 100 + y2;
    if (y < 1 || d > dt_days_in_month(y, mo))
        return false;
    size_t i = 19;
    int64_t frac = 0;
    if (i < n && s[i] == '.') {
        size_t k = 0;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9' && k < 6; i++, k++)
            frac = frac * 10 + (s[i] - '0');
        if (k == 0)
            return false;
        for (; k < 6; k++)
            frac *= 10;
    }
    if (i < n && s[i] == 'Z')
        i++;
    if (i != n)
        return false;
    *micros_out = dt_days_from_civil(y, mo, d) * DT_USECS_PER_DAY + h * DT_USECS_PER_HOUR + mi * DT_USECS_PER_MIN +
                  sec * DT_USECS_PER_SEC + frac;
    return true;
}

/* Appends v to column c. 0, 1 (bad record) or an error kind. */
static int put_value(IngestDecoder *d, int c, const JVal *v, char *eb, size_t ecap, TarnError *err)
{
    IngestSink *s = d->s;
    Vector *vec = ingest_sink_vec(s, c);
    uint32_t row = ingest_sink_rows(s);
    if (vec->len > row) {           /* duplicate key: the last one wins */
        vec->len = row;
        vec_set_valid_bit(vec, row);
    }
    const Field *f = ingest_sink_field(s, c);
    bool is_new = ingest_sink_col_is_new(s, c);
    if (v->kind != V_NULL && ingest_sink_col_untyped(s, c)) {
        int rc = ingest_sink_retype(s, c, kind_type(v->kind), err);
        if (rc)
            return rc;
        vec = ingest_sink_vec(s, c);
        f = ingest_sink_field(s, c);
    }
    TypeId t = vec->type->id;
    int rc = 0;
    switch (v->kind) {
    case V_NULL:
        if (!f->nullable)
            return bad(eb, ecap, "field \"%s\": null in a NOT NULL column", f->name);
        rc = vec_append_null(vec);
        break;
    case V_BOOL:
        if (t == TYPE_BOOL)
            rc = ingest_put_bool(vec, v->b);
        else if (t == TYPE_STRING || t == TYPE_JSON) {
            if (is_new)
                ingest_sink_col_mixed(s, c);
            rc = vec_append_str(vec, v->raw, v->raw_len);
        } else
            return mismatch(f, v, eb, ecap);
        break;
    case V_INT:
        if (type_is_integer(t)) {
            if (!int_fits(t, v->i))
                return mismatch(f, v, eb, ecap);
            rc = t == TYPE_INT64 ? ingest_put_i64(vec, v->i) : vec_append_i64(vec, v->i);
        } else if (t == TYPE_DOUBLE)
            rc = ingest_put_f64(vec, (double)v->i);
        else if (t == TYPE_FLOAT)
            rc = vec_append_double(vec, (double)v->i);
        else if (t == TYPE_STRING || t == TYPE_JSON) {
            if (is_new)
                ingest_sink_col_mixed(s, c);
            rc = vec_append_str(vec, v->raw, v->raw_len);
        } else if (t == TYPE_DECIMAL) {
            rc = value_parse_append(vec, v->raw, v->raw_len);
            if (rc == TARN_ERR_TYPE)
                return mismatch(f, v, eb, ecap);
        } else
            return mismatch(f, v, eb, ecap);
        break;
    case V_DOUBLE:
        if (t == TYPE_INT64 && is_new) {
            if ((rc = ingest_sink_retype(s, c, TYPE_DOUBLE, err)))
                return rc;
            vec = ingest_sink_vec(s, c);
            t = TYPE_DOUBLE;
        }
        if (t == TYPE_DOUBLE)
            rc = ingest_put_f64(vec, v->d);
        else if (t == TYPE_FLOAT)
            rc = vec_append_double(vec, v->d);
        else if (t == TYPE_STRING || t == TYPE_JSON) {
            if (is_new)
                ingest_sink_col_mixed(s, c);
            rc = vec_append_str(vec, v->raw, v->raw_len);
        } else if (t == TYPE_DECIMAL) {
            rc = value_parse_append(vec, v->raw, v->raw_len);
            if (rc == TARN_ERR_TYPE)
                return mismatch(f, v, eb, ecap);
        } else
            return mismatch(f, v, eb, ecap);
        break;
    case V_STR:
        if (t == TYPE_STRING || t == TYPE_BLOB)
            rc = ingest_put_str(vec, v->str, v->len);
        else if (t == TYPE_JSON)
            rc = vec_append_str(vec, v->raw, v->raw_len);
        else if (t == TYPE_TIMESTAMP || t == TYPE_TIMESTAMPTZ) {
            int64_t us;
            if (ingest_parse_iso_timestamp(v->str, v->len, &us))
                rc = ingest_put_i64(vec, us);
            else {
                rc = value_parse_append(vec, v->str, v->len);
                if (rc == TARN_ERR_TYPE)
                    return mismatch(f, v, eb, ecap);
            }
        } else if (t == TYPE_DATE || t == TYPE_TIME ||
                 t == TYPE_UUID || t == TYPE_INTERVAL) {
            rc = value_parse_append(vec, v->str, v->len);
            if (rc == TARN_ERR_TYPE)
                return mismatch(f, v, eb, ecap);
        } else
            return mismatch(f, v, eb, ecap);
        break;
    case V_NESTED:
        if (t == TYPE_STRING || t == TYPE_JSON) {
            if (is_new)
                ingest_sink_col_mixed(s, c);
            rc = vec_append_str(vec, v->raw, v->raw_len);
        } else
            return mismatch(f, v, eb, ecap);
        break;
    }
    if (rc)
        return err_set(err, rc == TARN_ERR_NOMEM ? TARN_ERR_NOMEM : rc, "appending an ingested value failed");
    return 0;
}

static int decode_json(IngestDecoder *d, const char *base, size_t n, char *eb, size_t ecap, TarnError *err)
{
    IngestSink *s = d->s;
    if (d->hint_sink != s || d->hint_epoch != ingest_sink_epoch(s)) {
        for (int i = 0; i < MAX_HINTS; i++)
            d->hint[i] = -1;
        d->hint_sink = s;
        d->hint_epoch = ingest_sink_epoch(s);
    }
    const char *end = base + n, *p = skip_ws(base, end);
    if (p >= end || *p != '{')
        return bad(eb, ecap, "not a JSON object");
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}') {
        p++;
        goto tail;
    }
    for (int fi = 0;; fi++) {
        if (p >= end || *p != '"')
            return bad(eb, ecap, "invalid JSON at byte %zu: expected a field name", (size_t)(p - base));
        const char *key;
        size_t klen;
        int c = -1;
        /* known field order: the key this position had last time, compared
         * in place (its name is its own JSON text) */
        if (fi < MAX_HINTS && d->hint[fi] >= 0 && d->hint_plain[fi]) {
            uint32_t hl = d->hint_len[fi];
            if ((size_t)(end - p) > (size_t)hl + 1 && p[hl + 1] == '"' &&
                bytes_eq(p + 1, ingest_sink_field(s, d->hint[fi])->name, hl)) {
                c = d->hint[fi];
                key = p + 1;
                klen = hl;
                p += hl + 2;
            }
        }
        if (c < 0) {
            if (parse_string(&p, end, base, &d->key_buf, &key, &klen, eb, ecap))
                return 1;
            /* a NUL can only come from an escape (then the key is in key_buf) */
            if (klen == 0 || (key == (const char *)d->key_buf.data && memchr(key, '\0', klen)))
                return bad(eb, ecap, "field name at byte %zu cannot be a column name", (size_t)(p - base));
        }
        p = skip_ws(p, end);
        if (p >= end || *p != ':')
            return bad(eb, ecap, "invalid JSON at byte %zu: expected ':'", (size_t)(p - base));
        p = skip_ws(p + 1, end);
        JVal v;
        memset(&v, 0, sizeof v);
        if (p >= end)
            return bad(eb, ecap, "invalid JSON at byte %zu: expected a value", (size_t)(p - base));
        const char *vstart = p;
        switch (*p) {
        case '"':
            /* the key may live in key_buf; values use str_buf */
            if (parse_string(&p, end, base, &d->str_buf, &v.str, &v.len, eb, ecap))
                return 1;
            v.kind = V_STR;
            break;
        case 't':
        case 'f':
        case 'n': {
            const char *lit = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
            size_t ll = *p == 'f' ? 5 : 4;
            if ((size_t)(end - p) < ll || !bytes_eq(p, lit, ll))
                return bad(eb, ecap, "invalid JSON at byte %zu: unexpected character", (size_t)(p - base));
            v.kind = *p == 'n' ? V_NULL : V_BOOL;
            v.b = *p == 't';
            p += ll;
            break;
        }
        case '{':
        case '[':
            if (parse_nested(d, &p, end, base, &v, eb, ecap))
                return 1;
            break;
        default:
            if (parse_number(&p, end, base, &v, eb, ecap))
                return 1;
            break;
        }
        v.raw = vstart;
        v.raw_len = (size_t)(p - vstart);
        /* find the column: the one this key position had last time, else search */
        if (c < 0 && fi < MAX_HINTS) {
            int h = d->hint[fi];
            /* the hints hold while the sink's columns only grew */
            if (h >= 0 && d->hint_len[fi] == klen && memcmp(ingest_sink_field(s, h)->name, key, klen) == 0)
                c = h;
        }
        if (c < 0) {
            if (klen && key[0] == '_' && is_reserved(d, key, klen))
                return bad(eb, ecap, "field \"%.*s\" has the name of a metadata column", (int)klen, key);
            c = ingest_sink_col(s, key, klen);
            if (c < 0) {
                TarnError e2;
                err_clear(&e2);
                c = ingest_sink_add_col(s, key, klen, kind_type(v.kind), &e2);
                if (c < 0) {
                    if (e2.kind == TARN_ERR_NOMEM)
                        return err_set(err, TARN_ERR_NOMEM, "%s", e2.message);
                    return bad(eb, ecap, "%s", e2.message);
                }
            }
            if (fi < MAX_HINTS) {
                const char *nm = ingest_sink_field(s, c)->name;
                d->hint[fi] = c;
                d->hint_len[fi] = (uint32_t)strlen(nm);
                bool plain = true;
                for (const char *q = nm; *q; q++)
                    plain &= *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20;
                d->hint_plain[fi] = plain;
            }
        }
        int rc = put_value(d, c, &v, eb, ecap, err);
        if (rc)
            return rc;
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}') {
            p++;
            break;
        }
        return bad(eb, ecap, "invalid JSON at byte %zu: expected ',' or '}'", (size_t)(p - base));
    }
tail:
    p = skip_ws(p, end);
    if (p != end)
        return bad(eb, ecap, "invalid JSON at byte %zu: characters after the object", (size_t)(p - base));
    return 0;
}

/* ---- CSV ------------------------------------------------------------------------- */

static int csv_col(IngestDecoder *d, int i, TarnError *err)
{
    IngestSink *s = d->s;
    char name[32];
    int nl = snprintf(name, sizeof name, "c%d", i + 1);
    if (i < MAX_HINTS) {
        int h = d->csv_cols[i];
        if (h >= 0 && h < ingest_sink_ncols(s) && strcmp(ingest_sink_field(s, h)->name, name) == 0)
            return h;
    }
    int c = ingest_sink_col(s, name, (size_t)nl);
    if (c < 0) {
        c = ingest_sink_add_col(s, name, (size_t)nl, TYPE_STRING, err);
        if (c >= 0)
            ingest_sink_col_mixed(s, c);   /* CSV columns stay text */
    }
    if (c >= 0 && i < MAX_HINTS)
        d->csv_cols[i] = c;
    return c;
}

static int csv_put(IngestDecoder *d, int i, const char *v, size_t n, bool null, char *eb, size_t ecap,
                   TarnError *err)
{
    int c = csv_col(d, i, err);
    if (c < 0)
        return err->kind ? err->kind : TARN_ERR_INTERNAL;
    Vector *vec = ingest_sink_vec(d->s, c);
    const Field *f = ingest_sink_field(d->s, c);
    int rc;
    if (null) {
        if (!f->nullable)
            return bad(eb, ecap, "field %d: empty in a NOT NULL column \"%s\"", i + 1, f->name);
        rc = vec_append_null(vec);
    } else if (vec->type->id == TYPE_STRING)
        rc = vec_append_str(vec, v, n);
    else {
        rc = value_parse_append(vec, v, n);
        if (rc == TARN_ERR_TYPE) {
            char tn[64];
            return bad(eb, ecap, "field %d: \"%.*s\" does not fit column \"%s\" of type %s", i + 1,
                       (int)(n > 40 ? 40 : n), v, f->name, type_name(&f->type, tn, sizeof tn));
        }
    }
    return rc ? err_set(err, rc, "appending an ingested value failed") : 0;
}

static int decode_csv(IngestDecoder *d, const char *base, size_t n, char *eb, size_t ecap, TarnError *err)
{
    if (!utf8_valid((const uint8_t *)base, n))
        return bad(eb, ecap, "invalid UTF-8 in the record");
    const char *end = base + n;
    if (end > base && end[-1] == '\n')
        end--;
    if (end > base && end[-1] == '\r')
        end--;
    const char *p = base;
    for (int i = 0;; i++) {
        int rc;
        if (p < end && *p == '"') {
            buf_clear(&d->str_buf);
            const char *q = p + 1;
            for (;;) {
                if (q >= end)
                    return bad(eb, ecap, "unterminated quoted field %d", i + 1);
                if (*q == '"') {
                    if (q + 1 < end && q[1] == '"') {
                        if (buf_append_byte(&d->str_buf, '"'))
                            return ERR_NOMEM(err, 1);
                        q += 2;
                        continue;
                    }
                    q++;
                    break;
                }
                if (buf_append_byte(&d->str_buf, (uint8_t)*q))
                    return ERR_NOMEM(err, 1);
                q++;
            }
            if (q < end && *q != ',')
                return bad(eb, ecap, "field %d: characters after the closing quote", i + 1);
            rc = csv_put(d, i, d->str_buf.len ? (const char *)d->str_buf.data : "", d->str_buf.len, false, eb,
                         ecap, err);
            p = q;
        } else {
            const char *q = p;
            while (q < end && *q != ',') {
                if (*q == '\n' || *q == '\r')
                    return bad(eb, ecap, "line break outside quotes in field %d (one record per message)", i + 1);
                if (*q == '"')
                    return bad(eb, ecap, "field %d: quote inside an unquoted field", i + 1);
                q++;
            }
            rc = csv_put(d, i, p, (size_t)(q - p), q == p, eb, ecap, err);
            p = q;
        }
        if (rc)
            return rc;
        if (p >= end)
            break;
        p++;    /* the comma */
    }
    return 0;
}

/* ---- Raw and Avro ------------------------------------------------------------------ */

static int raw_col(IngestDecoder *d, const char *name, TarnError *err)
{
    int c = ingest_sink_col(d->s, name, strlen(name));
    if (c >= 0) {
        if (ingest_sink_vec(d->s, c)->type->id != TYPE_BLOB)
            return err_set(err, TARN_ERR_TYPE, "column \"%s\" of the table is not bytea (format raw)", name), -1;
        return c;
    }
    return ingest_sink_add_col(d->s, name, strlen(name), TYPE_BLOB, err);
}

static int decode_raw(IngestDecoder *d, const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len,
                      TarnError *err)
{
    int ck = raw_col(d, "key", err), cv = raw_col(d, "value", err);
    if (ck < 0 || cv < 0)
        return err->kind;
    Vector *k = ingest_sink_vec(d->s, ck), *v = ingest_sink_vec(d->s, cv);
    int rc = key ? vec_append_str(k, (const char *)key, key_len) : vec_append_null(k);
    if (!rc)
        rc = val ? vec_append_str(v, (const char *)val, val_len) : vec_append_null(v);
    return rc ? ERR_NOMEM(err, val_len) : 0;
}

static int avro_prepare(IngestDecoder *d, TarnError *err)
{
    const Schema *as = avro_decoder_schema(d->avro);
    for (uint32_t i = 0; i < as->n_fields; i++) {
        const Field *af = &as->fields[i];
        int c = ingest_sink_col(d->s, af->name, strlen(af->name));
        if (c < 0) {
            c = ingest_sink_add_col_type(d->s, af->name, &af->type, err);
            if (c < 0)
                return err->kind;
            ingest_sink_col_mixed(d->s, c);
        } else if (!type_equal(&ingest_sink_field(d->s, c)->type, &af->type)) {
            char a[128], b[128];
            return err_set(err, TARN_ERR_TYPE, "column \"%s\" is %s in the table but %s in the Avro schema",
                           af->name, type_name(&ingest_sink_field(d->s, c)->type, a, sizeof a),
                           type_name(&af->type, b, sizeof b));
        }
        d->avro_cols[i] = c;
    }
    return 0;
}

static int decode_avro(IngestDecoder *d, const uint8_t *val, size_t len, char *eb, size_t ecap, TarnError *err)
{
    if (!val)
        return bad(eb, ecap, "null record value");
    const uint8_t *datum = val;
    size_t dlen = len;
    TarnError e;
    err_clear(&e);
    if (d->confluent) {
        uint32_t id;
        if (avro_confluent_unframe(val, len, &id, &datum, &dlen, &e))
            return bad(eb, ecap, "%s", e.message);
    }
    /* the decoder appends to a batch of the schema's columns: lend it the
     * sink's vectors (structs copied in and back) */
    for (uint32_t i = 0; i < d->avro_n; i++) {
        int c = d->avro_cols[i];
        if (c < 0 || c >= ingest_sink_ncols(d->s) ||
            strcmp(ingest_sink_field(d->s, c)->name, avro_decoder_schema(d->avro)->fields[i].name) != 0) {
            int rc = avro_prepare(d, err);
            if (rc)
                return rc;
            break;
        }
    }
    for (uint32_t i = 0; i < d->avro_n; i++)
        d->avro_tmp[i] = *ingest_sink_vec(d->s, d->avro_cols[i]);
    Batch b;
    b.schema = avro_decoder_schema(d->avro);
    b.n_rows = ingest_sink_rows(d->s);
    b.n_cols = d->avro_n;
    b.cols = d->avro_tmp;
    int rc = avro_decode_append(d->avro, datum, dlen, &b, &e);
    for (uint32_t i = 0; i < d->avro_n; i++)
        *ingest_sink_vec(d->s, d->avro_cols[i]) = d->avro_tmp[i];
    if (rc == TARN_ERR_NOMEM)
        return err_set(err, rc, "%s", e.message);
    if (rc)
        return bad(eb, ecap, "%s", e.message);
    return 0;
}

/* ---- Entry points --------------------------------------------------------------------- */

IngestDecoder *ingest_decoder_new(IngestSink *s, const IngestDecoderOptions *o, TarnError *err)
{
    IngestDecoder *d = tarn_calloc(1, sizeof *d);
    if (!d) {
        ERR_NOMEM(err, sizeof *d);
        return NULL;
    }
    d->s = s;
    d->format = o->format;
    d->reserved = o->reserved;
    d->n_reserved = o->n_reserved;
    d->confluent = o->confluent;
    buf_init(&d->key_buf);
    buf_init(&d->str_buf);
    arena_init(&d->scratch, 4096);
    for (int i = 0; i < MAX_HINTS; i++)
        d->hint[i] = d->csv_cols[i] = -1;
    if (o->format == INGEST_AVRO) {
        if (!o->avro_schema_json) {
            err_set(err, TARN_ERR_INVALID, "--format avro needs --schema FILE (the writer schema)");
            goto fail;
        }
        if (!(d->avro = avro_decoder_new(o->avro_schema_json, (size_t)-1, err)))
            goto fail;
        d->avro_n = avro_decoder_schema(d->avro)->n_fields;
        d->avro_cols = tarn_calloc(d->avro_n ? d->avro_n : 1, sizeof(int));
        d->avro_tmp = tarn_calloc(d->avro_n ? d->avro_n : 1, sizeof(Vector));
        if (!d->avro_cols || !d->avro_tmp) {
            ERR_NOMEM(err, d->avro_n * sizeof(Vector));
            goto fail;
        }
        for (uint32_t i = 0; i < d->avro_n; i++)
            d->avro_cols[i] = -1;
        for (uint32_t i = 0; i < d->avro_n; i++) {
            const char *nm = avro_decoder_schema(d->avro)->fields[i].name;
            if (is_reserved(d, nm, strlen(nm))) {
                err_set(err, TARN_ERR_INVALID, "Avro field \"%s\" has the name of a metadata column", nm);
                goto fail;
            }
        }
    }
    if (ingest_decoder_prepare(d, err))
        goto fail;
    return d;
fail:
    ingest_decoder_free(d);
    return NULL;
}

void ingest_decoder_free(IngestDecoder *d)
{
    if (!d)
        return;
    buf_free(&d->key_buf);
    buf_free(&d->str_buf);
    arena_free(&d->scratch);
    avro_decoder_free(d->avro);
    tarn_free(d->avro_cols);
    tarn_free(d->avro_tmp);
    tarn_free(d);
}

void ingest_decoder_set_sink(IngestDecoder *d, IngestSink *s) { d->s = s; }

int ingest_decoder_prepare(IngestDecoder *d, TarnError *err)
{
    if (d->format == INGEST_RAW) {
        if (raw_col(d, "key", err) < 0 || raw_col(d, "value", err) < 0)
            return err->kind;
    } else if (d->format == INGEST_AVRO)
        return avro_prepare(d, err);
    return 0;
}

int ingest_decode(IngestDecoder *d, const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len,
                  char *errmsg, size_t errcap, TarnError *err)
{
    int rc;
    switch (d->format) {
    case INGEST_JSON:
        rc = val ? decode_json(d, (const char *)val, val_len, errmsg, errcap, err)
                 : bad(errmsg, errcap, "null record value");
        break;
    case INGEST_CSV:
        rc = val ? decode_csv(d, (const char *)val, val_len, errmsg, errcap, err)
                 : bad(errmsg, errcap, "null record value");
        break;
    case INGEST_RAW:
        rc = decode_raw(d, key, key_len, val, val_len, err);
        break;
    case INGEST_AVRO:
        rc = decode_avro(d, val, val_len, errmsg, errcap, err);
        break;
    default:
        rc = ERR_INTERNAL(err, "unknown ingest format");
    }
    if (rc)
        ingest_sink_row_cancel(d->s);
    return rc;
}
