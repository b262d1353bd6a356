/*
 * sql_run.c - running one statement: queries, EXPLAIN, INSERT, CREATE
 * TABLE AS (see session.h for the flow).
 */
#include <stdio.h>
#include <string.h>

#include "sql/bind/bind.h"
#include "sql/exec/ops.h"
#include "sql/exec/spill.h"
#include "sql/func/cast.h"
#include "sql/parse/parse.h"
#include "sql/session.h"
#include "sql/notice.h"
#include "sql/stmt.h"

void stmt_begin(Stmt *s, tarn_db *db, const char *sql, TarnError *err)
{
    memset(s, 0, sizeof *s);
    s->db = db;
    arena_init(&s->a, 0);
    s->bc.a = &s->a;
    s->bc.sql = sql;
    s->bc.cat = db->cat;
    s->bc.settings = &db->settings;
    s->bc.search_path = db->search_path;
    s->bc.n_path = db->n_path;
    s->bc.res = &s->res;
    s->bc.next_table = 1;
    s->bc.err = err;
    s->bc.params = db->params;
    s->x.settings = &db->settings;
    s->x.arena = &s->a;
    s->x.n_threads = db->threads ? db->threads : pool_size();
    s->x.cancel = &db->cancel;
    s->x.mem_budget = db->memory_limit ? db->memory_limit : exec_default_mem_limit();
    if (!db->temp_directory[0])
        snprintf(db->temp_directory, sizeof db->temp_directory, "%s/.tarn_tmp", catalog_root(db->cat));
    s->x.temp_dir = db->temp_directory;
    s->x.cat = db->cat;
    catalog_scope_begin(db->cat); /* one stat per schema folder for the statement (catalog.h) */
    /* the current schema, for current_schema() */
    db->settings.current_schema = NULL;
    for (uint32_t i = 0; i < db->n_path; i++)
        if (catalog_schema_exists(db->cat, db->search_path[i])) {
            db->settings.current_schema = db->search_path[i];
            break;
        }
}

void stmt_end(Stmt *s)
{
    if (s->db)
        catalog_scope_end(s->db->cat);
    if (s->pp.root)
        physop_destroy_tree(s->pp.root);
    for (uint32_t i = 0; i < s->pp.n_inits; i++)
        physop_destroy_tree(s->pp.inits[i].root);
    if (s->top && s->top != s->pp.root) {
        /* the top sink wraps pp.root: destroy only the sink itself */
        s->top->n_children = 0;
        physop_destroy_tree(s->top);
    }
    stmt_res_release(&s->res);
    arena_free(&s->a);
}

int stmt_plan(Stmt *s, LogicalOp *plan, TarnError *err)
{
    int rc = plan_optimize(&s->a, &plan, err);
    if (!rc)
        rc = plan_share_views(&s->a, plan, err);
    if (!rc)
        rc = plan_share_subplans(&s->a, plan, err);
    if (rc)
        return rc;
    s->plan = plan;
    rc = physical_plan(&s->a, plan, &s->db->settings, &s->pp, err);
    if (rc)
        return rc;
    s->x.n_params = s->pp.n_inits;
    s->x.params = arena_calloc(&s->a, (s->pp.n_inits ? s->pp.n_inits : 1) * sizeof(Value));
    if (!s->x.params)
        return ERR_NOMEM(err, 0);
    return 0;
}

int stmt_execute(Stmt *s, PhysOp *top, TarnError *err)
{
    s->top = top;
    return exec_run(top, s->pp.inits, s->pp.n_inits, &s->x, err);
}

/* Moves the rows of a result sink into a tarn_result. */
static int make_result(Stmt *s, const BoundQuery *q, PhysOp *res_op, tarn_result **out, TarnError *err)
{
    tarn_result *r = sql_result_new(q->n_cols, q->names, q->types, err);
    if (!r)
        return err->kind;
    sql_result_set_zone(r, &s->db->settings);
    Collection *rows = op_result_rows(res_op);
    int rc = rows ? coll_move(&r->rows, rows, err) : 0;
    if (!rc) {
        sql_result_adopt_types(r);
        rc = sql_result_seal(r, err);
    }
    if (rc) {
        tarn_result_free(r);
        return rc;
    }
    snprintf(r->tag, sizeof r->tag, "SELECT %llu", (unsigned long long)r->rows.n_rows);
    *out = r;
    return 0;
}

int sql_run_query(tarn_db *db, const char *sql, const AstSelect *sel, tarn_result **out, TarnError *err)
{
    Stmt s;
    stmt_begin(&s, db, sql, err);
    BoundQuery q;
    int rc = bind_query(&s.bc, sel, &q);
    if (!rc)
        rc = stmt_plan(&s, q.plan, err);
    PhysOp *res = NULL;
    if (!rc && !(res = op_result_new(&s.a, s.pp.root, -1, err)))
        rc = err->kind;
    if (!rc)
        rc = stmt_execute(&s, res, err);
    if (!rc)
        rc = make_result(&s, &q, res, out, err);
    stmt_end(&s);
    return rc;
}

/* ---- EXPLAIN ------------------------------------------------------------------------------------------ */

static int explain_result(Buf *b, tarn_result **out, TarnError *err)
{
    const char *name = "QUERY PLAN";
    LogicalType t = type_simple(TYPE_STRING);
    tarn_result *r = sql_result_new(1, &name, &t, err);
    if (!r)
        return err->kind;
    buf_terminate(b);
    char *text = b->data ? (char *)b->data : (char *)"";
    int rc = 0;
    for (char *line = text; *line && !rc;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        rc = sql_result_add_text(r, line, err);
        if (!nl)
            break;
        line = nl + 1;
    }
    if (!rc)
        rc = sql_result_seal(r, err);
    if (rc) {
        tarn_result_free(r);
        return rc;
    }
    snprintf(r->tag, sizeof r->tag, "EXPLAIN");
    *out = r;
    return 0;
}

static int run_explain(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err)
{
    const AstStmt *inner = st->u.explain.stmt;
    if (inner->kind != STMT_SELECT)
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "EXPLAIN of this statement is not supported yet");
    Stmt s;
    stmt_begin(&s, db, sql, err);
    BoundQuery q;
    Buf b;
    buf_init(&b);
    int rc = bind_query(&s.bc, inner->u.select, &q);
    if (!rc)
        rc = stmt_plan(&s, q.plan, err);
    PhysOp *res = NULL;
    if (!rc && st->u.explain.analyze) {
        if (!(res = op_result_new(&s.a, s.pp.root, -1, err)))
            rc = err->kind;
        s.x.analyze = true;
        if (!rc)
            rc = stmt_execute(&s, res, err);
    }
    if (!rc)
        rc = physop_explain(s.pp.root, s.pp.inits, s.pp.n_inits, st->u.explain.analyze, &b);
    if (!rc)
        rc = explain_result(&b, out, err);
    buf_free(&b);
    stmt_end(&s);
    return rc;
}

/* ---- INSERT / CTAS ------------------------------------------------------------------------------------------ */

static int lookup_table(Stmt *s, const AstNode *rv, const char *verb, CatalogRel **rel_out, TarnError *err)
{
    CatalogRel *rel;
    int rc = catalog_lookup(s->db->cat, rv->u.rangevar.schema, rv->u.rangevar.name, s->db->search_path, s->db->n_path,
                            &rel, err);
    if (rc)
        return bind_error_at(&s->bc, rv->loc);
    if (rel->kind != REL_TABLE) {
        err_set_state(err, TARN_ERR_INVALID, "42809", "cannot %s view \"%s\"", verb, rel->name);
        return bind_error_at(&s->bc, rv->loc);
    }
    *rel_out = rel;
    return 0;
}

/* Plans `q` (rows in the table's column order and types) into the table. */
int stmt_insert_rows(Stmt *s, CatalogRel *rel, const Schema *ts, LogicalOp *plan, bool overwrite, int64_t *rows_out,
                     TarnError *err)
{
    int rc = stmt_plan(s, plan, err);
    if (rc)
        return rc;
    PhysOp *ins = op_insert_new(&s->a, s->pp.root, rel->table, ts, rel->name, overwrite, err);
    if (!ins)
        return err->kind;
    if ((rc = stmt_execute(s, ins, err)))
        return rc;
    *rows_out = op_insert_count(ins);
    return 0;
}

static int run_insert(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err)
{
    Stmt s;
    stmt_begin(&s, db, sql, err);
    CatalogRel *rel = NULL;
    int rc = lookup_table(&s, st->u.insert.table, "insert into", &rel, err);
    DeltaSnapshot *snap = NULL;
    if (!rc && !(snap = delta_snapshot_latest(rel->table, err)))
        rc = err->kind;
    if (!rc && stmt_res_add_snapshot(&s.res, snap)) {
        delta_snapshot_free(snap);
        rc = ERR_NOMEM(err, 0);
    }
    BoundQuery q;
    int64_t n = 0;
    if (!rc) {
        const Schema *ts = delta_snapshot_schema(snap);
        rc = bind_insert(&s.bc, st, rel, ts, &q);
        if (!rc && st->u.insert.returning.n) {
            rc = sql_insert_returning(&s, st, rel, ts, q.plan, out, err);
            stmt_end(&s);
            return rc;
        }
        if (!rc)
            rc = stmt_insert_rows(&s, rel, ts, q.plan, false, &n, err);
    }
    if (!rc) {
        char tag[64];
        snprintf(tag, sizeof tag, "INSERT 0 %lld", (long long)n);
        if (!(*out = sql_result_tag(tag, err)))
            rc = err->kind;
    }
    stmt_end(&s);
    return rc;
}

/* Delta can store these; others are refused at CREATE TABLE time. */
int sql_storable_type(const LogicalType *t, const char *col, TarnError *err)
{
    switch (t->id) {
    case TYPE_BOOL: case TYPE_INT8: case TYPE_INT16: case TYPE_INT32: case TYPE_INT64: case TYPE_FLOAT:
    case TYPE_DOUBLE: case TYPE_DECIMAL: case TYPE_DATE: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ:
    case TYPE_STRING: case TYPE_BLOB:
        return 0;
    case TYPE_LIST: /* arrays: Delta "array" of a storable, non-nested element */
        if (t->n_fields == 1 && !type_is_nested(t->fields[0].type.id) && t->fields[0].type.id != TYPE_NULL &&
            sql_storable_type(&t->fields[0].type, col, NULL) == 0)
            return 0;
        /* fall through */
    default: {
        char tn[64];
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "column \"%s\" has type %s, which Delta tables cannot store yet",
                             col, sqltype_name(t, tn, sizeof tn));
    }
    }
}

int sql_schema_add(Schema *s, const char *name, const LogicalType *t, bool nullable, TarnError *err)
{
    LogicalType h = *t;
    if (t->n_fields && type_copy(&h, t))
        return ERR_NOMEM(err, 0);
    return schema_add(s, name, h, nullable) ? ERR_NOMEM(err, 0) : 0;
}

static int run_ctas(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err)
{
    Stmt s;
    stmt_begin(&s, db, sql, err);
    BoundQuery q;
    int rc = bind_query(&s.bc, st->u.ctas.select, &q);
    Schema schema;
    schema_init(&schema);
    const AstNode *rv = st->u.ctas.table;
    const char *sch = NULL;
    Expr **ex = NULL;
    if (!rc && st->u.ctas.col_names.n > q.n_cols)
        rc = err_set_state(err, TARN_ERR_SYNTAX, "42601", "too many column names were specified");
    if (!rc && !(ex = arena_alloc(&s.a, (q.n_cols ? q.n_cols : 1) * sizeof(Expr *))))
        rc = ERR_NOMEM(err, 0);
    for (uint32_t i = 0; !rc && i < q.n_cols; i++) {
        LogicalType t = q.types[i];
        if (t.id == TYPE_NULL || t.id == TYPE_JSON)
            t = type_simple(TYPE_STRING);
        const char *name = i < st->u.ctas.col_names.n ? st->u.ctas.col_names.items[i]->u.colref.names[0] : q.names[i];
        for (uint32_t k = 0; k < schema.n_fields && !rc; k++)
            if (!strcmp(schema.fields[k].name, name))
                rc = err_set_state(err, TARN_ERR_INVALID, "42701", "column \"%s\" specified more than once", name);
        if (!rc)
            rc = sql_storable_type(&t, name, err);
        if (!rc)
            rc = sql_schema_add(&schema, name, &t, true, err);
        if (!rc) {
            Expr *c = expr_colref(&s.a, q.plan->out[i], q.types[i], q.names[i]);
            if (!c)
                rc = ERR_NOMEM(err, 0);
            else
                rc = bind_coerce(&s.bc, c, &schema.fields[i].type, CAST_ASSIGNMENT, &ex[i]);
        }
    }
    if (!rc)
        rc = catalog_creation_schema(db->cat, rv->u.rangevar.schema, db->search_path, db->n_path, &sch, err);
    CatalogRel *rel = NULL;
    bool created = false;
    if (!rc) {
        DeltaCreateOptions co;
        memset(&co, 0, sizeof co);
        co.schema = &schema;
        co.name = rv->u.rangevar.name;
        co.if_not_exists = st->u.ctas.if_not_exists;
        rc = catalog_create_table(db->cat, sch, rv->u.rangevar.name, &co, &rel, &created, err);
        if (rc)
            bind_error_at(&s.bc, rv->loc);
        else if (!created)
            sql_notice(db, "NOTICE", "42P07", "relation \"%s\" already exists, skipping", rv->u.rangevar.name);
    }
    int64_t n = 0;
    if (!rc && created && !st->u.ctas.with_no_data) {
        LogicalOp *p = lop_new(&s.a, LOP_PROJECT, 1);
        if (!p) {
            rc = ERR_NOMEM(err, 0);
        } else {
            p->children[0] = q.plan;
            p->u.project.table_index = s.bc.next_table++;
            p->u.project.exprs = ex;
            p->u.project.n_exprs = q.n_cols;
            if (lop_resolve(&s.a, p, false))
                rc = ERR_NOMEM(err, 0);
        }
        DeltaSnapshot *snap = NULL;
        if (!rc && !(snap = delta_snapshot_latest(rel->table, err)))
            rc = err->kind;
        if (!rc && stmt_res_add_snapshot(&s.res, snap)) {
            delta_snapshot_free(snap);
            rc = ERR_NOMEM(err, 0);
        }
        if (!rc)
            rc = stmt_insert_rows(&s, rel, delta_snapshot_schema(snap), p, false, &n, err);
        if (rc && created) {
            /* do not leave a half-made table behind */
            TarnError e2;
            memset(&e2, 0, sizeof e2);
            CatalogRel *r2;
            if (!catalog_lookup(db->cat, sch, rv->u.rangevar.name, NULL, 0, &r2, &e2))
                catalog_drop_relation(db->cat, r2, &e2);
        }
    }
    if (!rc) {
        char tag[64];
        snprintf(tag, sizeof tag, "SELECT %lld", (long long)n);
        if (!created) /* IF NOT EXISTS and there: PostgreSQL's tag for a skipped CTAS */
            snprintf(tag, sizeof tag, "CREATE TABLE AS");
        if (!(*out = sql_result_tag(tag, err)))
            rc = err->kind;
    }
    schema_destroy(&schema);
    stmt_end(&s);
    return rc;
}

/* SAVEPOINT / RELEASE [SAVEPOINT] / ROLLBACK TO [SAVEPOINT] inside a block.
 * Statements commit one by one (no multi-statement transactions), so these
 * only keep PostgreSQL's bookkeeping: the names (an unknown one is 3B001),
 * RELEASE dropping a savepoint and those after it, ROLLBACK TO keeping it
 * and dropping the later ones.  Nothing done after a savepoint is undone;
 * the server clears a failed block's state on ROLLBACK TO (session.c). */
static int run_savepoint(tarn_db *db, const AstStmt *st, tarn_result **out, TarnError *err)
{
    AstTxnKind k = st->u.txn.kind;
    const char *name = st->u.txn.savepoint ? st->u.txn.savepoint : "";
    static const char *const what[] = {"SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"};
    if (!db->in_txn)
        return err_set_state(err, TARN_ERR_INVALID, "25P01", "%s can only be used in transaction blocks",
                             what[k - TXN_SAVEPOINT]);
    if (k == TXN_SAVEPOINT) {
        if (db->n_savepoints == db->cap_savepoints) {
            uint32_t nc = db->cap_savepoints ? db->cap_savepoints * 2 : 8;
            char(*n)[64] = tarn_realloc(db->savepoints, nc * sizeof *n);
            if (!n)
                return ERR_NOMEM(err, nc * sizeof *n);
            db->savepoints = n;
            db->cap_savepoints = nc;
        }
        snprintf(db->savepoints[db->n_savepoints++], sizeof db->savepoints[0], "%s", name);
        *out = sql_result_tag("SAVEPOINT", err);
        return *out ? 0 : err->kind;
    }
    /* the newest savepoint of that name */
    uint32_t i = db->n_savepoints;
    while (i > 0 && strncmp(db->savepoints[i - 1], name, sizeof db->savepoints[0] - 1))
        i--;
    if (i == 0)
        return err_set_state(err, TARN_ERR_INVALID, "3B001", "savepoint \"%s\" does not exist", name);
    db->n_savepoints = k == TXN_RELEASE ? i - 1 : i;
    *out = sql_result_tag(k == TXN_RELEASE ? "RELEASE" : "ROLLBACK", err);
    return *out ? 0 : err->kind;
}

static int run_txn(tarn_db *db, const AstStmt *st, tarn_result **out, TarnError *err)
{
    const char *tag = "BEGIN";
    switch (st->u.txn.kind) {
    case TXN_BEGIN:
        if (db->in_txn)
            sql_notice(db, "WARNING", "25001", "there is already a transaction in progress");
        db->in_txn = true; tag = "BEGIN"; break;
    case TXN_COMMIT:
    case TXN_ROLLBACK:
        if (!db->in_txn)
            sql_notice(db, "WARNING", "25P01", "there is no transaction in progress");
        db->in_txn = false;
        db->n_savepoints = 0;
        tag = st->u.txn.kind == TXN_COMMIT ? "COMMIT" : "ROLLBACK";
        break;
    case TXN_SAVEPOINT:
    case TXN_RELEASE:
    case TXN_ROLLBACK_TO:
        return run_savepoint(db, st, out, err);
    }
    *out = sql_result_tag(tag, err);
    return *out ? 0 : err->kind;
}

int sql_run_stmt(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err)
{
    *out = NULL;
    if (db->n_local && !db->in_txn) /* the previous transaction ended: its SET LOCAL values go */
        sql_settings_end_local(db);
    switch (st->kind) {
    case STMT_SELECT:
        return sql_run_query(db, sql, st->u.select, out, err);
    case STMT_EXPLAIN:
        return run_explain(db, sql, st, out, err);
    case STMT_INSERT:
        return run_insert(db, sql, st, out, err);
    case STMT_CREATE_TABLE_AS:
        return run_ctas(db, sql, st, out, err);
    case STMT_CREATE_TABLE:
        return sql_run_create_table(db, sql, st, out, err);
    case STMT_CREATE_SCHEMA:
        return sql_run_create_schema(db, st, out, err);
    case STMT_CREATE_VIEW:
        return sql_run_create_view(db, sql, st, out, err);
    case STMT_DROP:
        return sql_run_drop(db, sql, st, out, err);
    case STMT_COPY:
        return sql_run_copy(db, sql, st, out, err);
    case STMT_SET:
        return sql_run_set(db, sql, st, out, err);
    case STMT_SHOW:
        return sql_run_show(db, st, out, err);
    case STMT_RESET:
        return sql_run_reset(db, st, out, err);
    case STMT_TRANSACTION:
        return run_txn(db, st, out, err);
    case STMT_TRUNCATE:
        return sql_run_truncate(db, sql, st, out, err);
    case STMT_UPDATE:
    case STMT_DELETE:
        return sql_run_dml(db, sql, st, out, err);
    case STMT_MERGE:
        return sql_run_merge(db, sql, st, out, err);
    case STMT_ALTER_TABLE:
        return sql_run_alter_table(db, sql, st, out, err);
    case STMT_PREPARE:
    case STMT_EXECUTE:
    case STMT_DEALLOCATE:
        return sql_run_prepared(db, sql, st, out, err);
    }
    sql_err_at(err, sql, st->loc);
    return err->kind;
}
