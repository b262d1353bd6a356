/*
 * ops.h - constructors of the physical operators (one per op_*.c file).
 *
 * Every constructor allocates the operator in arena a (plan lifetime);
 * global state that needs freeing (hash tables, readers) is released by
 * the operator's destroy callback (physop_destroy_tree).  Expressions
 * passed in must have their column positions resolved against the
 * operator's input (Expr.u.col.idx); the constructors keep pointers.
 */
#ifndef TARN_SQL_EXEC_OPS_H
#define TARN_SQL_EXEC_OPS_H

#include "format/parquet/reader.h"
#include "sql/exec/collection.h"
#include "sql/exec/exec.h"
#include "sql/exec/expr.h"

struct DeltaTable;

/* ---- Scans -------------------------------------------------------------------------- */

typedef struct ScanSpec {
    const LogicalOp *get;       /* LOP_GET: source kind, files, schema, snapshot, options */
    uint32_t n_read;            /* source columns to read (schema indexes) */
    uint32_t *read_cols;
    Expr *filter;               /* over the read columns (positions in read_cols); NULL = none */
    uint32_t n_out;             /* output = these positions of read_cols */
    uint32_t *out_pos;
    PqPredicate *preds;         /* file / row-group skipping (conjunction) */
    uint32_t n_preds;
} ScanSpec;

PhysOp *op_scan_delta_new(Arena *a, const ScanSpec *spec, TarnError *err);
PhysOp *op_scan_parquet_new(Arena *a, const ScanSpec *spec, TarnError *err);
PhysOp *op_scan_text_new(Arena *a, const ScanSpec *spec, TarnError *err);   /* CSV and NDJSON */
PhysOp *op_scan_series_new(Arena *a, const ScanSpec *spec, TarnError *err);

/* Shared by the scans: per-thread filter + projection of a source batch. */
typedef struct ScanOut {
    const ScanSpec *spec;
    const uint32_t *batch_col;  /* batch column of each read column (NULL: identity) */
    ExprState *filter;
    Vector *outv;               /* n_out gathered vectors */
    Vector **outp;
    uint32_t *sel;
    Chunk in;                   /* view over the batch columns */
    Vector **inp;
} ScanOut;
int scan_out_init(ScanOut *so, const ScanSpec *spec, ExecCtx *x, const uint32_t *batch_col, TarnError *err);
/* Filters and projects batch b (read column i is batch column
 * batch_col[i]) into *out (borrowed until the next call). */
int scan_out_emit(ScanOut *so, const Batch *b, Chunk *out, TarnError *err);
void scan_out_free(ScanOut *so);

/* ---- Row sources ------------------------------------------------------------------------ */

/* Constant rows (VALUES); n_cols 0 with one row is SELECT without FROM,
 * zero rows an empty result. */
PhysOp *op_values_new(Arena *a, Expr ***rows, uint32_t n_rows, uint32_t n_cols, const LogicalType *types,
                      TarnError *err);

/* ---- Streaming ---------------------------------------------------------------------------- */

PhysOp *op_filter_new(Arena *a, PhysOp *child, Expr *pred, TarnError *err);
PhysOp *op_project_new(Arena *a, PhysOp *child, Expr **exprs, uint32_t n, TarnError *err);

/* ---- Aggregation -------------------------------------------------------------------------- */

/* GROUP BY: output = groups then aggregates.  AggCall args resolved. */
PhysOp *op_hash_agg_new(Arena *a, PhysOp *child, Expr **groups, uint32_t n_groups, const AggCall *aggs,
                        uint32_t n_aggs, TarnError *err);
/* No GROUP BY: exactly one output row. */
PhysOp *op_simple_agg_new(Arena *a, PhysOp *child, const AggCall *aggs, uint32_t n_aggs, TarnError *err);

/* ---- Joins ---------------------------------------------------------------------------------- */

/* Hash join.  Output: probe columns then build columns (SEMI/ANTI: probe
 * only).  Kinds: INNER, LEFT (probe rows kept), RIGHT (build rows kept),
 * FULL, SEMI, ANTI.  residual: extra condition over (probe ++ build)
 * columns, NULL = none.  null_aware: NOT IN semantics for ANTI (a NULL
 * key on either side makes the row unknown).  null_safe: keys match when
 * both are NULL (IS NOT DISTINCT FROM; INTERSECT / EXCEPT). */
PhysOp *op_hash_join_new(Arena *a, PhysOp *probe, PhysOp *build, JoinKind kind, Expr **probe_keys,
                         Expr **build_keys, uint32_t n_keys, Expr *residual, bool null_aware, bool null_safe,
                         TarnError *err);
/* Nested-loop join for conditions without equalities (and CROSS): output
 * left columns then right columns; kinds INNER, CROSS, LEFT, SEMI, ANTI. */
PhysOp *op_nl_join_new(Arena *a, PhysOp *left, PhysOp *right, JoinKind kind, Expr *cond, TarnError *err);

/* ---- Order and limits --------------------------------------------------------------------------- */

/* ORDER BY (items resolved against the child); limit >= 0 makes it a
 * top-N (keeps only offset + limit rows); the output skips `offset`. */
PhysOp *op_sort_new(Arena *a, PhysOp *child, const SortItem *items, uint32_t n_items, int64_t limit, int64_t offset,
                    TarnError *err);
PhysOp *op_limit_new(Arena *a, PhysOp *child, int64_t limit, int64_t offset, TarnError *err);
PhysOp *op_union_new(Arena *a, PhysOp **children, uint32_t n, TarnError *err);

/* ---- Final sinks ------------------------------------------------------------------------------------ */

/* Collects every row (copies); max_rows >= 0 stops early after that many. */
PhysOp *op_result_new(Arena *a, PhysOp *child, int64_t max_rows, TarnError *err);
/* The collected rows (valid until the tree is destroyed). */
Collection *op_result_rows(PhysOp *result);
/* Init plans: the single value of a scalar subquery (22... "more than one
 * row returned by a subquery used as an expression", 21000) or EXISTS. */
int op_result_init_value(PhysOp *result, SubqKind kind, Arena *a, Value *out, TarnError *err);

/* Appends the rows (in the table's schema, column for column) to a Delta
 * table in one transaction committed by finalize; rows inserted are
 * reported by op_insert_count.  NOT NULL columns are checked (23502). */
PhysOp *op_insert_new(Arena *a, PhysOp *child, struct DeltaTable *table, const Schema *table_schema,
                      const char *table_name, bool overwrite, TarnError *err);
int64_t op_insert_count(PhysOp *op);

#endif
