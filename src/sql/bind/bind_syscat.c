/*
 * bind_syscat.c - the binder's side of the catalog emulation (syscat/):
 * the model of the session's catalog (built once per statement, on the
 * first reference), system relations as FROM items (constant rows,
 * LOP_VALUES), the casts to regclass / regtype / regnamespace / regproc /
 * regrole, and the model handed to the catalog functions
 * (func/func_syscat.c) at their bind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/bind/bind_int.h"
#include "sql/func/cast.h"
#include "sql/parse/parse.h"
#include "sql/session.h"
#include "sql/syscat/syscat.h"

__thread const SysModel *syscat_bind_model;

static int nomem(BindCtx *ctx) { return ERR_NOMEM(ctx->err, 0); }

/* ---- the model ---------------------------------------------------------------------------- */

static const char *setting_or(BindCtx *ctx, const char *name, const char *dflt)
{
    tarn_db *db = ctx->settings ? ctx->settings->session : NULL;
    char v[256];
    TarnError e;
    memset(&e, 0, sizeof e);
    if (!db || sql_setting_get(db, name, v, sizeof v, NULL, &e) || !v[0])
        return dflt;
    const char *d = arena_strdup(ctx->a, v);
    return d ? d : dflt;
}

const char *bind_syscat_user(BindCtx *ctx)
{
    return setting_or(ctx, "session_authorization", "tarn");
}

static const char *database_name(BindCtx *ctx)
{
    tarn_db *db = ctx->settings ? ctx->settings->session : NULL;
    if (db && db->database[0])
        return arena_strdup(ctx->a, db->database);
    const char *root = catalog_root(ctx->cat);
    const char *slash = strrchr(root, '/');
    return slash && slash[1] ? slash + 1 : root;
}

/* The SELECT text of a CREATE VIEW statement: what follows the top-level AS. */
static const char *view_query_text(const char *sql)
{
    int depth = 0;
    bool seen_view = false;
    for (const char *p = sql; *p; p++) {
        if (*p == '\'' || *p == '"') {
            char q = *p;
            for (p++; *p && *p != q; p++)
                ;
            if (!*p)
                break;
            continue;
        }
        if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        bool word_start = p == sql || !(p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= 'A' && p[-1] <= 'Z') ||
                                        (p[-1] >= '0' && p[-1] <= '9'));
        if (!word_start || depth)
            continue;
        if (!strncasecmp(p, "view", 4) && (p[4] == ' ' || p[4] == '\t' || p[4] == '\n'))
            seen_view = true;
        else if (seen_view && !strncasecmp(p, "as", 2) && (p[2] == ' ' || p[2] == '\t' || p[2] == '\n' || p[2] == '(')) {
            p += 2;
            while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                p++;
            return p; /* trailing blanks and ';' are cut by the caller */
        }
    }
    return sql;
}

static int add_attr_from_type(BindCtx *ctx, SysRel *r, uint32_t i, const char *name, const LogicalType *t, bool nullable)
{
    SysAttr *a = &r->attrs[i];
    if (!(a->name = arena_strdup(ctx->a, name)))
        return nomem(ctx);
    syscat_type_of(t, &a->typoid, &a->typmod);
    a->notnull = !nullable;
    return 0;
}

/* Columns of a view: its definition bound as a query (a broken view has none). */
static int view_columns(BindCtx *ctx, SysRel *r)
{
    AstStmtList sl;
    char *sql = arena_strdup(ctx->a, r->create_sql);
    if (!sql)
        return nomem(ctx);
    TarnError *saved_err = ctx->err, e;
    memset(&e, 0, sizeof e);
    ctx->err = &e;
    const char *saved_sql = ctx->sql;
    CteDef *saved_ctes = ctx->ctes;
    BoundQuery q;
    int rc = sql_parse(sql, ctx->a, &sl, &e);
    if (!rc && (sl.n != 1 || sl.stmts[0]->kind != STMT_CREATE_VIEW))
        rc = TARN_ERR_CORRUPT;
    if (!rc && ctx->view_depth < 32) {
        ctx->sql = sql;
        ctx->ctes = NULL;
        ctx->view_depth++;
        rc = bind_query(ctx, sl.stmts[0]->u.create_view.select, &q);
        ctx->view_depth--;
    } else if (!rc) {
        rc = TARN_ERR_INVALID;
    }
    ctx->sql = saved_sql;
    ctx->ctes = saved_ctes;
    ctx->err = saved_err;
    bool oom = e.kind == TARN_ERR_NOMEM;
    if (oom)
        *ctx->err = e;
    if (rc)
        return oom ? rc : 0;
    r->attrs = arena_calloc(ctx->a, (q.n_cols ? q.n_cols : 1) * sizeof(SysAttr));
    if (!r->attrs)
        return nomem(ctx);
    const AstList *vcols = &sl.stmts[0]->u.create_view.col_names;
    for (uint32_t i = 0; i < q.n_cols; i++) {
        const char *nm = i < vcols->n ? vcols->items[i]->u.colref.names[0] : q.names[i];
        if ((rc = add_attr_from_type(ctx, r, i, nm ? nm : "?column?", &q.types[i], true)))
            return rc;
    }
    r->n_attrs = q.n_cols;
    r->attrs_known = true;
    return 0;
}

static int table_columns(BindCtx *ctx, CatalogRel *rel, SysRel *r)
{
    TarnError e;
    memset(&e, 0, sizeof e);
    DeltaSnapshot *snap = delta_snapshot_latest(rel->table, &e);
    if (!snap)
        return e.kind == TARN_ERR_NOMEM ? nomem(ctx) : 0; /* an unreadable table lists no columns */
    const Schema *s = delta_snapshot_schema(snap);
    int rc = 0;
    r->attrs = arena_calloc(ctx->a, (s->n_fields ? s->n_fields : 1) * sizeof(SysAttr));
    if (!r->attrs)
        rc = nomem(ctx);
    for (uint32_t i = 0; !rc && i < s->n_fields; i++)
        rc = add_attr_from_type(ctx, r, i, s->fields[i].name, &s->fields[i].type, s->fields[i].nullable);
    if (!rc) {
        r->n_attrs = s->n_fields;
        r->attrs_known = true;
        r->bytes = delta_snapshot_total_bytes(snap);
        r->rows = delta_snapshot_total_rows(snap);
    }
    delta_snapshot_free(snap);
    return rc;
}

static bool oid_taken(const SysModel *m, uint32_t oid, uint32_t n_rels)
{
    for (uint32_t i = 0; i < m->n_nsps; i++)
        if (m->nsps[i].oid == oid)
            return true;
    for (uint32_t i = 0; i < n_rels; i++)
        if (m->rels[i].oid == oid)
            return true;
    return false;
}

static uint32_t unique_oid(const SysModel *m, const char *key, uint32_t n_rels)
{
    uint32_t oid = syscat_name_oid(key);
    while (oid_taken(m, oid, n_rels))
        oid = oid + 1 < 2147483648u ? oid + 1 : 16384u;
    return oid;
}

static int load_roles(BindCtx *ctx, SysModel *m, const char *user)
{
    uint32_t cap = 8;
    m->roles = arena_calloc(ctx->a, cap * sizeof(SysRole));
    if (!m->roles)
        return nomem(ctx);
    m->roles[0] = (SysRole){SYSCAT_ROLE_BOOTSTRAP, user, true, true};
    m->n_roles = 1;
    /* the server's role store (src/server/roles.h): name<TAB>login<TAB>verifier lines */
    char path[4096];
    snprintf(path, sizeof path, "%s/.tarn_config/roles", catalog_root(ctx->cat));
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *t1 = strchr(line, '\t');
        if (!t1 || t1 == line)
            continue;
        *t1 = 0;
        if (!strcmp(line, user))
            continue;
        if (m->n_roles == cap) {
            SysRole *nr = arena_alloc(ctx->a, cap * 2 * sizeof(SysRole));
            if (!nr) {
                fclose(f);
                return nomem(ctx);
            }
            memcpy(nr, m->roles, cap * sizeof(SysRole));
            m->roles = nr;
            cap *= 2;
        }
        char key[300];
        snprintf(key, sizeof key, "role:%s", line);
        const char *nm = arena_strdup(ctx->a, line);
        if (!nm) {
            fclose(f);
            return nomem(ctx);
        }
        m->roles[m->n_roles++] = (SysRole){syscat_name_oid(key), nm, t1[1] == '1', false};
    }
    fclose(f);
    return 0;
}

int bind_syscat_model(BindCtx *ctx, bool with_columns, const SysModel **out)
{
    SysModel *m = ctx->syscat;
    if (m && (m->with_columns || !with_columns)) {
        *out = m;
        return 0;
    }
    int rc;
    if (!m) {
        if (!(m = arena_calloc(ctx->a, sizeof *m)))
            return nomem(ctx);
        m->settings = ctx->settings;
        m->database = database_name(ctx);
        const char *user = bind_syscat_user(ctx);
        if ((rc = load_roles(ctx, m, user)))
            return rc;
        char **schemas;
        uint32_t n_s;
        if ((rc = catalog_list_schemas(ctx->cat, ctx->a, &schemas, &n_s, ctx->err)))
            return rc;
        m->nsps = arena_calloc(ctx->a, (n_s + 2) * sizeof(SysNsp));
        if (!m->nsps)
            return nomem(ctx);
        m->nsps[m->n_nsps++] = (SysNsp){SYSCAT_NSP_PG_CATALOG, "pg_catalog"};
        m->nsps[m->n_nsps++] = (SysNsp){SYSCAT_NSP_INFO_SCHEMA, "information_schema"};
        for (uint32_t i = 0; i < n_s; i++) {
            if (syscat_is_system_schema(schemas[i]))
                continue;
            uint32_t oid = !strcmp(schemas[i], "public") ? SYSCAT_NSP_PUBLIC : unique_oid(m, schemas[i], 0);
            m->nsps[m->n_nsps++] = (SysNsp){oid, schemas[i]};
        }
        /* search_path: the existing schemas ("$user" = the session user's) */
        const char **sp = arena_calloc(ctx->a, (ctx->n_path ? ctx->n_path : 1) * sizeof(char *));
        if (!sp)
            return nomem(ctx);
        for (uint32_t i = 0; i < ctx->n_path; i++) {
            const char *s = ctx->search_path[i];
            if (!strcmp(s, "$user"))
                s = user;
            if (syscat_nsp_by_name(m, s) && strcmp(s, "pg_catalog"))
                sp[m->n_path++] = s;
        }
        m->search_path = sp;
        /* relations: the lake's, then the system ones */
        uint32_t n_sys = 0;
        while (syscat_rel_defs[n_sys].name)
            n_sys++;
        uint32_t cap = n_sys + 16, n = 0;
        SysRel *rels = arena_calloc(ctx->a, cap * sizeof(SysRel));
        if (!rels)
            return nomem(ctx);
        m->rels = rels;
        for (uint32_t s = 0; s < m->n_nsps; s++) {
            const SysNsp *ns = &m->nsps[s];
            if (ns->oid == SYSCAT_NSP_PG_CATALOG || ns->oid == SYSCAT_NSP_INFO_SCHEMA)
                continue;
            char **names;
            RelKind *kinds;
            uint32_t nr;
            if ((rc = catalog_list_relations(ctx->cat, ns->name, ctx->a, &names, &kinds, &nr, ctx->err)))
                return rc;
            if (n + nr + n_sys > cap) {
                uint32_t nc = (n + nr + n_sys) * 2;
                SysRel *g = arena_calloc(ctx->a, nc * sizeof(SysRel));
                if (!g)
                    return nomem(ctx);
                memcpy(g, rels, n * sizeof(SysRel));
                m->rels = rels = g;
                cap = nc;
            }
            for (uint32_t i = 0; i < nr; i++) {
                CatalogRel *cr;
                TarnError e;
                memset(&e, 0, sizeof e);
                if (catalog_lookup(ctx->cat, ns->name, names[i], NULL, 0, &cr, &e))
                    continue; /* dropped meanwhile */
                SysRel *r = &rels[n];
                memset(r, 0, sizeof *r);
                char key[600];
                snprintf(key, sizeof key, "%s.%s", ns->name, names[i]);
                r->oid = unique_oid(m, key, n);
                r->nsp_oid = ns->oid;
                r->schema = ns->name;
                r->name = names[i];
                r->rows = -1;
                if (cr->kind == REL_VIEW) {
                    r->kind = 'v';
                    const char *q = view_query_text(cr->view_sql);
                    size_t ql = strlen(q);
                    while (ql && (q[ql - 1] == ' ' || q[ql - 1] == '\n' || q[ql - 1] == '\t' || q[ql - 1] == '\r' ||
                                  q[ql - 1] == ';'))
                        ql--;
                    r->view_sql = arena_strndup(ctx->a, q, ql);
                    r->create_sql = arena_strdup(ctx->a, cr->view_sql);
                    if (!r->view_sql || !r->create_sql)
                        return nomem(ctx);
                } else {
                    r->kind = 'r';
                    if ((rc = table_columns(ctx, cr, r)))
                        return rc;
                }
                n++;
            }
        }
        for (uint32_t i = 0; i < n_sys; i++) {
            const SysRelDef *d = &syscat_rel_defs[i];
            SysRel *r = &rels[n++];
            memset(r, 0, sizeof *r);
            r->oid = d->oid;
            r->nsp_oid = !strcmp(d->schema, "pg_catalog") ? SYSCAT_NSP_PG_CATALOG : SYSCAT_NSP_INFO_SCHEMA;
            r->schema = d->schema;
            r->name = d->name;
            r->kind = d->kind;
            r->def = d;
            r->rows = -1;
            r->attrs = arena_calloc(ctx->a, d->n_cols * sizeof(SysAttr));
            if (!r->attrs)
                return nomem(ctx);
            for (uint32_t c = 0; c < d->n_cols; c++)
                r->attrs[c] = (SysAttr){d->cols[c].name, d->cols[c].pgtype, d->cols[c].typmod, false, false};
            r->n_attrs = d->n_cols;
            r->attrs_known = true;
        }
        m->n_rels = n;
        ctx->syscat = m;
    }
    if (with_columns && !m->with_columns) {
        m->with_columns = true; /* before binding: a view over pg_attribute must not recurse */
        for (uint32_t i = 0; i < m->n_rels; i++)
            if (m->rels[i].kind == 'v' && !m->rels[i].def && (rc = view_columns(ctx, &m->rels[i])))
                return rc;
    }
    *out = m;
    return 0;
}

/* ---- system relations as FROM items ---------------------------------------------------------- */

static bool needs_columns(const SysRelDef *d)
{
    return !strcmp(d->name, "pg_attribute") || !strcmp(d->name, "columns") || !strcmp(d->name, "pg_class");
}

static int syscat_item(BindCtx *ctx, Scope *scope, const SysRelDef *def, const char *alias, const char *schema,
                       const AstList *ca, int loc, LogicalOp **out)
{
    const SysModel *m;
    int rc = bind_syscat_model(ctx, needs_columns(def), &m);
    if (rc)
        return bind_error_at(ctx, loc);
    SysRows rows = {.a = ctx->a};
    if ((rc = syscat_rows(m, def, &rows)))
        return nomem(ctx);
    uint32_t nc = def->n_cols;
    LogicalType *types = arena_alloc(ctx->a, nc * sizeof(LogicalType));
    const char **names = arena_alloc(ctx->a, nc * sizeof(char *));
    Expr ***erows = arena_alloc(ctx->a, (rows.n_rows ? rows.n_rows : 1) * sizeof(Expr **));
    if (!types || !names || !erows)
        return nomem(ctx);
    for (uint32_t c = 0; c < nc; c++) {
        names[c] = def->cols[c].name;
        if (syscat_col_type(ctx->a, def->cols[c].type, &types[c]))
            return nomem(ctx);
    }
    for (uint32_t r = 0; r < rows.n_rows; r++) {
        Expr **er = arena_alloc(ctx->a, nc * sizeof(Expr *));
        if (!er)
            return nomem(ctx);
        for (uint32_t c = 0; c < nc; c++) {
            const Value *v = &rows.vals[(size_t)r * nc + c];
            bool arr = types[c].id == TYPE_LIST;
            LogicalType vt = arr || v->is_null ? type_simple(TYPE_STRING) : types[c];
            Expr *e = expr_const(ctx->a, v, arr ? vt : types[c], -1);
            if (!e)
                return nomem(ctx);
            e->u.cnst.is_null = v->is_null;
            if (arr && (rc = bind_coerce(ctx, e, &types[c], CAST_EXPLICIT, &e)))
                return bind_error_at(ctx, loc);
            er[c] = e;
        }
        erows[r] = er;
    }
    LogicalOp *op = lop_new(ctx->a, LOP_VALUES, 0);
    if (!op)
        return nomem(ctx);
    op->u.values.table_index = ctx->next_table++;
    op->u.values.rows = erows;
    op->u.values.n_rows = rows.n_rows;
    op->u.values.n_cols = nc;
    op->est_rows = rows.n_rows;
    if (lop_resolve(ctx->a, op, false))
        return nomem(ctx);
    for (uint32_t c = 0; c < nc; c++) {
        op->out_types[c] = types[c];
        op->out_names[c] = names[c];
    }
    /* no rows: an empty relation that keeps these outputs (a VALUES
     * re-resolved without rows would lose its column types) */
    if (!rows.n_rows)
        op->kind = LOP_EMPTY;
    ScopeItem it;
    memset(&it, 0, sizeof it);
    it.alias = alias;
    it.schema = schema;
    it.n_cols = nc;
    it.names = arena_alloc(ctx->a, nc * sizeof(char *));
    it.binds = arena_alloc(ctx->a, nc * sizeof(ColBinding));
    it.types = arena_alloc(ctx->a, nc * sizeof(LogicalType));
    if (!it.names || !it.binds || !it.types)
        return nomem(ctx);
    if (ca->n > nc) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "42P10", "table \"%s\" has %u columns available but %u columns specified",
                      it.alias, nc, ca->n);
        return bind_error_at(ctx, loc);
    }
    for (uint32_t c = 0; c < nc; c++) {
        it.names[c] = c < ca->n ? ca->items[c]->u.cnst.text : names[c];
        it.binds[c] = op->out[c];
        it.types[c] = types[c];
    }
    if ((rc = scope_add_item(ctx, scope, &it)))
        return bind_error_at(ctx, loc);
    *out = op;
    return 0;
}

int bind_syscat_table(BindCtx *ctx, Scope *scope, const AstNode *n, const SysRelDef *def, LogicalOp **out)
{
    const char *alias = n->u.rangevar.alias ? n->u.rangevar.alias : def->name;
    return syscat_item(ctx, scope, def, alias, n->u.rangevar.alias ? NULL : def->schema, &n->u.rangevar.col_aliases,
                       n->loc, out);
}

/* Catalog set-returning functions in FROM: pg_get_keywords(). */
int bind_syscat_function(BindCtx *ctx, Scope *scope, const AstNode *n, LogicalOp **out, bool *handled)
{
    const AstNode *f = n->u.rangefunc.func;
    const char *fn = f->u.func.names[f->u.func.n_names - 1];
    *handled = false;
    if (strcmp(fn, "pg_get_keywords") || (f->u.func.n_names > 1 && strcmp(f->u.func.names[0], "pg_catalog")))
        return 0;
    *handled = true;
    if (f->u.func.args.n) {
        err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "function pg_get_keywords(%s) does not exist",
                      f->u.func.args.n == 1 ? "unknown" : "...");
        return bind_error_at(ctx, f->loc);
    }
    const char *alias = n->u.rangefunc.alias ? n->u.rangefunc.alias : fn;
    return syscat_item(ctx, scope, &syscat_keywords_def, alias, NULL, &n->u.rangefunc.col_aliases, n->loc, out);
}

/* pg_catalog.X and information_schema.X; an unqualified name finds
 * pg_catalog first unless a CTE of that name is visible (checked by the
 * caller), as PostgreSQL's implicit search_path does. */
const SysRelDef *bind_syscat_lookup(BindCtx *ctx, const char *schema, const char *name, int loc, int *rc)
{
    *rc = 0;
    if (schema && !syscat_is_system_schema(schema))
        return NULL;
    const SysRelDef *d = syscat_find(schema, name);
    if (!d && schema) {
        err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42P01", "relation \"%s.%s\" does not exist", schema, name);
        *rc = bind_error_at(ctx, loc);
    }
    return d;
}

/* ---- reg* casts -------------------------------------------------------------------------------- */

typedef enum RegKind { REG_NONE, REG_CLASS, REG_TYPE, REG_NAMESPACE, REG_PROC, REG_ROLE, REG_OPER } RegKind;

static RegKind reg_kind(const char *t)
{
    if (!strcmp(t, "regclass")) return REG_CLASS;
    if (!strcmp(t, "regtype")) return REG_TYPE;
    if (!strcmp(t, "regnamespace")) return REG_NAMESPACE;
    if (!strcmp(t, "regproc") || !strcmp(t, "regprocedure")) return REG_PROC;
    if (!strcmp(t, "regrole")) return REG_ROLE;
    if (!strcmp(t, "regoper") || !strcmp(t, "regoperator")) return REG_OPER;
    return REG_NONE;
}

static const char *const reg_in_fn[] = {NULL, "regclassin", "regtypein", "regnamespacein", "regprocin", "regrolein", "regprocin"};
static const char *const reg_out_fn[] = {NULL, "regclassout", "regtypeout", "regnamespaceout", "regprocout", "regroleout", "regprocout"};

bool bind_syscat_is_reg_cast(const AstNode *n)
{
    return n->kind == AST_CAST && !n->u.cast.type->u.typname.array_dims && reg_kind(n->u.cast.type->u.typname.name);
}

static bool is_text_type(const char *t)
{
    return !strcmp(t, "text") || !strcmp(t, "varchar") || !strcmp(t, "name") || !strcmp(t, "character varying");
}

static int call_with_model(BindCtx *ctx, const char *fn, Expr *arg, int loc, Expr **out)
{
    const SysModel *m;
    int rc = bind_syscat_model(ctx, false, &m);
    if (rc)
        return bind_error_at(ctx, loc);
    const SysModel *saved = syscat_bind_model;
    syscat_bind_model = m;
    Expr *args[1] = {arg};
    rc = bind_function(ctx, fn, FUNC_SCALAR, args, 1, loc, out, NULL, NULL);
    syscat_bind_model = saved;
    if (rc && !ctx->err->position && arg->loc >= 0)
        return bind_error_at(ctx, arg->loc); /* 'nope'::regclass: at the literal, as PostgreSQL */
    return rc;
}

/* x::regclass and friends.  The value of a reg* type is its OID (bigint):
 * text input ('t'::regclass, 'integer'::regtype, '16384'::regclass) looks the
 * name up (42P01 / 42704 when absent), integers pass through; a reg* value
 * cast to text ('t'::regclass::text) prints the name.  An integer cast to a
 * reg* type (c.oid::regclass, atttypid::regtype) is the name, a text value:
 * what clients select it for; comparing it with a reg* constant is not
 * supported (compare the OIDs instead). */
int bind_syscat_cast(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out, bool *handled)
{
    *handled = false;
    const AstNode *tn = n->u.cast.type;
    if (tn->u.typname.array_dims)
        return 0;
    RegKind k = reg_kind(tn->u.typname.name);
    const AstNode *arg = n->u.cast.arg;
    if (k == REG_NONE) {
        /* reg*::text: the name */
        if (!is_text_type(tn->u.typname.name) || tn->u.typname.n_mods || !bind_syscat_is_reg_cast(arg))
            return 0;
        RegKind ik = reg_kind(arg->u.cast.type->u.typname.name);
        Expr *inner;
        int rc;
        *handled = true;
        if ((rc = bind_syscat_cast(ctx, env, arg, &inner, handled)))
            return rc;
        *handled = true;
        if (inner->type.id == TYPE_STRING) {
            *out = inner;
            return 0;
        }
        return call_with_model(ctx, reg_out_fn[ik], inner, n->loc, out);
    }
    *handled = true;
    Expr *a;
    int rc = bind_expr(ctx, env, arg, &a);
    if (rc)
        return rc;
    if (a->loc < 0)
        a->loc = n->loc;
    if (type_is_string_like(a->type.id) || a->type.id == TYPE_NULL) {
        LogicalType tt = type_simple(TYPE_STRING);
        if ((rc = bind_coerce(ctx, a, &tt, CAST_EXPLICIT, &a)))
            return rc;
        return call_with_model(ctx, reg_in_fn[k], a, n->loc, out);
    }
    if (type_is_integer(a->type.id)) {
        LogicalType t8 = type_simple(TYPE_INT64);
        if ((rc = bind_coerce(ctx, a, &t8, CAST_EXPLICIT, &a)))
            return rc;
        return call_with_model(ctx, reg_out_fn[k], a, n->loc, out);
    }
    char tb[64];
    err_set_state(ctx->err, TARN_ERR_TYPE, "42846", "cannot cast type %s to %s", sqltype_name(&a->type, tb, sizeof tb),
                  tn->u.typname.name);
    return bind_error_at(ctx, n->loc);
}

/* The catalog functions get the model at their bind (func_syscat.c reads
 * syscat_bind_model in its FuncDef.bind). */
static bool needs_model(const char *name)
{
    static const char *const fns[] = {
        "pg_table_is_visible", "pg_get_userbyid", "pg_get_viewdef", "pg_relation_size", "pg_total_relation_size",
        "pg_table_size", "pg_indexes_size", "has_table_privilege", "has_schema_privilege", "has_column_privilege",
        "has_any_column_privilege", "has_database_privilege", "current_schemas",
        "to_regclass", "to_regtype", "to_regnamespace", "to_regrole", "to_regproc", "pg_relation_filepath",
        "has_sequence_privilege", "has_function_privilege", "has_type_privilege", "pg_has_role",
        "regclassin", "regclassout", "regtypein", "regtypeout", "regnamespacein", "regnamespaceout", "regprocin",
        "regprocout", "regrolein", "regroleout", NULL};
    for (const char *const *f = fns; *f; f++)
        if (!strcmp(*f, name))
            return true;
    return false;
}

int bind_syscat_enter(BindCtx *ctx, const char *name, const void **saved)
{
    *saved = syscat_bind_model;
    if (!needs_model(name))
        return 0;
    const SysModel *m;
    int rc = bind_syscat_model(ctx, !strcmp(name, "has_column_privilege"), &m);
    if (rc)
        return rc;
    syscat_bind_model = m;
    return 0;
}

void bind_syscat_leave(const void *saved)
{
    syscat_bind_model = saved;
}
