/*
 * op_simple_agg.c - aggregates without GROUP BY: one state row per
 * thread, combined into the global one; always exactly one output row
 * (count over no rows is 0, the others NULL).
 */
#include <string.h>

#include "sql/exec/agg_eval.h"

typedef struct SimpleAgg {
    PhysOp op;
    const AggCall *aggs;
    uint32_t na;
    uint32_t *off;              /* state offset per aggregate */
    uint32_t row_size;
    uint8_t *state;             /* global state row */
    Arena arena;                /* global + moved local arenas */
    bool ready, emitted;
    AggEval ctx_eval;           /* contexts for combine/finalize */
    bool ctx_ok;
    Arena *kept;                /* thread arenas whose memory states may reference */
    uint32_t n_kept, cap_kept;
} SimpleAgg;

typedef struct Local {
    AggEval ae;
    uint8_t *state;
    Arena arena;
} Local;

static void init_states(SimpleAgg *s, FuncCtx *fctx, uint8_t *row)
{
    for (uint32_t j = 0; j < s->na; j++) {
        uint8_t *r = row;
        s->aggs[j].def->agg_init(&fctx[j], &r, s->off[j], 1);
    }
}

static int sink_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    SimpleAgg *s = (SimpleAgg *)op;
    arena_init(&s->arena, 0);
    s->state = arena_calloc(&s->arena, s->row_size ? s->row_size : 16);
    if (!s->state)
        return ERR_NOMEM(err, s->row_size);
    int rc = agg_eval_init(&s->ctx_eval, s->aggs, s->na, x, &s->arena, err);
    if (rc)
        return rc;
    s->ctx_ok = true;
    s->ready = true;
    init_states(s, s->ctx_eval.fctx, s->state);
    return 0;
}

static int sink_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    SimpleAgg *s = (SimpleAgg *)op;
    Local *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    arena_init(&l->arena, 0);
    l->state = arena_calloc(&l->arena, s->row_size ? s->row_size : 16);
    int rc = l->state ? agg_eval_init(&l->ae, s->aggs, s->na, x, &l->arena, err) : ERR_NOMEM(err, s->row_size);
    if (rc) {
        arena_free(&l->arena);
        tarn_free(l);
        return rc;
    }
    init_states(s, l->ae.fctx, l->state);
    *local = l;
    return 0;
}

static int sink(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, bool *done, TarnError *err)
{
    (void)x; (void)done;
    SimpleAgg *s = (SimpleAgg *)op;
    Local *l = local;
    for (uint32_t j = 0; j < s->na; j++) {
        int rc = agg_eval_update(&l->ae, j, in, NULL, l->state, s->off[j], err);
        if (rc)
            return rc;
    }
    return 0;
}

static int sink_combine(PhysOp *op, ExecCtx *x, void *local, TarnError *err)
{
    (void)x;
    SimpleAgg *s = (SimpleAgg *)op;
    Local *l = local;
    for (uint32_t j = 0; j < s->na; j++) {
        uint8_t *src = l->state, *dst = s->state;
        int rc = s->aggs[j].def->agg_combine(&s->ctx_eval.fctx[j], &src, &dst, s->off[j], 1, err);
        if (rc)
            return rc;
    }
    /* states may point into the local arena: keep it alive with ours */
    if (s->n_kept == s->cap_kept) {
        uint32_t nc = s->cap_kept ? 2 * s->cap_kept : 8;
        Arena *k = tarn_realloc(s->kept, nc * sizeof(Arena));
        if (!k)
            return ERR_NOMEM(err, nc * sizeof(Arena));
        s->kept = k;
        s->cap_kept = nc;
    }
    s->kept[s->n_kept++] = l->arena;
    arena_init(&l->arena, 0);
    return 0;
}

static void sink_local_free(PhysOp *op, void *local)
{
    (void)op;
    Local *l = local;
    agg_eval_free(&l->ae);
    arena_free(&l->arena);
    tarn_free(l);
}

typedef struct SrcLocal {
    Vector *vecs;
    Vector **ptrs;
} SrcLocal;

static int src_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x; (void)err;
    ((SimpleAgg *)op)->emitted = false;
    return 0;
}

static int src_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    (void)x;
    SrcLocal *l = tarn_calloc(1, sizeof *l);
    uint32_t n = op->n_out ? op->n_out : 1;
    if (!l || !(l->vecs = tarn_calloc(n, sizeof(Vector))) || !(l->ptrs = tarn_calloc(n, sizeof(Vector *)))) {
        if (l)
            tarn_free(l->vecs);
        tarn_free(l);
        return ERR_NOMEM(err, 0);
    }
    for (uint32_t i = 0; i < op->n_out; i++) {
        vec_init(&l->vecs[i], &op->out_types[i]);
        l->ptrs[i] = &l->vecs[i];
    }
    *local = l;
    return 0;
}

static int src_next(PhysOp *op, ExecCtx *x, void *local, Chunk *out, TarnError *err)
{
    (void)x;
    SimpleAgg *s = (SimpleAgg *)op;
    SrcLocal *l = local;
    out->n_rows = 0;
    out->n_cols = op->n_out;
    out->cols = l->ptrs;
    if (s->emitted)
        return 0;
    s->emitted = true;
    for (uint32_t j = 0; j < s->na; j++) {
        Vector *v = &l->vecs[j];
        if (vec_prepare(v, 1))
            return ERR_NOMEM(err, 1);
        uint8_t *row = s->state;
        int rc = s->aggs[j].def->agg_finalize(&s->ctx_eval.fctx[j], &row, s->off[j], 1, v, err);
        if (rc)
            return rc;
        v->len = 1;
    }
    out->n_rows = 1;
    return 0;
}

static void src_local_free(PhysOp *op, void *local)
{
    SrcLocal *l = local;
    for (uint32_t i = 0; i < op->n_out; i++)
        vec_destroy(&l->vecs[i]);
    tarn_free(l->vecs);
    tarn_free(l->ptrs);
    tarn_free(l);
}

static void destroy(PhysOp *op)
{
    SimpleAgg *s = (SimpleAgg *)op;
    if (!s->ready)
        return;
    for (uint32_t j = 0; j < s->na; j++)
        if (s->aggs[j].def->agg_destroy) {
            uint8_t *row = s->state;
            s->aggs[j].def->agg_destroy(&s->ctx_eval.fctx[j], &row, s->off[j], 1);
        }
    for (uint32_t i = 0; i < s->n_kept; i++)
        arena_free(&s->kept[i]);
    tarn_free(s->kept);
    s->kept = NULL;
    s->n_kept = s->cap_kept = 0;
    if (s->ctx_ok)
        agg_eval_free(&s->ctx_eval);
    arena_free(&s->arena);
    s->ready = false;
}

static void explain(PhysOp *op, Buf *out)
{
    SimpleAgg *s = (SimpleAgg *)op;
    buf_printf(out, ": ");
    for (uint32_t j = 0; j < s->na; j++)
        buf_printf(out, "%s%s(...)", j ? ", " : "", s->aggs[j].name);
}

static const PhysOpVT vt = {
    .name = "Aggregate",
    .sink_init = sink_init,
    .sink_local_init = sink_local_init,
    .sink = sink,
    .sink_combine = sink_combine,
    .sink_local_free = sink_local_free,
    .src_init = src_init,
    .src_local_init = src_local_init,
    .src_next = src_next,
    .src_local_free = src_local_free,
    .destroy = destroy,
    .explain = explain,
};

PhysOp *op_simple_agg_new(Arena *a, PhysOp *child, const AggCall *aggs, uint32_t na, TarnError *err)
{
    SimpleAgg *s = arena_calloc(a, sizeof *s);
    LogicalType *types = arena_alloc(a, (na ? na : 1) * sizeof(LogicalType));
    if (!s || !types || !(s->off = arena_alloc(a, (na ? na : 1) * sizeof(uint32_t)))) {
        ERR_NOMEM(err, sizeof *s);
        return NULL;
    }
    s->aggs = aggs;
    s->na = na;
    uint32_t o = 0;
    for (uint32_t j = 0; j < na; j++) {
        s->off[j] = o;
        o += (aggs[j].def->state_size + 15) & ~15u;
        types[j] = aggs[j].type;
    }
    s->row_size = o;
    physop_init(&s->op, &vt, ROLE_BREAKER, na, types);
    s->op.n_children = 1;
    s->op.children[0] = child;
    s->op.est_rows = 1;
    return &s->op;
}
