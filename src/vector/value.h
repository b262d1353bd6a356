/*
 * value.h - a single typed scalar (constants, predicates, statistics).
 *
 * Strings in a Value are borrowed StrViews unless the creator says
 * otherwise.  Comparison follows each type's sort order: signed/unsigned
 * integers, decimals by unscaled value at equal scale, strings and blobs
 * byte-wise (unsigned), floats numerically.
 */
#ifndef TARN_VECTOR_VALUE_H
#define TARN_VECTOR_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include <string.h>

#include "vector/types.h"

typedef struct Value {
    TypeId type;    /* simple types; LIST / MAP / STRUCT only through v.nested */
    uint8_t precision, scale; /* DECIMAL */
    bool is_null;
    union {
        bool b;
        int64_t i;      /* all signed ints, DATE, TIME, TIMESTAMP(TZ), DECIMAL p<=18 */
        uint64_t u;     /* unsigned ints */
        double d;       /* FLOAT, DOUBLE */
        int128_t i128;  /* DECIMAL p>18 */
        StrView s;      /* STRING, BLOB, JSON */
        Interval iv;
        uint8_t uuid[16];
        /* LIST, MAP, STRUCT (arrays passed from an outer row or an init plan
         * to a subquery): row `row` of `vec`, borrowed like strings */
        struct { const struct Vector *vec; uint32_t row; } nested;
    } v;
} Value;

static inline Value value_null(void)
{
    Value x;
    memset(&x, 0, sizeof x);
    x.type = TYPE_NULL;
    x.is_null = true;
    return x;
}
static inline Value value_i64(TypeId t, int64_t i)
{
    Value x;
    memset(&x, 0, sizeof x);
    x.type = t;
    x.v.i = i;
    return x;
}
static inline Value value_double(double d)
{
    Value x;
    memset(&x, 0, sizeof x);
    x.type = TYPE_DOUBLE;
    x.v.d = d;
    return x;
}
static inline Value value_str(const char *s, uint32_t len)
{
    Value x;
    memset(&x, 0, sizeof x);
    x.type = TYPE_STRING;
    x.v.s.ptr = s;
    x.v.s.len = len;
    return x;
}

#endif
