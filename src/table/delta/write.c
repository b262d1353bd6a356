/*
 * write.c - writing data files (and change data files) of a Delta table:
 * conforming incoming batches to the table schema, splitting rows by
 * partition values into Hive-style folders, writing Parquet through the
 * storage interface, rolling files at a target size, and producing the add
 * (or cdc) actions with statistics.
 *
 * Layout: data files are named part-NNNNN-<uuid>-c000.<codec>.parquet;
 * partitioned tables put them under col=value/ folders (values escaped the
 * Hive way, NULL as __HIVE_DEFAULT_PARTITION__).  With column mapping the
 * files use physical column names and, as the reference implementation
 * does, a random two-character folder instead of partition folders.
 * Change data files go under _change_data/ and keep a _change_type column.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "table/delta/delta_int.h"
#include "vector/format.h"

/* ---- Conforming batches --------------------------------------------------- */

int delta_view_init_ex(DeltaBatchView *v, const Schema *schema, const Batch *in, const bool *fill_later,
                       TarnError *err)
{
    memset(v, 0, sizeof *v);
    v->b.schema = schema;
    v->b.n_rows = in->n_rows;
    v->b.n_cols = schema->n_fields;
    v->b.cols = tarn_calloc(schema->n_fields + 1, sizeof(Vector));
    v->owned = tarn_calloc(schema->n_fields + 1, sizeof(bool));
    if (!v->b.cols || !v->owned) {
        delta_view_free(v);
        return ERR_NOMEM(err, 64);
    }
    /* every input column must exist in the table */
    for (uint32_t j = 0; j < in->n_cols; j++) {
        bool found = false;
        for (uint32_t c = 0; c < schema->n_fields && !found; c++)
            found = strcasecmp(schema->fields[c].name, in->schema->fields[j].name) == 0;
        if (!found) {
            delta_view_free(v);
            err_set_state(err, TARN_ERR_INVALID, "42703", "column \"%s\" does not exist in the table",
                          in->schema->fields[j].name);
            err_hint(err, "Add the column first, or write with schema evolution (mergeSchema).");
            return TARN_ERR_INVALID;
        }
    }
    for (uint32_t c = 0; c < schema->n_fields; c++) {
        const Field *f = &schema->fields[c];
        int j = -1;
        for (uint32_t k = 0; k < in->n_cols; k++)
            if (strcasecmp(in->schema->fields[k].name, f->name) == 0)
                j = (int)k;
        Vector *dst = &v->b.cols[c];
        if (j >= 0 && type_equal(in->cols[j].type, &f->type)) {
            *dst = in->cols[j]; /* shallow: shares the caller's buffers */
            dst->type = &f->type;
            continue;
        }
        if (vec_init(dst, &f->type)) {
            delta_view_free(v);
            return ERR_NOMEM(err, 64);
        }
        v->owned[c] = true;
        if (j < 0) {
            if (!f->nullable && !(fill_later && fill_later[c])) {
                delta_view_free(v);
                return err_set_state(err, TARN_ERR_INVALID, "23502",
                                     "null value in column \"%s\" violates not-null constraint (the column is missing)",
                                     f->name);
            }
            for (uint32_t i = 0; i < in->n_rows; i++)
                if (vec_append_null(dst)) {
                    delta_view_free(v);
                    return ERR_NOMEM(err, 64);
                }
            continue;
        }
        const Vector *src = &in->cols[j];
        if (!delta_type_can_widen(src->type, &f->type) &&
            !(src->type->id == f->type.id && type_is_nested(f->type.id)) &&
            !(src->type->id == TYPE_TIMESTAMP && f->type.id == TYPE_TIMESTAMPTZ)) {
            char a[128], b[128];
            delta_view_free(v);
            return err_set_state(err, TARN_ERR_TYPE, "42804", "column \"%s\" is of type %s but the value is of type %s",
                                 f->name, type_name(&f->type, a, sizeof a), type_name(src->type, b, sizeof b));
        }
        for (uint32_t i = 0; i < in->n_rows; i++) {
            int rc;
            if (!vec_is_valid(src, i)) {
                rc = vec_append_null(dst);
            } else if (type_is_nested(f->type.id)) {
                rc = vec_append_from(dst, src, i);
            } else {
                Value x = delta_vector_value(src, i);
                switch (f->type.id) {
                case TYPE_DOUBLE: case TYPE_FLOAT:
                    rc = vec_append_double(dst, x.type == TYPE_DOUBLE || x.type == TYPE_FLOAT ? x.v.d : (double)x.v.i);
                    break;
                case TYPE_DECIMAL: {
                    int128_t u = x.type == TYPE_DECIMAL ? (x.precision > DECIMAL64_MAX_PRECISION ? x.v.i128 : x.v.i) : x.v.i;
                    for (int s = x.type == TYPE_DECIMAL ? x.scale : 0; s < f->type.scale; s++)
                        u *= 10;
                    rc = f->type.precision > DECIMAL64_MAX_PRECISION ? vec_append_i128(dst, u)
                                                                     : vec_append_i64(dst, (int64_t)u);
                    break;
                }
                case TYPE_TIMESTAMP:
                    rc = vec_append_i64(dst, x.type == TYPE_DATE ? x.v.i * INT64_C(86400000000) : x.v.i);
                    break;
                default:
                    rc = vec_append_i64(dst, x.v.i);
                    break;
                }
            }
            if (rc) {
                delta_view_free(v);
                return ERR_NOMEM(err, 64);
            }
        }
    }
    return 0;
}

int delta_view_check_not_null(const DeltaBatchView *v, TarnError *err)
{
    const Schema *schema = v->b.schema;
    for (uint32_t c = 0; c < schema->n_fields; c++) {
        if (schema->fields[c].nullable)
            continue;
        const Vector *x = &v->b.cols[c];
        for (uint32_t i = 0; i < v->b.n_rows; i++)
            if (!vec_is_valid(x, i))
                return err_set_state(err, TARN_ERR_INVALID, "23502",
                                     "null value in column \"%s\" violates not-null constraint", schema->fields[c].name);
    }
    return 0;
}

int delta_view_init(DeltaBatchView *v, const Schema *schema, const Batch *in, TarnError *err)
{
    int rc = delta_view_init_ex(v, schema, in, NULL, err);
    if (rc == 0 && (rc = delta_view_check_not_null(v, err)))
        delta_view_free(v);
    return rc;
}

void delta_view_free(DeltaBatchView *v)
{
    if (v->b.cols)
        for (uint32_t c = 0; c < v->b.n_cols; c++)
            if (v->owned && v->owned[c])
                vec_destroy(&v->b.cols[c]);
    tarn_free(v->b.cols);
    tarn_free(v->owned);
    memset(v, 0, sizeof *v);
}

/* ---- Physical schema ------------------------------------------------------------ */

static int physical_type(LogicalType *out, const LogicalType *t, const DeltaColumn *col)
{
    if (t->id != TYPE_STRUCT && t->id != TYPE_LIST && t->id != TYPE_MAP)
        return type_copy(out, t);
    if (t->id == TYPE_STRUCT) {
        type_struct_init(out);
        for (uint32_t i = 0; i < t->n_fields; i++) {
            const DeltaColumn *c = col && col->n_children == t->n_fields ? &col->children[i] : NULL;
            LogicalType ft;
            if (physical_type(&ft, &t->fields[i].type, c) ||
                type_struct_add(out, c ? c->physical_name : t->fields[i].name, ft, t->fields[i].nullable)) {
                type_destroy(out);
                return TARN_ERR_NOMEM;
            }
        }
        return 0;
    }
    const DeltaColumn *c0 = col && col->n_children == t->n_fields ? &col->children[0] : NULL;
    LogicalType a;
    if (physical_type(&a, &t->fields[0].type, c0))
        return TARN_ERR_NOMEM;
    if (t->id == TYPE_LIST)
        return type_list(out, a, t->fields[0].nullable);
    LogicalType b;
    if (physical_type(&b, &t->fields[1].type, col && col->n_children == 2 ? &col->children[1] : NULL)) {
        type_destroy(&a);
        return TARN_ERR_NOMEM;
    }
    return type_map(out, a, b, t->fields[1].nullable);
}

/* ---- The writer ------------------------------------------------------------------ */

typedef struct OpenFile {
    char *key;                 /* partition key text (tarn_malloc'd) */
    char *rel_path;            /* path relative to the table root (not escaped) */
    char *dir;                 /* relative folder ("" or "a=1/b=x") */
    DeltaStrMap pvalues;       /* physical name -> value (in w->arena) */
    StorageWriter *sw;
    PqWriter *pw;
    DeltaStatsAcc *stats;
    int64_t rows;
} OpenFile;

typedef struct Done {
    char *rel_path;            /* arena */
    DeltaStrMap pvalues;
    int64_t size, rows;
    char *stats;               /* arena */
} Done;

struct DeltaFileWriter {
    DeltaTable *t;
    const DeltaMetadata *md;
    const DeltaSchema *schema;
    bool change_data;
    int column_mapping;
    int n_part;
    int part_idx[64];          /* table column index per partition column */
    int n_data;
    int *data_idx;             /* table column index per data column */
    Schema phys;               /* physical schema of the files */
    PqWriteOptions wo;
    const char *ext;           /* ".snappy.parquet" ... */
    int n_indexed;
    int64_t target_bytes;
    int file_no;
    OpenFile *open;
    size_t n_open, cap_open;
    Done *done;
    size_t n_done, cap_done;
    Arena arena;
    char prefix[3];            /* column mapping: random folder */
};

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

DeltaFileWriter *delta_writer_new(DeltaTable *t, const DeltaMetadata *md, const DeltaSchema *schema,
                                  int column_mapping, bool change_data, TarnError *err)
{
    DeltaFileWriter *w = tarn_calloc(1, sizeof *w);
    if (!w)
        return (void)ERR_NOMEM(err, sizeof *w), NULL;
    w->t = t;
    w->md = md;
    w->schema = schema;
    w->change_data = change_data;
    w->column_mapping = column_mapping;
    arena_init(&w->arena, 16 * 1024);
    schema_init(&w->phys);
    w->wo = t->write_opts;
    w->target_bytes = DELTA_DEFAULT_TARGET_FILE_BYTES;
    const char *codec = delta_map_get(&md->configuration, "delta.parquet.compression.codec", NULL);
    if (codec) {
        if (strcasecmp(codec, "snappy") == 0) w->wo.codec = PQ_CODEC_SNAPPY;
        else if (strcasecmp(codec, "zstd") == 0) w->wo.codec = PQ_CODEC_ZSTD;
        else if (strcasecmp(codec, "gzip") == 0) w->wo.codec = PQ_CODEC_GZIP;
        else if (strcasecmp(codec, "lz4_raw") == 0) w->wo.codec = PQ_CODEC_LZ4_RAW;
        else if (strcasecmp(codec, "uncompressed") == 0 || strcasecmp(codec, "none") == 0)
            w->wo.codec = PQ_CODEC_UNCOMPRESSED;
    }
    w->ext = codec_ext(w->wo.codec);
    const char *nic = delta_map_get(&md->configuration, "delta.dataSkippingNumIndexedCols", NULL);
    w->n_indexed = nic ? atoi(nic) : DELTA_DEFAULT_INDEXED_COLS;
    const char *tfs = delta_map_get(&md->configuration, "delta.targetFileSize", NULL);
    if (tfs && atoll(tfs) > 0)
        w->target_bytes = atoll(tfs);
    const Schema *s = &schema->schema;
    w->data_idx = tarn_calloc(s->n_fields + 1, sizeof(int));
    if (!w->data_idx) {
        delta_writer_free(w);
        return (void)ERR_NOMEM(err, 64), NULL;
    }
    for (uint32_t c = 0; c < s->n_fields; c++) {
        bool part = false;
        for (uint32_t p = 0; p < md->n_partition_columns; p++)
            if (strcasecmp(md->partition_columns[p], s->fields[c].name) == 0)
                part = true;
        if (part)
            continue;
        w->data_idx[w->n_data++] = (int)c;
        LogicalType pt;
        if (physical_type(&pt, &s->fields[c].type, &schema->columns[c]) ||
            schema_add(&w->phys, schema->columns[c].physical_name, pt, s->fields[c].nullable)) {
            delta_writer_free(w);
            return (void)ERR_NOMEM(err, 64), NULL;
        }
    }
    for (uint32_t p = 0; p < md->n_partition_columns; p++) {
        int c = delta_schema_find(schema, md->partition_columns[p]);
        if (c < 0 || w->n_part >= 64) {
            delta_writer_free(w);
            return (void)err_set(err, TARN_ERR_CORRUPT, "partition column \"%s\" is not in the schema",
                                 md->partition_columns[p]), NULL;
        }
        w->part_idx[w->n_part++] = c;
    }
    if (change_data && schema_add(&w->phys, "_change_type", type_simple(TYPE_STRING), true)) {
        delta_writer_free(w);
        return (void)ERR_NOMEM(err, 64), NULL;
    }
    if (w->n_data == 0 && !change_data) {
        delta_writer_free(w);
        return (void)err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: a table whose columns are all partition columns"), NULL;
    }
    char uuid[40];
    delta_uuid_text(uuid);
    w->prefix[0] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[(unsigned char)uuid[0] % 62];
    w->prefix[1] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[(unsigned char)uuid[1] % 62];
    return w;
}

void delta_writer_set_target_size(DeltaFileWriter *w, int64_t bytes)
{
    if (bytes > 0)
        w->target_bytes = bytes;
}

static int sink_write(void *ctx, const void *p, size_t len, TarnError *err)
{
    StorageWriter *sw = ctx;
    return sw->write(sw, p, len, err);
}

static int close_file(DeltaFileWriter *w, OpenFile *f, TarnError *err)
{
    int rc = pq_writer_close(f->pw, err);
    f->pw = NULL;
    uint64_t size = f->sw->bytes;
    if (rc) {
        f->sw->abort(f->sw);
        f->sw = NULL;
        return rc;
    }
    rc = f->sw->close(f->sw, err);
    f->sw = NULL;
    if (rc)
        return rc;
    Buf sb;
    buf_init(&sb);
    if (delta_stats_acc_json(f->stats, &sb)) {
        buf_free(&sb);
        return ERR_NOMEM(err, 64);
    }
    if (w->n_done == w->cap_done) {
        size_t cap = w->cap_done ? w->cap_done * 2 : 16;
        Done *d = tarn_realloc(w->done, cap * sizeof *d);
        if (!d) {
            buf_free(&sb);
            return ERR_NOMEM(err, 64);
        }
        w->done = d;
        w->cap_done = cap;
    }
    Done *d = &w->done[w->n_done++];
    d->rel_path = arena_strdup(&w->arena, f->rel_path);
    d->pvalues = f->pvalues;
    d->size = (int64_t)size;
    d->rows = f->rows;
    d->stats = arena_strndup(&w->arena, (const char *)sb.data, sb.len);
    buf_free(&sb);
    delta_stats_acc_free(f->stats);
    f->stats = NULL;
    tarn_free(f->rel_path);
    f->rel_path = NULL;
    if (!d->rel_path || !d->stats)
        return ERR_NOMEM(err, 64);
    return 0;
}

static int open_file(DeltaFileWriter *w, OpenFile *f, TarnError *err)
{
    char uuid[40], name[160];
    delta_uuid_text(uuid);
    if (w->change_data)
        snprintf(name, sizeof name, "cdc-%05d-%s.c000%s", w->file_no++, uuid, w->ext);
    else
        snprintf(name, sizeof name, "part-%05d-%s-c000%s", w->file_no++, uuid, w->ext);
    Buf rel;
    buf_init(&rel);
    if ((w->change_data && buf_printf(&rel, "_change_data/")) ||
        (f->dir[0] && buf_printf(&rel, "%s/", f->dir)) || buf_printf(&rel, "%s", name) || buf_terminate(&rel)) {
        buf_free(&rel);
        return ERR_NOMEM(err, 64);
    }
    f->rel_path = (char *)rel.data;
    char *full = delta_table_path(&w->arena, w->t, f->rel_path);
    if (!full)
        return ERR_NOMEM(err, 64);
    f->sw = storage_open_write(w->t->s, full, err);
    if (!f->sw)
        return err_context(err, "writing data file \"%s\"", f->rel_path);
    PqSink sink = {f->sw, sink_write};
    f->pw = pq_writer_open_sink(sink, &w->phys, &w->wo, err);
    if (!f->pw) {
        f->sw->abort(f->sw);
        f->sw = NULL;
        return err_context(err, "writing data file \"%s\"", f->rel_path);
    }
    f->stats = delta_stats_acc_new(&w->phys, w->change_data ? 0 : w->n_indexed);
    if (!f->stats)
        return ERR_NOMEM(err, 64);
    f->rows = 0;
    return 0;
}

/* The partition of row i: folder and values. */
static int partition_of(DeltaFileWriter *w, const Batch *b, uint32_t i, Buf *key, Buf *dir,
                        DeltaStrMap *pv, Arena *a, TarnError *err)
{
    buf_clear(key);
    buf_clear(dir);
    if (pv)
        memset(pv, 0, sizeof *pv);
    for (int p = 0; p < w->n_part; p++) {
        int c = w->part_idx[p];
        const DeltaColumn *dc = &w->schema->columns[c];
        Buf v;
        buf_init(&v);
        bool is_null;
        if (delta_partition_value_format(&b->cols[c], i, &v, &is_null)) {
            buf_free(&v);
            return ERR_NOMEM(err, 64);
        }
        const char *val = is_null ? NULL : (const char *)v.data;
        if (buf_printf(key, "%s%c", val ? val : "", is_null ? 1 : 2)) {
            buf_free(&v);
            return ERR_NOMEM(err, 64);
        }
        if (pv && delta_map_set(a, pv, dc->physical_name, val)) {
            buf_free(&v);
            return ERR_NOMEM(err, 64);
        }
        if (!w->column_mapping) {
            if ((p && buf_append_byte(dir, '/')) || delta_partition_escape(dc->physical_name, dir) ||
                buf_append_byte(dir, '=') ||
                (val ? delta_partition_escape(val, dir) : buf_printf(dir, "__HIVE_DEFAULT_PARTITION__"))) {
                buf_free(&v);
                return ERR_NOMEM(err, 64);
            }
        }
        buf_free(&v);
    }
    if (w->column_mapping && buf_printf(dir, "%s", w->prefix))
        return ERR_NOMEM(err, 64);
    if (buf_terminate(key) || buf_terminate(dir))
        return ERR_NOMEM(err, 64);
    return 0;
}

/* Writes rows (sel == NULL: all rows of b) of the table-schema batch b to f. */
static int write_rows(DeltaFileWriter *w, OpenFile *f, const Batch *b, const uint32_t *sel, uint32_t n,
                      TarnError *err)
{
    Batch pb;
    memset(&pb, 0, sizeof pb);
    pb.schema = &w->phys;
    pb.n_cols = w->phys.n_fields;
    pb.n_rows = n;
    Vector *cols = tarn_calloc(pb.n_cols + 1, sizeof(Vector));
    bool *owned = tarn_calloc(pb.n_cols + 1, sizeof(bool));
    int rc = 0;
    if (!cols || !owned) {
        rc = ERR_NOMEM(err, 64);
        goto done;
    }
    pb.cols = cols;
    for (uint32_t k = 0; k < pb.n_cols; k++) {
        int c = k < (uint32_t)w->n_data ? w->data_idx[k] : (int)w->schema->schema.n_fields; /* _change_type last */
        const Vector *src = &b->cols[c];
        const LogicalType *pt = &w->phys.fields[k].type;
        if (!sel && type_equal(src->type, pt)) {
            cols[k] = *src;
            cols[k].type = pt;
            continue;
        }
        if (vec_init(&cols[k], pt)) {
            rc = ERR_NOMEM(err, 64);
            goto done;
        }
        owned[k] = true;
        for (uint32_t i = 0; i < n; i++) {
            if (vec_append_from(&cols[k], src, sel ? sel[i] : i)) {
                rc = ERR_NOMEM(err, 64);
                goto done;
            }
        }
    }
    if ((rc = pq_writer_write(f->pw, &pb, err)))
        goto done;
    if (delta_stats_acc_add(f->stats, &pb)) {
        rc = ERR_NOMEM(err, 64);
        goto done;
    }
    f->rows += n;
done:
    for (uint32_t k = 0; cols && k < pb.n_cols; k++)
        if (owned && owned[k])
            vec_destroy(&cols[k]);
    tarn_free(cols);
    tarn_free(owned);
    return rc;
}

static OpenFile *get_open(DeltaFileWriter *w, const char *key, const char *dir, const DeltaStrMap *pv,
                          TarnError *err)
{
    for (size_t i = 0; i < w->n_open; i++)
        if (strcmp(w->open[i].key, key) == 0)
            return &w->open[i];
    if (w->n_open == w->cap_open) {
        size_t cap = w->cap_open ? w->cap_open * 2 : 8;
        OpenFile *p = tarn_realloc(w->open, cap * sizeof *p);
        if (!p)
            return (void)ERR_NOMEM(err, 64), NULL;
        w->open = p;
        w->cap_open = cap;
    }
    OpenFile *f = &w->open[w->n_open];
    memset(f, 0, sizeof *f);
    f->key = tarn_strdup(key);
    f->dir = arena_strdup(&w->arena, dir);
    if (!f->key || !f->dir || delta_map_copy(&w->arena, &f->pvalues, pv)) {
        tarn_free(f->key);
        return (void)ERR_NOMEM(err, 64), NULL;
    }
    w->n_open++;
    if (open_file(w, f, err))
        return NULL;
    return f;
}

static int maybe_roll(DeltaFileWriter *w, OpenFile *f, TarnError *err)
{
    if (pq_writer_bytes(f->pw) < w->target_bytes)
        return 0;
    int rc = close_file(w, f, err);
    if (rc)
        return rc;
    return open_file(w, f, err);
}

int delta_writer_write(DeltaFileWriter *w, const Batch *b, TarnError *err)
{
    if (b->n_rows == 0)
        return 0;
    Buf key, dir;
    buf_init(&key);
    buf_init(&dir);
    int rc = 0;
    if (w->n_part == 0) {
        DeltaStrMap empty;
        memset(&empty, 0, sizeof empty);
        if ((rc = partition_of(w, b, 0, &key, &dir, NULL, &w->arena, err)))
            goto done;
        OpenFile *f = get_open(w, (const char *)key.data, (const char *)dir.data, &empty, err);
        if (!f) {
            rc = err->kind ? err->kind : TARN_ERR_NOMEM;
            goto done;
        }
        if ((rc = write_rows(w, f, b, NULL, b->n_rows, err)) || (rc = maybe_roll(w, f, err)))
            goto done;
        goto done;
    }
    /* Group rows by partition key. */
    uint32_t *sel = tarn_malloc(sizeof(uint32_t) * b->n_rows);
    char **keys = tarn_calloc(b->n_rows, sizeof(char *));
    bool *done_row = tarn_calloc(b->n_rows, sizeof(bool));
    if (!sel || !keys || !done_row) {
        tarn_free(sel);
        tarn_free(keys);
        tarn_free(done_row);
        rc = ERR_NOMEM(err, 64);
        goto done;
    }
    Arena scratch;
    arena_init(&scratch, 4096);
    for (uint32_t i = 0; i < b->n_rows && rc == 0; i++) {
        if ((rc = partition_of(w, b, i, &key, &dir, NULL, &scratch, err)))
            break;
        keys[i] = arena_strdup(&scratch, (const char *)key.data);
        if (!keys[i])
            rc = ERR_NOMEM(err, 64);
    }
    for (uint32_t i = 0; i < b->n_rows && rc == 0; i++) {
        if (done_row[i])
            continue;
        uint32_t n = 0;
        for (uint32_t j = i; j < b->n_rows; j++)
            if (!done_row[j] && strcmp(keys[j], keys[i]) == 0) {
                sel[n++] = j;
                done_row[j] = true;
            }
        DeltaStrMap pv;
        if ((rc = partition_of(w, b, i, &key, &dir, &pv, &scratch, err)))
            break;
        OpenFile *f = get_open(w, (const char *)key.data, (const char *)dir.data, &pv, err);
        if (!f) {
            rc = err->kind ? err->kind : TARN_ERR_NOMEM;
            break;
        }
        if ((rc = write_rows(w, f, b, sel, n, err)) || (rc = maybe_roll(w, f, err)))
            break;
    }
    arena_free(&scratch);
    tarn_free(sel);
    tarn_free(keys);
    tarn_free(done_row);
done:
    buf_free(&key);
    buf_free(&dir);
    return rc;
}

int delta_writer_finish(DeltaFileWriter *w, Arena *a, DeltaActionList *out, TarnError *err)
{
    int rc = 0;
    for (size_t i = 0; i < w->n_open && rc == 0; i++) {
        OpenFile *f = &w->open[i];
        if (f->pw) {
            if (f->rows == 0) { /* never wrote a row: discard */
                pq_writer_abort(f->pw);
                f->pw = NULL;
                f->sw->abort(f->sw);
                f->sw = NULL;
                delta_stats_acc_free(f->stats);
                f->stats = NULL;
                tarn_free(f->rel_path);
                f->rel_path = NULL;
                continue;
            }
            rc = close_file(w, f, err);
        }
    }
    if (rc)
        return rc;
    int64_t now = delta_now_ms(w->t);
    for (size_t i = 0; i < w->n_done; i++) {
        Done *d = &w->done[i];
        Buf enc;
        buf_init(&enc);
        if (delta_path_encode(d->rel_path, &enc) || buf_terminate(&enc)) {
            buf_free(&enc);
            return ERR_NOMEM(err, 64);
        }
        DeltaAction act;
        memset(&act, 0, sizeof act);
        char *path = arena_strndup(a, (const char *)enc.data, enc.len);
        buf_free(&enc);
        if (!path)
            return ERR_NOMEM(err, 64);
        if (w->change_data) {
            act.kind = DELTA_ACT_CDC;
            act.u.cdc.path = path;
            act.u.cdc.size = d->size;
            act.u.cdc.data_change = false;
            if (delta_map_copy(a, &act.u.cdc.partition_values, &d->pvalues))
                return ERR_NOMEM(err, 64);
        } else {
            act.kind = DELTA_ACT_ADD;
            act.u.add.path = path;
            act.u.add.size = d->size;
            act.u.add.modification_time = now;
            act.u.add.data_change = true;
            act.u.add.stats = arena_strdup(a, d->stats);
            if (!act.u.add.stats || delta_map_copy(a, &act.u.add.partition_values, &d->pvalues))
                return ERR_NOMEM(err, 64);
        }
        if (delta_action_list_push(out, &act))
            return ERR_NOMEM(err, 64);
    }
    w->n_done = 0;
    return 0;
}

void delta_writer_abort(DeltaFileWriter *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n_open; i++) {
        OpenFile *f = &w->open[i];
        if (f->pw)
            pq_writer_abort(f->pw);
        if (f->sw)
            f->sw->abort(f->sw);
        f->pw = NULL;
        f->sw = NULL;
    }
    TarnError e2;
    err_clear(&e2);
    for (size_t i = 0; i < w->n_done; i++) {
        char *full = delta_table_path(&w->arena, w->t, w->done[i].rel_path);
        if (full)
            storage_remove(w->t->s, full, &e2);
    }
    w->n_done = 0;
}

void delta_writer_free(DeltaFileWriter *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n_open; i++) {
        OpenFile *f = &w->open[i];
        if (f->pw)
            pq_writer_abort(f->pw);
        if (f->sw)
            f->sw->abort(f->sw);
        delta_stats_acc_free(f->stats);
        tarn_free(f->rel_path);
        tarn_free(f->key);
    }
    tarn_free(w->open);
    tarn_free(w->done);
    tarn_free(w->data_idx);
    schema_destroy(&w->phys);
    arena_free(&w->arena);
    tarn_free(w);
}
