/*
 * writer_stats.c - statistics of the Parquet writer's pages and column
 * chunks, and each chunk's footer entry: ColumnMetaData, the page index
 * (ColumnIndex + OffsetIndex, PageIndex.md) and the bloom filter
 * (BloomFilter.md).
 *
 * Statistics: min_value/max_value/null_count per page and per chunk in the
 * type's sort order (writer_int.h PqwOrder); the deprecated min/max fields
 * are written too for signed integers, floats and booleans, whose legacy
 * (signed) order is correct, and left out for unsigned integers, strings
 * and FLBA decimals.  FLOAT/DOUBLE ignore NaN (all NaN: no min/max) and
 * write a zero minimum as -0.0 and a zero maximum as +0.0 (parquet.thrift).
 * Byte-array min/max longer than 64 bytes are truncated (at a UTF-8
 * boundary for strings) and marked inexact; the truncated max has its last
 * byte incremented so it stays an upper bound.  distinct_count is written
 * when the whole chunk went through the dictionary.  INTERVAL (undefined
 * order) and NULL columns get null_count only.
 */
#include "format/parquet/writer_int.h"

#include <string.h>

#include "format/parquet/bloom.h"

#define STAT_TRUNC_BYTES 64 /* byte-array statistics longer than this are truncated */

/* ---- Statistics --------------------------------------------------------------- */

void pqw_stats_clear(PqwStats *s)
{
    s->has_minmax = false;
    s->null_count = 0;
    s->min.i64 = 0;
    s->max.i64 = 0;
    buf_clear(&s->min_b);
    buf_clear(&s->max_b);
}

void pqw_stats_free(PqwStats *s)
{
    buf_free(&s->min_b);
    buf_free(&s->max_b);
}

/* Compares two statistics values (PLAIN bytes) in the column's order. */
int pqw_cmp_stat(const PqwCol *c, const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
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
        return pqw_cmp_flba_signed(a, b, (int)(al < bl ? al : bl));
    case PQW_ORD_BOOL:
        return (a[0] > b[0]) - (a[0] < b[0]);
    default:
        return pqw_cmp_bytes(a, al, b, bl);
    }
}

/* Offers a byte-array / FLBA candidate for min and max. */
int pqw_stats_offer_bytes(const PqwCol *c, PqwStats *s, const uint8_t *mn, size_t mn_len,
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
    if (pqw_cmp_stat(c, mn, mn_len, s->min_b.data, s->min_b.len) < 0) {
        buf_clear(&s->min_b);
        if (buf_append(&s->min_b, mn, mn_len))
            return TARN_ERR_NOMEM;
    }
    if (pqw_cmp_stat(c, mx, mx_len, s->max_b.data, s->max_b.len) > 0) {
        buf_clear(&s->max_b);
        if (buf_append(&s->max_b, mx, mx_len))
            return TARN_ERR_NOMEM;
    }
    return 0;
}

void pqw_stats_i32(PqwStats *s, const int32_t *v, uint32_t n, bool uns)
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

void pqw_stats_i64(PqwStats *s, const int64_t *v, uint32_t n, bool uns)
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

void pqw_stats_f32(PqwStats *s, const float *v, uint32_t n) { STATS_FLOAT_BODY(float, f32) }
void pqw_stats_f64(PqwStats *s, const double *v, uint32_t n) { STATS_FLOAT_BODY(double, f64) }

void pqw_stats_bool(PqwStats *s, const uint8_t *v, uint32_t n)
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
int pqw_stats_merge(const PqwCol *c, PqwStats *dst, const PqwStats *src)
{
    dst->null_count += src->null_count;
    if (!src->has_minmax)
        return 0;
    if (c->phys == PQ_BYTE_ARRAY || c->phys == PQ_FIXED_LEN_BYTE_ARRAY)
        return pqw_stats_offer_bytes(c, dst, src->min_b.data, src->min_b.len, src->max_b.data,
                                 src->max_b.len);
    if (!dst->has_minmax) {
        dst->min = src->min;
        dst->max = src->max;
        dst->has_minmax = true;
        return 0;
    }
    switch (c->phys) {
    case PQ_BOOLEAN:
        pqw_stats_bool(dst, &src->min.b, 1);
        pqw_stats_bool(dst, &src->max.b, 1);
        break;
    case PQ_INT32:
        pqw_stats_i32(dst, &src->min.i32, 1, c->order == PQW_ORD_UNSIGNED);
        pqw_stats_i32(dst, &src->max.i32, 1, c->order == PQW_ORD_UNSIGNED);
        break;
    case PQ_INT64:
        pqw_stats_i64(dst, &src->min.i64, 1, c->order == PQW_ORD_UNSIGNED);
        pqw_stats_i64(dst, &src->max.i64, 1, c->order == PQW_ORD_UNSIGNED);
        break;
    case PQ_FLOAT:
        pqw_stats_f32(dst, &src->min.f32, 1);
        pqw_stats_f32(dst, &src->max.f32, 1);
        break;
    case PQ_DOUBLE:
        pqw_stats_f64(dst, &src->min.f64, 1);
        pqw_stats_f64(dst, &src->max.f64, 1);
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
int pqw_stats_export(const PqwCol *c, const PqwStats *s, Buf *store, PqStatistics *st)
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

/* ---- Chunk metadata, page index, bloom filter --------------------------------- */

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
            int cmn = pqw_cmp_stat(c, mins[prev].ptr, mins[prev].len, mins[i].ptr, mins[i].len);
            int cmx = pqw_cmp_stat(c, maxs[prev].ptr, maxs[prev].len, maxs[i].ptr, maxs[i].len);
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
    if (pqw_stats_export(c, &c->cs, &c->tmp, &m->statistics) ||
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
