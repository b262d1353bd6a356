/*
 * tpch_lake.h - writing the eight TPC-H tables into a lake as Delta tables
 * LAKE/<schema>/<table>/ (schema "tpch" by default; the SQL engine sees
 * them as tpch.lineitem etc.), in parallel, streaming.
 *
 * How.  The text pool is built first (tpch_text.h).  Each table is cut
 * into data files by generator-row ranges sized for the target file size
 * (a function of the scale factor only, never of the thread count); every
 * file is one task.  Worker threads take tasks, largest first, and each
 * writes its file straight to the table's storage with the Parquet writer
 * (snappy, row groups of up to 1,048,576 rows), computing the file's Delta
 * statistics (numRecords, minValues, maxValues, nullCount) on the way.
 * Nothing larger than a batch and one row group per thread is held in
 * memory, so any scale factor fits.  When every file of every table is
 * written, each table gets ONE commit adding all its files (new tables are
 * created first, version 0, so the data arrives at version 1).
 *
 * Determinism: a file's rows, and its bytes, depend only on the scale
 * factor and the file's position; only the file names (a UUID each) and
 * the commit timestamps differ between runs.
 *
 * Existing tables: refused (TARN_ERR_INVALID, "already exists") before
 * anything is generated, unless `force`; then each table is overwritten in
 * one commit that removes its live files and adds the new ones (the old
 * files stay for time travel until VACUUM).  On failure, the data files
 * this run wrote for tables it did not commit are removed.
 *
 * Thread-safety: one call at a time per lake directory is the intended
 * use; concurrent writers of the same tables are serialized by the Delta
 * log (the loser fails with a conflict and removes its files).
 */
#ifndef TARN_TPCH_TPCH_LAKE_H
#define TARN_TPCH_TPCH_LAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "format/parquet/writer.h"
#include "tpch/tpch_gen.h"
#include "util/err.h"

typedef struct TpchLakeOptions {
    double sf;                      /* scale factor (required) */
    int threads;                    /* worker threads; 0 = online CPUs */
    bool force;                     /* overwrite existing tables */
    const char *schema;             /* folder under the lake; NULL = "tpch" */
    int64_t target_file_bytes;      /* 0 = 128 MiB (estimated; files are cut by rows) */
    uint32_t batch_rows;            /* 0 = 8192 */
    const PqWriteOptions *write_options; /* NULL = defaults (snappy) */
} TpchLakeOptions;

typedef struct TpchTableResult {
    int64_t rows;                   /* rows written */
    int64_t files;                  /* data files added */
    int64_t bytes;                  /* their total size */
    int64_t version;                /* table version committed */
    bool replaced;                  /* the table existed and was overwritten */
} TpchTableResult;

typedef struct TpchLakeResult {
    TpchTableResult tables[TPCH_N_TABLES]; /* indexed by TpchTable */
    int threads;                    /* threads used */
    double pool_seconds;            /* building the text pool */
    double write_seconds;           /* generating and writing the data files */
    double commit_seconds;          /* the Delta commits */
} TpchLakeResult;

/* Generates and commits every table under lake_dir (created if absent).
 * res may be NULL.  Errors: TARN_ERR_INVALID (bad scale factor, a table
 * exists without force), TARN_ERR_IO, TARN_ERR_NOMEM, TARN_ERR_CONFLICT
 * (a concurrent commit won). */
int tpch_lake_write(const char *lake_dir, const TpchLakeOptions *o, TpchLakeResult *res,
                    TarnError *err);

#endif
