/*
 * checkpoint.c - Parquet checkpoints: reading classic, multi-part and V2
 * checkpoint/sidecar files into actions, and writing classic single-part
 * checkpoints plus _last_checkpoint.
 *
 * Spec: PROTOCOL.md "Checkpoints", "Checkpoint Schema", "Last Checkpoint
 * File Schema".  A checkpoint has one struct column per action type; each
 * row fills exactly one of them.  Readers project only the action columns
 * present in the file (older writers omit domainMetadata, sidecar...).
 * When add.stats is absent but add.stats_parsed is present (tables with
 * delta.checkpoint.writeStatsAsJson=false), the struct is turned back into
 * JSON text so that the rest of tarn sees one stats representation.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "table/delta/delta_int.h"
#include "vector/format.h"

/* ---- Reading ------------------------------------------------------------ */

static const char *const action_cols[] = {"protocol", "metaData", "txn", "add", "remove",
                                          "domainMetadata", "checkpointMetadata", "sidecar"};
#define N_ACTION_COLS 8

/* Child of a struct vector by field name.  Called per row and field, so the
 * position found is memoized per (type, name) - names are string literals
 * here - and only verified on a hit. */
static const Vector *fld(const Vector *st, const char *name)
{
    if (!st || st->type->id != TYPE_STRUCT)
        return NULL;
    static __thread struct {
        const LogicalType *type;
        const char *name;
        uint32_t idx;
    } cache[256];
    uintptr_t h = ((uintptr_t)st->type >> 4 ^ (uintptr_t)name >> 2 ^ (uintptr_t)name >> 9) & 255;
    if (cache[h].type == st->type && cache[h].name == name && cache[h].idx < st->type->n_fields &&
        strcmp(st->type->fields[cache[h].idx].name, name) == 0)
        return &st->children[cache[h].idx];
    for (uint32_t i = 0; i < st->type->n_fields; i++)
        if (strcmp(st->type->fields[i].name, name) == 0) {
            cache[h].type = st->type;
            cache[h].name = name;
            cache[h].idx = i;
            return &st->children[i];
        }
    return NULL;
}

static bool present(const Vector *v, uint32_t i)
{
    return v && vec_is_valid(v, i);
}

static int get_str(Arena *a, const Vector *v, uint32_t i, char **out, TarnError *err)
{
    *out = NULL;
    if (!present(v, i))
        return 0;
    if (!type_is_string_like(v->type->id))
        return err_set(err, TARN_ERR_CORRUPT, "checkpoint field is %d, not a string", (int)v->type->id);
    StrView sv = VEC_DATA(v, StrView)[i];
    *out = arena_strndup(a, sv.ptr, sv.len);
    return *out ? 0 : ERR_NOMEM(err, sv.len);
}

static bool get_i64(const Vector *v, uint32_t i, int64_t *out)
{
    *out = 0;
    if (!present(v, i))
        return false;
    switch (v->type->id) {
    case TYPE_INT8: *out = VEC_DATA(v, int8_t)[i]; return true;
    case TYPE_INT16: *out = VEC_DATA(v, int16_t)[i]; return true;
    case TYPE_INT32: *out = VEC_DATA(v, int32_t)[i]; return true;
    case TYPE_INT64: *out = VEC_DATA(v, int64_t)[i]; return true;
    default: return false;
    }
}

static bool get_bool(const Vector *v, uint32_t i, bool dflt)
{
    if (!present(v, i) || v->type->id != TYPE_BOOL)
        return dflt;
    return VEC_DATA(v, uint8_t)[i] != 0;
}

static int get_map(Arena *a, const Vector *v, uint32_t i, DeltaStrMap *out, TarnError *err)
{
    memset(out, 0, sizeof *out);
    if (!present(v, i) || v->type->id != TYPE_MAP)
        return 0;
    uint32_t b = v->offsets[i], e = v->offsets[i + 1];
    if (e <= b)
        return 0;
    uint32_t n = e - b;
    out->keys = arena_alloc(a, sizeof(char *) * n);
    out->values = arena_alloc(a, sizeof(char *) * n);
    if (!out->keys || !out->values)
        return ERR_NOMEM(err, sizeof(char *) * n);
    for (uint32_t k = 0; k < n; k++) {
        int rc;
        if ((rc = get_str(a, &v->children[0], b + k, &out->keys[k], err)) ||
            (rc = get_str(a, &v->children[1], b + k, &out->values[k], err)))
            return rc;
        if (!out->keys[k])
            return err_set(err, TARN_ERR_CORRUPT, "checkpoint map has a null key");
    }
    out->n = n;
    return 0;
}

static int get_str_list(Arena *a, const Vector *v, uint32_t i, bool *has, uint32_t *n_out,
                        char ***out, TarnError *err)
{
    *n_out = 0;
    *out = NULL;
    *has = present(v, i) && v->type->id == TYPE_LIST;
    if (!*has)
        return 0;
    uint32_t b = v->offsets[i], e = v->offsets[i + 1];
    if (e <= b)
        return 0;
    *out = arena_alloc(a, sizeof(char *) * (e - b));
    if (!*out)
        return ERR_NOMEM(err, 64);
    for (uint32_t k = b; k < e; k++) {
        int rc = get_str(a, &v->children[0], k, &(*out)[k - b], err);
        if (rc)
            return rc;
        if (!(*out)[k - b])
            return err_set(err, TARN_ERR_CORRUPT, "checkpoint string list holds a null");
    }
    *n_out = e - b;
    return 0;
}

static int get_dv(Arena *a, const Vector *v, uint32_t i, DeltaDv **out, TarnError *err)
{
    *out = NULL;
    if (!present(v, i))
        return 0;
    DeltaDv *dv = arena_calloc(a, sizeof *dv);
    if (!dv)
        return ERR_NOMEM(err, sizeof *dv);
    char *st;
    int rc;
    if ((rc = get_str(a, fld(v, "storageType"), i, &st, err)) ||
        (rc = get_str(a, fld(v, "pathOrInlineDv"), i, &dv->path_or_inline, err)))
        return rc;
    if (!st || strlen(st) != 1 || !dv->path_or_inline)
        return err_set(err, TARN_ERR_CORRUPT, "checkpoint deletionVector lacks storageType/pathOrInlineDv");
    dv->storage_type = st[0];
    int64_t x;
    dv->has_offset = get_i64(fld(v, "offset"), i, &x);
    dv->offset = (int32_t)x;
    if (!get_i64(fld(v, "sizeInBytes"), i, &x) || x < 0 || x > INT32_MAX)
        return err_set(err, TARN_ERR_CORRUPT, "checkpoint deletionVector sizeInBytes missing or out of range");
    dv->size_bytes = (int32_t)x;
    get_i64(fld(v, "cardinality"), i, &dv->cardinality);
    if (dv->has_offset && (dv->offset < 0))
        return err_set(err, TARN_ERR_CORRUPT, "checkpoint deletionVector offset is negative");
    *out = dv;
    return 0;
}

/* Fields of the add struct resolved once per batch (row_action's kids). */
static const char *const add_fields[] = {"path", "partitionValues", "size", "modificationTime", "dataChange",
                                         "stats", "tags", "deletionVector", "clusteringProvider", "baseRowId",
                                         "defaultRowCommitVersion", "stats_parsed"};
#define N_ADD_FIELDS 12

static int row_action(Arena *a, int col, const Vector *v, const Vector *const *kids, uint32_t i, DeltaAction *act,
                      TarnError *err)
{
    int rc = 0;
    memset(act, 0, sizeof *act);
    switch (col) {
    case 0: { /* protocol */
        DeltaProtocol *p = &act->u.protocol;
        act->kind = DELTA_ACT_PROTOCOL;
        int64_t x;
        if (!get_i64(fld(v, "minReaderVersion"), i, &x))
            return err_set(err, TARN_ERR_CORRUPT, "checkpoint protocol without minReaderVersion");
        p->min_reader_version = (int32_t)x;
        if (!get_i64(fld(v, "minWriterVersion"), i, &x))
            return err_set(err, TARN_ERR_CORRUPT, "checkpoint protocol without minWriterVersion");
        p->min_writer_version = (int32_t)x;
        if ((rc = get_str_list(a, fld(v, "readerFeatures"), i, &p->has_reader_features,
                               &p->n_reader_features, &p->reader_features, err)))
            return rc;
        return get_str_list(a, fld(v, "writerFeatures"), i, &p->has_writer_features,
                            &p->n_writer_features, &p->writer_features, err);
    }
    case 1: { /* metaData */
        DeltaMetadata *m = &act->u.metadata;
        act->kind = DELTA_ACT_METADATA;
        if ((rc = get_str(a, fld(v, "id"), i, &m->id, err)) ||
            (rc = get_str(a, fld(v, "name"), i, &m->name, err)) ||
            (rc = get_str(a, fld(v, "description"), i, &m->description, err)) ||
            (rc = get_str(a, fld(v, "schemaString"), i, &m->schema_string, err)) ||
            (rc = get_map(a, fld(v, "configuration"), i, &m->configuration, err)))
            return rc;
        const Vector *fmt = fld(v, "format");
        if (present(fmt, i)) {
            if ((rc = get_str(a, fld(fmt, "provider"), i, &m->format_provider, err)) ||
                (rc = get_map(a, fld(fmt, "options"), i, &m->format_options, err)))
                return rc;
        }
        if (!m->format_provider)
            m->format_provider = "parquet";
        bool has;
        if ((rc = get_str_list(a, fld(v, "partitionColumns"), i, &has, &m->n_partition_columns,
                               &m->partition_columns, err)))
            return rc;
        m->has_created_time = get_i64(fld(v, "createdTime"), i, &m->created_time);
        if (!m->id || !m->schema_string)
            return err_set(err, TARN_ERR_CORRUPT, "checkpoint metaData without id or schemaString");
        return 0;
    }
    case 2: { /* txn */
        DeltaSetTxn *t = &act->u.txn;
        act->kind = DELTA_ACT_TXN;
        if ((rc = get_str(a, fld(v, "appId"), i, &t->app_id, err)))
            return rc;
        if (!t->app_id || !get_i64(fld(v, "version"), i, &t->version))
            return err_set(err, TARN_ERR_CORRUPT, "checkpoint txn without appId or version");
        t->has_last_updated = get_i64(fld(v, "lastUpdated"), i, &t->last_updated);
        return 0;
    }
    case 3: { /* add */
        DeltaAdd *f = &act->u.add;
        act->kind = DELTA_ACT_ADD;
        if ((rc = get_str(a, kids[0], i, &f->path, err)))
            return rc;
        if (!f->path)
            return err_set(err, TARN_ERR_CORRUPT, "checkpoint add without path");
        if ((rc = get_map(a, kids[1], i, &f->partition_values, err)))
            return rc;
        get_i64(kids[2], i, &f->size);
        get_i64(kids[3], i, &f->modification_time);
        f->data_change = get_bool(kids[4], i, false);
        if ((rc = get_str(a, kids[5], i, &f->stats, err)) || (rc = get_map(a, kids[6], i, &f->tags, err)) ||
            (rc = get_dv(a, kids[7], i, &f->dv, err)) || (rc = get_str(a, kids[8], i, &f->clustering_provider, err)))
            return rc;
        f->has_base_row_id = get_i64(kids[9], i, &f->base_row_id);
        f->has_default_row_commit_version = get_i64(kids[10], i, &f->default_row_commit_version);
        const Vector *sp = kids[11];
        if (!f->stats && present(sp, i)) {
            Buf b;
            buf_init(&b);
            if (value_format_json(sp, i, &b) || buf_terminate(&b)) {
                buf_free(&b);
                return ERR_NOMEM(err, b.len);
            }
            f->stats = arena_strndup(a, (const char *)b.data, b.len);
            buf_free(&b);
            if (!f->stats)
                return ERR_NOMEM(err, 64);
        }
        return 0;
    }
    case 4: { /* remove */
        DeltaRemove *r = &act->u.remove;
        act->kind = DELTA_ACT_REMOVE;
        if ((rc = get_str(a, fld(v, "path"), i, &r->path, err)))
            return rc;
        if (!r->path)
            return err_set(err, TARN_ERR_CORRUPT, "checkpoint remove without path");
        r->has_deletion_timestamp = get_i64(fld(v, "deletionTimestamp"), i, &r->deletion_timestamp);
        r->data_change = get_bool(fld(v, "dataChange"), i, false);
        r->extended_file_metadata = get_bool(fld(v, "extendedFileMetadata"), i, false);
        r->has_size = get_i64(fld(v, "size"), i, &r->size);
        if ((rc = get_map(a, fld(v, "partitionValues"), i, &r->partition_values, err)) ||
            (rc = get_dv(a, fld(v, "deletionVector"), i, &r->dv, err)))
            return rc;
        r->has_base_row_id = get_i64(fld(v, "baseRowId"), i, &r->base_row_id);
        r->has_default_row_commit_version =
            get_i64(fld(v, "defaultRowCommitVersion"), i, &r->default_row_commit_version);
        return 0;
    }
    case 5: { /* domainMetadata */
        DeltaDomainMetadata *d = &act->u.domain;
        act->kind = DELTA_ACT_DOMAIN_METADATA;
        if ((rc = get_str(a, fld(v, "domain"), i, &d->domain, err)) ||
            (rc = get_str(a, fld(v, "configuration"), i, &d->configuration, err)))
            return rc;
        if (!d->domain)
            return err_set(err, TARN_ERR_CORRUPT, "checkpoint domainMetadata without domain");
        if (!d->configuration)
            d->configuration = "";
        d->removed = get_bool(fld(v, "removed"), i, false);
        return 0;
    }
    case 6: { /* checkpointMetadata */
        act->kind = DELTA_ACT_CHECKPOINT_METADATA;
        get_i64(fld(v, "version"), i, &act->u.checkpoint_metadata.version);
        return get_map(a, fld(v, "tags"), i, &act->u.checkpoint_metadata.tags, err);
    }
    case 7: { /* sidecar */
        DeltaSidecar *s = &act->u.sidecar;
        act->kind = DELTA_ACT_SIDECAR;
        if ((rc = get_str(a, fld(v, "path"), i, &s->path, err)))
            return rc;
        if (!s->path)
            return err_set(err, TARN_ERR_CORRUPT, "checkpoint sidecar without path");
        get_i64(fld(v, "sizeInBytes"), i, &s->size_bytes);
        get_i64(fld(v, "modificationTime"), i, &s->modification_time);
        return get_map(a, fld(v, "tags"), i, &s->tags, err);
    }
    }
    return 0;
}

/* True when the footer's statistics prove that every leaf of top-level
 * column `col` is NULL in every row group (an action type the checkpoint
 * does not contain).  Missing statistics prove nothing. */
static bool all_null(const PqFileMetaData *md, const char *col)
{
    bool seen = false;
    for (int32_t g = 0; g < md->n_row_groups; g++) {
        const PqRowGroup *rg = &md->row_groups[g];
        for (int32_t c = 0; c < rg->n_columns; c++) {
            const PqColumnChunk *cc = &rg->columns[c];
            if (!cc->has_meta_data || cc->meta_data.n_path < 1 || strcmp(cc->meta_data.path_in_schema[0], col) != 0)
                continue;
            seen = true;
            const PqColumnMetaData *m = &cc->meta_data;
            if (!m->has_statistics || m->statistics.null_count < 0 || m->statistics.null_count != m->num_values)
                return false;
        }
    }
    return seen;
}

int delta_checkpoint_read_parquet(DeltaTable *t, const char *path, uint64_t size, Arena *a,
                                  DeltaActionFn fn, void *ctx, TarnError *err)
{
    Storage *s = t->s;
    PqReadOptions o;
    pq_read_options_default(&o);
    o.verify_crc = false;
    /* First open: which action columns does the file have? */
    PqReader *r = delta_open_parquet(s, path, size, &o, err);
    if (!r)
        return err_context(err, "reading checkpoint \"%s\"", path);
    const Schema *fs = pq_reader_file_schema(r);
    const PqFileMetaData *md = pq_reader_metadata(r);
    const char *cols[N_ACTION_COLS];
    int col_kind[N_ACTION_COLS];
    int n = 0;
    bool any_present = false;
    for (int k = 0; k < N_ACTION_COLS; k++) {
        int idx = schema_find(fs, action_cols[k]);
        if (idx >= 0 && fs->fields[idx].type.id == TYPE_STRUCT) {
            any_present = true;
            if (all_null(md, action_cols[k]))
                continue; /* statistics say no row has this action: skip decoding it */
            cols[n] = action_cols[k];
            col_kind[n] = k;
            n++;
        }
    }
    pq_reader_close(r);
    if (!any_present)
        return err_set(err, TARN_ERR_CORRUPT, "checkpoint \"%s\" has no action columns", path);
    if (n == 0)
        return 0;
    o.columns = cols;
    o.n_columns = n;
    o.batch_rows = 8192;
    r = delta_open_parquet(s, path, size, &o, err);
    if (!r)
        return err_context(err, "reading checkpoint \"%s\"", path);

    Batch b;
    int rc = batch_init(&b, pq_reader_schema(r));
    if (rc) {
        pq_reader_close(r);
        return ERR_NOMEM(err, 0);
    }
    for (;;) {
        if ((rc = pq_reader_next(r, &b, err)))
            break;
        if (b.n_rows == 0)
            break;
        const Vector *kids[N_ADD_FIELDS] = {0};
        for (int c = 0; c < n; c++)
            if (col_kind[c] == 3)
                for (int k = 0; k < N_ADD_FIELDS; k++)
                    kids[k] = fld(&b.cols[c], add_fields[k]);
        for (uint32_t i = 0; i < b.n_rows && rc == 0; i++) {
            for (int c = 0; c < n && rc == 0; c++) {
                const Vector *v = &b.cols[c];
                if (!vec_is_valid(v, i))
                    continue;
                DeltaAction act;
                rc = row_action(a, col_kind[c], v, kids, i, &act, err);
                if (rc == 0)
                    rc = fn(ctx, &act, err);
            }
        }
        if (rc)
            break;
    }
    batch_destroy(&b);
    pq_reader_close(r);
    if (rc)
        err_context(err, "reading checkpoint \"%s\"", path);
    return rc;
}

/* ---- Writing ----------------------------------------------------------------- */

/* Builds the checkpoint schema (PROTOCOL.md "Checkpoint Schema"). */
static int str_map(LogicalType *out)
{
    return type_map(out, type_simple(TYPE_STRING), type_simple(TYPE_STRING), true);
}

static int dv_struct(LogicalType *out)
{
    type_struct_init(out);
    if (type_struct_add(out, "storageType", type_simple(TYPE_STRING), true) ||
        type_struct_add(out, "pathOrInlineDv", type_simple(TYPE_STRING), true) ||
        type_struct_add(out, "offset", type_simple(TYPE_INT32), true) ||
        type_struct_add(out, "sizeInBytes", type_simple(TYPE_INT32), true) ||
        type_struct_add(out, "cardinality", type_simple(TYPE_INT64), true))
        return TARN_ERR_NOMEM;
    return 0;
}

static int checkpoint_schema(Schema *s)
{
    LogicalType t, m, m2, d, f, l, l2;
    schema_init(s);
    /* txn */
    type_struct_init(&t);
    if (type_struct_add(&t, "appId", type_simple(TYPE_STRING), true) ||
        type_struct_add(&t, "version", type_simple(TYPE_INT64), true) ||
        type_struct_add(&t, "lastUpdated", type_simple(TYPE_INT64), true) || schema_add(s, "txn", t, true))
        return TARN_ERR_NOMEM;
    /* add */
    type_struct_init(&t);
    if (type_struct_add(&t, "path", type_simple(TYPE_STRING), true) || str_map(&m) ||
        type_struct_add(&t, "partitionValues", m, true) || type_struct_add(&t, "size", type_simple(TYPE_INT64), true) ||
        type_struct_add(&t, "modificationTime", type_simple(TYPE_INT64), true) ||
        type_struct_add(&t, "dataChange", type_simple(TYPE_BOOL), true) ||
        type_struct_add(&t, "stats", type_simple(TYPE_STRING), true) || str_map(&m2) ||
        type_struct_add(&t, "tags", m2, true) || dv_struct(&d) || type_struct_add(&t, "deletionVector", d, true) ||
        type_struct_add(&t, "baseRowId", type_simple(TYPE_INT64), true) ||
        type_struct_add(&t, "defaultRowCommitVersion", type_simple(TYPE_INT64), true) ||
        schema_add(s, "add", t, true))
        return TARN_ERR_NOMEM;
    /* remove */
    type_struct_init(&t);
    if (type_struct_add(&t, "path", type_simple(TYPE_STRING), true) ||
        type_struct_add(&t, "deletionTimestamp", type_simple(TYPE_INT64), true) ||
        type_struct_add(&t, "dataChange", type_simple(TYPE_BOOL), true) ||
        type_struct_add(&t, "extendedFileMetadata", type_simple(TYPE_BOOL), true) || str_map(&m) ||
        type_struct_add(&t, "partitionValues", m, true) || type_struct_add(&t, "size", type_simple(TYPE_INT64), true) ||
        dv_struct(&d) || type_struct_add(&t, "deletionVector", d, true) ||
        type_struct_add(&t, "baseRowId", type_simple(TYPE_INT64), true) ||
        type_struct_add(&t, "defaultRowCommitVersion", type_simple(TYPE_INT64), true) ||
        schema_add(s, "remove", t, true))
        return TARN_ERR_NOMEM;
    /* metaData */
    type_struct_init(&t);
    type_struct_init(&f);
    if (type_struct_add(&t, "id", type_simple(TYPE_STRING), true) ||
        type_struct_add(&t, "name", type_simple(TYPE_STRING), true) ||
        type_struct_add(&t, "description", type_simple(TYPE_STRING), true) ||
        type_struct_add(&f, "provider", type_simple(TYPE_STRING), true) || str_map(&m) ||
        type_struct_add(&f, "options", m, true) || type_struct_add(&t, "format", f, true) ||
        type_struct_add(&t, "schemaString", type_simple(TYPE_STRING), true) ||
        type_list(&l, type_simple(TYPE_STRING), true) || type_struct_add(&t, "partitionColumns", l, true) ||
        str_map(&m2) || type_struct_add(&t, "configuration", m2, true) ||
        type_struct_add(&t, "createdTime", type_simple(TYPE_INT64), true) || schema_add(s, "metaData", t, true))
        return TARN_ERR_NOMEM;
    /* protocol */
    type_struct_init(&t);
    if (type_struct_add(&t, "minReaderVersion", type_simple(TYPE_INT32), true) ||
        type_struct_add(&t, "minWriterVersion", type_simple(TYPE_INT32), true) ||
        type_list(&l, type_simple(TYPE_STRING), true) || type_struct_add(&t, "readerFeatures", l, true) ||
        type_list(&l2, type_simple(TYPE_STRING), true) || type_struct_add(&t, "writerFeatures", l2, true) ||
        schema_add(s, "protocol", t, true))
        return TARN_ERR_NOMEM;
    /* domainMetadata */
    type_struct_init(&t);
    if (type_struct_add(&t, "domain", type_simple(TYPE_STRING), true) ||
        type_struct_add(&t, "configuration", type_simple(TYPE_STRING), true) ||
        type_struct_add(&t, "removed", type_simple(TYPE_BOOL), true) || schema_add(s, "domainMetadata", t, true))
        return TARN_ERR_NOMEM;
    return 0;
}

enum { CP_TXN, CP_ADD, CP_REMOVE, CP_METADATA, CP_PROTOCOL, CP_DOMAIN, CP_NCOLS };

/* Appends a NULL to v and, for structs, NULLs to every child (a NULL
 * struct's children are NULL too). */
static int null_deep(Vector *v)
{
    if (v->type->id == TYPE_STRUCT) {
        for (uint32_t c = 0; c < v->n_children; c++)
            if (null_deep(&v->children[c]))
                return TARN_ERR_NOMEM;
        return vec_append_struct_end(v) || vec_set_null(v, v->len - 1) ? TARN_ERR_NOMEM : 0;
    }
    return vec_append_null(v);
}

static int a_str(Vector *v, const char *s)
{
    return s ? vec_append_str(v, s, strlen(s)) : vec_append_null(v);
}

static int a_map(Vector *v, const DeltaStrMap *m, bool null_when_empty)
{
    if (!m || (null_when_empty && m->n == 0))
        return vec_append_null(v);
    for (uint32_t i = 0; i < m->n; i++)
        if (a_str(&v->children[0], m->keys[i]) || a_str(&v->children[1], m->values[i]))
            return TARN_ERR_NOMEM;
    return vec_append_list_end(v);
}

static int a_list(Vector *v, bool present, char **items, uint32_t n)
{
    if (!present)
        return vec_append_null(v);
    for (uint32_t i = 0; i < n; i++)
        if (a_str(&v->children[0], items[i]))
            return TARN_ERR_NOMEM;
    return vec_append_list_end(v);
}

static int a_opt_i64(Vector *v, bool has, int64_t x)
{
    return has ? vec_append_i64(v, x) : vec_append_null(v);
}

static int a_dv(Vector *v, const DeltaDv *dv)
{
    if (!dv)
        return null_deep(v);
    char st[2] = {dv->storage_type, 0};
    if (a_str(&v->children[0], st) || a_str(&v->children[1], dv->path_or_inline) ||
        a_opt_i64(&v->children[2], dv->has_offset, dv->offset) || vec_append_i64(&v->children[3], dv->size_bytes) ||
        vec_append_i64(&v->children[4], dv->cardinality))
        return TARN_ERR_NOMEM;
    return vec_append_struct_end(v);
}

/* Appends one checkpoint row holding `act` in its column, NULL elsewhere. */
static int append_row(Batch *b, const DeltaAction *act)
{
    int col = act->kind == DELTA_ACT_TXN ? CP_TXN : act->kind == DELTA_ACT_ADD ? CP_ADD
            : act->kind == DELTA_ACT_REMOVE ? CP_REMOVE : act->kind == DELTA_ACT_METADATA ? CP_METADATA
            : act->kind == DELTA_ACT_PROTOCOL ? CP_PROTOCOL : CP_DOMAIN;
    for (int c = 0; c < CP_NCOLS; c++) {
        if (c == col)
            continue;
        if (null_deep(&b->cols[c]))
            return TARN_ERR_NOMEM;
    }
    Vector *v = &b->cols[col];
    Vector *k = v->children;
    int rc = 0;
    switch (act->kind) {
    case DELTA_ACT_TXN: {
        const DeltaSetTxn *t = &act->u.txn;
        rc = a_str(&k[0], t->app_id) || vec_append_i64(&k[1], t->version) ||
             a_opt_i64(&k[2], t->has_last_updated, t->last_updated);
        break;
    }
    case DELTA_ACT_ADD: {
        const DeltaAdd *f = &act->u.add;
        rc = a_str(&k[0], f->path) || a_map(&k[1], &f->partition_values, false) || vec_append_i64(&k[2], f->size) ||
             vec_append_i64(&k[3], f->modification_time) || vec_append_bool(&k[4], f->data_change) ||
             a_str(&k[5], f->stats) || a_map(&k[6], &f->tags, true) || a_dv(&k[7], f->dv) ||
             a_opt_i64(&k[8], f->has_base_row_id, f->base_row_id) ||
             a_opt_i64(&k[9], f->has_default_row_commit_version, f->default_row_commit_version);
        break;
    }
    case DELTA_ACT_REMOVE: {
        const DeltaRemove *r = &act->u.remove;
        rc = a_str(&k[0], r->path) || a_opt_i64(&k[1], r->has_deletion_timestamp, r->deletion_timestamp) ||
             vec_append_bool(&k[2], r->data_change) || vec_append_bool(&k[3], r->extended_file_metadata) ||
             a_map(&k[4], &r->partition_values, !r->extended_file_metadata) || a_opt_i64(&k[5], r->has_size, r->size) ||
             a_dv(&k[6], r->dv) || a_opt_i64(&k[7], r->has_base_row_id, r->base_row_id) ||
             a_opt_i64(&k[8], r->has_default_row_commit_version, r->default_row_commit_version);
        break;
    }
    case DELTA_ACT_METADATA: {
        const DeltaMetadata *m = &act->u.metadata;
        Vector *fmt = &k[3];
        rc = a_str(&k[0], m->id) || a_str(&k[1], m->name) || a_str(&k[2], m->description) ||
             a_str(&fmt->children[0], m->format_provider ? m->format_provider : "parquet") ||
             a_map(&fmt->children[1], &m->format_options, false) || vec_append_struct_end(fmt) ||
             a_str(&k[4], m->schema_string) || a_list(&k[5], true, m->partition_columns, m->n_partition_columns) ||
             a_map(&k[6], &m->configuration, false) || a_opt_i64(&k[7], m->has_created_time, m->created_time);
        break;
    }
    case DELTA_ACT_PROTOCOL: {
        const DeltaProtocol *p = &act->u.protocol;
        rc = vec_append_i64(&k[0], p->min_reader_version) || vec_append_i64(&k[1], p->min_writer_version) ||
             a_list(&k[2], p->has_reader_features, p->reader_features, p->n_reader_features) ||
             a_list(&k[3], p->has_writer_features, p->writer_features, p->n_writer_features);
        break;
    }
    default: {
        const DeltaDomainMetadata *d = &act->u.domain;
        rc = a_str(&k[0], d->domain) || a_str(&k[1], d->configuration) || vec_append_bool(&k[2], d->removed);
        break;
    }
    }
    if (rc || vec_append_struct_end(v))
        return TARN_ERR_NOMEM;
    b->n_rows++;
    return 0;
}

int64_t delta_retention_ms(const DeltaMetadata *md, const char *key, int64_t dflt_ms)
{
    const char *v = delta_map_get(&md->configuration, key, NULL);
    if (!v)
        return dflt_ms;
    /* "interval 7 days", "interval 1 week", "168 hours" ... */
    const char *p = v;
    if (strncasecmp(p, "interval", 8) == 0)
        p += 8;
    char *end;
    double n = strtod(p, &end);
    if (end == p || n < 0)
        return dflt_ms;
    while (*end == ' ')
        end++;
    double unit = 86400000.0;
    if (strncasecmp(end, "week", 4) == 0) unit = 7 * 86400000.0;
    else if (strncasecmp(end, "day", 3) == 0) unit = 86400000.0;
    else if (strncasecmp(end, "hour", 4) == 0) unit = 3600000.0;
    else if (strncasecmp(end, "minute", 6) == 0) unit = 60000.0;
    else if (strncasecmp(end, "second", 6) == 0) unit = 1000.0;
    else if (strncasecmp(end, "millisecond", 11) == 0) unit = 1.0;
    return (int64_t)(n * unit);
}

static int cp_sink_write(void *ctx, const void *p, size_t len, TarnError *err)
{
    StorageWriter *sw = ctx;
    return sw->write(sw, p, len, err);
}

int delta_checkpoint_write(DeltaTable *t, const DeltaSnapshot *snap, TarnError *err)
{
    Schema cs;
    if (checkpoint_schema(&cs)) {
        schema_destroy(&cs);
        return ERR_NOMEM(err, 64);
    }
    char rel[96];
    snprintf(rel, sizeof rel, DELTA_LOG_DIR "/%020" PRId64 ".checkpoint.parquet", snap->version);
    Arena a;
    arena_init(&a, 4096);
    char *path = delta_table_path(&a, t, rel);
    StorageWriter *sw = path ? storage_open_write(t->s, path, err) : NULL;
    if (!sw) {
        schema_destroy(&cs);
        arena_free(&a);
        return path ? err_context(err, "writing checkpoint \"%s\"", rel) : ERR_NOMEM(err, 64);
    }
    PqWriteOptions wo;
    pq_write_options_default(&wo);
    wo.codec = PQ_CODEC_SNAPPY;
    PqSink sink = {sw, cp_sink_write};
    PqWriter *w = pq_writer_open_sink(sink, &cs, &wo, err);
    Batch b;
    int rc = w ? batch_init(&b, &cs) : TARN_ERR_INVALID;
    if (!w || rc) {
        if (w)
            pq_writer_abort(w);
        sw->abort(sw);
        schema_destroy(&cs);
        arena_free(&a);
        return rc == TARN_ERR_NOMEM ? ERR_NOMEM(err, 64) : err_context(err, "writing checkpoint \"%s\"", rel);
    }
    int64_t n_actions = 0;
    int64_t cutoff = delta_now_ms(t) - delta_retention_ms(&snap->metadata, "delta.deletedFileRetentionDuration",
                                                          (int64_t)(DELTA_DEFAULT_RETENTION_HOURS * 3600000.0));
    DeltaAction act;
    size_t n_total = 2 + snap->n_txns + snap->n_domains + snap->n_files + snap->n_tombstones;
    for (size_t i = 0; i < n_total && rc == 0; i++) {
        memset(&act, 0, sizeof act);
        size_t k = i;
        if (k == 0) {
            act.kind = DELTA_ACT_PROTOCOL;
            act.u.protocol = snap->protocol;
        } else if (k == 1) {
            act.kind = DELTA_ACT_METADATA;
            act.u.metadata = snap->metadata;
        } else if ((k -= 2) < snap->n_txns) {
            act.kind = DELTA_ACT_TXN;
            act.u.txn = snap->txns[k];
        } else if ((k -= snap->n_txns) < snap->n_domains) {
            if (snap->domains[k].removed)
                continue;
            act.kind = DELTA_ACT_DOMAIN_METADATA;
            act.u.domain = snap->domains[k];
        } else if ((k -= snap->n_domains) < snap->n_files) {
            act.kind = DELTA_ACT_ADD;
            act.u.add = *delta_snapshot_file(snap, k);
            act.u.add.data_change = false;
        } else {
            k -= snap->n_files;
            const DeltaRemove *r = delta_snapshot_tombstone(snap, k);
            if (r->has_deletion_timestamp && r->deletion_timestamp < cutoff)
                continue; /* expired tombstone */
            act.kind = DELTA_ACT_REMOVE;
            act.u.remove = *r;
            act.u.remove.data_change = false;
        }
        if (append_row(&b, &act)) {
            rc = ERR_NOMEM(err, 64);
            break;
        }
        n_actions++;
        if (b.n_rows >= 16384) {
            rc = pq_writer_write(w, &b, err);
            batch_reset(&b);
            b.n_rows = 0;
        }
    }
    if (rc == 0 && b.n_rows)
        rc = pq_writer_write(w, &b, err);
    batch_destroy(&b);
    if (rc) {
        pq_writer_abort(w);
        sw->abort(sw);
    } else {
        rc = pq_writer_close(w, err);
        uint64_t size = sw->bytes;
        if (rc)
            sw->abort(sw);
        else
            rc = sw->close(sw, err);
        if (rc == 0) {
            DeltaLastCheckpoint lc;
            memset(&lc, 0, sizeof lc);
            lc.version = snap->version;
            lc.size = n_actions;
            lc.has_size_in_bytes = true;
            lc.size_in_bytes = (int64_t)size;
            lc.has_num_add_files = true;
            lc.num_add_files = (int64_t)snap->n_files;
            Buf lb;
            buf_init(&lb);
            char *lp = delta_table_path(&a, t, DELTA_LOG_DIR "/_last_checkpoint");
            if (!lp || delta_last_checkpoint_serialize(&lc, &lb))
                rc = ERR_NOMEM(err, 64);
            else
                rc = storage_put(t->s, lp, lb.data, lb.len, err);
            buf_free(&lb);
        }
    }
    schema_destroy(&cs);
    arena_free(&a);
    if (rc)
        err_context(err, "writing checkpoint \"%s\"", rel);
    return rc;
}

int delta_checkpoint(DeltaTable *t, DeltaSnapshot *snap, TarnError *err)
{
    return delta_checkpoint_write(t, snap, err);
}
