/*
 * sqlcursor.h - SQL-level cursors of `tarn serve`: DECLARE, FETCH, MOVE,
 * CLOSE (what psycopg2's named cursors and psql's FETCH_COUNT send).
 *
 * This module parses the statements with libpg_query and decides how a
 * FETCH / MOVE maps onto tarn's forward-only cursors (sqlcur_plan); the
 * session (session.c) keeps a declared cursor as a named portal over a
 * tarn_cursor, as PostgreSQL does (cursors and protocol portals share one
 * name space), and runs it with the portal machinery.
 *
 * Semantics (PostgreSQL 15's, forward-only): DECLARE name [BINARY]
 * [ASENSITIVE | INSENSITIVE] [NO SCROLL] CURSOR [WITH | WITHOUT HOLD] FOR
 * query; without HOLD only inside a transaction block (25P01) and closed
 * when the block ends; 42P03 for a taken name.  FETCH / MOVE [NEXT |
 * FORWARD [n | ALL] | n | ALL | ABSOLUTE n | RELATIVE n] [FROM | IN] name:
 * tag "FETCH n" / "MOVE n"; any move backward (BACKWARD, PRIOR, FIRST,
 * LAST, a position at or before the current one) is 55000 "cursor can only
 * scan forward"; SCROLL cursors are refused (0A000).  CLOSE name | ALL.
 * Unknown names are 34000.
 */
#ifndef TARN_SERVER_SQLCURSOR_H
#define TARN_SERVER_SQLCURSOR_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

typedef enum { SQLCUR_DECLARE = 1, SQLCUR_FETCH = 2, SQLCUR_CLOSE = 3 } SqlCurKind;

typedef struct SqlCurStmt {
    SqlCurKind kind;
    char name[64];       /* the cursor; "" with CLOSE ALL */
    /* DECLARE */
    bool binary, hold;
    char *query;         /* the query after FOR (owned) */
    int query_chars;     /* characters of the statement before it (error positions) */
    /* FETCH / MOVE */
    bool is_move;
    int direction;       /* SQLCUR_FORWARD ... */
    int64_t count;       /* as parsed; SQLCUR_ALL = ALL */
} SqlCurStmt;

enum { SQLCUR_FORWARD = 1, SQLCUR_BACKWARD = 2, SQLCUR_ABSOLUTE = 3, SQLCUR_RELATIVE = 4 };
#define SQLCUR_ALL INT64_MAX

/* p past blanks (space, tab, newlines, form feed), line comments (--) and
 * block comments, and with parens also past opening parentheses. */
const char *sqlcur_skip_blanks(const char *p, bool parens);

/* Does sql start (after blanks and comments) with DECLARE, FETCH, MOVE or
 * CLOSE? */
bool sqlcur_is_stmt(const char *sql);
/* Parses one such statement; errors: 42601 with the position, 0A000 for
 * SCROLL.  Free with sqlcur_free. */
int sqlcur_parse(const char *sql, SqlCurStmt *out, TarnError *err);
void sqlcur_free(SqlCurStmt *st);
/* A FETCH / MOVE on a forward-only cursor that has delivered pos rows:
 * skip rows first (quietly), then take rows (SQLCUR_ALL: all); the tag
 * counts the rows taken, so MOVE ABSOLUTE n says 1 when row n exists and
 * 0 past the end, as PostgreSQL.  55000 for moves backward. */
int sqlcur_plan(const SqlCurStmt *st, int64_t pos, int64_t *skip, int64_t *take, TarnError *err);

#endif
