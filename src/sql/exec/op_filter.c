/*
 * op_filter.c - WHERE / HAVING: keeps the rows for which the predicate is
 * TRUE.  Conjunctions narrow the selection conjunct by conjunct
 * (expr_select); a chunk that passes whole is forwarded without copying.
 */
#include "sql/exec/join_filter.h"
#include "sql/exec/ops.h"

typedef struct Filter {
    PhysOp op;
    Expr *pred;
} Filter;

typedef struct Local {
    ExprState *st;
    uint32_t *sel;
    Vector *vecs;
    Vector **ptrs;
} Local;

static void local_free(PhysOp *op, void *local)
{
    Local *l = local;
    if (l->vecs)
        for (uint32_t i = 0; i < op->n_out; i++)
            vec_destroy(&l->vecs[i]);
    tarn_free(l->vecs);
    tarn_free(l->ptrs);
    tarn_free(l->sel);
    expr_state_free(l->st);
    tarn_free(l);
}

static int local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    Filter *f = (Filter *)op;
    Local *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    uint32_t n = op->n_out ? op->n_out : 1;
    l->vecs = tarn_calloc(n, sizeof(Vector));
    l->ptrs = tarn_calloc(n, sizeof(Vector *));
    l->sel = tarn_malloc(VEC_BATCH_ROWS * sizeof(uint32_t));
    if (!l->vecs || !l->ptrs || !l->sel) {
        local_free(op, l);
        return ERR_NOMEM(err, 0);
    }
    for (uint32_t i = 0; i < op->n_out; i++)
        if (vec_init(&l->vecs[i], &op->out_types[i])) {
            local_free(op, l);
            return ERR_NOMEM(err, 0);
        }
    l->st = expr_state_new(f->pred, x->settings, x->params, err);
    if (!l->st) {
        local_free(op, l);
        return err->kind;
    }
    *local = l;
    return 0;
}

static int exec(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, Chunk *out, bool *more, TarnError *err)
{
    (void)x;
    Local *l = local;
    *more = false;
    if (in->n_rows > VEC_BATCH_ROWS) {
        uint32_t *s = tarn_realloc(l->sel, in->n_rows * sizeof(uint32_t));
        if (!s)
            return ERR_NOMEM(err, in->n_rows);
        l->sel = s;
    }
    uint32_t k;
    int rc = expr_select(l->st, in, NULL, in->n_rows, l->sel, &k, err);
    if (rc)
        return rc;
    if (k == in->n_rows) {
        *out = *in;
        return 0;
    }
    for (uint32_t i = 0; i < in->n_cols; i++) {
        if (vec_gather(&l->vecs[i], in->cols[i], l->sel, k))
            return ERR_NOMEM(err, k);
        l->ptrs[i] = &l->vecs[i];
    }
    out->n_rows = k;
    out->n_cols = in->n_cols;
    out->cols = l->ptrs;
    return 0;
}

static void explain(PhysOp *op, Buf *out)
{
    buf_printf(out, ": ");
    expr_to_text(((Filter *)op)->pred, out);
}

/* Columns pass through: a join filter goes on to the child. */
static bool push_join_filter(PhysOp *op, uint32_t col, JoinFilter *f, Arena *a)
{
    return join_filter_push(op->children[0], col, f, a);
}

static const PhysOpVT vt = {
    .name = "Filter",
    .push_join_filter = push_join_filter,
    .op_local_init = local_init,
    .op_exec = exec,
    .op_local_free = local_free,
    .explain = explain,
};

PhysOp *op_filter_new(Arena *a, PhysOp *child, Expr *pred, TarnError *err)
{
    Filter *f = arena_calloc(a, sizeof *f);
    if (!f) {
        ERR_NOMEM(err, sizeof *f);
        return NULL;
    }
    f->pred = pred;
    physop_init(&f->op, &vt, ROLE_STREAM, child->n_out, child->out_types);
    f->op.out_names = child->out_names;
    f->op.n_children = 1;
    f->op.children[0] = child;
    f->op.est_rows = child->est_rows >= 0 ? child->est_rows * 0.3 : -1;
    return &f->op;
}
