/*
 * test_thrift.c - Thrift compact protocol primitives: varint and zigzag
 * boundaries, field headers (short and long form, bool-in-type), list and
 * map headers (short and long size form), skipping, depth limit and
 * hostile inputs.  Byte sequences come from the compact protocol spec.
 */
#include "format/parquet/thrift.h"

#include "../test.h"

/* Asserts the buffer holds exactly want[0..n), printing it otherwise. */
static void check_bytes(const Buf *b, const uint8_t *want, size_t n)
{
    if (b->len != n) {
        fprintf(stderr, "got %zu bytes:", b->len);
        for (size_t i = 0; i < b->len; i++)
            fprintf(stderr, " %02x", b->data[i]);
        fprintf(stderr, "\n");
    }
    ASSERT_EQ_INT(b->len, n);
    ASSERT_EQ_MEM(b->data, want, n);
}

TEST(thrift_varint_boundaries)
{
    static const uint64_t vals[] = {0, 1, 127, 128, 16383, 16384, 0x7fffffff, 0xffffffffu,
                                    (uint64_t)1 << 62, UINT64_MAX - 1, UINT64_MAX};
    static const size_t lens[] = {1, 1, 1, 2, 2, 3, 5, 5, 9, 10, 10};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        Buf b;
        buf_init(&b);
        ThriftWriter w;
        thrift_writer_init(&w, &b);
        thrift_write_uvarint(&w, vals[i]);
        ASSERT_EQ_INT(w.rc, 0);
        ASSERT_EQ_INT(b.len, lens[i]);
        ThriftReader r;
        thrift_reader_init(&r, b.data, b.len, "test", NULL);
        ASSERT_EQ_U64(thrift_read_uvarint(&r), vals[i]);
        ASSERT_EQ_INT(r.rc, 0);
        ASSERT_EQ_INT(thrift_remaining(&r), 0);
        /* every strict prefix is truncated */
        for (size_t k = 0; k < b.len; k++) {
            thrift_reader_init(&r, b.data, k, "test", NULL);
            thrift_read_uvarint(&r);
            ASSERT_EQ_INT(r.rc, TARN_ERR_CORRUPT);
        }
        buf_free(&b);
    }
    /* 128 = 0x80 0x01 (spec example) */
    uint8_t v128[] = {0x80, 0x01};
    ThriftReader r;
    thrift_reader_init(&r, v128, 2, "test", NULL);
    ASSERT_EQ_U64(thrift_read_uvarint(&r), 128);
}

TEST(thrift_varint_overlong)
{
    TarnError err = {0};
    /* 11 continuation bytes */
    uint8_t b11[11];
    memset(b11, 0x80, sizeof b11);
    ThriftReader r;
    thrift_reader_init(&r, b11, sizeof b11, "test", &err);
    thrift_read_uvarint(&r);
    ASSERT_EQ_INT(r.rc, TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "varint");
    /* tenth byte carrying more than the 64th bit */
    uint8_t b10[10];
    memset(b10, 0xff, 9);
    b10[9] = 0x02;
    err_clear(&err);
    thrift_reader_init(&r, b10, sizeof b10, "test", &err);
    thrift_read_uvarint(&r);
    ASSERT_EQ_INT(r.rc, TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "overflows");
    /* the same with 0x01: UINT64_MAX, fine */
    b10[9] = 0x01;
    thrift_reader_init(&r, b10, sizeof b10, "test", NULL);
    ASSERT_EQ_U64(thrift_read_uvarint(&r), UINT64_MAX);
    ASSERT_EQ_INT(r.rc, 0);
}

TEST(thrift_zigzag_values)
{
    ASSERT_EQ_U64(thrift_zigzag(0), 0);
    ASSERT_EQ_U64(thrift_zigzag(-1), 1);
    ASSERT_EQ_U64(thrift_zigzag(1), 2);
    ASSERT_EQ_U64(thrift_zigzag(-2), 3);
    ASSERT_EQ_U64(thrift_zigzag(INT64_MAX), UINT64_MAX - 1);
    ASSERT_EQ_U64(thrift_zigzag(INT64_MIN), UINT64_MAX);
    static const int64_t vals[] = {0, -1, 1, 63, -64, 64, -65, INT32_MAX, INT32_MIN,
                                   INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        ASSERT_EQ_INT(thrift_unzigzag(thrift_zigzag(vals[i])), vals[i]);
}

TEST(thrift_int_ranges)
{
    /* i32 reads reject values outside int32; i16 outside int16 */
    static const struct {
        int64_t v;
        int ok32, ok16;
    } cases[] = {
        {0, 1, 1}, {INT16_MAX, 1, 1}, {INT16_MAX + 1, 1, 0}, {INT16_MIN, 1, 1},
        {INT16_MIN - 1, 1, 0}, {INT32_MAX, 1, 0}, {(int64_t)INT32_MAX + 1, 0, 0},
        {INT32_MIN, 1, 0}, {(int64_t)INT32_MIN - 1, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Buf b;
        buf_init(&b);
        ThriftWriter w;
        thrift_writer_init(&w, &b);
        thrift_write_i64(&w, cases[i].v);
        ThriftReader r;
        thrift_reader_init(&r, b.data, b.len, "test", NULL);
        int32_t v32 = thrift_read_i32(&r);
        ASSERT_EQ_INT(r.rc == 0, cases[i].ok32);
        if (cases[i].ok32)
            ASSERT_EQ_INT(v32, cases[i].v);
        thrift_reader_init(&r, b.data, b.len, "test", NULL);
        int16_t v16 = thrift_read_i16(&r);
        ASSERT_EQ_INT(r.rc == 0, cases[i].ok16);
        if (cases[i].ok16)
            ASSERT_EQ_INT(v16, cases[i].v);
        buf_free(&b);
    }
}

TEST(thrift_field_headers_known_bytes)
{
    Buf b;
    buf_init(&b);
    ThriftWriter w;
    thrift_writer_init(&w, &b);
    thrift_write_i32_field(&w, 1, 0);       /* 0x15 0x00 */
    thrift_write_i32_field(&w, 16, -1);     /* delta 15: 0xf5 0x01 */
    thrift_write_i64_field(&w, 33, 1);      /* delta 17: long form 0x06 zz(33)=0x42, 0x02 */
    thrift_write_bool_field(&w, 34, true);  /* 0x11 */
    thrift_write_bool_field(&w, 35, false); /* 0x12 */
    thrift_write_i8_field(&w, 3, -2);       /* backwards: 0x03 0x06 0xfe */
    thrift_write_binary_field(&w, 4, "ab", 2); /* 0x18 0x02 'a' 'b' */
    thrift_write_double_field(&w, 5, 1.0);  /* 0x17 + 8 LE bytes */
    thrift_write_struct_field(&w, 6);       /* 0x1c */
    thrift_write_i16_field(&w, 1, -3);      /* 0x14 0x05 */
    thrift_write_struct_end(&w);            /* 0x00 */
    thrift_write_stop(&w);                  /* 0x00 */
    ASSERT_EQ_INT(w.rc, 0);
    static const uint8_t want[] = {0x15, 0x00, 0xf5, 0x01, 0x06, 0x42, 0x02, 0x11, 0x12,
                                   0x03, 0x06, 0xfe, 0x18, 0x02, 'a',  'b',  0x17, 0,
                                   0,    0,    0,    0,    0,    0xf0, 0x3f, 0x1c, 0x14,
                                   0x05, 0x00, 0x00};
    check_bytes(&b, want, sizeof want);

    ThriftReader r;
    TarnError err = {0};
    thrift_reader_init(&r, b.data, b.len, "test", &err);
    ASSERT(thrift_struct_begin(&r));
    int16_t last = 0, id;
    int ft;
    ASSERT(thrift_read_field(&r, &last, &id, &ft));
    ASSERT_EQ_INT(id, 1);
    ASSERT_EQ_INT(ft, THRIFT_I32);
    ASSERT_EQ_INT(thrift_read_i32(&r), 0);
    ASSERT(thrift_read_field(&r, &last, &id, &ft));
    ASSERT_EQ_INT(id, 16);
    ASSERT_EQ_INT(thrift_read_i32(&r), -1);
    ASSERT(thrift_read_field(&r, &last, &id, &ft));
    ASSERT_EQ_INT(id, 33);
    ASSERT_EQ_INT(ft, THRIFT_I64);
    ASSERT_EQ_INT(thrift_read_i64(&r), 1);
    ASSERT(thrift_read_field(&r, &last, &id, &ft));
    ASSERT_EQ_INT(id, 34);
    ASSERT(thrift_read_bool(&r, ft));
    ASSERT(thrift_read_field(&r, &last, &id, &ft));
    ASSERT_EQ_INT(id, 35);
    ASSERT(!thrift_read_bool(&r, ft));
    ASSERT(thrift_read_field(&r, &last, &id, &ft));
    ASSERT_EQ_INT(id, 3);
    ASSERT_EQ_INT(thrift_read_i8(&r), -2);
    ASSERT(thrift_read_field(&r, &last, &id, &ft));
    ASSERT_EQ_INT(id, 4);
    const uint8_t *p;
    uint32_t n;
    thrift_read_binary(&r, &p, &n);
    ASSERT_EQ_INT(n, 2);
    ASSERT_EQ_MEM(p, "ab", 2);
    ASSERT(thrift_read_field(&r, &last, &id, &ft));
    ASSERT_EQ_INT(id, 5);
    ASSERT_EQ_DBL(thrift_read_double(&r), 1.0);
    ASSERT(thrift_read_field(&r, &last, &id, &ft));
    ASSERT_EQ_INT(id, 6);
    ASSERT_EQ_INT(ft, THRIFT_STRUCT);
    thrift_skip(&r, ft);
    ASSERT(!thrift_read_field(&r, &last, &id, &ft));
    ASSERT_EQ_INT(r.rc, 0);
    ASSERT_EQ_INT(thrift_remaining(&r), 0);
    buf_free(&b);
}

TEST(thrift_list_and_map_headers)
{
    Buf b;
    buf_init(&b);
    ThriftWriter w;
    thrift_writer_init(&w, &b);
    thrift_write_list(&w, THRIFT_I32, 14);  /* 0xe5 */
    thrift_write_list(&w, THRIFT_I32, 15);  /* 0xf5 0x0f */
    thrift_write_list(&w, THRIFT_BINARY, 300); /* 0xf8 0xac 0x02 */
    thrift_write_map(&w, THRIFT_BINARY, THRIFT_I32, 0); /* 0x00 */
    thrift_write_map(&w, THRIFT_BINARY, THRIFT_I32, 2); /* 0x02 0x85 */
    static const uint8_t want[] = {0xe5, 0xf5, 0x0f, 0xf8, 0xac, 0x02, 0x00, 0x02, 0x85};
    check_bytes(&b, want, sizeof want);

    /* Reading them back needs the elements' bytes to be there: pad. */
    uint8_t big[1024];
    memcpy(big, want, sizeof want);
    memset(big + sizeof want, 0, sizeof big - sizeof want);
    ThriftReader r;
    thrift_reader_init(&r, big, sizeof big, "test", NULL);
    int et, kt, vt;
    uint32_t cnt;
    ASSERT(thrift_read_list(&r, 1000, &et, &cnt));
    ASSERT_EQ_INT(cnt, 14);
    ASSERT_EQ_INT(et, THRIFT_I32);
    ASSERT(thrift_read_list(&r, 1000, &et, &cnt));
    ASSERT_EQ_INT(cnt, 15);
    ASSERT(thrift_read_list(&r, 1000, &et, &cnt));
    ASSERT_EQ_INT(cnt, 300);
    ASSERT_EQ_INT(et, THRIFT_BINARY);
    ASSERT(thrift_read_map(&r, 1000, &kt, &vt, &cnt));
    ASSERT_EQ_INT(cnt, 0);
    ASSERT(thrift_read_map(&r, 1000, &kt, &vt, &cnt));
    ASSERT_EQ_INT(cnt, 2);
    ASSERT_EQ_INT(kt, THRIFT_BINARY);
    ASSERT_EQ_INT(vt, THRIFT_I32);
    ASSERT_EQ_INT(r.rc, 0);

    /* limit: 300 elements with max 299 fails, with 300 passes */
    thrift_reader_init(&r, big + 3, sizeof big - 3, "test", NULL);
    ASSERT(!thrift_read_list(&r, 299, &et, &cnt));
    ASSERT_EQ_INT(r.rc, TARN_ERR_CORRUPT);
    thrift_reader_init(&r, big + 3, sizeof big - 3, "test", NULL);
    ASSERT(thrift_read_list(&r, 300, &et, &cnt));

    /* bool element type: 1 and 2 both mean bool */
    uint8_t bl[] = {0x32, 0x01, 0x02, 0x00, 0x21, 0x01, 0x02};
    thrift_reader_init(&r, bl, sizeof bl, "test", NULL);
    ASSERT(thrift_read_list(&r, 10, &et, &cnt));
    ASSERT_EQ_INT(et, THRIFT_TRUE);
    ASSERT_EQ_INT(cnt, 3);
    ASSERT(thrift_read_bool(&r, 0));
    ASSERT(!thrift_read_bool(&r, 0));
    ASSERT(!thrift_read_bool(&r, 0));
    ASSERT(thrift_read_list(&r, 10, &et, &cnt));
    ASSERT_EQ_INT(et, THRIFT_TRUE);
    ASSERT_EQ_INT(cnt, 2);
    buf_free(&b);
}

TEST(thrift_hostile_counts_and_lengths)
{
    TarnError err = {0};
    ThriftReader r;
    int et, kt, vt;
    uint32_t cnt;
    /* list claiming 2^31 elements with 3 bytes left */
    uint8_t l1[] = {0xf5, 0x80, 0x80, 0x80, 0x80, 0x08, 0, 0, 0};
    thrift_reader_init(&r, l1, sizeof l1, "test", &err);
    ASSERT(!thrift_read_list(&r, UINT32_MAX, &et, &cnt));
    ASSERT_EQ_INT(r.rc, TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "bytes left");
    /* list count beyond 32 bits */
    uint8_t l2[] = {0xf5, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    thrift_reader_init(&r, l2, sizeof l2, "test", NULL);
    ASSERT(!thrift_read_list(&r, UINT32_MAX, &et, &cnt));
    /* list with exactly as many elements as bytes: passes the header check */
    uint8_t l3[] = {0x35, 0, 0, 0};
    thrift_reader_init(&r, l3, sizeof l3, "test", NULL);
    ASSERT(thrift_read_list(&r, UINT32_MAX, &et, &cnt));
    ASSERT_EQ_INT(cnt, 3);
    thrift_reader_init(&r, l3, 3, "test", NULL);
    ASSERT(!thrift_read_list(&r, UINT32_MAX, &et, &cnt));
    /* map needing 2 bytes per entry */
    uint8_t m1[] = {0x02, 0x55, 0, 0, 0};
    thrift_reader_init(&r, m1, 5, "test", NULL);
    ASSERT(!thrift_read_map(&r, UINT32_MAX, &kt, &vt, &cnt));
    thrift_reader_init(&r, m1, 5, "test", NULL);
    m1[0] = 0x01;
    ASSERT(thrift_read_map(&r, UINT32_MAX, &kt, &vt, &cnt));
    /* binary longer than the input */
    uint8_t b1[] = {0x05, 'a', 'b', 'c', 'd'};
    const uint8_t *p;
    uint32_t n;
    thrift_reader_init(&r, b1, sizeof b1, "test", NULL);
    thrift_read_binary(&r, &p, &n);
    ASSERT_EQ_INT(r.rc, TARN_ERR_CORRUPT);
    b1[0] = 0x04;
    thrift_reader_init(&r, b1, sizeof b1, "test", NULL);
    thrift_read_binary(&r, &p, &n);
    ASSERT_EQ_INT(r.rc, 0);
    ASSERT_EQ_INT(n, 4);
    /* bad element / field types */
    uint8_t t1[] = {0x1d};
    thrift_reader_init(&r, t1, 1, "test", NULL);
    ASSERT(!thrift_read_list(&r, 10, &et, &cnt));
    ASSERT_EQ_INT(r.rc, TARN_ERR_CORRUPT);
    int16_t last = 0, id;
    int ft;
    uint8_t f1[] = {0x1e, 0x00};
    thrift_reader_init(&r, f1, 2, "test", NULL);
    ASSERT(!thrift_read_field(&r, &last, &id, &ft));
    ASSERT_EQ_INT(r.rc, TARN_ERR_CORRUPT);
    /* delta pushing the id past 32767 */
    uint8_t f2[] = {0x05, 0xfc, 0xff, 0x03, 0x00, 0xf5, 0x00};
    last = 0;
    thrift_reader_init(&r, f2, sizeof f2, "test", NULL);
    ASSERT(thrift_read_field(&r, &last, &id, &ft));
    ASSERT_EQ_INT(id, 32766);
    thrift_read_i32(&r);
    ASSERT(!thrift_read_field(&r, &last, &id, &ft));
    ASSERT_EQ_INT(r.rc, TARN_ERR_CORRUPT);
    /* sticky: later reads return zeros */
    ASSERT_EQ_INT(thrift_read_i64(&r), 0);
    ASSERT_EQ_INT(r.rc, TARN_ERR_CORRUPT);
}

/* Builds `depth` nested values of one container kind around an i32. */
static void build_nested(Buf *b, int kind, int depth)
{
    ThriftWriter w;
    thrift_writer_init(&w, b);
    for (int i = 0; i < depth; i++) {
        if (kind == THRIFT_STRUCT) {
            /* raw: field 1 of type struct */
            thrift_write_byte(&w, 0x1c);
        } else if (kind == THRIFT_LIST) {
            thrift_write_list(&w, i + 1 < depth ? THRIFT_LIST : THRIFT_I32, 1);
        } else {
            thrift_write_map(&w, THRIFT_I32, i + 1 < depth ? THRIFT_MAP : THRIFT_I32, 1);
            thrift_write_i32(&w, 7);
        }
    }
    if (kind == THRIFT_STRUCT) {
        /* STOPs for the nested structs and the enclosing one */
        for (int i = 0; i <= depth; i++)
            thrift_write_byte(&w, 0);
    } else {
        thrift_write_i32(&w, 5);
    }
}

TEST(thrift_skip_depth_limit)
{
    int kinds[] = {THRIFT_STRUCT, THRIFT_LIST, THRIFT_MAP};
    for (int k = 0; k < 3; k++) {
        for (int depth = 1; depth <= THRIFT_MAX_DEPTH + 2; depth++) {
            Buf b;
            buf_init(&b);
            build_nested(&b, kinds[k], depth);
            ThriftReader r;
            TarnError err = {0};
            thrift_reader_init(&r, b.data, b.len, "test", &err);
            if (kinds[k] == THRIFT_STRUCT) {
                /* b holds the field stream of depth structs minus the outer
                 * one: skip it as the body of one struct. */
                thrift_skip(&r, THRIFT_STRUCT);
            } else {
                thrift_skip(&r, kinds[k]);
            }
            /* a struct stream is skipped as the body of one more struct */
            int levels = kinds[k] == THRIFT_STRUCT ? depth + 1 : depth;
            if (levels <= THRIFT_MAX_DEPTH) {
                if (r.rc)
                    TFAIL("kind %d depth %d: %s", kinds[k], depth, err.message);
                ASSERT_EQ_INT(thrift_remaining(&r), 0);
                ASSERT_EQ_INT(r.depth, 0);
            } else {
                ASSERT_EQ_INT(r.rc, TARN_ERR_CORRUPT);
                ASSERT_ERR_CONTAINS(&err, "nesting");
            }
            buf_free(&b);
        }
    }
}

TEST(thrift_skip_every_type)
{
    /* One struct holding a field of every type, incl. containers of bools
     * and structs; skipping it must consume exactly its bytes. */
    Buf b;
    buf_init(&b);
    ThriftWriter w;
    thrift_writer_init(&w, &b);
    thrift_write_bool_field(&w, 1, true);
    thrift_write_bool_field(&w, 2, false);
    thrift_write_i8_field(&w, 3, -128);
    thrift_write_i16_field(&w, 4, -32768);
    thrift_write_i32_field(&w, 5, INT32_MIN);
    thrift_write_i64_field(&w, 6, INT64_MIN);
    thrift_write_double_field(&w, 7, -0.5);
    thrift_write_binary_field(&w, 8, "xyz", 3);
    thrift_write_field(&w, THRIFT_LIST, 9);
    thrift_write_list(&w, THRIFT_TRUE, 3);
    thrift_write_bool(&w, true);
    thrift_write_bool(&w, false);
    thrift_write_byte(&w, 0); /* old-style false */
    thrift_write_field(&w, THRIFT_SET, 10);
    thrift_write_list(&w, THRIFT_BINARY, 2);
    thrift_write_binary(&w, "a", 1);
    thrift_write_binary(&w, "", 0);
    thrift_write_field(&w, THRIFT_MAP, 11);
    thrift_write_map(&w, THRIFT_BINARY, THRIFT_TRUE, 1);
    thrift_write_binary(&w, "k", 1);
    thrift_write_bool(&w, true);
    thrift_write_field(&w, THRIFT_MAP, 12);
    thrift_write_map(&w, THRIFT_I32, THRIFT_I32, 0);
    thrift_write_field(&w, THRIFT_LIST, 13);
    thrift_write_list(&w, THRIFT_STRUCT, 2);
    thrift_write_struct_begin(&w);
    thrift_write_i32_field(&w, 1, 1);
    thrift_write_struct_end(&w);
    thrift_write_struct_begin(&w);
    thrift_write_struct_end(&w);
    thrift_write_struct_field(&w, 300);
    thrift_write_field(&w, THRIFT_LIST, 1);
    thrift_write_list(&w, THRIFT_LIST, 1);
    thrift_write_list(&w, THRIFT_DOUBLE, 1);
    thrift_write_bytes(&w, "\0\0\0\0\0\0\0\0", 8);
    thrift_write_struct_end(&w);
    thrift_write_field(&w, THRIFT_LIST, 301);
    thrift_write_list(&w, THRIFT_I8, 0);
    thrift_write_stop(&w);
    ASSERT_EQ_INT(w.rc, 0);
    /* followed by a sentinel byte */
    buf_append_byte(&b, 0xAB);

    ThriftReader r;
    TarnError err = {0};
    thrift_reader_init(&r, b.data, b.len, "test", &err);
    thrift_skip(&r, THRIFT_STRUCT);
    if (r.rc)
        TFAIL("%s", err.message);
    ASSERT_EQ_INT(thrift_remaining(&r), 1);
    ASSERT_EQ_INT(*r.p, 0xAB);

    /* every strict prefix fails cleanly */
    for (size_t k = 0; k + 1 < b.len; k++) {
        thrift_reader_init(&r, b.data, k, "test", NULL);
        thrift_skip(&r, THRIFT_STRUCT);
        ASSERT_EQ_INT(r.rc, TARN_ERR_CORRUPT);
    }
    buf_free(&b);
}

TEST(thrift_writer_nomem)
{
    for (long n = 1; n < 5; n++) {
        Buf b;
        buf_init(&b);
        ThriftWriter w;
        thrift_writer_init(&w, &b);
        mem_fail_after(n);
        for (int i = 0; i < 1000; i++)
            thrift_write_i64_field(&w, (int16_t)(i % 100 + 1), i);
        mem_fail_after(0);
        ASSERT_EQ_INT(w.rc, TARN_ERR_NOMEM);
        buf_free(&b);
    }
}
