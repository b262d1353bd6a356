/*
 * txn.c - optimistic transactions on a Delta table.
 *
 * A transaction reads one snapshot, stages actions (data files written
 * through write.c, removes, metadata/protocol changes, application
 * transaction markers, domain metadata) and commits them as the next log
 * entry with put-if-absent.  When another writer won that version, its
 * commit is read and checked against what this transaction did and read
 * (conflict rules below); without a conflict the same actions are retried
 * at the following version, otherwise TARN_ERR_CONFLICT names what
 * happened and in which version.
 *
 * Conflict rules (the reference implementation's WriteSerializable level;
 * PROTOCOL.md leaves concurrency control to writers):
 *   - a winner that changes the protocol or the metadata conflicts with
 *     everything; so does a winner's txn action for our appId and a winner's
 *     domainMetadata for a domain we also set;
 *   - a winner removing a file we remove conflicts (delete/delete);
 *   - when this transaction read data (declared with read predicates or the
 *     whole table), a winner's data-changing add or remove of a file that
 *     may match the predicates conflicts;
 *   - a metadata change of ours conflicts with any concurrent added file;
 *   - blind appends (nothing read) never conflict with other appends;
 *   - isolation is Delta's default WriteSerializable: a winner that is
 *     itself a blind append (commitInfo.isBlindAppend) does not conflict
 *     with our reads (the result equals running it after us), unless the
 *     table sets delta.isolationLevel = Serializable.
 *
 * Writer-side rules enforced here: the protocol's writer features must all
 * be supported, append-only tables refuse data removal, CHECK constraints
 * and invariants are evaluated on every written row, generated columns are
 * computed when missing and checked when given, and in-commit timestamps
 * are written when enabled.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "table/delta/delta_int.h"
#include "table/delta/expr.h"
#include "vector/format.h"

typedef struct Constraint {
    char *name;                /* "delta.constraints.<name>" suffix or column name */
    char *sql;
    DeltaExpr *expr;
    bool invariant;
} Constraint;

struct DeltaTransaction {
    DeltaTable *t;
    DeltaSnapshot *snap;       /* referenced; NULL when creating the table */
    Arena arena;
    DeltaActionList actions;   /* file, txn and domain actions */
    DeltaMetadata md;          /* effective metadata */
    bool md_changed;
    DeltaSchema own_schema;    /* parsed md when changed */
    bool has_own_schema;
    int column_mapping;
    DeltaProtocol proto;       /* effective protocol */
    bool proto_changed;
    char *app_id;
    int64_t app_version;
    bool read_whole;
    PqPredicate *read_preds;
    int n_read_preds;
    bool has_reads;
    char *operation;
    char *op_params;
    Buf metrics;               /* "k":"v" pairs, comma separated */
    DeltaFileWriter *writer;
    bool allow_evolution;
    bool is_create;
    bool constraints_ready;
    Constraint *checks;
    int n_checks;
    DeltaExpr **gen;           /* per column: generation expression or NULL */
    DeltaIndex removed;        /* paths removed here */
    DeltaIndex written;        /* paths of files this transaction wrote */
    int64_t rows_written;
    int64_t files_removed;     /* every staged remove (DeltaResult.files_removed) */
    int64_t bytes_removed;     /* their sizes, bytes */
};

/* ---- Lifecycle ------------------------------------------------------------ */

static const DeltaSchema *txn_schema(const DeltaTransaction *x)
{
    return x->has_own_schema ? &x->own_schema : &x->snap->schema;
}

const DeltaSchema *delta_txn_schema(const DeltaTransaction *x) { return txn_schema(x); }
const DeltaMetadata *delta_txn_metadata(const DeltaTransaction *x) { return &x->md; }
Arena *delta_txn_arena(DeltaTransaction *x) { return &x->arena; }
DeltaSnapshot *delta_txn_snapshot(const DeltaTransaction *x) { return x->snap; }

static int column_mapping_mode(const DeltaMetadata *md, const DeltaProtocol *p)
{
    const char *m = delta_map_get(&md->configuration, "delta.columnMapping.mode", NULL);
    if (!m || p->min_reader_version < 2)
        return 0;
    if (strcasecmp(m, "name") == 0)
        return 2;
    if (strcasecmp(m, "id") == 0)
        return 1;
    return 0;
}

/* Checks that tarn can write a table with this protocol, metadata and schema. */
static int check_writable(const DeltaProtocol *p, const DeltaMetadata *md, const DeltaSchema *s, TarnError *err)
{
    int rc = delta_protocol_check_write(p, err);
    if (rc)
        return rc;
    if (column_mapping_mode(md, p) == 1)
        return err_set(err, TARN_ERR_UNSUPPORTED,
                       "unsupported: writing a table with column mapping mode \"id\" (Parquet field ids are not written)");
    for (uint32_t i = 0; i < s->schema.n_fields; i++)
        if (s->columns[i].is_identity)
            return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: writing identity column \"%s\"",
                           s->schema.fields[i].name);
    const char *ed = delta_map_get(&md->configuration, "delta.enableRowTracking", NULL);
    if (ed && strcasecmp(ed, "true") == 0)
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: writing a table with row tracking");
    return 0;
}

static DeltaTransaction *txn_alloc(DeltaTable *t, TarnError *err)
{
    DeltaTransaction *x = tarn_calloc(1, sizeof *x);
    if (!x)
        return (void)ERR_NOMEM(err, sizeof *x), NULL;
    x->t = t;
    arena_init(&x->arena, 16 * 1024);
    delta_action_list_init(&x->actions);
    buf_init(&x->metrics);
    delta_index_init(&x->removed);
    delta_index_init(&x->written);
    return x;
}

DeltaTransaction *delta_txn_begin(DeltaTable *t, TarnError *err)
{
    DeltaSnapshot *s = delta_snapshot_latest(t, err);
    if (!s)
        return NULL;
    if (check_writable(&s->protocol, &s->metadata, &s->schema, err)) {
        delta_snapshot_free(s);
        return NULL;
    }
    DeltaTransaction *x = txn_alloc(t, err);
    if (!x) {
        delta_snapshot_free(s);
        return NULL;
    }
    x->snap = s;
    x->md = s->metadata;
    x->proto = s->protocol;
    x->column_mapping = s->column_mapping;
    return x;
}

DeltaTransaction *delta_txn_begin_create(DeltaTable *t, TarnError *err)
{
    DeltaTransaction *x = txn_alloc(t, err);
    if (x)
        x->is_create = true;
    return x;
}

static void txn_free(DeltaTransaction *x)
{
    if (!x)
        return;
    delta_writer_free(x->writer);
    if (x->has_own_schema)
        delta_schema_destroy(&x->own_schema);
    if (x->snap)
        delta_snapshot_free(x->snap);
    delta_action_list_free(&x->actions);
    buf_free(&x->metrics);
    delta_index_free(&x->removed);
    delta_index_free(&x->written);
    arena_free(&x->arena);
    tarn_free(x);
}

/* Removes the data files this transaction wrote (never files it merely
 * re-adds, as RESTORE does). */
static void remove_written(DeltaTransaction *x)
{
    if (x->writer)
        delta_writer_abort(x->writer);
    TarnError e2;
    uint32_t dummy;
    for (size_t i = 0; i < x->actions.n; i++) {
        const DeltaAction *a = &x->actions.items[i];
        const char *p = a->kind == DELTA_ACT_ADD ? a->u.add.path : a->kind == DELTA_ACT_CDC ? a->u.cdc.path : NULL;
        if (!p || !delta_index_get(&x->written, p, &dummy))
            continue;
        Storage *st;
        char *path;
        err_clear(&e2);
        if (delta_resolve_path(x->t, &x->arena, p, &st, &path, &e2) == 0 && st == x->t->s)
            storage_remove(st, path, &e2);
    }
}

int delta_txn_mark_written(DeltaTransaction *x, const char *log_path, TarnError *err)
{
    char *p = arena_strdup(&x->arena, log_path);
    if (!p || delta_index_put(&x->written, p, 0))
        return ERR_NOMEM(err, 64);
    return 0;
}

void delta_txn_mark_rearrange(DeltaTransaction *x)
{
    for (size_t i = 0; i < x->actions.n; i++) {
        DeltaAction *a = &x->actions.items[i];
        if (a->kind == DELTA_ACT_ADD)
            a->u.add.data_change = false;
    }
    for (size_t i = 0; i < x->actions.n; i++)
        if (x->actions.items[i].kind == DELTA_ACT_REMOVE)
            x->actions.items[i].u.remove.data_change = false;
}

void delta_txn_abort(DeltaTransaction *x)
{
    if (!x)
        return;
    remove_written(x);
    txn_free(x);
}

/* ---- Staging ---------------------------------------------------------------- */

int delta_txn_push(DeltaTransaction *x, const DeltaAction *act, TarnError *err)
{
    if (act->kind == DELTA_ACT_REMOVE) {
        if (delta_index_put(&x->removed, act->u.remove.path, 0))
            return ERR_NOMEM(err, 64);
        /* Counted whatever dataChange says: OPTIMIZE's removes are files
         * removed too (the result reports them; isBlindAppend is false for
         * any commit with a remove, see build_commit). */
        x->files_removed++;
        x->bytes_removed += act->u.remove.has_size ? act->u.remove.size : 0;
    }
    return delta_action_list_push(&x->actions, act) ? ERR_NOMEM(err, sizeof *act) : 0;
}

static int copy_dv(Arena *a, const DeltaDv *src, DeltaDv **out)
{
    *out = NULL;
    if (!src)
        return 0;
    DeltaDv *d = arena_alloc(a, sizeof *d);
    if (!d)
        return TARN_ERR_NOMEM;
    *d = *src;
    d->path_or_inline = arena_strdup(a, src->path_or_inline);
    if (!d->path_or_inline)
        return TARN_ERR_NOMEM;
    *out = d;
    return 0;
}

int delta_txn_add_file(DeltaTransaction *x, const DeltaAdd *add, TarnError *err)
{
    DeltaAction act;
    memset(&act, 0, sizeof act);
    act.kind = DELTA_ACT_ADD;
    DeltaAdd *f = &act.u.add;
    *f = *add;
    f->path = arena_strdup(&x->arena, add->path);
    f->stats = add->stats ? arena_strdup(&x->arena, add->stats) : NULL;
    f->clustering_provider = NULL;
    if (!f->path || (add->stats && !f->stats) || delta_map_copy(&x->arena, &f->partition_values, &add->partition_values) ||
        delta_map_copy(&x->arena, &f->tags, &add->tags) || copy_dv(&x->arena, add->dv, &f->dv))
        return ERR_NOMEM(err, 64);
    return delta_txn_push(x, &act, err);
}

int delta_txn_remove_file(DeltaTransaction *x, const DeltaAdd *file, bool data_change, TarnError *err)
{
    DeltaAction act;
    memset(&act, 0, sizeof act);
    act.kind = DELTA_ACT_REMOVE;
    DeltaRemove *r = &act.u.remove;
    r->path = arena_strdup(&x->arena, file->path);
    r->has_deletion_timestamp = true;
    r->deletion_timestamp = delta_now_ms(x->t);
    r->data_change = data_change;
    r->extended_file_metadata = true;
    r->has_size = true;
    r->size = file->size;
    r->stats = file->stats ? arena_strdup(&x->arena, file->stats) : NULL;
    r->has_base_row_id = file->has_base_row_id;
    r->base_row_id = file->base_row_id;
    r->has_default_row_commit_version = file->has_default_row_commit_version;
    r->default_row_commit_version = file->default_row_commit_version;
    if (!r->path || delta_map_copy(&x->arena, &r->partition_values, &file->partition_values) ||
        copy_dv(&x->arena, file->dv, &r->dv))
        return ERR_NOMEM(err, 64);
    return delta_txn_push(x, &act, err);
}

int delta_txn_add_cdc_file(DeltaTransaction *x, const DeltaCdc *cdc, TarnError *err)
{
    DeltaAction act;
    memset(&act, 0, sizeof act);
    act.kind = DELTA_ACT_CDC;
    act.u.cdc = *cdc;
    act.u.cdc.path = arena_strdup(&x->arena, cdc->path);
    if (!act.u.cdc.path || delta_map_copy(&x->arena, &act.u.cdc.partition_values, &cdc->partition_values))
        return ERR_NOMEM(err, 64);
    return delta_txn_push(x, &act, err);
}

static int copy_strs(Arena *a, char ***dst, char *const *src, uint32_t n)
{
    *dst = NULL;
    if (!n)
        return 0;
    *dst = arena_alloc(a, sizeof(char *) * n);
    if (!*dst)
        return TARN_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++)
        if (!((*dst)[i] = arena_strdup(a, src[i])))
            return TARN_ERR_NOMEM;
    return 0;
}

int delta_txn_set_metadata(DeltaTransaction *x, const DeltaMetadata *md, TarnError *err)
{
    DeltaMetadata m = *md;
    Arena *a = &x->arena;
    m.id = arena_strdup(a, md->id ? md->id : "");
    m.name = md->name ? arena_strdup(a, md->name) : NULL;
    m.description = md->description ? arena_strdup(a, md->description) : NULL;
    m.format_provider = arena_strdup(a, md->format_provider ? md->format_provider : "parquet");
    m.schema_string = arena_strdup(a, md->schema_string ? md->schema_string : "");
    if (!m.id || !m.format_provider || !m.schema_string ||
        copy_strs(a, &m.partition_columns, md->partition_columns, md->n_partition_columns) ||
        delta_map_copy(a, &m.configuration, &md->configuration) ||
        delta_map_copy(a, &m.format_options, &md->format_options))
        return ERR_NOMEM(err, 64);
    DeltaSchema s;
    int rc = delta_schema_parse(a, m.schema_string, strlen(m.schema_string), &s, err);
    if (rc)
        return rc;
    if ((rc = delta_schema_check_writable(&s.schema, err))) {
        delta_schema_destroy(&s);
        return rc;
    }
    for (uint32_t i = 0; i < m.n_partition_columns; i++) {
        int c = delta_schema_find(&s, m.partition_columns[i]);
        if (c < 0 || type_is_nested(s.schema.fields[c].type.id)) {
            delta_schema_destroy(&s);
            return err_set(err, TARN_ERR_INVALID, "partition column \"%s\" is not a top-level column of a simple type",
                           m.partition_columns[i]);
        }
    }
    if (x->writer) {
        /* files written so far follow the old schema: finish them first */
        rc = delta_txn_flush(x, err);
        if (rc) {
            delta_schema_destroy(&s);
            return rc;
        }
    }
    if (x->has_own_schema)
        delta_schema_destroy(&x->own_schema);
    x->own_schema = s;
    x->has_own_schema = true;
    x->md = m;
    x->md_changed = true;
    x->column_mapping = column_mapping_mode(&x->md, &x->proto);
    x->constraints_ready = false;
    return 0;
}

int delta_txn_set_protocol(DeltaTransaction *x, const DeltaProtocol *p, TarnError *err)
{
    DeltaProtocol q = *p;
    if (copy_strs(&x->arena, &q.reader_features, p->reader_features, p->n_reader_features) ||
        copy_strs(&x->arena, &q.writer_features, p->writer_features, p->n_writer_features))
        return ERR_NOMEM(err, 64);
    int rc = delta_protocol_check_write(&q, err);
    if (rc)
        return rc;
    x->proto = q;
    x->proto_changed = true;
    x->column_mapping = column_mapping_mode(&x->md, &x->proto);
    return 0;
}

void delta_txn_allow_schema_evolution(DeltaTransaction *x, bool allow) { x->allow_evolution = allow; }

int delta_txn_set_app_txn(DeltaTransaction *x, const char *app_id, int64_t app_version, TarnError *err)
{
    x->app_id = arena_strdup(&x->arena, app_id);
    x->app_version = app_version;
    if (!x->app_id)
        return ERR_NOMEM(err, 64);
    DeltaAction act;
    memset(&act, 0, sizeof act);
    act.kind = DELTA_ACT_TXN;
    act.u.txn.app_id = x->app_id;
    act.u.txn.version = app_version;
    act.u.txn.has_last_updated = true;
    act.u.txn.last_updated = delta_now_ms(x->t);
    return delta_txn_push(x, &act, err);
}

int delta_txn_set_domain(DeltaTransaction *x, const char *domain, const char *configuration, bool removed,
                         TarnError *err)
{
    if (strncmp(domain, "delta.", 6) == 0)
        return err_set(err, TARN_ERR_INVALID, "domain \"%s\" is reserved for the Delta protocol", domain);
    DeltaAction act;
    memset(&act, 0, sizeof act);
    act.kind = DELTA_ACT_DOMAIN_METADATA;
    act.u.domain.domain = arena_strdup(&x->arena, domain);
    act.u.domain.configuration = arena_strdup(&x->arena, configuration ? configuration : "");
    act.u.domain.removed = removed;
    if (!act.u.domain.domain || !act.u.domain.configuration)
        return ERR_NOMEM(err, 64);
    return delta_txn_push(x, &act, err);
}

int delta_txn_read_predicate(DeltaTransaction *x, const PqPredicate *preds, int n, TarnError *err)
{
    x->has_reads = true;
    if (n <= 0) {
        x->read_whole = true;
        return 0;
    }
    PqPredicate *p = arena_alloc(&x->arena, sizeof *p * (size_t)(x->n_read_preds + n));
    if (!p)
        return ERR_NOMEM(err, 64);
    if (x->n_read_preds)
        memcpy(p, x->read_preds, sizeof *p * (size_t)x->n_read_preds);
    for (int i = 0; i < n; i++) {
        PqPredicate *q = &p[x->n_read_preds + i];
        *q = preds[i];
        q->column = arena_strdup(&x->arena, preds[i].column);
        if (!q->column)
            return ERR_NOMEM(err, 64);
        if (!q->value.is_null && type_is_string_like(q->value.type)) {
            char *s = arena_strndup(&x->arena, q->value.v.s.ptr, q->value.v.s.len);
            if (!s)
                return ERR_NOMEM(err, 64);
            q->value.v.s.ptr = s;
        }
    }
    x->read_preds = p;
    x->n_read_preds += n;
    return 0;
}

void delta_txn_read_whole_table(DeltaTransaction *x)
{
    x->has_reads = true;
    x->read_whole = true;
}

void delta_txn_set_isolation_read(DeltaTransaction *x, bool read_table)
{
    if (read_table)
        delta_txn_read_whole_table(x);
}

int delta_txn_set_operation(DeltaTransaction *x, const char *operation, const char *params_json, TarnError *err)
{
    x->operation = arena_strdup(&x->arena, operation);
    x->op_params = params_json ? arena_strdup(&x->arena, params_json) : NULL;
    if (!x->operation || (params_json && !x->op_params))
        return ERR_NOMEM(err, 64);
    return 0;
}

int delta_txn_add_metric(DeltaTransaction *x, const char *name, int64_t value, TarnError *err)
{
    if ((x->metrics.len && buf_append_byte(&x->metrics, ',')) ||
        value_append_json_string(&x->metrics, name, strlen(name)) || buf_printf(&x->metrics, ":\"%" PRId64 "\"", value))
        return ERR_NOMEM(err, 64);
    return 0;
}

/* ---- Writing rows ------------------------------------------------------------------ */

static int prepare_constraints(DeltaTransaction *x, TarnError *err)
{
    if (x->constraints_ready)
        return 0;
    const DeltaSchema *s = txn_schema(x);
    const DeltaMetadata *md = &x->md;
    x->n_checks = 0;
    x->checks = arena_calloc(&x->arena, sizeof(Constraint) * (md->configuration.n + s->schema.n_fields + 1));
    x->gen = arena_calloc(&x->arena, sizeof(DeltaExpr *) * (s->schema.n_fields + 1));
    if (!x->checks || !x->gen)
        return ERR_NOMEM(err, 64);
    int rc;
    for (uint32_t i = 0; i < md->configuration.n; i++) {
        const char *k = md->configuration.keys[i];
        if (strncmp(k, "delta.constraints.", 18) != 0 || !md->configuration.values[i])
            continue;
        Constraint *c = &x->checks[x->n_checks];
        c->name = (char *)k + 18;
        c->sql = md->configuration.values[i];
        if ((rc = delta_expr_parse(&x->arena, c->sql, &s->schema, &c->expr, err)))
            return err_context(err, "CHECK constraint \"%s\"", c->name);
        x->n_checks++;
    }
    for (uint32_t i = 0; i < s->schema.n_fields; i++) {
        const DeltaColumn *dc = &s->columns[i];
        if (dc->invariant_expr) {
            Constraint *c = &x->checks[x->n_checks];
            c->name = (char *)s->schema.fields[i].name;
            c->sql = (char *)dc->invariant_expr;
            c->invariant = true;
            if ((rc = delta_expr_parse(&x->arena, c->sql, &s->schema, &c->expr, err)))
                return err_context(err, "invariant of column \"%s\"", c->name);
            x->n_checks++;
        }
        if (dc->generation_expr &&
            (rc = delta_expr_parse(&x->arena, dc->generation_expr, &s->schema, &x->gen[i], err)))
            return err_context(err, "generated column \"%s\"", s->schema.fields[i].name);
    }
    x->constraints_ready = true;
    return 0;
}

/* Appends a Value to a vector of its column type. */
static int append_value(Vector *v, const Value *x)
{
    if (x->is_null)
        return vec_append_null(v);
    switch (v->type->id) {
    case TYPE_BOOL: return vec_append_bool(v, x->v.b);
    case TYPE_FLOAT: case TYPE_DOUBLE:
        return vec_append_double(v, x->type == TYPE_FLOAT || x->type == TYPE_DOUBLE ? x->v.d : (double)x->v.i);
    case TYPE_STRING: case TYPE_BLOB: return vec_append_str(v, x->v.s.ptr, x->v.s.len);
    case TYPE_DECIMAL: {
        int128_t u = x->type == TYPE_DECIMAL ? (x->precision > DECIMAL64_MAX_PRECISION ? x->v.i128 : x->v.i) : x->v.i;
        for (int s = x->type == TYPE_DECIMAL ? x->scale : 0; s < v->type->scale; s++)
            u *= 10;
        return v->type->precision > DECIMAL64_MAX_PRECISION ? vec_append_i128(v, u) : vec_append_i64(v, (int64_t)u);
    }
    case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ:
        return vec_append_i64(v, x->type == TYPE_DATE ? x->v.i * INT64_C(86400000000) : x->v.i);
    default: return vec_append_i64(v, x->v.i);
    }
}

static int enforce(DeltaTransaction *x, DeltaBatchView *view, const Batch *in, bool generated, TarnError *err)
{
    const DeltaSchema *s = txn_schema(x);
    Batch *b = &view->b;
    /* Generated columns: compute when the caller did not give them, else check. */
    for (uint32_t c = 0; generated && c < s->schema.n_fields; c++) {
        if (!x->gen[c])
            continue;
        bool given = false;
        for (uint32_t j = 0; j < in->n_cols; j++)
            if (strcasecmp(in->schema->fields[j].name, s->schema.fields[c].name) == 0)
                given = true;
        if (given) {
            for (uint32_t i = 0; i < b->n_rows; i++) {
                Value g = delta_expr_eval(x->gen[c], b, i);
                Value v = delta_vector_value(&b->cols[c], i);
                bool ok = (g.is_null && v.is_null) || (!g.is_null && !v.is_null && delta_value_cmp(&g, &v) == 0);
                if (!ok)
                    return err_set_state(err, TARN_ERR_INVALID, "23514",
                                         "value of generated column \"%s\" does not match its generation expression \"%s\" (row %u)",
                                         s->schema.fields[c].name, s->columns[c].generation_expr, i + 1);
            }
            continue;
        }
        Vector nv;
        if (vec_init(&nv, &s->schema.fields[c].type))
            return ERR_NOMEM(err, 64);
        for (uint32_t i = 0; i < b->n_rows; i++) {
            Value g = delta_expr_eval(x->gen[c], b, i);
            if (append_value(&nv, &g)) {
                vec_destroy(&nv);
                return ERR_NOMEM(err, 64);
            }
        }
        if (view->owned[c])
            vec_destroy(&b->cols[c]);
        b->cols[c] = nv;
        view->owned[c] = true;
    }
    int rc = delta_view_check_not_null(view, err);
    if (rc)
        return rc;
    for (int k = 0; k < x->n_checks; k++) {
        const Constraint *c = &x->checks[k];
        for (uint32_t i = 0; i < b->n_rows; i++) {
            Value r = delta_expr_eval(c->expr, b, i);
            if (!delta_value_is_true(&r)) {
                if (c->invariant)
                    return err_set_state(err, TARN_ERR_INVALID, "23514",
                                         "new row violates the invariant of column \"%s\": %s", c->name, c->sql);
                return err_set_state(err, TARN_ERR_INVALID, "23514", "new row violates check constraint \"%s\": %s",
                                     c->name, c->sql);
            }
        }
    }
    return 0;
}

/* Schema evolution: adds the batch's unknown columns to the metadata. */
static int evolve(DeltaTransaction *x, const Batch *b, TarnError *err)
{
    const DeltaSchema *s = txn_schema(x);
    Schema ns;
    schema_init(&ns);
    if (schema_copy(&ns, &s->schema))
        return ERR_NOMEM(err, 64);
    bool added = false;
    for (uint32_t j = 0; j < b->n_cols; j++) {
        const Field *f = &b->schema->fields[j];
        if (delta_schema_find(s, f->name) >= 0)
            continue;
        LogicalType t;
        if (type_copy(&t, &f->type) || schema_add(&ns, f->name, t, true)) {
            schema_destroy(&ns);
            return ERR_NOMEM(err, 64);
        }
        added = true;
    }
    if (!added) {
        schema_destroy(&ns);
        return 0;
    }
    int rc = delta_evolve_metadata(x, &ns, err);
    schema_destroy(&ns);
    return rc;
}

/* Builds new metadata whose schema is `ns` (existing columns first, same
 * order, new ones appended) keeping per-column metadata, with column
 * mapping names/ids for new columns when the table uses mapping. */
int delta_evolve_metadata(DeltaTransaction *x, const Schema *ns, TarnError *err)
{
    const DeltaSchema *s = txn_schema(x);
    int rc = delta_schema_check_writable(ns, err);
    if (rc)
        return rc;
    DeltaColumn *cols = arena_calloc(&x->arena, sizeof(DeltaColumn) * (ns->n_fields + 1));
    if (!cols)
        return ERR_NOMEM(err, 64);
    int64_t max_id = 0;
    const char *mid = delta_map_get(&x->md.configuration, "delta.columnMapping.maxColumnId", NULL);
    if (mid)
        max_id = atoll(mid);
    DeltaMetadata m = x->md;
    memset(&m.configuration, 0, sizeof m.configuration);
    if (delta_map_copy(&x->arena, &m.configuration, &x->md.configuration))
        return ERR_NOMEM(err, 64);
    for (uint32_t i = 0; i < ns->n_fields; i++) {
        int old = delta_schema_find(s, ns->fields[i].name);
        if (old >= 0 && type_is_nested(ns->fields[i].type.id) == type_is_nested(s->schema.fields[old].type.id)) {
            cols[i] = s->columns[old];
            continue;
        }
        cols[i].name = ns->fields[i].name;
        cols[i].physical_name = ns->fields[i].name;
        cols[i].field_id = -1;
        cols[i].metadata_json = "{}";
        if (x->column_mapping && !type_is_nested(ns->fields[i].type.id)) {
            char uuid[40];
            delta_uuid_text(uuid);
            max_id++;
            char *md = arena_alloc(&x->arena, 160);
            char *pn = arena_alloc(&x->arena, 48);
            if (!md || !pn)
                return ERR_NOMEM(err, 64);
            snprintf(pn, 48, "col-%s", uuid);
            snprintf(md, 160, "{\"delta.columnMapping.id\":%" PRId64 ",\"delta.columnMapping.physicalName\":\"%s\"}",
                     max_id, pn);
            cols[i].metadata_json = md;
        } else if (x->column_mapping) {
            return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: adding nested column \"%s\" to a table with column mapping",
                           ns->fields[i].name);
        }
    }
    if (x->column_mapping) {
        char buf[32];
        snprintf(buf, sizeof buf, "%" PRId64, max_id);
        if (delta_map_set(&x->arena, &m.configuration, "delta.columnMapping.maxColumnId", buf))
            return ERR_NOMEM(err, 64);
    }
    Buf js;
    buf_init(&js);
    if ((rc = delta_schema_serialize(ns, cols, &js, err)) || (rc = buf_terminate(&js) ? ERR_NOMEM(err, 64) : 0)) {
        buf_free(&js);
        return rc;
    }
    m.schema_string = (char *)js.data;
    rc = delta_txn_set_metadata(x, &m, err);
    buf_free(&js);
    return rc;
}

int delta_txn_write(DeltaTransaction *x, const Batch *b, TarnError *err)
{
    if (b->n_rows == 0)
        return 0;
    int rc;
    if (x->allow_evolution && (rc = evolve(x, b, err)))
        return rc;
    if ((rc = prepare_constraints(x, err)))
        return rc;
    const DeltaSchema *s = txn_schema(x);
    DeltaBatchView v;
    bool *gen_missing = NULL;
    if (x->gen) {
        gen_missing = tarn_calloc(s->schema.n_fields + 1, sizeof(bool));
        if (!gen_missing)
            return ERR_NOMEM(err, 64);
        for (uint32_t c = 0; c < s->schema.n_fields; c++)
            gen_missing[c] = x->gen[c] != NULL;
    }
    rc = delta_view_init_ex(&v, &s->schema, b, gen_missing, err);
    tarn_free(gen_missing);
    if (rc)
        return rc;
    if ((rc = enforce(x, &v, b, true, err))) {
        delta_view_free(&v);
        return rc;
    }
    if (!x->writer) {
        x->writer = delta_writer_new(x->t, &x->md, s, x->column_mapping, false, err);
        if (!x->writer) {
            delta_view_free(&v);
            return err->kind ? err->kind : TARN_ERR_NOMEM;
        }
    }
    rc = delta_writer_write(x->writer, &v.b, err);
    if (rc == 0)
        x->rows_written += v.b.n_rows;
    delta_view_free(&v);
    return rc;
}

int delta_txn_check_rows(DeltaTransaction *x, const Batch *b, TarnError *err)
{
    int rc;
    if ((rc = prepare_constraints(x, err)))
        return rc;
    const DeltaSchema *s = txn_schema(x);
    DeltaBatchView v;
    if ((rc = delta_view_init_ex(&v, &s->schema, b, NULL, err)))
        return rc;
    /* only the CHECK constraints and invariants: generated values exist */
    rc = enforce(x, &v, b, false, err);
    delta_view_free(&v);
    return rc;
}

int delta_txn_flush(DeltaTransaction *x, TarnError *err)
{
    if (!x->writer)
        return 0;
    size_t before = x->actions.n;
    int rc = delta_writer_finish(x->writer, &x->arena, &x->actions, err);
    if (rc)
        return rc;
    for (size_t i = before; i < x->actions.n; i++)
        if (delta_index_put(&x->written, x->actions.items[i].u.add.path, 0))
            return ERR_NOMEM(err, 64);
    delta_writer_free(x->writer);
    x->writer = NULL;
    return 0;
}

/* ---- Commit -------------------------------------------------------------------------- */

static bool cfg_true(const DeltaMetadata *md, const char *key)
{
    const char *v = delta_map_get(&md->configuration, key, NULL);
    return v && strcasecmp(v, "true") == 0;
}

static bool ict_on(const DeltaMetadata *md)
{
    return cfg_true(md, "delta.enableInCommitTimestamps");
}

/* Serializes the commit for `version`. */
static int build_commit(DeltaTransaction *x, int64_t version, int64_t ict, Buf *out, TarnError *err)
{
    Buf ci;
    buf_init(&ci);
    int64_t now = delta_now_ms(x->t);
    char uuid[40];
    delta_uuid_text(uuid);
    /* A blind append reads nothing, changes no metadata or protocol and
     * removes no file (dataChange or not). */
    bool blind = !x->has_reads && !x->md_changed && !x->proto_changed && x->files_removed == 0;
    int rc = 0;
    if (buf_printf(&ci, "{\"timestamp\":%" PRId64, ict ? ict : now) ||
        (ict && buf_printf(&ci, ",\"inCommitTimestamp\":%" PRId64, ict)) || buf_printf(&ci, ",\"operation\":") ||
        value_append_json_string(&ci, x->operation ? x->operation : "WRITE", strlen(x->operation ? x->operation : "WRITE")) ||
        buf_printf(&ci, ",\"operationParameters\":%s", x->op_params ? x->op_params : "{}") ||
        (x->snap && buf_printf(&ci, ",\"readVersion\":%" PRId64, x->snap->version)) ||
        buf_printf(&ci, ",\"isolationLevel\":\"WriteSerializable\",\"isBlindAppend\":%s", blind ? "true" : "false") ||
        buf_printf(&ci, ",\"operationMetrics\":{") || buf_append(&ci, x->metrics.data, x->metrics.len) ||
        buf_printf(&ci, "},\"engineInfo\":\"%s\",\"txnId\":\"%s\"}", DELTA_ENGINE_INFO, uuid) || buf_terminate(&ci)) {
        buf_free(&ci);
        return ERR_NOMEM(err, 64);
    }
    DeltaAction act;
    memset(&act, 0, sizeof act);
    act.kind = DELTA_ACT_COMMIT_INFO;
    act.u.commit_info.json = (char *)ci.data;
    rc = delta_action_serialize(&act, out);
    buf_free(&ci);
    if (rc)
        return ERR_NOMEM(err, 64);
    if (x->proto_changed || x->is_create) {
        act.kind = DELTA_ACT_PROTOCOL;
        act.u.protocol = x->proto;
        if (delta_action_serialize(&act, out))
            return ERR_NOMEM(err, 64);
    }
    if (x->md_changed || x->is_create) {
        DeltaMetadata m = x->md;
        /* in-commit timestamps switched on by this commit: record where */
        if (ict && x->snap && !ict_on(&x->snap->metadata)) {
            char v[32], ts[32];
            snprintf(v, sizeof v, "%" PRId64, version);
            snprintf(ts, sizeof ts, "%" PRId64, ict);
            DeltaStrMap cfg;
            if (delta_map_copy(&x->arena, &cfg, &m.configuration) ||
                delta_map_set(&x->arena, &cfg, "delta.inCommitTimestampEnablementVersion", v) ||
                delta_map_set(&x->arena, &cfg, "delta.inCommitTimestampEnablementTimestamp", ts))
                return ERR_NOMEM(err, 64);
            m.configuration = cfg;
        }
        act.kind = DELTA_ACT_METADATA;
        act.u.metadata = m;
        if (delta_action_serialize(&act, out))
            return ERR_NOMEM(err, 64);
    }
    for (size_t i = 0; i < x->actions.n; i++)
        if (delta_action_serialize(&x->actions.items[i], out))
            return ERR_NOMEM(err, 64);
    return 0;
}

static bool matches_reads(DeltaTransaction *x, const DeltaAdd *f, Arena *scratch)
{
    if (!x->has_reads)
        return false;
    if (x->read_whole)
        return true;
    return delta_file_may_match(x->snap, f, x->read_preds, x->n_read_preds, scratch);
}

/* Checks a winning commit against this transaction. */
static int check_winner(DeltaTransaction *x, const DeltaActionList *w, int64_t v, TarnError *err)
{
    Arena scratch;
    arena_init(&scratch, 4096);
    int rc = 0;
    bool winner_blind = false;
    for (size_t i = 0; i < w->n; i++)
        if (w->items[i].kind == DELTA_ACT_COMMIT_INFO && w->items[i].u.commit_info.is_blind_append)
            winner_blind = true;
    const char *iso = x->snap ? delta_snapshot_property(x->snap, "delta.isolationLevel") : NULL;
    if (iso && strcasecmp(iso, "Serializable") == 0)
        winner_blind = false;
    for (size_t i = 0; i < w->n && rc == 0; i++) {
        const DeltaAction *a = &w->items[i];
        switch (a->kind) {
        case DELTA_ACT_PROTOCOL:
            rc = err_set(err, TARN_ERR_CONFLICT, "concurrent protocol change (version %" PRId64 ")", v);
            break;
        case DELTA_ACT_METADATA:
            rc = err_set(err, TARN_ERR_CONFLICT, "concurrent metadata change (version %" PRId64 ")", v);
            break;
        case DELTA_ACT_TXN:
            /* Every txn action of this transaction counts (an ingester
             * records one per source partition in a commit). */
            for (size_t k = 0; k < x->actions.n && rc == 0; k++)
                if (x->actions.items[k].kind == DELTA_ACT_TXN &&
                    strcmp(x->actions.items[k].u.txn.app_id, a->u.txn.app_id) == 0)
                    rc = err_set(err, TARN_ERR_CONFLICT,
                                 "concurrent transaction of application \"%s\" (version %" PRId64 ")",
                                 a->u.txn.app_id, v);
            break;
        case DELTA_ACT_DOMAIN_METADATA:
            for (size_t k = 0; k < x->actions.n && rc == 0; k++)
                if (x->actions.items[k].kind == DELTA_ACT_DOMAIN_METADATA &&
                    strcmp(x->actions.items[k].u.domain.domain, a->u.domain.domain) == 0)
                    rc = err_set(err, TARN_ERR_CONFLICT, "concurrent change of domain \"%s\" (version %" PRId64 ")",
                                 a->u.domain.domain, v);
            break;
        case DELTA_ACT_REMOVE: {
            uint32_t dummy;
            if (delta_index_get(&x->removed, a->u.remove.path, &dummy)) {
                rc = err_set(err, TARN_ERR_CONFLICT, "concurrent delete of file \"%s\" (version %" PRId64 ")",
                             a->u.remove.path, v);
                break;
            }
            if (!a->u.remove.data_change || !x->has_reads)
                break;
            const DeltaAdd *f = x->snap ? delta_snapshot_find_file(x->snap, a->u.remove.path) : NULL;
            if (!f || matches_reads(x, f, &scratch))
                rc = err_set(err, TARN_ERR_CONFLICT, "concurrent delete or update of data this transaction read (version %" PRId64 ")", v);
            break;
        }
        case DELTA_ACT_ADD:
            if (x->md_changed) {
                rc = err_set(err, TARN_ERR_CONFLICT, "concurrent append while the table metadata changes (version %" PRId64 ")", v);
                break;
            }
            if (a->u.add.data_change && !winner_blind && matches_reads(x, &a->u.add, &scratch))
                rc = err_set(err, TARN_ERR_CONFLICT, "concurrent append of data this transaction read (version %" PRId64 ")", v);
            break;
        default:
            break;
        }
        arena_reset(&scratch);
    }
    arena_free(&scratch);
    return rc;
}

/* Timestamp of version v - 1 for in-commit timestamps. */
static int64_t prev_ts(DeltaTransaction *x, int64_t v, const DeltaActionList *last_winner)
{
    if (last_winner) {
        for (size_t i = 0; i < last_winner->n; i++)
            if (last_winner->items[i].kind == DELTA_ACT_COMMIT_INFO) {
                const DeltaCommitInfo *c = &last_winner->items[i].u.commit_info;
                if (c->has_in_commit_timestamp)
                    return c->in_commit_timestamp;
                if (c->has_timestamp)
                    return c->timestamp;
            }
        return 0;
    }
    if (x->snap && x->snap->version == v - 1)
        return delta_snapshot_timestamp(x->snap);
    return 0;
}

static int validate(DeltaTransaction *x, TarnError *err)
{
    /* append-only tables: no data removal */
    const DeltaMetadata *md = x->snap ? &x->snap->metadata : &x->md;
    if (cfg_true(md, "delta.appendOnly") || cfg_true(&x->md, "delta.appendOnly")) {
        for (size_t i = 0; i < x->actions.n; i++) {
            const DeltaAction *a = &x->actions.items[i];
            if (a->kind == DELTA_ACT_REMOVE && a->u.remove.data_change) {
                err_set(err, TARN_ERR_INVALID, "table is append-only: cannot remove or change data");
                err_hint(err, "Set the table property delta.appendOnly to false first.");
                return TARN_ERR_INVALID;
            }
        }
    }
    /* deletion vectors need the table feature */
    for (size_t i = 0; i < x->actions.n; i++) {
        const DeltaAction *a = &x->actions.items[i];
        if (a->kind == DELTA_ACT_ADD && a->u.add.dv) {
            bool ok = false;
            for (uint32_t k = 0; k < x->proto.n_writer_features; k++)
                ok |= strcmp(x->proto.writer_features[k], "deletionVectors") == 0;
            if (!ok)
                return err_set(err, TARN_ERR_INTERNAL, "internal error: deletion vector on a table without the feature");
        }
    }
    return 0;
}

static int write_checkpoint_if_due(DeltaTable *t, const DeltaMetadata *md, int64_t version)
{
    const char *iv = delta_map_get(&md->configuration, "delta.checkpointInterval", NULL);
    int64_t interval = iv ? atoll(iv) : DELTA_DEFAULT_CHECKPOINT_INTERVAL;
    if (interval <= 0 || version == 0 || version % interval != 0)
        return 0;
    TarnError e2;
    err_clear(&e2);
    /* the cached snapshot plus the commits up to ours: no log listing */
    DeltaSnapshot *s = delta_snapshot_upto(t, version, &e2);
    if (!s)
        return e2.kind;
    int rc = delta_checkpoint_write(t, s, &e2);
    /* with a new checkpoint, expired log files may go (failures are harmless:
     * the next checkpoint tries again) */
    if (rc == 0 && delta_log_cleanup(t, &s->metadata, version, &e2))
        err_clear(&e2);
    delta_snapshot_free(s);
    return rc; /* a failed checkpoint never fails the commit: the log is complete without it */
}

/* Milliseconds of the monotonic clock (commit deadlines; the table's clock
 * may be pinned by tests). */
static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t seed_rng(const DeltaTransaction *x)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t z = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 32 ^ (uint64_t)getpid() << 16 ^ (uint64_t)(uintptr_t)x;
    return z ? z : 0x9E3779B97F4A7C15ull;
}

/* Sleeps after the n-th lost race: uniform in [cap/2, cap] with cap =
 * 1 ms doubling per loss up to 50 ms ("equal jitter"). */
static void backoff(int n, uint64_t *rng)
{
    int64_t cap_us = DELTA_COMMIT_BACKOFF_MAX_US;
    if (n < 7 && (INT64_C(1000) << (n - 1)) < cap_us)
        cap_us = INT64_C(1000) << (n - 1);
    *rng ^= *rng << 13; /* xorshift64 */
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    int64_t us = cap_us / 2 + (int64_t)(*rng % (uint64_t)(cap_us / 2 + 1));
    struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int delta_txn_commit(DeltaTransaction *x, DeltaResult *res, TarnError *err)
{
    DeltaResult r;
    memset(&r, 0, sizeof r);
    r.version = -1;
    int rc = delta_txn_flush(x, err);
    if (rc)
        goto fail;
    if (x->app_id && x->snap) {
        int64_t have;
        if (delta_snapshot_app_version(x->snap, x->app_id, &have) && have >= x->app_version) {
            r.skipped = true;
            remove_written(x);
            txn_free(x);
            if (res)
                *res = r;
            return 0;
        }
    }
    if ((rc = validate(x, err)))
        goto fail;
    for (size_t i = 0; i < x->actions.n; i++) {
        const DeltaAction *a = &x->actions.items[i];
        if (a->kind == DELTA_ACT_ADD && !delta_snapshot_find_file_or_null(x->snap, a->u.add.path)) {
            r.files_added++;
            r.bytes_added += a->u.add.size;
        }
    }
    r.files_removed = x->files_removed;
    r.bytes_removed = x->bytes_removed;
    r.rows_inserted = x->rows_written;
    int64_t version = x->snap ? x->snap->version + 1 : 0;
    DeltaActionList winner;
    delta_action_list_init(&winner);
    Arena warena;
    arena_init(&warena, 16 * 1024);
    bool have_winner = false;
    int max_attempts = x->t->opts.max_commit_attempts;
    int64_t deadline = mono_ms() + DELTA_COMMIT_TIMEOUT_MS;
    uint64_t rng = seed_rng(x);
    Buf body;
    buf_init(&body);
    for (int attempt = 1;; attempt++) {
        int64_t ict = 0;
        if (ict_on(&x->md)) {
            int64_t now = delta_now_ms(x->t), prev = prev_ts(x, version, have_winner ? &winner : NULL);
            ict = now > prev ? now : prev + 1;
        }
        buf_clear(&body);
        if ((rc = build_commit(x, version, ict, &body, err)))
            break;
        char name[32], rel[64];
        delta_commit_file_name(version, name);
        snprintf(rel, sizeof rel, DELTA_LOG_DIR "/%s", name);
        char *path = delta_table_path(&x->arena, x->t, rel);
        if (!path) {
            rc = ERR_NOMEM(err, 64);
            break;
        }
        TarnError e2;
        err_clear(&e2);
        rc = storage_put_if_absent(x->t->s, path, body.data, body.len, &e2);
        if (rc == 0) {
            r.version = version;
            r.attempts = attempt;
            break;
        }
        if (rc != TARN_ERR_CONFLICT) {
            *err = e2;
            err_context(err, "committing version %" PRId64, version);
            break;
        }
        if (x->is_create) {
            rc = err_set(err, TARN_ERR_CONFLICT, "table already exists (created concurrently, version 0)");
            break;
        }
        if (attempt >= max_attempts || mono_ms() >= deadline) {
            rc = err_set(err, TARN_ERR_CONFLICT, "gave up committing after %d attempts: concurrent commits kept winning (version %" PRId64 ")",
                         attempt, version);
            break;
        }
        /* Lost the race.  Back off a little (randomized, growing with each
         * loss) so that writers colliding again and again spread out, then
         * catch up in one step: read every commit from `version` to the
         * newest, check each for conflicts, and try the version after it. */
        backoff(attempt, &rng);
        for (;;) {
            winner.n = 0;
            arena_reset(&warena);
            if ((rc = delta_read_commit(x->t, version, &warena, &winner, err)))
                break;
            have_winner = true;
            if ((rc = check_winner(x, &winner, version, err)))
                break;
            version++;
            if (!delta_commit_exists(x->t, version))
                break;
        }
        if (rc)
            break;
    }
    buf_free(&body);
    delta_action_list_free(&winner);
    arena_free(&warena);
    if (rc)
        goto fail;
    write_checkpoint_if_due(x->t, &x->md, r.version);
    txn_free(x);
    if (res)
        *res = r;
    return 0;
fail:
    delta_txn_abort(x);
    return rc;
}
