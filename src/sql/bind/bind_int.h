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
} AggCollector;

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

/* Binds a nested query (subquery) with `parent` as enclosing scope. */
int bind_query_scoped(BindCtx *ctx, const AstSelect *s, Scope *parent, BoundQuery *out);

#endif
