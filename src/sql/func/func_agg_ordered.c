/*
 * func_agg_ordered.c - the ordered / DISTINCT aggregate wrapper
 * (agg_ordered.h has the design).
 *
 * A collected row is a fixed-width record: one NULL byte per column, then
 * the values (8-aligned, type_width bytes; strings as a StrView whose
 * bytes are copied into the state arena).  A group's state is the record
 * array {data, n, cap}, grown by doubling in the state arena.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sql/func/agg_ordered.h"
#include "util/mem.h"

const char agg_ordered_set_desc[] = "desc";

typedef struct OrdDesc {
    const FuncDef *inner;
    void *inner_bs;
    uint32_t n_args;            /* the wrapped aggregate's arguments */
    uint32_t n_cols;            /* n_args + sort keys */
    LogicalType *types;         /* per column */
    const LogicalType **inner_types;
    uint32_t *off;              /* value offset per column in a record */
    uint32_t rec_w;
    bool *desc, *nulls_first;   /* per sort key */
    bool distinct;
} OrdDesc;

typedef struct OrdState {
    uint8_t *data;
    uint32_t n, cap;
} OrdState;

static void ord_init(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n)
{
    (void)ctx;
    for (uint32_t i = 0; i < n; i++)
        memset(rows[i] + off, 0, sizeof(OrdState));
}

/* Points s at a copy of its bytes in arena a (kept states outlive the input). */
static int keep_str(Arena *a, StrView *s, TarnError *err)
{
    if (s->len) {
        char *p = arena_alloc(a, s->len);
        if (!p)
            return ERR_NOMEM(err, s->len);
        memcpy(p, s->ptr, s->len);
        s->ptr = p;
    }
    return 0;
}

static int ord_reserve(FuncCtx *ctx, const OrdDesc *d, OrdState *st, uint32_t more, TarnError *err)
{
    if (st->n + more <= st->cap)
        return 0;
    uint64_t nc = st->cap ? st->cap : 4;
    while (nc < (uint64_t)st->n + more)
        nc *= 2;
    if (nc > UINT32_MAX / 2)
        return ERR_NOMEM(err, nc);
    uint8_t *nd = arena_alloc(ctx->arena, (size_t)nc * d->rec_w);
    if (!nd)
        return ERR_NOMEM(err, (size_t)nc * d->rec_w);
    if (st->n)
        memcpy(nd, st->data, (size_t)st->n * d->rec_w);
    st->data = nd;
    st->cap = (uint32_t)nc;
    return 0;
}

static int ord_update(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, uint8_t *const *rows,
                      uint32_t off, TarnError *err)
{
    const OrdDesc *d = ctx->bind_state;
    for (uint32_t i = 0; i < n_rows; i++) {
        OrdState *st = (OrdState *)(rows[i] + off);
        int rc = ord_reserve(ctx, d, st, 1, err);
        if (rc)
            return rc;
        uint8_t *rec = st->data + (size_t)st->n * d->rec_w;
        memset(rec, 0, d->rec_w);
        for (uint32_t c = 0; c < d->n_cols; c++) {
            const Vector *v = args[c];
            uint32_t k = v->is_const ? 0 : i;
            if (!vec_is_valid(v, k)) {
                rec[c] = 1;
                continue;
            }
            if (type_is_string_like(d->types[c].id)) {
                StrView s = ((const StrView *)v->data)[k];
                if (keep_str(ctx->arena, &s, err))
                    return TARN_ERR_NOMEM;
                memcpy(rec + d->off[c], &s, sizeof s);
            } else {
                size_t w = type_width(&d->types[c]);
                memcpy(rec + d->off[c], v->data + w * k, w);
            }
        }
        st->n++;
    }
    (void)n_args;
    return 0;
}

/* Appends the source's records (their strings stay where they are: the
 * operators keep every state arena until they are destroyed). */
static int ord_combine(FuncCtx *ctx, uint8_t *const *src, uint8_t *const *dst, uint32_t off, uint32_t n,
                       TarnError *err)
{
    const OrdDesc *d = ctx->bind_state;
    for (uint32_t i = 0; i < n; i++) {
        OrdState *s = (OrdState *)(src[i] + off), *t = (OrdState *)(dst[i] + off);
        if (!s->n)
            continue;
        int rc = ord_reserve(ctx, d, t, s->n, err);
        if (rc)
            return rc;
        memcpy(t->data + (size_t)t->n * d->rec_w, s->data, (size_t)s->n * d->rec_w);
        t->n += s->n;
    }
    return 0;
}

#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b))

static int cmp_float(double a, double b)
{
    bool na = isnan(a), nb = isnan(b);
    if (na || nb)
        return na && nb ? 0 : na ? 1 : -1; /* NaN sorts last, equal to itself */
    return CMP(a, b);
}

/* Compares two non-NULL values of type t (PostgreSQL's ordering). */
static int cmp_value(const LogicalType *t, const uint8_t *a, const uint8_t *b)
{
    switch (t->id) {
    case TYPE_BOOL: case TYPE_UINT8: return CMP(*a, *b);
    case TYPE_INT8: return CMP(*(const int8_t *)a, *(const int8_t *)b);
    case TYPE_INT16: { int16_t x, y; memcpy(&x, a, 2); memcpy(&y, b, 2); return CMP(x, y); }
    case TYPE_UINT16: { uint16_t x, y; memcpy(&x, a, 2); memcpy(&y, b, 2); return CMP(x, y); }
    case TYPE_INT32: case TYPE_DATE: { int32_t x, y; memcpy(&x, a, 4); memcpy(&y, b, 4); return CMP(x, y); }
    case TYPE_UINT32: { uint32_t x, y; memcpy(&x, a, 4); memcpy(&y, b, 4); return CMP(x, y); }
    case TYPE_INT64: case TYPE_TIME: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: {
        int64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return CMP(x, y);
    }
    case TYPE_UINT64: { uint64_t x, y; memcpy(&x, a, 8); memcpy(&y, b, 8); return CMP(x, y); }
    case TYPE_FLOAT: { float x, y; memcpy(&x, a, 4); memcpy(&y, b, 4); return cmp_float(x, y); }
    case TYPE_DOUBLE: { double x, y; memcpy(&x, a, 8); memcpy(&y, b, 8); return cmp_float(x, y); }
    case TYPE_DECIMAL:
        if (t->precision > 18) {
            int128_t x, y;
            memcpy(&x, a, 16);
            memcpy(&y, b, 16);
            return CMP(x, y);
        } else {
            int64_t x, y;
            memcpy(&x, a, 8);
            memcpy(&y, b, 8);
            return CMP(x, y);
        }
    case TYPE_INTERVAL: {
        Interval x, y;
        memcpy(&x, a, sizeof x);
        memcpy(&y, b, sizeof y);
        int128_t p = ((int128_t)x.months * 30 + x.days) * 86400000000LL + x.micros;
        int128_t q = ((int128_t)y.months * 30 + y.days) * 86400000000LL + y.micros;
        return CMP(p, q);
    }
    case TYPE_UUID: { int c = memcmp(a, b, 16); return CMP(c, 0); }
    case TYPE_STRING: case TYPE_BLOB: case TYPE_JSON: {
        StrView x, y;
        memcpy(&x, a, sizeof x);
        memcpy(&y, b, sizeof y);
        int c = memcmp(x.ptr, y.ptr, x.len < y.len ? x.len : y.len);
        return c ? CMP(c, 0) : CMP(x.len, y.len);
    }
    default: return 0;
    }
}

/* Column c of two records; NULLs equal to each other, placed per nulls_first. */
static int cmp_col(const OrdDesc *d, uint32_t c, const uint8_t *a, const uint8_t *b, bool desc, bool nulls_first)
{
    if (a[c] || b[c]) {
        if (a[c] && b[c])
            return 0;
        return (a[c] ? 1 : -1) * (nulls_first ? -1 : 1);
    }
    int r = cmp_value(&d->types[c], a + d->off[c], b + d->off[c]);
    return desc ? -r : r;
}

/* The arguments of two records: 0 when they are the same tuple. */
static int cmp_args(const OrdDesc *d, const uint8_t *a, const uint8_t *b)
{
    for (uint32_t c = 0; c < d->n_args; c++) {
        int r = cmp_col(d, c, a, b, false, false);
        if (r)
            return r;
    }
    return 0;
}

static int cmp_rec(const void *pa, const void *pb, void *arg)
{
    const OrdDesc *d = arg;
    const uint8_t *a = *(const uint8_t *const *)pa, *b = *(const uint8_t *const *)pb;
    for (uint32_t k = 0; k < d->n_cols - d->n_args; k++) {
        int r = cmp_col(d, d->n_args + k, a, b, d->desc[k], d->nulls_first[k]);
        if (r)
            return r;
    }
    return d->distinct ? cmp_args(d, a, b) : 0;
}

typedef struct Feed {
    const OrdDesc *d;
    FuncCtx *ic;
    Vector *av;
    Vector **avp;
    uint8_t **grp;
    uint32_t m;
} Feed;

static int feed_flush(Feed *f, TarnError *err)
{
    if (!f->m)
        return 0;
    for (uint32_t c = 0; c < f->d->n_args; c++)
        f->av[c].len = f->m;
    int rc = f->d->inner->agg_update(f->ic, f->avp, f->d->n_args, f->m, f->grp, 0, err);
    f->m = 0;
    return rc;
}

static int feed_row(Feed *f, const uint8_t *rec, uint8_t *state, TarnError *err)
{
    const OrdDesc *d = f->d;
    if (f->m == 0)
        for (uint32_t c = 0; c < d->n_args; c++) {
            Vector *v = &f->av[c];
            vec_reset(v);
            if (vec_reserve(v, VEC_BATCH_ROWS))
                return ERR_NOMEM(err, VEC_BATCH_ROWS);
            if (v->validity)
                memset(v->validity, 0xFF, (VEC_BATCH_ROWS + 7) / 8);
        }
    uint32_t m = f->m;
    for (uint32_t c = 0; c < d->n_args; c++) {
        Vector *v = &f->av[c];
        size_t w = type_width(&d->types[c]);
        if (rec[c]) {
            memset(v->data + w * m, 0, w);
            if (vec_set_null(v, m))
                return ERR_NOMEM(err, 0);
        } else {
            memcpy(v->data + w * m, rec + d->off[c], w);
        }
    }
    f->grp[m] = state;
    if (++f->m == VEC_BATCH_ROWS)
        return feed_flush(f, err);
    return 0;
}

static int ord_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out, TarnError *err)
{
    const OrdDesc *d = ctx->bind_state;
    FuncCtx ic = *ctx;
    ic.def = d->inner;
    ic.bind_state = d->inner_bs;
    ic.arg_types = d->inner_types;
    ic.n_args = d->n_args;
    size_t ss = ((size_t)d->inner->state_size + 15) & ~(size_t)15;
    uint8_t *states = arena_alloc(ctx->arena, (ss ? ss : 16) * (n ? n : 1));
    uint8_t **sp = tarn_malloc((n ? n : 1) * sizeof(uint8_t *));
    uint8_t **grp = tarn_malloc(VEC_BATCH_ROWS * sizeof(uint8_t *));
    Vector *av = tarn_calloc(d->n_args ? d->n_args : 1, sizeof(Vector));
    Vector **avp = tarn_calloc(d->n_args ? d->n_args : 1, sizeof(Vector *));
    const uint8_t **recs = NULL;
    uint32_t cap_recs = 0;
    int rc = 0;
    if (!states || !sp || !grp || !av || !avp) {
        rc = ERR_NOMEM(err, n);
        goto done;
    }
    for (uint32_t c = 0; c < d->n_args; c++) {
        vec_init(&av[c], &d->types[c]);
        avp[c] = &av[c];
    }
    for (uint32_t i = 0; i < n; i++)
        sp[i] = states + ss * i;
    memset(states, 0, ss * n);
    d->inner->agg_init(&ic, sp, 0, n);
    Feed f = {d, &ic, av, avp, grp, 0};
    for (uint32_t i = 0; i < n && !rc; i++) {
        const OrdState *st = (const OrdState *)(rows[i] + off);
        if (!st->n)
            continue;
        if (st->n > cap_recs) {
            tarn_free(recs);
            cap_recs = st->n;
            if (!(recs = tarn_malloc((size_t)cap_recs * sizeof *recs))) {
                rc = ERR_NOMEM(err, cap_recs);
                break;
            }
        }
        for (uint32_t r = 0; r < st->n; r++)
            recs[r] = st->data + (size_t)r * d->rec_w;
        if (st->n > 1 && (d->n_cols > d->n_args || d->distinct))
            qsort_r(recs, st->n, sizeof *recs, cmp_rec, (void *)d);
        for (uint32_t r = 0; r < st->n && !rc; r++) {
            if (d->distinct && r && cmp_args(d, recs[r - 1], recs[r]) == 0)
                continue;
            rc = feed_row(&f, recs[r], sp[i], err);
        }
    }
    if (!rc)
        rc = feed_flush(&f, err);
    if (!rc)
        rc = d->inner->agg_finalize(&ic, sp, 0, n, out, err);
done:
    if (av)
        for (uint32_t c = 0; c < d->n_args; c++)
            vec_destroy(&av[c]);
    tarn_free(av);
    tarn_free(avp);
    tarn_free(recs);
    tarn_free(grp);
    tarn_free(sp);
    return rc;
}

int agg_ordered_wrap(Arena *a, AggCall *ac, const SortItem *keys, uint32_t n_keys, bool distinct, TarnError *err)
{
    uint32_t nc = ac->n_args + n_keys;
    OrdDesc *d = arena_calloc(a, sizeof *d);
    FuncDef *def = arena_alloc(a, sizeof *def);
    Expr **args = arena_alloc(a, (nc ? nc : 1) * sizeof(Expr *));
    if (!d || !def || !args || !(d->types = arena_alloc(a, (nc ? nc : 1) * sizeof(LogicalType))) ||
        !(d->inner_types = arena_alloc(a, (ac->n_args ? ac->n_args : 1) * sizeof(LogicalType *))) ||
        !(d->off = arena_alloc(a, (nc ? nc : 1) * sizeof(uint32_t))) ||
        !(d->desc = arena_calloc(a, (n_keys ? n_keys : 1) * sizeof(bool))) ||
        !(d->nulls_first = arena_calloc(a, (n_keys ? n_keys : 1) * sizeof(bool))))
        return ERR_NOMEM(err, sizeof *d);
    d->inner = ac->def;
    d->inner_bs = ac->bind_state;
    d->n_args = ac->n_args;
    d->n_cols = nc;
    d->distinct = distinct;
    uint32_t o = (nc + 7) & ~7u;
    for (uint32_t c = 0; c < nc; c++) {
        const Expr *e = c < ac->n_args ? ac->args[c] : keys[c - ac->n_args].expr;
        args[c] = (Expr *)e;
        d->types[c] = e->type;
        if (type_is_nested(e->type.id)) {
            err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000",
                          "ORDER BY or DISTINCT in aggregates over nested values is not supported yet");
            return TARN_ERR_UNSUPPORTED;
        }
        d->off[c] = o;
        o += ((uint32_t)type_width(&e->type) + 7) & ~7u;
    }
    d->rec_w = o;
    for (uint32_t c = 0; c < ac->n_args; c++)
        d->inner_types[c] = &d->types[c];
    for (uint32_t k = 0; k < n_keys; k++) {
        d->desc[k] = keys[k].desc;
        d->nulls_first[k] = keys[k].nulls_first;
    }
    *def = *ac->def;
    def->flags &= ~(uint32_t)FUNC_CONST_ARGS;
    def->bind = NULL;
    def->state_size = sizeof(OrdState);
    def->agg_init = ord_init;
    def->agg_update = ord_update;
    def->agg_combine = ord_combine;
    def->agg_finalize = ord_finalize;
    def->agg_destroy = NULL;
    def->agg_update1 = NULL;
    ac->def = def;
    ac->bind_state = d;
    ac->args = args;
    ac->n_args = nc;
    ac->distinct = false;
    return 0;
}

/* ---- first(x): the first value folded in (DISTINCT ON) -------------------------------------- */

typedef struct FirstState {
    uint8_t set, is_null;
    uint8_t pad_[6];
    uint8_t val[16];
} FirstState;

static void first_init(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n)
{
    (void)ctx;
    for (uint32_t i = 0; i < n; i++)
        memset(rows[i] + off, 0, sizeof(FirstState));
}

static int first_update(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, uint8_t *const *rows,
                        uint32_t off, TarnError *err)
{
    (void)n_args;
    const Vector *v = args[0];
    size_t w = type_width(v->type);
    bool str = type_is_string_like(v->type->id);
    for (uint32_t i = 0; i < n_rows; i++) {
        FirstState *st = (FirstState *)(rows[i] + off);
        if (st->set)
            continue;
        uint32_t k = v->is_const ? 0 : i;
        st->set = 1;
        if (!vec_is_valid(v, k)) {
            st->is_null = 1;
            continue;
        }
        if (str) {
            StrView s = ((const StrView *)v->data)[k];
            if (keep_str(ctx->arena, &s, err))
                return TARN_ERR_NOMEM;
            memcpy(st->val, &s, sizeof s);
        } else {
            memcpy(st->val, v->data + w * k, w);
        }
    }
    return 0;
}

static int first_combine(FuncCtx *ctx, uint8_t *const *src, uint8_t *const *dst, uint32_t off, uint32_t n,
                         TarnError *err)
{
    (void)ctx; (void)err;
    for (uint32_t i = 0; i < n; i++) {
        FirstState *s = (FirstState *)(src[i] + off), *t = (FirstState *)(dst[i] + off);
        if (!t->set && s->set)
            *t = *s;
    }
    return 0;
}

static int first_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out, TarnError *err)
{
    size_t w = type_width(ctx->ret);
    for (uint32_t i = 0; i < n; i++) {
        const FirstState *st = (const FirstState *)(rows[i] + off);
        if (!st->set || st->is_null) {
            memset(out->data + w * i, 0, w);
            if (vec_set_null(out, i))
                return ERR_NOMEM(err, 0);
        } else {
            memcpy(out->data + w * i, st->val, w);
        }
    }
    return 0;
}

static const FuncDef first_def = {
    .name = "first",
    .kind = FUNC_AGGREGATE,
    .n_args = 1,
    .args = {FUNC_T_ANYELEMENT},
    .ret = FUNC_T_ANYELEMENT,
    .state_size = sizeof(FirstState),
    .agg_init = first_init,
    .agg_update = first_update,
    .agg_combine = first_combine,
    .agg_finalize = first_finalize,
};

int agg_first_call(Expr *arg, AggCall *out, TarnError *err)
{
    if (type_is_nested(arg->type.id) || type_width(&arg->type) > 16) {
        err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "DISTINCT ON with columns of nested types is not supported yet");
        return TARN_ERR_UNSUPPORTED;
    }
    memset(out, 0, sizeof *out);
    out->def = &first_def;
    out->n_args = 1;
    out->args = NULL; /* set by the caller */
    out->type = arg->type;
    out->name = "first";
    return 0;
}
