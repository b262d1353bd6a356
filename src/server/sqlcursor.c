/*
 * sqlcursor.c - DECLARE / FETCH / MOVE / CLOSE: parsing (libpg_query's
 * protobuf tree; the query text after FOR found with its scanner) and the
 * forward-only position rules (sqlcursor.h).
 */
#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>
#include <stdio.h>
#include <string.h>

#include "server/sqlcursor.h"
#include "util/mem.h"

/* parsenodes.h CURSOR_OPT_* */
#define OPT_BINARY 0x0001
#define OPT_SCROLL 0x0002
#define OPT_HOLD 0x0020

const char *sqlcur_skip_blanks(const char *p, bool parens)
{
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || (parens && *p == '('))
            p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            p = e ? e + 2 : p + strlen(p);
        } else {
            return p;
        }
    }
}

bool sqlcur_is_stmt(const char *sql)
{
    const char *p = sqlcur_skip_blanks(sql, false);
    char w[8];
    size_t n = 0;
    while (n + 1 < sizeof w && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
        w[n++] = (char)(*p++ | 0x20);
    w[n] = 0;
    bool alpha_after = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' || (*p >= '0' && *p <= '9');
    return !alpha_after &&
           (!strcmp(w, "declare") || !strcmp(w, "fetch") || !strcmp(w, "move") || !strcmp(w, "close"));
}

static int utf8_chars(const char *s, size_t n)
{
    int c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

/* Byte offset of the query in DECLARE ... CURSOR ... FOR query: the first
 * token after the first FOR that follows the CURSOR keyword. */
static int query_offset(const char *sql, TarnError *err)
{
    PgQueryScanResult sr = pg_query_scan(sql);
    int off = -1;
    PgQuery__ScanResult *scan = NULL;
    if (!sr.error)
        scan = pg_query__scan_result__unpack(NULL, sr.pbuf.len, (const uint8_t *)sr.pbuf.data);
    if (scan) {
        bool cursor = false, for_ = false;
        for (size_t i = 0; i < scan->n_tokens && off < 0; i++) {
            PgQuery__Token t = scan->tokens[i]->token;
            if (t == PG_QUERY__TOKEN__SQL_COMMENT || t == PG_QUERY__TOKEN__C_COMMENT)
                continue;
            if (for_)
                off = scan->tokens[i]->start;
            else if (t == PG_QUERY__TOKEN__CURSOR)
                cursor = true;
            else if (cursor && t == PG_QUERY__TOKEN__FOR)
                for_ = true;
        }
        pg_query__scan_result__free_unpacked(scan, NULL);
    }
    pg_query_free_scan_result(sr);
    if (off < 0)
        err_set_state(err, TARN_ERR_SYNTAX, "42601", "DECLARE CURSOR statement not understood");
    return off;
}

int sqlcur_parse(const char *sql, SqlCurStmt *out, TarnError *err)
{
    memset(out, 0, sizeof *out);
    PgQueryProtobufParseResult pr = pg_query_parse_protobuf(sql);
    PgQuery__ParseResult *tree = NULL;
    int rc = 0;
    if (pr.error) {
        rc = err_set_state(err, TARN_ERR_SYNTAX, "42601", "%s", pr.error->message);
        err->position = pr.error->cursorpos > 0 ? pr.error->cursorpos : 0;
        goto done;
    }
    tree = pg_query__parse_result__unpack(NULL, pr.parse_tree.len, (const uint8_t *)pr.parse_tree.data);
    if (!tree || tree->n_stmts != 1 || !tree->stmts[0]->stmt) {
        rc = err_set_state(err, TARN_ERR_SYNTAX, "42601", "cannot insert multiple commands into a prepared statement");
        goto done;
    }
    const PgQuery__Node *n = tree->stmts[0]->stmt;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_DECLARE_CURSOR_STMT: {
        const PgQuery__DeclareCursorStmt *d = n->declare_cursor_stmt;
        out->kind = SQLCUR_DECLARE;
        snprintf(out->name, sizeof out->name, "%s", d->portalname);
        if (d->options & OPT_SCROLL) {
            rc = err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "scrollable cursors are not supported by tarn yet");
            err_hint(err, "Declare the cursor without SCROLL: tarn's cursors read forward only.");
            goto done;
        }
        out->binary = (d->options & OPT_BINARY) != 0;
        out->hold = (d->options & OPT_HOLD) != 0;
        int off = query_offset(sql, err);
        if (off < 0) {
            rc = err->kind;
            goto done;
        }
        out->query_chars = utf8_chars(sql, (size_t)off);
        if (!(out->query = tarn_strdup(sql + off)))
            rc = ERR_NOMEM(err, strlen(sql));
        break;
    }
    case PG_QUERY__NODE__NODE_FETCH_STMT: {
        const PgQuery__FetchStmt *f = n->fetch_stmt;
        out->kind = SQLCUR_FETCH;
        snprintf(out->name, sizeof out->name, "%s", f->portalname);
        out->is_move = f->ismove;
        out->count = f->how_many;
        switch (f->direction) {
        case PG_QUERY__FETCH_DIRECTION__FETCH_BACKWARD: out->direction = SQLCUR_BACKWARD; break;
        case PG_QUERY__FETCH_DIRECTION__FETCH_ABSOLUTE: out->direction = SQLCUR_ABSOLUTE; break;
        case PG_QUERY__FETCH_DIRECTION__FETCH_RELATIVE: out->direction = SQLCUR_RELATIVE; break;
        default: out->direction = SQLCUR_FORWARD; break;
        }
        break;
    }
    case PG_QUERY__NODE__NODE_CLOSE_PORTAL_STMT:
        out->kind = SQLCUR_CLOSE;
        snprintf(out->name, sizeof out->name, "%s", n->close_portal_stmt->portalname ? n->close_portal_stmt->portalname : "");
        break;
    default:
        rc = err_set_state(err, TARN_ERR_SYNTAX, "42601", "not a cursor statement");
        break;
    }
done:
    if (tree)
        pg_query__parse_result__free_unpacked(tree, NULL);
    pg_query_free_protobuf_parse_result(pr);
    if (rc)
        sqlcur_free(out);
    return rc;
}

void sqlcur_free(SqlCurStmt *st)
{
    tarn_free(st->query);
    st->query = NULL;
}

static int backward(TarnError *err)
{
    err_set_state(err, TARN_ERR_INVALID, "55000", "cursor can only scan forward");
    err_hint(err, "Declare it with SCROLL option to enable backward scan.");
    return err->kind;
}

int sqlcur_plan(const SqlCurStmt *st, int64_t pos, int64_t *skip, int64_t *take, TarnError *err)
{
    *skip = 0;
    *take = 0;
    int64_t n = st->count;
    switch (st->direction) {
    case SQLCUR_FORWARD:
        if (n <= 0) /* FETCH 0 re-reads the current row; negative counts go back */
            return backward(err);
        *take = n;
        return 0;
    case SQLCUR_BACKWARD:
        return backward(err);
    case SQLCUR_ABSOLUTE: /* row n (1-based) from the start */
        if (n <= pos)
            return backward(err);
        *skip = n - 1 - pos;
        break;
    default: /* RELATIVE n: the n-th row after the current one */
        if (n <= 0)
            return backward(err);
        *skip = n - 1;
        break;
    }
    *take = 1;
    return 0;
}
