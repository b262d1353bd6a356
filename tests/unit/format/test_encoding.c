/*
 * test_encoding.c - Parquet encodings (src/format/parquet/encoding.c):
 * round trips at every bit width and at the lengths around group and block
 * boundaries, byte sequences worked out from Encodings.md, and hostile
 * input (truncated at every prefix, absurd headers) that must fail cleanly.
 */
#include "../test.h"

#include <stdint.h>

#include "format/parquet/encoding.h"

static const uint32_t LENGTHS[] = {0, 1, 7, 8, 9, 127, 128, 129, 1000, 100000};
#define N_LENGTHS (sizeof LENGTHS / sizeof LENGTHS[0])

/* xorshift64* - deterministic test data. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static uint64_t mask_bits(int w)
{
    return w >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << w) - 1);
}

/* Values of width w: a mix of runs (lengths 1..40) and random values. */
static void fill_runs_u32(uint32_t *v, uint32_t n, int w)
{
    uint32_t i = 0;
    while (i < n) {
        uint32_t x = (uint32_t)(rnd() & mask_bits(w));
        uint32_t r = (rnd() & 1) ? 1 + (uint32_t)(rnd() % 40) : 1;
        for (uint32_t k = 0; k < r && i < n; k++)
            v[i++] = x;
    }
}

/* ---- RLE / bit-packed hybrid ----------------------------------------- */

TEST(enc_rle_spec_example_bitpacked)
{
    /* Encodings.md: 0..7 with bit width 3 packs to 10001000 11000110 11111010;
     * one group of 8 gives the header (1 << 1) | 1. */
    const uint8_t data[] = {0x03, 0x88, 0xC6, 0xFA};
    uint32_t out[8];
    TarnError err = {0};
    PqRleDecoder d;
    pq_rle_init(&d, data, sizeof data, 3);
    ASSERT_OK(pq_rle_get_u32(&d, out, 8, &err), &err);
    for (uint32_t i = 0; i < 8; i++)
        ASSERT_EQ_INT(out[i], i);
    /* The encoder produces exactly those bytes. */
    uint32_t v[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_rle_encode_u32(v, 8, 3, &b), 0);
    ASSERT_EQ_INT(b.len, sizeof data);
    ASSERT_EQ_MEM(b.data, data, sizeof data);
    /* And the 16-bit decoder agrees. */
    uint16_t o16[8];
    pq_rle_init(&d, data, sizeof data, 3);
    ASSERT_OK(pq_rle_get_u16(&d, o16, 8, &err), &err);
    for (uint32_t i = 0; i < 8; i++)
        ASSERT_EQ_INT(o16[i], i);
    buf_free(&b);
}

TEST(enc_rle_known_runs)
{
    TarnError err = {0};
    /* RLE run of 300 (varint 600 = 0xD8 0x04) of the 10-bit value 0x2AB
     * (2 bytes), then a bit-packed run of one group at width 10. */
    uint8_t data[64];
    size_t n = 0;
    data[n++] = 0xD8;
    data[n++] = 0x04;
    data[n++] = 0xAB;
    data[n++] = 0x02;
    data[n++] = 0x03;
    /* values 1..8 at 10 bits, LSB first */
    uint64_t acc[2] = {0, 0};
    for (int i = 0; i < 8; i++) {
        int bit = i * 10;
        unsigned __int128 x = (unsigned __int128)(uint64_t)(i + 1) << bit;
        acc[0] |= (uint64_t)x;
        acc[1] |= (uint64_t)(x >> 64);
    }
    for (int i = 0; i < 10; i++)
        data[n++] = (uint8_t)(i < 8 ? acc[0] >> (8 * i) : acc[1] >> (8 * (i - 8)));
    uint32_t out[308];
    PqRleDecoder d;
    pq_rle_init(&d, data, n, 10);
    ASSERT_OK(pq_rle_get_u32(&d, out, 308, &err), &err);
    for (int i = 0; i < 300; i++)
        ASSERT_EQ_INT(out[i], 0x2AB);
    for (int i = 0; i < 8; i++)
        ASSERT_EQ_INT(out[300 + i], i + 1);
    /* One more value is past the end. */
    ASSERT_EQ_INT(pq_rle_get_u32(&d, out, 1, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "RLE");

    /* Encoder: 8 repeats of 1 at width 1 -> RLE header 16, value 1. */
    uint32_t ones[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_rle_encode_u32(ones, 8, 1, &b), 0);
    ASSERT_EQ_INT(b.len, 2);
    ASSERT_EQ_INT(b.data[0], 0x10);
    ASSERT_EQ_INT(b.data[1], 0x01);
    /* 3 values 1,0,1 at width 1: one zero-padded group -> 0x03 0x05. */
    buf_clear(&b);
    uint32_t three[3] = {1, 0, 1};
    ASSERT_EQ_INT(pq_rle_encode_u32(three, 3, 1, &b), 0);
    ASSERT_EQ_INT(b.len, 2);
    ASSERT_EQ_INT(b.data[0], 0x03);
    ASSERT_EQ_INT(b.data[1], 0x05);
    /* 7 repeats are too few for an RLE run: bit-packed. */
    buf_clear(&b);
    ASSERT_EQ_INT(pq_rle_encode_u32(ones, 7, 1, &b), 0);
    ASSERT_EQ_INT(b.len, 2);
    ASSERT_EQ_INT(b.data[0], 0x03);
    ASSERT_EQ_INT(b.data[1], 0x7F);
    buf_free(&b);
}

/* Decodes `enc` in chunks of random sizes and compares with v. */
static void check_rle_u32(const Buf *enc, const uint32_t *v, uint32_t n, int w, uint32_t *out)
{
    TarnError err = {0};
    PqRleDecoder d;
    pq_rle_init(&d, enc->data, enc->len, w);
    int rc = pq_rle_get_u32(&d, out, n, &err);
    if (rc)
        TFAIL("width %d n %u: %s", w, n, err.message);
    for (uint32_t i = 0; i < n; i++)
        if (out[i] != v[i])
            TFAIL("width %d n %u: value %u is %u, expected %u", w, n, i, out[i], v[i]);
    /* Streaming: chunks of 1..70 values. */
    memset(out, 0xEE, (size_t)n * sizeof *out);
    pq_rle_init(&d, enc->data, enc->len, w);
    for (uint32_t i = 0; i < n;) {
        uint32_t k = 1 + (uint32_t)(rnd() % 70);
        if (k > n - i)
            k = n - i;
        rc = pq_rle_get_u32(&d, out + i, k, &err);
        if (rc)
            TFAIL("width %d n %u chunk at %u: %s", w, n, i, err.message);
        i += k;
    }
    for (uint32_t i = 0; i < n; i++)
        if (out[i] != v[i])
            TFAIL("streaming width %d n %u: value %u is %u, expected %u", w, n, i, out[i], v[i]);
}

TEST(enc_rle_roundtrip_all_widths_u32)
{
    uint32_t *v = malloc(100000 * sizeof *v);
    uint32_t *out = malloc(100000 * sizeof *out);
    Buf b;
    buf_init(&b);
    for (int w = 0; w <= 32; w++) {
        for (size_t li = 0; li < N_LENGTHS; li++) {
            uint32_t n = LENGTHS[li];
            for (int pattern = 0; pattern < 3; pattern++) {
                if (pattern == 0)
                    fill_runs_u32(v, n, w);
                else if (pattern == 1)
                    for (uint32_t i = 0; i < n; i++)
                        v[i] = (uint32_t)(rnd() & mask_bits(w));
                else
                    for (uint32_t i = 0; i < n; i++)
                        v[i] = (uint32_t)mask_bits(w); /* the largest value */
                buf_clear(&b);
                ASSERT_EQ_INT(pq_rle_encode_u32(v, n, w, &b), 0);
                check_rle_u32(&b, v, n, w, out);
            }
        }
    }
    buf_free(&b);
    free(v);
    free(out);
}

TEST(enc_rle_roundtrip_all_widths_u16)
{
    uint16_t *v = malloc(100000 * sizeof *v);
    uint16_t *out = malloc(100000 * sizeof *out);
    Buf b;
    buf_init(&b);
    TarnError err = {0};
    for (int w = 0; w <= 16; w++) {
        for (size_t li = 0; li < N_LENGTHS; li++) {
            uint32_t n = LENGTHS[li];
            uint32_t i = 0;
            while (i < n) {
                uint16_t x = (uint16_t)(rnd() & mask_bits(w));
                uint32_t r = (rnd() & 1) ? 1 + (uint32_t)(rnd() % 30) : 1;
                for (uint32_t k = 0; k < r && i < n; k++)
                    v[i++] = x;
            }
            buf_clear(&b);
            ASSERT_EQ_INT(pq_rle_encode_u16(v, n, w, &b), 0);
            PqRleDecoder d;
            pq_rle_init(&d, b.data, b.len, w);
            for (uint32_t j = 0; j < n;) {
                uint32_t k = 1 + (uint32_t)(rnd() % 1500);
                if (k > n - j)
                    k = n - j;
                ASSERT_OK(pq_rle_get_u16(&d, out + j, k, &err), &err);
                j += k;
            }
            for (uint32_t j = 0; j < n; j++)
                if (out[j] != v[j])
                    TFAIL("width %d n %u: value %u is %u, expected %u", w, n, j, out[j], v[j]);
        }
    }
    buf_free(&b);
    free(v);
    free(out);
}

TEST(enc_rle_long_runs_and_mixed)
{
    /* A literal stretch that ends just before a long run, run lengths at 7, 8
     * and 9, and a run longer than 2^16. */
    enum { N = 200000 };
    uint32_t *v = malloc(N * sizeof *v), *out = malloc(N * sizeof *out);
    uint32_t n = 0;
    for (int i = 0; i < 13; i++)
        v[n++] = (uint32_t)i % 8;
    for (int r = 7; r <= 9; r++) {
        for (int i = 0; i < r; i++)
            v[n++] = 5;
        v[n++] = 6;
    }
    for (int i = 0; i < 70000; i++)
        v[n++] = 3;
    for (int i = 0; i < 5; i++)
        v[n++] = (uint32_t)i;
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_rle_encode_u32(v, n, 3, &b), 0);
    ASSERT(b.len < 100); /* the long run is one RLE run */
    check_rle_u32(&b, v, n, 3, out);
    buf_free(&b);
    free(v);
    free(out);
}

TEST(enc_rle_truncated_final_group)
{
    TarnError err = {0};
    /* Header claims 2 groups (16 values) at width 4 = 8 bytes, only 5 bytes
     * are present: values 0..9 exist, 10 and beyond do not. */
    uint8_t data[] = {0x05, 0x10, 0x32, 0x54, 0x76, 0x98};
    uint32_t out[16];
    PqRleDecoder d;
    pq_rle_init(&d, data, sizeof data, 4);
    ASSERT_OK(pq_rle_get_u32(&d, out, 10, &err), &err);
    for (uint32_t i = 0; i < 10; i++)
        ASSERT_EQ_INT(out[i], i);
    ASSERT_EQ_INT(pq_rle_get_u32(&d, out, 1, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "RLE");

    /* Same through the u16 path, in one call asking for too many. */
    uint16_t o16[16];
    err_clear(&err);
    pq_rle_init(&d, data, sizeof data, 4);
    ASSERT_EQ_INT(pq_rle_get_u16(&d, o16, 11, &err), TARN_ERR_CORRUPT);
    err_clear(&err);
    pq_rle_init(&d, data, sizeof data, 4);
    ASSERT_OK(pq_rle_get_u16(&d, o16, 10, &err), &err);
    ASSERT_EQ_INT(o16[9], 9);
}

TEST(enc_rle_every_prefix_fails_cleanly)
{
    /* Decoding from every truncation of a valid stream either yields the
     * right values or CORRUPT, never a crash or a wrong value. */
    enum { N = 500 };
    uint32_t v[N], out[N];
    Buf b;
    buf_init(&b);
    TarnError err = {0};
    for (int w = 1; w <= 32; w += 3) {
        fill_runs_u32(v, N, w);
        buf_clear(&b);
        ASSERT_EQ_INT(pq_rle_encode_u32(v, N, w, &b), 0);
        for (size_t len = 0; len < b.len; len++) {
            uint8_t *copy = malloc(len ? len : 1); /* exact size for ASan */
            memcpy(copy, b.data, len);
            PqRleDecoder d;
            pq_rle_init(&d, copy, len, w);
            err_clear(&err);
            int rc = pq_rle_get_u32(&d, out, N, &err);
            if (rc == 0) {
                /* Only padding of the last group was cut off. */
                ASSERT_EQ_MEM(out, v, sizeof v);
            } else {
                ASSERT_EQ_INT(rc, TARN_ERR_CORRUPT);
            }
            /* Value by value: every value returned is right. */
            pq_rle_init(&d, copy, len, w);
            for (uint32_t i = 0; i < N; i++) {
                err_clear(&err);
                rc = pq_rle_get_u32(&d, out, 1, &err);
                if (rc) {
                    ASSERT_EQ_INT(rc, TARN_ERR_CORRUPT);
                    break;
                }
                ASSERT_EQ_INT(out[0], v[i]);
            }
            free(copy);
        }
    }
    buf_free(&b);
}

TEST(enc_rle_hostile_headers)
{
    TarnError err = {0};
    uint32_t out[64];
    uint16_t o16[64];
    PqRleDecoder d;
    const uint8_t ok[] = {0x10, 0x01};

    /* Bit widths out of range. */
    pq_rle_init(&d, ok, sizeof ok, 33);
    ASSERT_EQ_INT(pq_rle_get_u32(&d, out, 1, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "bit width");
    err_clear(&err);
    pq_rle_init(&d, ok, sizeof ok, -1);
    ASSERT_EQ_INT(pq_rle_get_u32(&d, out, 1, &err), TARN_ERR_CORRUPT);
    err_clear(&err);
    pq_rle_init(&d, ok, sizeof ok, 17);
    ASSERT_EQ_INT(pq_rle_get_u16(&d, o16, 1, &err), TARN_ERR_CORRUPT);

    /* A varint header longer than 10 bytes / wider than 32 bits. */
    const uint8_t longv[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    err_clear(&err);
    pq_rle_init(&d, longv, sizeof longv, 1);
    ASSERT_EQ_INT(pq_rle_get_u32(&d, out, 1, &err), TARN_ERR_CORRUPT);
    const uint8_t wide[] = {0x80, 0x80, 0x80, 0x80, 0x20, 0x01};
    err_clear(&err);
    pq_rle_init(&d, wide, sizeof wide, 1);
    ASSERT_EQ_INT(pq_rle_get_u32(&d, out, 1, &err), TARN_ERR_CORRUPT);
    /* A header cut short. */
    const uint8_t cut[] = {0x80};
    err_clear(&err);
    pq_rle_init(&d, cut, sizeof cut, 1);
    ASSERT_EQ_INT(pq_rle_get_u32(&d, out, 1, &err), TARN_ERR_CORRUPT);
    /* An RLE run whose value bytes are missing (width 16 needs 2). */
    const uint8_t novalue[] = {0x10, 0x01};
    err_clear(&err);
    pq_rle_init(&d, novalue, sizeof novalue, 16);
    ASSERT_EQ_INT(pq_rle_get_u32(&d, out, 1, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "value past end");
    /* No data at all. */
    err_clear(&err);
    pq_rle_init(&d, NULL, 0, 5);
    ASSERT_EQ_INT(pq_rle_get_u32(&d, out, 1, &err), TARN_ERR_CORRUPT);
    /* Zero values from nothing is fine. */
    err_clear(&err);
    pq_rle_init(&d, NULL, 0, 5);
    ASSERT_OK(pq_rle_get_u32(&d, out, 0, &err), &err);

    /* A huge RLE run: only what is asked for is produced. */
    const uint8_t huge_rle[] = {0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x07};
    err_clear(&err);
    pq_rle_init(&d, huge_rle, sizeof huge_rle, 3);
    ASSERT_OK(pq_rle_get_u32(&d, out, 64, &err), &err);
    ASSERT_EQ_INT(out[63], 7);
    /* A bit-packed run claiming 2^30 groups with 3 bytes: 8 values at width 3. */
    const uint8_t huge_lit[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x88, 0xC6, 0xFA};
    err_clear(&err);
    pq_rle_init(&d, huge_lit, sizeof huge_lit, 3);
    ASSERT_OK(pq_rle_get_u32(&d, out, 8, &err), &err);
    ASSERT_EQ_INT(out[7], 7);
    ASSERT_EQ_INT(pq_rle_get_u32(&d, out, 1, &err), TARN_ERR_CORRUPT);
    /* Width 0: runs need no value bytes, and a missing tail is all zeros. */
    const uint8_t w0[] = {0x03};
    err_clear(&err);
    pq_rle_init(&d, w0, sizeof w0, 0);
    ASSERT_OK(pq_rle_get_u32(&d, out, 20, &err), &err);
    for (int i = 0; i < 20; i++)
        ASSERT_EQ_INT(out[i], 0);

    /* Encoder rejects bad widths. */
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_rle_encode_u32(out, 1, 33, &b), TARN_ERR_INVALID);
    ASSERT_EQ_INT(pq_rle_encode_u16(o16, 1, 17, &b), TARN_ERR_INVALID);
    buf_free(&b);
}

TEST(enc_rle_random_garbage_never_crashes)
{
    uint32_t out[256];
    TarnError err = {0};
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = rnd() % 40;
        uint8_t *p = malloc(len ? len : 1);
        for (size_t i = 0; i < len; i++)
            p[i] = (uint8_t)rnd();
        int w = (int)(rnd() % 34);
        PqRleDecoder d;
        pq_rle_init(&d, p, len, w);
        err_clear(&err);
        int rc = pq_rle_get_u32(&d, out, (uint32_t)(rnd() % 256), &err);
        ASSERT(rc == 0 || rc == TARN_ERR_CORRUPT);
        free(p);
    }
}

/* ---- Legacy BIT_PACKED -------------------------------------------------- */

static void pack_msb(const uint16_t *v, uint32_t n, int w, uint8_t *dst, size_t cap)
{
    memset(dst, 0, cap);
    for (uint32_t i = 0; i < n; i++)
        for (int b = 0; b < w; b++) {
            uint64_t bit = (uint64_t)i * w + b;
            if ((v[i] >> (w - 1 - b)) & 1)
                dst[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
        }
}

TEST(enc_bitpacked_legacy)
{
    TarnError err = {0};
    /* Encodings.md: 0..7 at width 3 -> 00000101 00111001 01110111. */
    const uint8_t spec[] = {0x05, 0x39, 0x77};
    uint16_t out[1000];
    ASSERT_OK(pq_bitpacked_legacy_decode_u16(spec, sizeof spec, 3, out, 8, &err), &err);
    for (int i = 0; i < 8; i++)
        ASSERT_EQ_INT(out[i], i);
    /* Round trips at every width, with the exact byte count. */
    uint16_t v[1000];
    uint8_t packed[2000];
    for (int w = 0; w <= 16; w++) {
        for (uint32_t n = 0; n <= 1000; n += 37) {
            for (uint32_t i = 0; i < n; i++)
                v[i] = (uint16_t)(rnd() & mask_bits(w));
            size_t bytes = ((size_t)n * w + 7) / 8;
            pack_msb(v, n, w, packed, sizeof packed);
            uint8_t *exact = malloc(bytes ? bytes : 1);
            memcpy(exact, packed, bytes);
            ASSERT_OK(pq_bitpacked_legacy_decode_u16(exact, bytes, w, out, n, &err), &err);
            for (uint32_t i = 0; i < n; i++)
                ASSERT_EQ_INT(out[i], v[i]);
            if (bytes) {
                ASSERT_EQ_INT(pq_bitpacked_legacy_decode_u16(exact, bytes - 1, w, out, n, &err),
                              TARN_ERR_CORRUPT);
                err_clear(&err);
            }
            free(exact);
        }
    }
    ASSERT_EQ_INT(pq_bitpacked_legacy_decode_u16(spec, 3, 17, out, 1, &err), TARN_ERR_CORRUPT);
    err_clear(&err);
    ASSERT_EQ_INT(pq_bitpacked_legacy_decode_u16(spec, 3, 3, out, UINT32_MAX, &err),
                  TARN_ERR_CORRUPT);
}

/* ---- PLAIN ------------------------------------------------------------ */

TEST(enc_plain_bool)
{
    TarnError err = {0};
    const uint8_t v9[9] = {1, 0, 1, 1, 0, 0, 0, 0, 1};
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_plain_encode_bool(v9, 9, &b), 0);
    ASSERT_EQ_INT(b.len, 2);
    ASSERT_EQ_INT(b.data[0], 0x0D);
    ASSERT_EQ_INT(b.data[1], 0x01);
    uint8_t *v = malloc(100000), *out = malloc(100000);
    for (size_t li = 0; li < N_LENGTHS; li++) {
        uint32_t n = LENGTHS[li];
        for (uint32_t i = 0; i < n; i++)
            v[i] = (uint8_t)(rnd() & 1);
        buf_clear(&b);
        ASSERT_EQ_INT(pq_plain_encode_bool(v, n, &b), 0);
        ASSERT_EQ_INT(b.len, (n + 7) / 8);
        size_t used = 0;
        ASSERT_OK(pq_plain_decode_bool(b.data, b.len, n, out, &used, &err), &err);
        ASSERT_EQ_INT(used, b.len);
        ASSERT_EQ_MEM(out, v, n);
        if (n) {
            ASSERT_EQ_INT(pq_plain_decode_bool(b.data, b.len - 1, n, out, &used, &err),
                          TARN_ERR_CORRUPT);
            err_clear(&err);
        }
    }
    /* Nonzero bytes other than 1 are true. */
    const uint8_t odd[3] = {0, 7, 255};
    buf_clear(&b);
    ASSERT_EQ_INT(pq_plain_encode_bool(odd, 3, &b), 0);
    ASSERT_EQ_INT(b.data[0], 0x06);
    buf_free(&b);
    free(v);
    free(out);
}

TEST(enc_plain_byte_array)
{
    TarnError err = {0};
    const uint8_t known[] = {3, 0, 0, 0, 'a', 'b', 'c', 0, 0, 0, 0, 1, 0, 0, 0, 'z'};
    StrView out[3];
    size_t used = 0;
    ASSERT_OK(pq_plain_decode_byte_array(known, sizeof known, 3, out, &used, &err), &err);
    ASSERT_EQ_INT(used, sizeof known);
    ASSERT_EQ_INT(out[0].len, 3);
    ASSERT(out[0].ptr == (const char *)known + 4);
    ASSERT_EQ_INT(out[1].len, 0);
    ASSERT_EQ_INT(out[2].len, 1);
    ASSERT_EQ_INT(out[2].ptr[0], 'z');
    /* Encoder produces the same bytes. */
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_plain_encode_byte_array(out, 3, &b), 0);
    ASSERT_EQ_INT(b.len, sizeof known);
    ASSERT_EQ_MEM(b.data, known, sizeof known);
    /* Every truncation fails cleanly. */
    for (size_t len = 0; len < sizeof known; len++) {
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, known, len);
        err_clear(&err);
        ASSERT_EQ_INT(pq_plain_decode_byte_array(copy, len, 3, out, &used, &err),
                      TARN_ERR_CORRUPT);
        free(copy);
    }
    /* An absurd length. */
    const uint8_t huge[] = {0xFF, 0xFF, 0xFF, 0xFF, 'a'};
    err_clear(&err);
    ASSERT_EQ_INT(pq_plain_decode_byte_array(huge, sizeof huge, 1, out, &used, &err),
                  TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "PLAIN");
    buf_free(&b);
}

/* ---- DELTA_BINARY_PACKED ------------------------------------------------ */

TEST(enc_delta_spec_examples)
{
    TarnError err = {0};
    /* Example 1 (block size 8, 1 miniblock): 1,2,3,4,5. */
    const uint8_t ex1[] = {0x08, 0x01, 0x05, 0x02, 0x02, 0x00};
    int32_t out[8];
    size_t used = 0;
    ASSERT_OK(pq_delta_bp_decode_i32(ex1, sizeof ex1, out, 5, &used, &err), &err);
    for (int i = 0; i < 5; i++)
        ASSERT_EQ_INT(out[i], i + 1);
    ASSERT_EQ_INT(used, sizeof ex1);
    /* Example 2: 7,5,3,1,2,3,4,5; min delta -2, width 2, relative deltas
     * 0,0,0,3,3,3,3 (+1 padding) packed LSB first = 0xC0 0x3F. */
    const uint8_t ex2[] = {0x08, 0x01, 0x08, 0x0E, 0x03, 0x02, 0xC0, 0x3F};
    const int32_t want2[] = {7, 5, 3, 1, 2, 3, 4, 5};
    uint32_t count = 0;
    ASSERT_OK(pq_delta_bp_count(ex2, sizeof ex2, &count, &err), &err);
    ASSERT_EQ_INT(count, 8);
    ASSERT_OK(pq_delta_bp_decode_i32(ex2, sizeof ex2, out, UINT32_MAX, &used, &err), &err);
    ASSERT_EQ_MEM(out, want2, sizeof want2);
    ASSERT_EQ_INT(used, sizeof ex2);
    int64_t o64[8];
    ASSERT_OK(pq_delta_bp_decode_i64(ex2, sizeof ex2, o64, 8, &used, &err), &err);
    for (int i = 0; i < 8; i++)
        ASSERT_EQ_INT(o64[i], want2[i]);
}

TEST(enc_delta_encoder_known_bytes)
{
    /* 1,2,3,4,5 with block 128 / 4 miniblocks: header 128 (0x80 0x01), 4, 5,
     * zigzag(1) = 2; one block: min delta zigzag(1) = 2, four zero widths. */
    const int32_t v[] = {1, 2, 3, 4, 5};
    const uint8_t want[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00};
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_delta_bp_encode_i32(v, 5, &b), 0);
    ASSERT_EQ_INT(b.len, sizeof want);
    ASSERT_EQ_MEM(b.data, want, sizeof want);
    /* One value: header only.  Zero values: header with first value 0. */
    const uint8_t one[] = {0x80, 0x01, 0x04, 0x01, 0x0A};
    const int32_t five = 5;
    buf_clear(&b);
    ASSERT_EQ_INT(pq_delta_bp_encode_i32(&five, 1, &b), 0);
    ASSERT_EQ_INT(b.len, sizeof one);
    ASSERT_EQ_MEM(b.data, one, sizeof one);
    const uint8_t zero[] = {0x80, 0x01, 0x04, 0x00, 0x00};
    buf_clear(&b);
    ASSERT_EQ_INT(pq_delta_bp_encode_i64(NULL, 0, &b), 0);
    ASSERT_EQ_INT(b.len, sizeof zero);
    ASSERT_EQ_MEM(b.data, zero, sizeof zero);
    /* 0..32 step 1, then a jump: deltas 1 (x31), 100 -> min 1, widths 7,0,0,0
     * and one 28-byte miniblock (32 values x 7 bits). */
    int32_t w[34];
    for (int i = 0; i < 33; i++)
        w[i] = i;
    w[32] = 131; /* 33 values: 32 deltas, the last 100 */
    buf_clear(&b);
    ASSERT_EQ_INT(pq_delta_bp_encode_i32(w, 33, &b), 0);
    ASSERT_EQ_INT(b.len, 5 + 1 + 4 + 28);
    ASSERT_EQ_INT(b.data[6], 7);
    ASSERT_EQ_INT(b.data[7], 0);
    buf_free(&b);
}

/* Encodes v, decodes it back whole, in part and with trailing bytes. */
static void check_delta_i64(const int64_t *v, uint32_t n, int64_t *out)
{
    TarnError err = {0};
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_delta_bp_encode_i64(v, n, &b), 0);
    size_t enc_len = b.len;
    uint32_t count = 0;
    ASSERT_OK(pq_delta_bp_count(b.data, b.len, &count, &err), &err);
    ASSERT_EQ_INT(count, n);
    size_t used = 0;
    ASSERT_OK(pq_delta_bp_decode_i64(b.data, b.len, out, UINT32_MAX, &used, &err), &err);
    ASSERT_EQ_INT(used, enc_len);
    for (uint32_t i = 0; i < n; i++)
        if (out[i] != v[i])
            TFAIL("n %u: value %u is %" PRId64 ", expected %" PRId64, n, i, out[i], v[i]);
    /* Trailing bytes do not change where the section ends. */
    buf_append(&b, "\xAB\xCD\xEF", 3);
    ASSERT_OK(pq_delta_bp_decode_i64(b.data, b.len, out, n, &used, &err), &err);
    ASSERT_EQ_INT(used, enc_len);
    /* A prefix of the values. */
    if (n > 3) {
        uint32_t k = (uint32_t)(rnd() % n);
        memset(out, 0, (size_t)n * sizeof *out);
        ASSERT_OK(pq_delta_bp_decode_i64(b.data, b.len, out, k, &used, &err), &err);
        for (uint32_t i = 0; i < k; i++)
            ASSERT_EQ_INT(out[i], v[i]);
        ASSERT(used <= enc_len);
    }
    /* More than declared is corrupt. */
    ASSERT_EQ_INT(pq_delta_bp_decode_i64(b.data, b.len, out, n + 1, &used, &err),
                  TARN_ERR_CORRUPT);
    buf_free(&b);
}

static void check_delta_i32(const int32_t *v, uint32_t n, int32_t *out)
{
    TarnError err = {0};
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_delta_bp_encode_i32(v, n, &b), 0);
    size_t enc_len = b.len;
    size_t used = 0;
    buf_append(&b, "\x01\x02", 2);
    ASSERT_OK(pq_delta_bp_decode_i32(b.data, b.len, out, UINT32_MAX, &used, &err), &err);
    ASSERT_EQ_INT(used, enc_len);
    for (uint32_t i = 0; i < n; i++)
        if (out[i] != v[i])
            TFAIL("n %u: value %u is %d, expected %d", n, i, out[i], v[i]);
    /* Miniblock widths never exceed 32 for INT32: after the header, every
     * block is min delta + 4 widths. */
    buf_free(&b);
}

TEST(enc_delta_roundtrip_patterns)
{
    int64_t *v = malloc(100000 * sizeof *v), *out = malloc(100000 * sizeof *out);
    int32_t *v32 = malloc(100000 * sizeof *v32), *o32 = malloc(100000 * sizeof *o32);
    for (size_t li = 0; li < N_LENGTHS; li++) {
        uint32_t n = LENGTHS[li];
        for (int pattern = 0; pattern < 6; pattern++) {
            for (uint32_t i = 0; i < n; i++) {
                switch (pattern) {
                case 0: v[i] = (int64_t)rnd(); break;                   /* full range */
                case 1: v[i] = 1000 + i * 3; break;                     /* sorted */
                case 2: v[i] = 42; break;                               /* constant */
                case 3: v[i] = (i & 1) ? INT64_MAX : INT64_MIN; break;  /* extremes */
                case 4: v[i] = (int64_t)(rnd() % 100) - 50; break;      /* small */
                default: v[i] = -(int64_t)i * 1000000007LL; break;      /* decreasing */
                }
                v32[i] = (int32_t)v[i];
                if (pattern == 3)
                    v32[i] = (i & 1) ? INT32_MAX : INT32_MIN;
            }
            check_delta_i64(v, n, out);
            check_delta_i32(v32, n, o32);
        }
    }
    free(v);
    free(out);
    free(v32);
    free(o32);
}

TEST(enc_delta_every_bit_width)
{
    /* Deltas of exactly w random bits exercise miniblocks of width w. */
    enum { N = 1000 };
    int64_t v[N], out[N];
    int32_t v32[N], o32[N];
    for (int w = 0; w <= 64; w++) {
        uint64_t cur = rnd();
        for (uint32_t i = 0; i < N; i++) {
            v[i] = (int64_t)cur;
            uint64_t d = rnd() & mask_bits(w);
            if (w && (i % 5 == 0))
                d |= (uint64_t)1 << (w - 1); /* make sure width w occurs */
            cur += d;
        }
        check_delta_i64(v, N, out);
        if (w <= 32) {
            uint32_t c32 = (uint32_t)rnd();
            for (uint32_t i = 0; i < N; i++) {
                v32[i] = (int32_t)c32;
                c32 += (uint32_t)(rnd() & mask_bits(w));
            }
            check_delta_i32(v32, N, o32);
        }
    }
}

TEST(enc_delta_int32_widths_stay_32)
{
    /* INT32_MIN, INT32_MAX alternating: 32-bit deltas wrap, so the widest
     * miniblock is 32 bits (an INT64 writer would need 33). */
    int32_t v[129];
    for (int i = 0; i < 129; i++)
        v[i] = (i & 1) ? INT32_MAX : INT32_MIN;
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_delta_bp_encode_i32(v, 129, &b), 0);
    /* header: 80 01 04 81 01 zigzag(INT32_MIN) = 5 bytes -> 10 bytes */
    size_t pos = 2 + 1 + 2 + 5;
    while (b.data[pos] & 0x80)
        pos++;
    pos++;
    for (int m = 0; m < 4; m++)
        ASSERT(b.data[pos + m] <= 32);
    buf_free(&b);
}

TEST(enc_delta_last_block_garbage_widths)
{
    TarnError err = {0};
    /* 33 values: first + 32 deltas = one miniblock.  The unused miniblocks'
     * widths are garbage (200) and their bytes are absent; a marker byte
     * follows the used miniblock. */
    uint8_t p[64];
    size_t n = 0;
    p[n++] = 0x80;
    p[n++] = 0x01;
    p[n++] = 0x04;
    p[n++] = 33;
    p[n++] = 0x00; /* first value 0 */
    p[n++] = 0x02; /* min delta 1 */
    p[n++] = 1;
    p[n++] = 200;
    p[n++] = 200;
    p[n++] = 200;
    for (int i = 0; i < 4; i++)
        p[n++] = 0x55; /* relative deltas alternate 1,0 */
    size_t end = n;
    p[n++] = 0xEE;
    int32_t out[33];
    size_t used = 0;
    ASSERT_OK(pq_delta_bp_decode_i32(p, n, out, UINT32_MAX, &used, &err), &err);
    ASSERT_EQ_INT(used, end);
    int32_t want = 0;
    for (int i = 0; i < 33; i++) {
        ASSERT_EQ_INT(out[i], want);
        want += 1 + ((i & 1) ? 0 : 1);
    }
    /* A used miniblock with width 65 is corrupt. */
    p[6] = 65;
    ASSERT_EQ_INT(pq_delta_bp_decode_i32(p, n, out, UINT32_MAX, &used, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "DELTA_BINARY_PACKED");
    /* A final miniblock missing its padding is accepted when the values it
     * needs are there: 9 values -> 8 deltas at width 1 need one byte. */
    uint8_t q[] = {0x80, 0x01, 0x04, 9, 0x00, 0x02, 1, 0, 0, 0, 0xFF};
    int32_t o9[9];
    err_clear(&err);
    ASSERT_OK(pq_delta_bp_decode_i32(q, sizeof q, o9, 9, &used, &err), &err);
    ASSERT_EQ_INT(o9[8], 16);
    ASSERT_EQ_INT(used, sizeof q);
    /* ... but not when they are not. */
    q[3] = 10;
    int32_t o10[10];
    ASSERT_EQ_INT(pq_delta_bp_decode_i32(q, sizeof q, o10, 10, &used, &err), TARN_ERR_CORRUPT);
}

TEST(enc_delta_truncated_every_prefix)
{
    TarnError err = {0};
    enum { N = 300 };
    int64_t v[N], out[N];
    for (int i = 0; i < N; i++)
        v[i] = (int64_t)(rnd() % 100000);
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_delta_bp_encode_i64(v, N, &b), 0);
    for (size_t len = 0; len < b.len; len++) {
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, b.data, len);
        size_t used = 0;
        err_clear(&err);
        int rc = pq_delta_bp_decode_i64(copy, len, out, N, &used, &err);
        if (rc == 0) {
            /* Only a missing tail of padding can be tolerated. */
            for (int i = 0; i < N; i++)
                ASSERT_EQ_INT(out[i], v[i]);
        } else {
            ASSERT_EQ_INT(rc, TARN_ERR_CORRUPT);
            ASSERT(strstr(err.message, "DELTA_BINARY_PACKED") != NULL);
        }
        uint32_t count;
        err_clear(&err);
        rc = pq_delta_bp_count(copy, len, &count, &err);
        ASSERT(rc == 0 || rc == TARN_ERR_CORRUPT);
        free(copy);
    }
    buf_free(&b);
}

TEST(enc_delta_hostile_headers)
{
    TarnError err = {0};
    int64_t out[16];
    size_t used;
    uint32_t count;
    struct {
        const char *what;
        uint8_t bytes[16];
        size_t len;
    } cases[] = {
        {"block size 0", {0x00, 0x04, 0x05, 0x00}, 4},
        {"miniblocks 0", {0x80, 0x01, 0x00, 0x05, 0x00}, 5},
        {"miniblocks not dividing", {0x80, 0x01, 0x03, 0x05, 0x00}, 5},
        {"miniblock of 4 values", {0x08, 0x02, 0x05, 0x00}, 4},
        {"count over 32 bits", {0x80, 0x01, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00}, 9},
        {"11-byte varint", {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 11},
        {"10th byte over 64 bits", {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02}, 10},
        {"header cut", {0x80, 0x01, 0x04}, 3},
        {"block size over 2^31", {0x80, 0x80, 0x80, 0x80, 0x10, 0x04, 0x05, 0x00}, 8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err_clear(&err);
        int rc = pq_delta_bp_decode_i64(cases[i].bytes, cases[i].len, out, 1, &used, &err);
        if (rc != TARN_ERR_CORRUPT)
            TFAIL("%s: rc %d", cases[i].what, rc);
        ASSERT_ERR_CONTAINS(&err, "DELTA_BINARY_PACKED");
        err_clear(&err);
        ASSERT_EQ_INT(pq_delta_bp_count(cases[i].bytes, cases[i].len, &count, &err),
                      TARN_ERR_CORRUPT);
    }
    /* A header declaring a billion values over 6 bytes: count refuses, and a
     * decode of a few of them finds the blocks missing. */
    const uint8_t liar[] = {0x80, 0x01, 0x04, 0x80, 0x94, 0xEB, 0xDC, 0x03, 0x00, 0x00};
    err_clear(&err);
    ASSERT_EQ_INT(pq_delta_bp_count(liar, sizeof liar, &count, &err), TARN_ERR_CORRUPT);
    err_clear(&err);
    ASSERT_EQ_INT(pq_delta_bp_decode_i64(liar, sizeof liar, out, 16, &used, &err),
                  TARN_ERR_CORRUPT);
    /* Empty input with nothing wanted is fine. */
    err_clear(&err);
    ASSERT_OK(pq_delta_bp_decode_i64(NULL, 0, out, 0, &used, &err), &err);
    ASSERT_EQ_INT(used, 0);
}

TEST(enc_delta_garbage_never_crashes)
{
    TarnError err = {0};
    int64_t out[300];
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t buf[48];
        size_t len = rnd() % sizeof buf;
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)rnd();
        /* Make a plausible header half of the time. */
        if (len > 4 && (iter & 1)) {
            buf[0] = 0x80;
            buf[1] = 0x01;
            buf[2] = 0x04;
            buf[3] = (uint8_t)(rnd() % 127);
        }
        uint8_t *p = malloc(len ? len : 1);
        memcpy(p, buf, len);
        size_t used;
        err_clear(&err);
        int rc = pq_delta_bp_decode_i64(p, len, out, (uint32_t)(rnd() % 300), &used, &err);
        ASSERT(rc == 0 || rc == TARN_ERR_CORRUPT);
        if (rc == 0)
            ASSERT(used <= len);
        free(p);
    }
}

/* ---- DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY --------------------------- */

static size_t put_varint_test(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

static StrView sv(const char *s)
{
    StrView v = {(uint32_t)strlen(s), 0, s};
    return v;
}

TEST(enc_delta_length_ba_spec_example)
{
    TarnError err = {0};
    StrView v[4] = {sv("Hello"), sv("World"), sv("Foobar"), sv("ABCDEF")};
    Buf b, lens;
    buf_init(&b);
    buf_init(&lens);
    ASSERT_EQ_INT(pq_delta_length_ba_encode(v, 4, &b), 0);
    const int32_t l[4] = {5, 5, 6, 6};
    ASSERT_EQ_INT(pq_delta_bp_encode_i32(l, 4, &lens), 0);
    ASSERT_EQ_INT(b.len, lens.len + 22);
    ASSERT_EQ_MEM(b.data, lens.data, lens.len);
    ASSERT_EQ_MEM(b.data + lens.len, "HelloWorldFoobarABCDEF", 22);
    StrView out[4];
    size_t used = 0;
    ASSERT_OK(pq_delta_length_ba_decode(b.data, b.len, 4, out, &used, &err), &err);
    ASSERT_EQ_INT(used, b.len);
    for (int i = 0; i < 4; i++) {
        ASSERT_EQ_INT(out[i].len, v[i].len);
        ASSERT_EQ_MEM(out[i].ptr, v[i].ptr, v[i].len);
        ASSERT(out[i].ptr >= (const char *)b.data && out[i].ptr < (const char *)b.data + b.len);
    }
    /* Fewer values than declared: still the right bytes. */
    ASSERT_OK(pq_delta_length_ba_decode(b.data, b.len, 2, out, &used, &err), &err);
    ASSERT_EQ_MEM(out[1].ptr, "World", 5);
    ASSERT_EQ_INT(used, lens.len + 10);
    /* More than declared is corrupt. */
    ASSERT_EQ_INT(pq_delta_length_ba_decode(b.data, b.len, 5, out, &used, &err),
                  TARN_ERR_CORRUPT);
    buf_free(&b);
    buf_free(&lens);
}

TEST(enc_delta_ba_spec_example)
{
    TarnError err = {0};
    StrView v[4] = {sv("axis"), sv("axle"), sv("babble"), sv("babyhood")};
    Buf b, want;
    buf_init(&b);
    buf_init(&want);
    ASSERT_EQ_INT(pq_delta_ba_encode(v, 4, &b), 0);
    const int32_t pre[4] = {0, 2, 0, 3}, suf[4] = {4, 2, 6, 5};
    ASSERT_EQ_INT(pq_delta_bp_encode_i32(pre, 4, &want), 0);
    ASSERT_EQ_INT(pq_delta_bp_encode_i32(suf, 4, &want), 0);
    ASSERT_EQ_INT(buf_append(&want, "axislebabbleyhood", 17), 0);
    ASSERT_EQ_INT(b.len, want.len);
    ASSERT_EQ_MEM(b.data, want.data, want.len);
    Arena a;
    arena_init(&a, 0);
    StrView out[4];
    size_t used = 0;
    ASSERT_OK(pq_delta_ba_decode(b.data, b.len, 4, out, &a, &used, &err), &err);
    ASSERT_EQ_INT(used, b.len);
    for (int i = 0; i < 4; i++) {
        ASSERT_EQ_INT(out[i].len, v[i].len);
        ASSERT_EQ_MEM(out[i].ptr, v[i].ptr, v[i].len);
        ASSERT_EQ_INT(out[i].pad_, 0);
    }
    /* Values without a shared prefix point into the page. */
    ASSERT(out[0].ptr >= (const char *)b.data && out[0].ptr < (const char *)b.data + b.len);
    ASSERT(out[2].ptr >= (const char *)b.data && out[2].ptr < (const char *)b.data + b.len);
    arena_free(&a);
    buf_free(&b);
    buf_free(&want);
}

/* Random strings over a small alphabet with long shared prefixes. */
static char *make_strings(StrView *v, uint32_t n)
{
    size_t cap = (size_t)n * 40 + 1;
    char *pool = malloc(cap);
    size_t pos = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len = (uint32_t)(rnd() % 40);
        char *s = pool + pos;
        uint32_t keep = 0;
        if (i && (rnd() & 1)) {
            keep = (uint32_t)(rnd() % (v[i - 1].len + 1));
            if (keep > len)
                len = keep;
            memcpy(s, v[i - 1].ptr, keep);
        }
        for (uint32_t k = keep; k < len; k++)
            s[k] = (char)('a' + rnd() % 3);
        v[i].len = len;
        v[i].pad_ = 0;
        v[i].ptr = s;
        pos += len;
    }
    return pool;
}

TEST(enc_delta_byte_arrays_roundtrip)
{
    TarnError err = {0};
    StrView *v = malloc(100000 * sizeof *v), *out = malloc(100000 * sizeof *out);
    Buf b;
    buf_init(&b);
    Arena a;
    arena_init(&a, 0);
    for (size_t li = 0; li < N_LENGTHS; li++) {
        uint32_t n = LENGTHS[li];
        char *pool = make_strings(v, n);
        size_t used = 0;
        /* DELTA_LENGTH_BYTE_ARRAY */
        buf_clear(&b);
        ASSERT_EQ_INT(pq_delta_length_ba_encode(v, n, &b), 0);
        size_t enc_len = b.len;
        buf_append(&b, "\x7F", 1);
        ASSERT_OK(pq_delta_length_ba_decode(b.data, b.len, n, out, &used, &err), &err);
        ASSERT_EQ_INT(used, enc_len);
        for (uint32_t i = 0; i < n; i++) {
            ASSERT_EQ_INT(out[i].len, v[i].len);
            ASSERT_EQ_MEM(out[i].ptr, v[i].ptr, v[i].len);
        }
        /* DELTA_BYTE_ARRAY */
        buf_clear(&b);
        ASSERT_EQ_INT(pq_delta_ba_encode(v, n, &b), 0);
        enc_len = b.len;
        buf_append(&b, "\x7F", 1);
        arena_reset(&a);
        ASSERT_OK(pq_delta_ba_decode(b.data, b.len, n, out, &a, &used, &err), &err);
        ASSERT_EQ_INT(used, enc_len);
        for (uint32_t i = 0; i < n; i++) {
            ASSERT_EQ_INT(out[i].len, v[i].len);
            ASSERT_EQ_MEM(out[i].ptr, v[i].ptr, v[i].len);
        }
        free(pool);
    }
    arena_free(&a);
    buf_free(&b);
    free(v);
    free(out);
}

TEST(enc_delta_byte_arrays_truncated_every_prefix)
{
    TarnError err = {0};
    enum { N = 60 };
    StrView v[N], out[N];
    char *pool = make_strings(v, N);
    Buf b1, b2;
    buf_init(&b1);
    buf_init(&b2);
    ASSERT_EQ_INT(pq_delta_length_ba_encode(v, N, &b1), 0);
    ASSERT_EQ_INT(pq_delta_ba_encode(v, N, &b2), 0);
    Arena a;
    arena_init(&a, 0);
    size_t used;
    for (size_t len = 0; len < b1.len; len++) {
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, b1.data, len);
        err_clear(&err);
        int rc = pq_delta_length_ba_decode(copy, len, N, out, &used, &err);
        ASSERT_EQ_INT(rc, TARN_ERR_CORRUPT);
        free(copy);
    }
    for (size_t len = 0; len < b2.len; len++) {
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, b2.data, len);
        err_clear(&err);
        int rc = pq_delta_ba_decode(copy, len, N, out, &a, &used, &err);
        ASSERT_EQ_INT(rc, TARN_ERR_CORRUPT);
        free(copy);
    }
    arena_free(&a);
    buf_free(&b1);
    buf_free(&b2);
    free(pool);
}

TEST(enc_delta_byte_arrays_hostile)
{
    TarnError err = {0};
    Buf b;
    buf_init(&b);
    StrView out[4];
    size_t used;
    Arena a;
    arena_init(&a, 0);
    /* A negative length. */
    const int32_t neg[2] = {1, -1};
    ASSERT_EQ_INT(pq_delta_bp_encode_i32(neg, 2, &b), 0);
    buf_append(&b, "xyz", 3);
    ASSERT_EQ_INT(pq_delta_length_ba_decode(b.data, b.len, 2, out, &used, &err),
                  TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "DELTA_LENGTH_BYTE_ARRAY");
    /* A length past the end. */
    buf_clear(&b);
    const int32_t big[2] = {1, 1000000};
    ASSERT_EQ_INT(pq_delta_bp_encode_i32(big, 2, &b), 0);
    buf_append(&b, "xyz", 3);
    err_clear(&err);
    ASSERT_EQ_INT(pq_delta_length_ba_decode(b.data, b.len, 2, out, &used, &err),
                  TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "past end");
    /* DELTA_BYTE_ARRAY: a first value with a prefix. */
    const int32_t pre_bad[2] = {1, 0}, suf[2] = {1, 1};
    buf_clear(&b);
    ASSERT_EQ_INT(pq_delta_bp_encode_i32(pre_bad, 2, &b), 0);
    ASSERT_EQ_INT(pq_delta_bp_encode_i32(suf, 2, &b), 0);
    buf_append(&b, "ab", 2);
    err_clear(&err);
    ASSERT_EQ_INT(pq_delta_ba_decode(b.data, b.len, 2, out, &a, &used, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "prefix length");
    /* A prefix longer than the previous value. */
    const int32_t pre_long[2] = {0, 2};
    buf_clear(&b);
    ASSERT_EQ_INT(pq_delta_bp_encode_i32(pre_long, 2, &b), 0);
    ASSERT_EQ_INT(pq_delta_bp_encode_i32(suf, 2, &b), 0);
    buf_append(&b, "ab", 2);
    err_clear(&err);
    ASSERT_EQ_INT(pq_delta_ba_decode(b.data, b.len, 2, out, &a, &used, &err), TARN_ERR_CORRUPT);
    /* Fewer suffixes than prefixes. */
    const int32_t pre_ok[2] = {0, 1};
    buf_clear(&b);
    ASSERT_EQ_INT(pq_delta_bp_encode_i32(pre_ok, 2, &b), 0);
    ASSERT_EQ_INT(pq_delta_bp_encode_i32(suf, 1, &b), 0);
    buf_append(&b, "ab", 2);
    err_clear(&err);
    ASSERT_EQ_INT(pq_delta_ba_decode(b.data, b.len, 2, out, &a, &used, &err), TARN_ERR_CORRUPT);
    /* Three billion declared lengths in zero-width miniblocks of 2^30 values:
     * decoding the first value skips the rest per miniblock, not per value. */
    {
        uint8_t p[32];
        size_t k = 0;
        k += put_varint_test(p + k, 1u << 30); /* block size */
        k += put_varint_test(p + k, 1);        /* one miniblock */
        k += put_varint_test(p + k, 3000000000u);
        k += put_varint_test(p + k, 2); /* first length zigzag(1) */
        for (int blk = 0; blk < 3; blk++) {
            p[k++] = 0x00; /* min delta 0 */
            p[k++] = 0x00; /* width 0 */
        }
        p[k++] = 'x';
        err_clear(&err);
        ASSERT_OK(pq_delta_length_ba_decode(p, k, 1, out, &used, &err), &err);
        ASSERT_EQ_INT(out[0].len, 1);
        ASSERT_EQ_INT(out[0].ptr[0], 'x');
        ASSERT_EQ_INT(used, k);
        /* One block short: corrupt, also quickly. */
        memmove(p + k - 3, p + k - 1, 1);
        err_clear(&err);
        ASSERT_EQ_INT(pq_delta_length_ba_decode(p, k - 2, 1, out, &used, &err),
                      TARN_ERR_CORRUPT);
    }
    /* Out of memory in the arena is NOMEM, not a crash. */
    buf_clear(&b);
    StrView two[2] = {sv("hello"), sv("help")};
    ASSERT_EQ_INT(pq_delta_ba_encode(two, 2, &b), 0);
    Arena fresh;
    arena_init(&fresh, 0);
    err_clear(&err);
    mem_fail_after(1);
    int rc = pq_delta_ba_decode(b.data, b.len, 2, out, &fresh, &used, &err);
    mem_fail_after(0);
    ASSERT_EQ_INT(rc, TARN_ERR_NOMEM);
    err_clear(&err);
    ASSERT_OK(pq_delta_ba_decode(b.data, b.len, 2, out, &fresh, &used, &err), &err);
    ASSERT_EQ_MEM(out[1].ptr, "help", 4);
    arena_free(&fresh);
    arena_free(&a);
    buf_free(&b);
}

/* ---- BYTE_STREAM_SPLIT ------------------------------------------------- */

TEST(enc_bss_spec_example)
{
    TarnError err = {0};
    const uint8_t plain[] = {0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6};
    const uint8_t split[] = {0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6};
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_bss_encode(plain, 3, 4, &b), 0);
    ASSERT_EQ_INT(b.len, 12);
    ASSERT_EQ_MEM(b.data, split, 12);
    uint8_t out[12];
    ASSERT_OK(pq_bss_decode(split, 12, 3, 4, out, &err), &err);
    ASSERT_EQ_MEM(out, plain, 12);
    buf_free(&b);
}

TEST(enc_bss_roundtrip_widths)
{
    TarnError err = {0};
    const int widths[] = {1, 2, 3, 4, 5, 8, 12, 16};
    uint8_t *v = malloc(100000 * 16), *out = malloc(100000 * 16);
    Buf b;
    buf_init(&b);
    for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
        int w = widths[wi];
        for (size_t li = 0; li < N_LENGTHS; li++) {
            uint32_t n = LENGTHS[li];
            for (size_t i = 0; i < (size_t)n * w; i++)
                v[i] = (uint8_t)rnd();
            buf_clear(&b);
            ASSERT_EQ_INT(pq_bss_encode(v, n, w, &b), 0);
            ASSERT_EQ_INT(b.len, (size_t)n * w);
            /* Stream k holds byte k of each value. */
            if (n > 1)
                ASSERT_EQ_INT(b.data[(size_t)(w - 1) * n + 1], v[(size_t)w + w - 1]);
            ASSERT_OK(pq_bss_decode(b.data, b.len, n, w, out, &err), &err);
            ASSERT_EQ_MEM(out, v, (size_t)n * w);
            if (n) {
                ASSERT_EQ_INT(pq_bss_decode(b.data, b.len - 1, n, w, out, &err),
                              TARN_ERR_CORRUPT);
                err_clear(&err);
            }
        }
    }
    ASSERT_EQ_INT(pq_bss_decode(v, 10, 1, 0, out, &err), TARN_ERR_CORRUPT);
    err_clear(&err);
    ASSERT_EQ_INT(pq_bss_decode(v, 10, UINT32_MAX, 8, out, &err), TARN_ERR_CORRUPT);
    ASSERT_EQ_INT(pq_bss_encode(v, 1, 0, &b), TARN_ERR_INVALID);
    buf_free(&b);
    free(v);
    free(out);
}

TEST(enc_bit_width_helper)
{
    ASSERT_EQ_INT(pq_bit_width(0), 0);
    ASSERT_EQ_INT(pq_bit_width(1), 1);
    ASSERT_EQ_INT(pq_bit_width(255), 8);
    ASSERT_EQ_INT(pq_bit_width(256), 9);
    ASSERT_EQ_INT(pq_bit_width(UINT64_MAX), 64);
}

TEST(enc_byte_array_garbage_never_crashes)
{
    TarnError err = {0};
    StrView out[64];
    Arena a;
    arena_init(&a, 0);
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t buf[64];
        size_t len = rnd() % sizeof buf;
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)(iter & 2 ? rnd() % 4 : rnd()); /* small values make deeper paths */
        if (len > 4 && (iter & 1)) {
            buf[0] = 0x80;
            buf[1] = 0x01;
            buf[2] = 0x04;
            buf[3] = (uint8_t)(rnd() % 70);
        }
        uint8_t *p = malloc(len ? len : 1);
        memcpy(p, buf, len);
        uint32_t n = (uint32_t)(rnd() % 64);
        size_t used;
        err_clear(&err);
        int rc = pq_delta_length_ba_decode(p, len, n, out, &used, &err);
        ASSERT(rc == 0 || rc == TARN_ERR_CORRUPT);
        if (rc == 0)
            ASSERT(used <= len);
        err_clear(&err);
        arena_reset(&a);
        rc = pq_delta_ba_decode(p, len, n, out, &a, &used, &err);
        ASSERT(rc == 0 || rc == TARN_ERR_CORRUPT);
        if (rc == 0) {
            ASSERT(used <= len);
            for (uint32_t i = 0; i < n; i++) /* every byte readable */
                for (uint32_t k = 0; k < out[i].len; k++)
                    rng_state += (uint8_t)out[i].ptr[k];
        }
        err_clear(&err);
        rc = pq_plain_decode_byte_array(p, len, n, out, &used, &err);
        ASSERT(rc == 0 || rc == TARN_ERR_CORRUPT);
        free(p);
    }
    arena_free(&a);
}
