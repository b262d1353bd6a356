/*
 * delta_bench.c - Delta table figures for bench/delta.sh (`make bench`):
 * prints "key value" lines, asserts nothing.
 *
 *   delta_bench commits DIR N
 *       N one-row appends (delta_write), one commit each, on a fresh table:
 *       commits per second and the median / p95 commit latency.
 *   delta_bench snapshot DIR N_COMMITS FILES_PER_COMMIT CP_INTERVAL LOADS [TAIL]
 *       Builds a log of N_COMMITS commits of FILES_PER_COMMIT add actions of
 *       fake files each (no data files), the last TAIL (default 100) through
 *       delta_txn_add_file with a checkpoint every CP_INTERVAL commits
 *       (table property delta.checkpointInterval; see bench_snapshot for
 *       how the rest is written), then loads the latest snapshot LOADS
 *       times, each with a fresh DeltaTable (no cached snapshot): median,
 *       min and max load time; and the same for the version just before
 *       the newest checkpoint (checkpoint + CP_INTERVAL - 1 commits).
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

#include "storage/storage.h"
#include "table/delta/actions.h"
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

/* The DeltaAdd of fake file number k (no data file exists). */
static void fake_add(DeltaAdd *add, int64_t k, char *path, size_t path_cap, char *stats,
                     size_t stats_cap)
{
    memset(add, 0, sizeof *add);
    snprintf(path, path_cap, "fake/part-%08" PRId64 ".parquet", k);
    snprintf(stats, stats_cap,
             "{\"numRecords\":100,\"minValues\":{\"key\":%" PRId64 "},\"maxValues\":"
             "{\"key\":%" PRId64 "},\"nullCount\":{\"key\":0}}",
             k * 100, k * 100 + 99);
    add->path = path;
    add->size = 4096;
    add->modification_time = 1700000000000 + k;
    add->data_change = true;
    add->stats = stats;
}

/* Loads a snapshot `loads` times with a fresh DeltaTable each time (no
 * cache); version -1 = latest.  Fills ms[] and returns the median. */
static double time_loads(const char *dir, int64_t version, int loads, double *ms,
                         int64_t *version_out, size_t *files_out)
{
    TarnError err = {0};
    for (int i = 0; i < loads; i++) {
        double s = now_s();
        DeltaTable *tt = delta_table_open_dir(dir, false, NULL, &err);
        DeltaSnapshot *snap = !tt ? NULL
                              : version < 0 ? delta_snapshot_latest(tt, &err)
                                            : delta_snapshot_at_version(tt, version, &err);
        if (!snap) {
            die("load", &err);
            exit(1);
        }
        ms[i] = (now_s() - s) * 1e3;
        *version_out = delta_snapshot_version(snap);
        *files_out = delta_snapshot_num_files(snap);
        delta_snapshot_free(snap);
        delta_table_close(tt);
    }
    return median(ms, loads);
}

/*
 * A log of n_commits commits of per_commit fake adds.  Writing all of it
 * through delta_txn_* costs O(n^2) with checkpoints every 10 commits (each
 * begin reloads the newest checkpoint, each checkpoint rewrites every file
 * so far: ~9 minutes and ~1.5 GB of checkpoints for 10,000 commits here),
 * so the log is made in two parts:
 *   1. the first n_commits - tail commits are written the way a transaction
 *      writes them - actions serialized by delta_action_serialize, the file
 *      put with storage_put_if_absent - without a snapshot per commit, and
 *      one checkpoint (delta_checkpoint) is written at their last version,
 *      as metadata cleanup would have left it;
 *   2. the last `tail` commits go through delta_txn_begin /
 *      delta_txn_add_file / delta_txn_commit, which write a checkpoint every
 *      cp_interval commits (delta.checkpointInterval).
 * A load reads only the newest checkpoint and the commits after it, so the
 * older checkpoints a full history would have do not change what is timed.
 */
static int bench_snapshot(const char *dir, int n_commits, int per_commit, int cp_interval,
                          int loads, int tail)
{
    TarnError err = {0};
    char interval[32];
    snprintf(interval, sizeof interval, "%d", cp_interval);
    const char *keys[] = {"delta.checkpointInterval"};
    const char *vals[] = {interval};
    DeltaTable *t = create_table(dir, keys, vals, 1, &err);
    if (!t)
        return die("create", &err);
    if (tail > n_commits)
        tail = n_commits;
    double t0 = now_s();
    char path[64], stats[160], name[32], rel[64];
    int64_t file_no = 0;
    Buf body;
    buf_init(&body);
    Storage *st = delta_table_storage(t);
    for (int c = 1; c <= n_commits - tail; c++) {
        buf_clear(&body);
        buf_printf(&body, "{\"commitInfo\":{\"timestamp\":%" PRId64 ",\"operation\":\"WRITE\","
                          "\"operationParameters\":{\"mode\":\"Append\"},\"readVersion\":%d,"
                          "\"isBlindAppend\":true,\"engineInfo\":\"tarn-bench\"}}\n",
                   (int64_t)1700000000000 + c, c - 1);
        for (int f = 0; f < per_commit; f++, file_no++) {
            DeltaAction act;
            memset(&act, 0, sizeof act);
            act.kind = DELTA_ACT_ADD;
            fake_add(&act.u.add, file_no, path, sizeof path, stats, sizeof stats);
            if (delta_action_serialize(&act, &body))
                return die("serialize", &err);
        }
        snprintf(rel, sizeof rel, "_delta_log/%s", delta_commit_file_name(c, name));
        if (storage_put_if_absent(st, rel, body.data, body.len, &err))
            return die("put commit", &err);
    }
    buf_free(&body);
    double bulk = now_s() - t0;
    if (n_commits - tail > 0) {
        DeltaSnapshot *snap = delta_snapshot_latest(t, &err);
        if (!snap || delta_checkpoint(t, snap, &err))
            return die("checkpoint", &err);
        delta_snapshot_free(snap);
    }
    double cp = now_s() - t0 - bulk;
    double *lat = calloc((size_t)(tail ? tail : 1), sizeof *lat);
    double t1 = now_s();
    for (int c = 0; c < tail; c++) {
        double s = now_s();
        DeltaTransaction *txn = delta_txn_begin(t, &err);
        if (!txn)
            return die("begin", &err);
        for (int f = 0; f < per_commit; f++, file_no++) {
            DeltaAdd add;
            fake_add(&add, file_no, path, sizeof path, stats, sizeof stats);
            if (delta_txn_add_file(txn, &add, &err))
                return die("add file", &err);
        }
        if (delta_txn_set_operation(txn, "WRITE", "{\"mode\":\"Append\"}", &err) ||
            delta_txn_commit(txn, NULL, &err))
            return die("commit", &err);
        lat[c] = (now_s() - s) * 1e3;
    }
    double tail_s = now_s() - t1;
    delta_table_close(t);
    printf("snapshot_commits %d\n", n_commits);
    printf("snapshot_files %" PRId64 "\n", file_no);
    printf("snapshot_checkpoint_interval %d\n", cp_interval);
    printf("snapshot_bulk_seconds %.1f\n", bulk);
    printf("snapshot_first_checkpoint_seconds %.1f\n", cp);
    printf("snapshot_tail_commits %d\n", tail);
    printf("snapshot_tail_seconds %.1f\n", tail_s);
    if (tail)
        printf("snapshot_tail_commit_median_ms %.1f\n", median(lat, tail));
    free(lat);

    double *ms = calloc((size_t)loads, sizeof *ms);
    int64_t version = -1;
    size_t n_files = 0;
    double med = time_loads(dir, -1, loads, ms, &version, &n_files);
    printf("snapshot_version %" PRId64 "\n", version);
    printf("snapshot_live_files %zu\n", n_files);
    printf("snapshot_load_median_ms %.2f\n", med);
    printf("snapshot_load_min_ms %.2f\n", ms[0]);
    printf("snapshot_load_max_ms %.2f\n", ms[loads - 1]);
    /* The worst case of the interval: the version just before a checkpoint
     * (newest checkpoint + cp_interval - 1 commits). */
    int64_t worst = (int64_t)n_commits - 1;
    if (tail > cp_interval && cp_interval > 1) {
        worst = ((int64_t)n_commits / cp_interval) * cp_interval - 1;
        med = time_loads(dir, worst, loads, ms, &version, &n_files);
        printf("snapshot_worst_version %" PRId64 "\n", worst);
        printf("snapshot_worst_files %zu\n", n_files);
        printf("snapshot_worst_median_ms %.2f\n", med);
    }
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
        return bench_snapshot(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]),
                              argc >= 8 ? atoi(argv[7]) : 100);
    if (argc >= 6 && !strcmp(argv[1], "skipping"))
        return bench_skipping(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
    fprintf(stderr, "usage: delta_bench commits DIR N\n"
                    "       delta_bench snapshot DIR N_COMMITS FILES_PER_COMMIT CP_INTERVAL LOADS [TAIL]\n"
                    "       delta_bench skipping DIR N_FILES ROWS_PER_FILE LOADS\n");
    return 2;
}
