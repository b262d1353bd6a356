/*
 * scan_skips.h - what a file scan skipped, summed over its threads, for
 * EXPLAIN ANALYZE (op_scan_delta.c, op_scan_parquet.c): Parquet row groups
 * read and skipped (by min/max statistics or by bloom filters) and data
 * pages read and skipped by the page index.
 */
#ifndef TARN_SQL_EXEC_SCAN_SKIPS_H
#define TARN_SQL_EXEC_SCAN_SKIPS_H

#include <stdatomic.h>
#include <stdbool.h>

#include "format/parquet/reader.h"
#include "util/mem.h"

typedef struct ScanSkips {
    _Atomic int64_t rg_read, rg_stats, rg_bloom;
    _Atomic int64_t pages_read, pages_skipped;
    atomic_bool ran;            /* the scan started (EXPLAIN ANALYZE) */
} ScanSkips;

/* Adds one reader's counters (a file or a morsel of it; thread-safe). */
void scan_skips_add(ScanSkips *s, const PqReadStats *rs);
/* ", row groups R of T read, S skipped by statistics, B by bloom filters"
 * [", pages P read, Q skipped"], or nothing when the scan did not run. */
void scan_skips_explain(ScanSkips *s, Buf *out);

#endif
