/*
 * func_agg.c - aggregate functions beyond the core count/sum/avg/min/max
 * (PG docs 9.21): stddev, stddev_samp, stddev_pop, variance, var_samp,
 * var_pop, bool_and, bool_or, every, bit_and, bit_or, bit_xor, string_agg,
 * array_agg, and the ordered-set aggregates percentile_cont,
 * percentile_disc and mode.
 *
 * Statistics over double precision follow PostgreSQL's float8_accum
 * (Youngs-Cramer: N, Sx, Sxx; float8_combine for parallel merges), so the
 * results are bit-for-bit PostgreSQL's.  Over integers and numeric
 * PostgreSQL accumulates exact sums of x and x^2 and returns numeric: tarn
 * does the same in 128-bit integers (falling back to long double when a
 * sum would overflow) and returns numeric(38, max(16, 2 * input scale)).
 * PostgreSQL picks the scale per value (16 significant digits), so values
 * of the variance outside [1, 10000) show a different number of trailing
 * digits; the digits shown agree.
 *
 * Ordered-set aggregates: `percentile_cont(f) WITHIN GROUP (ORDER BY x)`
 * is called as the aggregate percentile_cont(f, x) - the direct argument
 * first (constant per group), the ordered value second; mode() WITHIN
 * GROUP (ORDER BY x) is mode(x).  The aggregate collects the non-NULL
 * values and sorts them itself in finalize, so the engine needs no sort
 * (ascending order; DESC is not supported).
 *
 * Growing states (string_agg, array_agg, the ordered-set values) allocate
 * from ctx->arena, which lives as long as the group states: no destroy.
 */
#include "sql/func/agg_ordered.h"
#include "sql/func/func_lib.h"

#include <math.h>
#include <stdlib.h>

#include "util/datetime.h"

#define ST(T) ((T *)(rows[i] + off))
#define VALID(v, i) vec_is_valid((v), FUNC_IDX((v), (i)))

static void init_zero(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n)
{
    uint32_t sz = ctx->def->state_size;
    for (uint32_t i = 0; i < n; i++)
        memset(rows[i] + off, 0, sz);
}

/* ---- Variance / stddev over floats ------------------------------------------------------------ */

typedef struct VarF {
    double n, sx, sxx;
} VarF;

static int float_overflow(TarnError *err)
{
    return fl_err(err, "22003", "value out of range: overflow");
}

/* PostgreSQL's float8_accum step. */
static inline int varf_add(VarF *s, double x, TarnError *err)
{
    double n = s->n + 1.0, sx = s->sx + x, sxx = s->sxx;
    if (s->n > 0.0) {
        double tmp = x * n - sx;
        sxx += tmp * tmp / (n * s->n);
        if (isinf(sx) || isinf(sxx)) {
            if (!isinf(s->sx) && !isinf(x))
                return float_overflow(err);
            sxx = NAN;
        }
    } else if (isnan(x) || isinf(x)) {
        sxx = NAN;
    }
    s->n = n;
    s->sx = sx;
    s->sxx = sxx;
    return 0;
}

static double arg_double(const Vector *v, uint32_t k)
{
    switch (v->type->id) {
    case TYPE_FLOAT: return VEC_DATA(v, float)[k];
    default: return VEC_DATA(v, double)[k];
    }
}

static int varf_update(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *const *rows,
                       uint32_t off, TarnError *err)
{
    const Vector *a = args[0];
    for (uint32_t i = 0; i < n; i++) {
        if (!VALID(a, i))
            continue;
        if (varf_add(ST(VarF), arg_double(a, FUNC_IDX(a, i)), err))
            return TARN_ERR_INVALID;
    }
    return 0;
}

static int varf_update1(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *state,
                        TarnError *err)
{
    const Vector *a = args[0];
    VarF *s = (VarF *)state;
    if (a->is_const) {
        if (!vec_is_valid(a, 0))
            return 0;
        double x = arg_double(a, 0);
        for (uint32_t i = 0; i < n; i++)
            if (varf_add(s, x, err))
                return TARN_ERR_INVALID;
        return 0;
    }
    VarF t = *s;
    if (a->type->id == TYPE_DOUBLE && !a->validity) {
        const double *x = VEC_DATA(a, double);
        for (uint32_t i = 0; i < n; i++)
            if (varf_add(&t, x[i], err))
                return TARN_ERR_INVALID;
    } else {
        for (uint32_t i = 0; i < n; i++)
            if (vec_is_valid(a, i) && varf_add(&t, arg_double(a, i), err))
                return TARN_ERR_INVALID;
    }
    *s = t;
    return 0;
}

/* PostgreSQL's float8_combine. */
static int varf_combine(FuncCtx *ctx, uint8_t *const *src, uint8_t *const *dst, uint32_t off, uint32_t n,
                        TarnError *err)
{
    for (uint32_t i = 0; i < n; i++) {
        const VarF *a = (const VarF *)(src[i] + off);
        VarF *d = (VarF *)(dst[i] + off);
        if (a->n == 0.0)
            continue;
        if (d->n == 0.0) {
            *d = *a;
            continue;
        }
        double N = d->n + a->n, sx = d->sx + a->sx;
        if (isinf(sx) && !isinf(d->sx) && !isinf(a->sx))
            return float_overflow(err);
        double tmp = d->sx / d->n - a->sx / a->n;
        double sxx = d->sxx + a->sxx + d->n * a->n * tmp * tmp / N;
        if (isinf(sxx) && !isinf(d->sxx) && !isinf(a->sxx))
            return float_overflow(err);
        d->n = N;
        d->sx = sx;
        d->sxx = sxx;
    }
    return 0;
}

/* mode: bit 0 sample (else population), bit 1 stddev (else variance). */
static int varf_finalize_mode(uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out, TarnError *err,
                              int mode)
{
    double *r = VEC_DATA(out, double);
    bool sample = mode & 1, sd = mode & 2;
    for (uint32_t i = 0; i < n; i++) {
        const VarF *s = ST(VarF);
        r[i] = 0;
        if (s->n == 0.0 || (sample && s->n <= 1.0)) {
            if (fl_set_null(out, i, err))
                return TARN_ERR_NOMEM;
            continue;
        }
        double v = s->sxx / (sample ? s->n - 1.0 : s->n);
        r[i] = sd ? sqrt(v) : v;
    }
    out->len = n;
    return 0;
}

#define VARF_FIN(NAME, MODE)                                                                   \
    static int NAME(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out,  \
                    TarnError *err)                                                            \
    {                                                                                          \
        return varf_finalize_mode(rows, off, n, out, err, MODE);                               \
    }
VARF_FIN(varf_fin_var_pop, 0)
VARF_FIN(varf_fin_var_samp, 1)
VARF_FIN(varf_fin_sd_pop, 2)
VARF_FIN(varf_fin_sd_samp, 3)

/* ---- Variance / stddev over integers and numeric ---------------------------------------------------- */

typedef struct VarN {
    int64_t n;
    int64_t inexact;      /* a sum overflowed: the long double sums below are used */
    int128_t sx;          /* sum of x, at the input scale */
    int128_t sxx;         /* sum of x^2, at twice the input scale */
    long double lsx, lsxx;/* the same sums as long double (always kept) */
} VarN;

static int128_t arg_unscaled(const Vector *v, uint32_t k)
{
    switch (v->type->id) {
    case TYPE_INT16: return VEC_DATA(v, int16_t)[k];
    case TYPE_INT32: return VEC_DATA(v, int32_t)[k];
    case TYPE_INT64: return VEC_DATA(v, int64_t)[k];
    default: return fl_dec_get(v, k);
    }
}

static inline void varn_add(VarN *s, int128_t x)
{
    int128_t x2;
    s->n++;
    if (!s->inexact) {
        if (__builtin_mul_overflow(x, x, &x2) || __builtin_add_overflow(s->sx, x, &s->sx) ||
            __builtin_add_overflow(s->sxx, x2, &s->sxx))
            s->inexact = 1;
    }
    long double lx = (long double)x;
    s->lsx += lx;
    s->lsxx += lx * lx;
}

static int varn_update(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *const *rows,
                       uint32_t off, TarnError *err)
{
    const Vector *a = args[0];
    for (uint32_t i = 0; i < n; i++)
        if (VALID(a, i))
            varn_add(ST(VarN), arg_unscaled(a, FUNC_IDX(a, i)));
    return 0;
}

static int varn_update1(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *state,
                        TarnError *err)
{
    const Vector *a = args[0];
    VarN *s = (VarN *)state;
    for (uint32_t i = 0; i < n; i++)
        if (VALID(a, i))
            varn_add(s, arg_unscaled(a, FUNC_IDX(a, i)));
    return 0;
}

static int varn_combine(FuncCtx *ctx, uint8_t *const *src, uint8_t *const *dst, uint32_t off, uint32_t n,
                        TarnError *err)
{
    for (uint32_t i = 0; i < n; i++) {
        const VarN *a = (const VarN *)(src[i] + off);
        VarN *d = (VarN *)(dst[i] + off);
        d->n += a->n;
        d->inexact |= a->inexact;
        if (!d->inexact && (__builtin_add_overflow(d->sx, a->sx, &d->sx) ||
                            __builtin_add_overflow(d->sxx, a->sxx, &d->sxx)))
            d->inexact = 1;
        d->lsx += a->lsx;
        d->lsxx += a->lsxx;
    }
    return 0;
}

static int input_scale(const FuncCtx *ctx)
{
    const LogicalType *t = ctx->arg_types[0];
    return t->id == TYPE_DECIMAL ? t->scale : 0;
}

static int bind_varn(FuncBindInfo *b, TarnError *err)
{
    int s = b->arg_types[0].id == TYPE_DECIMAL ? b->arg_types[0].scale : 0;
    int rs = 2 * s > 16 ? 2 * s : 16;
    if (rs > 30)
        rs = 30;
    b->ret = type_decimal(38, rs);
    return 0;
}

/* Rounded num / den (den > 0) at scale `shift` (num * 10^shift / den);
 * false on overflow. */
static bool div_scaled(int128_t num, int128_t den, int shift, int128_t *out)
{
    /* long division digit by digit keeps intermediates small */
    int128_t q = num / den, r = num % den;
    for (int k = 0; k < shift; k++) {
        if (__builtin_mul_overflow(q, (int128_t)10, &q))
            return false;
        r *= 10; /* r < den, den * 10 fits while den < 1.7e37 */
        q += r / den;
        r %= den;
    }
    if (2 * r >= den)
        q++;
    *out = q;
    return true;
}

/* sqrt of v (scale s) at scale s, rounded; false on overflow. */
static bool sqrt_scaled(int128_t v, int s, int128_t *out)
{
    /* N = v * 10^s; result = round(sqrt(N)) */
    unsigned __int128 N;
    if (s > 38 || __builtin_mul_overflow((unsigned __int128)v, (unsigned __int128)fl_pow10(s), &N)) {
        long double r = sqrtl((long double)v / (long double)fl_pow10(s));
        long double m = roundl(r * powl(10.0L, (long double)s));
        if (!(m < 1.7e38L))
            return false;
        *out = (int128_t)m;
        return true;
    }
    unsigned __int128 r = (unsigned __int128)sqrtl((long double)N);
    while (r > 0 && r * r > N)
        r--;
    while ((r + 1) * (r + 1) <= N)
        r++;
    if (N > r * r + r)
        r++;
    *out = (int128_t)r;
    return true;
}

static int varn_finalize_mode(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out,
                              TarnError *err, int mode)
{
    bool sample = mode & 1, sd = mode & 2;
    int s = input_scale(ctx), rs = out->type->scale;
    for (uint32_t i = 0; i < n; i++) {
        const VarN *st = ST(VarN);
        fl_dec_put(out, i, 0);
        if (st->n == 0 || (sample && st->n <= 1)) {
            if (fl_set_null(out, i, err))
                return TARN_ERR_NOMEM;
            continue;
        }
        int128_t N = st->n, num, den, res = 0;
        bool exact = !st->inexact;
        /* numerator = N * sxx - sx^2 (scale 2s), denominator N * (N - 1) or N^2 */
        if (exact) {
            int128_t a, b;
            exact = !__builtin_mul_overflow(N, st->sxx, &a) && !__builtin_mul_overflow(st->sx, st->sx, &b) &&
                    !__builtin_sub_overflow(a, b, &num) &&
                    !__builtin_mul_overflow(N, sample ? N - 1 : N, &den);
        }
        if (exact) {
            if (num <= 0) {
                res = 0;
            } else {
                int shift = rs - 2 * s;
                int128_t var;
                exact = shift >= 0 && div_scaled(num, den, shift, &var);
                if (exact)
                    exact = sd ? sqrt_scaled(var, rs, &res) : (res = var, true);
            }
        }
        if (!exact) {
            long double ln = (long double)st->n, scale = powl(10.0L, (long double)s);
            long double sx = st->lsx / scale, sxx = st->lsxx / (scale * scale);
            long double numl = ln * sxx - sx * sx, denl = ln * (sample ? ln - 1 : ln);
            long double v = numl <= 0 ? 0 : numl / denl;
            if (sd)
                v = sqrtl(v);
            long double m = roundl(v * powl(10.0L, (long double)rs));
            if (!(fabsl(m) < 1e38L))
                return fl_err(err, "22003", "value overflows numeric format");
            res = (int128_t)m;
        }
        if (!fl_dec_fits(res, out->type->precision))
            return fl_err(err, "22003", "value overflows numeric format");
        fl_dec_put(out, i, res);
    }
    out->len = n;
    return 0;
}

#define VARN_FIN(NAME, MODE)                                                                   \
    static int NAME(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out,  \
                    TarnError *err)                                                            \
    {                                                                                          \
        return varn_finalize_mode(ctx, rows, off, n, out, err, MODE);                          \
    }
VARN_FIN(varn_fin_var_pop, 0)
VARN_FIN(varn_fin_var_samp, 1)
VARN_FIN(varn_fin_sd_pop, 2)
VARN_FIN(varn_fin_sd_samp, 3)

/* ---- bool_and, bool_or, every ------------------------------------------------------------------------ */

typedef struct BoolSt {
    uint8_t has, val;
} BoolSt;

static int booland_update(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *const *rows,
                          uint32_t off, TarnError *err)
{
    const Vector *a = args[0];
    for (uint32_t i = 0; i < n; i++) {
        if (!VALID(a, i))
            continue;
        BoolSt *s = ST(BoolSt);
        uint8_t x = a->data[FUNC_IDX(a, i)];
        s->val = s->has ? (s->val & x) : x;
        s->has = 1;
    }
    return 0;
}

static int boolor_update(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *const *rows,
                         uint32_t off, TarnError *err)
{
    const Vector *a = args[0];
    for (uint32_t i = 0; i < n; i++) {
        if (!VALID(a, i))
            continue;
        BoolSt *s = ST(BoolSt);
        uint8_t x = a->data[FUNC_IDX(a, i)];
        s->val = s->has ? (s->val | x) : x;
        s->has = 1;
    }
    return 0;
}

static int bool_combine_op(uint8_t *const *src, uint8_t *const *dst, uint32_t off, uint32_t n, bool is_and)
{
    for (uint32_t i = 0; i < n; i++) {
        const BoolSt *a = (const BoolSt *)(src[i] + off);
        BoolSt *d = (BoolSt *)(dst[i] + off);
        if (!a->has)
            continue;
        d->val = d->has ? (is_and ? (d->val & a->val) : (d->val | a->val)) : a->val;
        d->has = 1;
    }
    return 0;
}

static int booland_combine(FuncCtx *ctx, uint8_t *const *src, uint8_t *const *dst, uint32_t off, uint32_t n,
                           TarnError *err)
{
    return bool_combine_op(src, dst, off, n, true);
}

static int boolor_combine(FuncCtx *ctx, uint8_t *const *src, uint8_t *const *dst, uint32_t off, uint32_t n,
                          TarnError *err)
{
    return bool_combine_op(src, dst, off, n, false);
}

static int bool_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out,
                         TarnError *err)
{
    for (uint32_t i = 0; i < n; i++) {
        const BoolSt *s = ST(BoolSt);
        out->data[i] = s->val;
        if (!s->has && fl_set_null(out, i, err))
            return TARN_ERR_NOMEM;
    }
    out->len = n;
    return 0;
}

/* ---- bit_and, bit_or, bit_xor -------------------------------------------------------------------------- */

typedef struct BitSt {
    int64_t has, val;
} BitSt;

static int64_t arg_int(const Vector *v, uint32_t k)
{
    switch (v->type->id) {
    case TYPE_INT16: return VEC_DATA(v, int16_t)[k];
    case TYPE_INT32: return VEC_DATA(v, int32_t)[k];
    default: return VEC_DATA(v, int64_t)[k];
    }
}

/* op: 0 and, 1 or, 2 xor */
static inline int64_t bit_op(int64_t a, int64_t b, int op)
{
    return op == 0 ? (a & b) : op == 1 ? (a | b) : (a ^ b);
}

#define BIT_AGG(NAME, OP)                                                                          \
    static int NAME##_update(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n,                  \
                             uint8_t *const *rows, uint32_t off, TarnError *err)                   \
    {                                                                                              \
        const Vector *a = args[0];                                                                 \
        for (uint32_t i = 0; i < n; i++) {                                                         \
            if (!VALID(a, i))                                                                      \
                continue;                                                                          \
            BitSt *s = ST(BitSt);                                                                  \
            int64_t x = arg_int(a, FUNC_IDX(a, i));                                                \
            s->val = s->has ? bit_op(s->val, x, OP) : x;                                           \
            s->has = 1;                                                                            \
        }                                                                                          \
        return 0;                                                                                  \
    }                                                                                              \
    static int NAME##_combine(FuncCtx *ctx, uint8_t *const *src, uint8_t *const *dst, uint32_t off, \
                              uint32_t n, TarnError *err)                                          \
    {                                                                                              \
        for (uint32_t i = 0; i < n; i++) {                                                         \
            const BitSt *a = (const BitSt *)(src[i] + off);                                        \
            BitSt *d = (BitSt *)(dst[i] + off);                                                    \
            if (!a->has)                                                                           \
                continue;                                                                          \
            d->val = d->has ? bit_op(d->val, a->val, OP) : a->val;                                 \
            d->has = 1;                                                                            \
        }                                                                                          \
        return 0;                                                                                  \
    }
BIT_AGG(bitand, 0)
BIT_AGG(bitor, 1)
BIT_AGG(bitxor, 2)

static int bit_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out,
                        TarnError *err)
{
    for (uint32_t i = 0; i < n; i++) {
        const BitSt *s = ST(BitSt);
        switch (out->type->id) {
        case TYPE_INT16: VEC_DATA(out, int16_t)[i] = (int16_t)s->val; break;
        case TYPE_INT32: VEC_DATA(out, int32_t)[i] = (int32_t)s->val; break;
        default: VEC_DATA(out, int64_t)[i] = s->val; break;
        }
        if (!s->has && fl_set_null(out, i, err))
            return TARN_ERR_NOMEM;
    }
    out->len = n;
    return 0;
}

/* ---- string_agg ---------------------------------------------------------------------------------------- */

/* The text so far, each value preceded by its row's delimiter; the first
 * delimiter (first_delim bytes) is dropped at finalize.  Keeping it makes
 * combine a plain concatenation. */
typedef struct StrAgg {
    char *buf;            /* ctx->arena */
    uint32_t len, cap;
    uint32_t first_delim;
    uint32_t has;
} StrAgg;

static int stragg_append(FuncCtx *ctx, StrAgg *s, const char *p, size_t n, TarnError *err)
{
    if (n == 0)
        return 0;
    if ((uint64_t)s->len + n > UINT32_MAX - 16)
        return fl_err(err, "54000", "out of memory: string_agg result is too long");
    if (s->len + n > s->cap) {
        uint64_t cap = s->cap ? s->cap : 64;
        while (cap < s->len + n)
            cap *= 2;
        if (cap > UINT32_MAX - 16)
            cap = UINT32_MAX - 16;
        char *nb = arena_alloc(ctx->arena, (size_t)cap);
        if (!nb)
            return ERR_NOMEM(err, (size_t)cap);
        if (s->len)
            memcpy(nb, s->buf, s->len);
        s->buf = nb;
        s->cap = (uint32_t)cap;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += (uint32_t)n;
    return 0;
}

static int stragg_add(FuncCtx *ctx, StrAgg *s, StrView v, const StrView *delim, TarnError *err)
{
    if (!s->has)
        s->first_delim = delim ? delim->len : 0;
    s->has = 1;
    if (delim && stragg_append(ctx, s, delim->ptr, delim->len, err))
        return TARN_ERR_NOMEM;
    return stragg_append(ctx, s, v.ptr, v.len, err);
}

static int stragg_update(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *const *rows,
                         uint32_t off, TarnError *err)
{
    const Vector *a = args[0], *d = args[1];
    for (uint32_t i = 0; i < n; i++) {
        if (!VALID(a, i))
            continue;
        StrView dv;
        bool has_d = VALID(d, i);
        if (has_d)
            dv = FL_CSTR(d)[FUNC_IDX(d, i)];
        if (stragg_add(ctx, ST(StrAgg), FL_CSTR(a)[FUNC_IDX(a, i)], has_d ? &dv : NULL, err))
            return TARN_ERR_NOMEM;
    }
    return 0;
}

static int stragg_combine(FuncCtx *ctx, uint8_t *const *src, uint8_t *const *dst, uint32_t off, uint32_t n,
                          TarnError *err)
{
    for (uint32_t i = 0; i < n; i++) {
        const StrAgg *a = (const StrAgg *)(src[i] + off);
        StrAgg *d = (StrAgg *)(dst[i] + off);
        if (!a->has)
            continue;
        if (!d->has) {
            *d = *a; /* the bytes live in the shared arena */
            d->cap = d->len; /* appending to d must not write into a's buffer (window frames share src) */
            continue;
        }
        if (stragg_append(ctx, d, a->buf, a->len, err))
            return TARN_ERR_NOMEM;
    }
    return 0;
}

static int stragg_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out,
                           TarnError *err)
{
    for (uint32_t i = 0; i < n; i++) {
        const StrAgg *s = ST(StrAgg);
        if (!s->has) {
            FL_STR(out)[i] = fl_sv(NULL, 0);
            if (fl_set_null(out, i, err))
                return TARN_ERR_NOMEM;
            continue;
        }
        /* copied: the result may outlive the group states' arena */
        uint32_t skip = s->first_delim <= s->len ? s->first_delim : s->len;
        if (vec_str_copy(out, s->buf ? s->buf + skip : "", s->len - skip, &FL_STR(out)[i]))
            return ERR_NOMEM(err, s->len);
    }
    out->len = n;
    return 0;
}

/* ---- Collected values: array_agg and the ordered-set aggregates ------------------------------------------- */

typedef struct Coll {
    uint8_t *data;        /* n * width bytes, ctx->arena */
    uint8_t *nulls;       /* n flags (1 = NULL), NULL until the first NULL */
    uint32_t n, cap;
    double fraction;      /* percentile_*: the direct argument */
    uint8_t has_fraction, fraction_null;
} Coll;

static int coll_reserve(FuncCtx *ctx, Coll *c, size_t width, uint32_t extra, TarnError *err)
{
    if (c->n + extra <= c->cap)
        return 0;
    uint64_t cap = c->cap ? c->cap : 8;
    while (cap < (uint64_t)c->n + extra)
        cap *= 2;
    if (cap * width > ((uint64_t)1 << 34))
        return fl_err(err, "54000", "array size exceeds the maximum allowed");
    uint8_t *d = arena_alloc(ctx->arena, (size_t)(cap * width));
    if (!d)
        return ERR_NOMEM(err, (size_t)(cap * width));
    if (c->n)
        memcpy(d, c->data, (size_t)c->n * width);
    c->data = d;
    if (c->nulls) {
        uint8_t *nl = arena_calloc(ctx->arena, (size_t)cap);
        if (!nl)
            return ERR_NOMEM(err, (size_t)cap);
        memcpy(nl, c->nulls, c->n);
        c->nulls = nl;
    }
    c->cap = (uint32_t)cap;
    return 0;
}

/* Appends row k of v (or a NULL) to c; strings are copied into the arena. */
static int coll_push(FuncCtx *ctx, Coll *c, const Vector *v, uint32_t k, bool is_null, TarnError *err)
{
    size_t w = type_width(v->type);
    if (coll_reserve(ctx, c, w, 1, err))
        return TARN_ERR_NOMEM;
    uint8_t *slot = c->data + (size_t)c->n * w;
    if (is_null) {
        if (!c->nulls) {
            c->nulls = arena_calloc(ctx->arena, c->cap);
            if (!c->nulls)
                return ERR_NOMEM(err, c->cap);
        }
        c->nulls[c->n] = 1;
        memset(slot, 0, w);
    } else if (type_is_string_like(v->type->id)) {
        StrView s = FL_CSTR(v)[k];
        char *copy = s.len ? arena_alloc(ctx->arena, s.len) : NULL;
        if (s.len && !copy)
            return ERR_NOMEM(err, s.len);
        if (s.len)
            memcpy(copy, s.ptr, s.len);
        StrView cs = fl_sv(copy ? copy : "", s.len);
        memcpy(slot, &cs, sizeof cs);
    } else {
        memcpy(slot, v->data + (size_t)k * w, w);
    }
    c->n++;
    return 0;
}

static int coll_combine(FuncCtx *ctx, uint8_t *const *src, uint8_t *const *dst, uint32_t off, uint32_t n,
                        TarnError *err)
{
    const LogicalType *t = ctx->arg_types[ctx->n_args - 1];
    size_t w = type_width(t);
    for (uint32_t i = 0; i < n; i++) {
        const Coll *a = (const Coll *)(src[i] + off);
        Coll *d = (Coll *)(dst[i] + off);
        if (a->has_fraction && !d->has_fraction) {
            d->fraction = a->fraction;
            d->has_fraction = 1;
            d->fraction_null = a->fraction_null;
        }
        if (!a->n)
            continue;
        if (coll_reserve(ctx, d, w, a->n, err))
            return TARN_ERR_NOMEM;
        memcpy(d->data + (size_t)d->n * w, a->data, (size_t)a->n * w);
        if (a->nulls || d->nulls) {
            uint8_t *nl = d->nulls;
            if (!nl) {
                nl = arena_calloc(ctx->arena, d->cap);
                if (!nl)
                    return ERR_NOMEM(err, d->cap);
                d->nulls = nl;
            }
            if (a->nulls)
                memcpy(nl + d->n, a->nulls, a->n);
            else
                memset(nl + d->n, 0, a->n);
        }
        d->n += a->n;
    }
    return 0;
}

/* array_agg(x): every value, NULLs included. */
static int arrayagg_update(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *const *rows,
                           uint32_t off, TarnError *err)
{
    const Vector *a = args[0];
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = FUNC_IDX(a, i);
        if (coll_push(ctx, ST(Coll), a, k, !vec_is_valid(a, k), err))
            return TARN_ERR_NOMEM;
    }
    return 0;
}

static int bind_array_of_arg(FuncBindInfo *b, TarnError *err)
{
    Field *f = arena_calloc(b->arena, sizeof *f);
    char *name = arena_strdup(b->arena, "element");
    if (!f || !name)
        return ERR_NOMEM(err, sizeof *f);
    const LogicalType *at = &b->arg_types[b->n_args - 1];
    if (at->n_fields)
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "array_agg of nested values is not supported");
    f->name = name;
    f->type = *at;
    f->nullable = true;
    LogicalType t = {TYPE_LIST, 0, 0, 1, f, 0, 0};
    b->ret = t;
    return 0;
}

/* Re-points n strings at v[from..] into v's own heap (the group states'
 * arena may die before the result). */
static int copy_strings(Vector *v, uint32_t from, uint32_t n, TarnError *err)
{
    StrView *sv = FL_STR(v);
    for (uint32_t k = from; k < from + n; k++)
        if (sv[k].len && vec_str_copy(v, sv[k].ptr, sv[k].len, &sv[k]))
            return ERR_NOMEM(err, sv[k].len);
    return 0;
}

static int arrayagg_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out,
                             TarnError *err)
{
    if (out->type->id != TYPE_LIST || out->n_children != 1 || !out->offsets)
        return ERR_INTERNAL(err, "array_agg result is not a list vector");
    Vector *ch = &out->children[0];
    size_t w = type_width(ch->type);
    out->offsets[0] = ch->len;
    for (uint32_t i = 0; i < n; i++) {
        const Coll *c = ST(Coll);
        if (c->n == 0) {
            if (fl_set_null(out, i, err))
                return TARN_ERR_NOMEM;
            out->offsets[i + 1] = ch->len;
            continue;
        }
        if (vec_reserve(ch, ch->len + c->n))
            return ERR_NOMEM(err, (size_t)c->n * w);
        memcpy(ch->data + (size_t)ch->len * w, c->data, (size_t)c->n * w);
        if (type_is_string_like(ch->type->id) && copy_strings(ch, ch->len, c->n, err))
            return TARN_ERR_NOMEM;
        if (c->nulls) {
            if (vec_ensure_validity(ch))
                return ERR_NOMEM(err, c->n);
            for (uint32_t k = 0; k < c->n; k++) {
                uint32_t pos = ch->len + k;
                if (c->nulls[k])
                    ch->validity[pos >> 3] &= (uint8_t) ~(1u << (pos & 7));
                else
                    ch->validity[pos >> 3] |= (uint8_t)(1u << (pos & 7));
            }
        } else if (ch->validity) {
            for (uint32_t k = 0; k < c->n; k++)
                vec_set_valid_bit(ch, ch->len + k);
        }
        ch->len += c->n;
        out->offsets[i + 1] = ch->len;
    }
    out->len = n;
    return 0;
}

/* percentile_cont(f, x) / percentile_disc(f, x) / mode(x): non-NULL x only. */
static int ordered_update(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *const *rows,
                          uint32_t off, TarnError *err)
{
    const Vector *a = args[na - 1], *fv = na > 1 ? args[0] : NULL;
    for (uint32_t i = 0; i < n; i++) {
        Coll *c = ST(Coll);
        if (fv && !c->has_fraction) {
            c->has_fraction = 1;
            uint32_t fk = FUNC_IDX(fv, i);
            c->fraction_null = !vec_is_valid(fv, fk);
            c->fraction = c->fraction_null ? 0 : VEC_DATA(fv, double)[fk];
        }
        uint32_t k = FUNC_IDX(a, i);
        if (!vec_is_valid(a, k))
            continue;
        if (coll_push(ctx, c, a, k, false, err))
            return TARN_ERR_NOMEM;
    }
    return 0;
}

/* Sort support: one comparator per physical type (qsort_r context = width
 * is fixed per comparator). */
static int cmp_i16(const void *a, const void *b) { int16_t x = *(const int16_t *)a, y = *(const int16_t *)b; return (x > y) - (x < y); }
static int cmp_i32(const void *a, const void *b) { int32_t x = *(const int32_t *)a, y = *(const int32_t *)b; return (x > y) - (x < y); }
static int cmp_i64(const void *a, const void *b) { int64_t x = *(const int64_t *)a, y = *(const int64_t *)b; return (x > y) - (x < y); }
static int cmp_i128(const void *a, const void *b)
{
    int128_t x, y;
    memcpy(&x, a, sizeof x);
    memcpy(&y, b, sizeof y);
    return (x > y) - (x < y);
}
static int cmp_f4(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    if (isnan(x))
        return isnan(y) ? 0 : 1;
    if (isnan(y))
        return -1;
    return (x > y) - (x < y);
}
static int cmp_f8(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x))
        return isnan(y) ? 0 : 1;
    if (isnan(y))
        return -1;
    return (x > y) - (x < y);
}
static int cmp_str(const void *a, const void *b)
{
    const StrView *x = a, *y = b;
    uint32_t m = x->len < y->len ? x->len : y->len;
    int c = m ? memcmp(x->ptr, y->ptr, m) : 0;
    return c ? (c > 0) - (c < 0) : (x->len > y->len) - (x->len < y->len);
}
static int cmp_iv(const void *a, const void *b)
{
    const Interval *x = a, *y = b;
    int128_t kx = ((int128_t)x->months * 30 + x->days) * DT_USECS_PER_DAY + x->micros;
    int128_t ky = ((int128_t)y->months * 30 + y->days) * DT_USECS_PER_DAY + y->micros;
    return (kx > ky) - (kx < ky);
}
static int cmp_u8(const void *a, const void *b) { return (*(const uint8_t *)a > *(const uint8_t *)b) - (*(const uint8_t *)a < *(const uint8_t *)b); }
static int cmp_uuid(const void *a, const void *b) { int c = memcmp(a, b, 16); return (c > 0) - (c < 0); }

typedef int (*CmpFn)(const void *, const void *);

static CmpFn cmp_for(const LogicalType *t)
{
    switch (t->id) {
    case TYPE_BOOL: case TYPE_UINT8: return cmp_u8;
    case TYPE_INT16: return cmp_i16;
    case TYPE_INT32: case TYPE_DATE: return cmp_i32;
    case TYPE_FLOAT: return cmp_f4;
    case TYPE_DOUBLE: return cmp_f8;
    case TYPE_DECIMAL: return t->precision > DECIMAL64_MAX_PRECISION ? cmp_i128 : cmp_i64;
    case TYPE_STRING: case TYPE_BLOB: case TYPE_JSON: return cmp_str;
    case TYPE_INTERVAL: return cmp_iv;
    case TYPE_UUID: return cmp_uuid;
    case TYPE_INT64: case TYPE_TIME: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: return cmp_i64;
    default: return NULL;
    }
}

static int bind_ordered(FuncBindInfo *b, TarnError *err)
{
    const LogicalType *t = &b->arg_types[b->n_args - 1];
    if (!cmp_for(t)) {
        char buf[64];
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "could not identify an ordering operator for type %s",
                             type_name(t, buf, sizeof buf));
    }
    if (b->def->ret == FUNC_T_ANYELEMENT)
        b->ret = *t;
    return 0;
}

/* Sorts the collected values in place; false when there are none. */
static bool coll_sort(const FuncCtx *ctx, Coll *c)
{
    if (!c->n)
        return false;
    const LogicalType *t = ctx->arg_types[ctx->n_args - 1];
    size_t w = type_width(t);
    qsort(c->data, c->n, w, cmp_for(t));
    if (ctx->bind_state == agg_ordered_set_desc) {
        /* WITHIN GROUP (ORDER BY x DESC) */
        uint8_t tmp[16];
        for (uint32_t a = 0, b = c->n - 1; a < b && w <= sizeof tmp; a++, b--) {
            memcpy(tmp, c->data + w * a, w);
            memcpy(c->data + w * a, c->data + w * b, w);
            memcpy(c->data + w * b, tmp, w);
        }
    }
    return true;
}

static int check_fraction(const Coll *c, TarnError *err)
{
    if (c->fraction < 0 || c->fraction > 1 || isnan(c->fraction))
        return err_set_state(err, TARN_ERR_INVALID, "22003", "percentile value %g is not between 0 and 1",
                             c->fraction);
    return 0;
}

static int set_null_row(Vector *out, uint32_t i, TarnError *err)
{
    size_t w = type_width(out->type);
    memset(out->data + w * i, 0, w);
    return fl_set_null(out, i, err);
}

static int pct_disc_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out,
                             TarnError *err)
{
    size_t w = type_width(out->type);
    for (uint32_t i = 0; i < n; i++) {
        Coll *c = ST(Coll);
        if (c->fraction_null || !coll_sort(ctx, c)) {
            if (set_null_row(out, i, err))
                return TARN_ERR_NOMEM;
            continue;
        }
        if (check_fraction(c, err))
            return TARN_ERR_INVALID;
        int64_t rownum = (int64_t)ceil(c->fraction * c->n);
        if (rownum < 1)
            rownum = 1;
        if (rownum > c->n)
            rownum = c->n;
        memcpy(out->data + w * i, c->data + w * (size_t)(rownum - 1), w);
        if (type_is_string_like(out->type->id) && copy_strings(out, i, 1, err))
            return TARN_ERR_NOMEM;
    }
    out->len = n;
    return 0;
}

static int pct_cont_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out,
                             TarnError *err)
{
    bool iv = out->type->id == TYPE_INTERVAL;
    for (uint32_t i = 0; i < n; i++) {
        Coll *c = ST(Coll);
        if (c->fraction_null || !coll_sort(ctx, c)) {
            if (set_null_row(out, i, err))
                return TARN_ERR_NOMEM;
            continue;
        }
        if (check_fraction(c, err))
            return TARN_ERR_INVALID;
        double pos = c->fraction * (c->n - 1);
        int64_t first = (int64_t)floor(pos), second = (int64_t)ceil(pos);
        double prop = pos - (double)first;
        if (iv) {
            Interval lo = ((const Interval *)c->data)[first], hi = ((const Interval *)c->data)[second];
            Interval r = lo;
            if (first != second) {
                /* PostgreSQL's interval_lerp: lo + (hi - lo) * prop */
                Interval diff = {hi.months - lo.months, hi.days - lo.days, hi.micros - lo.micros};
                double months = diff.months * prop, days = diff.days * prop;
                int32_t im = (int32_t)months;
                double day_rem = days + (months - im) * 30.0;
                int32_t id = (int32_t)day_rem;
                int64_t us = (int64_t)llrint((double)diff.micros * prop + (day_rem - id) * (double)DT_USECS_PER_DAY);
                r.months += im;
                r.days += id;
                r.micros += us;
            }
            VEC_DATA(out, Interval)[i] = r;
        } else {
            const double *d = (const double *)c->data;
            double lo = d[first], hi = d[second];
            VEC_DATA(out, double)[i] = first == second ? lo : lo + (hi - lo) * prop;
        }
    }
    out->len = n;
    return 0;
}

static int mode_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out,
                         TarnError *err)
{
    size_t w = type_width(out->type);
    CmpFn cmp = cmp_for(out->type);
    for (uint32_t i = 0; i < n; i++) {
        Coll *c = ST(Coll);
        if (!coll_sort(ctx, c)) {
            if (set_null_row(out, i, err))
                return TARN_ERR_NOMEM;
            continue;
        }
        uint32_t best = 0, best_run = 0;
        for (uint32_t k = 0; k < c->n;) {
            uint32_t e = k + 1;
            while (e < c->n && !cmp(c->data + w * k, c->data + w * e))
                e++;
            if (e - k > best_run) {
                best_run = e - k;
                best = k;
            }
            k = e;
        }
        memcpy(out->data + w * i, c->data + w * best, w);
        if (type_is_string_like(out->type->id) && copy_strings(out, i, 1, err))
            return TARN_ERR_NOMEM;
    }
    out->len = n;
    return 0;
}

/* ---- Registry ---------------------------------------------------------------------------------------------- */

#define AGG(NAME, ARG, RET, STATE, UPD, UPD1, COMB, FIN, BIND)                                   \
    {.name = NAME, .kind = FUNC_AGGREGATE, .n_args = 1, .args = {ARG}, .ret = RET,            \
     .flags = FUNC_CONST_ARGS, .state_size = sizeof(STATE), .agg_init = init_zero,            \
     .agg_update = UPD, .agg_update1 = UPD1, .agg_combine = COMB, .agg_finalize = FIN, .bind = BIND}

#define VAR_FAMILY(NAME, FFIN, NFIN)                                                             \
    AGG(NAME, TYPE_DOUBLE, TYPE_DOUBLE, VarF, varf_update, varf_update1, varf_combine, FFIN, NULL), \
    AGG(NAME, TYPE_FLOAT, TYPE_DOUBLE, VarF, varf_update, varf_update1, varf_combine, FFIN, NULL),  \
    AGG(NAME, TYPE_INT16, TYPE_DECIMAL, VarN, varn_update, varn_update1, varn_combine, NFIN, bind_varn), \
    AGG(NAME, TYPE_INT32, TYPE_DECIMAL, VarN, varn_update, varn_update1, varn_combine, NFIN, bind_varn), \
    AGG(NAME, TYPE_INT64, TYPE_DECIMAL, VarN, varn_update, varn_update1, varn_combine, NFIN, bind_varn), \
    AGG(NAME, TYPE_DECIMAL, TYPE_DECIMAL, VarN, varn_update, varn_update1, varn_combine, NFIN, bind_varn)

const FuncDef func_defs_agg[] = {
    VAR_FAMILY("variance", varf_fin_var_samp, varn_fin_var_samp),
    VAR_FAMILY("var_samp", varf_fin_var_samp, varn_fin_var_samp),
    VAR_FAMILY("var_pop", varf_fin_var_pop, varn_fin_var_pop),
    VAR_FAMILY("stddev", varf_fin_sd_samp, varn_fin_sd_samp),
    VAR_FAMILY("stddev_samp", varf_fin_sd_samp, varn_fin_sd_samp),
    VAR_FAMILY("stddev_pop", varf_fin_sd_pop, varn_fin_sd_pop),

    AGG("bool_and", TYPE_BOOL, TYPE_BOOL, BoolSt, booland_update, NULL, booland_combine, bool_finalize, NULL),
    AGG("every", TYPE_BOOL, TYPE_BOOL, BoolSt, booland_update, NULL, booland_combine, bool_finalize, NULL),
    AGG("bool_or", TYPE_BOOL, TYPE_BOOL, BoolSt, boolor_update, NULL, boolor_combine, bool_finalize, NULL),

    AGG("bit_and", TYPE_INT16, TYPE_INT16, BitSt, bitand_update, NULL, bitand_combine, bit_finalize, NULL),
    AGG("bit_and", TYPE_INT32, TYPE_INT32, BitSt, bitand_update, NULL, bitand_combine, bit_finalize, NULL),
    AGG("bit_and", TYPE_INT64, TYPE_INT64, BitSt, bitand_update, NULL, bitand_combine, bit_finalize, NULL),
    AGG("bit_or", TYPE_INT16, TYPE_INT16, BitSt, bitor_update, NULL, bitor_combine, bit_finalize, NULL),
    AGG("bit_or", TYPE_INT32, TYPE_INT32, BitSt, bitor_update, NULL, bitor_combine, bit_finalize, NULL),
    AGG("bit_or", TYPE_INT64, TYPE_INT64, BitSt, bitor_update, NULL, bitor_combine, bit_finalize, NULL),
    AGG("bit_xor", TYPE_INT16, TYPE_INT16, BitSt, bitxor_update, NULL, bitxor_combine, bit_finalize, NULL),
    AGG("bit_xor", TYPE_INT32, TYPE_INT32, BitSt, bitxor_update, NULL, bitxor_combine, bit_finalize, NULL),
    AGG("bit_xor", TYPE_INT64, TYPE_INT64, BitSt, bitxor_update, NULL, bitxor_combine, bit_finalize, NULL),

    {.name = "string_agg", .kind = FUNC_AGGREGATE, .n_args = 2, .args = {TYPE_STRING, TYPE_STRING},
     .ret = TYPE_STRING, .flags = FUNC_CONST_ARGS, .state_size = sizeof(StrAgg), .agg_init = init_zero,
     .agg_update = stragg_update, .agg_combine = stragg_combine, .agg_finalize = stragg_finalize,
     .doc = "non-NULL values joined by the delimiter (input order; ORDER BY in the call is the engine's)"},
    {.name = "array_agg", .kind = FUNC_AGGREGATE, .n_args = 1, .args = {FUNC_T_ANYELEMENT},
     .ret = TYPE_LIST, .flags = FUNC_CONST_ARGS, .state_size = sizeof(Coll), .agg_init = init_zero,
     .agg_update = arrayagg_update, .agg_combine = coll_combine, .agg_finalize = arrayagg_finalize,
     .bind = bind_array_of_arg, .doc = "the input values (NULLs included) as an array"},

    {.name = "percentile_cont", .kind = FUNC_AGGREGATE, .n_args = 2, .args = {TYPE_DOUBLE, TYPE_DOUBLE},
     .ret = TYPE_DOUBLE, .flags = FUNC_CONST_ARGS, .state_size = sizeof(Coll), .agg_init = init_zero,
     .agg_update = ordered_update, .agg_combine = coll_combine, .agg_finalize = pct_cont_finalize,
     .bind = bind_ordered,
     .doc = "percentile_cont(f) WITHIN GROUP (ORDER BY x) is called as percentile_cont(f, x)"},
    {.name = "percentile_cont", .kind = FUNC_AGGREGATE, .n_args = 2, .args = {TYPE_DOUBLE, TYPE_INTERVAL},
     .ret = TYPE_INTERVAL, .flags = FUNC_CONST_ARGS, .state_size = sizeof(Coll), .agg_init = init_zero,
     .agg_update = ordered_update, .agg_combine = coll_combine, .agg_finalize = pct_cont_finalize,
     .bind = bind_ordered},
    {.name = "percentile_disc", .kind = FUNC_AGGREGATE, .n_args = 2, .args = {TYPE_DOUBLE, FUNC_T_ANYELEMENT},
     .ret = FUNC_T_ANYELEMENT, .flags = FUNC_CONST_ARGS, .state_size = sizeof(Coll), .agg_init = init_zero,
     .agg_update = ordered_update, .agg_combine = coll_combine, .agg_finalize = pct_disc_finalize,
     .bind = bind_ordered,
     .doc = "percentile_disc(f) WITHIN GROUP (ORDER BY x) is called as percentile_disc(f, x)"},
    {.name = "mode", .kind = FUNC_AGGREGATE, .n_args = 1, .args = {FUNC_T_ANYELEMENT},
     .ret = FUNC_T_ANYELEMENT, .flags = FUNC_CONST_ARGS, .state_size = sizeof(Coll), .agg_init = init_zero,
     .agg_update = ordered_update, .agg_combine = coll_combine, .agg_finalize = mode_finalize,
     .bind = bind_ordered, .doc = "mode() WITHIN GROUP (ORDER BY x) is called as mode(x)"},
    {0},
};
