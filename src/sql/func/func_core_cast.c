/*
 * func_core_cast.c - PostgreSQL type metadata and casts (see cast.h).
 */
#include "sql/func/cast.h"

#include <float.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/func/func_lib.h"
#include "util/datetime.h"
#include "vector/format.h"

/* ---- Metadata ------------------------------------------------------------------ */

char sqltype_category(TypeId id)
{
    switch (id) {
    case TYPE_BOOL: return TCAT_BOOL;
    case TYPE_INT8: case TYPE_INT16: case TYPE_INT32: case TYPE_INT64:
    case TYPE_UINT8: case TYPE_UINT16: case TYPE_UINT32: case TYPE_UINT64:
    case TYPE_FLOAT: case TYPE_DOUBLE: case TYPE_DECIMAL: return TCAT_NUMERIC;
    case TYPE_STRING: return TCAT_STRING;
    case TYPE_DATE: case TYPE_TIME: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: return TCAT_DATETIME;
    case TYPE_INTERVAL: return TCAT_TIMESPAN;
    case TYPE_LIST: return TCAT_ARRAY;
    case TYPE_STRUCT: case TYPE_MAP: return TCAT_COMPOSITE;
    case TYPE_NULL: return TCAT_UNKNOWN;
    default: return TCAT_USER;
    }
}

bool sqltype_preferred(TypeId id)
{
    return id == TYPE_BOOL || id == TYPE_DOUBLE || id == TYPE_STRING || id == TYPE_TIMESTAMPTZ ||
           id == TYPE_INTERVAL;
}

uint32_t sqltype_oid(const LogicalType *t)
{
    switch (t->id) {
    case TYPE_BOOL: return PG_OID_BOOL;
    case TYPE_INT8: case TYPE_INT16: case TYPE_UINT8: return PG_OID_INT2;
    case TYPE_INT32: case TYPE_UINT16: return PG_OID_INT4;
    case TYPE_INT64: return t->char_kind == TYPE_CHAR_OID ? 26 : PG_OID_INT8; /* oid (sql/syscat/) */
    case TYPE_UINT32: return PG_OID_INT8;
    case TYPE_UINT64: case TYPE_DECIMAL: return PG_OID_NUMERIC;
    case TYPE_FLOAT: return PG_OID_FLOAT4;
    case TYPE_DOUBLE: return PG_OID_FLOAT8;
    case TYPE_DATE: return PG_OID_DATE;
    case TYPE_TIME: return PG_OID_TIME;
    case TYPE_TIMESTAMP: return PG_OID_TIMESTAMP;
    case TYPE_TIMESTAMPTZ: return PG_OID_TIMESTAMPTZ;
    case TYPE_INTERVAL: return PG_OID_INTERVAL;
    case TYPE_STRING:
        switch (t->char_kind) {
        case TYPE_CHAR_VARCHAR: return PG_OID_VARCHAR;
        case TYPE_CHAR_BPCHAR: return PG_OID_BPCHAR;
        case TYPE_CHAR_NAME: return 19;  /* name (sql/syscat/) */
        case TYPE_CHAR_QCHAR: return 18; /* "char" */
        default: return PG_OID_TEXT;
        }
    case TYPE_BLOB: return PG_OID_BYTEA;
    case TYPE_JSON: return PG_OID_JSON;
    case TYPE_UUID: return PG_OID_UUID;
    case TYPE_NULL: return PG_OID_TEXT; /* an untyped NULL result is text in PG output */
    case TYPE_LIST: {
        /* the array type of the element (pg_type.typarray); arrays of other
         * element types and MAP / STRUCT travel as text */
        if (t->n_fields != 1 || !t->fields)
            return PG_OID_TEXT;
        switch (sqltype_oid(&t->fields[0].type)) {
        case PG_OID_BOOL: return 1000;
        case PG_OID_BYTEA: return 1001;
        case PG_OID_INT2: return 1005;
        case PG_OID_INT4: return 1007;
        case PG_OID_TEXT: return 1009;
        case PG_OID_BPCHAR: return 1014;
        case PG_OID_VARCHAR: return 1015;
        case PG_OID_INT8: return 1016;
        case PG_OID_FLOAT4: return 1021;
        case PG_OID_FLOAT8: return 1022;
        case PG_OID_TIMESTAMP: return 1115;
        case PG_OID_DATE: return 1182;
        case PG_OID_TIME: return 1183;
        case PG_OID_TIMESTAMPTZ: return 1185;
        case PG_OID_INTERVAL: return 1187;
        case PG_OID_NUMERIC: return 1231;
        case PG_OID_JSON: return 199;
        case PG_OID_UUID: return 2951;
        case 19: return 1003; /* name[] */
        case 18: return 1002; /* "char"[] */
        case 26: return 1028; /* oid[] */
        default: return PG_OID_TEXT;
        }
    }
    default: return PG_OID_TEXT;        /* MAP / STRUCT values travel as text */
    }
}

const char *sqltype_short_name(TypeId id)
{
    switch (id) {
    case TYPE_INT8: case TYPE_INT16: return "smallint";
    case TYPE_INT32: return "integer";
    case TYPE_INT64: return "bigint";
    case TYPE_FLOAT: return "real";
    case TYPE_DOUBLE: return "double precision";
    case TYPE_DECIMAL: return "numeric";
    default: return "value";
    }
}

const char *sqltype_name(const LogicalType *t, char *buf, size_t cap)
{
    const char *s = NULL;
    switch (t->id) {
    case TYPE_TIME: s = "time without time zone"; break;
    case TYPE_TIMESTAMP: s = "timestamp without time zone"; break;
    case TYPE_TIMESTAMPTZ: s = "timestamp with time zone"; break;
    case TYPE_INT8: s = "smallint"; break;
    case TYPE_INT64:
        if (t->char_kind == TYPE_CHAR_OID)
            s = "oid";
        else
            return type_name(t, buf, cap);
        break;
    case TYPE_STRING:
        if (t->char_kind == TYPE_CHAR_NAME || t->char_kind == TYPE_CHAR_QCHAR) {
            s = t->char_kind == TYPE_CHAR_NAME ? "name" : "\"char\"";
            break;
        }
        if (!t->char_kind)
            return type_name(t, buf, cap);
        if (t->char_len)
            snprintf(buf, cap, "%s(%u)", t->char_kind == TYPE_CHAR_BPCHAR ? "character" : "character varying", t->char_len);
        else
            snprintf(buf, cap, "%s", t->char_kind == TYPE_CHAR_BPCHAR ? "character" : "character varying");
        return buf;
    case TYPE_DECIMAL:
        if (t->precision == 0) {
            s = "numeric";
            break;
        }
        return type_name(t, buf, cap);
    default:
        return type_name(t, buf, cap);
    }
    snprintf(buf, cap, "%s", s);
    return buf;
}

/* pg_cast, restricted to tarn's types. */
CastContext cast_context(TypeId from, TypeId to)
{
    if (from == to)
        return CAST_IMPLICIT;
    if (from == TYPE_NULL)
        return CAST_IMPLICIT;
    char cf = sqltype_category(from), ct = sqltype_category(to);
    if (cf == TCAT_NUMERIC && ct == TCAT_NUMERIC) {
        /* Widening is implicit, narrowing assignment (PG int4->int2 'a',
         * int8->int4 'a', float->int 'a', numeric->int 'a', float->numeric 'a',
         * float8->float4 'a'; int->float and numeric->float 'i'). */
        static const int rank[TYPE__COUNT] = {
            [TYPE_INT8] = 1, [TYPE_UINT8] = 1, [TYPE_INT16] = 1, [TYPE_UINT16] = 2,
            [TYPE_INT32] = 2, [TYPE_UINT32] = 3, [TYPE_INT64] = 3, [TYPE_UINT64] = 4,
            [TYPE_DECIMAL] = 4, [TYPE_FLOAT] = 5, [TYPE_DOUBLE] = 6,
        };
        return rank[from] < rank[to] ? CAST_IMPLICIT : CAST_ASSIGNMENT;
    }
    if (from == TYPE_INT32 && to == TYPE_BOOL)
        return CAST_EXPLICIT;
    if (from == TYPE_BOOL && to == TYPE_INT32)
        return CAST_EXPLICIT;
    switch (from) {
    case TYPE_DATE:
        if (to == TYPE_TIMESTAMP || to == TYPE_TIMESTAMPTZ)
            return CAST_IMPLICIT;
        break;
    case TYPE_TIMESTAMP:
        if (to == TYPE_TIMESTAMPTZ)
            return CAST_IMPLICIT;
        if (to == TYPE_DATE || to == TYPE_TIME)
            return CAST_ASSIGNMENT;
        break;
    case TYPE_TIMESTAMPTZ:
        if (to == TYPE_TIMESTAMP || to == TYPE_DATE || to == TYPE_TIME)
            return CAST_ASSIGNMENT;
        break;
    case TYPE_TIME:
        if (to == TYPE_INTERVAL)
            return CAST_IMPLICIT;
        break;
    case TYPE_INTERVAL:
        if (to == TYPE_TIME)
            return CAST_ASSIGNMENT;
        break;
    case TYPE_JSON:
        if (to == TYPE_STRING)
            return CAST_ASSIGNMENT;
        break;
    default:
        break;
    }
    if (type_is_nested(from) || type_is_nested(to))
        return to == TYPE_STRING ? CAST_ASSIGNMENT : CAST_NONE;
    /* I/O conversion casts. */
    if (to == TYPE_STRING)
        return CAST_ASSIGNMENT;
    if (from == TYPE_STRING)
        return CAST_EXPLICIT;
    return CAST_NONE;
}

/* ---- Decimal helpers ---------------------------------------------------------- */

bool dec_fits(int128_t x, int precision)
{
    int128_t lim = func_pow10_i128(precision);
    return x < lim && x > -lim;
}

bool dec_rescale(int128_t x, int from, int to, int128_t *out)
{
    if (to == from) {
        *out = x;
        return true;
    }
    if (to > from) {
        int d = to - from;
        if (d > 38)
            return x == 0 ? (*out = 0, true) : false;
        int128_t m = func_pow10_i128(d);
        int128_t lim = func_pow10_i128(38) / m;
        if (x >= lim || x <= -lim)
            return false;
        *out = x * m;
        return true;
    }
    int d = from - to;
    if (d > 38) {
        *out = 0;
        return true;
    }
    int128_t m = func_pow10_i128(d);
    int128_t q = x / m, r = x % m;
    if (r < 0)
        r = -r;
    if (2 * r >= m)
        q += x < 0 ? -1 : 1;
    *out = q;
    return true;
}

/* ---- Values <-> vectors --------------------------------------------------------- */

/* Same physical layout (field names aside: a list's element may be called
 * "element" or "item" depending on where the type came from). */
static bool same_shape(const LogicalType *a, const LogicalType *b)
{
    if (a->id != b->id || a->n_fields != b->n_fields)
        return false;
    if (a->id == TYPE_DECIMAL && (a->precision != b->precision || a->scale != b->scale))
        return false;
    for (uint32_t i = 0; i < a->n_fields; i++)
        if (!same_shape(&a->fields[i].type, &b->fields[i].type))
            return false;
    return true;
}

int value_to_vector(const Value *v, const LogicalType *t, Vector *out)
{
    if (vec_reserve(out, 1))
        return TARN_ERR_NOMEM;
    out->len = 1;
    if (v->is_null || t->id == TYPE_NULL) {
        if (vec_set_null(out, 0))
            return TARN_ERR_NOMEM;
        return 0;
    }
    if (type_is_nested(t->id)) {
        /* a borrowed row of a vector (vector_get_value): copied, strings included */
        const Vector *src = v->v.nested.vec;
        if (!src || !same_shape(src->type, t))
            return TARN_ERR_UNSUPPORTED;
        vec_reset(out);
        return vec_append_from(out, src, v->v.nested.row) ? TARN_ERR_NOMEM : 0;
    }
    vec_set_valid_bit(out, 0);
    switch (t->id) {
    case TYPE_BOOL: out->data[0] = v->v.b; break;
    case TYPE_INT8: case TYPE_UINT8: *(int8_t *)out->data = (int8_t)v->v.i; break;
    case TYPE_INT16: case TYPE_UINT16: *(int16_t *)out->data = (int16_t)v->v.i; break;
    case TYPE_INT32: case TYPE_UINT32: case TYPE_DATE: *(int32_t *)out->data = (int32_t)v->v.i; break;
    case TYPE_INT64: case TYPE_UINT64: case TYPE_TIME: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ:
        *(int64_t *)out->data = v->v.i;
        break;
    case TYPE_FLOAT: *(float *)out->data = (float)v->v.d; break;
    case TYPE_DOUBLE: *(double *)out->data = v->v.d; break;
    case TYPE_DECIMAL:
        dec_put(out, 0, dec_is_wide(t) ? v->v.i128 : (int128_t)v->v.i);
        break;
    case TYPE_INTERVAL: *(Interval *)out->data = v->v.iv; break;
    case TYPE_STRING: case TYPE_BLOB: case TYPE_JSON: *(StrView *)out->data = v->v.s; break;
    case TYPE_UUID: memcpy(out->data, v->v.uuid, 16); break;
    default: return TARN_ERR_UNSUPPORTED;
    }
    return 0;
}

void vector_get_value(const Vector *v, uint32_t i, Value *out)
{
    memset(out, 0, sizeof *out);
    const LogicalType *t = v->type;
    out->type = t->id;
    out->precision = t->precision;
    out->scale = t->scale;
    uint32_t k = v->is_const ? 0 : i;
    if (!vec_is_valid(v, k) || t->id == TYPE_NULL) {
        out->is_null = true;
        return;
    }
    switch (t->id) {
    case TYPE_BOOL: out->v.b = v->data[k] != 0; break;
    case TYPE_INT8: out->v.i = ((int8_t *)v->data)[k]; break;
    case TYPE_UINT8: out->v.i = ((uint8_t *)v->data)[k]; break;
    case TYPE_INT16: out->v.i = ((int16_t *)v->data)[k]; break;
    case TYPE_UINT16: out->v.i = ((uint16_t *)v->data)[k]; break;
    case TYPE_INT32: case TYPE_DATE: out->v.i = ((int32_t *)v->data)[k]; break;
    case TYPE_UINT32: out->v.i = ((uint32_t *)v->data)[k]; break;
    case TYPE_INT64: case TYPE_UINT64: case TYPE_TIME: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ:
        out->v.i = ((int64_t *)v->data)[k];
        break;
    case TYPE_FLOAT: out->v.d = ((float *)v->data)[k]; break;
    case TYPE_DOUBLE: out->v.d = ((double *)v->data)[k]; break;
    case TYPE_DECIMAL:
        if (dec_is_wide(t))
            out->v.i128 = ((int128_t *)v->data)[k];
        else
            out->v.i = ((int64_t *)v->data)[k];
        break;
    case TYPE_INTERVAL: out->v.iv = ((Interval *)v->data)[k]; break;
    case TYPE_STRING: case TYPE_BLOB: case TYPE_JSON: out->v.s = ((StrView *)v->data)[k]; break;
    case TYPE_UUID: memcpy(out->v.uuid, v->data + 16 * (size_t)k, 16); break;
    case TYPE_LIST: case TYPE_MAP: case TYPE_STRUCT:
        out->v.nested.vec = v;
        out->v.nested.row = k;
        break;
    default: out->is_null = true; break;
    }
}

/* ---- Cast kernels ------------------------------------------------------------------ */

static int64_t get_int(const Vector *v, uint32_t i)
{
    switch (v->type->id) {
    case TYPE_BOOL: return v->data[i];
    case TYPE_INT8: return ((int8_t *)v->data)[i];
    case TYPE_UINT8: return ((uint8_t *)v->data)[i];
    case TYPE_INT16: return ((int16_t *)v->data)[i];
    case TYPE_UINT16: return ((uint16_t *)v->data)[i];
    case TYPE_INT32: return ((int32_t *)v->data)[i];
    case TYPE_UINT32: return ((uint32_t *)v->data)[i];
    default: return ((int64_t *)v->data)[i];
    }
}

static void int_limits(TypeId id, int64_t *lo, int64_t *hi)
{
    switch (id) {
    case TYPE_INT8: *lo = INT8_MIN; *hi = INT8_MAX; break;
    case TYPE_UINT8: *lo = 0; *hi = UINT8_MAX; break;
    case TYPE_INT16: *lo = INT16_MIN; *hi = INT16_MAX; break;
    case TYPE_UINT16: *lo = 0; *hi = UINT16_MAX; break;
    case TYPE_INT32: *lo = INT32_MIN; *hi = INT32_MAX; break;
    case TYPE_UINT32: *lo = 0; *hi = UINT32_MAX; break;
    default: *lo = INT64_MIN; *hi = INT64_MAX; break;
    }
}

static void put_int(Vector *v, uint32_t i, int64_t x)
{
    switch (v->type->id) {
    case TYPE_BOOL: v->data[i] = x != 0; break;
    case TYPE_INT8: case TYPE_UINT8: ((int8_t *)v->data)[i] = (int8_t)x; break;
    case TYPE_INT16: case TYPE_UINT16: ((int16_t *)v->data)[i] = (int16_t)x; break;
    case TYPE_INT32: case TYPE_UINT32: ((int32_t *)v->data)[i] = (int32_t)x; break;
    default: ((int64_t *)v->data)[i] = x; break;
    }
}

static double get_double(const Vector *v, uint32_t i)
{
    switch (v->type->id) {
    case TYPE_FLOAT: return ((float *)v->data)[i];
    case TYPE_DOUBLE: return ((double *)v->data)[i];
    case TYPE_UINT64: return (double)((uint64_t *)v->data)[i];
    case TYPE_DECIMAL: {
        int128_t x = dec_get(v, i);
        int s = v->type->scale;
        if (x < ((int128_t)1 << 53) && x > -((int128_t)1 << 53) && s <= 22)
            return (double)(int64_t)x / (double)(int64_t)func_pow10_i128(s > 18 ? 18 : s) /
                   (s > 18 ? (double)(int64_t)func_pow10_i128(s - 18) : 1.0);
        char buf[VALUE_TEXT_MAX];
        value_format_decimal(x, s, buf);
        return strtod(buf, NULL);
    }
    default: return (double)get_int(v, i);
    }
}

static int overflow_err(TarnError *err, TypeId id)
{
    if (id == TYPE_DECIMAL)
        return err_set_state(err, TARN_ERR_INVALID, "22003", "numeric field overflow");
    return func_err_out_of_range(err, sqltype_short_name(id));
}

static int decimal_overflow(TarnError *err, const LogicalType *t)
{
    err_set_state(err, TARN_ERR_INVALID, "22003", "numeric field overflow");
    if (t->precision > t->scale)
        err_detail(err, "A field with precision %d, scale %d must round to an absolute value less than 10^%d.",
                   t->precision, t->scale, t->precision - t->scale);
    else
        err_detail(err, "A field with precision %d, scale %d must round to an absolute value less than 1.",
                   t->precision, t->scale);
    return TARN_ERR_INVALID;
}

static int invalid_input(TarnError *err, const LogicalType *t, const char *s, size_t n);

/* Date/time text that did not parse: PostgreSQL's special words, fields
 * out of range (22008), else invalid syntax (22P02).  "epoch" is handled
 * by the caller; infinite values have no representation in tarn. */
static int datetime_input_error(TarnError *err, const LogicalType *t, const char *s, size_t n)
{
    int sp = dt_parse_special(s, n);
    if (sp == DT_SPECIAL_INFINITY || sp == DT_SPECIAL_NEG_INFINITY)
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000",
                             "infinite dates and timestamps are not supported");
    if (dt_fields_out_of_range(s, n))
        return err_set_state(err, TARN_ERR_TYPE, "22008", "date/time field value out of range: \"%.*s\"",
                             (int)(n > 200 ? 200 : n), s);
    return invalid_input(err, t, s, n);
}

static int invalid_input(TarnError *err, const LogicalType *t, const char *s, size_t n)
{
    char tn[64];
    sqltype_name(t, tn, sizeof tn);
    if (t->id == TYPE_DECIMAL)
        snprintf(tn, sizeof tn, "numeric");
    /* PG's date/time input functions report invalid_datetime_format */
    bool dt = t->id == TYPE_DATE || t->id == TYPE_TIME || t->id == TYPE_TIMESTAMP || t->id == TYPE_TIMESTAMPTZ ||
              t->id == TYPE_INTERVAL;
    return err_set_state(err, TARN_ERR_TYPE, dt ? "22007" : "22P02", "invalid input syntax for type %s: \"%.*s\"",
                         tn, (int)(n > 200 ? 200 : n), s);
}

/* Parses text into row i of out.  Strict PG input semantics. */
static int parse_into(Vector *out, uint32_t i, const char *s, size_t n, TarnError *err)
{
    const LogicalType *t = out->type;
    switch (t->id) {
    case TYPE_BOOL: {
        bool b;
        if (!value_parse_bool(s, n, &b))
            return invalid_input(err, t, s, n);
        out->data[i] = b;
        return 0;
    }
    case TYPE_INT8: case TYPE_INT16: case TYPE_INT32: case TYPE_INT64:
    case TYPE_UINT8: case TYPE_UINT16: case TYPE_UINT32: {
        int64_t x, lo, hi;
        if (!value_parse_i64(s, n, &x)) {
            /* Distinguish out of range from garbage: all digits? */
            size_t k = 0;
            while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n'))
                k++;
            if (k < n && (s[k] == '-' || s[k] == '+'))
                k++;
            size_t d = k;
            while (k < n && s[k] >= '0' && s[k] <= '9')
                k++;
            size_t e = k;
            while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n'))
                k++;
            if (e > d && k == n) {
                char tn[32];
                snprintf(tn, sizeof tn, "%s", sqltype_short_name(t->id));
                return err_set_state(err, TARN_ERR_INVALID, "22003",
                                     "value \"%.*s\" is out of range for type %s", (int)(n > 200 ? 200 : n), s, tn);
            }
            return invalid_input(err, t, s, n);
        }
        int_limits(t->id, &lo, &hi);
        if (x < lo || x > hi)
            return err_set_state(err, TARN_ERR_INVALID, "22003",
                                 "value \"%.*s\" is out of range for type %s", (int)(n > 200 ? 200 : n), s,
                                 sqltype_short_name(t->id));
        put_int(out, i, x);
        return 0;
    }
    case TYPE_UINT64: {
        uint64_t x;
        if (!value_parse_u64(s, n, &x))
            return invalid_input(err, t, s, n);
        ((uint64_t *)out->data)[i] = x;
        return 0;
    }
    case TYPE_FLOAT: case TYPE_DOUBLE: {
        double d;
        if (!value_parse_double(s, n, &d)) {
            /* float8in: a number too large or too small is 22003, not 22P02 */
            char tmp[128];
            if (n < sizeof tmp) {
                memcpy(tmp, s, n);
                tmp[n] = '\0';
                char *end;
                errno = 0;
                double v = strtod(tmp, &end);
                while (*end == ' ')
                    end++;
                if (errno == ERANGE && *end == '\0' && (v == 0 || isinf(v)))
                    return err_set_state(err, TARN_ERR_INVALID, "22003", "\"%.*s\" is out of range for type %s",
                                         (int)n, s, t->id == TYPE_FLOAT ? "real" : "double precision");
            }
            return invalid_input(err, t, s, n);
        }
        if (t->id == TYPE_FLOAT) {
            /* float4in: out of range when the value rounds to infinity or a
             * nonzero value to zero (3.4028235e38 rounds to FLT_MAX: fine) */
            float f = (float)d;
            if ((isinf(f) && isfinite(d)) || (f == 0 && d != 0))
                return err_set_state(err, TARN_ERR_INVALID, "22003",
                                     "\"%.*s\" is out of range for type real", (int)n, s);
            ((float *)out->data)[i] = f;
        } else {
            ((double *)out->data)[i] = d;
        }
        return 0;
    }
    case TYPE_DECIMAL: {
        int128_t x;
        if (!value_parse_decimal(s, n, 38, t->scale, &x)) {
            double d;
            if (value_parse_double(s, n, &d)) {
                if (!isfinite(d)) /* PostgreSQL's numeric has NaN and +-Infinity; DECIMAL has not */
                    return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000",
                                         "numeric NaN and infinity are not supported");
                return decimal_overflow(err, t);
            }
            return invalid_input(err, t, s, n);
        }
        if (!dec_fits(x, t->precision))
            return decimal_overflow(err, t);
        dec_put(out, i, x);
        return 0;
    }
    case TYPE_DATE: {
        int32_t d;
        if (!dt_parse_date(s, n, &d)) {
            int64_t ts;
            bool z;
            if (dt_parse_timestamp(s, n, &ts, &z)) {
                d = (int32_t)(ts >= 0 ? ts / DT_USECS_PER_DAY : -((-ts + DT_USECS_PER_DAY - 1) / DT_USECS_PER_DAY));
            } else if (dt_parse_special(s, n) == DT_SPECIAL_EPOCH) {
                d = 0;
            } else if (dt_parse_date_basic(s, n, &d)) {
                /* 20200131 */
            } else {
                return datetime_input_error(err, t, s, n);
            }
        }
        ((int32_t *)out->data)[i] = d;
        return 0;
    }
    case TYPE_TIME: {
        int64_t x;
        if (!dt_parse_time(s, n, &x))
            return dt_fields_out_of_range(s, n) ? datetime_input_error(err, t, s, n) : invalid_input(err, t, s, n);
        ((int64_t *)out->data)[i] = x;
        return 0;
    }
    case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: {
        int64_t x;
        bool z = false;
        if (!dt_parse_timestamp(s, n, &x, &z)) {
            if (dt_parse_special(s, n) != DT_SPECIAL_EPOCH)
                return datetime_input_error(err, t, s, n);
            x = 0;
        }
        ((int64_t *)out->data)[i] = x;
        return 0;
    }
    case TYPE_INTERVAL: {
        Interval iv;
        if (!value_parse_interval(s, n, &iv)) {
            if (value_interval_out_of_range(s, n))
                return err_set_state(err, TARN_ERR_INVALID, "22015", "interval field value out of range: \"%.*s\"",
                                     (int)(n > 200 ? 200 : n), s);
            return invalid_input(err, t, s, n);
        }
        ((Interval *)out->data)[i] = iv;
        return 0;
    }
    case TYPE_UUID: {
        if (!value_parse_uuid(s, n, out->data + 16 * (size_t)i))
            return invalid_input(err, t, s, n);
        return 0;
    }
    case TYPE_JSON: {
        if (!value_json_valid(s, n))
            return invalid_input(err, t, s, n);
        StrView *o = (StrView *)out->data;
        o[i].len = (uint32_t)n;
        o[i].ptr = s;
        return 0;
    }
    case TYPE_BLOB: {
        /* bytea input: hex format \x... or escape format. */
        StrView *o = (StrView *)out->data;
        if (n >= 2 && s[0] == '\\' && s[1] == 'x') {
            uint8_t *p = arena_alloc(&out->heap, n / 2 + 1);
            if (!p)
                return TARN_ERR_NOMEM;
            size_t m = 0;
            for (size_t k = 2; k < n;) {
                if (s[k] == ' ' || s[k] == '\n' || s[k] == '\t') {
                    k++;
                    continue;
                }
                int hv[2];
                for (int h = 0; h < 2; h++) {
                    char c = k + (size_t)h < n ? s[k + (size_t)h] : 0;
                    hv[h] = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                }
                if (hv[0] < 0 || hv[1] < 0)
                    return err_set_state(err, TARN_ERR_TYPE, "22P02", "invalid hexadecimal digit: \"%c\"",
                                         s[k + (hv[0] < 0 ? 0 : 1)]);
                p[m++] = (uint8_t)(hv[0] << 4 | hv[1]);
                k += 2;
            }
            o[i].len = (uint32_t)m;
            o[i].ptr = (const char *)p;
            return 0;
        }
        uint8_t *p = arena_alloc(&out->heap, n + 1);
        if (!p)
            return TARN_ERR_NOMEM;
        size_t m = 0;
        for (size_t k = 0; k < n;) {
            if (s[k] != '\\') {
                p[m++] = (uint8_t)s[k++];
            } else if (k + 1 < n && s[k + 1] == '\\') {
                p[m++] = '\\';
                k += 2;
            } else if (k + 3 < n && s[k + 1] >= '0' && s[k + 1] <= '3' && s[k + 2] >= '0' && s[k + 2] <= '7' &&
                       s[k + 3] >= '0' && s[k + 3] <= '7') {
                p[m++] = (uint8_t)((s[k + 1] - '0') * 64 + (s[k + 2] - '0') * 8 + (s[k + 3] - '0'));
                k += 4;
            } else {
                return err_set_state(err, TARN_ERR_TYPE, "22P02", "invalid input syntax for type bytea");
            }
        }
        o[i].len = (uint32_t)m;
        o[i].ptr = (const char *)p;
        return 0;
    }
    case TYPE_STRING: {
        StrView *o = (StrView *)out->data;
        o[i].len = (uint32_t)n;
        o[i].ptr = s;
        return 0;
    }
    default:
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "cannot cast text to this type");
    }
}

static int cast_err_none(const LogicalType *from, const LogicalType *to, TarnError *err)
{
    char a[64], b[64];
    return err_set_state(err, TARN_ERR_TYPE, "42846", "cannot cast type %s to %s",
                         sqltype_name(from, a, sizeof a), sqltype_name(to, b, sizeof b));
}

int cast_vector(const Vector *in, Vector *out, uint32_t n, const SqlSettings *settings, TarnError *err)
{
    (void)settings;
    const LogicalType *ft = in->type, *tt = out->type;
    TypeId f = ft->id, t = tt->id;
    if (in->is_const)
        n = 1;
    if (vec_reserve(out, n ? n : 1))
        return ERR_NOMEM(err, (size_t)n * 16);
    out->is_const = in->is_const;
    out->len = n;
    /* validity carries over */
    if (in->validity) {
        if (vec_ensure_validity(out))
            return ERR_NOMEM(err, n / 8);
        memcpy(out->validity, in->validity, (n + 7) / 8);
    } else if (out->validity) {
        memset(out->validity, 0xFF, (out->cap + 7) / 8);
    }
    if (f == TYPE_NULL) {
        if (vec_ensure_validity(out))
            return ERR_NOMEM(err, n / 8);
        memset(out->validity, 0, (n + 7) / 8);
        return 0;
    }
    const uint8_t *valid = in->validity;
#define VALID(i) (!valid || ((valid[(i) >> 3] >> ((i) & 7)) & 1))
    char cf = sqltype_category(f), ct = sqltype_category(t);

    /* Same physical representation. */
    if (f == t && (f != TYPE_DECIMAL || (ft->scale == tt->scale && dec_is_wide(ft) == dec_is_wide(tt) &&
                                         tt->precision >= ft->precision))) {
        size_t w = type_width(ft);
        memcpy(out->data, in->data, w * n);
        return 0;
    }
    if ((f == TYPE_STRING || f == TYPE_JSON) && t == TYPE_STRING) {
        memcpy(out->data, in->data, sizeof(StrView) * n);
        return 0;
    }

    if (cf == TCAT_NUMERIC && ct == TCAT_NUMERIC) {
        bool f_int = type_is_integer(f), t_int = type_is_integer(t);
        if (f_int && t_int) {
            int64_t lo, hi;
            int_limits(t, &lo, &hi);
            for (uint32_t i = 0; i < n; i++) {
                int64_t x = get_int(in, i);
                if ((x < lo || x > hi) && VALID(i))
                    return overflow_err(err, t);
                put_int(out, i, x);
            }
            return 0;
        }
        if (f_int && (t == TYPE_FLOAT || t == TYPE_DOUBLE)) {
            if (t == TYPE_DOUBLE)
                for (uint32_t i = 0; i < n; i++)
                    ((double *)out->data)[i] = (double)get_int(in, i);
            else
                for (uint32_t i = 0; i < n; i++)
                    ((float *)out->data)[i] = (float)get_int(in, i);
            return 0;
        }
        if (f_int && t == TYPE_DECIMAL) {
            int128_t m = func_pow10_i128(tt->scale);
            for (uint32_t i = 0; i < n; i++) {
                int128_t x = (int128_t)get_int(in, i) * m;
                if (VALID(i) && !dec_fits(x, tt->precision))
                    return decimal_overflow(err, tt);
                dec_put(out, i, x);
            }
            return 0;
        }
        if ((f == TYPE_FLOAT || f == TYPE_DOUBLE) && t_int) {
            int64_t lo, hi;
            int_limits(t, &lo, &hi);
            for (uint32_t i = 0; i < n; i++) {
                double d = rint(get_double(in, i));
                if (VALID(i) && !(d >= (double)lo && d < (double)hi + 1.0))
                    return overflow_err(err, t);
                put_int(out, i, VALID(i) ? (int64_t)d : 0);
            }
            return 0;
        }
        if ((f == TYPE_FLOAT || f == TYPE_DOUBLE || f == TYPE_DECIMAL || f == TYPE_UINT64) &&
            (t == TYPE_FLOAT || t == TYPE_DOUBLE)) {
            for (uint32_t i = 0; i < n; i++) {
                double d = get_double(in, i);
                if (t == TYPE_DOUBLE) {
                    ((double *)out->data)[i] = d;
                } else {
                    /* dtof: overflow when finite becomes inf, underflow when nonzero becomes 0 */
                    float fv = (float)d;
                    if (VALID(i) && isinf(fv) && isfinite(d))
                        return err_set_state(err, TARN_ERR_INVALID, "22003", "value out of range: overflow");
                    if (VALID(i) && fv == 0 && d != 0)
                        return err_set_state(err, TARN_ERR_INVALID, "22003", "value out of range: underflow");
                    ((float *)out->data)[i] = fv;
                }
            }
            return 0;
        }
        if ((f == TYPE_FLOAT || f == TYPE_DOUBLE) && t == TYPE_DECIMAL) {
            for (uint32_t i = 0; i < n; i++) {
                if (!VALID(i)) {
                    dec_put(out, i, 0);
                    continue;
                }
                double d = get_double(in, i);
                if (isnan(d) || isinf(d)) /* PG 15 makes numeric NaN / Infinity, which DECIMAL lacks */
                    return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000",
                                         "numeric NaN and infinity are not supported");
                char buf[64];
                int len = snprintf(buf, sizeof buf, "%.*g", f == TYPE_FLOAT ? FLT_DIG : DBL_DIG, d);
                int128_t x;
                if (!value_parse_decimal(buf, (size_t)len, 38, tt->scale, &x) || !dec_fits(x, tt->precision))
                    return decimal_overflow(err, tt);
                dec_put(out, i, x);
            }
            return 0;
        }
        if (f == TYPE_DECIMAL && t == TYPE_DECIMAL) {
            for (uint32_t i = 0; i < n; i++) {
                int128_t x;
                if (!dec_rescale(dec_get(in, i), ft->scale, tt->scale, &x) ||
                    (VALID(i) && !dec_fits(x, tt->precision))) {
                    if (VALID(i))
                        return decimal_overflow(err, tt);
                    x = 0;
                }
                dec_put(out, i, x);
            }
            return 0;
        }
        if (f == TYPE_DECIMAL && t_int) {
            int64_t lo, hi;
            int_limits(t, &lo, &hi);
            for (uint32_t i = 0; i < n; i++) {
                int128_t x;
                dec_rescale(dec_get(in, i), ft->scale, 0, &x);
                if (VALID(i) && (x < lo || x > hi))
                    return overflow_err(err, t);
                put_int(out, i, (int64_t)x);
            }
            return 0;
        }
        if (f == TYPE_UINT64 && t == TYPE_DECIMAL) {
            for (uint32_t i = 0; i < n; i++) {
                int128_t x = (int128_t)((uint64_t *)in->data)[i] * func_pow10_i128(tt->scale);
                if (VALID(i) && !dec_fits(x, tt->precision))
                    return decimal_overflow(err, tt);
                dec_put(out, i, x);
            }
            return 0;
        }
    }
    if (f == TYPE_BOOL && type_is_integer(t)) {
        for (uint32_t i = 0; i < n; i++)
            put_int(out, i, in->data[i]);
        return 0;
    }
    if (type_is_integer(f) && t == TYPE_BOOL) {
        for (uint32_t i = 0; i < n; i++)
            out->data[i] = get_int(in, i) != 0;
        return 0;
    }
    /* Date/time. */
    /* timestamptz <-> local time: the session zone's offset at each
     * instant (DST), PostgreSQL's rules for gaps and overlaps */
    const FlTz *stz = f == TYPE_TIMESTAMPTZ || t == TYPE_TIMESTAMPTZ ? fl_tz_session(settings) : NULL;
    if (f == TYPE_DATE && (t == TYPE_TIMESTAMP || t == TYPE_TIMESTAMPTZ)) {
        for (uint32_t i = 0; i < n; i++) {
            int64_t x = (int64_t)((int32_t *)in->data)[i] * DT_USECS_PER_DAY;
            ((int64_t *)out->data)[i] = t == TYPE_TIMESTAMPTZ && VALID(i) ? fl_tz_to_utc(stz, x) : x;
        }
        return 0;
    }
    if ((f == TYPE_TIMESTAMP || f == TYPE_TIMESTAMPTZ) && (t == TYPE_DATE || t == TYPE_TIME)) {
        for (uint32_t i = 0; i < n; i++) {
            int64_t x = ((int64_t *)in->data)[i];
            if (f == TYPE_TIMESTAMPTZ && VALID(i))
                x = fl_tz_to_local(stz, x, NULL);
            int64_t d = x >= 0 ? x / DT_USECS_PER_DAY : -((-x + DT_USECS_PER_DAY - 1) / DT_USECS_PER_DAY);
            if (t == TYPE_DATE)
                ((int32_t *)out->data)[i] = (int32_t)d;
            else
                ((int64_t *)out->data)[i] = x - d * DT_USECS_PER_DAY;
        }
        return 0;
    }
    if ((f == TYPE_TIMESTAMP && t == TYPE_TIMESTAMPTZ) || (f == TYPE_TIMESTAMPTZ && t == TYPE_TIMESTAMP)) {
        for (uint32_t i = 0; i < n; i++) {
            int64_t x = ((int64_t *)in->data)[i];
            if (VALID(i))
                x = f == TYPE_TIMESTAMP ? fl_tz_to_utc(stz, x) : fl_tz_to_local(stz, x, NULL);
            ((int64_t *)out->data)[i] = x;
        }
        return 0;
    }
    if (f == TYPE_TIME && t == TYPE_INTERVAL) {
        for (uint32_t i = 0; i < n; i++) {
            Interval iv = {0, 0, ((int64_t *)in->data)[i]};
            ((Interval *)out->data)[i] = iv;
        }
        return 0;
    }
    if (f == TYPE_INTERVAL && t == TYPE_TIME) {
        for (uint32_t i = 0; i < n; i++) {
            int64_t us = ((Interval *)in->data)[i].micros % DT_USECS_PER_DAY;
            if (us < 0)
                us += DT_USECS_PER_DAY;
            ((int64_t *)out->data)[i] = us;
        }
        return 0;
    }
    /* To text: PostgreSQL's output function. */
    if (t == TYPE_STRING) {
        Buf b;
        buf_init(&b);
        StrView *o = (StrView *)out->data;
        for (uint32_t i = 0; i < n; i++) {
            o[i].len = 0;
            o[i].ptr = "";
            if (!VALID(i))
                continue;
            buf_clear(&b);
            if (f == TYPE_TIMESTAMPTZ) {
                char tb[DT_TEXT_MAX + 16];
                size_t tl = fl_format_timestamptz(((const int64_t *)in->data)[i], stz, tb);
                if (vec_str_copy(out, tb, tl, &o[i])) {
                    buf_free(&b);
                    return ERR_NOMEM(err, tl);
                }
                continue;
            }
            if (f == TYPE_BOOL) {
                const char *s = in->data[i] ? "true" : "false";
                if (vec_str_copy(out, s, strlen(s), &o[i])) {
                    buf_free(&b);
                    return ERR_NOMEM(err, 8);
                }
                continue;
            }
            if (value_format_text(in, i, &b) || vec_str_copy(out, (const char *)b.data, b.len, &o[i])) {
                buf_free(&b);
                return ERR_NOMEM(err, b.len);
            }
        }
        buf_free(&b);
        return 0;
    }
    /* From text: PostgreSQL's input function. */
    if (type_is_string_like(f) && f != TYPE_BLOB) {
        const StrView *s = (const StrView *)in->data;
        size_t w = type_width(tt);
        for (uint32_t i = 0; i < n; i++) {
            if (!VALID(i)) {
                memset(out->data + w * i, 0, w);
                continue;
            }
            if (t == TYPE_TIMESTAMPTZ) {
                int prc = fl_parse_timestamptz(s[i].ptr, s[i].len, stz, &((int64_t *)out->data)[i]);
                if (prc == 2) {
                    /* PostgreSQL names the zone lower-cased, as its lexer saw it */
                    const char *z = s[i].ptr + s[i].len;
                    while (z > s[i].ptr && (z[-1] == ' ' || z[-1] == '\t'))
                        z--;
                    const char *ze = z;
                    while (z > s[i].ptr && z[-1] != ' ' && z[-1] != '\t')
                        z--;
                    char zn[64];
                    size_t zl = (size_t)(ze - z) < sizeof zn - 1 ? (size_t)(ze - z) : sizeof zn - 1;
                    for (size_t k = 0; k < zl; k++)
                        zn[k] = (char)((z[k] >= 'A' && z[k] <= 'Z') ? z[k] + 32 : z[k]);
                    zn[zl] = 0;
                    return err_set_state(err, TARN_ERR_INVALID, "22023", "time zone \"%s\" not recognized", zn);
                }
                if (prc)
                    return invalid_input(err, tt, s[i].ptr, s[i].len);
                continue;
            }
            int rc = parse_into(out, i, s[i].ptr, s[i].len, err);
            if (rc)
                return rc;
        }
        /* Strings parsed into text-like targets borrow the input bytes;
         * callers keep the input alive as long as the output (expression
         * evaluation does). */
        return 0;
    }
    if (f == TYPE_BLOB && t == TYPE_BLOB) {
        memcpy(out->data, in->data, sizeof(StrView) * n);
        return 0;
    }
    return cast_err_none(ft, tt, err);
#undef VALID
}

int cast_value(const Value *in, const LogicalType *from, const LogicalType *to, Arena *a,
               const SqlSettings *settings, Value *out, TarnError *err)
{
    Vector vi, vo;
    int rc = 0;
    if (type_is_nested(to->id)) /* the Value would borrow from vo, freed here */
        return ERR_INTERNAL(err, "constant cast to a nested type");
    if (vec_init(&vi, from) || vec_init(&vo, to)) {
        vec_destroy(&vi);
        return ERR_NOMEM(err, 64);
    }
    if ((rc = value_to_vector(in, from, &vi)) != 0) {
        if (rc == TARN_ERR_NOMEM)
            ERR_NOMEM(err, 64);
        else
            cast_err_none(from, to, err);
        goto done;
    }
    if ((rc = cast_vector(&vi, &vo, 1, settings, err)) != 0)
        goto done;
    vector_get_value(&vo, 0, out);
    if (!out->is_null && type_is_string_like(to->id)) {
        char *p = arena_alloc(a, out->v.s.len + 1);
        if (!p) {
            rc = ERR_NOMEM(err, out->v.s.len);
            goto done;
        }
        memcpy(p, out->v.s.ptr, out->v.s.len);
        p[out->v.s.len] = 0;
        out->v.s.ptr = p;
    }
    out->type = to->id;
    out->precision = to->precision;
    out->scale = to->scale;
done:
    vec_destroy(&vi);
    vec_destroy(&vo);
    return rc;
}
