/*
 * op_scan_parquet.c - read_parquet('glob'): Parquet files as a table.
 *
 * Morsels are row ranges of the files: with several threads and fewer
 * files than 4 per thread, src_init reads the footers and cuts the files
 * (pq_reader_split: row groups, or page-aligned slices of them); else a
 * morsel is a file.  Each thread claims the next morsel, reads the
 * projected columns of its rows (row-group skipping from the pushed-down
 * predicates) and filters/projects its batches.  Every file must have the
 * columns the first file had (the binder took the schema from it).
 */
#include <stdatomic.h>
#include <string.h>

#include "sql/exec/join_filter.h"
#include "sql/exec/ops.h"
#include "sql/exec/scan_skips.h"

typedef struct ScanPq {
    PhysOp op;
    ScanSpec spec;
    const char **col_names;
    ScanMorsels morsels;
    bool ready;
    atomic_uint next_morsel;
    ScanSkips skips;            /* EXPLAIN ANALYZE */
} ScanPq;

typedef struct Local {
    ScanSkips *skips;
    PqReader *r;
    Batch batch;
    bool batch_ok;
    ScanOut so;
} Local;

static int src_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    ScanPq *s = (ScanPq *)op;
    const LogicalOp *g = s->spec.get;
    uint32_t nf = g->u.get.n_files, threads = x->n_threads ? x->n_threads : 1;
    if (s->ready)
        return 0;
    int64_t whole[2] = {0, 0};
    int rc = 0;
    if (threads == 1 || nf >= 4 * threads) {
        for (uint32_t f = 0; f < nf && rc == 0; f++)
            rc = scan_morsels_add(&s->morsels, f, whole, 1, err);
    } else {
        /* footers: total rows first (the morsel size), then the cuts */
        int64_t total = 0;
        for (uint32_t f = 0; f < nf && rc == 0; f++) {
            PqReader *r = pq_reader_open(g->u.get.files[f], NULL, err);
            if (!r)
                return err->kind ? err->kind : TARN_ERR_IO;
            total += pq_reader_num_rows(r);
            pq_reader_close(r);
        }
        int64_t target = scan_morsel_rows(total, threads);
        for (uint32_t f = 0; f < nf && rc == 0; f++) {
            PqReader *r = pq_reader_open(g->u.get.files[f], NULL, err);
            if (!r)
                return err->kind ? err->kind : TARN_ERR_IO;
            int64_t *ranges = NULL;
            size_t n = 0;
            rc = pq_reader_split(r, target, &ranges, &n, err);
            pq_reader_close(r);
            if (!rc)
                rc = scan_morsels_add(&s->morsels, f, ranges, n, err);
            tarn_free(ranges);
        }
    }
    if (rc)
        return rc;
    s->ready = true;
    atomic_store(&s->skips.ran, true);
    atomic_init(&s->next_morsel, 0);
    return 0;
}

static uint32_t src_parallelism(PhysOp *op)
{
    ScanPq *s = (ScanPq *)op;
    return s->morsels.n ? s->morsels.n : 1;
}

static int src_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    ScanPq *s = (ScanPq *)op;
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
    if (l->r) {
        PqReadStats rs;
        pq_reader_stats(l->r, &rs);
        scan_skips_add(l->skips, &rs);
        pq_reader_close(l->r);
    }
    l->r = NULL;
}

static int src_next(PhysOp *op, ExecCtx *x, void *local, Chunk *out, TarnError *err)
{
    (void)x;
    ScanPq *s = (ScanPq *)op;
    Local *l = local;
    const LogicalOp *g = s->spec.get;
    for (;;) {
        if (!l->r) {
            uint32_t mi = atomic_fetch_add(&s->next_morsel, 1);
            if (mi >= s->morsels.n) {
                out->n_rows = 0;
                return 0;
            }
            uint32_t i = s->morsels.m[mi].file;
            PqReadOptions o;
            pq_read_options_default(&o);
            o.columns = s->col_names;
            o.n_columns = (int)s->spec.n_read;
            o.preds = s->spec.preds;
            o.n_preds = (int)s->spec.n_preds;
            o.row_begin = s->morsels.m[mi].begin;
            o.row_end = s->morsels.m[mi].end;
            l->r = pq_reader_open(g->u.get.files[i], &o, err);
            if (!l->r)
                return err->kind ? err->kind : TARN_ERR_IO;
            const Schema *rs = pq_reader_schema(l->r);
            for (uint32_t c = 0; c < s->spec.n_read; c++) {
                const LogicalType *want = &g->u.get.schema->fields[s->spec.read_cols[c]].type;
                if (c >= rs->n_fields || !type_equal(&rs->fields[c].type, want))
                    return err_set_state(err, TARN_ERR_TYPE, "42804",
                                         "file \"%s\" does not match the schema of \"%s\" (column \"%s\")",
                                         g->u.get.files[i], g->u.get.files[0], s->col_names[c]);
            }
            if (batch_init(&l->batch, rs))
                return ERR_NOMEM(err, 0);
            l->batch_ok = true;
        }
        batch_reset(&l->batch);
        int rc = pq_reader_next(l->r, &l->batch, err);
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

static void explain(PhysOp *op, Buf *out)
{
    ScanPq *s = (ScanPq *)op;
    const LogicalOp *g = s->spec.get;
    buf_printf(out, " on %s (%u file%s", g->u.get.files[0], g->u.get.n_files, g->u.get.n_files == 1 ? "" : "s");
    if (s->morsels.n > g->u.get.n_files)
        buf_printf(out, ", %u morsels", s->morsels.n);
    scan_skips_explain(&s->skips, out);
    buf_printf(out, ")");
    if (s->spec.filter) {
        buf_printf(out, " filter: ");
        expr_to_text(s->spec.filter, out);
    }
    join_filter_explain(s->spec.jf, s->col_names, out);
}

static bool push_join_filter(PhysOp *op, uint32_t col, JoinFilter *f, Arena *a)
{
    ScanPq *s = (ScanPq *)op;
    return join_filter_use_add(&s->spec.jf, s->spec.out_pos[col], f, a);
}

static void destroy(PhysOp *op)
{
    scan_morsels_free(&((ScanPq *)op)->morsels);
}

static const PhysOpVT vt = {
    .name = "Parquet Scan",
    .push_join_filter = push_join_filter,
    .destroy = destroy,
    .src_init = src_init,
    .src_parallelism = src_parallelism,
    .src_local_init = src_local_init,
    .src_next = src_next,
    .src_local_free = src_local_free,
    .explain = explain,
};

PhysOp *op_scan_parquet_new(Arena *a, const ScanSpec *spec, TarnError *err)
{
    ScanPq *s = arena_calloc(a, sizeof *s);
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
