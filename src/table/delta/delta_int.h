/*
 * delta_int.h - shared only inside src/table/delta/: the table and snapshot
 * structs, the path index (string -> slot hash table), log listing, the
 * Parquet source over Storage, and the functions one module of the delta
 * library calls in another (checkpoint read/write, stats, data file
 * writing, conflict checks).
 */
#ifndef TARN_TABLE_DELTA_DELTA_INT_H
#define TARN_TABLE_DELTA_DELTA_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/parquet/reader.h"
#include "format/parquet/writer.h"
#include "storage/storage.h"
#include "table/delta/actions.h"
#include "table/delta/delta.h"
#include "table/delta/dv.h"
#include "table/delta/schema.h"

#define DELTA_LOG_DIR "_delta_log"
#define DELTA_MAX_COMMIT_BYTES ((size_t)1 << 30)  /* refuse commit files over 1 GiB */
#define DELTA_ENGINE_INFO "tarn/" TARN_VERSION
#define DELTA_DEFAULT_COMMIT_ATTEMPTS 1000      /* DeltaTableOptions.max_commit_attempts */
#define DELTA_COMMIT_TIMEOUT_MS 60000           /* a commit gives up after losing races this long */
#define DELTA_COMMIT_BACKOFF_MAX_US 50000       /* longest sleep after a lost race */

/* ---- String index: open addressing, key -> uint32 value ------------------------ */

typedef struct DeltaIndex {
    size_t n, n_deleted, cap; /* cap is a power of two */
    uint64_t *slots;          /* hash << 32 | (value + 1); 0 empty, low half all ones deleted */
    const char **keys;        /* per slot, borrowed */
} DeltaIndex;

void delta_index_init(DeltaIndex *ix);
void delta_index_free(DeltaIndex *ix);
/* Looks key up; true and *value_out set when present. */
bool delta_index_get(const DeltaIndex *ix, const char *key, uint32_t *value_out);
/* Inserts or replaces (the key pointer must stay valid). */
int delta_index_put(DeltaIndex *ix, const char *key, uint32_t value);
/* Inserts or replaces; *had_out tells whether key was present and
 * *prev_out its former value. */
int delta_index_upsert(DeltaIndex *ix, const char *key, uint32_t value, uint32_t *prev_out, bool *had_out);
/* Makes room for n keys without further growth. */
int delta_index_reserve(DeltaIndex *ix, size_t n);
/* Removes key; true when it was present (its value in *value_out). */
bool delta_index_del(DeltaIndex *ix, const char *key, uint32_t *value_out);

/* ---- Paged copy-on-write containers (pages.c) ---------------------------------------- */

#define DELTA_PAGE_WORDS 1024

/* A page of words shared between containers (reference counted). */
typedef struct DeltaPage {
    int refs;                  /* atomic */
    uint64_t w[DELTA_PAGE_WORDS];
} DeltaPage;

/* An array of words in pages; NULL pages read as zeros. */
typedef struct DeltaPages {
    size_t n_pages;
    DeltaPage **pages;         /* tarn_malloc'd table; one reference per page */
} DeltaPages;

void delta_pages_init(DeltaPages *p);
void delta_pages_free(DeltaPages *p);
/* dst shares every page of src (only the page table is copied). */
int delta_pages_share(DeltaPages *dst, const DeltaPages *src);
/* Word i (0 past the end). */
static inline uint64_t delta_pages_get(const DeltaPages *p, size_t i)
{
    size_t k = i / DELTA_PAGE_WORDS;
    if (k >= p->n_pages || !p->pages[k])
        return 0;
    return p->pages[k]->w[i % DELTA_PAGE_WORDS];
}
/* Sets word i, copying its page first when it is shared. */
int delta_pages_set(DeltaPages *p, size_t i, uint64_t v);

/* Hash index key -> uint32 over pages; keys are not stored but asked of
 * the caller: key_of(ctx, value) is the key of the entry holding value. */
typedef const char *(*DeltaKeyFn)(const void *ctx, uint32_t value);
typedef struct DeltaPagedIndex {
    size_t n, n_deleted, cap; /* cap is a power of two */
    DeltaPages slots;
} DeltaPagedIndex;

void delta_pidx_init(DeltaPagedIndex *ix);
void delta_pidx_free(DeltaPagedIndex *ix);
int delta_pidx_share(DeltaPagedIndex *dst, const DeltaPagedIndex *src);
bool delta_pidx_get(const DeltaPagedIndex *ix, const char *key, DeltaKeyFn kf, const void *ctx,
                    uint32_t *value_out);
/* Inserts or replaces; *had_out / *prev_out (may be NULL) tell whether the
 * key was there and with which value. */
int delta_pidx_put(DeltaPagedIndex *ix, const char *key, uint32_t value, DeltaKeyFn kf, const void *ctx,
                   uint32_t *prev_out, bool *had_out);
/* Removes key: *found_out and its value in *value_out (may be NULL). */
int delta_pidx_del(DeltaPagedIndex *ix, const char *key, DeltaKeyFn kf, const void *ctx, uint32_t *value_out,
                   bool *found_out);
/* Makes room for n keys without further growth. */
int delta_pidx_reserve(DeltaPagedIndex *ix, size_t n);

/* ---- Table and snapshot --------------------------------------------------------- */

struct DeltaTable {
    Storage *s;
    bool owns_storage;
    Storage *abs_storage;      /* local "/" storage for absolute file: paths (lazy,
                                * set once under `lock`; read with delta_table_abs_storage) */
    char *root;                /* "" or "a/b" (no trailing '/') */
    char *log_prefix;          /* root + "_delta_log/" (with '/' between) */
    char *display;             /* the table's location for messages: the directory
                                * given to delta_table_open_dir, else storage root + root */
    DeltaTableOptions opts;
    PqWriteOptions write_opts;
    pthread_mutex_t lock;      /* guards `cached` and the creation of abs_storage */
    DeltaSnapshot *cached;     /* newest snapshot loaded (one reference), under `lock` */
};

/* A tombstone: the remove action and its key (path, plus the deletion
 * vector's unique id when it has one). */
typedef struct DeltaTomb {
    DeltaRemove remove;        /* first: a DeltaTomb * is a DeltaRemove * */
    const char *key;
} DeltaTomb;

/* Memory of a snapshot's actions and strings.  A snapshot built from the
 * log alone owns one block; a snapshot refreshed incrementally (previous
 * snapshot + newer commits) gets a new block for the new commits' actions
 * and shares the older strings through `prev`: its arrays point into every
 * block of the chain.  Blocks are immutable once their snapshot is built
 * and reference counted, so a chain lives as long as its newest user. */
typedef struct DeltaMemBlock {
    int refs;                  /* atomic */
    Arena arena;
    struct DeltaMemBlock *prev;/* older block (one reference), NULL at the base */
    size_t depth;              /* blocks in the chain, this one included */
    size_t base_bytes;         /* arena bytes of the chain's base block */
    size_t delta_bytes;        /* arena bytes of the blocks above the base (this one
                                * included once its snapshot is built) */
} DeltaMemBlock;

struct DeltaSnapshot {
    int refs;                  /* atomic */
    DeltaTable *table;         /* borrowed: the snapshot must not outlive its table */
    DeltaMemBlock *mem;        /* one reference; every action and string of the state
                                * lives in this block or an older one of its chain */
    int64_t version;
    int64_t timestamp_ms;      /* commit timestamp of `version` */
    int64_t checkpoint_version;/* checkpoint the replay started from, -1 = none */
    DeltaProtocol protocol;
    DeltaMetadata metadata;
    DeltaSchema schema;
    int column_mapping;        /* 0 none, 1 id, 2 name */
    /* Live files and tombstones: pointers (to structs in the memory
     * blocks) in copy-on-write pages shared with the snapshots refreshed
     * from this one; read them with delta_snapshot_file/_tombstone. */
    DeltaPages files;          /* n_files DeltaAdd pointers */
    size_t n_files;
    DeltaPagedIndex file_index;/* path -> position in files */
    DeltaPages tombstones;     /* n_tombstones DeltaTomb pointers */
    size_t n_tombstones;
    DeltaPagedIndex tomb_index;/* tombstone key (path + DV id) -> position */
    DeltaSetTxn *txns;
    size_t n_txns, cap_txns;
    DeltaIndex txn_index;
    DeltaDomainMetadata *domains;
    size_t n_domains, cap_domains;
    DeltaCommitInfo *commit_info; /* of `version`, NULL when absent */
    int64_t total_bytes, total_rows;
    /* add.stats parsed by delta_file_may_match, once per file per snapshot
     * (stats.c; created on first use, atomic pointer; freed with the
     * snapshot by delta_stats_cache_free). */
    struct DeltaStatsCache *stats_cache;
};

/* The local "/" storage for absolute paths, opened on first use (NULL when
 * it cannot be opened).  Thread-safe. */
Storage *delta_table_abs_storage(DeltaTable *t);
/* Joins the table root and a relative path into a storage path (arena). */
char *delta_table_path(Arena *a, const DeltaTable *t, const char *rel);
/* Resolves a log path (add.path etc.) to (storage, storage path). */
int delta_resolve_path(DeltaTable *t, Arena *a, const char *log_path, Storage **s_out,
                       char **path_out, TarnError *err);
/* Opens a Parquet reader on a file in a storage (size looked up when 0). */
PqReader *delta_open_parquet(Storage *s, const char *path, uint64_t size, const PqReadOptions *o,
                             TarnError *err);
int64_t delta_now_ms(const DeltaTable *t);

/* ---- Log listing ------------------------------------------------------------------ */

typedef struct DeltaLogEntry {
    char *name;                /* file name under _delta_log/ */
    DeltaLogFileName info;
    uint64_t size;
    int64_t mtime_ms;
} DeltaLogEntry;

typedef struct DeltaLogListing {
    size_t n, cap;
    DeltaLogEntry *items;      /* sorted by name (= by version) */
    Arena arena;
    bool partial;              /* built from _last_checkpoint + probing: sizes
                                * and modification times are unknown (0) */
} DeltaLogListing;

int delta_log_list(DeltaTable *t, DeltaLogListing *out, TarnError *err);
void delta_log_listing_free(DeltaLogListing *l);
/* The commit entry of version v, or NULL. */
const DeltaLogEntry *delta_log_find_commit(const DeltaLogListing *l, int64_t v);
/* Newest commit version in the listing (-1 when none); checkpoints count
 * too when no commit file is newer. */
int64_t delta_log_latest_version(const DeltaLogListing *l);
/* The newest complete checkpoint at or below target (classic or V2
 * preferred over multi-part; multi-part sets with a missing part skipped):
 * its files are items[first .. first+count-1]; *cp_version = -1 when none. */
void delta_log_pick_checkpoint(const DeltaLogListing *l, int64_t target, size_t *first, size_t *count,
                               int64_t *cp_version);

/* True when commit file `version` exists (errors count as "no"). */
bool delta_commit_exists(DeltaTable *t, int64_t version);
/* Reads and parses one commit file into list (actions in `a`). */
int delta_read_commit(DeltaTable *t, int64_t version, Arena *a, DeltaActionList *out,
                      TarnError *err);

/* delta_snapshot_find_file that accepts a NULL snapshot (table being created). */
const DeltaAdd *delta_snapshot_find_file_or_null(const DeltaSnapshot *s, const char *path);
/* Builds a snapshot at `version` (-1 = latest) from a listing. */
DeltaSnapshot *delta_snapshot_build(DeltaTable *t, const DeltaLogListing *l, int64_t version,
                                    TarnError *err);
/* The snapshot at `version`, which must exist (e.g. a commit just
 * written): the table's cached snapshot refreshed with the commits up to
 * `version` when the cache is not newer, else delta_snapshot_at_version. */
DeltaSnapshot *delta_snapshot_upto(DeltaTable *t, int64_t version, TarnError *err);
/* Blocks an incrementally refreshed snapshot's memory chain may have
 * before it is compacted (default 512; tests lower it). */
extern size_t delta_refresh_max_depth;
/* Deep copy of a snapshot into one fresh memory block (no chain): what an
 * incremental refresh does when its chain of blocks has grown too long. */
DeltaSnapshot *delta_snapshot_compact(const DeltaSnapshot *s, TarnError *err);
/* Timestamp (ms) of commit `version`: in-commit timestamp when the table
 * uses them (per the snapshot `s`), else the file's modification time. */
int delta_commit_timestamp(DeltaTable *t, const DeltaLogListing *l, const DeltaSnapshot *s,
                           int64_t version, int64_t *ts_out, TarnError *err);

/* ---- Checkpoints ------------------------------------------------------------------- */

typedef int (*DeltaActionFn)(void *ctx, const DeltaAction *act, TarnError *err);

/* Reads the actions of a Parquet checkpoint, checkpoint part or sidecar
 * (storage path), calling fn per action (strings in a). */
int delta_checkpoint_read_parquet(DeltaTable *t, const char *path, uint64_t size, Arena *a,
                                  DeltaActionFn fn, void *ctx, TarnError *err);
/* A duration table property ("interval 7 days", "1 week", "168 hours")
 * in ms, dflt_ms when unset or unparsable. */
int64_t delta_retention_ms(const DeltaMetadata *md, const char *key, int64_t dflt_ms);
/* Writes a classic checkpoint of snap and _last_checkpoint. */
int delta_checkpoint_write(DeltaTable *t, const DeltaSnapshot *snap, TarnError *err);

/* ---- Log cleanup (maint.c) ------------------------------------------------------------ */

/* Delta's metadata cleanup, run after writing a checkpoint: deletes the
 * commit and checkpoint files older than delta.logRetentionDuration
 * (default 30 days) that no version within the retention needs - those
 * below the newest checkpoint at or before the first unexpired version -
 * unless delta.enableExpiredLogCleanup is false.  Oldest first, so that an
 * interrupted cleanup leaves a log whose remaining versions all read. */
int delta_log_cleanup(DeltaTable *t, const DeltaMetadata *md, int64_t checkpoint_version, TarnError *err);

/* ---- Stats (stats.c) ----------------------------------------------------------------- */

/* Parsed per-file statistics of one top-level column. */
typedef struct DeltaColStats {
    bool has_min, has_max, has_null_count;
    Value min, max;            /* strings borrow the arena */
    int64_t null_count;
} DeltaColStats;

/* Parses add.stats for the given logical columns (physical names looked
 * up via cols); out[i] for columns[i].  *num_records_out = -1 when absent. */
int delta_stats_parse(Arena *a, const char *stats, const DeltaSchema *s, const int *col_idx,
                      int n_cols, DeltaColStats *out, int64_t *num_records_out, bool *tight_out,
                      TarnError *err);
/* Frees a snapshot's cache of parsed add.stats (NULL is fine). */
void delta_stats_cache_free(struct DeltaStatsCache *c);
/* numRecords of add.stats, -1 when absent or unparsable. */
int64_t delta_stats_num_records(const char *stats);

/* True when a file with these stats / partition values might hold a row
 * satisfying every predicate (conservative). */
bool delta_file_may_match(const DeltaSnapshot *snap, const DeltaAdd *f, const PqPredicate *preds,
                          int n_preds, Arena *scratch);
/* The same for f one of snap's own files (delta_snapshot_file): its stats
 * are parsed once and kept with the snapshot (snap->stats_cache, keyed by
 * the DeltaAdd pointer, so never pass an add that snap does not hold). */
bool delta_snapshot_file_may_match(const DeltaSnapshot *snap, const DeltaAdd *f, const PqPredicate *preds,
                                   int n_preds, Arena *scratch);

/* Parses a serialized partition value of type t into a Value (strings
 * point into s).  NULL string -> null value. */
int delta_partition_value_parse(const char *s, const LogicalType *t, Value *out, TarnError *err);
/* Serializes one value of column vector v (row i) as a partition value
 * string into out (NUL-terminated); *is_null_out for NULL. */
int delta_partition_value_format(const Vector *v, uint32_t i, Buf *out, bool *is_null_out);

/* Compares two values of one type: <0, 0, >0 (strings byte-wise). */
int delta_value_cmp(const Value *a, const Value *b);
/* Value i of a vector (strings borrowed). */
Value delta_vector_value(const Vector *v, uint32_t i);

/* Computes Delta stats JSON for the rows of a data file: numRecords, and
 * minValues/maxValues/nullCount for the first n_indexed leaf columns
 * (physical names).  Accumulate with delta_stats_acc_add per batch. */
typedef struct DeltaStatsAcc DeltaStatsAcc;
DeltaStatsAcc *delta_stats_acc_new(const Schema *physical, int n_indexed);
int delta_stats_acc_add(DeltaStatsAcc *acc, const Batch *b);
int delta_stats_acc_json(DeltaStatsAcc *acc, Buf *out);
int64_t delta_stats_acc_rows(const DeltaStatsAcc *acc);
void delta_stats_acc_free(DeltaStatsAcc *acc);

/* ---- Scan internals (scan.c) ------------------------------------------------------------ */

/* Reads one live file fully (all table columns, logical schema, DV applied
 * unless keep_deleted) into batches passed to fn.  row_index_base receives
 * the file's row positions when not NULL. */
typedef int (*DeltaBatchFn)(void *ctx, const Batch *b, const int64_t *row_idx, TarnError *err);
int delta_read_file(DeltaSnapshot *snap, const DeltaAdd *f, bool apply_dv, DeltaBatchFn fn,
                    void *ctx, TarnError *err);

/* ---- Write internals (write.c) ------------------------------------------------------------ */

/* A set of open data files (one per partition), producing add actions. */
typedef struct DeltaFileWriter DeltaFileWriter;
/* change_data: files go under _change_data/ and the batches passed to
 * delta_writer_write carry one more column than the table schema, the
 * trailing _change_type (TEXT), which is written too. */
DeltaFileWriter *delta_writer_new(DeltaTable *t, const DeltaMetadata *md, const DeltaSchema *schema,
                                  int column_mapping, bool change_data, TarnError *err);
int delta_writer_write(DeltaFileWriter *w, const Batch *b, TarnError *err);
/* Closes every file; appends their add (or cdc) actions to out, strings in a. */
int delta_writer_finish(DeltaFileWriter *w, Arena *a, DeltaActionList *out, TarnError *err);
/* Removes every file written (after failures). */
void delta_writer_abort(DeltaFileWriter *w);
void delta_writer_free(DeltaFileWriter *w);
void delta_writer_set_target_size(DeltaFileWriter *w, int64_t bytes);

/* Table-schema conformance of an incoming batch, matched by column name
 * (case-insensitive): a view batch in `schema` whose columns share the
 * input's buffers where the types are equal, or own converted copies
 * (safe widening casts).  Missing nullable columns become NULL; unknown
 * columns, impossible casts and NULLs in NOT NULL columns are errors. */
typedef struct DeltaBatchView {
    Batch b;
    bool *owned;               /* per column: b.cols[i] is owned by the view */
} DeltaBatchView;
int delta_view_init(DeltaBatchView *v, const Schema *schema, const Batch *in, TarnError *err);
/* Without the NOT NULL check; missing columns flagged in fill_later (may
 * be NULL) are NULL-filled even when NOT NULL (generated columns, filled
 * by the caller), who then calls delta_view_check_not_null. */
int delta_view_init_ex(DeltaBatchView *v, const Schema *schema, const Batch *in, const bool *fill_later,
                       TarnError *err);
int delta_view_check_not_null(const DeltaBatchView *v, TarnError *err);
void delta_view_free(DeltaBatchView *v);

/* ---- Transactions internals (txn.c) ------------------------------------------------------------ */

/* The staged transaction's own arena (action strings live here). */
Arena *delta_txn_arena(DeltaTransaction *txn);
/* Appends a fully formed action to the commit (copied shallowly; its
 * strings must live in delta_txn_arena). */
int delta_txn_push(DeltaTransaction *txn, const DeltaAction *act, TarnError *err);
/* Effective metadata / schema of the transaction (after set_metadata). */
const DeltaMetadata *delta_txn_metadata(const DeltaTransaction *txn);
const DeltaSchema *delta_txn_schema(const DeltaTransaction *txn);
/* Marks the commit as one that must not be blind-appended (it read the table). */
void delta_txn_set_isolation_read(DeltaTransaction *txn, bool read_table);
/* Replaces the transaction's schema by ns (existing columns keep their
 * Delta metadata; new ones get column mapping names and ids when the table
 * uses mapping). */
int delta_evolve_metadata(DeltaTransaction *txn, const Schema *ns, TarnError *err);
/* Records that the transaction wrote this file (removed on abort). */
int delta_txn_mark_written(DeltaTransaction *txn, const char *log_path, TarnError *err);
/* Turns every staged add/remove into a rearrangement (dataChange=false):
 * OPTIMIZE. */
void delta_txn_mark_rearrange(DeltaTransaction *txn);
/* Checks rows (table schema) against the transaction's CHECK constraints
 * and invariants without writing them. */
int delta_txn_check_rows(DeltaTransaction *txn, const Batch *b, TarnError *err);
/* Creates a transaction for a table that does not exist yet (version 0). */
DeltaTransaction *delta_txn_begin_create(DeltaTable *t, TarnError *err);

#endif
