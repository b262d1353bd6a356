/*
 * op_values.c - constant rows: VALUES lists, SELECT without FROM (one row
 * of no columns) and provably empty results (no rows).  The rows are
 * evaluated once, when the pipeline starts, into a collection.
 */
#include <string.h>

#include "sql/exec/ops.h"
#include "sql/func/cast.h"

typedef struct Values {
    PhysOp op;
    Expr ***rows;
    uint32_t n_rows, n_cols;
    Collection coll;
    bool built;
    atomic_uint next_chunk;
} Values;

typedef struct Local {
    Vector *vecs;
    Vector **ptrs;
} Local;

static int src_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    Values *v = (Values *)op;
    if (v->built)
        return 0;
    atomic_init(&v->next_chunk, 0);
    coll_init(&v->coll, v->n_cols, op->out_types);
    v->built = true;
    if (v->n_cols == 0)
        return 0;
    Vector *cols = tarn_calloc(v->n_cols, sizeof(Vector));
    Vector **ptrs = tarn_calloc(v->n_cols, sizeof(Vector *));
    int rc = 0;
    if (!cols || !ptrs) {
        rc = ERR_NOMEM(err, 0);
        goto done;
    }
    for (uint32_t c = 0; c < v->n_cols; c++) {
        if (vec_init(&cols[c], &op->out_types[c])) {
            rc = ERR_NOMEM(err, 0);
            goto done;
        }
        ptrs[c] = &cols[c];
    }
    for (uint32_t r = 0; r < v->n_rows && !rc; r++) {
        for (uint32_t c = 0; c < v->n_cols; c++) {
            Value val;
            vec_reset(&cols[c]);
            if (type_is_nested(op->out_types[c].id)) {
                /* arrays (ARRAY[...], '{..}'::int[]) have no Value form: evaluate on one row */
                ExprState *es = expr_state_new(v->rows[r][c], x->settings, NULL, err);
                Chunk one = {1, 0, NULL};
                Vector *res;
                if (!es)
                    rc = err->kind ? err->kind : ERR_NOMEM(err, 0);
                else if (!(rc = expr_eval(es, &one, NULL, 1, &res, err)) && vec_append_from(&cols[c], res, 0))
                    rc = ERR_NOMEM(err, 0);
                expr_state_free(es);
                if (rc)
                    goto done;
                continue;
            }
            if ((rc = expr_eval_const(v->rows[r][c], x->settings, x->arena, &val, err)))
                goto done;
            if (value_to_vector(&val, &op->out_types[c], &cols[c]) && vec_set_null(&cols[c], 0)) {
                rc = ERR_NOMEM(err, 0);
                goto done;
            }
        }
        Chunk ch = {1, v->n_cols, ptrs};
        rc = coll_append(&v->coll, &ch, NULL, 1, err);
    }
done:
    if (cols)
        for (uint32_t c = 0; c < v->n_cols; c++)
            vec_destroy(&cols[c]);
    tarn_free(cols);
    tarn_free(ptrs);
    return rc;
}

static int src_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    (void)x;
    Values *v = (Values *)op;
    Local *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    l->ptrs = tarn_calloc(v->n_cols ? v->n_cols : 1, sizeof(Vector *));
    if (!l->ptrs) {
        tarn_free(l);
        return ERR_NOMEM(err, 0);
    }
    *local = l;
    return 0;
}

static int src_next(PhysOp *op, ExecCtx *x, void *local, Chunk *out, TarnError *err)
{
    (void)x; (void)err;
    Values *v = (Values *)op;
    Local *l = local;
    uint32_t i = atomic_fetch_add(&v->next_chunk, 1);
    out->n_rows = 0;
    out->n_cols = v->n_cols;
    out->cols = l->ptrs;
    if (v->n_cols == 0) {
        if (i == 0)
            out->n_rows = v->n_rows;
        return 0;
    }
    if (i >= v->coll.n_chunks)
        return 0;
    CollChunk *k = &v->coll.chunks[i];
    for (uint32_t c = 0; c < v->n_cols; c++)
        l->ptrs[c] = &k->cols[c];
    out->n_rows = k->n_rows;
    return 0;
}

static void src_local_free(PhysOp *op, void *local)
{
    (void)op;
    Local *l = local;
    tarn_free(l->ptrs);
    tarn_free(l);
}

static void destroy(PhysOp *op)
{
    Values *v = (Values *)op;
    if (v->built)
        coll_free(&v->coll);
    v->built = false;
}

static void explain(PhysOp *op, Buf *out)
{
    Values *v = (Values *)op;
    if (v->n_cols)
        buf_printf(out, " (%u row%s)", v->n_rows, v->n_rows == 1 ? "" : "s");
}

static const PhysOpVT vt = {
    .name = "Values",
    .src_init = src_init,
    .src_local_init = src_local_init,
    .src_next = src_next,
    .src_local_free = src_local_free,
    .destroy = destroy,
    .explain = explain,
};
static const PhysOpVT vt_result = {
    .name = "Result",
    .src_init = src_init,
    .src_local_init = src_local_init,
    .src_next = src_next,
    .src_local_free = src_local_free,
    .destroy = destroy,
};

PhysOp *op_values_new(Arena *a, Expr ***rows, uint32_t n_rows, uint32_t n_cols, const LogicalType *types, TarnError *err)
{
    Values *v = arena_calloc(a, sizeof *v);
    if (!v) {
        ERR_NOMEM(err, sizeof *v);
        return NULL;
    }
    v->rows = rows;
    v->n_rows = n_rows;
    v->n_cols = n_cols;
    physop_init(&v->op, n_cols ? &vt : &vt_result, ROLE_SOURCE, n_cols, types);
    v->op.est_rows = n_rows;
    return &v->op;
}
