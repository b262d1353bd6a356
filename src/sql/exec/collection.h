/*
 * collection.h - materialized rows: a growable list of column chunks.
 *
 * Operators that keep rows (result sets, hash join build sides, sorts)
 * append chunks here; values are copied, strings into the chunk's own
 * heap, so a collection does not depend on its inputs.  Rows are
 * addressed by a 32-bit row id: chunk * COLL_CHUNK_ROWS + offset.
 *
 * Thread-safety: one writer; any number of readers once writing is done.
 * coll_move appends another collection's chunks without copying (for
 * combining thread-local collections).
 */
#ifndef TARN_SQL_EXEC_COLLECTION_H
#define TARN_SQL_EXEC_COLLECTION_H

#include <stdatomic.h>

#include "sql/exec/chunk.h"

#define COLL_CHUNK_ROWS VEC_BATCH_ROWS
#define COLL_SHIFT 11 /* log2(COLL_CHUNK_ROWS) */

typedef struct CollChunk {
    uint32_t n_rows;
    Vector *cols;               /* n_cols vectors, capacity COLL_CHUNK_ROWS */
} CollChunk;

typedef struct Collection {
    uint32_t n_cols;
    const LogicalType *types;   /* borrowed, n_cols */
    CollChunk *chunks;
    uint32_t n_chunks, cap_chunks;
    uint64_t n_rows;
    uint64_t mem_bytes;         /* approximate bytes held (chunks + string bytes), for memory_limit */
} Collection;

void coll_init(Collection *c, uint32_t n_cols, const LogicalType *types);
void coll_free(Collection *c);
/* coll_init on the heap (an operator's thread-local sink state): NULL with
 * err set when out of memory.  coll_delete: coll_free and free (NULL ok). */
Collection *coll_new(uint32_t n_cols, const LogicalType *types, TarnError *err);
void coll_delete(Collection *c);
/* Appends rows sel[0..n) (sel NULL: 0..n) of in's first n_cols columns
 * (in may be constant). */
int coll_append(Collection *c, const Chunk *in, const uint32_t *sel, uint32_t n, TarnError *err);
/* Moves src's chunks to the end of dst (src ends empty).  Partially
 * filled chunks stay partially filled: row ids remain chunk-relative. */
int coll_move(Collection *dst, Collection *src, TarnError *err);
/* out[k] = column col of row rows[k] (strings borrowed from c). */
int coll_gather(const Collection *c, uint32_t col, const uint32_t *rows, uint32_t n, Vector *out);
/* A parallel source's next chunk of c: takes chunk numbers from *cursor
 * (shared by the threads) until a non-empty one, and points out at it
 * (cols = ptrs, which has room for n_cols; strings borrowed from c).
 * out->n_rows 0: no chunks left (c NULL: none at all). */
void coll_emit_next(const Collection *c, uint32_t n_cols, atomic_uint *cursor, Vector **ptrs, Chunk *out);

static inline uint32_t coll_chunk_of(uint32_t row) { return row >> COLL_SHIFT; }
static inline uint32_t coll_off_of(uint32_t row) { return row & (COLL_CHUNK_ROWS - 1); }

#endif
