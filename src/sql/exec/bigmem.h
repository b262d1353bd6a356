/*
 * bigmem.h - large allocations for the executor's hash tables and row
 * stores: 2 MiB aligned and advised to use transparent huge pages
 * (madvise MADV_HUGEPAGE), so that filling a hash table of millions of
 * groups costs one page fault per 2 MiB instead of one per 4 KiB (the
 * kernel time of page faults was half of a 1.5M-group aggregation).
 * Requests of BIGMEM_MIN and more are anonymous mappings of their own
 * (given back to the kernel by big_free; big_calloc needs no memset);
 * smaller ones go to tarn_malloc.  Free with big_free.
 */
#ifndef TARN_SQL_EXEC_BIGMEM_H
#define TARN_SQL_EXEC_BIGMEM_H

#include <stddef.h>

#define BIGMEM_MIN ((size_t)2 << 20)

void *big_alloc(size_t n);
void *big_calloc(size_t n);
/* Grows p (old_n bytes in use) to n bytes; NULL on failure (p intact). */
void *big_realloc(void *p, size_t old_n, size_t n);
void big_free(void *p);

#endif
