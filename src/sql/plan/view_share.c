/*
 * view_share.c - a view referenced more than once in a statement, computed
 * once when its references are the same plan.
 *
 * PostgreSQL inlines views, so each reference gets the filters of its
 * query pushed into it.  The binder (bind_cte_share.c) tags the root of
 * every reference to a deterministic view that is referenced again
 * (LogicalOp.view_group); after plan_optimize, the references of a view
 * whose optimized plans have equal subtrees - the same operators,
 * expressions, pushed scan filters and join order, up to the table
 * indexes each binding got; found from the top down, past the FILTER
 * nodes pushed into one of them - share that subtree when it holds an
 * aggregate: it becomes CTE scans (LOP_CTE_SCAN) of one shared plan (the
 * first reference's subtree), run once by physical planning (an init plan
 * materialising its rows).  References whose scans got other filters stay
 * inlined.  TPC-H Q15 written with its view: the view's aggregate is
 * computed once for the FROM item (whose `total_revenue = max` filter
 * stays above the shared aggregate) and the max() subquery.
 */
#include <string.h>

#include "catalog/catalog.h"
#include "sql/plan/plan.h"
#include "table/delta/delta.h"

typedef struct TMap {
    uint32_t *a, *b;
    uint32_t n, cap;
    Arena *arena;
    bool nomem;
} TMap;

/* Records that table index x of one plan is y of the other; false when x
 * or y is already paired otherwise. */
static bool tmap_pair(TMap *m, uint32_t x, uint32_t y)
{
    for (uint32_t i = 0; i < m->n; i++)
        if (m->a[i] == x || m->b[i] == y)
            return m->a[i] == x && m->b[i] == y;
    if (m->n == m->cap) {
        uint32_t nc = m->cap ? m->cap * 2 : 16;
        uint32_t *na = arena_alloc(m->arena, nc * sizeof *na), *nb = arena_alloc(m->arena, nc * sizeof *nb);
        if (!na || !nb) {
            m->nomem = true;
            return false;
        }
        if (m->n) {
            memcpy(na, m->a, m->n * sizeof *na);
            memcpy(nb, m->b, m->n * sizeof *nb);
        }
        m->a = na;
        m->b = nb;
        m->cap = nc;
    }
    m->a[m->n] = x;
    m->b[m->n++] = y;
    return true;
}

static bool tmap_has(const TMap *m, uint32_t x, uint32_t y)
{
    for (uint32_t i = 0; i < m->n; i++)
        if (m->a[i] == x)
            return m->b[i] == y;
    return false;
}

/* Expressions equal up to the table indexes paired in m (every column
 * must come from inside the compared plans; subqueries never compare
 * equal). */
static bool ex_eq(const TMap *m, const Expr *a, const Expr *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind || a->n_args != b->n_args || !type_equal(&a->type, &b->type))
        return false;
    switch (a->kind) {
    case EX_CONST: return expr_equal(a, b);
    case EX_COLREF: return a->u.col.b.col == b->u.col.b.col && tmap_has(m, a->u.col.b.table, b->u.col.b.table);
    case EX_FUNC:
        if (a->u.func.def != b->u.func.def || (a->u.func.def->flags & FUNC_VOLATILE))
            return false;
        break;
    case EX_PARAM:
        if (a->u.param.slot != b->u.param.slot)
            return false;
        break;
    case EX_CASE:
        if (a->u.kase.has_else != b->u.kase.has_else)
            return false;
        break;
    case EX_AGGREF:
    case EX_SUBQUERY: return false;
    default: break;
    }
    for (uint32_t i = 0; i < a->n_args; i++)
        if (!ex_eq(m, a->args[i], b->args[i]))
            return false;
    return true;
}

static bool exs_eq(const TMap *m, Expr *const *a, Expr *const *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!ex_eq(m, a[i], b[i]))
            return false;
    return true;
}

static bool agg_eq(const TMap *m, const AggCall *a, const AggCall *b)
{
    return a->def == b->def && a->n_args == b->n_args && a->distinct == b->distinct &&
           type_equal(&a->type, &b->type) && exs_eq(m, a->args, b->args, a->n_args) && ex_eq(m, a->filter, b->filter);
}

/* Plans equal up to table indexes (pairs them in m as it goes, children
 * first).  Operators it does not know compare unequal. */
static bool op_eq(TMap *m, const LogicalOp *a, const LogicalOp *b)
{
    if (a->kind != b->kind || a->n_children != b->n_children || a->n_out != b->n_out)
        return false;
    for (uint32_t i = 0; i < a->n_children; i++)
        if (!op_eq(m, a->children[i], b->children[i]))
            return false;
    switch (a->kind) {
    case LOP_GET: {
        /* the same table at the same Delta version (each reference pinned
         * its own snapshot: a commit in between makes them differ) */
        const struct CatalogRel *ra = a->u.get.rel, *rb = b->u.get.rel;
        if (a->u.get.source != SCAN_DELTA || b->u.get.source != SCAN_DELTA || !ra || !rb ||
            (ra != rb && (strcmp(ra->schema, rb->schema) || strcmp(ra->name, rb->name))) ||
            !a->u.get.snapshot || !b->u.get.snapshot ||
            delta_snapshot_version(a->u.get.snapshot) != delta_snapshot_version(b->u.get.snapshot) ||
            a->u.get.schema->n_fields != b->u.get.schema->n_fields || a->u.get.n_cols != b->u.get.n_cols ||
            a->u.get.n_filters != b->u.get.n_filters || a->u.get.n_only_files || b->u.get.n_only_files)
            return false;
        if (memcmp(a->u.get.col_ids, b->u.get.col_ids, a->u.get.n_cols * sizeof(uint32_t)))
            return false;
        if (!tmap_pair(m, a->u.get.table_index, b->u.get.table_index))
            return false;
        return exs_eq(m, a->u.get.filters, b->u.get.filters, a->u.get.n_filters);
    }
    case LOP_FILTER:
        return a->u.filter.n_conds == b->u.filter.n_conds && exs_eq(m, a->u.filter.conds, b->u.filter.conds, a->u.filter.n_conds);
    case LOP_PROJECT:
        return a->u.project.n_exprs == b->u.project.n_exprs &&
               exs_eq(m, a->u.project.exprs, b->u.project.exprs, a->u.project.n_exprs) &&
               tmap_pair(m, a->u.project.table_index, b->u.project.table_index);
    case LOP_AGGREGATE:
        if (a->u.agg.n_groups != b->u.agg.n_groups || a->u.agg.n_aggs != b->u.agg.n_aggs ||
            a->u.agg.n_sets != b->u.agg.n_sets ||
            (a->u.agg.n_sets && memcmp(a->u.agg.set_masks, b->u.agg.set_masks, a->u.agg.n_sets * sizeof(uint64_t))))
            return false;
        if (!exs_eq(m, a->u.agg.groups, b->u.agg.groups, a->u.agg.n_groups))
            return false;
        for (uint32_t i = 0; i < a->u.agg.n_aggs; i++)
            if (!agg_eq(m, &a->u.agg.aggs[i], &b->u.agg.aggs[i]))
                return false;
        return tmap_pair(m, a->u.agg.group_index, b->u.agg.group_index) &&
               tmap_pair(m, a->u.agg.agg_index, b->u.agg.agg_index);
    case LOP_JOIN:
        return a->u.join.kind == b->u.join.kind && a->u.join.null_aware == b->u.join.null_aware &&
               a->u.join.null_safe == b->u.join.null_safe && a->u.join.n_conds == b->u.join.n_conds &&
               exs_eq(m, a->u.join.conds, b->u.join.conds, a->u.join.n_conds);
    case LOP_SORT:
        if (a->u.sort.n_items != b->u.sort.n_items || a->u.sort.limit != b->u.sort.limit ||
            a->u.sort.offset != b->u.sort.offset)
            return false;
        for (uint32_t i = 0; i < a->u.sort.n_items; i++)
            if (a->u.sort.items[i].desc != b->u.sort.items[i].desc ||
                a->u.sort.items[i].nulls_first != b->u.sort.items[i].nulls_first ||
                !ex_eq(m, a->u.sort.items[i].expr, b->u.sort.items[i].expr))
                return false;
        return true;
    case LOP_LIMIT: return a->u.limit.limit == b->u.limit.limit && a->u.limit.offset == b->u.limit.offset;
    case LOP_UNION: return tmap_pair(m, a->u.setop.table_index, b->u.setop.table_index);
    case LOP_VALUES:
        if (a->u.values.n_rows != b->u.values.n_rows || a->u.values.n_cols != b->u.values.n_cols)
            return false;
        for (uint32_t r = 0; r < a->u.values.n_rows; r++)
            if (!exs_eq(m, a->u.values.rows[r], b->u.values.rows[r], a->u.values.n_cols))
                return false;
        return tmap_pair(m, a->u.values.table_index, b->u.values.table_index);
    case LOP_DUMMY:
    case LOP_EMPTY: return true;
    case LOP_CTE_SCAN:
        if (a->u.cte.share != b->u.cte.share || a->u.cte.n_cols != b->u.cte.n_cols)
            return false;
        for (uint32_t i = 0; i < a->u.cte.n_cols; i++)
            if (a->u.cte.cols[i].col != b->u.cte.cols[i].col ||
                !tmap_pair(m, a->u.cte.cols[i].table, b->u.cte.cols[i].table))
                return false;
        return true;
    default: return false;
    }
}

int lop_plans_equal(Arena *a, const LogicalOp *x, const LogicalOp *y)
{
    TMap m = {.arena = a};
    bool eq = op_eq(&m, x, y);
    return m.nomem ? -1 : eq;
}

/* The highest equal subtrees of two references of one view: a pushed
 * filter (a FILTER node, or a filter moved into a GET) makes the tops
 * differ, the work below them may still be the same.  Walks down both
 * spines, skipping FILTER nodes, while the operators have one child. */
static int common_subtree(Arena *a, LogicalOp *x, LogicalOp *y, LogicalOp **ex, LogicalOp **ey)
{
    for (;;) {
        TMap m = {.arena = a};
        bool eq = op_eq(&m, x, y);
        if (m.nomem)
            return TARN_ERR_NOMEM;
        if (eq) {
            *ex = x;
            *ey = y;
            return 0;
        }
        if (x->kind == LOP_FILTER) {
            x = x->children[0];
            continue;
        }
        if (y->kind == LOP_FILTER) {
            y = y->children[0];
            continue;
        }
        if (x->kind != y->kind || x->n_children != 1 || y->n_children != 1)
            return 1;
        x = x->children[0];
        y = y->children[0];
    }
}

/* Worth materialising: an aggregate's (usually much smaller) result.  A
 * plain scan or join of a view is cheaper run twice, streaming, with the
 * dynamic join filters physical planning may hand it. */
static bool has_aggregate(const LogicalOp *op)
{
    if (op->kind == LOP_AGGREGATE)
        return true;
    for (uint32_t i = 0; i < op->n_children; i++)
        if (has_aggregate(op->children[i]))
            return true;
    return false;
}

int lop_to_cte_scan(Arena *a, LogicalOp *op, CteShare *sh)
{
    if (lop_resolve(a, op, false))
        return TARN_ERR_NOMEM;
    uint32_t nc = op->n_out;
    ColBinding *cols = arena_alloc(a, (nc ? nc : 1) * sizeof *cols);
    LogicalType *types = arena_alloc(a, (nc ? nc : 1) * sizeof *types);
    const char **names = arena_alloc(a, (nc ? nc : 1) * sizeof *names);
    if (!cols || !types || !names)
        return TARN_ERR_NOMEM;
    memcpy(cols, op->out, nc * sizeof *cols);
    memcpy(types, op->out_types, nc * sizeof *types);
    memcpy(names, op->out_names, nc * sizeof *names);
    double est = op->est_rows;
    memset(op, 0, sizeof *op);
    op->kind = LOP_CTE_SCAN;
    op->est_rows = est;
    op->u.cte.share = sh;
    op->u.cte.cols = cols;
    op->u.cte.types = types;
    op->u.cte.names = names;
    op->u.cte.n_cols = nc;
    return lop_resolve(a, op, false) ? TARN_ERR_NOMEM : 0;
}

/* ---- finding the tagged references ---------------------------------------------------------------- */

typedef LopSet Refs;

static void walk(Refs *r, LogicalOp *op);

static void walk_expr(Refs *r, const Expr *e)
{
    if (!e)
        return;
    if (e->kind == EX_SUBQUERY)
        walk(r, e->u.subq.plan);
    for (uint32_t i = 0; i < e->n_args; i++)
        walk_expr(r, e->args[i]);
}

static void walk_expr_cb(void *r, const Expr *e) { walk_expr(r, e); }

static void walk(Refs *r, LogicalOp *op)
{
    if (!op || r->nomem)
        return;
    if (op->view_group) {
        uint32_t before = r->n;
        lopset_add(r, op);
        if (r->n == before)
            return; /* reached twice (or out of memory: nomem is set) */
    }
    lop_each_expr(op, walk_expr_cb, r);
    if (op->kind == LOP_CTE_SCAN)
        walk(r, op->u.cte.share->plan);
    for (uint32_t i = 0; i < op->n_children; i++)
        walk(r, op->children[i]);
}

int plan_share_views(Arena *a, LogicalOp *root, TarnError *err)
{
    Refs r = {.a = a};
    walk(&r, root);
    if (r.nomem)
        return ERR_NOMEM(err, 0);
    if (r.n < 2)
        return 0;
    bool *done = arena_calloc(a, r.n * sizeof *done);
    LogicalOp **grp = arena_alloc(a, r.n * sizeof *grp);
    if (!done || !grp)
        return ERR_NOMEM(err, 0);
    for (uint32_t i = 0; i < r.n; i++) {
        if (done[i])
            continue;
        /* the references of view_group i's whose plans have a subtree
         * equal to the same subtree (anchor) of reference i */
        done[i] = true;
        LogicalOp *anchor = NULL, **same = grp;
        uint32_t g = 0;
        for (uint32_t j = i + 1; j < r.n; j++) {
            if (done[j] || r.v[j]->view_group != r.v[i]->view_group)
                continue;
            LogicalOp *ex, *ey;
            int rc = common_subtree(a, r.v[i], r.v[j], &ex, &ey);
            if (rc > 1)
                return ERR_NOMEM(err, 0);
            if (rc || (anchor && ex != anchor) || !has_aggregate(ex))
                continue;
            anchor = ex;
            same[g++] = ey;
            done[j] = true;
        }
        if (!anchor)
            continue;
        const char *name = r.v[i]->view_name;
        CteShare *sh = arena_calloc(a, sizeof *sh);
        LogicalOp *body = arena_alloc(a, sizeof *body);
        if (!sh || !body)
            return ERR_NOMEM(err, 0);
        *body = *anchor;
        body->view_group = 0;
        sh->plan = body;
        sh->name = name;
        sh->optimized = true;
        if (lop_to_cte_scan(a, anchor, sh))
            return ERR_NOMEM(err, 0);
        for (uint32_t k = 0; k < g; k++)
            if (lop_to_cte_scan(a, same[k], sh))
                return ERR_NOMEM(err, 0);
    }
    return 0;
}
