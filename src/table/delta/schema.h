/*
 * schema.h - Delta table schemas: the Spark JSON schema string of a
 * metaData action <-> a tarn Schema, plus the per-column Delta metadata
 * (column mapping physical names and ids, generation expressions,
 * invariants, type-change history) that a tarn Field has no room for.
 *
 * Spec: PROTOCOL.md "Schema Serialization Format", "Column Mapping",
 * "Type Widening", "Column Invariants", "Generated Columns".
 *
 * Type mapping (Delta -> tarn): string TEXT, long INT64, integer INT32,
 * short INT16, byte INT8, float FLOAT, double DOUBLE, boolean BOOL, binary
 * BLOB, date DATE, timestamp TIMESTAMPTZ, timestamp_ntz TIMESTAMP,
 * decimal(p,s) DECIMAL(p,s), struct STRUCT, array LIST, map MAP.  Anything
 * else (variant, void, interval) is TARN_ERR_UNSUPPORTED
 * "unsupported: Delta type \"variant\"".  tarn types with no Delta
 * equivalent (unsigned, TIME, INTERVAL, UUID, JSON) are refused when writing
 * a schema.
 *
 * A DeltaColumn tree parallels the LogicalType tree: one node per struct
 * field, with `children` for STRUCT (its fields), LIST (1: element) and MAP
 * (2: key, value).  Element/key/value nodes have no metadata of their own.
 *
 * Memory: DeltaSchema owns its Schema (schema_destroy via
 * delta_schema_destroy); the DeltaColumn tree and its strings live in the
 * arena given to delta_schema_parse.
 */
#ifndef TARN_TABLE_DELTA_SCHEMA_H
#define TARN_TABLE_DELTA_SCHEMA_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"
#include "util/mem.h"
#include "vector/types.h"

typedef struct DeltaColumn DeltaColumn;
struct DeltaColumn {
    const char *name;           /* logical name (element/key/value for nested non-fields) */
    const char *physical_name;  /* delta.columnMapping.physicalName, else = name */
    int32_t field_id;           /* delta.columnMapping.id, -1 when absent */
    const char *metadata_json;  /* the field's "metadata" object as compact JSON ("{}") */
    const char *generation_expr;/* delta.generationExpression, NULL when absent */
    const char *invariant_expr; /* delta.invariants expression.expression, NULL */
    bool has_type_changes;      /* delta.typeChanges present */
    bool is_identity;           /* delta.identity.* present */
    uint32_t n_children;
    DeltaColumn *children;
};

typedef struct DeltaSchema {
    Schema schema;              /* logical schema; owned */
    DeltaColumn *columns;       /* schema.n_fields entries, arena */
} DeltaSchema;

/* Parses a schemaString.  Allocations of the column tree go to `a`. */
int delta_schema_parse(Arena *a, const char *json, size_t len, DeltaSchema *out, TarnError *err);
void delta_schema_destroy(DeltaSchema *s);

/* Serializes a schema as a Delta schemaString.  `cols` (may be NULL)
 * supplies each field's metadata JSON; without it fields get "{}". */
int delta_schema_serialize(const Schema *s, const DeltaColumn *cols, Buf *out, TarnError *err);

/* Appends the Delta name of a simple type ("long", "decimal(10,2)"); nested
 * and unsupported types are an error. */
int delta_type_name(const LogicalType *t, Buf *out, TarnError *err);

/* Checks that every type in s can be stored in a Delta table. */
int delta_schema_check_writable(const Schema *s, TarnError *err);

/* True when values of type `from` may be read as `to` under the Type
 * Widening rules (identical types included). */
bool delta_type_can_widen(const LogicalType *from, const LogicalType *to);

/* Index of the top-level column with this logical name (case-sensitive,
 * then case-insensitive as Spark resolves), or -1. */
int delta_schema_find(const DeltaSchema *s, const char *name);

#endif
