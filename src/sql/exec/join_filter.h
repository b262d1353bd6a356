/*
 * join_filter.h - dynamic join filters (sideways information passing).
 *
 * An INNER or SEMI hash join drops every probe row whose key is not among
 * the build side's keys.  The build side is complete before any pipeline
 * under the probe side runs (pipeline.c runs a join's build pipeline
 * first), so when a probe key is a plain column, the join hands a
 * JoinFilter down the probe side (op_hash_join_new ->
 * join_filter_push): through projections and filters (column
 * pass-through), both sides of inner hash joins and the probe side of the
 * other kinds, and the plain-column group keys of hash aggregates (a group
 * whose key the join rejects is dropped whole), to the Delta / Parquet
 * scan that produces the column.  At sink_finalize the join fills the
 * filter (a blocked bloom filter of the key column's hashes, vec_hash) and
 * publishes it; the scan then drops rows whose value cannot be among the
 * build keys (and NULLs) before they are projected, aggregated or probed.
 * A filter that is not ready yet (a plan shape where the scan runs first)
 * passes everything; a thread stops testing a filter that keeps more than
 * 90 % of its rows.  Filters are reset by the join's sink_init, so plans
 * that run again (dependent joins) rebuild them.
 */
#ifndef TARN_SQL_EXEC_JOIN_FILTER_H
#define TARN_SQL_EXEC_JOIN_FILTER_H

#include <stdatomic.h>

#include "sql/exec/exec.h"

typedef struct JoinFilter {
    atomic_int ready;           /* 1: bits hold every build key */
    uint64_t *bits;             /* tarn_malloc'd, (wmask + 1) words */
    uint64_t wmask;
    _Atomic uint64_t rows_in, rows_out; /* EXPLAIN ANALYZE: rows tested / kept */
} JoinFilter;

/* Where a scan applies a filter: read column `read_pos` (ScanSpec). */
typedef struct JoinFilterUse {
    JoinFilter *f;
    uint32_t read_pos;
    struct JoinFilterUse *next;
} JoinFilterUse;

/* Hands f down from op's output column col to the scan producing it;
 * true if some scan took it. */
bool join_filter_push(PhysOp *op, uint32_t col, JoinFilter *f, Arena *a);
/* For the scans' push_join_filter hooks: appends a use to *list. */
bool join_filter_use_add(JoinFilterUse **list, uint32_t read_pos, JoinFilter *f, Arena *a);

/* Join side: reset (not ready, bits freed), then begin / add / publish. */
void join_filter_reset(JoinFilter *f);
int join_filter_begin(JoinFilter *f, uint64_t n_keys);
void join_filter_add(JoinFilter *f, const Vector *v, const uint64_t *h, uint32_t n);
void join_filter_publish(JoinFilter *f);

/* Scan side (scan_common.c): per-thread state, and the selection step.
 * in: the read columns of a batch of n rows; the current selection is
 * all rows (*all) or sel[0..*k); on return likewise. */
typedef struct JoinFilterLocal JoinFilterLocal;
JoinFilterLocal *join_filter_local_new(const JoinFilterUse *uses);
void join_filter_local_free(JoinFilterLocal *l);
int join_filter_select(JoinFilterLocal *l, const JoinFilterUse *uses, const Chunk *in, uint32_t n, uint32_t *sel,
                       uint32_t *k, bool *all);
/* EXPLAIN: " join filter on a, b" (with ANALYZE counts when it ran). */
void join_filter_explain(const JoinFilterUse *uses, const char *const *read_names, Buf *out);

#endif
