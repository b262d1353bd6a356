/*
 * op_insert.c - the final sink of INSERT / CREATE TABLE AS / COPY FROM:
 * writes rows to a Delta table in one transaction (delta_txn_write per
 * chunk, under the operator's mutex since a transaction belongs to one
 * thread at a time), committed in finalize.  Rows arrive in the table's
 * column order and types (the binder added the casts).
 */
#include <string.h>

#include "sql/exec/collection.h"
#include "sql/exec/ops.h"
#include "table/delta/delta.h"

typedef struct Insert {
    PhysOp op;
    DeltaTable *table;
    const Schema *schema;
    const char *name;
    bool overwrite;
    DeltaTransaction *txn;
    int64_t rows;
    Vector *view;               /* shallow copies for the Batch view */
    Collection *keep;           /* INSERT ... RETURNING: copies of the rows written */
} Insert;

static int sink_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x;
    Insert *s = (Insert *)op;
    s->txn = delta_txn_begin(s->table, err);
    if (!s->txn)
        return err_context(err, "writing table \"%s\"", s->name);
    /* commitInfo as Spark writes it for INSERT / CTAS (history shows it). */
    int rc = delta_txn_set_operation(s->txn, s->overwrite ? "CREATE TABLE AS SELECT" : "WRITE",
                                     s->overwrite ? "{\"mode\":\"Overwrite\",\"partitionBy\":\"[]\"}"
                                                  : "{\"mode\":\"Append\",\"partitionBy\":\"[]\"}",
                                     err);
    if (rc)
        return rc;
    if (s->overwrite)
        delta_txn_read_whole_table(s->txn);
    return 0;
}

static int sink(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, bool *done, TarnError *err)
{
    (void)x; (void)local; (void)done;
    Insert *s = (Insert *)op;
    const Schema *ts = s->schema;
    /* NOT NULL constraints */
    for (uint32_t c = 0; c < ts->n_fields; c++) {
        if (ts->fields[c].nullable || !in->cols[c]->validity)
            continue;
        for (uint32_t i = 0; i < in->n_rows; i++)
            if (!vec_is_valid(in->cols[c], in->cols[c]->is_const ? 0 : i)) {
                err_set_state(err, TARN_ERR_INVALID, "23502",
                              "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                              ts->fields[c].name, s->name);
                return TARN_ERR_INVALID;
            }
    }
    pthread_mutex_lock(&op->mu);
    for (uint32_t c = 0; c < ts->n_fields; c++) {
        s->view[c] = *in->cols[c];
        s->view[c].type = &ts->fields[c].type;
        s->view[c].len = in->n_rows;
    }
    Batch b = {ts, in->n_rows, ts->n_fields, s->view};
    int rc = delta_txn_write(s->txn, &b, err);
    if (!rc && s->keep)
        rc = coll_append(s->keep, in, NULL, in->n_rows, err);
    if (!rc)
        s->rows += in->n_rows;
    pthread_mutex_unlock(&op->mu);
    return rc;
}

static int sink_finalize(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x;
    Insert *s = (Insert *)op;
    DeltaTransaction *t = s->txn;
    s->txn = NULL;
    if (s->rows == 0 && !s->overwrite) {
        delta_txn_abort(t);
        return 0;
    }
    DeltaResult res;
    int rc = delta_txn_add_metric(t, "numOutputRows", s->rows, err);
    if (rc) {
        delta_txn_abort(t);
        return rc;
    }
    rc = delta_txn_commit(t, &res, err);
    if (rc)
        return err_context(err, "committing to table \"%s\"", s->name);
    return 0;
}

static void destroy(PhysOp *op)
{
    Insert *s = (Insert *)op;
    if (s->txn)
        delta_txn_abort(s->txn);
    s->txn = NULL;
}

static void explain(PhysOp *op, Buf *out) { buf_printf(out, " on %s", ((Insert *)op)->name); }

static const PhysOpVT vt = {
    .name = "Insert",
    .sink_init = sink_init,
    .sink = sink,
    .sink_finalize = sink_finalize,
    .destroy = destroy,
    .explain = explain,
};

PhysOp *op_insert_new(Arena *a, PhysOp *child, DeltaTable *table, const Schema *schema, const char *name,
                      bool overwrite, TarnError *err)
{
    Insert *s = arena_calloc(a, sizeof *s);
    if (!s || !(s->view = arena_calloc(a, (schema->n_fields ? schema->n_fields : 1) * sizeof(Vector)))) {
        ERR_NOMEM(err, sizeof *s);
        return NULL;
    }
    s->table = table;
    s->schema = schema;
    s->name = name;
    s->overwrite = overwrite;
    physop_init(&s->op, &vt, ROLE_BREAKER, child->n_out, child->out_types);
    s->op.n_children = 1;
    s->op.children[0] = child;
    s->op.est_rows = child->est_rows;
    return &s->op;
}

int64_t op_insert_count(PhysOp *op) { return ((Insert *)op)->rows; }

void op_insert_keep_rows(PhysOp *op, Collection *rows) { ((Insert *)op)->keep = rows; }
