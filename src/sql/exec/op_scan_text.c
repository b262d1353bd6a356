/*
 * op_scan_text.c - read_csv('file'), read_json('file') and
 * read_avro('file'): text files (and Avro container files) as a table,
 * read on one thread, files in order.  CSV columns get the types the binder
 * inferred from the first file (so every file parses alike).
 */
#include <string.h>

#include "format/avro/avro.h"
#include "format/csv/csv.h"
#include "format/json/json.h"
#include "sql/exec/ops.h"

typedef struct ScanText {
    PhysOp op;
    ScanSpec spec;
} ScanText;

typedef struct Local {
    uint32_t next_file;
    CsvReader *csv;
    JsonReader *json;
    AvroFileReader *avro;
    Batch batch;
    bool batch_ok;
    ScanOut so;
    bool so_ok;
    uint32_t *batch_col;
} Local;

static int src_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    (void)op; (void)x;
    Local *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    *local = l;
    return 0;
}

static void close_file(Local *l)
{
    if (l->batch_ok)
        batch_destroy(&l->batch);
    l->batch_ok = false;
    if (l->csv)
        csv_reader_close(l->csv);
    if (l->json)
        json_reader_close(l->json);
    avro_file_close(l->avro);
    l->csv = NULL;
    l->json = NULL;
    l->avro = NULL;
}

static int open_next(ScanText *s, Local *l, ExecCtx *x, TarnError *err)
{
    const LogicalOp *g = s->spec.get;
    const char *path = g->u.get.files[l->next_file++];
    const Schema *want = g->u.get.schema, *have;
    if (g->u.get.source == SCAN_CSV) {
        CsvOptions o;
        csv_options_default(&o);
        o.delimiter = g->u.get.csv.delimiter;
        o.quote = g->u.get.csv.quote;
        o.header = g->u.get.csv.header;
        o.null_str = g->u.get.csv.null_str;
        CsvColumnType *ct = tarn_calloc(want->n_fields ? want->n_fields : 1, sizeof *ct);
        if (!ct)
            return ERR_NOMEM(err, 0);
        for (uint32_t i = 0; i < want->n_fields; i++) {
            ct[i].name = want->fields[i].name;
            ct[i].type = want->fields[i].type;
        }
        o.column_types = ct;
        o.n_column_types = (int)want->n_fields;
        l->csv = csv_reader_open(path, &o, err);
        tarn_free(ct);
        if (!l->csv)
            return err->kind ? err->kind : TARN_ERR_IO;
        have = csv_reader_schema(l->csv);
    } else if (g->u.get.source == SCAN_AVRO) {
        l->avro = avro_file_open(path, err);
        if (!l->avro)
            return err->kind ? err->kind : TARN_ERR_IO;
        have = avro_file_schema(l->avro);
    } else {
        l->json = json_reader_open(path, NULL, err);
        if (!l->json)
            return err->kind ? err->kind : TARN_ERR_IO;
        have = json_reader_schema(l->json);
    }
    /* map read columns to this file's columns by name */
    for (uint32_t i = 0; i < s->spec.n_read; i++) {
        const Field *f = &want->fields[s->spec.read_cols[i]];
        int k = schema_find(have, f->name);
        if (k < 0 || !type_equal(&have->fields[k].type, &f->type))
            return err_set_state(err, TARN_ERR_TYPE, "42804", "file \"%s\" does not match the schema of \"%s\" (column \"%s\")",
                                 path, g->u.get.files[0], f->name);
        l->batch_col[i] = (uint32_t)k;
    }
    if (batch_init(&l->batch, have))
        return ERR_NOMEM(err, 0);
    l->batch_ok = true;
    if (!l->so_ok) {
        int rc = scan_out_init(&l->so, &s->spec, x, l->batch_col, err);
        if (rc)
            return rc;
        l->so_ok = true;
    }
    return 0;
}

static int src_next(PhysOp *op, ExecCtx *x, void *local, Chunk *out, TarnError *err)
{
    ScanText *s = (ScanText *)op;
    Local *l = local;
    const LogicalOp *g = s->spec.get;
    if (!l->batch_col) {
        l->batch_col = tarn_calloc(s->spec.n_read ? s->spec.n_read : 1, sizeof(uint32_t));
        if (!l->batch_col)
            return ERR_NOMEM(err, 0);
    }
    for (;;) {
        if (!l->csv && !l->json && !l->avro) {
            if (l->next_file >= g->u.get.n_files) {
                out->n_rows = 0;
                return 0;
            }
            int rc = open_next(s, l, x, err);
            if (rc)
                return rc;
        }
        batch_reset(&l->batch);
        int rc = l->csv    ? csv_reader_next(l->csv, &l->batch, err)
                 : l->avro ? avro_file_next(l->avro, &l->batch, err)
                           : json_reader_next(l->json, &l->batch, err);
        if (rc)
            return rc;
        if (l->batch.n_rows == 0) {
            close_file(l);
            continue;
        }
        if ((rc = scan_out_emit(&l->so, &l->batch, out, err)))
            return rc;
        if (out->n_rows)
            return 0;
    }
}

static void src_local_free(PhysOp *op, void *local)
{
    (void)op;
    Local *l = local;
    close_file(l);
    if (l->so_ok)
        scan_out_free(&l->so);
    tarn_free(l->batch_col);
    tarn_free(l);
}

static void explain(PhysOp *op, Buf *out)
{
    ScanText *s = (ScanText *)op;
    buf_printf(out, " on %s", s->spec.get->u.get.files[0]);
    if (s->spec.filter) {
        buf_printf(out, " filter: ");
        expr_to_text(s->spec.filter, out);
    }
}

static const PhysOpVT vt_csv = {
    .name = "CSV Scan",
    .src_local_init = src_local_init,
    .src_next = src_next,
    .src_local_free = src_local_free,
    .explain = explain,
};
static const PhysOpVT vt_json = {
    .name = "JSON Scan",
    .src_local_init = src_local_init,
    .src_next = src_next,
    .src_local_free = src_local_free,
    .explain = explain,
};
static const PhysOpVT vt_avro = {
    .name = "Avro Scan",
    .src_local_init = src_local_init,
    .src_next = src_next,
    .src_local_free = src_local_free,
    .explain = explain,
};

PhysOp *op_scan_text_new(Arena *a, const ScanSpec *spec, TarnError *err)
{
    ScanText *s = arena_calloc(a, sizeof *s);
    LogicalType *types = arena_alloc(a, (spec->n_out ? spec->n_out : 1) * sizeof(LogicalType));
    if (!s || !types) {
        ERR_NOMEM(err, sizeof *s);
        return NULL;
    }
    s->spec = *spec;
    const Schema *sch = spec->get->u.get.schema;
    for (uint32_t i = 0; i < spec->n_out; i++)
        types[i] = sch->fields[spec->read_cols[spec->out_pos[i]]].type;
    ScanSourceKind src = spec->get->u.get.source;
    physop_init(&s->op, src == SCAN_CSV ? &vt_csv : src == SCAN_AVRO ? &vt_avro : &vt_json, ROLE_SOURCE, spec->n_out,
                types);
    s->op.est_rows = spec->get->est_rows;
    return &s->op;
}
