/*
 * csv.h - streaming CSV reader with type inference, and CSV writer.
 *
 * Reader: RFC 4180 with the usual extensions - a configurable delimiter,
 * quote and escape character, quoted fields spanning lines, CRLF / LF / CR
 * line ends, a UTF-8 byte order mark, and an optional header line.  The
 * file is read in 1 MiB blocks and parsed in place; field bytes are copied
 * only into the batch's string heaps (no allocation per field).
 *
 * Types: unless given explicitly (CsvOptions.column_types, by column name),
 * each column's type is inferred from the first sample_rows rows the way
 * DuckDB's sniffer does: the first of BOOLEAN (true/false/t/f), BIGINT,
 * DOUBLE (tarn, like DuckDB, prefers DOUBLE over a DECIMAL guess), TIME,
 * DATE, TIMESTAMP, TIMESTAMPTZ (a value carries a zone offset) that every
 * non-NULL sampled value parses as, else TEXT; a column with no non-NULL
 * sampled value is TEXT.  (The sample also ends after 256 MiB of field
 * bytes or 16 Mi fields, whichever comes first.)  A later value that does
 * not parse as its column's type is TARN_ERR_TYPE naming the line, the
 * column and the value.
 *
 * NULL: an unquoted field equal to null_str (default "": an empty field)
 * is NULL; a quoted empty field ("") is the empty string for text columns.
 * An empty field of any other type is NULL.  Empty lines are skipped,
 * except in a one-column file, where an empty line is a NULL value.
 *
 * Errors name the file and line: a record with more or fewer fields than
 * the header is TARN_ERR_CORRUPT ("line 7 has 4 fields, expected 3"), as is
 * an unterminated quote.
 *
 * Writer: values in PostgreSQL text form (vector/format.h), NULL as an
 * empty unquoted field, and quotes around any value that contains the
 * delimiter, the quote, a line break, leading or trailing spaces, or that is
 * empty (so '' and NULL stay distinct) or equals null_str.
 *
 * Thread-safety: one reader per thread; the writer functions are pure.
 */
#ifndef TARN_FORMAT_CSV_CSV_H
#define TARN_FORMAT_CSV_CSV_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"
#include "util/mem.h"
#include "vector/vector.h"

/* An explicit type for the column of that header name (or "column<i>",
 * 0-based, without a header). */
typedef struct CsvColumnType {
    const char *name;       /* borrowed */
    LogicalType type;       /* borrowed; copied by csv_reader_open */
} CsvColumnType;

typedef struct CsvOptions {
    char delimiter;         /* default ',' */
    char quote;             /* default '"'; 0 = no quoting */
    char escape;            /* default 0 = same as quote ("" inside quotes) */
    bool header;            /* default true */
    const char *null_str;   /* default NULL = "" (empty unquoted field) */
    int64_t sample_rows;    /* rows used for inference; default 20480 */
    uint32_t batch_rows;    /* rows per batch; default VEC_BATCH_ROWS */
    const CsvColumnType *column_types; /* borrowed during open */
    int n_column_types;
} CsvOptions;

void csv_options_default(CsvOptions *o);

typedef struct CsvReader CsvReader;

/* Opens path ("-" = standard input), reads the header and the inference
 * sample.  opt may be NULL for the defaults.  Errors: TARN_ERR_NOT_FOUND /
 * TARN_ERR_IO for the file, TARN_ERR_CORRUPT for malformed CSV,
 * TARN_ERR_INVALID for bad options, TARN_ERR_UNSUPPORTED for a nested
 * explicit type. */
CsvReader *csv_reader_open(const char *path, const CsvOptions *opt, TarnError *err);

/* The file's schema (borrowed; valid until close).  An empty file has no
 * columns. */
const Schema *csv_reader_schema(const CsvReader *r);

/* Fills b (batch_init'ed on csv_reader_schema) with the next rows;
 * b->n_rows == 0 at the end.  Strings are copied into b's vectors. */
int csv_reader_next(CsvReader *r, Batch *b, TarnError *err);

/* Data rows returned so far. */
int64_t csv_reader_rows(const CsvReader *r);

void csv_reader_close(CsvReader *r);

/* ---- Writer ---------------------------------------------------------------- */

typedef struct CsvWriteOptions {
    char delimiter;         /* default ',' */
    char quote;             /* default '"' */
    const char *null_str;   /* default NULL = "" */
} CsvWriteOptions;

void csv_write_options_default(CsvWriteOptions *o);

/* Appends the header line (column names, quoted when needed).  opt may be
 * NULL.  Returns 0 or TARN_ERR_NOMEM. */
int csv_write_header(const Schema *s, Buf *out, const CsvWriteOptions *opt);

/* Appends one line per row of b.  opt may be NULL.  Returns 0 or
 * TARN_ERR_NOMEM. */
int csv_write_batch(const Batch *b, Buf *out, const CsvWriteOptions *opt);

#endif
