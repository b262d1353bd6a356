/*
 * test_datagen.c - the lineitem generator: deterministic whatever the batch
 * size, values inside their TPC-H ranges, and the checksum it provides.
 */
#include "../test.h"

#include "demo/datagen.h"

static uint64_t checksum_of(uint64_t seed, int64_t rows, uint32_t batch_rows)
{
    Schema s;
    schema_init(&s);
    ASSERT_EQ_INT(datagen_lineitem_schema(&s), 0);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    DatagenState g;
    datagen_init(&g, seed, datagen_scale_for_rows(rows));
    DatagenChecksum c;
    datagen_checksum_init(&c);
    TarnError err;
    err_clear(&err);
    for (int64_t done = 0; done < rows;) {
        uint32_t n = rows - done < batch_rows ? (uint32_t)(rows - done) : batch_rows;
        ASSERT_OK(datagen_lineitem_next(&g, &b, n, &err), &err);
        ASSERT_EQ_INT(b.n_rows, n);
        datagen_checksum_add(&c, &b);
        done += n;
    }
    ASSERT_EQ_INT(c.rows, rows);
    batch_destroy(&b);
    schema_destroy(&s);
    return datagen_checksum_value(&c);
}

TEST(datagen_same_rows_whatever_the_batch_size)
{
    uint64_t a = checksum_of(7, 10000, 2048);
    uint64_t b = checksum_of(7, 10000, 1);
    uint64_t c = checksum_of(7, 10000, 999);
    ASSERT_EQ_U64(a, b);
    ASSERT_EQ_U64(a, c);
    ASSERT(checksum_of(8, 10000, 2048) != a);
    ASSERT(checksum_of(7, 9999, 2048) != a);
}

TEST(datagen_values_in_range)
{
    Schema s;
    schema_init(&s);
    ASSERT_EQ_INT(datagen_lineitem_schema(&s), 0);
    ASSERT_EQ_INT(s.n_fields, DG_N_COLUMNS);
    ASSERT_EQ_STR(s.fields[DG_COMMENT].name, "l_comment");
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    DatagenState g;
    datagen_init(&g, 1, 1.0);
    TarnError err;
    err_clear(&err);
    int64_t last_key = 0;
    int flags[3] = {0, 0, 0};
    for (int round = 0; round < 20; round++) {
        ASSERT_OK(datagen_lineitem_next(&g, &b, VEC_BATCH_ROWS, &err), &err);
        for (uint32_t i = 0; i < b.n_rows; i++) {
            int64_t ok = VEC_DATA(&b.cols[DG_ORDERKEY], int64_t)[i];
            ASSERT(ok >= last_key);
            ASSERT((ok - 1) % 32 < 8);
            last_key = ok;
            int32_t pk = VEC_DATA(&b.cols[DG_PARTKEY], int32_t)[i];
            ASSERT(pk >= 1 && pk <= 200000);
            int32_t sk = VEC_DATA(&b.cols[DG_SUPPKEY], int32_t)[i];
            ASSERT(sk >= 1 && sk <= 10000);
            int32_t ln = VEC_DATA(&b.cols[DG_LINENUMBER], int32_t)[i];
            ASSERT(ln >= 1 && ln <= 7);
            int64_t q = VEC_DATA(&b.cols[DG_QUANTITY], int64_t)[i];
            ASSERT(q >= 100 && q <= 5000 && q % 100 == 0);
            int64_t d = VEC_DATA(&b.cols[DG_DISCOUNT], int64_t)[i];
            ASSERT(d >= 0 && d <= 10);
            int64_t t = VEC_DATA(&b.cols[DG_TAX], int64_t)[i];
            ASSERT(t >= 0 && t <= 8);
            int32_t ship = VEC_DATA(&b.cols[DG_SHIPDATE], int32_t)[i];
            int32_t rec = VEC_DATA(&b.cols[DG_RECEIPTDATE], int32_t)[i];
            ASSERT(rec > ship && rec <= ship + 30);
            StrView f = VEC_DATA(&b.cols[DG_RETURNFLAG], StrView)[i];
            ASSERT_EQ_INT(f.len, 1);
            ASSERT(f.ptr[0] == 'R' || f.ptr[0] == 'A' || f.ptr[0] == 'N');
            flags[f.ptr[0] == 'R' ? 0 : f.ptr[0] == 'A' ? 1 : 2]++;
            ASSERT(f.ptr[0] == 'N' ? rec > 9298 : rec <= 9298);
            StrView st = VEC_DATA(&b.cols[DG_LINESTATUS], StrView)[i];
            ASSERT(st.len == 1 && (st.ptr[0] == 'O') == (ship > 9298));
            StrView c = VEC_DATA(&b.cols[DG_COMMENT], StrView)[i];
            ASSERT(c.len >= 10 && c.len <= 43);
            ASSERT(c.ptr[0] != ' ' && c.ptr[c.len - 1] != ' ');
            StrView m = VEC_DATA(&b.cols[DG_SHIPMODE], StrView)[i];
            ASSERT(m.len >= 3 && m.len <= 7);
        }
    }
    ASSERT(flags[0] > 1000 && flags[1] > 1000 && flags[2] > 1000);
    batch_destroy(&b);
    schema_destroy(&s);
}

TEST(datagen_zero_rows)
{
    Schema s;
    schema_init(&s);
    ASSERT_EQ_INT(datagen_lineitem_schema(&s), 0);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    DatagenState g;
    datagen_init(&g, 1, 0.0);
    TarnError err;
    err_clear(&err);
    ASSERT_OK(datagen_lineitem_next(&g, &b, 0, &err), &err);
    ASSERT_EQ_INT(b.n_rows, 0);
    batch_destroy(&b);
    schema_destroy(&s);
}
