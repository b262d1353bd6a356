/*
 * tpch_gen.h - the TPC-H data generator: the eight tables of the TPC-H
 * specification (revision 2.x, clause 4.2) as Batches, for any scale
 * factor and any row range.
 *
 * What it follows.  Cardinalities (clause 4.2.5: SF x 10,000 suppliers,
 * 150,000 customers, 200,000 parts with 4 suppliers each, 1,500,000 orders
 * of 1..7 lines; 25 nations, 5 regions), sparse order keys (8 of every 32),
 * value ranges and distributions (4.2.3), dates (STARTDATE 1992-01-01,
 * ENDDATE 1998-12-31, CURRENTDATE 1995-06-17 for return flags, line and
 * order statuses), the text grammar for comments (4.2.2.10, tpch_text.h),
 * phone numbers (4.2.2.9), part names from the 92 colors, the retail
 * price formula, O_TOTALPRICE from the order's lines, customers with no
 * orders (no order references a customer key divisible by 3), and
 * "Customer ... Complaints/Recommends" in supplier comments.
 *
 * Beyond the specification it reproduces dbgen's streams: the seeds, the
 * per-row draw counts and the arithmetic of the TPC's reference generator
 * (as published in its source and in its independent ports), so the rows
 * are dbgen's rows and the TPC-H answer sets apply (tests check published
 * answer rows).  See docs/tpch.md for what is and is not verified.
 *
 * Row ranges.  A generator is opened on a range of "generator rows": rows
 * of the table, except for LINEITEM, whose generator rows are orders (an
 * order's lines are produced together; how many lines a range holds is
 * known only by generating it).  Every stream jumps straight to the start
 * of its range, so ranges may be generated in any order, on any thread,
 * and concatenated they give exactly the rows of the whole table.
 *
 * Column types (mapped to PostgreSQL/Delta types): identifiers BIGINT,
 * except nation and region keys INTEGER; other integers INTEGER; money and
 * quantities DECIMAL(15,2); dates DATE; text TEXT without padding.  No
 * column is nullable.
 *
 * Memory and threads: a TpchGen belongs to one thread.  String values in
 * the batches point into the text pool (comments), static lists (enumerated
 * values) or the batch's own heap (names, phones, addresses): valid until
 * the batch is reset and while the pool lives.
 */
#ifndef TARN_TPCH_TPCH_GEN_H
#define TARN_TPCH_TPCH_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "tpch/tpch_text.h"
#include "util/err.h"
#include "vector/vector.h"

typedef enum TpchTable {
    TPCH_REGION = 0,
    TPCH_NATION,
    TPCH_SUPPLIER,
    TPCH_CUSTOMER,
    TPCH_PART,
    TPCH_PARTSUPP,
    TPCH_ORDERS,
    TPCH_LINEITEM,
    TPCH_N_TABLES
} TpchTable;

/* Scale factors accepted (dbgen's keys stay unique above 0.01; 100,000
 * means 600 billion lineitem rows, beyond anything sensible here). */
#define TPCH_SF_MIN 0.01
#define TPCH_SF_MAX 100000.0

/* Lower-case table name ("lineitem"); NULL for an invalid id. */
const char *tpch_table_name(TpchTable t);
/* The id of a table name (case-insensitive), or -1. */
int tpch_table_by_name(const char *name);

/* Appends the table's columns to s (initialised by the caller).  Returns 0
 * or TARN_ERR_NOMEM. */
int tpch_table_schema(TpchTable t, Schema *s);

/* 0 when sf is a scale factor tarn can generate, else TARN_ERR_INVALID
 * saying why. */
int tpch_check_scale(double sf, TarnError *err);

/* Generator rows of table t at scale factor sf (orders for LINEITEM). */
int64_t tpch_generator_rows(TpchTable t, double sf);

typedef struct TpchGen TpchGen;

/* Opens a generator of table t at scale factor sf for generator rows
 * [first, first + n_rows) (0-based).  The pool must outlive the generator
 * (NATION and REGION need it too: every table has comments). */
TpchGen *tpch_gen_open(TpchTable t, double sf, const TpchTextPool *pool, int64_t first, int64_t n_rows,
                       TarnError *err);

/* Resets b (batch_init'ed on the table's schema) and fills it with the
 * next rows, at most max_rows (>= 7 for LINEITEM: an order is never split
 * across batches).  b->n_rows == 0 at the end of the range. */
int tpch_gen_next(TpchGen *g, Batch *b, uint32_t max_rows, TarnError *err);

/* Generator rows consumed so far (orders for LINEITEM). */
int64_t tpch_gen_done(const TpchGen *g);

void tpch_gen_close(TpchGen *g);

#endif
