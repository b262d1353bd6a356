/*
 * plan.h - bound expressions and the logical plan.
 *
 * The binder (sql/bind/) turns the AST into a tree of LogicalOps whose
 * expressions (Expr) are fully typed and resolved: functions point at
 * their FuncDef, casts are explicit, literals are folded into Values.
 * The optimizer (optimizer.c) rewrites the tree; the physical planner
 * (sql/exec/physical.c) turns it into operators and pipelines.
 *
 * Column references use bindings, not positions (DuckDB's ColumnBinding):
 * every operator that produces new columns owns a `table index`, and a
 * column is (table index, column number).  A scan of table t gets table
 * index 3, its column 5 is (3,5) wherever it flows; a projection gets its
 * own index and its outputs are (p,0), (p,1)...  Rewrites (pushing a
 * filter below a join, pruning scan columns, reordering joins) therefore
 * never renumber references.  Only the physical planner maps bindings to
 * positions in an operator's input batch (Expr.u.col.idx).
 *
 * Memory: everything lives in the statement's plan arena.
 */
#ifndef TARN_SQL_PLAN_PLAN_H
#define TARN_SQL_PLAN_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "sql/func/func.h"
#include "util/mem.h"
#include "vector/types.h"
#include "vector/value.h"

struct CatalogRel;
struct LogicalOp;

typedef struct ColBinding {
    uint32_t table;
    uint32_t col;
} ColBinding;

static inline bool binding_eq(ColBinding a, ColBinding b) { return a.table == b.table && a.col == b.col; }

/* ---- Expressions ---------------------------------------------------------------- */

typedef enum ExprKind {
    EX_CONST,       /* u.cnst */
    EX_COLREF,      /* u.col */
    EX_FUNC,        /* scalar function or operator: u.func, args */
    EX_CAST,        /* args[0] to type */
    EX_AND,         /* n-ary, three-valued */
    EX_OR,          /* n-ary, three-valued */
    EX_NOT,
    EX_IS_NULL,
    EX_IS_NOT_NULL,
    EX_CASE,        /* args: when0, then0, when1, then1, ..., [else] (u.kase.has_else) */
    EX_COALESCE,
    EX_PARAM,       /* result of an init plan (uncorrelated scalar subquery): u.param */
    EX_AGGREF,      /* binder-internal: aggregate number u.agg.idx (replaced by a COLREF) */
    EX_SUBQUERY,    /* binder output, rewritten by the planner: u.subq */
} ExprKind;

typedef enum SubqKind { SUBQ_SCALAR, SUBQ_EXISTS, SUBQ_IN, SUBQ_ANY, SUBQ_ALL } SubqKind;

typedef struct Expr Expr;
struct Expr {
    ExprKind kind;
    LogicalType type;       /* result type (simple types only) */
    int loc;                /* byte offset in the SQL text, -1 unknown */
    bool unknown;           /* an untyped literal ('abc', NULL) whose type is still open */
    uint32_t n_args;
    Expr **args;
    union {
        Value cnst;                                              /* strings in the plan arena */
        struct { ColBinding b; uint32_t idx; const char *name; const char *qual; } col; /* idx: set by physical
                                                                   * planning; qual: table alias (messages) */
        struct { const FuncDef *def; void *bind_state; } func;
        struct { bool has_else; } kase;
        struct { uint32_t slot; } param;
        struct { uint32_t idx; } agg;
        struct {
            SubqKind kind;
            struct LogicalOp *plan;  /* the subquery; one output column for SCALAR/IN */
            bool negated;            /* NOT IN / NOT EXISTS */
            bool correlated;
        } subq;                      /* args[0]: the left operand of IN; ANY / ALL: the
                                      * comparison of the left operand with the subquery's
                                      * column */
    } u;
};

/* An aggregate call in an AGGREGATE operator. */
typedef struct AggCall {
    const FuncDef *def;
    uint32_t n_args;
    Expr **args;
    bool distinct;
    Expr *filter;           /* FILTER (WHERE ...), NULL = none */
    LogicalType type;       /* result type */
    void *bind_state;
    const char *name;       /* for EXPLAIN */
} AggCall;

typedef struct SortItem {
    Expr *expr;
    bool desc;
    bool nulls_first;
} SortItem;

/* A window function call of a WINDOW operator (window.c / op_window.c). */
typedef enum WinFuncKind {
    WIN_AGG,            /* an aggregate over the frame: agg */
    WIN_ROW_NUMBER, WIN_RANK, WIN_DENSE_RANK, WIN_PERCENT_RANK, WIN_CUME_DIST, WIN_NTILE,
    WIN_LAG, WIN_LEAD, WIN_FIRST_VALUE, WIN_LAST_VALUE, WIN_NTH_VALUE,
} WinFuncKind;

/* PostgreSQL's FRAMEOPTION_* bits (nodes/parsenodes.h), kept as given. */
enum {
    WFRAME_NONDEFAULT = 0x1, WFRAME_RANGE = 0x2, WFRAME_ROWS = 0x4, WFRAME_GROUPS = 0x8, WFRAME_BETWEEN = 0x10,
    WFRAME_START_UNBOUNDED_PRECEDING = 0x20, WFRAME_END_UNBOUNDED_PRECEDING = 0x40,
    WFRAME_START_UNBOUNDED_FOLLOWING = 0x80, WFRAME_END_UNBOUNDED_FOLLOWING = 0x100,
    WFRAME_START_CURRENT_ROW = 0x200, WFRAME_END_CURRENT_ROW = 0x400,
    WFRAME_START_OFFSET_PRECEDING = 0x800, WFRAME_END_OFFSET_PRECEDING = 0x1000,
    WFRAME_START_OFFSET_FOLLOWING = 0x2000, WFRAME_END_OFFSET_FOLLOWING = 0x4000,
    WFRAME_EXCLUDE_CURRENT_ROW = 0x8000, WFRAME_EXCLUDE_GROUP = 0x10000, WFRAME_EXCLUDE_TIES = 0x20000,
};

typedef struct WinCall {
    WinFuncKind kind;
    AggCall agg;            /* WIN_AGG: the aggregate; others: args (n_args, args), type, name */
    uint32_t frame;         /* WFRAME_* */
    Value start_off, end_off; /* offsets (constants; ROWS/GROUPS: int64 in .v.i; RANGE: of off_type) */
    LogicalType off_type;   /* RANGE offset type */
    Expr *rkey, *rstart, *rend; /* RANGE with offsets: the ORDER BY key and the frame's start / end
                             * bound values for the row (key -/+ offset, direction applied), one type */
    uint32_t table_index;   /* the result is column (table_index, 0) */
    int loc;
} WinCall;

/* ---- Logical operators ------------------------------------------------------------- */

typedef enum LopKind {
    LOP_GET,        /* scan of a table, a file set or a table function */
    LOP_FILTER,
    LOP_PROJECT,
    LOP_AGGREGATE,  /* GROUP BY (n_groups may be 0: one output row) and DISTINCT */
    LOP_JOIN,
    LOP_SORT,
    LOP_LIMIT,
    LOP_UNION,      /* UNION ALL of n children with equal column types */
    LOP_VALUES,     /* constant rows */
    LOP_DUMMY,      /* one row, no columns (SELECT without FROM) */
    LOP_EMPTY,      /* no rows (a WHERE false folded away) */
    LOP_RECURSIVE,  /* WITH RECURSIVE: children[0] non-recursive term, children[1] recursive term (op_recursive.c) */
    LOP_WORKTABLE,  /* the recursive term's reference to its CTE: the rows of the previous iteration */
    LOP_APPLY,      /* dependent join: children[1] refers to columns of children[0] (LATERAL, correlated
                     * subqueries); evaluated once per distinct outer key set (op_apply.c); u.join */
    LOP_WINDOW,     /* window functions sharing PARTITION BY / ORDER BY: child columns + one per call */
    LOP_PROJECT_SET, /* set-returning functions of the select list, in lockstep: child columns + one
                     * per call, column (table_index[k], 0); u.pset (op_project_set.c) */
    LOP_CTE_SCAN,   /* one reference to a WITH query / view computed once per statement and
                     * shared by its references (u.cte; bind_cte_share.c, op_cte.c) */
} LopKind;

/* A WITH query or view body several LOP_CTE_SCANs read: planned and run
 * once (an init plan materialising its rows) per physical plan. */
typedef struct CteShare {
    struct LogicalOp *plan;  /* the body; its outputs in order are the shared columns */
    const char *name;        /* for EXPLAIN */
    bool optimized;          /* plan_optimize ran on plan */
} CteShare;

/* What LOP_APPLY computes per outer row from the rows R of its inner side. */
typedef enum ApplyMode {
    APPLY_JOIN,     /* the rows of R (INNER) or one NULL row when R is empty (LEFT) */
    APPLY_SCALAR,   /* R's single value, NULL when empty, 21000 beyond one row */
    APPLY_EXISTS,   /* R is not empty */
    APPLY_ANY,      /* R's one boolean column: true if any is true, else NULL if any is NULL, else false */
    APPLY_ALL,      /* false if any is false, else NULL if any is NULL, else true */
} ApplyMode;

typedef enum JoinKind {
    JOIN_INNER, JOIN_LEFT, JOIN_RIGHT, JOIN_FULL, JOIN_SEMI, JOIN_ANTI, JOIN_CROSS
} JoinKind;

typedef enum ScanSourceKind {
    SCAN_DELTA,     /* a Delta table of the catalog */
    SCAN_PARQUET,   /* read_parquet(glob) */
    SCAN_CSV,       /* read_csv(file) */
    SCAN_JSON,      /* read_json(file) (NDJSON) */
    SCAN_AVRO,      /* read_avro(file) (Avro Object Container Files) */
    SCAN_SERIES,    /* generate_series(start, stop[, step]) */
} ScanSourceKind;

typedef struct LogicalOp LogicalOp;
struct LogicalOp {
    LopKind kind;
    uint32_t n_children;
    LogicalOp **children;
    double est_rows;        /* cardinality estimate (optimizer) */
    uint32_t view_group;    /* > 0: the root of a reference to a view referenced again in the
                             * statement (one number per view); plan_share_views */
    const char *view_name;

    /* Output columns, computed by lop_resolve (bindings + types + names). */
    uint32_t n_out;
    ColBinding *out;
    LogicalType *out_types;
    const char **out_names;

    union {
        struct {
            ScanSourceKind source;
            uint32_t table_index;
            struct CatalogRel *rel;      /* SCAN_DELTA */
            struct DeltaSnapshot *snapshot; /* SCAN_DELTA: pinned by the binder (StmtRes) */
            char **files;                /* SCAN_PARQUET/CSV/JSON: expanded paths */
            uint32_t n_files;
            const Schema *schema;        /* all columns of the source */
            uint32_t n_cols;             /* projected columns: indexes into schema */
            uint32_t *col_ids;
            Expr **filters;              /* pushed-down conjuncts (evaluated in the scan) */
            uint32_t n_filters;
            double est_filtered;         /* est_rows after the filters (optimizer;
                                          * 0 = not estimated); EXPLAIN shows it */
            Expr **series_args;          /* SCAN_SERIES: start, stop, step (constants) */
            int64_t *ndv;                /* per schema column: distinct-value estimate
                                          * (-1 unknown), lazily filled (plan_column_ndv) */
            int64_t version;             /* time travel: -1 latest */
            const char *const *only_files; /* SCAN_DELTA: read just these live files (log
                                          * paths, sorted by strcmp; n_only_files 0 = all):
                                          * incremental streams (bind_window_tvf.c) */
            uint32_t n_only_files;
            struct {
                char delimiter, quote;
                bool header;
                const char *null_str;
            } csv;                       /* SCAN_CSV options */
            const char *alias;
        } get;
        struct { Expr **conds; uint32_t n_conds; } filter;
        struct { uint32_t table_index; Expr **exprs; uint32_t n_exprs; } project;
        struct {
            uint32_t group_index, agg_index;
            Expr **groups; uint32_t n_groups;
            AggCall *aggs; uint32_t n_aggs;
            /* GROUPING SETS (n_sets > 0): groups[n_groups - 1] is the set
             * number (an INT32 placeholder, set by the executor); set s
             * groups by the keys whose bit is in set_masks[s], the rest
             * are NULL (bind_group.c). */
            uint64_t *set_masks; uint32_t n_sets;
        } agg;
        struct {
            JoinKind kind; Expr **conds; uint32_t n_conds;
            bool null_aware;    /* NOT IN semantics (anti join) */
            bool null_safe;     /* equalities treat NULL = NULL (INTERSECT / EXCEPT) */
            /* LOP_APPLY: kind INNER / LEFT (LATERAL; output left ++ right) or
             * one column (mark_index, 0) of mark_type after the left ones */
            ApplyMode apply;
            uint32_t mark_index;
            LogicalType mark_type;
        } join;
        struct { SortItem *items; uint32_t n_items; int64_t limit; int64_t offset; } sort; /* limit -1 = all (top-N when >= 0) */
        struct { int64_t limit; int64_t offset; } limit;  /* limit -1 = all */
        struct { uint32_t table_index; } setop;
        struct { uint32_t table_index; Expr ***rows; uint32_t n_rows; uint32_t n_cols; } values;
        struct {
            uint32_t table_index; uint32_t n_cols; LogicalType *types; const char **names;
            bool union_all;     /* UNION ALL: no deduplication */
            void *work;         /* physical planning: the shared working table (op_recursive.c) */
        } rec;                  /* LOP_RECURSIVE */
        struct { uint32_t table_index; struct LogicalOp *rec; } work; /* LOP_WORKTABLE: columns those of rec */
        struct {
            CteShare *share;
            ColBinding *cols;   /* this reference's output bindings: column i is share->plan's output i */
            LogicalType *types;
            const char **names;
            uint32_t n_cols;
        } cte;                  /* LOP_CTE_SCAN */
        struct {
            Expr **part; uint32_t n_part;
            SortItem *order; uint32_t n_order;
            WinCall *calls; uint32_t n_calls;
        } win;                  /* LOP_WINDOW */
        struct {
            Expr **calls;       /* EX_FUNC whose def is FUNC_SRF */
            uint32_t *table_index;
            uint32_t n_calls;
        } pset;                 /* LOP_PROJECT_SET */
    } u;
};

/* ---- Construction helpers ------------------------------------------------------------ */

LogicalOp *lop_new(Arena *a, LopKind kind, uint32_t n_children);
Expr *expr_new(Arena *a, ExprKind kind, LogicalType type, uint32_t n_args, int loc);
Expr *expr_const(Arena *a, const Value *v, LogicalType type, int loc);
Expr *expr_colref(Arena *a, ColBinding b, LogicalType type, const char *name);
/* Deep copy (plan arena). */
Expr *expr_copy(Arena *a, const Expr *e);
bool expr_equal(const Expr *a, const Expr *b);
/* True when e references no column (and no param/subquery): foldable. */
bool expr_is_constant(const Expr *e);
/* True when every column e references has a binding in the given set. */
bool expr_refs_only(const Expr *e, const ColBinding *set, uint32_t n);
/* Collects the bindings e references (appends to *out, grows with the arena). */
int expr_collect_refs(Arena *a, const Expr *e, ColBinding **out, uint32_t *n, uint32_t *cap);
/* True when e contains a volatile function. */
bool expr_has_volatile(const Expr *e);

/* Computes op->n_out/out/out_types/out_names from the children (recursive
 * when `deep`).  0 or NOMEM. */
int lop_resolve(Arena *a, LogicalOp *op, bool deep);

/* The optimizer (optimizer.c): rewrites uncorrelated IN / NOT IN
 * subqueries in WHERE into semi / anti joins, pushes filters down to the
 * scans (through projections, aggregates on grouped columns, joins),
 * turns cross joins with equalities into inner joins, orders inner joins
 * by estimated cardinality (greedy: the cheapest connected pair first),
 * and drops constant-true filters (constant-false ones empty the input).
 * Returns the new root. */
int plan_optimize(Arena *a, LogicalOp **root, TarnError *err);

/* After plan_optimize: the references to one view (LogicalOp.view_group)
 * whose optimized plans are equal (the same operators, expressions and
 * pushed filters, up to table indexes) become CTE scans of one shared
 * plan, computed once (view_share.c). */
int plan_share_views(Arena *a, LogicalOp *root, TarnError *err);
/* Turns op, in place, into a LOP_CTE_SCAN of sh with op's output
 * bindings (sh->plan's outputs are the same columns, in order). */
int lop_to_cte_scan(Arena *a, LogicalOp *op, CteShare *sh);
/* 1 when x and y compute the same rows: the same operators, expressions
 * and pushed filters up to table indexes, no volatile function, the
 * same table versions (view_share.c); 0 when not; -1 out of memory. */
int lop_plans_equal(Arena *a, const LogicalOp *x, const LogicalOp *y);
/* Calls fn on each expression op itself holds (filters, conditions,
 * projections, grouping keys, aggregate arguments and filters, sort
 * keys); not on its children's. */
void lop_each_expr(const LogicalOp *op, void (*fn)(void *ctx, const Expr *e), void *ctx);
/* A set of operators in arena memory, in insertion order; nomem sticks
 * once an allocation failed. */
typedef struct LopSet {
    LogicalOp **v;
    uint32_t n, cap;
    Arena *a;
    bool nomem;
} LopSet;
/* Adds op unless it is there already. */
void lopset_add(LopSet *s, LogicalOp *op);
/* After plan_share_views: a join the statement's query and an
 * uncorrelated subquery of it (or two such subqueries) both aggregate,
 * the same plan below only filters, projections, aggregates, sorts and
 * limits, is computed once: CTE scans of one shared plan
 * (subplan_share.c). */
int plan_share_subplans(Arena *a, LogicalOp *root, TarnError *err);

/* Distinct values of column `col` of a GET, estimated from table
 * statistics: for integer and date columns of Delta tables the span of
 * min..max over the files' stats (capped by the row count); -1 when
 * unknown.  Cached in the GET (stats.c). */
int64_t plan_column_ndv(Arena *a, LogicalOp *get, uint32_t col);

/* Text of an expression for EXPLAIN ("(l_quantity < 24)"). */
int expr_to_text(const Expr *e, Buf *out);

#endif
