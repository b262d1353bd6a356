/*
 * files.c - `tarn ingest files` and the file -> Delta commit primitive
 * (see files.h; design in docs/ingest.md "Files").
 */
#include "ingest/files.h"

#include <errno.h>
#include <stdarg.h>
#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "catalog/catalog.h"
#include "format/avro/avro.h"
#include "format/csv/csv.h"
#include "format/json/json.h"
#include "format/parquet/reader.h"
#include "table/delta/delta.h"
#include "util/mem.h"
#include "util/sha256.h"
#include "vector/format.h"

/* ---- Formats ---------------------------------------------------------------- */

int files_format_parse(const char *name, FilesFormat *out, TarnError *err)
{
    if (!strcasecmp(name, "csv"))
        *out = FILES_FMT_CSV;
    else if (!strcasecmp(name, "json") || !strcasecmp(name, "ndjson") || !strcasecmp(name, "jsonl"))
        *out = FILES_FMT_JSON;
    else if (!strcasecmp(name, "parquet"))
        *out = FILES_FMT_PARQUET;
    else if (!strcasecmp(name, "avro"))
        *out = FILES_FMT_AVRO;
    else
        return err_set_state(err, TARN_ERR_INVALID, "22023",
                             "unknown format \"%s\" (csv, json, parquet or avro)", name);
    return 0;
}

FilesFormat files_format_of_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (!dot)
        return FILES_FMT_AUTO;
    dot++;
    if (!strcasecmp(dot, "csv"))
        return FILES_FMT_CSV;
    if (!strcasecmp(dot, "json") || !strcasecmp(dot, "ndjson") || !strcasecmp(dot, "jsonl"))
        return FILES_FMT_JSON;
    if (!strcasecmp(dot, "parquet") || !strcasecmp(dot, "pq"))
        return FILES_FMT_PARQUET;
    if (!strcasecmp(dot, "avro"))
        return FILES_FMT_AVRO;
    return FILES_FMT_AUTO;
}

const char *files_format_name(FilesFormat f)
{
    switch (f) {
    case FILES_FMT_CSV: return "csv";
    case FILES_FMT_JSON: return "json";
    case FILES_FMT_PARQUET: return "parquet";
    case FILES_FMT_AVRO: return "avro";
    default: return "auto";
    }
}

/* ---- One source file ------------------------------------------------------------ */

typedef struct Source {
    FilesFormat fmt;
    CsvReader *csv;
    JsonReader *json;
    PqReader *pq;
    AvroFileReader *avro;
    const Schema *schema;
} Source;

static int src_open(Source *s, const char *path, FilesFormat fmt, TarnError *err)
{
    memset(s, 0, sizeof *s);
    s->fmt = fmt;
    switch (fmt) {
    case FILES_FMT_CSV:
        if (!(s->csv = csv_reader_open(path, NULL, err)))
            return err->kind ? err->kind : TARN_ERR_IO;
        s->schema = csv_reader_schema(s->csv);
        break;
    case FILES_FMT_JSON:
        if (!(s->json = json_reader_open(path, NULL, err)))
            return err->kind ? err->kind : TARN_ERR_IO;
        s->schema = json_reader_schema(s->json);
        break;
    case FILES_FMT_PARQUET:
        if (!(s->pq = pq_reader_open(path, NULL, err)))
            return err->kind ? err->kind : TARN_ERR_IO;
        s->schema = pq_reader_schema(s->pq);
        break;
    case FILES_FMT_AVRO:
        if (!(s->avro = avro_file_open(path, err)))
            return err->kind ? err->kind : TARN_ERR_IO;
        s->schema = avro_file_schema(s->avro);
        break;
    default: return ERR_INTERNAL(err, "ingest source without a format");
    }
    return 0;
}

static int src_next(Source *s, Batch *b, TarnError *err)
{
    switch (s->fmt) {
    case FILES_FMT_CSV: return csv_reader_next(s->csv, b, err);
    case FILES_FMT_JSON: return json_reader_next(s->json, b, err);
    case FILES_FMT_PARQUET: return pq_reader_next(s->pq, b, err);
    case FILES_FMT_AVRO: return avro_file_next(s->avro, b, err);
    default: return ERR_INTERNAL(err, "ingest source without a format");
    }
}

static void src_close(Source *s)
{
    csv_reader_close(s->csv);
    json_reader_close(s->json);
    pq_reader_close(s->pq);
    avro_file_close(s->avro);
    memset(s, 0, sizeof *s);
}

/* ---- Conforming a file's batches to the table ------------------------------------- */

/* PLAN_DEFER: a text column of a text format that does not fit the
 * table's type; fine as long as it holds only NULLs (a CSV column that is
 * empty in this file is inferred as text), else the type error. */
typedef enum ColPlan { PLAN_SAME, PLAN_INT, PLAN_FLOAT, PLAN_TEXT, PLAN_NULL, PLAN_U64, PLAN_DEFER } ColPlan;

/* The type a table column gets for a file column of type t: Delta has no
 * uuid, time, interval, json or unsigned types (nor an untyped NULL), so
 * those become text / the next wider signed type / numeric(20,0). */
static LogicalType storable(const LogicalType *t)
{
    switch (t->id) {
    case TYPE_UUID:
    case TYPE_TIME:
    case TYPE_INTERVAL:
    case TYPE_JSON:
    case TYPE_NULL: return type_simple(TYPE_STRING);
    case TYPE_UINT8: return type_simple(TYPE_INT16);
    case TYPE_UINT16: return type_simple(TYPE_INT32);
    case TYPE_UINT32: return type_simple(TYPE_INT64);
    case TYPE_UINT64: return type_decimal(20, 0);
    default: return type_simple(TYPE_INVALID); /* keep t */
    }
}

/* Copies t, or its storable stand-in, into out. */
static int storable_copy(const LogicalType *t, LogicalType *out)
{
    LogicalType s = storable(t);
    if (s.id != TYPE_INVALID) {
        *out = s;
        return 0;
    }
    return type_copy(out, t);
}

typedef struct Conform {
    Schema out_schema;       /* file columns with the table's types */
    ColPlan *plan;
    Vector *conv;            /* converted columns (PLAN_* != SAME) */
    Vector *cols;            /* the output batch's vectors (shallow for SAME) */
    uint32_t n;
    Buf text;
    char **defer_msg;        /* PLAN_DEFER: the error to raise on a value */
} Conform;

static int find_col(const Schema *s, const char *name)
{
    for (uint32_t i = 0; i < s->n_fields; i++)
        if (!strcmp(s->fields[i].name, name))
            return (int)i;
    for (uint32_t i = 0; i < s->n_fields; i++)
        if (!strcasecmp(s->fields[i].name, name))
            return (int)i;
    return -1;
}

static int int_rank(TypeId id)
{
    switch (id) {
    case TYPE_INT8: return 1;
    case TYPE_UINT8:
    case TYPE_INT16: return 2;
    case TYPE_UINT16:
    case TYPE_INT32: return 3;
    case TYPE_UINT32:
    case TYPE_INT64: return 4;
    default: return 0;
    }
}

/* How a file column of type f goes into a table column of type t. */
static int plan_for(const LogicalType *f, const LogicalType *t, bool text_source, ColPlan *out)
{
    if (type_equal(f, t) || (f->id == t->id && f->id == TYPE_STRING)) {
        *out = PLAN_SAME;
        return 0;
    }
    if (f->id == TYPE_NULL) {
        *out = PLAN_NULL;
        return 0;
    }
    if (f->id == TYPE_UINT64 && t->id == TYPE_DECIMAL && t->precision - t->scale >= 20) {
        *out = PLAN_U64;
        return 0;
    }
    if (t->id == TYPE_STRING &&
        (f->id == TYPE_UUID || f->id == TYPE_TIME || f->id == TYPE_INTERVAL || f->id == TYPE_JSON)) {
        *out = PLAN_TEXT;
        return 0;
    }
    bool f_unsigned = f->id == TYPE_UINT8 || f->id == TYPE_UINT16 || f->id == TYPE_UINT32;
    bool t_unsigned = t->id == TYPE_UINT8 || t->id == TYPE_UINT16 || t->id == TYPE_UINT32;
    /* ranks put each unsigned type with the signed type that holds it */
    if (int_rank(f->id) && int_rank(t->id) && int_rank(f->id) <= int_rank(t->id) && (f_unsigned || !t_unsigned)) {
        *out = PLAN_INT;
        return 0;
    }
    if (t->id == TYPE_DOUBLE && (int_rank(f->id) || f->id == TYPE_FLOAT)) {
        *out = int_rank(f->id) ? PLAN_INT : PLAN_FLOAT;
        return 0;
    }
    if (text_source && t->id == TYPE_STRING && !type_is_nested(f->id)) {
        *out = PLAN_TEXT;
        return 0;
    }
    return -1;
}

static void conform_free(Conform *c)
{
    for (uint32_t i = 0; i < c->n; i++)
        if (c->plan && c->plan[i] != PLAN_SAME)
            vec_destroy(&c->conv[i]);
    for (uint32_t i = 0; c->defer_msg && i < c->n; i++)
        tarn_free(c->defer_msg[i]);
    tarn_free(c->defer_msg);
    tarn_free(c->plan);
    tarn_free(c->conv);
    tarn_free(c->cols);
    buf_free(&c->text);
    schema_destroy(&c->out_schema);
    memset(c, 0, sizeof *c);
}

/* Plans how the file schema fs goes into the table schema ts (which gets
 * the file's new columns appended, nullable). */
static int conform_init(Conform *c, const Schema *fs, Schema *ts, bool text_source, const char *file,
                        TarnError *err)
{
    memset(c, 0, sizeof *c);
    schema_init(&c->out_schema);
    buf_init(&c->text);
    c->n = fs->n_fields;
    c->plan = tarn_calloc(c->n + 1, sizeof *c->plan);
    c->conv = tarn_calloc(c->n + 1, sizeof *c->conv);
    c->cols = tarn_calloc(c->n + 1, sizeof *c->cols);
    c->defer_msg = tarn_calloc(c->n + 1, sizeof *c->defer_msg);
    if (!c->plan || !c->conv || !c->cols || !c->defer_msg)
        return ERR_NOMEM(err, c->n * sizeof *c->conv);
    for (uint32_t i = 0; i < c->n; i++) {
        const Field *f = &fs->fields[i];
        int k = find_col(ts, f->name);
        LogicalType t;
        if (k < 0) {
            LogicalType nt;
            if (storable_copy(&f->type, &nt))
                return ERR_NOMEM(err, 64);
            if (plan_for(&f->type, &nt, true, &c->plan[i])) {
                type_destroy(&nt);
                return ERR_INTERNAL(err, "no plan for a new column");
            }
            LogicalType nt2;
            if (type_copy(&nt2, &nt) || schema_add(ts, f->name, nt, true)) {
                type_destroy(&nt);
                return ERR_NOMEM(err, 64);
            }
            if (schema_add(&c->out_schema, f->name, nt2, true))
                return ERR_NOMEM(err, 64);
        } else {
            const LogicalType *tt = &ts->fields[k].type;
            if (plan_for(&f->type, tt, text_source, &c->plan[i])) {
                char a[128], b[128], msg[1024];
                snprintf(msg, sizeof msg, "file \"%s\": column \"%s\" has type %s in the file but %s in the table", file,
                         f->name, type_name(&f->type, a, sizeof a), type_name(tt, b, sizeof b));
                if (!text_source || f->type.id != TYPE_STRING || type_is_nested(tt->id))
                    return err_set_state(err, TARN_ERR_TYPE, "42804", "%s", msg);
                c->plan[i] = PLAN_DEFER;
                if (!(c->defer_msg[i] = tarn_strdup(msg)))
                    return ERR_NOMEM(err, sizeof msg);
            }
            if (type_copy(&t, c->plan[i] == PLAN_SAME ? &f->type : tt) ||
                schema_add(&c->out_schema, ts->fields[k].name, t, true))
                return ERR_NOMEM(err, 64);
        }
    }
    for (uint32_t i = 0; i < c->n; i++)
        if (c->plan[i] != PLAN_SAME && vec_init(&c->conv[i], &c->out_schema.fields[i].type))
            return ERR_NOMEM(err, 64);
    return 0;
}

static int64_t int_at(const Vector *v, uint32_t i)
{
    switch (v->type->id) {
    case TYPE_INT8: return ((const int8_t *)v->data)[i];
    case TYPE_UINT8: return ((const uint8_t *)v->data)[i];
    case TYPE_INT16: return ((const int16_t *)v->data)[i];
    case TYPE_UINT16: return ((const uint16_t *)v->data)[i];
    case TYPE_INT32: return ((const int32_t *)v->data)[i];
    case TYPE_UINT32: return ((const uint32_t *)v->data)[i];
    default: return ((const int64_t *)v->data)[i];
    }
}

static int convert_col(Conform *c, uint32_t k, const Vector *src, uint32_t rows)
{
    Vector *d = &c->conv[k];
    vec_reset(d);
    if (vec_reserve(d, rows))
        return TARN_ERR_NOMEM;
    bool to_double = d->type->id == TYPE_DOUBLE;
    for (uint32_t i = 0; i < rows; i++) {
        int rc;
        if (c->plan[k] == PLAN_NULL || c->plan[k] == PLAN_DEFER || !vec_is_valid(src, i)) {
            rc = vec_append_null(d);
        } else if (c->plan[k] == PLAN_INT) {
            int64_t x = int_at(src, i);
            rc = to_double ? vec_append_double(d, (double)x) : vec_append_i64(d, x);
        } else if (c->plan[k] == PLAN_FLOAT) {
            rc = vec_append_double(d, ((const float *)src->data)[i]);
        } else if (c->plan[k] == PLAN_U64) {
            uint64_t u = ((const uint64_t *)src->data)[i];
            rc = d->type->precision > DECIMAL64_MAX_PRECISION ? vec_append_i128(d, (int128_t)u)
                                                             : vec_append_i64(d, (int64_t)u);
        } else {
            buf_clear(&c->text);
            rc = value_format_text(src, i, &c->text);
            if (!rc)
                rc = vec_append_str(d, (const char *)c->text.data, c->text.len);
        }
        if (rc)
            return TARN_ERR_NOMEM;
    }
    return 0;
}

/* Builds the output batch over b (shallow for unchanged columns). */
static int conform_batch(Conform *c, const Batch *b, Batch *out, TarnError *err)
{
    for (uint32_t k = 0; k < c->n; k++) {
        if (c->plan[k] == PLAN_SAME) {
            c->cols[k] = b->cols[k];
            continue;
        }
        if (c->plan[k] == PLAN_DEFER && vec_null_count(&b->cols[k]) != b->n_rows)
            return err_set_state(err, TARN_ERR_TYPE, "42804", "%s", c->defer_msg[k]);
        if (convert_col(c, k, &b->cols[k], b->n_rows))
            return ERR_NOMEM(err, (size_t)b->n_rows * 16);
        c->cols[k] = c->conv[k];
    }
    out->schema = &c->out_schema;
    out->n_rows = b->n_rows;
    out->n_cols = c->n;
    out->cols = c->cols;
    return 0;
}

/* ---- The commit primitive --------------------------------------------------------- */

static bool is_text_format(FilesFormat f) { return f == FILES_FMT_CSV || f == FILES_FMT_JSON; }

/* Opens (creating when missing, from the first file's schema) the table. */
static int open_table(Catalog *cat, const char *schema, const char *table, const IngestFileSpec *first,
                      CatalogRel **rel, bool *created, bool *file_fault, TarnError *err)
{
    *created = false;
    *file_fault = false;
    int rc = catalog_create_schema(cat, schema, true, err);
    if (rc)
        return rc;
    rc = catalog_lookup(cat, schema, table, NULL, 0, rel, err);
    if (rc != TARN_ERR_NOT_FOUND)
        return rc;
    err_clear(err);
    Source s;
    const char *name = first->display ? first->display : first->path;
    if ((rc = src_open(&s, first->path, first->format, err))) {
        *file_fault = true;
        return strstr(err->message, name) ? rc : err_context(err, "file \"%s\"", name);
    }
    Schema sc;
    schema_init(&sc);
    for (uint32_t i = 0; i < s.schema->n_fields && !rc; i++) {
        const Field *f = &s.schema->fields[i];
        LogicalType t;
        if (storable_copy(&f->type, &t))
            rc = ERR_NOMEM(err, 64);
        if (!rc && schema_add(&sc, f->name, t, true))
            rc = ERR_NOMEM(err, 64);
    }
    src_close(&s);
    if (!rc && sc.n_fields == 0) {
        *file_fault = true;
        rc = err_set_state(err, TARN_ERR_INVALID, "22023",
                           "file \"%s\" has no columns: cannot create table \"%s.%s\" from it", name, schema, table);
    }
    if (!rc) {
        DeltaCreateOptions co;
        memset(&co, 0, sizeof co);
        co.schema = &sc;
        co.if_not_exists = true;
        co.description = "created by tarn ingest";
        rc = catalog_create_table(cat, schema, table, &co, rel, created, err);
        if (rc == TARN_ERR_INVALID && strstr(err->message, "already exists")) {
            /* another writer created it between our lookup and our commit */
            err_clear(err);
            rc = catalog_lookup(cat, schema, table, NULL, 0, rel, err);
        }
    }
    schema_destroy(&sc);
    return rc;
}

/* Writes one file's rows into txn; ts is the table schema as evolved so far. */
static int load_file(DeltaTransaction *txn, const IngestFileSpec *f, Schema *ts, int64_t *rows, TarnError *err)
{
    const char *name = f->display ? f->display : f->path;
    Source s;
    int rc = src_open(&s, f->path, f->format, err);
    if (rc)
        return rc;
    Conform c;
    Batch b;
    bool b_ok = false;
    rc = conform_init(&c, s.schema, ts, is_text_format(f->format), name, err);
    if (!rc) {
        if (batch_init(&b, s.schema))
            rc = ERR_NOMEM(err, 64);
        else
            b_ok = true;
    }
    while (!rc) {
        if ((rc = src_next(&s, &b, err)))
            break;
        if (b.n_rows == 0)
            break;
        Batch out;
        if ((rc = conform_batch(&c, &b, &out, err)))
            break;
        if ((rc = delta_txn_write(txn, &out, err)))
            break;
        *rows += b.n_rows;
    }
    if (b_ok)
        batch_destroy(&b);
    conform_free(&c);
    src_close(&s);
    return rc;
}

int ingest_commit_files(const char *lake, const char *schema, const char *table, const IngestFileSpec *files,
                        int n, const char *operation, IngestCommitInfo *out, int *bad_index, TarnError *err)
{
    *bad_index = -1;
    memset(out, 0, sizeof *out);
    out->version = -1;
    if (n <= 0)
        return 0;
    Catalog *cat = catalog_open(lake, err);
    if (!cat)
        return err->kind ? err->kind : TARN_ERR_IO;
    CatalogRel *rel = NULL;
    bool created = false, file_fault = false;
    int rc = open_table(cat, schema, table, &files[0], &rel, &created, &file_fault, err);
    if (rc) {
        if (file_fault)
            *bad_index = 0;
        catalog_close(cat);
        return rc;
    }
    out->created = created;
    DeltaTransaction *txn = delta_txn_begin(rel->table, err);
    /* a table directory without commits: another writer is creating it
     * right now (wait for it), or one died doing so (create it then) */
    for (int wait = 0; !txn && err->kind == TARN_ERR_NOT_FOUND && wait < 60; wait++) {
        err_clear(err);
        if (wait == 50) {
            bool file_fault2 = false;
            catalog_close(cat);
            if (!(cat = catalog_open(lake, err)))
                return err->kind ? err->kind : TARN_ERR_IO;
            /* drop the half-made directory's handle and create in place */
            Source s;
            Schema sc;
            schema_init(&sc);
            int r2 = src_open(&s, files[0].path, files[0].format, err);
            if (r2) {
                *bad_index = 0;
                catalog_close(cat);
                return r2;
            }
            for (uint32_t i = 0; i < s.schema->n_fields && !r2; i++) {
                LogicalType t;
                const Field *f = &s.schema->fields[i];
                if (storable_copy(&f->type, &t))
                    r2 = ERR_NOMEM(err, 64);
                if (!r2 && schema_add(&sc, f->name, t, true))
                    r2 = ERR_NOMEM(err, 64);
            }
            src_close(&s);
            (void)file_fault2;
            if (!r2 && (r2 = catalog_lookup(cat, schema, table, NULL, 0, &rel, err)) == 0) {
                DeltaCreateOptions co;
                memset(&co, 0, sizeof co);
                co.schema = &sc;
                co.if_not_exists = true;
                r2 = delta_create(rel->table, &co, NULL, err);
            }
            schema_destroy(&sc);
            if (r2) {
                catalog_close(cat);
                return r2;
            }
        } else {
            struct timespec ts = {0, 20 * 1000000L};
            nanosleep(&ts, NULL);
        }
        txn = delta_txn_begin(rel->table, err);
    }
    if (!txn) {
        catalog_close(cat);
        return err->kind ? err->kind : TARN_ERR_IO;
    }
    delta_txn_allow_schema_evolution(txn, true);
    Schema ts;
    schema_init(&ts);
    if (schema_copy(&ts, delta_snapshot_schema(delta_txn_snapshot(txn))))
        rc = ERR_NOMEM(err, 64);
    int64_t rows = 0;
    Buf params;
    buf_init(&params);
    rc = rc ? rc : (buf_printf(&params, "{\"source\":\"files\",\"files\":%d}", n) || buf_terminate(&params)) ? ERR_NOMEM(err, 64) : 0;
    for (int i = 0; i < n && !rc; i++) {
        const char *name = files[i].display ? files[i].display : files[i].path;
        rc = load_file(txn, &files[i], &ts, &rows, err);
        if (rc) {
            *bad_index = i;
            if (!strstr(err->message, name))
                err_context(err, "file \"%s\"", name);
            break;
        }
        if (files[i].app_id && (rc = delta_txn_set_app_txn(txn, files[i].app_id, files[i].app_version, err)))
            break;
    }
    if (!rc)
        rc = delta_txn_set_operation(txn, operation ? operation : "WRITE", (const char *)params.data, err);
    if (!rc)
        rc = delta_txn_add_metric(txn, "numSourceFiles", n, err);
    buf_free(&params);
    schema_destroy(&ts);
    if (rc) {
        delta_txn_abort(txn);
        catalog_close(cat);
        return rc;
    }
    bool any_marker = false;
    for (int i = 0; i < n; i++)
        any_marker |= files[i].app_id != NULL;
    if (rows == 0 && !any_marker) {
        /* nothing to record: no empty commit */
        out->version = delta_snapshot_version(delta_txn_snapshot(txn));
        out->files = n;
        delta_txn_abort(txn);
        catalog_close(cat);
        return 0;
    }
    DeltaResult res;
    rc = delta_txn_commit(txn, &res, err);
    if (!rc) {
        out->version = res.version;
        out->rows = rows;
        out->files = n;
        if (res.skipped)
            rc = err_set(err, TARN_ERR_CONFLICT, "files already ingested by a concurrent commit");
    }
    catalog_close(cat);
    return rc;
}

/* ---- The loader ---------------------------------------------------------------------- */

void files_ingest_app_id(const char *abs_path, char *buf, size_t cap)
{
    Sha256 h;
    uint8_t d[32];
    sha256_init(&h);
    sha256_update(&h, abs_path, strlen(abs_path));
    sha256_final(&h, d);
    char hex[33];
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    snprintf(buf, cap, "tarn-files:%s", hex);
}

/* What the loader knows about a file it saw. */
typedef struct Seen {
    char *path;         /* absolute */
    int64_t size;
    int64_t mtime_ns;
    int polls_stable;   /* consecutive polls with the same size and mtime */
    bool done;          /* ingested (by us or before) */
    bool failed;        /* failed at this size/mtime: retried only when it changes */
    bool warned_changed;
} Seen;

typedef struct Loader {
    const FilesIngestOptions *o;
    FilesIngestStats *st;
    Seen *seen;
    size_t n_seen, cap_seen;
    uint32_t *slots;    /* open addressing: seen index + 1, 0 = empty */
    size_t n_slots;     /* power of two, >= 2 * cap_seen */
} Loader;

static uint64_t path_hash(const char *p)
{
    uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a */
    for (; *p; p++)
        h = (h ^ (uint8_t)*p) * UINT64_C(1099511628211);
    return h;
}

static void slots_put(Loader *L, size_t i)
{
    size_t m = L->n_slots - 1, k = (size_t)path_hash(L->seen[i].path) & m;
    while (L->slots[k])
        k = (k + 1) & m;
    L->slots[k] = (uint32_t)i + 1;
}

static Seen *seen_get(Loader *L, const char *path, TarnError *err)
{
    if (L->n_slots) {
        size_t m = L->n_slots - 1;
        for (size_t k = (size_t)path_hash(path) & m; L->slots[k]; k = (k + 1) & m)
            if (!strcmp(L->seen[L->slots[k] - 1].path, path))
                return &L->seen[L->slots[k] - 1];
    }
    if (L->n_seen == L->cap_seen) {
        size_t cap = L->cap_seen ? L->cap_seen * 2 : 64;
        Seen *p = tarn_realloc(L->seen, cap * sizeof *p);
        uint32_t *sl = tarn_calloc(cap * 2, sizeof *sl);
        if (!p || !sl) {
            if (p)
                L->seen = p;
            tarn_free(sl);
            ERR_NOMEM(err, cap * sizeof *p);
            return NULL;
        }
        L->seen = p;
        L->cap_seen = cap;
        tarn_free(L->slots);
        L->slots = sl;
        L->n_slots = cap * 2;
        for (size_t i = 0; i < L->n_seen; i++)
            slots_put(L, i);
    }
    Seen *s = &L->seen[L->n_seen];
    memset(s, 0, sizeof *s);
    s->path = tarn_strdup(path);
    if (!s->path) {
        ERR_NOMEM(err, strlen(path));
        return NULL;
    }
    s->size = -1;
    L->n_seen++;
    slots_put(L, L->n_seen - 1);
    return s;
}

/* Names skipped always: hidden (".x"), "_x" (Spark/Hadoop markers), and
 * files still being written by the usual conventions. */
static bool skip_name(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (b[0] == '.' || b[0] == '_')
        return true;
    static const char *const suffixes[] = {".tmp", "._COPYING_", ".crc", ".part", ".partial", ".inprogress"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t k = strlen(suffixes[i]);
        if (n >= k && !strcasecmp(b + n - k, suffixes[i]))
            return true;
    }
    return false;
}

typedef struct Cand {
    size_t si;          /* index into Loader.seen (which may move) */
    FilesFormat fmt;
    char app_id[64];
} Cand;

static void say(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(FILE *f, const char *fmt, ...)
{
    if (!f)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fflush(f);
}

static void report_fail(Loader *L, Seen *s, const TarnError *e)
{
    s->failed = true;
    L->st->files_failed++;
    if (L->o->errout) {
        say(L->o->errout, "error: %s", e->message);
        if (e->detail[0])
            say(L->o->errout, " (%s)", e->detail);
        if (e->context[0]) {
            /* the context chain, one line: "a\nb" -> "a; b" */
            char ctx[sizeof e->context];
            snprintf(ctx, sizeof ctx, "%s", e->context);
            for (char *p = ctx; *p; p++)
                if (*p == '\n')
                    *p = ';';
            say(L->o->errout, " [%s]", ctx);
        }
        say(L->o->errout, "\n");
    }
}

/* Commits candidates [0, n) in groups; files failing are reported and
 * left out.  Returns an error only for failures that are not a file's. */
static int commit_candidates(Loader *L, Cand *c, size_t n, TarnError *err)
{
    const FilesIngestOptions *o = L->o;
    size_t i = 0;
    IngestFileSpec *specs = tarn_calloc(n + 1, sizeof *specs);
    size_t *idx = tarn_calloc(n + 1, sizeof *idx);
    if (!specs || !idx) {
        tarn_free(specs);
        tarn_free(idx);
        return ERR_NOMEM(err, n * sizeof *specs);
    }
    int rc = 0;
    while (i < n && !rc) {
        if (o->stop && *o->stop)
            break;
        /* a group: up to max files / bytes */
        int k = 0;
        int64_t bytes = 0;
        size_t j = i;
        for (; j < n && k < o->max_files_per_commit; j++) {
            if (k > 0 && bytes + L->seen[c[j].si].size > o->max_bytes_per_commit)
                break;
            idx[k] = j;
            specs[k].path = L->seen[c[j].si].path;
            specs[k].display = L->seen[c[j].si].path;
            specs[k].format = c[j].fmt;
            specs[k].app_id = c[j].app_id;
            specs[k].app_version = L->seen[c[j].si].size;
            bytes += L->seen[c[j].si].size;
            k++;
        }
        i = j;
        for (int attempt = 0; k > 0; attempt++) {
            TarnError e;
            err_clear(&e);
            IngestCommitInfo info;
            int bad = -1;
            int r = ingest_commit_files(o->lake, o->schema, o->table, specs, k, "STREAMING UPDATE", &info, &bad, &e);
            if (r == 0) {
                L->st->commits++;
                L->st->files += k;
                L->st->rows += info.rows;
                if (info.created)
                    say(o->out, "created table %s.%s\n", o->schema, o->table);
                say(o->out, "committed version %" PRId64 ": %d file%s, %" PRId64 " rows\n", info.version, k,
                    k == 1 ? "" : "s", info.rows);
                for (int m = 0; m < k; m++)
                    L->seen[c[idx[m]].si].done = true;
                break;
            }
            if (bad >= 0) {
                report_fail(L, &L->seen[c[idx[bad]].si], &e);
                memmove(&specs[bad], &specs[bad + 1], (size_t)(k - bad - 1) * sizeof *specs);
                memmove(&idx[bad], &idx[bad + 1], (size_t)(k - bad - 1) * sizeof *idx);
                k--;
                continue;
            }
            if (r == TARN_ERR_CONFLICT && attempt < 5) {
                /* a concurrent loader recorded some of these files: keep
                 * only those the table still lacks */
                DeltaTable *t = NULL;
                Catalog *cat = catalog_open(o->lake, err);
                CatalogRel *rel;
                int kept = 0;
                if (cat && catalog_lookup(cat, o->schema, o->table, NULL, 0, &rel, err) == 0)
                    t = rel->table;
                DeltaSnapshot *snap = t ? delta_snapshot_latest(t, err) : NULL;
                for (int m = 0; m < k; m++) {
                    int64_t v;
                    if (snap && delta_snapshot_app_version(snap, specs[m].app_id, &v)) {
                        L->seen[c[idx[m]].si].done = true;
                        L->st->files_skipped++;
                        continue;
                    }
                    specs[kept] = specs[m];
                    idx[kept] = idx[m];
                    kept++;
                }
                if (snap)
                    delta_snapshot_free(snap);
                catalog_close(cat);
                if (!snap) {
                    rc = err->kind ? err->kind : r;
                    break;
                }
                k = kept;
                continue;
            }
            /* not a file's fault (lake unusable...): stop */
            *err = e;
            rc = r;
            break;
        }
    }
    tarn_free(specs);
    tarn_free(idx);
    return rc;
}

static int64_t mtime_ns_of(const struct stat *st) { return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec; }

/* One poll: lists the glob, decides what to load, loads it. */
static int poll_once(Loader *L, TarnError *err)
{
    const FilesIngestOptions *o = L->o;
    glob_t g;
    memset(&g, 0, sizeof g);
    int gr = glob(o->glob, GLOB_ERR, NULL, &g);
    if (gr == GLOB_NOMATCH) {
        globfree(&g);
        return 0;
    }
    if (gr != 0) {
        globfree(&g);
        return err_set(err, TARN_ERR_IO, "cannot list \"%s\": %s", o->glob,
                       gr == GLOB_NOSPACE ? "out of memory" : "read error");
    }
    /* the table's markers */
    Catalog *cat = catalog_open(o->lake, err);
    if (!cat) {
        globfree(&g);
        return err->kind;
    }
    DeltaSnapshot *snap = NULL;
    CatalogRel *rel;
    if (catalog_lookup(cat, o->schema, o->table, NULL, 0, &rel, err) == 0) {
        snap = delta_snapshot_latest(rel->table, err);
        if (!snap) {
            catalog_close(cat);
            globfree(&g);
            return err->kind;
        }
    } else if (err->kind == TARN_ERR_NOT_FOUND) {
        err_clear(err);
    } else {
        catalog_close(cat);
        globfree(&g);
        return err->kind;
    }
    Cand *cands = tarn_calloc(g.gl_pathc + 1, sizeof *cands);
    size_t nc = 0;
    int rc = cands ? 0 : ERR_NOMEM(err, g.gl_pathc * sizeof *cands);
    for (size_t i = 0; i < g.gl_pathc && !rc; i++) {
        const char *p = g.gl_pathv[i];
        struct stat sb;
        if (skip_name(p) || stat(p, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        char abs[PATH_MAX];
        if (!realpath(p, abs))
            continue;
        Seen *s = seen_get(L, abs, err);
        if (!s) {
            rc = err->kind;
            break;
        }
        int64_t mt = mtime_ns_of(&sb);
        bool same = s->size == (int64_t)sb.st_size && s->mtime_ns == mt;
        s->polls_stable = same ? s->polls_stable + 1 : 0;
        if (!same && s->failed)
            s->failed = false; /* changed since it failed: try again */
        s->size = (int64_t)sb.st_size;
        s->mtime_ns = mt;
        Cand *c = &cands[nc];
        files_ingest_app_id(abs, c->app_id, sizeof c->app_id);
        int64_t v;
        if (snap && delta_snapshot_app_version(snap, c->app_id, &v)) {
            if (!s->done) {
                s->done = true;
                L->st->files_skipped++;
            }
            if (v != s->size && !s->warned_changed) {
                s->warned_changed = true;
                say(o->out, "ignored \"%s\": changed after it was ingested (%" PRId64 " bytes then, %" PRId64 " now)\n",
                    abs, v, s->size);
            }
            continue;
        }
        if (s->done || s->failed)
            continue;
        /* --watch: only files whose size and mtime held still for a poll */
        if (o->watch && s->polls_stable < 1)
            continue;
        c->si = (size_t)(s - L->seen);
        c->fmt = o->format != FILES_FMT_AUTO ? o->format : files_format_of_path(abs);
        if (c->fmt == FILES_FMT_AUTO) {
            TarnError e;
            err_clear(&e);
            err_set_state(&e, TARN_ERR_INVALID, "22023",
                          "file \"%s\": cannot tell its format from the name (give --format)", abs);
            report_fail(L, s, &e);
            continue;
        }
        nc++;
    }
    if (snap)
        delta_snapshot_free(snap);
    catalog_close(cat);
    globfree(&g);
    if (!rc && nc)
        rc = commit_candidates(L, cands, nc, err);
    tarn_free(cands);
    return rc;
}

int files_ingest_run(const FilesIngestOptions *opt, FilesIngestStats *st, TarnError *err)
{
    FilesIngestOptions o = *opt;
    memset(st, 0, sizeof *st);
    if (!o.lake || !o.glob || !o.table)
        return err_set(err, TARN_ERR_INVALID, "files ingest needs a lake, a path pattern and a table");
    if (!o.schema)
        o.schema = "public";
    if (o.poll_ms <= 0)
        o.poll_ms = 1000;
    if (o.max_files_per_commit <= 0)
        o.max_files_per_commit = 64;
    if (o.max_bytes_per_commit <= 0)
        o.max_bytes_per_commit = INT64_C(256) << 20;
    int rc = catalog_check_name(o.schema, err);
    if (!rc)
        rc = catalog_check_name(o.table, err);
    if (rc)
        return rc;
    Loader L;
    memset(&L, 0, sizeof L);
    L.o = &o;
    L.st = st;
    for (;;) {
        if ((rc = poll_once(&L, err)))
            break;
        if (!o.watch || (o.stop && *o.stop))
            break;
        /* sleep in slices so a signal ends the wait promptly */
        for (int waited = 0; waited < o.poll_ms && !(o.stop && *o.stop); waited += 50) {
            int slice = o.poll_ms - waited < 50 ? o.poll_ms - waited : 50;
            struct timespec ts = {0, (long)slice * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (o.stop && *o.stop)
            break;
    }
    for (size_t i = 0; i < L.n_seen; i++)
        tarn_free(L.seen[i].path);
    tarn_free(L.seen);
    tarn_free(L.slots);
    return rc;
}
