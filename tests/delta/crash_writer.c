/*
 * crash_writer.c - helper of the Delta suite (tests/delta/run.sh): writes
 * and checks tables through the library API, so that the suite can kill
 * writers at random moments, run several at once, and stage conflicts.
 *
 *   crash_writer append DIR --writer W --start-seq S --count N
 *       Appends N small commits (creating the table when absent, partitioned
 *       by p).  Commit k carries "sequence number" seq = S + k: rows
 *       i = 0 .. rows_of(seq)-1 with w = W, seq, i, val = seq * 1000 + i,
 *       p = i % 2 (two partitions, so most commits write two files).  After
 *       each successful commit it prints, flushed,
 *           ACK <version> <rowsum> <seq> <rows>
 *       A failed commit prints "FAIL <seq> <error kind> <message>" and the
 *       loop goes on (a conflict is a legitimate outcome; a lost commit is
 *       not).
 *   crash_writer verify DIR [--no-versions] [ACKFILE...]
 *       Opens the table, reads it completely and checks: every seq present
 *       has exactly its rows (no partial and no doubled commit), every ACK
 *       is present with its rowsum, and (unless --no-versions) each ACKed
 *       seq appears exactly at its version (absent at version - 1).  Prints "ok <summary>" or
 *       "FAIL <what>" lines; exit 0 only when all is well.
 *   crash_writer race DIR ID OTHER_ID BARRIER_DIR MODE
 *       Stages a transaction on the latest snapshot, then waits until the
 *       other racer has staged its own (files in BARRIER_DIR), then commits.
 *       MODE: delete-all (removes every file, read the whole table),
 *       delete-p0 / delete-p1 (removes the files of partition p=0 / p=1,
 *       read predicate p = 0 / 1), append (blind append of seq ID);
 *       dml-delete-all / dml-delete-p0 run the library's DELETE
 *       (delta_delete, every row / rows with p = 0) and meet the other
 *       racer inside its row filter, after DELETE has read its snapshot.
 *       Prints "COMMITTED <version>", "CONFLICT <message>" or
 *       "ERROR <kind> <message>".
 *
 * The rows of a seq are a pure function of seq, so `verify` can tell a
 * complete commit from a partial one without knowing which ACKs were lost
 * to a kill between commit and print.
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "table/delta/delta.h"
#include "util/err.h"
#include "util/mem.h"
#include "vector/vector.h"

static int64_t rows_of(int64_t seq) { return 1 + seq % 7; }
static int64_t val_of(int64_t seq, int64_t i) { return seq * 1000 + i; }
static int64_t rowsum_of(int64_t seq)
{
    int64_t s = 0;
    for (int64_t i = 0; i < rows_of(seq); i++)
        s += val_of(seq, i);
    return s;
}

static const char *const COLS[] = {"w", "seq", "i", "val", "p"};
#define N_COLS 5

static void make_schema(Schema *s)
{
    schema_init(s);
    for (int c = 0; c < N_COLS; c++)
        schema_add(s, COLS[c], type_simple(TYPE_INT64), true);
}

static void fail_err(const char *what, const TarnError *err)
{
    char buf[4096];
    printf("FAIL %s: %s\n", what, tarn_error_format(err, buf, sizeof buf));
    fflush(stdout);
}

static DeltaTable *open_or_create(const char *dir, const Schema *schema, TarnError *err)
{
    DeltaTable *t = delta_table_open_dir(dir, true, NULL, err);
    if (!t)
        return NULL;
    bool exists = false;
    if (delta_table_exists(t, &exists, err)) {
        delta_table_close(t);
        return NULL;
    }
    if (!exists) {
        const char *parts[] = {"p"};
        DeltaCreateOptions co;
        memset(&co, 0, sizeof co);
        co.schema = schema;
        co.partition_columns = parts;
        co.n_partition_columns = 1;
        co.if_not_exists = true;
        if (delta_create(t, &co, NULL, err)) {
            delta_table_close(t);
            return NULL;
        }
    }
    return t;
}

/* Fills b with the rows of seq written by writer w. */
static int fill_batch(Batch *b, int64_t w, int64_t seq)
{
    batch_reset(b);
    int64_t n = rows_of(seq);
    for (int64_t i = 0; i < n; i++) {
        int64_t v[N_COLS] = {w, seq, i, val_of(seq, i), i % 2};
        for (int c = 0; c < N_COLS; c++)
            if (vec_append_i64(&b->cols[c], v[c]))
                return TARN_ERR_NOMEM;
    }
    b->n_rows = (uint32_t)n;
    return 0;
}

static int cmd_append(const char *dir, int64_t w, int64_t start, int64_t count)
{
    Schema schema;
    make_schema(&schema);
    TarnError err = {0};
    DeltaTable *t = open_or_create(dir, &schema, &err);
    if (!t) {
        fail_err("open", &err);
        schema_destroy(&schema);
        return 1;
    }
    Batch b;
    if (batch_init(&b, &schema)) {
        printf("FAIL out of memory\n");
        return 1;
    }
    int failures = 0;
    for (int64_t seq = start; seq < start + count; seq++) {
        if (fill_batch(&b, w, seq)) {
            printf("FAIL out of memory\n");
            return 1;
        }
        const Batch *bs[1] = {&b};
        DeltaResult res;
        memset(&res, 0, sizeof res);
        err_clear(&err);
        if (delta_write(t, bs, 1, NULL, &res, &err)) {
            char buf[4096];
            printf("FAIL %" PRId64 " %s %s\n", seq, err_kind_name(err.kind),
                   tarn_error_format(&err, buf, sizeof buf));
            fflush(stdout);
            failures++;
            continue;
        }
        printf("ACK %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 "\n", res.version, rowsum_of(seq),
               seq, rows_of(seq));
        fflush(stdout);
    }
    batch_destroy(&b);
    delta_table_close(t);
    schema_destroy(&schema);
    return failures ? 3 : 0;
}

/* ---- verify ------------------------------------------------------------------ */

typedef struct SeqStat {
    int64_t rows, sum;
    uint64_t seen_mask;   /* bit i: row i seen (rows_of <= 7) */
    bool doubled;
} SeqStat;

typedef struct Ack {
    int64_t version, rowsum, seq, rows;
} Ack;

static int n_fail;

static void vfail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void vfail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    n_fail++;
}

/* Counts rows with seq == want in the snapshot (pruning by stats). */
static int count_seq(DeltaSnapshot *snap, int64_t want, int64_t *rows_out, TarnError *err)
{
    PqPredicate pred;
    memset(&pred, 0, sizeof pred);
    pred.column = "seq";
    pred.op = PQ_CMP_EQ;
    pred.value = value_i64(TYPE_INT64, want);
    DeltaScanOptions o;
    memset(&o, 0, sizeof o);
    const char *cols[] = {"seq"};
    o.columns = cols;
    o.n_columns = 1;
    o.preds = &pred;
    o.n_preds = 1;
    DeltaScan *sc = delta_scan_open(snap, &o, err);
    if (!sc)
        return err->kind;
    Batch b;
    int rc = batch_init(&b, delta_scan_schema(sc));
    int64_t n = 0;
    while (!rc) {
        if ((rc = delta_scan_next(sc, &b, err)))
            break;
        if (!b.n_rows)
            break;
        const int64_t *v = VEC_DATA(&b.cols[0], int64_t);
        for (uint32_t i = 0; i < b.n_rows; i++)
            if (vec_is_valid(&b.cols[0], i) && v[i] == want)
                n++;
    }
    batch_destroy(&b);
    delta_scan_close(sc);
    *rows_out = n;
    return rc;
}

static int cmd_verify(const char *dir, int n_files, char **files)
{
    bool check_versions = true;
    if (n_files > 0 && !strcmp(files[0], "--no-versions")) {
        check_versions = false;
        files++;
        n_files--;
    }
    TarnError err = {0};
    DeltaTable *t = delta_table_open_dir(dir, false, NULL, &err);
    if (!t) {
        fail_err("open", &err);
        return 1;
    }
    DeltaSnapshot *snap = delta_snapshot_latest(t, &err);
    if (!snap) {
        fail_err("latest snapshot", &err);
        delta_table_close(t);
        return 1;
    }
    int64_t latest = delta_snapshot_version(snap);
    /* Read every row. */
    size_t cap = 1024;
    SeqStat *st = calloc(cap, sizeof *st);
    DeltaScan *sc = delta_scan_open(snap, NULL, &err);
    int64_t total_rows = 0;
    if (!sc) {
        fail_err("scan", &err);
    } else {
        const Schema *ss = delta_scan_schema(sc);
        int ci[N_COLS];
        for (int c = 0; c < N_COLS; c++)
            if ((ci[c] = schema_find(ss, COLS[c])) < 0)
                vfail("column %s missing from the table", COLS[c]);
        Batch b;
        batch_init(&b, ss);
        while (!n_fail) {
            if (delta_scan_next(sc, &b, &err)) {
                fail_err("reading the table", &err);
                n_fail++;
                break;
            }
            if (!b.n_rows)
                break;
            total_rows += b.n_rows;
            for (uint32_t r = 0; r < b.n_rows; r++) {
                int64_t v[N_COLS];
                for (int c = 0; c < N_COLS; c++) {
                    const Vector *col = &b.cols[ci[c]];
                    if (!vec_is_valid(col, r)) {
                        vfail("NULL in column %s", COLS[c]);
                        v[c] = -1;
                    } else {
                        v[c] = VEC_DATA(col, int64_t)[r];
                    }
                }
                int64_t seq = v[1], i = v[2];
                if (seq < 0 || seq > 100000000 || i < 0 || i >= rows_of(seq) ||
                    v[3] != val_of(seq, i) || v[4] != i % 2) {
                    vfail("unexpected row seq=%" PRId64 " i=%" PRId64 " val=%" PRId64
                          " p=%" PRId64, seq, i, v[3], v[4]);
                    continue;
                }
                if ((size_t)seq >= cap) {
                    size_t ncap = cap;
                    while ((size_t)seq >= ncap)
                        ncap *= 2;
                    st = realloc(st, ncap * sizeof *st);
                    memset(st + cap, 0, (ncap - cap) * sizeof *st);
                    cap = ncap;
                }
                SeqStat *x = &st[seq];
                if (x->seen_mask & (1ull << i))
                    x->doubled = true;
                x->seen_mask |= 1ull << i;
                x->rows++;
                x->sum += v[3];
            }
        }
        batch_destroy(&b);
        delta_scan_close(sc);
    }
    int64_t n_seqs = 0;
    for (size_t s = 0; s < cap; s++) {
        if (!st[s].rows)
            continue;
        n_seqs++;
        if (st[s].doubled)
            vfail("seq %zu: rows appear twice (a commit applied twice)", s);
        else if (st[s].rows != rows_of((int64_t)s) || st[s].sum != rowsum_of((int64_t)s))
            vfail("seq %zu: partial commit visible (%" PRId64 " of %" PRId64 " rows)", s,
                  st[s].rows, rows_of((int64_t)s));
    }
    /* ACKs. */
    int64_t n_acks = 0;
    for (int f = 0; f < n_files; f++) {
        FILE *fp = fopen(files[f], "r");
        if (!fp) {
            vfail("cannot read %s", files[f]);
            continue;
        }
        char line[512];
        while (fgets(line, sizeof line, fp)) {
            Ack a;
            if (sscanf(line, "ACK %" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNd64, &a.version,
                       &a.rowsum, &a.seq, &a.rows) != 4)
                continue;
            n_acks++;
            if (a.seq < 0 || (size_t)a.seq >= cap || st[a.seq].rows == 0) {
                vfail("ACKed seq %" PRId64 " (version %" PRId64 ") is missing", a.seq, a.version);
                continue;
            }
            if (st[a.seq].sum != a.rowsum)
                vfail("ACKed seq %" PRId64 ": rowsum %" PRId64 ", ACK said %" PRId64, a.seq,
                      st[a.seq].sum, a.rowsum);
            if (!check_versions)
                continue;
            if (a.version > latest) {
                vfail("ACKed version %" PRId64 " is newer than the latest %" PRId64, a.version,
                      latest);
                continue;
            }
            /* The commit is exactly version a.version. */
            int64_t here = -1, before = -1;
            DeltaSnapshot *sv = delta_snapshot_at_version(t, a.version, &err);
            if (!sv || count_seq(sv, a.seq, &here, &err)) {
                fail_err("time travel", &err);
                n_fail++;
                err_clear(&err);
            }
            if (sv)
                delta_snapshot_free(sv);
            DeltaSnapshot *sb = delta_snapshot_at_version(t, a.version - 1, &err);
            if (!sb || count_seq(sb, a.seq, &before, &err)) {
                fail_err("time travel", &err);
                n_fail++;
                err_clear(&err);
            }
            if (sb)
                delta_snapshot_free(sb);
            if (here != a.rows || before != 0)
                vfail("ACKed seq %" PRId64 " is not version %" PRId64 " (rows there %" PRId64
                      ", at the version before %" PRId64 ")", a.seq, a.version, here, before);
        }
        fclose(fp);
    }
    if (!n_fail)
        printf("ok version %" PRId64 ", %" PRId64 " rows, %" PRId64 " commits of data, %" PRId64
               " ACKs checked, %zu files\n", latest, total_rows, n_seqs, n_acks,
               delta_snapshot_num_files(snap));
    free(st);
    delta_snapshot_free(snap);
    delta_table_close(t);
    return n_fail ? 1 : 0;
}

/* ---- race ------------------------------------------------------------------------ */

static bool file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

/* The two racers of `race`: this one (race_id) and the other. */
static const char *race_id, *race_other, *race_dir;

static void touch(const char *what, const char *who)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s.%s", race_dir, what, who);
    FILE *fp = fopen(p, "w");
    if (fp)
        fclose(fp);
}

static void wait_for(const char *what, const char *who)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s.%s", race_dir, what, who);
    for (int i = 0; i < 3000 && !file_exists(p); i++)
        usleep(2000);
}

/* Barrier: both transactions have read their snapshot (and staged their
 * actions) before either commits; then the racer with the smaller id goes
 * first and the other waits for its "done" mark, so that the outcome does
 * not depend on the scheduler. */
static void race_barrier(void)
{
    touch("ready", race_id);
    wait_for("ready", race_other);
    if (strcmp(race_id, race_other) > 0)
        wait_for("done", race_other);
}

static void race_done(void) { touch("done", race_id); }

/* DELETE's row filter for the dml-* modes: rows of partition `*ctx` (-1 =
 * every row).  The barrier runs on the first call: by then delta_delete
 * has taken its snapshot and is about to stage its removes. */
static int race_filter(void *ctx, const Batch *b, uint8_t *match_out, TarnError *err)
{
    static bool waited;
    if (!waited) {
        waited = true;
        race_barrier();
    }
    int part = *(const int *)ctx;
    int pc = schema_find(b->schema, "p");
    for (uint32_t i = 0; i < b->n_rows; i++)
        match_out[i] = part < 0 || (pc >= 0 && vec_is_valid(&b->cols[pc], i) &&
                                    VEC_DATA(&b->cols[pc], int64_t)[i] == part);
    return 0;
}

/* The dml-* modes: the real delta_delete, raced through its row filter. */
static int race_dml(DeltaTable *t, const char *mode)
{
    int part = !strcmp(mode, "dml-delete-p0") ? 0 : -1;
    PqPredicate pred;
    memset(&pred, 0, sizeof pred);
    pred.column = "p";
    pred.op = PQ_CMP_EQ;
    pred.value = value_i64(TYPE_INT64, part);
    DeltaCondition c;
    memset(&c, 0, sizeof c);
    c.prune = part >= 0 ? &pred : NULL;
    c.n_prune = part >= 0 ? 1 : 0;
    c.filter = race_filter;
    c.ctx = &part;
    DeltaResult res;
    memset(&res, 0, sizeof res);
    TarnError err = {0};
    int rc = delta_delete(t, &c, &res, &err);
    race_done();
    char buf[4096];
    if (!rc)
        printf("COMMITTED %" PRId64 "\n", res.version);
    else if (err.kind == TARN_ERR_CONFLICT)
        printf("CONFLICT %s\n", tarn_error_format(&err, buf, sizeof buf));
    else
        printf("ERROR %s %s\n", err_kind_name(err.kind), tarn_error_format(&err, buf, sizeof buf));
    delta_table_close(t);
    return 0;
}

static int cmd_race(const char *dir, const char *id, const char *other, const char *barrier,
                    const char *mode)
{
    TarnError err = {0};
    race_id = id;
    race_other = other;
    race_dir = barrier;
    DeltaTable *t = delta_table_open_dir(dir, false, NULL, &err);
    if (!t) {
        fail_err("open", &err);
        return 1;
    }
    if (!strncmp(mode, "dml-", 4))
        return race_dml(t, mode);
    DeltaTransaction *txn = delta_txn_begin(t, &err);
    if (!txn) {
        fail_err("begin", &err);
        return 1;
    }
    DeltaSnapshot *snap = delta_txn_snapshot(txn);
    int rc = 0;
    Schema schema;
    make_schema(&schema);
    Batch b;
    batch_init(&b, &schema);
    if (!strncmp(mode, "delete-", 7)) {
        int part = !strcmp(mode, "delete-p0") ? 0 : !strcmp(mode, "delete-p1") ? 1 : -1;
        for (size_t i = 0; !rc && i < delta_snapshot_num_files(snap); i++) {
            const DeltaAdd *f = delta_snapshot_file(snap, i);
            const char *pv = delta_map_get(&f->partition_values, "p", NULL);
            if (part >= 0 && (!pv || atoi(pv) != part))
                continue;
            rc = delta_txn_remove_file(txn, f, true, &err);
        }
        if (!rc) {
            if (part < 0) {
                delta_txn_read_whole_table(txn);
            } else {
                PqPredicate pred;
                memset(&pred, 0, sizeof pred);
                pred.column = "p";
                pred.op = PQ_CMP_EQ;
                pred.value = value_i64(TYPE_INT64, part);
                rc = delta_txn_read_predicate(txn, &pred, 1, &err);
            }
        }
        if (!rc)
            rc = delta_txn_set_operation(txn, "DELETE", "{\"predicate\":\"[]\"}", &err);
    } else if (!strcmp(mode, "append")) {
        rc = fill_batch(&b, 9, atoll(id));
        if (!rc)
            rc = delta_txn_write(txn, &b, &err);
        if (!rc)
            rc = delta_txn_set_operation(txn, "WRITE", "{\"mode\":\"Append\"}", &err);
    } else {
        fprintf(stderr, "unknown race mode %s\n", mode);
        return 2;
    }
    if (rc) {
        fail_err("staging", &err);
        delta_txn_abort(txn);
        return 1;
    }
    race_barrier();
    DeltaResult res;
    memset(&res, 0, sizeof res);
    rc = delta_txn_commit(txn, &res, &err);
    race_done();
    char buf[4096];
    if (!rc)
        printf("COMMITTED %" PRId64 "\n", res.version);
    else if (err.kind == TARN_ERR_CONFLICT)
        printf("CONFLICT %s\n", tarn_error_format(&err, buf, sizeof buf));
    else
        printf("ERROR %s %s\n", err_kind_name(err.kind), tarn_error_format(&err, buf, sizeof buf));
    batch_destroy(&b);
    schema_destroy(&schema);
    delta_table_close(t);
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: crash_writer append DIR --writer W --start-seq S --count N\n"
                    "       crash_writer verify DIR [--no-versions] [ACKFILE...]\n"
                    "       crash_writer race DIR ID OTHER_ID BARRIER_DIR "
                    "delete-all|delete-p0|delete-p1|append|dml-delete-all|dml-delete-p0\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    const char *cmd = argv[1], *dir = argv[2];
    if (!strcmp(cmd, "append")) {
        int64_t w = 0, start = 0, count = 1000000;
        for (int i = 3; i + 1 < argc; i += 2) {
            if (!strcmp(argv[i], "--writer"))
                w = atoll(argv[i + 1]);
            else if (!strcmp(argv[i], "--start-seq"))
                start = atoll(argv[i + 1]);
            else if (!strcmp(argv[i], "--count"))
                count = atoll(argv[i + 1]);
            else
                return usage();
        }
        return cmd_append(dir, w, start, count);
    }
    if (!strcmp(cmd, "verify"))
        return cmd_verify(dir, argc - 3, argv + 3);
    if (!strcmp(cmd, "race") && argc == 7)
        return cmd_race(dir, argv[3], argv[4], argv[5], argv[6]);
    return usage();
}
