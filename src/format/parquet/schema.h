/*
 * schema.h - from a Parquet schema (the flat, depth-first SchemaElement list
 * of the footer) to tarn's Schema, leaf column descriptors, and the
 * assembly tree the reader uses to rebuild nested values from repetition
 * and definition levels.
 *
 * Nested types follow LogicalTypes.md "Nested Types", including its
 * backward-compatibility rules for lists:
 *   - 3-level LIST: group (LIST) { repeated group list { <rep> element } };
 *   - 2-level / legacy lists: the repeated field is the element when it is
 *     a primitive, a group of several fields, or a one-field group named
 *     "array" or "<list>_tuple";
 *   - MAP / MAP_KEY_VALUE: group { repeated group key_value { key; value } }
 *     (an optional key and a missing value are tolerated: both seen in the
 *     wild);
 *   - a repeated field outside any LIST/MAP annotation is a required list
 *     of required elements.
 *
 * Assembly nodes carry three level thresholds (see reader.c):
 *   slot_def  a level position holds a slot of this node iff def >= slot_def
 *   def       the node's value is non-null iff def >= def
 *   rep       a slot starts a new value of this node iff rep <= rep
 * and for LIST/MAP the element thresholds elem_def / elem_rep.
 *
 * Memory: everything is allocated in the arena given to pq_schema_build.
 */
#ifndef TARN_FORMAT_PARQUET_SCHEMA_H
#define TARN_FORMAT_PARQUET_SCHEMA_H

#include <stdbool.h>
#include <stdint.h>

#include "format/parquet/meta.h"
#include "util/err.h"
#include "util/mem.h"
#include "vector/types.h"

/* How a leaf's physical values become its tarn type's representation. */
typedef enum PqConv {
    PQ_CONV_NONE,         /* identical bytes (INT32->INT32, INT64, FLOAT, DOUBLE, DATE) */
    PQ_CONV_BOOL,         /* BOOLEAN -> uint8 */
    PQ_CONV_I32_TO_I8,
    PQ_CONV_I32_TO_I16,
    PQ_CONV_I32_TO_U8,
    PQ_CONV_I32_TO_U16,
    PQ_CONV_I32_TO_I64,   /* INT32 decimal or time(ms) scaled later */
    PQ_CONV_I32_DECIMAL,  /* INT32 unscaled -> int64 or int128 */
    PQ_CONV_I64_DECIMAL,  /* INT64 unscaled -> int64 or int128 */
    PQ_CONV_BIN_DECIMAL,  /* BYTE_ARRAY / FLBA big-endian two's complement -> int64/int128 */
    PQ_CONV_TIME_MS,      /* INT32 millis -> int64 micros */
    PQ_CONV_TIME_NS,      /* INT64 nanos -> micros */
    PQ_CONV_TS_MS,        /* INT64 millis -> micros */
    PQ_CONV_TS_NS,        /* INT64 nanos -> micros (floor) */
    PQ_CONV_INT96,        /* INT96 (nanos of day, Julian day) -> micros */
    PQ_CONV_FLOAT16,      /* FLBA(2) half -> float */
    PQ_CONV_BYTES,        /* BYTE_ARRAY / FLBA -> StrView */
    PQ_CONV_UUID,         /* FLBA(16) -> 16 bytes */
    PQ_CONV_INTERVAL,     /* FLBA(12) months, days, millis -> Interval */
    PQ_CONV_NULL          /* logical UNKNOWN: every value is NULL */
} PqConv;

typedef struct PqLeaf {
    int schema_index;       /* index into FileMetaData.schema */
    const PqSchemaElement *el;
    int max_def, max_rep;
    PqPhysType phys;
    int type_length;        /* FLBA width */
    PqConv conv;
    const LogicalType *type;/* the leaf's tarn type (inside the Schema) */
    const char *path;       /* dotted path for messages ("a.list.element") */
    int top_field;          /* index of the top-level field it belongs to */
} PqLeaf;

typedef enum PqNodeKind { PQ_NODE_LEAF, PQ_NODE_STRUCT, PQ_NODE_LIST, PQ_NODE_MAP } PqNodeKind;

typedef struct PqNode {
    PqNodeKind kind;
    int slot_def, def, rep;   /* thresholds, see above */
    int elem_def, elem_rep;   /* LIST/MAP */
    int leaf;                 /* LEAF: leaf index; others: first leaf below (representative) */
    int first_leaf, n_leaves; /* leaves below this node: [first_leaf, first_leaf + n_leaves) */
    int n_children;
    struct PqNode *children;  /* LIST: 1 (element); MAP: 2 (key, value); STRUCT: n */
    const LogicalType *type;
} PqNode;

typedef struct PqSchema {
    Schema schema;            /* tarn schema of the top-level fields; owned (schema_destroy) */
    int n_leaves;
    PqLeaf *leaves;           /* in file column order (arena) */
    PqNode *fields;           /* one assembly tree per top-level field (arena) */
} PqSchema;

/* Builds the schema from the footer.  Unsupported types are
 * TARN_ERR_UNSUPPORTED; malformed trees TARN_ERR_CORRUPT. */
int pq_schema_build(const PqFileMetaData *md, Arena *a, PqSchema *out, TarnError *err);
void pq_schema_destroy(PqSchema *s);

/* Physical type name as parquet.thrift spells it. */
const char *pq_phys_name(int phys);
/* Encoding name ("RLE_DICTIONARY"), converted type name ("UTF8"). */
const char *pq_encoding_name(int enc);
const char *pq_converted_name(int ct);
/* Logical type as text ("TIMESTAMP(MICROS,true)", "DECIMAL(10,2)"); "" if none. */
const char *pq_logical_text(const PqLogicalType *lt, char *buf, size_t cap);

#endif
