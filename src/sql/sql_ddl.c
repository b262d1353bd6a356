/*
 * sql_ddl.c - DDL and utility statements: CREATE TABLE / SCHEMA / VIEW,
 * DROP, TRUNCATE, SET / SHOW / RESET, COPY.
 *
 * CREATE TABLE options (WITH (...)): partition_by = 'a,b' (Hive-style
 * partitions of the Delta table); any other key is stored as a Delta
 * table property, e.g. WITH ("delta.enableChangeDataFeed" = true).
 *
 * COPY formats: text (PostgreSQL's default: tab-separated, \N for NULL),
 * csv (HEADER, DELIMITER, NULL, QUOTE options) and parquet; files only
 * (STDIN / STDOUT come with the wire protocol).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/csv/csv.h"
#include "format/csv/pgtext.h"
#include "format/parquet/reader.h"
#include "format/parquet/writer.h"
#include "sql/exec/spill.h"
#include "sql/func/cast.h"
#include "sql/func/func_lib.h"
#include "sql/parse/parse.h"
#include "sql/notice.h"
#include "sql/stmt.h"
#include "table/delta/delta.h"
#include "vector/format.h"

/* Bounded string copy (truncating, always terminated). */
static void scopy(char *d, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap)
        n = cap - 1;
    memcpy(d, s, n);
    d[n] = 0;
}

static int tag_result(const char *tag, tarn_result **out, TarnError *err)
{
    *out = sql_result_tag(tag, err);
    return *out ? 0 : err->kind;
}

/* ---- CREATE TABLE ---------------------------------------------------------------------------- */

int sql_run_create_table(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err)
{
    Stmt s;
    stmt_begin(&s, db, sql, err);
    Schema schema;
    schema_init(&schema);
    int rc = 0;
    const AstList *cols = &st->u.create_table.columns;
    for (uint32_t i = 0; i < cols->n && !rc; i++) {
        const AstNode *c = cols->items[i];
        LogicalType t;
        if ((rc = bind_type_name(&s.bc, c->u.coldef.type, &t)))
            break;
        if (t.id == TYPE_JSON)
            t = type_simple(TYPE_STRING);
        if (c->u.coldef.default_expr) {
            rc = err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "column defaults are not supported yet");
            bind_error_at(&s.bc, c->u.coldef.default_expr->loc);
            break;
        }
        for (uint32_t k = 0; k < schema.n_fields; k++)
            if (!strcmp(schema.fields[k].name, c->u.coldef.name)) {
                rc = err_set_state(err, TARN_ERR_INVALID, "42701", "column \"%s\" specified more than once", c->u.coldef.name);
                bind_error_at(&s.bc, c->loc);
                break;
            }
        if (!rc && (rc = sql_storable_type(&t, c->u.coldef.name, err)))
            bind_error_at(&s.bc, c->u.coldef.type->loc);
        if (!rc)
            rc = sql_schema_add(&schema, c->u.coldef.name, &t, !c->u.coldef.not_null, err);
    }
    /* options */
    const AstList *opts = &st->u.create_table.options;
    const char **keys = arena_alloc(&s.a, (opts->n + 1) * sizeof(char *));
    const char **vals = arena_alloc(&s.a, (opts->n + 1) * sizeof(char *));
    const char **parts = arena_alloc(&s.a, (schema.n_fields + 1) * sizeof(char *));
    int n_props = 0, n_parts = 0;
    if (!rc && (!keys || !vals || !parts))
        rc = ERR_NOMEM(err, 0);
    for (uint32_t i = 0; i < opts->n && !rc; i++) {
        const AstNode *o = opts->items[i];
        const char *v = o->u.defelem.str;
        if (!v) {
            Expr *e;
            if ((rc = bind_constant_expr(&s.bc, o->u.defelem.arg, &e)))
                break;
            LogicalType tt = type_simple(TYPE_STRING);
            if ((rc = bind_coerce(&s.bc, e, &tt, CAST_EXPLICIT, &e)))
                break;
            v = e->kind == EX_CONST && !e->u.cnst.is_null ? arena_strndup(&s.a, e->u.cnst.v.s.ptr, e->u.cnst.v.s.len) : "";
        }
        if (!strcmp(o->u.defelem.name, "partition_by") || !strcmp(o->u.defelem.name, "partitioned_by")) {
            char *copy = arena_strdup(&s.a, v);
            if (!copy) {
                rc = ERR_NOMEM(err, 0);
                break;
            }
            for (char *tok = strtok(copy, ", "); tok && !rc; tok = strtok(NULL, ", ")) {
                if (schema_find(&schema, tok) < 0) {
                    rc = err_set_state(err, TARN_ERR_NOT_FOUND, "42703", "partition column \"%s\" does not exist", tok);
                    bind_error_at(&s.bc, o->loc);
                    break;
                }
                if (n_parts < (int)schema.n_fields)
                    parts[n_parts++] = tok;
            }
            continue;
        }
        keys[n_props] = o->u.defelem.name;
        vals[n_props++] = v;
    }
    const char *sch = NULL;
    const AstNode *rv = st->u.create_table.table;
    if (!rc && (rc = catalog_creation_schema(db->cat, rv->u.rangevar.schema, db->search_path, db->n_path, &sch, err)))
        bind_error_at(&s.bc, rv->loc);
    if (!rc) {
        DeltaCreateOptions co;
        memset(&co, 0, sizeof co);
        co.schema = &schema;
        co.partition_columns = parts;
        co.n_partition_columns = n_parts;
        co.property_keys = keys;
        co.property_values = vals;
        co.n_properties = n_props;
        co.name = rv->u.rangevar.name;
        co.if_not_exists = st->u.create_table.if_not_exists;
        CatalogRel *rel;
        bool created;
        if ((rc = catalog_create_table(db->cat, sch, rv->u.rangevar.name, &co, &rel, &created, err)))
            bind_error_at(&s.bc, rv->loc);
        else if (!created)
            sql_notice(db, "NOTICE", "42P07", "relation \"%s\" already exists, skipping", rv->u.rangevar.name);
    }
    schema_destroy(&schema);
    stmt_end(&s);
    return rc ? rc : tag_result("CREATE TABLE", out, err);
}

int sql_run_create_schema(tarn_db *db, const AstStmt *st, tarn_result **out, TarnError *err)
{
    bool existed = st->u.create_schema.if_not_exists && catalog_schema_exists(db->cat, st->u.create_schema.name);
    int rc = catalog_create_schema(db->cat, st->u.create_schema.name, st->u.create_schema.if_not_exists, err);
    if (!rc && existed)
        sql_notice(db, "NOTICE", "42P06", "schema \"%s\" already exists, skipping", st->u.create_schema.name);
    return rc ? rc : tag_result("CREATE SCHEMA", out, err);
}

int sql_run_create_view(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err)
{
    Stmt s;
    stmt_begin(&s, db, sql, err);
    BoundQuery q;
    int rc = bind_query(&s.bc, st->u.create_view.select, &q);
    if (!rc && st->u.create_view.col_names.n > q.n_cols)
        rc = err_set_state(err, TARN_ERR_SYNTAX, "42601", "CREATE VIEW specifies more column names than columns");
    const AstNode *rv = st->u.create_view.view;
    const char *sch = NULL;
    if (!rc && (rc = catalog_creation_schema(db->cat, rv->u.rangevar.schema, db->search_path, db->n_path, &sch, err)))
        bind_error_at(&s.bc, rv->loc);
    if (!rc) {
        char *text = arena_strndup(&s.a, sql + st->loc, (size_t)st->len);
        if (!text)
            rc = ERR_NOMEM(err, 0);
        else if ((rc = catalog_create_view(db->cat, sch, rv->u.rangevar.name, text, st->u.create_view.replace, err)))
            bind_error_at(&s.bc, rv->loc);
    }
    stmt_end(&s);
    return rc ? rc : tag_result("CREATE VIEW", out, err);
}

/* ---- DROP / TRUNCATE ---------------------------------------------------------------------------------- */

int sql_run_drop(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err)
{
    const AstList *names = &st->u.drop.names;
    int rc = 0;
    for (uint32_t i = 0; i < names->n && !rc; i++) {
        const AstNode *rv = names->items[i];
        if (st->u.drop.kind == DROP_SCHEMA) {
            if (rv->u.rangevar.schema) {
                rc = err_set_state(err, TARN_ERR_SYNTAX, "42601", "improper qualified name (too many dotted names)");
                break;
            }
            bool missing = st->u.drop.if_exists && !catalog_schema_exists(db->cat, rv->u.rangevar.name);
            rc = catalog_drop_schema(db->cat, rv->u.rangevar.name, st->u.drop.if_exists, st->u.drop.cascade, err);
            if (!rc && missing)
                sql_notice(db, "NOTICE", "00000", "schema \"%s\" does not exist, skipping", rv->u.rangevar.name);
            continue;
        }
        CatalogRel *rel;
        TarnError e2;
        memset(&e2, 0, sizeof e2);
        if (catalog_lookup(db->cat, rv->u.rangevar.schema, rv->u.rangevar.name, db->search_path, db->n_path, &rel, &e2)) {
            if (e2.kind != TARN_ERR_NOT_FOUND) {
                *err = e2;
                rc = e2.kind;
                break;
            }
            if (st->u.drop.if_exists) {
                bool no_schema = !strcmp(e2.sqlstate, "3F000");
                sql_notice(db, "NOTICE", "00000", "%s \"%s\" does not exist, skipping",
                           no_schema ? "schema" : st->u.drop.kind == DROP_TABLE ? "table" : "view",
                           no_schema ? rv->u.rangevar.schema : rv->u.rangevar.name);
                continue;
            }
            rc = err_set_state(err, TARN_ERR_NOT_FOUND, !strcmp(e2.sqlstate, "3F000") ? "3F000" : "42P01",
                               "%s \"%s\" does not exist", !strcmp(e2.sqlstate, "3F000") ? "schema" :
                               st->u.drop.kind == DROP_TABLE ? "table" : "view",
                               !strcmp(e2.sqlstate, "3F000") ? rv->u.rangevar.schema : rv->u.rangevar.name);
            sql_err_at(err, sql, rv->loc);
            break;
        }
        bool want_table = st->u.drop.kind == DROP_TABLE;
        if ((rel->kind == REL_TABLE) != want_table) {
            rc = err_set_state(err, TARN_ERR_INVALID, "42809", "\"%s\" is not a %s", rel->name, want_table ? "table" : "view");
            err_hint(err, "Use DROP %s to remove a %s.", want_table ? "VIEW" : "TABLE", want_table ? "view" : "table");
            sql_err_at(err, sql, rv->loc);
            break;
        }
        rc = catalog_drop_relation(db->cat, rel, err);
    }
    if (rc)
        return rc;
    return tag_result(st->u.drop.kind == DROP_TABLE ? "DROP TABLE" : st->u.drop.kind == DROP_VIEW ? "DROP VIEW" : "DROP SCHEMA",
                      out, err);
}

int sql_run_truncate(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err)
{
    for (uint32_t i = 0; i < st->u.truncate.tables.n; i++) {
        const AstNode *rv = st->u.truncate.tables.items[i];
        CatalogRel *rel;
        int rc = catalog_lookup(db->cat, rv->u.rangevar.schema, rv->u.rangevar.name, db->search_path, db->n_path, &rel, err);
        if (rc) {
            sql_err_at(err, sql, rv->loc);
            return rc;
        }
        if (rel->kind != REL_TABLE) {
            err_set_state(err, TARN_ERR_INVALID, "42809", "\"%s\" is not a table", rel->name);
            sql_err_at(err, sql, rv->loc);
            return err->kind;
        }
        if ((rc = delta_delete(rel->table, NULL, NULL, err)))
            return rc;
    }
    return tag_result("TRUNCATE TABLE", out, err);
}

/* ---- SET / SHOW / RESET -------------------------------------------------------------------------------- */

int sql_set_search_path(tarn_db *db, const char *text, TarnError *err)
{
    char buf[512];
    scopy(buf, sizeof buf, text);
    uint32_t n = 0;
    for (char *p = buf; *p && n < SQL_MAX_PATH;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        char *start = p;
        bool quoted = *p == '"';
        if (quoted) {
            start = ++p;
            while (*p && *p != '"')
                p++;
        } else {
            while (*p && *p != ',' && *p != ' ')
                p++;
        }
        char save = *p;
        *p = 0;
        if (strcmp(start, "$user") != 0) {
            scopy(db->path_buf[n], sizeof db->path_buf[n], start);
            if (!quoted)
                for (char *q = db->path_buf[n]; *q; q++)
                    *q = (char)tolower((unsigned char)*q);
            db->search_path[n] = db->path_buf[n];
            n++;
        }
        *p = save;
        if (quoted && *p == '"')
            p++;
    }
    db->n_path = n;
    scopy(db->search_path_text, sizeof db->search_path_text, text);
    (void)err;
    return 0;
}

/* TimeZone: an IANA zone ("Europe/Berlin", read from /usr/share/zoneinfo
 * by func_datetime.c), UTC/GMT/Z, or a POSIX-style offset ("UTC+2", "+02:00"
 * are both two hours WEST of Greenwich, as in PostgreSQL).  A text starting
 * with '@' is an ISO offset in seconds east from SET TIME ZONE <number> /
 * INTERVAL (sql_run_set), shown as PostgreSQL shows it ("<+05>-05"). */
int sql_set_timezone(tarn_db *db, const char *text, TarnError *err)
{
    const char *t = text;
    if (!strcasecmp(t, "default") || !strcasecmp(t, "local") || !strcasecmp(t, "utc"))
        t = "UTC";
    if (t[0] == '@') {
        long secs = strtol(t + 1, NULL, 10);
        long a = secs < 0 ? -secs : secs;
        char name[64];
        if (a % 3600 == 0)
            snprintf(name, sizeof name, "<%c%02ld>%c%02ld", secs < 0 ? '-' : '+', a / 3600, secs < 0 ? '+' : '-', a / 3600);
        else
            snprintf(name, sizeof name, "<%c%02ld:%02ld>%c%02ld:%02ld", secs < 0 ? '-' : '+', a / 3600, a / 60 % 60,
                     secs < 0 ? '+' : '-', a / 3600, a / 60 % 60);
        scopy(db->settings.timezone, sizeof db->settings.timezone, name);
        db->settings.tz_offset_secs = (int32_t)secs;
        return 0;
    }
    const FlTz *tz = fl_tz_setting(t, strlen(t));
    if (!tz || strlen(t) >= sizeof db->settings.timezone)
        return err_set_state(err, TARN_ERR_INVALID, "22023", "invalid value for parameter \"TimeZone\": \"%s\"", text);
    char canon[64];
    if (fl_tz_canonical_name(t, canon, sizeof canon))
        t = canon; /* SHOW TimeZone spells it as the zone file does */
    scopy(db->settings.timezone, sizeof db->settings.timezone, t);
    db->settings.tz_offset_secs = fl_tz_offset_utc(tz, 0, NULL);
    return 0;
}

/* memory_limit and temp_directory (exec/spill.h); value NULL = default. */
int sql_set_memory(tarn_db *db, const char *lname, const char *value, TarnError *err)
{
    if (!strcmp(lname, "temp_directory")) {
        if (value && strlen(value) >= sizeof db->temp_directory - 1)
            return err_set_state(err, TARN_ERR_INVALID, "22023", "invalid value for parameter \"temp_directory\": \"%s\"",
                                 value);
        scopy(db->temp_directory, sizeof db->temp_directory, value ? value : "");
        return 0;
    }
    int64_t b = 0;
    if (value && exec_parse_mem_limit(value, &b)) {
        err_set_state(err, TARN_ERR_INVALID, "22023", "invalid value for parameter \"memory_limit\": \"%s\"", value);
        err_hint(err, "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", \"TB\" and \"%%\" (of physical "
                      "memory); the minimum is 1MB.");
        return err->kind;
    }
    db->memory_limit = b;
    scopy(db->memory_limit_text, sizeof db->memory_limit_text, value ? value : "");
    return 0;
}

int sql_run_set(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err)
{
    const char *name = st->u.set.name;
    char lname[64];
    scopy(lname, sizeof lname, name ? name : "");
    for (char *p = lname; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    if (!sql_setting_known(lname)) {
        err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "unrecognized configuration parameter \"%s\"", name);
        sql_err_at(err, sql, st->loc);
        return err->kind;
    }
    /* value text: the arguments joined with ", " */
    char value[512] = "";
    size_t w = 0;
    for (uint32_t i = 0; i < st->u.set.args.n; i++) {
        const AstNode *a = st->u.set.args.items[i];
        char piece[256];
        if (!strcmp(lname, "timezone") && st->u.set.args.n == 1 && a->kind != AST_CONST && a->kind == AST_CAST &&
            a->u.cast.arg->kind == AST_CONST && a->u.cast.arg->u.cnst.text) {
            /* SET TIME ZONE INTERVAL '+02:00' HOUR TO MINUTE: hours east */
            Interval iv;
            const char *it = a->u.cast.arg->u.cnst.text;
            if (!value_parse_interval(it, strlen(it), &iv) || iv.months || iv.days) {
                err_set_state(err, TARN_ERR_INVALID, "22023", "invalid interval value for time zone: \"%s\"", it);
                sql_err_at(err, sql, a->loc);
                return err->kind;
            }
            snprintf(piece, sizeof piece, "@%lld", (long long)(iv.micros / 1000000));
        } else if (!strcmp(lname, "timezone") && a->kind == AST_CONST &&
                   (a->u.cnst.kind == CONST_INT || a->u.cnst.kind == CONST_NUMERIC)) {
            /* SET TIME ZONE -7: hours east (ISO sign) */
            double h = a->u.cnst.kind == CONST_INT ? (double)a->u.cnst.ival : strtod(a->u.cnst.text, NULL);
            snprintf(piece, sizeof piece, "@%lld", (long long)(h * 3600));
        } else if (a->kind == AST_CONST && (a->u.cnst.kind == CONST_STRING || a->u.cnst.kind == CONST_NUMERIC))
            scopy(piece, sizeof piece, a->u.cnst.text);
        else if (a->kind == AST_CONST && a->u.cnst.kind == CONST_INT)
            snprintf(piece, sizeof piece, "%lld", (long long)a->u.cnst.ival);
        else if (a->kind == AST_CONST && a->u.cnst.kind == CONST_BOOL)
            scopy(piece, sizeof piece, a->u.cnst.bval ? "on" : "off");
        else if (a->kind == AST_CAST && a->u.cast.arg->kind == AST_CONST && a->u.cast.arg->u.cnst.text)
            scopy(piece, sizeof piece, a->u.cast.arg->u.cnst.text); /* SET TIME ZONE INTERVAL '...' */
        else {
            err_set_state(err, TARN_ERR_INVALID, "22023", "invalid value for parameter \"%s\"", name);
            sql_err_at(err, sql, a->loc);
            return err->kind;
        }
        bool plain = (piece[0] >= 'a' && piece[0] <= 'z') || piece[0] == '_';
        for (const char *q = piece; *q && plain; q++)
            plain = (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_' || *q == '$';
        if (lname[0] == 's' && !strcmp(lname, "search_path") && a->kind == AST_CONST && a->u.cnst.kind == CONST_STRING &&
            !plain) {
            /* identifiers in a search path keep their case: quote those that need it (as PostgreSQL shows them) */
            w += (size_t)snprintf(value + w, sizeof value - w, "%s\"%s\"", i ? ", " : "", piece);
        } else {
            w += (size_t)snprintf(value + w, sizeof value - w, "%s%s", i ? ", " : "", piece);
        }
        if (w >= sizeof value)
            w = sizeof value - 1;
    }
    int rc = sql_setting_set(db, name, st->u.set.to_default ? NULL : value, st->u.set.is_local, err);
    if (rc) {
        sql_err_at(err, sql, st->loc);
        return rc;
    }
    return tag_result("SET", out, err);
}

int sql_run_reset(tarn_db *db, const AstStmt *st, tarn_result **out, TarnError *err)
{
    if (st->u.reset.all)
        sql_settings_reset_all(db);
    else if (sql_setting_set(db, st->u.reset.name, NULL, false, err))
        return err->kind;
    return tag_result("RESET", out, err);
}

int sql_run_show(tarn_db *db, const AstStmt *st, tarn_result **out, TarnError *err)
{
    if (!strcasecmp(st->u.show.name, "all"))
        return sql_setting_show_all(db, out, err);
    char value[512];
    const char *col;
    if (sql_setting_get(db, st->u.show.name, value, sizeof value, &col, err))
        return err->kind;
    LogicalType t = type_simple(TYPE_STRING);
    tarn_result *r = sql_result_new(1, &col, &t, err);
    if (!r)
        return err->kind;
    int rc = sql_result_add_text(r, value, err);
    if (!rc)
        rc = sql_result_seal(r, err);
    if (rc) {
        tarn_result_free(r);
        return rc;
    }
    snprintf(r->tag, sizeof r->tag, "SHOW");
    *out = r;
    return 0;
}

/* ---- COPY ----------------------------------------------------------------------------------------------------- */

typedef enum { FMT_TEXT, FMT_CSV, FMT_PARQUET } CopyFormat;

typedef struct CopyOpts {
    CopyFormat fmt;
    bool header;
    char delim, quote;
    const char *null_str;
} CopyOpts;

static int copy_options(const AstList *opts, CopyOpts *o, TarnError *err)
{
    o->fmt = FMT_TEXT;
    o->header = false;
    o->delim = 0;
    o->quote = '"';
    o->null_str = NULL;
    for (uint32_t i = 0; i < opts->n; i++) {
        const AstNode *d = opts->items[i];
        const char *n = d->u.defelem.name, *v = d->u.defelem.str;
        if (!strcmp(n, "format")) {
            if (v && !strcasecmp(v, "csv"))
                o->fmt = FMT_CSV;
            else if (v && !strcasecmp(v, "text"))
                o->fmt = FMT_TEXT;
            else if (v && !strcasecmp(v, "parquet"))
                o->fmt = FMT_PARQUET;
            else
                return err_set_state(err, TARN_ERR_INVALID, "22023", "COPY format \"%s\" not recognized", v ? v : "");
        } else if (!strcmp(n, "header")) {
            o->header = !v || !strcasecmp(v, "true") || !strcasecmp(v, "on") || !strcmp(v, "1");
        } else if (!strcmp(n, "delimiter")) {
            if (!v || strlen(v) != 1)
                return err_set_state(err, TARN_ERR_INVALID, "22023", "COPY delimiter must be a single one-byte character");
            o->delim = v[0];
        } else if (!strcmp(n, "null")) {
            o->null_str = v ? v : "";
        } else if (!strcmp(n, "quote")) {
            if (!v || strlen(v) != 1)
                return err_set_state(err, TARN_ERR_INVALID, "22023", "COPY quote must be a single one-byte character");
            o->quote = v[0];
        } else if (!strcmp(n, "encoding")) {
            if (v && strcasecmp(v, "utf8") && strcasecmp(v, "utf-8"))
                return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "only UTF8 encoding is supported");
        } else {
            return err_set_state(err, TARN_ERR_SYNTAX, "42601", "option \"%s\" not recognized", n);
        }
    }
    if (!o->delim)
        o->delim = o->fmt == FMT_CSV ? ',' : '\t';
    if (o->fmt == FMT_TEXT && !o->null_str)
        o->null_str = "\\N";
    return 0;
}

/* text format value: backslash escapes */
static int text_escape(Buf *b, const char *s, size_t n, char delim)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int rc;
        switch (c) {
        case '\\': rc = buf_append(b, "\\\\", 2); break;
        case '\n': rc = buf_append(b, "\\n", 2); break;
        case '\r': rc = buf_append(b, "\\r", 2); break;
        case '\t': rc = buf_append(b, "\\t", 2); break;
        default:
            if (c == delim)
                rc = buf_printf(b, "\\%c", c);
            else
                rc = buf_append_byte(b, (uint8_t)c);
        }
        if (rc)
            return rc;
    }
    return 0;
}

static int copy_to(tarn_db *db, const char *sql, const AstStmt *st, const CopyOpts *o, tarn_result **out, TarnError *err)
{
    tarn_result *r = NULL;
    int rc;
    Arena a;
    arena_init(&a, 0);
    if (st->u.copy.query) {
        rc = sql_run_query(db, sql, st->u.copy.query, &r, err);
    } else {
        /* COPY table [(cols)] TO: SELECT cols FROM table */
        const AstNode *rv = st->u.copy.table;
        char *q = arena_alloc(&a, 8192);
        if (!q) {
            arena_free(&a);
            return ERR_NOMEM(err, 8192);
        }
        size_t w = (size_t)snprintf(q, 8192, "SELECT ");
        if (st->u.copy.columns.n) {
            for (uint32_t i = 0; i < st->u.copy.columns.n && w < 8000; i++)
                w += (size_t)snprintf(q + w, 8192 - w, "%s\"%s\"", i ? ", " : "", st->u.copy.columns.items[i]->u.colref.names[0]);
        } else {
            w += (size_t)snprintf(q + w, 8192 - w, "*");
        }
        if (rv->u.rangevar.schema)
            snprintf(q + w, 8192 - w, " FROM \"%s\".\"%s\"", rv->u.rangevar.schema, rv->u.rangevar.name);
        else
            snprintf(q + w, 8192 - w, " FROM \"%s\"", rv->u.rangevar.name);
        AstStmtList sl;
        rc = sql_parse(q, &a, &sl, err);
        if (!rc)
            rc = sql_run_query(db, q, sl.stmts[0]->u.select, &r, err);
        if (rc)
            err->position = 0;
    }
    if (rc) {
        arena_free(&a);
        return rc;
    }
    /* schema for the writers */
    Schema s;
    schema_init(&s);
    for (uint32_t c = 0; c < r->ncols && !rc; c++) {
        LogicalType t;
        if (type_copy(&t, &r->types[c]) || schema_add(&s, r->names[c], t, true))
            rc = ERR_NOMEM(err, 0);
    }
    uint64_t rows = r->rows.n_rows;
    if (!rc && o->fmt == FMT_PARQUET) {
        PqWriter *pw = pq_writer_open(st->u.copy.file, &s, NULL, err);
        if (!pw)
            rc = err->kind;
        for (uint32_t k = 0; !rc && k < r->rows.n_chunks; k++) {
            CollChunk *ch = &r->rows.chunks[k];
            for (uint32_t c = 0; c < r->ncols; c++)
                ch->cols[c].type = &s.fields[c].type;
            Batch b = {&s, ch->n_rows, r->ncols, ch->cols};
            rc = pq_writer_write(pw, &b, err);
        }
        if (pw) {
            if (rc)
                pq_writer_abort(pw);
            else
                rc = pq_writer_close(pw, err);
        }
    } else if (!rc) {
        FILE *f = fopen(st->u.copy.file, "wb");
        if (!f) {
            rc = err_set_state(err, TARN_ERR_IO, "58P01", "could not open file \"%s\" for writing: %s", st->u.copy.file,
                               strerror(errno));
        }
        Buf b;
        buf_init(&b);
        CsvWriteOptions wo;
        csv_write_options_default(&wo);
        wo.delimiter = o->delim;
        wo.quote = o->quote;
        wo.null_str = o->null_str;
        if (!rc && o->header) {
            if (o->fmt == FMT_CSV) {
                rc = csv_write_header(&s, &b, &wo);
            } else {
                for (uint32_t c = 0; c < r->ncols && !rc; c++)
                    rc = buf_printf(&b, "%s%s", c ? "\t" : "", r->names[c]);
                if (!rc)
                    rc = buf_append_byte(&b, '\n');
            }
        }
        Buf v;
        buf_init(&v);
        for (uint32_t k = 0; !rc && k < r->rows.n_chunks; k++) {
            CollChunk *ch = &r->rows.chunks[k];
            if (o->fmt == FMT_CSV) {
                Batch bt = {&s, ch->n_rows, r->ncols, ch->cols};
                rc = csv_write_batch(&bt, &b, &wo);
            } else {
                for (uint32_t i = 0; i < ch->n_rows && !rc; i++) {
                    for (uint32_t c = 0; c < r->ncols && !rc; c++) {
                        if (c)
                            rc = buf_append_byte(&b, (uint8_t)o->delim);
                        if (!vec_is_valid(&ch->cols[c], i)) {
                            rc = rc ? rc : buf_printf(&b, "%s", o->null_str);
                            continue;
                        }
                        buf_clear(&v);
                        if (!rc && ch->cols[c].type->id == TYPE_BOOL)
                            rc = buf_append_byte(&v, ch->cols[c].data[i] ? 't' : 'f');
                        else if (!rc)
                            rc = value_format_text(&ch->cols[c], i, &v);
                        if (!rc)
                            rc = text_escape(&b, (const char *)v.data, v.len, o->delim);
                    }
                    if (!rc)
                        rc = buf_append_byte(&b, '\n');
                }
            }
            if (!rc && b.len > (1u << 20)) {
                if (fwrite(b.data, 1, b.len, f) != b.len)
                    rc = err_set(err, TARN_ERR_IO, "could not write to file \"%s\": %s", st->u.copy.file, strerror(errno));
                buf_clear(&b);
            }
        }
        if (rc == TARN_ERR_NOMEM && !err->kind)
            ERR_NOMEM(err, 0);
        if (!rc && b.len && fwrite(b.data, 1, b.len, f) != b.len)
            rc = err_set(err, TARN_ERR_IO, "could not write to file \"%s\": %s", st->u.copy.file, strerror(errno));
        if (f && fclose(f) && !rc)
            rc = err_set(err, TARN_ERR_IO, "could not write to file \"%s\": %s", st->u.copy.file, strerror(errno));
        buf_free(&b);
        buf_free(&v);
    }
    schema_destroy(&s);
    tarn_result_free(r);
    arena_free(&a);
    if (rc)
        return rc;
    char tag[64];
    snprintf(tag, sizeof tag, "COPY %llu", (unsigned long long)rows);
    return tag_result(tag, out, err);
}

static int set_all_null(Vector *v, uint32_t n)
{
    vec_reset(v);
    if (vec_reserve(v, n ? n : 1) || vec_ensure_validity(v))
        return TARN_ERR_NOMEM;
    memset(v->validity, 0, (n + 7) / 8);
    memset(v->data, 0, type_width(v->type) * n);
    v->len = n;
    return 0;
}

/* COPY FROM a text-format file: the rows converted to a temporary CSV file
 * in the temp directory (its path into tmp; the caller unlinks it). */
static int text_to_csv_file(tarn_db *db, const char *path, const CopyOpts *o, char *tmp, size_t cap, TarnError *err)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return err_set_state(err, TARN_ERR_IO, "58P01", "could not open file \"%s\" for reading: %s", path,
                             strerror(errno));
    const char *dir = db->temp_directory[0] ? db->temp_directory : ".";
    mkdir(dir, 0700);
    snprintf(tmp, cap, "%s/copy-text-XXXXXX", dir);
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        fclose(in);
        int rc = err_set_state(err, TARN_ERR_IO, "58030", "could not create a temporary file in \"%s\": %s", dir,
                               strerror(errno));
        tmp[0] = 0;
        return rc;
    }
    PgTextToCsv t;
    pgtext_csv_init(&t, o->delim, o->null_str ? o->null_str : "\\N", o->header);
    char buf[1 << 16];
    size_t n;
    int rc = 0;
    while (!rc && !t.ended && (n = fread(buf, 1, sizeof buf, in)) > 0)
        rc = pgtext_csv_feed(&t, buf, n, f, err);
    if (!rc && ferror(in))
        rc = err_set(err, TARN_ERR_IO, "could not read file \"%s\": %s", path, strerror(errno));
    if (!rc)
        rc = pgtext_csv_finish(&t, f, err);
    pgtext_csv_free(&t);
    fclose(in);
    if (fclose(f) && !rc)
        rc = err_set(err, TARN_ERR_IO, "could not write a temporary file: %s", strerror(errno));
    if (rc) {
        if (!err->kind)
            err_set(err, TARN_ERR_IO, "could not convert \"%s\" from COPY text format", path);
        return err->kind;
    }
    return 0;
}

static int copy_from(tarn_db *db, const char *sql, const AstStmt *st, const CopyOpts *o, tarn_result **out, TarnError *err)
{
    const AstNode *rv = st->u.copy.table;
    CatalogRel *rel;
    int rc = catalog_lookup(db->cat, rv->u.rangevar.schema, rv->u.rangevar.name, db->search_path, db->n_path, &rel, err);
    if (rc) {
        sql_err_at(err, sql, rv->loc);
        return rc;
    }
    if (rel->kind != REL_TABLE) {
        err_set_state(err, TARN_ERR_INVALID, "42809", "cannot copy to view \"%s\"", rel->name);
        sql_err_at(err, sql, rv->loc);
        return err->kind;
    }
    DeltaSnapshot *snap = delta_snapshot_latest(rel->table, err);
    if (!snap)
        return err->kind;
    const Schema *ts = delta_snapshot_schema(snap);
    uint32_t nt = ts->n_fields;
    /* target columns, in file order */
    uint32_t nf = st->u.copy.columns.n ? st->u.copy.columns.n : nt;
    int32_t *target = tarn_calloc(nf + 1, sizeof(int32_t));
    int32_t *src_of = tarn_calloc(nt + 1, sizeof(int32_t));
    CsvColumnType *ct = tarn_calloc(nf + 1, sizeof(CsvColumnType));
    char (*names)[24] = tarn_calloc(nf + 1, 24);
    Vector *view = tarn_calloc(nt + 1, sizeof(Vector));
    Vector *nulls = tarn_calloc(nt + 1, sizeof(Vector));
    CsvReader *cr = NULL;
    PqReader *pr = NULL;
    DeltaTransaction *txn = NULL;
    Batch b;
    bool batch_ok = false;
    int64_t rows = 0;
    char tmp_csv[600] = "";
    if (!target || !src_of || !ct || !names || !view || !nulls) {
        rc = ERR_NOMEM(err, 0);
        goto done;
    }
    for (uint32_t c = 0; c < nt; c++) {
        src_of[c] = -1;
        vec_init(&nulls[c], &ts->fields[c].type);
    }
    for (uint32_t i = 0; i < nf; i++) {
        int k = (int)i;
        if (st->u.copy.columns.n) {
            const char *cn = st->u.copy.columns.items[i]->u.colref.names[0];
            k = schema_find(ts, cn);
            if (k < 0) {
                rc = err_set_state(err, TARN_ERR_NOT_FOUND, "42703", "column \"%s\" of relation \"%s\" does not exist", cn, rel->name);
                goto done;
            }
        }
        target[i] = k;
        src_of[k] = (int32_t)i;
    }
    if (o->fmt == FMT_PARQUET) {
        const char **cols = tarn_calloc(nf + 1, sizeof(char *));
        if (!cols) {
            rc = ERR_NOMEM(err, 0);
            goto done;
        }
        for (uint32_t i = 0; i < nf; i++)
            cols[i] = ts->fields[target[i]].name;
        PqReadOptions po;
        pq_read_options_default(&po);
        po.columns = cols;
        po.n_columns = (int)nf;
        pr = pq_reader_open(st->u.copy.file, &po, err);
        tarn_free(cols);
        if (!pr) {
            rc = err->kind;
            goto done;
        }
        const Schema *rs = pq_reader_schema(pr);
        for (uint32_t i = 0; i < nf; i++)
            if (i >= rs->n_fields || !type_equal(&rs->fields[i].type, &ts->fields[target[i]].type)) {
                char a1[64], a2[64];
                rc = err_set_state(err, TARN_ERR_TYPE, "42804", "column \"%s\" is of type %s but the file has %s",
                                   ts->fields[target[i]].name, sqltype_name(&ts->fields[target[i]].type, a1, sizeof a1),
                                   i < rs->n_fields ? sqltype_name(&rs->fields[i].type, a2, sizeof a2) : "nothing");
                goto done;
            }
        if (batch_init(&b, rs)) {
            rc = ERR_NOMEM(err, 0);
            goto done;
        }
        batch_ok = true;
    } else {
        CsvOptions co;
        csv_options_default(&co);
        co.delimiter = o->delim;
        co.quote = o->fmt == FMT_CSV ? o->quote : 0;
        co.header = o->header;
        co.null_str = o->null_str;
        for (uint32_t i = 0; i < nf; i++) {
            if (o->header) {
                ct[i].name = ts->fields[target[i]].name;
            } else {
                snprintf(names[i], 24, "column%u", i);
                ct[i].name = names[i];
            }
            ct[i].type = ts->fields[target[i]].type;
        }
        co.column_types = ct;
        co.n_column_types = (int)nf;
        const char *path = st->u.copy.file;
        if (o->fmt == FMT_TEXT) {
            /* PostgreSQL's text format: backslash escapes decoded into a
             * temporary CSV file (format/csv/pgtext.h), read as CSV */
            rc = text_to_csv_file(db, path, o, tmp_csv, sizeof tmp_csv, err);
            if (rc)
                goto done;
            path = tmp_csv;
            co.delimiter = ',';
            co.quote = '"';
            co.header = false;
            co.null_str = "";
        }
        cr = csv_reader_open(path, &co, err);
        if (!cr) {
            rc = err->kind;
            goto done;
        }
        const Schema *cs = csv_reader_schema(cr);
        if (cs->n_fields != nf) {
            rc = err_set_state(err, TARN_ERR_INVALID, "22P04", "the file has %u columns, COPY expects %u", cs->n_fields, nf);
            goto done;
        }
        if (batch_init(&b, cs)) {
            rc = ERR_NOMEM(err, 0);
            goto done;
        }
        batch_ok = true;
    }
    txn = delta_txn_begin(rel->table, err);
    if (!txn) {
        rc = err->kind;
        goto done;
    }
    for (;;) {
        batch_reset(&b);
        rc = cr ? csv_reader_next(cr, &b, err) : pq_reader_next(pr, &b, err);
        if (rc)
            goto done;
        if (b.n_rows == 0)
            break;
        for (uint32_t c = 0; c < nt; c++) {
            if (src_of[c] >= 0) {
                view[c] = b.cols[src_of[c]];
            } else {
                if (set_all_null(&nulls[c], b.n_rows)) {
                    rc = ERR_NOMEM(err, 0);
                    goto done;
                }
                view[c] = nulls[c];
            }
            view[c].type = &ts->fields[c].type;
            if (src_of[c] >= 0 && (rc = char_coerce_vector(&view[c], b.n_rows, &ts->fields[c].type, err)))
                goto done;
            if (!ts->fields[c].nullable)
                for (uint32_t i = 0; i < b.n_rows; i++)
                    if (!vec_is_valid(&view[c], i)) {
                        rc = err_set_state(err, TARN_ERR_INVALID, "23502",
                                           "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                                           ts->fields[c].name, rel->name);
                        goto done;
                    }
        }
        Batch tb = {ts, b.n_rows, nt, view};
        if ((rc = delta_txn_write(txn, &tb, err)))
            goto done;
        rows += b.n_rows;
    }
    if (rows) {
        rc = delta_txn_commit(txn, NULL, err);
    } else {
        delta_txn_abort(txn);
    }
    txn = NULL;
done:
    if (txn)
        delta_txn_abort(txn);
    if (batch_ok)
        batch_destroy(&b);
    if (cr)
        csv_reader_close(cr);
    if (tmp_csv[0])
        unlink(tmp_csv);
    if (pr)
        pq_reader_close(pr);
    if (nulls)
        for (uint32_t c = 0; c < nt; c++)
            vec_destroy(&nulls[c]);
    tarn_free(nulls);
    tarn_free(view);
    tarn_free(names);
    tarn_free(ct);
    tarn_free(src_of);
    tarn_free(target);
    delta_snapshot_free(snap);
    if (rc)
        return rc;
    char tag[64];
    snprintf(tag, sizeof tag, "COPY %lld", (long long)rows);
    return tag_result(tag, out, err);
}

int sql_run_copy(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err)
{
    if (!st->u.copy.file || !st->u.copy.file[0]) {
        err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000",
                      "COPY %s needs a client connection: run it through tarn serve (psql's \\copy works too), or name a file",
                      st->u.copy.is_from ? "FROM STDIN" : "TO STDOUT");
        sql_err_at(err, sql, st->loc);
        return err->kind;
    }
    CopyOpts o;
    int rc = copy_options(&st->u.copy.options, &o, err);
    if (rc) {
        sql_err_at(err, sql, st->loc);
        return rc;
    }
    if (st->u.copy.is_from)
        return copy_from(db, sql, st, &o, out, err);
    return copy_to(db, sql, st, &o, out, err);
}

/* ---- ALTER TABLE ... ADD COLUMN ---------------------------------------------------------------------- */

/* ALTER TABLE: sql_alter.c */
