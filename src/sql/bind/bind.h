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
    TarnError *err;
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
} BoundDml;
int bind_dml(BindCtx *ctx, const AstStmt *st, BoundDml *out);

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

/* Records an error position from an AST location. */
int bind_error_at(BindCtx *ctx, int loc);

/* Deep copy of a schema into an arena (nested types included). */
Schema *schema_copy_arena(Arena *a, const Schema *s);

#endif
