/*
 * op_result.c - the final sink of a query: collects every row into a
 * collection (thread-local while running, moved into the global one on
 * combine, so the order of a single-threaded source - a sort - is kept).
 * Also gives init plans (uncorrelated subqueries) their value.
 */
#include <string.h>

#include "sql/exec/ops.h"
#include "sql/exec/spill.h"
#include "sql/func/cast.h"

typedef struct Result {
    PhysOp op;
    int64_t max_rows;
    Collection rows;
    bool ready;
    atomic_llong seen;
} Result;

static int sink_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x; (void)err;
    Result *r = (Result *)op;
    coll_init(&r->rows, op->n_out, op->out_types);
    atomic_init(&r->seen, 0);
    r->ready = true;
    return 0;
}

static int sink_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    (void)x;
    if (!(*local = coll_new(op->n_out, op->out_types, err)))
        return err->kind;
    return 0;
}

static int sink(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, bool *done, TarnError *err)
{
    Result *r = (Result *)op;
    uint32_t n = in->n_rows;
    if (r->max_rows >= 0) {
        long long before = atomic_fetch_add(&r->seen, n);
        if (before >= r->max_rows) {
            *done = true;
            return 0;
        }
        if (before + n > r->max_rows)
            n = (uint32_t)(r->max_rows - before);
        if (before + in->n_rows >= r->max_rows)
            *done = true;
    }
    /* the rows are kept: they count against memory_limit (spill.h) */
    Collection *c = local;
    uint64_t had = c->mem_bytes;
    int rc = coll_append(c, in, NULL, n, err);
    if (!rc && !exec_mem_try(x, (int64_t)(c->mem_bytes - had), x->mem_budget))
        rc = exec_mem_error(x, "The query's result", err);
    return rc;
}

static int sink_combine(PhysOp *op, ExecCtx *x, void *local, TarnError *err)
{
    (void)x;
    return coll_move(&((Result *)op)->rows, local, err);
}

static void destroy(PhysOp *op)
{
    Result *r = (Result *)op;
    if (r->ready)
        coll_free(&r->rows);
    r->ready = false;
}

static const PhysOpVT vt = {
    .name = "Result",
    .sink_init = sink_init,
    .sink_local_init = sink_local_init,
    .sink = sink,
    .sink_combine = sink_combine,
    .sink_local_free = op_coll_local_free,
    .destroy = destroy,
};

PhysOp *op_result_new(Arena *a, PhysOp *child, int64_t max_rows, TarnError *err)
{
    Result *r = arena_calloc(a, sizeof *r);
    if (!r) {
        ERR_NOMEM(err, sizeof *r);
        return NULL;
    }
    r->max_rows = max_rows;
    physop_init(&r->op, &vt, ROLE_BREAKER, child->n_out, child->out_types);
    r->op.out_names = child->out_names;
    r->op.n_children = 1;
    r->op.children[0] = child;
    r->op.est_rows = child->est_rows;
    return &r->op;
}

Collection *op_result_rows(PhysOp *op)
{
    Result *r = (Result *)op;
    return r->ready ? &r->rows : NULL;
}

int op_result_init_value(PhysOp *op, SubqKind kind, Arena *a, Value *out, TarnError *err)
{
    Result *r = (Result *)op;
    memset(out, 0, sizeof *out);
    if (kind == SUBQ_EXISTS) {
        out->type = TYPE_BOOL;
        out->v.b = r->ready && r->rows.n_rows > 0;
        return 0;
    }
    if (!r->ready || r->rows.n_rows == 0) {
        *out = value_null();
        return 0;
    }
    if (r->rows.n_rows > 1)
        return err_set_state(err, TARN_ERR_INVALID, "21000", "more than one row returned by a subquery used as an expression");
    /* first row's first column, copied out of the collection (a nested
     * value - an array - stays borrowed from it: the init plan lives as
     * long as the statement's plan) */
    CollChunk *k = NULL;
    for (uint32_t i = 0; i < r->rows.n_chunks; i++)
        if (r->rows.chunks[i].n_rows) {
            k = &r->rows.chunks[i];
            break;
        }
    if (!k)
        return ERR_INTERNAL(err, "empty chunk list");
    vector_get_value(&k->cols[0], 0, out);
    if (!out->is_null && type_is_string_like(out->type)) {
        char *p = arena_alloc(a, out->v.s.len + 1);
        if (!p)
            return ERR_NOMEM(err, out->v.s.len);
        memcpy(p, out->v.s.ptr, out->v.s.len);
        out->v.s.ptr = p;
    }
    return 0;
}
