/*
 * op_scan_delta.c - scan of a Delta table (table/delta/delta.h).
 *
 * The global state opens one DeltaScan over the snapshot the binder
 * pinned, with the projection and the skipping predicates.  Morsels are
 * row ranges of the files it keeps: with several threads each file is cut
 * by delta_scan_split_file (row groups, or page-aligned slices of them;
 * small files by their stats alone, without reading them), so a table
 * stored as one big file still scans on every thread.  Each thread claims
 * the next morsel, reads it with delta_scan_open_file_rows (deletion
 * vectors at the right rows, row-group skipping per morsel) and filters
 * and projects every batch (scan_common.c).  With one thread a morsel is a
 * whole file.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/exec/join_filter.h"
#include "sql/exec/ops.h"
#include "sql/exec/scan_skips.h"
#include "table/delta/delta.h"

typedef struct ScanDelta {
    PhysOp op;
    ScanSpec spec;
    DeltaScan *scan;            /* global: file list */
    ScanMorsels morsels;
    atomic_uint next_morsel;
    const char **col_names;
    ScanSkips skips;            /* EXPLAIN ANALYZE */
} ScanDelta;

typedef struct Local {
    ScanSkips *skips;
    DeltaScan *file;            /* current file's scan */
    Batch batch;
    bool batch_ok;
    ScanOut so;
} Local;

static int cmp_path(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Is path in the scan's file restriction (sorted; incremental streams)? */
static bool only_file(const LogicalOp *g, const char *path)
{
    return bsearch(&path, g->u.get.only_files, g->u.get.n_only_files, sizeof(char *), cmp_path) != NULL;
}

static int src_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    ScanDelta *s = (ScanDelta *)op;
    const LogicalOp *g = s->spec.get;
    if (s->scan)
        return 0;
    DeltaScanOptions o;
    memset(&o, 0, sizeof o);
    o.columns = s->col_names;
    o.n_columns = (int)s->spec.n_read;
    o.preds = s->spec.preds;
    o.n_preds = (int)s->spec.n_preds;
    s->scan = delta_scan_open(g->u.get.snapshot, &o, err);
    if (!s->scan)
        return err_context(err, "scanning table \"%s\"", g->u.get.alias ? g->u.get.alias : "?");
    uint32_t n_files = (uint32_t)delta_scan_num_files(s->scan);
    uint32_t threads = x->n_threads ? x->n_threads : 1;
    int64_t target = scan_morsel_rows(delta_snapshot_total_rows(g->u.get.snapshot), threads);
    int rc = 0;
    for (uint32_t f = 0; f < n_files && rc == 0; f++) {
        int64_t *ranges = NULL, whole[2] = {0, 0};
        size_t n = 1;
        if (g->u.get.n_only_files && !only_file(g, delta_scan_file(s->scan, f)->path))
            continue;
        if (threads > 1 && (rc = delta_scan_split_file(s->scan, f, target, &ranges, &n, err)))
            break;
        rc = scan_morsels_add(&s->morsels, f, ranges ? ranges : whole, n, err);
        tarn_free(ranges);
    }
    if (rc)
        return err_context(err, "scanning table \"%s\"", g->u.get.alias ? g->u.get.alias : "?");
    atomic_init(&s->next_morsel, 0);
    atomic_store(&s->skips.ran, true);
    return 0;
}

static uint32_t src_parallelism(PhysOp *op)
{
    ScanDelta *s = (ScanDelta *)op;
    return s->morsels.n ? s->morsels.n : 1;
}

static int src_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    ScanDelta *s = (ScanDelta *)op;
    Local *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    int rc = scan_out_init(&l->so, &s->spec, x, NULL, err);
    if (rc) {
        tarn_free(l);
        return rc;
    }
    l->skips = &s->skips;
    *local = l;
    return 0;
}

static void close_file(Local *l)
{
    if (l->batch_ok)
        batch_destroy(&l->batch);
    l->batch_ok = false;
    if (l->file) {
        DeltaScanStats st;
        delta_scan_stats(l->file, &st);
        scan_skips_add(l->skips, &st.pq);
        delta_scan_close(l->file);
    }
    l->file = NULL;
}

static int src_next(PhysOp *op, ExecCtx *x, void *local, Chunk *out, TarnError *err)
{
    (void)x;
    ScanDelta *s = (ScanDelta *)op;
    Local *l = local;
    for (;;) {
        if (!l->file) {
            uint32_t i = atomic_fetch_add(&s->next_morsel, 1);
            if (i >= s->morsels.n) {
                out->n_rows = 0;
                return 0;
            }
            const ScanMorsel *m = &s->morsels.m[i];
            pthread_mutex_lock(&op->mu);
            l->file = delta_scan_open_file_rows(s->scan, m->file, m->begin, m->end, err);
            pthread_mutex_unlock(&op->mu);
            if (!l->file)
                return err->kind ? err->kind : TARN_ERR_INTERNAL;
            if (batch_init(&l->batch, delta_scan_schema(l->file)))
                return ERR_NOMEM(err, 0);
            l->batch_ok = true;
        }
        batch_reset(&l->batch);
        int rc = delta_scan_next(l->file, &l->batch, err);
        if (rc)
            return rc;
        if (l->batch.n_rows == 0) {
            close_file(l);
            continue;
        }
        if ((rc = scan_out_emit(&l->so, &l->batch, out, err)))
            return rc;
        if (out->n_rows)
            return 0;
    }
}

static void src_local_free(PhysOp *op, void *local)
{
    (void)op;
    Local *l = local;
    close_file(l);
    scan_out_free(&l->so);
    tarn_free(l);
}

static void destroy(PhysOp *op)
{
    ScanDelta *s = (ScanDelta *)op;
    if (s->scan)
        delta_scan_close(s->scan);
    s->scan = NULL;
    scan_morsels_free(&s->morsels);
}

static void explain(PhysOp *op, Buf *out)
{
    ScanDelta *s = (ScanDelta *)op;
    const LogicalOp *g = s->spec.get;
    buf_printf(out, " on %s", g->u.get.alias ? g->u.get.alias : "?");
    if (s->scan) {
        DeltaScanStats st;
        delta_scan_stats(s->scan, &st);
        buf_printf(out, " (files %lld of %lld", (long long)st.files_total - (long long)st.files_pruned,
                   (long long)st.files_total);
        if (s->morsels.n > (uint32_t)(st.files_total - st.files_pruned))
            buf_printf(out, ", %u morsels", s->morsels.n);
        scan_skips_explain(&s->skips, out);
        buf_printf(out, ")");
    }
    if (s->spec.filter) {
        buf_printf(out, " filter: ");
        expr_to_text(s->spec.filter, out);
    }
    join_filter_explain(s->spec.jf, s->col_names, out);
}

static bool push_join_filter(PhysOp *op, uint32_t col, JoinFilter *f, Arena *a)
{
    ScanDelta *s = (ScanDelta *)op;
    return join_filter_use_add(&s->spec.jf, s->spec.out_pos[col], f, a);
}

static const PhysOpVT vt = {
    .name = "Delta Scan",
    .push_join_filter = push_join_filter,
    .src_init = src_init,
    .src_parallelism = src_parallelism,
    .src_local_init = src_local_init,
    .src_next = src_next,
    .src_local_free = src_local_free,
    .destroy = destroy,
    .explain = explain,
};

PhysOp *op_scan_delta_new(Arena *a, const ScanSpec *spec, TarnError *err)
{
    ScanDelta *s = arena_calloc(a, sizeof *s);
    if (!s) {
        ERR_NOMEM(err, sizeof *s);
        return NULL;
    }
    s->spec = *spec;
    const Schema *sch = spec->get->u.get.schema;
    s->col_names = arena_alloc(a, (spec->n_read ? spec->n_read : 1) * sizeof(char *));
    LogicalType *types = arena_alloc(a, (spec->n_out ? spec->n_out : 1) * sizeof(LogicalType));
    if (!s->col_names || !types) {
        ERR_NOMEM(err, 0);
        return NULL;
    }
    for (uint32_t i = 0; i < spec->n_read; i++)
        s->col_names[i] = sch->fields[spec->read_cols[i]].name;
    for (uint32_t i = 0; i < spec->n_out; i++)
        types[i] = sch->fields[spec->read_cols[spec->out_pos[i]]].type;
    physop_init(&s->op, &vt, ROLE_SOURCE, spec->n_out, types);
    s->op.est_rows = spec->get->est_rows;
    return &s->op;
}
