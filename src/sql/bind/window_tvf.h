/*
 * window_tvf.h - the window table functions TUMBLE and HOP (bind_window_tvf.c)
 * and the scope through which `tarn stream` (src/stream) runs them
 * incrementally.
 *
 *   TUMBLE(table, time_col, size)        every row in the one window
 *                                         [date_bin(size, t), + size)
 *   HOP(table, time_col, slide, size)     every row in each window of `size`
 *                                         starting at a multiple of `slide`
 *                                         that contains it
 *
 * Both return the table's columns plus window_start and window_end (the
 * type of time_col; date is treated as timestamp); windows are aligned to
 * 1970-01-01 00:00 (UTC for timestamptz), like date_bin with that origin.
 * Rows whose time is NULL belong to no window and are dropped.
 *
 * Streams: a caller that sets a WindowTvfScope on its thread around
 * tarn_exec makes the binder (a) read each table listed in the scope at
 * the scope's version and only the listed data files, whenever the query
 * reads it through TUMBLE/HOP or delta_version('t', version => V) with that
 * V; (b) drop, in TUMBLE/HOP, windows that end at or before the watermark;
 * (c) record what the TUMBLE/HOP call was (for the stream's progress
 * query).  The scope is thread-local and borrowed: the caller keeps it
 * alive until it clears it.
 */
#ifndef TARN_SQL_BIND_WINDOW_TVF_H
#define TARN_SQL_BIND_WINDOW_TVF_H

#include <stdbool.h>
#include <stdint.h>

#include "vector/types.h"

struct DeltaTable;

typedef struct WindowTvfFiles {
    struct DeltaTable *table;       /* borrowed */
    int64_t version;                /* snapshot read */
    const char *const *files;       /* log paths, sorted by strcmp; borrowed */
    uint32_t n_files;               /* 0 = no file at all */
} WindowTvfFiles;

typedef enum WindowTvfKind { WINDOW_TVF_TUMBLE = 1, WINDOW_TVF_HOP = 2 } WindowTvfKind;

typedef struct WindowTvfScope {
    /* set by the caller */
    WindowTvfFiles restrict_[2];    /* [0]: the stream's source, [1]: optional (table NULL) */
    bool has_watermark;
    int64_t watermark_us;           /* windows with window_end <= this are dropped */
    /* filled by the binder for every TUMBLE/HOP call it binds */
    uint32_t n_calls;
    WindowTvfKind kind;
    struct DeltaTable *source;      /* the table the call read (NULL: a view, CTE...) */
    char source_name[256];          /* its "schema.table" */
    char time_col[128];
    TypeId time_type;               /* TYPE_TIMESTAMP or TYPE_TIMESTAMPTZ */
    bool time_is_date;
    int64_t size_us, slide_us;      /* TUMBLE: slide = size */
} WindowTvfScope;

/* Sets (or with NULL clears) the calling thread's scope. */
void window_tvf_set_scope(WindowTvfScope *scope);

#endif
