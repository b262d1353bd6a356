/*
 * bloom.h - Parquet split-block bloom filters (parquet-format BloomFilter.md).
 *
 * A filter is a bitset of n_bytes (a power of two, 32 B .. 128 MiB) made of
 * 32-byte blocks, each eight little-endian uint32 words.  A value's hash is
 * XXH64 (seed 0) of its PLAIN encoding without a length prefix: 4 or 8
 * little-endian bytes for INT32/INT64/FLOAT/DOUBLE, the raw bytes for
 * BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY.  The upper 32 bits of the hash pick
 * the block, the lower 32 bits times eight salts pick one bit per word.
 *
 * The writer sizes and fills filters; the reader checks predicate values
 * against them.  All functions are pure (no allocation, thread-safe).
 * A bloom filter has no false negatives: pq_bloom_check never returns false
 * for an inserted hash.
 */
#ifndef TARN_FORMAT_PARQUET_BLOOM_H
#define TARN_FORMAT_PARQUET_BLOOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vector/value.h"

#define PQ_BLOOM_BLOCK_BYTES 32u
#define PQ_BLOOM_MIN_BYTES 32u
#define PQ_BLOOM_MAX_BYTES (128u * 1024u * 1024u)

/* XXH64 (seed 0) of len bytes: the hash of a value whose PLAIN bytes are p. */
uint64_t pq_bloom_hash_bytes(const void *p, size_t len);

/* Hash of a predicate value as it is stored in a column of physical type
 * phys (PqPhysType; type_length is the FIXED_LEN_BYTE_ARRAY width).  The
 * value must already have the column's tarn type (DECIMAL at the column's
 * scale).  Returns false when the filter cannot answer for this value: the
 * value has no exact representation in that physical type, BOOLEAN / INT96
 * columns, and floating-point zero and NaN (-0.0 equals +0.0 but hashes
 * differently, NaN equals nothing); the caller must then assume "may
 * contain". */
bool pq_bloom_hash_value(const Value *v, int phys, int32_t type_length, uint64_t *hash_out);

/* Bitset size in bytes for ndv distinct values at false-positive rate fpp
 * (BloomFilter.md: bits per value = -8 / ln(1 - fpp^(1/8))), rounded up to
 * a power of two and clamped to [PQ_BLOOM_MIN_BYTES, PQ_BLOOM_MAX_BYTES].
 * fpp outside (0, 1) is taken as 0.01. */
uint32_t pq_bloom_num_bytes(uint64_t ndv, double fpp);

/* Sets the hash's eight bits.  n_bytes must be a multiple of 32, >= 32. */
void pq_bloom_insert(uint8_t *bitset, uint32_t n_bytes, uint64_t hash);

/* True when the hash may be in the set, false when it certainly is not.
 * A bitset shorter than one block answers true (no information). */
bool pq_bloom_check(const uint8_t *bitset, uint32_t n_bytes, uint64_t hash);

#endif
