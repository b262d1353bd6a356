/*
 * chunk.h - the unit of data between physical operators, and the vector
 * kernels every operator needs (gather, scatter, hashing, copying).
 *
 * A Chunk is n_rows rows of n_cols columns; cols[i] points at a Vector
 * owned by whoever produced the chunk (an operator's output vectors, an
 * expression's result, a scan's batch).  A chunk is valid until its
 * producer is called again: operators that keep rows (hash tables, sorts,
 * result sets) copy them (and their strings).  Vectors in a chunk are flat
 * (is_const false) unless said otherwise.
 *
 * Selection vectors are plain arrays of row indexes (uint32_t), ascending.
 */
#ifndef TARN_SQL_EXEC_CHUNK_H
#define TARN_SQL_EXEC_CHUNK_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"
#include "vector/vector.h"

typedef struct Chunk {
    uint32_t n_rows;
    uint32_t n_cols;
    Vector **cols;
} Chunk;

/* dst[k] = src[sel[k]] for k < n (sel NULL: the first n rows).  dst gets
 * src's type; strings keep pointing at src's bytes.  Handles constant src.
 * 0 or NOMEM. */
int vec_gather(Vector *dst, const Vector *src, const uint32_t *sel, uint32_t n);
/* dst[pos[k]] = src[k] for k < n (dst must have capacity). */
int vec_scatter(Vector *dst, const Vector *src, const uint32_t *pos, uint32_t n);
/* Makes dst an independent copy of rows [0,n) of src, strings copied into
 * dst's heap. */
int vec_copy_deep(Vector *dst, const Vector *src, uint32_t n);
/* Copies string bytes of v's first n rows into v's own heap (so they
 * outlive whatever they pointed at). */
int vec_own_strings(Vector *v, uint32_t n);

/* Hashes of n rows of v combined into h (h[i] = combine(h[i], hash(v[i]))
 * or, with init, h[i] = hash(v[i])).  NULL hashes to a fixed value. */
void vec_hash(const Vector *v, uint32_t n, uint64_t *h, bool init);
/* The same hashes (init) for rows sel[0..k) only: h[sel[j]] is set, the
 * other entries of h are left alone. */
void vec_hash_sel(const Vector *v, const uint32_t *sel, uint32_t k, uint64_t *h);

/* Sets row i of v to NULL (ensuring the bitmap). */
static inline int vec_null_at(Vector *v, uint32_t i) { return vec_set_null(v, i); }

/* Prepares v for n rows of output: vec_reset + reserve + len = n, flat. */
int vec_prepare(Vector *v, uint32_t n);

/* True when row ia of a and row ib of b are not distinct: both NULL, or
 * both non-NULL with byte-identical values (strings compared by content).
 * a and b have the same (flat, non-nested) type. */
bool vec_rows_not_distinct(const Vector *a, uint32_t ia, const Vector *b, uint32_t ib);

#endif
