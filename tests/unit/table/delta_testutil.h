/*
 * delta_testutil.h - helpers for the Delta tests: turning rows into
 * canonical text (so that tables compare as unordered multisets
 * regardless of column order, nullability, string/binary and
 * timestamp/timestamp_ntz representation), reading expected Parquet
 * folders, and reading a Delta table at a version.
 *
 * Canonical forms: integers and dates as integers, timestamps as int64
 * micros, floats by their shortest round-trip text (bit-exact; every NaN
 * is "NaN"), decimals as (unscaled, scale) text, strings and binaries as
 * escaped bytes, structs/lists as [..], maps as sorted {k:v}.
 */
#ifndef TARN_TEST_DELTA_TESTUTIL_H
#define TARN_TEST_DELTA_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "table/delta/delta.h"
#include "util/mem.h"
#include "vector/vector.h"

/* A bag of canonical rows over named columns. */
typedef struct RowSet {
    size_t n_cols;
    char **col_names;   /* tarn_malloc'd */
    size_t n_rows, cap;
    char **rows;        /* canonical row text, tarn_malloc'd */
} RowSet;

void rowset_init(RowSet *rs);
void rowset_free(RowSet *rs);
/* Appends the rows of b, taking only the columns named in `cols` (in that
 * order; matching is case-insensitive); cols NULL = every column of b. */
int rowset_add_batch(RowSet *rs, const Batch *b, const char *const *cols, size_t n_cols);
void rowset_sort(RowSet *rs);
/* Compares two sorted row sets; on difference prints up to 10 differing
 * rows to stderr and returns false. */
bool rowset_equal(const RowSet *got, const RowSet *want);

/* Reads every *.parquet (not starting with '.' or '_') in dir, recursively. */
int read_parquet_dir(const char *dir, RowSet *out, char ***col_names_out, size_t *n_cols_out,
                     TarnError *err);

/* Reads a Delta table (local dir) at version (-1 = latest) into rows of the
 * named columns (NULL = all columns of the table). */
int read_delta_table(const char *dir, long long version, const char *const *cols, size_t n_cols,
                     RowSet *out, TarnError *err);

#endif
