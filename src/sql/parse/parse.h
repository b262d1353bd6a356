/*
 * parse.h - SQL text to tarn's AST (ast.h), through libpg_query.
 *
 * sql_parse runs PostgreSQL 15's grammar (libpg_query) over the whole text,
 * which may hold several statements separated by ';', and translates each
 * into an AstStmt.  Syntax errors carry PostgreSQL's message and 1-based
 * character position (SQLSTATE 42601); valid SQL that tarn does not
 * support yet is TARN_ERR_UNSUPPORTED with SQLSTATE 0A000 and the position
 * of the construct.
 *
 * Memory: the statements live in arena a.  Thread-safe (libpg_query keeps
 * per-thread memory contexts).
 */
#ifndef TARN_SQL_PARSE_PARSE_H
#define TARN_SQL_PARSE_PARSE_H

#include "sql/parse/ast.h"
#include "util/err.h"
#include "util/mem.h"

int sql_parse(const char *sql, Arena *a, AstStmtList *out, TarnError *err);

/* 1-based character position (UTF-8 aware) of byte offset `loc` in sql;
 * 0 when loc < 0. */
int sql_char_position(const char *sql, int loc);

/* Sets err->position from a byte offset (no-op when loc < 0 or a position
 * is already set). */
void sql_err_at(TarnError *err, const char *sql, int loc);

#endif
