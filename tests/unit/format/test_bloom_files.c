/* test_bloom_files.c - parquet-testing's bare bloom filter written by
 * parquet-mr (Thrift BloomFilterHeader + bitset, xxHash64) must answer
 * "may contain" for the values it was built from.  (bloom_filter.bin uses
 * the pre-release murmur3 layout, which no current writer produces and tarn
 * does not read.) */
#include "../test.h"

#include "format/parquet/bloom.h"
#include "format/parquet/meta.h"

TEST(bloom_parquet_mr_xxhash_file)
{
    const char *d = test_shared_dir();
    if (!d)
        SKIP("shared test data not found");
    char p[1024];
    snprintf(p, sizeof p, "%s/parquet/parquet-testing/data/bloom_filter.xxhash.bin", d);
    Buf b;
    buf_init(&b);
    TarnError err = {0};
    ASSERT_OK(file_read_all(p, &b, &err), &err);
    PqBloomFilterHeader h;
    size_t used = 0;
    ASSERT_OK(pq_decode_bloom_header(b.data, b.len, &h, &used, &err), &err);
    ASSERT_EQ_INT(h.algorithm, 1);
    ASSERT_EQ_INT(h.hash, 1);
    ASSERT_EQ_INT(h.compression, 1);
    ASSERT_EQ_U64(used + (size_t)h.num_bytes, b.len);
    const char *present[] = {"hello", "parquet", "bloom", "filter"};
    for (int i = 0; i < 4; i++)
        ASSERT(pq_bloom_check(b.data + used, (uint32_t)h.num_bytes,
                              pq_bloom_hash_bytes(present[i], strlen(present[i]))));
    /* Absent values: a filter of this size answers "no" for most. */
    int maybe = 0;
    char word[32];
    for (int i = 0; i < 200; i++) {
        snprintf(word, sizeof word, "absent-%d", i);
        maybe += pq_bloom_check(b.data + used, (uint32_t)h.num_bytes, pq_bloom_hash_bytes(word, strlen(word)));
    }
    ASSERT(maybe < 40);
    buf_free(&b);
}
