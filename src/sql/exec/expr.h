/*
 * expr.h - vectorized evaluation of bound expressions (sql/plan/plan.h).
 *
 * An ExprState is one thread's evaluator for one expression tree: a node
 * per Expr with its own result vector, reused batch after batch (nothing
 * is allocated per batch in the steady state).  Evaluation is
 * batch-at-a-time: each node does one pass (one kernel call) over the
 * rows, so there is no per-row dispatch.
 *
 * Rows are given as a chunk plus an optional selection vector: with
 * sel != NULL the expression is evaluated for rows sel[0..n) of the chunk
 * and the result is dense (row k of the result is row sel[k] of the
 * input).  AND, OR, CASE and COALESCE evaluate their later arguments only
 * on the rows that still need them (so `x <> 0 AND 1/x > 1` never divides
 * by zero, as in PostgreSQL), by narrowing the selection.
 *
 * Column references must have their position (Expr.u.col.idx) resolved
 * against the chunk by the physical planner.  EX_PARAM reads the value of
 * an init plan from the params array given at creation.
 *
 * Results are borrowed: valid until the next evaluation on the same state.
 * Thread-safety: one ExprState per thread.
 */
#ifndef TARN_SQL_EXEC_EXPR_H
#define TARN_SQL_EXEC_EXPR_H

#include "format/parquet/reader.h"
#include "sql/exec/chunk.h"
#include "sql/func/func.h"
#include "sql/plan/plan.h"

typedef struct ExprState ExprState;

/* params: init-plan values indexed by slot (borrowed; may be NULL when the
 * expression has no EX_PARAM). */
ExprState *expr_state_new(const Expr *e, const SqlSettings *settings, const Value *params, TarnError *err);
void expr_state_free(ExprState *st);

/* Evaluates over rows sel[0..n) (or 0..n) of in.  *out is borrowed; it
 * may be a constant vector (is_const) or one of in's vectors. */
int expr_eval(ExprState *st, const Chunk *in, const uint32_t *sel, uint32_t n, Vector **out, TarnError *err);

/* Evaluates a boolean expression and writes the input rows for which it
 * is TRUE (not FALSE, not NULL) to sel_out (ascending; capacity n);
 * *n_out gets their number. */
int expr_select(ExprState *st, const Chunk *in, const uint32_t *sel, uint32_t n, uint32_t *sel_out,
                uint32_t *n_out, TarnError *err);

/* True when evaluating e can raise no error and has no side effects
 * (column references, constants, parameters, AND / OR / NOT / IS NULL /
 * CASE / COALESCE over such, and functions flagged FUNC_NO_ERRORS that are
 * not volatile: the comparisons): then evaluating it on fewer rows, or in
 * another order, changes nothing but the time. */
bool expr_never_fails(const Expr *e);

/* Evaluates an expression without column references once (constant
 * folding); strings of the result are copied into a. */
int expr_eval_const(const Expr *e, const SqlSettings *settings, Arena *a, Value *out, TarnError *err);

/* Recognises a filter term a Parquet scan can prune with: `column OP
 * constant` in either order (OP one of = < <= > >=; a NULL constant does
 * not count) or `column IS [NOT] NULL`.  Returns the column reference and
 * sets *op as seen from the column and *cnst to the constant (NULL for IS
 * [NOT] NULL), or returns NULL.  The caller checks that the constant has
 * the column's type. */
const Expr *expr_prune_term(const Expr *e, const Expr **cnst, PqCmp *op);

#endif
