/*
 * spill.h - the query's memory budget and temporary files for operators
 * that spill to disk.
 *
 * Memory: ExecCtx.mem_budget is the session's memory_limit in bytes (0 =
 * unlimited).  Operators that keep data charge what they hold to the
 * shared counter ExecCtx.mem_used with exec_mem_try / exec_mem_release.
 * Operators that can spill (hash aggregate) start spilling once the
 * counter would pass SPILL_SHARE of the limit, leaving the rest to the
 * operators that cannot (hash join build sides, sorts, result sets); an
 * operator that cannot go on within the limit fails with 53200 "out of
 * memory" naming the limit (exec_mem_error).
 *
 * Files: a SpillFile is an anonymous temporary file in ExecCtx.temp_dir
 * (created with mkstemp and unlinked at once, so nothing is left behind
 * when the query ends, fails or the process dies).  Chunks are written in
 * a compact columnar block format and read back chunk by chunk:
 *
 *   block  = [n_rows u32][n_cols u32] column*
 *   column = [has_nulls u8][validity bitmap if has_nulls]
 *            fixed width: n_rows * width bytes
 *            text/bytea/json: n_rows lengths (u32), then the bytes
 *
 * Nested types (lists, structs, maps) have no block encoding:
 * spill_type_ok says whether a column can be spilled.
 *
 * Thread-safety: a SpillFile belongs to one thread at a time; the memory
 * counter is atomic.
 */
#ifndef TARN_SQL_EXEC_SPILL_H
#define TARN_SQL_EXEC_SPILL_H

#include "sql/exec/exec.h"

/* Fraction of memory_limit spilling operators may use before they spill. */
#define SPILL_SHARE 0.5

/* Charges n bytes if mem_used + n stays within cap bytes (cap <= 0: no
 * limit); true when charged. */
bool exec_mem_try(ExecCtx *x, int64_t n, int64_t cap);
/* Charges n bytes unconditionally (memory that is already held). */
void exec_mem_charge(ExecCtx *x, int64_t n);
void exec_mem_release(ExecCtx *x, int64_t n);
/* The spill threshold of x (0 = none). */
int64_t exec_spill_cap(const ExecCtx *x);
/* Sets 53200 "out of memory" with a detail naming what needed the memory
 * and the limit; returns TARN_ERR_NOMEM. */
int exec_mem_error(ExecCtx *x, const char *what, TarnError *err);
/* Formats a byte count as memory_limit values are written ("8MB"). */
void exec_mem_format(int64_t bytes, char *out, size_t cap);

typedef struct SpillFile SpillFile;

bool spill_type_ok(const LogicalType *t);
/* Creates a temporary file in x->temp_dir (the folder is created if
 * missing).  Errors: 58030 / 53100 (disk full). */
SpillFile *spill_open(ExecCtx *x, TarnError *err);
/* Appends rows sel[0..n) (sel NULL: 0..n) of in's first n_cols columns. */
int spill_write(SpillFile *f, const Chunk *in, uint32_t n_cols, const uint32_t *sel, uint32_t n, TarnError *err);
/* Ends writing; reading starts at the first block. */
int spill_rewind(SpillFile *f, TarnError *err);
/* Reads the next block into vecs (n_cols vectors initialised with the
 * written types; strings land in their heaps) and points out at them;
 * out->n_rows == 0 at the end. */
int spill_read(SpillFile *f, Vector *vecs, Vector **ptrs, uint32_t n_cols, Chunk *out, TarnError *err);
uint64_t spill_bytes(const SpillFile *f);
void spill_close(SpillFile *f);

/* memory_limit: the default (80% of physical memory) and the parser of
 * '2GB' / '512MB' / '64kB' / '1048576B' / '80%' (percent of physical
 * memory); at least 1MB.  -1 when the text is not a valid value. */
int64_t exec_default_mem_limit(void);
int exec_parse_mem_limit(const char *text, int64_t *out);

/* Removes stale spill files (of processes that no longer run) from dir. */
void spill_clean_dir(const char *dir);

#endif
