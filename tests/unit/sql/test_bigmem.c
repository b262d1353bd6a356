/*
 * test_bigmem.c - the executor's large allocations (sql/exec/bigmem.h):
 * small blocks (tarn_malloc) and mapped ones, zeroed big_calloc, contents
 * kept by big_realloc across growth and shrinking in both size classes and
 * across the boundary, big_free of NULL and of every kind.
 */
#include "../test.h"

#include <stdint.h>
#include <string.h>

#include "sql/exec/bigmem.h"

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

static int same(const uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)(seed + i * 7))
            return 0;
    return 1;
}

TEST(bigmem_calloc_zeroed)
{
    size_t sizes[] = {1, 4096, BIGMEM_MIN - 1, BIGMEM_MIN, BIGMEM_MIN + 1, 3 * BIGMEM_MIN + 12345};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        uint8_t *p = big_calloc(sizes[k]);
        ASSERT(p != NULL);
        ASSERT(((uintptr_t)p & 15) == 0);
        for (size_t i = 0; i < sizes[k]; i += 997)
            ASSERT(p[i] == 0);
        ASSERT(p[sizes[k] - 1] == 0);
        memset(p, 0xAB, sizes[k]); /* the whole block is writable */
        big_free(p);
    }
    big_free(NULL);
}

TEST(bigmem_realloc_keeps_contents)
{
    /* small -> small -> big -> bigger -> smaller big -> small */
    size_t steps[] = {100, 70000, BIGMEM_MIN + 10, 5 * BIGMEM_MIN, 2 * BIGMEM_MIN + 1, 5000};
    uint8_t *p = big_alloc(steps[0]);
    ASSERT(p != NULL);
    fill(p, steps[0], 3);
    size_t cur = steps[0];
    for (size_t k = 1; k < sizeof steps / sizeof steps[0]; k++) {
        size_t n = steps[k];
        uint8_t *q = big_realloc(p, cur, n);
        ASSERT(q != NULL);
        size_t kept = cur < n ? cur : n;
        ASSERT(same(q, kept, 3));
        fill(q, n, 3); /* the new size is usable */
        p = q;
        cur = n;
    }
    big_free(p);
    /* from NULL */
    uint8_t *r = big_realloc(NULL, 0, BIGMEM_MIN * 2);
    ASSERT(r != NULL);
    fill(r, BIGMEM_MIN * 2, 9);
    ASSERT(same(r, BIGMEM_MIN * 2, 9));
    big_free(r);
}

TEST(bigmem_realloc_doubling)
{
    /* a hash table's rows array growing by doubling: the bytes written
     * first survive every move */
    uint8_t *p = big_calloc(BIGMEM_MIN);
    ASSERT(p != NULL);
    fill(p, BIGMEM_MIN, 1);
    for (int i = 0; i < 4; i++) {
        uint8_t *q = big_realloc(p, BIGMEM_MIN << i, BIGMEM_MIN << (i + 1));
        ASSERT(q != NULL);
        ASSERT(same(q, BIGMEM_MIN, 1));
        p = q;
    }
    big_free(p);
}
