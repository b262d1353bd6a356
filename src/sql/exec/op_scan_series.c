/*
 * op_scan_series.c - generate_series(start, stop[, step]) over integers
 * and timestamps (with an interval step), as PostgreSQL: inclusive of
 * stop, empty when the step goes the wrong way, step 0 is an error.
 */
#include <string.h>

#include "sql/exec/ops.h"
#include "sql/func/func_lib.h"

typedef struct ScanSeries {
    PhysOp op;
    ScanSpec spec;
    TypeId type;
    int64_t start, stop, step;  /* integers */
    Interval istep;             /* timestamps */
} ScanSeries;

typedef struct Local {
    int64_t cur;
    bool done;
    Batch batch;
    Schema schema;
    ScanOut so;
} Local;

/* timestamp + interval (months, days, micros), like the + operator */
static int64_t ts_step(int64_t ts, Interval iv)
{
    if (iv.months) {
        int64_t days = ts >= 0 ? ts / 86400000000LL : -((-ts + 86400000000LL - 1) / 86400000000LL);
        int64_t tod = ts - days * 86400000000LL;
        /* civil arithmetic through the cast helpers would be a detour; do it here */
        int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
        int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
        int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
        y += m <= 2;
        int64_t mm = m - 1 + iv.months;
        y += mm >= 0 ? mm / 12 : -((-mm + 11) / 12);
        mm = ((mm % 12) + 12) % 12;
        m = mm + 1;
        static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int64_t lim = dim[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
        if (d > lim)
            d = lim;
        y -= m <= 2;
        era = (y >= 0 ? y : y - 399) / 400;
        yoe = y - era * 400;
        doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        days = era * 146097 + doe - 719468;
        ts = days * 86400000000LL + tod;
    }
    return ts + (int64_t)iv.days * 86400000000LL + iv.micros;
}

/* timestamptz + interval as the + operator (timestamptz_pl_interval):
 * months, then days, each added to the local time in the session zone,
 * then the micros to the instant */
static int64_t tstz_step(const FlTz *tz, int64_t ts, Interval iv)
{
    if (iv.months) {
        Interval m = {0};
        m.months = iv.months;
        ts = fl_tz_to_utc(tz, ts_step(fl_tz_to_local(tz, ts, NULL), m));
    }
    if (iv.days) {
        Interval d = {0};
        d.days = iv.days;
        ts = fl_tz_to_utc(tz, ts_step(fl_tz_to_local(tz, ts, NULL), d));
    }
    return ts + iv.micros;
}

static int src_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    ScanSeries *s = (ScanSeries *)op;
    Local *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    l->cur = s->start;
    l->schema = *s->spec.get->u.get.schema;
    if (batch_init(&l->batch, &l->schema)) {
        tarn_free(l);
        return ERR_NOMEM(err, 0);
    }
    int rc = scan_out_init(&l->so, &s->spec, x, NULL, err);
    if (rc) {
        batch_destroy(&l->batch);
        tarn_free(l);
        return rc;
    }
    if (s->type != TYPE_TIMESTAMP && s->type != TYPE_TIMESTAMPTZ && s->step == 0) {
        scan_out_free(&l->so);
        batch_destroy(&l->batch);
        tarn_free(l);
        return err_set_state(err, TARN_ERR_INVALID, "22023", "step size cannot equal zero");
    }
    if ((s->type == TYPE_TIMESTAMP || s->type == TYPE_TIMESTAMPTZ) && !s->istep.months && !s->istep.days &&
        !s->istep.micros) {
        scan_out_free(&l->so);
        batch_destroy(&l->batch);
        tarn_free(l);
        return err_set_state(err, TARN_ERR_INVALID, "22023", "step size cannot equal zero");
    }
    *local = l;
    return 0;
}

static int src_next(PhysOp *op, ExecCtx *x, void *local, Chunk *out, TarnError *err)
{
    ScanSeries *s = (ScanSeries *)op;
    Local *l = local;
    const FlTz *tz = s->type == TYPE_TIMESTAMPTZ && (s->istep.months || s->istep.days) ? fl_tz_session(x->settings) : NULL;
    for (;;) {
        out->n_rows = 0;
        if (l->done)
            return 0;
        batch_reset(&l->batch);
        Vector *v = &l->batch.cols[0];
        if (vec_reserve(v, VEC_BATCH_ROWS))
            return ERR_NOMEM(err, 0);
        uint32_t n = 0;
        bool ts = s->type == TYPE_TIMESTAMP || s->type == TYPE_TIMESTAMPTZ;
        bool fwd = ts ? (s->istep.months > 0 || s->istep.days > 0 || s->istep.micros > 0) : s->step > 0;
        while (n < VEC_BATCH_ROWS) {
            if (fwd ? l->cur > s->stop : l->cur < s->stop) {
                l->done = true;
                break;
            }
            if (s->type == TYPE_INT32)
                ((int32_t *)v->data)[n] = (int32_t)l->cur;
            else
                ((int64_t *)v->data)[n] = l->cur;
            n++;
            int64_t nx;
            if (ts) {
                nx = tz ? tstz_step(tz, l->cur, s->istep) : ts_step(l->cur, s->istep);
            } else if (__builtin_add_overflow(l->cur, s->step, &nx)) {
                l->done = true;
                break;
            }
            l->cur = nx;
        }
        v->len = n;
        l->batch.n_rows = n;
        if (n == 0)
            return 0;
        int rc = scan_out_emit(&l->so, &l->batch, out, err);
        if (rc || out->n_rows)
            return rc;
    }
}

static void src_local_free(PhysOp *op, void *local)
{
    (void)op;
    Local *l = local;
    scan_out_free(&l->so);
    batch_destroy(&l->batch);
    tarn_free(l);
}

static const PhysOpVT vt = {
    .name = "Function Scan generate_series",
    .src_local_init = src_local_init,
    .src_next = src_next,
    .src_local_free = src_local_free,
};

PhysOp *op_scan_series_new(Arena *a, const ScanSpec *spec, TarnError *err)
{
    ScanSeries *s = arena_calloc(a, sizeof *s);
    LogicalType *types = arena_alloc(a, (spec->n_out ? spec->n_out : 1) * sizeof(LogicalType));
    if (!s || !types) {
        ERR_NOMEM(err, sizeof *s);
        return NULL;
    }
    s->spec = *spec;
    const LogicalOp *g = spec->get;
    Expr **args = g->u.get.series_args;
    s->type = g->u.get.schema->fields[0].type.id;
    for (int i = 0; i < 3; i++)
        if (args[i] && args[i]->u.cnst.is_null) {
            /* NULL argument: no rows */
            s->start = 1;
            s->stop = 0;
            s->step = 1;
            s->istep.micros = 1;
            goto done;
        }
    s->start = args[0]->u.cnst.v.i;
    s->stop = args[1]->u.cnst.v.i;
    s->step = 1;
    if (args[2]) {
        if (s->type == TYPE_TIMESTAMP || s->type == TYPE_TIMESTAMPTZ)
            s->istep = args[2]->u.cnst.v.iv;
        else
            s->step = args[2]->u.cnst.v.i;
    }
done:
    for (uint32_t i = 0; i < spec->n_out; i++)
        types[i] = g->u.get.schema->fields[0].type;
    physop_init(&s->op, &vt, ROLE_SOURCE, spec->n_out, types);
    s->op.est_rows = g->est_rows;
    return &s->op;
}
