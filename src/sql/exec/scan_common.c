/*
 * scan_common.c - what every scan does to a decoded batch: evaluate the
 * pushed-down filter and hand out only the projected columns (ops.h,
 * ScanOut).  Without a filter the output points at the batch's vectors
 * (no copy); with one, the surviving rows are gathered.  Also the morsel
 * lists of the file scans (ScanMorsels).
 */
#include <string.h>

#include "sql/exec/expr.h"
#include "sql/exec/join_filter.h"
#include "sql/exec/ops.h"

int scan_out_init(ScanOut *so, const ScanSpec *spec, ExecCtx *x, const uint32_t *batch_col, TarnError *err)
{
    memset(so, 0, sizeof *so);
    so->spec = spec;
    so->batch_col = batch_col;
    uint32_t nr = spec->n_read ? spec->n_read : 1, no = spec->n_out ? spec->n_out : 1;
    so->inp = tarn_calloc(nr, sizeof(Vector *));
    so->outp = tarn_calloc(no, sizeof(Vector *));
    so->outv = tarn_calloc(no, sizeof(Vector));
    so->sel = tarn_malloc(VEC_BATCH_ROWS * sizeof(uint32_t));
    if (!so->inp || !so->outp || !so->outv || !so->sel)
        goto nomem;
    for (uint32_t i = 0; i < spec->n_out; i++) {
        uint32_t c = spec->read_cols[spec->out_pos[i]];
        if (vec_init(&so->outv[i], &spec->get->u.get.schema->fields[c].type))
            goto nomem;
    }
    if (spec->filter) {
        so->jf_first_ok = expr_never_fails(spec->filter);
        so->filter = expr_state_new(spec->filter, x->settings, x->params, err);
        if (!so->filter) {
            scan_out_free(so);
            return err->kind;
        }
    }
    if (spec->jf && !(so->jfl = join_filter_local_new(spec->jf)))
        goto nomem;
    return 0;
nomem:
    scan_out_free(so);
    return ERR_NOMEM(err, 0);
}

void scan_out_free(ScanOut *so)
{
    if (so->outv)
        for (uint32_t i = 0; i < so->spec->n_out; i++)
            vec_destroy(&so->outv[i]);
    tarn_free(so->outv);
    tarn_free(so->outp);
    tarn_free(so->inp);
    tarn_free(so->sel);
    expr_state_free(so->filter);
    join_filter_local_free(so->jfl);
    memset(so, 0, sizeof *so);
}

int scan_out_emit(ScanOut *so, const Batch *b, Chunk *out, TarnError *err)
{
    const ScanSpec *sp = so->spec;
    uint32_t n = b->n_rows;
    for (uint32_t i = 0; i < sp->n_read; i++)
        so->inp[i] = &b->cols[so->batch_col ? so->batch_col[i] : i];
    so->in.n_rows = n;
    so->in.n_cols = sp->n_read;
    so->in.cols = so->inp;
    out->n_cols = sp->n_out;
    out->cols = so->outp;
    if (!so->filter && !so->jfl) {
        for (uint32_t i = 0; i < sp->n_out; i++)
            so->outp[i] = so->inp[sp->out_pos[i]];
        out->n_rows = n;
        return 0;
    }
    if (n > VEC_BATCH_ROWS) {
        uint32_t *s = tarn_realloc(so->sel, n * sizeof(uint32_t));
        if (!s)
            return ERR_NOMEM(err, n);
        so->sel = s;
    }
    uint32_t k = n;
    int rc;
    /* Which runs first: the join filters hash every row of the batch
     * whatever runs before them, so once they have dropped most of the
     * rows they saw (3 in 4), they go first and the filter (string
     * compares, functions) evaluates only the rows they keep.  Either
     * order keeps the same rows; only a filter that cannot fail moves
     * (PostgreSQL evaluates a scan's filter on every row, so an error it
     * raises must not be skipped). */
    bool jf_first = so->jfl && so->filter && so->jf_first_ok && so->jf_in >= VEC_BATCH_ROWS &&
                    so->jf_out * 4 < so->jf_in;
    if (jf_first) {
        bool all = true;
        if ((rc = join_filter_select(so->jfl, sp->jf, &so->in, n, so->sel, &k, &all)))
            return ERR_NOMEM(err, n);
        if (all)
            k = n;
        so->jf_in += n;
        so->jf_out += k;
        /* In place: select_rows writes sel_out[j] only after reading sel[j]. */
        if (k && (rc = expr_select(so->filter, &so->in, all ? NULL : so->sel, k, so->sel, &k, err)))
            return rc;
    } else {
        if (so->filter && (rc = expr_select(so->filter, &so->in, NULL, n, so->sel, &k, err)))
            return rc;
        if (so->jfl) {
            bool all = k == n;
            uint32_t before = k;
            if ((rc = join_filter_select(so->jfl, sp->jf, &so->in, n, so->sel, &k, &all)))
                return ERR_NOMEM(err, n);
            if (all)
                k = n;
            so->jf_in += before;
            so->jf_out += k;
        }
    }
    if (k == n) {
        for (uint32_t i = 0; i < sp->n_out; i++)
            so->outp[i] = so->inp[sp->out_pos[i]];
        out->n_rows = n;
        return 0;
    }
    for (uint32_t i = 0; i < sp->n_out; i++) {
        if (vec_gather(&so->outv[i], so->inp[sp->out_pos[i]], so->sel, k))
            return ERR_NOMEM(err, k);
        so->outp[i] = &so->outv[i];
    }
    out->n_rows = k;
    return 0;
}

/* ---- Morsels -------------------------------------------------------------------------- */

int64_t scan_morsel_rows(int64_t total_rows, uint32_t threads)
{
    const int64_t lo = 131072, hi = 524288;
    if (total_rows < 0)
        return hi;
    int64_t t = total_rows / ((int64_t)(threads ? threads : 1) * 8);
    return t < lo ? lo : t > hi ? hi : t;
}

int scan_morsels_add(ScanMorsels *ms, uint32_t f, const int64_t *ranges, size_t n, TarnError *err)
{
    for (size_t i = 0; i < n; i++) {
        if (ms->n == ms->cap) {
            uint32_t cap = ms->cap ? ms->cap * 2 : 64;
            ScanMorsel *p = tarn_realloc(ms->m, cap * sizeof *p);
            if (!p)
                return ERR_NOMEM(err, cap * sizeof *p);
            ms->m = p;
            ms->cap = cap;
        }
        ms->m[ms->n].file = f;
        ms->m[ms->n].begin = ranges[2 * i];
        ms->m[ms->n].end = ranges[2 * i + 1];
        ms->n++;
    }
    return 0;
}

void scan_morsels_free(ScanMorsels *ms)
{
    tarn_free(ms->m);
    memset(ms, 0, sizeof *ms);
}
