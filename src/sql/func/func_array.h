/*
 * func_array.h - array (LIST) kernels the binder uses directly (they have no
 * callable SQL name): ARRAY[...], text / array casts, subscripts, slices,
 * x op ANY/ALL (array).  The named array functions (array_length,
 * array_append, @>, ...) are registered in func_array.c's table.
 *
 * Arrays are one-dimensional LIST vectors (types.h); multidimensional
 * arrays are refused by the binder (0A000).
 */
#ifndef TARN_SQL_FUNC_FUNC_ARRAY_H
#define TARN_SQL_FUNC_FUNC_ARRAY_H

#include "sql/func/func.h"

/* ARRAY[a, b, ...]: variadic, every argument of the element type. */
extern const FuncDef func_array_ctor;
/* text -> T[] (PostgreSQL's array_in): ret is the target array type. */
extern const FuncDef func_array_in;
/* S[] -> T[]: element-wise cast. */
extern const FuncDef func_array_cast;
/* a[i] -> element (1-based, out of range or NULL -> NULL). */
extern const FuncDef func_array_subscript;
/* a[lo:hi] (args: array, lo, hi; bind_state: FuncArraySlice). */
extern const FuncDef func_array_slice;
/* The longest length of its array arguments (NULL counts 0): WITH ORDINALITY. */
extern const FuncDef func_array_max_len;
/* m[key] on MAP values: the value, NULL when the key is missing. */
extern const FuncDef func_map_get;
/* (rec).field (bind_state: uint32_t field index). */
extern const FuncDef func_struct_field;
/* x op ANY/ALL (array) (args: x, array; bind_state: FuncArrayAnyAll). */
extern const FuncDef func_array_any_all;

typedef struct FuncArraySlice {
    bool no_lo, no_hi; /* a[:hi], a[lo:] */
} FuncArraySlice;

enum { ARR_OP_EQ, ARR_OP_NE, ARR_OP_LT, ARR_OP_LE, ARR_OP_GT, ARR_OP_GE };

typedef struct FuncArrayAnyAll {
    int op;    /* ARR_OP_* */
    bool all;  /* ALL instead of ANY */
} FuncArrayAnyAll;

/* True when values of element type t can be compared by the array kernels. */
bool func_array_elem_comparable(const LogicalType *t);

#endif
