/* test_csv.c - the CSV reader (parsing, inference, errors) and writer. */
#include <fcntl.h>
#include <unistd.h>

#include "../test.h"
#include "format/csv/csv.h"
#include "util/datetime.h"
#include "vector/format.h"

/* Writes data to a fresh file in the test's temp dir; returns its path. */
static const char *write_file(const char *name, const char *data, size_t n)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", test_tmp_dir(), name);
    FILE *f = fopen(path, "wb");
    if (!f)
        TFAIL("cannot create %s", path);
    if (n && fwrite(data, 1, n, f) != n)
        TFAIL("cannot write %s", path);
    fclose(f);
    return path;
}

/* Reads the whole file; returns "type|type\n" + rows as CSV (no header) in a
 * malloc'd string, or NULL with err set. */
static char *read_csv(const char *path, const CsvOptions *o, TarnError *err)
{
    CsvReader *r = csv_reader_open(path, o, err);
    if (!r)
        return NULL;
    const Schema *s = csv_reader_schema(r);
    Buf out;
    buf_init(&out);
    for (uint32_t i = 0; i < s->n_fields; i++) {
        char name[128];
        buf_printf(&out, "%s%s", i ? "|" : "", type_name(&s->fields[i].type, name, sizeof name));
    }
    buf_append_byte(&out, '\n');
    Batch b;
    if (batch_init(&b, s))
        TFAIL("batch_init");
    int rc;
    for (;;) {
        rc = csv_reader_next(r, &b, err);
        if (rc || b.n_rows == 0)
            break;
        if (csv_write_batch(&b, &out, NULL))
            TFAIL("csv_write_batch");
    }
    batch_destroy(&b);
    csv_reader_close(r);
    if (rc) {
        buf_free(&out);
        return NULL;
    }
    buf_terminate(&out);
    return (char *)out.data;
}

static char *read_text(const char *data, const CsvOptions *o, TarnError *err)
{
    const char *p = write_file("in.csv", data, strlen(data));
    return read_csv(p, o, err);
}

#define EXPECT_CSV(input, opts, expected)                                      \
    do {                                                                       \
        TarnError e_ = {0};                                                    \
        char *got_ = read_text((input), (opts), &e_);                          \
        if (!got_)                                                             \
            TFAIL("read failed: %s | %s", e_.message, e_.context);             \
        ASSERT_EQ_STR(got_, (expected));                                       \
        free(got_);                                                            \
    } while (0)

#define EXPECT_CSV_ERR(input, opts, want_kind, frag)                                \
    do {                                                                       \
        TarnError e_ = {0};                                                    \
        char *got_ = read_text((input), (opts), &e_);                          \
        if (got_)                                                              \
            TFAIL("expected an error, got:\n%s", got_);                        \
        ASSERT_EQ_INT(e_.kind, (want_kind));                                      \
        ASSERT_ERR_CONTAINS(&e_, (frag));                                      \
    } while (0)

TEST(csv_basic_and_quoting)
{
    EXPECT_CSV("a,b\n1,x\n2,y\n", NULL, "bigint|text\n1,x\n2,y\n");
    /* Quoted delimiters, doubled quotes, embedded newlines (LF and CRLF). */
    EXPECT_CSV("a,b\n\"1,5\",\"say \"\"hi\"\"\"\n\"multi\nline\",\"cr\r\nlf\"\n", NULL,
               "text|text\n\"1,5\",\"say \"\"hi\"\"\"\n\"multi\nline\",\"cr\r\nlf\"\n");
    /* Empty unquoted = NULL, "" = empty string, both distinct on output. */
    EXPECT_CSV("s,n\n,\n\"\",\"\"\nx,1\n", NULL, "text|bigint\n,\n\"\",\nx,1\n");
    /* A quote inside an unquoted field is literal. */
    EXPECT_CSV("a\nab\"c\n", NULL, "text\n\"ab\"\"c\"\n");
    /* Leading/trailing spaces are kept and force quotes on output. */
    EXPECT_CSV("a,b\n x ,y\n", NULL, "text|text\n\" x \",y\n");
}

TEST(csv_line_endings_and_bom)
{
    EXPECT_CSV("a,b\r\n1,2\r\n3,4\r\n", NULL, "bigint|bigint\n1,2\n3,4\n");
    EXPECT_CSV("a,b\r1,2\r3,4", NULL, "bigint|bigint\n1,2\n3,4\n");          /* old Mac CR */
    EXPECT_CSV("a,b\n1,2\n3,4", NULL, "bigint|bigint\n1,2\n3,4\n");          /* no final newline */
    EXPECT_CSV("\xEF\xBB\xBFid,v\n1,2\n", NULL, "bigint|bigint\n1,2\n");      /* BOM */
    EXPECT_CSV("a,b\n\n1,2\n\n\n3,4\n\n", NULL, "bigint|bigint\n1,2\n3,4\n"); /* blank lines */
    EXPECT_CSV("a,b\n1,\n", NULL, "bigint|text\n1,\n");                     /* empty last field */
    EXPECT_CSV("a,b\n1,\"\"", NULL, "bigint|text\n1,\"\"\n");               /* quoted at EOF */
    /* One column: an empty line is a NULL value. */
    EXPECT_CSV("a\n1\n\n3\n", NULL, "bigint\n1\n\n3\n");

    TarnError err = {0};
    const char *bom = "\xEF\xBB\xBFname\nx\n";
    const char *p = write_file("bom.csv", bom, strlen(bom));
    CsvReader *r = csv_reader_open(p, NULL, &err);
    ASSERT_NOT_NULL(r, &err);
    ASSERT_EQ_STR(csv_reader_schema(r)->fields[0].name, "name");
    csv_reader_close(r);
}

TEST(csv_header_only_and_empty_file)
{
    EXPECT_CSV("a,b,c\n", NULL, "text|text|text\n");
    EXPECT_CSV("a,b,c", NULL, "text|text|text\n");
    EXPECT_CSV("", NULL, "\n");
    EXPECT_CSV("\n\n", NULL, "\n");
    EXPECT_CSV("\xEF\xBB\xBF", NULL, "\n");
}

TEST(csv_ragged_rows_are_errors)
{
    EXPECT_CSV_ERR("a,b\n1,2\n1,2,3\n", NULL, TARN_ERR_CORRUPT, "line 3 has 3 fields, expected 2");
    EXPECT_CSV_ERR("a,b\n1,2\n\"x\ny\"\n", NULL, TARN_ERR_CORRUPT,
                   "line 3 has 1 field, expected 2");
    EXPECT_CSV_ERR("a,b,c\n1,2\n", NULL, TARN_ERR_CORRUPT, "line 2 has 2 fields, expected 3");
    /* Line numbers count the lines inside quoted fields. */
    EXPECT_CSV_ERR("a,b\n\"1\n\n\",2\n3\n", NULL, TARN_ERR_CORRUPT, "line 5 has 1 field");
    /* After the sample: same error from the streaming path. */
    CsvOptions o;
    csv_options_default(&o);
    o.sample_rows = 2;
    EXPECT_CSV_ERR("a,b\n1,2\n3,4\n5,6\n7\n", &o, TARN_ERR_CORRUPT, "line 5 has 1 field");
}

TEST(csv_malformed_quotes)
{
    EXPECT_CSV_ERR("a,b\n1,\"abc\n", NULL, TARN_ERR_CORRUPT, "line 2: unterminated quoted field");
    EXPECT_CSV_ERR("a\n\"ab\"c\n", NULL, TARN_ERR_CORRUPT,
                   "line 2: unexpected character 'c' after a closing quote");
    EXPECT_CSV_ERR("a\n\"", NULL, TARN_ERR_CORRUPT, "unterminated quoted field");
    TarnError err = {0};
    char *got = read_text("a\n\"ab\"c\n", NULL, &err);
    ASSERT(!got);
    ASSERT(strstr(err.context, "in.csv") != NULL);
}

TEST(csv_type_inference)
{
    EXPECT_CSV("b,i,d,t\ntrue,1,1.5,x\nFALSE,-2,2,y\n,,,\n", NULL,
               "boolean|bigint|double precision|text\nt,1,1.5,x\nf,-2,2,y\n,,,\n");
    EXPECT_CSV("d,ts,tz,tm\n2024-01-02,2024-01-02 03:04:05,2024-01-02T03:04:05Z,10:30\n"
               "1999-12-31,2024-01-02,2024-01-02 03:04:05,23:59:59.5\n",
               NULL,
               "date|timestamp|timestamptz|time\n"
               "2024-01-02,2024-01-02 03:04:05,2024-01-02 03:04:05+00,10:30:00\n"
               "1999-12-31,2024-01-02 00:00:00,2024-01-02 03:04:05+00,23:59:59.5\n");
    /* All NULL -> text; int64 overflow -> double; mixed -> text. */
    EXPECT_CSV("n,big,mix\n,9223372036854775807,1\n,9223372036854775808,a\n", NULL,
               "text|double precision|text\n,9.223372036854776e+18,1\n"
               ",9.223372036854776e+18,a\n");
    /* 0/1 stay integers; t/f are booleans. */
    EXPECT_CSV("x,y\n0,t\n1,f\n", NULL, "bigint|boolean\n0,t\n1,f\n");
    /* Doubles print in shortest form. */
    EXPECT_CSV("x\n0.1\n1e20\n-0\nNaN\n", NULL, "double precision\n0.1\n1e+20\n-0\nNaN\n");
}

TEST(csv_late_type_mismatch)
{
    /* 30000 integer rows, then a word: past the 20480-row sample. */
    Buf in;
    buf_init(&in);
    buf_printf(&in, "id,amount\n");
    for (int i = 0; i < 30000; i++)
        buf_printf(&in, "%d,%d\n", i, i * 3);
    buf_printf(&in, "30000,abc\n");
    buf_terminate(&in);
    TarnError err = {0};
    char *got = read_text((char *)in.data, NULL, &err);
    ASSERT(!got);
    ASSERT_EQ_INT(err.kind, TARN_ERR_TYPE);
    ASSERT_ERR_CONTAINS(&err, "line 30002, column \"amount\": \"abc\" is not a valid bigint");
    ASSERT(strstr(err.hint, "explicitly") != NULL);
    buf_free(&in);

    /* Giving the type explicitly reads it. */
    CsvOptions o;
    csv_options_default(&o);
    CsvColumnType ct = {"amount", type_simple(TYPE_STRING)};
    o.column_types = &ct;
    o.n_column_types = 1;
    EXPECT_CSV("id,amount\n1,2\n2,abc\n", &o, "bigint|text\n1,2\n2,abc\n");
    /* Explicit types are checked too. */
    CsvColumnType ci = {"v", type_simple(TYPE_INT32)};
    o.column_types = &ci;
    EXPECT_CSV_ERR("v\n1\n99999999999\n", &o, TARN_ERR_TYPE,
                   "line 3, column \"v\": \"99999999999\" is not a valid integer");
    CsvColumnType cd = {"v", type_decimal(10, 2)};
    o.column_types = &cd;
    EXPECT_CSV("v\n1.005\n-0.05\n", &o, "numeric(10,2)\n1.01\n-0.05\n");
    CsvColumnType missing = {"nope", type_simple(TYPE_INT32)};
    o.column_types = &missing;
    EXPECT_CSV_ERR("v\n1\n", &o, TARN_ERR_NOT_FOUND, "column \"nope\" does not exist");
    LogicalType lt;
    ASSERT_EQ_INT(type_list(&lt, type_simple(TYPE_INT32), true), 0);
    CsvColumnType nested = {"v", lt};
    o.column_types = &nested;
    EXPECT_CSV_ERR("v\n1\n", &o, TARN_ERR_UNSUPPORTED, "unsupported");
    type_destroy(&lt);
}

TEST(csv_options)
{
    CsvOptions o;
    csv_options_default(&o);
    o.delimiter = '|';
    EXPECT_CSV("a|b\n1,5|x\n", &o, "text|text\n\"1,5\",x\n");
    csv_options_default(&o);
    o.header = false;
    EXPECT_CSV("1,x\n2,y\n", &o, "bigint|text\n1,x\n2,y\n");
    TarnError err = {0};
    const char *p = write_file("nh.csv", "1,x\n", 4);
    CsvReader *r = csv_reader_open(p, &o, &err);
    ASSERT_NOT_NULL(r, &err);
    ASSERT_EQ_STR(csv_reader_schema(r)->fields[0].name, "column0");
    ASSERT_EQ_STR(csv_reader_schema(r)->fields[1].name, "column1");
    csv_reader_close(r);
    csv_options_default(&o);
    o.null_str = "NA";
    EXPECT_CSV("a,b\nNA,\n1,x\n\"NA\",y\n", &o, "text|text\n,\"\"\n1,x\nNA,y\n");
    csv_options_default(&o);
    o.escape = '\\';
    EXPECT_CSV("a\n\"x\\\"y\\\\z\"\n", &o, "text\n\"x\"\"y\\z\"\n");
    csv_options_default(&o);
    o.quote = 0;
    EXPECT_CSV("a\n\"x\n", &o, "text\n\"\"\"x\"\n");
    csv_options_default(&o);
    o.delimiter = '"';
    EXPECT_CSV_ERR("a\n", &o, TARN_ERR_INVALID, "quote must differ");
    csv_options_default(&o);
    o.delimiter = '\n';
    EXPECT_CSV_ERR("a\n", &o, TARN_ERR_INVALID, "invalid CSV delimiter");
}

TEST(csv_header_names)
{
    TarnError err = {0};
    const char *hdr = "a,,a,\"x,y\",a\n1,2,3,4,5\n";
    const char *p = write_file("h.csv", hdr, strlen(hdr));
    CsvReader *r = csv_reader_open(p, NULL, &err);
    ASSERT_NOT_NULL(r, &err);
    const Schema *s = csv_reader_schema(r);
    ASSERT_EQ_INT(s->n_fields, 5);
    ASSERT_EQ_STR(s->fields[0].name, "a");
    ASSERT_EQ_STR(s->fields[1].name, "column1");
    ASSERT_EQ_STR(s->fields[2].name, "a_1");
    ASSERT_EQ_STR(s->fields[3].name, "x,y");
    ASSERT_EQ_STR(s->fields[4].name, "a_2");
    Buf out;
    buf_init(&out);
    ASSERT_EQ_INT(csv_write_header(s, &out, NULL), 0);
    buf_terminate(&out);
    ASSERT_EQ_STR((char *)out.data, "a,column1,a_1,\"x,y\",a_2\n");
    buf_free(&out);
    csv_reader_close(r);
}

TEST(csv_missing_file)
{
    TarnError err = {0};
    CsvReader *r = csv_reader_open("/nonexistent/x.csv", NULL, &err);
    ASSERT(!r);
    ASSERT_EQ_INT(err.kind, TARN_ERR_NOT_FOUND);
    ASSERT_ERR_CONTAINS(&err, "could not open file");
}

/* Records straddling the 1 MiB block boundary parse the same. */
TEST(csv_records_across_block_boundaries)
{
    Buf in, expect;
    buf_init(&in);
    buf_init(&expect);
    buf_printf(&in, "id,s\n");
    buf_printf(&expect, "bigint|text\n");
    int i = 0;
    while (in.len < (3u << 20)) {
        /* vary the record length so every offset is hit; include quoted
         * fields with doubled quotes and CRLF line ends */
        int k = i % 37;
        char field[64];
        for (int j = 0; j < k; j++)
            field[j] = (char)('a' + (i + j) % 26);
        field[k] = '\0';
        if (i % 5 == 0) {
            buf_printf(&in, "%d,\"%s\"\"q\r\n%s\"\r\n", i, field, field);
            buf_printf(&expect, "%d,\"%s\"\"q\r\n%s\"\n", i, field, field);
        } else {
            buf_printf(&in, "%d,%s\n", i, field);
            if (k == 0)
                buf_printf(&expect, "%d,\n", i);
            else
                buf_printf(&expect, "%d,%s\n", i, field);
        }
        i++;
    }
    buf_terminate(&in);
    buf_terminate(&expect);
    EXPECT_CSV((char *)in.data, NULL, (char *)expect.data);
    buf_free(&in);
    buf_free(&expect);
}

TEST(csv_long_record_grows_buffer)
{
    /* One 3 MiB quoted field (longer than the block). */
    size_t n = 3u << 20;
    char *in = malloc(n + 32);
    ASSERT(in);
    size_t k = 0;
    k += (size_t)sprintf(in, "a,b\n\"");
    memset(in + k, 'x', n);
    k += n;
    k += (size_t)sprintf(in + k, "\",1\n");
    TarnError err = {0};
    const char *p = write_file("long.csv", in, k);
    CsvReader *r = csv_reader_open(p, NULL, &err);
    ASSERT_NOT_NULL(r, &err);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, csv_reader_schema(r)), 0);
    ASSERT_OK(csv_reader_next(r, &b, &err), &err);
    ASSERT_EQ_INT(b.n_rows, 1);
    ASSERT_EQ_INT(VEC_DATA(&b.cols[0], StrView)[0].len, n);
    ASSERT_EQ_INT(VEC_DATA(&b.cols[1], int64_t)[0], 1);
    batch_destroy(&b);
    csv_reader_close(r);
    free(in);
}

TEST(csv_round_trip_100k_rows)
{
    /* Build a batch of every inferable type, write 100k rows, read back. */
    Schema s;
    schema_init(&s);
    schema_add(&s, "id", type_simple(TYPE_INT64), true);
    schema_add(&s, "flag", type_simple(TYPE_BOOL), true);
    schema_add(&s, "x", type_simple(TYPE_DOUBLE), true);
    schema_add(&s, "day", type_simple(TYPE_DATE), true);
    schema_add(&s, "ts", type_simple(TYPE_TIMESTAMP), true);
    schema_add(&s, "name", type_simple(TYPE_STRING), true);
    Buf out;
    buf_init(&out);
    ASSERT_EQ_INT(csv_write_header(&s, &out, NULL), 0);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    const int n_rows = 100000;
    uint64_t x = 12345;
    for (int r = 0; r < n_rows; r++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        vec_append_i64(&b.cols[0], r);
        if (r % 11 == 0)
            vec_append_null(&b.cols[1]);
        else
            vec_append_bool(&b.cols[1], x >> 63);
        vec_append_double(&b.cols[2], (double)(int64_t)(x >> 11) / 977.0);
        vec_append_i64(&b.cols[3], (int64_t)(x % 200000) - 100000);
        vec_append_i64(&b.cols[4], (int64_t)(x >> 8) - (INT64_C(1) << 55));
        char name[64];
        int k = snprintf(name, sizeof name, "n%d%s", r,
                         r % 7 == 0 ? ",\"q\"\n" : r % 13 == 0 ? "" : " ");
        if (r % 17 == 0)
            vec_append_str(&b.cols[5], "", 0);
        else if (r % 19 == 0)
            vec_append_null(&b.cols[5]);
        else
            vec_append_str(&b.cols[5], name, (size_t)k);
        b.n_rows++;
        if (b.n_rows == VEC_BATCH_ROWS || r == n_rows - 1) {
            ASSERT_EQ_INT(csv_write_batch(&b, &out, NULL), 0);
            batch_reset(&b);
        }
    }
    batch_destroy(&b);
    const char *p = write_file("big.csv", (char *)out.data, out.len);
    TarnError err = {0};
    char *back = read_csv(p, NULL, &err);
    ASSERT_NOT_NULL(back, &err);
    /* Types inferred as written; the rows print identically. */
    const char *hdr_end = strchr((char *)out.data, '\n');
    ASSERT(hdr_end);
    const char *types = "bigint|boolean|double precision|date|timestamp|text\n";
    ASSERT(strncmp(back, types, strlen(types)) == 0);
    size_t body = out.len - (size_t)(hdr_end + 1 - (char *)out.data);
    ASSERT_EQ_INT(strlen(back) - strlen(types), body);
    ASSERT(memcmp(back + strlen(types), hdr_end + 1, body) == 0);
    free(back);
    buf_free(&out);
    schema_destroy(&s);
}

TEST(csv_writer_quoting)
{
    Schema s;
    schema_init(&s);
    schema_add(&s, "s", type_simple(TYPE_STRING), true);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    const char *vals[] = {"plain", "a,b", "q\"q", "line\nbreak", "cr\r", " lead", "trail ", "",
                          "NA"};
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++)
        vec_append_str(&b.cols[0], vals[i], strlen(vals[i]));
    vec_append_null(&b.cols[0]);
    b.n_rows = 10;
    Buf out;
    buf_init(&out);
    ASSERT_EQ_INT(csv_write_batch(&b, &out, NULL), 0);
    buf_terminate(&out);
    ASSERT_EQ_STR((char *)out.data, "plain\n\"a,b\"\n\"q\"\"q\"\n\"line\nbreak\"\n\"cr\r\"\n"
                                    "\" lead\"\n\"trail \"\n\"\"\nNA\n\n");
    buf_clear(&out);
    CsvWriteOptions wo;
    csv_write_options_default(&wo);
    wo.null_str = "NA";
    wo.delimiter = ';';
    ASSERT_EQ_INT(csv_write_batch(&b, &out, &wo), 0);
    buf_terminate(&out);
    ASSERT_EQ_STR((char *)out.data, "plain\na,b\n\"q\"\"q\"\n\"line\nbreak\"\n\"cr\r\"\n"
                                    "\" lead\"\n\"trail \"\n\"\"\n\"NA\"\nNA\n");
    buf_clear(&out);
    ASSERT_EQ_INT(batch_print_csv(&b, true, &out), 0);
    buf_terminate(&out);
    ASSERT(strncmp((char *)out.data, "s\nplain\n", 8) == 0);
    buf_free(&out);
    batch_destroy(&b);
    schema_destroy(&s);
}

/* Hostile inputs: random bytes and mutations of valid CSV never crash. */
TEST(csv_hostile_inputs)
{
    const char *seed = "a,b,c\n1,\"x\"\"y\",2024-01-01\n\"q\nq\",2,\r\n3,,\"\"\n";
    size_t n = strlen(seed);
    char buf[256];
    uint64_t x = 42;
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(buf, seed, n);
        size_t len = n;
        int muts = 1 + iter % 4;
        for (int m = 0; m < muts; m++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            size_t pos = (size_t)(x >> 33) % len;
            const char pick[] = ",\"\n\r\\x0 \xEF";
            buf[pos] = (x >> 20) & 1 ? pick[(x >> 40) % (sizeof pick - 1)] : (char)(x >> 48);
            if ((x >> 24) % 7 == 0 && len > 1)
                len = pos + 1; /* truncate */
        }
        const char *p = write_file("fz.csv", buf, len);
        TarnError err = {0};
        CsvOptions o;
        csv_options_default(&o);
        o.sample_rows = 1 + iter % 3;
        char *got = read_csv(p, &o, &err);
        if (got)
            free(got);
        else
            ASSERT(err.kind != 0 && err.message[0]);
    }
}

/* Reads path fully into out as CSV, tolerating allocation failures: returns
 * 0, or the error kind with err set. */
static int read_all_tolerant(const char *path, Buf *out, TarnError *err)
{
    CsvReader *r = csv_reader_open(path, NULL, err);
    if (!r)
        return err->kind;
    int rc = 0;
    Batch b;
    if (batch_init(&b, csv_reader_schema(r))) {
        csv_reader_close(r);
        return TARN_ERR_NOMEM;
    }
    if (csv_write_header(csv_reader_schema(r), out, NULL))
        rc = TARN_ERR_NOMEM;
    while (!rc) {
        if ((rc = csv_reader_next(r, &b, err)) || b.n_rows == 0)
            break;
        rc = csv_write_batch(&b, out, NULL);
    }
    batch_destroy(&b);
    csv_reader_close(r);
    return rc;
}

/* Every allocation failure is a clean TARN_ERR_NOMEM, never a crash or a
 * wrong answer (SQLite do_faultsim_test style). */
TEST(csv_allocation_failures)
{
    const char *in = "id,name,day,x\n1,\"a,b\",2024-01-01,1.5\n2,,1999-12-31,\n"
                     "3,\"multi\nline\",0044-03-15 BC,-0\n";
    const char *p = write_file("oom.csv", in, strlen(in));
    int n;
    for (n = 1; n < 5000; n++) {
        Buf out;
        buf_init(&out);
        TarnError err = {0};
        mem_fail_after(n);
        int rc = read_all_tolerant(p, &out, &err);
        mem_fail_after(0);
        if (rc == 0) {
            buf_terminate(&out);
            ASSERT_EQ_STR((char *)out.data, in);
            buf_free(&out);
            break;
        }
        if (rc != TARN_ERR_NOMEM)
            TFAIL("allocation %d: rc %d (%s), expected out of memory", n, rc, err.message);
        buf_free(&out);
    }
    ASSERT(n > 3 && n < 5000);
}

/* Numeric and temporal columns skip the quoting scan, unless the delimiter
 * or quote could appear in their text. */
TEST(csv_writer_numeric_columns_and_odd_delimiters)
{
    Schema s;
    schema_init(&s);
    schema_add(&s, "x", type_simple(TYPE_DOUBLE), true);
    schema_add(&s, "d", type_simple(TYPE_DATE), true);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    vec_append_double(&b.cols[0], 1.5);
    vec_append_i64(&b.cols[1], -719528); /* 0001-01-01 BC */
    b.n_rows = 1;
    const struct {
        char delim;
        const char *expect;
    } cases[] = {
        {',', "1.5,0001-01-01 BC\n"},
        {'.', "\"1.5\".0001-01-01 BC\n"},
        {'-', "1.5-\"0001-01-01 BC\"\n"},
        {' ', "1.5 \"0001-01-01 BC\"\n"},
        {'\t', "1.5\t0001-01-01 BC\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        CsvWriteOptions wo;
        csv_write_options_default(&wo);
        wo.delimiter = cases[i].delim;
        Buf out;
        buf_init(&out);
        ASSERT_EQ_INT(csv_write_batch(&b, &out, &wo), 0);
        buf_terminate(&out);
        ASSERT_EQ_STR((char *)out.data, cases[i].expect);
        buf_free(&out);
    }
    /* A null string that looks like a number forces the check back on. */
    CsvWriteOptions wo;
    csv_write_options_default(&wo);
    wo.null_str = "1.5";
    Buf out;
    buf_init(&out);
    ASSERT_EQ_INT(csv_write_batch(&b, &out, &wo), 0);
    buf_terminate(&out);
    ASSERT_EQ_STR((char *)out.data, "\"1.5\",0001-01-01 BC\n");
    buf_free(&out);
    batch_destroy(&b);
    schema_destroy(&s);
}

/* Regression (found by fuzz_csv): a NUL byte in a header name made the
 * duplicate-name renaming loop forever. */
TEST(csv_header_with_nul_byte_is_an_error)
{
    char p[512];
    snprintf(p, sizeof p, "%s/nul.csv", test_tmp_dir());
    FILE *f = fopen(p, "wb");
    fwrite("a\0b,a\0c\n1,2\n", 1, 12, f);
    fclose(f);
    TarnError err = {0};
    CsvReader *r = csv_reader_open(p, NULL, &err);
    ASSERT(r == NULL);
    ASSERT_EQ_INT(err.kind, TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "NUL byte");
}
