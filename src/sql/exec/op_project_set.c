/*
 * op_project_set.c - set-returning functions in the select list
 * (LOP_PROJECT_SET; PostgreSQL's ProjectSet).
 *
 * Output: the input columns followed by one column per call.  For every
 * input row the calls run in lockstep (PostgreSQL 10+): the row yields
 * max(count of each call) rows, repeating the input columns, each call's
 * column holding its k-th value or NULL once that call is exhausted; a
 * row for which every call yields nothing disappears.
 *
 * Vectorized: per input chunk the arguments are evaluated once and each
 * call's count kernel gives the rows per input row; output chunks are
 * then cut from the (input row, value number) sequence and each call's
 * fill kernel writes the values of a whole output chunk at once (func.h,
 * FUNC_SRF).  A chunk whose rows fan out to more than one output chunk is
 * continued through op_exec's `more`.
 */
#include <string.h>

#include "sql/exec/ops.h"

typedef struct ProjectSet {
    PhysOp op;
    uint32_t n_in;          /* input columns passed through */
    Expr **calls;           /* EX_FUNC of FUNC_SRF kind, args resolved against the input */
    uint32_t n_calls;
} ProjectSet;

typedef struct Call {
    ExprState **st;         /* one per argument */
    Vector *flat;           /* constants expanded (kernels without FUNC_CONST_ARGS) */
    Vector **argv;
    const LogicalType **arg_types;
    FuncCtx fctx;
    int64_t *counts;        /* per input row */
    Vector res, tmp;
    uint32_t *srows, *spos;
    int64_t *sidx;
} Call;

typedef struct Local {
    Call *calls;
    Arena scratch;
    int64_t *total;         /* per input row: max of the calls' counts */
    uint32_t cap_rows;
    uint32_t cur_row;
    int64_t cur_idx;
    bool pending;           /* the current input has rows left */
    uint32_t *orows;        /* per output row: input row, value number */
    int64_t *oidx;
    Vector *pass;
    Vector **ptrs;
} Local;

static void local_free(PhysOp *op, void *local)
{
    ProjectSet *p = (ProjectSet *)op;
    Local *l = local;
    if (!l)
        return;
    for (uint32_t c = 0; l->calls && c < p->n_calls; c++) {
        Call *k = &l->calls[c];
        uint32_t na = p->calls[c]->n_args;
        for (uint32_t i = 0; i < na; i++) {
            if (k->st)
                expr_state_free(k->st[i]);
            if (k->flat)
                vec_destroy(&k->flat[i]);
        }
        tarn_free(k->st);
        tarn_free(k->flat);
        tarn_free(k->argv);
        tarn_free(k->arg_types);
        tarn_free(k->counts);
        tarn_free(k->srows);
        tarn_free(k->spos);
        tarn_free(k->sidx);
        vec_destroy(&k->res);
        vec_destroy(&k->tmp);
    }
    for (uint32_t i = 0; l->pass && i < p->n_in; i++)
        vec_destroy(&l->pass[i]);
    tarn_free(l->calls);
    tarn_free(l->total);
    tarn_free(l->orows);
    tarn_free(l->oidx);
    tarn_free(l->pass);
    tarn_free(l->ptrs);
    arena_free(&l->scratch);
    tarn_free(l);
}

static int local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    ProjectSet *p = (ProjectSet *)op;
    Local *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    arena_init(&l->scratch, 0);
    l->calls = tarn_calloc(p->n_calls ? p->n_calls : 1, sizeof(Call));
    l->orows = tarn_malloc(VEC_BATCH_ROWS * sizeof(uint32_t));
    l->oidx = tarn_malloc(VEC_BATCH_ROWS * sizeof(int64_t));
    l->pass = tarn_calloc(p->n_in ? p->n_in : 1, sizeof(Vector));
    l->ptrs = tarn_calloc(p->n_in + p->n_calls, sizeof(Vector *));
    if (!l->calls || !l->orows || !l->oidx || !l->pass || !l->ptrs) {
        local_free(op, l);
        return ERR_NOMEM(err, 0);
    }
    for (uint32_t i = 0; i < p->n_in; i++)
        if (vec_init(&l->pass[i], &op->out_types[i])) {
            local_free(op, l);
            return ERR_NOMEM(err, 0);
        }
    for (uint32_t c = 0; c < p->n_calls; c++) {
        Call *k = &l->calls[c];
        const Expr *e = p->calls[c];
        uint32_t na = e->n_args ? e->n_args : 1;
        k->st = tarn_calloc(na, sizeof(ExprState *));
        k->flat = tarn_calloc(na, sizeof(Vector));
        k->argv = tarn_calloc(na, sizeof(Vector *));
        k->arg_types = tarn_calloc(na, sizeof(LogicalType *));
        k->srows = tarn_malloc(VEC_BATCH_ROWS * sizeof(uint32_t));
        k->spos = tarn_malloc(VEC_BATCH_ROWS * sizeof(uint32_t));
        k->sidx = tarn_malloc(VEC_BATCH_ROWS * sizeof(int64_t));
        if (!k->st || !k->flat || !k->argv || !k->arg_types || !k->srows || !k->spos || !k->sidx ||
            vec_init(&k->res, &e->type) || vec_init(&k->tmp, &e->type)) {
            local_free(op, l);
            return ERR_NOMEM(err, 0);
        }
        for (uint32_t i = 0; i < e->n_args; i++) {
            k->arg_types[i] = &e->args[i]->type;
            if (vec_init(&k->flat[i], &e->args[i]->type)) {
                local_free(op, l);
                return ERR_NOMEM(err, 0);
            }
            if (!(k->st[i] = expr_state_new(e->args[i], x->settings, x->params, err))) {
                local_free(op, l);
                return err->kind;
            }
        }
        k->fctx.def = e->u.func.def;
        k->fctx.ret = &e->type;
        k->fctx.arg_types = k->arg_types;
        k->fctx.n_args = e->n_args;
        k->fctx.bind_state = e->u.func.bind_state;
        k->fctx.settings = x->settings;
        k->fctx.scratch = &l->scratch;
        k->fctx.arena = &l->scratch;
    }
    *local = l;
    return 0;
}

/* A new input chunk: arguments, counts, rows per input row. */
static int start_input(ProjectSet *p, Local *l, const Chunk *in, TarnError *err)
{
    uint32_t n = in->n_rows;
    if (n > l->cap_rows) {
        uint32_t cap = n < VEC_BATCH_ROWS ? VEC_BATCH_ROWS : n;
        int64_t *t = tarn_realloc(l->total, cap * sizeof(int64_t));
        if (!t)
            return ERR_NOMEM(err, cap);
        l->total = t;
        for (uint32_t c = 0; c < p->n_calls; c++) {
            int64_t *cn = tarn_realloc(l->calls[c].counts, cap * sizeof(int64_t));
            if (!cn)
                return ERR_NOMEM(err, cap);
            l->calls[c].counts = cn;
        }
        l->cap_rows = cap;
    }
    for (uint32_t i = 0; i < n; i++)
        l->total[i] = 0;
    arena_reset(&l->scratch);
    for (uint32_t c = 0; c < p->n_calls; c++) {
        Call *k = &l->calls[c];
        const Expr *e = p->calls[c];
        bool const_ok = (e->u.func.def->flags & FUNC_CONST_ARGS) != 0;
        for (uint32_t i = 0; i < e->n_args; i++) {
            Vector *v;
            int rc = expr_eval(k->st[i], in, NULL, n, &v, err);
            if (rc)
                return rc;
            if (v->is_const && !const_ok) {
                if (vec_gather(&k->flat[i], v, NULL, n))
                    return ERR_NOMEM(err, n);
                v = &k->flat[i];
            }
            k->argv[i] = v;
        }
        int rc = e->u.func.def->srf_count(&k->fctx, k->argv, e->n_args, n, k->counts, err);
        if (rc)
            return rc;
        for (uint32_t i = 0; i < n; i++)
            if (k->counts[i] > l->total[i])
                l->total[i] = k->counts[i];
    }
    l->cur_row = 0;
    l->cur_idx = 0;
    return 0;
}

static int exec(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, Chunk *out, bool *more, TarnError *err)
{
    (void)x;
    ProjectSet *p = (ProjectSet *)op;
    Local *l = local;
    int rc;
    *more = false;
    out->n_rows = 0;
    if (!l->pending && (rc = start_input(p, l, in, err)))
        return rc;
    /* the next output rows: (input row, value number) pairs */
    uint32_t n = 0;
    while (n < VEC_BATCH_ROWS && l->cur_row < in->n_rows) {
        int64_t left = l->total[l->cur_row] - l->cur_idx;
        int64_t m = left < (int64_t)(VEC_BATCH_ROWS - n) ? left : (int64_t)(VEC_BATCH_ROWS - n);
        for (int64_t t = 0; t < m; t++) {
            l->orows[n] = l->cur_row;
            l->oidx[n++] = l->cur_idx++;
        }
        if (l->cur_idx >= l->total[l->cur_row]) {
            l->cur_row++;
            l->cur_idx = 0;
        }
    }
    /* skip trailing rows that produce nothing, so `more` means output */
    while (l->cur_row < in->n_rows && l->total[l->cur_row] == 0)
        l->cur_row++;
    l->pending = l->cur_row < in->n_rows;
    *more = l->pending;
    if (n == 0)
        return 0;
    for (uint32_t i = 0; i < p->n_in; i++) {
        if (vec_gather(&l->pass[i], in->cols[i], l->orows, n))
            return ERR_NOMEM(err, n);
        l->ptrs[i] = &l->pass[i];
    }
    for (uint32_t c = 0; c < p->n_calls; c++) {
        Call *k = &l->calls[c];
        const Expr *e = p->calls[c];
        uint32_t m = 0;
        for (uint32_t j = 0; j < n; j++)
            if (l->oidx[j] < k->counts[l->orows[j]]) {
                k->srows[m] = l->orows[j];
                k->sidx[m] = l->oidx[j];
                k->spos[m++] = j;
            }
        Vector *dst = m == n ? &k->res : &k->tmp;
        if (vec_prepare(dst, m))
            return ERR_NOMEM(err, m);
        if (m && (rc = e->u.func.def->srf_fill(&k->fctx, k->argv, e->n_args, k->srows, k->sidx, m, dst, err)))
            return rc;
        if (m < n) {
            /* this call is exhausted for some rows: NULL there */
            if (vec_prepare(&k->res, n))
                return ERR_NOMEM(err, n);
            if (vec_scatter(&k->res, &k->tmp, k->spos, m))
                return ERR_NOMEM(err, n);
            for (uint32_t j = 0, s = 0; j < n; j++) {
                if (s < m && k->spos[s] == j) {
                    s++;
                    continue;
                }
                if (vec_set_null(&k->res, j))
                    return ERR_NOMEM(err, n);
            }
        }
        k->res.len = n;
        l->ptrs[p->n_in + c] = &k->res;
    }
    out->n_rows = n;
    out->n_cols = p->n_in + p->n_calls;
    out->cols = l->ptrs;
    return 0;
}

static void explain(PhysOp *op, Buf *out)
{
    ProjectSet *p = (ProjectSet *)op;
    buf_printf(out, ": ");
    for (uint32_t i = 0; i < p->n_calls; i++) {
        if (i)
            buf_printf(out, ", ");
        expr_to_text(p->calls[i], out);
    }
}

static const PhysOpVT vt = {
    .name = "ProjectSet",
    .op_local_init = local_init,
    .op_exec = exec,
    .op_local_free = local_free,
    .explain = explain,
};

PhysOp *op_project_set_new(Arena *a, PhysOp *child, Expr **calls, uint32_t n_calls, TarnError *err)
{
    ProjectSet *p = arena_calloc(a, sizeof *p);
    uint32_t n_out = child->n_out + n_calls;
    LogicalType *types = arena_alloc(a, (n_out ? n_out : 1) * sizeof(LogicalType));
    if (!p || !types) {
        ERR_NOMEM(err, sizeof *p);
        return NULL;
    }
    for (uint32_t i = 0; i < child->n_out; i++)
        types[i] = child->out_types[i];
    for (uint32_t c = 0; c < n_calls; c++)
        types[child->n_out + c] = calls[c]->type;
    p->n_in = child->n_out;
    p->calls = calls;
    p->n_calls = n_calls;
    physop_init(&p->op, &vt, ROLE_STREAM, n_out, types);
    p->op.n_children = 1;
    p->op.children[0] = child;
    p->op.est_rows = child->est_rows >= 0 ? child->est_rows * 10 : -1;
    return &p->op;
}
