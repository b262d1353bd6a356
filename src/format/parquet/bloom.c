/*
 * bloom.c - split-block bloom filters for Parquet (see bloom.h).
 *
 * BloomFilter.md: block = 8 x uint32 words; block index from the upper 32
 * bits of the xxHash64, bit in word i = (lower32 * SALT[i]) >> 27.  Words are
 * stored little-endian, so the bitset is read and written through
 * load_le32/store_le32 and works on any host byte order.
 */
#include "format/parquet/bloom.h"

#include <math.h>
#include <string.h>

#include <xxhash.h>

#include "format/parquet/meta.h"
#include "util/mem.h"

/* BloomFilter.md: the eight salts of the split-block algorithm. */
static const uint32_t bloom_salt[8] = {0x47b6137bU, 0x44974d91U, 0x8824ad5bU, 0xa2b7289dU,
                                       0x705495c7U, 0x2df1424bU, 0x9efc4947U, 0x5c6bfb31U};

uint64_t pq_bloom_hash_bytes(const void *p, size_t len)
{
    return (uint64_t)XXH64(p, len, 0);
}

/* Big-endian two's complement of x in n bytes (1..16); false if x does not fit. */
static bool int128_to_be(int128_t x, int n, uint8_t *out)
{
    if (n < 1 || n > 16)
        return false;
    if (n < 16) {
        int128_t lim = (int128_t)1 << (8 * n - 1);
        if (x < -lim || x >= lim)
            return false;
    }
    unsigned __int128 u = (unsigned __int128)x;
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (uint8_t)u;
        u >>= 8;
    }
    return true;
}

bool pq_bloom_hash_value(const Value *v, int phys, int32_t type_length, uint64_t *hash_out)
{
    uint8_t tmp[16];
    if (v->is_null)
        return false;
    TypeId t = v->type;
    bool is_unsigned = t == TYPE_UINT8 || t == TYPE_UINT16 || t == TYPE_UINT32 || t == TYPE_UINT64;
    switch (phys) {
    case PQ_INT32: {
        int64_t x;
        if (t == TYPE_DECIMAL && v->precision > DECIMAL64_MAX_PRECISION) {
            if (v->v.i128 < INT32_MIN || v->v.i128 > INT32_MAX)
                return false;
            x = (int64_t)v->v.i128;
        } else if (is_unsigned) {
            if (v->v.u > UINT32_MAX)
                return false;
            store_le32(tmp, (uint32_t)v->v.u);
            *hash_out = pq_bloom_hash_bytes(tmp, 4);
            return true;
        } else if (type_is_integer(t) || t == TYPE_DATE || t == TYPE_DECIMAL) {
            x = v->v.i;
        } else {
            return false;
        }
        if (x < INT32_MIN || x > INT32_MAX)
            return false;
        store_le32(tmp, (uint32_t)(int32_t)x);
        *hash_out = pq_bloom_hash_bytes(tmp, 4);
        return true;
    }
    case PQ_INT64: {
        uint64_t bits;
        if (t == TYPE_DECIMAL && v->precision > DECIMAL64_MAX_PRECISION) {
            if (v->v.i128 < INT64_MIN || v->v.i128 > INT64_MAX)
                return false;
            bits = (uint64_t)(int64_t)v->v.i128;
        } else if (is_unsigned) {
            bits = v->v.u;
        } else if (type_is_integer(t) || t == TYPE_DECIMAL || t == TYPE_TIME ||
                   t == TYPE_TIMESTAMP || t == TYPE_TIMESTAMPTZ || t == TYPE_DATE) {
            bits = (uint64_t)v->v.i;
        } else {
            return false;
        }
        store_le64(tmp, bits);
        *hash_out = pq_bloom_hash_bytes(tmp, 8);
        return true;
    }
    case PQ_FLOAT: {
        if (t != TYPE_FLOAT && t != TYPE_DOUBLE)
            return false;
        float f = (float)v->v.d;
        if (f != f || f == 0.0f || (double)f != v->v.d)
            return false;
        uint32_t bits;
        memcpy(&bits, &f, 4);
        store_le32(tmp, bits);
        *hash_out = pq_bloom_hash_bytes(tmp, 4);
        return true;
    }
    case PQ_DOUBLE: {
        if (t != TYPE_FLOAT && t != TYPE_DOUBLE)
            return false;
        double d = v->v.d;
        if (d != d || d == 0.0)
            return false;
        uint64_t bits;
        memcpy(&bits, &d, 8);
        store_le64(tmp, bits);
        *hash_out = pq_bloom_hash_bytes(tmp, 8);
        return true;
    }
    case PQ_BYTE_ARRAY:
        if (!type_is_string_like(t))
            return false;
        *hash_out = pq_bloom_hash_bytes(v->v.s.len ? v->v.s.ptr : "", v->v.s.len);
        return true;
    case PQ_FIXED_LEN_BYTE_ARRAY:
        if (t == TYPE_UUID) {
            if (type_length != 16)
                return false;
            *hash_out = pq_bloom_hash_bytes(v->v.uuid, 16);
            return true;
        }
        if (t == TYPE_DECIMAL) {
            int128_t x = v->precision > DECIMAL64_MAX_PRECISION ? v->v.i128 : (int128_t)v->v.i;
            if (!int128_to_be(x, type_length, tmp))
                return false;
            *hash_out = pq_bloom_hash_bytes(tmp, (size_t)type_length);
            return true;
        }
        if (t == TYPE_INTERVAL) {
            if (type_length != 12 || v->v.iv.micros % 1000 != 0)
                return false;
            store_le32(tmp, (uint32_t)v->v.iv.months);
            store_le32(tmp + 4, (uint32_t)v->v.iv.days);
            store_le32(tmp + 8, (uint32_t)(v->v.iv.micros / 1000));
            *hash_out = pq_bloom_hash_bytes(tmp, 12);
            return true;
        }
        return false;
    default:
        return false;
    }
}

uint32_t pq_bloom_num_bytes(uint64_t ndv, double fpp)
{
    if (!(fpp > 0.0 && fpp < 1.0))
        fpp = 0.01;
    double bits_per_value = -8.0 / log(1.0 - pow(fpp, 1.0 / 8.0));
    double bytes = ceil((double)ndv * bits_per_value / 8.0);
    if (bytes >= (double)PQ_BLOOM_MAX_BYTES)
        return PQ_BLOOM_MAX_BYTES;
    uint32_t n = PQ_BLOOM_MIN_BYTES;
    while ((double)n < bytes)
        n <<= 1;
    return n;
}

void pq_bloom_insert(uint8_t *bitset, uint32_t n_bytes, uint64_t hash)
{
    uint64_t n_blocks = n_bytes / PQ_BLOOM_BLOCK_BYTES;
    if (n_blocks == 0)
        return;
    uint64_t block = ((hash >> 32) * n_blocks) >> 32;
    uint8_t *b = bitset + block * PQ_BLOOM_BLOCK_BYTES;
    uint32_t key = (uint32_t)hash;
    for (int i = 0; i < 8; i++) {
        uint32_t bit = (key * bloom_salt[i]) >> 27;
        store_le32(b + 4 * i, load_le32(b + 4 * i) | (UINT32_C(1) << bit));
    }
}

bool pq_bloom_check(const uint8_t *bitset, uint32_t n_bytes, uint64_t hash)
{
    uint64_t n_blocks = n_bytes / PQ_BLOOM_BLOCK_BYTES;
    if (n_blocks == 0)
        return true;
    uint64_t block = ((hash >> 32) * n_blocks) >> 32;
    const uint8_t *b = bitset + block * PQ_BLOOM_BLOCK_BYTES;
    uint32_t key = (uint32_t)hash;
    for (int i = 0; i < 8; i++) {
        uint32_t bit = (key * bloom_salt[i]) >> 27;
        if (!(load_le32(b + 4 * i) & (UINT32_C(1) << bit)))
            return false;
    }
    return true;
}
