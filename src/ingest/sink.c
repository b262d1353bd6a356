/*
 * sink.c - the ingesters' micro-batch writer (see sink.h): column builders,
 * type inference for new columns, dead letters, and the exactly-once
 * commit (progress markers checked against the snapshot, txn actions in
 * the same commit as the data).
 */
#include "ingest/sink.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "catalog/catalog.h"
#include "util/datetime.h"
#include "vector/format.h"

enum { COL_NEW = INGEST_COL_NEW, COL_UNTYPED = INGEST_COL_UNTYPED, COL_MIXED = INGEST_COL_MIXED };

struct IngestSink {
    /* Columns (sink.h's head, first): fields[i] describes vecs[i]
     * (vecs[i].type points into fields[i].type; re-pointed whenever the
     * arrays move); epoch bumped when columns go away. */
    union {
        IngestSinkHead head;
        struct {
            INGEST_SINK_HEAD_MEMBERS
        };
    };
    char *lake, *schema, *table, *dlq_table, *operation;
    char *table_dir, *dlq_dir;
    DeltaTable *t;             /* NULL until the table exists */
    DeltaTable *dlq;           /* NULL until the dead-letter table exists */
    /* Dead letters. */
    Schema dlq_sch;
    Batch dlq_b;
    char **dlq_app;            /* per dead letter: its marker's app id (arena) */
    uint32_t dlq_app_cap;
    Arena dlq_arena;
};

/* ---- Columns ------------------------------------------------------------- */

static void repoint(IngestSink *s)
{
    for (uint32_t i = 0; i < s->sch.n_fields; i++)
        s->vecs[i].type = &s->sch.fields[i].type;
}

static int grow_cols(IngestSink *s, TarnError *err)
{
    if (s->sch.n_fields < s->cap)
        return 0;
    uint32_t cap = s->cap ? s->cap * 2 : 16;
    Field *f = tarn_realloc(s->sch.fields, cap * sizeof *f);
    if (!f)
        return ERR_NOMEM(err, cap * sizeof *f);
    s->sch.fields = f;
    Vector *v = tarn_realloc(s->vecs, cap * sizeof *v);
    if (!v)
        return ERR_NOMEM(err, cap * sizeof *v);
    s->vecs = v;
    uint8_t *fl = tarn_realloc(s->flags, cap);
    if (!fl)
        return ERR_NOMEM(err, cap);
    s->flags = fl;
    s->cap = cap;
    repoint(s);
    return 0;
}

/* Appends a column (type copied); its vector gets n_rows NULLs. */
static int push_col(IngestSink *s, const char *name, size_t len, const LogicalType *t, bool nullable,
                    uint8_t flags, TarnError *err)
{
    int rc = grow_cols(s, err);
    if (rc)
        return rc;
    uint32_t i = s->sch.n_fields;
    Field *f = &s->sch.fields[i];
    memset(f, 0, sizeof *f);
    f->name = tarn_strndup(name, len);
    if (!f->name || type_copy(&f->type, t)) {
        tarn_free(f->name);
        return ERR_NOMEM(err, len + 64);
    }
    f->nullable = nullable;
    if (vec_init(&s->vecs[i], &f->type)) {
        type_destroy(&f->type);
        tarn_free(f->name);
        return ERR_NOMEM(err, 64);
    }
    s->flags[i] = flags;
    s->sch.n_fields++;
    for (uint32_t r = 0; r < s->n_rows; r++)
        if (vec_append_null(&s->vecs[i]))
            return ERR_NOMEM(err, 16);
    return 0;
}

static void drop_col(IngestSink *s, uint32_t i)
{
    s->epoch++;
    vec_destroy(&s->vecs[i]);
    type_destroy(&s->sch.fields[i].type);
    tarn_free(s->sch.fields[i].name);
    uint32_t n = s->sch.n_fields;
    memmove(&s->sch.fields[i], &s->sch.fields[i + 1], (n - i - 1) * sizeof(Field));
    memmove(&s->vecs[i], &s->vecs[i + 1], (n - i - 1) * sizeof(Vector));
    memmove(&s->flags[i], &s->flags[i + 1], n - i - 1);
    s->sch.n_fields--;
    repoint(s);
}

static void clear_cols(IngestSink *s)
{
    while (s->sch.n_fields)
        drop_col(s, s->sch.n_fields - 1);
}

/* Makes the fixed columns the table schema's (buffers must be empty):
 * keeps vectors of unchanged columns, drops the rest. */
static int adopt_schema(IngestSink *s, const Schema *ts, TarnError *err)
{
    for (uint32_t i = s->sch.n_fields; i-- > 0;) {
        int k = schema_find(ts, s->sch.fields[i].name);
        if (k < 0 || !type_equal(&ts->fields[k].type, &s->sch.fields[i].type))
            drop_col(s, i);
        else {
            s->flags[i] = 0;
            s->sch.fields[i].nullable = ts->fields[k].nullable;
            vec_reset(&s->vecs[i]);
        }
    }
    for (uint32_t k = 0; k < ts->n_fields; k++) {
        const Field *tf = &ts->fields[k];
        if (schema_find(&s->sch, tf->name) >= 0)
            continue;
        int rc = push_col(s, tf->name, strlen(tf->name), &tf->type, tf->nullable, 0, err);
        if (rc)
            return rc;
    }
    return 0;
}

uint32_t ingest_sink_dlq_rows(const IngestSink *s) { return s->dlq_b.n_rows; }
void ingest_sink_col_mixed(IngestSink *s, int i) { s->flags[i] |= COL_MIXED; }

int ingest_sink_col(const IngestSink *s, const char *name, size_t len)
{
    for (uint32_t i = 0; i < s->sch.n_fields; i++) {
        const char *f = s->sch.fields[i].name;
        if (strncasecmp(f, name, len) == 0 && f[len] == '\0')
            return (int)i;
    }
    return -1;
}

int ingest_sink_add_col(IngestSink *s, const char *name, size_t len, TypeId id, TarnError *err)
{
    if (len == 0 || len > 255 || memchr(name, '\0', len))
        return err_set(err, TARN_ERR_INVALID, "field name \"%.*s\" cannot be a column name",
                       (int)(len > 64 ? 64 : len), name), -1;
    LogicalType t = type_simple(id == TYPE_NULL ? TYPE_STRING : id);
    uint8_t fl = COL_NEW | (id == TYPE_NULL ? COL_UNTYPED : 0);
    if (push_col(s, name, len, &t, true, fl, err))
        return -1;
    return (int)s->sch.n_fields - 1;
}

int ingest_sink_add_col_type(IngestSink *s, const char *name, const LogicalType *t, TarnError *err)
{
    if (push_col(s, name, strlen(name), t, true, COL_NEW, err))
        return -1;
    return (int)s->sch.n_fields - 1;
}

/* Replaces column i's vector by one of type id holding the converted values. */
int ingest_sink_retype(IngestSink *s, int i, TypeId id, TarnError *err)
{
    Field *f = &s->sch.fields[i];
    Vector *old = &s->vecs[i];
    LogicalType nt = type_simple(id);
    Vector nv;
    /* nt lives on the stack until it is stored in the field below. */
    if (vec_init(&nv, &nt))
        return ERR_NOMEM(err, 64);
    int rc = 0;
    for (uint32_t r = 0; r < old->len && !rc; r++) {
        if (!vec_is_valid(old, r))
            rc = vec_append_null(&nv);
        else if (old->type->id == TYPE_INT64 && id == TYPE_DOUBLE)
            rc = vec_append_double(&nv, (double)VEC_DATA(old, int64_t)[r]);
        else if (old->type->id == TYPE_STRING) {
            const StrView *sv = &VEC_DATA(old, StrView)[r];
            rc = value_parse_append(&nv, sv->ptr, sv->len);
            if (rc == TARN_ERR_TYPE)
                rc = ERR_INTERNAL(err, "ingest column conversion of a checked value failed");
        } else
            rc = ERR_INTERNAL(err, "unexpected ingest column conversion");
    }
    if (rc) {
        vec_destroy(&nv);
        return rc == TARN_ERR_NOMEM ? ERR_NOMEM(err, 16) : rc;
    }
    vec_destroy(old);
    type_destroy(&f->type);
    s->epoch++;
    f->type = nt;
    *old = nv;
    old->type = &f->type;
    s->flags[i] &= (uint8_t)~COL_UNTYPED;
    return 0;
}

int ingest_sink_row_end(IngestSink *s, TarnError *err)
{
    uint32_t want = s->n_rows + 1;
    for (uint32_t i = 0; i < s->sch.n_fields; i++)
        if (s->vecs[i].len < want && vec_append_null(&s->vecs[i]))
            return ERR_NOMEM(err, 16);
    s->n_rows = want;
    return 0;
}

void ingest_sink_row_cancel(IngestSink *s)
{
    for (uint32_t i = 0; i < s->sch.n_fields; i++) {
        Vector *v = &s->vecs[i];
        if (v->len > s->n_rows) {
            v->len = s->n_rows;
            vec_set_valid_bit(v, s->n_rows);
        }
    }
}

/* ---- Dead letters ---------------------------------------------------------- */

static int init_dlq_schema(IngestSink *s)
{
    schema_init(&s->dlq_sch);
    struct { const char *n; TypeId t; } cols[] = {
        {"key", TYPE_BLOB}, {"value", TYPE_BLOB}, {"_topic", TYPE_STRING}, {"_partition", TYPE_INT32},
        {"_offset", TYPE_INT64}, {"_timestamp", TYPE_TIMESTAMPTZ}, {"error", TYPE_STRING},
    };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (schema_add(&s->dlq_sch, cols[i].n, type_simple(cols[i].t), true))
            return TARN_ERR_NOMEM;
    return batch_init(&s->dlq_b, &s->dlq_sch);
}

int ingest_sink_dlq_add(IngestSink *s, const IngestDeadLetter *d, TarnError *err)
{
    Batch *b = &s->dlq_b;
    uint32_t r = b->n_rows;
    if (r >= s->dlq_app_cap) {
        uint32_t cap = s->dlq_app_cap ? s->dlq_app_cap * 2 : 64;
        char **a = tarn_realloc(s->dlq_app, cap * sizeof *a);
        if (!a)
            return ERR_NOMEM(err, cap * sizeof *a);
        s->dlq_app = a;
        s->dlq_app_cap = cap;
    }
    /* app ids repeat: reuse the previous row's copy when equal */
    char *app = NULL;
    if (d->app_id) {
        if (r > 0 && s->dlq_app[r - 1] && strcmp(s->dlq_app[r - 1], d->app_id) == 0)
            app = s->dlq_app[r - 1];
        else if (!(app = arena_strdup(&s->dlq_arena, d->app_id)))
            return ERR_NOMEM(err, strlen(d->app_id));
    }
    s->dlq_app[r] = app;
    int rc = 0;
    rc |= d->has_key ? vec_append_str(&b->cols[0], d->key, d->key_len) : vec_append_null(&b->cols[0]);
    rc |= d->has_value ? vec_append_str(&b->cols[1], d->value, d->value_len) : vec_append_null(&b->cols[1]);
    rc |= d->source ? vec_append_str(&b->cols[2], d->source, strlen(d->source)) : vec_append_null(&b->cols[2]);
    rc |= vec_append_i64(&b->cols[3], d->partition);
    rc |= vec_append_i64(&b->cols[4], d->offset);
    rc |= d->timestamp_ms >= 0 ? vec_append_i64(&b->cols[5], d->timestamp_ms * 1000) : vec_append_null(&b->cols[5]);
    rc |= vec_append_str(&b->cols[6], d->error, strlen(d->error));
    if (rc)
        return ERR_NOMEM(err, d->value_len + 64);
    b->n_rows++;
    return 0;
}

/* ---- Open / close ---------------------------------------------------------- */

static char *join3(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 3;
    char *p = tarn_malloc(n);
    if (p)
        snprintf(p, n, "%s/%s/%s", a, b, c);
    return p;
}

static bool has_log(const char *dir)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/_delta_log", dir);
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Opens dir's table when it exists; *out stays NULL otherwise. */
static int open_existing(const char *dir, DeltaTable **out, TarnError *err)
{
    if (*out || !has_log(dir))
        return 0;
    DeltaTable *t = delta_table_open_dir(dir, false, NULL, err);
    if (!t)
        return err->kind;
    bool exists = false;
    int rc = delta_table_exists(t, &exists, err);
    if (rc || !exists) {
        delta_table_close(t);
        return rc;
    }
    *out = t;
    return 0;
}

IngestSink *ingest_sink_open(const IngestSinkOptions *o, TarnError *err)
{
    IngestSink *s = tarn_calloc(1, sizeof *s);
    if (!s) {
        ERR_NOMEM(err, sizeof *s);
        return NULL;
    }
    arena_init(&s->dlq_arena, 4096);
    schema_init(&s->sch);
    char dlq_default[300];
    snprintf(dlq_default, sizeof dlq_default, "%s_dlq", o->table);
    s->lake = tarn_strdup(o->lake);
    s->schema = tarn_strdup(o->schema);
    s->table = tarn_strdup(o->table);
    s->dlq_table = tarn_strdup(o->dlq_table ? o->dlq_table : dlq_default);
    s->operation = tarn_strdup(o->operation ? o->operation : "STREAMING UPDATE");
    if (!s->lake || !s->schema || !s->table || !s->dlq_table || !s->operation || init_dlq_schema(s)) {
        ERR_NOMEM(err, 256);
        goto fail;
    }
    if (catalog_check_name(s->schema, err) || catalog_check_name(s->table, err) ||
        catalog_check_name(s->dlq_table, err))
        goto fail;
    s->table_dir = join3(s->lake, s->schema, s->table);
    s->dlq_dir = join3(s->lake, s->schema, s->dlq_table);
    if (!s->table_dir || !s->dlq_dir) {
        ERR_NOMEM(err, 256);
        goto fail;
    }
    if (open_existing(s->table_dir, &s->t, err))
        goto fail;
    if (s->t) {
        DeltaSnapshot *snap = delta_snapshot_latest(s->t, err);
        if (!snap)
            goto fail;
        int rc = delta_protocol_check_write(delta_snapshot_protocol(snap), err);
        if (!rc)
            rc = adopt_schema(s, delta_snapshot_schema(snap), err);
        delta_snapshot_free(snap);
        if (rc)
            goto fail;
    }
    return s;
fail:
    ingest_sink_close(s);
    return NULL;
}

void ingest_sink_close(IngestSink *s)
{
    if (!s)
        return;
    clear_cols(s);
    tarn_free(s->sch.fields);
    tarn_free(s->vecs);
    tarn_free(s->flags);
    if (s->dlq_b.cols)
        batch_destroy(&s->dlq_b);
    schema_destroy(&s->dlq_sch);
    tarn_free(s->dlq_app);
    arena_free(&s->dlq_arena);
    delta_table_close(s->t);
    delta_table_close(s->dlq);
    tarn_free(s->lake);
    tarn_free(s->schema);
    tarn_free(s->table);
    tarn_free(s->dlq_table);
    tarn_free(s->operation);
    tarn_free(s->table_dir);
    tarn_free(s->dlq_dir);
    tarn_free(s);
}

/* ---- Committing ------------------------------------------------------------- */

/* Creates LAKE/schema/name with the given schema unless it exists (then
 * or when created concurrently, the existing table is opened). */
static int ensure_table(IngestSink *s, const char *name, const char *dir, const Schema *sch,
                        DeltaTable **out, TarnError *err)
{
    int rc = open_existing(dir, out, err);
    if (rc || *out)
        return rc;
    Catalog *c = catalog_open(s->lake, err);
    if (!c)
        return err->kind;
    rc = catalog_create_schema(c, s->schema, true, err);
    if (!rc) {
        DeltaCreateOptions co;
        memset(&co, 0, sizeof co);
        co.schema = sch;
        co.if_not_exists = true;
        CatalogRel *rel = NULL;
        bool created = false;
        rc = catalog_create_table(c, s->schema, name, &co, &rel, &created, err);
    }
    catalog_close(c);
    /* Created concurrently (with other columns: TARN_ERR_CONFLICT; or
     * between the existence check and our commit: "already exists"): use
     * that table as it is. */
    TarnError first;
    err_clear(&first);
    if (rc == TARN_ERR_CONFLICT || rc == TARN_ERR_INVALID) {
        first = *err;
        err_clear(err);
        rc = 0;
    }
    if (rc)
        return rc;
    /* Another process may be creating it right now: its folder exists
     * before its first commit does.  Wait for that commit (up to 10 s). */
    for (int i = 0; i < 200; i++) {
        if ((rc = open_existing(dir, out, err)) || *out)
            return rc;
        struct timespec ts = {0, 50 * 1000000};
        nanosleep(&ts, NULL);
    }
    if (first.kind) {
        *err = first;
        return first.kind;
    }
    return err_set(err, TARN_ERR_IO, "table \"%s.%s\" was not created", s->schema, name);
}

/* Settles the types of new columns before their first commit: NULL-only
 * ones become text; text whose every value is a date / timestamp
 * (with a zone somewhere: timestamptz) takes that type, as the NDJSON
 * reader infers (format/json/json.h). */
static int settle_new_columns(IngestSink *s, TarnError *err)
{
    for (uint32_t i = 0; i < s->sch.n_fields; i++) {
        if (!(s->flags[i] & COL_NEW))
            continue;
        if (s->flags[i] & COL_UNTYPED) {
            s->flags[i] &= (uint8_t)~COL_UNTYPED;
            continue;
        }
        Vector *v = &s->vecs[i];
        if (v->type->id != TYPE_STRING || (s->flags[i] & COL_MIXED))
            continue;
        bool date = true, ts = true, zone = false, any = false;
        for (uint32_t r = 0; r < v->len && (date || ts); r++) {
            if (!vec_is_valid(v, r))
                continue;
            any = true;
            const StrView *sv = &VEC_DATA(v, StrView)[r];
            int32_t d;
            int64_t us;
            bool z = false;
            if (date && !dt_parse_date(sv->ptr, sv->len, &d))
                date = false;
            if (ts) {
                if (!dt_parse_timestamp(sv->ptr, sv->len, &us, &z))
                    ts = false;
                else if (z)
                    zone = true;
            }
        }
        if (!any || (!date && !ts))
            continue;
        int rc = ingest_sink_retype(s, (int)i, date ? TYPE_DATE : zone ? TYPE_TIMESTAMPTZ : TYPE_TIMESTAMP, err);
        if (rc)
            return rc;
    }
    return 0;
}

static void reset_buffers(IngestSink *s)
{
    for (uint32_t i = 0; i < s->sch.n_fields; i++)
        vec_reset(&s->vecs[i]);
    s->n_rows = 0;
    batch_reset(&s->dlq_b);
    arena_reset(&s->dlq_arena);
}

static int64_t app_version(DeltaSnapshot *snap, const char *app_id)
{
    int64_t v;
    return delta_snapshot_app_version(snap, app_id, &v) ? v : -1;
}

static int set_op(DeltaTransaction *txn, const char *op, int n_markers, TarnError *err)
{
    char params[96];
    snprintf(params, sizeof params, "{\"outputMode\":\"Append\",\"markers\":\"%d\"}", n_markers);
    return delta_txn_set_operation(txn, op, params, err);
}

/* Dead letters first, in their own table; those below the table's marker
 * for their app id were committed by an earlier attempt and are left out. */
static int commit_dlq(IngestSink *s, const IngestProgress *p, int n, IngestCommitResult *res, TarnError *err)
{
    int rc = ensure_table(s, s->dlq_table, s->dlq_dir, &s->dlq_sch, &s->dlq, err);
    if (rc)
        return rc;
    DeltaTransaction *txn = delta_txn_begin(s->dlq, err);
    if (!txn)
        return err->kind;
    DeltaSnapshot *snap = delta_txn_snapshot(txn);
    char id[600];
    Batch keep;
    if (batch_init(&keep, &s->dlq_sch)) {
        delta_txn_abort(txn);
        return ERR_NOMEM(err, 64);
    }
    const Batch *b = &s->dlq_b;
    for (uint32_t r = 0; r < b->n_rows && !rc; r++) {
        if (s->dlq_app[r]) {
            snprintf(id, sizeof id, "%s:dlq", s->dlq_app[r]);
            int64_t have = app_version(snap, id);
            if (have >= 0 && VEC_DATA(&b->cols[4], int64_t)[r] < have)
                continue;       /* committed before */
        }
        for (uint32_t c = 0; c < b->n_cols && !rc; c++)
            rc = vec_append_from(&keep.cols[c], &b->cols[c], r);
        keep.n_rows++;
    }
    if (rc) {
        rc = ERR_NOMEM(err, 64);
        goto fail;
    }
    if (keep.n_rows && (rc = delta_txn_write(txn, &keep, err)))
        goto fail;
    for (int i = 0; i < n && !rc; i++) {
        snprintf(id, sizeof id, "%s:dlq", p[i].app_id);
        if (app_version(snap, id) < p[i].version)
            rc = delta_txn_set_app_txn(txn, id, p[i].version, err);
    }
    if (rc || (rc = set_op(txn, s->operation, n, err)))
        goto fail;
    DeltaResult r;
    rc = delta_txn_commit(txn, &r, err);
    batch_destroy(&keep);
    if (rc)
        return err_context(err, "committing dead letters to \"%s.%s\"", s->schema, s->dlq_table);
    res->dlq_version = r.version;
    res->dlq_rows = r.rows_inserted;
    return 0;
fail:
    batch_destroy(&keep);
    delta_txn_abort(txn);
    return err_context(err, "committing dead letters to \"%s.%s\"", s->schema, s->dlq_table);
}

static int commit_data(IngestSink *s, const IngestProgress *p, int n, IngestCommitResult *res, TarnError *err)
{
    int rc = settle_new_columns(s, err);
    if (rc)
        return rc;
    if (!s->t) {
        if ((rc = ensure_table(s, s->table, s->table_dir, &s->sch, &s->t, err)))
            return rc;
    }
    DeltaTransaction *txn = delta_txn_begin(s->t, err);
    if (!txn)
        return err->kind;
    DeltaSnapshot *snap = delta_txn_snapshot(txn);
    const Schema *ts = delta_snapshot_schema(snap);
    for (int i = 0; i < n; i++) {
        int64_t have = app_version(snap, p[i].app_id);
        if (have != p[i].expect) {
            rc = err_set(err, TARN_ERR_CONFLICT,
                         "progress of \"%s\" moved: the table is at %" PRId64 ", this batch starts at %" PRId64,
                         p[i].app_id, have, p[i].expect);
            goto fail;
        }
    }
    int64_t added = 0;
    for (uint32_t i = 0; i < s->sch.n_fields; i++) {
        int k = schema_find(ts, s->sch.fields[i].name);
        if (k < 0) {
            added++;
            continue;
        }
        if (!type_equal(&ts->fields[k].type, &s->sch.fields[i].type)) {
            char a[64], b[64];
            rc = err_set(err, TARN_ERR_CONFLICT, "column \"%s\" was added concurrently as %s (this batch has %s)",
                         s->sch.fields[i].name, type_name(&ts->fields[k].type, a, sizeof a),
                         type_name(&s->sch.fields[i].type, b, sizeof b));
            goto fail;
        }
    }
    delta_txn_allow_schema_evolution(txn, true);
    if (s->n_rows) {
        Batch b;
        b.schema = &s->sch;
        b.n_rows = s->n_rows;
        b.n_cols = s->sch.n_fields;
        b.cols = s->vecs;
        if ((rc = delta_txn_write(txn, &b, err)))
            goto fail;
    }
    for (int i = 0; i < n && !rc; i++)
        rc = delta_txn_set_app_txn(txn, p[i].app_id, p[i].version, err);
    if (rc || (rc = set_op(txn, s->operation, n, err)))
        goto fail;
    DeltaResult r;
    if ((rc = delta_txn_commit(txn, &r, err)))
        return err_context(err, "committing to \"%s.%s\"", s->schema, s->table);
    res->version = r.version;
    res->rows = r.rows_inserted;
    res->columns_added = added;
    for (uint32_t i = 0; i < s->sch.n_fields; i++)
        s->flags[i] = 0;
    return 0;
fail:
    delta_txn_abort(txn);
    return err_context(err, "committing to \"%s.%s\"", s->schema, s->table);
}

int ingest_sink_commit(IngestSink *s, const IngestProgress *p, int n, IngestCommitResult *res, TarnError *err)
{
    IngestCommitResult r = {-1, -1, 0, 0, 0};
    int rc = 0;
    if (s->dlq_b.n_rows)
        rc = commit_dlq(s, p, n, &r, err);
    if (!rc)
        rc = commit_data(s, p, n, &r, err);
    if (rc) {
        /* new columns die with the batch */
        for (uint32_t i = s->sch.n_fields; i-- > 0;)
            if (s->flags[i] & COL_NEW)
                drop_col(s, i);
    }
    reset_buffers(s);
    if (res)
        *res = r;
    return rc;
}

int ingest_sink_settle(IngestSink *s, TarnError *err) { return settle_new_columns(s, err); }

int ingest_sink_adopt_columns(IngestSink *dst, const IngestSink *src, TarnError *err)
{
    if (dst->n_rows || dst->dlq_b.n_rows)
        return ERR_INTERNAL(err, "adopting columns into a sink that holds rows");
    return adopt_schema(dst, &src->sch, err);
}

void ingest_sink_discard(IngestSink *s)
{
    for (uint32_t i = s->sch.n_fields; i-- > 0;)
        if (s->flags[i] & COL_NEW)
            drop_col(s, i);
    reset_buffers(s);
}

int ingest_sink_progress(IngestSink *s, const char *const *app_ids, int n, int64_t *versions_out,
                         TarnError *err)
{
    int rc = open_existing(s->table_dir, &s->t, err);
    if (rc)
        return rc;
    if (!s->t) {
        for (int i = 0; i < n; i++)
            versions_out[i] = -1;
        return 0;
    }
    DeltaSnapshot *snap = delta_snapshot_latest(s->t, err);
    if (!snap)
        return err->kind;
    for (int i = 0; i < n; i++)
        versions_out[i] = app_version(snap, app_ids[i]);
    rc = 0;
    if (s->n_rows == 0)
        rc = adopt_schema(s, delta_snapshot_schema(snap), err);
    delta_snapshot_free(snap);
    return rc;
}
