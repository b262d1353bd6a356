/*
 * pages.c - copy-on-write paged arrays and a hash index stored in them:
 * the containers of a snapshot's live files and tombstones.
 *
 * A snapshot refreshed with new commits starts from the previous
 * snapshot's containers: delta_pages_share copies only the table of page
 * pointers (a page holds DELTA_PAGE_WORDS words) and takes a reference on
 * every page; the first write to a shared page copies it.  Applying a
 * commit therefore costs the pages it touches, not the size of the table.
 *
 * Sharing rule: a page whose reference count is 1 belongs to the
 * container being written alone and is changed in place; any other page is
 * copied first.  Containers are written only while their snapshot is being
 * built (by one thread); afterwards they are read-only and may be read by
 * any number of threads.  Counts are atomic because a snapshot sharing a
 * page may be freed by another thread at any time (which can only lower
 * the count: nobody else can add a reference to a page of a container that
 * is still being built, so a count of 1 stays 1).
 *
 * The index is open addressing with linear probing over one DeltaPages of
 * slot words (hash << 32 | value + 1; 0 empty; low half all ones =
 * deleted).  It stores no keys: the caller's key function returns the key
 * of a value (e.g. the path of live file number `value`), which keeps the
 * index one word per slot and always in step with the array it indexes.
 */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "table/delta/delta_int.h"

/* ---- Pages ------------------------------------------------------------------- */

void delta_pages_init(DeltaPages *p)
{
    p->n_pages = 0;
    p->pages = NULL;
}

static void page_unref(DeltaPage *pg)
{
    if (pg && __atomic_sub_fetch(&pg->refs, 1, __ATOMIC_ACQ_REL) == 0)
        tarn_free(pg);
}

void delta_pages_free(DeltaPages *p)
{
    for (size_t i = 0; i < p->n_pages; i++)
        page_unref(p->pages[i]);
    tarn_free(p->pages);
    delta_pages_init(p);
}

int delta_pages_share(DeltaPages *dst, const DeltaPages *src)
{
    delta_pages_init(dst);
    if (!src->n_pages)
        return 0;
    dst->pages = tarn_malloc(src->n_pages * sizeof *dst->pages);
    if (!dst->pages)
        return TARN_ERR_NOMEM;
    for (size_t i = 0; i < src->n_pages; i++) {
        dst->pages[i] = src->pages[i];
        if (dst->pages[i])
            __atomic_add_fetch(&dst->pages[i]->refs, 1, __ATOMIC_RELAXED);
    }
    dst->n_pages = src->n_pages;
    return 0;
}

/* The page holding word i, made writable (allocated or unshared). */
static uint64_t *writable(DeltaPages *p, size_t i)
{
    size_t k = i / DELTA_PAGE_WORDS;
    if (k >= p->n_pages) {
        size_t n = p->n_pages ? p->n_pages : 4;
        while (n <= k)
            n *= 2;
        DeltaPage **t = tarn_realloc(p->pages, n * sizeof *t);
        if (!t)
            return NULL;
        memset(t + p->n_pages, 0, (n - p->n_pages) * sizeof *t);
        p->pages = t;
        p->n_pages = n;
    }
    DeltaPage *pg = p->pages[k];
    if (!pg || __atomic_load_n(&pg->refs, __ATOMIC_ACQUIRE) != 1) {
        DeltaPage *np = tarn_malloc(sizeof *np);
        if (!np)
            return NULL;
        np->refs = 1;
        if (pg)
            memcpy(np->w, pg->w, sizeof np->w);
        else
            memset(np->w, 0, sizeof np->w);
        page_unref(pg);
        p->pages[k] = np;
        pg = np;
    }
    return &pg->w[i % DELTA_PAGE_WORDS];
}

int delta_pages_set(DeltaPages *p, size_t i, uint64_t v)
{
    uint64_t *w = writable(p, i);
    if (!w)
        return TARN_ERR_NOMEM;
    *w = v;
    return 0;
}

/* ---- Index ---------------------------------------------------------------------- */

#define SLOT_DELETED UINT64_C(0xFFFFFFFF)

static uint32_t hash_key(const char *k)
{
    return (uint32_t)XXH3_64bits(k, strlen(k));
}

void delta_pidx_init(DeltaPagedIndex *ix)
{
    memset(ix, 0, sizeof *ix);
    delta_pages_init(&ix->slots);
}

void delta_pidx_free(DeltaPagedIndex *ix)
{
    delta_pages_free(&ix->slots);
    delta_pidx_init(ix);
}

int delta_pidx_share(DeltaPagedIndex *dst, const DeltaPagedIndex *src)
{
    *dst = *src;
    return delta_pages_share(&dst->slots, &src->slots);
}

/* Slot holding key, or -1. */
static ptrdiff_t find_slot(const DeltaPagedIndex *ix, const char *key, uint32_t h, DeltaKeyFn kf,
                           const void *ctx)
{
    if (!ix->cap)
        return -1;
    size_t mask = ix->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t sl = delta_pages_get(&ix->slots, i);
        if (!sl)
            return -1;
        if ((uint32_t)(sl >> 32) == h && (sl & SLOT_DELETED) != SLOT_DELETED &&
            strcmp(kf(ctx, (uint32_t)(sl & 0xFFFFFFFF) - 1), key) == 0)
            return (ptrdiff_t)i;
    }
}

bool delta_pidx_get(const DeltaPagedIndex *ix, const char *key, DeltaKeyFn kf, const void *ctx,
                    uint32_t *value_out)
{
    ptrdiff_t i = find_slot(ix, key, hash_key(key), kf, ctx);
    if (i < 0)
        return false;
    *value_out = (uint32_t)(delta_pages_get(&ix->slots, (size_t)i) & 0xFFFFFFFF) - 1;
    return true;
}

/* Rehashes into a table for `want` entries (no key is looked at). */
static int grow_to(DeltaPagedIndex *ix, size_t want)
{
    size_t cap = ix->cap ? ix->cap : 64;
    while (want * 10 >= cap * 6)
        cap *= 2;
    DeltaPages ns;
    delta_pages_init(&ns);
    for (size_t i = 0; i < ix->cap; i++) {
        uint64_t sl = delta_pages_get(&ix->slots, i);
        if (!sl || (sl & SLOT_DELETED) == SLOT_DELETED)
            continue;
        size_t j = (size_t)(sl >> 32) & (cap - 1);
        while (delta_pages_get(&ns, j))
            j = (j + 1) & (cap - 1);
        if (delta_pages_set(&ns, j, sl)) {
            delta_pages_free(&ns);
            return TARN_ERR_NOMEM;
        }
    }
    delta_pages_free(&ix->slots);
    ix->slots = ns;
    ix->cap = cap;
    ix->n_deleted = 0;
    return 0;
}

int delta_pidx_reserve(DeltaPagedIndex *ix, size_t n)
{
    if ((n + ix->n_deleted) * 10 < ix->cap * 6)
        return 0;
    return grow_to(ix, n);
}

int delta_pidx_put(DeltaPagedIndex *ix, const char *key, uint32_t value, DeltaKeyFn kf, const void *ctx,
                   uint32_t *prev_out, bool *had_out)
{
    uint32_t h = hash_key(key);
    ptrdiff_t f = find_slot(ix, key, h, kf, ctx);
    if (had_out)
        *had_out = f >= 0;
    uint64_t word = (uint64_t)h << 32 | ((uint64_t)value + 1);
    if (f >= 0) {
        if (prev_out)
            *prev_out = (uint32_t)(delta_pages_get(&ix->slots, (size_t)f) & 0xFFFFFFFF) - 1;
        return delta_pages_set(&ix->slots, (size_t)f, word);
    }
    if ((ix->n + ix->n_deleted + 1) * 10 >= ix->cap * 6 && grow_to(ix, ix->n + 1))
        return TARN_ERR_NOMEM;
    size_t mask = ix->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t sl = delta_pages_get(&ix->slots, i);
        if (!sl || (sl & SLOT_DELETED) == SLOT_DELETED) {
            if (delta_pages_set(&ix->slots, i, word))
                return TARN_ERR_NOMEM;
            if (sl)
                ix->n_deleted--;
            ix->n++;
            return 0;
        }
    }
}

int delta_pidx_del(DeltaPagedIndex *ix, const char *key, DeltaKeyFn kf, const void *ctx, uint32_t *value_out,
                   bool *found_out)
{
    *found_out = false;
    ptrdiff_t i = find_slot(ix, key, hash_key(key), kf, ctx);
    if (i < 0)
        return 0;
    uint64_t sl = delta_pages_get(&ix->slots, (size_t)i);
    if (delta_pages_set(&ix->slots, (size_t)i, sl | SLOT_DELETED))
        return TARN_ERR_NOMEM;
    if (value_out)
        *value_out = (uint32_t)(sl & 0xFFFFFFFF) - 1;
    *found_out = true;
    ix->n--;
    ix->n_deleted++;
    return 0;
}
