/*
 * test_delta_write.c - the write side of the Delta library: create,
 * append/overwrite, round trips through the reader, conflicts between
 * concurrent transactions, idempotent writes, checkpoints, schema
 * enforcement, constraints, deletion vectors, DELETE/UPDATE/MERGE, change
 * data feed, OPTIMIZE, VACUUM, RESTORE, history and time travel.
 */
#include "../test.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "delta_testutil.h"
#include "table/delta/delta.h"
#include "util/datetime.h"

/* ---- helpers ----------------------------------------------------------------- */

static int64_t g_clock_ms;
static int64_t test_clock(void *ctx)
{
    (void)ctx;
    return g_clock_ms;
}

static int64_t real_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static DeltaTable *open_table(const char *dir, TarnError *err)
{
    DeltaTableOptions o;
    memset(&o, 0, sizeof o);
    o.now_ms = test_clock;
    if (!g_clock_ms)
        g_clock_ms = real_now_ms();
    return delta_table_open_dir(dir, true, &o, err);
}

static char *table_dir(const char *name)
{
    static char buf[4][4096];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, 4096, "%s/%s", test_tmp_dir(), name);
    return b;
}

/* Schema: id BIGINT, name TEXT, part TEXT */
static void simple_schema(Schema *s)
{
    schema_init(s);
    ASSERT(schema_add(s, "id", type_simple(TYPE_INT64), true) == 0);
    ASSERT(schema_add(s, "name", type_simple(TYPE_STRING), true) == 0);
    ASSERT(schema_add(s, "part", type_simple(TYPE_STRING), true) == 0);
}

/* A batch of rows id = from..to-1, name "n<id>", part "p<id % nparts>". */
static void make_rows(Batch *b, const Schema *s, int64_t from, int64_t to, int nparts)
{
    ASSERT(batch_init(b, s) == 0);
    char buf[32];
    for (int64_t i = from; i < to; i++) {
        ASSERT(vec_append_i64(&b->cols[0], i) == 0);
        snprintf(buf, sizeof buf, "n%lld", (long long)i);
        ASSERT(vec_append_str(&b->cols[1], buf, strlen(buf)) == 0);
        snprintf(buf, sizeof buf, "p%lld", (long long)(i % nparts));
        ASSERT(vec_append_str(&b->cols[2], buf, strlen(buf)) == 0);
    }
    b->n_rows = (uint32_t)(to - from);
}

static void create_simple(DeltaTable *t, bool partitioned, const char *const *keys, const char *const *vals, int n)
{
    Schema s;
    simple_schema(&s);
    const char *parts[] = {"part"};
    DeltaCreateOptions o;
    memset(&o, 0, sizeof o);
    o.schema = &s;
    o.partition_columns = partitioned ? parts : NULL;
    o.n_partition_columns = partitioned ? 1 : 0;
    o.property_keys = keys;
    o.property_values = vals;
    o.n_properties = n;
    TarnError err;
    err_clear(&err);
    DeltaResult r;
    ASSERT_OK(delta_create(t, &o, &r, &err), &err);
    ASSERT_EQ_INT(r.version, 0);
    schema_destroy(&s);
}

static DeltaResult append_rows(DeltaTable *t, int64_t from, int64_t to, int nparts)
{
    Schema s;
    simple_schema(&s);
    Batch b;
    make_rows(&b, &s, from, to, nparts);
    TarnError err;
    err_clear(&err);
    const Batch *bs[1] = {&b};
    DeltaResult r;
    ASSERT_OK(delta_write(t, bs, 1, NULL, &r, &err), &err);
    batch_destroy(&b);
    schema_destroy(&s);
    return r;
}

/* Sorted ids of the table at a version (-1 = latest). */
static void read_ids(const char *dir, long long version, RowSet *out)
{
    TarnError err;
    err_clear(&err);
    rowset_init(out);
    const char *cols[] = {"id"};
    ASSERT_OK(read_delta_table(dir, version, cols, 1, out, &err), &err);
    rowset_sort(out);
}

static void expect_ids(const char *dir, long long version, const int64_t *ids, size_t n)
{
    RowSet got, want;
    read_ids(dir, version, &got);
    rowset_init(&want);
    want.rows = calloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)ids[i]);
        want.rows[i] = strdup(buf);
    }
    want.n_rows = want.cap = n;
    rowset_sort(&want);
    if (!rowset_equal(&got, &want))
        TFAIL("ids of %s at version %lld differ", dir, version);
    rowset_free(&got);
    rowset_free(&want);
}

static void expect_range(const char *dir, long long version, int64_t from, int64_t to)
{
    int64_t *ids = malloc(sizeof(int64_t) * (size_t)(to - from + 1));
    for (int64_t i = from; i < to; i++)
        ids[i - from] = i;
    expect_ids(dir, version, ids, (size_t)(to - from));
    free(ids);
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Row filter: id % mod == rem */
typedef struct ModFilter {
    int64_t mod, rem;
} ModFilter;

static int mod_filter(void *ctx, const Batch *b, uint8_t *match, TarnError *err)
{
    ModFilter *m = ctx;
    (void)err;
    for (uint32_t i = 0; i < b->n_rows; i++)
        match[i] = vec_is_valid(&b->cols[0], i) && VEC_DATA(&b->cols[0], int64_t)[i] % m->mod == m->rem;
    return 0;
}

/* Update: id -> id + 1000 */
static int add_1000(void *ctx, const Batch *in, Batch *out, TarnError *err)
{
    (void)ctx;
    (void)err;
    for (uint32_t i = 0; i < in->n_rows; i++)
        for (uint32_t c = 0; c < in->n_cols; c++) {
            if (c == 0) {
                if (vec_append_i64(&out->cols[0], VEC_DATA(&in->cols[0], int64_t)[i] + 1000))
                    return TARN_ERR_NOMEM;
            } else if (vec_append_from(&out->cols[c], &in->cols[c], i)) {
                return TARN_ERR_NOMEM;
            }
        }
    out->n_rows = in->n_rows;
    return 0;
}

/* ---- create / append / read ----------------------------------------------------------- */

TEST(delta_write_create_append_read)
{
    const char *dir = table_dir("t1");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_table(dir, &err);
    ASSERT_NOT_NULL(t, &err);
    create_simple(t, true, NULL, NULL, 0);
    DeltaResult r = append_rows(t, 0, 100, 3);
    ASSERT_EQ_INT(r.version, 1);
    ASSERT_EQ_INT(r.files_added, 3);
    r = append_rows(t, 100, 150, 3);
    ASSERT_EQ_INT(r.version, 2);
    expect_range(dir, -1, 0, 150);
    expect_range(dir, 1, 0, 100);
    expect_ids(dir, 0, NULL, 0);
    /* Hive-style partition folders and stats */
    char p[4200];
    snprintf(p, sizeof p, "%s/part=p1", dir);
    ASSERT(file_exists(p));
    DeltaSnapshot *s = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(s, &err);
    ASSERT_EQ_INT(delta_snapshot_num_files(s), 6);
    ASSERT_EQ_INT(delta_snapshot_total_rows(s), 150);
    const DeltaAdd *f = delta_snapshot_file(s, 0);
    ASSERT(f->stats && strstr(f->stats, "\"numRecords\""));
    ASSERT(strstr(f->stats, "\"minValues\":{\"id\":"));
    ASSERT(strstr(f->path, "part=p") == f->path);
    ASSERT(strstr(f->path, ".snappy.parquet"));
    ASSERT_EQ_STR(delta_map_get(&f->partition_values, "part", NULL), f->path[6] == '0' ? "p0" : f->path[6] == '1' ? "p1" : "p2");
    delta_snapshot_free(s);
    /* pruning by partition and by stats */
    s = delta_snapshot_latest(t, &err);
    PqPredicate pr;
    memset(&pr, 0, sizeof pr);
    pr.column = "part";
    pr.op = PQ_CMP_EQ;
    pr.value = value_str("p1", 2);
    DeltaScanOptions so;
    memset(&so, 0, sizeof so);
    so.preds = &pr;
    so.n_preds = 1;
    DeltaScan *sc = delta_scan_open(s, &so, &err);
    ASSERT_NOT_NULL(sc, &err);
    ASSERT_EQ_INT(delta_scan_num_files(sc), 2);
    delta_scan_close(sc);
    pr.column = "id";
    pr.op = PQ_CMP_GE;
    pr.value = value_i64(TYPE_INT64, 120);
    sc = delta_scan_open(s, &so, &err);
    ASSERT_NOT_NULL(sc, &err);
    ASSERT_EQ_INT(delta_scan_num_files(sc), 3); /* only the second append's files */
    /* per-file scans (morsels) see every row of the selected files once */
    int64_t rows = 0;
    for (size_t i = 0; i < delta_scan_num_files(sc); i++) {
        DeltaScan *one = delta_scan_open_file(sc, i, &err);
        ASSERT_NOT_NULL(one, &err);
        Batch ob;
        ASSERT(batch_init(&ob, delta_scan_schema(one)) == 0);
        for (;;) {
            ASSERT_OK(delta_scan_next(one, &ob, &err), &err);
            if (!ob.n_rows)
                break;
            rows += ob.n_rows;
        }
        batch_destroy(&ob);
        delta_scan_close(one);
    }
    ASSERT_EQ_INT(rows, 50);
    delta_scan_close(sc);
    delta_snapshot_free(s);
    /* the commit file: commitInfo first, engineInfo tarn */
    char cpath[4200];
    snprintf(cpath, sizeof cpath, "%s/_delta_log/00000000000000000001.json", dir);
    FILE *fp = fopen(cpath, "r");
    ASSERT(fp);
    char line[4096];
    ASSERT(fgets(line, sizeof line, fp));
    fclose(fp);
    ASSERT(strncmp(line, "{\"commitInfo\":", 14) == 0);
    ASSERT(strstr(line, "\"engineInfo\":\"tarn/"));
    ASSERT(strstr(line, "\"operation\":\"WRITE\""));
    ASSERT(strstr(line, "\"isBlindAppend\":true"));
    delta_table_close(t);
}

TEST(delta_write_create_twice_fails)
{
    const char *dir = table_dir("t2");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_table(dir, &err);
    ASSERT_NOT_NULL(t, &err);
    create_simple(t, false, NULL, NULL, 0);
    Schema s;
    simple_schema(&s);
    DeltaCreateOptions o;
    memset(&o, 0, sizeof o);
    o.schema = &s;
    ASSERT(delta_create(t, &o, NULL, &err) != 0);
    ASSERT_ERR_CONTAINS(&err, "already exists");
    err_clear(&err);
    o.if_not_exists = true;
    ASSERT_OK(delta_create(t, &o, NULL, &err), &err);
    schema_destroy(&s);
    delta_table_close(t);
}

TEST(delta_write_schema_mismatch)
{
    const char *dir = table_dir("t3");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_table(dir, &err);
    ASSERT_NOT_NULL(t, &err);
    create_simple(t, false, NULL, NULL, 0);
    /* unknown column */
    Schema s;
    schema_init(&s);
    ASSERT(schema_add(&s, "id", type_simple(TYPE_INT64), true) == 0);
    ASSERT(schema_add(&s, "extra", type_simple(TYPE_INT32), true) == 0);
    Batch b;
    ASSERT(batch_init(&b, &s) == 0);
    ASSERT(vec_append_i64(&b.cols[0], 1) == 0);
    ASSERT(vec_append_i64(&b.cols[1], 2) == 0);
    b.n_rows = 1;
    const Batch *bs[1] = {&b};
    ASSERT(delta_write(t, bs, 1, NULL, NULL, &err) != 0);
    ASSERT_ERR_CONTAINS(&err, "column \"extra\" does not exist");
    /* with mergeSchema the column is added */
    err_clear(&err);
    DeltaWriteOptions wo;
    memset(&wo, 0, sizeof wo);
    wo.merge_schema = true;
    DeltaResult r;
    ASSERT_OK(delta_write(t, bs, 1, &wo, &r, &err), &err);
    DeltaSnapshot *snap = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(snap, &err);
    ASSERT_EQ_INT(delta_snapshot_schema(snap)->n_fields, 4);
    ASSERT_EQ_STR(delta_snapshot_schema(snap)->fields[3].name, "extra");
    delta_snapshot_free(snap);
    batch_destroy(&b);
    schema_destroy(&s);
    /* wrong type */
    schema_init(&s);
    ASSERT(schema_add(&s, "id", type_simple(TYPE_STRING), true) == 0);
    ASSERT(batch_init(&b, &s) == 0);
    ASSERT(vec_append_str(&b.cols[0], "x", 1) == 0);
    b.n_rows = 1;
    err_clear(&err);
    int rc = delta_write(t, bs, 1, NULL, NULL, &err);
    ASSERT_EQ_INT(rc, TARN_ERR_TYPE);
    ASSERT_ERR_CONTAINS(&err, "column \"id\" is of type bigint");
    batch_destroy(&b);
    schema_destroy(&s);
    /* a narrower integer is widened */
    schema_init(&s);
    ASSERT(schema_add(&s, "id", type_simple(TYPE_INT32), true) == 0);
    ASSERT(batch_init(&b, &s) == 0);
    ASSERT(vec_append_i64(&b.cols[0], 77) == 0);
    b.n_rows = 1;
    err_clear(&err);
    ASSERT_OK(delta_write(t, bs, 1, NULL, NULL, &err), &err);
    batch_destroy(&b);
    schema_destroy(&s);
    int64_t ids[] = {1, 77};
    expect_ids(dir, -1, ids, 2);
    delta_table_close(t);
}

/* ---- concurrency ------------------------------------------------------------------------ */

TEST(delta_write_conflict_append_append)
{
    const char *dir = table_dir("t4");
    TarnError err;
    err_clear(&err);
    DeltaTable *t1 = open_table(dir, &err);
    ASSERT_NOT_NULL(t1, &err);
    create_simple(t1, false, NULL, NULL, 0);
    DeltaTable *t2 = open_table(dir, &err);
    ASSERT_NOT_NULL(t2, &err);
    DeltaTransaction *a = delta_txn_begin(t1, &err);
    ASSERT_NOT_NULL(a, &err);
    DeltaTransaction *b = delta_txn_begin(t2, &err);
    ASSERT_NOT_NULL(b, &err);
    Schema s;
    simple_schema(&s);
    Batch x, y;
    make_rows(&x, &s, 0, 10, 1);
    make_rows(&y, &s, 10, 20, 1);
    ASSERT_OK(delta_txn_write(a, &x, &err), &err);
    ASSERT_OK(delta_txn_write(b, &y, &err), &err);
    DeltaResult ra, rb;
    ASSERT_OK(delta_txn_commit(a, &ra, &err), &err);
    ASSERT_OK(delta_txn_commit(b, &rb, &err), &err);
    ASSERT_EQ_INT(ra.version, 1);
    ASSERT_EQ_INT(rb.version, 2);
    ASSERT_EQ_INT(rb.attempts, 2);
    expect_range(dir, -1, 0, 20);
    batch_destroy(&x);
    batch_destroy(&y);
    schema_destroy(&s);
    delta_table_close(t1);
    delta_table_close(t2);
}

TEST(delta_write_conflict_delete_delete)
{
    const char *dir = table_dir("t5");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_table(dir, &err);
    ASSERT_NOT_NULL(t, &err);
    create_simple(t, false, NULL, NULL, 0);
    append_rows(t, 0, 10, 1);
    DeltaTransaction *a = delta_txn_begin(t, &err);
    ASSERT_NOT_NULL(a, &err);
    DeltaTransaction *b = delta_txn_begin(t, &err);
    ASSERT_NOT_NULL(b, &err);
    const DeltaAdd *f = delta_snapshot_file(delta_txn_snapshot(a), 0);
    ASSERT_OK(delta_txn_remove_file(a, f, true, &err), &err);
    f = delta_snapshot_file(delta_txn_snapshot(b), 0);
    ASSERT_OK(delta_txn_remove_file(b, f, true, &err), &err);
    ASSERT_OK(delta_txn_commit(a, NULL, &err), &err);
    int rc = delta_txn_commit(b, NULL, &err);
    ASSERT_EQ_INT(rc, TARN_ERR_CONFLICT);
    ASSERT_ERR_CONTAINS(&err, "concurrent delete of file");
    ASSERT_ERR_CONTAINS(&err, "(version 2)");
    expect_ids(dir, -1, NULL, 0);
    delta_table_close(t);
}

TEST(delta_write_conflict_read_vs_append)
{
    /* Under the default WriteSerializable isolation a DELETE that read
     * partition p0 does not conflict with a concurrent blind append (round 0
     * into p1, round 1 into p0); with delta.isolationLevel = Serializable an
     * append into p0 conflicts (round 2). */
    const char *dir = table_dir("t6");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_table(dir, &err);
    ASSERT_NOT_NULL(t, &err);
    create_simple(t, true, NULL, NULL, 0);
    append_rows(t, 0, 10, 2);
    for (int round = 0; round < 3; round++) {
        if (round == 2) {
            const char *k[] = {"delta.isolationLevel"}, *vals[] = {"Serializable"};
            ASSERT_OK(delta_set_properties(t, k, vals, 1, NULL, &err), &err);
        }
        DeltaTransaction *d = delta_txn_begin(t, &err);
        ASSERT_NOT_NULL(d, &err);
        PqPredicate pr;
        memset(&pr, 0, sizeof pr);
        pr.column = "part";
        pr.op = PQ_CMP_EQ;
        pr.value = value_str("p0", 2);
        ASSERT_OK(delta_txn_read_predicate(d, &pr, 1, &err), &err);
        DeltaSnapshot *s = delta_txn_snapshot(d);
        for (size_t i = 0; i < delta_snapshot_num_files(s); i++) {
            const DeltaAdd *f = delta_snapshot_file(s, i);
            if (strcmp(delta_map_get(&f->partition_values, "part", NULL), "p0") == 0)
                ASSERT_OK(delta_txn_remove_file(d, f, true, &err), &err);
        }
        /* concurrent append: round 0 into p1 (2k+1 ids), rounds 1, 2 into p0 */
        append_rows(t, round == 0 ? 101 : 100 + 2 * round, round == 0 ? 102 : 101 + 2 * round, 2);
        int rc = delta_txn_commit(d, NULL, &err);
        if (round < 2) {
            ASSERT_OK(rc, &err);
        } else {
            ASSERT_EQ_INT(rc, TARN_ERR_CONFLICT);
            ASSERT_ERR_CONTAINS(&err, "concurrent append of data this transaction read");
        }
        err_clear(&err);
    }
    delta_table_close(t);
}

TEST(delta_write_idempotent_txn)
{
    const char *dir = table_dir("t7");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_table(dir, &err);
    ASSERT_NOT_NULL(t, &err);
    create_simple(t, false, NULL, NULL, 0);
    Schema s;
    simple_schema(&s);
    Batch b;
    make_rows(&b, &s, 0, 5, 1);
    const Batch *bs[1] = {&b};
    DeltaWriteOptions o;
    memset(&o, 0, sizeof o);
    o.app_id = "kafka-orders-0";
    o.app_version = 5;
    DeltaResult r;
    ASSERT_OK(delta_write(t, bs, 1, &o, &r, &err), &err);
    ASSERT(!r.skipped);
    ASSERT_EQ_INT(r.version, 1);
    ASSERT_OK(delta_write(t, bs, 1, &o, &r, &err), &err);
    ASSERT(r.skipped);
    ASSERT_EQ_INT(r.version, -1);
    o.app_version = 4;
    ASSERT_OK(delta_write(t, bs, 1, &o, &r, &err), &err);
    ASSERT(r.skipped);
    o.app_version = 6;
    ASSERT_OK(delta_write(t, bs, 1, &o, &r, &err), &err);
    ASSERT(!r.skipped);
    DeltaSnapshot *snap = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(snap, &err);
    int64_t v;
    ASSERT(delta_snapshot_app_version(snap, "kafka-orders-0", &v));
    ASSERT_EQ_INT(v, 6);
    delta_snapshot_free(snap);
    /* 10 rows: two applied writes, and no stray data files from the skipped ones */
    RowSet got;
    read_ids(dir, -1, &got);
    ASSERT_EQ_INT(got.n_rows, 10);
    rowset_free(&got);
    int n_parquet = 0;
    DIR *d = opendir(dir);
    struct dirent *de;
    while ((de = readdir(d)))
        n_parquet += strstr(de->d_name, ".parquet") != NULL;
    closedir(d);
    ASSERT_EQ_INT(n_parquet, 2);
    batch_destroy(&b);
    schema_destroy(&s);
    delta_table_close(t);
}

/* ---- checkpoints ------------------------------------------------------------------------- */

TEST(delta_write_checkpoint_reload)
{
    const char *dir = table_dir("t8");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_table(dir, &err);
    ASSERT_NOT_NULL(t, &err);
    create_simple(t, true, NULL, NULL, 0);
    for (int i = 0; i < 12; i++)
        append_rows(t, i * 10, i * 10 + 10, 3);
    /* one removal before the checkpoint, one after */
    ModFilter m = {7, 0};
    DeltaCondition c;
    memset(&c, 0, sizeof c);
    c.filter = mod_filter;
    c.ctx = &m;
    DeltaResult r;
    ASSERT_OK(delta_delete(t, &c, &r, &err), &err);
    ASSERT_EQ_INT(r.version, 13);
    char p[4200];
    snprintf(p, sizeof p, "%s/_delta_log/00000000000000000010.checkpoint.parquet", dir);
    ASSERT(file_exists(p));
    snprintf(p, sizeof p, "%s/_delta_log/_last_checkpoint", dir);
    ASSERT(file_exists(p));
    /* reload from a fresh handle with the commits before the checkpoint gone:
     * the snapshot must come from the checkpoint */
    for (int v = 0; v < 10; v++) {
        snprintf(p, sizeof p, "%s/_delta_log/%020d.json", dir, v);
        ASSERT(unlink(p) == 0);
    }
    int64_t *ids = malloc(sizeof(int64_t) * 120);
    size_t n = 0;
    for (int64_t i = 0; i < 120; i++)
        if (i % 7 != 0)
            ids[n++] = i;
    expect_ids(dir, -1, ids, n);
    expect_range(dir, 10, 0, 100);
    free(ids);
    DeltaTable *t2 = open_table(dir, &err);
    DeltaSnapshot *s = delta_snapshot_latest(t2, &err);
    ASSERT_NOT_NULL(s, &err);
    ASSERT_EQ_INT(delta_snapshot_version(s), 13);
    ASSERT(delta_snapshot_num_tombstones(s) > 0);
    delta_snapshot_free(s);
    /* versions before the checkpoint are gone */
    s = delta_snapshot_at_version(t2, 5, &err);
    ASSERT(s == NULL);
    ASSERT_EQ_INT(err.kind, TARN_ERR_NOT_FOUND);
    delta_table_close(t2);
    delta_table_close(t);
}

/* ---- DML ------------------------------------------------------------------------------------ */

static void dml_round(const char *name, bool dv, bool cdf)
{
    const char *dir = table_dir(name);
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_table(dir, &err);
    ASSERT_NOT_NULL(t, &err);
    const char *keys[2], *vals[2];
    int n = 0;
    if (dv) {
        keys[n] = "delta.enableDeletionVectors";
        vals[n++] = "true";
    }
    if (cdf) {
        keys[n] = "delta.enableChangeDataFeed";
        vals[n++] = "true";
    }
    create_simple(t, false, keys, vals, n);
    append_rows(t, 0, 100, 1);
    /* DELETE id % 10 == 3 */
    ModFilter m = {10, 3};
    DeltaCondition c;
    memset(&c, 0, sizeof c);
    c.filter = mod_filter;
    c.ctx = &m;
    DeltaResult r;
    ASSERT_OK(delta_delete(t, &c, &r, &err), &err);
    ASSERT_EQ_INT(r.rows_deleted, 10);
    ASSERT_EQ_INT(r.version, 2);
    DeltaSnapshot *s = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(s, &err);
    ASSERT_EQ_INT(delta_snapshot_num_files(s), 1);
    ASSERT(dv == (delta_snapshot_file(s, 0)->dv != NULL));
    delta_snapshot_free(s);
    /* DELETE id % 10 == 5 (a DV grows) */
    m.rem = 5;
    ASSERT_OK(delta_delete(t, &c, &r, &err), &err);
    ASSERT_EQ_INT(r.rows_deleted, 10);
    /* UPDATE id % 10 == 7: id += 1000 */
    m.rem = 7;
    ASSERT_OK(delta_update(t, &c, add_1000, NULL, &r, &err), &err);
    ASSERT_EQ_INT(r.rows_updated, 10);
    ASSERT_EQ_INT(r.version, 4);
    int64_t ids[100];
    size_t k = 0;
    for (int64_t i = 0; i < 100; i++) {
        if (i % 10 == 3 || i % 10 == 5)
            continue;
        ids[k++] = i % 10 == 7 ? i + 1000 : i;
    }
    expect_ids(dir, -1, ids, k);
    /* time travel still sees the old rows */
    expect_range(dir, 1, 0, 100);
    /* CDF of versions 2..4 */
    DeltaScan *sc = delta_cdf_open(t, 2, 4, NULL, &err);
    ASSERT_NOT_NULL(sc, &err);
    Batch b;
    ASSERT(batch_init(&b, delta_scan_schema(sc)) == 0);
    RowSet got;
    rowset_init(&got);
    const char *cols[] = {"id", "_change_type", "_commit_version"};
    for (;;) {
        ASSERT_OK(delta_scan_next(sc, &b, &err), &err);
        if (!b.n_rows)
            break;
        ASSERT(rowset_add_batch(&got, &b, cols, 3) == 0);
    }
    batch_destroy(&b);
    delta_scan_close(sc);
    rowset_sort(&got);
    RowSet want;
    rowset_init(&want);
    char buf[64];
    for (int64_t i = 0; i < 100; i++) {
        const char *line = NULL;
        if (i % 10 == 3)
            snprintf(buf, sizeof buf, "%lld | 'delete' | 2", (long long)i), line = buf;
        else if (i % 10 == 5)
            snprintf(buf, sizeof buf, "%lld | 'delete' | 3", (long long)i), line = buf;
        if (line) {
            want.rows = realloc(want.rows, (want.n_rows + 1) * sizeof(char *));
            want.rows[want.n_rows++] = strdup(line);
        }
        if (i % 10 == 7) {
            if (cdf) {
                snprintf(buf, sizeof buf, "%lld | 'update_preimage' | 4", (long long)i);
                want.rows = realloc(want.rows, (want.n_rows + 2) * sizeof(char *));
                want.rows[want.n_rows++] = strdup(buf);
                snprintf(buf, sizeof buf, "%lld | 'update_postimage' | 4", (long long)i + 1000);
                want.rows[want.n_rows++] = strdup(buf);
            } else {
                /* derived from add/remove: old rows deleted, new rows inserted */
                snprintf(buf, sizeof buf, "%lld | 'delete' | 4", (long long)i);
                want.rows = realloc(want.rows, (want.n_rows + 2) * sizeof(char *));
                want.rows[want.n_rows++] = strdup(buf);
                snprintf(buf, sizeof buf, "%lld | 'insert' | 4", (long long)i + 1000);
                want.rows[want.n_rows++] = strdup(buf);
            }
        }
    }
    if (!dv && !cdf) {
        /* copy-on-write without CDF files: the rewritten rows count as
         * delete + insert of the unchanged rows too; keep only changed ids */
        RowSet filtered;
        rowset_init(&filtered);
        for (size_t i = 0; i < got.n_rows; i++) {
            long long id;
            char ct[32];
            int ver;
            sscanf(got.rows[i], "%lld | '%31[^']' | %d", &id, ct, &ver);
            bool changed = (id % 10 == 3 && ver == 2) || (id % 10 == 5 && ver == 3) || (ver == 4 && (id % 10 == 7));
            if (changed) {
                filtered.rows = realloc(filtered.rows, (filtered.n_rows + 1) * sizeof(char *));
                filtered.rows[filtered.n_rows++] = strdup(got.rows[i]);
            }
        }
        rowset_free(&got);
        got = filtered;
        /* and the unchanged rows appear once deleted and once inserted per version */
    }
    rowset_sort(&want);
    rowset_sort(&got);
    if (!rowset_equal(&got, &want))
        TFAIL("change data feed of %s differs", name);
    rowset_free(&got);
    rowset_free(&want);
    delta_table_close(t);
}

TEST(delta_write_dml_copy_on_write) { dml_round("cow", false, false); }
TEST(delta_write_dml_deletion_vectors) { dml_round("dv", true, false); }
TEST(delta_write_dml_cdf) { dml_round("cdf", false, true); }
TEST(delta_write_dml_dv_cdf) { dml_round("dvcdf", true, true); }

TEST(delta_write_delete_whole_partition)
{
    const char *dir = table_dir("t9");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_table(dir, &err);
    ASSERT_NOT_NULL(t, &err);
    create_simple(t, true, NULL, NULL, 0);
    append_rows(t, 0, 30, 3);
    PqPredicate pr;
    memset(&pr, 0, sizeof pr);
    pr.column = "part";
    pr.op = PQ_CMP_EQ;
    pr.value = value_str("p2", 2);
    DeltaCondition c;
    memset(&c, 0, sizeof c);
    c.prune = &pr;
    c.n_prune = 1;
    DeltaResult r;
    ASSERT_OK(delta_delete(t, &c, &r, &err), &err);
    ASSERT_EQ_INT(r.files_removed, 1);
    ASSERT_EQ_INT(r.files_added, 0);
    int64_t ids[20];
    size_t n = 0;
    for (int64_t i = 0; i < 30; i++)
        if (i % 3 != 2)
            ids[n++] = i;
    expect_ids(dir, -1, ids, n);
    delta_table_close(t);
}

/* MERGE: source ids 5..14; matched -> name updated, not matched -> inserted. */
TEST(delta_write_merge)
{
    const char *dir = table_dir("t10");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_table(dir, &err);
    ASSERT_NOT_NULL(t, &err);
    create_simple(t, false, NULL, NULL, 0);
    append_rows(t, 0, 10, 1);
    Schema s;
    simple_schema(&s);
    Batch src;
    make_rows(&src, &s, 5, 15, 1);
    for (uint32_t i = 0; i < src.n_rows; i++)
        VEC_DATA(&src.cols[1], StrView)[i] = (StrView){3, 0, "new"};
    const Batch *srcs[1] = {&src};
    const char *keys[] = {"id"};
    DeltaMergeOptions mo;
    memset(&mo, 0, sizeof mo);
    mo.key_columns = keys;
    mo.n_keys = 1;
    mo.source = srcs;
    mo.n_source = 1;
    mo.insert_not_matched = true;
    DeltaResult r;
    ASSERT_OK(delta_merge(t, &mo, &r, &err), &err);
    ASSERT_EQ_INT(r.rows_updated, 5);
    ASSERT_EQ_INT(r.rows_inserted, 5);
    RowSet got;
    rowset_init(&got);
    const char *cols[] = {"id", "name"};
    ASSERT_OK(read_delta_table(dir, -1, cols, 2, &got, &err), &err);
    rowset_sort(&got);
    ASSERT_EQ_INT(got.n_rows, 15);
    int n_new = 0;
    for (size_t i = 0; i < got.n_rows; i++)
        n_new += strstr(got.rows[i], "'new'") != NULL;
    ASSERT_EQ_INT(n_new, 10);
    rowset_free(&got);
    /* duplicate source keys matching one target row: error */
    Batch dup;
    make_rows(&dup, &s, 1, 2, 1);
    Batch dup2;
    make_rows(&dup2, &s, 1, 2, 1);
    const Batch *dups[2] = {&dup, &dup2};
    mo.source = dups;
    mo.n_source = 2;
    ASSERT(delta_merge(t, &mo, NULL, &err) != 0);
    ASSERT_ERR_CONTAINS(&err, "several source rows");
    batch_destroy(&dup);
    batch_destroy(&dup2);
    batch_destroy(&src);
    schema_destroy(&s);
    delta_table_close(t);
}

/* ---- constraints and generated columns ---------------------------------------------------------- */

TEST(delta_write_check_constraint)
{
    const char *dir = table_dir("t11");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_table(dir, &err);
    ASSERT_NOT_NULL(t, &err);
    const char *keys[] = {"delta.constraints.id_positive"};
    const char *vals[] = {"id >= 0 AND name IS NOT NULL"};
    create_simple(t, false, keys, vals, 1);
    DeltaSnapshot *s = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(s, &err);
    ASSERT_EQ_INT(delta_snapshot_protocol(s)->min_writer_version, 3);
    delta_snapshot_free(s);
    append_rows(t, 0, 5, 1);
    Schema sc;
    simple_schema(&sc);
    Batch b;
    make_rows(&b, &sc, -3, 2, 1);
    const Batch *bs[1] = {&b};
    int rc = delta_write(t, bs, 1, NULL, NULL, &err);
    ASSERT_EQ_INT(rc, TARN_ERR_INVALID);
    ASSERT_ERR_CONTAINS(&err, "violates check constraint \"id_positive\"");
    expect_range(dir, -1, 0, 5);
    batch_destroy(&b);
    /* unsupported expressions are refused at write time */
    err_clear(&err);
    const char *k2[] = {"delta.constraints.fancy"};
    const char *v2[] = {"length(name) > 2"};
    ASSERT(delta_set_properties(t, k2, v2, 1, NULL, &err) != 0);
    ASSERT_ERR_CONTAINS(&err, "unsupported");
    /* a constraint the existing rows violate is refused */
    err_clear(&err);
    const char *k3[] = {"delta.constraints.small"};
    const char *v3[] = {"id < 3"};
    ASSERT(delta_set_properties(t, k3, v3, 1, NULL, &err) != 0);
    ASSERT_ERR_CONTAINS(&err, "violates check constraint \"small\"");
    schema_destroy(&sc);
    delta_table_close(t);
}

TEST(delta_write_generated_column)
{
    const char *dir = table_dir("t12");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_table(dir, &err);
    ASSERT_NOT_NULL(t, &err);
    Schema s;
    schema_init(&s);
    ASSERT(schema_add(&s, "ts", type_simple(TYPE_TIMESTAMPTZ), true) == 0);
    ASSERT(schema_add(&s, "day", type_simple(TYPE_DATE), true) == 0);
    const char *md[] = {NULL, "{\"delta.generationExpression\":\"CAST(ts AS DATE)\"}"};
    const char *parts[] = {"day"};
    DeltaCreateOptions o;
    memset(&o, 0, sizeof o);
    o.schema = &s;
    o.column_metadata = md;
    o.partition_columns = parts;
    o.n_partition_columns = 1;
    ASSERT_OK(delta_create(t, &o, NULL, &err), &err);
    /* write only ts: day is computed */
    Schema in;
    schema_init(&in);
    ASSERT(schema_add(&in, "ts", type_simple(TYPE_TIMESTAMPTZ), true) == 0);
    Batch b;
    ASSERT(batch_init(&b, &in) == 0);
    int64_t d0 = dt_days_from_civil(2024, 2, 29);
    ASSERT(vec_append_i64(&b.cols[0], d0 * 86400000000LL + 3600000000LL) == 0);
    ASSERT(vec_append_i64(&b.cols[0], (d0 + 1) * 86400000000LL) == 0);
    b.n_rows = 2;
    const Batch *bs[1] = {&b};
    ASSERT_OK(delta_write(t, bs, 1, NULL, NULL, &err), &err);
    RowSet got;
    rowset_init(&got);
    const char *cols[] = {"day"};
    ASSERT_OK(read_delta_table(dir, -1, cols, 1, &got, &err), &err);
    rowset_sort(&got);
    char r0[32], r1[32];
    snprintf(r0, sizeof r0, "d%lld", (long long)d0);
    snprintf(r1, sizeof r1, "d%lld", (long long)d0 + 1);
    ASSERT_EQ_INT(got.n_rows, 2);
    ASSERT_EQ_STR(got.rows[0], r0);
    ASSERT_EQ_STR(got.rows[1], r1);
    rowset_free(&got);
    batch_destroy(&b);
    /* a given value that contradicts the expression is refused */
    Batch w;
    ASSERT(batch_init(&w, &s) == 0);
    ASSERT(vec_append_i64(&w.cols[0], d0 * 86400000000LL) == 0);
    ASSERT(vec_append_i64(&w.cols[1], d0 + 5) == 0);
    w.n_rows = 1;
    bs[0] = &w;
    ASSERT(delta_write(t, bs, 1, NULL, NULL, &err) != 0);
    ASSERT_ERR_CONTAINS(&err, "generated column \"day\"");
    batch_destroy(&w);
    schema_destroy(&in);
    schema_destroy(&s);
    delta_table_close(t);
}

TEST(delta_write_append_only)
{
    const char *dir = table_dir("t13");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_table(dir, &err);
    ASSERT_NOT_NULL(t, &err);
    const char *keys[] = {"delta.appendOnly"};
    const char *vals[] = {"true"};
    create_simple(t, false, keys, vals, 1);
    append_rows(t, 0, 5, 1);
    ASSERT(delta_delete(t, NULL, NULL, &err) != 0);
    ASSERT_ERR_CONTAINS(&err, "append-only");
    expect_range(dir, -1, 0, 5);
    delta_table_close(t);
}

/* ---- maintenance --------------------------------------------------------------------------------- */

TEST(delta_write_overwrite_restore_history)
{
    const char *dir = table_dir("t14");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_table(dir, &err);
    ASSERT_NOT_NULL(t, &err);
    create_simple(t, true, NULL, NULL, 0);
    append_rows(t, 0, 30, 3);
    /* replaceWhere part = 'p1' */
    Schema s;
    simple_schema(&s);
    Batch b;
    ASSERT(batch_init(&b, &s) == 0);
    ASSERT(vec_append_i64(&b.cols[0], 500) == 0);
    ASSERT(vec_append_str(&b.cols[1], "x", 1) == 0);
    ASSERT(vec_append_str(&b.cols[2], "p1", 2) == 0);
    b.n_rows = 1;
    PqPredicate pr;
    memset(&pr, 0, sizeof pr);
    pr.column = "part";
    pr.op = PQ_CMP_EQ;
    pr.value = value_str("p1", 2);
    DeltaWriteOptions o;
    memset(&o, 0, sizeof o);
    o.mode = DELTA_WRITE_OVERWRITE;
    o.replace_where = &pr;
    o.n_replace_where = 1;
    const Batch *bs[1] = {&b};
    DeltaResult r;
    ASSERT_OK(delta_write(t, bs, 1, &o, &r, &err), &err);
    ASSERT_EQ_INT(r.version, 2);
    int64_t ids[30];
    size_t n = 0;
    for (int64_t i = 0; i < 30; i++)
        if (i % 3 != 1)
            ids[n++] = i;
    ids[n++] = 500;
    expect_ids(dir, -1, ids, n);
    /* rows outside replaceWhere are refused */
    pr.value = value_str("p2", 2);
    ASSERT(delta_write(t, bs, 1, &o, NULL, &err) != 0);
    ASSERT_ERR_CONTAINS(&err, "replaceWhere");
    err_clear(&err);
    /* full overwrite */
    o.n_replace_where = 0;
    ASSERT_OK(delta_write(t, bs, 1, &o, &r, &err), &err);
    int64_t one[] = {500};
    expect_ids(dir, -1, one, 1);
    /* restore to version 1 */
    ASSERT_OK(delta_restore(t, 1, &r, &err), &err);
    ASSERT_EQ_INT(r.version, 4);
    expect_range(dir, -1, 0, 30);
    /* history, newest first */
    Arena a;
    arena_init(&a, 4096);
    DeltaHistoryEntry *h;
    size_t nh;
    ASSERT_OK(delta_history(t, 0, &a, &h, &nh, &err), &err);
    ASSERT_EQ_INT(nh, 5);
    ASSERT_EQ_INT(h[0].version, 4);
    ASSERT_EQ_STR(h[0].operation, "RESTORE");
    ASSERT_EQ_STR(h[4].operation, "CREATE TABLE");
    arena_free(&a);
    /* time travel by timestamp: every commit is at or before now */
    DeltaSnapshot *snap = delta_snapshot_at_timestamp(t, real_now_ms() + 1000, &err);
    ASSERT_NOT_NULL(snap, &err);
    ASSERT_EQ_INT(delta_snapshot_version(snap), 4);
    delta_snapshot_free(snap);
    snap = delta_snapshot_at_timestamp(t, 1000, &err);
    ASSERT(snap == NULL);
    batch_destroy(&b);
    schema_destroy(&s);
    delta_table_close(t);
}

TEST(delta_write_vacuum)
{
    const char *dir = table_dir("t15");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_table(dir, &err);
    ASSERT_NOT_NULL(t, &err);
    create_simple(t, false, NULL, NULL, 0);
    append_rows(t, 0, 10, 1);
    DeltaSnapshot *s1 = delta_snapshot_latest(t, &err);
    char old_path[4200];
    snprintf(old_path, sizeof old_path, "%s/%s", dir, delta_snapshot_file(s1, 0)->path);
    delta_snapshot_free(s1);
    Schema s;
    simple_schema(&s);
    Batch b;
    make_rows(&b, &s, 100, 110, 1);
    DeltaWriteOptions o;
    memset(&o, 0, sizeof o);
    o.mode = DELTA_WRITE_OVERWRITE;
    const Batch *bs[1] = {&b};
    ASSERT_OK(delta_write(t, bs, 1, &o, NULL, &err), &err);
    /* an orphan (uncommitted) file, and Spark side files */
    char orphan[4200];
    snprintf(orphan, sizeof orphan, "%s/part-99999-orphan.parquet", dir);
    FILE *f = fopen(orphan, "w");
    fputs("x", f);
    fclose(f);
    Arena a;
    arena_init(&a, 4096);
    DeltaVacuumOptions vo;
    memset(&vo, 0, sizeof vo);
    vo.retention_hours = -1;
    DeltaVacuumResult vr;
    /* within retention: nothing goes */
    ASSERT_OK(delta_vacuum(t, &vo, &a, &vr, &err), &err);
    ASSERT_EQ_INT(vr.n_files, 0);
    /* too-short retention is refused */
    vo.retention_hours = 1;
    ASSERT(delta_vacuum(t, &vo, &a, &vr, &err) != 0);
    ASSERT_ERR_CONTAINS(&err, "shorter than the safe minimum");
    err_clear(&err);
    /* 8 days later: the overwritten file and the orphan go; dry run first */
    g_clock_ms = real_now_ms() + 8LL * 86400000;
    vo.retention_hours = -1;
    vo.dry_run = true;
    ASSERT_OK(delta_vacuum(t, &vo, &a, &vr, &err), &err);
    ASSERT_EQ_INT(vr.n_files, 2);
    ASSERT(file_exists(old_path));
    vo.dry_run = false;
    ASSERT_OK(delta_vacuum(t, &vo, &a, &vr, &err), &err);
    ASSERT_EQ_INT(vr.n_files, 2);
    ASSERT(!file_exists(old_path));
    ASSERT(!file_exists(orphan));
    expect_range(dir, -1, 100, 110);
    /* the log is untouched; the vacuumed version cannot be read any more */
    RowSet got;
    rowset_init(&got);
    const char *cols[] = {"id"};
    ASSERT(read_delta_table(dir, 1, cols, 1, &got, &err) != 0);
    rowset_free(&got);
    /* and cannot be restored */
    err_clear(&err);
    ASSERT(delta_restore(t, 1, NULL, &err) != 0);
    ASSERT_ERR_CONTAINS(&err, "no longer exists");
    g_clock_ms = 0;
    arena_free(&a);
    batch_destroy(&b);
    schema_destroy(&s);
    delta_table_close(t);
}

TEST(delta_write_optimize)
{
    const char *dir = table_dir("t16");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_table(dir, &err);
    ASSERT_NOT_NULL(t, &err);
    create_simple(t, true, NULL, NULL, 0);
    for (int i = 0; i < 6; i++)
        append_rows(t, i * 20, i * 20 + 20, 2);
    DeltaSnapshot *s = delta_snapshot_latest(t, &err);
    ASSERT_EQ_INT(delta_snapshot_num_files(s), 12);
    delta_snapshot_free(s);
    DeltaResult r;
    ASSERT_OK(delta_optimize(t, NULL, &r, &err), &err);
    ASSERT(r.version > 0);
    /* the result counts the rearranged files (dataChange=false) too */
    ASSERT_EQ_INT(r.files_removed, 12);
    ASSERT_EQ_INT(r.files_added, 2);
    ASSERT(r.bytes_removed > 0 && r.bytes_added > 0);
    s = delta_snapshot_latest(t, &err);
    ASSERT_EQ_INT(delta_snapshot_num_files(s), 2);
    delta_snapshot_free(s);
    {
        /* a commit that removes files is never a blind append */
        char cp[4200], line[8192];
        snprintf(cp, sizeof cp, "%s/_delta_log/%020lld.json", dir, (long long)r.version);
        FILE *f = fopen(cp, "r");
        ASSERT(f);
        ASSERT(fgets(line, sizeof line, f));
        fclose(f);
        ASSERT(strstr(line, "\"commitInfo\"") && strstr(line, "\"isBlindAppend\":false"));
    }
    expect_range(dir, -1, 0, 120);
    /* nothing left to compact: no commit */
    ASSERT_OK(delta_optimize(t, NULL, &r, &err), &err);
    ASSERT_EQ_INT(r.version, -1);
    /* Z-order by id, name */
    const char *z[] = {"id", "name"};
    DeltaOptimizeOptions oo;
    memset(&oo, 0, sizeof oo);
    oo.zorder_columns = z;
    oo.n_zorder_columns = 2;
    ASSERT_OK(delta_optimize(t, &oo, &r, &err), &err);
    ASSERT(r.version > 0);
    expect_range(dir, -1, 0, 120);
    /* the OPTIMIZE commits do not change data */
    char cpath[4200];
    snprintf(cpath, sizeof cpath, "%s/_delta_log/%020lld.json", dir, (long long)r.version);
    FILE *fp = fopen(cpath, "r");
    ASSERT(fp);
    char line[8192];
    int adds = 0;
    while (fgets(line, sizeof line, fp))
        if (strncmp(line, "{\"add\":", 7) == 0) {
            ASSERT(strstr(line, "\"dataChange\":false"));
            adds++;
        }
    fclose(fp);
    ASSERT(adds >= 2);
    delta_table_close(t);
}

/* ---- types round trip with the conformance comparer --------------------------------------------- */

TEST(delta_write_roundtrip_expected_folder)
{
    /* Write the DAT all_primitive_types expected rows into a tarn table and
     * compare the re-read table with the same expected folder. */
    const char *shared = test_shared_dir();
    if (!shared)
        SKIP("shared test data not found");
    const char *cases[] = {"delta/dat/all_primitive_types/expected/latest/table_content",
                           "delta/dat/nested_types/expected/latest/table_content",
                           "delta/golden/data-reader-primitives/expected",
                           "delta/golden/decimal-various-scale-precision/expected",
                           "delta/golden/data-reader-map/expected"};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char exp[4096];
        snprintf(exp, sizeof exp, "%s/%s", shared, cases[k]);
        /* find the first parquet file for the schema and data */
        char first[4400] = "";
        DIR *d = opendir(exp);
        ASSERT(d);
        struct dirent *de;
        while ((de = readdir(d)))
            if (de->d_name[0] != '.' && de->d_name[0] != '_' && strstr(de->d_name, ".parquet"))
                snprintf(first, sizeof first, "%s/%s", exp, de->d_name);
        closedir(d);
        ASSERT(first[0]);
        TarnError err;
        err_clear(&err);
        PqReadOptions ro;
        pq_read_options_default(&ro);
        char tdir[64];
        snprintf(tdir, sizeof tdir, "rt%zu", k);
        const char *dir = table_dir(tdir);
        DeltaTable *t = open_table(dir, &err);
        ASSERT_NOT_NULL(t, &err);
        bool created = false;
        /* append every expected file */
        d = opendir(exp);
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.' || de->d_name[0] == '_' || !strstr(de->d_name, ".parquet"))
                continue;
            char p[4400];
            snprintf(p, sizeof p, "%s/%s", exp, de->d_name);
            PqReader *r = pq_reader_open(p, &ro, &err);
            ASSERT_NOT_NULL(r, &err);
            if (!created) {
                DeltaCreateOptions co;
                memset(&co, 0, sizeof co);
                co.schema = pq_reader_schema(r);
                ASSERT_OK(delta_create(t, &co, NULL, &err), &err);
                created = true;
            }
            Batch b;
            ASSERT(batch_init(&b, pq_reader_schema(r)) == 0);
            for (;;) {
                ASSERT_OK(pq_reader_next(r, &b, &err), &err);
                if (!b.n_rows)
                    break;
                const Batch *bs[1] = {&b};
                ASSERT_OK(delta_write(t, bs, 1, NULL, NULL, &err), &err);
            }
            batch_destroy(&b);
            pq_reader_close(r);
        }
        closedir(d);
        delta_table_close(t);
        RowSet want, got;
        rowset_init(&want);
        rowset_init(&got);
        char **cols = NULL;
        size_t n_cols = 0;
        ASSERT_OK(read_parquet_dir(exp, &want, &cols, &n_cols, &err), &err);
        ASSERT_OK(read_delta_table(dir, -1, (const char *const *)cols, n_cols, &got, &err), &err);
        rowset_sort(&want);
        rowset_sort(&got);
        if (!rowset_equal(&got, &want))
            TFAIL("round trip of %s differs", cases[k]);
        for (size_t i = 0; i < n_cols; i++)
            free(cols[i]);
        free(cols);
        rowset_free(&want);
        rowset_free(&got);
    }
}

TEST(delta_write_column_mapping_name)
{
    const char *dir = table_dir("t17");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_table(dir, &err);
    ASSERT_NOT_NULL(t, &err);
    const char *keys[] = {"delta.columnMapping.mode"};
    const char *vals[] = {"name"};
    create_simple(t, true, keys, vals, 1);
    append_rows(t, 0, 20, 2);
    expect_range(dir, -1, 0, 20);
    DeltaSnapshot *s = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(s, &err);
    ASSERT_EQ_INT(delta_snapshot_column_mapping(s), 2);
    ASSERT_EQ_INT(delta_snapshot_protocol(s)->min_reader_version, 2);
    const DeltaAdd *f = delta_snapshot_file(s, 0);
    /* partition values keyed by physical name */
    ASSERT(f->partition_values.n == 1 && strncmp(f->partition_values.keys[0], "col-", 4) == 0);
    ASSERT(strstr(f->stats, "\"col-"));
    delta_snapshot_free(s);
    /* add a column and write it */
    Schema nc;
    schema_init(&nc);
    ASSERT(schema_add(&nc, "score", type_simple(TYPE_DOUBLE), true) == 0);
    ASSERT_OK(delta_add_columns(t, &nc, NULL, &err), &err);
    schema_destroy(&nc);
    expect_range(dir, -1, 0, 20);
    delta_table_close(t);
}
