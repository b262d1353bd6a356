/*
 * stmt.h - one statement's working state, shared by the statement runners
 * (sql_run.c, sql_ddl.c): its arena (AST, plan, operators), pinned
 * snapshots, binder and executor contexts.
 */
#ifndef TARN_SQL_STMT_H
#define TARN_SQL_STMT_H

#include "sql/bind/bind.h"
#include "sql/exec/exec.h"
#include "sql/session.h"

typedef struct Stmt {
    tarn_db *db;
    Arena a;
    StmtRes res;
    BindCtx bc;
    ExecCtx x;
    LogicalOp *plan;
    PhysPlan pp;
    PhysOp *top;            /* final sink wrapping pp.root */
} Stmt;

void stmt_begin(Stmt *s, tarn_db *db, const char *sql, TarnError *err);
void stmt_end(Stmt *s);
/* Optimizes and physically plans a bound plan (s->pp). */
int stmt_plan(Stmt *s, LogicalOp *plan, TarnError *err);
/* Runs the plan under `top` (a sink over s->pp.root). */
int stmt_execute(Stmt *s, PhysOp *top, TarnError *err);
/* Plans rows (already in the table's column order and types) into a
 * Delta table; *rows_out = rows written. */
int stmt_insert_rows(Stmt *s, CatalogRel *rel, const Schema *ts, LogicalOp *plan, bool overwrite, int64_t *rows_out,
                     TarnError *err);
/* INSERT ... RETURNING (sql_dml.c): writes the rows of plan like
 * stmt_insert_rows, then evaluates the RETURNING list over them. */
int sql_insert_returning(Stmt *s, const AstStmt *st, CatalogRel *rel, const Schema *ts, LogicalOp *plan,
                         tarn_result **out, TarnError *err);
/* 0 when a Delta table can hold a column of type t, else 0A000. */
int sql_storable_type(const LogicalType *t, const char *col, TarnError *err);
/* schema_add of column name with type t; the schema gets its own heap copy
 * of an array type.  0 or NOMEM. */
int sql_schema_add(Schema *s, const char *name, const LogicalType *t, bool nullable, TarnError *err);

#endif
