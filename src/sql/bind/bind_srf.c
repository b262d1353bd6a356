/*
 * bind_srf.c - set-returning functions in the select list (PostgreSQL 10+
 * semantics): `SELECT generate_series(1, 3)`, `SELECT k, generate_series(1,
 * k) FROM t`, several of them in lockstep, inside expressions
 * (`generate_series(1, 3) + 1`), over aggregates (`generate_series(1,
 * count(*))`), nested (`generate_series(1, generate_series(1, 3))`).
 *
 * Any FUNC_SRF of the function registry (func.h) qualifies.  A call is
 * bound like a scalar function (overloads, implicit casts), collected in
 * the SELECT's SrfCollector, and replaced by a reference to its result
 * column (table_index, 0), as window calls are.  bind_srf_plan then puts
 * LOP_PROJECT_SET operators above the aggregation / window operators and
 * below the select list's projection: one per nesting level (a call whose
 * arguments use another call's result sits one level higher), so ORDER BY,
 * DISTINCT and LIMIT apply to the expanded rows, as in PostgreSQL.
 *
 * Where PostgreSQL refuses them (WHERE, HAVING, JOIN ON, VALUES, LIMIT,
 * CASE, COALESCE, aggregate and window arguments) the errors are its own
 * (0A000, with its hint); the places PostgreSQL allows that tarn does not
 * (GROUP BY, window definitions, other statements) are 0A000 too.
 */
#include <string.h>

#include "sql/bind/bind_int.h"

static const char *srf_hint = "You might be able to move the set-returning function into a LATERAL FROM item.";

static int refuse(BindCtx *ctx, int loc, const char *hint, const char *fmt, const char *what)
{
    err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", fmt, what);
    if (hint)
        err_hint(ctx->err, "%s", hint);
    return bind_error_at(ctx, loc);
}

bool bind_srf_owns(const SrfCollector *sc, uint32_t table)
{
    for (uint32_t i = 0; sc && i < sc->n; i++)
        if (sc->items[i].table_index == table)
            return true;
    return false;
}

/* The highest level + 1 of the calls e refers to (0: none). */
static uint32_t refs_level(const SrfCollector *sc, const Expr *e)
{
    if (!e)
        return 0;
    if (e->kind == EX_COLREF) {
        for (uint32_t i = 0; i < sc->n; i++)
            if (sc->items[i].table_index == e->u.col.b.table)
                return sc->items[i].level + 1;
        return 0;
    }
    uint32_t l = 0;
    for (uint32_t i = 0; i < e->n_args; i++) {
        uint32_t a = refs_level(sc, e->args[i]);
        if (a > l)
            l = a;
    }
    return l;
}

bool bind_srf_refs(const SrfCollector *sc, const Expr *e) { return sc && sc->n && refs_level(sc, e) > 0; }

int bind_srf_call(BindCtx *ctx, ExprEnv *env, const AstNode *n, const char *name, Expr **out)
{
    int loc = n->loc;
    if (n->u.func.over) {
        err_set_state(ctx->err, TARN_ERR_SYNTAX, "42809",
                      "OVER specified, but %s is not a window function nor an aggregate function", name);
        return bind_error_at(ctx, loc);
    }
    if (env->in_agg && !env->aggs && env->clause == CL_WHERE) /* an aggregate's FILTER (bind_aggregate) */
        return refuse(ctx, loc, NULL, "set-returning functions are not allowed in %s", "FILTER");
    if (env->in_agg)
        return refuse(ctx, loc, srf_hint, "aggregate function calls cannot contain set-returning function calls%s", "");
    if (ctx->win_ctx == 1)
        return refuse(ctx, loc, srf_hint, "window function calls cannot contain set-returning function calls%s", "");
    if (ctx->srf_block && !strcmp(ctx->srf_block, "CASE/WHEN")) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "42804", "argument of CASE/WHEN must not return a set");
        return bind_error_at(ctx, loc);
    }
    if (ctx->srf_block) {
        bool hint = !strcmp(ctx->srf_block, "CASE") || !strcmp(ctx->srf_block, "COALESCE");
        return refuse(ctx, loc, hint ? srf_hint : NULL, "set-returning functions are not allowed in %s", ctx->srf_block);
    }
    const char *where = NULL;
    switch (env->clause) {
    case CL_WHERE: where = "WHERE"; break;
    case CL_JOIN_ON: where = "JOIN conditions"; break;
    case CL_HAVING: where = "HAVING"; break;
    case CL_VALUES: where = "VALUES"; break;
    case CL_LIMIT: where = "LIMIT"; break;
    default: break;
    }
    if (where)
        return refuse(ctx, loc, NULL, "set-returning functions are not allowed in %s", where);
    if (!ctx->srf_cur || ctx->win_ctx == 2 || (env->clause != CL_SELECT && env->clause != CL_ORDER_BY))
        return refuse(ctx, loc, srf_hint,
                      "set-returning functions are supported in the select list and ORDER BY only%s", "");
    if (n->u.func.star || n->u.func.distinct || n->u.func.filter || n->u.func.order_by.n) {
        err_set_state(ctx->err, TARN_ERR_SYNTAX, "42809", "%s specified, but %s is not an aggregate function",
                      n->u.func.distinct ? "DISTINCT" : n->u.func.filter ? "FILTER" : n->u.func.star ? "*" : "ORDER BY",
                      name);
        return bind_error_at(ctx, loc);
    }
    uint32_t na = n->u.func.args.n;
    Expr **args = arena_alloc(ctx->a, (na ? na : 1) * sizeof(Expr *));
    if (!args)
        return ERR_NOMEM(ctx->err, 0);
    int rc;
    for (uint32_t i = 0; i < na; i++)
        if ((rc = bind_expr(ctx, env, n->u.func.args.items[i], &args[i])))
            return rc;
    Expr *call;
    if ((rc = bind_function(ctx, name, FUNC_SRF, args, na, loc, &call, NULL, NULL)))
        return rc;
    if (call->kind != EX_FUNC || call->u.func.def->kind != FUNC_SRF)
        return ERR_INTERNAL(ctx->err, "set-returning call bound to another kind of function");
    SrfCollector *sc = ctx->srf_cur;
    if (sc->n == sc->cap) {
        uint32_t nc = sc->cap ? sc->cap * 2 : 4;
        SrfCall *v = arena_alloc(ctx->a, nc * sizeof(SrfCall));
        if (!v)
            return ERR_NOMEM(ctx->err, nc);
        if (sc->n)
            memcpy(v, sc->items, sc->n * sizeof(SrfCall));
        sc->items = v;
        sc->cap = nc;
    }
    SrfCall *it = &sc->items[sc->n];
    it->call = call;
    it->table_index = ctx->next_table++;
    it->level = refs_level(sc, call);
    sc->n++;
    Expr *ref = expr_colref(ctx->a, (ColBinding){it->table_index, 0}, call->type, name);
    if (!ref)
        return ERR_NOMEM(ctx->err, 0);
    ref->loc = loc;
    *out = ref;
    return 0;
}

int bind_srf_plan(BindCtx *ctx, SrfCollector *sc, LogicalOp **plan, WinRewriteFn rw, void *arg)
{
    uint32_t max_level = 0;
    for (uint32_t i = 0; i < sc->n; i++)
        if (sc->items[i].level > max_level)
            max_level = sc->items[i].level;
    const SrfCollector *saved = ctx->srf_rw;
    ctx->srf_rw = sc;
    int rc = 0;
    for (uint32_t lv = 0; lv <= max_level && !rc; lv++) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < sc->n; i++)
            k += sc->items[i].level == lv;
        if (!k)
            continue;
        LogicalOp *ps = lop_new(ctx->a, LOP_PROJECT_SET, 1);
        Expr **calls = arena_alloc(ctx->a, k * sizeof(Expr *));
        uint32_t *tix = arena_alloc(ctx->a, k * sizeof(uint32_t));
        if (!ps || !calls || !tix) {
            rc = ERR_NOMEM(ctx->err, k);
            break;
        }
        uint32_t j = 0;
        for (uint32_t i = 0; i < sc->n && !rc; i++) {
            if (sc->items[i].level != lv)
                continue;
            Expr *c = sc->items[i].call;
            /* arguments over aggregates: the aggregate's outputs */
            if (rw)
                rc = rw(ctx, c, &c, arg);
            calls[j] = c;
            tix[j++] = sc->items[i].table_index;
        }
        if (rc)
            break;
        ps->children[0] = *plan;
        ps->u.pset.calls = calls;
        ps->u.pset.table_index = tix;
        ps->u.pset.n_calls = k;
        ps->est_rows = ((*plan)->est_rows > 0 ? (*plan)->est_rows : 1) * 10;
        if (lop_resolve(ctx->a, ps, false)) {
            rc = ERR_NOMEM(ctx->err, 0);
            break;
        }
        *plan = ps;
    }
    ctx->srf_rw = saved;
    return rc;
}
