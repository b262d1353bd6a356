/*
 * subplan_share.c - a join that the statement's query and an uncorrelated
 * subquery of it both aggregate, computed once.
 *
 * TPC-H Q11: `GROUP BY ps_partkey HAVING sum(v) > (SELECT sum(v) * 0.0001
 * FROM <the same join>)` joins partsupp, supplier and nation twice.  After
 * plan_optimize and plan_share_views, the "spine" of each plan root (the
 * statement's plan and every uncorrelated subquery's) is followed down
 * through FILTER, PROJECT, AGGREGATE, SORT and LIMIT nodes to its first
 * other operator; when that is a join, an aggregate was passed on the way,
 * and two roots' joins are equal plans (lop_plans_equal: the same
 * operators, expressions, pushed filters and table versions up to table
 * indexes, no volatile function), they become CTE scans (LOP_CTE_SCAN) of
 * one shared plan that physical planning runs once as an init plan
 * materialising its rows (exec/op_cte.c), as for views (view_share.c).
 * Only joins estimated at most SHARE_MAX_ROWS rows are shared: the shared
 * rows are held in memory, where each reference would otherwise stream
 * them into its aggregate.
 */
#include <string.h>

#include "sql/plan/plan.h"

#define SHARE_MAX_ROWS 1000000.0

typedef LopSet Roots;

static void add_root(Roots *r, LogicalOp *op) { lopset_add(r, op); }

static void walk(Roots *r, LogicalOp *op);

static void walk_expr(Roots *r, const Expr *e)
{
    if (!e)
        return;
    if (e->kind == EX_SUBQUERY && e->u.subq.plan && !e->u.subq.correlated) {
        /* (a correlated one runs per outer row: left alone) */
        add_root(r, e->u.subq.plan);
        walk(r, e->u.subq.plan);
    }
    for (uint32_t i = 0; i < e->n_args; i++)
        walk_expr(r, e->args[i]);
}

static void walk_expr_cb(void *r, const Expr *e) { walk_expr(r, e); }

static void walk(Roots *r, LogicalOp *op)
{
    if (!op || r->nomem)
        return;
    lop_each_expr(op, walk_expr_cb, r);
    /* the inner side of a dependent join and a recursive term run
     * repeatedly: left alone */
    uint32_t nc = (op->kind == LOP_APPLY || op->kind == LOP_RECURSIVE) && op->n_children > 1 ? 1 : op->n_children;
    for (uint32_t i = 0; i < nc; i++)
        walk(r, op->children[i]);
}

/* The join at the bottom of root's spine of unary operators, when one of
 * them is an aggregate; else NULL. */
static bool spine_op(const LogicalOp *op)
{
    return op->n_children == 1 && (op->kind == LOP_FILTER || op->kind == LOP_PROJECT || op->kind == LOP_AGGREGATE ||
                                   op->kind == LOP_SORT || op->kind == LOP_LIMIT);
}

static LogicalOp *spine_join(LogicalOp *op)
{
    bool agg = false;
    while (spine_op(op)) {
        agg |= op->kind == LOP_AGGREGATE;
        op = op->children[0];
    }
    return agg && op->kind == LOP_JOIN && op->est_rows <= SHARE_MAX_ROWS ? op : NULL;
}

/* ---- the join's columns its consumers read ---- */

typedef struct Uses {
    const LogicalOp *join;
    bool *need;             /* per position of join->out */
} Uses;

static void uses_op(Uses *u, const LogicalOp *op);

static void uses_expr(Uses *u, const Expr *e)
{
    if (!e)
        return;
    if (e->kind == EX_COLREF)
        for (uint32_t k = 0; k < u->join->n_out; k++)
            if (u->join->out[k].table == e->u.col.b.table && u->join->out[k].col == e->u.col.b.col)
                u->need[k] = true;
    if (e->kind == EX_SUBQUERY)
        uses_op(u, e->u.subq.plan);
    for (uint32_t i = 0; i < e->n_args; i++)
        uses_expr(u, e->args[i]);
}

static void uses_expr_cb(void *u, const Expr *e) { uses_expr(u, e); }

/* Every column reference in op's expressions (deep: children and
 * subqueries) that reads a column of u->join. */
static void uses_op(Uses *u, const LogicalOp *op)
{
    if (!op)
        return;
    lop_each_expr(op, uses_expr_cb, u);
    for (uint32_t i = 0; i < op->n_children; i++)
        uses_op(u, op->children[i]);
}

/* Marks the positions of join's outputs read by root's spine above it
 * (the spine passes an aggregate, so nothing above reads join columns
 * but through these expressions). */
static void spine_uses(LogicalOp *root, const LogicalOp *join, bool *need)
{
    Uses u = {.join = join, .need = need};
    for (const LogicalOp *op = root; op != join; op = op->children[0]) {
        LogicalOp shallow = *op;
        shallow.n_children = 0; /* the spine's nodes only; the join's own conditions do not count */
        uses_op(&u, &shallow);
    }
}

/* Turns op, in place, into a CTE scan of sh reading the positions pos[]
 * of op's outputs (the body's columns, in order). */
static int to_cte_scan(Arena *a, LogicalOp *op, CteShare *sh, const uint32_t *pos, uint32_t n)
{
    ColBinding *cols = arena_alloc(a, n * sizeof *cols);
    LogicalType *types = arena_alloc(a, n * sizeof *types);
    const char **names = arena_alloc(a, n * sizeof *names);
    if (!cols || !types || !names)
        return TARN_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++) {
        cols[i] = op->out[pos[i]];
        types[i] = op->out_types[pos[i]];
        names[i] = op->out_names[pos[i]];
    }
    double est = op->est_rows;
    memset(op, 0, sizeof *op);
    op->kind = LOP_CTE_SCAN;
    op->est_rows = est;
    op->u.cte.share = sh;
    op->u.cte.cols = cols;
    op->u.cte.types = types;
    op->u.cte.names = names;
    op->u.cte.n_cols = n;
    return lop_resolve(a, op, false) ? TARN_ERR_NOMEM : 0;
}

static uint32_t max_table(const LogicalOp *op)
{
    uint32_t m = 0;
    if (!op)
        return 0;
    for (uint32_t i = 0; i < op->n_out; i++)
        if (op->out[i].table > m)
            m = op->out[i].table;
    for (uint32_t i = 0; i < op->n_children; i++) {
        uint32_t c = max_table(op->children[i]);
        if (c > m)
            m = c;
    }
    return m;
}

int plan_share_subplans(Arena *a, LogicalOp *root, TarnError *err)
{
    Roots r = {.a = a};
    add_root(&r, root);
    walk(&r, root);
    if (r.nomem)
        return ERR_NOMEM(err, 0);
    if (r.n < 2)
        return 0;
    LogicalOp **joins = arena_alloc(a, r.n * sizeof *joins);
    bool *same = arena_alloc(a, r.n * sizeof *same);
    if (!joins || !same)
        return ERR_NOMEM(err, 0);
    for (uint32_t i = 0; i < r.n; i++)
        joins[i] = spine_join(r.v[i]);
    uint32_t next_index = 0;
    for (uint32_t i = 0; i < r.n; i++) {
        uint32_t m = max_table(r.v[i]);
        if (m >= next_index)
            next_index = m + 1;
    }
    for (uint32_t i = 0; i < r.n; i++) {
        if (!joins[i])
            continue;
        LogicalOp *ji = joins[i];
        uint32_t g = 0;
        memset(same, 0, r.n * sizeof *same);
        for (uint32_t j = i + 1; j < r.n; j++) {
            if (!joins[j] || joins[j] == ji)
                continue;
            int eq = lop_plans_equal(a, ji, joins[j]);
            if (eq < 0)
                return ERR_NOMEM(err, 0);
            if (eq) {
                same[j] = true;
                g++;
            }
        }
        joins[i] = NULL;
        if (!g)
            continue;
        /* the columns any reference reads (equal plans: equal positions) */
        uint32_t nc = ji->n_out;
        bool *need = arena_calloc(a, (nc ? nc : 1) * sizeof *need);
        uint32_t *pos = arena_alloc(a, (nc ? nc : 1) * sizeof *pos);
        if (!need || !pos)
            return ERR_NOMEM(err, 0);
        spine_uses(r.v[i], ji, need);
        for (uint32_t j = i + 1; j < r.n; j++)
            if (same[j])
                spine_uses(r.v[j], joins[j], need);
        uint32_t n = 0;
        for (uint32_t k = 0; k < nc; k++)
            if (need[k])
                pos[n++] = k;
        if (!n && nc)
            pos[n++] = 0; /* count(*) only: still one column per row */
        /* the body: the first reference's join, projected to those columns */
        LogicalOp *body = arena_alloc(a, sizeof *body), *pr = lop_new(a, LOP_PROJECT, 1);
        CteShare *sh = arena_calloc(a, sizeof *sh);
        Expr **ex = arena_alloc(a, (n ? n : 1) * sizeof *ex);
        if (!body || !pr || !sh || !ex)
            return ERR_NOMEM(err, 0);
        *body = *ji;
        body->view_group = 0;
        for (uint32_t k = 0; k < n; k++)
            if (!(ex[k] = expr_colref(a, ji->out[pos[k]], ji->out_types[pos[k]], ji->out_names[pos[k]])))
                return ERR_NOMEM(err, 0);
        pr->children[0] = body;
        pr->u.project.exprs = ex;
        pr->u.project.n_exprs = n;
        pr->u.project.table_index = next_index++;
        pr->est_rows = ji->est_rows;
        if (lop_resolve(a, pr, false))
            return ERR_NOMEM(err, 0);
        sh->plan = pr;
        sh->name = "shared join";
        sh->optimized = true;
        for (uint32_t j = i + 1; j < r.n; j++)
            if (same[j]) {
                if (to_cte_scan(a, joins[j], sh, pos, n))
                    return ERR_NOMEM(err, 0);
                joins[j] = NULL;
            }
        if (to_cte_scan(a, ji, sh, pos, n))
            return ERR_NOMEM(err, 0);
    }
    return 0;
}
