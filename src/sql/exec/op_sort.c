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
 * sorted with qsort_r; from PAR_SORT_MIN rows the pool sorts slices in
 * parallel and a heap merges them.  The source emits rows in order on one
 * thread.
 *
 * External merge sort (spill.h): every thread charges its collection to
 * the query's memory counter; when that would pass the spill share of
 * memory_limit, the thread sorts its rows and writes them to a temporary
 * file as a sorted run (with a LIMIT only the first offset + limit rows).
 * If any run exists at finalize, the rows still in memory become one more
 * run and the source merges all runs k-way with a binary heap over each
 * run's current row (its normalized key, re-encoded as the row advances;
 * string ties decided by the full text), one chunk per run in memory.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/exec/ops.h"
#include "sql/exec/spill.h"
#include "sql/func/cast.h"

/* One sorted run being merged: its current chunk and row. */
typedef struct MergeRun {
    SpillFile *f;               /* NULL when read to the end */
    Vector *vecs;               /* current chunk (all collection columns) */
    Vector **ptrs;
    uint32_t n_vecs;
    uint32_t n, pos;            /* rows in the chunk, current row */
    uint8_t *key;               /* normalized key of the current row */
    uint32_t idx;
} MergeRun;

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
    /* external merge sort */
    const char *nospill_type;   /* a column type without spill encoding */
    int64_t charged;            /* bytes of rows charged to ExecCtx.mem_used */
    SpillFile **runs;
    uint32_t n_runs, cap_runs;
    bool merging;
    MergeRun *mr;
    uint32_t *heap, n_heap;
    uint32_t *pending, n_pending;
    uint32_t out_run[VEC_BATCH_ROWS], out_pos[VEC_BATCH_ROWS];
    uint64_t skip, emitted;
    _Atomic uint64_t n_spill_runs, spill_bytes;
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

/* ---- parallel sort of the records: slices sorted by the pool, then merged */

#define PAR_SORT_MIN 100000
#define PAR_SORT_MAX_RUNS 16

typedef struct ParSort {
    SortCmp *sc;
    uint8_t *recs;
    uint64_t n;
    uint32_t rec, parts;
} ParSort;

static void slice_of(const ParSort *ps, uint32_t i, uint64_t *from, uint64_t *to)
{
    *from = ps->n * i / ps->parts;
    *to = ps->n * (i + 1) / ps->parts;
}

static void sort_slice(void *arg, uint32_t i)
{
    ParSort *ps = arg;
    uint64_t a, b;
    slice_of(ps, i, &a, &b);
    qsort_r(ps->recs + a * ps->rec, b - a, ps->rec, cmp_rec, ps->sc);
}

#define HEAD(i) (ps->recs + pos[i] * ps->rec)
#define LESS(x, y) (cmp_rec(HEAD(x), HEAD(y), ps->sc) < 0)

/* Sifts heap[i] down the min-heap (of nh slice numbers, ordered by their
 * head records pos[]). */
static void slice_heap_down(const ParSort *ps, const uint64_t *pos, uint32_t *heap, uint32_t nh, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < nh && LESS(heap[l], heap[m]))
            m = l;
        if (r < nh && LESS(heap[r], heap[m]))
            m = r;
        if (m == i)
            return;
        uint32_t t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

/* k-way merge of the sorted slices into order[] (row ids), with a binary
 * heap of slice heads; ties go to the lower slice, which keeps qsort's
 * row-id tie-break order. */
static void merge_slices(ParSort *ps, uint32_t key_len, uint32_t *order)
{
    uint64_t pos[PAR_SORT_MAX_RUNS], end[PAR_SORT_MAX_RUNS];
    uint32_t heap[PAR_SORT_MAX_RUNS], nh = 0;
    for (uint32_t i = 0; i < ps->parts; i++) {
        slice_of(ps, i, &pos[i], &end[i]);
        if (pos[i] < end[i])
            heap[nh++] = i;
    }
    for (uint32_t k = nh / 2; k-- > 0;)
        slice_heap_down(ps, pos, heap, nh, k);
    uint64_t o = 0;
    while (nh) {
        uint32_t top = heap[0];
        memcpy(&order[o++], HEAD(top) + key_len, 4);
        if (++pos[top] == end[top])
            heap[0] = heap[--nh];
        slice_heap_down(ps, pos, heap, nh, 0);
    }
}
#undef LESS
#undef HEAD

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
    uint32_t P = pool_size() > 1 && n >= PAR_SORT_MIN ? pool_size() * 2 : 1;
    if (P > PAR_SORT_MAX_RUNS)
        P = PAR_SORT_MAX_RUNS;
    if (P > 1) {
        /* parallel sort: threads sort slices, then one k-way merge */
        ParSort ps = {&sc, recs, n, rec, P};
        pool_run(P, sort_slice, &ps);
        merge_slices(&ps, s->key_len, order);
    } else {
        qsort_r(recs, n, rec, cmp_rec, &sc);
        for (i = 0; i < n; i++)
            memcpy(&order[i], recs + i * rec + s->key_len, 4);
    }
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

static void encode_row(const Sort *s, const Vector *cols, uint32_t r, uint8_t *p);

/* Top-N: keeps the first offset + limit rows of c.  When bound is given
 * and c then holds exactly offset + limit rows, the encoded key of the
 * last one goes there (only when the keys are fully encoded: no
 * tie-break on long strings), so later rows can be tested against it
 * before they are kept; *has_bound says whether it was set. */
static int prune(Sort *s, Collection *c, uint8_t *bound, bool *has_bound, TarnError *err)
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
    if (bound && has_bound) {
        *has_bound = false;
        if (!s->tiebreak && keep > 0 && c->n_rows == keep && c->n_chunks) {
            const CollChunk *k = &c->chunks[c->n_chunks - 1];
            if (k->n_rows) {
                encode_row(s, k->cols, k->n_rows - 1, bound);
                *has_bound = true;
            }
        }
    }
    return 0;
}

/* ---- sink ---------------------------------------------------------------------------------------- */

typedef struct SLocal {
    Collection c;
    ExprState **keys;
    Vector **cols;
    /* top-N: the key of the worst row kept (a row must sort before it
     * to be kept), and the selection / key scratch of the test */
    uint8_t *bound, *key;
    bool has_bound;
    uint32_t *sel, sel_cap;
    int64_t charged;
    SpillFile **runs;
    uint32_t n_runs, cap_runs;
} SLocal;
/* ---- external merge sort (spill.h) ------------------------------------------------------------------ */

/* Encodes sort key q of row r of v into p (1 + key_w[q] bytes). */
static void encode_item(const Sort *s, uint32_t q, const Vector *v, uint32_t r, uint8_t *p)
{
    const SortItem *it = &s->items[q];
    uint32_t w = s->key_w[q];
    if (!vec_is_valid(v, r)) {
        p[0] = it->nulls_first ? 0 : 2;
        memset(p + 1, 0, w);
    } else {
        p[0] = 1;
        encode(v, r, p + 1);
        if (it->desc)
            for (uint32_t b = 0; b < w; b++)
                p[1 + b] = (uint8_t)~p[1 + b];
    }
}

/* Encodes the sort keys of row r (key columns at cols[n_child..]) into p. */
static void encode_row(const Sort *s, const Vector *cols, uint32_t r, uint8_t *p)
{
    uint32_t off = 0;
    for (uint32_t q = 0; q < s->n_items; q++) {
        encode_item(s, q, &cols[s->n_child + q], r, p + off);
        off += 1 + s->key_w[q];
    }
}

/* Writes the rows of c, sorted, to a new run (only the first offset +
 * limit with a LIMIT); c ends empty. */
static int write_run(Sort *s, ExecCtx *x, Collection *c, SpillFile **out, TarnError *err)
{
    uint32_t *order = NULL;
    uint64_t n;
    int rc = sort_rows(s, c, &order, &n, err);
    if (rc)
        return rc;
    if (s->limit >= 0 && (uint64_t)(s->limit + s->offset) < n)
        n = (uint64_t)(s->limit + s->offset);
    uint32_t nc = c->n_cols;
    Vector *v = tarn_calloc(nc ? nc : 1, sizeof(Vector));
    Vector **p = tarn_calloc(nc ? nc : 1, sizeof(Vector *));
    SpillFile *f = NULL;
    if (!v || !p) {
        rc = ERR_NOMEM(err, 0);
        goto done;
    }
    for (uint32_t k = 0; k < nc; k++) {
        vec_init(&v[k], &s->coll_types[k]);
        p[k] = &v[k];
    }
    if (!(f = spill_open(x, err))) {
        rc = err->kind;
        goto done;
    }
    for (uint64_t i = 0; i < n && !rc; i += COLL_CHUNK_ROWS) {
        uint32_t m = (uint32_t)(n - i < COLL_CHUNK_ROWS ? n - i : COLL_CHUNK_ROWS);
        for (uint32_t k = 0; k < nc && !rc; k++)
            if (coll_gather(c, k, order + i, m, &v[k]))
                rc = ERR_NOMEM(err, m);
        Chunk ch = {m, nc, p};
        if (!rc)
            rc = spill_write(f, &ch, nc, NULL, m, err);
    }
    if (!rc) {
        atomic_fetch_add(&s->spill_bytes, spill_bytes(f));
        atomic_fetch_add(&s->n_spill_runs, 1);
        *out = f;
        f = NULL;
    }
done:
    spill_close(f);
    if (v)
        for (uint32_t k = 0; k < nc; k++)
            vec_destroy(&v[k]);
    tarn_free(v);
    tarn_free(p);
    tarn_free(order);
    coll_free(c);
    coll_init(c, s->n_child + s->n_items, s->coll_types);
    return rc;
}

static int add_run(SpillFile ***runs, uint32_t *n, uint32_t *cap, SpillFile *f, TarnError *err)
{
    if (*n == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 8;
        SpillFile **r = tarn_realloc(*runs, nc * sizeof *r);
        if (!r) {
            spill_close(f);
            return ERR_NOMEM(err, nc * sizeof *r);
        }
        *runs = r;
        *cap = nc;
    }
    (*runs)[(*n)++] = f;
    return 0;
}

/* Charges a thread's collection; over the spill share it becomes a run. */
static int sort_mem_check(Sort *s, ExecCtx *x, SLocal *l, TarnError *err)
{
    int64_t d = (int64_t)l->c.mem_bytes - l->charged;
    if (d < 0) {
        exec_mem_release(x, -d);
        l->charged += d;
        return 0;
    }
    if (exec_mem_try(x, d, exec_spill_cap(x))) {
        l->charged += d;
        return 0;
    }
    if (s->limit >= 0 && l->c.n_rows > (uint64_t)(s->limit + s->offset)) {
        /* top-N: dropping rows beyond offset + limit may be enough */
        int rc = prune(s, &l->c, l->bound, &l->has_bound, err);
        if (rc)
            return rc;
        return sort_mem_check(s, x, l, err);
    }
    if (s->nospill_type) {
        /* cannot spill: it may use all of memory_limit */
        if (exec_mem_try(x, d, x->mem_budget)) {
            l->charged += d;
            return 0;
        }
        char what[160];
        snprintf(what, sizeof what, "Sort over a column of type %s (which cannot be spilled to disk)", s->nospill_type);
        return exec_mem_error(x, what, err);
    }
    exec_mem_release(x, l->charged);
    l->charged = 0;
    SpillFile *f = NULL;
    int rc = write_run(s, x, &l->c, &f, err);
    return rc ? rc : add_run(&l->runs, &l->n_runs, &l->cap_runs, f, err);
}

static int merge_cmp(const Sort *s, const MergeRun *a, const MergeRun *b)
{
    if (!s->tiebreak) {
        int c = memcmp(a->key, b->key, s->key_len);
        return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
    }
    uint32_t off = 0;
    for (uint32_t k = 0; k < s->n_items; k++) {
        uint32_t w = 1 + s->key_w[k];
        int c = memcmp(a->key + off, b->key + off, w);
        if (c)
            return c;
        if (type_is_string_like(s->coll_types[s->n_child + k].id) && a->key[off] == 1) {
            const StrView *x = &((const StrView *)a->vecs[s->n_child + k].data)[a->pos];
            const StrView *y = &((const StrView *)b->vecs[s->n_child + k].data)[b->pos];
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
    return (a->idx > b->idx) - (a->idx < b->idx);
}

static void heap_down(Sort *s, uint32_t i)
{
    uint32_t *h = s->heap, n = s->n_heap;
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && merge_cmp(s, &s->mr[h[l]], &s->mr[h[m]]) < 0)
            m = l;
        if (r < n && merge_cmp(s, &s->mr[h[r]], &s->mr[h[m]]) < 0)
            m = r;
        if (m == i)
            return;
        uint32_t t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static void heap_up(Sort *s, uint32_t i)
{
    uint32_t *h = s->heap;
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (merge_cmp(s, &s->mr[h[i]], &s->mr[h[p]]) >= 0)
            return;
        uint32_t t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

/* Reads run r's next chunk; pushes it on the heap unless the run is done. */
static int run_fill(Sort *s, uint32_t r, TarnError *err)
{
    MergeRun *m = &s->mr[r];
    Chunk c;
    int rc = spill_read(m->f, m->vecs, m->ptrs, s->n_child + s->n_items, &c, err);
    if (rc)
        return rc;
    m->n = c.n_rows;
    m->pos = 0;
    if (!m->n) {
        spill_close(m->f);
        m->f = NULL;
        return 0;
    }
    encode_row(s, m->vecs, 0, m->key);
    s->heap[s->n_heap++] = r;
    heap_up(s, s->n_heap - 1);
    return 0;
}

/* Finalize with runs: the rows still in memory become one more run; then
 * every run is opened for the k-way merge. */
static int merge_setup(Sort *s, ExecCtx *x, TarnError *err)
{
    int rc;
    if (s->rows.n_rows) {
        SpillFile *f = NULL;
        exec_mem_release(x, s->charged);
        s->charged = 0;
        if ((rc = write_run(s, x, &s->rows, &f, err)) || (rc = add_run(&s->runs, &s->n_runs, &s->cap_runs, f, err)))
            return rc;
    }
    uint32_t nc = s->n_child + s->n_items;
    s->mr = tarn_calloc(s->n_runs, sizeof(MergeRun));
    s->heap = tarn_calloc(s->n_runs, sizeof(uint32_t));
    s->pending = tarn_calloc(s->n_runs, sizeof(uint32_t));
    if (!s->mr || !s->heap || !s->pending)
        return ERR_NOMEM(err, s->n_runs);
    s->merging = true;
    for (uint32_t r = 0; r < s->n_runs; r++) {
        MergeRun *m = &s->mr[r];
        m->idx = r;
        m->f = s->runs[r];
        s->runs[r] = NULL;
        m->vecs = tarn_calloc(nc, sizeof(Vector));
        m->ptrs = tarn_calloc(nc, sizeof(Vector *));
        m->key = tarn_malloc(s->key_len + 1);
        if (!m->vecs || !m->ptrs || !m->key)
            return ERR_NOMEM(err, nc);
        m->n_vecs = nc;
        for (uint32_t k = 0; k < nc; k++)
            vec_init(&m->vecs[k], &s->coll_types[k]);
        if ((rc = spill_rewind(m->f, err)) || (rc = run_fill(s, r, err)))
            return rc;
    }
    s->skip = (uint64_t)s->offset;
    return 0;
}

/* The next rows of the merge into out (vectors l->vecs). */
static int merge_next(Sort *s, Vector *vecs, Chunk *out, TarnError *err)
{
    uint32_t n = 0;
again:
    /* runs whose chunk ran out while the previous output still used it */
    for (uint32_t i = 0; i < s->n_pending; i++) {
        int rc = run_fill(s, s->pending[i], err);
        if (rc)
            return rc;
    }
    s->n_pending = 0;
    while (n < VEC_BATCH_ROWS && s->n_heap) {
        if (s->limit >= 0 && s->emitted >= (uint64_t)s->limit) {
            s->n_heap = 0;
            break;
        }
        uint32_t r = s->heap[0];
        MergeRun *m = &s->mr[r];
        if (s->skip) {
            s->skip--;
        } else {
            s->out_run[n] = r;
            s->out_pos[n++] = m->pos;
            s->emitted++;
        }
        if (++m->pos < m->n) {
            encode_row(s, m->vecs, m->pos, m->key);
            heap_down(s, 0);
            continue;
        }
        /* the run's chunk is used up: refill it at the next call (its rows
         * may still be in this output), and stop here to keep the order */
        s->heap[0] = s->heap[--s->n_heap];
        if (s->n_heap)
            heap_down(s, 0);
        s->pending[s->n_pending++] = r;
        break;
    }
    if (!n && s->n_pending)
        goto again; /* all of it was skipped by OFFSET */
    for (uint32_t c = 0; c < s->op.n_out; c++) {
        Vector *v = &vecs[c];
        if (vec_prepare(v, n))
            return ERR_NOMEM(err, n);
        size_t w = type_width(v->type);
        for (uint32_t i = 0; i < n; i++) {
            const Vector *src = &s->mr[s->out_run[i]].vecs[c];
            uint32_t p = s->out_pos[i];
            memcpy(v->data + w * i, src->data + w * p, w);
            if (!vec_is_valid(src, p) && vec_set_null(v, i))
                return ERR_NOMEM(err, n);
        }
    }
    out->n_rows = n;
    return 0;
}

static void merge_free(Sort *s)
{
    for (uint32_t r = 0; r < s->n_runs; r++) {
        spill_close(s->runs[r]);
        if (s->mr) {
            MergeRun *m = &s->mr[r];
            spill_close(m->f);
            for (uint32_t k = 0; k < m->n_vecs; k++)
                vec_destroy(&m->vecs[k]);
            tarn_free(m->vecs);
            tarn_free(m->ptrs);
            tarn_free(m->key);
        }
    }
    tarn_free(s->runs);
    tarn_free(s->mr);
    tarn_free(s->heap);
    tarn_free(s->pending);
    s->runs = NULL;
    s->mr = NULL;
    s->heap = s->pending = NULL;
    s->n_runs = s->cap_runs = s->n_heap = s->n_pending = 0;
    s->merging = false;
}


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
    for (uint32_t r = 0; r < l->n_runs; r++)
        spill_close(l->runs[r]);
    tarn_free(l->runs);
    if (l->keys)
        for (uint32_t k = 0; k < s->n_items; k++)
            expr_state_free(l->keys[k]);
    tarn_free(l->keys);
    tarn_free(l->cols);
    tarn_free(l->bound);
    tarn_free(l->key);
    tarn_free(l->sel);
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
    (void)done;
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
    const uint32_t *sel = NULL;
    uint32_t n = in->n_rows;
    if (l->has_bound) {
        /* top-N: only rows that sort before the worst one kept can enter */
        if (in->n_rows > l->sel_cap) {
            uint32_t *ns = tarn_realloc(l->sel, (size_t)in->n_rows * sizeof(uint32_t));
            if (!ns)
                return ERR_NOMEM(err, (size_t)in->n_rows * sizeof(uint32_t));
            l->sel = ns;
            l->sel_cap = in->n_rows;
        }
        uint32_t m = 0;
        for (uint32_t r = 0; r < in->n_rows; r++) {
            uint32_t off = 0;
            for (uint32_t q = 0; q < s->n_items; q++) {
                encode_item(s, q, l->cols[s->n_child + q], r, l->key + off);
                off += 1 + s->key_w[q];
            }
            if (memcmp(l->key, l->bound, s->key_len) < 0)
                l->sel[m++] = r;
        }
        if (!m)
            return 0;
        sel = l->sel;
        n = m;
    }
    int rc = coll_append(&l->c, &c, sel, n, err);
    if (rc)
        return rc;
    if (s->limit >= 0) {
        uint64_t keep = (uint64_t)(s->limit + s->offset);
        uint64_t thr = keep * 4 > 65536 ? keep * 4 : 65536;
        if (!l->bound && keep > 0 && !s->tiebreak) {
            l->bound = tarn_malloc(s->key_len + 1);
            l->key = tarn_malloc(s->key_len + 1);
            if (!l->bound || !l->key)
                return ERR_NOMEM(err, s->key_len);
        }
        if (l->c.n_rows > thr && (rc = prune(s, &l->c, l->bound, &l->has_bound, err)))
            return rc;
    }
    return sort_mem_check(s, x, l, err);
}

static int sink_combine(PhysOp *op, ExecCtx *x, void *local, TarnError *err)
{
    (void)x;
    Sort *s = (Sort *)op;
    SLocal *l = local;
    s->charged += l->charged;
    l->charged = 0;
    for (uint32_t r = 0; r < l->n_runs; r++) {
        int rc = add_run(&s->runs, &s->n_runs, &s->cap_runs, l->runs[r], err);
        l->runs[r] = NULL;
        if (rc)
            return rc;
    }
    l->n_runs = 0;
    return coll_move(&s->rows, &l->c, err);
}

static int sink_finalize(PhysOp *op, ExecCtx *x, TarnError *err)
{
    Sort *s = (Sort *)op;
    if (s->n_runs)
        return merge_setup(s, x, err);
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
    if (s->merging)
        return merge_next(s, l->vecs, out, err);
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
    merge_free(s);
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
    uint64_t nr = atomic_load(&s->n_spill_runs);
    if (nr)
        buf_printf(out, " (spilled: %llu runs, %llu kB)", (unsigned long long)nr,
                   (unsigned long long)((atomic_load(&s->spill_bytes) + 1023) / 1024));
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
    for (uint32_t c = 0; c < child->n_out; c++) {
        s->coll_types[c] = child->out_types[c];
        if (!s->nospill_type && !spill_type_ok(&child->out_types[c])) {
            char tn[64];
            s->nospill_type = arena_strdup(a, sqltype_name(&child->out_types[c], tn, sizeof tn));
        }
    }
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
