/*
 * sink.h - the micro-batch writer of the ingesters: rows -> one Delta
 * commit, with progress markers (txn actions) for exactly-once delivery,
 * schema evolution and a dead-letter table.
 *
 * A sink targets a lake table LAKE/<schema>/<table> (created, with its
 * schema folder, on the first commit when missing) and its dead-letter
 * table (<table>_dlq by default, created on the first dead letter).
 *
 * Rows are built column by column in the sink's own vectors:
 *   - ingest_sink_col() finds a column by name (case-insensitive, as Delta
 *     column names are), ingest_sink_add_col() adds a new one (NULL for
 *     the rows already buffered); columns of the table's current schema are
 *     "fixed", added ones are "new" until they are committed (their type
 *     may still change: ingest_sink_retype);
 *   - the caller appends at most one value per column and row, then
 *     ingest_sink_row_end() appends NULL to the columns the row left out.
 * Dead letters go through ingest_sink_dlq_add().
 *
 * ingest_sink_commit() writes everything buffered as one commit of the
 * table (new columns become nullable columns in the same commit) carrying
 * one txn action per progress marker (appId, version).  Before writing it
 * checks, on the snapshot the transaction starts from, that each marker's
 * appId is still at the version the caller expects (-1: absent); the Delta
 * commit itself refuses a commit when a concurrent commit set one of the
 * same appIds.  Either failure is TARN_ERR_CONFLICT and nothing of the
 * batch is committed: the caller re-reads its source from the table's
 * markers (ingest_sink_progress).  Dead letters are committed first, in
 * their own table, with their own markers (appId + ":dlq"): rows whose
 * position is below the dead-letter table's marker for that appId were
 * committed before and are dropped, so replays never duplicate them.
 *
 * Thread-safety: one thread.  Errors: TarnError (TARN_ERR_CONFLICT for a
 * lost race as above).
 */
#ifndef TARN_INGEST_SINK_H
#define TARN_INGEST_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include "table/delta/delta.h"
#include "util/err.h"
#include "vector/vector.h"

typedef struct IngestSink IngestSink;

/* The first members of every sink (the rest is private to sink.c), read
 * by the inline per-value accessors below: fields[i] describes vecs[i]. */
#define INGEST_SINK_HEAD_MEMBERS                                              \
    Schema sch;        /* n_fields = columns, fields = the array */           \
    Vector *vecs;                                                             \
    uint8_t *flags;    /* INGEST_COL_* */                                     \
    uint32_t cap;                                                             \
    uint32_t n_rows;                                                          \
    uint64_t epoch;    /* bumped when columns go away or change type */
typedef struct IngestSinkHead {
    INGEST_SINK_HEAD_MEMBERS
} IngestSinkHead;
enum { INGEST_COL_NEW = 1, INGEST_COL_UNTYPED = 2, INGEST_COL_MIXED = 4 };
#define INGEST_SINK_HEAD(s) ((const IngestSinkHead *)(const void *)(s))

typedef struct IngestSinkOptions {
    const char *lake;          /* lake directory */
    const char *schema;        /* SQL schema ("public" ...) */
    const char *table;
    const char *dlq_table;     /* in the same schema; NULL = <table>_dlq */
    const char *operation;     /* commitInfo operation, e.g. "STREAMING UPDATE" */
} IngestSinkOptions;

/* Opens the sink; loads the table's schema when the table exists. */
IngestSink *ingest_sink_open(const IngestSinkOptions *o, TarnError *err);
void ingest_sink_close(IngestSink *s);

/* ---- Building rows ------------------------------------------------------ */

/* Rows buffered so far (data rows; dead letters apart). */
static inline uint32_t ingest_sink_rows(const IngestSink *s) { return INGEST_SINK_HEAD(s)->n_rows; }
uint32_t ingest_sink_dlq_rows(const IngestSink *s);

static inline int ingest_sink_ncols(const IngestSink *s) { return (int)INGEST_SINK_HEAD(s)->sch.n_fields; }
/* Changes whenever columns are removed or retyped (indexes and names a
 * caller cached before are then stale); adding columns keeps it. */
static inline uint64_t ingest_sink_epoch(const IngestSink *s) { return INGEST_SINK_HEAD(s)->epoch; }
/* Column index by name (case-insensitive), -1 when absent. */
int ingest_sink_col(const IngestSink *s, const char *name, size_t len);
/* Adds a column of type id (simple types only); returns its index or -1
 * (err set: bad name, out of memory). */
int ingest_sink_add_col(IngestSink *s, const char *name, size_t len, TypeId id, TarnError *err);
/* The same with any type (copied), e.g. a struct from an Avro schema. */
int ingest_sink_add_col_type(IngestSink *s, const char *name, const LogicalType *t, TarnError *err);
/* The vector to append column i's value of the current row to. */
static inline Vector *ingest_sink_vec(IngestSink *s, int i) { return &INGEST_SINK_HEAD(s)->vecs[i]; }
static inline const Field *ingest_sink_field(const IngestSink *s, int i)
{
    return &INGEST_SINK_HEAD(s)->sch.fields[i];
}
/* True for a column not in the table yet (added in this batch). */
static inline bool ingest_sink_col_is_new(const IngestSink *s, int i)
{
    return (INGEST_SINK_HEAD(s)->flags[i] & INGEST_COL_NEW) != 0;
}
/* True for a new column that has only NULLs so far (its type is open). */
static inline bool ingest_sink_col_untyped(const IngestSink *s, int i)
{
    return (INGEST_SINK_HEAD(s)->flags[i] & INGEST_COL_UNTYPED) != 0;
}
/* Changes a new column's type, converting the values buffered: NULL-only
 * columns to anything, BIGINT to DOUBLE PRECISION. */
int ingest_sink_retype(IngestSink *s, int i, TypeId id, TarnError *err);
/* Marks a new text column as holding non-strings too (no date/timestamp
 * inference for it). */
void ingest_sink_col_mixed(IngestSink *s, int i);
/* Appends for the per-value paths (vec_append_* when the vector is full):
 * _i64 for 8-byte integer / timestamp / time columns, _f64 for DOUBLE
 * PRECISION, _bool for BOOLEAN, _str for text / bytea / json. */
static inline int ingest_put_i64(Vector *v, int64_t x)
{
    if (v->len < v->cap) {
        ((int64_t *)v->data)[v->len++] = x;
        return 0;
    }
    return vec_append_i64(v, x);
}
static inline int ingest_put_f64(Vector *v, double x)
{
    if (v->len < v->cap) {
        ((double *)v->data)[v->len++] = x;
        return 0;
    }
    return vec_append_double(v, x);
}
static inline int ingest_put_bool(Vector *v, bool x)
{
    if (v->len < v->cap) {
        v->data[v->len++] = x;
        return 0;
    }
    return vec_append_bool(v, x);
}
static inline int ingest_put_str(Vector *v, const char *p, size_t n)
{
    if (v->len < v->cap) {
        if (vec_str_copy(v, p, n, &((StrView *)v->data)[v->len]))
            return TARN_ERR_NOMEM;
        v->len++;
        return 0;
    }
    return vec_append_str(v, p, n);
}

/* Completes the current row: NULL for every column it did not set. */
int ingest_sink_row_end(IngestSink *s, TarnError *err);
/* Drops the current row's values (after an error halfway through it). */
void ingest_sink_row_cancel(IngestSink *s);

/* A dead letter: the raw record, its position and the error. */
typedef struct IngestDeadLetter {
    const void *key; size_t key_len; bool has_key;
    const void *value; size_t value_len; bool has_value;
    const char *source;        /* topic / file */
    int32_t partition;
    int64_t offset;
    int64_t timestamp_ms;      /* < 0: unknown */
    const char *error;
    const char *app_id;        /* progress marker of the record's source */
} IngestDeadLetter;
int ingest_sink_dlq_add(IngestSink *s, const IngestDeadLetter *d, TarnError *err);

/* ---- Committing --------------------------------------------------------- */

typedef struct IngestProgress {
    const char *app_id;
    int64_t expect;            /* version the table must still have; -1 = absent */
    int64_t version;           /* new version (next source position) */
} IngestProgress;

typedef struct IngestCommitResult {
    int64_t version;           /* table version committed, -1 = none */
    int64_t dlq_version;       /* dead-letter table version, -1 = none */
    int64_t rows, dlq_rows;
    int64_t columns_added;
} IngestCommitResult;

/* Commits the buffered rows and dead letters with the markers (see top).
 * The buffers are emptied in every case; new columns that were not
 * committed are dropped. */
int ingest_sink_commit(IngestSink *s, const IngestProgress *p, int n, IngestCommitResult *res,
                       TarnError *err);

/* Settles the types of the batch's new columns (as the commit does). */
int ingest_sink_settle(IngestSink *s, TarnError *err);
/* Gives dst (empty) the columns of src (names, types; all treated as
 * fixed): the next batch is built in dst while src commits. */
int ingest_sink_adopt_columns(IngestSink *dst, const IngestSink *src, TarnError *err);
/* Drops everything buffered, new columns included. */
void ingest_sink_discard(IngestSink *s);

/* Loads the table's latest markers: for each app id, its version or -1.
 * Also refreshes the sink's fixed columns from the table's schema. */
int ingest_sink_progress(IngestSink *s, const char *const *app_ids, int n, int64_t *versions_out,
                         TarnError *err);

#endif
