/*
 * bind_cte_share.c - WITH queries and views referenced more than once in a
 * statement, computed once.
 *
 * Every reference is bound as before (the body bound again, fresh table
 * indexes), and noted here.  When bind_query has bound the whole
 * statement, the references of one WITH query (one CteDef: one WITH list
 * entry as bound in one place) or one view (schema.name) are grouped; a
 * group is shared when
 *   - a WITH query: its body does not refer to columns of an enclosing
 *     query, and it calls a volatile function, or is declared
 *     MATERIALIZED, or is referenced at least twice and not declared NOT
 *     MATERIALIZED (PostgreSQL's rules: such a WITH query is materialised
 *     once, so random() in it gives every reference the same rows);
 *   - a view: it is referenced at least twice and its body calls no
 *     volatile function (PostgreSQL inlines views, so random() in a view
 *     draws again per reference; deterministic bodies give equal rows
 *     either way).
 * Sharing a WITH query turns every reference's plan root, in place, into a
 * LOP_CTE_SCAN with the same output bindings (so nothing above it changes)
 * reading a CteShare whose plan is the first reference's body.  The
 * optimizer optimizes that body once as a plan of its own (filters of a
 * reference stay above its scan, as in PostgreSQL; a WITH query referenced
 * once keeps being inlined, with pushdown), and physical planning runs it
 * once as an init plan that materialises its rows (exec/op_cte.c).  The
 * references of a view are only tagged (LogicalOp.view_group): after
 * optimization, plan/view_share.c shares those whose optimized plans are
 * equal, so a reference that got a filter pushed into it keeps it.
 */
#include <string.h>

#include "sql/bind/bind_int.h"

struct CteShareRef {
    const void *cte;            /* the CteDef (WITH query), or NULL: a view */
    const char *view;           /* a view: "schema.name" */
    const char *name;           /* for EXPLAIN */
    LogicalOp *node;            /* the reference's plan root */
    bool ok;                    /* may be shared (not correlated; a view: not volatile) */
    bool always;                /* MATERIALIZED */
    bool done;
    struct CteShareRef *next;   /* older references */
};

static bool exprs_volatile(Expr *const *v, uint32_t n);
static bool plan_volatile(const LogicalOp *op);

static bool expr_volatile(const Expr *e)
{
    if (!e)
        return false;
    if (e->kind == EX_FUNC && (e->u.func.def->flags & FUNC_VOLATILE))
        return true;
    if (e->kind == EX_SUBQUERY && plan_volatile(e->u.subq.plan))
        return true;
    return exprs_volatile(e->args, e->n_args);
}

static bool exprs_volatile(Expr *const *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (expr_volatile(v[i]))
            return true;
    return false;
}

static bool aggs_volatile(const AggCall *a, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (exprs_volatile(a[i].args, a[i].n_args) || expr_volatile(a[i].filter))
            return true;
    return false;
}

/* True when some expression of the plan (subqueries included) calls a
 * volatile function. */
static bool plan_volatile(const LogicalOp *op)
{
    if (!op)
        return false;
    bool v = false;
    switch (op->kind) {
    case LOP_GET:
        v = exprs_volatile(op->u.get.filters, op->u.get.n_filters) ||
            (op->u.get.series_args && exprs_volatile(op->u.get.series_args, 3));
        break;
    case LOP_FILTER: v = exprs_volatile(op->u.filter.conds, op->u.filter.n_conds); break;
    case LOP_PROJECT: v = exprs_volatile(op->u.project.exprs, op->u.project.n_exprs); break;
    case LOP_AGGREGATE:
        v = exprs_volatile(op->u.agg.groups, op->u.agg.n_groups) || aggs_volatile(op->u.agg.aggs, op->u.agg.n_aggs);
        break;
    case LOP_JOIN:
    case LOP_APPLY: v = exprs_volatile(op->u.join.conds, op->u.join.n_conds); break;
    case LOP_SORT:
        for (uint32_t i = 0; i < op->u.sort.n_items && !v; i++)
            v = expr_volatile(op->u.sort.items[i].expr);
        break;
    case LOP_VALUES:
        for (uint32_t r = 0; r < op->u.values.n_rows && !v; r++)
            v = exprs_volatile(op->u.values.rows[r], op->u.values.n_cols);
        break;
    case LOP_WINDOW:
        v = exprs_volatile(op->u.win.part, op->u.win.n_part);
        for (uint32_t i = 0; i < op->u.win.n_order && !v; i++)
            v = expr_volatile(op->u.win.order[i].expr);
        for (uint32_t i = 0; i < op->u.win.n_calls && !v; i++) {
            const WinCall *c = &op->u.win.calls[i];
            v = aggs_volatile(&c->agg, 1) || expr_volatile(c->rkey) || expr_volatile(c->rstart) ||
                expr_volatile(c->rend);
        }
        break;
    case LOP_PROJECT_SET: v = exprs_volatile(op->u.pset.calls, op->u.pset.n_calls); break;
    case LOP_CTE_SCAN: v = plan_volatile(op->u.cte.share->plan); break;
    default: break;
    }
    for (uint32_t i = 0; i < op->n_children && !v; i++)
        v = plan_volatile(op->children[i]);
    return v;
}

int bind_share_note(BindCtx *ctx, const void *cte, const char *view, const char *name, LogicalOp *node,
                    bool correlated, int materialized)
{
    struct CteShareRef *r = arena_calloc(ctx->a, sizeof *r);
    if (!r)
        return ERR_NOMEM(ctx->err, sizeof *r);
    r->cte = cte;
    r->view = view;
    r->name = name;
    r->node = node;
    bool vol = plan_volatile(node);
    /* PostgreSQL never inlines a WITH query calling a volatile function,
     * NOT MATERIALIZED or not; it always inlines views */
    r->ok = !correlated && !(view && vol) && !(!view && materialized == 2 && !vol);
    r->always = !view && (materialized == 1 || vol);
    r->next = ctx->share_refs;
    ctx->share_refs = r;
    return 0;
}

static bool same_group(const struct CteShareRef *a, const struct CteShareRef *b)
{
    if (a->cte || b->cte)
        return a->cte == b->cte;
    return !strcmp(a->view, b->view);
}

/* Turns the references of one WITH query (refs[0] bound first) into CTE
 * scans of one share; tags those of a view for plan_share_views. */
static int share_group(BindCtx *ctx, struct CteShareRef **refs, uint32_t n)
{
    if (refs[0]->view) {
        uint32_t group = ctx->next_table++;
        for (uint32_t i = 0; i < n; i++) {
            refs[i]->node->view_group = group;
            refs[i]->node->view_name = refs[i]->name;
        }
        return 0;
    }
    CteShare *sh = arena_calloc(ctx->a, sizeof *sh);
    LogicalOp *body = arena_alloc(ctx->a, sizeof *body);
    if (!sh || !body)
        return ERR_NOMEM(ctx->err, sizeof *body);
    if (lop_resolve(ctx->a, refs[0]->node, true))
        return ERR_NOMEM(ctx->err, 0);
    *body = *refs[0]->node;
    sh->plan = body;
    sh->name = refs[0]->name;
    for (uint32_t i = 0; i < n; i++) {
        LogicalOp *op = refs[i]->node;
        if (i && lop_resolve(ctx->a, op, true))
            return ERR_NOMEM(ctx->err, 0);
        if (op->n_out != body->n_out)
            return ERR_INTERNAL(ctx->err, "references of one WITH query with different columns");
        if (lop_to_cte_scan(ctx->a, op, sh))
            return ERR_NOMEM(ctx->err, 0);
    }
    return 0;
}

int bind_share_finish(BindCtx *ctx, struct CteShareRef *mark)
{
    int rc = 0;
    /* oldest first */
    uint32_t n = 0;
    for (struct CteShareRef *r = ctx->share_refs; r && r != mark; r = r->next)
        n++;
    if (n < 1) {
        ctx->share_refs = mark;
        return 0;
    }
    struct CteShareRef **all = arena_alloc(ctx->a, n * sizeof *all), **grp = arena_alloc(ctx->a, n * sizeof *grp);
    if (!all || !grp)
        return ERR_NOMEM(ctx->err, 0);
    uint32_t k = n;
    for (struct CteShareRef *r = ctx->share_refs; r && r != mark; r = r->next)
        all[--k] = r;
    for (uint32_t i = 0; i < n && !rc; i++) {
        if (all[i]->done)
            continue;
        uint32_t g = 0;
        bool ok = true, always = false;
        for (uint32_t j = i; j < n; j++)
            if (!all[j]->done && same_group(all[i], all[j])) {
                all[j]->done = true;
                grp[g++] = all[j];
                ok = ok && all[j]->ok;
                always = always || all[j]->always;
            }
        if (ok && (g >= 2 || always))
            rc = share_group(ctx, grp, g);
    }
    ctx->share_refs = mark;
    return rc;
}
