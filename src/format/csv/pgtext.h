/*
 * pgtext.h - PostgreSQL's COPY text format to CSV, streaming.
 *
 * Used by COPY ... FROM 'file' (FORMAT text) in the SQL layer and by the
 * server's COPY FROM STDIN: both convert the text rows into a temporary
 * CSV file (every value quoted, NULL as an unquoted empty field) and load
 * that with the CSV reader, so the escapes are decoded in one place.
 */
#ifndef TARN_FORMAT_CSV_PGTEXT_H
#define TARN_FORMAT_CSV_PGTEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "util/err.h"
#include "util/mem.h"

typedef struct PgTextToCsv {
    char delim;                  /* the field delimiter (PostgreSQL's default: tab) */
    const char *null_str;        /* the NULL marker (default "\N"); borrowed */
    bool header;                 /* skip the first line */
    Buf line;                    /* the partial line carried between chunks */
    bool header_skipped, ended;  /* ended: the "\." marker was seen */
    long long lineno;
} PgTextToCsv;

void pgtext_csv_init(PgTextToCsv *t, char delim, const char *null_str, bool header);
/* Feeds n bytes; complete lines are written to f as CSV records.  -1 with
 * err (22021 NUL bytes) or on a write failure. */
int pgtext_csv_feed(PgTextToCsv *t, const char *p, size_t n, FILE *f, TarnError *err);
/* The last line when it has no newline. */
int pgtext_csv_finish(PgTextToCsv *t, FILE *f, TarnError *err);
void pgtext_csv_free(PgTextToCsv *t);

#endif
