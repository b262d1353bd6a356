/*
 * func_inlist.h - hashed IN lists (func_inlist.c): the binder hands the
 * OR of `x = constant` comparisons it built for `x IN (...)`; with enough
 * constants of a type that compares bytewise it gets back one call that
 * looks x up in a hash set (allocated in a), else NULL.
 */
#ifndef TARN_SQL_FUNC_FUNC_INLIST_H
#define TARN_SQL_FUNC_FUNC_INLIST_H

#include "sql/func/func.h"
#include "sql/plan/plan.h"

Expr *in_list_hashed(Arena *a, const Expr *or_expr);

#endif
