/*
 * bind_window.c - window function calls: f(...) OVER (...), OVER w and
 * the WINDOW clause.
 *
 * A call is bound where it appears (select list, ORDER BY) in the scope
 * before aggregation: its arguments, PARTITION BY and ORDER BY may use
 * columns and aggregates (`sum(sum(x)) OVER (...)`, `rank() OVER (ORDER BY
 * count(*))`).  The call itself becomes a column reference (t, 0) with a
 * table index of its own; bind_window_plan later rewrites the collected
 * calls' expressions over the aggregate's outputs (when the query groups)
 * and stacks one LOP_WINDOW per distinct (PARTITION BY, ORDER BY) above
 * the aggregation / HAVING and below the projection, DISTINCT, ORDER BY and
 * LIMIT, as in PostgreSQL.
 *
 * Frames keep PostgreSQL's FRAMEOPTION_* bits (WFRAME_* in plan.h).  ROWS
 * and GROUPS offsets are folded to bigint constants; RANGE offsets become
 * two bound expressions per row, `key - off` and `key + off` (direction
 * applied), with the key cast to their type (a date key compares as a
 * timestamp, as date + interval is one), so the executor only compares
 * values of one type.
 */
#include <stdio.h>
#include <string.h>

#include "sql/bind/bind_int.h"
#include "sql/func/cast.h"

static int nomem(BindCtx *ctx) { return ERR_NOMEM(ctx->err, 0); }

static const char *const window_only[] = {
    "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile",
    "lag", "lead", "first_value", "last_value", "nth_value", NULL,
};
static const WinFuncKind window_kind[] = {
    WIN_ROW_NUMBER, WIN_RANK, WIN_DENSE_RANK, WIN_PERCENT_RANK, WIN_CUME_DIST, WIN_NTILE,
    WIN_LAG, WIN_LEAD, WIN_FIRST_VALUE, WIN_LAST_VALUE, WIN_NTH_VALUE,
};

bool bind_window_only_name(const char *name)
{
    for (uint32_t i = 0; window_only[i]; i++)
        if (!strcmp(window_only[i], name))
            return true;
    return false;
}

bool bind_window_owns(const WinCollector *wc, uint32_t table)
{
    if (!wc)
        return false;
    for (uint32_t i = 0; i < wc->n; i++)
        if (wc->items[i].call.table_index == table)
            return true;
    return false;
}

static const char *clause_text(ExprClause c)
{
    switch (c) {
    case CL_WHERE: return "WHERE";
    case CL_JOIN_ON: return "JOIN conditions";
    case CL_GROUP_BY: return "GROUP BY";
    case CL_HAVING: return "HAVING";
    case CL_VALUES: return "VALUES";
    case CL_LIMIT: return "LIMIT";
    default: return "this context";
    }
}

static int fail_at(BindCtx *ctx, int loc, const char *state, const char *fmt, const char *a, const char *b)
{
    err_set_state(ctx->err, TARN_ERR_INVALID, state, fmt, a, b);
    if (!strcmp(state, "0A000"))
        ctx->err->kind = TARN_ERR_UNSUPPORTED;
    return bind_error_at(ctx, loc);
}

static const AstNode *find_def(const WinCollector *wc, const char *name, uint32_t upto)
{
    if (!wc->defs)
        return NULL;
    for (uint32_t i = 0; i < wc->defs->n && i < upto; i++) {
        const AstNode *d = wc->defs->items[i];
        if (d->u.windef.name && !strcmp(d->u.windef.name, name))
            return d;
    }
    return NULL;
}

/* The effective definition: PARTITION BY, ORDER BY and frame, following
 * references to named windows (PostgreSQL's rules for copying). */
typedef struct WinDefR {
    const AstList *part, *order;
    int32_t frame;
    const AstNode *start_off, *end_off;
} WinDefR;

static int resolve_def(BindCtx *ctx, const WinCollector *wc, const AstNode *d, uint32_t upto, WinDefR *out)
{
    out->part = &d->u.windef.partition;
    out->order = &d->u.windef.order;
    out->frame = d->u.windef.frame_options;
    out->start_off = d->u.windef.start_off;
    out->end_off = d->u.windef.end_off;
    if (!d->u.windef.refname)
        return 0;
    const char *ref = d->u.windef.refname;
    const AstNode *b = find_def(wc, ref, upto);
    if (!b)
        return fail_at(ctx, d->loc, "42704", "window \"%s\" does not exist", ref, NULL);
    WinDefR base;
    int rc = resolve_def(ctx, wc, b, upto, &base);
    if (rc)
        return rc;
    if (d->u.windef.partition.n)
        return fail_at(ctx, d->loc, "42P20", "cannot override PARTITION BY clause of window \"%s\"", ref, NULL);
    out->part = base.part;
    if (base.order->n) {
        if (d->u.windef.order.n)
            return fail_at(ctx, d->loc, "42P20", "cannot override ORDER BY clause of window \"%s\"", ref, NULL);
        out->order = base.order;
    }
    if (base.frame & WFRAME_NONDEFAULT)
        return fail_at(ctx, d->loc, "42P20", "cannot copy window \"%s\" because it has a frame clause", ref, NULL);
    return 0;
}

int bind_window_defs(BindCtx *ctx, ExprEnv *env, WinCollector *wc)
{
    (void)env;
    if (!wc->defs)
        return 0;
    for (uint32_t i = 0; i < wc->defs->n; i++) {
        const AstNode *d = wc->defs->items[i];
        if (find_def(wc, d->u.windef.name, i))
            return fail_at(ctx, d->loc, "42P20", "window \"%s\" is already defined", d->u.windef.name, NULL);
        WinDefR r;
        int rc = resolve_def(ctx, wc, d, i, &r);
        if (rc)
            return rc;
    }
    return 0;
}

/* Binds a frame offset to a constant: ROWS / GROUPS as bigint. */
static int bind_offset(BindCtx *ctx, ExprEnv *env, const AstNode *n, const char *mode, Expr **out)
{
    ExprEnv sub = *env;
    sub.aggs = NULL;
    sub.clause = CL_OTHER;
    uint8_t saved = ctx->win_ctx;
    ctx->win_ctx = 2;
    int rc = bind_expr(ctx, &sub, n, out);
    ctx->win_ctx = saved;
    if (rc)
        return rc;
    if (!expr_is_constant(*out)) {
        ColBinding *refs = NULL;
        uint32_t nr = 0, cap = 0;
        if (expr_collect_refs(ctx->a, *out, &refs, &nr, &cap))
            return nomem(ctx);
        if (nr)
            err_set_state(ctx->err, TARN_ERR_INVALID, "42P10", "argument of %s must not contain variables", mode);
        else
            err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000",
                          "frame offsets must be constants here (subqueries and parameters are not supported yet)");
        return bind_error_at(ctx, n->loc);
    }
    return 0;
}

static bool value_negative(const Value *v, const LogicalType *t)
{
    switch (t->id) {
    case TYPE_INT8: case TYPE_INT16: case TYPE_INT32: case TYPE_INT64: return v->v.i < 0;
    case TYPE_FLOAT: case TYPE_DOUBLE: return v->v.d < 0;
    case TYPE_DECIMAL: return t->precision > 18 ? v->v.i128 < 0 : v->v.i < 0;
    case TYPE_INTERVAL: {
        int128_t x = ((int128_t)v->v.iv.months * 30 + v->v.iv.days) * 86400000000LL + v->v.iv.micros;
        return x < 0;
    }
    default: return false;
    }
}

/* A frame offset cast to type t and folded to a constant, which must not
 * be NULL (22004). */
static int fold_frame_offset(BindCtx *ctx, Expr **e, const LogicalType *t, int loc, bool is_start)
{
    int rc;
    if ((rc = bind_coerce(ctx, *e, t, CAST_IMPLICIT, e)) || (rc = bind_fold(ctx, *e, e)))
        return rc;
    if ((*e)->kind != EX_CONST)
        return ERR_INTERNAL(ctx->err, "frame offset did not fold");
    if ((*e)->u.cnst.is_null)
        return fail_at(ctx, loc, "22004", is_start ? "frame starting offset must not be null"
                                                    : "frame ending offset must not be null", NULL, NULL);
    return 0;
}

static int bind_frame_offset(BindCtx *ctx, ExprEnv *env, WinPending *w, const AstNode *n, bool is_start,
                             bool preceding, int loc)
{
    WinCall *c = &w->call;
    const char *mode = (c->frame & WFRAME_ROWS) ? "ROWS" : (c->frame & WFRAME_GROUPS) ? "GROUPS" : "RANGE";
    Expr *e;
    int rc = bind_offset(ctx, env, n, mode, &e);
    if (rc)
        return rc;
    if (!(c->frame & WFRAME_RANGE)) {
        LogicalType i8 = type_simple(TYPE_INT64);
        if ((rc = fold_frame_offset(ctx, &e, &i8, loc, is_start)))
            return rc;
        if (e->u.cnst.v.i < 0)
            return fail_at(ctx, loc, "22013", is_start ? "frame starting offset must not be negative"
                                                        : "frame ending offset must not be negative", NULL, NULL);
        if (is_start)
            c->start_off = e->u.cnst;
        else
            c->end_off = e->u.cnst;
        return 0;
    }
    /* RANGE: exactly one ORDER BY key of a type with in_range support */
    if (w->n_order != 1)
        return fail_at(ctx, loc, "42P20", "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column",
                       NULL, NULL);
    Expr *key = w->order[0].expr;
    char kb[64], ob[64];
    TypeId kid = key->type.id;
    LogicalType kt, ot;
    if (kid == TYPE_INT16 || kid == TYPE_INT32 || kid == TYPE_INT64) {
        kt = type_simple(TYPE_INT64);
        ot = kt;
        if (!e->unknown && e->type.id != TYPE_INT16 && e->type.id != TYPE_INT32 && e->type.id != TYPE_INT64)
            goto bad_pair;
    } else if (kid == TYPE_DECIMAL) {
        kt = key->type;
        ot = e->type.id == TYPE_DECIMAL ? e->type : type_decimal(38, 10);
        if (!e->unknown && e->type.id != TYPE_INT16 && e->type.id != TYPE_INT32 && e->type.id != TYPE_INT64 &&
            e->type.id != TYPE_DECIMAL)
            goto bad_pair;
        if (e->type.id != TYPE_DECIMAL && !e->unknown)
            ot = e->type;
    } else if (kid == TYPE_FLOAT || kid == TYPE_DOUBLE) {
        kt = type_simple(TYPE_DOUBLE);
        ot = kt;
        if (!e->unknown && e->type.id == TYPE_INTERVAL)
            goto bad_pair;
        if (!e->unknown && !type_is_integer(e->type.id) && e->type.id != TYPE_DECIMAL && e->type.id != TYPE_FLOAT &&
            e->type.id != TYPE_DOUBLE)
            goto bad_pair;
    } else if (kid == TYPE_DATE || kid == TYPE_TIMESTAMP || kid == TYPE_TIMESTAMPTZ) {
        kt = kid == TYPE_DATE ? type_simple(TYPE_TIMESTAMP) : key->type;
        ot = type_simple(TYPE_INTERVAL);
        if (!e->unknown && e->type.id != TYPE_INTERVAL)
            goto bad_pair;
    } else {
        return fail_at(ctx, loc, "0A000", "RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s",
                       type_name(&key->type, kb, sizeof kb), NULL);
    }
    if ((rc = fold_frame_offset(ctx, &e, &ot, loc, is_start)))
        return rc;
    if (value_negative(&e->u.cnst, &e->type))
        return fail_at(ctx, loc, "22013", "invalid preceding or following size in window function", NULL, NULL);
    Expr *kc;
    if ((rc = bind_coerce(ctx, expr_copy(ctx->a, key), &kt, CAST_IMPLICIT, &kc)))
        return rc;
    /* preceding goes against the sort direction */
    bool minus = preceding != w->order[0].desc;
    Expr *b;
    if ((rc = bind_operator(ctx, minus ? "-" : "+", kc, e, loc, &b)))
        return rc;
    if (!type_equal(&b->type, &kc->type) && (rc = bind_coerce(ctx, kc, &b->type, CAST_IMPLICIT, &kc)))
        return rc;
    if (c->rkey && !type_equal(&c->rkey->type, &b->type)) {
        /* start and end bounds must compare in one type: recast both */
        Expr *o = is_start ? c->rend : c->rstart;
        if ((rc = bind_coerce(ctx, o, &b->type, CAST_IMPLICIT, &o)))
            return rc;
        if (is_start)
            c->rend = o;
        else
            c->rstart = o;
    }
    c->rkey = kc;
    c->off_type = e->type;
    if (is_start) {
        c->start_off = e->u.cnst;
        c->rstart = b;
    } else {
        c->end_off = e->u.cnst;
        c->rend = b;
    }
    return 0;
bad_pair:
    return fail_at(ctx, loc, "0A000",
                   "RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s and offset type %s",
                   type_name(&key->type, kb, sizeof kb), type_name(&e->type, ob, sizeof ob));
}

static int bind_spec(BindCtx *ctx, ExprEnv *env, WinPending *w, const WinDefR *d, int loc)
{
    ExprEnv sub = *env;
    int rc;
    uint8_t saved = ctx->win_ctx;
    w->n_part = d->part->n;
    w->part = arena_alloc(ctx->a, (w->n_part ? w->n_part : 1) * sizeof(Expr *));
    w->n_order = d->order->n;
    w->order = arena_calloc(ctx->a, (w->n_order ? w->n_order : 1) * sizeof(SortItem));
    if (!w->part || !w->order)
        return nomem(ctx);
    ctx->win_ctx = 2;
    rc = 0;
    for (uint32_t i = 0; i < w->n_part && !rc; i++)
        rc = bind_expr(ctx, &sub, d->part->items[i], &w->part[i]);
    ctx->win_ctx = saved;
    if (rc)
        return rc;
    for (uint32_t i = 0; i < w->n_order; i++) {
        const AstNode *sb = d->order->items[i];
        const AstNode *x = sb->kind == AST_SORT_BY ? sb->u.sortby.expr : sb;
        int dir = sb->kind == AST_SORT_BY ? sb->u.sortby.dir : 0, nulls = sb->kind == AST_SORT_BY ? sb->u.sortby.nulls : 0;
        w->order[i].desc = dir == 2;
        w->order[i].nulls_first = nulls == 1 || (nulls == 0 && dir == 2);
        ctx->win_ctx = 2;
        rc = bind_expr(ctx, &sub, x, &w->order[i].expr);
        ctx->win_ctx = saved;
        if (rc)
            return rc;
    }
    WinCall *c = &w->call;
    c->frame = (uint32_t)d->frame;
    if (!(c->frame & WFRAME_NONDEFAULT))
        c->frame = WFRAME_RANGE | WFRAME_START_UNBOUNDED_PRECEDING | WFRAME_END_CURRENT_ROW;
    if ((c->frame & WFRAME_GROUPS) && !w->n_order)
        return fail_at(ctx, loc, "42P20", "GROUPS mode requires an ORDER BY clause", NULL, NULL);
    if (c->frame & (WFRAME_START_OFFSET_PRECEDING | WFRAME_START_OFFSET_FOLLOWING)) {
        if ((rc = bind_frame_offset(ctx, env, w, d->start_off, true, (c->frame & WFRAME_START_OFFSET_PRECEDING) != 0,
                                    d->start_off->loc)))
            return rc;
    }
    if (c->frame & (WFRAME_END_OFFSET_PRECEDING | WFRAME_END_OFFSET_FOLLOWING)) {
        if ((rc = bind_frame_offset(ctx, env, w, d->end_off, false, (c->frame & WFRAME_END_OFFSET_PRECEDING) != 0,
                                    d->end_off->loc)))
            return rc;
    }
    return 0;
}

static int coerce_int4(BindCtx *ctx, Expr **e)
{
    LogicalType i4 = type_simple(TYPE_INT32);
    return bind_coerce(ctx, *e, &i4, CAST_IMPLICIT, e);
}

static int no_function(BindCtx *ctx, const char *name, Expr **args, uint32_t na, int loc)
{
    char buf[512];
    size_t o = 0;
    for (uint32_t i = 0; i < na && o < sizeof buf - 80; i++) {
        char tb[64];
        const char *tn = args[i]->unknown ? "unknown" : type_name(&args[i]->type, tb, sizeof tb);
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? ", " : "", tn);
    }
    buf[o < sizeof buf ? o : sizeof buf - 1] = 0;
    err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "function %s(%s) does not exist", name, buf);
    err_hint(ctx->err, "%s", "No function matches the given name and argument types. You might need to add explicit type casts.");
    return bind_error_at(ctx, loc);
}

int bind_window_call(BindCtx *ctx, ExprEnv *env, const AstNode *n, const char *name, Expr **out)
{
    int loc = n->loc;
    if (env->in_agg && !env->aggs && env->clause == CL_WHERE) /* an aggregate's FILTER (bind_aggregate) */
        return fail_at(ctx, loc, "42P20", "window functions are not allowed in FILTER", NULL, NULL);
    if (env->in_agg)
        return fail_at(ctx, loc, "42803", "aggregate function calls cannot contain window function calls", NULL, NULL);
    if (ctx->win_ctx == 1)
        return fail_at(ctx, loc, "42P20", "window function calls cannot be nested", NULL, NULL);
    if (ctx->win_ctx == 2)
        return fail_at(ctx, loc, "42P20", "window functions are not allowed in window definitions", NULL, NULL);
    if (!ctx->win_cur || (env->clause != CL_SELECT && env->clause != CL_ORDER_BY))
        return fail_at(ctx, loc, "42P20", "window functions are not allowed in %s", clause_text(env->clause), NULL);
    WinCollector *wc = ctx->win_cur;
    bool is_win = bind_window_only_name(name);
    bool is_agg = !is_win && func_name_exists(name, FUNC_AGGREGATE);
    if (!is_win && !is_agg) {
        if (func_name_exists(name, FUNC_SCALAR))
            return fail_at(ctx, loc, "42809", "OVER specified, but %s is not a window function nor an aggregate function",
                           name, NULL);
    }
    if (is_agg && (!strcmp(name, "percentile_cont") || !strcmp(name, "percentile_disc") || !strcmp(name, "mode")))
        return fail_at(ctx, loc, "0A000", "OVER is not supported for ordered-set aggregate %s", name, NULL);
    if (n->u.func.distinct)
        return fail_at(ctx, loc, "0A000", "DISTINCT is not implemented for window functions", NULL, NULL);
    if (n->u.func.order_by.n)
        return fail_at(ctx, loc, "0A000", "aggregate ORDER BY is not implemented for window functions", NULL, NULL);
    if (n->u.func.filter && !is_agg)
        return fail_at(ctx, loc, "0A000", "FILTER is not implemented for non-aggregate window functions", NULL, NULL);
    if (n->u.func.star && !(is_agg && !strcmp(name, "count")))
        return fail_at(ctx, loc, "42809", "%s(*) specified, but %s is not an aggregate function", name, name);

    if (wc->n == wc->cap) {
        uint32_t nc = wc->cap ? wc->cap * 2 : 8;
        WinPending *ni = arena_alloc(ctx->a, nc * sizeof(WinPending));
        if (!ni)
            return nomem(ctx);
        if (wc->n)
            memcpy(ni, wc->items, wc->n * sizeof(WinPending));
        wc->items = ni;
        wc->cap = nc;
    }
    WinPending w;
    memset(&w, 0, sizeof w);
    WinCall *c = &w.call;
    c->loc = loc;

    /* the window definition */
    const AstNode *over = n->u.func.over;
    WinDefR d;
    int rc;
    if (over->u.windef.name) {
        /* OVER w: the named window as it is */
        const AstNode *b = find_def(wc, over->u.windef.name, UINT32_MAX);
        if (!b)
            return fail_at(ctx, over->loc, "42704", "window \"%s\" does not exist", over->u.windef.name, NULL);
        over = b;
    }
    if ((rc = resolve_def(ctx, wc, over, UINT32_MAX, &d)) || (rc = bind_spec(ctx, env, &w, &d, over->loc)))
        return rc;

    /* arguments */
    ExprEnv sub = *env;
    uint32_t na = n->u.func.star ? 0 : n->u.func.args.n;
    Expr **args = arena_alloc(ctx->a, (na ? na : 1) * sizeof(Expr *));
    if (!args)
        return nomem(ctx);
    ctx->win_ctx = 1;
    for (uint32_t i = 0; i < na; i++)
        if ((rc = bind_expr(ctx, &sub, n->u.func.args.items[i], &args[i])))
            break;
    ctx->win_ctx = 0;
    if (rc)
        return rc;
    AggCall *ac = &c->agg;
    if (is_agg || !is_win) {
        Expr *filter = NULL;
        if (n->u.func.filter) {
            ExprEnv fenv = sub;
            fenv.clause = CL_WHERE;
            ctx->win_ctx = 1;
            rc = bind_bool_expr(ctx, &fenv, n->u.func.filter, "FILTER", &filter);
            ctx->win_ctx = 0;
            if (rc)
                return rc;
        }
        Expr *typed;
        const FuncDef *def;
        void *state;
        if ((rc = bind_function(ctx, name, FUNC_AGGREGATE, args, na, loc, &typed, &def, &state)))
            return rc;
        c->kind = WIN_AGG;
        ac->def = def;
        ac->n_args = na;
        ac->args = args;
        ac->filter = filter;
        ac->type = typed->type;
        ac->bind_state = state;
        ac->name = def->name;
    } else {
        uint32_t k = 0;
        while (strcmp(window_only[k], name))
            k++;
        c->kind = window_kind[k];
        ac->name = window_only[k];
        bool ok;
        switch (c->kind) {
        case WIN_RANK: case WIN_DENSE_RANK: case WIN_PERCENT_RANK: case WIN_CUME_DIST:
            /* with arguments these are PostgreSQL's hypothetical-set aggregates */
            if (na)
                return fail_at(ctx, loc, "42809", "WITHIN GROUP is required for ordered-set aggregate %s", name, NULL);
            /* fall through */
        case WIN_ROW_NUMBER:
            ok = na == 0;
            if (ok)
                ac->type = type_simple(c->kind == WIN_PERCENT_RANK || c->kind == WIN_CUME_DIST ? TYPE_DOUBLE : TYPE_INT64);
            break;
        case WIN_NTILE:
            ok = na == 1;
            if (ok && (rc = coerce_int4(ctx, &args[0])))
                return rc;
            ac->type = type_simple(TYPE_INT32);
            break;
        case WIN_FIRST_VALUE: case WIN_LAST_VALUE:
            ok = na == 1;
            break;
        case WIN_NTH_VALUE:
            ok = na == 2;
            if (ok && (rc = coerce_int4(ctx, &args[1])))
                return rc;
            break;
        default: /* lag, lead */
            ok = na >= 1 && na <= 3;
            if (ok && na >= 2 && (rc = coerce_int4(ctx, &args[1])))
                return rc;
            if (ok && na == 3) {
                Expr *pair[2] = {args[0], args[2]};
                LogicalType t;
                if ((rc = bind_common_type(ctx, pair, 2, name, &t)) ||
                    (rc = bind_coerce(ctx, args[0], &t, CAST_IMPLICIT, &args[0])) ||
                    (rc = bind_coerce(ctx, args[2], &t, CAST_IMPLICIT, &args[2])))
                    return rc;
            }
            break;
        }
        if (!ok)
            return no_function(ctx, name, args, na, loc);
        if (c->kind >= WIN_LAG && c->kind != WIN_NTILE) {
            if (args[0]->unknown) {
                LogicalType tt = type_simple(TYPE_STRING);
                if ((rc = bind_coerce(ctx, args[0], &tt, CAST_IMPLICIT, &args[0])))
                    return rc;
            }
            ac->type = args[0]->type;
        }
        ac->n_args = na;
        ac->args = args;
    }
    c->table_index = ctx->next_table++;
    wc->items[wc->n++] = w;
    Expr *e = expr_colref(ctx->a, (ColBinding){c->table_index, 0}, ac->type, ac->name);
    if (!e)
        return nomem(ctx);
    e->loc = loc;
    *out = e;
    return 0;
}

static bool same_spec(const WinPending *a, const WinPending *b)
{
    if (a->n_part != b->n_part || a->n_order != b->n_order)
        return false;
    for (uint32_t i = 0; i < a->n_part; i++)
        if (!expr_equal(a->part[i], b->part[i]))
            return false;
    for (uint32_t i = 0; i < a->n_order; i++)
        if (a->order[i].desc != b->order[i].desc || a->order[i].nulls_first != b->order[i].nulls_first ||
            !expr_equal(a->order[i].expr, b->order[i].expr))
            return false;
    return true;
}

static int rewrite(BindCtx *ctx, WinRewriteFn rw, void *arg, Expr **e)
{
    if (!*e || !rw)
        return 0;
    return rw(ctx, *e, e, arg);
}

int bind_window_plan(BindCtx *ctx, WinCollector *wc, LogicalOp **plan, WinRewriteFn rw, void *arg)
{
    int rc;
    for (uint32_t i = 0; i < wc->n; i++) {
        WinPending *w = &wc->items[i];
        for (uint32_t k = 0; k < w->n_part; k++)
            if ((rc = rewrite(ctx, rw, arg, &w->part[k])))
                return rc;
        for (uint32_t k = 0; k < w->n_order; k++)
            if ((rc = rewrite(ctx, rw, arg, &w->order[k].expr)))
                return rc;
        for (uint32_t k = 0; k < w->call.agg.n_args; k++)
            if ((rc = rewrite(ctx, rw, arg, &w->call.agg.args[k])))
                return rc;
        if ((rc = rewrite(ctx, rw, arg, &w->call.agg.filter)) || (rc = rewrite(ctx, rw, arg, &w->call.rkey)) ||
            (rc = rewrite(ctx, rw, arg, &w->call.rstart)) || (rc = rewrite(ctx, rw, arg, &w->call.rend)))
            return rc;
    }
    bool *done = arena_calloc(ctx->a, (wc->n ? wc->n : 1) * sizeof(bool));
    if (!done)
        return nomem(ctx);
    for (uint32_t i = 0; i < wc->n; i++) {
        if (done[i])
            continue;
        uint32_t m = 0;
        for (uint32_t j = i; j < wc->n; j++)
            m += !done[j] && same_spec(&wc->items[i], &wc->items[j]);
        LogicalOp *op = lop_new(ctx->a, LOP_WINDOW, 1);
        WinCall *calls = arena_alloc(ctx->a, m * sizeof(WinCall));
        if (!op || !calls)
            return nomem(ctx);
        m = 0;
        for (uint32_t j = i; j < wc->n; j++)
            if (!done[j] && same_spec(&wc->items[i], &wc->items[j])) {
                calls[m++] = wc->items[j].call;
                done[j] = true;
            }
        op->children[0] = *plan;
        op->u.win.part = wc->items[i].part;
        op->u.win.n_part = wc->items[i].n_part;
        op->u.win.order = wc->items[i].order;
        op->u.win.n_order = wc->items[i].n_order;
        op->u.win.calls = calls;
        op->u.win.n_calls = m;
        if (lop_resolve(ctx->a, op, false))
            return nomem(ctx);
        op->est_rows = (*plan)->est_rows;
        *plan = op;
    }
    return 0;
}
