/*
 * bench_parquet.c - tarn's half of the Parquet benchmark (bench/run.sh runs
 * it interleaved with DuckDB doing the same work).
 *
 *   bench_parquet gen ROWS OUT.parquet
 *       Writes ROWS lineitem-like rows (src/demo/datagen.h, seed 42),
 *       uncompressed: the source file both tools start from.
 *   bench_parquet write SRC.parquet DST.parquet CODEC
 *       Reads SRC with pq_reader and writes every row to DST with pq_writer
 *       (default options, the given codec): "read the source + write".
 *   bench_parquet scan FILE.parquet
 *       Reads every column of FILE and computes the minimum of each.
 *
 * Each prints "seconds S" (wall time of the work, timed inside the process:
 * opening the files included, process start-up excluded - the same rule
 * bench/duckdb.mjs follows) and, for scan, "min COLUMN VALUE" lines that
 * run.sh compares with DuckDB's answers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo/datagen.h"
#include "format/parquet/compress.h"
#include "format/parquet/reader.h"
#include "format/parquet/writer.h"
#include "util/datetime.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const TarnError *err)
{
    fprintf(stderr, "bench_parquet: %s%s%s\n", err->message, err->context[0] ? " | " : "",
            err->context);
    return 1;
}

static int cmd_gen(int64_t rows, const char *out)
{
    TarnError err;
    err_clear(&err);
    Schema s;
    schema_init(&s);
    Batch b;
    if (datagen_lineitem_schema(&s) || batch_init(&b, &s)) {
        fprintf(stderr, "bench_parquet: out of memory\n");
        return 1;
    }
    double t0 = now_s();
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.codec = PQ_CODEC_UNCOMPRESSED;
    PqWriter *w = pq_writer_open(out, &s, &o, &err);
    if (!w)
        return fail(&err);
    DatagenState g;
    datagen_init(&g, 42, datagen_scale_for_rows(rows));
    for (int64_t done = 0; done < rows;) {
        uint32_t n = rows - done < VEC_BATCH_ROWS ? (uint32_t)(rows - done) : VEC_BATCH_ROWS;
        if (datagen_lineitem_next(&g, &b, n, &err) || pq_writer_write(w, &b, &err)) {
            pq_writer_abort(w);
            return fail(&err);
        }
        done += n;
    }
    if (pq_writer_close(w, &err))
        return fail(&err);
    printf("seconds %.6f\n", now_s() - t0);
    batch_destroy(&b);
    schema_destroy(&s);
    return 0;
}

static int cmd_write(const char *src, const char *dst, const char *codec_name)
{
    TarnError err;
    err_clear(&err);
    PqCodec codec;
    if (pq_codec_parse(codec_name, &codec, &err))
        return fail(&err);
    double t0 = now_s();
    PqReadOptions ro;
    pq_read_options_default(&ro);
    PqReader *r = pq_reader_open(src, &ro, &err);
    if (!r)
        return fail(&err);
    const Schema *s = pq_reader_schema(r);
    PqWriteOptions wo;
    pq_write_options_default(&wo);
    wo.codec = codec;
    PqWriter *w = pq_writer_open(dst, s, &wo, &err);
    if (!w) {
        pq_reader_close(r);
        return fail(&err);
    }
    Batch b;
    if (batch_init(&b, s)) {
        fprintf(stderr, "bench_parquet: out of memory\n");
        return 1;
    }
    for (;;) {
        if (pq_reader_next(r, &b, &err)) {
            pq_writer_abort(w);
            return fail(&err);
        }
        if (b.n_rows == 0)
            break;
        if (pq_writer_write(w, &b, &err)) {
            pq_writer_abort(w);
            return fail(&err);
        }
    }
    if (pq_writer_close(w, &err))
        return fail(&err);
    pq_reader_close(r);
    printf("seconds %.6f\n", now_s() - t0);
    batch_destroy(&b);
    return 0;
}

/* Running minimum of one flat column. */
typedef struct ColMin {
    bool any;
    int64_t i;     /* integers, dates, decimal64 (unscaled) */
    double d;
    char *s;       /* strings: owned copy */
    uint32_t s_len;
} ColMin;

/* Tight per-type loops (the type switch is outside the loop, validity is
 * only consulted when the vector has a bitmap), as a vectorized engine's
 * min() aggregate would run them. */
#define MIN_LOOP(T, field)                                                    \
    do {                                                                      \
        const T *x = VEC_DATA(v, T);                                          \
        int64_t best = m->any ? m->field : 0;                                 \
        bool any = m->any;                                                    \
        if (!v->validity) {                                                   \
            if (n && !any) {                                                  \
                best = x[0];                                                  \
                any = true;                                                   \
            }                                                                 \
            for (uint32_t i = 0; i < n; i++)                                  \
                best = x[i] < best ? x[i] : best;                             \
        } else {                                                              \
            for (uint32_t i = 0; i < n; i++) {                                \
                if (!vec_is_valid(v, i))                                      \
                    continue;                                                 \
                if (!any || x[i] < best) {                                    \
                    best = x[i];                                              \
                    any = true;                                               \
                }                                                             \
            }                                                                 \
        }                                                                     \
        m->field = best;                                                      \
        m->any = any;                                                         \
    } while (0)

static void min_update(ColMin *m, const Vector *v, uint32_t n)
{
    const LogicalType *t = v->type;
    switch (t->id) {
    case TYPE_INT32:
    case TYPE_DATE:
        MIN_LOOP(int32_t, i);
        return;
    case TYPE_INT64:
    case TYPE_DECIMAL:
        if (t->id == TYPE_DECIMAL && t->precision > DECIMAL64_MAX_PRECISION)
            return; /* not in the lineitem schema */
        MIN_LOOP(int64_t, i);
        return;
    case TYPE_DOUBLE: {
        const double *x = VEC_DATA(v, double);
        for (uint32_t i = 0; i < n; i++) {
            if (!vec_is_valid(v, i))
                continue;
            if (!m->any || x[i] < m->d) {
                m->d = x[i];
                m->any = true;
            }
        }
        return;
    }
    case TYPE_STRING: {
        /* Find the batch minimum by pointer first; copy it once. */
        const StrView *x = VEC_DATA(v, StrView);
        const StrView *best = NULL;
        for (uint32_t i = 0; i < n; i++) {
            if (v->validity && !vec_is_valid(v, i))
                continue;
            if (!best) {
                best = &x[i];
                continue;
            }
            /* First-byte test settles most comparisons without memcmp. */
            if (x[i].len && best->len && (uint8_t)x[i].ptr[0] != (uint8_t)best->ptr[0]) {
                if ((uint8_t)x[i].ptr[0] < (uint8_t)best->ptr[0])
                    best = &x[i];
                continue;
            }
            uint32_t l = x[i].len < best->len ? x[i].len : best->len;
            int c = memcmp(x[i].ptr, best->ptr, l);
            if (c < 0 || (c == 0 && x[i].len < best->len))
                best = &x[i];
        }
        if (!best)
            return;
        if (m->any) {
            uint32_t l = best->len < m->s_len ? best->len : m->s_len;
            int c = memcmp(best->ptr, m->s, l);
            if (!(c < 0 || (c == 0 && best->len < m->s_len)))
                return;
        }
        char *p = realloc(m->s, best->len + 1);
        if (!p)
            return;
        memcpy(p, best->ptr, best->len);
        p[best->len] = '\0';
        m->s = p;
        m->s_len = best->len;
        m->any = true;
        return;
    }
    default:
        return;
    }
}

static void min_print(const char *name, const LogicalType *t, const ColMin *m)
{
    if (!m->any) {
        printf("min %s NULL\n", name);
        return;
    }
    switch (t->id) {
    case TYPE_DATE: {
        int64_t y;
        int mo, d;
        dt_civil_from_days(m->i, &y, &mo, &d);
        printf("min %s %04d-%02d-%02d\n", name, (int)y, mo, d);
        break;
    }
    case TYPE_DECIMAL: {
        int64_t p = 1;
        for (int k = 0; k < t->scale; k++)
            p *= 10;
        int64_t a = m->i < 0 ? -m->i : m->i;
        if (t->scale)
            printf("min %s %s%" PRId64 ".%0*" PRId64 "\n", name, m->i < 0 ? "-" : "", a / p,
                   (int)t->scale, a % p);
        else
            printf("min %s %" PRId64 "\n", name, m->i);
        break;
    }
    case TYPE_DOUBLE: printf("min %s %.17g\n", name, m->d); break;
    case TYPE_STRING: printf("min %s %s\n", name, m->s); break;
    default: printf("min %s %" PRId64 "\n", name, m->i); break;
    }
}

static int cmd_scan(const char *path)
{
    TarnError err;
    err_clear(&err);
    double t0 = now_s();
    PqReadOptions ro;
    pq_read_options_default(&ro);
    PqReader *r = pq_reader_open(path, &ro, &err);
    if (!r)
        return fail(&err);
    const Schema *s = pq_reader_schema(r);
    Batch b;
    ColMin *mins = calloc(s->n_fields ? s->n_fields : 1, sizeof *mins);
    if (!mins || batch_init(&b, s)) {
        fprintf(stderr, "bench_parquet: out of memory\n");
        return 1;
    }
    int64_t rows = 0;
    for (;;) {
        if (pq_reader_next(r, &b, &err))
            return fail(&err);
        if (b.n_rows == 0)
            break;
        rows += b.n_rows;
        for (uint32_t c = 0; c < b.n_cols; c++)
            min_update(&mins[c], &b.cols[c], b.n_rows);
    }
    double dt = now_s() - t0;
    printf("seconds %.6f\nrows %" PRId64 "\n", dt, rows);
    for (uint32_t c = 0; c < s->n_fields; c++) {
        min_print(s->fields[c].name, &s->fields[c].type, &mins[c]);
        free(mins[c].s);
    }
    free(mins);
    batch_destroy(&b);
    pq_reader_close(r);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "gen"))
        return cmd_gen(strtoll(argv[2], NULL, 10), argv[3]);
    if (argc == 5 && !strcmp(argv[1], "write"))
        return cmd_write(argv[2], argv[3], argv[4]);
    if (argc == 3 && !strcmp(argv[1], "scan"))
        return cmd_scan(argv[2]);
    fprintf(stderr, "usage: bench_parquet gen ROWS OUT | write SRC DST CODEC | scan FILE\n");
    return 2;
}
