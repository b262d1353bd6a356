/*
 * optimizer.c - logical rewrites (see plan_optimize in plan.h).
 *
 * Passes, in order:
 *   1. subqueries: `x IN (SELECT ...)` / `NOT IN` / in a WHERE conjunct
 *      become semi / (null-aware) anti joins;
 *   2. filter pushdown: every conjunct moves as far down as it can; those
 *      that reach a scan become scan filters (and, when simple, Parquet /
 *      Delta skipping predicates in physical planning); equalities between
 *      the two sides of a cross join turn it into an inner join;
 *   3. join ordering: a tree of inner joins over n >= 3 inputs is rebuilt
 *      greedily, always joining the connected pair with the smallest
 *      estimated result (foreign-key estimate: |fk side| * selectivity of
 *      the pk side's filters);
 *   4. cardinality estimates for EXPLAIN and the physical planner's choice
 *      of hash join build side.
 */
#include <string.h>

#include "catalog/catalog.h"
#include "sql/plan/plan.h"
#include "table/delta/delta.h"

typedef struct Opt {
    Arena *a;
    TarnError *err;
    uint32_t next_mark;     /* table indexes for LOP_APPLY result columns (above the binder's) */
} Opt;

typedef struct ExprVec {
    Expr **v;
    uint32_t n, cap;
} ExprVec;

static int ev_push(Opt *o, ExprVec *ev, Expr *e)
{
    if (ev->n == ev->cap) {
        uint32_t nc = ev->cap ? ev->cap * 2 : 8;
        Expr **n = arena_alloc(o->a, nc * sizeof(Expr *));
        if (!n)
            return ERR_NOMEM(o->err, nc);
        if (ev->n)
            memcpy(n, ev->v, ev->n * sizeof(Expr *));
        ev->v = n;
        ev->cap = nc;
    }
    ev->v[ev->n++] = e;
    return 0;
}

/* Adds the conjuncts of e (flattening AND). */
static int add_conjuncts(Opt *o, ExprVec *ev, Expr *e)
{
    if (e->kind == EX_AND) {
        for (uint32_t i = 0; i < e->n_args; i++)
            if (add_conjuncts(o, ev, e->args[i]))
                return o->err->kind;
        return 0;
    }
    return ev_push(o, ev, e);
}

static bool is_const_true(const Expr *e) { return e->kind == EX_CONST && !e->u.cnst.is_null && e->type.id == TYPE_BOOL && e->u.cnst.v.b; }
static bool is_const_false(const Expr *e)
{
    return e->kind == EX_CONST && (e->u.cnst.is_null || (e->type.id == TYPE_BOOL && !e->u.cnst.v.b));
}

static bool has_subquery(const Expr *e)
{
    if (!e)
        return false;
    if (e->kind == EX_SUBQUERY)
        return true;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (has_subquery(e->args[i]))
            return true;
    return false;
}

/* ---- 1. subqueries in WHERE to joins ----------------------------------------------------------------------
 *
 * Uncorrelated  x IN (SELECT ...)  /  NOT IN  become semi / null-aware anti
 * joins.  Correlated subqueries are decorrelated when their correlation is
 * a set of conjuncts in the subquery's WHERE:
 *   EXISTS / NOT EXISTS (SELECT ... WHERE inner_cond AND corr_conds)
 *       -> semi / anti join ON corr_conds (equalities become hash keys,
 *          the rest a residual);
 *   x op (SELECT agg(...) FROM ... WHERE inner = outer AND ...)
 *       -> join with (SELECT inner, agg(...) ... GROUP BY inner) ON
 *          inner = outer; the subquery becomes a column of the join.
 * Other shapes stay subqueries; correlated ones are then refused (0A000).
 */

typedef struct BSetO {
    ColBinding *b;
    uint32_t n, cap;
} BSetO;

static int bs_add(Opt *o, BSetO *s, ColBinding b)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (binding_eq(s->b[i], b))
            return 0;
    if (s->n == s->cap) {
        uint32_t nc = s->cap ? s->cap * 2 : 32;
        ColBinding *n = arena_alloc(o->a, nc * sizeof(ColBinding));
        if (!n)
            return ERR_NOMEM(o->err, nc);
        if (s->n)
            memcpy(n, s->b, s->n * sizeof(ColBinding));
        s->b = n;
        s->cap = nc;
    }
    s->b[s->n++] = b;
    return 0;
}

static int produced(Opt *o, LogicalOp *op, BSetO *s);

static int produced_expr(Opt *o, const Expr *e, BSetO *s)
{
    if (!e)
        return 0;
    if (e->kind == EX_SUBQUERY && produced(o, e->u.subq.plan, s))
        return o->err->kind;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (produced_expr(o, e->args[i], s))
            return o->err->kind;
    return 0;
}

/* Every binding produced inside op's subtree (nested subqueries included). */
static int produced(Opt *o, LogicalOp *op, BSetO *s)
{
    if (lop_resolve(o->a, op, false))
        return ERR_NOMEM(o->err, 0);
    for (uint32_t i = 0; i < op->n_out; i++)
        if (bs_add(o, s, op->out[i]))
            return o->err->kind;
    if (op->kind == LOP_GET)
        for (uint32_t c = 0; c < op->u.get.schema->n_fields; c++)
            if (bs_add(o, s, (ColBinding){op->u.get.table_index, c}))
                return o->err->kind;
    if (op->kind == LOP_FILTER)
        for (uint32_t i = 0; i < op->u.filter.n_conds; i++)
            if (produced_expr(o, op->u.filter.conds[i], s))
                return o->err->kind;
    for (uint32_t i = 0; i < op->n_children; i++)
        if (produced(o, op->children[i], s))
            return o->err->kind;
    return 0;
}

static bool plan_within(LogicalOp *op, const BSetO *s);

static bool within(const Expr *e, const BSetO *s)
{
    if (!e)
        return true;
    if (e->kind == EX_COLREF) {
        for (uint32_t i = 0; i < s->n; i++)
            if (binding_eq(s->b[i], e->u.col.b))
                return true;
        return false;
    }
    if (e->kind == EX_SUBQUERY) {
        /* a nested subquery: its own columns are in s (produced() adds
         * them); it must not refer further out either */
        for (uint32_t i = 0; i < e->n_args; i++)
            if (!within(e->args[i], s))
                return false;
        return plan_within(e->u.subq.plan, s);
    }
    for (uint32_t i = 0; i < e->n_args; i++)
        if (!within(e->args[i], s))
            return false;
    return true;
}


/* True when e references some column of s (e has no subqueries). */
static bool touches(const Expr *e, const BSetO *s)
{
    if (!e)
        return false;
    if (e->kind == EX_COLREF)
        return !within(e, s) ? false : true;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (touches(e->args[i], s))
            return true;
    return false;
}

static bool exprs_within(Expr *const *v, uint32_t n, const BSetO *s)
{
    for (uint32_t i = 0; i < n; i++)
        if (!within(v[i], s))
            return false;
    return true;
}

/* True when no expression of the subtree references a column from outside s. */
static bool plan_within(LogicalOp *op, const BSetO *s)
{
    switch (op->kind) {
    case LOP_GET: if (!exprs_within(op->u.get.filters, op->u.get.n_filters, s)) return false; break;
    case LOP_FILTER: if (!exprs_within(op->u.filter.conds, op->u.filter.n_conds, s)) return false; break;
    case LOP_PROJECT: if (!exprs_within(op->u.project.exprs, op->u.project.n_exprs, s)) return false; break;
    case LOP_JOIN: if (!exprs_within(op->u.join.conds, op->u.join.n_conds, s)) return false; break;
    case LOP_AGGREGATE:
        if (!exprs_within(op->u.agg.groups, op->u.agg.n_groups, s))
            return false;
        for (uint32_t j = 0; j < op->u.agg.n_aggs; j++)
            if (!exprs_within(op->u.agg.aggs[j].args, op->u.agg.aggs[j].n_args, s) ||
                !within(op->u.agg.aggs[j].filter, s))
                return false;
        break;
    case LOP_SORT:
        for (uint32_t i = 0; i < op->u.sort.n_items; i++)
            if (!within(op->u.sort.items[i].expr, s))
                return false;
        break;
    case LOP_PROJECT_SET: if (!exprs_within(op->u.pset.calls, op->u.pset.n_calls, s)) return false; break;
    case LOP_WINDOW:
        if (!exprs_within(op->u.win.part, op->u.win.n_part, s))
            return false;
        for (uint32_t i = 0; i < op->u.win.n_order; i++)
            if (!within(op->u.win.order[i].expr, s))
                return false;
        for (uint32_t j = 0; j < op->u.win.n_calls; j++) {
            const WinCall *c = &op->u.win.calls[j];
            if (!exprs_within(c->agg.args, c->agg.n_args, s) || !within(c->agg.filter, s) || !within(c->rkey, s) ||
                !within(c->rstart, s) || !within(c->rend, s))
                return false;
        }
        break;
    default: break;
    }
    for (uint32_t i = 0; i < op->n_children; i++)
        if (!plan_within(op->children[i], s))
            return false;
    return true;
}

/* Finds the subquery's WHERE filter below PROJECT/SORT/LIMIT (and, when
 * agg_out, one AGGREGATE without groups), moves its correlated conjuncts
 * to corr, and checks nothing else refers outside.  Returns 1 when the
 * shape is not supported (nothing changed), 0 on success, else an error. */
static int pull_correlated(Opt *o, LogicalOp **sub, ExprVec *corr, LogicalOp **agg_out, LogicalOp **proj_out)
{
    BSetO inner = {0};
    if (produced(o, *sub, &inner))
        return o->err->kind;
    LogicalOp **p = sub;
    if (agg_out)
        *agg_out = NULL;
    if (proj_out)
        *proj_out = NULL;
    for (;;) {
        LogicalOp *op = *p;
        if (op->kind == LOP_PROJECT || op->kind == LOP_SORT || op->kind == LOP_LIMIT) {
            /* LIMIT 0 / OFFSET count rows per outer row: not a join */
            if ((op->kind == LOP_LIMIT && (op->u.limit.limit == 0 || op->u.limit.offset != 0)) ||
                (op->kind == LOP_SORT && (op->u.sort.limit == 0 || op->u.sort.offset != 0)))
                return 1;
            /* with an aggregate: a LIMIT below it (a derived table's) limits
             * the rows per outer row, one above it would limit the groups
             * of the join: a dependent join */
            if (agg_out && (op->kind == LOP_LIMIT || (op->kind == LOP_SORT && op->u.sort.limit >= 0)))
                return 1;
            if (op->kind == LOP_PROJECT && proj_out && !*proj_out)
                *proj_out = op;
            p = &op->children[0];
            continue;
        }
        if (op->kind == LOP_AGGREGATE && agg_out && !*agg_out && op->u.agg.n_groups == 0) {
            *agg_out = op;
            p = &op->children[0];
            continue;
        }
        break;
    }
    if (agg_out && !*agg_out)
        return 1;
    LogicalOp *f = *p;
    ExprVec keep = {0};
    if (f->kind == LOP_FILTER) {
        ExprVec all = {0};
        for (uint32_t i = 0; i < f->u.filter.n_conds; i++)
            if (add_conjuncts(o, &all, f->u.filter.conds[i]))
                return o->err->kind;
        for (uint32_t i = 0; i < all.n; i++)
            if (ev_push(o, within(all.v[i], &inner) ? &keep : corr, all.v[i]))
                return o->err->kind;
    }
    if (corr->n == 0)
        return 1;
    for (uint32_t i = 0; i < corr->n; i++)
        if (has_subquery(corr->v[i])) {
            /* a correlated subquery inside the correlation: a dependent join */
            corr->n = 0;
            return 1;
        }
    LogicalOp *saved_f = f;
    Expr **saved_c = f->kind == LOP_FILTER ? f->u.filter.conds : NULL;
    uint32_t saved_n = f->kind == LOP_FILTER ? f->u.filter.n_conds : 0;
    if (keep.n) {
        f->u.filter.conds = keep.v;
        f->u.filter.n_conds = keep.n;
    } else {
        *p = f->children[0];
    }
    /* the inner columns the correlation uses must reach the point it is
     * pulled up to (not when it sits below a derived table's projection
     * that does not pass them through) */
    LogicalOp *top = agg_out ? (*agg_out)->children[0] : *p;
    bool reach = !lop_resolve(o->a, top, false);
    for (uint32_t i = 0; i < corr->n && reach; i++) {
        ColBinding *refs = NULL;
        uint32_t nr = 0, cap = 0;
        if (expr_collect_refs(o->a, corr->v[i], &refs, &nr, &cap))
            return ERR_NOMEM(o->err, 0);
        for (uint32_t k = 0; k < nr && reach; k++) {
            bool in = false, out = false;
            for (uint32_t m = 0; m < inner.n && !in; m++)
                in = binding_eq(inner.b[m], refs[k]);
            for (uint32_t m = 0; m < top->n_out && in && !out; m++)
                out = binding_eq(top->out[m], refs[k]);
            reach = !in || out;
        }
    }
    if (!reach || !plan_within(*sub, &inner)) {
        /* outer references elsewhere: undo */
        if (!keep.n)
            *p = saved_f;
        saved_f->u.filter.conds = saved_c;
        saved_f->u.filter.n_conds = saved_n;
        corr->n = 0;
        return 1;
    }
    return 0;
}

static int rewrite_subqueries(Opt *o, LogicalOp **pop);
static void remap_expr_refs(Expr *e, const LogicalOp *agg);

/* Where a semi / anti join over `refs` (the outer columns its conditions
 * use) should go: below inner joins and filters, onto the input that has
 * all of them, so it filters early (TPC-H Q18: orders, not the
 * lineitem-orders-customer join). */
static double estimate(LogicalOp *op);

static LogicalOp **semi_slot(Opt *o, LogicalOp **slot, const Expr *const *conds, uint32_t n, const BSetO *inner,
                             double sub_est)
{
    LogicalOp *op = *slot;
    if (op->kind == LOP_JOIN && (op->u.join.kind == JOIN_INNER || op->u.join.kind == JOIN_CROSS)) {
        for (int side = 0; side < 2; side++) {
            LogicalOp *c = op->children[side];
            if (lop_resolve(o->a, c, true))
                return slot;
            bool all = true;
            for (uint32_t i = 0; i < n && all; i++) {
                /* every column of the condition is the child's or the subquery's */
                ColBinding *refs = NULL;
                uint32_t nr = 0, cap = 0;
                if (expr_collect_refs(o->a, conds[i], &refs, &nr, &cap))
                    return slot;
                for (uint32_t k = 0; k < nr && all; k++) {
                    bool in_c = false, in_s = false;
                    for (uint32_t m = 0; m < c->n_out && !in_c; m++)
                        in_c = binding_eq(c->out[m], refs[k]);
                    for (uint32_t m = 0; m < inner->n && !in_s && !in_c; m++)
                        in_s = binding_eq(inner->b[m], refs[k]);
                    all = in_c || in_s;
                }
            }
            /* only worth it when the semi join filters a lot (a small
             * subquery side); otherwise the inner joins above, which often
             * filter more, should run first (TPC-H Q21) */
            if (all && sub_est * 4 < estimate(c))
                return semi_slot(o, &op->children[side], conds, n, inner, sub_est);
        }
    }
    return slot;
}

static LogicalOp *mk_join2(Opt *o, JoinKind k, LogicalOp *l, LogicalOp *r, ExprVec *conds)
{
    LogicalOp *j = lop_new(o->a, LOP_JOIN, 2);
    if (!j)
        return NULL;
    j->u.join.kind = k;
    j->children[0] = l;
    j->children[1] = r;
    j->u.join.conds = conds->v;
    j->u.join.n_conds = conds->n;
    if (lop_resolve(o->a, j, false))
        return NULL;
    return j;
}

/* EXISTS / NOT EXISTS, correlated: 1 = not handled */
static int decorrelate_exists(Opt *o, LogicalOp **child, Expr *sq, bool neg)
{
    ExprVec corr = {0};
    LogicalOp *sub = sq->u.subq.plan;
    /* the operators above the subquery's WHERE (its select list, ORDER BY,
     * LIMIT; pull_correlated refuses LIMIT 0 / OFFSET): only existence
     * matters, so they go */
    uint32_t above = 0;
    for (LogicalOp *s = sub; s->kind == LOP_PROJECT || s->kind == LOP_SORT || s->kind == LOP_LIMIT;
         s = s->children[0], above++)
        ;
    int rc = pull_correlated(o, &sub, &corr, NULL, NULL);
    if (rc)
        return rc;
    /* only those above the WHERE: projections below it are derived tables
     * whose columns the correlation uses */
    for (uint32_t i = 0; i < above; i++)
        sub = sub->children[0];
    if ((rc = rewrite_subqueries(o, &sub)))
        return rc;
    BSetO inner = {0};
    if (produced(o, sub, &inner))
        return o->err->kind;
    (void)inner;
    LogicalOp *j = mk_join2(o, neg ? JOIN_ANTI : JOIN_SEMI, *child, sub, &corr);
    if (!j)
        return ERR_NOMEM(o->err, 0);
    *child = j;
    return 0;
}

/* A correlated scalar subquery over one aggregate: 1 = not handled. */
static int decorrelate_scalar(Opt *o, LogicalOp **child, Expr *sq, bool inner, Expr **repl)
{
    ExprVec corr = {0};
    LogicalOp *sub = sq->u.subq.plan, *agg, *proj;
    int rc = pull_correlated(o, &sub, &corr, &agg, &proj);
    if (rc)
        return rc;
    /* correlation must be equalities inner_expr = outer_expr */
    BSetO ins = {0};
    if (produced(o, agg->children[0], &ins))
        return o->err->kind;
    uint32_t k = corr.n;
    Expr **in_side = arena_alloc(o->a, k * sizeof(Expr *)), **out_side = arena_alloc(o->a, k * sizeof(Expr *));
    if (!in_side || !out_side)
        return ERR_NOMEM(o->err, 0);
    bool ok = true;
    for (uint32_t i = 0; i < k && ok; i++) {
        Expr *c = corr.v[i];
        if (c->kind != EX_FUNC || c->n_args != 2 || strcmp(c->u.func.def->name, "=")) {
            ok = false;
            break;
        }
        /* the outer side must not use inner columns (x = outer_arr[inner_col]) */
        if (within(c->args[0], &ins) && !touches(c->args[1], &ins)) {
            in_side[i] = c->args[0];
            out_side[i] = c->args[1];
        } else if (within(c->args[1], &ins) && !touches(c->args[0], &ins)) {
            in_side[i] = c->args[1];
            out_side[i] = c->args[0];
        } else {
            ok = false;
        }
    }
    /* count over no rows is 0, not NULL: when the subquery's value is the
     * count itself, the missing group becomes COALESCE(count, 0) (and the
     * join must keep every outer row); other uses of count stay refused */
    bool count_out = false;
    for (uint32_t j = 0; ok && j < agg->u.agg.n_aggs; j++)
        if (!strcmp(agg->u.agg.aggs[j].name, "count")) {
            const Expr *pe0 = proj && proj->u.project.n_exprs == 1 ? proj->u.project.exprs[0] : NULL;
            if (pe0 && pe0->kind == EX_COLREF && agg->n_out > 0 && pe0->u.col.b.table == agg->u.agg.agg_index &&
                pe0->u.col.b.col == j && agg->u.agg.n_aggs == 1)
                count_out = true;
            else
                ok = false;
        }
    if (!ok || !proj || proj->u.project.n_exprs != 1 || proj->children[0] != agg) {
        /* put the conditions back (re-add a filter under the aggregate) */
        LogicalOp *f = lop_new(o->a, LOP_FILTER, 1);
        if (!f)
            return ERR_NOMEM(o->err, 0);
        f->children[0] = agg ? agg->children[0] : sub;
        f->u.filter.conds = corr.v;
        f->u.filter.n_conds = corr.n;
        if (agg)
            agg->children[0] = f;
        return 1;
    }
    /* GROUP BY the inner keys; the projection passes them on */
    agg->u.agg.groups = in_side;
    agg->u.agg.n_groups = k;
    if (lop_resolve(o->a, agg, false))
        return ERR_NOMEM(o->err, 0);
    Expr **pe = arena_alloc(o->a, (k + 1) * sizeof(Expr *));
    if (!pe)
        return ERR_NOMEM(o->err, 0);
    pe[0] = proj->u.project.exprs[0];
    for (uint32_t i = 0; i < k; i++)
        if (!(pe[1 + i] = expr_colref(o->a, agg->out[i], agg->out_types[i], "?key?")))
            return ERR_NOMEM(o->err, 0);
    proj->u.project.exprs = pe;
    proj->u.project.n_exprs = k + 1;
    if (lop_resolve(o->a, proj, false))
        return ERR_NOMEM(o->err, 0);
    if ((rc = rewrite_subqueries(o, &sub)))
        return rc;
    if (lop_resolve(o->a, sub, true))
        return ERR_NOMEM(o->err, 0);
    ExprVec jc = {0};
    uint32_t nf;
    const FuncDef *const *eqs = func_lookup("=", FUNC_OPERATOR, &nf);
    for (uint32_t i = 0; i < k; i++) {
        Expr *eq = expr_new(o->a, EX_FUNC, type_simple(TYPE_BOOL), 2, -1);
        Expr *kc = expr_colref(o->a, proj->out[1 + i], proj->out_types[1 + i], "?key?");
        if (!eq || !kc)
            return ERR_NOMEM(o->err, 0);
        eq->u.func.def = corr.v[i]->u.func.def;
        /* keep the operator's argument order (mixed-type "=" such as
         * float4 = float8 reads its arguments by position) */
        bool inner_first = corr.v[i]->args[0] == in_side[i];
        eq->args[inner_first ? 1 : 0] = out_side[i];
        eq->args[inner_first ? 0 : 1] = kc;
        (void)eqs;
        (void)nf;
        if (ev_push(o, &jc, eq))
            return o->err->kind;
    }
    LogicalOp *j = mk_join2(o, inner && !count_out ? JOIN_INNER : JOIN_LEFT, *child, sub, &jc);
    if (!j)
        return ERR_NOMEM(o->err, 0);
    *child = j;
    *repl = expr_colref(o->a, proj->out[0], proj->out_types[0], "?subquery?");
    if (*repl && count_out) {
        Value zero = value_i64(proj->out_types[0].id, 0);
        Expr *co = expr_new(o->a, EX_COALESCE, proj->out_types[0], 2, -1);
        Expr *z = expr_const(o->a, &zero, proj->out_types[0], -1);
        if (!co || !z)
            return ERR_NOMEM(o->err, 0);
        co->args[0] = *repl;
        co->args[1] = z;
        *repl = co;
    }
    return *repl ? 0 : ERR_NOMEM(o->err, 0);
}

/* Replaces correlated scalar subqueries inside e (joins are added to *child). */
static int decorrelate_in_expr(Opt *o, LogicalOp **child, Expr **pe, bool strict_top)
{
    Expr *e = *pe;
    if (e->kind == EX_SUBQUERY) {
        if (e->u.subq.kind == SUBQ_SCALAR && e->u.subq.correlated) {
            Expr *r = NULL;
            int rc = decorrelate_scalar(o, child, e, strict_top, &r);
            if (rc == 0)
                *pe = r;
            return rc < 0 || rc > 1 ? rc : 0;
        }
        return 0;
    }
    /* comparisons are strict: a NULL subquery result drops the row, so an
     * inner join is enough there */
    bool strict = e->kind == EX_FUNC && e->u.func.def->kind == FUNC_OPERATOR && (e->u.func.def->flags & FUNC_STRICT);
    for (uint32_t i = 0; i < e->n_args; i++) {
        int rc = decorrelate_in_expr(o, child, &e->args[i], strict_top && strict);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- 1a. correlated aggregates over the same rows as windows ----------------------------------------------
 *
 * `... FROM lineitem, part WHERE p_partkey = l_partkey AND <part only> AND
 * l_quantity < (SELECT 0.2 * avg(l_quantity) FROM lineitem WHERE l_partkey
 * = p_partkey)` (TPC-H Q17): the subquery aggregates, per key, exactly the
 * rows of the outer query's own `lineitem` with that key, so it is the
 * window `avg(l_quantity) OVER (PARTITION BY l_partkey)` over the outer
 * rows - one scan of lineitem instead of two (WinMagic).  Taken only when
 * that is exact:
 *   - the subquery is aggregate(s) avg / min / max (no DISTINCT / FILTER:
 *     values that a uniform duplication of the rows does not change) under
 *     a one-expression projection, over one table T without other
 *     conditions than the correlation `T.k = X` (integer keys);
 *   - the outer FROM is inner joins of plain table scans, exactly one of
 *     them T at the same version, and `T.k = X` is one of its conditions
 *     (so the key is not NULL and X's value is T.k);
 *   - every other condition that uses a column of the outer T uses only
 *     its key columns, and no other condition has a subquery: all rows of
 *     T with one key then join the same rows of the other tables, so a
 *     partition holds each of the subquery's rows the same number of times.
 * The other conditions move below the window (they define its rows); the
 * subquery becomes the window's column.  Returns 1 (nothing changed) when
 * it does not apply. */
static int collect_inner(Opt *o, LogicalOp *op, LogicalOp ***leaves, uint32_t *nl, uint32_t *cap, ExprVec *conds);

static Expr **find_subq_slot(Expr **pe, uint32_t *count)
{
    Expr *e = *pe;
    if (!e)
        return NULL;
    if (e->kind == EX_SUBQUERY) {
        (*count)++;
        return pe;
    }
    Expr **found = NULL;
    for (uint32_t i = 0; i < e->n_args; i++) {
        Expr **f = find_subq_slot(&e->args[i], count);
        if (f)
            found = f;
    }
    return found;
}

static bool int_key_type(TypeId t) { return t == TYPE_INT16 || t == TYPE_INT32 || t == TYPE_INT64; }

static bool same_table_version(const LogicalOp *a, const LogicalOp *b)
{
    const struct CatalogRel *ra = a->u.get.rel, *rb = b->u.get.rel;
    return a->kind == LOP_GET && b->kind == LOP_GET && a->u.get.source == SCAN_DELTA &&
           b->u.get.source == SCAN_DELTA && ra && rb && a->u.get.snapshot && b->u.get.snapshot &&
           (ra == rb || (!strcmp(ra->schema, rb->schema) && !strcmp(ra->name, rb->name))) &&
           delta_snapshot_version(a->u.get.snapshot) == delta_snapshot_version(b->u.get.snapshot) &&
           !a->u.get.n_only_files && !b->u.get.n_only_files && !a->u.get.n_filters && !b->u.get.n_filters &&
           a->u.get.schema->n_fields == b->u.get.schema->n_fields;
}

/* Copies e with column references to table `from` moved to table `to`, and
 * (agg_index, j) to (win[j], 0) when win is given. */
static Expr *remap_copy(Opt *o, const Expr *e, uint32_t from, uint32_t to, uint32_t agg_index, const uint32_t *win)
{
    Expr *c = arena_alloc(o->a, sizeof *c);
    if (!c)
        return NULL;
    *c = *e;
    if (e->kind == EX_COLREF) {
        if (e->u.col.b.table == from)
            c->u.col.b.table = to;
        else if (win && e->u.col.b.table == agg_index)
            c->u.col.b = (ColBinding){win[e->u.col.b.col], 0};
        return c;
    }
    if (e->n_args) {
        if (!(c->args = arena_alloc(o->a, e->n_args * sizeof(Expr *))))
            return NULL;
        for (uint32_t i = 0; i < e->n_args; i++)
            if (!(c->args[i] = remap_copy(o, e->args[i], from, to, agg_index, win)))
                return NULL;
    }
    return c;
}

/* True when every column of table t that e uses is one of keys[0..nk). */
static bool uses_only_keys(const Expr *e, uint32_t t, const uint32_t *keys, uint32_t nk)
{
    if (e->kind == EX_COLREF) {
        if (e->u.col.b.table != t)
            return true;
        for (uint32_t i = 0; i < nk; i++)
            if (keys[i] == e->u.col.b.col)
                return true;
        return false;
    }
    for (uint32_t i = 0; i < e->n_args; i++)
        if (!uses_only_keys(e->args[i], t, keys, nk))
            return false;
    return true;
}

static bool only_table(const Expr *e, uint32_t t)
{
    if (e->kind == EX_COLREF)
        return e->u.col.b.table == t;
    if (e->kind == EX_SUBQUERY || e->kind == EX_AGGREF)
        return false;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (!only_table(e->args[i], t))
            return false;
    return true;
}

static bool is_eq_cols(const Expr *c, ColBinding a, ColBinding b, const FuncDef *def)
{
    if (c->kind != EX_FUNC || c->n_args != 2 || c->u.func.def != def || c->args[0]->kind != EX_COLREF ||
        c->args[1]->kind != EX_COLREF)
        return false;
    ColBinding x = c->args[0]->u.col.b, y = c->args[1]->u.col.b;
    return (binding_eq(x, a) && binding_eq(y, b)) || (binding_eq(x, b) && binding_eq(y, a));
}

static int window_rewrite(Opt *o, LogicalOp **child, ExprVec *all, uint32_t idx)
{
    uint32_t nsq = 0;
    Expr **slot = find_subq_slot(&all->v[idx], &nsq);
    if (!slot || nsq != 1)
        return 1;
    Expr *sq = *slot;
    if (sq->u.subq.kind != SUBQ_SCALAR || !sq->u.subq.correlated || sq->n_args)
        return 1;
    /* the subquery: Project(1 expr) -> Aggregate(no groups) -> Filter(correlation) -> GET */
    LogicalOp *proj = sq->u.subq.plan;
    if (proj->kind != LOP_PROJECT || proj->u.project.n_exprs != 1 || proj->n_children != 1)
        return 1;
    LogicalOp *agg = proj->children[0];
    if (agg->kind != LOP_AGGREGATE || agg->u.agg.n_groups || agg->u.agg.n_sets || !agg->u.agg.n_aggs)
        return 1;
    LogicalOp *f = agg->children[0];
    if (f->kind != LOP_FILTER || f->children[0]->kind != LOP_GET)
        return 1;
    LogicalOp *g2 = f->children[0];
    uint32_t t2 = g2->u.get.table_index;
    for (uint32_t j = 0; j < agg->u.agg.n_aggs; j++) {
        const AggCall *ac = &agg->u.agg.aggs[j];
        if (ac->distinct || ac->filter || ac->n_args != 1 || !only_table(ac->args[0], t2) ||
            (strcmp(ac->name, "avg") && strcmp(ac->name, "min") && strcmp(ac->name, "max")))
            return 1;
    }
    /* the projection uses the aggregates and constants only */
    if (has_subquery(proj->u.project.exprs[0]) || expr_has_volatile(proj->u.project.exprs[0]) ||
        !only_table(proj->u.project.exprs[0], agg->u.agg.agg_index))
        return 1;
    /* every condition of the subquery is T2.k = X (X: a column outside it) */
    ExprVec corr = {0};
    for (uint32_t i = 0; i < f->u.filter.n_conds; i++)
        if (add_conjuncts(o, &corr, f->u.filter.conds[i]))
            return o->err->kind;
    uint32_t nk = corr.n;
    if (!nk || nk > 8)
        return 1;
    uint32_t keys[8];
    ColBinding xs[8];
    const FuncDef *eqs[8];
    for (uint32_t i = 0; i < nk; i++) {
        Expr *c = corr.v[i];
        if (c->kind != EX_FUNC || c->n_args != 2 || strcmp(c->u.func.def->name, "=") ||
            c->args[0]->kind != EX_COLREF || c->args[1]->kind != EX_COLREF)
            return 1;
        const Expr *in = c->args[0]->u.col.b.table == t2 ? c->args[0] : c->args[1];
        const Expr *out = in == c->args[0] ? c->args[1] : c->args[0];
        if (in->u.col.b.table != t2 || out->u.col.b.table == t2 || !int_key_type(in->type.id) ||
            !type_equal(&in->type, &out->type))
            return 1;
        keys[i] = in->u.col.b.col;
        xs[i] = out->u.col.b;
        eqs[i] = c->u.func.def;
    }
    /* the outer FROM: inner joins of plain scans, one of them the same table */
    LogicalOp **leaves = NULL;
    uint32_t nl = 0, cap = 0;
    ExprVec conds = {0};
    if (collect_inner(o, *child, &leaves, &nl, &cap, &conds))
        return o->err->kind;
    LogicalOp *g1 = NULL;
    for (uint32_t i = 0; i < nl; i++) {
        if (leaves[i]->kind != LOP_GET)
            return 1;
        if (same_table_version(leaves[i], g2)) {
            if (g1)
                return 1;
            g1 = leaves[i];
        }
    }
    if (!g1)
        return 1;
    uint32_t t1 = g1->u.get.table_index;
    for (uint32_t i = 0; i < all->n; i++)
        if (i != idx && ev_push(o, &conds, all->v[i]))
            return o->err->kind;
    /* the other conditions: no subquery, T1's columns only its keys, and
     * T1.k = X among them */
    bool found[8] = {false};
    for (uint32_t i = 0; i < conds.n; i++) {
        const Expr *c = conds.v[i];
        if (has_subquery(c) || expr_has_volatile(c) || !uses_only_keys(c, t1, keys, nk))
            return 1;
        for (uint32_t k = 0; k < nk; k++)
            if (is_eq_cols(c, (ColBinding){t1, keys[k]}, xs[k], eqs[k]))
                found[k] = true;
    }
    for (uint32_t k = 0; k < nk; k++)
        if (!found[k])
            return 1;
    /* the window over the filtered join */
    LogicalOp *below = *child;
    ExprVec rest = {0};
    for (uint32_t i = 0; i < all->n; i++)
        if (i != idx && ev_push(o, &rest, all->v[i]))
            return o->err->kind;
    if (rest.n) {
        LogicalOp *fl = lop_new(o->a, LOP_FILTER, 1);
        if (!fl)
            return ERR_NOMEM(o->err, 0);
        fl->children[0] = below;
        fl->u.filter.conds = rest.v;
        fl->u.filter.n_conds = rest.n;
        if (lop_resolve(o->a, fl, false))
            return ERR_NOMEM(o->err, 0);
        below = fl;
    }
    LogicalOp *w = lop_new(o->a, LOP_WINDOW, 1);
    WinCall *calls = arena_calloc(o->a, agg->u.agg.n_aggs * sizeof(WinCall));
    Expr **part = arena_alloc(o->a, nk * sizeof(Expr *));
    uint32_t *win = arena_alloc(o->a, agg->u.agg.n_aggs * sizeof(uint32_t));
    if (!w || !calls || !part || !win)
        return ERR_NOMEM(o->err, 0);
    for (uint32_t k = 0; k < nk; k++) {
        const LogicalType *kt = &g1->u.get.schema->fields[keys[k]].type;
        if (!(part[k] = expr_colref(o->a, (ColBinding){t1, keys[k]}, *kt, g1->u.get.schema->fields[keys[k]].name)))
            return ERR_NOMEM(o->err, 0);
    }
    for (uint32_t j = 0; j < agg->u.agg.n_aggs; j++) {
        WinCall *c = &calls[j];
        c->kind = WIN_AGG;
        c->agg = agg->u.agg.aggs[j];
        c->agg.args = arena_alloc(o->a, sizeof(Expr *));
        if (!c->agg.args || !(c->agg.args[0] = remap_copy(o, agg->u.agg.aggs[j].args[0], t2, t1, 0, NULL)))
            return ERR_NOMEM(o->err, 0);
        c->frame = WFRAME_RANGE | WFRAME_START_UNBOUNDED_PRECEDING | WFRAME_END_CURRENT_ROW;
        c->table_index = win[j] = o->next_mark++;
        c->loc = -1;
    }
    w->children[0] = below;
    w->u.win.part = part;
    w->u.win.n_part = nk;
    w->u.win.calls = calls;
    w->u.win.n_calls = agg->u.agg.n_aggs;
    if (lop_resolve(o->a, w, false))
        return ERR_NOMEM(o->err, 0);
    Expr *val = remap_copy(o, proj->u.project.exprs[0], UINT32_MAX, UINT32_MAX, agg->u.agg.agg_index, win);
    if (!val)
        return ERR_NOMEM(o->err, 0);
    *slot = val;
    *child = w;
    /* the other conditions now sit below the window */
    Value t = {0};
    t.type = TYPE_BOOL;
    t.v.b = true;
    for (uint32_t i = 0; i < all->n; i++)
        if (i != idx && !(all->v[i] = expr_const(o->a, &t, type_simple(TYPE_BOOL), -1)))
            return ERR_NOMEM(o->err, 0);
    return 0;
}

static int rewrite_subqueries(Opt *o, LogicalOp **pop)
{
    LogicalOp *op = *pop;
    for (uint32_t i = 0; i < op->n_children; i++)
        if (rewrite_subqueries(o, &op->children[i]))
            return o->err->kind;
    if (op->kind == LOP_PROJECT || op->kind == LOP_FILTER || op->kind == LOP_PROJECT_SET) {
        /* above GROUP BY, subqueries see the grouped columns */
        LogicalOp *below = op->children[0];
        while (below->kind == LOP_FILTER || below->kind == LOP_PROJECT_SET)
            below = below->children[0];
        Expr **v = op->kind == LOP_PROJECT ? op->u.project.exprs
                   : op->kind == LOP_PROJECT_SET ? op->u.pset.calls : op->u.filter.conds;
        uint32_t nv = op->kind == LOP_PROJECT ? op->u.project.n_exprs
                      : op->kind == LOP_PROJECT_SET ? op->u.pset.n_calls : op->u.filter.n_conds;
        if (below->kind == LOP_AGGREGATE)
            for (uint32_t i = 0; i < nv; i++)
                if (has_subquery(v[i]))
                    remap_expr_refs(v[i], below);
    }
    if (op->kind == LOP_PROJECT) {
        /* correlated scalar subqueries in the select list: a LEFT join
         * with the subquery grouped by its correlation keys */
        bool changed = false;
        for (uint32_t i = 0; i < op->u.project.n_exprs; i++) {
            if (!has_subquery(op->u.project.exprs[i]))
                continue;
            int rc = decorrelate_in_expr(o, &op->children[0], &op->u.project.exprs[i], false);
            if (rc)
                return rc;
            changed = true;
        }
        if (changed && lop_resolve(o->a, op, false))
            return ERR_NOMEM(o->err, 0);
        return 0;
    }
    if (op->kind != LOP_FILTER)
        return 0;
    ExprVec keep = {0};
    ExprVec all = {0};
    for (uint32_t i = 0; i < op->u.filter.n_conds; i++)
        if (add_conjuncts(o, &all, op->u.filter.conds[i]))
            return o->err->kind;
    LogicalOp *child = op->children[0];
    for (uint32_t i = 0; i < all.n; i++) {
        int rc = window_rewrite(o, &child, &all, i);
        if (rc == 0)
            break;
        if (rc != 1)
            return rc;
    }
    for (uint32_t i = 0; i < all.n; i++) {
        Expr *c = all.v[i];
        bool neg = false;
        Expr *s = c;
        if (s->kind == EX_NOT && s->args[0]->kind == EX_SUBQUERY) {
            neg = true;
            s = s->args[0];
        }
        if (s->kind == EX_SUBQUERY && s->u.subq.kind == SUBQ_EXISTS && s->u.subq.correlated) {
            int rc = decorrelate_exists(o, &child, s, neg);
            if (rc == 0)
                continue;
            if (rc != 1)
                return rc;
        }
        if (s->kind == EX_SUBQUERY && s->u.subq.kind == SUBQ_IN && !s->u.subq.correlated) {
            LogicalOp *sub = s->u.subq.plan;
            LogicalOp *j = lop_new(o->a, LOP_JOIN, 2);
            if (!j)
                return ERR_NOMEM(o->err, 0);
            j->u.join.kind = neg ? JOIN_ANTI : JOIN_SEMI;
            j->u.join.null_aware = neg;
            j->children[1] = sub;
            Expr *col = expr_colref(o->a, sub->out[0], sub->out_types[0], sub->out_names[0]);
            Expr *eq = expr_new(o->a, EX_FUNC, type_simple(TYPE_BOOL), 2, s->loc);
            if (!col || !eq)
                return ERR_NOMEM(o->err, 0);
            /* find "=" for the type */
            uint32_t n;
            const FuncDef *const *defs = func_lookup("=", FUNC_OPERATOR, &n);
            const FuncDef *def = NULL;
            for (uint32_t k = 0; k < n && !def; k++)
                if (defs[k]->n_args == 2 && defs[k]->args[0] == s->args[0]->type.id && defs[k]->args[1] == col->type.id)
                    def = defs[k];
            if (!def)
                return err_set_state(o->err, TARN_ERR_UNSUPPORTED, "0A000", "IN (subquery) over this type is not supported yet");
            eq->u.func.def = def;
            eq->args[0] = s->args[0];
            eq->args[1] = col;
            j->u.join.conds = arena_alloc(o->a, sizeof(Expr *));
            if (!j->u.join.conds)
                return ERR_NOMEM(o->err, 0);
            j->u.join.conds[0] = eq;
            j->u.join.n_conds = 1;
            j->children[0] = child;
            if (lop_resolve(o->a, j, false))
                return ERR_NOMEM(o->err, 0);
            if (rewrite_subqueries(o, &j->children[1]))
                return o->err->kind;
            child = j;
            continue;
        }
        int rc = decorrelate_in_expr(o, &child, &all.v[i], true);
        if (rc)
            return rc;
        c = all.v[i];
        if (ev_push(o, &keep, c))
            return o->err->kind;
    }
    if (keep.n == 0) {
        *pop = child;
        return 0;
    }
    op->children[0] = child;
    op->u.filter.conds = keep.v;
    op->u.filter.n_conds = keep.n;
    return 0;
}

/* ---- 1b. the remaining subqueries to dependent joins -------------------------------------------------------
 *
 * Correlated subqueries the rewrites above could not turn into joins
 * (correlated scalar subqueries without an aggregate, EXISTS / IN inside
 * OR or in the select list, correlation inside joins of the subquery,
 * nested correlation), and IN / ANY / ALL outside WHERE conjuncts, become
 * a LOP_APPLY below the filter / projection using them: its result column
 * (a mark: the scalar value, or true / false / NULL with IN's NULL
 * semantics) replaces the subquery.  op_apply.c evaluates the subquery once
 * per distinct set of outer values it uses.  Uncorrelated scalar and
 * EXISTS subqueries stay init plans.
 */

static int apply_subqueries(Opt *o, LogicalOp *op);

static const FuncDef *find_eq(TypeId a, TypeId b)
{
    uint32_t n;
    const FuncDef *const *defs = func_lookup("=", FUNC_OPERATOR, &n);
    for (uint32_t k = 0; k < n; k++)
        if (defs[k]->n_args == 2 && defs[k]->args[0] == a && defs[k]->args[1] == b)
            return defs[k];
    return NULL;
}

static int subq_to_apply(Opt *o, LogicalOp **child, Expr **pe)
{
    Expr *e = *pe;
    if (e->kind != EX_SUBQUERY) {
        for (uint32_t i = 0; i < e->n_args; i++) {
            int rc = subq_to_apply(o, child, &e->args[i]);
            if (rc)
                return rc;
        }
        return 0;
    }
    SubqKind k = e->u.subq.kind;
    if (!e->u.subq.correlated && (k == SUBQ_SCALAR || k == SUBQ_EXISTS))
        return 0; /* an init plan */
    LogicalOp *inner = e->u.subq.plan;
    int rc = apply_subqueries(o, inner);
    if (rc)
        return rc;
    if (lop_resolve(o->a, inner, true))
        return ERR_NOMEM(o->err, 0);
    ApplyMode mode;
    LogicalType mt = type_simple(TYPE_BOOL);
    Expr *cmp = NULL;
    switch (k) {
    case SUBQ_SCALAR: mode = APPLY_SCALAR; mt = e->type; break;
    case SUBQ_EXISTS: mode = APPLY_EXISTS; break;
    case SUBQ_IN: {
        mode = APPLY_ANY;
        Expr *col = expr_colref(o->a, inner->out[0], inner->out_types[0], inner->out_names[0]);
        cmp = expr_new(o->a, EX_FUNC, type_simple(TYPE_BOOL), 2, e->loc);
        if (!col || !cmp)
            return ERR_NOMEM(o->err, 0);
        if (!(cmp->u.func.def = find_eq(e->args[0]->type.id, col->type.id)))
            return err_set_state(o->err, TARN_ERR_UNSUPPORTED, "0A000", "IN (subquery) over this type is not supported yet");
        cmp->args[0] = e->args[0];
        cmp->args[1] = col;
        break;
    }
    default: /* ANY / ALL: args[0] is the comparison */
        mode = k == SUBQ_ANY ? APPLY_ANY : APPLY_ALL;
        cmp = e->args[0];
        break;
    }
    if (cmp) {
        /* the comparison (which uses outer columns) is the inner side's one column */
        rc = subq_to_apply(o, child, &cmp->args[0]);
        if (rc)
            return rc;
        LogicalOp *pr = lop_new(o->a, LOP_PROJECT, 1);
        if (!pr)
            return ERR_NOMEM(o->err, 0);
        pr->children[0] = inner;
        pr->u.project.table_index = o->next_mark++;
        pr->u.project.n_exprs = 1;
        if (!(pr->u.project.exprs = arena_alloc(o->a, sizeof(Expr *))))
            return ERR_NOMEM(o->err, 0);
        pr->u.project.exprs[0] = cmp;
        if (lop_resolve(o->a, pr, false))
            return ERR_NOMEM(o->err, 0);
        inner = pr;
    }
    LogicalOp *ap = lop_new(o->a, LOP_APPLY, 2);
    if (!ap)
        return ERR_NOMEM(o->err, 0);
    ap->children[0] = *child;
    ap->children[1] = inner;
    ap->u.join.kind = JOIN_LEFT;
    ap->u.join.apply = mode;
    ap->u.join.mark_index = o->next_mark++;
    ap->u.join.mark_type = mt;
    ap->est_rows = (*child)->est_rows;
    if (lop_resolve(o->a, ap, false))
        return ERR_NOMEM(o->err, 0);
    Expr *c = expr_colref(o->a, ap->out[ap->n_out - 1], mt, "?subquery?");
    if (!c)
        return ERR_NOMEM(o->err, 0);
    c->loc = e->loc;
    *child = ap;
    *pe = c;
    return 0;
}

/* A subquery in the select list above GROUP BY refers to grouped columns
 * by their input bindings: point those references at the aggregate's
 * group outputs, which is what flows above it. */
static void remap_plan_refs(LogicalOp *op, const LogicalOp *agg);

static void remap_expr_refs(Expr *e, const LogicalOp *agg)
{
    if (!e)
        return;
    if (e->kind == EX_COLREF) {
        for (uint32_t g = 0; g < agg->u.agg.n_groups; g++) {
            const Expr *ge = agg->u.agg.groups[g];
            if (ge->kind == EX_COLREF && binding_eq(ge->u.col.b, e->u.col.b)) {
                e->u.col.b = (ColBinding){agg->u.agg.group_index, g};
                return;
            }
        }
        return;
    }
    if (e->kind == EX_SUBQUERY)
        remap_plan_refs(e->u.subq.plan, agg);
    for (uint32_t i = 0; i < e->n_args; i++)
        remap_expr_refs(e->args[i], agg);
}

static void remap_exprs(Expr **v, uint32_t n, const LogicalOp *agg)
{
    for (uint32_t i = 0; i < n; i++)
        remap_expr_refs(v[i], agg);
}

static void remap_plan_refs(LogicalOp *op, const LogicalOp *agg)
{
    switch (op->kind) {
    case LOP_GET: remap_exprs(op->u.get.filters, op->u.get.n_filters, agg); break;
    case LOP_FILTER: remap_exprs(op->u.filter.conds, op->u.filter.n_conds, agg); break;
    case LOP_PROJECT: remap_exprs(op->u.project.exprs, op->u.project.n_exprs, agg); break;
    case LOP_PROJECT_SET: remap_exprs(op->u.pset.calls, op->u.pset.n_calls, agg); break;
    case LOP_JOIN: case LOP_APPLY: remap_exprs(op->u.join.conds, op->u.join.n_conds, agg); break;
    case LOP_AGGREGATE:
        remap_exprs(op->u.agg.groups, op->u.agg.n_groups, agg);
        for (uint32_t j = 0; j < op->u.agg.n_aggs; j++) {
            remap_exprs(op->u.agg.aggs[j].args, op->u.agg.aggs[j].n_args, agg);
            remap_expr_refs(op->u.agg.aggs[j].filter, agg);
        }
        break;
    case LOP_SORT:
        for (uint32_t i = 0; i < op->u.sort.n_items; i++)
            remap_expr_refs(op->u.sort.items[i].expr, agg);
        break;
    default: break;
    }
    for (uint32_t i = 0; i < op->n_children; i++)
        remap_plan_refs(op->children[i], agg);
}

static int apply_subqueries(Opt *o, LogicalOp *op)
{
    for (uint32_t i = 0; i < op->n_children; i++) {
        int rc = apply_subqueries(o, op->children[i]);
        if (rc)
            return rc;
    }
    Expr **v;
    uint32_t n;
    if (op->kind == LOP_FILTER) {
        v = op->u.filter.conds;
        n = op->u.filter.n_conds;
    } else if (op->kind == LOP_PROJECT) {
        v = op->u.project.exprs;
        n = op->u.project.n_exprs;
    } else if (op->kind == LOP_PROJECT_SET) {
        v = op->u.pset.calls; /* set-returning calls' arguments */
        n = op->u.pset.n_calls;
    } else {
        return 0;
    }
    bool any = false;
    for (uint32_t i = 0; i < n; i++) {
        if (!has_subquery(v[i]))
            continue;
        int rc = subq_to_apply(o, &op->children[0], &v[i]);
        if (rc)
            return rc;
        any = true;
    }
    if (any && lop_resolve(o->a, op, false))
        return ERR_NOMEM(o->err, 0);
    return 0;
}

/* ---- 2. filter pushdown --------------------------------------------------------------------------------- */

/* Replaces references to (table, i) by copies of exprs[i]. */
static Expr *substitute(Opt *o, const Expr *e, uint32_t table, Expr *const *exprs, uint32_t n)
{
    if (e->kind == EX_COLREF && e->u.col.b.table == table) {
        if (e->u.col.b.col >= n)
            return NULL;
        return expr_copy(o->a, exprs[e->u.col.b.col]);
    }
    Expr *c = arena_alloc(o->a, sizeof *c);
    if (!c)
        return NULL;
    *c = *e;
    if (e->n_args) {
        c->args = arena_alloc(o->a, e->n_args * sizeof(Expr *));
        if (!c->args)
            return NULL;
        for (uint32_t i = 0; i < e->n_args; i++)
            if (!(c->args[i] = substitute(o, e->args[i], table, exprs, n)))
                return NULL;
    }
    return c;
}

static bool refs_table_cols(const Expr *e, uint32_t table, uint32_t max_col)
{
    if (e->kind == EX_COLREF)
        return e->u.col.b.table == table && e->u.col.b.col < max_col;
    if (e->kind == EX_SUBQUERY || e->kind == EX_AGGREF)
        return false;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (!refs_table_cols(e->args[i], table, max_col))
            return false;
    return true;
}

static LogicalOp *wrap_filter(Opt *o, LogicalOp *op, ExprVec *conds)
{
    if (conds->n == 0)
        return op;
    for (uint32_t i = 0; i < conds->n; i++)
        if (is_const_false(conds->v[i])) {
            LogicalOp *e = lop_new(o->a, LOP_EMPTY, 0);
            if (!e)
                return NULL;
            e->n_out = op->n_out;
            e->out = op->out;
            e->out_types = op->out_types;
            e->out_names = op->out_names;
            e->est_rows = 0;
            return e;
        }
    LogicalOp *f = lop_new(o->a, LOP_FILTER, 1);
    if (!f)
        return NULL;
    f->children[0] = op;
    f->u.filter.conds = conds->v;
    f->u.filter.n_conds = conds->n;
    if (lop_resolve(o->a, f, false))
        return NULL;
    return f;
}

static LogicalOp *push(Opt *o, LogicalOp *op, ExprVec *conds);

/* expr_refs_only, with uncorrelated scalar / EXISTS subqueries (init
 * plans: one value for the whole statement) counted as constants, so
 * `c_acctbal > (SELECT avg(...) ...)` above a join reaches the scan of
 * its table (TPC-H Q22: below the anti join, at customer's scan). */
static bool refs_only_or_init(const Expr *e, const ColBinding *set, uint32_t n)
{
    if (!e)
        return true;
    if (e->kind == EX_SUBQUERY)
        return !e->u.subq.correlated && (e->u.subq.kind == SUBQ_SCALAR || e->u.subq.kind == SUBQ_EXISTS) &&
               e->n_args == 0;
    if (e->kind != EX_COLREF && e->kind != EX_AGGREF) {
        for (uint32_t i = 0; i < e->n_args; i++)
            if (!refs_only_or_init(e->args[i], set, n))
                return false;
        return true;
    }
    return expr_refs_only(e, set, n);
}

static int push_child(Opt *o, LogicalOp *op, uint32_t i, ExprVec *conds)
{
    LogicalOp *c = push(o, op->children[i], conds);
    if (!c)
        return o->err->kind ? o->err->kind : ERR_NOMEM(o->err, 0);
    op->children[i] = c;
    return 0;
}

static LogicalOp *push(Opt *o, LogicalOp *op, ExprVec *conds)
{
    ExprVec above = {0};
    /* drop constant-true conjuncts */
    ExprVec cs = {0};
    for (uint32_t i = 0; i < conds->n; i++)
        if (!is_const_true(conds->v[i]) && ev_push(o, &cs, conds->v[i]))
            return NULL;
    switch (op->kind) {
    case LOP_FILTER: {
        for (uint32_t i = 0; i < op->u.filter.n_conds; i++)
            if (add_conjuncts(o, &cs, op->u.filter.conds[i]))
                return NULL;
        return push(o, op->children[0], &cs);
    }
    case LOP_GET: {
        ExprVec f = {0};
        for (uint32_t i = 0; i < op->u.get.n_filters; i++)
            if (ev_push(o, &f, op->u.get.filters[i]))
                return NULL;
        for (uint32_t i = 0; i < cs.n; i++) {
            if (is_const_false(cs.v[i])) {
                if (ev_push(o, &above, cs.v[i]))
                    return NULL;
                continue;
            }
            if (ev_push(o, &f, cs.v[i]))
                return NULL;
        }
        op->u.get.filters = f.v;
        op->u.get.n_filters = f.n;
        return wrap_filter(o, op, &above);
    }
    case LOP_JOIN: {
        LogicalOp *l = op->children[0], *r = op->children[1];
        JoinKind k = op->u.join.kind;
        ExprVec lc = {0}, rc = {0}, jc = {0};
        bool inner = k == JOIN_INNER || k == JOIN_CROSS;
        /* the join's own conditions */
        ExprVec own = {0};
        for (uint32_t i = 0; i < op->u.join.n_conds; i++)
            if (add_conjuncts(o, &own, op->u.join.conds[i]))
                return NULL;
        for (uint32_t i = 0; i < own.n; i++) {
            Expr *c = own.v[i];
            bool on_l = expr_refs_only(c, l->out, l->n_out) && !has_subquery(c);
            bool on_r = expr_refs_only(c, r->out, r->n_out) && !has_subquery(c);
            ExprVec *dst = &jc;
            if (is_const_true(c))
                continue;
            if (inner && on_l)
                dst = &lc;
            else if (inner && on_r)
                dst = &rc;
            else if ((k == JOIN_LEFT || k == JOIN_SEMI || k == JOIN_ANTI) && on_r && !on_l)
                dst = &rc;
            else if (k == JOIN_RIGHT && on_l && !on_r)
                dst = &lc;
            if (ev_push(o, dst, c))
                return NULL;
        }
        /* conditions from above */
        for (uint32_t i = 0; i < cs.n; i++) {
            Expr *c = cs.v[i];
            bool on_l = refs_only_or_init(c, l->out, l->n_out);
            bool on_r = refs_only_or_init(c, r->out, r->n_out);
            ExprVec *dst = &above;
            if (inner) {
                dst = on_l ? &lc : on_r ? &rc : &jc;
            } else if ((k == JOIN_LEFT || k == JOIN_SEMI || k == JOIN_ANTI) && on_l) {
                dst = &lc;
            } else if (k == JOIN_RIGHT && on_r) {
                dst = &rc;
            }
            if (ev_push(o, dst, c))
                return NULL;
        }
        if (k == JOIN_CROSS && jc.n)
            op->u.join.kind = JOIN_INNER;
        op->u.join.conds = jc.v;
        op->u.join.n_conds = jc.n;
        if (push_child(o, op, 0, &lc) || push_child(o, op, 1, &rc))
            return NULL;
        if (lop_resolve(o->a, op, false))
            return NULL;
        return wrap_filter(o, op, &above);
    }
    case LOP_PROJECT: {
        ExprVec down = {0};
        for (uint32_t i = 0; i < cs.n; i++) {
            Expr *c = cs.v[i];
            Expr *sub = NULL;
            bool ok = !expr_has_volatile(c);
            for (uint32_t k = 0; ok && k < op->u.project.n_exprs; k++)
                if (expr_has_volatile(op->u.project.exprs[k]) || has_subquery(op->u.project.exprs[k]))
                    ok = false;
            if (ok)
                sub = substitute(o, c, op->u.project.table_index, op->u.project.exprs, op->u.project.n_exprs);
            if (sub && ev_push(o, &down, sub))
                return NULL;
            if (!sub && ev_push(o, &above, c))
                return NULL;
        }
        if (push_child(o, op, 0, &down))
            return NULL;
        return wrap_filter(o, op, &above);
    }
    case LOP_AGGREGATE: {
        ExprVec down = {0};
        for (uint32_t i = 0; i < cs.n; i++) {
            Expr *c = cs.v[i];
            Expr *sub = NULL;
            /* not through grouping sets: a key is NULL in the sets without it */
            if (op->u.agg.n_groups && !op->u.agg.n_sets &&
                refs_table_cols(c, op->u.agg.group_index, op->u.agg.n_groups) && !expr_has_volatile(c))
                sub = substitute(o, c, op->u.agg.group_index, op->u.agg.groups, op->u.agg.n_groups);
            if (sub && ev_push(o, &down, sub))
                return NULL;
            if (!sub && ev_push(o, &above, c))
                return NULL;
        }
        if (push_child(o, op, 0, &down))
            return NULL;
        return wrap_filter(o, op, &above);
    }
    case LOP_SORT: {
        if (push_child(o, op, 0, &cs))
            return NULL;
        return op;
    }
    case LOP_WINDOW: {
        /* a condition on PARTITION BY columns only keeps or drops whole
         * partitions, so it may run below the window functions */
        ExprVec down = {0};
        for (uint32_t i = 0; i < cs.n; i++) {
            Expr *c = cs.v[i];
            bool ok = !expr_has_volatile(c) && !has_subquery(c);
            ColBinding *refs = NULL;
            uint32_t nr = 0, cap = 0;
            if (ok && expr_collect_refs(o->a, c, &refs, &nr, &cap))
                return NULL;
            for (uint32_t k = 0; ok && k < nr; k++) {
                bool part = false;
                for (uint32_t p = 0; p < op->u.win.n_part && !part; p++)
                    part = op->u.win.part[p]->kind == EX_COLREF && binding_eq(op->u.win.part[p]->u.col.b, refs[k]);
                ok = part;
            }
            if (ev_push(o, ok && nr ? &down : &above, c))
                return NULL;
        }
        if (push_child(o, op, 0, &down))
            return NULL;
        return wrap_filter(o, op, &above);
    }
    case LOP_UNION: {
        for (uint32_t ch = 0; ch < op->n_children; ch++) {
            LogicalOp *c = op->children[ch];
            ExprVec down = {0};
            Expr **cols = arena_alloc(o->a, (c->n_out ? c->n_out : 1) * sizeof(Expr *));
            if (!cols)
                return NULL;
            for (uint32_t k = 0; k < c->n_out; k++)
                if (!(cols[k] = expr_colref(o->a, c->out[k], c->out_types[k], c->out_names[k])))
                    return NULL;
            for (uint32_t i = 0; i < cs.n; i++) {
                Expr *sub = substitute(o, cs.v[i], op->u.setop.table_index, cols, c->n_out);
                if (!sub || ev_push(o, &down, sub))
                    return NULL;
            }
            if (push_child(o, op, ch, &down))
                return NULL;
        }
        return op;
    }
    default: {
        /* LIMIT, VALUES, DUMMY, EMPTY: conditions stay above; children get none */
        for (uint32_t i = 0; i < op->n_children; i++) {
            ExprVec none = {0};
            if (push_child(o, op, i, &none))
                return NULL;
        }
        if (op->kind == LOP_LIMIT && lop_resolve(o->a, op, false))
            return NULL;
        return wrap_filter(o, op, &cs);
    }
    }
}

/* ---- 3. estimates and join ordering ---------------------------------------------------------------------- */

static double selectivity(const Expr *e)
{
    switch (e->kind) {
    case EX_AND: {
        double s = 1;
        for (uint32_t i = 0; i < e->n_args; i++)
            s *= selectivity(e->args[i]);
        return s;
    }
    case EX_OR: {
        double s = 0;
        for (uint32_t i = 0; i < e->n_args; i++)
            s += selectivity(e->args[i]);
        return s > 1 ? 1 : s;
    }
    case EX_NOT: return 1 - selectivity(e->args[0]);
    case EX_IS_NULL: return 0.05;
    case EX_IS_NOT_NULL: return 0.95;
    case EX_FUNC: {
        const char *n = e->u.func.def->name;
        if (!strcmp(n, "="))
            return 0.1;
        if (!strcmp(n, "<>"))
            return 0.9;
        if (!strcmp(n, "<") || !strcmp(n, "<=") || !strcmp(n, ">") || !strcmp(n, ">="))
            return 0.33;
        if (!strcmp(n, "~~") || !strcmp(n, "~~*"))
            return 0.1;
        if (!strcmp(n, "!~~") || !strcmp(n, "!~~*"))
            return 0.9;
        return 0.5;
    }
    default:
        return 0.5;
    }
}

typedef struct JItem {
    LogicalOp *op;
    double est, base;
} JItem;

static double estimate(LogicalOp *op);

static double base_rows(LogicalOp *op)
{
    if (op->kind == LOP_GET)
        return op->est_rows > 0 ? op->est_rows : 1000;
    if (op->kind == LOP_FILTER || op->kind == LOP_PROJECT || op->kind == LOP_SORT)
        return base_rows(op->children[0]);
    if (op->kind == LOP_JOIN) {
        double a = base_rows(op->children[0]), b = base_rows(op->children[1]);
        return a > b ? a : b;
    }
    return estimate(op);
}

static double estimate(LogicalOp *op)
{
    double e;
    switch (op->kind) {
    case LOP_GET: {
        double b = op->u.get.source == SCAN_DELTA || op->u.get.source == SCAN_PARQUET || op->u.get.source == SCAN_SERIES
                       ? (op->est_rows > 0 ? op->est_rows : 1000)
                       : 10000;
        if (op->u.get.source == SCAN_DELTA || op->u.get.source == SCAN_PARQUET || op->u.get.source == SCAN_SERIES)
            op->est_rows = b; /* keep the base in est_rows for GET... */
        double s = 1;
        for (uint32_t i = 0; i < op->u.get.n_filters; i++)
            s *= selectivity(op->u.get.filters[i]);
        op->u.get.est_filtered = b * s;
        return b * s;
    }
    case LOP_FILTER: {
        double s = 1;
        for (uint32_t i = 0; i < op->u.filter.n_conds; i++)
            s *= selectivity(op->u.filter.conds[i]);
        e = estimate(op->children[0]) * s;
        break;
    }
    case LOP_PROJECT: case LOP_SORT: case LOP_WINDOW:
        e = estimate(op->children[0]);
        break;
    case LOP_PROJECT_SET:
        e = estimate(op->children[0]) * 10;
        break;
    case LOP_LIMIT: {
        double c = estimate(op->children[0]);
        e = op->u.limit.limit >= 0 && op->u.limit.limit < c ? (double)op->u.limit.limit : c;
        break;
    }
    case LOP_AGGREGATE: {
        double c = estimate(op->children[0]);
        e = op->u.agg.n_groups == 0 ? 1 : c * 0.1 + 1;
        break;
    }
    case LOP_JOIN: {
        double l = estimate(op->children[0]), r = estimate(op->children[1]);
        switch (op->u.join.kind) {
        /* SEMI keeps at most half the rows (a guess), and not many more
         * than the other side has keys when that side is small (TPC-H Q20:
         * 400K estimated before, 398 actual, and a 543K-group aggregate
         * became the build side of the join above) */
        case JOIN_SEMI: e = l * 0.5 < r ? l * 0.5 : r; break;
        case JOIN_ANTI: e = l * 0.5; break;
        case JOIN_CROSS: e = l * r; break;
        default: {
            if (!op->u.join.n_conds) {
                e = l * r;
                break;
            }
            double bl = base_rows(op->children[0]), br = base_rows(op->children[1]);
            /* the side with the smaller base is the pk side */
            e = bl >= br ? l * (r / (br > 0 ? br : 1)) : r * (l / (bl > 0 ? bl : 1));
            if (op->u.join.kind == JOIN_LEFT && e < l)
                e = l;
            break;
        }
        }
        break;
    }
    case LOP_UNION:
        e = 0;
        for (uint32_t i = 0; i < op->n_children; i++)
            e += estimate(op->children[i]);
        break;
    case LOP_VALUES: e = op->u.values.n_rows; break;
    case LOP_CTE_SCAN: e = op->u.cte.share->optimized ? op->u.cte.share->plan->est_rows : 1000; break;
    case LOP_DUMMY: e = 1; break;
    case LOP_EMPTY: e = 0; break;
    default: e = 1000; break;
    }
    if (op->kind != LOP_GET)
        op->est_rows = e;
    return e;
}

static int collect_inner(Opt *o, LogicalOp *op, LogicalOp ***leaves, uint32_t *nl, uint32_t *cap, ExprVec *conds)
{
    if (op->kind == LOP_JOIN && (op->u.join.kind == JOIN_INNER || op->u.join.kind == JOIN_CROSS)) {
        for (uint32_t i = 0; i < op->u.join.n_conds; i++)
            if (add_conjuncts(o, conds, op->u.join.conds[i]))
                return o->err->kind;
        if (collect_inner(o, op->children[0], leaves, nl, cap, conds) ||
            collect_inner(o, op->children[1], leaves, nl, cap, conds))
            return o->err->kind;
        return 0;
    }
    if (*nl == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 8;
        LogicalOp **n = arena_alloc(o->a, nc * sizeof(LogicalOp *));
        if (!n)
            return ERR_NOMEM(o->err, nc);
        if (*nl)
            memcpy(n, *leaves, *nl * sizeof(LogicalOp *));
        *leaves = n;
        *cap = nc;
    }
    (*leaves)[(*nl)++] = op;
    return 0;
}

static bool refs_both(const Expr *c, const LogicalOp *a, const LogicalOp *b)
{
    /* c references only a ∪ b, and at least one column of each */
    ColBinding *refs = NULL;
    uint32_t n = 0, cap = 0;
    Arena tmp;
    arena_init(&tmp, 4096);
    bool ok = expr_collect_refs(&tmp, c, &refs, &n, &cap) == 0;
    bool in_a = false, in_b = false;
    for (uint32_t i = 0; ok && i < n; i++) {
        bool fa = false, fb = false;
        for (uint32_t k = 0; k < a->n_out && !fa; k++)
            fa = binding_eq(a->out[k], refs[i]);
        for (uint32_t k = 0; k < b->n_out && !fb; k++)
            fb = binding_eq(b->out[k], refs[i]);
        if (!fa && !fb)
            ok = false;
        in_a |= fa;
        in_b |= fb;
    }
    arena_free(&tmp);
    return ok && in_a && in_b;
}

static int reorder_joins(Opt *o, LogicalOp **pop);

/* The GET (below filters / projections) that produces binding b, or NULL. */
static LogicalOp *find_get(LogicalOp *op, ColBinding b)
{
    if (op->kind == LOP_GET)
        return op->u.get.table_index == b.table ? op : NULL;
    if (op->kind == LOP_AGGREGATE || op->kind == LOP_UNION || op->kind == LOP_VALUES)
        return NULL;
    for (uint32_t i = 0; i < op->n_children; i++) {
        LogicalOp *g = find_get(op->children[i], b);
        if (g)
            return g;
    }
    return NULL;
}

/* Distinct values of a join column within an item of estimated size est. */
static double col_ndv(Opt *o, JItem *it, const Expr *c)
{
    double d = -1;
    if (c->kind == EX_COLREF) {
        LogicalOp *g = find_get(it->op, c->u.col.b);
        if (g) {
            int64_t n = plan_column_ndv(o->a, g, c->u.col.b.col);
            d = n > 0 ? (double)n : (g->est_rows > 0 ? g->est_rows : -1); /* unknown: assume a key */
        }
    }
    if (d < 0)
        d = it->base > 0 ? it->base : 1000;
    if (d > it->est)
        d = it->est;
    return d < 1 ? 1 : d;
}

/* Estimated rows of joining items a and b with their connecting conditions
 * (|A| |B| / max(ndv) per equality, 0.3 per other condition). */
static double est_pair(Opt *o, JItem *a, JItem *b, ExprVec *conds, const bool *used)
{
    double sel = 1;
    bool any = false;
    uint32_t n_eq = 0;
    for (uint32_t c = 0; c < conds->n; c++) {
        const Expr *e = conds->v[c];
        if (used[c] || !refs_both(e, a->op, b->op))
            continue;
        any = true;
        if (e->kind == EX_FUNC && e->n_args == 2 && !strcmp(e->u.func.def->name, "=")) {
            const Expr *x = e->args[0], *y = e->args[1];
            bool x_in_a = expr_refs_only(x, a->op->out, a->op->n_out);
            JItem *ix = x_in_a ? a : b, *iy = x_in_a ? b : a;
            double nx = col_ndv(o, ix, x), ny = col_ndv(o, iy, y);
            sel /= nx > ny ? nx : ny;
            n_eq++;
        } else {
            sel *= 0.3;
        }
    }
    double e = a->est * b->est * (any ? sel : 1);
    /* several equalities between the same inputs are usually one composite
     * key (l_partkey, l_suppkey = ps_partkey, ps_suppkey), not independent
     * filters: do not let them estimate below the smaller input */
    double lo = a->est < b->est ? a->est : b->est;
    if (n_eq >= 2 && e < lo)
        e = lo;
    return e < 1 ? 1 : e;
}

static int reorder_children(Opt *o, LogicalOp *op)
{
    for (uint32_t i = 0; i < op->n_children; i++)
        if (reorder_joins(o, &op->children[i]))
            return o->err->kind;
    return 0;
}

static int reorder_joins(Opt *o, LogicalOp **pop)
{
    LogicalOp *op = *pop;
    if (!(op->kind == LOP_JOIN && (op->u.join.kind == JOIN_INNER || op->u.join.kind == JOIN_CROSS)))
        return reorder_children(o, op);
    LogicalOp **leaves = NULL;
    uint32_t nl = 0, cap = 0;
    ExprVec conds = {0};
    if (collect_inner(o, op, &leaves, &nl, &cap, &conds))
        return o->err->kind;
    for (uint32_t i = 0; i < nl; i++)
        if (reorder_joins(o, &leaves[i]))
            return o->err->kind;
    if (nl < 3) {
        /* nothing to order; children were processed */
        return 0;
    }
    JItem *items = arena_alloc(o->a, nl * sizeof(JItem));
    bool *used = arena_calloc(o->a, (conds.n ? conds.n : 1) * sizeof(bool));
    if (!items || !used)
        return ERR_NOMEM(o->err, nl);
    uint32_t ni = nl;
    for (uint32_t i = 0; i < nl; i++) {
        if (lop_resolve(o->a, leaves[i], true))
            return ERR_NOMEM(o->err, 0);
        items[i].op = leaves[i];
        items[i].est = estimate(leaves[i]);
        items[i].base = base_rows(leaves[i]);
    }
    while (ni > 1) {
        int bi = -1, bj = -1;
        double best = 0;
        for (uint32_t i = 0; i < ni; i++)
            for (uint32_t j = i + 1; j < ni; j++) {
                bool conn = false;
                for (uint32_t c = 0; c < conds.n && !conn; c++)
                    conn = !used[c] && refs_both(conds.v[c], items[i].op, items[j].op);
                if (!conn)
                    continue;
                double e = est_pair(o, &items[i], &items[j], &conds, used);
                if (bi < 0 || e < best) {
                    best = e;
                    bi = (int)i;
                    bj = (int)j;
                }
            }
        if (bi < 0) {
            /* no connected pair: cross join the two smallest */
            bi = 0;
            bj = 1;
            for (uint32_t i = 0; i < ni; i++) {
                if (items[i].est < items[bi].est) {
                    bj = bi;
                    bi = (int)i;
                } else if ((int)i != bi && items[i].est < items[bj].est) {
                    bj = (int)i;
                }
            }
            if (bi == bj)
                bj = bi == 0 ? 1 : 0;
            best = items[bi].est * items[bj].est;
        }
        LogicalOp *j = lop_new(o->a, LOP_JOIN, 2);
        if (!j)
            return ERR_NOMEM(o->err, 0);
        JItem *a = &items[bi], *b = &items[bj];
        /* larger side first (probe), smaller second (build) */
        bool swap = a->est < b->est;
        j->children[0] = swap ? b->op : a->op;
        j->children[1] = swap ? a->op : b->op;
        j->u.join.kind = JOIN_CROSS;
        if (lop_resolve(o->a, j, false))
            return ERR_NOMEM(o->err, 0);
        ExprVec jc = {0};
        for (uint32_t c = 0; c < conds.n; c++) {
            if (used[c])
                continue;
            if (expr_refs_only(conds.v[c], j->out, j->n_out)) {
                used[c] = true;
                if (ev_push(o, &jc, conds.v[c]))
                    return o->err->kind;
            }
        }
        if (jc.n)
            j->u.join.kind = JOIN_INNER;
        j->u.join.conds = jc.v;
        j->u.join.n_conds = jc.n;
        j->est_rows = best;
        JItem merged = {j, best, a->base > b->base ? a->base : b->base};
        /* replace bi with merged, remove bj */
        items[bi] = merged;
        items[bj] = items[ni - 1];
        ni--;
    }
    LogicalOp *root = items[0].op;
    ExprVec rest = {0};
    for (uint32_t c = 0; c < conds.n; c++)
        if (!used[c] && ev_push(o, &rest, conds.v[c]))
            return o->err->kind;
    if (rest.n && !(root = wrap_filter(o, root, &rest)))
        return ERR_NOMEM(o->err, 0);
    *pop = root;
    return 0;
}

/* ---- subquery plans inside expressions (init plans) ----------------------------------------------- */

static int optimize_expr_subqueries(Opt *o, Expr *e)
{
    if (!e)
        return 0;
    if (e->kind == EX_SUBQUERY) {
        int rc = plan_optimize(o->a, &e->u.subq.plan, o->err);
        if (rc)
            return rc;
    }
    for (uint32_t i = 0; i < e->n_args; i++)
        if (optimize_expr_subqueries(o, e->args[i]))
            return o->err->kind;
    return 0;
}

/* The bodies of the shared WITH queries / views the CTE scans of op's
 * subtree read, each optimized once (as a plan of its own: no filter of a
 * reference is pushed into it), before op's own estimates need theirs. */
static int optimize_cte_shares(Opt *o, LogicalOp *op)
{
    if (op->kind == LOP_CTE_SCAN) {
        CteShare *sh = op->u.cte.share;
        if (!sh->optimized) {
            sh->optimized = true;
            int rc = plan_optimize(o->a, &sh->plan, o->err);
            if (rc)
                return rc;
        }
        op->est_rows = sh->plan->est_rows;
        return 0;
    }
    for (uint32_t i = 0; i < op->n_children; i++) {
        int rc = optimize_cte_shares(o, op->children[i]);
        if (rc)
            return rc;
    }
    return 0;
}

static int optimize_nested(Opt *o, LogicalOp *op)
{
    int rc = 0;
    for (uint32_t i = 0; i < op->n_children && !rc; i++)
        rc = optimize_nested(o, op->children[i]);
    switch (op->kind) {
    case LOP_GET:
        for (uint32_t i = 0; i < op->u.get.n_filters && !rc; i++)
            rc = optimize_expr_subqueries(o, op->u.get.filters[i]);
        break;
    case LOP_FILTER:
        for (uint32_t i = 0; i < op->u.filter.n_conds && !rc; i++)
            rc = optimize_expr_subqueries(o, op->u.filter.conds[i]);
        break;
    case LOP_PROJECT:
        for (uint32_t i = 0; i < op->u.project.n_exprs && !rc; i++)
            rc = optimize_expr_subqueries(o, op->u.project.exprs[i]);
        break;
    case LOP_PROJECT_SET:
        for (uint32_t i = 0; i < op->u.pset.n_calls && !rc; i++)
            rc = optimize_expr_subqueries(o, op->u.pset.calls[i]);
        break;
    case LOP_JOIN:
        for (uint32_t i = 0; i < op->u.join.n_conds && !rc; i++)
            rc = optimize_expr_subqueries(o, op->u.join.conds[i]);
        break;
    case LOP_AGGREGATE:
        for (uint32_t i = 0; i < op->u.agg.n_groups && !rc; i++)
            rc = optimize_expr_subqueries(o, op->u.agg.groups[i]);
        for (uint32_t j = 0; j < op->u.agg.n_aggs && !rc; j++) {
            for (uint32_t k = 0; k < op->u.agg.aggs[j].n_args && !rc; k++)
                rc = optimize_expr_subqueries(o, op->u.agg.aggs[j].args[k]);
            if (!rc)
                rc = optimize_expr_subqueries(o, op->u.agg.aggs[j].filter);
        }
        break;
    case LOP_SORT:
        for (uint32_t i = 0; i < op->u.sort.n_items && !rc; i++)
            rc = optimize_expr_subqueries(o, op->u.sort.items[i].expr);
        break;
    case LOP_CTE_SCAN:
        rc = optimize_cte_shares(o, op);
        break;
    default:
        break;
    }
    return rc;
}

/* ---- OR factoring ------------------------------------------------------------------------------------ */

/* (A AND x) OR (A AND y)  ->  A AND (x OR y): conjuncts common to every
 * branch of an OR move out of it (TPC-H Q19's join key), so they can
 * become join conditions and scan filters. */
static int factor_or(Opt *o, Expr *e, ExprVec *out)
{
    if (e->kind != EX_OR || e->n_args < 2)
        return ev_push(o, out, e);
    ExprVec *br = arena_calloc(o->a, e->n_args * sizeof(ExprVec));
    if (!br)
        return ERR_NOMEM(o->err, 0);
    for (uint32_t b = 0; b < e->n_args; b++)
        if (add_conjuncts(o, &br[b], e->args[b]))
            return o->err->kind;
    ExprVec common = {0};
    for (uint32_t k = 0; k < br[0].n; k++) {
        Expr *c = br[0].v[k];
        bool in_all = true;
        for (uint32_t b = 1; b < e->n_args && in_all; b++) {
            bool found = false;
            for (uint32_t m = 0; m < br[b].n && !found; m++)
                found = expr_equal(br[b].v[m], c);
            in_all = found;
        }
        if (in_all && !expr_has_volatile(c) && ev_push(o, &common, c))
            return o->err->kind;
    }
    if (common.n == 0)
        return ev_push(o, out, e);
    /* rebuild each branch without the common conjuncts */
    Expr *nor = expr_new(o->a, EX_OR, type_simple(TYPE_BOOL), e->n_args, e->loc);
    if (!nor)
        return ERR_NOMEM(o->err, 0);
    bool some_empty = false;
    for (uint32_t b = 0; b < e->n_args; b++) {
        ExprVec rest = {0};
        for (uint32_t m = 0; m < br[b].n; m++) {
            bool is_common = false;
            for (uint32_t k = 0; k < common.n && !is_common; k++)
                is_common = expr_equal(br[b].v[m], common.v[k]);
            if (!is_common && ev_push(o, &rest, br[b].v[m]))
                return o->err->kind;
        }
        if (rest.n == 0) {
            some_empty = true; /* that branch is just A: the OR is true */
            break;
        }
        if (rest.n == 1) {
            nor->args[b] = rest.v[0];
        } else {
            Expr *and = expr_new(o->a, EX_AND, type_simple(TYPE_BOOL), rest.n, e->loc);
            if (!and)
                return ERR_NOMEM(o->err, 0);
            memcpy(and->args, rest.v, rest.n * sizeof(Expr *));
            nor->args[b] = and;
        }
    }
    for (uint32_t k = 0; k < common.n; k++)
        if (ev_push(o, out, common.v[k]))
            return o->err->kind;
    if (!some_empty)
        return ev_push(o, out, nor);
    return 0;
}

/* True when every column e references belongs to one table (*t, which
 * starts at UINT32_MAX); false with a subquery or aggregate inside. */
static bool one_table(const Expr *e, uint32_t *t)
{
    if (e->kind == EX_SUBQUERY || e->kind == EX_AGGREF)
        return false;
    if (e->kind == EX_COLREF) {
        if (*t != UINT32_MAX && *t != e->u.col.b.table)
            return false;
        *t = e->u.col.b.table;
        return true;
    }
    for (uint32_t i = 0; i < e->n_args; i++)
        if (!one_table(e->args[i], t))
            return false;
    return true;
}

/* (A1 AND B1) OR (A2 AND B2) with A1, A2 over table T alone implies
 * (A1 OR A2): that is added as one more conjunct (the OR stays), so the
 * pushdown can filter T's scan before the join (TPC-H Q19's part
 * conditions, Q7's two nations).  Only tables produced below op. */
static int derive_table_ors(Opt *o, LogicalOp *op, const Expr *e, ExprVec *out)
{
    if (e->kind != EX_OR || e->n_args < 2 || e->n_args > 64 || has_subquery(e) || expr_has_volatile(e))
        return 0;
    ExprVec *br = arena_calloc(o->a, e->n_args * sizeof(ExprVec));
    if (!br)
        return ERR_NOMEM(o->err, 0);
    for (uint32_t b = 0; b < e->n_args; b++)
        if (add_conjuncts(o, &br[b], e->args[b]))
            return o->err->kind;
    BSetO here = {0};
    bool have_here = false;
    uint32_t done[8], n_done = 0;
    for (uint32_t k = 0; k < br[0].n && n_done < 8; k++) {
        uint32_t t = UINT32_MAX;
        if (!one_table(br[0].v[k], &t) || t == UINT32_MAX)
            continue;
        bool seen = false;
        for (uint32_t d = 0; d < n_done && !seen; d++)
            seen = done[d] == t;
        if (seen)
            continue;
        done[n_done++] = t;
        /* every branch needs a conjunct over t; some conjunct must be over other columns */
        bool ok = true, other = false;
        for (uint32_t b = 0; b < e->n_args && ok; b++) {
            bool any = false;
            for (uint32_t m = 0; m < br[b].n; m++) {
                uint32_t u = UINT32_MAX;
                if (one_table(br[b].v[m], &u) && u == t)
                    any = true;
                else
                    other = true;
            }
            ok = any;
        }
        if (!ok || !other)
            continue;
        Expr *nor = expr_new(o->a, EX_OR, type_simple(TYPE_BOOL), e->n_args, e->loc);
        if (!nor)
            return ERR_NOMEM(o->err, 0);
        for (uint32_t b = 0; b < e->n_args; b++) {
            ExprVec mine = {0};
            for (uint32_t m = 0; m < br[b].n; m++) {
                uint32_t u = UINT32_MAX;
                if (one_table(br[b].v[m], &u) && u == t && ev_push(o, &mine, br[b].v[m]))
                    return o->err->kind;
            }
            if (mine.n == 1) {
                nor->args[b] = mine.v[0];
            } else {
                Expr *and = expr_new(o->a, EX_AND, type_simple(TYPE_BOOL), mine.n, e->loc);
                if (!and)
                    return ERR_NOMEM(o->err, 0);
                memcpy(and->args, mine.v, mine.n * sizeof(Expr *));
                nor->args[b] = and;
            }
        }
        if (!have_here) {
            if (produced(o, op, &here))
                return o->err->kind;
            have_here = true;
        }
        if (within(nor, &here) && ev_push(o, out, nor))
            return o->err->kind;
    }
    return 0;
}

static int factor_filters(Opt *o, LogicalOp *op)
{
    for (uint32_t i = 0; i < op->n_children; i++)
        if (factor_filters(o, op->children[i]))
            return o->err->kind;
    Expr ***conds = NULL;
    uint32_t *n = NULL;
    if (op->kind == LOP_FILTER) {
        conds = &op->u.filter.conds;
        n = &op->u.filter.n_conds;
    } else if (op->kind == LOP_JOIN) {
        conds = &op->u.join.conds;
        n = &op->u.join.n_conds;
    } else {
        return 0;
    }
    ExprVec out = {0};
    for (uint32_t i = 0; i < *n; i++) {
        ExprVec cj = {0};
        if (add_conjuncts(o, &cj, (*conds)[i]))
            return o->err->kind;
        for (uint32_t k = 0; k < cj.n; k++)
            if (factor_or(o, cj.v[k], &out))
                return o->err->kind;
    }
    for (uint32_t i = 0, n0 = out.n; i < n0; i++)
        if (derive_table_ors(o, op, out.v[i], &out))
            return o->err->kind;
    *conds = out.v;
    *n = out.n;
    return 0;
}

/* After join ordering: a selective semi / anti join (a small subquery
 * side) moves down onto the input of the inner joins below it that has its
 * columns, so it filters before the joins (TPC-H Q18). */
static int sink_semis(Opt *o, LogicalOp **pop)
{
    LogicalOp *op = *pop;
    for (uint32_t i = 0; i < op->n_children; i++)
        if (sink_semis(o, &op->children[i]))
            return o->err->kind;
    if (op->kind != LOP_JOIN || (op->u.join.kind != JOIN_SEMI && op->u.join.kind != JOIN_ANTI))
        return 0;
    LogicalOp *below = op->children[0];
    if (below->kind != LOP_JOIN || (below->u.join.kind != JOIN_INNER && below->u.join.kind != JOIN_CROSS))
        return 0;
    BSetO inner = {0};
    if (produced(o, op->children[1], &inner))
        return o->err->kind;
    LogicalOp **slot = semi_slot(o, &op->children[0], (const Expr *const *)op->u.join.conds, op->u.join.n_conds, &inner,
                                 estimate(op->children[1]));
    if (slot == &op->children[0])
        return 0;
    LogicalOp *target = *slot;
    *pop = below;
    op->children[0] = target;
    *slot = op;
    return lop_resolve(o->a, *pop, true) ? ERR_NOMEM(o->err, 0) : 0;
}

int plan_optimize(Arena *a, LogicalOp **root, TarnError *err)
{
    Opt o = {a, err, 1u << 30};
    int rc = optimize_cte_shares(&o, *root);
    if (rc)
        return rc;
    rc = factor_filters(&o, *root);
    if (rc)
        return rc;
    rc = rewrite_subqueries(&o, root);
    if (rc)
        return rc;
    if ((rc = apply_subqueries(&o, *root)))
        return rc;
    if (lop_resolve(a, *root, true))
        return ERR_NOMEM(err, 0);
    ExprVec none = {0};
    LogicalOp *r = push(&o, *root, &none);
    if (!r)
        return err->kind ? err->kind : ERR_NOMEM(err, 0);
    if (lop_resolve(a, r, true))
        return ERR_NOMEM(err, 0);
    if ((rc = reorder_joins(&o, &r)))
        return rc;
    if (lop_resolve(a, r, true))
        return ERR_NOMEM(err, 0);
    estimate(r);
    if ((rc = sink_semis(&o, &r)))
        return rc;
    if (lop_resolve(a, r, true))
        return ERR_NOMEM(err, 0);
    estimate(r);
    if ((rc = optimize_nested(&o, r)))
        return rc;
    *root = r;
    return 0;
}
