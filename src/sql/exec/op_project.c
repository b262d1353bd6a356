/*
 * op_project.c - computes the output columns from expressions.  Column
 * references pass the input vector through untouched; constants are
 * expanded to flat vectors (chunks between operators are flat).
 */
#include "sql/exec/join_filter.h"
#include "sql/exec/ops.h"

typedef struct Project {
    PhysOp op;
    Expr **exprs;
    uint32_t n;
} Project;

typedef struct Local {
    ExprState **st;
    Vector *flat;
    Vector **ptrs;
} Local;

static void local_free(PhysOp *op, void *local)
{
    Project *p = (Project *)op;
    Local *l = local;
    for (uint32_t i = 0; i < p->n; i++) {
        if (l->st)
            expr_state_free(l->st[i]);
        if (l->flat)
            vec_destroy(&l->flat[i]);
    }
    tarn_free(l->st);
    tarn_free(l->flat);
    tarn_free(l->ptrs);
    tarn_free(l);
}

static int local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    Project *p = (Project *)op;
    Local *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    uint32_t n = p->n ? p->n : 1;
    l->st = tarn_calloc(n, sizeof(ExprState *));
    l->flat = tarn_calloc(n, sizeof(Vector));
    l->ptrs = tarn_calloc(n, sizeof(Vector *));
    if (!l->st || !l->flat || !l->ptrs) {
        local_free(op, l);
        return ERR_NOMEM(err, 0);
    }
    for (uint32_t i = 0; i < p->n; i++) {
        if (vec_init(&l->flat[i], &p->exprs[i]->type)) {
            local_free(op, l);
            return ERR_NOMEM(err, 0);
        }
        if (!(l->st[i] = expr_state_new(p->exprs[i], x->settings, x->params, err))) {
            local_free(op, l);
            return err->kind;
        }
    }
    *local = l;
    return 0;
}

static int exec(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, Chunk *out, bool *more, TarnError *err)
{
    (void)x;
    Project *p = (Project *)op;
    Local *l = local;
    *more = false;
    for (uint32_t i = 0; i < p->n; i++) {
        Vector *v;
        int rc = expr_eval(l->st[i], in, NULL, in->n_rows, &v, err);
        if (rc)
            return rc;
        if (v->is_const) {
            if (vec_gather(&l->flat[i], v, NULL, in->n_rows))
                return ERR_NOMEM(err, in->n_rows);
            v = &l->flat[i];
        }
        l->ptrs[i] = v;
    }
    out->n_rows = in->n_rows;
    out->n_cols = p->n;
    out->cols = l->ptrs;
    return 0;
}

static void explain(PhysOp *op, Buf *out)
{
    Project *p = (Project *)op;
    buf_printf(out, ": ");
    for (uint32_t i = 0; i < p->n; i++) {
        if (i)
            buf_printf(out, ", ");
        expr_to_text(p->exprs[i], out);
    }
}

/* A column reference passes its input through: a join filter on it goes
 * on to the child. */
static bool push_join_filter(PhysOp *op, uint32_t col, JoinFilter *f, Arena *a)
{
    Project *p = (Project *)op;
    const Expr *e = p->exprs[col];
    return e->kind == EX_COLREF && join_filter_push(op->children[0], e->u.col.idx, f, a);
}

static const PhysOpVT vt = {
    .name = "Projection",
    .push_join_filter = push_join_filter,
    .op_local_init = local_init,
    .op_exec = exec,
    .op_local_free = local_free,
    .explain = explain,
};

PhysOp *op_project_new(Arena *a, PhysOp *child, Expr **exprs, uint32_t n, TarnError *err)
{
    Project *p = arena_calloc(a, sizeof *p);
    LogicalType *types = arena_alloc(a, (n ? n : 1) * sizeof(LogicalType));
    if (!p || !types) {
        ERR_NOMEM(err, sizeof *p);
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++)
        types[i] = exprs[i]->type;
    p->exprs = exprs;
    p->n = n;
    physop_init(&p->op, &vt, ROLE_STREAM, n, types);
    p->op.n_children = 1;
    p->op.children[0] = child;
    p->op.est_rows = child->est_rows;
    return &p->op;
}
