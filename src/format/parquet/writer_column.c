/*
 * writer_column.c - one leaf column of the Parquet writer: stages values
 * for the current page, cuts pages, encodes and compresses them, keeps
 * statistics, page-index records and bloom-filter hashes for the column
 * chunk, and describes the finished chunk for the footer (writer_int.h).
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
 * Statistics: min_value/max_value/null_count per page and per chunk in the
 * type's sort order (writer_int.h PqwOrder); the deprecated min/max fields
 * are written too for signed integers, floats and booleans, whose legacy
 * (signed) order is correct.  Byte-array min/max longer than 64 bytes are
 * truncated (max incremented) and marked inexact.  distinct_count is
 * written when the whole chunk went through the dictionary.
 */
#include "format/parquet/writer_int.h"

#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "format/parquet/bloom.h"
#include "format/parquet/compress.h"
#include "format/parquet/encoding.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "the Parquet writer stages PLAIN values with memcpy (little-endian hosts only)");

#define GOLDEN 0x9E3779B97F4A7C15ULL
#define STAT_TRUNC_BYTES 64          /* byte-array statistics longer than this are truncated */
#define MAX_PAGE_ENTRIES (INT32_MAX / 2)
#define DICT_PROBE_VALUES 1024       /* values seen before judging a dictionary */

static inline uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }

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

/* ---- Statistics --------------------------------------------------------------- */

static void stats_clear(PqwStats *s)
{
    s->has_minmax = false;
    s->null_count = 0;
    s->min.i64 = 0;
    s->max.i64 = 0;
    buf_clear(&s->min_b);
    buf_clear(&s->max_b);
}

static void stats_free(PqwStats *s)
{
    buf_free(&s->min_b);
    buf_free(&s->max_b);
}

static inline int cmp_bytes(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    int r = n ? memcmp(a, b, n) : 0;
    if (r)
        return r;
    return al < bl ? -1 : al > bl ? 1 : 0;
}

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

/* cmp_bytes with the prefixes already computed. */
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

/* Big-endian two's complement comparison of two w-byte values. */
static inline int cmp_flba_signed(const uint8_t *a, const uint8_t *b, int w)
{
    int x = a[0] ^ 0x80, y = b[0] ^ 0x80;
    if (x != y)
        return x < y ? -1 : 1;
    return w > 1 ? memcmp(a + 1, b + 1, (size_t)w - 1) : 0;
}

/* Compares two statistics values (PLAIN bytes) in the column's order. */
static int cmp_stat(const PqwCol *c, const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    switch (c->order) {
    case PQW_ORD_SIGNED:
        if (c->phys == PQ_INT32) {
            int32_t x = (int32_t)load_le32(a), y = (int32_t)load_le32(b);
            return x < y ? -1 : x > y;
        } else {
            int64_t x = (int64_t)load_le64(a), y = (int64_t)load_le64(b);
            return x < y ? -1 : x > y;
        }
    case PQW_ORD_UNSIGNED:
        if (c->phys == PQ_INT32) {
            uint32_t x = load_le32(a), y = load_le32(b);
            return x < y ? -1 : x > y;
        } else {
            uint64_t x = load_le64(a), y = load_le64(b);
            return x < y ? -1 : x > y;
        }
    case PQW_ORD_FLOAT:
        if (c->phys == PQ_FLOAT) {
            float x, y;
            memcpy(&x, a, 4);
            memcpy(&y, b, 4);
            return x < y ? -1 : x > y;
        } else {
            double x, y;
            memcpy(&x, a, 8);
            memcpy(&y, b, 8);
            return x < y ? -1 : x > y;
        }
    case PQW_ORD_FLBA_SIGNED:
        return cmp_flba_signed(a, b, (int)(al < bl ? al : bl));
    case PQW_ORD_BOOL:
        return (a[0] > b[0]) - (a[0] < b[0]);
    default:
        return cmp_bytes(a, al, b, bl);
    }
}

/* Offers a byte-array / FLBA candidate for min and max. */
static int stats_offer_bytes(const PqwCol *c, PqwStats *s, const uint8_t *mn, size_t mn_len,
                             const uint8_t *mx, size_t mx_len)
{
    if (!s->has_minmax) {
        buf_clear(&s->min_b);
        buf_clear(&s->max_b);
        if (buf_append(&s->min_b, mn, mn_len) || buf_append(&s->max_b, mx, mx_len))
            return TARN_ERR_NOMEM;
        s->has_minmax = true;
        return 0;
    }
    if (cmp_stat(c, mn, mn_len, s->min_b.data, s->min_b.len) < 0) {
        buf_clear(&s->min_b);
        if (buf_append(&s->min_b, mn, mn_len))
            return TARN_ERR_NOMEM;
    }
    if (cmp_stat(c, mx, mx_len, s->max_b.data, s->max_b.len) > 0) {
        buf_clear(&s->max_b);
        if (buf_append(&s->max_b, mx, mx_len))
            return TARN_ERR_NOMEM;
    }
    return 0;
}

static void stats_i32(PqwStats *s, const int32_t *v, uint32_t n, bool uns)
{
    if (!n)
        return;
    if (uns) {
        uint32_t mn = s->has_minmax ? (uint32_t)s->min.i32 : (uint32_t)v[0];
        uint32_t mx = s->has_minmax ? (uint32_t)s->max.i32 : (uint32_t)v[0];
        for (uint32_t i = 0; i < n; i++) {
            uint32_t x = (uint32_t)v[i];
            mn = x < mn ? x : mn;
            mx = x > mx ? x : mx;
        }
        s->min.i32 = (int32_t)mn;
        s->max.i32 = (int32_t)mx;
    } else {
        int32_t mn = s->has_minmax ? s->min.i32 : v[0];
        int32_t mx = s->has_minmax ? s->max.i32 : v[0];
        for (uint32_t i = 0; i < n; i++) {
            int32_t x = v[i];
            mn = x < mn ? x : mn;
            mx = x > mx ? x : mx;
        }
        s->min.i32 = mn;
        s->max.i32 = mx;
    }
    s->has_minmax = true;
}

static void stats_i64(PqwStats *s, const int64_t *v, uint32_t n, bool uns)
{
    if (!n)
        return;
    if (uns) {
        uint64_t mn = s->has_minmax ? (uint64_t)s->min.i64 : (uint64_t)v[0];
        uint64_t mx = s->has_minmax ? (uint64_t)s->max.i64 : (uint64_t)v[0];
        for (uint32_t i = 0; i < n; i++) {
            uint64_t x = (uint64_t)v[i];
            mn = x < mn ? x : mn;
            mx = x > mx ? x : mx;
        }
        s->min.i64 = (int64_t)mn;
        s->max.i64 = (int64_t)mx;
    } else {
        int64_t mn = s->has_minmax ? s->min.i64 : v[0];
        int64_t mx = s->has_minmax ? s->max.i64 : v[0];
        for (uint32_t i = 0; i < n; i++) {
            int64_t x = v[i];
            mn = x < mn ? x : mn;
            mx = x > mx ? x : mx;
        }
        s->min.i64 = mn;
        s->max.i64 = mx;
    }
    s->has_minmax = true;
}

/* FLOAT / DOUBLE: NaN takes no part in min/max (parquet.thrift ColumnOrder). */
#define STATS_FLOAT_BODY(T, FIELD)                                   \
    bool has = s->has_minmax;                                        \
    T mn = s->min.FIELD, mx = s->max.FIELD;                          \
    for (uint32_t i = 0; i < n; i++) {                               \
        T x = v[i];                                                  \
        if (x != x)                                                  \
            continue;                                                \
        if (!has) {                                                  \
            mn = mx = x;                                             \
            has = true;                                              \
            continue;                                                \
        }                                                            \
        mn = x < mn ? x : mn;                                        \
        mx = x > mx ? x : mx;                                        \
    }                                                                \
    s->min.FIELD = mn;                                               \
    s->max.FIELD = mx;                                               \
    s->has_minmax = has;

static void stats_f32(PqwStats *s, const float *v, uint32_t n) { STATS_FLOAT_BODY(float, f32) }
static void stats_f64(PqwStats *s, const double *v, uint32_t n) { STATS_FLOAT_BODY(double, f64) }

static void stats_bool(PqwStats *s, const uint8_t *v, uint32_t n)
{
    if (!n)
        return;
    uint8_t any0 = 0, any1 = 0;
    for (uint32_t i = 0; i < n; i++) {
        any1 |= v[i];
        any0 |= (uint8_t)!v[i];
    }
    uint8_t mn = any0 ? 0 : 1, mx = any1 ? 1 : 0;
    if (s->has_minmax) {
        mn = mn < s->min.b ? mn : s->min.b;
        mx = mx > s->max.b ? mx : s->max.b;
    }
    s->min.b = mn;
    s->max.b = mx;
    s->has_minmax = true;
}

/* Merges page statistics into chunk statistics. */
static int stats_merge(const PqwCol *c, PqwStats *dst, const PqwStats *src)
{
    dst->null_count += src->null_count;
    if (!src->has_minmax)
        return 0;
    if (c->phys == PQ_BYTE_ARRAY || c->phys == PQ_FIXED_LEN_BYTE_ARRAY)
        return stats_offer_bytes(c, dst, src->min_b.data, src->min_b.len, src->max_b.data,
                                 src->max_b.len);
    if (!dst->has_minmax) {
        dst->min = src->min;
        dst->max = src->max;
        dst->has_minmax = true;
        return 0;
    }
    switch (c->phys) {
    case PQ_BOOLEAN:
        stats_bool(dst, &src->min.b, 1);
        stats_bool(dst, &src->max.b, 1);
        break;
    case PQ_INT32:
        stats_i32(dst, &src->min.i32, 1, c->order == PQW_ORD_UNSIGNED);
        stats_i32(dst, &src->max.i32, 1, c->order == PQW_ORD_UNSIGNED);
        break;
    case PQ_INT64:
        stats_i64(dst, &src->min.i64, 1, c->order == PQW_ORD_UNSIGNED);
        stats_i64(dst, &src->max.i64, 1, c->order == PQW_ORD_UNSIGNED);
        break;
    case PQ_FLOAT:
        stats_f32(dst, &src->min.f32, 1);
        stats_f32(dst, &src->max.f32, 1);
        break;
    case PQ_DOUBLE:
        stats_f64(dst, &src->min.f64, 1);
        stats_f64(dst, &src->max.f64, 1);
        break;
    default:
        break;
    }
    return 0;
}

/* Length of the UTF-8-safe prefix of p of at most n bytes. */
static size_t utf8_prefix(const uint8_t *p, size_t len, size_t n)
{
    if (len <= n)
        return len;
    while (n > 0 && (p[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* Statistics bytes of one side (PLAIN encoding without length prefix),
 * written to out (which must have room: 16 bytes or the value's length + 1).
 * Returns the length, or -1 when there is no such bound. */
static int64_t stat_side(const PqwCol *c, const PqwStats *s, bool is_max, uint8_t *out,
                         bool *exact)
{
    *exact = true;
    switch (c->phys) {
    case PQ_BOOLEAN:
        out[0] = is_max ? s->max.b : s->min.b;
        return 1;
    case PQ_INT32:
        store_le32(out, (uint32_t)(is_max ? s->max.i32 : s->min.i32));
        return 4;
    case PQ_INT64:
        store_le64(out, (uint64_t)(is_max ? s->max.i64 : s->min.i64));
        return 8;
    case PQ_FLOAT: {
        /* parquet.thrift: a zero min is written as -0.0, a zero max as +0.0. */
        float f = is_max ? s->max.f32 : s->min.f32;
        if (f == 0.0f)
            f = is_max ? 0.0f : -0.0f;
        memcpy(out, &f, 4);
        return 4;
    }
    case PQ_DOUBLE: {
        double d = is_max ? s->max.f64 : s->min.f64;
        if (d == 0.0)
            d = is_max ? 0.0 : -0.0;
        memcpy(out, &d, 8);
        return 8;
    }
    case PQ_FIXED_LEN_BYTE_ARRAY: {
        const Buf *b = is_max ? &s->max_b : &s->min_b;
        memcpy(out, b->data, b->len);
        return (int64_t)b->len;
    }
    case PQ_BYTE_ARRAY: {
        const Buf *b = is_max ? &s->max_b : &s->min_b;
        size_t len = b->len;
        if (len <= STAT_TRUNC_BYTES) {
            if (len)
                memcpy(out, b->data, len);
            return (int64_t)len;
        }
        size_t n = c->utf8 ? utf8_prefix(b->data, len, STAT_TRUNC_BYTES) : STAT_TRUNC_BYTES;
        if (n == 0)
            n = STAT_TRUNC_BYTES;
        if (!is_max) {
            memcpy(out, b->data, n);
            *exact = false;
            return (int64_t)n;
        }
        /* An upper bound: the prefix with its last byte incremented,
         * dropping trailing 0xFF bytes that cannot be incremented. */
        memcpy(out, b->data, n);
        while (n > 0 && out[n - 1] == 0xFF)
            n--;
        if (n == 0) {
            memcpy(out, b->data, len);
            return (int64_t)len;
        }
        out[n - 1]++;
        *exact = false;
        return (int64_t)n;
    }
    default:
        return -1;
    }
}

/* Fills st from s.  The min/max bytes go to store, which is grown first so
 * that the pointers stay valid while store is not appended to again. */
static int stats_export(const PqwCol *c, const PqwStats *s, Buf *store, PqStatistics *st)
{
    pq_statistics_init(st);
    st->null_count = s->null_count;
    if (!s->has_minmax || c->order == PQW_ORD_NONE)
        return 0;
    size_t room = 32 + s->min_b.len + s->max_b.len + 2;
    if (buf_reserve(store, room))
        return TARN_ERR_NOMEM;
    uint8_t *mn = store->data + store->len;
    bool mn_exact, mx_exact;
    int64_t mn_len = stat_side(c, s, false, mn, &mn_exact);
    uint8_t *mx = mn + (mn_len > 0 ? mn_len : 0);
    int64_t mx_len = stat_side(c, s, true, mx, &mx_exact);
    if (mn_len < 0 || mx_len < 0)
        return 0;
    store->len += (size_t)(mn_len + mx_len);
    st->min_value.ptr = mn;
    st->min_value.len = (uint32_t)mn_len;
    st->max_value.ptr = mx;
    st->max_value.len = (uint32_t)mx_len;
    st->has_is_min_value_exact = true;
    st->is_min_value_exact = mn_exact;
    st->has_is_max_value_exact = true;
    st->is_max_value_exact = mx_exact;
    if (c->legacy_stats) {
        st->min = st->min_value;
        st->max = st->max_value;
    }
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

/* Makes room for `extra` more entries (table load stays at most 1/2). */
static int dict_reserve(PqwCol *c, uint32_t extra)
{
    uint64_t need = ((uint64_t)c->n_dict + extra) * 2;
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
            if (!mn || cmp_bytes(ptr, len, (const uint8_t *)mn->ptr, mn->len) < 0)
                mn = &v[i];
            if (!mx || cmp_bytes(ptr, len, (const uint8_t *)mx->ptr, mx->len) > 0)
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
            if (!mn || (sgn ? cmp_flba_signed(x, mn, w) : memcmp(x, mn, (size_t)w)) < 0)
                mn = x;
            if (!mx || (sgn ? cmp_flba_signed(x, mx, w) : memcmp(x, mx, (size_t)w)) > 0)
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
        stats_bool(&c->ps, v, n);
        rc = buf_append(&c->plain, v, n);
        break;
    case PQ_INT32:
    case PQ_FLOAT:
        rc = dict ? dict_put_u32(c, v, n, out) : stage_fixed_plain(c, v, n);
        if (c->phys == PQ_FLOAT)
            stats_f32(&c->ps, v, n);
        else
            stats_i32(&c->ps, v, n, c->order == PQW_ORD_UNSIGNED);
        break;
    case PQ_INT64:
    case PQ_DOUBLE:
        rc = dict ? dict_put_u64(c, v, n, out) : stage_fixed_plain(c, v, n);
        if (c->phys == PQ_DOUBLE)
            stats_f64(&c->ps, v, n);
        else
            stats_i64(&c->ps, v, n, c->order == PQW_ORD_UNSIGNED);
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
            rc = stats_offer_bytes(c, &c->ps, (const uint8_t *)mn->ptr, mn->len,
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
                    if (!mn || (sgn ? cmp_flba_signed(x, mn, w) : memcmp(x, mn, (size_t)w)) < 0)
                        mn = x;
                    if (!mx || (sgn ? cmp_flba_signed(x, mx, w) : memcmp(x, mx, (size_t)w)) > 0)
                        mx = x;
                }
            }
        }
        if (!rc && mn)
            rc = stats_offer_bytes(c, &c->ps, mn, (size_t)w, mx, (size_t)w);
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
    stats_clear(&c->ps);
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
        rc = v2 ? pq_rle_encode_u16(c->def, c->n_entries, c->def_bits, b)
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
    if (stats_export(c, &c->ps, &c->tmp, &st))
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
    if (stats_merge(c, &c->cs, &c->ps))
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
    stats_free(&c->ps);
    buf_free(&c->pages);
    buf_free(&c->dict_page);
    stats_free(&c->cs);
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
    stats_clear(&c->ps);
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
    stats_clear(&c->cs);
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
        if (!rep && c->width > 0) {
            /* Fixed width, one entry per record: the cut is arithmetic. */
            uint64_t by = ((uint64_t)bytes_room + (uint64_t)c->width - 1) / (uint64_t)c->width;
            take = min_u32(n_entries - e, rows_room);
            if (by < take)
                take = (uint32_t)by;
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
                for (uint32_t k = 0; k < take; k++)
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

/* ---- Public: chunk metadata, page index, bloom filter ------------------------------------- */

static void add_encoding(int32_t *list, int32_t *n, int32_t enc)
{
    for (int32_t i = 0; i < *n; i++)
        if (list[i] == enc)
            return;
    list[(*n)++] = enc;
}

/* Copies statistics bytes into the metadata arena. */
static int stats_to_arena(PqStatistics *st, Arena *meta)
{
    PqBytes *fields[4] = {&st->min_value, &st->max_value, &st->min, &st->max};
    for (int i = 0; i < 4; i++) {
        if (!fields[i]->ptr)
            continue;
        uint8_t *p = arena_alloc(meta, fields[i]->len ? fields[i]->len : 1);
        if (!p)
            return TARN_ERR_NOMEM;
        memcpy(p, fields[i]->ptr, fields[i]->len);
        fields[i]->ptr = p;
    }
    return 0;
}

static int write_page_index(PqwCol *c, int64_t data_start, Arena *tmp, PqColumnChunk *out,
                            Buf *ci_area, Buf *oi_area, TarnError *err)
{
    uint32_t n = c->n_recs;
    PqPageLocation *locs = arena_alloc(tmp, (size_t)(n ? n : 1) * sizeof *locs);
    if (!locs)
        return ERR_NOMEM(err, (size_t)n * sizeof *locs);
    for (uint32_t i = 0; i < n; i++) {
        locs[i].offset = data_start + c->recs[i].offset;
        locs[i].compressed_page_size = c->recs[i].size;
        locs[i].first_row_index = c->recs[i].first_row;
    }
    PqOffsetIndex oi = {(int32_t)n, locs};
    size_t at = oi_area->len;
    if (pq_encode_offset_index(&oi, oi_area))
        return ERR_NOMEM(err, 64);
    out->offset_index_offset = (int64_t)at;
    out->offset_index_length = (int32_t)(oi_area->len - at);

    /* ColumnIndex: only when every page with values has min/max (an
     * all-NaN page or an unordered type has none, parquet-mr does the same). */
    if (c->order == PQW_ORD_NONE)
        return 0;
    for (uint32_t i = 0; i < n; i++)
        if (!c->recs[i].null_page && !c->recs[i].has_minmax)
            return 0;
    bool *null_pages = arena_alloc(tmp, (size_t)(n ? n : 1) * sizeof(bool));
    PqBytes *mins = arena_alloc(tmp, (size_t)(n ? n : 1) * sizeof(PqBytes));
    PqBytes *maxs = arena_alloc(tmp, (size_t)(n ? n : 1) * sizeof(PqBytes));
    int64_t *nulls = arena_alloc(tmp, (size_t)(n ? n : 1) * sizeof(int64_t));
    if (!null_pages || !mins || !maxs || !nulls)
        return ERR_NOMEM(err, (size_t)n * 48);
    bool asc = true, desc = true;
    int prev = -1;
    for (uint32_t i = 0; i < n; i++) {
        const PqwPageRec *r = &c->recs[i];
        null_pages[i] = r->null_page;
        nulls[i] = r->null_count;
        if (r->null_page) {
            /* parquet.thrift ColumnIndex: empty byte arrays for null pages. */
            mins[i].ptr = (const uint8_t *)"";
            mins[i].len = 0;
            maxs[i] = mins[i];
            continue;
        }
        mins[i].ptr = c->rec_bytes.data + r->min_off;
        mins[i].len = r->min_len;
        maxs[i].ptr = c->rec_bytes.data + r->max_off;
        maxs[i].len = r->max_len;
        if (prev >= 0) {
            int cmn = cmp_stat(c, mins[prev].ptr, mins[prev].len, mins[i].ptr, mins[i].len);
            int cmx = cmp_stat(c, maxs[prev].ptr, maxs[prev].len, maxs[i].ptr, maxs[i].len);
            if (cmn > 0 || cmx > 0)
                asc = false;
            if (cmn < 0 || cmx < 0)
                desc = false;
        }
        prev = (int)i;
    }
    PqColumnIndex ci;
    ci.n_pages = (int32_t)n;
    ci.null_pages = null_pages;
    ci.min_values = mins;
    ci.max_values = maxs;
    ci.boundary_order = asc ? 1 : desc ? 2 : 0;
    ci.null_counts = nulls;
    at = ci_area->len;
    if (pq_encode_column_index(&ci, ci_area))
        return ERR_NOMEM(err, 64);
    out->column_index_offset = (int64_t)at;
    out->column_index_length = (int32_t)(ci_area->len - at);
    return 0;
}

static int write_bloom(PqwCol *c, PqColumnChunk *out, Buf *bloom_area, TarnError *err)
{
    uint64_t ndv = (uint64_t)c->bh_n + (c->bh_zero ? 1 : 0);
    uint32_t nbytes = pq_bloom_num_bytes(ndv, c->o.bloom_fpp);
    PqBloomFilterHeader bh = {(int32_t)nbytes, 1, 1, 1};
    size_t at = bloom_area->len;
    if (pq_encode_bloom_header(&bh, bloom_area) || buf_reserve(bloom_area, nbytes))
        return ERR_NOMEM(err, nbytes);
    uint8_t *bits = bloom_area->data + bloom_area->len;
    memset(bits, 0, nbytes);
    for (uint32_t i = 0; i < c->bh_cap; i++)
        if (c->bh[i])
            pq_bloom_insert(bits, nbytes, c->bh[i]);
    if (c->bh_zero)
        pq_bloom_insert(bits, nbytes, 0);
    bloom_area->len += nbytes;
    out->meta_data.bloom_filter_offset = (int64_t)at;
    out->meta_data.bloom_filter_length = (int32_t)(bloom_area->len - at);
    return 0;
}

int pqw_col_chunk_meta(PqwCol *c, int64_t start, Arena *meta, Arena *tmp, PqColumnChunk *out,
                       Buf *bloom_area, Buf *ci_area, Buf *oi_area, TarnError *err)
{
    pq_column_chunk_init(out);
    int64_t data_start = start + (int64_t)c->dict_page.len;
    out->file_offset = start;
    out->has_meta_data = true;
    PqColumnMetaData *m = &out->meta_data;
    m->type = c->phys;
    m->encodings = arena_alloc(meta, 8 * sizeof(int32_t));
    if (!m->encodings)
        return ERR_NOMEM(err, 32);
    m->n_encodings = 0;
    if (c->dict_used) {
        add_encoding(m->encodings, &m->n_encodings, PQ_ENC_PLAIN);
        add_encoding(m->encodings, &m->n_encodings, PQ_ENC_RLE_DICTIONARY);
    }
    if (c->n_plain_pages_data || !c->dict_used)
        add_encoding(m->encodings, &m->n_encodings, c->enc);
    if (c->max_def || c->max_rep)
        add_encoding(m->encodings, &m->n_encodings, PQ_ENC_RLE);
    m->n_path = c->n_path;
    m->path_in_schema = c->path;
    m->codec = c->o.codec;
    m->num_values = c->chunk_entries;
    m->total_uncompressed_size = c->dict_unc_bytes + c->unc_bytes;
    m->total_compressed_size = (int64_t)(c->dict_page.len + c->pages.len);
    m->data_page_offset = data_start;
    m->dictionary_page_offset = c->dict_used ? start : -1;
    m->has_statistics = true;
    buf_clear(&c->tmp);
    if (stats_export(c, &c->cs, &c->tmp, &m->statistics) ||
        stats_to_arena(&m->statistics, meta))
        return ERR_NOMEM(err, 64);
    if (c->dict_used && c->dict_exact)
        m->statistics.distinct_count = c->n_dict;

    int page_type = c->o.page_version == 2 ? PQ_PAGE_DATA_V2 : PQ_PAGE_DATA;
    m->encoding_stats = arena_alloc(meta, 3 * sizeof(PqPageEncodingStats));
    if (!m->encoding_stats)
        return ERR_NOMEM(err, 36);
    m->n_encoding_stats = 0;
    if (c->dict_used) {
        m->encoding_stats[m->n_encoding_stats++] =
            (PqPageEncodingStats){PQ_PAGE_DICTIONARY, PQ_ENC_PLAIN, 1};
        m->encoding_stats[m->n_encoding_stats++] =
            (PqPageEncodingStats){page_type, PQ_ENC_RLE_DICTIONARY, c->n_dict_pages_data};
    }
    if (c->n_plain_pages_data)
        m->encoding_stats[m->n_encoding_stats++] =
            (PqPageEncodingStats){page_type, c->enc, c->n_plain_pages_data};

    if (c->o.bloom) {
        int rc = write_bloom(c, out, bloom_area, err);
        if (rc)
            return rc;
    }
    if (c->o.page_index) {
        int rc = write_page_index(c, data_start, tmp, out, ci_area, oi_area, err);
        if (rc)
            return rc;
    }
    return 0;
}
