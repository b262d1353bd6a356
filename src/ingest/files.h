/*
 * files.h - file ingestion into lake tables: `tarn ingest files` (an
 * incremental loader like Databricks Auto Loader) and the commit primitive
 * the HTTP ingester shares with it.
 *
 * Commit primitive (ingest_commit_files): reads whole files (CSV, NDJSON,
 * Parquet, Avro container) straight from their readers' batches into ONE
 * Delta commit of LAKE/<schema>/<table>:
 *   - the schema folder and the table are created when missing, the table
 *     with the first file's schema (every column nullable);
 *   - a column the table lacks is added (nullable; schema evolution);
 *   - a column the table has is converted when that loses nothing: a
 *     narrower integer to a wider one or to double precision, real to
 *     double, and, for text formats (CSV, NDJSON) whose types are only
 *     inferred, any scalar value to a text column; an all-NULL inferred
 *     column fits any type.  Anything else is TARN_ERR_TYPE (42804)
 *     `file "f": column "c" has type T in the file but U in the table`;
 *   - each file may carry a progress marker: a Delta `txn` action (appId,
 *     version) written in the same commit as its rows.
 * A file that fails (unreadable, malformed, incompatible) fails the whole
 * call with nothing committed; *bad_index tells which one, so callers retry
 * without it.
 *
 * Loader (files_ingest_run): see docs/ingest.md "Files" for the design:
 * which files were ingested is recorded IN THE TABLE's commits, one txn
 * action per file, appId "tarn-files:" + the first 32 hex digits of
 * SHA-256(absolute path), version = the file's size at ingestion.  txn
 * actions are part of the table state, carried into every checkpoint and
 * never expire in tarn (no delta.setTransactionRetentionDuration), so the
 * record survives checkpoints and log cleanup, and it is committed
 * atomically with the rows (a crash leaves a file either fully ingested and
 * recorded or not at all).  A file already recorded is never loaded again,
 * even when it changed since (Auto Loader's default); a changed size is
 * reported once.
 *
 * Thread-safety: one call per thread; calls on the same table from several
 * threads or processes are safe (Delta optimistic concurrency; a lost race
 * on the same marker is TARN_ERR_CONFLICT and the loader retries).
 */
#ifndef TARN_INGEST_FILES_H
#define TARN_INGEST_FILES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/err.h"

typedef enum FilesFormat {
    FILES_FMT_AUTO = 0, /* from the file name's extension */
    FILES_FMT_CSV,
    FILES_FMT_JSON,     /* NDJSON: one object per line */
    FILES_FMT_PARQUET,
    FILES_FMT_AVRO      /* Object Container File */
} FilesFormat;

/* Parses csv|json|ndjson|jsonl|parquet|avro. */
int files_format_parse(const char *name, FilesFormat *out, TarnError *err);
/* The format of a path by its extension (.csv .tsv? no: .csv, .json
 * .ndjson .jsonl, .parquet .pq, .avro); FILES_FMT_AUTO when unknown. */
FilesFormat files_format_of_path(const char *path);
const char *files_format_name(FilesFormat f);

typedef struct IngestFileSpec {
    const char *path;      /* file to read */
    const char *display;   /* name in messages (NULL = path) */
    FilesFormat format;   /* not AUTO */
    const char *app_id;    /* progress marker or NULL */
    int64_t app_version;
} IngestFileSpec;

typedef struct IngestCommitInfo {
    int64_t version;       /* committed table version */
    int64_t rows;
    int64_t files;
    bool created;          /* the table was created by this call */
} IngestCommitInfo;

/* Loads files[0..n) into one commit of lake/<schema>/<table>.  operation
 * names the commit ("STREAMING UPDATE"...).  On a file's failure
 * *bad_index is its index (else -1) and the error names it. */
int ingest_commit_files(const char *lake, const char *schema, const char *table, const IngestFileSpec *files,
                        int n, const char *operation, IngestCommitInfo *out, int *bad_index, TarnError *err);

typedef struct FilesIngestOptions {
    const char *lake;
    const char *glob;          /* glob(3) pattern: * ? [..] in any path component */
    const char *schema;        /* default "public" */
    const char *table;
    FilesFormat format;       /* AUTO = by extension */
    bool watch;                /* keep polling until *stop */
    int poll_ms;               /* watch poll interval (default 1000) */
    int max_files_per_commit;  /* default 64 */
    int64_t max_bytes_per_commit; /* input bytes; default 256 MiB */
    atomic_int *stop; /* set by a signal handler; may be NULL */
    FILE *out;                 /* one line per commit / skipped file (NULL = none) */
    FILE *errout;              /* one line per failed file (NULL = none) */
} FilesIngestOptions;

typedef struct FilesIngestStats {
    int64_t commits, files, rows;
    int64_t files_failed;      /* not loaded: reported on errout */
    int64_t files_skipped;     /* already ingested */
} FilesIngestStats;

/* Runs the loader: one pass, or with o->watch until *o->stop.  Returns 0
 * when it ran (files_failed may still be > 0: the caller decides the exit
 * status), or an error that stopped it (bad options, lake unusable). */
int files_ingest_run(const FilesIngestOptions *o, FilesIngestStats *st, TarnError *err);

/* The marker appId of a file (absolute path), into buf (>= 48 bytes). */
void files_ingest_app_id(const char *abs_path, char *buf, size_t cap);

#endif
