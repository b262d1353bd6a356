/*
 * sql_prepare.c - prepared statements: tarn_prepare / tarn_stmt_* of
 * tarn.h and PREPARE / EXECUTE / DEALLOCATE in SQL (one list per session).
 *
 * A prepared statement keeps its SQL text and parsed AST.  Preparing binds
 * the statement once in describe mode (bind_param.c): parameter types are
 * inferred the way PostgreSQL infers them, and the result columns (names,
 * types) are known before execution, as the wire protocol's Describe
 * needs.  Executing binds again with the parameter values as typed
 * constants (tarn_db.params, picked up by stmt_begin) and runs the
 * statement through the ordinary runner, so every statement kind that
 * accepts expressions accepts parameters and plans as if they were
 * literals.  Parameter values arrive as PostgreSQL text (NULL = SQL NULL)
 * and go through the type's input function (22P02 on bad input).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sql/func/cast.h"
#include "sql/parse/parse.h"
#include "sql/prepare.h"
#include "sql/notice.h"
#include "sql/plan_cache.h"
#include "sql/stmt.h"
#include "table/delta/delta.h"

static void set_stmt_ts(tarn_db *db)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    db->settings.statement_ts = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- types and OIDs ------------------------------------------------------------------------ */

int sql_type_from_oid(uint32_t oid, LogicalType *out)
{
    switch (oid) {
    case 16: *out = type_simple(TYPE_BOOL); return 0;
    case 20: *out = type_simple(TYPE_INT64); return 0;
    case 21: *out = type_simple(TYPE_INT16); return 0;
    case 23: *out = type_simple(TYPE_INT32); return 0;
    case 25: case 19: *out = type_simple(TYPE_STRING); return 0;
    case 1042: *out = type_simple(TYPE_STRING), out->char_kind = TYPE_CHAR_BPCHAR; return 0; /* trailing blanks do not count */
    case 1043: /* varchar without a length (JDBC's setString): "character varying" in messages */
        *out = type_simple(TYPE_STRING);
        out->char_kind = TYPE_CHAR_VARCHAR;
        return 0;
    case 700: *out = type_simple(TYPE_FLOAT); return 0;
    case 701: *out = type_simple(TYPE_DOUBLE); return 0;
    case 1700: *out = type_decimal(38, 10); return 0;
    case 1082: *out = type_simple(TYPE_DATE); return 0;
    case 1083: *out = type_simple(TYPE_TIME); return 0;
    case 1114: *out = type_simple(TYPE_TIMESTAMP); return 0;
    case 1184: *out = type_simple(TYPE_TIMESTAMPTZ); return 0;
    case 1186: *out = type_simple(TYPE_INTERVAL); return 0;
    case 17: *out = type_simple(TYPE_BLOB); return 0;
    case 2950: *out = type_simple(TYPE_UUID); return 0;
    case 114: case 3802: *out = type_simple(TYPE_JSON); return 0;
    default: return -1;
    }
}

int32_t sql_type_typmod(const LogicalType *t)
{
    if (t->id == TYPE_DECIMAL && t->precision && t->precision < 38)
        return (int32_t)(((uint32_t)t->precision << 16) | t->scale) + 4;
    if (t->id == TYPE_STRING && t->char_kind != TYPE_CHAR_NONE && t->char_len) /* varchar(n), char(n) */
        return (int32_t)t->char_len + 4;
    return -1;
}

/* ---- describe ------------------------------------------------------------------------------ */

static int copy_cols(tarn_stmt *ps, uint32_t n, const char *const *names, const LogicalType *types, TarnError *err)
{
    ps->ncols = n;
    ps->colnames = arena_calloc(&ps->a, (n ? n : 1) * sizeof(char *));
    ps->coltypes = arena_calloc(&ps->a, (n ? n : 1) * sizeof(LogicalType));
    ps->coltypenames = arena_calloc(&ps->a, (n ? n : 1) * sizeof(char *));
    ps->coloids = arena_calloc(&ps->a, (n ? n : 1) * sizeof(uint32_t));
    if (!ps->colnames || !ps->coltypes || !ps->coltypenames || !ps->coloids)
        return ERR_NOMEM(err, n);
    for (uint32_t i = 0; i < n; i++) {
        LogicalType t = types[i];
        if (t.id == TYPE_NULL)
            t = type_simple(TYPE_STRING); /* unknown output: text */
        ps->coloids[i] = sqltype_oid(&t); /* before the element type is dropped */
        if (t.n_fields)
            t.n_fields = 0, t.fields = NULL; /* nested types: described by OID only */
        char tn[128];
        if (t.id == TYPE_DECIMAL && t.precision == 38)
            snprintf(tn, sizeof tn, "numeric");
        else
            sqltype_name(&types[i], tn, sizeof tn);
        ps->coltypes[i] = t;
        ps->colnames[i] = arena_strdup(&ps->a, names[i] ? names[i] : "?column?");
        ps->coltypenames[i] = arena_strdup(&ps->a, tn);
        if (!ps->colnames[i] || !ps->coltypenames[i])
            return ERR_NOMEM(err, 0);
    }
    return 0;
}

static int copy_cols(tarn_stmt *ps, uint32_t n, const char *const *names, const LogicalType *types, TarnError *err);

/* Binds the INSERT's source (types of $n) and its RETURNING list. */
static int describe_insert(Stmt *s, tarn_stmt *ps, const AstStmt *st, bool describe_rows, TarnError *err)
{
    const AstNode *rv = st->u.insert.table;
    CatalogRel *rel;
    if (catalog_lookup(s->db->cat, rv->u.rangevar.schema, rv->u.rangevar.name, s->db->search_path, s->db->n_path,
                       &rel, err))
        return bind_error_at(&s->bc, rv->loc);
    if (rel->kind != REL_TABLE) {
        err_set_state(err, TARN_ERR_INVALID, "42809", "cannot insert into view \"%s\"", rel->name);
        return bind_error_at(&s->bc, rv->loc);
    }
    DeltaSnapshot *snap = delta_snapshot_latest(rel->table, err);
    if (!snap)
        return err->kind;
    if (stmt_res_add_snapshot(&s->res, snap)) {
        delta_snapshot_free(snap);
        return ERR_NOMEM(err, 0);
    }
    BoundQuery q;
    int rc = bind_insert(&s->bc, st, rel, delta_snapshot_schema(snap), &q);
    if (!rc && st->u.insert.returning.n) {
        BoundReturning br;
        rc = bind_returning(&s->bc, st->u.insert.table, &st->u.insert.returning, &br);
        if (!rc && describe_rows)
            rc = copy_cols(ps, br.n, br.names, br.types, err);
    }
    return rc;
}

/* Describe pass: parameter types (declared ones preset in ps) and result
 * columns. */
static int describe(tarn_stmt *ps, TarnError *err)
{
    tarn_db *db = ps->db;
    const AstStmt *st = ps->st;
    Stmt s;
    stmt_begin(&s, db, ps->sql, err);
    BindParams bp;
    memset(&bp, 0, sizeof bp);
    int rc = 0;
    if (ps->n_params) {
        bp.types = arena_calloc(&s.a, ps->n_params * sizeof(LogicalType));
        bp.known = arena_calloc(&s.a, ps->n_params * sizeof(bool));
        if (!bp.types || !bp.known)
            rc = ERR_NOMEM(err, 0);
        for (uint32_t i = 0; !rc && i < ps->n_params; i++) {
            bp.types[i] = ps->param_types[i];
            bp.known[i] = ps->param_types[i].id != TYPE_NULL;
        }
        bp.n = bp.cap = ps->n_params;
    }
    s.bc.params = &bp;
    const LogicalOp *plan = NULL;
    const AstStmt *q = st->kind == STMT_EXPLAIN ? st->u.explain.stmt : st;
    if (!rc) {
        switch (q->kind) {
        case STMT_SELECT: {
            BoundQuery bq;
            rc = bind_query(&s.bc, q->u.select, &bq);
            if (!rc) {
                plan = bq.plan;
                if (st->kind == STMT_SELECT)
                    rc = copy_cols(ps, bq.n_cols, bq.names, bq.types, err);
                if (!rc && st->kind == STMT_SELECT) { /* RowDescription's table OID / column number */
                    ps->coltables = arena_calloc(&ps->a, (bq.n_cols ? bq.n_cols : 1) * sizeof(uint32_t));
                    ps->colattnums = arena_calloc(&ps->a, (bq.n_cols ? bq.n_cols : 1) * sizeof(int16_t));
                    if (!ps->coltables || !ps->colattnums)
                        rc = ERR_NOMEM(err, 0);
                    else
                        sql_col_sources(plan, bq.n_cols, ps->coltables, ps->colattnums);
                }
            }
            break;
        }
        case STMT_INSERT:
            rc = describe_insert(&s, ps, q, st->kind != STMT_EXPLAIN, err);
            break;
        case STMT_UPDATE:
        case STMT_DELETE: {
            BoundDml bd;
            memset(&bd, 0, sizeof bd);
            rc = bind_dml(&s.bc, q, &bd);
            if (!rc && bd.ret && bd.ret->n && st->kind != STMT_EXPLAIN)
                rc = copy_cols(ps, bd.ret->n, bd.ret->names, bd.ret->types, err);
            break;
        }
        case STMT_MERGE: {
            BoundMerge bm;
            rc = bind_merge(&s.bc, q, &bm);
            break;
        }
        default:
            break; /* utility statements take no parameters */
        }
    }
    if (!rc && st->kind == STMT_EXPLAIN) {
        const char *name = "QUERY PLAN";
        LogicalType t = type_simple(TYPE_STRING);
        rc = copy_cols(ps, 1, &name, &t, err);
    }
    if (!rc)
        rc = bind_params_finish(&s.bc, plan);
    if (!rc && bp.n > ps->n_params) {
        LogicalType *t = arena_calloc(&ps->a, bp.n * sizeof(LogicalType));
        if (!t)
            rc = ERR_NOMEM(err, 0);
        else
            ps->param_types = t;
    }
    for (uint32_t i = 0; !rc && i < bp.n; i++)
        ps->param_types[i] = bp.types[i];
    if (!rc) {
        ps->n_params = bp.n;
        ps->position_param = bp.position_param;
        ps->schema_fp = plan_cache_fp(&s.res);
    }
    stmt_end(&s);
    if (!rc && st->kind == STMT_EXECUTE) {
        /* EXECUTE name: the named statement's columns */
        for (tarn_stmt *n = db->prepared; n; n = n->next)
            if (!strcmp(n->name, st->u.execute.name)) {
                rc = copy_cols(ps, n->ncols, (const char *const *)n->colnames, n->coltypes, err);
                for (uint32_t i = 0; !rc && i < n->ncols; i++)
                    ps->coloids[i] = n->coloids[i];
                if (!rc && n->coltables) {
                    ps->coltables = arena_alloc(&ps->a, (n->ncols ? n->ncols : 1) * sizeof(uint32_t));
                    ps->colattnums = arena_alloc(&ps->a, (n->ncols ? n->ncols : 1) * sizeof(int16_t));
                    if (!ps->coltables || !ps->colattnums)
                        rc = ERR_NOMEM(err, 0);
                    else {
                        memcpy(ps->coltables, n->coltables, n->ncols * sizeof(uint32_t));
                        memcpy(ps->colattnums, n->colattnums, n->ncols * sizeof(int16_t));
                    }
                }
                break;
            }
    }
    if (!rc && st->kind == STMT_SHOW) {
        /* SHOW has no side effects: its one column is what running it gives */
        tarn_result *r = NULL;
        rc = sql_run_stmt(db, ps->sql, st, &r, err);
        if (!rc)
            rc = copy_cols(ps, r->ncols, (const char *const *)r->names, r->types, err);
        tarn_result_free(r);
    }
    return rc;
}

/* ---- creation ------------------------------------------------------------------------------ */

void sql_stmt_free(tarn_stmt *ps)
{
    if (!ps)
        return;
    arena_free(&ps->a);
    ast_entry_unref(ps->ast_ref);
    tarn_free(ps);
}

/* Parses text (exactly one statement) into a new tarn_stmt; with
 * is_prepare the statement is PREPARE and the prepared one is its inner
 * statement, its declared types bound here. */
static int stmt_create(tarn_db *db, const char *text, size_t len, bool is_prepare, tarn_stmt **out, TarnError *err)
{
    *out = NULL;
    tarn_stmt *ps = tarn_calloc(1, sizeof *ps);
    if (!ps)
        return ERR_NOMEM(err, sizeof *ps);
    ps->db = db;
    if (!is_prepare && ast_cache_get(db, text, len, ps)) { /* parsed before: plan_cache.c */
        arena_init(&ps->a, 4096);
        *out = ps;
        return 0;
    }
    arena_init(&ps->a, is_prepare ? 0 : 4096);
    int rc = 0;
    char *sql = arena_alloc(&ps->a, len + 1);
    if (!sql) {
        rc = ERR_NOMEM(err, len);
        goto fail;
    }
    memcpy(sql, text, len);
    sql[len] = 0;
    ps->sql = sql;
    AstStmtList sl;
    if ((rc = sql_parse(sql, &ps->a, &sl, err)))
        goto fail;
    if (sl.n != 1) {
        rc = err_set_state(err, TARN_ERR_SYNTAX, "42601", sl.n ? "cannot insert multiple commands into a prepared statement"
                                                            : "cannot prepare an empty statement");
        goto fail;
    }
    ps->st = sl.stmts[0];
    if (!is_prepare)
        ast_cache_put(db, ps);
    if (is_prepare) {
        const AstStmt *p = ps->st;
        ps->st = p->u.prepare.stmt;
        uint32_t n = p->u.prepare.types.n;
        if (n) {
            Stmt s;
            stmt_begin(&s, db, ps->sql, err);
            ps->param_types = arena_calloc(&ps->a, n * sizeof(LogicalType));
            if (!ps->param_types)
                rc = ERR_NOMEM(err, 0);
            for (uint32_t i = 0; !rc && i < n; i++) {
                LogicalType t;
                rc = bind_type_name(&s.bc, p->u.prepare.types.items[i], &t);
                if (!rc && t.n_fields) {
                    rc = err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "parameters of nested types are not supported yet");
                    bind_error_at(&s.bc, p->u.prepare.types.items[i]->loc);
                }
                if (!rc)
                    ps->param_types[i] = t;
            }
            ps->n_params = n;
            stmt_end(&s);
            if (rc)
                goto fail;
        }
    }
    *out = ps;
    return 0;
fail:
    sql_stmt_free(ps);
    return rc;
}

int tarn_prepare(tarn_db *db, const char *sql, int n_param_types, const uint32_t *param_type_oids, tarn_stmt **stmt_out,
                 tarn_error *err)
{
    if (stmt_out)
        *stmt_out = NULL;
    if (!db || !sql || !stmt_out || n_param_types < 0 || (n_param_types && !param_type_oids))
        return err_set(err, TARN_ERR_INVALID, "tarn_prepare: bad arguments");
    atomic_store(&db->cancel, 0);
    tarn_stmt *ps;
    int rc = stmt_create(db, sql, strlen(sql), false, &ps, err);
    if (rc)
        return rc;
    if (n_param_types) {
        ps->param_types = arena_calloc(&ps->a, (size_t)n_param_types * sizeof(LogicalType));
        ps->param_oids = arena_calloc(&ps->a, (size_t)n_param_types * sizeof(uint32_t));
        if (!ps->param_types || !ps->param_oids) {
            sql_stmt_free(ps);
            return ERR_NOMEM(err, 0);
        }
        for (int i = 0; i < n_param_types; i++) {
            uint32_t oid = param_type_oids[i];
            if (oid == 0 || oid == 705) { /* unspecified / unknown: infer */
                ps->param_types[i] = type_simple(TYPE_NULL);
            } else if (sql_type_from_oid(oid, &ps->param_types[i])) {
                sql_stmt_free(ps);
                return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "parameter $%d has type OID %u, which tarn does not support",
                                     i + 1, oid);
            } else {
                ps->param_oids[i] = oid;
            }
        }
        ps->n_params = ps->n_param_oids = (uint32_t)n_param_types;
    }
    set_stmt_ts(db);
    if ((rc = describe(ps, err))) {
        sql_stmt_free(ps);
        return rc;
    }
    *stmt_out = ps;
    return 0;
}

void tarn_stmt_free(tarn_stmt *st) { sql_stmt_free(st); }

int tarn_stmt_nparams(const tarn_stmt *st) { return st && !st->lit_values ? (int)st->n_params : 0; }
uint32_t tarn_stmt_param_oid(const tarn_stmt *st, int i)
{
    if (!st || i < 0 || (uint32_t)i >= st->n_params)
        return 0;
    if ((uint32_t)i < st->n_param_oids && st->param_oids[i]) /* declared by the client: as given (varchar, bpchar, name) */
        return st->param_oids[i];
    return sqltype_oid(&st->param_types[i]);
}
int tarn_stmt_ncols(const tarn_stmt *st) { return st ? (int)st->ncols : 0; }
const char *tarn_stmt_colname(const tarn_stmt *st, int col)
{
    return st && col >= 0 && (uint32_t)col < st->ncols ? st->colnames[col] : NULL;
}
const char *tarn_stmt_coltype(const tarn_stmt *st, int col)
{
    return st && col >= 0 && (uint32_t)col < st->ncols ? st->coltypenames[col] : NULL;
}
uint32_t tarn_stmt_coloid(const tarn_stmt *st, int col)
{
    return st && col >= 0 && (uint32_t)col < st->ncols ? st->coloids[col] : 0;
}
void tarn_stmt_col_source(const tarn_stmt *st, int col, uint32_t *table_oid, int16_t *attnum)
{
    bool ok = st && col >= 0 && (uint32_t)col < st->ncols && st->coltables;
    *table_oid = ok ? st->coltables[col] : 0;
    *attnum = ok ? st->colattnums[col] : 0;
}
int32_t tarn_stmt_coltypmod(const tarn_stmt *st, int col)
{
    return st && col >= 0 && (uint32_t)col < st->ncols ? sql_type_typmod(&st->coltypes[col]) : -1;
}

/* ---- execution ----------------------------------------------------------------------------- */

/* Scale of a numeric's text ("1.250" -> 3, "1e-3" -> 3). */
static int text_scale(const char *s)
{
    const char *dot = strchr(s, '.');
    const char *e = strpbrk(s, "eE");
    int scale = 0;
    if (dot)
        scale = (int)((e ? e : s + strlen(s)) - dot - 1);
    if (e)
        scale -= (int)strtol(e + 1, NULL, 10);
    return scale < 0 ? 0 : scale > 37 ? 37 : scale;
}

int sql_params_from_text(tarn_db *db, const tarn_stmt *ps, int n, const char *const *values, Arena *a, Value **out,
                         TarnError *err)
{
    if (n != (int)ps->n_params)
        return err_set_state(err, TARN_ERR_INVALID, "08P01",
                             "bind message supplies %d parameters, but prepared statement \"%s\" requires %u", n,
                             ps->name ? ps->name : "", ps->n_params);
    Value *v = arena_calloc(a, (ps->n_params ? ps->n_params : 1) * sizeof(Value));
    if (!v)
        return ERR_NOMEM(err, 0);
    for (uint32_t i = 0; i < ps->n_params; i++) {
        if (!values[i]) {
            v[i] = value_null();
            continue;
        }
        LogicalType to = ps->param_types[i];
        if (to.id == TYPE_DECIMAL)
            to = type_decimal(38, text_scale(values[i]));
        LogicalType from = type_simple(TYPE_STRING);
        Value in = value_str(values[i], (uint32_t)strlen(values[i]));
        int rc = cast_value(&in, &from, &to, a, &db->settings, &v[i], err);
        if (rc)
            return rc;
        if (type_is_string_like(to.id)) {
            /* cast_value may borrow the input bytes: keep our own copy */
            char *c = arena_alloc(a, v[i].v.s.len + 1);
            if (!c)
                return ERR_NOMEM(err, 0);
            memcpy(c, v[i].v.s.ptr, v[i].v.s.len);
            c[v[i].v.s.len] = 0;
            v[i].v.s.ptr = c;
        }
    }
    *out = v;
    return 0;
}

void sql_params_prepare(const tarn_stmt *ps, const Value *values, Arena *a, BindParams *bp)
{
    memset(bp, 0, sizeof *bp);
    bp->n = bp->cap = ps->n_params;
    bp->types = ps->param_types;
    bp->values = values;
    bp->fixed_count = true;
    bp->known = arena_calloc(a, (ps->n_params ? ps->n_params : 1) * sizeof(bool));
    if (bp->known)
        memset(bp->known, 1, ps->n_params * sizeof(bool));
}

/* Runs ps with typed values (n_params of them). */
int sql_stmt_run_values(tarn_stmt *ps, const Value *values, Arena *a, tarn_result **out, TarnError *err)
{
    tarn_db *db = ps->db;
    BindParams bp;
    sql_params_prepare(ps, values, a, &bp);
    if (!bp.known)
        return ERR_NOMEM(err, 0);
    struct BindParams *saved = db->params;
    db->params = &bp;
    set_stmt_ts(db);
    int rc = sql_run_stmt(db, ps->sql, ps->st, out, err);
    db->params = saved;
    return rc;
}

int tarn_stmt_execute(tarn_stmt *st, int n_params, const char *const *values, tarn_result **result_out, tarn_error *err)
{
    if (result_out)
        *result_out = NULL;
    if (!st || (n_params && !values))
        return err_set(err, TARN_ERR_INVALID, "tarn_stmt_execute: bad arguments");
    atomic_store(&st->db->cancel, 0);
    sql_notices_clear(st->db);
    Arena a;
    arena_init(&a, 0);
    Value *v = NULL;
    tarn_result *r = NULL;
    int rc = sql_params_from_text(st->db, st, n_params, values, &a, &v, err);
    if (!rc)
        rc = sql_stmt_run_values(st, v, &a, &r, err);
    arena_free(&a);
    if (rc) {
        tarn_result_free(r);
        return rc;
    }
    if (!r && !(r = sql_result_tag("", err)))
        return err->kind;
    if (result_out)
        *result_out = r;
    else
        tarn_result_free(r);
    return 0;
}

/* ---- PREPARE / EXECUTE / DEALLOCATE -------------------------------------------------------- */

static tarn_stmt **find_named(tarn_db *db, const char *name)
{
    for (tarn_stmt **p = &db->prepared; *p; p = &(*p)->next)
        if (!strcmp((*p)->name, name))
            return p;
    return NULL;
}

void sql_prepared_free_all(tarn_db *db)
{
    while (db->prepared) {
        tarn_stmt *n = db->prepared->next;
        sql_stmt_free(db->prepared);
        db->prepared = n;
    }
}

static int run_prepare(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err)
{
    const char *name = st->u.prepare.name;
    if (find_named(db, name)) {
        err_set_state(err, TARN_ERR_INVALID, "42P05", "prepared statement \"%s\" already exists", name);
        return err->kind;
    }
    size_t off = st->loc > 0 ? (size_t)st->loc : 0;
    size_t len = st->len > 0 ? (size_t)st->len : strlen(sql + off);
    tarn_stmt *ps;
    int rc = stmt_create(db, sql + off, len, true, &ps, err);
    if (!rc && !(ps->name = arena_strdup(&ps->a, name)))
        rc = ERR_NOMEM(err, 0);
    if (!rc)
        rc = describe(ps, err);
    if (rc) {
        if (err->position > 0) /* positions are in the statement's own text */
            err->position += sql_char_position(sql, (int)off) - 1;
        sql_stmt_free(ps);
        return rc;
    }
    ps->next = db->prepared;
    db->prepared = ps;
    *out = sql_result_tag("PREPARE", err);
    return *out ? 0 : err->kind;
}

/* EXECUTE's arguments: constant expressions, assignment-coerced to the
 * parameter types. */
static int execute_args(tarn_db *db, const char *sql, const AstStmt *st, const tarn_stmt *ps, Arena *a, Value **out,
                        TarnError *err)
{
    uint32_t n = st->u.execute.args.n;
    if (n != ps->n_params) {
        err_set_state(err, TARN_ERR_SYNTAX, "42601", "wrong number of parameters for prepared statement \"%s\"", ps->name);
        err_detail(err, "Expected %u parameters but got %u.", ps->n_params, n);
        return err->kind;
    }
    Value *v = arena_calloc(a, (n ? n : 1) * sizeof(Value));
    if (!v)
        return ERR_NOMEM(err, 0);
    Stmt s;
    stmt_begin(&s, db, sql, err);
    s.bc.params = NULL;
    int rc = 0;
    for (uint32_t i = 0; !rc && i < n; i++) {
        const AstNode *arg = st->u.execute.args.items[i];
        Expr *e;
        LogicalType t = ps->param_types[i];
        if ((rc = bind_constant_expr(&s.bc, arg, &e)))
            break;
        if (!e->unknown && e->type.id != TYPE_NULL && e->type.id != t.id) {
            CastContext cc = cast_context(e->type.id, t.id);
            if (cc == CAST_NONE || cc < CAST_ASSIGNMENT) {
                char a1[64], b1[64];
                err_set_state(err, TARN_ERR_TYPE, "42804", "parameter $%u of type %s cannot be coerced to the expected type %s",
                              i + 1, sqltype_name(&e->type, a1, sizeof a1), sqltype_name(&t, b1, sizeof b1));
                err_hint(err, "You will need to rewrite or cast the expression.");
                rc = bind_error_at(&s.bc, arg->loc);
                break;
            }
        }
        if (t.id == TYPE_DECIMAL && e->type.id == TYPE_DECIMAL)
            t = e->type;
        else if (t.id == TYPE_DECIMAL && e->unknown && e->kind == EX_CONST && !e->u.cnst.is_null)
            t = type_decimal(38, text_scale(e->u.cnst.v.s.ptr));
        if ((rc = bind_coerce(&s.bc, e, &t, CAST_ASSIGNMENT, &e)))
            break;
        if (e->kind != EX_CONST) {
            err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "EXECUTE arguments must be constant expressions");
            rc = bind_error_at(&s.bc, arg->loc);
            break;
        }
        v[i] = e->u.cnst;
        if (e->u.cnst.is_null) {
            v[i] = value_null();
        } else {
            v[i].precision = e->type.precision;
            v[i].scale = e->type.scale;
            if (type_is_string_like(e->type.id)) {
                char *c = arena_alloc(a, v[i].v.s.len + 1);
                if (!c) {
                    rc = ERR_NOMEM(err, 0);
                    break;
                }
                memcpy(c, v[i].v.s.ptr, v[i].v.s.len);
                c[v[i].v.s.len] = 0;
                v[i].v.s.ptr = c;
            }
        }
    }
    stmt_end(&s);
    if (!rc)
        *out = v;
    return rc;
}

static int run_execute(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err)
{
    tarn_stmt **pp = find_named(db, st->u.execute.name);
    if (!pp) {
        err_set_state(err, TARN_ERR_NOT_FOUND, "26000", "prepared statement \"%s\" does not exist", st->u.execute.name);
        return err->kind;
    }
    tarn_stmt *ps = *pp;
    Arena a;
    arena_init(&a, 0);
    Value *v = NULL;
    int rc = execute_args(db, sql, st, ps, &a, &v, err);
    if (!rc)
        rc = sql_stmt_run_values(ps, v, &a, out, err);
    arena_free(&a);
    return rc;
}

static int run_deallocate(tarn_db *db, const AstStmt *st, tarn_result **out, TarnError *err)
{
    const char *name = st->u.deallocate.name;
    if (!name) {
        sql_prepared_free_all(db);
    } else {
        tarn_stmt **pp = find_named(db, name);
        if (!pp) {
            err_set_state(err, TARN_ERR_NOT_FOUND, "26000", "prepared statement \"%s\" does not exist", name);
            return err->kind;
        }
        tarn_stmt *ps = *pp;
        *pp = ps->next;
        sql_stmt_free(ps);
    }
    *out = sql_result_tag(name ? "DEALLOCATE" : "DEALLOCATE ALL", err);
    return *out ? 0 : err->kind;
}

int sql_run_prepared(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err)
{
    switch (st->kind) {
    case STMT_PREPARE:
        return run_prepare(db, sql, st, out, err);
    case STMT_EXECUTE:
        return run_execute(db, sql, st, out, err);
    case STMT_DEALLOCATE:
        return run_deallocate(db, st, out, err);
    default:
        return ERR_INTERNAL(err, "not a PREPARE / EXECUTE / DEALLOCATE statement");
    }
}
