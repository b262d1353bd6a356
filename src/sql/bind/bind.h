/*
 * bind.h - the binder: AST (sql/parse/ast.h) to a typed logical plan
 * (sql/plan/plan.h).
 *
 * Binding resolves every name against the catalog and the FROM clause
 * (PostgreSQL's scoping rules: unqualified columns must be unique across
 * the FROM items, qualified ones name a table alias, output aliases are
 * visible in ORDER BY and - as a fallback - GROUP BY), types every
 * expression, resolves functions and operators the way PostgreSQL does
 * (exact match, implicit casts, preferred types, unknown literals), and
 * checks the rules of aggregation (42803).  Constants are folded on the
 * way (so `WHERE x > 1 + 1` compares with 2, and `1/0` fails at bind
 * time, as in PostgreSQL).
 *
 * Errors carry PostgreSQL's SQLSTATE, message, hint and the position of
 * the offending token.
 *
 * Memory: the plan lives in ctx->a.  Delta snapshots pinned while binding
 * are recorded in ctx->res and released by stmt_res_release after the
 * statement ran (the scan reads exactly the snapshot the binder saw).
 */
#ifndef TARN_SQL_BIND_BIND_H
#define TARN_SQL_BIND_BIND_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "sql/parse/ast.h"
#include "sql/plan/plan.h"
#include "util/err.h"
#include "util/mem.h"

/* Resources a statement holds until it finishes. */
typedef struct StmtRes {
    struct DeltaSnapshot **snaps;
    uint32_t n_snaps, cap_snaps;
} StmtRes;

int stmt_res_add_snapshot(StmtRes *r, struct DeltaSnapshot *s);
void stmt_res_release(StmtRes *r);

typedef struct CteDef CteDef;

/* Query parameters $1..$n (bind_param.c).  Two modes:
 *  - describe (values == NULL): an untyped $n binds as an unknown NULL
 *    literal; the first coercion it meets fixes its type (PostgreSQL's
 *    variable parameters: `col = $1` -> col's type, `$1 + 1` -> integer,
 *    INSERT VALUES ($1) -> the column's type, `$1::int` -> int), recorded
 *    in types[]/known[]; arrays grow in the bind arena.
 *  - execute (values != NULL): $n binds as a constant of types[n-1], so a
 *    prepared statement plans exactly like the same SQL with literals. */
typedef struct BindParams {
    uint32_t n, cap;                /* parameters seen / declared */
    LogicalType *types;             /* types[i]: valid when known[i] */
    bool *known;
    const Value *values;            /* execute mode: n values (strings owned by the caller) */
    bool fixed_count;               /* $k with k > n is 42P02 */
    const struct Expr **unk;        /* describe mode: unknown $k expressions ... */
    uint32_t *unk_no;               /* ... and their k */
    uint32_t n_unk, cap_unk;
    bool position_param;            /* a $k stood where a literal integer would be an ORDER BY /
                                     * GROUP BY / DISTINCT ON position */
} BindParams;

typedef struct BindCtx {
    Arena *a;                       /* plan arena */
    const char *sql;                /* statement text, for error positions */
    Catalog *cat;
    const SqlSettings *settings;
    const char *const *search_path;
    uint32_t n_path;
    StmtRes *res;
    uint32_t next_table;            /* table index allocator */
    uint32_t n_params;              /* init-plan slots allocated (subqueries) */
    uint32_t view_depth;
    uint32_t no_fold;               /* > 0: do not fold (dead CASE branches) */
    uint32_t min_ref_level;         /* lowest scope level an outer column reference
                                     * resolved in, while binding a subquery */
    CteDef *ctes;                   /* visible WITH entries, innermost first */
    BindParams *params;             /* $n; NULL: "there is no parameter $n" */
    TarnError *err;
    const struct WinCollector *wins; /* window calls of the SELECT whose aggregates are being
                                     * rewritten: their result columns are not grouping errors */
    struct WinCollector *win_cur;   /* window calls of the SELECT being bound (select list and
                                     * ORDER BY may hold them; NULL elsewhere) */
    uint8_t win_ctx;                /* 1: binding a window call's arguments, 2: a window definition */
    struct SrfCollector *srf_cur;   /* set-returning calls of the SELECT being bound (select list and
                                     * ORDER BY; NULL elsewhere; bind_srf.c) */
    const char *srf_block;          /* "CASE" / "COALESCE" while binding one: no set-returning calls */
    const struct SrfCollector *srf_rw; /* while rewriting over the aggregate: their result columns */
    uint32_t n_local_refs, n_outer_refs; /* column references bound in the current scope / an
                                     * enclosing one (an aggregate over outer columns only) */
    struct SysModel *syscat;        /* catalog model of this statement (bind_syscat.c), lazily */
    struct CteShareRef *share_refs; /* WITH query / view references bound (bind_cte_share.c) */
} BindCtx;

/* A bound query: its plan and the names of its output columns. */
typedef struct BoundQuery {
    LogicalOp *plan;
    uint32_t n_cols;
    const char **names;             /* output column names */
    LogicalType *types;
    bool *unknown;                  /* column is an untyped literal ('a', NULL): UNION
                                     * resolves it like PostgreSQL; may be NULL */
} BoundQuery;

/* Binds a SELECT (with set operations, WITH, ORDER BY, LIMIT). */
int bind_query(BindCtx *ctx, const AstSelect *s, BoundQuery *out);

/* UPDATE / DELETE: the WHERE (NULL = every row) and, for UPDATE, the new
 * value of each table column (set[c], assignment-cast to the column's
 * type; NULL = unchanged), bound over the table's latest snapshot (pinned
 * in ctx->res).  Column references have Expr.u.col.idx = the table
 * column, so the expressions run on batches of the table schema.
 * Subqueries, FROM / USING and RETURNING are refused (0A000). */
typedef struct BoundDml {
    CatalogRel *rel;
    const Schema *schema;
    struct DeltaSnapshot *snapshot;
    Expr *where;
    Expr **set;
    /* RETURNING (n = 0: none): expressions over the table's columns
     * (Expr.u.col.idx = table column), run on the new rows (UPDATE) or the
     * deleted ones (DELETE).  In join mode exprs is NULL and
     * the values are query columns [query_ret, query_ret + n). */
    struct BoundReturning *ret;
    /* Join mode (UPDATE ... FROM, DELETE ... USING, subqueries in WHERE /
     * SET): `query` yields one row per (target row, match): the target
     * row's columns in table order, then for UPDATE the new value of
     * column c at query_set[c] (-1 = unchanged; assignment-cast).  where
     * and set are then NULL. */
    LogicalOp *query;
    int32_t *query_set;
    uint32_t query_ret;
} BoundDml;
int bind_dml(BindCtx *ctx, const AstStmt *st, BoundDml *out);

/* A RETURNING list bound over a table's columns (Expr.u.col.idx = table
 * column); `*` expands to the table's columns. */
typedef struct BoundReturning {
    Expr **exprs;
    const char **names;
    LogicalType *types;
    uint32_t n;
} BoundReturning;
/* INSERT ... RETURNING: binds `list` over the table named by `table`
 * (AST_RANGE_VAR, alias honoured). */
int bind_returning(BindCtx *ctx, const AstNode *table, const AstList *list, BoundReturning *out);

/* MERGE.  The ON condition must be a conjunction of `target_column =
 * source expression` (else 0A000); `source` is a plan producing the
 * source columns, then the key values (cast to the key columns' types).
 * WHEN expressions run on rows of the target columns followed by the
 * source columns (Expr.u.col.idx set accordingly); set[c] is the new value
 * of column c (UPDATE: NULL = unchanged; INSERT: every column). */
typedef struct BoundMergeWhen {
    bool matched;
    AstMergeAction action;
    Expr *cond;
    Expr **set;
} BoundMergeWhen;
typedef struct BoundMerge {
    CatalogRel *rel;
    const Schema *schema;
    struct DeltaSnapshot *snapshot;
    LogicalOp *source;
    uint32_t n_src_cols;
    uint32_t n_keys;
    const char **key_columns;
    BoundMergeWhen *whens;
    uint32_t n_whens;
    /* ON not only key equalities (n_keys = 0, source NULL): q_pairs yields
     * the matched (target columns, source columns) rows, q_unmatched (NULL
     * without NOT MATCHED clauses) the source rows no target row matches;
     * target_conj are ON's conjuncts over the target alone (pruning;
     * u.col.idx = table column). */
    LogicalOp *q_pairs, *q_unmatched;
    Expr **target_conj;
    uint32_t n_target_conj;
} BoundMerge;
int bind_merge(BindCtx *ctx, const AstStmt *st, BoundMerge *out);

/* Maps a type name (ast AST_TYPE_NAME) to a LogicalType.  42704 for
 * unknown names. */
int bind_type_name(BindCtx *ctx, const AstNode *tn, LogicalType *out);

/* Binds a standalone expression with no columns in scope (SET values,
 * LIMIT, VALUES constants...). */
int bind_constant_expr(BindCtx *ctx, const AstNode *n, Expr **out);

/* Resolves an INSERT target list and source into a plan producing rows in
 * the table schema's column order (assignment casts applied, missing
 * columns NULL).  The relation must be a table. */
int bind_insert(BindCtx *ctx, const AstStmt *st, CatalogRel *rel, const Schema *table_schema, BoundQuery *out);

/* Builds a cast of e to type t in the given context (CAST_EXPLICIT for
 * CAST(), CAST_ASSIGNMENT for INSERT); folds constants.  42846 when no
 * cast exists, 42804 when only a stronger context would allow it. */
int bind_coerce(BindCtx *ctx, Expr *e, const LogicalType *t, int context, Expr **out);

/* Binds $k (AST_PARAM) per ctx->params (see BindParams). */
int bind_param(BindCtx *ctx, const AstNode *n, Expr **out);
/* Describe mode: an unknown parameter expression e is being coerced to t;
 * fixes its type (42P08 when it already has another one). */
int bind_param_infer(BindCtx *ctx, const Expr *e, const LogicalType *t);
/* Describe mode, after binding: unknown parameters among plan's output
 * expressions become text (PostgreSQL resolves unknown select-list items
 * as text); then every parameter 1..n must be known, else 42P18. */
int bind_params_finish(BindCtx *ctx, const LogicalOp *plan);
/* Describe mode: `alias` (a column reference to output col of plan, e.g.
 * a UNION branch or an INSERT ... SELECT source) stands for an unknown $k
 * that plan's select list outputs there, so coercing alias types $k. */
int bind_param_alias(BindCtx *ctx, const LogicalOp *plan, uint32_t col, const Expr *alias);

/* Records an error position from an AST location. */
int bind_error_at(BindCtx *ctx, int loc);

/* Deep copy of a schema into an arena (nested types included). */
Schema *schema_copy_arena(Arena *a, const Schema *s);

#endif
