/*
 * compress.c - Parquet page codecs (Compression.md) over Debian's libsnappy,
 * zlib, libzstd and liblz4 (SNAPPY decompression: snappy_dec.c).
 *
 * Every decompressor is told the page header's uncompressed size and writes
 * into a buffer of exactly that size; a stream that wants to produce more is
 * stopped there and reported as TARN_ERR_CORRUPT, so a small hostile page
 * cannot inflate into gigabytes (decompression bombs).  A stream that
 * produces less is corrupt as well.
 *
 * ZSTD contexts are costly to create (hundreds of KiB of tables), so each
 * thread keeps one compression and one decompression context, freed when
 * the thread exits.
 */
#include "format/parquet/compress.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <lz4.h>
#include <lz4hc.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

/* Hadoop's LZ4 codec decompresses into a fixed buffer (256 KiB by default);
 * we write chunks no bigger than this so Hadoop-based readers cope. */
#define HADOOP_LZ4_CHUNK (128 * 1024)

/* ---- Per-thread ZSTD contexts ---------------------------------------- */

typedef struct ZstdCache {
    ZSTD_CCtx *cctx; /* owned; created on first compression */
    ZSTD_DCtx *dctx; /* owned; created on first decompression */
} ZstdCache;

static pthread_key_t zstd_key;
static pthread_once_t zstd_once = PTHREAD_ONCE_INIT;
static bool zstd_key_ok;
static _Thread_local ZstdCache *tl_zstd;

static void zstd_cache_free(void *p)
{
    ZstdCache *z = p;
    ZSTD_freeCCtx(z->cctx);
    ZSTD_freeDCtx(z->dctx);
    tarn_free(z);
}

static void zstd_key_init(void)
{
    zstd_key_ok = pthread_key_create(&zstd_key, zstd_cache_free) == 0;
}

/* This thread's cache, or NULL when out of memory. */
static ZstdCache *zstd_cache(void)
{
    if (tl_zstd)
        return tl_zstd;
    ZstdCache *z = tarn_calloc(1, sizeof *z);
    if (!z)
        return NULL;
    pthread_once(&zstd_once, zstd_key_init);
    /* The key's destructor frees the cache when the thread exits. */
    if (zstd_key_ok)
        pthread_setspecific(zstd_key, z);
    tl_zstd = z;
    return z;
}

/* ---- zlib allocation through tarn_malloc ------------------------------ */

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    if (size && items > SIZE_MAX / size)
        return Z_NULL;
    return tarn_malloc((size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p)
{
    tarn_free(p);
}

/* ---- Decompression ---------------------------------------------------- */

static int size_mismatch(TarnError *err, const char *codec, size_t got, size_t want)
{
    return err_set(err, TARN_ERR_CORRUPT,
                   "%s: decompressed size %zu does not match page header's %zu", codec, got,
                   want);
}

static int too_big(TarnError *err, const char *codec, size_t want)
{
    return err_set(err, TARN_ERR_CORRUPT,
                   "%s: decompressed data exceeds the page header's size of %zu bytes", codec,
                   want);
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* GZIP (and zlib-wrapped deflate, auto-detected): inflates member after
 * member while input remains, as gzip(1) does for concatenated files.
 * Trailing zero bytes after a member are ignored. */
static int gunzip(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
                  TarnError *err)
{
    if (src_len > UINT_MAX || dst_len > UINT_MAX)
        return err_set(err, TARN_ERR_CORRUPT, "GZIP: page larger than 4 GiB");
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = z_alloc;
    zs.zfree = z_free;
    int zrc = inflateInit2(&zs, 15 + 32);
    if (zrc == Z_MEM_ERROR)
        return ERR_NOMEM(err, sizeof zs);
    if (zrc != Z_OK)
        return ERR_INTERNAL(err, "inflateInit2 failed");
    uint8_t spill[64];
    bool spilled = false; /* dst is full; output now goes to spill */
    zs.next_in = (Bytef *)src;
    zs.avail_in = (uInt)src_len;
    zs.next_out = dst;
    zs.avail_out = (uInt)dst_len;
    int rc = 0;
    for (;;) {
        if (zs.avail_out == 0 && !spilled) {
            zs.next_out = spill;
            zs.avail_out = sizeof spill;
            spilled = true;
        }
        uInt in_before = zs.avail_in, out_before = zs.avail_out;
        zrc = inflate(&zs, Z_NO_FLUSH);
        if (spilled && zs.avail_out < sizeof spill) {
            rc = too_big(err, "GZIP", dst_len);
            break;
        }
        if (zrc == Z_STREAM_END) {
            if (zs.avail_in == 0 || all_zero(zs.next_in, zs.avail_in))
                break;
            /* Another member follows. */
            if (inflateReset(&zs) != Z_OK) {
                rc = ERR_INTERNAL(err, "inflateReset failed");
                break;
            }
            continue;
        }
        if (zrc == Z_MEM_ERROR) {
            rc = ERR_NOMEM(err, 32768);
            break;
        }
        if (zrc == Z_OK || zrc == Z_BUF_ERROR) {
            if (zs.avail_in == in_before && zs.avail_out == out_before) {
                rc = err_set(err, TARN_ERR_CORRUPT, "GZIP: compressed data truncated");
                break;
            }
            continue;
        }
        rc = err_set(err, TARN_ERR_CORRUPT, "GZIP: %s", zs.msg ? zs.msg : "invalid data");
        break;
    }
    size_t produced = spilled ? dst_len : (size_t)(zs.next_out - dst);
    inflateEnd(&zs);
    if (!rc && produced != dst_len)
        rc = size_mismatch(err, "GZIP", produced, dst_len);
    return rc;
}

static inline uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Hadoop's LZ4 framing: blocks of [4-byte BE uncompressed size] followed by
 * chunks of [4-byte BE compressed size][raw LZ4 block] until the block's
 * uncompressed size is reached.  Arrow and parquet-mr write one chunk per
 * block; Hadoop's stream may write several.  Returns true only when the
 * whole input parses and fills dst exactly. */
static bool lz4_hadoop(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len)
{
    size_t in = 0, out = 0;
    while (in < src_len) {
        if (src_len - in < 8)
            return false;
        size_t block_left = load_be32(src + in);
        in += 4;
        if (block_left > dst_len - out)
            return false;
        do {
            if (src_len - in < 4)
                return false;
            size_t csize = load_be32(src + in);
            in += 4;
            if (csize > src_len - in || csize > INT_MAX)
                return false;
            int r = LZ4_decompress_safe((const char *)src + in, (char *)dst + out, (int)csize,
                                        (int)block_left);
            if (r <= 0 && !(r == 0 && block_left == 0))
                return false;
            in += csize;
            out += (size_t)r;
            block_left -= (size_t)r;
        } while (block_left > 0);
    }
    return out == dst_len;
}

/* pq_decompress - see compress.h. */
int pq_decompress(PqCodec codec, const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
                  TarnError *err)
{
    const char *name = pq_codec_name(codec);
    if (codec == PQ_CODEC_BROTLI || codec == PQ_CODEC_LZO)
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: %s compression", name);
    if (codec != PQ_CODEC_UNCOMPRESSED && codec != PQ_CODEC_SNAPPY && codec != PQ_CODEC_GZIP &&
        codec != PQ_CODEC_ZSTD && codec != PQ_CODEC_LZ4 && codec != PQ_CODEC_LZ4_RAW)
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: compression codec %d",
                       (int)codec);
    /* An empty page (parquet-testing's datapage_v2_empty_datapage) has no
     * compressed bytes at all. */
    if (src_len == 0) {
        if (dst_len == 0)
            return 0;
        return err_set(err, TARN_ERR_CORRUPT,
                       "%s: compressed page is empty but its header says %zu bytes", name,
                       dst_len);
    }
    uint8_t dummy[1];
    if (!dst) {
        if (dst_len)
            return ERR_INTERNAL(err, "no output buffer");
        dst = dummy; /* libraries dislike NULL even for 0 bytes */
    }

    switch (codec) {
    case PQ_CODEC_UNCOMPRESSED:
        if (src_len != dst_len)
            return size_mismatch(err, name, src_len, dst_len);
        memcpy(dst, src, dst_len);
        return 0;

    case PQ_CODEC_SNAPPY: {
        /* snappy_dec.c, not libsnappy: see there why. */
        size_t ulen = 0, hdr;
        if (pq_snappy_length(src, src_len, &ulen, &hdr))
            return err_set(err, TARN_ERR_CORRUPT, "SNAPPY: invalid length preamble");
        if (ulen != dst_len)
            return size_mismatch(err, name, ulen, dst_len);
        if (pq_snappy_decompress(src, src_len, dst, dst_len))
            return err_set(err, TARN_ERR_CORRUPT, "SNAPPY: invalid compressed data");
        return 0;
    }

    case PQ_CODEC_GZIP:
        return gunzip(src, src_len, dst, dst_len, err);

    case PQ_CODEC_ZSTD: {
        ZstdCache *z = zstd_cache();
        if (z && !z->dctx)
            z->dctx = ZSTD_createDCtx();
        if (!z || !z->dctx)
            return ERR_NOMEM(err, sizeof(ZstdCache));
        /* Decompresses every frame (and skips skippable ones) in src. */
        size_t r = ZSTD_decompressDCtx(z->dctx, dst, dst_len, src, src_len);
        if (ZSTD_isError(r)) {
            if (ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall)
                return too_big(err, name, dst_len);
            if (ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation)
                return ERR_NOMEM(err, 0);
            return err_set(err, TARN_ERR_CORRUPT, "ZSTD: %s", ZSTD_getErrorName(r));
        }
        if (r != dst_len)
            return size_mismatch(err, name, r, dst_len);
        return 0;
    }

    case PQ_CODEC_LZ4_RAW: {
        if (src_len > INT_MAX || dst_len > INT_MAX)
            return err_set(err, TARN_ERR_CORRUPT, "LZ4_RAW: page larger than 2 GiB");
        int r = LZ4_decompress_safe((const char *)src, (char *)dst, (int)src_len, (int)dst_len);
        if (r < 0)
            return err_set(err, TARN_ERR_CORRUPT,
                           "LZ4_RAW: invalid compressed data or more than %zu bytes", dst_len);
        if ((size_t)r != dst_len)
            return size_mismatch(err, name, (size_t)r, dst_len);
        return 0;
    }

    case PQ_CODEC_LZ4: {
        if (lz4_hadoop(src, src_len, dst, dst_len))
            return 0;
        /* Older parquet-cpp wrote a raw LZ4 block under this codec id
         * (parquet-testing's non_hadoop_lz4_compressed.parquet). */
        if (src_len > INT_MAX || dst_len > INT_MAX)
            return err_set(err, TARN_ERR_CORRUPT, "LZ4: page larger than 2 GiB");
        int r = LZ4_decompress_safe((const char *)src, (char *)dst, (int)src_len, (int)dst_len);
        if (r < 0)
            return err_set(err, TARN_ERR_CORRUPT,
                           "LZ4: data is neither Hadoop-framed nor a raw LZ4 block of %zu bytes",
                           dst_len);
        if ((size_t)r != dst_len)
            return size_mismatch(err, name, (size_t)r, dst_len);
        return 0;
    }

    default:
        return ERR_INTERNAL(err, "unhandled codec");
    }
}

/* ---- Compression ------------------------------------------------------ */

/* pq_compress_bound - see compress.h. */
size_t pq_compress_bound(PqCodec codec, size_t src_len)
{
    switch (codec) {
    case PQ_CODEC_SNAPPY:
        return snappy_max_compressed_length(src_len);
    case PQ_CODEC_GZIP:
        /* deflateBound's formula for default settings plus the gzip wrapper. */
        return src_len + (src_len >> 12) + (src_len >> 14) + (src_len >> 25) + 13 + 18;
    case PQ_CODEC_ZSTD:
        return ZSTD_compressBound(src_len);
    case PQ_CODEC_LZ4_RAW:
        return src_len <= LZ4_MAX_INPUT_SIZE ? (size_t)LZ4_compressBound((int)src_len) : 0;
    case PQ_CODEC_LZ4: {
        /* An empty page is still one (empty) chunk. */
        size_t chunks = src_len ? (src_len + HADOOP_LZ4_CHUNK - 1) / HADOOP_LZ4_CHUNK : 1;
        return chunks * (8 + (size_t)LZ4_compressBound(HADOOP_LZ4_CHUNK));
    }
    default:
        return src_len;
    }
}

static int deflate_gzip(int level, const uint8_t *src, size_t src_len, Buf *out, TarnError *err)
{
    if (src_len > UINT_MAX)
        return err_set(err, TARN_ERR_INVALID, "GZIP: page larger than 4 GiB");
    if (level <= 0)
        level = 6;
    if (level > 9)
        level = 9;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = z_alloc;
    zs.zfree = z_free;
    int zrc = deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (zrc == Z_MEM_ERROR)
        return ERR_NOMEM(err, 256 * 1024);
    if (zrc != Z_OK)
        return ERR_INTERNAL(err, "deflateInit2 failed");
    size_t bound = deflateBound(&zs, (uLong)src_len) + 32;
    int rc = 0;
    if (buf_reserve(out, bound)) {
        rc = ERR_NOMEM(err, bound);
        goto done;
    }
    zs.next_in = (Bytef *)src;
    zs.avail_in = (uInt)src_len;
    zs.next_out = out->data + out->len;
    zs.avail_out = (uInt)(bound < UINT_MAX ? bound : UINT_MAX);
    zrc = deflate(&zs, Z_FINISH);
    if (zrc == Z_MEM_ERROR) {
        rc = ERR_NOMEM(err, 0);
        goto done;
    }
    if (zrc != Z_STREAM_END) {
        rc = ERR_INTERNAL(err, "deflate did not finish within deflateBound");
        goto done;
    }
    out->len = (size_t)(zs.next_out - out->data);
done:
    deflateEnd(&zs);
    return rc;
}

/* pq_compress - see compress.h. */
int pq_compress(PqCodec codec, int level, const uint8_t *src, size_t src_len, Buf *out,
                TarnError *err)
{
    static const uint8_t empty[1];
    if (!src)
        src = empty;
    switch (codec) {
    case PQ_CODEC_UNCOMPRESSED:
        if (buf_append(out, src, src_len))
            return ERR_NOMEM(err, src_len);
        return 0;

    case PQ_CODEC_SNAPPY: {
        size_t cap = snappy_max_compressed_length(src_len);
        if (buf_reserve(out, cap))
            return ERR_NOMEM(err, cap);
        size_t olen = cap;
        if (snappy_compress((const char *)src, src_len, (char *)out->data + out->len, &olen) !=
            SNAPPY_OK)
            return ERR_INTERNAL(err, "snappy_compress failed");
        out->len += olen;
        return 0;
    }

    case PQ_CODEC_GZIP:
        return deflate_gzip(level, src, src_len, out, err);

    case PQ_CODEC_ZSTD: {
        ZstdCache *z = zstd_cache();
        if (z && !z->cctx)
            z->cctx = ZSTD_createCCtx();
        if (!z || !z->cctx)
            return ERR_NOMEM(err, sizeof(ZstdCache));
        if (level == 0)
            level = 3;
        if (level > ZSTD_maxCLevel())
            level = ZSTD_maxCLevel();
        size_t cap = ZSTD_compressBound(src_len);
        if (buf_reserve(out, cap))
            return ERR_NOMEM(err, cap);
        size_t r = ZSTD_compressCCtx(z->cctx, out->data + out->len, cap, src, src_len, level);
        if (ZSTD_isError(r)) {
            if (ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation)
                return ERR_NOMEM(err, 0);
            return err_set(err, TARN_ERR_INTERNAL, "ZSTD compression failed: %s",
                           ZSTD_getErrorName(r));
        }
        out->len += r;
        return 0;
    }

    case PQ_CODEC_LZ4_RAW: {
        if (src_len > LZ4_MAX_INPUT_SIZE)
            return err_set(err, TARN_ERR_INVALID, "LZ4_RAW: page larger than %d bytes",
                           LZ4_MAX_INPUT_SIZE);
        int cap = LZ4_compressBound((int)src_len);
        if (buf_reserve(out, (size_t)cap))
            return ERR_NOMEM(err, cap);
        char *dst = (char *)out->data + out->len;
        int r = level > 0 ? LZ4_compress_HC((const char *)src, dst, (int)src_len, cap,
                                            level > LZ4HC_CLEVEL_MAX ? LZ4HC_CLEVEL_MAX : level)
                          : LZ4_compress_default((const char *)src, dst, (int)src_len, cap);
        if (r <= 0)
            return ERR_INTERNAL(err, "LZ4 compression failed");
        out->len += (size_t)r;
        return 0;
    }

    case PQ_CODEC_LZ4: {
        size_t cap = pq_compress_bound(PQ_CODEC_LZ4, src_len);
        if (buf_reserve(out, cap))
            return ERR_NOMEM(err, cap);
        size_t pos = 0;
        do {
            size_t n = src_len - pos < HADOOP_LZ4_CHUNK ? src_len - pos : HADOOP_LZ4_CHUNK;
            uint8_t *hdr = out->data + out->len;
            char *dst = (char *)hdr + 8;
            int ccap = LZ4_compressBound(HADOOP_LZ4_CHUNK);
            int r = level > 0 ? LZ4_compress_HC((const char *)src + pos, dst, (int)n, ccap,
                                                level > LZ4HC_CLEVEL_MAX ? LZ4HC_CLEVEL_MAX
                                                                         : level)
                              : LZ4_compress_default((const char *)src + pos, dst, (int)n, ccap);
            if (r <= 0)
                return ERR_INTERNAL(err, "LZ4 compression failed");
            store_be32(hdr, (uint32_t)n);
            store_be32(hdr + 4, (uint32_t)r);
            out->len += 8 + (size_t)r;
            pos += n;
        } while (pos < src_len);
        return 0;
    }

    case PQ_CODEC_BROTLI:
    case PQ_CODEC_LZO:
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: %s compression",
                       pq_codec_name(codec));
    default:
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: compression codec %d",
                       (int)codec);
    }
}

/* ---- Names ------------------------------------------------------------ */

/* pq_codec_name - parquet.thrift's spelling; unknown ids use a per-thread
 * buffer valid until the next call. */
const char *pq_codec_name(int codec)
{
    switch (codec) {
    case PQ_CODEC_UNCOMPRESSED: return "UNCOMPRESSED";
    case PQ_CODEC_SNAPPY: return "SNAPPY";
    case PQ_CODEC_GZIP: return "GZIP";
    case PQ_CODEC_LZO: return "LZO";
    case PQ_CODEC_BROTLI: return "BROTLI";
    case PQ_CODEC_LZ4: return "LZ4";
    case PQ_CODEC_ZSTD: return "ZSTD";
    case PQ_CODEC_LZ4_RAW: return "LZ4_RAW";
    default: {
        static _Thread_local char buf[32];
        snprintf(buf, sizeof buf, "UNKNOWN(%d)", codec);
        return buf;
    }
    }
}

/* pq_codec_parse - case-insensitive; "lz4" selects LZ4_RAW, the codec
 * current readers expect (the old LZ4 id is Hadoop-framed). */
int pq_codec_parse(const char *name, PqCodec *out, TarnError *err)
{
    static const struct {
        const char *name;
        PqCodec codec;
    } names[] = {
        {"none", PQ_CODEC_UNCOMPRESSED}, {"uncompressed", PQ_CODEC_UNCOMPRESSED},
        {"snappy", PQ_CODEC_SNAPPY},     {"gzip", PQ_CODEC_GZIP},
        {"zstd", PQ_CODEC_ZSTD},         {"lz4", PQ_CODEC_LZ4_RAW},
        {"lz4_raw", PQ_CODEC_LZ4_RAW},
    };
    if (name) {
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            if (strcasecmp(name, names[i].name) == 0) {
                *out = names[i].codec;
                return 0;
            }
        }
    }
    err_set(err, TARN_ERR_INVALID, "unknown compression codec \"%s\"", name ? name : "(null)");
    err_hint(err, "Use one of none, snappy, gzip, zstd, lz4, lz4_raw.");
    return TARN_ERR_INVALID;
}

/*
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of
 * Parquet page CRCs.  Pages are hashed on every read, so on x86-64 with
 * PCLMULQDQ the bulk is folded four 128-bit lanes at a time with carry-less
 * multiplication (Intel's "Fast CRC Computation for Generic Polynomials
 * Using PCLMULQDQ"; constants are x^(k) mod P for the fold distances, then a
 * Barrett reduction); the tail and other machines use zlib.  Tests compare
 * both paths with zlib on random lengths and contents.
 */
#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("pclmul,sse4.1"))) static uint32_t crc32_pclmul(uint32_t state, const uint8_t *p,
                                                                       size_t n)
{
    /* n >= 64 and a multiple of 16; state is the un-inverted CRC register. */
    const __m128i k1k2 = _mm_set_epi64x(0x1c6e41596LL, 0x154442bd4LL);
    const __m128i k3k4 = _mm_set_epi64x(0x0ccaa009eLL, 0x1751997d0LL);
    const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124LL);
    const __m128i poly = _mm_set_epi64x(0x1F7011641LL, 0x1DB710641LL);
    const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
    __m128i x0 = _mm_loadu_si128((const __m128i *)(p + 0));
    __m128i x1 = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i x2 = _mm_loadu_si128((const __m128i *)(p + 32));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(p + 48));
    x0 = _mm_xor_si128(x0, _mm_cvtsi32_si128((int)state));
    p += 64;
    n -= 64;
    while (n >= 64) {
        __m128i t0 = _mm_clmulepi64_si128(x0, k1k2, 0x00), u0 = _mm_clmulepi64_si128(x0, k1k2, 0x11);
        __m128i t1 = _mm_clmulepi64_si128(x1, k1k2, 0x00), u1 = _mm_clmulepi64_si128(x1, k1k2, 0x11);
        __m128i t2 = _mm_clmulepi64_si128(x2, k1k2, 0x00), u2 = _mm_clmulepi64_si128(x2, k1k2, 0x11);
        __m128i t3 = _mm_clmulepi64_si128(x3, k1k2, 0x00), u3 = _mm_clmulepi64_si128(x3, k1k2, 0x11);
        x0 = _mm_xor_si128(_mm_xor_si128(t0, u0), _mm_loadu_si128((const __m128i *)(p + 0)));
        x1 = _mm_xor_si128(_mm_xor_si128(t1, u1), _mm_loadu_si128((const __m128i *)(p + 16)));
        x2 = _mm_xor_si128(_mm_xor_si128(t2, u2), _mm_loadu_si128((const __m128i *)(p + 32)));
        x3 = _mm_xor_si128(_mm_xor_si128(t3, u3), _mm_loadu_si128((const __m128i *)(p + 48)));
        p += 64;
        n -= 64;
    }
    /* Fold the four lanes into one. */
    __m128i x = x0;
    __m128i lanes[3] = {x1, x2, x3};
    for (int i = 0; i < 3; i++) {
        __m128i t = _mm_clmulepi64_si128(x, k3k4, 0x00), u = _mm_clmulepi64_si128(x, k3k4, 0x11);
        x = _mm_xor_si128(_mm_xor_si128(t, u), lanes[i]);
    }
    while (n >= 16) {
        __m128i t = _mm_clmulepi64_si128(x, k3k4, 0x00), u = _mm_clmulepi64_si128(x, k3k4, 0x11);
        x = _mm_xor_si128(_mm_xor_si128(t, u), _mm_loadu_si128((const __m128i *)p));
        p += 16;
        n -= 16;
    }
    /* 128 -> 64 bits. */
    __m128i t = _mm_clmulepi64_si128(x, k3k4, 0x10);
    x = _mm_xor_si128(_mm_srli_si128(x, 8), t);
    /* 64 -> 32 bits. */
    t = _mm_srli_si128(x, 4);
    x = _mm_and_si128(x, mask32);
    x = _mm_clmulepi64_si128(x, k5, 0x00);
    x = _mm_xor_si128(x, t);
    /* Barrett reduction. */
    t = _mm_and_si128(x, mask32);
    t = _mm_clmulepi64_si128(t, poly, 0x10);
    t = _mm_and_si128(t, mask32);
    t = _mm_clmulepi64_si128(t, poly, 0x00);
    x = _mm_xor_si128(x, t);
    return (uint32_t)_mm_extract_epi32(x, 1);
}
#endif

/* pq_crc32 - CRC-32 of p[0..n), as zlib's crc32(0, p, n). */
uint32_t pq_crc32(const uint8_t *p, size_t n)
{
    if (!n)
        return 0;
#if defined(__x86_64__)
    static int have = -1;
    if (have < 0)
        have = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
    if (have && n >= 64) {
        size_t bulk = n & ~(size_t)15;
        uint32_t state = crc32_pclmul(0xFFFFFFFFu, p, bulk);
        uint32_t crc = ~state;
        if (bulk < n)
            crc = (uint32_t)crc32_z(crc, p + bulk, n - bulk);
        return crc;
    }
#endif
    return (uint32_t)crc32_z(0, p, n);
}
