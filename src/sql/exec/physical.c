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
    /* shared WITH queries / views planned so far: their result sinks */
    const CteShare **cte_shares;
    PhysOp **cte_sinks;
    uint32_t n_ctes, cap_ctes;
} PCtx;

typedef struct Bind {
    ColBinding *b;
    uint32_t n;
} Bind;

static int nomem(PCtx *p) { return ERR_NOMEM(p->err, 0); }

/* A new entry at the end of p->inits (the array doubles in the arena);
 * NULL when out of memory. */
static InitPlan *push_init(PCtx *p)
{
    if (p->n_inits == p->cap_inits) {
        uint32_t nc = p->cap_inits ? p->cap_inits * 2 : 4;
        InitPlan *n = arena_alloc(p->a, nc * sizeof(InitPlan));
        if (!n)
            return NULL;
        if (p->n_inits)
            memcpy(n, p->inits, p->n_inits * sizeof(InitPlan));
        p->inits = n;
        p->cap_inits = nc;
    }
    return &p->inits[p->n_inits++];
}

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
    /* the optimizer turns these into joins / dependent joins in WHERE,
     * HAVING and the select list; elsewhere (JOIN ... ON, GROUP BY,
     * aggregate arguments) they are not supported yet */
    if (e->u.subq.correlated)
        return err_set_state(p->err, TARN_ERR_UNSUPPORTED, "0A000",
                             "correlated subqueries are supported in WHERE, HAVING and the select list only");
    if (e->u.subq.kind == SUBQ_IN || e->u.subq.kind == SUBQ_ANY || e->u.subq.kind == SUBQ_ALL) {
        return err_set_state(p->err, TARN_ERR_UNSUPPORTED, "0A000",
                             "IN / ANY / ALL (subquery) are supported in WHERE, HAVING and the select list only");
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
    InitPlan *ip = push_init(p);
    if (!ip)
        return nomem(p);
    ip->slot = p->next_slot++;
    ip->kind = e->u.subq.kind;
    ip->root = res;
    ip->cte = NULL;
    Expr *par = expr_new(p->a, EX_PARAM, e->type, 0, e->loc);
    if (!par)
        return nomem(p);
    par->u.param.slot = ip->slot;
    *out = par;
    return 0;
}

static int ensure_order(PCtx *p, PhysOp **op, Bind *b, const ColBinding *want, const LogicalType *types,
                        const char **names, uint32_t n);

/* A reference to a shared WITH query / view: its body is planned once per
 * physical plan as an init plan materialising every output column (run
 * before anything that reads it: it is added after the init plans its own
 * body needs and before those of the plan around the reference); each
 * reference scans the rows (op_cte.c). */
static int plan_cte_scan(PCtx *p, LogicalOp *op, PhysOp **out, Bind *ob)
{
    const CteShare *sh = op->u.cte.share;
    PhysOp *sink = NULL;
    for (uint32_t i = 0; i < p->n_ctes && !sink; i++)
        if (p->cte_shares[i] == sh)
            sink = p->cte_sinks[i];
    int rc;
    if (!sink) {
        LogicalOp *body = sh->plan;
        PhysOp *root;
        Bind b;
        if ((rc = plan_op(p, body, body->out, body->n_out, &root, &b)) ||
            (rc = ensure_order(p, &root, &b, body->out, body->out_types, body->out_names, body->n_out)))
            return rc;
        if (!(sink = op_result_new(p->a, root, -1, p->err)))
            return p->err->kind;
        if (p->n_ctes == p->cap_ctes) {
            uint32_t nc = p->cap_ctes ? p->cap_ctes * 2 : 4;
            const CteShare **ns = arena_alloc(p->a, nc * sizeof *ns);
            PhysOp **nk = arena_alloc(p->a, nc * sizeof *nk);
            if (!ns || !nk)
                return nomem(p);
            if (p->n_ctes) {
                memcpy(ns, p->cte_shares, p->n_ctes * sizeof *ns);
                memcpy(nk, p->cte_sinks, p->n_ctes * sizeof *nk);
            }
            p->cte_shares = ns;
            p->cte_sinks = nk;
            p->cap_ctes = nc;
        }
        p->cte_shares[p->n_ctes] = sh;
        p->cte_sinks[p->n_ctes++] = sink;
        InitPlan *ip = push_init(p);
        if (!ip)
            return nomem(p);
        ip->slot = 0; /* no value */
        ip->kind = SUBQ_SCALAR;
        ip->root = sink;
        ip->cte = sh->name ? sh->name : "?";
    }
    PhysOp *scan = op_cte_scan_new(p->a, sink, op->u.cte.share->name, op->n_out, op->out_types, p->err);
    if (!scan)
        return p->err->kind;
    scan->out_names = op->out_names;
    scan->est_rows = op->est_rows;
    *out = scan;
    ob->b = op->out;
    ob->n = op->n_out;
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
    (void)read;
    const Expr *k;
    PqCmp op;
    const Expr *c = expr_prune_term(e, &k, &op);
    if (!c)
        return;
    const Field *f = &g->u.get.schema->fields[c->u.col.b.col];
    if (k && !type_equal(&f->type, &k->type))
        return;
    PqPredicate *pr = &out[(*n)++];
    memset(pr, 0, sizeof *pr);
    pr->column = f->name;
    pr->op = op;
    if (k)
        pr->value = k->u.cnst;
}

/* True when e only compares fixed-width columns and constants (it cannot
 * fail and is cheap): such scan filter conjuncts (not ORs, which cost
 * several compares and seldom filter much) go first, narrowing the rows
 * the others (string compares, functions) see - TPC-H Q12: the
 * receipt-date range before l_shipmode IN (...). */
static bool cheap_compare(const Expr *e)
{
    switch (e->kind) {
    case EX_CONST: case EX_PARAM:
        return true;
    case EX_COLREF:
        return !type_is_string_like(e->type.id) && !type_is_nested(e->type.id);
    case EX_AND: case EX_OR: case EX_NOT: case EX_IS_NULL: case EX_IS_NOT_NULL:
        break;
    case EX_FUNC: {
        const char *n = e->u.func.def ? e->u.func.def->name : "";
        if (strcmp(n, "=") && strcmp(n, "<>") && strcmp(n, "<") && strcmp(n, "<=") && strcmp(n, ">") &&
            strcmp(n, ">="))
            return false;
        break;
    }
    default:
        return false;
    }
    for (uint32_t i = 0; i < e->n_args; i++)
        if (!cheap_compare(e->args[i]))
            return false;
    return true;
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
            uint32_t k = 0; /* cheap comparisons first, otherwise in order */
            for (uint32_t pass = 0; pass < 2; pass++)
                for (uint32_t i = 0; i < g->u.get.n_filters; i++)
                    if ((g->u.get.filters[i]->kind != EX_OR && cheap_compare(g->u.get.filters[i])) == (pass == 0))
                        f->args[k++] = g->u.get.filters[i];
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
    if (g->u.get.source == SCAN_SERIES) {
        /* LATERAL generate_series(1, t.n): op_apply.c made the references
         * constants; fold what is left (casts of them) */
        bool fold = false;
        for (int i = 0; i < 3; i++)
            if (g->u.get.series_args[i] && g->u.get.series_args[i]->kind != EX_CONST)
                fold = true;
        if (fold) {
            LogicalOp *g2 = arena_alloc(p->a, sizeof *g2);
            Expr **args = arena_calloc(p->a, 3 * sizeof(Expr *));
            if (!g2 || !args)
                return nomem(p);
            *g2 = *g;
            for (int i = 0; i < 3; i++) {
                Expr *e = g->u.get.series_args[i];
                if (e && e->kind != EX_CONST) {
                    Value v;
                    int rc = expr_eval_const(e, p->settings, p->a, &v, p->err);
                    if (rc)
                        return rc;
                    if (!(e = expr_const(p->a, &v, e->type, e->loc)))
                        return nomem(p);
                }
                args[i] = e;
            }
            g2->u.get.series_args = args;
            sp.get = g2;
        }
    }
    PhysOp *op;
    switch (g->u.get.source) {
    case SCAN_DELTA: op = op_scan_delta_new(p->a, &sp, p->err); break;
    case SCAN_PARQUET: op = op_scan_parquet_new(p->a, &sp, p->err); break;
    case SCAN_CSV: case SCAN_JSON: case SCAN_AVRO: op = op_scan_text_new(p->a, &sp, p->err); break;
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
    /* LEFT (or RIGHT) JOIN whose preserved side is the smaller one: build on
     * it and let the other side probe on every thread (a RIGHT join: the
     * last probe thread emits the unmatched build rows) */
    if (kind == JOIN_LEFT && nk > 0 && !j->u.join.null_aware && !j->u.join.null_safe) {
        const PhysOp *keep = swap ? rp : lp, *other = swap ? lp : rp;
        if (keep->est_rows >= 0 && other->est_rows >= 0 && keep->est_rows * 2 < other->est_rows) {
            swap = !swap;
            kind = JOIN_RIGHT;
        }
    }
    PhysOp *pp = swap ? rp : lp, *bp = swap ? lp : rp;
    Bind pb = swap ? rb : lb, bb = swap ? lb : rb;
    Expr **pk = swap ? rk : lk, **bk = swap ? lk : rk;
    bool left_only = kind == JOIN_SEMI || kind == JOIN_ANTI;
    /* SEMI / ANTI with a much smaller outer side: build on the outer side,
     * the inner side's rows mark it (op_hash_join_mark_new) */
    bool mark = left_only && nk > 0 && !j->u.join.null_aware && !j->u.join.null_safe && !swap &&
                lp->est_rows >= 0 && rp->est_rows >= 0 && lp->est_rows * 4 < rp->est_rows && lp->est_rows <= 1e6;
    if (mark) { /* the operator's probe side is the inner side */
        pp = rp;
        bp = lp;
        pb = rb;
        bb = lb;
        pk = rk;
        bk = lk;
    }
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
        op = mark ? op_hash_join_mark_new(p->a, pp, bp, kind, rpk, rbk, nk, resid, p->err)
                  : op_hash_join_new(p->a, pp, bp, kind == JOIN_CROSS ? JOIN_INNER : kind, rpk, rbk, nk, resid,
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
    ob->b = mark ? lb.b : all.b;
    ob->n = mark ? lb.n : left_only ? pb.n : all.n;
    return 0;
}

/* ---- dependent joins -------------------------------------------------------------------------------------------- */

/* ---- as-of joins ---- */

static bool refs_within_table(const Expr *e, uint32_t table, bool *any_other)
{
    if (e->kind == EX_COLREF) {
        if (e->u.col.b.table != table)
            *any_other = true;
        return e->u.col.b.table == table;
    }
    if (e->kind == EX_SUBQUERY || e->kind == EX_PARAM) {
        *any_other = true;
        return false;
    }
    bool all = true;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (!refs_within_table(e->args[i], table, any_other))
            all = false;
    return all;
}

static bool refs_only_outer(const Expr *e, const LogicalOp *lo)
{
    if (e->kind == EX_COLREF)
        return bset_has(lo->out, lo->n_out, e->u.col.b);
    if (e->kind == EX_SUBQUERY || e->kind == EX_PARAM)
        return false;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (!refs_only_outer(e->args[i], lo))
            return false;
    return true;
}

static bool time_type_ok(TypeId t)
{
    return t == TYPE_INT16 || t == TYPE_INT32 || t == TYPE_INT64 || t == TYPE_DATE || t == TYPE_TIME ||
           t == TYPE_TIMESTAMP || t == TYPE_TIMESTAMPTZ;
}

/* LATERAL (SELECT ... FROM q WHERE q.k = t.k ... AND q.ts <= t.ts ORDER BY
 * q.ts DESC LIMIT 1) as an as-of join (op_asof_join.c).  -1: not this shape. */
static int plan_asof(PCtx *p, LogicalOp *op, const ColBinding *req, uint32_t n_req, PhysOp **out, Bind *ob)
{
    LogicalOp *lo = op->children[0], *in = op->children[1];
    if (op->u.join.apply != APPLY_JOIN)
        return -1;
    for (uint32_t i = 0; i < op->u.join.n_conds; i++) {
        const Expr *c = op->u.join.conds[i];
        if (!(c->kind == EX_CONST && !c->u.cnst.is_null && c->type.id == TYPE_BOOL && c->u.cnst.v.b))
            return -1;
    }
    LogicalOp *top = NULL, *sort = NULL;
    if (in->kind == LOP_PROJECT) {
        top = in;
        in = in->children[0];
    }
    if (in->kind == LOP_LIMIT && in->u.limit.limit == 1 && in->u.limit.offset == 0 && in->children[0]->kind == LOP_SORT &&
        in->children[0]->u.sort.limit < 0)
        sort = in->children[0];
    else if (in->kind == LOP_SORT && in->u.sort.limit == 1 && in->u.sort.offset == 0)
        sort = in;
    if (!sort || sort->u.sort.n_items != 1 || sort->children[0]->kind != LOP_PROJECT)
        return -1;
    LogicalOp *sel = sort->children[0];
    const SortItem *si = &sort->u.sort.items[0];
    const Expr *sexpr = si->expr;
    if (sexpr->kind == EX_COLREF && sexpr->u.col.b.table == sel->u.project.table_index &&
        sexpr->u.col.b.col < sel->u.project.n_exprs)
        sexpr = sel->u.project.exprs[sexpr->u.col.b.col];
    /* below the select list: filters over one scan */
    Expr *cj[256];
    uint32_t ncj = 0;
    LogicalOp *b = sel->children[0];
    for (; b->kind == LOP_FILTER; b = b->children[0])
        for (uint32_t i = 0; i < b->u.filter.n_conds && ncj < 256; i++)
            cj[ncj++] = b->u.filter.conds[i];
    if (b->kind != LOP_GET || ncj + b->u.get.n_filters > 256)
        return -1;
    for (uint32_t i = 0; i < b->u.get.n_filters; i++)
        cj[ncj++] = b->u.get.filters[i];
    uint32_t ti = b->u.get.table_index;
    bool other = false;
    for (uint32_t i = 0; i < sel->u.project.n_exprs; i++)
        if (!refs_within_table(sel->u.project.exprs[i], ti, &other) || other)
            return -1;
    if (!refs_within_table(sexpr, ti, &other) || other || !time_type_ok(sexpr->type.id))
        return -1;
    Expr *inner_only[256], *ik[256], *ok_[256], *ots = NULL;
    uint32_t n_in = 0, nk = 0;
    AsofDir dir = ASOF_LE;
    for (uint32_t i = 0; i < ncj; i++) {
        Expr *c = cj[i];
        bool o2 = false;
        if (refs_within_table(c, ti, &o2) && !o2) {
            inner_only[n_in++] = c;
            continue;
        }
        if (c->kind != EX_FUNC || c->n_args != 2 || c->u.func.def->kind != FUNC_OPERATOR)
            return -1;
        const char *nm = c->u.func.def->name;
        Expr *a0 = c->args[0], *a1 = c->args[1];
        bool oa = false, ob2 = false;
        bool a0_in = refs_within_table(a0, ti, &oa) && !oa, a1_in = refs_within_table(a1, ti, &ob2) && !ob2;
        bool flip;
        if (a0_in && refs_only_outer(a1, lo))
            flip = false;
        else if (a1_in && refs_only_outer(a0, lo))
            flip = true;
        else
            return -1;
        Expr *iv = flip ? a1 : a0, *ov = flip ? a0 : a1;
        if (!type_equal(&iv->type, &ov->type))
            return -1;
        if (!strcmp(nm, "=")) {
            ik[nk] = iv;
            ok_[nk++] = ov;
            continue;
        }
        AsofDir d;
        if (!strcmp(nm, "<="))
            d = flip ? ASOF_GE : ASOF_LE;
        else if (!strcmp(nm, "<"))
            d = flip ? ASOF_GT : ASOF_LT;
        else if (!strcmp(nm, ">="))
            d = flip ? ASOF_LE : ASOF_GE;
        else if (!strcmp(nm, ">"))
            d = flip ? ASOF_LT : ASOF_GT;
        else
            return -1;
        if (ots || !expr_equal(iv, sexpr))
            return -1;
        ots = ov;
        dir = d;
    }
    if (!ots || nk > 32)
        return -1;
    /* latest at or before: descending; earliest at or after: ascending */
    if (((dir == ASOF_LE || dir == ASOF_LT) && !si->desc) || ((dir == ASOF_GE || dir == ASOF_GT) && si->desc))
        return -1;
    /* the build side: the scan with its own conditions, projecting the
     * select list, the keys and the time */
    LogicalOp *g2 = arena_alloc(p->a, sizeof *g2);
    LogicalOp *bp = lop_new(p->a, LOP_PROJECT, 1);
    uint32_t n_sel = sel->u.project.n_exprs, nb = n_sel + nk + 1;
    Expr **bx = arena_alloc(p->a, nb * sizeof(Expr *)), **gf = arena_alloc(p->a, (n_in + 1) * sizeof(Expr *));
    if (!g2 || !bp || !bx || !gf)
        return nomem(p);
    *g2 = *b;
    memcpy(gf, inner_only, n_in * sizeof(Expr *));
    g2->u.get.filters = gf;
    g2->u.get.n_filters = n_in;
    memcpy(bx, sel->u.project.exprs, n_sel * sizeof(Expr *));
    memcpy(bx + n_sel, ik, nk * sizeof(Expr *));
    bx[n_sel + nk] = (Expr *)sexpr;
    bp->children[0] = g2;
    bp->u.project.table_index = sel->u.project.table_index;
    bp->u.project.exprs = bx;
    bp->u.project.n_exprs = nb;
    if (lop_resolve(p->a, g2, false) || lop_resolve(p->a, bp, false))
        return nomem(p);
    PhysOp *bph, *c;
    Bind bb, cb;
    int rc;
    if ((rc = plan_op(p, bp, bp->out, bp->n_out, &bph, &bb)) ||
        (rc = ensure_order(p, &bph, &bb, bp->out, bp->out_types, bp->out_names, bp->n_out)))
        return rc;
    BSet need = {0};
    for (uint32_t i = 0; i < n_req; i++)
        if (bset_has(lo->out, lo->n_out, req[i]) && bset_add(p, &need, req[i]))
            return p->err->kind;
    for (uint32_t k = 0; k < nk; k++)
        if (bset_add_refs(p, &need, ok_[k]))
            return p->err->kind;
    if (bset_add_refs(p, &need, ots))
        return p->err->kind;
    if ((rc = plan_op(p, lo, need.b, need.n, &c, &cb)))
        return rc;
    Expr **rk = arena_alloc(p->a, (nk + 1) * sizeof(Expr *)), *rts;
    if (!rk)
        return nomem(p);
    for (uint32_t k = 0; k < nk; k++)
        if ((rc = resolve(p, ok_[k], &cb, &rk[k])))
            return rc;
    if ((rc = resolve(p, ots, &cb, &rts)))
        return rc;
    PhysOp *aj = op_asof_join_new(p->a, c, bph, op->u.join.kind == JOIN_LEFT, dir, rk, nk, rts, n_sel, p->settings,
                                  p->err);
    if (!aj)
        return p->err->kind;
    aj->est_rows = op->est_rows;
    Bind ab;
    ab.n = cb.n + n_sel;
    ab.b = arena_alloc(p->a, (ab.n ? ab.n : 1) * sizeof(ColBinding));
    if (!ab.b)
        return nomem(p);
    memcpy(ab.b, cb.b, cb.n * sizeof(ColBinding));
    memcpy(ab.b + cb.n, sel->out, n_sel * sizeof(ColBinding));
    if (top) {
        /* the select list without hidden ORDER BY columns */
        uint32_t n = cb.n + top->u.project.n_exprs;
        Expr **ex = arena_alloc(p->a, (n ? n : 1) * sizeof(Expr *));
        ColBinding *bs = arena_alloc(p->a, (n ? n : 1) * sizeof(ColBinding));
        if (!ex || !bs)
            return nomem(p);
        for (uint32_t i = 0; i < cb.n; i++) {
            Expr *e = expr_colref(p->a, cb.b[i], c->out_types[i], NULL);
            if (!e || (rc = resolve(p, e, &ab, &ex[i])))
                return e ? rc : nomem(p);
            bs[i] = cb.b[i];
        }
        for (uint32_t i = 0; i < top->u.project.n_exprs; i++) {
            if ((rc = resolve(p, top->u.project.exprs[i], &ab, &ex[cb.n + i])))
                return rc;
            bs[cb.n + i] = top->out[i];
        }
        if (!(aj = op_project_new(p->a, aj, ex, n, p->err)))
            return p->err->kind;
        ab.b = bs;
        ab.n = n;
    }
    *out = aj;
    *ob = ab;
    return 0;
}

/* LOP_APPLY: the outer side is planned here; the inner side (with the ON
 * condition as a filter on top) is planned by op_apply.c once per distinct
 * combination of the outer columns it refers to. */
static int plan_apply(PCtx *p, LogicalOp *op, const ColBinding *req, uint32_t n_req, PhysOp **out, Bind *ob)
{
    int arc = plan_asof(p, op, req, n_req, out, ob);
    if (arc != -1)
        return arc;
    LogicalOp *lo = op->children[0], *inner = op->children[1];
    if (op->u.join.n_conds) {
        LogicalOp *f = lop_new(p->a, LOP_FILTER, 1);
        if (!f)
            return nomem(p);
        f->children[0] = inner;
        f->u.filter.conds = op->u.join.conds;
        f->u.filter.n_conds = op->u.join.n_conds;
        if (lop_resolve(p->a, f, false))
            return nomem(p);
        inner = f;
    }
    ApplyRef *refs;
    uint32_t n_refs;
    int rc = apply_find_refs(p->a, inner, lo->out, lo->n_out, &refs, &n_refs, p->err);
    if (rc)
        return rc;
    /* keys: the distinct outer columns referenced */
    BSet keys = {0};
    for (uint32_t r = 0; r < n_refs; r++)
        if (bset_add(p, &keys, lo->out[refs[r].outer_col]))
            return p->err->kind;
    for (uint32_t r = 0; r < n_refs; r++)
        for (uint32_t k = 0; k < keys.n; k++)
            if (binding_eq(keys.b[k], lo->out[refs[r].outer_col])) {
                refs[r].outer_col = k;
                break;
            }
    BSet need = {0};
    for (uint32_t i = 0; i < n_req; i++)
        if (bset_has(lo->out, lo->n_out, req[i]) && bset_add(p, &need, req[i]))
            return p->err->kind;
    for (uint32_t k = 0; k < keys.n; k++)
        if (bset_add(p, &need, keys.b[k]))
            return p->err->kind;
    PhysOp *c;
    Bind cb;
    if ((rc = plan_op(p, lo, need.b, need.n, &c, &cb)))
        return rc;
    uint32_t *key_pos = arena_alloc(p->a, (keys.n ? keys.n : 1) * sizeof(uint32_t));
    if (!key_pos)
        return nomem(p);
    for (uint32_t k = 0; k < keys.n; k++) {
        key_pos[k] = UINT32_MAX;
        for (uint32_t i = 0; i < cb.n; i++)
            if (binding_eq(cb.b[i], keys.b[k]))
                key_pos[k] = i;
        if (key_pos[k] == UINT32_MAX)
            return ERR_INTERNAL(p->err, "dependent join key not produced by its outer side");
    }
    bool join = op->u.join.apply == APPLY_JOIN;
    uint32_t n_out = cb.n + (join ? inner->n_out : 1);
    LogicalType *types = arena_alloc(p->a, (n_out ? n_out : 1) * sizeof(LogicalType));
    ColBinding *bs = arena_alloc(p->a, (n_out ? n_out : 1) * sizeof(ColBinding));
    if (!types || !bs)
        return nomem(p);
    for (uint32_t i = 0; i < cb.n; i++) {
        types[i] = c->out_types[i];
        bs[i] = cb.b[i];
    }
    if (join) {
        for (uint32_t i = 0; i < inner->n_out; i++) {
            types[cb.n + i] = inner->out_types[i];
            bs[cb.n + i] = inner->out[i];
        }
    } else {
        types[cb.n] = op->u.join.mark_type;
        bs[cb.n] = (ColBinding){op->u.join.mark_index, 0};
    }
    PhysOp *ap = op_apply_new(p->a, c, inner, op->u.join.apply, op->u.join.kind == JOIN_LEFT, key_pos, keys.n, refs,
                              n_refs, types, n_out, p->settings, p->err);
    if (!ap)
        return p->err->kind;
    ap->est_rows = op->est_rows;
    *out = ap;
    ob->b = bs;
    ob->n = n_out;
    return 0;
}

/* ---- dispatcher ------------------------------------------------------------------------------------------------ */

/* Window functions: the child produces what the parent needs plus every
 * column the window expressions use; output = those columns + one per call. */
static int plan_window(PCtx *p, LogicalOp *op, const ColBinding *req, uint32_t n_req, PhysOp **out, Bind *ob)
{
    LogicalOp *child = op->children[0];
    BSet need = {0};
    for (uint32_t i = 0; i < n_req; i++)
        if (bset_has(child->out, child->n_out, req[i]) && bset_add(p, &need, req[i]))
            return p->err->kind;
    for (uint32_t i = 0; i < op->u.win.n_part; i++)
        if (bset_add_refs(p, &need, op->u.win.part[i]))
            return p->err->kind;
    for (uint32_t i = 0; i < op->u.win.n_order; i++)
        if (bset_add_refs(p, &need, op->u.win.order[i].expr))
            return p->err->kind;
    for (uint32_t k = 0; k < op->u.win.n_calls; k++) {
        const WinCall *c = &op->u.win.calls[k];
        for (uint32_t a = 0; a < c->agg.n_args; a++)
            if (bset_add_refs(p, &need, c->agg.args[a]))
                return p->err->kind;
        if (bset_add_refs(p, &need, c->agg.filter) || bset_add_refs(p, &need, c->rkey) ||
            bset_add_refs(p, &need, c->rstart) || bset_add_refs(p, &need, c->rend))
            return p->err->kind;
    }
    PhysOp *c;
    Bind cb;
    int rc;
    if ((rc = plan_op(p, child, need.b, need.n, &c, &cb)))
        return rc;
    uint32_t np = op->u.win.n_part, no = op->u.win.n_order, nc = op->u.win.n_calls;
    Expr **part = arena_alloc(p->a, (np ? np : 1) * sizeof(Expr *));
    SortItem *order = arena_alloc(p->a, (no ? no : 1) * sizeof(SortItem));
    WinCall *calls = arena_alloc(p->a, (nc ? nc : 1) * sizeof(WinCall));
    ColBinding *bs = arena_alloc(p->a, (cb.n + nc) * sizeof(ColBinding));
    if (!part || !order || !calls || !bs)
        return nomem(p);
    for (uint32_t i = 0; i < np; i++)
        if ((rc = resolve(p, op->u.win.part[i], &cb, &part[i])))
            return rc;
    for (uint32_t i = 0; i < no; i++) {
        order[i] = op->u.win.order[i];
        if ((rc = resolve(p, op->u.win.order[i].expr, &cb, &order[i].expr)))
            return rc;
    }
    for (uint32_t k = 0; k < nc; k++) {
        const WinCall *src = &op->u.win.calls[k];
        WinCall *w = &calls[k];
        *w = *src;
        w->agg.args = arena_alloc(p->a, (src->agg.n_args ? src->agg.n_args : 1) * sizeof(Expr *));
        if (!w->agg.args)
            return nomem(p);
        for (uint32_t a = 0; a < src->agg.n_args; a++)
            if ((rc = resolve(p, src->agg.args[a], &cb, &w->agg.args[a])))
                return rc;
        if ((src->agg.filter && (rc = resolve(p, src->agg.filter, &cb, &w->agg.filter))) ||
            (src->rkey && (rc = resolve(p, src->rkey, &cb, &w->rkey))) ||
            (src->rstart && (rc = resolve(p, src->rstart, &cb, &w->rstart))) ||
            (src->rend && (rc = resolve(p, src->rend, &cb, &w->rend))))
            return rc;
    }
    PhysOp *wo = op_window_new(p->a, c, part, np, order, no, calls, nc, p->err);
    if (!wo)
        return p->err->kind;
    wo->est_rows = op->est_rows;
    memcpy(bs, cb.b, cb.n * sizeof(ColBinding));
    for (uint32_t k = 0; k < nc; k++)
        bs[cb.n + k] = (ColBinding){calls[k].table_index, 0};
    *out = wo;
    ob->b = bs;
    ob->n = cb.n + nc;
    return 0;
}

/* Set-returning functions: the child produces what the parent needs plus
 * the calls' arguments; output = those columns + one per call. */
static int plan_project_set(PCtx *p, LogicalOp *op, const ColBinding *req, uint32_t n_req, PhysOp **out, Bind *ob)
{
    LogicalOp *child = op->children[0];
    uint32_t nc = op->u.pset.n_calls;
    BSet need = {0};
    for (uint32_t i = 0; i < n_req; i++)
        if (bset_has(child->out, child->n_out, req[i]) && bset_add(p, &need, req[i]))
            return p->err->kind;
    for (uint32_t k = 0; k < nc; k++)
        if (bset_add_refs(p, &need, op->u.pset.calls[k]))
            return p->err->kind;
    PhysOp *c;
    Bind cb;
    int rc;
    if ((rc = plan_op(p, child, need.b, need.n, &c, &cb)))
        return rc;
    Expr **calls = arena_alloc(p->a, (nc ? nc : 1) * sizeof(Expr *));
    ColBinding *bs = arena_alloc(p->a, (cb.n + nc) * sizeof(ColBinding));
    if (!calls || !bs)
        return nomem(p);
    for (uint32_t k = 0; k < nc; k++)
        if ((rc = resolve(p, op->u.pset.calls[k], &cb, &calls[k])))
            return rc;
    PhysOp *po = op_project_set_new(p->a, c, calls, nc, p->err);
    if (!po)
        return p->err->kind;
    po->est_rows = op->est_rows;
    memcpy(bs, cb.b, cb.n * sizeof(ColBinding));
    for (uint32_t k = 0; k < nc; k++)
        bs[cb.n + k] = (ColBinding){op->u.pset.table_index[k], 0};
    *out = po;
    ob->b = bs;
    ob->n = cb.n + nc;
    return 0;
}

static int plan_op_kind(PCtx *p, LogicalOp *op, const ColBinding *req, uint32_t n_req, PhysOp **out, Bind *ob);

/* Plans op; the top physical operator carries the optimizer's estimate for
 * EXPLAIN (a scan: the rows after its pushed-down filters), at least 1 row
 * unless the estimate is exactly 0, as in PostgreSQL. */
static int plan_op(PCtx *p, LogicalOp *op, const ColBinding *req, uint32_t n_req, PhysOp **out, Bind *ob)
{
    int rc = plan_op_kind(p, op, req, n_req, out, ob);
    if (rc || !*out)
        return rc;
    double e = op->kind == LOP_GET && op->u.get.est_filtered > 0 ? op->u.get.est_filtered : op->est_rows;
    if (e >= 0)
        (*out)->est_rows = e > 0 && e < 1 ? 1 : e;
    return 0;
}

static int plan_op_kind(PCtx *p, LogicalOp *op, const ColBinding *req, uint32_t n_req, PhysOp **out, Bind *ob)
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
        if (op->u.agg.n_sets)
            op_hash_agg_set_grouping_sets(ao, op->u.agg.set_masks, op->u.agg.n_sets);
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
    case LOP_WINDOW:
        return plan_window(p, op, req, n_req, out, ob);
    case LOP_PROJECT_SET:
        return plan_project_set(p, op, req, n_req, out, ob);
    case LOP_APPLY:
        return plan_apply(p, op, req, n_req, out, ob);
    case LOP_CTE_SCAN:
        return plan_cte_scan(p, op, out, ob);
    case LOP_RECURSIVE:
    case LOP_WORKTABLE: {
        /* op_recursive.c plans the terms itself, once per iteration */
        PhysOp *r = op->kind == LOP_RECURSIVE ? op_recursive_new(p->a, op, p->settings, p->err)
                                              : op_worktable_new(p->a, op, p->err);
        if (!r)
            return p->err->kind;
        *out = r;
        ob->b = op->out;
        ob->n = op->n_out;
        return 0;
    }
    }
    return ERR_INTERNAL(p->err, "unknown logical operator");
}

int physical_plan(Arena *a, LogicalOp *root, const SqlSettings *settings, PhysPlan *out, TarnError *err)
{
    PCtx p = {.a = a, .settings = settings, .err = err};
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
