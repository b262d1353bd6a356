/*
 * writer.h - Parquet file writer: batches in, a spec-conformant file out.
 *
 * Maps tarn types to Parquet (physical type + LogicalType + legacy
 * ConvertedType, so old readers understand the file too):
 *   BOOL->BOOLEAN; INT8/16/32 and UINT8/16/32 -> INT32 + INTEGER(w, signed);
 *   INT64/UINT64 -> INT64 + INTEGER(64, signed); FLOAT, DOUBLE;
 *   DECIMAL(p,s) -> INT32 (p<=9), INT64 (p<=18), FIXED_LEN_BYTE_ARRAY
 *   (minimal bytes) otherwise; DATE -> INT32 DATE; TIME -> INT64
 *   TIME(MICROS); TIMESTAMP -> INT64 TIMESTAMP(MICROS, utc=false);
 *   TIMESTAMPTZ -> INT64 TIMESTAMP(MICROS, utc=true); STRING -> BYTE_ARRAY
 *   STRING; JSON -> BYTE_ARRAY JSON; BLOB -> BYTE_ARRAY; UUID -> FLBA(16)
 *   UUID; INTERVAL -> FLBA(12) INTERVAL (months, days, millis);
 *   LIST -> the standard 3-level LIST; MAP -> MAP / key_value; STRUCT -> group.
 *
 * Row groups are closed by row count or estimated size, pages by byte size
 * or row count.  Dictionary encoding is tried first and falls back to the
 * column's plain/fallback encoding when the dictionary outgrows
 * dict_max_bytes.  Column statistics (min, max, null_count, and
 * distinct_count when a dictionary gives it for free) follow each type's
 * sort order (signed, unsigned, decimal, byte-wise for strings).  Optional:
 * page index (ColumnIndex + OffsetIndex), split-block bloom filters
 * (xxHash64), page CRCs, data page v2.  created_by is
 * "tarn version X (build ...)".
 *
 * The writer buffers one row group (encoded, compressed pages) in memory.
 * Thread-safety: one writer per thread.
 */
#ifndef TARN_FORMAT_PARQUET_WRITER_H
#define TARN_FORMAT_PARQUET_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "format/parquet/meta.h"
#include "util/err.h"
#include "vector/vector.h"

/* Destination of the bytes: a local file, or a caller-provided sink. */
typedef struct PqSink {
    void *ctx;
    /* Appends len bytes; returns 0 or an error kind with err set. */
    int (*write)(void *ctx, const void *p, size_t len, TarnError *err);
} PqSink;

typedef struct PqWriteOptions {
    PqCodec codec;            /* default SNAPPY */
    int compression_level;    /* 0 = codec default */
    int64_t row_group_rows;   /* default 1,048,576 */
    int64_t row_group_bytes;  /* default 128 MiB (uncompressed estimate) */
    int32_t page_bytes;       /* default 1 MiB (uncompressed) */
    int32_t page_rows;        /* default 20,000 */
    int32_t dict_max_bytes;   /* default 1 MiB; 0 = no dictionary */
    bool page_index;          /* default true */
    bool bloom_filters;       /* default false: bloom filter for every flat column */
    double bloom_fpp;         /* default 0.01 */
    bool page_crc;            /* default true */
    int data_page_version;    /* 1 (default) or 2 */
    /* Force one value encoding for every column where it applies (tests,
     * benchmarks); -1 = automatic (dictionary, then PLAIN; DELTA_* are
     * never chosen automatically). */
    int force_encoding;
    int32_t n_kv;             /* extra key-value metadata */
    const PqKeyValue *kv;     /* borrowed until close */
} PqWriteOptions;

void pq_write_options_default(PqWriteOptions *o);

typedef struct PqWriter PqWriter;

/* Creates path (truncating) and prepares to write rows of `schema`, which
 * must outlive the writer.  Unsupported column types are TARN_ERR_UNSUPPORTED. */
PqWriter *pq_writer_open(const char *path, const Schema *schema, const PqWriteOptions *opt,
                         TarnError *err);
/* Same, writing to a sink (the writer does not own the sink). */
PqWriter *pq_writer_open_sink(PqSink sink, const Schema *schema, const PqWriteOptions *opt,
                              TarnError *err);
/* Appends the rows of b (its schema must equal the writer's). */
int pq_writer_write(PqWriter *w, const Batch *b, TarnError *err);
/* Flushes the last row group, writes the footer, fsyncs and closes the file
 * (for path writers), and frees the writer in every case. */
int pq_writer_close(PqWriter *w, TarnError *err);
/* Frees the writer without finishing the file (a path writer removes it). */
void pq_writer_abort(PqWriter *w);

/* Rows and bytes written so far (for callers that roll files by size). */
int64_t pq_writer_rows(const PqWriter *w);
int64_t pq_writer_bytes(const PqWriter *w);

#endif
