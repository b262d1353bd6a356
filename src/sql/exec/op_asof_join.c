/*
 * op_asof_join.c - the as-of join: point-in-time lookups
 *
 *   t LEFT JOIN LATERAL (SELECT ... FROM q WHERE q.key = t.key AND q.ts <= t.ts
 *                        ORDER BY q.ts DESC LIMIT 1) ON true
 *
 * (and the CROSS JOIN / comma forms, `<`, and the mirrored `q.ts >= t.ts
 * ORDER BY q.ts ASC`) recognized by physical planning (physical.c,
 * plan_asof).  The build side is q's rows (after q's own filters) with the
 * selected columns, the key expressions and the time expression; the probe
 * side is t.
 *
 * Build (sink, finalize): rows whose key or time is NULL can never match
 * and are dropped; the others are grouped by key (hash table of groups,
 * NULL-free keys compared byte-wise, strings by content) and each group's
 * rows are sorted by time.  Probe (streaming operator): per chunk, the
 * probe keys and time are evaluated and hashed; each row finds its group
 * and binary-searches the last time <= t (or < t; first >= / > for the
 * mirrored form).  O((n + m) log m), where the per-row dependent join
 * would rescan q per distinct key.  INNER drops probe rows without a
 * match, LEFT pads them with NULLs.  Ties on the time pick one of the tied
 * rows, as ORDER BY ... LIMIT 1 does.
 */
#include <stdlib.h>
#include <string.h>

#include "sql/exec/ops.h"

typedef struct AsofJoin {
    PhysOp op;
    bool left;
    AsofDir dir;
    uint32_t n_probe;           /* probe columns passed through */
    uint32_t n_sel;             /* build columns output (the subquery's select list) */
    uint32_t nk;                /* keys: build columns n_sel .. n_sel+nk-1; time: n_sel+nk */
    Expr **probe_keys;
    Expr *probe_ts;
    const SqlSettings *settings;
    LogicalType *build_types;
    Collection build;
    bool ready, built;
    /* groups */
    uint32_t *slots;            /* group id + 1 */
    uint64_t n_slots;
    uint32_t *g_start, *g_len, *g_rep;
    uint32_t n_groups;
    int64_t *s_ts;              /* rows sorted by (group, time) */
    uint32_t *s_row;
    _Atomic uint64_t probes, matches;
} AsofJoin;

/* ---- values ------------------------------------------------------------------------------------------ */

static inline int64_t ts_at(const Vector *v, uint32_t i)
{
    uint32_t w = (uint32_t)type_width(v->type);
    if (v->is_const)
        i = 0;
    switch (w) {
    case 2: return ((const int16_t *)v->data)[i];
    case 4: return ((const int32_t *)v->data)[i];
    default: return ((const int64_t *)v->data)[i];
    }
}

static inline bool valid_at(const Vector *v, uint32_t i) { return vec_is_valid(v, v->is_const ? 0 : i); }

static bool val_eq(const Vector *a, uint32_t ia, const Vector *b, uint32_t ib)
{
    if (a->is_const)
        ia = 0;
    if (b->is_const)
        ib = 0;
    if (type_is_string_like(a->type->id)) {
        const StrView *x = &((const StrView *)a->data)[ia], *y = &((const StrView *)b->data)[ib];
        return x->len == y->len && (!x->len || !memcmp(x->ptr, y->ptr, x->len));
    }
    size_t w = type_width(a->type);
    return !memcmp(a->data + w * ia, b->data + w * ib, w);
}

/* ---- build ---------------------------------------------------------------------------------------------- */

static int sink_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x; (void)err;
    AsofJoin *j = (AsofJoin *)op;
    coll_init(&j->build, op->children[1]->n_out, op->children[1]->out_types);
    j->ready = true;
    return 0;
}

static int sink_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    (void)x;
    return (*local = coll_new(op->children[1]->n_out, op->children[1]->out_types, err)) ? 0 : err->kind;
}

static int sink(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, bool *done, TarnError *err)
{
    (void)x; (void)done;
    AsofJoin *j = (AsofJoin *)op;
    /* rows with a NULL key or time never match */
    uint32_t *sel = tarn_malloc(in->n_rows * sizeof(uint32_t) + 1);
    if (!sel)
        return ERR_NOMEM(err, 0);
    uint32_t n = 0;
    for (uint32_t i = 0; i < in->n_rows; i++) {
        bool ok = true;
        for (uint32_t k = 0; k <= j->nk && ok; k++)
            ok = vec_is_valid(in->cols[j->n_sel + k], i);
        if (ok)
            sel[n++] = i;
    }
    int rc = n ? coll_append(local, in, sel, n, err) : 0;
    tarn_free(sel);
    return rc;
}

static int sink_combine(PhysOp *op, ExecCtx *x, void *local, TarnError *err)
{
    (void)x;
    return coll_move(&((AsofJoin *)op)->build, local, err);
}

typedef struct TsRow {
    int64_t ts;
    uint32_t row;
} TsRow;

static int cmp_tsrow(const void *a, const void *b)
{
    const TsRow *x = a, *y = b;
    return x->ts < y->ts ? -1 : x->ts > y->ts ? 1 : (x->row > y->row) - (x->row < y->row);
}

static bool build_key_eq(const AsofJoin *j, uint32_t ra, uint32_t rb)
{
    const CollChunk *a = &j->build.chunks[coll_chunk_of(ra)], *b = &j->build.chunks[coll_chunk_of(rb)];
    for (uint32_t k = 0; k < j->nk; k++)
        if (!val_eq(&a->cols[j->n_sel + k], coll_off_of(ra), &b->cols[j->n_sel + k], coll_off_of(rb)))
            return false;
    return true;
}

static int sink_finalize(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x;
    AsofJoin *j = (AsofJoin *)op;
    Collection *c = &j->build;
    uint64_t n = c->n_rows;
    j->built = true;
    j->n_slots = 1024;
    while (j->n_slots < n * 2)
        j->n_slots *= 2;
    uint32_t *row_group = tarn_malloc((n + 1) * sizeof(uint32_t));
    uint32_t *row_id = tarn_malloc((n + 1) * sizeof(uint32_t));
    uint64_t *h = tarn_malloc(COLL_CHUNK_ROWS * sizeof(uint64_t));
    TsRow *tr = tarn_malloc((n + 1) * sizeof(TsRow));
    j->slots = tarn_calloc(j->n_slots, sizeof(uint32_t));
    j->g_rep = tarn_malloc((n + 1) * sizeof(uint32_t));
    j->g_start = tarn_calloc(n + 2, sizeof(uint32_t));
    j->g_len = tarn_calloc(n + 1, sizeof(uint32_t));
    j->s_ts = tarn_malloc((n + 1) * sizeof(int64_t));
    j->s_row = tarn_malloc((n + 1) * sizeof(uint32_t));
    int rc = 0;
    if (!row_group || !row_id || !h || !tr || !j->slots || !j->g_rep || !j->g_start || !j->g_len || !j->s_ts ||
        !j->s_row) {
        rc = ERR_NOMEM(err, n * 48);
        goto done;
    }
    uint64_t r = 0;
    uint64_t mask = j->n_slots - 1;
    for (uint32_t ci = 0; ci < c->n_chunks; ci++) {
        const CollChunk *k = &c->chunks[ci];
        if (!k->n_rows)
            continue;
        if (j->nk == 0) {
            memset(h, 0, k->n_rows * sizeof(uint64_t));
        } else {
            for (uint32_t kk = 0; kk < j->nk; kk++)
                vec_hash(&k->cols[j->n_sel + kk], k->n_rows, h, kk == 0);
        }
        for (uint32_t i = 0; i < k->n_rows; i++, r++) {
            uint32_t rid = ci * COLL_CHUNK_ROWS + i;
            uint64_t s = h[i] & mask;
            uint32_t g = UINT32_MAX;
            while (j->slots[s]) {
                uint32_t cand = j->slots[s] - 1;
                if (build_key_eq(j, j->g_rep[cand], rid)) {
                    g = cand;
                    break;
                }
                s = (s + 1) & mask;
            }
            if (g == UINT32_MAX) {
                g = j->n_groups++;
                j->slots[s] = g + 1;
                j->g_rep[g] = rid;
            }
            j->g_len[g]++;
            row_group[r] = g;
            row_id[r] = rid;
        }
    }
    /* counting sort by group, then each group by time */
    for (uint32_t g = 0; g < j->n_groups; g++)
        j->g_start[g + 1] = j->g_start[g] + j->g_len[g];
    uint32_t *fill = tarn_calloc(j->n_groups + 1, sizeof(uint32_t));
    if (!fill) {
        rc = ERR_NOMEM(err, 0);
        goto done;
    }
    for (uint64_t q = 0; q < n; q++) {
        uint32_t g = row_group[q], rid = row_id[q];
        const Vector *tv = &c->chunks[coll_chunk_of(rid)].cols[j->n_sel + j->nk];
        TsRow *d = &tr[j->g_start[g] + fill[g]++];
        d->ts = ts_at(tv, coll_off_of(rid));
        d->row = rid;
    }
    tarn_free(fill);
    for (uint32_t g = 0; g < j->n_groups; g++)
        if (j->g_len[g] > 1)
            qsort(tr + j->g_start[g], j->g_len[g], sizeof(TsRow), cmp_tsrow);
    for (uint64_t q = 0; q < n; q++) {
        j->s_ts[q] = tr[q].ts;
        j->s_row[q] = tr[q].row;
    }
done:
    tarn_free(row_group);
    tarn_free(row_id);
    tarn_free(h);
    tarn_free(tr);
    return rc;
}

/* ---- probe ------------------------------------------------------------------------------------------------ */

typedef struct PLocal {
    ExprState **keys;
    ExprState *ts;
    Vector **kv;
    uint64_t *h;
    uint32_t *pi, *br;
    Vector *outv;
    Vector **outp;
} PLocal;

static void plocal_free(PhysOp *op, void *local)
{
    AsofJoin *j = (AsofJoin *)op;
    PLocal *l = local;
    if (!l)
        return;
    for (uint32_t k = 0; l->keys && k < j->nk; k++)
        if (l->keys[k])
            expr_state_free(l->keys[k]);
    if (l->ts)
        expr_state_free(l->ts);
    if (l->outv)
        for (uint32_t c = 0; c < op->n_out; c++)
            vec_destroy(&l->outv[c]);
    tarn_free(l->keys);
    tarn_free(l->kv);
    tarn_free(l->h);
    tarn_free(l->pi);
    tarn_free(l->br);
    tarn_free(l->outv);
    tarn_free(l->outp);
    tarn_free(l);
}

static int op_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    AsofJoin *j = (AsofJoin *)op;
    PLocal *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    *local = l;
    l->keys = tarn_calloc(j->nk + 1, sizeof(ExprState *));
    l->kv = tarn_calloc(j->nk + 1, sizeof(Vector *));
    l->h = tarn_malloc(COLL_CHUNK_ROWS * sizeof(uint64_t));
    l->pi = tarn_malloc(COLL_CHUNK_ROWS * sizeof(uint32_t));
    l->br = tarn_malloc(COLL_CHUNK_ROWS * sizeof(uint32_t));
    l->outv = tarn_calloc(op->n_out ? op->n_out : 1, sizeof(Vector));
    l->outp = tarn_calloc(op->n_out ? op->n_out : 1, sizeof(Vector *));
    if (!l->keys || !l->kv || !l->h || !l->pi || !l->br || !l->outv || !l->outp)
        return ERR_NOMEM(err, 0);
    for (uint32_t c = 0; c < op->n_out; c++) {
        if (vec_init(&l->outv[c], &op->out_types[c]))
            return ERR_NOMEM(err, 0);
        l->outp[c] = &l->outv[c];
    }
    for (uint32_t k = 0; k < j->nk; k++)
        if (!(l->keys[k] = expr_state_new(j->probe_keys[k], x->settings, x->params, err)))
            return err->kind;
    if (!(l->ts = expr_state_new(j->probe_ts, x->settings, x->params, err)))
        return err->kind;
    return 0;
}

/* Index in [lo, hi) of the matching row for time t, or UINT32_MAX. */
static uint32_t search(const AsofJoin *j, uint32_t lo, uint32_t hi, int64_t t)
{
    const int64_t *ts = j->s_ts;
    /* first index with ts > t (LE) / ts >= t (LT, GE) / ... */
    bool upper = j->dir == ASOF_LE || j->dir == ASOF_GT;
    uint32_t a = lo, b = hi;
    while (a < b) {
        uint32_t m = a + (b - a) / 2;
        bool right = upper ? ts[m] <= t : ts[m] < t;
        if (right)
            a = m + 1;
        else
            b = m;
    }
    /* a: first with ts > t (upper) or ts >= t (lower) */
    switch (j->dir) {
    case ASOF_LE: case ASOF_LT: return a > lo ? a - 1 : UINT32_MAX;
    case ASOF_GE: case ASOF_GT: return a < hi ? a : UINT32_MAX;
    }
    return UINT32_MAX;
}

static int op_exec(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, Chunk *out, bool *more, TarnError *err)
{
    (void)x;
    AsofJoin *j = (AsofJoin *)op;
    PLocal *l = local;
    uint32_t n = in->n_rows;
    *more = false;
    for (uint32_t k = 0; k < j->nk; k++)
        if (expr_eval(l->keys[k], in, NULL, n, &l->kv[k], err))
            return err->kind;
    Vector *tv;
    if (expr_eval(l->ts, in, NULL, n, &tv, err))
        return err->kind;
    if (j->nk == 0) {
        memset(l->h, 0, n * sizeof(uint64_t));
    } else {
        for (uint32_t k = 0; k < j->nk; k++) {
            vec_hash(l->kv[k], l->kv[k]->is_const ? 1 : n, l->h, k == 0);
            if (l->kv[k]->is_const)
                for (uint32_t i = 1; i < n; i++)
                    l->h[i] = l->h[0];
        }
    }
    uint64_t mask = j->n_slots - 1;
    uint32_t m = 0, matched = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t hit = UINT32_MAX;
        bool ok = valid_at(tv, i);
        for (uint32_t k = 0; k < j->nk && ok; k++)
            ok = valid_at(l->kv[k], i);
        if (ok && j->n_groups) {
            uint64_t s = l->h[i] & mask;
            while (j->slots[s]) {
                uint32_t g = j->slots[s] - 1;
                uint32_t rep = j->g_rep[g];
                const CollChunk *rk = &j->build.chunks[coll_chunk_of(rep)];
                bool eq = true;
                for (uint32_t k = 0; k < j->nk && eq; k++)
                    eq = val_eq(l->kv[k], i, &rk->cols[j->n_sel + k], coll_off_of(rep));
                if (eq) {
                    uint32_t idx = search(j, j->g_start[g], j->g_start[g] + j->g_len[g], ts_at(tv, i));
                    if (idx != UINT32_MAX)
                        hit = j->s_row[idx];
                    break;
                }
                s = (s + 1) & mask;
            }
        }
        if (hit != UINT32_MAX)
            matched++;
        if (hit == UINT32_MAX && !j->left)
            continue;
        l->pi[m] = i;
        l->br[m++] = hit;
    }
    atomic_fetch_add(&j->probes, n);
    atomic_fetch_add(&j->matches, matched);
    for (uint32_t c = 0; c < j->n_probe; c++)
        if (vec_gather(&l->outv[c], in->cols[c], l->pi, m))
            return ERR_NOMEM(err, 0);
    bool any_null = matched < m;
    uint32_t *rows = l->h ? (uint32_t *)l->h : NULL; /* reuse as row-id scratch */
    for (uint32_t t = 0; t < m; t++)
        rows[t] = l->br[t] == UINT32_MAX ? 0 : l->br[t];
    for (uint32_t c = 0; c < j->n_sel; c++) {
        Vector *v = &l->outv[j->n_probe + c];
        if (j->build.n_rows) {
            if (coll_gather(&j->build, c, rows, m, v))
                return ERR_NOMEM(err, 0);
        } else if (vec_prepare(v, m)) {
            return ERR_NOMEM(err, 0);
        }
        if (any_null)
            for (uint32_t t = 0; t < m; t++)
                if (l->br[t] == UINT32_MAX && vec_set_null(v, t))
                    return ERR_NOMEM(err, 0);
    }
    out->n_rows = m;
    out->n_cols = op->n_out;
    out->cols = l->outp;
    return 0;
}

static void destroy(PhysOp *op)
{
    AsofJoin *j = (AsofJoin *)op;
    if (j->ready)
        coll_free(&j->build);
    j->ready = false;
    tarn_free(j->slots);
    tarn_free(j->g_rep);
    tarn_free(j->g_start);
    tarn_free(j->g_len);
    tarn_free(j->s_ts);
    tarn_free(j->s_row);
    j->slots = j->g_rep = j->g_start = j->g_len = j->s_row = NULL;
    j->s_ts = NULL;
}

static void explain(PhysOp *op, Buf *out)
{
    AsofJoin *j = (AsofJoin *)op;
    static const char *const dirs[] = {"<=", "<", ">=", ">"};
    buf_printf(out, " (%s, %u key%s, time %s probe)", j->left ? "left" : "inner", j->nk, j->nk == 1 ? "" : "s",
               dirs[j->dir]);
}

static const PhysOpVT vt = {
    .name = "As-of Join",
    .sink_init = sink_init,
    .sink_local_init = sink_local_init,
    .sink = sink,
    .sink_combine = sink_combine,
    .sink_finalize = sink_finalize,
    .sink_local_free = op_coll_local_free,
    .op_local_init = op_local_init,
    .op_exec = op_exec,
    .op_local_free = plocal_free,
    .destroy = destroy,
    .explain = explain,
};

PhysOp *op_asof_join_new(Arena *a, PhysOp *probe, PhysOp *build, bool left, AsofDir dir, Expr **probe_keys,
                         uint32_t n_keys, Expr *probe_ts, uint32_t n_sel, const SqlSettings *settings, TarnError *err)
{
    AsofJoin *j = arena_calloc(a, sizeof *j);
    uint32_t n_out = probe->n_out + n_sel;
    LogicalType *types = arena_alloc(a, (n_out + 1) * sizeof(LogicalType));
    if (!j || !types) {
        ERR_NOMEM(err, sizeof *j);
        return NULL;
    }
    for (uint32_t c = 0; c < probe->n_out; c++)
        types[c] = probe->out_types[c];
    for (uint32_t c = 0; c < n_sel; c++)
        types[probe->n_out + c] = build->out_types[c];
    j->left = left;
    j->dir = dir;
    j->n_probe = probe->n_out;
    j->n_sel = n_sel;
    j->nk = n_keys;
    j->probe_keys = probe_keys;
    j->probe_ts = probe_ts;
    j->settings = settings;
    atomic_init(&j->probes, 0);
    atomic_init(&j->matches, 0);
    physop_init(&j->op, &vt, ROLE_JOIN, n_out, types);
    j->op.n_children = 2;
    j->op.children[0] = probe;
    j->op.children[1] = build;
    j->op.est_rows = probe->est_rows;
    return &j->op;
}
