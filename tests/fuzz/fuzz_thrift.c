/*
 * fuzz_thrift.c - libFuzzer target for the Thrift compact decoders of
 * Parquet metadata (meta.h).
 *
 * The first input byte picks the structure, the rest is its encoding:
 *   0 FileMetaData   1 PageHeader   2 ColumnIndex   3 OffsetIndex
 *   4 BloomFilterHeader
 * Expected outcome for most inputs: a clean error.  For FileMetaData and
 * PageHeader that decode, the encoder is checked too: encoding, decoding
 * that again and re-encoding must give the same bytes (the decoder and the
 * encoder agree on every field they keep).  A difference aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/parquet/meta.h"
#include "util/mem.h"

#define CHECK(c)                                                              \
    do {                                                                      \
        if (!(c)) {                                                           \
            fprintf(stderr, "check failed: %s (%s:%d)\n", #c, __FILE__,       \
                    __LINE__);                                                \
            abort();                                                          \
        }                                                                     \
    } while (0)

static void roundtrip_file_metadata(const PqFileMetaData *md)
{
    Buf e1, e2;
    buf_init(&e1);
    buf_init(&e2);
    if (pq_encode_file_metadata(md, &e1) == 0) {
        Arena a;
        arena_init(&a, 0);
        PqFileMetaData md2;
        TarnError err;
        err_clear(&err);
        int rc = pq_decode_file_metadata(e1.data, e1.len, &a, &md2, &err);
        if (rc)
            fprintf(stderr, "re-decode failed: %s\n", err.message);
        CHECK(rc == 0);
        CHECK(pq_encode_file_metadata(&md2, &e2) == 0);
        CHECK(e1.len == e2.len && memcmp(e1.data, e2.data, e1.len) == 0);
        arena_free(&a);
    }
    buf_free(&e1);
    buf_free(&e2);
}

static void roundtrip_page_header(const PqPageHeader *h)
{
    Buf e1, e2;
    buf_init(&e1);
    buf_init(&e2);
    if (pq_encode_page_header(h, &e1) == 0) {
        Arena a;
        arena_init(&a, 0);
        PqPageHeader h2;
        size_t used = 0;
        TarnError err;
        err_clear(&err);
        int rc = pq_decode_page_header(e1.data, e1.len, &a, &h2, &used, &err);
        if (rc)
            fprintf(stderr, "re-decode failed: %s\n", err.message);
        CHECK(rc == 0);
        CHECK(used == e1.len);
        CHECK(pq_encode_page_header(&h2, &e2) == 0);
        CHECK(e1.len == e2.len && memcmp(e1.data, e2.data, e1.len) == 0);
        arena_free(&a);
    }
    buf_free(&e1);
    buf_free(&e2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int which = data[0] % 5;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    /* Copy into an exact-size heap buffer so ASan sees any over-read. */
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return 0;
    memcpy(buf, p, n);

    Arena a;
    arena_init(&a, 0);
    TarnError err;
    err_clear(&err);
    size_t used = 0;
    int rc;
    switch (which) {
    case 0: {
        PqFileMetaData md;
        rc = pq_decode_file_metadata(buf, n, &a, &md, &err);
        if (rc == 0)
            roundtrip_file_metadata(&md);
        break;
    }
    case 1: {
        PqPageHeader h;
        rc = pq_decode_page_header(buf, n, &a, &h, &used, &err);
        if (rc == 0) {
            CHECK(used <= n);
            roundtrip_page_header(&h);
        }
        break;
    }
    case 2: {
        PqColumnIndex ci;
        rc = pq_decode_column_index(buf, n, &a, &ci, &err);
        if (rc == 0) {
            Buf e;
            buf_init(&e);
            (void)pq_encode_column_index(&ci, &e);
            buf_free(&e);
        }
        break;
    }
    case 3: {
        PqOffsetIndex oi;
        rc = pq_decode_offset_index(buf, n, &a, &oi, &err);
        if (rc == 0) {
            Buf e;
            buf_init(&e);
            (void)pq_encode_offset_index(&oi, &e);
            buf_free(&e);
        }
        break;
    }
    default: {
        PqBloomFilterHeader bh;
        rc = pq_decode_bloom_header(buf, n, &bh, &used, &err);
        if (rc == 0)
            CHECK(used <= n);
        break;
    }
    }
    if (rc != 0)
        CHECK(err.kind != 0 && err.message[0]);
    arena_free(&a);
    free(buf);
    return 0;
}
