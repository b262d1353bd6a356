/*
 * op_limit.c - LIMIT / OFFSET without ORDER BY (with ORDER BY the sort
 * does it as a top-N).  A sink that keeps the first offset + limit rows
 * it receives (from any thread) and stops the pipeline when it has them;
 * then a source that emits rows offset .. offset + limit.
 */
#include "sql/exec/ops.h"

typedef struct Limit {
    PhysOp op;
    int64_t limit, offset;
    Collection rows;
    bool ready;
    uint32_t next_chunk;
    uint64_t emitted;
} Limit;

typedef struct Local {
    Vector *vecs;
    Vector **ptrs;
    uint32_t *sel;
} Local;

static int sink_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x; (void)err;
    Limit *l = (Limit *)op;
    coll_init(&l->rows, op->n_out, op->out_types);
    l->ready = true;
    return 0;
}

static int sink(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, bool *done, TarnError *err)
{
    (void)x; (void)local;
    Limit *l = (Limit *)op;
    uint64_t want = l->limit < 0 ? UINT64_MAX : (uint64_t)(l->limit + l->offset);
    int rc = 0;
    pthread_mutex_lock(&op->mu);
    uint64_t have = l->rows.n_rows;
    if (have < want) {
        uint64_t take = want - have;
        if (take > in->n_rows)
            take = in->n_rows;
        rc = coll_append(&l->rows, in, NULL, (uint32_t)take, err);
    }
    *done = l->rows.n_rows >= want;
    pthread_mutex_unlock(&op->mu);
    return rc;
}

static int src_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x; (void)err;
    Limit *l = (Limit *)op;
    l->next_chunk = 0;
    l->emitted = 0;
    return 0;
}

static int src_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    (void)x;
    Local *l = tarn_calloc(1, sizeof *l);
    uint32_t n = op->n_out ? op->n_out : 1;
    if (!l || !(l->vecs = tarn_calloc(n, sizeof(Vector))) || !(l->ptrs = tarn_calloc(n, sizeof(Vector *))) ||
        !(l->sel = tarn_malloc(COLL_CHUNK_ROWS * sizeof(uint32_t)))) {
        if (l) {
            tarn_free(l->vecs);
            tarn_free(l->ptrs);
            tarn_free(l);
        }
        return ERR_NOMEM(err, 0);
    }
    for (uint32_t i = 0; i < op->n_out; i++)
        vec_init(&l->vecs[i], &op->out_types[i]);
    *local = l;
    return 0;
}

static int src_next(PhysOp *op, ExecCtx *x, void *local, Chunk *out, TarnError *err)
{
    (void)x;
    Limit *lim = (Limit *)op;
    Local *l = local;
    out->n_rows = 0;
    out->n_cols = op->n_out;
    out->cols = l->ptrs;
    uint64_t skip = (uint64_t)lim->offset;
    while (lim->next_chunk < lim->rows.n_chunks) {
        CollChunk *k = &lim->rows.chunks[lim->next_chunk++];
        uint64_t start = lim->emitted, end = start + k->n_rows;
        lim->emitted = end;
        if (end <= skip)
            continue;
        uint32_t from = start < skip ? (uint32_t)(skip - start) : 0;
        uint32_t m = k->n_rows - from;
        for (uint32_t i = 0; i < m; i++)
            l->sel[i] = from + i;
        for (uint32_t c = 0; c < op->n_out; c++) {
            if (vec_gather(&l->vecs[c], &k->cols[c], l->sel, m))
                return ERR_NOMEM(err, m);
            l->ptrs[c] = &l->vecs[c];
        }
        out->n_rows = m;
        return 0;
    }
    return 0;
}

static void src_local_free(PhysOp *op, void *local)
{
    Local *l = local;
    for (uint32_t i = 0; i < op->n_out; i++)
        vec_destroy(&l->vecs[i]);
    tarn_free(l->vecs);
    tarn_free(l->ptrs);
    tarn_free(l->sel);
    tarn_free(l);
}

static void destroy(PhysOp *op)
{
    Limit *l = (Limit *)op;
    if (l->ready)
        coll_free(&l->rows);
    l->ready = false;
}

static void explain(PhysOp *op, Buf *out)
{
    Limit *l = (Limit *)op;
    if (l->limit >= 0)
        buf_printf(out, " %lld", (long long)l->limit);
    if (l->offset)
        buf_printf(out, " offset %lld", (long long)l->offset);
}

static const PhysOpVT vt = {
    .name = "Limit",
    .sink_init = sink_init,
    .sink = sink,
    .src_init = src_init,
    .src_local_init = src_local_init,
    .src_next = src_next,
    .src_local_free = src_local_free,
    .destroy = destroy,
    .explain = explain,
};

PhysOp *op_limit_new(Arena *a, PhysOp *child, int64_t limit, int64_t offset, TarnError *err)
{
    Limit *l = arena_calloc(a, sizeof *l);
    if (!l) {
        ERR_NOMEM(err, sizeof *l);
        return NULL;
    }
    l->limit = limit;
    l->offset = offset;
    physop_init(&l->op, &vt, ROLE_BREAKER, child->n_out, child->out_types);
    l->op.n_children = 1;
    l->op.children[0] = child;
    l->op.est_rows = limit >= 0 ? (double)limit : child->est_rows;
    return &l->op;
}

/* ---- UNION ALL: no work of its own; the executor routes the children's
 * pipelines into the parent's. ---- */

static const PhysOpVT vt_union = {.name = "Union All"};

PhysOp *op_union_new(Arena *a, PhysOp **children, uint32_t n, TarnError *err)
{
    PhysOp *u = arena_calloc(a, sizeof *u);
    if (!u) {
        ERR_NOMEM(err, sizeof *u);
        return NULL;
    }
    physop_init(u, &vt_union, ROLE_UNION, children[0]->n_out, children[0]->out_types);
    u->union_children = children;
    u->n_union = n;
    u->est_rows = 0;
    for (uint32_t i = 0; i < n; i++)
        u->est_rows += children[i]->est_rows;
    return u;
}
