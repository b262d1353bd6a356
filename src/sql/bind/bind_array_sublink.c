/*
 * bind_array_sublink.c - ARRAY(SELECT ...): the subquery's rows, in its
 * order, as one array (psql's \du and policy queries use it).
 *
 * Rewritten before binding into a scalar subquery PostgreSQL would answer
 * the same:
 *
 *   ARRAY(S)  ->  (SELECT array_cat(array_agg(x ORDER BY n), '{}')
 *                  FROM (SELECT x, row_number() OVER () AS n FROM (S) s0(x)) s1)
 *
 * row_number() numbers the rows in the order S delivers them (its ORDER BY),
 * the ordered aggregate keeps that order, and array_cat with an empty
 * array turns "no rows" into '{}' instead of NULL.  Correlated subqueries
 * work as for any scalar subquery.
 */
#include <string.h>

#include "sql/bind/bind_int.h"

static AstNode *node(BindCtx *ctx, AstKind k, int loc)
{
    AstNode *n = arena_calloc(ctx->a, sizeof *n);
    if (n) {
        n->kind = k;
        n->loc = loc;
    }
    return n;
}

static bool list1(BindCtx *ctx, AstList *l, AstNode *item)
{
    l->items = arena_alloc(ctx->a, sizeof(AstNode *));
    if (!l->items || !item)
        return false;
    l->items[0] = item;
    l->n = 1;
    return true;
}

static AstNode *colref(BindCtx *ctx, const char *name, int loc)
{
    AstNode *c = node(ctx, AST_COLUMN_REF, loc);
    const char **names = arena_alloc(ctx->a, sizeof(char *));
    if (!c || !names)
        return NULL;
    names[0] = name;
    c->u.colref.n = 1;
    c->u.colref.names = names;
    return c;
}

static AstNode *target(BindCtx *ctx, AstNode *val, const char *name, int loc)
{
    AstNode *t = node(ctx, AST_RES_TARGET, loc);
    if (!t || !val)
        return NULL;
    t->u.target.val = val;
    t->u.target.name = name;
    return t;
}

static AstNode *func(BindCtx *ctx, const char *name, int loc)
{
    AstNode *f = node(ctx, AST_FUNC, loc);
    const char **names = arena_alloc(ctx->a, sizeof(char *));
    if (!f || !names)
        return NULL;
    names[0] = name;
    f->u.func.n_names = 1;
    f->u.func.names = names;
    return f;
}

int bind_array_sublink(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out)
{
    int loc = n->loc;
    /* (S) s0(x) */
    AstNode *s0 = node(ctx, AST_RANGE_SUBSELECT, loc);
    if (!s0 || !list1(ctx, &s0->u.subselect.col_aliases, node(ctx, AST_CONST, loc)))
        return ERR_NOMEM(ctx->err, 0);
    s0->u.subselect.select = n->u.sublink.select;
    s0->u.subselect.alias = "?array?";
    s0->u.subselect.col_aliases.items[0]->u.cnst.kind = CONST_STRING;
    s0->u.subselect.col_aliases.items[0]->u.cnst.text = "?x?";
    /* SELECT x, row_number() OVER () AS n FROM s0 */
    AstSelect *mid = arena_calloc(ctx->a, sizeof *mid);
    AstNode *rn = func(ctx, "row_number", loc), *over = node(ctx, AST_WINDOW_DEF, loc);
    if (!mid || !rn || !over)
        return ERR_NOMEM(ctx->err, 0);
    over->u.windef.frame_options = 0x622; /* PostgreSQL's FRAMEOPTION_DEFAULTS */
    rn->u.func.over = over;
    mid->loc = loc;
    mid->targets.items = arena_alloc(ctx->a, 2 * sizeof(AstNode *));
    if (!mid->targets.items || !list1(ctx, &mid->from, s0))
        return ERR_NOMEM(ctx->err, 0);
    mid->targets.items[0] = target(ctx, colref(ctx, "?x?", loc), "?x?", loc);
    mid->targets.items[1] = target(ctx, rn, "?n?", loc);
    mid->targets.n = 2;
    if (!mid->targets.items[0] || !mid->targets.items[1])
        return ERR_NOMEM(ctx->err, 0);
    AstNode *s1 = node(ctx, AST_RANGE_SUBSELECT, loc);
    if (!s1)
        return ERR_NOMEM(ctx->err, 0);
    s1->u.subselect.select = mid;
    s1->u.subselect.alias = "?array1?";
    /* SELECT array_cat(array_agg(x ORDER BY n), '{}') FROM s1 */
    AstNode *agg = func(ctx, "array_agg", loc), *cat = func(ctx, "array_cat", loc), *sb = node(ctx, AST_SORT_BY, loc);
    AstNode *empty = node(ctx, AST_CONST, loc);
    if (!agg || !cat || !sb || !empty || !list1(ctx, &agg->u.func.args, colref(ctx, "?x?", loc)))
        return ERR_NOMEM(ctx->err, 0);
    sb->u.sortby.expr = colref(ctx, "?n?", loc);
    if (!sb->u.sortby.expr || !list1(ctx, &agg->u.func.order_by, sb))
        return ERR_NOMEM(ctx->err, 0);
    empty->u.cnst.kind = CONST_STRING;
    empty->u.cnst.text = "{}";
    cat->u.func.args.items = arena_alloc(ctx->a, 2 * sizeof(AstNode *));
    if (!cat->u.func.args.items)
        return ERR_NOMEM(ctx->err, 0);
    cat->u.func.args.items[0] = agg;
    cat->u.func.args.items[1] = empty;
    cat->u.func.args.n = 2;
    AstSelect *top = arena_calloc(ctx->a, sizeof *top);
    if (!top || !list1(ctx, &top->targets, target(ctx, cat, "array", loc)) || !list1(ctx, &top->from, s1))
        return ERR_NOMEM(ctx->err, 0);
    top->loc = loc;
    AstNode *sl = node(ctx, AST_SUBLINK, loc);
    if (!sl)
        return ERR_NOMEM(ctx->err, 0);
    sl->u.sublink.kind = SUBLINK_SCALAR;
    sl->u.sublink.select = top;
    return bind_expr(ctx, env, sl, out);
}
