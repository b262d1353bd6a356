/*
 * reader_column.c - reads one column chunk: page headers, decompression,
 * CRC checks, repetition/definition levels, dictionary and value decoding
 * into tarn's value representation, and record-wise reading and skipping.
 *
 * A page is decoded whole when it is loaded: levels into uint16 arrays,
 * non-null values into a dense array in the target representation (or a
 * zero-copy pointer into the page for PLAIN fixed-width values that need no
 * conversion).  Callers then copy slices of it into vectors.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "format/parquet/compress.h"
#include "format/parquet/encoding.h"
#include "format/parquet/reader_int.h"

/* A page may claim at most this many uncompressed bytes unconditionally;
 * above it, the claim must be plausible for its compressed size. */
#define PAGE_UNCHECKED_MAX (16u << 20)
#define PAGE_MAX_RATIO 1100
#define PAGE_ABS_MAX (1u << 30)

static int corrupt(ColReader *c, TarnError *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int corrupt(ColReader *c, TarnError *err, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(err, TARN_ERR_CORRUPT, "column \"%s\": %s", c->d->path, msg);
}

static int phys_width(const PqLeaf *d)
{
    switch (d->phys) {
    case PQ_BOOLEAN: return 1;
    case PQ_INT32:
    case PQ_FLOAT: return 4;
    case PQ_INT64:
    case PQ_DOUBLE: return 8;
    case PQ_INT96: return 12;
    case PQ_FIXED_LEN_BYTE_ARRAY: return d->type_length;
    default: return 0; /* BYTE_ARRAY: variable */
    }
}

/* ---- Allocation helpers ------------------------------------------------- */

static void *page_alloc(ColReader *c, size_t n, TarnError *err)
{
    if (c->n_page_allocs == c->cap_page_allocs) {
        int cap = c->cap_page_allocs ? c->cap_page_allocs * 2 : 8;
        void **p = tarn_realloc(c->page_allocs, (size_t)cap * sizeof(void *));
        if (!p) {
            ERR_NOMEM(err, (size_t)cap * sizeof(void *));
            return NULL;
        }
        c->page_allocs = p;
        c->cap_page_allocs = cap;
    }
    void *p = pq_rd_alloc(c->r, n);
    if (!p) {
        ERR_NOMEM(err, n);
        return NULL;
    }
    c->page_allocs[c->n_page_allocs++] = p;
    return p;
}

static uint8_t *scratch_get(ColReader *c, size_t n, TarnError *err)
{
    if (n > c->scratch_cap) {
        size_t cap = c->scratch_cap ? c->scratch_cap : 4096;
        while (cap < n)
            cap *= 2;
        uint8_t *p = tarn_realloc(c->scratch, cap);
        if (!p) {
            ERR_NOMEM(err, cap);
            return NULL;
        }
        c->scratch = p;
        c->scratch_cap = cap;
    }
    return c->scratch;
}

/* Hands the page's allocations to the reader's retired list (freed at the
 * next batch); on failure the rest are freed at once.  Always empties the
 * page's list. */
static int retire_page_allocs(ColReader *c, TarnError *err)
{
    int rc = 0;
    for (int i = 0; i < c->n_page_allocs; i++) {
        if (!rc)
            rc = pq_reader_retire(c->r, c->page_allocs[i], err);
        else
            pq_rd_free(c->page_allocs[i]);
    }
    c->n_page_allocs = 0;
    return rc;
}

/* Moves the page's allocations to the chunk's lifetime (the dictionary
 * page's buffers: dictionary strings point into them). */
static int keep_for_chunk(ColReader *c, TarnError *err)
{
    if (c->n_chunk_allocs + c->n_page_allocs > c->cap_chunk_allocs) {
        int cap = c->cap_chunk_allocs ? c->cap_chunk_allocs : 4;
        while (cap < c->n_chunk_allocs + c->n_page_allocs)
            cap *= 2;
        void **p = tarn_realloc(c->chunk_allocs, (size_t)cap * sizeof(void *));
        if (!p)
            return ERR_NOMEM(err, (size_t)cap * sizeof(void *));
        c->chunk_allocs = p;
        c->cap_chunk_allocs = cap;
    }
    for (int i = 0; i < c->n_page_allocs; i++)
        c->chunk_allocs[c->n_chunk_allocs++] = c->page_allocs[i];
    c->n_page_allocs = 0;
    return 0;
}

/* Retires the current page's buffers: they stay valid until the next batch. */
static int finish_page(ColReader *c, TarnError *err)
{
    int rc = retire_page_allocs(c, err);
    c->page_loaded = false;
    c->page_n = c->page_pos = 0;
    c->vals = NULL;
    c->vals_n = c->vals_pos = 0;
    return rc;
}

/* ---- Value conversion --------------------------------------------------- */

static inline int32_t ld32(const uint8_t *p)
{
    int32_t x;
    memcpy(&x, p, 4);
    return x;
}
static inline int64_t ld64(const uint8_t *p)
{
    int64_t x;
    memcpy(&x, p, 8);
    return x;
}

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31;
    uint32_t exp = (h >> 10) & 0x1F;
    uint32_t mant = h & 0x3FF;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {
            /* subnormal: value = mant * 2^-24 */
            float f = (float)mant * (1.0f / 16777216.0f);
            return sign ? -f : f;
        }
    } else if (exp == 31) {
        bits = sign | 0x7F800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static inline int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* Big-endian two's complement bytes to a signed 128-bit integer. */
static bool be_to_i128(const uint8_t *p, uint32_t n, int128_t *out)
{
    if (n == 0) {
        *out = 0;
        return true;
    }
    /* Extra leading bytes beyond 16 must be pure sign extension. */
    uint8_t ext = (p[0] & 0x80) ? 0xFF : 0x00;
    while (n > 16) {
        if (p[0] != ext)
            return false;
        p++;
        n--;
    }
    unsigned __int128 v = (p[0] & 0x80) ? ~(unsigned __int128)0 : 0;
    for (uint32_t i = 0; i < n; i++)
        v = (v << 8) | p[i];
    *out = (int128_t)v;
    return true;
}

static void store_decimal(uint8_t *dst, uint32_t width, int128_t v)
{
    if (width == 8) {
        int64_t x = (int64_t)v;
        memcpy(dst, &x, 8);
    } else {
        memcpy(dst, &v, 16);
    }
}

/* Converts n fixed-width physical values (src, phys width pw) into the
 * target representation at dst.  src must outlive dst for PQ_CONV_BYTES. */
static int conv_fixed(ColReader *c, const uint8_t *src, uint32_t n, uint8_t *dst, TarnError *err)
{
    const PqLeaf *d = c->d;
    uint32_t w = c->width;
    int pw = phys_width(d);
    switch (d->conv) {
    case PQ_CONV_NONE:
        if ((uint32_t)pw != w)
            return ERR_INTERNAL(err, "width mismatch without conversion");
        memcpy(dst, src, (size_t)n * w);
        return 0;
    case PQ_CONV_BOOL:
        memcpy(dst, src, n);
        return 0;
    case PQ_CONV_I32_TO_I8:
        for (uint32_t i = 0; i < n; i++)
            ((int8_t *)dst)[i] = (int8_t)ld32(src + 4 * (size_t)i);
        return 0;
    case PQ_CONV_I32_TO_U8:
        for (uint32_t i = 0; i < n; i++)
            ((uint8_t *)dst)[i] = (uint8_t)ld32(src + 4 * (size_t)i);
        return 0;
    case PQ_CONV_I32_TO_I16:
        for (uint32_t i = 0; i < n; i++) {
            int16_t x = (int16_t)ld32(src + 4 * (size_t)i);
            memcpy(dst + 2 * (size_t)i, &x, 2);
        }
        return 0;
    case PQ_CONV_I32_TO_U16:
        for (uint32_t i = 0; i < n; i++) {
            uint16_t x = (uint16_t)ld32(src + 4 * (size_t)i);
            memcpy(dst + 2 * (size_t)i, &x, 2);
        }
        return 0;
    case PQ_CONV_I32_TO_I64:
        for (uint32_t i = 0; i < n; i++) {
            int64_t x = ld32(src + 4 * (size_t)i);
            memcpy(dst + 8 * (size_t)i, &x, 8);
        }
        return 0;
    case PQ_CONV_I32_DECIMAL:
        for (uint32_t i = 0; i < n; i++)
            store_decimal(dst + (size_t)w * i, w, ld32(src + 4 * (size_t)i));
        return 0;
    case PQ_CONV_I64_DECIMAL:
        for (uint32_t i = 0; i < n; i++)
            store_decimal(dst + (size_t)w * i, w, ld64(src + 8 * (size_t)i));
        return 0;
    case PQ_CONV_TIME_MS:
        for (uint32_t i = 0; i < n; i++) {
            int64_t x = (int64_t)ld32(src + 4 * (size_t)i) * 1000;
            memcpy(dst + 8 * (size_t)i, &x, 8);
        }
        return 0;
    case PQ_CONV_TS_MS:
        for (uint32_t i = 0; i < n; i++) {
            int64_t x = ld64(src + 8 * (size_t)i);
            int64_t y;
            if (__builtin_mul_overflow(x, (int64_t)1000, &y))
                return corrupt(c, err, "millisecond timestamp %lld out of range", (long long)x);
            memcpy(dst + 8 * (size_t)i, &y, 8);
        }
        return 0;
    case PQ_CONV_TS_NS:
    case PQ_CONV_TIME_NS:
        for (uint32_t i = 0; i < n; i++) {
            int64_t x = floor_div(ld64(src + 8 * (size_t)i), 1000);
            memcpy(dst + 8 * (size_t)i, &x, 8);
        }
        return 0;
    case PQ_CONV_INT96:
        for (uint32_t i = 0; i < n; i++) {
            const uint8_t *p = src + 12 * (size_t)i;
            int64_t nanos = ld64(p);
            int64_t jd = ld32(p + 8);
            /* Julian day 2440588 is 1970-01-01.  Spark computes
             * (day - 2440588) * 86400000000 + nanos / 1000 in wrapping
             * 64-bit arithmetic with a signed day and a truncating division,
             * and writes timestamps beyond the nanosecond range that way
             * (parquet-testing int96_from_spark); do the same so those
             * values round-trip. */
            uint64_t ux = (uint64_t)(jd - 2440588) * 86400000000ULL + (uint64_t)(nanos / 1000);
            int64_t x = (int64_t)ux;
            memcpy(dst + 8 * (size_t)i, &x, 8);
        }
        return 0;
    case PQ_CONV_FLOAT16:
        for (uint32_t i = 0; i < n; i++) {
            uint16_t h = (uint16_t)(src[2 * i] | src[2 * i + 1] << 8);
            float f = half_to_float(h);
            memcpy(dst + 4 * (size_t)i, &f, 4);
        }
        return 0;
    case PQ_CONV_UUID:
        memcpy(dst, src, (size_t)n * 16);
        return 0;
    case PQ_CONV_INTERVAL:
        for (uint32_t i = 0; i < n; i++) {
            const uint8_t *p = src + 12 * (size_t)i;
            Interval iv;
            iv.months = (int32_t)load_le32(p);
            iv.days = (int32_t)load_le32(p + 4);
            iv.micros = (int64_t)load_le32(p + 8) * 1000;
            memcpy(dst + sizeof(Interval) * i, &iv, sizeof iv);
        }
        return 0;
    case PQ_CONV_BIN_DECIMAL:
        for (uint32_t i = 0; i < n; i++) {
            int128_t v;
            if (!be_to_i128(src + (size_t)pw * i, (uint32_t)pw, &v))
                return corrupt(c, err, "decimal value does not fit in 128 bits");
            store_decimal(dst + (size_t)w * i, w, v);
        }
        return 0;
    case PQ_CONV_BYTES:
        for (uint32_t i = 0; i < n; i++) {
            StrView sv = {(uint32_t)pw, 0, (const char *)src + (size_t)pw * i};
            memcpy(dst + sizeof(StrView) * i, &sv, sizeof sv);
        }
        return 0;
    case PQ_CONV_NULL:
        memset(dst, 0, (size_t)n * w);
        return 0;
    }
    return ERR_INTERNAL(err, "unknown conversion");
}

/* Converts n byte-array views into the target representation. */
static int conv_views(ColReader *c, const StrView *src, uint32_t n, uint8_t *dst, TarnError *err)
{
    const PqLeaf *d = c->d;
    uint32_t w = c->width;
    if (d->conv == PQ_CONV_BYTES) {
        if ((const uint8_t *)src != dst)
            memmove(dst, src, (size_t)n * sizeof(StrView));
        return 0;
    }
    if (d->conv == PQ_CONV_BIN_DECIMAL) {
        for (uint32_t i = 0; i < n; i++) {
            int128_t v;
            if (!be_to_i128((const uint8_t *)src[i].ptr, src[i].len, &v))
                return corrupt(c, err, "decimal value of %u bytes does not fit in 128 bits", src[i].len);
            store_decimal(dst + (size_t)w * i, w, v);
        }
        return 0;
    }
    if (d->conv == PQ_CONV_NULL) {
        memset(dst, 0, (size_t)n * w);
        return 0;
    }
    /* Fixed-width target from variable-length source (DELTA_BYTE_ARRAY on FLBA). */
    int pw = phys_width(d);
    if (pw <= 0)
        return ERR_INTERNAL(err, "byte-array values for a fixed-width conversion");
    uint8_t *tmp = page_alloc(c, (size_t)n * (size_t)pw, err);
    if (!tmp)
        return TARN_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++) {
        if (src[i].len != (uint32_t)pw)
            return corrupt(c, err, "value of %u bytes in a FIXED_LEN_BYTE_ARRAY(%d) column", src[i].len, pw);
        memcpy(tmp + (size_t)pw * i, src[i].ptr, (size_t)pw);
    }
    return conv_fixed(c, tmp, n, dst, err);
}

/* ---- Value decoding ----------------------------------------------------- */

/* Decodes n PLAIN values from p[0..len) into out (target representation).
 * When zero_copy is allowed and no conversion is needed, *out_ptr points
 * into p instead.  *used_out = bytes consumed. */
static int decode_plain(ColReader *c, const uint8_t *p, size_t len, uint32_t n, uint8_t *out,
                        const uint8_t **out_ptr, size_t *used_out, TarnError *err)
{
    const PqLeaf *d = c->d;
    *out_ptr = out;
    if (d->phys == PQ_BOOLEAN)
        return pq_plain_decode_bool(p, len, n, out, used_out, err);
    if (d->phys == PQ_BYTE_ARRAY) {
        StrView *views;
        if (d->conv == PQ_CONV_BYTES)
            views = (StrView *)out;
        else {
            views = (StrView *)page_alloc(c, (size_t)n * sizeof(StrView), err);
            if (!views)
                return TARN_ERR_NOMEM;
        }
        int rc = pq_plain_decode_byte_array(p, len, n, views, used_out, err);
        if (rc)
            return rc;
        return conv_views(c, views, n, out, err);
    }
    int pw = phys_width(d);
    if (pw <= 0)
        return corrupt(c, err, "invalid value width %d", pw);
    size_t need = (size_t)n * (size_t)pw;
    if (need > len)
        return corrupt(c, err, "PLAIN page holds %zu bytes, %u values need %zu", len, n, need);
    *used_out = need;
    if (d->conv == PQ_CONV_NONE) {
        *out_ptr = p; /* zero copy: the page buffer outlives the values */
        return 0;
    }
    return conv_fixed(c, p, n, out, err);
}

/* Decodes n non-null values encoded with `enc` into the page's dense array. */
static int decode_values(ColReader *c, int enc, const uint8_t *p, size_t len, uint32_t n, TarnError *err)
{
    const PqLeaf *d = c->d;
    uint32_t w = c->width;
    c->vals_n = n;
    c->vals_pos = 0;
    if (d->conv == PQ_CONV_NULL) {
        uint8_t *out = scratch_get(c, (size_t)n * w + 1, err);
        if (!out)
            return TARN_ERR_NOMEM;
        memset(out, 0, (size_t)n * w);
        c->vals = out;
        return 0;
    }
    c->stream = 0;
    if (enc == PQ_ENC_PLAIN && d->phys != PQ_BOOLEAN) {
        if (d->phys == PQ_BYTE_ARRAY && d->conv == PQ_CONV_BYTES) {
            c->stream = 2;
            c->sp = p;
            c->send = p + len;
            return 0;
        }
        if (d->phys != PQ_BYTE_ARRAY) {
            int pw = phys_width(d);
            if (pw <= 0)
                return corrupt(c, err, "invalid value width %d", pw);
            if ((uint64_t)n * (uint64_t)pw > len)
                return corrupt(c, err, "PLAIN page holds %zu bytes, %u values need %llu", len, n,
                               (unsigned long long)n * (unsigned long long)pw);
            c->stream = 1;
            c->pw = (uint32_t)pw;
            c->sp = p;
            c->send = p + len;
            return 0;
        }
    }
    if ((enc == PQ_ENC_PLAIN_DICTIONARY || enc == PQ_ENC_RLE_DICTIONARY) && c->dict && n > 0) {
        if (len < 1)
            return corrupt(c, err, "dictionary-encoded page without a bit width");
        if (p[0] > 32)
            return corrupt(c, err, "dictionary index bit width %d", p[0]);
        pq_rle_init(&c->sdec, p + 1, len - 1, p[0]);
        c->stream = 3;
        return 0;
    }
    uint8_t *out = scratch_get(c, (size_t)n * w + 16, err);
    if (!out)
        return TARN_ERR_NOMEM;
    c->vals = out;
    size_t used = 0;
    int rc = 0;
    switch (enc) {
    case PQ_ENC_PLAIN:
        rc = decode_plain(c, p, len, n, out, &c->vals, &used, err);
        break;
    case PQ_ENC_PLAIN_DICTIONARY:
    case PQ_ENC_RLE_DICTIONARY:
        /* With a dictionary and values, the page streams (see above). */
        if (n && !c->dict)
            return corrupt(c, err, "dictionary-encoded page but the chunk has no dictionary page");
        break;
    case PQ_ENC_RLE: {
        if (d->phys != PQ_BOOLEAN)
            return corrupt(c, err, "RLE value encoding on a %s column", pq_phys_name(d->phys));
        if (len < 4)
            return corrupt(c, err, "RLE boolean page shorter than its length prefix");
        uint32_t l = load_le32(p);
        if (l > len - 4)
            return corrupt(c, err, "RLE boolean run length %u past end of page", l);
        uint32_t *tmp = (uint32_t *)page_alloc(c, (size_t)n * 4 + 4, err);
        if (!tmp)
            return TARN_ERR_NOMEM;
        PqRleDecoder dec;
        pq_rle_init(&dec, p + 4, l, 1);
        rc = pq_rle_get_u32(&dec, tmp, n, err);
        if (!rc)
            for (uint32_t i = 0; i < n; i++)
                out[i] = tmp[i] != 0;
        break;
    }
    case PQ_ENC_DELTA_BINARY_PACKED: {
        if (d->phys == PQ_INT32) {
            int32_t *tmp = (int32_t *)page_alloc(c, (size_t)n * 4 + 4, err);
            if (!tmp)
                return TARN_ERR_NOMEM;
            rc = pq_delta_bp_decode_i32(p, len, tmp, n, &used, err);
            if (!rc)
                rc = conv_fixed(c, (const uint8_t *)tmp, n, out, err);
        } else if (d->phys == PQ_INT64) {
            int64_t *tmp = (int64_t *)page_alloc(c, (size_t)n * 8 + 8, err);
            if (!tmp)
                return TARN_ERR_NOMEM;
            rc = pq_delta_bp_decode_i64(p, len, tmp, n, &used, err);
            if (!rc)
                rc = conv_fixed(c, (const uint8_t *)tmp, n, out, err);
        } else {
            return corrupt(c, err, "DELTA_BINARY_PACKED on a %s column", pq_phys_name(d->phys));
        }
        break;
    }
    case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
    case PQ_ENC_DELTA_BYTE_ARRAY: {
        if (d->phys != PQ_BYTE_ARRAY && !(enc == PQ_ENC_DELTA_BYTE_ARRAY && d->phys == PQ_FIXED_LEN_BYTE_ARRAY))
            return corrupt(c, err, "%s on a %s column", pq_encoding_name(enc), pq_phys_name(d->phys));
        StrView *views = (StrView *)page_alloc(c, (size_t)n * sizeof(StrView) + 16, err);
        if (!views)
            return TARN_ERR_NOMEM;
        if (enc == PQ_ENC_DELTA_LENGTH_BYTE_ARRAY) {
            rc = pq_delta_length_ba_decode(p, len, n, views, &used, err);
        } else {
            Arena *a = (Arena *)page_alloc(c, sizeof(Arena), err);
            if (!a)
                return TARN_ERR_NOMEM;
            arena_init(a, 64 * 1024);
            /* The arena's chunks must live as long as the page: decode into
             * it, then move its memory into one page allocation. */
            rc = pq_delta_ba_decode(p, len, n, views, a, &used, err);
            if (!rc) {
                size_t total = 0;
                for (uint32_t i = 0; i < n; i++)
                    total += views[i].len;
                char *bytes = page_alloc(c, total + 1, err);
                if (!bytes) {
                    arena_free(a);
                    return TARN_ERR_NOMEM;
                }
                size_t off = 0;
                for (uint32_t i = 0; i < n; i++) {
                    if (views[i].len)
                        memcpy(bytes + off, views[i].ptr, views[i].len);
                    views[i].ptr = bytes + off;
                    off += views[i].len;
                }
            }
            arena_free(a);
        }
        if (!rc)
            rc = conv_views(c, views, n, out, err);
        break;
    }
    case PQ_ENC_BYTE_STREAM_SPLIT: {
        int pw = phys_width(d);
        if (pw <= 0 || d->phys == PQ_BOOLEAN || d->phys == PQ_INT96)
            return corrupt(c, err, "BYTE_STREAM_SPLIT on a %s column", pq_phys_name(d->phys));
        uint8_t *tmp = page_alloc(c, (size_t)n * (size_t)pw + 1, err);
        if (!tmp)
            return TARN_ERR_NOMEM;
        rc = pq_bss_decode(p, len, n, pw, tmp, err);
        if (!rc)
            rc = conv_fixed(c, tmp, n, out, err);
        break;
    }
    case PQ_ENC_BIT_PACKED:
        return corrupt(c, err, "BIT_PACKED is only valid for levels, not values");
    default:
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: encoding %d in column \"%s\"", enc,
                       d->path);
    }
    if (rc)
        return err_context(err, "column \"%s\": decoding %s values", d->path, pq_encoding_name(enc));
    return 0;
}

/* Takes the page's next n non-null values into dst (target representation). */
static int take_values(ColReader *c, uint32_t n, uint8_t *dst, TarnError *err)
{
    if (n == 0)
        return 0;
    uint32_t w = c->width;
    if (c->vals_pos + n > c->vals_n)
        return corrupt(c, err, "page has fewer values than its definition levels need");
    switch (c->stream) {
    case 0:
        memcpy(dst, c->vals + (size_t)c->vals_pos * w, (size_t)n * w);
        break;
    case 1: {
        size_t need = (size_t)n * c->pw;
        if (need > (size_t)(c->send - c->sp))
            return corrupt(c, err, "PLAIN values past end of page");
        if (c->d->conv == PQ_CONV_NONE)
            memcpy(dst, c->sp, need);
        else {
            int rc = conv_fixed(c, c->sp, n, dst, err);
            if (rc)
                return rc;
        }
        c->sp += need;
        break;
    }
    case 2: {
        StrView *out = (StrView *)dst;
        const uint8_t *sp = c->sp, *end = c->send;
        for (uint32_t i = 0; i < n; i++) {
            if (end - sp < 4)
                return corrupt(c, err, "PLAIN byte array length past end of page");
            uint32_t l = load_le32(sp);
            if (l > (size_t)(end - sp) - 4)
                return corrupt(c, err, "PLAIN byte array of %u bytes past end of page", l);
            out[i].len = l;
            out[i].pad_ = 0;
            out[i].ptr = (const char *)sp + 4;
            sp += 4 + (size_t)l;
        }
        c->sp = sp;
        break;
    }
    case 3: {
        uint32_t idx[1024];
        const uint8_t *dict = c->dict;
        uint32_t dn = c->dict_n;
        for (uint32_t done = 0; done < n;) {
            uint32_t m = n - done < 1024 ? n - done : 1024;
            if (pq_rle_get_u32(&c->sdec, idx, m, err))
                return err_context(err, "column \"%s\": dictionary indices", c->d->path);
            uint32_t mx = 0;
            for (uint32_t i = 0; i < m; i++)
                mx = idx[i] > mx ? idx[i] : mx;
            if (mx >= dn)
                return corrupt(c, err, "dictionary index %u out of range (dictionary has %u entries)", mx, dn);
            uint8_t *o = dst + (size_t)done * w;
            switch (w) {
            case 1:
                for (uint32_t i = 0; i < m; i++)
                    o[i] = dict[idx[i]];
                break;
            case 4:
                for (uint32_t i = 0; i < m; i++)
                    memcpy(o + 4 * (size_t)i, dict + 4 * (size_t)idx[i], 4);
                break;
            case 8:
                for (uint32_t i = 0; i < m; i++)
                    memcpy(o + 8 * (size_t)i, dict + 8 * (size_t)idx[i], 8);
                break;
            case 16:
                for (uint32_t i = 0; i < m; i++)
                    memcpy(o + 16 * (size_t)i, dict + 16 * (size_t)idx[i], 16);
                break;
            default:
                for (uint32_t i = 0; i < m; i++)
                    memcpy(o + (size_t)w * i, dict + (size_t)w * idx[i], w);
            }
            done += m;
        }
        break;
    }
    }
    c->vals_pos += n;
    return 0;
}

/* Skips the page's next n non-null values. */
static int skip_values(ColReader *c, uint32_t n, TarnError *err)
{
    if (n == 0)
        return 0;
    if (c->stream == 0 || c->stream == 1) {
        if (c->vals_pos + n > c->vals_n)
            return corrupt(c, err, "page has fewer values than its definition levels need");
        if (c->stream == 1) {
            size_t need = (size_t)n * c->pw;
            if (need > (size_t)(c->send - c->sp))
                return corrupt(c, err, "PLAIN values past end of page");
            c->sp += need;
        }
        c->vals_pos += n;
        return 0;
    }
    uint8_t tmp[1024 * 16];
    uint32_t per = (uint32_t)(sizeof tmp / (c->width ? c->width : 1));
    while (n) {
        uint32_t m = n < per ? n : per;
        int rc = take_values(c, m, tmp, err);
        if (rc)
            return rc;
        n -= m;
    }
    return 0;
}

/* ---- Dictionary page ---------------------------------------------------- */

static int load_dictionary(ColReader *c, const PqPageHeader *h, const uint8_t *p, size_t len,
                           TarnError *err)
{
    int32_t n = h->dict_page.num_values;
    if (n < 0)
        return corrupt(c, err, "dictionary page with negative num_values %d", n);
    if (c->dict)
        return corrupt(c, err, "second dictionary page in one column chunk");
    int enc = h->dict_page.encoding;
    if (enc != PQ_ENC_PLAIN && enc != PQ_ENC_PLAIN_DICTIONARY)
        return corrupt(c, err, "dictionary page encoding %s", pq_encoding_name(enc));
    uint32_t w = c->width;
    uint8_t *dict = pq_rd_alloc(c->r, (size_t)(n ? n : 1) * w + 16);
    if (!dict)
        return ERR_NOMEM(err, (size_t)n * w);
    const uint8_t *outp = dict;
    size_t used = 0;
    int rc;
    if (c->d->conv == PQ_CONV_NULL) {
        memset(dict, 0, (size_t)n * w);
        rc = 0;
    } else {
        rc = decode_plain(c, p, len, (uint32_t)n, dict, &outp, &used, err);
    }
    if (rc) {
        pq_rd_free(dict);
        return err_context(err, "column \"%s\": dictionary page", c->d->path);
    }
    if (outp != dict)
        memcpy(dict, outp, (size_t)n * w);
    /* Anything decode_plain allocated for the page (views) must outlive the
     * dictionary: hand those allocations to the chunk's lifetime. */
    if (keep_for_chunk(c, err)) {
        pq_rd_free(dict);
        return TARN_ERR_NOMEM;
    }
    c->dict = dict;
    c->dict_n = (uint32_t)n;
    return 0;
}

/* ---- Levels ------------------------------------------------------------- */

static int ensure_levels(ColReader *c, uint32_t n, TarnError *err)
{
    if (n <= c->lev_cap)
        return 0;
    uint32_t cap = c->lev_cap ? c->lev_cap : 1024;
    while (cap < n)
        cap *= 2;
    uint16_t *d = tarn_realloc(c->defs, (size_t)cap * 2);
    if (!d)
        return ERR_NOMEM(err, (size_t)cap * 2);
    c->defs = d;
    uint16_t *r = tarn_realloc(c->reps, (size_t)cap * 2);
    if (!r)
        return ERR_NOMEM(err, (size_t)cap * 2);
    c->reps = r;
    c->lev_cap = cap;
    return 0;
}

/* Decodes n levels of max level `max` with the v1 encoding `enc` from
 * p[0..len); *used_out = bytes consumed. */
static int decode_levels_v1(ColReader *c, int enc, int max, const uint8_t *p, size_t len, uint32_t n,
                            uint16_t *out, size_t *used_out, const char *what, TarnError *err)
{
    int bw = pq_bit_width((uint64_t)max);
    if (enc == PQ_ENC_RLE) {
        if (len < 4)
            return corrupt(c, err, "%s levels: page too short for the length prefix", what);
        uint32_t l = load_le32(p);
        if (l > len - 4)
            return corrupt(c, err, "%s levels: length %u past end of page (%zu bytes left)", what, l, len - 4);
        PqRleDecoder dec;
        pq_rle_init(&dec, p + 4, l, bw);
        if (pq_rle_get_u16(&dec, out, n, err))
            return err_context(err, "column \"%s\": %s levels", c->d->path, what);
        *used_out = 4 + (size_t)l;
        return 0;
    }
    if (enc == PQ_ENC_BIT_PACKED) {
        size_t bytes = ((size_t)n * (size_t)bw + 7) / 8;
        if (bytes > len)
            return corrupt(c, err, "%s levels: BIT_PACKED levels past end of page", what);
        if (pq_bitpacked_legacy_decode_u16(p, bytes, bw, out, n, err))
            return err_context(err, "column \"%s\": %s levels", c->d->path, what);
        *used_out = bytes;
        return 0;
    }
    return corrupt(c, err, "%s levels use encoding %s", what, pq_encoding_name(enc));
}

/* True when an RLE/bit-packed hybrid stream starts with an RLE run of at
 * least n copies of `value`: the common "no NULLs in this page" case, which
 * then needs no level array at all. */
static bool rle_all_equal(const uint8_t *p, size_t len, int bw, uint32_t n, uint32_t value)
{
    uint64_t h = 0;
    size_t i = 0;
    for (int shift = 0; i < len && shift < 64; shift += 7) {
        uint8_t b = p[i++];
        h |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            goto have;
    }
    return false;
have:
    if (h & 1)
        return false; /* bit-packed run */
    if ((h >> 1) < n)
        return false;
    size_t vb = ((size_t)bw + 7) / 8;
    if (len - i < vb)
        return false;
    uint32_t v = 0;
    for (size_t k = 0; k < vb; k++)
        v |= (uint32_t)p[i + k] << (8 * k);
    return v == value;
}

static int check_levels(ColReader *c, const uint16_t *lv, uint32_t n, int max, const char *what,
                        TarnError *err)
{
    uint16_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        m = lv[i] > m ? lv[i] : m;
    if (m > max)
        return corrupt(c, err, "%s level %u exceeds the maximum %d", what, m, max);
    return 0;
}

/* ---- Pages ---------------------------------------------------------------- */

/* Makes p/len the uncompressed bytes of a page body. */
static int page_body(ColReader *c, const PqPageHeader *h, const uint8_t *raw, size_t raw_len,
                     size_t prefix, uint8_t **body_out, size_t *body_len, TarnError *err)
{
    /* prefix: leading bytes stored uncompressed (v2 levels). */
    int codec = c->meta->codec;
    int64_t ulen = (int64_t)h->uncompressed_page_size - (int64_t)prefix;
    if (ulen < 0)
        return corrupt(c, err, "page uncompressed size %d smaller than its levels (%zu bytes)",
                       h->uncompressed_page_size, prefix);
    bool compressed = codec != PQ_CODEC_UNCOMPRESSED;
    if (h->type == PQ_PAGE_DATA_V2 && !h->data_page_v2.is_compressed)
        compressed = false;
    if (!compressed) {
        *body_out = (uint8_t *)raw + prefix;
        *body_len = raw_len - prefix;
        return 0;
    }
    size_t clen = raw_len - prefix;
    if ((uint64_t)ulen > PAGE_ABS_MAX ||
        ((uint64_t)ulen > PAGE_UNCHECKED_MAX && (uint64_t)ulen > (uint64_t)clen * PAGE_MAX_RATIO))
        return corrupt(c, err, "page claims %lld uncompressed bytes from %zu compressed bytes", (long long)ulen,
                       clen);
    uint8_t *dst = page_alloc(c, (size_t)ulen + 8, err);
    if (!dst)
        return TARN_ERR_NOMEM;
    if (ulen == 0 && clen == 0) {
        *body_out = dst;
        *body_len = 0;
        return 0;
    }
    int rc = pq_decompress((PqCodec)codec, raw + prefix, clen, dst, (size_t)ulen, err);
    if (rc)
        return err_context(err, "column \"%s\": decompressing a %s page", c->d->path, pq_codec_name(codec));
    *body_out = dst;
    *body_len = (size_t)ulen;
    return 0;
}

static int load_data_page(ColReader *c, const PqPageHeader *h, const uint8_t *raw, size_t raw_len,
                          TarnError *err)
{
    const PqLeaf *d = c->d;
    bool v2 = h->type == PQ_PAGE_DATA_V2;
    int32_t n = v2 ? h->data_page_v2.num_values : h->data_page.num_values;
    int enc = v2 ? h->data_page_v2.encoding : h->data_page.encoding;
    if (n < 0)
        return corrupt(c, err, "data page with negative num_values %d", n);
    int rc = ensure_levels(c, (uint32_t)n + 1, err);
    if (rc)
        return rc;
    uint8_t *body;
    size_t body_len;
    const uint8_t *p;
    size_t len;
    uint32_t un = (uint32_t)n;
    c->all_defined = false;
    if (!v2) {
        rc = page_body(c, h, raw, raw_len, 0, &body, &body_len, err);
        if (rc)
            return rc;
        p = body;
        len = body_len;
        size_t used = 0;
        if (d->max_rep > 0) {
            rc = decode_levels_v1(c, h->data_page.repetition_level_encoding, d->max_rep, p, len, un, c->reps,
                                  &used, "repetition", err);
            if (rc)
                return rc;
            p += used;
            len -= used;
        }
        if (d->max_def > 0) {
            int bw = pq_bit_width((uint64_t)d->max_def);
            uint32_t l = len >= 4 ? load_le32(p) : 0;
            if (h->data_page.definition_level_encoding == PQ_ENC_RLE && len >= 4 && l <= len - 4 &&
                rle_all_equal(p + 4, l, bw, un, (uint32_t)d->max_def)) {
                c->all_defined = true;
                used = 4 + (size_t)l;
            } else {
                rc = decode_levels_v1(c, h->data_page.definition_level_encoding, d->max_def, p, len, un, c->defs,
                                      &used, "definition", err);
                if (rc)
                    return rc;
            }
            p += used;
            len -= used;
        }
    } else {
        int32_t rl = h->data_page_v2.repetition_levels_byte_length;
        int32_t dl = h->data_page_v2.definition_levels_byte_length;
        if (rl < 0 || dl < 0 || (size_t)rl + (size_t)dl > raw_len)
            return corrupt(c, err, "v2 page level lengths %d + %d exceed the page (%zu bytes)", rl, dl, raw_len);
        if (d->max_rep > 0) {
            PqRleDecoder dec;
            pq_rle_init(&dec, raw, (size_t)rl, pq_bit_width((uint64_t)d->max_rep));
            if (pq_rle_get_u16(&dec, c->reps, un, err))
                return err_context(err, "column \"%s\": repetition levels", d->path);
        }
        if (d->max_def > 0) {
            int bw = pq_bit_width((uint64_t)d->max_def);
            if (rle_all_equal(raw + rl, (size_t)dl, bw, un, (uint32_t)d->max_def)) {
                c->all_defined = true;
            } else {
                PqRleDecoder dec;
                pq_rle_init(&dec, raw + rl, (size_t)dl, bw);
                if (pq_rle_get_u16(&dec, c->defs, un, err))
                    return err_context(err, "column \"%s\": definition levels", d->path);
            }
        }
        rc = page_body(c, h, raw, raw_len, (size_t)rl + (size_t)dl, &body, &body_len, err);
        if (rc)
            return rc;
        p = body;
        len = body_len;
    }
    if (d->max_rep > 0) {
        if ((rc = check_levels(c, c->reps, un, d->max_rep, "repetition", err)))
            return rc;
        if (c->first_page && un > 0 && c->reps[0] != 0)
            return corrupt(c, err, "column chunk starts with repetition level %u instead of 0", c->reps[0]);
    }
    uint32_t nonnull = un;
    if (d->max_def > 0 && !c->all_defined) {
        if ((rc = check_levels(c, c->defs, un, d->max_def, "definition", err)))
            return rc;
        nonnull = 0;
        uint16_t md = (uint16_t)d->max_def;
        for (uint32_t i = 0; i < un; i++)
            nonnull += c->defs[i] == md;
    }
    rc = decode_values(c, enc, p, len, nonnull, err);
    if (rc)
        return rc;
    c->page_n = un;
    c->page_pos = 0;
    c->page_loaded = true;
    c->first_page = false;
    c->values_loaded += n;
    return 0;
}

/* Loads the next data page.  *end_out = true when the chunk has no more. */
/* The dictionary page at the start of the chunk, after a jump skipped it
 * (no page of this chunk is loaded: called before loading a data page). */
static int load_deferred_dictionary(ColReader *c, TarnError *err)
{
    PqReader *r = c->r;
    c->dict_deferred = false;
    PqPageHeader h;
    size_t used = 0;
    int rc = pq_decode_page_header(c->chunk, c->chunk_len, &r->hdr_arena, &h, &used, err);
    if (rc)
        return err_context(err, "column \"%s\": dictionary page header", c->d->path);
    if (h.type != PQ_PAGE_DICTIONARY || h.compressed_page_size < 0 || h.uncompressed_page_size < 0 ||
        (uint64_t)h.compressed_page_size > c->chunk_len - used)
        return corrupt(c, err, "bad dictionary page at the start of the column chunk");
    const uint8_t *raw = c->chunk + used;
    size_t raw_len = (size_t)h.compressed_page_size;
    if (h.has_crc && r->opt.verify_crc) {
        uint32_t crc = pq_crc32(raw, raw_len);
        if (crc != h.crc)
            return corrupt(c, err, "dictionary page CRC mismatch (stored %08x, computed %08x)", h.crc, crc);
    }
    uint8_t *body;
    size_t body_len;
    if ((rc = page_body(c, &h, raw, raw_len, 0, &body, &body_len, err)) ||
        (rc = load_dictionary(c, &h, body, body_len, err)))
        return rc;
    return keep_for_chunk(c, err) ? TARN_ERR_NOMEM : 0;
}

static int load_next_page(ColReader *c, bool *end_out, TarnError *err)
{
    *end_out = false;
    if (c->page_loaded) {
        int rc = finish_page(c, err);
        if (rc)
            return rc;
    }
    PqReader *r = c->r;
    for (;;) {
        /* The chunk ends at its byte length, or once the pages loaded hold
         * the metadata's num_values (unless the offset index made us jump,
         * which leaves the count unknown). */
        if (c->pos >= c->chunk_len || (!c->oi && c->values_loaded >= c->chunk_values)) {
            *end_out = true;
            return 0;
        }
        arena_reset(&r->hdr_arena);
        PqPageHeader h;
        size_t used = 0;
        int rc = pq_decode_page_header(c->chunk + c->pos, c->chunk_len - c->pos, &r->hdr_arena, &h, &used, err);
        if (rc)
            return err_context(err, "column \"%s\": page header at offset %llu", c->d->path,
                               (unsigned long long)(c->chunk_file_off + c->pos));
        if (h.compressed_page_size < 0 || h.uncompressed_page_size < 0)
            return corrupt(c, err, "page with negative size");
        size_t body_off = c->pos + used;
        if ((uint64_t)h.compressed_page_size > c->chunk_len - body_off)
            return corrupt(c, err, "page of %d bytes at offset %llu runs past the column chunk", h.compressed_page_size,
                           (unsigned long long)(c->chunk_file_off + c->pos));
        const uint8_t *raw = c->chunk + body_off;
        size_t raw_len = (size_t)h.compressed_page_size;
        c->pos = body_off + raw_len;
        if (h.has_crc && r->opt.verify_crc) {
            uint32_t crc = pq_crc32(raw, raw_len);
            if (crc != h.crc)
                return corrupt(c, err, "page CRC mismatch at offset %llu (stored %08x, computed %08x)",
                               (unsigned long long)(c->chunk_file_off + body_off - used), h.crc, crc);
        }
        if (h.type == PQ_PAGE_DICTIONARY) {
            uint8_t *body;
            size_t body_len;
            rc = page_body(c, &h, raw, raw_len, 0, &body, &body_len, err);
            if (rc)
                return rc;
            rc = load_dictionary(c, &h, body, body_len, err);
            if (rc)
                return rc;
            /* The decompressed dictionary page holds the dictionary's string
             * bytes: keep it for the whole chunk. */
            if (keep_for_chunk(c, err))
                return TARN_ERR_NOMEM;
            continue;
        }
        if (h.type == PQ_PAGE_DATA || h.type == PQ_PAGE_DATA_V2) {
            int enc = h.type == PQ_PAGE_DATA ? h.data_page.encoding : h.data_page_v2.encoding;
            if (c->dict_deferred && !c->dict && (enc == PQ_ENC_PLAIN_DICTIONARY || enc == PQ_ENC_RLE_DICTIONARY) &&
                (rc = load_deferred_dictionary(c, err)))
                return rc;
            rc = load_data_page(c, &h, raw, raw_len, err);
            if (rc)
                return rc;
            if (c->page_n == 0) {
                rc = finish_page(c, err);
                if (rc)
                    return rc;
                continue;
            }
            r->stats.pages_total++;
            return 0;
        }
        /* INDEX_PAGE or a page type from the future: skip it. */
    }
}

/* ---- Chunk lifecycle ------------------------------------------------------ */

/* With an offset index and a row slice [row_s, row_e) of the row group:
 * the byte ranges of the chunk worth reading - the head (what precedes the
 * first data page: the dictionary page, if any) and the pages
 * from the one holding row_s to one past the one holding row_e - 1 (a
 * repeated column looks at the next page's first level to end a record).
 * False when the whole chunk is needed anyway. */
static bool slice_ranges(const PqOffsetIndex *oi, int64_t start, int64_t len, int64_t row_s, int64_t row_e,
                         int64_t rg_rows, int64_t out[4])
{
    if (!oi || oi->n_pages < 2 || (row_s <= 0 && row_e >= rg_rows))
        return false;
    const PqPageLocation *pl = oi->page_locations;
    int k0 = 0, k1 = 0;
    for (int i = 0; i < oi->n_pages; i++) {
        if (pl[i].first_row_index <= row_s)
            k0 = i;
        if (pl[i].first_row_index < row_e)
            k1 = i;
    }
    if (k1 + 1 < oi->n_pages)
        k1++;
    int64_t end = start + len;
    for (int i = 0; i < oi->n_pages; i++)
        if (pl[i].offset < start || pl[i].compressed_page_size < 0 || pl[i].offset + pl[i].compressed_page_size > end)
            return false; /* not trustworthy: read everything */
    out[0] = start;
    out[1] = pl[0].offset; /* the dictionary page, if any (ensure_dictionary) */
    out[2] = pl[k0].offset;
    out[3] = pl[k1].offset + pl[k1].compressed_page_size;
    if (out[2] < out[1])
        out[2] = out[1];
    return out[3] - out[2] + (out[1] - out[0]) < len; /* worth it only when it reads less */
}

int col_open_chunk(ColReader *c, const PqColumnChunk *cc, const PqOffsetIndex *oi, int64_t row_s, int64_t row_e,
                   int64_t rg_rows, TarnError *err)
{
    PqReader *r = c->r;
    col_close_chunk(c);
    if (cc->encrypted)
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: encrypted column \"%s\"", c->d->path);
    if (!cc->has_meta_data)
        return corrupt(c, err, "column chunk without metadata");
    if (cc->file_path)
        return err_set(err, TARN_ERR_UNSUPPORTED,
                       "unsupported: column \"%s\" stored in another file (\"%s\")", c->d->path, cc->file_path);
    const PqColumnMetaData *m = &cc->meta_data;
    c->meta = m;
    if (m->type != (int32_t)c->d->phys)
        return corrupt(c, err, "chunk type %s differs from the schema's %s", pq_phys_name(m->type),
                       pq_phys_name(c->d->phys));
    int64_t start = m->data_page_offset;
    /* parquet-mr wrote dictionary_page_offset = 0 for chunks without a
     * dictionary; only trust it when it lies before the data pages. */
    if (m->dictionary_page_offset > 0 && m->dictionary_page_offset < start)
        start = m->dictionary_page_offset;
    int64_t len = m->total_compressed_size;
    uint64_t fsize = r->src.size;
    if (start < 4 || len < 0 || (uint64_t)start > fsize || (uint64_t)len > fsize - (uint64_t)start)
        return corrupt(c, err, "column chunk range [%lld, +%lld) outside the file (%llu bytes)", (long long)start,
                       (long long)len, (unsigned long long)fsize);
    if (m->num_values < 0)
        return corrupt(c, err, "negative num_values %lld", (long long)m->num_values);
    /* Reuse the previous chunk's buffer: col_open_chunk runs inside
     * pq_reader_next, when no batch handed out earlier is alive. */
    if (c->spare && c->spare_cap >= (size_t)len + 1) {
        c->chunk = c->spare;
        c->chunk_cap = c->spare_cap;
        c->spare = NULL;
    } else {
        pq_rd_free(c->spare);
        c->spare = NULL;
        /* Slack so that the next row group's chunk, usually of similar
         * size, fits in this buffer again (no fresh pages per row group). */
        size_t cap = (size_t)len + (size_t)len / 4 + 4096;
        c->chunk = pq_rd_alloc(r, cap);
        if (!c->chunk)
            return ERR_NOMEM(err, cap);
        c->chunk_cap = cap;
    }
    int64_t part[4];
    int rc;
    if (slice_ranges(oi, start, len, row_s, row_e, rg_rows, part)) {
        /* Only the head and the slice's pages; the rest of the buffer is
         * never looked at (the reader jumps over it with the offset index). */
        rc = part[1] > part[0] ? r->src.read(r->src.ctx, (uint64_t)part[0], (size_t)(part[1] - part[0]), c->chunk, err)
                               : 0;
        if (!rc && part[3] > part[2])
            rc = r->src.read(r->src.ctx, (uint64_t)part[2], (size_t)(part[3] - part[2]), c->chunk + (part[2] - start),
                             err);
        r->stats.bytes_read += (part[1] - part[0]) + (part[3] - part[2]);
    } else {
        rc = r->src.read(r->src.ctx, (uint64_t)start, (size_t)len, c->chunk, err);
        r->stats.bytes_read += len;
    }
    if (rc)
        return err_context(err, "reading column \"%s\"", c->d->path);
    c->chunk_len = (size_t)len;
    c->chunk_file_off = (uint64_t)start;
    c->pos = 0;
    c->chunk_values = m->num_values;
    c->values_loaded = 0;
    c->first_page = true;
    c->oi = oi;
    c->rg_row = 0;
    c->dict_deferred = false;
    return 0;
}

void col_close_chunk(ColReader *c)
{
    TarnError ignore = {0};
    if (c->page_loaded || c->n_page_allocs)
        finish_page(c, &ignore);
    /* pq_reader_retire frees the buffer itself when it cannot queue it. */
    for (int i = 0; i < c->n_chunk_allocs; i++)
        pq_reader_retire(c->r, c->chunk_allocs[i], &ignore);
    c->n_chunk_allocs = 0;
    if (c->chunk) {
        if (!c->spare) {
            c->spare = c->chunk;
            c->spare_cap = c->chunk_cap;
        } else {
            pq_reader_retire(c->r, c->chunk, &ignore);
        }
    }
    if (c->dict)
        pq_reader_retire(c->r, c->dict, &ignore);
    c->chunk = NULL;
    c->dict = NULL;
    c->dict_n = 0;
    c->chunk_len = c->pos = 0;
    c->meta = NULL;
    c->oi = NULL;
}

void col_destroy(ColReader *c)
{
    for (int i = 0; i < c->n_page_allocs; i++)
        pq_rd_free(c->page_allocs[i]);
    tarn_free(c->page_allocs);
    for (int i = 0; i < c->n_chunk_allocs; i++)
        pq_rd_free(c->chunk_allocs[i]);
    tarn_free(c->chunk_allocs);
    pq_rd_free(c->chunk);
    pq_rd_free(c->spare);
    pq_rd_free(c->dict);
    tarn_free(c->defs);
    tarn_free(c->reps);
    tarn_free(c->scratch);
    tarn_free(c->lb.def);
    tarn_free(c->lb.rep);
    tarn_free(c->lb.vals);
    memset(c, 0, sizeof *c);
}

/* ---- Reading -------------------------------------------------------------- */

int col_read_flat(ColReader *c, Vector *v, uint32_t n, TarnError *err)
{
    uint32_t w = c->width;
    if (vec_reserve(v, v->len + n))
        return ERR_NOMEM(err, (size_t)n * w);
    uint16_t md = (uint16_t)c->d->max_def;
    bool all_null_type = c->d->conv == PQ_CONV_NULL;
    while (n > 0) {
        if (!c->page_loaded || c->page_pos >= c->page_n) {
            bool end;
            int rc = load_next_page(c, &end, err);
            if (rc)
                return rc;
            if (end)
                return corrupt(c, err, "column chunk ends before the row group's %lld rows",
                               (long long)c->r->rg_rows);
        }
        uint32_t k = c->page_n - c->page_pos;
        if (k > n)
            k = n;
        uint8_t *dst = v->data + (size_t)v->len * w;
        if ((md == 0 || c->all_defined) && !all_null_type) {
            int rc = take_values(c, k, dst, err);
            if (rc)
                return rc;
        } else {
            const uint16_t *defs = c->defs + c->page_pos;
            uint32_t nn = 0;
            if (md && !c->all_defined)
                for (uint32_t j = 0; j < k; j++)
                    nn += defs[j] == md;
            else
                nn = k;
            int rc;
            if (all_null_type) {
                rc = skip_values(c, nn, err);
                nn = 0;
                memset(dst, 0, (size_t)k * w);
            } else {
                /* Decode the nn values densely at the front, then spread
                 * them to their rows from the back (no overlap hazard). */
                rc = take_values(c, nn, dst, err);
            }
            if (rc)
                return rc;
            if (nn < k) {
                if (vec_ensure_validity(v))
                    return ERR_NOMEM(err, v->cap / 8);
                uint8_t *bits = v->validity;
                uint32_t base = v->len;
                int64_t src = (int64_t)nn - 1;
                for (int64_t j = (int64_t)k - 1; j >= 0; j--) {
                    uint32_t i = base + (uint32_t)j;
                    if (!all_null_type && (c->all_defined || defs[j] == md)) {
                        if (src != j)
                            memcpy(dst + (size_t)j * w, dst + (size_t)src * w, w);
                        src--;
                    } else {
                        memset(dst + (size_t)j * w, 0, w);
                        bits[i >> 3] &= (uint8_t) ~(1u << (i & 7));
                    }
                }
            }
        }
        v->len += k;
        c->page_pos += k;
        c->rg_row += k;
        n -= k;
    }
    return 0;
}

static int lb_reserve(LevelBuf *lb, uint32_t n_levels, uint32_t n_vals, TarnError *err)
{
    if (n_levels > lb->cap) {
        uint32_t cap = lb->cap ? lb->cap : 1024;
        while (cap < n_levels)
            cap *= 2;
        uint16_t *d = tarn_realloc(lb->def, (size_t)cap * 2);
        if (!d)
            return ERR_NOMEM(err, (size_t)cap * 2);
        lb->def = d;
        uint16_t *r = tarn_realloc(lb->rep, (size_t)cap * 2);
        if (!r)
            return ERR_NOMEM(err, (size_t)cap * 2);
        lb->rep = r;
        lb->cap = cap;
    }
    if (n_vals > lb->cap_vals) {
        uint32_t cap = lb->cap_vals ? lb->cap_vals : 1024;
        while (cap < n_vals)
            cap *= 2;
        uint8_t *v = tarn_realloc(lb->vals, (size_t)cap * lb->width + 16);
        if (!v)
            return ERR_NOMEM(err, (size_t)cap * lb->width);
        lb->vals = v;
        lb->cap_vals = cap;
    }
    return 0;
}

int col_read_records(ColReader *c, uint32_t n, uint32_t *got, TarnError *err)
{
    LevelBuf *lb = &c->lb;
    lb->n = 0;
    lb->n_vals = 0;
    lb->width = c->width;
    uint32_t recs = 0;
    uint16_t md = (uint16_t)c->d->max_def;
    bool has_rep = c->d->max_rep > 0;
    for (;;) {
        if (!c->page_loaded || c->page_pos >= c->page_n) {
            bool end;
            int rc = load_next_page(c, &end, err);
            if (rc)
                return rc;
            if (end)
                break;
        }
        uint32_t start = c->page_pos;
        uint32_t j = start;
        uint32_t nn = 0;
        bool stop = false;
        for (; j < c->page_n; j++) {
            bool new_rec = !has_rep || c->reps[j] == 0;
            if (new_rec) {
                if (recs == n) {
                    stop = true;
                    break;
                }
                recs++;
            }
            if (!md || c->all_defined || c->defs[j] == md)
                nn++;
        }
        if (recs == 0 && j > start)
            return corrupt(c, err, "record does not start at repetition level 0");
        uint32_t k = j - start;
        if (lb_reserve(lb, lb->n + k, lb->n_vals + nn, err))
            return TARN_ERR_NOMEM;
        if (k) {
            if (md && !c->all_defined) {
                memcpy(lb->def + lb->n, c->defs + start, (size_t)k * 2);
            } else {
                for (uint32_t q = 0; q < k; q++)
                    lb->def[lb->n + q] = md;
            }
            if (has_rep)
                memcpy(lb->rep + lb->n, c->reps + start, (size_t)k * 2);
            else
                memset(lb->rep + lb->n, 0, (size_t)k * 2);
        }
        if (nn) {
            int rc = take_values(c, nn, lb->vals + (size_t)lb->n_vals * lb->width, err);
            if (rc)
                return rc;
        }
        lb->n += k;
        lb->n_vals += nn;
        c->page_pos = j;
        if (stop)
            break;
    }
    c->rg_row += recs;
    *got = recs;
    return 0;
}

/* Loads pages until the dictionary (if the chunk has one) is loaded, without
 * consuming data: used before jumping with the offset index. */
static int ensure_dictionary(ColReader *c, TarnError *err)
{
    if (c->dict || c->pos != 0 || c->page_loaded || c->dict_deferred)
        return 0;
    /* with an offset index, a dictionary page can only sit before the
     * first data page */
    if (c->oi && c->oi->n_pages > 0 && (uint64_t)c->oi->page_locations[0].offset <= c->chunk_file_off)
        return 0;
    arena_reset(&c->r->hdr_arena);
    PqPageHeader h;
    size_t used = 0;
    int rc = pq_decode_page_header(c->chunk, c->chunk_len, &c->r->hdr_arena, &h, &used, err);
    if (rc)
        return err_context(err, "column \"%s\": first page header", c->d->path);
    if (h.type != PQ_PAGE_DICTIONARY)
        return 0;
    /* Loaded only if a page after the jump is dictionary-encoded (columns
     * that fell back to PLAIN never decode it). */
    c->dict_deferred = true;
    return 0;
}

int col_skip_records(ColReader *c, int64_t n, TarnError *err)
{
    if (n <= 0)
        return 0;
    int64_t target = c->rg_row + n;
    /* Jump over whole pages with the offset index. */
    if (c->oi && c->oi->n_pages > 0) {
        const PqOffsetIndex *oi = c->oi;
        int k = -1;
        for (int i = 0; i < oi->n_pages; i++)
            if (oi->page_locations[i].first_row_index <= target)
                k = i;
        int64_t cur_first = c->rg_row; /* conservative: only jump forward past the current position */
        if (k >= 0 && oi->page_locations[k].first_row_index > cur_first) {
            int rc = ensure_dictionary(c, err);
            if (rc)
                return rc;
            int64_t off = oi->page_locations[k].offset - (int64_t)c->chunk_file_off;
            if (off < 0 || (uint64_t)off >= c->chunk_len)
                return corrupt(c, err, "offset index points outside the column chunk");
            if (c->page_loaded) {
                rc = finish_page(c, err);
                if (rc)
                    return rc;
            }
            c->r->stats.pages_skipped++;
            c->pos = (size_t)off;
            c->rg_row = oi->page_locations[k].first_row_index;
            c->first_page = false;
        }
    }
    /* Decode and discard the rest.  rg_row is the index of the next record
     * to start; for repeated columns a record ends only where the next one
     * starts (rep == 0), possibly on a later page. */
    uint16_t md = (uint16_t)c->d->max_def;
    bool has_rep = c->d->max_rep > 0;
    for (;;) {
        if (!has_rep && c->rg_row >= target)
            break;
        if (!c->page_loaded || c->page_pos >= c->page_n) {
            bool end;
            int rc = load_next_page(c, &end, err);
            if (rc)
                return rc;
            if (end) {
                if (c->rg_row >= target)
                    break;
                return corrupt(c, err, "column chunk ends while skipping rows");
            }
        }
        uint32_t j = c->page_pos;
        uint32_t nn = 0;
        for (; j < c->page_n; j++) {
            if (!has_rep || c->reps[j] == 0) {
                if (c->rg_row == target)
                    break;
                c->rg_row++;
            }
            if (!md || c->all_defined || c->defs[j] == md)
                nn++;
        }
        int rc2 = skip_values(c, nn, err);
        if (rc2)
            return rc2;
        c->page_pos = j;
        if (j < c->page_n)
            break;
    }
    return 0;
}
