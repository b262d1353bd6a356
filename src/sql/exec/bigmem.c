/*
 * bigmem.c - huge-page friendly large allocations (bigmem.h).
 *
 * Requests of BIGMEM_MIN bytes and more are their own anonymous mappings
 * (mmap), not malloc's: glibc raises its mmap threshold to the size of
 * every mapped chunk it frees, after which the next large blocks come
 * from its heaps and are never given back, so a hash table that grows by
 * doubling left the old tables resident (Q18 of TPC-H: 350 MiB peak, 250
 * with a fixed threshold).  Own mappings also make big_calloc free (the
 * kernel hands out zeroed pages: no memset touching them twice) and
 * big_realloc a page-table move (mremap) instead of a copy.
 *
 * Every block starts with a Head (in a 4 KiB page of its own for mapped
 * blocks, so that the data stays 2 MiB aligned) that tells big_free which
 * kind it is.
 */
#include "sql/exec/bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/mem.h"

/* Under AddressSanitizer every block comes from malloc, where it can see
 * overflows (its own mappings would be unchecked). */
#if defined(__SANITIZE_ADDRESS__)
#define BIG_MAP_MIN ((size_t)-1)
#else
#define BIG_MAP_MIN BIGMEM_MIN
#endif

#define HEAD_PAGE ((size_t)4096)
#define HEAD_MAGIC_MAP 0x6d61706d656d6962ULL /* mapped block */
#define HEAD_MAGIC_MAL 0x6c616d6d656d6962ULL /* tarn_malloc'd block */

typedef struct Head {
    size_t map_len;             /* mapped blocks: bytes mapped from the head's page on */
    uint64_t magic;
} Head;

static inline Head *head_of(void *p) { return (Head *)((uint8_t *)p - sizeof(Head)); }

static void *map_block(size_t n)
{
    size_t r = (n + BIGMEM_MIN - 1) & ~(BIGMEM_MIN - 1);
    size_t len = r + BIGMEM_MIN + HEAD_PAGE;
    uint8_t *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    uintptr_t a = ((uintptr_t)base + HEAD_PAGE + BIGMEM_MIN - 1) & ~(uintptr_t)(BIGMEM_MIN - 1);
    uint8_t *data = (uint8_t *)a, *start = data - HEAD_PAGE, *end = data + r;
    if (start > base)
        munmap(base, (size_t)(start - base));
    if (base + len > end)
        munmap(end, (size_t)(base + len - end));
#ifdef MADV_HUGEPAGE
    madvise(start, r + HEAD_PAGE, MADV_HUGEPAGE); /* the whole block: one VMA for mremap */
#endif
    Head *h = head_of(data);
    h->map_len = r + HEAD_PAGE;
    h->magic = HEAD_MAGIC_MAP;
    return data;
}

void *big_alloc(size_t n)
{
    if (n >= BIG_MAP_MIN)
        return map_block(n);
    uint8_t *p = tarn_malloc(n + 16);
    if (!p)
        return NULL;
    Head *h = (Head *)p;
    h->map_len = 0;
    h->magic = HEAD_MAGIC_MAL;
    return p + 16;
}

void *big_calloc(size_t n)
{
    void *p = big_alloc(n);
    if (p && n < BIG_MAP_MIN) /* mapped pages are zero already */
        memset(p, 0, n);
    return p;
}

void *big_realloc(void *p, size_t old_n, size_t n)
{
    if (!p)
        return big_alloc(n);
    Head *h = head_of(p);
    if (h->magic == HEAD_MAGIC_MAP && n >= BIG_MAP_MIN) {
        size_t r = (n + BIGMEM_MIN - 1) & ~(BIGMEM_MIN - 1);
        if (r + HEAD_PAGE == h->map_len)
            return p;
        uint8_t *start = (uint8_t *)p - HEAD_PAGE;
        uint8_t *q = mremap(start, h->map_len, r + HEAD_PAGE, MREMAP_MAYMOVE);
        if (q == MAP_FAILED)
            return NULL;
        uint8_t *data = q + HEAD_PAGE;
        head_of(data)->map_len = r + HEAD_PAGE;
        return data;
    }
    void *q = big_alloc(n);
    if (!q)
        return NULL;
    if (old_n)
        memcpy(q, p, old_n < n ? old_n : n);
    big_free(p);
    return q;
}

void big_free(void *p)
{
    if (!p)
        return;
    Head *h = head_of(p);
    if (h->magic == HEAD_MAGIC_MAP)
        munmap((uint8_t *)p - HEAD_PAGE, h->map_len);
    else
        tarn_free(h);
}
