/*
 * test_sql_explain.c - EXPLAIN ANALYZE through the public API: every
 * operator line carries the optimizer's estimate next to the actual rows
 * and time, and scans report what they skipped: Delta files by their
 * statistics, Parquet row groups by statistics and by bloom filters, pages
 * by the page index.  (Exact EXPLAIN text without ANALYZE:
 * tests/sql/core/explain.test.)
 */
#include "../test.h"

#include <string.h>

#include "format/parquet/writer.h"
#include "tarn.h"
#include "vector/vector.h"

static tarn_db *open_lake(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/lake", test_tmp_dir());
    tarn_db *db;
    tarn_error err = {0};
    ASSERT_OK(tarn_open(path, &db, &err), &err);
    return db;
}

/* The EXPLAIN ANALYZE text of query, one line per row (caller frees). */
static char *plan_of(tarn_db *db, const char *query)
{
    char sql[2048];
    snprintf(sql, sizeof sql, "EXPLAIN ANALYZE %s", query);
    tarn_result *r = NULL;
    tarn_error err = {0};
    if (tarn_exec(db, sql, &r, &err))
        TFAIL("%.200s: %s [%s]", sql, err.message, err.sqlstate);
    size_t cap = 1, n = (size_t)tarn_result_nrows(r);
    for (size_t i = 0; i < n; i++)
        cap += strlen(tarn_result_value(r, (int64_t)i, 0)) + 1;
    char *s = calloc(1, cap);
    for (size_t i = 0; i < n; i++) {
        strcat(s, tarn_result_value(r, (int64_t)i, 0));
        strcat(s, "\n");
    }
    tarn_result_free(r);
    return s;
}

/* The line of plan containing what (static buffer). */
static const char *line_with(const char *plan, const char *what)
{
    static char line[1024];
    const char *p = strstr(plan, what);
    if (!p)
        TFAIL("no \"%s\" in plan:\n%s", what, plan);
    while (p > plan && p[-1] != '\n')
        p--;
    size_t n = strcspn(p, "\n");
    if (n >= sizeof line)
        n = sizeof line - 1;
    memcpy(line, p, n);
    line[n] = 0;
    return line;
}

static void expect_in(const char *line, const char *what)
{
    if (!strstr(line, what))
        TFAIL("expected \"%s\" in: %s", what, line);
}

/* id 0..9999 in ten row groups of 1000 rows; h = 2 * id (only even
 * numbers, so an odd h inside a row group's min/max is absent: only the
 * bloom filter can skip that row group). */
static void write_parquet(const char *path)
{
    Schema s;
    schema_init(&s);
    ASSERT_EQ_INT(schema_add(&s, "id", type_simple(TYPE_INT64), false), 0);
    ASSERT_EQ_INT(schema_add(&s, "h", type_simple(TYPE_INT64), false), 0);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    for (int64_t k = 0; k < 10000; k++) {
        ASSERT_EQ_INT(vec_append_i64(&b.cols[0], k), 0);
        ASSERT_EQ_INT(vec_append_i64(&b.cols[1], 2 * k), 0);
    }
    b.n_rows = 10000;
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.row_group_rows = 1000;
    o.bloom_filters = true;
    TarnError err = {0};
    PqWriter *w = pq_writer_open(path, &s, &o, &err);
    ASSERT_NOT_NULL(w, &err);
    ASSERT_OK(pq_writer_write(w, &b, &err), &err);
    ASSERT_OK(pq_writer_close(w, &err), &err);
    batch_destroy(&b);
    schema_destroy(&s);
}

TEST(sql_explain_analyze_estimates_and_actuals)
{
    tarn_db *db = open_lake();
    tarn_error err = {0};
    ASSERT_OK(tarn_exec(db,
                        "CREATE TABLE e (id int, g int); "
                        "INSERT INTO e SELECT i, i % 10 FROM generate_series(1, 10000) i; "
                        "INSERT INTO e SELECT i, i % 10 FROM generate_series(10001, 20000) i",
                        NULL, &err),
              &err);
    char *plan = plan_of(db, "SELECT g, count(*) FROM e WHERE id > 15000 GROUP BY g ORDER BY g");
    /* estimate, then what happened, on every operator */
    expect_in(line_with(plan, "Sort: g"), "(rows=661 actual rows=10 time=");
    expect_in(line_with(plan, "Hash Aggregate"), "(rows=661 actual rows=10 time=");
    const char *scan = line_with(plan, "Delta Scan on e");
    expect_in(scan, "(rows=6600 actual rows=5000 time=");
    /* the first commit's file (ids 1..10000) is skipped by its statistics */
    expect_in(scan, "files 1 of 2");
    expect_in(scan, "row groups 1 of 1 read");
    free(plan);
    tarn_close(db);
}

TEST(sql_explain_analyze_parquet_row_groups)
{
    char file[1024];
    snprintf(file, sizeof file, "%s/rg.parquet", test_tmp_dir());
    write_parquet(file);
    tarn_db *db = open_lake();
    char q[1400];
    /* id = 1500: row group 1 is read, the nine others are skipped by min/max */
    snprintf(q, sizeof q, "SELECT h FROM read_parquet('%s') WHERE id = 1500", file);
    char *plan = plan_of(db, q);
    const char *scan = line_with(plan, "Parquet Scan");
    expect_in(scan, "row groups 1 of 10 read, 9 skipped by statistics, 0 by bloom filters");
    expect_in(scan, "actual rows=1 ");
    free(plan);
    /* h = 1001 lies inside row group 0's bounds [0, 1998] but is absent:
     * the bloom filter skips it, statistics the nine others */
    snprintf(q, sizeof q, "SELECT id FROM read_parquet('%s') WHERE h = 1001", file);
    plan = plan_of(db, q);
    scan = line_with(plan, "Parquet Scan");
    expect_in(scan, "row groups 0 of 10 read, 9 skipped by statistics, 1 by bloom filters");
    expect_in(scan, "actual rows=0 ");
    free(plan);
    /* no predicate: everything read */
    snprintf(q, sizeof q, "SELECT count(*) FROM read_parquet('%s')", file);
    plan = plan_of(db, q);
    expect_in(line_with(plan, "Parquet Scan"), "row groups 10 of 10 read, 0 skipped by statistics, 0 by bloom filters");
    free(plan);
    tarn_close(db);
}
