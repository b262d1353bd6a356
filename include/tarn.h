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

#ifdef __cplusplus
}
#endif

#endif
