/*
 * write_cases.c - the interop suite's Parquet files and their expected
 * values (tests/interop/run.sh).
 *
 *   interop_write_cases write DIR [MAX_ROWS]
 *       Writes every case as DIR/NAME.parquet with pq_writer, and the values
 *       that went in as DIR/NAME.json (format below).  DIR/cases.txt lists
 *       the case names, one a line.  MAX_ROWS makes small variants (at most
 *       that many rows, pages of a third of them): tests/fuzz/make_corpus.sh
 *       uses them as fuzzing seeds.
 *   interop_write_cases verify FILE.parquet EXPECTED.json
 *       Reads FILE with pq_reader and compares every value with the rows of
 *       EXPECTED.json (used for tarn's own files, and for copies of them
 *       rewritten by DuckDB).  Prints "ok" or the first difference; exit 0/1.
 *
 * Expected JSON, one row per line so a difference is easy to point at:
 *   {"case":"flat_snappy","codec":"SNAPPY","encoding":"PLAIN"|null,
 *    "skip":{"hyparquet":"why"},            (readers that cannot read it)
 *    "columns":[{"name":"id","type":{"t":"int64"}}, ...],
 *   "rows":[
 *   [...],
 *   [...]
 *   ]}
 * Canonical values (the node checkers bring each reader's output to this):
 *   null; booleans; every integer as a decimal string; DECIMAL as its
 *   unscaled integer string; FLOAT/DOUBLE as numbers (%.17g of the value,
 *   widened to double) or "NaN"/"Infinity"/"-Infinity"; DATE as days since
 *   1970-01-01 (string); TIME and TIMESTAMP(TZ) as microseconds (string);
 *   STRING and JSON as strings; BLOB as lower-case hex; UUID as
 *   8-4-4-4-12 lower-case hex; INTERVAL as {"months":m,"days":d,"micros":u};
 *   LIST as arrays; STRUCT as objects; MAP as arrays of [key, value].
 * Type descriptors: {"t":"int32"} ... {"t":"decimal","p":9,"s":2},
 *   {"t":"list","e":T}, {"t":"map","k":T,"v":T},
 *   {"t":"struct","f":[{"name":..,"type":T}, ...]}.
 *
 * Values come from a fixed-seed PRNG per case, with each type's edge values
 * (min, max, 0, -0.0, NaN, infinities, empty strings, multi-byte UTF-8)
 * among the first rows, and NULLs in about one row in seven.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "demo/datagen.h"
#include "format/parquet/compress.h"
#include "format/parquet/reader.h"
#include "format/parquet/writer.h"
#include "util/err.h"
#include "util/mem.h"
#include "vector/types.h"
#include "vector/vector.h"

static void die(const char *what, const TarnError *err)
{
    fprintf(stderr, "interop_write_cases: %s: %s%s%s%s%s\n", what, err ? err->message : "",
            err && err->detail[0] ? " DETAIL: " : "", err ? err->detail : "",
            err && err->context[0] ? " CONTEXT: " : "", err ? err->context : "");
    exit(2);
}

#define NEED(x)                                        \
    do {                                               \
        if ((x) != 0)                                  \
            die("out of memory or bad call: " #x, NULL); \
    } while (0)

/* ---- PRNG --------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int64_t rnd_range(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

/* ---- Value generation ----------------------------------------------------- */

typedef struct GenCtx {
    int null_pct;        /* percent of NULLs in nullable positions */
    uint32_t row;        /* current row: rows < ~12 take edge values */
    int long_strings;    /* strings up to 100 KB */
} GenCtx;

static const char *const edge_strings[] = {
    "", "a", "h\xc3\xa9llo w\xc3\xb6rld", "\xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\xa6\x86",
    "quote \" backslash \\ newline \n tab \t", "ctrl \x01\x1f end", "   ", "NULL", "null",
};
#define N_EDGE_STRINGS (sizeof edge_strings / sizeof edge_strings[0])

static const char *const syllables[] = {"ka", "lo", "mi", "ne", "su", "ta", "ri", "zo", "pe", "qu"};

static void gen_string(Vector *v, const GenCtx *g)
{
    if (g->row < N_EDGE_STRINGS) {
        const char *s = edge_strings[g->row];
        NEED(vec_append_str(v, s, strlen(s)));
        return;
    }
    char buf[256];
    size_t n = (size_t)rnd_range(0, 12), o = 0;
    for (size_t i = 0; i < n && o + 3 < sizeof buf; i++) {
        const char *s = syllables[rnd() % 10];
        buf[o++] = s[0];
        buf[o++] = s[1];
    }
    if (g->long_strings && rnd() % 4 == 0) {
        size_t big = (size_t)rnd_range(1000, 100000);
        char *p = malloc(big);
        if (!p)
            die("out of memory", NULL);
        for (size_t i = 0; i < big; i++)
            p[i] = (char)('a' + (i * 7 + big) % 26);
        NEED(vec_append_str(v, p, big));
        free(p);
        return;
    }
    NEED(vec_append_str(v, buf, o));
}

static int128_t pow10_128(int n)
{
    int128_t p = 1;
    for (int i = 0; i < n; i++)
        p *= 10;
    return p;
}

/* Appends one generated value (maybe NULL) of v's type to v. */
static void gen_value(Vector *v, bool nullable, const GenCtx *g)
{
    const LogicalType *t = v->type;
    if (nullable && (int)(rnd() % 100) < g->null_pct) {
        NEED(vec_append_null(v));
        return;
    }
    uint32_t r = g->row;
    switch (t->id) {
    case TYPE_BOOL:
        NEED(vec_append_bool(v, rnd() & 1));
        break;
    case TYPE_INT8: {
        static const int64_t e[] = {0, -1, 1, INT8_MIN, INT8_MAX};
        NEED(vec_append_i64(v, r < 5 ? e[r] : (int8_t)rnd()));
        break;
    }
    case TYPE_INT16: {
        static const int64_t e[] = {0, -1, 1, INT16_MIN, INT16_MAX};
        NEED(vec_append_i64(v, r < 5 ? e[r] : (int16_t)rnd()));
        break;
    }
    case TYPE_INT32: {
        static const int64_t e[] = {0, -1, 1, INT32_MIN, INT32_MAX};
        NEED(vec_append_i64(v, r < 5 ? e[r] : (int32_t)rnd()));
        break;
    }
    case TYPE_INT64: {
        static const int64_t e[] = {0, -1, 1, INT64_MIN, INT64_MAX};
        int64_t x = r < 5 ? e[r] : (rnd() & 1) ? (int64_t)rnd() : rnd_range(-1000, 1000);
        NEED(vec_append_i64(v, x));
        break;
    }
    case TYPE_UINT8:
    case TYPE_UINT16:
    case TYPE_UINT32:
    case TYPE_UINT64: {
        int bits = t->id == TYPE_UINT8 ? 8 : t->id == TYPE_UINT16 ? 16 : t->id == TYPE_UINT32 ? 32 : 64;
        uint64_t max = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
        uint64_t e[] = {0, 1, max, max - 1, max / 2, max / 2 + 1};
        NEED(vec_append_u64(v, r < 6 ? e[r] : rnd() & max));
        break;
    }
    case TYPE_FLOAT: {
        static const float e[] = {0.0f, -0.0f, 1.5f, -2.25f, 3.4028235e38f, -3.4028235e38f,
                                  1.17549435e-38f, 1.4e-45f};
        double x;
        if (r < 8)
            x = e[r];
        else if (r == 8)
            x = NAN;
        else if (r == 9)
            x = INFINITY;
        else if (r == 10)
            x = -INFINITY;
        else
            x = (float)((double)rnd_range(-1000000, 1000000) / 1024.0);
        NEED(vec_append_double(v, x));
        break;
    }
    case TYPE_DOUBLE: {
        static const double e[] = {0.0, -0.0, 0.1, -1e300, 1.7976931348623157e308,
                                   2.2250738585072014e-308, 4.9e-324, 123456789.125};
        double x;
        if (r < 8)
            x = e[r];
        else if (r == 8)
            x = NAN;
        else if (r == 9)
            x = INFINITY;
        else if (r == 10)
            x = -INFINITY;
        else
            x = ldexp((double)(int64_t)(rnd() >> 11) * ((rnd() & 1) ? 1 : -1), (int)rnd_range(-80, 20));
        NEED(vec_append_double(v, x));
        break;
    }
    case TYPE_DECIMAL: {
        int128_t max = pow10_128(t->precision) - 1;
        int128_t x;
        if (r == 0)
            x = 0;
        else if (r == 1)
            x = max;
        else if (r == 2)
            x = -max;
        else if (r == 3)
            x = 1;
        else if (r == 4)
            x = -1;
        else {
            x = ((int128_t)rnd() << 64 | rnd()) % (max + 1);
            if (x < 0)
                x = -x;
            if (rnd() & 1)
                x = -x;
            if (rnd() % 3 == 0)
                x %= 100000; /* small values too */
        }
        if (t->precision > DECIMAL64_MAX_PRECISION)
            NEED(vec_append_i128(v, x));
        else
            NEED(vec_append_i64(v, (int64_t)x));
        break;
    }
    case TYPE_DATE: {
        static const int64_t e[] = {0, -1, 1, -719528 /* 0000-01-01 */, 2932896 /* 9999-12-31 */,
                                    11016 /* 2000-02-29 */};
        NEED(vec_append_i64(v, r < 6 ? e[r] : rnd_range(-100000, 100000)));
        break;
    }
    case TYPE_TIME: {
        static const int64_t e[] = {0, 1, 86399999999, 43200000000};
        NEED(vec_append_i64(v, r < 4 ? e[r] : rnd_range(0, 86399999999)));
        break;
    }
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ: {
        static const int64_t e[] = {0, -1, 1, 951782400000000 /* 2000-02-29 */,
                                    -62135596800000000 /* 0001-01-01 */,
                                    253402300799999999 /* 9999-12-31 23:59:59.999999 */};
        NEED(vec_append_i64(v, r < 6 ? e[r] : rnd_range(-10000000000000000, 10000000000000000)));
        break;
    }
    case TYPE_INTERVAL: {
        Interval iv;
        iv.months = (int32_t)rnd_range(0, 1200);
        iv.days = (int32_t)rnd_range(0, 400);
        iv.micros = rnd_range(0, 86400000) * 1000; /* Parquet keeps milliseconds */
        if (r == 0)
            iv.months = iv.days = 0, iv.micros = 0;
        NEED(vec_append_interval(v, iv));
        break;
    }
    case TYPE_STRING:
        gen_string(v, g);
        break;
    case TYPE_JSON: {
        char buf[96];
        int n = snprintf(buf, sizeof buf, "{\"k\":%d,\"s\":\"x%u\",\"a\":[1,2]}",
                         (int)rnd_range(-99, 99), (unsigned)(rnd() % 1000));
        NEED(vec_append_str(v, buf, (size_t)n));
        break;
    }
    case TYPE_BLOB: {
        uint8_t buf[32];
        size_t n = r == 0 ? 0 : (size_t)rnd_range(0, 31);
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)rnd();
        if (r == 1) {
            n = 3;
            buf[0] = 0, buf[1] = 0xff, buf[2] = 0x80;
        }
        NEED(vec_append_str(v, (const char *)buf, n));
        break;
    }
    case TYPE_UUID: {
        uint8_t u[16];
        for (int i = 0; i < 16; i++)
            u[i] = (uint8_t)(r == 0 ? 0 : r == 1 ? 0xff : rnd());
        NEED(vec_append_str(v, (const char *)u, 16));
        break;
    }
    case TYPE_LIST: {
        Vector *c = &v->children[0];
        int n = (int)rnd_range(0, 4);
        for (int i = 0; i < n; i++)
            gen_value(c, t->fields[0].nullable, g);
        NEED(vec_append_list_end(v));
        break;
    }
    case TYPE_MAP: {
        Vector *k = &v->children[0], *val = &v->children[1];
        int n = (int)rnd_range(0, 3);
        uint64_t base = rnd() % 1000;
        for (int i = 0; i < n; i++) {
            /* distinct keys: base + i */
            char key[32];
            int kn = snprintf(key, sizeof key, "key%" PRIu64, base + (uint64_t)i);
            if (type_is_string_like(k->type->id))
                NEED(vec_append_str(k, key, (size_t)kn));
            else
                NEED(vec_append_i64(k, (int64_t)(base + (uint64_t)i)));
            gen_value(val, t->fields[1].nullable, g);
        }
        NEED(vec_append_list_end(v));
        break;
    }
    case TYPE_STRUCT:
        for (uint32_t i = 0; i < t->n_fields; i++)
            gen_value(&v->children[i], t->fields[i].nullable, g);
        NEED(vec_append_struct_end(v));
        break;
    default:
        die("gen_value: type not handled", NULL);
    }
}

/* ---- Canonical JSON ------------------------------------------------------- */

static void json_str(Buf *o, const char *s, size_t n)
{
    NEED(buf_append_byte(o, '"'));
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            NEED(buf_append_byte(o, '\\'));
            NEED(buf_append_byte(o, c));
        } else if (c < 0x20) {
            NEED(buf_printf(o, "\\u%04x", c));
        } else {
            NEED(buf_append_byte(o, c));
        }
    }
    NEED(buf_append_byte(o, '"'));
}

static void json_i128(Buf *o, int128_t x)
{
    char tmp[48];
    int n = 0;
    bool neg = x < 0;
    /* work on the negative side so the minimum value needs no special case */
    if (!neg)
        x = -x;
    do {
        tmp[n++] = (char)('0' - (int)(x % 10));
        x /= 10;
    } while (x);
    NEED(buf_append_byte(o, '"'));
    if (neg)
        NEED(buf_append_byte(o, '-'));
    while (n)
        NEED(buf_append_byte(o, (uint8_t)tmp[--n]));
    NEED(buf_append_byte(o, '"'));
}

static void json_double(Buf *o, double d)
{
    if (isnan(d))
        NEED(buf_printf(o, "\"NaN\""));
    else if (isinf(d))
        NEED(buf_printf(o, d > 0 ? "\"Infinity\"" : "\"-Infinity\""));
    else
        NEED(buf_printf(o, "%.17g", d));
}

static void json_type(Buf *o, const LogicalType *t)
{
    static const char *names[TYPE__COUNT] = {
        [TYPE_BOOL] = "bool", [TYPE_INT8] = "int8", [TYPE_INT16] = "int16",
        [TYPE_INT32] = "int32", [TYPE_INT64] = "int64", [TYPE_UINT8] = "uint8",
        [TYPE_UINT16] = "uint16", [TYPE_UINT32] = "uint32", [TYPE_UINT64] = "uint64",
        [TYPE_FLOAT] = "float", [TYPE_DOUBLE] = "double", [TYPE_DECIMAL] = "decimal",
        [TYPE_DATE] = "date", [TYPE_TIME] = "time", [TYPE_TIMESTAMP] = "timestamp",
        [TYPE_TIMESTAMPTZ] = "timestamptz", [TYPE_INTERVAL] = "interval",
        [TYPE_STRING] = "string", [TYPE_BLOB] = "blob", [TYPE_JSON] = "json",
        [TYPE_UUID] = "uuid", [TYPE_LIST] = "list", [TYPE_MAP] = "map",
        [TYPE_STRUCT] = "struct", [TYPE_NULL] = "null",
    };
    const char *n = t->id < TYPE__COUNT && names[t->id] ? names[t->id] : "invalid";
    NEED(buf_printf(o, "{\"t\":\"%s\"", n));
    if (t->id == TYPE_DECIMAL)
        NEED(buf_printf(o, ",\"p\":%d,\"s\":%d", t->precision, t->scale));
    if (t->id == TYPE_LIST) {
        NEED(buf_printf(o, ",\"e\":"));
        json_type(o, &t->fields[0].type);
    } else if (t->id == TYPE_MAP) {
        NEED(buf_printf(o, ",\"k\":"));
        json_type(o, &t->fields[0].type);
        NEED(buf_printf(o, ",\"v\":"));
        json_type(o, &t->fields[1].type);
    } else if (t->id == TYPE_STRUCT) {
        NEED(buf_printf(o, ",\"f\":["));
        for (uint32_t i = 0; i < t->n_fields; i++) {
            NEED(buf_printf(o, "%s{\"name\":", i ? "," : ""));
            json_str(o, t->fields[i].name, strlen(t->fields[i].name));
            NEED(buf_printf(o, ",\"type\":"));
            json_type(o, &t->fields[i].type);
            NEED(buf_append_byte(o, '}'));
        }
        NEED(buf_append_byte(o, ']'));
    }
    NEED(buf_append_byte(o, '}'));
}

static void json_value(Buf *o, const Vector *v, uint32_t i)
{
    const LogicalType *t = v->type;
    if (!vec_is_valid(v, i)) {
        NEED(buf_printf(o, "null"));
        return;
    }
    switch (t->id) {
    case TYPE_BOOL: NEED(buf_printf(o, v->data[i] ? "true" : "false")); break;
    case TYPE_INT8: json_i128(o, ((const int8_t *)v->data)[i]); break;
    case TYPE_INT16: json_i128(o, ((const int16_t *)v->data)[i]); break;
    case TYPE_INT32:
    case TYPE_DATE: json_i128(o, ((const int32_t *)v->data)[i]); break;
    case TYPE_INT64:
    case TYPE_TIME:
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ: json_i128(o, ((const int64_t *)v->data)[i]); break;
    case TYPE_UINT8: json_i128(o, ((const uint8_t *)v->data)[i]); break;
    case TYPE_UINT16: json_i128(o, ((const uint16_t *)v->data)[i]); break;
    case TYPE_UINT32: json_i128(o, ((const uint32_t *)v->data)[i]); break;
    case TYPE_UINT64: json_i128(o, ((const uint64_t *)v->data)[i]); break;
    case TYPE_FLOAT: json_double(o, ((const float *)v->data)[i]); break;
    case TYPE_DOUBLE: json_double(o, ((const double *)v->data)[i]); break;
    case TYPE_DECIMAL:
        if (t->precision > DECIMAL64_MAX_PRECISION) {
            int128_t x;
            memcpy(&x, v->data + (size_t)i * 16, 16);
            json_i128(o, x);
        } else {
            json_i128(o, ((const int64_t *)v->data)[i]);
        }
        break;
    case TYPE_INTERVAL: {
        const Interval *iv = &((const Interval *)v->data)[i];
        NEED(buf_printf(o, "{\"months\":%d,\"days\":%d,\"micros\":\"%" PRId64 "\"}", iv->months,
                        iv->days, iv->micros));
        break;
    }
    case TYPE_STRING:
    case TYPE_JSON: {
        const StrView *s = &((const StrView *)v->data)[i];
        json_str(o, s->ptr, s->len);
        break;
    }
    case TYPE_BLOB: {
        const StrView *s = &((const StrView *)v->data)[i];
        NEED(buf_append_byte(o, '"'));
        for (uint32_t k = 0; k < s->len; k++)
            NEED(buf_printf(o, "%02x", (uint8_t)s->ptr[k]));
        NEED(buf_append_byte(o, '"'));
        break;
    }
    case TYPE_UUID: {
        const uint8_t *u = v->data + (size_t)i * 16;
        NEED(buf_append_byte(o, '"'));
        for (int k = 0; k < 16; k++) {
            if (k == 4 || k == 6 || k == 8 || k == 10)
                NEED(buf_append_byte(o, '-'));
            NEED(buf_printf(o, "%02x", u[k]));
        }
        NEED(buf_append_byte(o, '"'));
        break;
    }
    case TYPE_LIST: {
        NEED(buf_append_byte(o, '['));
        for (uint32_t k = v->offsets[i]; k < v->offsets[i + 1]; k++) {
            if (k > v->offsets[i])
                NEED(buf_append_byte(o, ','));
            json_value(o, &v->children[0], k);
        }
        NEED(buf_append_byte(o, ']'));
        break;
    }
    case TYPE_MAP: {
        NEED(buf_append_byte(o, '['));
        for (uint32_t k = v->offsets[i]; k < v->offsets[i + 1]; k++) {
            NEED(buf_printf(o, "%s[", k > v->offsets[i] ? "," : ""));
            json_value(o, &v->children[0], k);
            NEED(buf_append_byte(o, ','));
            json_value(o, &v->children[1], k);
            NEED(buf_append_byte(o, ']'));
        }
        NEED(buf_append_byte(o, ']'));
        break;
    }
    case TYPE_STRUCT: {
        NEED(buf_append_byte(o, '{'));
        for (uint32_t k = 0; k < t->n_fields; k++) {
            if (k)
                NEED(buf_append_byte(o, ','));
            json_str(o, t->fields[k].name, strlen(t->fields[k].name));
            NEED(buf_append_byte(o, ':'));
            json_value(o, &v->children[k], i);
        }
        NEED(buf_append_byte(o, '}'));
        break;
    }
    case TYPE_NULL: NEED(buf_printf(o, "null")); break;
    default: die("json_value: type not handled", NULL);
    }
}

/* Appends the rows of b, one line each. */
static void json_rows(Buf *o, const Batch *b, int64_t *rows_written)
{
    for (uint32_t r = 0; r < b->n_rows; r++) {
        NEED(buf_printf(o, "%s[", *rows_written ? ",\n" : ""));
        for (uint32_t c = 0; c < b->n_cols; c++) {
            if (c)
                NEED(buf_append_byte(o, ','));
            json_value(o, &b->cols[c], r);
        }
        NEED(buf_append_byte(o, ']'));
        (*rows_written)++;
    }
}

/* ---- Schemas -------------------------------------------------------------- */

static void add(Schema *s, const char *name, LogicalType t, bool nullable)
{
    NEED(schema_add(s, name, t, nullable));
}

static void schema_flat(Schema *s)
{
    add(s, "id", type_simple(TYPE_INT64), false);
    add(s, "c_bool", type_simple(TYPE_BOOL), true);
    add(s, "c_int8", type_simple(TYPE_INT8), true);
    add(s, "c_int16", type_simple(TYPE_INT16), true);
    add(s, "c_int32", type_simple(TYPE_INT32), true);
    add(s, "c_int64", type_simple(TYPE_INT64), true);
    add(s, "c_float", type_simple(TYPE_FLOAT), true);
    add(s, "c_double", type_simple(TYPE_DOUBLE), true);
    add(s, "c_dec9", type_decimal(9, 2), true);
    add(s, "c_dec18", type_decimal(18, 4), true);
    add(s, "c_dec38", type_decimal(38, 10), true);
    add(s, "c_date", type_simple(TYPE_DATE), true);
    add(s, "c_time", type_simple(TYPE_TIME), true);
    add(s, "c_ts", type_simple(TYPE_TIMESTAMP), true);
    add(s, "c_tstz", type_simple(TYPE_TIMESTAMPTZ), true);
    add(s, "c_str", type_simple(TYPE_STRING), true);
    add(s, "c_blob", type_simple(TYPE_BLOB), true);
    add(s, "c_json", type_simple(TYPE_JSON), true);
    add(s, "c_uuid", type_simple(TYPE_UUID), true);
    add(s, "r_int32", type_simple(TYPE_INT32), false);
    add(s, "r_str", type_simple(TYPE_STRING), false);
    add(s, "r_double", type_simple(TYPE_DOUBLE), false);
}

/* Only FLOAT and DOUBLE columns (no integer id), so that BYTE_STREAM_SPLIT
 * applies to every column. */
static void schema_floats(Schema *s)
{
    add(s, "c_float", type_simple(TYPE_FLOAT), true);
    add(s, "c_double", type_simple(TYPE_DOUBLE), true);
    add(s, "r_float", type_simple(TYPE_FLOAT), false);
    add(s, "r_double", type_simple(TYPE_DOUBLE), false);
}

static void schema_unsigned(Schema *s)
{
    add(s, "id", type_simple(TYPE_INT64), false);
    add(s, "c_uint8", type_simple(TYPE_UINT8), true);
    add(s, "c_uint16", type_simple(TYPE_UINT16), true);
    add(s, "c_uint32", type_simple(TYPE_UINT32), true);
    add(s, "c_uint64", type_simple(TYPE_UINT64), true);
}

static void schema_interval(Schema *s)
{
    add(s, "id", type_simple(TYPE_INT64), false);
    add(s, "c_interval", type_simple(TYPE_INTERVAL), true);
}

static void schema_nested(Schema *s)
{
    LogicalType t, u, w;
    add(s, "id", type_simple(TYPE_INT64), false);
    NEED(type_list(&t, type_simple(TYPE_INT32), true));
    add(s, "l_int", t, true);
    NEED(type_list(&t, type_simple(TYPE_STRING), false));
    add(s, "l_str_req_elems", t, true);
    NEED(type_list(&t, type_simple(TYPE_INT64), true));
    add(s, "l_required", t, false);

    type_struct_init(&t);
    NEED(type_struct_add(&t, "a", type_simple(TYPE_INT32), true));
    NEED(type_struct_add(&t, "b", type_simple(TYPE_STRING), true));
    NEED(type_struct_add(&t, "c", type_decimal(12, 3), false));
    add(s, "s_flat", t, true);

    /* list<struct<x int64, y list<string>>> */
    type_struct_init(&u);
    NEED(type_struct_add(&u, "x", type_simple(TYPE_INT64), true));
    NEED(type_list(&w, type_simple(TYPE_STRING), true));
    NEED(type_struct_add(&u, "y", w, true));
    NEED(type_list(&t, u, true));
    add(s, "l_struct", t, true);

    NEED(type_map(&t, type_simple(TYPE_STRING), type_simple(TYPE_INT64), true));
    add(s, "m_str_int", t, true);

    NEED(type_list(&u, type_simple(TYPE_INT32), true));
    NEED(type_list(&t, u, true));
    add(s, "l_l_int", t, true);

    /* struct<s struct<d double, dt date>> */
    type_struct_init(&u);
    NEED(type_struct_add(&u, "d", type_simple(TYPE_DOUBLE), true));
    NEED(type_struct_add(&u, "dt", type_simple(TYPE_DATE), true));
    type_struct_init(&t);
    NEED(type_struct_add(&t, "s", u, true));
    NEED(type_struct_add(&t, "n", type_simple(TYPE_INT16), true));
    add(s, "s_nested", t, true);

    /* map<int32, list<string>> */
    NEED(type_list(&u, type_simple(TYPE_STRING), true));
    NEED(type_map(&t, type_simple(TYPE_INT32), u, true));
    add(s, "m_int_list", t, true);
}

/* ---- Cases ----------------------------------------------------------------- */

typedef enum { SCH_FLAT, SCH_FLOATS, SCH_UNSIGNED, SCH_INTERVAL, SCH_NESTED, SCH_LINEITEM } SchemaKind;

typedef enum { NULLS_SOME = 0, NULLS_NONE, NULLS_ALL } NullMode;

/* One file.  Zero fields mean the writer's defaults. */
typedef struct Case {
    const char *name;
    SchemaKind schema;
    int64_t rows;
    PqCodec codec;
    bool force;           /* force_encoding = encoding */
    int encoding;
    NullMode nulls;       /* SOME: about 15% NULL in nullable positions */
    int page_rows;
    int64_t row_group_rows;
    int dict_max_bytes;
    bool no_dict;         /* dict_max_bytes = 0 */
    int page_version;
    bool bloom;
    bool no_page_index;
    bool long_strings;
    const char *skip_hyparquet; /* why hyparquet cannot read it */
    const char *skip_duckdb;    /* why DuckDB cannot read it */
} Case;

#define FORCE(e) .force = true, .encoding = (e)

static const Case cases[] = {
    /* every flat type, every codec */
    {.name = "flat_none", .schema = SCH_FLAT, .rows = 3000, .codec = PQ_CODEC_UNCOMPRESSED, .page_rows = 1000},
    {.name = "flat_snappy", .schema = SCH_FLAT, .rows = 3000, .codec = PQ_CODEC_SNAPPY, .page_rows = 1000},
    {.name = "flat_gzip", .schema = SCH_FLAT, .rows = 3000, .codec = PQ_CODEC_GZIP, .page_rows = 1000},
    {.name = "flat_zstd", .schema = SCH_FLAT, .rows = 3000, .codec = PQ_CODEC_ZSTD, .page_rows = 1000},
    {.name = "flat_lz4", .schema = SCH_FLAT, .rows = 3000, .codec = PQ_CODEC_LZ4_RAW, .page_rows = 1000},
    /* every encoding the writer can be forced to use */
    {.name = "enc_plain", .schema = SCH_FLAT, .rows = 2500, .codec = PQ_CODEC_SNAPPY, FORCE(PQ_ENC_PLAIN), .page_rows = 700},
    {.name = "enc_dictionary", .schema = SCH_FLAT, .rows = 2500, .codec = PQ_CODEC_SNAPPY, FORCE(PQ_ENC_RLE_DICTIONARY), .page_rows = 700},
    {.name = "enc_delta_binary_packed", .schema = SCH_FLAT, .rows = 2500, .codec = PQ_CODEC_SNAPPY, FORCE(PQ_ENC_DELTA_BINARY_PACKED), .page_rows = 700},
    {.name = "enc_delta_length_byte_array", .schema = SCH_FLAT, .rows = 2500, .codec = PQ_CODEC_SNAPPY, FORCE(PQ_ENC_DELTA_LENGTH_BYTE_ARRAY), .page_rows = 700},
    {.name = "enc_delta_byte_array", .schema = SCH_FLAT, .rows = 2500, .codec = PQ_CODEC_SNAPPY, FORCE(PQ_ENC_DELTA_BYTE_ARRAY), .page_rows = 700},
    {.name = "enc_byte_stream_split", .schema = SCH_FLAT, .rows = 2500, .codec = PQ_CODEC_SNAPPY, FORCE(PQ_ENC_BYTE_STREAM_SPLIT), .page_rows = 700,
     .skip_duckdb = "DuckDB 1.5 reads BYTE_STREAM_SPLIT only for FLOAT/DOUBLE (the format allows INT32, INT64 and FIXED_LEN_BYTE_ARRAY since 2.11)"},
    {.name = "enc_byte_stream_split_floats", .schema = SCH_FLOATS, .rows = 2500, .codec = PQ_CODEC_ZSTD, FORCE(PQ_ENC_BYTE_STREAM_SPLIT), .page_rows = 700},
    {.name = "enc_rle_bool", .schema = SCH_FLAT, .rows = 2500, .codec = PQ_CODEC_UNCOMPRESSED, FORCE(PQ_ENC_RLE), .page_rows = 700},
    {.name = "enc_delta_v2", .schema = SCH_FLAT, .rows = 2500, .codec = PQ_CODEC_ZSTD, FORCE(PQ_ENC_DELTA_BINARY_PACKED), .page_rows = 700, .page_version = 2},
    /* page and file layout */
    {.name = "page_v2", .schema = SCH_FLAT, .rows = 3000, .codec = PQ_CODEC_SNAPPY, .page_rows = 1000, .page_version = 2},
    {.name = "page_v2_none", .schema = SCH_FLAT, .rows = 3000, .codec = PQ_CODEC_UNCOMPRESSED, .page_rows = 1000, .page_version = 2},
    {.name = "row_groups", .schema = SCH_FLAT, .rows = 2500, .codec = PQ_CODEC_SNAPPY, .page_rows = 300, .row_group_rows = 1000},
    {.name = "no_dictionary", .schema = SCH_FLAT, .rows = 2000, .codec = PQ_CODEC_ZSTD, .no_dict = true},
    {.name = "dict_fallback", .schema = SCH_FLAT, .rows = 3000, .codec = PQ_CODEC_SNAPPY, .page_rows = 500, .dict_max_bytes = 2000},
    {.name = "bloom_and_index", .schema = SCH_FLAT, .rows = 2000, .codec = PQ_CODEC_SNAPPY, .page_rows = 400, .bloom = true},
    {.name = "no_page_index", .schema = SCH_FLAT, .rows = 1000, .codec = PQ_CODEC_SNAPPY, .no_page_index = true},
    /* boundaries */
    {.name = "all_null", .schema = SCH_FLAT, .rows = 500, .codec = PQ_CODEC_SNAPPY, .nulls = NULLS_ALL},
    {.name = "no_null", .schema = SCH_FLAT, .rows = 500, .codec = PQ_CODEC_SNAPPY, .nulls = NULLS_NONE},
    {.name = "empty", .schema = SCH_FLAT, .rows = 0, .codec = PQ_CODEC_SNAPPY},
    {.name = "one_row", .schema = SCH_FLAT, .rows = 1, .codec = PQ_CODEC_SNAPPY},
    {.name = "long_strings", .schema = SCH_FLAT, .rows = 300, .codec = PQ_CODEC_ZSTD, .long_strings = true},
    /* more types */
    {.name = "unsigned", .schema = SCH_UNSIGNED, .rows = 2000, .codec = PQ_CODEC_SNAPPY},
    {.name = "interval", .schema = SCH_INTERVAL, .rows = 500, .codec = PQ_CODEC_SNAPPY,
     .skip_hyparquet = "hyparquet does not read INTERVAL (\"parquet interval not supported\")"},
    /* nested LIST / STRUCT / MAP */
    {.name = "nested", .schema = SCH_NESTED, .rows = 2000, .codec = PQ_CODEC_SNAPPY},
    {.name = "nested_small_pages", .schema = SCH_NESTED, .rows = 1500, .codec = PQ_CODEC_ZSTD, .page_rows = 7},
    {.name = "nested_v2", .schema = SCH_NESTED, .rows = 1500, .codec = PQ_CODEC_GZIP, .page_rows = 100, .row_group_rows = 500, .page_version = 2},
    {.name = "nested_plain", .schema = SCH_NESTED, .rows = 1000, .codec = PQ_CODEC_LZ4_RAW, FORCE(PQ_ENC_PLAIN), .page_rows = 100},
    {.name = "nested_all_null", .schema = SCH_NESTED, .rows = 300, .codec = PQ_CODEC_SNAPPY, .nulls = NULLS_ALL},
    /* the demo's data */
    {.name = "lineitem", .schema = SCH_LINEITEM, .rows = 5000, .codec = PQ_CODEC_ZSTD, .row_group_rows = 2048},
};
#define N_CASES (sizeof cases / sizeof cases[0])

static const char *encoding_name(int e)
{
    switch (e) {
    case PQ_ENC_PLAIN: return "PLAIN";
    case PQ_ENC_RLE: return "RLE";
    case PQ_ENC_DELTA_BINARY_PACKED: return "DELTA_BINARY_PACKED";
    case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY: return "DELTA_LENGTH_BYTE_ARRAY";
    case PQ_ENC_DELTA_BYTE_ARRAY: return "DELTA_BYTE_ARRAY";
    case PQ_ENC_RLE_DICTIONARY: return "RLE_DICTIONARY";
    case PQ_ENC_BYTE_STREAM_SPLIT: return "BYTE_STREAM_SPLIT";
    default: return NULL;
    }
}

static void build_schema(SchemaKind k, Schema *s)
{
    schema_init(s);
    switch (k) {
    case SCH_FLAT: schema_flat(s); break;
    case SCH_FLOATS: schema_floats(s); break;
    case SCH_UNSIGNED: schema_unsigned(s); break;
    case SCH_INTERVAL: schema_interval(s); break;
    case SCH_NESTED: schema_nested(s); break;
    case SCH_LINEITEM: NEED(datagen_lineitem_schema(s)); break;
    }
}

static void write_file(const char *path, const Buf *b)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
        fprintf(stderr, "interop_write_cases: cannot write %s: %s\n", path, strerror(errno));
        exit(2);
    }
}

static void write_case(const char *dir, int index, const Case *c)
{
    char path[1024];
    Schema s;
    build_schema(c->schema, &s);
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.codec = c->codec;
    o.force_encoding = c->force ? c->encoding : -1;
    if (c->page_rows)
        o.page_rows = c->page_rows;
    if (c->row_group_rows)
        o.row_group_rows = c->row_group_rows;
    if (c->dict_max_bytes)
        o.dict_max_bytes = c->dict_max_bytes;
    if (c->no_dict)
        o.dict_max_bytes = 0;
    if (c->page_version)
        o.data_page_version = c->page_version;
    o.bloom_filters = c->bloom;
    if (c->no_page_index)
        o.page_index = false;

    TarnError err;
    err_clear(&err);
    snprintf(path, sizeof path, "%s/%s.parquet", dir, c->name);
    PqWriter *w = pq_writer_open(path, &s, &o, &err);
    if (!w)
        die(c->name, &err);

    Buf js;
    buf_init(&js);
    NEED(buf_printf(&js, "{\"case\":\"%s\",\"codec\":\"%s\",\"encoding\":", c->name,
                    pq_codec_name(c->codec)));
    const char *en = c->force ? encoding_name(c->encoding) : NULL;
    NEED(buf_printf(&js, en ? "\"%s\"" : "null", en));
    NEED(buf_printf(&js, ",\"rows_expected\":%" PRId64 ",\"skip\":{", c->rows));
    if (c->skip_hyparquet) {
        NEED(buf_printf(&js, "\"hyparquet\":"));
        json_str(&js, c->skip_hyparquet, strlen(c->skip_hyparquet));
    }
    if (c->skip_duckdb) {
        NEED(buf_printf(&js, "%s\"duckdb\":", c->skip_hyparquet ? "," : ""));
        json_str(&js, c->skip_duckdb, strlen(c->skip_duckdb));
    }
    NEED(buf_printf(&js, "},\n\"columns\":["));
    for (uint32_t i = 0; i < s.n_fields; i++) {
        NEED(buf_printf(&js, "%s{\"name\":", i ? "," : ""));
        json_str(&js, s.fields[i].name, strlen(s.fields[i].name));
        NEED(buf_printf(&js, ",\"type\":"));
        json_type(&js, &s.fields[i].type);
        NEED(buf_append_byte(&js, '}'));
    }
    NEED(buf_printf(&js, "],\n\"rows\":[\n"));

    Batch b;
    NEED(batch_init(&b, &s));
    rng_state = 0xC0FFEE + (uint64_t)index * 7919;
    DatagenState dg;
    datagen_init(&dg, (uint64_t)index, 0.01);
    GenCtx g = {c->nulls == NULLS_ALL ? 100 : c->nulls == NULLS_NONE ? 0 : 15, 0, c->long_strings};
    int64_t written = 0;
    const uint32_t batch_rows = 777; /* not a divisor of page or row-group sizes */
    for (int64_t row = 0; row < c->rows;) {
        uint32_t n = c->rows - row < batch_rows ? (uint32_t)(c->rows - row) : batch_rows;
        if (c->schema == SCH_LINEITEM) {
            if (datagen_lineitem_next(&dg, &b, n, &err))
                die(c->name, &err);
        } else {
            batch_reset(&b);
            uint32_t first = !strcmp(s.fields[0].name, "id") ? 1 : 0;
            for (uint32_t r = 0; r < n; r++) {
                g.row = (uint32_t)(row + r);
                if (first)
                    NEED(vec_append_i64(&b.cols[0], row + r)); /* id: the row number */
                for (uint32_t col = first; col < b.n_cols; col++)
                    gen_value(&b.cols[col], s.fields[col].nullable, &g);
            }
            b.n_rows = n;
        }
        json_rows(&js, &b, &written);
        if (pq_writer_write(w, &b, &err))
            die(c->name, &err);
        row += n;
    }
    if (pq_writer_close(w, &err))
        die(c->name, &err);
    NEED(buf_printf(&js, "%s]}\n", written ? "\n" : ""));
    snprintf(path, sizeof path, "%s/%s.json", dir, c->name);
    write_file(path, &js);
    buf_free(&js);
    batch_destroy(&b);
    schema_destroy(&s);
}

static int cmd_write(const char *dir, int64_t max_rows)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "interop_write_cases: cannot create %s: %s\n", dir, strerror(errno));
        return 2;
    }
    Buf list;
    buf_init(&list);
    for (size_t i = 0; i < N_CASES; i++) {
        Case c = cases[i];
        if (max_rows > 0) {
            /* small variant (fuzzing seeds): few rows, still several pages */
            if (c.rows > max_rows)
                c.rows = max_rows;
            c.page_rows = (int)(max_rows / 3 > 0 ? max_rows / 3 : 1);
            if (c.row_group_rows)
                c.row_group_rows = max_rows / 2 > 0 ? max_rows / 2 : 1;
            c.long_strings = false;
        }
        write_case(dir, (int)i, &c);
        NEED(buf_printf(&list, "%s\n", c.name));
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/cases.txt", dir);
    write_file(path, &list);
    buf_free(&list);
    printf("wrote %zu cases into %s\n", N_CASES, dir);
    return 0;
}

/* ---- verify ------------------------------------------------------------------ */

static int cmd_verify(const char *parquet, const char *expected)
{
    TarnError err;
    err_clear(&err);
    Buf exp;
    buf_init(&exp);
    if (file_read_all(expected, &exp, &err))
        die(expected, &err);
    NEED(buf_terminate(&exp));
    const char *rows = strstr((const char *)exp.data, "\n\"rows\":[\n");
    if (!rows)
        die("expected file has no rows section", NULL);
    rows += strlen("\n\"rows\":[\n");

    PqReadOptions ro;
    pq_read_options_default(&ro);
    PqReader *r = pq_reader_open(parquet, &ro, &err);
    if (!r) {
        printf("FAIL: open: %s %s\n", err.message, err.context);
        return 1;
    }
    Batch b;
    NEED(batch_init(&b, pq_reader_schema(r)));
    Buf got;
    buf_init(&got);
    int64_t written = 0;
    for (;;) {
        if (pq_reader_next(r, &b, &err)) {
            printf("FAIL: read: %s %s\n", err.message, err.context);
            return 1;
        }
        if (b.n_rows == 0)
            break;
        json_rows(&got, &b, &written);
    }
    NEED(buf_printf(&got, "%s]}\n", written ? "\n" : ""));
    NEED(buf_terminate(&got));
    pq_reader_close(r);
    batch_destroy(&b);

    /* Compare line by line; report the first difference. */
    const char *a = (const char *)got.data, *e = rows;
    int64_t line = 0;
    for (;;) {
        const char *ae = strchr(a, '\n'), *ee = strchr(e, '\n');
        size_t al = ae ? (size_t)(ae - a) : strlen(a), el = ee ? (size_t)(ee - e) : strlen(e);
        if (al != el || memcmp(a, e, al) != 0) {
            printf("FAIL: row %" PRId64 " differs\n  expected: %.*s\n  got:      %.*s\n", line,
                   (int)(el > 2000 ? 2000 : el), e, (int)(al > 2000 ? 2000 : al), a);
            return 1;
        }
        if (!ae || !ee)
            break;
        a = ae + 1;
        e = ee + 1;
        line++;
    }
    buf_free(&got);
    buf_free(&exp);
    printf("ok\n");
    return 0;
}

int main(int argc, char **argv)
{
    if ((argc == 3 || argc == 4) && !strcmp(argv[1], "write"))
        return cmd_write(argv[2], argc == 4 ? strtoll(argv[3], NULL, 10) : 0);
    if (argc == 4 && !strcmp(argv[1], "verify"))
        return cmd_verify(argv[2], argv[3]);
    fprintf(stderr, "usage: interop_write_cases write DIR [MAX_ROWS] | verify FILE.parquet EXPECTED.json\n");
    return 2;
}
