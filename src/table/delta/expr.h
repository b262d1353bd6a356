/*
 * expr.h - the small SQL expression subset the Delta writer must evaluate
 * itself: CHECK constraints (delta.constraints.*), column invariants
 * (delta.invariants) and generation expressions of generated columns.
 *
 * Supported: column references (plain or `quoted`), literals (integers,
 * decimals, 'strings', TRUE/FALSE/NULL, DATE '...', TIMESTAMP '...'),
 * comparisons = == <> != < <= > >= <=>, IS [NOT] NULL, [NOT] IN (literals),
 * BETWEEN, AND, OR, NOT, parentheses, CAST(x AS DATE|TIMESTAMP|INT|BIGINT|
 * STRING|DOUBLE) and YEAR/MONTH/DAY/HOUR(x).  Anything else is refused at
 * parse time with TARN_ERR_UNSUPPORTED, so a table whose constraints tarn
 * cannot check is never written.  (The SQL engine will later compile the
 * full language; this module only keeps the table layer honest.)
 *
 * Memory: the tree lives in the arena passed to delta_expr_parse.
 * Evaluation is pure; returned strings borrow the batch or the tree.
 */
#ifndef TARN_TABLE_DELTA_EXPR_H
#define TARN_TABLE_DELTA_EXPR_H

#include "util/err.h"
#include "util/mem.h"
#include "vector/value.h"
#include "vector/vector.h"

typedef struct DeltaExpr DeltaExpr;

/* Parses sql against the columns of `schema` (names resolved
 * case-insensitively). */
int delta_expr_parse(Arena *a, const char *sql, const Schema *schema, DeltaExpr **out, TarnError *err);
/* Evaluates on row `row` of b (a batch of `schema`).  Booleans are
 * TYPE_BOOL values; SQL NULL is is_null. */
Value delta_expr_eval(const DeltaExpr *e, const Batch *b, uint32_t row);
/* True when the value is a non-null true boolean. */
static inline bool delta_value_is_true(const Value *v)
{
    return !v->is_null && v->type == TYPE_BOOL && v->v.b;
}

#endif
