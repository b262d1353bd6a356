/*
 * bind_int.h - shared inside src/sql/bind/: scopes and expression binding.
 */
#ifndef TARN_SQL_BIND_BIND_INT_H
#define TARN_SQL_BIND_BIND_INT_H

#include "sql/bind/bind.h"

/* One FROM item visible to column references. */
typedef struct ScopeItem {
    const char *alias;          /* the name that qualifies its columns */
    const char *schema;         /* for schema.table.column (plain tables) */
    const char *relname;        /* a table or view read under an alias: its name (errors only) */
    uint32_t n_cols;
    const char **names;
    ColBinding *binds;
    LogicalType *types;
    bool *hidden;               /* merged into a USING column: not visible unqualified */
} ScopeItem;

/* A column of a USING / NATURAL join, visible unqualified once. */
typedef struct UsingCol {
    const char *name;
    Expr *expr;                 /* left col, right col, or COALESCE(l, r) for FULL */
} UsingCol;

typedef struct Scope {
    struct Scope *parent;       /* enclosing query (for correlated references) */
    ScopeItem *items;
    uint32_t n_items, cap_items;
    UsingCol *usings;
    uint32_t n_usings, cap_usings;
    bool saw_outer_ref;         /* a reference resolved in an enclosing scope */
} Scope;

typedef enum ExprClause {
    CL_SELECT, CL_WHERE, CL_JOIN_ON, CL_GROUP_BY, CL_HAVING, CL_ORDER_BY, CL_VALUES, CL_LIMIT, CL_OTHER
} ExprClause;

typedef struct AggCollector {
    AggCall *aggs;
    uint32_t n, cap;
    bool has_grouping;          /* a GROUPING() call was bound */
} AggCollector;

/* Window function calls of one SELECT (bind_window.c).  Each call's
 * result is column (call.table_index, 0) of the WINDOW operator that
 * bind_window_plan puts above the aggregation. */
typedef struct WinPending {
    WinCall call;
    Expr **part; uint32_t n_part;
    SortItem *order; uint32_t n_order;
} WinPending;

typedef struct WinCollector {
    WinPending *items;
    uint32_t n, cap;
    const AstList *defs;        /* the SELECT's WINDOW clause (AST_WINDOW_DEF) */
} WinCollector;

typedef struct ExprEnv {
    Scope *scope;
    ExprClause clause;
    AggCollector *aggs;         /* where aggregates may appear (else NULL) */
    bool in_agg;                /* inside an aggregate's arguments */
} ExprEnv;

int bind_expr(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out);
/* Binds and requires a boolean (42804 "argument of WHERE must be type boolean"). */
int bind_bool_expr(BindCtx *ctx, ExprEnv *env, const AstNode *n, const char *what, Expr **out);

/* Operator / function resolution with implicit casts; folds constants. */
int bind_operator(BindCtx *ctx, const char *name, Expr *l, Expr *r, int loc, Expr **out);
int bind_function(BindCtx *ctx, const char *name, FuncKind kind, Expr **args, uint32_t n, int loc, Expr **out,
                  const FuncDef **def_out, void **state_out);

/* The common type of exprs (UNION/CASE rules, PG 10.5); `what` names the
 * construct in errors ("CASE", "UNION", "COALESCE"). */
int bind_common_type(BindCtx *ctx, Expr *const *exprs, uint32_t n, const char *what, LogicalType *out);

/* Evaluates a constant expression now (constant folding). */
int bind_fold(BindCtx *ctx, Expr *e, Expr **out);

/* Resolves a column reference in env's scope chain. */
int bind_column(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out);

int scope_add_item(BindCtx *ctx, Scope *s, const ScopeItem *item);

/* ---- Arrays (bind_array.c) ---- */

/* The array type with element type elem (fields in ctx->a). */
int bind_array_of(BindCtx *ctx, const LogicalType *elem, LogicalType *out);
/* T[] / T[][] type names. */
int bind_array_type_name(BindCtx *ctx, const AstNode *tn, LogicalType *out);
/* ARRAY[...] (target: the array type of an enclosing cast, or NULL). */
int bind_array_ctor(BindCtx *ctx, ExprEnv *env, const AstNode *n, const LogicalType *target, Expr **out);
/* bind_coerce to varchar(n) / char(n) in an explicit or assignment context:
 * e (text) wrapped in the length coercion (bind_char.c). */
int bind_char_coerce(BindCtx *ctx, Expr *e, const LogicalType *t, int context, Expr **out);
int bind_char_compare_args(BindCtx *ctx, const char *op, Expr **args);

/* bind_coerce's array cases ('{1,2}' -> int[], int[] -> bigint[]); *handled false: not one. */
int bind_array_coerce(BindCtx *ctx, Expr *e, const LogicalType *t, int context, Expr **out, bool *handled);
/* bind_function's array cases: || on arrays (*handled), element / array argument casts. */
int bind_array_call(BindCtx *ctx, const char *name, FuncKind kind, Expr **args, uint32_t n, int loc, Expr **out,
                    bool *handled);
/* FROM unnest(args...) [WITH ORDINALITY]: a LOP_PROJECT_SET over LOP_DUMMY
 * (zip semantics: shorter arrays padded with NULL); *names: its output
 * names, changeable by the caller. */
int bind_unnest_op(BindCtx *ctx, Expr **args, uint32_t n, bool ordinality, int loc, LogicalOp **out,
                   const char ***names);
/* 0A000 for constructs whose kernels handle flat values only (CASE,
 * COALESCE, greatest...) when t is an array / nested type. */
int bind_array_refuse(BindCtx *ctx, const LogicalType *t, const char *what, int loc);
/* AST_SUBSCRIPT and AST_ANY_ARRAY. */
int bind_subscript(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out);
int bind_any_array(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out);

/* ---- GROUP BY grouping sets and GROUPING() (bind_group.c) ---- */

/* u.agg.idx of the EX_AGGREF placeholder of GROUPING(args) (args bound). */
#define BIND_GROUPING_IDX UINT32_MAX
/* Binds one GROUP BY expression (positions, output names...). */
typedef int (*BindGroupExprFn)(BindCtx *ctx, void *arg, const AstNode *n, Expr **out);
/* True when the GROUP BY list has ROLLUP / CUBE / GROUPING SETS / () / (a, b) items. */
bool bind_group_has_sets(const AstList *group_by);
/* Expands the GROUP BY list into its distinct key expressions and grouping
 * sets (bit masks over the keys), PostgreSQL's order and duplicates kept. */
int bind_grouping_sets(BindCtx *ctx, const AstList *group_by, bool distinct, BindGroupExprFn fn, void *arg,
                       Expr ***keys_out, uint32_t *n_keys_out, uint64_t **masks_out, uint32_t *n_sets_out);
/* GROUPING(a, ...) in an expression: an EX_AGGREF placeholder. */
int bind_grouping_func(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out);
/* The placeholder's value after grouping: n_keys keys at (group_index, k),
 * the set number at (group_index, n_keys) when n_sets > 0. */
int bind_grouping_rewrite(BindCtx *ctx, const Expr *e, Expr *const *keys, uint32_t n_keys, uint32_t group_index,
                          const uint64_t *masks, uint32_t n_sets, Expr **out);

/* ---- Window functions (bind_window.c) ---- */
/* True for names that exist only as window functions (row_number, lag...). */
bool bind_window_only_name(const char *name);
/* Binds f(...) OVER (...) (n: AST_FUNC with over): collects the call in
 * env->wins and returns a reference to its result column. */
int bind_window_call(BindCtx *ctx, ExprEnv *env, const AstNode *n, const char *name, Expr **out);
/* Checks the WINDOW clause (names unique, references valid). */
int bind_window_defs(BindCtx *ctx, ExprEnv *env, WinCollector *wc);
/* True when `table` is the result binding of one of wc's calls. */
bool bind_window_owns(const WinCollector *wc, uint32_t table);
/* Rewrites every expression of the collected calls with rw (aggregate
 * outputs after GROUP BY; NULL = none) and stacks one WINDOW operator per
 * distinct (PARTITION BY, ORDER BY) over *plan. */
typedef int (*WinRewriteFn)(BindCtx *ctx, Expr *e, Expr **out, void *arg);
int bind_window_plan(BindCtx *ctx, WinCollector *wc, LogicalOp **plan, WinRewriteFn rw, void *arg);

/* ORDER BY inside an aggregate call: binds the keys and wraps ac
 * (agg_ordered.h) unless the aggregate ignores its input order. */
int bind_agg_order(BindCtx *ctx, ExprEnv *env, const AstNode *n, AggCall *ac);

/* ---- Set-returning functions in the select list (bind_srf.c) ---- */
typedef struct SrfCall {
    Expr *call;                 /* EX_FUNC of a FUNC_SRF */
    uint32_t table_index;       /* its result is column (table_index, 0) */
    uint32_t level;             /* 0, or 1 + the level of the calls its arguments use */
} SrfCall;
typedef struct SrfCollector {
    SrfCall *items;
    uint32_t n, cap;
} SrfCollector;
/* Binds a set-returning call n (AST_FUNC) into ctx->srf_cur and returns a
 * reference to its result column; the errors of the places it may not be. */
int bind_srf_call(BindCtx *ctx, ExprEnv *env, const AstNode *n, const char *name, Expr **out);
/* True when `table` is the result binding of one of sc's calls. */
bool bind_srf_owns(const SrfCollector *sc, uint32_t table);
/* True when e uses a result of one of sc's calls. */
bool bind_srf_refs(const SrfCollector *sc, const Expr *e);
/* Stacks the LOP_PROJECT_SET operators (one per nesting level) over *plan;
 * rw (may be NULL) rewrites the calls over the aggregation. */
int bind_srf_plan(BindCtx *ctx, SrfCollector *sc, LogicalOp **plan, WinRewriteFn rw, void *arg);

/* ---- Window table functions TUMBLE / HOP (bind_window_tvf.c, window_tvf.h) ---- */
/* FROM tumble(...) / hop(...) (n: AST_RANGE_FUNCTION). */
int bind_window_tvf(BindCtx *ctx, Scope *scope, const AstNode *n, LogicalOp **out);
/* Restricts a delta_version(...) scan to the files of the thread's stream
 * scope when it lists that table and version; otherwise does nothing. */
void bind_window_tvf_restrict(LogicalOp *get);
/* bind.c's FROM item binder (tables, subqueries, functions, joins). */
int bind_from_item_ext(BindCtx *ctx, Scope *scope, const AstNode *n, LogicalOp **out);

/* bind_cte_share.c: notes a bound reference to a WITH query (cte: its
 * CteDef) or a view (view: "schema.name"), node its plan root;
 * materialized: the WITH query's 0 default, 1 MATERIALIZED, 2 NOT
 * MATERIALIZED.  bind_share_finish: turns the references noted after mark
 * that are shared into CTE scans (LOP_CTE_SCAN), and forgets them. */
struct CteShareRef;
int bind_share_note(BindCtx *ctx, const void *cte, const char *view, const char *name, LogicalOp *node,
                    bool correlated, int materialized);
int bind_share_finish(BindCtx *ctx, struct CteShareRef *mark);

/* Binds a nested query (subquery) with `parent` as enclosing scope. */
int bind_query_scoped(BindCtx *ctx, const AstSelect *s, Scope *parent, BoundQuery *out);

/* ARRAY(SELECT ...) as an ordered array_agg scalar subquery (bind_array_sublink.c). */
int bind_array_sublink(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out);

/* bind_syscat.c: pg_catalog / information_schema (sql/syscat/syscat.h). */
struct SysModel;
struct SysRelDef;
int bind_syscat_model(BindCtx *ctx, bool with_columns, const struct SysModel **out);
/* The system relation schema.name refers to (NULL: none; *rc set when a
 * pg_catalog / information_schema name does not exist: 42P01). */
const struct SysRelDef *bind_syscat_lookup(BindCtx *ctx, const char *schema, const char *name, int loc, int *rc);
int bind_syscat_table(BindCtx *ctx, Scope *scope, const AstNode *n, const struct SysRelDef *def, LogicalOp **out);
/* pg_get_keywords() in FROM (*handled false: another function). */
int bind_syscat_function(BindCtx *ctx, Scope *scope, const AstNode *n, LogicalOp **out, bool *handled);
/* Casts to / through regclass, regtype, regnamespace, regproc, regrole
 * (*handled false: not such a cast). */
int bind_syscat_cast(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out, bool *handled);
/* Around binding a function call: catalog functions get the model. */
int bind_syscat_enter(BindCtx *ctx, const char *name, const void **saved);
void bind_syscat_leave(const void *saved);
/* current_user / session_user: the session's role name. */
const char *bind_syscat_user(BindCtx *ctx);

#endif
