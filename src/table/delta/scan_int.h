/*
 * scan_int.h - scan internals shared by scan.c, cdf.c and the DML code:
 * output plans (which logical/constant column goes where), file tasks (one
 * data or change file to read, with deletion vectors and CDF constants)
 * and the cursor that reads one task as batches of the plan's schema.
 */
#ifndef TARN_TABLE_DELTA_SCAN_INT_H
#define TARN_TABLE_DELTA_SCAN_INT_H

#include "table/delta/delta_int.h"

#define DELTA_PLAN_MAX_COLS 4096

typedef enum DeltaOutKind {
    DELTA_OUT_DATA = 0,        /* a table column stored in the data file */
    DELTA_OUT_PARTITION,       /* a table column from add.partitionValues */
    DELTA_OUT_FILE,            /* _file: the task's log path */
    DELTA_OUT_ROW_INDEX,       /* _row_index: the row's position in its file */
    DELTA_OUT_CHANGE_TYPE,     /* CDF _change_type */
    DELTA_OUT_COMMIT_VERSION,  /* CDF _commit_version */
    DELTA_OUT_COMMIT_TS        /* CDF _commit_timestamp */
} DeltaOutKind;

typedef struct DeltaOutCol {
    DeltaOutKind kind;
    int table_col;             /* DATA/PARTITION: index in the DeltaSchema */
} DeltaOutCol;

typedef struct DeltaScanPlan {
    const DeltaSchema *schema; /* table schema the plan reads into (borrowed) */
    int column_mapping;        /* 0 none, 1 id, 2 name */
    Schema out;                /* output schema; owned */
    uint32_t n_cols, cap_cols;
    DeltaOutCol *cols;         /* n_cols used (at most DELTA_PLAN_MAX_COLS); owned */
    const PqPredicate *preds;  /* skipping predicates (borrowed) */
    int n_preds;
    uint32_t batch_rows;
    bool need_row_index;       /* row positions must be exact (no row-group skipping) */
} DeltaScanPlan;

/* CDF change types (index into the names insert, delete, update_preimage,
 * update_postimage); FROM_FILE reads the cdc file's _change_type column. */
enum { DELTA_CHANGE_INSERT = 0, DELTA_CHANGE_DELETE = 1, DELTA_CHANGE_PRE = 2, DELTA_CHANGE_POST = 3,
       DELTA_CHANGE_FROM_FILE = 4 };

typedef struct DeltaFileTask {
    const char *path;                     /* log path (escaped) */
    const DeltaStrMap *partition_values;
    const DeltaDv *drop_dv;               /* rows to leave out, NULL = none */
    const DeltaDv *keep_dv;               /* when set: only rows in this DV */
    int change_type;                      /* -1 for plain scans */
    int64_t commit_version, commit_ts_ms; /* CDF constants */
    const DeltaAdd *add;                  /* the live file (plain scans), else NULL */
    int64_t row_begin, row_end;           /* morsel: only these file rows (row_end 0 = all) */
} DeltaFileTask;

typedef struct DeltaCursor {
    const DeltaScanPlan *plan;
    DeltaFileTask task;
    const char *file_name;     /* storage path (arena) */
    PqReader *reader;
    Batch fb;                  /* file batch (reader schema) */
    int *out_to_file;          /* per plan column: index in fb, -1 none */
    bool *swap;                /* per plan column (c->arena) */
    Value *pvals;              /* per plan column: partition value */
    DeltaRowSet drop, keep;
    bool has_keep;
    bool count_only;
    int64_t pos;               /* file row position of the next batch */
    int64_t rows_deleted;
    Arena arena;               /* per task */
    Arena batch_arena;         /* per batch */
    /* Reading from the decoded-column cache (col_cache.h) instead of the
     * file: cfile pinned until close, cvec[j] the whole-file vector of fb
     * column j, rows [pos, cend) left. */
    struct DcFile *cfile;
    const Vector **cvec;
    Schema cschema;            /* fb's schema when cfile is set */
    int64_t cend;
    /* skipping predicates evaluated on the cached vectors: only runs of
     * rows that may match are returned (cpred_col: index in fb) */
    const PqPredicate *cpreds;
    const int *cpred_col;
    const struct DcZones **czones; /* per cached predicate: its column's zone map (NULL: none) */
    int n_cpreds;
    uint8_t *cmask;            /* candidate rows of [cmask_begin, cmask_end) */
    int64_t cmask_begin, cmask_end;
    int64_t cmask_lo, cmask_hi; /* rows outside [lo, hi) of the window are in zones no row of can match */
} DeltaCursor;

int delta_plan_init(DeltaScanPlan *p, const DeltaSnapshot *snap, const DeltaSchema *schema,
                    const DeltaScanOptions *o, TarnError *err);
int delta_plan_add(DeltaScanPlan *p, DeltaOutKind kind, int table_col, const char *name,
                   const LogicalType *type, bool nullable, TarnError *err);
void delta_plan_destroy(DeltaScanPlan *p);

void delta_cursor_init(DeltaCursor *c);
int delta_cursor_open(DeltaCursor *c, DeltaSnapshot *snap, const DeltaScanPlan *plan,
                      const DeltaFileTask *task, TarnError *err);
/* Next batch of the task (n_rows == 0 at the end); row_idx (may be NULL)
 * receives the file positions of the returned rows. */
int delta_cursor_next(DeltaCursor *c, Batch *out, int64_t *row_idx, TarnError *err);
void delta_cursor_close(DeltaCursor *c);
void delta_cursor_free(DeltaCursor *c);

/* Building scans from task lists (CDF). */
DeltaScan *delta_scan_new_internal(DeltaSnapshot *snap, const DeltaSchema *schema,
                                   const DeltaScanOptions *opts, TarnError *err);
DeltaScanPlan *delta_scan_plan(DeltaScan *sc);
Arena *delta_scan_arena(DeltaScan *sc);
int delta_scan_add_task(DeltaScan *sc, const DeltaFileTask *t, TarnError *err);
/* Keeps another snapshot alive for as long as the scan (tasks point into it). */
int delta_scan_keep_snapshot(DeltaScan *sc, DeltaSnapshot *s, TarnError *err);

#endif
