/*
 * bind_window_tvf.c - FROM TUMBLE(table, time_col, size) and
 * HOP(table, time_col, slide, size): window table functions (Flink's
 * window TVFs; see window_tvf.h for the semantics and the stream scope).
 *
 * A call is rewritten into a derived table and bound as one:
 *
 *   TUMBLE(t, ts, s)  ->  (SELECT *, date_bin(s, ts, O) AS window_start,
 *                                 date_bin(s, ts, O) + s AS window_end
 *                          FROM t WHERE ts IS NOT NULL)
 *   HOP(t, ts, d, s)  ->  (SELECT h.*, h.window_start + s AS window_end
 *                          FROM (SELECT t.*, date_bin(d, t.ts, O) - w.off AS window_start
 *                                FROM t, (VALUES (0 * d), (1 * d), ...) w(off)
 *                                WHERE t.ts IS NOT NULL) h
 *                          WHERE h.window_start + s > h.ts)
 *
 * with O = 1970-01-01 00:00 (UTC for timestamptz) and sizes written as
 * plain microseconds (so `+ s` never meets a DST change), ceil(s / d)
 * offsets per row.  The generated text is bound with no statement text
 * (positions of errors inside it would be meaningless): any error there
 * points at the argument it concerns.  The table argument is a name
 * (table, view or WITH query; `schema.table`, or a string).  Under a
 * stream scope the table is read as delta_version('schema.table', version
 * => V), whose scan bind_window_tvf_restrict limits to the scope's files.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sql/bind/bind_int.h"
#include "sql/bind/window_tvf.h"
#include "sql/func/cast.h"
#include "sql/parse/parse.h"
#include "table/delta/delta.h"
#include "util/datetime.h"

#define HOP_MAX_WINDOWS 1000

static _Thread_local WindowTvfScope *tl_scope;

void window_tvf_set_scope(WindowTvfScope *scope) { tl_scope = scope; }

static int nomem(BindCtx *ctx) { return ERR_NOMEM(ctx->err, 0); }

void bind_window_tvf_restrict(LogicalOp *get)
{
    WindowTvfScope *sc = tl_scope;
    if (!sc || get->kind != LOP_GET || get->u.get.source != SCAN_DELTA || !get->u.get.rel)
        return;
    static const char *const none[] = {""}; /* no path is empty: matches no file */
    for (int i = 0; i < 2; i++) {
        const WindowTvfFiles *r = &sc->restrict_[i];
        if (r->table && r->table == get->u.get.rel->table && r->version == get->u.get.version) {
            get->u.get.only_files = r->n_files ? r->files : none;
            get->u.get.n_only_files = r->n_files ? r->n_files : 1;
            get->est_rows = r->n_files ? get->est_rows : 0;
        }
    }
}

static void qident(Buf *b, const char *s) { buf_append_quoted(b, s, '"'); }
static void qstring(Buf *b, const char *s) { buf_append_quoted(b, s, '\''); }

/* An interval argument: a constant, no months, > 0; *us its length. */
static int interval_arg(BindCtx *ctx, const char *fn, const char *what, const AstNode *a, int64_t *us)
{
    Expr *e;
    LogicalType iv = type_simple(TYPE_INTERVAL);
    int rc;
    if ((rc = bind_constant_expr(ctx, a, &e)) || (rc = bind_coerce(ctx, e, &iv, CAST_IMPLICIT, &e)) ||
        (rc = bind_fold(ctx, e, &e)))
        return rc;
    if (e->kind != EX_CONST || e->u.cnst.is_null) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "22023", "%s %s must be a non-null constant interval", fn, what);
        return bind_error_at(ctx, a->loc);
    }
    Interval v = e->u.cnst.v.iv;
    if (v.months) {
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000",
                      "timestamps cannot be binned into intervals containing months or years");
        return bind_error_at(ctx, a->loc);
    }
    int64_t t;
    if (__builtin_mul_overflow((int64_t)v.days, INT64_C(86400000000), &t) || __builtin_add_overflow(t, v.micros, &t)) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "22008", "interval out of range");
        return bind_error_at(ctx, a->loc);
    }
    if (t <= 0) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "22023", "%s %s must be greater than zero", fn, what);
        return bind_error_at(ctx, a->loc);
    }
    *us = t;
    return 0;
}

/* The table argument: a (qualified) name or a string; *schema may be NULL. */
static int table_arg(BindCtx *ctx, const char *fn, const AstNode *a, const char **schema, const char **name)
{
    *schema = NULL;
    if (a->kind == AST_COLUMN_REF && !a->u.colref.star && a->u.colref.n <= 2) {
        *name = a->u.colref.names[a->u.colref.n - 1];
        if (a->u.colref.n == 2)
            *schema = a->u.colref.names[0];
        return 0;
    }
    Expr *e;
    if (a->kind == AST_CONST && !bind_constant_expr(ctx, a, &e) && e->kind == EX_CONST && !e->u.cnst.is_null &&
        type_is_string_like(e->type.id)) {
        char *s = arena_strndup(ctx->a, e->u.cnst.v.s.ptr, e->u.cnst.v.s.len);
        if (!s)
            return nomem(ctx);
        char *dot = strchr(s, '.');
        if (dot) {
            *dot = 0;
            *schema = s;
            s = dot + 1;
        }
        *name = s;
        return 0;
    }
    err_clear(ctx->err);
    err_set_state(ctx->err, TARN_ERR_INVALID, "42601", "the first argument of %s must be a table name", fn);
    err_hint(ctx->err, "For example: SELECT * FROM %s(schema.events, ts, %sINTERVAL '1 minute').", fn,
             fn[0] == 'H' ? "INTERVAL '10 seconds', " : "");
    return bind_error_at(ctx, a->loc);
}

/* The time column argument: a plain column name. */
static int column_arg(BindCtx *ctx, const char *fn, const AstNode *a, const char **col)
{
    if (a->kind == AST_COLUMN_REF && !a->u.colref.star) {
        *col = a->u.colref.names[a->u.colref.n - 1];
        return 0;
    }
    err_set_state(ctx->err, TARN_ERR_INVALID, "42601", "the second argument of %s must be a column name", fn);
    return bind_error_at(ctx, a->loc);
}

/* Parses and binds generated SQL text as a derived table (see the header). */
static int bind_generated(BindCtx *ctx, Scope *scope, const AstNode *n, const char *alias, const char *sql,
                          int err_loc, LogicalOp **out, BoundQuery *probe)
{
    AstStmtList sl;
    int rc = sql_parse(sql, ctx->a, &sl, ctx->err);
    if (!rc && (sl.n != 1 || sl.stmts[0]->kind != STMT_SELECT))
        rc = err_set(ctx->err, TARN_ERR_INTERNAL, "window function rewrite is not one SELECT");
    if (rc) {
        ctx->err->position = 0;
        return bind_error_at(ctx, err_loc);
    }
    const char *saved = ctx->sql;
    ctx->sql = NULL;
    if (probe) {
        rc = bind_query_scoped(ctx, sl.stmts[0]->u.select, scope->parent, probe);
    } else {
        AstNode m;
        memset(&m, 0, sizeof m);
        m.kind = AST_RANGE_SUBSELECT;
        m.loc = n->loc;
        m.u.subselect.select = sl.stmts[0]->u.select;
        m.u.subselect.alias = alias;
        m.u.subselect.col_aliases = n->u.rangefunc.col_aliases;
        rc = bind_from_item_ext(ctx, scope, &m, out);
    }
    ctx->sql = saved;
    if (rc) {
        ctx->err->position = 0;
        return bind_error_at(ctx, err_loc);
    }
    return 0;
}

/* The watermark as a literal of the time column's type. */
static void ts_literal(Buf *b, int64_t us, bool tz)
{
    char t[64];
    size_t k = dt_format_timestamp(us, false, t);
    t[k] = 0;
    buf_printf(b, "%s '%s%s'", tz ? "TIMESTAMPTZ" : "TIMESTAMP", t, tz ? "+00" : "");
}

int bind_window_tvf(BindCtx *ctx, Scope *scope, const AstNode *n, LogicalOp **out)
{
    const AstNode *f = n->u.rangefunc.func;
    bool hop = !strcmp(f->u.func.names[f->u.func.n_names - 1], "hop");
    const char *fn = hop ? "HOP" : "TUMBLE";
    const AstList *args = &f->u.func.args;
    int rc;
    if (f->u.func.arg_names.n || args->n != (hop ? 4u : 3u)) {
        err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "%s takes %s", fn,
                      hop ? "(table, time_column, slide, size)" : "(table, time_column, size)");
        return bind_error_at(ctx, f->loc);
    }
    if (n->u.rangefunc.ordinality) {
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "WITH ORDINALITY is not supported for %s", fn);
        return bind_error_at(ctx, n->loc);
    }
    const char *schema = NULL, *name = NULL, *col = NULL;
    int64_t size_us = 0, slide_us = 0;
    if ((rc = table_arg(ctx, fn, args->items[0], &schema, &name)) ||
        (rc = column_arg(ctx, fn, args->items[1], &col)) ||
        (rc = interval_arg(ctx, fn, hop ? "slide" : "size", args->items[2], hop ? &slide_us : &size_us)) ||
        (hop && (rc = interval_arg(ctx, fn, "size", args->items[3], &size_us))))
        return rc;
    if (!hop)
        slide_us = size_us;
    int64_t n_win = size_us / slide_us + (size_us % slide_us != 0);
    if (n_win > HOP_MAX_WINDOWS) {
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "HOP windows may overlap at most %d times", HOP_MAX_WINDOWS);
        err_detail(ctx->err, "A size of %" PRId64 " slides puts every row in %" PRId64 " windows.", n_win, n_win);
        return bind_error_at(ctx, args->items[3]->loc);
    }

    /* the source: under a stream scope, the scope's table at its version */
    WindowTvfScope *sc = tl_scope;
    Buf src;
    buf_init(&src);
    Buf sql;
    buf_init(&sql);
    DeltaTable *source = NULL;
    if (schema)
        qident(&src, schema), buf_append_byte(&src, '.');
    qident(&src, name);
    CatalogRel *rel = NULL;
    if (!catalog_lookup(ctx->cat, schema, name, ctx->search_path, ctx->n_path, &rel, ctx->err) &&
        rel->kind == REL_TABLE)
        source = rel->table;
    err_clear(ctx->err);
    bool stream = sc && sc->restrict_[0].table;
    if (stream) {
        if (!source || source != sc->restrict_[0].table) {
            buf_free(&src);
            err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000",
                          "a stream reads one source table, through one TUMBLE or HOP");
            return bind_error_at(ctx, args->items[0]->loc);
        }
        buf_clear(&src);
        Buf t;
        buf_init(&t);
        buf_printf(&t, "%s.%s", rel->schema, rel->name);
        buf_terminate(&t);
        buf_printf(&src, "delta_version(");
        qstring(&src, t.data ? (const char *)t.data : "");
        buf_printf(&src, ", version => %" PRId64 ")", sc->restrict_[0].version);
        buf_free(&t);
    }
    if (buf_terminate(&src))
        return nomem(ctx);

    /* the time column's type, from a probe of the source */
    buf_printf(&sql, "SELECT * FROM %s", (const char *)src.data);
    if (buf_terminate(&sql)) {
        buf_free(&src);
        return nomem(ctx);
    }
    BoundQuery probe;
    rc = bind_generated(ctx, scope, n, NULL, (const char *)sql.data, args->items[0]->loc, NULL, &probe);
    TypeId tt = TYPE_NULL;
    uint32_t ci = 0;
    for (; !rc && ci < probe.n_cols; ci++)
        if (!strcmp(probe.names[ci], col)) {
            tt = probe.types[ci].id;
            break;
        }
    if (!rc && ci == probe.n_cols) {
        err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42703", "column \"%s\" does not exist", col);
        rc = bind_error_at(ctx, args->items[1]->loc);
    } else if (!rc && tt != TYPE_TIMESTAMP && tt != TYPE_TIMESTAMPTZ && tt != TYPE_DATE) {
        char tn[64];
        err_set_state(ctx->err, TARN_ERR_INVALID, "42804",
                      "%s time column \"%s\" must be type timestamp or timestamp with time zone, not %s", fn, col,
                      sqltype_name(&probe.types[ci], tn, sizeof tn));
        rc = bind_error_at(ctx, args->items[1]->loc);
    }
    if (rc) {
        buf_free(&src);
        buf_free(&sql);
        return rc;
    }
    bool tz = tt == TYPE_TIMESTAMPTZ;

    /* the rewrite */
    Buf ts;
    buf_init(&ts);
    qident(&ts, col);
    if (tt == TYPE_DATE)
        buf_printf(&ts, "::timestamp");
    buf_terminate(&ts);
    const char *tsq = (const char *)ts.data, *srcq = (const char *)src.data;
    char origin[64], size_iv[64], slide_iv[64];
    snprintf(origin, sizeof origin, "%s", tz ? "TIMESTAMPTZ '1970-01-01 00:00:00+00'" : "TIMESTAMP '1970-01-01 00:00:00'");
    snprintf(size_iv, sizeof size_iv, "INTERVAL '%" PRId64 " microseconds'", size_us);
    snprintf(slide_iv, sizeof slide_iv, "INTERVAL '%" PRId64 " microseconds'", slide_us);
    buf_clear(&sql);
    if (!hop) {
        buf_printf(&sql,
                   "SELECT *, date_bin(%s, %s, %s) AS window_start, date_bin(%s, %s, %s) + %s AS window_end "
                   "FROM %s WHERE %s IS NOT NULL",
                   size_iv, tsq, origin, size_iv, tsq, origin, size_iv, srcq, tsq);
        if (stream && sc->has_watermark) {
            buf_printf(&sql, " AND date_bin(%s, %s, %s) + %s > ", size_iv, tsq, origin, size_iv);
            ts_literal(&sql, sc->watermark_us, tz);
        }
    } else {
        buf_printf(&sql,
                   "SELECT h.*, h.window_start + %s AS window_end FROM (SELECT s.*, date_bin(%s, s.%s, %s) - w.off "
                   "AS window_start FROM %s AS s, (VALUES ",
                   size_iv, slide_iv, tsq, origin, srcq);
        for (int64_t k = 0; k < n_win; k++)
            buf_printf(&sql, "%s(INTERVAL '%" PRId64 " microseconds')", k ? ", " : "", k * slide_us);
        buf_printf(&sql, ") AS w(off) WHERE s.%s IS NOT NULL) AS h WHERE h.window_start + %s > h.%s", tsq, size_iv,
                   tsq);
        if (stream && sc->has_watermark) {
            buf_printf(&sql, " AND h.window_start + %s > ", size_iv);
            ts_literal(&sql, sc->watermark_us, tz);
        }
    }
    buf_free(&ts);
    buf_free(&src);
    if (buf_terminate(&sql)) {
        buf_free(&sql);
        return nomem(ctx);
    }
    char *text = arena_strdup(ctx->a, (const char *)sql.data);
    buf_free(&sql);
    if (!text)
        return nomem(ctx);
    const char *alias = n->u.rangefunc.alias ? n->u.rangefunc.alias : (hop ? "hop" : "tumble");
    if ((rc = bind_generated(ctx, scope, n, alias, text, f->loc, out, NULL)))
        return rc;
    if (sc) {
        sc->n_calls++;
        sc->kind = hop ? WINDOW_TVF_HOP : WINDOW_TVF_TUMBLE;
        sc->source = source;
        snprintf(sc->source_name, sizeof sc->source_name, "%s.%s", source ? rel->schema : "",
                 source ? rel->name : "");
        snprintf(sc->time_col, sizeof sc->time_col, "%s", col);
        sc->time_type = tt == TYPE_DATE ? TYPE_TIMESTAMP : tt;
        sc->time_is_date = tt == TYPE_DATE;
        sc->size_us = size_us;
        sc->slide_us = slide_us;
    }
    return 0;
}
