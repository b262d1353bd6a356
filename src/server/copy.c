/*
 * copy.c - COPY FROM STDIN / TO STDOUT support (copy.h): the statement,
 * PostgreSQL's text and CSV row formats for TO STDOUT (CopyAttributeOutText /
 * CopyAttributeOutCSV in copyto.c are the reference).  FROM STDIN's text
 * format is converted by format/csv/pgtext.c.
 */
#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/copy.h"

/* ---- the statement ------------------------------------------------------------------------------ */

static int quote_ident(Buf *b, const char *s) { return buf_append_quoted(b, s, '"'); }
static int quote_literal(Buf *b, const char *s) { return buf_append_quoted(b, s, '\''); }

/* The query of COPY (query) TO, back to SQL text. */
static char *deparse_query(PgQuery__Node *n)
{
    PgQuery__RawStmt rs = PG_QUERY__RAW_STMT__INIT;
    rs.stmt = n;
    PgQuery__RawStmt *rsp = &rs;
    PgQuery__ParseResult pr = PG_QUERY__PARSE_RESULT__INIT;
    pr.version = PG_VERSION_NUM;
    pr.n_stmts = 1;
    pr.stmts = &rsp;
    size_t len = pg_query__parse_result__get_packed_size(&pr);
    uint8_t *buf = tarn_malloc(len ? len : 1);
    if (!buf)
        return NULL;
    pg_query__parse_result__pack(&pr, buf);
    PgQueryProtobuf pb = {len, (char *)buf};
    PgQueryDeparseResult d = pg_query_deparse_protobuf(pb);
    char *out = d.error || !d.query ? NULL : tarn_strdup(d.query);
    pg_query_free_deparse_result(d);
    tarn_free(buf);
    return out;
}

/* An option's value as text ("" for a bare option). */
static const char *opt_text(const PgQuery__DefElem *d, char *tmp, size_t cap)
{
    const PgQuery__Node *a = d->arg;
    if (!a)
        return "";
    switch (a->node_case) {
    case PG_QUERY__NODE__NODE_STRING: return a->string->sval;
    case PG_QUERY__NODE__NODE_BOOLEAN: return a->boolean->boolval ? "true" : "false";
    case PG_QUERY__NODE__NODE_INTEGER: snprintf(tmp, cap, "%d", a->integer->ival); return tmp;
    default: return NULL;
    }
}

static int bool_opt(const char *v, bool *out)
{
    if (!*v || !strcasecmp(v, "true") || !strcasecmp(v, "on") || !strcmp(v, "1"))
        *out = true;
    else if (!strcasecmp(v, "false") || !strcasecmp(v, "off") || !strcmp(v, "0"))
        *out = false;
    else
        return -1;
    return 0;
}

static int options(CopySpec *c, PgQuery__Node **opts, size_t n, TarnError *err)
{
    c->format = COPY_TEXT;
    c->delim = 0;
    c->quote = '"';
    c->escape = 0;
    const char *null_str = NULL;
    for (size_t i = 0; i < n; i++) {
        if (opts[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM)
            continue;
        const PgQuery__DefElem *d = opts[i]->def_elem;
        char tmp[32];
        const char *v = opt_text(d, tmp, sizeof tmp);
        const char *name = d->defname;
        if (!v)
            return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "COPY option \"%s\" is not supported by tarn serve",
                                 name);
        if (!strcmp(name, "format")) {
            if (!strcasecmp(v, "text"))
                c->format = COPY_TEXT;
            else if (!strcasecmp(v, "csv"))
                c->format = COPY_CSV;
            else if (!strcasecmp(v, "binary"))
                return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "COPY BINARY is not supported by tarn serve yet");
            else
                return err_set_state(err, TARN_ERR_INVALID, "22023", "COPY format \"%s\" not recognized", v);
        } else if (!strcmp(name, "delimiter")) {
            if (strlen(v) != 1)
                return err_set_state(err, TARN_ERR_INVALID, "22023", "COPY delimiter must be a single one-byte character");
            c->delim = v[0];
        } else if (!strcmp(name, "null")) {
            null_str = v;
        } else if (!strcmp(name, "header")) {
            if (!strcasecmp(v, "match"))
                return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "COPY HEADER MATCH is not supported by tarn serve");
            if (bool_opt(v, &c->header))
                return err_set_state(err, TARN_ERR_INVALID, "22023", "header requires a Boolean value or \"match\"");
        } else if (!strcmp(name, "quote")) {
            if (strlen(v) != 1)
                return err_set_state(err, TARN_ERR_INVALID, "22023", "COPY quote must be a single one-byte character");
            c->quote = v[0];
        } else if (!strcmp(name, "escape")) {
            if (strlen(v) != 1)
                return err_set_state(err, TARN_ERR_INVALID, "22023", "COPY escape must be a single one-byte character");
            c->escape = v[0];
        } else if (!strcmp(name, "encoding")) {
            if (strcasecmp(v, "utf8") && strcasecmp(v, "utf-8") && strcasecmp(v, "sql_ascii"))
                return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "only UTF8 encoding is supported");
        } else {
            return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "COPY option \"%s\" is not supported by tarn serve",
                                 name);
        }
    }
    if (c->format == COPY_TEXT && (c->escape || c->quote != '"'))
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "COPY %s available only in CSV mode",
                             c->escape ? "escape" : "quote");
    if (!c->delim)
        c->delim = c->format == COPY_CSV ? ',' : '\t';
    if (!c->escape)
        c->escape = c->quote;
    if (c->delim == '\n' || c->delim == '\r' || (c->format == COPY_TEXT && c->delim == '\\'))
        return err_set_state(err, TARN_ERR_INVALID, "22023", "COPY delimiter cannot be \"%c\"", c->delim);
    if (c->format == COPY_CSV && c->delim == c->quote)
        return err_set_state(err, TARN_ERR_INVALID, "22023", "COPY delimiter and quote must be different");
    c->null_str = tarn_strdup(null_str ? null_str : c->format == COPY_CSV ? "" : "\\N");
    return c->null_str ? 0 : ERR_NOMEM(err, 8);
}

int copy_spec_parse(const char *sql, CopySpec *c, TarnError *err)
{
    memset(c, 0, sizeof *c);
    PgQueryProtobufParseResult pr = pg_query_parse_protobuf(sql);
    PgQuery__ParseResult *tree = NULL;
    int rc = 0;
    if (pr.error)
        goto done; /* not ours to judge: the SQL layer reports it */
    tree = pg_query__parse_result__unpack(NULL, pr.parse_tree.len, (const uint8_t *)pr.parse_tree.data);
    if (!tree || tree->n_stmts != 1 || !tree->stmts[0]->stmt ||
        tree->stmts[0]->stmt->node_case != PG_QUERY__NODE__NODE_COPY_STMT)
        goto done;
    const PgQuery__CopyStmt *cs = tree->stmts[0]->stmt->copy_stmt;
    if (cs->is_program || (cs->filename && cs->filename[0]))
        goto done; /* a file: the SQL layer's COPY */
    rc = 1;
    c->is_from = cs->is_from;
    if (cs->where_clause) {
        rc = err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "COPY FROM ... WHERE is not supported by tarn serve");
        goto done;
    }
    if (options(c, cs->options, cs->n_options, err)) {
        rc = -1;
        goto done;
    }
    Buf rel, q;
    buf_init(&rel);
    buf_init(&q);
    int brc = 0;
    if (cs->relation) {
        if (cs->relation->schemaname && cs->relation->schemaname[0]) {
            brc = quote_ident(&rel, cs->relation->schemaname);
            brc = brc ? brc : buf_append_byte(&rel, '.');
        }
        brc = brc ? brc : quote_ident(&rel, cs->relation->relname);
        Buf cols;
        buf_init(&cols);
        for (size_t i = 0; !brc && i < cs->n_attlist; i++) {
            if (cs->attlist[i]->node_case != PG_QUERY__NODE__NODE_STRING)
                continue;
            if (i)
                brc = buf_append(&cols, ", ", 2);
            brc = brc ? brc : quote_ident(&cols, cs->attlist[i]->string->sval);
        }
        brc = brc ? brc : buf_printf(&q, "SELECT %.*s FROM %.*s", cols.len ? (int)cols.len : 1,
                                     cols.len ? (const char *)cols.data : "*", (int)rel.len, (const char *)rel.data);
        if (!brc && c->is_from)
            brc = buf_printf(&rel, cols.len ? " (%.*s)" : "%.*s", (int)cols.len, cols.len ? (const char *)cols.data : "");
        buf_free(&cols);
        brc = brc ? brc : buf_terminate(&q);
        brc = brc ? brc : buf_terminate(&rel);
        if (!brc) {
            c->query = tarn_strndup((const char *)q.data, q.len);
            c->target = tarn_strndup((const char *)rel.data, rel.len);
            brc = !c->query || !c->target;
        }
    } else if (cs->query) {
        c->query = deparse_query(cs->query);
        brc = !c->query;
    }
    buf_free(&rel);
    buf_free(&q);
    if (brc) {
        rc = -1;
        ERR_NOMEM(err, strlen(sql));
        goto done;
    }
    if (c->is_from && c->format == COPY_CSV) {
        /* options for the SQL layer's CSV reader */
        Buf o;
        buf_init(&o);
        char d[2] = {c->delim, 0}, qt[2] = {c->quote, 0};
        brc = buf_printf(&o, "FORMAT csv, HEADER %s, DELIMITER ", c->header ? "true" : "false");
        brc = brc ? brc : quote_literal(&o, d);
        brc = brc ? brc : buf_printf(&o, ", QUOTE ");
        brc = brc ? brc : quote_literal(&o, qt);
        brc = brc ? brc : buf_printf(&o, ", NULL ");
        brc = brc ? brc : quote_literal(&o, c->null_str);
        brc = brc ? brc : buf_terminate(&o);
        if (!brc)
            brc = !(c->csv_options = tarn_strndup((const char *)o.data, o.len));
        buf_free(&o);
        if (brc) {
            rc = -1;
            ERR_NOMEM(err, 64);
            goto done;
        }
        if (c->escape != c->quote) {
            rc = err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "COPY FROM with an ESCAPE other than QUOTE is not supported by tarn serve");
            goto done;
        }
    }
done:
    if (tree)
        pg_query__parse_result__free_unpacked(tree, NULL);
    pg_query_free_protobuf_parse_result(pr);
    if (rc <= 0 && (c->query || c->null_str))
        copy_spec_free(c);
    return rc;
}

void copy_spec_free(CopySpec *c)
{
    tarn_free(c->query);
    tarn_free(c->target);
    tarn_free(c->null_str);
    tarn_free(c->csv_options);
    memset(c, 0, sizeof *c);
}

/* ---- TO: row formats -------------------------------------------------------------------------- */

static int out_text(const CopySpec *c, const char *s, size_t n, Buf *b)
{
    int rc = buf_reserve(b, n + 8);
    for (size_t i = 0; !rc && i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        const char *esc = NULL;
        switch (ch) {
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break; /* whatever the delimiter, as PostgreSQL's CopyAttributeOutText */
        case '\v': esc = "\\v"; break;
        case '\\': esc = "\\\\"; break;
        default: break;
        }
        if (esc)
            rc = buf_append(b, esc, 2);
        else if (ch == (unsigned char)c->delim) {
            rc = buf_append_byte(b, '\\');
            rc = rc ? rc : buf_append_byte(b, ch);
        } else
            rc = buf_append_byte(b, ch);
    }
    return rc;
}

static int out_csv(const CopySpec *c, const char *s, size_t n, bool single, Buf *b)
{
    bool q = (n == strlen(c->null_str) && !memcmp(s, c->null_str, n)) || (single && n == 2 && !memcmp(s, "\\.", 2));
    for (size_t i = 0; !q && i < n; i++)
        q = s[i] == c->delim || s[i] == c->quote || s[i] == c->escape || s[i] == '\n' || s[i] == '\r';
    if (!q)
        return buf_append(b, s, n);
    int rc = buf_append_byte(b, (uint8_t)c->quote);
    for (size_t i = 0; !rc && i < n; i++) {
        if (s[i] == c->quote || s[i] == c->escape)
            rc = buf_append_byte(b, (uint8_t)c->escape);
        rc = rc ? rc : buf_append_byte(b, (uint8_t)s[i]);
    }
    return rc ? rc : buf_append_byte(b, (uint8_t)c->quote);
}

int copy_format_row(const CopySpec *c, const tarn_batch *b, int64_t row, int ncols, Buf *out)
{
    buf_clear(out);
    int rc = 0;
    for (int col = 0; !rc && col < ncols; col++) {
        if (col)
            rc = buf_append_byte(out, (uint8_t)c->delim);
        if (rc)
            break;
        if (tarn_batch_isnull(b, row, col)) {
            rc = buf_append(out, c->null_str, strlen(c->null_str));
            continue;
        }
        size_t n = 0;
        const char *s = tarn_batch_text(b, row, col, &n);
        rc = c->format == COPY_CSV ? out_csv(c, s ? s : "", n, ncols == 1, out) : out_text(c, s ? s : "", n, out);
    }
    return rc ? rc : buf_append_byte(out, '\n');
}

int copy_format_header(const CopySpec *c, const char *const *names, int ncols, Buf *out)
{
    buf_clear(out);
    int rc = 0;
    for (int col = 0; !rc && col < ncols; col++) {
        if (col)
            rc = buf_append_byte(out, (uint8_t)c->delim);
        const char *s = names[col] ? names[col] : "";
        rc = rc ? rc : c->format == COPY_CSV ? out_csv(c, s, strlen(s), ncols == 1, out) : out_text(c, s, strlen(s), out);
    }
    return rc ? rc : buf_append_byte(out, '\n');
}
