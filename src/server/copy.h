/*
 * copy.h - COPY ... FROM STDIN / TO STDOUT for the server: the statement
 * (parsed with libpg_query) turned into what the session runs, and the
 * text / CSV row formats of PostgreSQL's COPY.
 *
 * TO STDOUT runs the source as a query through a cursor and formats each
 * row into one CopyData message (copy_format_row).  FROM STDIN streams
 * CopyData into a temporary CSV file (text format is converted on the fly,
 * with PostgreSQL's backslash escapes decoded: CopyTextToCsv), then runs
 * the SQL layer's COPY ... FROM 'file' (FORMAT csv) into the table: one
 * Delta commit, memory bounded by the disk.
 */
#ifndef TARN_SERVER_COPY_H
#define TARN_SERVER_COPY_H

#include <stdbool.h>
#include <stdio.h>

#include "tarn.h"
#include "util/err.h"
#include "util/mem.h"
#include "format/csv/pgtext.h"

enum { COPY_TEXT = 0, COPY_CSV = 1 };

typedef struct CopySpec {
    bool is_from;
    char *query;                 /* TO: the rows to send; FROM: SELECT of the target columns (validation) */
    char *target;                /* FROM: "rel"("cols") for the SQL layer's COPY */
    int format;
    char delim, quote, escape;
    char *null_str;
    bool header;
    char *csv_options;           /* FROM csv: the options to pass on ("DELIMITER ';', ...") */
} CopySpec;

/* True when sql is a COPY from STDIN or to STDOUT; then fills *out
 * (free with copy_spec_free).  Returns -1 with err on bad options
 * (PostgreSQL's messages: 22023, 42601, 0A000 for binary). */
int copy_spec_parse(const char *sql, CopySpec *out, TarnError *err);
void copy_spec_free(CopySpec *c);

/* One row of a batch in the spec's format, with its newline, into out
 * (cleared first). */
int copy_format_row(const CopySpec *c, const tarn_batch *b, int64_t row, int ncols, Buf *out);
/* The header line (column names). */
int copy_format_header(const CopySpec *c, const char *const *names, int ncols, Buf *out);

/* Streaming text-format -> CSV converter for FROM STDIN
 * (format/csv/pgtext.h, shared with COPY FROM 'file'). */
typedef PgTextToCsv CopyTextToCsv;
static inline void copy_t2c_init(CopyTextToCsv *t, const CopySpec *spec)
{
    pgtext_csv_init(t, spec->delim, spec->null_str, spec->header);
}
#define copy_t2c_feed pgtext_csv_feed
#define copy_t2c_finish pgtext_csv_finish
#define copy_t2c_free pgtext_csv_free

#endif
