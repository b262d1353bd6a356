/*
 * bind.c - binding queries: FROM items (tables, views, CTEs, subqueries,
 * table functions, joins), SELECT with WHERE / GROUP BY / HAVING / ORDER
 * BY / LIMIT / DISTINCT, VALUES, set operations, and INSERT sources.
 *
 * Plan shape of one SELECT (bottom-up):
 *   FROM items joined (cross joins for commas; the optimizer turns WHERE
 *   equalities into join conditions) -> FILTER (WHERE) -> AGGREGATE ->
 *   FILTER (HAVING) -> PROJECT (select list + hidden ORDER BY columns) ->
 *   AGGREGATE (DISTINCT) -> SORT -> LIMIT -> PROJECT (drop hidden columns)
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/avro/avro.h"
#include "format/csv/csv.h"
#include "format/json/json.h"
#include "format/parquet/reader.h"
#include "sql/bind/bind_int.h"
#include "sql/func/agg_ordered.h"
#include "sql/func/cast.h"
#include "sql/parse/parse.h"
#include "table/delta/delta.h"

struct CteDef {
    const char *name;
    const AstNode *node;        /* AST_CTE */
    CteDef *visible;            /* CTEs visible inside this one's body */
    CteDef *next;
    /* WITH RECURSIVE (bind_recursive_cte) */
    bool rec_with;              /* declared in a WITH RECURSIVE list */
    int phase;                  /* CTE_IDLE ... while its body is being bound */
    LogicalOp *rec_op;          /* CTE_RECURSIVE: the LOP_RECURSIVE being built */
    uint32_t n_refs;            /* self references in the recursive term */
    int ref_loc;                /* where the last one is */
    int blocked_phase;          /* CTE_BLOCKED: the phase to restore */
    CteDef *blocked_by;         /* the CTE whose binding blocked it */
    struct Scope *outer;        /* the scope enclosing the query with the WITH: its body may refer to
                                 * enclosing queries (a correlated CTE inside a subquery) */
};

enum { CTE_IDLE, CTE_PLAIN, CTE_ANCHOR, CTE_RECURSIVE, CTE_BLOCKED };

static int nomem(BindCtx *ctx) { return ERR_NOMEM(ctx->err, 0); }

/* ---- Statement resources ------------------------------------------------------------ */

int stmt_res_add_snapshot(StmtRes *r, DeltaSnapshot *s)
{
    if (r->n_snaps == r->cap_snaps) {
        uint32_t nc = r->cap_snaps ? r->cap_snaps * 2 : 8;
        DeltaSnapshot **n = tarn_realloc(r->snaps, nc * sizeof *n);
        if (!n)
            return TARN_ERR_NOMEM;
        r->snaps = n;
        r->cap_snaps = nc;
    }
    r->snaps[r->n_snaps++] = s;
    return 0;
}

void stmt_res_release(StmtRes *r)
{
    for (uint32_t i = 0; i < r->n_snaps; i++)
        delta_snapshot_free(r->snaps[i]);
    tarn_free(r->snaps);
    memset(r, 0, sizeof *r);
}

/* ---- Types ------------------------------------------------------------------------------- */

static int copy_type_arena(Arena *a, LogicalType *dst, const LogicalType *src)
{
    *dst = *src;
    if (src->n_fields) {
        dst->fields = arena_calloc(a, src->n_fields * sizeof(Field));
        if (!dst->fields)
            return TARN_ERR_NOMEM;
        for (uint32_t i = 0; i < src->n_fields; i++) {
            dst->fields[i].name = arena_strdup(a, src->fields[i].name ? src->fields[i].name : "");
            dst->fields[i].nullable = src->fields[i].nullable;
            if (!dst->fields[i].name || copy_type_arena(a, &dst->fields[i].type, &src->fields[i].type))
                return TARN_ERR_NOMEM;
        }
    }
    return 0;
}

Schema *schema_copy_arena(Arena *a, const Schema *s)
{
    Schema *d = arena_calloc(a, sizeof *d);
    if (!d)
        return NULL;
    d->n_fields = s->n_fields;
    d->fields = arena_calloc(a, (s->n_fields ? s->n_fields : 1) * sizeof(Field));
    if (!d->fields)
        return NULL;
    for (uint32_t i = 0; i < s->n_fields; i++) {
        d->fields[i].name = arena_strdup(a, s->fields[i].name);
        d->fields[i].nullable = s->fields[i].nullable;
        if (!d->fields[i].name || copy_type_arena(a, &d->fields[i].type, &s->fields[i].type))
            return NULL;
    }
    return d;
}

int bind_type_name(BindCtx *ctx, const AstNode *tn, LogicalType *out)
{
    const char *n = tn->u.typname.name;
    const int32_t *m = tn->u.typname.mods;
    uint32_t nm = tn->u.typname.n_mods;
    if (tn->u.typname.array_dims) /* int[], int[][]: one-dimensional LIST types (bind_array.c) */
        return bind_array_type_name(ctx, tn, out);
    static const struct { const char *name; TypeId id; } simple[] = {
        {"bool", TYPE_BOOL}, {"boolean", TYPE_BOOL},
        {"int2", TYPE_INT16}, {"smallint", TYPE_INT16},
        {"int4", TYPE_INT32}, {"int", TYPE_INT32}, {"integer", TYPE_INT32},
        {"int8", TYPE_INT64}, {"bigint", TYPE_INT64},
        {"float4", TYPE_FLOAT}, {"real", TYPE_FLOAT},
        {"float8", TYPE_DOUBLE},
        {"text", TYPE_STRING}, {"varchar", TYPE_STRING}, {"bpchar", TYPE_STRING}, {"char", TYPE_STRING},
        {"name", TYPE_STRING}, {"character varying", TYPE_STRING},
        /* catalog types (bind_syscat.c): OIDs are bigint, "char" and pg_node_tree text */
        {"oid", TYPE_INT64}, {"xid", TYPE_INT64}, {"cid", TYPE_INT64}, {"regclass", TYPE_INT64},
        {"regtype", TYPE_INT64}, {"regproc", TYPE_INT64}, {"regprocedure", TYPE_INT64}, {"regnamespace", TYPE_INT64},
        {"regrole", TYPE_INT64}, {"regoper", TYPE_INT64}, {"regoperator", TYPE_INT64}, {"pg_node_tree", TYPE_STRING},
        {"bytea", TYPE_BLOB},
        {"date", TYPE_DATE},
        {"time", TYPE_TIME},
        {"timestamp", TYPE_TIMESTAMP},
        {"timestamptz", TYPE_TIMESTAMPTZ},
        {"interval", TYPE_INTERVAL},
        {"uuid", TYPE_UUID},
        {"json", TYPE_JSON}, {"jsonb", TYPE_JSON},
    };
    bool is_varchar = !strcmp(n, "varchar") || !strcmp(n, "character varying");
    if ((is_varchar || !strcmp(n, "bpchar")) && nm > 0) {
        /* varchar(n) / char(n): text with a declared length (bind_char.c) */
        const char *kw = is_varchar ? "varchar" : "char";
        if (m[0] < 1) {
            err_set_state(ctx->err, TARN_ERR_INVALID, "22023", "length for type %s must be at least 1", kw);
            return bind_error_at(ctx, tn->loc);
        }
        if (m[0] > 10485760) {
            err_set_state(ctx->err, TARN_ERR_INVALID, "22023", "length for type %s cannot exceed 10485760", kw);
            return bind_error_at(ctx, tn->loc);
        }
        *out = type_simple(TYPE_STRING);
        out->char_len = (uint32_t)m[0];
        out->char_kind = is_varchar ? TYPE_CHAR_VARCHAR : TYPE_CHAR_BPCHAR;
        return 0;
    }
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
        if (!strcmp(n, simple[i].name)) {
            *out = type_simple(simple[i].id);
            /* name, "char", oid: their own type OIDs in results (sql/syscat/) */
            out->char_kind = !strcmp(n, "name") ? TYPE_CHAR_NAME : !strcmp(n, "char") ? TYPE_CHAR_QCHAR
                             : !strcmp(n, "oid") ? TYPE_CHAR_OID : TYPE_CHAR_NONE;
            return 0;
        }
    if (!strcmp(n, "numeric") || !strcmp(n, "decimal")) {
        if (nm == 0) {
            /* unconstrained numeric: tarn's numeric is fixed-scale (see docs/sql.md) */
            *out = type_decimal(38, 10);
            out->precision = 38;
            return 0;
        }
        int p = m[0], s = nm > 1 ? m[1] : 0;
        if (p < 1 || p > 1000) {
            err_set_state(ctx->err, TARN_ERR_INVALID, "22023", "NUMERIC precision %d must be between 1 and 1000", p);
            return bind_error_at(ctx, tn->loc);
        }
        if (p > 38) {
            err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "NUMERIC precision %d is above tarn's limit of 38", p);
            return bind_error_at(ctx, tn->loc);
        }
        if (s < 0 || s > p) {
            err_set_state(ctx->err, TARN_ERR_INVALID, "22023", "NUMERIC scale %d must be between 0 and precision %d", s, p);
            return bind_error_at(ctx, tn->loc);
        }
        *out = type_decimal(p, s);
        return 0;
    }
    if (!strcmp(n, "timetz")) {
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "type time with time zone is not supported");
        return bind_error_at(ctx, tn->loc);
    }
    err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42704", "type \"%s\" does not exist", n);
    return bind_error_at(ctx, tn->loc);
}

/* ---- Scope --------------------------------------------------------------------------------- */

int scope_add_item(BindCtx *ctx, Scope *s, const ScopeItem *item)
{
    if (item->alias)
        for (uint32_t i = 0; i < s->n_items; i++)
            if (s->items[i].alias && !strcmp(s->items[i].alias, item->alias) &&
                !((s->items[i].schema && item->schema) && strcmp(s->items[i].schema, item->schema))) {
                err_set_state(ctx->err, TARN_ERR_INVALID, "42712", "table name \"%s\" specified more than once",
                              item->alias);
                return TARN_ERR_INVALID;
            }
    if (s->n_items == s->cap_items) {
        uint32_t nc = s->cap_items ? s->cap_items * 2 : 8;
        ScopeItem *ni = arena_alloc(ctx->a, nc * sizeof *ni);
        if (!ni)
            return nomem(ctx);
        if (s->n_items)
            memcpy(ni, s->items, s->n_items * sizeof *ni);
        s->items = ni;
        s->cap_items = nc;
    }
    s->items[s->n_items++] = *item;
    return 0;
}

/* Builds a scope item over an operator's outputs, renaming with aliases. */
static int item_from_op(BindCtx *ctx, const LogicalOp *op, const char *alias, const char *schema,
                        const AstList *col_aliases, const char *const *names, ScopeItem *it)
{
    memset(it, 0, sizeof *it);
    it->alias = alias;
    it->schema = schema;
    it->n_cols = op->n_out;
    it->names = arena_alloc(ctx->a, (op->n_out ? op->n_out : 1) * sizeof(char *));
    it->binds = arena_alloc(ctx->a, (op->n_out ? op->n_out : 1) * sizeof(ColBinding));
    it->types = arena_alloc(ctx->a, (op->n_out ? op->n_out : 1) * sizeof(LogicalType));
    if (!it->names || !it->binds || !it->types)
        return nomem(ctx);
    if (col_aliases && col_aliases->n > op->n_out) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "42P10", "table \"%s\" has %u columns available but %u columns specified",
                      alias ? alias : "?", op->n_out, col_aliases->n);
        return TARN_ERR_INVALID;
    }
    for (uint32_t i = 0; i < op->n_out; i++) {
        it->names[i] = names ? names[i] : op->out_names[i];
        if (col_aliases && i < col_aliases->n)
            it->names[i] = col_aliases->items[i]->u.cnst.text;
        it->binds[i] = op->out[i];
        it->types[i] = op->out_types[i];
    }
    return 0;
}

/* ---- FROM items ----------------------------------------------------------------------------- */

static int bind_from_item(BindCtx *ctx, Scope *scope, const AstNode *n, LogicalOp **out);

/* ---- LATERAL ------------------------------------------------------------------------------------------ */

/* A FROM item that refers to items on its left is returned by
 * bind_from_item as a LOP_APPLY without its outer child; mk_join (or the
 * FROM list) gives it the items on its left. */
static bool is_lateral_item(const LogicalOp *op) { return op && op->kind == LOP_APPLY && !op->children[0]; }

static int lateral_wrap(BindCtx *ctx, LogicalOp *inner, LogicalOp **out)
{
    LogicalOp *ap = lop_new(ctx->a, LOP_APPLY, 2);
    if (!ap)
        return nomem(ctx);
    ap->u.join.kind = JOIN_INNER;
    ap->u.join.apply = APPLY_JOIN;
    ap->children[0] = NULL;
    ap->children[1] = inner;
    ap->est_rows = inner->est_rows;
    *out = ap;
    return 0;
}

/* Number of enclosing scopes of s (the level of its column references). */
static uint32_t scope_level(const Scope *s)
{
    uint32_t n = 0;
    for (const Scope *p = s->parent; p; p = p->parent)
        n++;
    return n;
}

static CteDef *find_cte(BindCtx *ctx, const char *name)
{
    for (CteDef *c = ctx->ctes; c; c = c->next)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

/* Wraps a bound query as a FROM item. */
static int add_query_item(BindCtx *ctx, Scope *scope, BoundQuery *q, const char *alias, const AstList *col_aliases,
                          LogicalOp **out)
{
    ScopeItem it;
    int rc = item_from_op(ctx, q->plan, alias, NULL, col_aliases, q->names, &it);
    if (rc)
        return rc;
    if ((rc = scope_add_item(ctx, scope, &it)))
        return rc;
    *out = q->plan;
    return 0;
}

static int bind_view(BindCtx *ctx, Scope *scope, CatalogRel *catrel, const AstNode *n, LogicalOp **out)
{
    if (ctx->view_depth > 32) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "42P17", "infinite recursion detected in view \"%s\"", catrel->name);
        return bind_error_at(ctx, n->loc);
    }
    /* The catalog re-reads a view's entry on every lookup and frees the old
     * one, so a later reference to the same view (in the body, or in a
     * subquery: FROM gv ... (SELECT ... FROM gv g2 WHERE ... gv.x)) would
     * free the strings this reference's scope item points at: keep copies. */
    const char *vschema = arena_strdup(ctx->a, catrel->schema), *vname = arena_strdup(ctx->a, catrel->name);
    AstStmtList sl;
    char *sql = arena_strdup(ctx->a, catrel->view_sql);
    if (!sql || !vschema || !vname)
        return nomem(ctx);
    int rc = sql_parse(sql, ctx->a, &sl, ctx->err);
    if (rc || sl.n != 1 || sl.stmts[0]->kind != STMT_CREATE_VIEW) {
        if (!rc)
            err_set(ctx->err, TARN_ERR_CORRUPT, "view \"%s\" has an invalid definition", vname);
        err_context(ctx->err, "in view \"%s.%s\"", vschema, vname);
        ctx->err->position = 0;
        return bind_error_at(ctx, n->loc);
    }
    const AstStmt *vs = sl.stmts[0];
    const char *saved_sql = ctx->sql;
    CteDef *saved_ctes = ctx->ctes;
    ctx->sql = sql;
    ctx->ctes = NULL;
    ctx->view_depth++;
    BoundQuery q;
    rc = bind_query_scoped(ctx, vs->u.create_view.select, NULL, &q);
    ctx->view_depth--;
    ctx->sql = saved_sql;
    ctx->ctes = saved_ctes;
    if (rc) {
        err_context(ctx->err, "in view \"%s.%s\"", vschema, vname);
        ctx->err->position = 0;
        return bind_error_at(ctx, n->loc);
    }
    /* computed once when referenced again (bind_cte_share.c) */
    char *key = arena_alloc(ctx->a, strlen(vschema) + strlen(vname) + 2);
    if (!key)
        return nomem(ctx);
    sprintf(key, "%s.%s", vschema, vname);
    if ((rc = bind_share_note(ctx, NULL, key, key + strlen(vschema) + 1, q.plan, false, 0)))
        return rc;
    /* view column names, then the alias's column names */
    const AstList *vcols = &vs->u.create_view.col_names;
    for (uint32_t i = 0; i < vcols->n && i < q.n_cols; i++)
        q.names[i] = vcols->items[i]->u.colref.names[0];
    /* without an alias, the item is also reachable as schema.view.column */
    const char *alias = n->u.rangevar.alias ? n->u.rangevar.alias : vname;
    ScopeItem it;
    if ((rc = item_from_op(ctx, q.plan, alias, n->u.rangevar.alias ? NULL : vschema, &n->u.rangevar.col_aliases,
                           q.names, &it)))
        return rc;
    it.relname = vname;
    if ((rc = scope_add_item(ctx, scope, &it)))
        return rc;
    *out = q.plan;
    return 0;
}

/* A scan of one (pinned) snapshot of a table as a FROM item. */
static int add_snapshot_scan(BindCtx *ctx, Scope *scope, CatalogRel *rel, DeltaSnapshot *snap, const char *alias,
                             const char *schema, const AstList *col_aliases, int loc, LogicalOp **out)
{
    int rc;
    const Schema *sch = delta_snapshot_schema(snap);
    LogicalOp *op = lop_new(ctx->a, LOP_GET, 0);
    if (!op)
        return nomem(ctx);
    op->u.get.source = SCAN_DELTA;
    op->u.get.table_index = ctx->next_table++;
    op->u.get.rel = rel;
    op->u.get.snapshot = snap;
    op->u.get.schema = sch;
    op->u.get.version = -1;
    op->u.get.n_cols = sch->n_fields;
    op->u.get.col_ids = arena_alloc(ctx->a, (sch->n_fields ? sch->n_fields : 1) * sizeof(uint32_t));
    if (!op->u.get.col_ids)
        return nomem(ctx);
    for (uint32_t i = 0; i < sch->n_fields; i++)
        op->u.get.col_ids[i] = i;
    int64_t rows = delta_snapshot_total_rows(snap);
    op->est_rows = rows >= 0 ? (double)rows : 1000.0 * (double)delta_snapshot_num_files(snap);
    op->u.get.alias = alias;
    if (lop_resolve(ctx->a, op, false))
        return nomem(ctx);
    ScopeItem it;
    if ((rc = item_from_op(ctx, op, alias, schema, col_aliases, NULL, &it)))
        return bind_error_at(ctx, loc);
    if (!(it.relname = arena_strdup(ctx->a, rel->name)))
        return nomem(ctx);
    if ((rc = scope_add_item(ctx, scope, &it)))
        return bind_error_at(ctx, loc);
    *out = op;
    return 0;
}

static int bind_rec_cte_ref(BindCtx *ctx, Scope *scope, CteDef *c, const AstNode *n, LogicalOp **out);

/* True when e reads no column, parameter or subquery (volatile functions
 * allowed: current_setting('search_path') is evaluated at planning). */
static bool reads_no_input(const Expr *e)
{
    if (!e)
        return true;
    if (e->kind == EX_COLREF || e->kind == EX_PARAM || e->kind == EX_AGGREF || e->kind == EX_SUBQUERY)
        return false;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (!reads_no_input(e->args[i]))
            return false;
    return true;
}

static int bind_table(BindCtx *ctx, Scope *scope, const AstNode *n, LogicalOp **out)
{
    const char *schema = n->u.rangevar.schema, *name = n->u.rangevar.name;
    int rc;
    if (!schema) {
        CteDef *c = find_cte(ctx, name);
        if (c && c->rec_with)
            return bind_rec_cte_ref(ctx, scope, c, n, out);
        if (c) {
            CteDef *saved = ctx->ctes;
            ctx->ctes = c->visible;
            BoundQuery q;
            uint32_t saved_level = ctx->min_ref_level;
            ctx->min_ref_level = UINT32_MAX;
            rc = bind_query_scoped(ctx, c->node->u.cte.select, c->outer, &q);
            bool correlated = c->outer && ctx->min_ref_level <= scope_level(c->outer);
            if (ctx->min_ref_level > saved_level)
                ctx->min_ref_level = saved_level;
            ctx->ctes = saved;
            if (rc)
                return rc;
            /* computed once when referenced again (bind_cte_share.c) */
            int mat = c->node->u.cte.materialized; /* libpg_query: 2 MATERIALIZED, 3 NOT MATERIALIZED */
            if ((rc = bind_share_note(ctx, c, NULL, c->name, q.plan, correlated, mat == 2 ? 1 : mat == 3 ? 2 : 0)))
                return rc;
            if (c->node->u.cte.col_names.n > q.n_cols) {
                err_set_state(ctx->err, TARN_ERR_INVALID, "42P10", "WITH query \"%s\" has %u columns available but %u columns specified",
                              name, q.n_cols, c->node->u.cte.col_names.n);
                return bind_error_at(ctx, c->node->loc);
            }
            for (uint32_t i = 0; i < c->node->u.cte.col_names.n; i++)
                q.names[i] = c->node->u.cte.col_names.items[i]->u.cnst.text;
            const char *alias = n->u.rangevar.alias ? n->u.rangevar.alias : name;
            return add_query_item(ctx, scope, &q, alias, &n->u.rangevar.col_aliases, out);
        }
    }
    const struct SysRelDef *sys = bind_syscat_lookup(ctx, schema, name, n->loc, &rc);
    if (rc)
        return rc;
    if (sys)
        return bind_syscat_table(ctx, scope, n, sys, out);
    CatalogRel *rel;
    if ((rc = catalog_lookup(ctx->cat, schema, name, ctx->search_path, ctx->n_path, &rel, ctx->err)))
        return bind_error_at(ctx, n->loc);
    if (rel->kind == REL_VIEW)
        return bind_view(ctx, scope, rel, n, out);
    DeltaSnapshot *snap = delta_snapshot_latest(rel->table, ctx->err);
    if (!snap) {
        err_context(ctx->err, "reading table \"%s.%s\"", rel->schema, rel->name);
        return bind_error_at(ctx, n->loc);
    }
    if (stmt_res_add_snapshot(ctx->res, snap)) {
        delta_snapshot_free(snap);
        return nomem(ctx);
    }
    const char *alias = n->u.rangevar.alias ? n->u.rangevar.alias : rel->name;
    return add_snapshot_scan(ctx, scope, rel, snap, alias, n->u.rangevar.alias ? NULL : rel->schema,
                             &n->u.rangevar.col_aliases, n->loc, out);
}

static int const_string_arg(BindCtx *ctx, const AstNode *a, const char *fn, const char **out)
{
    Expr *e;
    int rc = bind_constant_expr(ctx, a, &e);
    if (rc)
        return rc;
    if (e->kind != EX_CONST || e->u.cnst.is_null || !type_is_string_like(e->type.id)) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "22023", "%s() needs a constant text argument", fn);
        return bind_error_at(ctx, a->loc);
    }
    char *s = arena_strndup(ctx->a, e->u.cnst.v.s.ptr, e->u.cnst.v.s.len);
    if (!s)
        return nomem(ctx);
    *out = s;
    return 0;
}

static int expand_glob(BindCtx *ctx, const char *pattern, LogicalOp *op, int loc)
{
    glob_t g;
    int grc = glob(pattern, 0, NULL, &g);
    if (grc != 0 || g.gl_pathc == 0) {
        if (grc == 0)
            globfree(&g);
        err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "58P01", "could not open file \"%s\": No such file or directory", pattern);
        return bind_error_at(ctx, loc);
    }
    op->u.get.n_files = (uint32_t)g.gl_pathc;
    op->u.get.files = arena_alloc(ctx->a, g.gl_pathc * sizeof(char *));
    if (!op->u.get.files) {
        globfree(&g);
        return nomem(ctx);
    }
    for (size_t i = 0; i < g.gl_pathc; i++)
        if (!(op->u.get.files[i] = arena_strdup(ctx->a, g.gl_pathv[i]))) {
            globfree(&g);
            return nomem(ctx);
        }
    globfree(&g);
    return 0;
}

/* ---- Delta table functions: time travel and maintenance ---------------------------------------- */

typedef struct FnArgs {
    const AstNode *f;
    const char *fn;
    const AstList *args, *names;
} FnArgs;

/* The argument given by name, or else at position pos (-1: by name only). */
static const AstNode *fn_arg(const FnArgs *fa, const char *name, int pos)
{
    int k = 0;
    for (uint32_t i = 0; i < fa->args->n; i++) {
        const AstNode *nm = fa->names->n ? fa->names->items[i] : NULL;
        if (nm && !strcmp(nm->u.cnst.text, name))
            return fa->args->items[i];
        if (!nm && k++ == pos)
            return fa->args->items[i];
    }
    return NULL;
}

static int fn_check_names(BindCtx *ctx, const FnArgs *fa, const char *const *allowed)
{
    for (uint32_t i = 0; i < fa->names->n; i++) {
        const AstNode *nm = fa->names->items[i];
        if (!nm)
            continue;
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = !strcmp(*a, nm->u.cnst.text);
        if (!ok) {
            err_set_state(ctx->err, TARN_ERR_INVALID, "42883", "%s() has no argument \"%s\"", fa->fn, nm->u.cnst.text);
            return bind_error_at(ctx, fa->args->items[i]->loc);
        }
    }
    return 0;
}

/* A constant, non-NULL argument cast to t (22023 otherwise). */
static int fn_const(BindCtx *ctx, const FnArgs *fa, const AstNode *a, TypeId t, const char *what, Value *out)
{
    Expr *e;
    int rc = bind_constant_expr(ctx, a, &e);
    if (rc)
        return rc;
    LogicalType lt = type_simple(t);
    if ((rc = bind_coerce(ctx, e, &lt, CAST_EXPLICIT, &e)))
        return rc;
    if (e->kind != EX_CONST || e->u.cnst.is_null) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "22023", "%s() needs a non-NULL constant %s", fa->fn, what);
        return bind_error_at(ctx, a->loc);
    }
    *out = e->u.cnst;
    return 0;
}

static int fn_table(BindCtx *ctx, const FnArgs *fa, CatalogRel **out)
{
    const AstNode *a = fn_arg(fa, "table", 0);
    if (!a) {
        err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "%s() needs a table name", fa->fn);
        err_hint(ctx->err, "For example: SELECT * FROM %s('schema.table').", fa->fn);
        return bind_error_at(ctx, fa->f->loc);
    }
    const char *name;
    int rc = const_string_arg(ctx, a, fa->fn, &name);
    if (rc)
        return rc;
    char *sch = NULL, *dot = strchr(name, '.');
    if (dot) {
        if (!(sch = arena_strndup(ctx->a, name, (size_t)(dot - name))))
            return nomem(ctx);
        name = dot + 1;
    }
    CatalogRel *rel;
    if ((rc = catalog_lookup(ctx->cat, sch, name, ctx->search_path, ctx->n_path, &rel, ctx->err)))
        return bind_error_at(ctx, a->loc);
    if (rel->kind != REL_TABLE) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "42809", "\"%s\" is not a table", rel->name);
        return bind_error_at(ctx, a->loc);
    }
    *out = rel;
    return 0;
}

/* Rows computed now, as a FROM item. */
static int add_rows_item(BindCtx *ctx, Scope *scope, const AstNode *n, const char *alias, uint32_t nc,
                         const char *const *names, const LogicalType *types, Expr ***rows, uint32_t nr,
                         LogicalOp **out)
{
    LogicalOp *op = lop_new(ctx->a, LOP_VALUES, 0);
    if (!op)
        return nomem(ctx);
    op->u.values.table_index = ctx->next_table++;
    op->u.values.rows = rows;
    op->u.values.n_rows = nr;
    op->u.values.n_cols = nc;
    op->est_rows = nr;
    if (lop_resolve(ctx->a, op, false))
        return nomem(ctx);
    for (uint32_t c = 0; c < nc; c++) {
        op->out_types[c] = types[c];
        op->out_names[c] = names[c];
    }
    ScopeItem it;
    int rc;
    if ((rc = item_from_op(ctx, op, alias, NULL, &n->u.rangefunc.col_aliases, names, &it)) ||
        (rc = scope_add_item(ctx, scope, &it)))
        return bind_error_at(ctx, n->loc);
    *out = op;
    return 0;
}

static Expr *cint(BindCtx *ctx, int64_t v, bool is_null)
{
    Value x = is_null ? value_null() : value_i64(TYPE_INT64, v);
    Expr *e = expr_const(ctx->a, &x, type_simple(TYPE_INT64), -1);
    if (e)
        e->u.cnst.is_null = is_null;
    return e;
}

static Expr *ctext(BindCtx *ctx, const char *s)
{
    Value x = s ? value_str(s, (uint32_t)strlen(s)) : value_null();
    Expr *e = expr_const(ctx->a, &x, type_simple(TYPE_STRING), -1);
    if (e)
        e->u.cnst.is_null = !s;
    return e;
}

/* One row of n_cols Exprs from the arguments (NULL = out of memory). */
static Expr **mk_row(BindCtx *ctx, uint32_t nc, Expr *const *vals)
{
    Expr **r = arena_alloc(ctx->a, nc * sizeof(Expr *));
    if (!r)
        return NULL;
    for (uint32_t i = 0; i < nc; i++) {
        if (!vals[i])
            return NULL;
        r[i] = vals[i];
    }
    return r;
}

static int bind_delta_function(BindCtx *ctx, Scope *scope, const AstNode *n, LogicalOp **out)
{
    const AstNode *f = n->u.rangefunc.func;
    FnArgs fa = {f, f->u.func.names[f->u.func.n_names - 1], &f->u.func.args, &f->u.func.arg_names};
    const char *fn = fa.fn;
    const char *alias = n->u.rangefunc.alias ? n->u.rangefunc.alias : fn;
    CatalogRel *rel;
    int rc;
    if (!strcmp(fn, "delta_version") || !strcmp(fn, "delta_timestamp")) {
        bool by_version = fn[6] == 'v';
        static const char *const vnames[] = {"table", "version", NULL}, *const tnames[] = {"table", "ts", NULL};
        if ((rc = fn_check_names(ctx, &fa, by_version ? vnames : tnames)) || (rc = fn_table(ctx, &fa, &rel)))
            return rc;
        const AstNode *a = fn_arg(&fa, by_version ? "version" : "ts", 1);
        if (!a) {
            err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "%s() needs %s", fn,
                          by_version ? "version => N" : "ts => 'timestamp'");
            return bind_error_at(ctx, f->loc);
        }
        Value v;
        if ((rc = fn_const(ctx, &fa, a, by_version ? TYPE_INT64 : TYPE_TIMESTAMPTZ, by_version ? "version" : "timestamp", &v)))
            return rc;
        DeltaSnapshot *snap = by_version ? delta_snapshot_at_version(rel->table, v.v.i, ctx->err)
                                         : delta_snapshot_at_timestamp(rel->table, v.v.i / 1000, ctx->err);
        if (!snap) {
            err_context(ctx->err, "reading table \"%s.%s\"", rel->schema, rel->name);
            return bind_error_at(ctx, a->loc);
        }
        if (stmt_res_add_snapshot(ctx->res, snap)) {
            delta_snapshot_free(snap);
            return nomem(ctx);
        }
        if ((rc = add_snapshot_scan(ctx, scope, rel, snap, alias, NULL, &n->u.rangefunc.col_aliases, n->loc, out)))
            return rc;
        (*out)->u.get.version = delta_snapshot_version(snap);
        bind_window_tvf_restrict(*out); /* a stream's files only (window_tvf.h) */
        return 0;
    }
    LogicalType i64 = type_simple(TYPE_INT64), txt = type_simple(TYPE_STRING), tstz = type_simple(TYPE_TIMESTAMPTZ);
    if (!strcmp(fn, "delta_history")) {
        static const char *const an[] = {"table", "max_versions", NULL};
        if ((rc = fn_check_names(ctx, &fa, an)) || (rc = fn_table(ctx, &fa, &rel)))
            return rc;
        Value lim = value_i64(TYPE_INT64, 0);
        const AstNode *a = fn_arg(&fa, "max_versions", 1);
        if (a && (rc = fn_const(ctx, &fa, a, TYPE_INT64, "max_versions", &lim)))
            return rc;
        DeltaHistoryEntry *h;
        size_t nh;
        if (delta_history(rel->table, lim.v.i > 0 ? (size_t)lim.v.i : 0, ctx->a, &h, &nh, ctx->err))
            return bind_error_at(ctx, f->loc);
        static const char *const names[] = {"version", "timestamp", "operation", "commit_info"};
        LogicalType types[] = {i64, tstz, txt, txt};
        Expr ***rows = arena_alloc(ctx->a, (nh + 1) * sizeof(Expr **));
        if (!rows)
            return nomem(ctx);
        for (size_t i = 0; i < nh; i++) {
            Value tv = value_i64(TYPE_TIMESTAMPTZ, h[i].timestamp_ms * 1000);
            Expr *vals[4] = {cint(ctx, h[i].version, false), expr_const(ctx->a, &tv, tstz, -1), ctext(ctx, h[i].operation),
                             ctext(ctx, h[i].commit_info_json)};
            if (!(rows[i] = mk_row(ctx, 4, vals)))
                return nomem(ctx);
        }
        return add_rows_item(ctx, scope, n, alias, 4, names, types, rows, (uint32_t)nh, out);
    }
    if (!strcmp(fn, "delta_optimize") || !strcmp(fn, "delta_restore")) {
        bool opt = fn[6] == 'o';
        static const char *const on[] = {"table", "target_file_size", NULL}, *const rn[] = {"table", "version", "ts", NULL};
        if ((rc = fn_check_names(ctx, &fa, opt ? on : rn)) || (rc = fn_table(ctx, &fa, &rel)))
            return rc;
        DeltaResult res;
        memset(&res, 0, sizeof res);
        int64_t restored = -1;
        if (opt) {
            DeltaOptimizeOptions oo;
            memset(&oo, 0, sizeof oo);
            const AstNode *a = fn_arg(&fa, "target_file_size", 1);
            Value v;
            if (a) {
                if ((rc = fn_const(ctx, &fa, a, TYPE_INT64, "target_file_size", &v)))
                    return rc;
                oo.target_file_bytes = v.v.i;
            }
            if (delta_optimize(rel->table, &oo, &res, ctx->err))
                return bind_error_at(ctx, f->loc);
        } else {
            const AstNode *av = fn_arg(&fa, "version", 1), *at = fn_arg(&fa, "ts", -1);
            Value v;
            if (!av == !at) {
                err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "delta_restore() needs version => N or ts => 'timestamp'");
                return bind_error_at(ctx, f->loc);
            }
            if ((rc = fn_const(ctx, &fa, av ? av : at, av ? TYPE_INT64 : TYPE_TIMESTAMPTZ, av ? "version" : "timestamp", &v)))
                return rc;
            if (av) {
                restored = v.v.i;
                rc = delta_restore(rel->table, v.v.i, &res, ctx->err);
            } else {
                DeltaSnapshot *snap = delta_snapshot_at_timestamp(rel->table, v.v.i / 1000, ctx->err);
                if (snap) {
                    restored = delta_snapshot_version(snap);
                    delta_snapshot_free(snap);
                    rc = delta_restore(rel->table, restored, &res, ctx->err);
                } else {
                    rc = ctx->err->kind;
                }
            }
            if (rc)
                return bind_error_at(ctx, f->loc);
        }
        static const char *const onames[] = {"version", "files_added", "files_removed", "bytes_added", "bytes_removed"};
        static const char *const rnames[] = {"version", "restored_version", "files_added", "files_removed"};
        LogicalType types[] = {i64, i64, i64, i64, i64};
        Expr *vals[5];
        vals[0] = cint(ctx, res.version, res.version < 0);
        if (opt) {
            vals[1] = cint(ctx, res.files_added, false);
            vals[2] = cint(ctx, res.files_removed, false);
            vals[3] = cint(ctx, res.bytes_added, false);
            vals[4] = cint(ctx, res.bytes_removed, false);
        } else {
            vals[1] = cint(ctx, restored, false);
            vals[2] = cint(ctx, res.files_added, false);
            vals[3] = cint(ctx, res.files_removed, false);
        }
        uint32_t nc = opt ? 5 : 4;
        Expr ***rows = arena_alloc(ctx->a, sizeof(Expr **));
        if (!rows || !(rows[0] = mk_row(ctx, nc, vals)))
            return nomem(ctx);
        return add_rows_item(ctx, scope, n, alias, nc, opt ? onames : rnames, types, rows, 1, out);
    }
    if (!strcmp(fn, "delta_vacuum")) {
        static const char *const an[] = {"table", "retain_hours", "dry_run", "allow_short_retention", NULL};
        if ((rc = fn_check_names(ctx, &fa, an)) || (rc = fn_table(ctx, &fa, &rel)))
            return rc;
        DeltaVacuumOptions vo;
        memset(&vo, 0, sizeof vo);
        vo.retention_hours = -1;
        const AstNode *a;
        Value v;
        if ((a = fn_arg(&fa, "retain_hours", 1))) {
            if ((rc = fn_const(ctx, &fa, a, TYPE_DOUBLE, "retain_hours", &v)))
                return rc;
            vo.retention_hours = v.v.d;
        }
        if ((a = fn_arg(&fa, "dry_run", 2))) {
            if ((rc = fn_const(ctx, &fa, a, TYPE_BOOL, "dry_run", &v)))
                return rc;
            vo.dry_run = v.v.b;
        }
        if ((a = fn_arg(&fa, "allow_short_retention", -1))) {
            if ((rc = fn_const(ctx, &fa, a, TYPE_BOOL, "allow_short_retention", &v)))
                return rc;
            vo.allow_short_retention = v.v.b;
        }
        DeltaVacuumResult vr;
        memset(&vr, 0, sizeof vr);
        if (delta_vacuum(rel->table, &vo, ctx->a, &vr, ctx->err))
            return bind_error_at(ctx, f->loc);
        static const char *const names[] = {"path", "dry_run"};
        LogicalType types[] = {txt, type_simple(TYPE_BOOL)};
        Expr ***rows = arena_alloc(ctx->a, (vr.n_files + 1) * sizeof(Expr **));
        if (!rows)
            return nomem(ctx);
        for (size_t i = 0; i < vr.n_files; i++) {
            Value b = value_null();
            b.type = TYPE_BOOL;
            b.is_null = false;
            b.v.b = vo.dry_run;
            Expr *vals[2] = {ctext(ctx, vr.files[i]), expr_const(ctx->a, &b, types[1], -1)};
            if (!(rows[i] = mk_row(ctx, 2, vals)))
                return nomem(ctx);
        }
        return add_rows_item(ctx, scope, n, alias, 2, names, types, rows, (uint32_t)vr.n_files, out);
    }
    err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "table function %s does not exist", fn);
    err_hint(ctx->err, "Delta table functions: delta_version, delta_timestamp, delta_history, delta_optimize, "
                       "delta_vacuum, delta_restore.");
    return bind_error_at(ctx, f->loc);
}

/* FROM unnest(a [, b ...]) [WITH ORDINALITY]: a LOP_PROJECT_SET over one
 * row (bind_array.c); referring to items on its left it is a lateral item
 * that mk_join puts on top of them (no dependent join: bindings are global). */
/* Binds an argument of a function in FROM: it may refer to the items on
 * its left (LATERAL), which sets *lateral. */
static int bind_from_func_arg(BindCtx *ctx, Scope *scope, const AstNode *arg, Expr **out, bool *lateral)
{
    Scope ls;
    memset(&ls, 0, sizeof ls);
    ls.parent = scope;
    ExprEnv env;
    memset(&env, 0, sizeof env);
    env.scope = &ls;
    env.clause = CL_OTHER;
    uint32_t saved_level = ctx->min_ref_level;
    ctx->min_ref_level = UINT32_MAX;
    int rc = bind_expr(ctx, &env, arg, out);
    if (ctx->min_ref_level <= scope_level(scope))
        *lateral = true;
    if (ctx->min_ref_level > saved_level)
        ctx->min_ref_level = saved_level;
    return rc;
}

static int bind_unnest_item(BindCtx *ctx, Scope *scope, const AstNode *n, LogicalOp **out)
{
    const AstNode *f = n->u.rangefunc.func;
    const AstList *args = &f->u.func.args;
    if (f->u.func.arg_names.n || !args->n) {
        err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "function unnest() does not exist");
        return bind_error_at(ctx, f->loc);
    }
    Expr **a = arena_calloc(ctx->a, args->n * sizeof(Expr *));
    if (!a)
        return nomem(ctx);
    bool lateral = false;
    int rc;
    for (uint32_t i = 0; i < args->n; i++)
        if ((rc = bind_from_func_arg(ctx, scope, args->items[i], &a[i], &lateral)))
            return rc;
    LogicalOp *op;
    const char **names;
    if ((rc = bind_unnest_op(ctx, a, args->n, n->u.rangefunc.ordinality, f->loc, &op, &names)))
        return rc;
    /* one array, no column list: the alias names the column too */
    if (args->n == 1 && n->u.rangefunc.alias && !n->u.rangefunc.col_aliases.n)
        names[0] = n->u.rangefunc.alias;
    ScopeItem it;
    if ((rc = item_from_op(ctx, op, n->u.rangefunc.alias ? n->u.rangefunc.alias : "unnest", NULL,
                           &n->u.rangefunc.col_aliases, names, &it)) ||
        (rc = scope_add_item(ctx, scope, &it)))
        return bind_error_at(ctx, n->loc);
    *out = op;
    return lateral ? lateral_wrap(ctx, op, out) : 0;
}

/* A scalar function in FROM (PostgreSQL: one row, one column named by the
 * alias): string_to_array(current_setting('search_path'), ',') s. */
static int bind_scalar_fn_item(BindCtx *ctx, Scope *scope, const AstNode *n, LogicalOp **out)
{
    const AstNode *f = n->u.rangefunc.func;
    const char *fn = f->u.func.names[f->u.func.n_names - 1];
    if (n->u.rangefunc.ordinality) {
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "WITH ORDINALITY is not supported yet");
        return bind_error_at(ctx, n->loc);
    }
    bool lateral = false;
    Expr *e;
    int rc = bind_from_func_arg(ctx, scope, f, &e, &lateral);
    if (rc)
        return rc;
    LogicalOp *d = lop_new(ctx->a, LOP_DUMMY, 0), *p = lop_new(ctx->a, LOP_PROJECT, 1);
    Expr **ex = arena_alloc(ctx->a, sizeof(Expr *));
    if (!d || !p || !ex || lop_resolve(ctx->a, d, false))
        return nomem(ctx);
    d->est_rows = 1;
    ex[0] = e;
    p->children[0] = d;
    p->u.project.table_index = ctx->next_table++;
    p->u.project.exprs = ex;
    p->u.project.n_exprs = 1;
    p->est_rows = 1;
    if (lop_resolve(ctx->a, p, false))
        return nomem(ctx);
    const char *alias = n->u.rangefunc.alias ? n->u.rangefunc.alias : fn;
    const char *names[1] = {alias};
    p->out_names[0] = alias;
    ScopeItem it;
    if ((rc = item_from_op(ctx, p, alias, NULL, &n->u.rangefunc.col_aliases, names, &it)) ||
        (rc = scope_add_item(ctx, scope, &it)))
        return bind_error_at(ctx, n->loc);
    *out = p;
    return lateral ? lateral_wrap(ctx, p, out) : 0;
}

/* A lateral unnest item (APPLY over a PROJECT_SET over one row). */
static bool is_unnest_lateral(const LogicalOp *op)
{
    return is_lateral_item(op) && op->children[1]->kind == LOP_PROJECT_SET &&
           op->children[1]->children[0]->kind == LOP_DUMMY;
}

static int bind_table_function(BindCtx *ctx, Scope *scope, const AstNode *n, LogicalOp **out)
{
    bool series_lateral = false;
    const AstNode *f = n->u.rangefunc.func;
    const char *fn = f->u.func.names[f->u.func.n_names - 1];
    const AstList *args = &f->u.func.args;
    const AstList *names = &f->u.func.arg_names;
    int rc;
    if (!strncmp(fn, "delta_", 6))
        return bind_delta_function(ctx, scope, n, out);
    bool sys_fn;
    if ((rc = bind_syscat_function(ctx, scope, n, out, &sys_fn)) || sys_fn)
        return rc; /* pg_get_keywords() (bind_syscat.c) */
    if (!strcmp(fn, "unnest") && f->u.func.n_names == 1)
        return bind_unnest_item(ctx, scope, n, out);
    if ((!strcmp(fn, "tumble") || !strcmp(fn, "hop")) && f->u.func.n_names == 1)
        return bind_window_tvf(ctx, scope, n, out); /* bind_window_tvf.c */
    if (f->u.func.n_names == 1 && strcmp(fn, "generate_series") && func_name_exists(fn, FUNC_SCALAR) &&
        !func_name_exists(fn, FUNC_SRF))
        return bind_scalar_fn_item(ctx, scope, n, out);
    LogicalOp *op = lop_new(ctx->a, LOP_GET, 0);
    if (!op)
        return nomem(ctx);
    op->u.get.table_index = ctx->next_table++;
    op->u.get.version = -1;
    const char *alias = n->u.rangefunc.alias ? n->u.rangefunc.alias : fn;
    op->u.get.alias = alias;
    const Schema *sch = NULL;
    bool scalar_fn = false;
    if (n->u.rangefunc.ordinality) {
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "WITH ORDINALITY is not supported yet");
        return bind_error_at(ctx, n->loc);
    }
    uint32_t n_pos = 0;
    for (uint32_t i = 0; i < args->n; i++)
        if (!names->n || !names->items[i])
            n_pos++;
    if (!strcmp(fn, "read_parquet") || !strcmp(fn, "parquet_scan") || !strcmp(fn, "read_csv") ||
        !strcmp(fn, "read_csv_auto") || !strcmp(fn, "read_json") || !strcmp(fn, "read_ndjson") ||
        !strcmp(fn, "read_avro")) {
        bool is_csv = !strncmp(fn, "read_csv", 8), is_json = !strncmp(fn, "read_json", 9) || !strcmp(fn, "read_ndjson");
        bool is_avro = !strcmp(fn, "read_avro");
        if (n_pos != 1) {
            err_set_state(ctx->err, TARN_ERR_INVALID, "42883", "%s() takes one file name or pattern", fn);
            return bind_error_at(ctx, f->loc);
        }
        const char *path = NULL;
        if ((rc = const_string_arg(ctx, args->items[0], fn, &path)))
            return rc;
        if ((rc = expand_glob(ctx, path, op, args->items[0]->loc)))
            return rc;
        op->u.get.source = is_csv ? SCAN_CSV : is_json ? SCAN_JSON : is_avro ? SCAN_AVRO : SCAN_PARQUET;
        op->u.get.csv.delimiter = ',';
        op->u.get.csv.quote = '"';
        op->u.get.csv.header = true;
        for (uint32_t i = 0; i < names->n; i++) {
            if (!names->items[i])
                continue;
            const char *on = names->items[i]->u.cnst.text;
            Expr *v;
            if ((rc = bind_constant_expr(ctx, args->items[i], &v)))
                return rc;
            if (!is_csv || v->kind != EX_CONST) {
                err_set_state(ctx->err, TARN_ERR_INVALID, "42883", "%s() has no option \"%s\"", fn, on);
                return bind_error_at(ctx, args->items[i]->loc);
            }
            if (!strcmp(on, "header") && v->type.id == TYPE_BOOL) {
                op->u.get.csv.header = !v->u.cnst.is_null && v->u.cnst.v.b;
            } else if ((!strcmp(on, "delim") || !strcmp(on, "delimiter") || !strcmp(on, "sep")) &&
                       type_is_string_like(v->type.id) && v->u.cnst.v.s.len == 1) {
                op->u.get.csv.delimiter = v->u.cnst.v.s.ptr[0];
            } else if (!strcmp(on, "quote") && type_is_string_like(v->type.id) && v->u.cnst.v.s.len <= 1) {
                op->u.get.csv.quote = v->u.cnst.v.s.len ? v->u.cnst.v.s.ptr[0] : 0;
            } else if ((!strcmp(on, "nullstr") || !strcmp(on, "null")) && type_is_string_like(v->type.id)) {
                op->u.get.csv.null_str = arena_strndup(ctx->a, v->u.cnst.v.s.ptr, v->u.cnst.v.s.len);
            } else {
                err_set_state(ctx->err, TARN_ERR_INVALID, "22023", "invalid value for %s() option \"%s\"", fn, on);
                return bind_error_at(ctx, args->items[i]->loc);
            }
        }
        /* Learn the schema from the first file. */
        const char *first = op->u.get.files[0];
        if (op->u.get.source == SCAN_PARQUET) {
            PqReader *r = pq_reader_open(first, NULL, ctx->err);
            if (!r)
                return bind_error_at(ctx, args->items[0]->loc);
            sch = schema_copy_arena(ctx->a, pq_reader_file_schema(r));
            op->est_rows = (double)pq_reader_num_rows(r) * op->u.get.n_files;
            pq_reader_close(r);
        } else if (is_csv) {
            CsvOptions co;
            csv_options_default(&co);
            co.delimiter = op->u.get.csv.delimiter;
            co.quote = op->u.get.csv.quote;
            co.header = op->u.get.csv.header;
            co.null_str = op->u.get.csv.null_str;
            CsvReader *r = csv_reader_open(first, &co, ctx->err);
            if (!r)
                return bind_error_at(ctx, args->items[0]->loc);
            sch = schema_copy_arena(ctx->a, csv_reader_schema(r));
            csv_reader_close(r);
            op->est_rows = 10000;
        } else if (is_avro) {
            AvroFileReader *r = avro_file_open(first, ctx->err);
            if (!r)
                return bind_error_at(ctx, args->items[0]->loc);
            sch = schema_copy_arena(ctx->a, avro_file_schema(r));
            avro_file_close(r);
            op->est_rows = 10000;
        } else {
            JsonReader *r = json_reader_open(first, NULL, ctx->err);
            if (!r)
                return bind_error_at(ctx, args->items[0]->loc);
            sch = schema_copy_arena(ctx->a, json_reader_schema(r));
            json_reader_close(r);
            op->est_rows = 10000;
        }
        if (!sch)
            return nomem(ctx);
    } else if (!strcmp(fn, "generate_series")) {
        if (n_pos < 2 || n_pos > 3 || names->n) {
            err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "function generate_series with %u arguments does not exist", args->n);
            return bind_error_at(ctx, f->loc);
        }
        Expr **a = arena_calloc(ctx->a, 3 * sizeof(Expr *));
        if (!a)
            return nomem(ctx);
        for (uint32_t i = 0; i < n_pos; i++)
            if ((rc = bind_from_func_arg(ctx, scope, args->items[i], &a[i], &series_lateral)) ||
                (rc = bind_fold(ctx, a[i], &a[i])))
                return rc;
        LogicalType t;
        bool ts = false;
        Expr *pair[2] = {a[0], a[1]};
        if ((rc = bind_common_type(ctx, pair, 2, "generate_series", &t)))
            return rc;
        if (t.id == TYPE_STRING && a[0]->unknown && a[1]->unknown)
            t = type_simple(TYPE_TIMESTAMPTZ);
        if (t.id == TYPE_TIMESTAMP || t.id == TYPE_TIMESTAMPTZ || t.id == TYPE_DATE) {
            ts = true;
            if (t.id == TYPE_DATE)
                t = type_simple(TYPE_TIMESTAMP);
        } else if (t.id == TYPE_INT16) {
            t = type_simple(TYPE_INT32);
        } else if (t.id != TYPE_INT32 && t.id != TYPE_INT64) {
            char tn[64];
            err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "function generate_series(%s, %s) does not exist",
                          sqltype_name(&t, tn, sizeof tn), tn);
            return bind_error_at(ctx, f->loc);
        }
        for (int i = 0; i < 2; i++)
            if ((rc = bind_coerce(ctx, a[i], &t, CAST_IMPLICIT, &a[i])))
                return rc;
        if (ts) {
            if (n_pos != 3) {
                err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "function generate_series(timestamp, timestamp) does not exist");
                return bind_error_at(ctx, f->loc);
            }
            LogicalType iv = type_simple(TYPE_INTERVAL);
            if ((rc = bind_coerce(ctx, a[2], &iv, CAST_IMPLICIT, &a[2])))
                return rc;
        } else if (n_pos == 3) {
            if ((rc = bind_coerce(ctx, a[2], &t, CAST_IMPLICIT, &a[2])))
                return rc;
        }
        for (int i = 0; i < (int)n_pos && !series_lateral; i++)
            if (a[i]->kind != EX_CONST && !reads_no_input(a[i])) {
                err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "generate_series() needs constant arguments");
                return bind_error_at(ctx, args->items[i]->loc);
            }
        op->u.get.source = SCAN_SERIES;
        op->u.get.series_args = a;
        Schema *s = arena_calloc(ctx->a, sizeof *s);
        if (!s || !(s->fields = arena_calloc(ctx->a, sizeof(Field))))
            return nomem(ctx);
        s->n_fields = 1;
        s->fields[0].name = (char *)(n->u.rangefunc.alias && !n->u.rangefunc.col_aliases.n ? n->u.rangefunc.alias : "generate_series");
        s->fields[0].type = t;
        s->fields[0].nullable = false;
        sch = s;
        scalar_fn = true;
        op->est_rows = 1000;
        if (!ts && a[0]->kind == EX_CONST && a[1]->kind == EX_CONST && !a[0]->u.cnst.is_null && !a[1]->u.cnst.is_null)
            op->est_rows = (double)(a[1]->u.cnst.v.i - a[0]->u.cnst.v.i + 1);
    } else {
        err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "table function %s does not exist", fn);
        err_hint(ctx->err, "Table functions: read_parquet, read_csv, read_json, read_avro, generate_series, delta_version, "
                           "delta_timestamp, delta_history, delta_optimize, delta_vacuum, delta_restore.");
        return bind_error_at(ctx, f->loc);
    }
    (void)scalar_fn;
    op->u.get.schema = sch;
    op->u.get.n_cols = sch->n_fields;
    op->u.get.col_ids = arena_alloc(ctx->a, (sch->n_fields ? sch->n_fields : 1) * sizeof(uint32_t));
    if (!op->u.get.col_ids)
        return nomem(ctx);
    for (uint32_t i = 0; i < sch->n_fields; i++)
        op->u.get.col_ids[i] = i;
    if (lop_resolve(ctx->a, op, false))
        return nomem(ctx);
    ScopeItem it;
    if ((rc = item_from_op(ctx, op, alias, NULL, &n->u.rangefunc.col_aliases, NULL, &it)) ||
        (rc = scope_add_item(ctx, scope, &it)))
        return bind_error_at(ctx, n->loc);
    *out = op;
    return series_lateral ? lateral_wrap(ctx, op, out) : 0;
}

static LogicalOp *mk_join(BindCtx *ctx, JoinKind k, LogicalOp *l, LogicalOp *r)
{
    if (is_unnest_lateral(r) && k != JOIN_LEFT) {
        /* FROM t, unnest(t.a): the set-returning projection runs over t */
        LogicalOp *ps = r->children[1];
        ps->children[0] = l;
        ps->est_rows = (l->est_rows > 0 ? l->est_rows : 1) * 10;
        return lop_resolve(ctx->a, ps, false) ? NULL : ps;
    }
    if (is_lateral_item(r)) {
        /* a LATERAL item referring to items on its left: a dependent join */
        r->children[0] = l;
        r->u.join.kind = k == JOIN_LEFT ? JOIN_LEFT : JOIN_INNER;
        return lop_resolve(ctx->a, r, false) ? NULL : r;
    }
    LogicalOp *j = lop_new(ctx->a, LOP_JOIN, 2);
    if (!j)
        return NULL;
    j->u.join.kind = k;
    j->children[0] = l;
    j->children[1] = r;
    if (lop_resolve(ctx->a, j, false))
        return NULL;
    return j;
}

static int add_cond(BindCtx *ctx, LogicalOp *j, Expr *c)
{
    Expr **nc = arena_alloc(ctx->a, (j->u.join.n_conds + 1) * sizeof(Expr *));
    if (!nc)
        return nomem(ctx);
    if (j->u.join.n_conds)
        memcpy(nc, j->u.join.conds, j->u.join.n_conds * sizeof(Expr *));
    nc[j->u.join.n_conds++] = c;
    j->u.join.conds = nc;
    return 0;
}

/* Finds a column (not hidden) among scope items [from, to); returns item/col. */
static int find_using_side(Scope *s, uint32_t from, uint32_t to, const char *name, Expr **using_expr,
                           int *item_out, int *col_out)
{
    int found = 0;
    for (uint32_t i = 0; i < s->n_usings; i++)
        if (!strcmp(s->usings[i].name, name)) {
            *using_expr = s->usings[i].expr;
            *item_out = -1 - (int)i;
            found++;
        }
    if (found)
        return found;
    for (uint32_t i = from; i < to; i++)
        for (uint32_t j = 0; j < s->items[i].n_cols; j++)
            if (!strcmp(s->items[i].names[j], name) && !(s->items[i].hidden && s->items[i].hidden[j])) {
                *item_out = (int)i;
                *col_out = (int)j;
                found++;
            }
    return found;
}

static int hide_col(BindCtx *ctx, ScopeItem *it, uint32_t j)
{
    if (!it->hidden) {
        it->hidden = arena_calloc(ctx->a, (it->n_cols ? it->n_cols : 1) * sizeof(bool));
        if (!it->hidden)
            return nomem(ctx);
    }
    it->hidden[j] = true;
    return 0;
}

/* Self references bound so far by the recursive terms being bound (and
 * where the last one was), for PostgreSQL's checks of where a recursive
 * reference may appear. */
static uint32_t rec_refs_now(BindCtx *ctx, int *loc)
{
    uint32_t n = 0;
    for (CteDef *c = ctx->ctes; c; c = c->next)
        if (c->phase == CTE_RECURSIVE) {
            n += c->n_refs;
            if (c->n_refs)
                *loc = c->ref_loc;
        }
    return n;
}

static int rec_ref_error(BindCtx *ctx, const char *where, int loc)
{
    const char *name = "?";
    for (CteDef *c = ctx->ctes; c; c = c->next)
        if (c->phase == CTE_RECURSIVE && c->n_refs)
            name = c->name;
    err_set_state(ctx->err, TARN_ERR_INVALID, "42P19", "recursive reference to query \"%s\" must not appear within %s",
                  name, where);
    return bind_error_at(ctx, loc);
}

static int bind_join(BindCtx *ctx, Scope *scope, const AstNode *n, LogicalOp **out)
{
    LogicalOp *l, *r;
    int rc;
    uint32_t left_from = scope->n_items;
    int rec_loc = -1;
    uint32_t rr0 = rec_refs_now(ctx, &rec_loc);
    if ((rc = bind_from_item(ctx, scope, n->u.join.left, &l)))
        return rc;
    uint32_t rr1 = rec_refs_now(ctx, &rec_loc);
    uint32_t right_from = scope->n_items;
    if ((rc = bind_from_item(ctx, scope, n->u.join.right, &r)))
        return rc;
    uint32_t rr2 = rec_refs_now(ctx, &rec_loc);
    if ((rr1 != rr0 && (n->u.join.kind == AJOIN_RIGHT || n->u.join.kind == AJOIN_FULL)) ||
        (rr2 != rr1 && (n->u.join.kind == AJOIN_LEFT || n->u.join.kind == AJOIN_FULL)))
        return rec_ref_error(ctx, "an outer join", rec_loc);
    uint32_t right_to = scope->n_items;
    JoinKind k;
    switch (n->u.join.kind) {
    case AJOIN_LEFT: k = JOIN_LEFT; break;
    case AJOIN_RIGHT: k = JOIN_RIGHT; break;
    case AJOIN_FULL: k = JOIN_FULL; break;
    case AJOIN_CROSS: k = JOIN_CROSS; break;
    default: k = JOIN_INNER; break;
    }
    if (is_unnest_lateral(r) && k == JOIN_LEFT) {
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000",
                      "LEFT JOIN LATERAL unnest(...) is not supported; use a comma or CROSS JOIN");
        return bind_error_at(ctx, n->u.join.right->loc);
    }
    if (is_lateral_item(r) && (k == JOIN_RIGHT || k == JOIN_FULL)) {
        /* PostgreSQL: 42P10 (invalid_column_reference) */
        err_set_state(ctx->err, TARN_ERR_INVALID, "42P10", "invalid reference to FROM-clause entry for table \"%s\"",
                      scope->items[left_from].alias ? scope->items[left_from].alias : "?");
        err_detail(ctx->err, "The combining JOIN type must be INNER or LEFT for a LATERAL reference.");
        return bind_error_at(ctx, n->u.join.right->loc);
    }
    LogicalOp *lateral_left = NULL;
    if (is_lateral_item(l)) {
        /* (LATERAL x JOIN y): the join is the dependent side of the items
         * before it */
        lateral_left = l;
        l = l->children[1];
    }
    LogicalOp *j = mk_join(ctx, k, l, r);
    if (!j)
        return nomem(ctx);
    /* USING / NATURAL */
    uint32_t nu = n->u.join.n_using;
    const char **cols = n->u.join.using_cols;
    if (n->u.join.natural) {
        /* common column names, in left order */
        cols = arena_alloc(ctx->a, 256 * sizeof(char *));
        if (!cols)
            return nomem(ctx);
        nu = 0;
        for (uint32_t i = left_from; i < right_from; i++)
            for (uint32_t c = 0; c < scope->items[i].n_cols && nu < 256; c++) {
                const char *nm = scope->items[i].names[c];
                Expr *ue;
                int it2, c2;
                if (scope->items[i].hidden && scope->items[i].hidden[c])
                    continue;
                if (find_using_side(scope, right_from, right_to, nm, &ue, &it2, &c2) == 1 && it2 >= 0)
                    cols[nu++] = nm;
            }
    }
    for (uint32_t u = 0; u < nu; u++) {
        const char *name = cols[u];
        Expr *le = NULL, *re = NULL, *ue = NULL;
        int li = 0, lc = 0, ri = 0, rcn = 0;
        /* left side: an earlier USING column or a column of the left items */
        Scope lscope = *scope;
        lscope.n_items = right_from;
        int nl = find_using_side(&lscope, left_from, right_from, name, &ue, &li, &lc);
        if (nl == 0) {
            err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42703", "column \"%s\" specified in USING clause does not exist in left table", name);
            return TARN_ERR_NOT_FOUND;
        }
        if (nl > 1) {
            err_set_state(ctx->err, TARN_ERR_INVALID, "42702", "common column name \"%s\" appears more than once in left table", name);
            return TARN_ERR_INVALID;
        }
        Scope rscope = *scope;
        rscope.n_usings = 0;
        int nr = find_using_side(&rscope, right_from, right_to, name, &ue, &ri, &rcn);
        if (nr == 0) {
            err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42703", "column \"%s\" specified in USING clause does not exist in right table", name);
            return TARN_ERR_NOT_FOUND;
        }
        if (nr > 1) {
            err_set_state(ctx->err, TARN_ERR_INVALID, "42702", "common column name \"%s\" appears more than once in right table", name);
            return TARN_ERR_INVALID;
        }
        int prev_using = -1;
        if (li < 0) {
            prev_using = -1 - li;
            le = expr_copy(ctx->a, scope->usings[prev_using].expr);
        } else {
            ScopeItem *it = &scope->items[li];
            le = expr_colref(ctx->a, it->binds[lc], it->types[lc], it->names[lc]);
            if (!le || hide_col(ctx, it, (uint32_t)lc))
                return nomem(ctx);
        }
        ScopeItem *rit = &scope->items[ri];
        re = expr_colref(ctx->a, rit->binds[rcn], rit->types[rcn], rit->names[rcn]);
        if (!le || !re || hide_col(ctx, rit, (uint32_t)rcn))
            return nomem(ctx);
        /* join condition le = re in a common type */
        Expr *pair[2] = {le, re}, *eq;
        LogicalType ct;
        if ((rc = bind_common_type(ctx, pair, 2, "JOIN/USING", &ct)))
            return rc;
        Expr *lc2, *rc2;
        if ((rc = bind_coerce(ctx, expr_copy(ctx->a, le), &ct, CAST_IMPLICIT, &lc2)) ||
            (rc = bind_coerce(ctx, expr_copy(ctx->a, re), &ct, CAST_IMPLICIT, &rc2)) ||
            (rc = bind_operator(ctx, "=", lc2, rc2, -1, &eq)) || (rc = add_cond(ctx, j, eq)))
            return rc;
        /* the merged column */
        Expr *merged;
        if (k == JOIN_FULL) {
            merged = expr_new(ctx->a, EX_COALESCE, ct, 2, -1);
            if (!merged)
                return nomem(ctx);
            if ((rc = bind_coerce(ctx, le, &ct, CAST_IMPLICIT, &merged->args[0])) ||
                (rc = bind_coerce(ctx, re, &ct, CAST_IMPLICIT, &merged->args[1])))
                return rc;
        } else {
            merged = k == JOIN_RIGHT ? re : le;
        }
        if (prev_using >= 0) {
            scope->usings[prev_using].expr = merged;
        } else {
            if (scope->n_usings == scope->cap_usings) {
                uint32_t nc = scope->cap_usings ? scope->cap_usings * 2 : 8;
                UsingCol *nuc = arena_alloc(ctx->a, nc * sizeof *nuc);
                if (!nuc)
                    return nomem(ctx);
                if (scope->n_usings)
                    memcpy(nuc, scope->usings, scope->n_usings * sizeof *nuc);
                scope->usings = nuc;
                scope->cap_usings = nc;
            }
            scope->usings[scope->n_usings].name = name;
            scope->usings[scope->n_usings].expr = merged;
            scope->n_usings++;
        }
    }
    if (n->u.join.on) {
        ExprEnv env = {scope, CL_JOIN_ON, NULL, false};
        Expr *c;
        if ((rc = bind_bool_expr(ctx, &env, n->u.join.on, "JOIN/ON", &c)) || (rc = add_cond(ctx, j, c)))
            return rc;
    }
    if (n->u.join.alias) {
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "aliases on joins are not supported yet");
        return TARN_ERR_UNSUPPORTED;
    }
    if (lateral_left) {
        lateral_left->children[1] = j;
        j = lateral_left;
    }
    *out = j;
    return 0;
}

static int bind_from_item(BindCtx *ctx, Scope *scope, const AstNode *n, LogicalOp **out)
{
    switch (n->kind) {
    case AST_RANGE_VAR:
        return bind_table(ctx, scope, n, out);
    case AST_RANGE_SUBSELECT: {
        if (!n->u.subselect.alias) {
            err_set_state(ctx->err, TARN_ERR_SYNTAX, "42601", "subquery in FROM must have an alias");
            err_hint(ctx->err, "For example, FROM (SELECT ...) [AS] foo.");
            return bind_error_at(ctx, n->u.subselect.select->loc);
        }
        BoundQuery q;
        bool lateral = n->u.subselect.lateral && scope->n_items > 0;
        uint32_t saved = ctx->min_ref_level;
        ctx->min_ref_level = UINT32_MAX;
        /* LATERAL: the items on the left are visible as an enclosing scope;
         * otherwise only the enclosing queries are (a derived table inside
         * a correlated subquery may refer to them, as in PostgreSQL) */
        int rc = bind_query_scoped(ctx, n->u.subselect.select, lateral ? scope : scope->parent, &q);
        bool correlated = lateral && ctx->min_ref_level <= scope_level(scope);
        if (ctx->min_ref_level > saved)
            ctx->min_ref_level = saved;
        if (rc && !lateral && !strcmp(ctx->err->sqlstate, "42P01") &&
            !strncmp(ctx->err->message, "missing FROM-clause entry for table \"", 37)) {
            /* a reference to an item on the left without LATERAL */
            char tab[256];
            snprintf(tab, sizeof tab, "%s", ctx->err->message + 37);
            char *quote = strchr(tab, '"');
            if (quote)
                *quote = 0;
            for (uint32_t i = 0; i < scope->n_items; i++)
                if (scope->items[i].alias && !strcmp(scope->items[i].alias, tab)) {
                    int pos = ctx->err->position;
                    err_clear(ctx->err);
                    err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42P01", "invalid reference to FROM-clause entry for table \"%s\"", tab);
                    err_hint(ctx->err, "There is an entry for table \"%s\", but it cannot be referenced from this part of the query.", tab);
                    ctx->err->position = pos;
                    break;
                }
        }
        if (rc)
            return rc;
        if ((rc = add_query_item(ctx, scope, &q, n->u.subselect.alias, &n->u.subselect.col_aliases, out)))
            return rc;
        return correlated ? lateral_wrap(ctx, *out, out) : 0;
    }
    case AST_RANGE_FUNCTION:
        return bind_table_function(ctx, scope, n, out);
    case AST_JOIN:
        return bind_join(ctx, scope, n, out);
    default:
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "this FROM item is not supported yet");
        return bind_error_at(ctx, n->loc);
    }
}

int bind_from_item_ext(BindCtx *ctx, Scope *scope, const AstNode *n, LogicalOp **out)
{
    return bind_from_item(ctx, scope, n, out);
}

/* ---- SELECT --------------------------------------------------------------------------------------- */

/* PostgreSQL's FigureColname. */
static const char *figure_colname(const AstNode *n)
{
    switch (n->kind) {
    case AST_COLUMN_REF:
        return n->u.colref.n ? n->u.colref.names[n->u.colref.n - 1] : "?column?";
    case AST_FUNC:
        return n->u.func.names[n->u.func.n_names - 1];
    case AST_CAST: {
        const char *inner = figure_colname(n->u.cast.arg);
        if (strcmp(inner, "?column?"))
            return inner;
        return n->u.cast.type->u.typname.name;
    }
    case AST_CASE: return "case";
    case AST_ARRAY: return "array";
    case AST_SUBSCRIPT: return n->u.subscript.field ? n->u.subscript.field : figure_colname(n->u.subscript.arg);
    case AST_GROUPING_FUNC: return "grouping";
    case AST_COALESCE: return "coalesce";
    case AST_NULLIF: return "nullif";
    case AST_GREATEST: return "greatest";
    case AST_LEAST: return "least";
    case AST_SUBLINK:
        if (n->u.sublink.kind == SUBLINK_EXISTS)
            return "exists";
        if (n->u.sublink.kind == SUBLINK_ARRAY)
            return "array";
        if (n->u.sublink.kind == SUBLINK_SCALAR && n->u.sublink.select->targets.n == 1) {
            const AstNode *t = n->u.sublink.select->targets.items[0];
            if (t->u.target.name)
                return t->u.target.name;
            if (t->u.target.val)
                return figure_colname(t->u.target.val);
        }
        return "?column?";
    case AST_SQLVALUE:
        switch (n->u.sqlvalue.op) {
        case SQLV_CURRENT_DATE: return "current_date";
        case SQLV_CURRENT_TIME: return "current_time";
        case SQLV_CURRENT_TIMESTAMP: return "current_timestamp";
        case SQLV_LOCALTIME: return "localtime";
        case SQLV_LOCALTIMESTAMP: return "localtimestamp";
        case SQLV_CURRENT_SCHEMA: return "current_schema";
        case SQLV_CURRENT_CATALOG: return "current_catalog";
        default: return "current_user";
        }
    case AST_CONST: /* TRUE / FALSE too: PostgreSQL 15 parses them as A_Const, no longer 't'::bool */
        return "?column?";
    default:
        return "?column?";
    }
}

typedef struct Targets {
    Expr **exprs;
    const char **names;
    uint32_t n, cap;
} Targets;

static int targets_add(BindCtx *ctx, Targets *t, Expr *e, const char *name)
{
    if (t->n == t->cap) {
        uint32_t nc = t->cap ? t->cap * 2 : 16;
        Expr **ne = arena_alloc(ctx->a, nc * sizeof(Expr *));
        const char **nn = arena_alloc(ctx->a, nc * sizeof(char *));
        if (!ne || !nn)
            return nomem(ctx);
        if (t->n) {
            memcpy(ne, t->exprs, t->n * sizeof(Expr *));
            memcpy(nn, t->names, t->n * sizeof(char *));
        }
        t->exprs = ne;
        t->names = nn;
        t->cap = nc;
    }
    t->exprs[t->n] = e;
    t->names[t->n] = name;
    t->n++;
    return 0;
}

static int expand_star(BindCtx *ctx, Scope *scope, const AstNode *ref, Targets *t)
{
    uint32_t k = ref->u.colref.n;
    int rc;
    if (k == 0) {
        if (scope->n_items == 0) {
            err_set_state(ctx->err, TARN_ERR_SYNTAX, "42601", "SELECT * with no tables specified is not valid");
            return bind_error_at(ctx, ref->loc);
        }
        for (uint32_t u = 0; u < scope->n_usings; u++) {
            Expr *e = expr_copy(ctx->a, scope->usings[u].expr);
            if (!e || (rc = targets_add(ctx, t, e, scope->usings[u].name)))
                return e ? rc : nomem(ctx);
        }
        for (uint32_t i = 0; i < scope->n_items; i++) {
            const ScopeItem *it = &scope->items[i];
            for (uint32_t j = 0; j < it->n_cols; j++) {
                if (it->hidden && it->hidden[j])
                    continue;
                Expr *e = expr_colref(ctx->a, it->binds[j], it->types[j], it->names[j]);
                if (!e)
                    return nomem(ctx);
                e->u.col.qual = it->alias;
                if ((rc = targets_add(ctx, t, e, it->names[j])))
                    return rc;
            }
        }
        return 0;
    }
    const char *tab = ref->u.colref.names[k - 1];
    const char *sch = k == 2 ? ref->u.colref.names[0] : NULL;
    for (uint32_t i = 0; i < scope->n_items; i++) {
        const ScopeItem *it = &scope->items[i];
        if (!it->alias || strcmp(it->alias, tab) || (sch && (!it->schema || strcmp(it->schema, sch))))
            continue;
        for (uint32_t j = 0; j < it->n_cols; j++) {
            Expr *e = expr_colref(ctx->a, it->binds[j], it->types[j], it->names[j]);
            if (!e)
                return nomem(ctx);
            e->u.col.qual = it->alias;
            if ((rc = targets_add(ctx, t, e, it->names[j])))
                return rc;
        }
        return 0;
    }
    err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42P01", "missing FROM-clause entry for table \"%s\"", tab);
    return bind_error_at(ctx, ref->loc);
}

/* Replaces grouped expressions and aggregate placeholders by references to
 * the AGGREGATE's outputs; any other column reference is an error. */
typedef struct GroupSets {
    const uint64_t *masks;      /* grouping sets (bind_group.c), NULL = plain GROUP BY */
    uint32_t n_sets;
} GroupSets;

static int rewrite_agg(BindCtx *ctx, Expr *e, Expr *const *groups, uint32_t ng, uint32_t gidx, uint32_t aidx,
                       const AggCollector *aggs, const GroupSets *gs, Expr **out)
{
    if (e->kind == EX_AGGREF && e->u.agg.idx == BIND_GROUPING_IDX)
        return bind_grouping_rewrite(ctx, e, groups, ng, gidx, gs->masks, gs->n_sets, out);
    for (uint32_t i = 0; i < ng; i++)
        if (expr_equal(e, groups[i])) {
            Expr *c = expr_colref(ctx->a, (ColBinding){gidx, i}, groups[i]->type,
                                  groups[i]->kind == EX_COLREF ? groups[i]->u.col.name : "?column?");
            if (!c)
                return nomem(ctx);
            *out = c;
            return 0;
        }
    if (e->kind == EX_AGGREF) {
        Expr *c = expr_colref(ctx->a, (ColBinding){aidx, e->u.agg.idx}, e->type, aggs->aggs[e->u.agg.idx].name);
        if (!c)
            return nomem(ctx);
        *out = c;
        return 0;
    }
    if (e->kind == EX_COLREF && bind_window_owns(ctx->wins, e->u.col.b.table)) {
        *out = e; /* a window function's result (computed above the aggregation) */
        return 0;
    }
    if (e->kind == EX_COLREF && bind_srf_owns(ctx->srf_rw, e->u.col.b.table)) {
        *out = e; /* a set-returning function's result (computed above the aggregation) */
        return 0;
    }
    if (e->kind == EX_COLREF) {
        if (e->u.col.qual)
            err_set_state(ctx->err, TARN_ERR_INVALID, "42803",
                          "column \"%s.%s\" must appear in the GROUP BY clause or be used in an aggregate function",
                          e->u.col.qual, e->u.col.name);
        else
            err_set_state(ctx->err, TARN_ERR_INVALID, "42803",
                          "column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function",
                          e->u.col.name);
        return bind_error_at(ctx, e->loc);
    }
    *out = e;
    for (uint32_t i = 0; i < e->n_args; i++) {
        int rc = rewrite_agg(ctx, e->args[i], groups, ng, gidx, aidx, aggs, gs, &e->args[i]);
        if (rc)
            return rc;
    }
    return 0;
}

static bool is_int_const(BindCtx *ctx, const AstNode *n, int64_t *v)
{
    if (n->kind == AST_PARAM && ctx->params) /* $n where a literal would be a position (plan_cache.c) */
        ctx->params->position_param = true;
    if (n->kind == AST_CONST && n->u.cnst.kind == CONST_INT) {
        *v = n->u.cnst.ival;
        return true;
    }
    return false;
}

static int limit_value(BindCtx *ctx, const AstNode *n, const char *what, int64_t *out)
{
    Expr *e;
    const char *sb = ctx->srf_block;
    ctx->srf_block = what; /* "set-returning functions are not allowed in LIMIT" */
    int rc = bind_constant_expr(ctx, n, &e);
    ctx->srf_block = sb;
    if (rc)
        return rc;
    LogicalType i8 = type_simple(TYPE_INT64);
    /* coerce first: a parameter ($1) gets type bigint from here */
    if ((rc = bind_coerce(ctx, e, &i8, CAST_IMPLICIT, &e)))
        return rc;
    if (e->kind == EX_CONST && e->u.cnst.is_null) {
        *out = -1;
        return 0;
    }
    if (e->kind != EX_CONST) {
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "%s must be a constant", what);
        return bind_error_at(ctx, n->loc);
    }
    if (e->u.cnst.v.i < 0) {
        /* PG: 2201W invalid_row_count_in_limit_clause, 2201X ..._in_result_offset_clause */
        err_set_state(ctx->err, TARN_ERR_INVALID, strcmp(what, "OFFSET") ? "2201W" : "2201X", "%s must not be negative",
                      what);
        return bind_error_at(ctx, n->loc);
    }
    *out = e->u.cnst.v.i;
    return 0;
}

/* limit_value in a subquery: a LIMIT / OFFSET reading a column of an
 * enclosing query (PostgreSQL allows it) is refused honestly (0A000). */
static int limit_value_in(BindCtx *ctx, Scope *parent, const AstNode *n, const char *what, int64_t *out)
{
    int rc = limit_value(ctx, n, what, out);
    if (!rc || !parent || (strcmp(ctx->err->sqlstate, "42P01") && strcmp(ctx->err->sqlstate, "42703")))
        return rc;
    TarnError saved = *ctx->err;
    err_clear(ctx->err);
    ExprEnv env = {parent, CL_OTHER, NULL, false};
    Expr *e;
    if (bind_expr(ctx, &env, n, &e)) {
        *ctx->err = saved;
        return rc;
    }
    err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "%s referring to columns of an outer query is not supported yet",
                  what);
    return bind_error_at(ctx, n->loc);
}

static int bind_values(BindCtx *ctx, const AstSelect *s, Scope *parent, BoundQuery *out)
{
    uint32_t nr = s->values.n;
    uint32_t nc = s->values.items[0]->u.list.args.n;
    Scope scope;
    memset(&scope, 0, sizeof scope);
    scope.parent = parent; /* VALUES in a correlated subquery may use the enclosing queries */
    ExprEnv env = {&scope, CL_VALUES, NULL, false};
    Expr ***rows = arena_alloc(ctx->a, nr * sizeof(Expr **));
    if (!rows)
        return nomem(ctx);
    int rc;
    for (uint32_t r = 0; r < nr; r++) {
        const AstList *l = &s->values.items[r]->u.list.args;
        if (l->n != nc) {
            err_set_state(ctx->err, TARN_ERR_SYNTAX, "42601", "VALUES lists must all be the same length");
            return bind_error_at(ctx, l->n ? l->items[0]->loc : s->loc);
        }
        rows[r] = arena_alloc(ctx->a, (nc ? nc : 1) * sizeof(Expr *));
        if (!rows[r])
            return nomem(ctx);
        for (uint32_t c = 0; c < nc; c++)
            if ((rc = bind_expr(ctx, &env, l->items[c], &rows[r][c])))
                return rc;
    }
    Expr **col = arena_alloc(ctx->a, nr * sizeof(Expr *));
    if (!col)
        return nomem(ctx);
    for (uint32_t c = 0; c < nc; c++) {
        for (uint32_t r = 0; r < nr; r++)
            col[r] = rows[r][c];
        LogicalType t;
        if ((rc = bind_common_type(ctx, col, nr, "VALUES", &t)))
            return rc;
        for (uint32_t r = 0; r < nr; r++)
            if ((rc = bind_coerce(ctx, rows[r][c], &t, CAST_IMPLICIT, &rows[r][c])))
                return rc;
    }
    LogicalOp *op = lop_new(ctx->a, LOP_VALUES, 0);
    if (!op)
        return nomem(ctx);
    op->u.values.table_index = ctx->next_table++;
    op->u.values.rows = rows;
    op->u.values.n_rows = nr;
    op->u.values.n_cols = nc;
    op->est_rows = nr;
    if (lop_resolve(ctx->a, op, false))
        return nomem(ctx);
    out->plan = op;
    out->unknown = NULL; /* (was left unset: callers read it) */
    out->n_cols = nc;
    out->names = arena_alloc(ctx->a, (nc ? nc : 1) * sizeof(char *));
    out->types = arena_alloc(ctx->a, (nc ? nc : 1) * sizeof(LogicalType));
    if (!out->names || !out->types)
        return nomem(ctx);
    for (uint32_t c = 0; c < nc; c++) {
        out->names[c] = op->out_names[c];
        out->types[c] = op->out_types[c];
    }
    return 0;
}

static LogicalOp *mk_project(BindCtx *ctx, LogicalOp *child, Expr **exprs, uint32_t n)
{
    LogicalOp *p = lop_new(ctx->a, LOP_PROJECT, 1);
    if (!p)
        return NULL;
    p->children[0] = child;
    p->u.project.table_index = ctx->next_table++;
    p->u.project.exprs = exprs;
    p->u.project.n_exprs = n;
    p->est_rows = child->est_rows;
    if (lop_resolve(ctx->a, p, false))
        return NULL;
    return p;
}

static LogicalOp *mk_filter(BindCtx *ctx, LogicalOp *child, Expr *cond)
{
    LogicalOp *f = lop_new(ctx->a, LOP_FILTER, 1);
    if (!f)
        return NULL;
    f->children[0] = child;
    f->u.filter.conds = arena_alloc(ctx->a, sizeof(Expr *));
    if (!f->u.filter.conds)
        return NULL;
    f->u.filter.conds[0] = cond;
    f->u.filter.n_conds = 1;
    if (lop_resolve(ctx->a, f, false))
        return NULL;
    return f;
}

/* True when `inner` is the DISTINCT-aggregate helper built over these groups. */
static bool distinct_inner(const LogicalOp *inner, Expr *const *groups, uint32_t ng)
{
    if (inner->u.agg.n_groups != ng + 1)
        return false;
    for (uint32_t i = 0; i < ng; i++)
        if (!expr_equal(inner->u.agg.groups[i], groups[i]))
            return false;
    return true;
}

/* count(DISTINCT x), sum(DISTINCT x)...: when every aggregate is DISTINCT
 * over the same argument (or is min/max of it), aggregate twice: first
 * GROUP BY groups, x (removing duplicates), then the aggregates without
 * DISTINCT over that.  Other mixes (count(*), count(DISTINCT x),
 * sum(DISTINCT y)), and any DISTINCT with grouping sets (`per_state`),
 * de-duplicate inside each DISTINCT aggregate's group state instead
 * (agg_ordered.h); min/max(DISTINCT x) simply drop DISTINCT. */
static int plan_distinct_aggs(BindCtx *ctx, LogicalOp **plan, Expr **groups, uint32_t ng, AggCollector *aggs,
                              bool per_state)
{
    const Expr *darg = NULL;
    bool two_level = !per_state;
    for (uint32_t i = 0; i < aggs->n; i++) {
        AggCall *a = &aggs->aggs[i];
        bool dup_insensitive = !strcmp(a->name, "min") || !strcmp(a->name, "max");
        if (a->distinct && dup_insensitive)
            a->distinct = false;
        if (a->distinct && a->n_args == 1 && (!darg || expr_equal(darg, a->args[0])))
            darg = a->args[0];
        else if (a->distinct)
            two_level = false;
    }
    if (!darg && two_level)
        return 0;
    for (uint32_t i = 0; i < aggs->n && two_level; i++) {
        const AggCall *a = &aggs->aggs[i];
        bool dup_insensitive = !strcmp(a->name, "min") || !strcmp(a->name, "max");
        if (a->n_args != 1 || !expr_equal(a->args[0], darg) || (!a->distinct && !dup_insensitive) || a->filter)
            two_level = false;
    }
    if (!two_level) {
        for (uint32_t i = 0; i < aggs->n; i++) {
            AggCall *a = &aggs->aggs[i];
            int rc;
            if (a->distinct && (rc = agg_ordered_wrap(ctx->a, a, NULL, 0, true, ctx->err)))
                return rc;
        }
        return 0;
    }
    LogicalOp *in = lop_new(ctx->a, LOP_AGGREGATE, 1);
    Expr **g = arena_alloc(ctx->a, (ng + 1) * sizeof(Expr *));
    if (!in || !g)
        return nomem(ctx);
    for (uint32_t i = 0; i < ng; i++)
        g[i] = groups[i];
    g[ng] = (Expr *)darg;
    in->children[0] = *plan;
    in->u.agg.group_index = ctx->next_table++;
    in->u.agg.agg_index = ctx->next_table++;
    in->u.agg.groups = g;
    in->u.agg.n_groups = ng + 1;
    if (lop_resolve(ctx->a, in, false))
        return nomem(ctx);
    Expr *col = expr_colref(ctx->a, in->out[ng], in->out_types[ng], "?distinct?");
    if (!col)
        return nomem(ctx);
    for (uint32_t i = 0; i < aggs->n; i++) {
        AggCall *a = &aggs->aggs[i];
        a->distinct = false;
        a->args = arena_alloc(ctx->a, sizeof(Expr *));
        if (!a->args)
            return nomem(ctx);
        a->args[0] = col;
    }
    *plan = in;
    return 0;
}

/* PostgreSQL's rule (transformDistinctOnClause): the DISTINCT ON items
 * must be the leftmost ORDER BY items (in any order); ORDER BY items that
 * are not DISTINCT ON items may only follow them. */
static int check_distinct_on(BindCtx *ctx, const AstSelect *s, const int32_t *target, uint32_t no)
{
    uint32_t n_on = s->distinct_on.n;
    const int32_t *on = target + no;
    bool skipped = false;
    for (uint32_t i = 0; i < no; i++) {
        uint32_t k = 0;
        while (k < n_on && on[k] != target[i])
            k++;
        if (k == n_on)
            skipped = true;
        else if (skipped)
            goto bad;
    }
    if (!skipped)
        return 0;
    for (uint32_t k = 0; k < n_on; k++) {
        uint32_t i = 0;
        while (i < no && target[i] != on[k])
            i++;
        if (i == no) {
            const AstNode *x = s->distinct_on.items[k];
            err_set_state(ctx->err, TARN_ERR_INVALID, "42P10",
                          "SELECT DISTINCT ON expressions must match initial ORDER BY expressions");
            return bind_error_at(ctx, x->loc);
        }
    }
    return 0;
bad:
    for (uint32_t k = 0; k < n_on; k++) {
        /* the position of the first DISTINCT ON item found after a skipped ORDER BY item */
        bool after = false, seen_skip = false;
        for (uint32_t i = 0; i < no; i++) {
            uint32_t j = 0;
            while (j < n_on && on[j] != target[i])
                j++;
            if (j == n_on)
                seen_skip = true;
            else if (seen_skip && on[j] == on[k])
                after = true;
        }
        if (after) {
            err_set_state(ctx->err, TARN_ERR_INVALID, "42P10",
                          "SELECT DISTINCT ON expressions must match initial ORDER BY expressions");
            return bind_error_at(ctx, s->distinct_on.items[k]->loc);
        }
    }
    err_set_state(ctx->err, TARN_ERR_INVALID, "42P10", "SELECT DISTINCT ON expressions must match initial ORDER BY expressions");
    return TARN_ERR_INVALID;
}

/* DISTINCT ON over the projection `*plan` (outputs = the targets): sort by
 * the ORDER BY items, then group by the DISTINCT ON targets keeping the
 * first value of every other target (first(): the sort's output is read in
 * order by one thread, so the first row of each group wins), then put the
 * columns back in target order. */
static int plan_distinct_on(BindCtx *ctx, LogicalOp **plan, const SortItem *order, const int32_t *order_target,
                            uint32_t no, const int32_t *on, uint32_t n_on)
{
    LogicalOp *in = *plan;
    uint32_t nt = in->n_out;
    if (no) {
        LogicalOp *so = lop_new(ctx->a, LOP_SORT, 1);
        SortItem *items = arena_calloc(ctx->a, no * sizeof(SortItem));
        if (!so || !items)
            return nomem(ctx);
        so->children[0] = in;
        for (uint32_t i = 0; i < no; i++) {
            uint32_t k = (uint32_t)order_target[i];
            items[i] = order[i];
            if (!(items[i].expr = expr_colref(ctx->a, in->out[k], in->out_types[k], in->out_names[k])))
                return nomem(ctx);
        }
        so->u.sort.items = items;
        so->u.sort.n_items = no;
        so->u.sort.limit = -1;
        if (lop_resolve(ctx->a, so, false))
            return nomem(ctx);
        in = so;
    }
    LogicalOp *ag = lop_new(ctx->a, LOP_AGGREGATE, 1);
    Expr **groups = arena_alloc(ctx->a, n_on * sizeof(Expr *));
    AggCall *calls = arena_alloc(ctx->a, (nt ? nt : 1) * sizeof(AggCall));
    int32_t *where = arena_alloc(ctx->a, (nt ? nt : 1) * sizeof(int32_t)); /* target -> output of ag */
    if (!ag || !groups || !calls || !where)
        return nomem(ctx);
    uint32_t ng = 0, na = 0;
    for (uint32_t k = 0; k < nt; k++)
        where[k] = -1;
    for (uint32_t j = 0; j < n_on; j++) {
        uint32_t k = (uint32_t)on[j];
        if (where[k] >= 0)
            continue;
        where[k] = (int32_t)ng;
        if (!(groups[ng++] = expr_colref(ctx->a, in->out[k], in->out_types[k], in->out_names[k])))
            return nomem(ctx);
    }
    for (uint32_t k = 0; k < nt; k++) {
        if (where[k] >= 0)
            continue;
        Expr *c = expr_colref(ctx->a, in->out[k], in->out_types[k], in->out_names[k]);
        Expr **args = arena_alloc(ctx->a, sizeof(Expr *));
        int rc;
        if (!c || !args)
            return nomem(ctx);
        if ((rc = agg_first_call(c, &calls[na], ctx->err)))
            return rc;
        args[0] = c;
        calls[na].args = args;
        where[k] = (int32_t)(n_on + na++);
    }
    ag->children[0] = in;
    ag->u.agg.group_index = ctx->next_table++;
    ag->u.agg.agg_index = ctx->next_table++;
    ag->u.agg.groups = groups;
    ag->u.agg.n_groups = ng;
    ag->u.agg.aggs = calls;
    ag->u.agg.n_aggs = na;
    if (lop_resolve(ctx->a, ag, false))
        return nomem(ctx);
    Expr **ex = arena_alloc(ctx->a, (nt ? nt : 1) * sizeof(Expr *));
    if (!ex)
        return nomem(ctx);
    for (uint32_t k = 0; k < nt; k++) {
        uint32_t o = (uint32_t)where[k];
        if (o >= n_on)
            o = ng + (o - n_on);
        if (!(ex[k] = expr_colref(ctx->a, ag->out[o], ag->out_types[o], in->out_names[k])))
            return nomem(ctx);
    }
    LogicalOp *p = mk_project(ctx, ag, ex, nt);
    if (!p)
        return nomem(ctx);
    for (uint32_t k = 0; k < nt; k++)
        p->out_names[k] = in->out_names[k];
    *plan = p;
    return 0;
}

typedef struct GroupItemCtx {
    Scope *scope;
    Targets *tg;
} GroupItemCtx;

/* One GROUP BY expression: a select-list position, an input column, else
 * an output column name, else any expression of the input. */
static int bind_group_item(BindCtx *ctx, void *arg, const AstNode *g, Expr **out)
{
    GroupItemCtx *gc = arg;
    Targets *tg = gc->tg;
    int64_t pos;
    int rc;
    ExprEnv genv = {.scope = gc->scope, .clause = CL_GROUP_BY};
    if (is_int_const(ctx, g, &pos)) {
        if (pos < 1 || pos > tg->n) {
            err_set_state(ctx->err, TARN_ERR_INVALID, "42P10", "GROUP BY position %lld is not in select list", (long long)pos);
            return bind_error_at(ctx, g->loc);
        }
        *out = tg->exprs[pos - 1];
        return 0;
    }
    if (g->kind == AST_COLUMN_REF && g->u.colref.n == 1 && !g->u.colref.star) {
        TarnError saved = *ctx->err;
        rc = bind_expr(ctx, &genv, g, out);
        if (rc == 0)
            return 0;
        if (ctx->err->sqlstate[0] && !strcmp(ctx->err->sqlstate, "42703")) {
            /* fall back to an output column alias */
            for (uint32_t k = 0; k < tg->n; k++)
                if (!strcmp(tg->names[k], g->u.colref.names[0])) {
                    *ctx->err = saved;
                    *out = tg->exprs[k];
                    return 0;
                }
        }
        return rc;
    }
    return bind_expr(ctx, &genv, g, out);
}

/* bind_window_plan's rewrite of window expressions over the aggregate. */
typedef struct AggRewrite {
    Expr *const *groups;
    uint32_t ng, gidx, aidx;
    const AggCollector *aggs;
    const GroupSets *gs;
} AggRewrite;

static int rewrite_agg_cb(BindCtx *ctx, Expr *e, Expr **out, void *arg)
{
    const AggRewrite *r = arg;
    return rewrite_agg(ctx, e, r->groups, r->ng, r->gidx, r->aidx, r->aggs, r->gs, out);
}

/* One simple SELECT (no set operation); ORDER BY/LIMIT included. */
static int bind_select_core(BindCtx *ctx, const AstSelect *s, Scope *parent, BoundQuery *out)
{
    if (s->values.n) {
        int rc = bind_values(ctx, s, parent, out);
        if (rc)
            return rc;
        /* ORDER BY / LIMIT on VALUES are applied by the caller path below */
        if (!s->order_by.n && !s->limit && !s->offset)
            return 0;
    }
    Scope scope;
    memset(&scope, 0, sizeof scope);
    scope.parent = parent;
    LogicalOp *plan = NULL;
    int rc;
    Targets tg;
    memset(&tg, 0, sizeof tg);
    AggCollector aggs;
    memset(&aggs, 0, sizeof aggs);
    WinCollector wins;
    memset(&wins, 0, sizeof wins);
    wins.defs = &s->windows;
    SrfCollector srfs;
    memset(&srfs, 0, sizeof srfs);
    bool values_mode = s->values.n > 0;
    if (values_mode) {
        plan = out->plan;
        ScopeItem it;
        if ((rc = item_from_op(ctx, plan, "*VALUES*", NULL, NULL, NULL, &it)) || (rc = scope_add_item(ctx, &scope, &it)))
            return rc;
        for (uint32_t i = 0; i < plan->n_out; i++) {
            Expr *e = expr_colref(ctx->a, plan->out[i], plan->out_types[i], plan->out_names[i]);
            if (!e || (rc = targets_add(ctx, &tg, e, plan->out_names[i])))
                return e ? rc : nomem(ctx);
        }
    } else {
        for (uint32_t i = 0; i < s->from.n; i++) {
            LogicalOp *item;
            if ((rc = bind_from_item(ctx, &scope, s->from.items[i], &item)))
                return rc;
            if (!plan) {
                plan = is_lateral_item(item) ? item->children[1] : item;
            } else if (!(plan = mk_join(ctx, JOIN_CROSS, plan, item))) {
                return nomem(ctx);
            }
        }
        if (!plan) {
            plan = lop_new(ctx->a, LOP_DUMMY, 0);
            if (!plan || lop_resolve(ctx->a, plan, false))
                return nomem(ctx);
            plan->est_rows = 1;
        }
        if (s->where) {
            ExprEnv env = {&scope, CL_WHERE, NULL, false};
            Expr *w;
            if ((rc = bind_bool_expr(ctx, &env, s->where, "WHERE", &w)))
                return rc;
            if (!(plan = mk_filter(ctx, plan, w)))
                return nomem(ctx);
        }
        /* select list */
        ExprEnv senv = {&scope, CL_SELECT, &aggs, false};
        if ((rc = bind_window_defs(ctx, &senv, &wins)))
            return rc;
        WinCollector *saved_wc = ctx->win_cur;
        uint8_t saved_wctx = ctx->win_ctx;
        ctx->win_cur = &wins;
        ctx->win_ctx = 0;
        ctx->srf_cur = &srfs;
        for (uint32_t i = 0; i < s->targets.n; i++) {
            const AstNode *t = s->targets.items[i];
            const AstNode *v = t->u.target.val;
            if (v->kind == AST_COLUMN_REF && v->u.colref.star) {
                if ((rc = expand_star(ctx, &scope, v, &tg)))
                    return rc;
                continue;
            }
            Expr *e;
            if ((rc = bind_expr(ctx, &senv, v, &e)))
                return rc;
            if ((rc = targets_add(ctx, &tg, e, t->u.target.name ? t->u.target.name : figure_colname(v))))
                return rc;
        }
        ctx->srf_cur = NULL;
        ctx->win_cur = saved_wc;
        ctx->win_ctx = saved_wctx;
    }
    /* GROUP BY */
    uint32_t ng = s->group_by.n;
    Expr **groups = NULL;
    GroupSets gsets = {NULL, 0};
    GroupItemCtx gic = {&scope, &tg};
    if (bind_group_has_sets(&s->group_by)) {
        uint64_t *masks;
        uint32_t n_sets;
        if ((rc = bind_grouping_sets(ctx, &s->group_by, s->group_distinct, bind_group_item, &gic, &groups, &ng, &masks,
                                     &n_sets)))
            return rc;
        if (n_sets > 1) {
            /* keys, then the set number (filled by the hash aggregate) */
            Expr **g2 = arena_alloc(ctx->a, (ng + 1) * sizeof(Expr *));
            Value zero = value_i64(TYPE_INT32, 0);
            if (!g2)
                return nomem(ctx);
            if (ng)
                memcpy(g2, groups, ng * sizeof(Expr *));
            if (!(g2[ng] = expr_const(ctx->a, &zero, type_simple(TYPE_INT32), -1)))
                return nomem(ctx);
            groups = g2;
            gsets.masks = masks;
            gsets.n_sets = n_sets;
        } else if (n_sets == 1 && masks[0] == 0) {
            ng = 0; /* GROUP BY (): one group over everything */
        }
    } else {
        groups = arena_alloc(ctx->a, (ng ? ng : 1) * sizeof(Expr *));
        if (!groups)
            return nomem(ctx);
        for (uint32_t i = 0; i < ng; i++)
            if ((rc = bind_group_item(ctx, &gic, s->group_by.items[i], &groups[i])))
                return rc;
    }
    bool grouped = s->group_by.n > 0;
    for (uint32_t i = 0; i < ng; i++)
        if (groups[i]->kind == EX_AGGREF) {
            err_set_state(ctx->err, TARN_ERR_INVALID, "42803", "aggregate functions are not allowed in GROUP BY");
            return bind_error_at(ctx, groups[i]->loc);
        }
    Expr *having = NULL;
    if (s->having) {
        ExprEnv henv = {&scope, CL_HAVING, &aggs, false};
        if ((rc = bind_bool_expr(ctx, &henv, s->having, "HAVING", &having)))
            return rc;
    }
    /* ORDER BY: output names and positions first (SQL92), else expressions;
     * then the DISTINCT ON items the same way (their targets follow the
     * ORDER BY ones in order_target) */
    uint32_t no = s->order_by.n, n_on = s->distinct_on.n;
    SortItem *order = arena_calloc(ctx->a, (no + n_on ? no + n_on : 1) * sizeof(SortItem));
    int32_t *order_target = arena_alloc(ctx->a, (no + n_on ? no + n_on : 1) * sizeof(int32_t));
    if (!order || !order_target)
        return nomem(ctx);
    uint32_t n_visible = tg.n;
    for (uint32_t i = 0; i < no + n_on; i++) {
        const AstNode *sb = i < no ? s->order_by.items[i] : s->distinct_on.items[i - no];
        const char *clause = i < no ? "ORDER BY" : "DISTINCT ON";
        const AstNode *x = sb->kind == AST_SORT_BY ? sb->u.sortby.expr : sb;
        int dir = sb->kind == AST_SORT_BY ? sb->u.sortby.dir : 0, nulls = sb->kind == AST_SORT_BY ? sb->u.sortby.nulls : 0;
        order[i].desc = dir == 2;
        order[i].nulls_first = nulls == 1 || (nulls == 0 && dir == 2); /* PG: NULLS LAST for ASC, FIRST for DESC */
        order_target[i] = -1;
        int64_t pos;
        if (is_int_const(ctx, x, &pos)) {
            if (pos < 1 || pos > n_visible) {
                err_set_state(ctx->err, TARN_ERR_INVALID, "42P10", "%s position %lld is not in select list", clause,
                              (long long)pos);
                return bind_error_at(ctx, x->loc);
            }
            order_target[i] = (int32_t)(pos - 1);
            continue;
        }
        if (x->kind == AST_COLUMN_REF && x->u.colref.n == 1 && !x->u.colref.star) {
            int found = -1;
            for (uint32_t k = 0; k < n_visible; k++)
                if (!strcmp(tg.names[k], x->u.colref.names[0])) {
                    if (found >= 0 && !expr_equal(tg.exprs[k], tg.exprs[found])) {
                        err_set_state(ctx->err, TARN_ERR_INVALID, "42702", "%s \"%s\" is ambiguous", clause,
                                      x->u.colref.names[0]);
                        return bind_error_at(ctx, x->loc);
                    }
                    if (found < 0)
                        found = (int)k;
                }
            if (found >= 0) {
                order_target[i] = found;
                continue;
            }
        }
        if (values_mode) {
            err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "ORDER BY expressions on VALUES must name a column");
            return bind_error_at(ctx, x->loc);
        }
        ExprEnv oenv = {&scope, CL_ORDER_BY, &aggs, false};
        Expr *e;
        WinCollector *saved_wc = ctx->win_cur;
        uint8_t saved_wctx = ctx->win_ctx;
        ctx->win_cur = &wins;
        ctx->win_ctx = 0;
        ctx->srf_cur = &srfs;
        rc = bind_expr(ctx, &oenv, x, &e);
        ctx->srf_cur = NULL;
        ctx->win_cur = saved_wc;
        ctx->win_ctx = saved_wctx;
        if (rc)
            return rc;
        for (uint32_t k = 0; k < tg.n; k++)
            if (expr_equal(tg.exprs[k], e)) {
                order_target[i] = (int32_t)k;
                break;
            }
        if (order_target[i] < 0) {
            if (s->distinct && !n_on) {
                err_set_state(ctx->err, TARN_ERR_INVALID, "42P10", "for SELECT DISTINCT, ORDER BY expressions must appear in select list");
                return bind_error_at(ctx, x->loc);
            }
            order_target[i] = (int32_t)tg.n;
            if ((rc = targets_add(ctx, &tg, e, i < no ? "?order?" : "?distinct on?")))
                return rc;
        }
    }
    if (n_on && (rc = check_distinct_on(ctx, s, order_target, no)))
        return rc;
    /* Aggregation */
    bool is_agg = grouped || aggs.n > 0 || having || aggs.has_grouping;
    uint32_t ng_all = gsets.n_sets ? ng + 1 : ng; /* with the set number */
    AggRewrite srf_ar = {0};
    for (uint32_t i = 0; i < ng && srfs.n; i++)
        if (bind_srf_refs(&srfs, groups[i])) {
            err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "set-returning functions in GROUP BY are not supported");
            return bind_error_at(ctx, s->group_by.n ? s->group_by.items[0]->loc : s->loc);
        }
    if (is_agg && (rc = plan_distinct_aggs(ctx, &plan, groups, ng, &aggs, gsets.n_sets > 0)))
        return rc;
    if (is_agg) {
        LogicalOp *ag = lop_new(ctx->a, LOP_AGGREGATE, 1);
        if (!ag)
            return nomem(ctx);
        ag->children[0] = plan;
        ag->u.agg.group_index = ctx->next_table++;
        ag->u.agg.agg_index = ctx->next_table++;
        ag->u.agg.groups = groups;
        ag->u.agg.n_groups = ng_all;
        ag->u.agg.set_masks = (uint64_t *)gsets.masks;
        ag->u.agg.n_sets = gsets.n_sets;
        if (plan->kind == LOP_AGGREGATE && plan->u.agg.n_aggs == 0 && distinct_inner(plan, groups, ng)) {
            /* DISTINCT aggregates: group by the inner aggregate's outputs */
            Expr **g2 = arena_alloc(ctx->a, (ng ? ng : 1) * sizeof(Expr *));
            if (!g2)
                return nomem(ctx);
            for (uint32_t i = 0; i < ng; i++)
                if (!(g2[i] = expr_colref(ctx->a, plan->out[i], plan->out_types[i], plan->out_names[i])))
                    return nomem(ctx);
            ag->u.agg.groups = g2;
        }
        ag->u.agg.aggs = aggs.aggs;
        ag->u.agg.n_aggs = aggs.n;
        if (lop_resolve(ctx->a, ag, false))
            return nomem(ctx);
        plan = ag;
        srf_ar = (AggRewrite){groups, ng, ag->u.agg.group_index, ag->u.agg.agg_index, &aggs, &gsets};
        ctx->wins = &wins;
        ctx->srf_rw = &srfs;
        for (uint32_t i = 0; i < tg.n; i++)
            if ((rc = rewrite_agg(ctx, tg.exprs[i], groups, ng, ag->u.agg.group_index, ag->u.agg.agg_index, &aggs,
                                  &gsets, &tg.exprs[i])))
                return rc;
        ctx->wins = NULL;
        ctx->srf_rw = NULL;
        if (having) {
            if ((rc = rewrite_agg(ctx, having, groups, ng, ag->u.agg.group_index, ag->u.agg.agg_index, &aggs, &gsets,
                                  &having)))
                return rc;
            if (!(plan = mk_filter(ctx, plan, having)))
                return nomem(ctx);
        }
        if (wins.n) {
            AggRewrite ar = {groups, ng, ag->u.agg.group_index, ag->u.agg.agg_index, &aggs, &gsets};
            if ((rc = bind_window_plan(ctx, &wins, &plan, rewrite_agg_cb, &ar)))
                return rc;
        }
    } else if (wins.n && (rc = bind_window_plan(ctx, &wins, &plan, NULL, NULL))) {
        return rc;
    }
    /* set-returning functions of the select list / ORDER BY (bind_srf.c) */
    if (srfs.n && (rc = bind_srf_plan(ctx, &srfs, &plan, is_agg ? rewrite_agg_cb : NULL, is_agg ? &srf_ar : NULL)))
        return rc;
    /* Projection */
    if (!values_mode || tg.n != plan->n_out) {
        if (!(plan = mk_project(ctx, plan, tg.exprs, tg.n)))
            return nomem(ctx);
        for (uint32_t i = 0; i < tg.n; i++)
            plan->out_names[i] = tg.names[i];
    }
    /* DISTINCT */
    if (n_on) {
        if ((rc = plan_distinct_on(ctx, &plan, order, order_target, no, order_target + no, n_on)))
            return rc;
    } else if (s->distinct) {
        LogicalOp *ag = lop_new(ctx->a, LOP_AGGREGATE, 1);
        if (!ag)
            return nomem(ctx);
        ag->children[0] = plan;
        ag->u.agg.group_index = ctx->next_table++;
        ag->u.agg.agg_index = ctx->next_table++;
        ag->u.agg.n_groups = plan->n_out;
        ag->u.agg.groups = arena_alloc(ctx->a, (plan->n_out ? plan->n_out : 1) * sizeof(Expr *));
        if (!ag->u.agg.groups)
            return nomem(ctx);
        for (uint32_t i = 0; i < plan->n_out; i++)
            if (!(ag->u.agg.groups[i] = expr_colref(ctx->a, plan->out[i], plan->out_types[i], plan->out_names[i])))
                return nomem(ctx);
        if (lop_resolve(ctx->a, ag, false))
            return nomem(ctx);
        for (uint32_t i = 0; i < plan->n_out; i++)
            ag->out_names[i] = plan->out_names[i];
        plan = ag;
    }
    /* ORDER BY over the projection's outputs */
    if (no) {
        LogicalOp *so = lop_new(ctx->a, LOP_SORT, 1);
        if (!so)
            return nomem(ctx);
        so->children[0] = plan;
        for (uint32_t i = 0; i < no; i++) {
            uint32_t k = (uint32_t)order_target[i];
            if (!(order[i].expr = expr_colref(ctx->a, plan->out[k], plan->out_types[k], plan->out_names[k])))
                return nomem(ctx);
        }
        so->u.sort.items = order;
        so->u.sort.n_items = no;
        so->u.sort.limit = -1;
        if (lop_resolve(ctx->a, so, false))
            return nomem(ctx);
        plan = so;
    }
    if (s->limit || s->offset) {
        LogicalOp *li = lop_new(ctx->a, LOP_LIMIT, 1);
        if (!li)
            return nomem(ctx);
        li->children[0] = plan;
        li->u.limit.limit = -1;
        li->u.limit.offset = 0;
        if (s->limit && (rc = limit_value_in(ctx, parent, s->limit, "LIMIT", &li->u.limit.limit)))
            return rc;
        if (s->offset && (rc = limit_value_in(ctx, parent, s->offset, "OFFSET", &li->u.limit.offset)))
            return rc;
        if (lop_resolve(ctx->a, li, false))
            return nomem(ctx);
        plan = li;
    }
    /* Drop hidden ORDER BY columns. */
    if (tg.n > n_visible) {
        Expr **ex = arena_alloc(ctx->a, n_visible * sizeof(Expr *));
        if (!ex)
            return nomem(ctx);
        for (uint32_t i = 0; i < n_visible; i++)
            if (!(ex[i] = expr_colref(ctx->a, plan->out[i], plan->out_types[i], tg.names[i])))
                return nomem(ctx);
        if (!(plan = mk_project(ctx, plan, ex, n_visible)))
            return nomem(ctx);
    }
    out->plan = plan;
    out->n_cols = n_visible;
    out->names = arena_alloc(ctx->a, (n_visible ? n_visible : 1) * sizeof(char *));
    out->types = arena_alloc(ctx->a, (n_visible ? n_visible : 1) * sizeof(LogicalType));
    out->unknown = arena_calloc(ctx->a, (n_visible ? n_visible : 1) * sizeof(bool));
    if (!out->names || !out->types || !out->unknown)
        return nomem(ctx);
    for (uint32_t i = 0; i < n_visible; i++) {
        out->names[i] = tg.names[i];
        out->types[i] = plan->out_types[i];
        if (tg.exprs[i]->unknown && !values_mode) {
            out->unknown[i] = true;
            tg.exprs[i]->unknown = false; /* an unknown output is text (PostgreSQL) */
        }
    }
    return 0;
}

static LogicalOp *mk_distinct(BindCtx *ctx, LogicalOp *plan, const LogicalType *types, const char **names, uint32_t n)
{
    LogicalOp *ag = lop_new(ctx->a, LOP_AGGREGATE, 1);
    if (!ag)
        return NULL;
    ag->children[0] = plan;
    ag->u.agg.group_index = ctx->next_table++;
    ag->u.agg.agg_index = ctx->next_table++;
    ag->u.agg.n_groups = n;
    ag->u.agg.groups = arena_alloc(ctx->a, (n ? n : 1) * sizeof(Expr *));
    if (!ag->u.agg.groups)
        return NULL;
    for (uint32_t i = 0; i < n; i++)
        if (!(ag->u.agg.groups[i] = expr_colref(ctx->a, plan->out[i], types[i], names[i])))
            return NULL;
    if (lop_resolve(ctx->a, ag, false))
        return NULL;
    for (uint32_t i = 0; i < n; i++)
        ag->out_names[i] = names[i];
    return ag;
}

/* plan with a row_number() OVER (PARTITION BY every column) appended:
 * the k-th copy of each distinct row gets number k. */
static LogicalOp *mk_dup_number(BindCtx *ctx, LogicalOp *plan, const LogicalType *types, const char **names, uint32_t n)
{
    LogicalOp *w = lop_new(ctx->a, LOP_WINDOW, 1);
    WinCall *c = arena_calloc(ctx->a, sizeof(WinCall));
    Expr **part = arena_alloc(ctx->a, (n ? n : 1) * sizeof(Expr *));
    if (!w || !c || !part)
        return NULL;
    for (uint32_t i = 0; i < n; i++)
        if (!(part[i] = expr_colref(ctx->a, plan->out[i], types[i], names[i])))
            return NULL;
    c->kind = WIN_ROW_NUMBER;
    c->agg.type = type_simple(TYPE_INT64);
    c->agg.name = "row_number";
    c->frame = WFRAME_RANGE | WFRAME_START_UNBOUNDED_PRECEDING | WFRAME_END_CURRENT_ROW;
    c->table_index = ctx->next_table++;
    c->loc = -1;
    w->children[0] = plan;
    w->u.win.part = part;
    w->u.win.n_part = n;
    w->u.win.calls = c;
    w->u.win.n_calls = 1;
    w->est_rows = plan->est_rows;
    if (lop_resolve(ctx->a, w, false))
        return NULL;
    return w;
}

/* INTERSECT ALL / EXCEPT ALL (multisets: min(m, n) and max(m - n, 0)
 * copies): number the copies of each distinct row on both sides, then a
 * semi (anti) join on the columns and the copy number, NULLs equal: the
 * left's k-th copy survives when the right has (has no) k-th copy. */
static int plan_setop_all(BindCtx *ctx, bool intersect, LogicalOp *lp, LogicalOp *rp, const LogicalType *types,
                          const char **names, uint32_t n, LogicalOp **out)
{
    LogicalOp *lw = mk_dup_number(ctx, lp, types, names, n);
    LogicalOp *rw = mk_dup_number(ctx, rp, types, names, n);
    LogicalOp *j = lop_new(ctx->a, LOP_JOIN, 2);
    if (!lw || !rw || !j || !(j->u.join.conds = arena_alloc(ctx->a, (n + 1) * sizeof(Expr *))))
        return nomem(ctx);
    j->u.join.kind = intersect ? JOIN_SEMI : JOIN_ANTI;
    j->u.join.null_safe = true;
    j->children[0] = lw;
    j->children[1] = rw;
    for (uint32_t i = 0; i <= n; i++) {
        LogicalType t = i < n ? types[i] : type_simple(TYPE_INT64);
        const char *nm = i < n ? names[i] : "row_number";
        Expr *a = expr_colref(ctx->a, lw->out[i], t, nm);
        Expr *b = expr_colref(ctx->a, rw->out[i], t, nm);
        int rc;
        if (!a || !b || (rc = bind_operator(ctx, "=", a, b, -1, &j->u.join.conds[i])))
            return a && b ? rc : nomem(ctx);
    }
    j->u.join.n_conds = n + 1;
    j->est_rows = lw->est_rows;
    if (lop_resolve(ctx->a, j, false))
        return nomem(ctx);
    Expr **ex = arena_alloc(ctx->a, (n ? n : 1) * sizeof(Expr *));
    if (!ex)
        return nomem(ctx);
    for (uint32_t i = 0; i < n; i++)
        if (!(ex[i] = expr_colref(ctx->a, j->out[i], types[i], names[i])))
            return nomem(ctx);
    LogicalOp *p = mk_project(ctx, j, ex, n);
    if (!p)
        return nomem(ctx);
    for (uint32_t i = 0; i < n; i++)
        p->out_names[i] = names[i];
    *out = p;
    return 0;
}

/* UNION [ALL], INTERSECT, EXCEPT (the last two without ALL): INTERSECT is
 * DISTINCT(left) semi-joined with right on all columns, NULLs equal;
 * EXCEPT the same with an anti join. */
static int bind_setop(BindCtx *ctx, const AstSelect *s, Scope *parent, BoundQuery *out)
{
    const char *opname = s->op == SETOP_UNION ? "UNION" : s->op == SETOP_INTERSECT ? "INTERSECT" : "EXCEPT";
    BoundQuery l, r;
    int rc;
    if ((rc = bind_query_scoped(ctx, s->larg, parent, &l)) || (rc = bind_query_scoped(ctx, s->rarg, parent, &r)))
        return rc;
    if (l.n_cols != r.n_cols) {
        err_set_state(ctx->err, TARN_ERR_SYNTAX, "42601", "each %s query must have the same number of columns", opname);
        return bind_error_at(ctx, s->rarg->loc);
    }
    uint32_t n = l.n_cols;
    /* column types: common type per column; cast each side by a projection */
    LogicalType *types = arena_alloc(ctx->a, (n ? n : 1) * sizeof(LogicalType));
    if (!types)
        return nomem(ctx);
    for (uint32_t i = 0; i < n; i++) {
        Expr *a = expr_colref(ctx->a, l.plan->out[i], l.types[i], l.names[i]);
        Expr *b = expr_colref(ctx->a, r.plan->out[i], r.types[i], r.names[i]);
        if (!a || !b)
            return nomem(ctx);
        a->unknown = l.unknown && l.unknown[i];
        b->unknown = r.unknown && r.unknown[i];
        Expr *pair[2] = {a, b};
        if ((rc = bind_common_type(ctx, pair, 2, opname, &types[i])))
            return rc;
    }
    BoundQuery *sides[2] = {&l, &r};
    for (int sdx = 0; sdx < 2; sdx++) {
        BoundQuery *q = sides[sdx];
        bool need = false;
        for (uint32_t i = 0; i < n; i++)
            if (!type_equal(&q->types[i], &types[i]))
                need = true;
        if (!need)
            continue;
        Expr **ex = arena_alloc(ctx->a, (n ? n : 1) * sizeof(Expr *));
        if (!ex)
            return nomem(ctx);
        for (uint32_t i = 0; i < n; i++) {
            Expr *c = expr_colref(ctx->a, q->plan->out[i], q->types[i], q->names[i]);
            if (c)
                c->unknown = q->unknown && q->unknown[i]; /* 'a' UNION 1: cast the text like a literal */
            if (c && c->unknown && ctx->params && (rc = bind_param_alias(ctx, q->plan, i, c)))
                return rc;
            if (!c || (rc = bind_coerce(ctx, c, &types[i], CAST_IMPLICIT, &ex[i])))
                return c ? rc : nomem(ctx);
        }
        if (!(q->plan = mk_project(ctx, q->plan, ex, n)))
            return nomem(ctx);
    }
    LogicalOp *plan = NULL;
    if (s->op != SETOP_UNION && s->all) {
        if ((rc = plan_setop_all(ctx, s->op == SETOP_INTERSECT, l.plan, r.plan, types, l.names, n, &plan)))
            return rc;
        goto order_limit;
    }
    if (s->op != SETOP_UNION) {
        LogicalOp *ld = mk_distinct(ctx, l.plan, types, l.names, n);
        LogicalOp *j = lop_new(ctx->a, LOP_JOIN, 2);
        if (!ld || !j)
            return nomem(ctx);
        j->u.join.kind = s->op == SETOP_INTERSECT ? JOIN_SEMI : JOIN_ANTI;
        j->u.join.null_safe = true;
        j->children[0] = ld;
        j->children[1] = r.plan;
        j->u.join.conds = arena_alloc(ctx->a, (n ? n : 1) * sizeof(Expr *));
        if (!j->u.join.conds)
            return nomem(ctx);
        for (uint32_t i = 0; i < n; i++) {
            Expr *a = expr_colref(ctx->a, ld->out[i], types[i], l.names[i]);
            Expr *b = expr_colref(ctx->a, r.plan->out[i], types[i], r.names[i]);
            if (!a || !b || (rc = bind_operator(ctx, "=", a, b, -1, &j->u.join.conds[i])))
                return a && b ? rc : nomem(ctx);
        }
        j->u.join.n_conds = n;
        if (lop_resolve(ctx->a, j, false))
            return nomem(ctx);
        plan = j;
        goto order_limit;
    }
    LogicalOp *u = lop_new(ctx->a, LOP_UNION, 2);
    if (!u)
        return nomem(ctx);
    u->children[0] = l.plan;
    u->children[1] = r.plan;
    u->u.setop.table_index = ctx->next_table++;
    u->est_rows = l.plan->est_rows + r.plan->est_rows;
    if (lop_resolve(ctx->a, u, false))
        return nomem(ctx);
    for (uint32_t i = 0; i < n; i++) {
        u->out_names[i] = l.names[i];
        u->out_types[i] = types[i];
    }
    plan = u;
    if (!s->all) {
        LogicalOp *ag = lop_new(ctx->a, LOP_AGGREGATE, 1);
        if (!ag)
            return nomem(ctx);
        ag->children[0] = plan;
        ag->u.agg.group_index = ctx->next_table++;
        ag->u.agg.agg_index = ctx->next_table++;
        ag->u.agg.n_groups = n;
        ag->u.agg.groups = arena_alloc(ctx->a, (n ? n : 1) * sizeof(Expr *));
        if (!ag->u.agg.groups)
            return nomem(ctx);
        for (uint32_t i = 0; i < n; i++)
            if (!(ag->u.agg.groups[i] = expr_colref(ctx->a, plan->out[i], types[i], l.names[i])))
                return nomem(ctx);
        if (lop_resolve(ctx->a, ag, false))
            return nomem(ctx);
        for (uint32_t i = 0; i < n; i++)
            ag->out_names[i] = l.names[i];
        plan = ag;
    }
order_limit:
    /* ORDER BY / LIMIT of the whole set operation: output names or positions */
    if (s->order_by.n) {
        LogicalOp *so = lop_new(ctx->a, LOP_SORT, 1);
        SortItem *items = arena_calloc(ctx->a, s->order_by.n * sizeof(SortItem));
        if (!so || !items)
            return nomem(ctx);
        so->children[0] = plan;
        for (uint32_t i = 0; i < s->order_by.n; i++) {
            const AstNode *sb = s->order_by.items[i];
            const AstNode *x = sb->kind == AST_SORT_BY ? sb->u.sortby.expr : sb;
            int dir = sb->kind == AST_SORT_BY ? sb->u.sortby.dir : 0, nulls = sb->kind == AST_SORT_BY ? sb->u.sortby.nulls : 0;
            items[i].desc = dir == 2;
            items[i].nulls_first = nulls == 1 || (nulls == 0 && dir == 2);
            int64_t pos;
            int k = -1;
            if (is_int_const(ctx, x, &pos)) {
                if (pos < 1 || pos > n) {
                    err_set_state(ctx->err, TARN_ERR_INVALID, "42P10", "ORDER BY position %lld is not in select list", (long long)pos);
                    return bind_error_at(ctx, x->loc);
                }
                k = (int)pos - 1;
            } else if (x->kind == AST_COLUMN_REF && x->u.colref.n == 1) {
                for (uint32_t c = 0; c < n; c++)
                    if (!strcmp(l.names[c], x->u.colref.names[0])) {
                        k = (int)c;
                        break;
                    }
            }
            if (k < 0) {
                err_set_state(ctx->err, TARN_ERR_INVALID, "0A000",
                              "invalid UNION/INTERSECT/EXCEPT ORDER BY clause");
                err_detail(ctx->err, "Only result column names can be used, not expressions or functions.");
                return bind_error_at(ctx, x->loc);
            }
            if (!(items[i].expr = expr_colref(ctx->a, plan->out[k], types[k], l.names[k])))
                return nomem(ctx);
        }
        so->u.sort.items = items;
        so->u.sort.n_items = s->order_by.n;
        so->u.sort.limit = -1;
        if (lop_resolve(ctx->a, so, false))
            return nomem(ctx);
        plan = so;
    }
    if (s->limit || s->offset) {
        LogicalOp *li = lop_new(ctx->a, LOP_LIMIT, 1);
        if (!li)
            return nomem(ctx);
        li->children[0] = plan;
        li->u.limit.limit = -1;
        if (s->limit && (rc = limit_value_in(ctx, parent, s->limit, "LIMIT", &li->u.limit.limit)))
            return rc;
        if (s->offset && (rc = limit_value_in(ctx, parent, s->offset, "OFFSET", &li->u.limit.offset)))
            return rc;
        if (lop_resolve(ctx->a, li, false))
            return nomem(ctx);
        plan = li;
    }
    out->plan = plan;
    out->n_cols = n;
    out->names = l.names;
    out->types = types;
    out->unknown = NULL;
    return 0;
}

/* ---- WITH RECURSIVE ----------------------------------------------------------------------------------- */

/* True when the plan of a recursive term computes aggregates at its own
 * level (not inside a FROM subquery): PostgreSQL refuses that. */
static bool rec_term_has_aggs(const LogicalOp *op)
{
    while (op->kind == LOP_PROJECT || op->kind == LOP_FILTER || op->kind == LOP_SORT || op->kind == LOP_LIMIT ||
           (op->kind == LOP_AGGREGATE && op->u.agg.n_aggs == 0 && op->n_children == 1 &&
            op->children[0]->kind == LOP_PROJECT)) /* DISTINCT over the select list */
        op = op->children[0];
    return op->kind == LOP_AGGREGATE;
}

/* Binds the body of recursive CTE c (declared in WITH RECURSIVE) into q:
 * a LOP_RECURSIVE when the body refers to itself, else the plain query. */
static int bind_recursive_cte(BindCtx *ctx, CteDef *c, BoundQuery *q)
{
    const AstSelect *s = c->node->u.cte.select;
    CteDef *saved = ctx->ctes;
    int rc;
    ctx->ctes = c->visible;
    /* the CTEs whose bodies are being bound around this one may not be
     * referred to from here: that would be mutual recursion */
    for (CteDef *o = c->visible; o; o = o->next)
        if (o != c && o->phase != CTE_IDLE && o->phase != CTE_BLOCKED) {
            o->blocked_phase = o->phase;
            o->blocked_by = c;
            o->phase = CTE_BLOCKED;
        }
    if (s->op != SETOP_UNION || s->ctes.n) {
        /* a self reference here is not of the recursive form */
        c->phase = CTE_PLAIN;
        rc = bind_query_scoped(ctx, s, c->outer, q);
        goto done;
    }
    c->phase = CTE_ANCHOR;
    BoundQuery l, r;
    memset(&l, 0, sizeof l);
    memset(&r, 0, sizeof r);
    if ((rc = bind_query_scoped(ctx, s->larg, c->outer, &l)))
        goto done;
    LogicalOp *rec = lop_new(ctx->a, LOP_RECURSIVE, 2);
    uint32_t n = l.n_cols;
    if (!rec || !(rec->u.rec.types = arena_alloc(ctx->a, (n ? n : 1) * sizeof(LogicalType))) ||
        !(rec->u.rec.names = arena_alloc(ctx->a, (n ? n : 1) * sizeof(char *)))) {
        rc = nomem(ctx);
        goto done;
    }
    if (c->node->u.cte.col_names.n > n) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "42P10", "WITH query \"%s\" has %u columns available but %u columns specified",
                      c->name, n, c->node->u.cte.col_names.n);
        rc = bind_error_at(ctx, c->node->loc);
        goto done;
    }
    rec->u.rec.table_index = ctx->next_table++;
    rec->u.rec.n_cols = n;
    rec->u.rec.union_all = s->all;
    for (uint32_t i = 0; i < n; i++) {
        rec->u.rec.types[i] = l.types[i];
        if (rec->u.rec.types[i].id == TYPE_NULL)
            rec->u.rec.types[i] = type_simple(TYPE_STRING); /* an untyped NULL: text, as PostgreSQL */
        rec->u.rec.names[i] = i < c->node->u.cte.col_names.n ? c->node->u.cte.col_names.items[i]->u.cnst.text : l.names[i];
    }
    c->phase = CTE_RECURSIVE;
    c->rec_op = rec;
    c->n_refs = 0;
    rc = bind_query_scoped(ctx, s->rarg, c->outer, &r);
    c->phase = CTE_IDLE;
    if (rc)
        goto done;
    if (c->n_refs == 0) {
        /* not recursive after all: an ordinary CTE */
        c->phase = CTE_PLAIN;
        rc = bind_query_scoped(ctx, s, c->outer, q);
        goto done;
    }
    if (s->order_by.n) {
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "ORDER BY in a recursive query is not implemented");
        rc = bind_error_at(ctx, s->order_by.items[0]->loc);
        goto done;
    }
    if (s->offset || s->limit) {
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "%s in a recursive query is not implemented",
                      s->offset ? "OFFSET" : "LIMIT");
        rc = bind_error_at(ctx, (s->offset ? s->offset : s->limit)->loc);
        goto done;
    }
    if (rec_term_has_aggs(r.plan)) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "42P19",
                      "aggregate functions are not allowed in a recursive query's recursive term");
        rc = bind_error_at(ctx, s->rarg->targets.n ? s->rarg->targets.items[0]->loc : s->rarg->loc);
        goto done;
    }
    if (r.n_cols != n) {
        err_set_state(ctx->err, TARN_ERR_SYNTAX, "42601", "each UNION query must have the same number of columns");
        rc = bind_error_at(ctx, s->rarg->targets.n ? s->rarg->targets.items[0]->loc : s->rarg->loc);
        goto done;
    }
    /* the non-recursive term fixes the column types; the recursive term is
     * cast to them when UNION's rules allow it */
    Expr **ex = arena_alloc(ctx->a, (n ? n : 1) * sizeof(Expr *));
    Expr **lx = arena_alloc(ctx->a, (n ? n : 1) * sizeof(Expr *));
    if (!ex || !lx) {
        rc = nomem(ctx);
        goto done;
    }
    bool cast_l = false;
    for (uint32_t i = 0; i < n; i++) {
        Expr *a = expr_colref(ctx->a, l.plan->out[i], l.types[i], l.names[i]);
        Expr *b = expr_colref(ctx->a, r.plan->out[i], r.types[i], r.names[i]);
        if (!a || !b) {
            rc = nomem(ctx);
            goto done;
        }
        a->unknown = l.unknown && l.unknown[i];
        b->unknown = r.unknown && r.unknown[i];
        LogicalType ct;
        Expr *pair[2] = {a, b};
        if ((rc = bind_common_type(ctx, pair, 2, "UNION", &ct)))
            goto done;
        if (!type_equal(&ct, &rec->u.rec.types[i]) && !a->unknown) {
            char t1[64], t2[64];
            err_set_state(ctx->err, TARN_ERR_TYPE, "42804",
                          "recursive query \"%s\" column %u has type %s in non-recursive term but type %s overall", c->name,
                          i + 1, sqltype_name(&rec->u.rec.types[i], t1, sizeof t1), sqltype_name(&ct, t2, sizeof t2));
            err_hint(ctx->err, "Cast the output of the non-recursive term to the correct type.");
            const AstSelect *ls = s->larg;
            rc = bind_error_at(ctx, ls->op == SETOP_NONE && i < ls->targets.n ? ls->targets.items[i]->u.target.val->loc
                                                                                 : ls->loc);
            goto done;
        }
        if (!type_equal(&l.types[i], &rec->u.rec.types[i]))
            cast_l = true;
        if ((rc = bind_coerce(ctx, a, &rec->u.rec.types[i], CAST_IMPLICIT, &lx[i])) ||
            (rc = bind_coerce(ctx, b, &rec->u.rec.types[i], CAST_IMPLICIT, &ex[i])))
            goto done;
    }
    LogicalOp *lp = l.plan, *rp = mk_project(ctx, r.plan, ex, n);
    if (cast_l)
        lp = mk_project(ctx, l.plan, lx, n);
    if (!lp || !rp) {
        rc = nomem(ctx);
        goto done;
    }
    rec->children[0] = lp;
    rec->children[1] = rp;
    rec->est_rows = (lp->est_rows > 0 ? lp->est_rows : 1) * 10;
    if (lop_resolve(ctx->a, rec, false)) {
        rc = nomem(ctx);
        goto done;
    }
    q->plan = rec;
    q->n_cols = n;
    q->names = rec->u.rec.names;
    q->types = rec->u.rec.types;
    q->unknown = NULL;
done:
    c->phase = CTE_IDLE;
    for (CteDef *o = c->visible; o; o = o->next)
        if (o != c && o->phase == CTE_BLOCKED && o->blocked_by == c) {
            o->phase = o->blocked_phase;
            o->blocked_by = NULL;
        }
    ctx->ctes = saved;
    return rc;
}

/* A reference to a CTE of a WITH RECURSIVE list: its own recursive term's
 * reference becomes the working table, others bind the CTE. */
static int bind_rec_cte_ref(BindCtx *ctx, Scope *scope, CteDef *c, const AstNode *n, LogicalOp **out)
{
    const char *alias = n->u.rangevar.alias ? n->u.rangevar.alias : c->name;
    int rc;
    switch (c->phase) {
    case CTE_BLOCKED:
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "mutual recursion between WITH items is not implemented");
        return bind_error_at(ctx, c->node->loc);
    case CTE_PLAIN:
        err_set_state(ctx->err, TARN_ERR_INVALID, "42P19",
                      "recursive query \"%s\" does not have the form non-recursive-term UNION [ALL] recursive-term", c->name);
        return bind_error_at(ctx, c->node->loc);
    case CTE_ANCHOR:
        err_set_state(ctx->err, TARN_ERR_INVALID, "42P19",
                      "recursive reference to query \"%s\" must not appear within its non-recursive term", c->name);
        return bind_error_at(ctx, n->loc);
    case CTE_RECURSIVE: {
        c->ref_loc = n->loc;
        if (scope->parent != c->outer) {
            c->n_refs++;
            return rec_ref_error(ctx, "a subquery", n->loc);
        }
        if (c->n_refs++) {
            err_set_state(ctx->err, TARN_ERR_INVALID, "42P19", "recursive reference to query \"%s\" must not appear more than once",
                          c->name);
            return bind_error_at(ctx, n->loc);
        }
        LogicalOp *w = lop_new(ctx->a, LOP_WORKTABLE, 0);
        if (!w)
            return nomem(ctx);
        w->u.work.table_index = ctx->next_table++;
        w->u.work.rec = c->rec_op;
        w->est_rows = 100;
        if (lop_resolve(ctx->a, w, false))
            return nomem(ctx);
        ScopeItem it;
        if ((rc = item_from_op(ctx, w, alias, NULL, &n->u.rangevar.col_aliases, c->rec_op->u.rec.names, &it)) ||
            (rc = scope_add_item(ctx, scope, &it)))
            return bind_error_at(ctx, n->loc);
        *out = w;
        return 0;
    }
    default: break;
    }
    BoundQuery q;
    if ((rc = bind_recursive_cte(ctx, c, &q)))
        return rc;
    if (c->node->u.cte.col_names.n > q.n_cols) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "42P10", "WITH query \"%s\" has %u columns available but %u columns specified",
                      c->name, q.n_cols, c->node->u.cte.col_names.n);
        return bind_error_at(ctx, c->node->loc);
    }
    for (uint32_t i = 0; i < c->node->u.cte.col_names.n; i++)
        q.names[i] = c->node->u.cte.col_names.items[i]->u.cnst.text;
    return add_query_item(ctx, scope, &q, alias, &n->u.rangevar.col_aliases, out);
}

int bind_query_scoped(BindCtx *ctx, const AstSelect *s, Scope *parent, BoundQuery *out)
{
    CteDef *saved = ctx->ctes;
    int rc = 0;
    if (s->ctes.n) {
        for (uint32_t i = 0; i < s->ctes.n; i++) {
            CteDef *c = arena_calloc(ctx->a, sizeof *c);
            if (!c)
                return nomem(ctx);
            c->name = s->ctes.items[i]->u.cte.name;
            c->node = s->ctes.items[i];
            for (CteDef *o = ctx->ctes; o && o != saved; o = o->next)
                if (!strcmp(o->name, c->name)) {
                    err_set_state(ctx->err, TARN_ERR_INVALID, "42712", "WITH query name \"%s\" specified more than once", c->name);
                    ctx->ctes = saved;
                    return bind_error_at(ctx, c->node->loc);
                }
            c->visible = ctx->ctes;
            c->outer = parent;
            c->rec_with = s->recursive;
            c->next = ctx->ctes;
            ctx->ctes = c;
        }
        /* WITH RECURSIVE: every entry sees the whole list, itself included */
        if (s->recursive)
            for (CteDef *c = ctx->ctes; c && c != saved; c = c->next)
                c->visible = ctx->ctes;
    }
    /* a nested query has its own set-returning calls (bind_srf.c) */
    struct SrfCollector *saved_srf = ctx->srf_cur;
    const char *saved_block = ctx->srf_block;
    ctx->srf_cur = NULL;
    ctx->srf_block = NULL;
    if (s->op != SETOP_NONE)
        rc = bind_setop(ctx, s, parent, out);
    else
        rc = bind_select_core(ctx, s, parent, out);
    ctx->srf_cur = saved_srf;
    ctx->srf_block = saved_block;
    ctx->ctes = saved;
    return rc;
}

int bind_query(BindCtx *ctx, const AstSelect *s, BoundQuery *out)
{
    struct CteShareRef *mark = ctx->share_refs;
    int rc = bind_query_scoped(ctx, s, NULL, out);
    if (rc) {
        ctx->share_refs = mark;
        return rc;
    }
    return bind_share_finish(ctx, mark);
}

/* ---- INSERT ------------------------------------------------------------------------------------------ */

int bind_insert(BindCtx *ctx, const AstStmt *st, CatalogRel *rel, const Schema *ts, BoundQuery *out)
{
    const AstList *cols = &st->u.insert.columns;
    uint32_t nt = ts->n_fields;
    int rc;
    /* target column positions */
    uint32_t n_target = cols->n ? cols->n : nt;
    int32_t *target = arena_alloc(ctx->a, (n_target ? n_target : 1) * sizeof(int32_t));
    int32_t *src_of = arena_alloc(ctx->a, (nt ? nt : 1) * sizeof(int32_t));
    if (!target || !src_of)
        return nomem(ctx);
    for (uint32_t i = 0; i < nt; i++)
        src_of[i] = -1;
    for (uint32_t i = 0; i < n_target; i++) {
        if (cols->n) {
            const char *cn = cols->items[i]->u.colref.names[0];
            int k = schema_find(ts, cn);
            if (k < 0) {
                err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42703", "column \"%s\" of relation \"%s\" does not exist", cn, rel->name);
                return bind_error_at(ctx, cols->items[i]->loc);
            }
            if (src_of[k] >= 0) {
                err_set_state(ctx->err, TARN_ERR_INVALID, "42701", "column \"%s\" specified more than once", cn);
                return bind_error_at(ctx, cols->items[i]->loc);
            }
            target[i] = k;
        } else {
            target[i] = (int32_t)i;
        }
        src_of[target[i]] = (int32_t)i;
    }
    const AstSelect *sel = st->u.insert.select;
    LogicalOp *plan;
    if (!sel) {
        /* DEFAULT VALUES */
        plan = lop_new(ctx->a, LOP_DUMMY, 0);
        if (!plan || lop_resolve(ctx->a, plan, false))
            return nomem(ctx);
        n_target = 0;
        for (uint32_t i = 0; i < nt; i++)
            src_of[i] = -1;
    } else if (sel->values.n && sel->op == SETOP_NONE && !sel->order_by.n && !sel->limit && !sel->ctes.n) {
        /* VALUES: each expression coerced straight to its column's type, so
         * literals take the column's type as in PostgreSQL */
        uint32_t nr = sel->values.n;
        Scope scope;
        memset(&scope, 0, sizeof scope);
        ExprEnv env = {&scope, CL_VALUES, NULL, false};
        Expr ***rows = arena_alloc(ctx->a, nr * sizeof(Expr **));
        if (!rows)
            return nomem(ctx);
        for (uint32_t r = 0; r < nr; r++) {
            const AstList *l = &sel->values.items[r]->u.list.args;
            if (l->n > n_target) {
                err_set_state(ctx->err, TARN_ERR_SYNTAX, "42601", "INSERT has more expressions than target columns");
                return bind_error_at(ctx, l->items[n_target]->loc);
            }
            if (l->n < n_target && cols->n) {
                err_set_state(ctx->err, TARN_ERR_SYNTAX, "42601", "INSERT has more target columns than expressions");
                return bind_error_at(ctx, cols->items[l->n]->loc);
            }
            rows[r] = arena_alloc(ctx->a, (nt ? nt : 1) * sizeof(Expr *));
            if (!rows[r])
                return nomem(ctx);
            for (uint32_t c = 0; c < nt; c++) {
                int32_t si = src_of[c];
                const LogicalType *ct = &ts->fields[c].type;
                if (si < 0 || (uint32_t)si >= l->n) {
                    Value nv = value_null();
                    if (!(rows[r][c] = expr_const(ctx->a, &nv, *ct, -1)))
                        return nomem(ctx);
                    rows[r][c]->u.cnst.is_null = true;
                    continue;
                }
                const AstNode *x = l->items[si];
                if (x->kind == AST_COLUMN_REF && x->u.colref.n == 1 && !strcmp(x->u.colref.names[0], "default")) {
                    Value nv = value_null();
                    if (!(rows[r][c] = expr_const(ctx->a, &nv, *ct, -1)))
                        return nomem(ctx);
                    rows[r][c]->u.cnst.is_null = true;
                    continue;
                }
                Expr *e;
                if ((rc = bind_expr(ctx, &env, x, &e)))
                    return rc;
                if ((rc = bind_coerce(ctx, e, ct, CAST_ASSIGNMENT, &rows[r][c]))) {
                    if (ctx->err->sqlstate[0] && !strcmp(ctx->err->sqlstate, "42804")) {
                        char a[64], b[64];
                        err_clear(ctx->err);
                        err_set_state(ctx->err, TARN_ERR_TYPE, "42804", "column \"%s\" is of type %s but expression is of type %s",
                                      ts->fields[c].name, sqltype_name(ct, a, sizeof a), sqltype_name(&e->type, b, sizeof b));
                        err_hint(ctx->err, "You will need to rewrite or cast the expression.");
                        return bind_error_at(ctx, x->loc);
                    }
                    return rc;
                }
            }
        }
        plan = lop_new(ctx->a, LOP_VALUES, 0);
        if (!plan)
            return nomem(ctx);
        plan->u.values.table_index = ctx->next_table++;
        plan->u.values.rows = rows;
        plan->u.values.n_rows = nr;
        plan->u.values.n_cols = nt;
        plan->est_rows = nr;
        if (lop_resolve(ctx->a, plan, false))
            return nomem(ctx);
        for (uint32_t c = 0; c < nt; c++)
            plan->out_types[c] = ts->fields[c].type;
        goto done;
    } else {
        BoundQuery q;
        if ((rc = bind_query(ctx, sel, &q)))
            return rc;
        if (q.n_cols > n_target) {
            err_set_state(ctx->err, TARN_ERR_SYNTAX, "42601", "INSERT has more expressions than target columns");
            return bind_error_at(ctx, sel->loc);
        }
        if (q.n_cols < n_target && cols->n) {
            err_set_state(ctx->err, TARN_ERR_SYNTAX, "42601", "INSERT has more target columns than expressions");
            return bind_error_at(ctx, cols->items[q.n_cols]->loc);
        }
        plan = q.plan;
    }
    {
        /* projection into table order with assignment casts */
        Expr **ex = arena_alloc(ctx->a, (nt ? nt : 1) * sizeof(Expr *));
        if (!ex)
            return nomem(ctx);
        for (uint32_t c = 0; c < nt; c++) {
            int32_t si = src_of[c];
            const LogicalType *ct = &ts->fields[c].type;
            if (si < 0 || (uint32_t)si >= plan->n_out) {
                Value nv = value_null();
                if (!(ex[c] = expr_const(ctx->a, &nv, *ct, -1)))
                    return nomem(ctx);
                ex[c]->u.cnst.is_null = true;
                continue;
            }
            Expr *e = expr_colref(ctx->a, plan->out[si], plan->out_types[si], plan->out_names[si]);
            if (!e)
                return nomem(ctx);
            if (ctx->params && e->type.id == TYPE_NULL) {
                /* INSERT ... SELECT $1: the column's type is the parameter's */
                e->unknown = true;
                if ((rc = bind_param_alias(ctx, plan, (uint32_t)si, e)))
                    return rc;
            }
            if ((rc = bind_coerce(ctx, e, ct, CAST_ASSIGNMENT, &ex[c]))) {
                if (ctx->err->sqlstate[0] && !strcmp(ctx->err->sqlstate, "42804")) {
                    char a[64], b[64];
                    err_clear(ctx->err);
                    err_set_state(ctx->err, TARN_ERR_TYPE, "42804", "column \"%s\" is of type %s but expression is of type %s",
                                  ts->fields[c].name, sqltype_name(ct, a, sizeof a), sqltype_name(&e->type, b, sizeof b));
                    err_hint(ctx->err, "You will need to rewrite or cast the expression.");
                    return bind_error_at(ctx, sel ? sel->loc : -1);
                }
                return rc;
            }
        }
        if (!(plan = mk_project(ctx, plan, ex, nt)))
            return nomem(ctx);
    }
done:
    out->plan = plan;
    out->n_cols = nt;
    out->names = arena_alloc(ctx->a, (nt ? nt : 1) * sizeof(char *));
    out->types = arena_alloc(ctx->a, (nt ? nt : 1) * sizeof(LogicalType));
    if (!out->names || !out->types)
        return nomem(ctx);
    for (uint32_t c = 0; c < nt; c++) {
        out->names[c] = ts->fields[c].name;
        out->types[c] = ts->fields[c].type;
        plan->out_names[c] = ts->fields[c].name;
    }
    return 0;
}

/* ---- UPDATE / DELETE ------------------------------------------------------------------------------- */

/* Column references get their table column as position; what only a
 * query plan can run (subqueries) is refused. */
static int dml_resolve(BindCtx *ctx, Expr *e, uint32_t table_index)
{
    if (e->kind == EX_SUBQUERY || e->kind == EX_PARAM || e->kind == EX_AGGREF) {
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "subqueries in RETURNING are not supported yet");
        return bind_error_at(ctx, e->loc);
    }
    if (e->kind == EX_COLREF) {
        if (e->u.col.b.table != table_index)
            return ERR_INTERNAL(ctx->err, "column of another table in UPDATE / DELETE");
        e->u.col.idx = e->u.col.b.col;
    }
    for (uint32_t i = 0; i < e->n_args; i++) {
        int rc = dml_resolve(ctx, e->args[i], table_index);
        if (rc)
            return rc;
    }
    return 0;
}

typedef bool (*AstPred)(const AstNode *n);
static const AstNode *ast_list_find(const AstList *l, AstPred pred);

/* The first node (pre-order) for which pred holds; does not descend into
 * subqueries (a subquery node itself is tested). */
static const AstNode *ast_find(const AstNode *n, AstPred pred)
{
    if (!n)
        return NULL;
    if (pred(n))
        return n;
    const AstNode *r = NULL;
    switch (n->kind) {
    case AST_OP:
        (void)((r = ast_find(n->u.op.left, pred)) || (r = ast_find(n->u.op.right, pred)));
        return r;
    case AST_AND: case AST_OR: case AST_NOT:
        return ast_list_find(&n->u.boolop.args, pred);
    case AST_FUNC:
        (void)((r = ast_list_find(&n->u.func.args, pred)) || (r = ast_find(n->u.func.filter, pred)));
        return r;
    case AST_CAST:
        return ast_find(n->u.cast.arg, pred);
    case AST_CASE:
        (void)((r = ast_find(n->u.kase.arg, pred)) || (r = ast_list_find(&n->u.kase.whens, pred)) || (r = ast_list_find(&n->u.kase.thens, pred)) || (r = ast_find(n->u.kase.else_, pred)));
        return r;
    case AST_COALESCE: case AST_GREATEST: case AST_LEAST: case AST_NULLIF: case AST_ARRAY:
        return ast_list_find(&n->u.list.args, pred);
    case AST_NULL_TEST:
        return ast_find(n->u.nulltest.arg, pred);
    case AST_BOOL_TEST:
        return ast_find(n->u.booltest.arg, pred);
    case AST_DISTINCT_FROM:
        (void)((r = ast_find(n->u.distinct.left, pred)) || (r = ast_find(n->u.distinct.right, pred)));
        return r;
    case AST_IN_LIST:
        (void)((r = ast_find(n->u.in.arg, pred)) || (r = ast_list_find(&n->u.in.items, pred)));
        return r;
    case AST_BETWEEN:
        (void)((r = ast_find(n->u.between.arg, pred)) || (r = ast_find(n->u.between.lo, pred)) || (r = ast_find(n->u.between.hi, pred)));
        return r;
    case AST_SUBLINK:
        return ast_find(n->u.sublink.test, pred);
    case AST_RES_TARGET:
        return ast_find(n->u.target.val, pred);
    case AST_SUBSCRIPT:
        (void)((r = ast_find(n->u.subscript.arg, pred)) || (r = ast_find(n->u.subscript.lo, pred)) || (r = ast_find(n->u.subscript.hi, pred)));
        return r;
    case AST_ANY_ARRAY:
        (void)((r = ast_find(n->u.anyarr.left, pred)) || (r = ast_find(n->u.anyarr.right, pred)));
        return r;
    default:
        return NULL;
    }
}

static const AstNode *ast_list_find(const AstList *l, AstPred pred)
{
    for (uint32_t i = 0; i < l->n; i++) {
        const AstNode *r = ast_find(l->items[i], pred);
        if (r)
            return r;
    }
    return NULL;
}

static bool is_sublink(const AstNode *n) { return n->kind == AST_SUBLINK; }

static bool is_aggregate_call(const AstNode *n)
{
    return n->kind == AST_FUNC && !n->u.func.over && n->u.func.n_names == 1 &&
           func_name_exists(n->u.func.names[0], FUNC_AGGREGATE);
}

/* Whether an expression contains a subquery (then UPDATE / DELETE run as
 * a query: join mode). */
static bool ast_has_sublink(const AstNode *n) { return ast_find(n, is_sublink) != NULL; }
static bool ast_list_has_sublink(const AstList *l) { return ast_list_find(l, is_sublink) != NULL; }

/* PostgreSQL refuses aggregates (and window functions) in SET and RETURNING. */
static int refuse_aggregates(BindCtx *ctx, const AstList *l, const char *where)
{
    const AstNode *f = ast_list_find(l, is_aggregate_call);
    if (!f)
        return 0;
    err_set_state(ctx->err, TARN_ERR_INVALID, "42803", "aggregate functions are not allowed in %s", where);
    return bind_error_at(ctx, f->loc);
}

static bool is_default_ref(const AstNode *x)
{
    return x->kind == AST_COLUMN_REF && x->u.colref.n == 1 && !x->u.colref.star && !strcmp(x->u.colref.names[0], "default");
}

/* RETURNING over the scope of the target table alone. */
static int bind_returning_scoped(BindCtx *ctx, Scope *scope, const AstList *rl, uint32_t ti, BoundReturning *out)
{
    Targets tg;
    memset(&tg, 0, sizeof tg);
    int rc;
    ExprEnv env = {scope, CL_OTHER, NULL, false};
    for (uint32_t i = 0; i < rl->n; i++) {
        const AstNode *t = rl->items[i];
        const AstNode *v = t->u.target.val;
        if (v->kind == AST_COLUMN_REF && v->u.colref.star) {
            if ((rc = expand_star(ctx, scope, v, &tg)))
                return rc;
            continue;
        }
        Expr *e;
        const char *sb = ctx->srf_block;
        ctx->srf_block = "RETURNING"; /* no set-returning functions (PostgreSQL) */
        rc = bind_expr(ctx, &env, v, &e);
        ctx->srf_block = sb;
        if (rc)
            return rc;
        if ((rc = targets_add(ctx, &tg, e, t->u.target.name ? t->u.target.name : figure_colname(v))))
            return rc;
    }
    out->n = tg.n;
    out->exprs = tg.exprs;
    out->names = tg.names;
    out->types = arena_alloc(ctx->a, (tg.n ? tg.n : 1) * sizeof(LogicalType));
    if (!out->types)
        return nomem(ctx);
    for (uint32_t i = 0; i < tg.n; i++) {
        out->types[i] = tg.exprs[i]->type;
        if ((rc = dml_resolve(ctx, tg.exprs[i], ti)))
            return rc;
    }
    return 0;
}

int bind_returning(BindCtx *ctx, const AstNode *table, const AstList *list, BoundReturning *out)
{
    memset(out, 0, sizeof *out);
    Scope scope;
    memset(&scope, 0, sizeof scope);
    LogicalOp *get;
    int rc = bind_table(ctx, &scope, table, &get);
    if (rc)
        return rc;
    if (get->kind != LOP_GET)
        return ERR_INTERNAL(ctx->err, "RETURNING target is not a table");
    return bind_returning_scoped(ctx, &scope, list, get->u.get.table_index, out);
}

static int dml_assign_error(BindCtx *ctx, const Schema *ts, uint32_t k, const Expr *e, int loc)
{
    if (ctx->err->sqlstate[0] && !strcmp(ctx->err->sqlstate, "42804")) {
        char a[64], b[64];
        err_clear(ctx->err);
        err_set_state(ctx->err, TARN_ERR_TYPE, "42804", "column \"%s\" is of type %s but expression is of type %s",
                      ts->fields[k].name, sqltype_name(&ts->fields[k].type, a, sizeof a), sqltype_name(&e->type, b, sizeof b));
        err_hint(ctx->err, "You will need to rewrite or cast the expression.");
        return bind_error_at(ctx, loc);
    }
    return ctx->err->kind ? ctx->err->kind : TARN_ERR_INTERNAL;
}

/* Replaces references to target column c by newv[c] (when set). */
/* Fresh bindings of SET values with subqueries, for RETURNING (see
 * bind_dml_query): fresh[k][0 .. n[k]) per target column k. */
typedef struct FreshSet {
    Expr ***fresh;
    uint32_t *n, *used;
} FreshSet;

/* RETURNING's references to a column named `name` (an upper bound of the
 * references to that target column): counted by ast_find's predicate. */
static _Thread_local const char *count_name;
static _Thread_local uint32_t count_hits;

static bool count_colref(const AstNode *n)
{
    if (n->kind == AST_COLUMN_REF &&
        (n->u.colref.star || (n->u.colref.n > 0 && !strcmp(n->u.colref.names[n->u.colref.n - 1], count_name))))
        count_hits++;
    return false;
}

static uint32_t count_colrefs_named(const AstList *l, const char *name)
{
    count_name = name;
    count_hits = 0;
    (void)ast_list_find(l, count_colref);
    return count_hits;
}

static int subst_new_values(BindCtx *ctx, Expr **pe, uint32_t ti, Expr *const *newv, FreshSet *fs)
{
    Expr *e = *pe;
    if (e->kind == EX_COLREF && e->u.col.b.table == ti && newv[e->u.col.b.col]) {
        uint32_t k = e->u.col.b.col;
        if (fs->n[k]) {
            /* a SET value with a subquery: each use gets its own binding */
            if (fs->used[k] >= fs->n[k])
                return ERR_INTERNAL(ctx->err, "too few bindings of a SET value for RETURNING");
            *pe = fs->fresh[k][fs->used[k]++];
            return 0;
        }
        if (!(*pe = expr_copy(ctx->a, newv[k])))
            return nomem(ctx);
        return 0;
    }
    if (e->kind == EX_SUBQUERY)
        return 0;
    for (uint32_t i = 0; i < e->n_args; i++) {
        int rc = subst_new_values(ctx, &e->args[i], ti, newv, fs);
        if (rc)
            return rc;
    }
    return 0;
}

/* Join mode: SELECT target.*, <SET values>, <RETURNING> FROM target, <FROM / USING items> WHERE ... */
static int bind_dml_query(BindCtx *ctx, const AstStmt *st, const Schema *ts, const int32_t *set_col, BoundDml *out)
{
    bool upd = st->kind == STMT_UPDATE;
    const AstNode *tn = upd ? st->u.update.table : st->u.del.table;
    const AstList *from = upd ? &st->u.update.from : &st->u.del.using_;
    const AstList *sl = upd ? &st->u.update.set : NULL;
    const AstList *rl = upd ? &st->u.update.returning : &st->u.del.returning;
    uint32_t nt = ts->n_fields, nset = sl ? sl->n : 0, nret = rl ? rl->n : 0;
    /* RETURNING of an UPDATE sees the new values.  A SET value with a
     * subquery cannot be copied into RETURNING (the optimizer rewrites a
     * subquery's plan in place, so two expressions cannot share one): it
     * is bound once more per RETURNING reference to its column, as extra
     * select-list entries dropped after binding. */
    uint32_t *extra_n = NULL, nextra = 0;
    if (upd && nret) {
        if (!(extra_n = arena_calloc(ctx->a, nset * sizeof(uint32_t))))
            return nomem(ctx);
        for (uint32_t i = 0; i < nset; i++) {
            const AstNode *v = sl->items[i]->u.target.val;
            if (!is_default_ref(v) && ast_has_sublink(v)) {
                extra_n[i] = count_colrefs_named(rl, sl->items[i]->u.target.name);
                nextra += extra_n[i];
            }
        }
    }
    AstSelect *sel = arena_calloc(ctx->a, sizeof *sel);
    AstNode *star = arena_calloc(ctx->a, sizeof *star);
    AstNode *star_t = arena_calloc(ctx->a, sizeof *star_t);
    const char **star_names = arena_alloc(ctx->a, sizeof(char *));
    if (!sel || !star || !star_t || !star_names)
        return nomem(ctx);
    star_names[0] = tn->u.rangevar.alias ? tn->u.rangevar.alias : tn->u.rangevar.name;
    star->kind = AST_COLUMN_REF;
    star->loc = tn->loc;
    star->u.colref.n = 1;
    star->u.colref.names = star_names;
    star->u.colref.star = true;
    star_t->kind = AST_RES_TARGET;
    star_t->loc = tn->loc;
    star_t->u.target.val = star;
    sel->loc = st->loc;
    sel->targets.items = arena_alloc(ctx->a, (1 + nset + nret + nextra) * sizeof(AstNode *));
    sel->from.items = arena_alloc(ctx->a, (1 + from->n) * sizeof(AstNode *));
    if (!sel->targets.items || !sel->from.items)
        return nomem(ctx);
    sel->targets.items[sel->targets.n++] = star_t;
    for (uint32_t i = 0; i < nset; i++) {
        const AstNode *t = sl->items[i];
        if (!is_default_ref(t->u.target.val)) {
            sel->targets.items[sel->targets.n++] = (AstNode *)t;
            continue;
        }
        AstNode *nul = arena_calloc(ctx->a, sizeof *nul), *nt_ = arena_calloc(ctx->a, sizeof *nt_);
        if (!nul || !nt_)
            return nomem(ctx);
        nul->kind = AST_CONST;
        nul->loc = t->loc;
        nul->u.cnst.kind = CONST_NULL;
        *nt_ = *t;
        nt_->u.target.val = nul;
        sel->targets.items[sel->targets.n++] = nt_;
    }
    for (uint32_t i = 0; i < nret; i++)
        sel->targets.items[sel->targets.n++] = rl->items[i];
    for (uint32_t i = 0; i < nset && nextra; i++)
        for (uint32_t j = 0; j < extra_n[i]; j++)
            sel->targets.items[sel->targets.n++] = sl->items[i];
    sel->from.items[sel->from.n++] = (AstNode *)tn;
    for (uint32_t i = 0; i < from->n; i++)
        sel->from.items[sel->from.n++] = from->items[i];
    sel->where = upd ? st->u.update.where : st->u.del.where;
    /* WITH: visible to the FROM / USING items and subqueries */
    sel->ctes = upd ? st->u.update.ctes : st->u.del.ctes;
    for (uint32_t i = 0; i < sel->ctes.n && !tn->u.rangevar.schema; i++)
        if (!strcmp(sel->ctes.items[i]->u.cte.name, tn->u.rangevar.name)) {
            err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000",
                          "a WITH query named like the target table \"%s\" is not supported yet", tn->u.rangevar.name);
            return bind_error_at(ctx, sel->ctes.items[i]->loc);
        }
    sel->recursive = upd ? st->u.update.recursive : st->u.del.recursive;
    BoundQuery q;
    int rc = bind_query(ctx, sel, &q);
    if (rc)
        return rc;
    LogicalOp *pj = q.plan;
    if (q.n_cols < nt + nset + nextra || pj->kind != LOP_PROJECT || pj->u.project.n_exprs != q.n_cols)
        return ERR_INTERNAL(ctx->err, "unexpected UPDATE / DELETE query shape");
    if (pj->children[0]->kind == LOP_AGGREGATE || pj->children[0]->kind == LOP_WINDOW) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "42803", "%s functions are not allowed in %s",
                      pj->children[0]->kind == LOP_AGGREGATE ? "aggregate" : "window", upd ? "UPDATE" : "RETURNING");
        return bind_error_at(ctx, st->loc);
    }
    uint32_t nq = q.n_cols - nextra;
    if (upd && nq > nt + nset) {
        /* RETURNING sees the new row: the target's columns become their SET values */
        Expr **px = pj->u.project.exprs;
        uint32_t ti = px[0]->kind == EX_COLREF ? px[0]->u.col.b.table : UINT32_MAX;
        Expr **newv = arena_calloc(ctx->a, (nt ? nt : 1) * sizeof(Expr *));
        FreshSet fs = {arena_calloc(ctx->a, (nt ? nt : 1) * sizeof(Expr **)),
                       arena_calloc(ctx->a, (nt ? nt : 1) * sizeof(uint32_t)),
                       arena_calloc(ctx->a, (nt ? nt : 1) * sizeof(uint32_t))};
        if (!newv || !fs.fresh || !fs.n || !fs.used)
            return nomem(ctx);
        uint32_t xpos = nq;
        for (uint32_t i = 0; i < nset; i++) {
            uint32_t k = (uint32_t)set_col[i];
            Expr *e = expr_copy(ctx->a, px[nt + i]);
            if (!e)
                return nomem(ctx);
            e->unknown = q.unknown && q.unknown[nt + i]; /* SET v = 'literal' */
            if (bind_coerce(ctx, e, &ts->fields[k].type, CAST_ASSIGNMENT, &newv[k]))
                return dml_assign_error(ctx, ts, k, e, sl->items[i]->u.target.val->loc);
            if (!extra_n || !extra_n[i])
                continue;
            if (!(fs.fresh[k] = arena_alloc(ctx->a, extra_n[i] * sizeof(Expr *))))
                return nomem(ctx);
            fs.n[k] = extra_n[i];
            for (uint32_t j = 0; j < extra_n[i]; j++, xpos++) {
                px[xpos]->unknown = q.unknown && q.unknown[xpos];
                if (bind_coerce(ctx, px[xpos], &ts->fields[k].type, CAST_ASSIGNMENT, &fs.fresh[k][j]))
                    return dml_assign_error(ctx, ts, k, px[xpos], sl->items[i]->u.target.val->loc);
            }
        }
        for (uint32_t i = nt + nset; i < nq; i++)
            if ((rc = subst_new_values(ctx, &px[i], ti, newv, &fs)))
                return rc;
        /* the extra bindings not used (over-counted references) are dropped with the rest */
        pj->u.project.n_exprs = nq;
        q.n_cols = nq;
        if (lop_resolve(ctx->a, pj, false))
            return nomem(ctx);
    }
    Expr **ex = arena_alloc(ctx->a, nq * sizeof(Expr *));
    out->query_set = arena_alloc(ctx->a, (nt ? nt : 1) * sizeof(int32_t));
    if (!ex || !out->query_set)
        return nomem(ctx);
    for (uint32_t c = 0; c < nt; c++)
        out->query_set[c] = -1;
    for (uint32_t i = 0; i < nq; i++) {
        Expr *e = expr_colref(ctx->a, q.plan->out[i], q.plan->out_types[i], q.names[i]);
        if (!e)
            return nomem(ctx);
        ex[i] = e;
        if (i < nt || i >= nt + nset)
            continue;
        uint32_t k = (uint32_t)set_col[i - nt];
        out->query_set[k] = (int32_t)i;
        e->unknown = q.unknown && q.unknown[i]; /* SET v = 'literal' */
        if (bind_coerce(ctx, e, &ts->fields[k].type, CAST_ASSIGNMENT, &ex[i]))
            return dml_assign_error(ctx, ts, k, e, sl->items[i - nt]->u.target.val->loc);
    }
    if (!(out->query = mk_project(ctx, q.plan, ex, nq)))
        return nomem(ctx);
    if (nret) {
        BoundReturning *r = arena_calloc(ctx->a, sizeof *r);
        if (!r)
            return nomem(ctx);
        r->n = nq - nt - nset;
        r->names = q.names + nt + nset;
        r->types = q.types + nt + nset;
        out->ret = r;
        out->query_ret = nt + nset;
    }
    return 0;
}

int bind_dml(BindCtx *ctx, const AstStmt *st, BoundDml *out)
{
    memset(out, 0, sizeof *out);
    bool upd = st->kind == STMT_UPDATE;
    const AstNode *tn = upd ? st->u.update.table : st->u.del.table;
    const AstNode *where = upd ? st->u.update.where : st->u.del.where;
    const AstList *rl = upd ? &st->u.update.returning : &st->u.del.returning;
    const AstList *ctes = upd ? &st->u.update.ctes : &st->u.del.ctes;
    bool join_mode = (upd ? st->u.update.from.n : st->u.del.using_.n) || ast_has_sublink(where) ||
                     (upd && ast_list_has_sublink(&st->u.update.set)) || ast_list_has_sublink(rl) || ctes->n;
    int rc;
    if ((upd && (rc = refuse_aggregates(ctx, &st->u.update.set, "UPDATE"))) ||
        (rc = refuse_aggregates(ctx, rl, "RETURNING")))
        return rc;
    CatalogRel *rel;
    rc = catalog_lookup(ctx->cat, tn->u.rangevar.schema, tn->u.rangevar.name, ctx->search_path, ctx->n_path, &rel,
                            ctx->err);
    if (rc)
        return bind_error_at(ctx, tn->loc);
    if (rel->kind != REL_TABLE) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "42809", "cannot %s view \"%s\"", upd ? "update" : "delete from", rel->name);
        return bind_error_at(ctx, tn->loc);
    }
    Scope scope;
    memset(&scope, 0, sizeof scope);
    LogicalOp *get;
    if ((rc = bind_table(ctx, &scope, tn, &get)))
        return rc;
    uint32_t ti = get->u.get.table_index;
    const Schema *ts = get->u.get.schema;
    out->rel = rel;
    out->schema = ts;
    out->snapshot = get->u.get.snapshot;
    /* SET targets: existing columns, each once */
    const AstList *sl = &st->u.update.set;
    int32_t *set_col = NULL;
    if (upd) {
        set_col = arena_alloc(ctx->a, (sl->n ? sl->n : 1) * sizeof(int32_t));
        if (!set_col)
            return nomem(ctx);
        for (uint32_t i = 0; i < sl->n; i++) {
            const AstNode *t = sl->items[i];
            int k = schema_find(ts, t->u.target.name);
            if (k < 0) {
                err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42703", "column \"%s\" of relation \"%s\" does not exist",
                              t->u.target.name, rel->name);
                return bind_error_at(ctx, t->loc);
            }
            for (uint32_t j = 0; j < i; j++)
                if (set_col[j] == k) {
                    err_set_state(ctx->err, TARN_ERR_INVALID, "42601", "multiple assignments to same column \"%s\"",
                                  t->u.target.name);
                    return bind_error_at(ctx, t->loc);
                }
            set_col[i] = k;
        }
    }
    if (join_mode) {
        return bind_dml_query(ctx, st, ts, set_col, out);
    }
    if (rl->n) {
        BoundReturning *r = arena_calloc(ctx->a, sizeof *r);
        if (!r)
            return nomem(ctx);
        if ((rc = bind_returning_scoped(ctx, &scope, rl, ti, r)))
            return rc;
        out->ret = r;
    }
    if (where) {
        ExprEnv env = {&scope, CL_WHERE, NULL, false};
        if ((rc = bind_bool_expr(ctx, &env, where, "WHERE", &out->where)) || (rc = dml_resolve(ctx, out->where, ti)))
            return rc;
    }
    if (!upd)
        return 0;
    out->set = arena_calloc(ctx->a, (ts->n_fields ? ts->n_fields : 1) * sizeof(Expr *));
    if (!out->set)
        return nomem(ctx);
    for (uint32_t i = 0; i < sl->n; i++) {
        const AstNode *t = sl->items[i];
        uint32_t k = (uint32_t)set_col[i];
        const LogicalType *ct = &ts->fields[k].type;
        const AstNode *x = t->u.target.val;
        Expr *e;
        if (is_default_ref(x)) {
            Value nv = value_null();
            if (!(e = expr_const(ctx->a, &nv, *ct, -1)))
                return nomem(ctx);
            e->u.cnst.is_null = true;
            out->set[k] = e;
            continue;
        }
        ExprEnv env = {&scope, CL_OTHER, NULL, false};
        const char *sb = ctx->srf_block;
        ctx->srf_block = "UPDATE"; /* no set-returning functions (PostgreSQL) */
        rc = bind_expr(ctx, &env, x, &e);
        ctx->srf_block = sb;
        if (rc)
            return rc;
        if (bind_coerce(ctx, e, ct, CAST_ASSIGNMENT, &out->set[k]))
            return dml_assign_error(ctx, ts, k, e, x->loc);
        if ((rc = dml_resolve(ctx, out->set[k], ti)))
            return rc;
    }
    return 0;
}

/* ---- MERGE ---------------------------------------------------------------------------------------- */

static bool refs_table(const Expr *e, uint32_t table_index)
{
    if (e->kind == EX_COLREF && e->u.col.b.table == table_index)
        return true;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (refs_table(e->args[i], table_index))
            return true;
    return false;
}

/* Whether e reads anything but columns of table_index (other columns, subqueries, parameters). */
static bool refs_other_table(const Expr *e, uint32_t table_index)
{
    if (e->kind == EX_SUBQUERY || e->kind == EX_PARAM || e->kind == EX_AGGREF)
        return true;
    if (e->kind == EX_COLREF && e->u.col.b.table != table_index)
        return true;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (refs_other_table(e->args[i], table_index))
            return true;
    return false;
}

/* Column positions in the merge row: target columns, then source columns. */
static int merge_resolve(BindCtx *ctx, Expr *e, uint32_t ti, uint32_t nt, const LogicalOp *src)
{
    if (e->kind == EX_SUBQUERY || e->kind == EX_PARAM || e->kind == EX_AGGREF) {
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "subqueries in MERGE are not supported yet");
        return bind_error_at(ctx, e->loc);
    }
    if (e->kind == EX_COLREF) {
        if (e->u.col.b.table == ti) {
            e->u.col.idx = e->u.col.b.col;
        } else {
            uint32_t i = 0;
            while (i < src->n_out && !binding_eq(src->out[i], e->u.col.b))
                i++;
            if (i == src->n_out)
                return ERR_INTERNAL(ctx->err, "MERGE source column not found");
            e->u.col.idx = nt + i;
        }
    }
    for (uint32_t i = 0; i < e->n_args; i++) {
        int rc = merge_resolve(ctx, e->args[i], ti, nt, src);
        if (rc)
            return rc;
    }
    return 0;
}

static int merge_assign(BindCtx *ctx, ExprEnv *env, const Schema *ts, uint32_t k, const AstNode *x, int loc, Expr **out)
{
    const LogicalType *ct = &ts->fields[k].type;
    if (!x || (x->kind == AST_COLUMN_REF && x->u.colref.n == 1 && !strcmp(x->u.colref.names[0], "default"))) {
        Value nv = value_null();
        if (!(*out = expr_const(ctx->a, &nv, *ct, -1)))
            return nomem(ctx);
        (*out)->u.cnst.is_null = true;
        return 0;
    }
    Expr *e;
    int rc = bind_expr(ctx, env, x, &e);
    if (rc)
        return rc;
    if ((rc = bind_coerce(ctx, e, ct, CAST_ASSIGNMENT, out))) {
        if (ctx->err->sqlstate[0] && !strcmp(ctx->err->sqlstate, "42804")) {
            char a[64], b[64];
            err_clear(ctx->err);
            err_set_state(ctx->err, TARN_ERR_TYPE, "42804", "column \"%s\" is of type %s but expression is of type %s",
                          ts->fields[k].name, sqltype_name(ct, a, sizeof a), sqltype_name(&e->type, b, sizeof b));
            err_hint(ctx->err, "You will need to rewrite or cast the expression.");
            return bind_error_at(ctx, x->loc >= 0 ? x->loc : loc);
        }
        return rc;
    }
    return 0;
}

static AstNode *ast_star(BindCtx *ctx, const char *alias, int loc)
{
    AstNode *star = arena_calloc(ctx->a, sizeof *star), *t = arena_calloc(ctx->a, sizeof *t);
    const char **names = arena_alloc(ctx->a, sizeof(char *));
    if (!star || !t || !names)
        return NULL;
    names[0] = alias;
    star->kind = AST_COLUMN_REF;
    star->loc = loc;
    star->u.colref.n = alias ? 1 : 0;
    star->u.colref.names = alias ? names : NULL;
    star->u.colref.star = true;
    t->kind = AST_RES_TARGET;
    t->loc = loc;
    t->u.target.val = star;
    return t;
}

/* SELECT <targets> FROM <from> WHERE [NOT] EXISTS (SELECT 1 FROM <sub_from> WHERE on)
 * (sub_from NULL: WHERE on). */
static AstSelect *ast_merge_select(BindCtx *ctx, const AstStmt *st, AstNode **targets, uint32_t n_targets,
                                   const AstNode *from1, const AstNode *from2, const AstNode *sub_from, bool negate)
{
    AstSelect *sel = arena_calloc(ctx->a, sizeof *sel);
    if (!sel)
        return NULL;
    sel->loc = st->loc;
    sel->targets.items = targets;
    sel->targets.n = n_targets;
    sel->from.items = arena_alloc(ctx->a, 2 * sizeof(AstNode *));
    if (!sel->from.items)
        return NULL;
    sel->from.items[sel->from.n++] = (AstNode *)from1;
    if (from2)
        sel->from.items[sel->from.n++] = (AstNode *)from2;
    if (!sub_from) {
        sel->where = st->u.merge.on;
        return sel;
    }
    AstSelect *sub = arena_calloc(ctx->a, sizeof *sub);
    AstNode *one = arena_calloc(ctx->a, sizeof *one), *one_t = arena_calloc(ctx->a, sizeof *one_t);
    AstNode *link = arena_calloc(ctx->a, sizeof *link), *not_ = arena_calloc(ctx->a, sizeof *not_);
    AstNode **items = arena_alloc(ctx->a, 2 * sizeof(AstNode *));
    if (!sub || !one || !one_t || !link || !not_ || !items)
        return NULL;
    one->kind = AST_CONST;
    one->loc = -1;
    one->u.cnst.kind = CONST_INT;
    one->u.cnst.ival = 1;
    one->u.cnst.text = "1";
    one_t->kind = AST_RES_TARGET;
    one_t->loc = -1;
    one_t->u.target.val = one;
    sub->loc = st->loc;
    sub->targets.items = items;
    sub->targets.items[sub->targets.n++] = one_t;
    sub->from.items = items + 1;
    sub->from.items[sub->from.n++] = (AstNode *)sub_from;
    sub->where = st->u.merge.on;
    link->kind = AST_SUBLINK;
    link->loc = st->u.merge.on->loc;
    link->u.sublink.kind = SUBLINK_EXISTS;
    link->u.sublink.select = sub;
    if (!negate) {
        sel->where = link;
        return sel;
    }
    AstNode **na = arena_alloc(ctx->a, sizeof(AstNode *));
    if (!na)
        return NULL;
    na[0] = link;
    not_->kind = AST_NOT;
    not_->loc = link->loc;
    not_->u.boolop.args.items = na;
    not_->u.boolop.args.n = 1;
    sel->where = not_;
    return sel;
}

/* MERGE whose ON is not only key equalities: two queries the SELECT
 * engine runs (joins with residuals, decorrelated NOT EXISTS):
 *   matched pairs      SELECT target.*, source.* FROM target, source WHERE on
 *   unmatched sources  SELECT source.* FROM source WHERE NOT EXISTS (SELECT 1 FROM target WHERE on)
 * and ON's conjuncts over the target alone prune the target's files. */
static int bind_merge_join(BindCtx *ctx, const AstStmt *st, Scope *src_scope, LogicalOp *get, LogicalOp *src, Expr *on,
                           BoundMerge *out)
{
    const AstNode *tn = st->u.merge.table;
    const char *talias = tn->u.rangevar.alias ? tn->u.rangevar.alias : tn->u.rangevar.name;
    uint32_t ti = get->u.get.table_index, nt = get->u.get.schema->n_fields;
    uint32_t nsi = src_scope->n_items;
    AstNode **pair_t = arena_alloc(ctx->a, (nsi + 1) * sizeof(AstNode *));
    AstNode **src_t = arena_alloc(ctx->a, (nsi + 1) * sizeof(AstNode *));
    if (!pair_t || !src_t || !(pair_t[0] = ast_star(ctx, talias, tn->loc)))
        return nomem(ctx);
    for (uint32_t i = 0; i < nsi; i++)
        if (!(pair_t[i + 1] = src_t[i] = ast_star(ctx, src_scope->items[i].alias, st->u.merge.source->loc)))
            return nomem(ctx);
    const AstNode *sn = st->u.merge.source;
    AstSelect *qp = ast_merge_select(ctx, st, pair_t, nsi + 1, tn, sn, NULL, false);
    AstSelect *qs = ast_merge_select(ctx, st, src_t, nsi, sn, NULL, tn, true);
    if (!qp || !qs)
        return nomem(ctx);
    BoundQuery bp, bs;
    int rc;
    if ((rc = bind_query(ctx, qp, &bp)))
        return rc;
    bool need_unmatched = false;
    for (uint32_t w = 0; w < st->u.merge.n_whens; w++)
        need_unmatched |= !st->u.merge.whens[w].matched;
    if (need_unmatched && (rc = bind_query(ctx, qs, &bs)))
        return rc;
    /* the rows must line up with the columns the WHEN clauses were bound to */
    bool ok = bp.n_cols == nt + src->n_out && (!need_unmatched || bs.n_cols == src->n_out);
    for (uint32_t i = 0; ok && i < src->n_out; i++)
        ok = type_equal(&bp.types[nt + i], &src->out_types[i]) && (!need_unmatched || type_equal(&bs.types[i], &src->out_types[i]));
    if (!ok) {
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "this MERGE source with a non-equality ON condition is not supported yet");
        return bind_error_at(ctx, sn->loc);
    }
    out->q_pairs = bp.plan;
    out->q_unmatched = need_unmatched ? bs.plan : NULL;
    /* ON conjuncts over the target only */
    uint32_t n_conj = on->kind == EX_AND ? on->n_args : 1;
    out->target_conj = arena_alloc(ctx->a, n_conj * sizeof(Expr *));
    if (!out->target_conj)
        return nomem(ctx);
    for (uint32_t i = 0; i < n_conj; i++) {
        Expr *c = on->kind == EX_AND ? on->args[i] : on;
        if (refs_other_table(c, ti))
            continue;
        if ((rc = merge_resolve(ctx, c, ti, nt, src)))
            return rc;
        out->target_conj[out->n_target_conj++] = c;
    }
    return 0;
}

int bind_merge(BindCtx *ctx, const AstStmt *st, BoundMerge *out)
{
    memset(out, 0, sizeof *out);
    const AstNode *tn = st->u.merge.table;
    CatalogRel *rel;
    int rc = catalog_lookup(ctx->cat, tn->u.rangevar.schema, tn->u.rangevar.name, ctx->search_path, ctx->n_path, &rel,
                            ctx->err);
    if (rc)
        return bind_error_at(ctx, tn->loc);
    if (rel->kind != REL_TABLE) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "42809", "cannot execute MERGE on relation \"%s\"", rel->name);
        return bind_error_at(ctx, tn->loc);
    }
    Scope scope, src_scope;
    memset(&scope, 0, sizeof scope);
    memset(&src_scope, 0, sizeof src_scope);
    LogicalOp *get, *src;
    if ((rc = bind_table(ctx, &scope, tn, &get)) || (rc = bind_from_item(ctx, &src_scope, st->u.merge.source, &src)))
        return rc;
    for (uint32_t i = 0; i < src_scope.n_items; i++)
        if ((rc = scope_add_item(ctx, &scope, &src_scope.items[i])))
            return rc;
    uint32_t ti = get->u.get.table_index;
    const Schema *ts = get->u.get.schema;
    uint32_t nt = ts->n_fields;
    out->rel = rel;
    out->schema = ts;
    out->snapshot = get->u.get.snapshot;
    out->n_src_cols = src->n_out;
    /* ON: target_column = source expression [AND ...] */
    ExprEnv env = {&scope, CL_JOIN_ON, NULL, false};
    Expr *on;
    if ((rc = bind_bool_expr(ctx, &env, st->u.merge.on, "JOIN/ON", &on)))
        return rc;
    uint32_t n_conj = on->kind == EX_AND ? on->n_args : 1;
    bool join_mode = false;
    Expr **keys = arena_alloc(ctx->a, n_conj * sizeof(Expr *));
    out->key_columns = arena_alloc(ctx->a, n_conj * sizeof(char *));
    if (!keys || !out->key_columns)
        return nomem(ctx);
    for (uint32_t i = 0; i < n_conj; i++) {
        Expr *c = on->kind == EX_AND ? on->args[i] : on;
        Expr *tcol = NULL, *sx = NULL;
        if (c->kind == EX_FUNC && c->n_args == 2 && c->u.func.def->kind == FUNC_OPERATOR && !strcmp(c->u.func.def->name, "=")) {
            for (int side = 0; side < 2 && !tcol; side++) {
                Expr *a = c->args[side], *b = c->args[1 - side];
                if (a->kind == EX_CAST && a->args[0]->kind == EX_COLREF)
                    a = a->args[0];
                if (a->kind == EX_COLREF && a->u.col.b.table == ti && !refs_table(b, ti)) {
                    tcol = a;
                    sx = b;
                }
            }
        }
        for (uint32_t k = 0; tcol && k < out->n_keys; k++)
            if (!strcmp(out->key_columns[k], ts->fields[tcol->u.col.b.col].name))
                tcol = NULL;
        if (!tcol) {
            /* not a plain key equality: the join runs in the SELECT engine */
            join_mode = true;
            continue;
        }
        out->key_columns[out->n_keys] = ts->fields[tcol->u.col.b.col].name;
        if ((rc = bind_coerce(ctx, sx, &ts->fields[tcol->u.col.b.col].type, CAST_ASSIGNMENT, &keys[out->n_keys])))
            return rc;
        out->n_keys++;
    }
    if (join_mode) {
        out->n_keys = 0;
        if ((rc = bind_merge_join(ctx, st, &src_scope, get, src, on, out)))
            return rc;
    }
    /* the source rows, then their key values */
    uint32_t ns = src->n_out, np = ns + out->n_keys;
    Expr **px = arena_alloc(ctx->a, np * sizeof(Expr *) + 1);
    if (!px)
        return nomem(ctx);
    for (uint32_t i = 0; i < ns; i++)
        if (!(px[i] = expr_colref(ctx->a, src->out[i], src->out_types[i], src->out_names ? src->out_names[i] : NULL)))
            return nomem(ctx);
    for (uint32_t k = 0; k < out->n_keys; k++)
        px[ns + k] = keys[k];
    if (!join_mode && !(out->source = mk_project(ctx, src, px, np)))
        return nomem(ctx);
    /* WHEN clauses */
    out->n_whens = st->u.merge.n_whens;
    out->whens = arena_calloc(ctx->a, (out->n_whens + 1) * sizeof(BoundMergeWhen));
    if (!out->whens)
        return nomem(ctx);
    for (uint32_t w = 0; w < out->n_whens; w++) {
        const AstMergeWhen *aw = &st->u.merge.whens[w];
        BoundMergeWhen *bw = &out->whens[w];
        bw->matched = aw->matched;
        bw->action = aw->action;
        /* NOT MATCHED clauses see only the source (PostgreSQL: 42P01) */
        ExprEnv wenv = {aw->matched ? &scope : &src_scope, CL_OTHER, NULL, false};
        if (aw->cond) {
            ExprEnv cenv = wenv;
            cenv.clause = CL_WHERE;
            if ((rc = bind_bool_expr(ctx, &cenv, aw->cond, "WHEN", &bw->cond)) ||
                (rc = merge_resolve(ctx, bw->cond, ti, nt, src)))
                return rc;
        }
        if (aw->action != MERGE_DO_UPDATE && aw->action != MERGE_DO_INSERT)
            continue;
        bw->set = arena_calloc(ctx->a, (nt ? nt : 1) * sizeof(Expr *));
        if (!bw->set)
            return nomem(ctx);
        const AstList *tl = &aw->targets;
        if (aw->action == MERGE_DO_INSERT) {
            if (tl->n && aw->values.n != tl->n) {
                err_set_state(ctx->err, TARN_ERR_SYNTAX, "42601", "INSERT has more %s than %s",
                              aw->values.n > tl->n ? "expressions" : "target columns",
                              aw->values.n > tl->n ? "target columns" : "expressions");
                return bind_error_at(ctx, tl->items[0]->loc);
            }
            if (!tl->n && aw->values.n > nt) {
                err_set_state(ctx->err, TARN_ERR_SYNTAX, "42601", "INSERT has more expressions than target columns");
                return bind_error_at(ctx, aw->values.items[nt]->loc);
            }
        }
        bool *seen = arena_calloc(ctx->a, nt + 1);
        if (!seen)
            return nomem(ctx);
        uint32_t n_assign = aw->action == MERGE_DO_INSERT && !tl->n ? aw->values.n : tl->n;
        for (uint32_t i = 0; i < n_assign; i++) {
            const AstNode *t = tl->n ? tl->items[i] : NULL;
            int k = t ? schema_find(ts, t->u.target.name) : (int)i;
            if (k < 0) {
                err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42703", "column \"%s\" of relation \"%s\" does not exist",
                              t->u.target.name, rel->name);
                return bind_error_at(ctx, t->loc);
            }
            if (seen[k]) {
                err_set_state(ctx->err, TARN_ERR_INVALID, "42601", "multiple assignments to same column \"%s\"",
                              ts->fields[k].name);
                return bind_error_at(ctx, t ? t->loc : -1);
            }
            seen[k] = true;
            const AstNode *x = aw->action == MERGE_DO_INSERT ? aw->values.items[i] : t->u.target.val;
            if ((rc = merge_assign(ctx, &wenv, ts, (uint32_t)k, x, t ? t->loc : -1, &bw->set[k])) ||
                (rc = merge_resolve(ctx, bw->set[k], ti, nt, src)))
                return rc;
        }
        if (aw->action == MERGE_DO_INSERT)
            for (uint32_t k = 0; k < nt; k++)
                if (!bw->set[k] && (rc = merge_assign(ctx, &wenv, ts, k, NULL, -1, &bw->set[k])))
                    return rc;
    }
    return 0;
}
