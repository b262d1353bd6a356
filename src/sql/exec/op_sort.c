/*
 * op_sort.c - ORDER BY, and top-N for ORDER BY ... LIMIT.
 *
 * Sink: each thread appends rows plus the evaluated sort keys to its own
 * collection; with a LIMIT, a thread whose collection grows past a
 * threshold sorts it and keeps only the first offset + limit rows
 * (top-N), so memory stays bounded.  Finalize gathers all rows and sorts.
 *
 * Sorting uses normalized keys: every row's sort keys are encoded into a
 * byte string whose memcmp order is the SQL order (per key a NULL marker
 * placed by NULLS FIRST/LAST, then the value big-endian with the sign bit
 * flipped - floats by their IEEE trick, NaN last - and all bytes inverted
 * for DESC; strings contribute an 8-byte prefix).  Equal prefixes of
 * strings fall back to a full comparison.  Records [key][row id] are
 * sorted with qsort_r.  The source emits rows in order on one thread.
 *
 * Spilling (later): runs sorted in memory would be written out and
 * merged (external merge sort).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sql/exec/ops.h"

typedef struct Sort {
    PhysOp op;
    const SortItem *items;
    uint32_t n_items;
    int64_t limit, offset;
    uint32_t n_child;
    LogicalType *coll_types;    /* child cols + key cols */
    uint32_t *key_w;            /* encoded bytes per key (after the NULL marker) */
    uint32_t key_len;           /* total encoded bytes */
    bool tiebreak;              /* some key is a string */
    Collection rows;
    bool ready;
    uint32_t *order;
    uint64_t n_order;
    uint64_t next;              /* source cursor (in order[]) */
} Sort;

/* ---- key encoding -------------------------------------------------------------------------- */

static void put_be(uint8_t *p, uint64_t x, uint32_t w)
{
    for (uint32_t i = 0; i < w; i++)
        p[i] = (uint8_t)(x >> (8 * (w - 1 - i)));
}

static uint32_t enc_width(const LogicalType *t)
{
    switch (t->id) {
    case TYPE_STRING: case TYPE_BLOB: case TYPE_JSON: return 8;
    case TYPE_INTERVAL: return 16;
    case TYPE_DECIMAL: return t->precision > 18 ? 16 : 8;
    default: return (uint32_t)type_width(t);
    }
}

/* Encodes value r of v (valid) into p (enc_width bytes). */
static void encode(const Vector *v, uint32_t r, uint8_t *p)
{
    const LogicalType *t = v->type;
    switch (t->id) {
    case TYPE_BOOL: case TYPE_UINT8: p[0] = v->data[r]; break;
    case TYPE_INT8: p[0] = (uint8_t)(((int8_t *)v->data)[r] ^ 0x80); break;
    case TYPE_INT16: put_be(p, (uint16_t)((int16_t *)v->data)[r] ^ 0x8000u, 2); break;
    case TYPE_UINT16: put_be(p, ((uint16_t *)v->data)[r], 2); break;
    case TYPE_INT32: case TYPE_DATE: put_be(p, (uint32_t)((int32_t *)v->data)[r] ^ 0x80000000u, 4); break;
    case TYPE_UINT32: put_be(p, ((uint32_t *)v->data)[r], 4); break;
    case TYPE_INT64: case TYPE_TIME: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ:
        put_be(p, (uint64_t)((int64_t *)v->data)[r] ^ 0x8000000000000000ULL, 8);
        break;
    case TYPE_UINT64: put_be(p, ((uint64_t *)v->data)[r], 8); break;
    case TYPE_FLOAT: {
        float f = ((float *)v->data)[r];
        if (f == 0)
            f = 0; /* -0 == 0 */
        uint32_t b;
        if (isnan(f))
            b = 0xFFFFFFFFu;
        else {
            memcpy(&b, &f, 4);
            b = (b & 0x80000000u) ? ~b : b ^ 0x80000000u;
        }
        put_be(p, b, 4);
        break;
    }
    case TYPE_DOUBLE: {
        double d = ((double *)v->data)[r];
        if (d == 0)
            d = 0;
        uint64_t b;
        if (isnan(d))
            b = UINT64_MAX;
        else {
            memcpy(&b, &d, 8);
            b = (b & 0x8000000000000000ULL) ? ~b : b ^ 0x8000000000000000ULL;
        }
        put_be(p, b, 8);
        break;
    }
    case TYPE_DECIMAL:
        if (t->precision > 18) {
            int128_t x = ((int128_t *)v->data)[r];
            unsigned __int128 u = (unsigned __int128)x ^ ((unsigned __int128)1 << 127);
            put_be(p, (uint64_t)(u >> 64), 8);
            put_be(p + 8, (uint64_t)u, 8);
        } else {
            put_be(p, (uint64_t)((int64_t *)v->data)[r] ^ 0x8000000000000000ULL, 8);
        }
        break;
    case TYPE_INTERVAL: {
        Interval iv = ((Interval *)v->data)[r];
        int128_t x = ((int128_t)iv.months * 30 + iv.days) * 86400000000LL + iv.micros;
        unsigned __int128 u = (unsigned __int128)x ^ ((unsigned __int128)1 << 127);
        put_be(p, (uint64_t)(u >> 64), 8);
        put_be(p + 8, (uint64_t)u, 8);
        break;
    }
    case TYPE_UUID: memcpy(p, v->data + 16 * (size_t)r, 16); break;
    case TYPE_STRING: case TYPE_BLOB: case TYPE_JSON: {
        const StrView *s = &((StrView *)v->data)[r];
        memset(p, 0, 8);
        memcpy(p, s->ptr, s->len < 8 ? s->len : 8);
        break;
    }
    default: memset(p, 0, enc_width(t)); break;
    }
}

typedef struct SortCmp {
    Sort *s;
    const Collection *c;
    uint32_t rec;
} SortCmp;

static int cmp_rec(const void *a, const void *b, void *arg)
{
    const SortCmp *sc = arg;
    const Sort *s = sc->s;
    uint32_t ra, rb;
    memcpy(&ra, (const uint8_t *)a + s->key_len, 4);
    memcpy(&rb, (const uint8_t *)b + s->key_len, 4);
    if (!s->tiebreak) {
        int c = memcmp(a, b, s->key_len);
        if (c)
            return c;
        return (ra > rb) - (ra < rb);
    }
    /* Keys with string prefixes: compare key by key, so that two strings
     * with equal 8-byte prefixes are decided by their full text before any
     * later key counts. */
    const uint8_t *pa = a, *pb = b;
    uint32_t off = 0;
    for (uint32_t k = 0; k < s->n_items; k++) {
        uint32_t w = 1 + s->key_w[k];
        int c = memcmp(pa + off, pb + off, w);
        if (c)
            return c;
        if (type_is_string_like(s->coll_types[s->n_child + k].id) && pa[off] == 1) {
            const Vector *va = &sc->c->chunks[coll_chunk_of(ra)].cols[s->n_child + k];
            const Vector *vb = &sc->c->chunks[coll_chunk_of(rb)].cols[s->n_child + k];
            const StrView *x = &((const StrView *)va->data)[coll_off_of(ra)];
            const StrView *y = &((const StrView *)vb->data)[coll_off_of(rb)];
            if (x->len > 8 || y->len > 8) {
                uint32_t m = x->len < y->len ? x->len : y->len;
                int d = m ? memcmp(x->ptr, y->ptr, m) : 0;
                if (!d)
                    d = (x->len > y->len) - (x->len < y->len);
                if (d)
                    return s->items[k].desc ? -d : d;
            }
        }
        off += w;
    }
    return (ra > rb) - (ra < rb);
}

/* Sorts the rows of c; *order_out gets their row ids in order (caller frees). */
static int sort_rows(Sort *s, const Collection *c, uint32_t **order_out, uint64_t *n_out, TarnError *err)
{
    uint32_t rec = (s->key_len + 4 + 7) & ~7u;
    uint64_t n = c->n_rows;
    uint8_t *recs = tarn_malloc((n ? n : 1) * rec);
    uint32_t *order = tarn_malloc((n ? n : 1) * sizeof(uint32_t));
    if (!recs || !order) {
        tarn_free(recs);
        tarn_free(order);
        return ERR_NOMEM(err, n * rec);
    }
    uint64_t i = 0;
    for (uint32_t ci = 0; ci < c->n_chunks; ci++) {
        const CollChunk *k = &c->chunks[ci];
        for (uint32_t r = 0; r < k->n_rows; r++, i++) {
            uint8_t *p = recs + i * rec;
            memset(p, 0, rec);
            uint32_t off = 0;
            for (uint32_t q = 0; q < s->n_items; q++) {
                const Vector *v = &k->cols[s->n_child + q];
                const SortItem *it = &s->items[q];
                uint32_t w = s->key_w[q];
                if (!vec_is_valid(v, r)) {
                    p[off] = it->nulls_first ? 0 : 2;
                } else {
                    p[off] = 1;
                    encode(v, r, p + off + 1);
                    if (it->desc)
                        for (uint32_t b = 0; b < w; b++)
                            p[off + 1 + b] = (uint8_t)~p[off + 1 + b];
                }
                off += 1 + w;
            }
            uint32_t id = (ci << COLL_SHIFT) | r;
            memcpy(p + s->key_len, &id, 4);
        }
    }
    SortCmp sc = {s, c, rec};
    qsort_r(recs, n, rec, cmp_rec, &sc);
    for (i = 0; i < n; i++)
        memcpy(&order[i], recs + i * rec + s->key_len, 4);
    tarn_free(recs);
    *order_out = order;
    *n_out = n;
    return 0;
}

/* Copies rows order[from .. from+n) of src into dst. */
static int copy_rows(Sort *s, const Collection *src, const uint32_t *order, uint64_t n, Collection *dst, TarnError *err)
{
    uint32_t nc = src->n_cols;
    Vector *v = tarn_calloc(nc ? nc : 1, sizeof(Vector));
    Vector **p = tarn_calloc(nc ? nc : 1, sizeof(Vector *));
    int rc = 0;
    if (!v || !p) {
        rc = ERR_NOMEM(err, 0);
        goto done;
    }
    for (uint32_t c = 0; c < nc; c++) {
        vec_init(&v[c], &s->coll_types[c]);
        p[c] = &v[c];
    }
    for (uint64_t i = 0; i < n && !rc; i += COLL_CHUNK_ROWS) {
        uint32_t m = (uint32_t)(n - i < COLL_CHUNK_ROWS ? n - i : COLL_CHUNK_ROWS);
        for (uint32_t c = 0; c < nc && !rc; c++)
            if (coll_gather(src, c, order + i, m, &v[c]))
                rc = ERR_NOMEM(err, m);
        Chunk ch = {m, nc, p};
        if (!rc)
            rc = coll_append(dst, &ch, NULL, m, err);
    }
done:
    if (v)
        for (uint32_t c = 0; c < nc; c++)
            vec_destroy(&v[c]);
    tarn_free(v);
    tarn_free(p);
    return rc;
}

/* Top-N: keeps the first offset + limit rows of c. */
static int prune(Sort *s, Collection *c, TarnError *err)
{
    uint32_t *order;
    uint64_t n;
    int rc = sort_rows(s, c, &order, &n, err);
    if (rc)
        return rc;
    uint64_t keep = (uint64_t)(s->limit + s->offset);
    if (keep > n)
        keep = n;
    Collection nc;
    coll_init(&nc, c->n_cols, c->types);
    rc = copy_rows(s, c, order, keep, &nc, err);
    tarn_free(order);
    if (rc) {
        coll_free(&nc);
        return rc;
    }
    coll_free(c);
    *c = nc;
    return 0;
}

/* ---- sink ---------------------------------------------------------------------------------------- */

typedef struct SLocal {
    Collection c;
    ExprState **keys;
    Vector **cols;
} SLocal;

static int sink_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x; (void)err;
    Sort *s = (Sort *)op;
    coll_init(&s->rows, s->n_child + s->n_items, s->coll_types);
    s->ready = true;
    return 0;
}

static void slocal_free(PhysOp *op, void *local)
{
    Sort *s = (Sort *)op;
    SLocal *l = local;
    coll_free(&l->c);
    if (l->keys)
        for (uint32_t k = 0; k < s->n_items; k++)
            expr_state_free(l->keys[k]);
    tarn_free(l->keys);
    tarn_free(l->cols);
    tarn_free(l);
}

static int sink_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    Sort *s = (Sort *)op;
    SLocal *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    coll_init(&l->c, s->n_child + s->n_items, s->coll_types);
    l->keys = tarn_calloc(s->n_items + 1, sizeof(ExprState *));
    l->cols = tarn_calloc(s->n_child + s->n_items + 1, sizeof(Vector *));
    if (!l->keys || !l->cols) {
        slocal_free(op, l);
        return ERR_NOMEM(err, 0);
    }
    for (uint32_t k = 0; k < s->n_items; k++)
        if (!(l->keys[k] = expr_state_new(s->items[k].expr, x->settings, x->params, err))) {
            slocal_free(op, l);
            return err->kind;
        }
    *local = l;
    return 0;
}

static int sink(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, bool *done, TarnError *err)
{
    (void)x; (void)done;
    Sort *s = (Sort *)op;
    SLocal *l = local;
    for (uint32_t c = 0; c < s->n_child; c++)
        l->cols[c] = in->cols[c];
    for (uint32_t k = 0; k < s->n_items; k++) {
        Vector *v;
        int rc = expr_eval(l->keys[k], in, NULL, in->n_rows, &v, err);
        if (rc)
            return rc;
        l->cols[s->n_child + k] = v;
    }
    Chunk c = {in->n_rows, s->n_child + s->n_items, l->cols};
    int rc = coll_append(&l->c, &c, NULL, in->n_rows, err);
    if (rc)
        return rc;
    if (s->limit >= 0) {
        uint64_t keep = (uint64_t)(s->limit + s->offset);
        uint64_t thr = keep * 4 > 65536 ? keep * 4 : 65536;
        if (l->c.n_rows > thr)
            return prune(s, &l->c, err);
    }
    return 0;
}

static int sink_combine(PhysOp *op, ExecCtx *x, void *local, TarnError *err)
{
    (void)x;
    return coll_move(&((Sort *)op)->rows, &((SLocal *)local)->c, err);
}

static int sink_finalize(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x;
    Sort *s = (Sort *)op;
    return sort_rows(s, &s->rows, &s->order, &s->n_order, err);
}

/* ---- source ----------------------------------------------------------------------------------------- */

typedef struct SrcLocal {
    Vector *vecs;
    Vector **ptrs;
} SrcLocal;

static int src_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x; (void)err;
    Sort *s = (Sort *)op;
    s->next = (uint64_t)s->offset;
    return 0;
}

static int src_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    (void)x;
    SrcLocal *l = tarn_calloc(1, sizeof *l);
    uint32_t n = op->n_out ? op->n_out : 1;
    if (!l || !(l->vecs = tarn_calloc(n, sizeof(Vector))) || !(l->ptrs = tarn_calloc(n, sizeof(Vector *)))) {
        if (l)
            tarn_free(l->vecs);
        tarn_free(l);
        return ERR_NOMEM(err, 0);
    }
    for (uint32_t c = 0; c < op->n_out; c++) {
        vec_init(&l->vecs[c], &op->out_types[c]);
        l->ptrs[c] = &l->vecs[c];
    }
    *local = l;
    return 0;
}

static int src_next(PhysOp *op, ExecCtx *x, void *local, Chunk *out, TarnError *err)
{
    (void)x;
    Sort *s = (Sort *)op;
    SrcLocal *l = local;
    out->n_rows = 0;
    out->n_cols = op->n_out;
    out->cols = l->ptrs;
    uint64_t end = s->n_order;
    if (s->limit >= 0 && (uint64_t)(s->offset + s->limit) < end)
        end = (uint64_t)(s->offset + s->limit);
    if (s->next >= end)
        return 0;
    uint32_t m = (uint32_t)(end - s->next < VEC_BATCH_ROWS ? end - s->next : VEC_BATCH_ROWS);
    for (uint32_t c = 0; c < op->n_out; c++)
        if (coll_gather(&s->rows, c, s->order + s->next, m, &l->vecs[c]))
            return ERR_NOMEM(err, m);
    s->next += m;
    out->n_rows = m;
    return 0;
}

static void src_local_free(PhysOp *op, void *local)
{
    SrcLocal *l = local;
    for (uint32_t c = 0; c < op->n_out; c++)
        vec_destroy(&l->vecs[c]);
    tarn_free(l->vecs);
    tarn_free(l->ptrs);
    tarn_free(l);
}

static void destroy(PhysOp *op)
{
    Sort *s = (Sort *)op;
    if (s->ready)
        coll_free(&s->rows);
    s->ready = false;
    tarn_free(s->order);
    s->order = NULL;
}

static void explain(PhysOp *op, Buf *out)
{
    Sort *s = (Sort *)op;
    if (s->limit >= 0)
        buf_printf(out, " (top %lld)", (long long)(s->limit + s->offset));
    buf_printf(out, ": ");
    for (uint32_t k = 0; k < s->n_items; k++) {
        if (k)
            buf_printf(out, ", ");
        expr_to_text(s->items[k].expr, out);
        if (s->items[k].desc)
            buf_printf(out, " DESC");
        if (s->items[k].nulls_first != s->items[k].desc)
            buf_printf(out, s->items[k].nulls_first ? " NULLS FIRST" : " NULLS LAST");
    }
}

static const PhysOpVT vt = {
    .name = "Sort",
    .sink_init = sink_init,
    .sink_local_init = sink_local_init,
    .sink = sink,
    .sink_combine = sink_combine,
    .sink_finalize = sink_finalize,
    .sink_local_free = slocal_free,
    .src_init = src_init,
    .src_local_init = src_local_init,
    .src_next = src_next,
    .src_local_free = src_local_free,
    .destroy = destroy,
    .explain = explain,
};

PhysOp *op_sort_new(Arena *a, PhysOp *child, const SortItem *items, uint32_t n_items, int64_t limit, int64_t offset,
                    TarnError *err)
{
    Sort *s = arena_calloc(a, sizeof *s);
    if (!s || !(s->coll_types = arena_alloc(a, (child->n_out + n_items + 1) * sizeof(LogicalType))) ||
        !(s->key_w = arena_alloc(a, (n_items + 1) * sizeof(uint32_t)))) {
        ERR_NOMEM(err, sizeof *s);
        return NULL;
    }
    s->items = items;
    s->n_items = n_items;
    s->limit = limit;
    s->offset = offset < 0 ? 0 : offset;
    s->n_child = child->n_out;
    for (uint32_t c = 0; c < child->n_out; c++)
        s->coll_types[c] = child->out_types[c];
    for (uint32_t k = 0; k < n_items; k++) {
        const LogicalType *t = &items[k].expr->type;
        if (type_is_nested(t->id)) {
            err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "sorting by nested values is not supported yet");
            return NULL;
        }
        s->coll_types[child->n_out + k] = *t;
        s->key_w[k] = enc_width(t);
        s->key_len += 1 + s->key_w[k];
        if (type_is_string_like(t->id))
            s->tiebreak = true;
    }
    physop_init(&s->op, &vt, ROLE_BREAKER, child->n_out, child->out_types);
    s->op.out_names = child->out_names;
    s->op.n_children = 1;
    s->op.children[0] = child;
    s->op.est_rows = limit >= 0 && child->est_rows > limit ? (double)limit : child->est_rows;
    return &s->op;
}
