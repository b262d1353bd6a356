/*
 * tarn.h - public C API of tarn, a lakehouse in one C binary.
 *
 * This header is what an embedding program includes (in the spirit of
 * sqlite3.h and duckdb.h).  Everything is prefixed tarn_ / TARN_.  It grows
 * with each subsystem; today it exposes the error object, the version, and
 * file conversion between CSV, NDJSON and Parquet.
 *
 * Errors: every fallible call returns TARN_OK (0) or an error kind, and fills
 * the caller's tarn_error.  The library never aborts or exits on bad input.
 */
#ifndef TARN_H
#define TARN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TARN_VERSION "0.1.0"
#define TARN_VERSION_NUMBER 100 /* major*10000 + minor*100 + patch */

/* Error kinds. */
enum {
    TARN_OK = 0,
    TARN_ERR_INVALID = 1,     /* bad argument or usage */
    TARN_ERR_CORRUPT = 2,     /* input bytes violate their format */
    TARN_ERR_UNSUPPORTED = 3, /* valid input using a feature tarn lacks */
    TARN_ERR_IO = 4,          /* the operating system refused */
    TARN_ERR_NOMEM = 5,       /* allocation failed or a limit was hit */
    TARN_ERR_NOT_FOUND = 6,   /* a named file, table or column is absent */
    TARN_ERR_CONFLICT = 7,    /* a concurrent change won */
    TARN_ERR_TYPE = 8,        /* a value does not fit the expected type */
    TARN_ERR_SYNTAX = 9,      /* malformed statement text */
    TARN_ERR_INTERNAL = 10,   /* tarn broke its own invariant */
    TARN_ERR_CANCELED = 11    /* the operation was cancelled */
};

/* The error object: kind, SQLSTATE, message, detail, hint, position in SQL
 * text (1-based, 0 = none), and a context chain, newest last, one line each. */
typedef struct tarn_error {
    int kind;
    char sqlstate[6];
    char message[512];
    char detail[512];
    char hint[256];
    int position;
    char context[1024];
} tarn_error;

/* The library's version string, e.g. "0.1.0". */
const char *tarn_version(void);

/* Formats an error the way the CLI prints it ("ERROR: ...", "DETAIL: ...",
 * "HINT: ...", "CONTEXT: ..." lines) into buf; returns buf. */
char *tarn_error_format(const tarn_error *err, char *buf, size_t cap);

/* Options for tarn_convert.  Zero-initialised means the defaults. */
typedef struct tarn_convert_options {
    const char *compression; /* "none","snappy","gzip","zstd","lz4"; NULL = snappy */
    int64_t row_group_rows;  /* 0 = default (1,048,576) */
} tarn_convert_options;

/* Converts a file between CSV (header line, types inferred), NDJSON and
 * Parquet, chosen by the files' extensions (.csv, .json/.ndjson/.jsonl,
 * .parquet).  Streams: input larger than memory converts. */
int tarn_convert(const char *in_path, const char *out_path, const tarn_convert_options *opts,
                 tarn_error *err);

/* ---- Lakes and SQL (issue 4; implemented in src/sql/) --------------------
 *
 * A tarn_db is an open lake (a directory of Delta tables, LAKE/<schema>/<table>/)
 * with one session's settings (search_path, TimeZone, ...).  Statements use
 * PostgreSQL's dialect.  One tarn_db per thread; several tarn_db may open the
 * same lake (table commits are transactional through the Delta log).
 */
typedef struct tarn_db tarn_db;
typedef struct tarn_result tarn_result;

/* Opens (creating when absent) the lake directory. */
int tarn_open(const char *lake_dir, tarn_db **db_out, tarn_error *err);
void tarn_close(tarn_db *db);

/* Runs every statement in sql (separated by ';'); *result_out (may be NULL)
 * receives the last statement's result.  On error the message, SQLSTATE and
 * 1-based character position (when known) are in err, and the statements
 * before the failing one stay done (each statement is its own transaction
 * unless inside BEGIN ... COMMIT). */
int tarn_exec(tarn_db *db, const char *sql, tarn_result **result_out, tarn_error *err);

/* Requests cancellation of the statement running on db (any thread). */
void tarn_cancel(tarn_db *db);

/* The session's identity as a server knows it: the user name (current_user,
 * session_user, pg_roles; default "tarn") and the database name the client
 * asked for (current_database(), pg_database; default the lake directory's
 * name).  NULL keeps a value.  Names are cut at 63 bytes. */
void tarn_set_session_identity(tarn_db *db, const char *user, const char *database);

/* Makes the current value of configuration parameter `name` (already set,
 * e.g. by "SET name TO ...") its session default: the value RESET name,
 * SET name TO DEFAULT and RESET ALL return to, as PostgreSQL does for the
 * parameters of a client's startup packet.  0, or 42704 for an unknown
 * name. */
int tarn_setting_keep_as_default(tarn_db *db, const char *name, tarn_error *err);

/* NOTICE and WARNING messages (PostgreSQL's: "table \"x\" does not exist,
 * skipping", "there is no transaction in progress") of the last
 * tarn_exec, tarn_stmt_execute or tarn_cursor_open on db, in order; each
 * of these calls clears the list first.  tarn_notice_get returns the
 * severity ("NOTICE", "WARNING") and fills out (may be NULL) with the
 * SQLSTATE and message; NULL when i is out of range. */
int tarn_notice_count(const tarn_db *db);
const char *tarn_notice_get(const tarn_db *db, int i, tarn_error *out);

/* Result access.  Values are in PostgreSQL's text output format; NULL is
 * returned for SQL NULL.  Strings are owned by the result. */
int tarn_result_ncols(const tarn_result *r);
int64_t tarn_result_nrows(const tarn_result *r);
const char *tarn_result_colname(const tarn_result *r, int col);
/* PostgreSQL type name ("integer", "numeric(10,2)", "text") and type OID. */
const char *tarn_result_coltype(const tarn_result *r, int col);
uint32_t tarn_result_coloid(const tarn_result *r, int col);
const char *tarn_result_value(tarn_result *r, int64_t row, int col);
/* The command tag PostgreSQL would send: "SELECT 3", "INSERT 0 5", "CREATE TABLE". */
const char *tarn_result_tag(const tarn_result *r);
void tarn_result_free(tarn_result *r);

/* ---- Prepared statements and parameters ----------------------------------
 *
 * tarn_prepare parses and binds one statement whose text may use
 * parameters $1, $2, ... (PostgreSQL's extended protocol: Parse, Describe,
 * Bind, Execute).  param_type_oids (n_param_types of them, may be fewer than
 * the parameters used) fixes types by PostgreSQL OID; 0 means "infer".
 * Inferred types follow PostgreSQL: from context (`col = $1` -> col's type,
 * `$1 + 1` -> integer, INSERT VALUES ($1) -> the column's type, LIMIT $1 ->
 * bigint, `$1::date` -> date), a select-list `$1` is text; a parameter with
 * no context is an error (42P18 "could not determine data type of parameter
 * $1").  After preparing, the parameter types and the result columns
 * (statements returning rows: queries, EXPLAIN, SHOW; ncols is 0 for the
 * others) are known without running it.
 *
 * Parameter values are given in PostgreSQL's text format (NULL pointer =
 * SQL NULL) and go through the type's input function (22P02 on bad text).
 * Binary-format parameters are the server layer's job: decode them and
 * pass text.  Each execution binds the statement again with the values as
 * constants (a "custom plan"): results are those of the same SQL with
 * literals.  A tarn_stmt belongs to its tarn_db (same thread) and must be
 * freed before tarn_close.  The SQL commands PREPARE name [(types)] AS ...,
 * EXECUTE name [(args)] and DEALLOCATE [name | ALL] use the same machinery
 * with a per-session list of named statements. */
typedef struct tarn_stmt tarn_stmt;

int tarn_prepare(tarn_db *db, const char *sql, int n_param_types, const uint32_t *param_type_oids,
                 tarn_stmt **stmt_out, tarn_error *err);
int tarn_stmt_nparams(const tarn_stmt *st);
/* PostgreSQL type OID of parameter i (0-based): declared or inferred. */
uint32_t tarn_stmt_param_oid(const tarn_stmt *st, int i);
/* Result description before execution (RowDescription). */
int tarn_stmt_ncols(const tarn_stmt *st);
const char *tarn_stmt_colname(const tarn_stmt *st, int col);
const char *tarn_stmt_coltype(const tarn_stmt *st, int col);
uint32_t tarn_stmt_coloid(const tarn_stmt *st, int col);
int32_t tarn_stmt_coltypmod(const tarn_stmt *st, int col); /* -1 = none; numeric(p,s): (p << 16 | s) + 4 */
/* Where result column col comes from, as RowDescription tells clients: the
 * table's OID (pg_class.oid) and the column's number (pg_attribute.attnum)
 * for a plain table column of a SELECT, else 0 and 0. */
void tarn_stmt_col_source(const tarn_stmt *st, int col, uint32_t *table_oid, int16_t *attnum);
/* Runs the statement with n_params text values; the whole result in
 * *result_out (may be NULL).  Use a cursor to stream large results. */
int tarn_stmt_execute(tarn_stmt *st, int n_params, const char *const *values, tarn_result **result_out,
                      tarn_error *err);
void tarn_stmt_free(tarn_stmt *st);

/* ---- Cursors: results batch by batch -------------------------------------
 *
 * tarn_cursor_open binds and plans the statement with the values (errors
 * in binding are returned here), then, for queries, runs it on a
 * background thread that hands over batches through a small bounded queue:
 * the first rows are available while the query runs, and memory stays
 * bounded however large the result is (the query pauses while the queue is
 * full).  tarn_cursor_fetch returns the next batch of at most max_rows rows
 * (max_rows <= 0: one batch of up to 2048); fewer rows do not mean the
 * end: *batch_out == NULL does.  An error of the running query is returned
 * by the fetch that reaches it (rows before it were delivered).
 * tarn_cursor_close may be called at any time (stops the query early).
 * Statements that are not queries (INSERT, UPDATE, DDL, EXPLAIN, SHOW) run
 * entirely in tarn_cursor_open; their rows, if any, are then fetched the
 * same way.  While a cursor is open, the tarn_db may run other statements
 * (the cursor keeps a copy of the session settings it started with).
 *
 * A batch (valid until the next fetch or close) gives values in
 * PostgreSQL's text format (timestamptz in the session's TimeZone) and, for
 * binary output, typed access: tarn_batch_int64 (boolean, smallint,
 * integer, bigint; date = days since 2000-01-01, time / timestamp(tz) =
 * microseconds since 2000-01-01 as PostgreSQL's binary format), tarn_batch_double
 * (real, double precision), tarn_batch_bytes (text, bytea, json: the raw
 * bytes). */
typedef struct tarn_cursor tarn_cursor;
typedef struct tarn_batch tarn_batch;

int tarn_cursor_open(tarn_stmt *st, int n_params, const char *const *values, tarn_cursor **cur_out,
                     tarn_error *err);
int tarn_cursor_ncols(const tarn_cursor *cur);
const char *tarn_cursor_colname(const tarn_cursor *cur, int col);
uint32_t tarn_cursor_coloid(const tarn_cursor *cur, int col);
int tarn_cursor_fetch(tarn_cursor *cur, int64_t max_rows, const tarn_batch **batch_out, tarn_error *err);
/* Command tag once the cursor is exhausted ("SELECT 5" counts the rows
 * fetched; "INSERT 0 3" ...); "" before. */
const char *tarn_cursor_tag(const tarn_cursor *cur);
/* Requests cancellation of the cursor's running query (any thread; a
 * cursor does not listen to tarn_cancel(db)): the next fetch that reaches
 * the end of the delivered rows fails with 57014. */
void tarn_cursor_cancel(tarn_cursor *cur);
/* Stops the query if it still runs and frees the cursor; cursors must be
 * closed before their statement and tarn_db are freed. */
void tarn_cursor_close(tarn_cursor *cur);

int64_t tarn_batch_nrows(const tarn_batch *b);
int tarn_batch_isnull(const tarn_batch *b, int64_t row, int col);
/* Text of a value (NULL for SQL NULL); *len_out (may be NULL) its length.
 * Owned by the batch. */
const char *tarn_batch_text(const tarn_batch *b, int64_t row, int col, size_t *len_out);
int64_t tarn_batch_int64(const tarn_batch *b, int64_t row, int col);
double tarn_batch_double(const tarn_batch *b, int64_t row, int col);
const void *tarn_batch_bytes(const tarn_batch *b, int64_t row, int col, size_t *len_out);

#ifdef __cplusplus
}
#endif

#endif
