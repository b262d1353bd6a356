/*
 * func_core_agg.c - the core aggregates: count(*), count(x), sum, avg,
 * min, max (see func.h for the aggregate kernel contract).
 *
 * Result types are PostgreSQL's: count -> bigint; sum(smallint|integer) ->
 * bigint, sum(bigint) -> numeric, sum(real) -> real, sum(double) ->
 * double, sum(numeric) -> numeric, sum(interval) -> interval; avg(integer
 * types | numeric) -> numeric, avg(real|double) -> double precision,
 * avg(interval) -> interval; min/max -> the argument type.  All skip NULLs;
 * over no non-NULL input every one but count gives NULL.
 *
 * States (fixed size, inside the group rows):
 *   count            int64
 *   sum/avg integer  {int128 sum; int64 count}  (exact; overflow checked at finalize)
 *   sum/avg float    {double sum; int64 count}
 *   sum/avg numeric  {int128 sum; int64 count}  (unscaled at the input scale)
 *   min/max          {int64 has; 16-byte value} (strings: a copy in ctx->arena)
 */
#include <math.h>
#include <string.h>

#include "sql/func/cast.h"
#include "sql/func/func.h"

#define ST(T) ((T *)(rows[i] + off))

typedef struct { int128_t sum; int64_t count; } SumI;
typedef struct { double sum; int64_t count; } SumF;
typedef struct { int64_t months, days; int128_t micros; int64_t count; } SumIv;
typedef struct { int64_t has; union { int64_t i; double d; int128_t w; StrView s; Interval iv; uint8_t u[16]; } v; } MinMax;

#define VALID(v, i) vec_is_valid((v), FUNC_IDX((v), (i)))

static void init_zero(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n)
{
    uint32_t sz = ctx->def->state_size;
    for (uint32_t i = 0; i < n; i++)
        memset(rows[i] + off, 0, sz);
}

/* ---- count ----------------------------------------------------------------------------- */

static int count_star_update(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *const *rows,
                             uint32_t off, TarnError *err)
{
    (void)ctx; (void)args; (void)na; (void)err;
    for (uint32_t i = 0; i < n; i++)
        (*ST(int64_t))++;
    return 0;
}
static int count_star_update1(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *state, TarnError *err)
{
    (void)ctx; (void)args; (void)na; (void)err;
    *(int64_t *)state += n;
    return 0;
}
static int count_update(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *const *rows, uint32_t off,
                        TarnError *err)
{
    (void)ctx; (void)na; (void)err;
    const Vector *a = args[0];
    if (!a->validity) {
        for (uint32_t i = 0; i < n; i++)
            (*ST(int64_t))++;
    } else if (a->is_const) {
        if (vec_is_valid(a, 0))
            for (uint32_t i = 0; i < n; i++)
                (*ST(int64_t))++;
    } else {
        for (uint32_t i = 0; i < n; i++)
            *ST(int64_t) += vec_is_valid(a, i);
    }
    return 0;
}
static int count_update1(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *state, TarnError *err)
{
    (void)ctx; (void)na; (void)err;
    const Vector *a = args[0];
    if (a->is_const)
        *(int64_t *)state += vec_is_valid(a, 0) ? n : 0;
    else
    {
        int64_t c = 0;
        for (uint32_t i = 0; i < n; i++)
            c += vec_is_valid(a, i);
        *(int64_t *)state += c;
    }
    return 0;
}
static int count_combine(FuncCtx *ctx, uint8_t *const *src, uint8_t *const *dst, uint32_t off, uint32_t n,
                         TarnError *err)
{
    (void)ctx; (void)err;
    for (uint32_t i = 0; i < n; i++)
        *(int64_t *)(dst[i] + off) += *(int64_t *)(src[i] + off);
    return 0;
}
static int count_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out, TarnError *err)
{
    (void)ctx; (void)err;
    int64_t *r = (int64_t *)out->data;
    for (uint32_t i = 0; i < n; i++)
        r[i] = *ST(int64_t);
    out->len = n;
    return 0;
}

/* ---- sum / avg over integers and numeric (int128 accumulators) --------------------------------- */

static int64_t int_at(const Vector *v, uint32_t i)
{
    switch (v->type->id) {
    case TYPE_INT8: return ((const int8_t *)v->data)[i];
    case TYPE_INT16: return ((const int16_t *)v->data)[i];
    case TYPE_INT32: return ((const int32_t *)v->data)[i];
    default: return ((const int64_t *)v->data)[i];
    }
}

#define SUMI_LOOP(GET)                                                                           \
    do {                                                                                         \
        if (!a->validity) {                                                                      \
            FUNC_LOOP1(a, n, { SumI *s = ST(SumI); s->sum += GET; s->count++; });                \
        } else {                                                                                 \
            FUNC_LOOP1(a, n, { if (vec_is_valid(a, ia)) { SumI *s = ST(SumI); s->sum += GET; s->count++; } }); \
        }                                                                                        \
    } while (0)

static int sumi_update(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *const *rows, uint32_t off,
                       TarnError *err)
{
    (void)ctx; (void)na; (void)err;
    const Vector *a = args[0];
    switch (a->type->id) {
    case TYPE_INT16: { const int16_t *x = (const int16_t *)a->data; SUMI_LOOP(x[ia]); break; }
    case TYPE_INT32: { const int32_t *x = (const int32_t *)a->data; SUMI_LOOP(x[ia]); break; }
    case TYPE_INT64: { const int64_t *x = (const int64_t *)a->data; SUMI_LOOP(x[ia]); break; }
    case TYPE_DECIMAL:
        if (dec_is_wide(a->type)) {
            const int128_t *x = (const int128_t *)a->data;
            SUMI_LOOP(x[ia]);
        } else {
            const int64_t *x = (const int64_t *)a->data;
            SUMI_LOOP(x[ia]);
        }
        break;
    default: SUMI_LOOP(int_at(a, ia)); break;
    }
    return 0;
}

#define SUMI1_LOOP(T)                                                                            \
    do {                                                                                         \
        const T *x = (const T *)a->data;                                                         \
        if (a->is_const) {                                                                       \
            if (vec_is_valid(a, 0)) { acc += (int128_t)x[0] * n; cnt += n; }                     \
        } else if (!a->validity) {                                                               \
            int64_t part = 0; /* T <= 32 bits: a batch cannot overflow int64 */                  \
            if (sizeof(T) <= 4) { for (uint32_t i = 0; i < n; i++) part += x[i]; acc += part; }  \
            else { for (uint32_t i = 0; i < n; i++) acc += x[i]; }                               \
            cnt += n;                                                                            \
        } else {                                                                                 \
            for (uint32_t i = 0; i < n; i++) if (vec_is_valid(a, i)) { acc += x[i]; cnt++; }    \
        }                                                                                        \
    } while (0)

static int sumi_update1(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *state, TarnError *err)
{
    (void)ctx; (void)na; (void)err;
    const Vector *a = args[0];
    int128_t acc = 0;
    int64_t cnt = 0;
    switch (a->type->id) {
    case TYPE_INT16: SUMI1_LOOP(int16_t); break;
    case TYPE_INT32: SUMI1_LOOP(int32_t); break;
    case TYPE_INT64: SUMI1_LOOP(int64_t); break;
    case TYPE_DECIMAL:
        if (dec_is_wide(a->type))
            SUMI1_LOOP(int128_t);
        else
            SUMI1_LOOP(int64_t);
        break;
    default:
        for (uint32_t i = 0; i < n; i++)
            if (VALID(a, i)) {
                acc += int_at(a, FUNC_IDX(a, i));
                cnt++;
            }
    }
    SumI *s = (SumI *)state;
    s->sum += acc;
    s->count += cnt;
    return 0;
}
static int sumi_combine(FuncCtx *ctx, uint8_t *const *src, uint8_t *const *dst, uint32_t off, uint32_t n,
                        TarnError *err)
{
    (void)ctx; (void)err;
    for (uint32_t i = 0; i < n; i++) {
        SumI *a = (SumI *)(src[i] + off), *b = (SumI *)(dst[i] + off);
        b->sum += a->sum;
        b->count += a->count;
    }
    return 0;
}
/* sum(int2/int4) -> bigint */
static int sum_int_to_i64_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out,
                                   TarnError *err)
{
    (void)ctx;
    int64_t *r = (int64_t *)out->data;
    out->len = n;
    for (uint32_t i = 0; i < n; i++) {
        SumI *s = ST(SumI);
        if (!s->count) {
            if (vec_set_null(out, i))
                return ERR_NOMEM(err, n);
            r[i] = 0;
            continue;
        }
        if (s->sum > INT64_MAX || s->sum < INT64_MIN)
            return func_err_out_of_range(err, "bigint");
        r[i] = (int64_t)s->sum;
    }
    return 0;
}
/* sum(int8) / sum(numeric) -> numeric at the input scale */
static int sum_dec_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out,
                            TarnError *err)
{
    (void)ctx;
    out->len = n;
    for (uint32_t i = 0; i < n; i++) {
        SumI *s = ST(SumI);
        if (!s->count) {
            if (vec_set_null(out, i))
                return ERR_NOMEM(err, n);
            dec_put(out, i, 0);
            continue;
        }
        if (!dec_fits(s->sum, out->type->precision))
            return err_set_state(err, TARN_ERR_INVALID, "22003", "numeric field overflow");
        dec_put(out, i, s->sum);
    }
    return 0;
}
/* avg(ints / numeric) -> numeric: sum / count at the result scale */
static int avg_dec_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out,
                            TarnError *err)
{
    int in_scale = ctx->arg_types[0]->id == TYPE_DECIMAL ? ctx->arg_types[0]->scale : 0;
    int rs = out->type->scale;
    out->len = n;
    for (uint32_t i = 0; i < n; i++) {
        SumI *s = ST(SumI);
        if (!s->count) {
            if (vec_set_null(out, i))
                return ERR_NOMEM(err, n);
            dec_put(out, i, 0);
            continue;
        }
        /* sum * 10^(rs - in_scale + 1) / count, then round the extra digit */
        int e = rs - in_scale + 1;
        int128_t num, q;
        if (e >= 0 && !__builtin_mul_overflow(s->sum, func_pow10_i128(e), &num)) {
            q = num / s->count;
            int128_t r10 = q % 10;
            q /= 10;
            if (r10 >= 5)
                q++;
            else if (r10 <= -5)
                q--;
        } else {
            /* fall back to long double for huge sums */
            long double v = (long double)s->sum / (long double)s->count;
            v *= powl(10.0L, (long double)(rs - in_scale));
            q = (int128_t)llroundl(v);
        }
        dec_put(out, i, q);
    }
    return 0;
}
static int bind_sum_numeric(FuncBindInfo *b, TarnError *err)
{
    (void)err;
    const LogicalType *a = &b->arg_types[0];
    b->ret = type_decimal(38, a->id == TYPE_DECIMAL ? a->scale : 0);
    return 0;
}
static int bind_avg_numeric(FuncBindInfo *b, TarnError *err)
{
    (void)err;
    const LogicalType *a = &b->arg_types[0];
    int s = a->id == TYPE_DECIMAL ? a->scale : 0;
    b->ret = type_decimal(38, s > 16 ? s : 16);
    return 0;
}

/* ---- sum / avg over floats ---------------------------------------------------------------------- */

static int sumf_update(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *const *rows, uint32_t off,
                       TarnError *err)
{
    (void)ctx; (void)na; (void)err;
    const Vector *a = args[0];
    if (a->type->id == TYPE_FLOAT) {
        const float *x = (const float *)a->data;
        FUNC_LOOP1(a, n, { if (vec_is_valid(a, ia)) { SumF *s = ST(SumF); s->sum += x[ia]; s->count++; } });
    } else {
        const double *x = (const double *)a->data;
        FUNC_LOOP1(a, n, { if (vec_is_valid(a, ia)) { SumF *s = ST(SumF); s->sum += x[ia]; s->count++; } });
    }
    return 0;
}
static int sumf_update1(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *state, TarnError *err)
{
    (void)ctx; (void)na; (void)err;
    const Vector *a = args[0];
    SumF *s = (SumF *)state;
    double acc = 0;
    int64_t cnt = 0;
    if (a->type->id == TYPE_FLOAT) {
        const float *x = (const float *)a->data;
        FUNC_LOOP1(a, n, { if (vec_is_valid(a, ia)) { acc += x[ia]; cnt++; } });
    } else {
        const double *x = (const double *)a->data;
        if (!a->validity && !a->is_const) {
            for (uint32_t i = 0; i < n; i++)
                acc += x[i];
            cnt = n;
        } else {
            FUNC_LOOP1(a, n, { if (vec_is_valid(a, ia)) { acc += x[ia]; cnt++; } });
        }
    }
    s->sum += acc;
    s->count += cnt;
    return 0;
}
static int sumf_combine(FuncCtx *ctx, uint8_t *const *src, uint8_t *const *dst, uint32_t off, uint32_t n,
                        TarnError *err)
{
    (void)ctx; (void)err;
    for (uint32_t i = 0; i < n; i++) {
        SumF *a = (SumF *)(src[i] + off), *b = (SumF *)(dst[i] + off);
        b->sum += a->sum;
        b->count += a->count;
    }
    return 0;
}
static int sumf_finalize_common(uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out, bool avg,
                                TarnError *err)
{
    out->len = n;
    for (uint32_t i = 0; i < n; i++) {
        SumF *s = ST(SumF);
        double v = s->count ? (avg ? s->sum / (double)s->count : s->sum) : 0;
        if (!s->count && vec_set_null(out, i))
            return ERR_NOMEM(err, n);
        if (out->type->id == TYPE_FLOAT)
            ((float *)out->data)[i] = (float)v;
        else
            ((double *)out->data)[i] = v;
    }
    return 0;
}
static int sumf_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out, TarnError *err)
{
    (void)ctx;
    return sumf_finalize_common(rows, off, n, out, false, err);
}
static int avgf_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out, TarnError *err)
{
    (void)ctx;
    return sumf_finalize_common(rows, off, n, out, true, err);
}

/* ---- sum / avg over intervals ----------------------------------------------------------------------- */

static int sumiv_update(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *const *rows, uint32_t off,
                        TarnError *err)
{
    (void)ctx; (void)na; (void)err;
    const Vector *a = args[0];
    const Interval *x = (const Interval *)a->data;
    FUNC_LOOP1(a, n, {
        if (vec_is_valid(a, ia)) {
            SumIv *s = ST(SumIv);
            s->months += x[ia].months;
            s->days += x[ia].days;
            s->micros += x[ia].micros;
            s->count++;
        }
    });
    return 0;
}
static int sumiv_combine(FuncCtx *ctx, uint8_t *const *src, uint8_t *const *dst, uint32_t off, uint32_t n,
                         TarnError *err)
{
    (void)ctx; (void)err;
    for (uint32_t i = 0; i < n; i++) {
        SumIv *a = (SumIv *)(src[i] + off), *b = (SumIv *)(dst[i] + off);
        b->months += a->months;
        b->days += a->days;
        b->micros += a->micros;
        b->count += a->count;
    }
    return 0;
}
static int sumiv_finalize_common(uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out, bool avg,
                                 TarnError *err)
{
    out->len = n;
    Interval *r = (Interval *)out->data;
    for (uint32_t i = 0; i < n; i++) {
        SumIv *s = ST(SumIv);
        Interval v = {0, 0, 0};
        if (!s->count) {
            if (vec_set_null(out, i))
                return ERR_NOMEM(err, n);
        } else if (!avg) {
            if (s->months > INT32_MAX || s->months < INT32_MIN || s->days > INT32_MAX || s->days < INT32_MIN ||
                s->micros > INT64_MAX || s->micros < INT64_MIN)
                return err_set_state(err, TARN_ERR_INVALID, "22008", "interval out of range");
            v.months = (int32_t)s->months;
            v.days = (int32_t)s->days;
            v.micros = (int64_t)s->micros;
        } else {
            /* PG interval_div: fractional months cascade into days (30 per month), days into time */
            double months = (double)s->months / (double)s->count;
            double days = (double)s->days / (double)s->count;
            v.months = (int32_t)months;
            double day_rem = days + (months - v.months) * 30.0;
            v.days = (int32_t)day_rem;
            v.micros = (int64_t)((long double)s->micros / s->count + (day_rem - v.days) * 86400e6);
        }
        r[i] = v;
    }
    return 0;
}
static int sumiv_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out, TarnError *err)
{
    (void)ctx;
    return sumiv_finalize_common(rows, off, n, out, false, err);
}
static int avgiv_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out, TarnError *err)
{
    (void)ctx;
    return sumiv_finalize_common(rows, off, n, out, true, err);
}

/* ---- min / max ----------------------------------------------------------------------------------------- */

static inline int cmp_str(StrView a, StrView b)
{
    uint32_t m = a.len < b.len ? a.len : b.len;
    int c = m ? memcmp(a.ptr, b.ptr, m) : 0;
    return c ? c : (a.len > b.len) - (a.len < b.len);
}
static inline int cmp_f(double a, double b)
{
    return isnan(a) ? (isnan(b) ? 0 : 1) : isnan(b) ? -1 : (a > b) - (a < b);
}
static inline int128_t iv_key(Interval v) { return ((int128_t)v.months * 30 + v.days) * 86400000000LL + v.micros; }

/* sign = -1 for min, +1 for max: replace when cmp(new, cur) * sign > 0. */
#define MM_LOOP(T, FIELD, CMP, STORE)                                                            \
    do {                                                                                         \
        const T *x = (const T *)a->data;                                                         \
        FUNC_LOOP1(a, n, {                                                                       \
            if (vec_is_valid(a, ia)) {                                                           \
                MinMax *s = ST(MinMax);                                                          \
                if (!s->has || CMP(x[ia], s->v.FIELD) * sign > 0) {                              \
                    STORE;                                                                       \
                    s->has = 1;                                                                  \
                }                                                                                \
            }                                                                                    \
        });                                                                                      \
    } while (0)
#define NCMP(a, b) (((a) > (b)) - ((a) < (b)))
#define UCMP(a, b) NCMP((uint64_t)(a), (uint64_t)(b))

static int minmax_update_sign(FuncCtx *ctx, Vector **args, uint32_t n, uint8_t *const *rows, uint32_t off, int sign,
                              TarnError *err)
{
    const Vector *a = args[0];
    switch (a->type->id) {
    case TYPE_BOOL: case TYPE_UINT8: MM_LOOP(uint8_t, i, NCMP, s->v.i = x[ia]); break;
    case TYPE_INT8: MM_LOOP(int8_t, i, NCMP, s->v.i = x[ia]); break;
    case TYPE_INT16: MM_LOOP(int16_t, i, NCMP, s->v.i = x[ia]); break;
    case TYPE_UINT16: MM_LOOP(uint16_t, i, NCMP, s->v.i = x[ia]); break;
    case TYPE_INT32: case TYPE_DATE: MM_LOOP(int32_t, i, NCMP, s->v.i = x[ia]); break;
    case TYPE_UINT32: MM_LOOP(uint32_t, i, NCMP, s->v.i = x[ia]); break;
    case TYPE_INT64: case TYPE_TIME: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ:
        MM_LOOP(int64_t, i, NCMP, s->v.i = x[ia]);
        break;
    case TYPE_UINT64: MM_LOOP(uint64_t, i, UCMP, s->v.i = (int64_t)x[ia]); break;
    case TYPE_FLOAT: MM_LOOP(float, d, cmp_f, s->v.d = x[ia]); break;
    case TYPE_DOUBLE: MM_LOOP(double, d, cmp_f, s->v.d = x[ia]); break;
    case TYPE_DECIMAL:
        if (dec_is_wide(a->type))
            MM_LOOP(int128_t, w, NCMP, s->v.w = x[ia]);
        else
            MM_LOOP(int64_t, w, NCMP, s->v.w = x[ia]);
        break;
    case TYPE_INTERVAL: {
        const Interval *x = (const Interval *)a->data;
        FUNC_LOOP1(a, n, {
            if (vec_is_valid(a, ia)) {
                MinMax *s = ST(MinMax);
                int128_t kx = iv_key(x[ia]), ks = iv_key(s->v.iv);
                if (!s->has || NCMP(kx, ks) * sign > 0) {
                    s->v.iv = x[ia];
                    s->has = 1;
                }
            }
        });
        break;
    }
    case TYPE_UUID: {
        FUNC_LOOP1(a, n, {
            if (vec_is_valid(a, ia)) {
                MinMax *s = ST(MinMax);
                const uint8_t *p = a->data + 16 * (size_t)ia;
                if (!s->has || memcmp(p, s->v.u, 16) * sign > 0) {
                    memcpy(s->v.u, p, 16);
                    s->has = 1;
                }
            }
        });
        break;
    }
    case TYPE_STRING: case TYPE_BLOB: case TYPE_JSON: {
        const StrView *x = (const StrView *)a->data;
        FUNC_LOOP1(a, n, {
            if (vec_is_valid(a, ia)) {
                MinMax *s = ST(MinMax);
                if (!s->has || cmp_str(x[ia], s->v.s) * sign > 0) {
                    /* copy into the aggregate arena (input bytes die with the batch) */
                    char *p = arena_alloc(ctx->arena, x[ia].len ? x[ia].len : 1);
                    if (!p)
                        return ERR_NOMEM(err, x[ia].len);
                    if (x[ia].len)
                        memcpy(p, x[ia].ptr, x[ia].len);
                    s->v.s.len = x[ia].len;
                    s->v.s.ptr = p;
                    s->has = 1;
                }
            }
        });
        break;
    }
    default:
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "min/max of this type is not supported");
    }
    return 0;
}
static int min_update(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *const *rows, uint32_t off,
                      TarnError *err)
{
    (void)na;
    return minmax_update_sign(ctx, args, n, rows, off, -1, err);
}
static int max_update(FuncCtx *ctx, Vector **args, uint32_t na, uint32_t n, uint8_t *const *rows, uint32_t off,
                      TarnError *err)
{
    (void)na;
    return minmax_update_sign(ctx, args, n, rows, off, 1, err);
}

/* Combine: build a one-row vector per source state and reuse update. */
static int minmax_combine_sign(FuncCtx *ctx, uint8_t *const *src, uint8_t *const *dst, uint32_t off, uint32_t n,
                               int sign, TarnError *err)
{
    const LogicalType *t = ctx->arg_types[0];
    Vector v;
    if (vec_init(&v, t) || vec_reserve(&v, 1))
        return ERR_NOMEM(err, 64);
    int rc = 0;
    for (uint32_t i = 0; i < n && !rc; i++) {
        MinMax *s = (MinMax *)(src[i] + off);
        if (!s->has)
            continue;
        v.len = 1;
        switch (t->id) {
        case TYPE_BOOL: case TYPE_UINT8: case TYPE_INT8: v.data[0] = (uint8_t)s->v.i; break;
        case TYPE_INT16: case TYPE_UINT16: *(int16_t *)v.data = (int16_t)s->v.i; break;
        case TYPE_INT32: case TYPE_UINT32: case TYPE_DATE: *(int32_t *)v.data = (int32_t)s->v.i; break;
        case TYPE_FLOAT: *(float *)v.data = (float)s->v.d; break;
        case TYPE_DOUBLE: *(double *)v.data = s->v.d; break;
        case TYPE_DECIMAL: dec_put(&v, 0, s->v.w); break;
        case TYPE_INTERVAL: *(Interval *)v.data = s->v.iv; break;
        case TYPE_UUID: memcpy(v.data, s->v.u, 16); break;
        case TYPE_STRING: case TYPE_BLOB: case TYPE_JSON: *(StrView *)v.data = s->v.s; break;
        default: *(int64_t *)v.data = s->v.i; break;
        }
        Vector *args[1] = {&v};
        uint8_t *d = dst[i];
        rc = minmax_update_sign(ctx, args, 1, &d, off, sign, err);
    }
    vec_destroy(&v);
    return rc;
}
static int min_combine(FuncCtx *ctx, uint8_t *const *src, uint8_t *const *dst, uint32_t off, uint32_t n, TarnError *err)
{
    return minmax_combine_sign(ctx, src, dst, off, n, -1, err);
}
static int max_combine(FuncCtx *ctx, uint8_t *const *src, uint8_t *const *dst, uint32_t off, uint32_t n, TarnError *err)
{
    return minmax_combine_sign(ctx, src, dst, off, n, 1, err);
}
static int minmax_finalize(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n, Vector *out, TarnError *err)
{
    (void)ctx;
    const LogicalType *t = out->type;
    out->len = n;
    for (uint32_t i = 0; i < n; i++) {
        MinMax *s = ST(MinMax);
        if (!s->has) {
            if (vec_set_null(out, i))
                return ERR_NOMEM(err, n);
            size_t w = type_width(t);
            memset(out->data + w * i, 0, w);
            continue;
        }
        switch (t->id) {
        case TYPE_BOOL: case TYPE_UINT8: case TYPE_INT8: out->data[i] = (uint8_t)s->v.i; break;
        case TYPE_INT16: case TYPE_UINT16: ((int16_t *)out->data)[i] = (int16_t)s->v.i; break;
        case TYPE_INT32: case TYPE_UINT32: case TYPE_DATE: ((int32_t *)out->data)[i] = (int32_t)s->v.i; break;
        case TYPE_FLOAT: ((float *)out->data)[i] = (float)s->v.d; break;
        case TYPE_DOUBLE: ((double *)out->data)[i] = s->v.d; break;
        case TYPE_DECIMAL: dec_put(out, i, s->v.w); break;
        case TYPE_INTERVAL: ((Interval *)out->data)[i] = s->v.iv; break;
        case TYPE_UUID: memcpy(out->data + 16 * (size_t)i, s->v.u, 16); break;
        case TYPE_STRING: case TYPE_BLOB: case TYPE_JSON: ((StrView *)out->data)[i] = s->v.s; break;
        default: ((int64_t *)out->data)[i] = s->v.i; break;
        }
    }
    return 0;
}

/* ---- Registry table ------------------------------------------------------------------------------------ */

#define AGG(NAME, ARG, RET, STATE, UPD, UPD1, COMB, FIN, BIND)                                   \
    {.name = NAME, .kind = FUNC_AGGREGATE, .n_args = 1, .args = {ARG}, .ret = RET,            \
     .flags = FUNC_CONST_ARGS, .state_size = sizeof(STATE), .agg_init = init_zero,            \
     .agg_update = UPD, .agg_update1 = UPD1, .agg_combine = COMB, .agg_finalize = FIN, .bind = BIND}

const FuncDef func_defs_core_agg[] = {
    {.name = "count", .kind = FUNC_AGGREGATE, .n_args = 0, .ret = TYPE_INT64, .flags = FUNC_CONST_ARGS,
     .state_size = sizeof(int64_t), .agg_init = init_zero, .agg_update = count_star_update,
     .agg_update1 = count_star_update1, .agg_combine = count_combine, .agg_finalize = count_finalize,
     .doc = "count(*): number of input rows"},
    {.name = "count", .kind = FUNC_AGGREGATE, .n_args = 1, .args = {FUNC_T_ANY}, .ret = TYPE_INT64,
     .flags = FUNC_CONST_ARGS, .state_size = sizeof(int64_t), .agg_init = init_zero,
     .agg_update = count_update, .agg_update1 = count_update1, .agg_combine = count_combine,
     .agg_finalize = count_finalize, .doc = "number of input rows where the argument is not null"},

    AGG("sum", TYPE_INT16, TYPE_INT64, SumI, sumi_update, sumi_update1, sumi_combine, sum_int_to_i64_finalize, NULL),
    AGG("sum", TYPE_INT32, TYPE_INT64, SumI, sumi_update, sumi_update1, sumi_combine, sum_int_to_i64_finalize, NULL),
    AGG("sum", TYPE_INT64, TYPE_DECIMAL, SumI, sumi_update, sumi_update1, sumi_combine, sum_dec_finalize,
        bind_sum_numeric),
    AGG("sum", TYPE_DECIMAL, TYPE_DECIMAL, SumI, sumi_update, sumi_update1, sumi_combine, sum_dec_finalize,
        bind_sum_numeric),
    AGG("sum", TYPE_FLOAT, TYPE_FLOAT, SumF, sumf_update, sumf_update1, sumf_combine, sumf_finalize, NULL),
    AGG("sum", TYPE_DOUBLE, TYPE_DOUBLE, SumF, sumf_update, sumf_update1, sumf_combine, sumf_finalize, NULL),
    AGG("sum", TYPE_INTERVAL, TYPE_INTERVAL, SumIv, sumiv_update, NULL, sumiv_combine, sumiv_finalize, NULL),

    AGG("avg", TYPE_INT16, TYPE_DECIMAL, SumI, sumi_update, sumi_update1, sumi_combine, avg_dec_finalize,
        bind_avg_numeric),
    AGG("avg", TYPE_INT32, TYPE_DECIMAL, SumI, sumi_update, sumi_update1, sumi_combine, avg_dec_finalize,
        bind_avg_numeric),
    AGG("avg", TYPE_INT64, TYPE_DECIMAL, SumI, sumi_update, sumi_update1, sumi_combine, avg_dec_finalize,
        bind_avg_numeric),
    AGG("avg", TYPE_DECIMAL, TYPE_DECIMAL, SumI, sumi_update, sumi_update1, sumi_combine, avg_dec_finalize,
        bind_avg_numeric),
    AGG("avg", TYPE_FLOAT, TYPE_DOUBLE, SumF, sumf_update, sumf_update1, sumf_combine, avgf_finalize, NULL),
    AGG("avg", TYPE_DOUBLE, TYPE_DOUBLE, SumF, sumf_update, sumf_update1, sumf_combine, avgf_finalize, NULL),
    AGG("avg", TYPE_INTERVAL, TYPE_INTERVAL, SumIv, sumiv_update, NULL, sumiv_combine, avgiv_finalize, NULL),

    AGG("min", FUNC_T_ANYELEMENT, FUNC_T_ANYELEMENT, MinMax, min_update, NULL, min_combine, minmax_finalize, NULL),
    AGG("max", FUNC_T_ANYELEMENT, FUNC_T_ANYELEMENT, MinMax, max_update, NULL, max_combine, minmax_finalize, NULL),
    {0},
};
