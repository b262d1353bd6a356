/*
 * encoding.h - Parquet value and level encodings (Encodings.md):
 * PLAIN, RLE / bit-packed hybrid, legacy BIT_PACKED levels,
 * DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY,
 * BYTE_STREAM_SPLIT.  (PLAIN_DICTIONARY / RLE_DICTIONARY data pages are RLE
 * hybrid indices behind a one-byte bit width; the dictionary page is PLAIN.)
 *
 * Decoders work on one page's bytes at a time and check every read against
 * the end of the buffer: a short or inconsistent buffer is TARN_ERR_CORRUPT
 * naming the encoding ("DELTA_BINARY_PACKED: block header past end of
 * page"), never an out-of-bounds read.  Decoded byte arrays are StrViews
 * pointing into the input buffer when the encoding stores the bytes
 * contiguously (PLAIN, DELTA_LENGTH_BYTE_ARRAY); DELTA_BYTE_ARRAY must
 * rebuild each value from prefix + suffix, so its bytes go to an Arena.
 *
 * Encoders append to a Buf and return 0 or TARN_ERR_NOMEM.
 * Thread-safety: all functions are reentrant.
 */
#ifndef TARN_FORMAT_PARQUET_ENCODING_H
#define TARN_FORMAT_PARQUET_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/mem.h"
#include "vector/types.h"

/* Number of bits needed to represent v (0 for v == 0). */
static inline int pq_bit_width(uint64_t v)
{
    return v ? 64 - __builtin_clzll(v) : 0;
}

/* ---- RLE / bit-packed hybrid (no length prefix) ------------------------- */

/* Streaming decoder; bit_width 0..32. */
typedef struct PqRleDecoder {
    const uint8_t *p;     /* next unread byte */
    const uint8_t *end;
    int bit_width;
    uint32_t rle_left;    /* values left in the current RLE run */
    uint32_t rle_value;
    uint32_t lit_left;    /* values left in the current bit-packed run */
    const uint8_t *lit_p; /* start of the current bit-packed group of 8 */
    uint32_t lit_pos;     /* index within the current group of 8 */
} PqRleDecoder;

void pq_rle_init(PqRleDecoder *d, const uint8_t *p, size_t len, int bit_width);
/* Decodes exactly n values into out; fewer available is TARN_ERR_CORRUPT. */
int pq_rle_get_u32(PqRleDecoder *d, uint32_t *out, uint32_t n, TarnError *err);
int pq_rle_get_u16(PqRleDecoder *d, uint16_t *out, uint32_t n, TarnError *err);

/* Encodes n values with the given bit width (RLE runs for repeats of 8 or
 * more, bit-packed groups of 8 otherwise), appended to out. */
int pq_rle_encode_u32(const uint32_t *v, uint32_t n, int bit_width, Buf *out);
int pq_rle_encode_u16(const uint16_t *v, uint32_t n, int bit_width, Buf *out);

/* Legacy BIT_PACKED level encoding (MSB first, deprecated): decodes n values. */
int pq_bitpacked_legacy_decode_u16(const uint8_t *p, size_t len, int bit_width, uint16_t *out,
                                   uint32_t n, TarnError *err);

/* ---- PLAIN --------------------------------------------------------------- */

/* BOOLEAN: n values, 1 bit each LSB first, to bytes 0/1.  *used_out = bytes read. */
int pq_plain_decode_bool(const uint8_t *p, size_t len, uint32_t n, uint8_t *out, size_t *used_out,
                         TarnError *err);
/* BYTE_ARRAY: n values, each a 4-byte little-endian length + bytes.  The
 * views point into p.  *used_out = bytes read. */
int pq_plain_decode_byte_array(const uint8_t *p, size_t len, uint32_t n, StrView *out,
                               size_t *used_out, TarnError *err);
int pq_plain_encode_bool(const uint8_t *v, uint32_t n, Buf *out);
int pq_plain_encode_byte_array(const StrView *v, uint32_t n, Buf *out);
/* Fixed-width types (INT32, INT64, INT96, FLOAT, DOUBLE, FLBA) are plain
 * little-endian bytes: callers memcpy n * width bytes after checking len. */

/* ---- DELTA_BINARY_PACKED ------------------------------------------------- */

/* Decodes exactly n values (n may be less than the page's total value count
 * only if the caller does not need the rest).  *used_out = bytes read, which
 * is where the next section of the page starts (DELTA_BYTE_ARRAY needs it).
 * Callers learn the header's value count with pq_delta_bp_count. */
int pq_delta_bp_decode_i32(const uint8_t *p, size_t len, int32_t *out, uint32_t n,
                           size_t *used_out, TarnError *err);
int pq_delta_bp_decode_i64(const uint8_t *p, size_t len, int64_t *out, uint32_t n,
                           size_t *used_out, TarnError *err);
/* Reads only the header's total value count (to size buffers). */
int pq_delta_bp_count(const uint8_t *p, size_t len, uint32_t *n_out, TarnError *err);
/* Block size 128, 4 miniblocks of 32 values. */
int pq_delta_bp_encode_i32(const int32_t *v, uint32_t n, Buf *out);
int pq_delta_bp_encode_i64(const int64_t *v, uint32_t n, Buf *out);

/* ---- DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY --------------------------- */

/* Decodes n values; views point into p.  *used_out = bytes read. */
int pq_delta_length_ba_decode(const uint8_t *p, size_t len, uint32_t n, StrView *out,
                              size_t *used_out, TarnError *err);
/* Decodes n values; value bytes are built in arena a. */
int pq_delta_ba_decode(const uint8_t *p, size_t len, uint32_t n, StrView *out, Arena *a,
                       size_t *used_out, TarnError *err);
int pq_delta_length_ba_encode(const StrView *v, uint32_t n, Buf *out);
int pq_delta_ba_encode(const StrView *v, uint32_t n, Buf *out);

/* ---- BYTE_STREAM_SPLIT ---------------------------------------------------- */

/* n values of `width` bytes each (4 for FLOAT/INT32, 8 for DOUBLE/INT64, the
 * FLBA length otherwise): output is the values' plain little-endian bytes. */
int pq_bss_decode(const uint8_t *p, size_t len, uint32_t n, int width, uint8_t *out,
                  TarnError *err);
int pq_bss_encode(const uint8_t *v, uint32_t n, int width, Buf *out);

#endif
