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
    struct JoinFilterUse *jf;   /* dynamic join filters on read columns (join_filter.h) */
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
    struct JoinFilterLocal *jfl; /* spec->jf's per-thread state */
    uint64_t jf_in, jf_out;     /* rows into / out of the join filters (their order, scan_common.c) */
    bool jf_first_ok;           /* the filter cannot fail: the join filters may run before it */
} ScanOut;
int scan_out_init(ScanOut *so, const ScanSpec *spec, ExecCtx *x, const uint32_t *batch_col, TarnError *err);
/* Filters and projects batch b (read column i is batch column
 * batch_col[i]) into *out (borrowed until the next call). */
int scan_out_emit(ScanOut *so, const Batch *b, Chunk *out, TarnError *err);
void scan_out_free(ScanOut *so);

/* Morsels of the file scans: file `file`, file rows [begin, end) (end 0 =
 * the whole file).  A list is built once per scan (src_init), in file and
 * row order, and handed out by an atomic cursor. */
typedef struct ScanMorsel {
    uint32_t file;
    int64_t begin, end;
} ScanMorsel;
typedef struct ScanMorsels {
    ScanMorsel *m;
    uint32_t n, cap;
} ScanMorsels;
/* Rows per morsel for total_rows rows (-1 unknown) on `threads` threads:
 * about 8 morsels per thread, between 131,072 and 524,288 rows (each morsel
 * decodes its row groups' dictionaries again: not too small). */
int64_t scan_morsel_rows(int64_t total_rows, uint32_t threads);
/* Appends morsels for file f from pairs [begin, end) (n pairs). */
int scan_morsels_add(ScanMorsels *ms, uint32_t f, const int64_t *ranges, size_t n, TarnError *err);
void scan_morsels_free(ScanMorsels *ms);

/* ---- Row sources ------------------------------------------------------------------------ */

/* Constant rows (VALUES); n_cols 0 with one row is SELECT without FROM,
 * zero rows an empty result. */
PhysOp *op_values_new(Arena *a, Expr ***rows, uint32_t n_rows, uint32_t n_cols, const LogicalType *types,
                      TarnError *err);

/* ---- Streaming ---------------------------------------------------------------------------- */

PhysOp *op_filter_new(Arena *a, PhysOp *child, Expr *pred, TarnError *err);
PhysOp *op_project_new(Arena *a, PhysOp *child, Expr **exprs, uint32_t n, TarnError *err);
/* Set-returning functions (calls: EX_FUNC of FUNC_SRF, args resolved against child), in
 * lockstep: child columns + one per call (op_project_set.c). */
PhysOp *op_project_set_new(Arena *a, PhysOp *child, Expr **calls, uint32_t n_calls, TarnError *err);

/* ---- Aggregation -------------------------------------------------------------------------- */

/* GROUP BY: output = groups then aggregates.  AggCall args resolved. */
PhysOp *op_hash_agg_new(Arena *a, PhysOp *child, Expr **groups, uint32_t n_groups, const AggCall *aggs,
                        uint32_t n_aggs, TarnError *err);
/* GROUPING SETS: the last group expression is a placeholder for the set
 * number (INT32, filled by the operator); set s groups by the keys whose
 * bit is set in set_masks[s] (the others are NULL).  Masks borrowed. */
void op_hash_agg_set_grouping_sets(PhysOp *op, const uint64_t *set_masks, uint32_t n_sets);
/* No GROUP BY: exactly one output row. */
PhysOp *op_simple_agg_new(Arena *a, PhysOp *child, const AggCall *aggs, uint32_t n_aggs, TarnError *err);

/* ---- Window functions (op_window.c) ------------------------------------------------------ */

/* Materializes the input, sorts it by (part, order) and computes the
 * calls; output = the child's columns then one column per call. */
PhysOp *op_window_new(Arena *a, PhysOp *child, Expr **part, uint32_t n_part, const SortItem *order, uint32_t n_order,
                      const WinCall *calls, uint32_t n_calls, TarnError *err);

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
/* SEMI / ANTI join built on the preserved side (a small outer side, a
 * large inner one): the hash table holds `preserved`'s rows, `stream`'s
 * rows mark the ones they match (residual over stream columns then
 * preserved columns), and the returned operator emits the preserved rows
 * marked (SEMI) or not (ANTI).  Not for null-aware or null-safe joins. */
PhysOp *op_hash_join_mark_new(Arena *a, PhysOp *stream, PhysOp *preserved, JoinKind kind, Expr **stream_keys,
                              Expr **preserved_keys, uint32_t n_keys, Expr *residual, TarnError *err);
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
/* WITH RECURSIVE (op_recursive.c): runs rec's non-recursive term, then its
 * recursive term until an iteration adds no rows; a source of the result.
 * op_worktable_new: the recursive term's scan of the previous iteration's
 * rows (LOP_WORKTABLE; its LOP_RECURSIVE must be planned first). */
PhysOp *op_recursive_new(Arena *a, LogicalOp *rec, const SqlSettings *settings, TarnError *err);
PhysOp *op_worktable_new(Arena *a, LogicalOp *work, TarnError *err);
/* A reference to a shared WITH query / view (LOP_CTE_SCAN, op_cte.c): a
 * parallel source over the rows collected by sink (an op_result_new sink
 * run as an init plan before this scan's pipeline). */
PhysOp *op_cte_scan_new(Arena *a, PhysOp *sink, const char *name, uint32_t n_out, const LogicalType *types,
                        TarnError *err);

/* Runs a logical plan as a plan of its own (planned now, fresh operator
 * state, its init plans in their own parameter slots) and passes every
 * result chunk to fn; max_rows >= 0 stops after that many rows.  For
 * operators that evaluate a subplan repeatedly (op_recursive.c,
 * op_apply.c); call only where no pipeline runs concurrently. */
int exec_run_logical(LogicalOp *plan, const SqlSettings *settings, ExecCtx *x, int64_t max_rows,
                     int (*fn)(void *arg, const Chunk *in, TarnError *err), void *arg, TarnError *err);

/* As-of join (op_asof_join.c): per probe row, the build row with equal
 * keys whose time is the last <= (or <) the probe's time (ASOF_LE / LT),
 * or the first >= (>) (ASOF_GE / GT).  Build columns: n_sel output
 * columns, then the n_keys keys, then the time (integer-backed type);
 * output: probe columns then the n_sel columns.  probe_keys / probe_ts are
 * resolved against the probe.  left: unmatched probe rows get NULLs. */
typedef enum AsofDir { ASOF_LE, ASOF_LT, ASOF_GE, ASOF_GT } AsofDir;
PhysOp *op_asof_join_new(Arena *a, PhysOp *probe, PhysOp *build, bool left, AsofDir dir, Expr **probe_keys,
                         uint32_t n_keys, Expr *probe_ts, uint32_t n_sel, const SqlSettings *settings, TarnError *err);

/* LOP_APPLY (op_apply.c).  A reference of the inner plan to an outer
 * column: e is turned into a constant per key combination and restored. */
typedef struct ApplyRef {
    Expr *e;
    Expr saved;
    uint32_t outer_col;         /* apply_find_refs: index into `outer`; op_apply_new: key index */
} ApplyRef;
/* Every column reference of inner (nested subqueries included) to one of
 * the outer bindings. */
int apply_find_refs(Arena *a, LogicalOp *inner, const ColBinding *outer, uint32_t n_outer, ApplyRef **refs_out,
                    uint32_t *n_out, TarnError *err);
/* out_types: the outer's columns, then the inner's (APPLY_JOIN) or the
 * one result column; key_pos: input column of each key. */
PhysOp *op_apply_new(Arena *a, PhysOp *outer, LogicalOp *inner, ApplyMode mode, bool left, const uint32_t *key_pos,
                     uint32_t n_keys, ApplyRef *refs, uint32_t n_refs, const LogicalType *out_types, uint32_t n_out,
                     const SqlSettings *settings, TarnError *err);

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
/* INSERT ... RETURNING: also copies every row written into rows
 * (coll_init'ed on the table's types; appended under the operator's lock). */
void op_insert_keep_rows(PhysOp *op, Collection *rows);

/* ---- Callbacks operators share (op_common.c) ----------------------------------------------------- */

/* src_local_init of a source whose output chunks point at vectors it does
 * not own (e.g. coll_emit_next): a thread-local array of n_out Vector
 * pointers, freed by op_local_free. */
int op_ptrs_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err);
/* *_local_free of a thread-local state that is one plain allocation. */
void op_local_free(PhysOp *op, void *local);
/* sink_local_free of a thread-local Collection made by coll_new. */
void op_coll_local_free(PhysOp *op, void *local);

#endif
