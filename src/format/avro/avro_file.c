/*
 * avro_file.c - Avro Object Container File reader (spec "Object Container
 * Files"): header (magic, metadata map, sync marker), then blocks of
 * (datum count, byte size, data compressed by the file's codec, sync).
 * The file is read into memory whole (not mmap: a file truncated by its
 * writer while mapped would raise SIGBUS); each block is decompressed into
 * a reused buffer and its datums decoded straight into the caller's batch.
 */
#include "format/avro/avro.h"
#include "format/avro/avro_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

/* A block decompressing to more than this is refused (bombs). */
#define AVRO_MAX_BLOCK_BYTES (INT64_C(1) << 30)

typedef enum Codec { CODEC_NULL, CODEC_DEFLATE, CODEC_SNAPPY, CODEC_ZSTD } Codec;

struct AvroFileReader {
    Buf file;              /* avro_file_open: the file's bytes */
    const uint8_t *data;   /* file bytes */
    size_t len;
    size_t pos;            /* next block */
    uint8_t sync[16];
    Codec codec;
    char *schema_json;
    AvroDecoder *dec;
    Buf block;             /* decompressed block */
    const uint8_t *bp, *bend; /* datums left in the current block */
    int64_t block_left;    /* datums left in the current block */
    size_t block_off;      /* file offset of the current block */
    int64_t rows;
};

static int bad(AvroFileReader *r, size_t off, const char *what, TarnError *err)
{
    (void)r;
    return err_set_state(err, TARN_ERR_CORRUPT, "22P02", "invalid Avro container file at byte %zu: %s",
                         off, what);
}

static int rd_long(const uint8_t *d, size_t len, size_t *pos, int64_t *out)
{
    uint64_t v = 0;
    int shift = 0;
    size_t p = *pos;
    for (;;) {
        if (p >= len || shift > 63)
            return -1;
        uint8_t b = d[p++];
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            break;
        shift += 7;
    }
    *pos = p;
    *out = (int64_t)((v >> 1) ^ (~(v & 1) + 1));
    return 0;
}

static int parse_header(AvroFileReader *r, TarnError *err)
{
    const uint8_t *d = r->data;
    size_t len = r->len, p = 4;
    if (len < 4 || memcmp(d, "Obj\x01", 4) != 0)
        return bad(r, 0, "not an Avro object container file (no \"Obj\\x01\" magic)", err);
    const uint8_t *schema = NULL, *codec = NULL;
    size_t schema_len = 0, codec_len = 0;
    for (;;) {
        int64_t count;
        if (rd_long(d, len, &p, &count))
            return bad(r, p, "truncated metadata", err);
        if (count == 0)
            break;
        if (count < 0) {
            int64_t bytes;
            if (count == INT64_MIN || rd_long(d, len, &p, &bytes))
                return bad(r, p, "bad metadata block", err);
            count = -count;
        }
        for (int64_t i = 0; i < count; i++) {
            int64_t kl, vl;
            if (rd_long(d, len, &p, &kl) || kl < 0 || (uint64_t)kl > len - p)
                return bad(r, p, "bad metadata key", err);
            const uint8_t *k = d + p;
            p += (size_t)kl;
            if (rd_long(d, len, &p, &vl) || vl < 0 || (uint64_t)vl > len - p)
                return bad(r, p, "bad metadata value", err);
            if (kl == 11 && !memcmp(k, "avro.schema", 11)) {
                schema = d + p;
                schema_len = (size_t)vl;
            } else if (kl == 10 && !memcmp(k, "avro.codec", 10)) {
                codec = d + p;
                codec_len = (size_t)vl;
            }
            p += (size_t)vl;
        }
    }
    if (len - p < 16)
        return bad(r, p, "truncated sync marker", err);
    memcpy(r->sync, d + p, 16);
    r->pos = p + 16;
    if (!schema)
        return bad(r, 4, "no avro.schema in the metadata", err);
    if (!codec || (codec_len == 4 && !memcmp(codec, "null", 4)))
        r->codec = CODEC_NULL;
    else if (codec_len == 7 && !memcmp(codec, "deflate", 7))
        r->codec = CODEC_DEFLATE;
    else if (codec_len == 6 && !memcmp(codec, "snappy", 6))
        r->codec = CODEC_SNAPPY;
    else if (codec_len == 9 && !memcmp(codec, "zstandard", 9))
        r->codec = CODEC_ZSTD;
    else
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: Avro codec \"%.*s\"",
                       (int)(codec_len > 64 ? 64 : codec_len), (const char *)codec);
    r->schema_json = tarn_strndup((const char *)schema, schema_len);
    if (!r->schema_json)
        return ERR_NOMEM(err, schema_len);
    r->dec = avro_decoder_new(r->schema_json, schema_len, err);
    if (!r->dec)
        return err_context(err, "reading the schema of an Avro container file");
    return 0;
}

static AvroFileReader *open_common(AvroFileReader *r, TarnError *err)
{
    if (parse_header(r, err)) {
        avro_file_close(r);
        return NULL;
    }
    return r;
}

AvroFileReader *avro_file_open(const char *path, TarnError *err)
{
    AvroFileReader *r = tarn_calloc(1, sizeof *r);
    if (!r) {
        ERR_NOMEM(err, sizeof *r);
        return NULL;
    }
    buf_init(&r->file);
    buf_init(&r->block);
    if (file_read_all(path, &r->file, err)) {
        err_context(err, "reading \"%s\"", path);
        avro_file_close(r);
        return NULL;
    }
    r->data = r->file.data ? r->file.data : (const uint8_t *)"";
    r->len = r->file.len;
    r = open_common(r, err);
    if (!r)
        err_context(err, "reading \"%s\"", path);
    return r;
}

AvroFileReader *avro_file_open_mem(const uint8_t *data, size_t len, TarnError *err)
{
    AvroFileReader *r = tarn_calloc(1, sizeof *r);
    if (!r) {
        ERR_NOMEM(err, sizeof *r);
        return NULL;
    }
    buf_init(&r->file);
    buf_init(&r->block);
    r->data = data ? data : (const uint8_t *)"";
    r->len = len;
    return open_common(r, err);
}

const Schema *avro_file_schema(const AvroFileReader *r) { return avro_decoder_schema(r->dec); }
const char *avro_file_schema_json(const AvroFileReader *r) { return r->schema_json; }
int64_t avro_file_rows(const AvroFileReader *r) { return r->rows; }

void avro_file_close(AvroFileReader *r)
{
    if (!r)
        return;
    avro_decoder_free(r->dec);
    tarn_free(r->schema_json);
    buf_free(&r->file);
    buf_free(&r->block);
    tarn_free(r);
}

static int inflate_raw(AvroFileReader *r, const uint8_t *src, size_t n, TarnError *err)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK)
        return ERR_NOMEM(err, 65536);
    z.next_in = (Bytef *)src;
    z.avail_in = (uInt)n;
    buf_clear(&r->block);
    int rc = 0;
    for (;;) {
        if (buf_reserve(&r->block, r->block.len < 65536 ? 65536 : r->block.len)) {
            rc = ERR_NOMEM(err, r->block.len);
            break;
        }
        z.next_out = r->block.data + r->block.len;
        z.avail_out = (uInt)(r->block.cap - r->block.len);
        size_t before = z.avail_out;
        int zr = inflate(&z, Z_NO_FLUSH);
        r->block.len += before - z.avail_out;
        if (zr == Z_STREAM_END)
            break;
        if ((zr != Z_OK && zr != Z_BUF_ERROR) || (zr == Z_BUF_ERROR && z.avail_in == 0)) {
            rc = bad(r, r->block_off, "invalid deflate data", err);
            break;
        }
        if ((int64_t)r->block.len > AVRO_MAX_BLOCK_BYTES) {
            rc = bad(r, r->block_off, "block decompresses to more than 1 GiB", err);
            break;
        }
    }
    inflateEnd(&z);
    return rc;
}

static int zstd_block(AvroFileReader *r, const uint8_t *src, size_t n, TarnError *err)
{
    ZSTD_DStream *z = ZSTD_createDStream();
    if (!z)
        return ERR_NOMEM(err, 65536);
    ZSTD_initDStream(z);
    ZSTD_inBuffer in = {src, n, 0};
    buf_clear(&r->block);
    int rc = 0;
    for (;;) {
        if (buf_reserve(&r->block, r->block.len < 65536 ? 65536 : r->block.len)) {
            rc = ERR_NOMEM(err, r->block.len);
            break;
        }
        ZSTD_outBuffer out = {r->block.data + r->block.len, r->block.cap - r->block.len, 0};
        size_t zr = ZSTD_decompressStream(z, &out, &in);
        r->block.len += out.pos;
        if (ZSTD_isError(zr)) {
            rc = bad(r, r->block_off, "invalid zstandard data", err);
            break;
        }
        if (zr == 0 && in.pos == in.size)
            break;
        if (in.pos == in.size && out.pos < out.size) {
            rc = bad(r, r->block_off, "truncated zstandard data", err);
            break;
        }
        if ((int64_t)r->block.len > AVRO_MAX_BLOCK_BYTES) {
            rc = bad(r, r->block_off, "block decompresses to more than 1 GiB", err);
            break;
        }
    }
    ZSTD_freeDStream(z);
    return rc;
}

static int snappy_block(AvroFileReader *r, const uint8_t *src, size_t n, TarnError *err)
{
    if (n < 4)
        return bad(r, r->block_off, "snappy block without its CRC", err);
    size_t ulen;
    if (snappy_uncompressed_length((const char *)src, n - 4, &ulen) != SNAPPY_OK ||
        (int64_t)ulen > AVRO_MAX_BLOCK_BYTES)
        return bad(r, r->block_off, "invalid snappy data", err);
    buf_clear(&r->block);
    if (buf_reserve(&r->block, ulen ? ulen : 1))
        return ERR_NOMEM(err, ulen);
    size_t out_len = ulen;
    if (snappy_uncompress((const char *)src, n - 4, (char *)r->block.data, &out_len) != SNAPPY_OK ||
        out_len != ulen)
        return bad(r, r->block_off, "invalid snappy data", err);
    r->block.len = ulen;
    uint32_t want = (uint32_t)src[n - 4] << 24 | (uint32_t)src[n - 3] << 16 | (uint32_t)src[n - 2] << 8 |
                    src[n - 1];
    uint32_t got = (uint32_t)crc32(0L, r->block.data, (uInt)ulen);
    if (want != got)
        return bad(r, r->block_off, "snappy block CRC32 mismatch", err);
    return 0;
}

/* Loads the next block; *eof set at the end of the file. */
static int next_block(AvroFileReader *r, bool *eof, TarnError *err)
{
    *eof = false;
    if (r->pos >= r->len) {
        *eof = true;
        return 0;
    }
    r->block_off = r->pos;
    size_t p = r->pos;
    int64_t count, size;
    if (rd_long(r->data, r->len, &p, &count) || count < 0)
        return bad(r, r->block_off, "bad block datum count", err);
    if (rd_long(r->data, r->len, &p, &size) || size < 0 || (uint64_t)size > r->len - p)
        return bad(r, r->block_off, "bad or truncated block size", err);
    const uint8_t *src = r->data + p;
    p += (size_t)size;
    if (r->len - p < 16 || memcmp(r->data + p, r->sync, 16) != 0)
        return bad(r, r->block_off, "block not followed by the file's sync marker", err);
    r->pos = p + 16;
    int rc = 0;
    switch (r->codec) {
    case CODEC_NULL:
        r->bp = src;
        r->bend = src + size;
        break;
    case CODEC_DEFLATE: rc = inflate_raw(r, src, (size_t)size, err); break;
    case CODEC_SNAPPY: rc = snappy_block(r, src, (size_t)size, err); break;
    case CODEC_ZSTD: rc = zstd_block(r, src, (size_t)size, err); break;
    }
    if (rc)
        return rc;
    if (r->codec != CODEC_NULL) {
        r->bp = r->block.data ? r->block.data : (const uint8_t *)"";
        r->bend = r->bp + r->block.len;
    }
    /* every datum takes at least min_size bytes (0 for a null schema) */
    uint64_t per = r->dec->root->min_size;
    if (per && (uint64_t)count > (uint64_t)(r->bend - r->bp) / per)
        return bad(r, r->block_off, "block datum count exceeds its data", err);
    if (!per && (uint64_t)count > AVRO_MAX_ITEMS)
        return bad(r, r->block_off, "block datum count too large", err);
    r->block_left = count;
    return 0;
}

int avro_file_next(AvroFileReader *r, Batch *b, TarnError *err)
{
    batch_reset(b);
    while (b->n_rows < VEC_BATCH_ROWS) {
        if (r->block_left == 0) {
            if (r->bp != r->bend)
                return bad(r, r->block_off, "bytes left after the block's datums", err);
            bool eof;
            int rc = next_block(r, &eof, err);
            if (rc)
                return rc;
            if (eof)
                break;
            continue;
        }
        size_t used = 0;
        int rc = avro_decode_one(r->dec, r->bp, (size_t)(r->bend - r->bp), &used, b, err);
        if (rc)
            return err_context(err, "Avro block at byte %zu, datum %" PRId64 " of the file", r->block_off,
                               r->rows + 1);
        r->bp += used;
        r->block_left--;
        r->rows++;
    }
    return 0;
}
