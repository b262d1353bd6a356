/*
 * col_cache.h - process-wide cache of decoded columns of small Delta data
 * files, for long-running processes (`tarn serve` turns it on).
 *
 * A Delta data file never changes once committed: a new version of a table
 * adds files under new names (and its log entry carries the size and
 * modification time).  So the decoded contents of (storage root, path,
 * size, modification time) can be kept across statements and sessions
 * without re-checking the file: a commit by any other process shows up as
 * new add actions in the next snapshot (which the engine re-reads at every
 * statement), hence as other keys; entries of removed files just age out.
 *
 * An entry (DcFile) holds the file's schema, its top-level field ids and
 * row count, and whole-file vectors of the flat columns read so far (one
 * Vector per column, all rows, strings copied into the vector's heap).
 * Scans of a cached file (delta_cursor_*, scan.c) copy row slices out of
 * these vectors instead of opening, decompressing and decoding the file,
 * so a point read on a small table costs a filter over memory.  Statistics
 * based row-group / page skipping does not apply to cached files (every row
 * is returned; callers filter rows anyway).
 *
 * Bounds: only files of at most DCC_MAX_FILE_ROWS rows and 64 top-level
 * columns whose estimated decoded size (and, once read, actual size with
 * the strings) fits a quarter of the budget are cached; when the total
 * exceeds the budget, least recently used entries not in use are dropped.
 * Budget 0 (the default) disables the cache.
 *
 * Thread-safety: one mutex guards the table; a DcFile is pinned between
 * dcc_lookup / dcc_insert_file and dcc_release, and its vectors are never
 * changed after insertion, so readers use them without locking.
 */
#ifndef TARN_TABLE_DELTA_COL_CACHE_H
#define TARN_TABLE_DELTA_COL_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vector/vector.h"

#define DCC_MAX_FILE_ROWS (1 << 20)

typedef struct DcFile DcFile;

/* Sets the memory budget in bytes (0 disables the cache and drops every
 * entry not in use). */
void delta_column_cache_set_budget(size_t bytes);
size_t delta_column_cache_budget(void);
/* Bytes held and lookups that hit / missed since start (tests, EXPLAIN). */
void delta_column_cache_stats(size_t *bytes, uint64_t *hits, uint64_t *misses);

static inline bool dcc_enabled(void)
{
    return delta_column_cache_budget() > 0;
}

/* The pinned entry of a file, or NULL. */
DcFile *dcc_lookup(const char *root, const char *path, int64_t size, int64_t mtime);
/* Adds (or finds) the entry of a file and pins it; NULL when the file is
 * not cacheable (too many rows, too wide, nested columns only...) or
 * memory is short. */
DcFile *dcc_insert_file(const char *root, const char *path, int64_t size, int64_t mtime, const Schema *file_schema,
                        const int32_t *field_ids, int64_t num_rows);
void dcc_release(DcFile *f);

const Schema *dcc_file_schema(const DcFile *f);
const int32_t *dcc_field_ids(const DcFile *f);
int64_t dcc_num_rows(const DcFile *f);
/* True when column `name` of the file can be cached (flat type). */
bool dcc_column_cacheable(const DcFile *f, const char *name);
/* The whole-file vector of a column, or NULL when not loaded yet. */
const Vector *dcc_column(DcFile *f, const char *name);
/* Stores a whole-file vector (initialised on the type of the file schema's
 * field, see dcc_file_schema; ownership moves to the cache) and returns the
 * stored one (another thread's when it was first).  NULL: out of memory
 * (v destroyed). */
const Vector *dcc_add_column(DcFile *f, const char *name, Vector *v, size_t heap_bytes);

/* Zone map of an integer-like cached column (int8..int64, date, time,
 * timestamp[tz]): min / max of the valid values of each DCC_ZONE_ROWS rows
 * (a zone without valid values has min > max).  Built once when the column
 * is stored, immutable, valid while the file is pinned.  NULL for other
 * types or when memory was short. */
#define DCC_ZONE_ROWS 1024
typedef struct DcZones {
    uint32_t n;
    int64_t *min, *max;
} DcZones;
const DcZones *dcc_column_zones(DcFile *f, const Vector *v);

/* Appends src[from, from+n) to dst (same flat type): fixed-width values are
 * copied, strings are copied into dst's heap when copy_strings, else the
 * views are copied (they keep pointing at src's bytes). */
int dcc_append_slice(Vector *dst, const Vector *src, uint32_t from, uint32_t n, bool copy_strings);

#endif
