/*
 * reader.h - Parquet file reader: a file in, batches of tarn vectors out.
 *
 * Open reads and validates the footer and maps the Parquet schema to a tarn
 * Schema (schema.h).  Reading streams one row group at a time: for each
 * projected leaf column, its column chunk is read (one range read), pages
 * are decompressed and decoded as rows are requested, and nested columns are
 * reassembled from repetition/definition levels.  Memory is bounded by one
 * row group's projected column chunks plus one page per column.
 *
 * Skipping: simple predicates (column op constant) prune whole row groups by
 * their statistics and pages by the page index when the file has one; rows
 * of kept pages are all returned (callers still filter rows).
 *
 * Errors: a malformed file is TARN_ERR_CORRUPT naming the file, the column
 * and what is wrong; a valid file using a feature tarn lacks (encryption,
 * BROTLI, LZO) is TARN_ERR_UNSUPPORTED "unsupported: <feature>".
 *
 * Thread-safety: one reader per thread; several readers may read one file.
 */
#ifndef TARN_FORMAT_PARQUET_READER_H
#define TARN_FORMAT_PARQUET_READER_H

#include <stdbool.h>
#include <stdint.h>

#include "format/parquet/meta.h"
#include "util/err.h"
#include "vector/value.h"
#include "vector/vector.h"

/* Where the bytes come from: a local file, or a caller-provided source. */
typedef struct PqSource {
    void *ctx;
    uint64_t size; /* total bytes */
    /* Reads exactly len bytes at offset into buf; 0 or an error kind. */
    int (*read)(void *ctx, uint64_t offset, size_t len, void *buf, TarnError *err);
    void (*close)(void *ctx); /* may be NULL */
    const char *name;         /* for error messages; borrowed */
} PqSource;

typedef enum PqCmp {
    PQ_CMP_EQ, PQ_CMP_LT, PQ_CMP_LE, PQ_CMP_GT, PQ_CMP_GE, PQ_CMP_IS_NULL, PQ_CMP_NOT_NULL
} PqCmp;

/* A predicate `column op value` on a top-level, non-nested column. */
typedef struct PqPredicate {
    const char *column;
    PqCmp op;
    Value value; /* ignored for IS [NOT] NULL */
} PqPredicate;

typedef struct PqReadOptions {
    const char *const *columns; /* projection by top-level name; NULL = all */
    int n_columns;
    const PqPredicate *preds;   /* conjunction; may be NULL */
    int n_preds;
    bool verify_crc;            /* check page CRCs when present (default true) */
    uint32_t batch_rows;        /* default VEC_BATCH_ROWS */
    bool use_bloom_filters;     /* test EQ predicates against bloom filters (default true) */
    /* Morsels: read only the file rows [row_begin, row_end) (row_end 0 = to
     * the end).  Row groups outside are not touched; inside a row group the
     * rows are selected like page-index ranges (with offset indexes only
     * the pages holding them are read).  Skipping still applies. */
    int64_t row_begin, row_end;
} PqReadOptions;

void pq_read_options_default(PqReadOptions *o);

typedef struct PqReader PqReader;

PqReader *pq_reader_open(const char *path, const PqReadOptions *opt, TarnError *err);
/* Takes ownership of src (its close is called by pq_reader_close). */
PqReader *pq_reader_open_source(PqSource src, const PqReadOptions *opt, TarnError *err);

/* Schema of the projected columns, in projection order (borrowed). */
const Schema *pq_reader_schema(const PqReader *r);
/* Schema of the whole file (borrowed). */
const Schema *pq_reader_file_schema(const PqReader *r);
/* The decoded footer (borrowed). */
const PqFileMetaData *pq_reader_metadata(const PqReader *r);
/* Total rows in the file per footer. */
int64_t pq_reader_num_rows(const PqReader *r);

/* Fills b (initialised with batch_init on pq_reader_schema) with up to
 * batch_rows rows; b->n_rows == 0 means the end.  String values may point
 * into the reader's page buffers: valid until the next call or close. */
int pq_reader_next(PqReader *r, Batch *b, TarnError *err);
/* File row index of the first row of the batch pq_reader_next returned last
 * (batches are contiguous rows; skipped row groups and pages make gaps
 * between batches, so callers that need row positions use this). */
int64_t pq_reader_batch_row(const PqReader *r);

/* Splits the file into morsels of about target_rows rows: pairs [begin,
 * end) of file rows, in order, covering every row.  Row groups larger than
 * 1.5 x target_rows are cut into slices at page boundaries of their first
 * column when every column chunk has an offset index (so each slice reads
 * only its own pages); otherwise a morsel is a whole row group.  *out is
 * tarn_malloc'ed (free with tarn_free); *n is the number of pairs. */
int pq_reader_split(PqReader *r, int64_t target_rows, int64_t **out, size_t *n, TarnError *err);

/* Statistics about what was skipped, for EXPLAIN and tests. */
typedef struct PqReadStats {
    int64_t row_groups_total, row_groups_skipped;
    int64_t row_groups_read;            /* opened and decoded */
    int64_t row_groups_skipped_bloom;   /* of row_groups_skipped: by a bloom filter */
    int64_t pages_total, pages_skipped;
    int64_t bytes_read;
} PqReadStats;
void pq_reader_stats(const PqReader *r, PqReadStats *out);

void pq_reader_close(PqReader *r);

/* Local-file source (pread).  On success the source owns the descriptor. */
int pq_source_file(const char *path, PqSource *out, TarnError *err);

#endif
