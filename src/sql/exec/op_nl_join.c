/*
 * op_nl_join.c - nested-loop join, for CROSS JOIN and join conditions
 * without an equality (a.x < b.y).  The right side is materialized (sink);
 * each left row is paired with one whole right chunk at a time (the left
 * values broadcast, the right vectors used as they are), the condition
 * evaluated on that block, and the passing pairs emitted.  Kinds: INNER,
 * CROSS, LEFT (unmatched left rows with NULLs), SEMI, ANTI.
 */
#include <string.h>

#include "sql/exec/ops.h"
#include "sql/exec/spill.h"

typedef struct NlJoin {
    PhysOp op;
    JoinKind kind;
    Expr *cond;
    uint32_t n_left, n_right;
    Collection right;
    bool ready;
} NlJoin;

static int sink_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x; (void)err;
    NlJoin *j = (NlJoin *)op;
    coll_init(&j->right, j->n_right, op->children[1]->out_types);
    j->ready = true;
    return 0;
}

static int sink(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, bool *done, TarnError *err)
{
    (void)local; (void)done;
    NlJoin *j = (NlJoin *)op;
    pthread_mutex_lock(&op->mu);
    uint64_t had = j->right.mem_bytes;
    int rc = coll_append(&j->right, in, NULL, in->n_rows, err);
    /* the inner side is kept whole: it counts against memory_limit (spill.h) */
    if (!rc && !exec_mem_try(x, (int64_t)(j->right.mem_bytes - had), x->mem_budget))
        rc = exec_mem_error(x, "The inner side of a nested loop join", err);
    pthread_mutex_unlock(&op->mu);
    return rc;
}

typedef struct Local {
    ExprState *cond;
    bool busy;
    int phase;
    uint32_t row, chunk;
    uint8_t *matched;
    uint32_t cap;
    uint32_t *sel;
    Vector *outv;
    Vector **outp;
    Vector **blk;               /* block view: broadcast left + right chunk */
} Local;

static void local_free(PhysOp *op, void *local)
{
    Local *l = local;
    if (l->outv)
        for (uint32_t c = 0; c < op->n_out + ((NlJoin *)op)->n_left; c++)
            vec_destroy(&l->outv[c]);
    expr_state_free(l->cond);
    tarn_free(l->outv);
    tarn_free(l->outp);
    tarn_free(l->blk);
    tarn_free(l->matched);
    tarn_free(l->sel);
    tarn_free(l);
}

static int local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    NlJoin *j = (NlJoin *)op;
    Local *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    uint32_t nt = j->n_left + j->n_right;
    /* outv: n_out output vectors, then n_left broadcast vectors */
    l->outv = tarn_calloc(op->n_out + j->n_left + 1, sizeof(Vector));
    l->outp = tarn_calloc(op->n_out + 1, sizeof(Vector *));
    l->blk = tarn_calloc(nt + 1, sizeof(Vector *));
    l->sel = tarn_malloc(COLL_CHUNK_ROWS * sizeof(uint32_t));
    if (!l->outv || !l->outp || !l->blk || !l->sel) {
        local_free(op, l);
        return ERR_NOMEM(err, 0);
    }
    for (uint32_t c = 0; c < op->n_out; c++) {
        vec_init(&l->outv[c], &op->out_types[c]);
        l->outp[c] = &l->outv[c];
    }
    for (uint32_t c = 0; c < j->n_left; c++)
        vec_init(&l->outv[op->n_out + c], &op->children[0]->out_types[c]);
    if (j->cond && !(l->cond = expr_state_new(j->cond, x->settings, x->params, err))) {
        local_free(op, l);
        return err->kind;
    }
    *local = l;
    return 0;
}

static int set_all_null(Vector *v, uint32_t n)
{
    if (vec_prepare(v, n) || vec_ensure_validity(v))
        return TARN_ERR_NOMEM;
    memset(v->validity, 0, (n + 7) / 8);
    memset(v->data, 0, type_width(v->type) * n);
    return 0;
}

static int op_exec(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, Chunk *out, bool *more, TarnError *err)
{
    (void)x;
    NlJoin *j = (NlJoin *)op;
    Local *l = local;
    out->n_rows = 0;
    out->n_cols = op->n_out;
    out->cols = l->outp;
    if (!l->busy) {
        if (in->n_rows > l->cap) {
            uint8_t *m = tarn_realloc(l->matched, in->n_rows);
            uint32_t *s = tarn_realloc(l->sel, (in->n_rows > COLL_CHUNK_ROWS ? in->n_rows : COLL_CHUNK_ROWS) * sizeof(uint32_t));
            if (m)
                l->matched = m;
            if (s)
                l->sel = s;
            if (!m || !s)
                return ERR_NOMEM(err, in->n_rows);
            l->cap = in->n_rows;
        }
        memset(l->matched, 0, in->n_rows);
        l->busy = true;
        l->phase = 0;
        l->row = 0;
        l->chunk = 0;
    }
    if (l->phase == 0) {
        bool semi = j->kind == JOIN_SEMI || j->kind == JOIN_ANTI;
        while (l->row < in->n_rows) {
            if (l->chunk >= j->right.n_chunks || (semi && l->matched[l->row])) {
                l->row++;
                l->chunk = 0;
                continue;
            }
            const CollChunk *rc = &j->right.chunks[l->chunk++];
            uint32_t n = rc->n_rows;
            if (n == 0)
                continue;
            /* broadcast left row */
            uint32_t r = l->row;
            for (uint32_t c = 0; c < j->n_left; c++) {
                Vector *bv = &l->outv[op->n_out + c];
                for (uint32_t q = 0; q < n; q++)
                    l->sel[q] = r;
                if (vec_gather(bv, in->cols[c], l->sel, n))
                    return ERR_NOMEM(err, n);
                l->blk[c] = bv;
            }
            for (uint32_t c = 0; c < j->n_right; c++)
                l->blk[j->n_left + c] = (Vector *)&rc->cols[c];
            Chunk b = {n, j->n_left + j->n_right, l->blk};
            uint32_t k = n;
            const uint32_t *sel = NULL;
            if (l->cond) {
                int rc2 = expr_select(l->cond, &b, NULL, n, l->sel, &k, err);
                if (rc2)
                    return rc2;
                sel = k < n ? l->sel : NULL;
            }
            if (k == 0)
                continue;
            l->matched[r] = 1;
            if (semi)
                continue;
            for (uint32_t c = 0; c < op->n_out; c++)
                if (vec_gather(&l->outv[c], l->blk[c], sel, k))
                    return ERR_NOMEM(err, k);
            out->n_rows = k;
            *more = true;
            return 0;
        }
        l->phase = 1;
    }
    /* leftovers */
    l->busy = false;
    *more = false;
    uint32_t k = 0;
    if (j->kind == JOIN_LEFT || j->kind == JOIN_ANTI) {
        for (uint32_t i = 0; i < in->n_rows; i++)
            if (!l->matched[i])
                l->sel[k++] = i;
    } else if (j->kind == JOIN_SEMI) {
        for (uint32_t i = 0; i < in->n_rows; i++)
            if (l->matched[i])
                l->sel[k++] = i;
    }
    if (k == 0)
        return 0;
    for (uint32_t c = 0; c < j->n_left; c++)
        if (vec_gather(&l->outv[c], in->cols[c], l->sel, k))
            return ERR_NOMEM(err, k);
    if (j->kind == JOIN_LEFT)
        for (uint32_t c = 0; c < j->n_right; c++)
            if (set_all_null(&l->outv[j->n_left + c], k))
                return ERR_NOMEM(err, k);
    out->n_rows = k;
    return 0;
}

static void destroy(PhysOp *op)
{
    NlJoin *j = (NlJoin *)op;
    if (j->ready)
        coll_free(&j->right);
    j->ready = false;
}

static void explain(PhysOp *op, Buf *out)
{
    NlJoin *j = (NlJoin *)op;
    if (j->cond) {
        buf_printf(out, ": ");
        expr_to_text(j->cond, out);
    }
}

static const PhysOpVT vt = {
    .name = "Nested Loop",
    .sink_init = sink_init,
    .sink = sink,
    .op_local_init = local_init,
    .op_exec = op_exec,
    .op_local_free = local_free,
    .destroy = destroy,
    .explain = explain,
};

PhysOp *op_nl_join_new(Arena *a, PhysOp *left, PhysOp *right, JoinKind kind, Expr *cond, TarnError *err)
{
    if (kind == JOIN_RIGHT || kind == JOIN_FULL) {
        err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000",
                      "FULL/RIGHT JOIN is only supported with an equality join condition");
        return NULL;
    }
    NlJoin *j = arena_calloc(a, sizeof *j);
    bool left_only = kind == JOIN_SEMI || kind == JOIN_ANTI;
    uint32_t n_out = left->n_out + (left_only ? 0 : right->n_out);
    LogicalType *types = arena_alloc(a, (n_out + 1) * sizeof(LogicalType));
    if (!j || !types) {
        ERR_NOMEM(err, sizeof *j);
        return NULL;
    }
    j->kind = kind;
    j->cond = cond;
    j->n_left = left->n_out;
    j->n_right = right->n_out;
    for (uint32_t c = 0; c < left->n_out; c++)
        types[c] = left->out_types[c];
    if (!left_only)
        for (uint32_t c = 0; c < right->n_out; c++)
            types[left->n_out + c] = right->out_types[c];
    physop_init(&j->op, &vt, ROLE_JOIN, n_out, types);
    j->op.n_children = 2;
    j->op.children[0] = left;
    j->op.children[1] = right;
    double le = left->est_rows, re = right->est_rows;
    j->op.est_rows = le < 0 || re < 0 ? -1 : (kind == JOIN_CROSS ? le * re : le * re * 0.3);
    return &j->op;
}
