/*
 * stream_log.h - reading a Delta table as an append-only stream: which data
 * files the commits after a given version added (Delta PROTOCOL.md, "Add
 * File and Remove File": dataChange), and which live files may hold rows
 * matching predicates.  Used by `tarn stream` (src/stream).
 *
 * The stream semantics are those of Spark Structured Streaming's Delta
 * source without ignoreDeletes / ignoreChanges: a commit that adds data
 * (add with dataChange=true) feeds the stream; one that only rearranges it
 * (OPTIMIZE: dataChange=false on its removes and adds) is skipped; one
 * that removes data (DELETE, UPDATE, MERGE, overwrite: a remove with
 * dataChange=true) is an error, as the stream's results already counted
 * those rows.
 */
#ifndef TARN_TABLE_DELTA_STREAM_LOG_H
#define TARN_TABLE_DELTA_STREAM_LOG_H

#include "table/delta/delta.h"

typedef struct DeltaAppends {
    int64_t end_version;        /* the range read is (after_version, end_version] */
    char **files;               /* log paths of the data files added there, sorted
                                 * by strcmp, all live at end_version; arena */
    uint32_t n_files;
} DeltaAppends;

/* The data files added by commits after_version+1 .. max_version.  The
 * range ends early, before a commit whose dataChange=false removal
 * (OPTIMIZE) takes away a file added inside it, so that every listed file
 * is live at end_version (the next call continues from there).  A commit
 * that removes data is TARN_ERR_UNSUPPORTED (SQLSTATE 0A000) naming the
 * version and its operation; a commit no longer in the log is
 * TARN_ERR_NOT_FOUND. */
int delta_appends_since(DeltaTable *t, int64_t after_version, int64_t max_version, Arena *a, DeltaAppends *out,
                        TarnError *err);

/* The snapshot's live files that may hold a row satisfying every predicate
 * (file statistics and partition values; conservative), as sorted log
 * paths in a. */
int delta_files_may_match_list(DeltaSnapshot *snap, const PqPredicate *preds, int n_preds, Arena *a, char ***files_out,
                               uint32_t *n_out, TarnError *err);

#endif
