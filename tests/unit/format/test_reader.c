/* test_reader.c - the Parquet reader on files other writers made
 * (../shared/testdata), projection, predicate skipping, and hostile input:
 * truncation, byte corruption and allocation failure. */
#include "../test.h"

#include <fcntl.h>
#include <unistd.h>

#include "format/parquet/reader.h"

static char path_buf[2048];

static const char *data_file(const char *name)
{
    const char *d = test_shared_dir();
    if (!d)
        SKIP("shared test data not found");
    snprintf(path_buf, sizeof path_buf, "%s/parquet/parquet-testing/data/%s", d, name);
    return path_buf;
}

/* Reads every batch; returns rc and the row count. */
static int read_all(PqReader *r, int64_t *rows, TarnError *err)
{
    Batch b;
    if (batch_init(&b, pq_reader_schema(r)))
        return ERR_NOMEM(err, 0);
    int rc;
    *rows = 0;
    for (;;) {
        rc = pq_reader_next(r, &b, err);
        if (rc || b.n_rows == 0)
            break;
        *rows += b.n_rows;
    }
    batch_destroy(&b);
    return rc;
}

TEST(reader_missing_file_is_not_found)
{
    TarnError err = {0};
    PqReader *r = pq_reader_open("/nonexistent/x.parquet", NULL, &err);
    ASSERT(r == NULL);
    ASSERT_EQ_INT(err.kind, TARN_ERR_NOT_FOUND);
    ASSERT_ERR_CONTAINS(&err, "x.parquet");
}

TEST(reader_not_parquet_is_corrupt)
{
    char p[512];
    snprintf(p, sizeof p, "%s/junk.parquet", test_tmp_dir());
    FILE *f = fopen(p, "wb");
    fputs("this is certainly not a parquet file at all", f);
    fclose(f);
    TarnError err = {0};
    PqReader *r = pq_reader_open(p, NULL, &err);
    ASSERT(r == NULL);
    ASSERT_EQ_INT(err.kind, TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "not a Parquet file");
}

TEST(reader_projection_and_values)
{
    TarnError err = {0};
    const char *cols[] = {"bool_col", "id"};
    PqReadOptions o;
    pq_read_options_default(&o);
    o.columns = cols;
    o.n_columns = 2;
    PqReader *r = pq_reader_open(data_file("alltypes_plain.parquet"), &o, &err);
    ASSERT_NOT_NULL(r, &err);
    const Schema *s = pq_reader_schema(r);
    ASSERT_EQ_INT(s->n_fields, 2);
    ASSERT_EQ_STR(s->fields[0].name, "bool_col");
    ASSERT_EQ_INT(s->fields[1].type.id, TYPE_INT32);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, s), 0);
    ASSERT_OK(pq_reader_next(r, &b, &err), &err);
    ASSERT_EQ_INT(b.n_rows, 8);
    static const int ids[] = {4, 5, 6, 7, 2, 3, 0, 1};
    for (int i = 0; i < 8; i++) {
        ASSERT_EQ_INT(VEC_DATA(&b.cols[1], int32_t)[i], ids[i]);
        ASSERT_EQ_INT(b.cols[0].data[i], ids[i] % 2 == 0);
    }
    ASSERT_OK(pq_reader_next(r, &b, &err), &err);
    ASSERT_EQ_INT(b.n_rows, 0);
    batch_destroy(&b);
    pq_reader_close(r);
}

TEST(reader_unknown_column_names_the_columns)
{
    TarnError err = {0};
    const char *cols[] = {"nope"};
    PqReadOptions o;
    pq_read_options_default(&o);
    o.columns = cols;
    o.n_columns = 1;
    PqReader *r = pq_reader_open(data_file("alltypes_plain.parquet"), &o, &err);
    ASSERT(r == NULL);
    ASSERT_EQ_INT(err.kind, TARN_ERR_NOT_FOUND);
    ASSERT_ERR_CONTAINS(&err, "column \"nope\" does not exist");
    ASSERT(strstr(err.hint, "bool_col"));
}

TEST(reader_page_index_skips_pages)
{
    /* alltypes_tiny_pages has a page index (parquet-mr); id = 122 matches
     * one row, so most pages can be skipped and the row must survive. */
    TarnError err = {0};
    PqPredicate pred = {.column = "id", .op = PQ_CMP_EQ, .value = value_i64(TYPE_INT64, 122)};
    PqReadOptions o;
    pq_read_options_default(&o);
    o.preds = &pred;
    o.n_preds = 1;
    const char *cols[] = {"id", "string_col"};
    o.columns = cols;
    o.n_columns = 2;
    PqReader *r = pq_reader_open(data_file("alltypes_tiny_pages.parquet"), &o, &err);
    ASSERT_NOT_NULL(r, &err);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, pq_reader_schema(r)), 0);
    int64_t rows = 0;
    bool found = false;
    for (;;) {
        ASSERT_OK(pq_reader_next(r, &b, &err), &err);
        if (!b.n_rows)
            break;
        for (uint32_t i = 0; i < b.n_rows; i++) {
            if (VEC_DATA(&b.cols[0], int32_t)[i] == 122) {
                found = true;
                StrView sv = VEC_DATA(&b.cols[1], StrView)[i];
                ASSERT(sv.len == 1 && sv.ptr[0] == '2');
            }
        }
        rows += b.n_rows;
    }
    PqReadStats st;
    pq_reader_stats(r, &st);
    ASSERT(found);
    ASSERT(rows < 7300);
    ASSERT(st.pages_skipped > 0);
    batch_destroy(&b);
    pq_reader_close(r);
}

TEST(reader_statistics_skip_row_groups)
{
    /* floating_orders_nan_count has 5 row groups; a predicate outside every
     * group's range must skip all of them without reading data. */
    TarnError err = {0};
    PqPredicate pred = {.column = "int_value", .op = PQ_CMP_GT, .value = value_i64(TYPE_INT64, 1000000)};
    PqReadOptions o;
    pq_read_options_default(&o);
    o.preds = &pred;
    o.n_preds = 1;
    PqReader *r = pq_reader_open(data_file("delta_binary_packed.parquet"), &o, &err);
    /* column int_value: see delta_binary_packed_expect.csv */
    ASSERT_NOT_NULL(r, &err);
    int64_t rows = 0;
    ASSERT_OK(read_all(r, &rows, &err), &err);
    PqReadStats st;
    pq_reader_stats(r, &st);
    /* The file may lack statistics for that column; then nothing is skipped
     * but every row is still returned. */
    ASSERT(rows == 0 || rows == 200);
    ASSERT(rows == 0 ? st.row_groups_skipped == 1 : st.row_groups_skipped == 0);
    pq_reader_close(r);
}

static uint8_t *slurp(const char *p, size_t *n)
{
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *d = malloc((size_t)len);
    if (fread(d, 1, (size_t)len, f) != (size_t)len) {
        free(d);
        d = NULL;
    }
    fclose(f);
    *n = (size_t)len;
    return d;
}

typedef struct MemSrc {
    const uint8_t *p;
    size_t n;
} MemSrc;

static int mem_read(void *ctx, uint64_t off, size_t len, void *buf, TarnError *err)
{
    MemSrc *m = ctx;
    if (off > m->n || len > m->n - off)
        return err_set(err, TARN_ERR_CORRUPT, "read past end");
    memcpy(buf, m->p + off, len);
    return 0;
}

static int read_mem(const uint8_t *p, size_t n, int64_t *rows, TarnError *err)
{
    MemSrc m = {p, n};
    PqSource src = {.ctx = &m, .size = n, .read = mem_read, .close = NULL, .name = "mem"};
    PqReader *r = pq_reader_open_source(src, NULL, err);
    if (!r)
        return err->kind;
    int rc = read_all(r, rows, err);
    pq_reader_close(r);
    return rc;
}

static const char *hostile_files[] = {"nullable.impala.parquet", "alltypes_tiny_pages.parquet",
                                      "delta_byte_array.parquet", "datapage_v2.snappy.parquet",
                                      "byte_stream_split_extended.gzip.parquet", "nested_maps.snappy.parquet"};

TEST(reader_truncated_files_fail_cleanly)
{
    for (size_t f = 0; f < sizeof hostile_files / sizeof *hostile_files; f++) {
        size_t n;
        uint8_t *d = slurp(data_file(hostile_files[f]), &n);
        ASSERT(d);
        for (size_t cut = 0; cut < n; cut += 1 + n / 97) {
            TarnError err = {0};
            int64_t rows;
            int rc = read_mem(d, cut, &rows, &err);
            ASSERT(rc != 0);
            ASSERT(err.message[0]);
        }
        free(d);
    }
}

TEST(reader_corrupted_bytes_never_crash)
{
    uint64_t seed = 12345;
    for (size_t f = 0; f < sizeof hostile_files / sizeof *hostile_files; f++) {
        size_t n;
        uint8_t *d = slurp(data_file(hostile_files[f]), &n);
        ASSERT(d);
        uint8_t *copy = malloc(n);
        for (int iter = 0; iter < 300; iter++) {
            memcpy(copy, d, n);
            int flips = 1 + iter % 4;
            for (int k = 0; k < flips; k++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                size_t pos = (size_t)(seed >> 33) % n;
                copy[pos] ^= (uint8_t)(1u << ((seed >> 20) & 7));
            }
            TarnError err = {0};
            int64_t rows;
            int rc = read_mem(copy, n, &rows, &err);
            if (rc)
                ASSERT(err.message[0]);
        }
        free(copy);
        free(d);
    }
}

TEST(reader_allocation_failures_are_clean)
{
    size_t n;
    uint8_t *d = slurp(data_file("nullable.impala.parquet"), &n);
    ASSERT(d);
    int64_t want = -1;
    for (long k = 1; k < 2000; k++) {
        TarnError err = {0};
        int64_t rows = 0;
        mem_fail_after(k);
        int rc = read_mem(d, n, &rows, &err);
        mem_fail_after(0);
        if (rc == 0) {
            want = rows;
            break;
        }
        if (err.kind != TARN_ERR_NOMEM)
            TFAIL("allocation %ld: kind %d: %s | %s", k, err.kind, err.message, err.context);
    }
    ASSERT_EQ_INT(want, 7);
    free(d);
}

#include "format/parquet/writer.h"

/* Regression: dictionary strings of a compressed chunk must stay valid for
 * every batch of the chunk, not only the first (the decompressed dictionary
 * page lives as long as the chunk). */
TEST(reader_dictionary_strings_valid_across_batches)
{
    Schema s;
    schema_init(&s);
    ASSERT_EQ_INT(schema_add(&s, "k", type_simple(TYPE_STRING), true), 0);
    ASSERT_EQ_INT(schema_add(&s, "i", type_simple(TYPE_INT64), false), 0);
    char p[512];
    snprintf(p, sizeof p, "%s/dict.parquet", test_tmp_dir());
    PqWriteOptions wo;
    pq_write_options_default(&wo);
    wo.codec = PQ_CODEC_SNAPPY;
    TarnError err = {0};
    PqWriter *w = pq_writer_open(p, &s, &wo, &err);
    ASSERT_NOT_NULL(w, &err);
    static const char *vals[] = {"alpha", "bravo", "charlie", "delta", "echo"};
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    const int total = 50000;
    for (int i = 0; i < total; i++) {
        if (i % 11 == 0)
            ASSERT_EQ_INT(vec_append_null(&b.cols[0]), 0);
        else
            ASSERT_EQ_INT(vec_append_str(&b.cols[0], vals[i % 5], strlen(vals[i % 5])), 0);
        ASSERT_EQ_INT(vec_append_i64(&b.cols[1], i), 0);
        b.n_rows++;
    }
    ASSERT_OK(pq_writer_write(w, &b, &err), &err);
    ASSERT_OK(pq_writer_close(w, &err), &err);
    batch_destroy(&b);

    PqReader *r = pq_reader_open(p, NULL, &err);
    ASSERT_NOT_NULL(r, &err);
    ASSERT_EQ_INT(batch_init(&b, pq_reader_schema(r)), 0);
    int seen = 0;
    for (;;) {
        ASSERT_OK(pq_reader_next(r, &b, &err), &err);
        if (!b.n_rows)
            break;
        for (uint32_t j = 0; j < b.n_rows; j++) {
            int64_t i = VEC_DATA(&b.cols[1], int64_t)[j];
            ASSERT_EQ_INT(i, seen);
            if (i % 11 == 0) {
                ASSERT(!vec_is_valid(&b.cols[0], j));
            } else {
                StrView sv = VEC_DATA(&b.cols[0], StrView)[j];
                ASSERT(sv.len == strlen(vals[i % 5]) && memcmp(sv.ptr, vals[i % 5], sv.len) == 0);
            }
            seen++;
        }
    }
    ASSERT_EQ_INT(seen, total);
    batch_destroy(&b);
    pq_reader_close(r);
    schema_destroy(&s);
}
