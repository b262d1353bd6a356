/*
 * actions.c - Delta log actions: JSON -> structs, structs -> JSON, log file
 * names, _last_checkpoint, and path escaping.  See actions.h.
 */
#include "table/delta/actions.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vector/format.h"

/* ---- String maps ---------------------------------------------------------- */

const char *delta_map_get(const DeltaStrMap *m, const char *key, bool *found_out)
{
    if (found_out)
        *found_out = false;
    if (!m)
        return NULL;
    for (uint32_t i = m->n; i-- > 0;) {
        if (strcmp(m->keys[i], key) == 0) {
            if (found_out)
                *found_out = true;
            return m->values[i];
        }
    }
    return NULL;
}

int delta_map_set(Arena *a, DeltaStrMap *m, const char *key, const char *value)
{
    for (uint32_t i = 0; i < m->n; i++) {
        if (strcmp(m->keys[i], key) == 0) {
            m->values[i] = value ? arena_strdup(a, value) : NULL;
            return value && !m->values[i] ? TARN_ERR_NOMEM : 0;
        }
    }
    char **k = arena_alloc(a, sizeof(char *) * (m->n + 1));
    char **v = arena_alloc(a, sizeof(char *) * (m->n + 1));
    if (!k || !v)
        return TARN_ERR_NOMEM;
    if (m->n) {
        memcpy(k, m->keys, sizeof(char *) * m->n);
        memcpy(v, m->values, sizeof(char *) * m->n);
    }
    k[m->n] = arena_strdup(a, key);
    v[m->n] = value ? arena_strdup(a, value) : NULL;
    if (!k[m->n] || (value && !v[m->n]))
        return TARN_ERR_NOMEM;
    m->keys = k;
    m->values = v;
    m->n++;
    return 0;
}

int delta_map_copy(Arena *a, DeltaStrMap *dst, const DeltaStrMap *src)
{
    dst->n = 0;
    dst->keys = dst->values = NULL;
    if (!src || src->n == 0)
        return 0;
    dst->keys = arena_alloc(a, sizeof(char *) * src->n);
    dst->values = arena_alloc(a, sizeof(char *) * src->n);
    if (!dst->keys || !dst->values)
        return TARN_ERR_NOMEM;
    for (uint32_t i = 0; i < src->n; i++) {
        dst->keys[i] = arena_strdup(a, src->keys[i]);
        dst->values[i] = src->values[i] ? arena_strdup(a, src->values[i]) : NULL;
        if (!dst->keys[i] || (src->values[i] && !dst->values[i]))
            return TARN_ERR_NOMEM;
    }
    dst->n = src->n;
    return 0;
}

/* ---- Deep copies --------------------------------------------------------- */

static int copy_str(Arena *a, char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return 0;
    *dst = arena_strdup(a, src);
    return *dst ? 0 : TARN_ERR_NOMEM;
}

static int copy_str_array(Arena *a, char ***dst, char *const *src, uint32_t n)
{
    *dst = NULL;
    if (!n)
        return 0;
    if (!(*dst = arena_alloc(a, sizeof(char *) * n)))
        return TARN_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++)
        if (copy_str(a, &(*dst)[i], src[i]))
            return TARN_ERR_NOMEM;
    return 0;
}

static int copy_dv(Arena *a, DeltaDv **dst, const DeltaDv *src)
{
    *dst = NULL;
    if (!src)
        return 0;
    if (!(*dst = arena_alloc(a, sizeof **dst)))
        return TARN_ERR_NOMEM;
    **dst = *src;
    return copy_str(a, &(*dst)->path_or_inline, src->path_or_inline);
}

int delta_action_copy(Arena *a, DeltaAction *dst, const DeltaAction *src)
{
    *dst = *src;
    switch (src->kind) {
    case DELTA_ACT_PROTOCOL: {
        const DeltaProtocol *p = &src->u.protocol;
        DeltaProtocol *q = &dst->u.protocol;
        return copy_str_array(a, &q->reader_features, p->reader_features, p->n_reader_features) ||
               copy_str_array(a, &q->writer_features, p->writer_features, p->n_writer_features)
                   ? TARN_ERR_NOMEM : 0;
    }
    case DELTA_ACT_METADATA: {
        const DeltaMetadata *m = &src->u.metadata;
        DeltaMetadata *n = &dst->u.metadata;
        return copy_str(a, &n->id, m->id) || copy_str(a, &n->name, m->name) ||
               copy_str(a, &n->description, m->description) ||
               copy_str(a, &n->format_provider, m->format_provider) ||
               delta_map_copy(a, &n->format_options, &m->format_options) ||
               copy_str(a, &n->schema_string, m->schema_string) ||
               copy_str_array(a, &n->partition_columns, m->partition_columns, m->n_partition_columns) ||
               delta_map_copy(a, &n->configuration, &m->configuration)
                   ? TARN_ERR_NOMEM : 0;
    }
    case DELTA_ACT_ADD: {
        const DeltaAdd *f = &src->u.add;
        DeltaAdd *g = &dst->u.add;
        return copy_str(a, &g->path, f->path) || delta_map_copy(a, &g->partition_values, &f->partition_values) ||
               copy_str(a, &g->stats, f->stats) || delta_map_copy(a, &g->tags, &f->tags) ||
               copy_dv(a, &g->dv, f->dv) || copy_str(a, &g->clustering_provider, f->clustering_provider)
                   ? TARN_ERR_NOMEM : 0;
    }
    case DELTA_ACT_REMOVE: {
        const DeltaRemove *r = &src->u.remove;
        DeltaRemove *q = &dst->u.remove;
        return copy_str(a, &q->path, r->path) || delta_map_copy(a, &q->partition_values, &r->partition_values) ||
               copy_str(a, &q->stats, r->stats) || delta_map_copy(a, &q->tags, &r->tags) ||
               copy_dv(a, &q->dv, r->dv)
                   ? TARN_ERR_NOMEM : 0;
    }
    case DELTA_ACT_CDC:
        return copy_str(a, &dst->u.cdc.path, src->u.cdc.path) ||
               delta_map_copy(a, &dst->u.cdc.partition_values, &src->u.cdc.partition_values) ||
               delta_map_copy(a, &dst->u.cdc.tags, &src->u.cdc.tags)
                   ? TARN_ERR_NOMEM : 0;
    case DELTA_ACT_TXN:
        return copy_str(a, &dst->u.txn.app_id, src->u.txn.app_id);
    case DELTA_ACT_COMMIT_INFO:
        return copy_str(a, &dst->u.commit_info.json, src->u.commit_info.json) ||
               copy_str(a, &dst->u.commit_info.operation, src->u.commit_info.operation)
                   ? TARN_ERR_NOMEM : 0;
    case DELTA_ACT_DOMAIN_METADATA:
        return copy_str(a, &dst->u.domain.domain, src->u.domain.domain) ||
               copy_str(a, &dst->u.domain.configuration, src->u.domain.configuration)
                   ? TARN_ERR_NOMEM : 0;
    case DELTA_ACT_CHECKPOINT_METADATA:
        return delta_map_copy(a, &dst->u.checkpoint_metadata.tags, &src->u.checkpoint_metadata.tags);
    case DELTA_ACT_SIDECAR:
        return copy_str(a, &dst->u.sidecar.path, src->u.sidecar.path) ||
               delta_map_copy(a, &dst->u.sidecar.tags, &src->u.sidecar.tags)
                   ? TARN_ERR_NOMEM : 0;
    case DELTA_ACT_UNKNOWN: {
        char *n;
        if (copy_str(a, &n, src->u.unknown_name))
            return TARN_ERR_NOMEM;
        dst->u.unknown_name = n;
        return 0;
    }
    }
    return 0;
}

void delta_err_prefix(TarnError *err, const char *prefix)
{
    if (!err)
        return;
    size_t pl = strlen(prefix), ml = strlen(err->message), cap = sizeof err->message - 1;
    if (pl > cap)
        pl = cap;
    if (pl + ml > cap)
        ml = cap - pl;
    memmove(err->message + pl, err->message, ml);
    memcpy(err->message, prefix, pl);
    err->message[pl + ml] = 0;
}

/* ---- Action lists ------------------------------------------------------------ */

void delta_action_list_init(DeltaActionList *l)
{
    l->n = l->cap = 0;
    l->items = NULL;
}

void delta_action_list_free(DeltaActionList *l)
{
    tarn_free(l->items);
    delta_action_list_init(l);
}

int delta_action_list_push(DeltaActionList *l, const DeltaAction *a)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        DeltaAction *p = tarn_realloc(l->items, cap * sizeof *p);
        if (!p)
            return TARN_ERR_NOMEM;
        l->items = p;
        l->cap = cap;
    }
    l->items[l->n++] = *a;
    return 0;
}

/* ---- JSON field helpers ---------------------------------------------------------- */

static const JsonNode *get(const JsonNode *o, const char *key)
{
    const JsonNode *n = json_object_get(o, key, strlen(key));
    return n && n->type != JSON_NULL ? n : NULL;
}

static int bad_type(TarnError *err, const char *act, const char *field, const char *want)
{
    return err_set(err, TARN_ERR_CORRUPT, "%s action field \"%s\" is not %s", act, field, want);
}

/* Optional string: NULL when absent or null. */
static int opt_str(Arena *a, const JsonNode *o, const char *act, const char *field, char **out,
                   TarnError *err)
{
    const JsonNode *n = get(o, field);
    *out = NULL;
    if (!n)
        return 0;
    if (n->type != JSON_STRING)
        return bad_type(err, act, field, "a string");
    *out = arena_strndup(a, n->u.str, n->len);
    return *out ? 0 : ERR_NOMEM(err, n->len);
}

static int req_str(Arena *a, const JsonNode *o, const char *act, const char *field, char **out,
                   TarnError *err)
{
    int rc = opt_str(a, o, act, field, out, err);
    if (rc)
        return rc;
    if (!*out)
        return err_set(err, TARN_ERR_CORRUPT, "%s action without \"%s\"", act, field);
    return 0;
}

static int opt_i64(const JsonNode *o, const char *act, const char *field, bool *has, int64_t *out,
                   TarnError *err)
{
    const JsonNode *n = get(o, field);
    *has = false;
    *out = 0;
    if (!n)
        return 0;
    if (n->type == JSON_INT) {
        *out = n->u.i;
    } else if (n->type == JSON_DOUBLE && n->u.d == (double)(int64_t)n->u.d) {
        *out = (int64_t)n->u.d;
    } else {
        return bad_type(err, act, field, "an integer");
    }
    *has = true;
    return 0;
}

static int req_i64(const JsonNode *o, const char *act, const char *field, int64_t *out,
                   TarnError *err)
{
    bool has;
    int rc = opt_i64(o, act, field, &has, out, err);
    if (rc)
        return rc;
    if (!has)
        return err_set(err, TARN_ERR_CORRUPT, "%s action without \"%s\"", act, field);
    return 0;
}

static int opt_bool(const JsonNode *o, const char *act, const char *field, bool dflt, bool *out,
                    TarnError *err)
{
    const JsonNode *n = get(o, field);
    *out = dflt;
    if (!n)
        return 0;
    if (n->type != JSON_BOOL)
        return bad_type(err, act, field, "a boolean");
    *out = n->u.b;
    return 0;
}

static int parse_map(Arena *a, const JsonNode *o, const char *act, const char *field,
                     DeltaStrMap *out, TarnError *err)
{
    const JsonNode *n = get(o, field);
    out->n = 0;
    out->keys = out->values = NULL;
    if (!n)
        return 0;
    if (n->type != JSON_OBJECT)
        return bad_type(err, act, field, "an object");
    if (n->len == 0)
        return 0;
    out->keys = arena_alloc(a, sizeof(char *) * n->len);
    out->values = arena_alloc(a, sizeof(char *) * n->len);
    if (!out->keys || !out->values)
        return ERR_NOMEM(err, sizeof(char *) * n->len);
    for (uint32_t i = 0; i < n->len; i++) {
        const JsonMember *m = &n->u.members[i];
        out->keys[i] = arena_strndup(a, m->key, m->key_len);
        const JsonNode *v = &m->value;
        if (v->type == JSON_NULL)
            out->values[i] = NULL;
        else if (v->type == JSON_STRING)
            out->values[i] = arena_strndup(a, v->u.str, v->len);
        else if (v->type == JSON_INT || v->type == JSON_DOUBLE || v->type == JSON_BOOL)
            out->values[i] = arena_strndup(a, v->raw, v->raw_len); /* lenient: bare scalars */
        else
            return err_set(err, TARN_ERR_CORRUPT, "%s action field \"%s\" entry \"%s\" is not a string",
                           act, field, out->keys[i] ? out->keys[i] : "");
        if (!out->keys[i] || (v->type != JSON_NULL && !out->values[i]))
            return ERR_NOMEM(err, 64);
    }
    out->n = n->len;
    return 0;
}

static int parse_str_array(Arena *a, const JsonNode *o, const char *act, const char *field,
                           bool *has, uint32_t *n_out, char ***out, TarnError *err)
{
    const JsonNode *n = get(o, field);
    *n_out = 0;
    *out = NULL;
    if (has)
        *has = n != NULL;
    if (!n)
        return 0;
    if (n->type != JSON_ARRAY)
        return bad_type(err, act, field, "an array");
    if (n->len == 0)
        return 0;
    *out = arena_alloc(a, sizeof(char *) * n->len);
    if (!*out)
        return ERR_NOMEM(err, sizeof(char *) * n->len);
    for (uint32_t i = 0; i < n->len; i++) {
        const JsonNode *e = &n->u.items[i];
        if (e->type != JSON_STRING)
            return err_set(err, TARN_ERR_CORRUPT, "%s action field \"%s\" holds a non-string", act,
                           field);
        (*out)[i] = arena_strndup(a, e->u.str, e->len);
        if (!(*out)[i])
            return ERR_NOMEM(err, e->len);
    }
    *n_out = n->len;
    return 0;
}

/* ---- Per-action parsers --------------------------------------------------------------- */

int delta_dv_from_json(Arena *a, const JsonNode *o, DeltaDv **out, TarnError *err)
{
    static const char *act = "deletionVector";
    *out = NULL;
    if (!o || o->type == JSON_NULL)
        return 0;
    if (o->type != JSON_OBJECT)
        return err_set(err, TARN_ERR_CORRUPT, "deletionVector is not an object");
    DeltaDv *dv = arena_calloc(a, sizeof *dv);
    if (!dv)
        return ERR_NOMEM(err, sizeof *dv);
    char *st;
    int rc = req_str(a, o, act, "storageType", &st, err);
    if (rc)
        return rc;
    if (strlen(st) != 1 || (st[0] != 'u' && st[0] != 'i' && st[0] != 'p'))
        return err_set(err, TARN_ERR_CORRUPT, "deletionVector storageType \"%s\" is not u, i or p", st);
    dv->storage_type = st[0];
    if ((rc = req_str(a, o, act, "pathOrInlineDv", &dv->path_or_inline, err)))
        return rc;
    int64_t v;
    bool has;
    if ((rc = opt_i64(o, act, "offset", &has, &v, err)))
        return rc;
    if (has && (v < 0 || v > INT32_MAX))
        return err_set(err, TARN_ERR_CORRUPT, "deletionVector offset %" PRId64 " out of range", v);
    dv->has_offset = has;
    dv->offset = (int32_t)v;
    if ((rc = req_i64(o, act, "sizeInBytes", &v, err)))
        return rc;
    if (v < 0 || v > INT32_MAX)
        return err_set(err, TARN_ERR_CORRUPT, "deletionVector sizeInBytes %" PRId64 " out of range", v);
    dv->size_bytes = (int32_t)v;
    if ((rc = req_i64(o, act, "cardinality", &dv->cardinality, err)))
        return rc;
    if (dv->cardinality < 0)
        return err_set(err, TARN_ERR_CORRUPT, "deletionVector cardinality is negative");
    *out = dv;
    return 0;
}

static int parse_protocol(Arena *a, const JsonNode *o, DeltaProtocol *p, TarnError *err)
{
    static const char *act = "protocol";
    int64_t v;
    int rc;
    memset(p, 0, sizeof *p);
    if ((rc = req_i64(o, act, "minReaderVersion", &v, err)))
        return rc;
    if (v < 0 || v > INT32_MAX)
        return err_set(err, TARN_ERR_CORRUPT, "protocol minReaderVersion %" PRId64 " out of range", v);
    p->min_reader_version = (int32_t)v;
    if ((rc = req_i64(o, act, "minWriterVersion", &v, err)))
        return rc;
    if (v < 0 || v > INT32_MAX)
        return err_set(err, TARN_ERR_CORRUPT, "protocol minWriterVersion %" PRId64 " out of range", v);
    p->min_writer_version = (int32_t)v;
    if ((rc = parse_str_array(a, o, act, "readerFeatures", &p->has_reader_features,
                              &p->n_reader_features, &p->reader_features, err)))
        return rc;
    return parse_str_array(a, o, act, "writerFeatures", &p->has_writer_features,
                           &p->n_writer_features, &p->writer_features, err);
}

static int parse_metadata(Arena *a, const JsonNode *o, DeltaMetadata *m, TarnError *err)
{
    static const char *act = "metaData";
    int rc;
    memset(m, 0, sizeof *m);
    if ((rc = req_str(a, o, act, "id", &m->id, err)) ||
        (rc = opt_str(a, o, act, "name", &m->name, err)) ||
        (rc = opt_str(a, o, act, "description", &m->description, err)) ||
        (rc = req_str(a, o, act, "schemaString", &m->schema_string, err)))
        return rc;
    const JsonNode *f = get(o, "format");
    if (f) {
        if (f->type != JSON_OBJECT)
            return bad_type(err, act, "format", "an object");
        if ((rc = opt_str(a, f, act, "provider", &m->format_provider, err)) ||
            (rc = parse_map(a, f, act, "options", &m->format_options, err)))
            return rc;
    }
    if (!m->format_provider && !(m->format_provider = arena_strdup(a, "parquet")))
        return ERR_NOMEM(err, 8);
    if ((rc = parse_str_array(a, o, act, "partitionColumns", NULL, &m->n_partition_columns,
                              &m->partition_columns, err)))
        return rc;
    if ((rc = opt_i64(o, act, "createdTime", &m->has_created_time, &m->created_time, err)))
        return rc;
    return parse_map(a, o, act, "configuration", &m->configuration, err);
}

static int parse_add(Arena *a, const JsonNode *o, DeltaAdd *f, TarnError *err)
{
    static const char *act = "add";
    int rc;
    memset(f, 0, sizeof *f);
    if ((rc = req_str(a, o, act, "path", &f->path, err)) ||
        (rc = parse_map(a, o, act, "partitionValues", &f->partition_values, err)) ||
        (rc = req_i64(o, act, "size", &f->size, err)))
        return rc;
    if (f->size < 0)
        return err_set(err, TARN_ERR_CORRUPT, "add action \"size\" is negative");
    bool has;
    if ((rc = opt_i64(o, act, "modificationTime", &has, &f->modification_time, err)) ||
        (rc = opt_bool(o, act, "dataChange", true, &f->data_change, err)) ||
        (rc = opt_str(a, o, act, "stats", &f->stats, err)) ||
        (rc = parse_map(a, o, act, "tags", &f->tags, err)) ||
        (rc = delta_dv_from_json(a, get(o, "deletionVector"), &f->dv, err)) ||
        (rc = opt_i64(o, act, "baseRowId", &f->has_base_row_id, &f->base_row_id, err)) ||
        (rc = opt_i64(o, act, "defaultRowCommitVersion", &f->has_default_row_commit_version,
                      &f->default_row_commit_version, err)) ||
        (rc = opt_str(a, o, act, "clusteringProvider", &f->clustering_provider, err)))
        return rc;
    return 0;
}

static int parse_remove(Arena *a, const JsonNode *o, DeltaRemove *f, TarnError *err)
{
    static const char *act = "remove";
    int rc;
    memset(f, 0, sizeof *f);
    if ((rc = req_str(a, o, act, "path", &f->path, err)) ||
        (rc = opt_i64(o, act, "deletionTimestamp", &f->has_deletion_timestamp,
                      &f->deletion_timestamp, err)) ||
        (rc = opt_bool(o, act, "dataChange", true, &f->data_change, err)) ||
        (rc = opt_bool(o, act, "extendedFileMetadata", false, &f->extended_file_metadata, err)) ||
        (rc = parse_map(a, o, act, "partitionValues", &f->partition_values, err)) ||
        (rc = opt_i64(o, act, "size", &f->has_size, &f->size, err)) ||
        (rc = opt_str(a, o, act, "stats", &f->stats, err)) ||
        (rc = parse_map(a, o, act, "tags", &f->tags, err)) ||
        (rc = delta_dv_from_json(a, get(o, "deletionVector"), &f->dv, err)) ||
        (rc = opt_i64(o, act, "baseRowId", &f->has_base_row_id, &f->base_row_id, err)) ||
        (rc = opt_i64(o, act, "defaultRowCommitVersion", &f->has_default_row_commit_version,
                      &f->default_row_commit_version, err)))
        return rc;
    return 0;
}

static int parse_cdc(Arena *a, const JsonNode *o, DeltaCdc *f, TarnError *err)
{
    static const char *act = "cdc";
    int rc;
    memset(f, 0, sizeof *f);
    bool has;
    if ((rc = req_str(a, o, act, "path", &f->path, err)) ||
        (rc = parse_map(a, o, act, "partitionValues", &f->partition_values, err)) ||
        (rc = opt_i64(o, act, "size", &has, &f->size, err)) ||
        (rc = opt_bool(o, act, "dataChange", false, &f->data_change, err)) ||
        (rc = parse_map(a, o, act, "tags", &f->tags, err)))
        return rc;
    return 0;
}

static int parse_txn(Arena *a, const JsonNode *o, DeltaSetTxn *t, TarnError *err)
{
    static const char *act = "txn";
    int rc;
    memset(t, 0, sizeof *t);
    if ((rc = req_str(a, o, act, "appId", &t->app_id, err)) ||
        (rc = req_i64(o, act, "version", &t->version, err)) ||
        (rc = opt_i64(o, act, "lastUpdated", &t->has_last_updated, &t->last_updated, err)))
        return rc;
    return 0;
}

static int parse_commit_info(Arena *a, const JsonNode *o, DeltaCommitInfo *c, TarnError *err)
{
    memset(c, 0, sizeof *c);
    Buf b;
    buf_init(&b);
    if (json_write_node(o, &b) || buf_terminate(&b)) {
        buf_free(&b);
        return ERR_NOMEM(err, b.len);
    }
    c->json = arena_strndup(a, (const char *)b.data, b.len);
    buf_free(&b);
    if (!c->json)
        return ERR_NOMEM(err, b.len);
    /* commitInfo is free-form: tolerate odd types by ignoring them. */
    const JsonNode *n;
    if ((n = get(o, "timestamp")) && n->type == JSON_INT) {
        c->has_timestamp = true;
        c->timestamp = n->u.i;
    }
    if ((n = get(o, "inCommitTimestamp")) && n->type == JSON_INT) {
        c->has_in_commit_timestamp = true;
        c->in_commit_timestamp = n->u.i;
    }
    if ((n = get(o, "readVersion")) && n->type == JSON_INT) {
        c->has_read_version = true;
        c->read_version = n->u.i;
    }
    if ((n = get(o, "isBlindAppend")) && n->type == JSON_BOOL)
        c->is_blind_append = n->u.b;
    if ((n = get(o, "operation")) && n->type == JSON_STRING) {
        c->operation = arena_strndup(a, n->u.str, n->len);
        if (!c->operation)
            return ERR_NOMEM(err, n->len);
    }
    return 0;
}

static int parse_domain(Arena *a, const JsonNode *o, DeltaDomainMetadata *d, TarnError *err)
{
    static const char *act = "domainMetadata";
    int rc;
    memset(d, 0, sizeof *d);
    if ((rc = req_str(a, o, act, "domain", &d->domain, err)) ||
        (rc = opt_str(a, o, act, "configuration", &d->configuration, err)) ||
        (rc = opt_bool(o, act, "removed", false, &d->removed, err)))
        return rc;
    if (!d->configuration && !(d->configuration = arena_strdup(a, "")))
        return ERR_NOMEM(err, 1);
    return 0;
}

static int parse_checkpoint_metadata(Arena *a, const JsonNode *o, DeltaCheckpointMetadata *c,
                                     TarnError *err)
{
    static const char *act = "checkpointMetadata";
    int rc;
    memset(c, 0, sizeof *c);
    if ((rc = req_i64(o, act, "version", &c->version, err)) ||
        (rc = parse_map(a, o, act, "tags", &c->tags, err)))
        return rc;
    return 0;
}

static int parse_sidecar(Arena *a, const JsonNode *o, DeltaSidecar *s, TarnError *err)
{
    static const char *act = "sidecar";
    int rc;
    memset(s, 0, sizeof *s);
    bool has;
    if ((rc = req_str(a, o, act, "path", &s->path, err)) ||
        (rc = req_i64(o, act, "sizeInBytes", &s->size_bytes, err)) ||
        (rc = opt_i64(o, act, "modificationTime", &has, &s->modification_time, err)) ||
        (rc = parse_map(a, o, act, "tags", &s->tags, err)))
        return rc;
    return 0;
}

int delta_action_from_json(Arena *a, const JsonNode *obj, DeltaAction *out, TarnError *err)
{
    memset(out, 0, sizeof *out);
    if (!obj || obj->type != JSON_OBJECT)
        return err_set(err, TARN_ERR_CORRUPT, "action is not a JSON object");
    /* An action line is an object with exactly one member naming the
     * action; take the first member that is a known action (or the first
     * member if none is). */
    for (uint32_t i = 0; i < obj->len; i++) {
        const JsonMember *m = &obj->u.members[i];
        const JsonNode *v = &m->value;
        const char *k = m->key;
        DeltaActionKind kind = 0;
        if (strcmp(k, "add") == 0) kind = DELTA_ACT_ADD;
        else if (strcmp(k, "remove") == 0) kind = DELTA_ACT_REMOVE;
        else if (strcmp(k, "metaData") == 0) kind = DELTA_ACT_METADATA;
        else if (strcmp(k, "protocol") == 0) kind = DELTA_ACT_PROTOCOL;
        else if (strcmp(k, "commitInfo") == 0) kind = DELTA_ACT_COMMIT_INFO;
        else if (strcmp(k, "txn") == 0) kind = DELTA_ACT_TXN;
        else if (strcmp(k, "cdc") == 0) kind = DELTA_ACT_CDC;
        else if (strcmp(k, "domainMetadata") == 0) kind = DELTA_ACT_DOMAIN_METADATA;
        else if (strcmp(k, "checkpointMetadata") == 0) kind = DELTA_ACT_CHECKPOINT_METADATA;
        else if (strcmp(k, "sidecar") == 0) kind = DELTA_ACT_SIDECAR;
        if (!kind)
            continue;
        if (v->type == JSON_NULL)
            continue; /* {"add":null,...}: some writers emit explicit nulls */
        if (v->type != JSON_OBJECT)
            return err_set(err, TARN_ERR_CORRUPT, "%s action is not an object", k);
        out->kind = kind;
        switch (kind) {
        case DELTA_ACT_ADD: return parse_add(a, v, &out->u.add, err);
        case DELTA_ACT_REMOVE: return parse_remove(a, v, &out->u.remove, err);
        case DELTA_ACT_METADATA: return parse_metadata(a, v, &out->u.metadata, err);
        case DELTA_ACT_PROTOCOL: return parse_protocol(a, v, &out->u.protocol, err);
        case DELTA_ACT_COMMIT_INFO: return parse_commit_info(a, v, &out->u.commit_info, err);
        case DELTA_ACT_TXN: return parse_txn(a, v, &out->u.txn, err);
        case DELTA_ACT_CDC: return parse_cdc(a, v, &out->u.cdc, err);
        case DELTA_ACT_DOMAIN_METADATA: return parse_domain(a, v, &out->u.domain, err);
        case DELTA_ACT_CHECKPOINT_METADATA:
            return parse_checkpoint_metadata(a, v, &out->u.checkpoint_metadata, err);
        case DELTA_ACT_SIDECAR: return parse_sidecar(a, v, &out->u.sidecar, err);
        default: break;
        }
    }
    out->kind = DELTA_ACT_UNKNOWN;
    out->u.unknown_name = obj->len ? arena_strdup(a, obj->u.members[0].key) : "";
    return out->u.unknown_name ? 0 : ERR_NOMEM(err, 16);
}

int delta_action_parse_line(Arena *a, const char *line, size_t len, DeltaAction *out,
                            TarnError *err)
{
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
        i++;
    if (i == len) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    JsonNode *root;
    int rc = json_parse(a, line, len, &root, err);
    if (rc)
        return rc;
    return delta_action_from_json(a, root, out, err);
}

int delta_actions_parse(Arena *a, const char *text, size_t len, const char *file_name,
                        DeltaActionList *out, TarnError *err)
{
    size_t pos = 0;
    int64_t line_no = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        line_no++;
        DeltaAction act;
        int rc = delta_action_parse_line(a, text + pos, end - pos, &act, err);
        if (rc) {
            /* Rewrite the message so that the file and line come first. */
            if (err && err->kind == rc) {
                char pre[300];
                snprintf(pre, sizeof pre, "delta log \"%.200s\" line %" PRId64 ": ", file_name, line_no);
                delta_err_prefix(err, pre);
            }
            return rc;
        }
        if (act.kind && delta_action_list_push(out, &act))
            return ERR_NOMEM(err, sizeof act);
        pos = end + 1;
    }
    return 0;
}

/* ---- Serialization ---------------------------------------------------------------------- */

static int w_key(Buf *o, bool *first, const char *key)
{
    if (!*first && buf_append_byte(o, ','))
        return TARN_ERR_NOMEM;
    *first = false;
    if (value_append_json_string(o, key, strlen(key)) || buf_append_byte(o, ':'))
        return TARN_ERR_NOMEM;
    return 0;
}

static int w_str(Buf *o, bool *first, const char *key, const char *v)
{
    if (!v)
        return 0;
    if (w_key(o, first, key))
        return TARN_ERR_NOMEM;
    return value_append_json_string(o, v, strlen(v));
}

static int w_i64(Buf *o, bool *first, const char *key, int64_t v)
{
    if (w_key(o, first, key))
        return TARN_ERR_NOMEM;
    return buf_printf(o, "%" PRId64, v);
}

static int w_bool(Buf *o, bool *first, const char *key, bool v)
{
    if (w_key(o, first, key))
        return TARN_ERR_NOMEM;
    return buf_printf(o, "%s", v ? "true" : "false");
}

int delta_map_serialize(const DeltaStrMap *m, Buf *out)
{
    if (buf_append_byte(out, '{'))
        return TARN_ERR_NOMEM;
    for (uint32_t i = 0; m && i < m->n; i++) {
        if (i && buf_append_byte(out, ','))
            return TARN_ERR_NOMEM;
        if (value_append_json_string(out, m->keys[i], strlen(m->keys[i])) || buf_append_byte(out, ':'))
            return TARN_ERR_NOMEM;
        if (m->values[i] ? value_append_json_string(out, m->values[i], strlen(m->values[i]))
                         : buf_printf(out, "null"))
            return TARN_ERR_NOMEM;
    }
    return buf_append_byte(out, '}');
}

static int w_map(Buf *o, bool *first, const char *key, const DeltaStrMap *m, bool always)
{
    if (!always && (!m || m->n == 0))
        return 0;
    if (w_key(o, first, key))
        return TARN_ERR_NOMEM;
    return delta_map_serialize(m, o);
}

static int w_str_array(Buf *o, bool *first, const char *key, uint32_t n, char **v)
{
    if (w_key(o, first, key) || buf_append_byte(o, '['))
        return TARN_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++) {
        if (i && buf_append_byte(o, ','))
            return TARN_ERR_NOMEM;
        if (value_append_json_string(o, v[i], strlen(v[i])))
            return TARN_ERR_NOMEM;
    }
    return buf_append_byte(o, ']');
}

int delta_dv_serialize(const DeltaDv *dv, Buf *o)
{
    bool first = true;
    char st[2] = {dv->storage_type, 0};
    if (buf_append_byte(o, '{') || w_str(o, &first, "storageType", st) ||
        w_str(o, &first, "pathOrInlineDv", dv->path_or_inline))
        return TARN_ERR_NOMEM;
    if (dv->has_offset && w_i64(o, &first, "offset", dv->offset))
        return TARN_ERR_NOMEM;
    if (w_i64(o, &first, "sizeInBytes", dv->size_bytes) ||
        w_i64(o, &first, "cardinality", dv->cardinality))
        return TARN_ERR_NOMEM;
    return buf_append_byte(o, '}');
}

int delta_dv_unique_id(const DeltaDv *dv, Buf *out)
{
    if (buf_append_byte(out, (uint8_t)dv->storage_type) ||
        buf_append(out, dv->path_or_inline, strlen(dv->path_or_inline)))
        return TARN_ERR_NOMEM;
    if (dv->has_offset && buf_printf(out, "@%d", (int)dv->offset))
        return TARN_ERR_NOMEM;
    return 0;
}

static int ser_body(const DeltaAction *act, Buf *o)
{
    bool f = true;
    switch (act->kind) {
    case DELTA_ACT_PROTOCOL: {
        const DeltaProtocol *p = &act->u.protocol;
        if (w_i64(o, &f, "minReaderVersion", p->min_reader_version) ||
            w_i64(o, &f, "minWriterVersion", p->min_writer_version))
            return TARN_ERR_NOMEM;
        if (p->has_reader_features &&
            w_str_array(o, &f, "readerFeatures", p->n_reader_features, p->reader_features))
            return TARN_ERR_NOMEM;
        if (p->has_writer_features &&
            w_str_array(o, &f, "writerFeatures", p->n_writer_features, p->writer_features))
            return TARN_ERR_NOMEM;
        return 0;
    }
    case DELTA_ACT_METADATA: {
        const DeltaMetadata *m = &act->u.metadata;
        if (w_str(o, &f, "id", m->id) || w_str(o, &f, "name", m->name) ||
            w_str(o, &f, "description", m->description) || w_key(o, &f, "format"))
            return TARN_ERR_NOMEM;
        bool f2 = true;
        if (buf_append_byte(o, '{') ||
            w_str(o, &f2, "provider", m->format_provider ? m->format_provider : "parquet") ||
            w_map(o, &f2, "options", &m->format_options, true) || buf_append_byte(o, '}'))
            return TARN_ERR_NOMEM;
        if (w_str(o, &f, "schemaString", m->schema_string) ||
            w_str_array(o, &f, "partitionColumns", m->n_partition_columns, m->partition_columns) ||
            w_map(o, &f, "configuration", &m->configuration, true))
            return TARN_ERR_NOMEM;
        if (m->has_created_time && w_i64(o, &f, "createdTime", m->created_time))
            return TARN_ERR_NOMEM;
        return 0;
    }
    case DELTA_ACT_ADD: {
        const DeltaAdd *a = &act->u.add;
        if (w_str(o, &f, "path", a->path) || w_map(o, &f, "partitionValues", &a->partition_values, true) ||
            w_i64(o, &f, "size", a->size) || w_i64(o, &f, "modificationTime", a->modification_time) ||
            w_bool(o, &f, "dataChange", a->data_change) || w_str(o, &f, "stats", a->stats) ||
            w_map(o, &f, "tags", &a->tags, false))
            return TARN_ERR_NOMEM;
        if (a->dv && (w_key(o, &f, "deletionVector") || delta_dv_serialize(a->dv, o)))
            return TARN_ERR_NOMEM;
        if (a->has_base_row_id && w_i64(o, &f, "baseRowId", a->base_row_id))
            return TARN_ERR_NOMEM;
        if (a->has_default_row_commit_version &&
            w_i64(o, &f, "defaultRowCommitVersion", a->default_row_commit_version))
            return TARN_ERR_NOMEM;
        return w_str(o, &f, "clusteringProvider", a->clustering_provider);
    }
    case DELTA_ACT_REMOVE: {
        const DeltaRemove *r = &act->u.remove;
        if (w_str(o, &f, "path", r->path))
            return TARN_ERR_NOMEM;
        if (r->has_deletion_timestamp && w_i64(o, &f, "deletionTimestamp", r->deletion_timestamp))
            return TARN_ERR_NOMEM;
        if (w_bool(o, &f, "dataChange", r->data_change))
            return TARN_ERR_NOMEM;
        if (r->extended_file_metadata &&
            (w_bool(o, &f, "extendedFileMetadata", true) ||
             w_map(o, &f, "partitionValues", &r->partition_values, true)))
            return TARN_ERR_NOMEM;
        if (r->has_size && w_i64(o, &f, "size", r->size))
            return TARN_ERR_NOMEM;
        if (w_str(o, &f, "stats", r->stats) || w_map(o, &f, "tags", &r->tags, false))
            return TARN_ERR_NOMEM;
        if (r->dv && (w_key(o, &f, "deletionVector") || delta_dv_serialize(r->dv, o)))
            return TARN_ERR_NOMEM;
        if (r->has_base_row_id && w_i64(o, &f, "baseRowId", r->base_row_id))
            return TARN_ERR_NOMEM;
        if (r->has_default_row_commit_version &&
            w_i64(o, &f, "defaultRowCommitVersion", r->default_row_commit_version))
            return TARN_ERR_NOMEM;
        return 0;
    }
    case DELTA_ACT_CDC: {
        const DeltaCdc *c = &act->u.cdc;
        if (w_str(o, &f, "path", c->path) || w_map(o, &f, "partitionValues", &c->partition_values, true) ||
            w_i64(o, &f, "size", c->size) || w_bool(o, &f, "dataChange", c->data_change) ||
            w_map(o, &f, "tags", &c->tags, false))
            return TARN_ERR_NOMEM;
        return 0;
    }
    case DELTA_ACT_TXN: {
        const DeltaSetTxn *t = &act->u.txn;
        if (w_str(o, &f, "appId", t->app_id) || w_i64(o, &f, "version", t->version))
            return TARN_ERR_NOMEM;
        if (t->has_last_updated && w_i64(o, &f, "lastUpdated", t->last_updated))
            return TARN_ERR_NOMEM;
        return 0;
    }
    case DELTA_ACT_DOMAIN_METADATA: {
        const DeltaDomainMetadata *d = &act->u.domain;
        if (w_str(o, &f, "domain", d->domain) ||
            w_str(o, &f, "configuration", d->configuration ? d->configuration : "") ||
            w_bool(o, &f, "removed", d->removed))
            return TARN_ERR_NOMEM;
        return 0;
    }
    case DELTA_ACT_CHECKPOINT_METADATA: {
        const DeltaCheckpointMetadata *c = &act->u.checkpoint_metadata;
        if (w_i64(o, &f, "version", c->version) || w_map(o, &f, "tags", &c->tags, false))
            return TARN_ERR_NOMEM;
        return 0;
    }
    case DELTA_ACT_SIDECAR: {
        const DeltaSidecar *s = &act->u.sidecar;
        if (w_str(o, &f, "path", s->path) || w_i64(o, &f, "sizeInBytes", s->size_bytes) ||
            w_i64(o, &f, "modificationTime", s->modification_time) ||
            w_map(o, &f, "tags", &s->tags, false))
            return TARN_ERR_NOMEM;
        return 0;
    }
    default:
        return 0;
    }
}

int delta_action_serialize(const DeltaAction *act, Buf *out)
{
    const char *name = NULL;
    switch (act->kind) {
    case DELTA_ACT_PROTOCOL: name = "protocol"; break;
    case DELTA_ACT_METADATA: name = "metaData"; break;
    case DELTA_ACT_ADD: name = "add"; break;
    case DELTA_ACT_REMOVE: name = "remove"; break;
    case DELTA_ACT_CDC: name = "cdc"; break;
    case DELTA_ACT_TXN: name = "txn"; break;
    case DELTA_ACT_COMMIT_INFO: name = "commitInfo"; break;
    case DELTA_ACT_DOMAIN_METADATA: name = "domainMetadata"; break;
    case DELTA_ACT_CHECKPOINT_METADATA: name = "checkpointMetadata"; break;
    case DELTA_ACT_SIDECAR: name = "sidecar"; break;
    default: return 0; /* unknown actions are not written back */
    }
    if (buf_printf(out, "{\"%s\":", name))
        return TARN_ERR_NOMEM;
    if (act->kind == DELTA_ACT_COMMIT_INFO) {
        const char *j = act->u.commit_info.json ? act->u.commit_info.json : "{}";
        if (buf_append(out, j, strlen(j)))
            return TARN_ERR_NOMEM;
    } else {
        if (buf_append_byte(out, '{') || ser_body(act, out) || buf_append_byte(out, '}'))
            return TARN_ERR_NOMEM;
    }
    return buf_printf(out, "}\n");
}

/* ---- _last_checkpoint ---------------------------------------------------------------------- */

int delta_last_checkpoint_parse(const char *text, size_t len, DeltaLastCheckpoint *out,
                                TarnError *err)
{
    Arena a;
    arena_init(&a, 4096);
    JsonNode *root;
    memset(out, 0, sizeof *out);
    int rc = json_parse(&a, text, len, &root, err);
    if (rc)
        goto done;
    if (root->type != JSON_OBJECT) {
        rc = err_set(err, TARN_ERR_CORRUPT, "_last_checkpoint is not a JSON object");
        goto done;
    }
    static const char *act = "_last_checkpoint";
    bool has;
    if ((rc = req_i64(root, act, "version", &out->version, err)) ||
        (rc = opt_i64(root, act, "size", &has, &out->size, err)) ||
        (rc = opt_i64(root, act, "parts", &out->has_parts, &out->parts, err)) ||
        (rc = opt_i64(root, act, "sizeInBytes", &out->has_size_in_bytes, &out->size_in_bytes, err)) ||
        (rc = opt_i64(root, act, "numOfAddFiles", &out->has_num_add_files, &out->num_add_files, err)))
        goto done;
    if (out->version < 0 || (out->has_parts && (out->parts < 1 || out->parts > 1000000)))
        rc = err_set(err, TARN_ERR_CORRUPT, "_last_checkpoint version or parts out of range");
done:
    arena_free(&a);
    return rc;
}

int delta_last_checkpoint_serialize(const DeltaLastCheckpoint *lc, Buf *out)
{
    bool f = true;
    if (buf_append_byte(out, '{') || w_i64(out, &f, "version", lc->version) ||
        w_i64(out, &f, "size", lc->size))
        return TARN_ERR_NOMEM;
    if (lc->has_parts && w_i64(out, &f, "parts", lc->parts))
        return TARN_ERR_NOMEM;
    if (lc->has_size_in_bytes && w_i64(out, &f, "sizeInBytes", lc->size_in_bytes))
        return TARN_ERR_NOMEM;
    if (lc->has_num_add_files && w_i64(out, &f, "numOfAddFiles", lc->num_add_files))
        return TARN_ERR_NOMEM;
    return buf_printf(out, "}\n");
}

/* ---- Log file names ------------------------------------------------------------------------ */

static bool digits(const char *s, int n, int64_t *out)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (v > (INT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

DeltaLogFileName delta_log_file_classify(const char *name)
{
    DeltaLogFileName r;
    memset(&r, 0, sizeof r);
    size_t n = strlen(name);
    int64_t v;
    if (n < 21 || !digits(name, 20, &v) || name[20] != '.')
        return r;
    const char *rest = name + 21;
    r.version = v;
    if (strcmp(rest, "json") == 0) {
        r.kind = DELTA_LOG_COMMIT;
    } else if (strcmp(rest, "crc") == 0) {
        r.kind = DELTA_LOG_CRC;
    } else if (strcmp(rest, "checkpoint.parquet") == 0) {
        r.kind = DELTA_LOG_CHECKPOINT;
    } else if (strncmp(rest, "checkpoint.", 11) == 0) {
        const char *p = rest + 11;
        size_t pn = strlen(p);
        int64_t o, np;
        if (pn == 10 + 1 + 10 + 8 && digits(p, 10, &o) && p[10] == '.' && digits(p + 11, 10, &np) &&
            strcmp(p + 21, ".parquet") == 0) {
            if (o >= 1 && np >= 1 && o <= np && np <= INT32_MAX) {
                r.kind = DELTA_LOG_CHECKPOINT_PART;
                r.part = (int32_t)o;
                r.n_parts = (int32_t)np;
            }
        } else if (pn > 5 && strcmp(p + pn - 5, ".json") == 0) {
            r.kind = DELTA_LOG_CHECKPOINT_V2;
            r.is_json = true;
        } else if (pn > 8 && strcmp(p + pn - 8, ".parquet") == 0) {
            r.kind = DELTA_LOG_CHECKPOINT_V2;
        }
    } else if (strlen(rest) == 20 + 15 && digits(rest, 20, &v) &&
               strcmp(rest + 20, ".compacted.json") == 0) {
        r.kind = DELTA_LOG_COMPACTION;
        r.end_version = v;
    }
    return r;
}

char *delta_commit_file_name(int64_t version, char *buf)
{
    snprintf(buf, 32, "%020" PRId64 ".json", version);
    return buf;
}

/* ---- Paths -------------------------------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int delta_path_decode(Arena *a, const char *path, char **out, bool *is_absolute_out, TarnError *err)
{
    const char *p = path;
    bool abs = false;
    /* Scheme: letters, digits, + - . then ':' before any '/'. */
    const char *colon = strchr(p, ':');
    const char *slash = strchr(p, '/');
    if (colon && colon > p && (!slash || colon < slash)) {
        bool scheme = true;
        for (const char *q = p; q < colon; q++)
            if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
                  *q == '+' || *q == '-' || *q == '.'))
                scheme = false;
        if (scheme) {
            if ((size_t)(colon - p) == 4 && strncasecmp(p, "file", 4) == 0) {
                p = colon + 1;
                /* file:///x, file://localhost/x, file:/x */
                if (strncmp(p, "//", 2) == 0) {
                    p += 2;
                    const char *s2 = strchr(p, '/');
                    if (!s2)
                        return err_set(err, TARN_ERR_CORRUPT, "file URI \"%s\" has no path", path);
                    p = s2;
                }
                abs = true;
            } else {
                return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: file system scheme \"%.*s\" in path \"%s\"",
                               (int)(colon - p), p, path);
            }
        }
    }
    if (*p == '/')
        abs = true;
    size_t n = strlen(p);
    char *o = arena_alloc(a, n + 1);
    if (!o)
        return ERR_NOMEM(err, n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '%' && i + 2 < n && hexval(p[i + 1]) >= 0 &&
            hexval(p[i + 2]) >= 0) {
            o[j++] = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
            i += 2;
        } else {
            o[j++] = p[i];
        }
    }
    o[j] = 0;
    if (memchr(o, 0, j))
        return err_set(err, TARN_ERR_CORRUPT, "path \"%s\" decodes to a NUL byte", path);
    *out = o;
    if (is_absolute_out)
        *is_absolute_out = abs;
    return 0;
}

int delta_path_encode(const char *path, Buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        unsigned c = *p;
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~' || c == '/' || c == '=' || c == '+';
        if (keep) {
            if (buf_append_byte(out, (uint8_t)c))
                return TARN_ERR_NOMEM;
        } else {
            uint8_t e[3] = {'%', (uint8_t)hex[c >> 4], (uint8_t)hex[c & 15]};
            if (buf_append(out, e, 3))
                return TARN_ERR_NOMEM;
        }
    }
    return 0;
}

int delta_partition_escape(const char *s, Buf *out)
{
    /* Hive's escapePathName set: control characters, DEL and the
     * punctuation listed below. */
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned c = *p;
        bool esc = c < 0x20 || c == 0x7F || strchr("\"#%'*/:=?\\{[]^", (int)c) != NULL;
        if (esc) {
            uint8_t e[3] = {'%', (uint8_t)hex[c >> 4], (uint8_t)hex[c & 15]};
            if (buf_append(out, e, 3))
                return TARN_ERR_NOMEM;
        } else if (buf_append_byte(out, (uint8_t)c)) {
            return TARN_ERR_NOMEM;
        }
    }
    return 0;
}
