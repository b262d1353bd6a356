/*
 * exec.h - physical operators, pipelines and the parallel executor.
 *
 * Execution is push-based and morsel-driven (HyPer / DuckDB style):
 *
 *   - A physical plan is a tree of PhysOps.  Each operator plays up to
 *     three roles, given by its table of functions (PhysOpVT):
 *       source    produces chunks (scans; and breakers after their sink
 *                 phase: hash aggregate output, sorted output ...)
 *       operator  transforms a chunk into zero or more chunks, streaming
 *                 (filter, projection, hash join probe)
 *       sink      consumes chunks (hash aggregate build, hash join build,
 *                 sort, result collection, table insert)
 *   - The tree is cut into pipelines at every sink: source -> operators
 *     -> sink.  A hash join's probe is an operator of the pipeline of its
 *     left (probe) child; its build child forms a pipeline that must
 *     finish first (a dependency).  UNION ALL makes several pipelines
 *     feed one sink.
 *   - A pipeline runs on up to n_threads threads of the pool.  Each thread
 *     has its own local state for the source, every operator and the
 *     sink (so hot paths take no locks); sources hand out morsels (Delta
 *     files, Parquet row groups, ranges) from a shared cursor.  When the
 *     source is dry each thread combines its sink-local state into the
 *     global one (sink_combine, under the sink's mutex); the last thread
 *     out calls sink_finalize (e.g. merges hash-table partitions, sorts).
 *   - All calls are per chunk (~2048 rows): no per-row virtual calls.
 *
 * Memory and spilling (spill.h): operators that keep data (hash tables,
 * sorts, join build sides, results) charge ExecCtx.mem_used against
 * ExecCtx.mem_budget (memory_limit); hash aggregation, hash joins and
 * sorts spill partitions / runs to files in ExecCtx.temp_dir past half of
 * it, the rest fail with 53200 past all of it.  Cancellation: *ctx->cancel
 * is checked per chunk; a set flag ends the statement with 57014.
 *
 * Errors: the first error of any thread wins and stops the others.
 */
#ifndef TARN_SQL_EXEC_EXEC_H
#define TARN_SQL_EXEC_EXEC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sql/exec/chunk.h"
#include "sql/func/func.h"
#include "sql/plan/plan.h"
#include "util/err.h"
#include "util/mem.h"

typedef struct PhysOp PhysOp;
struct JoinFilter;           /* join_filter.h */
typedef struct ExecCtx ExecCtx;

typedef struct PhysOpVT {
    const char *name;                       /* EXPLAIN label */
    /* source role */
    int (*src_init)(PhysOp *op, ExecCtx *x, TarnError *err);             /* once, before threads start */
    uint32_t (*src_parallelism)(PhysOp *op);                             /* max useful threads (NULL: 1) */
    int (*src_local_init)(PhysOp *op, ExecCtx *x, void **local, TarnError *err);
    int (*src_next)(PhysOp *op, ExecCtx *x, void *local, Chunk *out, TarnError *err); /* n_rows 0 = dry */
    void (*src_local_free)(PhysOp *op, void *local);
    /* operator role */
    int (*op_local_init)(PhysOp *op, ExecCtx *x, void **local, TarnError *err);
    /* *more = true: call again with the same input for more output */
    int (*op_exec)(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, Chunk *out, bool *more, TarnError *err);
    /* optional: after the source is dry (emits remaining rows) */
    int (*op_flush)(PhysOp *op, ExecCtx *x, void *local, Chunk *out, bool *more, TarnError *err);
    void (*op_local_free)(PhysOp *op, void *local);
    /* sink role */
    int (*sink_init)(PhysOp *op, ExecCtx *x, TarnError *err);            /* once */
    int (*sink_local_init)(PhysOp *op, ExecCtx *x, void **local, TarnError *err);
    /* *done = true: the sink needs no more input (LIMIT reached) */
    int (*sink)(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, bool *done, TarnError *err);
    int (*sink_combine)(PhysOp *op, ExecCtx *x, void *local, TarnError *err); /* under op->mu */
    int (*sink_finalize)(PhysOp *op, ExecCtx *x, TarnError *err);        /* once, last */
    void (*sink_local_free)(PhysOp *op, void *local);
    /* teardown of global state (always called) */
    void (*destroy)(PhysOp *op);
    /* EXPLAIN: extra detail after the name (may be NULL) */
    void (*explain)(PhysOp *op, Buf *out);
    /* optional, dynamic join filters (join_filter.h): hand filter f on
     * output column col down to the scan producing it; true if taken */
    bool (*push_join_filter)(PhysOp *op, uint32_t col, struct JoinFilter *f, Arena *a);
} PhysOpVT;

/* How pipelines are cut at an operator. */
typedef enum PhysRole {
    ROLE_SOURCE,        /* leaf: starts a pipeline */
    ROLE_STREAM,        /* operator in its child's pipeline */
    ROLE_BREAKER,       /* sink of its child's pipeline, source of its parent's */
    ROLE_JOIN,          /* operator (probe, child 0) + sink of child 1's pipeline */
    ROLE_UNION,         /* children's pipelines all continue into the parent's */
} PhysRole;

struct PhysOp {
    const PhysOpVT *vt;
    PhysRole role;
    uint32_t n_children;
    PhysOp *children[2];    /* UNION: extra children in union_children */
    PhysOp **union_children;
    uint32_t n_union;
    uint32_t n_out;         /* output columns */
    LogicalType *out_types;
    const char **out_names;
    double est_rows;
    uint32_t max_threads;   /* 0 = any; 1 forces its pipelines single-threaded */
    pthread_mutex_t mu;     /* guards sink_combine */
    int feeders;            /* pipelines sinking into this op (executor) */
    /* set by the executor before the pipeline through this operator runs:
     * its thread count; op_flush may count its calls in run_flushed so that
     * the last thread emits what depends on every thread's input */
    uint32_t run_threads;
    _Atomic uint32_t run_flushed;
    bool sink_ready, finalized;
    /* EXPLAIN ANALYZE */
    _Atomic uint64_t rows_out;
    _Atomic uint64_t nanos;
};

/* Initialises the common fields (called by every operator constructor). */
void physop_init(PhysOp *op, const PhysOpVT *vt, PhysRole role, uint32_t n_out, const LogicalType *out_types);

/* One uncorrelated subquery evaluated before the main plan (an init plan). */
typedef struct InitPlan {
    uint32_t slot;          /* ExecCtx.params index */
    SubqKind kind;          /* SCALAR: first column of <= 1 row; EXISTS: any row */
    PhysOp *root;           /* its plan, ending in a result sink */
    const char *cte;        /* non-NULL: no value; the materialised rows of this shared
                             * WITH query / view, read by CTE scans (op_cte.c) */
} InitPlan;

struct ExecCtx {
    const SqlSettings *settings;
    Value *params;          /* init-plan values, n_params (strings in arena) */
    uint32_t n_params;
    Arena *arena;           /* statement arena (single-threaded use only) */
    uint32_t n_threads;     /* worker threads for pipelines */
    atomic_int *cancel;     /* set by tarn_cancel */
    int64_t mem_budget;     /* memory_limit: bytes the query's operators may hold (0 = no limit; spill.h) */
    const char *temp_dir;   /* spill files go here (spill.h) */
    atomic_llong mem_used;  /* bytes currently charged by operators (exec_mem_try) */
    struct Catalog *cat;
    bool analyze;           /* collect per-operator timings */
};

/* ---- Thread pool ------------------------------------------------------------------ */

/* Runs fn(arg, i) for i in [0, n) on the process-wide pool (created on
 * first use with one thread per core, minus the caller, which takes part)
 * and returns when all are done. */
void pool_run(uint32_t n, void (*fn)(void *arg, uint32_t i), void *arg);
/* Number of cores the pool uses. */
uint32_t pool_size(void);

/* ---- Running a plan ------------------------------------------------------------------- */

/* Runs the init plans, then every pipeline of root (whose sink is
 * normally a result collector or a table writer).  */
int exec_run(PhysOp *root, InitPlan *inits, uint32_t n_inits, ExecCtx *x, TarnError *err);

/* Frees the global state of every operator in the tree. */
void physop_destroy_tree(PhysOp *root);

/* EXPLAIN text of a physical plan (indented tree), appended to out. */
int physop_explain(PhysOp *root, const InitPlan *inits, uint32_t n_inits, bool analyze, Buf *out);

/* ---- Physical planning (physical.c) ---------------------------------------------------- */

typedef struct PhysPlan {
    PhysOp *root;           /* the query's operators (no final sink) */
    InitPlan *inits;
    uint32_t n_inits;
} PhysPlan;

/* Turns an optimized logical plan into operators; expressions get their
 * column positions resolved.  The root's output columns are the logical
 * root's, in order. */
int physical_plan(Arena *a, LogicalOp *root, const SqlSettings *settings, PhysPlan *out, TarnError *err);

#endif
