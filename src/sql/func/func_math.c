/*
 * func_math.c - PostgreSQL's mathematical functions (PG docs 9.3) as
 * vectorized kernels: abs, ceil/ceiling, floor, round, trunc, sign, sqrt,
 * cbrt, power/pow, exp, ln, log, log10, mod, div, gcd, lcm, factorial,
 * pi, degrees, radians, the trigonometric and hyperbolic functions (with
 * PostgreSQL's exact-at-special-angles degree variants sind ... atan2d),
 * width_bucket, random, setseed, scale, min_scale, greatest and least.
 *
 * double precision: the C library's functions with PostgreSQL's checks
 * (float.c): errors for domain violations (2201E logarithms, 2201F
 * powers and square roots, 22003 "input is out of range", overflow and
 * underflow), NaN and infinities passed through as PostgreSQL does.
 *
 * numeric: exact where PostgreSQL is exact (abs, ceil, floor, round,
 * trunc, sign, mod, div, gcd, lcm, factorial, width_bucket, sqrt).
 * PostgreSQL chooses the scale of sqrt/exp/ln/log/power per value; tarn's
 * result type has one scale per expression, so bind picks PostgreSQL's
 * scale for a constant argument and otherwise the scale PostgreSQL uses
 * for arguments between 1 and 10000 (sqrt 15, the others 16, at least the
 * input's scale).  exp/ln/log/power are computed in 80-bit long double and
 * rounded to that scale, so the last digit can differ from PostgreSQL's
 * exact computation in rare cases.  Results beyond 38 digits are an error
 * ("value overflows numeric format"), where PostgreSQL would go on.
 *
 * round(numeric, int) / trunc(numeric, int) with a non-constant digit
 * count keep the input's scale (trailing zeros where PG shows fewer).
 *
 * random() keeps its generator per thread (PostgreSQL's xoroshiro128**,
 * seeded like pg_prng_fseed by setseed), so setseed(x); random() gives
 * PostgreSQL's sequence in single-threaded plans.
 */
#include "sql/func/func_lib.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "sql/func/cast.h"
#include "util/datetime.h"

#define KERNEL(name)                                                                           \
    static int name(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out, \
                    TarnError *err)

#define RADIANS_PER_DEGREE 0.0174532925199432957692

/* Powers of ten for every module of the library (fl_pow10), filled
 * before main() runs. */
int128_t fl_pow10_tab[39];

__attribute__((constructor)) static void pow10_init(void)
{
    int128_t x = 1;
    for (int i = 0; i < 39; i++) {
        fl_pow10_tab[i] = x;
        if (i < 38)
            x *= 10;
    }
}

/* ---- Errors ------------------------------------------------------------------------ */

enum {
    E_NONE = 0,
    E_OVERFLOW,
    E_UNDERFLOW,
    E_RANGE,
    E_SQRT_NEG,
    E_LOG_ZERO,
    E_LOG_NEG,
    E_POW_ZERO_NEG,
    E_POW_COMPLEX,
};

static int math_error(TarnError *err, int e)
{
    switch (e) {
    case E_OVERFLOW: return fl_err(err, "22003", "value out of range: overflow");
    case E_UNDERFLOW: return fl_err(err, "22003", "value out of range: underflow");
    case E_RANGE: return fl_err(err, "22003", "input is out of range");
    case E_SQRT_NEG: return fl_err(err, "2201F", "cannot take square root of a negative number");
    case E_LOG_ZERO: return fl_err(err, "2201E", "cannot take logarithm of zero");
    case E_LOG_NEG: return fl_err(err, "2201E", "cannot take logarithm of a negative number");
    case E_POW_ZERO_NEG: return fl_err(err, "2201F", "zero raised to a negative power is undefined");
    default:
        return fl_err(err, "2201F",
                      "a negative number raised to a non-integer power yields a complex result");
    }
}

static int numeric_overflow(TarnError *err)
{
    return fl_err(err, "22003", "value overflows numeric format");
}

/* ---- double precision: one loop per function ---------------------------------------------
 * BODY reads x (and y for two arguments), writes r, may set e. */

#define F8_UNARY(NAME, BODY)                                                                   \
    KERNEL(NAME)                                                                               \
    {                                                                                          \
        const double *xs_ = VEC_DATA(args[0], double);                                         \
        double *rs_ = VEC_DATA(out, double);                                                   \
        for (uint32_t i = 0; i < n_rows; i++) {                                                \
            double x = xs_[i], r;                                                              \
            int e = E_NONE;                                                                    \
            BODY;                                                                              \
            if (__builtin_expect(e != E_NONE, 0)) {                                            \
                if (FUNC_ROW_VALID(out, i))                                                    \
                    return math_error(err, e);                                                 \
                r = 0;                                                                         \
            }                                                                                  \
            rs_[i] = r;                                                                        \
        }                                                                                      \
        out->len = n_rows;                                                                     \
        return 0;                                                                              \
    }

#define F8_BINARY(NAME, BODY)                                                                  \
    KERNEL(NAME)                                                                               \
    {                                                                                          \
        const double *xs_ = VEC_DATA(args[0], double), *ys_ = VEC_DATA(args[1], double);       \
        double *rs_ = VEC_DATA(out, double);                                                   \
        FUNC_LOOP2(args[0], args[1], n_rows, {                                                 \
            double x = xs_[ia], y = ys_[ib], r;                                                \
            int e = E_NONE;                                                                    \
            BODY;                                                                              \
            if (__builtin_expect(e != E_NONE, 0)) {                                            \
                if (FUNC_ROW_VALID(out, i))                                                    \
                    return math_error(err, e);                                                 \
                r = 0;                                                                         \
            }                                                                                  \
            rs_[i] = r;                                                                        \
        });                                                                                    \
        out->len = n_rows;                                                                     \
        return 0;                                                                              \
    }

/* PostgreSQL's check_float8_val. */
#define CHECK8(r, inf_ok, zero_ok)                                                             \
    do {                                                                                       \
        if (isinf(r) && !(inf_ok))                                                             \
            e = E_OVERFLOW;                                                                    \
        else if ((r) == 0.0 && !(zero_ok))                                                     \
            e = E_UNDERFLOW;                                                                   \
    } while (0)

F8_UNARY(f8_abs, r = fabs(x))
F8_UNARY(f8_ceil, r = ceil(x))
F8_UNARY(f8_floor, r = floor(x))
F8_UNARY(f8_round, r = rint(x))
F8_UNARY(f8_trunc, r = x >= 0 ? floor(x) : -floor(-x))
F8_UNARY(f8_sign, r = x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0)
F8_UNARY(f8_sqrt, {
    if (x < 0)
        e = E_SQRT_NEG;
    r = sqrt(x);
    if (!e)
        CHECK8(r, isinf(x), x == 0);
})
F8_UNARY(f8_cbrt, {
    r = cbrt(x);
    CHECK8(r, isinf(x), x == 0);
})
F8_UNARY(f8_exp, {
    if (isnan(x))
        r = x;
    else if (isinf(x))
        r = x > 0 ? x : 0;
    else {
        r = exp(x);
        if (isinf(r))
            e = E_OVERFLOW;
        else if (r == 0.0)
            e = E_UNDERFLOW;
    }
})
F8_UNARY(f8_ln, {
    if (x == 0.0)
        e = E_LOG_ZERO;
    else if (x < 0)
        e = E_LOG_NEG;
    r = log(x);
    if (!e)
        CHECK8(r, isinf(x), x == 1);
})
F8_UNARY(f8_log10, {
    if (x == 0.0)
        e = E_LOG_ZERO;
    else if (x < 0)
        e = E_LOG_NEG;
    r = log10(x);
    if (!e)
        CHECK8(r, isinf(x), x == 1);
})
F8_UNARY(f8_degrees, {
    r = x / RADIANS_PER_DEGREE;
    CHECK8(r, isinf(x), x == 0);
})
F8_UNARY(f8_radians, {
    r = x * RADIANS_PER_DEGREE;
    CHECK8(r, isinf(x), x == 0);
})

/* Trigonometry (float.c dsin ... datanh). */
#define TRIG(NAME, FN)                                                                         \
    F8_UNARY(NAME, {                                                                           \
        if (isnan(x))                                                                          \
            r = x;                                                                             \
        else if (isinf(x)) {                                                                   \
            e = E_RANGE;                                                                       \
            r = 0;                                                                             \
        } else {                                                                               \
            r = FN(x);                                                                         \
            if (isinf(r))                                                                      \
                e = E_OVERFLOW;                                                                \
        }                                                                                      \
    })
TRIG(f8_sin, sin)
TRIG(f8_cos, cos)
TRIG(f8_tan, tan)
F8_UNARY(f8_cot, {
    if (isnan(x))
        r = x;
    else if (isinf(x)) {
        e = E_RANGE;
        r = 0;
    } else {
        r = 1.0 / tan(x); /* cot(0) is Infinity, no overflow check */
    }
})
F8_UNARY(f8_asin, {
    if (isnan(x))
        r = x;
    else if (x < -1.0 || x > 1.0) {
        e = E_RANGE;
        r = 0;
    } else
        r = asin(x);
})
F8_UNARY(f8_acos, {
    if (isnan(x))
        r = x;
    else if (x < -1.0 || x > 1.0) {
        e = E_RANGE;
        r = 0;
    } else
        r = acos(x);
})
F8_UNARY(f8_atan, r = isnan(x) ? x : atan(x))
F8_BINARY(f8_atan2, r = isnan(x) || isnan(y) ? NAN : atan2(x, y))
F8_UNARY(f8_sinh, r = sinh(x))
F8_UNARY(f8_cosh, {
    r = cosh(x);
    if (r == 0.0)
        e = E_UNDERFLOW;
})
F8_UNARY(f8_tanh, {
    r = tanh(x);
    if (isinf(r))
        e = E_OVERFLOW;
})
F8_UNARY(f8_asinh, r = asinh(x))
F8_UNARY(f8_acosh, {
    if (x < 1.0) {
        e = E_RANGE;
        r = 0;
    } else
        r = acosh(x);
})
F8_UNARY(f8_atanh, {
    if (x < -1.0 || x > 1.0) {
        e = E_RANGE;
        r = 0;
    } else if (x == -1.0)
        r = -INFINITY;
    else if (x == 1.0)
        r = INFINITY;
    else
        r = atanh(x);
})

/* Degree-based trigonometry, PostgreSQL's float.c algorithm: reduce to
 * the first quadrant and scale so that 30, 45, 60 and 90 degrees are
 * exact. */
typedef struct DegConst {
    double sin_30, one_minus_cos_60, asin_0_5, acos_0_5, atan_1_0, tan_45, cot_45;
} DegConst;

static double sind_0_to_30(const DegConst *k, double x)
{
    volatile double sin_x = sin(x * RADIANS_PER_DEGREE);
    return (sin_x / k->sin_30) / 2.0;
}

static double cosd_0_to_60(const DegConst *k, double x)
{
    volatile double one_minus_cos_x = 1.0 - cos(x * RADIANS_PER_DEGREE);
    return 1.0 - (one_minus_cos_x / k->one_minus_cos_60) / 2.0;
}

static double sind_q1(const DegConst *k, double x)
{
    return x <= 30.0 ? sind_0_to_30(k, x) : cosd_0_to_60(k, 90.0 - x);
}

static double cosd_q1(const DegConst *k, double x)
{
    return x <= 60.0 ? cosd_0_to_60(k, x) : sind_0_to_30(k, 90.0 - x);
}

static DegConst deg_k;
static pthread_once_t deg_once = PTHREAD_ONCE_INIT;

static void deg_init(void)
{
    {
        DegConst t;
        t.sin_30 = sin(RADIANS_PER_DEGREE * 30.0);
        t.one_minus_cos_60 = 1.0 - cos(RADIANS_PER_DEGREE * 60.0);
        t.asin_0_5 = asin(0.5);
        t.acos_0_5 = acos(0.5);
        t.atan_1_0 = atan(1.0);
        t.tan_45 = 1; /* placeholders for the q1 calls below */
        t.cot_45 = 1;
        t.tan_45 = sind_q1(&t, 45.0) / cosd_q1(&t, 45.0);
        t.cot_45 = cosd_q1(&t, 45.0) / sind_q1(&t, 45.0);
        deg_k = t;
    }
}

static const DegConst *deg_const(void)
{
    pthread_once(&deg_once, deg_init);
    return &deg_k;
}

static double asind_q1(const DegConst *k, double x)
{
    if (x <= 0.5) {
        volatile double asin_x = asin(x);
        return (asin_x / k->asin_0_5) * 30.0;
    }
    volatile double acos_x = acos(x);
    return 90.0 - (acos_x / k->acos_0_5) * 60.0;
}

static double acosd_q1(const DegConst *k, double x)
{
    if (x <= 0.5) {
        volatile double asin_x = asin(x);
        return 90.0 - (asin_x / k->asin_0_5) * 30.0;
    }
    volatile double acos_x = acos(x);
    return (acos_x / k->acos_0_5) * 60.0;
}

/* mode: 0 sind, 1 cosd, 2 tand, 3 cotd. */
static double trigd(const DegConst *k, double x, int mode, int *e)
{
    if (isnan(x))
        return x;
    if (isinf(x)) {
        *e = E_RANGE;
        return 0;
    }
    int sign = 1;
    x = fmod(x, 360.0);
    double r;
    switch (mode) {
    case 0:
        if (x < 0.0) {
            x = -x;
            sign = -sign;
        }
        if (x > 180.0) {
            x = 360.0 - x;
            sign = -sign;
        }
        if (x > 90.0)
            x = 180.0 - x;
        r = sign * sind_q1(k, x);
        break;
    case 1:
        if (x < 0.0)
            x = -x;
        if (x > 180.0)
            x = 360.0 - x;
        if (x > 90.0) {
            x = 180.0 - x;
            sign = -sign;
        }
        r = sign * cosd_q1(k, x);
        break;
    default:
        if (x < 0.0) {
            x = -x;
            sign = -sign;
        }
        if (x > 180.0) {
            x = 360.0 - x;
            sign = -sign;
        }
        if (x > 90.0) {
            x = 180.0 - x;
            sign = -sign;
        }
        if (mode == 2) {
            volatile double t = sind_q1(k, x) / cosd_q1(k, x);
            r = sign * (t / k->tan_45);
        } else {
            volatile double t = cosd_q1(k, x) / sind_q1(k, x);
            r = sign * (t / k->cot_45);
        }
        if (r == 0.0)
            r = 0.0; /* no minus zero */
        return r;
    }
    if (isinf(r))
        *e = E_OVERFLOW;
    return r;
}

F8_UNARY(f8_sind, r = trigd(deg_const(), x, 0, &e))
F8_UNARY(f8_cosd, r = trigd(deg_const(), x, 1, &e))
F8_UNARY(f8_tand, r = trigd(deg_const(), x, 2, &e))
F8_UNARY(f8_cotd, r = trigd(deg_const(), x, 3, &e))
F8_UNARY(f8_asind, {
    const DegConst *k = deg_const();
    if (isnan(x))
        r = x;
    else if (x < -1.0 || x > 1.0) {
        e = E_RANGE;
        r = 0;
    } else
        r = x >= 0.0 ? asind_q1(k, x) : -asind_q1(k, -x);
})
F8_UNARY(f8_acosd, {
    const DegConst *k = deg_const();
    if (isnan(x))
        r = x;
    else if (x < -1.0 || x > 1.0) {
        e = E_RANGE;
        r = 0;
    } else
        r = x >= 0.0 ? acosd_q1(k, x) : 90.0 + asind_q1(k, -x);
})
F8_UNARY(f8_atand, {
    if (isnan(x))
        r = x;
    else {
        volatile double a = atan(x);
        r = (a / deg_const()->atan_1_0) * 45.0;
    }
})
F8_BINARY(f8_atan2d, {
    if (isnan(x) || isnan(y))
        r = NAN;
    else {
        volatile double a = atan2(x, y);
        r = (a / deg_const()->atan_1_0) * 45.0;
    }
})

/* PostgreSQL's dpow: POSIX cases for NaN and infinities made explicit. */
static double pg_pow(double x, double y, int *e)
{
    if (isnan(x))
        return isnan(y) || y != 0.0 ? x : 1.0;
    if (isnan(y))
        return x != 1.0 ? y : 1.0;
    if (x == 0.0 && y < 0.0) {
        *e = E_POW_ZERO_NEG;
        return 0;
    }
    if (x < 0.0 && floor(y) != y) {
        *e = E_POW_COMPLEX;
        return 0;
    }
    if (isinf(y)) {
        double ax = fabs(x);
        if (ax == 1.0)
            return 1.0;
        if (y > 0.0)
            return ax > 1.0 ? y : 0.0;
        return ax > 1.0 ? 0.0 : -y;
    }
    if (isinf(x)) {
        if (y == 0.0)
            return 1.0;
        if (x > 0.0)
            return y > 0.0 ? x : 0.0;
        double half = y / 2;
        bool odd = floor(half) != half;
        if (y > 0.0)
            return odd ? x : -x;
        return odd ? -0.0 : 0.0;
    }
    double r = pow(x, y);
    if (isinf(r))
        *e = E_OVERFLOW;
    else if (r == 0.0 && x != 0.0)
        *e = E_UNDERFLOW;
    return r;
}

F8_BINARY(f8_pow, r = pg_pow(x, y, &e))

/* ---- Bitwise operators on integers: & | # ~ << >> (int2and ... int8shr) ------------------------------ */

/* The shift count is taken modulo the width of C's promoted operand, as
 * PostgreSQL's `arg1 << arg2` behaves on x86 (int2 shifts in int). */
#define INT_BITOP(NAME, T, U, EXPR)                                                              \
    KERNEL(NAME)                                                                                 \
    {                                                                                            \
        (void)ctx; (void)n_args; (void)err;                                                      \
        const T *x = (const T *)args[0]->data;                                                   \
        const int32_t *y32 = (const int32_t *)args[1]->data;                                     \
        const T *yt = (const T *)args[1]->data;                                                  \
        T *r = (T *)out->data;                                                                   \
        (void)y32; (void)yt;                                                                     \
        FUNC_LOOP2(args[0], args[1], n_rows, { r[i] = (T)(EXPR); });                            \
        out->len = n_rows;                                                                       \
        return 0;                                                                                \
    }
INT_BITOP(i2_and, int16_t, uint32_t, x[ia] & yt[ib])
INT_BITOP(i2_or, int16_t, uint32_t, x[ia] | yt[ib])
INT_BITOP(i2_xor, int16_t, uint32_t, x[ia] ^ yt[ib])
INT_BITOP(i2_shl, int16_t, uint32_t, (uint32_t)x[ia] << (y32[ib] & 31))
INT_BITOP(i2_shr, int16_t, uint32_t, (int32_t)x[ia] >> (y32[ib] & 31))
INT_BITOP(i4_and, int32_t, uint32_t, x[ia] & yt[ib])
INT_BITOP(i4_or, int32_t, uint32_t, x[ia] | yt[ib])
INT_BITOP(i4_xor, int32_t, uint32_t, x[ia] ^ yt[ib])
INT_BITOP(i4_shl, int32_t, uint32_t, (uint32_t)x[ia] << (y32[ib] & 31))
INT_BITOP(i4_shr, int32_t, uint32_t, x[ia] >> (y32[ib] & 31))
INT_BITOP(i8_and, int64_t, uint64_t, x[ia] & yt[ib])
INT_BITOP(i8_or, int64_t, uint64_t, x[ia] | yt[ib])
INT_BITOP(i8_xor, int64_t, uint64_t, x[ia] ^ yt[ib])
INT_BITOP(i8_shl, int64_t, uint64_t, (uint64_t)x[ia] << (y32[ib] & 63))
INT_BITOP(i8_shr, int64_t, uint64_t, x[ia] >> (y32[ib] & 63))

#define INT_BITNOT(NAME, T)                                                                      \
    KERNEL(NAME)                                                                                 \
    {                                                                                            \
        (void)ctx; (void)n_args; (void)err;                                                      \
        const T *x = (const T *)args[0]->data;                                                   \
        T *r = (T *)out->data;                                                                   \
        FUNC_LOOP1(args[0], n_rows, { r[i] = (T)~x[ia]; });                                      \
        out->len = n_rows;                                                                       \
        return 0;                                                                                \
    }
INT_BITNOT(i2_not, int16_t)
INT_BITNOT(i4_not, int32_t)
INT_BITNOT(i8_not, int64_t)

KERNEL(f8_pi)
{
    double *r = VEC_DATA(out, double);
    for (uint32_t i = 0; i < n_rows; i++)
        r[i] = M_PI;
    out->len = n_rows;
    return 0;
}

KERNEL(f4_abs)
{
    const float *x = VEC_DATA(args[0], float);
    float *r = VEC_DATA(out, float);
    for (uint32_t i = 0; i < n_rows; i++)
        r[i] = fabsf(x[i]);
    out->len = n_rows;
    return 0;
}

/* ---- Integers ------------------------------------------------------------------------------ */

#define INT_ABS(NAME, T, TMIN, TNAME)                                                          \
    KERNEL(NAME)                                                                               \
    {                                                                                          \
        const T *x = VEC_DATA(args[0], T);                                                     \
        T *r = VEC_DATA(out, T);                                                               \
        int bad = 0;                                                                           \
        for (uint32_t i = 0; i < n_rows; i++) {                                                \
            bad |= x[i] == TMIN;                                                               \
            r[i] = (T)(x[i] < 0 && x[i] != TMIN ? -x[i] : x[i]);                               \
        }                                                                                      \
        if (bad)                                                                               \
            for (uint32_t i = 0; i < n_rows; i++)                                              \
                if (x[i] == TMIN && FUNC_ROW_VALID(out, i))                                    \
                    return func_err_out_of_range(err, TNAME);                                  \
        out->len = n_rows;                                                                     \
        return 0;                                                                              \
    }
INT_ABS(i2_abs, int16_t, INT16_MIN, "smallint")
INT_ABS(i4_abs, int32_t, INT32_MIN, "integer")
INT_ABS(i8_abs, int64_t, INT64_MIN, "bigint")

/* mod(): the sign of the dividend, like C; x mod -1 is 0 (no overflow). */
#define INT_MOD(NAME, T)                                                                       \
    KERNEL(NAME)                                                                               \
    {                                                                                          \
        const T *x = VEC_DATA(args[0], T), *y = VEC_DATA(args[1], T);                          \
        T *r = VEC_DATA(out, T);                                                               \
        FUNC_LOOP2(args[0], args[1], n_rows, {                                                 \
            T b = y[ib];                                                                       \
            if (b == 0) {                                                                      \
                if (FUNC_ROW_VALID(out, i))                                                    \
                    return func_err_division_by_zero(err);                                     \
                r[i] = 0;                                                                      \
            } else {                                                                           \
                r[i] = b == -1 ? 0 : (T)(x[ia] % b);                                           \
            }                                                                                  \
        });                                                                                    \
        out->len = n_rows;                                                                     \
        return 0;                                                                              \
    }
INT_MOD(i2_mod, int16_t)
INT_MOD(i4_mod, int32_t)
INT_MOD(i8_mod, int64_t)

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* gcd / lcm: PostgreSQL's int4gcd_internal etc.; results that do not fit
 * (gcd(INT_MIN, 0), lcm overflow) are "integer out of range". */
#define INT_GCD_LCM(GCD, LCM, T, TMIN, TMAX, TNAME)                                            \
    KERNEL(GCD)                                                                                \
    {                                                                                          \
        const T *x = VEC_DATA(args[0], T), *y = VEC_DATA(args[1], T);                          \
        T *r = VEC_DATA(out, T);                                                               \
        FUNC_LOOP2(args[0], args[1], n_rows, {                                                 \
            int64_t a = x[ia], b = y[ib];                                                      \
            uint64_t g = gcd_u64(a < 0 ? 0 - (uint64_t)a : (uint64_t)a,                        \
                                 b < 0 ? 0 - (uint64_t)b : (uint64_t)b);                       \
            if (g > (uint64_t)TMAX) {                                                          \
                if (FUNC_ROW_VALID(out, i))                                                    \
                    return func_err_out_of_range(err, TNAME);                                  \
                g = 0;                                                                         \
            }                                                                                  \
            r[i] = (T)g;                                                                       \
        });                                                                                    \
        out->len = n_rows;                                                                     \
        return 0;                                                                              \
    }                                                                                          \
    KERNEL(LCM)                                                                                \
    {                                                                                          \
        const T *x = VEC_DATA(args[0], T), *y = VEC_DATA(args[1], T);                          \
        T *r = VEC_DATA(out, T);                                                               \
        FUNC_LOOP2(args[0], args[1], n_rows, {                                                 \
            T a = x[ia], b = y[ib], res = 0;                                                   \
            bool bad = false;                                                                  \
            if (a != 0 && b != 0) {                                                            \
                uint64_t ua = a < 0 ? 0 - (uint64_t)(int64_t)a : (uint64_t)a;                  \
                uint64_t ub = b < 0 ? 0 - (uint64_t)(int64_t)b : (uint64_t)b;                  \
                uint64_t g = gcd_u64(ua, ub);                                                  \
                T q = (T)(ua / g);                                                             \
                if (ua / g > (uint64_t)TMAX || __builtin_mul_overflow(q, b, &res) ||           \
                    res == TMIN)                                                               \
                    bad = true;                                                                \
                res = res < 0 ? (T)-res : res;                                                 \
            }                                                                                  \
            if (bad) {                                                                         \
                if (FUNC_ROW_VALID(out, i))                                                    \
                    return func_err_out_of_range(err, TNAME);                                  \
                res = 0;                                                                       \
            }                                                                                  \
            r[i] = res;                                                                        \
        });                                                                                    \
        out->len = n_rows;                                                                     \
        return 0;                                                                              \
    }
INT_GCD_LCM(i4_gcd, i4_lcm, int32_t, INT32_MIN, INT32_MAX, "integer")
INT_GCD_LCM(i8_gcd, i8_lcm, int64_t, INT64_MIN, INT64_MAX, "bigint")

/* ---- numeric: result types ------------------------------------------------------------------ */

static int cap38(int p)
{
    return p > 38 ? 38 : p < 1 ? 1 : p;
}

static int bind_same(FuncBindInfo *b, TarnError *err)
{
    b->ret = b->arg_types[0];
    return 0;
}

/* ceil, floor, round(x), trunc(x): scale 0, one more integer digit. */
static int bind_scale0(FuncBindInfo *b, TarnError *err)
{
    const LogicalType *t = &b->arg_types[0];
    int ip = t->precision - t->scale;
    b->ret = type_decimal(cap38(ip + (t->scale > 0)), 0);
    return 0;
}

static int bind_sign(FuncBindInfo *b, TarnError *err)
{
    b->ret = type_decimal(1, 0);
    return 0;
}

/* The decimal scale of a constant int argument, or -1000 when unknown. */
static int const_int_arg(const FuncBindInfo *b, uint32_t k)
{
    if (k >= b->n_args || !b->is_const[k] || b->const_args[k].is_null)
        return -1000;
    int64_t v = b->const_args[k].v.i;
    return v > 1000 ? 1000 : v < -1000 ? -999 : (int)v;
}

/* round(numeric, int) / trunc(numeric, int). */
static int bind_round_digits(FuncBindInfo *b, TarnError *err)
{
    const LogicalType *t = &b->arg_types[0];
    int d = const_int_arg(b, 1);
    int ip = t->precision - t->scale + 1; /* rounding may carry */
    if (d == -1000) {
        b->ret = type_decimal(cap38(t->precision + 1), t->scale);
        return 0;
    }
    int s = d < 0 ? 0 : d > 38 ? 38 : d;
    if (ip + s > 38)
        ip = 38 - s;
    b->ret = type_decimal(cap38(ip + s), s);
    return 0;
}

/* mod / gcd / lcm: max(s1, s2). */
static int bind_max_scale(FuncBindInfo *b, TarnError *err)
{
    const LogicalType *x = &b->arg_types[0], *y = &b->arg_types[1];
    int s = x->scale > y->scale ? x->scale : y->scale;
    int ix = x->precision - x->scale, iy = y->precision - y->scale;
    b->ret = type_decimal(cap38((ix > iy ? ix : iy) + s), s);
    return 0;
}

static int bind_lcm(FuncBindInfo *b, TarnError *err)
{
    const LogicalType *x = &b->arg_types[0], *y = &b->arg_types[1];
    int s = x->scale > y->scale ? x->scale : y->scale;
    b->ret = type_decimal(38, s);
    return 0;
}

static int bind_div(FuncBindInfo *b, TarnError *err)
{
    b->ret = type_decimal(38, 0);
    return 0;
}

static int bind_factorial(FuncBindInfo *b, TarnError *err)
{
    b->ret = type_decimal(38, 0);
    return 0;
}

/* ---- numeric: helpers ------------------------------------------------------------------------ */

/* x (scale from) at scale to; false on overflow. Rounds half away when
 * shrinking. */
static bool rescale(int128_t x, int from, int to, int128_t *out)
{
    if (to >= from) {
        if (to - from > 38)
            return x == 0 ? (*out = 0, true) : false;
        return !__builtin_mul_overflow(x, fl_pow10(to - from), out);
    }
    *out = fl_dec_div_round(x, from - to);
    return true;
}

static int128_t i128_abs(int128_t x)
{
    return x < 0 ? -x : x;
}

/* Value of the numeric at row k as long double. */
static long double dec_ld(const Vector *v, uint32_t k)
{
    return (long double)fl_dec_get(v, k) / (long double)fl_pow10(v->type->scale);
}

/* Rounds a long double to an unscaled decimal at `scale` that must fit
 * `precision` digits; false when it does not. */
static bool ld_to_dec(long double r, int scale, int precision, int128_t *out)
{
    if (!isfinite(r))
        return false;
    long double m = roundl(r * powl(10.0L, (long double)scale));
    if (fabsl(m) >= powl(10.0L, (long double)precision))
        return false;
    *out = (int128_t)m;
    return true;
}

/* ---- numeric kernels -------------------------------------------------------------------- */

KERNEL(dec_abs)
{
    const Vector *a = args[0];
    for (uint32_t i = 0; i < n_rows; i++)
        fl_dec_put(out, i, i128_abs(fl_dec_get(a, i)));
    out->len = n_rows;
    return 0;
}

KERNEL(dec_sign)
{
    const Vector *a = args[0];
    for (uint32_t i = 0; i < n_rows; i++) {
        int128_t x = fl_dec_get(a, i);
        fl_dec_put(out, i, (x > 0) - (x < 0));
    }
    out->len = n_rows;
    return 0;
}

/* mode: 0 round, 1 trunc, 2 ceil, 3 floor.  x at scale s to d digits. */
static int128_t dec_round_to(int128_t x, int s, int d, int mode)
{
    int k = s - d;
    if (k <= 0)
        return x;
    if (k > 38)
        return 0;
    int128_t p = fl_pow10(k), q = x / p, rem = x % p;
    switch (mode) {
    case 0: q = fl_dec_div_round(x, k); break;
    case 1: break;
    case 2: if (rem > 0) q++; break;
    default: if (rem < 0) q--; break;
    }
    return q; /* at scale d */
}

static int round_kernel(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                        Vector *out, TarnError *err, int mode)
{
    const Vector *a = args[0], *dv = n_args > 1 ? args[1] : NULL;
    int s = a->type->scale, rs = out->type->scale, rp = out->type->precision;
    for (uint32_t i = 0; i < n_rows; i++) {
        int d = 0;
        if (dv) {
            int64_t dd = VEC_DATA(dv, int32_t)[FUNC_IDX(dv, i)];
            d = dd > 1000 ? 1000 : dd < -1000 ? -1000 : (int)dd;
        }
        int128_t x = fl_dec_get(a, FUNC_IDX(a, i));
        int dd = d > s ? s : d;
        int128_t q = dec_round_to(x, s, dd, mode), r;
        /* q is at scale dd (possibly negative): bring it to rs. */
        bool ok = rescale(q, dd, rs, &r) && fl_dec_fits(r, rp);
        if (!ok) {
            if (FUNC_ROW_VALID(out, i))
                return fl_err(err, "22003", "numeric field overflow");
            r = 0;
        }
        fl_dec_put(out, i, r);
    }
    out->len = n_rows;
    return 0;
}

KERNEL(dec_round) { return round_kernel(ctx, args, n_args, n_rows, out, err, 0); }
KERNEL(dec_trunc) { return round_kernel(ctx, args, n_args, n_rows, out, err, 1); }
KERNEL(dec_ceil) { return round_kernel(ctx, args, n_args, n_rows, out, err, 2); }
KERNEL(dec_floor) { return round_kernel(ctx, args, n_args, n_rows, out, err, 3); }

/* Brings x (scale sx) and y (scale sy) to the common scale max(sx, sy). */
static bool common_scale(int128_t x, int sx, int128_t y, int sy, int128_t *X, int128_t *Y)
{
    int s = sx > sy ? sx : sy;
    return rescale(x, sx, s, X) && rescale(y, sy, s, Y);
}

/* mode 0 mod, 1 div, 2 gcd, 3 lcm */
static int dec_binary(FuncCtx *ctx, Vector **args, uint32_t n_rows, Vector *out, TarnError *err,
                      int mode)
{
    const Vector *a = args[0], *b = args[1];
    int sx = a->type->scale, sy = b->type->scale;
    int rs = out->type->scale, rp = out->type->precision;
    int s = sx > sy ? sx : sy;
    for (uint32_t i = 0; i < n_rows; i++) {
        bool valid = FUNC_ROW_VALID(out, i);
        int128_t X, Y, r = 0;
        if (!common_scale(fl_dec_get(a, FUNC_IDX(a, i)), sx, fl_dec_get(b, FUNC_IDX(b, i)), sy, &X,
                          &Y)) {
            if (valid)
                return numeric_overflow(err);
            fl_dec_put(out, i, 0);
            continue;
        }
        bool ok = true;
        switch (mode) {
        case 0:
        case 1:
            if (Y == 0) {
                if (valid)
                    return func_err_division_by_zero(err);
                break;
            }
            r = mode == 0 ? X % Y : X / Y;
            break;
        default: {
            unsigned __int128 ux = (unsigned __int128)i128_abs(X), uy = (unsigned __int128)i128_abs(Y);
            unsigned __int128 g0 = ux, g1 = uy;
            while (g1) {
                unsigned __int128 t = g0 % g1;
                g0 = g1;
                g1 = t;
            }
            if (mode == 2) {
                r = (int128_t)g0;
            } else if (ux && uy) {
                int128_t q = (int128_t)(ux / g0);
                ok = !__builtin_mul_overflow(q, (int128_t)uy, &r);
            }
            break;
        }
        }
        int128_t res;
        ok = ok && rescale(r, mode == 1 ? 0 : s, rs, &res) && fl_dec_fits(res, rp);
        if (!ok) {
            if (valid)
                return numeric_overflow(err);
            res = 0;
        }
        fl_dec_put(out, i, res);
    }
    out->len = n_rows;
    return 0;
}

KERNEL(dec_mod) { return dec_binary(ctx, args, n_rows, out, err, 0); }
KERNEL(dec_div) { return dec_binary(ctx, args, n_rows, out, err, 1); }
KERNEL(dec_gcd) { return dec_binary(ctx, args, n_rows, out, err, 2); }
KERNEL(dec_lcm) { return dec_binary(ctx, args, n_rows, out, err, 3); }

KERNEL(i8_factorial)
{
    const int64_t *x = VEC_DATA(args[0], int64_t);
    for (uint32_t i = 0; i < n_rows; i++) {
        int128_t r = 1;
        int64_t n = x[i];
        bool valid = FUNC_ROW_VALID(out, i);
        if (n < 0) {
            if (valid)
                return fl_err(err, "22003", "factorial of a negative number is undefined");
            n = 0;
        }
        if (n > 33) { /* 34! has 39 digits */
            if (valid)
                return numeric_overflow(err);
            n = 0;
        }
        for (int64_t k = 2; k <= n; k++)
            r *= k;
        fl_dec_put(out, i, r);
    }
    out->len = n_rows;
    return 0;
}

/* ---- numeric sqrt, exp, ln, log, power ------------------------------------------------------- */

/* PostgreSQL's estimate_ln_dweight for a positive value. */
static int ln_dweight(long double x)
{
    if (x <= 0)
        return 0;
    if (x >= 0.9L && x <= 1.1L) {
        long double d = fabsl(x - 1.0L);
        return d == 0 ? 0 : (int)floorl(log10l(d));
    }
    return (int)log10l(fabsl(logl(x)));
}

/* Base-10000 weight of a nonzero value (PostgreSQL's NumericVar.weight). */
static int nbase_weight(long double x)
{
    x = fabsl(x);
    return (int)floorl(log10l(x) / 4.0L);
}

/* (int)x truncated toward zero, clamped to +-1000 (no undefined
 * conversion of huge values). */
static int clamp_int(long double x)
{
    if (!(x > -1000))
        return -1000;
    if (!(x < 1000))
        return 1000;
    return (int)x;
}

static int clamp_scale(int rs, int min_scale)
{
    if (rs < min_scale)
        rs = min_scale;
    if (rs < 0)
        rs = 0;
    return rs > 38 ? 38 : rs;
}

static long double const_ld(const FuncBindInfo *b, uint32_t k, bool *ok)
{
    *ok = b->is_const[k] && !b->const_args[k].is_null;
    if (!*ok)
        return 0;
    const Value *v = &b->const_args[k];
    int128_t u = b->arg_types[k].precision > DECIMAL64_MAX_PRECISION ? v->v.i128 : v->v.i;
    return (long double)u / (long double)fl_pow10(b->arg_types[k].scale);
}

/* Result type decimal(38, scale): integer digits as the scale leaves. */
static void set_dec_ret(FuncBindInfo *b, int scale)
{
    b->ret = type_decimal(38, scale);
}

static int bind_sqrt(FuncBindInfo *b, TarnError *err)
{
    int s = b->arg_types[0].scale;
    bool ok;
    long double x = const_ld(b, 0, &ok);
    int rs = 15;
    if (ok && x > 0) {
        int sweight = (nbase_weight(x) + 1) * 4 / 2 - 1;
        rs = 16 - sweight;
    }
    set_dec_ret(b, clamp_scale(rs, s));
    return 0;
}

static int bind_exp(FuncBindInfo *b, TarnError *err)
{
    bool ok;
    long double x = const_ld(b, 0, &ok);
    int rs = 16;
    if (ok)
        rs = 16 - clamp_int(x * 0.434294481903252L);
    set_dec_ret(b, clamp_scale(rs, b->arg_types[0].scale));
    return 0;
}

static int bind_ln(FuncBindInfo *b, TarnError *err)
{
    bool ok;
    long double x = const_ld(b, 0, &ok);
    int rs = 16;
    if (ok)
        rs = 16 - ln_dweight(x);
    set_dec_ret(b, clamp_scale(rs, b->arg_types[0].scale));
    return 0;
}

/* log(b, x); log10(x) = log(10, x). */
static int bind_log(FuncBindInfo *b, TarnError *err)
{
    bool okb = true, okx;
    long double base = 10, x;
    int sb = 0, sx;
    if (b->n_args == 2) {
        base = const_ld(b, 0, &okb);
        sb = b->arg_types[0].scale;
        x = const_ld(b, 1, &okx);
        sx = b->arg_types[1].scale;
    } else {
        x = const_ld(b, 0, &okx);
        sx = b->arg_types[0].scale;
    }
    int rs = 16;
    if (okb && okx)
        rs = 16 - (ln_dweight(x) - ln_dweight(base));
    set_dec_ret(b, clamp_scale(rs, sb > sx ? sb : sx));
    return 0;
}

static int bind_power(FuncBindInfo *b, TarnError *err)
{
    bool okb, oke;
    long double base = const_ld(b, 0, &okb), e = const_ld(b, 1, &oke);
    int sb = b->arg_types[0].scale, se = b->arg_types[1].scale;
    int rs = 16;
    if (okb && oke && floorl(e) != e && base > 0) {
        long double val = logl(base) * e * 0.434294481903252L;
        rs = 16 - clamp_int(val);
    }
    rs = clamp_scale(rs, sb > se ? sb : se);
    set_dec_ret(b, rs);
    return 0;
}

/* Exact square root of x (scale s) at scale rs, rounded half up (PG
 * sqrt_var rounds the last digit). */
static bool dec_sqrt(int128_t x, int s, int rs, int128_t *out)
{
    /* N = x * 10^(2rs - s); result = round(sqrt(N)). */
    int e = 2 * rs - s;
    unsigned __int128 N;
    if (e >= 0) {
        if (e > 38 || __builtin_mul_overflow((unsigned __int128)x, (unsigned __int128)fl_pow10(e), &N)) {
            long double r = sqrtl((long double)x / (long double)fl_pow10(s));
            return ld_to_dec(r, rs, 38, out);
        }
    } else {
        /* more input digits than the result needs: drop them (rounding
         * below) */
        long double r = sqrtl((long double)x / (long double)fl_pow10(s));
        return ld_to_dec(r, rs, 38, out);
    }
    unsigned __int128 r = (unsigned __int128)sqrtl((long double)N);
    /* Correct to floor(sqrt(N)). */
    while (r > 0 && r * r > N)
        r--;
    while ((r + 1) * (r + 1) <= N)
        r++;
    /* Round: sqrt(N) >= r + 0.5 <=> N >= r^2 + r + 0.25 <=> N > r^2 + r. */
    if (N > r * r + r)
        r++;
    if (r >= (unsigned __int128)fl_pow10(38))
        return false;
    *out = (int128_t)r;
    return true;
}

KERNEL(dec_sqrt_k)
{
    const Vector *a = args[0];
    int s = a->type->scale, rs = out->type->scale;
    for (uint32_t i = 0; i < n_rows; i++) {
        bool valid = FUNC_ROW_VALID(out, i);
        int128_t x = fl_dec_get(a, i), r = 0;
        if (x < 0) {
            if (valid)
                return math_error(err, E_SQRT_NEG);
        } else if (!dec_sqrt(x, s, rs, &r)) {
            if (valid)
                return numeric_overflow(err);
            r = 0;
        }
        fl_dec_put(out, i, r);
    }
    out->len = n_rows;
    return 0;
}

/* Writes a long double result at row i (checking overflow). */
static int put_ld(Vector *out, uint32_t i, long double r, TarnError *err)
{
    int128_t u;
    if (!ld_to_dec(r, out->type->scale, out->type->precision, &u)) {
        if (FUNC_ROW_VALID(out, i))
            return numeric_overflow(err);
        u = 0;
    }
    fl_dec_put(out, i, u);
    return 0;
}

KERNEL(dec_exp)
{
    for (uint32_t i = 0; i < n_rows; i++)
        if (put_ld(out, i, expl(dec_ld(args[0], i)), err))
            return TARN_ERR_INVALID;
    out->len = n_rows;
    return 0;
}

/* ln / log10 of a positive value; errors as PostgreSQL's. */
static int log_check(Vector *out, uint32_t i, int128_t u, TarnError *err)
{
    if (u > 0 || !FUNC_ROW_VALID(out, i))
        return 0;
    return math_error(err, u == 0 ? E_LOG_ZERO : E_LOG_NEG);
}

KERNEL(dec_ln)
{
    for (uint32_t i = 0; i < n_rows; i++) {
        int128_t u = fl_dec_get(args[0], i);
        if (log_check(out, i, u, err))
            return TARN_ERR_INVALID;
        if (put_ld(out, i, u > 0 ? logl(dec_ld(args[0], i)) : 0, err))
            return TARN_ERR_INVALID;
    }
    out->len = n_rows;
    return 0;
}

KERNEL(dec_log10)
{
    for (uint32_t i = 0; i < n_rows; i++) {
        int128_t u = fl_dec_get(args[0], i);
        if (log_check(out, i, u, err))
            return TARN_ERR_INVALID;
        if (put_ld(out, i, u > 0 ? log10l(dec_ld(args[0], i)) : 0, err))
            return TARN_ERR_INVALID;
    }
    out->len = n_rows;
    return 0;
}

KERNEL(dec_log)
{
    const Vector *bv = args[0], *xv = args[1];
    for (uint32_t i = 0; i < n_rows; i++) {
        uint32_t ib = FUNC_IDX(bv, i), ix = FUNC_IDX(xv, i);
        int128_t ub = fl_dec_get(bv, ib), ux = fl_dec_get(xv, ix);
        if (log_check(out, i, ub, err) || log_check(out, i, ux, err))
            return TARN_ERR_INVALID;
        long double r = 0;
        if (ub > 0 && ux > 0) {
            long double lb = logl(dec_ld(bv, ib));
            if (lb == 0) {
                if (FUNC_ROW_VALID(out, i))
                    return func_err_division_by_zero(err);
            } else {
                r = logl(dec_ld(xv, ix)) / lb;
            }
        }
        if (put_ld(out, i, r, err))
            return TARN_ERR_INVALID;
    }
    out->len = n_rows;
    return 0;
}

/* Exact x^n for integer n >= 0 when it fits: returns false otherwise. */
static bool dec_ipow(int128_t x, int s, int64_t n, int rs, int128_t *out)
{
    /* result scale is s * n before rounding to rs */
    if (n > 127 || (int64_t)s * n > 38)
        return false;
    int128_t r = 1;
    for (int64_t k = 0; k < n; k++)
        if (__builtin_mul_overflow(r, x, &r))
            return false;
    return rescale(r, (int)(s * n), rs, out) && fl_dec_fits(*out, 38);
}

KERNEL(dec_power)
{
    const Vector *bv = args[0], *ev = args[1];
    int sb = bv->type->scale, se = ev->type->scale, rs = out->type->scale;
    for (uint32_t i = 0; i < n_rows; i++) {
        uint32_t ib = FUNC_IDX(bv, i), ie = FUNC_IDX(ev, i);
        bool valid = FUNC_ROW_VALID(out, i);
        int128_t ub = fl_dec_get(bv, ib), ue = fl_dec_get(ev, ie);
        int128_t p = fl_pow10(se);
        bool int_exp = ue % p == 0;
        if (ub == 0 && ue < 0) {
            if (valid)
                return math_error(err, E_POW_ZERO_NEG);
            fl_dec_put(out, i, 0);
            continue;
        }
        if (ub < 0 && !int_exp) {
            if (valid)
                return math_error(err, E_POW_COMPLEX);
            fl_dec_put(out, i, 0);
            continue;
        }
        int128_t r;
        if (int_exp && ue >= 0 && dec_ipow(ub, sb, (int64_t)(ue / p), rs, &r)) {
            fl_dec_put(out, i, r);
            continue;
        }
        long double x = dec_ld(bv, ib), y = dec_ld(ev, ie);
        if (put_ld(out, i, powl(x, y), err))
            return TARN_ERR_INVALID;
    }
    out->len = n_rows;
    return 0;
}

KERNEL(dec_scale)
{
    int32_t *r = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < n_rows; i++)
        r[i] = args[0]->type->scale;
    out->len = n_rows;
    return 0;
}

KERNEL(dec_min_scale)
{
    int32_t *r = VEC_DATA(out, int32_t);
    int s = args[0]->type->scale;
    for (uint32_t i = 0; i < n_rows; i++) {
        int128_t x = fl_dec_get(args[0], i);
        int k = s;
        while (k > 0 && x % 10 == 0) {
            x /= 10;
            k--;
        }
        r[i] = k;
    }
    out->len = n_rows;
    return 0;
}

/* ---- width_bucket ------------------------------------------------------------------------------ */

static int wb_error(TarnError *err, const char *msg)
{
    return fl_err(err, "2201G", msg);
}

KERNEL(f8_width_bucket)
{
    int32_t *r = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            r[i] = 0;
            continue;
        }
        double op = VEC_DATA(args[0], double)[FUNC_IDX(args[0], i)];
        double b1 = VEC_DATA(args[1], double)[FUNC_IDX(args[1], i)];
        double b2 = VEC_DATA(args[2], double)[FUNC_IDX(args[2], i)];
        int32_t count = VEC_DATA(args[3], int32_t)[FUNC_IDX(args[3], i)];
        int32_t res;
        if (count <= 0)
            return wb_error(err, "count must be greater than zero");
        if (isnan(op) || isnan(b1) || isnan(b2))
            return wb_error(err, "operand, lower bound, and upper bound cannot be NaN");
        if (isinf(b1) || isinf(b2))
            return wb_error(err, "lower and upper bounds must be finite");
        if (b1 < b2) {
            if (op < b1)
                res = 0;
            else if (op >= b2) {
                if (__builtin_add_overflow(count, 1, &res))
                    return func_err_out_of_range(err, "integer");
            } else {
                double q = !isinf(b2 - b1) ? count * ((op - b1) / (b2 - b1))
                                           : count * ((op / 2 - b1 / 2) / (b2 / 2 - b1 / 2));
                res = (int32_t)q;
                if (res >= count)
                    res = count - 1;
                res++;
            }
        } else if (b1 > b2) {
            if (op > b1)
                res = 0;
            else if (op <= b2) {
                if (__builtin_add_overflow(count, 1, &res))
                    return func_err_out_of_range(err, "integer");
            } else {
                double q = !isinf(b1 - b2) ? count * ((b1 - op) / (b1 - b2))
                                           : count * ((b1 / 2 - op / 2) / (b1 / 2 - b2 / 2));
                res = (int32_t)q;
                if (res >= count)
                    res = count - 1;
                res++;
            }
        } else {
            return wb_error(err, "lower bound cannot equal upper bound");
        }
        r[i] = res;
    }
    out->len = n_rows;
    return 0;
}

KERNEL(dec_width_bucket)
{
    int32_t *r = VEC_DATA(out, int32_t);
    int s0 = args[0]->type->scale, s1 = args[1]->type->scale, s2 = args[2]->type->scale;
    int s = s0 > s1 ? s0 : s1;
    if (s2 > s)
        s = s2;
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            r[i] = 0;
            continue;
        }
        int128_t op, b1, b2;
        int32_t count = VEC_DATA(args[3], int32_t)[FUNC_IDX(args[3], i)];
        if (count <= 0)
            return wb_error(err, "count must be greater than zero");
        if (!rescale(fl_dec_get(args[0], FUNC_IDX(args[0], i)), s0, s, &op) ||
            !rescale(fl_dec_get(args[1], FUNC_IDX(args[1], i)), s1, s, &b1) ||
            !rescale(fl_dec_get(args[2], FUNC_IDX(args[2], i)), s2, s, &b2))
            return numeric_overflow(err);
        if (b1 == b2)
            return wb_error(err, "lower bound cannot equal upper bound");
        bool asc = b1 < b2;
        int32_t res;
        if (asc ? op < b1 : op > b1)
            res = 0;
        else if (asc ? op >= b2 : op <= b2) {
            if (__builtin_add_overflow(count, 1, &res))
                return func_err_out_of_range(err, "integer");
        } else {
            /* floor(count * (op - b1) / (b2 - b1)) + 1, exactly when it fits */
            int128_t num, den, prod;
            bool exact = !__builtin_sub_overflow(asc ? op : b1, asc ? b1 : op, &num) &&
                         !__builtin_sub_overflow(asc ? b2 : b1, asc ? b1 : b2, &den) &&
                         !__builtin_mul_overflow(num, (int128_t)count, &prod);
            if (exact) {
                res = (int32_t)(prod / den) + 1;
            } else {
                long double ln = asc ? (long double)op - (long double)b1 : (long double)b1 - (long double)op;
                long double ld = asc ? (long double)b2 - (long double)b1 : (long double)b1 - (long double)b2;
                long double q = (long double)count * (ln / ld);
                res = q >= count ? count : (int32_t)q + 1;
            }
            if (res > count)
                res = count;
        }
        r[i] = res;
    }
    out->len = n_rows;
    return 0;
}

/* ---- random, setseed ------------------------------------------------------------------------------ */

/* PostgreSQL's pg_prng: xoroshiro128**, seeded with splitmix64. */
typedef struct Prng {
    uint64_t s0, s1;
    bool seeded;
} Prng;

static _Thread_local Prng prng;

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t v = (*state += UINT64_C(0x9E3779B97f4A7C15));
    v = (v ^ (v >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    v = (v ^ (v >> 27)) * UINT64_C(0x94D049BB133111EB);
    return v ^ (v >> 31);
}

static void prng_seed(Prng *p, uint64_t seed)
{
    p->s0 = splitmix64(&seed);
    p->s1 = splitmix64(&seed);
    if (p->s0 == 0 && p->s1 == 0) { /* pg_prng_seed_check */
        p->s0 = UINT64_C(0x5851F42D4C957F2D);
        p->s1 = UINT64_C(0x14057B7EF767814F);
    }
    p->seeded = true;
}

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t xoroshiro128ss(Prng *p)
{
    uint64_t s0 = p->s0, sx = p->s1 ^ s0, val = rotl64(s0 * 5, 7) * 9;
    p->s0 = rotl64(s0, 24) ^ sx ^ (sx << 16);
    p->s1 = rotl64(sx, 37);
    return val;
}

KERNEL(f8_random)
{
    Prng *p = &prng;
    if (!p->seeded) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
                        (uint64_t)(uintptr_t)p;
        prng_seed(p, seed);
    }
    double *r = VEC_DATA(out, double);
    for (uint32_t i = 0; i < n_rows; i++)
        r[i] = ldexp((double)(xoroshiro128ss(p) >> 12), -52);
    out->len = n_rows;
    return 0;
}

KERNEL(f8_setseed)
{
    const double *x = VEC_DATA(args[0], double);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i))
            continue;
        double seed = x[i];
        if (seed < -1 || seed > 1 || isnan(seed)) {
            return err_set_state(err, TARN_ERR_INVALID, "22023",
                                 "setseed parameter %g is out of allowed range [-1,1]", seed);
        }
        prng_seed(&prng, (uint64_t)(int64_t)((double)((UINT64_C(1) << 52) - 1) * seed));
    }
    /* void: every row NULL */
    if (vec_ensure_validity(out))
        return ERR_NOMEM(err, n_rows);
    memset(out->validity, 0, (n_rows + 7) / 8);
    out->len = n_rows;
    return 0;
}

/* ---- greatest, least ------------------------------------------------------------------------------- */

static inline int cmp_iv(Interval a, Interval b)
{
    int128_t x = ((int128_t)a.months * 30 + a.days) * DT_USECS_PER_DAY + a.micros;
    int128_t y = ((int128_t)b.months * 30 + b.days) * DT_USECS_PER_DAY + b.micros;
    return (x > y) - (x < y);
}

static inline int cmp_str(StrView a, StrView b)
{
    uint32_t m = a.len < b.len ? a.len : b.len;
    int c = m ? memcmp(a.ptr, b.ptr, m) : 0;
    return c ? c : (a.len > b.len) - (a.len < b.len);
}

/* PostgreSQL's float ordering: NaN above everything. */
static inline int cmp_f8(double a, double b)
{
    if (isnan(a))
        return isnan(b) ? 0 : 1;
    if (isnan(b))
        return -1;
    return (a > b) - (a < b);
}

/* Compares row ia of a with row ib of b (same type). */
static int cmp_rows(const Vector *a, uint32_t ia, const Vector *b, uint32_t ib)
{
    switch (a->type->id) {
    case TYPE_BOOL:
    case TYPE_UINT8: return (a->data[ia] > b->data[ib]) - (a->data[ia] < b->data[ib]);
    case TYPE_INT8: {
        int8_t x = ((const int8_t *)a->data)[ia], y = ((const int8_t *)b->data)[ib];
        return (x > y) - (x < y);
    }
    case TYPE_INT16: {
        int16_t x = VEC_DATA(a, int16_t)[ia], y = VEC_DATA(b, int16_t)[ib];
        return (x > y) - (x < y);
    }
    case TYPE_UINT16: {
        uint16_t x = VEC_DATA(a, uint16_t)[ia], y = VEC_DATA(b, uint16_t)[ib];
        return (x > y) - (x < y);
    }
    case TYPE_INT32:
    case TYPE_DATE: {
        int32_t x = VEC_DATA(a, int32_t)[ia], y = VEC_DATA(b, int32_t)[ib];
        return (x > y) - (x < y);
    }
    case TYPE_UINT32: {
        uint32_t x = VEC_DATA(a, uint32_t)[ia], y = VEC_DATA(b, uint32_t)[ib];
        return (x > y) - (x < y);
    }
    case TYPE_UINT64: {
        uint64_t x = VEC_DATA(a, uint64_t)[ia], y = VEC_DATA(b, uint64_t)[ib];
        return (x > y) - (x < y);
    }
    case TYPE_FLOAT: return cmp_f8(VEC_DATA(a, float)[ia], VEC_DATA(b, float)[ib]);
    case TYPE_DOUBLE: return cmp_f8(VEC_DATA(a, double)[ia], VEC_DATA(b, double)[ib]);
    case TYPE_DECIMAL: {
        int128_t x = fl_dec_get(a, ia), y = fl_dec_get(b, ib);
        int sa = a->type->scale, sb = b->type->scale;
        if (sa != sb) {
            int128_t X, Y;
            if (common_scale(x, sa, y, sb, &X, &Y)) {
                x = X;
                y = Y;
            } else {
                long double dx = (long double)x / (long double)fl_pow10(sa);
                long double dy = (long double)y / (long double)fl_pow10(sb);
                return (dx > dy) - (dx < dy);
            }
        }
        return (x > y) - (x < y);
    }
    case TYPE_INTERVAL: return cmp_iv(VEC_DATA(a, Interval)[ia], VEC_DATA(b, Interval)[ib]);
    case TYPE_STRING:
    case TYPE_BLOB:
    case TYPE_JSON: return cmp_str(FL_CSTR(a)[ia], FL_CSTR(b)[ib]);
    case TYPE_UUID: {
        int c = memcmp(a->data + 16 * (size_t)ia, b->data + 16 * (size_t)ib, 16);
        return (c > 0) - (c < 0);
    }
    default: { /* int64, time, timestamps */
        int64_t x = VEC_DATA(a, int64_t)[ia], y = VEC_DATA(b, int64_t)[ib];
        return (x > y) - (x < y);
    }
    }
}

/* Copies row k of v into row i of out (same type; strings keep pointing at
 * the argument's bytes; decimals rescaled to out's scale). */
static void copy_row(Vector *out, uint32_t i, const Vector *v, uint32_t k)
{
    if (v->type->id == TYPE_DECIMAL) {
        int128_t x = fl_dec_get(v, k), r = x;
        if (!rescale(x, v->type->scale, out->type->scale, &r))
            r = 0;
        fl_dec_put(out, i, r);
        return;
    }
    size_t w = type_width(out->type);
    memcpy(out->data + w * i, v->data + w * k, w);
}

static int extreme_kernel(Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                          TarnError *err, int sign)
{
    if (vec_ensure_validity(out))
        return ERR_NOMEM(err, n_rows);
    size_t w = type_width(out->type);
    for (uint32_t i = 0; i < n_rows; i++) {
        int best = -1;
        uint32_t best_k = 0;
        for (uint32_t a = 0; a < n_args; a++) {
            uint32_t k = FUNC_IDX(args[a], i);
            if (!vec_is_valid(args[a], k))
                continue;
            if (best < 0 || sign * cmp_rows(args[a], k, args[best], best_k) > 0) {
                best = (int)a;
                best_k = k;
            }
        }
        if (best < 0) {
            memset(out->data + w * i, 0, w);
            out->validity[i >> 3] &= (uint8_t) ~(1u << (i & 7));
        } else {
            copy_row(out, i, args[best], best_k);
            vec_set_valid_bit(out, i);
        }
    }
    out->len = n_rows;
    return 0;
}

/* Decimal arguments of different scales: the widest integer part and the
 * largest scale. */
static int bind_extreme(FuncBindInfo *b, TarnError *err)
{
    if (b->arg_types[0].id != TYPE_DECIMAL)
        return 0;
    int s = 0, ip = 0;
    for (uint32_t k = 0; k < b->n_args; k++) {
        const LogicalType *t = &b->arg_types[k];
        if (t->id != TYPE_DECIMAL)
            continue;
        if (t->scale > s)
            s = t->scale;
        if (t->precision - t->scale > ip)
            ip = t->precision - t->scale;
    }
    if (ip + s > 38)
        ip = 38 - s;
    b->ret = type_decimal(cap38(ip + s), s);
    return 0;
}

KERNEL(k_greatest) { return extreme_kernel(args, n_args, n_rows, out, err, 1); }
KERNEL(k_least) { return extreme_kernel(args, n_args, n_rows, out, err, -1); }

/* ---- Registry ----------------------------------------------------------------------------------------- */

#define F8 TYPE_DOUBLE
#define DEC TYPE_DECIMAL
#define I2 TYPE_INT16
#define I4 TYPE_INT32
#define I8 TYPE_INT64

#define U8(NAME, FN) \
    {.name = NAME, .kind = FUNC_SCALAR, .n_args = 1, .args = {F8}, .ret = F8, .flags = FUNC_STRICT, .scalar = FN}
#define U8N(NAME, FN)                                                                            \
    {.name = NAME, .kind = FUNC_SCALAR, .n_args = 1, .args = {F8}, .ret = F8,                     \
     .flags = FUNC_STRICT | FUNC_NO_ERRORS, .scalar = FN}
#define UD(NAME, FN, BIND)                                                                       \
    {.name = NAME, .kind = FUNC_SCALAR, .n_args = 1, .args = {DEC}, .ret = DEC, .flags = FUNC_STRICT, \
     .scalar = FN, .bind = BIND}
#define B2(NAME, A, B, R, FN, BIND)                                                              \
    {.name = NAME, .kind = FUNC_SCALAR, .n_args = 2, .args = {A, B}, .ret = R,                    \
     .flags = FUNC_STRICT | FUNC_CONST_ARGS, .scalar = FN, .bind = BIND}

#define OP2(NAME, A, B, R, FN, BIND)                                                             \
    {.name = NAME, .kind = FUNC_OPERATOR, .n_args = 2, .args = {A, B}, .ret = R,                  \
     .flags = FUNC_STRICT | FUNC_CONST_ARGS, .scalar = FN, .bind = BIND}
#define OP2N(NAME, A, B, R, FN)                                                                  \
    {.name = NAME, .kind = FUNC_OPERATOR, .n_args = 2, .args = {A, B}, .ret = R,                  \
     .flags = FUNC_STRICT | FUNC_CONST_ARGS | FUNC_NO_ERRORS, .scalar = FN}
#define OP1N(NAME, A, R, FN)                                                                     \
    {.name = NAME, .kind = FUNC_OPERATOR, .n_args = 1, .args = {A}, .ret = R,                     \
     .flags = FUNC_STRICT | FUNC_CONST_ARGS | FUNC_NO_ERRORS, .scalar = FN}

const FuncDef func_defs_math[] = {
    /* operators spelled with symbols: ^ (power), |/ (sqrt), ||/ (cbrt), @ (abs), bitwise */
    OP2("^", F8, F8, F8, f8_pow, NULL),
    OP2("^", DEC, DEC, DEC, dec_power, bind_power),
    {.name = "|/", .kind = FUNC_OPERATOR, .n_args = 1, .args = {F8}, .ret = F8, .flags = FUNC_STRICT, .scalar = f8_sqrt},
    {.name = "||/", .kind = FUNC_OPERATOR, .n_args = 1, .args = {F8}, .ret = F8, .flags = FUNC_STRICT, .scalar = f8_cbrt},
    {.name = "@", .kind = FUNC_OPERATOR, .n_args = 1, .args = {F8}, .ret = F8, .flags = FUNC_STRICT | FUNC_NO_ERRORS,
     .scalar = f8_abs},
    {.name = "@", .kind = FUNC_OPERATOR, .n_args = 1, .args = {I4}, .ret = I4, .flags = FUNC_STRICT, .scalar = i4_abs},
    {.name = "@", .kind = FUNC_OPERATOR, .n_args = 1, .args = {I8}, .ret = I8, .flags = FUNC_STRICT, .scalar = i8_abs},
    {.name = "@", .kind = FUNC_OPERATOR, .n_args = 1, .args = {DEC}, .ret = DEC, .flags = FUNC_STRICT,
     .scalar = dec_abs, .bind = bind_same},
    OP2N("&", I2, I2, I2, i2_and),
    OP2N("|", I2, I2, I2, i2_or),
    OP2N("#", I2, I2, I2, i2_xor),
    OP2N("<<", I2, I4, I2, i2_shl),
    OP2N(">>", I2, I4, I2, i2_shr),
    OP1N("~", I2, I2, i2_not),
    OP2N("&", I4, I4, I4, i4_and),
    OP2N("|", I4, I4, I4, i4_or),
    OP2N("#", I4, I4, I4, i4_xor),
    OP2N("<<", I4, I4, I4, i4_shl),
    OP2N(">>", I4, I4, I4, i4_shr),
    OP1N("~", I4, I4, i4_not),
    OP2N("&", I8, I8, I8, i8_and),
    OP2N("|", I8, I8, I8, i8_or),
    OP2N("#", I8, I8, I8, i8_xor),
    OP2N("<<", I8, I4, I8, i8_shl),
    OP2N(">>", I8, I4, I8, i8_shr),
    OP1N("~", I8, I8, i8_not),
    U8N("abs", f8_abs),
    {.name = "abs", .kind = FUNC_SCALAR, .n_args = 1, .args = {TYPE_FLOAT}, .ret = TYPE_FLOAT,
     .flags = FUNC_STRICT | FUNC_NO_ERRORS, .scalar = f4_abs},
    {.name = "abs", .kind = FUNC_SCALAR, .n_args = 1, .args = {I2}, .ret = I2, .flags = FUNC_STRICT,
     .scalar = i2_abs},
    {.name = "abs", .kind = FUNC_SCALAR, .n_args = 1, .args = {I4}, .ret = I4, .flags = FUNC_STRICT,
     .scalar = i4_abs},
    {.name = "abs", .kind = FUNC_SCALAR, .n_args = 1, .args = {I8}, .ret = I8, .flags = FUNC_STRICT,
     .scalar = i8_abs},
    UD("abs", dec_abs, bind_same),
    U8N("ceil", f8_ceil),
    U8N("ceiling", f8_ceil),
    UD("ceil", dec_ceil, bind_scale0),
    UD("ceiling", dec_ceil, bind_scale0),
    U8N("floor", f8_floor),
    UD("floor", dec_floor, bind_scale0),
    U8N("round", f8_round),
    UD("round", dec_round, bind_scale0),
    B2("round", DEC, I4, DEC, dec_round, bind_round_digits),
    U8N("trunc", f8_trunc),
    UD("trunc", dec_trunc, bind_scale0),
    B2("trunc", DEC, I4, DEC, dec_trunc, bind_round_digits),
    U8N("sign", f8_sign),
    UD("sign", dec_sign, bind_sign),
    U8("sqrt", f8_sqrt),
    UD("sqrt", dec_sqrt_k, bind_sqrt),
    U8("cbrt", f8_cbrt),
    U8("exp", f8_exp),
    UD("exp", dec_exp, bind_exp),
    U8("ln", f8_ln),
    UD("ln", dec_ln, bind_ln),
    U8("log", f8_log10),
    UD("log", dec_log10, bind_log),
    U8("log10", f8_log10),
    UD("log10", dec_log10, bind_log),
    B2("log", DEC, DEC, DEC, dec_log, bind_log),
    B2("power", F8, F8, F8, f8_pow, NULL),
    B2("pow", F8, F8, F8, f8_pow, NULL),
    B2("power", DEC, DEC, DEC, dec_power, bind_power),
    B2("pow", DEC, DEC, DEC, dec_power, bind_power),
    B2("mod", I2, I2, I2, i2_mod, NULL),
    B2("mod", I4, I4, I4, i4_mod, NULL),
    B2("mod", I8, I8, I8, i8_mod, NULL),
    B2("mod", DEC, DEC, DEC, dec_mod, bind_max_scale),
    B2("div", DEC, DEC, DEC, dec_div, bind_div),
    B2("gcd", I4, I4, I4, i4_gcd, NULL),
    B2("gcd", I8, I8, I8, i8_gcd, NULL),
    B2("gcd", DEC, DEC, DEC, dec_gcd, bind_max_scale),
    B2("lcm", I4, I4, I4, i4_lcm, NULL),
    B2("lcm", I8, I8, I8, i8_lcm, NULL),
    B2("lcm", DEC, DEC, DEC, dec_lcm, bind_lcm),
    {.name = "factorial", .kind = FUNC_SCALAR, .n_args = 1, .args = {I8}, .ret = DEC,
     .flags = FUNC_STRICT, .scalar = i8_factorial, .bind = bind_factorial},
    {.name = "scale", .kind = FUNC_SCALAR, .n_args = 1, .args = {DEC}, .ret = I4,
     .flags = FUNC_STRICT | FUNC_NO_ERRORS, .scalar = dec_scale},
    {.name = "min_scale", .kind = FUNC_SCALAR, .n_args = 1, .args = {DEC}, .ret = I4,
     .flags = FUNC_STRICT | FUNC_NO_ERRORS, .scalar = dec_min_scale},
    {.name = "pi", .kind = FUNC_SCALAR, .n_args = 0, .ret = F8, .flags = FUNC_NO_ERRORS,
     .scalar = f8_pi},
    U8("degrees", f8_degrees),
    U8("radians", f8_radians),
    U8("sin", f8_sin),
    U8("cos", f8_cos),
    U8("tan", f8_tan),
    U8("cot", f8_cot),
    U8("asin", f8_asin),
    U8("acos", f8_acos),
    U8N("atan", f8_atan),
    B2("atan2", F8, F8, F8, f8_atan2, NULL),
    U8("sind", f8_sind),
    U8("cosd", f8_cosd),
    U8("tand", f8_tand),
    U8("cotd", f8_cotd),
    U8("asind", f8_asind),
    U8("acosd", f8_acosd),
    U8N("atand", f8_atand),
    B2("atan2d", F8, F8, F8, f8_atan2d, NULL),
    U8N("sinh", f8_sinh),
    U8("cosh", f8_cosh),
    U8("tanh", f8_tanh),
    U8N("asinh", f8_asinh),
    U8("acosh", f8_acosh),
    U8("atanh", f8_atanh),
    {.name = "width_bucket", .kind = FUNC_SCALAR, .n_args = 4, .args = {F8, F8, F8, I4}, .ret = I4,
     .flags = FUNC_STRICT | FUNC_CONST_ARGS, .scalar = f8_width_bucket},
    {.name = "width_bucket", .kind = FUNC_SCALAR, .n_args = 4, .args = {DEC, DEC, DEC, I4},
     .ret = I4, .flags = FUNC_STRICT | FUNC_CONST_ARGS, .scalar = dec_width_bucket},
    {.name = "random", .kind = FUNC_SCALAR, .n_args = 0, .ret = F8,
     .flags = FUNC_VOLATILE | FUNC_NO_ERRORS, .scalar = f8_random,
     .doc = "random value in [0, 1) (per-thread generator)"},
    {.name = "setseed", .kind = FUNC_SCALAR, .n_args = 1, .args = {F8}, .ret = TYPE_NULL,
     .flags = FUNC_STRICT | FUNC_VOLATILE, .scalar = f8_setseed,
     .doc = "seeds random() of this thread; returns void (NULL)"},
    {.name = "greatest", .kind = FUNC_SCALAR, .n_args = 1, .args = {FUNC_T_ANYELEMENT},
     .ret = FUNC_T_ANYELEMENT, .flags = FUNC_VARIADIC | FUNC_CONST_ARGS,
     .scalar = k_greatest, .bind = bind_extreme, .doc = "largest non-NULL argument"},
    {.name = "least", .kind = FUNC_SCALAR, .n_args = 1, .args = {FUNC_T_ANYELEMENT},
     .ret = FUNC_T_ANYELEMENT, .flags = FUNC_VARIADIC | FUNC_CONST_ARGS,
     .scalar = k_least, .bind = bind_extreme, .doc = "smallest non-NULL argument"},
    {0},
};
