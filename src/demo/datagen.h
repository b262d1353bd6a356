/*
 * datagen.h - a deterministic generator of TPC-H-like "lineitem" rows into
 * Batches, for the demo (`tarn demo`), the benchmarks (bench/) and tests.
 *
 * The rows follow the distributions of the TPC-H specification's LINEITEM
 * table (section 4.2.3) closely enough to compress and query like it:
 * orders of 1..7 lines with sparse order keys, part and supplier keys,
 * quantities 1..50, prices derived from the part key, discounts 0..0.10,
 * taxes 0..0.08, ship/commit/receipt dates around a uniform order date,
 * return flag and line status derived from the dates, four ship
 * instructions, seven ship modes, and comments of 10..43 characters made of
 * pseudo-words.  It is not a TPC-H implementation (no dbgen text grammar, no
 * exact key permutation); its figures are not TPC-H results.
 *
 * Determinism: the same seed and scale give the same rows, whatever batch
 * sizes they are requested in.
 *
 * Speed: no per-row allocation.  Fixed-width values are written straight
 * into the vectors; the enumerated strings point at static constants; the
 * comments of a batch live in one block of the comment vector's heap.  So
 * string values are valid until the batch is reset or destroyed.
 *
 * Thread-safety: a DatagenState belongs to one thread.
 */
#ifndef TARN_DEMO_DATAGEN_H
#define TARN_DEMO_DATAGEN_H

#include <stdint.h>

#include "util/err.h"
#include "vector/vector.h"

/* Column positions in the lineitem schema. */
enum {
    DG_ORDERKEY = 0,   /* BIGINT */
    DG_PARTKEY,        /* INT */
    DG_SUPPKEY,        /* INT */
    DG_LINENUMBER,     /* INT */
    DG_QUANTITY,       /* DECIMAL(15,2) */
    DG_EXTENDEDPRICE,  /* DECIMAL(15,2) */
    DG_DISCOUNT,       /* DECIMAL(15,2) */
    DG_TAX,            /* DECIMAL(15,2) */
    DG_RETURNFLAG,     /* TEXT, one character: R, A, N */
    DG_LINESTATUS,     /* TEXT, one character: O, F */
    DG_SHIPDATE,       /* DATE */
    DG_COMMITDATE,     /* DATE */
    DG_RECEIPTDATE,    /* DATE */
    DG_SHIPINSTRUCT,   /* TEXT, 4 values */
    DG_SHIPMODE,       /* TEXT, 7 values */
    DG_COMMENT,        /* TEXT, 10..43 characters */
    DG_N_COLUMNS
};

/* Rows of TPC-H's LINEITEM at scale factor 1. */
#define DATAGEN_SF1_ROWS 6001215

typedef struct DatagenState {
    uint64_t rng;         /* PRNG state (splitmix64 sequence) */
    int64_t rows_done;    /* rows generated so far */
    int64_t order_index;  /* orders begun so far */
    int64_t order_key;    /* key of the current order */
    int32_t order_date;   /* days since 1970-01-01 */
    int32_t lines_left;   /* lines of the current order still to emit */
    int32_t line_number;  /* last line number emitted in the current order */
    int64_t n_parts;      /* part keys are 1..n_parts */
    int64_t n_supps;      /* supplier keys are 1..n_supps */
} DatagenState;

/* Prepares a generator.  scale is the TPC-H scale factor the key ranges are
 * drawn from (1.0 = 200,000 parts and 10,000 suppliers); values below 0.01
 * are raised to 0.01.  datagen_scale_for_rows gives the scale at which
 * LINEITEM has about n_rows rows. */
void datagen_init(DatagenState *s, uint64_t seed, double scale);
double datagen_scale_for_rows(int64_t n_rows);

/* Fills s (initialised by the caller) with the lineitem schema.  Returns 0
 * or TARN_ERR_NOMEM. */
int datagen_lineitem_schema(Schema *s);

/* Resets b (made with batch_init on the lineitem schema) and fills it with
 * the next `rows` rows.  String values are valid until b is reset.
 * Returns 0, TARN_ERR_NOMEM, or TARN_ERR_INVALID when b has the wrong
 * shape. */
int datagen_lineitem_next(DatagenState *s, Batch *b, uint32_t rows, TarnError *err);

/* ---- Checksums over batches ---------------------------------------------
 * An order-sensitive checksum of a stream of batches: per column, a hash
 * chained over its values in row order, so the same rows give the same
 * checksum however they are cut into batches.  NULLs hash to a constant.
 * Used to prove that rows read back equal the rows written.  Handles every
 * flat type (by value bytes; strings by their bytes); nested columns
 * chain their offsets and children. */
#define DATAGEN_MAX_CHECK_COLS 64

typedef struct DatagenChecksum {
    uint32_t n_cols;
    uint64_t col[DATAGEN_MAX_CHECK_COLS]; /* per-column chained hash */
    int64_t rows;                        /* rows added */
    int64_t raw_bytes;                   /* value bytes: widths + string lengths */
} DatagenChecksum;

void datagen_checksum_init(DatagenChecksum *c);
void datagen_checksum_add(DatagenChecksum *c, const Batch *b);
/* One 64-bit value combining every column. */
uint64_t datagen_checksum_value(const DatagenChecksum *c);

#endif
