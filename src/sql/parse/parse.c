/*
 * parse.c - libpg_query's protobuf parse tree to tarn's AST (see parse.h).
 *
 * pg_query_parse_protobuf gives the raw parse tree (PostgreSQL's
 * gram.y output, before analysis) serialised as protobuf; unpacking it
 * with protobuf-c gives PgQuery__Node structs.  Each translator below
 * handles one node family; anything else becomes a 0A000 "not supported"
 * error pointing at the construct.
 */
#include "sql/parse/parse.h"

#include <ctype.h>
#include <pg_query.h>
#include <pthread.h>
#include <pg_query/pg_query.pb-c.h>
#include "sql/parse/parse_cache.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef PgQuery__Node PNode;

typedef struct Tx {
    Arena *a;
    const char *sql;
    TarnError *err;
    int depth;
} Tx;

#define MAX_DEPTH 1000

static int unsupported(Tx *t, int loc, const char *what)
{
    err_set_state(t->err, TARN_ERR_UNSUPPORTED, "0A000", "%s is not supported yet", what);
    sql_err_at(t->err, t->sql, loc);
    return TARN_ERR_UNSUPPORTED;
}

/* the same for a plural subject ("row constructors are not supported yet") */
static int unsupported_pl(Tx *t, int loc, const char *what)
{
    err_set_state(t->err, TARN_ERR_UNSUPPORTED, "0A000", "%s are not supported yet", what);
    sql_err_at(t->err, t->sql, loc);
    return TARN_ERR_UNSUPPORTED;
}

static int nomem(Tx *t) { return ERR_NOMEM(t->err, 0); }

int sql_char_position(const char *sql, int loc)
{
    if (loc < 0 || !sql)
        return 0;
    int pos = 1;
    for (int i = 0; i < loc && sql[i]; i++)
        if (((unsigned char)sql[i] & 0xC0) != 0x80)
            pos++;
    /* count the character at loc itself from 1 */
    return pos;
}

void sql_err_at(TarnError *err, const char *sql, int loc)
{
    if (!err || loc < 0 || err->position)
        return;
    err->position = sql_char_position(sql, loc);
}

static AstNode *node(Tx *t, AstKind k, int loc)
{
    AstNode *n = arena_calloc(t->a, sizeof *n);
    if (!n) {
        nomem(t);
        return NULL;
    }
    n->kind = k;
    n->loc = loc;
    return n;
}

static const char *dup(Tx *t, const char *s)
{
    if (!s)
        return NULL;
    char *d = arena_strdup(t->a, s);
    if (!d)
        nomem(t);
    return d;
}

static const char *str_of(const PNode *n)
{
    if (n && n->node_case == PG_QUERY__NODE__NODE_STRING)
        return n->string->sval;
    return NULL;
}

static AstNode *expr(Tx *t, const PNode *n);
static AstSelect *select_stmt(Tx *t, const PgQuery__SelectStmt *s);
static AstNode *from_item(Tx *t, const PNode *n);

static int list_of(Tx *t, PNode *const *items, size_t n, AstList *out, AstNode *(*fn)(Tx *, const PNode *))
{
    out->n = 0;
    out->items = NULL;
    if (!n)
        return 0;
    out->items = arena_alloc(t->a, n * sizeof(AstNode *));
    if (!out->items)
        return nomem(t);
    for (size_t i = 0; i < n; i++) {
        AstNode *x = fn(t, items[i]);
        if (!x)
            return t->err->kind ? t->err->kind : nomem(t);
        out->items[out->n++] = x;
    }
    return 0;
}

static int name_list(Tx *t, PNode *const *items, size_t n, uint32_t *n_out, const char ***out)
{
    *n_out = 0;
    *out = NULL;
    if (!n)
        return 0;
    const char **names = arena_alloc(t->a, n * sizeof(char *));
    if (!names)
        return nomem(t);
    for (size_t i = 0; i < n; i++) {
        const char *s = str_of(items[i]);
        if (!s)
            return unsupported(t, -1, "this kind of name");
        names[i] = dup(t, s);
        if (!names[i])
            return nomem(t);
    }
    *n_out = (uint32_t)n;
    *out = names;
    return 0;
}

/* ---- Types ----------------------------------------------------------------------- */

static AstNode *type_name(Tx *t, const PgQuery__TypeName *tn)
{
    AstNode *r = node(t, AST_TYPE_NAME, tn->location);
    if (!r)
        return NULL;
    /* pg_catalog.int4 -> int4; user-written names are single parts. */
    const char *last = tn->n_names ? str_of(tn->names[tn->n_names - 1]) : NULL;
    if (!last) {
        unsupported(t, tn->location, "this type name");
        return NULL;
    }
    if (tn->n_names > 1) {
        const char *first = str_of(tn->names[0]);
        if (!first || strcmp(first, "pg_catalog") != 0) {
            err_set_state(t->err, TARN_ERR_NOT_FOUND, "42704", "type \"%s.%s\" does not exist", first ? first : "?",
                          last);
            sql_err_at(t->err, t->sql, tn->location);
            return NULL;
        }
    }
    r->u.typname.name = dup(t, last);
    if (tn->pct_type || tn->setof) {
        unsupported(t, tn->location, "%TYPE / SETOF");
        return NULL;
    }
    for (size_t i = 0; i < tn->n_typmods && i < 4; i++) {
        const PNode *m = tn->typmods[i];
        if (m->node_case == PG_QUERY__NODE__NODE_A_CONST && m->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
            r->u.typname.mods[r->u.typname.n_mods++] = m->a_const->ival->ival;
        } else {
            err_set_state(t->err, TARN_ERR_SYNTAX, "42601", "type modifiers must be simple constants");
            sql_err_at(t->err, t->sql, tn->location);
            return NULL;
        }
    }
    r->u.typname.array_dims = (int)tn->n_array_bounds;
    return r;
}

/* ---- Expressions -------------------------------------------------------------------- */

static AstNode *a_const(Tx *t, const PgQuery__AConst *c)
{
    AstNode *r = node(t, AST_CONST, c->location);
    if (!r)
        return NULL;
    if (c->isnull) {
        r->u.cnst.kind = CONST_NULL;
        return r;
    }
    switch (c->val_case) {
    case PG_QUERY__A__CONST__VAL_IVAL:
        r->u.cnst.kind = CONST_INT;
        r->u.cnst.ival = c->ival->ival;
        break;
    case PG_QUERY__A__CONST__VAL_FVAL:
        r->u.cnst.kind = CONST_NUMERIC;
        r->u.cnst.text = dup(t, c->fval->fval);
        break;
    case PG_QUERY__A__CONST__VAL_SVAL:
        r->u.cnst.kind = CONST_STRING;
        r->u.cnst.text = dup(t, c->sval->sval);
        break;
    case PG_QUERY__A__CONST__VAL_BOOLVAL:
        r->u.cnst.kind = CONST_BOOL;
        r->u.cnst.bval = c->boolval->boolval;
        break;
    case PG_QUERY__A__CONST__VAL_BSVAL:
        r->u.cnst.kind = CONST_BITS;
        r->u.cnst.text = dup(t, c->bsval->bsval);
        break;
    default:
        r->u.cnst.kind = CONST_NULL;
        break;
    }
    return r;
}

static AstNode *op_node(Tx *t, const char *name, AstNode *l, AstNode *r, int loc)
{
    AstNode *n = node(t, AST_OP, loc);
    if (!n)
        return NULL;
    n->u.op.name = name;
    n->u.op.left = l;
    n->u.op.right = r;
    return n;
}

static const char *op_name(Tx *t, PNode *const *names, size_t n, int loc)
{
    if (n == 0)
        return NULL;
    const char *last = str_of(names[n - 1]);
    if (!last)
        return NULL;
    if (n > 1) {
        const char *first = str_of(names[0]);
        if (!first || strcmp(first, "pg_catalog")) {
            unsupported(t, loc, "schema-qualified operator");
            return NULL;
        }
    }
    return dup(t, last);
}

static AstNode *a_expr(Tx *t, const PgQuery__AExpr *e)
{
    int loc = e->location;
    const char *name = op_name(t, e->name, e->n_name, loc);
    if (!name && e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_IN && t->err->kind)
        return NULL;
    switch (e->kind) {
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP: {
        AstNode *l = e->lexpr ? expr(t, e->lexpr) : NULL;
        if (e->lexpr && !l)
            return NULL;
        AstNode *r = e->rexpr ? expr(t, e->rexpr) : NULL;
        if (e->rexpr && !r)
            return NULL;
        if (!r) {
            unsupported(t, loc, "postfix operator");
            return NULL;
        }
        /* Unary: left NULL, the operand in right. */
        return op_node(t, name, l, r, loc);
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT: {
        AstNode *n = node(t, AST_DISTINCT_FROM, loc);
        if (!n || !(n->u.distinct.left = expr(t, e->lexpr)) || !(n->u.distinct.right = expr(t, e->rexpr)))
            return NULL;
        n->u.distinct.is_not = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT;
        return n;
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF: {
        AstNode *n = node(t, AST_NULLIF, loc);
        if (!n)
            return NULL;
        n->u.list.args.items = arena_alloc(t->a, 2 * sizeof(AstNode *));
        if (!n->u.list.args.items)
            return nomem(t), NULL;
        if (!(n->u.list.args.items[0] = expr(t, e->lexpr)) || !(n->u.list.args.items[1] = expr(t, e->rexpr)))
            return NULL;
        n->u.list.args.n = 2;
        return n;
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_IN: {
        AstNode *n = node(t, AST_IN_LIST, loc);
        if (!n || !(n->u.in.arg = expr(t, e->lexpr)))
            return NULL;
        n->u.in.negated = name && !strcmp(name, "<>");
        if (!e->rexpr || e->rexpr->node_case != PG_QUERY__NODE__NODE_LIST) {
            unsupported(t, loc, "IN with this right-hand side");
            return NULL;
        }
        if (list_of(t, e->rexpr->list->items, e->rexpr->list->n_items, &n->u.in.items, expr))
            return NULL;
        return n;
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_LIKE:
    case PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE: {
        AstNode *l = expr(t, e->lexpr);
        if (!l)
            return NULL;
        /* pattern may be like_escape(p, esc) */
        const PNode *pr = e->rexpr;
        /* LIKE p ESCAPE e arrives as ~~ like_escape(p, e) */
        AstNode *r = expr(t, pr);
        if (!r)
            return NULL;
        return op_node(t, name, l, r, loc); /* ~~ !~~ ~~* !~~* */
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_SIMILAR: {
        /* x SIMILAR TO p arrives as x ~ similar_to_escape(p) (PG 15 grammar) */
        AstNode *l = expr(t, e->lexpr);
        AstNode *r = l ? expr(t, e->rexpr) : NULL;
        if (!r)
            return NULL;
        return op_node(t, name, l, r, loc);
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM: {
        AstNode *n = node(t, AST_BETWEEN, loc);
        if (!n || !(n->u.between.arg = expr(t, e->lexpr)))
            return NULL;
        if (!e->rexpr || e->rexpr->node_case != PG_QUERY__NODE__NODE_LIST || e->rexpr->list->n_items != 2) {
            unsupported(t, loc, "this BETWEEN form");
            return NULL;
        }
        if (!(n->u.between.lo = expr(t, e->rexpr->list->items[0])) ||
            !(n->u.between.hi = expr(t, e->rexpr->list->items[1])))
            return NULL;
        n->u.between.negated = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN ||
                               e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM;
        n->u.between.symmetric = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM ||
                                 e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM;
        return n;
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY:
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL: {
        /* x = ANY(ARRAY[...]) / x <> ALL(ARRAY[...]): IN lists */
        if (e->rexpr && e->rexpr->node_case == PG_QUERY__NODE__NODE_A_ARRAY_EXPR && name &&
            ((e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY && !strcmp(name, "=")) ||
             (e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL && !strcmp(name, "<>")))) {
            AstNode *n = node(t, AST_IN_LIST, loc);
            if (!n || !(n->u.in.arg = expr(t, e->lexpr)))
                return NULL;
            n->u.in.negated = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL;
            const PgQuery__AArrayExpr *ae = e->rexpr->a_array_expr;
            if (list_of(t, ae->elements, ae->n_elements, &n->u.in.items, expr))
                return NULL;
            return n;
        }
        {
            AstNode *n = node(t, AST_ANY_ARRAY, loc);
            if (!n || !name || !(n->u.anyarr.left = expr(t, e->lexpr)) || !(n->u.anyarr.right = expr(t, e->rexpr)))
                return NULL;
            n->u.anyarr.name = name;
            n->u.anyarr.all = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL;
            return n;
        }
    }
    default:
        unsupported(t, loc, "this operator form");
        return NULL;
    }
}

static AstNode *sort_by(Tx *t, const PNode *n);

/* OVER (...) / WINDOW w AS (...): the frame stays PostgreSQL's
 * FRAMEOPTION_* bits (gram.y already rejected impossible frames). */
static AstNode *window_def(Tx *t, const PgQuery__WindowDef *w)
{
    AstNode *r = node(t, AST_WINDOW_DEF, w->location);
    if (!r)
        return NULL;
    r->u.windef.name = w->name && *w->name ? dup(t, w->name) : NULL;
    r->u.windef.refname = w->refname && *w->refname ? dup(t, w->refname) : NULL;
    if (list_of(t, w->partition_clause, w->n_partition_clause, &r->u.windef.partition, expr) ||
        list_of(t, w->order_clause, w->n_order_clause, &r->u.windef.order, sort_by))
        return NULL;
    r->u.windef.frame_options = w->frame_options;
    if (w->start_offset && !(r->u.windef.start_off = expr(t, w->start_offset)))
        return NULL;
    if (w->end_offset && !(r->u.windef.end_off = expr(t, w->end_offset)))
        return NULL;
    return r;
}

static AstNode *window_clause_item(Tx *t, const PNode *n)
{
    if (n->node_case != PG_QUERY__NODE__NODE_WINDOW_DEF) {
        unsupported(t, -1, "this WINDOW clause");
        return NULL;
    }
    return window_def(t, n->window_def);
}

static AstNode *func_call(Tx *t, const PgQuery__FuncCall *f)
{
    AstNode *n = node(t, AST_FUNC, f->location);
    if (!n)
        return NULL;
    if (name_list(t, f->funcname, f->n_funcname, &n->u.func.n_names, &n->u.func.names))
        return NULL;
    /* Drop pg_catalog. */
    if (n->u.func.n_names == 2 && !strcmp(n->u.func.names[0], "pg_catalog")) {
        n->u.func.names++;
        n->u.func.n_names = 1;
    }
    n->u.func.star = f->agg_star;
    n->u.func.distinct = f->agg_distinct;
    n->u.func.variadic = f->func_variadic;
    /* Arguments, with named ones (name => value).  An ordered-set
     * aggregate, f(d) WITHIN GROUP (ORDER BY x), becomes f(d, x): direct
     * arguments first, then the ordered ones (the function library's
     * convention, func_agg.c). */
    size_t n_extra = f->agg_within_group ? f->n_agg_order : 0;
    if (f->n_args || n_extra) {
        n->u.func.args.items = arena_alloc(t->a, (f->n_args + n_extra) * sizeof(AstNode *));
        n->u.func.arg_names.items = arena_calloc(t->a, (f->n_args + n_extra) * sizeof(AstNode *));
        if (!n->u.func.args.items || !n->u.func.arg_names.items)
            return nomem(t), NULL;
        bool any_named = false;
        for (size_t i = 0; i < f->n_args; i++) {
            const PNode *a = f->args[i];
            AstNode *v;
            if (a->node_case == PG_QUERY__NODE__NODE_NAMED_ARG_EXPR) {
                AstNode *nm = node(t, AST_CONST, a->named_arg_expr->location);
                if (!nm)
                    return NULL;
                nm->u.cnst.kind = CONST_STRING;
                nm->u.cnst.text = dup(t, a->named_arg_expr->name);
                n->u.func.arg_names.items[i] = nm;
                any_named = true;
                v = expr(t, a->named_arg_expr->arg);
            } else {
                v = expr(t, a);
            }
            if (!v)
                return NULL;
            n->u.func.args.items[n->u.func.args.n++] = v;
        }
        for (size_t i = 0; i < n_extra; i++) {
            const PNode *o = f->agg_order[i];
            const PNode *x = o->node_case == PG_QUERY__NODE__NODE_SORT_BY ? o->sort_by->node : o;
            AstNode *v = expr(t, x);
            if (!v)
                return NULL;
            n->u.func.args.items[n->u.func.args.n++] = v;
        }
        n->u.func.arg_names.n = any_named ? n->u.func.args.n : 0;
    }
    if (f->n_agg_order) {
        if (list_of(t, f->agg_order, f->n_agg_order, &n->u.func.order_by, sort_by))
            return NULL;
        n->u.func.within_group = f->agg_within_group;
    }
    if (f->agg_filter && !(n->u.func.filter = expr(t, f->agg_filter)))
        return NULL;
    if (f->over && !(n->u.func.over = window_def(t, f->over)))
        return NULL;
    return n;
}

static AstNode *sublink(Tx *t, const PgQuery__SubLink *s)
{
    AstNode *n = node(t, AST_SUBLINK, s->location);
    if (!n)
        return NULL;
    switch (s->sub_link_type) {
    case PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK: n->u.sublink.kind = SUBLINK_EXISTS; break;
    case PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK: n->u.sublink.kind = SUBLINK_SCALAR; break;
    case PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK: n->u.sublink.kind = SUBLINK_ANY; break;
    case PG_QUERY__SUB_LINK_TYPE__ALL_SUBLINK: n->u.sublink.kind = SUBLINK_ALL; break;
    case PG_QUERY__SUB_LINK_TYPE__ARRAY_SUBLINK: n->u.sublink.kind = SUBLINK_ARRAY; break;
    default:
        unsupported(t, s->location, "this kind of subquery");
        return NULL;
    }
    if (s->testexpr && !(n->u.sublink.test = expr(t, s->testexpr)))
        return NULL;
    n->u.sublink.op = s->n_oper_name ? op_name(t, s->oper_name, s->n_oper_name, s->location) : "=";
    if (!s->subselect || s->subselect->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
        unsupported(t, s->location, "this subquery");
        return NULL;
    }
    if (!(n->u.sublink.select = select_stmt(t, s->subselect->select_stmt)))
        return NULL;
    return n;
}

static AstNode *expr(Tx *t, const PNode *n)
{
    if (!n) {
        ERR_INTERNAL(t->err, "missing expression");
        return NULL;
    }
    if (++t->depth > MAX_DEPTH) {
        err_set_state(t->err, TARN_ERR_INVALID, "54001", "stack depth limit exceeded");
        return NULL;
    }
    AstNode *r = NULL;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST:
        r = a_const(t, n->a_const);
        break;
    case PG_QUERY__NODE__NODE_COLUMN_REF: {
        const PgQuery__ColumnRef *c = n->column_ref;
        r = node(t, AST_COLUMN_REF, c->location);
        if (!r)
            break;
        r->u.colref.names = arena_alloc(t->a, (c->n_fields ? c->n_fields : 1) * sizeof(char *));
        if (!r->u.colref.names) {
            nomem(t);
            r = NULL;
            break;
        }
        for (size_t i = 0; i < c->n_fields; i++) {
            const PNode *f = c->fields[i];
            if (f->node_case == PG_QUERY__NODE__NODE_A_STAR) {
                r->u.colref.star = true;
                continue;
            }
            const char *s = str_of(f);
            if (!s) {
                unsupported(t, c->location, "this column reference");
                r = NULL;
                break;
            }
            r->u.colref.names[r->u.colref.n++] = dup(t, s);
        }
        break;
    }
    case PG_QUERY__NODE__NODE_PARAM_REF:
        r = node(t, AST_PARAM, n->param_ref->location);
        if (r)
            r->u.param.number = n->param_ref->number;
        break;
    case PG_QUERY__NODE__NODE_A_EXPR:
        r = a_expr(t, n->a_expr);
        break;
    case PG_QUERY__NODE__NODE_BOOL_EXPR: {
        const PgQuery__BoolExpr *b = n->bool_expr;
        AstKind k = b->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR  ? AST_AND
                    : b->boolop == PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR ? AST_OR
                                                                    : AST_NOT;
        r = node(t, k, b->location);
        if (r && list_of(t, b->args, b->n_args, &r->u.boolop.args, expr))
            r = NULL;
        break;
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL:
        r = func_call(t, n->func_call);
        break;
    case PG_QUERY__NODE__NODE_TYPE_CAST: {
        r = node(t, AST_CAST, n->type_cast->location);
        if (r && (!(r->u.cast.arg = expr(t, n->type_cast->arg)) || !(r->u.cast.type = type_name(t, n->type_cast->type_name))))
            r = NULL;
        break;
    }
    case PG_QUERY__NODE__NODE_CASE_EXPR: {
        const PgQuery__CaseExpr *c = n->case_expr;
        r = node(t, AST_CASE, c->location);
        if (!r)
            break;
        if (c->arg && !(r->u.kase.arg = expr(t, c->arg))) {
            r = NULL;
            break;
        }
        r->u.kase.whens.items = arena_alloc(t->a, (c->n_args + 1) * sizeof(AstNode *));
        r->u.kase.thens.items = arena_alloc(t->a, (c->n_args + 1) * sizeof(AstNode *));
        if (!r->u.kase.whens.items || !r->u.kase.thens.items) {
            nomem(t);
            r = NULL;
            break;
        }
        for (size_t i = 0; i < c->n_args; i++) {
            const PgQuery__CaseWhen *w = c->args[i]->case_when;
            AstNode *we = expr(t, w->expr), *te = we ? expr(t, w->result) : NULL;
            if (!we || !te) {
                r = NULL;
                break;
            }
            r->u.kase.whens.items[r->u.kase.whens.n++] = we;
            r->u.kase.thens.items[r->u.kase.thens.n++] = te;
        }
        if (r && c->defresult && !(r->u.kase.else_ = expr(t, c->defresult)))
            r = NULL;
        break;
    }
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
        r = node(t, AST_COALESCE, n->coalesce_expr->location);
        if (r && list_of(t, n->coalesce_expr->args, n->coalesce_expr->n_args, &r->u.list.args, expr))
            r = NULL;
        break;
    case PG_QUERY__NODE__NODE_MIN_MAX_EXPR: {
        const PgQuery__MinMaxExpr *m = n->min_max_expr;
        r = node(t, m->op == PG_QUERY__MIN_MAX_OP__IS_GREATEST ? AST_GREATEST : AST_LEAST, m->location);
        if (r && list_of(t, m->args, m->n_args, &r->u.list.args, expr))
            r = NULL;
        break;
    }
    case PG_QUERY__NODE__NODE_NULL_TEST:
        r = node(t, AST_NULL_TEST, n->null_test->location);
        if (r) {
            r->u.nulltest.is_not = n->null_test->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL;
            if (!(r->u.nulltest.arg = expr(t, n->null_test->arg)))
                r = NULL;
        }
        break;
    case PG_QUERY__NODE__NODE_BOOLEAN_TEST:
        r = node(t, AST_BOOL_TEST, n->boolean_test->location);
        if (r) {
            r->u.booltest.test = (AstBoolTest)(n->boolean_test->booltesttype - 1);
            if (!(r->u.booltest.arg = expr(t, n->boolean_test->arg)))
                r = NULL;
        }
        break;
    case PG_QUERY__NODE__NODE_SUB_LINK:
        r = sublink(t, n->sub_link);
        break;
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION: {
        const PgQuery__SQLValueFunction *s = n->sqlvalue_function;
        r = node(t, AST_SQLVALUE, s->location);
        if (!r)
            break;
        r->u.sqlvalue.precision = s->typmod;
        switch (s->op) {
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_DATE: r->u.sqlvalue.op = SQLV_CURRENT_DATE; break;
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME_N: r->u.sqlvalue.op = SQLV_CURRENT_TIME; break;
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP_N: r->u.sqlvalue.op = SQLV_CURRENT_TIMESTAMP; break;
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME_N: r->u.sqlvalue.op = SQLV_LOCALTIME; break;
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP_N: r->u.sqlvalue.op = SQLV_LOCALTIMESTAMP; break;
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_SCHEMA: r->u.sqlvalue.op = SQLV_CURRENT_SCHEMA; break;
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_CATALOG: r->u.sqlvalue.op = SQLV_CURRENT_CATALOG; break;
        default: r->u.sqlvalue.op = SQLV_CURRENT_USER; break;
        }
        break;
    }
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR:
        r = node(t, AST_ARRAY, n->a_array_expr->location);
        if (r && list_of(t, n->a_array_expr->elements, n->a_array_expr->n_elements, &r->u.list.args, expr))
            r = NULL;
        break;
    case PG_QUERY__NODE__NODE_COLLATE_CLAUSE: {
        /* COLLATE "C" and friends: tarn compares bytes; accept C/POSIX/default. */
        const PgQuery__CollateClause *c = n->collate_clause;
        const char *cn = c->n_collname ? str_of(c->collname[c->n_collname - 1]) : NULL;
        if (cn && (!strcmp(cn, "C") || !strcmp(cn, "POSIX") || !strcmp(cn, "default") || !strcmp(cn, "ucs_basic")))
            r = expr(t, c->arg);
        else
            unsupported(t, c->location, "COLLATE other than \"C\"");
        break;
    }
    case PG_QUERY__NODE__NODE_ROW_EXPR:
        unsupported_pl(t, n->row_expr->location, "row constructors");
        break;
    case PG_QUERY__NODE__NODE_A_INDIRECTION: {
        /* arr[i], arr[lo:hi], (rec).field: one AST_SUBSCRIPT per step */
        const PgQuery__AIndirection *ind = n->a_indirection;
        AstNode *cur = expr(t, ind->arg);
        for (size_t k = 0; cur && k < ind->n_indirection; k++) {
            const PNode *step = ind->indirection[k];
            AstNode *s = node(t, AST_SUBSCRIPT, cur->loc);
            if (!s) {
                cur = NULL;
                break;
            }
            s->u.subscript.arg = cur;
            if (step->node_case == PG_QUERY__NODE__NODE_A_INDICES) {
                const PgQuery__AIndices *ai = step->a_indices;
                s->u.subscript.slice = ai->is_slice;
                if ((ai->lidx && !(s->u.subscript.lo = expr(t, ai->lidx))) ||
                    (ai->uidx && !(s->u.subscript.hi = expr(t, ai->uidx)))) {
                    cur = NULL;
                    break;
                }
            } else if (step->node_case == PG_QUERY__NODE__NODE_STRING) {
                s->u.subscript.field = dup(t, step->string->sval);
                if (!s->u.subscript.field) {
                    cur = NULL;
                    break;
                }
            } else {
                unsupported_pl(t, cur->loc, "this kind of field selection");
                cur = NULL;
                break;
            }
            cur = s;
        }
        r = cur;
        break;
    }
    case PG_QUERY__NODE__NODE_GROUPING_FUNC:
        r = node(t, AST_GROUPING_FUNC, n->grouping_func->location);
        if (r && list_of(t, n->grouping_func->args, n->grouping_func->n_args, &r->u.list.args, expr))
            r = NULL;
        break;
    case PG_QUERY__NODE__NODE_SET_TO_DEFAULT:
        /* DEFAULT in VALUES / SET: the column reference "default" the binder looks for */
        if ((r = node(t, AST_COLUMN_REF, n->set_to_default->location))) {
            const char **nm = arena_alloc(t->a, sizeof(char *));
            if (!nm) {
                nomem(t);
                r = NULL;
                break;
            }
            nm[0] = "default";
            r->u.colref.names = nm;
            r->u.colref.n = 1;
        }
        break;
    default:
        unsupported(t, -1, "this expression");
        break;
    }
    t->depth--;
    return r;
}

/* ---- FROM items ------------------------------------------------------------------------ */

static int alias_of(Tx *t, const PgQuery__Alias *al, const char **name, AstList *cols)
{
    *name = NULL;
    cols->n = 0;
    cols->items = NULL;
    if (!al)
        return 0;
    *name = dup(t, al->aliasname);
    if (al->n_colnames) {
        cols->items = arena_alloc(t->a, al->n_colnames * sizeof(AstNode *));
        if (!cols->items)
            return nomem(t);
        for (size_t i = 0; i < al->n_colnames; i++) {
            AstNode *c = node(t, AST_CONST, -1);
            if (!c)
                return nomem(t);
            c->u.cnst.kind = CONST_STRING;
            c->u.cnst.text = dup(t, str_of(al->colnames[i]));
            cols->items[cols->n++] = c;
        }
    }
    return 0;
}

static AstNode *range_var(Tx *t, const PgQuery__RangeVar *rv)
{
    AstNode *n = node(t, AST_RANGE_VAR, rv->location);
    if (!n)
        return NULL;
    if (rv->catalogname && rv->catalogname[0]) {
        unsupported_pl(t, rv->location, "cross-database references");
        return NULL;
    }
    n->u.rangevar.schema = rv->schemaname && rv->schemaname[0] ? dup(t, rv->schemaname) : NULL;
    n->u.rangevar.name = dup(t, rv->relname);
    if (alias_of(t, rv->alias, &n->u.rangevar.alias, &n->u.rangevar.col_aliases))
        return NULL;
    return n;
}

static AstNode *from_item(Tx *t, const PNode *n)
{
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_RANGE_VAR:
        return range_var(t, n->range_var);
    case PG_QUERY__NODE__NODE_RANGE_SUBSELECT: {
        const PgQuery__RangeSubselect *s = n->range_subselect;
        AstNode *r = node(t, AST_RANGE_SUBSELECT, -1);
        if (!r)
            return NULL;
        r->u.subselect.lateral = s->lateral;
        if (!s->subquery || s->subquery->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
            unsupported(t, -1, "this subquery in FROM");
            return NULL;
        }
        if (!(r->u.subselect.select = select_stmt(t, s->subquery->select_stmt)))
            return NULL;
        if (s->alias && alias_of(t, s->alias, &r->u.subselect.alias, &r->u.subselect.col_aliases))
            return NULL;
        return r;
    }
    case PG_QUERY__NODE__NODE_RANGE_FUNCTION: {
        const PgQuery__RangeFunction *f = n->range_function;
        if (f->is_rowsfrom || f->n_functions != 1) {
            unsupported(t, -1, "ROWS FROM");
            return NULL;
        }
        /* functions[0] is a List (func, coldeflist) */
        const PNode *l = f->functions[0];
        const PNode *fc = l->node_case == PG_QUERY__NODE__NODE_LIST && l->list->n_items ? l->list->items[0] : l;
        if (fc->node_case != PG_QUERY__NODE__NODE_FUNC_CALL) {
            unsupported(t, -1, "this function in FROM");
            return NULL;
        }
        AstNode *r = node(t, AST_RANGE_FUNCTION, fc->func_call->location);
        if (!r)
            return NULL;
        r->u.rangefunc.lateral = f->lateral;
        r->u.rangefunc.ordinality = f->ordinality;
        if (!(r->u.rangefunc.func = func_call(t, fc->func_call)))
            return NULL;
        if (f->alias && alias_of(t, f->alias, &r->u.rangefunc.alias, &r->u.rangefunc.col_aliases))
            return NULL;
        return r;
    }
    case PG_QUERY__NODE__NODE_JOIN_EXPR: {
        const PgQuery__JoinExpr *j = n->join_expr;
        AstNode *r = node(t, AST_JOIN, -1);
        if (!r)
            return NULL;
        switch (j->jointype) {
        case PG_QUERY__JOIN_TYPE__JOIN_INNER: r->u.join.kind = (j->quals || j->n_using_clause || j->is_natural) ? AJOIN_INNER : AJOIN_CROSS; break;
        case PG_QUERY__JOIN_TYPE__JOIN_LEFT: r->u.join.kind = AJOIN_LEFT; break;
        case PG_QUERY__JOIN_TYPE__JOIN_RIGHT: r->u.join.kind = AJOIN_RIGHT; break;
        case PG_QUERY__JOIN_TYPE__JOIN_FULL: r->u.join.kind = AJOIN_FULL; break;
        default:
            unsupported(t, -1, "this join type");
            return NULL;
        }
        r->u.join.natural = j->is_natural;
        if (!(r->u.join.left = from_item(t, j->larg)) || !(r->u.join.right = from_item(t, j->rarg)))
            return NULL;
        if (j->quals && !(r->u.join.on = expr(t, j->quals)))
            return NULL;
        if (j->n_using_clause &&
            name_list(t, j->using_clause, j->n_using_clause, &r->u.join.n_using, &r->u.join.using_cols))
            return NULL;
        if (j->alias) {
            AstList cols;
            if (alias_of(t, j->alias, &r->u.join.alias, &cols))
                return NULL;
            if (cols.n) {
                unsupported_pl(t, -1, "column aliases on a join");
                return NULL;
            }
        }
        return r;
    }
    default:
        unsupported(t, -1, "this FROM item");
        return NULL;
    }
}

/* ---- SELECT ---------------------------------------------------------------------------------- */

static AstNode *res_target(Tx *t, const PNode *n)
{
    if (n->node_case != PG_QUERY__NODE__NODE_RES_TARGET) {
        unsupported(t, -1, "this target");
        return NULL;
    }
    const PgQuery__ResTarget *rt = n->res_target;
    AstNode *r = node(t, AST_RES_TARGET, rt->location);
    if (!r)
        return NULL;
    r->u.target.name = rt->name && rt->name[0] ? dup(t, rt->name) : NULL;
    r->u.target.n_indirection = (uint32_t)rt->n_indirection;
    if (rt->n_indirection) {
        unsupported_pl(t, rt->location, "subscripted targets");
        return NULL;
    }
    if (rt->val && !(r->u.target.val = expr(t, rt->val)))
        return NULL;
    return r;
}

static AstNode *sort_by(Tx *t, const PNode *n)
{
    if (n->node_case != PG_QUERY__NODE__NODE_SORT_BY)
        return expr(t, n);
    const PgQuery__SortBy *s = n->sort_by;
    AstNode *r = node(t, AST_SORT_BY, s->location);
    if (!r)
        return NULL;
    if (s->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_USING) {
        unsupported(t, s->location, "ORDER BY ... USING");
        return NULL;
    }
    r->u.sortby.dir = s->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_ASC ? 1 : s->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_DESC ? 2 : 0;
    r->u.sortby.nulls = s->sortby_nulls == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST ? 1
                        : s->sortby_nulls == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST ? 2 : 0;
    if (!(r->u.sortby.expr = expr(t, s->node)))
        return NULL;
    return r;
}

/* A GROUP BY item: an expression, or a grouping set (ROLLUP, CUBE,
 * GROUPING SETS, (), or a parenthesized list (a, b), which PostgreSQL's
 * grammar gives as an implicit row). */
static AstNode *group_item(Tx *t, const PNode *n)
{
    if (n->node_case == PG_QUERY__NODE__NODE_ROW_EXPR &&
        n->row_expr->row_format == PG_QUERY__COERCION_FORM__COERCE_IMPLICIT_CAST) {
        AstNode *r = node(t, AST_GROUPING_SET, n->row_expr->location);
        if (!r)
            return NULL;
        r->u.gset.kind = GSET_SIMPLE;
        if (list_of(t, n->row_expr->args, n->row_expr->n_args, &r->u.gset.items, expr))
            return NULL;
        return r;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_GROUPING_SET) {
        const PgQuery__GroupingSet *g = n->grouping_set;
        AstNode *r = node(t, AST_GROUPING_SET, g->location);
        if (!r)
            return NULL;
        switch (g->kind) {
        case PG_QUERY__GROUPING_SET_KIND__GROUPING_SET_EMPTY: r->u.gset.kind = GSET_EMPTY; break;
        case PG_QUERY__GROUPING_SET_KIND__GROUPING_SET_ROLLUP: r->u.gset.kind = GSET_ROLLUP; break;
        case PG_QUERY__GROUPING_SET_KIND__GROUPING_SET_CUBE: r->u.gset.kind = GSET_CUBE; break;
        case PG_QUERY__GROUPING_SET_KIND__GROUPING_SET_SETS: r->u.gset.kind = GSET_SETS; break;
        default: r->u.gset.kind = GSET_SIMPLE; break;
        }
        if (list_of(t, g->content, g->n_content, &r->u.gset.items, group_item))
            return NULL;
        return r;
    }
    return expr(t, n);
}

static AstNode *values_row(Tx *t, const PNode *n)
{
    if (n->node_case != PG_QUERY__NODE__NODE_LIST) {
        unsupported(t, -1, "this VALUES row");
        return NULL;
    }
    AstNode *r = node(t, AST_ARRAY, -1);
    if (r && list_of(t, n->list->items, n->list->n_items, &r->u.list.args, expr))
        return NULL;
    return r;
}

static AstNode *cte(Tx *t, const PNode *n)
{
    const PgQuery__CommonTableExpr *c = n->common_table_expr;
    AstNode *r = node(t, AST_CTE, c->location);
    if (!r)
        return NULL;
    r->u.cte.name = dup(t, c->ctename);
    r->u.cte.materialized = (int)c->ctematerialized;
    if (c->search_clause || c->cycle_clause) {
        unsupported_pl(t, c->location, "SEARCH / CYCLE clauses");
        return NULL;
    }
    if (c->n_aliascolnames) {
        r->u.cte.col_names.items = arena_alloc(t->a, c->n_aliascolnames * sizeof(AstNode *));
        if (!r->u.cte.col_names.items)
            return nomem(t), NULL;
        for (size_t i = 0; i < c->n_aliascolnames; i++) {
            AstNode *cn = node(t, AST_CONST, -1);
            if (!cn)
                return NULL;
            cn->u.cnst.kind = CONST_STRING;
            cn->u.cnst.text = dup(t, str_of(c->aliascolnames[i]));
            r->u.cte.col_names.items[r->u.cte.col_names.n++] = cn;
        }
    }
    if (!c->ctequery || c->ctequery->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
        unsupported_pl(t, c->location, "data-modifying statements in WITH");
        return NULL;
    }
    if (!(r->u.cte.select = select_stmt(t, c->ctequery->select_stmt)))
        return NULL;
    return r;
}

static AstSelect *select_stmt(Tx *t, const PgQuery__SelectStmt *s)
{
    if (++t->depth > MAX_DEPTH) {
        err_set_state(t->err, TARN_ERR_INVALID, "54001", "stack depth limit exceeded");
        return NULL;
    }
    AstSelect *r = arena_calloc(t->a, sizeof *r);
    if (!r)
        return nomem(t), NULL;
    r->loc = -1;
    if (s->into_clause) {
        unsupported(t, -1, "SELECT INTO");
        return NULL;
    }
    if (s->n_locking_clause) {
        unsupported(t, -1, "FOR UPDATE/SHARE");
        return NULL;
    }
    if (s->with_clause) {
        r->recursive = s->with_clause->recursive;
        if (list_of(t, s->with_clause->ctes, s->with_clause->n_ctes, &r->ctes, cte))
            return NULL;
    }
    switch (s->op) {
    case PG_QUERY__SET_OPERATION__SETOP_UNION: r->op = SETOP_UNION; break;
    case PG_QUERY__SET_OPERATION__SETOP_INTERSECT: r->op = SETOP_INTERSECT; break;
    case PG_QUERY__SET_OPERATION__SETOP_EXCEPT: r->op = SETOP_EXCEPT; break;
    default: r->op = SETOP_NONE; break;
    }
    if (r->op != SETOP_NONE) {
        r->all = s->all;
        if (!(r->larg = select_stmt(t, s->larg)) || !(r->rarg = select_stmt(t, s->rarg)))
            return NULL;
    } else {
        if (s->n_distinct_clause) {
            r->distinct = true;
            /* SELECT DISTINCT gives a list with one NULL node; DISTINCT ON a list of exprs */
            if (!(s->n_distinct_clause == 1 && s->distinct_clause[0]->node_case == PG_QUERY__NODE__NODE__NOT_SET)) {
                if (list_of(t, s->distinct_clause, s->n_distinct_clause, &r->distinct_on, expr))
                    return NULL;
            }
        }
        if (list_of(t, s->target_list, s->n_target_list, &r->targets, res_target) ||
            list_of(t, s->from_clause, s->n_from_clause, &r->from, from_item))
            return NULL;
        if (s->where_clause && !(r->where = expr(t, s->where_clause)))
            return NULL;
        r->group_distinct = s->group_distinct;
        if (list_of(t, s->group_clause, s->n_group_clause, &r->group_by, group_item))
            return NULL;
        if (s->having_clause && !(r->having = expr(t, s->having_clause)))
            return NULL;
        if (list_of(t, s->window_clause, s->n_window_clause, &r->windows, window_clause_item))
            return NULL;
        if (list_of(t, s->values_lists, s->n_values_lists, &r->values, values_row))
            return NULL;
    }
    if (list_of(t, s->sort_clause, s->n_sort_clause, &r->order_by, sort_by))
        return NULL;
    if (s->limit_count && !(r->limit = expr(t, s->limit_count)))
        return NULL;
    if (s->limit_offset && !(r->offset = expr(t, s->limit_offset)))
        return NULL;
    r->with_ties = s->limit_option == PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_WITH_TIES;
    if (r->with_ties) {
        unsupported(t, -1, "FETCH ... WITH TIES");
        return NULL;
    }
    t->depth--;
    return r;
}

/* ---- DDL pieces ----------------------------------------------------------------------------------- */

static AstNode *def_elem(Tx *t, const PNode *n)
{
    if (n->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) {
        unsupported(t, -1, "this option");
        return NULL;
    }
    const PgQuery__DefElem *d = n->def_elem;
    AstNode *r = node(t, AST_DEF_ELEM, d->location);
    if (!r)
        return NULL;
    if (d->defnamespace && d->defnamespace[0]) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s.%s", d->defnamespace, d->defname);
        r->u.defelem.name = dup(t, buf);
    } else {
        r->u.defelem.name = dup(t, d->defname);
    }
    const PNode *a = d->arg;
    if (!a)
        return r;
    char buf[64];
    switch (a->node_case) {
    case PG_QUERY__NODE__NODE_STRING: r->u.defelem.str = dup(t, a->string->sval); break;
    case PG_QUERY__NODE__NODE_INTEGER:
        snprintf(buf, sizeof buf, "%d", a->integer->ival);
        r->u.defelem.str = dup(t, buf);
        break;
    case PG_QUERY__NODE__NODE_FLOAT: r->u.defelem.str = dup(t, a->float_->fval); break;
    case PG_QUERY__NODE__NODE_BOOLEAN: r->u.defelem.str = a->boolean->boolval ? "true" : "false"; break;
    case PG_QUERY__NODE__NODE_TYPE_NAME:
        r->u.defelem.str = a->type_name->n_names ? dup(t, str_of(a->type_name->names[a->type_name->n_names - 1])) : NULL;
        break;
    case PG_QUERY__NODE__NODE_A_STAR: r->u.defelem.str = "*"; break;
    case PG_QUERY__NODE__NODE_LIST: {
        /* list of names: join with ',' */
        Buf b;
        buf_init(&b);
        for (size_t i = 0; i < a->list->n_items; i++) {
            const char *s = str_of(a->list->items[i]);
            if (s)
                buf_printf(&b, "%s%s", i ? "," : "", s);
        }
        buf_terminate(&b);
        r->u.defelem.str = dup(t, b.data ? (const char *)b.data : "");
        buf_free(&b);
        break;
    }
    default:
        if (!(r->u.defelem.arg = expr(t, a)))
            return NULL;
    }
    return r;
}

static AstNode *column_def(Tx *t, const PNode *n)
{
    if (n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
        unsupported_pl(t, n->constraint->location, "table constraints");
        return NULL;
    }
    if (n->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) {
        unsupported(t, -1, "this table element");
        return NULL;
    }
    const PgQuery__ColumnDef *c = n->column_def;
    AstNode *r = node(t, AST_COLUMN_DEF, c->location);
    if (!r)
        return NULL;
    r->u.coldef.name = dup(t, c->colname);
    if (!(r->u.coldef.type = type_name(t, c->type_name)))
        return NULL;
    r->u.coldef.not_null = c->is_not_null;
    for (size_t i = 0; i < c->n_constraints; i++) {
        const PgQuery__Constraint *k = c->constraints[i]->constraint;
        switch (k->contype) {
        case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL: r->u.coldef.not_null = true; break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_NULL: break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
            /* Accepted as NOT NULL (uniqueness is not enforced on a lake). */
            r->u.coldef.not_null = true;
            r->u.coldef.primary_key = true;
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
            if (!(r->u.coldef.default_expr = expr(t, k->raw_expr)))
                return NULL;
            break;
        default:
            unsupported(t, k->location, "this column constraint");
            return NULL;
        }
    }
    return r;
}

static AstNode *name_as_colref(Tx *t, const PNode *n)
{
    const char *s = str_of(n);
    if (!s && n->node_case == PG_QUERY__NODE__NODE_RES_TARGET)
        s = n->res_target->name;
    AstNode *r = node(t, AST_COLUMN_REF, n->node_case == PG_QUERY__NODE__NODE_RES_TARGET ? n->res_target->location : -1);
    if (!r)
        return NULL;
    r->u.colref.names = arena_alloc(t->a, sizeof(char *));
    if (!r->u.colref.names)
        return nomem(t), NULL;
    r->u.colref.names[0] = dup(t, s ? s : "?");
    r->u.colref.n = 1;
    return r;
}

static AstNode *rangevar_node(Tx *t, const PNode *n)
{
    if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR)
        return range_var(t, n->range_var);
    /* DROP lists: each a List of String names */
    if (n->node_case == PG_QUERY__NODE__NODE_LIST) {
        AstNode *r = node(t, AST_RANGE_VAR, -1);
        if (!r)
            return NULL;
        const PgQuery__List *l = n->list;
        if (l->n_items == 1) {
            r->u.rangevar.name = dup(t, str_of(l->items[0]));
        } else if (l->n_items == 2) {
            r->u.rangevar.schema = dup(t, str_of(l->items[0]));
            r->u.rangevar.name = dup(t, str_of(l->items[1]));
        } else {
            unsupported_pl(t, -1, "cross-database references");
            return NULL;
        }
        return r;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_STRING) {
        AstNode *r = node(t, AST_RANGE_VAR, -1);
        if (r)
            r->u.rangevar.name = dup(t, n->string->sval);
        return r;
    }
    unsupported(t, -1, "this object name");
    return NULL;
}

/* ---- Statements --------------------------------------------------------------------------------------- */


static AstStmt *statement(Tx *t, const PNode *n)
{
    AstStmt *s = arena_calloc(t->a, sizeof *s);
    if (!s)
        return nomem(t), NULL;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_SELECT_STMT:
        s->kind = STMT_SELECT;
        if (!(s->u.select = select_stmt(t, n->select_stmt)))
            return NULL;
        return s;
    case PG_QUERY__NODE__NODE_INSERT_STMT: {
        const PgQuery__InsertStmt *i = n->insert_stmt;
        s->kind = STMT_INSERT;
        if (i->on_conflict_clause)
            return unsupported(t, -1, "ON CONFLICT"), NULL;
        if (i->with_clause)
            return unsupported(t, -1, "WITH on INSERT"), NULL;
        if (!(s->u.insert.table = range_var(t, i->relation)))
            return NULL;
        if (list_of(t, i->cols, i->n_cols, &s->u.insert.columns, name_as_colref))
            return NULL;
        if (i->select_stmt) {
            if (i->select_stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
                return unsupported(t, -1, "this INSERT source"), NULL;
            if (!(s->u.insert.select = select_stmt(t, i->select_stmt->select_stmt)))
                return NULL;
        }
        if (list_of(t, i->returning_list, i->n_returning_list, &s->u.insert.returning, res_target))
            return NULL;
        return s;
    }
    case PG_QUERY__NODE__NODE_UPDATE_STMT: {
        const PgQuery__UpdateStmt *u = n->update_stmt;
        s->kind = STMT_UPDATE;
        if (u->with_clause) {
            s->u.update.recursive = u->with_clause->recursive;
            if (list_of(t, u->with_clause->ctes, u->with_clause->n_ctes, &s->u.update.ctes, cte))
                return NULL;
        }
        if (!(s->u.update.table = range_var(t, u->relation)) ||
            list_of(t, u->target_list, u->n_target_list, &s->u.update.set, res_target) ||
            list_of(t, u->from_clause, u->n_from_clause, &s->u.update.from, from_item) ||
            list_of(t, u->returning_list, u->n_returning_list, &s->u.update.returning, res_target))
            return NULL;
        if (u->where_clause && !(s->u.update.where = expr(t, u->where_clause)))
            return NULL;
        return s;
    }
    case PG_QUERY__NODE__NODE_DELETE_STMT: {
        const PgQuery__DeleteStmt *d = n->delete_stmt;
        s->kind = STMT_DELETE;
        if (d->with_clause) {
            s->u.del.recursive = d->with_clause->recursive;
            if (list_of(t, d->with_clause->ctes, d->with_clause->n_ctes, &s->u.del.ctes, cte))
                return NULL;
        }
        if (!(s->u.del.table = range_var(t, d->relation)) ||
            list_of(t, d->using_clause, d->n_using_clause, &s->u.del.using_, from_item) ||
            list_of(t, d->returning_list, d->n_returning_list, &s->u.del.returning, res_target))
            return NULL;
        if (d->where_clause && !(s->u.del.where = expr(t, d->where_clause)))
            return NULL;
        return s;
    }
    case PG_QUERY__NODE__NODE_CREATE_STMT: {
        const PgQuery__CreateStmt *c = n->create_stmt;
        s->kind = STMT_CREATE_TABLE;
        if (c->n_inh_relations || c->partbound || c->of_typename)
            return unsupported(t, -1, "INHERITS / PARTITION OF / OF type"), NULL;
        if (c->partspec)
            return unsupported(t, -1, "PARTITION BY (use WITH (partition_by = 'a,b'))"), NULL;
        if (c->relation->relpersistence && c->relation->relpersistence[0] == 't')
            return unsupported_pl(t, c->relation->location, "temporary tables"), NULL;
        if (!(s->u.create_table.table = range_var(t, c->relation)))
            return NULL;
        if (list_of(t, c->table_elts, c->n_table_elts, &s->u.create_table.columns, column_def) ||
            list_of(t, c->options, c->n_options, &s->u.create_table.options, def_elem))
            return NULL;
        s->u.create_table.if_not_exists = c->if_not_exists;
        return s;
    }
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT: {
        const PgQuery__CreateTableAsStmt *c = n->create_table_as_stmt;
        s->kind = STMT_CREATE_TABLE_AS;
        if (c->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
            return unsupported_pl(t, -1, "materialized views"), NULL;
        if (!c->query || c->query->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
            return unsupported(t, -1, "this CREATE TABLE AS source"), NULL;
        if (!(s->u.ctas.table = range_var(t, c->into->rel)) ||
            !(s->u.ctas.select = select_stmt(t, c->query->select_stmt)))
            return NULL;
        if (list_of(t, c->into->col_names, c->into->n_col_names, &s->u.ctas.col_names, name_as_colref) ||
            list_of(t, c->into->options, c->into->n_options, &s->u.ctas.options, def_elem))
            return NULL;
        s->u.ctas.if_not_exists = c->if_not_exists;
        s->u.ctas.with_no_data = c->into->skip_data;
        return s;
    }
    case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT: {
        const PgQuery__CreateSchemaStmt *c = n->create_schema_stmt;
        s->kind = STMT_CREATE_SCHEMA;
        if (c->n_schema_elts)
            return unsupported(t, -1, "CREATE SCHEMA with elements"), NULL;
        if (!c->schemaname)
            return unsupported(t, -1, "CREATE SCHEMA AUTHORIZATION"), NULL;
        s->u.create_schema.name = dup(t, c->schemaname);
        s->u.create_schema.if_not_exists = c->if_not_exists;
        return s;
    }
    case PG_QUERY__NODE__NODE_VIEW_STMT: {
        const PgQuery__ViewStmt *v = n->view_stmt;
        s->kind = STMT_CREATE_VIEW;
        if (!v->query || v->query->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
            return unsupported(t, -1, "this view query"), NULL;
        if (v->view->relpersistence && v->view->relpersistence[0] == 't')
            return unsupported_pl(t, v->view->location, "temporary views"), NULL;
        if (!(s->u.create_view.view = range_var(t, v->view)) ||
            !(s->u.create_view.select = select_stmt(t, v->query->select_stmt)))
            return NULL;
        if (list_of(t, v->aliases, v->n_aliases, &s->u.create_view.col_names, name_as_colref))
            return NULL;
        s->u.create_view.replace = v->replace;
        return s;
    }
    case PG_QUERY__NODE__NODE_DROP_STMT: {
        const PgQuery__DropStmt *d = n->drop_stmt;
        s->kind = STMT_DROP;
        switch (d->remove_type) {
        case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE: s->u.drop.kind = DROP_TABLE; break;
        case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: s->u.drop.kind = DROP_SCHEMA; break;
        case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW: s->u.drop.kind = DROP_VIEW; break;
        default: return unsupported(t, -1, "DROP of this object type"), NULL;
        }
        s->u.drop.if_exists = d->missing_ok;
        s->u.drop.cascade = d->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
        if (list_of(t, d->objects, d->n_objects, &s->u.drop.names, rangevar_node))
            return NULL;
        return s;
    }
    case PG_QUERY__NODE__NODE_COPY_STMT: {
        const PgQuery__CopyStmt *c = n->copy_stmt;
        s->kind = STMT_COPY;
        if (c->is_program)
            return unsupported(t, -1, "COPY ... PROGRAM"), NULL;
        if (c->where_clause)
            return unsupported(t, -1, "COPY ... WHERE"), NULL;
        if (c->relation && !(s->u.copy.table = range_var(t, c->relation)))
            return NULL;
        if (c->query) {
            if (c->query->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
                return unsupported(t, -1, "COPY of this query"), NULL;
            if (!(s->u.copy.query = select_stmt(t, c->query->select_stmt)))
                return NULL;
        }
        if (list_of(t, c->attlist, c->n_attlist, &s->u.copy.columns, name_as_colref) ||
            list_of(t, c->options, c->n_options, &s->u.copy.options, def_elem))
            return NULL;
        s->u.copy.is_from = c->is_from;
        s->u.copy.file = c->filename ? dup(t, c->filename) : NULL;
        return s;
    }
    case PG_QUERY__NODE__NODE_EXPLAIN_STMT: {
        const PgQuery__ExplainStmt *e = n->explain_stmt;
        s->kind = STMT_EXPLAIN;
        for (size_t i = 0; i < e->n_options; i++) {
            const PgQuery__DefElem *d = e->options[i]->def_elem;
            bool on = !d->arg || (d->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN && d->arg->boolean->boolval) ||
                      (d->arg->node_case == PG_QUERY__NODE__NODE_STRING &&
                       (!strcmp(d->arg->string->sval, "true") || !strcmp(d->arg->string->sval, "on")));
            if (!strcmp(d->defname, "analyze"))
                s->u.explain.analyze = on;
            else if (!strcmp(d->defname, "verbose"))
                s->u.explain.verbose = on;
        }
        if (!(s->u.explain.stmt = statement(t, e->query)))
            return NULL;
        return s;
    }
    case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT: {
        const PgQuery__VariableSetStmt *v = n->variable_set_stmt;
        switch (v->kind) {
        case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE:
        case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT:
            s->kind = STMT_SET;
            s->u.set.name = dup(t, v->name);
            s->u.set.is_local = v->is_local;
            s->u.set.to_default = v->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT;
            if (list_of(t, v->args, v->n_args, &s->u.set.args, expr))
                return NULL;
            return s;
        case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET:
            s->kind = STMT_RESET;
            s->u.reset.name = dup(t, v->name);
            return s;
        case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL:
            s->kind = STMT_RESET;
            s->u.reset.all = true;
            return s;
        case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_MULTI:
            /* SET TIME ZONE ... arrives as name "timezone" with args; SET TRANSACTION ... ignored */
            if (v->name && !strcmp(v->name, "TRANSACTION")) {
                s->kind = STMT_TRANSACTION;
                s->u.txn.kind = TXN_BEGIN;
                return unsupported(t, -1, "SET TRANSACTION"), NULL;
            }
            return unsupported(t, -1, "this SET form"), NULL;
        default:
            return unsupported(t, -1, "this SET form"), NULL;
        }
    }
    case PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT:
        s->kind = STMT_SHOW;
        s->u.show.name = dup(t, n->variable_show_stmt->name);
        return s;
    case PG_QUERY__NODE__NODE_TRANSACTION_STMT: {
        s->kind = STMT_TRANSACTION;
        switch (n->transaction_stmt->kind) {
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START: s->u.txn.kind = TXN_BEGIN; break;
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT: s->u.txn.kind = TXN_COMMIT; break;
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK: s->u.txn.kind = TXN_ROLLBACK; break;
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_SAVEPOINT: s->u.txn.kind = TXN_SAVEPOINT; break;
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_RELEASE: s->u.txn.kind = TXN_RELEASE; break;
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_TO: s->u.txn.kind = TXN_ROLLBACK_TO; break;
        default: return unsupported_pl(t, -1, "two-phase commit"), NULL;
        }
        if (s->u.txn.kind >= TXN_SAVEPOINT && !(s->u.txn.savepoint = dup(t, n->transaction_stmt->savepoint_name)))
            return NULL;
        return s;
    }
    case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
        s->kind = STMT_TRUNCATE;
        if (list_of(t, n->truncate_stmt->relations, n->truncate_stmt->n_relations, &s->u.truncate.tables, rangevar_node))
            return NULL;
        return s;
    case PG_QUERY__NODE__NODE_MERGE_STMT: {
        const PgQuery__MergeStmt *m = n->merge_stmt;
        s->kind = STMT_MERGE;
        if (m->with_clause)
            return unsupported(t, -1, "WITH on MERGE"), NULL;
        if (!(s->u.merge.table = range_var(t, m->relation)) || !(s->u.merge.source = from_item(t, m->source_relation)) ||
            !(s->u.merge.on = expr(t, m->join_condition)))
            return NULL;
        s->u.merge.n_whens = (uint32_t)m->n_merge_when_clauses;
        s->u.merge.whens = arena_calloc(t->a, (m->n_merge_when_clauses + 1) * sizeof(AstMergeWhen));
        if (!s->u.merge.whens)
            return nomem(t), NULL;
        for (size_t i = 0; i < m->n_merge_when_clauses; i++) {
            const PgQuery__MergeWhenClause *w = m->merge_when_clauses[i]->merge_when_clause;
            AstMergeWhen *o = &s->u.merge.whens[i];
            if (!w)
                return unsupported(t, -1, "this WHEN clause"), NULL;
            o->matched = w->matched;
            o->loc = -1;
            switch (w->command_type) {
            case PG_QUERY__CMD_TYPE__CMD_UPDATE: o->action = MERGE_DO_UPDATE; break;
            case PG_QUERY__CMD_TYPE__CMD_DELETE: o->action = MERGE_DO_DELETE; break;
            case PG_QUERY__CMD_TYPE__CMD_INSERT: o->action = MERGE_DO_INSERT; break;
            case PG_QUERY__CMD_TYPE__CMD_NOTHING: o->action = MERGE_DO_NOTHING; break;
            default: return unsupported(t, -1, "this MERGE action"), NULL;
            }
            if (w->override != PG_QUERY__OVERRIDING_KIND__OVERRIDING_NOT_SET &&
                w->override != PG_QUERY__OVERRIDING_KIND__OVERRIDING_KIND_UNDEFINED)
                return unsupported(t, -1, "OVERRIDING"), NULL;
            if (w->condition && !(o->cond = expr(t, w->condition)))
                return NULL;
            if (list_of(t, w->target_list, w->n_target_list, &o->targets, res_target) ||
                list_of(t, w->values, w->n_values, &o->values, expr))
                return NULL;
        }
        return s;
    }
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT: {
        const PgQuery__AlterTableStmt *a = n->alter_table_stmt;
        s->kind = STMT_ALTER_TABLE;
        if (a->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
            return unsupported(t, -1, "this ALTER statement"), NULL;
        if (!(s->u.alter.table = range_var(t, a->relation)))
            return NULL;
        s->u.alter.if_exists = a->missing_ok;
        s->u.alter.add_columns.items = arena_alloc(t->a, (a->n_cmds + 1) * sizeof(AstNode *));
        s->u.alter.cmds = arena_calloc(t->a, (a->n_cmds + 1) * sizeof(AstAlterCmd));
        if (!s->u.alter.add_columns.items || !s->u.alter.cmds)
            return nomem(t), NULL;
        for (size_t i = 0; i < a->n_cmds; i++) {
            const PgQuery__AlterTableCmd *c = a->cmds[i]->alter_table_cmd;
            if (!c)
                return unsupported(t, -1, "this ALTER TABLE action"), NULL;
            AstAlterCmd *ac = &s->u.alter.cmds[s->u.alter.n_cmds];
            ac->missing_ok = c->missing_ok;
            ac->loc = -1;
            ac->name = c->name && c->name[0] ? dup(t, c->name) : NULL;
            switch (c->subtype) {
            case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn: {
                AstNode *cd = column_def(t, c->def);
                if (!cd)
                    return NULL;
                s->u.alter.col_if_not_exists |= c->missing_ok;
                s->u.alter.add_columns.items[s->u.alter.add_columns.n++] = cd;
                ac->kind = ALTER_ADD_COLUMN;
                ac->def = cd;
                ac->loc = cd->loc;
                break;
            }
            case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
                if (c->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE)
                    return unsupported(t, -1, "DROP COLUMN ... CASCADE"), NULL;
                ac->kind = ALTER_DROP_COLUMN;
                break;
            case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
                ac->kind = ALTER_SET_NOT_NULL;
                break;
            case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull:
                ac->kind = ALTER_DROP_NOT_NULL;
                break;
            case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType: {
                if (!c->def || c->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF || !c->def->column_def->type_name)
                    return unsupported(t, -1, "this ALTER COLUMN TYPE form"), NULL;
                const PgQuery__ColumnDef *cd = c->def->column_def;
                ac->kind = ALTER_COLUMN_TYPE;
                ac->loc = cd->location;
                if (!(ac->def = type_name(t, cd->type_name)))
                    return NULL;
                if (cd->raw_default && !(ac->using_ = expr(t, cd->raw_default)))
                    return NULL;
                break;
            }
            default:
                return unsupported(t, -1, "this ALTER TABLE action"), NULL;
            }
            s->u.alter.n_cmds++;
        }
        return s;
    }
    case PG_QUERY__NODE__NODE_PREPARE_STMT: {
        const PgQuery__PrepareStmt *p = n->prepare_stmt;
        s->kind = STMT_PREPARE;
        s->u.prepare.name = dup(t, p->name);
        s->u.prepare.types.items = arena_alloc(t->a, (p->n_argtypes + 1) * sizeof(AstNode *));
        if (!s->u.prepare.types.items)
            return nomem(t), NULL;
        for (size_t i = 0; i < p->n_argtypes; i++) {
            if (p->argtypes[i]->node_case != PG_QUERY__NODE__NODE_TYPE_NAME)
                return unsupported(t, -1, "this parameter type"), NULL;
            AstNode *tn = type_name(t, p->argtypes[i]->type_name);
            if (!tn)
                return NULL;
            s->u.prepare.types.items[s->u.prepare.types.n++] = tn;
        }
        if (!(s->u.prepare.stmt = statement(t, p->query)))
            return NULL;
        return s;
    }
    case PG_QUERY__NODE__NODE_EXECUTE_STMT:
        s->kind = STMT_EXECUTE;
        s->u.execute.name = dup(t, n->execute_stmt->name);
        if (list_of(t, n->execute_stmt->params, n->execute_stmt->n_params, &s->u.execute.args, expr))
            return NULL;
        return s;
    case PG_QUERY__NODE__NODE_DEALLOCATE_STMT:
        s->kind = STMT_DEALLOCATE;
        s->u.deallocate.name = n->deallocate_stmt->name && n->deallocate_stmt->name[0] ? dup(t, n->deallocate_stmt->name) : NULL;
        return s;
    case PG_QUERY__NODE__NODE_RENAME_STMT: {
        const PgQuery__RenameStmt *r = n->rename_stmt;
        bool col = r->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN && r->relation_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE;
        if (!col && r->rename_type != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE && r->rename_type != PG_QUERY__OBJECT_TYPE__OBJECT_VIEW)
            return unsupported(t, -1, "this ALTER ... RENAME"), NULL;
        if (!r->relation)
            return unsupported(t, -1, "this ALTER ... RENAME"), NULL;
        s->kind = STMT_ALTER_TABLE;
        if (!(s->u.alter.table = range_var(t, r->relation)))
            return NULL;
        s->u.alter.if_exists = r->missing_ok;
        s->u.alter.cmds = arena_calloc(t->a, sizeof(AstAlterCmd));
        if (!s->u.alter.cmds)
            return nomem(t), NULL;
        s->u.alter.n_cmds = 1;
        s->u.alter.cmds[0].kind = col ? ALTER_RENAME_COLUMN : ALTER_RENAME_TABLE;
        s->u.alter.cmds[0].name = col ? dup(t, r->subname) : NULL;
        s->u.alter.cmds[0].new_name = dup(t, r->newname);
        s->u.alter.cmds[0].loc = -1;
        return s;
    }
    default:
        return unsupported(t, -1, "this statement"), NULL;
    }
}

static int parse_impl(const char *sql, Arena *a, AstStmtList *out, TarnError *err)
{
    out->n = 0;
    out->stmts = NULL;
    PgQueryProtobufParseResult pr = parse_cached(sql); /* parse_cache.h */
    int rc = 0;
    PgQuery__ParseResult *tree = NULL;
    if (pr.error) {
        /* the grammar's window frame checks are 42P20 (windowing_error) in PostgreSQL */
        const char *m = pr.error->message;
        bool frame = !strncmp(m, "frame start cannot", 18) || !strncmp(m, "frame end cannot", 16) ||
                     !strncmp(m, "frame starting from", 19);
        err_set_state(err, TARN_ERR_SYNTAX, frame ? "42P20" : "42601", "%s", m);
        if (err && !err->position)
            err->position = pr.error->cursorpos > 0 ? pr.error->cursorpos : 0;
        rc = TARN_ERR_SYNTAX;
        goto done;
    }
    tree = pg_query__parse_result__unpack(NULL, pr.parse_tree.len, (const uint8_t *)pr.parse_tree.data);
    if (!tree) {
        rc = ERR_INTERNAL(err, "cannot unpack the parse tree");
        goto done;
    }
    out->stmts = arena_alloc(a, (tree->n_stmts ? tree->n_stmts : 1) * sizeof(AstStmt *));
    if (!out->stmts) {
        rc = ERR_NOMEM(err, tree->n_stmts * sizeof(AstStmt *));
        goto done;
    }
    Tx t = {a, sql, err, 0};
    for (size_t i = 0; i < tree->n_stmts; i++) {
        const PgQuery__RawStmt *rs = tree->stmts[i];
        if (!rs->stmt)
            continue;
        AstStmt *s = statement(&t, rs->stmt);
        if (!s) {
            rc = err && err->kind ? err->kind : TARN_ERR_INTERNAL;
            /* Point at the statement when nothing more precise is known. */
            sql_err_at(err, sql, rs->stmt_location);
            goto done;
        }
        s->loc = rs->stmt_location;
        s->len = rs->stmt_len ? rs->stmt_len : (int)strlen(sql + rs->stmt_location);
        out->stmts[out->n++] = s;
    }
done:
    if (tree)
        pg_query__parse_result__free_unpacked(tree, NULL);
    parse_cached_free(pr);
    return rc;
}

/* Deeply nested statements (1+1+...+1, thousands of levels) make the
 * recursive protobuf unpacking of libpg_query's tree overflow an ordinary
 * stack before our own depth check (54001) sees them: long statements are
 * parsed on a thread with a large stack (reserved, touched only as used). */
typedef struct ParseJob {
    const char *sql;
    Arena *a;
    AstStmtList *out;
    TarnError *err;
    int rc;
} ParseJob;

static void *parse_thread(void *arg)
{
    ParseJob *j = arg;
    j->rc = parse_impl(j->sql, j->a, j->out, j->err);
    return NULL;
}

/* libpg_query packs its tree with protobuf-c, whose size computation is
 * quadratic in the nesting depth: a chain of 100000 `1+` would take
 * minutes before our depth check (54001) runs.  An arithmetic chain nests
 * one level per operator, so more such operators than 4 * MAX_DEPTH in one
 * comma-free stretch of text (outside literals and comments) is refused
 * up front with the same error. */
static bool too_deep(const char *s)
{
    uint32_t ops = 0;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (c == '\'' || c == '"') {
            bool esc = c == '\'' && p > s && (p[-1] == 'E' || p[-1] == 'e');
            for (p++; *p; p++) {
                if (esc && *p == '\\' && p[1]) {
                    p++;
                } else if (*p == c) {
                    if (p[1] == c)
                        p++;
                    else
                        break;
                }
            }
            if (!*p)
                return false;
        } else if (c == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
            if (!*p)
                return false;
        } else if (c == '/' && p[1] == '*') {
            int lvl = 1;
            for (p += 2; *p && lvl; p++) {
                if (*p == '/' && p[1] == '*')
                    lvl++, p++;
                else if (*p == '*' && p[1] == '/')
                    lvl--, p++;
            }
            if (!*p)
                return false;
        } else if (c == '$' && (p == s || !(isalnum((unsigned char)p[-1]) || p[-1] == '_'))) {
            const char *q = p + 1;
            while (isalnum((unsigned char)*q) || *q == '_')
                q++;
            if (*q != '$')
                continue;
            size_t tl = (size_t)(q - p + 1);
            const char *e;
            for (e = q + 1; *e && strncmp(e, p, tl); e++)
                ;
            if (!*e)
                return false;
            p = e + tl - 1;
        } else if (c == ',' || c == ';') {
            ops = 0;
        } else if (c == '+' || c == '-' || c == '*' || c == '/' || c == '%' || c == '^' || (c == '|' && p[1] == '|')) {
            if (++ops > 4 * MAX_DEPTH)
                return true;
        }
    }
    return false;
}

int sql_parse(const char *sql, Arena *a, AstStmtList *out, TarnError *err)
{
    if (strlen(sql) < 4096)
        return parse_impl(sql, a, out, err);
    if (too_deep(sql)) {
        out->n = 0;
        out->stmts = NULL;
        return err_set_state(err, TARN_ERR_INVALID, "54001", "stack depth limit exceeded");
    }
    ParseJob j = {sql, a, out, err, 0};
    pthread_attr_t at;
    pthread_t th;
    if (pthread_attr_init(&at) == 0) {
        bool started = pthread_attr_setstacksize(&at, (size_t)1 << 30) == 0 &&
                       pthread_create(&th, &at, parse_thread, &j) == 0;
        pthread_attr_destroy(&at);
        if (started) {
            pthread_join(th, NULL);
            return j.rc;
        }
    }
    return parse_impl(sql, a, out, err);
}
