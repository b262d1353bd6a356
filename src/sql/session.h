/*
 * session.h - what a tarn_db is: an open lake (catalog) plus one
 * session's settings, and the statement runner behind tarn_exec.
 *
 * Statement flow (sql_run.c):
 *   parse (sql/parse) -> per statement:
 *     queries      bind (sql/bind) -> optimize (sql/plan) -> physical plan
 *                  (sql/exec/physical.c) -> execute pipelines (exec_run)
 *                  into a result collector -> tarn_result
 *     INSERT/CTAS  the same with a Delta writer as the final sink
 *     DDL, COPY, SET/SHOW: sql_ddl.c
 *
 * Each statement is its own transaction (BEGIN/COMMIT are accepted and
 * do nothing yet).  The session's settings are visible to kernels through
 * SqlSettings (TimeZone, statement timestamp, current schema).
 */
#ifndef TARN_SQL_SESSION_H
#define TARN_SQL_SESSION_H

#include <stdatomic.h>

#include "catalog/catalog.h"
#include "sql/exec/collection.h"
#include "sql/func/func.h"
#include "sql/parse/ast.h"
#include "tarn.h"

#define SQL_MAX_PATH 16

typedef struct SettingKV {
    char name[64];
    char value[256];
} SettingKV;

struct tarn_db {
    Catalog *cat;
    SqlSettings settings;
    char search_path_text[512];     /* as set, for SHOW */
    char path_buf[SQL_MAX_PATH][128];
    const char *search_path[SQL_MAX_PATH];
    uint32_t n_path;
    atomic_int cancel;
    bool in_txn;
    char (*savepoints)[64];         /* SAVEPOINT names of the open block, oldest
                                     * first (sql_run.c run_txn) */
    uint32_t n_savepoints, cap_savepoints;
    uint32_t threads;               /* 0 = all cores */
    int64_t memory_limit;           /* bytes; 0 = default (exec/spill.h) */
    char memory_limit_text[32];     /* as set, for SHOW ('' = default) */
    char temp_directory[512];       /* spill files; '' = LAKE/.tarn_tmp */
    struct BindParams *params;      /* $n values while a prepared statement
                                     * runs (sql_prepare.c); else NULL */
    struct tarn_stmt *prepared;     /* PREPARE name AS ...: the session's
                                     * named statements (sql_prepare.c) */
    SettingKV *other;               /* other accepted settings (SHOW) */
    uint32_t n_other, cap_other;
    SettingKV *local_saved;         /* values replaced by SET LOCAL /
                                     * set_config(.., true), put back when the
                                     * transaction ends (sql_settings.c) */
    uint32_t n_local, cap_local;
    SettingKV *sess_def;            /* session defaults (a client's startup
                                     * parameters): what RESET / RESET ALL /
                                     * SET .. TO DEFAULT return to */
    uint32_t n_sess_def, cap_sess_def;
    struct SqlNotice *notices;      /* NOTICE / WARNING messages of the
                                     * current call (notice.h) */
    uint32_t n_notices, cap_notices;
    char session_user[64];          /* tarn_set_session_identity ('' = "tarn") */
    char database[64];              /* ('' = the lake directory's name) */
    struct PlanCache *plan_cache;   /* simple-protocol statements by their
                                     * literal-free text (plan_cache.c) */
    struct tarn_cursor *spare_cursor; /* a closed cursor's memory, reused by the
                                     * next tarn_cursor_open (sql_cursor.c) */
};

/* A statement's result: rows (a collection) or nothing, plus the tag. */
struct tarn_result {
    uint32_t ncols;
    char **names;
    LogicalType *types;
    char **type_names;
    uint32_t *oids;
    Collection rows;                /* owned */
    bool has_rows;
    uint64_t *chunk_start;          /* first row of each chunk (for lookup) */
    char tag[64];
    char ***cache;                  /* formatted values, per row, lazily */
    Arena text;                     /* their bytes */
    int32_t tz_offset_secs;         /* for timestamptz output */
    const struct FlTz *tz;          /* session zone for timestamptz output
                                     * (process-lifetime cache); NULL = UTC */
};

/* Builds an empty result (no columns) with a tag. */
tarn_result *sql_result_tag(const char *tag, TarnError *err);
/* Builds a result with columns of the given names/types; rows are then
 * appended to r->rows.  Types are copied. */
tarn_result *sql_result_new(uint32_t ncols, const char *const *names, const LogicalType *types, TarnError *err);
/* Adds a one-column text result row (SHOW, EXPLAIN). */
int sql_result_add_text(tarn_result *r, const char *s, TarnError *err);
/* Points the vectors of rows moved in from a plan at r's own types. */
void sql_result_adopt_types(tarn_result *r);
/* timestamptz values of r print in the settings' TimeZone. */
void sql_result_set_zone(tarn_result *r, const SqlSettings *settings);
/* Finishes r (row index) after rows were added. */
int sql_result_seal(tarn_result *r, TarnError *err);

/* Runs one parsed statement. */
int sql_run_stmt(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err);

/* DDL and utility statements (sql_ddl.c). */
int sql_run_create_table(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err);
int sql_run_create_schema(tarn_db *db, const AstStmt *st, tarn_result **out, TarnError *err);
int sql_run_create_view(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err);
int sql_run_drop(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err);
int sql_run_set(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err);
int sql_run_show(tarn_db *db, const AstStmt *st, tarn_result **out, TarnError *err);
int sql_run_reset(tarn_db *db, const AstStmt *st, tarn_result **out, TarnError *err);
int sql_run_copy(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err);
int sql_run_truncate(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err);
int sql_run_alter_table(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err);

/* UPDATE and DELETE (sql_dml.c); tags "UPDATE n" / "DELETE n". */
int sql_run_dml(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err);
/* MERGE INTO ... USING ... ON key equalities (sql_dml.c); tag "MERGE n". */
int sql_run_merge(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err);

/* PREPARE / EXECUTE / DEALLOCATE (sql_prepare.c). */
int sql_run_prepared(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err);
/* Frees the session's prepared statements (tarn_close). */
void sql_prepared_free_all(tarn_db *db);

/* Settings helpers. */
int sql_set_search_path(tarn_db *db, const char *text, TarnError *err);
int sql_set_timezone(tarn_db *db, const char *text, TarnError *err);
int sql_set_memory(tarn_db *db, const char *lname, const char *value, TarnError *err);

/* Configuration parameters (sql_settings.c): SET / SHOW / RESET and
 * current_setting() / set_config().  Names are case-insensitive; "a.b" is a
 * custom placeholder.  get: the value as SHOW prints it (*display: the
 * column name SHOW uses); 42704 for an unknown name.  set: value NULL = the
 * default; is_local: until the transaction ends. */
bool sql_setting_known(const char *name);
int sql_setting_get(tarn_db *db, const char *name, char *value, size_t n, const char **display, TarnError *err);
int sql_setting_set(tarn_db *db, const char *name, const char *value, bool is_local, TarnError *err);
int sql_setting_show_all(tarn_db *db, tarn_result **out, TarnError *err);
/* Ends transaction-local values (outside a transaction block: every statement). */
void sql_settings_end_local(tarn_db *db);
void sql_settings_reset_all(tarn_db *db);
void sql_settings_free(tarn_db *db);

/* Runs a SELECT-like AST through to a result (used by COPY (query) TO). */
int sql_run_query(tarn_db *db, const char *sql, const AstSelect *sel, tarn_result **out, TarnError *err);

#endif
