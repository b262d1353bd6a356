/*
 * cast.h - SQL types as PostgreSQL sees them, and casts between them.
 *
 * The SQL engine's types are tarn LogicalTypes (vector/types.h).  This
 * module adds what PostgreSQL's catalog knows about them: the name
 * format_type() prints ("timestamp without time zone"), the type OID sent
 * over the wire, the type category and preferred type used by operator
 * resolution (PG docs 10.2/10.3), and the cast matrix (pg_cast: implicit,
 * assignment, explicit; I/O conversions to text are assignment casts, from
 * text explicit).
 *
 * Casts run on whole vectors: cast_vector converts n values of `in` into
 * `out` (out->type is the target), with PostgreSQL's semantics and
 * errors: integer narrowing checks range ("integer out of range", 22003),
 * float to integer rounds half to even, numeric rounds half away from
 * zero and checks precision ("numeric field overflow"), text input parses
 * strictly (`invalid input syntax for type integer: "12x"`, 22P02).
 *
 * Decimal physical layout helpers are here too (dec_get / dec_put), since
 * every numeric kernel needs them.
 *
 * Thread-safe; no state.
 */
#ifndef TARN_SQL_FUNC_CAST_H
#define TARN_SQL_FUNC_CAST_H

#include <stdbool.h>
#include <stdint.h>

#include "sql/func/func.h"
#include "util/err.h"
#include "vector/value.h"
#include "vector/vector.h"

/* PostgreSQL type OIDs. */
enum {
    PG_OID_BOOL = 16, PG_OID_BYTEA = 17, PG_OID_INT8 = 20, PG_OID_INT2 = 21, PG_OID_INT4 = 23,
    PG_OID_TEXT = 25, PG_OID_JSON = 114, PG_OID_FLOAT4 = 700, PG_OID_FLOAT8 = 701,
    PG_OID_UNKNOWN = 705, PG_OID_VARCHAR = 1043, PG_OID_BPCHAR = 1042, PG_OID_DATE = 1082, PG_OID_TIME = 1083,
    PG_OID_TIMESTAMP = 1114, PG_OID_TIMESTAMPTZ = 1184, PG_OID_INTERVAL = 1186,
    PG_OID_NUMERIC = 1700, PG_OID_UUID = 2950, PG_OID_JSONB = 3802
};

/* Type categories (pg_type.typcategory). */
enum {
    TCAT_BOOL = 'B', TCAT_NUMERIC = 'N', TCAT_STRING = 'S', TCAT_DATETIME = 'D',
    TCAT_TIMESPAN = 'T', TCAT_USER = 'U', TCAT_ARRAY = 'A', TCAT_COMPOSITE = 'C',
    TCAT_UNKNOWN = 'X'
};

char sqltype_category(TypeId id);
bool sqltype_preferred(TypeId id);
uint32_t sqltype_oid(const LogicalType *t);
/* The assignment length coercion of varchar(n) / char(n) type t over a flat
 * string vector, in place (func_char.c): 22001 when a value is too long
 * (excess spaces are cut); char(n) values lose their trailing spaces.  A
 * no-op for other types. */
int char_coerce_vector(Vector *v, uint32_t n_rows, const LogicalType *t, TarnError *err);
/* format_type() text: "integer", "numeric(15,2)", "character varying",
 * "timestamp without time zone", "text[]".  Writes into buf. */
const char *sqltype_name(const LogicalType *t, char *buf, size_t cap);
/* The short type name used in "X out of range" messages: "smallint",
 * "integer", "bigint". */
const char *sqltype_short_name(TypeId id);

typedef enum CastContext {
    CAST_NONE = 0,       /* no cast at all */
    CAST_EXPLICIT = 1,   /* CAST(x AS t) / x::t only */
    CAST_ASSIGNMENT = 2, /* also INSERT / UPDATE into a column */
    CAST_IMPLICIT = 3    /* also in expressions */
} CastContext;

/* The strongest context in which from -> to is allowed (same id: IMPLICIT). */
CastContext cast_context(TypeId from, TypeId to);

/* Converts n values of in (flat or constant) into out (type = target,
 * reset, capacity >= n); sets out->len = n (1 if in is constant, and then
 * out->is_const).  Errors as described above. */
int cast_vector(const Vector *in, Vector *out, uint32_t n, const SqlSettings *settings,
                TarnError *err);

/* Casts one constant: *out gets a value of type `to`; strings are copied
 * into arena a.  Used by the binder to fold literals. */
int cast_value(const Value *in, const LogicalType *from, const LogicalType *to, Arena *a,
               const SqlSettings *settings, Value *out, TarnError *err);

/* A one-row vector holding v (type t; strings borrowed; a nested value -
 * LIST / MAP / STRUCT - is copied from its vector, which must have type t). */
int value_to_vector(const Value *v, const LogicalType *t, Vector *out);
/* Row i of vector v as a Value (strings and nested values borrowed from v:
 * valid while v is). */
void vector_get_value(const Vector *v, uint32_t i, Value *out);

/* ---- Decimal layout ---------------------------------------------------------- */

static inline bool dec_is_wide(const LogicalType *t) { return t->precision > DECIMAL64_MAX_PRECISION; }
static inline int128_t dec_get(const Vector *v, uint32_t i)
{
    return dec_is_wide(v->type) ? ((const int128_t *)v->data)[i] : ((const int64_t *)v->data)[i];
}
static inline void dec_put(Vector *v, uint32_t i, int128_t x)
{
    if (dec_is_wide(v->type))
        ((int128_t *)v->data)[i] = x;
    else
        ((int64_t *)v->data)[i] = (int64_t)x;
}
/* Rescales an unscaled value from scale `from` to `to` (rounding half away
 * from zero when shrinking); false on overflow of 38 digits. */
bool dec_rescale(int128_t x, int from, int to, int128_t *out);
/* True when |x| < 10^precision. */
bool dec_fits(int128_t x, int precision);

#endif
