/* test_avro.c - Avro schema mapping, datum decoding (values, errors,
 * rollback), Confluent framing, and container files in every codec (built
 * here from the spec; tests/ingest_files also reads files written by
 * libavro-c, an independent writer). */
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "../test.h"
#include "format/avro/avro.h"
#include "vector/format.h"

static const char *type_of(const Schema *s, int i)
{
    static char buf[8][256];
    static int k;
    k = (k + 1) % 8;
    return type_name(&s->fields[i].type, buf[k], sizeof buf[k]);
}

TEST(avro_schema_mapping)
{
    TarnError err = {0};
    const char *js =
        "{\"type\":\"record\",\"name\":\"r\",\"namespace\":\"n\",\"fields\":["
        "{\"name\":\"a\",\"type\":\"int\"},"
        "{\"name\":\"b\",\"type\":[\"null\",\"string\"]},"
        "{\"name\":\"c\",\"type\":{\"type\":\"array\",\"items\":\"long\"}},"
        "{\"name\":\"d\",\"type\":{\"type\":\"map\",\"values\":[\"double\",\"null\"]}},"
        "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"X\",\"Y\"]}},"
        "{\"name\":\"f\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":3}},"
        "{\"name\":\"g\",\"type\":{\"type\":\"int\",\"logicalType\":\"date\"}},"
        "{\"name\":\"h\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},"
        "{\"name\":\"i\",\"type\":{\"type\":\"long\",\"logicalType\":\"local-timestamp-micros\"}},"
        "{\"name\":\"j\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":30,\"scale\":4}},"
        "{\"name\":\"k\",\"type\":{\"type\":\"string\",\"logicalType\":\"uuid\"}},"
        "{\"name\":\"l\",\"type\":{\"type\":\"record\",\"name\":\"L\",\"fields\":[{\"name\":\"x\",\"type\":\"E\"},{\"name\":\"y\",\"type\":\"n.F\"}]}},"
        "{\"name\":\"m\",\"type\":[\"int\",\"string\",\"null\"]},"
        "{\"name\":\"o\",\"type\":{\"type\":\"int\",\"logicalType\":\"time-millis\"}},"
        "{\"name\":\"p\",\"type\":{\"type\":\"string\",\"logicalType\":\"decimal\"}},"
        "{\"name\":\"q\",\"type\":\"bytes\"},{\"name\":\"r\",\"type\":\"float\"},{\"name\":\"s\",\"type\":\"boolean\"}"
        "]}";
    AvroDecoder *d = avro_decoder_new(js, (size_t)-1, &err);
    ASSERT_NOT_NULL(d, &err);
    const Schema *s = avro_decoder_schema(d);
    ASSERT_EQ_INT(s->n_fields, 18);
    ASSERT_EQ_STR(type_of(s, 0), "integer");
    ASSERT(!s->fields[0].nullable);
    ASSERT_EQ_STR(type_of(s, 1), "text");
    ASSERT(s->fields[1].nullable);
    ASSERT_EQ_STR(type_of(s, 2), "bigint[]");
    ASSERT_EQ_STR(type_of(s, 3), "map(text, double precision)");
    ASSERT_EQ_STR(type_of(s, 4), "text");
    ASSERT_EQ_STR(type_of(s, 5), "bytea");
    ASSERT_EQ_STR(type_of(s, 6), "date");
    ASSERT_EQ_STR(type_of(s, 7), "timestamptz");
    ASSERT_EQ_STR(type_of(s, 8), "timestamp");
    ASSERT_EQ_STR(type_of(s, 9), "numeric(30,4)");
    ASSERT_EQ_STR(type_of(s, 10), "uuid");
    ASSERT_EQ_STR(type_of(s, 11), "struct(x text, y bytea)");
    ASSERT_EQ_STR(type_of(s, 12), "struct(int integer, string text)");
    ASSERT(s->fields[12].nullable);
    ASSERT_EQ_STR(type_of(s, 13), "time");
    ASSERT_EQ_STR(type_of(s, 14), "text"); /* invalid logical type ignored */
    ASSERT_EQ_STR(type_of(s, 15), "bytea");
    ASSERT_EQ_STR(type_of(s, 16), "real");
    ASSERT_EQ_STR(type_of(s, 17), "boolean");
    avro_decoder_free(d);

    /* a non-record top level is one column "value" */
    d = avro_decoder_new("\"string\"", (size_t)-1, &err);
    ASSERT_NOT_NULL(d, &err);
    ASSERT_EQ_INT(avro_decoder_schema(d)->n_fields, 1);
    ASSERT_EQ_STR(avro_decoder_schema(d)->fields[0].name, "value");
    avro_decoder_free(d);
}

TEST(avro_schema_errors)
{
    static const struct {
        const char *js, *frag;
    } cases[] = {
        {"{", "invalid JSON"},
        {"\"nope\"", "unknown type \"nope\""},
        {"{\"type\":\"record\",\"name\":\"r\"}", "has no \"fields\""},
        {"{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"a\",\"type\":\"int\"}]}",
         "duplicate field \"a\""},
        {"[\"int\",\"int\"]", "two branches of type int"},
        {"[]", "empty union"},
        {"{\"type\":\"fixed\",\"name\":\"f\"}", "no valid \"size\""},
        {"{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"n\",\"type\":[\"null\",\"r\"]}]}",
         "recursive Avro type \"r\""},
        {"42", "must be a string, an object or an array"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TarnError err = {0};
        AvroDecoder *d = avro_decoder_new(cases[i].js, (size_t)-1, &err);
        if (d)
            TFAIL("schema %s accepted", cases[i].js);
        ASSERT_ERR_CONTAINS(&err, cases[i].frag);
    }
}

static const char *cell(const Batch *b, int col, uint32_t row)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    Buf o;
    buf_init(&o);
    if (!vec_is_valid(&b->cols[col], row))
        snprintf(buf[k], sizeof buf[k], "NULL");
    else {
        if (value_format_text(&b->cols[col], row, &o) || buf_terminate(&o))
            TFAIL("format");
        snprintf(buf[k], sizeof buf[k], "%s", (char *)o.data);
    }
    buf_free(&o);
    return buf[k];
}

TEST(avro_decode_datums_and_errors)
{
    TarnError err = {0};
    const char *js = "{\"type\":\"record\",\"name\":\"r\",\"fields\":["
                     "{\"name\":\"id\",\"type\":\"long\"},"
                     "{\"name\":\"s\",\"type\":[\"null\",\"string\"]},"
                     "{\"name\":\"xs\",\"type\":{\"type\":\"array\",\"items\":\"int\"}},"
                     "{\"name\":\"amt\",\"type\":{\"type\":\"fixed\",\"name\":\"D\",\"size\":4,\"logicalType\":\"decimal\",\"precision\":9,\"scale\":2}},"
                     "{\"name\":\"u\",\"type\":{\"type\":\"string\",\"logicalType\":\"uuid\"}},"
                     "{\"name\":\"ts\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}]}";
    AvroDecoder *d = avro_decoder_new(js, (size_t)-1, &err);
    ASSERT_NOT_NULL(d, &err);
    Batch b;
    ASSERT_OK(batch_init(&b, avro_decoder_schema(d)), &err);

    Buf m;
    buf_init(&m);
    /* row 1: id -3, s "héllo", xs [1, -2] in two blocks (one with a byte size), amt -12.34 */
    avro_write_long(&m, -3);
    avro_write_long(&m, 1);
    avro_write_bytes(&m, "h\xc3\xa9llo", 6);
    avro_write_long(&m, 1);
    avro_write_long(&m, 1);
    avro_write_long(&m, -1);
    avro_write_long(&m, 1);
    avro_write_long(&m, -2);
    avro_write_long(&m, 0);
    buf_append(&m, "\xff\xff\xfb\x2e", 4);
    avro_write_bytes(&m, "0e5d7a36-6c40-4c5f-9c3a-6b3f1b7e9d10", 36);
    avro_write_long(&m, 1700000000123);
    ASSERT_OK(avro_decode_append(d, m.data, m.len, &b, &err), &err);
    size_t good_len = m.len;
    ASSERT_EQ_INT(b.n_rows, 1);
    ASSERT_EQ_STR(cell(&b, 0, 0), "-3");
    ASSERT_EQ_STR(cell(&b, 1, 0), "héllo");
    ASSERT_EQ_STR(cell(&b, 2, 0), "{1,-2}");
    ASSERT_EQ_STR(cell(&b, 3, 0), "-12.34");
    ASSERT_EQ_STR(cell(&b, 4, 0), "0e5d7a36-6c40-4c5f-9c3a-6b3f1b7e9d10");
    ASSERT_EQ_STR(cell(&b, 5, 0), "2023-11-14 22:13:20.123+00");

    /* every truncation of the datum fails and leaves the batch unchanged */
    for (size_t cut = 0; cut < good_len; cut++) {
        err_clear(&err);
        int rc = avro_decode_append(d, m.data, cut, &b, &err);
        ASSERT(rc == TARN_ERR_CORRUPT);
        ASSERT_EQ_INT(b.n_rows, 1);
        for (int c = 0; c < 6; c++)
            ASSERT_EQ_INT(b.cols[c].len, 1);
        ASSERT_EQ_INT(b.cols[2].children[0].len, 2);
    }
    err_clear(&err);
    /* a trailing byte */
    buf_append_byte(&m, 0);
    ASSERT(avro_decode_append(d, m.data, m.len, &b, &err) == TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "1 bytes left after the datum");
    ASSERT_EQ_INT(b.n_rows, 1);

    /* row 2: null string, empty array; then bad union index */
    buf_clear(&m);
    avro_write_long(&m, 7);
    avro_write_long(&m, 0);
    avro_write_long(&m, 0);
    buf_append(&m, "\x00\x00\x00\x01", 4);
    avro_write_bytes(&m, "0e5d7a36-6c40-4c5f-9c3a-6b3f1b7e9d10", 36);
    avro_write_long(&m, 0);
    err_clear(&err);
    ASSERT_OK(avro_decode_append(d, m.data, m.len, &b, &err), &err);
    ASSERT_EQ_STR(cell(&b, 1, 1), "NULL");
    ASSERT_EQ_STR(cell(&b, 2, 1), "{}");
    ASSERT_EQ_STR(cell(&b, 3, 1), "0.01");

    static const struct {
        const char *bytes;
        size_t n;
        const char *frag;
    } bad[] = {
        {"\x02\x04", 2, "union branch index out of range"},
        {"\x02\x02\x04\xc3\x28", 5, "invalid UTF-8"},
        {"\x02\x00\x7f", 3, "truncated varint"}, /* block count -64, then no byte size */
        {"\x02\x00\x7e", 3, "block count exceeds the data"},
        {"\x02\x00\x00\x3b\x9a\xca\x00", 7, "does not fit its precision"}, /* 10^9: 10 digits */
        {"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11, "varint longer than 64 bits"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_clear(&err);
        int rc = avro_decode_append(d, (const uint8_t *)bad[i].bytes, bad[i].n, &b, &err);
        if (rc != TARN_ERR_CORRUPT)
            TFAIL("case %zu: rc %d (%s)", i, rc, err.message);
        ASSERT_ERR_CONTAINS(&err, bad[i].frag);
        ASSERT_EQ_STR(err.sqlstate, "22P02");
        ASSERT_EQ_INT(b.n_rows, 2);
    }
    buf_free(&m);
    batch_destroy(&b);
    avro_decoder_free(d);
}

TEST(avro_confluent_framing)
{
    TarnError err = {0};
    uint32_t id;
    const uint8_t *p;
    size_t n;
    ASSERT_OK(avro_confluent_unframe((const uint8_t *)"\x00\x00\x00\x01\x02\x06", 6, &id, &p, &n, &err), &err);
    ASSERT_EQ_INT(id, 258);
    ASSERT_EQ_INT(n, 1);
    ASSERT_EQ_INT(p[0], 6);
    ASSERT(avro_confluent_unframe((const uint8_t *)"\x01\x00\x00\x00\x01", 5, &id, &p, &n, &err) ==
           TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "magic byte 1");
    err_clear(&err);
    ASSERT(avro_confluent_unframe((const uint8_t *)"\x00\x00", 2, &id, &p, &n, &err) == TARN_ERR_CORRUPT);
}

/* ---- container files ------------------------------------------------------- */

static const char *EV_SCHEMA =
    "{\"type\":\"record\",\"name\":\"ev\",\"namespace\":\"t\",\"fields\":["
    "{\"name\":\"id\",\"type\":\"long\"},"
    "{\"name\":\"name\",\"type\":[\"null\",\"string\"]},"
    "{\"name\":\"score\",\"type\":\"double\"},"
    "{\"name\":\"ok\",\"type\":\"boolean\"},"
    "{\"name\":\"day\",\"type\":{\"type\":\"int\",\"logicalType\":\"date\"}},"
    "{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"string\"}},"
    "{\"name\":\"attrs\",\"type\":{\"type\":\"map\",\"values\":\"int\"}},"
    "{\"name\":\"color\",\"type\":{\"type\":\"enum\",\"name\":\"Color\",\"symbols\":[\"RED\",\"GREEN\"]}},"
    "{\"name\":\"inner\",\"type\":{\"type\":\"record\",\"name\":\"In\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}}"
    "]}";

/* Encodes row i of EV_SCHEMA (the spec's binary encoding, by hand). */
static void encode_ev(Buf *m, int i)
{
    avro_write_long(m, (int64_t)i * 1000003 - 5);
    if (i % 3 == 0)
        avro_write_long(m, 0);
    else {
        char s[32];
        int n = snprintf(s, sizeof s, "n%d", i);
        avro_write_long(m, 1);
        avro_write_bytes(m, s, (size_t)n);
    }
    double dv = i / 4.0;
    buf_append(m, &dv, 8); /* little-endian host */
    buf_append_byte(m, (uint8_t)(i & 1));
    avro_write_long(m, 19000 + i % 100);
    if (i % 3) {
        avro_write_long(m, i % 3);
        for (int k = 0; k < i % 3; k++)
            avro_write_bytes(m, k ? "b" : "a", 1);
    }
    avro_write_long(m, 0);
    if (i % 2) {
        avro_write_long(m, 1);
        avro_write_bytes(m, "k", 1);
        avro_write_long(m, i);
    }
    avro_write_long(m, 0);
    avro_write_long(m, i % 2);
    avro_write_long(m, -i);
}

static const uint8_t SYNC[16] = {0xde, 0xad, 0xbe, 0xef, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* Writes an OCF of `rows` rows in blocks of 1000 with the codec. */
static void write_ocf(const char *path, const char *codec, int rows)
{
    Buf f, blk, z;
    buf_init(&f);
    buf_init(&blk);
    buf_init(&z);
    buf_append(&f, "Obj\x01", 4);
    avro_write_long(&f, 2);
    avro_write_bytes(&f, "avro.schema", 11);
    avro_write_bytes(&f, EV_SCHEMA, strlen(EV_SCHEMA));
    avro_write_bytes(&f, "avro.codec", 10);
    avro_write_bytes(&f, codec, strlen(codec));
    avro_write_long(&f, 0);
    buf_append(&f, SYNC, 16);
    for (int start = 0; start < rows; start += 1000) {
        int n = rows - start < 1000 ? rows - start : 1000;
        buf_clear(&blk);
        for (int i = start; i < start + n; i++)
            encode_ev(&blk, i);
        buf_clear(&z);
        if (!strcmp(codec, "deflate")) {
            z_stream zs;
            memset(&zs, 0, sizeof zs);
            ASSERT(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
            buf_reserve(&z, deflateBound(&zs, blk.len));
            zs.next_in = blk.data;
            zs.avail_in = (uInt)blk.len;
            zs.next_out = z.data;
            zs.avail_out = (uInt)z.cap;
            ASSERT(deflate(&zs, Z_FINISH) == Z_STREAM_END);
            z.len = zs.total_out;
            deflateEnd(&zs);
        } else if (!strcmp(codec, "snappy")) {
            size_t cap = snappy_max_compressed_length(blk.len);
            buf_reserve(&z, cap + 4);
            ASSERT(snappy_compress((const char *)blk.data, blk.len, (char *)z.data, &cap) == SNAPPY_OK);
            z.len = cap;
            uint32_t crc = (uint32_t)crc32(0L, blk.data, (uInt)blk.len);
            uint8_t be[4] = {(uint8_t)(crc >> 24), (uint8_t)(crc >> 16), (uint8_t)(crc >> 8), (uint8_t)crc};
            buf_append(&z, be, 4);
        } else if (!strcmp(codec, "zstandard")) {
            size_t cap = ZSTD_compressBound(blk.len);
            buf_reserve(&z, cap);
            z.len = ZSTD_compress(z.data, cap, blk.data, blk.len, 3);
            ASSERT(!ZSTD_isError(z.len));
        } else {
            buf_append(&z, blk.data, blk.len);
        }
        avro_write_long(&f, n);
        avro_write_long(&f, (int64_t)z.len);
        buf_append(&f, z.data, z.len);
        buf_append(&f, SYNC, 16);
    }
    FILE *fp = fopen(path, "wb");
    ASSERT(fp && fwrite(f.data, 1, f.len, fp) == f.len && fclose(fp) == 0);
    buf_free(&f);
    buf_free(&blk);
    buf_free(&z);
}

static void check_file(const char *path, int rows)
{
    TarnError err = {0};
    AvroFileReader *r = avro_file_open(path, &err);
    ASSERT_NOT_NULL(r, &err);
    const Schema *s = avro_file_schema(r);
    ASSERT_EQ_INT(s->n_fields, 9);
    ASSERT_EQ_STR(type_of(s, 6), "map(text, integer)");
    ASSERT_EQ_STR(type_of(s, 8), "struct(x integer)");
    Batch b;
    ASSERT_OK(batch_init(&b, s), &err);
    int seen = 0, batches = 0;
    for (;;) {
        ASSERT_OK(avro_file_next(r, &b, &err), &err);
        if (b.n_rows == 0)
            break;
        batches++;
        for (uint32_t k = 0; k < b.n_rows; k++, seen++) {
            int i = seen;
            char want[64];
            snprintf(want, sizeof want, "%lld", (long long)i * 1000003 - 5);
            ASSERT_EQ_STR(cell(&b, 0, k), want);
            if (i % 3 == 0)
                ASSERT_EQ_STR(cell(&b, 1, k), "NULL");
            else {
                snprintf(want, sizeof want, "n%d", i);
                ASSERT_EQ_STR(cell(&b, 1, k), want);
            }
            ASSERT_EQ_DBL(VEC_DATA(&b.cols[2], double)[k], i / 4.0);
            ASSERT_EQ_INT(b.cols[3].data[k], i & 1);
            ASSERT_EQ_INT(VEC_DATA(&b.cols[4], int32_t)[k], 19000 + i % 100);
            ASSERT_EQ_STR(cell(&b, 5, k), i % 3 == 0 ? "{}" : i % 3 == 1 ? "{a}" : "{a,b}");
            if (i % 2) {
                snprintf(want, sizeof want, "{\"k\":%d}", i);
                ASSERT_EQ_STR(cell(&b, 6, k), want);
            } else
                ASSERT_EQ_STR(cell(&b, 6, k), "{}");
            ASSERT_EQ_STR(cell(&b, 7, k), i % 2 ? "GREEN" : "RED");
            snprintf(want, sizeof want, "{\"x\":%d}", -i);
            ASSERT_EQ_STR(cell(&b, 8, k), want);
        }
    }
    ASSERT_EQ_INT(seen, rows);
    ASSERT_EQ_INT(avro_file_rows(r), rows);
    ASSERT(batches >= rows / VEC_BATCH_ROWS);
    batch_destroy(&b);
    avro_file_close(r);
}

TEST(avro_container_codecs)
{
    static const char *codecs[] = {"null", "deflate", "snappy", "zstandard"};
    for (size_t c = 0; c < 4; c++) {
        char path[512];
        snprintf(path, sizeof path, "%s/f_%s.avro", test_tmp_dir(), codecs[c]);
        write_ocf(path, codecs[c], 5000);
        check_file(path, 5000);
    }
    char path[512];
    snprintf(path, sizeof path, "%s/f_xz.avro", test_tmp_dir());
    write_ocf(path, "xz", 10);
    TarnError err = {0};
    ASSERT(avro_file_open(path, &err) == NULL);
    ASSERT_ERR_CONTAINS(&err, "unsupported: Avro codec \"xz\"");
}

/* A file built by hand: header, a zstandard block, and corruptions. */

TEST(avro_container_zstd_and_corruption)
{
    TarnError err = {0};
    const char *js = "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"v\",\"type\":\"long\"}]}";
    Buf data, f;
    buf_init(&data);
    buf_init(&f);
    for (int i = 0; i < 3000; i++)
        avro_write_long(&data, i - 1500);
    size_t bound = ZSTD_compressBound(data.len);
    uint8_t *z = malloc(bound);
    size_t zn = ZSTD_compress(z, bound, data.data, data.len, 3);
    ASSERT(!ZSTD_isError(zn));
    static const uint8_t sync[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    buf_append(&f, "Obj\x01", 4);
    avro_write_long(&f, 2);
    avro_write_bytes(&f, "avro.schema", 11);
    avro_write_bytes(&f, js, strlen(js));
    avro_write_bytes(&f, "avro.codec", 10);
    avro_write_bytes(&f, "zstandard", 9);
    avro_write_long(&f, 0);
    buf_append(&f, sync, 16);
    size_t block_at = f.len;
    avro_write_long(&f, 3000);
    avro_write_long(&f, (int64_t)zn);
    buf_append(&f, z, zn);
    buf_append(&f, sync, 16);
    free(z);

    AvroFileReader *r = avro_file_open_mem(f.data, f.len, &err);
    ASSERT_NOT_NULL(r, &err);
    Batch b;
    ASSERT_OK(batch_init(&b, avro_file_schema(r)), &err);
    int64_t sum = 0, n = 0;
    for (;;) {
        ASSERT_OK(avro_file_next(r, &b, &err), &err);
        if (!b.n_rows)
            break;
        for (uint32_t k = 0; k < b.n_rows; k++, n++)
            sum += VEC_DATA(&b.cols[0], int64_t)[k];
    }
    ASSERT_EQ_INT(n, 3000);
    ASSERT_EQ_INT(sum, -1500);
    batch_destroy(&b);
    avro_file_close(r);

    /* wrong sync marker after the block */
    f.data[f.len - 1] ^= 1;
    r = avro_file_open_mem(f.data, f.len, &err);
    ASSERT_NOT_NULL(r, &err);
    ASSERT_OK(batch_init(&b, avro_file_schema(r)), &err);
    ASSERT(avro_file_next(r, &b, &err) == TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "sync marker");
    batch_destroy(&b);
    avro_file_close(r);
    f.data[f.len - 1] ^= 1;

    /* every truncation: an error or fewer rows, never a crash */
    for (size_t cut = 0; cut < f.len; cut += (cut < block_at + 8 ? 1 : 97)) {
        err_clear(&err);
        r = avro_file_open_mem(f.data, cut, &err);
        if (!r) {
            ASSERT(err.kind != 0);
            continue;
        }
        ASSERT_OK(batch_init(&b, avro_file_schema(r)), &err);
        int rc;
        while ((rc = avro_file_next(r, &b, &err)) == 0 && b.n_rows)
            ;
        ASSERT(rc != 0 || cut == block_at);
        batch_destroy(&b);
        avro_file_close(r);
    }
    /* not a container file */
    err_clear(&err);
    ASSERT(avro_file_open_mem((const uint8_t *)"PAR1", 4, &err) == NULL);
    ASSERT_ERR_CONTAINS(&err, "no \"Obj\\x01\" magic");
    buf_free(&data);
    buf_free(&f);
}
