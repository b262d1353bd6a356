/*
 * func_core_ops.c - the core operators: comparison (= <> < <= > >=) on
 * every comparable type, arithmetic (+ - * / %, unary -) on integers,
 * floats and numeric, date/time arithmetic, text concatenation (||) and
 * LIKE / ILIKE (~~, ~~*, !~~, !~~*).
 *
 * Semantics are PostgreSQL's: integer overflow is an error ("integer out
 * of range", 22003), division by zero is an error (22012) for every
 * numeric type, integer division truncates, float comparisons put NaN
 * above everything and NaN = NaN, text compares byte-wise (C collation).
 *
 * Numeric result types (bind callbacks): + and - keep max(s1, s2) digits
 * after the point, * keeps s1 + s2, / keeps max(16, s1, s2) (PostgreSQL
 * picks the division scale per value; tarn per expression - a known
 * difference in the number of trailing digits shown), % keeps max(s1, s2).
 * Precision grows to hold the result and is capped at 38 digits (then
 * overflow is checked at run time: "numeric field overflow").
 */
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "sql/func/cast.h"
#include "sql/func/func.h"
#include "sql/func/func_lib.h"
#include "util/datetime.h"

#define KERNEL(name) \
    static int name(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n, Vector *out, TarnError *err)
#define UNUSED_K (void)ctx; (void)n_args; (void)err

/* ---- Comparison --------------------------------------------------------------------- */

#define CMP6(SUF, T, CMP3)                                                                    \
    KERNEL(eq_##SUF) { UNUSED_K; const T *x = (const T *)args[0]->data, *y = (const T *)args[1]->data; \
        uint8_t *r = out->data; FUNC_LOOP2(args[0], args[1], n, { r[i] = CMP3(x[ia], y[ib]) == 0; }); \
        out->len = n; return 0; }                                                             \
    KERNEL(ne_##SUF) { UNUSED_K; const T *x = (const T *)args[0]->data, *y = (const T *)args[1]->data; \
        uint8_t *r = out->data; FUNC_LOOP2(args[0], args[1], n, { r[i] = CMP3(x[ia], y[ib]) != 0; }); \
        out->len = n; return 0; }                                                             \
    KERNEL(lt_##SUF) { UNUSED_K; const T *x = (const T *)args[0]->data, *y = (const T *)args[1]->data; \
        uint8_t *r = out->data; FUNC_LOOP2(args[0], args[1], n, { r[i] = CMP3(x[ia], y[ib]) < 0; }); \
        out->len = n; return 0; }                                                             \
    KERNEL(le_##SUF) { UNUSED_K; const T *x = (const T *)args[0]->data, *y = (const T *)args[1]->data; \
        uint8_t *r = out->data; FUNC_LOOP2(args[0], args[1], n, { r[i] = CMP3(x[ia], y[ib]) <= 0; }); \
        out->len = n; return 0; }                                                             \
    KERNEL(gt_##SUF) { UNUSED_K; const T *x = (const T *)args[0]->data, *y = (const T *)args[1]->data; \
        uint8_t *r = out->data; FUNC_LOOP2(args[0], args[1], n, { r[i] = CMP3(x[ia], y[ib]) > 0; }); \
        out->len = n; return 0; }                                                             \
    KERNEL(ge_##SUF) { UNUSED_K; const T *x = (const T *)args[0]->data, *y = (const T *)args[1]->data; \
        uint8_t *r = out->data; FUNC_LOOP2(args[0], args[1], n, { r[i] = CMP3(x[ia], y[ib]) >= 0; }); \
        out->len = n; return 0; }

#define PCMP(a, b) (((a) > (b)) - ((a) < (b)))
#define FCMP(a, b) (isnan(a) ? (isnan(b) ? 0 : 1) : isnan(b) ? -1 : PCMP(a, b))

static inline int str_cmp3(StrView a, StrView b)
{
    uint32_t m = a.len < b.len ? a.len : b.len;
    int c = m ? memcmp(a.ptr, b.ptr, m) : 0;
    return c ? (c < 0 ? -1 : 1) : PCMP(a.len, b.len);
}
static inline int128_t interval_key(Interval v)
{
    return ((int128_t)v.months * 30 + v.days) * DT_USECS_PER_DAY + v.micros;
}
static inline int iv_cmp3(Interval a, Interval b)
{
    int128_t x = interval_key(a), y = interval_key(b);
    return PCMP(x, y);
}
typedef struct { uint8_t b[16]; } Uuid16;
static inline int uuid_cmp3(Uuid16 a, Uuid16 b)
{
    int c = memcmp(a.b, b.b, 16);
    return (c > 0) - (c < 0);
}

CMP6(bool, uint8_t, PCMP)
CMP6(i16, int16_t, PCMP)
CMP6(i32, int32_t, PCMP)
CMP6(i64, int64_t, PCMP)
CMP6(f32, float, FCMP)
CMP6(f64, double, FCMP)
CMP6(str, StrView, str_cmp3)
CMP6(iv, Interval, iv_cmp3)
CMP6(uuid, Uuid16, uuid_cmp3)

/* float4 against float8 (PostgreSQL's float48eq ... float84ge): compared as
 * float8.  With them `real_col < 0.1` compares in double precision as in
 * PostgreSQL (the numeric constant resolves to the float8 side). */
#define CMP6X(SUF, TA, TB)                                                                    \
    KERNEL(eq_##SUF) { UNUSED_K; const TA *x = (const TA *)args[0]->data; const TB *y = (const TB *)args[1]->data; \
        uint8_t *r = out->data; FUNC_LOOP2(args[0], args[1], n, { r[i] = FCMP((double)x[ia], (double)y[ib]) == 0; }); \
        out->len = n; return 0; }                                                             \
    KERNEL(ne_##SUF) { UNUSED_K; const TA *x = (const TA *)args[0]->data; const TB *y = (const TB *)args[1]->data; \
        uint8_t *r = out->data; FUNC_LOOP2(args[0], args[1], n, { r[i] = FCMP((double)x[ia], (double)y[ib]) != 0; }); \
        out->len = n; return 0; }                                                             \
    KERNEL(lt_##SUF) { UNUSED_K; const TA *x = (const TA *)args[0]->data; const TB *y = (const TB *)args[1]->data; \
        uint8_t *r = out->data; FUNC_LOOP2(args[0], args[1], n, { r[i] = FCMP((double)x[ia], (double)y[ib]) < 0; }); \
        out->len = n; return 0; }                                                             \
    KERNEL(le_##SUF) { UNUSED_K; const TA *x = (const TA *)args[0]->data; const TB *y = (const TB *)args[1]->data; \
        uint8_t *r = out->data; FUNC_LOOP2(args[0], args[1], n, { r[i] = FCMP((double)x[ia], (double)y[ib]) <= 0; }); \
        out->len = n; return 0; }                                                             \
    KERNEL(gt_##SUF) { UNUSED_K; const TA *x = (const TA *)args[0]->data; const TB *y = (const TB *)args[1]->data; \
        uint8_t *r = out->data; FUNC_LOOP2(args[0], args[1], n, { r[i] = FCMP((double)x[ia], (double)y[ib]) > 0; }); \
        out->len = n; return 0; }                                                             \
    KERNEL(ge_##SUF) { UNUSED_K; const TA *x = (const TA *)args[0]->data; const TB *y = (const TB *)args[1]->data; \
        uint8_t *r = out->data; FUNC_LOOP2(args[0], args[1], n, { r[i] = FCMP((double)x[ia], (double)y[ib]) >= 0; }); \
        out->len = n; return 0; }
CMP6X(f32f64, float, double)
CMP6X(f64f32, double, float)

/* Equality fast path for strings: lengths first. */
KERNEL(eq_str_fast)
{
    UNUSED_K;
    const StrView *x = (const StrView *)args[0]->data, *y = (const StrView *)args[1]->data;
    uint8_t *r = out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        r[i] = x[ia].len == y[ib].len && (x[ia].len == 0 || memcmp(x[ia].ptr, y[ib].ptr, x[ia].len) == 0);
    });
    out->len = n;
    return 0;
}

/* Decimals: compare at the larger scale. */
static int dec_cmp_kernel(FuncCtx *ctx, Vector **args, uint32_t n, Vector *out, int op, TarnError *err)
{
    const LogicalType *ta = args[0]->type, *tb = args[1]->type;
    uint8_t *r = out->data;
    if (ta->scale == tb->scale && !dec_is_wide(ta) && !dec_is_wide(tb)) {
        const int64_t *x = (const int64_t *)args[0]->data, *y = (const int64_t *)args[1]->data;
        switch (op) {
        case 0: FUNC_LOOP2(args[0], args[1], n, { r[i] = x[ia] == y[ib]; }); break;
        case 1: FUNC_LOOP2(args[0], args[1], n, { r[i] = x[ia] != y[ib]; }); break;
        case 2: FUNC_LOOP2(args[0], args[1], n, { r[i] = x[ia] < y[ib]; }); break;
        case 3: FUNC_LOOP2(args[0], args[1], n, { r[i] = x[ia] <= y[ib]; }); break;
        case 4: FUNC_LOOP2(args[0], args[1], n, { r[i] = x[ia] > y[ib]; }); break;
        default: FUNC_LOOP2(args[0], args[1], n, { r[i] = x[ia] >= y[ib]; }); break;
        }
        out->len = n;
        return 0;
    }
    int s = ta->scale > tb->scale ? ta->scale : tb->scale;
    int128_t ma = func_pow10_i128(s - ta->scale), mb = func_pow10_i128(s - tb->scale);
    FUNC_LOOP2(args[0], args[1], n, {
        int128_t a = dec_get(args[0], ia), b = dec_get(args[1], ib);
        int c;
        /* Overflowing rescale: compare by sign/magnitude via division. */
        int128_t xa, xb;
        if (!__builtin_mul_overflow(a, ma, &xa) && !__builtin_mul_overflow(b, mb, &xb)) {
            c = PCMP(xa, xb);
        } else {
            double da = (double)a / (double)ma, db = (double)b / (double)mb;
            c = PCMP(db, da) * -1;
        }
        switch (op) {
        case 0: r[i] = c == 0; break;
        case 1: r[i] = c != 0; break;
        case 2: r[i] = c < 0; break;
        case 3: r[i] = c <= 0; break;
        case 4: r[i] = c > 0; break;
        default: r[i] = c >= 0; break;
        }
    });
    (void)ctx; (void)err;
    out->len = n;
    return 0;
}
KERNEL(eq_dec) { (void)n_args; return dec_cmp_kernel(ctx, args, n, out, 0, err); }
KERNEL(ne_dec) { (void)n_args; return dec_cmp_kernel(ctx, args, n, out, 1, err); }
KERNEL(lt_dec) { (void)n_args; return dec_cmp_kernel(ctx, args, n, out, 2, err); }
KERNEL(le_dec) { (void)n_args; return dec_cmp_kernel(ctx, args, n, out, 3, err); }
KERNEL(gt_dec) { (void)n_args; return dec_cmp_kernel(ctx, args, n, out, 4, err); }
KERNEL(ge_dec) { (void)n_args; return dec_cmp_kernel(ctx, args, n, out, 5, err); }

/* ---- Integer arithmetic --------------------------------------------------------------- */

/* Finds whether an overflow flagged during a branch-free loop hit a
 * non-NULL row (NULL rows hold arbitrary bytes). */
#define INT_ARITH(NAME, T, BUILTIN, TNAME)                                                    \
    KERNEL(NAME)                                                                              \
    {                                                                                         \
        UNUSED_K;                                                                             \
        const T *x = (const T *)args[0]->data, *y = (const T *)args[1]->data;                 \
        T *r = (T *)out->data;                                                                \
        int ovf = 0;                                                                          \
        FUNC_LOOP2(args[0], args[1], n, { ovf |= BUILTIN(x[ia], y[ib], &r[i]); });            \
        if (ovf) {                                                                            \
            FUNC_LOOP2(args[0], args[1], n, {                                                 \
                T t_;                                                                         \
                if (BUILTIN(x[ia], y[ib], &t_) && FUNC_ROW_VALID(out, i))                     \
                    return func_err_out_of_range(err, TNAME);                                 \
            });                                                                               \
        }                                                                                     \
        out->len = n;                                                                         \
        return 0;                                                                             \
    }

INT_ARITH(add_i16, int16_t, __builtin_add_overflow, "smallint")
INT_ARITH(sub_i16, int16_t, __builtin_sub_overflow, "smallint")
INT_ARITH(mul_i16, int16_t, __builtin_mul_overflow, "smallint")
INT_ARITH(add_i32, int32_t, __builtin_add_overflow, "integer")
INT_ARITH(sub_i32, int32_t, __builtin_sub_overflow, "integer")
INT_ARITH(mul_i32, int32_t, __builtin_mul_overflow, "integer")
INT_ARITH(add_i64, int64_t, __builtin_add_overflow, "bigint")
INT_ARITH(sub_i64, int64_t, __builtin_sub_overflow, "bigint")
INT_ARITH(mul_i64, int64_t, __builtin_mul_overflow, "bigint")

#define INT_DIVMOD(NAME, T, TMIN, IS_MOD, TNAME)                                              \
    KERNEL(NAME)                                                                              \
    {                                                                                         \
        UNUSED_K;                                                                             \
        const T *x = (const T *)args[0]->data, *y = (const T *)args[1]->data;                 \
        T *r = (T *)out->data;                                                                \
        int bad = 0;                                                                          \
        FUNC_LOOP2(args[0], args[1], n, {                                                     \
            T a = x[ia], b = y[ib];                                                           \
            int z = b == 0, m1 = b == -1;                                                     \
            bad |= z | (m1 & (a == TMIN) & !IS_MOD);                                          \
            T bb = (T)(z | m1 ? 1 : b);                                                       \
            T q = IS_MOD ? (T)(a % bb) : (T)(a / bb);                                         \
            if (m1) q = IS_MOD ? 0 : (T)(a == TMIN ? a : -a);                                 \
            r[i] = q;                                                                         \
        });                                                                                   \
        if (bad) {                                                                            \
            FUNC_LOOP2(args[0], args[1], n, {                                                 \
                if (FUNC_ROW_VALID(out, i)) {                                                 \
                    if (y[ib] == 0)                                                           \
                        return func_err_division_by_zero(err);                                \
                    if (!IS_MOD && y[ib] == -1 && x[ia] == TMIN)                              \
                        return func_err_out_of_range(err, TNAME);                             \
                }                                                                             \
            });                                                                               \
        }                                                                                     \
        out->len = n;                                                                         \
        return 0;                                                                             \
    }

INT_DIVMOD(div_i16, int16_t, INT16_MIN, 0, "smallint")
INT_DIVMOD(mod_i16, int16_t, INT16_MIN, 1, "smallint")
INT_DIVMOD(div_i32, int32_t, INT32_MIN, 0, "integer")
INT_DIVMOD(mod_i32, int32_t, INT32_MIN, 1, "integer")
INT_DIVMOD(div_i64, int64_t, INT64_MIN, 0, "bigint")
INT_DIVMOD(mod_i64, int64_t, INT64_MIN, 1, "bigint")

#define INT_NEG(NAME, T, TMIN, TNAME)                                                         \
    KERNEL(NAME)                                                                              \
    {                                                                                         \
        UNUSED_K;                                                                             \
        const T *x = (const T *)args[0]->data;                                                \
        T *r = (T *)out->data;                                                                \
        FUNC_LOOP1(args[0], n, {                                                              \
            if (x[ia] == TMIN && FUNC_ROW_VALID(out, i))                                      \
                return func_err_out_of_range(err, TNAME);                                     \
            r[i] = (T)(x[ia] == TMIN ? 0 : -x[ia]);                                           \
        });                                                                                   \
        out->len = n;                                                                         \
        return 0;                                                                             \
    }
INT_NEG(neg_i16, int16_t, INT16_MIN, "smallint")
INT_NEG(neg_i32, int32_t, INT32_MIN, "integer")
INT_NEG(neg_i64, int64_t, INT64_MIN, "bigint")

/* ---- Float arithmetic ----------------------------------------------------------------- */

/* TA op TB computed in R (float4 with float8 is float8, as PostgreSQL's
 * float48pl & co.).  PG: "value out of range: overflow" when finite inputs
 * give inf; for *, "underflow" when non-zero inputs give 0 (float8_mul). */
#define FLT_ARITH(NAME, TA, TB, R, OP, UNDER)                                                  \
    KERNEL(NAME)                                                                              \
    {                                                                                         \
        UNUSED_K;                                                                             \
        const TA *x = (const TA *)args[0]->data;                                              \
        const TB *y = (const TB *)args[1]->data;                                              \
        R *r = (R *)out->data;                                                                \
        FUNC_LOOP2(args[0], args[1], n, { r[i] = (R)x[ia] OP (R)y[ib]; });                    \
        FUNC_LOOP2(args[0], args[1], n, {                                                     \
            if (__builtin_expect(isinf(r[i]), 0) && !isinf(x[ia]) && !isinf(y[ib]) &&         \
                FUNC_ROW_VALID(out, i))                                                       \
                return err_set_state(err, TARN_ERR_INVALID, "22003", "value out of range: overflow"); \
            if (UNDER && __builtin_expect(r[i] == 0, 0) && x[ia] != 0 && y[ib] != 0 &&        \
                FUNC_ROW_VALID(out, i))                                                       \
                return err_set_state(err, TARN_ERR_INVALID, "22003", "value out of range: underflow"); \
        });                                                                                   \
        out->len = n;                                                                         \
        return 0;                                                                             \
    }
FLT_ARITH(add_f32, float, float, float, +, 0)
FLT_ARITH(sub_f32, float, float, float, -, 0)
FLT_ARITH(mul_f32, float, float, float, *, 1)
FLT_ARITH(add_f64, double, double, double, +, 0)
FLT_ARITH(sub_f64, double, double, double, -, 0)
FLT_ARITH(mul_f64, double, double, double, *, 1)
FLT_ARITH(add_f32f64, float, double, double, +, 0)
FLT_ARITH(sub_f32f64, float, double, double, -, 0)
FLT_ARITH(mul_f32f64, float, double, double, *, 1)
FLT_ARITH(add_f64f32, double, float, double, +, 0)
FLT_ARITH(sub_f64f32, double, float, double, -, 0)
FLT_ARITH(mul_f64f32, double, float, double, *, 1)

/* float8_div: division by zero, then overflow (finite / finite = inf) and
 * underflow (non-zero / finite = 0). */
#define FLT_DIV(NAME, TA, TB, R)                                                              \
    KERNEL(NAME)                                                                              \
    {                                                                                         \
        UNUSED_K;                                                                             \
        const TA *x = (const TA *)args[0]->data;                                              \
        const TB *y = (const TB *)args[1]->data;                                              \
        R *r = (R *)out->data;                                                                \
        int bad = 0;                                                                          \
        FUNC_LOOP2(args[0], args[1], n, {                                                     \
            r[i] = (R)x[ia] / (R)y[ib];                                                       \
            bad |= y[ib] == 0 || isinf(r[i]) || (r[i] == 0 && x[ia] != 0);                    \
        });                                                                                   \
        if (bad)                                                                              \
            FUNC_LOOP2(args[0], args[1], n, {                                                 \
                if (!FUNC_ROW_VALID(out, i))                                                  \
                    continue;                                                                 \
                if (y[ib] == 0)                                                               \
                    return func_err_division_by_zero(err);                                    \
                if (isinf(r[i]) && !isinf(x[ia]))                                             \
                    return err_set_state(err, TARN_ERR_INVALID, "22003", "value out of range: overflow"); \
                if (r[i] == 0 && x[ia] != 0 && !isinf(y[ib]))                                 \
                    return err_set_state(err, TARN_ERR_INVALID, "22003", "value out of range: underflow"); \
            });                                                                               \
        out->len = n;                                                                         \
        return 0;                                                                             \
    }
FLT_DIV(div_f32, float, float, float)
FLT_DIV(div_f64, double, double, double)
FLT_DIV(div_f32f64, float, double, double)
FLT_DIV(div_f64f32, double, float, double)

KERNEL(neg_f32) { UNUSED_K; const float *x = (const float *)args[0]->data; float *r = (float *)out->data;
    FUNC_LOOP1(args[0], n, { r[i] = -x[ia]; }); out->len = n; return 0; }
KERNEL(neg_f64) { UNUSED_K; const double *x = (const double *)args[0]->data; double *r = (double *)out->data;
    FUNC_LOOP1(args[0], n, { r[i] = -x[ia]; }); out->len = n; return 0; }

/* ---- Numeric arithmetic ------------------------------------------------------------------ */

static int cap_prec(int p) { return p > 38 ? 38 : p < 1 ? 1 : p; }

static int bind_dec_addsub(FuncBindInfo *b, TarnError *err)
{
    const LogicalType *x = &b->arg_types[0], *y = &b->arg_types[1];
    int s = x->scale > y->scale ? x->scale : y->scale;
    int ix = x->precision - x->scale, iy = y->precision - y->scale;
    b->ret = type_decimal(cap_prec((ix > iy ? ix : iy) + s + 1), s);
    (void)err;
    return 0;
}
static int bind_dec_mul(FuncBindInfo *b, TarnError *err)
{
    const LogicalType *x = &b->arg_types[0], *y = &b->arg_types[1];
    int s = x->scale + y->scale;
    if (s > 38)
        s = 38;
    b->ret = type_decimal(cap_prec(x->precision + y->precision), s);
    (void)err;
    return 0;
}
/* A constant numeric's base-10000 weight and first (nonzero) digit group,
 * as PostgreSQL's NumericVar has them: |v| = first * 10000^weight + ... ;
 * zero has weight 0 and first digit 0. */
static void dec_weight_first(const Value *v, const LogicalType *t, int *weight, int64_t *first)
{
    int128_t u = t->precision > 18 ? v->v.i128 : (int128_t)v->v.i;
    unsigned __int128 m = u < 0 ? (unsigned __int128)0 - (unsigned __int128)u : (unsigned __int128)u;
    *weight = 0;
    *first = 0;
    if (m == 0)
        return;
    int nd = 0;
    for (unsigned __int128 q = m; q; q /= 10)
        nd++;
    int e10 = nd - 1 - t->scale; /* |v| in [10^e10, 10^(e10+1)) */
    int w = e10 >= 0 ? e10 / 4 : -((-e10 + 3) / 4);
    int shift = t->scale + 4 * w; /* first = |u| / 10^shift */
    unsigned __int128 f = m;
    for (int k = 0; k < shift; k++)
        f /= 10;
    for (int k = shift; k < 0; k++)
        f *= 10;
    *weight = w;
    *first = (int64_t)f;
}

static int bind_dec_div(FuncBindInfo *b, TarnError *err)
{
    const LogicalType *x = &b->arg_types[0], *y = &b->arg_types[1];
    int s = 16;
    if (b->is_const[0] && b->is_const[1] && !b->const_args[0].is_null && !b->const_args[1].is_null) {
        /* both values known: PostgreSQL's select_div_scale exactly - at least
         * 16 significant digits from the estimated quotient weight */
        int w1, w2;
        int64_t f1, f2;
        dec_weight_first(&b->const_args[0], x, &w1, &f1);
        dec_weight_first(&b->const_args[1], y, &w2, &f2);
        int qweight = w1 - w2 - (f1 <= f2 ? 1 : 0);
        s = 16 - qweight * 4;
        if (s < 0)
            s = 0;
    }
    if (x->scale > s)
        s = x->scale;
    if (y->scale > s)
        s = y->scale;
    /* Precisions of computed numerics are often the 38-digit cap, so they
     * say little about magnitudes: keep the scale and check each value
     * against 38 digits at run time. */
    if (s > 37)
        s = 37;
    b->ret = type_decimal(38, s);
    (void)err;
    return 0;
}
static int bind_dec_mod(FuncBindInfo *b, TarnError *err)
{
    const LogicalType *x = &b->arg_types[0], *y = &b->arg_types[1];
    int s = x->scale > y->scale ? x->scale : y->scale;
    int ix = x->precision - x->scale, iy = y->precision - y->scale;
    b->ret = type_decimal(cap_prec((ix > iy ? ix : iy) + s), s);
    (void)err;
    return 0;
}
static int bind_dec_neg(FuncBindInfo *b, TarnError *err)
{
    b->ret = b->arg_types[0];
    (void)err;
    return 0;
}

static int dec_overflow(TarnError *err)
{
    return err_set_state(err, TARN_ERR_INVALID, "22003", "numeric field overflow");
}

/* + and -: rescale both to the result scale. */
static int dec_addsub(FuncCtx *ctx, Vector **args, uint32_t n, Vector *out, bool sub, TarnError *err)
{
    const LogicalType *ta = args[0]->type, *tb = args[1]->type, *tr = out->type;
    int s = tr->scale;
    if (!dec_is_wide(ta) && !dec_is_wide(tb) && !dec_is_wide(tr) && ta->scale == s && tb->scale == s) {
        const int64_t *x = (const int64_t *)args[0]->data, *y = (const int64_t *)args[1]->data;
        int64_t *r = (int64_t *)out->data;
        int ovf = 0;
        if (sub)
            FUNC_LOOP2(args[0], args[1], n, { ovf |= __builtin_sub_overflow(x[ia], y[ib], &r[i]); });
        else
            FUNC_LOOP2(args[0], args[1], n, { ovf |= __builtin_add_overflow(x[ia], y[ib], &r[i]); });
        if (!ovf) {
            out->len = n;
            return 0;
        }
    }
    if (!dec_is_wide(ta) && !dec_is_wide(tb) && !dec_is_wide(tr)) {
        /* 64-bit with the scale factors applied on the fly (1 - l_discount) */
        int64_t ma64 = (int64_t)func_pow10_i128(s - ta->scale), mb64 = (int64_t)func_pow10_i128(s - tb->scale);
        int64_t lim64 = (int64_t)func_pow10_i128(tr->precision);
        const int64_t *x = (const int64_t *)args[0]->data, *y = (const int64_t *)args[1]->data;
        int64_t *r = (int64_t *)out->data;
        int ovf = 0;
        FUNC_LOOP2(args[0], args[1], n, {
            int64_t a, b, c;
            ovf |= (int)__builtin_mul_overflow(x[ia], ma64, &a) | (int)__builtin_mul_overflow(y[ib], mb64, &b);
            ovf |= sub ? __builtin_sub_overflow(a, b, &c) : __builtin_add_overflow(a, b, &c);
            ovf |= (c >= lim64) | (c <= -lim64);
            r[i] = c;
        });
        if (!ovf) {
            out->len = n;
            return 0;
        }
    }
    int128_t ma = func_pow10_i128(s - ta->scale), mb = func_pow10_i128(s - tb->scale);
    int128_t lim = func_pow10_i128(tr->precision);
    FUNC_LOOP2(args[0], args[1], n, {
        int128_t a, b, c;
        bool o = (int)__builtin_mul_overflow(dec_get(args[0], ia), ma, &a) |
                 (int)__builtin_mul_overflow(dec_get(args[1], ib), mb, &b);
        o |= sub ? __builtin_sub_overflow(a, b, &c) : __builtin_add_overflow(a, b, &c);
        if ((o || c >= lim || c <= -lim) && FUNC_ROW_VALID(out, i))
            return dec_overflow(err);
        dec_put(out, i, o ? 0 : c);
    });
    (void)ctx;
    out->len = n;
    return 0;
}
KERNEL(add_dec) { (void)n_args; return dec_addsub(ctx, args, n, out, false, err); }
KERNEL(sub_dec) { (void)n_args; return dec_addsub(ctx, args, n, out, true, err); }

KERNEL(mul_dec)
{
    UNUSED_K;
    const LogicalType *ta = args[0]->type, *tb = args[1]->type, *tr = out->type;
    int shrink = ta->scale + tb->scale - tr->scale; /* > 0 only when capped at 38 */
    int128_t lim = func_pow10_i128(tr->precision);
    if (!dec_is_wide(ta) && !dec_is_wide(tb) && shrink == 0) {
        const int64_t *x = (const int64_t *)args[0]->data, *y = (const int64_t *)args[1]->data;
        if (dec_is_wide(tr)) {
            int128_t *r = (int128_t *)out->data;
            /* |x|,|y| < 10^18: the product fits 10^36 < 10^38 */
            FUNC_LOOP2(args[0], args[1], n, { r[i] = (int128_t)x[ia] * y[ib]; });
            if (tr->precision < 38)
                FUNC_LOOP2(args[0], args[1], n, {
                    if ((r[i] >= lim || r[i] <= -lim) && FUNC_ROW_VALID(out, i))
                        return dec_overflow(err);
                });
        } else {
            int64_t *r = (int64_t *)out->data;
            int ovf = 0;
            FUNC_LOOP2(args[0], args[1], n, { ovf |= __builtin_mul_overflow(x[ia], y[ib], &r[i]); });
            if (ovf)
                FUNC_LOOP2(args[0], args[1], n, {
                    int64_t t_;
                    if (__builtin_mul_overflow(x[ia], y[ib], &t_) && FUNC_ROW_VALID(out, i))
                        return dec_overflow(err);
                });
        }
        out->len = n;
        return 0;
    }
    FUNC_LOOP2(args[0], args[1], n, {
        int128_t c;
        bool o = __builtin_mul_overflow(dec_get(args[0], ia), dec_get(args[1], ib), &c);
        if (!o && shrink > 0)
            dec_rescale(c, shrink, 0, &c);
        if ((o || c >= lim || c <= -lim) && FUNC_ROW_VALID(out, i))
            return dec_overflow(err);
        dec_put(out, i, o ? 0 : c);
    });
    out->len = n;
    return 0;
}

/* Divides a by b (both unscaled at scales sa, sb) into scale sr, rounding
 * half away from zero. */
static bool dec_div1(int128_t a, int sa, int128_t b, int sb, int sr, int128_t *out)
{
    /* result = a/10^sa / (b/10^sb) = a * 10^(sr - sa + sb) / b, at scale sr; one
     * extra digit for rounding */
    int e = sr - sa + sb + 1;
    int128_t num;
    if (e >= 0) {
        if (__builtin_mul_overflow(a, func_pow10_i128(e), &num))
            return false;
    } else {
        num = a / func_pow10_i128(-e);
    }
    int128_t q = num / b;
    int128_t r10 = q % 10;
    q /= 10;
    if (r10 >= 5)
        q++;
    else if (r10 <= -5)
        q--;
    *out = q;
    return true;
}

KERNEL(div_dec)
{
    UNUSED_K;
    const LogicalType *ta = args[0]->type, *tb = args[1]->type, *tr = out->type;
    int128_t lim = func_pow10_i128(tr->precision);
    FUNC_LOOP2(args[0], args[1], n, {
        int128_t b = dec_get(args[1], ib), c = 0;
        if (FUNC_ROW_VALID(out, i)) {
            if (b == 0)
                return func_err_division_by_zero(err);
            if (!dec_div1(dec_get(args[0], ia), ta->scale, b, tb->scale, tr->scale, &c) || c >= lim ||
                c <= -lim)
                return dec_overflow(err);
        }
        dec_put(out, i, c);
    });
    out->len = n;
    return 0;
}

KERNEL(mod_dec)
{
    UNUSED_K;
    const LogicalType *ta = args[0]->type, *tb = args[1]->type, *tr = out->type;
    int s = tr->scale;
    int128_t ma = func_pow10_i128(s - ta->scale), mb = func_pow10_i128(s - tb->scale);
    FUNC_LOOP2(args[0], args[1], n, {
        int128_t a = dec_get(args[0], ia) * ma, b = dec_get(args[1], ib) * mb;
        if (b == 0 && FUNC_ROW_VALID(out, i))
            return func_err_division_by_zero(err);
        dec_put(out, i, b ? a % b : 0);
    });
    out->len = n;
    return 0;
}

KERNEL(neg_dec)
{
    UNUSED_K;
    FUNC_LOOP1(args[0], n, { dec_put(out, i, -dec_get(args[0], ia)); });
    out->len = n;
    return 0;
}

/* ---- Date / time arithmetic ----------------------------------------------------------------- */

static int date_range_err(TarnError *err) { return err_set_state(err, TARN_ERR_INVALID, "22008", "date out of range"); }
static int ts_range_err(TarnError *err) { return err_set_state(err, TARN_ERR_INVALID, "22008", "timestamp out of range"); }

KERNEL(date_pl_int)
{
    UNUSED_K;
    const int32_t *d = (const int32_t *)args[0]->data, *k = (const int32_t *)args[1]->data;
    int32_t *r = (int32_t *)out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        int32_t t_;
        if (__builtin_add_overflow(d[ia], k[ib], &t_) && FUNC_ROW_VALID(out, i))
            return date_range_err(err);
        r[i] = t_;
    });
    out->len = n;
    return 0;
}
KERNEL(int_pl_date)
{
    UNUSED_K;
    const int32_t *k = (const int32_t *)args[0]->data, *d = (const int32_t *)args[1]->data;
    int32_t *r = (int32_t *)out->data;
    FUNC_LOOP2(args[0], args[1], n, { r[i] = d[ib] + k[ia]; });
    out->len = n;
    return 0;
}
KERNEL(date_mi_int)
{
    UNUSED_K;
    const int32_t *d = (const int32_t *)args[0]->data, *k = (const int32_t *)args[1]->data;
    int32_t *r = (int32_t *)out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        int32_t t_;
        if (__builtin_sub_overflow(d[ia], k[ib], &t_) && FUNC_ROW_VALID(out, i))
            return date_range_err(err);
        r[i] = t_;
    });
    out->len = n;
    return 0;
}
KERNEL(date_mi_date)
{
    UNUSED_K;
    const int32_t *a = (const int32_t *)args[0]->data, *b = (const int32_t *)args[1]->data;
    int32_t *r = (int32_t *)out->data;
    FUNC_LOOP2(args[0], args[1], n, { r[i] = a[ia] - b[ib]; });
    out->len = n;
    return 0;
}

/* timestamp + interval, PostgreSQL's timestamp_pl_interval: months first
 * (clamping the day to the month's length), then days, then micros. */
bool ts_add_interval(int64_t ts, Interval iv, int sign, int64_t *out)
{
    if (iv.months) {
        int64_t days = ts >= 0 ? ts / DT_USECS_PER_DAY : -((-ts + DT_USECS_PER_DAY - 1) / DT_USECS_PER_DAY);
        int64_t tod = ts - days * DT_USECS_PER_DAY;
        int64_t y;
        int m, d;
        dt_civil_from_days(days, &y, &m, &d);
        int64_t mm = (int64_t)m - 1 + (int64_t)sign * iv.months;
        y += mm >= 0 ? mm / 12 : -((-mm + 11) / 12);
        mm = ((mm % 12) + 12) % 12;
        m = (int)mm + 1;
        int dim = dt_days_in_month(y, m);
        if (d > dim)
            d = dim;
        ts = dt_days_from_civil(y, m, d) * DT_USECS_PER_DAY + tod;
    }
    int64_t add;
    if (__builtin_mul_overflow((int64_t)iv.days * sign, DT_USECS_PER_DAY, &add) ||
        __builtin_add_overflow(ts, add, &ts) || __builtin_add_overflow(ts, iv.micros * sign, &ts))
        return false;
    *out = ts;
    return true;
}

KERNEL(ts_pl_iv)
{
    UNUSED_K;
    const int64_t *t = (const int64_t *)args[0]->data;
    const Interval *v = (const Interval *)args[1]->data;
    int64_t *r = (int64_t *)out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        if (!ts_add_interval(t[ia], v[ib], 1, &r[i]) && FUNC_ROW_VALID(out, i))
            return ts_range_err(err);
    });
    out->len = n;
    return 0;
}
KERNEL(iv_pl_ts)
{
    UNUSED_K;
    const Interval *v = (const Interval *)args[0]->data;
    const int64_t *t = (const int64_t *)args[1]->data;
    int64_t *r = (int64_t *)out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        if (!ts_add_interval(t[ib], v[ia], 1, &r[i]) && FUNC_ROW_VALID(out, i))
            return ts_range_err(err);
    });
    out->len = n;
    return 0;
}
KERNEL(ts_mi_iv)
{
    UNUSED_K;
    const int64_t *t = (const int64_t *)args[0]->data;
    const Interval *v = (const Interval *)args[1]->data;
    int64_t *r = (int64_t *)out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        if (!ts_add_interval(t[ia], v[ib], -1, &r[i]) && FUNC_ROW_VALID(out, i))
            return ts_range_err(err);
    });
    out->len = n;
    return 0;
}
/* timestamptz +/- interval, PostgreSQL's timestamptz_pl_interval: months,
 * then days, each added to the local time in the session zone (so a day
 * across a DST change is 23 or 25 hours), then the micros to the instant. */
bool tstz_add_interval(const FlTz *tz, int64_t ts, Interval iv, int sign, int64_t *out)
{
    if (iv.months) {
        Interval m = iv;
        m.days = 0;
        m.micros = 0;
        int64_t local;
        if (!ts_add_interval(fl_tz_to_local(tz, ts, NULL), m, sign, &local))
            return false;
        ts = fl_tz_to_utc(tz, local);
    }
    if (iv.days) {
        Interval d = iv;
        d.months = 0;
        d.micros = 0;
        int64_t local;
        if (!ts_add_interval(fl_tz_to_local(tz, ts, NULL), d, sign, &local))
            return false;
        ts = fl_tz_to_utc(tz, local);
    }
    return !__builtin_add_overflow(ts, iv.micros * sign, out);
}

KERNEL(tstz_pl_iv)
{
    const FlTz *tz = fl_tz_session(ctx->settings);
    const int64_t *t = (const int64_t *)args[0]->data;
    const Interval *v = (const Interval *)args[1]->data;
    int64_t *r = (int64_t *)out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        if (!tstz_add_interval(tz, t[ia], v[ib], 1, &r[i]) && FUNC_ROW_VALID(out, i))
            return ts_range_err(err);
    });
    out->len = n;
    return 0;
}
KERNEL(iv_pl_tstz)
{
    const FlTz *tz = fl_tz_session(ctx->settings);
    const Interval *v = (const Interval *)args[0]->data;
    const int64_t *t = (const int64_t *)args[1]->data;
    int64_t *r = (int64_t *)out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        if (!tstz_add_interval(tz, t[ib], v[ia], 1, &r[i]) && FUNC_ROW_VALID(out, i))
            return ts_range_err(err);
    });
    out->len = n;
    return 0;
}
KERNEL(tstz_mi_iv)
{
    const FlTz *tz = fl_tz_session(ctx->settings);
    const int64_t *t = (const int64_t *)args[0]->data;
    const Interval *v = (const Interval *)args[1]->data;
    int64_t *r = (int64_t *)out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        if (!tstz_add_interval(tz, t[ia], v[ib], -1, &r[i]) && FUNC_ROW_VALID(out, i))
            return ts_range_err(err);
    });
    out->len = n;
    return 0;
}
/* date +/- interval -> timestamp */
KERNEL(date_pl_iv)
{
    UNUSED_K;
    const int32_t *d = (const int32_t *)args[0]->data;
    const Interval *v = (const Interval *)args[1]->data;
    int64_t *r = (int64_t *)out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        if (!ts_add_interval((int64_t)d[ia] * DT_USECS_PER_DAY, v[ib], 1, &r[i]) && FUNC_ROW_VALID(out, i))
            return ts_range_err(err);
    });
    out->len = n;
    return 0;
}
KERNEL(date_mi_iv)
{
    UNUSED_K;
    const int32_t *d = (const int32_t *)args[0]->data;
    const Interval *v = (const Interval *)args[1]->data;
    int64_t *r = (int64_t *)out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        if (!ts_add_interval((int64_t)d[ia] * DT_USECS_PER_DAY, v[ib], -1, &r[i]) && FUNC_ROW_VALID(out, i))
            return ts_range_err(err);
    });
    out->len = n;
    return 0;
}
/* timestamp - timestamp -> interval (days + micros, PG's timestamp_mi with justify_hours) */
KERNEL(ts_mi_ts)
{
    UNUSED_K;
    const int64_t *a = (const int64_t *)args[0]->data, *b = (const int64_t *)args[1]->data;
    Interval *r = (Interval *)out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        int64_t d = a[ia] - b[ib];
        Interval iv = {0, (int32_t)(d / DT_USECS_PER_DAY), d % DT_USECS_PER_DAY};
        r[i] = iv;
    });
    out->len = n;
    return 0;
}
KERNEL(date_pl_time)
{
    UNUSED_K;
    const int32_t *d = (const int32_t *)args[0]->data;
    const int64_t *t = (const int64_t *)args[1]->data;
    int64_t *r = (int64_t *)out->data;
    FUNC_LOOP2(args[0], args[1], n, { r[i] = (int64_t)d[ia] * DT_USECS_PER_DAY + t[ib]; });
    out->len = n;
    return 0;
}
KERNEL(iv_pl_iv)
{
    UNUSED_K;
    const Interval *a = (const Interval *)args[0]->data, *b = (const Interval *)args[1]->data;
    Interval *r = (Interval *)out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        Interval x = a[ia], y = b[ib], z;
        if (((int)__builtin_add_overflow(x.months, y.months, &z.months) | (int)__builtin_add_overflow(x.days, y.days, &z.days) |
             (int)__builtin_add_overflow(x.micros, y.micros, &z.micros)) && FUNC_ROW_VALID(out, i))
            return err_set_state(err, TARN_ERR_INVALID, "22008", "interval out of range");
        r[i] = z;
    });
    out->len = n;
    return 0;
}
KERNEL(iv_mi_iv)
{
    UNUSED_K;
    const Interval *a = (const Interval *)args[0]->data, *b = (const Interval *)args[1]->data;
    Interval *r = (Interval *)out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        Interval x = a[ia], y = b[ib], z;
        if (((int)__builtin_sub_overflow(x.months, y.months, &z.months) | (int)__builtin_sub_overflow(x.days, y.days, &z.days) |
             (int)__builtin_sub_overflow(x.micros, y.micros, &z.micros)) && FUNC_ROW_VALID(out, i))
            return err_set_state(err, TARN_ERR_INVALID, "22008", "interval out of range");
        r[i] = z;
    });
    out->len = n;
    return 0;
}
KERNEL(neg_iv)
{
    UNUSED_K;
    const Interval *a = (const Interval *)args[0]->data;
    Interval *r = (Interval *)out->data;
    FUNC_LOOP1(args[0], n, {
        Interval z = {-a[ia].months, -a[ia].days, -a[ia].micros};
        r[i] = z;
    });
    out->len = n;
    return 0;
}
/* interval * float8 and interval / float8, exactly PostgreSQL 15's
 * interval_mul / interval_div: month and day parts scaled and truncated,
 * their fractions cascade (months as 30 days) into days and time, rounded
 * to microseconds on the way (TSROUND), so `interval '1 year' / 7` is
 * 1 mon 21 days 10:17:08.5344 as there.  False when out of range. */
#define TSROUND(j) (rint((j) * 1000000.0) / 1000000.0)
static bool iv_scale(Interval v, double f, bool divide, Interval *out)
{
    double m = divide ? v.months / f : v.months * f;
    double d = divide ? v.days / f : v.days * f;
    if (isnan(m) || m > INT32_MAX || m < INT32_MIN || isnan(d) || d > INT32_MAX || d < INT32_MIN)
        return false;
    Interval r;
    r.months = (int32_t)m;
    r.days = (int32_t)d;
    double month_rem_days = TSROUND((m - r.months) * 30.0);
    double sec_rem = TSROUND((d - r.days + month_rem_days - (int)month_rem_days) * 86400.0);
    if (fabs(sec_rem) >= 86400.0) {
        r.days += (int)(sec_rem / 86400.0);
        sec_rem -= (int)(sec_rem / 86400.0) * 86400.0;
    }
    r.days += (int)month_rem_days;
    double t = rint((divide ? (double)v.micros / f : (double)v.micros * f) + sec_rem * 1000000.0);
    if (isnan(t) || !(t >= -9223372036854775808.0 && t < 9223372036854775808.0))
        return false;
    r.micros = (int64_t)t;
    *out = r;
    return true;
}
static int iv_out_of_range(TarnError *err)
{
    return err_set_state(err, TARN_ERR_INVALID, "22008", "interval out of range");
}
KERNEL(iv_mul_f64)
{
    UNUSED_K;
    const Interval *a = (const Interval *)args[0]->data;
    const double *f = (const double *)args[1]->data;
    Interval *r = (Interval *)out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        if (!iv_scale(a[ia], f[ib], false, &r[i]) && FUNC_ROW_VALID(out, i))
            return iv_out_of_range(err);
    });
    out->len = n;
    return 0;
}
KERNEL(f64_mul_iv)
{
    UNUSED_K;
    const double *f = (const double *)args[0]->data;
    const Interval *a = (const Interval *)args[1]->data;
    Interval *r = (Interval *)out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        if (!iv_scale(a[ib], f[ia], false, &r[i]) && FUNC_ROW_VALID(out, i))
            return iv_out_of_range(err);
    });
    out->len = n;
    return 0;
}
KERNEL(iv_div_f64)
{
    UNUSED_K;
    const Interval *a = (const Interval *)args[0]->data;
    const double *f = (const double *)args[1]->data;
    Interval *r = (Interval *)out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        if (f[ib] == 0) {
            if (FUNC_ROW_VALID(out, i))
                return func_err_division_by_zero(err);
            r[i] = a[ia];
        } else if (!iv_scale(a[ia], f[ib], true, &r[i]) && FUNC_ROW_VALID(out, i)) {
            return iv_out_of_range(err);
        }
    });
    out->len = n;
    return 0;
}

/* ---- Text ------------------------------------------------------------------------------------ */

KERNEL(textcat)
{
    UNUSED_K;
    const StrView *a = (const StrView *)args[0]->data, *b = (const StrView *)args[1]->data;
    StrView *r = (StrView *)out->data;
    FUNC_LOOP2(args[0], args[1], n, {
        if (!FUNC_ROW_VALID(out, i)) {
            r[i].len = 0;
            r[i].ptr = "";
            continue;
        }
        uint32_t la = a[ia].len, lb = b[ib].len;
        char *p = arena_alloc(&out->heap, (size_t)la + lb + 1);
        if (!p)
            return ERR_NOMEM(err, (size_t)la + lb);
        if (la)
            memcpy(p, a[ia].ptr, la);
        if (lb)
            memcpy(p + la, b[ib].ptr, lb);
        r[i].len = la + lb;
        r[i].ptr = p;
    });
    out->len = n;
    return 0;
}

/* text || anynonarray and anynonarray || text: the other side through its
 * text output function (a cast), then textcat. */
static int anycat(FuncCtx *ctx, Vector **args, uint32_t n, Vector *out, int any_pos, TarnError *err)
{
    static const LogicalType text_t = {TYPE_STRING, 0, 0, 0, NULL, 0, 0};
    Vector tmp;
    if (vec_init(&tmp, &text_t))
        return ERR_NOMEM(err, 64);
    int rc = cast_vector(args[any_pos], &tmp, n, ctx->settings, err);
    if (!rc) {
        Vector *a2[2] = {args[0], args[1]};
        a2[any_pos] = &tmp;
        rc = textcat(ctx, a2, 2, n, out, err);
        /* textcat copied the bytes into out->heap: tmp may go */
    }
    vec_destroy(&tmp);
    return rc;
}
KERNEL(textanycat) { (void)n_args; return anycat(ctx, args, n, out, 1, err); }
KERNEL(anytextcat) { (void)n_args; return anycat(ctx, args, n, out, 0, err); }

/* ---- LIKE ------------------------------------------------------------------------------------ */

/* Pattern shapes recognised at bind time for constant patterns. */
typedef enum { LIKE_GENERAL, LIKE_EXACT, LIKE_PREFIX, LIKE_SUFFIX, LIKE_CONTAINS, LIKE_ANY, LIKE_SEQUENCE } LikeShape;
typedef struct LikePlan {
    LikeShape shape;
    char *lit;       /* literal part (escapes removed) */
    uint32_t lit_len;
    /* LIKE_SEQUENCE: %a%b%...%: the pieces, found left to right with memmem */
    uint32_t n_pieces;
    char **pieces;
    uint32_t *piece_len;
} LikePlan;

/* '%lit1%lit2%...%' with no '_' and no escapes: a sequence of substrings. */
static bool like_sequence(Arena *a, StrView pat, LikePlan *lp)
{
    if (pat.len < 2 || pat.ptr[0] != '%' || pat.ptr[pat.len - 1] != '%')
        return false;
    for (uint32_t i = 0; i < pat.len; i++)
        if (pat.ptr[i] == '_' || pat.ptr[i] == '\\')
            return false;
    uint32_t n = 0;
    for (uint32_t i = 0; i < pat.len; i++)
        if (pat.ptr[i] != '%' && (i == 0 || pat.ptr[i - 1] == '%'))
            n++;
    if (n < 2)
        return false;
    lp->pieces = arena_alloc(a, n * sizeof(char *));
    lp->piece_len = arena_alloc(a, n * sizeof(uint32_t));
    if (!lp->pieces || !lp->piece_len)
        return false;
    uint32_t k = 0;
    for (uint32_t i = 0; i < pat.len;) {
        if (pat.ptr[i] == '%') {
            i++;
            continue;
        }
        uint32_t j = i;
        while (j < pat.len && pat.ptr[j] != '%')
            j++;
        lp->pieces[k] = (char *)pat.ptr + i;
        lp->piece_len[k++] = j - i;
        i = j;
    }
    lp->n_pieces = k;
    lp->shape = LIKE_SEQUENCE;
    return true;
}

static bool match_sequence(const LikePlan *lp, const char *s, size_t n)
{
    for (uint32_t k = 0; k < lp->n_pieces; k++) {
        if (lp->piece_len[k] == 0)
            continue;
        if (n < lp->piece_len[k]) /* also keeps a NULL s (empty row) away from memmem */
            return false;
        const char *f = memmem(s, n, lp->pieces[k], lp->piece_len[k]);
        if (!f)
            return false;
        size_t adv = (size_t)(f - s) + lp->piece_len[k];
        s += adv;
        n -= adv;
    }
    return true;
}

static inline unsigned char fold(unsigned char c, bool ci) { return ci ? (unsigned char)tolower(c) : c; }

/* PostgreSQL's MatchText (like_match.c) over bytes; '\' escapes. */
static int like_match(const char *t, size_t tlen, const char *p, size_t plen, bool ci)
{
    while (tlen > 0 && plen > 0) {
        if (*p == '\\') {
            p++;
            plen--;
            if (plen == 0)
                return -1; /* escape at end: error */
            if (fold((unsigned char)*p, ci) != fold((unsigned char)*t, ci))
                return 0;
        } else if (*p == '%') {
            while (plen > 0 && (*p == '%' || *p == '_')) {
                if (*p == '_') {
                    if (tlen == 0)
                        return 0;
                    t++;
                    tlen--;
                }
                p++;
                plen--;
            }
            if (plen == 0)
                return 1;
            while (tlen > 0) {
                int r = like_match(t, tlen, p, plen, ci);
                if (r != 0)
                    return r;
                t++;
                tlen--;
            }
            return 0;
        } else if (*p != '_' && fold((unsigned char)*p, ci) != fold((unsigned char)*t, ci)) {
            return 0;
        }
        if (*p == '_') {
            /* one character: skip a whole UTF-8 sequence */
            t++;
            tlen--;
            while (tlen > 0 && ((unsigned char)*t & 0xC0) == 0x80) {
                t++;
                tlen--;
            }
        } else {
            t++;
            tlen--;
        }
        p++;
        plen--;
    }
    if (tlen > 0)
        return 0;
    while (plen > 0 && *p == '%') {
        p++;
        plen--;
    }
    return plen == 0;
}

static int bind_like(FuncBindInfo *b, TarnError *err)
{
    if (!b->is_const[1] || b->const_args[1].is_null)
        return 0;
    StrView pat = b->const_args[1].v.s;
    LikePlan *lp = arena_calloc(b->arena, sizeof *lp);
    char *lit = arena_alloc(b->arena, pat.len + 1);
    if (!lp || !lit)
        return ERR_NOMEM(err, pat.len);
    /* Classify: [%]literal[%] where the literal has no wildcards. */
    size_t i = 0, n = pat.len;
    bool lead = false, trail = false;
    while (i < n && pat.ptr[i] == '%') {
        lead = true;
        i++;
    }
    uint32_t m = 0;
    bool general = false;
    while (i < n) {
        char c = pat.ptr[i];
        if (c == '\\') {
            if (i + 1 >= n) {
                general = true;
                break;
            }
            lit[m++] = pat.ptr[i + 1];
            i += 2;
            continue;
        }
        if (c == '_') {
            general = true;
            break;
        }
        if (c == '%') {
            size_t j = i;
            while (j < n && pat.ptr[j] == '%')
                j++;
            if (j == n) {
                trail = true;
                i = n;
                break;
            }
            general = true;
            break;
        }
        lit[m++] = c;
        i++;
    }
    lit[m] = 0;
    lp->lit = lit;
    lp->lit_len = m;
    if (general) {
        /* keep the pattern text alive with the plan: it lives in the arena
         * as a constant already (bind_state points into it) */
        char *copy = arena_alloc(b->arena, pat.len + 1);
        if (!copy)
            return ERR_NOMEM(err, pat.len);
        memcpy(copy, pat.ptr, pat.len);
        StrView pv = {pat.len, 0, copy};
        if (!like_sequence(b->arena, pv, lp))
            lp->shape = LIKE_GENERAL;
        b->bind_state = lp;
        return 0;
    }
    if (general)
        lp->shape = LIKE_GENERAL;
    else if (m == 0 && (lead || trail))
        lp->shape = LIKE_ANY;
    else if (lead && trail)
        lp->shape = LIKE_CONTAINS;
    else if (lead)
        lp->shape = LIKE_SUFFIX;
    else if (trail)
        lp->shape = LIKE_PREFIX;
    else
        lp->shape = LIKE_EXACT;
    b->bind_state = lp;
    return 0;
}

static int like_kernel(FuncCtx *ctx, Vector **args, uint32_t n, Vector *out, bool neg, bool ci, TarnError *err)
{
    const StrView *s = (const StrView *)args[0]->data, *p = (const StrView *)args[1]->data;
    uint8_t *r = out->data;
    const LikePlan *lp = ctx->bind_state;
    if (lp && !ci && lp->shape != LIKE_GENERAL) {
        const char *L = lp->lit;
        uint32_t ll = lp->lit_len;
        /* a NULL row's StrView may be garbage (the bytes of a NULL-padded
         * join row): never read it */
#define LIKE_VALID (!out->validity || FUNC_ROW_VALID(out, i))
        switch (lp->shape) {
        case LIKE_SEQUENCE:
            FUNC_LOOP1(args[0], n, { r[i] = LIKE_VALID && (match_sequence(lp, s[ia].ptr, s[ia].len) ^ neg); });
            break;
        case LIKE_EXACT:
            FUNC_LOOP1(args[0], n, {
                r[i] = LIKE_VALID && ((s[ia].len == ll && (ll == 0 || !memcmp(s[ia].ptr, L, ll))) ^ neg);
            });
            break;
        case LIKE_PREFIX:
            FUNC_LOOP1(args[0], n, {
                r[i] = LIKE_VALID && ((s[ia].len >= ll && (ll == 0 || !memcmp(s[ia].ptr, L, ll))) ^ neg);
            });
            break;
        case LIKE_SUFFIX:
            FUNC_LOOP1(args[0], n, {
                r[i] = LIKE_VALID && ((s[ia].len >= ll && (ll == 0 || !memcmp(s[ia].ptr + s[ia].len - ll, L, ll))) ^ neg);
            });
            break;
        case LIKE_CONTAINS:
            /* an empty or NULL row may have ptr NULL: memmem must not see it */
            FUNC_LOOP1(args[0], n, {
                r[i] = LIKE_VALID && ((ll == 0 || (s[ia].len >= ll && memmem(s[ia].ptr, s[ia].len, L, ll) != NULL)) ^ neg);
            });
            break;
        default:
            FUNC_LOOP1(args[0], n, { r[i] = !neg; });
            break;
        }
#undef LIKE_VALID
        out->len = n;
        return 0;
    }
    FUNC_LOOP2(args[0], args[1], n, {
        int m = FUNC_ROW_VALID(out, i) ? like_match(s[ia].ptr, s[ia].len, p[ib].ptr, p[ib].len, ci) : 0;
        if (m < 0)
            return err_set_state(err, TARN_ERR_INVALID, "22025",
                                 "LIKE pattern must not end with escape character");
        r[i] = (uint8_t)(m ^ neg);
    });
    out->len = n;
    return 0;
}
KERNEL(like) { (void)n_args; return like_kernel(ctx, args, n, out, false, false, err); }
KERNEL(notlike) { (void)n_args; return like_kernel(ctx, args, n, out, true, false, err); }
KERNEL(ilike) { (void)n_args; return like_kernel(ctx, args, n, out, false, true, err); }
KERNEL(notilike) { (void)n_args; return like_kernel(ctx, args, n, out, true, true, err); }

/* ---- Registry table ----------------------------------------------------------------------------- */

#define OPF (FUNC_STRICT | FUNC_CONST_ARGS)
#define OPS (FUNC_STRICT | FUNC_CONST_ARGS | FUNC_NO_ERRORS)
#define CMP_ENTRIES(T, SUF)                                                                     \
    {.name = "=", .kind = FUNC_OPERATOR, .n_args = 2, .args = {T, T}, .ret = TYPE_BOOL, .flags = OPS, .scalar = eq_##SUF}, \
    {.name = "<>", .kind = FUNC_OPERATOR, .n_args = 2, .args = {T, T}, .ret = TYPE_BOOL, .flags = OPS, .scalar = ne_##SUF}, \
    {.name = "<", .kind = FUNC_OPERATOR, .n_args = 2, .args = {T, T}, .ret = TYPE_BOOL, .flags = OPS, .scalar = lt_##SUF}, \
    {.name = "<=", .kind = FUNC_OPERATOR, .n_args = 2, .args = {T, T}, .ret = TYPE_BOOL, .flags = OPS, .scalar = le_##SUF}, \
    {.name = ">", .kind = FUNC_OPERATOR, .n_args = 2, .args = {T, T}, .ret = TYPE_BOOL, .flags = OPS, .scalar = gt_##SUF}, \
    {.name = ">=", .kind = FUNC_OPERATOR, .n_args = 2, .args = {T, T}, .ret = TYPE_BOOL, .flags = OPS, .scalar = ge_##SUF}

#define CMP_ENTRIES2(TA, TB, SUF)                                                                \
    {.name = "=", .kind = FUNC_OPERATOR, .n_args = 2, .args = {TA, TB}, .ret = TYPE_BOOL, .flags = OPS, .scalar = eq_##SUF}, \
    {.name = "<>", .kind = FUNC_OPERATOR, .n_args = 2, .args = {TA, TB}, .ret = TYPE_BOOL, .flags = OPS, .scalar = ne_##SUF}, \
    {.name = "<", .kind = FUNC_OPERATOR, .n_args = 2, .args = {TA, TB}, .ret = TYPE_BOOL, .flags = OPS, .scalar = lt_##SUF}, \
    {.name = "<=", .kind = FUNC_OPERATOR, .n_args = 2, .args = {TA, TB}, .ret = TYPE_BOOL, .flags = OPS, .scalar = le_##SUF}, \
    {.name = ">", .kind = FUNC_OPERATOR, .n_args = 2, .args = {TA, TB}, .ret = TYPE_BOOL, .flags = OPS, .scalar = gt_##SUF}, \
    {.name = ">=", .kind = FUNC_OPERATOR, .n_args = 2, .args = {TA, TB}, .ret = TYPE_BOOL, .flags = OPS, .scalar = ge_##SUF}

#define CMP_ENTRIES_NOEQ(T, SUF)                                                                \
    {.name = "<>", .kind = FUNC_OPERATOR, .n_args = 2, .args = {T, T}, .ret = TYPE_BOOL, .flags = OPS, .scalar = ne_##SUF}, \
    {.name = "<", .kind = FUNC_OPERATOR, .n_args = 2, .args = {T, T}, .ret = TYPE_BOOL, .flags = OPS, .scalar = lt_##SUF}, \
    {.name = "<=", .kind = FUNC_OPERATOR, .n_args = 2, .args = {T, T}, .ret = TYPE_BOOL, .flags = OPS, .scalar = le_##SUF}, \
    {.name = ">", .kind = FUNC_OPERATOR, .n_args = 2, .args = {T, T}, .ret = TYPE_BOOL, .flags = OPS, .scalar = gt_##SUF}, \
    {.name = ">=", .kind = FUNC_OPERATOR, .n_args = 2, .args = {T, T}, .ret = TYPE_BOOL, .flags = OPS, .scalar = ge_##SUF}

#define BIN(NAME, A, B, R, FN, FL) \
    {.name = NAME, .kind = FUNC_OPERATOR, .n_args = 2, .args = {A, B}, .ret = R, .flags = FL, .scalar = FN}
#define BINB(NAME, A, B, FN, BIND) \
    {.name = NAME, .kind = FUNC_OPERATOR, .n_args = 2, .args = {A, B}, .ret = TYPE_DECIMAL, .flags = OPF, .scalar = FN, .bind = BIND}
#define UN(NAME, A, R, FN) \
    {.name = NAME, .kind = FUNC_OPERATOR, .n_args = 1, .args = {A}, .ret = R, .flags = OPF, .scalar = FN}

const FuncDef func_defs_core_ops[] = {
    CMP_ENTRIES(TYPE_BOOL, bool),
    CMP_ENTRIES(TYPE_INT16, i16),
    CMP_ENTRIES(TYPE_INT32, i32),
    CMP_ENTRIES(TYPE_INT64, i64),
    CMP_ENTRIES(TYPE_FLOAT, f32),
    CMP_ENTRIES(TYPE_DOUBLE, f64),
    CMP_ENTRIES2(TYPE_FLOAT, TYPE_DOUBLE, f32f64),
    CMP_ENTRIES2(TYPE_DOUBLE, TYPE_FLOAT, f64f32),
    CMP_ENTRIES(TYPE_DECIMAL, dec),
    {.name = "=", .kind = FUNC_OPERATOR, .n_args = 2, .args = {TYPE_STRING, TYPE_STRING}, .ret = TYPE_BOOL,
     .flags = OPS, .scalar = eq_str_fast},
    CMP_ENTRIES_NOEQ(TYPE_STRING, str),
    CMP_ENTRIES(TYPE_BLOB, str),
    CMP_ENTRIES(TYPE_DATE, i32),
    CMP_ENTRIES(TYPE_TIME, i64),
    CMP_ENTRIES(TYPE_TIMESTAMP, i64),
    CMP_ENTRIES(TYPE_TIMESTAMPTZ, i64),
    CMP_ENTRIES(TYPE_INTERVAL, iv),
    CMP_ENTRIES(TYPE_UUID, uuid),

    BIN("+", TYPE_INT16, TYPE_INT16, TYPE_INT16, add_i16, OPF),
    BIN("-", TYPE_INT16, TYPE_INT16, TYPE_INT16, sub_i16, OPF),
    BIN("*", TYPE_INT16, TYPE_INT16, TYPE_INT16, mul_i16, OPF),
    BIN("/", TYPE_INT16, TYPE_INT16, TYPE_INT16, div_i16, OPF),
    BIN("%", TYPE_INT16, TYPE_INT16, TYPE_INT16, mod_i16, OPF),
    BIN("+", TYPE_INT32, TYPE_INT32, TYPE_INT32, add_i32, OPF),
    BIN("-", TYPE_INT32, TYPE_INT32, TYPE_INT32, sub_i32, OPF),
    BIN("*", TYPE_INT32, TYPE_INT32, TYPE_INT32, mul_i32, OPF),
    BIN("/", TYPE_INT32, TYPE_INT32, TYPE_INT32, div_i32, OPF),
    BIN("%", TYPE_INT32, TYPE_INT32, TYPE_INT32, mod_i32, OPF),
    BIN("+", TYPE_INT64, TYPE_INT64, TYPE_INT64, add_i64, OPF),
    BIN("-", TYPE_INT64, TYPE_INT64, TYPE_INT64, sub_i64, OPF),
    BIN("*", TYPE_INT64, TYPE_INT64, TYPE_INT64, mul_i64, OPF),
    BIN("/", TYPE_INT64, TYPE_INT64, TYPE_INT64, div_i64, OPF),
    BIN("%", TYPE_INT64, TYPE_INT64, TYPE_INT64, mod_i64, OPF),
    BIN("+", TYPE_FLOAT, TYPE_FLOAT, TYPE_FLOAT, add_f32, OPF),
    BIN("-", TYPE_FLOAT, TYPE_FLOAT, TYPE_FLOAT, sub_f32, OPF),
    BIN("*", TYPE_FLOAT, TYPE_FLOAT, TYPE_FLOAT, mul_f32, OPF),
    BIN("/", TYPE_FLOAT, TYPE_FLOAT, TYPE_FLOAT, div_f32, OPF),
    BIN("+", TYPE_DOUBLE, TYPE_DOUBLE, TYPE_DOUBLE, add_f64, OPF),
    BIN("-", TYPE_DOUBLE, TYPE_DOUBLE, TYPE_DOUBLE, sub_f64, OPF),
    BIN("*", TYPE_DOUBLE, TYPE_DOUBLE, TYPE_DOUBLE, mul_f64, OPF),
    BIN("/", TYPE_DOUBLE, TYPE_DOUBLE, TYPE_DOUBLE, div_f64, OPF),
    BIN("+", TYPE_FLOAT, TYPE_DOUBLE, TYPE_DOUBLE, add_f32f64, OPF),
    BIN("-", TYPE_FLOAT, TYPE_DOUBLE, TYPE_DOUBLE, sub_f32f64, OPF),
    BIN("*", TYPE_FLOAT, TYPE_DOUBLE, TYPE_DOUBLE, mul_f32f64, OPF),
    BIN("/", TYPE_FLOAT, TYPE_DOUBLE, TYPE_DOUBLE, div_f32f64, OPF),
    BIN("+", TYPE_DOUBLE, TYPE_FLOAT, TYPE_DOUBLE, add_f64f32, OPF),
    BIN("-", TYPE_DOUBLE, TYPE_FLOAT, TYPE_DOUBLE, sub_f64f32, OPF),
    BIN("*", TYPE_DOUBLE, TYPE_FLOAT, TYPE_DOUBLE, mul_f64f32, OPF),
    BIN("/", TYPE_DOUBLE, TYPE_FLOAT, TYPE_DOUBLE, div_f64f32, OPF),
    BINB("+", TYPE_DECIMAL, TYPE_DECIMAL, add_dec, bind_dec_addsub),
    BINB("-", TYPE_DECIMAL, TYPE_DECIMAL, sub_dec, bind_dec_addsub),
    BINB("*", TYPE_DECIMAL, TYPE_DECIMAL, mul_dec, bind_dec_mul),
    BINB("/", TYPE_DECIMAL, TYPE_DECIMAL, div_dec, bind_dec_div),
    BINB("%", TYPE_DECIMAL, TYPE_DECIMAL, mod_dec, bind_dec_mod),
    UN("-", TYPE_INT16, TYPE_INT16, neg_i16),
    UN("-", TYPE_INT32, TYPE_INT32, neg_i32),
    UN("-", TYPE_INT64, TYPE_INT64, neg_i64),
    UN("-", TYPE_FLOAT, TYPE_FLOAT, neg_f32),
    UN("-", TYPE_DOUBLE, TYPE_DOUBLE, neg_f64),
    {.name = "-", .kind = FUNC_OPERATOR, .n_args = 1, .args = {TYPE_DECIMAL}, .ret = TYPE_DECIMAL,
     .flags = OPF, .scalar = neg_dec, .bind = bind_dec_neg},
    UN("-", TYPE_INTERVAL, TYPE_INTERVAL, neg_iv),

    BIN("+", TYPE_DATE, TYPE_INT32, TYPE_DATE, date_pl_int, OPF),
    BIN("+", TYPE_INT32, TYPE_DATE, TYPE_DATE, int_pl_date, OPF),
    BIN("-", TYPE_DATE, TYPE_INT32, TYPE_DATE, date_mi_int, OPF),
    BIN("-", TYPE_DATE, TYPE_DATE, TYPE_INT32, date_mi_date, OPS),
    BIN("+", TYPE_DATE, TYPE_INTERVAL, TYPE_TIMESTAMP, date_pl_iv, OPF),
    BIN("-", TYPE_DATE, TYPE_INTERVAL, TYPE_TIMESTAMP, date_mi_iv, OPF),
    BIN("+", TYPE_DATE, TYPE_TIME, TYPE_TIMESTAMP, date_pl_time, OPS),
    BIN("+", TYPE_TIMESTAMP, TYPE_INTERVAL, TYPE_TIMESTAMP, ts_pl_iv, OPF),
    BIN("+", TYPE_INTERVAL, TYPE_TIMESTAMP, TYPE_TIMESTAMP, iv_pl_ts, OPF),
    BIN("-", TYPE_TIMESTAMP, TYPE_INTERVAL, TYPE_TIMESTAMP, ts_mi_iv, OPF),
    BIN("-", TYPE_TIMESTAMP, TYPE_TIMESTAMP, TYPE_INTERVAL, ts_mi_ts, OPS),
    BIN("+", TYPE_TIMESTAMPTZ, TYPE_INTERVAL, TYPE_TIMESTAMPTZ, tstz_pl_iv, OPF),
    BIN("+", TYPE_INTERVAL, TYPE_TIMESTAMPTZ, TYPE_TIMESTAMPTZ, iv_pl_tstz, OPF),
    BIN("-", TYPE_TIMESTAMPTZ, TYPE_INTERVAL, TYPE_TIMESTAMPTZ, tstz_mi_iv, OPF),
    BIN("-", TYPE_TIMESTAMPTZ, TYPE_TIMESTAMPTZ, TYPE_INTERVAL, ts_mi_ts, OPS),
    BIN("+", TYPE_INTERVAL, TYPE_INTERVAL, TYPE_INTERVAL, iv_pl_iv, OPF),
    BIN("-", TYPE_INTERVAL, TYPE_INTERVAL, TYPE_INTERVAL, iv_mi_iv, OPF),
    BIN("*", TYPE_INTERVAL, TYPE_DOUBLE, TYPE_INTERVAL, iv_mul_f64, OPF),
    BIN("*", TYPE_DOUBLE, TYPE_INTERVAL, TYPE_INTERVAL, f64_mul_iv, OPF),
    BIN("/", TYPE_INTERVAL, TYPE_DOUBLE, TYPE_INTERVAL, iv_div_f64, OPF),

    BIN("||", TYPE_STRING, TYPE_STRING, TYPE_STRING, textcat, OPF),
    BIN("||", TYPE_BLOB, TYPE_BLOB, TYPE_BLOB, textcat, OPF), /* byteacat: same bytes */
    BIN("||", TYPE_STRING, FUNC_T_ANY, TYPE_STRING, textanycat, OPF),
    BIN("||", FUNC_T_ANY, TYPE_STRING, TYPE_STRING, anytextcat, OPF),

    {.name = "~~", .kind = FUNC_OPERATOR, .n_args = 2, .args = {TYPE_STRING, TYPE_STRING}, .ret = TYPE_BOOL,
     .flags = OPF, .scalar = like, .bind = bind_like},
    {.name = "!~~", .kind = FUNC_OPERATOR, .n_args = 2, .args = {TYPE_STRING, TYPE_STRING}, .ret = TYPE_BOOL,
     .flags = OPF, .scalar = notlike, .bind = bind_like},
    {.name = "~~*", .kind = FUNC_OPERATOR, .n_args = 2, .args = {TYPE_STRING, TYPE_STRING}, .ret = TYPE_BOOL,
     .flags = OPF, .scalar = ilike, .bind = bind_like},
    {.name = "!~~*", .kind = FUNC_OPERATOR, .n_args = 2, .args = {TYPE_STRING, TYPE_STRING}, .ret = TYPE_BOOL,
     .flags = OPF, .scalar = notilike, .bind = bind_like},
    {0},
};
