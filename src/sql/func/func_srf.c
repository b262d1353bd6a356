/*
 * func_srf.c - set-returning functions callable in the select list
 * (FUNC_SRF, see func.h): generate_series over integers and timestamps.
 *
 * As PostgreSQL: the series includes stop, is empty when the step goes the
 * wrong way or an argument is NULL, and a zero step is an error (22023).
 * Timestamps step by adding the interval again and again with the +
 * operator's rules (month steps clamp to the month's end and stay there:
 * Jan 31, Feb 29, Mar 29; timestamptz days follow the session time zone);
 * fixed steps are computed directly.  The FROM form is
 * exec/op_scan_series.c.
 */
#include "sql/func/func_lib.h"

static int64_t int_at(const Vector *v, uint32_t i)
{
    uint32_t k = FUNC_IDX(v, i);
    return v->type->id == TYPE_INT32 ? ((const int32_t *)v->data)[k] : ((const int64_t *)v->data)[k];
}

static bool row_null(Vector **args, uint32_t n_args, uint32_t i)
{
    for (uint32_t a = 0; a < n_args; a++)
        if (!vec_is_valid(args[a], FUNC_IDX(args[a], i)))
            return true;
    return false;
}

static int step_zero(TarnError *err)
{
    return err_set_state(err, TARN_ERR_INVALID, "22023", "step size cannot equal zero");
}

/* ---- integers ---- */

static int series_int_count(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, int64_t *counts,
                            TarnError *err)
{
    (void)ctx;
    for (uint32_t i = 0; i < n_rows; i++) {
        counts[i] = 0;
        if (row_null(args, n_args, i))
            continue;
        __int128 start = int_at(args[0], i), stop = int_at(args[1], i), step = n_args > 2 ? int_at(args[2], i) : 1;
        if (step == 0)
            return step_zero(err);
        if (step > 0 ? start > stop : start < stop)
            continue;
        __int128 c = (stop - start) / step + 1;
        counts[i] = c > INT64_MAX ? INT64_MAX : (int64_t)c;
    }
    return 0;
}

static int series_int_fill(FuncCtx *ctx, Vector **args, uint32_t n_args, const uint32_t *rows, const int64_t *idx,
                           uint32_t n, Vector *out, TarnError *err)
{
    (void)ctx;
    (void)err;
    bool i32 = out->type->id == TYPE_INT32;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = rows[k];
        __int128 step = n_args > 2 ? int_at(args[2], r) : 1;
        int64_t v = (int64_t)(int_at(args[0], r) + (__int128)idx[k] * step);
        if (i32)
            ((int32_t *)out->data)[k] = (int32_t)v;
        else
            ((int64_t *)out->data)[k] = v;
    }
    out->len = n;
    return 0;
}

/* ---- timestamps ---- */

static Interval iv_at(const Vector *v, uint32_t i) { return ((const Interval *)v->data)[FUNC_IDX(v, i)]; }
static int64_t ts_at(const Vector *v, uint32_t i) { return ((const int64_t *)v->data)[FUNC_IDX(v, i)]; }

/* PostgreSQL compares intervals by their span with 30-day months */
static int iv_sign(Interval iv)
{
    __int128 span = ((__int128)iv.months * 30 + iv.days) * 86400000000LL + iv.micros;
    return span > 0 ? 1 : span < 0 ? -1 : 0;
}

/* cur + step: timestamp, or timestamptz in the session zone (a day across
 * a DST change is 23 or 25 hours, as PostgreSQL's + operator) */
static bool ts_next(const FuncCtx *ctx, const FlTz *tz, int64_t cur, Interval st, int64_t *out)
{
    return ctx->ret->id == TYPE_TIMESTAMPTZ ? tstz_add_interval(tz, cur, st, 1, out)
                                            : ts_add_interval(cur, st, 1, out);
}

/* The step is a fixed number of microseconds (no months; no days in a
 * zone): value k is start + k * step. */
static bool fixed_step(const FuncCtx *ctx, Interval st)
{
    return !st.months && (ctx->ret->id != TYPE_TIMESTAMPTZ || !st.days);
}

static int ts_range_err(TarnError *err)
{
    return err_set_state(err, TARN_ERR_INVALID, "22008", "timestamp out of range");
}

static int series_ts_count(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, int64_t *counts,
                           TarnError *err)
{
    const FlTz *tz = ctx->ret->id == TYPE_TIMESTAMPTZ ? fl_tz_session(ctx->settings) : NULL;
    for (uint32_t i = 0; i < n_rows; i++) {
        counts[i] = 0;
        if (row_null(args, n_args, i))
            continue;
        int64_t start = ts_at(args[0], i), stop = ts_at(args[1], i);
        Interval st = iv_at(args[2], i);
        int sg = iv_sign(st);
        if (sg == 0)
            return step_zero(err);
        if (sg > 0 ? start > stop : start < stop)
            continue;
        __int128 us = (__int128)st.days * 86400000000LL + st.micros;
        if (fixed_step(ctx, st) && us != 0 && (us > 0) == (sg > 0)) {
            counts[i] = (int64_t)(((__int128)stop - start) / us + 1);
            continue;
        }
        /* months / days in a zone: step by adding, as PostgreSQL */
        int64_t c = 0, cur = start;
        while (sg > 0 ? cur <= stop : cur >= stop) {
            c++;
            int64_t nx;
            if (!ts_next(ctx, tz, cur, st, &nx))
                return ts_range_err(err);
            if (sg > 0 ? nx <= cur : nx >= cur)
                break; /* a step like '1 month -29 days' that goes backwards in February */
            cur = nx;
        }
        counts[i] = c;
    }
    return 0;
}

static int series_ts_fill(FuncCtx *ctx, Vector **args, uint32_t n_args, const uint32_t *rows, const int64_t *idx,
                          uint32_t n, Vector *out, TarnError *err)
{
    (void)n_args;
    const FlTz *tz = ctx->ret->id == TYPE_TIMESTAMPTZ ? fl_tz_session(ctx->settings) : NULL;
    int64_t *o = (int64_t *)out->data;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = rows[k];
        Interval st = iv_at(args[2], r);
        int64_t start = ts_at(args[0], r);
        if (fixed_step(ctx, st)) {
            o[k] = start + idx[k] * ((int64_t)st.days * 86400000000LL + st.micros);
        } else if (k > 0 && rows[k - 1] == r && idx[k - 1] + 1 == idx[k]) {
            if (!ts_next(ctx, tz, o[k - 1], st, &o[k]))
                return ts_range_err(err);
        } else {
            int64_t cur = start;
            for (int64_t j = 0; j < idx[k]; j++)
                if (!ts_next(ctx, tz, cur, st, &cur))
                    return ts_range_err(err);
            o[k] = cur;
        }
    }
    out->len = n;
    return 0;
}

#define SERIES_INT(t, n_, ...)                                                                            \
    {.name = "generate_series", .kind = FUNC_SRF, .n_args = n_, .args = {__VA_ARGS__}, .ret = t,           \
     .flags = FUNC_STRICT | FUNC_CONST_ARGS, .srf_count = series_int_count, .srf_fill = series_int_fill,   \
     .doc = "the integers from start to stop by step (a set)"}
#define SERIES_TS(t)                                                                                      \
    {.name = "generate_series", .kind = FUNC_SRF, .n_args = 3, .args = {t, t, TYPE_INTERVAL}, .ret = t,    \
     .flags = FUNC_STRICT | FUNC_CONST_ARGS | FUNC_STABLE, .srf_count = series_ts_count,                   \
     .srf_fill = series_ts_fill, .doc = "the timestamps from start to stop by step (a set)"}

const FuncDef func_defs_srf[] = {
    SERIES_INT(TYPE_INT32, 2, TYPE_INT32, TYPE_INT32),
    SERIES_INT(TYPE_INT32, 3, TYPE_INT32, TYPE_INT32, TYPE_INT32),
    SERIES_INT(TYPE_INT64, 2, TYPE_INT64, TYPE_INT64),
    SERIES_INT(TYPE_INT64, 3, TYPE_INT64, TYPE_INT64, TYPE_INT64),
    SERIES_TS(TYPE_TIMESTAMP),
    SERIES_TS(TYPE_TIMESTAMPTZ),
    {0},
};
