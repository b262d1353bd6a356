/*
 * tpch_lake.c - the TPC-H tables into a lake as Delta tables (see
 * tpch_lake.h): file planning, the worker threads that generate and write
 * the Parquet files, per-file Delta statistics, and one commit per table.
 *
 * Why files are written here and not through delta_txn_write: a Delta
 * transaction belongs to one thread, and its staged add actions cannot be
 * handed to another transaction, so files written by several threads can
 * only reach one commit as raw adds (delta_txn_add_file).  The Delta
 * library computes add.stats only inside its own writer (not public), so
 * this file computes them itself for the flat column types the TPC-H
 * tables use, in the form src/table/delta/stats.c writes them (strings cut
 * to 32 characters, a cut maximum followed by U+10FFFF).
 */
#include "tpch/tpch_lake.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "storage/storage.h"
#include "table/delta/delta.h"
#include "tpch/tpch_text.h"
#include "util/datetime.h"
#include "vector/format.h"

#define DEFAULT_SCHEMA "tpch"
#define DEFAULT_BATCH_ROWS 8192
#define MAX_THREADS 256
#define STATS_STRING_PREFIX 32  /* = DELTA_STATS_STRING_PREFIX */
#define PROP_SCALE "tarn.tpch.scaleFactor"

/* Parquet (snappy) bytes per generator row, measured at SF 1 (LINEITEM:
 * per order, PARTSUPP: per part); they decide how many files a table is
 * cut into, and which files start first. */
static const double est_row_bytes[TPCH_N_TABLES] = {
    [TPCH_REGION] = 260,  [TPCH_NATION] = 110,   [TPCH_SUPPLIER] = 80, [TPCH_CUSTOMER] = 83,
    [TPCH_PART] = 32,     [TPCH_PARTSUPP] = 213, [TPCH_ORDERS] = 38,   [TPCH_LINEITEM] = 138,
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A random (version 4) UUID as 36 characters plus NUL. */
static void uuid_text(char *out)
{
    uint8_t u[16];
    if (getrandom(u, sizeof u, 0) != (ssize_t)sizeof u) {
        /* no entropy source: time and address still make names unique per run */
        uint64_t a = (uint64_t)wall_ms() ^ ((uint64_t)getpid() << 32);
        uint64_t b = (uint64_t)(uintptr_t)out ^ (uint64_t)clock();
        memcpy(u, &a, 8);
        memcpy(u + 8, &b, 8);
    }
    u[6] = (uint8_t)((u[6] & 0x0F) | 0x40);
    u[8] = (uint8_t)((u[8] & 0x3F) | 0x80);
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[u[i] >> 4];
        out[o++] = hex[u[i] & 15];
    }
    out[o] = '\0';
}

/* ---- Per-file statistics ------------------------------------------------------------- */

typedef struct ColStats {
    TypeId id;
    bool has;                   /* min/max seen */
    int64_t min, max;           /* integers, decimals (unscaled), dates */
    Buf smin, smax;             /* strings: owned copies */
} ColStats;

typedef struct FileStats {
    const Schema *schema;
    ColStats *cols;             /* schema->n_fields */
    int64_t rows;
} FileStats;

static int stats_init(FileStats *fs, const Schema *s)
{
    fs->schema = s;
    fs->rows = 0;
    fs->cols = tarn_calloc(s->n_fields + 1, sizeof(ColStats));
    if (!fs->cols)
        return TARN_ERR_NOMEM;
    for (uint32_t c = 0; c < s->n_fields; c++) {
        fs->cols[c].id = s->fields[c].type.id;
        buf_init(&fs->cols[c].smin);
        buf_init(&fs->cols[c].smax);
    }
    return 0;
}

static void stats_free(FileStats *fs)
{
    if (!fs->cols)
        return;
    for (uint32_t c = 0; c < fs->schema->n_fields; c++) {
        buf_free(&fs->cols[c].smin);
        buf_free(&fs->cols[c].smax);
    }
    tarn_free(fs->cols);
    fs->cols = NULL;
}

/* First 8 bytes, big-endian, zero-padded: orders like memcmp on ties broken below. */
static inline uint64_t prefix8(const StrView *v)
{
    uint64_t x = 0;
    if (v->len >= 8) {
        memcpy(&x, v->ptr, 8);
        return __builtin_bswap64(x);
    }
    for (uint32_t i = 0; i < v->len; i++)
        x |= (uint64_t)(uint8_t)v->ptr[i] << (56 - 8 * i);
    return x;
}

static inline int str_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t m = an < bn ? an : bn;
    int c = m ? memcmp(a, b, m) : 0;
    return c ? c : (an < bn ? -1 : an > bn);
}

static inline const char *buf_str(const Buf *b)
{
    return b->len ? (const char *)b->data : "";
}

static int stats_add(FileStats *fs, const Batch *b)
{
    uint32_t n = b->n_rows;
    fs->rows += n;
    if (n == 0)
        return 0;
    for (uint32_t c = 0; c < b->n_cols; c++) {
        ColStats *cs = &fs->cols[c];
        const Vector *v = &b->cols[c];
        switch (cs->id) {
        case TYPE_INT64: case TYPE_DECIMAL: {
            const int64_t *x = VEC_DATA(v, int64_t);
            int64_t mn = x[0], mx = x[0];
            for (uint32_t i = 1; i < n; i++) {
                mn = x[i] < mn ? x[i] : mn;
                mx = x[i] > mx ? x[i] : mx;
            }
            if (!cs->has || mn < cs->min)
                cs->min = mn;
            if (!cs->has || mx > cs->max)
                cs->max = mx;
            cs->has = true;
            break;
        }
        case TYPE_INT32: case TYPE_DATE: {
            const int32_t *x = VEC_DATA(v, int32_t);
            int32_t mn = x[0], mx = x[0];
            for (uint32_t i = 1; i < n; i++) {
                mn = x[i] < mn ? x[i] : mn;
                mx = x[i] > mx ? x[i] : mx;
            }
            if (!cs->has || mn < cs->min)
                cs->min = mn;
            if (!cs->has || mx > cs->max)
                cs->max = mx;
            cs->has = true;
            break;
        }
        case TYPE_STRING: {
            const StrView *x = VEC_DATA(v, StrView);
            uint32_t imn = 0, imx = 0;
            uint64_t pmn = prefix8(&x[0]), pmx = pmn;
            for (uint32_t i = 1; i < n; i++) {
                uint64_t p = prefix8(&x[i]);
                if (p < pmn || (p == pmn && str_cmp(x[i].ptr, x[i].len, x[imn].ptr, x[imn].len) < 0)) {
                    imn = i;
                    pmn = p;
                }
                if (p > pmx || (p == pmx && str_cmp(x[i].ptr, x[i].len, x[imx].ptr, x[imx].len) > 0)) {
                    imx = i;
                    pmx = p;
                }
            }
            const StrView *mn = &x[imn], *mx = &x[imx];
            if (!cs->has || str_cmp(mn->ptr, mn->len, buf_str(&cs->smin), cs->smin.len) < 0) {
                buf_clear(&cs->smin);
                if (mn->len && buf_append(&cs->smin, mn->ptr, mn->len))
                    return TARN_ERR_NOMEM;
            }
            if (!cs->has || str_cmp(mx->ptr, mx->len, buf_str(&cs->smax), cs->smax.len) > 0) {
                buf_clear(&cs->smax);
                if (mx->len && buf_append(&cs->smax, mx->ptr, mx->len))
                    return TARN_ERR_NOMEM;
            }
            cs->has = true;
            break;
        }
        default:
            break;
        }
    }
    return 0;
}

/* Byte length of the first `cp` code points of s[0..n). */
static size_t utf8_prefix(const char *s, size_t n, size_t cp)
{
    size_t c = 0, i = 0;
    for (; i < n; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (c == cp)
                break;
            c++;
        }
    }
    return i;
}

static int stats_value(Buf *o, const ColStats *cs, const Field *f, bool is_max)
{
    char tmp[64];
    switch (cs->id) {
    case TYPE_INT64: case TYPE_INT32:
        return buf_printf(o, "%" PRId64, is_max ? cs->max : cs->min);
    case TYPE_DECIMAL:
        value_format_decimal((int128_t)(is_max ? cs->max : cs->min), f->type.scale, tmp);
        return buf_printf(o, "%s", tmp);
    case TYPE_DATE:
        dt_format_date(is_max ? cs->max : cs->min, tmp);
        return buf_printf(o, "\"%s\"", tmp);
    case TYPE_STRING: {
        const Buf *s = is_max ? &cs->smax : &cs->smin;
        const char *p = buf_str(s);
        size_t cut = utf8_prefix(p, s->len, STATS_STRING_PREFIX);
        if (value_append_json_string(o, p, cut))
            return TARN_ERR_NOMEM;
        if (cut < s->len && is_max) {
            o->len--; /* a cut maximum stays an upper bound: U+10FFFF inside the string */
            return buf_printf(o, "\xF4\x8F\xBF\xBF\"");
        }
        return 0;
    }
    default:
        return buf_printf(o, "null");
    }
}

/* {"numRecords":N,"minValues":{..},"maxValues":{..},"nullCount":{..}} into out (NUL-terminated). */
static int stats_json(const FileStats *fs, Buf *out)
{
    const Schema *s = fs->schema;
    if (buf_printf(out, "{\"numRecords\":%" PRId64, fs->rows))
        return TARN_ERR_NOMEM;
    for (int what = 0; what < 3; what++) {
        static const char *const names[3] = {"minValues", "maxValues", "nullCount"};
        if (buf_printf(out, ",\"%s\":{", names[what]))
            return TARN_ERR_NOMEM;
        bool first = true;
        for (uint32_t c = 0; c < s->n_fields && c < DELTA_DEFAULT_INDEXED_COLS; c++) {
            const ColStats *cs = &fs->cols[c];
            if (what < 2 && !cs->has)
                continue;
            if ((!first && buf_append_byte(out, ',')) ||
                value_append_json_string(out, s->fields[c].name, strlen(s->fields[c].name)) ||
                buf_append_byte(out, ':'))
                return TARN_ERR_NOMEM;
            first = false;
            int rc = what == 2 ? buf_printf(out, "0") : stats_value(out, cs, &s->fields[c], what == 1);
            if (rc)
                return TARN_ERR_NOMEM;
        }
        if (buf_append_byte(out, '}'))
            return TARN_ERR_NOMEM;
    }
    if (buf_append_byte(out, '}') || buf_terminate(out))
        return TARN_ERR_NOMEM;
    return 0;
}

/* ---- Tasks ---------------------------------------------------------------------------- */

typedef struct FileTask {
    TpchTable table;
    int file_no;
    int64_t first, n;           /* generator rows */
    double cost;                /* estimated bytes: larger tasks start first */
    /* results, set by the worker that ran the task */
    bool written;
    char *rel_path;             /* storage path (tarn_malloc'd) */
    char *name;                 /* path relative to the table root (points into rel_path) */
    int64_t bytes, rows;
    char *stats;                /* add.stats JSON (tarn_malloc'd) */
} FileTask;

typedef struct Job {
    Storage *s;
    const char *schema;
    double sf;
    const TpchTextPool *pool;
    PqWriteOptions wo;
    const char *ext;
    uint32_t batch_rows;
    FileTask *tasks;
    size_t n_tasks;
    size_t *order;              /* task indices, costliest first */
    atomic_size_t next;
    atomic_int failed;
    pthread_mutex_t lock;
    TarnError err;              /* first failure (under lock) */
} Job;

static const char *codec_ext(PqCodec c)
{
    switch (c) {
    case PQ_CODEC_SNAPPY: return ".snappy.parquet";
    case PQ_CODEC_GZIP: return ".gz.parquet";
    case PQ_CODEC_ZSTD: return ".zstd.parquet";
    case PQ_CODEC_LZ4: case PQ_CODEC_LZ4_RAW: return ".lz4.parquet";
    default: return ".parquet";
    }
}

static int sink_write(void *ctx, const void *p, size_t len, TarnError *err)
{
    StorageWriter *sw = ctx;
    return sw->write(sw, p, len, err);
}

/* Generates and writes one data file. */
static int run_task(Job *j, FileTask *t, TarnError *err)
{
    Schema schema;
    schema_init(&schema);
    Batch b;
    memset(&b, 0, sizeof b);
    FileStats fs;
    memset(&fs, 0, sizeof fs);
    TpchGen *g = NULL;
    StorageWriter *sw = NULL;
    PqWriter *pw = NULL;
    Buf js;
    buf_init(&js);
    int rc;
    const char *tname = tpch_table_name(t->table);
    if ((rc = tpch_table_schema(t->table, &schema)) || (rc = batch_init(&b, &schema)) ||
        (rc = stats_init(&fs, &schema))) {
        rc = ERR_NOMEM(err, 4096);
        goto done;
    }
    char uuid[40], rel[512];
    uuid_text(uuid);
    int n = snprintf(rel, sizeof rel, "%s/%s/part-%05d-%s-c000%s", j->schema, tname, t->file_no, uuid,
                     j->ext);
    if (n < 0 || (size_t)n >= sizeof rel) {
        rc = err_set(err, TARN_ERR_INVALID, "schema name \"%s\" is too long", j->schema);
        goto done;
    }
    t->rel_path = tarn_strdup(rel);
    if (!t->rel_path) {
        rc = ERR_NOMEM(err, sizeof rel);
        goto done;
    }
    t->name = t->rel_path + strlen(j->schema) + 1 + strlen(tname) + 1;
    if (!(g = tpch_gen_open(t->table, j->sf, j->pool, t->first, t->n, err))) {
        rc = err->kind ? err->kind : TARN_ERR_INTERNAL;
        goto done;
    }
    if (!(sw = storage_open_write(j->s, rel, err))) {
        rc = err->kind ? err->kind : TARN_ERR_IO;
        goto done;
    }
    PqSink sink = {sw, sink_write};
    if (!(pw = pq_writer_open_sink(sink, &schema, &j->wo, err))) {
        rc = err->kind ? err->kind : TARN_ERR_INTERNAL;
        goto done;
    }
    for (;;) {
        if (atomic_load(&j->failed)) { /* another file failed: stop early */
            rc = err_set(err, TARN_ERR_CANCELED, "canceled");
            goto done;
        }
        if ((rc = tpch_gen_next(g, &b, j->batch_rows, err)))
            goto done;
        if (b.n_rows == 0)
            break;
        /* statistics first: their pass brings the comments (random spots of
         * the text pool) into the cache for the writer */
        if (stats_add(&fs, &b)) {
            rc = ERR_NOMEM(err, 4096);
            goto done;
        }
        if ((rc = pq_writer_write(pw, &b, err)))
            goto done;
    }
    rc = pq_writer_close(pw, err); /* frees pw in every case */
    pw = NULL;
    if (rc)
        goto done;
    t->bytes = (int64_t)sw->bytes;
    rc = sw->close(sw, err);       /* frees sw in every case */
    sw = NULL;
    if (rc)
        goto done;
    t->written = true;
    t->rows = fs.rows;
    if (stats_json(&fs, &js)) {
        rc = ERR_NOMEM(err, js.len + 4096);
        goto done;
    }
    t->stats = (char *)js.data;
    buf_init(&js);
done:
    if (rc && err->kind != TARN_ERR_CANCELED)
        err_context(err, "writing \"%s\"", t->rel_path ? t->rel_path : tname);
    if (pw)
        pq_writer_abort(pw);
    if (sw)
        sw->abort(sw);
    buf_free(&js);
    stats_free(&fs);
    tpch_gen_close(g);
    batch_destroy(&b);
    schema_destroy(&schema);
    return rc;
}

static void *worker(void *arg)
{
    Job *j = arg;
    for (;;) {
        if (atomic_load(&j->failed))
            break;
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->n_tasks)
            break;
        TarnError e;
        err_clear(&e);
        if (run_task(j, &j->tasks[j->order[i]], &e)) {
            pthread_mutex_lock(&j->lock);
            /* keep the first real failure, not the cancellations it caused */
            if (!j->err.kind || (j->err.kind == TARN_ERR_CANCELED && e.kind != TARN_ERR_CANCELED))
                j->err = e;
            atomic_store(&j->failed, 1);
            pthread_mutex_unlock(&j->lock);
            break;
        }
    }
    return NULL;
}

typedef struct TaskKey {
    double cost;
    size_t idx;
} TaskKey;

static int by_cost_desc(const void *a, const void *b)
{
    const TaskKey *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost > y->cost ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Cuts every table into files by generator rows (a function of sf only). */
static int plan_tasks(Job *j, int64_t target_bytes, TarnError *err)
{
    size_t cap = 0;
    int64_t n_files[TPCH_N_TABLES];
    for (int t = 0; t < TPCH_N_TABLES; t++) {
        int64_t rows = tpch_generator_rows((TpchTable)t, j->sf);
        double est = (double)rows * est_row_bytes[t];
        int64_t f = (int64_t)(est / (double)target_bytes) + 1;
        if (f > rows)
            f = rows > 0 ? rows : 1;
        n_files[t] = f;
        cap += (size_t)f;
    }
    j->tasks = tarn_calloc(cap, sizeof(FileTask));
    j->order = tarn_calloc(cap, sizeof(size_t));
    if (!j->tasks || !j->order)
        return ERR_NOMEM(err, cap * sizeof(FileTask));
    for (int t = 0; t < TPCH_N_TABLES; t++) {
        int64_t rows = tpch_generator_rows((TpchTable)t, j->sf);
        int64_t per = (rows + n_files[t] - 1) / n_files[t];
        for (int64_t k = 0; k < n_files[t]; k++) {
            int64_t first = k * per;
            if (first >= rows && k > 0)
                break;
            FileTask *ft = &j->tasks[j->n_tasks];
            ft->table = (TpchTable)t;
            ft->file_no = (int)k;
            ft->first = first;
            ft->n = rows - first < per ? rows - first : per;
            ft->cost = (double)ft->n * est_row_bytes[t];
            j->n_tasks++;
        }
    }
    /* costliest first; ties in plan order */
    TaskKey *keys = tarn_malloc((j->n_tasks + 1) * sizeof *keys);
    if (!keys)
        return ERR_NOMEM(err, j->n_tasks * sizeof *keys);
    for (size_t i = 0; i < j->n_tasks; i++) {
        keys[i].cost = j->tasks[i].cost;
        keys[i].idx = i;
    }
    qsort(keys, j->n_tasks, sizeof *keys, by_cost_desc);
    for (size_t i = 0; i < j->n_tasks; i++)
        j->order[i] = keys[i].idx;
    tarn_free(keys);
    return 0;
}

/* ---- Commits --------------------------------------------------------------------------- */

static int open_table(Job *j, TpchTable t, DeltaTable **out, bool *exists_out, TarnError *err)
{
    char root[512];
    snprintf(root, sizeof root, "%s/%s", j->schema, tpch_table_name(t));
    DeltaTable *dt = delta_table_open(j->s, root, NULL, err);
    if (!dt)
        return err->kind ? err->kind : TARN_ERR_NOMEM;
    int rc = delta_table_exists(dt, exists_out, err);
    if (rc) {
        delta_table_close(dt);
        return rc;
    }
    *out = dt;
    return 0;
}

static int table_exists_error(Job *j, TpchTable t, TarnError *err)
{
    err_set_state(err, TARN_ERR_INVALID, "42P07", "table \"%s.%s\" already exists", j->schema,
                  tpch_table_name(t));
    err_hint(err, "Use --force to replace the TPC-H tables, or choose another lake directory.");
    return TARN_ERR_INVALID;
}

/* One commit adding the table's files (after creating the table, or
 * removing its live files when it existed). */
static int commit_table(Job *j, TpchTable t, bool force, TpchTableResult *tr, TarnError *err)
{
    DeltaTable *dt = NULL;
    DeltaTransaction *txn = NULL;
    Schema schema;
    schema_init(&schema);
    Arena a;
    arena_init(&a, 4096);
    Buf sjson;
    buf_init(&sjson);
    bool exists = false;
    int rc;
    char sf_text[64];
    snprintf(sf_text, sizeof sf_text, "%.15g", j->sf);
    const char *pkeys[1] = {PROP_SCALE}, *pvals[1] = {sf_text};
    if ((rc = tpch_table_schema(t, &schema))) {
        rc = ERR_NOMEM(err, 4096);
        goto done;
    }
    if ((rc = open_table(j, t, &dt, &exists, err)))
        goto done;
    if (exists && !force) {
        rc = table_exists_error(j, t, err);
        goto done;
    }
    if (!exists) {
        char desc[128];
        snprintf(desc, sizeof desc, "TPC-H %s, scale factor %s (tarn tpch gen)", tpch_table_name(t), sf_text);
        DeltaCreateOptions co;
        memset(&co, 0, sizeof co);
        co.schema = &schema;
        co.name = tpch_table_name(t);
        co.description = desc;
        co.property_keys = pkeys;
        co.property_values = pvals;
        co.n_properties = 1;
        if ((rc = delta_create(dt, &co, NULL, err)))
            goto done;
    }
    if (!(txn = delta_txn_begin(dt, err))) {
        rc = err->kind ? err->kind : TARN_ERR_INTERNAL;
        goto done;
    }
    if (exists) {
        /* overwrite: drop every live file, take this generator's schema */
        DeltaSnapshot *snap = delta_txn_snapshot(txn);
        for (size_t i = 0; i < delta_snapshot_num_files(snap); i++)
            if ((rc = delta_txn_remove_file(txn, delta_snapshot_file(snap, i), true, err)))
                goto done;
        DeltaMetadata md = *delta_snapshot_metadata(snap);
        if ((rc = delta_schema_serialize(&schema, NULL, &sjson, err)))
            goto done;
        if (buf_terminate(&sjson)) {
            rc = ERR_NOMEM(err, sjson.len);
            goto done;
        }
        md.schema_string = (char *)sjson.data;
        md.n_partition_columns = 0;
        md.partition_columns = NULL;
        if (delta_map_copy(&a, &md.configuration, &delta_snapshot_metadata(snap)->configuration) ||
            delta_map_set(&a, &md.configuration, PROP_SCALE, sf_text)) {
            rc = ERR_NOMEM(err, 256);
            goto done;
        }
        if ((rc = delta_txn_set_metadata(txn, &md, err)))
            goto done;
        delta_txn_read_whole_table(txn);
    }
    if ((rc = delta_txn_set_operation(txn, "WRITE", exists ? "{\"mode\":\"Overwrite\"}" : "{\"mode\":\"Append\"}",
                                      err)))
        goto done;
    int64_t now = wall_ms(), files = 0, rows = 0, bytes = 0;
    for (size_t i = 0; i < j->n_tasks; i++) {
        const FileTask *ft = &j->tasks[i];
        if (ft->table != t)
            continue;
        DeltaAdd add;
        memset(&add, 0, sizeof add);
        add.path = ft->name; /* [a-z0-9.-] only: nothing to escape */
        add.size = ft->bytes;
        add.modification_time = now;
        add.data_change = true;
        add.stats = ft->stats;
        if ((rc = delta_txn_add_file(txn, &add, err)))
            goto done;
        files++;
        rows += ft->rows;
        bytes += ft->bytes;
    }
    if ((rc = delta_txn_add_metric(txn, "numFiles", files, err)) ||
        (rc = delta_txn_add_metric(txn, "numOutputRows", rows, err)) ||
        (rc = delta_txn_add_metric(txn, "numOutputBytes", bytes, err)))
        goto done;
    DeltaResult dres;
    rc = delta_txn_commit(txn, &dres, err); /* frees txn */
    txn = NULL;
    if (rc)
        goto done;
    tr->rows = rows;
    tr->files = files;
    tr->bytes = bytes;
    tr->version = dres.version;
    tr->replaced = exists;
done:
    if (txn)
        delta_txn_abort(txn);
    if (rc)
        err_context(err, "committing table \"%s.%s\"", j->schema, tpch_table_name(t));
    delta_table_close(dt);
    buf_free(&sjson);
    arena_free(&a);
    schema_destroy(&schema);
    return rc;
}

/* ---- Entry point ------------------------------------------------------------------------ */

static bool valid_schema_name(const char *s)
{
    if (!s[0] || strlen(s) > 128)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return true;
}

int tpch_lake_write(const char *lake_dir, const TpchLakeOptions *o, TpchLakeResult *res, TarnError *err)
{
    Job j;
    memset(&j, 0, sizeof j);
    pthread_mutex_init(&j.lock, NULL);
    TpchTextPool *pool = NULL;
    pthread_t tids[MAX_THREADS];
    int n_started = 0;
    bool committed[TPCH_N_TABLES] = {false};
    TpchLakeResult r;
    memset(&r, 0, sizeof r);
    int rc;

    if ((rc = tpch_check_scale(o->sf, err)))
        goto done;
    j.schema = o->schema ? o->schema : DEFAULT_SCHEMA;
    if (!valid_schema_name(j.schema)) {
        rc = err_set(err, TARN_ERR_INVALID, "invalid schema name \"%s\" (letters, digits and _ only)", j.schema);
        goto done;
    }
    j.sf = o->sf;
    j.batch_rows = o->batch_rows ? o->batch_rows : DEFAULT_BATCH_ROWS;
    if (j.batch_rows < 64)
        j.batch_rows = 64;
    if (o->write_options)
        j.wo = *o->write_options;
    else
        pq_write_options_default(&j.wo);
    j.ext = codec_ext(j.wo.codec);
    int threads = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    r.threads = threads;

    if (!(j.s = storage_open_local(lake_dir, true, err))) {
        rc = err->kind ? err->kind : TARN_ERR_IO;
        goto done;
    }
    /* refuse before spending any time when a table exists and --force is absent */
    for (int t = 0; t < TPCH_N_TABLES; t++) {
        DeltaTable *dt = NULL;
        bool exists = false;
        if ((rc = open_table(&j, (TpchTable)t, &dt, &exists, err)))
            goto done;
        delta_table_close(dt);
        if (exists && !o->force) {
            rc = table_exists_error(&j, (TpchTable)t, err);
            goto done;
        }
    }

    double t0 = now_s();
    if (!(pool = tpch_text_pool_new(TPCH_TEXT_POOL_BYTES, err))) {
        rc = err->kind ? err->kind : TARN_ERR_NOMEM;
        goto done;
    }
    j.pool = pool;
    double t1 = now_s();
    r.pool_seconds = t1 - t0;

    int64_t target = o->target_file_bytes > 0 ? o->target_file_bytes : DELTA_DEFAULT_TARGET_FILE_BYTES;
    if ((rc = plan_tasks(&j, target, err)))
        goto done;
    if ((size_t)threads > j.n_tasks)
        threads = (int)j.n_tasks;
    r.threads = threads;
    for (int i = 1; i < threads; i++) {
        if (pthread_create(&tids[n_started], NULL, worker, &j) != 0)
            break; /* fewer threads: the work still gets done */
        n_started++;
    }
    worker(&j);
    for (int i = 0; i < n_started; i++)
        pthread_join(tids[i], NULL);
    n_started = 0;
    if (atomic_load(&j.failed)) {
        *err = j.err;
        rc = err->kind ? err->kind : TARN_ERR_INTERNAL;
        goto done;
    }
    double t2 = now_s();
    r.write_seconds = t2 - t1;
    tpch_text_pool_free(pool);
    pool = NULL;

    for (int t = 0; t < TPCH_N_TABLES; t++) {
        if ((rc = commit_table(&j, (TpchTable)t, o->force, &r.tables[t], err)))
            goto done;
        committed[t] = true;
    }
    r.commit_seconds = now_s() - t2;
    if (res)
        *res = r;
    rc = 0;
done:
    for (int i = 0; i < n_started; i++)
        pthread_join(tids[i], NULL);
    /* data files of tables this run did not commit are garbage */
    for (size_t i = 0; i < j.n_tasks; i++) {
        FileTask *ft = &j.tasks[i];
        if (rc && ft->written && !committed[ft->table]) {
            TarnError e2;
            err_clear(&e2);
            storage_remove(j.s, ft->rel_path, &e2);
        }
        tarn_free(ft->rel_path);
        tarn_free(ft->stats);
    }
    tarn_free(j.tasks);
    tarn_free(j.order);
    tpch_text_pool_free(pool);
    if (j.s)
        storage_close(j.s);
    pthread_mutex_destroy(&j.lock);
    return rc;
}
