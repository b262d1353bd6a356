/*
 * agg_eval.h - per-thread evaluation of aggregate calls (arguments,
 * FILTER clauses, kernel contexts), shared by the grouped and ungrouped
 * aggregate operators.
 */
#ifndef TARN_SQL_EXEC_AGG_EVAL_H
#define TARN_SQL_EXEC_AGG_EVAL_H

#include "sql/exec/ops.h"

typedef struct AggEval {
    uint32_t na;
    const AggCall *aggs;
    ExprState ***args;          /* [agg][arg] */
    ExprState **filter;         /* [agg], NULL when no FILTER */
    Vector ***argv;             /* [agg][arg] current argument vectors */
    Vector **flat;              /* [agg] scratch for expanding constants, n_args each */
    FuncCtx *fctx;              /* [agg] */
    const LogicalType ***arg_types;
    uint32_t *sel;              /* FILTER selection */
    uint8_t **rows_sel;         /* group rows of the selected input rows */
} AggEval;

/* state_arena: where aggregate states allocate (FuncCtx.arena). */
int agg_eval_init(AggEval *ae, const AggCall *aggs, uint32_t na, ExecCtx *x, Arena *state_arena, TarnError *err);
void agg_eval_free(AggEval *ae);
/* Folds in's rows into states: rows[i] + off for row i, or (rows NULL)
 * the single state `single` + off. */
int agg_eval_update(AggEval *ae, uint32_t j, const Chunk *in, uint8_t *const *rows, uint8_t *single, uint32_t off,
                    TarnError *err);
/* Context for combine / finalize of aggregate j (no input needed). */
FuncCtx *agg_eval_ctx(AggEval *ae, uint32_t j);

#endif
