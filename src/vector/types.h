/*
 * types.h - tarn's logical types, fields and schemas.
 *
 * A LogicalType is a TypeId plus parameters (decimal precision/scale) and,
 * for nested types, child Fields:
 *   LIST   one child field  (the element, conventionally named "element")
 *   MAP    two child fields (key, value)
 *   STRUCT n child fields
 * A Schema is the list of top-level Fields of a table or file.
 *
 * Physical representation of each type inside a Vector (see vector.h):
 *   BOOL                  uint8_t 0/1
 *   INT8..UINT64          the C integer of that width
 *   FLOAT / DOUBLE        float / double
 *   DECIMAL(p,s)          int64_t when p <= 18, __int128 when p <= 38 (unscaled)
 *   DATE                  int32_t days since 1970-01-01
 *   TIME                  int64_t microseconds since midnight
 *   TIMESTAMP(TZ)         int64_t microseconds since 1970-01-01 00:00:00 (UTC for TZ)
 *   INTERVAL              Interval {months, days, micros}
 *   STRING, BLOB, JSON    StrView (16 bytes: length + pointer)
 *   UUID                  16 bytes, big-endian as in its text form
 *   LIST, MAP             offsets (uint32_t, len+1) into child vectors
 *   STRUCT                child vectors, one per field
 *
 * Ownership: a type's fields and names are owned by the type and freed with
 * type_destroy; type_copy makes a deep copy.  Functions returning int give 0
 * or TARN_ERR_NOMEM.
 */
#ifndef TARN_VECTOR_TYPES_H
#define TARN_VECTOR_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef enum TypeId {
    TYPE_INVALID = 0,
    TYPE_BOOL,
    TYPE_INT8,
    TYPE_INT16,
    TYPE_INT32,
    TYPE_INT64,
    TYPE_UINT8,
    TYPE_UINT16,
    TYPE_UINT32,
    TYPE_UINT64,
    TYPE_FLOAT,
    TYPE_DOUBLE,
    TYPE_DECIMAL,
    TYPE_DATE,
    TYPE_TIME,
    TYPE_TIMESTAMP,   /* without time zone (Parquet isAdjustedToUTC=false) */
    TYPE_TIMESTAMPTZ, /* with time zone: an instant, stored as UTC */
    TYPE_INTERVAL,
    TYPE_STRING,
    TYPE_BLOB,
    TYPE_JSON,
    TYPE_UUID,
    TYPE_LIST,
    TYPE_MAP,
    TYPE_STRUCT,
    TYPE_NULL, /* the type of an untyped NULL literal / all-null inferred column */
    TYPE__COUNT
} TypeId;

#define DECIMAL_MAX_PRECISION 38
#define DECIMAL64_MAX_PRECISION 18

typedef struct Field Field;

typedef struct LogicalType {
    TypeId id;
    uint8_t precision; /* DECIMAL */
    uint8_t scale;     /* DECIMAL */
    uint32_t n_fields; /* LIST: 1, MAP: 2, STRUCT: n */
    Field *fields;     /* owned */
    /* STRING declared as varchar(n) / char(n) (SQL; Delta keeps it in the
     * field metadata __CHAR_VARCHAR_TYPE_STRING).  Values are plain strings;
     * char(n) values are kept without trailing spaces and padded on output.
     * char_len 0: text.  Last, so positional initializers stay valid. */
    uint32_t char_len;
    uint8_t char_kind; /* TYPE_CHAR_* */
} LogicalType;

enum { TYPE_CHAR_NONE = 0, TYPE_CHAR_VARCHAR = 1, TYPE_CHAR_BPCHAR = 2,
       /* PostgreSQL types tarn stores as another type, for type OIDs and names
        * only (catalog emulation, sql/syscat/): STRING as name / "char",
        * INT64 as oid.  type_equal ignores them; char_len stays 0. */
       TYPE_CHAR_NAME = 3, TYPE_CHAR_QCHAR = 4, TYPE_CHAR_OID = 5 };

struct Field {
    char *name;        /* owned */
    LogicalType type;
    bool nullable;
};

typedef struct Schema {
    uint32_t n_fields;
    Field *fields; /* owned */
} Schema;

typedef struct StrView {
    uint32_t len;
    uint32_t pad_;
    const char *ptr; /* not NUL-terminated */
} StrView;

typedef struct Interval {
    int32_t months;
    int32_t days;
    int64_t micros;
} Interval;

typedef __int128 int128_t;

/* Simple (non-nested) type with the given id. */
static inline LogicalType type_simple(TypeId id)
{
    LogicalType t = {id, 0, 0, 0, NULL, 0, 0};
    return t;
}
static inline LogicalType type_decimal(int precision, int scale)
{
    LogicalType t = {TYPE_DECIMAL, (uint8_t)precision, (uint8_t)scale, 0, NULL, 0, 0};
    return t;
}
static inline bool type_is_nested(TypeId id)
{
    return id == TYPE_LIST || id == TYPE_MAP || id == TYPE_STRUCT;
}
static inline bool type_is_string_like(TypeId id)
{
    return id == TYPE_STRING || id == TYPE_BLOB || id == TYPE_JSON;
}
static inline bool type_is_integer(TypeId id)
{
    return id >= TYPE_INT8 && id <= TYPE_UINT64;
}

/* Bytes one value occupies in a vector's data array (0 for STRUCT). */
size_t type_width(const LogicalType *t);

/* Nested constructors: take ownership of the child types passed by value
 * (on failure the children are destroyed).  Names are copied. */
int type_list(LogicalType *out, LogicalType element, bool element_nullable);
int type_map(LogicalType *out, LogicalType key, LogicalType value, bool value_nullable);
/* Creates an empty STRUCT; add fields with type_struct_add. */
void type_struct_init(LogicalType *out);
int type_struct_add(LogicalType *st, const char *name, LogicalType t, bool nullable);

int type_copy(LogicalType *dst, const LogicalType *src);
void type_destroy(LogicalType *t);
bool type_equal(const LogicalType *a, const LogicalType *b);

/* PostgreSQL-style name: "integer", "numeric(10,2)", "text", "integer[]",
 * "struct(a integer, b text)", "map(text, integer)". Writes into buf. */
const char *type_name(const LogicalType *t, char *buf, size_t cap);

/* Schema helpers. */
void schema_init(Schema *s);
int schema_add(Schema *s, const char *name, LogicalType t, bool nullable);
int schema_copy(Schema *dst, const Schema *src);
void schema_destroy(Schema *s);
/* Index of a top-level field by name (exact match), or -1. */
int schema_find(const Schema *s, const char *name);

#endif
