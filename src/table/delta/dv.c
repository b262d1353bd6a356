/*
 * dv.c - deletion vectors: Z85, roaring bitmaps (decode all three container
 * kinds, encode arrays and bitmaps), DV files.  See dv.h.
 */
#include "table/delta/dv.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "format/parquet/compress.h"

#define ROARING_COOKIE_NORUN 12346u
#define ROARING_COOKIE_RUN 12347u
#define ROARING_NO_OFFSET_THRESHOLD 4
#define ROARING_ARRAY_MAX 4096

/* Room for a DV file read; a DV describes at most 2^32 * 2^32 rows but real
 * ones are small.  1 GiB caps damage from corrupt descriptors. */
#define DV_MAX_BYTES (1u << 30)

void delta_rowset_free(DeltaRowSet *s)
{
    if (!s)
        return;
    tarn_free(s->rows);
    s->rows = NULL;
    s->n = 0;
}

bool delta_rowset_contains(const DeltaRowSet *s, uint64_t row)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->rows[mid] < row)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->rows[lo] == row;
}

int delta_rowset_union(const DeltaRowSet *a, const DeltaRowSet *b, DeltaRowSet *dst)
{
    size_t cap = a->n + b->n;
    dst->n = 0;
    dst->rows = tarn_malloc((cap ? cap : 1) * sizeof(uint64_t));
    if (!dst->rows)
        return TARN_ERR_NOMEM;
    size_t i = 0, j = 0;
    while (i < a->n || j < b->n) {
        uint64_t v;
        if (j >= b->n || (i < a->n && a->rows[i] < b->rows[j]))
            v = a->rows[i++];
        else if (i >= a->n || b->rows[j] < a->rows[i])
            v = b->rows[j++];
        else {
            v = a->rows[i++];
            j++;
        }
        dst->rows[dst->n++] = v;
    }
    return 0;
}

/* ---- Z85 ------------------------------------------------------------------ */

static const char z85_chars[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

bool delta_z85_decode(const char *s, size_t n, uint8_t *out)
{
    static int8_t dec[256];
    static bool init;
    if (!init) {
        memset(dec, -1, sizeof dec);
        for (int i = 0; i < 85; i++)
            dec[(uint8_t)z85_chars[i]] = (int8_t)i;
        init = true;
    }
    if (n % 5)
        return false;
    for (size_t i = 0; i < n; i += 5) {
        uint64_t v = 0;
        for (int k = 0; k < 5; k++) {
            int d = dec[(uint8_t)s[i + k]];
            if (d < 0)
                return false;
            v = v * 85 + (uint64_t)d;
        }
        if (v > UINT32_MAX)
            return false;
        uint8_t *o = out + i / 5 * 4;
        o[0] = (uint8_t)(v >> 24);
        o[1] = (uint8_t)(v >> 16);
        o[2] = (uint8_t)(v >> 8);
        o[3] = (uint8_t)v;
    }
    return true;
}

int delta_z85_encode(const uint8_t *p, size_t n, Buf *out)
{
    if (n % 4)
        return TARN_ERR_INVALID;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 | (uint32_t)p[i + 2] << 8 | p[i + 3];
        char c[5];
        for (int k = 4; k >= 0; k--) {
            c[k] = z85_chars[v % 85];
            v /= 85;
        }
        if (buf_append(out, c, 5))
            return TARN_ERR_NOMEM;
    }
    return 0;
}

/* ---- Roaring ------------------------------------------------------------------ */

static uint16_t ld16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static int push_row(DeltaRowSet *out, size_t *cap, uint64_t v, uint64_t max_values, TarnError *err)
{
    if (out->n >= max_values)
        return err_set(err, TARN_ERR_CORRUPT, "deletion vector holds more rows than its cardinality %" PRIu64,
                       max_values);
    if (out->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        uint64_t *r = tarn_realloc(out->rows, nc * sizeof *r);
        if (!r)
            return ERR_NOMEM(err, nc * sizeof *r);
        out->rows = r;
        *cap = nc;
    }
    if (out->n && out->rows[out->n - 1] >= v)
        return err_set(err, TARN_ERR_CORRUPT, "deletion vector values are not ascending");
    out->rows[out->n++] = v;
    return 0;
}

/* Decodes one 32-bit roaring bitmap at p[0..len); *used_out = its size. */
static int roaring32_decode(const uint8_t *p, size_t len, uint64_t high, uint64_t max_values,
                            DeltaRowSet *out, size_t *cap, size_t *used_out, TarnError *err)
{
    if (len < 4)
        return err_set(err, TARN_ERR_CORRUPT, "roaring bitmap truncated (header)");
    uint32_t cookie = load_le32(p);
    size_t pos = 4, n;
    const uint8_t *run_bitmap = NULL;
    bool has_offsets;
    if ((cookie & 0xFFFF) == ROARING_COOKIE_RUN) {
        n = (cookie >> 16) + 1;
        size_t rb = (n + 7) / 8;
        if (len - pos < rb)
            return err_set(err, TARN_ERR_CORRUPT, "roaring bitmap truncated (run flags)");
        run_bitmap = p + pos;
        pos += rb;
        has_offsets = n >= ROARING_NO_OFFSET_THRESHOLD;
    } else if (cookie == ROARING_COOKIE_NORUN) {
        if (len - pos < 4)
            return err_set(err, TARN_ERR_CORRUPT, "roaring bitmap truncated (container count)");
        n = load_le32(p + pos);
        pos += 4;
        if (n > 65536)
            return err_set(err, TARN_ERR_CORRUPT, "roaring bitmap has %zu containers (max 65536)", n);
        has_offsets = true;
    } else {
        return err_set(err, TARN_ERR_CORRUPT, "roaring bitmap has unknown cookie %u", cookie);
    }
    if ((len - pos) / 4 < n)
        return err_set(err, TARN_ERR_CORRUPT, "roaring bitmap truncated (container headers)");
    const uint8_t *hdr = p + pos;
    pos += 4 * n;
    if (has_offsets) {
        if ((len - pos) / 4 < n)
            return err_set(err, TARN_ERR_CORRUPT, "roaring bitmap truncated (offsets)");
        pos += 4 * n; /* containers follow in order; offsets are redundant for a full decode */
    }
    int prev_key = -1;
    for (size_t c = 0; c < n; c++) {
        uint32_t key = ld16(hdr + 4 * c);
        uint32_t card = (uint32_t)ld16(hdr + 4 * c + 2) + 1;
        if ((int)key <= prev_key)
            return err_set(err, TARN_ERR_CORRUPT, "roaring container keys are not ascending");
        prev_key = (int)key;
        uint64_t base = high << 32 | (uint64_t)key << 16;
        bool is_run = run_bitmap && ((run_bitmap[c / 8] >> (c % 8)) & 1);
        int rc;
        if (is_run) {
            if (len - pos < 2)
                return err_set(err, TARN_ERR_CORRUPT, "roaring run container truncated");
            uint32_t nruns = ld16(p + pos);
            pos += 2;
            if ((len - pos) / 4 < nruns)
                return err_set(err, TARN_ERR_CORRUPT, "roaring run container truncated");
            for (uint32_t r = 0; r < nruns; r++) {
                uint32_t start = ld16(p + pos + 4 * r), length = ld16(p + pos + 4 * r + 2);
                if (start + length > 65535)
                    return err_set(err, TARN_ERR_CORRUPT, "roaring run exceeds its container");
                for (uint32_t v = start; v <= start + length; v++)
                    if ((rc = push_row(out, cap, base | v, max_values, err)))
                        return rc;
            }
            pos += 4 * (size_t)nruns;
        } else if (card <= ROARING_ARRAY_MAX) {
            if ((len - pos) / 2 < card)
                return err_set(err, TARN_ERR_CORRUPT, "roaring array container truncated");
            for (uint32_t i = 0; i < card; i++)
                if ((rc = push_row(out, cap, base | ld16(p + pos + 2 * i), max_values, err)))
                    return rc;
            pos += 2 * (size_t)card;
        } else {
            if (len - pos < 8192)
                return err_set(err, TARN_ERR_CORRUPT, "roaring bitmap container truncated");
            uint32_t got = 0;
            for (uint32_t w = 0; w < 1024; w++) {
                uint64_t word = load_le64(p + pos + 8 * w);
                while (word) {
                    int b = __builtin_ctzll(word);
                    word &= word - 1;
                    if ((rc = push_row(out, cap, base | (w * 64u + (uint32_t)b), max_values, err)))
                        return rc;
                    got++;
                }
            }
            if (got != card)
                return err_set(err, TARN_ERR_CORRUPT, "roaring bitmap container cardinality mismatch");
            pos += 8192;
        }
    }
    *used_out = pos;
    return 0;
}

int delta_roaring64_decode(const uint8_t *p, size_t len, uint64_t max_values, DeltaRowSet *out,
                           TarnError *err)
{
    out->n = 0;
    out->rows = NULL;
    size_t cap = 0;
    if (len < 8)
        return err_set(err, TARN_ERR_CORRUPT, "64-bit roaring bitmap truncated");
    uint64_t nb = load_le64(p);
    size_t pos = 8;
    if (nb > (len - pos) / 8)
        return err_set(err, TARN_ERR_CORRUPT, "64-bit roaring bitmap claims %" PRIu64 " buckets", nb);
    int64_t prev = -1;
    for (uint64_t b = 0; b < nb; b++) {
        if (len - pos < 4) {
            delta_rowset_free(out);
            return err_set(err, TARN_ERR_CORRUPT, "64-bit roaring bitmap truncated (bucket key)");
        }
        uint32_t key = load_le32(p + pos);
        pos += 4;
        if ((int64_t)key <= prev || key > INT32_MAX) {
            delta_rowset_free(out);
            return err_set(err, TARN_ERR_CORRUPT, "64-bit roaring bucket key %u invalid", key);
        }
        prev = key;
        size_t used = 0;
        int rc = roaring32_decode(p + pos, len - pos, key, max_values, out, &cap, &used, err);
        if (rc) {
            delta_rowset_free(out);
            return rc;
        }
        pos += used;
    }
    return 0;
}

static uint32_t ld_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The reference implementation's older "native" RoaringBitmapArray layout
 * (magic 1681511376, big-endian): bitmap count, then per bitmap its byte
 * size and a 32-bit roaring bitmap whose high key is its index.
 * PROTOCOL.md's inline example (rows 3, 4, 7, 11, 18, 29) uses it. */
static int native_decode(const uint8_t *p, size_t len, uint64_t max_values, DeltaRowSet *out, TarnError *err)
{
    size_t cap = 0, pos = 8;
    if (len < 8)
        return err_set(err, TARN_ERR_CORRUPT, "deletion vector (native format) truncated");
    uint32_t n = ld_be32(p + 4);
    if (n > INT32_MAX)
        return err_set(err, TARN_ERR_CORRUPT, "deletion vector (native format) claims %u bitmaps", n);
    for (uint32_t k = 0; k < n; k++) {
        if (len - pos < 4) {
            delta_rowset_free(out);
            return err_set(err, TARN_ERR_CORRUPT, "deletion vector (native format) truncated");
        }
        uint32_t size = ld_be32(p + pos);
        pos += 4;
        if (size > len - pos) {
            delta_rowset_free(out);
            return err_set(err, TARN_ERR_CORRUPT, "deletion vector (native format) bitmap exceeds the data");
        }
        size_t used = 0;
        int rc = roaring32_decode(p + pos, size, k, max_values, out, &cap, &used, err);
        if (rc) {
            delta_rowset_free(out);
            return rc;
        }
        pos += size;
    }
    return 0;
}

int delta_dv_bitmap_decode(const uint8_t *p, size_t len, uint64_t max_values, DeltaRowSet *out,
                           TarnError *err)
{
    out->n = 0;
    out->rows = NULL;
    if (len >= 4 && ld_be32(p) == DELTA_DV_MAGIC - 1)
        return native_decode(p, len, max_values, out, err);
    if (len < 4 || load_le32(p) != DELTA_DV_MAGIC)
        return err_set(err, TARN_ERR_CORRUPT, "deletion vector lacks the RoaringBitmapArray magic number");
    return delta_roaring64_decode(p + 4, len - 4, max_values, out, err);
}

static void st16(Buf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    buf_append(b, x, 2);
}
static void st32(Buf *b, uint32_t v)
{
    uint8_t x[4];
    store_le32(x, v);
    buf_append(b, x, 4);
}

int delta_dv_bitmap_encode(const uint64_t *rows, size_t n, Buf *out)
{
    if (buf_reserve(out, 16 + n * 2))
        return TARN_ERR_NOMEM;
    st32(out, DELTA_DV_MAGIC);
    /* Count buckets (distinct high 32 bits). */
    uint64_t nb = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || rows[i] >> 32 != rows[i - 1] >> 32)
            nb++;
    uint8_t x[8];
    store_le64(x, nb);
    buf_append(out, x, 8);
    size_t i = 0;
    while (i < n) {
        uint64_t high = rows[i] >> 32;
        size_t j = i;
        while (j < n && rows[j] >> 32 == high)
            j++;
        st32(out, (uint32_t)high);
        /* containers in [i, j) */
        uint32_t nc = 0;
        for (size_t k = i; k < j; k++)
            if (k == i || (rows[k] >> 16 & 0xFFFF) != (rows[k - 1] >> 16 & 0xFFFF))
                nc++;
        st32(out, ROARING_COOKIE_NORUN);
        st32(out, nc);
        /* headers */
        size_t k = i;
        uint32_t *cards = tarn_malloc(sizeof(uint32_t) * (nc ? nc : 1));
        if (!cards)
            return TARN_ERR_NOMEM;
        for (uint32_t c = 0; c < nc; c++) {
            uint16_t key = (uint16_t)(rows[k] >> 16);
            size_t e = k;
            while (e < j && (uint16_t)(rows[e] >> 16) == key)
                e++;
            cards[c] = (uint32_t)(e - k);
            st16(out, key);
            st16(out, (uint16_t)(cards[c] - 1));
            k = e;
        }
        /* offsets: relative to the start of this 32-bit bitmap */
        uint32_t off = 8 + 8 * nc;
        for (uint32_t c = 0; c < nc; c++) {
            st32(out, off);
            off += cards[c] <= ROARING_ARRAY_MAX ? 2 * cards[c] : 8192;
        }
        k = i;
        for (uint32_t c = 0; c < nc; c++) {
            if (cards[c] <= ROARING_ARRAY_MAX) {
                for (uint32_t v = 0; v < cards[c]; v++)
                    st16(out, (uint16_t)rows[k + v]);
            } else {
                uint8_t *bm = tarn_calloc(1, 8192);
                if (!bm) {
                    tarn_free(cards);
                    return TARN_ERR_NOMEM;
                }
                for (uint32_t v = 0; v < cards[c]; v++) {
                    uint16_t lo = (uint16_t)rows[k + v];
                    bm[lo >> 3] |= (uint8_t)(1u << (lo & 7));
                }
                buf_append(out, bm, 8192);
                tarn_free(bm);
            }
            k += cards[c];
        }
        tarn_free(cards);
        i = j;
    }
    return out->data ? 0 : TARN_ERR_NOMEM;
}

/* ---- DV files ------------------------------------------------------------------------ */

static void uuid_format(const uint8_t u[16], char *buf)
{
    static const char hex[] = "0123456789abcdef";
    int j = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            buf[j++] = '-';
        buf[j++] = hex[u[i] >> 4];
        buf[j++] = hex[u[i] & 15];
    }
    buf[j] = 0;
}

void delta_uuid_text(char *buf)
{
    uint8_t u[16];
    if (getrandom(u, sizeof u, 0) != (ssize_t)sizeof u) {
        /* Fall back to time and address entropy; uniqueness, not secrecy, matters. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t a = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^ (uint64_t)(uintptr_t)buf;
        static uint64_t ctr;
        uint64_t b = ++ctr * 0x9E3779B97F4A7C15ull ^ (uint64_t)clock();
        memcpy(u, &a, 8);
        memcpy(u + 8, &b, 8);
    }
    u[6] = (uint8_t)((u[6] & 0x0F) | 0x40);
    u[8] = (uint8_t)((u[8] & 0x3F) | 0x80);
    uuid_format(u, buf);
}

int delta_dv_rel_path(const DeltaDv *dv, char *buf, size_t cap, TarnError *err)
{
    if (dv->storage_type != 'u')
        return err_set(err, TARN_ERR_INVALID, "deletion vector of storage type '%c' has no relative path", dv->storage_type);
    size_t n = strlen(dv->path_or_inline);
    if (n < 20)
        return err_set(err, TARN_ERR_CORRUPT, "deletion vector path \"%s\" is shorter than a Z85 UUID", dv->path_or_inline);
    uint8_t u[16];
    if (!delta_z85_decode(dv->path_or_inline + n - 20, 20, u))
        return err_set(err, TARN_ERR_CORRUPT, "deletion vector UUID \"%s\" is not valid Z85", dv->path_or_inline + n - 20);
    char uuid[40];
    uuid_format(u, uuid);
    int prefix_len = (int)(n - 20);
    if (prefix_len)
        snprintf(buf, cap, "%.*s/deletion_vector_%s.bin", prefix_len, dv->path_or_inline, uuid);
    else
        snprintf(buf, cap, "deletion_vector_%s.bin", uuid);
    return 0;
}

int delta_dv_load(Storage *s, Storage *abs_storage, const char *table_root, const DeltaDv *dv,
                  DeltaRowSet *out, TarnError *err)
{
    out->n = 0;
    out->rows = NULL;
    uint64_t maxv = (uint64_t)dv->cardinality;
    if (dv->storage_type == 'i') {
        size_t n = strlen(dv->path_or_inline);
        if (n % 5)
            return err_set(err, TARN_ERR_CORRUPT, "inline deletion vector length %zu is not a multiple of 5", n);
        size_t nb = n / 5 * 4;
        if ((size_t)dv->size_bytes > nb)
            return err_set(err, TARN_ERR_CORRUPT, "inline deletion vector shorter than its sizeInBytes");
        uint8_t *bytes = tarn_malloc(nb ? nb : 1);
        if (!bytes)
            return ERR_NOMEM(err, nb);
        if (!delta_z85_decode(dv->path_or_inline, n, bytes)) {
            tarn_free(bytes);
            return err_set(err, TARN_ERR_CORRUPT, "inline deletion vector is not valid Z85");
        }
        int rc = delta_dv_bitmap_decode(bytes, (size_t)dv->size_bytes, maxv, out, err);
        tarn_free(bytes);
        if (rc == 0 && out->n != maxv) {
            delta_rowset_free(out);
            return err_set(err, TARN_ERR_CORRUPT, "deletion vector holds %zu rows, its cardinality says %" PRId64,
                           out->n, dv->cardinality);
        }
        return rc;
    }
    /* Locate the file. */
    char path[4096];
    Storage *st = s;
    if (dv->storage_type == 'u') {
        char rel[1024];
        int rc0 = delta_dv_rel_path(dv, rel, sizeof rel, err);
        if (rc0)
            return rc0;
        snprintf(path, sizeof path, "%s%s%s", table_root, table_root[0] ? "/" : "", rel);
    } else {
        Arena a;
        arena_init(&a, 1024);
        char *dec;
        bool abs;
        int rc = delta_path_decode(&a, dv->path_or_inline, &dec, &abs, err);
        if (rc == 0 && !abs)
            rc = err_set(err, TARN_ERR_CORRUPT, "deletion vector path \"%s\" is not absolute", dv->path_or_inline);
        if (rc == 0 && !abs_storage)
            rc = err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: absolute deletion vector path \"%s\"",
                         dv->path_or_inline);
        if (rc == 0)
            snprintf(path, sizeof path, "%s", dec + 1);
        arena_free(&a);
        if (rc)
            return rc;
        st = abs_storage;
    }
    /* File format: version byte (1), then per DV: size (BE u32), bitmap, CRC-32 (BE u32).
     * The descriptor's offset points at the size field. */
    uint64_t off = dv->has_offset ? (uint64_t)dv->offset : 0;
    uint64_t fsize;
    int rc = storage_size(st, path, &fsize, err);
    if (rc)
        return err_context(err, "reading deletion vector \"%s\"", path);
    if ((uint64_t)dv->size_bytes > DV_MAX_BYTES || off + 8 + (uint64_t)dv->size_bytes > fsize)
        return err_set(err, TARN_ERR_CORRUPT,
                       "deletion vector \"%s\": offset %" PRIu64 " + size %d exceeds the file (%" PRIu64 " bytes)",
                       path, off, dv->size_bytes, fsize);
    size_t total = 8 + (size_t)dv->size_bytes;
    uint8_t *bytes = tarn_malloc(total);
    if (!bytes)
        return ERR_NOMEM(err, total);
    uint8_t ver;
    if ((rc = storage_read_range(st, path, 0, 1, &ver, err)) ||
        (rc = storage_read_range(st, path, off, total, bytes, err))) {
        tarn_free(bytes);
        return err_context(err, "reading deletion vector \"%s\"", path);
    }
    if (ver != 1) {
        tarn_free(bytes);
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: deletion vector file format version %d in \"%s\"",
                       ver, path);
    }
    uint32_t dsize = (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 | bytes[3];
    if (dsize != (uint32_t)dv->size_bytes) {
        tarn_free(bytes);
        return err_set(err, TARN_ERR_CORRUPT, "deletion vector \"%s\": stored size %u differs from sizeInBytes %d",
                       path, dsize, dv->size_bytes);
    }
    const uint8_t *c = bytes + 4 + dsize;
    uint32_t crc = (uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3];
    if (crc != pq_crc32(bytes + 4, dsize)) {
        tarn_free(bytes);
        return err_set(err, TARN_ERR_CORRUPT, "deletion vector \"%s\" at offset %" PRIu64 ": checksum mismatch", path, off);
    }
    rc = delta_dv_bitmap_decode(bytes + 4, dsize, maxv, out, err);
    tarn_free(bytes);
    if (rc)
        return err_context(err, "reading deletion vector \"%s\"", path);
    if (out->n != maxv) {
        delta_rowset_free(out);
        return err_set(err, TARN_ERR_CORRUPT, "deletion vector \"%s\" holds %zu rows, its cardinality says %" PRId64,
                       path, out->n, dv->cardinality);
    }
    return 0;
}

/* Parses the canonical UUID text back into bytes. */
static void uuid_parse(const char *t, uint8_t u[16])
{
    int j = 0;
    for (int i = 0; t[i] && j < 32; i++) {
        int c = t[i], v;
        if (c == '-')
            continue;
        v = c <= '9' ? c - '0' : c - 'a' + 10;
        if (j % 2 == 0)
            u[j / 2] = (uint8_t)(v << 4);
        else
            u[j / 2] |= (uint8_t)v;
        j++;
    }
}

int delta_dv_write(Storage *s, const char *table_root, const uint64_t *rows, size_t n, Arena *a,
                   DeltaDv *dv, TarnError *err)
{
    Buf bm, file;
    buf_init(&bm);
    buf_init(&file);
    int rc = 0;
    if (delta_dv_bitmap_encode(rows, n, &bm)) {
        rc = ERR_NOMEM(err, n * 2);
        goto done;
    }
    uint8_t hdr[5] = {1, (uint8_t)(bm.len >> 24), (uint8_t)(bm.len >> 16), (uint8_t)(bm.len >> 8),
                      (uint8_t)bm.len};
    uint32_t crc = pq_crc32(bm.data, bm.len);
    uint8_t tail[4] = {(uint8_t)(crc >> 24), (uint8_t)(crc >> 16), (uint8_t)(crc >> 8), (uint8_t)crc};
    if (buf_append(&file, hdr, 5) || buf_append(&file, bm.data, bm.len) || buf_append(&file, tail, 4)) {
        rc = ERR_NOMEM(err, bm.len);
        goto done;
    }
    char uuid[40], path[1024];
    delta_uuid_text(uuid);
    snprintf(path, sizeof path, "%s%sdeletion_vector_%s.bin", table_root, table_root[0] ? "/" : "", uuid);
    if ((rc = storage_put_if_absent(s, path, file.data, file.len, err)))
        goto done;
    uint8_t u[16];
    uuid_parse(uuid, u);
    Buf z;
    buf_init(&z);
    if (delta_z85_encode(u, 16, &z) || buf_terminate(&z)) {
        buf_free(&z);
        rc = ERR_NOMEM(err, 32);
        goto done;
    }
    memset(dv, 0, sizeof *dv);
    dv->storage_type = 'u';
    dv->path_or_inline = arena_strndup(a, (const char *)z.data, z.len);
    buf_free(&z);
    dv->has_offset = true;
    dv->offset = 1;
    dv->size_bytes = (int32_t)bm.len;
    dv->cardinality = (int64_t)n;
    if (!dv->path_or_inline)
        rc = ERR_NOMEM(err, 32);
done:
    buf_free(&bm);
    buf_free(&file);
    return rc;
}

int delta_dv_inline(const uint64_t *rows, size_t n, Arena *a, DeltaDv *dv, TarnError *err)
{
    Buf bm, z;
    buf_init(&bm);
    buf_init(&z);
    int rc = 0;
    if (delta_dv_bitmap_encode(rows, n, &bm)) {
        rc = ERR_NOMEM(err, n * 2);
        goto done;
    }
    size_t raw = bm.len;
    while (bm.len % 4)
        if (buf_append_byte(&bm, 0)) {
            rc = ERR_NOMEM(err, 4);
            goto done;
        }
    if (delta_z85_encode(bm.data, bm.len, &z) || buf_terminate(&z)) {
        rc = ERR_NOMEM(err, bm.len * 2);
        goto done;
    }
    memset(dv, 0, sizeof *dv);
    dv->storage_type = 'i';
    dv->path_or_inline = arena_strndup(a, (const char *)z.data, z.len);
    dv->size_bytes = (int32_t)raw;
    dv->cardinality = (int64_t)n;
    if (!dv->path_or_inline)
        rc = ERR_NOMEM(err, z.len);
done:
    buf_free(&bm);
    buf_free(&z);
    return rc;
}
