/*
 * test_compress.c - Parquet page codecs (src/format/parquet/compress.c):
 * round trips for every codec, the size checks that defuse decompression
 * bombs, concatenated gzip members and zstd frames, Hadoop LZ4 framing and
 * its raw-block fallback, unsupported codecs, names and CRC-32.
 */
#include "../test.h"

#include <lz4.h>
#include <zlib.h>
#include <zstd.h>

#include "format/parquet/compress.h"

static const PqCodec CODECS[] = {PQ_CODEC_UNCOMPRESSED, PQ_CODEC_SNAPPY, PQ_CODEC_GZIP,
                                 PQ_CODEC_ZSTD,         PQ_CODEC_LZ4_RAW, PQ_CODEC_LZ4};
#define N_CODECS (sizeof CODECS / sizeof CODECS[0])

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

/* Half random bytes, half repetitive text, so every codec has work to do. */
static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (i / 1000) & 1 ? (uint8_t)rnd() : (uint8_t)("parquet "[i % 8]);
}

/* Decompresses into a heap buffer of exactly dst_len bytes (ASan sees any
 * write past it). */
static int decompress_exact(PqCodec c, const uint8_t *src, size_t src_len, size_t dst_len,
                            uint8_t **out, TarnError *err)
{
    *out = malloc(dst_len ? dst_len : 1);
    return pq_decompress(c, src, src_len, *out, dst_len, err);
}

TEST(compress_roundtrip_every_codec)
{
    const size_t sizes[] = {0, 1, 7, 100, 4096, 100000, 1 << 20};
    uint8_t *src = malloc(1 << 20);
    fill(src, 1 << 20);
    for (size_t ci = 0; ci < N_CODECS; ci++) {
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            for (int level = 0; level <= 1; level++) {
                size_t n = sizes[si];
                TarnError err = {0};
                Buf b;
                buf_init(&b);
                ASSERT_EQ_INT(buf_append(&b, "pre", 3), 0); /* appends, keeps what was there */
                ASSERT_OK(pq_compress(CODECS[ci], level, src, n, &b, &err), &err);
                ASSERT_EQ_MEM(b.data, "pre", 3);
                size_t clen = b.len - 3;
                if (clen > pq_compress_bound(CODECS[ci], n))
                    TFAIL("%s size %zu: %zu bytes over bound %zu", pq_codec_name(CODECS[ci]), n,
                          clen, pq_compress_bound(CODECS[ci], n));
                uint8_t *out;
                int rc = decompress_exact(CODECS[ci], b.data + 3, clen, n, &out, &err);
                if (rc)
                    TFAIL("%s size %zu: %s", pq_codec_name(CODECS[ci]), n, err.message);
                ASSERT_EQ_MEM(out, src, n);
                free(out);
                /* One byte less room than the data needs: CORRUPT, no overflow. */
                if (n) {
                    err_clear(&err);
                    rc = decompress_exact(CODECS[ci], b.data + 3, clen, n - 1, &out, &err);
                    if (rc != TARN_ERR_CORRUPT)
                        TFAIL("%s size %zu into %zu: rc %d", pq_codec_name(CODECS[ci]), n, n - 1,
                              rc);
                    free(out);
                }
                /* One byte more expected than there is: CORRUPT. */
                err_clear(&err);
                rc = decompress_exact(CODECS[ci], b.data + 3, clen, n + 1, &out, &err);
                if (rc != TARN_ERR_CORRUPT)
                    TFAIL("%s size %zu into %zu: rc %d", pq_codec_name(CODECS[ci]), n, n + 1, rc);
                free(out);
                buf_free(&b);
            }
        }
    }
    free(src);
}

TEST(compress_empty_page_needs_no_library)
{
    /* datapage_v2_empty_datapage: 0 compressed bytes, 0 expected. */
    for (size_t ci = 0; ci < N_CODECS; ci++) {
        TarnError err = {0};
        ASSERT_OK(pq_decompress(CODECS[ci], NULL, 0, NULL, 0, &err), &err);
        uint8_t dst[4];
        ASSERT_EQ_INT(pq_decompress(CODECS[ci], NULL, 0, dst, 4, &err), TARN_ERR_CORRUPT);
    }
}

TEST(compress_size_mismatch_message)
{
    TarnError err = {0};
    Buf b;
    buf_init(&b);
    uint8_t src[1000];
    fill(src, sizeof src);
    ASSERT_OK(pq_compress(PQ_CODEC_ZSTD, 0, src, sizeof src, &b, &err), &err);
    uint8_t *out;
    ASSERT_EQ_INT(decompress_exact(PQ_CODEC_ZSTD, b.data, b.len, 2000, &out, &err),
                  TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "decompressed size 1000 does not match page header");
    free(out);
    err_clear(&err);
    ASSERT_EQ_INT(pq_decompress(PQ_CODEC_UNCOMPRESSED, src, 10, src + 10, 9, &err),
                  TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "does not match page header");
    buf_free(&b);
}

TEST(compress_bombs_are_stopped)
{
    /* 64 MiB of zeros squeezed small, opened with room for 4096 bytes. */
    size_t big = 64u << 20;
    uint8_t *zeros = calloc(1, big);
    for (size_t ci = 1; ci < N_CODECS; ci++) {
        TarnError err = {0};
        Buf b;
        buf_init(&b);
        ASSERT_OK(pq_compress(CODECS[ci], 0, zeros, big, &b, &err), &err);
        ASSERT(b.len < big / 20); /* snappy caps near 1:21 */
        uint8_t *out;
        int rc = decompress_exact(CODECS[ci], b.data, b.len, 4096, &out, &err);
        if (rc != TARN_ERR_CORRUPT)
            TFAIL("%s: rc %d", pq_codec_name(CODECS[ci]), rc);
        free(out);
        buf_free(&b);
    }
    free(zeros);
}

TEST(compress_gzip_concatenated_members_and_zlib)
{
    TarnError err = {0};
    uint8_t src[30000];
    fill(src, sizeof src);
    Buf b;
    buf_init(&b);
    /* Three members: 10000 + 0 + 20000 bytes. */
    ASSERT_OK(pq_compress(PQ_CODEC_GZIP, 1, src, 10000, &b, &err), &err);
    ASSERT_OK(pq_compress(PQ_CODEC_GZIP, 9, src + 10000, 0, &b, &err), &err);
    ASSERT_OK(pq_compress(PQ_CODEC_GZIP, 0, src + 10000, 20000, &b, &err), &err);
    ASSERT_EQ_INT(b.data[0], 0x1f); /* gzip magic */
    ASSERT_EQ_INT(b.data[1], 0x8b);
    uint8_t *out;
    ASSERT_OK(decompress_exact(PQ_CODEC_GZIP, b.data, b.len, sizeof src, &out, &err), &err);
    ASSERT_EQ_MEM(out, src, sizeof src);
    free(out);
    /* Trailing zero padding after the last member is tolerated. */
    buf_append(&b, "\0\0\0\0", 4);
    ASSERT_OK(decompress_exact(PQ_CODEC_GZIP, b.data, b.len, sizeof src, &out, &err), &err);
    free(out);
    /* Trailing garbage is not. */
    b.len -= 4;
    buf_append(&b, "junk", 4);
    ASSERT_EQ_INT(decompress_exact(PQ_CODEC_GZIP, b.data, b.len, sizeof src, &out, &err),
                  TARN_ERR_CORRUPT);
    free(out);
    /* A zlib stream (not gzip) is detected too. */
    err_clear(&err);
    uLongf zlen = compressBound(sizeof src);
    uint8_t *z = malloc(zlen);
    ASSERT_EQ_INT(compress2(z, &zlen, src, sizeof src, 6), Z_OK);
    ASSERT_OK(decompress_exact(PQ_CODEC_GZIP, z, zlen, sizeof src, &out, &err), &err);
    ASSERT_EQ_MEM(out, src, sizeof src);
    free(out);
    free(z);
    buf_free(&b);
}

TEST(compress_truncated_and_garbage_inputs)
{
    uint8_t src[5000];
    fill(src, sizeof src);
    for (size_t ci = 1; ci < N_CODECS; ci++) {
        TarnError err = {0};
        Buf b;
        buf_init(&b);
        ASSERT_OK(pq_compress(CODECS[ci], 0, src, sizeof src, &b, &err), &err);
        /* Every truncation fails cleanly. */
        for (size_t len = 1; len < b.len; len += (len < 64 ? 1 : 97)) {
            uint8_t *copy = malloc(len);
            memcpy(copy, b.data, len);
            uint8_t *out;
            err_clear(&err);
            int rc = decompress_exact(CODECS[ci], copy, len, sizeof src, &out, &err);
            if (rc != TARN_ERR_CORRUPT)
                TFAIL("%s truncated to %zu: rc %d", pq_codec_name(CODECS[ci]), len, rc);
            free(out);
            free(copy);
        }
        /* Flipped bytes: a clean error or (rarely) the right size. */
        for (int iter = 0; iter < 300; iter++) {
            uint8_t *copy = malloc(b.len);
            memcpy(copy, b.data, b.len);
            copy[rnd() % b.len] ^= (uint8_t)(1 + rnd() % 255);
            uint8_t *out;
            err_clear(&err);
            int rc = decompress_exact(CODECS[ci], copy, b.len, sizeof src, &out, &err);
            ASSERT(rc == 0 || rc == TARN_ERR_CORRUPT);
            free(out);
            free(copy);
        }
        buf_free(&b);
        /* Random bytes. */
        for (int iter = 0; iter < 300; iter++) {
            size_t len = 1 + rnd() % 64;
            uint8_t *g = malloc(len);
            for (size_t i = 0; i < len; i++)
                g[i] = (uint8_t)rnd();
            uint8_t *out;
            err_clear(&err);
            int rc = decompress_exact(CODECS[ci], g, len, rnd() % 300, &out, &err);
            ASSERT(rc == 0 || rc == TARN_ERR_CORRUPT);
            free(out);
            free(g);
        }
    }
}

TEST(compress_zstd_concatenated_frames)
{
    TarnError err = {0};
    uint8_t src[20000];
    fill(src, sizeof src);
    Buf b;
    buf_init(&b);
    ASSERT_OK(pq_compress(PQ_CODEC_ZSTD, 1, src, 7000, &b, &err), &err);
    ASSERT_OK(pq_compress(PQ_CODEC_ZSTD, 19, src + 7000, 13000, &b, &err), &err);
    uint8_t *out;
    ASSERT_OK(decompress_exact(PQ_CODEC_ZSTD, b.data, b.len, sizeof src, &out, &err), &err);
    ASSERT_EQ_MEM(out, src, sizeof src);
    free(out);
    /* A frame of nothing, expected nothing. */
    buf_clear(&b);
    ASSERT_OK(pq_compress(PQ_CODEC_ZSTD, 0, NULL, 0, &b, &err), &err);
    ASSERT(b.len > 0);
    ASSERT_OK(pq_decompress(PQ_CODEC_ZSTD, b.data, b.len, NULL, 0, &err), &err);
    /* A frame without a content size (streaming API). */
    ZSTD_CCtx *c = ZSTD_createCCtx();
    uint8_t frame[30000];
    ZSTD_outBuffer ob = {frame, sizeof frame, 0};
    ZSTD_inBuffer ib = {src, sizeof src, 0};
    ASSERT(!ZSTD_isError(ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_continue)));
    ASSERT_EQ_INT(ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_end), 0);
    ZSTD_freeCCtx(c);
    ASSERT_EQ_U64(ZSTD_getFrameContentSize(frame, ob.pos), ZSTD_CONTENTSIZE_UNKNOWN);
    ASSERT_OK(decompress_exact(PQ_CODEC_ZSTD, frame, ob.pos, sizeof src, &out, &err), &err);
    ASSERT_EQ_MEM(out, src, sizeof src);
    free(out);
    ASSERT_EQ_INT(decompress_exact(PQ_CODEC_ZSTD, frame, ob.pos, 100, &out, &err),
                  TARN_ERR_CORRUPT);
    free(out);
    buf_free(&b);
}

TEST(compress_lz4_hadoop_framing_and_raw_fallback)
{
    TarnError err = {0};
    size_t n = 300000; /* three Hadoop chunks */
    uint8_t *src = malloc(n);
    fill(src, n);
    Buf b;
    buf_init(&b);
    ASSERT_OK(pq_compress(PQ_CODEC_LZ4, 0, src, n, &b, &err), &err);
    /* First block: big-endian uncompressed size 131072, then its size. */
    ASSERT_EQ_INT(b.data[0], 0);
    ASSERT_EQ_INT(b.data[1], 2);
    ASSERT_EQ_INT(b.data[2], 0);
    ASSERT_EQ_INT(b.data[3], 0);
    uint32_t c0 = (uint32_t)b.data[4] << 24 | (uint32_t)b.data[5] << 16 |
                  (uint32_t)b.data[6] << 8 | b.data[7];
    ASSERT(c0 > 0 && c0 < b.len);
    uint8_t *out;
    ASSERT_OK(decompress_exact(PQ_CODEC_LZ4, b.data, b.len, n, &out, &err), &err);
    ASSERT_EQ_MEM(out, src, n);
    free(out);

    /* A raw LZ4 block under the LZ4 id (old parquet-cpp). */
    int cap = LZ4_compressBound((int)n);
    char *raw = malloc((size_t)cap);
    int rlen = LZ4_compress_default((const char *)src, raw, (int)n, cap);
    ASSERT(rlen > 0);
    ASSERT_OK(decompress_exact(PQ_CODEC_LZ4, (uint8_t *)raw, (size_t)rlen, n, &out, &err), &err);
    ASSERT_EQ_MEM(out, src, n);
    free(out);
    /* ... which is also plain LZ4_RAW. */
    ASSERT_OK(decompress_exact(PQ_CODEC_LZ4_RAW, (uint8_t *)raw, (size_t)rlen, n, &out, &err),
              &err);
    free(out);

    /* Hadoop's own stream form: one block of 2000 bytes made of two chunks. */
    uint8_t h[8000];
    size_t hl = 0;
    h[hl++] = 0;
    h[hl++] = 0;
    h[hl++] = 0x07;
    h[hl++] = 0xD0; /* 2000 */
    for (int part = 0; part < 2; part++) {
        int cl = LZ4_compress_default((const char *)src + part * 1000, (char *)h + hl + 4, 1000,
                                      (int)sizeof h - (int)hl - 4);
        ASSERT(cl > 0);
        h[hl] = (uint8_t)(cl >> 24);
        h[hl + 1] = (uint8_t)(cl >> 16);
        h[hl + 2] = (uint8_t)(cl >> 8);
        h[hl + 3] = (uint8_t)cl;
        hl += 4 + (size_t)cl;
    }
    ASSERT_OK(decompress_exact(PQ_CODEC_LZ4, h, hl, 2000, &out, &err), &err);
    ASSERT_EQ_MEM(out, src, 2000);
    free(out);
    /* Neither framing nor raw: corrupt. */
    ASSERT_EQ_INT(decompress_exact(PQ_CODEC_LZ4, h, hl, 2001, &out, &err), TARN_ERR_CORRUPT);
    free(out);
    free(raw);
    free(src);
    buf_free(&b);
}

TEST(compress_snappy_length_preamble_checked)
{
    TarnError err = {0};
    uint8_t src[100];
    fill(src, sizeof src);
    Buf b;
    buf_init(&b);
    ASSERT_OK(pq_compress(PQ_CODEC_SNAPPY, 0, src, sizeof src, &b, &err), &err);
    ASSERT_EQ_INT(b.data[0], 100); /* varint uncompressed length */
    b.data[0] = 99;
    uint8_t *out;
    ASSERT_EQ_INT(decompress_exact(PQ_CODEC_SNAPPY, b.data, b.len, 99, &out, &err),
                  TARN_ERR_CORRUPT);
    free(out);
    /* A preamble claiming 4 GiB. */
    const uint8_t huge[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00};
    err_clear(&err);
    ASSERT_EQ_INT(decompress_exact(PQ_CODEC_SNAPPY, huge, sizeof huge, 10, &out, &err),
                  TARN_ERR_CORRUPT);
    free(out);
    buf_free(&b);
}

TEST(compress_unsupported_codecs)
{
    TarnError err = {0};
    uint8_t src[4] = {1, 2, 3, 4}, dst[4];
    ASSERT_EQ_INT(pq_decompress(PQ_CODEC_BROTLI, src, 4, dst, 4, &err), TARN_ERR_UNSUPPORTED);
    ASSERT_EQ_STR(err.message, "unsupported: BROTLI compression");
    err_clear(&err);
    ASSERT_EQ_INT(pq_decompress(PQ_CODEC_LZO, src, 4, dst, 4, &err), TARN_ERR_UNSUPPORTED);
    ASSERT_EQ_STR(err.message, "unsupported: LZO compression");
    err_clear(&err);
    ASSERT_EQ_INT(pq_decompress((PqCodec)42, src, 4, dst, 4, &err), TARN_ERR_UNSUPPORTED);
    err_clear(&err);
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_compress(PQ_CODEC_BROTLI, 0, src, 4, &b, &err), TARN_ERR_UNSUPPORTED);
    err_clear(&err);
    ASSERT_EQ_INT(pq_compress((PqCodec)-1, 0, src, 4, &b, &err), TARN_ERR_UNSUPPORTED);
    buf_free(&b);
}

TEST(compress_names_and_parse)
{
    ASSERT_EQ_STR(pq_codec_name(PQ_CODEC_UNCOMPRESSED), "UNCOMPRESSED");
    ASSERT_EQ_STR(pq_codec_name(PQ_CODEC_SNAPPY), "SNAPPY");
    ASSERT_EQ_STR(pq_codec_name(PQ_CODEC_GZIP), "GZIP");
    ASSERT_EQ_STR(pq_codec_name(PQ_CODEC_LZO), "LZO");
    ASSERT_EQ_STR(pq_codec_name(PQ_CODEC_BROTLI), "BROTLI");
    ASSERT_EQ_STR(pq_codec_name(PQ_CODEC_LZ4), "LZ4");
    ASSERT_EQ_STR(pq_codec_name(PQ_CODEC_ZSTD), "ZSTD");
    ASSERT_EQ_STR(pq_codec_name(PQ_CODEC_LZ4_RAW), "LZ4_RAW");
    ASSERT_EQ_STR(pq_codec_name(42), "UNKNOWN(42)");
    TarnError err = {0};
    PqCodec c;
    struct {
        const char *name;
        PqCodec codec;
    } ok[] = {{"none", PQ_CODEC_UNCOMPRESSED}, {"uncompressed", PQ_CODEC_UNCOMPRESSED},
              {"snappy", PQ_CODEC_SNAPPY},     {"GZIP", PQ_CODEC_GZIP},
              {"zstd", PQ_CODEC_ZSTD},         {"lz4", PQ_CODEC_LZ4_RAW},
              {"lz4_raw", PQ_CODEC_LZ4_RAW}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ASSERT_OK(pq_codec_parse(ok[i].name, &c, &err), &err);
        ASSERT_EQ_INT(c, ok[i].codec);
    }
    c = PQ_CODEC_SNAPPY;
    ASSERT_EQ_INT(pq_codec_parse("brotli", &c, &err), TARN_ERR_INVALID);
    ASSERT_ERR_CONTAINS(&err, "\"brotli\"");
    ASSERT_EQ_INT(c, PQ_CODEC_SNAPPY); /* untouched on failure */
    err_clear(&err);
    ASSERT_EQ_INT(pq_codec_parse("", &c, &err), TARN_ERR_INVALID);
}

TEST(compress_crc32)
{
    /* The CRC-32 check value of "123456789". */
    ASSERT_EQ_U64(pq_crc32((const uint8_t *)"123456789", 9), 0xCBF43926u);
    ASSERT_EQ_U64(pq_crc32(NULL, 0), 0);
    ASSERT_EQ_U64(pq_crc32((const uint8_t *)"a", 1), 0xE8B7BE43u);
}

TEST(compress_out_of_memory_is_clean)
{
    uint8_t src[10000];
    fill(src, sizeof src);
    const PqCodec cs[] = {PQ_CODEC_GZIP, PQ_CODEC_SNAPPY, PQ_CODEC_LZ4_RAW, PQ_CODEC_LZ4};
    for (size_t ci = 0; ci < sizeof cs / sizeof cs[0]; ci++) {
        Buf good;
        buf_init(&good);
        TarnError err = {0};
        ASSERT_OK(pq_compress(cs[ci], 0, src, sizeof src, &good, &err), &err);
        for (long k = 1; k < 20; k++) {
            Buf b;
            buf_init(&b);
            err_clear(&err);
            mem_fail_after(k);
            int rc = pq_compress(cs[ci], 0, src, sizeof src, &b, &err);
            mem_fail_after(0);
            ASSERT(rc == 0 || rc == TARN_ERR_NOMEM);
            buf_free(&b);
            uint8_t out[10000];
            err_clear(&err);
            mem_fail_after(k);
            rc = pq_decompress(cs[ci], good.data, good.len, out, sizeof out, &err);
            mem_fail_after(0);
            ASSERT(rc == 0 || rc == TARN_ERR_NOMEM);
            if (rc == 0)
                ASSERT_EQ_MEM(out, src, sizeof src);
        }
        buf_free(&good);
    }
}

/* The PCLMULQDQ CRC path must equal zlib's for every length and content. */
TEST(compress_crc32_matches_zlib)
{
    uint8_t *buf = malloc(70000);
    uint64_t seed = 99;
    for (size_t i = 0; i < 70000; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        buf[i] = (uint8_t)(seed >> 56);
    }
    for (size_t n = 0; n < 300; n++)
        ASSERT_EQ_U64(pq_crc32(buf + (n % 7), n), (uint32_t)crc32_z(0, buf + (n % 7), n));
    for (size_t n = 300; n < 70000; n += 977)
        ASSERT_EQ_U64(pq_crc32(buf + 3, n - 3), (uint32_t)crc32_z(0, buf + 3, n - 3));
    ASSERT_EQ_U64(pq_crc32((const uint8_t *)"123456789", 9), 0xCBF43926u);
    free(buf);
}

/* snappy_dec.c against libsnappy: the same bytes for valid streams of
 * every shape (short and long literals, copies at offsets 1-70 and far,
 * sizes around the fast path's 16/64/80-byte margins), and the same
 * accept / reject verdict for damaged streams.  Buffers are exactly sized
 * so that the sanitizer build sees any stray read or write. */
#include <snappy-c.h>

static void snappy_shape(uint8_t *p, size_t n, int kind)
{
    for (size_t i = 0; i < n; i++) {
        switch (kind) {
        case 0: p[i] = (uint8_t)rnd(); break;                                  /* literals */
        case 1: p[i] = (i % 8) < 3 ? (uint8_t)rnd() : 0; break;                /* PLAIN int64 */
        case 2: p[i] = (uint8_t)('a' + (i % (1 + (size_t)(n % 70)))); break;   /* one period */
        case 3: p[i] = i >= 1 && rnd() % 4 ? p[i - 1] : (uint8_t)rnd(); break; /* runs */
        default: p[i] = i >= 20 && rnd() % 3 ? p[i - 1 - rnd() % 20] : (uint8_t)rnd(); break;
        }
    }
}

static int lib_snappy(const uint8_t *src, size_t len, size_t dst_len, uint8_t **out)
{
    size_t ulen;
    *out = malloc(dst_len ? dst_len : 1);
    if (snappy_uncompressed_length((const char *)src, len, &ulen) != SNAPPY_OK || ulen != dst_len)
        return -1;
    size_t ol = dst_len;
    return snappy_uncompress((const char *)src, len, (char *)*out, &ol) == SNAPPY_OK && ol == dst_len ? 0 : -1;
}

TEST(compress_snappy_decoder_matches_libsnappy)
{
    static const size_t sizes[] = {0, 1, 15, 16, 17, 63, 64, 65, 79, 80, 81, 100, 255, 4096, 70000, 1 << 20};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        for (int kind = 0; kind < 5; kind++) {
            size_t n = sizes[si];
            uint8_t *src = malloc(n ? n : 1);
            snappy_shape(src, n, kind);
            size_t cl = snappy_max_compressed_length(n);
            uint8_t *c = malloc(cl);
            ASSERT(snappy_compress((const char *)src, n, (char *)c, &cl) == SNAPPY_OK);
            uint8_t *exact = malloc(cl);
            memcpy(exact, c, cl);
            uint8_t *out = malloc(n ? n : 1);
            ASSERT_EQ_INT(pq_snappy_decompress(exact, cl, out, n), 0);
            ASSERT(memcmp(out, src, n) == 0);
            /* The wrong output size is refused. */
            if (n)
                ASSERT_EQ_INT(pq_snappy_decompress(exact, cl, out, n - 1), -1);
            free(out);
            /* Damaged streams: the same verdict as libsnappy, the same bytes
             * when both accept. */
            int iters = n > 70000 ? 20 : 200;
            for (int it = 0; it < iters && cl > 0; it++) {
                uint8_t *bad = malloc(cl);
                memcpy(bad, exact, cl);
                size_t blen = cl;
                if (it % 3 == 2)
                    blen = (size_t)(rnd() % cl);
                else
                    bad[rnd() % cl] ^= (uint8_t)(1 + rnd() % 255);
                uint8_t *want;
                int lrc = lib_snappy(bad, blen, n, &want);
                uint8_t *got = malloc(n ? n : 1);
                int rc = pq_snappy_decompress(bad, blen, got, n);
                if (rc != lrc)
                    TFAIL("size %zu kind %d iter %d: libsnappy %d, ours %d", n, kind, it, lrc, rc);
                if (rc == 0)
                    ASSERT(memcmp(got, want, n) == 0);
                free(got);
                free(want);
                free(bad);
            }
            free(exact);
            free(c);
            free(src);
        }
    }
}
