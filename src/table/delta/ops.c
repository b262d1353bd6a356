/*
 * ops.c - table operations built on transactions: create, append and
 * overwrite (whole table or replaceWhere), DELETE, UPDATE and MERGE (by
 * copy-on-write or deletion vectors, with change data files when the table
 * has change data feed on), adding columns, widening a column, setting
 * properties.
 *
 * DML runs per candidate file (files the pruning terms cannot exclude) in
 * up to two passes: pass 1 reads the file, asks the caller's row filter
 * (or MERGE callbacks) which rows change, writes updated/inserted rows and
 * change data at once, and remembers the touched row positions; pass 2,
 * only for copy-on-write of partially touched files, copies the untouched
 * rows into new files.  With deletion vectors, pass 2 is replaced by a new
 * DV for the file (old DV + touched rows).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "table/delta/delta_int.h"
#include "table/delta/scan_int.h"
#include "util/datetime.h"
#include "vector/format.h"

static bool cfg_true(const DeltaMetadata *md, const char *key)
{
    const char *v = delta_map_get(&md->configuration, key, NULL);
    return v && strcasecmp(v, "true") == 0;
}

static bool has_feature(const DeltaProtocol *p, const char *f)
{
    for (uint32_t i = 0; i < p->n_writer_features; i++)
        if (strcmp(p->writer_features[i], f) == 0)
            return true;
    return false;
}

/* ---- Create --------------------------------------------------------------- */

static bool type_has(const LogicalType *t, TypeId id)
{
    if (t->id == id)
        return true;
    for (uint32_t i = 0; i < t->n_fields; i++)
        if (type_has(&t->fields[i].type, id))
            return true;
    return false;
}

/* Column mapping metadata for every struct field below t (physical names
 * "col-<uuid>", ids counting up from *max_id). */
static int assign_cm(Arena *a, const LogicalType *t, DeltaColumn *col, const char *base_md, int64_t *max_id)
{
    char uuid[40];
    delta_uuid_text(uuid);
    (*max_id)++;
    Buf b;
    buf_init(&b);
    const char *src = base_md ? base_md : "{}";
    size_t n = strlen(src);
    while (n && (src[n - 1] == ' ' || src[n - 1] == '\n'))
        n--;
    if (n < 2 || src[n - 1] != '}') {
        buf_free(&b);
        return TARN_ERR_INVALID;
    }
    bool empty = true;
    for (size_t i = 1; i + 1 < n; i++)
        if (src[i] != ' ')
            empty = false;
    char pn[48];
    snprintf(pn, sizeof pn, "col-%s", uuid);
    if (buf_append(&b, src, n - 1) ||
        buf_printf(&b, "%s\"delta.columnMapping.id\":%" PRId64 ",\"delta.columnMapping.physicalName\":\"%s\"}",
                   empty ? "" : ",", *max_id, pn) ||
        buf_terminate(&b)) {
        buf_free(&b);
        return TARN_ERR_NOMEM;
    }
    col->metadata_json = arena_strndup(a, (const char *)b.data, b.len);
    col->physical_name = arena_strdup(a, pn);
    col->field_id = (int32_t)*max_id;
    buf_free(&b);
    if (!col->metadata_json || !col->physical_name)
        return TARN_ERR_NOMEM;
    /* nested struct fields (also inside lists and maps) get their own names */
    const LogicalType *inner = t;
    DeltaColumn *icol = col;
    col->n_children = t->n_fields;
    col->children = t->n_fields ? arena_calloc(a, sizeof(DeltaColumn) * t->n_fields) : NULL;
    if (t->n_fields && !col->children)
        return TARN_ERR_NOMEM;
    for (uint32_t i = 0; i < inner->n_fields; i++) {
        DeltaColumn *c = &icol->children[i];
        c->name = inner->fields[i].name;
        c->physical_name = c->name;
        c->field_id = -1;
        c->metadata_json = "{}";
        if (inner->id == TYPE_STRUCT) {
            int rc = assign_cm(a, &inner->fields[i].type, c, NULL, max_id);
            if (rc)
                return rc;
        } else {
            /* element/key/value: only their struct fields are renamed */
            c->n_children = inner->fields[i].type.n_fields;
            if (c->n_children) {
                c->children = arena_calloc(a, sizeof(DeltaColumn) * c->n_children);
                if (!c->children)
                    return TARN_ERR_NOMEM;
                for (uint32_t k = 0; k < c->n_children; k++) {
                    DeltaColumn *cc = &c->children[k];
                    cc->name = inner->fields[i].type.fields[k].name;
                    cc->physical_name = cc->name;
                    cc->field_id = -1;
                    cc->metadata_json = "{}";
                    if (inner->fields[i].type.id == TYPE_STRUCT) {
                        int rc = assign_cm(a, &inner->fields[i].type.fields[k].type, cc, NULL, max_id);
                        if (rc)
                            return rc;
                    }
                }
            }
        }
    }
    return 0;
}

static int add_feature(Arena *a, char ***list, uint32_t *n, const char *f)
{
    for (uint32_t i = 0; i < *n; i++)
        if (strcmp((*list)[i], f) == 0)
            return 0;
    char **p = arena_alloc(a, sizeof(char *) * (*n + 1));
    if (!p)
        return TARN_ERR_NOMEM;
    if (*n)
        memcpy(p, *list, sizeof(char *) * *n);
    p[*n] = (char *)f;
    *list = p;
    (*n)++;
    return 0;
}

/* The protocol a table with this metadata and schema needs. */
static int choose_protocol(Arena *a, const DeltaMetadata *md, const Schema *s, const DeltaColumn *cols,
                           DeltaProtocol *p, TarnError *err)
{
    memset(p, 0, sizeof *p);
    bool dv = cfg_true(md, "delta.enableDeletionVectors");
    const char *cmm = delta_map_get(&md->configuration, "delta.columnMapping.mode", NULL);
    bool cm = cmm && strcasecmp(cmm, "none") != 0;
    bool ntz = false, checks = false, gen = false;
    for (uint32_t i = 0; i < s->n_fields; i++) {
        ntz |= type_has(&s->fields[i].type, TYPE_TIMESTAMP);
        if (cols)
            gen |= cols[i].generation_expr != NULL;
    }
    for (uint32_t i = 0; i < md->configuration.n; i++)
        checks |= strncmp(md->configuration.keys[i], "delta.constraints.", 18) == 0;
    bool cdf = cfg_true(md, "delta.enableChangeDataFeed");
    bool ict = cfg_true(md, "delta.enableInCommitTimestamps");
    bool tw = cfg_true(md, "delta.enableTypeWidening");
    bool append_only = cfg_true(md, "delta.appendOnly");
    (void)err;
    if (dv || ntz || tw || ict) {
        p->min_reader_version = dv || ntz || tw ? 3 : (cm ? 2 : 1);
        p->min_writer_version = 7;
        p->has_writer_features = true;
        p->has_reader_features = p->min_reader_version == 3;
        int rc = 0;
        rc |= add_feature(a, &p->writer_features, &p->n_writer_features, "appendOnly");
        rc |= add_feature(a, &p->writer_features, &p->n_writer_features, "invariants");
        if (checks) rc |= add_feature(a, &p->writer_features, &p->n_writer_features, "checkConstraints");
        if (gen) rc |= add_feature(a, &p->writer_features, &p->n_writer_features, "generatedColumns");
        if (cdf) rc |= add_feature(a, &p->writer_features, &p->n_writer_features, "changeDataFeed");
        if (ict) rc |= add_feature(a, &p->writer_features, &p->n_writer_features, "inCommitTimestamp");
        const char *rw[4];
        int nrw = 0;
        if (dv) rw[nrw++] = "deletionVectors";
        if (ntz) rw[nrw++] = "timestampNtz";
        if (tw) rw[nrw++] = "typeWidening";
        if (cm) rw[nrw++] = "columnMapping";
        for (int i = 0; i < nrw; i++) {
            rc |= add_feature(a, &p->writer_features, &p->n_writer_features, rw[i]);
            if (p->has_reader_features)
                rc |= add_feature(a, &p->reader_features, &p->n_reader_features, rw[i]);
        }
        (void)append_only;
        return rc ? TARN_ERR_NOMEM : 0;
    }
    p->min_reader_version = cm ? 2 : 1;
    p->min_writer_version = cm ? 5 : (cdf || gen) ? 4 : checks ? 3 : 2;
    return 0;
}

/* Why table schema `got` (with partition columns gp) is not `want` (wp):
 * writes a short description into why (empty when they agree: same column
 * names, types and nullability in the same order, same partitioning). */
static void schema_difference(const Schema *want, char *const *wp, uint32_t n_wp, const Schema *got,
                              char *const *gp, uint32_t n_gp, char *why, size_t cap)
{
    why[0] = '\0';
    char a[128], b[128];
    uint32_t n = want->n_fields < got->n_fields ? want->n_fields : got->n_fields;
    for (uint32_t i = 0; i < n; i++) {
        const Field *w = &want->fields[i], *g = &got->fields[i];
        if (strcasecmp(w->name, g->name) != 0) {
            snprintf(why, cap, "column %u is \"%s\", not \"%s\"", i + 1, g->name, w->name);
            return;
        }
        if (!type_equal(&w->type, &g->type)) {
            snprintf(why, cap, "column \"%s\" has type %s, not %s", g->name, type_name(&g->type, a, sizeof a),
                     type_name(&w->type, b, sizeof b));
            return;
        }
        if (w->nullable != g->nullable) {
            snprintf(why, cap, "column \"%s\" is %s", g->name, g->nullable ? "nullable" : "NOT NULL");
            return;
        }
    }
    if (want->n_fields != got->n_fields) {
        snprintf(why, cap, "it has %u columns, not %u", got->n_fields, want->n_fields);
        return;
    }
    bool same = n_wp == n_gp;
    for (uint32_t i = 0; same && i < n_wp; i++)
        same = strcasecmp(wp[i], gp[i]) == 0;
    if (!same)
        snprintf(why, cap, "it is partitioned differently");
}

/* Our commit of version 0 lost to another writer creating the table
 * between the existence check and the commit.  Without if_not_exists that
 * is "table already exists"; with it, success without change when the
 * other table has our schema and partitioning (the outcome of running the
 * two creations one after the other), else a conflict naming the
 * difference.  schema_string / partition columns: what we tried to write. */
static int created_concurrently(DeltaTable *t, const DeltaCreateOptions *o, const char *schema_string,
                                char *const *parts, uint32_t n_parts, TarnError *err)
{
    err_clear(err);
    if (!o->if_not_exists)
        return err_set_state(err, TARN_ERR_INVALID, "42P07", "table already exists at \"%s\" (created concurrently)",
                             t->display);
    DeltaSnapshot *s = delta_snapshot_latest(t, err);
    if (!s)
        return err_context(err, "reading the table created concurrently at \"%s\"", t->display);
    Arena a;
    arena_init(&a, 4096);
    DeltaSchema mine;
    int rc = delta_schema_parse(&a, schema_string, strlen(schema_string), &mine, err);
    if (rc == 0) {
        const DeltaMetadata *md = delta_snapshot_metadata(s);
        char why[512];
        schema_difference(&mine.schema, parts, n_parts, delta_snapshot_schema(s), md->partition_columns,
                          md->n_partition_columns, why, sizeof why);
        if (why[0]) {
            rc = err_set(err, TARN_ERR_CONFLICT, "table created concurrently at \"%s\" has a different schema: %s",
                         t->display, why);
            err_hint(err, "Another writer created the table first; adapt to its schema or use another location.");
        }
        delta_schema_destroy(&mine);
    }
    arena_free(&a);
    delta_snapshot_free(s);
    return rc;
}

int delta_create(DeltaTable *t, const DeltaCreateOptions *o, DeltaResult *res, TarnError *err)
{
    if (res) {
        memset(res, 0, sizeof *res);
        res->version = -1;
    }
    if (!o || !o->schema)
        return err_set(err, TARN_ERR_INVALID, "creating a Delta table needs a schema");
    bool exists;
    int rc = delta_table_exists(t, &exists, err);
    if (rc)
        return rc;
    if (exists) {
        if (o->if_not_exists)
            return 0;
        return err_set_state(err, TARN_ERR_INVALID, "42P07", "table already exists at \"%s\"", t->display);
    }
    if ((rc = delta_schema_check_writable(o->schema, err)))
        return rc;
    DeltaTransaction *x = delta_txn_begin_create(t, err);
    if (!x)
        return err->kind;
    Arena *a = delta_txn_arena(x);
    DeltaMetadata md;
    memset(&md, 0, sizeof md);
    char uuid[40];
    delta_uuid_text(uuid);
    md.id = arena_strdup(a, uuid);
    md.name = o->name ? arena_strdup(a, o->name) : NULL;
    md.description = o->description ? arena_strdup(a, o->description) : NULL;
    md.format_provider = "parquet";
    md.has_created_time = true;
    md.created_time = delta_now_ms(t);
    for (int i = 0; i < o->n_properties && rc == 0; i++) {
        if (!o->property_keys[i])
            continue;
        if (delta_map_set(a, &md.configuration, o->property_keys[i], o->property_values ? o->property_values[i] : NULL))
            rc = ERR_NOMEM(err, 64);
    }
    const char *cmm = delta_map_get(&md.configuration, "delta.columnMapping.mode", NULL);
    if (rc == 0 && cmm && strcasecmp(cmm, "name") != 0 && strcasecmp(cmm, "none") != 0)
        rc = err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: column mapping mode \"%s\" for new tables (use \"name\")", cmm);
    bool cm = cmm && strcasecmp(cmm, "name") == 0;
    if (rc == 0 && cfg_true(&md, "delta.enableInCommitTimestamps")) {
        if (delta_map_set(a, &md.configuration, "delta.inCommitTimestampEnablementVersion", "0"))
            rc = ERR_NOMEM(err, 64);
    }
    /* partition columns */
    if (rc == 0 && o->n_partition_columns > 0) {
        md.partition_columns = arena_alloc(a, sizeof(char *) * (size_t)o->n_partition_columns);
        if (!md.partition_columns)
            rc = ERR_NOMEM(err, 64);
        for (int i = 0; rc == 0 && i < o->n_partition_columns; i++) {
            int c = schema_find(o->schema, o->partition_columns[i]);
            if (c < 0)
                rc = err_set_state(err, TARN_ERR_NOT_FOUND, "42703", "partition column \"%s\" does not exist",
                                   o->partition_columns[i]);
            else if (type_is_nested(o->schema->fields[c].type.id))
                rc = err_set(err, TARN_ERR_INVALID, "partition column \"%s\" must have a simple type",
                             o->partition_columns[i]);
            else
                md.partition_columns[md.n_partition_columns++] = o->schema->fields[c].name;
        }
        if (rc == 0 && (uint32_t)o->n_partition_columns >= o->schema->n_fields)
            rc = err_set(err, TARN_ERR_INVALID, "a Delta table needs at least one column that is not a partition column");
    }
    /* per-column metadata (+ column mapping) */
    DeltaColumn *cols = rc ? NULL : arena_calloc(a, sizeof(DeltaColumn) * (o->schema->n_fields + 1));
    if (rc == 0 && !cols)
        rc = ERR_NOMEM(err, 64);
    int64_t max_id = 0;
    for (uint32_t i = 0; rc == 0 && i < o->schema->n_fields; i++) {
        const char *cmd = o->column_metadata ? o->column_metadata[i] : NULL;
        cols[i].name = o->schema->fields[i].name;
        cols[i].physical_name = cols[i].name;
        cols[i].field_id = -1;
        cols[i].metadata_json = cmd ? arena_strdup(a, cmd) : "{}";
        if (cmd && !value_json_valid(cmd, strlen(cmd)))
            rc = err_set(err, TARN_ERR_INVALID, "metadata of column \"%s\" is not valid JSON", cols[i].name);
        if (rc == 0 && cm && (rc = assign_cm(a, &o->schema->fields[i].type, &cols[i], cmd, &max_id)))
            rc = rc == TARN_ERR_NOMEM ? ERR_NOMEM(err, 64) : err_set(err, rc, "metadata of column \"%s\" is not a JSON object", cols[i].name);
    }
    if (rc == 0 && cm) {
        char buf[32];
        snprintf(buf, sizeof buf, "%" PRId64, max_id);
        if (delta_map_set(a, &md.configuration, "delta.columnMapping.maxColumnId", buf))
            rc = ERR_NOMEM(err, 64);
    }
    Buf js;
    buf_init(&js);
    if (rc == 0 && (rc = delta_schema_serialize(o->schema, cols, &js, err)) == 0 && buf_terminate(&js))
        rc = ERR_NOMEM(err, 64);
    if (rc == 0)
        md.schema_string = (char *)js.data;
    DeltaProtocol proto;
    if (rc == 0) {
        /* invariants/generation expressions come from the column metadata */
        DeltaSchema parsed;
        if ((rc = delta_schema_parse(a, md.schema_string, strlen(md.schema_string), &parsed, err)) == 0) {
            rc = choose_protocol(a, &md, &parsed.schema, parsed.columns, &proto, err);
            delta_schema_destroy(&parsed);
        }
    }
    if (rc == 0)
        rc = delta_txn_set_protocol(x, &proto, err);
    if (rc == 0)
        rc = delta_txn_set_metadata(x, &md, err);
    buf_free(&js);
    /* CREATE TABLE commitInfo */
    Buf params;
    buf_init(&params);
    if (rc == 0) {
        buf_printf(&params, "{\"isManaged\":\"false\",\"description\":");
        if (o->description)
            value_append_json_string(&params, o->description, strlen(o->description));
        else
            buf_printf(&params, "null");
        buf_printf(&params, ",\"partitionBy\":");
        Buf pb;
        buf_init(&pb);
        buf_append_byte(&pb, '[');
        for (uint32_t i = 0; i < md.n_partition_columns; i++) {
            if (i)
                buf_append_byte(&pb, ',');
            value_append_json_string(&pb, md.partition_columns[i], strlen(md.partition_columns[i]));
        }
        buf_append_byte(&pb, ']');
        value_append_json_string(&params, (const char *)pb.data, pb.len);
        buf_free(&pb);
        Buf props;
        buf_init(&props);
        delta_map_serialize(&md.configuration, &props);
        buf_printf(&params, ",\"properties\":");
        value_append_json_string(&params, (const char *)props.data, props.len);
        buf_free(&props);
        if (buf_printf(&params, "}") || buf_terminate(&params))
            rc = ERR_NOMEM(err, 64);
    }
    if (rc == 0)
        rc = delta_txn_set_operation(x, "CREATE TABLE", (const char *)params.data, err);
    buf_free(&params);
    /* kept past the commit (which frees the transaction's arena) to judge
     * a concurrent creation */
    Arena keep;
    arena_init(&keep, 4096);
    const DeltaMetadata *tmd = delta_txn_metadata(x);
    uint32_t n_parts = rc ? 0 : tmd->n_partition_columns;
    char *schema_copy = rc ? NULL : arena_strdup(&keep, tmd->schema_string);
    char **parts_copy = n_parts ? arena_alloc(&keep, sizeof(char *) * n_parts) : NULL;
    for (uint32_t i = 0; parts_copy && i < n_parts; i++)
        if (!(parts_copy[i] = arena_strdup(&keep, tmd->partition_columns[i])))
            parts_copy = NULL;
    if (rc == 0 && (!schema_copy || (n_parts && !parts_copy)))
        rc = ERR_NOMEM(err, 64);
    if (rc) {
        arena_free(&keep);
        delta_txn_abort(x);
        return rc;
    }
    rc = delta_txn_commit(x, res, err);
    if (rc == TARN_ERR_CONFLICT) /* the only conflict of a creation: version 0 exists */
        rc = created_concurrently(t, o, schema_copy, parts_copy, n_parts, err);
    arena_free(&keep);
    return rc;
}

/* ---- Predicates on rows --------------------------------------------------------- */

/* True when row i of column vector v satisfies p. */
static bool row_pred(const Vector *v, uint32_t i, const PqPredicate *p)
{
    Value x = delta_vector_value(v, i);
    if (p->op == PQ_CMP_IS_NULL)
        return x.is_null;
    if (p->op == PQ_CMP_NOT_NULL)
        return !x.is_null;
    if (x.is_null || p->value.is_null)
        return false;
    int c = delta_value_cmp(&x, &p->value);
    switch (p->op) {
    case PQ_CMP_EQ: return c == 0;
    case PQ_CMP_LT: return c < 0;
    case PQ_CMP_LE: return c <= 0;
    case PQ_CMP_GT: return c > 0;
    case PQ_CMP_GE: return c >= 0;
    default: return false;
    }
}

static bool is_partition_col(const DeltaMetadata *md, const char *name)
{
    for (uint32_t i = 0; i < md->n_partition_columns; i++)
        if (strcasecmp(md->partition_columns[i], name) == 0)
            return true;
    return false;
}

/* ---- Append / overwrite ------------------------------------------------------------ */

int delta_write(DeltaTable *t, const Batch *const *batches, size_t n_batches, const DeltaWriteOptions *opts,
                DeltaResult *res, TarnError *err)
{
    DeltaWriteOptions o;
    memset(&o, 0, sizeof o);
    if (opts)
        o = *opts;
    DeltaTransaction *x = delta_txn_begin(t, err);
    if (!x)
        return err->kind;
    DeltaSnapshot *snap = delta_txn_snapshot(x);
    int rc = 0;
    if (o.app_id)
        rc = delta_txn_set_app_txn(x, o.app_id, o.app_version, err);
    delta_txn_allow_schema_evolution(x, o.merge_schema);
    const DeltaSchema *ds = &snap->schema;
    if (rc == 0 && o.mode == DELTA_WRITE_OVERWRITE) {
        for (int i = 0; i < o.n_replace_where && rc == 0; i++) {
            int c = delta_schema_find(ds, o.replace_where[i].column);
            if (c < 0)
                rc = err_set_state(err, TARN_ERR_NOT_FOUND, "42703", "replaceWhere column \"%s\" does not exist",
                                   o.replace_where[i].column);
            else if (!is_partition_col(&snap->metadata, ds->schema.fields[c].name))
                rc = err_set(err, TARN_ERR_UNSUPPORTED,
                             "unsupported: replaceWhere on column \"%s\", which is not a partition column",
                             o.replace_where[i].column);
        }
        if (rc == 0)
            rc = delta_txn_read_predicate(x, o.replace_where, o.n_replace_where, err);
        Arena scratch;
        arena_init(&scratch, 4096);
        for (size_t i = 0; i < snap->n_files && rc == 0; i++) {
            const DeltaAdd *f = delta_snapshot_file(snap, i);
            if (o.n_replace_where && !delta_file_may_match(snap, f, o.replace_where, o.n_replace_where, &scratch)) {
                arena_reset(&scratch);
                continue;
            }
            arena_reset(&scratch);
            rc = delta_txn_remove_file(x, f, true, err);
        }
        arena_free(&scratch);
    }
    int64_t rows = 0;
    for (size_t k = 0; k < n_batches && rc == 0; k++) {
        const Batch *b = batches[k];
        /* rows written under replaceWhere must match it */
        for (int p = 0; p < o.n_replace_where && rc == 0 && o.mode == DELTA_WRITE_OVERWRITE; p++) {
            int j = -1;
            for (uint32_t c = 0; c < b->n_cols; c++)
                if (strcasecmp(b->schema->fields[c].name, o.replace_where[p].column) == 0)
                    j = (int)c;
            for (uint32_t i = 0; i < b->n_rows && rc == 0; i++)
                if (j < 0 || !row_pred(&b->cols[j], i, &o.replace_where[p]))
                    rc = err_set(err, TARN_ERR_INVALID, "written data does not satisfy the replaceWhere condition on \"%s\" (row %u)",
                                 o.replace_where[p].column, i + 1);
        }
        if (rc == 0)
            rc = delta_txn_write(x, b, err);
        rows += b->n_rows;
    }
    if (rc == 0) {
        const char *mode = o.mode == DELTA_WRITE_OVERWRITE ? "Overwrite" : "Append";
        char params[256];
        snprintf(params, sizeof params, "{\"mode\":\"%s\",\"partitionBy\":\"[]\"}", mode);
        rc = delta_txn_set_operation(x, "WRITE", params, err);
    }
    if (rc == 0)
        rc = delta_txn_add_metric(x, "numOutputRows", rows, err);
    if (rc) {
        delta_txn_abort(x);
        return rc;
    }
    return delta_txn_commit(x, res, err);
}

/* ---- DML core ------------------------------------------------------------------------ */

typedef struct Dml {
    DeltaTable *t;
    DeltaTransaction *x;
    DeltaSnapshot *snap;
    const DeltaSchema *ds;
    bool use_dv;
    bool cdf;
    DeltaFileWriter *cdc;
    Schema cdc_schema;         /* table schema + _change_type */
    /* per file, pass 1 */
    uint64_t *touched;         /* file row positions updated or deleted (sorted) */
    size_t n_touched, cap_touched;
    int64_t live_rows;         /* rows of the file seen (after its old DV) */
    /* callbacks */
    const DeltaCondition *cond;
    DeltaUpdateFn update;
    void *update_ctx;
    /* delta_apply */
    DeltaApplyFn apply;
    void *apply_ctx;
    /* merge */
    const DeltaMergeOptions *mo;
    DeltaIndex src_index;      /* key -> first source row id */
    uint32_t *src_next;        /* chain of source rows with the same key */
    uint8_t *src_matched;
    DeltaBatchView *src;       /* conformed source batches */
    size_t n_src;
    uint32_t *src_base;        /* first global row id of each source batch */
    uint32_t n_src_rows;
    int key_cols[64];
    int n_keys;
    Arena key_arena;
    /* totals */
    int64_t rows_deleted, rows_updated, rows_copied, rows_inserted;
    int64_t dv_added;
} Dml;

static int push_touched(Dml *d, uint64_t row, TarnError *err)
{
    if (d->n_touched == d->cap_touched) {
        size_t cap = d->cap_touched ? d->cap_touched * 2 : 1024;
        uint64_t *p = tarn_realloc(d->touched, cap * sizeof *p);
        if (!p)
            return ERR_NOMEM(err, cap * sizeof *p);
        d->touched = p;
        d->cap_touched = cap;
    }
    d->touched[d->n_touched++] = row;
    return 0;
}

/* Copies rows sel[0..n) of b into out (initialised on b's schema or a
 * wider one whose first columns match). */
static int gather(const Batch *b, const uint32_t *sel, uint32_t n, Batch *out)
{
    batch_reset(out);
    for (uint32_t c = 0; c < b->n_cols && c < out->n_cols; c++)
        for (uint32_t i = 0; i < n; i++)
            if (vec_append_from(&out->cols[c], &b->cols[c], sel[i]))
                return TARN_ERR_NOMEM;
    out->n_rows = n;
    return 0;
}

/* Writes rows of b (table schema) as change data of one type. */
static int write_cdc(Dml *d, const Batch *b, const uint32_t *sel, uint32_t n, const char *type, TarnError *err)
{
    if (!d->cdf || n == 0)
        return 0;
    Batch cb;
    if (batch_init(&cb, &d->cdc_schema))
        return ERR_NOMEM(err, 64);
    int rc = gather(b, sel, n, &cb);
    Vector *ct = &cb.cols[d->cdc_schema.n_fields - 1];
    for (uint32_t i = 0; rc == 0 && i < n; i++)
        rc = vec_append_str(ct, type, strlen(type));
    if (rc)
        rc = ERR_NOMEM(err, 64);
    else
        rc = delta_writer_write(d->cdc, &cb, err);
    batch_destroy(&cb);
    return rc;
}

static int write_cdc_all(Dml *d, const Batch *b, const char *type, TarnError *err)
{
    if (!d->cdf || b->n_rows == 0)
        return 0;
    uint32_t *sel = tarn_malloc(sizeof(uint32_t) * b->n_rows);
    if (!sel)
        return ERR_NOMEM(err, 64);
    for (uint32_t i = 0; i < b->n_rows; i++)
        sel[i] = i;
    int rc = write_cdc(d, b, sel, b->n_rows, type, err);
    tarn_free(sel);
    return rc;
}

/* Appends n bytes as hex: keys are used as C strings (the index is keyed
 * by NUL-terminated text), so binary values must not contain zero bytes. */
static void buf_append_hex(Buf *out, const void *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        buf_append_byte(out, (uint8_t)hx[b[i] >> 4]);
        buf_append_byte(out, (uint8_t)hx[b[i] & 15]);
    }
}

/* Merge keys: canonical text of the key columns; false when a key is NULL. */
static bool key_text(Dml *d, const Batch *b, uint32_t i, Buf *out)
{
    buf_clear(out);
    for (int k = 0; k < d->n_keys; k++) {
        const Vector *v = &b->cols[d->key_cols[k]];
        if (!vec_is_valid(v, i))
            return false;
        Value x = delta_vector_value(v, i);
        if (type_is_string_like(x.type)) {
            buf_printf(out, "s%u:", x.v.s.len);
            buf_append_hex(out, x.v.s.ptr, x.v.s.len);
        } else if (x.type == TYPE_DOUBLE || x.type == TYPE_FLOAT) {
            double dv = x.v.d == 0 ? 0 : x.v.d; /* -0 = 0 */
            buf_append_hex(out, &dv, sizeof dv);
        } else if (x.type == TYPE_DECIMAL) {
            int128_t u = x.precision > DECIMAL64_MAX_PRECISION ? x.v.i128 : x.v.i;
            buf_append_hex(out, &u, sizeof u);
        } else if (x.type == TYPE_BOOL) {
            buf_append_byte(out, x.v.b ? 't' : 'f');
        } else {
            buf_append_hex(out, &x.v.i, sizeof x.v.i);
        }
        buf_append_byte(out, ';');
    }
    return buf_terminate(out) == 0;
}

/* Source row id -> (batch, row). */
static void src_locate(Dml *d, uint32_t id, size_t *batch, uint32_t *row)
{
    size_t k = 0;
    while (k + 1 < d->n_src && d->src_base[k + 1] <= id)
        k++;
    *batch = k;
    *row = id - d->src_base[k];
}

typedef struct Pass1 {
    Dml *d;
    TarnError *err;
} Pass1;

/* Pass 1 of DELETE/UPDATE over one batch of a file. */
static int pass1_batch(void *ctx, const Batch *b, const int64_t *row_idx, TarnError *err)
{
    Dml *d = ctx;
    d->live_rows += b->n_rows;
    uint8_t *match = tarn_malloc(b->n_rows + 1);
    uint32_t *sel = tarn_malloc(sizeof(uint32_t) * (b->n_rows + 1));
    int rc = 0;
    if (!match || !sel) {
        rc = ERR_NOMEM(err, 64);
        goto done;
    }
    if (d->cond && d->cond->filter) {
        memset(match, 0, b->n_rows);
        if ((rc = d->cond->filter(d->cond->ctx, b, match, err)))
            goto done;
    } else {
        memset(match, 1, b->n_rows);
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < b->n_rows; i++)
        if (match[i]) {
            sel[n++] = i;
            if ((rc = push_touched(d, (uint64_t)row_idx[i], err)))
                goto done;
        }
    if (n == 0)
        goto done;
    Batch mb;
    if (batch_init(&mb, b->schema)) {
        rc = ERR_NOMEM(err, 64);
        goto done;
    }
    if (gather(b, sel, n, &mb)) {
        batch_destroy(&mb);
        rc = ERR_NOMEM(err, 64);
        goto done;
    }
    if (!d->update) {
        d->rows_deleted += n;
        rc = write_cdc_all(d, &mb, "delete", err);
    } else {
        Batch ub;
        if (batch_init(&ub, b->schema)) {
            batch_destroy(&mb);
            rc = ERR_NOMEM(err, 64);
            goto done;
        }
        batch_reset(&ub);
        ub.n_rows = 0;
        rc = d->update(d->update_ctx, &mb, &ub, err);
        if (rc == 0 && ub.n_rows != n)
            rc = err_set(err, TARN_ERR_INVALID, "UPDATE callback returned %u rows for %u matched rows", ub.n_rows, n);
        if (rc == 0)
            rc = delta_txn_write(d->x, &ub, err);
        if (rc == 0)
            rc = write_cdc_all(d, &mb, "update_preimage", err);
        if (rc == 0)
            rc = write_cdc_all(d, &ub, "update_postimage", err);
        d->rows_updated += n;
        batch_destroy(&ub);
    }
    batch_destroy(&mb);
done:
    tarn_free(match);
    tarn_free(sel);
    return rc;
}

/* Pass 1 of MERGE over one batch of a target file. */
static int merge_batch(void *ctx, const Batch *b, const int64_t *row_idx, TarnError *err)
{
    Dml *d = ctx;
    const DeltaMergeOptions *mo = d->mo;
    d->live_rows += b->n_rows;
    uint32_t *tsel = tarn_malloc(sizeof(uint32_t) * (b->n_rows + 1));
    uint32_t *ssel = tarn_malloc(sizeof(uint32_t) * (b->n_rows + 1));
    uint32_t *nsel = tarn_malloc(sizeof(uint32_t) * (b->n_rows + 1));
    uint8_t *act = tarn_calloc(b->n_rows + 1, 1);
    Buf key;
    buf_init(&key);
    int rc = 0;
    if (!tsel || !ssel || !nsel || !act) {
        rc = ERR_NOMEM(err, 64);
        goto done;
    }
    uint32_t n = 0, n_nm = 0;
    for (uint32_t i = 0; i < b->n_rows; i++) {
        uint32_t sid;
        if (!key_text(d, b, i, &key) || !delta_index_get(&d->src_index, (const char *)key.data, &sid)) {
            nsel[n_nm++] = i;
            continue;
        }
        if (d->src_next[sid] != UINT32_MAX) {
            rc = err_set_state(err, TARN_ERR_INVALID, "21000",
                               "MERGE cannot update or delete a target row matched by several source rows");
            goto done;
        }
        d->src_matched[sid] = 1;
        tsel[n] = i;
        ssel[n] = sid;
        n++;
    }
    /* not matched by source */
    if (mo->delete_not_matched_by_source && n_nm) {
        Batch db;
        if (batch_init(&db, b->schema)) {
            rc = ERR_NOMEM(err, 64);
            goto done;
        }
        rc = gather(b, nsel, n_nm, &db) ? ERR_NOMEM(err, 64) : 0;
        for (uint32_t k = 0; rc == 0 && k < n_nm; k++)
            rc = push_touched(d, (uint64_t)row_idx[nsel[k]], err);
        if (rc == 0)
            rc = write_cdc_all(d, &db, "delete", err);
        d->rows_deleted += n_nm;
        batch_destroy(&db);
        if (rc)
            goto done;
    }
    if (n == 0)
        goto done;
    Batch tb, sb, ub;
    if (batch_init(&tb, b->schema) || batch_init(&sb, b->schema) || batch_init(&ub, b->schema)) {
        rc = ERR_NOMEM(err, 64);
        goto done;
    }
    rc = gather(b, tsel, n, &tb) ? ERR_NOMEM(err, 64) : 0;
    for (uint32_t k = 0; rc == 0 && k < n; k++) {
        size_t bi;
        uint32_t ri;
        src_locate(d, ssel[k], &bi, &ri);
        for (uint32_t c = 0; c < sb.n_cols && rc == 0; c++)
            if (vec_append_from(&sb.cols[c], &d->src[bi].b.cols[c], ri))
                rc = ERR_NOMEM(err, 64);
    }
    sb.n_rows = n;
    batch_reset(&ub);
    ub.n_rows = 0;
    if (rc == 0) {
        if (mo->matched) {
            rc = mo->matched(mo->matched_ctx, &tb, &sb, act, &ub, err);
        } else {
            memset(act, DELTA_MERGE_UPDATE, n);
            for (uint32_t c = 0; c < ub.n_cols && rc == 0; c++)
                for (uint32_t k = 0; k < n && rc == 0; k++)
                    if (vec_append_from(&ub.cols[c], &sb.cols[c], k))
                        rc = ERR_NOMEM(err, 64);
            ub.n_rows = n;
        }
    }
    uint32_t n_upd = 0, n_del = 0;
    for (uint32_t k = 0; rc == 0 && k < n; k++) {
        if (act[k] == DELTA_MERGE_UPDATE)
            n_upd++;
        else if (act[k] == DELTA_MERGE_DELETE)
            n_del++;
        else if (act[k] != DELTA_MERGE_KEEP)
            rc = err_set(err, TARN_ERR_INVALID, "MERGE callback returned action %d", act[k]);
        if (rc == 0 && act[k] != DELTA_MERGE_KEEP)
            rc = push_touched(d, (uint64_t)row_idx[tsel[k]], err);
    }
    if (rc == 0 && ub.n_rows != n_upd)
        rc = err_set(err, TARN_ERR_INVALID, "MERGE callback returned %u updated rows for %u updates", ub.n_rows, n_upd);
    if (rc == 0 && n_upd)
        rc = delta_txn_write(d->x, &ub, err);
    if (rc == 0 && d->cdf) {
        uint32_t *us = tarn_malloc(sizeof(uint32_t) * (n + 1)), *ds = tarn_malloc(sizeof(uint32_t) * (n + 1));
        uint32_t nu = 0, nd = 0;
        if (!us || !ds)
            rc = ERR_NOMEM(err, 64);
        for (uint32_t k = 0; rc == 0 && k < n; k++) {
            if (act[k] == DELTA_MERGE_UPDATE)
                us[nu++] = k;
            else if (act[k] == DELTA_MERGE_DELETE)
                ds[nd++] = k;
        }
        if (rc == 0)
            rc = write_cdc(d, &tb, us, nu, "update_preimage", err);
        if (rc == 0)
            rc = write_cdc_all(d, &ub, "update_postimage", err);
        if (rc == 0)
            rc = write_cdc(d, &tb, ds, nd, "delete", err);
        tarn_free(us);
        tarn_free(ds);
    }
    d->rows_updated += n_upd;
    d->rows_deleted += n_del;
    batch_destroy(&tb);
    batch_destroy(&sb);
    batch_destroy(&ub);
done:
    buf_free(&key);
    tarn_free(tsel);
    tarn_free(ssel);
    tarn_free(nsel);
    tarn_free(act);
    return rc;
}

/* Pass 1 of delta_apply over one batch of a target file. */
static int apply_batch(void *ctx, const Batch *b, const int64_t *row_idx, TarnError *err)
{
    Dml *d = ctx;
    uint32_t n = b->n_rows;
    d->live_rows += n;
    uint8_t *act = tarn_calloc(n + 1, 1);
    uint32_t *us = tarn_malloc(sizeof(uint32_t) * (n + 1)), *ds = tarn_malloc(sizeof(uint32_t) * (n + 1));
    Batch ub;
    bool have_ub = false;
    int rc = 0;
    if (!act || !us || !ds)
        rc = ERR_NOMEM(err, 64);
    else if (batch_init(&ub, b->schema))
        rc = ERR_NOMEM(err, 64);
    else
        have_ub = true;
    if (rc == 0) {
        batch_reset(&ub);
        ub.n_rows = 0;
        rc = d->apply(d->apply_ctx, b, act, &ub, err);
    }
    uint32_t nu = 0, nd = 0;
    for (uint32_t k = 0; rc == 0 && k < n; k++) {
        if (act[k] == DELTA_MERGE_UPDATE)
            us[nu++] = k;
        else if (act[k] == DELTA_MERGE_DELETE)
            ds[nd++] = k;
        else if (act[k] != DELTA_MERGE_KEEP)
            rc = err_set(err, TARN_ERR_INVALID, "apply callback returned action %d", act[k]);
        if (rc == 0 && act[k] != DELTA_MERGE_KEEP)
            rc = push_touched(d, (uint64_t)row_idx[k], err);
    }
    if (rc == 0 && ub.n_rows != nu)
        rc = err_set(err, TARN_ERR_INVALID, "apply callback returned %u updated rows for %u updates", ub.n_rows, nu);
    if (rc == 0 && nu)
        rc = delta_txn_write(d->x, &ub, err);
    if (rc == 0 && d->cdf) {
        rc = write_cdc(d, b, us, nu, "update_preimage", err);
        if (rc == 0)
            rc = write_cdc_all(d, &ub, "update_postimage", err);
        if (rc == 0)
            rc = write_cdc(d, b, ds, nd, "delete", err);
    }
    d->rows_updated += nu;
    d->rows_deleted += nd;
    if (have_ub)
        batch_destroy(&ub);
    tarn_free(act);
    tarn_free(us);
    tarn_free(ds);
    return rc;
}

/* Pass 2 (copy-on-write): copies the rows not touched. */
static int pass2_batch(void *ctx, const Batch *b, const int64_t *row_idx, TarnError *err)
{
    Dml *d = ctx;
    uint32_t *sel = tarn_malloc(sizeof(uint32_t) * (b->n_rows + 1));
    if (!sel)
        return ERR_NOMEM(err, 64);
    uint32_t n = 0;
    DeltaRowSet ts = {d->n_touched, d->touched};
    for (uint32_t i = 0; i < b->n_rows; i++)
        if (!delta_rowset_contains(&ts, (uint64_t)row_idx[i]))
            sel[n++] = i;
    int rc = 0;
    if (n) {
        Batch cb;
        if (batch_init(&cb, b->schema)) {
            tarn_free(sel);
            return ERR_NOMEM(err, 64);
        }
        rc = gather(b, sel, n, &cb) ? ERR_NOMEM(err, 64) : delta_txn_write(d->x, &cb, err);
        batch_destroy(&cb);
        d->rows_copied += n;
    }
    tarn_free(sel);
    return rc;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Marks stats of a file that gained deletion vectors as wide bounds. */
static char *widen_stats(Arena *a, const char *stats, int64_t num_records)
{
    Buf b;
    buf_init(&b);
    if (stats && stats[0] == '{' && strstr(stats, "\"numRecords\"")) {
        if (!strstr(stats, "\"tightBounds\"")) {
            buf_printf(&b, "{\"tightBounds\":false%s%s", stats[1] == '}' ? "" : ",", stats + 1);
        } else {
            const char *tb = strstr(stats, "\"tightBounds\":true");
            if (tb)
                buf_printf(&b, "%.*s\"tightBounds\":false%s", (int)(tb - stats), stats, tb + 18);
            else
                buf_printf(&b, "%s", stats);
        }
    } else {
        buf_printf(&b, "{\"numRecords\":%" PRId64 ",\"tightBounds\":false}", num_records);
    }
    buf_terminate(&b);
    char *r = b.data ? arena_strndup(a, (const char *)b.data, strlen((const char *)b.data)) : NULL;
    buf_free(&b);
    return r;
}

/* Finishes one file after pass 1: new DV, removal, or copy-on-write. */
static int finish_file(Dml *d, const DeltaAdd *f, TarnError *err)
{
    if (d->n_touched == 0)
        return 0;
    qsort(d->touched, d->n_touched, sizeof(uint64_t), u64_cmp);
    int rc;
    if ((int64_t)d->n_touched >= d->live_rows) {
        /* every remaining row changed: the file goes away */
        return delta_txn_remove_file(d->x, f, true, err);
    }
    if (d->use_dv) {
        DeltaRowSet old = {0, NULL}, touched = {d->n_touched, d->touched}, all;
        if (f->dv && (rc = delta_dv_load(d->t->s, delta_table_abs_storage(d->t), d->t->root, f->dv, &old, err)))
            return rc;
        if (delta_rowset_union(&old, &touched, &all)) {
            delta_rowset_free(&old);
            return ERR_NOMEM(err, 64);
        }
        delta_rowset_free(&old);
        Arena *a = delta_txn_arena(d->x);
        DeltaAdd nf = *f;
        DeltaDv *dv = arena_calloc(a, sizeof *dv);
        if (!dv) {
            delta_rowset_free(&all);
            return ERR_NOMEM(err, 64);
        }
        rc = all.n <= 64 ? delta_dv_inline(all.rows, all.n, a, dv, err)
                         : delta_dv_write(d->t->s, d->t->root, all.rows, all.n, a, dv, err);
        delta_rowset_free(&all);
        if (rc)
            return rc;
        int64_t nrec = delta_stats_num_records(f->stats);
        if (nrec < 0)
            nrec = d->live_rows + (f->dv ? f->dv->cardinality : 0);
        nf.dv = dv;
        nf.data_change = true;
        nf.modification_time = f->modification_time;
        nf.stats = widen_stats(a, f->stats, nrec);
        if (!nf.stats)
            return ERR_NOMEM(err, 64);
        if ((rc = delta_txn_remove_file(d->x, f, true, err)) || (rc = delta_txn_add_file(d->x, &nf, err)))
            return rc;
        d->dv_added++;
        return 0;
    }
    if ((rc = delta_read_file(d->snap, f, true, pass2_batch, d, err)))
        return rc;
    return delta_txn_remove_file(d->x, f, true, err);
}

static int dml_init(Dml *d, DeltaTable *t, TarnError *err)
{
    memset(d, 0, sizeof *d);
    schema_init(&d->cdc_schema);
    arena_init(&d->key_arena, 16 * 1024);
    delta_index_init(&d->src_index);
    d->t = t;
    d->x = delta_txn_begin(t, err);
    if (!d->x)
        return err->kind;
    d->snap = delta_txn_snapshot(d->x);
    d->ds = &d->snap->schema;
    const DeltaMetadata *md = &d->snap->metadata;
    d->use_dv = cfg_true(md, "delta.enableDeletionVectors") && has_feature(&d->snap->protocol, "deletionVectors");
    d->cdf = cfg_true(md, "delta.enableChangeDataFeed");
    if (d->cdf) {
        if (schema_copy(&d->cdc_schema, &d->ds->schema) ||
            schema_add(&d->cdc_schema, "_change_type", type_simple(TYPE_STRING), true))
            return ERR_NOMEM(err, 64);
        d->cdc = delta_writer_new(t, md, d->ds, d->snap->column_mapping, true, err);
        if (!d->cdc)
            return err->kind;
    }
    return 0;
}

static void dml_free(Dml *d)
{
    if (d->cdc)
        delta_writer_free(d->cdc);
    schema_destroy(&d->cdc_schema);
    tarn_free(d->touched);
    delta_index_free(&d->src_index);
    tarn_free(d->src_next);
    tarn_free(d->src_matched);
    for (size_t i = 0; i < d->n_src; i++)
        delta_view_free(&d->src[i]);
    tarn_free(d->src);
    tarn_free(d->src_base);
    arena_free(&d->key_arena);
}

static int dml_commit(Dml *d, const char *op, const char *params, DeltaResult *res, TarnError *err)
{
    int rc = 0;
    if (d->cdc) {
        DeltaActionList cdcs;
        delta_action_list_init(&cdcs);
        rc = delta_writer_finish(d->cdc, delta_txn_arena(d->x), &cdcs, err);
        for (size_t i = 0; rc == 0 && i < cdcs.n; i++) {
            rc = delta_txn_push(d->x, &cdcs.items[i], err);
            if (rc == 0)
                rc = delta_txn_mark_written(d->x, cdcs.items[i].u.cdc.path, err);
        }
        delta_action_list_free(&cdcs);
        if (rc)
            delta_writer_abort(d->cdc);
    }
    if (rc == 0)
        rc = delta_txn_set_operation(d->x, op, params, err);
    if (rc == 0 && d->rows_deleted)
        rc = delta_txn_add_metric(d->x, "numDeletedRows", d->rows_deleted, err);
    if (rc == 0 && d->rows_updated)
        rc = delta_txn_add_metric(d->x, "numUpdatedRows", d->rows_updated, err);
    if (rc == 0)
        rc = delta_txn_add_metric(d->x, "numCopiedRows", d->rows_copied, err);
    if (rc == 0 && d->rows_inserted)
        rc = delta_txn_add_metric(d->x, "numInsertedRows", d->rows_inserted, err);
    if (rc == 0 && d->dv_added)
        rc = delta_txn_add_metric(d->x, "numDeletionVectorsAdded", d->dv_added, err);
    if (rc) {
        delta_txn_abort(d->x);
        d->x = NULL;
        return rc;
    }
    DeltaResult r;
    rc = delta_txn_commit(d->x, &r, err);
    d->x = NULL;
    if (rc)
        return rc;
    r.rows_deleted = d->rows_deleted;
    r.rows_updated = d->rows_updated;
    r.rows_copied = d->rows_copied;
    r.rows_inserted = d->rows_inserted;
    if (res)
        *res = r;
    return 0;
}

/* Runs pass 1 (fn) and the finish step over every candidate file. */
static int dml_run(Dml *d, const PqPredicate *prune, int n_prune, DeltaBatchFn fn, bool all_files, TarnError *err)
{
    int rc = delta_txn_read_predicate(d->x, prune, n_prune, err);
    Arena scratch;
    arena_init(&scratch, 4096);
    for (size_t i = 0; rc == 0 && i < d->snap->n_files; i++) {
        const DeltaAdd *f = delta_snapshot_file(d->snap, i);
        if (!all_files && n_prune && !delta_snapshot_file_may_match(d->snap, f, prune, n_prune, &scratch)) {
            arena_reset(&scratch);
            continue;
        }
        arena_reset(&scratch);
        d->n_touched = 0;
        d->live_rows = 0;
        rc = delta_read_file(d->snap, f, true, fn, d, err);
        if (rc == 0)
            rc = finish_file(d, f, err);
    }
    arena_free(&scratch);
    return rc;
}

/* The end of every DML operation: commits when rc is 0, otherwise abandons
 * the transaction (and its change-data files); frees d either way. */
static int dml_finish(Dml *d, int rc, const char *op, DeltaResult *res, TarnError *err)
{
    if (rc == 0) {
        rc = dml_commit(d, op, "{\"predicate\":\"[]\"}", res, err);
    } else if (d->x) {
        if (d->cdc)
            delta_writer_abort(d->cdc);
        delta_txn_abort(d->x);
    }
    dml_free(d);
    return rc;
}

int delta_delete(DeltaTable *t, const DeltaCondition *cond, DeltaResult *res, TarnError *err)
{
    Dml d;
    int rc = dml_init(&d, t, err);
    if (rc == 0) {
        d.cond = cond;
        rc = dml_run(&d, cond ? cond->prune : NULL, cond ? cond->n_prune : 0, pass1_batch, false, err);
    }
    return dml_finish(&d, rc, "DELETE", res, err);
}

int delta_update(DeltaTable *t, const DeltaCondition *cond, DeltaUpdateFn fn, void *ctx, DeltaResult *res,
                 TarnError *err)
{
    if (!fn)
        return err_set(err, TARN_ERR_INVALID, "UPDATE needs a callback producing the new rows");
    Dml d;
    int rc = dml_init(&d, t, err);
    if (rc == 0) {
        d.cond = cond;
        d.update = fn;
        d.update_ctx = ctx;
        rc = dml_run(&d, cond ? cond->prune : NULL, cond ? cond->n_prune : 0, pass1_batch, false, err);
    }
    return dml_finish(&d, rc, "UPDATE", res, err);
}

int delta_apply(DeltaTable *t, const PqPredicate *prune, int n_prune, DeltaApplyFn fn, void *ctx,
                const Batch *const *inserts, size_t n_inserts, const char *operation, DeltaResult *res, TarnError *err)
{
    if (!fn)
        return err_set(err, TARN_ERR_INVALID, "delta_apply needs a callback");
    Dml d;
    int rc = dml_init(&d, t, err);
    if (rc == 0) {
        d.apply = fn;
        d.apply_ctx = ctx;
        rc = dml_run(&d, prune, n_prune, apply_batch, false, err);
    }
    if (rc == 0)
        rc = fn(ctx, NULL, NULL, NULL, err); /* the scan is over: last word before the commit */
    for (size_t i = 0; rc == 0 && i < n_inserts; i++) {
        if (!inserts[i]->n_rows)
            continue;
        rc = delta_txn_write(d.x, inserts[i], err);
        if (rc == 0)
            rc = write_cdc_all(&d, inserts[i], "insert", err);
        d.rows_inserted += inserts[i]->n_rows;
    }
    return dml_finish(&d, rc, operation ? operation : "MERGE", res, err);
}

int delta_merge(DeltaTable *t, const DeltaMergeOptions *mo, DeltaResult *res, TarnError *err)
{
    if (!mo || mo->n_keys <= 0 || mo->n_keys > 64)
        return err_set(err, TARN_ERR_INVALID, "MERGE needs 1 to 64 key columns");
    Dml d;
    int rc = dml_init(&d, t, err);
    if (rc)
        goto out;
    d.mo = mo;
    for (int k = 0; k < mo->n_keys && rc == 0; k++) {
        d.key_cols[k] = delta_schema_find(d.ds, mo->key_columns[k]);
        if (d.key_cols[k] < 0)
            rc = err_set_state(err, TARN_ERR_NOT_FOUND, "42703", "MERGE key column \"%s\" does not exist",
                               mo->key_columns[k]);
    }
    d.n_keys = mo->n_keys;
    /* Conform and index the source. */
    d.src = tarn_calloc(mo->n_source + 1, sizeof(DeltaBatchView));
    d.src_base = tarn_calloc(mo->n_source + 1, sizeof(uint32_t));
    if (!d.src || !d.src_base)
        rc = ERR_NOMEM(err, 64);
    for (size_t i = 0; rc == 0 && i < mo->n_source; i++) {
        d.src_base[i] = d.n_src_rows;
        if ((rc = delta_view_init_ex(&d.src[i], &d.ds->schema, mo->source[i], NULL, err)))
            break;
        d.n_src = i + 1;
        d.n_src_rows += mo->source[i]->n_rows;
    }
    if (rc == 0) {
        d.src_next = tarn_malloc(sizeof(uint32_t) * (d.n_src_rows + 1));
        d.src_matched = tarn_calloc(d.n_src_rows + 1, 1);
        if (!d.src_next || !d.src_matched)
            rc = ERR_NOMEM(err, 64);
    }
    Buf key;
    buf_init(&key);
    for (size_t i = 0; rc == 0 && i < d.n_src; i++) {
        for (uint32_t r = 0; rc == 0 && r < d.src[i].b.n_rows; r++) {
            uint32_t id = d.src_base[i] + r, prev;
            d.src_next[id] = UINT32_MAX;
            if (!key_text(&d, &d.src[i].b, r, &key))
                continue; /* NULL keys never match */
            if (delta_index_get(&d.src_index, (const char *)key.data, &prev)) {
                d.src_next[prev] = id; /* duplicate key: a match becomes an error */
                continue;
            }
            char *k = arena_strndup(&d.key_arena, (const char *)key.data, key.len);
            if (!k || delta_index_put(&d.src_index, k, id))
                rc = ERR_NOMEM(err, 64);
        }
    }
    buf_free(&key);
    if (rc == 0)
        rc = dml_run(&d, mo->prune, mo->n_prune, merge_batch, mo->delete_not_matched_by_source, err);
    /* NOT MATCHED: insert */
    for (size_t i = 0; rc == 0 && mo->insert_not_matched && i < d.n_src; i++) {
        const Batch *sb = &d.src[i].b;
        uint32_t *sel = tarn_malloc(sizeof(uint32_t) * (sb->n_rows + 1));
        if (!sel) {
            rc = ERR_NOMEM(err, 64);
            break;
        }
        uint32_t n = 0;
        for (uint32_t r = 0; r < sb->n_rows; r++) {
            uint32_t id = d.src_base[i] + r;
            if (!d.src_matched[id]) {
                /* a duplicate of a matched key matched too */
                sel[n++] = r;
            }
        }
        Batch nb, ib;
        if (n && (batch_init(&nb, &d.ds->schema) == 0)) {
            rc = gather(sb, sel, n, &nb) ? ERR_NOMEM(err, 64) : 0;
            if (rc == 0 && mo->not_matched) {
                uint8_t *ins = tarn_calloc(n + 1, 1);
                if (!ins || batch_init(&ib, &d.ds->schema)) {
                    tarn_free(ins);
                    rc = ERR_NOMEM(err, 64);
                } else {
                    batch_reset(&ib);
                    ib.n_rows = 0;
                    rc = mo->not_matched(mo->not_matched_ctx, &nb, ins, &ib, err);
                    uint32_t want = 0;
                    for (uint32_t k = 0; k < n; k++)
                        want += ins[k] != 0;
                    if (rc == 0 && ib.n_rows != want)
                        rc = err_set(err, TARN_ERR_INVALID, "MERGE insert callback returned %u rows for %u inserts", ib.n_rows, want);
                    if (rc == 0 && ib.n_rows) {
                        rc = delta_txn_write(d.x, &ib, err);
                        if (rc == 0)
                            rc = write_cdc_all(&d, &ib, "insert", err);
                        d.rows_inserted += ib.n_rows;
                    }
                    batch_destroy(&ib);
                    tarn_free(ins);
                }
            } else if (rc == 0) {
                rc = delta_txn_write(d.x, &nb, err);
                if (rc == 0)
                    rc = write_cdc_all(&d, &nb, "insert", err);
                d.rows_inserted += n;
            }
            batch_destroy(&nb);
        } else if (n) {
            rc = ERR_NOMEM(err, 64);
        }
        tarn_free(sel);
    }
out:
    return dml_finish(&d, rc, "MERGE", res, err);
}

/* ---- Schema and property changes ------------------------------------------------------------ */

int delta_add_columns(DeltaTable *t, const Schema *columns, DeltaResult *res, TarnError *err)
{
    DeltaTransaction *x = delta_txn_begin(t, err);
    if (!x)
        return err->kind;
    const DeltaSchema *s = delta_txn_schema(x);
    Schema ns;
    schema_init(&ns);
    int rc = schema_copy(&ns, &s->schema) ? ERR_NOMEM(err, 64) : 0;
    for (uint32_t i = 0; rc == 0 && i < columns->n_fields; i++) {
        if (delta_schema_find(s, columns->fields[i].name) >= 0) {
            rc = err_set_state(err, TARN_ERR_INVALID, "42701", "column \"%s\" already exists", columns->fields[i].name);
            break;
        }
        LogicalType ct;
        if (type_copy(&ct, &columns->fields[i].type) || schema_add(&ns, columns->fields[i].name, ct, true))
            rc = ERR_NOMEM(err, 64);
    }
    if (rc == 0)
        rc = delta_evolve_metadata(x, &ns, err);
    schema_destroy(&ns);
    if (rc == 0)
        rc = delta_txn_set_operation(x, "ADD COLUMNS", NULL, err);
    if (rc) {
        delta_txn_abort(x);
        return rc;
    }
    return delta_txn_commit(x, res, err);
}

/* The start of a change to one column: a transaction on t (NULL: err set),
 * *c the column's index and *rc 0, or *rc the error 42703 when there is no
 * such column (the transaction stays open for the caller to abort). */
static DeltaTransaction *column_txn_begin(DeltaTable *t, const char *column, int *c, int *rc, TarnError *err)
{
    DeltaTransaction *x = delta_txn_begin(t, err);
    if (!x)
        return NULL;
    *c = delta_schema_find(&delta_txn_snapshot(x)->schema, column);
    *rc = *c < 0 ? err_set_state(err, TARN_ERR_NOT_FOUND, "42703", "column \"%s\" does not exist", column) : 0;
    return x;
}

int delta_widen_column(DeltaTable *t, const char *column, const LogicalType *to, DeltaResult *res, TarnError *err)
{
    int c, rc;
    DeltaTransaction *x = column_txn_begin(t, column, &c, &rc, err);
    if (!x)
        return err->kind;
    DeltaSnapshot *snap = delta_txn_snapshot(x);
    const DeltaSchema *s = &snap->schema;
    if (rc == 0 && (!cfg_true(&snap->metadata, "delta.enableTypeWidening") ||
                    !(has_feature(&snap->protocol, "typeWidening") || has_feature(&snap->protocol, "typeWidening-preview"))))
        rc = err_set(err, TARN_ERR_INVALID, "type widening is not enabled on this table (delta.enableTypeWidening)");
    else if (rc == 0 && (!delta_type_can_widen(&s->schema.fields[c].type, to) || type_is_nested(to->id)))
        rc = err_set(err, TARN_ERR_INVALID, "cannot change column \"%s\" to this type: not a widening the Delta protocol allows", column);
    Schema ns;
    schema_init(&ns);
    DeltaColumn *cols = NULL;
    Buf js, tc, from, tto;
    buf_init(&js);
    buf_init(&tc);
    buf_init(&from);
    buf_init(&tto);
    if (rc == 0 && (schema_copy(&ns, &s->schema) || !(cols = arena_alloc(delta_txn_arena(x), sizeof(DeltaColumn) * ns.n_fields))))
        rc = ERR_NOMEM(err, 64);
    if (rc == 0) {
        memcpy(cols, s->columns, sizeof(DeltaColumn) * ns.n_fields);
        type_destroy(&ns.fields[c].type);
        if (type_copy(&ns.fields[c].type, to))
            rc = ERR_NOMEM(err, 64);
    }
    /* record the change in delta.typeChanges */
    if (rc == 0 && (rc = delta_type_name(&s->schema.fields[c].type, &from, err)) == 0 &&
        (rc = delta_type_name(to, &tto, err)) == 0) {
        const char *old = cols[c].metadata_json;
        size_t n = strlen(old);
        const char *tcp = strstr(old, "\"delta.typeChanges\":[");
        if (tcp) {
            /* append to the existing list */
            const char *end = strchr(tcp, ']');
            buf_append(&tc, old, (size_t)(end - old));
            buf_printf(&tc, ",{\"fromType\":%.*s,\"toType\":%.*s}", (int)from.len, from.data, (int)tto.len, tto.data);
            buf_append(&tc, end, n - (size_t)(end - old));
        } else {
            buf_append(&tc, old, n - 1);
            buf_printf(&tc, "%s\"delta.typeChanges\":[{\"fromType\":%.*s,\"toType\":%.*s}]}", n > 2 ? "," : "",
                       (int)from.len, from.data, (int)tto.len, tto.data);
        }
        buf_terminate(&tc);
        cols[c].metadata_json = arena_strdup(delta_txn_arena(x), (const char *)tc.data);
        if (!cols[c].metadata_json)
            rc = ERR_NOMEM(err, 64);
    }
    if (rc == 0 && (rc = delta_schema_serialize(&ns, cols, &js, err)) == 0 && buf_terminate(&js))
        rc = ERR_NOMEM(err, 64);
    if (rc == 0) {
        DeltaMetadata m = snap->metadata;
        m.schema_string = (char *)js.data;
        rc = delta_txn_set_metadata(x, &m, err);
    }
    schema_destroy(&ns);
    buf_free(&js);
    buf_free(&tc);
    buf_free(&from);
    buf_free(&tto);
    if (rc == 0)
        rc = delta_txn_set_operation(x, "CHANGE COLUMN", NULL, err);
    if (rc) {
        delta_txn_abort(x);
        return rc;
    }
    return delta_txn_commit(x, res, err);
}

/* Upgrades the protocol (in x) to what metadata m needs, keeping every
 * feature the current protocol has or implies. */
static int ensure_protocol(DeltaTransaction *x, const DeltaSnapshot *snap, const DeltaMetadata *m, Arena *a, TarnError *err)
{
    DeltaProtocol p = snap->protocol;
    int rc = 0;
    DeltaSchema tmp;
    if (rc == 0 && (rc = delta_schema_parse(a, m->schema_string, strlen(m->schema_string), &tmp, err)) == 0) {
        DeltaProtocol need;
        rc = choose_protocol(a, m, &tmp.schema, tmp.columns, &need, err);
        delta_schema_destroy(&tmp);
        bool upgrade = need.min_reader_version > p.min_reader_version || need.min_writer_version > p.min_writer_version;
        for (uint32_t k = 0; rc == 0 && k < need.n_writer_features; k++)
            if (!has_feature(&p, need.writer_features[k]))
                upgrade = true;
        if (rc == 0 && upgrade) {
            DeltaProtocol q;
            memset(&q, 0, sizeof q);
            q.min_reader_version = need.min_reader_version > p.min_reader_version ? need.min_reader_version : p.min_reader_version;
            q.min_writer_version = need.min_writer_version > p.min_writer_version ? need.min_writer_version : p.min_writer_version;
            if (q.min_writer_version == 7 || need.min_writer_version == 7) {
                q.min_writer_version = 7;
                q.has_writer_features = true;
                /* keep what legacy versions implied */
                const char *legacy[] = {"appendOnly", "invariants", "checkConstraints", "changeDataFeed", "generatedColumns",
                                        "columnMapping"};
                int nl = p.min_writer_version >= 5 ? 6 : p.min_writer_version == 4 ? 5 : p.min_writer_version == 3 ? 3 : 2;
                for (int k = 0; k < nl && rc == 0; k++)
                    rc = add_feature(a, &q.writer_features, &q.n_writer_features, legacy[k]);
                for (uint32_t k = 0; k < p.n_writer_features && rc == 0; k++)
                    rc = add_feature(a, &q.writer_features, &q.n_writer_features, p.writer_features[k]);
                for (uint32_t k = 0; k < need.n_writer_features && rc == 0; k++)
                    rc = add_feature(a, &q.writer_features, &q.n_writer_features, need.writer_features[k]);
            }
            if (q.min_reader_version == 3) {
                q.has_reader_features = true;
                for (uint32_t k = 0; k < p.n_reader_features && rc == 0; k++)
                    rc = add_feature(a, &q.reader_features, &q.n_reader_features, p.reader_features[k]);
                for (uint32_t k = 0; k < need.n_reader_features && rc == 0; k++)
                    rc = add_feature(a, &q.reader_features, &q.n_reader_features, need.reader_features[k]);
            }
            if (rc == 0)
                rc = delta_txn_set_protocol(x, &q, err);
        }
    }
    return rc;
}

/* ---- Column mapping changes: RENAME / DROP COLUMN, nullability ---------------------------- */

static int json_str(Buf *b, const char *s)
{
    int rc = buf_append_byte(b, '"');
    for (; *s && rc == 0; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            rc = buf_printf(b, "\\%c", c);
        else if (c < 0x20)
            rc = buf_printf(b, "\\u%04x", c);
        else
            rc = buf_append_byte(b, c);
    }
    return rc ? rc : buf_append_byte(b, '"');
}

/* The snapshot's top-level columns copied into the transaction arena.
 * A table without column mapping is switched to name mode first, as the
 * protocol describes for existing tables: column i gets id i + 1 and
 * physicalName = its current name (so existing files still read and
 * their statistics and partition values stay valid), maxColumnId = n,
 * and the protocol is upgraded (reader 2 / writer 5, or the columnMapping
 * feature).  m gets the metadata to commit (schema_string unset). */
static int mapping_begin(DeltaTransaction *x, DeltaSnapshot *snap, DeltaMetadata *m, DeltaColumn **cols_out,
                         Schema *ns, TarnError *err)
{
    Arena *a = delta_txn_arena(x);
    const DeltaSchema *s = &snap->schema;
    uint32_t n = s->schema.n_fields;
    *m = snap->metadata;
    memset(&m->configuration, 0, sizeof m->configuration);
    if (delta_map_copy(a, &m->configuration, &snap->metadata.configuration))
        return ERR_NOMEM(err, 64);
    DeltaColumn *cols = arena_calloc(a, sizeof(DeltaColumn) * (n + 1));
    if (!cols || schema_copy(ns, &s->schema))
        return ERR_NOMEM(err, 64);
    memcpy(cols, s->columns, sizeof(DeltaColumn) * n);
    *cols_out = cols;
    if (snap->column_mapping)
        return 0;
    for (uint32_t i = 0; i < n; i++)
        if (type_is_nested(s->schema.fields[i].type.id))
            return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000",
                                 "enabling column mapping on a table with nested column \"%s\" is not supported yet",
                                 s->schema.fields[i].name);
    Buf b;
    buf_init(&b);
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        const char *old = cols[i].metadata_json ? cols[i].metadata_json : "{}";
        size_t len = strlen(old);
        while (len && (old[len - 1] == ' ' || old[len - 1] == '\n'))
            len--;
        if (len < 2 || old[0] != '{' || old[len - 1] != '}') {
            rc = err_set(err, TARN_ERR_CORRUPT, "column \"%s\" has malformed metadata", cols[i].name);
            break;
        }
        bool empty = true;
        for (size_t k = 1; k + 1 < len; k++)
            if (old[k] != ' ')
                empty = false;
        buf_clear(&b);
        if (buf_printf(&b, "{\"delta.columnMapping.id\":%u,\"delta.columnMapping.physicalName\":", i + 1) ||
            json_str(&b, cols[i].name) || (!empty && buf_append_byte(&b, ',')) || buf_append(&b, old + 1, len - 1) ||
            buf_terminate(&b)) {
            rc = ERR_NOMEM(err, 64);
            break;
        }
        cols[i].metadata_json = arena_strdup(a, (const char *)b.data);
        cols[i].physical_name = arena_strdup(a, cols[i].name);
        cols[i].field_id = (int32_t)(i + 1);
        if (!cols[i].metadata_json || !cols[i].physical_name)
            rc = ERR_NOMEM(err, 64);
    }
    buf_free(&b);
    char num[32];
    snprintf(num, sizeof num, "%u", n);
    if (rc == 0 && (delta_map_set(a, &m->configuration, "delta.columnMapping.mode", "name") ||
                    delta_map_set(a, &m->configuration, "delta.columnMapping.maxColumnId", num)))
        rc = ERR_NOMEM(err, 64);
    return rc;
}

/* Serializes ns/cols into m, upgrades the protocol, sets the operation and commits. */
static int mapping_commit(DeltaTransaction *x, DeltaSnapshot *snap, DeltaMetadata *m, const Schema *ns,
                          const DeltaColumn *cols, const char *op, const char *params, DeltaResult *res, TarnError *err)
{
    Buf js;
    buf_init(&js);
    int rc = delta_schema_serialize(ns, cols, &js, err);
    if (rc == 0 && buf_terminate(&js))
        rc = ERR_NOMEM(err, 64);
    if (rc == 0 && !(m->schema_string = arena_strdup(delta_txn_arena(x), (const char *)js.data)))
        rc = ERR_NOMEM(err, 64);
    buf_free(&js);
    if (rc == 0)
        rc = ensure_protocol(x, snap, m, delta_txn_arena(x), err);
    if (rc == 0)
        rc = delta_txn_set_metadata(x, m, err);
    if (rc == 0)
        rc = delta_txn_set_operation(x, op, params, err);
    if (rc) {
        delta_txn_abort(x);
        return rc;
    }
    return delta_txn_commit(x, res, err);
}

/* The end of a schema change: mapping_commit when rc is 0, else the
 * transaction is aborted (rc an error already set); ns is destroyed
 * either way. */
static int mapping_end(DeltaTransaction *x, DeltaSnapshot *snap, DeltaMetadata *m, Schema *ns, const DeltaColumn *cols,
                       const char *op, int rc, DeltaResult *res, TarnError *err)
{
    if (rc == 0)
        rc = mapping_commit(x, snap, m, ns, cols, op, NULL, res, err);
    else
        delta_txn_abort(x);
    schema_destroy(ns);
    return rc;
}

static bool is_partition_column(const DeltaMetadata *m, const char *name)
{
    for (uint32_t i = 0; i < m->n_partition_columns; i++)
        if (strcmp(m->partition_columns[i], name) == 0)
            return true;
    return false;
}

/* CHECK constraints, invariants and generation expressions name columns
 * by their logical names: a column they might mention is not renamed or
 * dropped (the test is textual, so it errs on the side of refusing). */
static int refuse_if_referenced(const DeltaSnapshot *snap, const char *column, const char *what, TarnError *err)
{
    const DeltaMetadata *md = &snap->metadata;
    for (uint32_t i = 0; i < md->configuration.n; i++)
        if (strncmp(md->configuration.keys[i], "delta.constraints.", 18) == 0 &&
            strcasestr(md->configuration.values[i], column))
            return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000",
                                 "cannot %s column \"%s\": CHECK constraint \"%s\" may use it", what, column,
                                 md->configuration.keys[i] + 18);
    const DeltaSchema *s = &snap->schema;
    for (uint32_t i = 0; i < s->schema.n_fields; i++) {
        const DeltaColumn *c = &s->columns[i];
        if ((c->generation_expr && strcasestr(c->generation_expr, column)) ||
            (c->invariant_expr && strcasestr(c->invariant_expr, column)))
            return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000",
                                 "cannot %s column \"%s\": the expression of column \"%s\" may use it", what, column,
                                 s->schema.fields[i].name);
    }
    return 0;
}

int delta_rename_column(DeltaTable *t, const char *column, const char *new_name, DeltaResult *res, TarnError *err)
{
    int c, rc;
    DeltaTransaction *x = column_txn_begin(t, column, &c, &rc, err);
    if (!x)
        return err->kind;
    DeltaSnapshot *snap = delta_txn_snapshot(x);
    Arena *a = delta_txn_arena(x);
    if (rc == 0 && schema_find(&snap->schema.schema, new_name) >= 0)
        rc = err_set_state(err, TARN_ERR_INVALID, "42701", "column \"%s\" already exists", new_name);
    else if (rc == 0 && !*new_name)
        rc = err_set(err, TARN_ERR_INVALID, "a column name must not be empty");
    else if (rc == 0)
        rc = refuse_if_referenced(snap, snap->schema.schema.fields[c].name, "rename", err);
    Schema ns;
    schema_init(&ns);
    DeltaMetadata m;
    DeltaColumn *cols = NULL;
    if (rc == 0)
        rc = mapping_begin(x, snap, &m, &cols, &ns, err);
    char *nn = rc == 0 ? arena_strdup(a, new_name) : NULL;
    if (rc == 0 && !nn)
        rc = ERR_NOMEM(err, 64);
    if (rc == 0) {
        const char *old = snap->schema.schema.fields[c].name;
        /* partitionColumns hold logical names */
        if (is_partition_column(&snap->metadata, old)) {
            char **pc = arena_alloc(a, sizeof(char *) * (m.n_partition_columns + 1));
            if (!pc) {
                rc = ERR_NOMEM(err, 64);
            } else {
                for (uint32_t i = 0; i < m.n_partition_columns; i++)
                    pc[i] = strcmp(m.partition_columns[i], old) == 0 ? nn : m.partition_columns[i];
                m.partition_columns = pc;
            }
        }
        char *fn = tarn_strdup(new_name);
        if (!fn) {
            rc = ERR_NOMEM(err, 64);
        } else {
            tarn_free(ns.fields[c].name);
            ns.fields[c].name = fn;
            cols[c].name = nn;
        }
    }
    return mapping_end(x, snap, &m, &ns, cols, "RENAME COLUMN", rc, res, err);
}

int delta_drop_column(DeltaTable *t, const char *column, DeltaResult *res, TarnError *err)
{
    int c, rc;
    DeltaTransaction *x = column_txn_begin(t, column, &c, &rc, err);
    if (!x)
        return err->kind;
    DeltaSnapshot *snap = delta_txn_snapshot(x);
    if (rc == 0 && is_partition_column(&snap->metadata, snap->schema.schema.fields[c].name))
        rc = err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "cannot drop partition column \"%s\"", column);
    else if (rc == 0 && snap->schema.schema.n_fields == 1)
        rc = err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "cannot drop the only column of a Delta table");
    else if (rc == 0)
        rc = refuse_if_referenced(snap, snap->schema.schema.fields[c].name, "drop", err);
    Schema ns;
    schema_init(&ns);
    DeltaMetadata m;
    DeltaColumn *cols = NULL;
    if (rc == 0)
        rc = mapping_begin(x, snap, &m, &cols, &ns, err);
    if (rc == 0) {
        /* the column leaves the schema; files keep it (readers ignore it) */
        Schema rest;
        schema_init(&rest);
        for (uint32_t i = 0; i < ns.n_fields && rc == 0; i++) {
            if ((int)i == c)
                continue;
            LogicalType ct;
            if (type_copy(&ct, &ns.fields[i].type) || schema_add(&rest, ns.fields[i].name, ct, ns.fields[i].nullable))
                rc = ERR_NOMEM(err, 64);
        }
        memmove(&cols[c], &cols[c + 1], sizeof(DeltaColumn) * (ns.n_fields - (uint32_t)c - 1));
        schema_destroy(&ns);
        ns = rest;
    }
    return mapping_end(x, snap, &m, &ns, cols, "DROP COLUMNS", rc, res, err);
}

/* Ends a CHANGE COLUMN of column c that alters only its nullability
 * (nullable 0/1; -1: unchanged) or its char/varchar length (char_to; NULL:
 * unchanged): commits the schema with that change, or aborts x when rc
 * is an error already set. */
static int commit_column_attrs(DeltaTransaction *x, int c, int rc, int nullable, const LogicalType *char_to,
                               DeltaResult *res, TarnError *err)
{
    DeltaSnapshot *snap = delta_txn_snapshot(x);
    const DeltaSchema *s = &snap->schema;
    Schema ns;
    schema_init(&ns);
    DeltaMetadata m = snap->metadata;
    if (rc == 0 && schema_copy(&ns, &s->schema))
        rc = ERR_NOMEM(err, 64);
    if (rc == 0 && nullable >= 0)
        ns.fields[c].nullable = nullable;
    if (rc == 0 && char_to) {
        ns.fields[c].type.char_len = char_to->char_kind ? char_to->char_len : 0;
        ns.fields[c].type.char_kind = char_to->char_len ? char_to->char_kind : 0;
    }
    return mapping_end(x, snap, &m, &ns, s->columns, "CHANGE COLUMN", rc, res, err);
}

int delta_set_nullable(DeltaTable *t, const char *column, bool nullable, DeltaResult *res, TarnError *err)
{
    int c, rc;
    DeltaTransaction *x = column_txn_begin(t, column, &c, &rc, err);
    if (!x)
        return err->kind;
    DeltaSnapshot *snap = delta_txn_snapshot(x);
    const DeltaSchema *s = &snap->schema;
    if (rc == 0 && s->schema.fields[c].nullable == nullable) {
        delta_txn_abort(x);
        if (res)
            memset(res, 0, sizeof *res);
        if (res)
            res->version = -1;
        return 0;
    }
    /* NOT NULL must hold for the rows already there */
    if (rc == 0 && !nullable) {
        delta_txn_read_whole_table(x);
        const char *cols1[1] = {s->schema.fields[c].name};
        PqPredicate p;
        memset(&p, 0, sizeof p);
        p.column = cols1[0];
        p.op = PQ_CMP_IS_NULL;
        DeltaScanOptions so;
        memset(&so, 0, sizeof so);
        so.columns = cols1;
        so.n_columns = 1;
        so.preds = &p;
        so.n_preds = 1;
        DeltaScan *sc = delta_scan_open(snap, &so, err);
        Batch b;
        bool have_b = false;
        if (!sc)
            rc = err->kind;
        else if (batch_init(&b, delta_scan_schema(sc)))
            rc = ERR_NOMEM(err, 64);
        else
            have_b = true;
        while (rc == 0) {
            if ((rc = delta_scan_next(sc, &b, err)) || b.n_rows == 0)
                break;
            for (uint32_t i = 0; i < b.n_rows; i++)
                if (!vec_is_valid(&b.cols[0], i)) {
                    rc = err_set_state(err, TARN_ERR_INVALID, "23502", "column \"%s\" contains null values",
                                       s->schema.fields[c].name);
                    break;
                }
        }
        if (have_b)
            batch_destroy(&b);
        if (sc)
            delta_scan_close(sc);
    }
    return commit_column_attrs(x, c, rc, nullable, NULL, res, err);
}

int delta_set_char_type(DeltaTable *t, const char *column, const LogicalType *to, DeltaResult *res, TarnError *err)
{
    int c, rc;
    DeltaTransaction *x = column_txn_begin(t, column, &c, &rc, err);
    if (!x)
        return err->kind;
    DeltaSnapshot *snap = delta_txn_snapshot(x);
    const DeltaSchema *s = &snap->schema;
    if (rc == 0 && (s->schema.fields[c].type.id != TYPE_STRING || to->id != TYPE_STRING))
        rc = err_set(err, TARN_ERR_INVALID, "delta_set_char_type: column \"%s\" is not a string", column);
    return commit_column_attrs(x, c, rc, -1, to, res, err);
}

int delta_set_properties(DeltaTable *t, const char *const *keys, const char *const *values, int n,
                         DeltaResult *res, TarnError *err)
{
    DeltaTransaction *x = delta_txn_begin(t, err);
    if (!x)
        return err->kind;
    DeltaSnapshot *snap = delta_txn_snapshot(x);
    Arena *a = delta_txn_arena(x);
    DeltaMetadata m = snap->metadata;
    int rc = delta_map_copy(a, &m.configuration, &snap->metadata.configuration) ? ERR_NOMEM(err, 64) : 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        if (strcmp(keys[i], "delta.columnMapping.mode") == 0 || strncmp(keys[i], "delta.columnMapping.", 20) == 0)
            rc = err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: changing \"%s\" of an existing table", keys[i]);
        else if (values[i]) {
            rc = delta_map_set(a, &m.configuration, keys[i], values[i]) ? ERR_NOMEM(err, 64) : 0;
        } else {
            /* unset: rebuild without the key */
            DeltaStrMap nm;
            memset(&nm, 0, sizeof nm);
            for (uint32_t k = 0; k < m.configuration.n && rc == 0; k++)
                if (strcmp(m.configuration.keys[k], keys[i]) != 0 &&
                    delta_map_set(a, &nm, m.configuration.keys[k], m.configuration.values[k]))
                    rc = ERR_NOMEM(err, 64);
            m.configuration = nm;
        }
    }
    /* new constraints must hold for the rows already in the table */
    for (int i = 0; rc == 0 && i < n; i++) {
        if (!values[i] || strncmp(keys[i], "delta.constraints.", 18) != 0)
            continue;
        (void)0; /* checked below by reading the table */
    }
    /* protocol upgrades for features switched on */
    if (rc == 0)
        rc = ensure_protocol(x, snap, &m, a, err);
    if (rc == 0)
        rc = delta_txn_set_metadata(x, &m, err);
    if (rc == 0)
        rc = delta_txn_set_operation(x, "SET TBLPROPERTIES", NULL, err);
    /* validate new CHECK constraints against existing rows */
    bool new_checks = false;
    for (int i = 0; i < n; i++)
        if (values[i] && strncmp(keys[i], "delta.constraints.", 18) == 0)
            new_checks = true;
    if (rc == 0 && new_checks) {
        delta_txn_read_whole_table(x);
        DeltaScan *sc = delta_scan_open(snap, NULL, err);
        if (!sc)
            rc = err->kind;
        Batch b;
        if (rc == 0 && batch_init(&b, delta_scan_schema(sc)))
            rc = ERR_NOMEM(err, 64);
        /* delta_txn_write on a scratch writer would write files; instead
         * evaluate through a dry transaction check: reuse the view path */
        while (rc == 0) {
            if ((rc = delta_scan_next(sc, &b, err)) || b.n_rows == 0)
                break;
            rc = delta_txn_check_rows(x, &b, err);
        }
        if (sc) {
            batch_destroy(&b);
            delta_scan_close(sc);
        }
        if (rc)
            err_context(err, "validating the existing rows against the new constraint");
    }
    if (rc) {
        delta_txn_abort(x);
        return rc;
    }
    return delta_txn_commit(x, res, err);
}
