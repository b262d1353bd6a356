/*
 * compress.h - page compression codecs for Parquet: UNCOMPRESSED, SNAPPY,
 * GZIP (zlib, including concatenated gzip members), ZSTD, LZ4_RAW, and the
 * deprecated LZ4 codec id (Hadoop's framing; falls back to a raw LZ4 block
 * as older parquet-cpp wrote it).  BROTLI and LZO are TARN_ERR_UNSUPPORTED
 * ("unsupported: BROTLI compression").
 *
 * Decompression is told the expected uncompressed size (from the page
 * header) and never produces more: output beyond it is TARN_ERR_CORRUPT,
 * which defuses decompression bombs.  Uses Debian's libsnappy (compression;
 * decompression is snappy_dec.c), zlib, libzstd and liblz4.
 */
#ifndef TARN_FORMAT_PARQUET_COMPRESS_H
#define TARN_FORMAT_PARQUET_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "format/parquet/meta.h"
#include "util/err.h"
#include "util/mem.h"

/* Decompresses src into dst, which has room for exactly dst_len bytes (the
 * page's uncompressed size); the output must be exactly dst_len bytes. */
int pq_decompress(PqCodec codec, const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
                  TarnError *err);

/* Compresses src, appending to out.  level: codec-specific, 0 = default. */
int pq_compress(PqCodec codec, int level, const uint8_t *src, size_t src_len, Buf *out,
                TarnError *err);

/* Upper bound of the compressed size of src_len bytes. */
size_t pq_compress_bound(PqCodec codec, size_t src_len);

/* Codec name as parquet.thrift spells it ("SNAPPY"); "UNKNOWN(n)" otherwise. */
const char *pq_codec_name(int codec);
/* Parses a user name: none|uncompressed|snappy|gzip|zstd|lz4|lz4_raw. */
int pq_codec_parse(const char *name, PqCodec *out, TarnError *err);

/* Snappy raw format (snappy_dec.c): the uncompressed length in the
 * stream's preamble (*hdr = its bytes), and decompression into exactly
 * dst_len bytes; 0, or -1 for a malformed stream or another length. */
int pq_snappy_length(const uint8_t *src, size_t src_len, size_t *ulen, size_t *hdr);
int pq_snappy_decompress(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len);

/* CRC-32 (the zlib / IEEE polynomial Parquet uses for page CRCs). */
uint32_t pq_crc32(const uint8_t *p, size_t n);

#endif
