/*
 * test_sql_morsels.c - row-range morsels of the file scans: Delta files
 * with many row groups (and pages) read at threads = 1 and 2 give the same
 * answers, which are also computed here independently; deletion vectors
 * apply at the right rows inside morsels; row-group skipping works per
 * morsel; read_parquet() over the same files.
 */
#include "../test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/parquet/reader.h"
#include "format/parquet/writer.h"
#include "table/delta/delta.h"
#include "tarn.h"

#define N_PER_FILE 300000
#define N_FILES 2

static tarn_db *open_db(const char *lake)
{
    tarn_db *db;
    tarn_error err = {0};
    ASSERT_OK(tarn_open(lake, &db, &err), &err);
    return db;
}

/* All rows of a result, "a|b|c\n" each. */
static char *run_text(tarn_db *db, const char *sql)
{
    tarn_result *r = NULL;
    tarn_error err = {0};
    if (tarn_exec(db, sql, &r, &err))
        TFAIL("%s: %s [%s]", sql, err.message, err.sqlstate);
    size_t cap = 1024, len = 0;
    char *out = malloc(cap);
    out[0] = 0;
    for (int64_t i = 0; i < tarn_result_nrows(r); i++)
        for (int c = 0; c < tarn_result_ncols(r); c++) {
            const char *v = tarn_result_value(r, i, c);
            if (!v)
                v = "NULL";
            size_t n = strlen(v) + 2;
            if (len + n + 1 > cap) {
                cap = (len + n + 1) * 2;
                out = realloc(out, cap);
            }
            len += (size_t)snprintf(out + len, cap - len, "%s%s", v, c + 1 == tarn_result_ncols(r) ? "\n" : "|");
        }
    tarn_result_free(r);
    return out;
}

static void exec_ok(tarn_db *db, const char *sql) { free(run_text(db, sql)); }

static bool deleted(int64_t id) { return id % 7 == 3; }

/* Table public.m (id bigint, g bigint, s text) with deletion vectors, two
 * data files of N_PER_FILE rows: the first in row groups of 700 rows (merged
 * into morsels), the second in one row group (cut into page-aligned
 * slices), pages of 100 rows; then DELETE ... WHERE id % 7 = 3 (a deletion
 * vector per file).  The scans cut morsels of at least 131,072 rows. */
static void make_table(const char *lake, tarn_db *db)
{
    exec_ok(db, "CREATE TABLE m (id bigint, g bigint, s text) WITH (\"delta.enableDeletionVectors\" = 'true')");
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/public/m", lake);
    PqWriteOptions wo;
    pq_write_options_default(&wo);
    wo.page_rows = 100;
    DeltaTableOptions to;
    memset(&to, 0, sizeof to);
    to.write_options = &wo;
    TarnError err;
    err_clear(&err);
    Schema s;
    schema_init(&s);
    ASSERT_EQ_INT(schema_add(&s, "id", type_simple(TYPE_INT64), true), 0);
    ASSERT_EQ_INT(schema_add(&s, "g", type_simple(TYPE_INT64), true), 0);
    ASSERT_EQ_INT(schema_add(&s, "s", type_simple(TYPE_STRING), true), 0);
    for (int f = 0; f < N_FILES; f++) {
        wo.row_group_rows = f == 0 ? 700 : N_PER_FILE;
        DeltaTable *t = delta_table_open_dir(dir, false, &to, &err);
        ASSERT_NOT_NULL(t, &err);
        Batch b;
        ASSERT_EQ_INT(batch_init(&b, &s), 0);
        for (int64_t i = 0; i < N_PER_FILE; i++) {
            int64_t id = (int64_t)f * N_PER_FILE + i;
            char buf[32];
            int n = snprintf(buf, sizeof buf, "v%d", (int)(id % 13));
            ASSERT_EQ_INT(vec_append_i64(&b.cols[0], id), 0);
            ASSERT_EQ_INT(id % 11 == 5 ? vec_append_null(&b.cols[1]) : vec_append_i64(&b.cols[1], id % 10), 0);
            ASSERT_EQ_INT(vec_append_str(&b.cols[2], buf, (size_t)n), 0);
        }
        b.n_rows = N_PER_FILE;
        const Batch *bs[1] = {&b};
        ASSERT_OK(delta_write(t, bs, 1, NULL, NULL, &err), &err);
        batch_destroy(&b);
        delta_table_close(t);
    }
    schema_destroy(&s);
    char *tag = run_text(db, "DELETE FROM m WHERE id % 7 = 3");
    free(tag);
}

/* A fresh lake <tmp>/name (its path in lake[1024]) holding table m. */
static tarn_db *open_morsel_lake(char *lake, const char *name)
{
    snprintf(lake, 1024, "%s/%s", test_tmp_dir(), name);
    tarn_db *db = open_db(lake);
    make_table(lake, db);
    return db;
}

TEST(sql_morsels_delta_threads_agree)
{
    char lake[1024];
    tarn_db *db = open_morsel_lake(lake, "morsel_lake");

    /* expected answers, computed here */
    int64_t cnt = 0, sum = 0, cnt_r = 0, sum_r = 0, gcnt[10] = {0}, gsum[10] = {0}, s5 = 0, nullg = 0;
    for (int64_t id = 0; id < (int64_t)N_FILES * N_PER_FILE; id++) {
        if (deleted(id))
            continue;
        cnt++;
        sum += id;
        if (id >= 212345 && id <= 213000) {
            cnt_r++;
            sum_r += id;
        }
        if (id % 11 == 5)
            nullg++;
        else {
            gcnt[id % 10]++;
            gsum[id % 10] += id;
        }
        if (id % 13 == 5)
            s5++;
    }
    char want_all[128], want_r[128], want_s[64], want_g[1024];
    snprintf(want_all, sizeof want_all, "%lld|%lld|0|%d\n", (long long)cnt, (long long)sum, N_FILES * N_PER_FILE - 1);
    snprintf(want_r, sizeof want_r, "%lld|%lld\n", (long long)cnt_r, (long long)sum_r);
    snprintf(want_s, sizeof want_s, "%lld\n", (long long)s5);
    size_t gl = 0;
    for (int k = 0; k < 10; k++)
        gl += (size_t)snprintf(want_g + gl, sizeof want_g - gl, "%d|%lld|%lld\n", k, (long long)gcnt[k],
                               (long long)gsum[k]);
    snprintf(want_g + gl, sizeof want_g - gl, "NULL|%lld|NULL\n", (long long)nullg);

    const char *threads[] = {"SET threads = 1", "SET threads = 2", "SET threads = 3"};
    for (int ti = 0; ti < 3; ti++) {
        exec_ok(db, threads[ti]);
        char *a = run_text(db, "SELECT count(*), sum(id), min(id), max(id) FROM m");
        ASSERT_EQ_STR(a, want_all);
        free(a);
        /* row-group skipping inside morsels, with deletion vectors */
        a = run_text(db, "SELECT count(*), sum(id) FROM m WHERE id BETWEEN 212345 AND 213000");
        ASSERT_EQ_STR(a, want_r);
        free(a);
        a = run_text(db, "SELECT count(*) FROM m WHERE s = 'v5'");
        ASSERT_EQ_STR(a, want_s);
        free(a);
        a = run_text(db, "SELECT g, count(*), sum(id) FILTER (WHERE g IS NOT NULL) FROM m GROUP BY g ORDER BY g");
        ASSERT_EQ_STR(a, want_g);
        free(a);
        /* nothing matches: every row group skipped */
        a = run_text(db, "SELECT count(*), sum(id) FROM m WHERE id > 700000");
        ASSERT_EQ_STR(a, "0|NULL\n");
        free(a);
        /* a join of the table with itself sees every surviving row once */
        a = run_text(db, "SELECT count(*) FROM m a JOIN m b ON a.id = b.id + 1");
        char w[32];
        int64_t pairs = 0;
        for (int64_t id = 1; id < (int64_t)N_FILES * N_PER_FILE; id++)
            pairs += !deleted(id) && !deleted(id - 1);
        snprintf(w, sizeof w, "%lld\n", (long long)pairs);
        ASSERT_EQ_STR(a, w);
        free(a);
    }
    /* read_parquet over the data files: every row (no deletion vectors) */
    char q[1400];
    snprintf(q, sizeof q, "SELECT count(*), sum(id), count(g) FROM read_parquet('%s/public/m/*.parquet')", lake);
    char w[128];
    int64_t all = (int64_t)N_FILES * N_PER_FILE, ng = 0;
    for (int64_t id = 0; id < all; id++)
        ng += id % 11 != 5;
    snprintf(w, sizeof w, "%lld|%lld|%lld\n", (long long)all, (long long)(all * (all - 1) / 2), (long long)ng);
    for (int ti = 0; ti < 3; ti++) {
        exec_ok(db, threads[ti]);
        char *a = run_text(db, q);
        ASSERT_EQ_STR(a, w);
        free(a);
    }
    tarn_close(db);
}

/* The Delta API directly: split a file into morsels, read each with a
 * skipping predicate; rows, deletion vectors and skipped row groups add up. */
TEST(sql_morsels_delta_api_ranges)
{
    char lake[1024];
    tarn_db *db = open_morsel_lake(lake, "morsel_lake2");
    tarn_close(db);
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/public/m", lake);
    TarnError err;
    err_clear(&err);
    DeltaTable *t = delta_table_open_dir(dir, false, NULL, &err);
    ASSERT_NOT_NULL(t, &err);
    DeltaSnapshot *snap = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(snap, &err);
    PqPredicate p[2];
    memset(p, 0, sizeof p);
    p[0].column = "id";
    p[0].op = PQ_CMP_GE;
    p[0].value = value_i64(TYPE_INT64, 12345);
    p[1].column = "id";
    p[1].op = PQ_CMP_LE;
    p[1].value = value_i64(TYPE_INT64, 13000);
    const char *cols[] = {"id"};
    DeltaScanOptions o;
    memset(&o, 0, sizeof o);
    o.columns = cols;
    o.n_columns = 1;
    o.preds = p;
    o.n_preds = 2;
    DeltaScan *sc = delta_scan_open(snap, &o, &err);
    ASSERT_NOT_NULL(sc, &err);
    ASSERT_EQ_INT((int)delta_scan_num_files(sc), 1); /* file stats prune the other file */
    int64_t *ranges;
    size_t n;
    ASSERT_OK(delta_scan_split_file(sc, 0, 1000, &ranges, &n, &err), &err);
    ASSERT(n >= 8);
    /* ranges cover the file in order, cut at page boundaries (100 rows) */
    ASSERT_EQ_INT((int)ranges[0], 0);
    for (size_t i = 0; i < n; i++) {
        ASSERT(ranges[2 * i] < ranges[2 * i + 1]);
        ASSERT(ranges[2 * i] % 100 == 0);
        if (i)
            ASSERT(ranges[2 * i] == ranges[2 * i - 1]);
    }
    ASSERT_EQ_INT((int)ranges[2 * n - 1], N_PER_FILE);
    int64_t got = 0, sum = 0, skipped = 0, deleted_rows = 0;
    for (size_t i = 0; i < n; i++) {
        DeltaScan *one = delta_scan_open_file_rows(sc, 0, ranges[2 * i], ranges[2 * i + 1], &err);
        ASSERT_NOT_NULL(one, &err);
        Batch b;
        ASSERT_EQ_INT(batch_init(&b, delta_scan_schema(one)), 0);
        for (;;) {
            ASSERT_OK(delta_scan_next(one, &b, &err), &err);
            if (b.n_rows == 0)
                break;
            for (uint32_t r = 0; r < b.n_rows; r++) {
                int64_t id = ((const int64_t *)b.cols[0].data)[r];
                ASSERT(id >= ranges[2 * i] && id < ranges[2 * i + 1]);
                ASSERT(!deleted(id));
                if (id >= 12345 && id <= 13000) {
                    got++;
                    sum += id;
                }
            }
        }
        DeltaScanStats st;
        delta_scan_stats(one, &st);
        skipped += st.row_groups_skipped;
        deleted_rows += st.rows_deleted;
        batch_destroy(&b);
        delta_scan_close(one);
    }
    int64_t want = 0, wsum = 0, wdel = 0;
    for (int64_t id = 12345; id <= 13000; id++)
        if (!deleted(id)) {
            want++;
            wsum += id;
        }
    /* rows decoded: the pages (100 rows) of the two row groups that are
     * not skipped whose page index may match, [12300, 13100) */
    for (int64_t id = 12300; id < 13100; id++)
        wdel += deleted(id);
    ASSERT_EQ_INT((int)got, (int)want);
    ASSERT_EQ_INT((int)sum, (int)wsum);
    ASSERT(skipped >= 10); /* 15 row groups of 700 rows, 2 overlap the range */
    ASSERT_EQ_INT((int)deleted_rows, (int)wdel);
    tarn_free(ranges);
    delta_scan_close(sc);

    /* No predicate: the second file (one row group of N_PER_FILE rows) is
     * cut into page-aligned slices; together they return every row the
     * deletion vector keeps, each once. */
    memset(&o, 0, sizeof o);
    o.columns = cols;
    o.n_columns = 1;
    sc = delta_scan_open(snap, &o, &err);
    ASSERT_NOT_NULL(sc, &err);
    ASSERT_EQ_INT((int)delta_scan_num_files(sc), 2);
    int64_t seen = 0, seen_sum = 0;
    size_t max_ranges = 0;
    for (size_t f = 0; f < 2; f++) {
        ASSERT_OK(delta_scan_split_file(sc, f, 5000, &ranges, &n, &err), &err);
        if (n > max_ranges)
            max_ranges = n;
        for (size_t i = 0; i < n; i++) {
            DeltaScan *one = delta_scan_open_file_rows(sc, f, ranges[2 * i], ranges[2 * i + 1], &err);
            ASSERT_NOT_NULL(one, &err);
            Batch b;
            ASSERT_EQ_INT(batch_init(&b, delta_scan_schema(one)), 0);
            for (;;) {
                ASSERT_OK(delta_scan_next(one, &b, &err), &err);
                if (b.n_rows == 0)
                    break;
                for (uint32_t r = 0; r < b.n_rows; r++) {
                    int64_t id = ((const int64_t *)b.cols[0].data)[r];
                    ASSERT(id % N_PER_FILE >= ranges[2 * i] && id % N_PER_FILE < ranges[2 * i + 1]);
                    ASSERT(!deleted(id));
                    seen++;
                    seen_sum += id;
                }
            }
            batch_destroy(&b);
            delta_scan_close(one);
        }
        tarn_free(ranges);
    }
    int64_t all = 0, all_sum = 0;
    for (int64_t id = 0; id < (int64_t)N_FILES * N_PER_FILE; id++)
        if (!deleted(id)) {
            all++;
            all_sum += id;
        }
    ASSERT_EQ_INT((int)seen, (int)all);
    ASSERT(seen_sum == all_sum);
    ASSERT(max_ranges >= 25); /* 300,000 rows in slices of about 5,000 */
    delta_scan_close(sc);
    delta_snapshot_free(snap);
    delta_table_close(t);
}
