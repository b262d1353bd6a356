/*
 * pgtypes.c - binary send/receive formats (pgtypes.h), following
 * PostgreSQL's *send / *recv functions: big-endian integers, IEEE floats,
 * dates as int32 days and times/timestamps as int64 microseconds since
 * 2000-01-01, numeric as base-10000 digits with weight, sign and scale.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "server/pgtypes.h"
#include "util/datetime.h"

enum {
    OID_BOOL = 16, OID_BYTEA = 17, OID_NAME = 19, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25,
    OID_OID = 26, OID_JSON = 114, OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_BPCHAR = 1042, OID_VARCHAR = 1043,
    OID_DATE = 1082, OID_TIME = 1083, OID_TIMESTAMP = 1114, OID_TIMESTAMPTZ = 1184, OID_INTERVAL = 1186,
    OID_NUMERIC = 1700, OID_UUID = 2950, OID_JSONB = 3802, OID_UNKNOWN = 705,
    OID_QCHAR = 18 /* "char": one byte, catalog columns (sql/syscat/) */
};

int16_t pgt_typlen(uint32_t oid)
{
    switch (oid) {
    case OID_BOOL: return 1;
    case OID_INT2: return 2;
    case OID_INT4: case OID_OID: case OID_FLOAT4: case OID_DATE: return 4;
    case OID_INT8: case OID_FLOAT8: case OID_TIME: case OID_TIMESTAMP: case OID_TIMESTAMPTZ: return 8;
    case OID_INTERVAL: case OID_UUID: return 16;
    case OID_NAME: return 64;
    case OID_QCHAR: return 1;
    default: return -1;
    }
}

const char *pgt_type_name(uint32_t oid)
{
    switch (oid) {
    case OID_BOOL: return "boolean";
    case OID_BYTEA: return "bytea";
    case OID_NAME: return "name";
    case OID_QCHAR: return "\"char\"";
    case OID_INT8: return "bigint";
    case OID_INT2: return "smallint";
    case OID_INT4: return "integer";
    case OID_TEXT: return "text";
    case OID_OID: return "oid";
    case OID_JSON: return "json";
    case OID_FLOAT4: return "real";
    case OID_FLOAT8: return "double precision";
    case OID_BPCHAR: return "character";
    case OID_VARCHAR: return "character varying";
    case OID_DATE: return "date";
    case OID_TIME: return "time without time zone";
    case OID_TIMESTAMP: return "timestamp without time zone";
    case OID_TIMESTAMPTZ: return "timestamp with time zone";
    case OID_INTERVAL: return "interval";
    case OID_NUMERIC: return "numeric";
    case OID_UUID: return "uuid";
    case OID_JSONB: return "jsonb";
    case OID_UNKNOWN: return "unknown";
    default: return "unknown";
    }
}

bool pgt_has_binary(uint32_t oid)
{
    switch (oid) {
    case OID_BOOL: case OID_BYTEA: case OID_NAME: case OID_INT8: case OID_INT2: case OID_INT4: case OID_TEXT:
    case OID_OID: case OID_JSON: case OID_FLOAT4: case OID_FLOAT8: case OID_BPCHAR: case OID_VARCHAR:
    case OID_QCHAR: case OID_DATE: case OID_TIME: case OID_TIMESTAMP: case OID_TIMESTAMPTZ: case OID_NUMERIC: case OID_UUID:
    case OID_JSONB:
        return true;
    default:
        return false;
    }
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

#define DAYS_1970_TO_2000 10957
#define USECS_PER_DAY 86400000000LL

static int put_date(Buf *out, int64_t days2000, bool *bc_out)
{
    int64_t y;
    int m, d;
    dt_civil_from_days(days2000 + DAYS_1970_TO_2000, &y, &m, &d);
    *bc_out = y <= 0;
    return buf_printf(out, "%04lld-%02d-%02d", (long long)(y <= 0 ? 1 - y : y), m, d);
}

static int put_time(Buf *out, int64_t us)
{
    int64_t s = us / 1000000, f = us % 1000000;
    int rc = buf_printf(out, "%02lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s / 60 % 60), (long long)(s % 60));
    if (!rc && f) {
        char frac[8];
        snprintf(frac, sizeof frac, "%06lld", (long long)f);
        for (int k = 5; k > 0 && frac[k] == '0'; k--)
            frac[k] = 0;
        rc = buf_printf(out, ".%s", frac);
    }
    return rc;
}

static int put_timestamp(Buf *out, int64_t us, bool tz)
{
    if (us == INT64_MAX)
        return buf_printf(out, "infinity");
    if (us == INT64_MIN)
        return buf_printf(out, "-infinity");
    int64_t days = us / USECS_PER_DAY, rem = us % USECS_PER_DAY;
    if (rem < 0) {
        rem += USECS_PER_DAY;
        days--;
    }
    bool bc;
    int rc = put_date(out, days, &bc);
    if (!rc)
        rc = buf_append_byte(out, ' ');
    if (!rc)
        rc = put_time(out, rem);
    if (!rc && tz)
        rc = buf_printf(out, "+00");
    if (!rc && bc)
        rc = buf_printf(out, " BC");
    return rc;
}

static int bad_format(TarnError *err, int param_no)
{
    return err_set_state(err, TARN_ERR_TYPE, "22P03", "incorrect binary data format in bind parameter %d", param_no);
}

/* A fixed-size value of the wrong length: too short reads past the value
 * (PostgreSQL's 08P01), too long leaves bytes over (22P03). */
static int bad_length(TarnError *err, int param_no, uint32_t len, uint32_t want)
{
    if (len < want) {
        err_set_state(err, TARN_ERR_CORRUPT, "08P01", "insufficient data left in message");
        err_context(err, "unnamed portal parameter $%d", param_no);
        return err->kind;
    }
    return bad_format(err, param_no);
}

static int numeric_binary_to_text(const uint8_t *p, uint32_t len, int param_no, Buf *out, TarnError *err)
{
    if (len < 8)
        return bad_format(err, param_no);
    int ndigits = (int16_t)rd16(p), weight = (int16_t)rd16(p + 2);
    uint16_t sign = rd16(p + 4), dscale = rd16(p + 6);
    if (ndigits < 0 || len != 8 + 2 * (uint32_t)ndigits || (dscale & 0xC000))
        return bad_format(err, param_no);
    if (sign == 0xC000)
        return buf_printf(out, "NaN");
    if (sign == 0xD000)
        return buf_printf(out, "Infinity");
    if (sign == 0xF000)
        return buf_printf(out, "-Infinity");
    if (sign != 0 && sign != 0x4000)
        return err_set_state(err, TARN_ERR_TYPE, "22P03", "invalid sign in external \"numeric\" value");
    for (int i = 0; i < ndigits; i++)
        if (rd16(p + 8 + 2 * i) >= 10000)
            return err_set_state(err, TARN_ERR_TYPE, "22P03", "invalid digit in external \"numeric\" value");
#define DIG(i) ((i) >= 0 && (i) < ndigits ? rd16(p + 8 + 2 * (i)) : 0)
    int rc = 0;
    if (sign == 0x4000 && ndigits > 0)
        rc = buf_append_byte(out, '-');
    if (weight < 0) {
        rc = rc ? rc : buf_append_byte(out, '0');
    } else {
        for (int i = 0; !rc && i <= weight; i++)
            rc = buf_printf(out, i ? "%04u" : "%u", (unsigned)DIG(i));
    }
    if (!rc && dscale) {
        rc = buf_append_byte(out, '.');
        int written = 0;
        for (int k = 0; !rc && written < dscale; k++) {
            char g[8];
            snprintf(g, sizeof g, "%04u", (unsigned)DIG(weight + 1 + k));
            int take = dscale - written < 4 ? dscale - written : 4;
            rc = buf_append(out, g, (size_t)take);
            written += take;
        }
    }
#undef DIG
    return rc;
}

int pgt_numeric_text_to_binary(const char *s, size_t len, Buf *out)
{
    uint8_t hdr[8] = {0};
    while (len && (*s == ' ')) {
        s++;
        len--;
    }
    if ((len == 3 && !strncasecmp(s, "nan", 3)) || (len >= 8 && !strncasecmp(s, "infinity", 8)) ||
        (len >= 9 && !strncasecmp(s, "-infinity", 9)) || (len >= 9 && !strncasecmp(s, "+infinity", 9))) {
        uint16_t sg = len == 3 ? 0xC000 : s[0] == '-' ? 0xF000 : 0xD000;
        hdr[4] = (uint8_t)(sg >> 8);
        return buf_append(out, hdr, 8);
    }
    bool neg = false;
    if (len && (*s == '-' || *s == '+')) {
        neg = *s == '-';
        s++;
        len--;
    }
    const char *dot = memchr(s, '.', len);
    size_t ni = dot ? (size_t)(dot - s) : len;
    size_t nf = dot ? len - ni - 1 : 0;
    const char *fr = dot ? dot + 1 : s + len;
    for (size_t i = 0; i < ni; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    for (size_t i = 0; i < nf; i++)
        if (fr[i] < '0' || fr[i] > '9')
            return -1;
    if (nf > 16383)
        return -1;
    size_t gi = (ni + 3) / 4, gf = (nf + 3) / 4;
    size_t ng = gi + gf;
    uint16_t *g = tarn_calloc(ng ? ng : 1, sizeof *g);
    if (!g)
        return -1;
    /* integer groups, right-aligned */
    for (size_t i = 0; i < ni; i++) {
        size_t pos = (4 - ni % 4) % 4 + i; /* position in the padded string */
        g[pos / 4] = (uint16_t)(g[pos / 4] * 10 + (s[i] - '0'));
    }
    for (size_t k = 0; k < gf; k++) {
        unsigned v = 0;
        for (size_t j = 0; j < 4; j++) {
            size_t i = k * 4 + j;
            v = v * 10 + (i < nf ? (unsigned)(fr[i] - '0') : 0);
        }
        g[gi + k] = (uint16_t)v;
    }
    int weight = (int)gi - 1;
    size_t first = 0, last = ng;
    while (first < last && g[first] == 0) {
        first++;
        weight--;
    }
    while (last > first && g[last - 1] == 0)
        last--;
    int nd = (int)(last - first);
    if (nd == 0)
        weight = 0;
    uint16_t sign = neg && nd ? 0x4000 : 0;
    hdr[0] = (uint8_t)(nd >> 8);
    hdr[1] = (uint8_t)nd;
    hdr[2] = (uint8_t)((uint16_t)weight >> 8);
    hdr[3] = (uint8_t)weight;
    hdr[4] = (uint8_t)(sign >> 8);
    hdr[6] = (uint8_t)(nf >> 8);
    hdr[7] = (uint8_t)nf;
    int rc = buf_append(out, hdr, 8);
    for (size_t i = first; !rc && i < last; i++) {
        uint8_t b[2] = {(uint8_t)(g[i] >> 8), (uint8_t)g[i]};
        rc = buf_append(out, b, 2);
    }
    tarn_free(g);
    return rc ? -1 : 0;
}

int pgt_binary_to_text(uint32_t oid, const uint8_t *p, uint32_t len, int param_no, Buf *out, TarnError *err)
{
    int rc = 0;
    buf_clear(out);
    switch (oid) {
    case OID_BOOL:
        if (len != 1)
            return bad_length(err, param_no, len, 1);
        rc = buf_printf(out, "%s", p[0] ? "t" : "f");
        break;
    case OID_INT2:
        if (len != 2)
            return bad_length(err, param_no, len, 2);
        rc = buf_printf(out, "%d", (int16_t)rd16(p));
        break;
    case OID_INT4:
        if (len != 4)
            return bad_length(err, param_no, len, 4);
        rc = buf_printf(out, "%d", (int32_t)rd32(p));
        break;
    case OID_OID:
        if (len != 4)
            return bad_length(err, param_no, len, 4);
        rc = buf_printf(out, "%u", rd32(p));
        break;
    case OID_INT8:
        if (len != 8)
            return bad_length(err, param_no, len, 8);
        rc = buf_printf(out, "%lld", (long long)(int64_t)rd64(p));
        break;
    case OID_FLOAT4:
    case OID_FLOAT8: {
        double v;
        if (oid == OID_FLOAT4 && len == 4) {
            uint32_t u = rd32(p);
            float f;
            memcpy(&f, &u, 4);
            v = f;
        } else if (oid == OID_FLOAT8 && len == 8) {
            uint64_t u = rd64(p);
            memcpy(&v, &u, 8);
        } else {
            return bad_length(err, param_no, len, oid == OID_FLOAT4 ? 4 : 8);
        }
        if (isnan(v))
            rc = buf_printf(out, "NaN");
        else if (isinf(v))
            rc = buf_printf(out, v > 0 ? "Infinity" : "-Infinity");
        else
            rc = buf_printf(out, oid == OID_FLOAT4 ? "%.9g" : "%.17g", v);
        break;
    }
    case OID_JSONB:
        if (len < 1 || p[0] != 1)
            return err_set_state(err, TARN_ERR_TYPE, "22P03", "unsupported jsonb version number %d", len ? p[0] : 0);
        p++;
        len--;
        /* fall through */
    case OID_TEXT: case OID_VARCHAR: case OID_BPCHAR: case OID_NAME: case OID_QCHAR: case OID_JSON: case OID_UNKNOWN:
        if (memchr(p, 0, len))
            return err_set_state(err, TARN_ERR_TYPE, "22021", "invalid byte sequence for encoding \"UTF8\": 0x00");
        rc = buf_append(out, p, len);
        break;
    case OID_BYTEA: {
        static const char hex[] = "0123456789abcdef";
        rc = buf_reserve(out, 2 + 2 * (size_t)len + 1);
        if (rc)
            break;
        out->data[out->len++] = '\\';
        out->data[out->len++] = 'x';
        for (uint32_t i = 0; i < len; i++) {
            out->data[out->len++] = (uint8_t)hex[p[i] >> 4];
            out->data[out->len++] = (uint8_t)hex[p[i] & 15];
        }
        break;
    }
    case OID_DATE: {
        if (len != 4)
            return bad_length(err, param_no, len, 4);
        int32_t d = (int32_t)rd32(p);
        if (d == INT32_MAX)
            rc = buf_printf(out, "infinity");
        else if (d == INT32_MIN)
            rc = buf_printf(out, "-infinity");
        else {
            bool bc;
            rc = put_date(out, d, &bc);
            if (!rc && bc)
                rc = buf_printf(out, " BC");
        }
        break;
    }
    case OID_TIME: {
        if (len != 8)
            return bad_length(err, param_no, len, 8);
        int64_t us = (int64_t)rd64(p);
        if (us < 0 || us > USECS_PER_DAY)
            return err_set_state(err, TARN_ERR_TYPE, "22008", "time out of range");
        rc = put_time(out, us);
        break;
    }
    case OID_TIMESTAMP:
    case OID_TIMESTAMPTZ:
        if (len != 8)
            return bad_length(err, param_no, len, 8);
        rc = put_timestamp(out, (int64_t)rd64(p), oid == OID_TIMESTAMPTZ);
        break;
    case OID_NUMERIC:
        if ((rc = numeric_binary_to_text(p, len, param_no, out, err)))
            return rc;
        break;
    case OID_UUID: {
        if (len != 16)
            return bad_length(err, param_no, len, 16);
        for (int i = 0; !rc && i < 16; i++)
            rc = buf_printf(out, (i == 4 || i == 6 || i == 8 || i == 10) ? "-%02x" : "%02x", p[i]);
        break;
    }
    default:
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "42883", "no binary input function available for type %s",
                             pgt_type_name(oid));
    }
    if (!rc)
        rc = buf_terminate(out);
    if (rc)
        return ERR_NOMEM(err, len);
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int pgt_write_binary(PgWriteBuf *w, const tarn_batch *b, int64_t row, int col, uint32_t oid, TarnError *err)
{
    switch (oid) {
    case OID_BOOL:
        pgw_i32(w, 1);
        pgw_u8(w, tarn_batch_int64(b, row, col) != 0);
        return 0;
    case OID_INT2:
        pgw_i32(w, 2);
        pgw_i16(w, (int16_t)tarn_batch_int64(b, row, col));
        return 0;
    case OID_INT4: case OID_OID: case OID_DATE:
        pgw_i32(w, 4);
        pgw_i32(w, (int32_t)tarn_batch_int64(b, row, col));
        return 0;
    case OID_INT8: case OID_TIME: case OID_TIMESTAMP: case OID_TIMESTAMPTZ:
        pgw_i32(w, 8);
        pgw_i64(w, tarn_batch_int64(b, row, col));
        return 0;
    case OID_FLOAT4: {
        float f = (float)tarn_batch_double(b, row, col);
        uint32_t u;
        memcpy(&u, &f, 4);
        pgw_i32(w, 4);
        pgw_i32(w, (int32_t)u);
        return 0;
    }
    case OID_FLOAT8: {
        double d = tarn_batch_double(b, row, col);
        uint64_t u;
        memcpy(&u, &d, 8);
        pgw_i32(w, 8);
        pgw_i64(w, (int64_t)u);
        return 0;
    }
    case OID_TEXT: case OID_VARCHAR: case OID_BPCHAR: case OID_NAME: case OID_QCHAR: case OID_JSON: case OID_BYTEA: {
        size_t n = 0;
        const void *p = tarn_batch_bytes(b, row, col, &n);
        pgw_i32(w, (int32_t)n);
        pgw_bytes(w, p, n);
        return 0;
    }
    case OID_JSONB: {
        size_t n = 0;
        const char *t = tarn_batch_text(b, row, col, &n);
        pgw_i32(w, (int32_t)n + 1);
        pgw_u8(w, 1);
        pgw_bytes(w, t, n);
        return 0;
    }
    case OID_NUMERIC: {
        size_t n = 0;
        const char *t = tarn_batch_text(b, row, col, &n);
        Buf tmp;
        buf_init(&tmp);
        if (!t || pgt_numeric_text_to_binary(t, n, &tmp)) {
            buf_free(&tmp);
            return err_set_state(err, TARN_ERR_INTERNAL, "XX000", "cannot send numeric value \"%s\" in binary",
                                 t ? t : "");
        }
        pgw_i32(w, (int32_t)tmp.len);
        pgw_bytes(w, tmp.data, tmp.len);
        buf_free(&tmp);
        return 0;
    }
    case OID_UUID: {
        size_t n = 0;
        const char *t = tarn_batch_text(b, row, col, &n);
        uint8_t u[16];
        int k = 0;
        for (size_t i = 0; t && i + 1 < n + 1 && k < 16; i++) {
            if (t[i] == '-')
                continue;
            int hi = hexval((unsigned char)t[i]), lo = i + 1 < n ? hexval((unsigned char)t[i + 1]) : -1;
            if (hi < 0 || lo < 0)
                break;
            u[k++] = (uint8_t)(hi << 4 | lo);
            i++;
        }
        if (k != 16)
            return err_set_state(err, TARN_ERR_INTERNAL, "XX000", "cannot send uuid value in binary");
        pgw_i32(w, 16);
        pgw_bytes(w, u, 16);
        return 0;
    }
    default:
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "42883", "no binary output function available for type %s",
                             pgt_type_name(oid));
    }
}
