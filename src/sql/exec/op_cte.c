/*
 * op_cte.c - CTE Scan: one reference to a WITH query or view that several
 * references share (LOP_CTE_SCAN, bind/bind_cte_share.c).  The body ran
 * once as an init plan into a result sink (physical.c plan_cte_scan); each
 * reference is a parallel source over that sink's rows, handing out its
 * chunks by pointer (no copy).
 */
#include "sql/exec/ops.h"

typedef struct CteScan {
    PhysOp op;
    PhysOp *sink;           /* the body's result sink (an init plan run before this) */
    const char *name;
    atomic_uint next_chunk;
} CteScan;

static int cs_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x;
    CteScan *c = (CteScan *)op;
    const Collection *rows = op_result_rows(c->sink);
    if (!rows)
        return ERR_INTERNAL(err, "shared WITH query read before it was computed");
    if (rows->n_cols != op->n_out)
        return ERR_INTERNAL(err, "shared WITH query read with another column count");
    atomic_init(&c->next_chunk, 0);
    return 0;
}

static uint32_t cs_parallelism(PhysOp *op)
{
    const Collection *rows = op_result_rows(((CteScan *)op)->sink);
    return rows && rows->n_chunks ? rows->n_chunks : 1;
}

static int cs_next(PhysOp *op, ExecCtx *x, void *local, Chunk *out, TarnError *err)
{
    (void)x; (void)err;
    CteScan *c = (CteScan *)op;
    coll_emit_next(op_result_rows(c->sink), op->n_out, &c->next_chunk, local, out);
    return 0;
}

static void cs_explain(PhysOp *op, Buf *out) { buf_printf(out, " on %s", ((CteScan *)op)->name); }

static const PhysOpVT vt = {
    .name = "CTE Scan",
    .src_init = cs_init,
    .src_parallelism = cs_parallelism,
    .src_local_init = op_ptrs_local_init,
    .src_next = cs_next,
    .src_local_free = op_local_free,
    .explain = cs_explain,
};

PhysOp *op_cte_scan_new(Arena *a, PhysOp *sink, const char *name, uint32_t n_out, const LogicalType *types,
                        TarnError *err)
{
    CteScan *c = arena_calloc(a, sizeof *c);
    if (!c) {
        ERR_NOMEM(err, sizeof *c);
        return NULL;
    }
    c->sink = sink;
    c->name = name ? name : "?";
    physop_init(&c->op, &vt, ROLE_SOURCE, n_out, types);
    return &c->op;
}
