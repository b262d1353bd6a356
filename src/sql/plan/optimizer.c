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

#include "sql/plan/plan.h"

typedef struct Opt {
    Arena *a;
    TarnError *err;
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

/* ---- 1. IN subqueries to semi / anti joins -------------------------------------------------------------- */

static int rewrite_subqueries(Opt *o, LogicalOp **pop)
{
    LogicalOp *op = *pop;
    for (uint32_t i = 0; i < op->n_children; i++)
        if (rewrite_subqueries(o, &op->children[i]))
            return o->err->kind;
    if (op->kind != LOP_FILTER)
        return 0;
    ExprVec keep = {0};
    ExprVec all = {0};
    for (uint32_t i = 0; i < op->u.filter.n_conds; i++)
        if (add_conjuncts(o, &all, op->u.filter.conds[i]))
            return o->err->kind;
    LogicalOp *child = op->children[0];
    for (uint32_t i = 0; i < all.n; i++) {
        Expr *c = all.v[i];
        bool neg = false;
        Expr *s = c;
        if (s->kind == EX_NOT && s->args[0]->kind == EX_SUBQUERY) {
            neg = true;
            s = s->args[0];
        }
        if (s->kind == EX_SUBQUERY && s->u.subq.kind == SUBQ_IN && !s->u.subq.correlated) {
            LogicalOp *sub = s->u.subq.plan;
            LogicalOp *j = lop_new(o->a, LOP_JOIN, 2);
            if (!j)
                return ERR_NOMEM(o->err, 0);
            j->u.join.kind = neg ? JOIN_ANTI : JOIN_SEMI;
            j->u.join.null_aware = neg;
            j->children[0] = child;
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
            if (lop_resolve(o->a, j, false))
                return ERR_NOMEM(o->err, 0);
            child = j;
            continue;
        }
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
            bool on_l = expr_refs_only(c, l->out, l->n_out);
            bool on_r = expr_refs_only(c, r->out, r->n_out);
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
            if (op->u.agg.n_groups && refs_table_cols(c, op->u.agg.group_index, op->u.agg.n_groups) &&
                !expr_has_volatile(c))
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
        return b * s;
    }
    case LOP_FILTER: {
        double s = 1;
        for (uint32_t i = 0; i < op->u.filter.n_conds; i++)
            s *= selectivity(op->u.filter.conds[i]);
        e = estimate(op->children[0]) * s;
        break;
    }
    case LOP_PROJECT: case LOP_SORT:
        e = estimate(op->children[0]);
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
        case JOIN_SEMI: case JOIN_ANTI: e = l * 0.5; break;
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
                JItem *a = &items[i], *b = &items[j];
                double e = a->base >= b->base ? a->est * (b->est / (b->base > 0 ? b->base : 1))
                                              : b->est * (a->est / (a->base > 0 ? a->base : 1));
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

int plan_optimize(Arena *a, LogicalOp **root, TarnError *err)
{
    Opt o = {a, err};
    int rc = rewrite_subqueries(&o, root);
    if (rc)
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
    *root = r;
    return 0;
}
