/*
 * plan_cache.h - the per-session cache of simple-protocol statements that
 * differ only in literals (plan_cache.c).
 *
 * sql_simple_prepare stands in for tarn_prepare on a simple Query's
 * statement: a SELECT whose text, with its integer and plain string
 * literals replaced by $1, $2, ..., was seen before reuses that parsed and
 * described statement with the literals as parameter values, so neither
 * libpg_query nor the describe bind runs again.  Results, column
 * descriptions and errors are those of the uncached path.
 */
#ifndef TARN_SQL_PLAN_CACHE_H
#define TARN_SQL_PLAN_CACHE_H

#include "sql/prepare.h"

#define PLAN_CACHE_ENTRIES 64

/* A tarn_stmt for one simple-protocol statement (text: exactly one
 * statement), freed with tarn_stmt_free: either a statement of the cache
 * bound to this text's literals (its tarn_stmt_nparams is 0) or, when the
 * cache cannot serve it, what tarn_prepare returns. */
int sql_simple_prepare(tarn_db *db, const char *text, tarn_stmt **out, TarnError *err);
/* A simple Query message that is one statement of a shape the cache
 * holds (so it parses as one statement): the length of that statement
 * (without a final ';'), which the caller may run without splitting the
 * message first.  False when unsure. */
bool sql_simple_single_cached(tarn_db *db, const char *msg, size_t *len_out);
/* Error positions of a cached statement's run are in its normalised text:
 * back to the simple-protocol text.  No-op for other statements. */
void sql_stmt_map_error(const tarn_stmt *st, TarnError *err);
/* tarn_cursor_open of a cached statement: false when the tables its
 * description came from changed (schema, identity) or the bound columns
 * differ; the entry is dropped then and st becomes the uncached statement
 * (sql_simple_prepare_again). */
bool plan_cache_still_valid(tarn_stmt *st, const StmtRes *res, uint32_t ncols, const char *const *names,
                            const uint32_t *oids);
int plan_cache_prepare_again(tarn_stmt *st, TarnError *err);
/* Fingerprint of the tables (Delta metadata: id, schema, partitioning) a
 * bind read. */
uint64_t plan_cache_fp(const StmtRes *res);
/* The parsed statements of texts prepared before (tarn_prepare, Parse
 * messages), by the whole text: ast_cache_get points ps->sql / ps->st at
 * the entry's and takes a reference (ps->ast_ref); false on a miss or with
 * the cache off.  ast_cache_put keeps a freshly parsed ps's arena (its text
 * and AST) as an entry, ps keeping a reference and getting a new arena.
 * Parsing depends on the text only, so entries never go stale. */
bool ast_cache_get(tarn_db *db, const char *text, size_t len, tarn_stmt *ps);
void ast_cache_put(tarn_db *db, tarn_stmt *ps);
void ast_entry_unref(struct AstEntry *e);
/* Statements this session's cache served (SHOW tarn.plan_cache_hits). */
uint64_t plan_cache_hits(const tarn_db *db);
void plan_cache_clear(tarn_db *db);
void plan_cache_free(tarn_db *db);

#endif
