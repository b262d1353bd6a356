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

#ifdef __cplusplus
}
#endif

#endif
