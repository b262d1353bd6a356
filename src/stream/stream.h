/*
 * stream.h - continuous windowed aggregates over an ingested Delta table
 * (`tarn stream`; design and semantics in docs/streaming.md).
 *
 * A stream is a SQL aggregate over TUMBLE/HOP of one source table,
 * maintained in a target table.  Its definition and progress live in the
 * target's Delta log (domainMetadata "tarn.stream"; txn appId
 * "tarn-stream:<name>" = the last source version processed), so the lake
 * needs no other state.  Each run reads the data files the source's new
 * commits added, aggregates just those rows, and combines the result with
 * the target's open windows (count/sum: added, min/max: least/greatest) in
 * one target commit that also records the progress: exactly once, a
 * crashed run is simply redone.  A watermark (max event time seen minus a
 * delay) closes windows; rows for closed windows are dropped and counted.
 *
 * All functions run on one tarn_db (not concurrently with other use of it).
 */
#ifndef TARN_STREAM_STREAM_H
#define TARN_STREAM_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "tarn.h"
#include "util/err.h"

typedef struct StreamInfo {
    char name[128];
    char target[256];               /* schema.table */
    char source[256];               /* schema.table */
    char *sql;                      /* tarn_malloc'd; stream_info_free */
    bool has_watermark;
    int64_t watermark_delay_us;
    int64_t source_version;         /* last processed, -1 = none yet */
    bool has_max_event;
    int64_t max_event_us;           /* max event time seen */
    int64_t late_rows;              /* rows dropped behind the watermark */
    int64_t null_time_rows;         /* rows without event time */
} StreamInfo;

typedef struct StreamRunResult {
    bool did_work;                  /* false: no new source commits */
    int64_t source_from, source_to; /* versions (from, to] processed */
    int64_t target_version;         /* commit made, -1 none */
    int64_t files_read, rows_read, late_rows, null_time_rows, groups_written;
} StreamRunResult;

/* Creates stream `name` writing `target` ("schema.table", created here,
 * must not exist) from `sql` (a SELECT with one TUMBLE/HOP over a table,
 * GROUP BY the window and other output columns, count/sum/min/max
 * outputs).  watermark: an interval text ('10 seconds') or NULL for none. */
int stream_create(tarn_db *db, const char *name, const char *target, const char *sql, const char *watermark,
                  TarnError *err);
/* Removes the stream's definition (the target table and its rows stay). */
int stream_drop(tarn_db *db, const char *name, TarnError *err);
/* All streams of the lake, sorted by name (*out tarn_malloc'd; free with
 * stream_info_free_all). */
int stream_list(tarn_db *db, StreamInfo **out, uint32_t *n_out, TarnError *err);
void stream_info_free_all(StreamInfo *infos, uint32_t n);
/* Processes the source commits not processed yet (one target commit). */
int stream_run_once(tarn_db *db, const char *name, StreamRunResult *res, TarnError *err);

/* ---- Running a stream inside another process (the ingester) ---- */

typedef struct StreamRunner StreamRunner;

/* Starts a thread that runs stream `name` of the lake every interval_ms
 * (on its own tarn_db) until stream_runner_stop.  Fails at once when the
 * lake cannot be opened or the stream does not exist. */
int stream_runner_start(const char *lake, const char *name, int64_t interval_ms, StreamRunner **out,
                        TarnError *err);
/* 0 while the runner's runs succeed; else the failed run's error kind
 * (its thread has stopped running; stream_runner_stop reports the error). */
int stream_runner_status(StreamRunner *r);
/* Makes one last run (what was ingested before the call is processed),
 * stops and frees the runner; returns the first error of any run (a
 * failed run also ends the thread's loop early).  r may be NULL. */
int stream_runner_stop(StreamRunner *r, TarnError *err);

#endif
