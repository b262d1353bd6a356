/*
 * fuzz_avro.c - libFuzzer target for the Avro decoder (format/avro/avro.h).
 *
 * First byte % 3:
 *   0: byte 1 picks one of SCHEMAS; the rest is a run of datums decoded
 *      with avro_decode_one until the bytes end or one fails.  A failed
 *      datum must leave the batch exactly as it was (row count and every
 *      column length), and the batch must satisfy vector.h's invariants.
 *   1: the rest is an Object Container File (avro_file_open_mem), read to
 *      the end, every value touched.
 *   2: the rest is a schema (JSON text) compiled; when it compiles, the
 *      same bytes are also decoded as one datum of it.
 */
#include <stdint.h>
#include <string.h>

#include "format/avro/avro.h"

#include "fuzz_common.h"

static const char *const SCHEMAS[] = {
    "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"long\"},"
    "{\"name\":\"b\",\"type\":[\"null\",\"string\"]},{\"name\":\"c\",\"type\":\"double\"},"
    "{\"name\":\"d\",\"type\":\"boolean\"},{\"name\":\"e\",\"type\":\"bytes\"}]}",
    "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"xs\",\"type\":{\"type\":\"array\",\"items\":"
    "{\"type\":\"map\",\"values\":[\"int\",\"string\",\"null\"]}}},"
    "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\",\"C\"]}},"
    "{\"name\":\"s\",\"type\":{\"type\":\"record\",\"name\":\"S\",\"fields\":[{\"name\":\"f\",\"type\":"
    "{\"type\":\"fixed\",\"name\":\"F\",\"size\":3}},{\"name\":\"n\",\"type\":\"null\"}]}}]}",
    "{\"type\":\"record\",\"name\":\"r\",\"fields\":["
    "{\"name\":\"d\",\"type\":{\"type\":\"int\",\"logicalType\":\"date\"}},"
    "{\"name\":\"t\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},"
    "{\"name\":\"tm\",\"type\":{\"type\":\"int\",\"logicalType\":\"time-millis\"}},"
    "{\"name\":\"m\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":38,\"scale\":3}},"
    "{\"name\":\"f\",\"type\":{\"type\":\"fixed\",\"name\":\"D\",\"size\":12,\"logicalType\":\"duration\"}},"
    "{\"name\":\"u\",\"type\":{\"type\":\"string\",\"logicalType\":\"uuid\"}},"
    "{\"name\":\"x\",\"type\":\"float\"}]}",
    "{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":\"null\"}}",
};

static void check_batch(const Batch *b, const Schema *s)
{
    for (uint32_t c = 0; c < s->n_fields; c++)
        CHECK(b->cols[c].len == b->n_rows);
    touch_batch(b, s);
}

static void decode_run(AvroDecoder *d, const uint8_t *p, size_t n)
{
    const Schema *s = avro_decoder_schema(d);
    Batch b;
    if (batch_init(&b, s))
        return;
    /* exact-size copy so ASan sees any over-read */
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        batch_destroy(&b);
        return;
    }
    memcpy(buf, p, n);
    size_t off = 0;
    for (int guard = 0; guard < 4096 && off <= n; guard++) {
        TarnError err;
        err_clear(&err);
        uint32_t before = b.n_rows;
        size_t used = 0;
        if (avro_decode_one(d, buf + off, n - off, &used, &b, &err)) {
            CHECK(err.kind != 0 && err.message[0]);
            CHECK(b.n_rows == before);
            break;
        }
        CHECK(b.n_rows == before + 1);
        CHECK(used <= n - off);
        if (used == 0 || off + used == n)
            break;
        off += used;
    }
    check_batch(&b, s);
    free(buf);
    batch_destroy(&b);
}

static void fuzz_file(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return;
    memcpy(buf, data, size);
    TarnError err;
    err_clear(&err);
    AvroFileReader *r = avro_file_open_mem(buf, size, &err);
    if (!r) {
        CHECK(err.kind != 0 && err.message[0]);
        free(buf);
        return;
    }
    const Schema *s = avro_file_schema(r);
    Batch b;
    if (batch_init(&b, s) == 0) {
        for (int guard = 0; guard < 100000; guard++) {
            if (avro_file_next(r, &b, &err)) {
                CHECK(err.kind != 0 && err.message[0]);
                break;
            }
            if (b.n_rows == 0)
                break;
            check_batch(&b, s);
        }
        batch_destroy(&b);
    }
    avro_file_close(r);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    TarnError err;
    err_clear(&err);
    switch (data[0] % 3) {
    case 0: {
        AvroDecoder *d = avro_decoder_new(SCHEMAS[data[1] % 4], (size_t)-1, &err);
        CHECK(d != NULL);
        decode_run(d, data + 2, size - 2);
        avro_decoder_free(d);
        break;
    }
    case 1: fuzz_file(data + 1, size - 1); break;
    default: {
        char *text = malloc(size - 1);
        if (!text)
            return 0;
        memcpy(text, data + 1, size - 1);
        AvroDecoder *d = avro_decoder_new(text, size - 1, &err);
        if (!d)
            CHECK(err.kind != 0 && err.message[0]);
        else {
            decode_run(d, data + 1, size - 1);
            avro_decoder_free(d);
        }
        free(text);
        break;
    }
    }
    return 0;
}
