/*
 * physical.c - logical plan to physical operators (exec.h physical_plan).
 *
 * Planning is top-down with the set of columns the parent needs, so a scan
 * reads only the columns used above it (plus those its pushed filters
 * need) and a projection computes only the expressions used above it.
 * Each planned operator reports the bindings of its output columns, in
 * order; expressions of the parent are then resolved to positions in that
 * list (Expr.u.col.idx).  Choices made here:
 *   - joins with equality conditions become hash joins (the smaller
 *     estimated input is the build side for inner joins; the preserved
 *     side is the probe side for outer joins, RIGHT becomes LEFT with the
 *     inputs swapped), others nested loops;
 *   - LIMIT directly over ORDER BY becomes a top-N sort;
 *   - GROUP BY becomes a hash aggregate, aggregates without GROUP BY a
 *     single-row aggregate;
 *   - uncorrelated scalar / EXISTS subqueries become init plans, run
 *     before the main plan, read through EX_PARAM;
 *   - simple scan filters (column op constant of the column's type) are
 *     also given to the reader as skipping predicates (Delta file stats,
 *     Parquet row-group stats).
 */
#include <string.h>

#include "sql/exec/ops.h"

typedef struct PCtx {
    Arena *a;
    const SqlSettings *settings;
    TarnError *err;
    InitPlan *inits;
    uint32_t n_inits, cap_inits;
    uint32_t next_slot;
} PCtx;

typedef struct Bind {
    ColBinding *b;
    uint32_t n;
} Bind;

static int nomem(PCtx *p) { return ERR_NOMEM(p->err, 0); }

static int plan_op(PCtx *p, LogicalOp *op, const ColBinding *req, uint32_t n_req, PhysOp **out, Bind *ob);

/* ---- expression resolution --------------------------------------------------------------------- */

static int plan_subquery(PCtx *p, Expr *e, Expr **out);

/* Copies e with column positions resolved against bs; subqueries become
 * init-plan parameters. */
static int resolve(PCtx *p, const Expr *e, const Bind *bs, Expr **out)
{
    if (e->kind == EX_SUBQUERY)
        return plan_subquery(p, (Expr *)e, out);
    Expr *c = arena_alloc(p->a, sizeof *c);
    if (!c)
        return nomem(p);
    *c = *e;
    if (e->kind == EX_COLREF) {
        for (uint32_t i = 0; i < bs->n; i++)
            if (binding_eq(bs->b[i], e->u.col.b)) {
                c->u.col.idx = i;
                *out = c;
                return 0;
            }
        return err_set(p->err, TARN_ERR_INTERNAL, "internal error: column %s (%u.%u) not found in its input",
                       e->u.col.name ? e->u.col.name : "?", e->u.col.b.table, e->u.col.b.col);
    }
    if (e->kind == EX_AGGREF)
        return ERR_INTERNAL(p->err, "aggregate reference left in a plan");
    if (e->n_args) {
        c->args = arena_alloc(p->a, e->n_args * sizeof(Expr *));
        if (!c->args)
            return nomem(p);
        for (uint32_t i = 0; i < e->n_args; i++) {
            int rc = resolve(p, e->args[i], bs, &c->args[i]);
            if (rc)
                return rc;
        }
    }
    *out = c;
    return 0;
}

static int plan_subquery(PCtx *p, Expr *e, Expr **out)
{
    if (e->u.subq.correlated)
        return err_set_state(p->err, TARN_ERR_UNSUPPORTED, "0A000",
                             "this correlated subquery is not supported yet (only EXISTS, IN and "
                             "aggregates compared with equality-correlated keys in WHERE)");
    if (e->u.subq.kind == SUBQ_IN) {
        return err_set_state(p->err, TARN_ERR_UNSUPPORTED, "0A000",
                             "IN (subquery) is only supported as a WHERE condition yet");
    }
    LogicalOp *sub = e->u.subq.plan;
    PhysOp *root;
    Bind b;
    int rc = plan_op(p, sub, sub->out, sub->n_out ? 1 : 0, &root, &b);
    if (rc)
        return rc;
    if (e->u.subq.kind == SUBQ_SCALAR) {
        /* make sure the first output column is the subquery's column */
        if (b.n == 0 || !binding_eq(b.b[0], sub->out[0])) {
            Expr **ex = arena_alloc(p->a, sizeof(Expr *));
            Expr *c = expr_colref(p->a, sub->out[0], sub->out_types[0], sub->out_names[0]);
            if (!ex || !c)
                return nomem(p);
            if ((rc = resolve(p, c, &b, &ex[0])))
                return rc;
            if (!(root = op_project_new(p->a, root, ex, 1, p->err)))
                return p->err->kind;
        }
    }
    PhysOp *res = op_result_new(p->a, root, e->u.subq.kind == SUBQ_SCALAR ? 2 : 1, p->err);
    if (!res)
        return p->err->kind;
    if (p->n_inits == p->cap_inits) {
        uint32_t nc = p->cap_inits ? p->cap_inits * 2 : 4;
        InitPlan *n = arena_alloc(p->a, nc * sizeof(InitPlan));
        if (!n)
            return nomem(p);
        if (p->n_inits)
            memcpy(n, p->inits, p->n_inits * sizeof(InitPlan));
        p->inits = n;
        p->cap_inits = nc;
    }
    InitPlan *ip = &p->inits[p->n_inits++];
    ip->slot = p->next_slot++;
    ip->kind = e->u.subq.kind;
    ip->root = res;
    Expr *par = expr_new(p->a, EX_PARAM, e->type, 0, e->loc);
    if (!par)
        return nomem(p);
    par->u.param.slot = ip->slot;
    *out = par;
    return 0;
}

/* ---- binding sets -------------------------------------------------------------------------------------- */

typedef struct BSet {
    ColBinding *b;
    uint32_t n, cap;
} BSet;

static int bset_add(PCtx *p, BSet *s, ColBinding b)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (binding_eq(s->b[i], b))
            return 0;
    if (s->n == s->cap) {
        uint32_t nc = s->cap ? s->cap * 2 : 16;
        ColBinding *n = arena_alloc(p->a, nc * sizeof(ColBinding));
        if (!n)
            return nomem(p);
        if (s->n)
            memcpy(n, s->b, s->n * sizeof(ColBinding));
        s->b = n;
        s->cap = nc;
    }
    s->b[s->n++] = b;
    return 0;
}

static int bset_add_refs(PCtx *p, BSet *s, const Expr *e)
{
    if (!e)
        return 0;
    if (e->kind == EX_COLREF)
        return bset_add(p, s, e->u.col.b);
    for (uint32_t i = 0; i < e->n_args; i++)
        if (bset_add_refs(p, s, e->args[i]))
            return p->err->kind;
    return 0;
}

static bool bset_has(const ColBinding *b, uint32_t n, ColBinding x)
{
    for (uint32_t i = 0; i < n; i++)
        if (binding_eq(b[i], x))
            return true;
    return false;
}

/* Adds a projection when the operator's outputs are not exactly `want`, in order. */
static int ensure_order(PCtx *p, PhysOp **op, Bind *b, const ColBinding *want, const LogicalType *types,
                        const char **names, uint32_t n)
{
    bool same = b->n == n;
    for (uint32_t i = 0; same && i < n; i++)
        same = binding_eq(b->b[i], want[i]);
    if (same)
        return 0;
    Expr **ex = arena_alloc(p->a, (n ? n : 1) * sizeof(Expr *));
    if (!ex)
        return nomem(p);
    for (uint32_t i = 0; i < n; i++) {
        Expr *c = expr_colref(p->a, want[i], types[i], names ? names[i] : NULL);
        if (!c)
            return nomem(p);
        int rc = resolve(p, c, b, &ex[i]);
        if (rc)
            return rc;
    }
    PhysOp *pr = op_project_new(p->a, *op, ex, n, p->err);
    if (!pr)
        return p->err->kind;
    *op = pr;
    b->b = (ColBinding *)want;
    b->n = n;
    return 0;
}

/* ---- scans ------------------------------------------------------------------------------------------------ */

/* column op constant, with the constant of the column's type */
static void pred_from_expr(const Expr *e, const Bind *read, const LogicalOp *g, PqPredicate *out, uint32_t *n)
{
    if (e->kind == EX_IS_NULL || e->kind == EX_IS_NOT_NULL) {
        const Expr *c = e->args[0];
        if (c->kind != EX_COLREF)
            return;
        PqPredicate *pr = &out[(*n)++];
        memset(pr, 0, sizeof *pr);
        pr->column = g->u.get.schema->fields[c->u.col.b.col].name;
        pr->op = e->kind == EX_IS_NULL ? PQ_CMP_IS_NULL : PQ_CMP_NOT_NULL;
        return;
    }
    if (e->kind != EX_FUNC || e->n_args != 2 || e->u.func.def->kind != FUNC_OPERATOR)
        return;
    const char *nm = e->u.func.def->name;
    const Expr *a = e->args[0], *b = e->args[1];
    bool flip = false;
    if (a->kind == EX_CONST && b->kind == EX_COLREF) {
        const Expr *t = a;
        a = b;
        b = t;
        flip = true;
    }
    if (a->kind != EX_COLREF || b->kind != EX_CONST || b->u.cnst.is_null)
        return;
    const LogicalType *ct = &g->u.get.schema->fields[a->u.col.b.col].type;
    if (!type_equal(ct, &b->type))
        return;
    PqCmp op;
    if (!strcmp(nm, "="))
        op = PQ_CMP_EQ;
    else if (!strcmp(nm, "<"))
        op = flip ? PQ_CMP_GT : PQ_CMP_LT;
    else if (!strcmp(nm, "<="))
        op = flip ? PQ_CMP_GE : PQ_CMP_LE;
    else if (!strcmp(nm, ">"))
        op = flip ? PQ_CMP_LT : PQ_CMP_GT;
    else if (!strcmp(nm, ">="))
        op = flip ? PQ_CMP_LE : PQ_CMP_GE;
    else
        return;
    (void)read;
    PqPredicate *pr = &out[(*n)++];
    pr->column = g->u.get.schema->fields[a->u.col.b.col].name;
    pr->op = op;
    pr->value = b->u.cnst;
}

static int plan_get(PCtx *p, LogicalOp *g, const ColBinding *req, uint32_t n_req, PhysOp **out, Bind *ob)
{
    /* columns to read: required ones, then those only the filters need */
    BSet rd = {0};
    for (uint32_t i = 0; i < g->u.get.n_cols; i++) {
        ColBinding b = {g->u.get.table_index, g->u.get.col_ids[i]};
        if (bset_has(req, n_req, b) && bset_add(p, &rd, b))
            return p->err->kind;
    }
    uint32_t n_out = rd.n;
    for (uint32_t i = 0; i < g->u.get.n_filters; i++)
        if (bset_add_refs(p, &rd, g->u.get.filters[i]))
            return p->err->kind;
    if (rd.n == 0 && g->u.get.schema->n_fields > 0) {
        /* nothing needed (count(*)): read the first column for the row count */
        if (bset_add(p, &rd, (ColBinding){g->u.get.table_index, 0}))
            return p->err->kind;
    }
    ScanSpec sp;
    memset(&sp, 0, sizeof sp);
    sp.get = g;
    sp.n_read = rd.n;
    sp.read_cols = arena_alloc(p->a, (rd.n ? rd.n : 1) * sizeof(uint32_t));
    sp.n_out = n_out;
    sp.out_pos = arena_alloc(p->a, (n_out ? n_out : 1) * sizeof(uint32_t));
    if (!sp.read_cols || !sp.out_pos)
        return nomem(p);
    for (uint32_t i = 0; i < rd.n; i++)
        sp.read_cols[i] = rd.b[i].col;
    for (uint32_t i = 0; i < n_out; i++)
        sp.out_pos[i] = i;
    Bind rb = {rd.b, rd.n};
    if (g->u.get.n_filters) {
        Expr *f;
        if (g->u.get.n_filters == 1) {
            f = g->u.get.filters[0];
        } else {
            f = expr_new(p->a, EX_AND, type_simple(TYPE_BOOL), g->u.get.n_filters, -1);
            if (!f)
                return nomem(p);
            for (uint32_t i = 0; i < g->u.get.n_filters; i++)
                f->args[i] = g->u.get.filters[i];
        }
        int rc = resolve(p, f, &rb, &sp.filter);
        if (rc)
            return rc;
        /* skipping predicates */
        sp.preds = arena_alloc(p->a, (g->u.get.n_filters + 1) * 2 * sizeof(PqPredicate));
        if (!sp.preds)
            return nomem(p);
        for (uint32_t i = 0; i < g->u.get.n_filters; i++) {
            const Expr *c = g->u.get.filters[i];
            if (c->kind == EX_AND) {
                for (uint32_t k = 0; k < c->n_args && sp.n_preds < g->u.get.n_filters * 2; k++)
                    pred_from_expr(c->args[k], &rb, g, sp.preds, &sp.n_preds);
            } else {
                pred_from_expr(c, &rb, g, sp.preds, &sp.n_preds);
            }
        }
    }
    PhysOp *op;
    switch (g->u.get.source) {
    case SCAN_DELTA: op = op_scan_delta_new(p->a, &sp, p->err); break;
    case SCAN_PARQUET: op = op_scan_parquet_new(p->a, &sp, p->err); break;
    case SCAN_CSV: case SCAN_JSON: op = op_scan_text_new(p->a, &sp, p->err); break;
    default: op = op_scan_series_new(p->a, &sp, p->err); break;
    }
    if (!op)
        return p->err->kind;
    op->est_rows = g->est_rows;
    *out = op;
    ob->b = rd.b;
    ob->n = n_out;
    return 0;
}

/* ---- joins --------------------------------------------------------------------------------------------------- */

static bool side_only(const Expr *e, const Bind *b)
{
    if (e->kind == EX_COLREF)
        return bset_has(b->b, b->n, e->u.col.b);
    if (e->kind == EX_SUBQUERY || e->kind == EX_PARAM)
        return false;
    if (e->kind == EX_CONST || e->n_args == 0)
        return false; /* no column at all: not tied to a side */
    for (uint32_t i = 0; i < e->n_args; i++)
        if (e->args[i]->kind != EX_CONST && !side_only(e->args[i], b))
            return false;
    /* at least one argument must reference the side */
    for (uint32_t i = 0; i < e->n_args; i++)
        if (e->args[i]->kind != EX_CONST)
            return true;
    return false;
}

static int plan_join(PCtx *p, LogicalOp *j, const ColBinding *req, uint32_t n_req, PhysOp **out, Bind *ob)
{
    JoinKind kind = j->u.join.kind;
    LogicalOp *lo = j->children[0], *ro = j->children[1];
    /* what each side must produce */
    BSet need = {0};
    for (uint32_t i = 0; i < n_req; i++)
        if (bset_add(p, &need, req[i]))
            return p->err->kind;
    for (uint32_t i = 0; i < j->u.join.n_conds; i++)
        if (bset_add_refs(p, &need, j->u.join.conds[i]))
            return p->err->kind;
    BSet ln = {0}, rn = {0};
    for (uint32_t i = 0; i < need.n; i++) {
        if (bset_has(lo->out, lo->n_out, need.b[i]) && bset_add(p, &ln, need.b[i]))
            return p->err->kind;
        if (bset_has(ro->out, ro->n_out, need.b[i]) && bset_add(p, &rn, need.b[i]))
            return p->err->kind;
    }
    PhysOp *lp, *rp;
    Bind lb, rb;
    int rc;
    if ((rc = plan_op(p, lo, ln.b, ln.n, &lp, &lb)) || (rc = plan_op(p, ro, rn.b, rn.n, &rp, &rb)))
        return rc;
    /* split conditions: equalities between the sides vs the rest */
    uint32_t nc = j->u.join.n_conds;
    Expr **lk = arena_alloc(p->a, (nc + 1) * sizeof(Expr *)), **rk = arena_alloc(p->a, (nc + 1) * sizeof(Expr *));
    Expr **rest = arena_alloc(p->a, (nc + 1) * sizeof(Expr *));
    if (!lk || !rk || !rest)
        return nomem(p);
    uint32_t nk = 0, nr = 0;
    for (uint32_t i = 0; i < nc; i++) {
        Expr *c = j->u.join.conds[i];
        if (c->kind == EX_FUNC && c->n_args == 2 && !strcmp(c->u.func.def->name, "=") &&
            c->u.func.def->kind == FUNC_OPERATOR && type_equal(&c->args[0]->type, &c->args[1]->type)) {
            if (side_only(c->args[0], &lb) && side_only(c->args[1], &rb)) {
                lk[nk] = c->args[0];
                rk[nk++] = c->args[1];
                continue;
            }
            if (side_only(c->args[1], &lb) && side_only(c->args[0], &rb)) {
                lk[nk] = c->args[1];
                rk[nk++] = c->args[0];
                continue;
            }
        }
        rest[nr++] = c;
    }
    /* orientation: probe (children[0] of the physical join) and build */
    bool swap = false;
    if (kind == JOIN_RIGHT) {
        swap = true;
        kind = JOIN_LEFT;
    } else if ((kind == JOIN_INNER || kind == JOIN_CROSS) && nk > 0 && lp->est_rows >= 0 && rp->est_rows >= 0 &&
               lp->est_rows < rp->est_rows) {
        swap = true;
    }
    PhysOp *pp = swap ? rp : lp, *bp = swap ? lp : rp;
    Bind pb = swap ? rb : lb, bb = swap ? lb : rb;
    Expr **pk = swap ? rk : lk, **bk = swap ? lk : rk;
    bool left_only = kind == JOIN_SEMI || kind == JOIN_ANTI;
    Bind all;
    all.n = pb.n + bb.n;
    all.b = arena_alloc(p->a, (all.n ? all.n : 1) * sizeof(ColBinding));
    if (!all.b)
        return nomem(p);
    memcpy(all.b, pb.b, pb.n * sizeof(ColBinding));
    memcpy(all.b + pb.n, bb.b, bb.n * sizeof(ColBinding));
    Expr *resid = NULL;
    if (nr) {
        Expr *r = rest[0];
        if (nr > 1) {
            r = expr_new(p->a, EX_AND, type_simple(TYPE_BOOL), nr, -1);
            if (!r)
                return nomem(p);
            memcpy(r->args, rest, nr * sizeof(Expr *));
        }
        if ((rc = resolve(p, r, &all, &resid)))
            return rc;
    }
    PhysOp *op;
    if (nk) {
        Expr **rpk = arena_alloc(p->a, nk * sizeof(Expr *)), **rbk = arena_alloc(p->a, nk * sizeof(Expr *));
        if (!rpk || !rbk)
            return nomem(p);
        for (uint32_t k = 0; k < nk; k++)
            if ((rc = resolve(p, pk[k], &pb, &rpk[k])) || (rc = resolve(p, bk[k], &bb, &rbk[k])))
                return rc;
        op = op_hash_join_new(p->a, pp, bp, kind == JOIN_CROSS ? JOIN_INNER : kind, rpk, rbk, nk, resid,
                              j->u.join.null_aware, j->u.join.null_safe, p->err);
    } else {
        if (j->u.join.null_aware) {
            /* NOT IN without an equality cannot happen (the rewrite makes one) */
            return ERR_INTERNAL(p->err, "null-aware join without keys");
        }
        op = op_nl_join_new(p->a, pp, bp, kind, resid, p->err);
    }
    if (!op)
        return p->err->kind;
    *out = op;
    ob->b = all.b;
    ob->n = left_only ? pb.n : all.n;
    return 0;
}

/* ---- dispatcher ------------------------------------------------------------------------------------------------ */

static int plan_op(PCtx *p, LogicalOp *op, const ColBinding *req, uint32_t n_req, PhysOp **out, Bind *ob)
{
    int rc;
    switch (op->kind) {
    case LOP_GET:
        return plan_get(p, op, req, n_req, out, ob);
    case LOP_FILTER: {
        BSet need = {0};
        for (uint32_t i = 0; i < n_req; i++)
            if (bset_add(p, &need, req[i]))
                return p->err->kind;
        for (uint32_t i = 0; i < op->u.filter.n_conds; i++)
            if (bset_add_refs(p, &need, op->u.filter.conds[i]))
                return p->err->kind;
        PhysOp *c;
        Bind cb;
        if ((rc = plan_op(p, op->children[0], need.b, need.n, &c, &cb)))
            return rc;
        Expr *f = op->u.filter.conds[0];
        if (op->u.filter.n_conds > 1) {
            f = expr_new(p->a, EX_AND, type_simple(TYPE_BOOL), op->u.filter.n_conds, -1);
            if (!f)
                return nomem(p);
            memcpy(f->args, op->u.filter.conds, op->u.filter.n_conds * sizeof(Expr *));
        }
        Expr *rf;
        if ((rc = resolve(p, f, &cb, &rf)))
            return rc;
        PhysOp *fo = op_filter_new(p->a, c, rf, p->err);
        if (!fo)
            return p->err->kind;
        fo->est_rows = op->est_rows;
        *out = fo;
        *ob = cb;
        return 0;
    }
    case LOP_PROJECT: {
        uint32_t n = op->u.project.n_exprs;
        bool *used = arena_calloc(p->a, (n ? n : 1) * sizeof(bool));
        if (!used)
            return nomem(p);
        uint32_t nu = 0;
        for (uint32_t i = 0; i < n; i++) {
            used[i] = !req || bset_has(req, n_req, op->out[i]);
            nu += used[i];
        }
        BSet need = {0};
        for (uint32_t i = 0; i < n; i++)
            if (used[i] && bset_add_refs(p, &need, op->u.project.exprs[i]))
                return p->err->kind;
        PhysOp *c;
        Bind cb;
        if ((rc = plan_op(p, op->children[0], need.b, need.n, &c, &cb)))
            return rc;
        Expr **ex = arena_alloc(p->a, (nu ? nu : 1) * sizeof(Expr *));
        ColBinding *bs = arena_alloc(p->a, (nu ? nu : 1) * sizeof(ColBinding));
        if (!ex || !bs)
            return nomem(p);
        uint32_t k = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (!used[i])
                continue;
            if ((rc = resolve(p, op->u.project.exprs[i], &cb, &ex[k])))
                return rc;
            bs[k++] = op->out[i];
        }
        PhysOp *po = op_project_new(p->a, c, ex, nu, p->err);
        if (!po)
            return p->err->kind;
        po->est_rows = op->est_rows;
        *out = po;
        ob->b = bs;
        ob->n = nu;
        return 0;
    }
    case LOP_AGGREGATE: {
        BSet need = {0};
        for (uint32_t i = 0; i < op->u.agg.n_groups; i++)
            if (bset_add_refs(p, &need, op->u.agg.groups[i]))
                return p->err->kind;
        for (uint32_t j = 0; j < op->u.agg.n_aggs; j++) {
            for (uint32_t a = 0; a < op->u.agg.aggs[j].n_args; a++)
                if (bset_add_refs(p, &need, op->u.agg.aggs[j].args[a]))
                    return p->err->kind;
            if (bset_add_refs(p, &need, op->u.agg.aggs[j].filter))
                return p->err->kind;
        }
        PhysOp *c;
        Bind cb;
        if ((rc = plan_op(p, op->children[0], need.b, need.n, &c, &cb)))
            return rc;
        uint32_t ng = op->u.agg.n_groups, na = op->u.agg.n_aggs;
        Expr **gs = arena_alloc(p->a, (ng ? ng : 1) * sizeof(Expr *));
        AggCall *as = arena_alloc(p->a, (na ? na : 1) * sizeof(AggCall));
        if (!gs || !as)
            return nomem(p);
        for (uint32_t i = 0; i < ng; i++)
            if ((rc = resolve(p, op->u.agg.groups[i], &cb, &gs[i])))
                return rc;
        for (uint32_t j = 0; j < na; j++) {
            as[j] = op->u.agg.aggs[j];
            as[j].args = arena_alloc(p->a, (as[j].n_args ? as[j].n_args : 1) * sizeof(Expr *));
            if (!as[j].args)
                return nomem(p);
            for (uint32_t a = 0; a < as[j].n_args; a++)
                if ((rc = resolve(p, op->u.agg.aggs[j].args[a], &cb, &as[j].args[a])))
                    return rc;
            if (as[j].filter && (rc = resolve(p, op->u.agg.aggs[j].filter, &cb, &as[j].filter)))
                return rc;
        }
        PhysOp *ao = ng ? op_hash_agg_new(p->a, c, gs, ng, as, na, p->err) : op_simple_agg_new(p->a, c, as, na, p->err);
        if (!ao)
            return p->err->kind;
        ao->est_rows = op->est_rows;
        *out = ao;
        ob->b = op->out;
        ob->n = op->n_out;
        return 0;
    }
    case LOP_JOIN:
        return plan_join(p, op, req, n_req, out, ob);
    case LOP_SORT:
    case LOP_LIMIT: {
        LogicalOp *sort = op->kind == LOP_SORT ? op : NULL;
        int64_t limit = -1, offset = 0;
        if (op->kind == LOP_LIMIT) {
            limit = op->u.limit.limit;
            offset = op->u.limit.offset;
            if (op->children[0]->kind == LOP_SORT)
                sort = op->children[0];
        }
        LogicalOp *below = sort ? sort->children[0] : op->children[0];
        BSet need = {0};
        for (uint32_t i = 0; i < n_req; i++)
            if (bset_add(p, &need, req[i]))
                return p->err->kind;
        if (sort)
            for (uint32_t i = 0; i < sort->u.sort.n_items; i++)
                if (bset_add_refs(p, &need, sort->u.sort.items[i].expr))
                    return p->err->kind;
        PhysOp *c;
        Bind cb;
        if ((rc = plan_op(p, below, need.b, need.n, &c, &cb)))
            return rc;
        PhysOp *r;
        if (sort) {
            SortItem *items = arena_alloc(p->a, sort->u.sort.n_items * sizeof(SortItem));
            if (!items)
                return nomem(p);
            for (uint32_t i = 0; i < sort->u.sort.n_items; i++) {
                items[i] = sort->u.sort.items[i];
                if ((rc = resolve(p, sort->u.sort.items[i].expr, &cb, &items[i].expr)))
                    return rc;
            }
            r = op_sort_new(p->a, c, items, sort->u.sort.n_items, limit, offset, p->err);
        } else {
            r = op_limit_new(p->a, c, limit, offset, p->err);
        }
        if (!r)
            return p->err->kind;
        r->est_rows = op->est_rows;
        *out = r;
        *ob = cb;
        return 0;
    }
    case LOP_UNION: {
        PhysOp **kids = arena_alloc(p->a, op->n_children * sizeof(PhysOp *));
        if (!kids)
            return nomem(p);
        for (uint32_t i = 0; i < op->n_children; i++) {
            LogicalOp *c = op->children[i];
            Bind cb;
            if ((rc = plan_op(p, c, c->out, c->n_out, &kids[i], &cb)) ||
                (rc = ensure_order(p, &kids[i], &cb, c->out, c->out_types, c->out_names, c->n_out)))
                return rc;
        }
        PhysOp *u = op_union_new(p->a, kids, op->n_children, p->err);
        if (!u)
            return p->err->kind;
        *out = u;
        ob->b = op->out;
        ob->n = op->n_out;
        return 0;
    }
    case LOP_VALUES: {
        uint32_t nr = op->u.values.n_rows, nc = op->u.values.n_cols;
        Expr ***rows = arena_alloc(p->a, (nr ? nr : 1) * sizeof(Expr **));
        if (!rows)
            return nomem(p);
        Bind none = {NULL, 0};
        for (uint32_t r = 0; r < nr; r++) {
            rows[r] = arena_alloc(p->a, (nc ? nc : 1) * sizeof(Expr *));
            if (!rows[r])
                return nomem(p);
            for (uint32_t c = 0; c < nc; c++)
                if ((rc = resolve(p, op->u.values.rows[r][c], &none, &rows[r][c])))
                    return rc;
        }
        PhysOp *v = op_values_new(p->a, rows, nr, nc, op->out_types, p->err);
        if (!v)
            return p->err->kind;
        *out = v;
        ob->b = op->out;
        ob->n = op->n_out;
        return 0;
    }
    case LOP_DUMMY:
    case LOP_EMPTY: {
        bool dummy = op->kind == LOP_DUMMY;
        PhysOp *v = op_values_new(p->a, NULL, dummy ? 1 : 0, dummy ? 0 : op->n_out, op->out_types, p->err);
        if (!v)
            return p->err->kind;
        *out = v;
        ob->b = op->out;
        ob->n = dummy ? 0 : op->n_out;
        return 0;
    }
    }
    return ERR_INTERNAL(p->err, "unknown logical operator");
}

int physical_plan(Arena *a, LogicalOp *root, const SqlSettings *settings, PhysPlan *out, TarnError *err)
{
    PCtx p = {a, settings, err, NULL, 0, 0, 0};
    PhysOp *op;
    Bind b;
    int rc = plan_op(&p, root, root->out, root->n_out, &op, &b);
    if (!rc)
        rc = ensure_order(&p, &op, &b, root->out, root->out_types, root->out_names, root->n_out);
    if (rc)
        return rc;
    out->root = op;
    out->inits = p.inits;
    out->n_inits = p.n_inits;
    return 0;
}
