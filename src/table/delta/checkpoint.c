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

#include "table/delta/delta_int.h"
#include "vector/format.h"

/* ---- Reading ------------------------------------------------------------ */

static const char *const action_cols[] = {"protocol", "metaData", "txn", "add", "remove",
                                          "domainMetadata", "checkpointMetadata", "sidecar"};
#define N_ACTION_COLS 8

static const Vector *fld(const Vector *st, const char *name)
{
    if (!st || st->type->id != TYPE_STRUCT)
        return NULL;
    for (uint32_t i = 0; i < st->type->n_fields; i++)
        if (strcmp(st->type->fields[i].name, name) == 0)
            return &st->children[i];
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

static int row_action(Arena *a, int col, const Vector *v, uint32_t i, DeltaAction *act,
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
        if ((rc = get_str(a, fld(v, "path"), i, &f->path, err)))
            return rc;
        if (!f->path)
            return err_set(err, TARN_ERR_CORRUPT, "checkpoint add without path");
        if ((rc = get_map(a, fld(v, "partitionValues"), i, &f->partition_values, err)))
            return rc;
        get_i64(fld(v, "size"), i, &f->size);
        get_i64(fld(v, "modificationTime"), i, &f->modification_time);
        f->data_change = get_bool(fld(v, "dataChange"), i, false);
        if ((rc = get_str(a, fld(v, "stats"), i, &f->stats, err)) ||
            (rc = get_map(a, fld(v, "tags"), i, &f->tags, err)) ||
            (rc = get_dv(a, fld(v, "deletionVector"), i, &f->dv, err)) ||
            (rc = get_str(a, fld(v, "clusteringProvider"), i, &f->clustering_provider, err)))
            return rc;
        f->has_base_row_id = get_i64(fld(v, "baseRowId"), i, &f->base_row_id);
        f->has_default_row_commit_version =
            get_i64(fld(v, "defaultRowCommitVersion"), i, &f->default_row_commit_version);
        const Vector *sp = fld(v, "stats_parsed");
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
    const char *cols[N_ACTION_COLS];
    int col_kind[N_ACTION_COLS];
    int n = 0;
    for (int k = 0; k < N_ACTION_COLS; k++) {
        int idx = schema_find(fs, action_cols[k]);
        if (idx >= 0 && fs->fields[idx].type.id == TYPE_STRUCT) {
            cols[n] = action_cols[k];
            col_kind[n] = k;
            n++;
        }
    }
    pq_reader_close(r);
    if (n == 0)
        return err_set(err, TARN_ERR_CORRUPT, "checkpoint \"%s\" has no action columns", path);
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
        for (uint32_t i = 0; i < b.n_rows && rc == 0; i++) {
            for (int c = 0; c < n && rc == 0; c++) {
                const Vector *v = &b.cols[c];
                if (!vec_is_valid(v, i))
                    continue;
                DeltaAction act;
                rc = row_action(a, col_kind[c], v, i, &act, err);
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
