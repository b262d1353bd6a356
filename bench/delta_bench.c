/*
 * delta_bench.c - Delta table figures for bench/delta.sh (`make bench`):
 * prints "key value" lines, asserts nothing.
 *
 *   delta_bench commits DIR N
 *       N one-row appends (delta_write), one commit each, on a fresh table:
 *       commits per second and the median / p95 commit latency.
 *   delta_bench snapshot DIR N_COMMITS FILES_PER_COMMIT CP_INTERVAL LOADS
 *       Builds a log of N_COMMITS commits of FILES_PER_COMMIT add actions of
 *       fake files each (delta_txn_add_file: no data files), with a
 *       checkpoint every CP_INTERVAL commits (table property
 *       delta.checkpointInterval), then loads the latest snapshot LOADS
 *       times, each with a fresh DeltaTable (no cached snapshot): median,
 *       min and max load time.  Also times a load of a version between two
 *       checkpoints (time travel).
 *   delta_bench skipping DIR N_FILES ROWS_PER_FILE LOADS
 *       N_FILES commits of ROWS_PER_FILE rows, file k holding keys
 *       [k * ROWS_PER_FILE, (k + 1) * ROWS_PER_FILE); then scans with the
 *       predicate key = X (a key in the middle file) and reports files read
 *       vs total (from delta_scan_stats) and the time of the selective scan
 *       vs a full scan (medians of LOADS runs).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "table/delta/delta.h"
#include "util/err.h"
#include "vector/vector.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int die(const char *what, const TarnError *err)
{
    char buf[4096];
    fprintf(stderr, "delta_bench: %s: %s\n", what, tarn_error_format(err, buf, sizeof buf));
    return 1;
}

static void make_schema(Schema *s)
{
    schema_init(s);
    schema_add(s, "key", type_simple(TYPE_INT64), true);
    schema_add(s, "val", type_simple(TYPE_INT64), true);
}

static DeltaTable *create_table(const char *dir, const char *const *keys, const char *const *vals,
                                int n_props, TarnError *err)
{
    DeltaTable *t = delta_table_open_dir(dir, true, NULL, err);
    if (!t)
        return NULL;
    Schema s;
    make_schema(&s);
    DeltaCreateOptions co;
    memset(&co, 0, sizeof co);
    co.schema = &s;
    co.property_keys = keys;
    co.property_values = vals;
    co.n_properties = n_props;
    int rc = delta_create(t, &co, NULL, err);
    schema_destroy(&s);
    if (rc) {
        delta_table_close(t);
        return NULL;
    }
    return t;
}

static int fill(Batch *b, int64_t first_key, int64_t n)
{
    batch_reset(b);
    for (int64_t i = 0; i < n; i++)
        if (vec_append_i64(&b->cols[0], first_key + i) || vec_append_i64(&b->cols[1], i * 7))
            return TARN_ERR_NOMEM;
    b->n_rows = (uint32_t)n;
    return 0;
}

/* ---- commits ------------------------------------------------------------------ */

static int bench_commits(const char *dir, int n)
{
    TarnError err = {0};
    DeltaTable *t = create_table(dir, NULL, NULL, 0, &err);
    if (!t)
        return die("create", &err);
    Schema schema;
    make_schema(&schema);
    Batch b;
    if (batch_init(&b, &schema))
        return die("batch", &err);
    double *lat = calloc((size_t)n, sizeof *lat);
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        fill(&b, i, 1);
        const Batch *bs[1] = {&b};
        double s = now_s();
        if (delta_write(t, bs, 1, NULL, NULL, &err))
            return die("append", &err);
        lat[i] = now_s() - s;
    }
    double total = now_s() - t0;
    printf("commits %d\n", n);
    printf("commits_seconds %.3f\n", total);
    printf("commits_per_second %.1f\n", n / total);
    printf("commit_median_ms %.3f\n", median(lat, n) * 1e3);
    printf("commit_p95_ms %.3f\n", lat[(int)(n * 0.95)] * 1e3);
    free(lat);
    batch_destroy(&b);
    schema_destroy(&schema);
    delta_table_close(t);
    return 0;
}

/* ---- snapshot load ------------------------------------------------------------- */

static int bench_snapshot(const char *dir, int n_commits, int per_commit, int cp_interval,
                          int loads)
{
    TarnError err = {0};
    char interval[32];
    snprintf(interval, sizeof interval, "%d", cp_interval);
    const char *keys[] = {"delta.checkpointInterval"};
    const char *vals[] = {interval};
    DeltaTable *t = create_table(dir, keys, vals, 1, &err);
    if (!t)
        return die("create", &err);
    double t0 = now_s();
    char path[64], stats[128];
    int64_t file_no = 0;
    for (int c = 1; c <= n_commits; c++) {
        DeltaTransaction *txn = delta_txn_begin(t, &err);
        if (!txn)
            return die("begin", &err);
        for (int f = 0; f < per_commit; f++, file_no++) {
            DeltaAdd add;
            memset(&add, 0, sizeof add);
            snprintf(path, sizeof path, "fake/part-%08" PRId64 ".parquet", file_no);
            snprintf(stats, sizeof stats,
                     "{\"numRecords\":100,\"minValues\":{\"key\":%" PRId64 "},\"maxValues\":"
                     "{\"key\":%" PRId64 "},\"nullCount\":{\"key\":0}}",
                     file_no * 100, file_no * 100 + 99);
            add.path = path;
            add.size = 4096;
            add.modification_time = 1700000000000 + file_no;
            add.data_change = true;
            add.stats = stats;
            if (delta_txn_add_file(txn, &add, &err))
                return die("add file", &err);
        }
        if (delta_txn_set_operation(txn, "WRITE", "{\"mode\":\"Append\"}", &err) ||
            delta_txn_commit(txn, NULL, &err))
            return die("commit", &err);
    }
    double gen = now_s() - t0;
    delta_table_close(t);
    printf("snapshot_commits %d\n", n_commits);
    printf("snapshot_files %" PRId64 "\n", file_no);
    printf("snapshot_checkpoint_interval %d\n", cp_interval);
    printf("snapshot_generate_seconds %.1f\n", gen);

    double *ms = calloc((size_t)loads, sizeof *ms);
    int64_t version = -1;
    size_t n_files = 0;
    for (int i = 0; i < loads; i++) {
        double s = now_s();
        DeltaTable *tt = delta_table_open_dir(dir, false, NULL, &err);
        DeltaSnapshot *snap = tt ? delta_snapshot_latest(tt, &err) : NULL;
        if (!snap)
            return die("load", &err);
        ms[i] = (now_s() - s) * 1e3;
        version = delta_snapshot_version(snap);
        n_files = delta_snapshot_num_files(snap);
        delta_snapshot_free(snap);
        delta_table_close(tt);
    }
    printf("snapshot_version %" PRId64 "\n", version);
    printf("snapshot_live_files %zu\n", n_files);
    double lo = ms[0], hi = ms[0];
    for (int i = 1; i < loads; i++) {
        lo = ms[i] < lo ? ms[i] : lo;
        hi = ms[i] > hi ? ms[i] : hi;
    }
    printf("snapshot_load_median_ms %.2f\n", median(ms, loads));
    printf("snapshot_load_min_ms %.2f\n", lo);
    printf("snapshot_load_max_ms %.2f\n", hi);
    /* Time travel to a version half an interval past a checkpoint. */
    int64_t tv = n_commits / 2 + cp_interval / 2;
    for (int i = 0; i < loads; i++) {
        double s = now_s();
        DeltaTable *tt = delta_table_open_dir(dir, false, NULL, &err);
        DeltaSnapshot *snap = tt ? delta_snapshot_at_version(tt, tv, &err) : NULL;
        if (!snap)
            return die("time travel", &err);
        ms[i] = (now_s() - s) * 1e3;
        delta_snapshot_free(snap);
        delta_table_close(tt);
    }
    printf("snapshot_time_travel_version %" PRId64 "\n", tv);
    printf("snapshot_time_travel_median_ms %.2f\n", median(ms, loads));
    free(ms);
    return 0;
}

/* ---- data skipping ---------------------------------------------------------------- */

static int scan_count(DeltaSnapshot *snap, const PqPredicate *pred, int64_t want_key,
                      DeltaScanStats *st, int64_t *matches_out, TarnError *err)
{
    DeltaScanOptions o;
    memset(&o, 0, sizeof o);
    o.preds = pred;
    o.n_preds = pred ? 1 : 0;
    DeltaScan *sc = delta_scan_open(snap, &o, err);
    if (!sc)
        return err->kind;
    Batch b;
    batch_init(&b, delta_scan_schema(sc));
    int64_t matches = 0;
    int rc;
    while (!(rc = delta_scan_next(sc, &b, err)) && b.n_rows)
        for (uint32_t i = 0; i < b.n_rows; i++)
            matches += VEC_DATA(&b.cols[0], int64_t)[i] == want_key;
    delta_scan_stats(sc, st);
    batch_destroy(&b);
    delta_scan_close(sc);
    *matches_out = matches;
    return rc;
}

static int bench_skipping(const char *dir, int n_files, int rows_per_file, int loads)
{
    TarnError err = {0};
    DeltaTable *t = create_table(dir, NULL, NULL, 0, &err);
    if (!t)
        return die("create", &err);
    Schema schema;
    make_schema(&schema);
    Batch b;
    if (batch_init(&b, &schema))
        return die("batch", &err);
    for (int k = 0; k < n_files; k++) {
        fill(&b, (int64_t)k * rows_per_file, rows_per_file);
        const Batch *bs[1] = {&b};
        if (delta_write(t, bs, 1, NULL, NULL, &err))
            return die("append", &err);
    }
    batch_destroy(&b);
    DeltaSnapshot *snap = delta_snapshot_latest(t, &err);
    if (!snap)
        return die("snapshot", &err);
    int64_t key = (int64_t)(n_files / 2) * rows_per_file + rows_per_file / 3;
    PqPredicate pred;
    memset(&pred, 0, sizeof pred);
    pred.column = "key";
    pred.op = PQ_CMP_EQ;
    pred.value = value_i64(TYPE_INT64, key);
    double *sel = calloc((size_t)loads, sizeof *sel), *full = calloc((size_t)loads, sizeof *full);
    DeltaScanStats st_sel, st_full;
    int64_t m_sel = 0, m_full = 0;
    for (int i = 0; i < loads; i++) {
        double s = now_s();
        if (scan_count(snap, &pred, key, &st_sel, &m_sel, &err))
            return die("selective scan", &err);
        sel[i] = (now_s() - s) * 1e3;
        s = now_s();
        if (scan_count(snap, NULL, key, &st_full, &m_full, &err))
            return die("full scan", &err);
        full[i] = (now_s() - s) * 1e3;
    }
    printf("skipping_files_total %" PRId64 "\n", st_sel.files_total);
    printf("skipping_files_read %" PRId64 "\n", st_sel.files_read);
    printf("skipping_files_pruned %" PRId64 "\n", st_sel.files_pruned);
    printf("skipping_rows_per_file %d\n", rows_per_file);
    printf("skipping_matches %" PRId64 " %" PRId64 "\n", m_sel, m_full);
    printf("skipping_selective_median_ms %.2f\n", median(sel, loads));
    printf("skipping_full_files_read %" PRId64 "\n", st_full.files_read);
    printf("skipping_full_median_ms %.2f\n", median(full, loads));
    free(sel);
    free(full);
    delta_snapshot_free(snap);
    delta_table_close(t);
    schema_destroy(&schema);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "commits"))
        return bench_commits(argv[2], atoi(argv[3]));
    if (argc >= 7 && !strcmp(argv[1], "snapshot"))
        return bench_snapshot(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
    if (argc >= 6 && !strcmp(argv[1], "skipping"))
        return bench_skipping(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
    fprintf(stderr, "usage: delta_bench commits DIR N\n"
                    "       delta_bench snapshot DIR N_COMMITS FILES_PER_COMMIT CP_INTERVAL LOADS\n"
                    "       delta_bench skipping DIR N_FILES ROWS_PER_FILE LOADS\n");
    return 2;
}
