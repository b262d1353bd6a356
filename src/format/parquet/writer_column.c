/*
 * writer_column.c - one leaf column of the Parquet writer: stages values
 * for the current page, cuts pages, encodes and compresses them, and keeps
 * the dictionary, page-index records and bloom-filter hashes of the column
 * chunk (writer_int.h).
 *
 * Values arrive already converted to their physical type (gather_values);
 * the loops below work on plain C arrays, one loop per physical type, with
 * the choice of encoding made once per slice rather than once per value.
 *
 * Dictionary (every type but BOOLEAN, unless disabled or forced off): an
 * open-addressing table keyed by the value's bits (up to 8 bytes) or its
 * XXH3 hash (byte arrays, FLBA).  Fallback rule, checked when a page is
 * closed:
 *   1. the dictionary's PLAIN size exceeds dict_max_bytes (it may overshoot
 *      by at most one page of values), or
 *   2. once the chunk has DICT_PROBE_VALUES values (or at its last page),
 *      dictionary + indices are not smaller than the PLAIN values of the
 *      chunk so far (nearly unique columns).
 * The rule is also checked once within the chunk's first page, when it
 * holds DICT_EARLY_VALUES values (rule 2 then only when >= 63/64 of them
 * are distinct), so a nearly unique column stops hashing early instead of
 * hashing a whole first page (page_rows values).
 * The page being closed is then re-encoded PLAIN from the dictionary, and
 * so is the rest of the chunk (with the column's non-dictionary encoding);
 * the dictionary page is written only if earlier pages use it.  Each row
 * group starts with a fresh dictionary.  Forcing RLE_DICTIONARY disables
 * the fallback.
 *
 * Pages are cut when their staged PLAIN bytes (plus an estimate of the
 * levels) reach page_bytes or when they hold page_rows records; a page
 * always starts at a record boundary (repetition level 0).
 *
 * Statistics, the page index and the chunk's footer entry are in
 * writer_stats.c.
 */
#include "format/parquet/writer_int.h"

#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "format/parquet/compress.h"
#include "format/parquet/encoding.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "the Parquet writer stages PLAIN values with memcpy (little-endian hosts only)");

#define GOLDEN 0x9E3779B97F4A7C15ULL
#define MAX_PAGE_ENTRIES (INT32_MAX / 2)
#define DICT_PROBE_VALUES 1024       /* values seen before judging a dictionary */
#define DICT_EARLY_VALUES 4096       /* the first page is judged once at this many values too */

static inline uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }

static inline uint64_t ld64u(const uint8_t *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

static inline uint32_t ld32u(const uint8_t *p)
{
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

/* Equality of n bytes without a library call for short values (overlapping
 * loads cover every length from 4 to 16). */
static inline bool bytes_equal(const uint8_t *a, const uint8_t *b, uint32_t n)
{
    if (n >= 8) {
        if (n > 16)
            return memcmp(a, b, n) == 0;
        return ld64u(a) == ld64u(b) && ld64u(a + n - 8) == ld64u(b + n - 8);
    }
    if (n >= 4)
        return ld32u(a) == ld32u(b) && ld32u(a + n - 4) == ld32u(b + n - 4);
    for (uint32_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/* The first 8 bytes of a value as a big-endian number, zero-padded: byte-wise
 * order of two values is decided by their prefixes whenever these differ. */
static inline uint64_t be_prefix(const uint8_t *p, uint32_t n)
{
    if (n >= 8)
        return __builtin_bswap64(ld64u(p));
    uint64_t x = 0;
    for (uint32_t i = 0; i < n; i++)
        x |= (uint64_t)p[i] << (56 - 8 * i);
    return x;
}

/* pqw_cmp_bytes with the prefixes already computed. */
static inline int cmp_bytes_pfx(uint64_t pa, const uint8_t *a, uint32_t al, uint64_t pb,
                                const uint8_t *b, uint32_t bl)
{
    if (pa != pb)
        return pa < pb ? -1 : 1;
    uint32_t n = al < bl ? al : bl;
    if (n > 8) {
        int r = memcmp(a + 8, b + 8, n - 8);
        if (r)
            return r;
    }
    return al < bl ? -1 : al > bl ? 1 : 0;
}

/* ---- Growth helpers --------------------------------------------------------- */

static int grow_array(void **p, uint32_t *cap, uint64_t need, size_t elem, bool zero)
{
    if (need <= *cap)
        return 0;
    if (need > (UINT32_MAX >> 1))
        return TARN_ERR_NOMEM;
    uint64_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    void *q = tarn_realloc(*p, (size_t)c * elem);
    if (!q)
        return TARN_ERR_NOMEM;
    if (zero)
        memset((uint8_t *)q + (size_t)*cap * elem, 0, (size_t)(c - *cap) * elem);
    *p = q;
    *cap = (uint32_t)c;
    return 0;
}

static int lvl_reserve(PqwCol *c, uint32_t extra)
{
    uint64_t need = (uint64_t)c->n_entries + extra;
    if (need <= c->lvl_cap || (!c->max_def && !c->max_rep))
        return 0;
    if (need > (UINT32_MAX >> 1))
        return TARN_ERR_NOMEM;
    uint64_t cap = c->lvl_cap ? c->lvl_cap : 1024;
    while (cap < need)
        cap *= 2;
    if (c->max_def) {
        uint16_t *d = tarn_realloc(c->def, (size_t)cap * sizeof(uint16_t));
        if (!d)
            return TARN_ERR_NOMEM;
        c->def = d;
    }
    if (c->max_rep) {
        uint16_t *r = tarn_realloc(c->rep, (size_t)cap * sizeof(uint16_t));
        if (!r)
            return TARN_ERR_NOMEM;
        c->rep = r;
    }
    c->lvl_cap = (uint32_t)cap;
    return 0;
}

/* ---- Dictionary ---------------------------------------------------------------- */

static inline uint32_t slot_of(uint64_t key, int shift)
{
    return (uint32_t)((key * GOLDEN) >> shift);
}

static inline bool key32(const PqwCol *c)
{
    return c->phys == PQ_INT32 || c->phys == PQ_FLOAT;
}

/* Makes the slot table hold n entries at a load of at most 1/2. */
static int dict_slots_room(PqwCol *c, uint64_t n)
{
    uint64_t need = n * 2;
    if (need > c->slot_cap) {
        if (need > (1u << 31))
            return TARN_ERR_NOMEM;
        uint32_t cap = c->slot_cap ? c->slot_cap : 256;
        int bits = 0;
        while (cap < need)
            cap <<= 1;
        while ((1u << bits) < cap)
            bits++;
        int shift = 64 - bits;
        uint32_t mask = cap - 1;
        if (key32(c)) {
            PqwSlot32 *ns = tarn_calloc(cap, sizeof *ns);
            if (!ns)
                return TARN_ERR_NOMEM;
            for (uint32_t i = 0; i < c->slot_cap; i++) {
                if (!c->slots32[i].idx1)
                    continue;
                uint32_t p = slot_of(c->slots32[i].key, shift);
                while (ns[p].idx1)
                    p = (p + 1) & mask;
                ns[p] = c->slots32[i];
            }
            tarn_free(c->slots32);
            c->slots32 = ns;
        } else {
            PqwSlot *ns = tarn_calloc(cap, sizeof *ns);
            if (!ns)
                return TARN_ERR_NOMEM;
            for (uint32_t i = 0; i < c->slot_cap; i++) {
                if (!c->slots[i].idx1)
                    continue;
                uint32_t p = slot_of(c->slots[i].key, shift);
                while (ns[p].idx1)
                    p = (p + 1) & mask;
                ns[p] = c->slots[i];
            }
            tarn_free(c->slots);
            c->slots = ns;
        }
        c->slot_cap = cap;
        c->slot_shift = shift;
    }
    return 0;
}

/* Entries the slot table gets ahead of need: it grows with the dictionary
 * (doubling, when an insert would pass load 1/2), so a low-cardinality
 * column keeps a small table to clear per chunk. */
#define DICT_SLOTS_AHEAD 1024

/* Makes room for `extra` more entries: the value arrays for all of them,
 * the slot table for up to DICT_SLOTS_AHEAD of them (the insert loops grow
 * it further with DICT_GROW_AT). */
static int dict_reserve(PqwCol *c, uint32_t extra)
{
    if (dict_slots_room(c, (uint64_t)c->n_dict + (extra < DICT_SLOTS_AHEAD ? extra : DICT_SLOTS_AHEAD)))
        return TARN_ERR_NOMEM;
    if (c->phys == PQ_BYTE_ARRAY || c->phys == PQ_FIXED_LEN_BYTE_ARRAY) {
        uint64_t n = (uint64_t)c->n_dict + extra;
        if (grow_array((void **)&c->stamp, &c->stamp_cap, n, sizeof(uint32_t), true))
            return TARN_ERR_NOMEM;
        if (c->phys == PQ_BYTE_ARRAY &&
            grow_array((void **)&c->spans, &c->spans_cap, n, sizeof(PqwSpan), false))
            return TARN_ERR_NOMEM;
    }
    return 0;
}

/* In an insert loop, before adding entry nd + 1 for `key`: when that would
 * pass load 1/2, doubles the table, reloads the loop's slots / mask / shift
 * and restarts the probe (continue). */
#define DICT_GROW_AT(SLOTS, key)                                                \
    if ((uint64_t)(nd + 1) * 2 > c->slot_cap) {                                 \
        if (dict_slots_room(c, (uint64_t)nd + 1))                               \
            return TARN_ERR_NOMEM;                                              \
        slots = c->SLOTS;                                                       \
        mask = c->slot_cap - 1;                                                 \
        shift = c->slot_shift;                                                  \
        p = slot_of(key, shift);                                                \
        continue;                                                               \
    }

static void dict_clear(PqwCol *c)
{
    if (c->n_dict) {
        if (c->slots)
            memset(c->slots, 0, (size_t)c->slot_cap * sizeof *c->slots);
        if (c->slots32)
            memset(c->slots32, 0, (size_t)c->slot_cap * sizeof *c->slots32);
    }
    c->n_dict = 0;
    c->dict_bytes = 0;
    buf_clear(&c->dict_vals);
}

/* Looks up / inserts n fixed-width values of 4 or 8 bytes keyed by their
 * bits.  A value equal to the previous one (sorted or run-length data)
 * skips the table. */
#define DICT_FIXED_BODY(T, SLOT_T, SLOTS)                                       \
    if (dict_reserve(c, n) || buf_reserve(&c->dict_vals, (size_t)n * sizeof(T))) \
        return TARN_ERR_NOMEM;                                                  \
    SLOT_T *slots = c->SLOTS;                                                   \
    uint32_t mask = c->slot_cap - 1;                                            \
    int shift = c->slot_shift;                                                  \
    uint32_t nd = c->n_dict;                                                    \
    T *dv = (T *)c->dict_vals.data;                                             \
    T prev = 0;                                                                 \
    uint32_t prev_id = UINT32_MAX;                                              \
    for (uint32_t i = 0; i < n; i++) {                                          \
        T x = v[i];                                                             \
        if (x == prev && prev_id != UINT32_MAX) {                               \
            out[i] = prev_id;                                                   \
            continue;                                                           \
        }                                                                       \
        uint32_t p = slot_of((uint64_t)x, shift);                               \
        for (;;) {                                                              \
            SLOT_T *s = &slots[p];                                              \
            if (!s->idx1) {                                                     \
                DICT_GROW_AT(SLOTS, (uint64_t)x)                                \
                s->key = x;                                                     \
                s->idx1 = ++nd;                                                 \
                dv[nd - 1] = x;                                                 \
                prev_id = nd - 1;                                               \
                break;                                                          \
            }                                                                   \
            if (s->key == x) {                                                  \
                prev_id = s->idx1 - 1;                                          \
                break;                                                          \
            }                                                                   \
            p = (p + 1) & mask;                                                 \
        }                                                                       \
        prev = x;                                                               \
        out[i] = prev_id;                                                       \
    }                                                                           \
    c->dict_bytes += (int64_t)(nd - c->n_dict) * (int64_t)sizeof(T);            \
    c->n_dict = nd;                                                             \
    c->dict_vals.len = (size_t)nd * sizeof(T);                                  \
    return 0;

static int dict_put_u32(PqwCol *c, const uint32_t *v, uint32_t n, uint32_t *out)
{
    DICT_FIXED_BODY(uint32_t, PqwSlot32, slots32)
}

static int dict_put_u64(PqwCol *c, const uint64_t *v, uint32_t n, uint32_t *out)
{
    DICT_FIXED_BODY(uint64_t, PqwSlot, slots)
}

/* Byte arrays: also finds the take's min/max among values first seen in
 * this page (the stamp array), so repeated values cost no comparison. */
static int dict_put_bytes(PqwCol *c, const StrView *v, uint32_t n, uint32_t *out,
                          const StrView **mn_out, const StrView **mx_out)
{
    if (dict_reserve(c, n))
        return TARN_ERR_NOMEM;
    PqwSlot *slots = c->slots;
    uint32_t mask = c->slot_cap - 1;
    int shift = c->slot_shift;
    uint32_t nd = c->n_dict;
    uint32_t page = c->page_no;
    const StrView *mn = *mn_out, *mx = *mx_out;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *ptr = (const uint8_t *)v[i].ptr;
        uint32_t len = v[i].len;
        uint64_t h = XXH3_64bits(ptr, len);
        uint32_t p = slot_of(h, shift);
        uint32_t id;
        for (;;) {
            PqwSlot *s = &slots[p];
            if (!s->idx1) {
                DICT_GROW_AT(slots, h)
                if (c->dict_vals.len + len > UINT32_MAX)
                    return TARN_ERR_NOMEM;
                uint32_t off = (uint32_t)c->dict_vals.len;
                if (len && buf_append(&c->dict_vals, ptr, len))
                    return TARN_ERR_NOMEM;
                s->key = h;
                s->idx1 = ++nd;
                id = nd - 1;
                c->spans[id].off = off;
                c->spans[id].len = len;
                c->stamp[id] = 0;
                c->dict_bytes += 4 + (int64_t)len;
                break;
            }
            if (s->key == h) {
                const PqwSpan *sp = &c->spans[s->idx1 - 1];
                if (sp->len == len && bytes_equal(c->dict_vals.data + sp->off, ptr, len)) {
                    id = s->idx1 - 1;
                    break;
                }
            }
            p = (p + 1) & mask;
        }
        out[i] = id;
        if (c->stamp[id] != page) {
            c->stamp[id] = page;
            if (!mn || pqw_cmp_bytes(ptr, len, (const uint8_t *)mn->ptr, mn->len) < 0)
                mn = &v[i];
            if (!mx || pqw_cmp_bytes(ptr, len, (const uint8_t *)mx->ptr, mx->len) > 0)
                mx = &v[i];
        }
    }
    c->n_dict = nd;
    *mn_out = mn;
    *mx_out = mx;
    return 0;
}

/* Fixed-length byte arrays of width w, keyed by XXH3 of the bytes. */
static int dict_put_flba(PqwCol *c, const uint8_t *v, uint32_t n, uint32_t *out,
                         const uint8_t **mn_out, const uint8_t **mx_out)
{
    int w = c->type_length;
    if (dict_reserve(c, n) || buf_reserve(&c->dict_vals, (size_t)n * (size_t)w))
        return TARN_ERR_NOMEM;
    PqwSlot *slots = c->slots;
    uint32_t mask = c->slot_cap - 1;
    int shift = c->slot_shift;
    uint32_t nd = c->n_dict;
    uint32_t page = c->page_no;
    uint8_t *dv = c->dict_vals.data;
    const uint8_t *mn = *mn_out, *mx = *mx_out;
    bool ordered = c->order != PQW_ORD_NONE;
    bool sgn = c->order == PQW_ORD_FLBA_SIGNED;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *x = v + (size_t)i * (size_t)w;
        uint64_t h = XXH3_64bits(x, (size_t)w);
        uint32_t p = slot_of(h, shift);
        uint32_t id;
        for (;;) {
            PqwSlot *s = &slots[p];
            if (!s->idx1) {
                DICT_GROW_AT(slots, h)
                s->key = h;
                s->idx1 = ++nd;
                id = nd - 1;
                memcpy(dv + (size_t)id * (size_t)w, x, (size_t)w);
                c->stamp[id] = 0;
                break;
            }
            if (s->key == h && memcmp(dv + (size_t)(s->idx1 - 1) * (size_t)w, x, (size_t)w) == 0) {
                id = s->idx1 - 1;
                break;
            }
            p = (p + 1) & mask;
        }
        out[i] = id;
        if (ordered && c->stamp[id] != page) {
            c->stamp[id] = page;
            if (!mn || (sgn ? pqw_cmp_flba_signed(x, mn, w) : memcmp(x, mn, (size_t)w)) < 0)
                mn = x;
            if (!mx || (sgn ? pqw_cmp_flba_signed(x, mx, w) : memcmp(x, mx, (size_t)w)) > 0)
                mx = x;
        }
    }
    c->dict_bytes += (int64_t)(nd - c->n_dict) * w;
    c->n_dict = nd;
    c->dict_vals.len = (size_t)nd * (size_t)w;
    *mn_out = mn;
    *mx_out = mx;
    return 0;
}

/* Rewrites the staged page's dictionary indices as PLAIN values (used when
 * the dictionary is dropped before any page used it). */
static int dict_indices_to_plain(PqwCol *c)
{
    buf_clear(&c->plain);
    uint32_t n = c->n_values;
    if (c->phys == PQ_BYTE_ARRAY) {
        size_t total = 0;
        for (uint32_t i = 0; i < n; i++)
            total += 4 + (size_t)c->spans[c->idx[i]].len;
        if (buf_reserve(&c->plain, total))
            return TARN_ERR_NOMEM;
        uint8_t *p = c->plain.data;
        for (uint32_t i = 0; i < n; i++) {
            const PqwSpan *sp = &c->spans[c->idx[i]];
            store_le32(p, sp->len);
            if (sp->len)
                memcpy(p + 4, c->dict_vals.data + sp->off, sp->len);
            p += 4 + sp->len;
        }
        c->plain.len = total;
        return 0;
    }
    size_t w = (size_t)c->width;
    if (buf_reserve(&c->plain, (size_t)n * w))
        return TARN_ERR_NOMEM;
    uint8_t *p = c->plain.data;
    const uint8_t *dv = c->dict_vals.data;
    if (w == 4) {
        for (uint32_t i = 0; i < n; i++)
            memcpy(p + 4 * (size_t)i, dv + 4 * (size_t)c->idx[i], 4);
    } else if (w == 8) {
        for (uint32_t i = 0; i < n; i++)
            memcpy(p + 8 * (size_t)i, dv + 8 * (size_t)c->idx[i], 8);
    } else {
        for (uint32_t i = 0; i < n; i++)
            memcpy(p + w * i, dv + w * c->idx[i], w);
    }
    c->plain.len = (size_t)n * w;
    return 0;
}

/* ---- Bloom-filter hashes -------------------------------------------------------- */

static int bh_reserve(PqwCol *c, uint32_t extra)
{
    uint64_t need = ((uint64_t)c->bh_n + extra) * 2;
    if (need <= c->bh_cap)
        return 0;
    if (need > (1u << 31))
        return TARN_ERR_NOMEM;
    uint32_t cap = c->bh_cap ? c->bh_cap : 1024;
    while (cap < need)
        cap <<= 1;
    uint64_t *ns = tarn_calloc(cap, sizeof *ns);
    if (!ns)
        return TARN_ERR_NOMEM;
    uint32_t mask = cap - 1;
    for (uint32_t i = 0; i < c->bh_cap; i++) {
        uint64_t h = c->bh[i];
        if (!h)
            continue;
        uint32_t p = slot_of(h, 0) & mask;
        while (ns[p])
            p = (p + 1) & mask;
        ns[p] = h;
    }
    tarn_free(c->bh);
    c->bh = ns;
    c->bh_cap = cap;
    return 0;
}

static inline void bh_add(PqwCol *c, uint64_t h)
{
    if (!h) {
        c->bh_zero = true;
        return;
    }
    uint32_t mask = c->bh_cap - 1;
    uint32_t p = slot_of(h, 0) & mask;
    for (;;) {
        if (!c->bh[p]) {
            c->bh[p] = h;
            c->bh_n++;
            return;
        }
        if (c->bh[p] == h)
            return;
        p = (p + 1) & mask;
    }
}

/* Hashes n values in PLAIN form: fixed width w, or StrViews when w == 0. */
static int bloom_collect(PqwCol *c, const void *vals, uint32_t n)
{
    if (!n)
        return 0;
    if (bh_reserve(c, n))
        return TARN_ERR_NOMEM;
    if (c->phys == PQ_BYTE_ARRAY) {
        const StrView *sv = vals;
        for (uint32_t i = 0; i < n; i++)
            bh_add(c, XXH64(sv[i].ptr, sv[i].len, 0));
    } else {
        size_t w = (size_t)c->width;
        const uint8_t *p = vals;
        for (uint32_t i = 0; i < n; i++)
            bh_add(c, XXH64(p + w * i, w, 0));
    }
    return 0;
}

/* Hashes dictionary entries [from, n_dict). */
static int bloom_collect_dict(PqwCol *c, uint32_t from)
{
    uint32_t n = c->n_dict - from;
    if (!n)
        return 0;
    if (bh_reserve(c, n))
        return TARN_ERR_NOMEM;
    if (c->phys == PQ_BYTE_ARRAY) {
        for (uint32_t i = from; i < c->n_dict; i++)
            bh_add(c, XXH64(c->dict_vals.data + c->spans[i].off, c->spans[i].len, 0));
    } else {
        size_t w = (size_t)c->width;
        for (uint32_t i = from; i < c->n_dict; i++)
            bh_add(c, XXH64(c->dict_vals.data + w * i, w, 0));
    }
    return 0;
}

/* ---- Values: tarn vector -> physical array ------------------------------------------ */

static void int128_be(int128_t x, int n, uint8_t *out)
{
    unsigned __int128 u = (unsigned __int128)x;
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (uint8_t)u;
        u >>= 8;
    }
}

#define GATHER_CONVERT(SRC_T, DST_T)                                      \
    do {                                                                  \
        const SRC_T *d = (const SRC_T *)leaf->data;                       \
        DST_T *o = (DST_T *)c->gather.data;                               \
        if (sel) {                                                        \
            for (uint32_t i = 0; i < n; i++)                              \
                o[i] = (DST_T)d[sel[v0 + i]];                             \
        } else {                                                          \
            d += base + v0;                                               \
            for (uint32_t i = 0; i < n; i++)                              \
                o[i] = (DST_T)d[i];                                       \
        }                                                                 \
        return o;                                                         \
    } while (0)

#define GATHER_SAME(T)                                                    \
    do {                                                                  \
        const T *d = (const T *)leaf->data;                               \
        if (!sel)                                                         \
            return d + base + v0;                                         \
        T *o = (T *)c->gather.data;                                       \
        for (uint32_t i = 0; i < n; i++)                                  \
            o[i] = d[sel[v0 + i]];                                        \
        return o;                                                         \
    } while (0)

/* Physical values of slice values v0..v0+n: a pointer into the vector when
 * no conversion is needed, else into c->gather.  NULL on out of memory. */
static const void *gather_values(PqwCol *c, const Vector *leaf, const uint32_t *sel,
                                 uint32_t base, uint32_t v0, uint32_t n)
{
    size_t elem = c->phys == PQ_BYTE_ARRAY ? sizeof(StrView)
                  : c->phys == PQ_BOOLEAN  ? 1
                                           : (size_t)c->width;
    buf_clear(&c->gather);
    if (buf_reserve(&c->gather, (size_t)n * elem + 16))
        return NULL;
    switch (c->src) {
    case PQW_SRC_BOOL: GATHER_SAME(uint8_t);
    case PQW_SRC_I8: GATHER_CONVERT(int8_t, int32_t);
    case PQW_SRC_U8: GATHER_CONVERT(uint8_t, int32_t);
    case PQW_SRC_I16: GATHER_CONVERT(int16_t, int32_t);
    case PQW_SRC_U16: GATHER_CONVERT(uint16_t, int32_t);
    case PQW_SRC_I32: GATHER_SAME(int32_t);
    case PQW_SRC_I64_TO_I32: GATHER_CONVERT(int64_t, int32_t);
    case PQW_SRC_I64: GATHER_SAME(int64_t);
    case PQW_SRC_FLOAT: GATHER_SAME(float);
    case PQW_SRC_DOUBLE: GATHER_SAME(double);
    case PQW_SRC_STR: GATHER_SAME(StrView);
    case PQW_SRC_UUID: {
        const uint8_t *d = leaf->data;
        if (!sel)
            return d + 16 * ((size_t)base + v0);
        uint8_t *o = c->gather.data;
        for (uint32_t i = 0; i < n; i++)
            memcpy(o + 16 * (size_t)i, d + 16 * (size_t)sel[v0 + i], 16);
        return o;
    }
    case PQW_SRC_DEC128: {
        const int128_t *d = (const int128_t *)leaf->data;
        uint8_t *o = c->gather.data;
        int w = c->type_length;
        for (uint32_t i = 0; i < n; i++)
            int128_be(d[sel ? sel[v0 + i] : base + v0 + i], w, o + (size_t)w * i);
        return o;
    }
    case PQW_SRC_INTERVAL: {
        /* LogicalTypes.md INTERVAL: months, days, milliseconds (uint32 LE). */
        const Interval *d = (const Interval *)leaf->data;
        uint8_t *o = c->gather.data;
        for (uint32_t i = 0; i < n; i++) {
            const Interval *x = &d[sel ? sel[v0 + i] : base + v0 + i];
            store_le32(o + 12 * (size_t)i, (uint32_t)x->months);
            store_le32(o + 12 * (size_t)i + 4, (uint32_t)x->days);
            store_le32(o + 12 * (size_t)i + 8, (uint32_t)(x->micros / 1000));
        }
        return o;
    }
    case PQW_SRC_NULL:
        return c->gather.data;
    }
    return NULL;
}

/* ---- Values: staging into the page ----------------------------------------------- */

static int idx_reserve(PqwCol *c, uint32_t extra)
{
    return grow_array((void **)&c->idx, &c->idx_cap, (uint64_t)c->n_values + extra,
                      sizeof(uint32_t), false);
}

static int stage_fixed_plain(PqwCol *c, const void *v, uint32_t n)
{
    return buf_append(&c->plain, v, (size_t)n * (size_t)c->width);
}

/* Stages n physical values (already in page order) and updates statistics. */
static int stage_values(PqwCol *c, const void *v, uint32_t n)
{
    int rc = 0;
    uint32_t nd_before = c->n_dict;
    bool dict = c->dict_on;
    if (dict && idx_reserve(c, n))
        return TARN_ERR_NOMEM;
    uint32_t *out = dict ? c->idx + c->n_values : NULL;
    switch (c->phys) {
    case PQ_BOOLEAN:
        pqw_stats_bool(&c->ps, v, n);
        rc = buf_append(&c->plain, v, n);
        break;
    case PQ_INT32:
    case PQ_FLOAT:
        rc = dict ? dict_put_u32(c, v, n, out) : stage_fixed_plain(c, v, n);
        if (c->phys == PQ_FLOAT)
            pqw_stats_f32(&c->ps, v, n);
        else
            pqw_stats_i32(&c->ps, v, n, c->order == PQW_ORD_UNSIGNED);
        break;
    case PQ_INT64:
    case PQ_DOUBLE:
        rc = dict ? dict_put_u64(c, v, n, out) : stage_fixed_plain(c, v, n);
        if (c->phys == PQ_DOUBLE)
            pqw_stats_f64(&c->ps, v, n);
        else
            pqw_stats_i64(&c->ps, v, n, c->order == PQW_ORD_UNSIGNED);
        break;
    case PQ_BYTE_ARRAY: {
        const StrView *sv = v;
        const StrView *mn = NULL, *mx = NULL;
        if (dict) {
            rc = dict_put_bytes(c, sv, n, out, &mn, &mx);
        } else {
            size_t total = 0;
            for (uint32_t i = 0; i < n; i++)
                total += 4 + (size_t)sv[i].len;
            if (buf_reserve(&c->plain, total))
                return TARN_ERR_NOMEM;
            uint8_t *p = c->plain.data + c->plain.len;
            uint64_t mnp = 0, mxp = 0;
            for (uint32_t i = 0; i < n; i++) {
                uint32_t len = sv[i].len;
                const uint8_t *x = (const uint8_t *)sv[i].ptr;
                store_le32(p, len);
                if (len)
                    memcpy(p + 4, x, len);
                p += 4 + len;
                uint64_t xp = be_prefix(x, len);
                if (!mn) {
                    mn = mx = &sv[i];
                    mnp = mxp = xp;
                    continue;
                }
                if (xp <= mnp && cmp_bytes_pfx(xp, x, len, mnp, (const uint8_t *)mn->ptr,
                                               mn->len) < 0) {
                    mn = &sv[i];
                    mnp = xp;
                }
                if (xp >= mxp && cmp_bytes_pfx(xp, x, len, mxp, (const uint8_t *)mx->ptr,
                                               mx->len) > 0) {
                    mx = &sv[i];
                    mxp = xp;
                }
            }
            c->plain.len += total;
        }
        if (!rc && mn)
            rc = pqw_stats_offer_bytes(c, &c->ps, (const uint8_t *)mn->ptr, mn->len,
                                   (const uint8_t *)mx->ptr, mx->len);
        break;
    }
    case PQ_FIXED_LEN_BYTE_ARRAY: {
        const uint8_t *fv = v;
        const uint8_t *mn = NULL, *mx = NULL;
        int w = c->type_length;
        if (dict) {
            rc = dict_put_flba(c, fv, n, out, &mn, &mx);
        } else {
            rc = stage_fixed_plain(c, fv, n);
            if (c->order != PQW_ORD_NONE) {
                bool sgn = c->order == PQW_ORD_FLBA_SIGNED;
                for (uint32_t i = 0; i < n; i++) {
                    const uint8_t *x = fv + (size_t)w * i;
                    if (!mn || (sgn ? pqw_cmp_flba_signed(x, mn, w) : memcmp(x, mn, (size_t)w)) < 0)
                        mn = x;
                    if (!mx || (sgn ? pqw_cmp_flba_signed(x, mx, w) : memcmp(x, mx, (size_t)w)) > 0)
                        mx = x;
                }
            }
        }
        if (!rc && mn)
            rc = pqw_stats_offer_bytes(c, &c->ps, mn, (size_t)w, mx, (size_t)w);
        break;
    }
    default:
        break;
    }
    if (rc)
        return TARN_ERR_NOMEM;
    if (c->o.bloom && c->phys != PQ_BOOLEAN) {
        rc = dict ? bloom_collect_dict(c, nd_before) : bloom_collect(c, v, n);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- Pages ---------------------------------------------------------------------------- */

static int64_t levels_est(const PqwCol *c)
{
    return ((int64_t)c->n_entries * (c->def_bits + c->rep_bits) + 7) / 8;
}

static int dict_bit_width(const PqwCol *c)
{
    int bw = c->n_dict > 1 ? pq_bit_width(c->n_dict - 1) : 1;
    return bw < 1 ? 1 : bw;
}

/* RLE hybrid with a 4-byte little-endian length prefix (data page v1
 * levels, RLE booleans). */
static int rle_prefixed_u16(const uint16_t *v, uint32_t n, int bw, Buf *out)
{
    size_t at = out->len;
    if (buf_append(out, "\0\0\0\0", 4) || pq_rle_encode_u16(v, n, bw, out))
        return TARN_ERR_NOMEM;
    store_le32(out->data + at, (uint32_t)(out->len - at - 4));
    return 0;
}

/* n >= 8 copies of x as one RLE run (what pq_rle_encode_u16 writes for
 * them; n < 2^31), with rle_prefixed_u16's length prefix when prefixed. */
static int rle_run_u16(uint16_t x, uint32_t n, int bw, bool prefixed, Buf *out)
{
    uint8_t tmp[16];
    size_t k = prefixed ? 4 : 0, vb = (size_t)(bw + 7) / 8;
    for (uint64_t h = (uint64_t)n << 1; ; h >>= 7) {
        tmp[k++] = (uint8_t)(h < 0x80 ? h : (h & 0x7f) | 0x80);
        if (h < 0x80)
            break;
    }
    for (size_t i = 0; i < vb; i++)
        tmp[k++] = (uint8_t)(x >> (8 * i));
    if (prefixed)
        store_le32(tmp, (uint32_t)(k - 4));
    return buf_append(out, tmp, k);
}

/* Encodes the staged values into c->body with the non-dictionary encoding. */
static int encode_values_plain(PqwCol *c, TarnError *err)
{
    Buf *b = &c->body;
    uint32_t n = c->n_values;
    switch (c->enc) {
    case PQ_ENC_PLAIN:
        if (n == 0)
            return 0;
        if (c->phys == PQ_BOOLEAN)
            return pq_plain_encode_bool(c->plain.data, n, b);
        return buf_append(b, c->plain.data, c->plain.len);
    case PQ_ENC_RLE: {
        /* Encodings.md: RLE booleans are length-prefixed, bit width 1. */
        buf_clear(&c->tmp);
        if (buf_reserve(&c->tmp, (size_t)n * 2 + 2))
            return TARN_ERR_NOMEM;
        uint16_t *u = (uint16_t *)c->tmp.data;
        for (uint32_t i = 0; i < n; i++)
            u[i] = c->plain.data[i];
        return rle_prefixed_u16(u, n, 1, b);
    }
    case PQ_ENC_DELTA_BINARY_PACKED:
        if (c->phys == PQ_INT32)
            return pq_delta_bp_encode_i32((const int32_t *)c->plain.data, n, b);
        return pq_delta_bp_encode_i64((const int64_t *)c->plain.data, n, b);
    case PQ_ENC_BYTE_STREAM_SPLIT:
        return pq_bss_encode(c->plain.data, n, c->width, b);
    case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
    case PQ_ENC_DELTA_BYTE_ARRAY: {
        buf_clear(&c->tmp);
        if (buf_reserve(&c->tmp, (size_t)n * sizeof(StrView) + 16))
            return TARN_ERR_NOMEM;
        StrView *sv = (StrView *)c->tmp.data;
        const uint8_t *p = c->plain.data;
        for (uint32_t i = 0; i < n; i++) {
            sv[i].len = load_le32(p);
            sv[i].pad_ = 0;
            sv[i].ptr = (const char *)p + 4;
            p += 4 + sv[i].len;
        }
        if (c->enc == PQ_ENC_DELTA_LENGTH_BYTE_ARRAY)
            return pq_delta_length_ba_encode(sv, n, b);
        return pq_delta_ba_encode(sv, n, b);
    }
    default:
        return ERR_INTERNAL(err, "unexpected value encoding");
    }
}

/* Appends header + page bytes to dst and returns the header length in *hdr_len. */
static int emit_page(PqwCol *c, PqPageHeader *h, const uint8_t *page, size_t len, Buf *dst,
                     size_t *hdr_len)
{
    if (c->o.page_crc) {
        h->has_crc = true;
        h->crc = pq_crc32(page, len);
    }
    buf_clear(&c->hdr);
    if (pq_encode_page_header(h, &c->hdr))
        return TARN_ERR_NOMEM;
    if (buf_reserve(dst, c->hdr.len + len))
        return TARN_ERR_NOMEM;
    buf_append(dst, c->hdr.data, c->hdr.len);
    if (len)
        buf_append(dst, page, len);
    *hdr_len = c->hdr.len;
    return 0;
}

/* Compresses src into c->comp (appending); copies when uncompressed. */
static int compress_into(PqwCol *c, const uint8_t *src, size_t len, TarnError *err)
{
    if (c->o.codec == PQ_CODEC_UNCOMPRESSED)
        return buf_append(&c->comp, src, len) ? ERR_NOMEM(err, len) : 0;
    return pq_compress(c->o.codec, c->o.level, src, len, &c->comp, err);
}

static void page_reset(PqwCol *c)
{
    c->n_entries = 0;
    c->n_values = 0;
    c->n_rows = 0;
    c->page_est = 0;
    buf_clear(&c->plain);
    pqw_stats_clear(&c->ps);
    c->page_no++;
}

/* Encodes, compresses and appends the staged page to c->pages. */
static int flush_page(PqwCol *c, bool last, TarnError *err)
{
    int rc;
    if (c->n_entries == 0)
        return 0;
    bool use_dict = c->dict_on;
    if (use_dict && !c->dict_unlimited) {
        int64_t vals = c->dict_vals_total + c->n_values;
        int64_t plain = c->dict_plain_total + c->page_est;
        bool over = c->dict_bytes > c->o.dict_max_bytes;
        if (!over && (vals >= DICT_PROBE_VALUES || last)) {
            int64_t cost = c->dict_bytes + (vals * dict_bit_width(c) + 7) / 8;
            over = cost >= plain;
        }
        if (over) {
            /* This page and the rest of the chunk go PLAIN; the dictionary
             * stays only if earlier pages use it. */
            c->dict_on = false;
            if (dict_indices_to_plain(c))
                return ERR_NOMEM(err, c->page_est);
            if (!c->dict_used)
                dict_clear(c);
            use_dict = false;
        }
    }
    if (use_dict) {
        c->dict_vals_total += c->n_values;
        c->dict_plain_total += c->page_est;
    }
    if (!use_dict)
        c->dict_exact = false;

    /* Levels, then values, into c->body. */
    Buf *b = &c->body;
    buf_clear(b);
    bool v2 = c->o.page_version == 2;
    size_t rep_len = 0, def_len = 0;
    if (c->max_rep) {
        size_t at = b->len;
        rc = v2 ? pq_rle_encode_u16(c->rep, c->n_entries, c->rep_bits, b)
                : rle_prefixed_u16(c->rep, c->n_entries, c->rep_bits, b);
        if (rc)
            return ERR_NOMEM(err, c->n_entries);
        rep_len = b->len - at;
    }
    if (c->max_def) {
        size_t at = b->len;
        /* no NULL on the page: every level is max_def (a value is present
         * exactly where its level is max_def), one RLE run */
        rc = c->n_values == c->n_entries && c->n_entries >= 8
                 ? rle_run_u16(c->max_def, c->n_entries, c->def_bits, !v2, b)
             : v2 ? pq_rle_encode_u16(c->def, c->n_entries, c->def_bits, b)
                  : rle_prefixed_u16(c->def, c->n_entries, c->def_bits, b);
        if (rc)
            return ERR_NOMEM(err, c->n_entries);
        def_len = b->len - at;
    }
    size_t lvl_len = rep_len + def_len;
    if (use_dict) {
        int bw = dict_bit_width(c);
        if (buf_append_byte(b, (uint8_t)bw) || pq_rle_encode_u32(c->idx, c->n_values, bw, b))
            return ERR_NOMEM(err, c->n_values);
    } else {
        rc = encode_values_plain(c, err);
        if (rc)
            return rc == TARN_ERR_NOMEM ? ERR_NOMEM(err, c->plain.len) : rc;
    }
    size_t unc = b->len;
    if (unc > INT32_MAX)
        return err_set(err, TARN_ERR_NOMEM, "page of column \"%s\" too large (%zu bytes)",
                       c->name, unc);

    /* Compression: v1 compresses levels and values together; v2 keeps the
     * levels uncompressed in front of the compressed values. */
    buf_clear(&c->comp);
    if (v2 && lvl_len && buf_append(&c->comp, b->data, lvl_len))
        return ERR_NOMEM(err, lvl_len);
    static const uint8_t empty[1] = {0};
    const uint8_t *body = b->data ? b->data : empty;
    rc = v2 ? compress_into(c, body + lvl_len, unc - lvl_len, err) : compress_into(c, body, unc, err);
    if (rc)
        return rc;
    if (c->comp.len > INT32_MAX)
        return err_set(err, TARN_ERR_NOMEM, "page of column \"%s\" too large", c->name);

    PqPageHeader h;
    pq_page_header_init(&h);
    h.uncompressed_page_size = (int32_t)unc;
    h.compressed_page_size = (int32_t)c->comp.len;
    int enc = use_dict ? PQ_ENC_RLE_DICTIONARY : c->enc;
    buf_clear(&c->tmp);
    PqStatistics st;
    if (pqw_stats_export(c, &c->ps, &c->tmp, &st))
        return ERR_NOMEM(err, 64);
    if (v2) {
        h.type = PQ_PAGE_DATA_V2;
        h.data_page_v2.num_values = (int32_t)c->n_entries;
        h.data_page_v2.num_nulls = (int32_t)(c->n_entries - c->n_values);
        h.data_page_v2.num_rows = (int32_t)c->n_rows;
        h.data_page_v2.encoding = enc;
        h.data_page_v2.definition_levels_byte_length = (int32_t)def_len;
        h.data_page_v2.repetition_levels_byte_length = (int32_t)rep_len;
        h.data_page_v2.is_compressed = c->o.codec != PQ_CODEC_UNCOMPRESSED;
        h.data_page_v2.has_statistics = true;
        h.data_page_v2.statistics = st;
    } else {
        h.type = PQ_PAGE_DATA;
        h.data_page.num_values = (int32_t)c->n_entries;
        h.data_page.encoding = enc;
        h.data_page.definition_level_encoding = PQ_ENC_RLE;
        h.data_page.repetition_level_encoding = PQ_ENC_RLE;
        h.data_page.has_statistics = true;
        h.data_page.statistics = st;
    }
    int64_t offset = (int64_t)c->pages.len;
    size_t hdr_len;
    if (emit_page(c, &h, c->comp.data, c->comp.len, &c->pages, &hdr_len))
        return ERR_NOMEM(err, c->comp.len);

    /* Page-index record. */
    if (c->o.page_index) {
        if (grow_array((void **)&c->recs, &c->recs_cap, (uint64_t)c->n_recs + 1,
                       sizeof(PqwPageRec), false))
            return ERR_NOMEM(err, sizeof(PqwPageRec));
        PqwPageRec *r = &c->recs[c->n_recs++];
        memset(r, 0, sizeof *r);
        r->offset = offset;
        r->size = (int32_t)(hdr_len + c->comp.len);
        r->first_row = c->chunk_rows;
        r->null_count = (int64_t)(c->n_entries - c->n_values);
        r->null_page = c->n_values == 0;
        r->has_minmax = st.min_value.ptr != NULL;
        if (r->has_minmax) {
            r->min_off = (uint32_t)c->rec_bytes.len;
            r->min_len = st.min_value.len;
            if (buf_append(&c->rec_bytes, st.min_value.ptr, st.min_value.len))
                return ERR_NOMEM(err, st.min_value.len);
            r->max_off = (uint32_t)c->rec_bytes.len;
            r->max_len = st.max_value.len;
            if (buf_append(&c->rec_bytes, st.max_value.ptr, st.max_value.len))
                return ERR_NOMEM(err, st.max_value.len);
        }
    }

    c->unc_bytes += (int64_t)(hdr_len + unc);
    c->chunk_entries += c->n_entries;
    c->chunk_rows += c->n_rows;
    if (use_dict) {
        c->dict_used = true;
        c->n_dict_pages_data++;
    } else {
        c->n_plain_pages_data++;
    }
    if (pqw_stats_merge(c, &c->cs, &c->ps))
        return ERR_NOMEM(err, 64);
    page_reset(c);
    return 0;
}

/* ---- Public: column lifecycle ------------------------------------------------------- */

int pqw_col_init(PqwCol *c, TarnError *err)
{
    switch (c->phys) {
    case PQ_BOOLEAN: c->width = 1; break;
    case PQ_INT32:
    case PQ_FLOAT: c->width = 4; break;
    case PQ_INT64:
    case PQ_DOUBLE: c->width = 8; break;
    case PQ_FIXED_LEN_BYTE_ARRAY: c->width = c->type_length; break;
    default: c->width = 0; break;
    }
    if (c->src == PQW_SRC_NULL)
        c->width = 0;
    c->enc = PQ_ENC_PLAIN;
    c->dict_allowed = c->o.dict_max_bytes > 0 && c->phys != PQ_BOOLEAN && c->src != PQW_SRC_NULL;
    c->dict_unlimited = false;
    bool is_int = c->phys == PQ_INT32 || c->phys == PQ_INT64;
    bool is_bss = is_int || c->phys == PQ_FLOAT || c->phys == PQ_DOUBLE ||
                  c->phys == PQ_FIXED_LEN_BYTE_ARRAY;
    if (c->src != PQW_SRC_NULL) {
        switch (c->o.force_encoding) {
        case PQ_ENC_PLAIN:
            c->dict_allowed = false;
            break;
        case PQ_ENC_RLE:
            if (c->phys == PQ_BOOLEAN)
                c->enc = PQ_ENC_RLE;
            break;
        case PQ_ENC_DELTA_BINARY_PACKED:
            if (is_int) {
                c->enc = PQ_ENC_DELTA_BINARY_PACKED;
                c->dict_allowed = false;
            }
            break;
        case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
        case PQ_ENC_DELTA_BYTE_ARRAY:
            if (c->phys == PQ_BYTE_ARRAY) {
                c->enc = c->o.force_encoding;
                c->dict_allowed = false;
            }
            break;
        case PQ_ENC_BYTE_STREAM_SPLIT:
            if (is_bss) {
                c->enc = PQ_ENC_BYTE_STREAM_SPLIT;
                c->dict_allowed = false;
            }
            break;
        case PQ_ENC_RLE_DICTIONARY:
        case PQ_ENC_PLAIN_DICTIONARY:
            if (c->phys != PQ_BOOLEAN) {
                c->dict_allowed = true;
                c->dict_unlimited = true;
            }
            break;
        default:
            break;
        }
    }
    pqw_col_reset(c);
    (void)err;
    return 0;
}

void pqw_col_free(PqwCol *c)
{
    tarn_free(c->name);
    tarn_free(c->steps);
    tarn_free(c->def);
    tarn_free(c->rep);
    tarn_free(c->idx);
    buf_free(&c->plain);
    pqw_stats_free(&c->ps);
    buf_free(&c->pages);
    buf_free(&c->dict_page);
    pqw_stats_free(&c->cs);
    tarn_free(c->recs);
    buf_free(&c->rec_bytes);
    tarn_free(c->slots);
    tarn_free(c->slots32);
    buf_free(&c->dict_vals);
    tarn_free(c->spans);
    tarn_free(c->stamp);
    tarn_free(c->bh);
    buf_free(&c->gather);
    buf_free(&c->body);
    buf_free(&c->comp);
    buf_free(&c->hdr);
    buf_free(&c->tmp);
    memset(c, 0, sizeof *c);
}

void pqw_col_reset(PqwCol *c)
{
    c->n_entries = 0;
    c->n_values = 0;
    c->n_rows = 0;
    c->page_est = 0;
    buf_clear(&c->plain);
    pqw_stats_clear(&c->ps);
    c->page_no++;
    c->dict_on = c->dict_allowed;
    c->dict_used = false;
    c->dict_exact = c->dict_allowed;
    c->dict_vals_total = 0;
    c->dict_plain_total = 0;
    buf_clear(&c->pages);
    buf_clear(&c->dict_page);
    c->unc_bytes = 0;
    c->dict_unc_bytes = 0;
    c->chunk_entries = 0;
    c->chunk_rows = 0;
    c->n_dict_pages_data = 0;
    c->n_plain_pages_data = 0;
    pqw_stats_clear(&c->cs);
    c->n_recs = 0;
    buf_clear(&c->rec_bytes);
    dict_clear(c);
    if (c->bh_n && c->bh)
        memset(c->bh, 0, (size_t)c->bh_cap * sizeof *c->bh);
    c->bh_n = 0;
    c->bh_zero = false;
}

int64_t pqw_col_chunk_bytes(const PqwCol *c)
{
    return c->unc_bytes + c->page_est + levels_est(c);
}

int64_t pqw_col_pending_bytes(const PqwCol *c)
{
    return (int64_t)c->pages.len;
}

/* ---- Public: adding a slice ------------------------------------------------------------- */

/* Values the chunk's first page may still stage before the early judgement
 * of its dictionary (see top), 0 when there is none to make. */
static uint32_t dict_early_room(const PqwCol *c)
{
    if (!c->dict_on || c->dict_unlimited || c->dict_used || c->dict_vals_total || c->n_values >= DICT_EARLY_VALUES)
        return 0;
    return DICT_EARLY_VALUES - c->n_values;
}

/* The early judgement: rule 1 or 2 of the fallback on the values staged,
 * rule 2 only for a nearly unique sample (>= 63/64 distinct values: a
 * sample this small underrates a dictionary of a few thousand values). */
static int dict_judge_early(PqwCol *c)
{
    bool over = c->dict_bytes > c->o.dict_max_bytes;
    if (!over && (uint64_t)c->n_dict * 64 >= (uint64_t)c->n_values * 63) {
        int64_t cost = c->dict_bytes + ((int64_t)c->n_values * dict_bit_width(c) + 7) / 8;
        over = cost >= c->page_est;
    }
    if (!over)
        return 0;
    c->dict_on = false;
    if (dict_indices_to_plain(c))
        return TARN_ERR_NOMEM;
    dict_clear(c);
    return 0;
}

int pqw_col_add(PqwCol *c, const Vector *leaf, uint32_t n_entries, const uint16_t *def,
                const uint16_t *rep, const uint32_t *sel, uint32_t base, uint32_t n_values,
                TarnError *err)
{
    uint32_t e = 0, v = 0;
    uint16_t max_def = c->max_def;
    const StrView *sv = c->phys == PQ_BYTE_ARRAY && c->src != PQW_SRC_NULL
                            ? (const StrView *)leaf->data : NULL;
    while (e < n_entries) {
        uint32_t rows_room = (uint32_t)c->o.page_rows - c->n_rows;
        int64_t bytes_room = c->o.page_bytes - c->page_est - levels_est(c);
        if (bytes_room < 1)
            bytes_room = 1;
        uint32_t take, nv, rows;
        int64_t bytes;
        bool full = false;
        uint32_t early = dict_early_room(c);
        if (!rep && c->width > 0) {
            /* Fixed width, one entry per record: the cut is arithmetic. */
            uint64_t by = ((uint64_t)bytes_room + (uint64_t)c->width - 1) / (uint64_t)c->width;
            take = min_u32(n_entries - e, rows_room);
            if (by < take)
                take = (uint32_t)by;
            if (early && early < take)
                take = early;
            if (take == 0)
                take = 1;
            rows = take;
            if (def) {
                nv = 0;
                for (uint32_t k = e; k < e + take; k++)
                    nv += def[k] == max_def;
            } else {
                nv = take;
            }
            bytes = (int64_t)nv * c->width;
        } else if (!rep && !def && !sel && sv) {
            /* Flat byte arrays without NULLs: whole values up to page_bytes. */
            uint32_t lim = min_u32(n_entries - e, rows_room);
            if (early && early < lim)
                lim = early;
            const StrView *x = sv + base + v;
            int64_t last = 0;
            uint32_t k = 0;
            bytes = 0;
            for (; k < lim; k++) {
                if (k && bytes >= bytes_room) {
                    full = true;
                    break;
                }
                last = bytes;
                bytes += 4 + (int64_t)x[k].len;
            }
            if (bytes > bytes_room && (k > 1 || c->n_entries > 0)) {
                k--;
                bytes = last;
                full = true;
            }
            take = rows = nv = k;
        } else {
            /* Walk entries record by record: a page holds the whole records
             * that fit in page_bytes (at least one); a record that would
             * overfill a page that has others starts the next page. */
            uint32_t k = e, vk = v, last_k = e, last_vk = v;
            int64_t last_bytes = 0;
            rows = 0;
            bytes = 0;
            while (k < n_entries) {
                if (!rep || rep[k] == 0) {
                    if (rows == rows_room)
                        break;
                    if (rows > 0 && (bytes >= bytes_room ||
                                     (uint64_t)c->n_entries + (k - e) >= MAX_PAGE_ENTRIES)) {
                        full = true;
                        break;
                    }
                    last_k = k;
                    last_vk = vk;
                    last_bytes = bytes;
                    rows++;
                }
                if (!def || def[k] == max_def) {
                    bytes += sv ? 4 + (int64_t)sv[sel ? sel[vk] : base + vk].len : c->width;
                    vk++;
                }
                k++;
            }
            if (bytes > bytes_room && (rows > 1 || c->n_entries > 0)) {
                k = last_k;
                vk = last_vk;
                bytes = last_bytes;
                rows--;
                full = true;
            }
            take = k - e;
            nv = vk - v;
            if ((uint64_t)c->n_entries + take > INT32_MAX)
                return err_set(err, TARN_ERR_UNSUPPORTED,
                               "unsupported: a record of column \"%s\" has more than %d values",
                               c->name, INT32_MAX);
        }
        if (take && lvl_reserve(c, take))
            return ERR_NOMEM(err, (size_t)take * 4);
        if (c->max_def) {
            if (def) {
                memcpy(c->def + c->n_entries, def + e, (size_t)take * sizeof(uint16_t));
            } else {
                uint16_t *d = c->def + c->n_entries;
                const uint64_t four = max_def * 0x0001000100010001ull;
                uint32_t k = 0;
                for (; k + 4 <= take; k += 4)
                    memcpy(d + k, &four, 8);
                for (; k < take; k++)
                    d[k] = max_def;
            }
        }
        if (c->max_rep)
            memcpy(c->rep + c->n_entries, rep + e, (size_t)take * sizeof(uint16_t));
        if (nv) {
            const void *vals = gather_values(c, leaf, sel, base, v, nv);
            if (!vals || stage_values(c, vals, nv))
                return ERR_NOMEM(err, (size_t)nv * 16);
        }
        c->n_entries += take;
        c->n_values += nv;
        c->n_rows += rows;
        c->page_est += bytes;
        c->ps.null_count += take - nv;
        e += take;
        v += nv;
        if (early && c->n_values >= DICT_EARLY_VALUES && dict_judge_early(c))
            return ERR_NOMEM(err, c->page_est);
        if (full || c->n_rows >= (uint32_t)c->o.page_rows ||
            c->page_est + levels_est(c) >= c->o.page_bytes) {
            int rc = flush_page(c, false, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* ---- Public: finishing a chunk ----------------------------------------------------------- */

int pqw_col_finish(PqwCol *c, TarnError *err)
{
    int rc = flush_page(c, true, err);
    if (rc)
        return rc;
    if (!c->dict_used)
        return 0;
    /* Dictionary page: PLAIN values (Encodings.md, dictionary encoding). */
    Buf *b = &c->body;
    buf_clear(b);
    if (c->phys == PQ_BYTE_ARRAY) {
        size_t total = 0;
        for (uint32_t i = 0; i < c->n_dict; i++)
            total += 4 + (size_t)c->spans[i].len;
        if (buf_reserve(b, total))
            return ERR_NOMEM(err, total);
        uint8_t *p = b->data;
        for (uint32_t i = 0; i < c->n_dict; i++) {
            store_le32(p, c->spans[i].len);
            if (c->spans[i].len)
                memcpy(p + 4, c->dict_vals.data + c->spans[i].off, c->spans[i].len);
            p += 4 + c->spans[i].len;
        }
        b->len = total;
    } else if (buf_append(b, c->dict_vals.data, c->dict_vals.len)) {
        return ERR_NOMEM(err, c->dict_vals.len);
    }
    if (b->len > INT32_MAX)
        return err_set(err, TARN_ERR_NOMEM, "dictionary of column \"%s\" too large", c->name);
    buf_clear(&c->comp);
    rc = compress_into(c, b->data, b->len, err);
    if (rc)
        return rc;
    if (c->comp.len > INT32_MAX)
        return err_set(err, TARN_ERR_NOMEM, "dictionary of column \"%s\" too large", c->name);
    PqPageHeader h;
    pq_page_header_init(&h);
    h.type = PQ_PAGE_DICTIONARY;
    h.uncompressed_page_size = (int32_t)b->len;
    h.compressed_page_size = (int32_t)c->comp.len;
    h.dict_page.num_values = (int32_t)c->n_dict;
    h.dict_page.encoding = PQ_ENC_PLAIN;
    h.dict_page.is_sorted = false;
    size_t hdr_len;
    buf_clear(&c->dict_page);
    if (emit_page(c, &h, c->comp.data, c->comp.len, &c->dict_page, &hdr_len))
        return ERR_NOMEM(err, c->comp.len);
    c->dict_unc_bytes = (int64_t)(hdr_len + b->len);
    return 0;
}
