/*
 * vector.h - column vectors and batches: how data moves through tarn.
 *
 * A Vector holds up to `cap` values of one LogicalType (layout per type in
 * types.h): a data array, a validity bitmap (bit i set = value i is not
 * NULL; validity == NULL means every value is valid), offsets for LIST/MAP
 * and child vectors for LIST/MAP/STRUCT.  A Batch is one Vector per column
 * of a Schema, all of the same length; batches carry about VEC_BATCH_ROWS
 * rows between operators.
 *
 * Ownership: a vector owns its data, validity, offsets and children (freed by
 * vec_destroy) and its `heap` arena, where copied string bytes live.  String
 * values (StrView) may instead point at bytes owned by someone else (a
 * decoded Parquet page, say); whoever fills the vector documents how long
 * such borrowed bytes stay valid.  The type is borrowed: it must outlive the
 * vector (it normally lives in a Schema).
 *
 * vec_reset keeps capacity, so a vector reused batch after batch allocates
 * nothing in the steady state.
 *
 * Layout invariants:
 *   - LIST/MAP: offsets[0] = 0, offsets[i] <= offsets[i+1], offsets[len] =
 *     child length; a NULL list has offsets[i] == offsets[i+1].
 *   - MAP: children[0] = keys, children[1] = values.
 *   - STRUCT: every child has the struct's len; child values under a NULL
 *     struct are NULL too.
 */
#ifndef TARN_VECTOR_VECTOR_H
#define TARN_VECTOR_VECTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/mem.h"
#include "vector/types.h"

#define VEC_BATCH_ROWS 2048

typedef struct Vector {
    const LogicalType *type;  /* borrowed */
    uint32_t len;             /* values in use */
    uint32_t cap;             /* values allocated in data/validity/offsets */
    uint8_t *data;            /* owned; cap * type_width(type) bytes */
    uint8_t *validity;        /* owned bitmap of cap bits, or NULL = all valid */
    uint32_t *offsets;        /* LIST/MAP: owned, cap + 1 entries */
    uint32_t n_children;
    struct Vector *children;  /* owned array of n_children vectors */
    Arena heap;               /* owned: bytes of copied strings */
    /* SQL engine (src/sql/func/func.h): when true, value 0 stands for every
     * row of the batch (a constant argument); len is 1.  Everything else
     * in tarn only ever sees false (vec_init clears it). */
    bool is_const;
} Vector;

typedef struct Batch {
    const Schema *schema; /* borrowed */
    uint32_t n_rows;
    uint32_t n_cols;
    Vector *cols;         /* owned, one per schema field */
} Batch;

/* ---- Vector lifecycle ------------------------------------------------- */

/* Initialises an empty vector of type t (children created for nested types). */
int vec_init(Vector *v, const LogicalType *t);
void vec_destroy(Vector *v);
/* len = 0 (recursively), heap released, capacity kept. */
void vec_reset(Vector *v);
/* Ensures capacity for at least n values (not recursive for children). */
int vec_reserve(Vector *v, uint32_t n);

/* ---- Access ------------------------------------------------------------ */

static inline bool vec_is_valid(const Vector *v, uint32_t i)
{
    return !v->validity || ((v->validity[i >> 3] >> (i & 7)) & 1);
}
/* Marks value i NULL (allocating the bitmap on first use). */
int vec_set_null(Vector *v, uint32_t i);
static inline void vec_set_valid_bit(Vector *v, uint32_t i)
{
    if (v->validity)
        v->validity[i >> 3] |= (uint8_t)(1u << (i & 7));
}
/* Allocates the validity bitmap (all valid) if it is absent. */
int vec_ensure_validity(Vector *v);
/* Number of NULLs among the first len values. */
uint32_t vec_null_count(const Vector *v);

#define VEC_DATA(v, T) ((T *)(v)->data)

/* ---- Appending (grows capacity as needed; for builders and tests) ------ */

int vec_append_null(Vector *v);
int vec_append_bool(Vector *v, bool x);
int vec_append_i64(Vector *v, int64_t x); /* any integer/date/time/timestamp/decimal64 type */
int vec_append_u64(Vector *v, uint64_t x);
int vec_append_i128(Vector *v, int128_t x); /* DECIMAL with p > 18 (or <= 18, narrowed) */
int vec_append_double(Vector *v, double x); /* FLOAT or DOUBLE */
int vec_append_interval(Vector *v, Interval x);
/* Copies the bytes into the vector's heap (STRING/BLOB/JSON); for UUID s must be 16 bytes. */
int vec_append_str(Vector *v, const char *s, size_t n);
/* LIST/MAP: appends one list whose elements were already appended to the
 * child vector(s): the new entry ends at the child's current length. */
int vec_append_list_end(Vector *v);
/* STRUCT: appends one struct row whose field values were already appended
 * to each child. */
int vec_append_struct_end(Vector *v);

/* Copies string bytes into v's heap and returns a view of the copy. */
int vec_str_copy(Vector *v, const char *s, size_t n, StrView *out);

/* Appends value i of src to dst (same type), recursively for nested types. */
int vec_append_from(Vector *dst, const Vector *src, uint32_t i);

/* ---- Batch ------------------------------------------------------------- */

int batch_init(Batch *b, const Schema *s);
void batch_destroy(Batch *b);
void batch_reset(Batch *b);

#endif
