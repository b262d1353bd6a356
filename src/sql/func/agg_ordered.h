/*
 * agg_ordered.h - aggregates whose input is ordered or de-duplicated per
 * group: string_agg(x, ',' ORDER BY y DESC), array_agg(DISTINCT x ORDER
 * BY x), count(DISTINCT x) next to other aggregates.
 *
 * agg_ordered_wrap replaces an aggregate call by a wrapper aggregate
 * (same result type) whose state collects the group's input rows
 * (arguments and sort keys, strings copied into the state arena) in a
 * growing array.  Threads' states combine by appending.  At finalize each
 * group's rows are sorted (ORDER BY keys, then the arguments for
 * DISTINCT), duplicates of the argument tuple dropped (DISTINCT: NULLs
 * equal), and the rows are fed in that order through the wrapped
 * aggregate's own kernels in chunks of up to 2048 rows.
 */
#ifndef TARN_SQL_FUNC_AGG_ORDERED_H
#define TARN_SQL_FUNC_AGG_ORDERED_H

#include "sql/plan/plan.h"

/* Wraps ac (args bound): appends the n_keys sort expressions to its
 * arguments and replaces def / bind_state; ac->distinct becomes false.
 * Everything is allocated in a (the plan arena).  0 or an error. */
int agg_ordered_wrap(Arena *a, AggCall *ac, const SortItem *keys, uint32_t n_keys, bool distinct, TarnError *err);

/* bind_state of percentile_cont / percentile_disc / mode calls whose
 * WITHIN GROUP order is DESC (func_agg.c sorts their values descending). */
extern const char agg_ordered_set_desc[];

/* first(x): the first value (NULL included) folded into each group; fed
 * by a sort (one thread, in order) it keeps the first row's value per
 * group: DISTINCT ON.  Fills out (not its args) for an argument like arg;
 * 0A000 for nested types. */
int agg_first_call(Expr *arg, AggCall *out, TarnError *err);

#endif
