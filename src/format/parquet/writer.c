/*
 * writer.c - the Parquet file writer (writer.h): maps the tarn schema to
 * Parquet schema elements, shreds batches into definition/repetition levels
 * per leaf column, closes row groups, and lays the file out:
 *
 *   "PAR1"
 *   row group 0: column chunk 0 (dictionary page?, data pages...), chunk 1 ...
 *   row group 1 ...
 *   bloom filters (BloomFilterHeader + bitset, every chunk that has one)
 *   column indexes, then offset indexes (PageIndex.md)
 *   FileMetaData (Thrift compact), 4-byte little-endian length, "PAR1"
 *
 * Pages and dictionaries are the business of writer_column.c.  Bytes go out
 * through a 1 MiB buffer to write(2) or the caller's sink; large column
 * chunks bypass the buffer.
 *
 * Shredding (Dremel): each leaf has a path of steps from its top-level
 * vector (writer_int.h PqwStep).  A slice of rows starts as one entry per
 * row (rep 0, def 0); a STRUCT or leaf step raises def for a present
 * nullable value and ends ("kills") the entry at a NULL; a LIST/MAP step
 * kills NULL and empty lists and otherwise expands the entry into one per
 * element (rep of the first element unchanged, the others at the list's
 * repetition level, def + 1 for the repeated group).  Surviving entries at
 * the leaf are the values.  Top-level primitive columns take a fast path
 * straight from the validity bitmap.
 */
#include "format/parquet/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "format/parquet/compress.h"
#include "format/parquet/encoding.h"
#include "format/parquet/writer_int.h"
#include "tarn.h"

#ifndef TARN_BUILD_ID
#define TARN_BUILD_ID "dev"
#endif

#define OUT_CAP (1u << 20)        /* output buffer */
#define SLICE_ROWS 8192u          /* rows shredded at a time */
#define PROBE_ROWS 256u           /* first slice, before the row size is known */
#define MAX_PATH_DEPTH 64         /* nesting limit of a column path */
#define DEAD UINT32_MAX           /* shredding: entry ended above the leaf */

/* Level scratch for shredding. */
typedef struct LevelBuf {
    uint16_t *def, *rep;
    uint32_t *idx;
    uint32_t cap;
} LevelBuf;

struct PqWriter {
    const Schema *schema;          /* borrowed */
    PqWriteOptions opt;
    /* output */
    int fd;                        /* -1 for sink writers */
    char *path;                    /* owned; NULL for sink writers */
    PqSink sink;
    Buf out;                       /* pending output bytes */
    int64_t pos;                   /* file offset of the next byte (incl. out) */
    /* schema */
    PqSchemaElement *els;          /* owned; depth-first, els[0] the root */
    int32_t n_els, cap_els;
    PqwCol *cols;                  /* owned; one per leaf */
    uint32_t n_cols, cap_cols;
    char *created_by;              /* owned */
    /* metadata of finished row groups */
    Arena meta;                    /* lives until close */
    Arena tmp;                     /* reset after every row group */
    PqRowGroup *rgs;               /* owned */
    int32_t n_rgs, cap_rgs;
    int64_t rg_rows, total_rows;
    double bytes_per_row;          /* estimate, 0 = unknown */
    Buf bloom_area, ci_area, oi_area;
    /* shredding scratch */
    LevelBuf lv[2];
    uint32_t *sel;
    uint16_t *fdef;
    uint32_t sel_cap, fdef_cap;
    bool failed;                   /* an earlier error left the file unusable */
};

void pq_write_options_default(PqWriteOptions *o)
{
    memset(o, 0, sizeof *o);
    o->codec = PQ_CODEC_SNAPPY;
    o->compression_level = 0;
    o->row_group_rows = 1048576;
    o->row_group_bytes = 128LL * 1024 * 1024;
    o->page_bytes = 1024 * 1024;
    o->page_rows = 20000;
    o->dict_max_bytes = 1024 * 1024;
    o->page_index = true;
    o->bloom_filters = false;
    o->bloom_fpp = 0.01;
    o->page_crc = true;
    o->data_page_version = 1;
    o->force_encoding = -1;
    o->n_kv = 0;
    o->kv = NULL;
}

/* ---- Output ------------------------------------------------------------------- */

static int raw_write(PqWriter *w, const uint8_t *p, size_t n, TarnError *err)
{
    if (w->fd < 0) {
        int rc = w->sink.write(w->sink.ctx, p, n, err);
        if (rc)
            return err_context(err, "writing parquet output");
        return 0;
    }
    while (n > 0) {
        ssize_t k = write(w->fd, p, n > (1u << 30) ? (1u << 30) : n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return err_set(err, TARN_ERR_IO, "could not write to file \"%s\": %s", w->path,
                           strerror(errno));
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int out_flush(PqWriter *w, TarnError *err)
{
    if (!w->out.len)
        return 0;
    int rc = raw_write(w, w->out.data, w->out.len, err);
    w->out.len = 0;
    return rc;
}

static int out_write(PqWriter *w, const void *p, size_t n, TarnError *err)
{
    if (!n)
        return 0;
    if (n >= OUT_CAP / 2) {
        int rc = out_flush(w, err);
        if (!rc)
            rc = raw_write(w, p, n, err);
        if (rc)
            return rc;
    } else {
        if (w->out.len + n > OUT_CAP) {
            int rc = out_flush(w, err);
            if (rc)
                return rc;
        }
        memcpy(w->out.data + w->out.len, p, n);
        w->out.len += n;
    }
    w->pos += (int64_t)n;
    return 0;
}

/* ---- Schema mapping ------------------------------------------------------------- */

typedef struct SchemaBuild {
    const char *names[MAX_PATH_DEPTH]; /* Parquet path of the current element */
    const char *tnames[MAX_PATH_DEPTH];/* tarn field names, for messages */
    int depth, tdepth;
    PqwStep steps[MAX_PATH_DEPTH];
    int n_steps;
    uint32_t top;
} SchemaBuild;

static PqSchemaElement *new_element(PqWriter *w, const char *name, int rep, TarnError *err)
{
    if (w->n_els == w->cap_els) {
        int32_t cap = w->cap_els ? w->cap_els * 2 : 32;
        PqSchemaElement *e = tarn_realloc(w->els, (size_t)cap * sizeof *e);
        if (!e) {
            ERR_NOMEM(err, (size_t)cap * sizeof *e);
            return NULL;
        }
        w->els = e;
        w->cap_els = cap;
    }
    PqSchemaElement *e = &w->els[w->n_els++];
    pq_schema_element_init(e);
    e->name = name;
    e->repetition = rep;
    return e;
}

static void set_int_type(PqSchemaElement *e, PqwCol *c, int phys, int bits, bool is_signed,
                         int ct)
{
    e->type = phys;
    e->logical.kind = PQ_LT_INTEGER;
    e->logical.bit_width = (int8_t)bits;
    e->logical.is_signed = is_signed;
    e->converted_type = ct;
    c->phys = (PqPhysType)phys;
    c->order = is_signed ? PQW_ORD_SIGNED : PQW_ORD_UNSIGNED;
    c->legacy_stats = is_signed;
}

/* Bytes of the smallest two's complement FLBA holding every DECIMAL(p). */
static int decimal_bytes(int precision)
{
    int128_t max = 1;
    for (int i = 0; i < precision; i++)
        max *= 10;
    max -= 1;
    for (int n = 1; n < 16; n++)
        if (max < ((int128_t)1 << (8 * n - 1)))
            return n;
    return 16;
}

/* Fills the leaf's schema element and physical mapping (writer.h table). */
static int map_leaf(PqSchemaElement *e, PqwCol *c, const LogicalType *t, TarnError *err)
{
    c->type_length = 0;
    c->legacy_stats = false;
    c->utf8 = false;
    switch (t->id) {
    case TYPE_BOOL:
        e->type = c->phys = PQ_BOOLEAN;
        c->src = PQW_SRC_BOOL;
        c->order = PQW_ORD_BOOL;
        c->legacy_stats = true;
        break;
    case TYPE_INT8:
        set_int_type(e, c, PQ_INT32, 8, true, PQ_CT_INT_8);
        c->src = PQW_SRC_I8;
        break;
    case TYPE_INT16:
        set_int_type(e, c, PQ_INT32, 16, true, PQ_CT_INT_16);
        c->src = PQW_SRC_I16;
        break;
    case TYPE_INT32:
        set_int_type(e, c, PQ_INT32, 32, true, PQ_CT_INT_32);
        c->src = PQW_SRC_I32;
        break;
    case TYPE_INT64:
        set_int_type(e, c, PQ_INT64, 64, true, PQ_CT_INT_64);
        c->src = PQW_SRC_I64;
        break;
    case TYPE_UINT8:
        set_int_type(e, c, PQ_INT32, 8, false, PQ_CT_UINT_8);
        c->src = PQW_SRC_U8;
        break;
    case TYPE_UINT16:
        set_int_type(e, c, PQ_INT32, 16, false, PQ_CT_UINT_16);
        c->src = PQW_SRC_U16;
        break;
    case TYPE_UINT32:
        set_int_type(e, c, PQ_INT32, 32, false, PQ_CT_UINT_32);
        c->src = PQW_SRC_I32;
        break;
    case TYPE_UINT64:
        set_int_type(e, c, PQ_INT64, 64, false, PQ_CT_UINT_64);
        c->src = PQW_SRC_I64;
        break;
    case TYPE_FLOAT:
        e->type = c->phys = PQ_FLOAT;
        c->src = PQW_SRC_FLOAT;
        c->order = PQW_ORD_FLOAT;
        c->legacy_stats = true;
        break;
    case TYPE_DOUBLE:
        e->type = c->phys = PQ_DOUBLE;
        c->src = PQW_SRC_DOUBLE;
        c->order = PQW_ORD_FLOAT;
        c->legacy_stats = true;
        break;
    case TYPE_DECIMAL: {
        int p = t->precision, s = t->scale;
        if (p < 1 || p > DECIMAL_MAX_PRECISION || s > p)
            return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: decimal(%d,%d) in parquet",
                           p, s);
        e->logical.kind = PQ_LT_DECIMAL;
        e->logical.precision = p;
        e->logical.scale = s;
        e->converted_type = PQ_CT_DECIMAL;
        e->precision = p;
        e->scale = s;
        c->order = PQW_ORD_SIGNED;
        if (p <= 9) {
            e->type = c->phys = PQ_INT32;
            c->src = PQW_SRC_I64_TO_I32;
            c->legacy_stats = true;
        } else if (p <= DECIMAL64_MAX_PRECISION) {
            e->type = c->phys = PQ_INT64;
            c->src = PQW_SRC_I64;
            c->legacy_stats = true;
        } else {
            e->type = c->phys = PQ_FIXED_LEN_BYTE_ARRAY;
            e->type_length = c->type_length = decimal_bytes(p);
            c->src = PQW_SRC_DEC128;
            c->order = PQW_ORD_FLBA_SIGNED;
        }
        break;
    }
    case TYPE_DATE:
        e->type = c->phys = PQ_INT32;
        e->logical.kind = PQ_LT_DATE;
        e->converted_type = PQ_CT_DATE;
        c->src = PQW_SRC_I32;
        c->order = PQW_ORD_SIGNED;
        c->legacy_stats = true;
        break;
    case TYPE_TIME:
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ:
        /* LogicalTypes.md: local times and timestamps carry the legacy
         * *_MICROS annotation too, for readers that predate LogicalType. */
        e->type = c->phys = PQ_INT64;
        e->logical.kind = t->id == TYPE_TIME ? PQ_LT_TIME : PQ_LT_TIMESTAMP;
        e->logical.unit = PQ_MICROS;
        e->logical.is_adjusted_to_utc = t->id == TYPE_TIMESTAMPTZ;
        e->converted_type = t->id == TYPE_TIME ? PQ_CT_TIME_MICROS : PQ_CT_TIMESTAMP_MICROS;
        c->src = PQW_SRC_I64;
        c->order = PQW_ORD_SIGNED;
        c->legacy_stats = true;
        break;
    case TYPE_INTERVAL:
        /* LogicalTypes.md: sort order undefined, so no min/max. */
        e->type = c->phys = PQ_FIXED_LEN_BYTE_ARRAY;
        e->type_length = c->type_length = 12;
        e->converted_type = PQ_CT_INTERVAL;
        c->src = PQW_SRC_INTERVAL;
        c->order = PQW_ORD_NONE;
        break;
    case TYPE_STRING:
    case TYPE_JSON:
    case TYPE_BLOB:
        e->type = c->phys = PQ_BYTE_ARRAY;
        if (t->id == TYPE_STRING) {
            e->logical.kind = PQ_LT_STRING;
            e->converted_type = PQ_CT_UTF8;
            c->utf8 = true;
        } else if (t->id == TYPE_JSON) {
            e->logical.kind = PQ_LT_JSON;
            e->converted_type = PQ_CT_JSON;
            c->utf8 = true;
        }
        c->src = PQW_SRC_STR;
        c->order = PQW_ORD_BYTES;
        break;
    case TYPE_UUID:
        e->type = c->phys = PQ_FIXED_LEN_BYTE_ARRAY;
        e->type_length = c->type_length = 16;
        e->logical.kind = PQ_LT_UUID;
        c->src = PQW_SRC_UUID;
        c->order = PQW_ORD_BYTES;
        break;
    case TYPE_NULL:
        e->type = c->phys = PQ_INT32;
        e->logical.kind = PQ_LT_UNKNOWN_NULL;
        c->src = PQW_SRC_NULL;
        c->order = PQW_ORD_NONE;
        break;
    default: {
        char buf[64];
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: type %s in parquet",
                       type_name(t, buf, sizeof buf));
    }
    }
    return 0;
}

static int add_leaf(PqWriter *w, SchemaBuild *sb, PqSchemaElement *e, const LogicalType *t,
                    uint16_t def, uint16_t rep, TarnError *err)
{
    if (w->n_cols == w->cap_cols) {
        uint32_t cap = w->cap_cols ? w->cap_cols * 2 : 16;
        PqwCol *cols = tarn_realloc(w->cols, (size_t)cap * sizeof *cols);
        if (!cols)
            return ERR_NOMEM(err, (size_t)cap * sizeof *cols);
        w->cols = cols;
        w->cap_cols = cap;
    }
    PqwCol *c = &w->cols[w->n_cols];
    memset(c, 0, sizeof *c);
    w->n_cols++;
    int rc = map_leaf(e, c, t, err);
    if (rc)
        return rc;
    c->top = sb->top;
    c->max_def = def;
    c->max_rep = rep;
    c->def_bits = pq_bit_width(def);
    c->rep_bits = pq_bit_width(rep);
    c->n_path = sb->depth;
    c->path = arena_alloc(&w->meta, (size_t)sb->depth * sizeof(char *));
    c->steps = tarn_malloc((size_t)sb->n_steps * sizeof(PqwStep));
    Buf name;
    buf_init(&name);
    for (int i = 0; i < sb->tdepth; i++)
        if ((i && buf_append_byte(&name, '.')) || buf_printf(&name, "%s", sb->tnames[i]))
            rc = TARN_ERR_NOMEM;
    if (rc || buf_terminate(&name) || !c->path || !c->steps) {
        buf_free(&name);
        return ERR_NOMEM(err, 256);
    }
    c->name = (char *)name.data;
    memcpy(c->path, sb->names, (size_t)sb->depth * sizeof(char *));
    memcpy(c->steps, sb->steps, (size_t)sb->n_steps * sizeof(PqwStep));
    c->n_steps = (uint32_t)sb->n_steps;
    c->o.codec = w->opt.codec;
    c->o.level = w->opt.compression_level;
    c->o.page_rows = w->opt.page_rows;
    c->o.page_bytes = w->opt.page_bytes;
    c->o.dict_max_bytes = w->opt.dict_max_bytes;
    c->o.page_crc = w->opt.page_crc;
    c->o.page_index = w->opt.page_index;
    c->o.page_version = w->opt.data_page_version;
    c->o.force_encoding = w->opt.force_encoding;
    c->o.bloom = w->opt.bloom_filters && sb->n_steps == 1 && c->phys != PQ_BOOLEAN &&
                 c->src != PQW_SRC_NULL;
    c->o.bloom_fpp = w->opt.bloom_fpp;
    return pqw_col_init(c, err);
}

/* Adds the schema elements of one field (depth-first) and its leaves.
 * def / rep are the levels of the enclosing group. */
static int add_field(PqWriter *w, SchemaBuild *sb, const LogicalType *t, const char *name,
                     const char *tname, bool nullable, uint16_t def, uint16_t rep,
                     TarnError *err)
{
    if (sb->depth + 2 >= MAX_PATH_DEPTH || sb->n_steps + 1 >= MAX_PATH_DEPTH)
        return err_set(err, TARN_ERR_UNSUPPORTED,
                       "unsupported: column \"%s\" is nested more than %d levels deep",
                       sb->tnames[0], MAX_PATH_DEPTH / 2);
    if (t->id == TYPE_NULL)
        nullable = true;
    int32_t ei = w->n_els;
    if (!new_element(w, name, nullable ? PQ_OPTIONAL : PQ_REQUIRED, err))
        return TARN_ERR_NOMEM;
    if (nullable)
        def++;
    sb->names[sb->depth++] = name;
    sb->tnames[sb->tdepth++] = tname;
    PqwStep *st = &sb->steps[sb->n_steps++];
    memset(st, 0, sizeof *st);
    st->nullable = nullable;
    int rc = 0;
    switch (t->id) {
    case TYPE_LIST:
    case TYPE_MAP: {
        bool is_map = t->id == TYPE_MAP;
        if (t->n_fields != (is_map ? 2u : 1u))
            return ERR_INTERNAL(err, "malformed list/map type");
        PqSchemaElement *e = &w->els[ei];
        e->num_children = 1;
        e->logical.kind = is_map ? PQ_LT_MAP : PQ_LT_LIST;
        e->converted_type = is_map ? PQ_CT_MAP : PQ_CT_LIST;
        /* LogicalTypes.md: repeated group "list" / "key_value". */
        const char *mid = is_map ? "key_value" : "list";
        PqSchemaElement *g = new_element(w, mid, PQ_REPEATED, err);
        if (!g)
            return TARN_ERR_NOMEM;
        g->num_children = is_map ? 2 : 1;
        sb->names[sb->depth++] = mid;
        st->kind = is_map ? PQW_STEP_MAP : PQW_STEP_LIST;
        st->rep_level = (uint16_t)(rep + 1);
        if (is_map) {
            st->child = 0;
            rc = add_field(w, sb, &t->fields[0].type, "key", t->fields[0].name, false,
                           (uint16_t)(def + 1), (uint16_t)(rep + 1), err);
            if (!rc) {
                sb->steps[sb->n_steps - 1].child = 1;
                rc = add_field(w, sb, &t->fields[1].type, "value", t->fields[1].name,
                               t->fields[1].nullable, (uint16_t)(def + 1), (uint16_t)(rep + 1),
                               err);
            }
        } else {
            st->child = 0;
            rc = add_field(w, sb, &t->fields[0].type, "element", t->fields[0].name,
                           t->fields[0].nullable, (uint16_t)(def + 1), (uint16_t)(rep + 1), err);
        }
        sb->depth--;
        break;
    }
    case TYPE_STRUCT: {
        if (t->n_fields == 0)
            return err_set(err, TARN_ERR_UNSUPPORTED,
                           "unsupported: struct column \"%s\" without fields in parquet", tname);
        w->els[ei].num_children = (int32_t)t->n_fields;
        st->kind = PQW_STEP_STRUCT;
        for (uint32_t i = 0; i < t->n_fields && !rc; i++) {
            sb->steps[sb->n_steps - 1].child = i;
            rc = add_field(w, sb, &t->fields[i].type, t->fields[i].name, t->fields[i].name,
                           t->fields[i].nullable, def, rep, err);
        }
        break;
    }
    default:
        st->kind = PQW_STEP_LEAF;
        rc = add_leaf(w, sb, &w->els[ei], t, def, rep, err);
        break;
    }
    sb->depth--;
    sb->tdepth--;
    sb->n_steps--;
    return rc;
}

/* ---- Open / close --------------------------------------------------------------- */

static int check_options(PqWriteOptions *o, TarnError *err)
{
    if (o->row_group_rows < 0 || o->row_group_bytes < 0 || o->page_bytes < 0 ||
        o->page_rows < 0 || o->dict_max_bytes < 0 || o->n_kv < 0 || (o->n_kv && !o->kv))
        return err_set(err, TARN_ERR_INVALID, "invalid parquet write options: negative size");
    if (!o->row_group_rows)
        o->row_group_rows = 1048576;
    if (!o->row_group_bytes)
        o->row_group_bytes = 128LL * 1024 * 1024;
    if (!o->page_bytes)
        o->page_bytes = 1024 * 1024;
    if (!o->page_rows)
        o->page_rows = 20000;
    if (!o->data_page_version)
        o->data_page_version = 1;
    if (o->data_page_version != 1 && o->data_page_version != 2)
        return err_set(err, TARN_ERR_INVALID, "invalid parquet data page version %d",
                       o->data_page_version);
    if (!(o->bloom_fpp > 0.0 && o->bloom_fpp < 1.0))
        o->bloom_fpp = 0.01;
    Buf probe;
    buf_init(&probe);
    int rc = pq_compress(o->codec, o->compression_level, (const uint8_t *)"tarn", 4, &probe, err);
    buf_free(&probe);
    return rc;
}

static void writer_free(PqWriter *w)
{
    for (uint32_t i = 0; i < w->n_cols; i++)
        pqw_col_free(&w->cols[i]);
    tarn_free(w->cols);
    tarn_free(w->els);
    tarn_free(w->created_by);
    tarn_free(w->rgs);
    arena_free(&w->meta);
    arena_free(&w->tmp);
    buf_free(&w->out);
    buf_free(&w->bloom_area);
    buf_free(&w->ci_area);
    buf_free(&w->oi_area);
    for (int i = 0; i < 2; i++) {
        tarn_free(w->lv[i].def);
        tarn_free(w->lv[i].rep);
        tarn_free(w->lv[i].idx);
    }
    tarn_free(w->sel);
    tarn_free(w->fdef);
    if (w->fd >= 0)
        close(w->fd);
    tarn_free(w->path);
    tarn_free(w);
}

static PqWriter *writer_new(const Schema *schema, const PqWriteOptions *opt, TarnError *err)
{
    PqWriter *w = tarn_calloc(1, sizeof *w);
    if (!w) {
        ERR_NOMEM(err, sizeof *w);
        return NULL;
    }
    w->fd = -1;
    w->schema = schema;
    arena_init(&w->meta, 0);
    arena_init(&w->tmp, 0);
    if (opt)
        w->opt = *opt;
    else
        pq_write_options_default(&w->opt);
    if (check_options(&w->opt, err))
        goto fail;
    if (schema->n_fields == 0) {
        err_set(err, TARN_ERR_INVALID, "cannot write a parquet file without columns");
        goto fail;
    }
    /* Root element: parquet.thrift requires a group holding the top-level fields. */
    PqSchemaElement *root = new_element(w, "schema", PQ_REP_NONE, err);
    if (!root)
        goto fail;
    root->num_children = (int32_t)schema->n_fields;
    SchemaBuild sb;
    memset(&sb, 0, sizeof sb);
    for (uint32_t i = 0; i < schema->n_fields; i++) {
        const Field *f = &schema->fields[i];
        sb.top = i;
        if (add_field(w, &sb, &f->type, f->name, f->name, f->nullable, 0, 0, err))
            goto fail;
    }
    char buf[128];
    snprintf(buf, sizeof buf, "tarn version %s (build %s)", TARN_VERSION, TARN_BUILD_ID);
    w->created_by = tarn_strdup(buf);
    if (!w->created_by || buf_reserve(&w->out, OUT_CAP)) {
        ERR_NOMEM(err, OUT_CAP);
        goto fail;
    }
    return w;
fail:
    writer_free(w);
    return NULL;
}

static int write_magic(PqWriter *w, TarnError *err)
{
    return out_write(w, "PAR1", 4, err);
}

PqWriter *pq_writer_open(const char *path, const Schema *schema, const PqWriteOptions *opt,
                         TarnError *err)
{
    PqWriter *w = writer_new(schema, opt, err);
    if (!w)
        return NULL;
    w->path = tarn_strdup(path);
    if (!w->path) {
        ERR_NOMEM(err, strlen(path));
        writer_free(w);
        return NULL;
    }
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        err_set(err, errno == ENOENT ? TARN_ERR_NOT_FOUND : TARN_ERR_IO,
                "could not create file \"%s\": %s", path, strerror(errno));
        writer_free(w);
        return NULL;
    }
    if (write_magic(w, err)) {
        pq_writer_abort(w);
        return NULL;
    }
    return w;
}

PqWriter *pq_writer_open_sink(PqSink sink, const Schema *schema, const PqWriteOptions *opt,
                              TarnError *err)
{
    if (!sink.write) {
        err_set(err, TARN_ERR_INVALID, "parquet sink without a write function");
        return NULL;
    }
    PqWriter *w = writer_new(schema, opt, err);
    if (!w)
        return NULL;
    w->sink = sink;
    if (write_magic(w, err)) {
        writer_free(w);
        return NULL;
    }
    return w;
}

void pq_writer_abort(PqWriter *w)
{
    if (!w)
        return;
    if (w->path) {
        if (w->fd >= 0) {
            close(w->fd);
            w->fd = -1;
        }
        unlink(w->path);
    }
    writer_free(w);
}

int64_t pq_writer_rows(const PqWriter *w)
{
    return w->total_rows;
}

int64_t pq_writer_bytes(const PqWriter *w)
{
    int64_t n = w->pos;
    for (uint32_t i = 0; i < w->n_cols; i++)
        n += pqw_col_pending_bytes(&w->cols[i]);
    return n;
}

/* ---- Row groups ------------------------------------------------------------------- */

static int64_t rg_bytes(const PqWriter *w)
{
    int64_t n = 0;
    for (uint32_t i = 0; i < w->n_cols; i++)
        n += pqw_col_chunk_bytes(&w->cols[i]);
    return n;
}

static int flush_row_group(PqWriter *w, TarnError *err)
{
    if (w->rg_rows == 0)
        return 0;
    if (w->n_rgs == w->cap_rgs) {
        int32_t cap = w->cap_rgs ? w->cap_rgs * 2 : 8;
        PqRowGroup *g = tarn_realloc(w->rgs, (size_t)cap * sizeof *g);
        if (!g)
            return ERR_NOMEM(err, (size_t)cap * sizeof *g);
        w->rgs = g;
        w->cap_rgs = cap;
    }
    PqColumnChunk *chunks = arena_alloc(&w->meta, (size_t)w->n_cols * sizeof *chunks);
    if (!chunks)
        return ERR_NOMEM(err, (size_t)w->n_cols * sizeof *chunks);
    int64_t start = w->pos, unc = 0, comp = 0;
    for (uint32_t i = 0; i < w->n_cols; i++) {
        PqwCol *c = &w->cols[i];
        int rc = pqw_col_finish(c, err);
        if (!rc)
            rc = pqw_col_chunk_meta(c, w->pos, &w->meta, &w->tmp, &chunks[i], &w->bloom_area,
                                    &w->ci_area, &w->oi_area, err);
        if (!rc)
            rc = out_write(w, c->dict_page.data, c->dict_page.len, err);
        if (!rc)
            rc = out_write(w, c->pages.data, c->pages.len, err);
        if (rc)
            return err_context(err, "writing column \"%s\"", c->name);
        unc += chunks[i].meta_data.total_uncompressed_size;
        comp += chunks[i].meta_data.total_compressed_size;
        pqw_col_reset(c);
    }
    PqRowGroup *g = &w->rgs[w->n_rgs];
    memset(g, 0, sizeof *g);
    g->n_columns = (int32_t)w->n_cols;
    g->columns = chunks;
    g->total_byte_size = unc;
    g->num_rows = w->rg_rows;
    g->file_offset = start;
    g->total_compressed_size = comp;
    g->ordinal = w->n_rgs <= INT16_MAX ? (int16_t)w->n_rgs : -1;
    w->n_rgs++;
    w->bytes_per_row = (double)unc / (double)w->rg_rows;
    w->rg_rows = 0;
    arena_reset(&w->tmp);
    return 0;
}

/* ---- Shredding ---------------------------------------------------------------------- */

static int level_reserve(LevelBuf *lb, uint64_t n, bool need_rep)
{
    if (n <= lb->cap && (!need_rep || lb->rep))
        return 0;
    if (n > (UINT32_MAX >> 1))
        return TARN_ERR_NOMEM;
    uint64_t cap = lb->cap > n ? lb->cap : n;
    if (cap < 1024)
        cap = 1024;
    if (n > lb->cap) {
        cap = lb->cap ? lb->cap : 1024;
        while (cap < n)
            cap *= 2;
    }
    uint16_t *d = tarn_realloc(lb->def, (size_t)cap * sizeof(uint16_t));
    if (!d)
        return TARN_ERR_NOMEM;
    lb->def = d;
    uint16_t *r = tarn_realloc(lb->rep, (size_t)cap * sizeof(uint16_t));
    if (!r)
        return TARN_ERR_NOMEM;
    lb->rep = r;
    uint32_t *x = tarn_realloc(lb->idx, (size_t)cap * sizeof(uint32_t));
    if (!x)
        return TARN_ERR_NOMEM;
    lb->idx = x;
    lb->cap = (uint32_t)cap;
    return 0;
}

static int scratch_reserve(PqWriter *w, uint32_t n)
{
    if (n <= w->sel_cap)
        return 0;
    uint32_t cap = w->sel_cap ? w->sel_cap : 1024;
    while (cap < n)
        cap *= 2;
    uint32_t *s = tarn_realloc(w->sel, (size_t)cap * sizeof(uint32_t));
    if (!s)
        return TARN_ERR_NOMEM;
    w->sel = s;
    uint16_t *d = tarn_realloc(w->fdef, (size_t)cap * sizeof(uint16_t));
    if (!d)
        return TARN_ERR_NOMEM;
    w->fdef = d;
    w->sel_cap = cap;
    w->fdef_cap = cap;
    return 0;
}

static int null_in_required(const PqwCol *c, TarnError *err)
{
    return err_set(err, TARN_ERR_INVALID, "null value in non-nullable column \"%s\"", c->name);
}

/* A top-level primitive column: levels straight from the validity bitmap. */
static int add_flat(PqWriter *w, PqwCol *c, const Vector *v, uint32_t r0, uint32_t n,
                    TarnError *err)
{
    if (c->src == PQW_SRC_NULL) {
        if (scratch_reserve(w, n))
            return ERR_NOMEM(err, (size_t)n * 6);
        memset(w->fdef, 0, (size_t)n * sizeof(uint16_t));
        return pqw_col_add(c, v, n, w->fdef, NULL, NULL, 0, 0, err);
    }
    if (!v->validity)
        return pqw_col_add(c, v, n, NULL, NULL, NULL, r0, n, err);
    if (!c->max_def) {
        for (uint32_t i = r0; i < r0 + n; i++)
            if (!vec_is_valid(v, i))
                return null_in_required(c, err);
        return pqw_col_add(c, v, n, NULL, NULL, NULL, r0, n, err);
    }
    if (scratch_reserve(w, n))
        return ERR_NOMEM(err, (size_t)n * 6);
    uint16_t *def = w->fdef;
    uint32_t *sel = w->sel;
    uint32_t nv = 0;
    const uint8_t *bits = v->validity;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = r0 + i;
        uint32_t b = (bits[r >> 3] >> (r & 7)) & 1;
        def[i] = (uint16_t)b;
        sel[nv] = r;
        nv += b;
    }
    if (nv == n)
        return pqw_col_add(c, v, n, NULL, NULL, NULL, r0, n, err);
    return pqw_col_add(c, v, n, def, NULL, sel, 0, nv, err);
}

/* Shreds rows r0..r0+n of a nested column's top-level vector into levels. */
static int add_nested(PqWriter *w, PqwCol *c, const Vector *top, uint32_t r0, uint32_t n,
                      TarnError *err)
{
    int cur = 0;
    LevelBuf *L = &w->lv[0];
    if (level_reserve(L, n, true))
        return ERR_NOMEM(err, (size_t)n * 8);
    for (uint32_t i = 0; i < n; i++) {
        L->def[i] = 0;
        L->rep[i] = 0;
        L->idx[i] = r0 + i;
    }
    uint32_t m = n;
    const Vector *v = top;
    for (uint32_t s = 0; s < c->n_steps; s++) {
        const PqwStep *st = &c->steps[s];
        L = &w->lv[cur];
        uint16_t *def = L->def;
        uint32_t *idx = L->idx;
        bool nullable = st->nullable;
        bool all_null = st->kind == PQW_STEP_LEAF && v->type->id == TYPE_NULL;
        if (st->kind == PQW_STEP_STRUCT || st->kind == PQW_STEP_LEAF) {
            for (uint32_t k = 0; k < m; k++) {
                uint32_t x = idx[k];
                if (x == DEAD)
                    continue;
                if (all_null || !vec_is_valid(v, x)) {
                    if (!nullable)
                        return null_in_required(c, err);
                    idx[k] = DEAD;
                } else {
                    def[k] = (uint16_t)(def[k] + nullable);
                }
            }
            if (st->kind == PQW_STEP_STRUCT)
                v = &v->children[st->child];
            continue;
        }
        /* LIST / MAP: expand each present list into its elements. */
        const uint32_t *off = v->offsets;
        uint64_t total = 0;
        for (uint32_t k = 0; k < m; k++) {
            uint32_t x = idx[k];
            uint32_t len = x == DEAD ? 0 : off[x + 1] - off[x];
            total += len ? len : 1;
        }
        LevelBuf *O = &w->lv[1 - cur];
        if (total > (UINT32_MAX >> 1) || level_reserve(O, total, true))
            return ERR_NOMEM(err, (size_t)total * 8);
        L = &w->lv[cur];
        uint16_t *rep = L->rep;
        uint32_t j = 0;
        uint16_t rl = st->rep_level;
        for (uint32_t k = 0; k < m; k++) {
            uint32_t x = L->idx[k];
            uint16_t d = L->def[k];
            if (x != DEAD) {
                if (!vec_is_valid(v, x)) {
                    if (!nullable)
                        return null_in_required(c, err);
                    x = DEAD;
                } else {
                    d = (uint16_t)(d + nullable);
                    uint32_t a = off[x], b = off[x + 1];
                    if (b > a) {
                        O->rep[j] = rep[k];
                        O->def[j] = (uint16_t)(d + 1);
                        O->idx[j] = a;
                        j++;
                        for (uint32_t e = a + 1; e < b; e++) {
                            O->rep[j] = rl;
                            O->def[j] = (uint16_t)(d + 1);
                            O->idx[j] = e;
                            j++;
                        }
                        continue;
                    }
                    x = DEAD;
                }
            }
            O->rep[j] = rep[k];
            O->def[j] = d;
            O->idx[j] = x;
            j++;
        }
        m = j;
        cur = 1 - cur;
        v = &v->children[st->child];
    }
    /* v is the leaf vector; surviving entries are its values. */
    L = &w->lv[cur];
    if (scratch_reserve(w, m))
        return ERR_NOMEM(err, (size_t)m * 6);
    uint32_t nv = 0;
    for (uint32_t k = 0; k < m; k++) {
        w->sel[nv] = L->idx[k];
        nv += L->idx[k] != DEAD;
    }
    return pqw_col_add(c, v, m, c->max_def ? L->def : NULL, c->max_rep ? L->rep : NULL, w->sel,
                       0, nv, err);
}

/* Checks that the vectors of a nested value are consistent enough to shred. */
static int check_vector(const Vector *v, const LogicalType *t, uint32_t len, const char *name,
                        TarnError *err)
{
    if (v->len < len)
        return err_set(err, TARN_ERR_INVALID, "column \"%s\" has %u values, expected %u", name,
                       v->len, len);
    if (!type_equal(v->type, t))
        return err_set(err, TARN_ERR_INVALID, "column \"%s\" does not match the writer's schema",
                       name);
    if (t->id == TYPE_LIST || t->id == TYPE_MAP) {
        if (!v->offsets || v->n_children != t->n_fields)
            return err_set(err, TARN_ERR_INVALID, "column \"%s\" lacks list offsets", name);
        uint32_t child_len = v->offsets[len];
        for (uint32_t i = 0; i < len; i++)
            if (v->offsets[i] > v->offsets[i + 1])
                return err_set(err, TARN_ERR_INVALID, "column \"%s\" has decreasing offsets",
                               name);
        for (uint32_t i = 0; i < t->n_fields; i++) {
            int rc = check_vector(&v->children[i], &t->fields[i].type, child_len, name, err);
            if (rc)
                return rc;
        }
    } else if (t->id == TYPE_STRUCT) {
        if (v->n_children != t->n_fields)
            return err_set(err, TARN_ERR_INVALID, "column \"%s\" has the wrong children", name);
        for (uint32_t i = 0; i < t->n_fields; i++) {
            int rc = check_vector(&v->children[i], &t->fields[i].type, len, name, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int pq_writer_write(PqWriter *w, const Batch *b, TarnError *err)
{
    if (w->failed)
        return err_set(err, TARN_ERR_INVALID, "parquet writer failed earlier and cannot continue");
    if (b->n_cols != w->schema->n_fields)
        return err_set(err, TARN_ERR_INVALID, "batch has %u columns, the parquet file has %u",
                       b->n_cols, w->schema->n_fields);
    for (uint32_t i = 0; i < b->n_cols; i++) {
        int rc = check_vector(&b->cols[i], &w->schema->fields[i].type, b->n_rows,
                              w->schema->fields[i].name, err);
        if (rc)
            return rc;
    }
    uint32_t r = 0;
    while (r < b->n_rows) {
        uint32_t n = b->n_rows - r;
        int64_t left = w->opt.row_group_rows - w->rg_rows;
        if (n > left)
            n = (uint32_t)left;
        if (n > SLICE_ROWS)
            n = SLICE_ROWS;
        /* Bound the overshoot of row_group_bytes by the row size seen so far. */
        double bpr = w->bytes_per_row;
        if (w->rg_rows > 0)
            bpr = (double)rg_bytes(w) / (double)w->rg_rows;
        if (bpr > 0) {
            double fit = ((double)w->opt.row_group_bytes - (double)rg_bytes(w)) / bpr;
            if (fit < 1)
                fit = 1;
            if (fit < n)
                n = (uint32_t)fit;
        } else if (n > PROBE_ROWS) {
            n = PROBE_ROWS;
        }
        for (uint32_t i = 0; i < w->n_cols; i++) {
            PqwCol *c = &w->cols[i];
            const Vector *v = &b->cols[c->top];
            int rc = c->n_steps == 1 ? add_flat(w, c, v, r, n, err)
                                     : add_nested(w, c, v, r, n, err);
            if (rc) {
                w->failed = true;
                return err_context(err, "writing column \"%s\"", c->name);
            }
        }
        w->rg_rows += n;
        w->total_rows += n;
        r += n;
        if (w->rg_rows >= w->opt.row_group_rows || rg_bytes(w) >= w->opt.row_group_bytes) {
            int rc = flush_row_group(w, err);
            if (rc) {
                w->failed = true;
                return rc;
            }
        }
    }
    return 0;
}

/* ---- Footer ------------------------------------------------------------------------- */

/* Writes one of the bloom / column index / offset index areas and turns
 * the relative offsets of the chunks into file offsets. */
static int write_area(PqWriter *w, const Buf *area, int which, TarnError *err)
{
    int64_t base = w->pos;
    if (out_write(w, area->data, area->len, err))
        return err->kind;
    for (int32_t g = 0; g < w->n_rgs; g++) {
        for (int32_t i = 0; i < w->rgs[g].n_columns; i++) {
            PqColumnChunk *c = &w->rgs[g].columns[i];
            if (which == 0 && c->meta_data.bloom_filter_offset >= 0)
                c->meta_data.bloom_filter_offset += base;
            if (which == 1 && c->column_index_offset >= 0)
                c->column_index_offset += base;
            if (which == 2 && c->offset_index_offset >= 0)
                c->offset_index_offset += base;
        }
    }
    return 0;
}

static int finish_file(PqWriter *w, TarnError *err)
{
    int rc = flush_row_group(w, err);
    if (!rc)
        rc = write_area(w, &w->bloom_area, 0, err);
    if (!rc)
        rc = write_area(w, &w->ci_area, 1, err);
    if (!rc)
        rc = write_area(w, &w->oi_area, 2, err);
    if (rc)
        return rc;
    PqFileMetaData m;
    memset(&m, 0, sizeof m);
    m.version = w->opt.data_page_version == 2 ? 2 : 1;
    m.n_schema = w->n_els;
    m.schema = w->els;
    m.num_rows = w->total_rows;
    m.n_row_groups = w->n_rgs;
    m.row_groups = w->rgs;
    m.n_kv = w->opt.n_kv;
    m.key_value_metadata = (PqKeyValue *)w->opt.kv;
    m.created_by = w->created_by;
    m.n_column_orders = (int32_t)w->n_cols;
    m.column_orders = arena_alloc(&w->meta, (size_t)w->n_cols * sizeof(int32_t));
    if (!m.column_orders)
        return ERR_NOMEM(err, (size_t)w->n_cols * 4);
    for (uint32_t i = 0; i < w->n_cols; i++)
        m.column_orders[i] = 1; /* TypeDefinedOrder */
    Buf footer;
    buf_init(&footer);
    if (pq_encode_file_metadata(&m, &footer) || footer.len > UINT32_MAX) {
        buf_free(&footer);
        return ERR_NOMEM(err, footer.len);
    }
    uint8_t tail[8];
    store_le32(tail, (uint32_t)footer.len);
    memcpy(tail + 4, "PAR1", 4);
    rc = out_write(w, footer.data, footer.len, err);
    buf_free(&footer);
    if (!rc)
        rc = out_write(w, tail, 8, err);
    if (!rc)
        rc = out_flush(w, err);
    if (rc)
        return rc;
    if (w->fd >= 0) {
        if (fsync(w->fd) != 0)
            return err_set(err, TARN_ERR_IO, "could not fsync file \"%s\": %s", w->path,
                           strerror(errno));
        int fd = w->fd;
        w->fd = -1;
        if (close(fd) != 0)
            return err_set(err, TARN_ERR_IO, "could not close file \"%s\": %s", w->path,
                           strerror(errno));
    }
    return 0;
}

int pq_writer_close(PqWriter *w, TarnError *err)
{
    if (!w)
        return 0;
    int rc;
    if (w->failed)
        rc = err_set(err, TARN_ERR_INVALID, "parquet writer failed earlier and cannot finish");
    else
        rc = finish_file(w, err);
    if (rc) {
        if (w->path)
            err_context(err, "writing \"%s\"", w->path);
        pq_writer_abort(w);
        return rc;
    }
    writer_free(w);
    return 0;
}
