/*
 * op_apply.c - the dependent join (LOP_APPLY): LATERAL subqueries and
 * table functions, and correlated subqueries the optimizer could not turn
 * into plain joins.
 *
 * The inner side refers to columns of the outer side (the *keys*).  The
 * operator is a breaker: it collects the outer rows, finds the distinct
 * key combinations (hash set, NULLs equal), and evaluates the inner plan
 * once per distinct combination - not once per row: the key columns'
 * references in the inner logical plan are turned into constants of that
 * combination, the inner plan is planned physically and run as a plan of
 * its own (exec_run_logical), then the references are restored.  Because
 * they are constants, scans in the inner plan get them as skipping
 * predicates.  The output is built per outer row from the per-key results
 * (ApplyMode in plan.h): the inner rows (INNER / LEFT, a NULL row for LEFT
 * when there are none), or one value (scalar, EXISTS, ANY / ALL).  Each
 * evaluation checks cancellation.
 *
 * Runtime re-planning per key costs some microseconds, so this is the
 * general fallback; the optimizer turns the common shapes into joins
 * first (optimizer.c), and point-in-time lookups into an as-of join.
 */
#include <string.h>

#include "sql/exec/ops.h"
#include "sql/func/cast.h"

/* ---- running a logical plan as a plan of its own ------------------------------------------ */

int exec_run_logical(LogicalOp *plan, const SqlSettings *settings, ExecCtx *x, int64_t max_rows,
                     int (*fn)(void *arg, const Chunk *in, TarnError *err), void *arg, TarnError *err)
{
    Arena pa;
    arena_init(&pa, 0);
    PhysPlan pp;
    memset(&pp, 0, sizeof pp);
    PhysOp *res = NULL;
    Value *saved_params = x->params;
    uint32_t saved_n = x->n_params;
    Arena *saved_arena = x->arena;
    int rc;
    if (x->cancel && atomic_load(x->cancel)) {
        rc = err_set_state(err, TARN_ERR_CANCELED, "57014", "canceling statement due to user request");
        goto done;
    }
    if ((rc = physical_plan(&pa, plan, settings, &pp, err)))
        goto done;
    if (!(res = op_result_new(&pa, pp.root, max_rows, err))) {
        rc = err->kind;
        goto done;
    }
    /* the plan's init plans get their own parameter slots; nothing else
     * runs while this plan does */
    x->params = arena_calloc(&pa, (pp.n_inits ? pp.n_inits : 1) * sizeof(Value));
    x->n_params = pp.n_inits;
    x->arena = &pa;
    if (!x->params) {
        rc = ERR_NOMEM(err, 0);
        goto done;
    }
    if ((rc = exec_run(res, pp.inits, pp.n_inits, x, err)))
        goto done;
    Collection *got = op_result_rows(res);
    uint32_t nc = got ? got->n_cols : 0;
    Vector **ptrs = arena_alloc(&pa, (nc ? nc : 1) * sizeof(Vector *));
    if (!ptrs) {
        rc = ERR_NOMEM(err, 0);
        goto done;
    }
    for (uint32_t ci = 0; got && ci < got->n_chunks; ci++) {
        CollChunk *k = &got->chunks[ci];
        if (!k->n_rows)
            continue;
        for (uint32_t c = 0; c < nc; c++)
            ptrs[c] = &k->cols[c];
        Chunk in = {k->n_rows, nc, ptrs};
        if ((rc = fn(arg, &in, err)))
            goto done;
    }
done:
    x->params = saved_params;
    x->n_params = saved_n;
    x->arena = saved_arena;
    if (res)
        physop_destroy_tree(res);
    else if (pp.root)
        physop_destroy_tree(pp.root);
    for (uint32_t i = 0; i < pp.n_inits; i++)
        physop_destroy_tree(pp.inits[i].root);
    arena_free(&pa);
    return rc;
}

/* ---- references to the outer side ------------------------------------------------------------ */

typedef struct RefVec {
    ApplyRef *v;
    uint32_t n, cap;
    Arena *a;
    const ColBinding *outer;
    uint32_t n_outer;
    int failed;
} RefVec;

static void refs_expr(RefVec *rv, Expr *e);
static void refs_plan(RefVec *rv, LogicalOp *op);

static void refs_expr(RefVec *rv, Expr *e)
{
    if (!e || rv->failed)
        return;
    if (e->kind == EX_COLREF) {
        for (uint32_t k = 0; k < rv->n_outer; k++)
            if (binding_eq(rv->outer[k], e->u.col.b)) {
                if (rv->n == rv->cap) {
                    uint32_t nc = rv->cap ? rv->cap * 2 : 16;
                    ApplyRef *nv = arena_alloc(rv->a, nc * sizeof *nv);
                    if (!nv) {
                        rv->failed = 1;
                        return;
                    }
                    if (rv->n)
                        memcpy(nv, rv->v, rv->n * sizeof *nv);
                    rv->v = nv;
                    rv->cap = nc;
                }
                rv->v[rv->n].e = e;
                rv->v[rv->n].outer_col = k;
                rv->n++;
                return;
            }
        return;
    }
    if (e->kind == EX_SUBQUERY)
        refs_plan(rv, e->u.subq.plan);
    for (uint32_t i = 0; i < e->n_args; i++)
        refs_expr(rv, e->args[i]);
}

static void refs_exprs(RefVec *rv, Expr **v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        refs_expr(rv, v[i]);
}

static void refs_plan(RefVec *rv, LogicalOp *op)
{
    switch (op->kind) {
    case LOP_GET:
        refs_exprs(rv, op->u.get.filters, op->u.get.n_filters);
        if (op->u.get.source == SCAN_SERIES)
            refs_exprs(rv, op->u.get.series_args, 3);
        break;
    case LOP_FILTER: refs_exprs(rv, op->u.filter.conds, op->u.filter.n_conds); break;
    case LOP_PROJECT: refs_exprs(rv, op->u.project.exprs, op->u.project.n_exprs); break;
    case LOP_PROJECT_SET: refs_exprs(rv, op->u.pset.calls, op->u.pset.n_calls); break;
    case LOP_AGGREGATE:
        refs_exprs(rv, op->u.agg.groups, op->u.agg.n_groups);
        for (uint32_t j = 0; j < op->u.agg.n_aggs; j++) {
            refs_exprs(rv, op->u.agg.aggs[j].args, op->u.agg.aggs[j].n_args);
            refs_expr(rv, op->u.agg.aggs[j].filter);
        }
        break;
    case LOP_JOIN:
    case LOP_APPLY: refs_exprs(rv, op->u.join.conds, op->u.join.n_conds); break;
    case LOP_SORT:
        for (uint32_t i = 0; i < op->u.sort.n_items; i++)
            refs_expr(rv, op->u.sort.items[i].expr);
        break;
    case LOP_VALUES:
        for (uint32_t r = 0; r < op->u.values.n_rows; r++)
            refs_exprs(rv, op->u.values.rows[r], op->u.values.n_cols);
        break;
    default:
        break;
    }
    for (uint32_t i = 0; i < op->n_children; i++)
        refs_plan(rv, op->children[i]);
}

int apply_find_refs(Arena *a, LogicalOp *inner, const ColBinding *outer, uint32_t n_outer, ApplyRef **refs_out,
                    uint32_t *n_out, TarnError *err)
{
    RefVec rv = {NULL, 0, 0, a, outer, n_outer, 0};
    refs_plan(&rv, inner);
    if (rv.failed)
        return ERR_NOMEM(err, 0);
    *refs_out = rv.v;
    *n_out = rv.n;
    return 0;
}

/* ---- the operator -------------------------------------------------------------------------------- */

typedef struct Apply {
    PhysOp op;
    LogicalOp *inner;
    ApplyMode mode;
    bool left;                  /* APPLY_JOIN: LEFT */
    const SqlSettings *settings;
    uint32_t n_outer;           /* outer columns (input) */
    uint32_t n_keys;
    uint32_t *key_pos;          /* input column of key k */
    ApplyRef *refs;             /* references in the inner plan; outer_col indexes keys */
    uint32_t n_refs;
    uint32_t n_inner;           /* inner output columns (APPLY_JOIN) */
    Collection outer, out;
    bool ready, built;
    atomic_uint next_chunk;
    uint64_t n_distinct;
    /* per-key evaluation state */
    Collection inner_rows;      /* APPLY_JOIN: every key's rows, dense */
    uint32_t cur_count;         /* rows of the current key */
    Vector mark;                /* other modes: one value per key */
    bool any_true, any_false, any_null;
    ExecCtx *x;
} Apply;

static int sink_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x; (void)err;
    Apply *ap = (Apply *)op;
    coll_init(&ap->outer, ap->n_outer, op->children[0]->out_types);
    ap->ready = true;
    return 0;
}

static int sink_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    (void)x;
    Apply *ap = (Apply *)op;
    return (*local = coll_new(ap->n_outer, op->children[0]->out_types, err)) ? 0 : err->kind;
}

static int sink(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, bool *done, TarnError *err)
{
    (void)x; (void)op; (void)done;
    return coll_append(local, in, NULL, in->n_rows, err);
}

static int sink_combine(PhysOp *op, ExecCtx *x, void *local, TarnError *err)
{
    (void)x;
    return coll_move(&((Apply *)op)->outer, local, err);
}

static bool key_equal(const Apply *ap, const Vector *const *ca, uint32_t ia, const Vector *const *cb, uint32_t ib)
{
    for (uint32_t k = 0; k < ap->n_keys; k++)
        if (!vec_rows_not_distinct(ca[k], ia, cb[k], ib))
            return false;
    return true;
}

/* Receives the inner rows of the current key. */
static int on_inner(void *arg, const Chunk *in, TarnError *err)
{
    Apply *ap = arg;
    switch (ap->mode) {
    case APPLY_JOIN:
        ap->cur_count += in->n_rows;
        return coll_append(&ap->inner_rows, in, NULL, in->n_rows, err);
    case APPLY_SCALAR:
        if (ap->cur_count + in->n_rows > 1)
            return err_set_state(err, TARN_ERR_INVALID, "21000", "more than one row returned by a subquery used as an expression");
        ap->cur_count += in->n_rows;
        return vec_append_from(&ap->mark, in->cols[0], 0) ? ERR_NOMEM(err, 0) : 0;
    case APPLY_EXISTS:
        ap->cur_count += in->n_rows;
        return 0;
    case APPLY_ANY:
    case APPLY_ALL: {
        const Vector *v = in->cols[0];
        for (uint32_t i = 0; i < in->n_rows; i++) {
            if (!vec_is_valid(v, i))
                ap->any_null = true;
            else if (((const bool *)v->data)[i])
                ap->any_true = true;
            else
                ap->any_false = true;
        }
        ap->cur_count += in->n_rows;
        return 0;
    }
    }
    return 0;
}

/* Evaluates the inner plan with the keys of outer row (chunk ci, row i). */
static int eval_key(Apply *ap, ExecCtx *x, uint32_t ci, uint32_t i, uint32_t *start, uint32_t *count, TarnError *err)
{
    const CollChunk *k = &ap->outer.chunks[ci];
    for (uint32_t r = 0; r < ap->n_refs; r++) {
        Expr *e = ap->refs[r].e;
        Value v;
        vector_get_value(&k->cols[ap->key_pos[ap->refs[r].outer_col]], i, &v);
        e->kind = EX_CONST;
        e->u.cnst = v;
        e->unknown = false;
    }
    ap->cur_count = 0;
    ap->any_true = ap->any_false = ap->any_null = false;
    *start = (uint32_t)ap->inner_rows.n_rows;
    int64_t max_rows = ap->mode == APPLY_EXISTS ? 1 : ap->mode == APPLY_SCALAR ? 2 : -1;
    int rc = exec_run_logical(ap->inner, ap->settings, x, max_rows, on_inner, ap, err);
    for (uint32_t r = 0; r < ap->n_refs; r++)
        *ap->refs[r].e = ap->refs[r].saved;
    if (rc)
        return rc;
    *count = ap->cur_count;
    int bad = 0;
    switch (ap->mode) {
    case APPLY_JOIN: break;
    case APPLY_SCALAR:
        if (ap->cur_count == 0)
            bad = vec_append_null(&ap->mark);
        break;
    case APPLY_EXISTS: bad = vec_append_bool(&ap->mark, ap->cur_count > 0); break;
    case APPLY_ANY:
        bad = ap->any_true ? vec_append_bool(&ap->mark, true) : ap->any_null ? vec_append_null(&ap->mark)
                                                                            : vec_append_bool(&ap->mark, false);
        break;
    case APPLY_ALL:
        bad = ap->any_false ? vec_append_bool(&ap->mark, false) : ap->any_null ? vec_append_null(&ap->mark)
                                                                             : vec_append_bool(&ap->mark, true);
        break;
    }
    return bad ? ERR_NOMEM(err, 0) : 0;
}

typedef struct Out {
    Vector *vecs;
    Vector **ptrs;
    uint32_t *po, *pr;          /* pairs: outer row, inner row id (UINT32_MAX: NULL row) */
    uint32_t n;
} Out;

static int flush_pairs(Apply *ap, const CollChunk *k, Out *o, TarnError *err)
{
    if (!o->n)
        return 0;
    uint32_t no = ap->n_outer;
    for (uint32_t c = 0; c < no; c++)
        if (vec_gather(&o->vecs[c], &k->cols[c], o->po, o->n))
            return ERR_NOMEM(err, 0);
    bool have = ap->inner_rows.n_rows > 0;
    uint32_t *rows = o->pr;
    for (uint32_t c = 0; c < ap->n_inner; c++) {
        Vector *v = &o->vecs[no + c];
        if (have) {
            for (uint32_t t = 0; t < o->n; t++)
                if (rows[t] == UINT32_MAX)
                    rows[t] = UINT32_MAX - 1; /* marked below */
            uint32_t *tmp = o->pr + COLL_CHUNK_ROWS;
            for (uint32_t t = 0; t < o->n; t++)
                tmp[t] = rows[t] >= UINT32_MAX - 1 ? 0 : rows[t];
            if (coll_gather(&ap->inner_rows, c, tmp, o->n, v))
                return ERR_NOMEM(err, 0);
        } else if (vec_prepare(v, o->n)) {
            return ERR_NOMEM(err, 0);
        }
        for (uint32_t t = 0; t < o->n; t++)
            if ((!have || rows[t] >= UINT32_MAX - 1) && vec_set_null(v, t))
                return ERR_NOMEM(err, 0);
    }
    Chunk ch = {o->n, no + ap->n_inner, o->ptrs};
    int rc = coll_append(&ap->out, &ch, NULL, o->n, err);
    o->n = 0;
    return rc;
}

static int sink_finalize(PhysOp *op, ExecCtx *x, TarnError *err)
{
    Apply *ap = (Apply *)op;
    ap->x = x;
    Collection *oc = &ap->outer;
    uint32_t nch = oc->n_chunks;
    int rc = 0;
    uint32_t *row_key = NULL, *slots = NULL, *rep_chunk = NULL, *rep_row = NULL, *kstart = NULL, *kcount = NULL;
    uint64_t *h = NULL;
    Out o;
    memset(&o, 0, sizeof o);
    coll_init(&ap->out, op->n_out, op->out_types);
    coll_init(&ap->inner_rows, ap->n_inner, op->out_types + ap->n_outer);
    if (ap->mode != APPLY_JOIN && vec_init(&ap->mark, &op->out_types[ap->n_outer])) 
        return ERR_NOMEM(err, 0);
    ap->built = true;
    /* distinct key combinations */
    uint64_t n_rows = 0;
    for (uint32_t ci = 0; ci < nch; ci++)
        n_rows += oc->chunks[ci].n_rows;
    uint64_t n_slots = 1024;
    while (n_slots < n_rows * 2)
        n_slots *= 2;
    row_key = tarn_malloc(((size_t)nch * COLL_CHUNK_ROWS + 1) * sizeof(uint32_t));
    slots = tarn_calloc(n_slots, sizeof(uint32_t));
    rep_chunk = tarn_malloc((n_rows + 1) * sizeof(uint32_t));
    rep_row = tarn_malloc((n_rows + 1) * sizeof(uint32_t));
    h = tarn_malloc(COLL_CHUNK_ROWS * sizeof(uint64_t));
    if (!row_key || !slots || !rep_chunk || !rep_row || !h) {
        rc = ERR_NOMEM(err, 0);
        goto done;
    }
    uint32_t n_keys = 0;
    const Vector *kv[64], *rv[64];
    for (uint32_t ci = 0; ci < nch; ci++) {
        const CollChunk *k = &oc->chunks[ci];
        if (ap->n_keys == 0) {
            for (uint32_t i = 0; i < k->n_rows; i++)
                row_key[(size_t)ci * COLL_CHUNK_ROWS + i] = 0;
            if (k->n_rows && n_keys == 0) {
                rep_chunk[0] = ci;
                rep_row[0] = 0;
                n_keys = 1;
            }
            continue;
        }
        for (uint32_t kk = 0; kk < ap->n_keys; kk++) {
            kv[kk] = &k->cols[ap->key_pos[kk]];
            vec_hash(kv[kk], k->n_rows, h, kk == 0);
        }
        for (uint32_t i = 0; i < k->n_rows; i++) {
            uint64_t s = h[i] & (n_slots - 1);
            uint32_t id = UINT32_MAX;
            while (slots[s]) {
                uint32_t cand = slots[s] - 1;
                const CollChunk *rk = &oc->chunks[rep_chunk[cand]];
                for (uint32_t kk = 0; kk < ap->n_keys; kk++)
                    rv[kk] = &rk->cols[ap->key_pos[kk]];
                if (key_equal(ap, kv, i, rv, rep_row[cand])) {
                    id = cand;
                    break;
                }
                s = (s + 1) & (n_slots - 1);
            }
            if (id == UINT32_MAX) {
                id = n_keys++;
                slots[s] = id + 1;
                rep_chunk[id] = ci;
                rep_row[id] = i;
            }
            row_key[(size_t)ci * COLL_CHUNK_ROWS + i] = id;
        }
    }
    ap->n_distinct = n_keys;
    /* the inner plan once per key combination */
    kstart = tarn_malloc((n_keys + 1) * sizeof(uint32_t));
    kcount = tarn_malloc((n_keys + 1) * sizeof(uint32_t));
    if (!kstart || !kcount) {
        rc = ERR_NOMEM(err, 0);
        goto done;
    }
    for (uint32_t id = 0; id < n_keys; id++)
        if ((rc = eval_key(ap, x, rep_chunk[id], rep_row[id], &kstart[id], &kcount[id], err)))
            goto done;
    /* the output, in the outer rows' order */
    o.vecs = tarn_calloc(op->n_out ? op->n_out : 1, sizeof(Vector));
    o.ptrs = tarn_calloc(op->n_out ? op->n_out : 1, sizeof(Vector *));
    o.po = tarn_malloc(COLL_CHUNK_ROWS * sizeof(uint32_t));
    o.pr = tarn_malloc(2 * COLL_CHUNK_ROWS * sizeof(uint32_t));
    if (!o.vecs || !o.ptrs || !o.po || !o.pr) {
        rc = ERR_NOMEM(err, 0);
        goto done;
    }
    for (uint32_t c = 0; c < op->n_out; c++) {
        if (vec_init(&o.vecs[c], &op->out_types[c])) {
            rc = ERR_NOMEM(err, 0);
            goto done;
        }
        o.ptrs[c] = &o.vecs[c];
    }
    for (uint32_t ci = 0; ci < nch; ci++) {
        const CollChunk *k = &oc->chunks[ci];
        if (!k->n_rows)
            continue;
        const uint32_t *keys = row_key + (size_t)ci * COLL_CHUNK_ROWS;
        if (ap->mode != APPLY_JOIN) {
            Vector *ptrs[256];
            if (ap->n_outer + 1 > 256) {
                rc = err_set_state(err, TARN_ERR_UNSUPPORTED, "54000", "too many columns");
                goto done;
            }
            for (uint32_t c = 0; c < ap->n_outer; c++)
                ptrs[c] = &k->cols[c];
            if (vec_gather(&o.vecs[ap->n_outer], &ap->mark, keys, k->n_rows)) {
                rc = ERR_NOMEM(err, 0);
                goto done;
            }
            ptrs[ap->n_outer] = &o.vecs[ap->n_outer];
            Chunk ch = {k->n_rows, ap->n_outer + 1, ptrs};
            if ((rc = coll_append(&ap->out, &ch, NULL, k->n_rows, err)))
                goto done;
            continue;
        }
        for (uint32_t i = 0; i < k->n_rows; i++) {
            uint32_t id = keys[i];
            uint32_t cnt = kcount[id];
            if (cnt == 0 && ap->left) {
                o.po[o.n] = i;
                o.pr[o.n++] = UINT32_MAX;
                if (o.n == COLL_CHUNK_ROWS && (rc = flush_pairs(ap, k, &o, err)))
                    goto done;
                continue;
            }
            for (uint32_t r = 0; r < cnt; r++) {
                o.po[o.n] = i;
                o.pr[o.n++] = kstart[id] + r;
                if (o.n == COLL_CHUNK_ROWS && (rc = flush_pairs(ap, k, &o, err)))
                    goto done;
            }
        }
        if ((rc = flush_pairs(ap, k, &o, err)))
            goto done;
    }
done:
    if (o.vecs)
        for (uint32_t c = 0; c < op->n_out; c++)
            vec_destroy(&o.vecs[c]);
    tarn_free(o.vecs);
    tarn_free(o.ptrs);
    tarn_free(o.po);
    tarn_free(o.pr);
    tarn_free(row_key);
    tarn_free(slots);
    tarn_free(rep_chunk);
    tarn_free(rep_row);
    tarn_free(h);
    tarn_free(kstart);
    tarn_free(kcount);
    coll_free(&ap->inner_rows);
    coll_free(oc);
    atomic_init(&ap->next_chunk, 0);
    return rc;
}

static int src_next(PhysOp *op, ExecCtx *x, void *local, Chunk *out, TarnError *err)
{
    (void)x; (void)err;
    Apply *ap = (Apply *)op;
    coll_emit_next(ap->built ? &ap->out : NULL, op->n_out, &ap->next_chunk, local, out);
    return 0;
}

static uint32_t src_parallelism(PhysOp *op)
{
    Apply *ap = (Apply *)op;
    return ap->built && ap->out.n_chunks ? ap->out.n_chunks : 1;
}

static void destroy(PhysOp *op)
{
    Apply *ap = (Apply *)op;
    if (ap->ready)
        coll_free(&ap->outer);
    if (ap->built) {
        coll_free(&ap->out);
        coll_free(&ap->inner_rows);
        if (ap->mode != APPLY_JOIN)
            vec_destroy(&ap->mark);
    }
    ap->ready = ap->built = false;
}

static void explain(PhysOp *op, Buf *out)
{
    Apply *ap = (Apply *)op;
    static const char *const modes[] = {"join", "scalar", "exists", "any", "all"};
    buf_printf(out, " (%s%s, %u key%s", modes[ap->mode], ap->mode == APPLY_JOIN ? (ap->left ? " left" : " inner") : "",
               ap->n_keys, ap->n_keys == 1 ? "" : "s");
    if (ap->built)
        buf_printf(out, ", %llu evaluations", (unsigned long long)ap->n_distinct);
    buf_printf(out, ")");
}

static const PhysOpVT vt = {
    .name = "Dependent Join",
    .src_parallelism = src_parallelism,
    .src_local_init = op_ptrs_local_init,
    .src_next = src_next,
    .src_local_free = op_local_free,
    .sink_init = sink_init,
    .sink_local_init = sink_local_init,
    .sink = sink,
    .sink_combine = sink_combine,
    .sink_finalize = sink_finalize,
    .sink_local_free = op_coll_local_free,
    .destroy = destroy,
    .explain = explain,
};

PhysOp *op_apply_new(Arena *a, PhysOp *outer, LogicalOp *inner, ApplyMode mode, bool left, const uint32_t *key_pos,
                     uint32_t n_keys, ApplyRef *refs, uint32_t n_refs, const LogicalType *out_types, uint32_t n_out,
                     const SqlSettings *settings, TarnError *err)
{
    Apply *ap = arena_calloc(a, sizeof *ap);
    if (!ap) {
        ERR_NOMEM(err, sizeof *ap);
        return NULL;
    }
    if (n_keys > 64) {
        err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "a dependent join on more than 64 outer columns is not supported");
        return NULL;
    }
    ap->inner = inner;
    ap->mode = mode;
    ap->left = left;
    ap->settings = settings;
    ap->n_outer = outer->n_out;
    ap->n_keys = n_keys;
    ap->key_pos = (uint32_t *)key_pos;
    ap->refs = refs;
    ap->n_refs = n_refs;
    for (uint32_t r = 0; r < n_refs; r++)
        refs[r].saved = *refs[r].e;
    ap->n_inner = mode == APPLY_JOIN ? n_out - outer->n_out : 0;
    physop_init(&ap->op, &vt, ROLE_BREAKER, n_out, out_types);
    ap->op.n_children = 1;
    ap->op.children[0] = outer;
    ap->op.est_rows = outer->est_rows;
    return &ap->op;
}
