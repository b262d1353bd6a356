/*
 * plan.c - helpers for bound expressions and logical operators (plan.h).
 */
#include "sql/plan/plan.h"

#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "sql/func/cast.h"
#include "vector/format.h"

LogicalOp *lop_new(Arena *a, LopKind kind, uint32_t n_children)
{
    LogicalOp *op = arena_calloc(a, sizeof *op);
    if (!op)
        return NULL;
    op->kind = kind;
    op->n_children = n_children;
    if (n_children) {
        op->children = arena_calloc(a, n_children * sizeof(LogicalOp *));
        if (!op->children)
            return NULL;
    }
    op->est_rows = -1;
    return op;
}

Expr *expr_new(Arena *a, ExprKind kind, LogicalType type, uint32_t n_args, int loc)
{
    Expr *e = arena_calloc(a, sizeof *e);
    if (!e)
        return NULL;
    e->kind = kind;
    e->type = type;
    e->loc = loc;
    e->n_args = n_args;
    if (n_args) {
        e->args = arena_calloc(a, n_args * sizeof(Expr *));
        if (!e->args)
            return NULL;
    }
    return e;
}

Expr *expr_const(Arena *a, const Value *v, LogicalType type, int loc)
{
    Expr *e = expr_new(a, EX_CONST, type, 0, loc);
    if (!e)
        return NULL;
    e->u.cnst = *v;
    e->u.cnst.type = type.id;
    e->u.cnst.precision = type.precision;
    e->u.cnst.scale = type.scale;
    return e;
}

Expr *expr_colref(Arena *a, ColBinding b, LogicalType type, const char *name)
{
    Expr *e = expr_new(a, EX_COLREF, type, 0, -1);
    if (!e)
        return NULL;
    e->u.col.b = b;
    e->u.col.name = name;
    return e;
}

Expr *expr_copy(Arena *a, const Expr *e)
{
    if (!e)
        return NULL;
    Expr *c = arena_alloc(a, sizeof *c);
    if (!c)
        return NULL;
    *c = *e;
    if (e->n_args) {
        c->args = arena_alloc(a, e->n_args * sizeof(Expr *));
        if (!c->args)
            return NULL;
        for (uint32_t i = 0; i < e->n_args; i++)
            if (e->args[i] && !(c->args[i] = expr_copy(a, e->args[i])))
                return NULL;
    }
    return c;
}

static bool value_equal(const Value *a, const Value *b)
{
    if (a->is_null != b->is_null || a->type != b->type)
        return false;
    if (a->is_null)
        return true;
    switch (a->type) {
    case TYPE_STRING: case TYPE_BLOB: case TYPE_JSON:
        return a->v.s.len == b->v.s.len && !memcmp(a->v.s.ptr, b->v.s.ptr, a->v.s.len);
    case TYPE_DECIMAL:
        return a->scale == b->scale && (a->precision > 18 ? a->v.i128 == b->v.i128 : a->v.i == b->v.i);
    case TYPE_FLOAT: case TYPE_DOUBLE: return a->v.d == b->v.d;
    case TYPE_BOOL: return a->v.b == b->v.b;
    case TYPE_INTERVAL: return !memcmp(&a->v.iv, &b->v.iv, sizeof a->v.iv);
    case TYPE_UUID: return !memcmp(a->v.uuid, b->v.uuid, 16);
    default: return a->v.i == b->v.i;
    }
}

bool expr_equal(const Expr *a, const Expr *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->kind != b->kind || a->n_args != b->n_args || !type_equal(&a->type, &b->type))
        return false;
    switch (a->kind) {
    case EX_CONST:
        if (!value_equal(&a->u.cnst, &b->u.cnst))
            return false;
        break;
    case EX_COLREF:
        if (!binding_eq(a->u.col.b, b->u.col.b))
            return false;
        break;
    case EX_FUNC:
        if (a->u.func.def != b->u.func.def)
            return false;
        break;
    case EX_PARAM:
        if (a->u.param.slot != b->u.param.slot)
            return false;
        break;
    case EX_AGGREF:
        if (a->u.agg.idx != b->u.agg.idx)
            return false;
        break;
    case EX_SUBQUERY:
        return false;
    case EX_CASE:
        if (a->u.kase.has_else != b->u.kase.has_else)
            return false;
        break;
    default:
        break;
    }
    for (uint32_t i = 0; i < a->n_args; i++)
        if (!expr_equal(a->args[i], b->args[i]))
            return false;
    return true;
}

bool expr_is_constant(const Expr *e)
{
    if (!e)
        return true;
    switch (e->kind) {
    case EX_COLREF: case EX_PARAM: case EX_AGGREF: case EX_SUBQUERY:
        return false;
    case EX_FUNC:
        if (e->u.func.def->flags & FUNC_VOLATILE)
            return false;
        break;
    default:
        break;
    }
    for (uint32_t i = 0; i < e->n_args; i++)
        if (!expr_is_constant(e->args[i]))
            return false;
    return true;
}

bool expr_has_volatile(const Expr *e)
{
    if (!e)
        return false;
    if (e->kind == EX_FUNC && (e->u.func.def->flags & FUNC_VOLATILE))
        return true;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (expr_has_volatile(e->args[i]))
            return true;
    return false;
}

bool expr_refs_only(const Expr *e, const ColBinding *set, uint32_t n)
{
    if (!e)
        return true;
    if (e->kind == EX_COLREF) {
        for (uint32_t i = 0; i < n; i++)
            if (binding_eq(set[i], e->u.col.b))
                return true;
        return false;
    }
    if (e->kind == EX_SUBQUERY || e->kind == EX_AGGREF)
        return false;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (!expr_refs_only(e->args[i], set, n))
            return false;
    return true;
}

int expr_collect_refs(Arena *a, const Expr *e, ColBinding **out, uint32_t *n, uint32_t *cap)
{
    if (!e)
        return 0;
    if (e->kind == EX_COLREF) {
        for (uint32_t i = 0; i < *n; i++)
            if (binding_eq((*out)[i], e->u.col.b))
                return 0;
        if (*n == *cap) {
            uint32_t nc = *cap ? *cap * 2 : 16;
            ColBinding *nb = arena_alloc(a, nc * sizeof *nb);
            if (!nb)
                return TARN_ERR_NOMEM;
            if (*n)
                memcpy(nb, *out, *n * sizeof *nb);
            *out = nb;
            *cap = nc;
        }
        (*out)[(*n)++] = e->u.col.b;
        return 0;
    }
    for (uint32_t i = 0; i < e->n_args; i++)
        if (expr_collect_refs(a, e->args[i], out, n, cap))
            return TARN_ERR_NOMEM;
    return 0;
}

/* ---- Output columns of operators ---------------------------------------------------- */

static int set_outputs(Arena *a, LogicalOp *op, uint32_t n)
{
    op->n_out = n;
    op->out = arena_calloc(a, (n ? n : 1) * sizeof(ColBinding));
    op->out_types = arena_calloc(a, (n ? n : 1) * sizeof(LogicalType));
    op->out_names = arena_calloc(a, (n ? n : 1) * sizeof(char *));
    return op->out && op->out_types && op->out_names ? 0 : TARN_ERR_NOMEM;
}

static int copy_outputs(Arena *a, LogicalOp *op, const LogicalOp *from, uint32_t off)
{
    for (uint32_t i = 0; i < from->n_out; i++) {
        op->out[off + i] = from->out[i];
        op->out_types[off + i] = from->out_types[i];
        op->out_names[off + i] = from->out_names[i];
    }
    (void)a;
    return 0;
}

int lop_resolve(Arena *a, LogicalOp *op, bool deep)
{
    if (deep)
        for (uint32_t i = 0; i < op->n_children; i++)
            if (lop_resolve(a, op->children[i], true))
                return TARN_ERR_NOMEM;
    switch (op->kind) {
    case LOP_GET: {
        if (set_outputs(a, op, op->u.get.n_cols))
            return TARN_ERR_NOMEM;
        for (uint32_t i = 0; i < op->u.get.n_cols; i++) {
            uint32_t c = op->u.get.col_ids[i];
            op->out[i] = (ColBinding){op->u.get.table_index, c};
            op->out_types[i] = op->u.get.schema->fields[c].type;
            op->out_names[i] = op->u.get.schema->fields[c].name;
        }
        return 0;
    }
    case LOP_FILTER: case LOP_SORT: case LOP_LIMIT:
        if (set_outputs(a, op, op->children[0]->n_out))
            return TARN_ERR_NOMEM;
        return copy_outputs(a, op, op->children[0], 0);
    case LOP_PROJECT:
        if (set_outputs(a, op, op->u.project.n_exprs))
            return TARN_ERR_NOMEM;
        for (uint32_t i = 0; i < op->u.project.n_exprs; i++) {
            op->out[i] = (ColBinding){op->u.project.table_index, i};
            op->out_types[i] = op->u.project.exprs[i]->type;
            const Expr *e = op->u.project.exprs[i];
            op->out_names[i] = e->kind == EX_COLREF ? e->u.col.name : "?column?";
        }
        return 0;
    case LOP_AGGREGATE: {
        uint32_t ng = op->u.agg.n_groups, na = op->u.agg.n_aggs;
        if (set_outputs(a, op, ng + na))
            return TARN_ERR_NOMEM;
        for (uint32_t i = 0; i < ng; i++) {
            op->out[i] = (ColBinding){op->u.agg.group_index, i};
            op->out_types[i] = op->u.agg.groups[i]->type;
            op->out_names[i] = op->u.agg.groups[i]->kind == EX_COLREF ? op->u.agg.groups[i]->u.col.name : "?column?";
        }
        for (uint32_t j = 0; j < na; j++) {
            op->out[ng + j] = (ColBinding){op->u.agg.agg_index, j};
            op->out_types[ng + j] = op->u.agg.aggs[j].type;
            op->out_names[ng + j] = op->u.agg.aggs[j].name;
        }
        return 0;
    }
    case LOP_JOIN: {
        const LogicalOp *l = op->children[0], *r = op->children[1];
        bool left_only = op->u.join.kind == JOIN_SEMI || op->u.join.kind == JOIN_ANTI;
        if (set_outputs(a, op, l->n_out + (left_only ? 0 : r->n_out)))
            return TARN_ERR_NOMEM;
        copy_outputs(a, op, l, 0);
        if (!left_only)
            copy_outputs(a, op, r, l->n_out);
        return 0;
    }
    case LOP_UNION: {
        const LogicalOp *c = op->children[0];
        if (set_outputs(a, op, c->n_out))
            return TARN_ERR_NOMEM;
        for (uint32_t i = 0; i < c->n_out; i++) {
            op->out[i] = (ColBinding){op->u.setop.table_index, i};
            op->out_types[i] = c->out_types[i];
            op->out_names[i] = c->out_names[i];
        }
        return 0;
    }
    case LOP_VALUES:
        if (set_outputs(a, op, op->u.values.n_cols))
            return TARN_ERR_NOMEM;
        for (uint32_t i = 0; i < op->u.values.n_cols; i++) {
            op->out[i] = (ColBinding){op->u.values.table_index, i};
            op->out_types[i] = op->u.values.n_rows ? op->u.values.rows[0][i]->type : type_simple(TYPE_NULL);
            char *nm = arena_alloc(a, 24);
            if (!nm)
                return TARN_ERR_NOMEM;
            snprintf(nm, 24, "column%u", i + 1);
            op->out_names[i] = nm;
        }
        return 0;
    case LOP_DUMMY:
        return set_outputs(a, op, 0);
    case LOP_EMPTY:
        /* keeps whatever outputs the binder gave it */
        return 0;
    case LOP_WINDOW: {
        const LogicalOp *c = op->children[0];
        if (set_outputs(a, op, c->n_out + op->u.win.n_calls))
            return TARN_ERR_NOMEM;
        copy_outputs(a, op, c, 0);
        for (uint32_t k = 0; k < op->u.win.n_calls; k++) {
            op->out[c->n_out + k] = (ColBinding){op->u.win.calls[k].table_index, 0};
            op->out_types[c->n_out + k] = op->u.win.calls[k].agg.type;
            op->out_names[c->n_out + k] = op->u.win.calls[k].agg.name;
        }
        return 0;
    }
    case LOP_PROJECT_SET: {
        const LogicalOp *c = op->children[0];
        if (set_outputs(a, op, c->n_out + op->u.pset.n_calls))
            return TARN_ERR_NOMEM;
        copy_outputs(a, op, c, 0);
        for (uint32_t k = 0; k < op->u.pset.n_calls; k++) {
            op->out[c->n_out + k] = (ColBinding){op->u.pset.table_index[k], 0};
            op->out_types[c->n_out + k] = op->u.pset.calls[k]->type;
            op->out_names[c->n_out + k] = op->u.pset.calls[k]->u.func.def->name;
        }
        return 0;
    }
    case LOP_APPLY: {
        const LogicalOp *l = op->children[0], *r = op->children[1];
        bool join = op->u.join.apply == APPLY_JOIN;
        if (set_outputs(a, op, l->n_out + (join ? r->n_out : 1)))
            return TARN_ERR_NOMEM;
        copy_outputs(a, op, l, 0);
        if (join) {
            copy_outputs(a, op, r, l->n_out);
        } else {
            op->out[l->n_out] = (ColBinding){op->u.join.mark_index, 0};
            op->out_types[l->n_out] = op->u.join.mark_type;
            op->out_names[l->n_out] = "?subquery?";
        }
        return 0;
    }
    case LOP_CTE_SCAN:
        if (set_outputs(a, op, op->u.cte.n_cols))
            return TARN_ERR_NOMEM;
        for (uint32_t i = 0; i < op->u.cte.n_cols; i++) {
            op->out[i] = op->u.cte.cols[i];
            op->out_types[i] = op->u.cte.types[i];
            op->out_names[i] = op->u.cte.names[i];
        }
        return 0;
    case LOP_RECURSIVE:
    case LOP_WORKTABLE: {
        const LogicalOp *r = op->kind == LOP_RECURSIVE ? op : op->u.work.rec;
        uint32_t ti = op->kind == LOP_RECURSIVE ? op->u.rec.table_index : op->u.work.table_index;
        if (set_outputs(a, op, r->u.rec.n_cols))
            return TARN_ERR_NOMEM;
        for (uint32_t i = 0; i < r->u.rec.n_cols; i++) {
            op->out[i] = (ColBinding){ti, i};
            op->out_types[i] = r->u.rec.types[i];
            op->out_names[i] = r->u.rec.names[i];
        }
        return 0;
    }
    }
    return 0;
}

/* ---- EXPLAIN text ----------------------------------------------------------------------- */

static int value_text(const Expr *e, Buf *out)
{
    const Value *v = &e->u.cnst;
    if (v->is_null)
        return buf_printf(out, "NULL");
    Vector vec;
    if (vec_init(&vec, &e->type))
        return TARN_ERR_NOMEM;
    int rc = value_to_vector(v, &e->type, &vec);
    if (!rc) {
        bool quote = e->type.id != TYPE_BOOL && sqltype_category(e->type.id) != TCAT_NUMERIC;
        if (quote)
            buf_append_byte(out, '\'');
        if (e->type.id == TYPE_BOOL)
            rc = buf_printf(out, "%s", v->v.b ? "true" : "false");
        else
            rc = value_format_text(&vec, 0, out);
        if (quote)
            buf_append_byte(out, '\'');
        if (quote || e->type.id == TYPE_DECIMAL) {
            char tn[64];
            buf_printf(out, "::%s", sqltype_name(&e->type, tn, sizeof tn));
        }
    }
    vec_destroy(&vec);
    return rc;
}

int expr_to_text(const Expr *e, Buf *out)
{
    if (!e)
        return buf_printf(out, "?");
    switch (e->kind) {
    case EX_CONST:
        return value_text(e, out);
    case EX_COLREF:
        return buf_printf(out, "%s", e->u.col.name ? e->u.col.name : "?");
    case EX_PARAM:
        return buf_printf(out, "$initplan%u", e->u.param.slot);
    case EX_AGGREF:
        return buf_printf(out, "agg%u", e->u.agg.idx);
    case EX_SUBQUERY:
        return buf_printf(out, "(subquery)");
    case EX_FUNC: {
        const FuncDef *d = e->u.func.def;
        if (d->kind == FUNC_OPERATOR) {
            buf_append_byte(out, '(');
            if (e->n_args == 2) {
                expr_to_text(e->args[0], out);
                buf_printf(out, " %s ", d->name);
                expr_to_text(e->args[1], out);
            } else {
                buf_printf(out, "%s", d->name);
                expr_to_text(e->args[0], out);
            }
            return buf_append_byte(out, ')');
        }
        buf_printf(out, "%s(", d->name);
        for (uint32_t i = 0; i < e->n_args; i++) {
            if (i)
                buf_printf(out, ", ");
            expr_to_text(e->args[i], out);
        }
        return buf_append_byte(out, ')');
    }
    case EX_CAST: {
        char tn[64];
        buf_printf(out, "CAST(");
        expr_to_text(e->args[0], out);
        return buf_printf(out, " AS %s)", sqltype_name(&e->type, tn, sizeof tn));
    }
    case EX_AND: case EX_OR: {
        buf_append_byte(out, '(');
        for (uint32_t i = 0; i < e->n_args; i++) {
            if (i)
                buf_printf(out, e->kind == EX_AND ? " AND " : " OR ");
            expr_to_text(e->args[i], out);
        }
        return buf_append_byte(out, ')');
    }
    case EX_NOT:
        buf_printf(out, "(NOT ");
        expr_to_text(e->args[0], out);
        return buf_append_byte(out, ')');
    case EX_IS_NULL: case EX_IS_NOT_NULL:
        buf_append_byte(out, '(');
        expr_to_text(e->args[0], out);
        return buf_printf(out, e->kind == EX_IS_NULL ? " IS NULL)" : " IS NOT NULL)");
    case EX_CASE: {
        buf_printf(out, "CASE");
        uint32_t nw = (e->n_args - (e->u.kase.has_else ? 1 : 0)) / 2;
        for (uint32_t i = 0; i < nw; i++) {
            buf_printf(out, " WHEN ");
            expr_to_text(e->args[2 * i], out);
            buf_printf(out, " THEN ");
            expr_to_text(e->args[2 * i + 1], out);
        }
        if (e->u.kase.has_else) {
            buf_printf(out, " ELSE ");
            expr_to_text(e->args[e->n_args - 1], out);
        }
        return buf_printf(out, " END");
    }
    case EX_COALESCE:
        buf_printf(out, "COALESCE(");
        for (uint32_t i = 0; i < e->n_args; i++) {
            if (i)
                buf_printf(out, ", ");
            expr_to_text(e->args[i], out);
        }
        return buf_append_byte(out, ')');
    }
    return 0;
}

static void each_expr_of(Expr *const *v, uint32_t n, void (*fn)(void *ctx, const Expr *e), void *ctx)
{
    for (uint32_t i = 0; i < n; i++)
        fn(ctx, v[i]);
}

void lop_each_expr(const LogicalOp *op, void (*fn)(void *ctx, const Expr *e), void *ctx)
{
    switch (op->kind) {
    case LOP_GET: each_expr_of(op->u.get.filters, op->u.get.n_filters, fn, ctx); break;
    case LOP_FILTER: each_expr_of(op->u.filter.conds, op->u.filter.n_conds, fn, ctx); break;
    case LOP_PROJECT: each_expr_of(op->u.project.exprs, op->u.project.n_exprs, fn, ctx); break;
    case LOP_PROJECT_SET: each_expr_of(op->u.pset.calls, op->u.pset.n_calls, fn, ctx); break;
    case LOP_JOIN:
    case LOP_APPLY: each_expr_of(op->u.join.conds, op->u.join.n_conds, fn, ctx); break;
    case LOP_AGGREGATE:
        each_expr_of(op->u.agg.groups, op->u.agg.n_groups, fn, ctx);
        for (uint32_t j = 0; j < op->u.agg.n_aggs; j++) {
            each_expr_of(op->u.agg.aggs[j].args, op->u.agg.aggs[j].n_args, fn, ctx);
            fn(ctx, op->u.agg.aggs[j].filter);
        }
        break;
    case LOP_SORT:
        for (uint32_t i = 0; i < op->u.sort.n_items; i++)
            fn(ctx, op->u.sort.items[i].expr);
        break;
    default: break;
    }
}

void lopset_add(LopSet *s, LogicalOp *op)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (s->v[i] == op)
            return;
    if (s->n == s->cap) {
        uint32_t nc = s->cap ? s->cap * 2 : 8;
        LogicalOp **nv = arena_alloc(s->a, nc * sizeof *nv);
        if (!nv) {
            s->nomem = true;
            return;
        }
        if (s->n)
            memcpy(nv, s->v, s->n * sizeof *nv);
        s->v = nv;
        s->cap = nc;
    }
    s->v[s->n++] = op;
}
