/*
 * op_window.c - window functions over one (PARTITION BY, ORDER BY).
 *
 * Sink: each thread appends its rows plus the evaluated partition keys,
 * order keys and RANGE bound values (WinCall.rkey/rstart/rend) to its own
 * collection; combine moves them into one.
 *
 * Finalize: sorts the row ids by (partition keys, order keys) so
 * partitions and peer groups are contiguous (runs sorted in parallel on
 * the pool, then merged), then one linear pass
 * records per sorted row its partition [ps, pe), its peer group [gs, ge)
 * and a global peer group number (rank, dense_rank, GROUPS frames).  Each
 * aggregate call gets a segment tree of aggregate states: leaves are one
 * row each (update with the row's arguments, FILTER applied), inner nodes
 * combine their two children; slices of leaves and the subtrees over them
 * are built by pool tasks, each with its own evaluators and state arena,
 * the few top levels by the finalizing thread.  Any frame - ROWS / RANGE / GROUPS, with
 * offsets and EXCLUDE - is at most three ranges of sorted rows, and a range
 * is O(log n) tree nodes, so every frame costs O(log n) combines: sliding
 * frames never go quadratic, and a running frame (UNBOUNDED PRECEDING)
 * costs the same.
 *
 * Source (parallel: morsels of 2048 sorted rows from an atomic cursor):
 * gathers the rows, computes every call for them - the aggregates by
 * combining, per round, the k-th tree node of each row's frame into a
 * per-row state (one combine call per round for the whole batch, then one
 * finalize), ranking functions from the per-row arrays, lag / lead /
 * first_value / last_value / nth_value by gathering the target rows and
 * evaluating the value expression on them - and emits child columns + one
 * column per call.  Nothing is allocated per row.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sql/exec/agg_eval.h"

#define WIN_MAX_NODES 200       /* tree nodes of one frame: 3 ranges x 2 x 32 levels */

typedef struct WinTree {
    uint32_t ss;                /* state bytes (16-aligned) */
    uint32_t leaves;            /* P: power of two >= rows */
    uint8_t *nodes;             /* 2P states, node k at k * ss */
} WinTree;

typedef struct Window {
    PhysOp op;
    uint32_t n_child;
    Expr **part;
    uint32_t n_part;
    const SortItem *order;
    uint32_t n_order;
    const WinCall *calls;
    uint32_t n_calls;
    uint32_t n_coll;            /* collection columns: child, part keys, order keys, RANGE triples */
    uint32_t *rng_col;          /* per call: collection column of rkey (rstart, rend follow), or UINT32_MAX */
    Expr **coll_exprs;          /* the evaluated columns after the child's (n_coll - n_child) */
    LogicalType *coll_types;
    AggCall *aggs;              /* the WIN_AGG calls' aggregates */
    uint32_t n_aggs;
    uint32_t *agg_of;           /* per call: index in aggs (WIN_AGG) */
    /* global state */
    Collection rows;
    bool ready;
    uint32_t n;                 /* rows */
    uint32_t *ids;              /* sorted row ids */
    uint32_t *ps, *pe, *gs, *ge, *grp; /* per sorted row */
    uint32_t *gfirst;           /* first sorted row of each global peer group (+ sentinel n) */
    WinTree *trees;             /* per aggregate */
    Arena arena;                /* tree states */
    Arena *slice_arenas;        /* memory of the states built by each slice task */
    uint32_t n_slices;
    AggEval ae;                 /* contexts for the trees */
    bool ae_ok;
    _Atomic uint64_t next;      /* source cursor */
} Window;

/* ---- value comparison --------------------------------------------------------------------------- */

static int cmp_i128(int128_t a, int128_t b) { return (a > b) - (a < b); }

static int cmp_double(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) ? (isnan(b) ? 0 : 1) : -1;
    return (a > b) - (a < b);
}

/* Compares two valid values of one type. */
static int cmp_val(const Vector *va, uint32_t a, const Vector *vb, uint32_t b)
{
    const LogicalType *t = va->type;
    switch (t->id) {
    case TYPE_BOOL: case TYPE_UINT8: return (va->data[a] > vb->data[b]) - (va->data[a] < vb->data[b]);
    case TYPE_INT8: return cmp_i128(((int8_t *)va->data)[a], ((int8_t *)vb->data)[b]);
    case TYPE_INT16: return cmp_i128(((int16_t *)va->data)[a], ((int16_t *)vb->data)[b]);
    case TYPE_UINT16: return cmp_i128(((uint16_t *)va->data)[a], ((uint16_t *)vb->data)[b]);
    case TYPE_INT32: case TYPE_DATE: return cmp_i128(((int32_t *)va->data)[a], ((int32_t *)vb->data)[b]);
    case TYPE_UINT32: return cmp_i128(((uint32_t *)va->data)[a], ((uint32_t *)vb->data)[b]);
    case TYPE_UINT64: return cmp_i128(((uint64_t *)va->data)[a], ((uint64_t *)vb->data)[b]);
    case TYPE_FLOAT: return cmp_double(((float *)va->data)[a], ((float *)vb->data)[b]);
    case TYPE_DOUBLE: return cmp_double(((double *)va->data)[a], ((double *)vb->data)[b]);
    case TYPE_DECIMAL:
        if (t->precision > 18)
            return cmp_i128(((int128_t *)va->data)[a], ((int128_t *)vb->data)[b]);
        return cmp_i128(((int64_t *)va->data)[a], ((int64_t *)vb->data)[b]);
    case TYPE_INTERVAL: {
        Interval x = ((Interval *)va->data)[a], y = ((Interval *)vb->data)[b];
        int128_t p = ((int128_t)x.months * 30 + x.days) * 86400000000LL + x.micros;
        int128_t q = ((int128_t)y.months * 30 + y.days) * 86400000000LL + y.micros;
        return cmp_i128(p, q);
    }
    case TYPE_UUID: return memcmp(va->data + 16 * (size_t)a, vb->data + 16 * (size_t)b, 16);
    case TYPE_STRING: case TYPE_BLOB: case TYPE_JSON: {
        const StrView *x = &((StrView *)va->data)[a], *y = &((StrView *)vb->data)[b];
        uint32_t m = x->len < y->len ? x->len : y->len;
        int d = m ? memcmp(x->ptr, y->ptr, m) : 0;
        return d ? (d > 0) - (d < 0) : (x->len > y->len) - (x->len < y->len);
    }
    default: return cmp_i128(((int64_t *)va->data)[a], ((int64_t *)vb->data)[b]);
    }
}

static inline const Vector *cell(const Window *w, uint32_t col, uint32_t id, uint32_t *off)
{
    *off = coll_off_of(id);
    return &w->rows.chunks[coll_chunk_of(id)].cols[col];
}

/* Compares rows (ids) on column col: NULLs equal each other; nulls_first
 * places them; desc inverts values. */
static int cmp_col(const Window *w, uint32_t col, uint32_t ra, uint32_t rb, bool desc, bool nulls_first)
{
    uint32_t oa, ob;
    const Vector *va = cell(w, col, ra, &oa), *vb = cell(w, col, rb, &ob);
    bool na = !vec_is_valid(va, oa), nb = !vec_is_valid(vb, ob);
    if (na || nb) {
        if (na && nb)
            return 0;
        return (na ? -1 : 1) * (nulls_first ? 1 : -1);
    }
    int c = cmp_val(va, oa, vb, ob);
    return desc ? -c : c;
}

static int cmp_rows(const void *a, const void *b, void *arg)
{
    const Window *w = arg;
    uint32_t ra = *(const uint32_t *)a, rb = *(const uint32_t *)b;
    for (uint32_t k = 0; k < w->n_part; k++) {
        int c = cmp_col(w, w->n_child + k, ra, rb, false, false);
        if (c)
            return c;
    }
    for (uint32_t k = 0; k < w->n_order; k++) {
        int c = cmp_col(w, w->n_child + w->n_part + k, ra, rb, w->order[k].desc, w->order[k].nulls_first);
        if (c)
            return c;
    }
    return (ra > rb) - (ra < rb);
}

static bool same_keys(const Window *w, uint32_t from, uint32_t n_keys, uint32_t ra, uint32_t rb)
{
    for (uint32_t k = 0; k < n_keys; k++)
        if (cmp_col(w, from + k, ra, rb, false, false))
            return false;
    return true;
}

/* Parallel sort: runs sorted on the pool, then merged pairwise (each
 * level's merges on the pool too). */
typedef struct SortJob {
    Window *w;
    uint32_t *a, *b;            /* data, scratch */
    uint32_t *bounds;           /* run i is [bounds[i], bounds[i + 1]) */
    uint32_t n_runs, width;     /* merge level: runs per side */
} SortJob;

static void sort_run(void *arg, uint32_t i)
{
    SortJob *j = arg;
    qsort_r(j->a + j->bounds[i], j->bounds[i + 1] - j->bounds[i], sizeof(uint32_t), cmp_rows, j->w);
}

static void merge_pair(void *arg, uint32_t i)
{
    SortJob *j = arg;
    uint32_t lo = i * 2 * j->width, mid = lo + j->width, hi = mid + j->width;
    if (mid > j->n_runs)
        mid = j->n_runs;
    if (hi > j->n_runs)
        hi = j->n_runs;
    uint32_t p = j->bounds[lo], pe = j->bounds[mid], q = j->bounds[mid], qe = j->bounds[hi], o = j->bounds[lo];
    while (p < pe && q < qe)
        j->b[o++] = cmp_rows(&j->a[q], &j->a[p], j->w) < 0 ? j->a[q++] : j->a[p++];
    while (p < pe)
        j->b[o++] = j->a[p++];
    while (q < qe)
        j->b[o++] = j->a[q++];
}

static int sort_ids(Window *w, TarnError *err)
{
    uint32_t n = w->n, T = pool_size();
    if (T > 16)
        T = 16;
    if (n < 65536 || T < 2) {
        qsort_r(w->ids, n, sizeof(uint32_t), cmp_rows, w);
        return 0;
    }
    uint32_t runs = T * 2;
    uint32_t *tmp = tarn_malloc((size_t)n * sizeof(uint32_t));
    uint32_t *bounds = tarn_malloc((runs + 1) * sizeof(uint32_t));
    if (!tmp || !bounds) {
        tarn_free(tmp);
        tarn_free(bounds);
        return ERR_NOMEM(err, (size_t)n * sizeof(uint32_t));
    }
    for (uint32_t i = 0; i <= runs; i++)
        bounds[i] = (uint32_t)((uint64_t)n * i / runs);
    SortJob j = {w, w->ids, tmp, bounds, runs, 1};
    pool_run(runs, sort_run, &j);
    for (j.width = 1; j.width < runs; j.width *= 2) {
        pool_run((runs + 2 * j.width - 1) / (2 * j.width), merge_pair, &j);
        uint32_t *t = j.a;
        j.a = j.b;
        j.b = t;
    }
    if (j.a != w->ids)
        memcpy(w->ids, j.a, (size_t)n * sizeof(uint32_t));
    tarn_free(tmp);
    tarn_free(bounds);
    return 0;
}

/* ---- sink ---------------------------------------------------------------------------------------- */

typedef struct SLocal {
    Collection c;
    ExprState **ex;
    Vector **cols;
} SLocal;

static int sink_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x; (void)err;
    Window *w = (Window *)op;
    coll_init(&w->rows, w->n_coll, w->coll_types);
    arena_init(&w->arena, 0);
    w->ready = true;
    return 0;
}

static void slocal_free(PhysOp *op, void *local)
{
    Window *w = (Window *)op;
    SLocal *l = local;
    coll_free(&l->c);
    if (l->ex)
        for (uint32_t k = w->n_child; k < w->n_coll; k++)
            expr_state_free(l->ex[k - w->n_child]);
    tarn_free(l->ex);
    tarn_free(l->cols);
    tarn_free(l);
}

static int sink_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    Window *w = (Window *)op;
    SLocal *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    coll_init(&l->c, w->n_coll, w->coll_types);
    l->ex = tarn_calloc(w->n_coll - w->n_child + 1, sizeof(ExprState *));
    l->cols = tarn_calloc(w->n_coll + 1, sizeof(Vector *));
    if (!l->ex || !l->cols) {
        slocal_free(op, l);
        return ERR_NOMEM(err, 0);
    }
    for (uint32_t k = 0; k < w->n_coll - w->n_child; k++)
        if (!(l->ex[k] = expr_state_new(w->coll_exprs[k], x->settings, x->params, err))) {
            slocal_free(op, l);
            return err->kind;
        }
    *local = l;
    return 0;
}

static int sink(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, bool *done, TarnError *err)
{
    (void)x; (void)done;
    Window *w = (Window *)op;
    SLocal *l = local;
    for (uint32_t c = 0; c < w->n_child; c++)
        l->cols[c] = in->cols[c];
    for (uint32_t k = 0; k < w->n_coll - w->n_child; k++) {
        Vector *v;
        int rc = expr_eval(l->ex[k], in, NULL, in->n_rows, &v, err);
        if (rc)
            return rc;
        l->cols[w->n_child + k] = v;
    }
    Chunk c = {in->n_rows, w->n_coll, l->cols};
    return coll_append(&l->c, &c, NULL, in->n_rows, err);
}

static int sink_combine(PhysOp *op, ExecCtx *x, void *local, TarnError *err)
{
    (void)x;
    return coll_move(&((Window *)op)->rows, &((SLocal *)local)->c, err);
}

/* ---- finalize: sort, partitions, peer groups, aggregate trees -------------------------------------- */

/* Gathers the child columns of sorted rows [from, from + m) into vecs. */
static int gather_rows(const Window *w, const uint32_t *ids, uint32_t m, Vector *vecs, TarnError *err)
{
    for (uint32_t c = 0; c < w->n_child; c++)
        if (coll_gather(&w->rows, c, ids, m, &vecs[c]))
            return ERR_NOMEM(err, m);
    return 0;
}

/* Combines the children of nodes [lo, hi) of every tree into them. */
static int combine_level(Window *w, AggEval *ae, uint32_t lo, uint32_t hi, uint8_t **ptr, uint8_t **ptr2,
                         TarnError *err)
{
    int rc = 0;
    for (uint32_t j = 0; j < w->n_aggs && !rc; j++) {
        WinTree *t = &w->trees[j];
        const FuncDef *d = w->aggs[j].def;
        FuncCtx *f = agg_eval_ctx(ae, j);
        for (uint32_t k = lo; k < hi && !rc; k += VEC_BATCH_ROWS) {
            uint32_t m = hi - k < VEC_BATCH_ROWS ? hi - k : VEC_BATCH_ROWS;
            for (uint32_t q = 0; q < m; q++) {
                ptr[q] = t->nodes + (size_t)(2 * (k + q)) * t->ss;
                ptr2[q] = t->nodes + (size_t)(k + q) * t->ss;
            }
            if ((rc = d->agg_combine(f, ptr, ptr2, 0, m, err)))
                break;
            for (uint32_t q = 0; q < m; q++)
                ptr[q] = t->nodes + (size_t)(2 * (k + q) + 1) * t->ss;
            rc = d->agg_combine(f, ptr, ptr2, 0, m, err);
        }
    }
    return rc;
}

/* One slice of the trees, built by one pool task: leaves [lo, hi) and the
 * subtrees over them, with its own evaluators and state arena. */
typedef struct TreeJob {
    Window *w;
    ExecCtx *x;
    uint32_t P, span;           /* leaves, leaves per slice */
    int *rc;                    /* per slice */
    TarnError *errs;            /* per slice */
} TreeJob;

static void build_slice(void *arg, uint32_t s)
{
    TreeJob *tj = arg;
    Window *w = tj->w;
    TarnError *err = &tj->errs[s];
    uint32_t P = tj->P, lo = s * tj->span, hi = lo + tj->span, n = w->n;
    uint32_t rend = hi < n ? hi : n;
    AggEval ae;
    int rc = agg_eval_init(&ae, w->aggs, w->n_aggs, tj->x, &w->slice_arenas[s], err);
    if (rc) {
        tj->rc[s] = rc;
        return;
    }
    Vector *vecs = tarn_calloc(w->n_child + 1, sizeof(Vector));
    Vector **vp = tarn_calloc(w->n_child + 1, sizeof(Vector *));
    uint8_t **ptr = tarn_malloc(VEC_BATCH_ROWS * sizeof(uint8_t *));
    uint8_t **ptr2 = tarn_malloc(VEC_BATCH_ROWS * sizeof(uint8_t *));
    if (!vecs || !vp || !ptr || !ptr2) {
        rc = ERR_NOMEM(err, 0);
        goto done;
    }
    for (uint32_t c = 0; c < w->n_child; c++) {
        vec_init(&vecs[c], &w->coll_types[c]);
        vp[c] = &vecs[c];
    }
    /* leaves: one row each, in sorted order */
    for (uint32_t i = lo; i < rend && !rc; i += VEC_BATCH_ROWS) {
        uint32_t m = rend - i < VEC_BATCH_ROWS ? rend - i : VEC_BATCH_ROWS;
        if ((rc = gather_rows(w, w->ids + i, m, vecs, err)))
            break;
        Chunk ch = {m, w->n_child, vp};
        for (uint32_t j = 0; j < w->n_aggs && !rc; j++) {
            WinTree *t = &w->trees[j];
            for (uint32_t q = 0; q < m; q++)
                ptr[q] = t->nodes + ((size_t)P + i + q) * t->ss;
            rc = agg_eval_update(&ae, j, &ch, ptr, NULL, 0, err);
        }
        if (!rc && tj->x->cancel && atomic_load(tj->x->cancel))
            rc = err_set_state(err, TARN_ERR_CANCELED, "57014", "canceling statement due to user request");
    }
    /* the levels inside the slice: nodes covering `width` leaves */
    for (uint32_t width = 2; width <= tj->span && !rc && lo < n; width <<= 1)
        rc = combine_level(w, &ae, (P + lo) / width, (P + (rend + width - 1) / width * width) / width, ptr, ptr2,
                           err);
done:
    if (vecs)
        for (uint32_t c = 0; c < w->n_child; c++)
            vec_destroy(&vecs[c]);
    tarn_free(vecs);
    tarn_free(vp);
    tarn_free(ptr);
    tarn_free(ptr2);
    agg_eval_free(&ae);
    tj->rc[s] = rc;
}

/* Segment trees of the aggregate calls: slices of leaves (and their
 * subtrees) in parallel on the pool, the top levels on this thread. */
static int build_trees(Window *w, ExecCtx *x, TarnError *err)
{
    int rc = 0;
    uint32_t n = w->n;
    uint32_t P = 1;
    while (P < n)
        P <<= 1;
    uint32_t T = 1, cores = pool_size();
    while (T * 2 <= cores && T * 2 <= 16 && P / (T * 2) >= 16384)
        T *= 2;
    uint8_t **ptr = tarn_malloc(VEC_BATCH_ROWS * sizeof(uint8_t *));
    uint8_t **ptr2 = tarn_malloc(VEC_BATCH_ROWS * sizeof(uint8_t *));
    int *rcs = tarn_calloc(T, sizeof(int));
    TarnError *errs = tarn_calloc(T, sizeof(TarnError));
    w->slice_arenas = tarn_calloc(T, sizeof(Arena));
    if (!ptr || !ptr2 || !rcs || !errs || !w->slice_arenas) {
        rc = ERR_NOMEM(err, 0);
        goto done;
    }
    w->n_slices = T;
    for (uint32_t s = 0; s < T; s++)
        arena_init(&w->slice_arenas[s], 0);
    for (uint32_t j = 0; j < w->n_aggs && !rc; j++) {
        WinTree *t = &w->trees[j];
        const FuncDef *d = w->aggs[j].def;
        FuncCtx *f = agg_eval_ctx(&w->ae, j);
        t->ss = (d->state_size + 15) & ~15u;
        if (!t->ss)
            t->ss = 16;
        t->leaves = P;
        t->nodes = arena_alloc(&w->arena, (size_t)2 * P * t->ss);
        if (!t->nodes) {
            rc = ERR_NOMEM(err, (size_t)2 * P * t->ss);
            break;
        }
        for (uint64_t k = 0; k < 2 * (uint64_t)P; k += VEC_BATCH_ROWS) {
            uint32_t m = (uint32_t)(2 * (uint64_t)P - k < VEC_BATCH_ROWS ? 2 * (uint64_t)P - k : VEC_BATCH_ROWS);
            for (uint32_t q = 0; q < m; q++)
                ptr[q] = t->nodes + (k + q) * t->ss;
            d->agg_init(f, ptr, 0, m);
        }
    }
    if (rc || !w->n_aggs)
        goto done;
    TreeJob tj = {w, x, P, P / T, rcs, errs};
    if (T > 1)
        pool_run(T, build_slice, &tj);
    else
        build_slice(&tj, 0);
    for (uint32_t s = 0; s < T; s++)
        if (rcs[s]) {
            *err = errs[s];
            rc = rcs[s];
            goto done;
        }
    /* the levels above the slices: nodes [1, T) */
    for (uint32_t lo = T >> 1; lo >= 1 && !rc; lo >>= 1)
        rc = combine_level(w, &w->ae, lo, 2 * lo, ptr, ptr2, err);
done:
    tarn_free(ptr);
    tarn_free(ptr2);
    tarn_free(rcs);
    tarn_free(errs);
    return rc;
}

static int sink_finalize(PhysOp *op, ExecCtx *x, TarnError *err)
{
    Window *w = (Window *)op;
    if (w->rows.n_rows >= UINT32_MAX / 2)
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "54000", "too many rows for a window function");
    uint32_t n = (uint32_t)w->rows.n_rows;
    w->n = n;
    size_t sz = (size_t)(n ? n : 1) * sizeof(uint32_t);
    w->ids = tarn_malloc(sz);
    w->ps = tarn_malloc(sz);
    w->pe = tarn_malloc(sz);
    w->gs = tarn_malloc(sz);
    w->ge = tarn_malloc(sz);
    w->grp = tarn_malloc(sz);
    w->gfirst = tarn_malloc(sz + sizeof(uint32_t));
    w->trees = tarn_calloc(w->n_aggs ? w->n_aggs : 1, sizeof(WinTree));
    if (!w->ids || !w->ps || !w->pe || !w->gs || !w->ge || !w->grp || !w->gfirst || !w->trees)
        return ERR_NOMEM(err, sz);
    uint32_t i = 0;
    for (uint32_t c = 0; c < w->rows.n_chunks; c++)
        for (uint32_t r = 0; r < w->rows.chunks[c].n_rows; r++)
            w->ids[i++] = (c << COLL_SHIFT) | r;
    int rc;
    if (w->n_part + w->n_order && (rc = sort_ids(w, err)))
        return rc;
    /* partitions and peer groups */
    uint32_t ng = 0, pstart = 0, gstart = 0;
    for (i = 0; i <= n; i++) {
        bool new_part = i == n || (i > 0 && !same_keys(w, w->n_child, w->n_part, w->ids[i - 1], w->ids[i]));
        bool new_grp = new_part || (i > 0 && !same_keys(w, w->n_child + w->n_part, w->n_order, w->ids[i - 1], w->ids[i]));
        if (i > 0 && new_grp) {
            for (uint32_t k = gstart; k < i; k++) {
                w->gs[k] = gstart;
                w->ge[k] = i;
                w->grp[k] = ng;
            }
            w->gfirst[ng++] = gstart;
            gstart = i;
        }
        if (i > 0 && new_part) {
            for (uint32_t k = pstart; k < i; k++) {
                w->ps[k] = pstart;
                w->pe[k] = i;
            }
            pstart = i;
        }
    }
    w->gfirst[ng] = n;
    rc = agg_eval_init(&w->ae, w->aggs, w->n_aggs, x, &w->arena, err);
    if (rc)
        return rc;
    w->ae_ok = true;
    return build_trees(w, x, err);
}

/* ---- frames ---------------------------------------------------------------------------------------- */

typedef struct Range {
    uint32_t lo, hi;
} Range;

/* First sorted row j in [a, b) whose key is at or past (strict: past)
 * the bound value of row i (column bcol), in sort order. */
static uint32_t range_search(const Window *w, const WinCall *c, uint32_t kcol, uint32_t bcol, uint32_t i, uint32_t a,
                             uint32_t b, bool strict)
{
    uint32_t ob;
    const Vector *bv = cell(w, bcol, w->ids[i], &ob);
    bool desc = w->order[0].desc;
    (void)c;
    /* inf - inf: PostgreSQL takes every value but NaN to be within an
     * infinite offset of an infinite key (float8 in_range).  NaN sorts
     * last (first when DESC), so the frame stops at (starts after) them. */
    if (bv->type->id == TYPE_DOUBLE && isnan(((const double *)bv->data)[ob])) {
        if (!desc && !strict)
            return a;
        if (desc && strict)
            return b;
        strict = desc;
    }
    while (a < b) {
        uint32_t mid = a + (b - a) / 2, ok;
        const Vector *kv = cell(w, kcol, w->ids[mid], &ok);
        int d = cmp_val(kv, ok, bv, ob);
        if (desc)
            d = -d;
        if (strict ? d > 0 : d >= 0)
            b = mid;
        else
            a = mid + 1;
    }
    return a;
}

static bool key_null(const Window *w, uint32_t kcol, uint32_t i)
{
    uint32_t o;
    const Vector *v = cell(w, kcol, w->ids[i], &o);
    return !vec_is_valid(v, o);
}

/* A NaN key: like NULLs, its frame offsets reach only its peers. */
static bool key_nan(const Window *w, uint32_t kcol, uint32_t i)
{
    uint32_t o;
    const Vector *v = cell(w, kcol, w->ids[i], &o);
    return v->type->id == TYPE_DOUBLE && vec_is_valid(v, o) && isnan(((const double *)v->data)[o]);
}

/* The frame of sorted row i as up to 3 ascending ranges; returns their number. */
static uint32_t frame_of(const Window *w, const WinCall *c, uint32_t i, Range *r)
{
    uint32_t fo = c->frame, ps = w->ps[i], pe = w->pe[i];
    uint32_t s, e;
    int64_t so = c->start_off.v.i, eo = c->end_off.v.i;
    if (fo & WFRAME_ROWS) {
        if (fo & WFRAME_START_UNBOUNDED_PRECEDING) s = ps;
        else if (fo & WFRAME_START_CURRENT_ROW) s = i;
        else if (fo & WFRAME_START_OFFSET_PRECEDING) s = (uint64_t)so > i - ps ? ps : i - (uint32_t)so;
        else s = (uint64_t)so >= pe - i ? pe : i + (uint32_t)so;
        if (fo & WFRAME_END_UNBOUNDED_FOLLOWING) e = pe;
        else if (fo & WFRAME_END_CURRENT_ROW) e = i + 1;
        else if (fo & WFRAME_END_OFFSET_PRECEDING) e = (uint64_t)eo > i - ps ? ps : i - (uint32_t)eo + 1;
        else e = (uint64_t)eo >= pe - i ? pe : i + (uint32_t)eo + 1;
    } else if (fo & WFRAME_GROUPS) {
        uint32_t g = w->grp[i], g0 = w->grp[ps], g1 = w->grp[pe - 1];
        if (fo & WFRAME_START_UNBOUNDED_PRECEDING) s = ps;
        else if (fo & WFRAME_START_CURRENT_ROW) s = w->gs[i];
        else if (fo & WFRAME_START_OFFSET_PRECEDING) s = (uint64_t)so > g - g0 ? ps : w->gfirst[g - (uint32_t)so];
        else s = (uint64_t)so > g1 - g ? pe : w->gfirst[g + (uint32_t)so];
        if (fo & WFRAME_END_UNBOUNDED_FOLLOWING) e = pe;
        else if (fo & WFRAME_END_CURRENT_ROW) e = w->ge[i];
        else if (fo & WFRAME_END_OFFSET_PRECEDING) e = (uint64_t)eo > g - g0 ? ps : w->gfirst[g - (uint32_t)eo + 1];
        else e = (uint64_t)eo > g1 - g ? pe : w->gfirst[g + (uint32_t)eo + 1];
    } else {
        bool soff = fo & (WFRAME_START_OFFSET_PRECEDING | WFRAME_START_OFFSET_FOLLOWING);
        bool eoff = fo & (WFRAME_END_OFFSET_PRECEDING | WFRAME_END_OFFSET_FOLLOWING);
        uint32_t kcol = w->rng_col[c - w->calls], a = ps, b = pe;
        bool cur_null = false;
        if (soff || eoff) {
            cur_null = key_null(w, kcol, i) || key_nan(w, kcol, i);
            /* the non-NULL keys of the partition: [a, b) */
            if (key_null(w, kcol, ps))
                a = w->ge[ps];
            if (a < pe && key_null(w, kcol, pe - 1))
                b = w->gs[pe - 1] > a ? w->gs[pe - 1] : a;
        }
        if (fo & WFRAME_START_UNBOUNDED_PRECEDING) s = ps;
        else if (fo & WFRAME_START_CURRENT_ROW) s = w->gs[i];
        else if (cur_null) s = w->gs[i];
        else s = range_search(w, c, kcol, kcol + 1, i, a, b, false);
        if (fo & WFRAME_END_UNBOUNDED_FOLLOWING) e = pe;
        else if (fo & WFRAME_END_CURRENT_ROW) e = w->ge[i];
        else if (cur_null) e = w->ge[i];
        else e = range_search(w, c, kcol, kcol + 2, i, a, b, true);
    }
    if (e < s)
        e = s;
    uint32_t n = 0;
    if (fo & WFRAME_EXCLUDE_CURRENT_ROW) {
        r[n++] = (Range){s, i < e ? (i > s ? i : s) : e};
        r[n++] = (Range){i + 1 > s ? i + 1 : s, e};
    } else if (fo & (WFRAME_EXCLUDE_GROUP | WFRAME_EXCLUDE_TIES)) {
        uint32_t g0 = w->gs[i], g1 = w->ge[i];
        r[n++] = (Range){s, g0 < e ? (g0 > s ? g0 : s) : e};
        if ((fo & WFRAME_EXCLUDE_TIES) && i >= s && i < e)
            r[n++] = (Range){i, i + 1};
        r[n++] = (Range){g1 > s ? g1 : s, e};
    } else {
        r[n++] = (Range){s, e};
    }
    uint32_t k = 0;
    for (uint32_t q = 0; q < n; q++)
        if (r[q].lo < r[q].hi)
            r[k++] = r[q];
    return k;
}

/* ---- source ------------------------------------------------------------------------------------------ */

typedef struct CallLocal {
    ExprState **args;           /* per argument (non-aggregate calls) */
    FuncCtx fctx;               /* aggregates: combine / finalize on thread memory */
} CallLocal;

typedef struct SrcLocal {
    Vector *vecs;               /* output: child columns + calls */
    Vector **ptrs;
    Vector *tv;                 /* target rows' child columns */
    Vector **tp;
    CallLocal *cl;
    uint32_t *tid;              /* target row ids */
    int64_t *tix;               /* target sorted index per row, -1 none */
    uint32_t *nodes;            /* [row][WIN_MAX_NODES] */
    uint32_t *n_nodes;
    uint8_t *states;            /* per-row states */
    uint8_t **src, **dst;
    uint32_t states_cap;        /* bytes */
    Arena arena;                /* states' memory, reset per batch */
} SrcLocal;

static void src_local_free(PhysOp *op, void *local)
{
    Window *w = (Window *)op;
    SrcLocal *l = local;
    if (l->vecs)
        for (uint32_t c = 0; c < op->n_out; c++)
            vec_destroy(&l->vecs[c]);
    if (l->tv)
        for (uint32_t c = 0; c < w->n_child; c++)
            vec_destroy(&l->tv[c]);
    if (l->cl)
        for (uint32_t k = 0; k < w->n_calls; k++)
            if (l->cl[k].args) {
                for (uint32_t a = 0; a < w->calls[k].agg.n_args; a++)
                    expr_state_free(l->cl[k].args[a]);
                tarn_free(l->cl[k].args);
            }
    tarn_free(l->cl);
    tarn_free(l->vecs);
    tarn_free(l->ptrs);
    tarn_free(l->tv);
    tarn_free(l->tp);
    tarn_free(l->tid);
    tarn_free(l->tix);
    tarn_free(l->nodes);
    tarn_free(l->n_nodes);
    tarn_free(l->states);
    tarn_free(l->src);
    tarn_free(l->dst);
    arena_free(&l->arena);
    tarn_free(l);
}

static int src_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    Window *w = (Window *)op;
    SrcLocal *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    arena_init(&l->arena, 0);
    uint32_t n = op->n_out + 1, B = VEC_BATCH_ROWS;
    uint32_t max_ss = 16;
    for (uint32_t j = 0; j < w->n_aggs; j++)
        if (w->trees[j].ss > max_ss)
            max_ss = w->trees[j].ss;
    l->vecs = tarn_calloc(n, sizeof(Vector));
    l->ptrs = tarn_calloc(n, sizeof(Vector *));
    l->tv = tarn_calloc(w->n_child + 1, sizeof(Vector));
    l->tp = tarn_calloc(w->n_child + 1, sizeof(Vector *));
    l->cl = tarn_calloc(w->n_calls + 1, sizeof(CallLocal));
    l->tid = tarn_malloc(B * sizeof(uint32_t));
    l->tix = tarn_malloc(B * sizeof(int64_t));
    l->n_nodes = tarn_malloc(B * sizeof(uint32_t));
    l->src = tarn_malloc(B * sizeof(uint8_t *));
    l->dst = tarn_malloc(B * sizeof(uint8_t *));
    if (w->n_aggs) {
        l->nodes = tarn_malloc((size_t)B * WIN_MAX_NODES * sizeof(uint32_t));
        l->states = tarn_malloc((size_t)B * max_ss);
    }
    if (!l->vecs || !l->ptrs || !l->tv || !l->tp || !l->cl || !l->tid || !l->tix || !l->n_nodes || !l->src ||
        !l->dst || (w->n_aggs && (!l->nodes || !l->states))) {
        src_local_free(op, l);
        return ERR_NOMEM(err, 0);
    }
    for (uint32_t c = 0; c < op->n_out; c++) {
        vec_init(&l->vecs[c], &op->out_types[c]);
        l->ptrs[c] = &l->vecs[c];
    }
    for (uint32_t c = 0; c < w->n_child; c++) {
        vec_init(&l->tv[c], &w->coll_types[c]);
        l->tp[c] = &l->tv[c];
    }
    for (uint32_t k = 0; k < w->n_calls; k++) {
        const WinCall *c = &w->calls[k];
        CallLocal *cl = &l->cl[k];
        if (c->kind == WIN_AGG) {
            cl->fctx = *agg_eval_ctx(&w->ae, w->agg_of[k]);
            cl->fctx.arena = &l->arena;
            cl->fctx.scratch = &l->arena;
            continue;
        }
        cl->args = tarn_calloc(c->agg.n_args + 1, sizeof(ExprState *));
        if (!cl->args) {
            src_local_free(op, l);
            return ERR_NOMEM(err, 0);
        }
        for (uint32_t a = 0; a < c->agg.n_args; a++)
            if (!(cl->args[a] = expr_state_new(c->agg.args[a], x->settings, x->params, err))) {
                src_local_free(op, l);
                return err->kind;
            }
    }
    *local = l;
    return 0;
}

static uint32_t src_parallelism(PhysOp *op)
{
    Window *w = (Window *)op;
    uint32_t m = (uint32_t)(w->n / VEC_BATCH_ROWS) + 1;
    return m;
}

/* Tree nodes covering [lo, hi), left to right, appended to out. */
static uint32_t decompose(uint32_t P, uint32_t lo, uint32_t hi, uint32_t *out)
{
    uint32_t right[64], nr = 0, n = 0;
    uint32_t l = lo + P, r = hi + P;
    while (l < r) {
        if (l & 1)
            out[n++] = l++;
        if (r & 1)
            right[nr++] = --r;
        l >>= 1;
        r >>= 1;
    }
    while (nr)
        out[n++] = right[--nr];
    return n;
}

static int emit_agg(Window *w, SrcLocal *l, uint32_t k, uint32_t i0, uint32_t m, Vector *out, TarnError *err)
{
    const WinCall *c = &w->calls[k];
    uint32_t j = w->agg_of[k];
    const WinTree *t = &w->trees[j];
    const FuncDef *d = c->agg.def;
    FuncCtx *f = &l->cl[k].fctx;
    uint32_t max_n = 0, n_own = 0;
    Range prev[3];
    uint32_t n_prev = UINT32_MAX;
    for (uint32_t q = 0; q < m; q++) {
        Range r[3];
        uint32_t nr = frame_of(w, c, i0 + q, r), nn = 0;
        if (nr == n_prev && !memcmp(r, prev, nr * sizeof(Range))) {
            /* the same frame as the previous row (peers, whole
             * partitions): share its state, finalized once more */
            l->n_nodes[q] = 0;
            l->dst[q] = l->dst[q - 1];
            continue;
        }
        memcpy(prev, r, nr * sizeof(Range));
        n_prev = nr;
        uint32_t *nodes = l->nodes + (size_t)q * WIN_MAX_NODES;
        for (uint32_t z = 0; z < nr; z++)
            nn += decompose(t->leaves, r[z].lo, r[z].hi, nodes + nn);
        l->n_nodes[q] = nn;
        if (nn > max_n)
            max_n = nn;
        l->dst[q] = l->states + (size_t)q * t->ss;
        l->src[n_own++] = l->dst[q];
    }
    memset(l->states, 0, (size_t)m * t->ss);
    d->agg_init(f, l->src, 0, n_own);
    int rc = 0;
    for (uint32_t round = 0; round < max_n && !rc; round++) {
        uint32_t np = 0;
        for (uint32_t q = 0; q < m; q++)
            if (l->n_nodes[q] > round) {
                l->src[np] = t->nodes + (size_t)l->nodes[(size_t)q * WIN_MAX_NODES + round] * t->ss;
                l->tix[np] = q;
                np++;
            }
        /* the destinations of this round, packed */
        uint8_t *dst_buf[VEC_BATCH_ROWS];
        for (uint32_t z = 0; z < np; z++)
            dst_buf[z] = l->dst[l->tix[z]];
        rc = d->agg_combine(f, l->src, dst_buf, 0, np, err);
    }
    if (rc)
        return rc;
    if (vec_prepare(out, m))
        return ERR_NOMEM(err, m);
    rc = d->agg_finalize(f, l->dst, 0, m, out, err);
    if (d->agg_destroy) {
        uint32_t k2 = 0;
        for (uint32_t q = 0; q < m; q++)
            if (!q || l->dst[q] != l->dst[q - 1])
                l->src[k2++] = l->dst[q];
        d->agg_destroy(f, l->src, 0, k2);
    }
    return rc;
}

/* Appends value q of v (constant-aware) or a NULL to out. */
static int put_value(Vector *out, const Vector *v, uint32_t q)
{
    if (!v)
        return vec_append_null(out);
    uint32_t k = v->is_const ? 0 : q;
    if (!vec_is_valid(v, k))
        return vec_append_null(out);
    return vec_append_from(out, v, k);
}

static int emit_value(Window *w, SrcLocal *l, uint32_t k, uint32_t i0, uint32_t m, const Chunk *cur, Vector *out,
                      TarnError *err)
{
    const WinCall *c = &w->calls[k];
    CallLocal *cl = &l->cl[k];
    Vector *offv = NULL, *defv = NULL;
    int rc;
    /* per-row arguments on the current rows */
    if ((c->kind == WIN_LAG || c->kind == WIN_LEAD) && c->agg.n_args >= 2 &&
        (rc = expr_eval(cl->args[1], cur, NULL, m, &offv, err)))
        return rc;
    if (c->kind == WIN_NTH_VALUE && (rc = expr_eval(cl->args[1], cur, NULL, m, &offv, err)))
        return rc;
    for (uint32_t q = 0; q < m; q++) {
        uint32_t i = i0 + q, ps = w->ps[i], pe = w->pe[i];
        int64_t t = -1;
        if (c->kind == WIN_LAG || c->kind == WIN_LEAD) {
            int64_t off = 1;
            if (offv) {
                uint32_t z = offv->is_const ? 0 : q;
                if (!vec_is_valid(offv, z)) {
                    l->tix[q] = -2; /* NULL offset: NULL */
                    continue;
                }
                off = ((int32_t *)offv->data)[z];
            }
            int64_t tt = c->kind == WIN_LAG ? (int64_t)i - off : (int64_t)i + off;
            if (tt >= ps && tt < pe)
                t = tt;
        } else {
            Range r[3];
            uint32_t nr = frame_of(w, c, i, r);
            if (c->kind == WIN_FIRST_VALUE) {
                if (nr)
                    t = r[0].lo;
            } else if (c->kind == WIN_LAST_VALUE) {
                if (nr)
                    t = r[nr - 1].hi - 1;
            } else {
                uint32_t z = offv->is_const ? 0 : q;
                if (!vec_is_valid(offv, z)) {
                    l->tix[q] = -2;
                    continue;
                }
                int32_t nth = ((int32_t *)offv->data)[z];
                if (nth <= 0)
                    return err_set_state(err, TARN_ERR_INVALID, "22016", "argument of nth_value must be greater than zero");
                int64_t left = nth - 1;
                for (uint32_t y = 0; y < nr && t < 0; y++) {
                    if (left < r[y].hi - r[y].lo)
                        t = r[y].lo + left;
                    else
                        left -= r[y].hi - r[y].lo;
                }
            }
        }
        l->tix[q] = t;
    }
    for (uint32_t q = 0; q < m; q++)
        l->tid[q] = w->ids[l->tix[q] >= 0 ? (uint32_t)l->tix[q] : i0 + q];
    if ((rc = gather_rows(w, l->tid, m, l->tv, err)))
        return rc;
    Chunk tch = {m, w->n_child, l->tp};
    Vector *val;
    if ((rc = expr_eval(cl->args[0], &tch, NULL, m, &val, err)))
        return rc;
    if ((c->kind == WIN_LAG || c->kind == WIN_LEAD) && c->agg.n_args == 3 &&
        (rc = expr_eval(cl->args[2], cur, NULL, m, &defv, err)))
        return rc;
    vec_reset(out);
    for (uint32_t q = 0; q < m; q++) {
        const Vector *src = l->tix[q] >= 0 ? val : l->tix[q] == -1 ? defv : NULL;
        if (put_value(out, src, q))
            return ERR_NOMEM(err, m);
    }
    return 0;
}

static int emit_rank(Window *w, SrcLocal *l, uint32_t k, uint32_t i0, uint32_t m, const Chunk *cur, Vector *out,
                     TarnError *err)
{
    const WinCall *c = &w->calls[k];
    if (vec_prepare(out, m))
        return ERR_NOMEM(err, m);
    int64_t *o64 = (int64_t *)out->data;
    double *od = (double *)out->data;
    switch (c->kind) {
    case WIN_ROW_NUMBER:
        for (uint32_t q = 0; q < m; q++)
            o64[q] = (int64_t)(i0 + q - w->ps[i0 + q]) + 1;
        break;
    case WIN_RANK:
        for (uint32_t q = 0; q < m; q++)
            o64[q] = (int64_t)(w->gs[i0 + q] - w->ps[i0 + q]) + 1;
        break;
    case WIN_DENSE_RANK:
        for (uint32_t q = 0; q < m; q++)
            o64[q] = (int64_t)(w->grp[i0 + q] - w->grp[w->ps[i0 + q]]) + 1;
        break;
    case WIN_PERCENT_RANK:
        for (uint32_t q = 0; q < m; q++) {
            uint32_t i = i0 + q, rows = w->pe[i] - w->ps[i];
            od[q] = rows > 1 ? (double)(w->gs[i] - w->ps[i]) / (double)(rows - 1) : 0.0;
        }
        break;
    case WIN_CUME_DIST:
        for (uint32_t q = 0; q < m; q++) {
            uint32_t i = i0 + q;
            od[q] = (double)(w->ge[i] - w->ps[i]) / (double)(w->pe[i] - w->ps[i]);
        }
        break;
    case WIN_NTILE: {
        /* the argument is taken from the partition's first row */
        for (uint32_t q = 0; q < m; q++)
            l->tid[q] = w->ids[w->ps[i0 + q]];
        int rc = gather_rows(w, l->tid, m, l->tv, err);
        if (rc)
            return rc;
        Chunk tch = {m, w->n_child, l->tp};
        Vector *nv;
        if ((rc = expr_eval(l->cl[k].args[0], &tch, NULL, m, &nv, err)))
            return rc;
        int32_t *o32 = (int32_t *)out->data;
        for (uint32_t q = 0; q < m; q++) {
            uint32_t z = nv->is_const ? 0 : q, i = i0 + q;
            if (!vec_is_valid(nv, z)) {
                o32[q] = 0;
                if (vec_set_null(out, q))
                    return ERR_NOMEM(err, m);
                continue;
            }
            int32_t nb = ((int32_t *)nv->data)[z];
            if (nb <= 0)
                return err_set_state(err, TARN_ERR_INVALID, "22014", "argument of ntile must be greater than zero");
            uint64_t total = w->pe[i] - w->ps[i], r = i - w->ps[i];
            uint64_t per = total / (uint64_t)nb, rem = total % (uint64_t)nb;
            if (r < rem * (per + 1))
                o32[q] = (int32_t)(r / (per + 1) + 1);
            else
                o32[q] = (int32_t)(rem + (r - rem * (per + 1)) / per + 1);
        }
        break;
    }
    default:
        break;
    }
    (void)cur;
    return 0;
}

static int src_next(PhysOp *op, ExecCtx *x, void *local, Chunk *out, TarnError *err)
{
    Window *w = (Window *)op;
    SrcLocal *l = local;
    out->n_rows = 0;
    out->n_cols = op->n_out;
    out->cols = l->ptrs;
    uint64_t i0 = atomic_fetch_add(&w->next, VEC_BATCH_ROWS);
    if (i0 >= w->n)
        return 0;
    if (x->cancel && atomic_load(x->cancel))
        return err_set_state(err, TARN_ERR_CANCELED, "57014", "canceling statement due to user request");
    uint32_t m = (uint32_t)(w->n - i0 < VEC_BATCH_ROWS ? w->n - i0 : VEC_BATCH_ROWS);
    int rc;
    if ((rc = gather_rows(w, w->ids + i0, m, l->vecs, err)))
        return rc;
    Chunk cur = {m, w->n_child, l->ptrs};
    for (uint32_t k = 0; k < w->n_calls && !rc; k++) {
        Vector *o = &l->vecs[w->n_child + k];
        switch (w->calls[k].kind) {
        case WIN_AGG: rc = emit_agg(w, l, k, (uint32_t)i0, m, o, err); break;
        case WIN_LAG: case WIN_LEAD: case WIN_FIRST_VALUE: case WIN_LAST_VALUE: case WIN_NTH_VALUE:
            rc = emit_value(w, l, k, (uint32_t)i0, m, &cur, o, err);
            break;
        default: rc = emit_rank(w, l, k, (uint32_t)i0, m, &cur, o, err); break;
        }
        arena_reset(&l->arena);
    }
    if (rc)
        return rc;
    out->n_rows = m;
    return 0;
}

static void destroy(PhysOp *op)
{
    Window *w = (Window *)op;
    if (w->ae_ok) {
        for (uint32_t j = 0; j < w->n_aggs; j++) {
            const FuncDef *d = w->aggs[j].def;
            WinTree *t = &w->trees[j];
            if (!d->agg_destroy || !t->nodes)
                continue;
            uint8_t *p[VEC_BATCH_ROWS];
            for (uint64_t k = 0; k < 2 * (uint64_t)t->leaves; k += VEC_BATCH_ROWS) {
                uint32_t m = (uint32_t)(2 * (uint64_t)t->leaves - k < VEC_BATCH_ROWS ? 2 * (uint64_t)t->leaves - k
                                                                                       : VEC_BATCH_ROWS);
                for (uint32_t q = 0; q < m; q++)
                    p[q] = t->nodes + (k + q) * t->ss;
                d->agg_destroy(agg_eval_ctx(&w->ae, j), p, 0, m);
            }
        }
        agg_eval_free(&w->ae);
        w->ae_ok = false;
    }
    if (w->ready) {
        coll_free(&w->rows);
        arena_free(&w->arena);
        w->ready = false;
    }
    for (uint32_t k = 0; k < w->n_slices; k++)
        arena_free(&w->slice_arenas[k]);
    tarn_free(w->slice_arenas);
    w->slice_arenas = NULL;
    w->n_slices = 0;
    tarn_free(w->ids);
    tarn_free(w->ps);
    tarn_free(w->pe);
    tarn_free(w->gs);
    tarn_free(w->ge);
    tarn_free(w->grp);
    tarn_free(w->gfirst);
    tarn_free(w->trees);
    w->ids = w->ps = w->pe = w->gs = w->ge = w->grp = w->gfirst = NULL;
    w->trees = NULL;
}

static void explain(PhysOp *op, Buf *out)
{
    Window *w = (Window *)op;
    buf_printf(out, ":");
    for (uint32_t k = 0; k < w->n_calls; k++)
        buf_printf(out, "%s %s()", k ? "," : "", w->calls[k].agg.name);
    if (w->n_part) {
        buf_printf(out, " PARTITION BY ");
        for (uint32_t k = 0; k < w->n_part; k++) {
            if (k)
                buf_printf(out, ", ");
            expr_to_text(w->part[k], out);
        }
    }
    if (w->n_order) {
        buf_printf(out, " ORDER BY ");
        for (uint32_t k = 0; k < w->n_order; k++) {
            if (k)
                buf_printf(out, ", ");
            expr_to_text(w->order[k].expr, out);
            if (w->order[k].desc)
                buf_printf(out, " DESC");
        }
    }
}

static const PhysOpVT vt = {
    .name = "Window",
    .sink_init = sink_init,
    .sink_local_init = sink_local_init,
    .sink = sink,
    .sink_combine = sink_combine,
    .sink_finalize = sink_finalize,
    .sink_local_free = slocal_free,
    .src_parallelism = src_parallelism,
    .src_local_init = src_local_init,
    .src_next = src_next,
    .src_local_free = src_local_free,
    .destroy = destroy,
    .explain = explain,
};

PhysOp *op_window_new(Arena *a, PhysOp *child, Expr **part, uint32_t n_part, const SortItem *order, uint32_t n_order,
                      const WinCall *calls, uint32_t n_calls, TarnError *err)
{
    Window *w = arena_calloc(a, sizeof *w);
    if (!w)
        goto nomem;
    w->n_child = child->n_out;
    w->part = part;
    w->n_part = n_part;
    w->order = order;
    w->n_order = n_order;
    w->calls = calls;
    w->n_calls = n_calls;
    uint32_t n_rng = 0;
    for (uint32_t k = 0; k < n_calls; k++)
        if (calls[k].rkey)
            n_rng++;
    uint32_t n_ex = n_part + n_order + 3 * n_rng;
    w->n_coll = w->n_child + n_ex;
    w->coll_types = arena_alloc(a, (w->n_coll + 1) * sizeof(LogicalType));
    w->coll_exprs = arena_alloc(a, (n_ex + 1) * sizeof(Expr *));
    w->rng_col = arena_alloc(a, (n_calls + 1) * sizeof(uint32_t));
    w->aggs = arena_calloc(a, (n_calls + 1) * sizeof(AggCall));
    w->agg_of = arena_alloc(a, (n_calls + 1) * sizeof(uint32_t));
    LogicalType *ot = arena_alloc(a, (w->n_child + n_calls + 1) * sizeof(LogicalType));
    const char **on = arena_alloc(a, (w->n_child + n_calls + 1) * sizeof(char *));
    if (!w->coll_types || !w->coll_exprs || !w->rng_col || !w->aggs || !w->agg_of || !ot || !on)
        goto nomem;
    for (uint32_t c = 0; c < w->n_child; c++)
        w->coll_types[c] = child->out_types[c];
    uint32_t e = 0;
    for (uint32_t k = 0; k < n_part; k++)
        w->coll_exprs[e++] = part[k];
    for (uint32_t k = 0; k < n_order; k++)
        w->coll_exprs[e++] = order[k].expr;
    for (uint32_t k = 0; k < n_calls; k++) {
        const WinCall *c = &calls[k];
        w->rng_col[k] = UINT32_MAX;
        if (c->rkey) {
            w->rng_col[k] = w->n_child + e;
            w->coll_exprs[e++] = c->rkey;
            w->coll_exprs[e++] = c->rstart ? c->rstart : c->rkey;
            w->coll_exprs[e++] = c->rend ? c->rend : c->rkey;
        }
        if (c->kind == WIN_AGG) {
            w->agg_of[k] = w->n_aggs;
            w->aggs[w->n_aggs++] = c->agg;
        }
        ot[w->n_child + k] = c->agg.type;
        on[w->n_child + k] = c->agg.name;
    }
    for (uint32_t k = 0; k < n_ex; k++) {
        const LogicalType *t = &w->coll_exprs[k]->type;
        if (type_is_nested(t->id)) {
            err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "window PARTITION BY / ORDER BY over nested values is not supported yet");
            return NULL;
        }
        w->coll_types[w->n_child + k] = *t;
    }
    for (uint32_t c = 0; c < w->n_child; c++) {
        ot[c] = child->out_types[c];
        on[c] = child->out_names ? child->out_names[c] : "?column?";
    }
    physop_init(&w->op, &vt, ROLE_BREAKER, w->n_child + n_calls, ot);
    w->op.out_names = on;
    w->op.n_children = 1;
    w->op.children[0] = child;
    w->op.est_rows = child->est_rows;
    return &w->op;
nomem:
    ERR_NOMEM(err, sizeof *w);
    return NULL;
}
