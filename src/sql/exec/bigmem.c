/*
 * bigmem.c - huge-page friendly large allocations (bigmem.h).
 */
#include "sql/exec/bigmem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/mem.h"

void *big_alloc(size_t n)
{
    if (n < BIGMEM_MIN)
        return tarn_malloc(n);
    size_t r = (n + BIGMEM_MIN - 1) & ~(BIGMEM_MIN - 1);
    void *p = NULL;
    if (posix_memalign(&p, BIGMEM_MIN, r))
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, r, MADV_HUGEPAGE);
#endif
    return p;
}

void *big_calloc(size_t n)
{
    void *p = big_alloc(n);
    if (p)
        memset(p, 0, n);
    return p;
}

void *big_realloc(void *p, size_t old_n, size_t n)
{
    if (n < BIGMEM_MIN)
        return tarn_realloc(p, n);
    void *q = big_alloc(n);
    if (!q)
        return NULL;
    if (p && old_n)
        memcpy(q, p, old_n < n ? old_n : n);
    big_free(p);
    return q;
}

void big_free(void *p) { free(p); }
