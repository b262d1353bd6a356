/*
 * cmd_demo.c - `tarn demo`: the main job in one command.
 *
 *   tarn demo [--rows N] [--dir DIR] [--codec C] [--seed S]
 *
 * Generates N TPC-H-like lineitem rows (src/demo/datagen.h; default
 * 1,000,000), writes them to DIR/lineitem.parquet with the Parquet writer
 * (default DIR ./demo-out, codec snappy), reads the file back with the
 * Parquet reader, and prints: rows, file size, compression ratio, write and
 * read throughput, per-column sizes and encodings, a TPC-H Q1-shaped
 * aggregate computed from the read-back vectors, and a checksum proving
 * that every value read back equals the value written.  Exit status 1 when
 * the checksums differ.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
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

/* mkdir -p */
static int make_dirs(const char *path, TarnError *err)
{
    char buf[1024];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return err_set(err, TARN_ERR_INVALID, "bad directory name \"%s\"", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return err_set(err, TARN_ERR_IO, "could not create directory \"%s\": %s", buf,
                               strerror(errno));
            buf[i] = c;
        }
    }
    return 0;
}

/* 1234567 -> "1,234,567" */
static const char *commas(int64_t v, char *buf, size_t cap)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%" PRId64, v < 0 ? -v : v);
    size_t o = 0;
    if (v < 0 && o + 1 < cap)
        buf[o++] = '-';
    for (int i = 0; i < n && o + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = '\0';
    return buf;
}

/* An exact decimal: v / 10^scale, rounded half away from zero to `digits`
 * fractional digits. */
static const char *fmt_dec(int128_t v, int scale, int digits, char *buf, size_t cap)
{
    int neg = v < 0;
    if (neg)
        v = -v;
    if (scale > digits) { /* round once, half away from zero (rounding digit by digit would round twice) */
        int128_t d = 1;
        for (int i = digits; i < scale; i++)
            d *= 10;
        v = (v + d / 2) / d;
        scale = digits;
    }
    int128_t p = 1;
    for (int i = 0; i < scale; i++)
        p *= 10;
    int128_t ip = v / p, fp = v % p;
    char ibuf[48], fbuf[48];
    int n = 0;
    do {
        ibuf[n++] = (char)('0' + (int)(ip % 10));
        ip /= 10;
    } while (ip && n < 46);
    size_t o = 0;
    if (neg && o + 1 < cap)
        buf[o++] = '-';
    while (n && o + 1 < cap)
        buf[o++] = ibuf[--n];
    if (scale > 0) {
        for (int i = scale - 1; i >= 0; i--) {
            fbuf[i] = (char)('0' + (int)(fp % 10));
            fp /= 10;
        }
        if (o + 1 < cap)
            buf[o++] = '.';
        for (int i = 0; i < scale && o + 1 < cap; i++)
            buf[o++] = fbuf[i];
    }
    buf[o] = '\0';
    return buf;
}

static const char *fmt_date(int32_t days, char *buf, size_t cap)
{
    int64_t y;
    int m, d;
    dt_civil_from_days(days, &y, &m, &d);
    snprintf(buf, cap, "%04d-%02d-%02d", (int)y, m, d);
    return buf;
}

static const char *encoding_name(int e)
{
    switch (e) {
    case PQ_ENC_PLAIN: return "PLAIN";
    case PQ_ENC_PLAIN_DICTIONARY: return "PLAIN_DICTIONARY";
    case PQ_ENC_RLE: return "RLE";
    case PQ_ENC_BIT_PACKED: return "BIT_PACKED";
    case PQ_ENC_DELTA_BINARY_PACKED: return "DELTA_BINARY_PACKED";
    case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY: return "DELTA_LENGTH_BYTE_ARRAY";
    case PQ_ENC_DELTA_BYTE_ARRAY: return "DELTA_BYTE_ARRAY";
    case PQ_ENC_RLE_DICTIONARY: return "RLE_DICTIONARY";
    case PQ_ENC_BYTE_STREAM_SPLIT: return "BYTE_STREAM_SPLIT";
    default: return "?";
    }
}

/* ---- TPC-H Q1 over the read-back batches ------------------------------- */

typedef struct Q1Group {
    char flag, status;
    int64_t count;
    int128_t sum_qty;        /* scale 2 */
    int128_t sum_price;      /* scale 2 */
    int128_t sum_disc_price; /* scale 4 */
    int128_t sum_charge;     /* scale 6 */
    int128_t sum_disc;       /* scale 2 */
} Q1Group;

typedef struct Q1 {
    int n_groups;
    Q1Group g[16];
    int32_t cutoff; /* shipdate <= cutoff */
    int col[7];     /* returnflag, linestatus, quantity, extendedprice, discount, tax, shipdate */
} Q1;

static int q1_init(Q1 *q, const Schema *s, TarnError *err)
{
    static const char *names[7] = {"l_returnflag", "l_linestatus", "l_quantity",
                                   "l_extendedprice", "l_discount", "l_tax", "l_shipdate"};
    memset(q, 0, sizeof *q);
    q->cutoff = (int32_t)dt_days_from_civil(1998, 12, 1) - 90;
    for (int i = 0; i < 7; i++) {
        q->col[i] = schema_find(s, names[i]);
        if (q->col[i] < 0)
            return err_set(err, TARN_ERR_INTERNAL, "column \"%s\" missing from the file read back",
                           names[i]);
    }
    return 0;
}

static void q1_add(Q1 *q, const Batch *b)
{
    const StrView *flag = VEC_DATA(&b->cols[q->col[0]], StrView);
    const StrView *status = VEC_DATA(&b->cols[q->col[1]], StrView);
    const int64_t *qty = VEC_DATA(&b->cols[q->col[2]], int64_t);
    const int64_t *price = VEC_DATA(&b->cols[q->col[3]], int64_t);
    const int64_t *disc = VEC_DATA(&b->cols[q->col[4]], int64_t);
    const int64_t *tax = VEC_DATA(&b->cols[q->col[5]], int64_t);
    const int32_t *ship = VEC_DATA(&b->cols[q->col[6]], int32_t);
    for (uint32_t i = 0; i < b->n_rows; i++) {
        if (ship[i] > q->cutoff)
            continue;
        char f = flag[i].len ? flag[i].ptr[0] : ' ';
        char st = status[i].len ? status[i].ptr[0] : ' ';
        Q1Group *g = NULL;
        for (int k = 0; k < q->n_groups; k++)
            if (q->g[k].flag == f && q->g[k].status == st)
                g = &q->g[k];
        if (!g) {
            if (q->n_groups == 16)
                continue;
            g = &q->g[q->n_groups++];
            memset(g, 0, sizeof *g);
            g->flag = f;
            g->status = st;
        }
        int128_t dp = (int128_t)price[i] * (100 - disc[i]);
        g->count++;
        g->sum_qty += qty[i];
        g->sum_price += price[i];
        g->sum_disc_price += dp;
        g->sum_charge += dp * (100 + tax[i]);
        g->sum_disc += disc[i];
    }
}

static int cmp_group(const void *a, const void *b)
{
    const Q1Group *x = a, *y = b;
    if (x->flag != y->flag)
        return x->flag < y->flag ? -1 : 1;
    return (x->status > y->status) - (x->status < y->status);
}

static void q1_print(Q1 *q)
{
    char d[DT_TEXT_MAX];
    qsort(q->g, (size_t)q->n_groups, sizeof q->g[0], cmp_group);
    printf("\npricing summary, computed from the vectors read back (TPC-H Q1 shape:\n"
           "l_shipdate <= %s, grouped by l_returnflag, l_linestatus)\n\n",
           fmt_date(q->cutoff, d, sizeof d));
    printf(" flag | status |      sum_qty |   sum_base_price |   sum_disc_price |"
           "       sum_charge | avg_qty | avg_price | avg_disc |  count\n");
    printf("------+--------+--------------+------------------+------------------+"
           "------------------+---------+-----------+----------+--------\n");
    for (int k = 0; k < q->n_groups; k++) {
        Q1Group *g = &q->g[k];
        char a[64], b[64], c[64], e[64], f[64], h[64], i[64], j[32];
        int128_t n = g->count ? g->count : 1;
        /* averages: scale up by 100 before dividing to keep 2 more digits */
        printf("  %c   |   %c    | %12s | %16s | %16s | %16s | %7s | %9s | %8s | %6s\n", g->flag,
               g->status, fmt_dec(g->sum_qty, 2, 2, a, sizeof a),
               fmt_dec(g->sum_price, 2, 2, b, sizeof b),
               fmt_dec(g->sum_disc_price, 4, 2, c, sizeof c),
               fmt_dec(g->sum_charge, 6, 2, e, sizeof e),
               fmt_dec(g->sum_qty * 100 / n, 4, 2, f, sizeof f),
               fmt_dec(g->sum_price * 100 / n, 4, 2, h, sizeof h),
               fmt_dec(g->sum_disc * 100 / n, 4, 2, i, sizeof i), commas(g->count, j, sizeof j));
    }
}

/* ---- The command -------------------------------------------------------- */

int cmd_demo(int argc, char **argv)
{
    int64_t n_rows = 1000000;
    const char *dir = "demo-out";
    const char *codec_name = "snappy";
    uint64_t seed = 42;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (cli_opt(argc, argv, &i, "--rows", &v)) {
            char *end;
            long long x = strtoll(v, &end, 10);
            if (*end || x < 0)
                return cli_usage("demo", "--rows wants a number of rows, not \"%s\"", v);
            n_rows = x;
        } else if (cli_opt(argc, argv, &i, "--dir", &v)) {
            dir = v;
        } else if (cli_opt(argc, argv, &i, "--codec", &v)) {
            codec_name = v;
        } else if (cli_opt(argc, argv, &i, "--seed", &v)) {
            seed = strtoull(v, NULL, 10);
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: tarn demo [--rows N] [--dir DIR] [--codec C] [--seed S]\n\n"
                   "Generates N lineitem-like rows (default 1,000,000), writes DIR/lineitem.parquet\n"
                   "(default DIR ./demo-out, codec snappy), reads it back and prints a summary.\n");
            return 0;
        } else {
            return cli_usage("demo", "unknown argument \"%s\"", argv[i]);
        }
    }

    TarnError err;
    err_clear(&err);
    PqCodec codec;
    if (pq_codec_parse(codec_name, &codec, &err))
        return cli_report(&err);
    if (make_dirs(dir, &err))
        return cli_report(&err);
    char path[1200];
    snprintf(path, sizeof path, "%s/lineitem.parquet", dir);

    int rc = 1;
    Schema schema;
    schema_init(&schema);
    Batch batch;
    memset(&batch, 0, sizeof batch);
    Batch rbatch;
    memset(&rbatch, 0, sizeof rbatch);
    PqWriter *w = NULL;
    PqReader *r = NULL;
    char n1[32], n2[32];

    if (datagen_lineitem_schema(&schema) || batch_init(&batch, &schema)) {
        ERR_NOMEM(&err, sizeof batch);
        goto done;
    }

    printf("tarn demo: %s lineitem-like rows -> %s (%s)\n\n", commas(n_rows, n1, sizeof n1),
           path, pq_codec_name(codec));

    /* 1. Generate and write. */
    PqWriteOptions wo;
    pq_write_options_default(&wo);
    wo.codec = codec;
    w = pq_writer_open(path, &schema, &wo, &err);
    if (!w)
        goto done;
    DatagenState gen;
    datagen_init(&gen, seed, datagen_scale_for_rows(n_rows));
    DatagenChecksum wsum;
    datagen_checksum_init(&wsum);
    double t_gen = 0, t_write = 0;
    for (int64_t done_rows = 0; done_rows < n_rows;) {
        uint32_t n = (uint32_t)(n_rows - done_rows < VEC_BATCH_ROWS ? n_rows - done_rows
                                                                     : VEC_BATCH_ROWS);
        double t0 = now_s();
        if (datagen_lineitem_next(&gen, &batch, n, &err))
            goto done;
        double t1 = now_s();
        datagen_checksum_add(&wsum, &batch);
        double t2 = now_s();
        if (pq_writer_write(w, &batch, &err))
            goto done;
        double t3 = now_s();
        t_gen += t1 - t0;
        t_write += t3 - t2;
        done_rows += n;
    }
    double t0 = now_s();
    PqWriter *closing = w;
    w = NULL;
    if (pq_writer_close(closing, &err))
        goto done;
    t_write += now_s() - t0;

    struct stat st;
    if (stat(path, &st) != 0) {
        err_set(&err, TARN_ERR_IO, "could not stat \"%s\": %s", path, strerror(errno));
        goto done;
    }
    double raw_mb = (double)wsum.raw_bytes / 1e6;
    double file_mb = (double)st.st_size / 1e6;

    /* 2. Read back every column. */
    PqReadOptions ro;
    pq_read_options_default(&ro);
    double t_read = 0, t_r0 = now_s();
    r = pq_reader_open(path, &ro, &err);
    if (!r)
        goto done;
    const Schema *rs = pq_reader_schema(r);
    if (batch_init(&rbatch, rs)) {
        ERR_NOMEM(&err, sizeof rbatch);
        goto done;
    }
    t_read += now_s() - t_r0;
    Q1 q;
    if (q1_init(&q, rs, &err))
        goto done;
    DatagenChecksum rsum;
    datagen_checksum_init(&rsum);
    for (;;) {
        double a = now_s();
        if (pq_reader_next(r, &rbatch, &err))
            goto done;
        t_read += now_s() - a;
        if (rbatch.n_rows == 0)
            break;
        datagen_checksum_add(&rsum, &rbatch);
        q1_add(&q, &rbatch);
    }

    const PqFileMetaData *md = pq_reader_metadata(r);
    printf("  generate  %13s rows in %6.3f s  (%6.2f M rows/s)\n", commas(n_rows, n1, sizeof n1),
           t_gen, t_gen > 0 ? (double)n_rows / t_gen / 1e6 : 0);
    printf("  write     %13s rows in %6.3f s  (%6.2f M rows/s, %7.1f MB/s of values)\n",
           commas(n_rows, n1, sizeof n1), t_write,
           t_write > 0 ? (double)n_rows / t_write / 1e6 : 0, t_write > 0 ? raw_mb / t_write : 0);
    printf("  read      %13s rows in %6.3f s  (%6.2f M rows/s, %7.1f MB/s of values)\n",
           commas(rsum.rows, n2, sizeof n2), t_read,
           t_read > 0 ? (double)rsum.rows / t_read / 1e6 : 0, t_read > 0 ? raw_mb / t_read : 0);
    printf("  file      %13s bytes (%.1f MB) in %d row group(s); values %.1f MB: "
           "compression ratio %.2fx\n",
           commas((int64_t)st.st_size, n1, sizeof n1), file_mb, md->n_row_groups, raw_mb,
           file_mb > 0 ? raw_mb / file_mb : 0);

    /* Per-column sizes and encodings from the footer. */
    printf("\n  %-16s %12s %12s  %s\n", "column", "compressed", "uncompressed", "encodings");
    for (uint32_t c = 0; c < rs->n_fields; c++) {
        int64_t comp = 0, uncomp = 0;
        char enc[160] = "";
        for (int g = 0; g < md->n_row_groups; g++) {
            if ((int)c >= md->row_groups[g].n_columns)
                continue;
            const PqColumnChunk *cc = &md->row_groups[g].columns[c];
            if (!cc->has_meta_data)
                continue;
            comp += cc->meta_data.total_compressed_size;
            uncomp += cc->meta_data.total_uncompressed_size;
            if (g == 0) {
                for (int e = 0; e < cc->meta_data.n_encodings; e++) {
                    size_t l = strlen(enc);
                    snprintf(enc + l, sizeof enc - l, "%s%s", e ? " " : "",
                             encoding_name(cc->meta_data.encodings[e]));
                }
            }
        }
        printf("  %-16s %12s %12s  %s\n", rs->fields[c].name, commas(comp, n1, sizeof n1),
               commas(uncomp, n2, sizeof n2), enc);
    }

    q1_print(&q);

    uint64_t hw = datagen_checksum_value(&wsum), hr = datagen_checksum_value(&rsum);
    int same = hw == hr && wsum.rows == rsum.rows && rsum.n_cols == wsum.n_cols;
    printf("\n  check     written %s rows, checksum %016" PRIx64 "\n"
           "            read    %s rows, checksum %016" PRIx64 "  -> %s\n",
           commas(wsum.rows, n1, sizeof n1), hw, commas(rsum.rows, n2, sizeof n2), hr,
           same ? "identical: every value read back equals the value written"
                : "MISMATCH: the file does not read back as written");
    /* Name the binary as it can be run from here: the relative path when it
     * lies below the working directory (build/tarn), else its full path. */
    char exe[1024] = "tarn", cwd[1024];
    ssize_t n_exe = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n_exe > 0 ? n_exe : 4] = '\0';
    const char *shown = exe;
    if (getcwd(cwd, sizeof cwd)) {
        size_t lc = strlen(cwd);
        if (!strncmp(exe, cwd, lc) && exe[lc] == '/')
            shown = exe + lc + 1;
    }
    printf("\nThe file stays at %s; look inside with\n  %s parquet schema %s\n"
           "  %s parquet meta %s\n  %s parquet cat %s --limit 5\n",
           path, shown, path, shown, path, shown, path);
    rc = same ? 0 : 1;

done:
    if (w)
        pq_writer_abort(w);
    if (r)
        pq_reader_close(r);
    if (rbatch.cols)
        batch_destroy(&rbatch);
    if (batch.cols)
        batch_destroy(&batch);
    schema_destroy(&schema);
    if (err.kind)
        return cli_report(&err);
    return rc;
}
