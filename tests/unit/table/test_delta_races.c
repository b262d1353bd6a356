/*
 * test_delta_races.c - writers meeting each other and the debris they
 * leave: a commit that lost races catches up in one step and checks every
 * winner, appends under contention always commit, CREATE TABLE IF NOT
 * EXISTS racing another creation, VACUUM of killed writers' temporaries in
 * _delta_log/, the cleanup of expired log files at checkpoints, and error
 * messages that name the table's directory.
 */
#include "../test.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "table/delta/delta.h"

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

static void two_columns(Schema *s, TypeId second)
{
    schema_init(s);
    ASSERT(schema_add(s, "id", type_simple(TYPE_INT64), true) == 0);
    ASSERT(schema_add(s, "v", type_simple(second), true) == 0);
}

static void create_table(DeltaTable *t, const char *const *keys, const char *const *vals, int n)
{
    Schema s;
    two_columns(&s, TYPE_STRING);
    DeltaCreateOptions o;
    memset(&o, 0, sizeof o);
    o.schema = &s;
    o.property_keys = keys;
    o.property_values = vals;
    o.n_properties = n;
    TarnError err;
    err_clear(&err);
    ASSERT_OK(delta_create(t, &o, NULL, &err), &err);
    schema_destroy(&s);
}

static void stage_fake_add(DeltaTransaction *x, long k)
{
    char path[64];
    snprintf(path, sizeof path, "f-%06ld.parquet", k);
    DeltaAdd a;
    memset(&a, 0, sizeof a);
    a.path = path;
    a.size = 10;
    a.data_change = true;
    TarnError err;
    err_clear(&err);
    ASSERT_OK(delta_txn_add_file(x, &a, &err), &err);
}

static DeltaResult commit_fake_add(DeltaTable *t, long k)
{
    TarnError err;
    err_clear(&err);
    DeltaTransaction *x = delta_txn_begin(t, &err);
    ASSERT_NOT_NULL(x, &err);
    stage_fake_add(x, k);
    DeltaResult r;
    ASSERT_OK(delta_txn_commit(x, &r, &err), &err);
    return r;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void log_path(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/_delta_log/%s", dir, name);
}

static void commit_path(char *out, size_t cap, const char *dir, long v)
{
    char name[64];
    snprintf(name, sizeof name, "%020ld.json", v);
    log_path(out, cap, dir, name);
}

/* Sets a file's modification time to `days` days ago. */
static void age_file(const char *path, int days)
{
    struct timespec ts[2];
    clock_gettime(CLOCK_REALTIME, &ts[0]);
    ts[0].tv_sec -= (time_t)days * 86400;
    ts[1] = ts[0];
    ASSERT(utimensat(AT_FDCWD, path, ts, 0) == 0);
}

/* ---- commit races -------------------------------------------------------------------- */

/* A blind append that lost to five commits catches up with all of them at
 * once: one more attempt, at the version after the newest. */
TEST(delta_races_catch_up_in_one_step)
{
    const char *dir = tdir("catchup");
    DeltaTable *a = open_dir(dir), *b = open_dir(dir);
    create_table(a, NULL, NULL, 0);
    TarnError err;
    err_clear(&err);
    DeltaTransaction *x = delta_txn_begin(a, &err);
    ASSERT_NOT_NULL(x, &err);
    stage_fake_add(x, 1);
    for (long k = 2; k <= 6; k++)
        ASSERT_EQ_INT(commit_fake_add(b, k).version, k - 1);
    DeltaResult r;
    ASSERT_OK(delta_txn_commit(x, &r, &err), &err);
    ASSERT_EQ_INT(r.version, 6);
    ASSERT_EQ_INT(r.attempts, 2);
    DeltaSnapshot *s = delta_snapshot_latest(b, &err);
    ASSERT_NOT_NULL(s, &err);
    ASSERT_EQ_INT(delta_snapshot_num_files(s), 6);
    delta_snapshot_free(s);
    delta_table_close(a);
    delta_table_close(b);
}

/* Catching up checks every winner, not just the first or the last: the
 * middle one of three removes the file this transaction removes. */
TEST(delta_races_catch_up_checks_every_winner)
{
    const char *dir = tdir("everywinner");
    DeltaTable *a = open_dir(dir), *b = open_dir(dir);
    create_table(a, NULL, NULL, 0);
    commit_fake_add(a, 1);
    commit_fake_add(a, 2);
    TarnError err;
    err_clear(&err);
    DeltaTransaction *x = delta_txn_begin(a, &err);
    ASSERT_NOT_NULL(x, &err);
    const DeltaAdd *f = delta_snapshot_find_file(delta_txn_snapshot(x), "f-000001.parquet");
    ASSERT(f);
    ASSERT_OK(delta_txn_remove_file(x, f, true, &err), &err);
    commit_fake_add(b, 3); /* version 3 */
    DeltaTransaction *y = delta_txn_begin(b, &err);
    ASSERT_NOT_NULL(y, &err);
    ASSERT_OK(delta_txn_remove_file(y, delta_snapshot_find_file(delta_txn_snapshot(y), "f-000001.parquet"), true, &err),
              &err);
    ASSERT_OK(delta_txn_commit(y, NULL, &err), &err); /* version 4 */
    commit_fake_add(b, 4); /* version 5 */
    ASSERT_EQ_INT(delta_txn_commit(x, NULL, &err), TARN_ERR_CONFLICT);
    ASSERT_ERR_CONTAINS(&err, "concurrent delete of file \"f-000001.parquet\" (version 4)");
    delta_table_close(a);
    delta_table_close(b);
}

/* Eight processes append 30 times each to one table at once: every append
 * commits (appends never conflict, however often they lose the race), each
 * once, at contiguous versions. */
TEST(delta_races_appends_under_contention_all_commit)
{
    const char *dir = tdir("contention");
    DeltaTable *t = open_dir(dir);
    create_table(t, NULL, NULL, 0);
    delta_table_close(t);
    enum { PROCS = 8, COMMITS = 30 };
    pid_t pids[PROCS];
    for (int p = 0; p < PROCS; p++) {
        pids[p] = fork();
        ASSERT(pids[p] >= 0);
        if (pids[p] == 0) {
            TarnError err;
            err_clear(&err);
            DeltaTable *c = delta_table_open_dir(dir, false, NULL, &err);
            int failed = !c;
            for (int i = 0; c && i < COMMITS; i++) {
                DeltaTransaction *x = delta_txn_begin(c, &err);
                char path[64];
                snprintf(path, sizeof path, "w%d-%d.parquet", p, i);
                DeltaAdd a;
                memset(&a, 0, sizeof a);
                a.path = path;
                a.size = 1;
                a.data_change = true;
                if (!x || delta_txn_add_file(x, &a, &err) || delta_txn_commit(x, NULL, &err)) {
                    fprintf(stderr, "writer %d commit %d: %s\n", p, i, err.message);
                    failed = 1;
                }
            }
            delta_table_close(c);
            _exit(failed);
        }
    }
    int bad = 0;
    for (int p = 0; p < PROCS; p++) {
        int st;
        waitpid(pids[p], &st, 0);
        bad += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    }
    ASSERT_EQ_INT(bad, 0);
    TarnError err;
    err_clear(&err);
    t = open_dir(dir);
    DeltaSnapshot *s = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(s, &err);
    ASSERT_EQ_INT(delta_snapshot_version(s), PROCS * COMMITS);
    ASSERT_EQ_INT(delta_snapshot_num_files(s), PROCS * COMMITS);
    delta_snapshot_free(s);
    delta_table_close(t);
}

/* ---- creation race ---------------------------------------------------------------------- */

/* A storage whose first listing of _delta_log/ says "not found": the
 * creator believes the table absent, as when another creation lands
 * between its check and its commit. */
typedef struct Late {
    Storage base;
    Storage *in;
    int hide;                  /* listings of _delta_log/ still to hide */
} Late;

static int l_read(Storage *s, const char *p, uint64_t o, size_t n, void *b, TarnError *e)
{
    Storage *in = ((Late *)s)->in;
    return in->ops->read_range(in, p, o, n, b, e);
}
static int l_size(Storage *s, const char *p, uint64_t *o, TarnError *e)
{
    Storage *in = ((Late *)s)->in;
    return in->ops->size(in, p, o, e);
}
static int l_put(Storage *s, const char *p, const void *d, size_t n, TarnError *e)
{
    Storage *in = ((Late *)s)->in;
    return in->ops->put(in, p, d, n, e);
}
static int l_put_if_absent(Storage *s, const char *p, const void *d, size_t n, TarnError *e)
{
    Storage *in = ((Late *)s)->in;
    return in->ops->put_if_absent(in, p, d, n, e);
}
static StorageWriter *l_open_write(Storage *s, const char *p, TarnError *e)
{
    Storage *in = ((Late *)s)->in;
    return in->ops->open_write(in, p, e);
}
static int l_list(Storage *s, const char *p, StorageListFn fn, void *ctx, TarnError *e)
{
    Late *l = (Late *)s;
    if (l->hide > 0 && strstr(p, "_delta_log")) {
        l->hide--;
        return err_set(e, TARN_ERR_NOT_FOUND, "\"%s\" not found", p);
    }
    return l->in->ops->list(l->in, p, fn, ctx, e);
}
static int l_remove(Storage *s, const char *p, TarnError *e)
{
    Storage *in = ((Late *)s)->in;
    return in->ops->remove(in, p, e);
}
static void l_close(Storage *s)
{
    (void)s;
}
static const StorageOps late_ops = {l_read, l_size, l_put, l_put_if_absent, l_open_write, l_list, l_remove, l_close, NULL, NULL};

/* delta_create on a table another writer created after our existence check. */
static int create_late(const char *dir, TypeId second, bool if_not_exists, DeltaResult *r, TarnError *err)
{
    TarnError e0;
    err_clear(&e0);
    Storage *in = storage_open_local(dir, true, &e0);
    ASSERT_NOT_NULL(in, &e0);
    Late late = {{&late_ops, "late"}, in, 1};
    DeltaTable *t = delta_table_open(&late.base, "", NULL, &e0);
    ASSERT_NOT_NULL(t, &e0);
    Schema s;
    two_columns(&s, second);
    DeltaCreateOptions o;
    memset(&o, 0, sizeof o);
    o.schema = &s;
    o.if_not_exists = if_not_exists;
    int rc = delta_create(t, &o, r, err);
    ASSERT_EQ_INT(late.hide, 0); /* the race did happen */
    schema_destroy(&s);
    delta_table_close(t);
    storage_close(in);
    return rc;
}

TEST(delta_races_create_if_not_exists_concurrently)
{
    const char *dir = tdir("create");
    DeltaTable *t = open_dir(dir);
    create_table(t, NULL, NULL, 0);
    commit_fake_add(t, 1);
    TarnError err;
    err_clear(&err);
    DeltaResult r;
    /* same schema: success without change */
    ASSERT_OK(create_late(dir, TYPE_STRING, true, &r, &err), &err);
    ASSERT_EQ_INT(r.version, -1);
    /* another schema: a clear error */
    err_clear(&err);
    ASSERT_EQ_INT(create_late(dir, TYPE_INT32, true, &r, &err), TARN_ERR_CONFLICT);
    ASSERT_ERR_CONTAINS(&err, "created concurrently");
    ASSERT_ERR_CONTAINS(&err, "different schema: column \"v\" has type");
    /* without IF NOT EXISTS: the table exists */
    err_clear(&err);
    ASSERT_EQ_INT(create_late(dir, TYPE_STRING, false, &r, &err), TARN_ERR_INVALID);
    ASSERT_ERR_CONTAINS(&err, "table already exists");
    /* the table is untouched */
    DeltaSnapshot *s = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(s, &err);
    ASSERT_EQ_INT(delta_snapshot_version(s), 1);
    delta_snapshot_free(s);
    delta_table_close(t);
}

/* ---- debris in _delta_log/ ----------------------------------------------------------------- */

TEST(delta_races_vacuum_removes_log_temporaries)
{
    const char *dir = tdir("logtmp");
    DeltaTable *t = open_dir(dir);
    create_table(t, NULL, NULL, 0);
    char old_tmp[4200], new_tmp[4200], c0[4200], other[4200];
    log_path(old_tmp, sizeof old_tmp, dir, ".00000000000000000001.json.tmp-99999-1");
    log_path(new_tmp, sizeof new_tmp, dir, ".00000000000000000001.json.tmp-99999-2");
    log_path(other, sizeof other, dir, ".keep-me");
    commit_path(c0, sizeof c0, dir, 0);
    const char *paths[] = {old_tmp, new_tmp, other};
    for (int i = 0; i < 3; i++) {
        FILE *f = fopen(paths[i], "w");
        ASSERT(f);
        fputs("{\"commitInfo\":{}}\n", f);
        fclose(f);
    }
    age_file(old_tmp, 8);
    age_file(other, 8);
    age_file(c0, 8); /* log files themselves are never vacuumed */
    Arena a;
    arena_init(&a, 4096);
    TarnError err;
    err_clear(&err);
    DeltaVacuumOptions vo = {-1, true, false};
    DeltaVacuumResult vr;
    ASSERT_OK(delta_vacuum(t, &vo, &a, &vr, &err), &err);
    ASSERT_EQ_INT(vr.n_files, 1);
    ASSERT_EQ_STR(vr.files[0], "_delta_log/.00000000000000000001.json.tmp-99999-1");
    ASSERT(exists(old_tmp));
    vo.dry_run = false;
    ASSERT_OK(delta_vacuum(t, &vo, &a, &vr, &err), &err);
    ASSERT_EQ_INT(vr.n_files, 1);
    ASSERT(!exists(old_tmp));
    ASSERT(exists(new_tmp) && exists(other) && exists(c0));
    arena_free(&a);
    /* the table still reads, and the next commit is version 1 */
    ASSERT_EQ_INT(commit_fake_add(t, 1).version, 1);
    delta_table_close(t);
}

/* Versions 0..4 are 40 days old, 5.. new; checkpoints every 2 versions.
 * The checkpoint at 6 deletes what no version after 4 needs: commits 0..3
 * and checkpoint 2 (checkpoint 4 is the base of versions 4 and 5). */
TEST(delta_races_log_cleanup_at_checkpoint)
{
    for (int enabled = 1; enabled >= 0; enabled--) {
        const char *dir = tdir(enabled ? "cleanup" : "nocleanup");
        DeltaTable *t = open_dir(dir);
        const char *keys[] = {"delta.checkpointInterval", "delta.enableExpiredLogCleanup"};
        const char *vals[] = {"2", enabled ? "true" : "false"};
        create_table(t, keys, vals, 2);
        for (long v = 1; v <= 4; v++)
            ASSERT_EQ_INT(commit_fake_add(t, v).version, v);
        char p[4200];
        for (long v = 0; v <= 4; v++) {
            commit_path(p, sizeof p, dir, v);
            age_file(p, 40);
        }
        for (long v = 2; v <= 4; v += 2) {
            char name[64];
            snprintf(name, sizeof name, "%020ld.checkpoint.parquet", v);
            log_path(p, sizeof p, dir, name);
            age_file(p, 40);
        }
        ASSERT_EQ_INT(commit_fake_add(t, 5).version, 5);
        ASSERT_EQ_INT(commit_fake_add(t, 6).version, 6); /* checkpoint 6: cleanup */
        for (long v = 0; v <= 6; v++) {
            commit_path(p, sizeof p, dir, v);
            if (exists(p) != (v >= 4 || !enabled))
                TFAIL("commit %ld %s (cleanup %s)", v, exists(p) ? "kept" : "deleted", enabled ? "on" : "off");
        }
        log_path(p, sizeof p, dir, "00000000000000000002.checkpoint.parquet");
        ASSERT(exists(p) == !enabled);
        log_path(p, sizeof p, dir, "00000000000000000004.checkpoint.parquet");
        ASSERT(exists(p));
        /* every version from 4 on reads, from a fresh handle too */
        TarnError err;
        err_clear(&err);
        DeltaTable *f = open_dir(dir);
        for (long v = 4; v <= 6; v++) {
            DeltaSnapshot *s = delta_snapshot_at_version(f, v, &err);
            ASSERT_NOT_NULL(s, &err);
            ASSERT_EQ_INT(delta_snapshot_num_files(s), v);
            delta_snapshot_free(s);
        }
        DeltaSnapshot *s = delta_snapshot_at_version(f, 3, &err);
        if (enabled) {
            ASSERT(s == NULL);
            ASSERT_EQ_INT(err.kind, TARN_ERR_NOT_FOUND);
        } else {
            ASSERT_NOT_NULL(s, &err);
            delta_snapshot_free(s);
        }
        delta_table_close(f);
        delta_table_close(t);
    }
}

/* ---- messages ---------------------------------------------------------------------------------- */

TEST(delta_races_errors_name_the_directory)
{
    const char *dir = tdir("plain-dir");
    ASSERT(mkdir(dir, 0755) == 0);
    TarnError err;
    err_clear(&err);
    DeltaTable *t = delta_table_open_dir(dir, false, NULL, &err);
    ASSERT_NOT_NULL(t, &err);
    ASSERT(delta_snapshot_latest(t, &err) == NULL);
    ASSERT_EQ_INT(err.kind, TARN_ERR_NOT_FOUND);
    char want[4200];
    snprintf(want, sizeof want, "not a Delta table: \"%s\" has no _delta_log directory", dir);
    ASSERT_ERR_CONTAINS(&err, want);
    delta_table_close(t);
    /* a table below a storage root: "<storage root>/<table root>" */
    Storage *st = storage_open_local(test_tmp_dir(), false, &err);
    ASSERT_NOT_NULL(st, &err);
    t = delta_table_open(st, "plain-dir", NULL, &err);
    ASSERT_NOT_NULL(t, &err);
    err_clear(&err);
    ASSERT(delta_snapshot_latest(t, &err) == NULL);
    ASSERT_ERR_CONTAINS(&err, want);
    delta_table_close(t);
    storage_close(st);
}
