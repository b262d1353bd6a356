/*
 * test_delta_refresh.c - incremental snapshot refresh: a table handle that
 * keeps its newest snapshot and extends it with new commits (sharing pages
 * and strings) must always equal a snapshot loaded from scratch, through
 * adds, removes, deletion vector updates, application transactions,
 * domain metadata, metadata changes, checkpoints written by another
 * writer, and the compaction of long chains; one handle shared by threads.
 */
#include "../test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "table/delta/delta.h"
#include "table/delta/delta_int.h"

/* ---- helpers ----------------------------------------------------------------- */

static char *tdir(const char *name)
{
    static char buf[4][4096];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, 4096, "%s/%s", test_tmp_dir(), name);
    return b;
}

static DeltaTable *open_dir(const char *dir)
{
    TarnError err;
    err_clear(&err);
    DeltaTable *t = delta_table_open_dir(dir, true, NULL, &err);
    ASSERT_NOT_NULL(t, &err);
    return t;
}

/* Creates (id BIGINT, part TEXT) partitioned by part, with properties. */
static void create_table(DeltaTable *t, const char *const *keys, const char *const *vals, int n)
{
    Schema s;
    schema_init(&s);
    ASSERT(schema_add(&s, "id", type_simple(TYPE_INT64), true) == 0);
    ASSERT(schema_add(&s, "part", type_simple(TYPE_STRING), true) == 0);
    const char *parts[] = {"part"};
    DeltaCreateOptions o;
    memset(&o, 0, sizeof o);
    o.schema = &s;
    o.partition_columns = parts;
    o.n_partition_columns = 1;
    o.property_keys = keys;
    o.property_values = vals;
    o.n_properties = n;
    TarnError err;
    err_clear(&err);
    ASSERT_OK(delta_create(t, &o, NULL, &err), &err);
    schema_destroy(&s);
}

/* A fake add (no data file: snapshots never open data files). */
static void fake_add(DeltaAdd *a, char *path, size_t cap, char *stats, size_t scap, long k)
{
    memset(a, 0, sizeof *a);
    snprintf(path, cap, "part=p%ld/f-%06ld.parquet", k % 3, k);
    snprintf(stats, scap, "{\"numRecords\":%ld,\"minValues\":{\"id\":%ld},\"maxValues\":{\"id\":%ld}}", k % 7 + 1, k,
             k + 10);
    a->path = path;
    a->size = 100 + k;
    a->modification_time = 1700000000000 + k;
    a->data_change = true;
    a->stats = stats;
    static char *pk[] = {"part"};
    static char pv[3][8] = {"p0", "p1", "p2"};
    static char *pvs[3][1] = {{pv[0]}, {pv[1]}, {pv[2]}};
    a->partition_values.n = 1;
    a->partition_values.keys = pk;
    a->partition_values.values = pvs[k % 3];
}

/* Commits `n` fake adds numbered from *next through handle t. */
static int64_t add_files(DeltaTable *t, long *next, int n)
{
    TarnError err;
    err_clear(&err);
    DeltaTransaction *x = delta_txn_begin(t, &err);
    ASSERT_NOT_NULL(x, &err);
    for (int i = 0; i < n; i++) {
        char path[128], stats[256];
        DeltaAdd a;
        fake_add(&a, path, sizeof path, stats, sizeof stats, (*next)++);
        ASSERT_OK(delta_txn_add_file(x, &a, &err), &err);
    }
    DeltaResult r;
    ASSERT_OK(delta_txn_commit(x, &r, &err), &err);
    return r.version;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted canonical text of every live file / tombstone of s. */
static char **file_lines(const DeltaSnapshot *s, size_t *n_out)
{
    size_t n = delta_snapshot_num_files(s);
    char **v = calloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        const DeltaAdd *f = delta_snapshot_file(s, i);
        ASSERT(f && f->path);
        char buf[1024];
        snprintf(buf, sizeof buf, "%s|%lld|%s|%s|%s|%lld", f->path, (long long)f->size, f->stats ? f->stats : "-",
                 f->dv ? f->dv->path_or_inline : "-", f->partition_values.n ? f->partition_values.values[0] : "-",
                 f->dv ? (long long)f->dv->cardinality : -1LL);
        v[i] = strdup(buf);
        ASSERT(delta_snapshot_find_file(s, f->path) == f);
    }
    qsort(v, n, sizeof *v, cmp_str);
    *n_out = n;
    return v;
}

static char **tomb_lines(const DeltaSnapshot *s, size_t *n_out)
{
    size_t n = delta_snapshot_num_tombstones(s);
    char **v = calloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        const DeltaRemove *r = delta_snapshot_tombstone(s, i);
        char buf[1024];
        snprintf(buf, sizeof buf, "%s|%s|%lld", r->path, r->dv ? r->dv->path_or_inline : "-",
                 (long long)r->deletion_timestamp);
        v[i] = strdup(buf);
    }
    qsort(v, n, sizeof *v, cmp_str);
    *n_out = n;
    return v;
}

static void free_lines(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void same_lines(const char *what, char **a, size_t na, char **b, size_t nb)
{
    if (na != nb)
        TFAIL("%s: %zu vs %zu entries", what, na, nb);
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0)
            TFAIL("%s differ: \"%s\" vs \"%s\"", what, a[i], b[i]);
}

/* The incrementally refreshed snapshot `inc` must equal `full`. */
static void same_snapshot(const DeltaSnapshot *inc, const DeltaSnapshot *full)
{
    ASSERT_EQ_INT(delta_snapshot_version(inc), delta_snapshot_version(full));
    size_t na, nb;
    char **a = file_lines(inc, &na), **b = file_lines(full, &nb);
    same_lines("live files", a, na, b, nb);
    free_lines(a, na);
    free_lines(b, nb);
    a = tomb_lines(inc, &na);
    b = tomb_lines(full, &nb);
    same_lines("tombstones", a, na, b, nb);
    free_lines(a, na);
    free_lines(b, nb);
    ASSERT_EQ_INT(delta_snapshot_total_bytes(inc), delta_snapshot_total_bytes(full));
    ASSERT_EQ_INT(delta_snapshot_total_rows(inc), delta_snapshot_total_rows(full));
    ASSERT_EQ_INT(delta_snapshot_num_app_txns(inc), delta_snapshot_num_app_txns(full));
    for (size_t i = 0; i < delta_snapshot_num_app_txns(full); i++) {
        const DeltaSetTxn *tx = delta_snapshot_app_txn(full, i);
        int64_t v;
        ASSERT(delta_snapshot_app_version(inc, tx->app_id, &v));
        ASSERT_EQ_INT(v, tx->version);
    }
    for (int d = 0; d < 3; d++) {
        char dom[16];
        snprintf(dom, sizeof dom, "dom%d", d);
        const char *x = delta_snapshot_domain(inc, dom), *y = delta_snapshot_domain(full, dom);
        ASSERT((x == NULL) == (y == NULL));
        if (x)
            ASSERT_EQ_STR(x, y);
    }
    const DeltaMetadata *ma = delta_snapshot_metadata(inc), *mb = delta_snapshot_metadata(full);
    ASSERT_EQ_STR(ma->schema_string, mb->schema_string);
    ASSERT_EQ_INT(ma->configuration.n, mb->configuration.n);
    for (uint32_t i = 0; i < mb->configuration.n; i++) {
        const char *v = delta_map_get(&ma->configuration, mb->configuration.keys[i], NULL);
        ASSERT(v && mb->configuration.values[i]);
        ASSERT_EQ_STR(v, mb->configuration.values[i]);
    }
    ASSERT_EQ_INT(delta_snapshot_protocol(inc)->min_writer_version, delta_snapshot_protocol(full)->min_writer_version);
    ASSERT_EQ_INT(delta_snapshot_schema(inc)->n_fields, delta_snapshot_schema(full)->n_fields);
    ASSERT_EQ_INT(delta_snapshot_timestamp(inc), delta_snapshot_timestamp(full));
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* ---- tests ------------------------------------------------------------------------- */

/* Random commits through two handles; handle A refreshes incrementally
 * (every commit of B reaches it in batches), B writes the checkpoints.
 * After every few steps A's latest snapshot must equal a fresh full load.
 * 700 commits also make A's chain of memory blocks pass its bound, so the
 * compaction (deep copy) is checked the same way. */
TEST(delta_refresh_incremental_equals_full_load)
{
    const char *dir = tdir("inc");
    delta_refresh_max_depth = 40; /* compact often enough to be tested */
    DeltaTable *a = open_dir(dir), *b = open_dir(dir);
    const char *keys[] = {"delta.checkpointInterval", "delta.enableDeletionVectors"};
    const char *vals[] = {"7", "true"};
    create_table(a, keys, vals, 2);
    TarnError err;
    err_clear(&err);
    uint64_t rng = 0x2545F4914F6CDD1Dull;
    long next = 0;
    int64_t base_cp = -1;
    bool compacted = false;
    size_t max_depth = 0;
    for (int step = 1; step <= 700; step++) {
        DeltaTable *w = rng_next(&rng) % 3 == 0 ? a : b;
        int op = (int)(rng_next(&rng) % 10);
        DeltaTransaction *x = delta_txn_begin(w, &err);
        ASSERT_NOT_NULL(x, &err);
        DeltaSnapshot *cur = delta_txn_snapshot(x);
        size_t nf = delta_snapshot_num_files(cur);
        char path[128], stats[256];
        DeltaAdd add;
        if ((op == 5 || op == 6) && nf > 0) {
            /* remove one or two live files */
            const DeltaAdd *f = delta_snapshot_file(cur, rng_next(&rng) % nf);
            ASSERT_OK(delta_txn_remove_file(x, f, true, &err), &err);
            const DeltaAdd *g = delta_snapshot_file(cur, rng_next(&rng) % nf);
            if (g != f)
                ASSERT_OK(delta_txn_remove_file(x, g, op == 5, &err), &err);
        } else if (op == 7 && nf > 0) {
            /* deletion vector update: remove + add of the same path */
            const DeltaAdd *f = delta_snapshot_file(cur, rng_next(&rng) % nf);
            ASSERT_OK(delta_txn_remove_file(x, f, true, &err), &err);
            DeltaAdd g = *f;
            DeltaDv dv;
            memset(&dv, 0, sizeof dv);
            char z85[32];
            snprintf(z85, sizeof z85, "dv%018d", step);
            dv.storage_type = 'u';
            dv.path_or_inline = z85;
            dv.has_offset = true;
            dv.offset = 1;
            dv.size_bytes = 40;
            dv.cardinality = 1;
            g.dv = &dv;
            ASSERT_OK(delta_txn_add_file(x, &g, &err), &err);
        } else if (op == 4 && delta_snapshot_num_tombstones(cur) > 0) {
            /* a removed file comes back (as RESTORE does): no longer a tombstone */
            const DeltaRemove *r = delta_snapshot_tombstone(cur, rng_next(&rng) % delta_snapshot_num_tombstones(cur));
            if (!delta_snapshot_find_file(cur, r->path)) {
                DeltaAdd g;
                memset(&g, 0, sizeof g);
                g.path = r->path;
                g.size = r->size;
                g.partition_values = r->partition_values;
                g.stats = r->stats;
                g.dv = r->dv;
                g.data_change = true;
                ASSERT_OK(delta_txn_add_file(x, &g, &err), &err);
            }
        } else if (op == 8) {
            char app[16];
            snprintf(app, sizeof app, "app%d", step % 3);
            ASSERT_OK(delta_txn_set_app_txn(x, app, step, &err), &err);
            fake_add(&add, path, sizeof path, stats, sizeof stats, next++);
            ASSERT_OK(delta_txn_add_file(x, &add, &err), &err);
        } else if (op == 9) {
            char dom[16], cfg[32];
            snprintf(dom, sizeof dom, "dom%d", step % 3);
            snprintf(cfg, sizeof cfg, "{\"step\":%d}", step);
            ASSERT_OK(delta_txn_set_domain(x, dom, cfg, step % 5 == 0, &err), &err);
        } else {
            for (int i = 1 + (int)(rng_next(&rng) % 3); i > 0; i--) {
                fake_add(&add, path, sizeof path, stats, sizeof stats, next++);
                ASSERT_OK(delta_txn_add_file(x, &add, &err), &err);
            }
        }
        ASSERT_OK(delta_txn_commit(x, NULL, &err), &err);
        if (step % 50 == 0) {
            /* a metadata change */
            char v[16];
            snprintf(v, sizeof v, "%d", step);
            const char *k[] = {"user.step"};
            const char *vv[] = {v};
            ASSERT_OK(delta_set_properties(b, k, vv, 1, NULL, &err), &err);
        }
        if (step % 9 == 0 || step == 700) {
            DeltaSnapshot *inc = delta_snapshot_latest(a, &err);
            ASSERT_NOT_NULL(inc, &err);
            if (base_cp < 0)
                base_cp = inc->checkpoint_version;
            if (inc->mem->depth > max_depth)
                max_depth = inc->mem->depth;
            if (max_depth > 1 && inc->mem->depth == 1)
                compacted = true;
            DeltaTable *f = open_dir(dir);
            DeltaSnapshot *full = delta_snapshot_latest(f, &err);
            ASSERT_NOT_NULL(full, &err);
            same_snapshot(inc, full);
            delta_snapshot_free(full);
            delta_table_close(f);
            delta_snapshot_free(inc);
        }
    }
    /* A never re-read a checkpoint (B wrote them all along) until it compacted */
    ASSERT(compacted);
    ASSERT(max_depth > 20);
    delta_table_close(a);
    delta_table_close(b);
}

/* A snapshot taken before a refresh is unchanged by it (pages are
 * copied on write, never changed under a reader). */
TEST(delta_refresh_old_snapshot_unchanged)
{
    const char *dir = tdir("old");
    DeltaTable *t = open_dir(dir);
    create_table(t, NULL, NULL, 0);
    long next = 0;
    for (int i = 0; i < 5; i++)
        add_files(t, &next, 400);
    TarnError err;
    err_clear(&err);
    DeltaSnapshot *old = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(old, &err);
    size_t n;
    char **before = file_lines(old, &n);
    /* remove half of the files, replace some, add more */
    DeltaTransaction *x = delta_txn_begin(t, &err);
    ASSERT_NOT_NULL(x, &err);
    for (size_t i = 0; i < n; i += 2)
        ASSERT_OK(delta_txn_remove_file(x, delta_snapshot_file(old, i), true, &err), &err);
    ASSERT_OK(delta_txn_commit(x, NULL, &err), &err);
    add_files(t, &next, 1000);
    DeltaSnapshot *cur = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(cur, &err);
    ASSERT_EQ_INT(delta_snapshot_version(cur), delta_snapshot_version(old) + 2);
    ASSERT_EQ_INT(delta_snapshot_num_files(cur), 2000 - 1000 + 1000);
    size_t n2;
    char **after = file_lines(old, &n2);
    same_lines("the old snapshot", before, n, after, n2);
    free_lines(before, n);
    free_lines(after, n2);
    delta_snapshot_free(cur);
    /* and it stays readable after the table is refreshed again and the
     * newer snapshots are gone */
    add_files(t, &next, 10);
    DeltaSnapshot *c2 = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(c2, &err);
    delta_snapshot_free(c2);
    ASSERT_EQ_INT(delta_snapshot_num_files(old), 2000);
    delta_snapshot_free(old);
    delta_table_close(t);
}

/* The time-travel API is not affected by the cache. */
TEST(delta_refresh_time_travel_unchanged)
{
    const char *dir = tdir("tt");
    DeltaTable *t = open_dir(dir);
    create_table(t, NULL, NULL, 0);
    long next = 0;
    for (int i = 1; i <= 12; i++)
        ASSERT_EQ_INT(add_files(t, &next, 2), i);
    TarnError err;
    err_clear(&err);
    for (int v = 0; v <= 12; v++) {
        DeltaSnapshot *s = delta_snapshot_at_version(t, v, &err);
        ASSERT_NOT_NULL(s, &err);
        ASSERT_EQ_INT(delta_snapshot_version(s), v);
        ASSERT_EQ_INT(delta_snapshot_num_files(s), 2 * v);
        delta_snapshot_free(s);
    }
    ASSERT(delta_snapshot_at_version(t, 13, &err) == NULL);
    ASSERT_EQ_INT(err.kind, TARN_ERR_NOT_FOUND);
    delta_table_close(t);
}

typedef struct Worker {
    DeltaTable *t;
    const char *dir;
    int id, commits;
    int failures;
    char msg[1024];
} Worker;

static void *worker_main(void *arg)
{
    Worker *w = arg;
    TarnError oerr;
    err_clear(&oerr);
    DeltaTable *own = w->t ? NULL : delta_table_open_dir(w->dir, false, NULL, &oerr);
    DeltaTable *t = w->t ? w->t : own;
    long next = 1000000L * (w->id + 1);
    for (int i = 0; i < w->commits && t; i++) {
        TarnError err;
        err_clear(&err);
        DeltaTransaction *x = delta_txn_begin(t, &err);
        char path[128], stats[256];
        DeltaAdd a;
        fake_add(&a, path, sizeof path, stats, sizeof stats, next++);
        if (!x || delta_txn_add_file(x, &a, &err) || delta_txn_commit(x, NULL, &err)) {
            w->failures++;
            snprintf(w->msg, sizeof w->msg, "%s", err.message);
            continue;
        }
        /* readers on the same handle meanwhile */
        DeltaSnapshot *s = delta_snapshot_latest(t, &err);
        if (!s || !delta_snapshot_find_file(s, path)) {
            w->failures++;
            snprintf(w->msg, sizeof w->msg, "own file missing after commit: %s", err.message);
        }
        delta_snapshot_free(s);
    }
    if (!t)
        w->failures = -1;
    delta_table_close(own);
    return NULL;
}

/* Six threads append at once: four share one DeltaTable (its snapshot
 * cache), two have their own; every append commits, each exactly once. */
TEST(delta_refresh_threads_share_a_table)
{
    const char *dir = tdir("threads");
    DeltaTable *shared = open_dir(dir);
    const char *keys[] = {"delta.checkpointInterval"};
    const char *vals[] = {"5"};
    create_table(shared, keys, vals, 1);
    enum { N = 6, COMMITS = 15 };
    Worker w[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].t = i < 4 ? shared : NULL;
        w[i].dir = dir;
        w[i].id = i;
        w[i].commits = COMMITS;
        ASSERT(pthread_create(&th[i], NULL, worker_main, &w[i]) == 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        if (w[i].failures)
            TFAIL("worker %d: %d failures (%s)", i, w[i].failures, w[i].msg);
    }
    TarnError err;
    err_clear(&err);
    DeltaTable *f = open_dir(dir);
    DeltaSnapshot *s = delta_snapshot_latest(f, &err);
    ASSERT_NOT_NULL(s, &err);
    ASSERT_EQ_INT(delta_snapshot_version(s), N * COMMITS);
    ASSERT_EQ_INT(delta_snapshot_num_files(s), N * COMMITS);
    DeltaSnapshot *c = delta_snapshot_latest(shared, &err);
    ASSERT_NOT_NULL(c, &err);
    same_snapshot(c, s);
    delta_snapshot_free(c);
    delta_snapshot_free(s);
    delta_table_close(f);
    delta_table_close(shared);
}
