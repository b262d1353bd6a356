/*
 * prepare.h - prepared statements (sql_prepare.c) and streaming cursors
 * (sql_cursor.c) behind tarn_prepare / tarn_stmt_* / tarn_cursor_* of
 * tarn.h, and the session's PREPARE / EXECUTE / DEALLOCATE.
 *
 * A tarn_stmt owns its SQL text and AST (arena a); parameter and result
 * descriptions are filled by a describe pass at creation.  It belongs to
 * one tarn_db and must be freed before it.
 */
#ifndef TARN_SQL_PREPARE_H
#define TARN_SQL_PREPARE_H

#include "sql/bind/bind.h"
#include "sql/session.h"

struct tarn_stmt {
    tarn_db *db;
    char *name;                 /* PREPARE name; NULL for tarn_prepare's */
    const char *sql;            /* the statement text (in a) */
    Arena a;                    /* text, AST, descriptions */
    const AstStmt *st;          /* the statement to run */
    uint32_t n_params;
    LogicalType *param_types;   /* n_params; TYPE_NULL = infer (before describe) */
    uint32_t *param_oids;       /* OIDs the client declared (0 = inferred), or NULL:
                                 * ParameterDescription echoes them (varchar stays 1043) */
    uint32_t n_param_oids;
    uint32_t ncols;             /* result columns (0: no rows) */
    char **colnames;
    LogicalType *coltypes;
    char **coltypenames;
    uint32_t *coloids;          /* PostgreSQL type OIDs (arrays: of the element type) */
    uint32_t *coltables;        /* source table OID per column (0: computed), or NULL */
    int16_t *colattnums;        /* source column number (1-based; 0: computed) */
    struct tarn_stmt *next;     /* the session's list (named ones) */
    /* plan_cache.c: a statement of the plan cache run with the literals of
     * one simple-protocol text (lit_values, n_params of them; shares the
     * cached statement's AST and descriptions, owns only its arena) */
    const Value *lit_values;
    struct PlanCacheUse *lit_use; /* the cache entry and the literals' positions */
    uint64_t schema_fp;         /* describe pass: fingerprint of the tables it read */
    bool position_param;        /* describe pass: a $k is an ORDER BY / GROUP BY / DISTINCT ON item */
    struct AstEntry *ast_ref;   /* sql and st belong to this entry of the parse cache (plan_cache.c), or NULL */
};

/* PostgreSQL type OID -> tarn type; -1 when tarn has no such type. */
int sql_type_from_oid(uint32_t oid, LogicalType *out);
/* The typmod PostgreSQL reports for t (numeric(p,s): (p << 16 | s) + 4), else -1. */
int32_t sql_type_typmod(const LogicalType *t);
/* Text parameter values (NULL = SQL NULL) through each type's input
 * function into *out (n values in a).  08P01 when n is not ps->n_params. */
int sql_params_from_text(tarn_db *db, const tarn_stmt *ps, int n, const char *const *values, Arena *a, Value **out,
                         TarnError *err);
/* Execute-mode BindParams for ps and values (arrays in a). */
void sql_params_prepare(const tarn_stmt *ps, const Value *values, Arena *a, BindParams *bp);
/* Runs ps through the ordinary statement runner with typed parameter
 * values (n_params of them; arrays in a). */
int sql_stmt_run_values(tarn_stmt *ps, const Value *values, Arena *a, tarn_result **out, TarnError *err);
void sql_stmt_free(tarn_stmt *ps);
/* Frees the closed cursor kept for reuse (tarn_close). */
void sql_cursor_spare_free(tarn_db *db);
/* Per result column of a bound query's plan: its source table's OID and
 * column number, or 0 / 0 (sql_colsource.c). */
void sql_col_sources(const LogicalOp *plan, uint32_t n, uint32_t *oids, int16_t *attnums);

#endif
