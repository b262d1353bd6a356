/*
 * delta.h - Delta Lake tables: ACID transactions on Parquet files, per the
 * Delta transaction log protocol (delta-io/delta PROTOCOL.md).
 *
 * This is the interface the rest of tarn (CLI, SQL engine, ingestion)
 * uses.  The pieces:
 *
 *   DeltaTable       a table location (a prefix in a Storage) and options.
 *   DeltaSnapshot    the immutable state of the table at one version:
 *                    protocol, metadata, schema, live files, tombstones,
 *                    application transactions, domain metadata.  Built by
 *                    log replay: newest checkpoint (classic, multi-part or
 *                    V2 with sidecars), then the later commits.
 *   DeltaScan        reads a snapshot's live files as batches in the table's
 *                    logical schema: partition values, column mapping,
 *                    deletion vectors, type widening; prunes files by
 *                    partition values and add.stats and row groups by
 *                    Parquet statistics.  Also used for change data feed.
 *   DeltaTransaction optimistic transaction: write data files, add/remove
 *                    files, change metadata/protocol, then commit with
 *                    put-if-absent of the next log entry.  On a lost race
 *                    the winning commits are checked for logical conflicts
 *                    (PROTOCOL.md leaves this to writers; tarn follows the
 *                    WriteSerializable rules of the reference
 *                    implementation, see src/table/README.md) and the commit
 *                    is retried at the next version when there is none.
 *   Operations       create, append/overwrite (replaceWhere), delete,
 *                    update, merge, add columns, set properties, history,
 *                    optimize (bin-packing, Z-order), vacuum, restore,
 *                    change data feed.
 *
 * Errors: TarnError as everywhere; corrupt logs name the file and line
 * (`delta log "_delta_log/00000000000000000003.json" line 2: add action
 * without "path"`), unsupported protocol features say so ("unsupported:
 * Delta reader version 99"), lost races are TARN_ERR_CONFLICT "concurrent
 * <what> (version N)".
 *
 * Thread-safety: a DeltaTable may be shared by threads (snapshot loads,
 * transactions and operations may run on several at once; its snapshot
 * cache is guarded by a mutex); its options are fixed at open.  A
 * DeltaSnapshot is immutable and may be shared by threads (reference
 * counted: delta_snapshot_ref / delta_snapshot_free).  A DeltaScan and a
 * DeltaTransaction belong to one thread.  Several processes may write one
 * table concurrently: put-if-absent serializes commits.
 *
 * Memory: every object here is created by a *_open/_begin/_load function
 * and released by the matching *_close/_free/_abort; pointers returned by
 * accessors are borrowed from their object and live as long as it does.
 */
#ifndef TARN_TABLE_DELTA_DELTA_H
#define TARN_TABLE_DELTA_DELTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/parquet/reader.h"
#include "storage/storage.h"
#include "table/delta/actions.h"
#include "table/delta/schema.h"
#include "util/err.h"
#include "util/mem.h"
#include "vector/vector.h"

/* Protocol versions and features tarn implements. */
#define DELTA_MAX_READER_VERSION 3
#define DELTA_MAX_WRITER_VERSION 7

/* Default table property values. */
#define DELTA_DEFAULT_CHECKPOINT_INTERVAL 10
#define DELTA_DEFAULT_RETENTION_HOURS 168.0     /* 7 days */
#define DELTA_DEFAULT_TARGET_FILE_BYTES (INT64_C(128) << 20)
#define DELTA_DEFAULT_INDEXED_COLS 32
#define DELTA_STATS_STRING_PREFIX 32            /* chars kept of string min/max */

/* ---- Table ---------------------------------------------------------------- */

typedef struct DeltaTable DeltaTable;

typedef struct DeltaTableOptions {
    /* Clock in ms since epoch (tests pin it); NULL = the system clock. */
    int64_t (*now_ms)(void *ctx);
    void *now_ctx;
    /* Commit attempts before giving up on lost races without conflicts
     * (default 1000; a commit also gives up after 60 s of lost races). */
    int max_commit_attempts;
    /* Parquet options for data files written by this handle (NULL =
     * snappy, defaults); the compression of the table property
     * delta.parquet.compression.codec wins when set. */
    const struct PqWriteOptions *write_options;
} DeltaTableOptions;

/* Opens the table stored under `root` (a directory prefix inside `s`; ""
 * for the storage root).  Nothing is read yet: a table that does not exist
 * is reported by the first snapshot load ("not a Delta table: no
 * _delta_log"), so delta_table_open also serves to create tables.  The
 * storage is borrowed and must outlive the table.  opts may be NULL. */
DeltaTable *delta_table_open(Storage *s, const char *root, const DeltaTableOptions *opts,
                             TarnError *err);
/* Convenience: opens a local directory (created when `create`) as its own
 * storage, owned by the table. */
DeltaTable *delta_table_open_dir(const char *dir, bool create, const DeltaTableOptions *opts,
                                 TarnError *err);
void delta_table_close(DeltaTable *t);

/* True when root/_delta_log holds at least one commit or checkpoint. */
int delta_table_exists(DeltaTable *t, bool *exists_out, TarnError *err);
/* The storage and root the table lives in (borrowed). */
Storage *delta_table_storage(const DeltaTable *t);
const char *delta_table_root(const DeltaTable *t);
/* Current time by the table's clock, ms since epoch. */
int64_t delta_table_now_ms(const DeltaTable *t);

/* ---- Snapshot --------------------------------------------------------------- */

typedef struct DeltaSnapshot DeltaSnapshot;

/* Loads the latest version.  The table caches the newest snapshot it
 * loaded and returns it again (with a new reference) when no commit is
 * newer; when there are newer commits, the cached snapshot is extended with
 * just those commit files (sharing its state; checkpoints written meanwhile
 * are not reread), so a refresh costs the new commits, not the table's
 * size. */
DeltaSnapshot *delta_snapshot_latest(DeltaTable *t, TarnError *err);
/* Time travel: the state at `version` (TARN_ERR_NOT_FOUND when the log no
 * longer has it, e.g. after metadata cleanup). */
DeltaSnapshot *delta_snapshot_at_version(DeltaTable *t, int64_t version, TarnError *err);
/* Time travel: the newest version whose commit timestamp (in-commit
 * timestamp when enabled, else the commit file's modification time) is <=
 * ts_ms.  Before the first commit: TARN_ERR_NOT_FOUND. */
DeltaSnapshot *delta_snapshot_at_timestamp(DeltaTable *t, int64_t ts_ms, TarnError *err);

/* Adds a reference (for sharing with other threads); returns s. */
DeltaSnapshot *delta_snapshot_ref(DeltaSnapshot *s);
/* Drops a reference; the last one frees the snapshot. */
void delta_snapshot_free(DeltaSnapshot *s);

int64_t delta_snapshot_version(const DeltaSnapshot *s);
/* Commit timestamp of the snapshot's version, ms since epoch (in-commit
 * timestamp when enabled, else the commit file's modification time, which
 * may be looked up on the first call); -1 when it cannot be determined. */
int64_t delta_snapshot_timestamp(const DeltaSnapshot *s);
const DeltaProtocol *delta_snapshot_protocol(const DeltaSnapshot *s);
const DeltaMetadata *delta_snapshot_metadata(const DeltaSnapshot *s);
/* The logical table schema (and per-column Delta metadata). */
const Schema *delta_snapshot_schema(const DeltaSnapshot *s);
const DeltaSchema *delta_snapshot_delta_schema(const DeltaSnapshot *s);
/* A table property (metaData.configuration), NULL when unset. */
const char *delta_snapshot_property(const DeltaSnapshot *s, const char *key);
/* Column mapping mode: 0 none, 1 id, 2 name. */
int delta_snapshot_column_mapping(const DeltaSnapshot *s);

/* Live files ("add" actions after reconciliation), in no particular order. */
size_t delta_snapshot_num_files(const DeltaSnapshot *s);
const DeltaAdd *delta_snapshot_file(const DeltaSnapshot *s, size_t i);
/* The live file with this log path (as written in the log), or NULL. */
const DeltaAdd *delta_snapshot_find_file(const DeltaSnapshot *s, const char *path);
/* Sum of live file sizes, bytes; total rows when every file has stats
 * (else -1). */
int64_t delta_snapshot_total_bytes(const DeltaSnapshot *s);
int64_t delta_snapshot_total_rows(const DeltaSnapshot *s);

/* Tombstones ("remove" actions kept for VACUUM). */
size_t delta_snapshot_num_tombstones(const DeltaSnapshot *s);
const DeltaRemove *delta_snapshot_tombstone(const DeltaSnapshot *s, size_t i);

/* Application transaction version for app_id; false when none. */
bool delta_snapshot_app_version(const DeltaSnapshot *s, const char *app_id, int64_t *version_out);
size_t delta_snapshot_num_app_txns(const DeltaSnapshot *s);
const DeltaSetTxn *delta_snapshot_app_txn(const DeltaSnapshot *s, size_t i);
/* Live domain metadata configuration, NULL when absent or removed. */
const char *delta_snapshot_domain(const DeltaSnapshot *s, const char *domain);

/* Protocol checks: 0 when tarn can read / write the table, else
 * TARN_ERR_UNSUPPORTED naming the version or feature. */
int delta_protocol_check_read(const DeltaProtocol *p, TarnError *err);
int delta_protocol_check_write(const DeltaProtocol *p, TarnError *err);

/* ---- Scan -------------------------------------------------------------------- */

typedef struct DeltaScan DeltaScan;

typedef struct DeltaScanOptions {
    /* Projection by logical top-level column name; NULL = all columns. */
    const char *const *columns;
    int n_columns;
    /* Conjunction of simple predicates on top-level columns (logical
     * names; values of the column's type).  Used to skip files (partition
     * values, add.stats) and row groups; rows are NOT filtered: callers
     * still evaluate their predicate on every returned row. */
    const PqPredicate *preds;
    int n_preds;
    uint32_t batch_rows;        /* 0 = VEC_BATCH_ROWS */
    /* Add a trailing column "_file" (TEXT, the data file's log path) and
     * "_row_index" (INT64, the row's position in its file, before
     * deletion vectors) - used by DELETE/UPDATE/MERGE. */
    bool with_row_ids;
} DeltaScanOptions;

/* Opens a scan of the snapshot's live files.  The snapshot is referenced
 * by the scan (the caller may free its own reference). */
DeltaScan *delta_scan_open(DeltaSnapshot *snap, const DeltaScanOptions *opts, TarnError *err);
/* Schema of the batches (projected logical columns [+ _file, _row_index]). */
const Schema *delta_scan_schema(const DeltaScan *sc);
/* Fills b (batch_init'ed on delta_scan_schema) with the next rows;
 * b->n_rows == 0 at the end.  Strings may borrow reader buffers: valid
 * until the next call. */
int delta_scan_next(DeltaScan *sc, Batch *b, TarnError *err);

/* Files selected after pruning, for callers that split the work (morsels):
 * read file i alone with delta_scan_open_file. */
size_t delta_scan_num_files(const DeltaScan *sc);
const DeltaAdd *delta_scan_file(const DeltaScan *sc, size_t i);
/* A scan restricted to the i-th selected file of sc (same options); sc
 * must stay open while the new scan is used.  Each may run on its own
 * thread. */
DeltaScan *delta_scan_open_file(DeltaScan *sc, size_t i, TarnError *err);
/* Morsels inside a file: delta_scan_split_file cuts the i-th selected file
 * into row ranges of about target_rows rows (pq_reader_split: row groups,
 * or page-aligned slices of them) - *ranges gets pairs [begin, end) of file
 * rows (tarn_free them), *n their number; a file whose add.stats say it
 * has at most target_rows rows is one range [0, 0) (= all) without reading
 * its footer.  delta_scan_open_file_rows reads only file rows [row_begin,
 * row_end) of file i (row_end 0 = to the end); deletion vectors apply at
 * the rows' file positions and row-group skipping still works. */
int delta_scan_split_file(DeltaScan *sc, size_t i, int64_t target_rows, int64_t **ranges, size_t *n,
                          TarnError *err);
DeltaScan *delta_scan_open_file_rows(DeltaScan *sc, size_t i, int64_t row_begin, int64_t row_end, TarnError *err);

typedef struct DeltaScanStats {
    int64_t files_total;        /* live files in the snapshot */
    int64_t files_pruned;       /* skipped by partition values or stats */
    int64_t files_read;
    int64_t row_groups_total, row_groups_skipped;
    int64_t rows_deleted;       /* rows dropped by deletion vectors */
    int64_t bytes_read;
    PqReadStats pq;             /* the Parquet readers' counters, summed */
} DeltaScanStats;
void delta_scan_stats(const DeltaScan *sc, DeltaScanStats *out);
void delta_scan_close(DeltaScan *sc);

/* ---- Transactions ---------------------------------------------------------------- */

typedef struct DeltaTransaction DeltaTransaction;

/* Starts a transaction on the latest snapshot (the table must exist). */
DeltaTransaction *delta_txn_begin(DeltaTable *t, TarnError *err);
/* The snapshot the transaction reads (borrowed). */
DeltaSnapshot *delta_txn_snapshot(const DeltaTransaction *txn);

/* Writes rows as new data files (Parquet, partitioned into Hive-style
 * folders by the table's partition columns, rolled at the target file
 * size) and stages their add actions.  b must match the table schema by
 * column name and type (extra columns are an error unless the transaction
 * evolves the schema; missing nullable columns are written as NULL);
 * constraints, invariants and generated columns are enforced here. */
int delta_txn_write(DeltaTransaction *txn, const Batch *b, TarnError *err);
/* Flushes open data files (delta_txn_commit does it too). */
int delta_txn_flush(DeltaTransaction *txn, TarnError *err);

/* Stages a raw add (copied; path as in the log).  For files written by
 * the caller itself. */
int delta_txn_add_file(DeltaTransaction *txn, const DeltaAdd *add, TarnError *err);
/* Stages the removal of a live file (by its add action from the
 * snapshot); data_change false for rearrangements (optimize). */
int delta_txn_remove_file(DeltaTransaction *txn, const DeltaAdd *file, bool data_change,
                          TarnError *err);
/* Stages a change data file already written (path relative to the root). */
int delta_txn_add_cdc_file(DeltaTransaction *txn, const DeltaCdc *cdc, TarnError *err);

/* Replaces the metadata (schema, properties...) / protocol in this commit.
 * The structs are copied. */
int delta_txn_set_metadata(DeltaTransaction *txn, const DeltaMetadata *md, TarnError *err);
int delta_txn_set_protocol(DeltaTransaction *txn, const DeltaProtocol *p, TarnError *err);
/* Allows delta_txn_write to add new columns found in batches (mergeSchema). */
void delta_txn_allow_schema_evolution(DeltaTransaction *txn, bool allow);
/* Records application progress (txn action) for idempotent writes: when
 * the table already has version >= app_version for app_id,
 * delta_txn_commit commits nothing and reports `skipped`. */
int delta_txn_set_app_txn(DeltaTransaction *txn, const char *app_id, int64_t app_version,
                          TarnError *err);
int delta_txn_set_domain(DeltaTransaction *txn, const char *domain, const char *configuration,
                         bool removed, TarnError *err);

/* Declares what the transaction read, for conflict detection: files
 * matching these predicates (conjunction; n == 0 means the whole table)
 * must not have been added or removed by concurrent commits.  Blind
 * appends declare nothing. */
int delta_txn_read_predicate(DeltaTransaction *txn, const PqPredicate *preds, int n,
                             TarnError *err);
void delta_txn_read_whole_table(DeltaTransaction *txn);

/* Operation name and parameters for commitInfo ("WRITE", "DELETE"...);
 * params_json is a JSON object text or NULL. */
int delta_txn_set_operation(DeltaTransaction *txn, const char *operation, const char *params_json,
                            TarnError *err);
/* Adds one operation metric to commitInfo.operationMetrics. */
int delta_txn_add_metric(DeltaTransaction *txn, const char *name, int64_t value, TarnError *err);

/* What a commit did. */
typedef struct DeltaResult {
    int64_t version;            /* committed version; -1 when nothing was committed */
    bool skipped;               /* idempotent write already applied (txn app version) */
    int attempts;               /* commit attempts (1 = no race) */
    int64_t files_added;
    int64_t files_removed;      /* every remove, rearrangements (OPTIMIZE) included */
    int64_t bytes_added, bytes_removed;
    int64_t rows_inserted, rows_deleted, rows_updated, rows_copied;
} DeltaResult;

/* Commits: writes the next log entry with put-if-absent.  On a lost race
 * it backs off briefly (randomized, growing with each loss, at most 50 ms),
 * reads every commit from the lost version to the newest, checks each for
 * conflicts, and retries after the newest; blind appends never conflict, so
 * they keep trying until max_commit_attempts or 60 s.  Writes a checkpoint
 * when the new version is a multiple of delta.checkpointInterval, then
 * deletes log files older than delta.logRetentionDuration (default 30
 * days) that no version within it needs (delta.enableExpiredLogCleanup =
 * false keeps them).  Frees txn in every case (on failure the staged data
 * files are removed).  res may be NULL. */
int delta_txn_commit(DeltaTransaction *txn, DeltaResult *res, TarnError *err);
/* Abandons the transaction and removes the data files it wrote. */
void delta_txn_abort(DeltaTransaction *txn);

/* ---- Operations --------------------------------------------------------------------- */

typedef struct DeltaCreateOptions {
    const Schema *schema;                   /* logical schema (required) */
    const char *const *partition_columns;   /* names in schema order of partitioning */
    int n_partition_columns;
    const char *const *property_keys;       /* table properties, e.g. */
    const char *const *property_values;     /* "delta.enableDeletionVectors"="true" */
    int n_properties;
    const char *name, *description;         /* optional */
    /* Per-column metadata JSON objects (constraints, generation
     * expressions); NULL = none.  Indexed like schema->fields. */
    const char *const *column_metadata;
    bool if_not_exists;                     /* existing table: succeed without change */
} DeltaCreateOptions;

/* Creates the table (version 0): protocol chosen from the properties
 * (deletion vectors, column mapping, timestamp_ntz, CDF, in-commit
 * timestamps need table features), metaData, commitInfo "CREATE TABLE".
 * An existing table is TARN_ERR_INVALID "table already exists" unless
 * if_not_exists (then success without change, res->version -1).  The same
 * holds when another writer creates the table between our check and our
 * commit, except that with if_not_exists a table created so with another
 * schema (column names, types, nullability, partitioning) is
 * TARN_ERR_CONFLICT "table created concurrently at ... has a different
 * schema: ...". */
int delta_create(DeltaTable *t, const DeltaCreateOptions *opts, DeltaResult *res, TarnError *err);

typedef enum DeltaWriteMode {
    DELTA_WRITE_APPEND = 0,
    DELTA_WRITE_OVERWRITE = 1               /* whole table, or replace_where */
} DeltaWriteMode;

typedef struct DeltaWriteOptions {
    DeltaWriteMode mode;
    /* OVERWRITE only: replace just the rows matching these predicates on
     * partition columns (every written row must match them too). */
    const PqPredicate *replace_where;
    int n_replace_where;
    bool merge_schema;                      /* add new columns found in the batches */
    const char *app_id;                     /* idempotent write marker (NULL = none) */
    int64_t app_version;
} DeltaWriteOptions;

/* Appends or overwrites with the given batches in one commit.  opts may be
 * NULL (append). */
int delta_write(DeltaTable *t, const Batch *const *batches, size_t n_batches,
                const DeltaWriteOptions *opts, DeltaResult *res, TarnError *err);

/* Row predicate of DELETE/UPDATE/MERGE, supplied by the caller (later the
 * SQL engine's compiled expression): sets match_out[i] = 1 for every row i
 * of b (table schema, all columns) that matches, 0 otherwise.  NULL
 * (SQL UNKNOWN) must be reported as 0. */
typedef int (*DeltaRowFilterFn)(void *ctx, const Batch *b, uint8_t *match_out, TarnError *err);

typedef struct DeltaCondition {
    /* Optional pruning terms implied by the filter (conjunction): files
     * and row groups that cannot match them are not read. */
    const PqPredicate *prune;
    int n_prune;
    DeltaRowFilterFn filter;                /* NULL = every row of unpruned files */
    void *ctx;
} DeltaCondition;

/* Deletes the matching rows: with delta.enableDeletionVectors, by writing
 * deletion vectors; else copy-on-write (files with matches are rewritten
 * without them; files entirely matched by partition values are just
 * removed).  Writes CDF files when delta.enableChangeDataFeed.  A NULL
 * cond deletes everything. */
int delta_delete(DeltaTable *t, const DeltaCondition *cond, DeltaResult *res, TarnError *err);

/* UPDATE: for each batch of matched rows (table schema), the callback
 * appends the new versions of those rows, in the same order, to out
 * (batch_init'ed on the table schema). */
typedef int (*DeltaUpdateFn)(void *ctx, const Batch *matched, Batch *out, TarnError *err);
int delta_update(DeltaTable *t, const DeltaCondition *cond, DeltaUpdateFn fn, void *ctx,
                 DeltaResult *res, TarnError *err);

/* MERGE.  Source rows (table schema, by name) are joined to target rows on
 * equality of the key columns.  A source row matching several target rows
 * or a target row matched by several source rows is an error (as in SQL
 * MERGE).  Per matched pair the `matched` callback decides, per row:
 *   action_out[i] = DELTA_MERGE_KEEP | DELTA_MERGE_UPDATE | DELTA_MERGE_DELETE
 * and for UPDATE appends the new row to updated_out (one row per UPDATE, in
 * order).  NULL callback = update the target row to the source row.  Per
 * unmatched source row `not_matched` decides insert_out[i] (0/1) and
 * appends the rows to insert to inserted_out (NULL = insert the source row
 * as is).  When delete_not_matched_by_source, target rows no source row
 * matches are deleted. */
enum { DELTA_MERGE_KEEP = 0, DELTA_MERGE_UPDATE = 1, DELTA_MERGE_DELETE = 2 };
typedef int (*DeltaMergeMatchedFn)(void *ctx, const Batch *target, const Batch *source,
                                   uint8_t *action_out, Batch *updated_out, TarnError *err);
typedef int (*DeltaMergeNotMatchedFn)(void *ctx, const Batch *source, uint8_t *insert_out,
                                      Batch *inserted_out, TarnError *err);

typedef struct DeltaMergeOptions {
    const char *const *key_columns;
    int n_keys;
    const Batch *const *source;             /* source batches (borrowed) */
    size_t n_source;
    DeltaMergeMatchedFn matched;            /* NULL = update with the source row */
    void *matched_ctx;
    bool insert_not_matched;                /* run the insert branch at all */
    DeltaMergeNotMatchedFn not_matched;     /* NULL = insert the source row */
    void *not_matched_ctx;
    bool delete_not_matched_by_source;
    const PqPredicate *prune;               /* optional target pruning terms */
    int n_prune;
} DeltaMergeOptions;

int delta_merge(DeltaTable *t, const DeltaMergeOptions *opts, DeltaResult *res, TarnError *err);

/* The general form of MERGE, for callers that did the matching
 * themselves (the SQL engine's MERGE with arbitrary ON conditions): the
 * callback sees every batch of the target's live rows (files that
 * `prune` rules out are not read) and sets action_out[i] = DELTA_MERGE_KEEP
 * | UPDATE | DELETE, appending one new row per UPDATE to updated_out (in
 * order); after the last batch it is called once more with target NULL
 * (an error there aborts); then `inserts` (table schema) are appended;
 * one commit (operation name, e.g. "MERGE"). */
typedef int (*DeltaApplyFn)(void *ctx, const Batch *target, uint8_t *action_out, Batch *updated_out, TarnError *err);
int delta_apply(DeltaTable *t, const PqPredicate *prune, int n_prune, DeltaApplyFn fn, void *ctx,
                const Batch *const *inserts, size_t n_inserts, const char *operation, DeltaResult *res, TarnError *err);

/* Schema evolution: adds nullable columns at the end (names must be new). */
int delta_add_columns(DeltaTable *t, const Schema *columns, DeltaResult *res, TarnError *err);
/* Widens a top-level column's type (needs delta.enableTypeWidening and a
 * change the protocol allows: int8->int16->int32->int64, float->double,
 * int->double, date->timestamp_ntz, decimal widening). */
int delta_widen_column(DeltaTable *t, const char *column, const LogicalType *to, DeltaResult *res,
                       TarnError *err);
/* Column mapping changes.  A table without column mapping is switched to
 * name mode first (ids 1..n, physicalName = current name, protocol
 * reader 2 / writer 5 or the columnMapping feature), so data files are
 * never rewritten.  Renaming changes the logical name only (partition
 * columns included); dropping removes the column from the schema (files
 * keep it; partition columns cannot be dropped, 0A000).  42703 / 42701
 * for unknown / duplicate names. */
int delta_rename_column(DeltaTable *t, const char *column, const char *new_name, DeltaResult *res, TarnError *err);
int delta_drop_column(DeltaTable *t, const char *column, DeltaResult *res, TarnError *err);
/* Sets a column's nullability; making it NOT NULL checks the existing
 * rows (23502 "column ... contains null values").  No commit (res->version
 * = -1) when nothing changes. */
int delta_set_nullable(DeltaTable *t, const char *column, bool nullable, DeltaResult *res, TarnError *err);
/* Changes a string column's declared varchar(n) / char(n) (the field
 * metadata __CHAR_VARCHAR_TYPE_STRING; to->char_len 0: plain string).
 * Metadata only: the caller checks that existing values fit. */
int delta_set_char_type(DeltaTable *t, const char *column, const LogicalType *to, DeltaResult *res, TarnError *err);
/* Sets (value != NULL) or unsets (value == NULL) table properties. */
int delta_set_properties(DeltaTable *t, const char *const *keys, const char *const *values, int n,
                         DeltaResult *res, TarnError *err);

/* History: one entry per commit, newest first. */
typedef struct DeltaHistoryEntry {
    int64_t version;
    int64_t timestamp_ms;
    const char *operation;                  /* NULL when the commit has no commitInfo */
    const char *commit_info_json;           /* NULL when absent */
} DeltaHistoryEntry;

/* Fills *out with up to `limit` entries (0 = all still in the log),
 * allocated in a. */
int delta_history(DeltaTable *t, size_t limit, Arena *a, DeltaHistoryEntry **out, size_t *n_out,
                  TarnError *err);

typedef struct DeltaOptimizeOptions {
    int64_t target_file_bytes;              /* 0 = DELTA_DEFAULT_TARGET_FILE_BYTES */
    const char *const *zorder_columns;      /* NULL = bin-packing only */
    int n_zorder_columns;
    const PqPredicate *partition_filter;    /* only partitions matching (conjunction) */
    int n_partition_filter;
} DeltaOptimizeOptions;

/* Compacts small files per partition into files near the target size
 * (dataChange=false); with Z-order columns, rewrites each partition's
 * files sorted by the interleaved bits of those columns. */
int delta_optimize(DeltaTable *t, const DeltaOptimizeOptions *opts, DeltaResult *res,
                   TarnError *err);

typedef struct DeltaVacuumOptions {
    double retention_hours;                 /* < 0 = table property or 168 */
    bool dry_run;                           /* only list what would go */
    bool allow_short_retention;             /* permit < 168 hours */
} DeltaVacuumOptions;

typedef struct DeltaVacuumResult {
    size_t n_files;
    char **files;                           /* paths relative to the root, arena */
    int64_t bytes;
} DeltaVacuumResult;

/* Deletes files under the table root that no version within the retention
 * window references (data files, deletion vectors, cdc files, and hidden
 * temporaries older than the retention).  In _delta_log/ only the hidden
 * temporaries (".NAME.tmp-PID-N") of killed commits and checkpoints older
 * than the retention go, never a log file. */
int delta_vacuum(DeltaTable *t, const DeltaVacuumOptions *opts, Arena *a, DeltaVacuumResult *res,
                 TarnError *err);

/* Restores the table's content to an earlier version: one commit that
 * removes files added since and re-adds files removed since (their data
 * files must still exist). */
int delta_restore(DeltaTable *t, int64_t version, DeltaResult *res, TarnError *err);
int delta_restore_timestamp(DeltaTable *t, int64_t ts_ms, DeltaResult *res, TarnError *err);

/* Change data feed of versions [start_version, end_version] (end -1 =
 * latest): rows in the table schema at end_version plus _change_type
 * (TEXT: insert, delete, update_preimage, update_postimage),
 * _commit_version (INT64) and _commit_timestamp (TIMESTAMPTZ).  Uses cdc
 * files where a commit has them, else derives inserts/deletes from its
 * add/remove actions (deletion vector changes included).  Read with
 * delta_scan_next / delta_scan_close. */
DeltaScan *delta_cdf_open(DeltaTable *t, int64_t start_version, int64_t end_version,
                          const DeltaScanOptions *opts, TarnError *err);

/* Writes a checkpoint for the snapshot's version now (classic,
 * single-part) and updates _last_checkpoint.  Unlike the checkpoints of
 * commits, it deletes no expired log files. */
int delta_checkpoint(DeltaTable *t, DeltaSnapshot *snap, TarnError *err);

#endif
