/*
 * op_common.c - callbacks several physical operators share (see ops.h).
 */
#include "sql/exec/ops.h"

int op_ptrs_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    (void)x;
    Vector **ptrs = tarn_calloc(op->n_out ? op->n_out : 1, sizeof(Vector *));
    if (!ptrs)
        return ERR_NOMEM(err, 0);
    *local = ptrs;
    return 0;
}

void op_local_free(PhysOp *op, void *local)
{
    (void)op;
    tarn_free(local);
}

void op_coll_local_free(PhysOp *op, void *local)
{
    (void)op;
    coll_delete(local);
}
